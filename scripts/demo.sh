#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Quick start 1: build libmsidom with gcc and run the demo (examples/demo):
# Vector -> Remapping -> PCI/MSI-X for one device on an in-process simulated
# parent. Installs the Debian packages it lacks first.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."
# shellcheck source=scripts/packages.sh
. scripts/packages.sh

msidom_ensure_packages "${MSIDOM_DEMO_PACKAGES[@]}"

builddir=build-demo
opts=(-Dtests=false -Ddocs=disabled -Dexamples=true)
if [ -f "$builddir/meson-private/coredata.dat" ]; then
	meson setup --reconfigure "$builddir" "${opts[@]}"
else
	rm -rf "$builddir"
	CC=gcc meson setup "$builddir" "${opts[@]}"
fi

# Only the demo and what it links: other examples are not needed here.
demo=examples/demo/msidom-demo
ninja -C "$builddir" "$demo"

echo
echo "==> $builddir/$demo"
exec "./$builddir/$demo"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Quick start 1: build libmsidom with gcc and run the demo (examples/demo):
# the bare-metal x86 vector and VT-d remapping domains on process memory,
# under PCI/MSI-X and PCI/IMS domains of one simulated device. Installs the
# Debian packages it lacks first.
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

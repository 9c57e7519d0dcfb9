#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Core benchmark figures (README "Benchmark"): a release build without
# sanitizers, ns from the clock and instruction counts from callgrind.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."
# shellcheck source=scripts/packages.sh
. scripts/packages.sh
msidom_ensure_packages "${MSIDOM_DEMO_PACKAGES[@]}" valgrind python3

builddir=build-bench
rm -rf "$builddir"
meson setup "$builddir" --buildtype=release -Dvfio=disabled -Dkvm=disabled -Dbaremetal=false -Dvmm=disabled \
	-Dexamples=false -Ddocs=disabled >/dev/null
ninja -C "$builddir" tests/bench/msidom-bench >/dev/null
exec python3 tests/bench/bench.py "$builddir/tests/bench/msidom-bench"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# ABI check of libmsidom.so against the committed baseline abi/libmsidom.abi
# (libabigail). Builds the shared library alone in build-abi (gcc, -g,
# debugoptimized, every backend, no sanitizers, no tests), describes it with
# abidw restricted to the public headers (include/libmsidom, so internal
# types do not count) and compares it with abidiff:
#
#   scripts/abi.sh            fail on any difference from the baseline
#   scripts/abi.sh --update   rewrite abi/libmsidom.abi from this tree
#
# An incompatible change fails (abidiff status bit 8: a function removed, a
# parameter type changed). So does any other change (bit 4: a function
# added, but also a struct that grew, which abidiff cannot judge alone): the
# baseline must then be updated, in the same commit, with
# scripts/abi.sh --update, so that every ABI change shows in a review.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."
# shellcheck source=scripts/packages.sh
. scripts/packages.sh

update=0
case "${1:-}" in
"") ;;
--update) update=1 ;;
*)
	echo "usage: $0 [--update]" >&2
	exit 2
	;;
esac

msidom_ensure_packages "${MSIDOM_DEMO_PACKAGES[@]}" abigail-tools
for t in abidw abidiff; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "abi: $t not found (Debian package abigail-tools)" >&2
		exit 1
	}
done

baseline=abi/libmsidom.abi
builddir=build-abi
log=$(mktemp "${TMPDIR:-/tmp}/msidom-abi.XXXXXX")
trap 'rm -f "$log"' EXIT
rm -rf "$builddir"
CC=gcc meson setup "$builddir" --buildtype=debugoptimized -Db_sanitize=none \
	-Dvfio=enabled -Dkvm=enabled -Dbaremetal=true -Dvmm=enabled \
	-Dtests=false -Dexamples=false -Ddocs=disabled -De2e=false >"$log" 2>&1 || {
	cat "$log"
	echo "abi: meson setup failed" >&2
	exit 1
}
ninja -C "$builddir" >"$log" 2>&1 || {
	cat "$log"
	echo "abi: build failed" >&2
	exit 1
}
so=$(find "$builddir" -maxdepth 1 -name 'libmsidom.so.*.*.*' -type f -print -quit)
[ -n "$so" ] || {
	echo "abi: $builddir built no libmsidom.so.X.Y.Z" >&2
	exit 1
}

# The description of the ABI, and nothing that depends on where the tree
# or the build is: no paths, no source locations (line numbers of the
# headers change with every comment), type ids from hashes of the types.
abidw_opts=(--headers-dir include/libmsidom --drop-private-types --no-corpus-path
	--no-comp-dir-path --no-show-locs --type-id-style hash)
current=$builddir/libmsidom.abi
abidw "${abidw_opts[@]}" --out-file "$current" "$so"

if [ "$update" -eq 1 ]; then
	mkdir -p "$(dirname "$baseline")"
	if [ -f "$baseline" ] && cmp -s "$current" "$baseline"; then
		echo "abi: $baseline is up to date"
	else
		cp "$current" "$baseline"
		echo "abi: $baseline rewritten from $so; commit it with the change"
	fi
	exit 0
fi

[ -f "$baseline" ] || {
	echo "abi: no baseline $baseline: create it with scripts/abi.sh --update" >&2
	exit 1
}
rc=0
abidiff "$baseline" "$current" || rc=$?
# abidiff's status is a bit set: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible ABI change.
if [ $((rc & 3)) -ne 0 ]; then
	echo "abi: abidiff failed (status $rc)" >&2
	exit 1
fi
if [ $((rc & 8)) -ne 0 ]; then
	echo "abi: FAIL: incompatible ABI change against $baseline (above): existing programs" \
		"built against libmsidom.so.0 would break. Keep the old ABI, or bump the soname" \
		"and then update the baseline with scripts/abi.sh --update." >&2
	exit 1
fi
if [ $((rc & 4)) -ne 0 ]; then
	# Additions are compatible; abidiff also lands here for changed struct
	# layouts, which it cannot judge alone: those need a review (and a new
	# soname if existing programs break).
	echo "abi: FAIL: the ABI changed (above; abidiff does not call it incompatible)," \
		"but $baseline does not record it: update the baseline in the same commit" \
		"with scripts/abi.sh --update." >&2
	exit 1
fi
if ! cmp -s "$current" "$baseline"; then
	# abidiff sees no change, yet the description differs (an abidw upgrade,
	# a typedef renamed): not a failure, but the baseline should follow.
	echo "abi: note: $baseline differs textually from this build without an ABI change;" \
		"scripts/abi.sh --update refreshes it"
fi
echo "abi: OK: $so matches $baseline"

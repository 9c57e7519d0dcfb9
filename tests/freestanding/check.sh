#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Cross-build every part that the -Dfreestanding=true build compiles — the
# core (src/*.c), the IMS domains (src/ims/*.c) and the bare-metal backend
# (backends/bare-metal/*.c) — freestanding for one architecture, each part
# with only the include paths meson gives it, link them into one
# relocatable object and a static archive, and fail on any undefined
# symbol: every platform service is a hook (a function pointer), so the
# library must not reference a single external symbol, not even
# memset/memcpy that compilers like to emit for struct copies.
#
# usage: check.sh SRCDIR BUILDDIR ARCH   (ARCH: x86_64 i386 aarch64 riscv64)
set -euo pipefail

if [ "$#" -ne 3 ]; then
	echo "usage: $0 SRCDIR BUILDDIR ARCH" >&2
	exit 2
fi
src=$1
build=$2
arch=$3

case $arch in
x86_64) cc=gcc; m=(-m64); pkg=gcc; tool= ;;
i386) cc=gcc; m=(-m32); pkg=gcc; tool= ;;
aarch64) cc=aarch64-linux-gnu-gcc; m=(-mno-outline-atomics); pkg=gcc-aarch64-linux-gnu; tool=aarch64-linux-gnu- ;;
riscv64) cc=riscv64-linux-gnu-gcc; m=(); pkg=gcc-riscv64-linux-gnu; tool=riscv64-linux-gnu- ;;
*) echo "unknown architecture '$arch'"; exit 2 ;;
esac

for t in "$cc" "${tool}ar" "${tool}nm"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "FAIL: $t not found: install the Debian package '$pkg' (apt-get install $pkg)"
		exit 1
	fi
done

version_dir=$build/include
if [ ! -f "$version_dir/libmsidom/version.h" ]; then
	echo "FAIL: $version_dir/libmsidom/version.h missing (configure the build first)"
	exit 1
fi

out=$build/tests/freestanding/$arch
rm -rf "$out"
mkdir -p "$out/obj"

# The same flags the top-level -Dfreestanding=true build uses.
cflags=("${m[@]}" -std=c11 -O2 -ffreestanding -fno-builtin -fno-stack-protector
	-fno-tree-loop-distribute-patterns -fno-pic -fvisibility=hidden -nostdlib
	-Wall -Wextra -DMSIDOM_FREESTANDING=1 -DMSIDOM_BUILDING)

# Each part as meson builds it: "name|directory|include directories". Every
# part sees the public headers (include/ and the generated version.h); only
# the core also sees src/. Each directory's own headers ("..." includes)
# are found next to the file.
public_inc="$src/include $version_dir"
parts=(
	"core|src|$public_inc $src/src"
	"ims|src/ims|$public_inc"
	"bare-metal|backends/bare-metal|$public_inc"
)

status=0
n=0
for part in "${parts[@]}"; do
	IFS='|' read -r name dir incs <<<"$part"
	inc=()
	for d in $incs; do
		inc+=("-I$d")
	done
	found=0
	for f in "$src/$dir"/*.c; do
		[ -e "$f" ] || continue
		# Hosted defaults (malloc, pthread, stdio) are left out of freestanding builds.
		[ "$f" = "$src/src/hosted.c" ] && continue
		found=$((found + 1))
		obj=$out/obj/$name-$(basename "$f" .c).o
		if ! "$cc" "${cflags[@]}" "${inc[@]}" -c "$f" -o "$obj" 2>"$obj.log"; then
			echo "FAIL: $arch: $f does not compile freestanding with the $name part's include path (${inc[*]}):"
			cat "$obj.log"
			status=1
			continue
		fi
		if [ -s "$obj.log" ]; then
			echo "warning: $arch: $f:"
			cat "$obj.log"
		fi
		n=$((n + 1))
	done
	if [ "$found" -eq 0 ]; then
		echo "FAIL: no sources found under $src/$dir (part $name)"
		status=1
	fi
done
[ "$status" -eq 0 ] || exit 1

objs=("$out"/obj/*.o)
if ! "$cc" "${m[@]}" -r -nostdlib -o "$out/libmsidom-freestanding.o" "${objs[@]}"; then
	echo "FAIL: $arch: relocatable link failed"
	exit 1
fi
rm -f "$out/libmsidom.a"
if ! "${tool}ar" rcs "$out/libmsidom.a" "${objs[@]}"; then
	echo "FAIL: $arch: ar failed"
	exit 1
fi

undef=$("${tool}nm" -u "$out/libmsidom-freestanding.o" | awk '{print $NF}' | sort -u)
if [ -n "$undef" ]; then
	echo "FAIL: $arch: undefined symbols in the freestanding library:"
	for s in $undef; do
		users=
		for o in "${objs[@]}"; do
			if "${tool}nm" -u "$o" | awk '{print $NF}' | grep -qx "$s"; then
				users="$users $(basename "$o" .o)"
			fi
		done
		echo "  $s (referenced by:$users)"
	done
	exit 1
fi
# A static archive links into foreign kernels: every global symbol carries our prefix.
foreign=$("${tool}nm" -g --defined-only "$out/libmsidom-freestanding.o" | awk '{print $NF}' |
	{ grep -v '^msidom_' || true; } | sort -u)
if [ -n "$foreign" ]; then
	echo "FAIL: $arch: global symbols outside the msidom_ namespace:"
	printf '%s\n' "$foreign" | sed 's/^/  /'
	exit 1
fi
echo "OK: $arch: $n objects (${#parts[@]} parts: core, ims, bare-metal), relocatable object and static archive, no undefined symbols, all globals msidom_*"
exported=$("${tool}nm" -g --defined-only "$out/libmsidom-freestanding.o" | awk '$2 == "T" && $3 ~ /^msidom_[^_]/' | wc -l)
echo "$arch: public msidom_ functions: $exported"

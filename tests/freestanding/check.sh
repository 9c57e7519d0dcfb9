#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Cross-build the core (src/*.c) and the bare-metal backend
# (backends/bare-metal/*.c) freestanding for one architecture, link them
# into one relocatable object and a static archive, and fail on any
# undefined symbol: every platform service is a hook (a function pointer),
# so the library must not reference a single external symbol, not even
# memset/memcpy that compilers like to emit for struct copies.
#
# usage: check.sh SRCDIR BUILDDIR ARCH   (ARCH: x86_64 i386 aarch64 riscv64)
set -u

src=$1
build=$2
arch=$3

case $arch in
x86_64) cc=gcc; m=-m64; pkg=gcc; tool= ;;
i386) cc=gcc; m=-m32; pkg=gcc; tool= ;;
aarch64) cc=aarch64-linux-gnu-gcc; m=-mno-outline-atomics; pkg=gcc-aarch64-linux-gnu; tool=aarch64-linux-gnu- ;;
riscv64) cc=riscv64-linux-gnu-gcc; m=; pkg=gcc-riscv64-linux-gnu; tool=riscv64-linux-gnu- ;;
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
cflags="$m -std=c11 -O2 -ffreestanding -fno-builtin -fno-stack-protector \
 -fno-tree-loop-distribute-patterns -fno-pic -fvisibility=hidden -nostdlib \
 -Wall -Wextra -DMSIDOM_FREESTANDING=1 -DMSIDOM_BUILDING \
 -I$src/include -I$version_dir -I$src/src"

status=0
n=0
for f in "$src"/src/*.c "$src"/backends/bare-metal/*.c; do
	base=$(basename "$f" .c)
	# Hosted defaults (malloc, pthread, stdio) are left out of freestanding builds.
	[ "$f" = "$src/src/hosted.c" ] && continue
	dir=$(basename "$(dirname "$f")")
	obj=$out/obj/$dir-$base.o
	if ! $cc $cflags -c "$f" -o "$obj" 2>"$obj.log"; then
		echo "FAIL: $arch: $f does not compile freestanding:"
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
[ $status -eq 0 ] || exit 1
if [ $n -eq 0 ]; then
	echo "FAIL: no sources found under $src"
	exit 1
fi

if ! $cc $m -r -nostdlib -o "$out/libmsidom-freestanding.o" "$out"/obj/*.o; then
	echo "FAIL: $arch: relocatable link failed"
	exit 1
fi
rm -f "$out/libmsidom.a"
if ! "${tool}ar" rcs "$out/libmsidom.a" "$out"/obj/*.o; then
	echo "FAIL: $arch: ar failed"
	exit 1
fi

undef=$("${tool}nm" -u "$out/libmsidom-freestanding.o" | awk '{print $NF}' | sort -u)
if [ -n "$undef" ]; then
	echo "FAIL: $arch: undefined symbols in the freestanding library:"
	for s in $undef; do
		users=$(cd "$out/obj" && for o in *.o; do
			"${tool}nm" -u "$o" | awk '{print $NF}' | grep -qx "$s" && printf ' %s' "${o%.o}"
		done)
		echo "  $s (referenced by:$users)"
	done
	exit 1
fi
# A static archive links into foreign kernels: every global symbol carries our prefix.
foreign=$("${tool}nm" -g --defined-only "$out/libmsidom-freestanding.o" | awk '{print $NF}' |
	grep -v '^msidom' | sort -u)
if [ -n "$foreign" ]; then
	echo "FAIL: $arch: global symbols outside the msidom namespace:"
	echo "$foreign" | sed 's/^/  /'
	exit 1
fi
echo "OK: $arch: $n objects, relocatable object and static archive, no undefined symbols, all globals msidom_*"
"${tool}nm" -g --defined-only "$out/libmsidom-freestanding.o" | grep -c ' T msidom_' |
	sed "s/^/$arch: exported msidom_ functions: /"
exit 0

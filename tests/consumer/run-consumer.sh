#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Suite 'consumer': install the current build into a temporary DESTDIR,
# check what got installed (soname, exported symbols, headers, .pc, the
# static archive), compile every installed header on its own (as C, and as
# C++ with g++), then build against the installed copy with nothing but
# pkg-config and run:
#   consumer.c  against libmsidom.so (pkg-config --cflags --libs), and
#               against libmsidom.a (pkg-config --static --libs);
#   umbrella.c  which includes <libmsidom/msidom.h> alone: the consumer
#               headers are enough for the consumer API.
#
# usage: run-consumer.sh BUILD_ROOT CONSUMER_C UMBRELLA_C B_SANITIZE CC [CC_ARGS...]
set -euo pipefail

if [ "$#" -lt 5 ]; then
	echo "usage: $0 BUILD_ROOT CONSUMER_C UMBRELLA_C B_SANITIZE CC [CC_ARGS...]" >&2
	exit 2
fi
build_root=$1
consumer_c=$2
umbrella_c=$3
sanitize=$4
shift 4
cc=("$@")

fail() {
	echo "consumer: FAIL: $*" >&2
	exit 1
}

for tool in meson pkg-config nm readelf; do
	command -v "$tool" >/dev/null 2>&1 || fail "'$tool' not found (run scripts/test.sh, it installs it)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msidom-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
destdir=$tmp/root

# The build is already up to date (meson test built it); never run ninja
# from inside a test.
echo "== meson install --destdir $destdir"
meson install -C "$build_root" --no-rebuild --quiet --destdir "$destdir" \
	|| fail "meson install failed"

pc=$(find "$destdir" -name libmsidom.pc -print -quit)
[ -n "$pc" ] || fail "libmsidom.pc was not installed"
pcdir=$(dirname "$pc")
echo "installed: ${pc#"$destdir"}"

# The .pc names the final prefix; the sysroot maps it into DESTDIR.
export PKG_CONFIG_PATH=$pcdir
export PKG_CONFIG_LIBDIR=$pcdir
export PKG_CONFIG_SYSROOT_DIR=$destdir
pkg-config --exists --print-errors libmsidom || fail "pkg-config cannot use libmsidom.pc"
read -r -a pc_cflags <<<"$(pkg-config --cflags libmsidom)"
read -r -a pc_libs <<<"$(pkg-config --libs libmsidom)"
echo "pkg-config --cflags: ${pc_cflags[*]}"
echo "pkg-config --libs:   ${pc_libs[*]}"
[ "$(pkg-config --modversion libmsidom)" != "" ] || fail "no version in libmsidom.pc"

# Headers: every public header under include/libmsidom, the umbrella too.
incdir=$(find "$destdir" -type d -path '*/include/libmsidom' -print -quit)
[ -n "$incdir" ] || fail "no include/libmsidom directory installed"
for h in msidom.h version.h common.h context.h error.h; do
	[ -f "$incdir/$h" ] || fail "header $h not installed"
done

# The shared library: soname libmsidom.so.0, development symlink, exports.
so=$(find "$destdir" -name 'libmsidom.so.0.*' -type f -print -quit)
[ -n "$so" ] || fail "libmsidom.so.0.* not installed"
libdir=$(dirname "$so")
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = "libmsidom.so.0" ] || fail "soname is '$soname', expected libmsidom.so.0"
[ -L "$libdir/libmsidom.so.0" ] || fail "libmsidom.so.0 symlink missing"
[ -L "$libdir/libmsidom.so" ] || fail "libmsidom.so development symlink missing"
echo "soname: $soname"

# Defined dynamic symbols, without their @@VERSION suffix. The version
# node itself (LIBMSIDOM_0, an absolute symbol) is expected.
mapfile -t exported < <(nm -D --defined-only "$so" | awk '
	$2 == "A" && $3 ~ /^LIBMSIDOM_/ { next }
	{ sub(/@.*/, "", $3); print $3 }')
[ "${#exported[@]}" -gt 0 ] || fail "no symbols exported"
bad=$(printf '%s\n' "${exported[@]}" | grep -v '^msidom_' || true)
[ -z "$bad" ] || fail "symbols exported outside the msidom_ prefix: $(echo "$bad" | tr '\n' ' ')"
unversioned=$(nm -D --defined-only "$so" | awk '$3 ~ /^msidom_/ && $3 !~ /@@?LIBMSIDOM_/' || true)
[ -z "$unversioned" ] || fail "exports without the LIBMSIDOM_ version node: $unversioned"
echo "exports: ${#exported[@]} symbols, all msidom_*, versioned"

# The consumer: flags from pkg-config only, plus the sanitizer the library
# was built with (an instrumented library needs the runtime in the program).
san=()
if [ -n "$sanitize" ] && [ "$sanitize" != "none" ]; then
	san=("-fsanitize=$sanitize")
fi

# Every installed header must stand alone and be warning-free for users:
# a translation unit whose only line includes it, as C and as C++. Then all
# of them together, with -Wpedantic too (alone, version.h, which has
# nothing but macros, would be an empty translation unit to -Wpedantic).
cxx=
if command -v g++ >/dev/null 2>&1; then
	cxx=g++
fi
mapfile -t headers < <(cd "$incdir" && find . -name '*.h' | sed 's|^\./||' | LC_ALL=C sort)
[ "${#headers[@]}" -gt 0 ] || fail "no header installed under include/libmsidom"
: >"$tmp/all.c"
for h in "${headers[@]}"; do
	printf '#include <libmsidom/%s>\n' "$h" >"$tmp/hdr.c"
	cat "$tmp/hdr.c" >>"$tmp/all.c"
	"${cc[@]}" -x c -std=c11 -Wall -Wextra -Werror -fsyntax-only \
		"${pc_cflags[@]}" "$tmp/hdr.c" \
		|| fail "installed header $h does not compile on its own as C"
	if [ -n "$cxx" ]; then
		"$cxx" -x c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only \
			"${pc_cflags[@]}" "$tmp/hdr.c" \
			|| fail "installed header $h does not compile on its own as C++"
	fi
done
"${cc[@]}" -x c -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
	"${pc_cflags[@]}" "$tmp/all.c" || fail "the installed headers do not compile together"
if [ -n "$cxx" ]; then
	"$cxx" -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
		"${pc_cflags[@]}" "$tmp/all.c" || fail "the installed headers do not compile together as C++"
	echo "headers: ${#headers[@]} installed, each compiles on its own as C11 and as C++11 ($cxx)"
else
	echo "headers: ${#headers[@]} installed, each compiles on its own as C11"
	echo "headers: NOT CHECKED as C++: g++ not found (Debian package g++; scripts/test.sh installs it)"
fi

exe=$tmp/consumer
echo "== ${cc[*]} ${san[*]} consumer.c ${pc_cflags[*]} ${pc_libs[*]}"
"${cc[@]}" -std=c11 -Wall -Wextra -Wpedantic -Werror "${san[@]}" \
	-o "$exe" "$consumer_c" "${pc_cflags[@]}" "${pc_libs[@]}" \
	|| fail "consumer does not compile against the installed library"

# It must pick up the installed library, not the build tree's.
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$exe" | awk '$1 == "libmsidom.so.0" { print $3 }')
[ "$resolved" = "$libdir/libmsidom.so.0" ] || fail "libmsidom.so.0 resolves to '$resolved', not the installed copy"

echo "== run"
LD_LIBRARY_PATH=$libdir "$exe" || fail "consumer exited with status $?"

# The consumer umbrella alone is enough for the consumer API.
exe_umbrella=$tmp/umbrella
echo "== ${cc[*]} ${san[*]} umbrella.c ${pc_cflags[*]} ${pc_libs[*]}"
"${cc[@]}" -std=c11 -Wall -Wextra -Wpedantic -Werror "${san[@]}" \
	-o "$exe_umbrella" "$umbrella_c" "${pc_cflags[@]}" "${pc_libs[@]}" \
	|| fail "umbrella.c (only <libmsidom/msidom.h>) does not compile against the installed library"
LD_LIBRARY_PATH=$libdir "$exe_umbrella" || fail "umbrella exited with status $?"

# Static linking: the archive is installed beside the shared library, and
# `pkg-config --static` adds what it needs. -lmsidom alone would pick the
# shared library next to it, so the static build names the archive.
archive=$libdir/libmsidom.a
[ -f "$archive" ] || fail "libmsidom.a not installed beside ${so#"$destdir"}"
read -r -a pc_static <<<"$(pkg-config --static --libs libmsidom)"
echo "pkg-config --static --libs: ${pc_static[*]}"
static_libs=()
found=0
for a in "${pc_static[@]}"; do
	if [ "$a" = "-lmsidom" ]; then
		a=-l:libmsidom.a
		found=1
	fi
	static_libs+=("$a")
done
[ "$found" -eq 1 ] || fail "pkg-config --static --libs has no -lmsidom"
exe_static=$tmp/consumer-static
echo "== ${cc[*]} ${san[*]} consumer.c ${pc_cflags[*]} ${static_libs[*]}"
"${cc[@]}" -std=c11 -Wall -Wextra -Wpedantic -Werror "${san[@]}" \
	-o "$exe_static" "$consumer_c" "${pc_cflags[@]}" "${static_libs[@]}" \
	|| fail "consumer does not link statically against the installed libmsidom.a"
if readelf -d "$exe_static" | grep -q 'NEEDED.*libmsidom'; then
	fail "the static consumer still needs libmsidom.so"
fi
echo "== run (static, without LD_LIBRARY_PATH)"
env -u LD_LIBRARY_PATH "$exe_static" || fail "static consumer exited with status $?"
echo "consumer: PASS (shared, umbrella only, static)"

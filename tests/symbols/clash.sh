#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Suite 'symbols', test 'clash': link clash.c, a program that defines its
# own functions and data under common unprefixed names, against every object
# of libmsidom.a (--whole-archive, so that no member is left out because
# nothing referenced it), and run it. A global of the library under one of
# those names makes the link fail with "multiple definition".
#
# usage: clash.sh LIBMSIDOM_A CLASH_C SRC_ROOT BUILD_ROOT B_SANITIZE CC [CC_ARGS...]
set -euo pipefail

fail() {
	echo "symbols/clash: FAIL: $*" >&2
	exit 1
}

[ "$#" -ge 6 ] || fail "usage: $0 LIBMSIDOM_A CLASH_C SRC_ROOT BUILD_ROOT B_SANITIZE CC [CC_ARGS...]"
archive=$1
clash_c=$2
src_root=$3
build_root=$4
sanitize=$5
shift 5
cc=("$@")

command -v "${cc[0]}" >/dev/null 2>&1 || fail "compiler '${cc[0]}' not found"
[ -n "$archive" ] || fail "this configuration builds no static library (default_library=shared); the symbols suite needs default_library=both"
[ -f "$archive" ] || fail "$archive not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msidom-clash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# An instrumented archive needs the sanitizer runtime in the program.
san=()
if [ -n "$sanitize" ] && [ "$sanitize" != "none" ]; then
	san=("-fsanitize=$sanitize")
fi

exe=$tmp/clash
echo "== ${cc[*]} ${san[*]} clash.c -Wl,--whole-archive ${archive##*/} -Wl,--no-whole-archive -pthread"
if ! "${cc[@]}" -std=c11 -Wall -Wextra -Werror "${san[@]}" \
	-I"$src_root/include" -I"$build_root/include" -o "$exe" "$clash_c" \
	-Wl,--whole-archive "$archive" -Wl,--no-whole-archive -pthread >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	if grep -q 'multiple definition' "$tmp/log"; then
		echo "names libmsidom.a defines that clash with the program's own:"
		grep -o "multiple definition of \`[^']*'" "$tmp/log" | sed "s/.*\`\(.*\)'/  \1/" | sort -u
		fail "libmsidom.a defines global symbols outside the msidom_ namespace"
	fi
	fail "clash.c does not build against libmsidom.a"
fi
"$exe" || fail "the statically linked program exited with status $?"
echo "symbols/clash: OK: no multiple definition"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Suite 'symbols', test 'archive': libmsidom.a links into programs and
# firmware whole, so every global symbol it defines must be ours. Allowed:
#   msidom_<name>   only the functions the public headers declare MSIDOM_API
#   msidom__<name>  internal functions and data shared between files
# Anything else is printed with the object file that defines it.
#
# usage: archive.sh LIBMSIDOM_A GEN_SYMBOLS HEADER...
#   HEADER...: the public headers this configuration installs
set -euo pipefail

fail() {
	echo "symbols/archive: FAIL: $*" >&2
	exit 1
}

[ "$#" -ge 3 ] || fail "usage: $0 LIBMSIDOM_A GEN_SYMBOLS HEADER..."
archive=$1
gen=$2
shift 2

for tool in nm ar python3; do
	command -v "$tool" >/dev/null 2>&1 || fail "'$tool' not found (run scripts/test.sh, it installs it)"
done
[ -n "$archive" ] || fail "this configuration builds no static library (default_library=shared); the symbols suite needs default_library=both"
[ -f "$archive" ] || fail "$archive not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msidom-symbols.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

python3 "$gen" --headers "$@" >"$tmp/public"
[ -s "$tmp/public" ] || fail "no MSIDOM_API declaration in the public headers"
# -A: "ARCHIVE:MEMBER:VALUE TYPE NAME" for every global defined symbol.
nm -A -g --defined-only "$archive" >"$tmp/nm"
[ -s "$tmp/nm" ] || fail "$archive defines no global symbol"
# Members in archive order: two parts may each have a dispatch.c.o.
ar t "$archive" >"$tmp/members"

# Instrumented builds: AddressSanitizer may add an ODR indicator for each
# instrumented global, with the global's own linkage: __odr_asan.<global>
# (gcc) or __odr_asan_gen_<global> (clang with
# -fsanitize-address-use-odr-indicator, the default of newer versions).
# These two sanitizer-generated forms are accepted only when <global> itself
# passes the rules above; any other name, sanitizer-generated or not, is
# reported, so no real stray hides behind an instrumented build.
awk -v public="$tmp/public" -v members="$tmp/members" '
	BEGIN {
		while ((getline line < public) > 0)
			api[line] = 1
		while ((getline line < members) > 0) {
			member[++nmembers] = line
			times[line]++
		}
		at = 0
		cur = ""
	}
	# The member a line of nm -A belongs to, numbered when its name is
	# not unique (nm lists members in archive order).
	function which(name,    i) {
		if (name != cur) {
			cur = name
			while (at < nmembers && member[++at] != name)
				;
			seen[name]++
		}
		if (times[name] > 1)
			return sprintf("%s (member %d of %d with that name)", name, seen[name], times[name])
		return name
	}
	function ours(name) {
		return name ~ /^msidom__[A-Za-z0-9]/ || (name in api)
	}
	NF == 3 {
		n = split($1, path, ":")
		obj = which(path[n - 1])
		name = $3
		if (ours(name))
			next
		if (name ~ /^__odr_asan_gen_/ && ours(substr(name, 16)))
			next
		if (name ~ /^__odr_asan[.]/ && ours(substr(name, 12)))
			next
		if (name ~ /^msidom_[A-Za-z0-9]/)
			why = "internal name in the public msidom_ namespace (no MSIDOM_API declaration): rename it msidom__<part>_<name> or make it static"
		else
			why = "outside the msidom_ namespace: rename it msidom__<part>_<name> or make it static"
		printf "  %-36s %s %s: %s\n", name, $2, obj, why
		bad++
	}
	END { exit bad ? 1 : 0 }
' "$tmp/nm" >"$tmp/strays" || {
	echo "global symbols of ${archive##*/} that are not ours (name, type, object):"
	cat "$tmp/strays"
	fail "$(wc -l <"$tmp/strays") stray global symbol(s) in ${archive##*/}"
}

total=$(awk 'NF == 3' "$tmp/nm" | wc -l)
internal=$(awk 'NF == 3 && $3 ~ /^msidom__/' "$tmp/nm" | wc -l)
odr=$(awk 'NF == 3 && $3 ~ /^__odr_asan/' "$tmp/nm" | wc -l)
echo "symbols/archive: OK: ${archive##*/}: $total global symbols: $((total - internal - odr)) public msidom_*, $internal internal msidom__*, $odr sanitizer ODR indicators"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Suite 'symbols', test 'exports': what libmsidom.so exports is exactly the
# set of functions the public headers of this configuration declare with
# MSIDOM_API, every one of them versioned, and the version script
# (src/libmsidom.map) lists the same names, generated from the headers.
#
# usage: exports.sh LIBMSIDOM_SO MAP GEN_SYMBOLS HEADER...
#   HEADER...: the public headers this configuration installs
set -euo pipefail

fail() {
	echo "symbols/exports: FAIL: $*" >&2
	exit 1
}

[ "$#" -ge 4 ] || fail "usage: $0 LIBMSIDOM_SO MAP GEN_SYMBOLS HEADER..."
so=$1
map=$2
gen=$3
shift 3

for tool in nm python3; do
	command -v "$tool" >/dev/null 2>&1 || fail "'$tool' not found (run scripts/test.sh, it installs it)"
done
[ -n "$so" ] || fail "this configuration builds no shared library (default_library=static); the symbols suite needs default_library=both"
[ -f "$so" ] || fail "$so not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msidom-symbols.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

status=0
# The map: generated from every public header, whatever this build includes.
python3 "$gen" --check --map "$map" || status=1
python3 "$gen" --map-symbols --map "$map" >"$tmp/map"
python3 "$gen" >"$tmp/all"
python3 "$gen" --headers "$@" >"$tmp/declared"

# The exports, without the version node markers (absolute symbols named
# after the nodes) and without the @@NODE suffix.
nm -D --defined-only "$so" >"$tmp/nm"
awk '$2 == "A" && $3 ~ /^LIBMSIDOM_/ { print $3 }' "$tmp/nm" | sort >"$tmp/nodes"
awk '!($2 == "A" && $3 ~ /^LIBMSIDOM_/) { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" |
	LC_ALL=C sort >"$tmp/exported"
[ -s "$tmp/exported" ] || fail "$so exports nothing"

# show FILE TITLE: print a list of symbols under a title, and fail.
show() {
	if [ -s "$1" ]; then
		echo "$2:"
		sed 's/^/  /' "$1"
		status=1
	fi
}

LC_ALL=C comm -23 "$tmp/exported" "$tmp/declared" >"$tmp/extra"
LC_ALL=C comm -13 "$tmp/exported" "$tmp/declared" >"$tmp/missing"
show "$tmp/extra" "exported by ${so##*/} but declared MSIDOM_API in no public header"
show "$tmp/missing" "declared MSIDOM_API in a public header but not exported by ${so##*/}"

# Against the map: the map may list more than this build has only for the
# headers this configuration leaves out (a backend that is disabled).
LC_ALL=C comm -23 "$tmp/exported" "$tmp/map" >"$tmp/notmap"
LC_ALL=C comm -13 "$tmp/declared" "$tmp/all" >"$tmp/unbuilt"
LC_ALL=C comm -13 "$tmp/exported" "$tmp/map" | LC_ALL=C comm -23 - "$tmp/unbuilt" >"$tmp/mapextra"
show "$tmp/notmap" "exported by ${so##*/} but not listed in ${map##*/}"
show "$tmp/mapextra" "listed in ${map##*/} but not exported by ${so##*/}"

# Every export carries a version node of the map.
python3 - "$map" "$tmp/nodes" <<'PY' || status=1
import re, sys
text = re.sub(r'/\*.*?\*/', ' ', open(sys.argv[1]).read(), flags=re.S)
nodes = set(re.findall(r'([A-Za-z_][\w.]*)\s*\{', text))
seen = set(open(sys.argv[2]).read().split())
if seen != nodes:
    print("version nodes in the library: %s; in the map: %s"
          % (" ".join(sorted(seen)) or "none", " ".join(sorted(nodes)) or "none"))
    sys.exit(1)
PY
awk '$2 != "A" && $3 !~ /@@?LIBMSIDOM_/ { print $3 }' "$tmp/nm" >"$tmp/unversioned"
show "$tmp/unversioned" "exported without a LIBMSIDOM_ version"

[ "$status" -eq 0 ] || fail "the exports of ${so##*/} do not match the public headers (fix the header, or the code, then run scripts/gen-symbols.py --update)"
unbuilt=$(wc -l <"$tmp/unbuilt")
echo "symbols/exports: OK: ${so##*/} exports $(wc -l <"$tmp/exported") functions, exactly the MSIDOM_API declarations of its $# headers, all in $(paste -sd' ' "$tmp/nodes")"
[ "$unbuilt" -eq 0 ] || echo "($unbuilt functions of the map belong to parts this configuration leaves out)"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Quick start 2 (and CI, through .ci/run): configure build-ci from scratch
# with clang + AddressSanitizer + UndefinedBehaviorSanitizer, build with
# -Werror, compare the ABI with abi/libmsidom.abi (scripts/abi.sh, in its
# own gcc build), check the style, build the Doxygen docs (zero warnings),
# and run every meson test suite. Installs the Debian packages it lacks
# first. Exits non-zero on any failure, on an ABI change the baseline does
# not record, on any skipped test (one exception: kvm-delivery on a machine
# without a usable /dev/kvm, which says so in one line), and on a suite listed in
# tests/meson.build that registered no test (benchmark() suites are listed,
# not run: their figures mean nothing under the sanitizers).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."
# shellcheck source=scripts/packages.sh
. scripts/packages.sh

step() { printf '\n==> %s\n' "$*"; }

step "Debian packages"
msidom_ensure_packages "${MSIDOM_TEST_PACKAGES[@]}"

# Sanitizer reports must fail the test that triggers them, with a stack.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_stacktrace=1
export UBSAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_stacktrace=1
if command -v llvm-symbolizer >/dev/null 2>&1; then
	ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
	export ASAN_SYMBOLIZER_PATH
fi

builddir=build-ci
step "configure $builddir (clang, ASan+UBSan, -Werror)"
rm -rf "$builddir"
CC=clang meson setup "$builddir" \
	-Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true \
	-Dvfio=enabled -Dkvm=enabled -Dbaremetal=true -Dvmm=enabled \
	-Dtests=true -De2e=true -Dexamples=true -Ddocs=enabled

step "build"
ninja -C "$builddir"

# A failure here fails test.sh at the end; the suites still run.
step "ABI (abidiff against abi/libmsidom.abi)"
abi_rc=0
bash scripts/abi.sh </dev/null || abi_rc=1

step "style (clang-format --dry-run --Werror on every C file)"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

step "docs (Doxygen, warnings are errors)"
ninja -C "$builddir" docs

step "test: every suite"
meson introspect "$builddir" --tests >"$builddir/tests.json"
meson introspect "$builddir" --benchmarks >"$builddir/benchmarks.json"
rc=$abi_rc
meson test -C "$builddir" --print-errorlogs --num-processes 2 </dev/null || rc=1

step "summary"
# Per suite counts from meson's own log, and the checks meson does not do:
# a skip is a failure here (suites must not skip silently), and so is a
# suite that tests/meson.build lists but that registered no test.
python3 - "$builddir" tests/meson.build <<'EOF' || rc=1
import json, re, sys
from collections import OrderedDict

builddir, tests_meson = sys.argv[1], sys.argv[2]


def unqualified(suites):
    # meson qualifies suites as "project:suite"
    return [s.split(':', 1)[-1] for s in suites]


def load_lines(path):
    try:
        with open(path) as f:
            return [l for l in f.read().splitlines() if l.strip()]
    except OSError as e:
        print("error: %s" % e)
        sys.exit(1)


registered = set()
for t in json.loads("\n".join(load_lines(builddir + '/tests.json'))):
    registered.update(unqualified(t['suite']))
# benchmark() suites print figures and are not run under the sanitizers
benchmarks = set()
for t in json.loads("\n".join(load_lines(builddir + '/benchmarks.json'))):
    benchmarks.update(unqualified(t['suite']))
benchmarks -= registered

# The one skip allowed: the real-KVM delivery test on a machine without a
# usable /dev/kvm, identified by its name and by the line it prints.
KVM_SKIP_TEST = 'kvm-delivery'
KVM_SKIP_LINE = 'kvm-delivery: SKIPPED: no usable /dev/kvm'
kvm_skips = []

results = OrderedDict()
for line in load_lines(builddir + '/meson-logs/testlog.json'):
    r = json.loads(line)
    if r['result'] == 'SKIP' and r['name'].split(' / ', 1)[-1] == KVM_SKIP_TEST:
        said = [l for l in (r.get('stdout') or '').splitlines()
                if l.startswith(KVM_SKIP_LINE)]
        if said:
            kvm_skips.append(said[0])
            r['result'] = 'SKIP-NO-KVM'
    # meson 1.0 logs no suite field: the name is "project:s1+s2 / test"
    suites = r.get('suite') or \
        r['name'].split(' / ', 1)[0].split(':', 1)[-1].split('+')
    for s in unqualified(suites):
        counts = results.setdefault(s, OrderedDict())
        counts[r['result']] = counts.get(r['result'], 0) + 1

m = re.search(r"foreach\s+s\s*:\s*\[(.*?)\]", open(tests_meson).read(), re.S)
listed = re.findall(r"'([^']+)'", m.group(1)) if m else []

bad = False
total = OrderedDict()
print("suites run:")
for s, counts in results.items():
    print("  %-14s %s" % (s, ", ".join("%s %d" % kv for kv in counts.items())))
    bad = bad or any(k not in ('OK', 'EXPECTEDFAIL', 'SKIP-NO-KVM') for k in counts)
for s in sorted(benchmarks):
    print("  %-14s benchmark: figures below, from scripts/bench.sh (release build)" % s)
for s in listed:
    if s not in registered and s not in benchmarks:
        print("  %-14s MISSING: listed in tests/meson.build, no test registered" % s)
        bad = True
skips = sum(c.get('SKIP', 0) for c in results.values())
if skips:
    print("error: %d test(s) skipped; a suite must fail, not skip" % skips)
for l in kvm_skips:
    print("note: accepted skip: " + l)
passed = sum(c.get('OK', 0) + c.get('EXPECTEDFAIL', 0) for c in results.values())
failed = sum(n for c in results.values() for k, n in c.items()
             if k not in ('OK', 'EXPECTEDFAIL', 'SKIP-NO-KVM'))
with open(builddir + '/counts.txt', 'w') as f:
    f.write("%d %d\n" % (passed, failed))
sys.exit(1 if bad else 0)
EOF

# meson's own summary block (printed at the end of its run), on one line
if [ -f "$builddir/meson-logs/testlog.txt" ]; then
	summary=$(grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout):' \
		"$builddir/meson-logs/testlog.txt" | tr -s ' ' | sed 's/ *$//' | paste -sd ' ' -) || true
	echo "meson summary: ${summary:-none}"
fi

# The benchmark suite prints figures; under the sanitizers they would mean
# nothing, so it gets its own release build. It fails only if it breaks.
step "benchmark figures (suite bench: release build, callgrind)"
bash scripts/bench.sh </dev/null || rc=1

read -r passed failed <"$builddir/counts.txt" 2>/dev/null || { passed=0; failed=1; }
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo
if [ "$rc" -ne 0 ]; then
	[ "$abi_rc" -eq 0 ] || echo "test.sh: the ABI check failed (scripts/abi.sh, above)"
	echo "test.sh: FAILED (full logs: $builddir/meson-logs/testlog.txt)"
	echo "$passed passed, $failed failed"
	exit 1
fi
echo "test.sh: all suites passed"
echo "$passed passed, $failed failed"

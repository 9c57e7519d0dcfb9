#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run the core benchmark: ns from the binary itself, instructions from callgrind.

usage: bench.py BENCH_BINARY
Instruction counts are per operation, measured with --toggle-collect on the
phase function (loop overhead included), so they repeat run after run.
"""
import os
import re
import subprocess
import sys
import tempfile

ITERS_CG = 2000


def run(args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def callgrind(binary, phase, fn, live, iters):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=" + fn,
                        "--callgrind-out-file=" + out, binary, "--phase", phase,
                        "--live", str(live), "--iters", str(iters)],
                       check=True, capture_output=True, text=True)
        with open(out) as f:
            m = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
        return int(m.group(1)) / iters


def main():
    binary = sys.argv[1]
    print("libmsidom core benchmark: MSI-X device domain over a two-level parent")
    pair = {}
    for live in (64, 4096, 65536):
        ns = run([binary, "--phase", "pair", "--live", str(live), "--iters", "200000"]).strip()
        pair[live] = callgrind(binary, "pair", "phase_pair", live, ITERS_CG)
        print(f"  alloc-at-ANY + free, {live:5d} live: {ns.split(', ')[1]}; "
              f"{pair[live]:.0f} instructions per pair")
    # msidom_handle's inclusive count less the handler's own: the library's
    # cost per dispatch, the indirect call and return included.
    disp = callgrind(binary, "dispatch", "msidom_handle", 4096, 100000)
    hand = callgrind(binary, "dispatch", "on_irq", 4096, 100000)
    ns = run([binary, "--phase", "dispatch", "--live", "4096", "--iters", "10000000"]).strip()
    print(f"  dispatch: {ns.split(': ')[1]}; {disp:.1f} instructions per msidom_handle "
          f"with its handler, {hand:.1f} in the handler: {disp - hand:.1f} beyond the "
          f"handler call")
    mem = run([binary, "--phase", "memory", "--live", "65536"]).strip()
    print("  " + mem)
    ratio = pair[65536] / pair[64]
    print(f"  pair cost 65536 live / 64 live: {ratio:.2f}x")


if __name__ == "__main__":
    main()

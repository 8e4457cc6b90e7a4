"""Fuzz accelsim's input boundary: >= 100,000 random valid and invalid cases (architectures as dicts,
YAML and JSON text, with_field edits, kernels, models, simulate / decode_step arguments, sweep specs,
accelsim.sweep arguments, damaged sweep checkpoints; a share of them simulate small kernels or run small
sweeps).  Every case must end in a result or a ConfigError naming the field.

    python benchmarks/fuzz.py [--cases 100000] [--seed 0]

Prints the count per kind and outcome, every failure (kind, case index, seed: rerun one with
--only KIND --start INDEX --cases 1), and the time.  Exit status 1 if any case failed, 3 on a hang (a case
running longer than --case-timeout: its index and every thread's stack are printed).
"""

from __future__ import annotations

import argparse
import collections
import faulthandler
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

import _installed  # noqa: E402,F401 - a clear message when accelsim is not installed
import fuzz_cases  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--only", choices=sorted(fuzz_cases.KINDS))
    ap.add_argument("--case-timeout", type=float, default=120.0,
                    help="a case running longer is a hang: print it and every thread's stack, exit 3 (default 120 s)")
    args = ap.parse_args()
    current: list = [None, 0.0]  # (kind, index), start time

    def watchdog() -> None:  # a Python thread: runs while the core holds no GIL, so it sees hangs in C++ too
        while True:
            time.sleep(1.0)
            case, t0 = current
            if case is not None and time.perf_counter() - t0 > args.case_timeout:
                print(f"HANG {case[0]} case {case[1]} (seed {args.seed}): over {args.case_timeout:g} s; rerun with "
                      f"--only {case[0]} --start {case[1]} --cases 1", flush=True)
                faulthandler.dump_traceback(file=sys.stdout, all_threads=True)
                sys.stdout.flush()
                os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    kinds = list(fuzz_cases.WEIGHTS)
    weights = [fuzz_cases.WEIGHTS[k] for k in kinds]
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    failures = []
    t0 = time.perf_counter()
    for i in range(args.start, args.start + args.cases):
        r = random.Random(args.seed * 1_000_003 + i)
        drawn = r.choices(kinds, weights)[0]  # always drawn, so that --only K --start I replays case I of a mixed run
        kind = args.only or drawn
        current[:] = [(kind, i), time.perf_counter()]
        try:
            outcome = fuzz_cases.run_case(kind, r)
        except fuzz_cases.FuzzFailure as e:
            outcome = "FAILED"
            failures.append((kind, i, str(e)))
            if len(failures) <= 20 or os.environ.get("FUZZ_VERBOSE"):
                print(f"FAILED {kind} case {i} (seed {args.seed}): {e}", flush=True)
        counts[(kind, outcome)] += 1
    dt = time.perf_counter() - t0
    print(f"{'kind':12s} {'ok':>8s} {'ConfigError':>12s} {'FAILED':>8s}")
    for k in kinds:
        print(f"{k:12s} {counts[(k, 'ok')]:8d} {counts[(k, 'config_error')]:12d} {counts[(k, 'FAILED')]:8d}")
    n = sum(counts.values())
    print(f"cases: {n}  failures: {len(failures)}  time: {dt:.1f} s  ({n / dt:.0f} cases/s)  seed: {args.seed}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""A worker dies mid-sweep: how many of 200 points come back?  accelsim's LocalExecutor and DaskExecutor vs
the stdlib ProcessPoolExecutor (chunksize 5), each given the same poisoned point (os._exit in the worker).

    python benchmarks/crash_recovery.py [--skip-dask]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
from accelsim.explore.executors import DaskExecutor, LocalExecutor, TaskFailed  # noqa: E402

N, POISON = 200, 57


def point(x: int) -> int:
    """~10 ms of work; the poisoned point kills its process."""
    if x == POISON:
        os._exit(1)
    t = time.perf_counter()
    while time.perf_counter() - t < 0.01:
        pass
    return x


def stdlib() -> None:
    t0 = time.perf_counter()
    got = 0
    try:
        with cf.ProcessPoolExecutor(2) as pool:
            for _ in pool.map(point, range(N), chunksize=5):
                got += 1
    except cf.process.BrokenProcessPool as e:
        print(f"stdlib ProcessPoolExecutor: {got} of {N} points returned, then {type(e).__name__} "
              f"({time.perf_counter() - t0:.2f} s)")


def ours(ex, label: str) -> None:
    t0 = time.perf_counter()
    ok = failed = 0
    for _, r in ex.imap_unordered(point, list(range(N))):
        if isinstance(r, TaskFailed):
            failed += 1
            why = r.reason
        else:
            ok += 1
    print(f"{label}: {ok} ok + {failed} failed of {N} ({why}) in {time.perf_counter() - t0:.2f} s"
          + (f"; {ex.crashes} worker deaths, {ex.restarts} restarts" if hasattr(ex, "crashes") else ""))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-dask", action="store_true")
    a = ap.parse_args()
    import crash_recovery  # noqa: F401, PLC0415 - so `point` pickles by module name in the workers

    fn = sys.modules["crash_recovery"].point
    globals()["point"] = fn
    stdlib()
    with LocalExecutor(2) as ex:
        ours(ex, "accelsim LocalExecutor(2)")
    if not a.skip_dask:
        ex = DaskExecutor(workers=2)
        try:
            ours(ex, "accelsim DaskExecutor(2 local workers)")
        finally:
            ex.close()

"""Sweep throughput: points/s serially, on the local pool with 1 and 2 workers, on a local Dask cluster
(with Dask's MALLOC_TRIM_THRESHOLD_=65536 and with glibc's own threshold), and a 10,000-point GEMV-level
sweep on the local pool.

    python benchmarks/sweep_speed.py [--points 400] [--big 10000] [--skip-dask]

Every design point is a distinct machine (a different DRAM pin rate / stack count / SM count), so no
simulation is served from a cache; the workload is one bf16 GEMV simulated at fast fidelity.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import zlib


import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim  # noqa: E402
from accelsim.explore.executors import DaskExecutor, LocalExecutor, SerialExecutor, ThreadExecutor  # noqa: E402
from accelsim.explore.sweep import Uniform, sweep  # noqa: E402


def axes_for() -> dict:
    return {"dram.data_rate_gbps": Uniform(4.0, 9.6), "dram.stacks": [4, 5, 6], "compute.units": Uniform(64, 160, integer=True)}


def run(label: str, executor, n: int, gemv, fidelity: str) -> float:
    samples = max(1, n // 3)
    t0 = time.perf_counter()
    df = sweep("h100-sxm", axes_for(), [gemv], executor=executor, progress=False, samples=samples, method="random",
               seed=zlib.crc32(label.encode()) % 1000, fidelity=fidelity)
    wall = time.perf_counter() - t0
    ok = (df["status"] == "ok").sum()
    rate = len(df) / wall
    print(f"{label:38s} {len(df):6d} points ({ok} ok) in {wall:7.2f} s = {rate:7.1f} points/s", flush=True)
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=300)
    ap.add_argument("--big", type=int, default=10000)
    ap.add_argument("--n", type=int, default=2048, help="GEMV n = k")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--fidelity", default="fast")
    a = ap.parse_args()
    gemv = accelsim.Gemv(m=1, n=a.n, k=a.n, dtype="bf16", name=f"gemv{a.n}")
    print(f"workload: {gemv.name} (1 x {a.n} x {a.n} bf16), fidelity {a.fidelity}, cores {os.cpu_count()}")
    run("serial (in process)", SerialExecutor(), a.points, gemv, a.fidelity)
    for w in (1, 2):
        with LocalExecutor(w) as ex:
            run(f"local pool, {w} worker(s)", ex, a.points, gemv, a.fidelity)
    run("threads (opt-in), 2", ThreadExecutor(2), a.points, gemv, a.fidelity)
    if not a.skip_dask:
        for trim, label in ((None, "Dask default MALLOC_TRIM_THRESHOLD_=65536"), ("glibc", "glibc's own trim threshold")):
            t0 = time.perf_counter()
            ex = DaskExecutor(workers=2, malloc_trim_threshold=trim)
            print(f"  (local Dask cluster up in {time.perf_counter() - t0:.2f} s)")
            try:
                run(f"dask 2 workers, {label}", ex, a.points, gemv, a.fidelity)
            finally:
                ex.close()
    if a.big:
        with LocalExecutor(2) as ex:
            run(f"local pool, 2 workers, {a.big} points", ex, a.big, gemv, a.fidelity)


if __name__ == "__main__":
    main()

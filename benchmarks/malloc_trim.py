"""CPU time per design point on Dask workers with Dask's MALLOC_TRIM_THRESHOLD_=65536 vs glibc's own
adaptive threshold (what accelsim's DaskExecutor uses for the clusters it starts).

    python benchmarks/malloc_trim.py [--points 120] [--rounds 2]

CPU time (process_time in the worker), not wall time, so other load on the machine matters less.  The
settings alternate over rounds; every point is a distinct machine (no cache hits).
"""

from __future__ import annotations

import argparse
import os
import sys
import time


import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim  # noqa: E402
from accelsim.explore.executors import DaskExecutor  # noqa: E402
from accelsim.explore.sweep import DecodeWorkload, evaluate  # noqa: E402


def cpu_of(tasks: list) -> tuple[float, int, str]:
    t0 = time.process_time()
    for t in tasks:
        evaluate(t)
    return time.process_time() - t0, len(tasks), os.environ.get("MALLOC_TRIM_THRESHOLD_", "<unset>")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", choices=("dask", "glibc"))
    ap.add_argument("--workload", default="")
    ap.add_argument("--round", type=int, default=0)
    a = ap.parse_args()
    base = accelsim.presets.load("h100-sxm")
    workloads = {
        "gemv 1x2048x2048 fast": (accelsim.Gemv(m=1, n=2048, k=2048), "fast"),
        "llama-3-8b decode b8 s2048 roofline": (DecodeWorkload("llama-3-8b", batch=8, context=2048), "roofline"),
    }
    if a.only is not None:
        trim = None if a.only == "dask" else "glibc"
        w, fid = workloads[a.workload]
        r = a.round
        if True:
            if True:
                # fresh machines each round and setting: nothing is cached in the workers
                tasks = [(base.with_field("dram.data_rate_gbps", 4.0 + 0.001 * (i + 1000 * r) + (0.0005 if trim else 0)),
                          w, fid) for i in range(a.points)]
                ex = DaskExecutor(workers=2, malloc_trim_threshold=trim)
                try:
                    half = len(tasks) // 2
                    futs = [ex.client.submit(cpu_of, tasks[:half], pure=False), ex.client.submit(cpu_of, tasks[half:], pure=False)]
                    out = ex.client.gather(futs)
                finally:
                    ex.close()
                cpu = sum(o[0] for o in out)
                n = sum(o[1] for o in out)
                env = out[0][2]
                print(f"{env} {cpu / n * 1e3:.4f}")
        return
    # each setting in a fresh process: a LocalCluster's nannies copy their environment into the process
    # that runs them, so one process cannot compare the two
    import subprocess  # noqa: PLC0415

    env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    for wname in workloads:
        results: dict[str, list[float]] = {}
        for r in range(a.rounds):
            for only in ("dask", "glibc"):
                out = subprocess.run([sys.executable, __file__, "--only", only, "--workload", wname, "--round", str(r),
                                      "--points", str(a.points)], env=env, capture_output=True, text=True, check=True)
                trim, ms = out.stdout.split()[-2:]
                results.setdefault(f"MALLOC_TRIM_THRESHOLD_={trim}", []).append(float(ms))
        print(wname)
        for k, v in results.items():
            print(f"  {k:36s} CPU ms/point: " + ", ".join(f"{x:.2f}" for x in v) + f"  (mean {sum(v) / len(v):.2f})")


if __name__ == "__main__":
    main()

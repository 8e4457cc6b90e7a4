"""Thread stress test: THREADS threads x PER_THREAD random simulations, every result compared bit for bit
with the same simulation run on one thread (simulate()'s cache bypassed, so every call runs the core).

    python benchmarks/stress_threads.py [--threads 8] [--per-thread 200] [--seed 0]

Prints the count, mismatches (must be 0), the serial and threaded wall times.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
import time

_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
sys.path[:0] = [os.path.join(_TESTS, "engine"), _TESTS]  # test_hardening's random jobs, and the fuzz cases it uses

import random  # noqa: E402

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim  # noqa: E402
from test_hardening import random_jobs, simulate_uncached  # noqa: E402


def heavy_jobs(n: int, seed: int) -> list[tuple]:
    """Decode-sized kernels on the presets (milliseconds of core time each, so threads overlap in C++)."""
    rng = random.Random(seed)
    archs = [accelsim.presets.load(p) for p in accelsim.presets.names()]
    jobs = []
    for _ in range(n):
        if rng.random() < 0.6:
            k = accelsim.Gemv(m=rng.choice([1, 2, 4, 8, 16]), n=rng.choice([1024, 2048, 4096, 8192]),
                              k=rng.choice([1024, 2048, 4096, 8192]), weight_dtype=rng.choice(["bf16", "fp8", "int4"]))
        else:
            kv = rng.choice([1, 4, 8])
            k = accelsim.DecodeAttention(batch=rng.choice([1, 4, 16]), q_heads=kv * rng.choice([1, 4, 8]), kv_heads=kv,
                                         head_dim=128, context=rng.choice([512, 2048, 8192]))
        jobs.append((rng.choice(archs), k, "fast"))
    return jobs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--per-thread", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--heavy", action="store_true", help="decode-sized kernels on the presets instead of random small ones")
    a = ap.parse_args()
    n = a.threads * a.per_thread
    jobs = heavy_jobs(n, a.seed) if a.heavy else random_jobs(n, a.seed)
    t0 = time.perf_counter()
    serial = [simulate_uncached(j) for j in jobs]
    t1 = time.perf_counter()
    with cf.ThreadPoolExecutor(max_workers=a.threads) as pool:
        # each thread takes a contiguous share, in reverse order, so that threads overlap on different jobs
        chunks = [jobs[i::a.threads][::-1] for i in range(a.threads)]
        outs = list(pool.map(lambda c: [simulate_uncached(j) for j in c], chunks))
    t2 = time.perf_counter()
    threaded = [None] * n
    for i, out in enumerate(outs):
        for pos, r in zip(range(i, n, a.threads)[::-1], out):
            threaded[pos] = r
    bad = sum(1 for x, y in zip(serial, threaded) if x != y)
    fid = {f: sum(1 for j in jobs if j[2] == f) for f in ("fast", "detailed", "roofline")}
    errs = sum(1 for r in serial if isinstance(r, tuple))
    print(f"{a.threads} threads x {a.per_thread} simulations = {n} ({fid}; {errs} end in ConfigError)")
    print(f"mismatches vs one thread: {bad}")
    print(f"serial {t1 - t0:.1f} s, threaded {t2 - t1:.1f} s on {os.cpu_count()} CPUs "
          f"(speed-up {(t1 - t0) / (t2 - t1):.2f}x)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""Bounded memory: (1) a 1,000,000-kernel list of a few distinct kinds, (2) RSS after N and 10N repeated
simulations with the cache cleared each time (a leak in the core or the bindings shows as growth).

    python benchmarks/bounded_memory.py [--kernels 1000000] [--repeats 300]
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=300)
    a = ap.parse_args()
    arch = accelsim.presets.load("h100-sxm")
    kinds = [accelsim.Gemv(m=1, n=4096, k=4096), accelsim.Gemv(m=1, n=14336, k=4096),
             accelsim.Elementwise(n_elements=4096, reads=2), accelsim.DecodeAttention(
                 batch=1, q_heads=32, kv_heads=8, head_dim=128, context=4096)]
    r0 = rss_mb()
    ks = [kinds[i % len(kinds)] for i in range(a.kernels)]
    r1 = rss_mb()
    tracemalloc.start()
    t = time.perf_counter()
    res = accelsim.simulate(arch, ks)
    dt = time.perf_counter() - t
    total = res.time_s
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    r2 = rss_mb()
    print(f"{a.kernels} kernels ({len(kinds)} distinct): {dt:.2f} s, total {total * 1e3:.1f} ms simulated; "
          f"list {r1 - r0:.1f} MB, simulate peak {peak / 2**20:.1f} MB traced "
          f"({peak / a.kernels:.1f} B/kernel), RSS +{r2 - r1:.1f} MB")
    del res, ks

    def batch(n: int) -> None:
        for i in range(n):
            accelsim.clear_cache()
            accelsim.simulate(arch, [accelsim.Gemv(m=1 + i % 3, n=512 + 64 * (i % 5), k=1024),
                                     accelsim.DecodeAttention(batch=1, q_heads=8, kv_heads=8, head_dim=64,
                                                              context=100 + i % 7)], fidelity="fast")
            accelsim.simulate(arch, accelsim.Gemv(m=1, n=256, k=256), fidelity="detailed")

    batch(a.repeats // 3)
    m0 = rss_mb()
    t = time.perf_counter()
    batch(a.repeats)
    m1 = rss_mb()
    batch(10 * a.repeats)
    m2 = rss_mb()
    print(f"repeated simulations (cache cleared each time): RSS {m0:.1f} MB -> {m1:.1f} MB after {a.repeats} "
          f"-> {m2:.1f} MB after {11 * a.repeats} more ({time.perf_counter() - t:.1f} s); "
          f"growth per 1000 simulations over the last {10 * a.repeats}: {(m2 - m1) / (10 * a.repeats) * 1000:.3f} MB")


if __name__ == "__main__":
    main()

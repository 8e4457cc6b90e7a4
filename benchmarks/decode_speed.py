"""Wall time of decode_step (fast fidelity, simulation cache cleared before each call) and of simulating
1,000 distinct kernels. Prints medians over --repeat runs.

    python benchmarks/decode_speed.py [--repeat 3]

Targets (issue §6): any decode_step in fast mode <= 0.5 s; 1,000 distinct kernels <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim



def _clear() -> None:
    accelsim.clear_cache()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--context", type=int, default=4096)
    args = ap.parse_args()
    h100 = accelsim.presets.load("h100-sxm")
    h200 = accelsim.presets.load("h200")
    # 405B in fp8 (~406 GB) and DeepSeek-V3 in fp8 (~671 GB) fit no single GPU: an 8x-capacity H200
    big = h200.with_field("dram.capacity_bytes_per_stack", 8 * h200.dram.capacity_bytes_per_stack)
    big_name = "h200 8x cap"
    cases = [
        ("llama-3-8b", h100, "h100-sxm", "bf16", "bf16"),
        ("llama-3-70b", h200, "h200", "fp8", "fp8"),  # fp8 KV so batch 64 x 4K fits 141 GB
        ("llama-3-405b", big, big_name, "fp8", "bf16"),
        ("mixtral-8x7b", h200, "h200", "bf16", "bf16"),
        ("deepseek-v3", big, big_name, "fp8", "bf16"),
    ]
    print(f"accelsim {accelsim.__version__}, {os.cpu_count()} CPUs, context {args.context}, fidelity fast, "
          f"median of {args.repeat} (cache cleared before each call)")
    print(f"{'model':14s} {'machine':12s} {'weights':>7s} {'KV':>5s} {'batch':>5s} {'kinds':>5s} {'launches':>8s} "
          f"{'step ms':>9s} {'wall s':>7s}  {'<=0.5 s':>7s}")
    for model, arch, aname, wd, kvd in cases:
        for batch in (1, 64):
            walls = []
            for _ in range(args.repeat):
                _clear()
                t0 = time.perf_counter()
                s = accelsim.decode_step(arch, model, batch=batch, context=args.context, weight_dtype=wd, kv_dtype=kvd)
                walls.append(time.perf_counter() - t0)
            w = statistics.median(walls)
            step = f"{s.time_s * 1e3:9.3f}" if s.feasible else f"{'infeas.':>9s}"
            print(f"{model:14s} {aname:12s} {wd:>7s} {kvd:>5s} {batch:5d} {len(s.kernels):5d} {s.n_kernels:8d} "
                  f"{step} {w:7.3f}  {'yes' if w <= 0.5 else 'NO':>7s}", flush=True)

    # 1,000 distinct kernels: GEMVs m=1, k=4096, n = 1024 + 8*i (distinct shapes, 8..48 MB of weights each)
    kernels = [accelsim.Gemv(m=1, n=1024 + 8 * i, k=4096, dtype="bf16") for i in range(1000)]
    walls = []
    for _ in range(args.repeat):
        _clear()
        t0 = time.perf_counter()
        r = accelsim.simulate(h100, kernels)
        walls.append(time.perf_counter() - t0)
    w = statistics.median(walls)
    print(f"\n1,000 distinct Gemv(m=1, n=1024..9016, k=4096, bf16) on h100-sxm: simulated {r.time_s * 1e3:.2f} ms, "
          f"wall {w:.2f} s (median of {args.repeat}) {'<= 10 s' if w <= 10 else '> 10 s: MISSES the target'}")
    _clear()
    t0 = time.perf_counter()
    accelsim.simulate(h100, kernels)
    t1 = time.perf_counter()
    accelsim.simulate(h100, kernels)
    print(f"same list again, all cached: {(time.perf_counter() - t1) * 1e3:.2f} ms (first pass {t1 - t0:.2f} s)")


if __name__ == "__main__":
    main()

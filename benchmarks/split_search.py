"""How close the tuned split-KV search comes to the engine's best split, and what it costs (no asserts).

    python benchmarks/split_search.py [--cases 300] [--seed 0] [--top 9]

Draws random decode attentions (presets without near-memory units or flash, six head shapes, batch 1-64,
context 1-40,000) and, for each, simulates (fast) the split count DecodeAttention(split_kv="tuned") picks
and, one by one, the ``--top`` counts its estimate ranks best, and flash-attention's count. Prints how far the
tuned pick is from the best of those, how far flash-attention's is, and the DRAM requests each simulates.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim.engine.planner import run, simulated_requests
from accelsim.workload.kernels import DecodeAttention

SHAPES = [(8, 1, 128), (32, 8, 128), (8, 4, 256), (16, 16, 64), (128, 1, 576), (64, 8, 128)]
BATCHES = [1, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48, 64]


def draw(rng: random.Random, names: list[str]) -> tuple[str, DecodeAttention]:
    name = rng.choice(names)
    hq, hkv, hd = rng.choice(SHAPES)
    c = rng.choice([rng.randint(1, 512), rng.randint(512, 8192), rng.randint(8192, 40000),
                    rng.choice([2048, 4096, 8192, 16384, 32768])])
    return name, DecodeAttention(batch=rng.choice(BATCHES), q_heads=hq, kv_heads=hkv, head_dim=hd, context=c)


def time_ps(arch: accelsim.Architecture, descs: list) -> int:
    return sum(r["time_ps"] for r in run(arch, descs, "fast"))


def pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] * 100


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--top", type=int, default=9, help="the best-ranked split counts simulated one by one")
    args = ap.parse_args()
    names = [n for n in accelsim.presets.names()
             if accelsim.presets.load(n).near_memory is None and accelsim.presets.load(n).hbf is None]
    rng = random.Random(args.seed)
    tuned_gap, fa_gap, req_tuned, req_fa, req_top, sims = [], [], 0.0, 0.0, 0.0, []
    n = refused = 0
    while n < args.cases:
        name, k = draw(rng, names)
        arch = accelsim.presets.load(name)
        try:
            opts = k.candidates(arch, prune=True)
            tuned = min(time_ps(arch, d) for d in opts)
            fa = dataclasses.replace(k, split_kv="flash-attention")
            (fa_descs,) = fa.candidates(arch, prune=True)
            t_fa = time_ps(arch, fa_descs)
            top = [k.tiling(arch, s) for s in k.split_counts(arch)[:args.top]]
            best = min([tuned, t_fa] + [time_ps(arch, d) for d in top])
        except accelsim.ConfigError:
            refused += 1
            continue
        n += 1
        tuned_gap.append(tuned / best - 1)
        fa_gap.append(t_fa / best - 1)
        sims.append(len(opts))
        req_tuned += sum(simulated_requests(arch, d) for d in opts)
        req_fa += simulated_requests(arch, fa_descs)
        req_top += sum(simulated_requests(arch, d) for d in top)
    print(f"accelsim {accelsim.__version__}: {n} random decode attentions (seed {args.seed}; {refused} refused "
          f"drawn again), fast; 'best': the fastest of the tuned pick, flash-attention's and the {args.top} "
          f"best-ranked split counts\n")
    print(f"{'policy':16s} {'= best':>7s} {'> 0.5%':>7s} {'> 1%':>6s} {'> 2%':>6s} {'p90':>6s} {'max':>7s} "
          f"{'requests':>9s}")
    for label, gaps, req in (("tuned", tuned_gap, req_tuned), ("flash-attention", fa_gap, req_fa)):
        print(f"{label:16s} {sum(g < 1e-12 for g in gaps):7d} {sum(g > 0.005 for g in gaps):7d} "
              f"{sum(g > 0.01 for g in gaps):6d} {sum(g > 0.02 for g in gaps):6d} {pct(gaps, 0.9):5.1f}% "
              f"{max(gaps) * 100:6.1f}% {req / 1e6:8.2f}M")
    print(f"\ntuned: {statistics.mean(sims):.2f} split counts simulated per kernel (1: {sims.count(1)}, "
          f"2: {sims.count(2)}, 3: {sims.count(3)}); the {args.top} best-ranked one by one: "
          f"{req_top / 1e6:.2f}M requests. Gaps: time / best - 1.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

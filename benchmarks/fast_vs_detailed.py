"""Every calibration GEMV (tests/data/h100_sxm_decode_kernels.json) on h100-sxm: fast vs detailed time.

Run: python benchmarks/fast_vs_detailed.py [--threads N]   (several minutes)
Relative difference = (fast - detailed) / detailed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import pathlib
import statistics
import sys
import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim

DATA = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "h100_sxm_decode_kernels.json"
DTYPE = {"fp8e4m3": "fp8"}


def main() -> None:
    ap = argparse.ArgumentParser()
    # the default is 1: on small VMs the vCPUs are siblings and a second thread gives no throughput
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-mb", type=float, default=None,
                    help="only GEMVs whose weights are at most this many MB (detailed runs ~1M bursts/s)")
    args = ap.parse_args()
    arch = accelsim.presets.load("h100-sxm")
    rows = json.loads(DATA.read_text())["gemv"]
    if args.max_mb is not None:
        wbytes = {"bf16": 2, "fp8e4m3": 1}
        rows = [g for g in rows if g["N"] * g["K"] * wbytes.get(g["dtype"], 2) <= args.max_mb * 1e6]
    t0 = time.perf_counter()

    def one(i_g):
        i, g = i_g
        k = accelsim.Gemv(m=g["M"], n=g["N"], k=g["K"], dtype=DTYPE.get(g["dtype"], g["dtype"]))
        f = accelsim.simulate(arch, k, fidelity="fast").time_s
        d = accelsim.simulate(arch, k, fidelity="detailed").time_s
        return i, g, f, d

    # biggest first so the pool ends evenly
    order = sorted(enumerate(rows), key=lambda ig: -ig[1]["N"] * ig[1]["K"] * (1 + ig[1]["M"] / 256))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as ex:
        futs = [ex.submit(one, ig) for ig in order]
        for n, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            i, g, f, d = fut.result()
            results[i] = (g, f, d)
            print(f"  [{n:3d}/{len(rows)}] {time.perf_counter() - t0:7.1f} s  {g['shape']} {g['dtype']} M={g['M']}: "
                  f"fast {f * 1e6:.2f} us, detailed {d * 1e6:.2f} us, {(f - d) / d * 100:+.2f}%",
                  file=sys.stderr, flush=True)

    print(f"{'shape':12s} {'dtype':8s} {'M':>5s} {'N':>7s} {'K':>6s} {'fast_us':>10s} {'detail_us':>10s} "
          f"{'rel%':>8s} {'meas_us':>9s}")
    rels = []
    for i in range(len(rows)):
        g, f, d = results[i]
        rel = (f - d) / d
        rels.append((abs(rel), rel, g))
        print(f"{g['shape']:12s} {g['dtype']:8s} {g['M']:5d} {g['N']:7d} {g['K']:6d} {f * 1e6:10.2f} {d * 1e6:10.2f} "
              f"{rel * 100:+8.2f} {g['us']:9.2f}")
    absr = [a for a, _, _ in rels]
    worst = max(rels, key=lambda x: x[0])
    n3 = sum(a > 0.03 for a in absr)
    print()
    print(f"kernels: {len(rels)}   |rel| median {statistics.median(absr) * 100:.2f}%   max {worst[0] * 100:.2f}% "
          f"({worst[2]['shape']} {worst[2]['dtype']} M={worst[2]['M']}, {worst[1] * 100:+.2f}%)   "
          f"signed median {statistics.median(r for _, r, _ in rels) * 100:+.2f}%   over 3%: {n3}/{len(rels)}")
    print(f"wall {time.perf_counter() - t0:.1f} s with {args.threads} thread(s)")


if __name__ == "__main__":
    main()

"""How far `fast`'s shortening of long kernels (simulate._plan: the whole kernel on a slice of the machine,
or truncated runs extrapolated) lands from simulating the whole kernel on the whole machine.

For every calibration GEMV (its top-ranked tiling) and decode-attention case that `fast` shortens, and a
sweep of other GEMVs (every tiling; tile counts leaving partial last waves of every size): its time
against the whole-machine, untruncated simulation (same fidelity). Prints the median and max |error| per
family and the worst cases with how each was shortened (slice: whole kernel on the slice; tiles / bytes:
truncated in count / length). The untruncated times are cached in --cache (default: none).
Run: python benchmarks/truncation_error.py
"""
import argparse
import json
import os
import pathlib
import statistics
import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim.engine.core import run_flat

from accelsim.engine import core, planner
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--cache", default="")
args = ap.parse_args()
H = accelsim.presets.load("h100-sxm")
md = core.machine_dict(H)
D = json.loads((pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "h100_sxm_decode_kernels.json").read_text())
descs = []
for g in D["gemv"]:
    k = accelsim.Gemv(m=g["M"], n=g["N"], k=g["K"], dtype={"fp8e4m3": "fp8"}.get(g["dtype"], g["dtype"]))
    descs.append(("gemv", k.candidates(H, prune=True)[0][0]))
for a in D["attention"]:
    if a["backend"] != "default":
        continue
    k = accelsim.DecodeAttention(batch=a["B"], q_heads=a["Hq"], kv_heads=a["Hkv"], head_dim=a["D"], context=a["S"])
    descs.append(("attention", k.lower(H)[0]))
# off the calibration set: tile counts that leave a partial last wave of every size (n steps of 320 rows),
# and a few M (every tiling of each, as simulate() may pick any)
for m in (1, 32, 256):
    for n in range(8192, 24576, 320 if m == 1 else 960):
        for c in accelsim.Gemv(m=m, n=n, k=8192).candidates(H, prune=True):
            descs.append(("gemv sweep", c[0]))
seen, uniq = set(), []
for f, d in descs:
    key = json.dumps(d, sort_keys=True)
    if planner.plan(H, d) is not None and key not in seen:  # the ones `fast` truncates
        seen.add(key)
        uniq.append((f, d, key))
cache = json.loads(pathlib.Path(args.cache).read_text()) if args.cache and os.path.exists(args.cache) else {}
t0 = time.time()
for f, d, key in uniq:
    if key not in cache:
        cache[key] = run_flat(md, [d], "fast")[0]["time_ps"]
if args.cache:
    pathlib.Path(args.cache).write_text(json.dumps(cache))
print(f"untruncated: {time.time() - t0:.1f} s")
rows = []
for f, d, key in uniq:
    p = planner.plan(H, d)
    est = planner.run(H, [d], "fast")[0]["time_ps"]
    wave = H.compute.units * d["tiles_per_unit"]
    rows.append((est / cache[key] - 1, f, p[0] if p else "-", d["n_tiles"] / wave, d["tile_read_bytes"]))
for fam in ("gemv", "attention", "gemv sweep"):
    e = [r[0] for r in rows if r[1] == fam]
    a = [abs(x) for x in e]
    print(f"{fam:10s} n={len(e):3d}  median |err| {statistics.median(a):.2%}  max {max(a):.2%}  signed median {statistics.median(e):+.2%}")
print("worst:")
for r in sorted(rows, key=lambda r: -abs(r[0]))[:8]:
    print(f"  {r[0]:+.2%} {r[1]:10s} cut={r[2]:5s} waves={r[3]:.2f} tile={r[4]} B")
print(f"wall {time.time() - t0:.1f} s")

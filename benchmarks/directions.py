"""The paper's argument, quantified (issue 4, section 7): Llama-3-70B, Mixtral-8x7B and Llama-3-405B decode at batch
1/16/64 and context 4K/128K (fp8 weights, fp8 KV cache) on an HBM3e baseline (h200) and the direction
designs (h200-pnm, h200-pim, h200-hbf, stacked3d). Prints a markdown table of tokens/s, capacity
feasibility, where the time goes (the share of the step spent in offloaded / flash-fed kernels) and,
when the energy model is present (``DecodeStepResult.energy_j``), J/token. Writes directions.json and,
when matplotlib is installed, directions.png.

    PYTHONPATH=python python3 benchmarks/directions.py [--models llama-3-70b mixtral-8x7b] [--out directions.png]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import accelsim

DESIGNS = ("h200", "h200-pnm", "h200-pim", "h200-hbf", "stacked3d")
LABELS = {"h200": "HBM3e (h200)", "h200-pnm": "PNM", "h200-pim": "PIM (bank)", "h200-hbf": "HBF+HBM",
          "stacked3d": "3D-stacked"}
BATCHES = (1, 16, 64)
CONTEXTS = (4096, 131072)
MODELS = ("llama-3-70b", "mixtral-8x7b", "llama-3-405b")


def _j_per_token(s: accelsim.DecodeStepResult) -> float | None:
    e = getattr(s, "energy_j", None)  # the energy model (issue 4, other half) when merged
    if e is None or not s.feasible:
        return None
    total = e if isinstance(e, (int, float)) else getattr(e, "total_j", None)
    return total / s.batch if total is not None else None


def run(models: tuple[str, ...] = MODELS) -> list[dict]:
    archs = {d: accelsim.presets.load(d) for d in DESIGNS}
    rows = []
    for model in models:
        for c in CONTEXTS:
            for b in BATCHES:
                for d in DESIGNS:
                    t0 = time.perf_counter()
                    s = accelsim.decode_step(archs[d], model, batch=b, context=c, weight_dtype="fp8", kv_dtype="fp8")
                    off = sum(r.time_s * n for r, n in s.kernels if r.placement != "host")
                    rows.append(dict(model=model, design=d, batch=b, context=c, feasible=s.feasible, reason=s.reason,
                                     tokens_per_s=s.tokens_per_s, step_ms=s.time_s * 1e3 if s.feasible else None,
                                     offloaded_share=off / s.time_s if s.feasible else None,
                                     j_per_token=_j_per_token(s),
                                     weight_gb=s.weight_bytes / 1e9, kv_gb=s.kv_cache_bytes / 1e9,
                                     capacity_gb=s.capacity_bytes / 1e9, sim_s=time.perf_counter() - t0))
    return rows


def table(rows: list[dict]) -> str:
    energy = any(r["j_per_token"] is not None for r in rows)
    head = "| model | context | batch | " + " | ".join(LABELS[d] for d in DESIGNS) + " |"
    out = ["tokens/s (fp8 weights, fp8 KV); `-` = does not fit; in brackets: share of the step in near-memory / "
           "flash-fed kernels" + ("; J/token after the slash" if energy else ""), "", head,
           "|---|---:|---:|" + "---:|" * len(DESIGNS)]
    by = {(r["model"], r["context"], r["batch"], r["design"]): r for r in rows}
    for model in dict.fromkeys(r["model"] for r in rows):
        for c in CONTEXTS:
            for b in BATCHES:
                cells = []
                for d in DESIGNS:
                    r = by[(model, c, b, d)]
                    if not r["feasible"]:
                        cells.append("-")
                        continue
                    cell = f"{r['tokens_per_s']:,.0f}"
                    if d != "h200" and r["offloaded_share"]:
                        cell += f" ({r['offloaded_share']:.0%})"
                    if r["j_per_token"] is not None:
                        cell += f" / {r['j_per_token']:.2f}"
                    cells.append(cell)
                out.append(f"| {model} | {c // 1024}K | {b} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def plot(rows: list[dict], path: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(len(models), len(CONTEXTS), figsize=(11, 4 * len(models)), squeeze=False)
    for i, model in enumerate(models):
        for j, c in enumerate(CONTEXTS):
            ax = axes[i][j]
            for d in DESIGNS:
                pts = [(r["batch"], r["tokens_per_s"]) for r in rows
                       if r["model"] == model and r["context"] == c and r["design"] == d and r["feasible"]]
                if pts:
                    ax.plot(*zip(*pts), marker="o", label=LABELS[d])
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel("batch")
            ax.set_ylabel("tokens/s")
            ax.set_title(f"{model}, context {c // 1024}K (fp8)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--out", default="directions.png")
    ap.add_argument("--json", default="directions.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = run(tuple(args.models))
    print(table(rows))
    print()
    for r in rows:
        if not r["feasible"] and r["design"] in ("h200-hbf", "stacked3d") and r["batch"] == 1:
            print(f"{r['design']} {r['model']} {r['context'] // 1024}K: {r['reason']}")
    with open(args.json, "w") as f:
        json.dump([{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
                   for r in rows], f, indent=1)
    if plot(rows, args.out):
        print(f"plot: {args.out}")
    print(f"simulated in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()

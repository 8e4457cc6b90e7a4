"""The paper's argument, quantified: Llama-3-70B, Mixtral-8x7B and Llama-3-405B decode at batch
1/16/64 and context 4K/128K (fp8 weights, fp8 KV cache) on an HBM3e baseline (h200) and the direction
designs (h200-pnm, h200-pim, h200-hbf, stacked3d). Prints a markdown table of tokens/s, capacity
feasibility and where the time goes (the share of the step spent in offloaded / flash-fed kernels), and
a second table of J/token (``DecodeStepResult.joules_per_token``, from the energy model, with the share of
the energy that is static power); both in directions.json and, when matplotlib is installed,
directions.png (tokens/s and J/token against batch).

    python benchmarks/directions.py [--models llama-3-70b mixtral-8x7b] [--out directions.png]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim

DESIGNS = ("h200", "h200-pnm", "h200-pim", "h200-hbf", "stacked3d")
LABELS = {"h200": "HBM3e (h200)", "h200-pnm": "PNM", "h200-pim": "PIM (bank)", "h200-hbf": "HBF+HBM",
          "stacked3d": "3D-stacked"}
BATCHES = (1, 16, 64)
CONTEXTS = (4096, 131072)
MODELS = ("llama-3-70b", "mixtral-8x7b", "llama-3-405b")


def _j_per_token(s: accelsim.DecodeStepResult) -> float | None:
    """Joules per generated token from the energy model; None when infeasible or without an energy spec."""
    j = s.joules_per_token
    return j if s.feasible and math.isfinite(j) else None


def _static_share(s: accelsim.DecodeStepResult) -> float | None:
    comps = s.energy_by_component_j
    if not s.feasible or comps is None or not s.energy_j > 0:
        return None
    return comps["static"] / s.energy_j


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
                                     j_per_token=_j_per_token(s), static_energy_share=_static_share(s),
                                     weight_gb=s.weight_bytes / 1e9, kv_gb=s.kv_cache_bytes / 1e9,
                                     capacity_gb=s.capacity_bytes / 1e9, sim_s=time.perf_counter() - t0))
    return rows


def _cell_tokens(r: dict) -> str:
    cell = f"{r['tokens_per_s']:,.0f}"
    if r["design"] != "h200" and r["offloaded_share"]:
        cell += f" ({r['offloaded_share']:.0%})"
    return cell


def _cell_energy(r: dict) -> str:
    if r["j_per_token"] is None:
        return "n/a"
    cell = f"{r['j_per_token']:.3f}" if r["j_per_token"] < 1 else f"{r['j_per_token']:.2f}"
    if r["static_energy_share"] is not None:
        cell += f" ({r['static_energy_share']:.0%})"
    return cell


def _grid(rows: list[dict], title: str, cell: Any) -> list[str]:
    out = [title, "", "| model | context | batch | " + " | ".join(LABELS[d] for d in DESIGNS) + " |",
           "|---|---:|---:|" + "---:|" * len(DESIGNS)]
    by = {(r["model"], r["context"], r["batch"], r["design"]): r for r in rows}
    for model in dict.fromkeys(r["model"] for r in rows):
        for c in CONTEXTS:
            for b in BATCHES:
                cells = [cell(by[(model, c, b, d)]) if by[(model, c, b, d)]["feasible"] else "-" for d in DESIGNS]
                out.append(f"| {model} | {c // 1024}K | {b} | " + " | ".join(cells) + " |")
    return out


def table(rows: list[dict]) -> str:
    """Two markdown tables: tokens/s (with the offloaded / flash-fed share) and J/token (with the static share)."""
    out = _grid(rows, "tokens/s (fp8 weights, fp8 KV); `-` = does not fit; in brackets: share of the step in "
                "near-memory / flash-fed kernels", _cell_tokens)
    if any(r["j_per_token"] is not None for r in rows):
        out += [""] + _grid(rows, "J/token (energy model: accelsim.energy); `-` = does not fit; in brackets: share "
                            "of the energy that is static power", _cell_energy)
    return "\n".join(out)


def plot(rows: list[dict], path: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.lines
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return False
    models = list(dict.fromkeys(r["model"] for r in rows))
    metrics = [("tokens_per_s", "tokens/s")]
    if any(r["j_per_token"] is not None for r in rows):
        metrics.append(("j_per_token", "J/token"))
    from accelsim.report.plots import design_colors, plain_log_axis

    colors = design_colors(DESIGNS)  # one colour per design in every panel, whichever designs fit there
    cols = len(CONTEXTS) * len(metrics)
    fig, axes = plt.subplots(len(models), cols, figsize=(5.5 * cols, 4 * len(models)), squeeze=False)
    for i, model in enumerate(models):
        for j, c in enumerate(CONTEXTS):
            for m, (key, label) in enumerate(metrics):
                ax = axes[i][j * len(metrics) + m]
                for d in DESIGNS:
                    pts = [(r["batch"], r[key]) for r in rows if r["model"] == model and r["context"] == c
                           and r["design"] == d and r["feasible"] and r[key] is not None]
                    if pts:
                        ax.plot(*zip(*pts), marker="o", color=colors[d], label=LABELS[d])
                ax.set_xscale("log", base=2)
                ax.set_yscale("log")
                ax.set_xticks(list(BATCHES), [str(b) for b in BATCHES])
                ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
                ax.set_xlabel("batch")
                ax.set_ylabel(label + ("  (higher is better)" if key == "tokens_per_s" else "  (lower is better)"))
                ax.set_title(f"{model}, {c // 1024}K (fp8): {label}")
                ax.grid(True, which="both", alpha=0.3)
                if ax.get_lines():
                    plain_log_axis(ax.yaxis)
                else:
                    ax.text(0.5, 0.5, "fits on no design", ha="center", va="center", transform=ax.transAxes)
    # one legend for the figure: every design, in its colour, also those that fit nowhere in a panel
    handles = [matplotlib.lines.Line2D([], [], color=colors[d], marker="o", label=LABELS[d]) for d in DESIGNS]
    fig.legend(handles=handles, loc="upper center", ncol=len(DESIGNS), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
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

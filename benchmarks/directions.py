"""The paper's argument, quantified: each direction design (processing near / in memory, High Bandwidth Flash,
3D-stacked DRAM, AttAcc and NeuPIMs-style PIM) against its base (the HBM3e H200 or B200 it is built on) on Llama-3-70B and Llama-3-405B -- or, for a design that
cannot hold 405B, the largest zoo model it holds -- decoding at batch 1 / 16 / 64 with a 4K context (fp8 weights,
fp8 KV cache).  For every point: tokens/s, J/token (energy model), $/Mtoken and gCO2e/Mtoken (accelsim.explore.
cost: capital from parts, power from the energy model, default site: US industrial electricity, world-average
grid).  Prints one markdown table per model and saves directions.json and, with matplotlib, one figure
(directions.png): a row per model, a column per metric, a fixed colour per design in every panel.

    python benchmarks/directions.py [--batches 1 16 64] [--context 4096] [--out directions.png]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim.explore import cost
from accelsim.presets.directions import DIRECTION_PRESETS

BASE = "h200"
#: design -> its base: the B200 for a design built on it, the H200 for every other direction preset
BASES: dict[str, str] = {d: "b200" for d in DIRECTION_PRESETS if d.startswith("b200")}
MODELS = ("llama-3-70b", "llama-3-405b")
LABELS = {"h200": "HBM3e (h200)", "h200-pnm": "PNM", "h200-pim": "PIM (bank)", "h200-hbf": "HBF + HBM",
          "stacked3d": "3D-stacked DRAM", "ucie-chiplet": "UCIe chiplet (1/4 H100)",
          "h200-attacc": "AttAcc pool (h200)", "h200-neupims": "NeuPIMs (h200)",
          "b200": "HBM3e (b200)", "b200-pim": "PIM (bank, b200)", "b200-attacc": "AttAcc pool (b200)",
          "b200-neupims": "NeuPIMs (b200)"}
METRICS = (("tokens_per_s", "tokens/s", "higher is better"), ("j_per_token", "J/token", "lower is better"),
           ("usd_per_mtoken", "$ per million tokens", "lower is better"),
           ("gco2e_per_mtoken", "gCO2e per million tokens", "lower is better"))


def designs() -> list[str]:
    """The bases first, then every direction preset."""
    bases = list(dict.fromkeys([BASE, *BASES.values()]))
    return bases + [d for d in DIRECTION_PRESETS if d not in bases]


def _fits(arch: Any, model: str, batch: int, context: int) -> bool:
    s = accelsim.decode_step(arch, model, batch=batch, context=context, weight_dtype="fp8", kv_dtype="fp8",
                             fidelity="roofline")
    return s.feasible


def held_model(arch: Any, wanted: str, batches: tuple[int, ...], context: int) -> str:
    """``wanted`` if ``arch`` holds it at the smallest batch, else the largest zoo model (by weights) it holds."""
    if _fits(arch, wanted, min(batches), context):
        return wanted
    ranked = sorted(accelsim.models.names(), key=lambda m: -accelsim.models.load(m).weight_bytes("fp8"))
    for m in ranked:
        if _fits(arch, m, min(batches), context):
            return m
    return wanted


def run(batches: tuple[int, ...] = (1, 16, 64), context: int = 4096, spec: cost.CostSpec | None = None
        ) -> list[dict[str, Any]]:
    spec = spec if spec is not None else cost.CostSpec()
    rows = []
    for d in designs():
        arch = accelsim.presets.load(d)
        for wanted in MODELS:
            model = held_model(arch, wanted, batches, context)
            for b in batches:
                t0 = time.perf_counter()
                s = accelsim.decode_step(arch, model, batch=b, context=context, weight_dtype="fp8", kv_dtype="fp8")
                c = cost.of_result(s, arch, spec)
                rows.append(dict(design=d, base=BASES.get(d, BASE), panel=wanted, model=model, batch=b,
                                 context=context, feasible=s.feasible, reason=s.reason,
                                 tokens_per_s=s.tokens_per_s if s.feasible else None,
                                 j_per_token=s.joules_per_token if s.feasible else None,
                                 usd_per_mtoken=c.usd_per_mtoken if s.feasible else None,
                                 gco2e_per_mtoken=c.gco2e_per_mtoken if s.feasible else None,
                                 power_w=c.power_w if s.feasible else None, capex_usd=c.capex_usd,
                                 embodied_kgco2e=c.embodied_kgco2e, sim_s=time.perf_counter() - t0))
    return rows


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.{digits}g}"


def table(rows: list[dict[str, Any]]) -> str:
    """One table per model panel: each design's metrics and its ratio to its base at the same batch."""
    out = []
    by = {(r["panel"], r["design"], r["batch"]): r for r in rows}
    for panel in dict.fromkeys(r["panel"] for r in rows):
        out += [f"### {panel} (fp8 weights, fp8 KV, context {rows[0]['context']})", "",
                "| design | model held | capex $ | batch | tokens/s | x base | J/token | x base | $/Mtoken | x base "
                "| gCO2e/Mtoken | x base |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for d in dict.fromkeys(r["design"] for r in rows):
            for b in dict.fromkeys(r["batch"] for r in rows):
                r = by[(panel, d, b)]
                base = by[(panel, r["base"], b)]
                cells = []
                for key in ("tokens_per_s", "j_per_token", "usd_per_mtoken", "gco2e_per_mtoken"):
                    v, v0 = r[key], base[key]
                    ratio = v / v0 if v is not None and v0 and base["model"] == r["model"] else None
                    cells += [_fmt(v), "-" if ratio is None else f"{ratio:.2f}"]
                held = r["model"] + ("" if r["model"] == panel else " *")
                out.append(f"| {LABELS.get(d, d)} | {held} | {r['capex_usd']:,.0f} | {b} | " + " | ".join(cells) + " |")
        out.append("")
    out.append("`*` the design cannot hold the panel's model at this context: the largest zoo model it holds; its "
               "ratios to the base are left out (different model).  `-` = does not fit.")
    return "\n".join(out)


def plot(rows: list[dict[str, Any]], path: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    panels = list(dict.fromkeys(r["panel"] for r in rows))
    order = list(dict.fromkeys(r["design"] for r in rows))
    from accelsim.report.plots import design_colors, plain_log_axis

    colour = design_colors(order)  # one colour per design, the same in every panel
    fig, axes = plt.subplots(len(panels), len(METRICS), figsize=(4.2 * len(METRICS), 3.6 * len(panels)),
                             squeeze=False)
    for i, panel in enumerate(panels):
        for j, (key, label, hint) in enumerate(METRICS):
            ax = axes[i][j]
            for d in order:
                pts = [(r["batch"], r[key]) for r in rows if r["panel"] == panel and r["design"] == d
                       and r[key] is not None]
                if not pts:
                    continue
                held = sorted({r["model"] for r in rows if r["panel"] == panel and r["design"] == d})
                dashed = held != [panel]
                ax.plot(*zip(*pts), marker="o", color=colour[d], linestyle="--" if dashed else "-", linewidth=2,
                        label=LABELS.get(d, d))
                if dashed:  # name the model the design holds instead, at its last point
                    ax.annotate(", ".join(m.replace("llama-3-", "") for m in held), pts[-1], fontsize=7,
                                color=colour[d], xytext=(4, 2), textcoords="offset points")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            batches = sorted({r["batch"] for r in rows})
            ax.set_xticks(batches, [str(b) for b in batches])
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
            if ax.get_lines():
                plain_log_axis(ax.yaxis)
            ax.set_xlabel("batch (sequences)")
            ax.set_title(f"{panel}: {label}\n({hint})", fontsize=10)
            ax.grid(True, which="both", alpha=0.3)
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6), fontsize=9, frameon=False)
    fig.suptitle(f"Direction designs vs their HBM3e base (h200, b200): decode at {rows[0]['context'] // 1024}K context, fp8 "
                 "(dashed: the largest model the design holds)", fontsize=12)
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    fig.savefig(path, dpi=130)
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 16, 64])
    ap.add_argument("--context", type=int, default=4096)
    ap.add_argument("--out", default="directions.png")
    ap.add_argument("--json", default="directions.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = run(tuple(args.batches), args.context, cost.CostSpec())
    print(table(rows))
    with open(args.json, "w") as f:
        json.dump(rows, f, indent=1)
    if plot(rows, args.out):
        print(f"\nplot: {args.out}")
    print(f"simulated in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()

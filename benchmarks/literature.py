"""Published PIM, near-memory and flash headlines, reproduced: for each paper of tests/data/literature_pim.json,
the published figure, accelsim's figure on the same configuration (accelsim.report.literature), their ratio and
whether it is within 20%; where it is not, the modelling difference that explains it (from the data file).

Then the same designs on today's GPUs (h200, b200): what each idea buys in tokens/s, J/token and $/Mtoken.

    python benchmarks/literature.py [--json literature.json] [--skip-directions]
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import textwrap
import time
from typing import Any

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim.explore import cost as cost_model
from accelsim.report import literature

DATA = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "literature_pim.json"
WITHIN = (0.8, 1.2)  # accelsim / published

#: The directions table: each design against its base GPU (accelsim.presets.directions / literature)
DIRECTIONS = {
    "h200": ("h200", "h200-pim", "h200-attacc", "h200-neupims", "h200-hbf"),
    "b200": ("b200", "b200-pim", "b200-attacc", "b200-neupims", "b200-hbf"),
}
LABELS = {"": "base GPU", "-pim": "HBM-PIM / AiM (GEMV in the banks)", "-attacc": "AttAcc (KV + attention in a PIM pool)",
          "-neupims": "NeuPIMs (attention in the banks, sub-batches)", "-hbf": "HBF (weights in flash)"}
#: llama-3-70b, fp8 weights and KV cache, 8K context; a latency point (batch 1) and throughput points (16, 64)
DIRECTIONS_MODEL, DIRECTIONS_CONTEXT, DIRECTIONS_BATCHES = "llama-3-70b", 8192, (1, 16, 64)


def published_range(value: Any) -> tuple[float, float]:
    return (float(value[0]), float(value[1])) if isinstance(value, list) else (float(value), float(value))


def verdict(value: Any, accel: float | None) -> tuple[float | None, bool | None]:
    """(accelsim / published -- against the middle of a published range --, within 20%)."""
    if accel is None:
        return None, None
    lo, hi = published_range(value)
    ratio = accel / ((lo + hi) / 2)
    return ratio, WITHIN[0] * lo <= accel <= WITHIN[1] * hi


def literature_rows() -> list[dict[str, Any]]:
    data = json.loads(DATA.read_text())
    rows = []
    for paper in data["papers"]:
        for h in paper["headlines"]:
            t0 = time.perf_counter()
            r = literature.reproduce(h["id"])
            ratio, ok = verdict(h["value"], r.value)
            rows.append(dict(paper=paper["name"], id=h["id"], metric=h["metric"], published=h["value"],
                             source=h["source"], quote=h["quote"], configuration=h["configuration"],
                             accelsim=r.value, ratio=ratio, within_20pct=ok, detail=r.detail,
                             modelling_difference=h.get("modelling_difference", ""), sim_s=time.perf_counter() - t0))
    return rows


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, list):
        return f"{v[0]:g}-{v[1]:g}x"
    return f"{v:.3g}x" if v >= 0.1 else f"{v:.3f}"


def print_literature(rows: list[dict[str, Any]]) -> None:
    print("## Published headlines vs accelsim on the papers' configurations\n")
    print("| paper | headline | published | accelsim | accelsim / published | within 20% |")
    print("|---|---|---:|---:|---:|:---:|")
    for r in rows:
        ok = {True: "yes", False: "**no**", None: "not expressible"}[r["within_20pct"]]
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"| {r['paper']} | {r['metric']} | {_fmt(r['published'])} | {_fmt(r['accelsim'])} | {ratio} | {ok} |")
    print()
    for r in rows:
        print(f"- {r['id']}: {r['detail']} [{r['sim_s']:.1f} s]")
        if r["within_20pct"] is not True:
            why = r["modelling_difference"] or r["detail"]
            print(textwrap.indent(textwrap.fill(f"why: {why}", 110), "    "))
    n_ok = sum(r["within_20pct"] is True for r in rows)
    n_no = sum(r["within_20pct"] is False for r in rows)
    print(f"\n{n_ok} of {len(rows)} within 20%, {n_no} outside (each with its modelling difference), "
          f"{len(rows) - n_ok - n_no} not expressible.\n")


def _usd_per_mtoken(arch: accelsim.Architecture, s: accelsim.DecodeStepResult) -> tuple[float | None, str]:
    """$/Mtoken from the cost model (accelsim.explore.cost); None and why when it has no price for the machine."""
    try:
        spec = cost_model.for_arch(arch)
    except accelsim.ConfigError as e:
        return None, str(e).split(";")[0]
    c = cost_model.decode_cost(spec, s.tokens_per_s, arch=arch, energy_j=s.energy_j, time_s=s.time_s)
    return (c.usd_per_mtoken if math.isfinite(c.usd_per_mtoken) else None), ""


def directions_rows() -> list[dict[str, Any]]:
    rows = []
    for base, designs in DIRECTIONS.items():
        for name in designs:
            arch = accelsim.presets.load(name)
            for b in DIRECTIONS_BATCHES:
                t0 = time.perf_counter()
                s = accelsim.decode_step(arch, DIRECTIONS_MODEL, batch=b, context=DIRECTIONS_CONTEXT,
                                         weight_dtype="fp8", kv_dtype="fp8")
                usd, why = _usd_per_mtoken(arch, s) if s.feasible else (None, s.reason)
                rows.append(dict(base=base, design=name, idea=LABELS[name[len(base):]], batch=b,
                                 feasible=s.feasible, reason=s.reason, tokens_per_s=s.tokens_per_s,
                                 j_per_token=s.joules_per_token if s.feasible else None, usd_per_mtoken=usd,
                                 cost_note=why, overlap=s.overlap, sim_s=time.perf_counter() - t0))
    return rows


def print_directions(rows: list[dict[str, Any]]) -> None:
    print(f"## The same ideas on today's GPUs: {DIRECTIONS_MODEL}, fp8 weights and KV, context {DIRECTIONS_CONTEXT}\n")
    print("| GPU | idea | batch | tokens/s | x base | J/token | $/Mtoken |")
    print("|---|---|---:|---:|---:|---:|---:|")
    base_tps = {(r["base"], r["batch"]): r["tokens_per_s"] for r in rows if r["design"] == r["base"]}
    notes = set()
    for r in rows:
        if not r["feasible"]:
            print(f"| {r['base']} | {r['idea']} | {r['batch']} | does not fit | | | |")
            notes.add(f"{r['design']} at batch {r['batch']}: {r['reason']}")
            continue
        bt = base_tps.get((r["base"], r["batch"])) or float("nan")
        usd = "n/a" if r["usd_per_mtoken"] is None else f"{r['usd_per_mtoken']:.2f}"
        if r["usd_per_mtoken"] is None and r["cost_note"]:
            notes.add(f"$/Mtoken n/a for {r['design']}: {r['cost_note']}")
        x = f"{r['tokens_per_s'] / bt:.2f}" if bt > 0 else "-"
        print(f"| {r['base']} | {r['idea']} | {r['batch']} | {r['tokens_per_s']:,.0f} | {x} | "
              f"{r['j_per_token']:.3f} | {usd} |")
    for n in sorted(notes):
        print(f"\n- {n}")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None, help="write every row here")
    ap.add_argument("--skip-directions", action="store_true", help="only the literature table")
    args = ap.parse_args()
    t0 = time.perf_counter()
    lit = literature_rows()
    print_literature(lit)
    dirs = [] if args.skip_directions else directions_rows()
    if dirs:
        print_directions(dirs)
    print(f"({time.perf_counter() - t0:.0f} s)")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(dict(literature=lit, directions=dirs), indent=1, default=str))


if __name__ == "__main__":
    main()

"""The parts-based cost model against published figures, the capital-cost breakdown of two presets, the
cost of every chip preset, and the Pareto front of the example HBM sweep.

Prints (1) the breakdown ($ and kg CO2e by part) of h100-sxm and b200; (2) modelled bill of materials and price
against the published ones (accelsim/data/published_costs.json: source, quote, what each includes) with the
ratio; (3) the H100's $/hour of ownership (model, decoding Llama-3-8B at batch 64, 4K) against a published
break-even and cloud prices, and what they include that the model does not; (4) capex, $/hour and embodied
carbon of every chip preset; (5) examples/sweep_hbm.yaml run at its own fidelity: per workload, the Pareto
front of tokens/s against $/Mtoken.

    python benchmarks/cost_check.py [--no-sweep]
"""

from __future__ import annotations

import argparse
import json
import time
from importlib.resources import files
from pathlib import Path

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim.explore import cost

ROOT = Path(__file__).resolve().parents[1]


def published() -> dict:
    return json.loads((files("accelsim") / "data" / "published_costs.json").read_text(encoding="utf-8"))


def compare_prices() -> list[str]:
    pub = published()
    out = ["| machine | figure | model $ | published $ | model / published | published figure includes |",
           "|---|---|---:|---:|---:|---|"]
    for kind, what in (("bom_usd", "bill of materials"), ("price_usd", "price")):
        for p in pub[kind]:
            cx = cost.capex(p["machine"])
            made = cx.accelerator_usd - cx.get("vendor margin")
            model = made if kind == "bom_usd" else cx.accelerator_usd
            mid = (p["low"] + p["high"]) / 2
            rng = f"{p['low']:,}" if p["low"] == p["high"] else f"{p['low']:,}-{p['high']:,}"
            out.append(f"| {p['machine']} | {what} | {model:,.0f} | {rng} | {model / mid:.2f} | {p['includes']} |")
    return out


def compare_hourly() -> list[str]:
    arch = accelsim.presets.load("h100-sxm")
    s = accelsim.decode_step(arch, "llama-3-8b", batch=64, context=4096)
    r = cost.of_result(s, arch)
    pub = published()["usd_per_gpu_hour"]
    out = [f"H100 SXM decoding llama-3-8b at batch 64, 4K context: {s.tokens_per_s:,.0f} tokens/s at "
           f"{r.power_w:,.0f} W -> ${r.usd_per_hour:.3f}/hour of ownership, ${r.usd_per_mtoken:.4f}/Mtoken "
           f"(capital ${r.capex_usd:,.0f} over {r.spec.lifetime_years:g} years, utilization {r.spec.utilization:g})", "",
           "| published | $/GPU-hour | model / published | what it includes that the model does not |",
           "|---|---:|---:|---|"]
    for p in pub:
        out.append(f"| {p['kind']} ({p['source'].split(',')[0]}) | {p['value']:.2f} | {r.usd_per_hour / p['value']:.2f} "
                   f"| {p['includes']} |")
    return out + ["", r.table()]


def presets_table() -> list[str]:
    out = ["| preset | capex $ (with host share) | accelerator price $ | made for $ | logic mm2 | yield | board W "
           "| embodied kg CO2e | $/hour at board power |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in accelsim.presets.names():
        cx = cost.capex(name)
        r = cost.evaluate(name, 1.0)
        out.append(f"| {name} | {cx.total_usd:,.0f} | {cx.accelerator_usd:,.0f} | "
                   f"{cx.accelerator_usd - cx.get('vendor margin'):,.0f} | {cx.logic_area_mm2:,.0f} | {cx.die_yield:.2f} | "
                   f"{cx.tdp_w:,.0f} | {cx.embodied_kgco2e:,.0f} | {r.usd_per_hour:.3f} |")
    return out


def sweep_front() -> list[str]:
    from accelsim.explore.sweep import pareto_front, sweep
    from accelsim.explore.sweepspec import load_spec

    spec = load_spec(str(ROOT / "examples" / "sweep_hbm.yaml"))
    kw = spec.kwargs()
    kw["executor"] = "serial"
    df = sweep(**kw, progress=False)
    out = []
    cols = ["dram.stacks", "dram.data_rate_gbps", "dram.capacity_bytes_per_stack", "tokens_per_s", "usd_per_mtoken",
            "capex_usd", "power_w", "gco2e_per_mtoken"]
    cols.insert(5, "usd_per_hour")
    for w, g in df.groupby("workload", sort=False):
        per_token = pareto_front(g, maximize=("tokens_per_s",), minimize=("usd_per_mtoken",))
        f = pareto_front(g, maximize=("tokens_per_s",), minimize=("usd_per_hour",)).sort_values("tokens_per_s")
        out += [f"{w}: front of (max tokens/s, min $/Mtoken): {len(per_token)} of {len(g)} design points "
                f"({', '.join(f'{r[0]:.0f} stacks at {r[1]:.2f} Gb/s' for r in per_token[cols[:2]].to_numpy())}); "
                f"front of (max tokens/s, min $/hour): {len(f)} points:", "",
                "| stacks | Gb/s/pin | GiB/stack | tokens/s | $/Mtoken | $/hour | capex $ | W | gCO2e/Mtoken |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for _, r in f[cols].iterrows():
            out.append(f"| {r['dram.stacks']:.0f} | {r['dram.data_rate_gbps']:.2f} | "
                       f"{r['dram.capacity_bytes_per_stack'] / 2**30:.0f} | {r['tokens_per_s']:,.0f} | "
                       f"{r['usd_per_mtoken']:.4f} | {r['usd_per_hour']:.4f} | {r['capex_usd']:,.0f} | "
                       f"{r['power_w']:.0f} | {r['gco2e_per_mtoken']:.1f} |")
        out.append("")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-sweep", action="store_true", help="skip the example sweep")
    args = ap.parse_args()
    t0 = time.perf_counter()
    for name in ("h100-sxm", "b200"):
        print(cost.capex(name).table(), "\n")
    print("\n".join(compare_prices()), "\n")
    print("\n".join(compare_hourly()), "\n")
    print("\n".join(presets_table()), "\n")
    if not args.no_sweep:
        print("\n".join(sweep_front()))
    print(f"done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()

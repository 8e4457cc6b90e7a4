"""Figures the documentation shows, generated from the code (cog: https://nedbatchelder.com/code/cog/).

README.md and docs/*.md hold their numbers between cog markers that call these functions:

    <!-- [[[cog import docgen; cog.out(docgen.decode_table()) ]]] -->
    ...generated, do not edit...
    <!-- [[[end]]] -->

Regenerate after a change that moves a number:   python -m cogapp -r -I tools README.md docs/*.md
CI checks nothing drifted (tests/docs/test_docs.py runs ``cog --check``), so a figure a document shows is
always what the code prints today.  Each function returns markdown; the simulations are the same calls the
benchmarks make (decode_compare.py, directions.py, validate.py), imported from there, not re-typed.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import accelsim  # noqa: E402
from accelsim.report import validation  # noqa: E402


# ------------------------------------------------------------------------------------- code blocks


def _python_block_before(path: str, line: int) -> str:
    """The last ```python block of ``path`` that ends before ``line`` (1-based)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()[: line - 1]
    end = max(i for i, ln in enumerate(lines) if ln.strip() == "```")
    start = max(i for i, ln in enumerate(lines[:end]) if ln.strip().startswith("```python"))
    return "\n".join(lines[start + 1:end]) + "\n"


def output() -> str:
    """The stdout of the python block just above the cog marker, as a ```text block (what the example prints)."""
    import cog  # noqa: PLC0415 - only inside cog

    code = _python_block_before(cog.inFile, cog.firstLineNum)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, f"{cog.inFile}:{cog.firstLineNum}", "exec"), {"__name__": "__doc_example__"})  # noqa: S102
    return "```text\n" + buf.getvalue() + "```\n"


# ---------------------------------------------------------------------------------- decode compare


@functools.lru_cache(maxsize=None)
def _decode_compare() -> dict[Any, Any]:
    import decode_compare  # noqa: PLC0415 - benchmarks/decode_compare.py

    return decode_compare.run()


def decode_table() -> str:
    """The table ``python benchmarks/decode_compare.py`` prints."""
    import decode_compare  # noqa: PLC0415

    return decode_compare.table(_decode_compare()) + "\n"


def decode_summary() -> str:
    """The paragraph under the table: the infeasible case and the speedup range against the pin-rate ratio."""
    import decode_compare  # noqa: PLC0415

    res = _decode_compare()
    speed = [res[("h100-sxm", c, b)].time_s / res[("h200", c, b)].time_s for c in decode_compare.CONTEXTS
             for b in decode_compare.BATCHES if res[("h100-sxm", c, b)].feasible and res[("h200", c, b)].feasible]
    out = [(c, b) for c in decode_compare.CONTEXTS for b in decode_compare.BATCHES
           if not res[("h200", c, b)].feasible]
    h100, h200 = accelsim.presets.load("h100-sxm"), accelsim.presets.load("h200")
    bw1, bw2 = h100.peak_dram_bandwidth_bytes_per_s, h200.peak_dram_bandwidth_bytes_per_s
    text = ""
    if out:
        c, b = out[0]
        kv = res[("h200", c, b)].kv_cache_bytes
        text += (f"At {c // 1024}K context and batch {b} the KV cache alone is {kv / 1e9:.0f} GB, more than either "
                 f"machine holds. The H200's\n")
    else:
        text += "The H200's\n"
    text += (f"speedup ({min(speed):.2f}-{max(speed):.2f}x) is below its pin-bandwidth ratio "
             f"({bw2 / 1e12:.1f} / {bw1 / 1e12:.2f} TB/s = {bw2 / bw1:.2f}x): launch gaps and latency\n"
             f"do not shrink with bandwidth.\n")
    return text


# ------------------------------------------------------------------------------------------ fills


def fill_paragraph() -> str:
    """How writes end with an L2, with a 1 GiB bf16 fill on h100-sxm against the DRAM-write floor of what does not fit in the L2."""
    arch = accelsim.presets.load("h100-sxm")
    n = 2**30 // 2  # 1 GiB of bf16
    r = accelsim.simulate(arch, accelsim.Elementwise(n_elements=n, dtype="bf16", reads=0, writes=1, name="fill"))
    beyond = 2**30 - arch.l2.capacity_bytes
    floor = beyond / arch.peak_dram_bandwidth_bytes_per_s
    return ("A tile posts its results when it finishes. With an L2, a kernel may end while up to the L2's capacity of\n"
            "its writes is still on its way to DRAM (written back while later kernels run); the rest must be in DRAM\n"
            f"first, so a fill larger than the L2 is bound by DRAM write bandwidth (a 1 GiB bf16 fill on h100-sxm:\n"
            f"{r.time_s * 1e6:.0f} us, against {floor * 1e6:.0f} us for the {beyond / 2**20:.0f} MiB beyond the "
            f"{arch.l2.capacity_bytes / 2**20:.0f} MiB L2 at peak).\n")


# ------------------------------------------------------------------------------------- validation

_FAMILY_LABELS = {
    "gemv_bf16": "GEMV bf16 (cuBLAS, M = 1..1024)",
    "gemv_fp8": "GEMV fp8 (M = 16..1024)",
    "attention": "decode attention (SDPA default)",
    "copy": "cold HBM copy, 256 KB..64 MB",
}


@functools.lru_cache(maxsize=None)
def _validation() -> dict[str, tuple[dict[str, float], dict[str, float]]]:
    arch = accelsim.presets.load("h100-sxm")
    return {fam: (validation.summary(validation.evaluate(arch, fam, "fast")),
                  validation.summary(validation.evaluate(arch, fam, "roofline"))) for fam in validation.FAMILIES}


def validation_table() -> str:
    """The table ``python benchmarks/validate.py`` prints, as markdown."""
    lines = ["| family | cases | median | p90 | max | roofline median / p90 / max |", "|---|---|---|---|---|---|"]
    for fam, (s, roof) in _validation().items():
        lines.append(f"| {_FAMILY_LABELS.get(fam, fam)} | {s['n']} | {s['median']:.1%} | {s['p90']:.1%} | "
                     f"{s['max']:.1%} | {roof['median']:.1%} / {roof['p90']:.1%} / {roof['max']:.1%} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------- directions


@functools.lru_cache(maxsize=None)
def _directions() -> list[dict[str, Any]]:
    import directions  # noqa: PLC0415 - benchmarks/directions.py

    return directions.run()


def _pct_range(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo * 100:.0f}-{hi:.0%}" if lo >= 0 else f"{lo:+.0%} to {hi:+.0%}"


def _row(rows: list[dict[str, Any]], model: str, design: str, batch: int, context: int = 4096) -> dict[str, Any]:
    return next(r for r in rows if (r["model"], r["design"], r["batch"], r["context"]) == (model, design, batch, context))


def directions_bullets() -> str:
    """The bullets under 'python benchmarks/directions.py', every figure from its run."""
    rows = _directions()
    base, pim, pnm = (_row(rows, "llama-3-70b", d, 1) for d in ("h200", "h200-pim", "h200-pnm"))
    mx_base, mx_3d = (_row(rows, "mixtral-8x7b", d, 16) for d in ("h200", "stacked3d"))
    hbf405 = [r["tokens_per_s"] for r in rows if r["model"] == "llama-3-405b" and r["design"] == "h200-hbf"
              and r["feasible"]]
    both = [(h, b) for h in rows if h["design"] == "h200-hbf" and h["feasible"]
            for b in [_row(rows, h["model"], "h200", h["batch"], h["context"])] if b["feasible"]]
    slower = [1 - h["tokens_per_s"] / b["tokens_per_s"] for h, b in both]
    energy = [h["j_per_token"] / b["j_per_token"] - 1 for h, b in both if h["j_per_token"] and b["j_per_token"]]
    static = [r["static_energy_share"] for r in rows if r["feasible"] and r["static_energy_share"] is not None]
    hbf = accelsim.presets.load("h200-hbf").hbf
    h200 = accelsim.presets.load("h200")
    flash = f"{hbf.stacks} flash stacks give {hbf.peak_read_bandwidth_bytes_per_s / 1e12:.1f} TB/s"

    # the qualitative claims of the bullets, checked on the same run (a change that breaks one fails the doc check)
    def fits(model: str, design: str, context: int = 4096, batch: int = 1) -> bool:
        return _row(rows, model, design, batch, context)["feasible"]

    mx_pim1, mx_3d1 = (_row(rows, "mixtral-8x7b", d, 1) for d in ("h200-pim", "stacked3d"))
    claims = {
        "PIM beats 3D-stacked on mixtral at batch 1": mx_pim1["tokens_per_s"] > mx_3d1["tokens_per_s"],
        "3D-stacked holds neither llama-3-70b nor a 128K context":
            not fits("llama-3-70b", "stacked3d") and not any(fits(m, "stacked3d", 131072) for m in
                                                              ("llama-3-70b", "mixtral-8x7b", "llama-3-405b")),
        "PNM and PIM equal the h200 on a dense model from batch 16":
            all(abs(_row(rows, "llama-3-70b", d, 16)["tokens_per_s"] / _row(rows, "llama-3-70b", "h200", 16)
                    ["tokens_per_s"] - 1) < 0.01 for d in ("h200-pnm", "h200-pim")),
        "near-memory still pays on mixtral at batch 16":
            _row(rows, "mixtral-8x7b", "h200-pnm", 16)["tokens_per_s"] > mx_base["tokens_per_s"],
        "only the HBF hybrid holds llama-3-405b":
            {r["design"] for r in rows if r["model"] == "llama-3-405b" and r["feasible"]} == {"h200-hbf"},
        "no design decodes batch 16 at 128K": not any(r["feasible"] for r in rows if r["context"] == 131072
                                                      and r["batch"] >= 16),
    }
    wrong = [k for k, ok in claims.items() if not ok]
    if wrong:
        raise AssertionError(f"README's directions bullets no longer hold: {wrong}")
    from accelsim.engine import nearmem  # noqa: PLC0415

    pim_bw = nearmem.summary(accelsim.presets.load("h200-pim"))[1]["near_memory_internal_bandwidth_bytes_per_s"]
    s3d = accelsim.presets.load("stacked3d")
    hbf_arch = accelsim.presets.load("h200-hbf")
    w405 = accelsim.models.load("llama-3-405b").weight_bytes("fp8")
    static_w = h200.energy.static_power_w
    tdp = accelsim.explore.cost.for_arch(h200).tdp_w
    return (
        f"- **Batch 1 streams every weight once per token, so bandwidth next to the MACs wins, in time and energy.**\n"
        f"  PIM reads all banks at once ({pim_bw / 1e12:.0f} TB/s inside the stacks) and is limited by its slow MAC "
        f"lanes: {pim['tokens_per_s'] / base['tokens_per_s']:.1f}x the\n"
        f"  h200 on llama-3-70b (4K) at {pim['j_per_token']:.2f} J/token against {base['j_per_token']:.2f}. PNM "
        f"doubles the stack bandwidth through the base die:\n"
        f"  {pnm['tokens_per_s'] / base['tokens_per_s']:.1f}x, {pnm['j_per_token']:.2f} J/token. The 3D-stacked "
        f"design ({s3d.peak_dram_bandwidth_bytes_per_s / 1e12:.0f} TB/s, {s3d.energy.dram_host_pj_per_bit:.1f} "
        f"pJ/bit) is fastest and lowest in energy on\n"
        f"  mixtral-8x7b at batch 16 ({mx_3d['tokens_per_s'] / mx_base['tokens_per_s']:.1f}x the h200, "
        f"{mx_3d['j_per_token']:.2f} J/token), but PIM beats it at batch 1, and its "
        f"{s3d.memory_capacity_bytes / 2**30:.0f} GiB\n"
        f"  hold neither llama-3-70b nor a 128K context.\n"
        f"- **From batch 16, a dense model's GEMVs outgrow the near-memory MACs** and are given back to the GPU:\n"
        f"  PNM and PIM then equal the h200. MoE experts keep few tokens each, so near-memory still pays on\n"
        f"  mixtral at batch 16.\n"
        f"- **Capacity decides the rest.** Only the HBF + HBM hybrid holds llama-3-405b ({w405 / 1e9:.0f} GB of fp8 "
        f"weights in\n"
        f"  {hbf.capacity_bytes / 1e12:.2f} TB of flash), at {min(hbf405):.0f}-{max(hbf405):.0f} tokens/s. Its "
        f"{flash} against the h200's {h200.peak_dram_bandwidth_bytes_per_s / 1e12:.1f}, so\n"
        f"  where both fit it is {_pct_range(slower)} slower, at about the same J/token "
        f"({min(energy):+.0%} to {max(energy):+.0%}: a flash bit costs {hbf.read_pj_per_bit:.1f} pJ\n"
        f"  against HBM's {hbf_arch.energy.dram_host_pj_per_bit:.1f}, but the longer step accrues more static "
        f"energy). At 128K context the KV cache,\n"
        f"  which must stay in DRAM, rules out batch 16 everywhere.\n"
        f"- **Static power is {_pct_range(static)} of the energy per token** (an estimated "
        f"{static_w / tdp:.0%} of TDP over the simulated step),\n"
        f"  so a faster step is usually also a cheaper one.\n")


# ------------------------------------------------------------------------------------------- cost

_COST_SOURCES = {
    "price_usd": "street prices reported 2023-2024 (order of magnitude)",
    "memory_usd_per_gb": "implied by the two prices and capacities",
    "tdp_w": "NVIDIA datasheets",
    "lifetime_years": "hyperscaler server depreciation (5-6 y)",
    "utilization": "assumption: cost while busy",
    "electricity_usd_per_kwh": "EIA, US industrial average 2023",
    "pue": "Uptime Institute survey 2023",
    "grid_gco2e_per_kwh": "Ember, world average 2023",
    "embodied_kgco2e": "Chien et al., HotCarbon 2023 (per GPU incl. host share)",
}


def cost_table() -> str:
    """The cost defaults of the two Hopper presets (accelsim.explore.cost), with the sources cited there."""
    from accelsim.explore import cost  # noqa: PLC0415

    specs = {n: cost.for_arch(accelsim.presets.load(n)) for n in ("h100-sxm", "h200")}

    def fmt(field: str, v: float) -> str:
        if field in ("price_usd", "tdp_w", "grid_gco2e_per_kwh", "embodied_kgco2e"):
            return f"{v:,.0f}"
        if field == "electricity_usd_per_kwh":
            return f"{v:.3f}"
        return f"{v:.1f}" if field in ("memory_usd_per_gb", "lifetime_years", "utilization") else f"{v:.2f}"

    lines = ["| field | h100-sxm | h200 | source |", "| --- | --- | --- | --- |"]
    for field, src in _COST_SOURCES.items():
        cells = " | ".join(fmt(field, getattr(specs[n], field)) for n in specs)
        lines.append(f"| `{field}` | {cells} | {src} |")
    return "\n".join(lines) + "\n"


def cited(text: str) -> str:
    """Normalise whitespace (helper for generators that wrap prose)."""
    return re.sub(r"[ \t]+\n", "\n", text)

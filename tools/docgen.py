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


def _row(rows: list[dict[str, Any]], panel: str, design: str, batch: int) -> dict[str, Any]:
    return next(r for r in rows if (r["panel"], r["design"], r["batch"]) == (panel, design, batch))


def directions_tables() -> str:
    """benchmarks/directions.py's own tables (one per model panel), for docs/notes/cost-power-carbon.md."""
    import directions  # noqa: PLC0415 - benchmarks/directions.py

    return "\n" + directions.table(_directions()) + "\n"


def directions_bullets() -> str:
    """The bullets under 'python benchmarks/directions.py', every figure from its run."""
    from accelsim.engine.energy import busy_power_w  # noqa: PLC0415
    from accelsim.engine import nearmem  # noqa: PLC0415

    rows = _directions()
    l70, l405 = "llama-3-70b", "llama-3-405b"
    base, pim, pnm = (_row(rows, l70, d, 1) for d in ("h200", "h200-pim", "h200-pnm"))
    hbf_rows = [(h, _row(rows, l70, "h200", h["batch"])) for h in rows if h["panel"] == l70 and h["design"] == "h200-hbf"]
    slower = [1 - h["tokens_per_s"] / b["tokens_per_s"] for h, b in hbf_rows]
    more_j = [h["j_per_token"] / b["j_per_token"] - 1 for h, b in hbf_rows]
    dearer = [h["usd_per_mtoken"] / b["usd_per_mtoken"] for h, b in hbf_rows]
    hbf405 = [r["tokens_per_s"] for r in rows if r["panel"] == l405 and r["design"] == "h200-hbf" and r["feasible"]]
    s3d_model = _row(rows, l70, "stacked3d", 1)["model"]

    # the qualitative claims of the bullets, checked on the same run (a change that breaks one fails the doc check)
    claims = {
        "PNM and PIM equal the h200 on llama-3-70b from batch 16":
            all(abs(_row(rows, l70, d, 16)["tokens_per_s"] / _row(rows, l70, "h200", 16)["tokens_per_s"] - 1) < 0.01
                for d in ("h200-pnm", "h200-pim")),
        "only the HBF hybrid holds llama-3-405b":
            {r["design"] for r in rows if r["panel"] == l405 and r["model"] == l405 and r["feasible"]} == {"h200-hbf"},
        "the 3D-stacked design holds neither model": s3d_model not in (l70, l405)
            and _row(rows, l405, "stacked3d", 1)["model"] == s3d_model,
        "HBF is slower, costlier in energy and dearer per token on llama-3-70b":
            min(slower) > 0 and min(more_j) > 0 and min(dearer) > 1,
        "cost per token follows speed at batch 1": pim["usd_per_mtoken"] < pnm["usd_per_mtoken"] < base["usd_per_mtoken"],
    }
    wrong = [k for k, ok in claims.items() if not ok]
    if wrong:
        raise AssertionError(f"README's directions bullets no longer hold: {wrong}")
    pim_bw = nearmem.summary(accelsim.presets.load("h200-pim"))[1]["near_memory_internal_bandwidth_bytes_per_s"]
    hbf = accelsim.presets.load("h200-hbf").hbf
    h200 = accelsim.presets.load("h200")
    s3d = accelsim.presets.load("stacked3d")
    w405 = accelsim.models.load(l405).weight_bytes("fp8")
    return (
        f"- **Batch 1 streams every weight once per token, so bandwidth next to the MACs wins, in time, energy and\n"
        f"  cost.** PIM reads all banks at once ({pim_bw / 1e12:.0f} TB/s inside the stacks) and is limited by its "
        f"slow MAC lanes:\n"
        f"  {pim['tokens_per_s'] / base['tokens_per_s']:.2f}x the h200 on llama-3-70b at {pim['j_per_token']:.2f} "
        f"J/token against {base['j_per_token']:.2f}, ${pim['usd_per_mtoken']:.2f} against "
        f"${base['usd_per_mtoken']:.2f} per million tokens. PNM\n"
        f"  doubles the stack bandwidth through the base die: {pnm['tokens_per_s'] / base['tokens_per_s']:.2f}x, "
        f"{pnm['j_per_token']:.2f} J/token, ${pnm['usd_per_mtoken']:.2f}. The designs cost about\n"
        f"  what the h200 costs (PIM stacks are priced on their full silicon, PNM adds a few mm2 of base-die logic),\n"
        f"  so cost and carbon per token follow the speed.\n"
        f"- **From batch 16, a dense model's GEMVs outgrow the near-memory MACs** and are given back to the GPU:\n"
        f"  PNM and PIM then equal the h200.\n"
        f"- **Capacity decides the rest.** Only the HBF + HBM hybrid holds llama-3-405b ({w405 / 1e9:.0f} GB of fp8 "
        f"weights in\n"
        f"  {hbf.capacity_bytes / 1e12:.2f} TB of flash), at {min(hbf405):.2f}-{max(hbf405):.0f} tokens/s. Its "
        f"{hbf.stacks} flash stacks give {hbf.peak_read_bandwidth_bytes_per_s / 1e12:.1f} TB/s against the h200's "
        f"{h200.peak_dram_bandwidth_bytes_per_s / 1e12:.1f}, so\n"
        f"  on llama-3-70b it is {_pct_range(slower)} slower at {_pct_range(more_j)} more J/token, and its flash "
        f"makes it the dearest per token\n"
        f"  ({min(dearer):.2f}-{max(dearer):.2f}x). The 3D-stacked design's {s3d.memory_capacity_bytes / 2**30:.0f} "
        f"GiB hold neither model (it runs {s3d_model} instead).\n"
        f"- **The chip's active floor is most of the energy at small batch**: {h200.energy.static_power_w:.0f} W idle "
        f"plus {busy_power_w(h200):.0f} W of busy power\n"
        f"  on the GH100 die (calibrated on measured decode power, below), so a faster step is usually also a\n"
        f"  cheaper and cleaner one.\n")


# ------------------------------------------------------------------------------------------- cost

_COST_FIELDS = ("lifetime_years", "utilization", "electricity_usd_per_kwh", "pue", "grid_gco2e_per_kwh",
                "hbm3_usd_per_gb", "hbm3e_usd_per_gb", "hbm4_usd_per_gb", "memory_speed_exponent", "host_usd_per_chip",
                "host_power_w_per_chip", "fab_gco2e_per_kwh", "dram_kgco2e_per_gb")


def cost_table() -> str:
    """A few CostSpec defaults (accelsim.explore.cost) with what each means and its source, from the field docs."""
    import dataclasses  # noqa: PLC0415

    from accelsim.explore import cost  # noqa: PLC0415

    spec = cost.CostSpec()
    docs = {f.name: f.metadata.get("doc", "") for f in dataclasses.fields(spec)}
    lines = ["| field | default | meaning and source |", "| --- | --- | --- |"]
    for name in _COST_FIELDS:
        v = getattr(spec, name)
        cell = f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}"
        lines.append(f"| `{name}` | {cell} | {docs[name]} |")
    return "\n".join(lines) + "\n"


def cited(text: str) -> str:
    """Normalise whitespace (helper for generators that wrap prose)."""
    return re.sub(r"[ \t]+\n", "\n", text)


# ------------------------------------------------------------------------------ Ramulator side by side


def ramulator_table() -> str:
    """benchmarks/ramulator_compare.py's bandwidth and latency columns against Ramulator 2.1's stored figures
    (tests/data/ramulator2_figures.json), as markdown. The speed column is a measurement on a shared machine:
    the note quotes it with its run, it is not regenerated."""
    import json  # noqa: PLC0415
    import pathlib  # noqa: PLC0415

    if os.path.join(ROOT, "benchmarks") not in sys.path:  # a test may have restored sys.path since the import
        sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    import ramulator_compare as rc  # noqa: PLC0415 - benchmarks/ramulator_compare.py

    stored = json.loads(pathlib.Path(rc.FIGURES).read_text())
    ref_of = {(c["standard"], c["pattern"], c["refresh"]): c for c in stored["cases"]}
    n = stored["requests_per_case"]
    lines = [f"{n:,} requests per case; Ramulator 2.1 at {stored['ramulator2_describe']} "
             f"(commit {stored['ramulator2_commit'][:12]}).", "",
             "| standard | pattern | refresh | bandwidth, % of pin peak: accelsim | Ramulator | d pp "
             "| read latency ns: accelsim | Ramulator | d % |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    worst_bw = worst_lat = 0.0
    within = 0
    for std, pat, ref in rc.cases():
        a, r = rc.run_accelsim(std, pat, ref, n), ref_of[(std, pat, ref)]
        dbw = a["bandwidth_pct"] - r["bandwidth_pct"]
        dlat = (a["read_latency_ns"] / r["read_latency_ns"] - 1) * 100 if r["read_latency_ns"] else 0.0
        worst_bw, worst_lat = max(worst_bw, abs(dbw)), max(worst_lat, abs(dlat))
        within += abs(dbw) <= 3 and abs(dlat) <= 5
        lines.append(f"| {std} | {pat} | {'on' if ref else 'off'} | {a['bandwidth_pct']:.1f} | {r['bandwidth_pct']:.1f} "
                     f"| {dbw:+.1f} | {a['read_latency_ns']:.1f} | {r['read_latency_ns']:.1f} | {dlat:+.1f} |")
    lines += ["", f"{within} of {len(rc.cases())} cases within 3 pp of bandwidth and 5% of read latency; worst "
              f"|d bandwidth| {worst_bw:.1f} pp, worst |d latency| {worst_lat:.1f}%."]
    return "\n".join(lines) + "\n"

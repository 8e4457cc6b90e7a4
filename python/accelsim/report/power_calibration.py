"""Decode power and energy per token against published GPU measurements (the ML.ENERGY Leaderboard v3.0).

The measurements (``accelsim/data/mlenergy_decode_power.json``, 57 configurations: Llama-3.1-8B / 70B /
405B-FP8 served by vLLM on H100 and B200 at batch 8 to 2048, the file's ``"source"``, ``"quote_*"`` and
``"configuration"`` fields say exactly what was measured) are steady-state GPU energy per output token and
average GPU power.  Each configuration becomes one simulated decode step:

- machine: ``h100-sxm`` or ``b200``; ``num_gpus > 1`` runs tensor parallel on the NVLink switch of the
  DGX presets (5.5 pJ/bit SerDes links, :mod:`accelsim.presets.systems`) with
  :func:`accelsim.parallel_decode_step`, ``num_gpus == 1`` is :func:`accelsim.decode_step`;
- batch: the measured average batch; context: the mean LM-Arena prompt, taken as LMSYS-Chat-1M's 69.5 tokens
  (Zheng et al., ICLR 2024, Table 1), plus half the measured mean output (the mean position of a decoded
  token); weights in the measured precision, KV cache bf16 (vLLM's default);
- model J/token = step energy / batch; model power = step energy / simulated step time (all GPUs);
  published step time = average batch / output throughput.

What the published figure includes that the model does not: prefill of the prompts (folded into the
per-token energy), sampling and vLLM's CPU-side scheduling gaps (the GPU stays powered), kernels slower than
the calibrated ones at some shapes.  All of these make the measured step longer than the simulated one, so
the model's J/token is expected to be low by about the time ratio times the static share of the power.
``model_j_per_token_at_published_step`` separates the two: the same simulated events with the chips' active
floor (static + busy) run over the published step time instead of the simulated one.

:func:`derive_hopper_power` is how the H100 power parameters in :mod:`accelsim.presets.calibration` were set
(from two observations, not per case); :func:`compare` evaluates every row.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from typing import Any

from ..errors import ConfigError

__all__ = ["DATA_FILE", "PROMPT_TOKENS", "load_measurements", "context_of", "model_row", "compare", "summary",
           "derive_hopper_power", "table", "CALIBRATION_ROW", "parallel_step_energy"]

DATA_FILE = "mlenergy_decode_power.json"
#: mean user prompt of LM Arena conversations, tokens (LMSYS-Chat-1M, Zheng et al., ICLR 2024, Table 1)
PROMPT_TOKENS = 69.5
#: the one measurement the H100 busy power is set from (see derive_hopper_power); excluded from the scores
CALIBRATION_ROW = ("H100", "llama-3-8b", 1, 8)
_MACHINES = {"H100": "h100-sxm", "B200": "b200"}


def _read(name: str) -> str:
    from importlib.resources import files  # noqa: PLC0415

    return (files("accelsim") / "data" / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _doc() -> str:
    return _read(DATA_FILE)


def load_measurements() -> dict[str, Any]:
    """The measurement document (a fresh dict each call)."""
    return json.loads(_doc())


def context_of(row: dict[str, Any]) -> int:
    """Mean context of a decoded token in ``row``: prompt + half the mean output."""
    return max(1, round(PROMPT_TOKENS + row["avg_output_len"] / 2))


def _system(arch: Any, chips: int) -> Any:
    from ..presets import systems  # noqa: PLC0415
    from ..spec.system import System  # noqa: PLC0415

    net = systems.load("dgx-b200-8").network if arch.name.startswith("b200") else systems.nvlink4_switch()
    return System(name=f"{chips}x{arch.name}", description="", chips=chips, chip=arch, network=net)


def parallel_step_energy(system: Any, r: Any, *, fidelity: str = "fast") -> float:
    """Energy of one tensor-parallel decode step, J: ``r.energy_j`` when the result carries one, else every
    chip's sharded kernels (their own energy model) plus its active floor (static + busy) while it waits on
    exposed communication, plus the collectives' link energy (bytes x pJ/bit)."""
    from ..engine.energy import chip_power_w  # noqa: PLC0415
    from ..multichip.parallel import sharded_model  # noqa: PLC0415
    from ..models import load as load_model  # noqa: PLC0415
    from ..workload.decode import decode_step  # noqa: PLC0415

    e = getattr(r, "energy_j", None)
    if isinstance(e, (int, float)) and math.isfinite(e):
        return float(e)
    if not r.feasible:
        return math.nan
    chip = system.chip
    tp = r.plan.tp
    s = decode_step(chip, sharded_model(load_model(r.model_name), tp), batch=r.batch, context=r.context,
                    weight_dtype=r.weight_dtype, kv_dtype=r.kv_dtype, fidelity=fidelity)
    wait = max(0.0, r.time_s - s.time_s)
    links = math.fsum(c.result.energy_j * c.count for c in r.comms)
    return system.chips * (s.energy_j + chip_power_w(chip, "active") * wait) + links


def model_row(row: dict[str, Any], *, fidelity: str = "fast", arch: Any = None) -> dict[str, Any]:
    """Simulate one measured configuration; the published and modelled figures side by side."""
    from .. import presets  # noqa: PLC0415
    from ..multichip.parallel import parallel_decode_step  # noqa: PLC0415
    from ..workload.decode import decode_step  # noqa: PLC0415

    if arch is None:
        if row["gpu"] not in _MACHINES:
            raise ConfigError("gpu", f"no preset for {row['gpu']!r}; choose one of {list(_MACHINES)}", row["gpu"])
        arch = presets.load(_MACHINES[row["gpu"]])
    batch = max(1, round(row["avg_batch_size"]))
    ctx = context_of(row)
    tp = int(row["num_gpus"])
    if tp == 1:
        s = decode_step(arch, row["model"], batch=batch, context=ctx, weight_dtype=row["weight_dtype"],
                        fidelity=fidelity)
        e, t, feasible = s.energy_j, s.time_s, s.feasible
    else:
        system = _system(arch, tp)
        r = parallel_decode_step(system, row["model"], batch, ctx, weight_dtype=row["weight_dtype"], fidelity=fidelity)
        e, t, feasible = parallel_step_energy(system, r, fidelity=fidelity), r.time_s, r.feasible
    pub_step = row["avg_batch_size"] / row["output_tokens_per_s"]
    from ..engine.energy import chip_power_w  # noqa: PLC0415

    floor = tp * chip_power_w(arch, "active")
    out = dict(gpu=row["gpu"], model=row["model"], weight_dtype=row["weight_dtype"], num_gpus=tp,
               batch=batch, context=ctx, feasible=feasible,
               published_j_per_token=row["energy_per_token_j"], published_power_w=row["avg_power_w"],
               published_step_s=pub_step, model_j_per_token=math.nan, model_power_w=math.nan, model_step_s=math.nan,
               model_j_per_token_at_published_step=math.nan)
    if feasible and math.isfinite(e) and t > 0:
        # the same events, with the chips' active floor over the published (longer) step instead of the simulated
        at_pub = (e + floor * (pub_step - t)) / batch
        out.update(model_j_per_token=e / batch, model_power_w=e / t, model_step_s=t,
                   model_j_per_token_at_published_step=at_pub)
    out["error"] = out["model_j_per_token"] / out["published_j_per_token"] - 1.0
    out["power_error"] = out["model_power_w"] / out["published_power_w"] - 1.0
    out["time_ratio"] = out["model_step_s"] / pub_step
    out["error_at_published_step"] = out["model_j_per_token_at_published_step"] / out["published_j_per_token"] - 1.0
    out["calibration"] = (row["gpu"], row["model"], tp, row["max_num_seqs"]) == CALIBRATION_ROW
    return out


def compare(*, gpus: tuple[str, ...] = ("H100", "B200"), fidelity: str = "fast") -> list[dict[str, Any]]:
    """:func:`model_row` for every measurement on ``gpus``."""
    return [model_row(r, fidelity=fidelity) for r in load_measurements()["rows"] if r["gpu"] in gpus]


def summary(rows: list[dict[str, Any]], within: float = 0.25) -> dict[str, Any]:
    """Counts and median |error| of the scored rows (the calibration row excluded)."""
    scored = [r for r in rows if not r["calibration"] and math.isfinite(r["error"])]
    errs = sorted(abs(r["error"]) for r in scored)
    ok = [r for r in scored if abs(r["error"]) <= within]
    at_pub = [r for r in scored if abs(r["error_at_published_step"]) <= within]
    return dict(n=len(scored), within=len(ok), within_batches=sorted({r["batch"] for r in ok}),
                within_at_published_step=len(at_pub),
                median_abs_error=errs[len(errs) // 2] if errs else math.nan,
                median_abs_power_error=sorted(abs(r["power_error"]) for r in scored)[len(scored) // 2]
                if scored else math.nan)


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: published vs model J/token and power, per configuration."""
    lines = ["| GPU | model | GPUs | batch | ctx | J/token published | J/token model | error | W published | "
             "W model | W error | step model/published | J/token at the published step | error |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        tag = " (calibration)" if r["calibration"] else ""
        lines.append(f"| {r['gpu']} | {r['model']}{' ' + r['weight_dtype'] if r['weight_dtype'] != 'bf16' else ''}{tag} "
                     f"| {r['num_gpus']} | {r['batch']} | {r['context']} | {r['published_j_per_token']:.4f} | "
                     f"{r['model_j_per_token']:.4f} | {r['error']:+.1%} | {r['published_power_w']:,.0f} | "
                     f"{r['model_power_w']:,.0f} | {r['power_error']:+.1%} | {r['time_ratio']:.2f} | "
                     f"{r['model_j_per_token_at_published_step']:.4f} | {r['error_at_published_step']:+.1%} |")
    return "\n".join(lines)


def derive_hopper_power(*, static_power_w: float, gemm_power_w: float = 700.0, fidelity: str = "fast"
                        ) -> dict[str, float]:
    """The H100 power parameters from two observations (no per-case fitting):

    1. ML.ENERGY Llama-3.1-8B on one H100 at batch 8 (the CALIBRATION_ROW): measured average power over
       the measured step time;
    2. a large bf16 GEMM (8192^3) at the simulated sustained throughput draws the 700 W board limit (dense
       GEMMs on H100 SXM run power-capped; ML.ENERGY's compute-heavy rows reach 687-691 W).

    With the per-FLOP, DRAM and local-SRAM energies as set in the preset (Horowitz-scaled), the two unknowns
    are the active floor X = static + busy (W) and the L2 energy L (pJ/bit):
    ``P1 t1 = X t1 + E1 + L b1`` and ``P2 = X + R2 + L r2`` (E, R: the other events; b, r: L2 bits).
    The busy part X - static is split between the compute units and the L2 ports in proportion to their
    modelled area (:mod:`accelsim.explore.cost.area`), per unit per cycle and per L2 byte/cycle per cycle.
    """
    from .. import presets  # noqa: PLC0415
    from ..engine.simulate import simulate  # noqa: PLC0415
    from ..explore.cost import area as _area  # noqa: PLC0415
    from ..workload.decode import decode_step  # noqa: PLC0415
    from ..workload.kernels import Gemv  # noqa: PLC0415

    arch = presets.load("h100-sxm")
    probe = dataclasses.replace(arch.energy, l2_pj_per_bit=1.0, static_power_w=0.0, unit_busy_pj_per_cycle=0.0,
                                l2_busy_pj_per_byte_cycle=0.0, board_power_limit_w=0.0)
    a = arch.replace(energy=probe)
    row = next(r for r in load_measurements()["rows"]
               if (r["gpu"], r["model"], r["num_gpus"], r["max_num_seqs"]) == CALIBRATION_ROW)
    s = decode_step(a, row["model"], batch=round(row["avg_batch_size"]), context=context_of(row), fidelity=fidelity)
    c1 = s.energy_by_component_j
    t1 = row["avg_batch_size"] / row["output_tokens_per_s"]
    p1 = row["avg_power_w"]
    b1, e1 = c1["l2"], math.fsum(v for k, v in c1.items() if k != "l2")
    g = simulate(a, Gemv(m=8192, n=8192, k=8192, dtype="bf16"), fidelity=fidelity)
    c2 = g.energy_by_component_j
    r2 = c2["l2"] / g.time_s
    rest2 = math.fsum(v for k, v in c2.items() if k != "l2") / g.time_s
    # p1 t1 = x t1 + e1 + l b1 ;  gemm_power = x + rest2 + l r2
    l_pj = (p1 * t1 - e1 - t1 * (gemm_power_w - rest2)) / (b1 - t1 * r2)
    x = gemm_power_w - rest2 - l_pj * r2
    busy = x - static_power_w
    unit = _area.unit_area(arch.compute, "n4", "nvidia")
    units_mm2 = 144 * unit.total  # GH100: 144 SMs on the die
    l2_mm2 = _area.sram_area_mm2(60 * 2**20, "n4")  # 60 MB L2 on the die
    share_units = units_mm2 / (units_mm2 + l2_mm2)
    return dict(active_floor_w=x, l2_pj_per_bit=l_pj, busy_w=busy, busy_units_share=share_units,
                unit_busy_pj_per_cycle=busy * share_units / (arch.compute.units * arch.compute.clock_ghz * 1e9) * 1e12,
                l2_busy_pj_per_byte_cycle=busy * (1 - share_units) / (arch.l2.bytes_per_cycle * arch.l2.clock_ghz * 1e9)
                * 1e12, gemm_tflops=g.kernels[0].flops / g.time_s / 1e12, calibration_step_s=t1,
                calibration_power_w=p1)

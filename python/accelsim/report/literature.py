"""Published processing-in-memory, near-memory and flash headlines, re-run on accelsim.

Each function below runs one headline comparison of tests/data/literature_pim.json on the papers' machines
(:mod:`accelsim.presets.literature`, systems in :mod:`accelsim.presets.systems`) and returns accelsim's figure
with what was run. The configuration of every case is declared here once, from the sources; nothing is fitted
to a published figure. benchmarks/literature.py prints them beside the published figures.

>>> from accelsim.report import literature
>>> r = literature.reproduce("hbm-pim/processing-bandwidth")
>>> 3.0 < r.value < 4.0
True
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Optional

from ..errors import ConfigError
from ..models import load as load_model
from ..multichip.parallel import ParallelDecodeResult, parallel_decode_step
from ..workload.decode import decode_step
from ..workload.kernels import Gemv

__all__ = ["Reproduction", "CASES", "reproduce", "attacc_runs", "neupims_runs", "gemv_speedup", "LARGE_GEMV",
           "SMALL_GEMV", "ATTACC_LIN", "ATTACC_LOUT", "NEUPIMS_BATCH", "NEUPIMS_CONTEXT", "HBF_BATCH",
           "HBF_CONTEXT"]

#: The device-level claims (processing bandwidth over the pins) are measured on a GEMV large enough to stream
#: (16384 x 16384, 512 MiB of fp16 weights); the system-level GEMV micro-kernels, whose sizes the sources do not
#: give, on an LLM-sized 4096 x 4096.
LARGE_GEMV = (16384, 16384)
SMALL_GEMV = (4096, 4096)
#: AttAcc: GPT-3 175B, fp16, the simulator's default request (Lin 2048, Lout 128); each system runs the largest
#: batch whose requests all fit at Lin + Lout tokens ("up to" = at capacity), at the mean context Lin + Lout / 2.
ATTACC_LIN, ATTACC_LOUT = 2048, 128
#: NeuPIMs: GPT3-7B, tensor parallel 4, batch 512 (the authors' run script); 256 tokens of context per sequence
#: (ShareGPT-scale requests: the trace's length distribution is not in the stored sources; 512 sequences of
#: 256 tokens fill 20 GB of the device's 32 GiB).
NEUPIMS_BATCH, NEUPIMS_CONTEXT = 512, 256
#: HBF: Llama 3.1 405B in bf16 (812 GB: more than the B200's 192 GB of HBM), one sequence of 4096 tokens (the
#: sources give neither batch nor context).
HBF_BATCH, HBF_CONTEXT = 1, 4096


@dataclasses.dataclass(frozen=True)
class Reproduction:
    """accelsim's figure for headline ``id`` (None when its configuration cannot be expressed), and what ran."""

    id: str
    value: Optional[float]
    detail: str

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _load(name: str):  # type: ignore[no-untyped-def]
    from .. import presets  # noqa: PLC0415

    return presets.load(name)


@functools.lru_cache(maxsize=None)
def gemv_speedup(pim: str, base: str, n: int, k: int, dtype: str, fidelity: str = "fast") -> tuple[float, float, float]:
    """(speed-up, PIM seconds, host seconds) of one m = 1 GEMV on ``pim`` over ``base``."""
    from ..engine.simulate import simulate  # noqa: PLC0415

    g = Gemv(m=1, n=n, k=k, dtype=dtype)
    t_pim = simulate(_load(pim), g, fidelity=fidelity).kernels[0].time_s
    t_base = simulate(_load(base), g, fidelity=fidelity).kernels[0].time_s
    return t_base / t_pim, t_pim, t_base


def _gemv_case(hid: str, pim: str, base: str, shape: tuple[int, int], dtype: str) -> Reproduction:
    s, tp, tb = gemv_speedup(pim, base, shape[0], shape[1], dtype)
    return Reproduction(hid, s, f"{shape[0]}x{shape[1]} {dtype} GEMV (m=1): {base} {tb * 1e6:.1f} us, "
                                f"{pim} {tp * 1e6:.1f} us")


def _max_batch(system_name: str, model: str, context: int, dtype: str) -> int:
    """The largest batch whose KV cache (at ``context`` tokens) fits every chip's tiers."""
    from ..presets import systems  # noqa: PLC0415

    sy = systems.load(system_name)
    lo, hi = 0, 1 << 14
    while lo < hi:
        mid = (lo + hi + 1) // 2
        r = parallel_decode_step(sy, model, mid, context, weight_dtype=dtype, kv_dtype=dtype, fidelity="roofline")
        lo, hi = (mid, hi) if r.feasible else (lo, mid - 1)
    if lo == 0:
        raise ConfigError("model", f"{model} does not fit {system_name}", model)
    return lo


@functools.lru_cache(maxsize=None)
def attacc_runs(fidelity: str = "fast") -> dict[str, ParallelDecodeResult]:
    """GPT-3 175B on the AttAcc system and its baselines, each at its largest batch (see ATTACC_LIN)."""
    from ..presets import systems  # noqa: PLC0415

    out = {}
    for name in ("dgx-a100a-attacc-8", "dgx-a100a-160g-8", "dgx-a100a-8"):
        b = _max_batch(name, "gpt-3-175b", ATTACC_LIN + ATTACC_LOUT, "fp16")
        out[name] = parallel_decode_step(systems.load(name), "gpt-3-175b", b, ATTACC_LIN + ATTACC_LOUT // 2,
                                         weight_dtype="fp16", kv_dtype="fp16", fidelity=fidelity)
    return out


def _attacc(hid: str) -> Reproduction:
    runs = attacc_runs()
    a, b = runs["dgx-a100a-attacc-8"], runs["dgx-a100a-160g-8"]
    detail = (f"GPT-3 175B fp16, context {ATTACC_LIN}+{ATTACC_LOUT // 2}: 8 x a100a-attacc at batch {a.batch} "
              f"{a.tokens_per_s:,.0f} tok/s {a.energy_j / a.batch:.3f} J/tok vs 8 x a100a-160g at batch {b.batch} "
              f"{b.tokens_per_s:,.0f} tok/s {b.energy_j / b.batch:.3f} J/tok")
    if hid == "attacc/throughput":
        return Reproduction(hid, a.tokens_per_s / b.tokens_per_s, detail)
    return Reproduction(hid, (b.energy_j / b.batch) / (a.energy_j / a.batch), detail)


@functools.lru_cache(maxsize=None)
def neupims_runs(fidelity: str = "fast") -> dict[str, object]:
    """GPT3-7B (one tensor-parallel shard of 4) on NeuPIMs and its baselines (see NEUPIMS_BATCH)."""
    from ..multichip.parallel import sharded_model  # noqa: PLC0415

    local = sharded_model(load_model("gpt-3-6.7b"), 4)
    return {name: decode_step(_load(name), local, NEUPIMS_BATCH, NEUPIMS_CONTEXT, weight_dtype="fp16",
                              kv_dtype="fp16", fidelity=fidelity)
            for name in ("neupims", "neupims-npu-pim", "neupims-npu")}


def _neupims(hid: str, base: str) -> Reproduction:
    runs = neupims_runs()
    n, b = runs["neupims"], runs[base]
    detail = (f"GPT3-7B / tp 4 fp16, batch {NEUPIMS_BATCH}, context {NEUPIMS_CONTEXT}: neupims "
              f"{n.tokens_per_s:,.0f} tok/s (overlap hid {n.overlap_hidden_s * 1e3:.2f} ms) vs {base} "  # type: ignore[attr-defined]
              f"{b.tokens_per_s:,.0f} tok/s")  # type: ignore[attr-defined]
    return Reproduction(hid, n.tokens_per_s / b.tokens_per_s, detail)  # type: ignore[attr-defined]


def _hbf(hid: str) -> Reproduction:
    kw = dict(weight_dtype="bf16", kv_dtype="bf16")
    f = decode_step(_load("b200-hbf"), "llama-3-405b", HBF_BATCH, HBF_CONTEXT, **kw)
    h = decode_step(_load("b200-hbm-unlimited"), "llama-3-405b", HBF_BATCH, HBF_CONTEXT, **kw)
    detail = (f"Llama 3.1 405B bf16, batch {HBF_BATCH}, context {HBF_CONTEXT}: b200-hbf {f.tokens_per_s:.2f} tok/s vs "
              f"b200-hbm-unlimited {h.tokens_per_s:.2f} tok/s")
    return Reproduction(hid, f.tokens_per_s / h.tokens_per_s, detail)


def _not_expressible(hid: str, why: str) -> Reproduction:
    return Reproduction(hid, None, why)


#: headline id -> the function that reproduces it
CASES: dict[str, Callable[[], Reproduction]] = {
    "hbm-pim/processing-bandwidth": lambda: _gemv_case("hbm-pim/processing-bandwidth", "hbm2-pim-gpu", "hbm2-gpu",
                                                       LARGE_GEMV, "fp16"),
    "hbm-pim/gemv-gpu": lambda: _gemv_case("hbm-pim/gemv-gpu", "hbm2-pim-gpu", "hbm2-gpu", SMALL_GEMV, "fp16"),
    "hbm-pim/gemv-u280": lambda: _gemv_case("hbm-pim/gemv-u280", "hbm2-pim-gpu", "hbm2-gpu", SMALL_GEMV, "fp16"),
    "aim/certain-computation": lambda: _gemv_case("aim/certain-computation", "gddr6-aim-gpu", "gddr6-gpu", LARGE_GEMV,
                                                  "bf16"),
    "aim/gemv-fpga": lambda: _gemv_case("aim/gemv-fpga", "gddr6-aim-gpu", "gddr6-gpu", SMALL_GEMV, "bf16"),
    "attacc/throughput": lambda: _attacc("attacc/throughput"),
    "attacc/energy": lambda: _attacc("attacc/energy"),
    "neupims/vs-npu-only": lambda: _neupims("neupims/vs-npu-only", "neupims-npu"),
    "neupims/vs-npu-pim": lambda: _neupims("neupims/vs-npu-pim", "neupims-npu-pim"),
    "neupims/vs-gpu": lambda: _not_expressible("neupims/vs-gpu", "the GPU-only system is not in the stored sources"),
    "hbf/within-2.2pct": lambda: _hbf("hbf/within-2.2pct"),
    "h3/throughput-10m": lambda: _not_expressible(
        "h3/throughput-10m", "a read-only shared KV prefix in flash is not expressible (the KV cache may not live in "
        "flash), and H^3's batch sizes and GPU counts are not in the stored sources"),
}


def reproduce(headline: str) -> Reproduction:
    """accelsim's figure for one headline id of tests/data/literature_pim.json (see :data:`CASES`)."""
    fn = CASES.get(headline) if isinstance(headline, str) else None
    if fn is None:
        raise ConfigError("headline", f"unknown headline; choose one of {sorted(CASES)}", headline)
    return fn()

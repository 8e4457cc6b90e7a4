"""prefill_step: the prompt pass of a batch of sequences, and with it the time to first token.

The projections and the MLP are the decode step's GEMMs with m = every prompt token of the batch (the
``Gemv`` kernel handles any m: tiles, waves and the matrix rate decide, as a tuned GEMM library's would);
attention is :class:`~accelsim.workload.kernels.PrefillAttention` (a flash-attention forward over the
prompt, causal, after ``prefix`` cached tokens when a chunk of a longer prompt is prefilled); the LM head
and sampling run only for the last token of each sequence, as serving engines do.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from ..engine.energy import sum_components, total_j
from ..engine.result import KernelRow
from ..engine.simulate import FIDELITIES, simulate
from ..errors import ConfigError
from ..dtypes import DTYPE_BYTES
from ..models import ModelSpec
from ..models import load as load_model
from ..spec.machine import Architecture
from .decode import check_weight_dtype, decode_kernels, dtype_alias
from .kernels import DecodeAttention, Elementwise, Gemv, PrefillAttention

__all__ = ["prefill_step", "prefill_kernels", "PrefillStepResult", "attention_shape"]


def attention_shape(model: ModelSpec) -> dict[str, int]:
    """The attention kernels' head counts and head dim for ``model`` (MLA: the latent cache as one kv head
    of half the latent width, as the decode step models it)."""
    if model.mla is not None:
        lat = model.mla.kv_lora_rank + model.mla.qk_rope_head_dim
        return dict(q_heads=model.n_heads, kv_heads=1, head_dim=math.ceil(lat / 2))
    return dict(q_heads=model.n_heads, kv_heads=model.n_kv_heads, head_dim=model.head_dim)


def prefill_kernels(model: ModelSpec, batch: int, prompt_len: int, *, prefix: int = 0, weight_dtype: str = "bf16",
                    kv_dtype: str = "bf16", sampled: int | None = None) -> list[tuple[Any, int]]:
    """The kernels of prefilling ``prompt_len`` tokens of ``batch`` sequences (after ``prefix`` cached
    tokens each) as (kernel, count) pairs in execution order. ``sampled`` sequences (default: all of
    them) go through the LM head and sampling; a chunk that does not end its prompt samples none."""
    tokens = batch * prompt_len
    sampled = batch if sampled is None else sampled
    out: list[tuple[Any, int]] = []
    for k, c in decode_kernels(model, tokens, 1, weight_dtype=weight_dtype, kv_dtype=kv_dtype):
        if isinstance(k, DecodeAttention):
            k = PrefillAttention(name="prefill_attention", batch=batch, q_len=prompt_len, prefix=prefix,
                                 dtype=k.dtype, kv_dtype=kv_dtype, **attention_shape(model))
        elif k.name in ("lm_head", "sampling"):
            if not sampled:
                continue
            k = (dataclasses.replace(k, m=sampled) if isinstance(k, Gemv)
                 else dataclasses.replace(k, n_elements=sampled * model.vocab_size))
        out.append((k, c))
    return out


@dataclasses.dataclass(frozen=True)
class PrefillStepResult:
    """The prompt pass of ``batch`` sequences of ``prompt_len`` tokens: ``time_s`` (the time to first
    token of every sequence in the batch when it starts on an idle machine), ``tokens_per_s`` (prompt
    tokens per second). ``feasible``/``reason`` as in decode_step (weights + the batch's KV must fit)."""

    arch_name: str
    model_name: str
    batch: int
    prompt_len: int
    prefix: int
    weight_dtype: str
    kv_dtype: str
    feasible: bool
    reason: str
    time_s: float
    weight_bytes: int
    kv_cache_bytes: int
    capacity_bytes: int
    kernels: tuple[tuple[KernelRow, int], ...] = ()

    @property
    def ttft_s(self) -> float:
        return self.time_s

    @property
    def tokens_per_s(self) -> float:
        return self.batch * self.prompt_len / self.time_s if self.feasible and self.time_s > 0 else 0.0

    @property
    def flops(self) -> float:
        return sum(r.flops * n for r, n in self.kernels)

    @property
    def energy_by_component_j(self) -> dict[str, float] | None:
        if not self.feasible:
            return None
        return sum_components((r.energy_components_j, float(n)) for r, n in self.kernels)

    @property
    def energy_j(self) -> float:
        return total_j(self.energy_by_component_j)

    def as_dict(self) -> dict[str, Any]:
        t = self.time_s if math.isfinite(self.time_s) else None
        e = self.energy_j
        return dict(arch=self.arch_name, model=self.model_name, batch=self.batch, prompt_len=self.prompt_len,
                    prefix=self.prefix, weight_dtype=self.weight_dtype, kv_dtype=self.kv_dtype,
                    feasible=self.feasible, reason=self.reason, time_s=t, ttft_s=t, tokens_per_s=self.tokens_per_s,
                    flops=self.flops, energy_j=e if math.isfinite(e) else None,
                    kernels=[dict(r.as_dict(), count=n) for r, n in self.kernels])

    def table(self) -> str:
        head = (f"{self.model_name} on {self.arch_name}: prefill of {self.batch} x {self.prompt_len} tokens"
                + (f" after {self.prefix} cached" if self.prefix else "")
                + f", weights {self.weight_dtype}, KV {self.kv_dtype}")
        if not self.feasible:
            return f"{head}: infeasible: {self.reason}"
        lines = [head, f"{'kernel':22s} {'count':>5s} {'us/call':>10s} {'us total':>10s} {'share':>6s} {'TFLOP/s':>8s}  bound"]
        for r, n in self.kernels:
            tf = r.flops / r.time_s / 1e12 if r.time_s > 0 else 0.0
            lines.append(f"{r.name[:22]:22s} {n:5d} {r.time_s * 1e6:10.1f} {r.time_s * n * 1e6:10.1f} "
                         f"{r.time_s * n / self.time_s:6.1%} {tf:8.0f}  {r.bound}")
        lines.append(f"prefill {self.time_s * 1e3:.2f} ms (TTFT) -> {self.tokens_per_s:,.0f} prompt tokens/s, "
                     f"{self.flops / self.time_s / 1e12:.0f} TFLOP/s")
        if math.isfinite(self.energy_j):
            lines.append(f"energy {self.energy_j:.3f} J")
        return "\n".join(lines)


def prefill_step(arch: Architecture, model: ModelSpec | str, batch: int = 1, prompt_len: int = 2048, *,
                 prefix: int = 0, weight_dtype: str = "bf16", kv_dtype: str = "bf16",
                 fidelity: str = "fast", workers: int | None = None) -> PrefillStepResult:
    """Simulate the prompt pass of ``batch`` sequences of ``prompt_len`` tokens (after ``prefix`` cached
    tokens each, for a chunk of a longer prompt).

    >>> import accelsim
    >>> p = accelsim.prefill_step(accelsim.presets.load("h100-sxm"), "llama-3-8b", batch=1, prompt_len=2048)
    >>> 0.02 < p.time_s < 0.5
    True
    """
    if isinstance(model, str):
        model = load_model(model)
    if not isinstance(model, ModelSpec):
        raise ConfigError("model", "must be a ModelSpec or a model name", type(model).__name__)
    if not isinstance(arch, Architecture):
        raise ConfigError("arch", "must be an accelsim.Architecture (see accelsim.presets.load)", type(arch).__name__)
    for name, v, lo, hi in (("batch", batch, 1, 1 << 20), ("prompt_len", prompt_len, 1, 1 << 24),
                            ("prefix", prefix, 0, 1 << 28)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ConfigError(name, f"must be an integer between {lo} and {hi}", v)
    if batch * prompt_len > 1 << 24:
        raise ConfigError("prompt_len", "batch x prompt_len must be at most 2**24 tokens", batch * prompt_len)
    weight_dtype, kv_dtype = dtype_alias(weight_dtype, "weight_dtype"), dtype_alias(kv_dtype, "kv_dtype")
    check_weight_dtype(weight_dtype)
    if not isinstance(kv_dtype, str) or kv_dtype not in DTYPE_BYTES:
        raise ConfigError("kv_dtype", f"unknown dtype; choose one of {sorted(DTYPE_BYTES)}", kv_dtype)
    if not isinstance(fidelity, str) or fidelity not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {FIDELITIES}", fidelity)
    wbytes = model.weight_bytes(weight_dtype)
    kvbytes = model.kv_bytes_per_token(kv_dtype) * batch * (prefix + prompt_len)
    cap = arch.memory_capacity_bytes
    common = dict(arch_name=arch.name, model_name=model.name, batch=batch, prompt_len=prompt_len, prefix=prefix,
                  weight_dtype=weight_dtype, kv_dtype=kv_dtype, weight_bytes=wbytes, kv_cache_bytes=kvbytes,
                  capacity_bytes=cap)
    if wbytes + kvbytes > cap:
        reason = (f"weights ({wbytes / 1e9:.1f} GB, {weight_dtype}) + KV cache ({kvbytes / 1e9:.1f} GB, {kv_dtype}) "
                  f"exceed memory capacity ({cap / 1e9:.1f} GB)")
        return PrefillStepResult(feasible=False, reason=reason, time_s=float("nan"), **common)
    seq = prefill_kernels(model, batch, prompt_len, prefix=prefix, weight_dtype=weight_dtype, kv_dtype=kv_dtype)
    res = simulate(arch, [k for k, _ in seq], fidelity=fidelity, workers=workers)
    rows = tuple((row, n) for row, (_, n) in zip(res.kernels, seq))
    return PrefillStepResult(feasible=True, reason="", time_s=math.fsum(r.time_s * n for r, n in rows),
                             kernels=rows, **common)

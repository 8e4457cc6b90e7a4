"""decode_step: one decode step of a model on a machine, expanded into the kernels a well-optimized
serving engine runs (norms and rope fused into neighbouring elementwise kernels, graph-launched), then
simulated. Identical layers are identical kernels, so they are simulated once (see simulate.py).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from ..spec.machine import Architecture
from ..engine.energy import sum_components, total_j
from ..errors import ConfigError
from ..dtypes import DTYPE_BYTES, WEIGHT_FORMATS, canonical, weight_format
from .kernels import ENGINE_SPLIT_KV, DecodeAttention, Elementwise, Gemv, Moe, _finite
from ..models import ModelSpec
from ..models import load as load_model
from ..models.spec import GATED_ACTIVATIONS
from ..engine.simulate import FIDELITIES, simulate
from ..engine.result import KernelRow

__all__ = ["decode_step", "decode_kernels", "decode_moe", "DecodeStepResult", "is_tiered", "overlap_mode",
           "host_near_split", "heads_hidden_s", "static_w", "gemv_dtypes"]


@dataclasses.dataclass(frozen=True)
class DecodeStepResult:
    """One decode step: ``time_s`` for the step, ``tokens_per_s`` = batch / time_s.

    ``feasible`` is False (and ``reason`` says why, ``time_s`` is NaN) when weights + KV cache do not fit
    the machine's memory. ``kernels`` holds one row per kernel *kind* with its count per step.
    """

    arch_name: str
    model_name: str
    batch: int
    context: int
    weight_dtype: str
    kv_dtype: str
    feasible: bool
    reason: str
    time_s: float
    weight_bytes: int
    kv_cache_bytes: int
    capacity_bytes: int
    kernels: tuple[tuple[KernelRow, int], ...] = ()
    routing_zipf_s: float = 0.0  # MoE routing skew the step was simulated with (0 = uniform)
    #: how host and near-memory kernels overlapped (placement.overlap) and the time that hid
    overlap: str = "none"
    overlap_hidden_s: float = 0.0
    #: static energy of the hidden time, which both overlapped sides' kernels charged (removed from the total)
    overlap_static_j: float = 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.batch / self.time_s if self.feasible and self.time_s > 0 else 0.0

    @property
    def dram_read_bytes(self) -> int:
        return sum(r.dram_read_bytes * n for r, n in self.kernels)

    @property
    def dram_write_bytes(self) -> int:
        return sum(r.dram_write_bytes * n for r, n in self.kernels)

    @property
    def l2_read_bytes(self) -> int:
        return sum(r.l2_read_bytes * n for r, n in self.kernels)

    @property
    def launch_s(self) -> float:
        return sum(r.launch_s * n for r, n in self.kernels)

    @property
    def flops(self) -> float:
        return sum(r.flops * n for r, n in self.kernels)

    @property
    def energy_by_component_j(self) -> dict[str, float] | None:
        """Energy of the step by component (see accelsim.engine.energy.COMPONENTS), joules; None if the machine has
        no energy spec or the step is infeasible."""
        if not self.feasible:
            return None
        comps = sum_components((r.energy_components_j, float(n)) for r, n in self.kernels)
        if comps is not None and self.overlap_static_j:  # overlapped kernels charged the hidden time's static twice
            comps["static"] -= self.overlap_static_j
        return comps

    @property
    def energy_j(self) -> float:
        """Energy of the step, joules (exact sum of the components); NaN without an energy spec or if infeasible."""
        return total_j(self.energy_by_component_j)

    @property
    def joules_per_token(self) -> float:
        """``energy_j / batch`` (each sequence makes one token per step); NaN when energy_j is NaN."""
        return self.energy_j / self.batch

    @property
    def n_kernels(self) -> int:
        """Kernel launches per step (each row's count summed)."""
        return sum(n for _, n in self.kernels)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (seconds, bytes); a NaN time (infeasible) becomes None."""
        t = self.time_s if math.isfinite(self.time_s) else None
        return dict(arch=self.arch_name, model=self.model_name, batch=self.batch, context=self.context,
                    weight_dtype=self.weight_dtype, kv_dtype=self.kv_dtype, feasible=self.feasible,
                    reason=self.reason, time_s=t, tokens_per_s=self.tokens_per_s,
                    weight_bytes=self.weight_bytes, kv_cache_bytes=self.kv_cache_bytes,
                    capacity_bytes=self.capacity_bytes, dram_read_bytes=self.dram_read_bytes,
                    dram_write_bytes=self.dram_write_bytes, l2_read_bytes=self.l2_read_bytes,
                    launch_s=self.launch_s, flops=self.flops, kernels=self.rows(),
                    energy_j=_finite_or_none(self.energy_j), joules_per_token=_finite_or_none(self.joules_per_token),
                    energy_by_component_j=self.energy_by_component_j, routing_zipf_s=self.routing_zipf_s,
                    overlap=self.overlap, overlap_hidden_s=self.overlap_hidden_s)

    def rows(self) -> list[dict[str, Any]]:
        """Per-kernel rows: name, count, time per call and in total, bytes, FLOPs, bandwidth, bound."""
        out = []
        for r, n in self.kernels:
            d = r.as_dict()
            d["count"] = n
            d["total_time_s"] = r.time_s * n
            out.append(d)
        return out

    def table(self) -> str:
        if not self.feasible:
            return f"{self.model_name} on {self.arch_name}: infeasible: {self.reason}"
        lines = [f"{self.model_name} on {self.arch_name}, batch {self.batch}, context {self.context}, "
                 f"weights {self.weight_dtype}, KV {self.kv_dtype}"
                 + (f", MoE routing Zipf s={self.routing_zipf_s:g}" if self.routing_zipf_s else ""),
                 f"{'kernel':22s} {'count':>5s} {'us/call':>9s} {'us total':>9s} {'share':>6s} {'GB/s':>7s}  bound"]
        for r, n in self.kernels:
            lines.append(f"{r.name[:22]:22s} {n:5d} {r.time_s * 1e6:9.2f} {r.time_s * n * 1e6:9.1f} "
                         f"{r.time_s * n / self.time_s:6.1%} {r.achieved_bandwidth_bytes_per_s / 1e9:7.0f}  {r.bound}")
        lines.append(f"step {self.time_s * 1e3:.3f} ms -> {self.tokens_per_s:,.0f} tokens/s")
        if math.isfinite(self.energy_j):
            lines.append(f"energy {self.energy_j * 1e3:.3f} mJ/step -> {self.joules_per_token * 1e3:.3f} mJ/token")
        return "\n".join(lines)


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def gemv_dtypes(weight_dtype: str) -> dict[str, Any]:
    """The Gemv / Moe dtype arguments of a linear layer stored as ``weight_dtype`` (a dtype or a weight format,
    see :data:`accelsim.dtypes.WEIGHT_FORMATS`): fp8/int8 run W8A8, as serving engines run 8-bit checkpoints;
    int4/fp4 weight-only with group-wise bf16 scales; nvfp4/mxfp4 W4A4 on the fp4 math rate, with their block
    scales on weights and activations."""
    f = weight_format(weight_dtype)
    if f.weight_only:
        return dict(dtype=f.activation, weight_dtype=f.weight, group_size=f.group_size, scale_bits=f.scale_bits)
    if f.group_size:
        return dict(dtype=f.weight, activation_dtype=f.activation, group_size=f.group_size, scale_bits=f.scale_bits)
    return dict(dtype=f.weight)


def _gemv(name: str, m: int, n: int, k: int, weight_dtype: str) -> Gemv:
    return Gemv(name=name, m=m, n=n, k=k, **gemv_dtypes(weight_dtype))


def _head_dtype(weight_dtype: str) -> str:
    """The LM head's dtype: 4-bit checkpoints keep it in bf16 (quantizers leave it unquantized)."""
    return "bf16" if weight_format(weight_dtype).weight in ("int4", "fp4") else weight_dtype


def check_routing(routing_zipf_s: Any) -> float:
    _finite("routing_zipf_s", routing_zipf_s, hi=10.0)
    return float(routing_zipf_s)


def decode_moe(model: ModelSpec | str, batch: int, *, weight_dtype: str = "bf16", routing_zipf_s: float = 0.0) -> Moe:
    """The :class:`~accelsim.workload.kernels.Moe` kernel of one MoE layer of ``model`` for ``batch`` tokens (routed and
    shared experts; the router and the SwiGLUs are separate kernels), with the dtypes :func:`decode_kernels`
    uses (:func:`gemv_dtypes`): fp8/int8 weights run W8A8, int4/fp4 weight-only with group-wise (128) bf16
    scales, nvfp4/mxfp4 W4A4. ``routing_zipf_s`` > 0 skews routing (expert popularity ~ 1 / rank^s); 0 is
    uniform routing."""
    if isinstance(model, str):
        model = load_model(model)
    if not isinstance(model, ModelSpec):
        raise ConfigError("model", "must be a ModelSpec or a model name", type(model).__name__)
    moe = model.moe
    if moe is None:
        raise ConfigError("model.moe", f"{model.name} has no MoE layers", None)
    dt = gemv_dtypes(weight_dtype)
    return Moe(tokens=batch, n_experts=moe.n_experts, top_k=moe.top_k, d_model=model.d_model,
               expert_d_ff=moe.expert_d_ff, n_shared_experts=moe.n_shared_experts,
               shared_d_ff=moe.shared_d_ff if moe.n_shared_experts else 0,
               routing_zipf_s=check_routing(routing_zipf_s), name="moe", **dt)


def decode_kernels(model: ModelSpec, batch: int, context: int, *, weight_dtype: str = "bf16",
                   kv_dtype: str = "bf16", routing_zipf_s: float = 0.0) -> list[tuple[Any, int]]:
    """The kernel sequence of one decode step as (kernel, count per step) pairs, in execution order.

    MoE layers use :func:`decode_moe`'s Moe kernel: its grouped GEMVs (``moe.experts_gate_up``,
    ``moe.experts_down``, ``moe.shared_*``) appear here one per launch. ``routing_zipf_s`` (default 0,
    uniform) skews the routing; dense models ignore it (it is still validated).
    """
    routing_zipf_s = check_routing(routing_zipf_s)
    b, d = batch, model.d_model
    act = "bf16"
    hq, hkv, hd = model.n_heads, model.n_kv_heads, model.head_dim
    out: list[tuple[Any, int]] = []

    def attn_block(count: int) -> None:
        if model.mla is not None:
            mla = model.mla
            q_in = mla.q_lora_rank or d
            qk = mla.qk_nope_head_dim + mla.qk_rope_head_dim
            if mla.q_lora_rank:
                out.append((_gemv("q_a_proj", b, mla.q_lora_rank, d, weight_dtype), count))
            out.append((_gemv("q_b_proj", b, hq * qk, q_in, weight_dtype), count))
            out.append((_gemv("kv_a_proj", b, mla.kv_lora_rank + mla.qk_rope_head_dim, d, weight_dtype), count))
            out.append((Elementwise(name="norm_rope_kvwrite", n_elements=b * (mla.kv_lora_rank + mla.qk_rope_head_dim),
                                    dtype=act, reads=1, writes=2, flops_per_element=6), count))
            # absorbed projections: attention runs over the latent (rank + rope dims) shared by all heads;
            # K and V are one latent vector per token, modelled as one kv-head of half the latent width
            lat = mla.kv_lora_rank + mla.qk_rope_head_dim
            # kv_b_proj's two halves, absorbed (per head, batched): W_UK maps q_nope into the latent
            # before attention, W_UV maps the attended latent to v_head_dim after it. Their weights are
            # read every step like any other projection.
            out.append((_gemv("q_absorb", b, hq * mla.kv_lora_rank, mla.qk_nope_head_dim, weight_dtype), count))
            out.append((DecodeAttention(name="attention_mla", batch=b, q_heads=hq, kv_heads=1,
                                        head_dim=math.ceil(lat / 2), context=context, dtype=act,
                                        kv_dtype=kv_dtype, split_kv=ENGINE_SPLIT_KV), count))
            out.append((_gemv("v_absorb", b, hq * mla.v_head_dim, mla.kv_lora_rank, weight_dtype), count))
            out.append((_gemv("o_proj", b, d, hq * mla.v_head_dim, weight_dtype), count))
        else:
            out.append((_gemv("qkv_proj", b, (hq + 2 * hkv) * hd, d, weight_dtype), count))
            out.append((Elementwise(name="rope_kvwrite", n_elements=b * (hq + 2 * hkv) * hd, dtype=act,
                                    reads=1, writes=1, flops_per_element=4), count))
            out.append((DecodeAttention(name="attention", batch=b, q_heads=hq, kv_heads=hkv, head_dim=hd,
                                        context=context, dtype=act, kv_dtype=kv_dtype,
                                        split_kv=ENGINE_SPLIT_KV), count))
            out.append((_gemv("o_proj", b, d, hq * hd, weight_dtype), count))
        # residual add fused with the next norm
        out.append((Elementwise(name="add_norm", n_elements=b * d, dtype=act, reads=2, writes=2,
                                flops_per_element=5), count))

    def dense_mlp(count: int, ff: int) -> None:
        if model.activation in GATED_ACTIVATIONS:  # gate and up projections, one fused GEMV
            out.append((_gemv("gate_up_proj", b, 2 * ff, d, weight_dtype), count))
            out.append((Elementwise(name="swiglu", n_elements=b * ff, dtype=act, reads=2, writes=1,
                                    flops_per_element=6), count))
        else:  # GPT-style FFN: one up projection and an elementwise activation (GELU / ReLU / SiLU)
            out.append((_gemv("up_proj", b, ff, d, weight_dtype), count))
            out.append((Elementwise(name=model.activation, n_elements=b * ff, dtype=act, reads=1, writes=1,
                                    flops_per_element=8), count))
        out.append((_gemv("down_proj", b, d, ff, weight_dtype), count))
        out.append((Elementwise(name="add_norm", n_elements=b * d, dtype=act, reads=2, writes=2,
                                flops_per_element=5), count))

    def moe_mlp(count: int) -> None:
        moe = model.moe
        assert moe is not None
        out.append((_gemv("router", b, moe.n_experts, d, "bf16"), count))
        # the Moe kernel decides which experts' weights the batch reads (expected distinct experts under
        # uniform or Zipf-skewed routing) and lowers them to grouped GEMVs; each GEMV is one launch and one
        # row, with the SwiGLU between gate/up and down as its own elementwise kernel
        kernel = decode_moe(model, b, weight_dtype=weight_dtype, routing_zipf_s=routing_zipf_s)
        parts = {g.name[len(kernel.name) + 1:]: g for g in kernel.gemvs()}
        out.append((parts["experts_gate_up"], count))
        out.append((Elementwise(name="experts_swiglu", n_elements=b * moe.top_k * moe.expert_d_ff, dtype=act,
                                reads=2, writes=1, flops_per_element=6), count))
        out.append((parts["experts_down"], count))
        if moe.n_shared_experts:
            sff = moe.shared_d_ff * moe.n_shared_experts
            out.append((parts["shared_gate_up"], count))
            out.append((Elementwise(name="shared_swiglu", n_elements=b * sff, dtype=act, reads=2, writes=1,
                                    flops_per_element=6), count))
            out.append((parts["shared_down"], count))
        # weighted sum of the top_k expert outputs (+ the shared experts' output) and the residual, fused
        # with the next norm: reads top_k + shared + 1 vectors of d per token, writes residual and normed
        ins = moe.top_k + (1 if moe.n_shared_experts else 0) + 1
        out.append((Elementwise(name="combine_add_norm", n_elements=b * d, dtype=act, reads=ins, writes=2,
                                flops_per_element=2 * ins + 5), count))

    out.append((Elementwise(name="embed_norm", n_elements=b * d, dtype=act, reads=1, writes=1,
                            flops_per_element=5), 1))
    if model.moe is None:
        attn_block(model.n_layers)
        dense_mlp(model.n_layers, model.d_ff)
    else:
        dense = model.first_dense_layers
        moe_layers = model.n_layers - dense
        if dense:
            attn_block(dense)
            dense_mlp(dense, model.d_ff)
        attn_block(moe_layers)
        moe_mlp(moe_layers)
    out.append((_gemv("lm_head", b, model.vocab_size, d, _head_dtype(weight_dtype)), 1))
    out.append((Elementwise(name="sampling", n_elements=b * model.vocab_size, dtype="fp32", reads=1, writes=0,
                            flops_per_element=4), 1))
    return out


def dtype_alias(v: object, field: str) -> object:
    """The canonical name of a dtype string ("bfloat16" -> "bf16", "FP8" -> "fp8"; for ``weight_dtype`` also a
    weight format, "NVFP4" -> "nvfp4"); anything else is left for check_step_args to refuse with its message."""
    if not isinstance(v, str):
        return v
    return weight_format(v, field).name if field == "weight_dtype" else canonical(v, field)


def check_weight_dtype(v: object, field: str = "weight_dtype") -> None:
    """ConfigError naming ``field`` unless ``v`` is a canonical weight dtype / format name."""
    if not isinstance(v, str) or v not in WEIGHT_FORMATS:
        raise ConfigError(field, f"unknown dtype; choose one of {list(WEIGHT_FORMATS)}", v)




def check_step_args(model: ModelSpec | str, batch: int, context: int, weight_dtype: str, kv_dtype: str,
                    fidelity: str) -> ModelSpec:
    """Validate a decode step's arguments (ConfigError naming the field); returns the ModelSpec."""
    if isinstance(model, str):
        model = load_model(model)
    if not isinstance(model, ModelSpec):
        raise ConfigError("model", "must be a ModelSpec or a model name", type(model).__name__)
    for name, v, hi in (("batch", batch, 1 << 20), ("context", context, 1 << 28)):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= hi:
            raise ConfigError(name, f"must be an integer between 1 and {hi}", v)
    check_weight_dtype(weight_dtype)
    if not isinstance(kv_dtype, str) or kv_dtype not in DTYPE_BYTES:
        raise ConfigError("kv_dtype", f"unknown dtype; choose one of {sorted(DTYPE_BYTES)}", kv_dtype)
    if not isinstance(fidelity, str) or fidelity not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {FIDELITIES}", fidelity)
    return model


def decode_step(arch: Architecture, model: ModelSpec | str, batch: int, context: int, *,
                weight_dtype: str = "bf16", kv_dtype: str = "bf16", fidelity: str = "fast",
                workers: int | None = None, routing_zipf_s: float = 0.0) -> DecodeStepResult:
    """Simulate one decode step (every sequence in the batch produces one token).

    MoE layers read only the experts the batch is expected to touch (see :func:`decode_moe`);
    ``routing_zipf_s`` > 0 skews the routing (Zipf exponent, at most 10), 0 (default) is uniform.

    The distinct kernels not yet simulated are simulated concurrently on ``workers`` threads (default:
    the CPU count, at most 8; the C++ core releases the GIL); ``workers=1`` runs them one by one.
    Results do not depend on ``workers``.

    >>> import accelsim
    >>> s = accelsim.decode_step(accelsim.presets.load("h100-sxm"), "llama-3-8b", batch=1, context=4096)
    >>> 50 < s.tokens_per_s < 1000
    True
    """
    weight_dtype, kv_dtype = dtype_alias(weight_dtype, "weight_dtype"), dtype_alias(kv_dtype, "kv_dtype")
    model = check_step_args(model, batch, context, weight_dtype, kv_dtype, fidelity)
    if not isinstance(arch, Architecture):
        raise ConfigError("arch", "must be an accelsim.Architecture", type(arch).__name__)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError("workers", "must be a positive integer or None", workers)
    routing_zipf_s = check_routing(routing_zipf_s)
    wbytes = model.weight_bytes(weight_dtype)
    kvbytes = model.kv_bytes_per_token(kv_dtype) * batch * context
    cap = arch.memory_capacity_bytes
    common = dict(arch_name=arch.name, model_name=model.name, batch=batch, context=context,
                  weight_dtype=weight_dtype, kv_dtype=kv_dtype, weight_bytes=wbytes, kv_cache_bytes=kvbytes,
                  capacity_bytes=cap, routing_zipf_s=routing_zipf_s)
    tiered = is_tiered(arch)
    if tiered:  # weights on High Bandwidth Flash and/or KV in a near-memory pool: each tier holds its share
        from ..engine.nearmem import tiered_capacity

        cap, tier_reason = tiered_capacity(arch, wbytes, kvbytes)
        common["capacity_bytes"] = cap
        if tier_reason:
            return DecodeStepResult(feasible=False, reason=tier_reason, time_s=float("nan"), **common)
    if not tiered and wbytes + kvbytes > cap:
        reason = (f"weights ({_gb(wbytes)} GB, {weight_dtype}) + KV cache ({_gb(kvbytes)} GB, {kv_dtype}) "
                  f"exceed memory capacity ({_gb(cap)} GB)")
        return DecodeStepResult(feasible=False, reason=reason, time_s=float("nan"), **common)
    mode = overlap_mode(arch)

    def step(b: int) -> tuple[list[tuple[Any, int]], tuple[tuple[KernelRow, int], ...]]:
        seq = decode_kernels(model, b, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype,
                             routing_zipf_s=routing_zipf_s)
        res = simulate(arch, [k for k, _ in seq], fidelity=fidelity, workers=workers)  # on a thread pool
        return seq, tuple((row, n) for row, (_, n) in zip(res.kernels, seq))

    seq, rows = step(batch)
    serial = math.fsum(row.time_s * n for row, n in rows)
    if mode == "sub_batch" and batch >= 2:
        # two sub-batches: one's host kernels run while the other's near-memory kernels do. Each half reads
        # every weight again, so a runtime interleaves only when that is faster (NeuPIMs does so from batch
        # 256); the faster of the two is kept
        halves = [step(b)[1] for b in (batch - batch // 2, batch // 2)]
        (h1, p1), (h2, p2) = (host_near_split(r) for r in halves)
        total = max(h1, p2) + max(h2, p1)
        if total < serial:
            split = math.fsum((h1, p1, h2, p2))
            rows = tuple((dataclasses.replace(r, name=f"{r.name}/sb{i + 1}"), n)
                         for i, rs in enumerate(halves) for r, n in rs)
            return DecodeStepResult(feasible=True, reason="", time_s=total, kernels=rows, overlap=mode,
                                    overlap_hidden_s=split - total, overlap_static_j=static_w(arch) * (split - total),
                                    **common)
    hidden = heads_hidden_s(seq, rows) if mode == "heads" else 0.0
    return DecodeStepResult(feasible=True, reason="", time_s=serial - hidden, kernels=rows,
                            overlap=mode if mode == "heads" else "none", overlap_hidden_s=hidden,
                            overlap_static_j=static_w(arch) * hidden, **common)


def static_w(arch: Architecture) -> float:
    """The machine's static power (0 without an energy spec)."""
    return arch.energy.static_power_w if arch.energy is not None else 0.0


def is_tiered(arch: Architecture) -> bool:
    """True when the machine's weights or KV cache live in a tier of their own (flash, a near-memory pool)."""
    return arch.hbf is not None or (arch.near_memory is not None and arch.near_memory.pool is not None)


def overlap_mode(arch: Architecture) -> str:
    """``arch.placement.overlap`` for a machine with near-memory units, else "none"."""
    if arch.near_memory is None or arch.placement is None:
        return "none"
    return arch.placement.overlap


def host_near_split(rows: tuple[tuple[KernelRow, int], ...]) -> tuple[float, float]:
    """(host seconds, near-memory seconds) of a step's rows (flash-fed kernels run on the host)."""
    host = math.fsum(r.time_s * n for r, n in rows if r.placement in ("host", "host+hbf"))
    near = math.fsum(r.time_s * n for r, n in rows if r.placement not in ("host", "host+hbf"))
    return host, near


def heads_hidden_s(seq: list[tuple[Any, int]], rows: tuple[tuple[KernelRow, int], ...]) -> float:
    """Time hidden when attention on near-memory units is pipelined with the layer's QKV and output
    projections on the host head group by head group (AttAcc): of the shorter side, all but one head
    group's share overlaps the longer side, per layer."""
    hidden = []
    names = [getattr(k, "name", "") for k, _ in seq]
    for i, ((k, n), (row, _)) in enumerate(zip(seq, rows)):
        if not isinstance(k, DecodeAttention) or row.placement in ("host", "host+hbf"):
            continue
        proj = [rows[j][0].time_s for j in range(max(0, i - 3), min(len(rows), i + 2))
                if names[j] in ("qkv_proj", "o_proj") and rows[j][1] == n]
        if not proj:
            continue
        fc = math.fsum(proj)
        hidden.append(n * min(fc, row.time_s) * (1.0 - 1.0 / k.kv_heads))
    return math.fsum(hidden)


def _gb(nbytes: float) -> str:
    """``nbytes`` in GB with one decimal; an int too large for a float (a fuzzed model) as a power of ten."""
    try:
        return f"{nbytes / 1e9:.1f}"
    except OverflowError:
        return f"~1e{len(str(int(nbytes))) - 10}"

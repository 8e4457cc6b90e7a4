"""Parallel decode: one decode step of a model on a multi-chip :class:`~accelsim.spec.system.System` under a
:class:`ParallelPlan` (tensor, expert and pipeline parallelism).

Per-chip compute reuses the single-chip kernels (:func:`accelsim.decode_kernels`) of a *sharded* model,
simulated by the chip's engine (or the package model, :mod:`accelsim.multichip.chiplets`); communication runs as
collective kernels on the system's interconnect (:mod:`accelsim.multichip.collectives`).

Tensor parallel (``tp``)
    Attention heads (and their KV cache), FFN columns, shared experts and the vocabulary are divided by
    ``tp`` (KV heads are replicated when ``tp`` exceeds them).  An all-reduce of the activations
    (``batch x d_model`` bf16) follows attention's output projection and the MLP in every layer, and the
    logits are all-gathered after the LM head.  These are on the critical path: nothing overlaps them.
Expert parallel (``ep``, MoE models)
    With ``tp == 1`` attention runs data-parallel over the ``ep`` chips (each holds the attention weights
    and ``batch / ep`` sequences) and the routed experts are spread over the chips; tokens are dispatched
    to their experts and combined back with two all-to-alls per MoE layer (``tokens x top_k x d_model``
    per chip).  The combine can overlap the shared experts' compute (the overlap is reported).  With
    ``tp == ep`` the experts are whole on chips and the MLP ends in the TP all-reduce as for dense models.
Pipeline parallel (``pp``)
    Layers are split into ``pp`` stages; the batch into ``microbatches`` (default ``min(batch, pp)``).
    A stage passes ``microbatch x d_model`` activations to the next (point to point).  A decode step
    takes ``max(m * t_stage, pp * (t_stage + t_p2p))``: with fewer microbatches than stages the
    pipeline cannot fill and the stages idle (bubble), with enough microbatches the sends hide behind
    other microbatches' compute.

The result gives per-chip compute time, communication time (and how much of it overlaps), the bubble,
and one row per collective.  One chip (``tp = pp = ep = 1``) is exactly :func:`accelsim.decode_step`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from ..spec.base import DATACLASS_KW, int_field, Spec
from ..spec.machine import Architecture
from .chiplets import chip_kernel_time
from .collectives import AllGather, AllReduce, AllToAll, CollectiveResult, simulate_collective
from ..workload.decode import check_routing
from ..workload.decode import check_step_args, decode_kernels, dtype_alias
from ..models.spec import expected_distinct_experts_skewed
from ..errors import ConfigError
from ..dtypes import DTYPE_BYTES, canonical
from ..workload.kernels import Gemv
from ..models import ModelSpec
from ..models import load as load_model
from .network import Flow, simulate_flows
from ..spec.system import Package, System

__all__ = ["ParallelPlan", "ParallelDecodeResult", "CommRow", "parallel_decode_step", "sharded_model"]

ACT_BYTES = DTYPE_BYTES["bf16"]  # activations move as bf16


@dataclass(**DATACLASS_KW)
class ParallelPlan(Spec):
    """Degrees of tensor (``tp``), pipeline (``pp``) and expert (``ep``) parallelism; ``microbatches``
    for the pipeline (0 = ``min(batch, pp)``)."""

    tp: int = dataclasses.field(default=1, metadata=int_field(ge=1, le=4096).metadata)
    pp: int = dataclasses.field(default=1, metadata=int_field(ge=1, le=4096).metadata)
    ep: int = dataclasses.field(default=1, metadata=int_field(ge=1, le=4096).metadata)
    microbatches: int = dataclasses.field(default=0, metadata=int_field(ge=0, le=1 << 20).metadata)

    def _check(self) -> None:
        if self.ep > 1 and self.tp not in (1, self.ep):
            raise ConfigError("ep", f"must be 1, or tp must be 1 or equal ep (tp={self.tp})", self.ep)

    @property
    def chips_per_stage(self) -> int:
        return max(self.tp, self.ep)

    @property
    def chips(self) -> int:
        return self.pp * self.chips_per_stage


def sharded_model(model: ModelSpec, tp: int) -> ModelSpec:
    """The slice of ``model`` one of ``tp`` tensor-parallel chips holds (heads, FFN, vocabulary / tp)."""
    if tp == 1:
        return model
    if model.n_heads % tp:
        raise ConfigError("plan.tp", f"must divide the model's {model.n_heads} attention heads", tp)
    kv = model.n_kv_heads
    if kv % tp and tp % kv:
        raise ConfigError("plan.tp", f"must divide or be a multiple of the model's {kv} KV heads", tp)
    heads = model.n_heads // tp
    kv_chip = max(1, kv // tp)
    changes: dict[str, Any] = dict(n_heads=heads, n_kv_heads=kv_chip, d_ff=max(1, -(-model.d_ff // tp)),
                                   vocab_size=-(-model.vocab_size // tp), attention=None)
    if model.moe is not None:
        moe = model.moe
        changes["moe"] = dataclasses.replace(
            moe, expert_d_ff=max(1, -(-moe.expert_d_ff // tp)),
            shared_expert_d_ff=None if moe.shared_expert_d_ff is None else max(1, -(-moe.shared_expert_d_ff // tp)))
    return dataclasses.replace(model, **changes)


@dataclasses.dataclass(frozen=True)
class CommRow:
    """One kind of communication per step: ``count`` calls of ``result`` each; ``overlapped_s`` of the
    total hidden behind compute."""

    name: str
    count: int
    result: CollectiveResult
    overlapped_s: float = 0.0

    @property
    def total_s(self) -> float:
        return self.result.time_s * self.count


@dataclasses.dataclass(frozen=True)
class ParallelDecodeResult:
    """A decode step on a system.  ``time_s`` = step time; per chip: ``compute_s`` (kernels),
    ``comm_s`` (all communication), ``comm_overlapped_s`` (the part hidden behind compute),
    ``bubble_s`` (pipeline idle time); ``stage_s`` is one microbatch's pass through one stage."""

    system_name: str
    model_name: str
    plan: ParallelPlan
    batch: int
    context: int
    weight_dtype: str
    kv_dtype: str
    feasible: bool
    reason: str
    time_s: float
    compute_s: float = 0.0
    comm_s: float = 0.0
    comm_overlapped_s: float = 0.0
    bubble_s: float = 0.0
    stage_s: float = 0.0
    microbatches: int = 1
    d2d_s: float = 0.0
    roofline_s: float = 0.0
    weight_bytes_per_chip: int = 0
    kv_bytes_per_chip: int = 0
    capacity_bytes_per_chip: int = 0
    comms: tuple[CommRow, ...] = ()
    kernels: tuple[tuple[str, float, int], ...] = ()

    @property
    def tokens_per_s(self) -> float:
        return self.batch / self.time_s if self.feasible and self.time_s > 0 else 0.0

    @property
    def exposed_comm_s(self) -> float:
        return self.comm_s - self.comm_overlapped_s

    @property
    def per_chip_time_s(self) -> float:
        """Busy time of one chip per step (compute + exposed communication)."""
        return self.compute_s + self.exposed_comm_s

    def as_dict(self) -> dict[str, Any]:
        t = self.time_s if math.isfinite(self.time_s) else None
        return dict(system=self.system_name, model=self.model_name, plan=self.plan.to_dict(), batch=self.batch,
                    context=self.context, feasible=self.feasible, reason=self.reason, time_s=t,
                    tokens_per_s=self.tokens_per_s, compute_s=self.compute_s, comm_s=self.comm_s,
                    comm_overlapped_s=self.comm_overlapped_s, exposed_comm_s=self.exposed_comm_s,
                    bubble_s=self.bubble_s, stage_s=self.stage_s, microbatches=self.microbatches,
                    d2d_s=self.d2d_s, weight_bytes_per_chip=self.weight_bytes_per_chip,
                    kv_bytes_per_chip=self.kv_bytes_per_chip,
                    comms=[{**c.result.as_dict(), "name": c.name, "count": c.count, "overlapped_s": c.overlapped_s}
                           for c in self.comms])

    def table(self) -> str:
        p = self.plan
        head = (f"{self.model_name} on {self.system_name}, tp={p.tp} pp={p.pp} ep={p.ep}, batch {self.batch}, "
                f"context {self.context}")
        if not self.feasible:
            return f"{head}: infeasible: {self.reason}"
        lines = [head,
                 f"step {self.time_s * 1e3:.3f} ms -> {self.tokens_per_s:,.0f} tokens/s",
                 f"per chip: compute {self.compute_s * 1e3:.3f} ms, communication {self.comm_s * 1e3:.3f} ms "
                 f"({self.comm_overlapped_s * 1e3:.3f} ms overlapped), pipeline bubble {self.bubble_s * 1e3:.3f} ms",
                 f"{'communication':20s} {'count':>5s} {'bytes':>10s} {'algorithm':>10s} {'us/call':>9s} {'us total':>9s}"]
        for c in self.comms:
            lines.append(f"{c.name[:20]:20s} {c.count:5d} {c.result.message_bytes:10d} {c.result.algorithm:>10s} "
                         f"{c.result.time_s * 1e6:9.2f} {c.total_s * 1e6:9.1f}")
        return "\n".join(lines)


def _p2p(system: System, src: int, dst: int, nbytes: int) -> float:
    """Point-to-point send time: one step of the interconnect's low-latency protocol."""
    ic = system.network
    if src == dst or nbytes == 0:
        return 0.0
    net = system.net()
    t = max(simulate_flows(net, [Flow(src, dst, nbytes / ic.low_latency_bandwidth_fraction)]))
    return ic.base_latency_ns * 1e-9 + ic.step_latency_ns * 1e-9 + t


def parallel_decode_step(system: System, model: ModelSpec | str, batch: int, context: int, *,
                         plan: ParallelPlan | None = None, weight_dtype: str = "bf16", kv_dtype: str = "bf16",
                         fidelity: str = "fast", routing_zipf_s: float = 0.0) -> ParallelDecodeResult:
    """One decode step of ``model`` on ``system`` under ``plan`` (default: TP over all chips).

    ``routing_zipf_s`` skews MoE routing as in :func:`accelsim.decode_step`. Under expert parallelism the
    touched experts are assumed spread evenly over the chips (hot-expert imbalance is not modelled, so a
    skewed EP step is optimistic)."""
    if not isinstance(system, System):
        raise ConfigError("system", "must be an accelsim.spec.system.System (see accelsim.presets.systems.load)",
                          type(system).__name__)
    weight_dtype, kv_dtype = dtype_alias(weight_dtype, "weight_dtype"), dtype_alias(kv_dtype, "kv_dtype")
    model = check_step_args(model, batch, context, weight_dtype, kv_dtype, fidelity)
    routing_zipf_s = check_routing(routing_zipf_s)
    if plan is None:
        plan = ParallelPlan(tp=system.chips)
    if not isinstance(plan, ParallelPlan):
        raise ConfigError("plan", "must be a ParallelPlan", type(plan).__name__)
    if plan.chips > system.chips:
        raise ConfigError("plan", f"needs {plan.chips} chips but the system has {system.chips}", plan.to_dict())
    if plan.ep > 1:
        if model.moe is None:
            raise ConfigError("plan.ep", "expert parallelism needs a mixture-of-experts model", plan.ep)
        if model.moe.n_experts % plan.ep:
            raise ConfigError("plan.ep", f"must divide the model's {model.moe.n_experts} experts", plan.ep)
    if plan.pp > model.n_layers:
        raise ConfigError("plan.pp", f"must be <= the model's {model.n_layers} layers", plan.pp)
    tp, pp, ep = plan.tp, plan.pp, plan.ep
    dp_attn = ep if (ep > 1 and tp == 1) else 1  # attention data-parallel over the EP group
    m = plan.microbatches or min(batch, pp)
    m = max(1, min(m, batch))
    chip = system.node
    common: dict[str, Any] = dict(system_name=system.name, model_name=model.name, plan=plan, batch=batch,
                                  context=context, weight_dtype=weight_dtype, kv_dtype=kv_dtype, microbatches=m)

    # ---- memory per chip -------------------------------------------------------------------------
    breakdown = model.param_breakdown()
    expert_params = breakdown.get("routed_experts", 0)
    other_params = model.params() - expert_params
    bpe = DTYPE_BYTES[weight_dtype]
    if dp_attn > 1:
        w_chip = (other_params + expert_params / ep) * bpe / pp
    else:
        w_chip = (other_params / tp + expert_params / (tp if ep == 1 else ep)) * bpe / pp
    kv_split = (min(tp, model.n_kv_heads) if model.mla is None else 1) * dp_attn
    kv_chip = model.kv_bytes_per_token(kv_dtype) * batch * context / (kv_split * pp)
    cap = chip.memory_capacity_bytes
    common.update(weight_bytes_per_chip=int(w_chip), kv_bytes_per_chip=int(kv_chip), capacity_bytes_per_chip=cap)
    if w_chip + kv_chip > cap:
        reason = (f"per chip: weights ({w_chip / 1e9:.1f} GB) + KV cache ({kv_chip / 1e9:.1f} GB) exceed "
                  f"memory capacity ({cap / 1e9:.1f} GB)")
        return ParallelDecodeResult(feasible=False, reason=reason, time_s=float("nan"), **common)

    # ---- per-chip kernels of one microbatch through one stage -------------------------------------
    b_mb = -(-batch // m)  # sequences per microbatch
    b_chip = -(-b_mb // dp_attn)  # sequences whose attention this chip runs
    local = sharded_model(model, tp)
    seq = decode_kernels(local, b_chip, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype,
                         routing_zipf_s=routing_zipf_s)
    if ep > 1 and model.moe is not None:
        moe = model.moe
        if routing_zipf_s > 0:
            n_exp_total = expected_distinct_experts_skewed(moe.n_experts, moe.top_k, b_mb, routing_zipf_s)
        else:
            n_exp_total = model.expected_experts(b_mb)
        n_exp_chip = max(1, math.ceil(n_exp_total / ep))
        tok_per_exp = max(1, math.ceil(b_mb * moe.top_k / max(n_exp_total, 1e-9)))
        eff = moe.expert_d_ff  # whole experts on a chip
        patched = []
        for k, c in seq:
            if isinstance(k, Gemv) and k.name in ("experts_gate_up", "moe.experts_gate_up"):
                k = dataclasses.replace(k, m=tok_per_exp, n=2 * eff * n_exp_chip)
            elif isinstance(k, Gemv) and k.name in ("experts_down", "moe.experts_down"):
                k = dataclasses.replace(k, m=tok_per_exp, n=model.d_model * n_exp_chip, k=eff)
            patched.append((k, c))
        seq = patched
    layers_stage = -(-model.n_layers // pp)
    kernel_rows = []
    terms: list[float] = []
    d2d = 0.0
    roof = 0.0
    shared_s = 0.0  # shared-expert compute per MoE layer (overlaps the EP combine)
    for k, c in seq:
        t, t_d2d, r = chip_kernel_time(chip, k, fidelity)
        # per-layer kernels scale to this stage's layers; once-per-step kernels stay (slowest stage
        # holds the LM head; embed is on the first stage, counted here as the bound)
        cs = c if c == 1 else max(1, math.ceil(c * layers_stage / model.n_layers))
        kernel_rows.append((getattr(k, "name", type(k).__name__), t, cs))
        terms.append(t * cs)
        d2d += t_d2d * cs
        roof += r * cs
        if getattr(k, "name", "").startswith(("shared_", "moe.shared_")):
            shared_s += t
    stage_compute = math.fsum(terms)  # summed as decode_step sums, so one chip is bit-identical
    # ---- communication per stage ------------------------------------------------------------------
    group = tuple(range(plan.chips_per_stage))
    comms: list[CommRow] = []
    act = int(b_mb * model.d_model * ACT_BYTES)
    attn_layers = layers_stage
    moe_layers_stage = 0
    if model.moe is not None:
        moe_layers_stage = max(0, min(layers_stage, math.ceil(model.n_moe_layers * layers_stage / model.n_layers)))
    if tp > 1:
        ar = simulate_collective(system, AllReduce(message_bytes=act, name="tp_all_reduce"), ranks=group[:tp])
        comms.append(CommRow("attn_all_reduce", attn_layers, ar))
        comms.append(CommRow("mlp_all_reduce", layers_stage, ar))
        logits = int(b_mb * (-(-model.vocab_size // tp)) * tp * ACT_BYTES)
        ag = simulate_collective(system, AllGather(message_bytes=logits, name="logits_all_gather"), ranks=group[:tp])
        comms.append(CommRow("logits_all_gather", 1, ag))
    if dp_attn > 1 and model.moe is not None:
        a2a_bytes = int(b_chip * model.moe.top_k * model.d_model * ACT_BYTES)
        a2a = simulate_collective(system, AllToAll(message_bytes=a2a_bytes, name="ep_all_to_all"), ranks=group[:ep])
        comms.append(CommRow("moe_dispatch", moe_layers_stage, a2a))
        comms.append(CommRow("moe_combine", moe_layers_stage, a2a,
                             overlapped_s=min(a2a.time_s, shared_s) * moe_layers_stage))
    stage_comm = sum(c.total_s for c in comms)
    stage_overlap = sum(c.overlapped_s for c in comms)
    t_stage = stage_compute + stage_comm - stage_overlap
    # ---- pipeline ----------------------------------------------------------------------------------
    if pp > 1:
        send_bytes = int(b_mb * model.d_model * ACT_BYTES)
        t_p2p = _p2p(system, 0, plan.chips_per_stage, send_bytes)
        filled = m * t_stage >= pp * (t_stage + t_p2p)  # enough microbatches to hide the sends
        step = max(m * t_stage, pp * (t_stage + t_p2p))
        p2p_res = CollectiveResult(name="pp_send", kind="send", algorithm="p2p", protocol="ll", ranks=2,
                                   message_bytes=send_bytes, time_s=t_p2p, steps=1, link_bytes=float(send_bytes),
                                   energy_j=send_bytes * 8 * system.network.link.energy_pj_per_bit * 1e-12)
        comms.append(CommRow("pp_send", 1, p2p_res, overlapped_s=t_p2p if filled else 0.0))
        comm_s = m * (stage_comm + t_p2p)
        overlapped = m * (stage_overlap + (t_p2p if filled else 0.0))
    else:
        step = m * t_stage
        comm_s = m * stage_comm
        overlapped = m * stage_overlap
    compute_s = m * stage_compute
    bubble = max(0.0, step - compute_s - (comm_s - overlapped))
    scaled = tuple(CommRow(c.name, c.count * m, c.result, c.overlapped_s * m) for c in comms)
    return ParallelDecodeResult(feasible=True, reason="", time_s=step, compute_s=compute_s, comm_s=comm_s,
                                comm_overlapped_s=overlapped, bubble_s=bubble, stage_s=t_stage, d2d_s=m * d2d,
                                roofline_s=m * roof, comms=scaled, kernels=tuple(kernel_rows), **common)


def single_chip_roofline_s(chip: Architecture | Package, model: ModelSpec | str, batch: int, context: int, *,
                           weight_dtype: str = "bf16", kv_dtype: str = "bf16") -> float:
    """Roofline time of the whole (unsharded) step on one chip, ignoring capacity: the floor no amount
    of parallelism divides by more than the chip count."""
    if isinstance(model, str):
        model = load_model(model)
    seq = decode_kernels(model, batch, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype)
    return math.fsum(chip_kernel_time(chip, k, "roofline")[2] * c for k, c in seq)

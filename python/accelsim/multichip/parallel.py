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
    Layers are split into ``pp`` stages as evenly as whole layers allow (:func:`stage_layers`: 80 layers
    on 72 stages are 8 stages of 2 and 64 of 1), the batch into ``microbatches`` (default
    ``min(batch, pp)``).  A stage passes ``microbatch x d_model`` activations to the next (point to
    point).  Every microbatch passes every stage in turn (the loop: the sum of the real stage times and
    the sends) and the busiest stage serves every microbatch, so a decode step takes
    ``max(m * max(t_stage), sum(t_stage) + pp * t_p2p)``: with fewer microbatches than stages the stages
    idle (bubble), with enough the sends hide behind other microbatches' compute.

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
from ..engine.energy import floor_power_w, total_j
from ..engine.simulate import simulate_one
from .chiplets import chip_kernel_time
from ..engine.nearmem import tiered_capacity
from ..workload.decode import heads_hidden_s, host_near_split, is_tiered, overlap_mode, static_w
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

__all__ = ["ParallelPlan", "ParallelDecodeResult", "CommRow", "parallel_decode_step", "sharded_model", "stage_layers",
           "p2p_time"]

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
    heads = model.n_heads // tp
    # Each chip holds the KV heads its query heads attend to: kv / tp when tp divides them; otherwise the
    # heads are replicated as serving engines do (one per chip when tp >= kv; when neither divides the
    # other, the smallest count >= kv / tp that the chip's query heads split evenly over).
    kv = model.n_kv_heads
    kv_chip = max(1, -(-kv // tp))
    while heads % kv_chip:
        kv_chip += 1
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
    energy_j: float = float("nan")  # the step on every chip of the plan, plus the links; NaN without energy specs
    chip_name: str = ""
    #: how the chip's host and near-memory kernels overlapped (placement.overlap) and the time that hid
    overlap: str = "none"
    overlap_hidden_s: float = 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.batch / self.time_s if self.feasible and self.time_s > 0 else 0.0

    @property
    def tokens_per_s_per_chip(self) -> float:
        return self.tokens_per_s / self.plan.chips

    @property
    def joules_per_token(self) -> float:
        """``energy_j / batch`` (every sequence makes one token per step); NaN without energy specs."""
        return self.energy_j / self.batch if self.feasible else float("nan")

    def cost(self, spec: Any = None) -> Any:
        """Cost and carbon per million tokens (:func:`accelsim.explore.cost.decode_cost`) of one chip's
        share: ``spec`` defaults to the chip preset's CostSpec."""
        from ..explore.cost import decode_cost, for_arch, machine_named  # noqa: PLC0415

        spec = spec if spec is not None else for_arch(self.chip_name)
        e = self.energy_j / self.plan.chips if math.isfinite(self.energy_j) else None
        return decode_cost(spec, self.tokens_per_s_per_chip, arch=machine_named(self.chip_name), energy_j=e,
                           time_s=self.time_s)

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
                    kv_bytes_per_chip=self.kv_bytes_per_chip, energy_j=_finite_or_none(self.energy_j),
                    joules_per_token=_finite_or_none(self.joules_per_token),
                    tokens_per_s_per_chip=self.tokens_per_s_per_chip,
                    comms=[{**c.result.as_dict(), "name": c.name, "count": c.count, "overlapped_s": c.overlapped_s}
                           for c in self.comms])

    def table(self) -> str:
        p = self.plan
        head = (f"{self.model_name} on {self.system_name}, tp={p.tp} pp={p.pp} ep={p.ep}, batch {self.batch}, "
                f"context {self.context}")
        if not self.feasible:
            return f"{head}: infeasible: {self.reason}"
        lines = [head,
                 f"step {self.time_s * 1e3:.3f} ms -> {self.tokens_per_s:,.0f} tokens/s "
                 f"({self.tokens_per_s_per_chip:,.0f} per chip)"
                 + (f", {self.energy_j * 1e3:.1f} mJ/step, {self.joules_per_token * 1e3:.2f} mJ/token"
                    if math.isfinite(self.energy_j) else ""),
                 f"per chip: compute {self.compute_s * 1e3:.3f} ms, communication {self.comm_s * 1e3:.3f} ms "
                 f"({self.comm_overlapped_s * 1e3:.3f} ms overlapped), pipeline bubble {self.bubble_s * 1e3:.3f} ms",
                 f"{'communication':20s} {'count':>5s} {'bytes':>10s} {'algorithm':>10s} {'us/call':>9s} {'us total':>9s}"]
        for c in self.comms:
            lines.append(f"{c.name[:20]:20s} {c.count:5d} {c.result.message_bytes:10d} {c.result.algorithm:>10s} "
                         f"{c.result.time_s * 1e6:9.2f} {c.total_s * 1e6:9.1f}")
        return "\n".join(lines)


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def stage_layers(n_layers: int, pp: int) -> list[int]:
    """Layers of each of ``pp`` pipeline stages: as even as whole layers allow, the larger stages first
    (their sum is ``n_layers``)."""
    if isinstance(pp, bool) or not isinstance(pp, int) or not 1 <= pp <= n_layers:
        raise ConfigError("plan.pp", f"must be between 1 and the model's {n_layers} layers", pp)
    base, extra = divmod(n_layers, pp)
    return [base + (1 if i < extra else 0) for i in range(pp)]


def p2p_time(system: System, nbytes: int, src: int = 0, dst: int = 1) -> float:
    """Seconds to send ``nbytes`` from chip ``src`` to ``dst`` (a pipeline stage boundary)."""
    return _p2p(system, src, min(dst, system.chips - 1), nbytes)


def _kernel_energy(chip: Architecture | Package, kernel: Any, fidelity: str) -> float:
    """Joules of ``kernel`` on one chip (NaN without an energy spec); a package adds its die-to-die links."""
    if isinstance(chip, Package):
        from .chiplets import package_kernel, shard_kernel  # noqa: PLC0415

        n = chip.dies
        shard = kernel if n == 1 else shard_kernel(kernel, n, by="heads")
        row = simulate_one(chip.die, shard, fidelity)
        e = total_j(row.energy_by_component_j) * n
        return e + (package_kernel(chip, kernel, fidelity).d2d_energy_j if n > 1 else 0.0)
    return total_j(simulate_one(chip, kernel, fidelity).energy_by_component_j)


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
    common: dict[str, Any] = dict(system_name=system.name, chip_name=system.node.name, model_name=model.name,
                                  plan=plan, batch=batch,
                                  context=context, weight_dtype=weight_dtype, kv_dtype=kv_dtype, microbatches=m)

    # ---- memory per chip -------------------------------------------------------------------------
    breakdown = model.param_breakdown()
    expert_params = breakdown.get("routed_experts", 0)
    other_params = model.params() - expert_params
    bpe = model.weight_bytes(weight_dtype) / max(1, model.params())  # bytes per weight, block scales included
    if dp_attn > 1:
        w_chip = (other_params + expert_params / ep) * bpe / pp
    else:
        w_chip = (other_params / tp + expert_params / (tp if ep == 1 else ep)) * bpe / pp
    kv_split = (min(tp, model.n_kv_heads) if model.mla is None else 1) * dp_attn
    kv_chip = model.kv_bytes_per_token(kv_dtype) * batch * context / (kv_split * pp)
    cap = chip.memory_capacity_bytes
    tiered = isinstance(chip, Architecture) and is_tiered(chip)
    tier_reason = ""
    if tiered:  # weights on flash and/or the KV cache in a near-memory pool: each tier holds its share
        cap, tier_reason = tiered_capacity(chip, int(w_chip), int(kv_chip))
    common.update(weight_bytes_per_chip=int(w_chip), kv_bytes_per_chip=int(kv_chip), capacity_bytes_per_chip=cap)
    if tier_reason:
        return ParallelDecodeResult(feasible=False, reason=f"per chip: {tier_reason}", time_s=float("nan"), **common)
    if not tiered and w_chip + kv_chip > cap:
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
    stages = stage_layers(model.n_layers, pp)
    n_layers = model.n_layers
    # (name, time, energy, per-step count, whether it repeats per layer) of each per-chip kernel
    per_kernel: list[tuple[str, float, float, int, bool]] = []
    d2d = 0.0
    roof = 0.0
    shared_s = 0.0  # shared-expert compute per MoE layer (overlaps the EP combine)
    for k, c in seq:
        t, t_d2d, r = chip_kernel_time(chip, k, fidelity)
        name = getattr(k, "name", type(k).__name__)
        per_kernel.append((name, t, _kernel_energy(chip, k, fidelity), c, c > 1))
        d2d += t_d2d * c
        roof += r * c
        if name.startswith(("shared_", "moe.shared_")):
            shared_s += t

    def stage_counts(n_s: int, first: bool, last: bool) -> list[float]:
        """Each kernel's calls in a stage of ``n_s`` layers: per-layer kernels in proportion to the layers
        (exactly their count for a single stage); the embedding on the first stage, the LM head and
        sampling on the last."""
        out = []
        for name, _, _, c, per_layer in per_kernel:
            if per_layer:
                out.append(c * n_s / n_layers)
            else:
                out.append(c if (first if name.startswith("embed") else last) else 0)
        return out

    stage_info = []  # (compute_s, energy_j, counts) per stage
    for i, n_s in enumerate(stages):
        counts = stage_counts(n_s, i == 0, i == pp - 1)
        # summed as decode_step sums, so one chip is bit-identical
        t_s = math.fsum(t * n for (_, t, _, _, _), n in zip(per_kernel, counts))
        e_s = math.fsum(e * n for (_, _, e, _, _), n in zip(per_kernel, counts))
        stage_info.append((t_s, e_s, counts))
    mode = overlap_mode(chip) if isinstance(chip, Architecture) else "none"
    hidden = [0.0] * pp
    if mode != "none":  # host and near-memory kernels overlap (see accelsim.workload.decode.decode_step)
        hidden = _overlap_hidden(chip, mode, seq, local, b_chip, context, [info[2] for info in stage_info],
                                 weight_dtype=weight_dtype, kv_dtype=kv_dtype, routing_zipf_s=routing_zipf_s,
                                 fidelity=fidelity)
        # the hidden time's static energy was charged by both sides' kernels: remove it once
        stage_info = [(t - h, e - static_w(chip) * h, c) for (t, e, c), h in zip(stage_info, hidden)]
    slow = max(range(pp), key=lambda i: stage_info[i][0])
    kernel_rows = [(name, t, int(math.ceil(n))) for (name, t, _, _, _), n in zip(per_kernel, stage_info[slow][2])]
    # ---- communication per stage ------------------------------------------------------------------
    group = tuple(range(plan.chips_per_stage))
    act = int(b_mb * model.d_model * ACT_BYTES)
    ar = ag = a2a = None
    if tp > 1:
        ar = simulate_collective(system, AllReduce(message_bytes=act, name="tp_all_reduce"), ranks=group[:tp])
        logits = int(b_mb * (-(-model.vocab_size // tp)) * tp * ACT_BYTES)
        ag = simulate_collective(system, AllGather(message_bytes=logits, name="logits_all_gather"), ranks=group[:tp])
    if dp_attn > 1 and model.moe is not None:
        a2a_bytes = int(b_chip * model.moe.top_k * model.d_model * ACT_BYTES)
        a2a = simulate_collective(system, AllToAll(message_bytes=a2a_bytes, name="ep_all_to_all"), ranks=group[:ep])

    def stage_comms(n_s: int, last: bool) -> list[CommRow]:
        rows: list[CommRow] = []
        if ar is not None:
            rows.append(CommRow("attn_all_reduce", n_s, ar))
            rows.append(CommRow("mlp_all_reduce", n_s, ar))
            if last:
                rows.append(CommRow("logits_all_gather", 1, ag))
        if a2a is not None:
            moe_n = max(0, min(n_s, math.ceil(model.n_moe_layers * n_s / n_layers)))
            rows.append(CommRow("moe_dispatch", moe_n, a2a))
            rows.append(CommRow("moe_combine", moe_n, a2a, overlapped_s=min(a2a.time_s, shared_s) * moe_n))
        return rows

    comm_rows = [stage_comms(n_s, i == pp - 1) for i, n_s in enumerate(stages)]
    full = [info[0] + math.fsum(c.total_s - c.overlapped_s for c in rows) for info, rows in zip(stage_info, comm_rows)]
    busiest = max(range(pp), key=lambda i: full[i])
    comms = list(comm_rows[busiest])
    stage_comm = math.fsum(c.total_s for c in comms)
    stage_overlap = math.fsum(c.overlapped_s for c in comms)
    t_stage = full[busiest]
    stage_compute = stage_info[busiest][0]
    link_j = math.fsum(c.result.energy_j * c.count for rows in comm_rows for c in rows)
    # ---- pipeline ----------------------------------------------------------------------------------
    if pp > 1:
        send_bytes = int(b_mb * model.d_model * ACT_BYTES)
        t_p2p = _p2p(system, 0, plan.chips_per_stage, send_bytes)
        loop = math.fsum(full) + pp * t_p2p  # a microbatch through every stage and back to the first
        filled = m * t_stage >= loop  # enough microbatches to hide the sends
        step = max(m * t_stage, loop)
        p2p_res = CollectiveResult(name="pp_send", kind="send", algorithm="p2p", protocol="ll", ranks=2,
                                   message_bytes=send_bytes, time_s=t_p2p, steps=1, link_bytes=float(send_bytes),
                                   energy_j=send_bytes * 8 * system.network.link.energy_pj_per_bit * 1e-12)
        comms.append(CommRow("pp_send", 1, p2p_res, overlapped_s=t_p2p if filled else 0.0))
        comm_s = m * (stage_comm + t_p2p)
        overlapped = m * (stage_overlap + (t_p2p if filled else 0.0))
        link_j += pp * p2p_res.energy_j
    else:
        step = m * t_stage
        comm_s = m * stage_comm
        overlapped = m * stage_overlap
    compute_s = m * stage_compute
    bubble = max(0.0, step - compute_s - (comm_s - overlapped))
    scaled = tuple(CommRow(c.name, c.count * m, c.result, c.overlapped_s * m) for c in comms)
    chips_stage = plan.chips_per_stage
    # every chip draws its active floor (static + busy) whenever it is not running its own kernels: on an
    # exposed collective, a pipeline send or a bubble (the kernels' energies hold the floor over their time)
    wait_s = math.fsum(max(0.0, step - m * info[0]) for info in stage_info)
    energy = m * (chips_stage * math.fsum(info[1] for info in stage_info) + link_j) \
        + chips_stage * wait_s * floor_power_w(system.node)
    return ParallelDecodeResult(feasible=True, reason="", time_s=step, compute_s=compute_s, comm_s=comm_s,
                                comm_overlapped_s=overlapped, bubble_s=bubble, stage_s=t_stage, d2d_s=m * d2d,
                                roofline_s=m * roof, comms=scaled, kernels=tuple(kernel_rows), energy_j=energy,
                                overlap=mode, overlap_hidden_s=m * hidden[busiest], **common)


def _overlap_hidden(chip: Architecture, mode: str, seq: list[tuple[Any, int]], local: ModelSpec, b_chip: int,
                    context: int, stage_counts: list[list[float]], *, weight_dtype: str, kv_dtype: str,
                    routing_zipf_s: float, fidelity: str) -> list[float]:
    """Seconds each stage hides by overlapping the chip's host and near-memory kernels (``mode``): "heads"
    pipelines attention with the projections head group by head group; "sub_batch" runs the chip's batch as
    two halves, one's host kernels beside the other's near-memory kernels."""
    out = []
    if mode == "heads":
        rows = [simulate_one(chip, k, fidelity) for k, _ in seq]
        for counts in stage_counts:
            out.append(heads_hidden_s([(k, n) for (k, _), n in zip(seq, counts)],
                                      tuple((r, n) for r, n in zip(rows, counts))))
        return out
    if b_chip < 2:
        return [0.0] * len(stage_counts)
    full = [simulate_one(chip, k, fidelity) for k, _ in seq]
    halves = []
    for b in (b_chip - b_chip // 2, b_chip // 2):
        sq = decode_kernels(local, b, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype,
                            routing_zipf_s=routing_zipf_s)
        halves.append([simulate_one(chip, k, fidelity) for k, _ in sq])
    for counts in stage_counts:  # interleaved only where that is faster (see decode_step)
        t = math.fsum(r.time_s * n for r, n in zip(full, counts))
        (h1, p1), (h2, p2) = (host_near_split(tuple(zip(rs, counts))) for rs in halves)
        out.append(max(0.0, t - (max(h1, p2) + max(h2, p1))))
    return out


def single_chip_roofline_s(chip: Architecture | Package, model: ModelSpec | str, batch: int, context: int, *,
                           weight_dtype: str = "bf16", kv_dtype: str = "bf16") -> float:
    """Roofline time of the whole (unsharded) step on one chip, ignoring capacity: the floor no amount
    of parallelism divides by more than the chip count."""
    if isinstance(model, str):
        model = load_model(model)
    seq = decode_kernels(model, batch, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype)
    return math.fsum(chip_kernel_time(chip, k, "roofline")[2] * c for k, c in seq)

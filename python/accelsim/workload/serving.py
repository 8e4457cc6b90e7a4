"""serve(): continuous batching of a request stream on a chip or a multi-chip system.

An engine step runs one token of every running decode plus, within the stack's token budget, chunks of
waiting prompts (chunked prefill); the KV cache is paged in blocks and its capacity decides how many
requests run at once. Step times come from a memoized step model: the step's kernels are grouped into
components whose time depends on one or two integers (tokens in the step; decode batch and mean context;
prefill chunk and prefix; sampled sequences), each simulated at the points of a geometric grid the first
time a step needs them and interpolated between the two neighbouring points after that. A 10,000-request
run simulates a few dozen grid points and then costs ~20 us of Python per engine step.

The software stack (scheduler limits, KV memory fraction, block size, admission policy, per-step host
overhead) is a :class:`SoftwareStack`; :data:`STACKS` holds cited presets.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from typing import Any, Iterable, Sequence

import numpy as np

from ..dtypes import DTYPE_BYTES
from ..engine.energy import floor_power_w
from ..engine.simulate import FIDELITIES, simulate
from ..errors import ConfigError
from ..models import ModelSpec
from ..models import load as load_model
from ..models.spec import expected_distinct_experts_skewed
from ..multichip.collectives import AllGather, AllReduce, AllToAll, simulate_collective
from ..multichip.parallel import ParallelPlan, p2p_time, sharded_model, stage_layers
from ..spec.machine import Architecture
from ..spec.system import System
from .decode import check_routing, check_weight_dtype, decode_kernels, dtype_alias, is_tiered
from .kernels import ENGINE_SPLIT_KV, DecodeAttention, Gemv, PrefillAttention
from .prefill import attention_shape

__all__ = ["SoftwareStack", "STACKS", "load_stack", "Workload", "ServeResult", "serve", "StepModel",
           "trtllm_bench_limits"]

ACT_BYTES = DTYPE_BYTES["bf16"]


# ---- software stacks ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class SoftwareStack:
    """What the serving engine adds to the hardware: its scheduler limits and its overheads.

    ``max_num_seqs``: running requests at most; ``max_num_batched_tokens``: tokens (decode + prefill) one
    step may hold; ``memory_fraction``: share of device memory the engine plans with (``memory_basis``
    "total": weights + KV fit in fraction x capacity, as vLLM's gpu_memory_utilization; "free": the KV
    cache gets fraction x (capacity - weights), as TensorRT-LLM's kv_cache_free_gpu_mem_fraction);
    ``block_size``: tokens per KV block; ``chunked_prefill``: prompts may be split across steps;
    ``kv_policy``: "on_demand" (blocks as tokens arrive; the newest request is preempted and recomputed
    when growth cannot be served) or "reserve" (a request is admitted only when blocks for its whole
    prompt + output are free; never preempts); ``host_overhead_s``: CPU time per step (scheduling,
    input preparation, output processing); ``overlap``: the host work of step n runs while the GPU runs
    step n+1, so only ``max(0, host - gpu)`` is exposed; ``scheduler_steps``: engine steps per scheduler call
    (vLLM's multi-step scheduling, ``--num-scheduler-steps``: the host work is done once for that many decode
    steps [VLLM-6854]), so each step carries ``host_overhead_s / scheduler_steps`` of it;
    ``host_per_sequence_s``: host time per running sequence on top of ``host_overhead_s`` (sampling, input
    preparation, output processing and scheduling grow with the batch), amortised over ``scheduler_steps`` too.
    """

    name: str
    max_num_seqs: int = 1 << 20
    max_num_batched_tokens: int = 1 << 20
    memory_fraction: float = 1.0
    memory_basis: str = "total"
    block_size: int = 16
    chunked_prefill: bool = True
    kv_policy: str = "on_demand"
    host_overhead_s: float = 0.0
    overlap: bool = True
    scheduler_steps: int = 1
    host_per_sequence_s: float = 0.0
    citations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in ("max_num_seqs", "max_num_batched_tokens", "block_size", "scheduler_steps"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1 << 24:
                raise ConfigError(f"stack.{f}", "must be an integer between 1 and 2**24", v)
        if not isinstance(self.memory_fraction, (int, float)) or not 0 < self.memory_fraction <= 1:
            raise ConfigError("stack.memory_fraction", "must be in (0, 1]", self.memory_fraction)
        if self.memory_basis not in ("total", "free"):
            raise ConfigError("stack.memory_basis", "must be 'total' or 'free'", self.memory_basis)
        if self.kv_policy not in ("on_demand", "reserve"):
            raise ConfigError("stack.kv_policy", "must be 'on_demand' or 'reserve'", self.kv_policy)
        h = self.host_overhead_s
        if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 <= h < 10 or h != h:
            raise ConfigError("stack.host_overhead_s", "must be a number of seconds in [0, 10)", h)
        h = self.host_per_sequence_s
        if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 <= h < 1 or h != h:
            raise ConfigError("stack.host_per_sequence_s", "must be a number of seconds in [0, 1)", h)

    def host_s(self, running: int) -> float:
        """Host time one engine step carries with ``running`` sequences in the batch."""
        return (self.host_overhead_s + self.host_per_sequence_s * running) / self.scheduler_steps

    def replace(self, **changes: Any) -> "SoftwareStack":
        return dataclasses.replace(self, **changes)


#: Host work per engine step of a Python serving engine: vLLM's profile of v0.5 on H100 (Llama 3 8B)
#: shows "about 4ms of GPU bubble" per decode step while the CPU schedules, prepares inputs and processes
#: outputs [VLLM-6854].
_HOST_S = 4e-3
#: vLLM V0 (0.5.x) host work per running sequence: "the time between two step is long. This includes sampling
#: time, prepare input time, process_model_output time, and scheduler time. When BS is 200, all this together
#: can be 20ms" [VLLM-6801]; with the profile's 4 ms as the batch-independent part [VLLM-6854] (its batch is
#: not stated; taken as small), (20 - 4) ms / 200 = 80 us per sequence.
_V0_HOST_PER_SEQ_S = (20e-3 - _HOST_S) / 200

STACKS: dict[str, SoftwareStack] = {
    "ideal": SoftwareStack(name="ideal", citations=("no overheads: every byte of memory and every step for the model",)),
    # vLLM V1 (0.8-0.9) defaults on >= 70 GB GPUs: max_num_seqs 1024, max_num_batched_tokens 8192 for the
    # OpenAI server (16384 for the offline LLM class) [VLLM-ARGS]; gpu_memory_utilization 0.9, block 16;
    # chunked prefill always on in V1; KV blocks allocated on demand, preemption by recompute [VLLM-V1].
    # API serving, detokenization and streaming run in another process [VLLM-V1], but the engine core
    # schedules, prepares inputs and processes outputs between GPU steps (synchronous scheduling; async
    # scheduling is opt-in from 0.10): host work on the critical path, taken as the v0.5 profile's 4 ms
    # (an upper bound: V1 moved part of that work off the critical path). No per-sequence figure for V1 was found,
    # so host_per_sequence_s stays 0 here (V0's 80 us [VLLM-6801] would be an upper bound).
    "vllm": SoftwareStack(name="vllm", max_num_seqs=1024, max_num_batched_tokens=8192, memory_fraction=0.9,
                          memory_basis="total", block_size=16, chunked_prefill=True, kv_policy="on_demand",
                          host_overhead_s=_HOST_S, overlap=False,
                          citations=("[VLLM-ARGS] vllm/engine/arg_utils.py get_batch_defaults (H100/MI300x)",
                                     "[VLLM-V1] blog.vllm.ai 2025-01-27 vLLM V1 alpha",
                                     "[VLLM-6854] github.com/vllm-project/vllm/issues/6854")),
    # vLLM before the multi-step / async output processing work (<= 0.5.x): the same CPU work on the
    # critical path of every step, "5-13ms of GPU bubble" [VLLM-6854], growing with the batch (20 ms at 200
    # sequences [VLLM-6801]); chunked prefill with 512 tokens.
    "vllm-v0": SoftwareStack(name="vllm-v0", max_num_seqs=256, max_num_batched_tokens=512, memory_fraction=0.9,
                             memory_basis="total", block_size=16, chunked_prefill=True, kv_policy="on_demand",
                             host_overhead_s=_HOST_S, host_per_sequence_s=_V0_HOST_PER_SEQ_S, overlap=False,
                             citations=("[VLLM-6854] github.com/vllm-project/vllm/issues/6854",
                                        "[VLLM-6801] github.com/vllm-project/vllm/issues/6801 (mpjlu, 2024-08-08)")),
    # TensorRT-LLM 1.0 PyTorch backend (LLM API defaults): max_batch_size 2048, max_num_tokens 8192,
    # kv_cache_free_gpu_mem_fraction 0.9 of the memory left after the weights, 32 tokens per block,
    # chunked prefill off, GUARANTEED_NO_EVICT capacity scheduling [TRTLLM-ARGS]; the overlap scheduler
    # (default on) runs step n's CPU work while the GPU runs step n+1 [TRTLLM-OVERLAP]; CUDA graphs for
    # generation steps.
    "trtllm": SoftwareStack(name="trtllm", max_num_seqs=2048, max_num_batched_tokens=8192, memory_fraction=0.9,
                            memory_basis="free", block_size=32, chunked_prefill=False, kv_policy="reserve",
                            host_overhead_s=_HOST_S, overlap=True,
                            citations=("[TRTLLM-ARGS] tensorrt_llm/llmapi/llm_args.py defaults",
                                       "[TRTLLM-OVERLAP] nvidia.github.io/TensorRT-LLM features/overlap-scheduler",
                                       "[VLLM-6854] github.com/vllm-project/vllm/issues/6854 (host work per step)")),
}


def load_stack(stack: SoftwareStack | str) -> SoftwareStack:
    if isinstance(stack, SoftwareStack):
        return stack
    if not isinstance(stack, str) or stack not in STACKS:
        raise ConfigError("stack", f"unknown software stack; choose one of {sorted(STACKS)}", stack)
    return STACKS[stack]


def trtllm_bench_limits(model: ModelSpec, capacity_bytes_per_chip: float, *, tp: int, pp: int = 1,
                        weight_dtype: str, kv_dtype: str, input_len: int, output_len: int,
                        kv_fraction: float = 0.95) -> tuple[int, int]:
    """(max_batch_size, max_num_tokens) as ``trtllm-bench throughput`` picks them for a dataset of
    ``input_len``/``output_len`` (its heuristic in tensorrt_llm/bench/build/tuning.py: the requests that
    fit the KV cache, rounded up, at least 64 sequences and 2048 tokens)."""
    gib = float(1 << 30)
    kv_heads = max(tp, model.n_kv_heads)
    byte_per_token = 2 * model.n_layers * kv_heads * model.head_dim * DTYPE_BYTES[kv_dtype] / gib
    engine = model.weight_bytes(weight_dtype) / gib
    available = capacity_bytes_per_chip / gib * tp * pp - engine
    requests = available * kv_fraction / (byte_per_token * (input_len + output_len))
    raw_bs = min(requests, 4096) / pp
    raw_tok = min(raw_bs * (1 + input_len / output_len), 32768)
    if raw_bs < 256:
        bs = max(64, 32 * math.ceil(raw_bs / 32))
    elif raw_bs < 1024:
        bs = 128 * math.ceil(raw_bs / 128)
    else:
        bs = 256 * math.ceil(raw_bs / 256)
    if raw_tok < 4096:
        tok = max(2048, 256 * math.ceil(raw_tok / 256))
    elif raw_tok < 8192:
        tok = 512 * math.ceil(raw_tok / 512)
    else:
        tok = 1024 * math.ceil(raw_tok / 1024)
    return int(bs), int(tok)


# ---- workload ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Workload:
    """A request stream.

    Lengths: ``input_len``/``output_len`` (fixed), or ``input_lens``/``output_lens`` sequences (one per
    request, e.g. drawn from a distribution or read from a trace with :meth:`from_trace`).
    Arrivals: ``arrival="offline"`` (all at t=0, as a throughput benchmark), ``"poisson"`` at ``rate``
    requests/s (seeded by ``seed``), ``"closed"`` (``concurrency`` users, each sending its next request
    when the previous one completes), or ``"trace"`` (``arrival_times_s``).
    """

    num_requests: int = 1000
    input_len: int = 1024
    output_len: int = 1024
    input_lens: tuple[int, ...] | None = None
    output_lens: tuple[int, ...] | None = None
    arrival: str = "offline"
    rate: float = 0.0
    concurrency: int = 0
    arrival_times_s: tuple[float, ...] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        for f in ("num_requests", "input_len", "output_len"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= 1 << 24:
                raise ConfigError(f"workload.{f}", "must be an integer between 1 and 2**24", v)
        if self.arrival not in ("offline", "poisson", "closed", "trace"):
            raise ConfigError("workload.arrival", "must be 'offline', 'poisson', 'closed' or 'trace'", self.arrival)
        if self.arrival == "poisson" and not (isinstance(self.rate, (int, float)) and 0 < self.rate < 1e9):
            raise ConfigError("workload.rate", "must be a positive number of requests/s for poisson arrivals", self.rate)
        if self.arrival == "closed" and (isinstance(self.concurrency, bool) or not isinstance(self.concurrency, int)
                                         or not 1 <= self.concurrency <= 1 << 20):
            raise ConfigError("workload.concurrency", "must be a positive integer for closed-loop arrivals",
                              self.concurrency)
        n = self.num_requests
        for f in ("input_lens", "output_lens"):
            v = getattr(self, f)
            if v is None:
                continue
            if len(v) != n or any(isinstance(x, bool) or not 1 <= int(x) <= 1 << 24 or int(x) != x for x in v):
                raise ConfigError(f"workload.{f}", f"must hold {n} integers between 1 and 2**24", v)
        if self.arrival == "trace":
            t = self.arrival_times_s
            if t is None or len(t) != n or any(not (math.isfinite(x) and x >= 0) for x in t):
                raise ConfigError("workload.arrival_times_s", f"must hold {n} finite times >= 0 for a trace", t)

    @classmethod
    def from_trace(cls, path: str) -> "Workload":
        """Read a trace file: one request per line, ``arrival_s input_len output_len`` (comma or blank
        separated; a header line and ``#`` comments are skipped)."""
        rows: list[tuple[float, int, int]] = []
        try:
            with open(path, encoding="utf-8") as f:
                for ln, line in enumerate(f, 1):
                    s = line.split("#", 1)[0].replace(",", " ").split()
                    if not s:
                        continue
                    try:
                        t, i, o = float(s[0]), int(s[1]), int(s[2])
                    except (ValueError, IndexError):
                        if not rows and ln == 1:
                            continue  # header
                        raise ConfigError("trace", f"line {ln}: expected 'arrival_s input_len output_len'", line.strip())
                    rows.append((t, i, o))
        except OSError as e:
            raise ConfigError("trace", f"cannot read: {e.strerror}", path) from None
        if not rows:
            raise ConfigError("trace", "holds no requests", path)
        rows.sort(key=lambda r: r[0])
        return cls(num_requests=len(rows), input_lens=tuple(r[1] for r in rows), output_lens=tuple(r[2] for r in rows),
                   arrival="trace", arrival_times_s=tuple(r[0] for r in rows))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = self.num_requests
        inp = np.asarray(self.input_lens, np.int64) if self.input_lens is not None else np.full(n, self.input_len, np.int64)
        out = np.asarray(self.output_lens, np.int64) if self.output_lens is not None else np.full(n, self.output_len, np.int64)
        if self.arrival == "poisson":
            rng = np.random.default_rng(self.seed)
            arr = np.cumsum(rng.exponential(1.0 / self.rate, n))
            arr -= arr[0]
        elif self.arrival == "trace":
            arr = np.asarray(self.arrival_times_s, float)
        else:
            arr = np.zeros(n)
        return inp, out, arr


# ---- the memoized step model ----------------------------------------------------------------------------


def _grid(ratio: float, coarse_from: int = 1 << 26) -> list[int]:
    g = {1, 2, 4, 8}
    x = 8.0
    while x < 1 << 26:
        x *= ratio if x < coarse_from else 2 ** 0.5
        g.add(int(round(x)))
    return sorted(g)


#: Grid points of the step model's one-dimensional components (tokens in a step, sampled sequences): 1, 2, 4,
#: 8 (memory-bound: time nearly flat), then a factor 2^(1/4) apart up to 1024 (where GEMMs turn from memory- to compute-bound), 2^(1/2) above
#: (compute-bound: time linear in the tokens).
GRID = _grid(2 ** 0.25, 1024)
#: Grid points of the two-dimensional (attention) components, whose time is close to bilinear in its two
#: sizes (bytes and FLOPs grow with their product): a factor 2^(1/2) apart.
GRID2 = _grid(2 ** 0.5)


def _bracket(x: float, grid: list[int] = GRID) -> tuple[int, int, float]:
    i = bisect.bisect_left(grid, x)
    if i >= len(grid):
        raise ConfigError("step", f"size {x} beyond the step model's grid", x)
    if grid[i] == x:
        return grid[i], grid[i], 0.0
    lo, hi = grid[i - 1], grid[i]
    return lo, hi, (x - lo) / (hi - lo)


class _Memo:
    """A function of one or two positive integers, evaluated at grid points and interpolated linearly
    (bilinearly) between them; values are (time_s, energy_j) pairs."""

    def __init__(self, f: Any) -> None:
        self.f = f
        self.cache: dict[tuple[int, ...], tuple[float, float]] = {}

    def _at(self, *key: int) -> tuple[float, float]:
        v = self.cache.get(key)
        if v is None:
            v = self.cache[key] = self.f(*key)
        return v

    def __call__(self, x: float, y: float | None = None) -> tuple[float, float]:
        if x <= 0:
            return 0.0, 0.0
        if y is None:
            x0, x1, wx = _bracket(x)
            a = self._at(x0)
            if not wx:
                return a
            b = self._at(x1)
            return a[0] + (b[0] - a[0]) * wx, a[1] + (b[1] - a[1]) * wx
        x0, x1, wx = _bracket(x, GRID2)
        y0, y1, wy = _bracket(max(1.0, y), GRID2)

        def along_y(xx: int) -> tuple[float, float]:
            a = self._at(xx, y0)
            if not wy:
                return a
            b = self._at(xx, y1)
            return a[0] + (b[0] - a[0]) * wy, a[1] + (b[1] - a[1]) * wy

        lo = along_y(x0)
        if not wx:
            return lo
        hi = along_y(x1)
        return lo[0] + (hi[0] - lo[0]) * wx, lo[1] + (hi[1] - lo[1]) * wx


def _row_energy(rows: Iterable[Any]) -> float:
    e = 0.0
    for r in rows:
        if r.energy_components_j:
            e += math.fsum(v for _, v in r.energy_components_j)
    return e


class StepModel:
    """Time and energy of one engine step of ``model`` on one chip (or on each chip of a TP/EP/PP group).

    ``step(tokens, n_decode, context_sum, chunks, n_sampled)`` -> (seconds, joules for the whole group):
    ``tokens`` in the step, ``n_decode`` decoding sequences whose contexts sum to ``context_sum``,
    ``chunks`` (q_len, prefix) of prompt pieces prefilled in this step, ``n_sampled`` sequences that
    produce a token.

    Expert parallelism follows :func:`accelsim.multichip.parallel.parallel_decode_step`: with ``tp == 1`` the
    ``ep`` chips run attention data-parallel (each its share of the sequences, with the whole attention
    weights and its sequences' KV) and hold 1/ep of the routed experts each, which see every token of the
    group; a dispatch and a combine all-to-all per MoE layer move the tokens (the combine overlapping the
    shared experts). With ``tp == ep`` experts are whole on chips and the MLP ends in the TP all-reduce.
    """

    def __init__(self, chip: Architecture, model: ModelSpec, *, weight_dtype: str = "bf16", kv_dtype: str = "bf16",
                 system: System | None = None, plan: ParallelPlan | None = None, fidelity: str = "fast",
                 routing_zipf_s: float = 0.0) -> None:
        self.chip, self.model, self.system = chip, model, system
        self.plan = plan or ParallelPlan()
        self.wd, self.kd, self.fidelity = weight_dtype, kv_dtype, fidelity
        self.zipf = routing_zipf_s
        tp, pp, ep = self.plan.tp, self.plan.pp, self.plan.ep
        self.ep = ep if model.moe is not None else 1
        self.dp = self.ep if (self.ep > 1 and tp == 1) else 1  # attention data-parallel over the EP group
        self.local = sharded_model(model, tp) if tp > 1 else model
        self.stages = stage_layers(model.n_layers, pp)
        self.chips_per_stage = self.plan.chips_per_stage
        self.chips = self.plan.chips
        seq = decode_kernels(self.local, 1, 1, weight_dtype=weight_dtype, kv_dtype=kv_dtype)
        self.n_attn = sum(c for k, c in seq if isinstance(k, DecodeAttention))
        self.layer = _Memo(self._layer)
        self.shared = _Memo(self._shared)
        self.head = _Memo(self._head)
        self.dattn = _Memo(self._dattn)
        self.pattn = _Memo(self._pattn)
        self.comm = _Memo(self._comm)
        self.simulations = 0
        self.floor_w = floor_power_w(chip, "active")  # per chip, while it waits on a collective or a stage

    # components (per chip, for all layers of the model; a PP stage takes its share)
    def _sim(self, ks: Sequence[Any]) -> Any:
        self.simulations += len(ks)
        return simulate(self.chip, list(ks), fidelity=self.fidelity)

    def _layer_kernels(self, tokens: int) -> list[tuple[Any, int]]:
        """The per-chip kernels (all layers) of ``tokens`` tokens of the group, attention and head excluded: under
        expert parallelism each chip runs its share of the tokens through everything but the routed experts,
        which hold 1/ep of the experts the group's tokens touch (as parallel_decode_step)."""
        b_chip = -(-tokens // self.dp)
        seq = decode_kernels(self.local, b_chip, 1, weight_dtype=self.wd, kv_dtype=self.kd, routing_zipf_s=self.zipf)
        out = [(k, c) for k, c in seq if not isinstance(k, DecodeAttention) and k.name not in ("lm_head", "sampling")]
        moe = self.model.moe
        if self.ep > 1 and moe is not None:
            if self.zipf > 0:
                n_total = expected_distinct_experts_skewed(moe.n_experts, moe.top_k, tokens, self.zipf)
            else:
                n_total = self.model.expected_experts(tokens)
            n_chip = max(1, math.ceil(n_total / self.ep))
            per_exp = max(1, math.ceil(tokens * moe.top_k / max(n_total, 1e-9)))
            eff = moe.expert_d_ff  # whole experts on a chip
            patched = []
            for k, c in out:
                if isinstance(k, Gemv) and k.name == "moe.experts_gate_up":
                    k = dataclasses.replace(k, m=per_exp, n=2 * eff * n_chip)
                elif isinstance(k, Gemv) and k.name == "moe.experts_down":
                    k = dataclasses.replace(k, m=per_exp, n=self.model.d_model * n_chip, k=eff)
                patched.append((k, c))
            out = patched
        return out

    def _layer(self, tokens: int) -> tuple[float, float]:
        ks = self._layer_kernels(tokens)
        r = self._sim([k for k, _ in ks])
        t = math.fsum(row.time_s * c for row, (_, c) in zip(r.kernels, ks))
        e = math.fsum(_row_energy([row]) * c for row, (_, c) in zip(r.kernels, ks))
        return t, e

    def _shared(self, tokens: int) -> tuple[float, float]:
        """Shared-expert time of one MoE layer per chip (what the EP combine all-to-all overlaps)."""
        ks = [k for k, _ in self._layer_kernels(tokens) if k.name.startswith("moe.shared_")]
        if not ks:
            return 0.0, 0.0
        return self._sim(ks).time_s, 0.0

    def _head(self, n: int) -> tuple[float, float]:
        seq = decode_kernels(self.local, -(-n // self.dp), 1, weight_dtype=self.wd, kv_dtype=self.kd)
        r = self._sim([k for k, _ in seq if k.name in ("lm_head", "sampling")])
        return r.time_s, _row_energy(r.kernels)

    def _attn_kernel_args(self) -> dict[str, Any]:
        return attention_shape(self.local)

    def _dattn(self, b: int, ctx: int) -> tuple[float, float]:
        k = DecodeAttention(batch=b, context=ctx, dtype="bf16", kv_dtype=self.kd, split_kv=ENGINE_SPLIT_KV,
                            **self._attn_kernel_args())
        r = self._sim([k])
        return r.time_s * self.n_attn, _row_energy(r.kernels) * self.n_attn

    def _pattn(self, q: int, keys: int) -> tuple[float, float]:
        k = PrefillAttention(batch=1, q_len=q, prefix=max(0, keys - q), dtype="bf16", kv_dtype=self.kd,
                             **self._attn_kernel_args())
        r = self._sim([k])
        return r.time_s * self.n_attn, _row_energy(r.kernels) * self.n_attn

    def _comm(self, tokens: int) -> tuple[float, float]:
        """Communication of ``tokens`` tokens through every layer: the TP all-reduces (two per layer), or under
        data-parallel attention the EP dispatch and combine all-to-alls (two per MoE layer; the combine
        overlaps the shared experts)."""
        tp = self.plan.tp
        if self.system is None:
            return 0.0, 0.0
        if tp > 1:
            ar = simulate_collective(self.system, AllReduce(message_bytes=int(tokens * self.model.d_model * ACT_BYTES)),
                                     ranks=tuple(range(tp)))
            return ar.time_s * 2 * self.model.n_layers, ar.energy_j * 2 * self.model.n_layers
        if self.dp > 1 and self.model.moe is not None:
            b_chip = -(-tokens // self.dp)
            a2a = simulate_collective(self.system, AllToAll(
                message_bytes=int(b_chip * self.model.moe.top_k * self.model.d_model * ACT_BYTES)),
                ranks=tuple(range(self.ep)))
            n = self.model.n_moe_layers
            hidden = min(a2a.time_s, self.shared(tokens)[0])
            return (2 * a2a.time_s - hidden) * n, 2 * a2a.energy_j * n
        return 0.0, 0.0

    def _logits(self, n: int) -> tuple[float, float]:
        tp = self.plan.tp
        if tp <= 1 or self.system is None or n <= 0:
            return 0.0, 0.0
        vb = int(n * (-(-self.model.vocab_size // tp)) * tp * ACT_BYTES)
        ag = simulate_collective(self.system, AllGather(message_bytes=vb), ranks=tuple(range(tp)))
        return ag.time_s, ag.energy_j

    def step(self, tokens: int, n_decode: int, context_sum: float, chunks: Sequence[tuple[int, int]],
             n_sampled: int) -> tuple[float, float]:
        """(time_s, energy_j of every chip) of one engine step."""
        pp = self.plan.pp
        mb = min(pp, max(1, tokens))  # microbatches in flight through the pipeline
        lt, le = self.layer(-(-tokens // mb))
        ct, ce = self.comm(-(-tokens // mb))
        at = ae = 0.0
        if n_decode:
            d = self.dattn(-(-n_decode // (mb * self.dp)), context_sum / n_decode)
            at, ae = d[0], d[1] * mb * self.dp
        for q, p in chunks:  # data-parallel attention: the chunks spread over the group's chips
            x = self.pattn(q, p + q)
            at, ae = at + x[0] / (mb * self.dp), ae + x[1]
        # per-layer work of one microbatch: the layer components are whole-model sums
        per_layer = (lt + at + ct) / self.model.n_layers
        ht, he = self.head(n_sampled)
        if pp == 1:
            t = lt + at + ct + ht
        else:
            # every microbatch passes every stage (the loop latency: the real stage times in turn) and
            # the busiest stage serves all microbatches in turn
            stage_t = [per_layer * n for n in self.stages]
            loop = math.fsum(stage_t) + pp * self._p2p(-(-tokens // mb))
            t = max(mb * max(stage_t), loop) + ht
        k = self.chips_per_stage
        e = (le * mb + ce * mb + he) * k + ae * (k // self.dp)
        # every chip draws its active floor while it runs none of its kernels (collectives, other stages)
        wait = max(0.0, k * pp * t - k * (mb * (lt + at) + ht))
        return t, e + wait * self.floor_w

    def _p2p(self, tokens: int) -> float:
        if self.system is None:
            return 0.0
        return p2p_time(self.system, int(tokens * self.model.d_model * ACT_BYTES))


# ---- results --------------------------------------------------------------------------------------------


def _pct(x: np.ndarray) -> dict[str, float]:
    x = x[np.isfinite(x)]
    if not len(x):
        return dict(mean=float("nan"), p50=float("nan"), p90=float("nan"), p99=float("nan"))
    return dict(mean=float(x.mean()), p50=float(np.percentile(x, 50)), p90=float(np.percentile(x, 90)),
                p99=float(np.percentile(x, 99)))


@dataclasses.dataclass(frozen=True)
class ServeResult:
    """What a serving run produced. Times in seconds; ``ttft``/``tpot``/``itl``/``e2e`` hold mean, p50,
    p90 and p99 over requests (``tpot``: (last token - first token) / (output - 1), requests of one
    output token excluded)."""

    system_name: str
    model_name: str
    stack: str
    chips: int
    feasible: bool
    reason: str
    chip_name: str = ""
    num_requests: int = 0
    duration_s: float = float("nan")
    output_tokens: int = 0
    input_tokens: int = 0
    steps: int = 0
    preemptions: int = 0
    ttft: dict[str, float] = dataclasses.field(default_factory=dict)
    tpot: dict[str, float] = dataclasses.field(default_factory=dict)
    e2e: dict[str, float] = dataclasses.field(default_factory=dict)
    kv_capacity_tokens: int = 0
    max_running: int = 0
    mean_running: float = 0.0
    energy_j: float = float("nan")
    host_exposed_s: float = 0.0
    simulations: int = 0
    batch_over_time: tuple[tuple[float, int], ...] = ()

    @property
    def throughput_tokens_per_s(self) -> float:
        """Output tokens per second over the run (all chips)."""
        return self.output_tokens / self.duration_s if self.feasible and self.duration_s > 0 else 0.0

    @property
    def tokens_per_s_per_chip(self) -> float:
        return self.throughput_tokens_per_s / self.chips

    @property
    def requests_per_s(self) -> float:
        return self.num_requests / self.duration_s if self.feasible and self.duration_s > 0 else 0.0

    @property
    def joules_per_token(self) -> float:
        return self.energy_j / self.output_tokens if self.output_tokens else float("nan")

    def cost(self, spec: Any = None) -> Any:
        """Cost and carbon per million output tokens of one chip's share (:func:`accelsim.explore.cost.
        decode_cost`): the run's power is its simulated energy over its duration; ``spec`` defaults to the
        chip preset's CostSpec."""
        from ..explore.cost import decode_cost, for_arch  # noqa: PLC0415

        spec = spec if spec is not None else for_arch(self.chip_name)
        e = self.energy_j / self.chips if math.isfinite(self.energy_j) else None
        return decode_cost(spec, self.tokens_per_s_per_chip, energy_j=e, time_s=self.duration_s)

    def as_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "batch_over_time"}
        d.update(throughput_tokens_per_s=self.throughput_tokens_per_s, tokens_per_s_per_chip=self.tokens_per_s_per_chip,
                 requests_per_s=self.requests_per_s, joules_per_token=self.joules_per_token)
        return d

    def table(self) -> str:
        head = f"{self.model_name} on {self.system_name} ({self.chips} chip(s)), stack {self.stack}"
        if not self.feasible:
            return f"{head}: infeasible: {self.reason}"
        ms = lambda d, k: d.get(k, float("nan")) * 1e3  # noqa: E731
        lines = [head,
                 f"{self.num_requests} requests in {self.duration_s:.2f} s, {self.steps} engine steps, "
                 f"{self.preemptions} preemptions; running requests max {self.max_running}, mean {self.mean_running:.1f}",
                 f"throughput {self.throughput_tokens_per_s:,.0f} output tokens/s ({self.tokens_per_s_per_chip:,.0f} per chip), "
                 f"{self.requests_per_s:.2f} requests/s",
                 f"{'':6s} {'mean':>10s} {'p50':>10s} {'p90':>10s} {'p99':>10s}"]
        for name, d in (("TTFT", self.ttft), ("TPOT", self.tpot), ("E2E", self.e2e)):
            lines.append(f"{name:6s} " + " ".join(f"{ms(d, k):8.1f}ms" for k in ("mean", "p50", "p90", "p99")))
        if math.isfinite(self.energy_j):
            lines.append(f"energy {self.energy_j:,.0f} J -> {self.joules_per_token * 1e3:.2f} mJ/token")
        return "\n".join(lines)


# ---- serve -----------------------------------------------------------------------------------------------


def _resolve(target: Architecture | System, plan: ParallelPlan | None) -> tuple[Architecture, System | None, ParallelPlan]:
    if isinstance(target, Architecture):
        plan = plan or ParallelPlan()
        if plan.chips > 1:
            raise ConfigError("plan", "a multi-chip plan needs a System (see accelsim.systems.load)", plan.to_dict())
        return target, None, plan
    if isinstance(target, System):
        if not isinstance(target.node, Architecture):
            raise ConfigError("system", "serve() runs on systems of single-die chips (a package is not supported)",
                              target.name)
        plan = plan or ParallelPlan(tp=target.chips)
        if plan.chips > target.chips:
            raise ConfigError("plan", f"needs {plan.chips} chips but the system has {target.chips}", plan.to_dict())
        return target.node, target, plan
    raise ConfigError("arch_or_system", "must be an accelsim.Architecture or an accelsim.system.System",
                      type(target).__name__)


def kv_capacity_tokens(chip: Architecture, model: ModelSpec, plan: ParallelPlan, stack: SoftwareStack, *,
                       weight_dtype: str, kv_dtype: str) -> tuple[int, float, float]:
    """(KV tokens the group holds, weight bytes per chip, KV bytes per token per chip). Under expert
    parallelism with data-parallel attention (``tp == 1``) every chip holds the attention weights, 1/ep of the
    routed experts and the KV of its own sequences, so the group holds ep times one chip's tokens."""
    tp, pp = plan.tp, plan.pp
    ep = plan.ep if model.moe is not None else 1
    dp = ep if (ep > 1 and tp == 1) else 1
    local = sharded_model(model, tp) if tp > 1 else model
    if ep > 1:
        experts = model.param_breakdown().get("routed_experts", 0)
        per_weight = model.weight_bytes(weight_dtype) / max(1, model.params())
        w_chip = ((model.params() - experts) / tp + experts / ep) * per_weight / pp
    else:
        w_chip = model.weight_bytes(weight_dtype) / (tp * pp)
    kv_tok = model.kv_bytes_per_token(kv_dtype)
    if model.mla is None:
        kv_tok = kv_tok * local.n_kv_heads / model.n_kv_heads
    kv_tok /= pp
    cap = chip.memory_capacity_bytes
    w_here = w_chip  # weights in the tier that holds the KV cache
    if isinstance(chip, Architecture) and is_tiered(chip):  # weights on flash and/or the KV cache in a pool
        from ..engine.nearmem import policy, unit_dram  # noqa: PLC0415

        pol = policy(chip)
        on_flash = chip.hbf is not None and pol.weights_tier == "flash"
        w_tier = chip.hbf.capacity_bytes if on_flash and chip.hbf is not None else cap
        if pol.kv_cache_tier == "pool":
            cap = unit_dram(chip).capacity_bytes
        if on_flash or pol.kv_cache_tier == "pool":
            w_here = 0.0
            if w_chip > w_tier:  # the weights do not fit their own tier: no room for any sequence
                return 0, w_chip, kv_tok
    if stack.memory_basis == "total":
        kv_mem = cap * stack.memory_fraction - w_here
    else:
        kv_mem = (cap - w_here) * stack.memory_fraction
    return max(0, int(kv_mem // kv_tok)) * dp, w_chip, kv_tok


def serve(arch_or_system: Architecture | System, model: ModelSpec | str, workload: Workload, *,
          stack: SoftwareStack | str = "vllm", plan: ParallelPlan | None = None, weight_dtype: str = "bf16",
          kv_dtype: str | None = None, fidelity: str = "fast", step_model: StepModel | None = None,
          max_steps: int = 50_000_000, routing_zipf_s: float = 0.0) -> ServeResult:
    """Serve ``workload`` with continuous batching and report throughput, TTFT and TPOT.

    ``arch_or_system``: one chip, or a System with ``plan`` (default: tensor parallel over all its
    chips). ``stack``: a :class:`SoftwareStack` or a preset name (see :data:`STACKS`).

    >>> import accelsim
    >>> w = accelsim.Workload(num_requests=64, input_len=512, output_len=128)
    >>> r = accelsim.serve(accelsim.presets.load("h100-sxm"), "llama-3-8b", w)
    >>> r.throughput_tokens_per_s > 1000 and r.ttft["p50"] > 0
    True
    """
    if isinstance(model, str):
        model = load_model(model)
    if not isinstance(model, ModelSpec):
        raise ConfigError("model", "must be a ModelSpec or a model name", type(model).__name__)
    if not isinstance(workload, Workload):
        raise ConfigError("workload", "must be an accelsim.Workload", type(workload).__name__)
    kv_dtype = kv_dtype or "bf16"
    weight_dtype, kv_dtype = dtype_alias(weight_dtype, "weight_dtype"), dtype_alias(kv_dtype, "kv_dtype")
    check_weight_dtype(weight_dtype)
    if not isinstance(kv_dtype, str) or kv_dtype not in DTYPE_BYTES:
        raise ConfigError("kv_dtype", f"unknown dtype; choose one of {sorted(DTYPE_BYTES)}", kv_dtype)
    if fidelity not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {FIDELITIES}", fidelity)
    st = load_stack(stack)
    chip, system, plan = _resolve(arch_or_system, plan)
    if plan.pp > model.n_layers:
        raise ConfigError("plan.pp", f"must be <= the model's {model.n_layers} layers", plan.pp)
    if plan.ep > 1:
        if model.moe is None:
            raise ConfigError("plan.ep", "expert parallelism needs a mixture-of-experts model", plan.ep)
        if model.moe.n_experts % plan.ep:
            raise ConfigError("plan.ep", f"must divide the model's {model.moe.n_experts} experts", plan.ep)
    routing_zipf_s = check_routing(routing_zipf_s)
    sm = step_model or StepModel(chip, model, weight_dtype=weight_dtype, kv_dtype=kv_dtype, system=system, plan=plan,
                                 fidelity=fidelity, routing_zipf_s=routing_zipf_s)
    name = system.name if system is not None else chip.name
    common: dict[str, Any] = dict(system_name=name, chip_name=chip.name, model_name=model.name, stack=st.name,
                                  chips=plan.chips)
    kv_tokens, w_chip, _ = kv_capacity_tokens(chip, model, plan, st, weight_dtype=weight_dtype, kv_dtype=kv_dtype)
    inp, out, arr = workload.arrays()
    B = st.block_size
    blocks_total = kv_tokens // B
    longest = int((inp + out).max())
    if -(-longest // B) > blocks_total:
        cap = chip.memory_capacity_bytes
        reason = (f"the KV cache holds {blocks_total * B} tokens per group (weights {w_chip / 1e9:.1f} GB of "
                  f"{cap / 1e9:.1f} GB per chip, memory fraction {st.memory_fraction}), a request needs {longest}")
        return ServeResult(feasible=False, reason=reason, kv_capacity_tokens=blocks_total * B, **common)

    n = workload.num_requests
    gen = np.zeros(n, np.int64)
    t_first = np.full(n, np.nan)
    t_done = np.full(n, np.nan)
    closed = workload.arrival == "closed"
    if closed:
        arr = np.full(n, np.inf)
        arr[:workload.concurrency] = 0.0
    waiting: list[int] = list(range(min(n, workload.concurrency))) if closed else list(range(n))
    head = 0  # waiting[head:] are not admitted; preempted requests are put back at the front
    front: list[int] = []  # preempted, re-admitted first (LIFO of preemption order reversed)
    spawned = min(n, workload.concurrency) if closed else n
    rid = np.zeros(0, np.int64)
    ctx = np.zeros(0, np.int64)
    pre = np.zeros(0, np.int64)
    blk = np.zeros(0, np.int64)
    free = blocks_total
    now = 0.0
    steps = preempt = 0
    energy = 0.0
    # the chips' floors while no kernel runs: active (clocks up) through exposed host gaps, idle between requests
    floor_active = sm.chips * floor_power_w(chip, "active")
    floor_idle = sm.chips * floor_power_w(chip, "idle")
    host_exposed = 0.0
    run_sum = 0.0
    max_run = 0
    trace: list[tuple[float, int]] = []
    reserve = st.kv_policy == "reserve"
    while True:
        dec = pre == 0
        # decode growth needs a new block whenever a context fills its last one
        if not reserve and len(rid):
            need = int(np.count_nonzero(dec & (ctx % B == 0)))
            while need > free and len(rid) > 1:
                j = len(rid) - 1  # the newest request is preempted and later recomputed
                free += int(blk[j])
                front.append(int(rid[j]))
                preempt += 1
                rid, ctx, pre, blk = rid[:j], ctx[:j], pre[:j], blk[:j]
                dec = pre == 0
                need = int(np.count_nonzero(dec & (ctx % B == 0)))
            if need > free:
                return ServeResult(feasible=False, reason="the KV cache cannot hold one running request", **common)
            free -= need  # the blocks the decodes' new tokens go to (added to blk after the step)
        n_dec = int(np.count_nonzero(dec))
        budget = st.max_num_batched_tokens - n_dec
        take = np.zeros(len(rid), np.int64)
        # continue the prompts already being prefilled
        for i in np.nonzero(~dec)[0]:
            if budget <= 0:
                break
            q = int(min(pre[i], budget))
            if not reserve:
                extra = -(-(int(ctx[i]) + q) // B) - int(blk[i])
                if extra > free:
                    break
                free -= extra
                blk[i] += extra
            take[i] = q
            budget -= q
        # admit waiting requests in order
        new_ids: list[int] = []
        new_take: list[int] = []
        new_blk: list[int] = []
        n_run = len(rid)
        while budget > 0 and n_run + len(new_ids) < st.max_num_seqs:
            if front:
                j = front[-1]
            elif head < len(waiting) and arr[waiting[head]] <= now:
                j = waiting[head]
            else:
                break
            prompt = int(inp[j] + gen[j])
            if not st.chunked_prefill and prompt > budget and (n_dec or new_ids or take.any()):
                break  # a whole prompt must fit the step's token budget (longer ones run alone, chunked)
            q = min(prompt, budget)
            need = -(-int(inp[j] + out[j]) // B) if reserve else -(-q // B)
            if need > free:
                break
            free -= need
            new_ids.append(j)
            new_take.append(q)
            new_blk.append(need)
            budget -= q
            if front and front[-1] == j:
                front.pop()
            else:
                head += 1
        if new_ids:
            ids = np.asarray(new_ids, np.int64)
            rid = np.concatenate([rid, ids])
            ctx = np.concatenate([ctx, np.zeros(len(ids), np.int64)])
            pre = np.concatenate([pre, inp[ids] + gen[ids]])
            blk = np.concatenate([blk, np.asarray(new_blk, np.int64)])
            take = np.concatenate([take, np.asarray(new_take, np.int64)])
            dec = pre == 0
        if not len(rid):
            nxt = [arr[waiting[head]]] if head < len(waiting) else []
            if not nxt or not math.isfinite(nxt[0]):
                break
            energy += floor_idle * max(0.0, float(nxt[0]) - now)
            now = max(now, float(nxt[0]))
            continue
        pidx = np.nonzero(take)[0]
        chunks = [(int(take[i]), int(ctx[i])) for i in pidx]
        finishing = (take > 0) & (take == pre)
        n_sampled = n_dec + int(np.count_nonzero(finishing))
        tokens = n_dec + int(take.sum())
        ctx_sum = float(ctx[dec].sum()) + n_dec  # the new token attends to itself too
        gpu, e = sm.step(tokens, n_dec, ctx_sum, chunks, n_sampled)
        host = st.host_s(len(rid))
        exposed = max(0.0, host - gpu) if st.overlap else host
        now += gpu + exposed
        host_exposed += exposed
        energy += e + floor_active * exposed
        steps += 1
        run_sum += len(rid)
        max_run = max(max_run, len(rid))
        if steps % 16 == 1:
            trace.append((now, len(rid)))
        if steps > max_steps:
            raise ConfigError("max_steps", "the run needs more engine steps than allowed", max_steps)
        # advance the running requests
        if not reserve:
            blk = blk + (dec & (ctx % B == 0))
        ctx = ctx + np.where(dec, 1, take)
        pre = pre - take
        sampled = dec | finishing
        sid = rid[sampled]
        gen[sid] += 1
        firsts = sid[np.isnan(t_first[sid])]
        t_first[firsts] = now
        done = sampled.copy()
        done[sampled] = gen[sid] >= out[sid]
        if done.any():
            did = rid[done]
            t_done[did] = now
            free += int(blk[done].sum())
            keep = ~done
            rid, ctx, pre, blk = rid[keep], ctx[keep], pre[keep], blk[keep]
            if closed:
                for _ in range(len(did)):
                    if spawned < n:
                        arr[spawned] = now
                        waiting.append(spawned)
                        spawned += 1
    if not steps:
        return ServeResult(feasible=False, reason="no request was served", **common)
    arr_f = np.where(np.isfinite(arr), arr, 0.0)
    ttft = t_first - arr_f
    multi = out > 1
    tpot = np.where(multi, (t_done - t_first) / np.maximum(out - 1, 1), np.nan)
    e2e = t_done - arr_f
    start = float(arr_f.min())
    return ServeResult(feasible=True, reason="", num_requests=n, duration_s=now - start,
                       output_tokens=int(out.sum()), input_tokens=int(inp.sum()), steps=steps, preemptions=preempt,
                       ttft=_pct(ttft), tpot=_pct(tpot), e2e=_pct(e2e), kv_capacity_tokens=blocks_total * B,
                       max_running=max_run, mean_running=run_sum / steps, energy_j=energy if energy > 0 else float("nan"),
                       host_exposed_s=host_exposed, simulations=sm.simulations, batch_over_time=tuple(trace), **common)

"""Re-run accelsim on published serving, collective and attention figures (tests/data/published_serving.json).

Each case carries its source, the exact quote and the full configuration; :func:`run_case` turns the
configuration into an accelsim run (the engine's documented settings, e.g. trtllm-bench's batch heuristic,
are part of the configuration, never fitted to the figure) and returns the simulated value of the same
metric. ``benchmarks/published.py`` prints the table.
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError
from ..models import load as load_model
from ..multichip.collectives import ALGORITHMS, simulate_collective, AllReduce
from ..multichip.parallel import ParallelPlan
from ..presets import load as load_preset
from ..presets import systems
from ..workload.kernels import PrefillAttention
from ..workload.serving import STACKS, SoftwareStack, Workload, serve, trtllm_bench_limits

__all__ = ["CaseResult", "load_cases", "run_case", "run_cases", "summary", "stack_for"]


@dataclasses.dataclass(frozen=True)
class CaseResult:
    id: str
    kind: str
    metric: str
    published: float
    simulated: float
    detail: str = ""
    miss: str = ""

    @property
    def ratio(self) -> float:
        return self.simulated / self.published if self.published else float("nan")

    @property
    def abs_log_ratio(self) -> float:
        r = self.ratio
        return abs(math.log(r)) if r > 0 and math.isfinite(r) else float("inf")


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    cases = doc.get("cases") if isinstance(doc, dict) else None
    if not isinstance(cases, list) or not cases:
        raise ConfigError("cases", "the file holds no 'cases' list", str(path))
    return cases


def stack_for(cfg: dict[str, Any]) -> SoftwareStack:
    """The software stack a case's configuration names, with the settings its benchmark used."""
    st = STACKS[cfg.get("stack", "vllm")]
    chip = load_preset(cfg["arch"])
    if cfg.get("scheduler") == "trtllm-bench":
        # trtllm-bench throughput: its batch/token heuristic, --kv_cache_free_gpu_mem_fraction 0.95 (the perf
        # overview's setting), --enable_chunked_context (its default), guaranteed_no_evict (its default)
        # the engine's limits come from the dataset it was built with (build_*: one engine for several runs)
        bs, tok = trtllm_bench_limits(load_model(cfg["model"]), chip.memory_capacity_bytes, tp=cfg["tp"],
                                      pp=cfg.get("pp", 1), weight_dtype=cfg["weight_dtype"],
                                      kv_dtype=cfg["kv_dtype"], input_len=cfg.get("build_input_len", cfg["input_len"]),
                                      output_len=cfg.get("build_output_len", cfg["output_len"]))
        st = st.replace(max_num_seqs=bs, max_num_batched_tokens=tok, memory_fraction=0.95, chunked_prefill=True)
    elif st.name == "vllm" and cfg.get("arrival") in ("offline", "batch"):
        st = st.replace(max_num_batched_tokens=16384)  # vLLM V1's default for the offline LLM class (>= 70 GB GPUs)
    for key in ("max_num_seqs", "max_num_batched_tokens", "memory_fraction", "chunked_prefill", "scheduler_steps"):
        if key in cfg:
            st = st.replace(**{key: cfg[key]})
    return st


def run_case(case: dict[str, Any]) -> CaseResult:
    cfg, kind, metric = case["config"], case["kind"], case["metric"]
    common = dict(id=case["id"], kind=kind, metric=metric, published=float(case["value"]), miss=case.get("miss", ""))
    if kind == "collective":
        algo = cfg.get("algorithm", "auto")
        if algo not in ALGORITHMS:
            raise ConfigError("algorithm", f"must be one of {ALGORITHMS}", algo)
        r = simulate_collective(systems.load(cfg["system"]), AllReduce(message_bytes=int(cfg["message_bytes"]),
                                                                       algorithm=algo))
        return CaseResult(simulated=r.bus_bandwidth_bytes_per_s, detail=f"{r.algorithm}/{r.protocol}", **common)
    if kind == "attention":
        from ..engine.simulate import simulate  # noqa: PLC0415

        arch = load_preset(cfg["arch"])
        if "clock_ghz" in cfg:  # the measurement's fixed clock
            arch = arch.with_field("compute.clock_ghz", float(cfg["clock_ghz"]))
        k = PrefillAttention(batch=cfg["batch"], q_len=cfg["seq_len"], q_heads=cfg["q_heads"], kv_heads=cfg["kv_heads"],
                             head_dim=cfg["head_dim"], causal=cfg["causal"], dtype=cfg["dtype"])
        t = simulate(arch, k).time_s
        return CaseResult(simulated=k.flops() / t / 1e12, detail=f"{t * 1e3:.3f} ms", **common)
    model = load_model(cfg["model"])
    multi = cfg.get("chips", 1) > 1
    target = systems.load(cfg["system"]) if multi else load_preset(cfg["arch"])
    plan = ParallelPlan(tp=cfg["tp"], pp=cfg.get("pp", 1)) if multi else None
    n, isl, osl = cfg.get("num_requests", 1), cfg["input_len"], cfg["output_len"]
    arrival = cfg.get("arrival", "offline")
    if arrival == "closed_loop":
        w = Workload(num_requests=n, input_len=isl, output_len=osl, arrival="closed", concurrency=cfg["concurrency"])
    elif arrival == "batch":
        w = Workload(num_requests=cfg["batch"], input_len=isl, output_len=osl)
    else:
        w = Workload(num_requests=n, input_len=isl, output_len=osl)
    r = serve(target, model, w, stack=stack_for(cfg), plan=plan, weight_dtype=cfg["weight_dtype"],
              kv_dtype=cfg["kv_dtype"])
    if not r.feasible:
        return CaseResult(simulated=float("nan"), detail="infeasible: " + r.reason, **common)
    value = {"output_tokens_per_s": r.throughput_tokens_per_s, "ttft_mean_s": r.ttft["mean"],
             "tpot_mean_s": r.tpot["mean"], "request_latency_s": r.duration_s}[metric]
    return CaseResult(simulated=value, detail=f"{r.steps} steps, running max {r.max_running}", **common)


def run_cases(cases: Sequence[dict[str, Any]]) -> list[CaseResult]:
    return [run_case(c) for c in cases]


def summary(results: Sequence[CaseResult]) -> dict[str, float]:
    """Median and max |ln(simulated / published)| as factors (1.10 = 10% off either way)."""
    logs = [r.abs_log_ratio for r in results]
    return dict(cases=len(results), median_factor=math.exp(statistics.median(logs)),
                max_factor=math.exp(max(logs)), within_1_5=sum(1 for x in logs if x <= math.log(1.5)))

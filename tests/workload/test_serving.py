"""serve(): continuous batching, paged KV, chunked prefill, software stacks."""

from __future__ import annotations

import math

import numpy as np
import pytest

import accelsim
from accelsim import Workload, serve
from accelsim.errors import ConfigError
from accelsim.workload.serving import STACKS, SoftwareStack, StepModel, trtllm_bench_limits

H100 = accelsim.presets.load("h100-sxm")
MODEL = "llama-3-8b"


def test_every_request_is_served_and_accounted():
    w = Workload(num_requests=48, input_len=300, output_len=40)
    r = serve(H100, MODEL, w, stack="vllm")
    assert r.feasible and r.num_requests == 48
    assert r.output_tokens == 48 * 40 and r.input_tokens == 48 * 300
    assert r.ttft["p50"] <= r.e2e["p50"] and r.ttft["p99"] <= r.e2e["p99"]
    assert 0 < r.tpot["mean"] < r.e2e["mean"]
    assert r.throughput_tokens_per_s == pytest.approx(r.output_tokens / r.duration_s)
    assert r.max_running <= 48 and r.steps >= 40
    assert math.isfinite(r.energy_j) and r.joules_per_token > 0
    assert "TTFT" in r.table() and r.as_dict()["throughput_tokens_per_s"] > 0
    c = r.cost()
    assert c.power_source == "energy_model" and c.usd_per_mtoken > 0
    assert c.joules_per_token == pytest.approx(r.joules_per_token, rel=1e-9)


def test_one_user_sees_the_prefill_and_decode_step_times():
    """Closed loop with one user on the ideal stack: TTFT is the prompt's prefill, TPOT a decode step."""
    w = Workload(num_requests=2, input_len=1024, output_len=64, arrival="closed", concurrency=1)
    r = serve(H100, MODEL, w, stack="ideal")
    p = accelsim.prefill_step(H100, MODEL, batch=1, prompt_len=1024)
    d = accelsim.decode_step(H100, MODEL, batch=1, context=1024 + 32)
    assert r.ttft["mean"] == pytest.approx(p.time_s, rel=0.05)
    assert r.tpot["mean"] == pytest.approx(d.time_s, rel=0.05)
    # a stack whose host work is not overlapped adds it to every step
    slow = serve(H100, MODEL, w, stack=STACKS["ideal"].replace(host_overhead_s=0.004, overlap=False))
    assert slow.tpot["mean"] == pytest.approx(r.tpot["mean"] + 0.004, rel=0.02)
    # host work per running sequence: one sequence here
    per_seq = serve(H100, MODEL, w, stack=STACKS["ideal"].replace(host_per_sequence_s=0.002, overlap=False))
    assert per_seq.tpot["mean"] == pytest.approx(r.tpot["mean"] + 0.002, rel=0.02)


def test_vllm_v0_host_work_grows_with_the_batch():
    """vLLM V0: 4 ms per step [VLLM-6854], 20 ms at a batch of 200 [VLLM-6801]; multi-step scheduling divides it."""
    v0 = STACKS["vllm-v0"]
    assert v0.host_s(0) == pytest.approx(0.004)
    assert v0.host_s(200) == pytest.approx(0.020)
    assert v0.replace(scheduler_steps=10).host_s(200) == pytest.approx(0.002)
    assert STACKS["vllm"].host_s(1000) == STACKS["vllm"].host_s(1)
    with pytest.raises(ConfigError) as e:
        SoftwareStack(name="x", host_per_sequence_s=-1e-6)
    assert e.value.field == "stack.host_per_sequence_s"


def test_deterministic():
    w = Workload(num_requests=64, input_len=200, output_len=50, arrival="poisson", rate=30.0, seed=3)
    a = serve(H100, MODEL, w)
    b = serve(H100, MODEL, w)
    assert a.as_dict() == b.as_dict()


def test_more_bandwidth_serves_faster_and_load_raises_latency():
    w = Workload(num_requests=128, input_len=512, output_len=128)
    h100 = serve(H100, MODEL, w, stack="trtllm")
    h200 = serve(accelsim.presets.load("h200"), MODEL, w, stack="trtllm")
    assert h200.throughput_tokens_per_s > h100.throughput_tokens_per_s
    light = serve(H100, MODEL, Workload(num_requests=64, input_len=512, output_len=64, arrival="poisson", rate=2.0))
    heavy = serve(H100, MODEL, Workload(num_requests=64, input_len=512, output_len=64, arrival="poisson", rate=500.0))
    assert heavy.ttft["p90"] > light.ttft["p90"]
    assert heavy.mean_running > light.mean_running


def test_small_kv_cache_preempts_and_reserve_never_does():
    # 60 GB of the 85.9 GB for weights + KV (vLLM-style): ~ 0.5 M tokens of bf16 KV minus 16 GB weights
    tight = STACKS["vllm"].replace(memory_fraction=0.215)
    w = Workload(num_requests=64, input_len=256, output_len=1024)
    r = serve(H100, MODEL, w, stack=tight)
    assert r.feasible and r.preemptions > 0 and r.output_tokens == 64 * 1024
    res = serve(H100, MODEL, w, stack=tight.replace(kv_policy="reserve"))
    assert res.preemptions == 0 and res.max_running < 64


def test_chunked_prefill_bounds_the_tokens_per_step():
    w = Workload(num_requests=8, input_len=4000, output_len=16)
    small = serve(H100, MODEL, w, stack=STACKS["ideal"].replace(max_num_batched_tokens=512))
    big = serve(H100, MODEL, w, stack=STACKS["ideal"].replace(max_num_batched_tokens=16384))
    assert small.steps > big.steps
    assert small.ttft["p99"] > big.ttft["p99"]  # the last prompt waits for every chunk before it


def test_trtllm_bench_heuristic():
    """tensorrt_llm/bench/build/tuning.py for Llama-3.1-8B FP8 (FP8 KV) on one H100 at 128/2048:
    ~515 requests fit the KV cache -> max batch 640 (rounded up to 128), max tokens 2048 (the minimum)."""
    m = accelsim.models.load(MODEL)
    bs, tok = trtllm_bench_limits(m, H100.memory_capacity_bytes, tp=1, weight_dtype="fp8", kv_dtype="fp8",
                                  input_len=128, output_len=2048)
    assert (bs, tok) == (640, 2048)
    bs, tok = trtllm_bench_limits(m, H100.memory_capacity_bytes, tp=1, weight_dtype="fp8", kv_dtype="fp8",
                                  input_len=20000, output_len=2000)
    assert bs == 64 and tok >= 2048


def test_published_h100_llama8b_throughput_is_pinned():
    """TensorRT-LLM perf overview: Llama 3.1 8B FP8 on one H100, 1000/1000, 3000 requests: 15,220 output
    tokens/s. accelsim with trtllm-bench's settings (tests/data/published_serving.json)."""
    m = accelsim.models.load(MODEL)
    bs, tok = trtllm_bench_limits(m, H100.memory_capacity_bytes, tp=1, weight_dtype="fp8", kv_dtype="fp8",
                                  input_len=1000, output_len=1000)
    st = STACKS["trtllm"].replace(max_num_seqs=bs, max_num_batched_tokens=tok, memory_fraction=0.95,
                                  chunked_prefill=True)
    r = serve(H100, m, Workload(num_requests=1500, input_len=1000, output_len=1000), stack=st,
              weight_dtype="fp8", kv_dtype="fp8")
    assert 15220 / 1.2 < r.throughput_tokens_per_s < 15220 * 1.2
    assert r.throughput_tokens_per_s == pytest.approx(16200, rel=0.05)  # today's figure: catches regressions


def test_system_tensor_parallel_serves_more_per_step():
    dgx = accelsim.systems.load("dgx-h100-8")
    w = Workload(num_requests=32, input_len=256, output_len=64)
    tp2 = serve(dgx, "llama-3-70b", w, plan=accelsim.parallel.ParallelPlan(tp=2), weight_dtype="fp8")
    assert tp2.feasible and tp2.chips == 2
    one = serve(H100, "llama-3-70b", w, weight_dtype="bf16")
    assert not one.feasible and "KV cache" in one.reason  # 141 GB of bf16 weights do not fit 80 GB


def test_trace_file_and_workload_validation(tmp_path):
    f = tmp_path / "trace.csv"
    f.write_text("arrival_s,input_len,output_len\n0.0,100,10\n0.5,200,20\n# a comment\n0.25,50,5\n")
    w = Workload.from_trace(str(f))
    assert w.num_requests == 3 and w.arrival == "trace" and w.input_lens == (100, 50, 200)
    r = serve(H100, MODEL, w)
    assert r.output_tokens == 35
    bad = tmp_path / "bad.csv"
    bad.write_text("0.0 100 10\n0.1 x 3\n")
    with pytest.raises(ConfigError) as e:
        Workload.from_trace(str(bad))
    assert e.value.field == "trace"
    for kw, field in ((dict(num_requests=0), "workload.num_requests"), (dict(arrival="burst"), "workload.arrival"),
                      (dict(arrival="poisson"), "workload.rate"), (dict(arrival="closed"), "workload.concurrency"),
                      (dict(num_requests=2, input_lens=(1,)), "workload.input_lens")):
        with pytest.raises(ConfigError) as e:
            Workload(**kw)
        assert e.value.field == field
    with pytest.raises(ConfigError) as e:
        serve(H100, MODEL, Workload(), stack="tgi")
    assert e.value.field == "stack"
    with pytest.raises(ConfigError) as e:
        SoftwareStack(name="x", memory_fraction=1.5)
    assert e.value.field == "stack.memory_fraction"
    with pytest.raises(ConfigError):
        serve(H100, MODEL, Workload(), plan=accelsim.parallel.ParallelPlan(tp=2))


def test_step_model_interpolates_between_simulated_points():
    m = accelsim.models.load(MODEL)
    sm = StepModel(H100, m)
    t100, _ = sm.step(100, 100, 100 * 1000, [], 100)
    t128, _ = sm.step(128, 128, 128 * 1000, [], 128)
    t110, _ = sm.step(110, 110, 110 * 1000, [], 110)
    assert t100 < t110 < t128
    d = accelsim.decode_step(H100, m, batch=110, context=1000).time_s
    assert t110 == pytest.approx(d, rel=0.03)
    assert np.isfinite(t110) and sm.simulations > 0


def test_expert_parallel_serving_matches_the_parallel_decode_step():
    """serve() under expert parallelism: a decode step of its step model is parallel_decode_step's (data-parallel
    attention, experts spread, dispatch/combine all-to-alls); the group's KV cache is ep chips' worth; dense
    models and degrees that do not divide the experts are refused naming plan.ep."""
    from accelsim.multichip.parallel import ParallelPlan, parallel_decode_step
    from accelsim.presets import systems
    from accelsim.workload.serving import kv_capacity_tokens

    s = systems.load("dgx-h100-8")
    m = accelsim.models.load("mixtral-8x7b")
    ep8 = ParallelPlan(ep=8)
    sm = StepModel(s.node, m, weight_dtype="fp8", kv_dtype="fp8", system=s, plan=ep8)
    t, _ = sm.step(64, 64, 64.0 * 1024, [], 64)
    ref = parallel_decode_step(s, m, 64, 1024, plan=ep8, weight_dtype="fp8", kv_dtype="fp8")
    assert t == pytest.approx(ref.time_s, rel=1e-9)
    one, _, _ = kv_capacity_tokens(s.node, m, ParallelPlan(ep=1), STACKS["vllm"], weight_dtype="fp8", kv_dtype="fp8")
    eight, w_chip, _ = kv_capacity_tokens(s.node, m, ep8, STACKS["vllm"], weight_dtype="fp8", kv_dtype="fp8")
    assert w_chip < m.weight_bytes("fp8") / 4 and eight > 8 * one
    w = Workload(num_requests=32, input_len=256, output_len=16)
    r = serve(s, m, w, plan=ep8, weight_dtype="fp8", kv_dtype="fp8")
    assert r.feasible and r.chips == 8 and r.output_tokens == 32 * 16
    skew = serve(s, m, w, plan=ep8, weight_dtype="fp8", kv_dtype="fp8", routing_zipf_s=1.2)
    assert skew.feasible and skew.duration_s <= r.duration_s  # fewer distinct experts read per step
    for bad_model, bad_plan in ((MODEL, ep8), (m, ParallelPlan(ep=3))):
        with pytest.raises(ConfigError) as e:
            serve(s, bad_model, w, plan=bad_plan)
        assert e.value.field == "plan.ep"

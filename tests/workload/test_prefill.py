"""Prefill: the flash-attention forward kernel and prefill_step (TTFT)."""

from __future__ import annotations

import math

import pytest

import accelsim
from accelsim import PrefillAttention
from accelsim.errors import ConfigError
from accelsim.workload.prefill import prefill_kernels

H100 = accelsim.presets.load("h100-sxm")


def _tflops(arch, k):
    return k.flops() / accelsim.simulate(arch, k).time_s / 1e12


def test_flash_attention_forward_matches_flashattention3_on_h100():
    """FlashAttention-3 (NeurIPS 2024) Table 2: (batch, seqlen, heads, hdim) = (4, 8448, 16, 128), non-causal
    BF16 forward, 3.538 ms = 661 TFLOP/s on an H100 SXM5 with the clock fixed at 1830 MHz."""
    a = H100.with_field("compute.clock_ghz", 1.83)
    k = PrefillAttention(batch=4, q_len=8448, q_heads=16, kv_heads=16, head_dim=128, causal=False)
    tf = _tflops(a, k)
    assert 661 / 1.25 < tf < 661 * 1.25
    # never above the matrix units' peak
    assert tf * 1e12 <= a.compute.peak_flops_per_s("bf16")


def test_prefill_attention_physics():
    base = dict(batch=1, q_heads=32, kv_heads=8, head_dim=128)
    causal = accelsim.simulate(H100, PrefillAttention(q_len=4096, **base)).time_s
    full = accelsim.simulate(H100, PrefillAttention(q_len=4096, causal=False, **base)).time_s
    assert causal < full < 2.6 * causal  # causal computes about half the scores
    short = accelsim.simulate(H100, PrefillAttention(q_len=1024, **base)).time_s
    assert short < causal
    # a chunk after a cached prefix attends to more keys than the same chunk alone
    chunk = accelsim.simulate(H100, PrefillAttention(q_len=1024, prefix=3072, **base)).time_s
    assert chunk > short
    k = PrefillAttention(q_len=4096, **base)
    r = accelsim.simulate(H100, k).kernels[0]
    assert r.dram_read_bytes >= k.kv_bytes()  # K and V are read at least once
    assert r.time_s >= k.flops() / H100.compute.peak_flops_per_s("bf16")  # never below the roofline
    # fp8 attention runs on the 8-bit matrix path: faster
    fp8 = accelsim.simulate(H100, PrefillAttention(q_len=4096, dtype="fp8", **base)).time_s
    assert fp8 < causal


@pytest.mark.parametrize("field,value", [("q_len", 0), ("batch", -1), ("prefix", -1), ("q_heads", 30),
                                         ("dtype", "fp5"), ("causal", "yes")])
def test_prefill_attention_rejects_bad_fields(field, value):
    kw = dict(batch=1, q_len=16, q_heads=32, kv_heads=8, head_dim=128)
    kw[field] = value
    with pytest.raises(ConfigError) as e:
        PrefillAttention(**kw)
    assert e.value.field == field


def test_prefill_step_ttft_and_throughput():
    p = accelsim.prefill_step(H100, "llama-3-8b", batch=1, prompt_len=2048)
    assert p.feasible and p.ttft_s == p.time_s > 0
    m = accelsim.models.load("llama-3-8b")
    # compute-bound: at least the matmul FLOPs at the bf16 peak, and well above half of the GEMM-sustained rate
    floor = 2 * m.params() * 2048 / H100.compute.peak_flops_per_s("bf16")
    assert floor < p.time_s < 3 * floor
    assert p.tokens_per_s == pytest.approx(2048 / p.time_s)
    # fp8 weights run the GEMMs on the 8-bit path: faster prefill
    q = accelsim.prefill_step(H100, "llama-3-8b", batch=1, prompt_len=2048, weight_dtype="fp8")
    assert q.time_s < p.time_s
    # twice the tokens: about twice the time (a bit more: attention is quadratic)
    p2 = accelsim.prefill_step(H100, "llama-3-8b", batch=2, prompt_len=2048)
    assert 1.8 * p.time_s < p2.time_s < 2.2 * p.time_s
    assert math.isfinite(p.energy_j) and p.energy_j > 0
    assert "TTFT" in p.table() and p.as_dict()["ttft_s"] == p.time_s


def test_prefill_samples_only_the_last_token():
    m = accelsim.models.load("llama-3-8b")
    seq = dict((k.name, k) for k, _ in prefill_kernels(m, 2, 1024))
    assert seq["lm_head"].m == 2 and seq["qkv_proj"].m == 2048
    chunk = [k.name for k, _ in prefill_kernels(m, 1, 512, prefix=512, sampled=0)]
    assert "lm_head" not in chunk and "prefill_attention" in chunk


def test_prefill_step_infeasible_and_bad_input():
    p = accelsim.prefill_step(accelsim.presets.load("tpu-v5e"), "llama-3-70b", batch=1, prompt_len=1024)
    assert not p.feasible and "exceed memory capacity" in p.reason and math.isnan(p.time_s)
    for kw, field in ((dict(prompt_len=0), "prompt_len"), (dict(batch=True), "batch"),
                      (dict(weight_dtype="fp9"), "weight_dtype"), (dict(fidelity="x"), "fidelity")):
        with pytest.raises(ConfigError) as e:
            accelsim.prefill_step(H100, "llama-3-8b", **kw)
        assert e.value.field == field

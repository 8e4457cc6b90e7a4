"""Weight formats: what a checkpoint stores and what the matrix units multiply (W8A8, W4A16, W4A4)."""

from __future__ import annotations

import math

import pytest

import accelsim
from accelsim import presets
from accelsim.dtypes import WEIGHT_FORMATS, weight_format
from accelsim.engine.simulate import simulate
from accelsim.workload.decode import decode_kernels, gemv_dtypes


def test_formats_and_aliases():
    assert weight_format("NVFP4").name == "nvfp4"
    assert weight_format("mxfp4").math == "fp4"
    assert weight_format("float8_e4m3fn").name == "fp8" and weight_format("fp8").math == "fp8"
    assert weight_format("int4").weight_only and weight_format("int4").math == "bf16"
    assert not weight_format("nvfp4").weight_only
    # NVFP4: 4-bit values + one 8-bit scale per 16; MXFP4: + one 8-bit scale per 32
    assert weight_format("nvfp4").stored_bits_per_weight == pytest.approx(4.5)
    assert weight_format("mxfp4").stored_bits_per_weight == pytest.approx(4.25)
    for bad in ("fp5", 4, None):
        with pytest.raises(accelsim.ConfigError) as e:
            weight_format(bad)
        assert e.value.field == "weight_dtype"


def test_model_weight_bytes_count_block_scales():
    m = accelsim.models.load("llama-3-8b")
    n = m.params()
    assert m.weight_bytes("nvfp4") == math.ceil((n * 4 + math.ceil(n / 16) * 8) / 8)
    assert m.weight_bytes("fp4") == math.ceil(n / 2)  # a dtype: values only, as before
    assert m.weight_bytes("fp8") < m.weight_bytes("nvfp4") * 2


def test_decode_kernels_run_w4a4_on_fp4_math():
    m = accelsim.models.load("llama-3-8b")
    gemvs = [k for k, _ in decode_kernels(m, 8, 128, weight_dtype="nvfp4") if isinstance(k, accelsim.Gemv)]
    proj = [g for g in gemvs if g.name != "lm_head"]
    assert proj and all(g.math_dtype == "fp4" and g.wdtype == "fp4" and g.group_size == 16 for g in proj)
    head = [g for g in gemvs if g.name == "lm_head"][0]
    assert head.math_dtype == "bf16"  # quantizers leave the LM head in bf16
    assert gemv_dtypes("fp4")["dtype"] == "bf16"  # fp4 as a dtype stays weight-only
    # activations carry their block scales: 4.5 bits per element
    g = proj[0]
    assert g.act_bytes_per_element == pytest.approx(0.5 + 1 / 16)


def test_w4a4_runs_at_the_fp4_tensor_core_rate():
    """A compute-bound GEMM on B200 (fp4 math at twice fp8's rate): W4A4 close to twice as fast as W8A8 and
    much faster than weight-only fp4 (bf16 math); never faster than the fp4 peak."""
    b = presets.load("b200")
    shape = dict(m=4096, n=8192, k=8192)
    t = {}
    for wd in ("fp8", "fp4", "nvfp4"):
        k = accelsim.Gemv(name="g", **shape, **gemv_dtypes(wd))
        t[wd] = simulate(b, k).time_s
        assert t[wd] >= k.flops() / b.peak_flops_per_s(k.math_dtype)
    assert 1.5 < t["fp8"] / t["nvfp4"] < 2.1
    # weight-only fp4 multiplies at the bf16 rate: slower by about the ratio of the sustained rates
    c = b.compute
    rates = c.sustained_flops_per_s("fp4") / c.sustained_flops_per_s("bf16")
    assert 0.75 * rates < t["fp4"] / t["nvfp4"] <= 1.05 * rates and rates > 2.5


def test_prefill_and_serve_take_the_format():
    b = presets.load("b200")
    p4 = accelsim.prefill_step(b, "llama-3-8b", 1, 2048, weight_dtype="NVFP4", kv_dtype="fp8")
    p8 = accelsim.prefill_step(b, "llama-3-8b", 1, 2048, weight_dtype="fp8", kv_dtype="fp8")
    assert p4.feasible and p4.weight_dtype == "nvfp4" and p4.time_s < p8.time_s
    with pytest.raises(accelsim.ConfigError) as e:
        accelsim.prefill_step(b, "llama-3-8b", 1, 64, weight_dtype="fp5")
    assert e.value.field == "weight_dtype"
    assert set(WEIGHT_FORMATS) >= {"bf16", "fp8", "int4", "fp4", "nvfp4", "mxfp4"}

"""decode_step: the kernel sequence of one decode step, its time, feasibility, KV bytes, dtypes, MoE routing, CLI.

Simulations are memoized per process (simulate._simulate_one), so the tests share their kernels: the
whole file costs a handful of distinct GEMVs per (machine, batch, dtype).
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import models, presets
from accelsim.cli import app as cli
from accelsim.workload.decode import DecodeStepResult, decode_kernels, decode_step
from accelsim.errors import ConfigError
from accelsim.workload.kernels import DecodeAttention, Gemv
from accelsim.models import expected_distinct_experts

BOUNDS = {"bandwidth", "latency", "compute", "launch"}
CONTEXTS = (1024, 4096, 16384)
BATCHES = (1, 4, 16)
TOL = 0.01  # monotonicity tolerance (relative)


@pytest.fixture(scope="module")
def h100() -> accelsim.Architecture:
    return presets.load("h100-sxm")


@pytest.fixture(scope="module")
def h200() -> accelsim.Architecture:
    return presets.load("h200")


@pytest.fixture(scope="module")
def grid(h100: accelsim.Architecture) -> dict[tuple[int, int], DecodeStepResult]:
    """llama-3-8b bf16 on h100-sxm over batch x context."""
    return {(b, c): decode_step(h100, "llama-3-8b", batch=b, context=c) for b in BATCHES for c in CONTEXTS}


# ------------------------------------------------------------------------------------- time = sum of kernels


def test_time_is_sum_of_kernels(h100: accelsim.Architecture, grid: dict) -> None:
    s = grid[(4, 4096)]
    assert s.feasible and s.reason == ""
    # exactly as decode_step computes it
    assert s.time_s == math.fsum(row.time_s * n for row, n in s.kernels)
    # and equal to simulating the expanded kernel list (every kernel repeated count times)
    seq = decode_kernels(models.load("llama-3-8b"), 4, 4096)
    flat = [k for k, n in seq for _ in range(n)]
    r = accelsim.simulate(h100, flat)
    assert r.time_s == pytest.approx(s.time_s, rel=1e-12)
    assert len(r.kernels) == s.n_kernels == sum(n for _, n in seq)
    # launch overheads are part of the rows, and the step pays one per kernel launch
    assert s.launch_s == pytest.approx(s.n_kernels * h100.kernel_launch_overhead_ns * 1e-9, rel=1e-9)
    assert s.launch_s < s.time_s
    assert s.tokens_per_s == pytest.approx(4 / s.time_s)
    # per-row totals add up to the step
    assert math.fsum(d["total_time_s"] for d in s.rows()) == pytest.approx(s.time_s, rel=1e-12)


def test_rows_and_levels(grid: dict) -> None:
    s = grid[(1, 4096)]
    for d in s.rows():
        assert d["bound"] in BOUNDS, d
        for key in ("name", "count", "time_s", "dram_read_bytes", "flops", "achieved_bandwidth_bytes_per_s"):
            assert key in d
        assert d["time_s"] > 0 and d["count"] >= 1
    # the big weight GEMVs stream at a good fraction of the pins and are bandwidth-bound at batch 1
    rows = {r.name: r for r, _ in s.kernels}
    assert rows["gate_up_proj"].bound == "bandwidth"
    assert rows["lm_head"].bound == "bandwidth"
    assert s.dram_read_bytes > 0 and s.l2_read_bytes > 0 and s.dram_write_bytes > 0
    # every weight is read once: the DRAM reads cover weights (minus the embedding table) + KV cache
    m = models.load("llama-3-8b")
    streamed = s.weight_bytes - m.param_breakdown()["embedding"] * 2
    assert s.dram_read_bytes >= streamed + s.kv_cache_bytes
    assert s.dram_read_bytes < 1.05 * (streamed + s.kv_cache_bytes)
    assert "tokens/s" in s.table()
    json.dumps(s.as_dict(), allow_nan=False)


@pytest.mark.parametrize("name", ["llama-3-8b", "mixtral-8x7b", "deepseek-v3"])
def test_every_weight_is_read_once_per_step(name: str) -> None:
    """The GEMVs of a step hold every weight except the embedding table and the norms (all experts touched)."""
    m = models.load(name)
    seq = decode_kernels(m, 4096, 16)  # 4096 tokens touch every expert
    gemv_params = sum(k.n * k.k * n for k, n in seq if isinstance(k, Gemv))
    b = m.param_breakdown()
    expected = m.params() - b["embedding"] - b["norms"]
    assert gemv_params == pytest.approx(expected, rel=1e-6)


# ------------------------------------------------------------------------------------------- monotonicity


def test_monotone_in_context_and_batch(grid: dict) -> None:
    violations = []
    for b in BATCHES:
        for c0, c1 in zip(CONTEXTS, CONTEXTS[1:]):
            t0, t1 = grid[(b, c0)].time_s, grid[(b, c1)].time_s
            if t1 < t0 * (1 - TOL):
                violations.append(f"batch {b}: context {c0}->{c1}: {t0 * 1e3:.4f} -> {t1 * 1e3:.4f} ms")
    for c in CONTEXTS:
        for b0, b1 in zip(BATCHES, BATCHES[1:]):
            t0, t1 = grid[(b0, c)].time_s, grid[(b1, c)].time_s
            if t1 < t0 * (1 - TOL):
                violations.append(f"context {c}: batch {b0}->{b1}: {t0 * 1e3:.4f} -> {t1 * 1e3:.4f} ms")
    assert not violations, violations
    # and throughput grows with batch (a decode step is weight-bound at small batch)
    for c in CONTEXTS:
        assert grid[(16, c)].tokens_per_s > grid[(4, c)].tokens_per_s > grid[(1, c)].tokens_per_s


# --------------------------------------------------------------------------------------------- KV bytes


@pytest.mark.parametrize("kv_dtype,nbytes", [("bf16", 2), ("fp8", 1)])
def test_kv_bytes_formula(h100: accelsim.Architecture, kv_dtype: str, nbytes: int) -> None:
    m = models.load("llama-3-8b")
    batch, context = 4, 4096
    s = decode_step(h100, m, batch=batch, context=context, kv_dtype=kv_dtype)
    formula = 2 * m.n_layers * m.n_kv_heads * m.head_dim * batch * context * nbytes
    assert s.kv_cache_bytes == formula
    # the attention kernels read at least the whole cache from DRAM, every layer
    attn = [(r, n) for r, n in s.kernels if r.name.startswith("attention")]
    assert attn
    assert sum(r.dram_read_bytes * n for r, n in attn) >= formula
    kernels = [k for k, _ in decode_kernels(m, batch, context, kv_dtype=kv_dtype) if isinstance(k, DecodeAttention)]
    assert sum(k.kv_bytes() for k in kernels) * m.n_layers >= formula


# ----------------------------------------------------------------------------------------------- dtypes


def test_fp8_gemv_roughly_halves_time(h100: accelsim.Architecture) -> None:
    bf16 = accelsim.simulate(h100, Gemv(m=1, n=8192, k=8192, dtype="bf16")).kernels[0]
    fp8 = accelsim.simulate(h100, Gemv(m=1, n=8192, k=8192, dtype="fp8")).kernels[0]
    ratio = fp8.time_s / bf16.time_s
    print(f"fp8/bf16 GEMV 1x8192x8192 time ratio on h100-sxm: {ratio:.3f}")
    assert bf16.bound == fp8.bound == "bandwidth"
    assert 0.45 <= ratio <= 0.65, ratio


def test_fp8_weights_speed_up_decode(grid: dict, h100: accelsim.Architecture) -> None:
    bf16 = grid[(1, 4096)]
    fp8 = decode_step(h100, "llama-3-8b", batch=1, context=4096, weight_dtype="fp8")
    assert fp8.feasible and fp8.time_s < bf16.time_s
    assert fp8.weight_bytes == pytest.approx(bf16.weight_bytes / 2, rel=1e-9)


# ------------------------------------------------------------------------------------------ MoE routing


@pytest.mark.parametrize("name", ["deepseek-v3", "mixtral-8x7b"])
@settings(max_examples=60, deadline=None)
@given(batch=st.integers(1, 4096))
def test_moe_expected_experts(name: str, batch: int) -> None:
    m = models.load(name)
    assert m.moe is not None
    e, k = m.moe.n_experts, m.moe.top_k
    x = m.expected_experts(batch)
    assert x == pytest.approx(e * (1 - (1 - k / e) ** batch), rel=1e-9, abs=1e-9)
    assert k - 1e-9 <= x <= min(e, k * batch) + 1e-9
    assert m.expected_experts(batch + 1) >= x - 1e-9  # more tokens never touch fewer experts
    if batch == 1:
        assert x == k
    assert expected_distinct_experts(e, k, batch) == x
    # the decode step reads round(expected) experts' weights in each MoE layer
    seq = dict((kern.name, kern) for kern, _ in decode_kernels(m, batch, 16))
    gate_up = seq["moe.experts_gate_up"]
    assert gate_up.n == 2 * m.moe.expert_d_ff * max(1, round(x))
    assert gate_up.m * x >= batch * k - 1e-6  # every routed token is computed


# ---------------------------------------------------------------------------------------- feasibility


def test_infeasible_is_reported_not_raised(h100: accelsim.Architecture) -> None:
    s = decode_step(h100, "llama-3-70b", batch=1, context=4096)
    assert s.feasible is False
    assert "capacity" in s.reason
    assert math.isnan(s.time_s) and s.tokens_per_s == 0
    assert s.kernels == () and s.weight_bytes > s.capacity_bytes
    assert "infeasible" in s.table()
    json.dumps(s.as_dict(), allow_nan=False)


def test_70b_fp8_fits_h200(h200: accelsim.Architecture) -> None:
    s = decode_step(h200, "llama-3-70b", batch=1, context=4096, weight_dtype="fp8")
    assert s.feasible, s.reason
    assert s.weight_bytes + s.kv_cache_bytes <= s.capacity_bytes
    assert math.isfinite(s.time_s) and s.tokens_per_s > 0
    assert all(r.bound in BOUNDS for r, _ in s.kernels)


def test_deepseek_v3_fp8_on_large_memory_machine(h200: accelsim.Architecture) -> None:
    big = h200.with_field("dram.capacity_bytes_per_stack", 8 * h200.dram.capacity_bytes_per_stack)
    assert not decode_step(h200, "deepseek-v3", batch=1, context=4096, weight_dtype="fp8").feasible
    s = decode_step(big, "deepseek-v3", batch=1, context=4096, weight_dtype="fp8")
    assert s.feasible, s.reason
    assert math.isfinite(s.time_s) and s.time_s > 0
    names = {r.name for r, _ in s.kernels}
    assert {"attention_mla", "moe.experts_gate_up", "moe.shared_gate_up", "q_absorb", "v_absorb"} <= names
    assert all(r.bound in BOUNDS for r, _ in s.kernels)
    m = models.load("deepseek-v3")
    assert s.kv_cache_bytes == (512 + 64) * m.n_layers * 4096 * 2  # bf16 latent cache (kv_dtype default), batch 1


# ------------------------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("kwargs,field", [
    (dict(batch=0), "batch"),
    (dict(context=-1), "context"),
    (dict(model="nope"), "model"),
    (dict(weight_dtype="fp7"), "weight_dtype"),
    (dict(kv_dtype="fp7"), "kv_dtype"),
    (dict(batch=1.5), "batch"),
    (dict(fidelity="exact"), "fidelity"),
])
def test_bad_inputs_raise_config_error(h100: accelsim.Architecture, kwargs: dict, field: str) -> None:
    args = dict(model="llama-3-8b", batch=1, context=4096)
    args.update(kwargs)
    model = args.pop("model")
    with pytest.raises(ConfigError) as e:
        decode_step(h100, model, **args)
    assert e.value.field == field
    assert field in str(e.value)


def test_user_kernel_list(h100: accelsim.Architecture) -> None:
    """A user can build and simulate their own kernel list."""
    ks = [Gemv(m=1, n=4096, k=4096, name="mine"),
          DecodeAttention(batch=1, q_heads=32, kv_heads=8, head_dim=128, context=2048)]
    r = accelsim.simulate(h100, ks)
    assert r.time_s == sum(k.time_s for k in r.kernels) > 0
    assert r.kernels[0].name == "mine"


# ------------------------------------------------------------------------------------------------- CLI


def test_cli_decode(capsys: pytest.CaptureFixture[str], grid: dict) -> None:
    code = cli.main(["decode", "--arch", "h100-sxm", "--model", "llama-3-8b", "--batch", "16", "--context", "4096"])
    out, err = capsys.readouterr()
    assert code == 0 and not err
    assert out.startswith(grid[(16, 4096)].table())
    assert "gate_up_proj" in out and "tokens/s" in out

    code = cli.main(["decode", "--model", "llama-3-8b", "--batch", "16", "--context", "4096", "--json"])
    out, _ = capsys.readouterr()
    d = json.loads(out)
    assert code == 0 and d["feasible"] and d["time_s"] == pytest.approx(grid[(16, 4096)].time_s)
    assert {r["bound"] for r in d["kernels"]} <= BOUNDS

    code = cli.main(["decode", "--batch", "1", "--weight-dtype", "fp8"])
    out, _ = capsys.readouterr()
    assert code == 0 and "weights fp8" in out

    code = cli.main(["decode", "--model", "llama-3-70b", "--json"])
    out, _ = capsys.readouterr()
    d = json.loads(out)
    assert code == 0 and d["feasible"] is False and d["time_s"] is None and "capacity" in d["reason"]

    code = cli.main(["decode", "--batch", "0"])
    _, err = capsys.readouterr()
    assert code == 2 and "batch" in err and "Traceback" not in err
    code = cli.main(["decode", "--weight-dtype", "fp7"])
    _, err = capsys.readouterr()
    assert code == 2 and "weight_dtype" in err

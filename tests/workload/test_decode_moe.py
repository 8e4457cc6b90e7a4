"""decode_step on MoE models: the Moe kernel decides which experts' weights a step reads (uniform or
Zipf-skewed routing), its grouped GEMVs are the step's rows; bad routing is a ConfigError, too-large
models are an infeasible result.

Simulations are memoized per process, so uniform and skewed steps at the same batch share every kernel
but the expert GEMVs; the byte properties need no simulation at all.
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
from accelsim.workload.decode import decode_kernels, decode_moe, decode_step
from accelsim.errors import ConfigError
from accelsim.workload.kernels import Gemv, Moe

BOUNDS = {"bandwidth", "latency", "compute", "launch"}
H200 = presets.load("h200")
# DeepSeek-V3 in fp8 (~671 GB of weights) fits no single GPU: an H200 with 8x the memory per stack
BIG = H200.with_field("dram.capacity_bytes_per_stack", 8 * H200.dram.capacity_bytes_per_stack)
MIXTRAL = models.load("mixtral-8x7b")
DSV3 = models.load("deepseek-v3")
MOE_PARTS = ("moe.experts_gate_up", "moe.experts_down", "moe.shared_gate_up", "moe.shared_down")
SKEW = 1.2

_steps: dict[tuple, accelsim.DecodeStepResult] = {}


def _step(model: str, batch: int, s: float = 0.0) -> accelsim.DecodeStepResult:
    """mixtral-8x7b bf16 on h200, deepseek-v3 fp8 on the 8x-memory h200; context 1024 (cached per module)."""
    key = (model, batch, s)
    if key not in _steps:
        arch, wd = (H200, "bf16") if model == "mixtral-8x7b" else (BIG, "fp8")
        _steps[key] = decode_step(arch, model, batch=batch, context=1024, weight_dtype=wd, routing_zipf_s=s)
    return _steps[key]


def _moe_rows(s: accelsim.DecodeStepResult) -> dict[str, tuple[accelsim.KernelRow, int]]:
    return {r.name: (r, n) for r, n in s.kernels if r.name.startswith("moe.")}


def _parts(model: models.ModelSpec, batch: int, s: float = 0.0, weight_dtype: str = "bf16") -> dict[str, Gemv]:
    return {k.name: k for k, _ in decode_kernels(model, batch, 1024, weight_dtype=weight_dtype, routing_zipf_s=s)
            if k.name.startswith("moe.")}


# ------------------------------------------------------------------------------ the step uses Moe rows


@pytest.mark.parametrize("name,batch", [("mixtral-8x7b", 4), ("deepseek-v3", 1)])
def test_decode_step_uses_moe_rows(name: str, batch: int) -> None:
    m = models.load(name)
    s = _step(name, batch)
    assert s.feasible, s.reason
    wd = "bf16" if name == "mixtral-8x7b" else "fp8"
    kernel = decode_moe(m, batch, weight_dtype=wd)
    assert isinstance(kernel, Moe) and kernel.tokens == batch and kernel.routing_zipf_s == 0.0
    gemvs = {g.name: g for g in kernel.gemvs()}
    rows = _moe_rows(s)
    # one row per grouped GEMV of the Moe kernel (shared experts only where the model has them), none of
    # the old inline names, each run once per MoE layer
    assert set(rows) == set(gemvs) == set(MOE_PARTS[:4 if m.moe.n_shared_experts else 2])
    assert not {"experts_gate_up", "experts_down", "shared_gate_up", "shared_down"} & {r.name for r, _ in s.kernels}
    assert set(_parts(m, batch, weight_dtype=wd).values()) == set(gemvs.values())
    for part, g in gemvs.items():
        row, n = rows[part]
        assert n == m.n_moe_layers
        assert row.dram_read_bytes >= g.weight_bytes()  # the touched experts' weights are read, at least once
        assert row.time_s > row.launch_s > 0 and row.bound in BOUNDS
        assert row.flops == g.flops()
    # the Moe rows hold the touched experts' weights, and the routed ones bound the step at small batch
    assert sum(rows[p][0].dram_read_bytes for p in gemvs) >= kernel.weight_bytes()
    top = max(s.kernels, key=lambda rn: rn[0].time_s * rn[1])[0]
    assert top.name == "moe.experts_gate_up" and top.bound == "bandwidth"
    # the step is still exactly its rows, one launch per row and count, and equals simulating the list
    assert s.time_s == math.fsum(r.time_s * n for r, n in s.kernels)
    arch = H200 if name == "mixtral-8x7b" else BIG
    assert s.launch_s == pytest.approx(s.n_kernels * arch.kernel_launch_overhead_ns * 1e-9, rel=1e-9)
    seq = decode_kernels(m, batch, 1024, weight_dtype=wd)
    r = accelsim.simulate(arch, [k for k, c in seq for _ in range(c)])
    assert r.time_s == pytest.approx(s.time_s, rel=1e-12)


# ------------------------------------------------------------------------ expected experts at the ends


@pytest.mark.parametrize("s", [0.0, 0.5, SKEW, 3.0])
@pytest.mark.parametrize("name", ["mixtral-8x7b", "deepseek-v3"])
def test_one_token_reads_exactly_top_k_experts(name: str, s: float) -> None:
    m = models.load(name)
    e, k, ff = m.moe.n_experts, m.moe.top_k, m.moe.expert_d_ff
    assert decode_moe(m, 1, routing_zipf_s=s).expected_experts() == pytest.approx(k, rel=1e-12)
    p = _parts(m, 1, s)
    assert p["moe.experts_gate_up"].n == 2 * ff * k and p["moe.experts_gate_up"].m == 1
    assert p["moe.experts_down"].n == m.d_model * k
    assert p["moe.experts_gate_up"].weight_bytes() + p["moe.experts_down"].weight_bytes() == k * 3 * m.d_model * ff * 2
    assert k < e  # (so 'exactly k' is not 'all of them')


@pytest.mark.parametrize("name", ["mixtral-8x7b", "deepseek-v3"])
def test_large_batch_reads_every_expert(name: str) -> None:
    m = models.load(name)
    e, k, ff = m.moe.n_experts, m.moe.top_k, m.moe.expert_d_ff
    x = decode_moe(m, 4096).expected_experts()
    assert x == pytest.approx(e * (1 - (1 - k / e) ** 4096), rel=1e-12) and round(x) == e
    p = _parts(m, 4096)
    assert p["moe.experts_gate_up"].n == 2 * ff * e
    assert p["moe.experts_gate_up"].m == math.ceil(4096 * k / x)  # tokens per expert
    # the routed experts are the whole routed-expert parameter count of a layer
    b = m.param_breakdown()
    assert p["moe.experts_gate_up"].n * p["moe.experts_gate_up"].k + p["moe.experts_down"].n * p["moe.experts_down"].k \
        == b["routed_experts"] // m.n_moe_layers


@settings(max_examples=80, deadline=None)
@given(name=st.sampled_from(["mixtral-8x7b", "deepseek-v3"]), batch=st.integers(1, 4096),
       s=st.floats(0.0, 4.0, allow_nan=False))
def test_skew_touches_fewer_experts_and_bytes(name: str, batch: int, s: float) -> None:
    """Property (no simulation): at any batch, skewed routing touches between top_k and the uniform count
    of experts and so reads no more expert weight bytes; every routed token is still computed."""
    m = models.load(name)
    uni, skw = decode_moe(m, batch), decode_moe(m, batch, routing_zipf_s=s)
    k = m.moe.top_k
    assert k - 1e-9 <= skw.expected_experts() <= uni.expected_experts() + 1e-9
    assert skw.weight_bytes() <= uni.weight_bytes()
    gu = _parts(m, batch, s)["moe.experts_gate_up"]
    assert gu.m * skw.expected_experts() >= batch * k - 1e-6
    assert gu.n == 2 * m.moe.expert_d_ff * max(1, round(skw.expected_experts()))


# --------------------------------------------------------------------- skewed routing is never slower


@pytest.mark.parametrize("name,batches", [("mixtral-8x7b", (1, 4, 16, 64, 256)), ("deepseek-v3", (1, 16, 64))])
def test_skewed_routing_never_slower(name: str, batches: tuple[int, ...]) -> None:
    """Over batch sizes: the skewed step reads no more expert weight bytes and is never slower; when it
    touches fewer experts (rounded) it reads strictly fewer bytes and is strictly faster.

    When both touch the same (rounded) number of experts, the skewed step's mean tokens per expert,
    ceil(B * k / expected), can be one more (e.g. mixtral at batch 256: 65 vs 64 rows, 1.6% more math in
    the MoE rows), which may pick another tiling: up to about a percent either way, hence the 1% tolerance.
    """
    m = models.load(name)
    for b in batches:
        uni, skw = _step(name, b), _step(name, b, SKEW)
        assert skw.feasible and skw.routing_zipf_s == SKEW and uni.routing_zipf_s == 0.0
        ku, ks = decode_moe(m, b), decode_moe(m, b, routing_zipf_s=SKEW)
        assert ks.weight_bytes() <= ku.weight_bytes()
        ru, rs = _moe_rows(uni), _moe_rows(skw)
        bytes_u = sum(r.dram_read_bytes * n for r, n in ru.values())
        bytes_s = sum(r.dram_read_bytes * n for r, n in rs.values())
        n_u, n_s = round(ku.expected_experts()), round(ks.expected_experts())
        if n_s < n_u:  # fewer experts' weights: strictly fewer bytes and faster
            assert bytes_s < bytes_u and skw.time_s < uni.time_s, b
            assert skw.dram_read_bytes < uni.dram_read_bytes
        else:
            assert n_s == n_u and ks.weight_bytes() == ku.weight_bytes()
            assert bytes_s <= bytes_u * 1.001 and skw.time_s <= uni.time_s * 1.01, (b, skw.time_s, uni.time_s)
        if b == 1:  # one token: exactly top_k experts either way, the same kernels
            assert n_s == n_u == m.moe.top_k and skw.time_s == uni.time_s
        # everything but the Moe rows is the same kernel
        assert [(r.name, r.time_s) for r, _ in uni.kernels if r.name not in ru] == \
            [(r.name, r.time_s) for r, _ in skw.kernels if r.name not in rs]


# ---------------------------------------------------------------------------------- bad routing values


@pytest.mark.parametrize("value", [-0.5, float("nan"), float("inf"), 10.5, "1.2", True, None])
def test_bad_routing_raises_config_error(value: object) -> None:
    for model in ("mixtral-8x7b", "llama-3-8b"):  # validated for dense models too, where it has no effect
        with pytest.raises(ConfigError) as e:
            decode_step(H200, model, batch=1, context=1024, routing_zipf_s=value)  # type: ignore[arg-type]
        assert e.value.field == "routing_zipf_s" and "routing_zipf_s" in str(e.value)
    with pytest.raises(ConfigError) as e:
        decode_kernels(MIXTRAL, 1, 1024, routing_zipf_s=value)  # type: ignore[arg-type]
    assert e.value.field == "routing_zipf_s"


def test_decode_moe_of_a_dense_model_names_the_field() -> None:
    with pytest.raises(ConfigError) as e:
        decode_moe(models.load("llama-3-8b"), 4)
    assert e.value.field == "model.moe"
    assert decode_moe("deepseek-v3", 4, routing_zipf_s=1.0) == decode_moe(DSV3, 4, routing_zipf_s=1.0)
    with pytest.raises(ConfigError) as e:
        decode_moe(42, 4)  # type: ignore[arg-type]
    assert e.value.field == "model"


def test_cli_routing_option(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["decode", "--arch", "h200", "--model", "mixtral-8x7b", "--batch", "4", "--context", "1024",
                     "--routing-zipf-s", str(SKEW), "--json"])
    out, _ = capsys.readouterr()
    d = json.loads(out)
    assert code == 0 and d["routing_zipf_s"] == SKEW
    assert d["time_s"] == pytest.approx(_step("mixtral-8x7b", 4, SKEW).time_s, rel=1e-12)
    assert {"moe.experts_gate_up", "moe.experts_down"} <= {r["name"] for r in d["kernels"]}
    code = cli.main(["decode", "--arch", "h200", "--model", "mixtral-8x7b", "--routing-zipf-s", "-1"])
    _, err = capsys.readouterr()
    assert code != 0 and "routing_zipf_s" in err


# ------------------------------------------------------------------------------------------ infeasible


@pytest.mark.parametrize("s", [0.0, SKEW])
def test_infeasible_moe_is_a_result(s: float) -> None:
    r = decode_step(H200, "deepseek-v3", batch=1, context=4096, weight_dtype="bf16", routing_zipf_s=s)
    assert r.feasible is False and "capacity" in r.reason
    assert math.isnan(r.time_s) and r.tokens_per_s == 0 and r.kernels == ()
    assert r.weight_bytes > r.capacity_bytes == H200.memory_capacity_bytes  # all experts stay resident
    assert "infeasible" in r.table()
    d = r.as_dict()
    json.dumps(d, allow_nan=False)
    assert d["routing_zipf_s"] == s and d["time_s"] is None


# ------------------------------------------------------------------ skewed routing: per-token experts


@settings(max_examples=100, deadline=None)
@given(e=st.integers(1, 512), data=st.data(), s=st.floats(0.0, 6.0, allow_nan=False))
def test_inclusion_probabilities_keep_top_k_per_token(e: int, data: st.DataObject, s: float) -> None:
    """Under any skew a token still routes to exactly top_k distinct experts: the per-expert probabilities
    sum to k, none exceeds 1, more popular experts are no less likely, and without saturation they are
    k * popularity; so one token touches exactly k experts and B tokens at most the uniform count."""
    k = data.draw(st.integers(1, e))
    q = models.routing_inclusion_probabilities(e, k, s)
    p = models.zipf_probabilities(e, s)
    assert math.fsum(q) == pytest.approx(k, rel=1e-9)
    assert all(0.0 <= x <= 1.0 for x in q) and all(a >= b - 1e-12 for a, b in zip(q, q[1:]))
    if p[0] * k <= 1.0:
        assert q == [min(1.0, x * k) for x in p]
    b = data.draw(st.integers(1, 4096))
    assert models.expected_distinct_experts_skewed(e, k, 1, s) == pytest.approx(k, rel=1e-12)
    assert k - 1e-9 <= models.expected_distinct_experts_skewed(e, k, b, s) \
        <= models.expected_distinct_experts(e, k, b) + 1e-9


def test_routing_skew_reaches_parallel_and_package_steps() -> None:
    """routing_zipf_s passes through parallel_decode_step (TP and EP) and package_decode_step."""
    from accelsim import systems
    from accelsim.multichip.chiplets import package_decode_step
    from accelsim.multichip.parallel import ParallelPlan, parallel_decode_step

    node = systems.load("hgx-h200-8")
    # TP: every chip streams a slice of every touched expert; EP: each chip its share of the touched
    # experts (deepseek-v3: 32 of 256 per chip; mixtral's 8 experts would be one per chip either way)
    for model, wd, plan in (("mixtral-8x7b", "bf16", ParallelPlan(tp=8)), ("deepseek-v3", "fp8", ParallelPlan(tp=1, ep=8))):
        uni = parallel_decode_step(node, model, batch=16, context=2048, plan=plan, fidelity="roofline", weight_dtype=wd)
        skew = parallel_decode_step(node, model, batch=16, context=2048, plan=plan, fidelity="roofline", weight_dtype=wd,
                                    routing_zipf_s=1.2)
        assert uni.feasible and skew.feasible, (uni.reason, skew.reason)
        assert skew.time_s < uni.time_s, plan  # fewer distinct experts streamed
    with pytest.raises(accelsim.ConfigError) as e:
        parallel_decode_step(node, "mixtral-8x7b", batch=16, context=2048, routing_zipf_s=-1.0)
    assert e.value.field == "routing_zipf_s"
    pkg = systems.load_package("b200-2die")
    one = pkg.replace(dies=1)
    # one die exposes 95.8 GB: mixtral's 93.4 GB of bf16 weights leave room for 16 x 512 tokens of KV
    a = package_decode_step(one, "mixtral-8x7b", batch=16, context=512, fidelity="roofline", routing_zipf_s=1.2)
    b = accelsim.decode_step(one.die, "mixtral-8x7b", batch=16, context=512, fidelity="roofline", routing_zipf_s=1.2)
    assert a.feasible and a.time_s == b.time_s
    u = package_decode_step(pkg, "mixtral-8x7b", batch=16, context=2048, fidelity="roofline")
    s = package_decode_step(pkg, "mixtral-8x7b", batch=16, context=2048, fidelity="roofline", routing_zipf_s=1.2)
    assert s.time_s < u.time_s

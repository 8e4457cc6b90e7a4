"""Parallel decode on multi-chip systems: TP, EP, PP."""

from __future__ import annotations

import pytest

import accelsim
from accelsim import systems
from accelsim.errors import ConfigError
from accelsim.multichip.parallel import ParallelPlan, parallel_decode_step, single_chip_roofline_s
from accelsim.spec.system import System

MODEL = "llama-3-8b"


@pytest.fixture(scope="module")
def dgx():
    return systems.load("dgx-h100-8")


def test_one_chip_is_decode_step_with_zero_communication(dgx):
    want = accelsim.decode_step(dgx.chip, MODEL, batch=2, context=512)
    got = parallel_decode_step(dgx, MODEL, 2, 512, plan=ParallelPlan())
    assert got.time_s == want.time_s  # bit-identical
    assert got.comm_s == 0.0 and got.comms == () and got.bubble_s == 0.0
    solo = System(name="solo", description="", chips=1, chip=dgx.chip, network=dgx.network)
    assert parallel_decode_step(solo, MODEL, 2, 512).time_s == want.time_s


def test_one_die_package_system_is_single_die():
    s = systems.load("b200-2die")
    pkg = s.package.replace(dies=1, d2d=s.package.d2d)
    one = System(name="one", description="", chips=1, package=pkg, network=s.network)
    r = parallel_decode_step(one, MODEL, 1, 256, fidelity="roofline")
    assert r.time_s == accelsim.decode_step(pkg.die, MODEL, batch=1, context=256, fidelity="roofline").time_s
    assert r.d2d_s == 0.0 and r.comm_s == 0.0


@pytest.mark.parametrize("tp", [2, 4, 8])
def test_tp_never_beats_single_chip_roofline_over_chips(dgx, tp):
    for batch, ctx in ((1, 512), (16, 2048)):
        r = parallel_decode_step(dgx, MODEL, batch, ctx, plan=ParallelPlan(tp=tp), fidelity="roofline")
        floor = single_chip_roofline_s(dgx.chip, MODEL, batch, ctx) / tp
        assert r.time_s >= floor
        if tp == 8 and batch == 1:
            r_fast = parallel_decode_step(dgx, MODEL, batch, ctx, plan=ParallelPlan(tp=tp))
            assert r_fast.time_s >= floor


def test_tp_all_reduces_after_attention_and_mlp(dgx):
    model = accelsim.models.load(MODEL)
    r = parallel_decode_step(dgx, model, 4, 1024, plan=ParallelPlan(tp=4))
    rows = {c.name: c for c in r.comms}
    assert rows["attn_all_reduce"].count == model.n_layers
    assert rows["mlp_all_reduce"].count == model.n_layers
    assert rows["attn_all_reduce"].result.message_bytes == 4 * model.d_model * 2
    assert rows["logits_all_gather"].count == 1
    assert r.comm_s == pytest.approx(sum(c.total_s for c in r.comms))
    assert r.comm_overlapped_s == 0.0  # TP all-reduces are on the critical path
    assert r.time_s == pytest.approx(r.compute_s + r.comm_s)
    # the decode all-reduce (16-32 KB) is latency-bound: well under 1% of link bandwidth time matters
    ar = rows["attn_all_reduce"].result
    assert ar.time_s > 10 * ar.message_bytes / (dgx.network.link.payload_bytes_per_s)
    assert "attn_all_reduce" in r.table()


def test_tp_speeds_up_a_large_model(dgx):
    t = {tp: parallel_decode_step(dgx, "llama-3-70b", 1, 1024, plan=ParallelPlan(tp=tp),
                                  fidelity="roofline").time_s for tp in (2, 4, 8)}
    assert t[8] < t[4] < t[2]
    assert t[8] > t[2] / 4  # communication and replicated work keep it sublinear


def test_pipeline_bubbles_at_small_batch(dgx):
    small = parallel_decode_step(dgx, MODEL, 1, 512, plan=ParallelPlan(pp=4), fidelity="roofline")
    assert small.microbatches == 1
    assert small.bubble_s > 0.5 * small.time_s  # one microbatch: 3 of 4 stages idle
    big = parallel_decode_step(dgx, MODEL, 64, 512, plan=ParallelPlan(pp=4, microbatches=16), fidelity="roofline")
    assert big.bubble_s == 0.0
    send = next(c for c in big.comms if c.name == "pp_send")
    assert send.overlapped_s == pytest.approx(send.total_s)  # sends hidden behind other microbatches


def test_expert_parallel_all_to_all(dgx):
    r = parallel_decode_step(dgx, "mixtral-8x7b", 8, 1024, plan=ParallelPlan(ep=8), fidelity="roofline")
    names = {c.name for c in r.comms}
    assert {"moe_dispatch", "moe_combine"} <= names
    assert 0.0 <= r.comm_overlapped_s <= r.comm_s
    tp = parallel_decode_step(dgx, "mixtral-8x7b", 8, 1024, plan=ParallelPlan(tp=8, ep=8), fidelity="roofline")
    assert "moe_dispatch" not in {c.name for c in tp.comms}
    ds = parallel_decode_step(systems.load("hgx-h200-8"), "deepseek-v3", 8, 1024, plan=ParallelPlan(ep=8),
                              weight_dtype="fp8", fidelity="roofline")
    assert not ds.feasible or ds.comm_overlapped_s > 0  # shared experts hide part of the combine


def test_infeasible_is_a_result(dgx):
    r = parallel_decode_step(dgx, "llama-3-70b", 1, 1024, plan=ParallelPlan(tp=1))
    assert not r.feasible and "exceed" in r.reason and r.tokens_per_s == 0.0
    assert "infeasible" in r.table()


def test_bad_plans_raise_naming_field(dgx):
    cases = [
        (dict(plan=ParallelPlan(tp=3)), "plan.tp"),
        (dict(plan=ParallelPlan(tp=16)), "plan"),
        (dict(plan=ParallelPlan(ep=2)), "plan.ep"),
    ]
    for kw, field in cases:
        with pytest.raises(ConfigError) as e:
            parallel_decode_step(dgx, MODEL, 1, 128, **kw)
        assert e.value.field == field
    with pytest.raises(ConfigError) as e:
        ParallelPlan(tp=2, ep=4)
    assert e.value.field == "ep"
    with pytest.raises(ConfigError) as e:
        ParallelPlan(tp=0)
    assert e.value.field == "tp"
    with pytest.raises(ConfigError) as e:
        parallel_decode_step(dgx, MODEL, 0, 128)
    assert e.value.field == "batch"
    with pytest.raises(ConfigError) as e:
        parallel_decode_step("dgx", MODEL, 1, 128)
    assert e.value.field == "system"


def test_torus_system_runs(dgx):
    t = systems.load("tpu-v5e-4x4")
    r = parallel_decode_step(t, MODEL, 1, 1024, plan=ParallelPlan(tp=8), fidelity="roofline")
    assert r.feasible and r.comm_s > 0
    assert r.as_dict()["plan"]["tp"] == 8

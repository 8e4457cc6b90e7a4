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


def test_pipeline_charges_the_real_stage_times():
    """80 layers on 72 stages: 8 stages of 2 layers and 64 of 1. One sequence passes them all: the step is
    about 80 layer-times (plus the sends), not 72 x 2 = 144."""
    from accelsim.multichip.parallel import stage_layers

    assert stage_layers(80, 72) == [2] * 8 + [1] * 64 and sum(stage_layers(126, 8)) == 126
    chip = accelsim.presets.load("h200")
    big = System(name="pp72", description="", chips=72, chip=chip, network=systems.load("hgx-h200-8").network)
    one = parallel_decode_step(big, "llama-3-70b", 1, 1024, plan=ParallelPlan(pp=1), weight_dtype="fp8")
    pp72 = parallel_decode_step(big, "llama-3-70b", 1, 1024, plan=ParallelPlan(pp=72), weight_dtype="fp8")
    assert pp72.feasible and one.feasible
    sends = 72 * parallel_p2p(big, 8192 * 2)
    assert pp72.time_s == pytest.approx(one.time_s + sends, rel=0.02)
    # with as many microbatches as stages the busiest (2-layer) stage bounds the step
    m = parallel_decode_step(big, "llama-3-70b", 72, 1024, plan=ParallelPlan(pp=72), weight_dtype="fp8")
    assert m.time_s >= 72 * m.stage_s * 0.999


def parallel_p2p(system, nbytes):
    from accelsim.multichip.parallel import p2p_time

    return p2p_time(system, nbytes)


def test_tensor_parallel_replicates_kv_heads_beyond_their_count(dgx):
    from accelsim.multichip.parallel import sharded_model

    m = accelsim.models.load("llama-3-8b")  # 8 kv heads
    assert sharded_model(m, 8).n_kv_heads == 1
    wide = m.with_(n_heads=48, n_kv_heads=12)  # tp=8 divides the 48 q heads but not the 12 kv heads
    s = sharded_model(wide, 8)
    assert s.n_heads == 6 and s.n_kv_heads == 2 and s.n_heads % s.n_kv_heads == 0
    r = parallel_decode_step(dgx, wide, 4, 1024, plan=ParallelPlan(tp=8))
    assert r.feasible
    with pytest.raises(ConfigError):
        sharded_model(m, 3)  # 32 q heads do not split over 3 chips


def test_parallel_step_reports_energy_per_token(dgx):
    r = parallel_decode_step(dgx, "llama-3-8b", 8, 1024, plan=ParallelPlan(tp=4))
    solo = accelsim.decode_step(dgx.chip, "llama-3-8b", batch=8, context=1024)
    assert r.energy_j > 0 and r.joules_per_token == pytest.approx(r.energy_j / 8)
    # four chips each read a quarter of the weights: about the energy of one chip doing it all, plus links
    assert 0.7 * solo.energy_j < r.energy_j < 2.0 * solo.energy_j
    assert r.tokens_per_s_per_chip == pytest.approx(r.tokens_per_s / 4)
    c = r.cost()
    assert c.usd_per_mtoken > 0 and c.power_source == "energy_model"
    assert "mJ/token" in r.table()


@pytest.mark.parametrize("name", ["dgx-b200-8", "mi300x-8", "tpu-v5e-8", "tpu-v6e-8"])
def test_system_presets_use_the_registered_chips(name):
    s = systems.load(name)
    assert s.chips == 8
    assert s.chip == accelsim.presets.load(s.chip.name)  # the one registry's chip, not a copy
    r = parallel_decode_step(s, "llama-3-8b", 8, 1024, plan=ParallelPlan(tp=8))
    assert r.feasible and r.time_s > 0

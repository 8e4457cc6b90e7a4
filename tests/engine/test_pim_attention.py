"""Attention on bank-level PIM (QK^T and PV as all-bank GEMVs, softmax on the buffer die or the host), the KV
cache in a separate near-memory pool (AttAcc), host / near-memory overlap, and the new NearMemorySpec fields."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import presets
from accelsim.engine import nearmem
from accelsim.errors import ConfigError
from accelsim.multichip.parallel import parallel_decode_step, sharded_model
from accelsim.presets import literature, systems
from accelsim.spec.nearmem import PlacementSpec
from accelsim.workload.kernels import DecodeAttention, Gemv

ATTACC = presets.load("a100a-attacc")
A100A = presets.load("a100a")
ATT = DecodeAttention(batch=16, q_heads=12, kv_heads=12, head_dim=128, context=2048, dtype="fp16")


def _row(arch, kernel):  # type: ignore[no-untyped-def]
    return accelsim.simulate(arch, kernel).kernels[0]


def test_attention_gemvs_read_the_cache_once_and_do_the_kernels_flops() -> None:
    for att in (ATT, dataclasses.replace(ATT, kv_heads=4, kv_dtype="fp8"), dataclasses.replace(ATT, block_size=256,
                                                                                               context=2000)):
        qk, pv = nearmem.attention_gemvs(att)
        assert qk.weight_bytes() + pv.weight_bytes() == pytest.approx(att.kv_bytes(), rel=1e-6)
        assert qk.flops() + pv.flops() == pytest.approx(att.flops() * att.cached_tokens() / att.context, rel=1e-9)
        assert qk.m == pv.m == att.q_heads // att.kv_heads


def test_pool_attention_respects_the_units_roofline_and_moves_the_cache_inside() -> None:
    row = _row(ATTACC, ATT)
    assert row.placement == "pim_bank"
    eff = nearmem.effective_arch(ATTACC)
    assert row.time_s >= ATT.kv_bytes() / eff.peak_dram_bandwidth_bytes_per_s
    assert row.time_s >= ATT.flops() / eff.peak_flops_per_s("fp16")
    assert row.dram_read_bytes >= ATT.kv_bytes()
    # over the link: q in, the new token's K and V in, the output back -- never the cache
    one = dataclasses.replace(ATT, context=1)
    q = ATT.batch * ATT.q_heads * ATT.head_dim * 2
    assert row.interface_bytes >= 2 * q + one.kv_bytes()
    assert row.interface_bytes < 0.01 * ATT.kv_bytes()
    # far faster than the GPU reading the same cache from its HBM
    assert row.time_s < 0.5 * _row(A100A, ATT).time_s


def test_softmax_on_the_host_is_slower_than_on_the_buffer_die_over_a_link() -> None:
    nm = ATTACC.near_memory
    assert nm is not None
    host = ATTACC.replace(near_memory=nm.replace(softmax_at="host"))
    t_die, t_host = _row(ATTACC, ATT), _row(host, ATT)
    assert t_host.time_s > t_die.time_s
    assert t_host.interface_bytes > t_die.interface_bytes  # the scores crossed the link both ways


def test_a_faster_link_or_more_pim_bandwidth_never_slows_pool_attention() -> None:
    nm = ATTACC.near_memory
    assert nm is not None
    base = _row(ATTACC, ATT).time_s
    assert _row(ATTACC.replace(near_memory=nm.replace(pool_link_gb_per_s=600.0)), ATT).time_s <= base
    npc = literature.attacc_near_memory(literature.attacc_pool(), link_gb_per_s=300.0, power_constrained=False)
    assert _row(ATTACC.replace(near_memory=npc), ATT).time_s < base  # nCCDAB 4 instead of 6 tCK


def test_column_period_and_unit_banks_move_pim_gemv_time() -> None:
    aim = presets.load("gddr6-aim-gpu")
    nm = aim.near_memory
    assert nm is not None
    g = Gemv(m=1, n=8192, k=8192, dtype="bf16")
    t = _row(aim, g).time_s
    assert _row(aim.replace(near_memory=nm.replace(column_period_ns=2.0)), g).time_s > 1.3 * t
    pim = presets.load("hbm2-pim-gpu")
    nm2 = pim.near_memory
    assert nm2 is not None
    g16 = dataclasses.replace(g, dtype="fp16")
    t2 = _row(pim, g16).time_s
    half = pim.replace(near_memory=nm2.replace(unit_banks_per_pseudo_channel=8))
    assert nearmem.near_memory_units(half) == nearmem.near_memory_units(pim) // 2
    assert _row(half, g16).time_s > 1.3 * t2


def test_pim_device_claims_internal_bandwidth_over_the_pins() -> None:
    # [ISSCC21] four times the processing bandwidth; [SKH22] 16 times: the units' bandwidth / the pins'
    for name, ratio in (("hbm2-pim-gpu", 4.0), ("gddr6-aim-gpu", 16.0)):
        a = presets.load(name)
        assert nearmem.internal_peak_bandwidth_bytes_per_s(a) / a.peak_dram_bandwidth_bytes_per_s == \
            pytest.approx(ratio, rel=1e-3)


def test_gemvs_stay_on_the_gpu_when_the_units_sit_in_a_kv_pool() -> None:
    nm, pol = ATTACC.near_memory, ATTACC.placement
    assert nm is not None and pol is not None
    arch = ATTACC.replace(near_memory=nm.replace(supported_ops=("gemv", "attention")),
                          placement=pol.replace(offload=("gemv", "attention")))
    g = Gemv(m=1, n=4096, k=4096, dtype="fp16")
    ok, why = nearmem.offloadable(arch, g)
    assert not ok and "pool" in why
    assert _row(arch, g).placement == "host"


def test_pool_specs_name_the_field() -> None:
    nm = ATTACC.near_memory
    assert nm is not None
    with pytest.raises(ConfigError) as e:
        nm.replace(pool_link_gb_per_s=0.0)
    assert e.value.field == "pool_link_gb_per_s"
    with pytest.raises(ConfigError) as e:
        nm.replace(softmax_at="units")  # PIM units have no softmax
    assert e.value.field == "softmax_at"
    with pytest.raises(ConfigError) as e:
        nm.replace(softmax_at="buffer_die", buffer_die_gflops_per_stack=0.0)
    assert e.value.field == "buffer_die_gflops_per_stack"
    with pytest.raises(ConfigError) as e:
        ATTACC.replace(placement=ATTACC.placement.replace(kv_cache_tier="dram"))  # type: ignore[union-attr]
    assert e.value.field == "placement.kv_cache_tier"
    with pytest.raises(ConfigError) as e:
        A100A.replace(placement=PlacementSpec(weights_tier="dram", kv_cache_tier="pool", offload=("attention",),
                                              offload_when="always"))
    assert e.value.field == "placement.kv_cache_tier"
    with pytest.raises(ConfigError) as e:
        PlacementSpec(weights_tier="pool", kv_cache_tier="dram", offload=(), offload_when="always")
    assert e.value.field == "weights_tier"
    doc = ATTACC.to_dict()
    doc["near_memory"]["pool_link_gb_per_s"] = -1
    with pytest.raises(ConfigError) as e:
        type(ATTACC).from_dict(doc)
    assert e.value.field == "near_memory.pool_link_gb_per_s"
    assert type(ATTACC).from_dict(ATTACC.to_dict()) == ATTACC


def test_decode_places_weights_in_hbm_and_the_kv_cache_in_the_pool() -> None:
    local = sharded_model(accelsim.models.load("gpt-3-175b"), 8)
    kw = dict(weight_dtype="fp16", kv_dtype="fp16")
    # 64 sequences of 2176 tokens: 82 GB of KV per GPU -- more than the A100a's 80 GiB with its 44 GB of weights,
    # within the AttAcc pool's 80 GiB
    s = accelsim.decode_step(ATTACC, local, batch=64, context=2176, **kw)
    assert s.feasible, s.reason
    assert not accelsim.decode_step(A100A, local, batch=64, context=2176, **kw).feasible
    assert s.capacity_bytes == A100A.memory_capacity_bytes + ATTACC.near_memory.pool.capacity_bytes  # type: ignore[union-attr]
    att = [r for r, _ in s.kernels if r.name == "attention"][0]
    assert att.placement == "pim_bank"
    assert all(r.placement == "host" for r, _ in s.kernels if r.name != "attention")
    too_big = accelsim.decode_step(ATTACC, local, batch=80, context=2176, **kw)
    assert not too_big.feasible and "pool" in too_big.reason
    heavy = accelsim.decode_step(ATTACC, sharded_model(accelsim.models.load("gpt-3-175b"), 2), batch=1,
                                 context=128, **kw)
    assert not heavy.feasible and "DRAM" in heavy.reason and "weights" in heavy.reason


def test_link_energy_is_charged_per_bit() -> None:
    row = _row(ATTACC, ATT)
    nm = ATTACC.near_memory
    assert nm is not None
    assert row.energy_by_component_j["link"] == pytest.approx(8 * row.interface_bytes * nm.pool_link_pj_per_bit * 1e-12,
                                                             rel=1e-9)
    assert _row(A100A, ATT).energy_by_component_j["link"] == 0


def test_overlap_hides_time_within_physical_bounds() -> None:
    local = sharded_model(accelsim.models.load("gpt-3-175b"), 8)
    kw = dict(weight_dtype="fp16", kv_dtype="fp16")
    heads = accelsim.decode_step(ATTACC, local, batch=32, context=2048, **kw)
    serial = accelsim.decode_step(ATTACC.replace(placement=ATTACC.placement.replace(overlap="none")),  # type: ignore[union-attr]
                                  local, batch=32, context=2048, **kw)
    assert serial.overlap == "none" and heads.overlap == "heads"
    assert heads.time_s == pytest.approx(serial.time_s - heads.overlap_hidden_s, rel=1e-12)
    near = sum(r.time_s * n for r, n in serial.kernels if r.placement != "host")
    assert 0 < heads.overlap_hidden_s < near
    neu = presets.load("neupims")
    nm, pol = neu.near_memory, neu.placement
    assert nm is not None and pol is not None
    m7 = sharded_model(accelsim.models.load("gpt-3-6.7b"), 4)
    # interleaving two sub-batches pays when the PIM side is long enough to hide (slow units here)...
    slow = neu.replace(near_memory=nm.replace(column_period_ns=16.0))
    blocked = accelsim.decode_step(slow.replace(placement=pol.replace(overlap="none")), m7, batch=512, context=256, **kw)
    inter = accelsim.decode_step(slow, m7, batch=512, context=256, **kw)
    assert inter.overlap == "sub_batch" and inter.overlap_hidden_s > 0 and inter.time_s < blocked.time_s
    host = sum(r.time_s * n for r, n in inter.kernels if r.placement == "host")
    pim = sum(r.time_s * n for r, n in inter.kernels if r.placement != "host")
    assert max(host, pim) <= inter.time_s * (1 + 1e-12) <= host + pim
    assert inter.time_s == pytest.approx(host + pim - inter.overlap_hidden_s, rel=1e-12)
    # the two half-batches read every weight twice: overlap is no free lunch
    assert host > sum(r.time_s * n for r, n in blocked.kernels if r.placement == "host")
    # ... and where it does not pay (fast units, small batch) the step runs as one batch
    for b in (16, 512):
        s = accelsim.decode_step(neu, m7, batch=b, context=256, **kw)
        one = accelsim.decode_step(neu.replace(placement=pol.replace(overlap="none")), m7, batch=b, context=256, **kw)
        assert s.time_s <= one.time_s


def test_attacc_system_holds_more_and_hides_attention() -> None:
    m = accelsim.models.load("gpt-3-175b")
    kw = dict(weight_dtype="fp16", kv_dtype="fp16", fidelity="roofline")
    assert not parallel_decode_step(systems.load("dgx-a100a-8"), m, 64, 2176, **kw).feasible
    r = parallel_decode_step(systems.load("dgx-a100a-attacc-8"), m, 64, 2176, **kw)
    assert r.feasible and r.overlap == "heads" and r.overlap_hidden_s > 0


@settings(max_examples=8, deadline=None)
@given(batch=st.integers(1, 48), context=st.sampled_from([128, 1000, 4096]), kv=st.sampled_from([1, 4, 12]),
       softmax=st.sampled_from(["buffer_die", "host"]))
def test_property_pim_attention_never_beats_its_bounds_and_grows_with_context(batch: int, context: int, kv: int,
                                                                              softmax: str) -> None:
    nm = ATTACC.near_memory
    assert nm is not None
    arch = ATTACC.replace(near_memory=nm.replace(softmax_at=softmax))
    att = DecodeAttention(batch=batch, q_heads=12, kv_heads=kv, head_dim=128, context=context, dtype="fp16")
    row = _row(arch, att)
    eff = nearmem.effective_arch(arch)
    passes = -(-(12 // kv) // nm.max_gemv_m)  # more q-heads per kv-head than the units hold: the cache again
    assert row.dram_read_bytes >= passes * att.kv_bytes() * (1 - 1e-9)
    assert row.time_s >= passes * att.kv_bytes() / eff.peak_dram_bandwidth_bytes_per_s
    assert row.time_s >= row.interface_bytes / (nm.pool_link_gb_per_s * 1e9)
    longer = _row(arch, dataclasses.replace(att, context=2 * context))
    assert longer.time_s > row.time_s


def test_serving_sizes_the_kv_cache_by_the_pool_and_the_weights_by_hbm() -> None:
    from accelsim.multichip.parallel import ParallelPlan
    from accelsim.workload.serving import kv_capacity_tokens, load_stack

    m = accelsim.models.load("gpt-3-175b")
    plan, st = ParallelPlan(tp=8), load_stack("ideal")
    kw = dict(weight_dtype="fp16", kv_dtype="fp16")
    on_gpu, w_chip, per_tok = kv_capacity_tokens(A100A, m, plan, st, **kw)
    in_pool, _, _ = kv_capacity_tokens(ATTACC, m, plan, st, **kw)
    pool = ATTACC.near_memory.pool  # type: ignore[union-attr]
    assert in_pool == int(pool.capacity_bytes * st.memory_fraction // per_tok)  # the weights are not in the pool
    assert on_gpu == int((A100A.memory_capacity_bytes * st.memory_fraction - w_chip) // per_tok)
    assert in_pool > 2 * on_gpu
    # weights that do not fit the GPU's HBM leave no room for any sequence, whatever the pool holds
    assert kv_capacity_tokens(ATTACC, m, ParallelPlan(tp=2), st, **kw)[0] == 0

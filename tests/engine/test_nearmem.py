"""Near-memory compute PNM / PIM offload, placement policy, the direction presets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import presets
from accelsim.engine import nearmem
from accelsim.spec.machine import Architecture
from accelsim.spec.nearmem import NearMemorySpec, PlacementSpec
from accelsim.errors import ConfigError
from accelsim.workload.kernels import DecodeAttention, Elementwise, Gemv, Moe

PNM = presets.load("h200-pnm")
PIM = presets.load("h200-pim")
H200 = presets.load("h200")


def _always(arch: Architecture) -> Architecture:
    return arch.replace(placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram",
                                                offload=("gemv", "moe", "attention"), offload_when="always"))


def _pnm(r: int, flops_per_cycle: float) -> Architecture:
    """h200-pnm with internal bandwidth r x the host interface's and the given bf16 MAC rate per engine."""
    nm = PNM.near_memory
    assert nm is not None
    rates = nm.matrix_flops_per_cycle_per_unit.replace(bf16=flops_per_cycle)
    return _always(PNM.replace(near_memory=nm.replace(internal_pc_bus_width_bits=32 * r,
                                                      matrix_flops_per_cycle_per_unit=rates)))


BIG = Gemv(m=1, n=16384, k=16384, dtype="bf16")  # 537 MB of weights: bandwidth-bound everywhere


@pytest.mark.parametrize("r,flops_per_cycle", [(1, 8192.0), (2, 8192.0), (4, 8192.0), (4, 96.0)])
def test_pnm_gemv_speedup_is_min_of_bandwidth_ratio_and_compute_limit(r: int, flops_per_cycle: float) -> None:
    host_t = accelsim.simulate(H200, BIG).time_s
    arch = _pnm(r, flops_per_cycle)
    row = accelsim.simulate(arch, BIG).kernels[0]
    assert row.placement == "pnm"
    speedup = host_t / row.time_s
    # what the host achieves per byte, r times faster, or the engines' math, whichever is slower
    eff = nearmem.effective_arch(arch)
    assert eff.peak_dram_bandwidth_bytes_per_s == pytest.approx(r * H200.peak_dram_bandwidth_bytes_per_s)
    compute_limit = host_t / (BIG.flops() / eff.peak_flops_per_s("bf16"))
    expected = min(r, compute_limit)
    assert 0.8 * expected <= speedup <= 1.15 * expected, (r, flops_per_cycle, speedup, expected)


def test_pnm_speedup_grows_with_internal_bandwidth() -> None:
    times = [accelsim.simulate(_pnm(r, 8192.0), BIG).time_s for r in (1, 2, 4, 8)]
    assert all(b < a for a, b in zip(times, times[1:])), times


_shapes = st.tuples(st.integers(1, 8), st.sampled_from([256, 1024, 4096, 8192]), st.sampled_from([256, 2048, 8192]))


@settings(max_examples=12, deadline=None)
@given(shape=_shapes, which=st.sampled_from(["h200-pnm", "h200-pim"]))
def test_near_memory_never_beats_its_internal_roofline(shape: tuple[int, int, int], which: str) -> None:
    m, n, k = shape
    arch = _always(presets.load(which))
    g = Gemv(m=m, n=n, k=k, dtype="bf16")
    row = accelsim.simulate(arch, g).kernels[0]
    assert row.placement == arch.near_memory.level  # type: ignore[union-attr]
    assert row.time_s >= row.roofline_s * (1 - 1e-9)
    eff = nearmem.effective_arch(arch)
    assert row.time_s >= g.weight_bytes() / eff.peak_dram_bandwidth_bytes_per_s
    assert row.time_s >= g.flops() / eff.peak_flops_per_s("bf16")
    assert row.dram_read_bytes >= g.weight_bytes()
    assert row.interface_bytes > 0


def test_pim_refuses_attention_softmax_and_falls_back_to_host() -> None:
    att = DecodeAttention(batch=4, q_heads=64, kv_heads=8, head_dim=128, context=4096, dtype="bf16")
    ok, why = nearmem.offloadable(_always(PIM), att)
    assert not ok and "softmax" in why
    row = accelsim.simulate(_always(PIM), att).kernels[0]
    host = accelsim.simulate(nearmem.host_view(PIM), att).kernels[0]
    assert row.placement == "host" and row.time_s == host.time_s
    # the PNM engine is programmable: attention runs there
    assert nearmem.offloadable(_always(PNM), att)[0]
    assert accelsim.simulate(_always(PNM), att).kernels[0].placement == "pnm"


@pytest.mark.parametrize("kernel,reason", [
    (Gemv(m=64, n=4096, k=4096, dtype="bf16"), "max_gemv_m"),  # too many tokens for the GRF
    (Gemv(m=1, n=4096, k=4096, dtype="fp32"), "fp32"),  # no fp32 MACs
    (Elementwise(n_elements=1 << 20), "host"),  # elementwise never offloads
])
def test_pim_unsupported_kernels_run_on_the_host(kernel: object, reason: str) -> None:
    arch = _always(PIM)
    ok, why = nearmem.offloadable(arch, kernel)
    assert not ok and reason in why
    row = accelsim.simulate(arch, kernel).kernels[0]
    assert row.placement == "host"
    assert row.time_s == accelsim.simulate(nearmem.host_view(arch), kernel).time_s


def test_placement_policy_decides_what_is_offloaded() -> None:
    g = Gemv(m=1, n=8192, k=8192, dtype="bf16")
    no_gemv = PIM.replace(placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram", offload=("attention",),
                                                  offload_when="always"))
    assert accelsim.simulate(no_gemv, g).kernels[0].placement == "host"
    # "faster" keeps whichever simulates faster; "always" offloads even when that is slower
    big_m = Gemv(m=8, n=8192, k=8192, dtype="bf16")
    faster = accelsim.simulate(PIM, big_m).kernels[0]
    always = accelsim.simulate(_always(PIM), big_m).kernels[0]
    host = accelsim.simulate(nearmem.host_view(PIM), big_m).kernels[0]
    assert always.placement == "pim_bank"
    assert faster.time_s == min(always.time_s, host.time_s)
    assert accelsim.simulate(PIM, g).kernels[0].placement == "pim_bank"  # m = 1: PIM wins


def test_moe_kernel_offloads_its_grouped_gemvs() -> None:
    moe = Moe(tokens=4, n_experts=8, top_k=2, d_model=4096, expert_d_ff=14336)
    row = accelsim.simulate(_always(PIM), moe).kernels[0]
    assert row.placement == "pim_bank"
    assert row.dram_read_bytes >= moe.weight_bytes()
    assert row.time_s < accelsim.simulate(H200, moe).time_s


def test_pim_effective_machine_follows_the_dram_organisation() -> None:
    eff = nearmem.effective_arch(PIM)
    d = PIM.dram
    assert eff.compute.units == d.pseudo_channels * d.bank_groups * d.banks_per_group // 2  # a unit per bank pair
    assert eff.dram.banks_per_pseudo_channel == 2
    per_unit = eff.peak_dram_bandwidth_bytes_per_s / eff.compute.units
    assert per_unit == pytest.approx(32 / (d.tCCD_L_ns * 1e-9))  # 32 B per tCCD_L per unit
    # a narrower command bus (one command per unit instead of all-bank mode) lowers the column rate
    nm = PIM.near_memory
    assert nm is not None
    serial = PIM.replace(near_memory=nm.replace(units_per_command=1))
    assert nearmem.internal_peak_bandwidth_bytes_per_s(serial) < eff.peak_dram_bandwidth_bytes_per_s


def test_near_memory_spec_validation_names_fields() -> None:
    nm = PNM.near_memory
    assert nm is not None
    with pytest.raises(ConfigError) as e:
        nm.replace(supported_ops=("gemv", "softmaxx"))
    assert e.value.field == "supported_ops[1]"
    with pytest.raises(ConfigError) as e:
        PNM.with_field("near_memory.units_per_stack", 0)
    assert e.value.field == "near_memory.units_per_stack"
    d = PNM.to_dict()
    d["near_memory"]["clock_ghz"] = -1.0
    with pytest.raises(ConfigError) as e:
        Architecture.from_dict(d)
    assert e.value.field == "near_memory.clock_ghz"
    with pytest.raises(ConfigError, match="level"):
        NearMemorySpec.from_dict(dict(nm.to_dict(), level="pum"))


def test_direction_presets_round_trip_and_leave_h200_alone() -> None:
    for name in ("h200-pnm", "h200-pim", "h200-hbf", "stacked3d"):
        a = presets.load(name)
        assert accelsim.io.from_yaml(accelsim.io.to_yaml(a)) == a
        assert Architecture.from_dict(a.to_dict()) == a
    # without its near-memory units the PNM machine is the h200: same results
    g = Gemv(m=1, n=4096, k=4096)
    plain = PNM.replace(name="h200", near_memory=None, description=H200.description, citations=H200.citations)
    assert plain == H200
    assert accelsim.simulate(H200, g).kernels[0].placement == "host"


def test_decode_step_on_near_memory_designs() -> None:
    kw = dict(batch=1, context=4096, weight_dtype="fp8", kv_dtype="fp8")
    base = accelsim.decode_step(H200, "llama-3-8b", **kw)
    pim = accelsim.decode_step(PIM, "llama-3-8b", **kw)
    pnm = accelsim.decode_step(PNM, "llama-3-8b", **kw)
    assert pim.feasible and pnm.feasible
    assert pim.tokens_per_s > 1.5 * base.tokens_per_s
    assert pnm.tokens_per_s > 1.2 * base.tokens_per_s
    assert any(r.placement == "pim_bank" for r, _ in pim.kernels)
    assert any(r.placement == "host" for r, _ in pim.kernels)  # attention and elementwise stay on the host
    # PIM gave up capacity for its logic
    assert PIM.memory_capacity_bytes == pytest.approx(0.75 * H200.memory_capacity_bytes)


def test_stacked3d_is_fast_and_small() -> None:
    s3 = presets.load("stacked3d")
    assert s3.dram.kind == "stacked3d"
    assert s3.peak_dram_bandwidth_bytes_per_s > 2 * H200.peak_dram_bandwidth_bytes_per_s
    assert s3.memory_capacity_bytes < H200.memory_capacity_bytes / 2
    g = Gemv(m=1, n=8192, k=8192)
    assert accelsim.simulate(s3, g).time_s < 0.6 * accelsim.simulate(H200, g).time_s
    big = accelsim.decode_step(s3, "llama-3-70b", batch=1, context=4096, weight_dtype="fp8", kv_dtype="fp8")
    assert not big.feasible and "capacity" in big.reason


@pytest.mark.parametrize("which", ["h200-pnm", "h200-pim"])
def test_long_near_memory_streams_respect_the_compute_roofline(which: str) -> None:
    """A 537 MB GEMV: long enough that `fast` would truncate and extrapolate a host kernel; near-memory
    tiles turn from latency- to compute-bound as they lengthen, so they are simulated whole."""
    arch = _always(presets.load(which))
    row = accelsim.simulate(arch, BIG).kernels[0]
    eff = nearmem.effective_arch(arch)
    assert row.time_s >= row.roofline_s * (1 - 1e-9)
    assert row.time_s >= BIG.flops() / eff.peak_flops_per_s("bf16")
    assert row.time_s <= 1.5 * row.roofline_s

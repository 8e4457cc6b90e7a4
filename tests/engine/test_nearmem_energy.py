"""Energy of the beyond-HBM designs: near-memory (PNM / PIM)
offloads, High Bandwidth Flash reads, the 3D-stacked design, and J/token on the direction presets."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import presets
from accelsim.spec.machine import Architecture
from accelsim.spec.nearmem import PlacementSpec
from accelsim.presets.directions import DIRECTION_PRESETS
from accelsim.engine.energy import (COMPONENTS, add_components, dram_path_pj_per_bit, kernel_energy_components, near_memory_pj_per_bit)
from accelsim.errors import ConfigError
from accelsim.workload.kernels import DecodeAttention, Elementwise, Gemv, Moe

from strategies import energy_specs

H200 = presets.load("h200")
PNM = presets.load("h200-pnm")
PIM = presets.load("h200-pim")
HBF = presets.load("h200-hbf")
S3D = presets.load("stacked3d")
GEMV = Gemv(m=1, n=8192, k=8192, dtype="bf16")  # 134 MB of weights: bandwidth-bound on every design
KERNELS = [
    GEMV,
    Gemv(m=4, n=4096, k=4096, dtype="fp8"),
    DecodeAttention(batch=2, q_heads=32, kv_heads=8, head_dim=128, context=4096, dtype="bf16"),
    Elementwise(n_elements=1 << 20, dtype="bf16", reads=2, writes=1, flops_per_element=2),
    Moe(tokens=2, n_experts=8, top_k=2, d_model=2048, expert_d_ff=4096, dtype="bf16"),
]


def _always(arch: Architecture) -> Architecture:
    return arch.replace(placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram",
                                                offload=("gemv", "moe", "attention"), offload_when="always"))


def _check_row(arch: Architecture, k: Any) -> None:
    comps = k.energy_by_component_j
    assert comps is not None and list(comps) == list(COMPONENTS)
    assert all(v >= 0 and math.isfinite(v) for v in comps.values())
    assert k.energy_j == math.fsum(comps.values()) > 0
    assert comps["static"] == pytest.approx(arch.energy.static_power_w * k.time_s, rel=1e-9)


def _dram_j(c: dict[str, float]) -> float:
    return c["dram_array"] + c["dram_internal"] + c["dram_interface"]


# ------------------------------------------------------------------------------------------ near memory


def test_pnm_gemv_uses_less_energy_than_the_same_gemv_on_the_host() -> None:
    host = accelsim.simulate(H200, GEMV).kernels[0]
    nm = accelsim.simulate(PNM, GEMV).kernels[0]
    assert host.placement == "host" and nm.placement == "pnm"
    _check_row(H200, host)
    _check_row(PNM, nm)
    ch, cn = host.energy_by_component_j, nm.energy_by_component_j
    # the same weight bytes are read; on the base die they pay fewer pJ/bit and cross no L2 / interface
    bits_h = 8 * (host.dram_read_bytes + host.dram_write_bytes)
    bits_n = 8 * (nm.dram_read_bytes + nm.dram_write_bytes)
    assert bits_n == pytest.approx(bits_h, rel=0.02)
    assert _dram_j(cn) / bits_n < 0.6 * _dram_j(ch) / bits_h
    assert cn["dram_interface"] < 0.01 * ch["dram_interface"]
    assert cn["l2"] < 0.01 * ch["l2"]
    assert cn["compute"] == 0 < cn["near_memory_compute"]
    assert nm.energy_j < 0.7 * host.energy_j


@pytest.mark.parametrize("arch", [PNM, PIM], ids=["pnm", "pim"])
def test_offloaded_dram_bits_pay_the_near_memory_figure_and_transfers_the_host_path(arch: Architecture) -> None:
    """The rule: near-memory bits pay near_memory.internal_pj_per_bit (array share + the rest as internal);
    the broadcast / gather bits pay the host path (array + internal + interface = 3.6 pJ/bit)."""
    k = accelsim.simulate(_always(arch), Gemv(m=1, n=4096, k=4096, dtype="bf16")).kernels[0]
    assert k.placement == arch.near_memory.level and k.interface_bytes > 0
    e, nm = arch.energy, arch.near_memory
    c = k.energy_by_component_j
    wire_bits = c["dram_interface"] / (e.dram_interface_pj_per_bit * 1e-12)
    core_bits = 8 * (k.dram_read_bytes + k.dram_write_bytes) - wire_bits
    # the transfers' simulated DRAM bytes: the broadcast + gather, rounded up to whole tiles
    assert 8 * k.interface_bytes <= wire_bits <= 8 * (1.05 * k.interface_bytes + 64 * 1024)
    assert core_bits > 10 * wire_bits
    expect = core_bits * nm.internal_pj_per_bit + wire_bits * dram_path_pj_per_bit(e, "host")
    assert _dram_j(c) == pytest.approx(expect * 1e-12, rel=1e-9)
    assert c["near_memory_compute"] == pytest.approx(k.flops * nm.compute_pj_per_flop * 1e-12, rel=1e-12)
    assert c["dram_activation"] == pytest.approx(k.activates * e.dram_activate_pj * 1e-12, rel=1e-12)
    assert k.activates >= core_bits / 8 / arch.dram.row_bytes * 0.95


def test_near_memory_figures_fall_back_to_the_path_when_zero() -> None:
    e = H200.energy
    assert near_memory_pj_per_bit(PNM) == (e.dram_array_pj_per_bit, PNM.near_memory.internal_pj_per_bit
                                           - e.dram_array_pj_per_bit)
    pnm0 = PNM.with_field("near_memory.internal_pj_per_bit", 0.0)
    assert sum(near_memory_pj_per_bit(pnm0)) == dram_path_pj_per_bit(e, "base_die")
    pim0 = PIM.with_field("near_memory.internal_pj_per_bit", 0.0)
    assert near_memory_pj_per_bit(pim0) == (e.dram_array_pj_per_bit, 0.0)  # bank path: the array only
    small = PIM.with_field("near_memory.internal_pj_per_bit", 0.25)  # below the array figure: all of it
    assert near_memory_pj_per_bit(small) == (0.25, 0.0)
    # pJ/FLOP 0 -> the EnergySpec's figure for the kernel's math dtype, still as near_memory_compute
    g = Gemv(m=1, n=4096, k=4096, dtype="bf16")
    a = _always(PNM.with_field("near_memory.compute_pj_per_flop", 0.0))
    k = accelsim.simulate(a, g).kernels[0]
    assert k.energy_by_component_j["near_memory_compute"] == pytest.approx(
        k.flops * e.compute_pj_per_flop.bf16 * 1e-12, rel=1e-12)
    with pytest.raises(ConfigError, match="near_memory"):
        near_memory_pj_per_bit(H200)
    with pytest.raises(ConfigError, match="energy"):
        near_memory_pj_per_bit(PNM.replace(energy=None))


def test_host_fallback_kernels_are_charged_as_on_the_host() -> None:
    """PIM cannot run attention (softmax) or elementwise kernels: they run on the host, with the host's
    energy, exactly."""
    for k in (KERNELS[2], KERNELS[3]):
        on_pim = accelsim.simulate(PIM, k).kernels[0]
        on_host = accelsim.simulate(PIM.replace(near_memory=None), k).kernels[0]
        assert on_pim.placement == "host"
        assert on_pim.energy_components_j == on_host.energy_components_j
        assert on_pim.energy_by_component_j["near_memory_compute"] == 0


# ------------------------------------------------------------------------------------------ flash


def test_hbf_fed_gemv_has_a_flash_component() -> None:
    k = accelsim.simulate(HBF, GEMV).kernels[0]
    assert k.placement == "host+hbf" and k.flash_read_bytes == GEMV.weight_bytes()
    _check_row(HBF, k)
    c = k.energy_by_component_j
    assert c["flash"] == pytest.approx(8 * k.flash_read_bytes * HBF.hbf.read_pj_per_bit * 1e-12, rel=1e-12)
    assert c["flash"] > 0.2 * (k.energy_j - c["static"] - c["busy"])  # of the energy the kernel's events cost
    # the weights did not come from DRAM: DRAM energy is the activations' and results' only
    assert _dram_j(c) < 0.01 * c["flash"]
    # flash bytes land on chip: L2 / local SRAM are charged for them as for DRAM bytes on the host
    assert c["l2"] >= 8 * k.flash_read_bytes * HBF.energy.l2_pj_per_bit * 1e-12
    host = accelsim.simulate(H200, GEMV).kernels[0]
    assert host.energy_by_component_j["flash"] == 0


def test_flash_bytes_need_a_flash_tier() -> None:
    with pytest.raises(ConfigError, match="hbf"):
        kernel_energy_components(H200, time_s=1e-6, dram_read_bytes=0, dram_write_bytes=0, l2_read_bytes=0,
                                 activates=0, flops=0.0, math_dtype="bf16", flash_read_bytes=4096)


# ------------------------------------------------------------------------------------------ all designs


def test_every_direction_preset_has_an_energy_spec() -> None:
    for name in DIRECTION_PRESETS:
        a = presets.load(name)
        assert a.energy is not None, name
    # PNM / PIM / HBF keep the H200's (same die, same HBM3e); the 3D design has a cheaper DRAM path
    for a in (PNM, PIM, HBF):
        assert a.energy == H200.energy
    assert dram_path_pj_per_bit(S3D.energy, "host") == pytest.approx(0.9)
    assert dram_path_pj_per_bit(S3D.energy, "host") < dram_path_pj_per_bit(H200.energy, "host") / 3
    assert S3D.energy.static_power_w == H200.energy.static_power_w


def test_stacked3d_energy_changes_energy_not_time() -> None:
    uncapped = S3D.energy.replace(board_power_limit_w=0.0)  # the exact per-bit ratio, before any power cap
    r3 = accelsim.simulate(S3D.replace(energy=uncapped), KERNELS)
    rh = accelsim.simulate(S3D.replace(energy=H200.energy.replace(board_power_limit_w=0.0)), KERNELS)
    assert [k.time_s for k in r3.kernels] == [k.time_s for k in rh.kernels]
    k3, kh = r3.kernels[0], rh.kernels[0]
    assert _dram_j(k3.energy_by_component_j) == pytest.approx(_dram_j(kh.energy_by_component_j) * 0.9 / 3.6,
                                                              rel=1e-9)
    assert r3.energy_j < rh.energy_j
    # HBM3's 3.6 pJ/bit at the stacked design's 13 TB/s draws close to the h200's 700 W board limit; a
    # board limit below the hungriest kernel's draw caps it (dynamic energy scaled down, time unchanged)
    limit = 0.9 * max(k.energy_j / k.time_s for k in rh.kernels)
    capped = accelsim.simulate(S3D.replace(energy=H200.energy.replace(board_power_limit_w=limit)), KERNELS)
    assert [k.time_s for k in capped.kernels] == [k.time_s for k in rh.kernels]
    assert all(k.energy_j <= limit * k.time_s * (1 + 1e-12) for k in capped.kernels)
    assert capped.energy_j < rh.energy_j


@pytest.mark.parametrize("name", ["h200", *DIRECTION_PRESETS])
def test_direction_preset_decode_steps_have_finite_joules_per_token(name: str) -> None:
    a = presets.load(name)
    s = accelsim.decode_step(a, "llama-3-8b", batch=1, context=4096, weight_dtype="fp8", kv_dtype="fp8")
    assert s.feasible
    assert math.isfinite(s.joules_per_token) and s.joules_per_token > 0
    comps = s.energy_by_component_j
    assert list(comps) == list(COMPONENTS)
    assert s.energy_j == math.fsum(comps.values())
    # kernels that overlap each other (placement.overlap) both charged the hidden time's static energy: once
    assert s.energy_j == pytest.approx(math.fsum(r.energy_j * n for r, n in s.kernels) - s.overlap_static_j, rel=1e-12)
    assert comps["static"] == pytest.approx(a.energy.static_power_w * s.time_s, rel=1e-9)
    assert "mJ/token" in s.table()
    assert s.as_dict()["joules_per_token"] == s.joules_per_token
    assert (comps["near_memory_compute"] > 0) == (a.near_memory is not None)
    assert (comps["flash"] > 0) == (a.hbf is not None)


def test_bandwidth_bound_decode_costs_less_energy_near_memory_and_on_3d() -> None:
    """Batch 1 (the weight stream dominates): moving fewer pJ per weight bit beats the H200 per token."""
    def jpt(a: Architecture) -> float:
        return accelsim.decode_step(a, "llama-3-8b", batch=1, context=4096, weight_dtype="fp8",
                                    kv_dtype="fp8").joules_per_token

    base = jpt(H200)
    for a in (PNM, PIM, S3D):
        assert jpt(a) < 0.8 * base, a.name


@pytest.mark.parametrize("name", list(DIRECTION_PRESETS))
def test_no_energy_spec_gives_nan_not_a_crash_and_the_same_times(name: str) -> None:
    a = presets.load(name)
    bare = a.replace(energy=None)
    for fid in ("fast", "roofline"):
        r, rb = accelsim.simulate(a, KERNELS[:2], fidelity=fid), accelsim.simulate(bare, KERNELS[:2], fidelity=fid)
        assert math.isnan(rb.energy_j) and rb.energy_by_component_j is None
        assert all(math.isnan(k.energy_j) and k.as_dict()["energy_j"] is None for k in rb.kernels)
        # the energy spec changes no field but the energy ones
        assert [dataclasses.replace(k, energy_components_j=()) for k in r.kernels] == list(rb.kernels)
    s = accelsim.decode_step(bare, "llama-3-8b", batch=1, context=4096, weight_dtype="fp8", kv_dtype="fp8")
    assert s.feasible and math.isnan(s.energy_j) and math.isnan(s.joules_per_token)
    assert s.as_dict()["joules_per_token"] is None and "mJ/token" not in s.table()


def test_infeasible_direction_step_has_nan_energy() -> None:
    s = accelsim.decode_step(S3D, "llama-3-70b", batch=1, context=4096, weight_dtype="fp8", kv_dtype="fp8")
    assert not s.feasible and math.isnan(s.joules_per_token)


def test_add_components() -> None:
    a = (("dram_array", 1.0), ("static", 2.0))
    b = tuple((c, 0.5) for c in COMPONENTS)
    s = dict(add_components(a, b))
    assert list(s) == list(COMPONENTS) and s["dram_array"] == 1.5 and s["static"] == 2.5 and s["flash"] == 0.5
    assert add_components(a, ()) == () and add_components() == ()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(energy=energy_specs(), design=st.sampled_from(["h200-pnm", "h200-pim", "h200-hbf"]),
       fidelity=st.sampled_from(["fast", "roofline"]), n=st.sampled_from([1024, 4096]),
       nm_pj=st.floats(0.0, 5.0), nm_flop=st.floats(0.0, 5.0))
def test_property_energy_conserved_on_beyond_hbm_designs(energy, design, fidelity, n, nm_pj, nm_flop) -> None:  # type: ignore[no-untyped-def]
    energy = energy.replace(board_power_limit_w=0.0)  # exact per-event charges (the cap: tests/engine/test_power.py)
    a = presets.load(design).replace(energy=energy)
    if a.near_memory is not None:
        a = _always(a.replace(near_memory=a.near_memory.replace(internal_pj_per_bit=nm_pj,
                                                                compute_pj_per_flop=nm_flop)))
    ks = [Gemv(m=1, n=n, k=n, dtype="bf16"), Elementwise(n_elements=n * 64, dtype="bf16")]
    r = accelsim.simulate(a, ks, fidelity=fidelity)
    comps = r.energy_by_component_j
    assert comps is not None and list(comps) == list(COMPONENTS)
    assert all(v >= 0 and math.isfinite(v) for v in comps.values())
    assert r.energy_j == math.fsum(comps.values())
    assert comps["static"] == pytest.approx(energy.static_power_w * r.time_s, rel=1e-9, abs=1e-18)
    for k in r.kernels:
        assert k.energy_j == math.fsum(dict(k.energy_components_j).values())
    if a.hbf is not None:
        assert comps["flash"] == pytest.approx(8 * r.kernels[0].flash_read_bytes * a.hbf.read_pj_per_bit * 1e-12,
                                               rel=1e-12, abs=1e-18)


def test_cli_presets_lists_the_beyond_dram_tiers_and_pj_per_bit(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from accelsim.cli import app as cli

    assert cli.main(["presets"]) == 0
    out = capsys.readouterr().out
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln and not ln.startswith(("-", " "))}
    assert "pnm x48 9.6 TB/s" in lines["h200-pnm"] and "pim_bank x3072" in lines["h200-pim"]
    assert "hbf 1.02 TB 3.2 TB/s" in lines["h200-hbf"]
    assert " 0.9 " in lines["stacked3d"] and " 3.6 " in lines["h200"]
    assert cli.main(["presets", "--json"]) == 0
    data = {d["name"]: d for d in json.loads(capsys.readouterr().out)}
    assert data["h200-pnm"]["near_memory_level"] == "pnm" and data["h200"]["near_memory_level"] is None
    assert data["h200-pnm"]["near_memory_internal_bandwidth_bytes_per_s"] == pytest.approx(
        2 * H200.peak_dram_bandwidth_bytes_per_s)
    assert data["h200-hbf"]["flash_capacity_bytes"] == HBF.hbf.capacity_bytes
    assert data["stacked3d"]["dram_host_pj_per_bit"] == pytest.approx(0.9)
    assert data["tpu-v5e"]["dram_host_pj_per_bit"] is None

"""Energy model: components from simulated traffic (accelsim.energy), on simulate and decode_step results."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import ConfigError, DtypeEnergies, EnergySpec, io
from accelsim.engine.energy import COMPONENTS, dram_path_pj_per_bit

from strategies import energy_specs, valid_architectures

H100 = accelsim.presets.load("h100-sxm")
KERNELS = [
    accelsim.Gemv(m=1, n=8192, k=8192),
    accelsim.DecodeAttention(batch=4, q_heads=32, kv_heads=8, head_dim=128, context=4096, dtype="bf16"),
    accelsim.Elementwise(n_elements=1 << 20, dtype="bf16", reads=2, writes=1, flops_per_element=2),
]


def _energy(**over: float) -> EnergySpec:
    base = dict(dram_array_pj_per_bit=0.5, dram_internal_pj_per_bit=2.0, dram_interface_pj_per_bit=1.1,
                dram_activate_pj=900.0, l2_pj_per_bit=1.0, local_sram_pj_per_bit=0.1,
                compute_pj_per_flop=DtypeEnergies(fp32=0.6, bf16=0.2, fp16=0.2, fp8=0.1, int8=0.1, int4=0.1, fp4=0.1),
                vector_pj_per_flop=0.6, static_power_w=100.0)
    base.update(over)
    return EnergySpec(**base)  # type: ignore[arg-type]


def test_components_sum_to_total_and_kernels_sum_to_run() -> None:
    r = accelsim.simulate(H100, KERNELS)
    comps = r.energy_by_component_j
    assert comps is not None and list(comps) == list(COMPONENTS)
    assert all(v >= 0 and math.isfinite(v) for v in comps.values())
    assert r.energy_j == math.fsum(comps.values())
    assert r.energy_j == pytest.approx(sum(k.energy_j for k in r.kernels), rel=1e-12)
    for k in r.kernels:
        kc = k.energy_by_component_j
        assert kc is not None and k.energy_j == math.fsum(kc.values()) > 0
        # static energy = static power x simulated time (launch gap included)
        assert kc["static"] == pytest.approx(H100.energy.static_power_w * k.time_s, rel=1e-12)
    # every component is present in this mix (elementwise: vector math; attention / GEMV: DRAM, L2), except
    # the beyond-HBM ones, which are 0 on a machine without near-memory units or flash
    beyond = ("near_memory_compute", "flash", "link")
    assert all(comps[c] > 0 for c in COMPONENTS if c not in beyond)
    assert all(comps[c] == 0 for c in beyond)


def test_components_follow_counts_exactly() -> None:
    k = accelsim.simulate(H100, KERNELS[0]).kernels[0]
    e = H100.energy
    c = k.energy_by_component_j
    bits = 8 * (k.dram_read_bytes + k.dram_write_bytes)
    assert c["dram_interface"] == pytest.approx(bits * e.dram_interface_pj_per_bit * 1e-12, rel=1e-12)
    assert c["dram_array"] + c["dram_internal"] + c["dram_interface"] == pytest.approx(
        bits * dram_path_pj_per_bit(e, "host") * 1e-12, rel=1e-12)
    assert c["dram_activation"] == pytest.approx(k.activates * e.dram_activate_pj * 1e-12, rel=1e-12)
    assert c["compute"] == pytest.approx(k.flops * e.compute_pj_per_flop.bf16 * 1e-12, rel=1e-12)
    # a sequential weight stream opens each 1 KiB row about once
    rows = k.dram_read_bytes / H100.dram.row_bytes
    assert rows <= k.activates <= 1.05 * rows


def test_energy_scales_with_bytes_for_bandwidth_bound_gemvs() -> None:
    small = accelsim.simulate(H100, accelsim.Gemv(m=1, n=8192, k=8192)).kernels[0]
    big = accelsim.simulate(H100, accelsim.Gemv(m=1, n=16384, k=16384)).kernels[0]
    assert small.bound == big.bound == "bandwidth"
    byte_ratio = (big.dram_read_bytes + big.dram_write_bytes) / (small.dram_read_bytes + small.dram_write_bytes)
    assert byte_ratio == pytest.approx(4.0, rel=0.01)
    cs, cb = small.energy_by_component_j, big.energy_by_component_j
    for c in ("dram_array", "dram_internal", "dram_interface"):
        assert cb[c] / cs[c] == pytest.approx(byte_ratio, rel=1e-9)
    assert cb["dram_activation"] / cs["dram_activation"] == pytest.approx(byte_ratio, rel=0.05)
    # total (incl. static over a ~4x longer run) scales with the bytes too, within the launch share
    assert 3.3 <= big.energy_j / small.energy_j <= 4.2


def test_doubling_dram_interface_energy_changes_only_that_component() -> None:
    e = H100.energy
    a2 = H100.replace(energy=e.replace(dram_interface_pj_per_bit=2 * e.dram_interface_pj_per_bit))
    r1, r2 = accelsim.simulate(H100, KERNELS), accelsim.simulate(a2, KERNELS)
    assert r1.time_s == r2.time_s
    c1, c2 = r1.energy_by_component_j, r2.energy_by_component_j
    assert c2["dram_interface"] == pytest.approx(2 * c1["dram_interface"], rel=1e-12)
    for c in COMPONENTS:
        if c != "dram_interface":
            assert c2[c] == c1[c], c
    assert r2.energy_j - r1.energy_j == pytest.approx(c1["dram_interface"], rel=1e-9)


def test_energy_spec_does_not_change_timing() -> None:
    bare = H100.replace(energy=None)
    for fid in ("fast", "roofline"):
        r1, r2 = accelsim.simulate(H100, KERNELS, fidelity=fid), accelsim.simulate(bare, KERNELS, fidelity=fid)
        assert [dataclasses.replace(k, energy_components_j=()) for k in r1.kernels] == list(r2.kernels)


def test_no_energy_spec_gives_nan_not_a_crash() -> None:
    bare = H100.replace(energy=None)
    r = accelsim.simulate(bare, KERNELS)
    assert math.isnan(r.energy_j) and r.energy_by_component_j is None
    assert all(math.isnan(k.energy_j) and k.as_dict()["energy_j"] is None for k in r.kernels)
    s = accelsim.decode_step(bare, "llama-3-8b", batch=1, context=1024)
    assert s.feasible and math.isnan(s.energy_j) and math.isnan(s.joules_per_token)
    d = s.as_dict()
    assert d["energy_j"] is None and d["joules_per_token"] is None and d["energy_by_component_j"] is None
    assert "mJ/token" not in s.table()


def _check_step(a: accelsim.Architecture, s: accelsim.DecodeStepResult) -> None:
    assert s.feasible
    assert math.isfinite(s.joules_per_token) and s.joules_per_token > 0
    assert s.joules_per_token * s.batch == pytest.approx(s.energy_j, rel=1e-12)
    comps = s.energy_by_component_j
    assert s.energy_j == math.fsum(comps.values())
    assert s.energy_j == pytest.approx(math.fsum(r.energy_j * n for r, n in s.kernels), rel=1e-12)
    # the static component is static power x the step time
    assert comps["static"] == pytest.approx(a.energy.static_power_w * s.time_s, rel=1e-9)
    assert s.as_dict()["joules_per_token"] == s.joules_per_token
    assert "mJ/token" in s.table()


@pytest.mark.parametrize("name", ["h100-sxm", "h200", "b200", "mi300x"])
def test_decode_joules_per_token(name: str) -> None:
    a = accelsim.presets.load(name)
    _check_step(a, accelsim.decode_step(a, "llama-3-8b", batch=1, context=1024))


def test_batching_amortises_the_weight_stream() -> None:
    s1 = accelsim.decode_step(H100, "llama-3-8b", batch=1, context=1024)
    s16 = accelsim.decode_step(H100, "llama-3-8b", batch=16, context=1024)
    _check_step(H100, s16)
    assert s16.joules_per_token < s1.joules_per_token / 4


def test_infeasible_step_has_nan_energy() -> None:
    s = accelsim.decode_step(H100, "llama-3-70b", batch=1, context=4096)
    assert not s.feasible and math.isnan(s.energy_j) and math.isnan(s.joules_per_token)


def test_energy_spec_validation_and_round_trip() -> None:
    with pytest.raises(ConfigError, match=r"energy\.dram_interface_pj_per_bit"):
        H100.with_field("energy.dram_interface_pj_per_bit", -1.0)
    with pytest.raises(ConfigError, match=r"energy\.compute_pj_per_flop\.bf16"):
        H100.with_field("energy.compute_pj_per_flop.bf16", float("nan"))
    a = H100.with_field("energy.static_power_w", 0.0)
    assert io.from_yaml(io.to_yaml(a)) == a and io.from_json(io.to_json(a)) == a
    bare = H100.replace(energy=None)
    assert io.from_yaml(io.to_yaml(bare)) == bare
    d = H100.to_dict()
    d["energy"]["dram_interface_pj_per_bt"] = 1.0
    with pytest.raises(ConfigError, match="did you mean 'dram_interface_pj_per_bit'"):
        accelsim.Architecture.from_dict(d)
    # a document without the key (written before the energy model existed) still loads, without energy
    d = H100.to_dict()
    del d["energy"]
    assert accelsim.Architecture.from_dict(d).energy is None


def test_dram_paths() -> None:
    e = H100.energy
    bank, base, host = (dram_path_pj_per_bit(e, p) for p in ("bank", "base_die", "host"))
    assert 0 < bank < base < host == pytest.approx(3.6)
    with pytest.raises(ConfigError):
        dram_path_pj_per_bit(e, "moon")


def test_roofline_activations_are_rows_of_bytes() -> None:
    k = accelsim.simulate(H100, KERNELS[0], fidelity="roofline").kernels[0]
    assert k.activates == -(-(k.dram_read_bytes + k.dram_write_bytes) // H100.dram.row_bytes)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arch=valid_architectures(text=False), energy=energy_specs(),
       fidelity=st.sampled_from(["fast", "roofline"]),
       n=st.sampled_from([256, 1024, 4096]), m=st.sampled_from([1, 8]))
def test_property_energy_conserved_on_random_architectures(arch: accelsim.Architecture, energy: EnergySpec,
                                                           fidelity: str, n: int, m: int) -> None:
    energy = energy.replace(board_power_limit_w=0.0)  # exact per-event charges (the cap: tests/engine/test_power.py)
    a = arch.replace(energy=energy)
    ks = [accelsim.Gemv(m=m, n=n, k=n), accelsim.Elementwise(n_elements=n * 64, dtype="bf16")]
    r = accelsim.simulate(a, ks, fidelity=fidelity)
    comps = r.energy_by_component_j
    assert comps is not None and list(comps) == list(COMPONENTS)
    assert all(v >= 0 and math.isfinite(v) for v in comps.values())
    assert r.energy_j == math.fsum(comps.values())
    assert comps["static"] == pytest.approx(energy.static_power_w * r.time_s, rel=1e-9, abs=1e-18)
    bits = 8 * (r.dram_read_bytes + r.dram_write_bytes)
    assert comps["dram_interface"] == pytest.approx(bits * energy.dram_interface_pj_per_bit * 1e-12, rel=1e-9, abs=1e-18)
    assert sum(k.activates for k in r.kernels) >= 0


def test_near_memory_paths_charge_only_the_segments_crossed() -> None:
    """For the near-memory designs: bytes consumed in the base die / bank skip the interface (and the
    host's SRAM levels); the activation, compute and static components do not depend on the path."""
    from accelsim.engine.energy import kernel_energy_components

    kw = dict(time_s=1e-3, dram_read_bytes=1 << 20, dram_write_bytes=0, l2_read_bytes=4096, activates=1024,
              flops=2e6, math_dtype="bf16")
    host = dict(kernel_energy_components(H100, **kw))
    base = dict(kernel_energy_components(H100, dram_path="base_die", **kw))
    bank = dict(kernel_energy_components(H100, dram_path="bank", pj_per_flop=1.0, **kw))
    assert base["dram_interface"] == 0 and base["dram_internal"] == host["dram_internal"] > 0
    assert bank["dram_internal"] == bank["dram_interface"] == 0 and bank["dram_array"] == host["dram_array"]
    assert base["l2"] == pytest.approx(4096 * 8 * H100.energy.l2_pj_per_bit * 1e-12)
    assert base["l2"] < host["l2"]
    for c in ("dram_activation", "static"):
        assert host[c] == base[c] == bank[c]
    assert bank["compute"] == pytest.approx(2e6 * 1e-12)
    with pytest.raises(ConfigError):
        kernel_energy_components(H100, dram_path="moon", **kw)

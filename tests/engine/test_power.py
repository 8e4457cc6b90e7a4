"""Power: the busy floor of clocked units and L2 ports, the board power limit, idle and active chip power,
link energy, and the H100 calibration against measured decode power (ML.ENERGY)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim.engine.energy import STATIC_COMPONENTS, busy_power_w, chip_power_w, link_energy_j
from accelsim.presets import calibration
from accelsim.report import power_calibration as pc

from strategies import energy_specs, valid_architectures

H100 = accelsim.presets.load("h100-sxm")
GEMV = accelsim.Gemv(m=8, n=4096, k=4096)


def test_busy_component_is_busy_power_times_time() -> None:
    k = accelsim.simulate(H100, GEMV).kernels[0]
    c = k.energy_by_component_j
    e = H100.energy
    want = (H100.compute.units * H100.compute.clock_ghz * 1e9 * e.unit_busy_pj_per_cycle
            + H100.l2.bytes_per_cycle * H100.l2.clock_ghz * 1e9 * e.l2_busy_pj_per_byte_cycle) * 1e-12
    assert busy_power_w(H100) == pytest.approx(want, rel=1e-12)
    assert c["busy"] == pytest.approx(want * k.time_s, rel=1e-12)
    assert chip_power_w(H100, "idle") == e.static_power_w
    assert chip_power_w(H100, "active") == pytest.approx(e.static_power_w + want, rel=1e-12)
    assert math.isnan(chip_power_w(H100.replace(energy=None)))
    with pytest.raises(accelsim.ConfigError, match="state"):
        chip_power_w(H100, "asleep")


@pytest.mark.parametrize("path, factor", [("compute.units", 2), ("compute.clock_ghz", 1.25),
                                          ("l2.bytes_per_cycle", 2.0)])
def test_busy_power_grows_with_units_clock_and_l2_width(path: str, factor: float) -> None:
    cur = H100
    for part in path.split("."):
        cur = getattr(cur, part)
    more = H100.with_field(path, type(cur)(cur * factor))
    assert busy_power_w(more) > busy_power_w(H100)
    # and so does the energy of the same kernel (its time does not change more than the busy power grows)
    assert accelsim.simulate(more, GEMV).kernels[0].energy_by_component_j["busy"] > 0


def test_h100_decode_power_is_between_idle_and_the_board_limit() -> None:
    s = accelsim.decode_step(H100, "llama-3-8b", batch=8, context=264)
    p = s.energy_j / s.time_s
    assert chip_power_w(H100, "active") < p <= 700.0
    # the calibration row: the modelled power of the step is the measured 486.4 W within a few percent (the
    # parameters were set from this power over the *measured* step time, which is longer than the simulated)
    assert p == pytest.approx(486.4, rel=0.06)


def test_dense_gemm_runs_at_the_board_limit() -> None:
    g = accelsim.simulate(H100, accelsim.Gemv(m=8192, n=8192, k=8192)).kernels[0]
    assert g.energy_j / g.time_s == pytest.approx(700.0, rel=0.01)


def test_power_cap_scales_only_the_dynamic_components() -> None:
    lim = 500.0  # above the 412 W active floor, below the GEMM's 700 W
    a = H100.replace(energy=H100.energy.replace(board_power_limit_w=lim))
    k = accelsim.simulate(a, accelsim.Gemv(m=8192, n=8192, k=8192)).kernels[0]
    free = accelsim.simulate(H100.replace(energy=H100.energy.replace(board_power_limit_w=0.0)),
                             accelsim.Gemv(m=8192, n=8192, k=8192)).kernels[0]
    assert k.time_s == free.time_s  # power never changes simulated time
    assert k.energy_j == pytest.approx(lim * k.time_s, rel=1e-9)
    c, f = k.energy_by_component_j, free.energy_by_component_j
    for name in STATIC_COMPONENTS:
        assert c[name] == f[name]
    ratios = {n: c[n] / f[n] for n in c if n not in STATIC_COMPONENTS and f[n] > 0}
    assert max(ratios.values()) == pytest.approx(min(ratios.values()), rel=1e-9) and max(ratios.values()) < 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arch=valid_architectures(text=False), energy=energy_specs(), fidelity=st.sampled_from(["fast", "roofline"]),
       m=st.sampled_from([1, 64, 1024]))
def test_property_power_never_above_the_board_limit(arch: accelsim.Architecture, energy, fidelity: str, m: int
                                                    ) -> None:
    """On random machines and energy figures: a kernel draws at most its board limit, unless its static and
    busy floors alone exceed it (then it draws exactly the floors)."""
    a = arch.replace(energy=energy)
    r = accelsim.simulate(a, [accelsim.Gemv(m=m, n=2048, k=2048), accelsim.Elementwise(n_elements=1 << 18)],
                          fidelity=fidelity)
    lim = energy.board_power_limit_w
    for k in r.kernels:
        c = k.energy_by_component_j
        floor = sum(c[n] for n in STATIC_COMPONENTS)
        if lim > 0:
            assert k.energy_j <= max(lim * k.time_s, floor) * (1 + 1e-9) + 1e-18


def test_link_energy() -> None:
    link = accelsim.presets.systems.nvlink4_switch().link.replace(energy_pj_per_bit=5.5)
    assert link_energy_j(1e9, link) == pytest.approx(8e9 * 5.5e-12)
    with pytest.raises(accelsim.ConfigError, match="nbytes"):
        link_energy_j(-1.0, link)


def test_hopper_power_parameters_are_the_derived_ones() -> None:
    """The constants in presets.calibration are what derive_hopper_power computes from the two observations
    (the calibration measurement and the GEMM at the board limit): they cannot drift from their derivation."""
    d = pc.derive_hopper_power(static_power_w=calibration.HOPPER_STATIC_POWER_W)
    assert d["l2_pj_per_bit"] == pytest.approx(calibration.HOPPER_L2_PJ_PER_BIT, rel=0.01)
    assert d["unit_busy_pj_per_cycle"] == pytest.approx(calibration.HOPPER_UNIT_BUSY_PJ_PER_CYCLE, rel=0.01)
    assert d["l2_busy_pj_per_byte_cycle"] == pytest.approx(calibration.HOPPER_L2_BUSY_PJ_PER_BYTE_CYCLE, rel=0.01)
    # the L2 figure lands on Horowitz's 1 MB SRAM read (1.56 pJ/bit at 45 nm) scaled by 1/4, within 5%
    assert d["l2_pj_per_bit"] == pytest.approx(1.56 / 4, rel=0.05)


# the target is four batch sizes: 70B x4 at 8/16/32/64 (batch 64: -24.96%, inside by 0.04 points since NCCL's LL
# bandwidth ceiling slowed its all-reduces; the gap left is vLLM's step, not the power model)
@pytest.mark.parametrize("model, gpus, batch", [("llama-3-70b", 4, 8), ("llama-3-70b", 4, 16), ("llama-3-70b", 4, 32),
                                                ("llama-3-70b", 4, 64), ("llama-3-405b", 8, 8),
                                                ("llama-3-405b", 8, 16)])
def test_joules_per_token_within_25_percent_of_mlenergy(model: str, gpus: int, batch: int) -> None:
    """Predictions (not the calibration row): published H100 decode J/token (ML.ENERGY v3.0) within 25%,
    and the modelled power within 25% and never above 700 W per GPU."""
    row = next(r for r in pc.load_measurements()["rows"]
               if (r["gpu"], r["model"], r["num_gpus"], r["max_num_seqs"]) == ("H100", model, gpus, batch))
    m = pc.model_row(row)
    assert not m["calibration"]
    assert abs(m["error"]) <= 0.25, m
    assert abs(m["power_error"]) <= 0.25 and m["model_power_w"] <= 700.0 * gpus

"""Cost and carbon from parts: every preset, system and custom machine is priced; every knob has a price;
yield, margin, operating cost and carbon arithmetic."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings

import accelsim
from accelsim.explore import cost
from accelsim.presets import systems

from strategies import valid_architectures

H100 = accelsim.presets.load("h100-sxm")


def _ok(cx: cost.Capex) -> None:
    assert cx.total_usd > 0 and math.isfinite(cx.total_usd)
    assert cx.embodied_kgco2e > 0 and math.isfinite(cx.embodied_kgco2e)
    assert all(math.isfinite(p.usd) and p.usd >= 0 and math.isfinite(p.kgco2e) for p in cx.parts)
    assert cx.total_usd == pytest.approx(math.fsum(p.usd for p in cx.parts), rel=1e-12)


@pytest.mark.parametrize("name", accelsim.presets.names())
def test_every_preset_is_priced(name: str) -> None:
    a = accelsim.presets.load(name)
    cx = cost.capex(a)
    _ok(cx)
    assert cx.tdp_w > 0 and 0 < cx.die_yield <= 1
    r = cost.evaluate(a, 1000.0)
    assert r.usd_per_mtoken > 0 and r.gco2e_per_mtoken > 0 and r.usd_per_hour > 0
    assert "| **total** |" in cx.table() and "electricity" in r.table()


@pytest.mark.parametrize("name", systems.names() + systems.package_names())
def test_every_system_and_package_is_priced(name: str) -> None:
    m = systems.load(name) if name in systems.names() else systems.load_package(name)
    cx = cost.capex(m)
    _ok(cx)
    chips = getattr(m, "chips", 1)
    assert cx.chips == chips
    one = cost.capex(m.chip if getattr(m, "chip", None) is not None else (getattr(m, "package", None) or m))
    assert cx.total_usd >= chips * one.total_usd * (1 - 1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arch=valid_architectures(text=False))
def test_property_any_custom_machine_is_priced(arch: accelsim.Architecture) -> None:
    """A machine the technology table does not know (random valid specs, any name) gets stated defaults,
    never an exception, and a finite positive price and footprint."""
    cx = cost.capex(arch.replace(name="my-design"))
    _ok(cx)
    r = cost.evaluate(arch.replace(name="my-design"), 100.0)
    assert r.usd_per_mtoken > 0 and math.isfinite(r.usd_per_mtoken)


@pytest.mark.parametrize("path, value", [
    ("dram.stacks", 6), ("dram.data_rate_gbps", 6.4), ("dram.capacity_bytes_per_stack", 24 << 30),
    ("compute.units", 144), ("l2.capacity_bytes", 64 << 20), ("compute.local_sram_bytes_per_unit", 512 << 10),
])
def test_every_knob_has_a_price(path: str, value) -> None:
    """Faster or more HBM, more compute units, more SRAM: each raises the capital cost (and the footprint)."""
    more = H100.with_field(path, value)
    base, up = cost.capex(H100), cost.capex(more)
    assert up.total_usd > base.total_usd
    assert up.embodied_kgco2e >= base.embodied_kgco2e


def test_memory_price_by_generation_and_speed_bin() -> None:
    s = cost.CostSpec()
    assert cost.memory_usd_per_gb("hbm3e", 9.6, s) == pytest.approx(s.hbm3e_usd_per_gb)
    assert cost.memory_usd_per_gb("hbm3e", 6.4, s) < cost.memory_usd_per_gb("hbm3e", 9.6, s)
    # each generation at its reference pin rate: HBM3 6.4 < HBM3e 9.6 < HBM4 8.0 Gb/s (2048 bits)
    assert cost.memory_usd_per_gb("hbm3", 6.4, s) < cost.memory_usd_per_gb("hbm3e", 9.6, s) < \
        cost.memory_usd_per_gb("hbm4", 8.0, s)
    assert cost.memory_usd_per_gb("sram", 1.0, s) == 0.0  # on-chip SRAM is priced as die area
    # a flash tier is cheaper per GB than the HBM it sits beside
    assert s.flash_usd_per_gb < cost.memory_usd_per_gb("hbm3e", 6.25, s)


def test_pim_stacks_are_priced_on_their_silicon() -> None:
    pim, base = accelsim.presets.load("h200-pim"), accelsim.presets.load("h200")
    assert pim.memory_capacity_bytes < base.memory_capacity_bytes
    m_pim = cost.capex(pim).get("memory")
    # the stacks' raw capacity is bought, not what the driver exposes
    assert m_pim == pytest.approx(pim.dram.capacity_bytes / 1e9 / 0.75
                                  * cost.memory_usd_per_gb("hbm3e", pim.dram.data_rate_gbps, cost.CostSpec()))
    assert cost.capex(accelsim.presets.load("h200-pnm")).get("near-memory logic") > 0


def test_every_dram_kind_has_a_price_and_a_pim_pool_is_priced() -> None:
    """Every DRAM standard a machine may name costs something per GB (SRAM as die area); an AttAcc pool of
    PIM stacks adds its silicon and packaging on top of the host's plain HBM."""
    s = cost.CostSpec()
    from accelsim.spec.machine import DRAM_KINDS

    for kind in DRAM_KINDS:
        assert (cost.memory_usd_per_gb(kind, 8.0, s) > 0) == (kind != "sram"), kind
    for name, host in (("h200-attacc", "h200"), ("b200-attacc", "b200"), ("a100a-attacc", "a100a")):
        with_pool, plain = cost.capex(name), cost.capex(host)
        assert with_pool.get("near-memory pool") > 0
        assert with_pool.get("memory") == pytest.approx(plain.get("memory"))  # the host's HBM is plain
        assert with_pool.total_usd > plain.total_usd
    # a design built on a preset is priced with that preset's process, vendor and die anchor
    for name, base in (("b200-pim", "b200"), ("h200-neupims", "h200"), ("hbm2-gpu", "a100a")):
        assert cost.capex(name).die_yield == pytest.approx(cost.capex(base).die_yield)


def test_yield_model() -> None:
    # bigger dies yield worse; spare units tolerate defects; more defects, lower yield
    assert cost.die_yield(800, 0, 0, 0.1) < cost.die_yield(400, 0, 0, 0.1) < 1
    assert cost.die_yield(800, 500, 12, 0.1) > cost.die_yield(800, 500, 0, 0.1)
    assert cost.die_yield(800, 500, 12, 0.2) < cost.die_yield(800, 500, 12, 0.1)
    # negative binomial, alpha = 3, no spares: (1 + A D / 3) ** -3
    assert cost.die_yield(814, 0, 0, 0.1) == pytest.approx((1 + 8.14 * 0.1 / 3) ** -3)
    assert cost.dies_per_wafer(814) == pytest.approx(math.pi * 150**2 / 814 - math.pi * 300 / math.sqrt(2 * 814))


def test_h100_anchor_and_published_comparison() -> None:
    """The area model is anchored to GH100's published 814 mm2; the modelled bill of materials is within a
    factor 1.5 of the published $3,320 estimate (Raymond James) -- a sanity bound, not a fit."""
    cx = cost.capex(H100)
    assert cx.logic_area_mm2 == pytest.approx(814.0, rel=1e-9)
    made = cx.accelerator_usd - cx.get("vendor margin")
    assert 3320 / 1.5 < made < 3320 * 1.5
    # the vendor margin is NVIDIA's reported gross margin
    assert cx.get("vendor margin") == pytest.approx(made * 0.75 / 0.25, rel=1e-9)


def test_operating_cost_and_carbon_move_as_they_should() -> None:
    r = cost.evaluate(H100, 1000.0, power_w=500.0)
    cheap = cost.evaluate(H100, 1000.0, power_w=500.0, spec=cost.CostSpec(electricity_usd_per_kwh=0.04))
    clean = cost.evaluate(H100, 1000.0, power_w=500.0, spec=cost.CostSpec(region="iceland"))
    assert cheap.usd_per_mtoken < r.usd_per_mtoken and clean.gco2e_per_mtoken < r.gco2e_per_mtoken
    assert clean.usd_per_mtoken == pytest.approx(r.usd_per_mtoken, rel=1e-12)
    assert cost.evaluate(H100, 2000.0, power_w=500.0).usd_per_mtoken == pytest.approx(r.usd_per_mtoken / 2)
    # lower utilization: the same $/hour spread over fewer tokens (plus idle power instead of busy)
    half = cost.evaluate(H100, 1000.0, power_w=500.0, spec=cost.CostSpec(utilization=0.5))
    assert half.usd_per_mtoken > 1.9 * r.usd_per_mtoken * (r.usd_per_hour - dict(r.hourly_usd)["electricity"]) \
        / r.usd_per_hour
    # the hourly breakdown sums to $/hour
    assert math.fsum(v for _, v in r.hourly_usd) == pytest.approx(r.usd_per_hour, rel=1e-12)
    with pytest.raises(accelsim.ConfigError, match="region"):
        cost.CostSpec(region="mars")


def test_of_result_uses_the_energy_model() -> None:
    s = accelsim.decode_step(H100, "llama-3-8b", batch=16, context=1024, fidelity="roofline")
    r = cost.of_result(s, H100)
    assert r.power_source == "energy_model" and r.power_w == pytest.approx(s.energy_j / s.time_s)
    assert r.joules_per_token == pytest.approx(s.joules_per_token, rel=1e-12)
    bad = accelsim.decode_step(H100, "llama-3-405b", batch=1, context=1024, fidelity="roofline")
    assert not bad.feasible and math.isnan(cost.of_result(bad, H100).usd_per_mtoken)


def test_example_hbm_sweep_prices_every_design() -> None:
    """examples/sweep_hbm.yaml: every stack and Gb/s has a price, so tokens/s against $/hour of ownership is a
    front of at least 5 designs per workload; per million tokens the fastest design is also the cheapest."""
    pytest.importorskip("pandas")
    from pathlib import Path

    from accelsim.explore.sweep import pareto_front, sweep
    from accelsim.explore.sweepspec import load_spec

    spec = load_spec(str(Path(__file__).resolve().parents[2] / "examples" / "sweep_hbm.yaml"))
    kw = spec.kwargs()
    kw["executor"] = "serial"
    df = sweep(**kw, progress=False)
    ok = df[df["status"] == "ok"]
    assert ok["usd_per_hour"].notna().all() and ok["capex_usd"].nunique() > 10
    for _, g in ok.groupby("workload"):
        per_hour = pareto_front(g, maximize=("tokens_per_s",), minimize=("usd_per_hour",))
        assert len(per_hour) >= 5
        per_token = pareto_front(g, maximize=("tokens_per_s",), minimize=("usd_per_mtoken",))
        assert per_token["tokens_per_s"].max() == g["tokens_per_s"].max()

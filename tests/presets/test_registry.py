"""The one preset registry: every name once, systems and packages built from the registered chips."""

from __future__ import annotations

import pytest

import accelsim
from accelsim.errors import ConfigError
from accelsim.presets import registry, systems
from accelsim.presets.systems import split_chip


def test_every_name_exists_once_across_kinds() -> None:
    chips, syss, pkgs = (registry.names(k) for k in ("chip", "system", "package"))
    everything = registry.names(None)
    assert len(everything) == len(set(everything)) == len(chips) + len(syss) + len(pkgs)
    assert not set(chips) & set(syss) and not set(chips) & set(pkgs) and not set(syss) & set(pkgs)
    assert accelsim.presets.names() == chips
    assert systems.names() == sorted(syss + pkgs) and systems.package_names() == pkgs


@pytest.mark.parametrize("kind", ["chip", "system", "package"])
def test_registering_a_taken_name_fails(kind) -> None:
    for taken in ("h100-sxm", "dgx-h100-8", "b200-2die"):
        with pytest.raises(ConfigError, match="already registered"):
            registry.register(kind, taken, lambda: None, chip="h100-sxm")
    assert registry.get("h100-sxm").name == "h100-sxm"  # the registry is unchanged


def test_a_system_or_package_must_say_which_chip_it_is_built_from() -> None:
    with pytest.raises(ConfigError) as ei:
        registry.register("system", "no-chip-system", lambda: None)
    assert ei.value.field == "chip"
    assert "no-chip-system" not in registry.names(None)


@pytest.mark.parametrize("name", registry.names("system"))
def test_every_system_holds_its_registered_chip(name) -> None:
    e = registry.entry(name, "system")
    s = systems.load(name)
    assert s.chip == accelsim.presets.load(e.chip)  # the same machine, field for field


@pytest.mark.parametrize("name", registry.names("package"))
def test_every_package_die_is_its_registered_chip_split(name) -> None:
    e = registry.entry(name, "package")
    p = systems.load_package(name)
    assert p.die == split_chip(accelsim.presets.load(e.chip), e.split)
    # the dies together are the chip: units, stacks, L2 and peak rates add up
    chip = accelsim.presets.load(e.chip)
    assert p.dies * p.die.compute.units == chip.compute.units * (p.dies // e.split)
    assert p.peak_dram_bandwidth_bytes_per_s == pytest.approx(chip.peak_dram_bandwidth_bytes_per_s * p.dies / e.split)
    assert p.peak_flops_per_s("bf16") == pytest.approx(chip.peak_flops_per_s("bf16") * p.dies / e.split)


def test_a_chip_that_differs_from_the_registered_one_is_caught() -> None:
    """What the two tests above guard against: a second model of a registered chip under its name."""
    other = accelsim.presets.load("tpu-v5e").with_field("compute.matrix_flops_per_cycle_per_unit.fp32", 512.0)
    assert other.name == "tpu-v5e" and other != accelsim.presets.load("tpu-v5e")


def test_split_chip_divides_the_machine() -> None:
    b = accelsim.presets.load("b200")
    half = split_chip(b, 2)
    assert (half.compute.units, half.dram.stacks) == (74, 4)
    assert half.l2.capacity_bytes * 2 == b.l2.capacity_bytes
    assert half.l2.bandwidth_bytes_per_s * 2 == pytest.approx(b.l2.bandwidth_bytes_per_s)
    assert half.energy.static_power_w * 2 == pytest.approx(b.energy.static_power_w)
    assert split_chip(b, 1) is b
    with pytest.raises(ConfigError) as ei:
        split_chip(b, 3)
    assert ei.value.field in ("compute.units", "dram.stacks")


def test_unknown_names_point_to_the_right_kind() -> None:
    with pytest.raises(ConfigError, match="is a system preset"):
        accelsim.presets.load("dgx-h100-8")
    with pytest.raises(ConfigError, match="is a chip preset"):
        systems.load("h100-sxm")
    with pytest.raises(ConfigError, match="did you mean 'h100-sxm'"):
        accelsim.presets.load("h100")


def test_reconciled_models() -> None:
    """tpu-v5e, B200 and MI300X have one model each: the systems and packages use the chip presets'."""
    v5e = systems.load("tpu-v5e-4x4").chip
    assert v5e.compute.matrix_flops_per_cycle_per_unit.fp32 == pytest.approx(32768 / 6)  # bf16x6 passes
    assert v5e.dram.kind == "hbm2e" and v5e.dram.tRCD_ns == 14.0  # JESD235 HBM2/2E, not HBM3
    assert v5e.compute.max_inflight_bytes_per_unit == 204800
    b = systems.load_package("b200-2die")
    assert b.dies * b.die.l2.capacity_bytes == accelsim.presets.load("b200").l2.capacity_bytes
    m = systems.load_package("mi300x-pkg")
    assert m.die.dram.banks_per_group == 12  # 12-high HBM3 stacks: 3 stack IDs
    assert m.die.dram.tRFC_ns == accelsim.presets.load("mi300x").dram.tRFC_ns

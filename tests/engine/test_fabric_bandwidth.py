"""DramSpec.fabric_bandwidth_gb_per_s: the path between the compute units and the memory controllers (the
MI300X's XCD-IOD fabric) bounds how fast a kernel moves its DRAM bytes, as the pins do, and only when it is the
narrower of the two."""

from __future__ import annotations

import pytest

import accelsim
from accelsim import ConfigError, Elementwise
from accelsim.presets.systems import split_chip

N = 1 << 26  # bf16 elements: a 128 MiB read and a 128 MiB write
COPY = Elementwise(n_elements=N, dtype="bf16", reads=1, writes=1, flops_per_element=0, name="copy")


def _copy(arch):
    return accelsim.simulate(arch, COPY).kernels[0]


def test_mi300x_copy_runs_at_its_fabric_rate() -> None:
    a = accelsim.presets.load("mi300x")
    fabric = a.dram.fabric_bandwidth_gb_per_s * 1e9
    assert 0 < fabric < a.dram.peak_bandwidth_bytes_per_s
    r = _copy(a)
    moved = r.dram_read_bytes + r.dram_write_bytes
    body = r.time_s - r.launch_s
    assert moved / body <= fabric * (1 + 1e-9)  # never faster than the fabric
    assert moved / body > 0.98 * fabric  # and here the fabric, not the pins, binds
    free = _copy(a.with_field("dram.fabric_bandwidth_gb_per_s", 0.0))
    assert free.time_s < r.time_s  # without it the pins and the HBM3 timings bind, faster


def test_a_fabric_wider_than_the_pins_changes_nothing() -> None:
    h = accelsim.presets.load("h100-sxm")
    assert h.dram.fabric_bandwidth_gb_per_s == 0.0
    wide = h.with_field("dram.fabric_bandwidth_gb_per_s", 10 * h.dram.peak_bandwidth_bytes_per_s / 1e9)
    assert _copy(wide).time_s == _copy(h).time_s
    narrow = h.with_field("dram.fabric_bandwidth_gb_per_s", 1000.0)
    assert _copy(narrow).time_s > _copy(h).time_s


def test_bad_fabric_names_the_field() -> None:
    h = accelsim.presets.load("h100-sxm")
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="fabric_bandwidth_gb_per_s"):
            h.with_field("dram.fabric_bandwidth_gb_per_s", bad)


def test_split_chip_splits_the_fabric() -> None:
    a = accelsim.presets.load("mi300x")
    q = split_chip(a, 4)
    assert q.dram.fabric_bandwidth_gb_per_s == pytest.approx(a.dram.fabric_bandwidth_gb_per_s / 4)

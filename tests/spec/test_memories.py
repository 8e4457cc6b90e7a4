"""LPDDR5X and GDDR7 devices (accelsim.presets.vendors.lpddr5x_dram / gddr7_dram): organisation, peak, and the
DRAM model's oracle figures on them -- unloaded latency = tRCD + tCL + tBL (+ access latency) and a sequential
stream close to the pin peak less refresh."""

from __future__ import annotations

import pytest

import accelsim
from accelsim.workload.kernels import tile_desc
from accelsim.presets.memories import gddr7_dram, lpddr5x_dram
from accelsim.engine.core import machine_dict, run_flat

H100 = accelsim.presets.load("h100-sxm")

DEVICES = {
    "lpddr5x": lambda: lpddr5x_dram(packages=1, access_latency_ns=0.0),
    "gddr7": lambda: gddr7_dram(devices=1, access_latency_ns=0.0),
}


def _ps(ns: float) -> int:
    return int(ns * 1000.0 + 0.5)


def machine(dram: accelsim.DramSpec, units: int = 1) -> accelsim.Architecture:
    a = H100.replace(dram=dram, l2=None, kernel_launch_overhead_ns=0.0, energy=None)
    return a.with_field("compute.units", units)


def run(m: dict, fidelity: str, **kernel: object) -> dict:
    return run_flat(m, [tile_desc("mem", **kernel)], fidelity)[0]


def test_peaks_and_organisation() -> None:
    lp = lpddr5x_dram(packages=1)
    assert lp.kind == "lpddr5x" and lp.burst_bytes == 32 and lp.pseudo_channels == 4
    assert lp.peak_bandwidth_bytes_per_s == pytest.approx(64 * 8.533e9 / 8)  # x64 package, 68.3 GB/s
    g = gddr7_dram(devices=1)
    assert g.kind == "gddr7" and g.burst_bytes == 32 and g.pseudo_channels == 4
    assert g.peak_bandwidth_bytes_per_s == pytest.approx(128e9)  # x32 device at 32 Gb/s
    assert gddr7_dram(devices=1, data_rate_gbps=48.0).peak_bandwidth_bytes_per_s == pytest.approx(192e9)  # JESD239 max
    # an RTX 5090-like 512-bit GDDR7 interface at 28 Gb/s: 1.79 TB/s
    assert gddr7_dram(devices=16, data_rate_gbps=28.0).peak_bandwidth_bytes_per_s == pytest.approx(1.792e12)


@pytest.mark.parametrize("kind", sorted(DEVICES))
@pytest.mark.parametrize("access_latency_ns", [0.0, 100.0])
def test_unloaded_latency_follows_timing(kind: str, access_latency_ns: float) -> None:
    d = DEVICES[kind]().replace(access_latency_ns=access_latency_ns)
    m = machine_dict(machine(d))
    r = run(m, "detailed", n_tiles=1, tile_read_bytes=d.burst_bytes)
    t_bl = d.burst_length / d.data_rate_gbps
    assert r["row_misses"] == 1 and r["activates"] == 1
    assert r["first_data_ps"] == _ps(d.tRCD_ns) + _ps(d.tCL_ns) + _ps(t_bl) + _ps(access_latency_ns)


@pytest.mark.parametrize("kind", sorted(DEVICES))
def test_row_hit_is_faster_than_miss_by_trp_plus_trcd(kind: str) -> None:
    """Two bursts of one row: the second is a hit; a stream switching rows in one bank pays tRP + tRCD more."""
    d = DEVICES[kind]()
    m = machine_dict(machine(d))
    r = run(m, "detailed", n_tiles=1, tile_read_bytes=2 * d.burst_bytes)
    assert r["row_hits"] == 1 and r["row_misses"] == 1 and r["activates"] == 1


@pytest.mark.parametrize("kind", sorted(DEVICES))
def test_device_streams_near_peak(kind: str) -> None:
    d = DEVICES[kind]()
    a = machine(d, units=8)
    m = machine_dict(a)
    total = 8 << 20
    r = run(m, "fast", n_tiles=total // (256 << 10), tile_read_bytes=256 << 10, tiles_per_unit=2)
    assert r["dram_read_bytes"] == total
    frac = r["dram_read_bytes"] / r["body_ps"] / (d.peak_bandwidth_bytes_per_s * 1e-12)
    refresh = d.tRFC_ns / d.tREFI_ns
    assert (1 - refresh) * 0.88 <= frac <= 1.0, (kind, frac)
    # one activation per row of the stream (sequential rows, no thrashing)
    assert total / d.row_bytes <= r["activates"] <= 1.05 * total / d.row_bytes


@pytest.mark.parametrize("kind", sorted(DEVICES))
def test_gemv_on_device_is_bandwidth_bound(kind: str) -> None:
    d = DEVICES[kind]().replace(access_latency_ns=100.0)
    a = machine(d, units=32)
    r = accelsim.simulate(a, accelsim.Gemv(m=1, n=4096, k=4096))
    k = r.kernels[0]
    assert k.bound == "bandwidth"
    assert k.achieved_bandwidth_bytes_per_s >= 0.8 * d.peak_bandwidth_bytes_per_s

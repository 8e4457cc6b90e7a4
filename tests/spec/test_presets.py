"""Presets: names, fresh objects, datasheet figures, and one shared calibration for Hopper."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from accelsim import io, presets
from accelsim.dtypes import DTYPES
from accelsim.spec.machine import Architecture
from accelsim.errors import ConfigError
from accelsim.presets import HOPPER_CALIBRATION

GB = 1e9
GiB = 2**30
TB_PER_S = 1e12


def test_names() -> None:
    names = presets.names()
    assert {"h100-sxm", "h200"} <= set(names)
    assert names == sorted(names) and isinstance(names, list)


@pytest.mark.parametrize("name", presets.names())
def test_load_returns_fresh_valid_objects(name: str) -> None:
    a, b = presets.load(name), presets.load(name)
    assert isinstance(a, Architecture)
    assert a == b and a is not b and a.dram is not b.dram
    assert a.name == name
    assert a.citations and all(isinstance(c, str) and c for c in a.citations)
    assert pickle.loads(pickle.dumps(a)) == a
    assert hash(a) == hash(b)
    assert io.from_yaml(io.to_yaml(a)) == a


def test_unknown_name() -> None:
    with pytest.raises(ValueError) as info:
        presets.load("h100")
    err = info.value
    assert isinstance(err, ConfigError)
    assert "h100-sxm" in str(err) and "h200" in str(err)
    assert "did you mean 'h100-sxm'?" in str(err)
    with pytest.raises(ConfigError, match="h200"):
        presets.load("nope")
    with pytest.raises(ConfigError):
        presets.load(None)  # type: ignore[arg-type]


def test_h100_sxm_datasheet_figures() -> None:
    a = presets.load("h100-sxm")
    assert a.compute.units == 132
    assert a.peak_dram_bandwidth_bytes_per_s == pytest.approx(3.35 * TB_PER_S, rel=0.01)
    assert a.dram.capacity_bytes == 80 * GiB  # "80 GB" on package
    assert a.memory_capacity_bytes == 81090 * 2**20  # the driver exposes 81090 MiB
    assert a.dram.kind == "hbm3" and a.dram.stacks == 5 and a.dram.bus_width_bits == 5120
    assert a.l2 is not None and a.l2.capacity_bytes == 50 * 2**20
    # 989.4 TFLOP/s dense bf16 at the 1.83 GHz boost clock [H100 whitepaper]
    bf16_at_boost = a.compute.units * 1.83e9 * a.compute.matrix_flops_per_cycle_per_unit.bf16
    assert bf16_at_boost == pytest.approx(989.4e12, rel=1e-3)
    # 67 TFLOP/s FP32 (CUDA cores) at 1.98 GHz [H100 datasheet]
    assert a.peak_flops_per_s("fp32") == pytest.approx(67e12, rel=0.01)
    assert a.peak_flops_per_s("fp8") == 2 * a.peak_flops_per_s("bf16")


def test_h200_datasheet_figures() -> None:
    a = presets.load("h200")
    assert a.compute.units == 132
    assert a.peak_dram_bandwidth_bytes_per_s == pytest.approx(4.8 * TB_PER_S, rel=0.025)
    assert 141 * GB <= a.memory_capacity_bytes <= 145 * GiB  # 141 GB exposed, 144 GiB on package
    assert a.memory_capacity_bytes == 143156 * 2**20 < a.dram.capacity_bytes == 144 * GiB  # the driver's total
    assert a.dram.kind == "hbm3e" and a.dram.stacks == 6
    assert a.l2 is not None and a.l2.capacity_bytes == 60 * 2**20


def test_exposed_capacity_is_what_fits() -> None:
    """Feasibility uses the memory the driver exposes (CUDA's totalGlobalMem, rocm-smi's VRAM total); the DRAM
    organisation keeps the raw stacks; exposing more never turns a fitting step infeasible."""
    import accelsim

    exposed = {"h100-sxm": 81090 * 2**20, "h200": 143156 * 2**20, "b200": 182642 * 2**20, "mi300x": 206141652992}
    for name, b in exposed.items():
        a = presets.load(name)
        assert abs(a.memory_capacity_bytes - b) <= 1 and a.dram.capacity_bytes >= b
    b200 = presets.load("b200")
    raw = b200.with_field("dram.exposed_fraction", 1.0)
    assert raw.memory_capacity_bytes == b200.dram.capacity_bytes == 8 * 24 * GiB
    ctx = 175_000  # llama-3-70b bf16: 141 GB of weights + 57 GB of KV fit the raw 206 GB, not the exposed 191.5
    s_exposed = accelsim.decode_step(b200, "llama-3-70b", 1, ctx, fidelity="roofline")
    s_raw = accelsim.decode_step(raw, "llama-3-70b", 1, ctx, fidelity="roofline")
    assert s_raw.feasible and not s_exposed.feasible and "191.5 GB" in s_exposed.reason
    assert s_exposed.capacity_bytes == b200.memory_capacity_bytes


def test_hbm3_timings_follow_the_jedec_table() -> None:
    """ns-specified timings as in the HBM3_6400Mbps table; clock-specified ones scale with tCK."""
    for name in ("h100-sxm", "h200"):
        d = presets.load(name).dram
        tck = 4.0 / d.data_rate_gbps
        assert (d.tRCD_ns, d.tRP_ns, d.tCL_ns, d.tRAS_ns) == (19.4, 16.25, 12.5, 28.1)
        assert (d.tRRD_S_ns, d.tRRD_L_ns, d.tFAW_ns, d.tWTR_ns, d.tREFI_ns) == (2.5, 3.1, 15.0, 6.25, 3900.0)
        assert (d.nCCD_S, d.nCCD_L, d.nRTW) == (2.0, 4.0, 20.0)  # held in CK, as JEDEC gives them
        assert d.tCK_ns == tck
        assert d.tCCD_S_ns == pytest.approx(2 * tck)
        assert d.tCCD_L_ns == pytest.approx(4 * tck)
        assert d.tRTW_ns == pytest.approx(20 * tck)
        assert d.burst_bytes == 32 and d.row_bytes == 1024
    # at 6.4 Gb/s tCK would be the table's 625 ps: check the formula against it
    assert 4.0 / 6.4 == 0.625


def test_hopper_presets_share_the_calibration() -> None:
    h100, h200 = presets.load("h100-sxm"), presets.load("h200")
    cal = HOPPER_CALIBRATION
    for a in (h100, h200):
        assert a.compute.matrix_sustained_fraction == cal.matrix_sustained_fraction
        assert a.compute.max_inflight_bytes_per_unit == cal.max_inflight_bytes_per_unit
        assert a.compute.load_bytes_per_cycle_per_unit == cal.load_bytes_per_cycle_per_unit
        assert a.l2 is not None
        assert (a.l2.bytes_per_cycle, a.l2.latency_ns) == (cal.l2_bytes_per_cycle, cal.l2_latency_ns)
        assert a.dram.interleave_bytes == cal.dram_interleave_bytes
        assert a.dram.access_latency_ns == cal.dram_access_latency_ns
        assert a.kernel_launch_overhead_ns == cal.kernel_launch_overhead_ns
    # same GH100 compute
    assert h100.compute == h200.compute
    assert [h100.peak_flops_per_s(d) for d in DTYPES] == [h200.peak_flops_per_s(d) for d in DTYPES]


def test_calibration_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        HOPPER_CALIBRATION.l2_latency_ns = 1.0  # type: ignore[misc]


def test_mutating_a_copy_does_not_leak() -> None:
    a = presets.load("h100-sxm").with_field("dram.stacks", 1)
    assert a.dram.stacks == 1
    assert presets.load("h100-sxm").dram.stacks == 5

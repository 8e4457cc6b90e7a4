"""The real-machine presets beyond Hopper: datasheet figures, validity, round-trip, decode feasibility."""

from __future__ import annotations

import math

import pytest

import accelsim
from accelsim import io, presets
from accelsim.presets import HOPPER_CALIBRATION

NEW = ["b200", "mi300x", "tpu-v5e", "tpu-v6e", "groq-lpu", "cerebras-wse3"]
GiB = 2**30


def test_listed() -> None:
    assert set(NEW) <= set(presets.names())
    assert presets.names() == sorted(presets.names())


@pytest.mark.parametrize("name", NEW)
def test_loads_validates_round_trips(name: str) -> None:
    a = presets.load(name)
    assert a.name == name and a.citations
    assert io.from_yaml(io.to_yaml(a)) == a
    assert io.from_json(io.to_json(a)) == a
    assert accelsim.Architecture.from_dict(a.to_dict()) == a


@pytest.mark.parametrize(
    "name, bw, cap, dtype, flops",
    [
        ("b200", 8e12, 192 * GiB, "bf16", 2.25e15),  # [B200-DS]
        ("mi300x", 5.3e12, 192 * GiB, "bf16", 1307.4e12),  # [MI300-DS]
        ("tpu-v5e", 819e9, 16 * GiB, "bf16", 197e12),  # [TPU-V5E]
        ("tpu-v6e", 1640e9, 32 * GiB, "bf16", 918e12),  # [TPU-V6E]
        ("groq-lpu", 80e12, 220 * 2**20, "fp16", 188e12),  # [GROQ20]
        ("cerebras-wse3", 21e15, 44e9, "fp16", 125e15 / 8),  # [WSE3], dense = 1/8 of the sparse peak
    ],
)
def test_public_figures(name: str, bw: float, cap: int, dtype: str, flops: float) -> None:
    a = presets.load(name)
    assert a.peak_dram_bandwidth_bytes_per_s == pytest.approx(bw, rel=0.02)
    assert a.dram.capacity_bytes == pytest.approx(cap, rel=1e-9)  # on package; what is exposed: test_presets
    assert a.peak_flops_per_s(dtype) == pytest.approx(flops, rel=1e-3)


def test_secondary_figures() -> None:
    b = presets.load("b200")
    assert b.peak_flops_per_s("fp8") == pytest.approx(4.5e15, rel=1e-3)
    assert b.peak_flops_per_s("fp4") == pytest.approx(9e15, rel=1e-3)
    assert b.compute.units == 148 and b.l2.capacity_bytes == 126 * 2**20
    m = presets.load("mi300x")
    assert m.peak_flops_per_s("fp8") == pytest.approx(2614.9e12, rel=1e-3)
    assert m.l2.bandwidth_bytes_per_s == pytest.approx(17.2e12, rel=1e-6)
    assert presets.load("tpu-v5e").peak_flops_per_s("int8") == pytest.approx(394e12, rel=1e-3)
    assert presets.load("tpu-v6e").peak_flops_per_s("int8") == pytest.approx(1836e12, rel=1e-3)
    assert presets.load("groq-lpu").peak_flops_per_s("int8") == pytest.approx(750e12, rel=1e-3)
    for name in ("groq-lpu", "cerebras-wse3"):
        d = presets.load(name).dram
        assert d.kind == "sram" and d.tRFC_ns == 0.0  # on-chip SRAM as the memory level: no refresh


def test_hopper_calibration_reuse_is_explicit() -> None:
    """The GPUs reuse the H100-measured values where documented in presets_more.py, and only those."""
    b, m = presets.load("b200"), presets.load("mi300x")
    cal = HOPPER_CALIBRATION
    for a in (b, m):
        assert a.compute.max_inflight_bytes_per_unit == cal.max_inflight_bytes_per_unit
        assert a.kernel_launch_overhead_ns == cal.kernel_launch_overhead_ns
    assert b.dram.access_latency_ns == cal.dram_access_latency_ns
    assert m.dram.access_latency_ns > cal.dram_access_latency_ns  # chiplet hops added


def test_energy_presence() -> None:
    for name in ("h100-sxm", "h200", "b200", "mi300x"):
        assert presets.load(name).energy is not None
    assert presets.load("h100-sxm").energy == presets.load("h200").energy  # shared Hopper defaults
    for name in ("tpu-v5e", "tpu-v6e", "groq-lpu", "cerebras-wse3"):
        assert presets.load(name).energy is None  # no public figures: energy reported as NaN


@pytest.mark.parametrize("name", NEW)
def test_decode_llama_3_8b(name: str) -> None:
    a = presets.load(name)
    s = accelsim.decode_step(a, "llama-3-8b", batch=1, context=4096)
    if name == "groq-lpu":  # 16 GB of bf16 weights on a 230 MB chip
        assert not s.feasible and "exceed memory capacity" in s.reason and math.isnan(s.time_s)
        return
    assert s.feasible and s.time_s > 0
    # never faster than streaming the weights + KV once at the memory's pin peak ...
    roof = (s.weight_bytes + s.kv_cache_bytes) / a.peak_dram_bandwidth_bytes_per_s
    assert s.time_s >= roof
    # ... nor than paying each kernel's fixed launch / op overhead
    assert s.time_s >= s.n_kernels * a.kernel_launch_overhead_ns * 1e-9
    if a.dram.kind != "sram":  # HBM machines: bandwidth-bound, within 3x of the streaming bound
        assert s.time_s <= 3 * roof
    assert (math.isfinite(s.joules_per_token) and s.joules_per_token > 0) == (a.energy is not None)


def test_fastest_hbm_machine_is_b200() -> None:
    tps = {n: accelsim.decode_step(presets.load(n), "llama-3-8b", batch=1, context=4096).tokens_per_s
           for n in ("b200", "mi300x", "h200", "tpu-v6e", "tpu-v5e")}
    ranked = sorted(tps, key=tps.get, reverse=True)
    assert ranked[0] == "b200" and ranked[-1] == "tpu-v5e"  # 8 TB/s ... 0.82 TB/s

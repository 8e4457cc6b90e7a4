"""High Bandwidth Flash the C++ page model, read-only placement, two-tier capacity."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import presets
from accelsim.engine import nearmem
from accelsim.spec.machine import Architecture
from accelsim.spec.nearmem import PlacementSpec
from accelsim.errors import ConfigError
from accelsim.workload.kernels import Gemv

HBF_ARCH = presets.load("h200-hbf")
HBF = HBF_ARCH.hbf
assert HBF is not None
MB = 1 << 20


def test_latency_shows_with_few_pages_in_flight_and_hides_with_enough() -> None:
    nbytes = 256 * MB
    pages_per_stack = math.ceil(nbytes / HBF.page_bytes / HBF.stacks)
    tR = HBF.read_latency_us * 1e-6
    bw_time = nbytes / HBF.peak_read_bandwidth_bytes_per_s
    # enough in flight (bandwidth x latency / page = 1953 pages; the preset keeps 4096): bandwidth-bound
    deep = nearmem.flash_read(HBF, nbytes)["time_ps"] * 1e-12
    assert bw_time <= deep <= 1.05 * bw_time + tR + HBF.access_latency_ns * 1e-9
    # 16 in flight: every page waits out tR, 16 at a time
    shallow = nearmem.flash_read(HBF.replace(pages_in_flight_per_stack=16), nbytes)["time_ps"] * 1e-12
    assert shallow >= pages_per_stack / 16 * tR
    assert shallow > 10 * deep
    # the knee is where Little's law says: half the needed depth gives about half the bandwidth
    need = HBF.stack_bandwidth_gb_per_s * 1e9 * tR / HBF.page_bytes
    half = nearmem.flash_read(HBF.replace(pages_in_flight_per_stack=int(need / 2)), nbytes)["time_ps"] * 1e-12
    assert 1.6 * deep <= half <= 2.4 * deep


@settings(max_examples=15, deadline=None)
@given(depth=st.integers(1, 4096), planes=st.integers(1, 64), mb=st.integers(1, 64))
def test_flash_stream_bounds_and_monotone_in_depth(depth: int, planes: int, mb: int) -> None:
    h = HBF.replace(pages_in_flight_per_stack=depth, planes_per_channel=planes)
    nbytes = mb * MB
    r = nearmem.flash_read(h, nbytes)
    t = r["time_ps"] * 1e-12
    assert r["bytes"] >= nbytes and r["pages"] == math.ceil(nbytes / h.page_bytes)
    assert t >= nbytes / h.peak_read_bandwidth_bytes_per_s * (1 - 1e-9)
    assert t >= h.read_latency_us * 1e-6
    deeper = nearmem.flash_read(h.replace(pages_in_flight_per_stack=2 * depth), nbytes)["time_ps"]
    assert deeper <= r["time_ps"]


def test_gemv_with_weights_on_flash() -> None:
    g = Gemv(m=1, n=8192, k=8192, dtype="fp8")
    row = accelsim.simulate(HBF_ARCH, g).kernels[0]
    assert row.placement == "host+hbf"
    assert row.flash_read_bytes >= g.weight_bytes()
    assert row.dram_read_bytes < g.weight_bytes()  # the weights do not come from HBM
    shallow = HBF_ARCH.replace(hbf=HBF.replace(pages_in_flight_per_stack=8))
    slow = accelsim.simulate(shallow, g).kernels[0]
    assert slow.bound == "flash" and slow.time_s > 5 * row.time_s
    # weights placed in DRAM instead: the host kernel unchanged
    in_dram = HBF_ARCH.replace(placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram",
                                                       offload=("gemv",), offload_when="faster"))
    r2 = accelsim.simulate(in_dram, g).kernels[0]
    assert r2.placement == "host" and r2.flash_read_bytes == 0


def test_kv_cache_on_flash_is_rejected_naming_the_field() -> None:
    with pytest.raises(ConfigError) as e:
        PlacementSpec(weights_tier="flash", kv_cache_tier="flash", offload=(), offload_when="faster")
    assert e.value.field == "kv_cache_tier" and "read-only" in str(e.value)
    d = HBF_ARCH.to_dict()
    d["placement"] = dict(weights_tier="flash", kv_cache_tier="flash", offload=[], offload_when="faster")
    with pytest.raises(ConfigError) as e:
        Architecture.from_dict(d)
    assert e.value.field == "placement.kv_cache_tier"
    with pytest.raises(ConfigError, match="read-only"):
        nearmem.flash_write(HBF, 4096)


def test_weights_on_flash_need_a_flash_tier() -> None:
    with pytest.raises(ConfigError) as e:
        presets.load("h200").replace(placement=PlacementSpec(weights_tier="flash", kv_cache_tier="dram",
                                                             offload=(), offload_when="faster"))
    assert e.value.field == "placement.weights_tier"


def test_hbf_spec_validation() -> None:
    with pytest.raises(ConfigError) as e:
        HBF.replace(read_latency_us=0.0)
    assert e.value.field == "read_latency_us"
    with pytest.raises(ConfigError) as e:
        HBF_ARCH.with_field("hbf.pages_in_flight_per_stack", 0)
    assert e.value.field == "hbf.pages_in_flight_per_stack"
    with pytest.raises(ConfigError):
        nearmem.flash_read(HBF, -1)


def test_decode_capacity_counts_both_tiers() -> None:
    kw = dict(weight_dtype="fp8", kv_dtype="fp8")
    # llama-3-405b in fp8 (406 GB) does not fit an H200's 154 GB, but fits 1.02 TB of flash; its KV in HBM
    assert not accelsim.decode_step(presets.load("h200"), "llama-3-405b", batch=1, context=4096, **kw).feasible
    s = accelsim.decode_step(HBF_ARCH, "llama-3-405b", batch=1, context=4096, **kw)
    assert s.feasible and s.tokens_per_s > 0
    assert s.capacity_bytes == HBF_ARCH.memory_capacity_bytes + HBF.capacity_bytes
    assert sum(r.flash_read_bytes * n for r, n in s.kernels) >= 0.95 * s.weight_bytes
    # KV may not spill into flash: 64 x 128K tokens of KV exceed the 96 GiB of HBM
    big = accelsim.decode_step(HBF_ARCH, "llama-3-70b", batch=64, context=131072, **kw)
    assert not big.feasible and "KV cache" in big.reason and "DRAM" in big.reason
    assert big.kv_cache_bytes > HBF_ARCH.memory_capacity_bytes


def test_continuous_prefetch_hides_the_fill_that_a_cold_start_pays() -> None:
    g = Gemv(m=1, n=8192, k=8192, dtype="fp8")  # 67 MB: 21 us at 3.2 TB/s, about one tR
    warm = accelsim.simulate(HBF_ARCH, g).kernels[0]
    cold = accelsim.simulate(HBF_ARCH.with_field("hbf.prefetch", "per_kernel"), g).kernels[0]
    tR = HBF.read_latency_us * 1e-6
    assert 0.9 * tR <= cold.time_s - warm.time_s <= 1.1 * tR + HBF.access_latency_ns * 1e-9
    assert warm.time_s <= warm.launch_s + 1.05 * g.weight_bytes() / HBF.peak_read_bandwidth_bytes_per_s
    assert warm.time_s >= warm.roofline_s * (1 - 1e-9)
    with pytest.raises(ConfigError) as e:
        HBF_ARCH.with_field("hbf.prefetch", "eager")
    assert e.value.field == "hbf.prefetch"

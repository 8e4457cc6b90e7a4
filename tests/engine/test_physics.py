"""Physics as tests: every knob moves the answer the way physics says, by about as much as it should.

- 1.5x the DRAM pin rate makes a 470 MB bandwidth-bound GEMV >= 1.25x faster (fast and detailed);
- 2x the HBM stacks: >= 1.6x on the same GEMV;
- 2x the compute units: >= 1.6x on a compute-bound GEMM;
- a larger L2 never slows a kernel; more DRAM banks never slow a stream.
The figures quoted in README.md's pin-rate sweep are recomputed here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import DecodeAttention, Elementwise, Gemv
from strategies import valid_architectures

H100 = accelsim.presets.load("h100-sxm")
#: 470 MB of bf16 weights: bandwidth-bound on every HBM preset
BIG_GEMV = Gemv(m=1, n=57344, k=4096)
#: M = 4096: compute-bound on the H100 (1.1 TFLOP)
GEMM = Gemv(m=4096, n=8192, k=8192)
ROOT = Path(__file__).resolve().parents[2]
PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def speedup(arch: accelsim.Architecture, path: str, factor: float, kernel, fidelity: str = "fast") -> float:
    old = getattr(arch.dram if path.startswith("dram.") else arch.compute, path.split(".")[1])
    new = type(old)(old * factor)
    t1 = accelsim.simulate(arch, kernel, fidelity=fidelity).time_s
    t2 = accelsim.simulate(arch.with_field(path, new), kernel, fidelity=fidelity).time_s
    return t1 / t2


def _fabric_grown(name: str, factor: float) -> accelsim.Architecture:
    """The preset with its compute-to-controller fabric (when it has one) ``factor`` times wider: mi300x's XCD-IOD
    fabric binds below its pins, so more pins or stacks alone move nothing there (tests/engine/test_fabric_bandwidth.py)."""
    a = accelsim.presets.load(name)
    f = a.dram.fabric_bandwidth_gb_per_s
    return a.with_field("dram.fabric_bandwidth_gb_per_s", f * factor) if f > 0 else a


@pytest.mark.parametrize("name", ["h100-sxm", "h200", "b200", "mi300x", "tpu-v6e"])
def test_one_and_a_half_times_the_pin_rate(name) -> None:
    assert BIG_GEMV.bytes_moved() > 469e6
    assert speedup(_fabric_grown(name, 1.5), "dram.data_rate_gbps", 1.5, BIG_GEMV) >= 1.25


def test_one_and_a_half_times_the_pin_rate_in_detailed() -> None:
    """detailed schedules every 32 B burst: a 64 MB GEMV keeps the run short; the same >= 1.25x."""
    assert speedup(H100, "dram.data_rate_gbps", 1.5, Gemv(m=1, n=8192, k=4096), "detailed") >= 1.25


# not tpu-v6e: its 4 units' intake ports are sized at twice its own HBM rate (vendors._tpu), so twice the
# stacks is exactly what they can take and the stream reaches 1.55x
@pytest.mark.parametrize("name", ["h100-sxm", "h200", "b200", "mi300x", "tpu-v5e"])
def test_twice_the_stacks(name) -> None:
    assert speedup(_fabric_grown(name, 2), "dram.stacks", 2, BIG_GEMV) >= 1.6


# mi300x: 1.73x since its matrix fractions are AMD's measured ones (its Infinity Cache's 17.2 TB/s, which
# does not grow with the CUs, bound at 1.42x with Hopper's fractions)
@pytest.mark.parametrize("name", ["h100-sxm", "h200", "b200", "mi300x"])
def test_twice_the_compute_units_on_a_compute_bound_gemm(name) -> None:
    arch = accelsim.presets.load(name)
    assert accelsim.simulate(arch, GEMM).kernels[0].bound == "compute"
    assert speedup(arch, "compute.units", 2, GEMM) >= 1.6


kernels = st.one_of(
    st.builds(lambda m, n, k, dt: Gemv(m=m, n=n, k=k, dtype=dt), st.integers(1, 512), st.integers(64, 8192),
              st.integers(64, 8192), st.sampled_from(["bf16", "fp8"])),
    st.builds(lambda n, r, w: Elementwise(n_elements=n, reads=r, writes=w), st.integers(1, 1 << 24),
              st.integers(0, 3), st.integers(0, 3)),
    st.builds(lambda b, c: DecodeAttention(batch=b, q_heads=32, kv_heads=8, head_dim=128, context=c),
              st.integers(1, 16), st.integers(1, 8192)),
)


def _usable(arch, k) -> bool:
    dt = getattr(k, "math_dtype", None)
    return dt is None or arch.compute.matrix_flops_per_cycle_per_unit.get(dt) > 0


@PROPS
@given(arch=valid_architectures(l2=True, text=False), k=kernels, factor=st.sampled_from([2, 4, 16]))
def test_a_larger_l2_never_slows_a_kernel(arch, k, factor) -> None:
    assume(_usable(arch, k) and arch.l2.capacity_bytes * factor <= 2**40)
    bigger = arch.with_field("l2.capacity_bytes", arch.l2.capacity_bytes * factor)
    t1, t2 = accelsim.simulate(arch, k).time_s, accelsim.simulate(bigger, k).time_s
    # 1e-4: `fast` extrapolates a long kernel from two cuts, each given the L2 share of its writes; the
    # share a larger L2 gives the shorter cut can shorten its end (the writes it waits for) more than the
    # longer cut's, and the extrapolation weights the shorter cut negatively. Seen: +1.7e-5 (2 ns of 129 ms,
    # a compute-bound GEMM on a perturbed ucie-chiplet); none in 300 further random cases.
    assert t2 <= t1 * (1 + 1e-4), f"{k}: L2 x{factor} {t1 * 1e6:.3f} -> {t2 * 1e6:.3f} us"


@pytest.mark.parametrize("field", ["dram.banks_per_group", "dram.bank_groups"])
@pytest.mark.parametrize("name", ["h100-sxm", "h200"])
@pytest.mark.parametrize("kernel", [BIG_GEMV, Elementwise(n_elements=1 << 27)], ids=["gemv", "elementwise"])
def test_more_banks_never_slow_a_stream(name, field, kernel) -> None:
    """In fast, within 0.5%: its granule-sized requests move a stream's phase against the banks by a few
    tenths of a percent (h200 elementwise, 2x bank groups: -0.15%); detailed holds it exactly (below)."""
    assert speedup(accelsim.presets.load(name), field, 2, kernel) >= 1 - 5e-3


@pytest.mark.xfail(strict=True, reason="fast issues one request per 1 KiB granule and holds its bank group for "
                   "32 x tCCD_L; with more banks per group the scheduler more often finds only same-group "
                   "requests ready (tpu-v5e GEMV 10% slower at 2x banks). detailed, which schedules bursts, "
                   "gets faster with more banks (test below): a fast-model artifact for the controller rework")
def test_more_banks_never_slow_a_stream_in_fast_on_tpu_v5e() -> None:
    assert speedup(accelsim.presets.load("tpu-v5e"), "dram.banks_per_group", 2, BIG_GEMV) >= 1 - 5e-3


@pytest.mark.parametrize("bg, bpg", [(2, 8), (4, 4)])
def test_more_banks_never_slow_a_stream_in_detailed(bg, bpg) -> None:
    arch = accelsim.presets.load("tpu-v5e").with_field("dram.bank_groups", bg).with_field("dram.banks_per_group", bpg)
    g = Gemv(m=1, n=8192, k=4096)
    assert speedup(arch, "dram.banks_per_group", 2, g, "detailed") >= 1.0


def test_the_readme_pin_rate_sweep() -> None:
    """README.md's sweep example and the figures it prints."""
    pytest.importorskip("pandas")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index('gemv = accelsim.Gemv(m=1, n=57344, k=4096)'):]
    rows = re.findall(r"#\s+(\d+\.\d+)\s+(\d+\.\d) us\s+(\d+\.\d\d)x", block[:1200])
    assert len(rows) == 3
    rates = [float(r[0]) for r in rows]
    df = accelsim.sweep(H100, {"dram.data_rate_gbps": rates}, [BIG_GEMV], executor="serial", progress=False)
    for (_, t_us, x), t in zip(rows, df.time_s):
        assert round(t * 1e6, 1) == float(t_us)
        assert round(df.time_s.iloc[0] / t, 2) == float(x)

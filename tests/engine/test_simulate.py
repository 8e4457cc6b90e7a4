"""simulate(): the public names, sums, launch overhead, validation of kernels, determinism, and Hypothesis
properties (never below the roofline floor, reads the weights, more DRAM bandwidth never hurts)."""

from __future__ import annotations

import concurrent.futures
import math
import sys

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import ConfigError, DecodeAttention, Elementwise, Gemv, presets, simulate
from strategies import valid_architectures


H100 = presets.load("h100-sxm")
from accelsim.engine import core, planner


def _clear_cache() -> None:
    """Forget remembered results so a call really runs the core again."""
    accelsim.clear_cache()


# ------------------------------------------------------------------------------------ API.md names


def test_api_names_exist() -> None:
    assert isinstance(accelsim.__version__, str) and accelsim.__version__
    names = accelsim.presets.names()
    assert {"h100-sxm", "h200"} <= set(names)
    a, b = accelsim.presets.load("h100-sxm"), accelsim.presets.load("h100-sxm")
    assert isinstance(a, accelsim.Architecture) and a is not b
    with pytest.raises(ValueError, match="h200"):
        accelsim.presets.load("nope")
    accelsim.Gemv(m=1, n=4096, k=4096, dtype="bf16")
    for dt in ("fp32", "bf16", "fp16", "fp8", "int8", "int4", "fp4"):
        accelsim.Gemv(m=1, n=64, k=64, dtype=dt)
    accelsim.DecodeAttention(batch=1, q_heads=32, kv_heads=8, head_dim=128, context=2048, dtype="bf16")
    accelsim.Elementwise(n_elements=4096, dtype="bf16", reads=1, writes=1, flops_per_element=1)
    assert callable(accelsim.simulate)
    assert {"llama-3-8b", "llama-3-70b", "llama-3-405b"} <= set(accelsim.models.names())
    accelsim.models.load("llama-3-70b")
    for fid in ("fast", "detailed", "roofline"):
        assert fid in accelsim.FIDELITIES


def test_api_decode_step() -> None:
    """API.md: ``accelsim.decode_step(arch, model, batch=1, context=4096)`` with ``time_s``, ``tokens_per_s``."""
    assert hasattr(accelsim, "decode_step"), "accelsim.decode_step (API.md) is missing"
    s = accelsim.decode_step(H100, accelsim.models.load("llama-3-8b"), batch=1, context=4096)
    assert s.time_s > 0 and s.tokens_per_s == pytest.approx(1 / s.time_s, rel=1e-9)


def test_kernels_are_frozen_keyword_dataclasses() -> None:
    g = Gemv(m=1, n=64, k=64)
    with pytest.raises(Exception):
        g.m = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Gemv(1, 64, 64)  # type: ignore[misc]


# ------------------------------------------------------------------------------------ one and many


def test_simulate_one_kernel() -> None:
    k = Gemv(m=1, n=4096, k=4096, dtype="bf16")
    r = simulate(H100, k)
    assert isinstance(r, accelsim.Result)
    assert len(r.kernels) == 1 and r.kernels[0].time_s == r.time_s
    assert r.time_s > 0 and math.isfinite(r.time_s)
    # 32 MiB of bf16 weights at 3.35 TB/s is ~10 us; with launch overhead somewhere in 10..40 us
    assert 10e-6 < r.time_s < 40e-6
    assert r.kernels[0].dram_read_bytes >= k.weight_bytes()
    assert r.arch_name == "h100-sxm" and r.fidelity == "fast"


def _mixed_kernels() -> list:
    return [
        Gemv(m=1, n=6144, k=4096, name="qkv"),
        DecodeAttention(batch=1, q_heads=32, kv_heads=8, head_dim=128, context=2048),
        Gemv(m=1, n=4096, k=4096, name="o"),
        Elementwise(n_elements=4096, reads=2, writes=1, name="residual"),
        Gemv(m=4, n=2048, k=1024, dtype="fp8", name="fp8"),
    ]


def test_list_time_is_sum_of_kernel_times() -> None:
    ks = _mixed_kernels()
    r = simulate(H100, ks)
    assert [row.name for row in r.kernels] == [k.name for k in ks]
    assert r.time_s == sum(row.time_s for row in r.kernels)  # exactly, summed the same way
    singles = [simulate(H100, k).time_s for k in ks]
    assert r.time_s == sum(singles)
    assert [row.time_s for row in r.kernels] == singles
    # a list is not order-sensitive in total (each kernel runs alone, back to back)
    assert simulate(H100, list(reversed(ks))).time_s == pytest.approx(r.time_s, rel=1e-12)


def test_every_kernel_pays_launch_overhead() -> None:
    ks = _mixed_kernels()
    r = simulate(H100, ks)
    launch = H100.kernel_launch_overhead_ns * 1e-9
    assert launch > 0
    for row in r.kernels:
        assert row.launch_s == pytest.approx(launch, rel=1e-9)
        assert row.time_s >= row.launch_s
    assert r.launch_s == pytest.approx(len(ks) * launch, rel=1e-9)
    # doubling a kernel doubles its time: the launch is paid again
    k = Elementwise(n_elements=64)
    assert simulate(H100, [k, k]).time_s == 2 * simulate(H100, k).time_s
    # with zero launch overhead, a tiny kernel gets cheaper by exactly the overhead
    no_launch = H100.with_field("kernel_launch_overhead_ns", 0.0)
    t0, t1 = simulate(no_launch, k).time_s, simulate(H100, k).time_s
    assert t1 - t0 == pytest.approx(launch, rel=1e-6)


def test_empty_list() -> None:
    r = simulate(H100, [])
    assert r.time_s == 0 and r.kernels == ()


@pytest.mark.parametrize("m, n, k", [(1, 4096, 4096), (16, 4096, 4096), (1, 28672, 4096), (64, 1024, 8192)])
def test_roofline_fidelity_not_above_fast(m: int, n: int, k: int) -> None:
    g = Gemv(m=m, n=n, k=k, dtype="bf16")
    roof = simulate(H100, g, fidelity="roofline").time_s
    fast = simulate(H100, g, fidelity="fast").time_s
    assert 0 < roof <= fast


@pytest.mark.parametrize("kernel", [
    Gemv(m=1, n=8192, k=8192),  # was 41.03 us at fidelity="roofline" and 41.05 us in its row's roofline_s
    Gemv(m=2048, n=4096, k=4096, dtype="fp8"),
    DecodeAttention(batch=8, q_heads=32, kv_heads=8, head_dim=128, context=2048, dtype="fp8"),
    Elementwise(n_elements=1 << 24),
], ids=["gemv", "gemm-fp8", "attention-fp8", "elementwise"])
def test_one_roofline_for_the_fidelity_and_every_row(kernel) -> None:
    """fidelity="roofline" and every row's roofline_s are the same number, the core's, at every fidelity;
    the `bound` label comes from that roofline's two terms."""
    roof = simulate(H100, kernel, fidelity="roofline")
    assert roof.kernels[0].roofline_s == roof.time_s
    for fidelity in ("fast", "detailed"):
        row = simulate(H100, kernel, fidelity=fidelity).kernels[0]
        assert row.roofline_s == roof.time_s
        assert row.time_s >= row.roofline_s
    if isinstance(kernel, Gemv) and kernel.m == 1:
        # the weights at the pins, to within the burst time's rounding to a whole picosecond
        pins = kernel.weight_bytes() / H100.peak_dram_bandwidth_bytes_per_s + roof.kernels[0].launch_s
        assert roof.time_s == pytest.approx(pins, rel=2e-3) and roof.kernels[0].bound == "bandwidth"


def test_detailed_close_to_fast() -> None:
    g = Gemv(m=1, n=2048, k=2048)
    fast = simulate(H100, g, fidelity="fast").time_s
    detailed = simulate(H100, g, fidelity="detailed").time_s
    assert detailed == pytest.approx(fast, rel=0.25)


# ------------------------------------------------------------------------------------ bad input


def test_bad_fidelity() -> None:
    with pytest.raises(ConfigError) as info:
        simulate(H100, Gemv(m=1, n=64, k=64), fidelity="bogus")
    assert info.value.field == "fidelity" and isinstance(info.value, ValueError)


def test_bad_arch_and_kernel_objects() -> None:
    with pytest.raises(ConfigError, match="arch"):
        simulate("h100-sxm", Gemv(m=1, n=64, k=64))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"kernels\[1\]"):
        simulate(H100, [Gemv(m=1, n=64, k=64), "gemv"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(n=0), "n"),
        (dict(n=-1), "n"),
        (dict(k=0), "k"),
        (dict(dtype="fp7"), "dtype"),
        (dict(m=True), "m"),
        (dict(n=float("nan")), "n"),
        (dict(n=64.0), "n"),
        (dict(m=0), "m"),
        (dict(n="64"), "n"),
        (dict(weight_dtype="int3"), "weight_dtype"),
    ],
)
def test_bad_gemv_raises_config_error_naming_field(kwargs: dict, field: str) -> None:
    args = dict(m=1, n=64, k=64, dtype="bf16")
    args.update(kwargs)
    with pytest.raises(ConfigError) as info:
        Gemv(**args)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.field == field and str(err).startswith(field)


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: DecodeAttention(batch=0, q_heads=32, kv_heads=8, head_dim=128, context=64), "batch"),
        (lambda: DecodeAttention(batch=1, q_heads=30, kv_heads=8, head_dim=128, context=64), "q_heads"),
        (lambda: DecodeAttention(batch=1, q_heads=32, kv_heads=8, head_dim=128, context=-5), "context"),
        (lambda: DecodeAttention(batch=1, q_heads=32, kv_heads=8, head_dim=128, context=64, dtype="x"), "dtype"),
        (lambda: Elementwise(n_elements=0), "n_elements"),
        (lambda: Elementwise(n_elements=8, flops_per_element=float("inf")), "flops_per_element"),
        (lambda: Elementwise(n_elements=8, reads=-1), "reads"),
    ],
)
def test_bad_other_kernels(make, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as info:
        make()
    assert info.value.field == field


# ------------------------------------------------------------------------------------ determinism


def test_deterministic_same_process() -> None:
    ks = _mixed_kernels()
    _clear_cache()
    a = simulate(H100, ks)
    _clear_cache()
    b = simulate(presets.load("h100-sxm"), ks)
    assert a.time_s == b.time_s
    assert a.kernels == b.kernels  # every counter, not just the time


def test_deterministic_across_threads() -> None:
    ks = [Gemv(m=m, n=2048, k=2048) for m in (1, 2, 8, 16)] + [  # one lowering each (run compares to it)
        DecodeAttention(batch=2, q_heads=32, kv_heads=8, head_dim=128, context=1024, split_kv="flash-attention")]
    _clear_cache()
    expected = [simulate(H100, k).kernels[0] for k in ks]

    def run(i: int):  # type: ignore[no-untyped-def]
        k = ks[i % len(ks)]
        # bypass the cache: the core itself must be deterministic and thread-safe
        raw = core.run_kernels(H100, k.lower(H100), "fast")
        return i, sum(r["time_ps"] for r in raw)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(4 * len(ks))))
    for i, t_ps in results:
        assert t_ps * 1e-12 == expected[i % len(ks)].time_s

    def run_api(i: int) -> float:
        return simulate(presets.load("h100-sxm"), ks[i % len(ks)]).time_s

    _clear_cache()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        times = list(pool.map(run_api, range(2 * len(ks))))
    assert times == [expected[i % len(ks)].time_s for i in range(2 * len(ks))]


# ------------------------------------------------------------------------------------ properties

small_gemvs = st.builds(
    lambda m, n, k, dtype: Gemv(m=m, n=n, k=k, dtype=dtype),
    m=st.integers(1, 64), n=st.integers(64, 4096), k=st.integers(64, 4096), dtype=st.sampled_from(["bf16", "fp8"]),
)
# random machines can have tiny interleave granules and a single unit, so keep their kernels smaller
tiny_gemvs = st.builds(
    lambda m, n, k, dtype: Gemv(m=m, n=n, k=k, dtype=dtype),
    m=st.integers(1, 64), n=st.integers(64, 1024), k=st.integers(64, 1024), dtype=st.sampled_from(["bf16", "fp8"]),
)
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REL = 1e-9  # float rounding in the ps -> s conversion


def _usable(arch: accelsim.Architecture, g: Gemv) -> bool:
    """The machine has math for the kernel's dtype (random DtypeRates may leave fp8 at 0)."""
    return arch.compute.matrix_flops_per_cycle_per_unit.get(g.math_dtype) > 0


tiny_elementwise = st.builds(
    lambda n, dtype, reads, writes: Elementwise(n_elements=n, dtype=dtype, reads=reads, writes=writes,
                                                flops_per_element=0),
    n=st.integers(1, 1 << 16), dtype=st.sampled_from(["bf16", "fp32", "fp8"]), reads=st.integers(0, 2),
    writes=st.integers(0, 2),
).filter(lambda k: k.reads + k.writes > 0)


@PROPS
@given(arch=valid_architectures(text=False), k=tiny_elementwise)
def test_random_arch_elementwise_at_least_its_dram_floor(arch: accelsim.Architecture, k: Elementwise) -> None:
    """Reads and the writes beyond what the L2 holds at the end share the DRAM pins: the kernel body is
    never shorter than their bytes at peak bandwidth (a write-only kernel used to end in ~1 us whatever its
    size)."""
    r = simulate(arch, k)
    row = r.kernels[0]
    size = {"bf16": 2, "fp32": 4, "fp8": 1}[k.dtype]
    cap = arch.l2.capacity_bytes if arch.l2 is not None else 0
    assert row.dram_read_bytes >= k.n_elements * size * k.reads
    assert row.dram_write_bytes >= k.n_elements * size * k.writes
    floor = (k.n_elements * size * (k.reads + k.writes) - min(cap, k.n_elements * size * k.writes)) \
        / arch.peak_dram_bandwidth_bytes_per_s
    assert r.time_s - row.launch_s >= floor * (1 - REL), (r.time_s, row.launch_s, floor)


@PROPS
@given(arch=valid_architectures(text=False))
def test_valid_architectures_are_simulatable(arch: accelsim.Architecture) -> None:
    """Whatever constructs without ConfigError must simulate: no second, stricter validation in the core."""
    g = Gemv(m=1, n=64, k=64, dtype="bf16")
    r = simulate(arch, g)
    assert r.time_s > 0


def _check_floor_and_reads(arch: accelsim.Architecture, g: Gemv) -> None:
    r = simulate(arch, g)
    row = r.kernels[0]
    launch = arch.kernel_launch_overhead_ns * 1e-9
    # the datasheet floor: the weights at the pin peak, the FLOPs at the matrix peak; the roofline (the core's,
    # one for every fidelity) is the tiling's DRAM bytes and its math at the sustained rate: never below it
    floor = launch + max(g.weight_bytes() / arch.peak_dram_bandwidth_bytes_per_s,
                         g.flops() / arch.peak_flops_per_s(g.math_dtype))
    # (to within the burst time's rounding to whole picoseconds, which sets the core's pin peak: < 0.2%)
    assert row.roofline_s >= floor * (1 - 2e-3)
    assert row.roofline_s == simulate(arch, g, fidelity="roofline").time_s
    assert row.time_s >= row.roofline_s * (1 - REL), (
        f"{g} on {arch.name!r}: simulated {row.time_s * 1e6:.4f} us < roofline floor {row.roofline_s * 1e6:.4f} us")
    assert row.dram_read_bytes >= g.weight_bytes(), (
        f"{g}: read {row.dram_read_bytes} B from DRAM < {g.weight_bytes()} B of weights")


def _check_faster_dram(arch: accelsim.Architecture, g: Gemv) -> None:
    x = arch.dram.data_rate_gbps
    faster = arch.with_field("dram.data_rate_gbps", 2 * x)
    t1, t2 = simulate(arch, g).time_s, simulate(faster, g).time_s
    # Known limitation: the two candidate tilings are ranked by an analytic estimate that depends on DRAM
    # bandwidth (as a tuned library's heuristic does); a faster DRAM can tip the choice to a tiling the
    # engine finds a little slower. Each tiling on its own is monotone (test_each_tiling_monotone_in_dram).
    assert t2 <= t1 * 1.05, (
        f"{g}: doubling dram.data_rate_gbps {x:g} -> {2 * x:g} made it slower: {t1 * 1e6:.4f} -> {t2 * 1e6:.4f} us "
        f"(+{t2 / t1 - 1:.2%}) on {arch!r}")


@PROPS
@given(g=small_gemvs)
def test_h100_gemv_at_least_roofline_and_reads_weights(g: Gemv) -> None:
    _check_floor_and_reads(H100, g)


@PROPS
@given(g=small_gemvs)
# found by this test: Gemv.lower's analytic tile choice flips to 68 tiles (< 132 SMs) at 2x data rate and the
# simulated time goes UP, 4.75 -> 5.12 us (+7.7%)
@example(g=Gemv(m=62, n=1058, k=3110, dtype="fp8"))
# found by this test: with the tiling search capped at 8, a faster DRAM re-ranked the one fast tiling out
# of the searched set (+7.4%); the cap is now 32
@example(g=Gemv(m=33, n=64, k=4096, dtype="fp8"))
@example(g=Gemv(m=58, n=1154, k=3019, dtype="bf16"))
def test_h100_faster_dram_never_slower(g: Gemv) -> None:
    _check_faster_dram(H100, g)


@PROPS
@given(arch=valid_architectures(text=False), g=tiny_gemvs)
def test_random_arch_gemv_at_least_roofline_and_reads_weights(arch: accelsim.Architecture, g: Gemv) -> None:
    assume(_usable(arch, g))
    _check_floor_and_reads(arch, g)


@PROPS
@given(arch=valid_architectures(text=False), g=tiny_gemvs)
def test_random_arch_detailed_moves_the_same_bytes_as_fast(arch: accelsim.Architecture, g: Gemv) -> None:
    """Per tiling on random machines: detailed (one controller request per burst) moves exactly the bytes
    fast moves, in one request per burst, and never beats the roofline floor."""
    assume(_usable(arch, g))
    assume(g.bytes_moved() <= (1 << 16) * arch.dram.burst_bytes)  # keep the burst-level run small
    launch = arch.kernel_launch_overhead_ns * 1e3
    for descs in g.candidates(arch, top=1):
        fast = core.run_kernels(arch, descs, "fast")
        det = core.run_kernels(arch, descs, "detailed")
        for f, d in zip(fast, det):
            assert d["dram_read_bytes"] == f["dram_read_bytes"] and d["dram_write_bytes"] == f["dram_write_bytes"]
            assert d["dram_requests"] * arch.dram.burst_bytes == d["dram_read_bytes"] + d["dram_write_bytes"]
            assert d["flops"] == f["flops"]
        total = sum(r["time_ps"] for r in det)
        floor = len(descs) * launch + max(g.weight_bytes() / (arch.peak_dram_bandwidth_bytes_per_s * 1e-12),
                                          g.flops() / (arch.peak_flops_per_s(g.math_dtype) * 1e-12))
        assert total >= floor * (1 - 1e-9), (g, total, floor)


@PROPS
@given(arch=valid_architectures(text=False), g=tiny_gemvs)
def test_random_arch_faster_dram_never_slower(arch: accelsim.Architecture, g: Gemv) -> None:
    """Per tiling on random machines (on degenerate ones -- one bank, 4-byte rows -- the estimate's choice
    of tiling can flip with DRAM speed by more than on real ones; see _check_faster_dram)."""
    assume(_usable(arch, g))
    assume(arch.dram.data_rate_gbps * 2 <= 1e6)
    # A DRAM that refreshes most of the time serves in slivers between refreshes, and which request fits in
    # a sliver is a phase effect of any timing change (found by CI: tRFC 82 ns of tREFI 83 ns, 2x data rate
    # +3.7%; at tRFC 60 ns it is -14%). Real devices refresh a few percent of the time.
    assume(arch.dram.tRFC_ns <= 0.5 * arch.dram.tREFI_ns)
    faster = arch.with_field("dram.data_rate_gbps", 2 * arch.dram.data_rate_gbps)
    for descs in g.candidates(arch, top=2):
        t1 = sum(r["time_ps"] for r in core.run_kernels(arch, descs, "fast"))
        t2 = sum(r["time_ps"] for r in core.run_kernels(faster, descs, "fast"))
        assert t2 <= t1 * 1.03, (g, descs[0]["n_tiles"], t1, t2)  # DES phase effects (refresh, FR-FCFS order): ~2%


@PROPS
@given(g=small_gemvs)
@example(g=Gemv(m=49, n=3841, k=4056, dtype="fp8"))  # 484 tiles, 1.8 waves: 2x DRAM rate is 4.5% slower
def test_each_tiling_monotone_in_dram(g: Gemv) -> None:
    """For a fixed tiling, a faster DRAM never makes the engine slower (beyond list-scheduling anomalies).

    Tiles go to whichever unit frees first, as a GPU's block scheduler hands them out; with ~2 waves, a
    faster DRAM can change which unit takes the last tiles and lengthen the tail (Graham's scheduling
    anomaly). Measured up to 4.5% (the @example), hence the 5% bound.
    """
    faster = H100.with_field("dram.data_rate_gbps", 2 * H100.dram.data_rate_gbps)
    for descs in g.candidates(H100, top=3):
        t1 = sum(r["time_ps"] for r in core.run_kernels(H100, descs, "fast"))
        t2 = sum(r["time_ps"] for r in core.run_kernels(faster, descs, "fast"))
        assert t2 <= t1 * 1.05, (g, descs[0]["n_tiles"], t1, t2)  # tail / refresh phase effects


def test_simulate_list_workers_give_identical_results() -> None:
    """simulate() runs a list's distinct kernels on a thread pool; the result never depends on it."""
    arch = accelsim.presets.load("h100-sxm")
    ks = [accelsim.Gemv(m=1, n=1024 + 64 * i, k=2048, dtype="bf16") for i in range(6)] + [
        accelsim.Elementwise(n_elements=1 << 20, dtype="bf16", reads=2, writes=1, flops_per_element=1)]
    accelsim.clear_cache()
    one = accelsim.simulate(arch, ks, workers=1)
    accelsim.clear_cache()
    two = accelsim.simulate(arch, ks, workers=2)
    assert one.kernels == two.kernels
    with pytest.raises(accelsim.ConfigError, match="workers"):
        accelsim.simulate(arch, ks, workers=0)


# long GEMVs: `fast` runs them on a quarter of the H100 (or truncates); the physics still hold
long_gemvs = st.builds(
    lambda m, n, k, dtype: Gemv(m=m, n=n, k=k, dtype=dtype),
    m=st.integers(1, 256), n=st.integers(16384, 40000), k=st.integers(9000, 12000), dtype=st.sampled_from(["bf16", "fp8"]),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=long_gemvs)
# found by this test: 1043 tiles (odd) fell back to a whole-machine truncation that erred +5.3%, and the
# 2x-DRAM machine came out 5.8% slower; the slice now takes the nearest tile count (+2.0%, which is the
# change of candidate tilings with DRAM speed: +2.7% simulated whole)
@example(g=Gemv(m=193, n=18945, k=9000, dtype="bf16"))
def test_long_gemvs_on_the_slice_keep_floor_reads_and_monotonicity(g: Gemv) -> None:
    assert g.weight_bytes() > planner.FAST_REQUEST_BUDGET * H100.dram.interleave_bytes
    _check_floor_and_reads(H100, g)
    _check_faster_dram(H100, g)

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
        raw = accelsim._core.simulate_kernels(core.machine_dict(H100), k.lower(H100), "fast")
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
    floor = launch + max(g.bytes_moved() / arch.peak_dram_bandwidth_bytes_per_s,
                         g.flops() / arch.peak_flops_per_s(g.math_dtype))
    assert row.roofline_s == pytest.approx(floor, rel=1e-9)
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
    from accelsim import _core
    from accelsim.engine.core import machine_dict

    m = machine_dict(arch)
    launch = arch.kernel_launch_overhead_ns * 1e3
    for descs in g.candidates(arch, top=1):
        fast = _core.simulate_kernels(m, descs, "fast")
        det = _core.simulate_kernels(m, descs, "detailed")
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
    from accelsim import _core
    from accelsim.engine.core import machine_dict

    faster = arch.with_field("dram.data_rate_gbps", 2 * arch.dram.data_rate_gbps)
    for descs in g.candidates(arch, top=2):
        t1 = sum(r["time_ps"] for r in _core.simulate_kernels(machine_dict(arch), descs, "fast"))
        t2 = sum(r["time_ps"] for r in _core.simulate_kernels(machine_dict(faster), descs, "fast"))
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
    from accelsim import _core
    from accelsim.engine.core import machine_dict

    faster = H100.with_field("dram.data_rate_gbps", 2 * H100.dram.data_rate_gbps)
    for descs in g.candidates(H100, top=3):
        t1 = sum(r["time_ps"] for r in _core.simulate_kernels(machine_dict(H100), descs, "fast"))
        t2 = sum(r["time_ps"] for r in _core.simulate_kernels(machine_dict(faster), descs, "fast"))
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


def test_pure_stream_gemv_simulates_only_its_top_tiling() -> None:
    """A many-wave, DRAM-bound GEMV: the tiling changes its time by ~1%, so `fast` simulates only the top one."""
    h = accelsim.presets.load("h100-sxm")
    big = accelsim.Gemv(m=1, n=57344, k=8192)
    assert len(big.candidates(h)) == 2
    assert len(big.candidates(h, prune=True)) == 1
    top = accelsim.simulate(h, accelsim.Gemv(m=1, n=57344, k=8192, name="a"))
    both = [sum(r["time_ps"] for r in planner.run(h, c, "fast")) for c in big.candidates(h)]
    assert top.time_s == pytest.approx(both[0] * 1e-12, rel=1e-12)
    assert abs(both[1] / both[0] - 1) < 0.02  # the one not simulated would change little
    # a GEMV whose math matters (M = 256) or whose tilings do not all fill the units keeps several
    assert len(accelsim.Gemv(m=256, n=57344, k=8192).candidates(h, prune=True)) == 2
    assert len(accelsim.Gemv(m=1, n=1024, k=4096).candidates(h, prune=True)) >= 2
    # one tile per unit is enough: every unit streams (the split-K tiling of an 8K x 8K GEMV)
    assert len(accelsim.Gemv(m=1, n=8192, k=8192).candidates(h, prune=True)) == 1


def test_fast_prunes_a_candidate_estimated_clearly_worse_and_it_would_have_lost() -> None:
    """`fast` drops a second tiling estimated >= CANDIDATE_PRUNE_GAP worse; simulated, it is indeed slower."""
    h = accelsim.presets.load("h100-sxm")
    k = accelsim.Gemv(m=1, n=6144, k=4096)
    both = k.candidates(h)
    assert len(both) == 2 and len(k.candidates(h, prune=True)) == 1
    t = [sum(r["time_ps"] for r in planner.run(h, c, "fast")) for c in both]
    assert t[1] > t[0]
    assert accelsim.simulate(h, accelsim.Gemv(m=1, n=6144, k=4096, name="p")).time_s == pytest.approx(t[0] * 1e-12, rel=1e-12)


def test_small_gemv_searches_more_tilings_within_the_request_budget() -> None:
    """Where the estimate cannot tell the best two apart, further-ranked tilings are simulated while cheap."""
    kmod = sys.modules["accelsim.workload.kernels"]
    h = accelsim.presets.load("h100-sxm")
    small = accelsim.Gemv(m=1, n=512, k=8192)
    wide = small.candidates(h, prune=True)
    assert 2 < len(wide) <= kmod.CANDIDATE_SEARCH_MAX
    assert sum(planner.simulated_requests(h, c) for c in wide) <= kmod.CANDIDATE_SEARCH_REQUESTS
    top2 = min(sum(r["time_ps"] for r in planner.run(h, c, "fast")) for c in small.candidates(h))
    assert simulate(h, accelsim.Gemv(m=1, n=512, k=8192, name="s")).time_s <= top2 * 1e-12
    # a big GEMV is not widened: its candidates alone exceed the budget
    assert len(accelsim.Gemv(m=64, n=8192, k=28672).candidates(h, prune=True)) <= 2


# --- `fast` on a slice of the machine (simulate.SLICE_FACTORS) --------------------------------------------

def _whole_machine_ps(arch: accelsim.Architecture, descs: list[dict]) -> int:
    """The descs simulated whole on the whole machine (no slice, no truncation)."""
    return sum(r["time_ps"] for r in accelsim._core.simulate_kernels(core.machine_dict(arch), descs, "fast"))


def test_sliced_machine_keeps_per_unit_and_per_channel_resources() -> None:
    h = presets.load("h100-sxm")
    md = core.machine_dict(h)
    q = planner.sliced_machine(md, 4)
    pcs = lambda m: m["stacks"] * m["channels_per_stack"] * m["pseudo_channels_per_channel"]  # noqa: E731
    assert q["units"] * 4 == md["units"] and pcs(q) * 4 == pcs(md)
    assert q["l2_bytes_per_ps"] * 4 == pytest.approx(md["l2_bytes_per_ps"])
    for key in ("max_inflight_bytes_per_unit", "load_bytes_per_ps_per_unit", "tRCD_ns", "row_bytes", "access_latency_ns"):
        assert q[key] == md[key]
    assert planner.slice_factor(h, 1024) == 4
    assert planner.slice_factor(h, 100) == 1  # fewer tiles than units: not every unit would be busy
    # a tile count the slice does not divide: the nearest count, and the counts scaled by the exact ratio
    (d,) = Gemv(m=1, n=16384, k=16384).candidates(h, prune=True)[0]
    d = dict(d, n_tiles=1026, tile_read_bytes=d["tile_read_bytes"] // 2)
    p = planner.plan(h, d)
    assert p is not None and p[0] == "slice" and p[2]["n_tiles"] == 257 and p[7] == pytest.approx(1026 / 257)
    (r,) = planner.run(h, [d], "fast")
    assert r["dram_read_bytes"] == 1026 * d["tile_read_bytes"]


@pytest.mark.parametrize("n", [8448, 8512])  # 264 tiles (two per unit, exactly) and 266 (two more: a tail)
def test_slice_keeps_the_tail_of_a_partial_last_wave(n: int) -> None:
    """Rounding the slice's tiles to the nearest would drop a tail of two tiles (266 -> 66.5 -> 66 on 33
    units x 2 slots: -7.8% against the whole machine, found in review); rounded up, a partial last wave
    stays one, and more tiles never run faster."""
    h = presets.load("h100-sxm")
    g = Gemv(m=1, n=n, k=16384)
    (c,) = g.candidates(h, prune=True)
    assert planner.plan(h, c[0])[0] == "slice"
    whole = _whole_machine_ps(h, c)
    est = sum(r["time_ps"] for r in planner.run(h, c, "fast"))
    assert est == pytest.approx(whole, rel=0.02)
    assert simulate(h, Gemv(m=1, n=n, k=16384)).time_s >= simulate(h, Gemv(m=1, n=n - 64, k=16384)).time_s


def test_kernel_within_twice_the_budget_runs_whole_on_half_the_machine() -> None:
    """A kernel of at most twice the budget runs whole on half the machine, not a quarter. At the
    memory-to-compute transition with few waves the slice errs most: the last of 33 units finishes earlier
    than the last of 132 (l70b_o bf16 M = 256, 135 K requests, 3.9 waves: a quarter -2.1%). On these tilings
    half the machine stays within 1.8% of the whole one, and its worst error is below the quarter's. A pure
    stream of the same size keeps the quarter."""
    h = presets.load("h100-sxm")
    md4 = planner.sliced_machine(core.machine_dict(h), 4)
    err_half, err_quarter = [], []
    for g in (Gemv(m=256, n=8192, k=8192), Gemv(m=256, n=10240, k=8192)):
        for (d,) in g.candidates(h, prune=True):
            p = planner.plan(h, d)
            assert p is not None and p[0] == "slice" and p[6] == 2
            assert planner.requests_of(h, p[2]) <= planner.FAST_REQUEST_BUDGET
            whole = _whole_machine_ps(h, [d])
            (half,) = planner.run(h, [d], "fast")
            (quarter,) = accelsim._core.simulate_kernels(md4, [dict(d, n_tiles=-(-d["n_tiles"] // 4))], "fast")
            assert half["dram_read_bytes"] == d["n_tiles"] * d["tile_read_bytes"]
            err_half.append(abs(half["time_ps"] / whole - 1))
            err_quarter.append(abs(quarter["time_ps"] / whole - 1))
    assert max(err_half) < 0.018
    assert max(err_half) < max(err_quarter)
    (s,) = Gemv(m=1, n=8192, k=8192).candidates(h, prune=True)[0]
    assert planner.pure_stream(h, s) and planner.plan(h, s)[6] == 4


@pytest.mark.parametrize("mb", [16, 256, 1024])
def test_a_fill_beyond_the_l2_is_bound_by_dram_writes(mb: int) -> None:
    """The L2 holds a kernel's writes up to its capacity when the kernel ends; the rest must be in DRAM by
    then. (A fill larger than the L2 used to end in ~1 us whatever its size, and a fuzzed one of 800 GB
    queued every write at once and ran out of memory.) On the slice and in the length cuts the L2's share
    of the writes scales with them, so `fast` agrees with the whole machine."""
    h = presets.load("h100-sxm")
    n = mb << 19  # bf16 elements: mb MiB
    k = Elementwise(n_elements=n, dtype="bf16", reads=0, writes=1, flops_per_element=0)
    r = simulate(h, k)
    beyond = max(0, 2 * n - h.l2.capacity_bytes)
    assert r.kernels[0].dram_write_bytes >= 2 * n
    assert r.time_s >= beyond / h.peak_dram_bandwidth_bytes_per_s
    # no figure above the pins: even a fill the L2 absorbs takes its bytes' time at the DRAM pins' peak
    # (the core rounds the burst time to a whole ps: 0.5 ps of ~1.5 ns)
    pins = 2 * n / h.peak_dram_bandwidth_bytes_per_s
    assert r.time_s - r.kernels[0].launch_s >= pins * (1 - 5e-4)
    if beyond == 0:
        # absorbed: written back at the pins' rate, no later
        assert r.time_s < pins + 2 * h.kernel_launch_overhead_ns * 1e-9
    (d,) = k.lower(h)
    assert r.time_s * 1e12 == pytest.approx(_whole_machine_ps(h, [d]), rel=0.02)
    if mb == 1024:
        p = planner.plan(h, d)
        assert p is not None and p[0] == "bytes" and p[1]["tile_write_bytes"] < p[2]["tile_write_bytes"]


def test_write_absorb_bytes_zero_waits_for_every_write() -> None:
    """A kernel that may leave none of its writes in the L2 ends when the last one is in DRAM."""
    h = presets.load("h100-sxm")
    md = core.machine_dict(h)
    (d,) = Elementwise(n_elements=1 << 22, dtype="bf16", reads=1, writes=1, flops_per_element=0).lower(h)
    absorbed, strict = accelsim._core.simulate_kernels(md, [d, dict(d, write_absorb_bytes=0)], "fast")
    assert strict["time_ps"] > absorbed["time_ps"]
    assert strict["dram_write_bytes"] == absorbed["dram_write_bytes"] >= d["n_tiles"] * d["tile_write_bytes"]
    with pytest.raises(accelsim._core.CoreConfigError, match="write_absorb_bytes"):
        accelsim._core.simulate_kernels(md, [dict(d, write_absorb_bytes=-2)], "fast")


def test_sliced_run_matches_the_whole_machine_and_conserves_bytes() -> None:
    """A 537 MB GEMV: `fast` runs it whole on a quarter of the H100; against the whole machine the time
    agrees within 1.5% (the calibration GEMVs: at most 2.3%) and every count is scaled back exactly."""
    h = presets.load("h100-sxm")
    g = Gemv(m=1, n=16384, k=16384)
    (d,) = g.candidates(h, prune=True)[0]
    p = planner.plan(h, d)
    assert p is not None and p[0] == "slice" and p[6] == 4
    (est,) = planner.run(h, [d], "fast")
    whole = accelsim._core.simulate_kernels(core.machine_dict(h), [d], "fast")[0]
    assert est["time_ps"] == pytest.approx(whole["time_ps"], rel=0.015)
    assert est["dram_read_bytes"] == d["n_tiles"] * d["tile_read_bytes"] == whole["dram_read_bytes"]
    assert est["dram_requests"] == whole["dram_requests"]
    assert est["refreshes"] == pytest.approx(whole["refreshes"], rel=0.05)
    r = simulate(h, g)
    assert r.kernels[0].dram_read_bytes >= g.weight_bytes()


def test_the_cost_of_a_long_gemv_stops_growing_with_its_size() -> None:
    """Beyond a few GB a GEMV's tiles are so long that even one and two whole waves of them exceed the
    budget: both runs are then cut in length too ("tiles+bytes"), so a 10 GB and a 137 GB GEMV simulate no
    more requests than WAVE_CUT_CAP x the budget (they ran 811 K and 3.2 M), and the answer stays within
    1.5% of the kernel simulated whole on the slice, every byte counted exactly."""
    h = presets.load("h100-sxm")
    for g in (Gemv(m=1, n=81920, k=65536), Gemv(m=1, n=262144, k=262144), Gemv(m=16, n=131072, k=131072)):
        for descs in g.candidates(h, prune=True):
            assert planner.simulated_requests(h, descs) <= planner.WAVE_CUT_CAP * planner.FAST_REQUEST_BUDGET
    (d,) = Gemv(m=1, n=40960, k=32768).candidates(h, prune=True)[0]  # 2.7 GB, 1280 tiles of 2 MiB
    p = planner.plan(h, d)
    assert p is not None and p[0] == "tiles+bytes" and len(planner.leaves(h, d, p)) == 4
    (est,) = planner.run(h, [d], "fast")
    s = p[6]
    whole = accelsim._core.simulate_kernels(planner.sliced_machine(core.machine_dict(h), s),
                                            [dict(d, n_tiles=-(-d["n_tiles"] // s))], "fast")[0]
    assert est["time_ps"] == pytest.approx(whole["time_ps"], rel=0.015)
    assert est["dram_read_bytes"] == d["n_tiles"] * d["tile_read_bytes"]
    assert est["dram_write_bytes"] == d["n_tiles"] * d["tile_write_bytes"]
    assert est["dram_requests"] == d["n_tiles"] * d["tile_read_bytes"] // h.dram.interleave_bytes + d["n_tiles"]


def test_unsliceable_machine_still_shortens_long_kernels() -> None:
    """131 units (prime) cannot be sliced: a long kernel falls back to whole-wave truncation."""
    import dataclasses

    h = presets.load("h100-sxm")
    odd = dataclasses.replace(h, compute=dataclasses.replace(h.compute, units=131))
    (d,) = Gemv(m=1, n=57344, k=8192).candidates(odd, prune=True)[0]
    p = planner.plan(odd, d)
    assert p is not None and p[6] == 1 and p[0] in ("tiles", "bytes", "tiles+bytes")
    t = simulate(odd, Gemv(m=1, n=57344, k=8192)).time_s
    whole = _whole_machine_ps(odd, [d])
    assert t == pytest.approx(whole * 1e-12, rel=0.03)  # against simulating it whole


@pytest.mark.parametrize("g", [Gemv(m=128, n=57344, k=8192), Gemv(m=32, n=8512, k=4096)])
def test_screening_keeps_a_candidate_within_a_percent_of_the_fastest(g: Gemv) -> None:
    """Tilings are first compared on cheaper runs on the slice; only the winner runs as usual. The result is
    that candidate's usual run, and within 1% of the fastest tiling simulated whole on the whole machine.
    (The 8512 x 4096 GEMM's 266-tile tiling has a two-tile tail that a slice rounded to the nearest tile
    count dropped; screening then picked it, 4.1% slower: found in review.)"""
    h = presets.load("h100-sxm")
    cands = g.candidates(h, prune=True)
    assert len(cands) == 2
    assert any(planner.plan(h, d, True) != planner.plan(h, d) for c in cands for d in c)
    usual = [sum(r["time_ps"] for r in planner.run(h, c, "fast")) for c in cands]
    whole = [_whole_machine_ps(h, c) for c in cands]
    t = simulate(h, g).kernels[0].time_s
    assert any(t == pytest.approx(f * 1e-12, rel=1e-12) for f in usual)
    assert t <= min(whole) * 1e-12 * 1.01


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

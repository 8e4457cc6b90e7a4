"""Hardening: thread-safety and determinism of the core, pickling, golden files, resource limits, no leaks.

The full-size versions are in benchmarks/ (stress_threads.py: 8 threads x 200 simulations;
bounded_memory.py: 1,000,000 kernels and RSS over 10x more repeated simulations).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import pickle
import random
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings

import accelsim
from accelsim import ConfigError, io, presets
from accelsim.engine import limits

import fuzz_cases
from strategies import valid_architectures

from accelsim.engine import simulate as _sim
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"


# --- threads ---------------------------------------------------------------------------------------------


def random_jobs(n: int, seed: int) -> list[tuple]:
    """n random valid (arch, kernel, fidelity) simulations, small enough for CI."""
    rng = random.Random(seed)
    jobs: list[tuple] = []
    while len(jobs) < n:
        try:
            arch = fuzz_cases.random_arch(rng)
            k = fuzz_cases.make_kernel(rng, p_junk=0.0)
        except ConfigError:
            continue
        fid = rng.choice(["fast", "fast", "fast", "detailed", "roofline"])
        if fid == "detailed" and k.bytes_moved() > 1 << 18:
            fid = "fast"
        jobs.append((arch, k, fid))
    return jobs


def simulate_uncached(job: tuple) -> object:
    """One simulation that bypasses simulate()'s cache, so that every call runs the core."""
    arch, k, fid = job
    try:
        return _sim.simulate_one.__wrapped__(arch, k, fid)
    except ConfigError as e:  # e.g. a kernel with no math on this machine: must be deterministic too
        return ("ConfigError", e.field, str(e))


def test_threads_give_bit_identical_results() -> None:
    jobs = random_jobs(8 * 25, seed=11)
    serial = [simulate_uncached(j) for j in jobs]
    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(simulate_uncached, jobs))
    assert parallel == serial  # KernelRow equality: every field, floats bit for bit
    assert sum(isinstance(r, _sim.KernelRow) for r in serial) > len(jobs) // 2


def test_threads_hammering_one_simulation() -> None:
    """Many threads running the same simulation at once (shared inputs, no shared mutable state)."""
    job = (presets.load("h100-sxm"), accelsim.Gemv(m=2, n=2048, k=2048), "fast")
    ref = simulate_uncached(job)
    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        assert all(r == ref for r in pool.map(simulate_uncached, [job] * 32))


# --- pickling and processes ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(arch=valid_architectures())
def test_architectures_pickle(arch: accelsim.Architecture) -> None:
    back = pickle.loads(pickle.dumps(arch, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == arch and hash(back) == hash(arch)


def test_kernels_results_models_errors_pickle() -> None:
    arch = presets.load("h200")
    kernels = [accelsim.Gemv(m=1, n=512, k=512, weight_dtype="int4", group_size=128),
               accelsim.Elementwise(n_elements=1000, reads=2),
               accelsim.DecodeAttention(batch=2, q_heads=8, kv_heads=2, head_dim=64, context=300, kv_dtype="fp8"),
               accelsim.Moe(tokens=2, n_experts=8, top_k=2, d_model=256, expert_d_ff=256, routing_zipf_s=1.1)]
    objs: list[object] = list(kernels)
    r = accelsim.simulate(arch, kernels)
    objs += [r, r.kernels[0], accelsim.decode_step(arch, "llama-3-8b", batch=1, context=128, workers=1),
             accelsim.models.load("deepseek-v3")]
    for o in objs:
        assert pickle.loads(pickle.dumps(o)) == o
    e = ConfigError("dram.tRCD_ns", "must be > 0", -1.0)
    b = pickle.loads(pickle.dumps(e))
    assert (type(b), b.field, b.reason, b.value, str(b)) == (ConfigError, e.field, e.reason, e.value, str(e))


def test_process_pool_gives_the_same_results() -> None:
    jobs = random_jobs(12, seed=5)
    serial = [simulate_uncached(j) for j in jobs]
    ctx = multiprocessing.get_context("spawn")  # nothing inherited: everything crosses by pickle
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        assert list(pool.map(simulate_uncached, jobs)) == serial


# --- golden files: documents written by schema_version 1 must keep loading ---------------------------------


@pytest.mark.parametrize("path", sorted(p for p in GOLDEN.iterdir() if p.is_file()), ids=lambda p: p.name)  # sweeps/: test_sweep_hardening
def test_golden_files_load(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "schema_version" in text
    arch = io.load(path)
    assert io.load(io.dump(arch)) == arch  # and round-trip in the current writer
    assert io.load(io.dump(arch, fmt="json")) == arch
    assert accelsim.simulate(arch, accelsim.Gemv(m=1, n=1024, k=1024)).time_s > 0


def test_golden_values() -> None:
    h = io.load(GOLDEN / "h100-sxm.v1.yaml")
    assert (h.compute.units, h.dram.stacks, h.dram.tRCD_ns, h.l2.capacity_bytes) == (132, 5, 19.4, 52428800)
    c = io.load(GOLDEN / "custom-nol2.v1.yaml")
    assert c.l2 is None and c.dram.tRFCpb_ns == 160.0 and c.dram.stacks == 4 and c.compute.units == 96
    w = io.load(GOLDEN / "handwritten.v1.yaml")
    assert w.dram.tREFI_ns == 3900.0 and w.kernel_launch_overhead_ns == 2000.0
    assert w.compute.matrix_flops_per_cycle_per_unit.int4 == 0.0
    assert io.load(GOLDEN / "h200.v1.json").dram.kind == "hbm3e"


def test_other_schema_versions_are_refused_by_name() -> None:
    text = (GOLDEN / "h100-sxm.v1.yaml").read_text().replace("schema_version: 1", "schema_version: 3")
    with pytest.raises(ConfigError) as ei:
        io.load(text)
    assert ei.value.field == "schema_version" and "reads 1, 2" in str(ei.value)


# --- bounded resources ---------------------------------------------------------------------------------


def test_absurd_tensors_are_refused_with_the_limit() -> None:
    with pytest.raises(ConfigError, match="n_elements.*between 1 and 70368744177664"):
        accelsim.Elementwise(n_elements=10**18)
    with pytest.raises(ConfigError, match="2\\^46"):
        accelsim.Gemv(m=1, n=10**9, k=10**9)
    with pytest.raises(ConfigError, match="4 PB"):
        accelsim.simulate(presets.load("h100-sxm"),
                          accelsim.DecodeAttention(batch=2**20, q_heads=64, kv_heads=64, head_dim=256, context=2**30))


def test_machines_the_engine_cannot_hold_are_refused() -> None:
    big = presets.load("h100-sxm").with_field("compute.units", 2**30)  # was std::bad_alloc in the core
    k = accelsim.Gemv(m=1, n=64, k=64)
    with pytest.raises(ConfigError, match=f"at most {limits.MAX_SIM_UNITS} units") as ei:
        accelsim.simulate(big, k)
    assert ei.value.field == "compute.units"
    assert accelsim.simulate(big, k, fidelity="roofline").time_s > 0  # roofline keeps no per-unit state
    banks = presets.load("h100-sxm").with_field("dram.channels_per_stack", 2**14)
    with pytest.raises(ConfigError, match="DRAM banks"):
        accelsim.simulate(banks, k)


def test_kernel_count_and_detailed_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    arch = presets.load("h100-sxm")
    k = accelsim.Gemv(m=1, n=64, k=64)
    monkeypatch.setattr(limits, "MAX_KERNELS_PER_CALL", 1000)
    monkeypatch.setattr(_sim, "MAX_KERNELS_PER_CALL", 1000)
    assert len(accelsim.simulate(arch, [k] * 1000).kernels) == 1000
    with pytest.raises(ConfigError, match="more than 1000 kernels"):
        accelsim.simulate(arch, (k for _ in range(10**12)))  # an endless generator is not drained
    monkeypatch.setattr(limits, "MAX_DETAILED_REQUESTS", 100)
    accelsim.clear_cache()
    with pytest.raises(ConfigError, match="detailed simulation of more than 100"):
        accelsim.simulate(arch, accelsim.Gemv(m=1, n=1024, k=1024), fidelity="detailed")


def test_long_kernel_list_memory_is_per_reference_not_per_row() -> None:
    arch = presets.load("h100-sxm")
    kinds = [accelsim.Gemv(m=1, n=1024, k=1024), accelsim.Elementwise(n_elements=4096),
             accelsim.DecodeAttention(batch=1, q_heads=8, kv_heads=8, head_dim=64, context=128)]
    ks = [kinds[i % 3] for i in range(100_000)]
    accelsim.simulate(arch, kinds)  # warm the cache
    tracemalloc.start()
    r = accelsim.simulate(arch, ks)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(r.kernels) == 100_000
    assert peak < 24 * len(ks) + (1 << 20)  # a list + a tuple of references, no per-kernel objects


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_repeated_simulations_do_not_grow_memory() -> None:
    arch = presets.load("h100-sxm")

    def batch(n: int) -> None:
        for i in range(n):
            accelsim.clear_cache()
            accelsim.simulate(arch, [accelsim.Gemv(m=1 + i % 3, n=512 + 64 * (i % 5), k=512),
                                     accelsim.DecodeAttention(batch=1, q_heads=8, kv_heads=8, head_dim=64,
                                                              context=100 + i % 7)])

    batch(50)  # warm-up: allocator pools, caches of the interpreter
    r0 = _rss_bytes()
    batch(50)
    r1 = _rss_bytes()
    batch(500)
    r2 = _rss_bytes()
    accelsim.clear_cache()
    # 10x more simulations may not cost 10x the growth of the first batch (plus allocator slack)
    assert r2 - r1 <= max(4 * (r1 - r0), 0) + (4 << 20), (r0, r1, r2)


@pytest.mark.parametrize("path", ["compute.vector_flops_per_cycle_per_unit", "compute.load_bytes_per_cycle_per_unit",
                                  "compute.matrix_flops_per_cycle_per_unit.bf16", "dram.data_rate_gbps"])
def test_absurdly_slow_machines_are_refused_not_overflowed(path: str) -> None:
    """1e-300 per cycle used to overflow the core's 64-bit picosecond clock and return ~1 us; a subnormal
    rate (5e-324) underflowed to 0.0 and was a ZeroDivisionError. Both are refused where they are set (below
    1 byte or FLOP per second); a rate just above that is refused before it is simulated."""
    base = presets.load("h100-sxm")
    for tiny in (1e-300, 5e-324):
        with pytest.raises(ConfigError) as ei:
            base.with_field(path, tiny)
        assert ei.value.field == path and "per second" in str(ei.value)
    arch = base.with_field(path, 1e-8 if path == "dram.data_rate_gbps" else 1e-9)  # a few per second: valid
    ks = [accelsim.Gemv(m=1, n=16384, k=16384, weight_dtype="int4"),
          accelsim.Elementwise(n_elements=1 << 24, flops_per_element=64)]
    if "matrix" in path:
        ks = ks[:1]  # an elementwise kernel has no matrix math
    for fid in accelsim.FIDELITIES:
        for k in ks:
            try:
                r = accelsim.simulate(arch, k, fidelity=fid)
            except ConfigError as e:
                assert "more than 1e+18 ps" in str(e) or "refreshes to simulate" in str(e), (fid, k, e)
                assert e.field.endswith(".duration") or e.field == path, (fid, k, e)
            else:  # roofline simulates no DRAM: a slow pin rate is a long, finite answer
                assert fid == "roofline" and path == "dram.data_rate_gbps" and r.time_s < 1e6, (fid, k, r.time_s)


def test_refresh_stagger_overflow_is_refused() -> None:
    arch = (presets.load("h100-sxm").with_field("dram.tREFI_ns", 1e12).with_field("dram.stacks", 64)
            .with_field("dram.channels_per_stack", 128))
    with pytest.raises(ConfigError) as ei:
        accelsim.simulate(arch, accelsim.Gemv(m=1, n=64, k=64))
    assert ei.value.field == "dram.tREFI_ns"


def test_runs_that_would_queue_too_many_requests_at_once_are_refused() -> None:
    """Reads queue up to every unit's in-flight window, posted writes all at once: a run that could hold more
    than MAX_OUTSTANDING_REQUESTS at once is a ConfigError naming the cause, not a std::bad_alloc or the OOM
    killer (the fuzzer's 800 GB fill). Within the limit it simulates."""
    from accelsim.engine import limits

    h = presets.load("h100-sxm")
    # (the local SRAM caps the window too: a unit without one, 0, takes the in-flight field as it is)
    huge = h.with_field("compute.max_inflight_bytes_per_unit", 2**40).with_field("compute.local_sram_bytes_per_unit", 0)
    assert h.with_field("compute.max_inflight_bytes_per_unit", 2**40).compute.inflight_bytes_per_unit == 256 * 1024
    g = accelsim.Gemv(m=1, n=32768, k=16384)  # 1 GiB of weights: 2**25 bursts
    with pytest.raises(ConfigError) as ei:
        accelsim.simulate(huge, g, fidelity="detailed")
    assert ei.value.field == "compute.max_inflight_bytes_per_unit"
    assert accelsim.simulate(huge, g).time_s > 0  # fast's runs are cut to the budget: few enough at once
    fill = {"name": "fill", "n_tiles": 264, "tile_read_bytes": 0, "tile_write_bytes": 3 << 30}
    with pytest.raises(ConfigError) as ei:
        limits.check_outstanding(h, fill, [fill], "fast")
    assert ei.value.field == "fill.size"
    limits.check_outstanding(h, fill, [fill], "roofline")


def test_fast_runs_the_truncation_cannot_shorten_are_refused() -> None:
    """A machine with 2**20 units makes every wave too big to truncate: 2**37 requests would run for days."""
    arch = presets.load("h100-sxm").with_field("compute.units", 2**20)
    with pytest.raises(ConfigError, match="fast simulation of more than"):
        accelsim.simulate(arch, accelsim.Elementwise(n_elements=2**46, dtype="fp32"))
    assert accelsim.simulate(arch, accelsim.Elementwise(n_elements=2**46, dtype="fp32"), fidelity="roofline").time_s > 0

"""DRAM oracle tests: the C++ core (through ``accelsim.engine.core.run_flat``) against closed-form DRAM timing.

A tiny machine is derived from the h100-sxm preset (one unit, one stack / channel / pseudo-channel where
useful, no unit<->controller latency, no launch overhead) so that every figure below follows from the
JEDEC-style timings alone:

- unloaded latency of one 32 B read on a closed bank = tRCD + tCL + tBL (+ access latency);
- a sequential read stream approaches burst_bytes / tBL per pseudo-channel, less refresh (tRFC / tREFI);
- on a single bank, a stream where every burst opens a new row costs tRP + tRCD more per extra miss
  than a row-hit stream (when tRAS does not bind), and tRC - tCCD_L (tRC = tRAS + tRP) when it does;
- ``fast`` agrees with ``detailed`` on the calibration GEMVs;
- results are bit-identical across runs and threads.

Where the model currently misses the bound, the case is marked xfail with the figure measured when the
test was written (the bounds are NOT loosened).
"""

from __future__ import annotations

import concurrent.futures
import json
import pathlib

import pytest

import accelsim
from accelsim.workload.kernels import tile_desc
from accelsim.engine.core import machine_dict, run_flat

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "h100_sxm_decode_kernels.json"
H100 = accelsim.presets.load("h100-sxm")


# ----------------------------------------------------------------------------------------- helpers


def _ps(ns: float) -> int:
    """The core's only ns -> ps conversion (round to nearest)."""
    return int(ns * 1000.0 + 0.5)


def tiny_arch(**fields: object) -> accelsim.Architecture:
    """h100-sxm cut down to one unit and one pseudo-channel, zero access latency and launch overhead."""
    a = H100
    base = {
        "compute.units": 1,
        "dram.stacks": 1,
        "dram.channels_per_stack": 1,
        "dram.pseudo_channels_per_channel": 1,
        "dram.access_latency_ns": 0.0,
        "kernel_launch_overhead_ns": 0.0,
    }
    base.update(fields)
    for path, v in base.items():
        a = a.with_field(path, v)
    return a


def run(machine: dict, fidelity: str = "detailed", **kernel: object) -> dict:
    out = run_flat(machine, [tile_desc("oracle", **kernel)], fidelity)
    assert len(out) == 1
    return out[0]


def pc_peak_bytes_per_ps(m: dict) -> float:
    """Peak of one pseudo-channel as the core sees it (tBL rounded to whole ps)."""
    return m["burst_bytes"] / _ps(m["tBL_ns"])


def stream_bw(m: dict, fidelity: str, total_bytes: int, tile_bytes: int) -> tuple[float, dict]:
    r = run(m, fidelity, n_tiles=total_bytes // tile_bytes, tile_read_bytes=tile_bytes, tiles_per_unit=2)
    assert r["dram_read_bytes"] == total_bytes
    assert r["dram_write_bytes"] == 0
    return r["dram_read_bytes"] / r["body_ps"], r


# The detailed controller first issued only the commands of the single request with the earliest column
# time, so every row switch exposed ~tRCD (0.62-0.76 of peak). It then activated queued rows ahead on the
# row-command bus, but only on closed banks (~0.8-0.87); now it also precharges ahead (a PRE + ACT
# sequence may start by the horizon) and FR-FCFS breaks ties by true request age, which lifts one
# pseudo-channel to ~0.98 of peak without refresh in both fidelities.


# --------------------------------------------------------------------------------- unloaded latency


@pytest.mark.parametrize("access_latency_ns", [0.0, 330.0, 17.3])
def test_unloaded_read_latency_closed_bank(access_latency_ns: float) -> None:
    a = tiny_arch(**{"dram.access_latency_ns": access_latency_ns})
    m = machine_dict(a)
    r = run(m, "detailed", n_tiles=1, tile_read_bytes=m["burst_bytes"])
    d = a.dram
    t_bl_ns = d.burst_length / d.data_rate_gbps
    expect_ps = (d.tRCD_ns + d.tCL_ns + t_bl_ns + access_latency_ns) * 1000.0
    assert r["dram_requests"] == 1 and r["row_misses"] == 1 and r["row_hits"] == 0
    # each timing is rounded to the ps on its own, and the access latency is split in two halves
    assert abs(r["first_data_ps"] - expect_ps) <= 2.0, (r["first_data_ps"], expect_ps)
    assert r["first_data_ps"] == (
        _ps(d.tRCD_ns) + _ps(d.tCL_ns) + _ps(t_bl_ns) + _ps(access_latency_ns)
    ), "ACT then RD on a closed bank: tRCD + tCL + tBL + access latency"
    assert r["dram_bus_busy_ps"] == _ps(t_bl_ns)


def test_unloaded_latency_matches_at_fast_fidelity_for_one_burst() -> None:
    """A one-burst request is one request in either mode, so the latency is the same."""
    m = machine_dict(tiny_arch())
    det = run(m, "detailed", n_tiles=1, tile_read_bytes=32)
    fast = run(m, "fast", n_tiles=1, tile_read_bytes=32)
    assert fast["first_data_ps"] == det["first_data_ps"]


# ---------------------------------------------------------------------------------- streaming bandwidth

_PC_BYTES = 4 << 20  # 4 MiB through one pseudo-channel: ~200 us, ~50 refresh intervals
_STACK_BYTES = 32 << 20  # 32 MiB through a whole stack (32 pseudo-channels)


@pytest.mark.parametrize("fidelity", ["fast", "detailed"])
def test_pc_stream_bandwidth_with_refresh(fidelity: str) -> None:
    m = machine_dict(tiny_arch())
    peak = pc_peak_bytes_per_ps(m)
    bw, r = stream_bw(m, fidelity, _PC_BYTES, 64 << 10)
    frac = bw / peak
    lo = (1 - m["tRFC_ns"] / m["tREFI_ns"]) * 0.85
    assert r["refreshes"] > 10
    assert lo <= frac <= 1.0, f"{fidelity}: {frac:.3f} of peak, expected [{lo:.3f}, 1.0]"


@pytest.mark.parametrize("fidelity", ["fast", "detailed"])
def test_pc_stream_bandwidth_without_refresh(fidelity: str) -> None:
    m = machine_dict(tiny_arch(**{"dram.tRFC_ns": 0.0}))
    peak = pc_peak_bytes_per_ps(m)
    bw, _ = stream_bw(m, fidelity, _PC_BYTES, 64 << 10)
    frac = bw / peak
    assert 0.9 <= frac <= 1.0, f"{fidelity}: {frac:.3f} of peak without refresh, expected >= 0.9"


def _stack_machine(units: int, trfc_ns: float | None = None) -> dict:
    fields: dict = {"dram.channels_per_stack": 16, "dram.pseudo_channels_per_channel": 2, "compute.units": units}
    if trfc_ns is not None:
        fields["dram.tRFC_ns"] = trfc_ns
    m = machine_dict(tiny_arch(**fields))
    if units == 1:  # one unit must be able to keep the whole stack busy: lift its own limits
        m["max_inflight_bytes_per_unit"] = 1 << 22
        m["load_bytes_per_ps_per_unit"] = 10.0
    else:
        m["max_inflight_bytes_per_unit"] = 1 << 20
    return m


@pytest.mark.parametrize(
    "fidelity,units",
    [("fast", 1), ("fast", 8), ("detailed", 1), ("detailed", 8)],
)
def test_stack_stream_bandwidth_with_refresh(fidelity: str, units: int) -> None:
    m = _stack_machine(units)
    peak = 32 * pc_peak_bytes_per_ps(m)
    bw, _ = stream_bw(m, fidelity, _STACK_BYTES, 512 << 10)
    frac = bw / peak
    lo = (1 - m["tRFC_ns"] / m["tREFI_ns"]) * 0.85
    assert lo <= frac <= 1.0, f"{fidelity}, {units} unit(s): {frac:.3f} of stack peak, expected [{lo:.3f}, 1.0]"


@pytest.mark.parametrize("units", [1, 8])
@pytest.mark.parametrize("fidelity", ["fast", "detailed"])
def test_stack_stream_bandwidth_without_refresh(fidelity: str, units: int) -> None:
    m = _stack_machine(units, trfc_ns=0.0)
    peak = 32 * pc_peak_bytes_per_ps(m)
    bw, _ = stream_bw(m, fidelity, _STACK_BYTES, 512 << 10)
    frac = bw / peak
    assert 0.9 <= frac <= 1.0, f"{fidelity}, {units} unit(s): {frac:.3f} of stack peak without refresh"


@pytest.mark.parametrize("fidelity", ["fast", "detailed"])
def test_refresh_costs_trfc_over_trefi(fidelity: str) -> None:
    a = tiny_arch()
    with_ref = machine_dict(a)
    no_ref = machine_dict(a.with_field("dram.tRFC_ns", 0.0))
    bw_ref, r_ref = stream_bw(with_ref, fidelity, _PC_BYTES, 64 << 10)
    bw_no, _ = stream_bw(no_ref, fidelity, _PC_BYTES, 64 << 10)
    expect = 1 - with_ref["tRFC_ns"] / with_ref["tREFI_ns"]
    ratio = bw_ref / bw_no
    assert r_ref["refreshes"] >= 40
    assert ratio == pytest.approx(expect, abs=0.02), f"{fidelity}: ratio {ratio:.4f}, 1 - tRFC/tREFI = {expect:.4f}"


# ------------------------------------------------------------------------------------- row hits/misses


def _single_bank(**fields: object) -> accelsim.Architecture:
    base = {"dram.bank_groups": 1, "dram.banks_per_group": 1, "dram.tREFI_ns": 1e9}  # no refresh in the run
    base.update(fields)
    return tiny_arch(**base)


_N_BURSTS = 2048  # 64 KiB in 32 B bursts


def _hit_and_miss_runs(a: accelsim.Architecture, fidelity: str) -> tuple[dict, dict]:
    hit_m = machine_dict(a.replace(dram=a.dram.replace(row_bytes=1024, interleave_bytes=1024)))
    miss_m = machine_dict(a.replace(dram=a.dram.replace(row_bytes=32, interleave_bytes=32)))
    kw = dict(n_tiles=16, tile_read_bytes=4096, tiles_per_unit=2)
    return run(hit_m, fidelity, **kw), run(miss_m, fidelity, **kw)


@pytest.mark.parametrize("fidelity", ["fast", "detailed"])
def test_row_miss_stream_counts_and_is_slower(fidelity: str) -> None:
    hit, miss = _hit_and_miss_runs(_single_bank(), fidelity)
    assert miss["row_misses"] == _N_BURSTS and miss["row_hits"] == 0
    assert hit["row_misses"] == 64  # one per 1 KiB row
    if fidelity == "detailed":
        assert hit["row_hits"] == _N_BURSTS - 64
    assert miss["body_ps"] > 5 * hit["body_ps"]


@pytest.mark.parametrize("fidelity", ["fast", "detailed"])
def test_row_miss_cost_is_trp_plus_trcd_when_tras_does_not_bind(fidelity: str) -> None:
    """tRAS = tRCD: a miss on the one bank costs PRE->ACT (tRP) + ACT->RD (tRCD) more than a hit."""
    a = _single_bank()
    a = a.with_field("dram.tRAS_ns", a.dram.tRCD_ns)
    hit, miss = _hit_and_miss_runs(a, fidelity)
    extra = miss["row_misses"] - hit["row_misses"]
    per_miss = (miss["body_ps"] - hit["body_ps"]) / extra
    expect = _ps(a.dram.tRP_ns) + _ps(a.dram.tRCD_ns)
    assert per_miss == pytest.approx(expect, rel=0.01), (per_miss, expect)


def test_row_miss_cost_is_trc_bound_with_preset_tras() -> None:
    """With the preset's tRAS > tRCD, back-to-back misses on one bank are tRC = tRAS + tRP apart."""
    a = _single_bank()
    d = a.dram
    hit, miss = _hit_and_miss_runs(a, "detailed")
    t_ccd_l = _ps(d.tCCD_L_ns)
    assert miss["body_ps"] / _N_BURSTS == pytest.approx(_ps(d.tRAS_ns) + _ps(d.tRP_ns), rel=0.01)
    extra = miss["row_misses"] - hit["row_misses"]
    per_miss = (miss["body_ps"] - hit["body_ps"]) / extra
    # the hit stream pays tCCD_L per burst (one bank group) and tRP + tRCD (+ one tCCD_L) per row
    assert per_miss == pytest.approx(_ps(d.tRAS_ns) + _ps(d.tRP_ns) - t_ccd_l, rel=0.02)


# ------------------------------------------------------------------------------------- fast vs detailed


def _gemv_rows() -> dict[tuple[str, str, int], dict]:
    rows = json.loads(DATA.read_text())["gemv"]
    return {(g["shape"], g["dtype"], g["M"]): g for g in rows}


_DTYPE = {"fp8e4m3": "fp8"}

# (shape, dtype, M), and the fast-vs-detailed difference measured when this test was written (None: within 3%)
_GEMV_CASES = [
    (("small_1k", "bf16", 1), None),
    (("small_2k", "bf16", 1024), None),
    (("l8b_o", "bf16", 1024), None),
    # latency-bound (few units streaming): fast was +3.3% when detailed freed in-flight budget per 32 B
    # burst instead of per load (now -0.6%)
    (("wide_512x8k", "bf16", 1), None),
    # two 16 KB tiles resident per unit: -4.0% under per-burst budget (now -2.3%)
    (("tall_4kx1k", "bf16", 256), None),
    # the write-heavy M = 256 tiling: in detailed, once the bus turns to writes, row-hit write bursts
    # (rows opened ahead) are always due before a read, which must wait tWTR, so reads starve for a few
    # microseconds; fast's one-request-per-granule writes each need an ACT and queue in age order
    (("tall_8kx512", "bf16", 256), "-4.6%"),
    (("l8b_o", "bf16", 1), None),
    (("l8b_down", "bf16", 1), None),
    (("l70b_o", "fp8e4m3", 16), None),
]


def _case_param(key: tuple[str, str, int], measured: str | None):
    marks = ()
    if measured is not None:
        marks = (pytest.mark.xfail(reason=f"fast differs from detailed on this GEMV by {measured}",
                                   strict=False),)
    return pytest.param(key, id=f"{key[0]}-{key[1]}-M{key[2]}", marks=marks)


@pytest.mark.parametrize("key", [_case_param(k, m) for k, m in _GEMV_CASES])
def test_fast_within_3pct_of_detailed_on_calibration_gemvs(key: tuple[str, str, int]) -> None:
    g = _gemv_rows()[key]
    k = accelsim.Gemv(m=g["M"], n=g["N"], k=g["K"], dtype=_DTYPE.get(g["dtype"], g["dtype"]))
    fast = accelsim.simulate(H100, k, fidelity="fast").time_s
    det = accelsim.simulate(H100, k, fidelity="detailed").time_s
    rel = (fast - det) / det
    assert abs(rel) <= 0.03, f"{key}: fast {fast * 1e6:.2f} us, detailed {det * 1e6:.2f} us ({rel * 100:+.2f}%)"


# ---------------------------------------------------------------------------------------- determinism


def _determinism_jobs() -> list[tuple[dict, dict, str]]:
    jobs = []
    tiny = machine_dict(tiny_arch())
    stack = _stack_machine(8)
    h = machine_dict(H100)
    jobs.append((tiny, tile_desc("pc_stream", n_tiles=32, tile_read_bytes=16 << 10, tiles_per_unit=2), "detailed"))
    jobs.append((stack, tile_desc("stack_stream", n_tiles=64, tile_read_bytes=64 << 10, tile_write_bytes=4096,
                              tiles_per_unit=2), "detailed"))
    for kern in (accelsim.Gemv(m=1, n=2048, k=2048), accelsim.Gemv(m=64, n=1024, k=2048),
                 accelsim.Elementwise(n_elements=1 << 20, reads=2, writes=1)):
        for fid in ("fast", "detailed"):
            for d in kern.lower(H100):
                jobs.append((h, d, fid))
    return jobs


def test_deterministic_across_runs_and_threads() -> None:
    jobs = _determinism_jobs()

    def one(job: tuple[dict, dict, str]) -> list[dict]:
        m, d, fid = job
        return run_flat(m, [d], fid)

    first = [one(j) for j in jobs]
    second = [one(j) for j in jobs]
    assert first == second
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        threaded = list(ex.map(one, jobs * 2))
    assert threaded == first + first
    for rows in first:  # every field was compared, and the runs did real work
        assert rows[0]["events"] > 0 and rows[0]["time_ps"] > 0


def test_public_simulate_deterministic_across_threads() -> None:
    kernels = [accelsim.Gemv(m=1, n=4096, k=4096), accelsim.Gemv(m=8, n=2048, k=2048),
               accelsim.Elementwise(n_elements=1 << 20, reads=2, writes=1)]

    def one(k: object) -> dict:
        return accelsim.simulate(H100, k, fidelity="detailed").kernels[0].as_dict()

    accelsim.clear_cache()
    serial = [one(k) for k in kernels]
    accelsim.clear_cache()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        threaded = list(ex.map(one, kernels))
    assert threaded == serial

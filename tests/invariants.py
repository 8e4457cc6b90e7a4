"""Checks of answers that must hold for every machine and kernel: counters non-negative and consistent,
times never below the roofline floor and never shorter for more work, weight-only quantization never
slower than bf16, more DRAM stacks never slower. Shared by tests/engine/test_invariants.py (hypothesis, CI)
and the fuzz cases (tests/fuzz_cases.py, benchmarks/fuzz.py). Each check raises AssertionError with the
case in the message."""

from __future__ import annotations

import math
from typing import Any

from accelsim import Architecture, simulate
from accelsim.workload.kernels import DecodeAttention, Gemv

#: relative slack of "never faster / never slower": the engine's discrete-event tails (which unit takes the
#: last tiles, where a refresh falls) move a time by up to a fraction of a percent between neighbours
MONOTONE_TOL = 0.02
_COUNTS = ("dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "dram_requests", "row_hits", "row_misses",
           "refreshes", "events", "activates", "flash_read_bytes", "interface_bytes")


def check_row(arch: Architecture, row: Any, kernel: Any, fidelity: str = "fast") -> None:
    """Every counter an int >= 0; each DRAM request a row hit or a row miss; every miss an activation; the
    time finite, positive and not below the roofline floor."""
    for name in _COUNTS:
        v = getattr(row, name)
        assert isinstance(v, int) and not isinstance(v, bool), (name, v, kernel, arch.name)
        assert v >= 0, f"{name} = {v} < 0 for {kernel} on {arch.name} ({fidelity})"
    if fidelity != "roofline":
        assert row.row_hits + row.row_misses == row.dram_requests, (
            f"hits {row.row_hits} + misses {row.row_misses} != requests {row.dram_requests} for {kernel} on "
            f"{arch.name} ({fidelity})")
        assert row.activates >= row.row_misses, (row.activates, row.row_misses, kernel, arch.name)
    assert math.isfinite(row.time_s) and row.time_s > 0, (row.time_s, kernel, arch.name)
    assert 0 <= row.launch_s <= row.time_s, (row.launch_s, row.time_s)
    # no bandwidth above the pins: the DRAM bytes it moved took at least bytes / peak (whole picoseconds, one
    # kernel and its reduction: 2 ps of rounding; the core holds a burst's time on the pins in whole
    # picoseconds, rounded: up to half a picosecond per burst); near-memory units read at their internal
    # bandwidth
    t_bl_ps = arch.dram.burst_length / arch.dram.data_rate_gbps * 1e3
    peak = arch.peak_dram_bandwidth_bytes_per_s * (1 + 0.5 / max(t_bl_ps, 1.0))
    if row.placement in ("pnm", "pim_bankgroup", "pim_bank"):
        from accelsim.engine.nearmem import internal_peak_bandwidth_bytes_per_s

        peak = max(peak, internal_peak_bandwidth_bytes_per_s(arch) * (1 + 0.5 / max(t_bl_ps, 1.0)))
    moved = row.dram_read_bytes + row.dram_write_bytes
    assert moved <= peak * (row.time_s - row.launch_s + 2e-12) * (1 + 1e-9), (
        f"{kernel} on {arch.name} ({fidelity}): {moved} DRAM bytes in {row.time_s - row.launch_s} s, above the pins")


#: placements the batch / context property is not checked on: bank-level PIM attention (engine/nearmem.py,
#: QK^T and PV as all-bank GEMVs) was slower at a 1-token context than at 2 or 3 (a100a-attacc, 32 q-heads, 8
#: kv-heads: 5.17, 3.63, 3.34 us), fixed since (its GEMV tiles read whole bursts; that case is
#: test_pim_attention_never_faster_with_more_context), but not yet explored over random batches and contexts
PIM_ATTENTION = ("pim_bank", "pim_bankgroup")


def _time(arch: Architecture, kernel: Any) -> float:
    return simulate(arch, kernel).time_s


def _not_faster(t_small: float, t_large: float, what: str) -> None:
    assert t_large >= t_small * (1 - MONOTONE_TOL), f"{what}: {t_small * 1e6:.4f} us -> {t_large * 1e6:.4f} us " \
                                                    f"({t_large / t_small - 1:+.2%})"


def check_monotone_attention(arch: Architecture, hq: int, hkv: int, hd: int, batch: int, context: int, db: int,
                             dc: int) -> None:
    """A larger batch or context never makes decode attention faster."""
    def k(b: int, c: int) -> DecodeAttention:
        return DecodeAttention(batch=b, q_heads=hq, kv_heads=hkv, head_dim=hd, context=c)

    t = _time(arch, k(batch, context))
    if simulate(arch, k(batch, context)).kernels[0].placement in PIM_ATTENTION:
        return  # not yet: see PIM_ATTENTION
    _not_faster(t, _time(arch, k(batch + db, context)), f"{arch.name} {k(batch, context)} batch +{db}")
    _not_faster(t, _time(arch, k(batch, context + dc)), f"{arch.name} {k(batch, context)} context +{dc}")


def check_monotone_gemv(arch: Architecture, m: int, n: int, k: int, dm: int, dtype: str = "bf16",
                        bm: int = 16, bn: int = 64, split: int = 1) -> None:
    """More tokens (rows of x) never make a GEMV of a given tiling faster. (The tiling a GEMV gets is the
    library's choice, cuBLAS's split-K policy included, and that choice is not monotone in m on real
    hardware either: the H100 ground truth has 4096 x 4096 at M=16 in 16.6 us and at M=32 in 14.7 us.)
    The rows added stay in the M tiles the kernel has (its last one filled at most): another M tile streams
    the same W, and two units racing through it fetch ahead for each other through the L2 (more loads in
    flight), which can make the kernel faster -- a 64 x 256 GEMV on a100a at 16 x 64 tiles takes 3.62 us at
    m=1 and 3.53 us at m=17 -- as it can on a GPU."""
    from accelsim.engine.planner import run

    def t(mm: int) -> float:
        descs = Gemv(m=mm, n=n, k=k, dtype=dtype).tiling(arch, bm, bn, split)
        return sum(r["time_ps"] for r in run(arch, descs, "fast")) * 1e-12

    dm = min(dm, -(-m // bm) * bm - m)
    if dm <= 0:
        return
    _not_faster(t(m), t(m + dm), f"{arch.name} Gemv(m={m}, n={n}, k={k}, {dtype}) tiling {bm}x{bn}x{split} m +{dm}")


def converts_weights_fast(arch: Architecture) -> bool:
    """Whether the vector units convert weights (2 FLOP each) at least as fast as the DRAM streams them in
    bf16 (2 bytes each): the machines on which weight-only quantization can only save time. (An SRAM
    machine -- groq-lpu, cerebras-wse3 -- streams its weights faster than its vector units convert them.)"""
    return arch.compute.vector_flops_per_s >= arch.peak_dram_bandwidth_bytes_per_s


def check_weight_only(arch: Architecture, m: int, n: int, k: int, wdtype: str, group: int = 0) -> None:
    """A decode GEMV (m small) whose bf16 weight stream sets its pace (bandwidth- or flash-bound) is never
    slower with weight-only quantized weights (bf16 activations), on a machine that converts weights as fast
    as it streams them."""
    bf = Gemv(m=m, n=n, k=k, dtype="bf16")
    q = Gemv(m=m, n=n, k=k, dtype="bf16", weight_dtype=wdtype, group_size=group)
    r_bf, r_q = simulate(arch, bf).kernels[0], simulate(arch, q).kernels[0]
    if r_q.placement != r_bf.placement:
        return  # near-memory units that cannot run the quantized GEMV leave it to the host: another machine
    where = arch
    if r_q.placement in ("pnm", "pim_bankgroup", "pim_bank"):
        from accelsim.engine.nearmem import effective_arch

        where = effective_arch(arch)
    if not converts_weights_fast(where):
        return
    if r_bf.bound not in ("bandwidth", "flash"):
        # the weight stream does not set the pace (a GEMV too small to fill the machine is latency-bound):
        # fewer weight bytes need not save time, and the conversions on its few units may cost some (on
        # b200-hbf, 256 x 1346 at m=1 runs on 8 units: int8 3.08 us, bf16 3.02 us)
        return
    t_bf, t_q = r_bf.time_s, r_q.time_s
    assert t_q <= t_bf * (1 + MONOTONE_TOL), f"{arch.name} {q}: {t_q * 1e6:.4f} us > bf16 {t_bf * 1e6:.4f} us " \
                                             f"({t_q / t_bf - 1:+.2%})"


def check_more_stacks(arch: Architecture, kernel: Any, extra: int) -> None:
    """More DRAM stacks (more channels, more bandwidth) never make a kernel slower."""
    more = arch.with_field("dram.stacks", arch.dram.stacks + extra)
    t, t_more = _time(arch, kernel), _time(more, kernel)
    assert t_more <= t * (1 + MONOTONE_TOL), f"{arch.name} {kernel}: {arch.dram.stacks} -> " \
                                             f"{arch.dram.stacks + extra} stacks: {t * 1e6:.4f} -> {t_more * 1e6:.4f} us"

"""simulate(arch, kernels) -> Result: validate, lower each kernel onto the machine, run the C++ engine.

Each distinct (machine, kernel, fidelity) is simulated once per process and remembered: a model's
identical layers cost one simulation. Kernels run back to back; every kernel pays the machine's launch
overhead, so a list's time is exactly the sum of its kernels' times.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from typing import Any, Union

from . import _core
from .arch import DTYPES, Architecture
from .energy import kernel_energy_components, sum_components, total_j
from .errors import ConfigError
from .kernels import DecodeAttention, Elementwise, Gemv, Moe
from .limits import (MAX_KERNELS_PER_CALL, check_detailed, check_duration, check_fast, check_kernel_count, check_machine,
                     check_outstanding)

__all__ = ["simulate", "Result", "KernelRow", "FIDELITIES", "machine_dict", "clear_cache"]

FIDELITIES = ("fast", "detailed", "roofline")
KernelLike = Union[Gemv, Elementwise, DecodeAttention, Moe]


def machine_dict(arch: Architecture) -> dict[str, Any]:
    """The flat description the C++ core reads (times in ns, rates per ps)."""
    c, d, l2 = arch.compute, arch.dram, arch.l2
    return dict(
        units=c.units,
        max_inflight_bytes_per_unit=c.max_inflight_bytes_per_unit,
        load_bytes_per_ps_per_unit=c.load_bytes_per_cycle_per_unit * c.clock_ghz * 1e-3,
        l2_present=l2 is not None,
        l2_capacity_bytes=l2.capacity_bytes if l2 else 0,
        l2_bytes_per_ps=(l2.bytes_per_cycle * l2.clock_ghz * 1e-3) if l2 else 1.0,
        l2_latency_ns=l2.latency_ns if l2 else 0.0,
        stacks=d.stacks,
        channels_per_stack=d.channels_per_stack,
        pseudo_channels_per_channel=d.pseudo_channels_per_channel,
        bank_groups=d.bank_groups,
        banks_per_group=d.banks_per_group,
        row_bytes=d.row_bytes,
        burst_bytes=d.burst_bytes,
        interleave_bytes=d.interleave_bytes,
        tBL_ns=d.burst_length / d.data_rate_gbps,  # BL beats at data_rate per pin
        tRCD_ns=d.tRCD_ns, tRP_ns=d.tRP_ns, tCL_ns=d.tCL_ns, tRAS_ns=d.tRAS_ns,
        tRRD_S_ns=d.tRRD_S_ns, tRRD_L_ns=d.tRRD_L_ns, tFAW_ns=d.tFAW_ns,
        tCCD_S_ns=d.tCCD_S_ns, tCCD_L_ns=d.tCCD_L_ns, tWTR_ns=d.tWTR_ns, tRTW_ns=d.tRTW_ns,
        tRFC_ns=d.tRFC_ns, tREFI_ns=d.tREFI_ns, tRFCpb_ns=d.tRFCpb_ns,
        access_latency_ns=d.access_latency_ns,
        launch_overhead_ns=arch.kernel_launch_overhead_ns,
    )


@dataclasses.dataclass(frozen=True)
class KernelRow:
    """One simulated kernel. Times in seconds, sizes in bytes."""

    name: str
    time_s: float
    launch_s: float
    dram_read_bytes: int
    dram_write_bytes: int
    l2_read_bytes: int
    flops: float
    bound: str  # "bandwidth" | "latency" | "compute" | "launch"
    roofline_s: float  # launch + max(bytes / peak bandwidth, flops / peak math)
    dram_requests: int
    row_hits: int
    row_misses: int
    refreshes: int
    events: int
    activates: int = 0  # DRAM row activations (ACT commands); estimated as bytes / row size in roofline
    # (component, joules) pairs from the machine's energy spec (see accelsim.energy); () without one
    energy_components_j: tuple[tuple[str, float], ...] = ()
    # where the kernel ran and what it read beyond DRAM (issue 4, nearmem.py); defaults = a host kernel
    placement: str = "host"  # "host" | "pnm" | "pim_bankgroup" | "pim_bank" | "host+hbf"
    flash_read_bytes: int = 0  # weight bytes streamed from High Bandwidth Flash
    interface_bytes: int = 0  # offloaded kernels: input broadcast + results crossing the host interface

    @property
    def energy_by_component_j(self) -> dict[str, float] | None:
        """{component: joules} (see accelsim.energy.COMPONENTS); None if the machine has no energy spec."""
        return dict(self.energy_components_j) if self.energy_components_j else None

    @property
    def energy_j(self) -> float:
        """Total energy of this kernel, joules (exact sum of the components); NaN without an energy spec."""
        return total_j(self.energy_by_component_j)

    @property
    def achieved_bandwidth_bytes_per_s(self) -> float:
        body = self.time_s - self.launch_s
        return (self.dram_read_bytes + self.dram_write_bytes) / body if body > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["achieved_bandwidth_bytes_per_s"] = self.achieved_bandwidth_bytes_per_s
        d.pop("energy_components_j", None)
        e = self.energy_j
        d["energy_j"] = e if math.isfinite(e) else None
        d["energy_by_component_j"] = self.energy_by_component_j
        return d


@dataclasses.dataclass(frozen=True)
class Result:
    """A simulated run: ``time_s`` for the whole sequence and one row per kernel in ``kernels``."""

    arch_name: str
    fidelity: str
    kernels: tuple[KernelRow, ...]

    @property
    def time_s(self) -> float:
        return sum(k.time_s for k in self.kernels)

    @property
    def dram_read_bytes(self) -> int:
        return sum(k.dram_read_bytes for k in self.kernels)

    @property
    def dram_write_bytes(self) -> int:
        return sum(k.dram_write_bytes for k in self.kernels)

    @property
    def flops(self) -> float:
        return sum(k.flops for k in self.kernels)

    @property
    def launch_s(self) -> float:
        return sum(k.launch_s for k in self.kernels)

    @property
    def energy_by_component_j(self) -> dict[str, float] | None:
        """{component: joules} over all kernels; None if the machine has no energy spec."""
        return sum_components((k.energy_components_j, 1.0) for k in self.kernels)

    @property
    def energy_j(self) -> float:
        """Total energy, joules (exact sum of ``energy_by_component_j``); NaN without an energy spec."""
        return total_j(self.energy_by_component_j)

    def table(self) -> str:
        """A plain-text per-kernel table."""
        lines = [f"{'kernel':24s} {'time_us':>10s} {'MB':>10s} {'GB/s':>8s} {'TFLOP/s':>8s}  bound"]
        for k in self.kernels:
            body = k.time_s - k.launch_s
            mb = (k.dram_read_bytes + k.dram_write_bytes) / 1e6
            tf = k.flops / k.time_s / 1e12 if k.time_s > 0 else 0.0
            lines.append(f"{k.name[:24]:24s} {k.time_s * 1e6:10.2f} {mb:10.2f} "
                         f"{(mb * 1e6 / body / 1e9 if body > 0 else 0):8.0f} {tf:8.1f}  {k.bound}")
        lines.append(f"{'total':24s} {self.time_s * 1e6:10.2f}")
        return "\n".join(lines)


def _classify(arch: Architecture, kernel: KernelLike, time_s: float, launch_s: float, flops: float,
              nbytes: int) -> tuple[str, float]:
    t_mem = nbytes / arch.peak_dram_bandwidth_bytes_per_s
    dtype = getattr(kernel, "math_dtype", "bf16") if isinstance(kernel, (Gemv, DecodeAttention, Moe)) else "fp32"
    if isinstance(kernel, Elementwise):
        peak = arch.compute.vector_flops_per_s
    else:
        peak = arch.peak_flops_per_s(dtype)
    t_cmp = flops / peak if peak > 0 else 0.0
    roof = launch_s + max(t_mem, t_cmp)
    body = time_s - launch_s
    if launch_s >= body:
        return "launch", roof
    if t_cmp >= t_mem and t_cmp >= 0.5 * body:
        return "compute", roof
    if t_mem >= 0.6 * body:
        return "bandwidth", roof
    return "latency", roof


#: `fast` simulates a kernel whole up to this many DRAM requests. A longer one is simulated whole on a
#: slice of the machine (see SLICE_FACTORS) up to SLICE_BUDGET_FACTOR x this many (a pure DRAM stream:
#: SLICE_BUDGET_FACTOR_STREAM x); beyond that it is
#: simulated at two truncations (whole waves of whole tiles, or every tile streaming the same fraction of
#: its bytes), each at most this long, and extrapolated linearly from its steady state:
#: time = a + b * size, exact while the kernel's waves and per-tile work are fixed.
FAST_REQUEST_BUDGET = 1 << 17
#: The shorter run is 1/TRUNCATION_RATIO of the longer one (where it stays in the steady state: at least
#: two in-flight windows per tile, or one wave): a wide base for the slope, for 1/TRUNCATION_RATIO more cost.
TRUNCATION_RATIO = 4

#: A long kernel runs on a slice of the machine: 1/s of its compute units, of its DRAM pseudo-channels and
#: of its on-chip bandwidth, with the same per-unit in-flight window, per-channel timing, address hashing
#: and tiles (n_tiles / s rounded up, so the last partial wave stays one; counts scaled back by the exact
#: ratio). When the kernel fills every unit, the units share the tiles alike and the hashed stream spreads
#: evenly over the channels, so a channel of the slice carries the load of a channel of the whole machine. On the H100 calibration kernels `fast` shortened this way errs against the whole-machine
#: simulation by at most 1.7% (GEMV, median 0.2%) and 1.2% (decode attention), and by at most 1.7% (median
#: 0.3%) on a sweep of 121 other GEMV tilings with partial last waves of every size, where extrapolating
#: truncated whole-machine runs erred by up to 4.8% (benchmarks/truncation_error.py). The slice keeps at least
#: SLICE_MIN_UNITS units and as many pseudo-channels. Its bias is slightly negative: the last of its units
#: finishes a little earlier than the last of s times as many would.
SLICE_FACTORS = (4, 2)
SLICE_MIN_UNITS = 16
SLICE_BUDGET_FACTOR = 4
#: A kernel that runs whole on a slice and is not a pure stream runs on the largest slice that keeps it
#: within FAST_REQUEST_BUDGET: half the machine up to 2 x the budget, rather than a quarter. The slice errs
#: most at the memory-to-compute transition with few waves (l70b_o bf16 M = 256: 135 K requests, 3.9 waves;
#: a quarter of the H100 -2.1% against the whole machine, half of it -0.2%). On the 30 tilings of H100
#: calibration GEMVs this applies to, the largest error against the whole machine drops from 2.55% to 1.72%
#: (mean 0.63% to 0.42%; the median stays about 0.3%), for at most the budget per kernel. Pure streams, most
#: of the long kernels, keep the quarter: on them it stays within 1.4% of `detailed`. Screening always runs
#: on the quarter.
#: Screening: when simulate() compares candidate tilings of a kernel of more than SCREEN_BUDGET requests,
#: each is first run on the slice where that costs at most half its own run: whole, or else as two
#: whole-wave truncations with a longer run of at most SCREEN_BUDGET requests. Only the winner then runs
#: as usual (as an autotuner times candidates briefly, then keeps one). With the wider tiling search this
#: keeps the winning tiling's time within 2.4% of the best whole-machine candidate (p90 0.6%) on the H100
#: calibration GEMVs.
SCREEN_BUDGET = FAST_REQUEST_BUDGET // 4
_SCALED = ("tile_read_bytes", "tile_shared_bytes", "tile_write_bytes")
_EXTRAPOLATED = ("time_ps", "body_ps", "dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "dram_requests",
                 "row_hits", "row_misses", "refreshes", "dram_bus_busy_ps", "compute_busy_ps", "events",
                 "activates")
_COUNTS = tuple(k for k in _EXTRAPOLATED if k not in ("time_ps", "body_ps"))  # sums over units / channels


def _slice_factors(arch: Architecture, n_tiles: int) -> list[int]:
    """The factors s in SLICE_FACTORS (largest first) that divide the machine, for a kernel of n_tiles."""
    dr = arch.dram
    units = arch.compute.units
    pcs = dr.stacks * dr.channels_per_stack * dr.pseudo_channels_per_channel
    if n_tiles < units:  # the slice's units must all be busy, as the whole machine's are
        return []
    return [s for s in SLICE_FACTORS
            if not (units % s or (dr.channels_per_stack % s and dr.stacks % s))
            and units // s >= SLICE_MIN_UNITS and pcs // s >= SLICE_MIN_UNITS]


def _slice_factor(arch: Architecture, n_tiles: int) -> int:
    """The largest s in SLICE_FACTORS that divides the machine, for a kernel of n_tiles (1: none)."""
    return next(iter(_slice_factors(arch, n_tiles)), 1)


#: A pure DRAM stream (kernels.STREAMING_BOUND_FACTOR) runs whole on the slice only up to 1 x the budget:
#: beyond it, its steady state makes the cuts exact enough (on the H100 calibration GEMVs of M <= 16 they
#: land within 0.3% of the whole slice) for 10% fewer requests over the set.
SLICE_BUDGET_FACTOR_STREAM = 1


def _pure_stream(arch: Architecture, d: dict[str, Any]) -> bool:
    """DRAM time at least kernels.STREAMING_BOUND_FACTOR x the math and on-chip time (peak rates)."""
    from .kernels import STREAMING_BOUND_FACTOR  # noqa: PLC0415

    dram_ps = _requests(arch, d) * arch.dram.interleave_bytes / (arch.peak_dram_bandwidth_bytes_per_s * 1e-12)
    math_ps = d["n_tiles"] * d["tile_flops"] / (d["flops_per_ps_per_unit"] * arch.compute.units)
    l2 = arch.l2
    l2_ps = d["n_tiles"] * d["tile_shared_bytes"] / (l2.bytes_per_cycle * l2.clock_ghz * 1e-3) if l2 else 0.0
    return dram_ps >= STREAMING_BOUND_FACTOR * max(math_ps, l2_ps)


def _sliced_machine(md: dict[str, Any], s: int) -> dict[str, Any]:
    """machine_dict of 1/s of the machine (see SLICE_FACTORS)."""
    if s == 1:
        return md
    m = dict(md, units=md["units"] // s, l2_bytes_per_ps=md["l2_bytes_per_ps"] / s)
    if md["channels_per_stack"] % s == 0:
        m["channels_per_stack"] = md["channels_per_stack"] // s
    else:
        m["stacks"] = md["stacks"] // s
    return m


def _truncated(desc: dict[str, Any], frac: float) -> dict[str, Any]:
    """Every tile streams ``frac`` of its bytes (and does that share of its math)."""
    d = dict(desc)
    for key in _SCALED:
        d[key] = max(1 if desc[key] > 0 else 0, int(round(desc[key] * frac)))
    d["tile_flops"] = desc["tile_flops"] * d["tile_read_bytes"] / max(1, desc["tile_read_bytes"])
    return d


def _requests(arch: Architecture, d: dict[str, Any]) -> float:
    """Interleave-granule DRAM requests of one kernel description (what `fast` simulates, one each)."""
    return d["n_tiles"] * (d["tile_read_bytes"] + d["tile_write_bytes"]) / arch.dram.interleave_bytes


_Plan = tuple[str, "dict[str, Any] | None", dict[str, Any], float, float, float, int, float]


def _plan(arch: Architecture, d: dict[str, Any], screen: bool = False) -> _Plan | None:
    """How `fast` shortens a long kernel: (axis, short desc or None, longer desc, x1, x2, x, slice, scale) or
    None.

    slice s > 1: the descs run on 1/s of the machine (_sliced_machine), with n_tiles / s tiles rounded up
    (the same number of waves, and a partial last wave stays partial); counts are scaled back by `scale`
    (refreshes by s).
    "slice": the whole kernel on the slice, no extrapolation. Otherwise two runs extrapolated to x:
    "tiles" (a kernel of at least three waves, cut by whole waves with every tile whole) or "bytes" (long
    tiles cut in length; the shorter run keeps every tile at least two in-flight windows long, so the
    per-byte rate is the steady one). ``screen``: the cheaper cut that SCREEN_BUDGET allows.
    """
    requests = _requests(arch, d)
    screening = screen and requests > SCREEN_BUDGET
    if requests <= FAST_REQUEST_BUDGET and not screening:
        return None
    r = TRUNCATION_RATIO
    factors = _slice_factors(arch, d["n_tiles"])
    s = factors[0] if factors else 1
    wave = arch.compute.units * max(1, d["tiles_per_unit"])
    waves = d["n_tiles"] / wave

    def sliced_at(f: int) -> _Plan:  # the whole kernel on 1/f of the machine
        n_f = -(-d["n_tiles"] // f)  # the slice's tiles: rounded up, so a kernel's last partial wave stays one
        return ("slice", None, dict(d, n_tiles=n_f), 1.0, 1.0, 1.0, f, d["n_tiles"] / n_f)

    per_wave = requests / waves / s  # on the slice
    sliced = sliced_at(s)
    whole = requests / sliced[7]  # the kernel whole on the slice
    stream = _pure_stream(arch, d)
    whole_budget = FAST_REQUEST_BUDGET * (SLICE_BUDGET_FACTOR_STREAM if stream else SLICE_BUDGET_FACTOR)
    # the kernel whole on a slice, as it runs when it fits whole_budget: on the largest slice that keeps it
    # within FAST_REQUEST_BUDGET, if any (not for a pure stream, see SLICE_BUDGET_FACTOR), else on `sliced`
    fitting = [f for f in factors if requests / sliced_at(f)[7] <= FAST_REQUEST_BUDGET]
    run_sliced = sliced_at(min(fitting)) if fitting and not stream else sliced

    def count_cut(budget: float) -> tuple[int, int]:  # whole waves of full tiles: (shorter, longer)
        w2 = max(2, min(int(budget / per_wave), int(waves / 2)))
        return max(1, w2 // r), w2

    def tiles_plan(w1: int, w2: int) -> _Plan:
        ws = wave // s  # one wave of the slice
        return ("tiles", dict(d, n_tiles=w1 * ws), dict(d, n_tiles=w2 * ws), float(w1), float(w2), waves, s, float(s))

    # the run below unless shortened further: the kernel whole, or whole on the slice
    usual = (requests if requests <= FAST_REQUEST_BUDGET
             else (requests / run_sliced[7] if s > 1 and whole <= whole_budget else None))
    if s > 1 and screening and usual is not None:
        # the cheapest stand-in for it: the whole kernel on the slice, else whole waves on the slice
        if whole <= usual / 2:
            return sliced
        w1, w2 = count_cut(SCREEN_BUDGET)
        if waves >= 3 and (w1 + w2) * per_wave <= usual / 2:
            return tiles_plan(w1, w2)
    if requests <= FAST_REQUEST_BUDGET:
        return None
    if usual is not None:
        return run_sliced
    # count cut (on the slice), when the kernel has at least three waves. Preferred whenever it saves
    # anything: on the whole machine it erred by at most 4.8% against the untruncated simulation of the
    # H100 calibration GEMVs, where a length cut's tile-length dependence reached 7.3%.
    w1, w2 = count_cut(FAST_REQUEST_BUDGET)
    if waves >= 3 and (w1 + w2) * per_wave < whole:
        return tiles_plan(w1, w2)
    # length cut (on the slice); the two runs together are at most 5/8 of the whole. Its axis is the bytes a
    # tile reads, or writes when it reads none (a fill: linear in its size, no in-flight window to fill)
    window = arch.compute.max_inflight_bytes_per_unit
    axis = "tile_read_bytes" if d["tile_read_bytes"] > 0 else "tile_write_bytes"
    f_min = 2 * window / d["tile_read_bytes"] if d["tile_read_bytes"] > 0 else 0.0  # the shorter run's least fraction
    f2 = max(FAST_REQUEST_BUDGET / whole, 2 * f_min)
    f1 = max(f2 / r, f_min)
    if f2 <= 0.5:
        a, b = _truncated(sliced[2], f1), _truncated(sliced[2], f2)
        if a[axis] < b[axis]:
            return ("bytes", a, b, float(a[axis]), float(b[axis]), float(d[axis]), s, sliced[7])
    return sliced if s > 1 else None  # no cut pays: still the slice


def _absorbing(arch: Architecture, d: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """``run`` (a slice or cut of kernel ``d``) with the share of the L2 that absorbs its writes.

    The L2 holds up to its capacity of a kernel's written bytes when the kernel ends; the rest must have
    reached DRAM (the core's ``write_absorb_bytes``). A run on 1/s of the machine, or over part of the
    kernel, gets the same share of the capacity as of the kernel's writes, so a fill larger than the L2
    stays bound by DRAM write bandwidth on the slice and in the cuts that are extrapolated from."""
    total = d["n_tiles"] * d["tile_write_bytes"]
    if arch.l2 is None or total == 0:
        return run
    share = run["n_tiles"] * run["tile_write_bytes"] / total
    return dict(run, write_absorb_bytes=int(arch.l2.capacity_bytes * share))


def simulated_requests(arch: Architecture, descs: Sequence[dict[str, Any]]) -> float:
    """How many DRAM requests `fast` simulates for ``descs`` (after truncation, see _plan)."""
    total = 0.0
    for d in descs:
        p = _plan(arch, d)
        total += _requests(arch, d) if p is None else sum(_requests(arch, x) for x in p[1:3] if x is not None)
    return total


def _run(arch: Architecture, descs: list[dict[str, Any]], fidelity: str, screen: bool = False) -> list[dict[str, Any]]:
    check_machine(arch, fidelity)
    md = machine_dict(arch)
    plans = [_plan(arch, d, screen) if fidelity == "fast" else None for d in descs]
    for d in descs:
        check_duration(arch, d)
        if fidelity == "detailed":
            check_detailed(arch, d)
    batches: dict[int, list[dict[str, Any]]] = {}  # by machine slice
    for d, p in zip(descs, plans):
        runs = [d] if p is None else [_absorbing(arch, d, x) for x in p[1:3] if x is not None]
        if fidelity == "fast":
            check_fast(arch, d, runs)
        check_outstanding(arch, d, runs, fidelity)
        batches.setdefault(1 if p is None else p[6], []).extend(runs)
    try:
        res = {s: iter(_core.simulate_kernels(_sliced_machine(md, s), batch, fidelity)) for s, batch in batches.items()}
    except _core.CoreConfigError as e:  # translate the core's error into the package's
        field = getattr(e, "field", "machine")
        raise ConfigError(field, str(e).split(": ", 1)[-1]) from None
    out: list[dict[str, Any]] = []
    for d, p in zip(descs, plans):
        if p is None:
            out.append(next(res[1]))
            continue
        _, a, _, x1, x2, x, s, scale = p
        r1 = next(res[s]) if a is not None else None
        r2 = next(res[s])
        r = dict(r2)
        for key in _EXTRAPOLATED:
            v = r2[key] if r1 is None else r2[key] + (r2[key] - r1[key]) / (x2 - x1) * (x - x2)
            # refreshes go with channels x time; the other counts with the tiles (bytes, requests, busy times)
            k = s if key == "refreshes" else scale
            r[key] = type(r2[key])(round(v * k if key in _COUNTS else v))
        r["flops"] = d["tile_flops"] * d["n_tiles"]
        out.append(r)
    return out


@functools.lru_cache(maxsize=65536)
def _simulate_one(arch: Architecture, kernel: KernelLike, fidelity: str) -> KernelRow:
    if arch.near_memory is not None or arch.hbf is not None:  # beyond-HBM machines (issue 4)
        from .nearmem import simulate_placed

        return simulate_placed(arch, kernel, fidelity)
    # Kernels with several candidate tilings are simulated under each; the fastest is kept (a tuned
    # library benchmarks its candidates). Ties keep the estimate's order.
    options = (kernel.candidates(arch, prune=True) if isinstance(kernel, Gemv)  # the same tilings at every fidelity
               else [kernel.lower(arch)])
    # In `fast`, the candidate tilings are first compared on cheaper runs on the slice (SCREEN_BUDGET).
    flat = [d for descs in options for d in descs]
    screen = fidelity == "fast" and len(options) > 1
    raw_all = _run(arch, flat, fidelity, screen)
    raw: list[dict[str, Any]] = []
    best: list[dict[str, Any]] = []
    i = 0
    for descs in options:
        group = raw_all[i:i + len(descs)]
        i += len(descs)
        if not raw or sum(r["time_ps"] for r in group) < sum(r["time_ps"] for r in raw):
            raw, best = group, descs
    if screen and any(_plan(arch, d, True) != _plan(arch, d) for d in best):
        raw = _run(arch, best, fidelity)
    time_ps = sum(r["time_ps"] for r in raw)
    launch_ps = raw[0]["launch_ps"] if raw else 0
    t = time_ps * 1e-12
    launch_s = launch_ps * 1e-12
    flops = kernel.flops()
    nbytes = kernel.bytes_moved()
    bound, roof = _classify(arch, kernel, t, launch_s, flops, nbytes)
    rd = sum(r["dram_read_bytes"] for r in raw)
    wr = sum(r["dram_write_bytes"] for r in raw)
    l2b = sum(r["l2_read_bytes"] for r in raw)
    if fidelity == "roofline":  # no DRAM model: one activation per row's worth of bytes
        activates = -(-(rd + wr) // arch.dram.row_bytes)
    else:
        activates = sum(int(r.get("activates", 0)) for r in raw)
    math_dtype = None if isinstance(kernel, Elementwise) else getattr(kernel, "math_dtype", getattr(kernel, "dtype", "bf16"))
    if math_dtype is not None and math_dtype not in DTYPES:
        math_dtype = "bf16"
    energy = kernel_energy_components(arch, time_s=t, dram_read_bytes=rd, dram_write_bytes=wr, l2_read_bytes=l2b,
                                      activates=activates, flops=flops, math_dtype=math_dtype)
    return KernelRow(
        name=getattr(kernel, "name", type(kernel).__name__),
        time_s=t,
        launch_s=launch_s,
        dram_read_bytes=sum(r["dram_read_bytes"] for r in raw),
        dram_write_bytes=sum(r["dram_write_bytes"] for r in raw),
        l2_read_bytes=sum(r["l2_read_bytes"] for r in raw),
        flops=flops,
        bound=bound,
        roofline_s=roof,
        dram_requests=sum(r["dram_requests"] for r in raw),
        row_hits=sum(r["row_hits"] for r in raw),
        row_misses=sum(r["row_misses"] for r in raw),
        refreshes=sum(r["refreshes"] for r in raw),
        events=sum(r["events"] for r in raw),
        activates=activates,
        energy_components_j=energy,
    )


def clear_cache() -> None:
    """Forget every remembered kernel simulation (for benchmarks that time cold runs)."""
    _simulate_one.cache_clear()


def prefetch(arch: Architecture, kernels: Sequence[KernelLike], fidelity: str, workers: int | None = None) -> None:
    """Fill the simulation cache for the distinct ``kernels`` on a thread pool, largest first.

    The C++ core releases the GIL, so distinct kernels simulate in parallel; ``workers`` defaults to the
    CPU count (at most 8), 1 disables it. Results never depend on it.
    """
    if workers is None:
        workers = min(8, os.cpu_count() or 1)
    distinct = list(dict.fromkeys(kernels))
    if workers <= 1 or len(distinct) < 2 or fidelity == "roofline":
        return
    distinct.sort(key=lambda k: -k.bytes_moved())
    with ThreadPoolExecutor(max_workers=min(workers, len(distinct))) as pool:
        list(pool.map(lambda k: _simulate_one(arch, k, fidelity), distinct))


def simulate(arch: Architecture, kernels: KernelLike | Sequence[KernelLike], *, fidelity: str = "fast",
             workers: int | None = None) -> Result:
    """Simulate one kernel or a list run back to back on ``arch``.

    >>> import accelsim
    >>> r = accelsim.simulate(accelsim.presets.load("h100-sxm"), accelsim.Gemv(m=1, n=4096, k=4096))
    >>> r.time_s > 0
    True
    """
    if not isinstance(arch, Architecture):
        raise ConfigError("arch", "must be an accelsim.Architecture (see accelsim.presets.load)", type(arch).__name__)
    if not isinstance(fidelity, str) or fidelity not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {FIDELITIES}", fidelity)
    if isinstance(kernels, (Gemv, Elementwise, DecodeAttention, Moe)):
        ks = [kernels]
    elif isinstance(kernels, (str, bytes)) or not hasattr(kernels, "__iter__"):
        raise ConfigError("kernels", "must be an accelsim kernel or a list of them", type(kernels).__name__)
    else:
        ks = list(itertools.islice(kernels, MAX_KERNELS_PER_CALL + 1))
        check_kernel_count(len(ks))
    for i, k in enumerate(ks):
        if not hasattr(k, "lower") or not hasattr(k, "flops"):
            raise ConfigError(f"kernels[{i}]", "is not an accelsim kernel", type(k).__name__)
    if not isinstance(workers, (int, type(None))) or isinstance(workers, bool) or (workers is not None and workers < 1):
        raise ConfigError("workers", "must be a positive integer or None", workers)
    prefetch(arch, ks, fidelity, workers)
    rows = tuple(_simulate_one(arch, k, fidelity) for k in ks)
    return Result(arch_name=arch.name, fidelity=fidelity, kernels=rows)

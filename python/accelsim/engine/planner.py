"""How `fast` runs a long kernel: on a slice of the machine, or as two truncated runs extrapolated to the
whole, and how candidate tilings are screened on cheaper runs. Everything here is exact bookkeeping around
:func:`accelsim.engine.core.run_kernels`; the physics is in the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..spec.machine import Architecture
from ..workload.kernels import STREAMING_BOUND_FACTOR
from .core import run_kernels, sliced_machine
from .limits import check_fast

__all__ = ["FAST_REQUEST_BUDGET", "TRUNCATION_RATIO", "SLICE_FACTORS", "SLICE_MIN_UNITS", "SLICE_BUDGET_FACTOR",
           "SLICE_BUDGET_FACTOR_STREAM", "SCREEN_BUDGET", "WAVE_CUT_CAP", "Plan", "plan", "run", "simulated_requests",
           "slice_factors", "slice_factor", "sliced_machine", "truncated", "requests_of", "leaves", "pure_stream", "absorbing",
           "consistent_counts"]

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
#: A whole-wave cut runs at least one and two waves of whole tiles; a kernel whose tiles are so long that
#: those runs would total more than WAVE_CUT_CAP x FAST_REQUEST_BUDGET requests has them cut in length too
#: (axis "tiles+bytes"): each of the two runs is itself shortened as a length cut (every tile streaming
#: the same fraction of its bytes, two fractions) and extrapolated to whole tiles, then the two are
#: extrapolated to the kernel's waves -- bilinear in waves and tile length, four runs of together at most
#: FAST_REQUEST_BUDGET requests, so the cost stops growing with the kernel (a 137 GB GEMV ran 3.2 M).
WAVE_CUT_CAP = 2
_SCALED = ("tile_read_bytes", "tile_shared_bytes", "tile_write_bytes")
_EXTRAPOLATED = ("time_ps", "body_ps", "dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "dram_requests",
                 "row_hits", "row_misses", "refreshes", "dram_bus_busy_ps", "compute_busy_ps", "events",
                 "activates")
_COUNTS = tuple(k for k in _EXTRAPOLATED if k not in ("time_ps", "body_ps"))  # sums over units / channels


def slice_factors(arch: Architecture, n_tiles: int) -> list[int]:
    """The factors s in SLICE_FACTORS (largest first) that divide the machine, for a kernel of n_tiles."""
    dr = arch.dram
    units = arch.compute.units
    pcs = dr.stacks * dr.channels_per_stack * dr.pseudo_channels_per_channel
    if n_tiles < units:  # the slice's units must all be busy, as the whole machine's are
        return []
    return [s for s in SLICE_FACTORS
            if not (units % s or (dr.channels_per_stack % s and dr.stacks % s))
            and units // s >= SLICE_MIN_UNITS and pcs // s >= SLICE_MIN_UNITS]


def slice_factor(arch: Architecture, n_tiles: int) -> int:
    """The largest s in SLICE_FACTORS that divides the machine, for a kernel of n_tiles (1: none)."""
    return next(iter(slice_factors(arch, n_tiles)), 1)


#: A pure DRAM stream (kernels.STREAMING_BOUND_FACTOR) runs whole on the slice only up to 1 x the budget:
#: beyond it, its steady state makes the cuts exact enough (on the H100 calibration GEMVs of M <= 16 they
#: land within 0.3% of the whole slice) for 10% fewer requests over the set.
SLICE_BUDGET_FACTOR_STREAM = 1


def pure_stream(arch: Architecture, d: dict[str, Any]) -> bool:
    """DRAM time at least kernels.STREAMING_BOUND_FACTOR x the math and on-chip time (peak rates)."""
    dram_ps = requests_of(arch, d) * arch.dram.interleave_bytes / (arch.peak_dram_bandwidth_bytes_per_s * 1e-12)
    math_ps = d["n_tiles"] * d["tile_flops"] / (d["flops_per_ps_per_unit"] * arch.compute.units)
    l2 = arch.l2
    l2_ps = d["n_tiles"] * d["tile_shared_bytes"] / (l2.bytes_per_cycle * l2.clock_ghz * 1e-3) if l2 else 0.0
    return dram_ps >= STREAMING_BOUND_FACTOR * max(math_ps, l2_ps)


def truncated(desc: dict[str, Any], frac: float) -> dict[str, Any]:
    """Every tile streams ``frac`` of its bytes (and does that share of its math)."""
    d = dict(desc)
    for key in _SCALED:
        d[key] = max(1 if desc[key] > 0 else 0, int(round(desc[key] * frac)))
    d["tile_flops"] = desc["tile_flops"] * d["tile_read_bytes"] / max(1, desc["tile_read_bytes"])
    return d


def requests_of(arch: Architecture, d: dict[str, Any]) -> float:
    """Interleave-granule DRAM requests of one kernel description (what `fast` simulates, one each)."""
    return d["n_tiles"] * (d["tile_read_bytes"] + d["tile_write_bytes"]) / arch.dram.interleave_bytes


Plan = tuple[str, "dict[str, Any] | None", dict[str, Any], float, float, float, int, float]


def plan(arch: Architecture, d: dict[str, Any], screen: bool = False) -> Plan | None:
    """How `fast` shortens a long kernel: (axis, short desc or None, longer desc, x1, x2, x, slice, scale) or
    None.

    slice s > 1: the descs run on 1/s of the machine (sliced_machine), with n_tiles / s tiles rounded up
    (the same number of waves, and a partial last wave stays partial); counts are scaled back by `scale`
    (refreshes by s).
    "slice": the whole kernel on the slice, no extrapolation. Otherwise two runs extrapolated to x:
    "tiles" (a kernel of at least three waves, cut by whole waves with every tile whole) or "bytes" (long
    tiles cut in length; the shorter run keeps every tile at least two in-flight windows long, so the
    per-byte rate is the steady one), or "tiles+bytes" (a whole-wave cut whose two runs are each cut in
    length as well, see WAVE_CUT_CAP; :func:`leaves` lists the four runs). ``screen``: the cheaper cut that
    SCREEN_BUDGET allows.
    """
    requests = requests_of(arch, d)
    screening = screen and requests > SCREEN_BUDGET
    if requests <= FAST_REQUEST_BUDGET and not screening:
        return None
    r = TRUNCATION_RATIO
    factors = slice_factors(arch, d["n_tiles"])
    s = factors[0] if factors else 1
    wave = arch.compute.units * max(1, d["tiles_per_unit"])
    waves = d["n_tiles"] / wave

    def sliced_at(f: int) -> Plan:  # the whole kernel on 1/f of the machine
        n_f = -(-d["n_tiles"] // f)  # the slice's tiles: rounded up, so a kernel's last partial wave stays one
        return ("slice", None, dict(d, n_tiles=n_f), 1.0, 1.0, 1.0, f, d["n_tiles"] / n_f)

    per_wave = requests / waves / s  # on the slice
    sliced = sliced_at(s)
    whole = requests / sliced[7]  # the kernel whole on the slice
    stream = pure_stream(arch, d)
    whole_budget = FAST_REQUEST_BUDGET * (SLICE_BUDGET_FACTOR_STREAM if stream else SLICE_BUDGET_FACTOR)
    # the kernel whole on a slice, as it runs when it fits whole_budget: on the largest slice that keeps it
    # within FAST_REQUEST_BUDGET, if any (not for a pure stream, see SLICE_BUDGET_FACTOR), else on `sliced`
    fitting = [f for f in factors if requests / sliced_at(f)[7] <= FAST_REQUEST_BUDGET]
    run_sliced = sliced_at(min(fitting)) if fitting and not stream else sliced

    def count_cut(budget: float) -> tuple[int, int]:  # whole waves of full tiles: (shorter, longer)
        w2 = max(2, min(int(budget / per_wave), int(waves / 2)))
        return max(1, w2 // r), w2

    def tiles_plan(w1: int, w2: int) -> Plan:
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
        p = tiles_plan(w1, w2)
        if (w1 + w2) * per_wave > WAVE_CUT_CAP * FAST_REQUEST_BUDGET and _wave_length_cut(arch, p[2], w1, w2) is not None:
            return ("tiles+bytes",) + p[1:]
        return p
    # length cut (on the slice); the two runs together are at most 5/8 of the whole. Its axis is the bytes a
    # tile reads, or writes when it reads none (a fill: linear in its size, no in-flight window to fill)
    window = arch.compute.inflight_bytes_per_unit
    axis = "tile_read_bytes" if d["tile_read_bytes"] > 0 else "tile_write_bytes"
    f_min = 2 * window / d["tile_read_bytes"] if d["tile_read_bytes"] > 0 else 0.0  # the shorter run's least fraction
    f2 = max(FAST_REQUEST_BUDGET / whole, 2 * f_min)
    f1 = max(f2 / r, f_min)
    if f2 <= 0.5:
        a, b = truncated(sliced[2], f1), truncated(sliced[2], f2)
        if a[axis] < b[axis]:
            return ("bytes", a, b, float(a[axis]), float(b[axis]), float(d[axis]), s, sliced[7])
    return sliced if s > 1 else None  # no cut pays: still the slice


def _wave_length_cut(arch: Architecture, b: dict[str, Any], w1: float, w2: float) -> tuple[float, float, str] | None:
    """The length cut of the runs of a "tiles+bytes" plan (``b``: its longer run, of ``w2`` waves; the
    shorter has ``w1``): fractions f1 < f2 of every tile's bytes such that the four runs total at most
    FAST_REQUEST_BUDGET requests, the shorter tiles at least one in-flight window long and the longer at
    least two; None when no such cut pays."""
    if b["tile_read_bytes"] <= 0:
        return None
    f_min = 2 * arch.compute.inflight_bytes_per_unit / b["tile_read_bytes"]
    both = requests_of(arch, b) * (w1 + w2) / w2  # the two runs with whole tiles
    f2 = max(FAST_REQUEST_BUDGET / ((1 + 1 / TRUNCATION_RATIO) * both), 2 * f_min)
    f1 = max(f2 / TRUNCATION_RATIO, f_min)
    if f2 > 0.5 or _shortened(arch, b, f1)["tile_read_bytes"] >= _shortened(arch, b, f2)["tile_read_bytes"]:
        return None
    return f1, f2, "tile_read_bytes"


def _shortened(arch: Architecture, d: dict[str, Any], frac: float) -> dict[str, Any]:
    """Every tile of ``d`` streams ``frac`` of its bytes (whole interleave granules when its tiles are, so
    the bytes read stay exactly linear in the tile length), with that share of its math and broadcast
    operands; it still writes its whole output (a tile's results do not grow with its length)."""
    g = arch.dram.interleave_bytes
    rb = d["tile_read_bytes"]
    reads = max(g, round(rb * frac / g) * g) if rb % g == 0 else max(1, round(rb * frac))
    f = reads / rb
    return dict(d, tile_read_bytes=reads, tile_flops=d["tile_flops"] * f,
                tile_shared_bytes=max(1 if d["tile_shared_bytes"] > 0 else 0, round(d["tile_shared_bytes"] * f)))


def _length_cut(arch: Architecture, d: dict[str, Any], cut: tuple[float, float, str]) -> Plan:
    """``d`` (one run of a "tiles+bytes" plan) as a length cut: the "bytes" plan of its two fractions."""
    f1, f2, axis = cut
    a, b = _shortened(arch, d, f1), _shortened(arch, d, f2)
    return ("bytes", a, b, float(a[axis]), float(b[axis]), float(d[axis]), 1, 1.0)


def leaves(arch: Architecture, d: dict[str, Any], p: Plan | None) -> list[dict[str, Any]]:
    """The descriptions the core runs for kernel ``d`` under plan ``p`` (before the L2's write share)."""
    if p is None:
        return [d]
    runs = [x for x in p[1:3] if x is not None]
    if p[0] != "tiles+bytes":
        return runs
    cut = _wave_length_cut(arch, p[2], p[3], p[4])
    return [x for r in runs for x in _length_cut(arch, r, cut)[1:3]]


def absorbing(arch: Architecture, d: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
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
    """How many DRAM requests `fast` simulates for ``descs`` (after truncation, see plan)."""
    return sum(requests_of(arch, x) for d in descs for x in leaves(arch, d, plan(arch, d)))


def run(arch: Architecture, descs: list[dict[str, Any]], fidelity: str, screen: bool = False) -> list[dict[str, Any]]:
    """Simulate ``descs`` on ``arch`` at ``fidelity``: in `fast`, each long one shortened as :func:`plan` says
    (run on a slice, or cut twice and extrapolated); one result dict per desc, counts for the whole kernel."""
    plans = [plan(arch, d, screen) if fidelity == "fast" else None for d in descs]
    batches: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}  # slice -> (runs, their kernels)
    for d, p in zip(descs, plans):
        runs = [d] if p is None else [absorbing(arch, d, x) for x in leaves(arch, d, p)]
        if fidelity == "fast":
            check_fast(arch, d, runs)
        batch = batches.setdefault(1 if p is None else p[6], ([], []))
        batch[0].extend(runs)
        batch[1].extend([d] * len(runs))
    res = {s: iter(run_kernels(arch, runs, fidelity, slice_factor=s, origins=origins))
           for s, (runs, origins) in batches.items()}
    out: list[dict[str, Any]] = []
    for d, p in zip(descs, plans):
        if p is None:
            out.append(next(res[1]))
            continue
        axis, a, b, x1, x2, x, s, scale = p
        if axis == "tiles+bytes":  # each whole-wave run extrapolated from its length cut, then to the waves
            inner = [_length_cut(arch, y, _wave_length_cut(arch, b, x1, x2)) for y in (a, b)]
            got = [(next(res[s]), next(res[s])) for _ in inner]
            r2 = got[1][1]
            r = dict(r2)
            for key in _EXTRAPOLATED:
                ya, yb = ((q[1][key] + (q[1][key] - q[0][key]) / (ip[4] - ip[3]) * (ip[5] - ip[4]))
                          for q, ip in zip(got, inner))
                v = yb + (yb - ya) / (x2 - x1) * (x - x2)
                k = s if key == "refreshes" else scale
                v = max(v * k, 0.0) if key in _COUNTS else max(v, float(r2[key]))  # as below
                r[key] = type(r2[key])(round(v))
            consistent_counts(r)
            r["flops"] = d["tile_flops"] * d["n_tiles"]
            out.append(r)
            continue
        r1 = next(res[s]) if a is not None else None
        r2 = next(res[s])
        r = dict(r2)
        for key in _EXTRAPOLATED:
            v = r2[key] if r1 is None else r2[key] + (r2[key] - r1[key]) / (x2 - x1) * (x - x2)
            # refreshes go with channels x time; the other counts with the tiles (bytes, requests, busy times)
            k = s if key == "refreshes" else scale
            # the whole kernel is never shorter than the longer of its cuts, and no count is negative (a
            # count that shrinks from the shorter cut to the longer one would extrapolate below zero)
            v = max(v * k, 0.0) if key in _COUNTS else max(v, float(r2[key]))
            r[key] = type(r2[key])(round(v))
        consistent_counts(r)
        r["flops"] = d["tile_flops"] * d["n_tiles"]
        out.append(r)
    return out


def consistent_counts(r: dict[str, Any]) -> dict[str, Any]:
    """Make an extrapolated result's DRAM counts consistent, as every simulated run's are: each request is a
    row hit or a row miss, and every miss activates a row (the extrapolated requests are kept; rounding each
    count on its own could leave them one apart)."""
    requests = r["dram_requests"]
    misses = min(max(r["row_misses"], 0), requests)
    r["row_misses"] = misses
    r["row_hits"] = requests - misses
    r["activates"] = max(r["activates"], misses)
    return r


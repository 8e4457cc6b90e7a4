"""Resource limits: requests the engine would take unbounded memory or time to serve are refused up front.

Every limit is a module constant; exceeding one raises :class:`~accelsim.errors.ConfigError` naming the
field and saying the limit, before anything is allocated or simulated.  The limits are far beyond any
real accelerator (an H100 has 132 units and ~10,000 DRAM banks) but below what would exhaust memory:

* ``MAX_SIM_UNITS`` compute units and ``MAX_SIM_BANKS`` DRAM banks in total (the engine keeps state for
  each; the Architecture itself may describe more, e.g. for roofline studies);
* ``MAX_KERNELS_PER_CALL`` kernels in one :func:`accelsim.simulate` call (a result keeps one row
  reference per kernel; identical kernels share one row);
* ``MAX_SIM_PS`` picoseconds of simulated time per kernel, bounded from above before the run (an
  absurdly small rate -- 1e-300 FLOP/cycle -- would otherwise overflow the core's 64-bit time);
* ``MAX_DETAILED_REQUESTS`` DRAM requests per kernel in ``fidelity="detailed"`` (one event chain per
  burst: beyond this a run takes hours; ``"fast"`` extrapolates long streams and has no such limit);
* ``MAX_OUTSTANDING_REQUESTS`` DRAM requests a run can have in flight at once (about 200 bytes of engine
  state each): the units' in-flight windows plus every posted write in the worst case (a huge window or
  a fill would otherwise queue everything at once; the fuzzer found an 800 GB fill that did);
* ``MAX_SWEEP_POINTS`` rows of one :func:`accelsim.sweep` (bases x design points x workloads), counted
  from the axis lengths before any point is built (a 10**9-point grid is refused at once, not expanded).
  A sweep's process peaks at about 3.3 KB per row (benchmarks/sweep_memory.py: the frame's ~240 B plus the
  per-row bookkeeping and records while it runs), so the default (2**20, about a million rows) bounds a
  sweep to about 3.5 GB; raise it (``accelsim.engine.limits.MAX_SWEEP_POINTS = ...``) on a bigger machine.

Sizes of tensors and kernels are bounded by the kernels' own validation (e.g. ``Elementwise.n_elements``
<= 2**46, a GEMV weight <= 2**46 elements, a lowered kernel <= 4 PB or 2**40 tiles).
"""

from __future__ import annotations

from typing import Any

from ..spec.machine import Architecture
from ..errors import ConfigError

__all__ = ["MAX_SIM_UNITS", "MAX_SIM_BANKS", "MAX_KERNELS_PER_CALL", "MAX_DETAILED_REQUESTS", "MAX_SIM_PS",
           "MAX_FAST_REQUESTS", "MAX_OUTSTANDING_REQUESTS", "check_outstanding", "MAX_REFRESH_EVENTS",
           "check_refreshes", "dram_service_ps", "MAX_SWEEP_POINTS", "MAX_WHOLE_RUN_REQUESTS", "MAX_FLASH_PAGES_PER_STACK", "MAX_FLASH_PLANES", "check_flash", "check_sweep_size", "check_whole_run", "check_machine", "check_kernel_count", "check_detailed", "check_fast", "check_duration"]

MAX_SIM_UNITS = 1 << 20
MAX_SIM_BANKS = 1 << 22
MAX_KERNELS_PER_CALL = 1 << 27
MAX_DETAILED_REQUESTS = 1 << 31
#: DRAM requests one `fast` run may simulate after its long-stream truncation (normally <= 2**17 each;
#: only machines with absurdly many units defeat the truncation)
MAX_FAST_REQUESTS = 1 << 30
#: DRAM requests one run may have queued at once (reads within the in-flight windows, plus every posted
#: write): ~200 B of engine state each, so 2**24 is ~3 GB (an H100 GEMV has ~7,000 reads in flight)
MAX_OUTSTANDING_REQUESTS = 1 << 24
#: simulated time of one kernel, ps (~11.6 days): the engine counts integer picoseconds in 64 bits
MAX_SIM_PS = 1e18
#: rows of one sweep (bases x design points x workloads); read at call time, so it can be changed
MAX_SWEEP_POINTS = 1 << 20


def check_sweep_size(n: int, field: str = "axes", what: str = "design points x workloads") -> None:
    """Refuse a sweep of more than MAX_SWEEP_POINTS rows, before anything is expanded."""
    if n > MAX_SWEEP_POINTS:
        size = str(n) if n < 10**15 else f"about 10**{len(str(n)) - 1}"
        raise ConfigError(field, f"the sweep has {size} {what}, more than the limit "
                          f"accelsim.engine.limits.MAX_SWEEP_POINTS = {MAX_SWEEP_POINTS}; shrink the axes or sample "
                          "them (samples=...), or raise the limit")


def check_machine(arch: Architecture, fidelity: str) -> None:
    """Refuse machines the engine cannot hold in memory (roofline keeps no per-unit state)."""
    if fidelity == "roofline":
        return
    if arch.compute.units > MAX_SIM_UNITS:
        raise ConfigError("compute.units", f"the simulator supports at most {MAX_SIM_UNITS} units "
                          "(use fidelity='roofline' beyond)", arch.compute.units)
    d = arch.dram
    banks = d.pseudo_channels * d.banks_per_pseudo_channel
    if banks > MAX_SIM_BANKS:
        raise ConfigError("dram.stacks", f"the simulator supports at most {MAX_SIM_BANKS} DRAM banks in total "
                          f"(this machine has {banks}; use fidelity='roofline' beyond)", d.stacks)
    # the core staggers the pseudo-channels' refreshes at tREFI * index / count, in 64-bit picoseconds
    if d.tREFI_ns * 1e3 * d.pseudo_channels > 2.0**62:
        raise ConfigError("dram.tREFI_ns", f"tREFI_ns * pseudo-channels ({d.pseudo_channels}) must be <= 2**62 ps "
                          "for the simulator", d.tREFI_ns)


def check_kernel_count(n: int) -> None:
    if n > MAX_KERNELS_PER_CALL:
        raise ConfigError("kernels", f"more than {MAX_KERNELS_PER_CALL} kernels in one simulate() call; "
                          "simulate the distinct kernels and multiply instead")


def check_detailed(arch: Architecture, desc: dict[str, Any]) -> None:
    """Refuse a detailed (one request per burst) run of more than MAX_DETAILED_REQUESTS bursts."""
    bb = arch.dram.burst_bytes
    per_tile = -(-desc["tile_read_bytes"] // bb) + -(-desc["tile_write_bytes"] // bb)
    requests = desc["n_tiles"] * per_tile
    if requests > MAX_DETAILED_REQUESTS:
        raise ConfigError(f"{desc['name']}.size", f"a detailed simulation of more than {MAX_DETAILED_REQUESTS} "
                          "DRAM bursts per kernel would take hours; use fidelity='fast'", requests)


def check_duration(arch: Architecture, desc: dict[str, Any]) -> None:
    """Refuse a kernel whose simulated time could exceed MAX_SIM_PS: the sum, over its tiles, of the math,
    load, on-chip and fixed time of each, plus its DRAM traffic at the pin bandwidth and at the fabric's (an upper bound of
    every duration the engine forms, so none can overflow)."""
    c = arch.compute
    units = c.units
    load = c.load_bytes_per_cycle_per_unit * c.clock_ghz * 1e-3  # bytes per ps per unit
    shared_bw = (arch.l2.bandwidth_bytes_per_s if arch.l2 is not None else arch.peak_dram_bandwidth_bytes_per_s) * 1e-12
    rate = desc["flops_per_ps_per_unit"]
    t_math = desc["tile_flops"] / rate if rate > 0 else 0.0  # a rate <= 0 is the core's ConfigError
    per_tile = (t_math + desc["tile_read_bytes"] / load + desc["tile_shared_bytes"] * units / shared_bw
                + desc["tile_fixed_ns"] * 1e3)
    moved = desc["n_tiles"] * (desc["tile_read_bytes"] + desc["tile_write_bytes"])
    dram = moved / (arch.peak_dram_bandwidth_bytes_per_s * 1e-12)
    if arch.dram.fabric_bandwidth_gb_per_s > 0:  # the path to the controllers, when narrower than the pins
        dram += moved / (arch.dram.fabric_bandwidth_gb_per_s * 1e-3)
    dram_timed, _ = dram_service_ps(arch, desc, arch.dram.interleave_bytes)  # every DRAM timing counted
    total = (desc["n_tiles"] * per_tile + dram + dram_timed + desc["kernel_fixed_ns"] * 1e3
             + arch.dram.access_latency_ns * 1e3)
    if not total <= MAX_SIM_PS:
        raise ConfigError(f"{desc['name']}.duration", f"could run for more than {MAX_SIM_PS:g} ps (~11.6 days) of "
                          "simulated time on this machine; a compute, load or memory rate is absurdly small",
                          f"{total:.3g} ps")


#: refresh commands one run may make the engine simulate: (its DRAM time / tREFI) x pseudo-channels (x banks
#: with per-bank refresh). A real run has a few thousand; a DRAM timing set absurdly long (tCCD_L = 1e8 ns
#: made a 2 MB GEMV last 16 s of simulated time: 3 x 10**8 refreshes, 114 s of simulation) is refused
MAX_REFRESH_EVENTS = 1 << 26


def dram_service_ps(arch: Architecture, desc: dict[str, Any], request_bytes: int) -> tuple[float, str]:
    """An upper estimate of the time the DRAM spends serving ``desc``'s requests of ``request_bytes``: the
    busiest pseudo-channel's share of them, each served alone as a row miss with every timing that can apply
    (precharge, activate, the column commands of its bursts, a bus turnaround, the activate windows), slowed
    by refresh; and the name of the timing that dominates it."""
    d = arch.dram
    il = request_bytes
    requests = desc["n_tiles"] * (-(-desc["tile_read_bytes"] // il) + -(-desc["tile_write_bytes"] // il))
    per_pc = -(-requests // d.pseudo_channels) if requests else 0
    bursts = max(1, -(-il // d.burst_bytes))
    t_bl = d.burst_length / d.data_rate_gbps
    # the bursts' pace: column commands (nCCD_L device clocks) or the pins; a slow clock lengthens both
    column = "nCCD_L" if d.tCCD_L_ns >= t_bl else "data_rate_gbps"
    turnaround = "tWTR_ns" if d.tWTR_ns >= d.tRTW_ns else "nRTW"
    terms = {"tRP_ns": d.tRP_ns, "tRCD_ns": d.tRCD_ns, "tCL_ns": d.tCL_ns, column: bursts * max(d.tCCD_L_ns, t_bl),
             "tRAS_ns": max(0.0, d.tRAS_ns - d.tRCD_ns), turnaround: max(d.tWTR_ns, d.tRTW_ns),
             "tRRD_L_ns": d.tRRD_L_ns, "tFAW_ns": d.tFAW_ns}
    per_request_ns = sum(terms.values())
    busy = max(d.tRFC_ns, d.tRFCpb_ns)
    slowdown = (1.0 if d.refresh == "off" else
                d.tREFI_ns / (d.tREFI_ns - busy) if d.tREFI_ns > busy else float("inf"))
    worst = max(terms, key=lambda k: terms[k])
    return per_pc * per_request_ns * 1e3 * slowdown, worst


def check_refreshes(arch: Architecture, desc: dict[str, Any], runs: list[dict[str, Any]], fidelity: str) -> None:
    """Refuse runs whose DRAM time (dram_service_ps) would make the engine simulate more than
    MAX_REFRESH_EVENTS refreshes (roofline simulates none, nor a DRAM with refresh off)."""
    d = arch.dram
    if fidelity == "roofline" or d.refresh == "off":
        return
    size = d.burst_bytes if fidelity == "detailed" else d.interleave_bytes
    per_bank = d.refresh == "per_bank" or (d.refresh == "auto" and d.tRFCpb_ns > 0)
    per_round = d.pseudo_channels * (d.bank_groups * d.banks_per_group if per_bank else 1)
    for r in runs:
        t_ps, worst = dram_service_ps(arch, r, size)
        events = (t_ps / (d.tREFI_ns * 1e3) + 1.0) * per_round
        if not events <= MAX_REFRESH_EVENTS:
            clock = ""
            if worst in ("nCCD_L", "nRTW"):  # device clocks: a usual count of an absurdly slow clock is the rate's
                if getattr(d, worst) <= 64:
                    worst = "data_rate_gbps"
                clock = f" (device clock {d.tCK_ns:.3g} ns)"
            value = getattr(d, worst)
            raise ConfigError(f"dram.{worst}", f"with this timing{clock} the DRAM would serve {desc['name']} for about "
                              f"{t_ps * 1e-12:.3g} s of simulated time, {events:.3g} refreshes to simulate "
                              f"(the limit is {MAX_REFRESH_EVENTS}): a DRAM timing or rate is absurd", value)


#: DRAM requests of one kernel simulated whole, without `fast`'s truncation (near-memory kernels,
#: accelsim.engine.nearmem): real ones are <= ~10**6; the core runs ~2e6 a second, so 2**25 is ~15 s
MAX_WHOLE_RUN_REQUESTS = 1 << 25


def check_whole_run(arch: Architecture, desc: dict[str, Any], fidelity: str) -> None:
    """The checks of a kernel that the core simulates whole (no truncate-and-extrapolate): the machine,
    the duration bound, and at most MAX_WHOLE_RUN_REQUESTS interleave-granule requests (the fuzzer found a
    1.2 TB near-memory GEMV that would have run for hours)."""
    check_machine(arch, fidelity)
    check_duration(arch, desc)
    if fidelity == "detailed":
        check_detailed(arch, desc)
    check_outstanding(arch, desc, [desc], fidelity)
    check_refreshes(arch, desc, [desc], fidelity)
    requests = _granule_requests(arch, desc)
    if requests > MAX_WHOLE_RUN_REQUESTS:
        raise ConfigError(f"{desc['name']}.size", f"a near-memory kernel of more than {MAX_WHOLE_RUN_REQUESTS} DRAM "
                          "requests is simulated whole and would take too long; use fidelity='roofline' or split it",
                          requests)


#: flash pages one stack streams in one simulated read (the core steps page by page: 2**25 pages of 4 KiB
#: = 128 GiB per stack, about a second of simulation) and page registers (channels x planes) it keeps state for
MAX_FLASH_PAGES_PER_STACK = 1 << 25
MAX_FLASH_PLANES = 1 << 24


def check_flash(hbf: Any, nbytes: int) -> None:
    """Refuse a flash read the page-by-page model would take minutes (or a plane table GBs) to simulate."""
    planes = hbf.channels_per_stack * hbf.planes_per_channel
    if planes > MAX_FLASH_PLANES:
        raise ConfigError("hbf.planes_per_channel", f"channels_per_stack x planes_per_channel must be <= "
                          f"{MAX_FLASH_PLANES} for the simulator (got {planes})", hbf.planes_per_channel)
    pages = -(-nbytes // hbf.page_bytes)
    per_stack = -(-pages // hbf.stacks)
    if per_stack > MAX_FLASH_PAGES_PER_STACK:
        raise ConfigError("hbf.bytes", f"a flash read of more than {MAX_FLASH_PAGES_PER_STACK} pages per stack "
                          "would take too long to simulate page by page; use fidelity='roofline'", nbytes)


def _granule_requests(arch: Architecture, desc: dict[str, Any]) -> int:
    """Interleave-granule requests of a kernel description, each tile's reads and writes rounded up."""
    il = arch.dram.interleave_bytes
    return desc["n_tiles"] * (-(-desc["tile_read_bytes"] // il) + -(-desc["tile_write_bytes"] // il))


def check_outstanding(arch: Architecture, desc: dict[str, Any], runs: list[dict[str, Any]], fidelity: str) -> None:
    """Refuse a run that could queue more than MAX_OUTSTANDING_REQUESTS DRAM requests at once: its reads
    up to every unit's in-flight window, plus all its writes (posted as tiles finish, not throttled).
    Roofline keeps no queues."""
    if fidelity == "roofline":
        return
    size = arch.dram.burst_bytes if fidelity == "detailed" else arch.dram.interleave_bytes
    c = arch.compute
    window = c.units * (-(-c.inflight_bytes_per_unit // size) + 1)  # + a load straddling two granules
    for r in runs:
        reads = r["n_tiles"] * -(-r["tile_read_bytes"] // size)
        writes = r["n_tiles"] * -(-r["tile_write_bytes"] // size)
        if min(reads, window) + writes <= MAX_OUTSTANDING_REQUESTS:
            continue
        if writes > MAX_OUTSTANDING_REQUESTS // 2:
            raise ConfigError(f"{desc['name']}.size", f"its writes would queue more than {MAX_OUTSTANDING_REQUESTS} "
                              f"DRAM requests at once in a {fidelity} simulation; split the kernel or use "
                              "fidelity='roofline'", writes)
        raise ConfigError("compute.max_inflight_bytes_per_unit", f"units x in-flight window would queue more than "
                          f"{MAX_OUTSTANDING_REQUESTS} DRAM requests at once in a {fidelity} simulation",
                          c.max_inflight_bytes_per_unit)


def check_fast(arch: Architecture, desc: dict[str, Any], runs: list[dict[str, Any]] | None = None) -> None:
    """Refuse a `fast` kernel whose runs (after truncation or slicing; default: the kernel whole) total more
    than MAX_FAST_REQUESTS interleave-granule requests."""
    requests = sum(_granule_requests(arch, r) for r in (runs if runs is not None else [desc]))
    if requests > MAX_FAST_REQUESTS:
        raise ConfigError(f"{desc['name']}.size", f"a fast simulation of more than {MAX_FAST_REQUESTS} DRAM requests "
                          "per kernel would take hours (this machine defeats the long-stream truncation; "
                          "use fidelity='roofline')", requests)

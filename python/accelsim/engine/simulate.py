"""simulate(arch, kernels) -> Result: validate, lower each kernel onto the machine, run the C++ engine.

Each distinct (machine, kernel, fidelity) is simulated once per process and remembered: a model's
identical layers cost one simulation. Kernels run back to back; every kernel pays the machine's launch
overhead, so a list's time is exactly the sum of its kernels' times.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..errors import ConfigError
from ..spec.machine import Architecture
from ..workload.kernels import DecodeAttention, Elementwise, Gemv, Moe, PrefillAttention
from .energy import kernel_energy_components
from .limits import MAX_KERNELS_PER_CALL, check_kernel_count
from .core import roofline
from .planner import plan, run
from .result import KernelLike, KernelRow, Result, classify

__all__ = ["simulate", "simulate_one", "roofline_of", "prefetch", "clear_cache", "FIDELITIES", "KernelLike"]

FIDELITIES = ("fast", "detailed", "roofline")


def roofline_of(arch: Architecture, options: Sequence[Sequence[dict[str, Any]]],
                rows: Sequence[dict[str, Any]] | None = None) -> tuple[float, float, float]:
    """The one roofline of a kernel lowered as any of ``options`` (its candidate tilings), from the core's
    (:func:`accelsim.engine.core.roofline`; ``rows``: its results for the flattened options, if at hand): the
    least, over the tilings, of launch + max(DRAM bytes at the pin peak, FLOPs at the units' rate) summed over
    the tiling's kernels -- what ``fidelity="roofline"`` reports. Returns (that, its DRAM bound, its compute
    bound), seconds."""
    if rows is None:
        rows = roofline(arch, [d for descs in options for d in descs])
    best: tuple[int, float, float] | None = None
    i = 0
    for descs in options:
        group = rows[i:i + len(descs)]
        i += len(descs)
        t = sum(r["time_ps"] for r in group)
        if best is None or t < best[0]:
            best = (t, sum(r["roofline_dram_ps"] for r in group), sum(r["roofline_compute_ps"] for r in group))
    assert best is not None
    return best[0] * 1e-12, best[1] * 1e-12, best[2] * 1e-12


@functools.lru_cache(maxsize=65536)
def simulate_one(arch: Architecture, kernel: KernelLike, fidelity: str) -> KernelRow:
    if arch.near_memory is not None or arch.hbf is not None:  # beyond-HBM machines
        from .nearmem import simulate_placed  # noqa: PLC0415

        return simulate_placed(arch, kernel, fidelity)
    # Kernels with several candidate tilings are simulated under each; the fastest is kept (a tuned
    # library benchmarks its candidates). Ties keep the estimate's order.
    options = (kernel.candidates(arch, prune=True) if isinstance(kernel, (Gemv, DecodeAttention))  # same at every fidelity
               else [kernel.lower(arch)])
    # In `fast`, the candidate tilings are first compared on cheaper runs on the slice (SCREEN_BUDGET).
    flat = [d for descs in options for d in descs]
    screen = fidelity == "fast" and len(options) > 1
    raw_all = run(arch, flat, fidelity, screen)
    raw: list[dict[str, Any]] = []
    best: list[dict[str, Any]] = []
    i = 0
    for descs in options:
        group = raw_all[i:i + len(descs)]
        i += len(descs)
        if not raw or sum(r["time_ps"] for r in group) < sum(r["time_ps"] for r in raw):
            raw, best = group, descs
    if screen and any(plan(arch, d, True) != plan(arch, d) for d in best):
        raw = run(arch, best, fidelity)
    time_ps = sum(r["time_ps"] for r in raw)
    launch_ps = raw[0]["launch_ps"] if raw else 0
    t = time_ps * 1e-12
    launch_s = launch_ps * 1e-12
    flops = kernel.flops()
    roof, dram_s, compute_s = roofline_of(arch, options, raw_all if fidelity == "roofline" else None)
    bound = classify(t, launch_s, dram_s, compute_s)
    rd = sum(r["dram_read_bytes"] for r in raw)
    wr = sum(r["dram_write_bytes"] for r in raw)
    l2b = sum(r["l2_read_bytes"] for r in raw)
    if fidelity == "roofline":  # no DRAM model: one activation per row's worth of bytes
        activates = -(-(rd + wr) // arch.dram.row_bytes)
    else:
        activates = sum(int(r.get("activates", 0)) for r in raw)
    energy = kernel_energy_components(arch, time_s=t, dram_read_bytes=rd, dram_write_bytes=wr, l2_read_bytes=l2b,
                                      activates=activates, flops=flops, math_dtype=kernel.math_dtype)
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
    simulate_one.cache_clear()


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
        list(pool.map(lambda k: simulate_one(arch, k, fidelity), distinct))


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
    if isinstance(kernels, (Gemv, Elementwise, DecodeAttention, PrefillAttention, Moe)):
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
    rows = tuple(simulate_one(arch, k, fidelity) for k in ks)
    return Result(arch_name=arch.name, fidelity=fidelity, kernels=rows)

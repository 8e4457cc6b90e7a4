"""Resource limits: requests the engine would take unbounded memory or time to serve are refused up front.

Every limit is a module constant; exceeding one raises :class:`~accelsim.errors.ConfigError` naming the
field and saying the limit, before anything is allocated or simulated.  The limits are far beyond any
real accelerator (an H100 has 132 units and ~10,000 DRAM banks) but below what would exhaust memory:

* ``MAX_SIM_UNITS`` compute units and ``MAX_SIM_BANKS`` DRAM banks in total (the engine keeps state for
  each; the Architecture itself may describe more, e.g. for roofline studies);
* ``MAX_KERNELS_PER_CALL`` kernels in one :func:`accelsim.simulate` call (a result keeps one row
  reference per kernel; identical kernels share one row);
* ``MAX_DETAILED_REQUESTS`` DRAM requests per kernel in ``fidelity="detailed"`` (one event chain per
  burst: beyond this a run takes hours; ``"fast"`` extrapolates long streams and has no such limit).

Sizes of tensors and kernels are bounded by the kernels' own validation (e.g. ``Elementwise.n_elements``
<= 2**46, a GEMV weight <= 2**46 elements, a lowered kernel <= 4 PB or 2**40 tiles).
"""

from __future__ import annotations

from typing import Any

from .arch import Architecture
from .errors import ConfigError

__all__ = ["MAX_SIM_UNITS", "MAX_SIM_BANKS", "MAX_KERNELS_PER_CALL", "MAX_DETAILED_REQUESTS",
           "check_machine", "check_kernel_count", "check_detailed"]

MAX_SIM_UNITS = 1 << 20
MAX_SIM_BANKS = 1 << 22
MAX_KERNELS_PER_CALL = 1 << 27
MAX_DETAILED_REQUESTS = 1 << 31


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

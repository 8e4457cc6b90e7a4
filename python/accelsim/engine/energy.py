"""Energy from simulated traffic: bytes moved per level and path, row activations, FLOPs, time.

The machine's :class:`~accelsim.spec.energy.EnergySpec` gives the per-event energies; the simulation gives
the counts.  For one kernel (see :func:`kernel_energy_components`)::

    dram_array      = (DRAM read + write bytes) * 8 * dram_array_pj_per_bit
    dram_internal   = (DRAM read + write bytes) * 8 * dram_internal_pj_per_bit
    dram_interface  = (DRAM read + write bytes) * 8 * dram_interface_pj_per_bit
    dram_activation = row activations (ACT commands the DRAM model issued) * dram_activate_pj
    l2              = (L2 hit bytes + DRAM bytes, when the machine has an L2) * 8 * l2_pj_per_bit
    local_sram      = (DRAM bytes + L2 hit bytes) * 8 * local_sram_pj_per_bit
    compute         = FLOPs * pJ/FLOP of the kernel's math dtype (vector_pj_per_flop for elementwise)
    static          = static_power_w * kernel time (launch gap included)
    busy            = busy_power_w(arch) * kernel time: units x clock x unit_busy_pj_per_cycle
                      + L2 bytes/cycle x L2 clock x l2_busy_pj_per_byte_cycle (the chip is clocked and
                      issuing while any kernel runs, whatever it computes)

and the total is the exact sum of the components (:func:`math.fsum`).  With ``board_power_limit_w`` set, a
kernel whose total would exceed limit x time has its dynamic components (every one but ``static`` and
``busy``) scaled by one factor so that it draws the limit exactly (a power-capped chip lowers clock and
voltage; the simulated time is left as it is) -- :func:`power_cap`.  A machine without an energy spec
gets no components, and its ``energy_j`` is NaN.

Near-memory designs reuse the same spec: a byte consumed at the bank pays only the array segment, one
consumed in the base die pays array + internal, and one delivered to the host pays all three
(:func:`dram_path_pj_per_bit`).

Beyond HBM (nearmem.py; the two components appended to :data:`COMPONENTS` are 0 on other machines):

- A kernel offloaded to near-memory units (:func:`near_memory_energy_components`) charges its DRAM bytes
  on its level's path (:data:`NEAR_MEMORY_PATHS`: PNM -> "base_die", PIM -> "bank").  **One rule for the
  NearMemorySpec's own figures**: a positive ``near_memory.internal_pj_per_bit`` is the whole energy of
  a DRAM bit delivered to a unit (cell to unit, the unit's buffer included) and replaces the path's sum;
  it is split into ``dram_array`` (the EnergySpec's array figure, or all of it if smaller: the same cells
  are read whoever reads them) and ``dram_internal`` (the rest: the bank-to-unit wires).  A positive
  ``near_memory.compute_pj_per_flop`` prices the units' FLOPs (component ``near_memory_compute``, every
  dtype).  A value of 0 means "not given": the path's EnergySpec segments / the EnergySpec's pJ/FLOP for
  the kernel's math dtype are used instead.  Such bytes never cross the interface or the host's L2 and
  local SRAM; activations, static and busy power are charged as usual (the host stays clocked while it
  drives the units).  The host's input broadcast and result
  gather are ordinary host-path DRAM traffic (nearmem.py adds the three parts with :func:`add_components`).
- Bytes the host sends to or reads from a near-memory pool (``near_memory.pool``, AttAcc style) cross a link
  and pay ``near_memory.pool_link_pj_per_bit`` (component ``link``) and the host's static and busy power
  over the link time; a softmax on the stacks' buffer dies pays the "base_die" path for its bytes and the
  vector pJ/FLOP.
- A kernel fed from High Bandwidth Flash charges its flash bytes ``hbf.read_pj_per_bit`` (page read, stack
  and interface: component ``flash``) and then, like DRAM bytes on the host path, the L2 / staging SRAM
  and the units' local SRAM (``flash_read_bytes`` of :func:`kernel_energy_components`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..spec.machine import Architecture
from ..spec.energy import EnergySpec
from ..errors import ConfigError

__all__ = ["COMPONENTS", "DRAM_PATHS", "kernel_energy_components", "dram_path_pj_per_bit", "sum_components",
           "total_j", "NEAR_MEMORY_PATHS", "near_memory_pj_per_bit", "near_memory_energy_components",
           "add_components", "busy_power_w", "chip_power_w", "floor_power_w", "power_cap", "link_energy_j",
           "STATIC_COMPONENTS"]

#: Energy components, in report order.  Every result's ``energy_by_component_j`` has exactly these keys.
COMPONENTS: tuple[str, ...] = ("dram_array", "dram_internal", "dram_interface", "dram_activation", "l2",
                               "local_sram", "compute", "static", "busy",
                               # beyond HBM (nearmem.py): near-memory units' FLOPs, High Bandwidth Flash reads,
                               # bytes over the link to a near-memory pool (near_memory.pool_link_pj_per_bit)
                               "near_memory_compute", "flash", "link")

#: Where a DRAM byte is consumed -> which path segments it pays (see :func:`dram_path_pj_per_bit`).
DRAM_PATHS: dict[str, tuple[str, ...]] = {
    "bank": ("dram_array_pj_per_bit",),
    "base_die": ("dram_array_pj_per_bit", "dram_internal_pj_per_bit"),
    "host": ("dram_array_pj_per_bit", "dram_internal_pj_per_bit", "dram_interface_pj_per_bit"),
}

#: Near-memory level -> the DRAM path its units consume bytes at (see :func:`near_memory_energy_components`).
NEAR_MEMORY_PATHS: dict[str, str] = {"pnm": "base_die", "pim_bankgroup": "bank", "pim_bank": "bank"}

#: Components a power cap does not scale: the idle floor and the clocked busy floor are what the chip draws
#: at any clock it is allowed to run.
STATIC_COMPONENTS: tuple[str, ...] = ("static", "busy")

_PJ = 1e-12


def busy_power_w(arch: Architecture) -> float:
    """Power the chip draws above its idle floor while any kernel runs, W: ``units x clock x
    unit_busy_pj_per_cycle + L2 bytes/cycle x L2 clock x l2_busy_pj_per_byte_cycle`` (0 without a spec)."""
    e = arch.energy
    if e is None:
        return 0.0
    w = arch.compute.units * arch.compute.clock_ghz * 1e9 * e.unit_busy_pj_per_cycle * _PJ
    if arch.l2 is not None:
        w += arch.l2.bytes_per_cycle * arch.l2.clock_ghz * 1e9 * e.l2_busy_pj_per_byte_cycle * _PJ
    return w


def chip_power_w(arch: Architecture, state: str = "active") -> float:
    """The chip's floor: ``"idle"`` = static power (powered, no kernel), ``"active"`` = static + busy (a
    kernel runs, before any per-event energy).  NaN without an energy spec."""
    if state not in ("idle", "active"):
        raise ConfigError("state", "must be 'idle' or 'active'", state)
    e = arch.energy
    if e is None:
        return float("nan")
    return e.static_power_w + (busy_power_w(arch) if state == "active" else 0.0)


def floor_power_w(chip: Any, state: str = "active") -> float:
    """:func:`chip_power_w` of a chip or of every die of a Package (``state`` "idle" or "active"), W; 0 for a
    machine without an energy spec (its energy is NaN by other means).  What a chip draws while it waits:
    on a collective or a pipeline bubble ("active": clocks up, a kernel spinning) or between requests
    ("idle")."""
    die = getattr(chip, "die", None)
    n = int(getattr(chip, "dies", 1)) if die is not None else 1
    arch = die if die is not None else chip
    w = chip_power_w(arch, state)
    return n * w if math.isfinite(w) else 0.0


def link_energy_j(nbytes: float, link: Any) -> float:
    """Energy of moving ``nbytes`` across one traversal of ``link`` (a LinkSpec: ``energy_pj_per_bit``), J.
    Multi-chip steps charge it per byte per hop on top of each chip's own energy."""
    pj = float(getattr(link, "energy_pj_per_bit", 0.0))
    if not (math.isfinite(nbytes) and nbytes >= 0):
        raise ConfigError("nbytes", "must be a finite number >= 0", nbytes)
    return 8.0 * nbytes * pj * _PJ


def power_cap(arch: Architecture, components: tuple[tuple[str, float], ...], time_s: float
              ) -> tuple[tuple[str, float], ...]:
    """``components`` with the dynamic ones scaled so the kernel's average power is at most
    ``board_power_limit_w`` (unchanged without a limit, or when under it)."""
    e = arch.energy
    if e is None or not components or e.board_power_limit_w <= 0 or not time_s > 0:
        return components
    total = math.fsum(v for _, v in components)
    cap = e.board_power_limit_w * time_s
    if not total > cap:
        return components
    floor = math.fsum(v for c, v in components if c in STATIC_COMPONENTS)
    dyn = total - floor
    f = max(0.0, cap - floor) / dyn if dyn > 0 else 0.0
    return tuple((c, v if c in STATIC_COMPONENTS else v * f) for c, v in components)


def dram_path_pj_per_bit(spec: EnergySpec, path: str = "host") -> float:
    """pJ per DRAM bit consumed at ``path`` ("bank", "base_die" or "host")."""
    if path not in DRAM_PATHS:
        raise ConfigError("path", f"must be one of {list(DRAM_PATHS)}", path)
    return math.fsum(getattr(spec, f) for f in DRAM_PATHS[path])


def kernel_energy_components(arch: Architecture, *, time_s: float, dram_read_bytes: int, dram_write_bytes: int,
                             l2_read_bytes: int, activates: int, flops: float, math_dtype: str | None,
                             dram_path: str = "host", pj_per_flop: float | None = None,
                             flash_read_bytes: int = 0,
                             ) -> tuple[tuple[str, float], ...]:
    """(component, joules) pairs in :data:`COMPONENTS` order for one simulated kernel; () without a spec.

    ``math_dtype`` None means vector (elementwise) math.  ``dram_path`` says where the DRAM bytes are
    consumed (:data:`DRAM_PATHS`): "host" (the default: every segment, and the bytes then cross the L2
    and the units' local SRAM), or "base_die" / "bank" for near-memory compute, which pays only the
    segments up to there and no host-side SRAM for those bytes.  ``pj_per_flop`` overrides the spec's
    per-FLOP energy (e.g. for near-memory compute units with their own figure).  ``flash_read_bytes``
    (weights streamed from ``arch.hbf``) pay ``hbf.read_pj_per_bit`` (component ``flash``) and then the L2
    and local SRAM as host DRAM bytes do.
    """
    e = arch.energy
    if e is None:
        return ()
    if dram_path not in DRAM_PATHS:
        raise ConfigError("dram_path", f"must be one of {list(DRAM_PATHS)}", dram_path)
    segs = DRAM_PATHS[dram_path]
    dram_bytes = dram_read_bytes + dram_write_bytes
    if flash_read_bytes and arch.hbf is None:
        raise ConfigError("hbf", "flash_read_bytes given for a machine without a flash tier", flash_read_bytes)
    host_dram = (dram_bytes if dram_path == "host" else 0) + flash_read_bytes  # bytes arriving on chip
    dram_bits = 8.0 * dram_bytes
    l2_bits = 8.0 * (l2_read_bytes + (host_dram if arch.l2 is not None else 0))
    local_bits = 8.0 * (host_dram + l2_read_bytes)
    flash_pj = arch.hbf.read_pj_per_bit if arch.hbf is not None else 0.0
    if pj_per_flop is None:
        pj_per_flop = e.vector_pj_per_flop if math_dtype is None else e.compute_pj_per_flop.get(math_dtype)
    pj_flop = pj_per_flop

    def seg(name: str) -> float:
        return dram_bits * getattr(e, name) * _PJ if name in segs else 0.0

    vals = (
        seg("dram_array_pj_per_bit"),
        seg("dram_internal_pj_per_bit"),
        seg("dram_interface_pj_per_bit"),
        activates * e.dram_activate_pj * _PJ,
        l2_bits * e.l2_pj_per_bit * _PJ,
        local_bits * e.local_sram_pj_per_bit * _PJ,
        flops * pj_flop * _PJ,
        e.static_power_w * time_s,
        busy_power_w(arch) * time_s,
        0.0,  # near_memory_compute: see near_memory_energy_components
        8.0 * flash_read_bytes * flash_pj * _PJ,
        0.0,  # link: see accelsim.engine.nearmem (host <-> near-memory pool transfers)
    )
    return power_cap(arch, tuple(zip(COMPONENTS, vals)), time_s)


def near_memory_pj_per_bit(arch: Architecture) -> tuple[float, float]:
    """(array, internal) pJ per DRAM bit consumed by ``arch``'s near-memory units (see the module docstring:
    ``near_memory.internal_pj_per_bit`` when positive, else the EnergySpec's segments of the level's path)."""
    e, nm = arch.energy, arch.near_memory
    if e is None:
        raise ConfigError("energy", "the machine has no energy spec")
    if nm is None:
        raise ConfigError("near_memory", "the machine has no near-memory units")
    path = NEAR_MEMORY_PATHS[nm.level]
    total = nm.internal_pj_per_bit if nm.internal_pj_per_bit > 0 else dram_path_pj_per_bit(e, path)
    array = min(e.dram_array_pj_per_bit, total)
    return array, total - array


def near_memory_energy_components(arch: Architecture, *, time_s: float, dram_read_bytes: int,
                                  dram_write_bytes: int, activates: int, flops: float,
                                  math_dtype: str | None) -> tuple[tuple[str, float], ...]:
    """(component, joules) pairs for the part of a kernel the near-memory units run; () without a spec.

    DRAM bytes pay :func:`near_memory_pj_per_bit` (``dram_array`` + ``dram_internal``; no interface, L2 or
    host SRAM), FLOPs ``near_memory.compute_pj_per_flop`` (or, when it is 0, the EnergySpec's figure for
    ``math_dtype``) as ``near_memory_compute``; activations and static power as for any kernel.
    """
    e, nm = arch.energy, arch.near_memory
    if e is None:
        return ()
    if nm is None:
        raise ConfigError("near_memory", "the machine has no near-memory units")
    array, internal = near_memory_pj_per_bit(arch)
    bits = 8.0 * (dram_read_bytes + dram_write_bytes)
    if nm.compute_pj_per_flop > 0:
        pj_flop = nm.compute_pj_per_flop
    else:
        pj_flop = e.vector_pj_per_flop if math_dtype is None else e.compute_pj_per_flop.get(math_dtype)
    vals = {
        "dram_array": bits * array * _PJ,
        "dram_internal": bits * internal * _PJ,
        "dram_activation": activates * e.dram_activate_pj * _PJ,
        "near_memory_compute": flops * pj_flop * _PJ,
        "static": e.static_power_w * time_s,
        "busy": busy_power_w(arch) * time_s,
    }
    return power_cap(arch, tuple((c, vals.get(c, 0.0)) for c in COMPONENTS), time_s)


def add_components(*parts: Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """Component-wise exact sum (fsum) of several (component, joules) tuples of one kernel; () if any is ()."""
    ps = [dict(p) for p in parts]
    if not ps or any(not p for p in ps):
        return ()
    return tuple((c, math.fsum(p.get(c, 0.0) for p in ps)) for c in COMPONENTS)


def sum_components(weighted: Iterable[tuple[Iterable[tuple[str, float]], float]]) -> dict[str, float] | None:
    """Sum (components, weight) pairs into {component: joules}; None if any item has no components."""
    acc: dict[str, list[float]] = {c: [] for c in COMPONENTS}
    seen = False
    for comps, w in weighted:
        comps = tuple(comps)
        if not comps:
            return None
        seen = True
        for name, v in comps:
            acc[name].append(v * w)
    if not seen:
        return None
    return {c: math.fsum(v) for c, v in acc.items()}


def total_j(components: Mapping[str, float] | None) -> float:
    """Exact sum of the components (fsum); NaN for None (no energy model)."""
    if components is None:
        return float("nan")
    return math.fsum(components.values())


def describe(spec: EnergySpec) -> dict[str, Any]:
    """The spec as a plain dict plus the derived host-path pJ/bit (for CLI / notes)."""
    d = spec.to_dict()
    d["dram_host_pj_per_bit"] = spec.dram_host_pj_per_bit
    return d

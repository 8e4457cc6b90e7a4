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

and the total is the exact sum of the components (:func:`math.fsum`).  A machine without an energy spec
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
  local SRAM; activations and static power are charged as usual.  The host's input broadcast and result
  gather are ordinary host-path DRAM traffic (nearmem.py adds the three parts with :func:`add_components`).
- Bytes the host sends to or reads from a near-memory pool (``near_memory.pool``, AttAcc style) cross a link
  and pay ``near_memory.pool_link_pj_per_bit`` (component ``link``) and static power over the link time;
  a softmax on the stacks' buffer dies pays the "base_die" path for its bytes and the vector pJ/FLOP.
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
           "add_components"]

#: Energy components, in report order.  Every result's ``energy_by_component_j`` has exactly these keys.
COMPONENTS: tuple[str, ...] = ("dram_array", "dram_internal", "dram_interface", "dram_activation", "l2",
                               "local_sram", "compute", "static",
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

_PJ = 1e-12


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
        0.0,  # near_memory_compute: see near_memory_energy_components
        8.0 * flash_read_bytes * flash_pj * _PJ,
        0.0,  # link: see accelsim.engine.nearmem (host <-> near-memory pool transfers)
    )
    return tuple(zip(COMPONENTS, vals))


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
    }
    return tuple((c, vals.get(c, 0.0)) for c in COMPONENTS)


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

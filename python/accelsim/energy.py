"""Energy from simulated traffic: bytes moved per level and path, row activations, FLOPs, time.

The machine's :class:`~accelsim.arch.EnergySpec` gives the per-event energies; the simulation gives
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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .arch import Architecture, EnergySpec
from .errors import ConfigError

__all__ = ["COMPONENTS", "DRAM_PATHS", "kernel_energy_components", "dram_path_pj_per_bit", "sum_components",
           "total_j"]

#: Energy components, in report order.  Every result's ``energy_by_component_j`` has exactly these keys.
COMPONENTS: tuple[str, ...] = ("dram_array", "dram_internal", "dram_interface", "dram_activation", "l2",
                               "local_sram", "compute", "static")

#: Where a DRAM byte is consumed -> which path segments it pays (see :func:`dram_path_pj_per_bit`).
DRAM_PATHS: dict[str, tuple[str, ...]] = {
    "bank": ("dram_array_pj_per_bit",),
    "base_die": ("dram_array_pj_per_bit", "dram_internal_pj_per_bit"),
    "host": ("dram_array_pj_per_bit", "dram_internal_pj_per_bit", "dram_interface_pj_per_bit"),
}

_PJ = 1e-12


def dram_path_pj_per_bit(spec: EnergySpec, path: str = "host") -> float:
    """pJ per DRAM bit consumed at ``path`` ("bank", "base_die" or "host")."""
    if path not in DRAM_PATHS:
        raise ConfigError("path", f"must be one of {list(DRAM_PATHS)}", path)
    return math.fsum(getattr(spec, f) for f in DRAM_PATHS[path])


def kernel_energy_components(arch: Architecture, *, time_s: float, dram_read_bytes: int, dram_write_bytes: int,
                             l2_read_bytes: int, activates: int, flops: float, math_dtype: str | None,
                             dram_path: str = "host", pj_per_flop: float | None = None,
                             ) -> tuple[tuple[str, float], ...]:
    """(component, joules) pairs in :data:`COMPONENTS` order for one simulated kernel; () without a spec.

    ``math_dtype`` None means vector (elementwise) math.  ``dram_path`` says where the DRAM bytes are
    consumed (:data:`DRAM_PATHS`): "host" (the default: every segment, and the bytes then cross the L2
    and the units' local SRAM), or "base_die" / "bank" for near-memory compute, which pays only the
    segments up to there and no host-side SRAM for those bytes.  ``pj_per_flop`` overrides the spec's
    per-FLOP energy (e.g. for near-memory compute units with their own figure).
    """
    e = arch.energy
    if e is None:
        return ()
    if dram_path not in DRAM_PATHS:
        raise ConfigError("dram_path", f"must be one of {list(DRAM_PATHS)}", dram_path)
    segs = DRAM_PATHS[dram_path]
    dram_bytes = dram_read_bytes + dram_write_bytes
    host_dram = dram_bytes if dram_path == "host" else 0
    dram_bits = 8.0 * dram_bytes
    l2_bits = 8.0 * (l2_read_bytes + (host_dram if arch.l2 is not None else 0))
    local_bits = 8.0 * (host_dram + l2_read_bytes)
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
    )
    return tuple(zip(COMPONENTS, vals))


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

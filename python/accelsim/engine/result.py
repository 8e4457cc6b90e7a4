"""What a simulation returns: one :class:`KernelRow` per kernel, a :class:`Result` for a sequence."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Union

from ..workload.kernels import DecodeAttention, Elementwise, Gemv, Moe
from .energy import sum_components, total_j

__all__ = ["KernelRow", "Result", "classify", "KernelLike"]

KernelLike = Union[Gemv, Elementwise, DecodeAttention, Moe]


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
    roofline_s: float  # the core's roofline: launch + max(DRAM bytes / pin peak, flops / the units' rate)
    dram_requests: int
    row_hits: int
    row_misses: int
    refreshes: int
    events: int
    activates: int = 0  # DRAM row activations (ACT commands); estimated as bytes / row size in roofline
    # (component, joules) pairs from the machine's energy spec (see accelsim.engine.energy); () without one
    energy_components_j: tuple[tuple[str, float], ...] = ()
    # where the kernel ran and what it read beyond DRAM (engine/nearmem.py); defaults = a host kernel
    placement: str = "host"  # "host" | "pnm" | "pim_bankgroup" | "pim_bank" | "host+hbf"
    flash_read_bytes: int = 0  # weight bytes streamed from High Bandwidth Flash
    interface_bytes: int = 0  # offloaded kernels: input broadcast + results crossing the host interface

    @property
    def energy_by_component_j(self) -> dict[str, float] | None:
        """{component: joules} (see accelsim.engine.energy.COMPONENTS); None if the machine has no energy spec."""
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


def classify(time_s: float, launch_s: float, dram_s: float, compute_s: float) -> str:
    """What bounds a kernel that took ``time_s`` (``launch_s`` of it the launch), given its roofline's DRAM
    and compute bounds (:func:`accelsim.engine.simulate.roofline_of`): "launch", "compute", "bandwidth" or
    "latency" (neither bound explains the time: waiting on DRAM latency or the L2)."""
    body = time_s - launch_s
    if launch_s >= body:
        return "launch"
    if compute_s >= dram_s and compute_s >= 0.5 * body:
        return "compute"
    if dram_s >= 0.6 * body:
        return "bandwidth"
    return "latency"

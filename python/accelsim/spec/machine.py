"""Machine description: frozen, keyword-only dataclasses with units in every field name.

An :class:`Architecture` is compute (:class:`ComputeSpec`), an optional on-chip SRAM level
(:class:`SramSpec`, the L2 / global buffer) and a DRAM level (:class:`DramSpec`), plus a per-kernel
launch overhead, and optionally an energy model (:mod:`accelsim.spec.energy`) and beyond-HBM parts
(:mod:`accelsim.spec.nearmem`).  Every object validates itself on construction and raises
:class:`~accelsim.errors.ConfigError` naming the offending field by its dotted path, e.g.
``"dram.tRCD_ns"`` or ``"compute.max_inflight_bytes_per_unit"``.

Objects are hashable and picklable.  Variants go through :meth:`Architecture.replace` or
:meth:`Architecture.with_field` (``arch.with_field("dram.stacks", 6)``), which return new,
validated objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Optional, Tuple

from ..dtypes import DTYPES
from ..errors import ConfigError
from .base import (DATACLASS_KW, MAX_COUNT, MAX_SIZE, Spec, float_field, int_field, is_power_of_two, per_dtype,
                   register, spec_field, str_field)

if TYPE_CHECKING:  # referred to by name in spec_field (resolved through the registry)
    from .energy import EnergySpec
    from .nearmem import HbfSpec, NearMemorySpec, PlacementSpec

__all__ = ["DRAM_KINDS", "DtypeRates", "ComputeSpec", "SramSpec", "DramSpec", "Architecture"]

#: DRAM kinds :class:`DramSpec` accepts (``stacked3d``: hybrid-bonded DRAM stacked on the compute die).
DRAM_KINDS: tuple[str, ...] = ("hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4", "lpddr5x", "gddr7", "sram", "stacked3d")


@register
@dataclass(**DATACLASS_KW)
class DtypeRates(Spec):
    """Dense matrix-unit FLOP per cycle per compute unit, for each dtype (0 = not supported).

    A multiply-accumulate counts as 2 FLOP.
    """

    fp32: float = float_field(ge=0.0, le=1e15)
    bf16: float = float_field(ge=0.0, le=1e15)
    fp16: float = float_field(ge=0.0, le=1e15)
    fp8: float = float_field(ge=0.0, le=1e15)
    int8: float = float_field(ge=0.0, le=1e15)
    int4: float = float_field(ge=0.0, le=1e15)
    fp4: float = float_field(ge=0.0, le=1e15)

    def _check(self) -> None:
        if not any(getattr(self, d) > 0 for d in DTYPES):
            raise ConfigError("", "at least one dtype must have a rate > 0", self.to_dict())

    def get(self, dtype: str) -> float:
        """FLOP/cycle/unit for ``dtype``; ConfigError for a name that is not a dtype."""
        return per_dtype(self, dtype)


@register
@dataclass(**DATACLASS_KW)
class ComputeSpec(Spec):
    """The compute units (SMs / cores / PEs) and how much memory traffic each keeps in flight."""

    units: int = int_field(ge=1, le=2**50, doc="number of compute units (SMs)")
    clock_ghz: float = float_field(gt=0.0, le=1000.0, doc="unit clock, GHz")
    matrix_flops_per_cycle_per_unit: DtypeRates = spec_field("DtypeRates", doc="dense matrix FLOP/cycle/unit")
    matrix_sustained_fraction: float = float_field(gt=0.0, le=1.0, doc="fraction of matrix peak reachable")
    vector_flops_per_cycle_per_unit: float = float_field(gt=0.0, le=1e15, doc="vector (SIMT) FLOP/cycle/unit")
    local_sram_bytes_per_unit: int = int_field(ge=0, doc="shared memory + L1 per unit, bytes")
    max_inflight_bytes_per_unit: int = int_field(ge=1, doc="outstanding load bytes one unit sustains")
    load_bytes_per_cycle_per_unit: float = float_field(gt=0.0, le=float(MAX_SIZE), doc="load bytes/cycle/unit")
    matrix_kernel_setup_ns: float = float_field(ge=0.0, le=1e9, doc="fixed cost of a tiled matrix kernel, ns")
    #: Per-dtype override of ``matrix_sustained_fraction`` (0 for a dtype = use the general fraction); e.g.
    #: a power-limited chip sustains a lower fraction of its fp8 peak than of its bf16 peak.
    matrix_sustained_fraction_by_dtype: Optional[DtypeRates] = field(default=None, metadata={
        "kind": "spec", "cls": "DtypeRates", "optional": True,
        "doc": "per-dtype fraction of matrix peak (0 = the general one)"})

    def _check(self) -> None:
        by = self.matrix_sustained_fraction_by_dtype
        if by is not None:
            for d in DTYPES:
                if getattr(by, d) > 1.0:
                    raise ConfigError(f"matrix_sustained_fraction_by_dtype.{d}", "must be a fraction <= 1",
                                      getattr(by, d))

    def sustained_fraction(self, dtype: str) -> float:
        """The fraction of the ``dtype`` matrix peak a well-tiled kernel sustains."""
        by = self.matrix_sustained_fraction_by_dtype
        f = by.get(dtype) if by is not None else 0.0
        return f if f > 0 else self.matrix_sustained_fraction

    def peak_flops_per_s(self, dtype: str) -> float:
        """Dense matrix peak for ``dtype``, FLOP/s (not scaled by ``matrix_sustained_fraction``)."""
        return self.units * self.clock_ghz * 1e9 * self.matrix_flops_per_cycle_per_unit.get(dtype)

    def sustained_flops_per_s(self, dtype: str) -> float:
        """``peak_flops_per_s(dtype) * sustained_fraction(dtype)``."""
        return self.peak_flops_per_s(dtype) * self.sustained_fraction(dtype)

    @property
    def vector_flops_per_s(self) -> float:
        return self.units * self.clock_ghz * 1e9 * self.vector_flops_per_cycle_per_unit


@register
@dataclass(**DATACLASS_KW)
class SramSpec(Spec):
    """An on-chip SRAM level (L2 / global buffer): capacity, aggregate bandwidth, latency, banks."""

    name: str = str_field(doc="level name, e.g. 'l2'")
    capacity_bytes: int = int_field(ge=1)
    bytes_per_cycle: float = float_field(gt=0.0, le=float(MAX_SIZE), doc="aggregate, all banks")
    clock_ghz: float = float_field(gt=0.0, le=1000.0)
    latency_ns: float = float_field(ge=0.0, le=1e9, doc="unloaded access latency as a unit sees it")
    banks: int = int_field(ge=1, le=MAX_COUNT)

    @property
    def bandwidth_bytes_per_s(self) -> float:
        return self.bytes_per_cycle * self.clock_ghz * 1e9


@register
@dataclass(**DATACLASS_KW)
class DramSpec(Spec):
    """A DRAM level: organisation, pin rate and JEDEC-style timings (in ns).

    ``banks_per_group`` counts banks across stack IDs (SIDs): an 8-high HBM3 stack with 2 SIDs of
    4 bank groups x 4 banks is ``bank_groups=4, banks_per_group=8``.
    """

    _TIMINGS: ClassVar[tuple[str, ...]] = (
        "tRCD_ns", "tRP_ns", "tCL_ns", "tRAS_ns", "tRRD_S_ns", "tRRD_L_ns", "tFAW_ns",
        "tCCD_S_ns", "tCCD_L_ns", "tWTR_ns", "tRTW_ns", "tRFC_ns", "tREFI_ns", "tRFCpb_ns",
    )  # fmt: skip

    kind: str = str_field(choices=DRAM_KINDS)
    stacks: int = int_field(ge=1, le=MAX_COUNT)
    channels_per_stack: int = int_field(ge=1, le=MAX_COUNT)
    pseudo_channels_per_channel: int = int_field(ge=1, le=MAX_COUNT)
    bank_groups: int = int_field(ge=1, le=MAX_COUNT)
    banks_per_group: int = int_field(ge=1, le=MAX_COUNT)
    row_bytes: int = int_field(ge=1, doc="row (page) size per pseudo-channel, bytes")
    burst_length: int = int_field(ge=1, le=1024, doc="beats per burst (BL)")
    pc_bus_width_bits: int = int_field(ge=1, le=1 << 16, doc="data bus width of one pseudo-channel, bits")
    data_rate_gbps: float = float_field(gt=0.0, le=1000.0, doc="Gbit/s per pin")
    capacity_bytes_per_stack: int = int_field(ge=1)
    tRCD_ns: float = float_field(gt=0.0, le=1e9, doc="ACT to READ")
    tRP_ns: float = float_field(gt=0.0, le=1e9, doc="PRE to ACT")
    tCL_ns: float = float_field(gt=0.0, le=1e9, doc="READ to first data")
    tRAS_ns: float = float_field(gt=0.0, le=1e9, doc="ACT to PRE")
    tRRD_S_ns: float = float_field(ge=0.0, le=1e9, doc="ACT to ACT, different bank group")
    tRRD_L_ns: float = float_field(ge=0.0, le=1e9, doc="ACT to ACT, same bank group")
    tFAW_ns: float = float_field(ge=0.0, le=1e9, doc="four-activate window")
    tCCD_S_ns: float = float_field(gt=0.0, le=1e9, doc="column to column, different bank group")
    tCCD_L_ns: float = float_field(gt=0.0, le=1e9, doc="column to column, same bank group")
    tWTR_ns: float = float_field(ge=0.0, le=1e9, doc="write to read turnaround")
    tRTW_ns: float = float_field(ge=0.0, le=1e9, doc="read to write turnaround")
    tRFC_ns: float = float_field(ge=0.0, le=1e9, doc="all-bank refresh duration (0 = no refresh)")
    tREFI_ns: float = float_field(gt=0.0, le=1e12, doc="refresh interval")
    tRFCpb_ns: float = float_field(ge=0.0, le=1e9, doc="per-bank refresh duration; > 0 selects per-bank refresh")
    interleave_bytes: int = int_field(ge=1, doc="address-interleaving granule across pseudo-channels")
    access_latency_ns: float = float_field(ge=0.0, le=1e9, doc="unit <-> controller round trip, excl. device")

    def _check(self) -> None:
        if (self.pc_bus_width_bits * self.burst_length) % 8:
            raise ConfigError(
                "burst_length",
                f"pc_bus_width_bits * burst_length must be a whole number of bytes "
                f"(pc_bus_width_bits={self.pc_bus_width_bits})",
                self.burst_length,
            )
        bb = self.burst_bytes
        if self.row_bytes % bb:
            raise ConfigError("row_bytes", f"must be a multiple of burst_bytes ({bb})", self.row_bytes)
        if self.interleave_bytes % bb:
            raise ConfigError("interleave_bytes", f"must be a multiple of burst_bytes ({bb})", self.interleave_bytes)
        if not is_power_of_two(self.interleave_bytes):
            raise ConfigError("interleave_bytes", "must be a power of two", self.interleave_bytes)
        if self.interleave_bytes > self.row_bytes:
            raise ConfigError("interleave_bytes", f"must not exceed row_bytes ({self.row_bytes})", self.interleave_bytes)
        if self.tRAS_ns < self.tRCD_ns:
            raise ConfigError("tRAS_ns", f"must be >= tRCD_ns ({self.tRCD_ns!r})", self.tRAS_ns)
        if self.tRRD_L_ns < self.tRRD_S_ns:
            raise ConfigError("tRRD_L_ns", f"must be >= tRRD_S_ns ({self.tRRD_S_ns!r})", self.tRRD_L_ns)
        if self.tCCD_L_ns < self.tCCD_S_ns:
            raise ConfigError("tCCD_L_ns", f"must be >= tCCD_S_ns ({self.tCCD_S_ns!r})", self.tCCD_L_ns)
        if self.tFAW_ns < self.tRRD_S_ns:
            raise ConfigError("tFAW_ns", f"must be >= tRRD_S_ns ({self.tRRD_S_ns!r})", self.tFAW_ns)
        if self.tRFCpb_ns > 0:
            if not self.tREFI_ns > self.tRFCpb_ns:
                raise ConfigError("tRFCpb_ns", f"must be < tREFI_ns ({self.tREFI_ns!r})", self.tRFCpb_ns)
            banks = self.bank_groups * self.banks_per_group
            if self.tREFI_ns / banks < 1.0:
                raise ConfigError("tREFI_ns", f"per-bank refresh needs tREFI_ns / banks ({banks}) >= 1 ns",
                                  self.tREFI_ns)
        if not self.tREFI_ns > self.tRFC_ns:
            raise ConfigError("tREFI_ns", f"must be > tRFC_ns ({self.tRFC_ns!r})", self.tREFI_ns)
        if self.stacks * self.capacity_bytes_per_stack > MAX_SIZE:
            raise ConfigError(
                "capacity_bytes_per_stack",
                f"stacks * capacity_bytes_per_stack must be <= 2**62 (stacks={self.stacks})",
                self.capacity_bytes_per_stack,
            )
        if self.pseudo_channels * self.banks_per_pseudo_channel > 2**31 - 1:
            raise ConfigError("stacks", "too many banks in total (> 2**31 - 1)", self.stacks)
        min_capacity = (
            self.channels_per_stack * self.pseudo_channels_per_channel * self.banks_per_pseudo_channel * self.row_bytes
        )
        if self.capacity_bytes_per_stack < min_capacity:
            raise ConfigError(
                "capacity_bytes_per_stack",
                f"must hold at least one row in every bank ({min_capacity} bytes)",
                self.capacity_bytes_per_stack,
            )

    @property
    def burst_bytes(self) -> int:
        """Bytes one burst moves on one pseudo-channel."""
        return self.pc_bus_width_bits * self.burst_length // 8

    @property
    def pseudo_channels(self) -> int:
        """Pseudo-channels over all stacks."""
        return self.stacks * self.channels_per_stack * self.pseudo_channels_per_channel

    @property
    def banks_per_pseudo_channel(self) -> int:
        return self.bank_groups * self.banks_per_group

    @property
    def bus_width_bits(self) -> int:
        """Total data-bus width over all stacks, bits."""
        return self.pseudo_channels * self.pc_bus_width_bits

    @property
    def peak_bandwidth_bytes_per_s(self) -> float:
        """Pin bandwidth: bus width x data rate."""
        return self.bus_width_bits * self.data_rate_gbps * 1e9 / 8

    @property
    def capacity_bytes(self) -> int:
        return self.stacks * self.capacity_bytes_per_stack


@register
@dataclass(**DATACLASS_KW)
class Architecture(Spec):
    """A whole machine: compute, an optional L2 / global-buffer SRAM, DRAM, launch overhead."""

    name: str = str_field()
    description: str = str_field(allow_empty=True)
    compute: ComputeSpec = spec_field("ComputeSpec")
    l2: Optional[SramSpec] = spec_field("SramSpec", optional=True)
    dram: DramSpec = spec_field("DramSpec")
    kernel_launch_overhead_ns: float = float_field(ge=0.0, le=1e12, doc="fixed cost per kernel")
    citations: Tuple[str, ...] = field(default=(), metadata={"kind": "strtuple", "doc": "sources"})
    #: Optional energy model (see :class:`EnergySpec`); None: results report energy as NaN.
    energy: Optional["EnergySpec"] = field(
        default=None, metadata={"kind": "spec", "cls": "EnergySpec", "optional": True, "doc": "energy model"})
    # Beyond-HBM directions (simulated by engine/nearmem.py). None = a plain machine, simulated as before.
    near_memory: Optional["NearMemorySpec"] = field(default=None, metadata={
        "kind": "spec", "cls": "NearMemorySpec", "optional": True, "doc": "PNM / PIM compute in the DRAM stacks"})
    hbf: Optional["HbfSpec"] = field(default=None, metadata={
        "kind": "spec", "cls": "HbfSpec", "optional": True, "doc": "High Bandwidth Flash tier (read-only)"})
    placement: Optional["PlacementSpec"] = field(default=None, metadata={
        "kind": "spec", "cls": "PlacementSpec", "optional": True, "doc": "what lives where, what is offloaded"})

    @property
    def peak_dram_bandwidth_bytes_per_s(self) -> float:
        return self.dram.peak_bandwidth_bytes_per_s

    @property
    def memory_capacity_bytes(self) -> int:
        """DRAM capacity, bytes."""
        return self.dram.capacity_bytes

    def peak_flops_per_s(self, dtype: str) -> float:
        """Dense matrix peak for ``dtype`` over all units, FLOP/s."""
        return self.compute.peak_flops_per_s(dtype)

    def _check(self) -> None:
        if self.placement is not None and self.placement.weights_tier == "flash" and self.hbf is None:
            raise ConfigError("placement.weights_tier", "is 'flash' but the machine has no hbf tier", "flash")


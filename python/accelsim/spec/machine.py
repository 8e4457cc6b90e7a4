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

import math
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Tuple

from ..dtypes import DTYPES
from ..errors import ConfigError
from .base import (DATACLASS_KW, MAX_COUNT, MAX_SIZE, Spec, float_field, int_field, is_power_of_two, per_dtype,
                   register, spec_field, str_field)

if TYPE_CHECKING:  # referred to by name in spec_field (resolved through the registry)
    from .energy import EnergySpec
    from .nearmem import HbfSpec, NearMemorySpec, PlacementSpec

__all__ = ["DRAM_KINDS", "DRAM_BITS_PER_CLOCK", "DRAM_COMMAND_CYCLES", "cycles", "DtypeRates", "ComputeSpec", "SramSpec", "DramSpec", "Architecture",
           "MIN_RATE_PER_S"]

#: the slowest rate a machine may have, per second (bytes or FLOP): 1. Every rate the engine divides by (a
#: clock times a per-cycle figure) is checked against it, so a subnormal or underflowing product is a
#: ConfigError naming the field, not a division by zero later (1e-300 GHz x 1e-300 B/cycle is exactly 0.0)
MIN_RATE_PER_S = 1.0


def _check_rate(field: str, value: float, rate_per_s: float, what: str) -> None:
    if not rate_per_s >= MIN_RATE_PER_S:
        raise ConfigError(field, f"{what} would be {rate_per_s:.3g} per second (< {MIN_RATE_PER_S:g}): not a "
                                 "rate the simulator can use", value)


#: The device clock of each DRAM standard :class:`DramSpec` accepts, as bits per pin per clock cycle:
#: ``tCK = bits / data rate``. HBM2/HBM2E: DDR on CK (HBM2-2000: tCK 1 ns) [JESD235][RAM2-HBM2]; HBM3/HBM3E/HBM4:
#: 4 bits per CK (HBM3-6400: 625 ps, HBM4-8000: 500 ps) [JESD238][RAM2-HBM3][RAM2-HBM4]; LPDDR5X: 8, WCK:CK 4:1
#: with DDR on WCK (LPDDR5-6400: 1.25 ns) [JESD209-5][RAM2-LP5]; GDDR7: 16, a 32-bit-per-pin burst in 2 CK
#: (GDDR7_28000_PAM3: 571 ps) [JESD239][RAM2-GDDR7]; GDDR6: 8, a BL16 burst in 2 CK (CK = data rate / 8: 500 ps
#: at 16 Gb/s) [JESD250][RAM2-GDDR6]; ``sram`` (on-chip SRAM as the main memory level): one
#: access per core clock; ``stacked3d`` (hybrid-bonded DRAM on the compute die, a design): DDR, as HBM2's
#: 64-bit pseudo-channels. Sources: :mod:`accelsim.presets.memories`.
DRAM_BITS_PER_CLOCK: dict[str, int] = {"hbm2": 2, "hbm2e": 2, "hbm3": 4, "hbm3e": 4, "hbm4": 4, "lpddr5x": 8,
                                       "gddr6": 8, "gddr7": 16, "sram": 1, "stacked3d": 2}

#: DRAM kinds (standards) :class:`DramSpec` accepts.
DRAM_KINDS: tuple[str, ...] = tuple(DRAM_BITS_PER_CLOCK)


def cycles(ns: float, tck_ns: float) -> float:
    """``ns`` in device clock cycles of ``tck_ns``, snapped to a whole number of cycles within 1e-9 of one
    (a value written in ns at that clock comes back as the cycle count it was made from)."""
    n = ns / tck_ns
    r = round(n)
    return float(r) if abs(n - r) <= 1e-9 * max(1.0, abs(n)) else n
#: The DRAM controller's options (see docs/notes/dram-controller.md).
DRAM_SCHEDULERS: tuple[str, ...] = ("frfcfs", "fcfs", "frfcfs_cap")
DRAM_REFRESH_MODES: tuple[str, ...] = ("auto", "all_bank", "per_bank", "off")
DRAM_ADDRESS_MAPS: tuple[str, ...] = ("hashed", "mop4clxor")
DRAM_REFRESH_GROUPS: tuple[str, ...] = ("pseudo_channel", "channel")
DRAM_COMMAND_BUSES: tuple[str, ...] = ("pseudo_channel", "channel")

#: The time a command holds its channel's command bus, in device clock cycles (CK): (column command, ACT,
#: PRE), for the standards whose pseudo-channels share their channel's row- and column-command buses.
#: HBM2 / HBM2E: a column command takes one CK on the column bus, an ACT two on the row bus, a PRE one
#: [JESD235]; HBM3 / HBM3E / HBM4: a column command one CK, an ACT 1.5 (rising, falling, rising edge), a
#: PRE half a CK [JESD238]. As Ramulator 2.1 holds them (python/ramulator/dram/hbm2.py ``command_cycles =
#: {"ACT": 2}``; hbm3.py ``"ACT": 1.5, "PREpb": 0.5, "PREab": 0.5``, column commands 1 CK) [RAM2-HBM2][RAM2-HBM3].
DRAM_COMMAND_CYCLES: dict[str, tuple[float, float, float]] = {
    "hbm2": (1.0, 2.0, 1.0), "hbm2e": (1.0, 2.0, 1.0),
    "hbm3": (1.0, 1.5, 0.5), "hbm3e": (1.0, 1.5, 0.5), "hbm4": (1.0, 1.5, 0.5)}


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
    local_sram_bytes_per_unit: int = int_field(ge=0, doc="shared memory + L1 per unit, bytes (0: none); loads "
                                               "land there, so it caps the bytes in flight")
    max_inflight_bytes_per_unit: int = int_field(ge=1, doc="outstanding load bytes one unit sustains")
    load_bytes_per_cycle_per_unit: float = float_field(gt=0.0, le=float(MAX_SIZE), doc="load bytes/cycle/unit")
    matrix_kernel_setup_ns: float = float_field(ge=0.0, le=1e9, doc="fixed cost of a tiled matrix kernel, ns")
    #: Per-dtype override of ``matrix_sustained_fraction`` (0 for a dtype = use the general fraction); e.g.
    #: a power-limited chip sustains a lower fraction of its fp8 peak than of its bf16 peak.
    matrix_sustained_fraction_by_dtype: Optional[DtypeRates] = field(default=None, metadata={
        "kind": "spec", "cls": "DtypeRates", "optional": True,
        "doc": "per-dtype fraction of matrix peak (0 = the general one)"})

    def _check(self) -> None:
        hz = self.clock_ghz * 1e9
        _check_rate("clock_ghz", self.clock_ghz, hz, "the clock")
        _check_rate("load_bytes_per_cycle_per_unit", self.load_bytes_per_cycle_per_unit,
                    hz * self.load_bytes_per_cycle_per_unit, "a unit's load rate (bytes)")
        _check_rate("vector_flops_per_cycle_per_unit", self.vector_flops_per_cycle_per_unit,
                    hz * self.vector_flops_per_cycle_per_unit, "a unit's vector rate (FLOP)")
        for d in DTYPES:
            per_cycle = self.matrix_flops_per_cycle_per_unit.get(d)
            if per_cycle > 0:
                _check_rate(f"matrix_flops_per_cycle_per_unit.{d}", per_cycle,
                            hz * per_cycle * self.sustained_fraction(d), f"a unit's sustained {d} matrix rate")
        by = self.matrix_sustained_fraction_by_dtype
        if by is not None:
            for d in DTYPES:
                if getattr(by, d) > 1.0:
                    raise ConfigError(f"matrix_sustained_fraction_by_dtype.{d}", "must be a fraction <= 1",
                                      getattr(by, d))

    @property
    def inflight_bytes_per_unit(self) -> int:
        """Load bytes one unit keeps outstanding: ``max_inflight_bytes_per_unit``, and no more than its local
        SRAM holds -- loads land in shared memory / VMEM before they are used, so a unit cannot have more in
        flight than it has room for. A unit without local SRAM (0: Groq- and Cerebras-like designs, whose
        streams feed the datapath directly) is limited by ``max_inflight_bytes_per_unit`` alone."""
        if self.local_sram_bytes_per_unit > 0:
            return min(self.max_inflight_bytes_per_unit, self.local_sram_bytes_per_unit)
        return self.max_inflight_bytes_per_unit

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
    """An on-chip SRAM level (L2 / global buffer): capacity, aggregate bandwidth, latency."""

    name: str = str_field(doc="level name, e.g. 'l2'")
    capacity_bytes: int = int_field(ge=1)
    bytes_per_cycle: float = float_field(gt=0.0, le=float(MAX_SIZE), doc="aggregate, all slices")
    clock_ghz: float = float_field(gt=0.0, le=1000.0)
    latency_ns: float = float_field(ge=0.0, le=1e9, doc="unloaded access latency as a unit sees it")

    @property
    def bandwidth_bytes_per_s(self) -> float:
        return self.bytes_per_cycle * self.clock_ghz * 1e9

    def _check(self) -> None:
        _check_rate("clock_ghz", self.clock_ghz, self.clock_ghz * 1e9, "the clock")
        _check_rate("bytes_per_cycle", self.bytes_per_cycle, self.bandwidth_bytes_per_s, "the bandwidth (bytes)")


@register
@dataclass(**DATACLASS_KW)
class DramSpec(Spec):
    """A DRAM level: a standard (``kind``), its organisation, pin rate and timings, held as JEDEC holds them.

    The timings JEDEC fixes in nanoseconds (the DRAM core's: tRCD, tRP, tRAS, tRRD, tFAW, tWTR, refresh; the
    read latency tCL as tAA) are ``*_ns`` fields and do not change with the pin rate. The ones it gives in
    clock cycles of the device clock (column-to-column tCCD_S / tCCD_L and the read-to-write turnaround
    tRTW, the ``n*`` fields, as Ramulator 2's presets hold them) scale with it: the device clock is
    ``tCK_ns = bits_per_clock(kind) / data_rate_gbps`` (HBM3: 4 bits per pin per CK, so 6.4 Gb/s is a 625 ps
    CK), and a burst lasts ``burst_length / data_rate_gbps`` ns. So changing ``data_rate_gbps`` alone changes
    every timing that depends on it, as running the same device at another clock does. Named speed bins
    (HBM3-6400, HBM3E-9600, ...) are in :mod:`accelsim.presets.memories`.

    ``banks_per_group`` counts banks across stack IDs (SIDs): an 8-high HBM3 stack with 2 SIDs of
    4 bank groups x 4 banks is ``bank_groups=4, banks_per_group=8``.

    The former ns spellings of the clock-held timings (``tCCD_S_ns``, ``tCCD_L_ns``, ``tRTW_ns``) are read
    (as properties) and accepted on input (``replace``, ``with_field``, ``from_dict``), converted to cycles at
    the spec's device clock.
    """

    #: The clock-held timings' former ns names (accepted on input, converted at the device clock).
    FORMER_NAMES: ClassVar[dict[str, str]] = {"tCCD_S_ns": "nCCD_S", "tCCD_L_ns": "nCCD_L", "tRTW_ns": "nRTW"}

    kind: str = str_field(choices=DRAM_KINDS, doc="the standard; sets the device clock (DRAM_BITS_PER_CLOCK)")
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
    tCL_ns: float = float_field(gt=0.0, le=1e9, doc="READ to first data (tAA)")
    tRAS_ns: float = float_field(gt=0.0, le=1e9, doc="ACT to PRE")
    tRRD_S_ns: float = float_field(ge=0.0, le=1e9, doc="ACT to ACT, different bank group")
    tRRD_L_ns: float = float_field(ge=0.0, le=1e9, doc="ACT to ACT, same bank group")
    tFAW_ns: float = float_field(ge=0.0, le=1e9, doc="four-activate window")
    nCCD_S: float = float_field(gt=0.0, le=1e6, doc="column to column, different bank group, device clock cycles")
    nCCD_L: float = float_field(gt=0.0, le=1e6, doc="column to column, same bank group, device clock cycles")
    tWTR_ns: float = float_field(ge=0.0, le=1e9, doc="write to read turnaround")
    nRTW: float = float_field(ge=0.0, le=1e6, doc="read to write turnaround, device clock cycles")
    tRFC_ns: float = float_field(ge=0.0, le=1e9, doc="all-bank refresh duration (0 = no refresh)")
    tREFI_ns: float = float_field(gt=0.0, le=1e12, doc="refresh interval")
    tRFCpb_ns: float = float_field(ge=0.0, le=1e9, doc="per-bank refresh duration; > 0 selects per-bank refresh")
    interleave_bytes: int = int_field(ge=1, doc="address-interleaving granule across pseudo-channels")
    access_latency_ns: float = float_field(ge=0.0, le=1e9, doc="unit <-> controller round trip, excl. device")
    # Write timing (JEDEC); 0 = not modelled: write data after tCL, precharge right after the column
    # commands, ACT to write tRCD.
    tCWL_ns: float = field(default=0.0, metadata={"kind": "float", "ge": 0.0, "le": 1e9, "gt": None,
                                                  "doc": "WRITE to first data (write latency); 0: tCL"})
    tWR_ns: float = field(default=0.0, metadata={"kind": "float", "ge": 0.0, "le": 1e9, "gt": None,
                                                "doc": "write recovery: last write data to PRE"})
    tRTP_ns: float = field(default=0.0, metadata={"kind": "float", "ge": 0.0, "le": 1e9, "gt": None,
                                                 "doc": "READ to PRE; 0: tCCD_L"})
    tRCDWR_ns: float = field(default=0.0, metadata={"kind": "float", "ge": 0.0, "le": 1e9, "gt": None,
                                                   "doc": "ACT to WRITE; 0: tRCD_ns"})
    # The controller.
    scheduler: str = field(default="frfcfs", metadata={"kind": "str", "choices": DRAM_SCHEDULERS,
                                                      "allow_empty": False, "doc": "which queued request goes next"})
    row_hit_cap: int = field(default=4, metadata={"kind": "int", "ge": 1, "le": 1 << 20,
                                                 "doc": "frfcfs_cap: row hits that may pass a bank's oldest request"})
    write_queue_bursts: int = field(default=0, metadata={
        "kind": "int", "ge": 0, "le": 1 << 30,
        "doc": "per pseudo-channel write queue, bursts; drained between the watermarks (0: one mixed queue)"})
    write_high_watermark: float = field(default=0.8, metadata={
        "kind": "float", "ge": 0.0, "le": 1.0, "gt": None, "doc": "turn to writes above this share of the write queue"})
    write_low_watermark: float = field(default=0.2, metadata={
        "kind": "float", "ge": 0.0, "le": 1.0, "gt": None, "doc": "back to reads below this share"})
    refresh: str = field(default="auto", metadata={
        "kind": "str", "choices": DRAM_REFRESH_MODES, "allow_empty": False,
        "doc": "all_bank, per_bank, off; auto: per_bank when tRFCpb_ns > 0, else all_bank"})
    refresh_group: str = field(default="pseudo_channel", metadata={
        "kind": "str", "choices": DRAM_REFRESH_GROUPS, "allow_empty": False,
        "doc": "all-bank refresh phases: each pseudo-channel its own, or the pseudo-channels of a channel together"})
    sids: int = field(default=1, metadata={
        "kind": "int", "ge": 1, "le": MAX_COUNT,
        "doc": "stack IDs (SIDs) the bank groups of a pseudo-channel are split over, bank group g in SID g mod sids "
               "(matters with nCCDR)"})
    nCCDR: float = field(default=0.0, metadata={
        "kind": "float", "ge": 0.0, "le": 1e6, "gt": None,
        "doc": "read to read in another SID (tCCDR), device clock cycles; 0: nCCD_S"})
    command_bus: str = field(default="pseudo_channel", metadata={
        "kind": "str", "choices": DRAM_COMMAND_BUSES, "allow_empty": False,
        "doc": "command buses: each pseudo-channel its own, or the pseudo-channels of a channel share one row- "
               "and one column-command bus (HBM kinds; command times DRAM_COMMAND_CYCLES)"})
    address_map: str = field(default="hashed", metadata={
        "kind": "str", "choices": DRAM_ADDRESS_MAPS, "allow_empty": False,
        "doc": "hashed (channels rotated by a hash) or mop4clxor (Ramulator's)"})
    #: The share of the stacks' raw capacity the device exposes to software, as its driver reports its total
    #: memory (CUDA's totalGlobalMem, rocm-smi's VRAM total) over the raw capacity: less than 1 by what ECC,
    #: firmware, the driver or a product's capacity cap withhold. What fits (weights, KV cache) is decided on
    #: the exposed bytes; the DRAM's organisation (banks, rows, the address map) is the raw stacks'.
    exposed_fraction: float = field(default=1.0, metadata=float_field(
        gt=0.0, le=1.0, doc="share of the raw capacity exposed to software (driver's total memory / raw)").metadata)
    #: The most the path between the compute units and the memory controllers carries, reads and writes
    #: together, GB/s: on a chiplet package the on-package fabric between the compute dies and the I/O dies
    #: that hold the controllers. A kernel moves its DRAM bytes no faster than this nor than the pins.
    #: 0: only the pins and the DRAM timings bind (a monolithic die).
    fabric_bandwidth_gb_per_s: float = field(default=0.0, metadata=float_field(
        ge=0.0, le=1e9, doc="GB/s the compute-to-controller path carries (0: only the pins bind)").metadata)

    @classmethod
    def _translate(cls, values: dict[str, Any], current: Any = None) -> dict[str, Any]:
        """``values`` with the former ns names of the clock-held timings converted to cycles at the device
        clock of the result (its kind and data rate: from ``values``, else ``current``)."""
        legacy = [k for k in cls.FORMER_NAMES if k in values]
        if not legacy:
            return values
        out = dict(values)
        kind = out.get("kind", getattr(current, "kind", None))
        rate = out.get("data_rate_gbps", getattr(current, "data_rate_gbps", None))
        for k in legacy:
            new = cls.FORMER_NAMES[k]
            if new in out:
                raise ConfigError(k, f"give {new} (device clock cycles) or {k}, not both", out[k])
            ns = out.pop(k)
            if isinstance(ns, bool) or not isinstance(ns, numbers.Real) or not math.isfinite(ns):
                raise ConfigError(k, "must be a finite number", ns)
            if kind not in DRAM_BITS_PER_CLOCK or isinstance(rate, bool) or not isinstance(rate, numbers.Real) \
                    or not rate > 0:
                raise ConfigError(k, "needs a valid kind and data_rate_gbps to convert to device clock cycles", ns)
            out[new] = cycles(float(ns), DRAM_BITS_PER_CLOCK[kind] / float(rate))
        return out

    def _check(self) -> None:
        _check_rate("data_rate_gbps", self.data_rate_gbps, self.data_rate_gbps * 1e9 / 8, "one pin's rate (bytes)")
        if self.write_low_watermark > self.write_high_watermark:
            raise ConfigError("write_low_watermark", f"must be <= write_high_watermark ({self.write_high_watermark!r})",
                              self.write_low_watermark)
        if self.bank_groups % self.sids:
            raise ConfigError("sids", f"must divide bank_groups ({self.bank_groups})", self.sids)
        if self.command_bus == "channel" and self.kind not in DRAM_COMMAND_CYCLES:
            raise ConfigError("command_bus", f"shared command buses are modelled for {sorted(DRAM_COMMAND_CYCLES)}, "
                                             f"not {self.kind!r}", self.command_bus)
        if self.refresh == "per_bank" and not self.tRFCpb_ns > 0:
            raise ConfigError("tRFCpb_ns", "must be > 0 for per-bank refresh", self.tRFCpb_ns)
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
        if self.nCCD_L < self.nCCD_S:
            raise ConfigError("nCCD_L", f"must be >= nCCD_S ({self.nCCD_S!r})", self.nCCD_L)
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
    def tCK_ns(self) -> float:
        """The device clock period, ns: the standard's bits per pin per clock / the pin rate."""
        return DRAM_BITS_PER_CLOCK[self.kind] / self.data_rate_gbps

    @property
    def tBL_ns(self) -> float:
        """Time one burst occupies the data bus: ``burst_length`` beats at the pin rate, ns."""
        return self.burst_length / self.data_rate_gbps

    @property
    def tCCD_S_ns(self) -> float:
        return self.nCCD_S * self.tCK_ns

    @property
    def tCCD_L_ns(self) -> float:
        return self.nCCD_L * self.tCK_ns

    @property
    def tRTW_ns(self) -> float:
        return self.nRTW * self.tCK_ns

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
        """Raw capacity of the stacks, bytes."""
        return self.stacks * self.capacity_bytes_per_stack

    @property
    def usable_capacity_bytes(self) -> int:
        """What software can allocate: ``exposed_fraction`` of the raw capacity, bytes."""
        return self.capacity_bytes if self.exposed_fraction == 1.0 else int(self.capacity_bytes * self.exposed_fraction)


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
        """DRAM capacity software can use, bytes (:attr:`DramSpec.usable_capacity_bytes`)."""
        return self.dram.usable_capacity_bytes

    def peak_flops_per_s(self, dtype: str) -> float:
        """Dense matrix peak for ``dtype`` over all units, FLOP/s."""
        return self.compute.peak_flops_per_s(dtype)

    def _check(self) -> None:
        if self.placement is not None and self.placement.weights_tier == "flash" and self.hbf is None:
            raise ConfigError("placement.weights_tier", "is 'flash' but the machine has no hbf tier", "flash")
        nm = self.near_memory
        if self.placement is not None and self.placement.kv_cache_tier == "pool":
            if nm is None or nm.pool is None:
                raise ConfigError("placement.kv_cache_tier", "is 'pool' but the machine has no near-memory pool "
                                  "(near_memory.pool)", "pool")
            if not nm.supports("attention") or "attention" not in self.placement.offload:
                raise ConfigError("placement.kv_cache_tier", "a KV cache in the near-memory pool needs attention to "
                                  "run there: put 'attention' in near_memory.supported_ops and placement.offload",
                                  "pool")
        if nm is not None and nm.pool is not None and (self.placement is None
                                                       or self.placement.kv_cache_tier != "pool"):
            raise ConfigError("placement.kv_cache_tier", "a machine with a near-memory pool keeps its KV cache there: "
                              "set placement.kv_cache_tier to 'pool'", None if self.placement is None
                              else self.placement.kv_cache_tier)


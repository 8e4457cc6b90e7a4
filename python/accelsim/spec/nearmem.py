"""Beyond-HBM parts of a machine: near-memory compute (PNM / PIM), High Bandwidth Flash, placement.

Simulated by :mod:`accelsim.engine.nearmem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Tuple

from ..errors import ConfigError
from .base import DATACLASS_KW, MAX_COUNT, Spec, float_field, int_field, register, spec_field, str_field, suggest

if TYPE_CHECKING:
    from .machine import DramSpec, DtypeRates

__all__ = ["NEARMEM_LEVELS", "NEARMEM_OPS", "TIERS", "SOFTMAX_SITES", "OVERLAPS", "NearMemorySpec", "HbfSpec",
           "PlacementSpec"]

#: Where near-memory compute sits: the base (logic) die of each stack, one unit per bank group, or one
#: unit per ``banks_per_unit`` banks.
NEARMEM_LEVELS: tuple[str, ...] = ("pnm", "pim_bankgroup", "pim_bank")
#: Kernel kinds near-memory units may run. "attention" needs softmax (exp, max, divide) near memory.
NEARMEM_OPS: tuple[str, ...] = ("gemv", "moe", "attention")
#: Memory tiers a tensor class can be placed in: the host's DRAM, High Bandwidth Flash, or the near-memory
#: units' own memory pool (``NearMemorySpec.pool``, e.g. AttAcc's PIM stacks beside the GPU).
TIERS: tuple[str, ...] = ("dram", "flash", "pool")
#: Where an offloaded attention's softmax runs: on the units themselves (a programmable PNM engine), on
#: the stacks' buffer (base) die, or on the host (the scores cross the interface and come back).
SOFTMAX_SITES: tuple[str, ...] = ("units", "buffer_die", "host")
#: How host kernels and near-memory kernels of one decode step share time: one after the other ("none"),
#: two half-batches interleaved so one half's host kernels run while the other half's near-memory kernels
#: do ("sub_batch", NeuPIMs), or attention pipelined with the QKV / output projections head group by head
#: group within the batch ("heads", AttAcc).
OVERLAPS: tuple[str, ...] = ("none", "sub_batch", "heads")


def _with_default(default: object, declared: object) -> object:
    """A field declaration (``int_field(...)`` etc.) with a default value, for fields appended to a spec."""
    return field(default=default, metadata=declared.metadata)  # type: ignore[attr-defined]


@register
@dataclass(**DATACLASS_KW)
class NearMemorySpec(Spec):
    """Compute inside the DRAM stacks: processing-near-memory (PNM) on each stack's base die, or
    processing-in-memory (PIM) beside the banks / bank groups.

    The memory side is simulated by the DES engine on the machine these units see (nearmem.py):

    - ``pnm``: ``units_per_stack`` engines per stack read the stack's pseudo-channels through the TSVs
      at ``internal_pc_bus_width_bits`` per pseudo-channel (0 = the host interface's width), with the
      DRAM's own timings, ``access_latency_ns`` instead of the host's round trip.
    - ``pim_bankgroup`` / ``pim_bank``: one unit per bank group, or per ``banks_per_unit`` banks (of the
      ``unit_banks_per_pseudo_channel`` banks that carry units; 0 = all). Every unit has a private path of
      ``column_bytes`` per column access from its banks' row buffers; a column access takes
      max(``column_period_ns`` (0 = the DRAM's tCCD_L), the command-bus share) where one command drives
      ``units_per_command`` units (all-bank mode = every unit of a pseudo-channel).

    The units sit in the host's own DRAM (``pool`` None: HBM-PIM, AiM) or in a separate memory pool
    (``pool`` a DramSpec: AttAcc's PIM stacks beside the GPU) that the host reaches over a link of
    ``pool_link_gb_per_s`` per direction. The host broadcasts each offloaded kernel's input vector(s) to
    the units and reads their results back (over its DRAM interface, or the pool link).

    An offloaded attention runs QK^T and PV on the units and its softmax at ``softmax_at``: "units" (a
    programmable PNM engine), "buffer_die" (``buffer_die_gflops_per_stack`` of vector math per stack,
    reading the scores at the stacks' interface rate) or "host".
    """

    level: str = str_field(choices=NEARMEM_LEVELS)
    units_per_stack: int = int_field(ge=0, le=MAX_COUNT, doc="pnm: engines per stack's base die (PIM: ignored, 0)")
    banks_per_unit: int = int_field(ge=1, le=MAX_COUNT, doc="pim_bank: banks sharing one unit")
    clock_ghz: float = float_field(gt=0.0, le=1000.0, doc="near-memory unit clock, GHz")
    matrix_flops_per_cycle_per_unit: DtypeRates = spec_field("DtypeRates", doc="MAC FLOP/cycle/unit by dtype (0 = none)")
    vector_flops_per_cycle_per_unit: float = float_field(gt=0.0, le=1e15, doc="scalar/vector FLOP/cycle/unit")
    buffer_bytes_per_unit: int = int_field(ge=1, doc="operand buffer / register file per unit = bytes in flight")
    internal_pc_bus_width_bits: int = int_field(ge=0, le=1 << 16, doc="pnm: TSV data width per pseudo-channel")
    column_bytes: int = int_field(ge=1, le=1 << 16, doc="pim: bytes one column access gives a unit")
    command_period_ns: float = float_field(ge=0.0, le=1e6, doc="pim: min spacing of column commands per pseudo-channel")
    units_per_command: int = int_field(ge=1, le=MAX_COUNT, doc="pim: units one column command drives (all-bank mode)")
    access_latency_ns: float = float_field(ge=0.0, le=1e9, doc="unit <-> its controller round trip, excl. device")
    max_gemv_m: int = int_field(ge=1, le=1 << 20, doc="largest m (tokens) a GEMV offload supports")
    supported_ops: Tuple[str, ...] = field(default=("gemv",), metadata={"kind": "strtuple", "doc": "NEARMEM_OPS"})
    offload_overhead_ns: float = float_field(ge=0.0, le=1e12, doc="fixed cost per offloaded kernel (replaces launch)")
    internal_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="energy per bit read by a unit (for the energy model)")
    compute_pj_per_flop: float = float_field(ge=0.0, le=1e6, doc="energy per FLOP of a unit (for the energy model)")
    column_period_ns: float = _with_default(0.0, float_field(
        ge=0.0, le=1e6, doc="pim: all-bank column (MAC) access interval of one unit, ns (0 = the DRAM's tCCD_L)"))
    unit_banks_per_pseudo_channel: int = _with_default(0, int_field(
        ge=0, le=MAX_COUNT, doc="pim: banks per pseudo-channel that carry units (0 = all of them)"))
    softmax_at: str = _with_default("units", str_field(
        choices=SOFTMAX_SITES, doc="where an offloaded attention's softmax runs"))
    buffer_die_gflops_per_stack: float = _with_default(0.0, float_field(
        ge=0.0, le=1e9, doc="vector GFLOP/s of the softmax units on each stack's buffer die (softmax_at=buffer_die)"))
    pool: Optional["DramSpec"] = field(default=None, metadata={
        "kind": "spec", "cls": "DramSpec", "optional": True,
        "doc": "the units' own memory pool (None: the units sit in the host's DRAM)"})
    pool_link_gb_per_s: float = _with_default(0.0, float_field(
        ge=0.0, le=1e7, doc="host <-> pool link bandwidth per direction, 1e9 B/s"))
    pool_link_latency_ns: float = _with_default(0.0, float_field(ge=0.0, le=1e9, doc="host <-> pool link latency"))
    pool_link_pj_per_bit: float = _with_default(0.0, float_field(
        ge=0.0, le=1e6, doc="energy per bit crossing the host <-> pool link (for the energy model)"))

    def _check(self) -> None:
        for i, op in enumerate(self.supported_ops):
            if op not in NEARMEM_OPS:
                raise ConfigError(f"supported_ops[{i}]", f"must be one of {list(NEARMEM_OPS)}{suggest(op, NEARMEM_OPS)}", op)
        if self.pool is not None and not self.pool_link_gb_per_s > 0:
            raise ConfigError("pool_link_gb_per_s", "a near-memory pool needs a link to the host (> 0)",
                              self.pool_link_gb_per_s)
        if self.softmax_at == "buffer_die" and not self.buffer_die_gflops_per_stack > 0:
            raise ConfigError("buffer_die_gflops_per_stack", "softmax_at='buffer_die' needs the buffer die's vector "
                              "rate (> 0)", self.buffer_die_gflops_per_stack)
        if self.level != "pnm" and self.softmax_at == "units" and "attention" in self.supported_ops:
            raise ConfigError("softmax_at", "PIM units have MAC lanes only: an offloaded attention's softmax runs "
                              "on the 'buffer_die' or the 'host'", self.softmax_at)
        if self.level == "pnm":
            if self.units_per_stack < 1:
                raise ConfigError("units_per_stack", "pnm needs at least one engine per stack", self.units_per_stack)
        if self.column_bytes & (self.column_bytes - 1):
            raise ConfigError("column_bytes", "must be a power of two", self.column_bytes)
        if self.internal_pc_bus_width_bits & (self.internal_pc_bus_width_bits - 1):
            raise ConfigError("internal_pc_bus_width_bits", "must be 0 or a power of two", self.internal_pc_bus_width_bits)

    def supports(self, op: str) -> bool:
        return op in self.supported_ops


@register
@dataclass(**DATACLASS_KW)
class HbfSpec(Spec):
    """High Bandwidth Flash: stacked NAND beside the compute die, read by pages.

    Read-only in service (weights may live here, KV may not: ``endurance_pe_cycles`` program/erase
    cycles would be spent in hours by a cache written every step). A page read occupies one plane for
    ``read_latency_us`` and then the plane's channel for ``page_bytes / channel_bandwidth_gb_per_s``;
    the stack's interface caps the sum at ``stack_bandwidth_gb_per_s``. At most
    ``pages_in_flight_per_stack`` page reads are outstanding per stack (the prefetch depth): whether the
    latency hides is decided by that (simulated in C++, csrc/src/flash.cpp). In-flight pages wait in
    the planes' page registers, so the depth costs no host buffer. With ``prefetch="continuous"`` the
    controller keeps reading the next kernel's weights (decode reads them in a fixed order): only the
    stream's steady rate shows in a kernel, not its fill (one tR per step, not per kernel; neglected).
    """

    stacks: int = int_field(ge=1, le=MAX_COUNT)
    capacity_bytes_per_stack: int = int_field(ge=1)
    channels_per_stack: int = int_field(ge=1, le=MAX_COUNT)
    planes_per_channel: int = int_field(ge=1, le=MAX_COUNT, doc="independently reading arrays per channel")
    page_bytes: int = int_field(ge=512, le=1 << 24)
    read_latency_us: float = float_field(gt=0.0, le=1e6, doc="array read time tR, microseconds")
    channel_bandwidth_gb_per_s: float = float_field(gt=0.0, le=1e6, doc="page transfer rate per channel, 1e9 B/s")
    stack_bandwidth_gb_per_s: float = float_field(gt=0.0, le=1e7, doc="interface limit per stack, 1e9 B/s")
    pages_in_flight_per_stack: int = int_field(ge=1, le=1 << 24, doc="outstanding page reads per stack (prefetch depth)")
    prefetch: str = str_field(choices=("continuous", "per_kernel"),
                         doc="continuous: reads run ahead across kernels (weights are read in a fixed order), "
                             "so a kernel sees the stream's steady rate; per_kernel: each kernel starts cold")
    access_latency_ns: float = float_field(ge=0.0, le=1e9, doc="host <-> flash controller round trip")
    endurance_pe_cycles: int = int_field(ge=1, le=10**9, doc="program/erase cycles (noted; writes are rejected)")
    read_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="energy per bit read (for the energy model)")

    @property
    def capacity_bytes(self) -> int:
        return self.stacks * self.capacity_bytes_per_stack

    @property
    def peak_read_bandwidth_bytes_per_s(self) -> float:
        """min(interface, channels, planes' read rate) over all stacks, bytes/s."""
        per_stack = min(self.stack_bandwidth_gb_per_s * 1e9,
                        self.channels_per_stack * self.channel_bandwidth_gb_per_s * 1e9,
                        self.channels_per_stack * self.planes_per_channel * self.page_bytes
                        / (self.read_latency_us * 1e-6))
        return self.stacks * per_stack


@register
@dataclass(**DATACLASS_KW)
class PlacementSpec(Spec):
    """Placement policy: which tier holds the weights and the KV cache, which kernels are offloaded to
    near-memory units, and when ("always" when supported, or "faster": whichever simulates faster).

    ``kv_cache_tier="pool"`` keeps the KV cache in ``near_memory.pool`` (its own capacity): attention then
    always runs there. ``overlap`` says how a decode step's host and near-memory kernels share time
    (see :data:`OVERLAPS`)."""

    weights_tier: str = str_field(choices=TIERS)
    kv_cache_tier: str = str_field(choices=TIERS)
    offload: Tuple[str, ...] = field(default=("gemv", "moe", "attention"), metadata={"kind": "strtuple", "doc": "NEARMEM_OPS"})
    offload_when: str = str_field(choices=("always", "faster"))
    overlap: str = _with_default("none", str_field(
        choices=OVERLAPS, doc="how host and near-memory kernels of a decode step overlap"))

    def _check(self) -> None:
        if self.weights_tier == "pool":
            raise ConfigError("weights_tier", "the near-memory pool holds the KV cache (AttAcc style); weights stay "
                              "in 'dram' (or 'flash')", self.weights_tier)
        if self.kv_cache_tier == "flash":
            raise ConfigError("kv_cache_tier", "the KV cache is written every decode step; High Bandwidth Flash is "
                              "read-only (page programs, limited endurance): keep it in 'dram'", self.kv_cache_tier)
        for i, op in enumerate(self.offload):
            if op not in NEARMEM_OPS:
                raise ConfigError(f"offload[{i}]", f"must be one of {list(NEARMEM_OPS)}{suggest(op, NEARMEM_OPS)}", op)


"""The energy model's parameters: energy per bit per level and path, per activation, per FLOP, static power,
the busy power of the clocked units and SRAM ports while kernels run, and the board power limit.

Charged by :mod:`accelsim.engine.energy` from simulated counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import DATACLASS_KW, Spec, float_field, per_dtype, register, spec_field

__all__ = ["DtypeEnergies", "EnergySpec"]


@register
@dataclass(**DATACLASS_KW)
class DtypeEnergies(Spec):
    """Energy per matrix FLOP for each dtype, picojoules (a multiply-accumulate is 2 FLOP)."""

    fp32: float = float_field(ge=0.0, le=1e6)
    bf16: float = float_field(ge=0.0, le=1e6)
    fp16: float = float_field(ge=0.0, le=1e6)
    fp8: float = float_field(ge=0.0, le=1e6)
    int8: float = float_field(ge=0.0, le=1e6)
    int4: float = float_field(ge=0.0, le=1e6)
    fp4: float = float_field(ge=0.0, le=1e6)

    def get(self, dtype: str) -> float:
        """pJ/FLOP for ``dtype``; ConfigError for a name that is not a dtype."""
        return per_dtype(self, dtype)


@register
@dataclass(**DATACLASS_KW)
class EnergySpec(Spec):
    """Energy per bit moved on each level and path, per row activation, per FLOP, and static power.

    A DRAM bit read by (or written from) the compute units pays three path segments, so that
    near-memory designs can charge only the segments their data actually crosses:

    - ``dram_array_pj_per_bit``: the bank itself (column access, sense amplifiers, bank I/O);
    - ``dram_internal_pj_per_bit``: on-die global data lines and TSVs from the bank to the base
      die / device I/O;
    - ``dram_interface_pj_per_bit``: device PHY, package / interposer wires and the processor's PHY.

    Row activations cost ``dram_activate_pj`` each (ACT + its precharge), counted by the DRAM model.
    ``l2_pj_per_bit`` is charged for every byte crossing the on-chip SRAM level (L2 hits, and the
    DRAM traffic filled into / drained from it when an L2 exists); ``local_sram_pj_per_bit`` for
    every byte the units take in or write out (staged through shared memory / registers).  Matrix
    kernels pay ``compute_pj_per_flop`` of their math dtype, elementwise kernels
    ``vector_pj_per_flop``.  Static energy is ``static_power_w`` x simulated time (launch gaps
    included).  Reads and writes are charged alike.

    Power a chip draws while kernels run beyond its idle floor (clock trees, schedulers, operand delivery,
    SRAM port periphery), whatever they compute, is ``busy`` energy: ``unit_busy_pj_per_cycle`` per compute
    unit per cycle of the unit clock plus ``l2_busy_pj_per_byte_cycle`` per byte/cycle of L2 port width per
    cycle of the L2 clock, times the kernel time.  More units, a higher clock or a wider L2 draw more.
    ``board_power_limit_w`` (0 = none) caps a kernel's average power: a chip at its limit lowers its clock
    and voltage, so the dynamic (non-static, non-busy) energy is scaled down to fit (simulated time is not
    changed).
    """

    dram_array_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="bank-local access, pJ/bit")
    dram_internal_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="bank -> device I/O (TSV/base die), pJ/bit")
    dram_interface_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="device -> processor PHY + wires, pJ/bit")
    dram_activate_pj: float = float_field(ge=0.0, le=1e9, doc="energy per row activation (ACT + PRE), pJ")
    l2_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="on-chip SRAM level (L2), pJ/bit")
    local_sram_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="unit-local SRAM (shared memory / L1), pJ/bit")
    compute_pj_per_flop: DtypeEnergies = spec_field("DtypeEnergies", doc="matrix math energy by dtype")
    vector_pj_per_flop: float = float_field(ge=0.0, le=1e6, doc="vector (SIMT) FLOP energy, pJ")
    static_power_w: float = float_field(ge=0.0, le=1e9, doc="leakage + always-on power (idle, powered), W")
    unit_busy_pj_per_cycle: float = field(default=0.0, metadata=float_field(
        ge=0.0, le=1e12, doc="busy power of one compute unit per unit-clock cycle while kernels run, pJ").metadata)
    l2_busy_pj_per_byte_cycle: float = field(default=0.0, metadata=float_field(
        ge=0.0, le=1e9, doc="busy power of the L2 ports per byte/cycle of L2 width per L2-clock cycle, pJ").metadata)
    board_power_limit_w: float = field(default=0.0, metadata=float_field(
        ge=0.0, le=1e9, doc="board power limit (TDP); 0 = no cap").metadata)

    @property
    def dram_host_pj_per_bit(self) -> float:
        """Per-bit energy of a DRAM access by the compute units: array + internal + interface."""
        return self.dram_array_pj_per_bit + self.dram_internal_pj_per_bit + self.dram_interface_pj_per_bit


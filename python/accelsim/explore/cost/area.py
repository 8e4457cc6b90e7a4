"""Die area of a machine from its compute units, SRAM and memory interfaces (an area model in the spirit of
LLMCompass's, Zhang et al., ISCA 2024, cost_model/cost_model.py).

A compute unit is built from transistor counts: its matrix multiply-accumulators (an FP16 MAC as LLMCompass's
64-bit FPU scaled by mantissa bits squared), its vector FMA lanes (FP32), per-lane control and register file,
and its port on the on-chip crossbar; transistors become area at the process node's logic density.  SRAM
(local per unit, the L2) is bits x bitcell area / array efficiency (CACTI-derived efficiency by array size).
Memory PHYs do not scale with the node (area per 1024-bit HBM link, per 32-bit DDR-class link), their
controllers do.  The sum over the physical units (enabled + spares), the L2 and the interfaces is the
*modelled* area; ``area_scale`` (1 = the raw model) multiplies it, e.g. to anchor a preset's published die
size (the anchor is then kept by every design derived from that preset, so knobs still move the area).

Sources (short names):
- [LLMC]  LLMCompass, PrincetonUniversity/LLMCompass cost_model/cost_model.py and supply_chain_model.py:
          FPU transistor counts (64-bit FPU 685,300 from Ariane / OpenPiton), per-lane control (NVIDIA
          725,650; AMD 1,534,500; generic 996,200), per-core crossbar (NVIDIA 55.0 M; AMD 33.6 M; generic
          44.3 M), SRAM bitcell incl. periphery 1.70e-7 (7 nm), 1.40e-7 (6 nm), 1.25e-7 (5 nm) mm2/bit,
          CACTI array efficiency by size 4 KiB .. 1 MiB, HBM2e PHY 10.45 mm2 per 1024-bit link and
          controller 552.7 M transistors, DDR5 PHY 1.45 mm2 per 32 bits and controller 90.4 M, NVLink4 PHY
          0.965 mm2 and controller 86.6 M per link, PCIe5 0.64 mm2 and 5.37 M per lane.
- [CSET]  Khan & Mann, "AI Chips: What They Are and Why They Matter", CSET 2020 (via [LLMC]): logic density
          14 nm 28.9, 10 nm 52.5, 7 nm 96.3, 5 nm 138.2 MTr/mm2.
- [N4]    TSMC, N4 announcement (2020): ~6% die-area reduction over N5 -> 138.2 / 0.94 MTr/mm2.
- [N3]    TSMC, N3 (2022): up to 1.6x logic density over N5; SRAM bitcell 0.0199 um2 vs N5 0.021 (IEDM 2022).
- [H100]  NVIDIA H100 Tensor Core GPU Architecture white paper (2022): GH100 814 mm2, 144 SMs (132 enabled on
          SXM5), 60 MB L2 (50 MB enabled), 256 KB register file per SM (65,536 x 32-bit) for 128 FP32 lanes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: Process nodes the models know (logic density MTr/mm2 [CSET][N4][N3]; SRAM bitcell incl. periphery, mm2/bit
#: [LLMC], 14/12 nm scaled from 7 nm by the raw bitcell ratio 0.074/0.027 um2 (16FF vs N7 HD cells).
NODES: dict[str, dict[str, float]] = {
    "n10": dict(mtr_per_mm2=52.5, sram_mm2_per_bit=1.70e-7 * 0.042 / 0.027),
    "n16": dict(mtr_per_mm2=28.9, sram_mm2_per_bit=1.70e-7 * 0.074 / 0.027),
    "n12": dict(mtr_per_mm2=28.9, sram_mm2_per_bit=1.70e-7 * 0.074 / 0.027),
    "n7": dict(mtr_per_mm2=96.3, sram_mm2_per_bit=1.70e-7),
    "n6": dict(mtr_per_mm2=114.2, sram_mm2_per_bit=1.40e-7),
    "n5": dict(mtr_per_mm2=138.2, sram_mm2_per_bit=1.25e-7),
    "n4": dict(mtr_per_mm2=138.2 / 0.94, sram_mm2_per_bit=1.25e-7),
    "n3": dict(mtr_per_mm2=138.2 * 1.6, sram_mm2_per_bit=1.25e-7 * 0.0199 / 0.021),
}

# [LLMC] transistor counts
_FPU64 = 685_300.0
_FPU32 = _FPU64 * (23 / 52) ** 2  # mantissa bits squared
_FPU16 = _FPU64 * (10 / 52) ** 2
#: transistors of one matrix MAC by dtype: tf32/bf16/fp16 on an FP16-class multiplier; 8-bit types two per
#: FP16 MAC, 4-bit types four (the multipliers are shared, as on tensor cores: fp8 runs at 2x bf16)
_MAC_TRANSISTORS = {"fp32": _FPU16, "bf16": _FPU16, "fp16": _FPU16, "fp8": _FPU16 / 2, "int8": _FPU16 / 2,
                    "int4": _FPU16 / 4, "fp4": _FPU16 / 4}
_CONTROL_PER_LANE = {"nvidia": 725_650.0, "amd": 1_534_500.0, "generic": 996_200.0}
_XBAR_PER_UNIT = {"nvidia": 55_000_000.0, "amd": 33_600_000.0, "generic": 44_300_000.0}
#: register file per vector lane, bytes: 256 KB per SM over 128 FP32 lanes [H100]; two read ports and a
#: write port make a register bit ~2x an SRAM bit (assumption)
RF_BYTES_PER_LANE = 2048
RF_PORT_FACTOR = 2.0
# CACTI array efficiency by array size 4 KiB, 8 KiB, ..., 1 MiB [LLMC]; arrays beyond 512 KiB are tiled
_ARRAY_EFFICIENCY = (0.076, 0.142, 0.247, 0.393, 0.559, 0.704, 0.526, 0.602, 0.561)
_MAX_ARRAY_BYTES = 1 << 19
# memory interfaces [LLMC]
HBM_PHY_MM2_PER_1024B = 10.45
HBM_CTRL_TRANSISTORS_PER_1024B = 552_743_000.0
DDR_PHY_MM2_PER_32B = 1.45
DDR_CTRL_TRANSISTORS_PER_32B = 90_446_400.0
#: hybrid-bonded DRAM on the logic die: bond pads + a thin controller; area per 1024 data bits taken as a
#: tenth of an HBM PHY (ASSUMPTION: no PHY, only a bond-pad field and retiming)
STACKED3D_MM2_PER_1024B = HBM_PHY_MM2_PER_1024B / 10
NVLINK_PHY_MM2 = 0.965
NVLINK_CTRL_TRANSISTORS = 86_628_000.0
PCIE5_PHY_MM2_PER_LANE = 0.64
PCIE5_CTRL_TRANSISTORS_PER_LANE = 5_372_100.0


def sram_area_mm2(capacity_bytes: float, node_name: str) -> float:
    """SRAM macro area: bits x bitcell area / CACTI array efficiency, tiled into <= 512 KiB arrays [LLMC]."""
    if capacity_bytes <= 0:
        return 0.0
    bitcell = NODES[node_name]["sram_mm2_per_bit"]
    unit = min(capacity_bytes, _MAX_ARRAY_BYTES)
    arrays = capacity_bytes / unit
    unit = max(unit, 4096)
    idx = min(len(_ARRAY_EFFICIENCY) - 1, max(0, math.ceil(math.log2(unit)) - 12))
    return arrays * unit * 8 * bitcell / _ARRAY_EFFICIENCY[idx]


@dataclass(frozen=True)
class UnitArea:
    """Area of one compute unit, mm2, by part."""

    matrix: float
    vector: float
    control: float
    register_file: float
    local_sram: float
    crossbar: float

    @property
    def total(self) -> float:
        return self.matrix + self.vector + self.control + self.register_file + self.local_sram + self.crossbar

    @property
    def logic(self) -> float:
        """Everything but the SRAMs (clocked logic)."""
        return self.matrix + self.vector + self.control + self.crossbar


def unit_area(compute: Any, node_name: str, vendor: str = "generic") -> UnitArea:
    """One compute unit of ``compute`` (a ComputeSpec) at ``node_name``."""
    d = NODES[node_name]["mtr_per_mm2"] * 1e6
    rates = compute.matrix_flops_per_cycle_per_unit
    macs = max(getattr(rates, dt) / 2 * t for dt, t in _MAC_TRANSISTORS.items())
    # FMA lanes; CDNA CUs issue packed FP32 (two FMAs per lane per cycle: 64 lanes, 256 FLOP/cycle)
    lanes = compute.vector_flops_per_cycle_per_unit / (4 if vendor == "amd" else 2)
    style = vendor if vendor in _CONTROL_PER_LANE else "generic"
    return UnitArea(
        matrix=macs / d,
        vector=lanes * _FPU32 / d,
        control=lanes * _CONTROL_PER_LANE[style] / d,
        register_file=RF_PORT_FACTOR * sram_area_mm2(lanes * RF_BYTES_PER_LANE, node_name),
        local_sram=sram_area_mm2(compute.local_sram_bytes_per_unit, node_name),
        crossbar=_XBAR_PER_UNIT[style] / d,
    )


def memory_interface_area_mm2(dram: Any, node_name: str) -> float:
    """PHY + controllers for the DRAM of ``dram`` (a DramSpec); 0 for on-chip SRAM as main memory."""
    d = NODES[node_name]["mtr_per_mm2"] * 1e6
    bits = dram.bus_width_bits
    kind = dram.kind
    if kind == "sram":
        return 0.0
    if kind.startswith("hbm"):
        links = bits / 1024
        return links * (HBM_PHY_MM2_PER_1024B + HBM_CTRL_TRANSISTORS_PER_1024B / d)
    if kind == "stacked3d":
        links = bits / 1024
        return links * (STACKED3D_MM2_PER_1024B + HBM_CTRL_TRANSISTORS_PER_1024B / d)
    links = bits / 32  # lpddr5x, gddr7 and other DDR-class interfaces
    return links * (DDR_PHY_MM2_PER_32B + DDR_CTRL_TRANSISTORS_PER_32B / d)


def io_area_mm2(node_name: str, nvlinks: int = 0, pcie_lanes: int = 16) -> float:
    """Chip-to-chip links and the host PCIe port [LLMC]."""
    d = NODES[node_name]["mtr_per_mm2"] * 1e6
    return (nvlinks * (NVLINK_PHY_MM2 + NVLINK_CTRL_TRANSISTORS / d)
            + pcie_lanes * (PCIE5_PHY_MM2_PER_LANE + PCIE5_CTRL_TRANSISTORS_PER_LANE / d))


@dataclass(frozen=True)
class DieArea:
    """Modelled logic area of a machine (all its logic dies together), mm2, by part."""

    units: float  # physical units (enabled + spares)
    l2: float
    memory_interface: float
    io: float
    d2d: float
    scale: float  # area_scale applied to the sum
    unit: UnitArea
    physical_units: int

    @property
    def raw(self) -> float:
        return self.units + self.l2 + self.memory_interface + self.io + self.d2d

    @property
    def total(self) -> float:
        return self.raw * self.scale

    def parts(self) -> dict[str, float]:
        """Scaled areas by part (sum = total)."""
        s = self.scale
        return {"compute units": self.units * s, "L2 / global SRAM": self.l2 * s,
                "memory PHY + controllers": self.memory_interface * s, "chip I/O": self.io * s,
                "die-to-die PHY": self.d2d * s}

"""Capital cost and embodied carbon of a machine, built up from parts (see CostSpec for every price).

Per chip (an Architecture)::

    logic        dies x wafer / (dies per wafer x yield)          area from area.py, anchored to the published
                                                                  die size; yield: negative binomial on the
                                                                  non-repairable area x P(defective units <= spares)
    memory       GB x $/GB(kind) x (pin rate / reference)^e      PIM stacks priced on their full silicon
    flash        GB x $/GB (High Bandwidth Flash tier)
    near-memory  PNM units' logic on the stacks' base dies (n12-class $/mm2)
    interposer   (logic + stack footprints) x factor x $/mm2      stacked memory only
    substrate    package area x $/mm2 (assembly)
    bonding      logic area x $/mm2                               hybrid-bonded (stacked3d) DRAM
    test         logic area x $/mm2
    board        board power x $/W
    margin       parts / (1 - vendor gross margin) - parts        or price_usd when given
    host, network  per chip (system share)

A Package multiplies its die's silicon by ``dies`` (with die-to-die PHY area) under one package; a System
multiplies its chip by ``chips`` and adds switch ports for a switched interconnect.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any, Optional, Union

from ... import presets as _presets
from ...errors import ConfigError
from ...spec.machine import Architecture
from ...spec.system import Package, System

from . import area as _area
from .carbon import logic_kgco2e_per_cm2
from .spec import CostSpec
from .technology import (CLUSTER_ALPHA, FABS, MARGINS, RETICLE_MM2, WAFER_DIAMETER_MM, Technology,
                         technology)

Machine = Union[Architecture, Package, System, str]

#: reference pin rate (Gb/s) of each memory generation's price [TF-HBM][LLMC][GDDR]
REFERENCE_RATE_GBPS = {"hbm2": 2.4, "hbm2e": 3.2, "hbm3": 6.4, "hbm3e": 9.6, "hbm4": 8.0, "lpddr5x": 8.533,
                       "gddr6": 16.0, "gddr7": 32.0, "stacked3d": 3.2}
_PRICE_FIELD = {"hbm2": "hbm2e_usd_per_gb", "hbm2e": "hbm2e_usd_per_gb", "hbm3": "hbm3_usd_per_gb",
                "hbm3e": "hbm3e_usd_per_gb", "hbm4": "hbm4_usd_per_gb", "lpddr5x": "lpddr5x_usd_per_gb",
                "gddr6": "gddr6_usd_per_gb", "gddr7": "gddr7_usd_per_gb", "stacked3d": "stacked3d_usd_per_gb"}
#: a DRAM kind without a price of its own (a standard added later): priced as HBM3 per GB (ASSUMPTION)
FALLBACK_PRICE_KIND = "hbm3"
STACKED_KINDS = ("hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4")
#: HBM base (logic) die: area and process (ASSUMPTION: one 11 x 10 mm die per stack on a 12 nm-class node)
BASE_DIE_MM2 = 110.0
BASE_DIE_NODE = "n12"
#: H100 SXM / H200 700 W [H100-DS][H200-PB]; B200 1000 W [HGX B200]; MI300X 750 W [AMD]; GroqCard 375 W max
#: [GROQ]; Cerebras CS-3 23 kW system [WSE3].  Others: dense bf16 peak / H100's 989 TFLOP/s per 700 W.
PUBLISHED_TDP_W = {"h100-sxm": 700.0, "h200": 700.0, "b200": 1000.0, "mi300x": 750.0, "groq-lpu": 375.0,
                   "cerebras-wse3": 23_000.0}
H100_FLOPS_PER_W = 989e12 / 700.0


@dataclass(frozen=True)
class CostPart:
    """One line of a capital-cost breakdown: USD and embodied kg CO2e (per machine), and what it is."""

    name: str
    usd: float
    kgco2e: float
    basis: str


@dataclass(frozen=True)
class Capex:
    """Capital cost and embodied carbon of a machine, by part.  ``chips``: accelerators it holds."""

    machine: str
    chips: int
    parts: tuple[CostPart, ...]
    logic_area_mm2: float  # per chip
    die_yield: float
    tdp_w: float  # per chip
    notes: tuple[str, ...] = ()

    @property
    def total_usd(self) -> float:
        return math.fsum(p.usd for p in self.parts)

    @property
    def embodied_kgco2e(self) -> float:
        return math.fsum(p.kgco2e for p in self.parts)

    @property
    def accelerator_usd(self) -> float:
        """What the buyer pays for the accelerators alone (parts + vendor margin, no host or network)."""
        return math.fsum(p.usd for p in self.parts if p.name not in ("host share", "network ports"))

    def get(self, name: str) -> float:
        return math.fsum(p.usd for p in self.parts if p.name == name)

    def table(self) -> str:
        """Markdown table of the parts (USD and kg CO2e) with their share of the total."""
        tot, co2 = self.total_usd, self.embodied_kgco2e
        lines = [f"capital cost of {self.machine} ({self.chips} chip{'s' if self.chips != 1 else ''}; "
                 f"logic {self.logic_area_mm2:,.0f} mm2/chip, yield {self.die_yield:.2f})", "",
                 "| part | USD | share | kg CO2e | basis |", "|---|---:|---:|---:|---|"]
        for p in self.parts:
            lines.append(f"| {p.name} | {p.usd:,.0f} | {p.usd / tot:.1%} | {p.kgco2e:,.1f} | {p.basis} |")
        lines.append(f"| **total** | **{tot:,.0f}** | 100% | **{co2:,.1f}** | |")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return dict(machine=self.machine, chips=self.chips, total_usd=self.total_usd,
                    embodied_kgco2e=self.embodied_kgco2e, logic_area_mm2=self.logic_area_mm2,
                    die_yield=self.die_yield, tdp_w=self.tdp_w,
                    parts=[dict(name=p.name, usd=p.usd, kgco2e=p.kgco2e, basis=p.basis) for p in self.parts])


# --------------------------------------------------------------------------------------------------
# silicon


def dies_per_wafer(area_mm2: float) -> float:
    """Gross dies on a 300 mm wafer: pi r^2 / A - pi d / sqrt(2 A) [LLMC]; at least 1."""
    d = WAFER_DIAMETER_MM
    return max(1.0, math.pi * (d / 2) ** 2 / area_mm2 - math.pi * d / math.sqrt(2 * area_mm2))


def _nb_pmf(k: int, mean: float, alpha: float) -> float:
    """Negative-binomial probability of k defects with the given mean and clustering alpha."""
    if mean <= 0:
        return 1.0 if k == 0 else 0.0
    p = alpha / (alpha + mean)
    return math.exp(math.lgamma(k + alpha) - math.lgamma(k + 1) - math.lgamma(alpha)
                    + alpha * math.log(p) + k * math.log1p(-p))


def die_yield(die_mm2: float, unit_mm2: float, spares: float, d0_per_cm2: float) -> float:
    """Yield of a die whose ``unit_mm2`` of compute units tolerate ``spares`` defective units: the rest must
    be defect-free (negative binomial, alpha = 3 [LLMC]); each unit defect is assumed to kill one unit."""
    a = CLUSTER_ALPHA
    rest = max(0.0, die_mm2 - unit_mm2) / 100.0 * d0_per_cm2
    y_rest = (1.0 + rest / a) ** -a
    lam = unit_mm2 / 100.0 * d0_per_cm2
    s = int(math.floor(max(0.0, spares)))
    y_units = math.fsum(_nb_pmf(k, lam, a) for k in range(s + 1))
    return max(1e-6, min(1.0, y_rest * y_units))


@dataclass(frozen=True)
class _Silicon:
    node: str
    tech: Technology
    area: _area.DieArea
    dies: int
    die_yield: float
    logic_usd: float
    logic_kg: float
    notes: tuple[str, ...]


def _raw_area(arch: Architecture, tech: Technology, node: str, spare: float, dies: int, d2d_tbps_per_mm2: float
              ) -> _area.DieArea:
    vendor = tech.vendor
    unit = _area.unit_area(arch.compute, node, vendor)
    phys = max(arch.compute.units, math.ceil(arch.compute.units / (1.0 - spare) - 1e-9))
    l2 = arch.l2.capacity_bytes / (1.0 - tech.l2_spare_fraction) if arch.l2 is not None else 0.0
    l2_area = _area.sram_area_mm2(l2, node)
    if arch.dram.kind == "sram":  # on-chip SRAM as main memory
        l2_area += _area.sram_area_mm2(arch.dram.capacity_bytes, node)
    d2d = dies * tech.d2d_tb_per_s_per_die / d2d_tbps_per_mm2 if dies > 1 else 0.0
    return _area.DieArea(units=phys * unit.total, l2=l2_area,
                         memory_interface=_area.memory_interface_area_mm2(arch.dram, node),
                         io=_area.io_area_mm2(node, tech.nvlinks, tech.pcie_lanes), d2d=d2d, scale=1.0, unit=unit,
                         physical_units=phys)


@functools.lru_cache(maxsize=64)
def anchor_scale(preset: str) -> float:
    """Published die size / modelled area of ``preset`` at its own configuration; h100-sxm's for a preset
    without a published size (the uncore, whitespace and blocks the model does not list, as on GH100)."""
    tech, _ = technology(preset)
    if tech.published_die_mm2 <= 0:
        return anchor_scale("h100-sxm") if preset != "h100-sxm" else 1.0
    arch = _presets.load(preset)
    raw = _raw_area(arch, tech, tech.node, tech.spare_unit_fraction, tech.logic_dies, CostSpec().d2d_tbps_per_mm2)
    return tech.published_die_mm2 / raw.raw


def silicon(arch: Architecture, spec: CostSpec, d2d_tb_per_s: float = 0.0) -> _Silicon:
    """Logic silicon of one chip (or one die of a Package, with ``d2d_tb_per_s`` of die-to-die links)."""
    tech, anchor = technology(arch.name)
    node = spec.process_node or tech.node
    spare = spec.spare_unit_fraction if spec.spare_unit_fraction >= 0 else tech.spare_unit_fraction
    dies = int(spec.logic_dies) if spec.logic_dies >= 1 else tech.logic_dies
    raw = _raw_area(arch, tech, node, spare, dies, spec.d2d_tbps_per_mm2)
    if d2d_tb_per_s > 0:
        raw = dataclasses.replace(raw, d2d=raw.d2d + d2d_tb_per_s / spec.d2d_tbps_per_mm2)
    scale = spec.area_scale if spec.area_scale > 0 else anchor_scale(anchor or "h100-sxm")
    area = _area.DieArea(units=raw.units, l2=raw.l2, memory_interface=raw.memory_interface, io=raw.io, d2d=raw.d2d,
                         scale=scale, unit=raw.unit, physical_units=raw.physical_units)
    total = area.total
    wafer, d0 = FABS[node]
    wafer = spec.wafer_usd or wafer
    d0 = spec.defect_density_per_cm2 or d0
    notes = []
    fab_kg = logic_kgco2e_per_cm2(node, spec.fab_gco2e_per_kwh, 1.0)
    if tech.wafer_scale:
        usable = math.pi * (WAFER_DIAMETER_MM / 2) ** 2 * 0.9
        wafers = max(1.0, total / usable)
        y = 1.0  # redundant cores and links route around defects [WSE3]
        logic_usd = wafers * wafer
        notes.append(f"wafer-scale: {wafers:.2f} wafers, yield taken as 1 (redundancy)")
        return _Silicon(node, tech, area, dies, y, logic_usd, total / 100.0 * fab_kg, tuple(notes))
    if total / dies > RETICLE_MM2:  # priced as one die all the same, so that cost stays monotone in every knob
        notes.append(f"{total / dies:,.0f} mm2 per logic die exceeds the {RETICLE_MM2:.0f} mm2 reticle: priced as "
                     f"one die (a real design would split it; set CostSpec.logic_dies)")
    a_die = total / dies
    unit_die = area.units * scale / dies
    spares_die = (raw.physical_units - arch.compute.units) / dies
    y = die_yield(a_die, unit_die, spares_die, d0)
    logic_usd = dies * wafer / (dies_per_wafer(a_die) * y)
    logic_kg = total / 100.0 * fab_kg / y
    return _Silicon(node, tech, area, dies, y, logic_usd, logic_kg, tuple(notes))


def _base_die_usd_per_mm2(spec: CostSpec) -> float:
    wafer, d0 = FABS[BASE_DIE_NODE]
    y = die_yield(BASE_DIE_MM2, 0.0, 0, d0)
    return wafer / (dies_per_wafer(BASE_DIE_MM2) * y) / BASE_DIE_MM2


# --------------------------------------------------------------------------------------------------
# one chip


def board_power_w(arch: Architecture, spec: Optional[CostSpec] = None) -> float:
    """Board power limit: CostSpec.tdp_w, else the energy spec's, else the published TDP of the preset the
    machine derives from, else its dense bf16 (or widest) peak at H100's FLOP/s per W."""
    if spec is not None and spec.tdp_w > 0:
        return spec.tdp_w
    e = getattr(arch, "energy", None)
    lim = getattr(e, "board_power_limit_w", 0.0) if e is not None else 0.0
    if lim > 0:
        return lim
    _, anchor = technology(arch.name)
    if anchor in PUBLISHED_TDP_W:
        return PUBLISHED_TDP_W[anchor]
    rates = arch.compute.matrix_flops_per_cycle_per_unit
    peak = max(rates.bf16, rates.fp16, rates.fp8 / 2, rates.int8 / 2, rates.fp32)
    return max(1.0, arch.compute.units * arch.compute.clock_ghz * 1e9 * peak / H100_FLOPS_PER_W)


def memory_usd_per_gb(kind: str, rate_gbps: float, spec: CostSpec) -> float:
    """$/GB of ``kind`` at ``rate_gbps`` per pin (0 for on-chip SRAM: its cost is die area; a kind without a
    price of its own: HBM3's at its reference rate)."""
    if kind == "sram":
        return 0.0
    if kind not in _PRICE_FIELD:
        return float(getattr(spec, _PRICE_FIELD[FALLBACK_PRICE_KIND]))
    ref = REFERENCE_RATE_GBPS[kind]
    return getattr(spec, _PRICE_FIELD[kind]) * (rate_gbps / ref) ** spec.memory_speed_exponent


def _chip_parts(arch: Architecture, spec: CostSpec, n: int = 1, d2d_tb_per_s: float = 0.0
                ) -> tuple[list[CostPart], _Silicon, float]:
    """Parts of ``n`` copies of ``arch`` under one package (n > 1: the dies of a Package)."""
    si = silicon(arch, spec, d2d_tb_per_s)
    logic_mm2 = n * si.area.total
    parts = [CostPart("logic silicon", n * si.logic_usd, n * si.logic_kg,
                      f"{logic_mm2:,.0f} mm2 on {si.node} in {n * si.dies} die(s), yield {si.die_yield:.2f}")]
    d = arch.dram
    gb = n * d.capacity_bytes / 1e9
    nm = getattr(arch, "near_memory", None)
    # PIM in the chip's own DRAM (not in a separate pool): the stacks' silicon is priced as the full capacity
    pim_here = nm is not None and nm.level.startswith("pim") and getattr(nm, "pool", None) is None
    silicon_gb = gb / (1.0 - spec.pim_capacity_loss) if pim_here else gb
    per_gb = memory_usd_per_gb(d.kind, d.data_rate_gbps, spec)
    stacks = n * d.stacks if d.kind in STACKED_KINDS else 0
    base_kg = stacks * BASE_DIE_MM2 / 100.0 * logic_kgco2e_per_cm2(BASE_DIE_NODE, spec.fab_gco2e_per_kwh, 0.9)
    if d.kind != "sram":
        what = f"{gb:,.0f} GB {d.kind} at {d.data_rate_gbps:g} Gb/s, ${per_gb:.2f}/GB"
        if silicon_gb != gb:
            what += f" (PIM: priced on {silicon_gb:,.0f} GB of silicon)"
        parts.append(CostPart("memory", silicon_gb * per_gb, silicon_gb * spec.dram_kgco2e_per_gb + base_kg, what))
    hbf = getattr(arch, "hbf", None)
    if hbf is not None:
        fgb = n * hbf.capacity_bytes / 1e9
        parts.append(CostPart("flash (HBF)", fgb * spec.flash_usd_per_gb, fgb * spec.flash_kgco2e_per_gb,
                              f"{fgb:,.0f} GB at ${spec.flash_usd_per_gb:.2f}/GB"))
    if nm is not None and nm.level == "pnm":
        u = _area.unit_area(_PnmCompute(nm), BASE_DIE_NODE)
        units = n * nm.units_per_stack * d.stacks
        mm2 = units * u.total
        parts.append(CostPart("near-memory logic", mm2 * _base_die_usd_per_mm2(spec),
                              mm2 / 100.0 * logic_kgco2e_per_cm2(BASE_DIE_NODE, spec.fab_gco2e_per_kwh, 0.9),
                              f"{units} PNM units, {mm2:,.1f} mm2 on the base dies"))
    if nm is not None and getattr(nm, "pool", None) is not None:
        parts.append(_pool_part(nm, spec, n))
    stack_count = stacks + (n * hbf.stacks if hbf is not None else 0)
    interposer = si.tech.interposer and stack_count > 0
    if interposer:
        pkg_mm2 = (logic_mm2 + stack_count * spec.hbm_footprint_mm2) * spec.interposer_area_factor
        parts.append(CostPart("interposer", pkg_mm2 * spec.interposer_usd_per_mm2, 0.0,
                              f"{pkg_mm2:,.0f} mm2 silicon interposer"))
    else:
        pkg_mm2 = logic_mm2
    ics = n * si.dies + stack_count
    parts.append(CostPart("substrate + assembly", pkg_mm2 * spec.substrate_usd_per_mm2, ics * spec.package_kgco2e,
                          f"{pkg_mm2:,.0f} mm2 package, {ics} ICs"))
    if d.kind == "stacked3d":
        parts.append(CostPart("hybrid bonding", logic_mm2 * spec.bonding_usd_per_mm2, 0.0,
                              f"{logic_mm2:,.0f} mm2 bonded"))
    parts.append(CostPart("test", logic_mm2 * spec.test_usd_per_mm2, 0.0, f"{logic_mm2:,.0f} mm2 of logic"))
    tdp = n * board_power_w(arch, spec)
    parts.append(CostPart("board", tdp * spec.board_usd_per_w, 0.0, f"{tdp:,.0f} W board power"))
    return parts, si, tdp


def _pool_part(nm: Any, spec: CostSpec, n: int) -> CostPart:
    """A near-memory pool beside the chip (AttAcc style: PIM stacks on their own interposer and substrate,
    reached over a link): its PIM silicon priced as the full capacity, per GB at its generation and pin rate,
    its base dies' carbon, and the packaging of its stacks as the chip's are packaged."""
    p = nm.pool
    gb = n * p.capacity_bytes / 1e9
    silicon_gb = gb / (1.0 - spec.pim_capacity_loss) if nm.level.startswith("pim") else gb
    per_gb = memory_usd_per_gb(p.kind, p.data_rate_gbps, spec)
    stacks = n * p.stacks if p.kind in STACKED_KINDS else 0
    pkg_mm2 = stacks * spec.hbm_footprint_mm2 * spec.interposer_area_factor
    usd = silicon_gb * per_gb + pkg_mm2 * (spec.interposer_usd_per_mm2 + spec.substrate_usd_per_mm2)
    kg = (silicon_gb * spec.dram_kgco2e_per_gb + stacks * spec.package_kgco2e
          + stacks * BASE_DIE_MM2 / 100.0 * logic_kgco2e_per_cm2(BASE_DIE_NODE, spec.fab_gco2e_per_kwh, 0.9))
    return CostPart("near-memory pool", usd, kg,
                    f"{gb:,.0f} GB {p.kind} PIM at {p.data_rate_gbps:g} Gb/s, ${per_gb:.2f}/GB on {silicon_gb:,.0f} GB "
                    f"of silicon, {pkg_mm2:,.0f} mm2 interposer + substrate; over a "
                    f"{nm.pool_link_gb_per_s:,.0f} GB/s link")


@dataclass(frozen=True)
class _PnmCompute:
    """A NearMemorySpec seen as a ComputeSpec by the area model (MACs, vector lanes, buffer)."""

    nm: Any

    @property
    def matrix_flops_per_cycle_per_unit(self) -> Any:
        return self.nm.matrix_flops_per_cycle_per_unit

    @property
    def vector_flops_per_cycle_per_unit(self) -> float:
        return self.nm.vector_flops_per_cycle_per_unit

    @property
    def local_sram_bytes_per_unit(self) -> int:
        return self.nm.buffer_bytes_per_unit


def _margin(arch: Architecture, spec: CostSpec) -> float:
    if spec.vendor_gross_margin >= 0:
        return spec.vendor_gross_margin
    tech, _ = technology(arch.name)
    return MARGINS.get(tech.seller, MARGINS["generic"])


def _host_kg(spec: CostSpec) -> float:
    if spec.host_kgco2e_per_chip >= 0:
        return spec.host_kgco2e_per_chip
    # DGX H100 host [DGX]: 2 TB DDR5, 8 x 3.84 + 2 x 1.92 TB NVMe, 2 Xeon 8480C (4 x ~400 mm2 tiles each,
    # Intel 7 ~ ACT 10 nm), 32 DIMMs + 10 SSDs + 2 CPUs as packages; chassis, PSUs and boards not counted
    dram = 2048 * spec.dram_kgco2e_per_gb
    ssd = (8 * 3840 + 2 * 1920) * spec.flash_kgco2e_per_gb
    cpu = 2 * 16.0 * logic_kgco2e_per_cm2("n10", spec.fab_gco2e_per_kwh, 0.875)
    pk = (32 + 10 + 2) * spec.package_kgco2e
    return (dram + ssd + cpu + pk) / 8


def _links_per_node(topology: str, nodes: int) -> int:
    """Links each node of an interconnect drives (for die-to-die PHY area)."""
    if nodes <= 1:
        return 0
    return {"fully_connected": nodes - 1, "ring": min(2, nodes - 1), "mesh2d": min(4, nodes - 1),
            "torus2d": min(4, nodes - 1), "torus3d": min(6, nodes - 1)}.get(topology, 1)


def chip_capex(arch: Union[Architecture, Package], spec: CostSpec) -> Capex:
    """Capital cost of one accelerator (an Architecture, or a Package of dies) with its host share and one
    scale-out switch port."""
    if isinstance(arch, Package):
        d2d = _links_per_node(arch.d2d.topology, arch.dies) * arch.d2d.link.bandwidth_gb_per_s / 1000.0
        parts, si, tdp = _chip_parts(arch.die, spec, n=arch.dies, d2d_tb_per_s=d2d)
        name, margin_of, area = arch.name, arch.die, arch.dies * si.area.total
    else:
        parts, si, tdp = _chip_parts(arch, spec)
        name, margin_of, area = arch.name, arch, si.area.total
    made = math.fsum(p.usd for p in parts)
    if spec.price_usd > 0:
        parts.append(CostPart("vendor margin", spec.price_usd - made, 0.0, f"price_usd {spec.price_usd:,.0f} given"))
    else:
        m = _margin(margin_of if technology(name)[1] is None else arch, spec)
        parts.append(CostPart("vendor margin", made * m / (1.0 - m), 0.0, f"gross margin {m:.0%}"))
    parts.append(CostPart("host share", spec.host_usd_per_chip, _host_kg(spec), "CPUs, memory, NICs, storage"))
    parts.append(CostPart("network ports", spec.switch_usd_per_port, 0.0, "one scale-out switch port"))
    if spec.embodied_kgco2e > 0:
        parts = [CostPart(p.name, p.usd, 0.0, p.basis) for p in parts]
        parts.append(CostPart("embodied (given)", 0.0, spec.embodied_kgco2e, "embodied_kgco2e"))
    return Capex(name, 1, tuple(parts), area, si.die_yield, tdp, si.notes)


@dataclass(frozen=True)
class PriceOnly:
    """No machine, only a price: ``CostSpec.price_usd`` (and ``embodied_kgco2e``, ``tdp_w``) as given."""

    name: str = "price_usd"


def price_only(spec: CostSpec) -> PriceOnly:
    return PriceOnly()


def capex(machine: Machine, spec: Optional[CostSpec] = None) -> Capex:
    """Capital cost and embodied carbon of ``machine``: an Architecture, a Package, a System (its chips,
    each with host share and network port, plus a switch port per chip on a switched interconnect), or
    the name of a chip preset or a system preset.  Never raises for a valid machine: every figure the
    machine cannot give has a stated default (see CostSpec)."""
    spec = spec if spec is not None else CostSpec()
    if not isinstance(spec, CostSpec):
        raise ConfigError("cost", "must be an accelsim CostSpec", type(spec).__name__)
    if isinstance(machine, str):
        machine = load_machine(machine)
    if isinstance(machine, PriceOnly):
        part = CostPart("accelerator", spec.price_usd, spec.embodied_kgco2e, "price_usd and embodied_kgco2e given")
        return Capex(machine.name, 1, (part,), 0.0, 1.0, spec.tdp_w)
    if isinstance(machine, System):
        chip = machine.chip if machine.chip is not None else machine.package
        one = chip_capex(chip, spec)
        parts = [CostPart(p.name, p.usd * machine.chips, p.kgco2e * machine.chips, p.basis) for p in one.parts]
        if machine.network.topology == "switch":
            parts.append(CostPart("scale-up switch ports", machine.chips * spec.switch_usd_per_port, 0.0,
                                  f"{machine.chips} ports on the {machine.network.link.name} switch"))
        return Capex(machine.name, machine.chips, tuple(parts), one.logic_area_mm2, one.die_yield, one.tdp_w,
                     one.notes)
    if isinstance(machine, (Architecture, Package)):
        return chip_capex(machine, spec)
    raise ConfigError("machine", "must be an Architecture, Package, System or a preset name", type(machine).__name__)


def load_machine(name: str) -> Any:
    from ...presets import systems as _systems  # noqa: PLC0415

    if name in _presets.names():
        return _presets.load(name)
    if name in _systems.names():
        return _systems.load(name)
    if name in _systems.package_names():
        return _systems.load_package(name)
    return _presets.load(name)  # ConfigError naming the choices

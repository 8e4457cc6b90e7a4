"""CostSpec: every price, factor and site figure of the cost / carbon model, each cited, each overridable and
each a sweep axis (``cost.<field>``).  A field documented as "0 = derive" (or "" for strings) is filled
from the machine's technology record (:mod:`.technology`) or, for a machine without one, from the stated
default.

Sources (short names used below; full entries in docs/notes/cost-power-carbon.md):
[EIA]     U.S. EIA Electric Power Monthly: average industrial retail price 2023, 8.0 cents/kWh.
[UPTIME]  Uptime Institute Global Data Center Survey 2023: average annual PUE 1.58.
[ACT]     Gupta et al., "ACT: Designing Sustainable Computer Systems with an Architectural Carbon Modeling
          Tool", ISCA 2022; model data facebookresearch/ACT act/models (commit abc9fbb):
          location_2023 world 481 g/kWh, taiwan 642; ddr4_10nm 65 g/GB; nand_tlc_v3 6.3 g/GB;
          150 g per IC package; fab yield 0.875 default.
[DEPR]    Hyperscalers' server depreciation schedules (annual reports 2022-2024): 5 to 6 years.
[TF-HBM]  TrendForce (May 2024): HBM unit price ~5x DDR5; HBM3e ~20% above HBM3 (2024);
          TrendForce (2025): HBM4 at least 30% above HBM3e.
[LLMC]    LLMCompass cost_model: DDR5 2.4 $/GB and HBM(2e) 7 $/GB (DRAMeXchange average spot, Oct 2023).
[SA]      Silicon Analysts cost bridge (2026; from Epoch AI, Raymond James, TrendForce): H100 SXM5 logic die
          $300, HBM $1.4k (80 GB), packaging $750, test & assembly $920, total ~$3.3k.
[COWOS]   Press estimates of TSMC CoWoS-S: ~$12k per interposer wafer, ~28 H100-size interposers
          (~2,500 mm2) per wafer.
[GDDR]    3DCenter (June 2023): GDDR6 spot ~$27 per 8 GB; TrendForce (June 2024): GDDR7 carries a 20-30%
          premium over GDDR6.
[HBF]     Sandisk (A. Ilkbahar, Aug 2025 blog): High Bandwidth Flash offers "8 to 16x the capacity of HBM ...
          at the same price points".
[PIM]     Samsung HBM-PIM (Aquabolt-XL, ISSCC 2021): half of a stack's dies carry PCUs and half the
          capacity -> 6 GB instead of 8 GB per stack (25% of the bits given to logic).
[DGX]     SemiAnalysis DGX H100 bill of materials (May 2023) as used by Epoch AI
          (epoch-research/training-cost-trends h100_manufacturing_cost.ipynb): non-GPU server parts
          $32,010 per 8-GPU server; NVIDIA DGX H100 datasheet: 10.2 kW max, 2x Xeon 8480C, 2 TB DDR5,
          8x 3.84 TB + 2x 1.92 TB NVMe.
[NV10K]   NVIDIA Form 10-K fiscal 2025: GAAP gross margin 75.0%.
[AMD10K]  AMD Form 10-K 2024: GAAP gross margin 49%.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ...spec.base import DATACLASS_KW, Spec, float_field, str_field

from .area import NODES
from .carbon import REGIONS

#: CostSpec strings left "" mean "the machine's own (technology record) or the stated default".
PROCESS_NODES: tuple[str, ...] = ("",) + tuple(NODES)
VENDOR_STYLES: tuple[str, ...] = ("", "nvidia", "amd", "generic")


def _float(default: float, **kw: Any) -> Any:
    return field(default=default, metadata=float_field(**kw).metadata)


def _str(default: str, **kw: Any) -> Any:
    return field(default=default, metadata=str_field(**kw).metadata)


@dataclass(**DATACLASS_KW)
class CostSpec(Spec):
    """Economics of one accelerator: site and operation, the price of each part, embodied-carbon factors.

    Every field has a cited default; ``0`` (or ``""``) in a field documented "0 = derive" takes the
    machine's technology record (presets) or the stated default (custom machines).
    """

    # -- site and operation ------------------------------------------------------------------------
    lifetime_years: float = _float(5.0, gt=0.0, le=100.0, doc="amortisation period, years [DEPR]")
    utilization: float = _float(1.0, gt=0.0, le=1.0, doc="fraction of the lifetime spent decoding; the rest "
                                "idles at the static power (1 = cost while busy: an ASSUMPTION, set your fleet's)")
    electricity_usd_per_kwh: float = _float(0.080, ge=0.0, le=100.0, doc="electricity price, USD/kWh [EIA]")
    pue: float = _float(1.58, ge=1.0, le=10.0, doc="power usage effectiveness of the facility [UPTIME]")
    region: str = _str("", choices=("",) + tuple(REGIONS), doc="grid region (sets grid_gco2e_per_kwh); '' = use "
                       "grid_gco2e_per_kwh")
    grid_gco2e_per_kwh: float = _float(481.0, ge=0.0, le=5000.0, doc="grid carbon intensity, gCO2e/kWh "
                                       "(world 2023 [ACT])")
    facility_usd_per_kw_month: float = _float(0.0, ge=0.0, le=1e6, doc="data-centre space and cooling plant per "
                                              "kW of IT power and month (colocation); 0 = not counted")
    # -- purchase ---------------------------------------------------------------------------------
    price_usd: float = _float(0.0, ge=0.0, le=1e12, doc="price of the accelerator module; 0 = derive from its parts "
                              "and the vendor's gross margin")
    vendor_gross_margin: float = _float(
        -1.0, ge=-1.0, le=0.99, doc="price = parts cost / (1 - margin); -1 = the vendor's (technology record; "
        "NVIDIA 0.75 [NV10K], AMD 0.49 [AMD10K], in-house 0, else 0.6)")
    # -- logic silicon ------------------------------------------------------------------------------
    process_node: str = _str("", choices=PROCESS_NODES, doc="logic process; '' = the machine's (else n5)")
    wafer_usd: float = _float(0.0, ge=0.0, le=1e7, doc="300 mm logic wafer price; 0 = the node's")
    defect_density_per_cm2: float = _float(0.0, ge=0.0, le=100.0, doc="logic D0; 0 = the node's")
    area_scale: float = _float(0.0, ge=0.0, le=100.0, doc="die area / modelled area; 0 = the machine's anchor "
                               "(published die size of the preset it derives from, else h100-sxm's)")
    spare_unit_fraction: float = _float(-1.0, ge=-1.0, le=0.9, doc="fraction of physical compute units fused off "
                                        "for yield; -1 = the machine's (H100 12/144), else 0")
    logic_dies: float = _float(0.0, ge=0.0, le=4096.0, doc="logic dies the area is split into (chiplets); 0 = "
                               "the machine's, else 1")
    # -- memory, per GB, at the generation's reference pin rate ----------------------------------------
    hbm2e_usd_per_gb: float = _float(7.0, ge=0.0, le=1e4, doc="HBM2e at 3.2 Gb/s/pin [LLMC] (HBM2: this price at "
                                     "its 2.4 Gb/s reference)")
    hbm3_usd_per_gb: float = _float(15.0, ge=0.0, le=1e4, doc="HBM3 at 6.4 Gb/s/pin: ~5x DDR5 at ~3 $/GB [TF-HBM]")
    hbm3e_usd_per_gb: float = _float(18.0, ge=0.0, le=1e4, doc="HBM3e at 9.6 Gb/s/pin: HBM3 + 20% [TF-HBM]")
    hbm4_usd_per_gb: float = _float(23.4, ge=0.0, le=1e4, doc="HBM4 at 8 Gb/s/pin (2048-bit): HBM3e + 30% [TF-HBM]")
    lpddr5x_usd_per_gb: float = _float(3.6, ge=0.0, le=1e4, doc="LPDDR5X at 8.533 Gb/s: DDR5 (~3 $/GB [LLMC][TF-HBM]) "
                                       "+ 20% for the mobile package (ASSUMPTION)")
    gddr6_usd_per_gb: float = _float(27.0 / 8, ge=0.0, le=1e4, doc="GDDR6 at 16 Gb/s: spot ~$27 per 8 GB [GDDR]")
    gddr7_usd_per_gb: float = _float(4.25, ge=0.0, le=1e4, doc="GDDR7 at 32 Gb/s: GDDR6 3.4 $/GB + 25% [GDDR]")
    stacked3d_usd_per_gb: float = _float(18.0, ge=0.0, le=1e4, doc="hybrid-bonded DRAM on the logic die: priced as "
                                         "HBM3e per GB (ASSUMPTION) plus bonding per mm2")
    flash_usd_per_gb: float = _float(18.0 / 8, ge=0.0, le=1e4, doc="High Bandwidth Flash: HBM3e's price for 8x the "
                                     "capacity [HBF] (the conservative end of 8-16x)")
    memory_speed_exponent: float = _float(0.45, ge=0.0, le=4.0, doc="price x (pin rate / reference)^exponent within a "
                                          "generation: ln 1.2 / ln 1.5, HBM3->HBM3e's price step over its pin-rate step "
                                          "[TF-HBM]")
    pim_capacity_loss: float = _float(0.25, ge=0.0, le=0.95, doc="share of a PIM stack's bits given to the units' "
                                      "logic (stack silicon priced as the full capacity) [PIM]")
    # -- packaging, test, board ---------------------------------------------------------------------
    interposer_usd_per_mm2: float = _float(12_000 / (28 * 2_500), ge=0.0, le=1e3, doc="silicon interposer (CoWoS-S) "
                                           "[COWOS]: $12k wafer / 28 interposers of ~2,500 mm2")
    interposer_area_factor: float = _float(1.7, ge=1.0, le=10.0, doc="interposer / (logic + memory-stack footprints): "
                                           "H100 ~2,500 mm2 over 814 + 6 x 110 mm2")
    hbm_footprint_mm2: float = _float(110.0, ge=0.0, le=1e4, doc="one HBM stack on the interposer (11 x 10 mm)")
    substrate_usd_per_mm2: float = _float((750 - 12_000 / 28) / 2_500, ge=0.0, le=1e3,
                                          doc="organic substrate + assembly per mm2 of interposer / die: H100's "
                                          "$750 packaging less its ~$429 interposer over 2,500 mm2 [SA][COWOS]")
    bonding_usd_per_mm2: float = _float(0.2, ge=0.0, le=1e3, doc="hybrid bonding per mm2 bonded (stacked DRAM, "
                                        "ASSUMPTION: ~interposer + substrate per mm2)")
    test_usd_per_mm2: float = _float(460 / 814, ge=0.0, le=1e3, doc="die test per mm2 of logic: half of H100's $920 "
                                     "test & assembly over 814 mm2 [SA] (the split is an ASSUMPTION)")
    board_usd_per_w: float = _float(460 / 700, ge=0.0, le=1e3, doc="module board, VRMs per W of board power: the "
                                    "other half of H100's $920 over 700 W [SA] (ASSUMPTION)")
    d2d_tbps_per_mm2: float = _float(1.0, gt=0.0, le=1e3, doc="die-to-die PHY bandwidth per mm2 (UCIe-advanced "
                                     "class, ~1 TB/s/mm2)")
    # -- system share -----------------------------------------------------------------------------------
    host_usd_per_chip: float = _float(32_010 / 8, ge=0.0, le=1e9, doc="host CPUs, memory, NICs, storage, chassis per "
                                      "accelerator [DGX]")
    switch_usd_per_port: float = _float(1_500.0, ge=0.0, le=1e7, doc="scale-up/out switch port incl. optics and cables "
                                        "(ASSUMPTION, order of 400G/NDR list prices)")
    host_power_w_per_chip: float = _float(290.0, ge=0.0, le=1e6, doc="host share of power while decoding: half of DGX "
                                          "H100's non-GPU 4.6 kW maximum over 8 GPUs [DGX] (half: ASSUMPTION)")
    # -- embodied carbon ----------------------------------------------------------------------------------
    fab_gco2e_per_kwh: float = _float(642.0, ge=0.0, le=5000.0, doc="grid of the fabs (Taiwan 2023 [ACT])")
    dram_kgco2e_per_gb: float = _float(0.065, ge=0.0, le=100.0, doc="DRAM per GB (ddr4_10nm [ACT]); HBM adds its "
                                       "base dies at logic carbon per area")
    flash_kgco2e_per_gb: float = _float(0.0063, ge=0.0, le=100.0, doc="NAND per GB (nand_tlc_v3 [ACT])")
    package_kgco2e: float = _float(0.15, ge=0.0, le=1e3, doc="per IC package (logic die or memory stack) [ACT]")
    host_kgco2e_per_chip: float = _float(-1.0, ge=-1.0, le=1e6, doc="host share; -1 = DGX H100's host parts at ACT "
                                         "factors / 8 [DGX][ACT]")
    embodied_kgco2e: float = _float(0.0, ge=0.0, le=1e9, doc="override the whole embodied footprint per chip; "
                                    "0 = derive")
    # -- power without an energy model ---------------------------------------------------------------
    tdp_w: float = _float(0.0, ge=0.0, le=1e7, doc="board power limit; 0 = the energy spec's / the technology's")
    power_fraction_of_tdp: float = _float(1.0, gt=0.0, le=1.0, doc="average draw / TDP when the machine has no "
                                          "energy model (TDP: an upper bound)")

    @property
    def busy_seconds(self) -> float:
        """Seconds spent decoding over the lifetime."""
        return self.lifetime_years * SECONDS_PER_YEAR * self.utilization

    @property
    def grid(self) -> float:
        """gCO2e/kWh of the site: the region's when ``region`` is set, else ``grid_gco2e_per_kwh``."""
        return REGIONS[self.region] if self.region else self.grid_gco2e_per_kwh


SECONDS_PER_YEAR = 365.25 * 86400.0
#: The CostSpec field names (sweep axes ``cost.<field>``).
COST_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(CostSpec))

"""What the cost model needs to know about a machine beyond its Architecture: process node, vendor, how many
logic dies, fused-off spare units, chip-to-chip links, the published die size the area model is anchored to,
and published prices to compare against (never used in the arithmetic).

Sources: [H100] NVIDIA H100 white paper (GH100 814 mm2, 144 SMs / 132 enabled, 18 NVLink4 links, TSMC 4N);
[B200] NVIDIA GTC 2024 keynote / Blackwell white paper (two reticle-limited dies, 208 B transistors, TSMC
4NP, NV-HBI 10 TB/s, 18 NVLink5 links); [A100] NVIDIA A100 white paper (GA100 826 mm2 on TSMC N7, 128 SMs / 108 enabled in A100, 12 NVLink3);
[MI300X] AMD CDNA 3 white paper (8 XCDs of 38 CUs enabled out of 40
on N5, 4 IODs on N6); [GROQ] Groq (GroqChip: 14 nm, 725 mm2); [WSE3] Cerebras WSE-3 (TSMC 5 nm,
46,225 mm2); [TPU] Google does not publish node or die size of TPU v5e / v6e: n5 and one die are
ASSUMPTIONS.  Fab economics per node: [CSET] Khan & Mann 2020 wafer prices (7 nm $9,346, 5 nm $16,988,
14/16 nm $3,984, 10 nm $5,992) and [LLMC] LLMCompass defect densities (from TSMC's public slides: 14 nm
0.10, 10 nm 0.12, 7 nm 0.15, 5 nm 0.20 per cm2); [N3W] press reports (2023) of ~$20,000 per N3 wafer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

#: node -> (300 mm wafer USD, defect density per cm2)
FABS: dict[str, tuple[float, float]] = {
    "n16": (3_984.0, 0.10), "n12": (3_984.0, 0.10), "n10": (5_992.0, 0.12), "n7": (9_346.0, 0.15),
    "n6": (9_346.0, 0.15),  # N7 family (ASSUMPTION: priced as N7)
    "n5": (16_988.0, 0.20), "n4": (16_988.0, 0.20),  # N5 family (ASSUMPTION: N4 priced as N5)
    "n3": (20_000.0, 0.20),  # [N3W]; D0 as N5 (ASSUMPTION)
}
#: negative-binomial clustering parameter of the yield model [LLMC]
CLUSTER_ALPHA = 3.0
WAFER_DIAMETER_MM = 300.0
RETICLE_MM2 = 858.0  # 26 x 33 mm

MARGINS = {"nvidia": 0.75, "amd": 0.49, "inhouse": 0.0, "generic": 0.6}

DEFAULT_NODE = "n5"


@dataclass(frozen=True)
class Technology:
    node: str = DEFAULT_NODE
    vendor: str = "generic"  # area-model style: nvidia | amd | generic
    seller: str = "generic"  # margin: nvidia | amd | inhouse | generic
    logic_dies: int = 1
    spare_unit_fraction: float = 0.0
    l2_spare_fraction: float = 0.0  # fused-off L2 (GH100: 60 MB physical, 50 MB enabled on H100)
    nvlinks: int = 0
    pcie_lanes: int = 16
    d2d_tb_per_s_per_die: float = 0.0  # die-to-die bandwidth each logic die needs (chiplet presets)
    published_die_mm2: float = 0.0  # total logic silicon; 0 = not published (no anchor)
    wafer_scale: bool = False
    interposer: bool = True  # CoWoS-class interposer when the memory is stacked on the package
    base: str = ""  # the preset this one derives from (anchor and published figures)
    published: dict[str, Any] = field(default_factory=dict)  # comparison only


TECHNOLOGY: dict[str, Technology] = {
    "h100-sxm": Technology(node="n4", vendor="nvidia", seller="nvidia", spare_unit_fraction=12 / 144,
                           l2_spare_fraction=10 / 60, nvlinks=18, published_die_mm2=814.0,
                           published={"price_usd": (25_000, 30_000), "bom_usd": 3_320}),
    "h200": Technology(node="n4", vendor="nvidia", seller="nvidia", spare_unit_fraction=12 / 144,
                       l2_spare_fraction=0.0, nvlinks=18, published_die_mm2=814.0,
                       published={"bom_usd": 4_800}),
    "b200": Technology(node="n4", vendor="nvidia", seller="nvidia", logic_dies=2, spare_unit_fraction=12 / 160,
                       nvlinks=18, d2d_tb_per_s_per_die=10.0, published_die_mm2=2 * 800.0,
                       published={"bom_usd": 6_400}),
    "mi300x": Technology(node="n5", vendor="amd", seller="amd", logic_dies=12, spare_unit_fraction=16 / 320,
                         nvlinks=7, d2d_tb_per_s_per_die=2.0,
                         published={"bom_usd": 5_300, "price_usd": (15_000, 15_000)}),
    "tpu-v5e": Technology(node="n5", seller="inhouse", nvlinks=4),
    "tpu-v6e": Technology(node="n5", seller="inhouse", nvlinks=4),
    "groq-lpu": Technology(node="n16", published_die_mm2=725.0, interposer=False, nvlinks=16),
    "cerebras-wse3": Technology(node="n5", published_die_mm2=46_225.0, wafer_scale=True, interposer=False),
    # A100 (GA100: 826 mm2 on TSMC N7, 128 SMs / 108 enabled, 48 MB L2 / 40 MB enabled, 12 NVLink3 links
    # [A100]); AttAcc's "A100a" (HBM3) carries the record, the A100-class hosts of the PIM papers derive from it
    "a100a": Technology(node="n7", vendor="nvidia", seller="nvidia", spare_unit_fraction=20 / 128,
                        l2_spare_fraction=8 / 48, nvlinks=12, published_die_mm2=826.0),
    "ucie-chiplet": Technology(node="n4", vendor="nvidia", seller="nvidia", spare_unit_fraction=12 / 144,
                               l2_spare_fraction=10 / 60, nvlinks=4, pcie_lanes=4),  # a quarter of GH100's I/O
    **{name: Technology(base="h200") for name in (
        "h200-pnm", "h200-pim", "h200-hbf", "stacked3d", "h200-attacc", "h200-neupims")},
    **{name: Technology(base="b200") for name in (
        "b200-pim", "b200-attacc", "b200-neupims", "b200-hbf", "b200-hbm-unlimited")},
    **{name: Technology(base="a100a") for name in (
        "a100a-160g", "a100a-attacc", "hbm2-gpu", "hbm2-pim-gpu", "gddr6-gpu", "gddr6-aim-gpu")},
}


def technology(name: str) -> tuple[Technology, Optional[str]]:
    """(record, anchor preset) for a machine name: its own record, its base's for a direction design, or
    the defaults (n5, generic, one die, no spares; anchored like h100-sxm) for anything else."""
    t = TECHNOLOGY.get(name)
    if t is None:
        return Technology(), None
    if t.base:
        b = TECHNOLOGY[t.base]
        return b, t.base
    return t, name

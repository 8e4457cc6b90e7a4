"""Cost and carbon of decode: $/Mtoken, gCO2e/Mtoken and tokens/s per W next to speed.

A :class:`CostSpec` holds the economics of one accelerator (with its share of the host): purchase price,
the marginal price of its DRAM, lifetime, utilisation, power, electricity price, PUE, grid carbon
intensity and embodied carbon.  It is kept OUT of :class:`~accelsim.spec.machine.Architecture` (which describes
hardware only and is what the C++ core reads): :func:`for_arch` finds the spec of a preset by the
architecture's ``name`` (a design derived from a preset with ``with_field`` keeps its name) and
:func:`decode_cost` turns a decode step's tokens/s into money and carbon.  In a sweep the fields are
axes too: ``"cost.electricity_usd_per_kwh": [0.05, 0.10]``.

Arithmetic (every symbol a CostSpec field unless noted):

- capital cost ``capex_usd = price_usd + (memory_capacity_bytes - reference_memory_bytes) / 1e9 *
  memory_usd_per_gb`` (a design with more or less DRAM than the priced part pays the marginal memory price)
- busy seconds over the lifetime ``T = lifetime_years * 365.25 * 86400 * utilization``
- power while decoding ``P`` (W): the energy model's ``energy_j / time_s`` when the simulator reports one,
  else ``tdp_w * power_fraction_of_tdp``; the facility draws ``P * pue``
- ``usd_per_mtoken = 1e6 * (capex_usd / T + P * pue * electricity_usd_per_kwh / 3.6e6) / tokens_per_s``
- ``gco2e_per_mtoken = 1e6 * (embodied_kgco2e * 1000 / T + P * pue * grid_gco2e_per_kwh / 3.6e6) / tokens_per_s``
- ``tokens_per_s_per_w = tokens_per_s / P`` (device power, no PUE)

Idle power outside the busy fraction, networking and staff are not counted.

Sources of the defaults (short names used in comments below):

- [H100-DS]  NVIDIA H100 Tensor Core GPU datasheet: H100 SXM5 max TDP 700 W.
- [H200-PB]  NVIDIA H200 Tensor Core GPU product brief: H200 SXM max TDP up to 700 W.
- [PRICE]    Street prices reported in the trade press 2023-2024: H100 SXM5 about $25,000-30,000 per GPU
             (analyst estimates quoted widely in 2023); H200 SXM about 15-20% more than H100.  Prices
             are negotiated and vary; these are order-of-magnitude defaults, override them.
- [EIA]      U.S. Energy Information Administration, Electric Power Monthly: average retail price of
             electricity to the industrial sector, 2023: about 8.0 cents/kWh.
- [UPTIME]   Uptime Institute Global Data Center Survey 2023: average annual PUE 1.58.
- [EMBER]    Ember, Global Electricity Review 2024: world average grid carbon intensity in 2023,
             480 gCO2/kWh.
- [CHIEN23]  Chien et al., "Reducing the Carbon Impact of Generative AI Inference", HotCarbon 2023:
             embodied emissions 318 kgCO2e per GPU including 1/8 of its 8-GPU host (A100 instances).  No
             per-GPU H100/H200 figure is published in the same form; used as the order of magnitude.
- [DEPR]     Server depreciation schedules in hyperscalers' annual reports (2022-2024): 5 to 6 years.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Optional

from .. import presets as _presets
from ..spec.base import DATACLASS_KW, float_field, Spec, suggest
from ..spec.machine import Architecture
from ..errors import ConfigError

__all__ = ["CostSpec", "COST_FIELDS", "DecodeCost", "PRESET_COSTS", "for_arch", "decode_cost", "SECONDS_PER_YEAR"]

SECONDS_PER_YEAR = 365.25 * 86400.0
J_PER_KWH = 3.6e6


@dataclass(**DATACLASS_KW)
class CostSpec(Spec):
    """Economics of one accelerator (with its share of the host).  Validated like every spec."""

    price_usd: float = float_field(ge=0.0, le=1e12, doc="purchase price of the accelerator incl. its memory, USD")
    reference_memory_bytes: float = float_field(ge=0.0, le=1e18, doc="DRAM capacity the price includes, bytes")
    memory_usd_per_gb: float = float_field(ge=0.0, le=1e6, doc="marginal price of DRAM capacity, USD per 1e9 bytes")
    lifetime_years: float = float_field(gt=0.0, le=100.0, doc="amortisation period, years")
    utilization: float = float_field(gt=0.0, le=1.0, doc="fraction of the lifetime spent decoding")
    tdp_w: float = float_field(gt=0.0, le=1e7, doc="board power limit, W")
    power_fraction_of_tdp: float = float_field(gt=0.0, le=1.0, doc="average draw while decoding / TDP "
                                          "(used only without an energy model)")
    electricity_usd_per_kwh: float = float_field(ge=0.0, le=100.0, doc="electricity price, USD/kWh")
    pue: float = float_field(ge=1.0, le=10.0, doc="power usage effectiveness of the facility")
    grid_gco2e_per_kwh: float = float_field(ge=0.0, le=5000.0, doc="grid carbon intensity, gCO2e/kWh")
    embodied_kgco2e: float = float_field(ge=0.0, le=1e9, doc="manufacturing emissions of the accelerator, kgCO2e")

    def capex_usd(self, arch: Optional[Architecture] = None) -> float:
        """Purchase price, adjusted by the marginal memory price for ``arch``'s DRAM capacity."""
        if arch is None:
            return self.price_usd
        extra_gb = (arch.memory_capacity_bytes - self.reference_memory_bytes) / 1e9
        return max(0.0, self.price_usd + extra_gb * self.memory_usd_per_gb)

    @property
    def busy_seconds(self) -> float:
        """Seconds spent decoding over the lifetime."""
        return self.lifetime_years * SECONDS_PER_YEAR * self.utilization


#: The CostSpec field names (sweep axes ``cost.<field>``).
COST_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(CostSpec))

_H100_PRICE_USD = 30_000.0  # upper end of the $25k-30k street price [PRICE]
_H200_PRICE_USD = 35_000.0  # ~17% above H100 [PRICE]
# The DRAM the priced parts carry, as the presets model it (H100: 5 x 16 GiB stacks = 80 GiB [H100-DS];
# H200: 6 x 24 GiB stacks, of which 141 GB are exposed [H200-PB]); a design with the preset's DRAM
# costs exactly the street price.
_H100_MEM = float(_presets.load("h100-sxm").memory_capacity_bytes)
_H200_MEM = float(_presets.load("h200").memory_capacity_bytes)

_COMMON: dict[str, Any] = dict(
    # The marginal memory price implied by the two street prices: ($35k - $30k) / (154.6 GB - 85.9 GB)
    # = $73/GB (the two parts share the GH100 die; the H200 also has faster HBM3e, so this is an upper
    # bound on capacity alone).
    memory_usd_per_gb=(_H200_PRICE_USD - _H100_PRICE_USD) / ((_H200_MEM - _H100_MEM) / 1e9),
    lifetime_years=5.0,  # lower end of 5-6 year server depreciation [DEPR]
    utilization=1.0,  # cost while busy: an ASSUMPTION (no public source); set your fleet's figure
    power_fraction_of_tdp=1.0,  # TDP: an upper bound on power when no energy model is present
    electricity_usd_per_kwh=0.080,  # US industrial average 2023 [EIA]
    pue=1.58,  # industry average 2023 [UPTIME]
    grid_gco2e_per_kwh=480.0,  # world average 2023 [EMBER]
    embodied_kgco2e=318.0,  # per GPU incl. 1/8 of its host [CHIEN23]
)

#: CostSpec of every preset, by preset name.
PRESET_COSTS: dict[str, CostSpec] = {
    "h100-sxm": CostSpec(price_usd=_H100_PRICE_USD, reference_memory_bytes=_H100_MEM,
                         tdp_w=700.0,  # [H100-DS]
                         **_COMMON),
    "h200": CostSpec(price_usd=_H200_PRICE_USD, reference_memory_bytes=_H200_MEM,
                     tdp_w=700.0,  # [H200-PB]
                     **_COMMON),
}


def for_arch(arch: Architecture | str) -> CostSpec:
    """The CostSpec of a preset, found by the architecture's (or the given) name.

    ConfigError for a machine without one (pass ``cost=CostSpec(...)`` to the caller instead).
    """
    name = arch if isinstance(arch, str) else arch.name
    spec = PRESET_COSTS.get(name)
    if spec is None:
        raise ConfigError("cost", f"no cost data for machine {name!r}; pass a CostSpec "
                                  f"(known: {sorted(PRESET_COSTS)}){suggest(name, list(PRESET_COSTS))}")
    return spec


@dataclass(frozen=True)
class DecodeCost:
    """Cost and carbon of decoding at ``tokens_per_s`` on one accelerator (NaN when nothing is produced)."""

    capex_usd: float
    power_w: float
    power_source: str  # "energy_model" | "tdp"
    usd_per_mtoken: float
    gco2e_per_mtoken: float
    tokens_per_s_per_w: float
    joules_per_token: float

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def decode_cost(spec: CostSpec, tokens_per_s: float, *, arch: Optional[Architecture] = None,
                energy_j: Optional[float] = None, time_s: Optional[float] = None) -> DecodeCost:
    """Cost and carbon per million tokens.  ``energy_j`` and ``time_s`` (one step's energy and time from an
    energy model) set the power; without them the power is ``tdp_w * power_fraction_of_tdp``."""
    if not isinstance(spec, CostSpec):
        raise ConfigError("cost", "must be an accelsim.explore.cost.CostSpec", type(spec).__name__)
    if energy_j is not None and time_s is not None and time_s > 0 and math.isfinite(energy_j) and energy_j > 0:
        power, source = energy_j / time_s, "energy_model"
        if not (power > 0 and math.isfinite(power)):  # e.g. a damaged checkpoint record: 1e-300 J over 1e300 s
            power, source = spec.tdp_w * spec.power_fraction_of_tdp, "tdp"
    else:
        power, source = spec.tdp_w * spec.power_fraction_of_tdp, "tdp"
    capex = spec.capex_usd(arch)
    if not (tokens_per_s > 0 and math.isfinite(tokens_per_s)):
        nan = float("nan")
        return DecodeCost(capex, power, source, nan, nan, 0.0, nan)
    t_busy = spec.busy_seconds
    facility_w = power * spec.pue
    usd_per_s = capex / t_busy + facility_w * spec.electricity_usd_per_kwh / J_PER_KWH
    g_per_s = spec.embodied_kgco2e * 1000.0 / t_busy + facility_w * spec.grid_gco2e_per_kwh / J_PER_KWH
    return DecodeCost(
        capex_usd=capex,
        power_w=power,
        power_source=source,
        usd_per_mtoken=1e6 * usd_per_s / tokens_per_s,
        gco2e_per_mtoken=1e6 * g_per_s / tokens_per_s,
        tokens_per_s_per_w=tokens_per_s / power,
        joules_per_token=power / tokens_per_s,
    )

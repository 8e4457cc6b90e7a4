"""Ownership cost and carbon per hour and per token.

For a machine of ``chips`` accelerators decoding ``tokens_per_s`` at device power ``P`` (all chips; from the
energy model: a step's energy / its time, else TDP x power_fraction_of_tdp)::

    hours          H = lifetime_years x 8766
    device power   P_avg = u x P + (1 - u) x P_idle          u = utilization, P_idle = static power (idle)
    facility power F = (P_avg + chips x host_power_w_per_chip) x pue
    $/hour         capex / H  +  F / 1000 x electricity  +  facility_usd_per_kw_month x 12 / 8766 x IT kW
    gCO2e/hour     embodied kg x 1000 / H  +  F / 1000 x grid
    tokens/hour    tokens_per_s x 3600 x u
    $/Mtoken = 1e6 x $/hour / tokens/hour;   gCO2e/Mtoken likewise
    tokens/s/W = tokens_per_s / P;           J/token = P / tokens_per_s      (device power, no host, no PUE)

IT kW for the facility charge is the provisioned power: chips x board power + host share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

from .capex import Capex, PriceOnly, board_power_w, load_machine
from .capex import capex as _capex
from .spec import CostSpec

HOURS_PER_YEAR = 8766.0  # 365.25 x 24
J_PER_KWH = 3.6e6
#: idle power of a machine without an energy model, as a fraction of its board power (H100: ~70 W of 700)
IDLE_FRACTION_OF_TDP = 0.1


@dataclass(frozen=True)
class CostResult:
    """Cost, power and carbon of a machine decoding at ``tokens_per_s``; NaN per-token figures when nothing
    is produced.  ``hourly_usd`` and ``hourly_gco2e`` break $/hour and gCO2e/hour down by part."""

    machine: str
    chips: int
    tokens_per_s: float
    power_w: float
    power_source: str  # "energy_model" | "tdp"
    idle_power_w: float
    host_power_w: float
    capex: Capex
    spec: CostSpec
    usd_per_hour: float
    usd_per_mtoken: float
    gco2e_per_mtoken: float
    tokens_per_s_per_w: float
    joules_per_token: float
    hourly_usd: tuple[tuple[str, float], ...]
    hourly_gco2e: tuple[tuple[str, float], ...]

    @property
    def capex_usd(self) -> float:
        return self.capex.total_usd

    @property
    def embodied_kgco2e(self) -> float:
        return self.capex.embodied_kgco2e

    def as_dict(self) -> dict[str, Any]:
        return dict(machine=self.machine, chips=self.chips, tokens_per_s=self.tokens_per_s, capex_usd=self.capex_usd,
                    embodied_kgco2e=self.embodied_kgco2e, power_w=self.power_w, power_source=self.power_source,
                    idle_power_w=self.idle_power_w, host_power_w=self.host_power_w, usd_per_hour=self.usd_per_hour,
                    usd_per_mtoken=self.usd_per_mtoken, gco2e_per_mtoken=self.gco2e_per_mtoken,
                    tokens_per_s_per_w=self.tokens_per_s_per_w, joules_per_token=self.joules_per_token,
                    hourly_usd=dict(self.hourly_usd), hourly_gco2e=dict(self.hourly_gco2e))

    def table(self) -> str:
        """Markdown: $/hour and gCO2e/hour by part, with per-Mtoken equivalents."""
        tph = self.tokens_per_s * 3600 * self.spec.utilization
        per_m = (1e6 / tph) if tph > 0 else math.nan
        lines = [f"{self.machine}: {self.tokens_per_s:,.0f} tokens/s at {self.power_w:,.0f} W "
                 f"({self.power_source}); ${self.usd_per_hour:,.3f}/hour, ${self.usd_per_mtoken:,.3f}/Mtoken, "
                 f"{self.gco2e_per_mtoken:,.1f} gCO2e/Mtoken", "",
                 "| part | $/hour | $/Mtoken | share |", "|---|---:|---:|---:|"]
        for name, v in self.hourly_usd:
            lines.append(f"| {name} | {v:,.4f} | {v * per_m:,.4f} | {v / self.usd_per_hour:.1%} |")
        g = math.fsum(v for _, v in self.hourly_gco2e)
        lines += ["", "| carbon | gCO2e/hour | gCO2e/Mtoken | share |", "|---|---:|---:|---:|"]
        for name, v in self.hourly_gco2e:
            lines.append(f"| {name} | {v:,.1f} | {v * per_m:,.2f} | {v / g:.1%} |")
        return "\n".join(lines)


def idle_power_w(machine: Any, chips: int, spec: CostSpec) -> float:
    """Static (idle) power of all chips: the energy spec's static_power_w, else 10% of board power."""
    if isinstance(machine, PriceOnly):
        return 0.0
    arch = _chip_arch(machine)
    e = getattr(arch, "energy", None) if arch is not None else None
    if e is not None:
        per = e.static_power_w * _dies(machine)
    else:
        per = IDLE_FRACTION_OF_TDP * board_power_w(arch, spec) * _dies(machine) if arch is not None else 0.0
    return chips * per


def _chip_arch(machine: Any) -> Any:
    chip = getattr(machine, "chip", None) or getattr(machine, "package", None) or machine
    return getattr(chip, "die", None) or chip


def _dies(machine: Any) -> int:
    chip = getattr(machine, "chip", None) or getattr(machine, "package", None) or machine
    return int(getattr(chip, "dies", 1))


def evaluate(machine: Any, tokens_per_s: float, *, spec: Optional[CostSpec] = None, energy_j: Optional[float] = None,
             time_s: Optional[float] = None, power_w: Optional[float] = None) -> CostResult:
    """Cost and carbon of ``machine`` (an Architecture, Package, System, or a preset name) decoding
    ``tokens_per_s`` (all its chips together).  Power: ``power_w`` if given, else ``energy_j / time_s`` (one
    step of the energy model, all chips), else board power x power_fraction_of_tdp per chip."""
    spec = spec if spec is not None else CostSpec()
    if isinstance(machine, str):
        machine = load_machine(machine)
    cx = _capex(machine, spec)
    chips = cx.chips
    tdp_total = chips * cx.tdp_w
    if power_w is not None and math.isfinite(power_w) and power_w > 0:
        p, source = float(power_w), "energy_model"
    elif energy_j is not None and time_s is not None and time_s > 0 and math.isfinite(energy_j) and energy_j > 0 \
            and math.isfinite(energy_j / time_s) and energy_j / time_s > 0:
        p, source = energy_j / time_s, "energy_model"
    else:
        p, source = tdp_total * spec.power_fraction_of_tdp, "tdp"
    idle = min(idle_power_w(machine, chips, spec), p)
    host = chips * spec.host_power_w_per_chip
    u = spec.utilization
    hours = spec.lifetime_years * HOURS_PER_YEAR
    facility_kw = (u * p + (1 - u) * idle + host) * spec.pue / 1000.0
    hourly = [(f"capital: {part.name}", part.usd / hours) for part in cx.parts]
    hourly.append(("electricity", facility_kw * spec.electricity_usd_per_kwh))
    if spec.facility_usd_per_kw_month > 0:
        hourly.append(("facility", spec.facility_usd_per_kw_month * 12 / HOURS_PER_YEAR * (tdp_total + host) / 1000))
    usd_h = math.fsum(v for _, v in hourly)
    carbon = [("embodied", cx.embodied_kgco2e * 1000.0 / hours), ("operational", facility_kw * spec.grid)]
    g_h = math.fsum(v for _, v in carbon)
    ok = tokens_per_s > 0 and math.isfinite(tokens_per_s)
    tph = tokens_per_s * 3600.0 * u if ok else math.nan
    nan = math.nan
    return CostResult(
        machine=cx.machine, chips=chips, tokens_per_s=tokens_per_s if ok else 0.0, power_w=p, power_source=source,
        idle_power_w=idle, host_power_w=host, capex=cx, spec=spec, usd_per_hour=usd_h,
        usd_per_mtoken=1e6 * usd_h / tph if ok else nan, gco2e_per_mtoken=1e6 * g_h / tph if ok else nan,
        tokens_per_s_per_w=tokens_per_s / p if ok and p > 0 else (nan if ok else 0.0),
        joules_per_token=p / tokens_per_s if ok else nan,
        hourly_usd=tuple(hourly), hourly_gco2e=tuple(carbon))

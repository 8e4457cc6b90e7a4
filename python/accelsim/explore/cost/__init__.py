"""Cost, power and carbon of any machine: capital cost built up from parts, ownership cost per hour and per
token, embodied and operational CO2e.

API (stable; other packages call these)::

    from accelsim.explore import cost
    spec = cost.CostSpec(electricity_usd_per_kwh=0.05, region="europe")   # every figure cited and overridable
    cx = cost.capex(machine, spec)       # Capex: .parts (name, usd, kgco2e, basis), .total_usd, .embodied_kgco2e,
                                         #   .table(); machine = Architecture | Package | System | preset name
    r = cost.evaluate(machine, tokens_per_s, spec=spec, energy_j=step_j, time_s=step_s)
    r.usd_per_hour, r.usd_per_mtoken, r.gco2e_per_mtoken, r.tokens_per_s_per_w, r.joules_per_token, r.table()
    cost.of_result(result, machine, spec)   # the same from a decode / parallel / serve result
                                            #   (tokens_per_s, energy_j, time_s attributes)
    cost.decode_cost(spec, tokens_per_s, arch=arch, energy_j=..., time_s=...)   # the sweep's per-row call
    cost.for_arch(arch) -> CostSpec      # never raises: the defaults; a machine's own figures come from its
                                         #   technology record (cost.technology)

``machine`` never makes these raise for a valid spec: figures the model cannot derive from it (process node,
vendor margin, board power, ...) take stated defaults (CostSpec and :mod:`.technology` document each).
Every CostSpec field is a sweep axis (``cost.<field>``).  The arithmetic: :mod:`.capex` (parts, yield,
area from :mod:`.area`), :mod:`.tco` ($/hour, $/Mtoken, gCO2e), :mod:`.carbon` (ACT factors, grid regions).
"""

from __future__ import annotations

import math
from typing import Any, Optional

from ...errors import ConfigError
from .area import NODES, DieArea, UnitArea, sram_area_mm2, unit_area
from .capex import (Capex, CostPart, board_power_w, capex, chip_capex, die_yield, dies_per_wafer, load_machine,
                    memory_usd_per_gb)
from .carbon import REGIONS, logic_kgco2e_per_cm2
from .spec import COST_FIELDS, SECONDS_PER_YEAR, CostSpec
from .tco import CostResult, evaluate
from .technology import TECHNOLOGY, Technology, technology

__all__ = ["CostSpec", "COST_FIELDS", "SECONDS_PER_YEAR", "Capex", "CostPart", "CostResult", "DecodeCost",
           "capex", "chip_capex", "evaluate", "of_result", "decode_cost", "for_arch", "machine_named", "board_power_w",
           "memory_usd_per_gb", "die_yield", "dies_per_wafer", "REGIONS", "NODES", "TECHNOLOGY", "Technology",
           "technology", "DieArea", "UnitArea", "unit_area", "sram_area_mm2", "logic_kgco2e_per_cm2"]

#: The result of :func:`decode_cost` (the name the sweep and CLI used before the parts model).
DecodeCost = CostResult


def machine_named(name: str) -> Any:
    """The chip, package or system preset called ``name``, or None when there is none (then a caller prices
    only what a CostSpec gives)."""
    try:
        return load_machine(name)
    except ConfigError:
        return None


def for_arch(arch: Any = None) -> CostSpec:
    """The CostSpec to price ``arch`` with: the cited defaults (its own figures -- node, margin, board power,
    published die size -- come from its technology record at evaluation time).  Never raises."""
    return CostSpec()


def decode_cost(spec: CostSpec, tokens_per_s: float, *, arch: Any = None, energy_j: Optional[float] = None,
                time_s: Optional[float] = None) -> CostResult:
    """Cost and carbon of decoding ``tokens_per_s`` on ``arch`` (a machine, or None: then only
    ``spec.price_usd`` is capital).  ``energy_j`` / ``time_s`` of one step set the power."""
    if not isinstance(spec, CostSpec):
        raise ConfigError("cost", "must be an accelsim CostSpec", type(spec).__name__)
    if arch is None:
        from .capex import price_only  # noqa: PLC0415

        return evaluate(price_only(spec), tokens_per_s, spec=spec, energy_j=energy_j, time_s=time_s)
    return evaluate(arch, tokens_per_s, spec=spec, energy_j=energy_j, time_s=time_s)


def of_result(result: Any, machine: Any, spec: Optional[CostSpec] = None) -> CostResult:
    """:func:`evaluate` for a simulation result with ``tokens_per_s`` (and ``energy_j`` / ``time_s`` when the
    machine has an energy model): a DecodeStepResult, a ParallelDecodeResult, a serving result."""
    tps = float(getattr(result, "tokens_per_s", math.nan))
    if getattr(result, "feasible", True) is False:
        tps = math.nan
    e = getattr(result, "energy_j", None)
    t = getattr(result, "time_s", None)
    return evaluate(machine, tps, spec=spec, energy_j=e if isinstance(e, (int, float)) else None,
                    time_s=t if isinstance(t, (int, float)) else None)

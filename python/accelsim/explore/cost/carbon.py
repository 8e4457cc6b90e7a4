"""Embodied and operational carbon factors (the ACT model: Gupta et al., "ACT: Designing Sustainable Computer
Systems with an Architectural Carbon Modeling Tool", ISCA 2022; data as published in facebookresearch/ACT,
act/models/*, commit abc9fbb7, 2025-07-21).

Logic carbon per area (ACT's CPA)::

    CPA = (CI_fab x EPA + GPA + MPA) / yield            [g CO2e per cm2 of good die]

EPA (fab electricity, kWh/cm2), GPA (process gases, g/cm2; ACT's default abatement 97% = the mean of its
95% and 99% tables) and MPA (raw materials, 500 g/cm2) by node are ACT's Table 1 values.  Memory and
storage are per GB; each IC package adds 150 g.  Grid intensities by region are ACT's location_2023 table.
"""

from __future__ import annotations

#: gCO2e per kWh by region, 2023 [ACT location_2023.yaml]
REGIONS: dict[str, float] = {
    "world": 481.0, "india": 713.0, "australia": 549.0, "taiwan": 642.0, "singapore": 471.0, "usa": 369.0,
    "europe": 300.0, "brazil": 98.0, "iceland": 7.3, "korea": 402.0, "japan": 446.0,
}

#: ACT Table 1 by node: fab energy per area (kWh/cm2), gases at 95% and 99% abatement (g/cm2), materials
#: (g/cm2).  n4 takes n5's figures and n6 n7's (same process families; ACT lists 7/5/3 nm).
_ACT_LOGIC: dict[str, tuple[float, float, float, float]] = {
    "n16": (1.200, 200.0, 125.0, 500.0),  # ACT "14nm"
    "n12": (1.200, 200.0, 125.0, 500.0),
    "n10": (1.475, 240.0, 150.0, 500.0),
    "n7": (2.150, 350.0, 200.0, 500.0),
    "n6": (2.150, 350.0, 200.0, 500.0),
    "n5": (2.750, 430.0, 225.0, 500.0),
    "n4": (2.750, 430.0, 225.0, 500.0),
    "n3": (3.250, 470.0, 275.0, 500.0),
}


def logic_kgco2e_per_cm2(node: str, fab_gco2e_per_kwh: float, fab_yield: float) -> float:
    """ACT's carbon per area of good logic die at ``node``, kg CO2e / cm2."""
    epa, gpa95, gpa99, mpa = _ACT_LOGIC[node]
    return (fab_gco2e_per_kwh * epa + (gpa95 + gpa99) / 2.0 + mpa) / max(fab_yield, 1e-9) / 1000.0

"""Specs: parsed, immutable, validated descriptions of machines, memories, energy and multi-chip systems.

Nothing here simulates; :mod:`accelsim.engine` runs what these describe.
"""

from .energy import DtypeEnergies, EnergySpec
from .machine import DRAM_KINDS, Architecture, ComputeSpec, DramSpec, DtypeRates, SramSpec
from .nearmem import HbfSpec, NearMemorySpec, PlacementSpec
from .system import InterconnectSpec, LinkSpec, Package, System

__all__ = ["Architecture", "ComputeSpec", "SramSpec", "DramSpec", "DtypeRates", "DRAM_KINDS", "EnergySpec",
           "DtypeEnergies", "NearMemorySpec", "HbfSpec", "PlacementSpec", "LinkSpec", "InterconnectSpec", "Package",
           "System"]

"""accelsim: cycle-approximate simulation of accelerator memory hierarchies running LLM decode kernels.

>>> import accelsim
>>> arch = accelsim.presets.load("h100-sxm")
>>> r = accelsim.simulate(arch, accelsim.Gemv(m=1, n=8192, k=8192, dtype="bf16"))
>>> round(r.time_s * 1e6) > 10
True
"""

from __future__ import annotations

from . import energy, io, models, presets
from .arch import Architecture, ComputeSpec, DramSpec, DtypeRates, SramSpec
from .arch import DtypeEnergies, EnergySpec
from .errors import ConfigError, SimulationError
from .kernels import DTYPE_BYTES, DecodeAttention, Elementwise, Gemv, Moe
from .simulate import FIDELITIES, KernelRow, Result, clear_cache, simulate
from .decode import DecodeStepResult, decode_kernels, decode_step
from . import chiplets, collectives, parallel, system, systems  # issue 5: packages, systems, collectives

__version__ = "0.1.0"

__all__ = [
    "__version__", "Architecture", "ComputeSpec", "DramSpec", "DtypeRates", "SramSpec",
    "ConfigError", "SimulationError", "DTYPE_BYTES", "Gemv", "Elementwise", "DecodeAttention", "Moe",
    "simulate", "clear_cache", "decode_step", "decode_kernels", "DecodeStepResult", "Result", "KernelRow", "FIDELITIES", "presets", "models", "io",
    "system", "systems", "collectives", "chiplets", "parallel",
    "DtypeEnergies", "EnergySpec", "energy",
]

# design-space exploration (issue 6): accelsim.sweep(...) -> DataFrame; the function shadows the module
# like accelsim.simulate does (import names from the module: `from accelsim.sweep import DecodeWorkload`)
from . import cost  # noqa: E402
from .sweep import DecodeWorkload, best_n, pareto_front, sweep  # noqa: E402

__all__ += ["sweep", "DecodeWorkload", "pareto_front", "best_n", "cost"]

"""accelsim: cycle-approximate simulation of accelerator memory hierarchies running LLM decode kernels.

>>> import accelsim
>>> arch = accelsim.presets.load("h100-sxm")
>>> r = accelsim.simulate(arch, accelsim.Gemv(m=1, n=8192, k=8192, dtype="bf16"))
>>> round(r.time_s * 1e6) > 10
True
"""

from __future__ import annotations

from . import models, presets
from .engine.result import KernelRow, Result
from .engine.simulate import FIDELITIES, clear_cache, simulate  # noqa: F401 (clear_cache: kept at the top level)
from .errors import ConfigError, SimulationError
from .explore.sweep import DecodeWorkload, best_n, pareto_front, sweep  # noqa: F401 (best_n: kept at the top level)
from .spec.machine import Architecture, ComputeSpec, DramSpec, DtypeRates, SramSpec
from .spec.system import Package, System
from .workload.decode import DecodeStepResult, decode_kernels, decode_step  # noqa: F401 (decode_kernels: kept)
from .workload.kernels import DecodeAttention, Elementwise, Gemv, Moe, PrefillAttention
from .workload.prefill import PrefillStepResult, prefill_step
from .workload.serving import ServeResult, Workload, serve

__version__ = "0.1.0"

__all__ = [
    "__version__",
    # machines
    "Architecture", "ComputeSpec", "SramSpec", "DramSpec", "DtypeRates", "Package", "System", "presets",
    # work
    "Gemv", "DecodeAttention", "Elementwise", "Moe", "models",
    # simulation
    "simulate", "Result", "KernelRow", "decode_step", "DecodeStepResult", "prefill_step", "FIDELITIES",
    # deployment
    "serve", "Workload",
    # exploration
    "sweep", "DecodeWorkload", "pareto_front",
    # errors
    "ConfigError", "SimulationError",
]

# Module and name aliases kept for scripts written against earlier layouts (not part of ``__all__``):
# ``accelsim.io`` etc. name the modules now under spec/, engine/, multichip/, explore/ and presets/.
from .dtypes import DTYPE_BYTES  # noqa: E402,F401
from .engine import energy  # noqa: E402,F401
from .explore import cost  # noqa: E402,F401
from .multichip import chiplets, collectives, parallel  # noqa: E402,F401
from .presets import systems  # noqa: E402,F401
from .spec import io, system  # noqa: E402,F401
from .spec.energy import DtypeEnergies, EnergySpec  # noqa: E402,F401

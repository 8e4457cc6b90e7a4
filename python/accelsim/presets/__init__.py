"""Named, cited machine presets: one registry, every name exactly once.

>>> import accelsim
>>> "h100-sxm" in accelsim.presets.names()
True
>>> arch = accelsim.presets.load("h100-sxm")     # a fresh Architecture each call

Datasheet values carry a comment naming their source (:mod:`accelsim.presets.vendors`).  The few physical
parameters no datasheet gives (sustained matrix fraction, in-flight bytes per SM, L2 bandwidth/latency, DRAM
access latency, launch overhead, ...) live in one place, :data:`~accelsim.presets.calibration.HOPPER_CALIBRATION`,
shared by every Hopper preset.  Research designs built on them are in :mod:`accelsim.presets.directions`;
multi-chip systems and packages in :mod:`accelsim.presets.systems`.
"""

from __future__ import annotations

import difflib
from typing import Callable

from ..errors import ConfigError
from ..spec.machine import Architecture
from .calibration import HOPPER_CALIBRATION, HOPPER_ENERGY, HopperCalibration, hbm_gpu_energy
from .directions import DIRECTION_PRESETS
from .vendors import PRESETS as VENDOR_PRESETS
from .vendors import h100_sxm, h200

__all__ = ["names", "load", "h100_sxm", "h200", "HopperCalibration", "HOPPER_CALIBRATION", "HOPPER_ENERGY",
           "hbm_gpu_energy"]

_PRESETS: dict[str, Callable[[], Architecture]] = {**VENDOR_PRESETS, **DIRECTION_PRESETS}


def names() -> list[str]:
    """Names accepted by :func:`load`, sorted."""
    return sorted(_PRESETS)


def load(name: str) -> Architecture:
    """A fresh :class:`~accelsim.spec.machine.Architecture` for preset ``name``.

    Raises:
        ConfigError: (a ``ValueError``) for an unknown name; the message lists the valid names.
    """
    factory = _PRESETS.get(name) if isinstance(name, str) else None
    if factory is None:
        hint = ""
        if isinstance(name, str):
            key = name.strip().lower()
            prefixed = [n for n in names() if n.startswith(key)] if key else []
            match = prefixed or difflib.get_close_matches(key, list(_PRESETS), n=1, cutoff=0.5)
            if match:
                hint = f" (did you mean {match[0]!r}?)"
        raise ConfigError("preset", f"unknown preset; choose one of {names()}{hint}", name)
    return factory()

"""Named, cited machine presets: one registry, every name exactly once.

>>> import accelsim
>>> "h100-sxm" in accelsim.presets.names()
True
>>> arch = accelsim.presets.load("h100-sxm")     # a fresh Architecture each call

Datasheet values carry a comment naming their source (:mod:`accelsim.presets.vendors`).  The few physical
parameters no datasheet gives (sustained matrix fraction, in-flight bytes per SM, L2 bandwidth/latency, DRAM
access latency, launch overhead, ...) live in one place, :data:`~accelsim.presets.calibration.HOPPER_CALIBRATION`,
shared by every Hopper preset.  Research designs built on them are in :mod:`accelsim.presets.directions`;
published PIM / near-memory / flash designs and their baselines in :mod:`accelsim.presets.literature`;
multi-chip systems and packages, built from registered chips, in :mod:`accelsim.presets.systems`.  The
registry itself (:mod:`accelsim.presets.registry`) refuses a name registered twice, as any kind.

A machine can also be written as a preset plus overrides, in a YAML / JSON file or as a Python mapping::

    base: h100-sxm                 # a preset name, or another machine file (relative to this one)
    name: h100-faster-hbm
    dram: {data_rate_gbps: 6.4}    # nested fields; every other field is the base's
                                   # (or dram: {speed_bin: HBM3E-9600}: a named DRAM speed bin, memories.py)

>>> fast = accelsim.presets.load_file({"base": "h100-sxm", "dram": {"data_rate_gbps": 6.4}})
>>> fast.dram.data_rate_gbps
6.4
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..spec import io as _io
from ..spec.machine import Architecture
from . import directions, literature, registry, systems, vendors  # noqa: F401 - importing them registers their presets
from .calibration import HOPPER_CALIBRATION, HOPPER_ENERGY, HopperCalibration, hbm_gpu_energy
from .memories import SPEED_BINS, speed_bin
from .vendors import h100_sxm, h200

__all__ = ["names", "load", "load_file", "resolve", "speed_bin", "SPEED_BINS", "h100_sxm", "h200", "HopperCalibration", "HOPPER_CALIBRATION",
           "HOPPER_ENERGY", "hbm_gpu_energy"]

#: How deep ``base:`` files may chain (a file based on a file based on ...).
MAX_BASE_DEPTH = 16


def names() -> list[str]:
    """Chip presets accepted by :func:`load`, sorted (systems and packages: :mod:`accelsim.presets.systems`)."""
    return registry.names("chip")


def load(name: str) -> Architecture:
    """A fresh :class:`~accelsim.spec.machine.Architecture` for preset ``name``.

    Raises:
        ConfigError: (a ``ValueError``) for an unknown name; the message lists the valid names.
    """
    return registry.load(name)  # type: ignore[no-any-return]


def _is_file(text: str) -> bool:
    try:
        return os.path.isfile(text)
    except (ValueError, OSError):  # an embedded NUL, a name too long
        return False


def load_file(source: Any) -> Architecture:
    """A machine from a file path, YAML / JSON text or a mapping.

    The document is either a whole machine (``schema_version`` and every field, as :func:`accelsim.io.dump`
    writes it) or ``base:`` -- a preset name or another machine file, resolved relative to this file -- plus
    nested overrides of any fields (:meth:`~accelsim.spec.base.Spec.with_overrides`); ``schema_version`` is
    optional there. Without a ``name`` override the machine is named after its base and the file.
    Errors are ConfigErrors naming the dotted field path (``dram.data_rate_gbps``); a missing file is
    ``FileNotFoundError``.
    """
    return _load(source, ())


def _load(source: Any, seen: tuple[str, ...]) -> Architecture:
    if isinstance(source, Mapping):
        doc, path = source, None
    else:
        doc, path = _io.read(source)
    try:
        return _from_document(doc, path, seen)
    except ConfigError as e:
        if path is not None and hasattr(e, "add_note") and not any(str(path) in n for n in getattr(e, "__notes__", ())):
            e.add_note(f"while loading {path}")
        raise


def _expand_speed_bin(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """``doc`` with ``dram: {speed_bin: NAME, ...}`` expanded to the bin's fields (kind, data rate, timings),
    the mapping's other keys overriding them."""
    d = doc.get("dram")
    if not isinstance(d, Mapping) or "speed_bin" not in d:
        return doc
    rest = {k: v for k, v in d.items() if k != "speed_bin"}
    try:
        fields = speed_bin(d["speed_bin"], **rest)
    except ConfigError as e:
        raise e.with_prefix("dram") from None
    return {**doc, "dram": fields}


def _from_document(doc: Any, path: Path | None, seen: tuple[str, ...]) -> Architecture:
    if not isinstance(doc, Mapping):
        raise ConfigError("<file>", f"not a machine description: the document is {_io.kind_of(doc)}, not a mapping "
                                    "of machine fields (or base: plus overrides)")
    doc = _expand_speed_bin(doc)
    if "base" not in doc:
        return _io.from_document(doc)
    overrides = dict(doc)
    base = overrides.pop("base")
    if "schema_version" in overrides:
        version = _io.check_version(overrides)
        del overrides["schema_version"]
        overrides = _io.upgrade_machine(overrides, version)
    if not isinstance(base, str) or not base.strip():
        raise ConfigError("base", "must be a preset name or a machine file", base)
    if base in registry.names("chip"):
        arch, origin = registry.load(base), base
    else:
        candidate = (path.parent / base) if path is not None and not os.path.isabs(base) else Path(base)
        if not _is_file(str(candidate)):
            raise ConfigError("base", "is neither a chip preset nor a machine file; choose one of "
                              f"{registry.names('chip')}{registry.suggestion(base, registry.names('chip'))}", base)
        key = str(candidate.resolve())
        if key in seen:
            raise ConfigError("base", "the machine files' bases form a cycle", base)
        if len(seen) >= MAX_BASE_DEPTH:
            raise ConfigError("base", f"more than {MAX_BASE_DEPTH} machine files based on one another", base)
        arch, origin = _load(candidate, seen + (key,)), candidate.name
    if "name" not in overrides and overrides:
        overrides["name"] = f"{arch.name} ({path.name if path is not None else 'modified'})"
    return arch.with_overrides(overrides)  # type: ignore[no-any-return]


def resolve(machine: Any, field: str = "machine") -> Architecture:
    """An Architecture from what a user may pass for a machine: an Architecture (returned as is), a chip preset
    name, a machine file (a path: a whole machine or ``base:`` plus overrides, see :func:`load_file`) or a
    mapping of the same. Otherwise a ConfigError naming ``field`` (``preset`` for an unknown name, with the
    choices)."""
    if isinstance(machine, Architecture):
        return machine
    if isinstance(machine, Mapping):
        return load_file(machine)
    if isinstance(machine, (str, os.PathLike)):
        text = os.fspath(machine)
        if isinstance(text, str) and text in registry.names("chip"):
            return registry.load(text)  # type: ignore[no-any-return]
        if isinstance(text, str) and _is_file(text):
            try:
                return load_file(Path(text))
            except (OSError, UnicodeDecodeError) as e:  # no permission, not text
                raise ConfigError(field, f"cannot read the machine file: {getattr(e, 'strerror', None) or e}",
                                  text) from None
        if isinstance(text, str) and text.lower().endswith((".yaml", ".yml", ".json")):
            raise ConfigError(field, "no such machine file", text)
        return registry.load(text)  # type: ignore[no-any-return]  # ConfigError with the names and a suggestion
    raise ConfigError(field, "must be an Architecture, a preset name or a machine file", type(machine).__name__)

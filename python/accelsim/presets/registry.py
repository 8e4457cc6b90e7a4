"""The one preset registry: every chip, multi-chip system and multi-die package name, each exactly once.

Chips (:class:`~accelsim.spec.machine.Architecture`) are registered by :mod:`~accelsim.presets.vendors` and
:mod:`~accelsim.presets.directions`; systems and packages by :mod:`~accelsim.presets.systems`, which builds
them from registered chips only, and says which (``chip=``): a system's chip *is* ``load(chip)``, a
package's die is ``split_chip(load(chip), dies)``. Registering a name twice (as any kind) raises, so two
different machines can never answer to one name; the registry's tests rebuild every system and package
from its chip and compare.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import ConfigError

__all__ = ["KINDS", "Entry", "register", "names", "get", "load", "entry", "suggestion"]

#: What a preset name can stand for.
KINDS: tuple[str, ...] = ("chip", "system", "package")


@dataclass(frozen=True)
class Entry:
    """A registered preset: its kind, its factory and, for systems and packages, the registered chip it is
    built from (``chip``) and, for a package, into how many dies that chip is split (``split``: the package's
    die is ``split_chip(load(chip), split)``; 1 = the chip itself is the die)."""

    name: str
    kind: str
    factory: Callable[[], Any]
    chip: str = ""
    split: int = 1


_ENTRIES: dict[str, Entry] = {}


def register(kind: str, name: str, factory: Callable[[], Any], *, chip: str = "", split: int = 1) -> None:
    """Add preset ``name`` of ``kind``; ConfigError if the name is taken (by any kind)."""
    if kind not in KINDS:
        raise ConfigError("kind", f"must be one of {list(KINDS)}", kind)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("name", "a preset name must be a non-empty string", name)
    if name in _ENTRIES:
        raise ConfigError("preset", f"{name!r} is already registered (as a {_ENTRIES[name].kind}); every preset "
                          "name must exist once", name)
    if kind != "chip" and not chip:
        raise ConfigError("chip", f"a {kind} preset must name the registered chip it is built from", name)
    _ENTRIES[name] = Entry(name=name, kind=kind, factory=factory, chip=chip, split=split)


def names(kind: str | None = "chip") -> list[str]:
    """Registered names of ``kind`` (``None``: every kind), sorted."""
    return sorted(n for n, e in _ENTRIES.items() if kind is None or e.kind == kind)


def suggestion(name: object, choices: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice ``name`` most likely meant (a prefix, else the closest), or
    `` ('x' is a system preset)`` when ``name`` is registered as another kind; else ``""``."""
    if not isinstance(name, str):
        return ""
    other = _ENTRIES.get(name)
    if other is not None and name not in choices:
        return f" ({name!r} is a {other.kind} preset)"
    key = name.strip().lower()
    prefixed = [n for n in choices if n.startswith(key)] if key else []
    match = prefixed or difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _unknown(kind: str, name: object) -> ConfigError:
    choices = names(kind)
    hint = suggestion(name, choices)
    field = "preset" if kind == "chip" else kind
    return ConfigError(field, f"unknown {'preset' if kind == 'chip' else kind}; choose one of {choices}{hint}", name)


def entry(name: str, kind: str = "chip") -> Entry:
    """The registry entry of ``name``; ConfigError naming the choices if it is not a ``kind`` preset."""
    e = _ENTRIES.get(name) if isinstance(name, str) else None
    if e is None or e.kind != kind:
        raise _unknown(kind, name)
    return e


def get(name: str, kind: str = "chip") -> Any:
    """A fresh object for preset ``name`` of ``kind``."""
    return entry(name, kind).factory()


def load(name: str) -> Any:
    """A fresh chip (Architecture) for preset ``name``."""
    return get(name, "chip")

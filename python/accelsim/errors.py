"""Exceptions raised by accelsim.

``ConfigError`` is raised for every invalid machine or workload description, before anything runs.
It is a ``ValueError`` so callers that only know the standard library can still catch it, and it
names the offending field by its dotted path (``"dram.tRCD_ns"``, ``"compute.units"``) in
``err.field``.  The C++ core's ``ConfigError`` is translated to this class by the bindings.
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["ConfigError", "SimulationError", "SweepFailedError", "short_repr", "MAX_MESSAGE_CHARS"]

#: an error message names the field, says what is wrong and shows at most a short repr of the value: never
#: a whole document, a file's contents or a value nested a thousand deep
MAX_MESSAGE_CHARS = 1200
_VALUE_CHARS = 80

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40
for _n in ("maxlist", "maxtuple", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _n, 4)
_REPR.maxdict = 3


def short_repr(value: Any, limit: int = _VALUE_CHARS) -> str:
    """A repr of ``value`` of at most ``limit`` characters that never walks far into it (a value nested 1,000
    deep, a 10**6-element list, an object whose repr fails: each gives a few dozen characters)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a repr that recurses or raises: say what it is instead
        text = f"<{type(value).__name__}>"
    if "\n" in text:  # one line (numpy wraps its reprs)
        text = " ".join(part.strip() for part in text.splitlines())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _NoValue:
    """Sentinel: the error is not about one offending value (e.g. a missing or unknown field)."""

    _instance = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<no value>"

    def __reduce__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


class ConfigError(ValueError):
    """An invalid configuration value.

    Attributes:
        field: dotted path of the offending field, e.g. ``"dram.stacks"``.  ``"<file>"`` is used for
            a document that could not be parsed at all.
        reason: what is wrong, e.g. ``"must be >= 1"``.
        value: the offending value, or ``None`` when the error is not about a value (a missing or
            unknown field).

    The message reads ``f"{field}: {reason} (got {value!r})"``, with a short repr of the value (at most 80
    characters, see :func:`short_repr`); the ``(got ...)`` part is left out when there is no value. The whole
    message is at most :data:`MAX_MESSAGE_CHARS` characters.
    """

    def __init__(self, field: str, reason: str, value: Any = NO_VALUE) -> None:
        plain = isinstance(field, (str, int, float, type(None)))
        self.field = _clip(str(field) if plain else short_repr(field), 200)
        self.reason = _clip(str(reason), MAX_MESSAGE_CHARS - 300)
        self._has_value = value is not NO_VALUE
        self.value = value if self._has_value else None
        msg = f"{self.field}: {self.reason}" if self.field else self.reason
        if self._has_value:
            msg += f" (got {short_repr(value)})"
        super().__init__(msg)

    def with_prefix(self, prefix: str) -> ConfigError:
        """The same error, with ``prefix`` prepended to the field path (``"dram"`` + ``"stacks"``)."""
        if not prefix:
            return self
        if not self.field:
            field = prefix
        elif self.field.startswith("["):
            field = prefix + self.field
        else:
            field = f"{prefix}.{self.field}"
        err = type(self)(field, self.reason, self.value if self._has_value else NO_VALUE)
        err.__cause__ = self.__cause__
        for note in getattr(self, "__notes__", ()):
            err.add_note(note)  # pragma: no cover - only on 3.11+, and only with notes
        return err

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickling re-calls cls(*self.args); args is the message, not our fields.
        return (type(self), (self.field, self.reason, self.value if self._has_value else NO_VALUE))


class SimulationError(RuntimeError):
    """The simulation could not complete although the configuration was valid (an internal error)."""


class SweepFailedError(SimulationError):
    """Every simulation of a sweep failed (raised or killed its worker), so the sweep produced no result.

    ``frame`` holds the DataFrame the sweep would have returned (one ``failed`` row per point, with the
    reason); the checkpoint, if any, was written as usual.
    """

    def __init__(self, message: str, frame: Any = None) -> None:
        super().__init__(message)
        self.frame = frame

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.frame))

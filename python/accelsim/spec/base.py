"""The spec machinery every machine, system and cost description is built from.

A spec is a frozen, keyword-only dataclass whose fields carry validation metadata (:func:`int_field`,
:func:`float_field`, :func:`str_field`, :func:`spec_field`). :class:`Spec` validates every field on
construction and raises :class:`~accelsim.errors.ConfigError` naming the offending field by its dotted path,
e.g. ``"dram.tRCD_ns"``; it also gives ``replace``, ``with_field`` (a dotted path), ``to_dict`` and
``from_dict`` (unknown keys rejected with a suggestion).

Conventions: ``*_bytes`` are integer bytes, ``*_ns`` nanoseconds, ``*_ghz`` GHz, ``data_rate_gbps`` is
gigaBITs per second per pin, ``*_bits`` bits.  Values are kept as the user gives them; the engine converts
units in one place (:mod:`accelsim.engine.core`).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
import sys
from collections.abc import Mapping
from dataclasses import field
from typing import Any, ClassVar

from ..errors import ConfigError

__all__ = ["Spec", "int_field", "float_field", "str_field", "spec_field", "suggest", "register", "DATACLASS_KW",
           "MAX_SIZE", "MAX_COUNT", "MAX_FLOAT", "per_dtype", "is_power_of_two", "SPEC_CLASSES", "merge_dicts"]

MAX_SIZE = 2**62  # any byte count or integer above this is absurd (and overflows int64 sums)
MAX_COUNT = 2**20  # stacks, channels, banks, ...: counts of physical things
MAX_FLOAT = 1e18

# kw_only needs Python 3.10; on 3.9 the classes are still frozen and every call site in accelsim
# uses keywords, so only positional misuse goes unchecked there.
DATACLASS_KW: dict[str, Any] = {"frozen": True}
if sys.version_info >= (3, 10):
    DATACLASS_KW["kw_only"] = True


# --------------------------------------------------------------------------------------------------
# Field declarations: the metadata drives validation, from_dict and with_field.


def int_field(*, ge: int | None = None, le: int = MAX_SIZE, doc: str = "") -> Any:
    return field(metadata={"kind": "int", "ge": ge, "le": le, "doc": doc})


def float_field(
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float = MAX_FLOAT,
    doc: str = "",
) -> Any:
    return field(metadata={"kind": "float", "gt": gt, "ge": ge, "le": le, "doc": doc})


def str_field(*, choices: tuple[str, ...] | None = None, allow_empty: bool = False, doc: str = "") -> Any:
    return field(metadata={"kind": "str", "choices": choices, "allow_empty": allow_empty, "doc": doc})


def spec_field(cls_name: str, *, optional: bool = False, doc: str = "") -> Any:
    return field(metadata={"kind": "spec", "cls": cls_name, "optional": optional, "doc": doc})


def suggest(name: object, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ``""``."""
    if not isinstance(name, str):
        return ""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[match[0]]!r}?)" if match else ""


def fmt_bound(x: float) -> str:
    if isinstance(x, int) and x >= 2**20 and (x & (x - 1)) == 0:
        return f"2**{x.bit_length() - 1}"
    return repr(x)


def check_int(name: str, v: Any, meta: Mapping[str, Any]) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise ConfigError(name, "must be an integer", v)
    v = int(v)
    if meta["ge"] is not None and v < meta["ge"]:
        raise ConfigError(name, f"must be >= {meta['ge']}", v)
    if v > meta["le"]:
        raise ConfigError(name, f"must be <= {fmt_bound(meta['le'])}", v)
    return v


def check_float(name: str, v: Any, meta: Mapping[str, Any]) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ConfigError(name, "must be a number", v)
    try:
        f = float(v)
    except OverflowError:  # an int too large for a double
        raise ConfigError(name, f"must be <= {meta['le']:g}", v) from None
    if not math.isfinite(f):
        raise ConfigError(name, "must be finite", v)
    if meta["gt"] is not None and not f > meta["gt"]:
        raise ConfigError(name, f"must be > {meta['gt']:g}", v)
    if meta["ge"] is not None and not f >= meta["ge"]:
        raise ConfigError(name, f"must be >= {meta['ge']:g}", v)
    if f > meta["le"]:
        raise ConfigError(name, f"must be <= {meta['le']:g}", v)
    return f


def check_str(name: str, v: Any, meta: Mapping[str, Any]) -> str:
    if not isinstance(v, str):
        raise ConfigError(name, "must be a string", v)
    choices = meta["choices"]
    if choices is not None:
        if v not in choices:
            raise ConfigError(name, f"must be one of {list(choices)}{suggest(v, choices)}", v)
    elif not meta["allow_empty"] and not v.strip():
        raise ConfigError(name, "must not be empty", v)
    return v


def is_power_of_two(n: int) -> bool:
    return n > 0 and (n & (n - 1)) == 0


class Spec:
    """Shared behaviour of the spec dataclasses: validation, replace, with_field, dict conversion."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            meta = f.metadata
            kind = meta.get("kind")
            v = getattr(self, f.name)
            if kind == "int":
                nv: Any = check_int(f.name, v, meta)
            elif kind == "float":
                nv = check_float(f.name, v, meta)
            elif kind == "str":
                nv = check_str(f.name, v, meta)
            elif kind == "spec":
                cls = SPEC_CLASSES[meta["cls"]]
                if v is None and meta["optional"]:
                    nv = None
                elif not isinstance(v, cls):
                    what = f"a {cls.__name__}" + (" or None" if meta["optional"] else "")
                    raise ConfigError(f.name, f"must be {what}", v)
                else:
                    nv = v
            elif kind == "strtuple":
                if isinstance(v, str) or not isinstance(v, (tuple, list)):
                    raise ConfigError(f.name, "must be a list of strings", v)
                for i, item in enumerate(v):
                    if not isinstance(item, str):
                        raise ConfigError(f"{f.name}[{i}]", "must be a string", item)
                nv = tuple(v)
            else:  # pragma: no cover - a declaration bug, not a user error
                raise AssertionError(f"{type(self).__name__}.{f.name} has no validation metadata")
            if nv is not v:
                object.__setattr__(self, f.name, nv)
        self._check()

    def _check(self) -> None:
        """Cross-field checks; raise ConfigError naming the field that is out of line."""

    @classmethod
    def _translate(cls, values: dict[str, Any], current: Any = None) -> dict[str, Any]:
        """Field values given under another (former) name, converted to the fields they stand for; ``current``
        is the spec being changed (``replace``), None when building one (``from_dict``)."""
        return values

    # -- variants ----------------------------------------------------------------------------------

    def replace(self, **changes: Any) -> Any:
        """A validated copy with ``changes`` applied (``dataclasses.replace`` with loud unknown names)."""
        names = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        changes = self._translate(dict(changes), self)
        for k in changes:
            if k not in names:
                raise ConfigError(k, f"unknown field{suggest(k, names)}")
        kinds = {f.name: f.metadata for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        for k, v in changes.items():
            if kinds[k].get("kind") == "spec" and isinstance(v, Mapping):
                changes[k] = SPEC_CLASSES[kinds[k]["cls"]]._from_dict(v, k)
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def with_field(self, path: str, value: Any) -> Any:
        """A validated copy with the field at dotted ``path`` set, e.g. ``with_field("dram.stacks", 6)``.

        Errors name the full path.
        """
        if not isinstance(path, str) or not path or "" in path.split("."):
            raise ConfigError("<path>", "must be a non-empty dotted field path", path)
        head, _, rest = path.partition(".")
        names = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        if not rest:
            return self.replace(**{head: value})  # refuses a name that is no field (nor a former name of one)
        if head not in names:
            raise ConfigError(head, f"unknown field{suggest(head, names)}")
        child = getattr(self, head)
        sub = rest.split(".")[0]
        if child is None:
            raise ConfigError(head, f"is None, so it has no field {sub!r}")
        if not isinstance(child, Spec):
            raise ConfigError(head, f"is not a nested spec, so it has no field {sub!r}", child)
        try:
            new_child = child.with_field(rest, value)
        except ConfigError as e:
            raise e.with_prefix(head) from None
        return self.replace(**{head: new_child})

    def with_overrides(self, overrides: Mapping[str, Any]) -> Any:
        """A validated copy with nested ``overrides`` applied: ``{"dram": {"data_rate_gbps": 6.4}}`` changes
        that one field and keeps every other. A mapping for a nested spec is merged into it (a spec that is
        None takes the mapping whole); any other value, including None, replaces the field. Errors name the
        full dotted path, as :meth:`from_dict`'s do."""
        if not isinstance(overrides, Mapping):
            raise ConfigError("<overrides>", "must be a mapping of field names to values", overrides)
        return type(self).from_dict(type(self)._merged(self.to_dict(), overrides))

    #: Former field names still accepted on input, with the field each now stands for (see ``_translate``).
    FORMER_NAMES: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def _merged(cls, base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
        """``merge_dicts`` that knows the fields: a former name in ``overrides`` replaces the base's current
        field, and nested specs are merged with their own class's knowledge."""
        out = dict(base)
        kinds = {f.name: f.metadata for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        for k, v in overrides.items():
            if k in cls.FORMER_NAMES:
                out.pop(cls.FORMER_NAMES[k], None)
            meta = kinds.get(k, {})
            old = out.get(k)
            if isinstance(v, Mapping) and isinstance(old, Mapping) and meta.get("kind") == "spec":
                out[k] = SPEC_CLASSES[meta["cls"]]._merged(old, v)
            elif isinstance(v, Mapping) and isinstance(old, Mapping):
                out[k] = merge_dicts(old, v)
            else:
                out[k] = dict(v) if isinstance(v, Mapping) else v
        return out

    # -- dict conversion ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (lists, not tuples) in field order; inverse of :meth:`from_dict`."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, Spec):
                v = v.to_dict()
            elif isinstance(v, tuple):
                v = list(v)
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Any:
        """Build from a plain nested dict.  Unknown keys are rejected (with a suggestion), missing
        required keys are named, and errors carry the full dotted path (``"dram.tRCD_ns"``)."""
        return cls._from_dict(d, "")

    @classmethod
    def _from_dict(cls, d: Any, path: str) -> Any:
        def at(name: str) -> str:
            return f"{path}.{name}" if path else name

        if not isinstance(d, Mapping):
            raise ConfigError(path or "<root>", f"must be a mapping of {cls.__name__} fields", d)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        names = [f.name for f in fields]
        try:
            d = cls._translate(dict(d), None)
        except ConfigError as e:
            raise e.with_prefix(path) from None
        for k in d:
            if k not in names:
                key = str(k) if isinstance(k, str) and k else repr(k)  # '' or a non-string key: quoted
                raise ConfigError(at(key), f"unknown field {k!r} in {cls.__name__}{suggest(k, names)}")
        kwargs: dict[str, Any] = {}
        for f in fields:
            if f.name not in d:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise ConfigError(at(f.name), "missing required field")
                continue
            v = d[f.name]
            if f.metadata.get("kind") == "spec" and isinstance(v, Mapping):
                v = SPEC_CLASSES[f.metadata["cls"]]._from_dict(v, at(f.name))
            kwargs[f.name] = v
        try:
            return cls(**kwargs)
        except ConfigError as e:
            raise e.with_prefix(path) from None



def merge_dicts(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in, recursively where both hold a mapping (see
    :meth:`Spec.with_overrides`); neither argument is modified."""
    out = dict(base)
    for k, v in overrides.items():
        old = out.get(k)
        if isinstance(v, Mapping) and isinstance(old, Mapping):
            out[k] = merge_dicts(old, v)
        else:
            out[k] = dict(v) if isinstance(v, Mapping) else v
    return out


#: Spec classes by name: what a ``spec_field("Name")`` refers to. Filled by :func:`register`.
SPEC_CLASSES: dict[str, type[Spec]] = {}


def register(cls: type) -> type:
    """Class decorator: make ``cls`` nameable in :func:`spec_field` (after ``@dataclass``)."""
    SPEC_CLASSES[cls.__name__] = cls
    return cls


def per_dtype(spec: Any, dtype: str) -> float:
    """``spec``'s field for ``dtype`` (a table with one float per dtype); ConfigError for a non-dtype name."""
    from ..dtypes import DTYPES  # noqa: PLC0415

    if dtype not in DTYPES:
        raise ConfigError("dtype", f"unknown dtype; choose one of {list(DTYPES)}{suggest(dtype, DTYPES)}", dtype)
    return float(getattr(spec, dtype))

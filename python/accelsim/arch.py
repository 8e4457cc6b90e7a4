"""Machine description: frozen, keyword-only dataclasses with units in every field name.

An :class:`Architecture` is compute (:class:`ComputeSpec`), an optional on-chip SRAM level
(:class:`SramSpec`, the L2 / global buffer) and a DRAM level (:class:`DramSpec`), plus a per-kernel
launch overhead.  Every object validates itself on construction and raises
:class:`~accelsim.errors.ConfigError` naming the offending field by its dotted path, e.g.
``"dram.tRCD_ns"`` or ``"compute.max_inflight_bytes_per_unit"``.

Field names are read by the C++ core by name (via :func:`dataclasses.asdict`), so they must not be
renamed.  Conventions: ``*_bytes`` are integer bytes, ``*_ns`` nanoseconds, ``*_ghz`` GHz,
``data_rate_gbps`` is gigaBITs per second per pin, ``*_bits`` bits.  Values are passed through
unscaled; the core converts to integer picoseconds in one place.

Objects are hashable and picklable.  Variants go through :meth:`Architecture.replace` or
:meth:`Architecture.with_field` (``arch.with_field("dram.stacks", 6)``), which return new,
validated objects.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, Tuple

from .errors import ConfigError

__all__ = [
    "DTYPES",
    "DRAM_KINDS",
    "DtypeRates",
    "ComputeSpec",
    "SramSpec",
    "DramSpec",
    "Architecture",
    "DtypeEnergies",
    "EnergySpec",
    "NearMemorySpec",
    "HbfSpec",
    "PlacementSpec",
]

#: Every dtype name the matrix units are described for (the fields of :class:`DtypeRates`).
DTYPES: tuple[str, ...] = ("fp32", "bf16", "fp16", "fp8", "int8", "int4", "fp4")

#: DRAM kinds :class:`DramSpec` accepts.  Add new kinds here (and only here).
DRAM_KINDS: tuple[str, ...] = ("hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4", "lpddr5x", "gddr7", "sram")
#: hybrid-bonded DRAM stacked on the compute die (issue 4, section 3)
DRAM_KINDS = DRAM_KINDS + ("stacked3d",)

_MAX_SIZE = 2**62  # any byte count or integer above this is absurd (and overflows int64 sums)
_MAX_COUNT = 2**20  # stacks, channels, banks, ...: counts of physical things
_MAX_FLOAT = 1e18

# kw_only needs Python 3.10; on 3.9 the classes are still frozen and every call site in accelsim
# uses keywords, so only positional misuse goes unchecked there.
_DATACLASS_KW: dict[str, Any] = {"frozen": True}
if sys.version_info >= (3, 10):
    _DATACLASS_KW["kw_only"] = True


# --------------------------------------------------------------------------------------------------
# Field declarations: the metadata drives validation, from_dict and with_field.


def _int(*, ge: int | None = None, le: int = _MAX_SIZE, doc: str = "") -> Any:
    return field(metadata={"kind": "int", "ge": ge, "le": le, "doc": doc})


def _float(
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float = _MAX_FLOAT,
    doc: str = "",
) -> Any:
    return field(metadata={"kind": "float", "gt": gt, "ge": ge, "le": le, "doc": doc})


def _str(*, choices: tuple[str, ...] | None = None, allow_empty: bool = False, doc: str = "") -> Any:
    return field(metadata={"kind": "str", "choices": choices, "allow_empty": allow_empty, "doc": doc})


def _spec(cls_name: str, *, optional: bool = False, doc: str = "") -> Any:
    return field(metadata={"kind": "spec", "cls": cls_name, "optional": optional, "doc": doc})


def _suggest(name: object, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ``""``."""
    if not isinstance(name, str):
        return ""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[match[0]]!r}?)" if match else ""


def _fmt_bound(x: float) -> str:
    if isinstance(x, int) and x >= 2**20 and (x & (x - 1)) == 0:
        return f"2**{x.bit_length() - 1}"
    return repr(x)


def _check_int(name: str, v: Any, meta: Mapping[str, Any]) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise ConfigError(name, "must be an integer", v)
    v = int(v)
    if meta["ge"] is not None and v < meta["ge"]:
        raise ConfigError(name, f"must be >= {meta['ge']}", v)
    if v > meta["le"]:
        raise ConfigError(name, f"must be <= {_fmt_bound(meta['le'])}", v)
    return v


def _check_float(name: str, v: Any, meta: Mapping[str, Any]) -> float:
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


def _check_str(name: str, v: Any, meta: Mapping[str, Any]) -> str:
    if not isinstance(v, str):
        raise ConfigError(name, "must be a string", v)
    choices = meta["choices"]
    if choices is not None:
        if v not in choices:
            raise ConfigError(name, f"must be one of {list(choices)}{_suggest(v, choices)}", v)
    elif not meta["allow_empty"] and not v.strip():
        raise ConfigError(name, "must not be empty", v)
    return v


def _is_power_of_two(n: int) -> bool:
    return n > 0 and (n & (n - 1)) == 0


class _Spec:
    """Shared behaviour of the spec dataclasses: validation, replace, with_field, dict conversion."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            meta = f.metadata
            kind = meta.get("kind")
            v = getattr(self, f.name)
            if kind == "int":
                nv: Any = _check_int(f.name, v, meta)
            elif kind == "float":
                nv = _check_float(f.name, v, meta)
            elif kind == "str":
                nv = _check_str(f.name, v, meta)
            elif kind == "spec":
                cls = _SPEC_CLASSES[meta["cls"]]
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

    # -- variants ----------------------------------------------------------------------------------

    def replace(self, **changes: Any) -> Any:
        """A validated copy with ``changes`` applied (``dataclasses.replace`` with loud unknown names)."""
        names = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        for k in changes:
            if k not in names:
                raise ConfigError(k, f"unknown field{_suggest(k, names)}")
        kinds = {f.name: f.metadata for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        for k, v in changes.items():
            if kinds[k].get("kind") == "spec" and isinstance(v, Mapping):
                changes[k] = _SPEC_CLASSES[kinds[k]["cls"]]._from_dict(v, k)
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def with_field(self, path: str, value: Any) -> Any:
        """A validated copy with the field at dotted ``path`` set, e.g. ``with_field("dram.stacks", 6)``.

        Errors name the full path.
        """
        if not isinstance(path, str) or not path or "" in path.split("."):
            raise ConfigError("<path>", "must be a non-empty dotted field path", path)
        head, _, rest = path.partition(".")
        names = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        if head not in names:
            raise ConfigError(head, f"unknown field{_suggest(head, names)}")
        if not rest:
            return self.replace(**{head: value})
        child = getattr(self, head)
        sub = rest.split(".")[0]
        if child is None:
            raise ConfigError(head, f"is None, so it has no field {sub!r}")
        if not isinstance(child, _Spec):
            raise ConfigError(head, f"is not a nested spec, so it has no field {sub!r}", child)
        try:
            new_child = child.with_field(rest, value)
        except ConfigError as e:
            raise e.with_prefix(head) from None
        return self.replace(**{head: new_child})

    # -- dict conversion ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (lists, not tuples) in field order; inverse of :meth:`from_dict`."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, _Spec):
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
        for k in d:
            if k not in names:
                key = str(k) if isinstance(k, str) and k else repr(k)  # '' or a non-string key: quoted
                raise ConfigError(at(key), f"unknown field {k!r} in {cls.__name__}{_suggest(k, names)}")
        kwargs: dict[str, Any] = {}
        for f in fields:
            if f.name not in d:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise ConfigError(at(f.name), "missing required field")
                continue
            v = d[f.name]
            if f.metadata.get("kind") == "spec" and isinstance(v, Mapping):
                v = _SPEC_CLASSES[f.metadata["cls"]]._from_dict(v, at(f.name))
            kwargs[f.name] = v
        try:
            return cls(**kwargs)
        except ConfigError as e:
            raise e.with_prefix(path) from None


# --------------------------------------------------------------------------------------------------


def _per_dtype(spec: Any, dtype: str) -> float:
    """``spec``'s field for ``dtype`` (a table with one float per dtype); ConfigError for a non-dtype name."""
    if dtype not in DTYPES:
        raise ConfigError("dtype", f"unknown dtype; choose one of {list(DTYPES)}{_suggest(dtype, DTYPES)}", dtype)
    return float(getattr(spec, dtype))


@dataclass(**_DATACLASS_KW)
class DtypeRates(_Spec):
    """Dense matrix-unit FLOP per cycle per compute unit, for each dtype (0 = not supported).

    A multiply-accumulate counts as 2 FLOP.
    """

    fp32: float = _float(ge=0.0, le=1e15)
    bf16: float = _float(ge=0.0, le=1e15)
    fp16: float = _float(ge=0.0, le=1e15)
    fp8: float = _float(ge=0.0, le=1e15)
    int8: float = _float(ge=0.0, le=1e15)
    int4: float = _float(ge=0.0, le=1e15)
    fp4: float = _float(ge=0.0, le=1e15)

    def _check(self) -> None:
        if not any(getattr(self, d) > 0 for d in DTYPES):
            raise ConfigError("", "at least one dtype must have a rate > 0", self.to_dict())

    def get(self, dtype: str) -> float:
        """FLOP/cycle/unit for ``dtype``; ConfigError for a name that is not a dtype."""
        return _per_dtype(self, dtype)


@dataclass(**_DATACLASS_KW)
class ComputeSpec(_Spec):
    """The compute units (SMs / cores / PEs) and how much memory traffic each keeps in flight."""

    units: int = _int(ge=1, le=2**50, doc="number of compute units (SMs)")
    clock_ghz: float = _float(gt=0.0, le=1000.0, doc="unit clock, GHz")
    matrix_flops_per_cycle_per_unit: DtypeRates = _spec("DtypeRates", doc="dense matrix FLOP/cycle/unit")
    matrix_sustained_fraction: float = _float(gt=0.0, le=1.0, doc="fraction of matrix peak reachable")
    vector_flops_per_cycle_per_unit: float = _float(gt=0.0, le=1e15, doc="vector (SIMT) FLOP/cycle/unit")
    local_sram_bytes_per_unit: int = _int(ge=0, doc="shared memory + L1 per unit, bytes")
    max_inflight_bytes_per_unit: int = _int(ge=1, doc="outstanding load bytes one unit sustains")
    load_bytes_per_cycle_per_unit: float = _float(gt=0.0, le=float(_MAX_SIZE), doc="load bytes/cycle/unit")
    matrix_kernel_setup_ns: float = _float(ge=0.0, le=1e9, doc="fixed cost of a tiled matrix kernel, ns")
    #: Per-dtype override of ``matrix_sustained_fraction`` (0 for a dtype = use the general fraction); e.g.
    #: a power-limited chip sustains a lower fraction of its fp8 peak than of its bf16 peak.
    matrix_sustained_fraction_by_dtype: Optional[DtypeRates] = field(default=None, metadata={
        "kind": "spec", "cls": "DtypeRates", "optional": True,
        "doc": "per-dtype fraction of matrix peak (0 = the general one)"})

    def _check(self) -> None:
        by = self.matrix_sustained_fraction_by_dtype
        if by is not None:
            for d in DTYPES:
                if getattr(by, d) > 1.0:
                    raise ConfigError(f"matrix_sustained_fraction_by_dtype.{d}", "must be a fraction <= 1",
                                      getattr(by, d))

    def sustained_fraction(self, dtype: str) -> float:
        """The fraction of the ``dtype`` matrix peak a well-tiled kernel sustains."""
        by = self.matrix_sustained_fraction_by_dtype
        f = by.get(dtype) if by is not None else 0.0
        return f if f > 0 else self.matrix_sustained_fraction

    def peak_flops_per_s(self, dtype: str) -> float:
        """Dense matrix peak for ``dtype``, FLOP/s (not scaled by ``matrix_sustained_fraction``)."""
        return self.units * self.clock_ghz * 1e9 * self.matrix_flops_per_cycle_per_unit.get(dtype)

    def sustained_flops_per_s(self, dtype: str) -> float:
        """``peak_flops_per_s(dtype) * sustained_fraction(dtype)``."""
        return self.peak_flops_per_s(dtype) * self.sustained_fraction(dtype)

    @property
    def vector_flops_per_s(self) -> float:
        return self.units * self.clock_ghz * 1e9 * self.vector_flops_per_cycle_per_unit


@dataclass(**_DATACLASS_KW)
class SramSpec(_Spec):
    """An on-chip SRAM level (L2 / global buffer): capacity, aggregate bandwidth, latency, banks."""

    name: str = _str(doc="level name, e.g. 'l2'")
    capacity_bytes: int = _int(ge=1)
    bytes_per_cycle: float = _float(gt=0.0, le=float(_MAX_SIZE), doc="aggregate, all banks")
    clock_ghz: float = _float(gt=0.0, le=1000.0)
    latency_ns: float = _float(ge=0.0, le=1e9, doc="unloaded access latency as a unit sees it")
    banks: int = _int(ge=1, le=_MAX_COUNT)

    @property
    def bandwidth_bytes_per_s(self) -> float:
        return self.bytes_per_cycle * self.clock_ghz * 1e9


@dataclass(**_DATACLASS_KW)
class DramSpec(_Spec):
    """A DRAM level: organisation, pin rate and JEDEC-style timings (in ns).

    ``banks_per_group`` counts banks across stack IDs (SIDs): an 8-high HBM3 stack with 2 SIDs of
    4 bank groups x 4 banks is ``bank_groups=4, banks_per_group=8``.
    """

    _TIMINGS: ClassVar[tuple[str, ...]] = (
        "tRCD_ns", "tRP_ns", "tCL_ns", "tRAS_ns", "tRRD_S_ns", "tRRD_L_ns", "tFAW_ns",
        "tCCD_S_ns", "tCCD_L_ns", "tWTR_ns", "tRTW_ns", "tRFC_ns", "tREFI_ns", "tRFCpb_ns",
    )  # fmt: skip

    kind: str = _str(choices=DRAM_KINDS)
    stacks: int = _int(ge=1, le=_MAX_COUNT)
    channels_per_stack: int = _int(ge=1, le=_MAX_COUNT)
    pseudo_channels_per_channel: int = _int(ge=1, le=_MAX_COUNT)
    bank_groups: int = _int(ge=1, le=_MAX_COUNT)
    banks_per_group: int = _int(ge=1, le=_MAX_COUNT)
    row_bytes: int = _int(ge=1, doc="row (page) size per pseudo-channel, bytes")
    burst_length: int = _int(ge=1, le=1024, doc="beats per burst (BL)")
    pc_bus_width_bits: int = _int(ge=1, le=1 << 16, doc="data bus width of one pseudo-channel, bits")
    data_rate_gbps: float = _float(gt=0.0, le=1000.0, doc="Gbit/s per pin")
    capacity_bytes_per_stack: int = _int(ge=1)
    tRCD_ns: float = _float(gt=0.0, le=1e9, doc="ACT to READ")
    tRP_ns: float = _float(gt=0.0, le=1e9, doc="PRE to ACT")
    tCL_ns: float = _float(gt=0.0, le=1e9, doc="READ to first data")
    tRAS_ns: float = _float(gt=0.0, le=1e9, doc="ACT to PRE")
    tRRD_S_ns: float = _float(ge=0.0, le=1e9, doc="ACT to ACT, different bank group")
    tRRD_L_ns: float = _float(ge=0.0, le=1e9, doc="ACT to ACT, same bank group")
    tFAW_ns: float = _float(ge=0.0, le=1e9, doc="four-activate window")
    tCCD_S_ns: float = _float(gt=0.0, le=1e9, doc="column to column, different bank group")
    tCCD_L_ns: float = _float(gt=0.0, le=1e9, doc="column to column, same bank group")
    tWTR_ns: float = _float(ge=0.0, le=1e9, doc="write to read turnaround")
    tRTW_ns: float = _float(ge=0.0, le=1e9, doc="read to write turnaround")
    tRFC_ns: float = _float(ge=0.0, le=1e9, doc="all-bank refresh duration (0 = no refresh)")
    tREFI_ns: float = _float(gt=0.0, le=1e12, doc="refresh interval")
    tRFCpb_ns: float = _float(ge=0.0, le=1e9, doc="per-bank refresh duration; > 0 selects per-bank refresh")
    interleave_bytes: int = _int(ge=1, doc="address-interleaving granule across pseudo-channels")
    access_latency_ns: float = _float(ge=0.0, le=1e9, doc="unit <-> controller round trip, excl. device")

    def _check(self) -> None:
        if (self.pc_bus_width_bits * self.burst_length) % 8:
            raise ConfigError(
                "burst_length",
                f"pc_bus_width_bits * burst_length must be a whole number of bytes "
                f"(pc_bus_width_bits={self.pc_bus_width_bits})",
                self.burst_length,
            )
        bb = self.burst_bytes
        if self.row_bytes % bb:
            raise ConfigError("row_bytes", f"must be a multiple of burst_bytes ({bb})", self.row_bytes)
        if self.interleave_bytes % bb:
            raise ConfigError("interleave_bytes", f"must be a multiple of burst_bytes ({bb})", self.interleave_bytes)
        if not _is_power_of_two(self.interleave_bytes):
            raise ConfigError("interleave_bytes", "must be a power of two", self.interleave_bytes)
        if self.interleave_bytes > self.row_bytes:
            raise ConfigError("interleave_bytes", f"must not exceed row_bytes ({self.row_bytes})", self.interleave_bytes)
        if self.tRAS_ns < self.tRCD_ns:
            raise ConfigError("tRAS_ns", f"must be >= tRCD_ns ({self.tRCD_ns!r})", self.tRAS_ns)
        if self.tRRD_L_ns < self.tRRD_S_ns:
            raise ConfigError("tRRD_L_ns", f"must be >= tRRD_S_ns ({self.tRRD_S_ns!r})", self.tRRD_L_ns)
        if self.tCCD_L_ns < self.tCCD_S_ns:
            raise ConfigError("tCCD_L_ns", f"must be >= tCCD_S_ns ({self.tCCD_S_ns!r})", self.tCCD_L_ns)
        if self.tFAW_ns < self.tRRD_S_ns:
            raise ConfigError("tFAW_ns", f"must be >= tRRD_S_ns ({self.tRRD_S_ns!r})", self.tFAW_ns)
        if self.tRFCpb_ns > 0:
            if not self.tREFI_ns > self.tRFCpb_ns:
                raise ConfigError("tRFCpb_ns", f"must be < tREFI_ns ({self.tREFI_ns!r})", self.tRFCpb_ns)
            banks = self.bank_groups * self.banks_per_group
            if self.tREFI_ns / banks < 1.0:
                raise ConfigError("tREFI_ns", f"per-bank refresh needs tREFI_ns / banks ({banks}) >= 1 ns",
                                  self.tREFI_ns)
        if not self.tREFI_ns > self.tRFC_ns:
            raise ConfigError("tREFI_ns", f"must be > tRFC_ns ({self.tRFC_ns!r})", self.tREFI_ns)
        if self.stacks * self.capacity_bytes_per_stack > _MAX_SIZE:
            raise ConfigError(
                "capacity_bytes_per_stack",
                f"stacks * capacity_bytes_per_stack must be <= 2**62 (stacks={self.stacks})",
                self.capacity_bytes_per_stack,
            )
        if self.pseudo_channels * self.banks_per_pseudo_channel > 2**31 - 1:
            raise ConfigError("stacks", "too many banks in total (> 2**31 - 1)", self.stacks)
        min_capacity = (
            self.channels_per_stack * self.pseudo_channels_per_channel * self.banks_per_pseudo_channel * self.row_bytes
        )
        if self.capacity_bytes_per_stack < min_capacity:
            raise ConfigError(
                "capacity_bytes_per_stack",
                f"must hold at least one row in every bank ({min_capacity} bytes)",
                self.capacity_bytes_per_stack,
            )

    @property
    def burst_bytes(self) -> int:
        """Bytes one burst moves on one pseudo-channel."""
        return self.pc_bus_width_bits * self.burst_length // 8

    @property
    def pseudo_channels(self) -> int:
        """Pseudo-channels over all stacks."""
        return self.stacks * self.channels_per_stack * self.pseudo_channels_per_channel

    @property
    def banks_per_pseudo_channel(self) -> int:
        return self.bank_groups * self.banks_per_group

    @property
    def bus_width_bits(self) -> int:
        """Total data-bus width over all stacks, bits."""
        return self.pseudo_channels * self.pc_bus_width_bits

    @property
    def peak_bandwidth_bytes_per_s(self) -> float:
        """Pin bandwidth: bus width x data rate."""
        return self.bus_width_bits * self.data_rate_gbps * 1e9 / 8

    @property
    def capacity_bytes(self) -> int:
        return self.stacks * self.capacity_bytes_per_stack


@dataclass(**_DATACLASS_KW)
class Architecture(_Spec):
    """A whole machine: compute, an optional L2 / global-buffer SRAM, DRAM, launch overhead."""

    name: str = _str()
    description: str = _str(allow_empty=True)
    compute: ComputeSpec = _spec("ComputeSpec")
    l2: Optional[SramSpec] = _spec("SramSpec", optional=True)
    dram: DramSpec = _spec("DramSpec")
    kernel_launch_overhead_ns: float = _float(ge=0.0, le=1e12, doc="fixed cost per kernel")
    citations: Tuple[str, ...] = field(default=(), metadata={"kind": "strtuple", "doc": "sources"})
    #: Optional energy model (see :class:`EnergySpec`); None: results report energy as NaN.
    energy: Optional["EnergySpec"] = field(
        default=None, metadata={"kind": "spec", "cls": "EnergySpec", "optional": True, "doc": "energy model"})
    # Beyond-HBM directions (issue 4; see nearmem.py). None = a plain machine, simulated as before.
    near_memory: Optional["NearMemorySpec"] = field(default=None, metadata={
        "kind": "spec", "cls": "NearMemorySpec", "optional": True, "doc": "PNM / PIM compute in the DRAM stacks"})
    hbf: Optional["HbfSpec"] = field(default=None, metadata={
        "kind": "spec", "cls": "HbfSpec", "optional": True, "doc": "High Bandwidth Flash tier (read-only)"})
    placement: Optional["PlacementSpec"] = field(default=None, metadata={
        "kind": "spec", "cls": "PlacementSpec", "optional": True, "doc": "what lives where, what is offloaded"})

    @property
    def peak_dram_bandwidth_bytes_per_s(self) -> float:
        return self.dram.peak_bandwidth_bytes_per_s

    @property
    def memory_capacity_bytes(self) -> int:
        """DRAM capacity, bytes."""
        return self.dram.capacity_bytes

    def peak_flops_per_s(self, dtype: str) -> float:
        """Dense matrix peak for ``dtype`` over all units, FLOP/s."""
        return self.compute.peak_flops_per_s(dtype)

    def _check(self) -> None:
        if self.placement is not None and self.placement.weights_tier == "flash" and self.hbf is None:
            raise ConfigError("placement.weights_tier", "is 'flash' but the machine has no hbf tier", "flash")


# --------------------------------------------------------------------------------------------------
# Beyond HBM (issue 4): near-memory compute, High Bandwidth Flash, placement. Simulated in nearmem.py.

#: Where near-memory compute sits: the base (logic) die of each stack, one unit per bank group, or one
#: unit per ``banks_per_unit`` banks.
NEARMEM_LEVELS: tuple[str, ...] = ("pnm", "pim_bankgroup", "pim_bank")
#: Kernel kinds near-memory units may run. "attention" needs softmax (exp, max, divide) near memory.
NEARMEM_OPS: tuple[str, ...] = ("gemv", "moe", "attention")
#: Memory tiers a tensor class can be placed in.
TIERS: tuple[str, ...] = ("dram", "flash")


@dataclass(**_DATACLASS_KW)
class NearMemorySpec(_Spec):
    """Compute inside the DRAM stacks: processing-near-memory (PNM) on each stack's base die, or
    processing-in-memory (PIM) beside the banks / bank groups.

    The memory side is simulated by the DES engine on the machine these units see (nearmem.py):

    - ``pnm``: ``units_per_stack`` engines per stack read the stack's pseudo-channels through the TSVs
      at ``internal_pc_bus_width_bits`` per pseudo-channel (0 = the host interface's width), with the
      DRAM's own timings, ``access_latency_ns`` instead of the host's round trip.
    - ``pim_bankgroup`` / ``pim_bank``: one unit per bank group, or per ``banks_per_unit`` banks. Every
      unit has a private path of ``column_bytes`` per column access from its banks' row buffers; a
      column access takes max(tCCD_L, the command-bus share) where one command drives
      ``units_per_command`` units (all-bank mode = every unit of a pseudo-channel).

    The host broadcasts each offloaded kernel's input vector(s) to the units and reads their results
    back over the host interface (simulated on the host machine).
    """

    level: str = _str(choices=NEARMEM_LEVELS)
    units_per_stack: int = _int(ge=0, le=_MAX_COUNT, doc="pnm: engines per stack's base die (PIM: ignored, 0)")
    banks_per_unit: int = _int(ge=1, le=_MAX_COUNT, doc="pim_bank: banks sharing one unit")
    clock_ghz: float = _float(gt=0.0, le=1000.0, doc="near-memory unit clock, GHz")
    matrix_flops_per_cycle_per_unit: DtypeRates = _spec("DtypeRates", doc="MAC FLOP/cycle/unit by dtype (0 = none)")
    vector_flops_per_cycle_per_unit: float = _float(gt=0.0, le=1e15, doc="scalar/vector FLOP/cycle/unit")
    buffer_bytes_per_unit: int = _int(ge=1, doc="operand buffer / register file per unit = bytes in flight")
    internal_pc_bus_width_bits: int = _int(ge=0, le=1 << 16, doc="pnm: TSV data width per pseudo-channel")
    column_bytes: int = _int(ge=1, le=1 << 16, doc="pim: bytes one column access gives a unit")
    command_period_ns: float = _float(ge=0.0, le=1e6, doc="pim: min spacing of column commands per pseudo-channel")
    units_per_command: int = _int(ge=1, le=_MAX_COUNT, doc="pim: units one column command drives (all-bank mode)")
    access_latency_ns: float = _float(ge=0.0, le=1e9, doc="unit <-> its controller round trip, excl. device")
    max_gemv_m: int = _int(ge=1, le=1 << 20, doc="largest m (tokens) a GEMV offload supports")
    supported_ops: Tuple[str, ...] = field(default=("gemv",), metadata={"kind": "strtuple", "doc": "NEARMEM_OPS"})
    offload_overhead_ns: float = _float(ge=0.0, le=1e12, doc="fixed cost per offloaded kernel (replaces launch)")
    internal_pj_per_bit: float = _float(ge=0.0, le=1e6, doc="energy per bit read by a unit (for the energy model)")
    compute_pj_per_flop: float = _float(ge=0.0, le=1e6, doc="energy per FLOP of a unit (for the energy model)")

    def _check(self) -> None:
        for i, op in enumerate(self.supported_ops):
            if op not in NEARMEM_OPS:
                raise ConfigError(f"supported_ops[{i}]", f"must be one of {list(NEARMEM_OPS)}{_suggest(op, NEARMEM_OPS)}", op)
        if self.level == "pnm":
            if self.units_per_stack < 1:
                raise ConfigError("units_per_stack", "pnm needs at least one engine per stack", self.units_per_stack)
        if self.column_bytes & (self.column_bytes - 1):
            raise ConfigError("column_bytes", "must be a power of two", self.column_bytes)
        if self.internal_pc_bus_width_bits & (self.internal_pc_bus_width_bits - 1):
            raise ConfigError("internal_pc_bus_width_bits", "must be 0 or a power of two", self.internal_pc_bus_width_bits)

    def supports(self, op: str) -> bool:
        return op in self.supported_ops


@dataclass(**_DATACLASS_KW)
class HbfSpec(_Spec):
    """High Bandwidth Flash: stacked NAND beside the compute die, read by pages.

    Read-only in service (weights may live here, KV may not: ``endurance_pe_cycles`` program/erase
    cycles would be spent in hours by a cache written every step). A page read occupies one plane for
    ``read_latency_us`` and then the plane's channel for ``page_bytes / channel_bandwidth_gb_per_s``;
    the stack's interface caps the sum at ``stack_bandwidth_gb_per_s``. At most
    ``pages_in_flight_per_stack`` page reads are outstanding per stack (the prefetch depth): whether the
    latency hides is decided by that (simulated in C++, csrc/src/flash.cpp). In-flight pages wait in
    the planes' page registers, so the depth costs no host buffer. With ``prefetch="continuous"`` the
    controller keeps reading the next kernel's weights (decode reads them in a fixed order): only the
    stream's steady rate shows in a kernel, not its fill (one tR per step, not per kernel; neglected).
    """

    stacks: int = _int(ge=1, le=_MAX_COUNT)
    capacity_bytes_per_stack: int = _int(ge=1)
    channels_per_stack: int = _int(ge=1, le=_MAX_COUNT)
    planes_per_channel: int = _int(ge=1, le=_MAX_COUNT, doc="independently reading arrays per channel")
    page_bytes: int = _int(ge=512, le=1 << 24)
    read_latency_us: float = _float(gt=0.0, le=1e6, doc="array read time tR, microseconds")
    channel_bandwidth_gb_per_s: float = _float(gt=0.0, le=1e6, doc="page transfer rate per channel, 1e9 B/s")
    stack_bandwidth_gb_per_s: float = _float(gt=0.0, le=1e7, doc="interface limit per stack, 1e9 B/s")
    pages_in_flight_per_stack: int = _int(ge=1, le=1 << 24, doc="outstanding page reads per stack (prefetch depth)")
    prefetch: str = _str(choices=("continuous", "per_kernel"),
                         doc="continuous: reads run ahead across kernels (weights are read in a fixed order), "
                             "so a kernel sees the stream's steady rate; per_kernel: each kernel starts cold")
    access_latency_ns: float = _float(ge=0.0, le=1e9, doc="host <-> flash controller round trip")
    endurance_pe_cycles: int = _int(ge=1, le=10**9, doc="program/erase cycles (noted; writes are rejected)")
    read_pj_per_bit: float = _float(ge=0.0, le=1e6, doc="energy per bit read (for the energy model)")

    @property
    def capacity_bytes(self) -> int:
        return self.stacks * self.capacity_bytes_per_stack

    @property
    def peak_read_bandwidth_bytes_per_s(self) -> float:
        """min(interface, channels, planes' read rate) over all stacks, bytes/s."""
        per_stack = min(self.stack_bandwidth_gb_per_s * 1e9,
                        self.channels_per_stack * self.channel_bandwidth_gb_per_s * 1e9,
                        self.channels_per_stack * self.planes_per_channel * self.page_bytes
                        / (self.read_latency_us * 1e-6))
        return self.stacks * per_stack


@dataclass(**_DATACLASS_KW)
class PlacementSpec(_Spec):
    """Placement policy: which tier holds the weights and the KV cache, which kernels are offloaded to
    near-memory units, and when ("always" when supported, or "faster": whichever simulates faster)."""

    weights_tier: str = _str(choices=TIERS)
    kv_cache_tier: str = _str(choices=TIERS)
    offload: Tuple[str, ...] = field(default=("gemv", "moe", "attention"), metadata={"kind": "strtuple", "doc": "NEARMEM_OPS"})
    offload_when: str = _str(choices=("always", "faster"))

    def _check(self) -> None:
        if self.kv_cache_tier == "flash":
            raise ConfigError("kv_cache_tier", "the KV cache is written every decode step; High Bandwidth Flash is "
                              "read-only (page programs, limited endurance): keep it in 'dram'", self.kv_cache_tier)
        for i, op in enumerate(self.offload):
            if op not in NEARMEM_OPS:
                raise ConfigError(f"offload[{i}]", f"must be one of {list(NEARMEM_OPS)}{_suggest(op, NEARMEM_OPS)}", op)


@dataclass(**_DATACLASS_KW)
class DtypeEnergies(_Spec):
    """Energy per matrix FLOP for each dtype, picojoules (a multiply-accumulate is 2 FLOP)."""

    fp32: float = _float(ge=0.0, le=1e6)
    bf16: float = _float(ge=0.0, le=1e6)
    fp16: float = _float(ge=0.0, le=1e6)
    fp8: float = _float(ge=0.0, le=1e6)
    int8: float = _float(ge=0.0, le=1e6)
    int4: float = _float(ge=0.0, le=1e6)
    fp4: float = _float(ge=0.0, le=1e6)

    def get(self, dtype: str) -> float:
        """pJ/FLOP for ``dtype``; ConfigError for a name that is not a dtype."""
        return _per_dtype(self, dtype)


@dataclass(**_DATACLASS_KW)
class EnergySpec(_Spec):
    """Energy per bit moved on each level and path, per row activation, per FLOP, and static power.

    A DRAM bit read by (or written from) the compute units pays three path segments, so that
    near-memory designs can charge only the segments their data actually crosses:

    - ``dram_array_pj_per_bit``: the bank itself (column access, sense amplifiers, bank I/O);
    - ``dram_internal_pj_per_bit``: on-die global data lines and TSVs from the bank to the base
      die / device I/O;
    - ``dram_interface_pj_per_bit``: device PHY, package / interposer wires and the processor's PHY.

    Row activations cost ``dram_activate_pj`` each (ACT + its precharge), counted by the DRAM model.
    ``l2_pj_per_bit`` is charged for every byte crossing the on-chip SRAM level (L2 hits, and the
    DRAM traffic filled into / drained from it when an L2 exists); ``local_sram_pj_per_bit`` for
    every byte the units take in or write out (staged through shared memory / registers).  Matrix
    kernels pay ``compute_pj_per_flop`` of their math dtype, elementwise kernels
    ``vector_pj_per_flop``.  Static energy is ``static_power_w`` x simulated time (launch gaps
    included).  Reads and writes are charged alike.
    """

    dram_array_pj_per_bit: float = _float(ge=0.0, le=1e6, doc="bank-local access, pJ/bit")
    dram_internal_pj_per_bit: float = _float(ge=0.0, le=1e6, doc="bank -> device I/O (TSV/base die), pJ/bit")
    dram_interface_pj_per_bit: float = _float(ge=0.0, le=1e6, doc="device -> processor PHY + wires, pJ/bit")
    dram_activate_pj: float = _float(ge=0.0, le=1e9, doc="energy per row activation (ACT + PRE), pJ")
    l2_pj_per_bit: float = _float(ge=0.0, le=1e6, doc="on-chip SRAM level (L2), pJ/bit")
    local_sram_pj_per_bit: float = _float(ge=0.0, le=1e6, doc="unit-local SRAM (shared memory / L1), pJ/bit")
    compute_pj_per_flop: DtypeEnergies = _spec("DtypeEnergies", doc="matrix math energy by dtype")
    vector_pj_per_flop: float = _float(ge=0.0, le=1e6, doc="vector (SIMT) FLOP energy, pJ")
    static_power_w: float = _float(ge=0.0, le=1e9, doc="leakage + always-on power, W")

    @property
    def dram_host_pj_per_bit(self) -> float:
        """Per-bit energy of a DRAM access by the compute units: array + internal + interface."""
        return self.dram_array_pj_per_bit + self.dram_internal_pj_per_bit + self.dram_interface_pj_per_bit


_SPEC_CLASSES: dict[str, type[_Spec]] = {
    "DtypeRates": DtypeRates,
    "ComputeSpec": ComputeSpec,
    "SramSpec": SramSpec,
    "DramSpec": DramSpec,
    "DtypeEnergies": DtypeEnergies,
    "EnergySpec": EnergySpec,
}
_SPEC_CLASSES.update({
    "NearMemorySpec": NearMemorySpec,
    "HbfSpec": HbfSpec,
    "PlacementSpec": PlacementSpec,
})

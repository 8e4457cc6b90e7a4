"""Sweep specs in YAML or JSON, for ``accelsim sweep spec.yaml -o results.parquet``.

::

    base: h100-sxm                 # a preset, an architecture file, or a list of them
    fidelity: roofline             # roofline | fast | detailed (default fast)
    axes:                          # dotted field paths -> value list (grid) or distribution
      dram.stacks: [4, 5, 6]
      dram.data_rate_gbps: {uniform: [5.2, 9.6]}
      cost.electricity_usd_per_kwh: [0.05, 0.10]
    sampling: {samples: 16, method: lhs, seed: 0}   # needed with distribution axes
    workloads:
      - decode: {model: llama-3-8b, batch: [1, 16], context: 4096}   # lists expand
      - decode: {model: mixtral-8x7b, batch: 16, routing_zipf_s: [0, 1.2]}  # also weight_dtype, kv_dtype
      - gemv: {m: 1, n: 8192, k: 8192, dtype: bf16}
        name: big-gemv
      - attention: {batch: 8, q_heads: 32, kv_heads: 8, head_dim: 128, context: 8192}
      - elementwise: {n_elements: 1048576, dtype: bf16}
    cost: {pue: 1.2}               # CostSpec fields replacing the preset's
    checkpoint: run.csv            # inside the working directory (elsewhere: --checkpoint on the command line)
    executor: local                # local | serial | dask; or {kind: dask, address: tcp://host:8786}
    workers: 2

Every error is a ConfigError naming the field (``workloads[1].gemv.kk: unknown field (did you mean
'k'?)``); unknown keys are rejected with a suggestion.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional


from ..spec.base import suggest
from .cost import COST_FIELDS, CostSpec, for_arch
from ..errors import ConfigError
from ..workload.kernels import DecodeAttention, Elementwise, Gemv
from .sweep import DecodeWorkload

__all__ = ["SweepSpec", "load_spec", "parse_spec", "parse_spec_text"]

_TOP = ("base", "fidelity", "axes", "sampling", "workloads", "cost", "executor", "workers", "checkpoint")
_SAMPLING = ("samples", "method", "seed")
_KERNEL_KINDS: dict[str, Any] = {"gemv": Gemv, "attention": DecodeAttention, "elementwise": Elementwise}
_WORKLOAD_KINDS = ("decode",) + tuple(_KERNEL_KINDS)
_DECODE_FIELDS = ("model", "batch", "context", "weight_dtype", "kv_dtype", "routing_zipf_s")


@dataclass
class SweepSpec:
    """A parsed, validated sweep spec: the keyword arguments of :func:`accelsim.sweep`."""

    base: Any
    axes: dict[str, Any]
    workloads: dict[str, Any]
    fidelity: str = "fast"
    samples: Optional[int] = None
    method: str = "lhs"
    seed: int = 0
    cost: Optional[CostSpec] = None
    executor: Any = None
    workers: Optional[int] = None
    checkpoint: Optional[str] = None
    address: Optional[str] = None
    extra: dict[str, Any] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        return dict(base=self.base, axes=self.axes, workloads=self.workloads, fidelity=self.fidelity,
                    samples=self.samples, method=self.method, seed=self.seed, cost=self.cost,
                    workers=self.workers, checkpoint=self.checkpoint)


def _unknown(where: str, keys: Any, allowed: tuple[str, ...]) -> None:
    for k in keys:
        if k not in allowed:
            shown = k if isinstance(k, str) and k else repr(k)  # '' or a non-string key: quoted
            path = f"{where}.{shown}" if where else shown
            raise ConfigError(path, f"unknown field{suggest(k, allowed)}")


def _workloads(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError("workloads", "must be a non-empty list", raw)
    out: dict[str, Any] = {}
    for i, item in enumerate(raw):
        at = f"workloads[{i}]"
        if not isinstance(item, Mapping):
            raise ConfigError(at, f"must be a mapping with one of {list(_WORKLOAD_KINDS)}", item)
        kinds = [k for k in item if k in _WORKLOAD_KINDS]
        _unknown(at, [k for k in item if k not in kinds], _WORKLOAD_KINDS + ("name",))
        if len(kinds) != 1:
            raise ConfigError(at, f"needs exactly one of {list(_WORKLOAD_KINDS)}", dict(item))
        kind = kinds[0]
        args = item[kind]
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{at}.name", "must be a string", name)
        if not isinstance(args, Mapping):
            raise ConfigError(f"{at}.{kind}", "must be a mapping of arguments", args)
        if kind == "decode":
            _unknown(f"{at}.decode", args, _DECODE_FIELDS)
            if "model" not in args:
                raise ConfigError(f"{at}.decode.model", "missing required field")
            lists = {k: (v if isinstance(v, list) else [v]) for k, v in args.items()}
            for k, v in lists.items():
                if not v:
                    raise ConfigError(f"{at}.decode.{k}", "must not be an empty list")
            from ..engine import limits  # noqa: PLC0415

            limits.check_sweep_size(math.prod(len(v) for v in lists.values()), f"{at}.decode",
                                    "decode workloads")
            combos = [dict(zip(lists, c)) for c in itertools.product(*lists.values())]
            for c in combos:
                try:
                    from ..workload.decode import decode_kernels  # noqa: F401, PLC0415 - validation below
                    from ..models import load as load_model  # noqa: PLC0415

                    load_model(c["model"])
                    w = DecodeWorkload(**c)
                    _check_decode(w)
                except ConfigError as e:
                    raise e.with_prefix(f"{at}.decode") from None
                key = name if name and len(combos) == 1 else (f"{name} {w.name}" if name else w.name)
                out[_unique(out, key)] = w
        else:
            cls = _KERNEL_KINDS[kind]
            names = [f.name for f in dataclasses.fields(cls)]
            _unknown(f"{at}.{kind}", args, tuple(names))
            try:
                k = cls(**dict(args, name=name or args.get("name", kind)))
            except ConfigError as e:
                raise e.with_prefix(f"{at}.{kind}") from None
            except TypeError as e:  # a missing required argument
                raise ConfigError(f"{at}.{kind}", f"{e}".replace("__init__() ", "")) from None
            out[_unique(out, k.name)] = k
    return out


def _count_workloads(raw: Any) -> int:
    """How many workloads the list expands to (decode lists multiply), without building any."""
    if not isinstance(raw, list):
        return 1
    n = 0
    for item in raw:
        args = item.get("decode") if isinstance(item, Mapping) else None
        if isinstance(args, Mapping):
            n += math.prod(len(v) if isinstance(v, list) else 1 for v in args.values())
        else:
            n += 1
    return n


def _unique(existing: Mapping[str, Any], name: str) -> str:
    if name not in existing:
        return name
    i = 2
    while f"{name} #{i}" in existing:
        i += 1
    return f"{name} #{i}"


def _check_decode(w: DecodeWorkload) -> None:
    from ..dtypes import DTYPE_BYTES  # noqa: PLC0415

    for n in ("batch", "context"):
        v = getattr(w, n)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(n, "must be a positive integer", v)
    from ..dtypes import WEIGHT_FORMATS  # noqa: PLC0415

    for n, names in (("weight_dtype", sorted(WEIGHT_FORMATS)), ("kv_dtype", sorted(DTYPE_BYTES))):
        v = getattr(w, n)
        if not isinstance(v, str) or v not in names:
            raise ConfigError(n, f"unknown dtype; choose one of {names}{suggest(v, names)}", v)
    from ..workload.decode import check_routing  # noqa: PLC0415

    check_routing(w.routing_zipf_s)


def parse_spec(doc: Any, *, where: str = "") -> SweepSpec:
    """Validate a spec document (a mapping, as read from YAML/JSON)."""
    from ..engine.simulate import FIDELITIES  # noqa: PLC0415
    from .sweep import parse_axis, resolve_base  # noqa: PLC0415

    if not isinstance(doc, Mapping):
        from ..spec.io import kind_of  # noqa: PLC0415

        raise ConfigError("<file>", f"not a sweep spec: the document is {kind_of(doc)}, not a mapping of its fields")
    if doc and not any(k in _TOP for k in doc):  # none of its keys is ours: say so without echoing them
        raise ConfigError("<file>", f"not a sweep spec: none of the document's {len(doc)} top-level keys is a sweep "
                                    f"spec field ({', '.join(_TOP)})")
    _unknown("", doc, _TOP)
    for req in ("base", "workloads"):
        if req not in doc:
            raise ConfigError(req, "missing required field")
    base_raw = doc["base"]
    if isinstance(base_raw, list) and not base_raw:
        raise ConfigError("base", "must not be an empty list")
    # the size first: bases x workloads (every decode list combination) before anything is built
    from ..engine import limits  # noqa: PLC0415

    limits.check_sweep_size((len(base_raw) if isinstance(base_raw, list) else 1) * _count_workloads(doc["workloads"]),
                            "workloads", "bases x workloads")
    try:
        bases = [resolve_base(b) for b in base_raw] if isinstance(base_raw, list) else [resolve_base(base_raw)]
    except ConfigError as e:
        raise (e if e.field.startswith("base") else ConfigError("base", e.reason if e.field else str(e),
                                                               base_raw)) from None
    spec = SweepSpec(base=bases if isinstance(base_raw, list) else bases[0], axes={}, workloads=_workloads(doc["workloads"]))
    fid = doc.get("fidelity", "fast")
    if not isinstance(fid, str) or fid not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {list(FIDELITIES)}{suggest(fid, FIDELITIES)}", fid)
    spec.fidelity = fid
    axes = doc.get("axes")
    axes = {} if axes is None else axes
    if not isinstance(axes, Mapping):
        raise ConfigError("axes", "must be a mapping of field path -> values or distribution", axes)
    from .sweep import check_path  # noqa: PLC0415

    for p, v in axes.items():
        for b in bases:
            check_path(b, str(p))
        parse_axis(str(p), v)
    spec.axes = {str(k): v for k, v in axes.items()}
    sampling = doc.get("sampling")
    sampling = {} if sampling is None else sampling
    if not isinstance(sampling, Mapping):
        raise ConfigError("sampling", "must be a mapping (samples, method, seed)", sampling)
    _unknown("sampling", sampling, _SAMPLING)
    spec.samples = sampling.get("samples")
    spec.method = sampling.get("method", "lhs")
    spec.seed = sampling.get("seed", 0)
    from .sweep import design_points  # noqa: PLC0415

    try:
        design_points(spec.axes, samples=spec.samples, method=spec.method, seed=spec.seed,
                      rows_per_point=len(bases) * len(spec.workloads), validate_only=True)
    except ConfigError as e:
        raise (e.with_prefix("sampling") if e.field in _SAMPLING else e) from None
    cost = doc.get("cost")
    if cost is not None:
        if not isinstance(cost, Mapping):
            raise ConfigError("cost", "must be a mapping of CostSpec fields", cost)
        _unknown("cost", cost, COST_FIELDS)
        try:
            try:
                basec = for_arch(bases[0])
                spec.cost = basec.replace(**dict(cost))
            except ConfigError as e:
                if e.field != "cost":
                    raise
                spec.cost = CostSpec.from_dict(dict(cost))  # a custom machine: every field given
        except ConfigError as e:
            raise e.with_prefix("cost") if not e.field.startswith("cost") else e from None
    ex = doc.get("executor")
    if isinstance(ex, Mapping):
        _unknown("executor", ex, ("kind", "address", "workers"))
        spec.address = ex.get("address")
        spec.workers = ex.get("workers")
        ex = ex.get("kind", "local")
    if ex is not None and (not isinstance(ex, str) or ex not in ("local", "serial", "threads", "dask")):
        raise ConfigError("executor", f"must be 'local', 'serial', 'threads' or 'dask'"
                                      f"{suggest(ex, ['local', 'serial', 'threads', 'dask'])}", ex)
    spec.executor = ex
    if "workers" in doc:
        spec.workers = doc["workers"]
    if spec.workers is not None and (isinstance(spec.workers, bool) or not isinstance(spec.workers, int)
                                     or spec.workers < 1):
        raise ConfigError("workers", "must be a positive integer", spec.workers)
    ck = doc.get("checkpoint")
    if ck is not None:
        if not isinstance(ck, str) or not ck.lower().endswith((".csv", ".parquet", ".pq")):
            raise ConfigError("checkpoint", "must be a path ending in .csv or .parquet", ck)
        if not inside_working_directory(ck):
            raise ConfigError("checkpoint", "a spec's checkpoint must stay inside the working directory (a spec "
                              "from elsewhere must not write anywhere); pass --checkpoint PATH on the command "
                              "line to put it elsewhere", ck)
        spec.checkpoint = ck
    return spec


def inside_working_directory(path: str) -> bool:
    """Whether ``path`` (relative to the working directory, symbolic links followed) stays inside it."""
    import os  # noqa: PLC0415

    try:
        here = os.path.realpath(os.getcwd())
        there = os.path.realpath(os.path.join(here, path))
        return os.path.commonpath([here, there]) == here
    except (OSError, ValueError):  # an embedded NUL, another drive
        return False


def load_spec(path: str) -> SweepSpec:
    """Read and validate a YAML (or ``.json``) sweep spec (at most accelsim.spec.io.MAX_DOCUMENT_BYTES)."""
    from ..spec.io import read_text  # noqa: PLC0415

    p = Path(path)
    try:
        text = read_text(p)
    except (OSError, ValueError) as e:
        if isinstance(e, ConfigError):
            raise
        raise ConfigError("<file>", f"cannot read sweep spec: {getattr(e, 'strerror', None) or e}", str(path)) from None
    return parse_spec_text(text, fmt="json" if p.suffix.lower() == ".json" else "yaml", where=str(path))


def parse_spec_text(text: "str | bytes", fmt: str = "yaml", *, where: str = "<string>") -> SweepSpec:
    """Parse and validate the text of a spec (``fmt`` "yaml" or "json"); bytes must be UTF-8. The document is
    bounded as a machine file is (accelsim.spec.io: size, YAML aliases, nesting)."""
    from ..spec.io import MAX_DOCUMENT_BYTES, parse_json, parse_yaml  # noqa: PLC0415 - duplicate keys, 1e9, bounds

    if isinstance(text, bytes):
        if len(text) > MAX_DOCUMENT_BYTES:
            raise ConfigError("<file>", f"{where} is larger than {MAX_DOCUMENT_BYTES >> 20} MiB; not a sweep spec")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ConfigError("<file>", f"{where} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        doc = parse_json(text) if fmt == "json" else parse_yaml(text)
    except ConfigError as e:
        raise ConfigError("<file>", f"{where}: {e.reason}") from None
    try:
        return parse_spec(doc, where=where)
    except RecursionError:  # a value nested just below the parser's limit
        raise ConfigError("<file>", f"{where} is nested too deeply") from None

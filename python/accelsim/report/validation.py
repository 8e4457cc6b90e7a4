"""Predicted vs measured: the H100 SXM ground truth shipped with the package.

The measurements (``accelsim/data/h100_sxm_decode_kernels.json``) are cuBLAS GEMVs, torch SDPA
decode attention and cold HBM copies timed on an H100 SXM5 with CUDA graphs (see the file's
``"method"`` field).  Each case is turned into the accelsim kernel that describes it:

- ``gemv`` rows -> ``Gemv(m=M, n=N, k=K, dtype="bf16" | "fp8")`` (families ``gemv_bf16``, ``gemv_fp8``)
- ``attention`` rows whose ``backend`` is ``"default"`` -> ``DecodeAttention(..., split_kv="flash-attention")``
  (family ``attention``: SDPA's flash kernel splits the context by flash-attention's heuristic)
- ``bandwidth`` rows with ``op == "copy"`` and ``cache == "cold"`` ->
  ``Elementwise(n_elements=bytes // 2, dtype="bf16", reads=1, writes=1, flops_per_element=0)``
  (family ``copy``)

>>> from accelsim import presets, validation
>>> rows = validation.evaluate(presets.load("h100-sxm"), "gemv_bf16", limit=2)
>>> len(rows), sorted(validation.summary(rows))
(2, ['max', 'median', 'n', 'p90'])
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from typing import Any, Callable, NamedTuple, Optional

from ..errors import ConfigError
from ..workload.kernels import DecodeAttention, Elementwise, Gemv

__all__ = ["FAMILIES", "DATA_FILE", "Case", "Row", "load_groundtruth", "cases", "evaluate", "summary",
           "percentile"]

DATA_FILE = "h100_sxm_decode_kernels.json"
#: family names accepted by :func:`cases` / :func:`evaluate` (plus ``"all"``)
FAMILIES: tuple[str, ...] = ("gemv_bf16", "gemv_fp8", "attention", "copy")
_GEMV_DTYPES = {"bf16": "bf16", "fp8e4m3": "fp8"}


@dataclasses.dataclass(frozen=True)
class Case:
    """One measured case: its family, a label, the measured time (us) and the kernel describing it."""

    family: str
    label: str
    measured_us: float
    kernel: Any


class Row(NamedTuple):
    """One evaluated case. ``error`` is signed and relative: (predicted - measured) / measured."""

    label: str
    measured_us: float
    predicted_us: float
    error: float


def _read_data(name: str) -> str:
    # The package's data folder beside this module (importlib.resources, 1-5 ms to import, only for a
    # package that is not plain files, e.g. in a zip)
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", name)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return f.read()
    from importlib.resources import files  # noqa: PLC0415

    return (files("accelsim") / "data" / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _load(name: str) -> str:
    return _read_data(name)


def load_groundtruth(name: str = DATA_FILE) -> dict[str, Any]:
    """The parsed ground-truth document (a fresh dict each call)."""
    return json.loads(_load(name))


def _family_list(family: str) -> tuple[str, ...]:
    if family == "all":
        return FAMILIES
    if family not in FAMILIES:
        raise ConfigError("family", f"unknown family; choose one of {list(FAMILIES) + ['all']}", family)
    return (family,)


def cases(family: str = "all", data: Optional[dict[str, Any]] = None) -> list[Case]:
    """The measured cases of ``family`` (``"gemv_bf16"``, ``"gemv_fp8"``, ``"attention"``, ``"copy"``
    or ``"all"``), in file order."""
    wanted = _family_list(family)
    d = load_groundtruth() if data is None else data
    out: list[Case] = []
    for g in d.get("gemv", []):
        dt = _GEMV_DTYPES.get(g["dtype"])
        if dt is None or f"gemv_{dt}" not in wanted:
            continue
        out.append(Case(f"gemv_{dt}", f"{g['shape']} M={g['M']} {dt}", float(g["us"]),
                        Gemv(m=g["M"], n=g["N"], k=g["K"], dtype=dt)))
    if "attention" in wanted:
        for a in d.get("attention", []):
            if a.get("backend") != "default":
                continue
            out.append(Case("attention", f"{a['cfg']} B={a['B']} S={a['S']}", float(a["us"]),
                            DecodeAttention(batch=a["B"], q_heads=a["Hq"], kv_heads=a["Hkv"],
                                            head_dim=a["D"], context=a["S"], dtype="bf16",
                                            split_kv="flash-attention")))  # torch SDPA's flash kernel
    if "copy" in wanted:
        for b in d.get("bandwidth", []):
            if b.get("op") == "copy" and b.get("cache") == "cold":
                out.append(Case("copy", f"copy {b['bytes']} B", float(b["us"]),
                                Elementwise(n_elements=b["bytes"] // 2, dtype="bf16", reads=1, writes=1,
                                            flops_per_element=0)))
    # keep the family order of FAMILIES when several are asked for
    order = {f: i for i, f in enumerate(wanted)}
    out.sort(key=lambda c: order[c.family])
    return out


def evaluate(arch: Any, family: str = "all", fidelity: str = "fast", *, limit: Optional[int] = None,
             progress: Optional[Callable[[Row], None]] = None) -> list[Row]:
    """Simulate every case of ``family`` on ``arch``; one :class:`Row` per case.

    ``limit`` keeps the first ``limit`` cases; ``progress`` is called with each row as it is made.
    """
    from ..engine.simulate import simulate

    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ConfigError("limit", "must be a non-negative integer", limit)
    cs = cases(family)
    if limit is not None:
        cs = cs[:limit]
    rows: list[Row] = []
    for c in cs:
        pred_us = simulate(arch, c.kernel, fidelity=fidelity).time_s * 1e6
        row = Row(c.label, c.measured_us, pred_us, (pred_us - c.measured_us) / c.measured_us)
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (the same rule as the ground-truth report tool)."""
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def summary(rows: list[Row]) -> dict[str, float]:
    """``{"n", "median", "p90", "max"}`` of ``|error|`` over ``rows`` (relative, 0.1 = 10%)."""
    errs = [abs(r.error) for r in rows]
    if not errs:
        return {"n": 0, "median": float("nan"), "p90": float("nan"), "max": float("nan")}
    import statistics  # noqa: PLC0415 - (2.5 ms to import: loading the cases does not need it)

    return {"n": len(errs), "median": statistics.median(errs), "p90": percentile(errs, 0.9), "max": max(errs)}

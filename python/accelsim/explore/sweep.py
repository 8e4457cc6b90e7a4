"""Design-space sweeps: many machines x many workloads -> one pandas DataFrame.

>>> import accelsim
>>> from accelsim import sweep, DecodeWorkload
>>> df = sweep("h100-sxm", {"dram.stacks": [4, 5, 6], "dram.data_rate_gbps": [5.2, 6.4]},
...            [DecodeWorkload("llama-3-8b", batch=16, context=4096)], fidelity="roofline", progress=False)
>>> len(df)
6

Axes map dotted field paths of :class:`~accelsim.spec.machine.Architecture` (``"dram.stacks"``,
``"compute.clock_ghz"``, ``"l2.capacity_bytes"``) or of the machine's :class:`~accelsim.explore.cost.CostSpec`
(``"cost.electricity_usd_per_kwh"``) to either

- a list of values: a grid axis (every combination of the grid axes, the last axis varying fastest), or
- a distribution: :class:`Uniform` (``log=True`` for log-uniform, ``integer=True`` for integers) or
  :class:`Choice`, or the same written as a mapping ``{"uniform": [lo, hi]}``, ``{"loguniform": [lo, hi]}``,
  ``{"int": [lo, hi]}``, ``{"choice": [a, b, c]}``.  ``samples`` points are drawn jointly over the
  distribution axes, by ``method="random"`` or ``method="lhs"`` (Latin hypercube: every axis's range cut
  into ``samples`` equal strata, one sample in each), from ``seed``; they are crossed with the grid.

Workloads are kernels (:class:`~accelsim.workload.kernels.Gemv`, ...), lists of kernels (run back to back) or
:class:`DecodeWorkload` (one decode step of a model); pass a list, or a mapping ``{name: workload}``.

The frame has one row per design point x workload, points in order and workloads in order within a
point, whatever order they finish in.  Columns: ``point``, one column per axis (named by its path),
``arch``, ``workload``, ``status`` (``ok``; ``infeasible``: the model does not fit; ``invalid``: the
axis values make an invalid machine, e.g. a row size that is not a multiple of the burst; ``failed``:
the point raised or crashed its worker twice), ``reason``, then the metrics in SI units with the unit in
the name (:data:`METRICS`) and the cost columns (:data:`COST_COLUMNS`, decode workloads only).  Identical
simulations (design points that differ only in cost axes, duplicates) are run once.

``checkpoint="run.csv"`` (or ``.parquet`` with pyarrow) records each finished simulation as it arrives; a
sweep given an existing checkpoint reuses what it holds and runs only the rest.  Results are keyed by the
content of the machine, the workload, the fidelity and the accelsim version, so a changed sweep reuses
exactly the simulations that did not change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from .. import presets
from ..spec.machine import Architecture
from ..spec.base import suggest
from .cost import COST_FIELDS, CostSpec, decode_cost, for_arch
from ..errors import ConfigError, SweepFailedError
from .executors import Executor, TaskFailed, make_executor
from ..workload.kernels import DecodeAttention, Elementwise, Gemv, Moe
from ..engine.simulate import FIDELITIES

__all__ = [
    "sweep", "DecodeWorkload", "Uniform", "Choice", "design_points", "pareto_front", "best_n",
    "METRICS", "COST_COLUMNS", "evaluate",
]

_KERNELS = (Gemv, Elementwise, DecodeAttention, Moe)

#: Simulation metrics, one column each (NaN where a metric does not apply or the point did not run).
METRICS: tuple[str, ...] = (
    "time_s", "tokens_per_s", "launch_s", "dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "flops",
    "achieved_bandwidth_bytes_per_s", "energy_j", "weight_bytes", "kv_cache_bytes", "n_kernels",
)
#: Columns derived from the machine (no simulation).
ARCH_COLUMNS: tuple[str, ...] = ("peak_dram_bandwidth_bytes_per_s", "memory_capacity_bytes", "peak_bf16_flops_per_s")
#: Cost and carbon (decode workloads with cost data; see accelsim.explore.cost).
COST_COLUMNS: tuple[str, ...] = ("capex_usd", "power_w", "usd_per_mtoken", "gco2e_per_mtoken",
                                 "tokens_per_s_per_w", "joules_per_token", "usd_per_hour")
STATUSES = ("ok", "infeasible", "invalid", "failed")


# ------------------------------------------------------------------------------------- workloads


@dataclass(frozen=True)
class DecodeWorkload:
    """One decode step of ``model`` (a zoo name or a ModelSpec) at ``batch`` sequences x ``context`` tokens."""

    model: Any
    batch: int = 1
    context: int = 4096
    weight_dtype: str = "bf16"
    kv_dtype: str = "bf16"
    routing_zipf_s: float = 0.0  # MoE routing skew (Zipf exponent; 0 = uniform), see decode_step

    @property
    def name(self) -> str:
        m = self.model if isinstance(self.model, str) else getattr(self.model, "name", "model")
        plain = all(isinstance(d, str) and d == "bf16" for d in (self.weight_dtype, self.kv_dtype))  # junk: no error here
        dt = "" if plain else f" w{self.weight_dtype} kv{self.kv_dtype}"
        z = self.routing_zipf_s
        skew = f" zipf{z:g}" if isinstance(z, (int, float)) and not isinstance(z, bool) and z else ""
        return f"{m} b{self.batch} s{self.context}{dt}{skew}"


Workload = Union[DecodeWorkload, Gemv, Elementwise, DecodeAttention, Moe, Sequence[Any]]


def _workload_name(w: Any) -> str:
    if isinstance(w, DecodeWorkload):
        return w.name
    if isinstance(w, _KERNELS):
        return getattr(w, "name", "") or type(w).__name__
    return "+".join(_workload_name(k) for k in w)


def _check_workload(w: Any, field: str) -> Any:
    if isinstance(w, (DecodeWorkload,) + _KERNELS):
        return w
    if isinstance(w, (list, tuple)) and w and all(isinstance(k, _KERNELS) for k in w):
        return tuple(w)
    raise ConfigError(field, "must be a kernel, a non-empty list of kernels or a DecodeWorkload", type(w).__name__)


def _normalize_workloads(workloads: Any) -> list[tuple[str, Any]]:
    if isinstance(workloads, Mapping):
        pairs = [(str(k), _check_workload(v, f"workloads.{k}")) for k, v in workloads.items()]
    else:
        if isinstance(workloads, (DecodeWorkload,) + _KERNELS):
            workloads = [workloads]
        if not isinstance(workloads, (list, tuple)):
            raise ConfigError("workloads", "must be a list or a mapping of workloads", type(workloads).__name__)
        checked = [_check_workload(w, f"workloads[{i}]") for i, w in enumerate(workloads)]
        pairs = [(_workload_name(w), w) for w in checked]
    if not pairs:
        raise ConfigError("workloads", "must not be empty")
    seen: dict[str, int] = {}
    out = []
    for name, w in pairs:  # unique names
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name} #{seen[name]}", w))
    return out


# -------------------------------------------------------------------------------------------- axes


def _finite(v: Any) -> bool:
    """A finite number that converts to a float (a 10**400 int does not)."""
    try:
        return math.isfinite(float(v))
    except (OverflowError, TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Uniform:
    """A continuous (or, with ``integer=True``, integer) uniform distribution over [low, high];
    ``log=True`` samples uniformly in log space."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __post_init__(self) -> None:
        for n in ("low", "high"):
            v = getattr(self, n)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not _finite(v):
                raise ConfigError(n, "must be a finite number", v)
        if not self.low <= self.high:
            raise ConfigError("high", f"must be >= low ({self.low!r})", self.high)
        if self.log and not self.low > 0:
            raise ConfigError("low", "must be > 0 for a log-uniform axis", self.low)
        if self.integer and math.ceil(self.low) > math.floor(self.high):
            raise ConfigError("high", f"no integer between low ({self.low!r}) and high", self.high)

    def at(self, u: float) -> Any:
        lo, hi = float(self.low), float(self.high)
        if self.integer:
            lo_i, hi_i = math.ceil(lo), math.floor(hi)
            if self.log:
                x = math.exp(math.log(lo_i - 0.5 if lo_i > 0.5 else lo_i) + u * (math.log(hi_i + 0.5) - math.log(lo_i - 0.5 if lo_i > 0.5 else lo_i)))
                return int(min(hi_i, max(lo_i, round(x))))
            return int(min(hi_i, lo_i + math.floor(u * (hi_i - lo_i + 1))))
        if self.log:
            return math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        return lo + u * (hi - lo)


@dataclass(frozen=True)
class Choice:
    """One of ``values``, equally likely."""

    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.values, (list, tuple)) or not self.values:
            raise ConfigError("values", "must be a non-empty list", self.values)
        object.__setattr__(self, "values", tuple(self.values))

    def at(self, u: float) -> Any:
        return self.values[min(int(u * len(self.values)), len(self.values) - 1)]


_DIST_KEYS = ("uniform", "loguniform", "int", "logint", "choice")


def parse_axis(path: str, spec: Any) -> Union[list[Any], Uniform, Choice]:
    if isinstance(spec, (Uniform, Choice)):
        return spec
    if isinstance(spec, Mapping):
        if len(spec) != 1:
            raise ConfigError(f"axes.{path}", f"a distribution is one of {list(_DIST_KEYS)} with its arguments",
                              dict(spec))
        (kind, args), = spec.items()
        if kind not in _DIST_KEYS:
            raise ConfigError(f"axes.{path}", f"unknown distribution {kind!r}; choose one of {list(_DIST_KEYS)}"
                                              f"{suggest(kind, _DIST_KEYS)}")
        if kind == "choice":
            try:
                return Choice(tuple(args) if isinstance(args, (list, tuple)) else args)
            except ConfigError as e:
                raise e.with_prefix(f"axes.{path}.choice") from None
        if not isinstance(args, (list, tuple)) or len(args) != 2:
            raise ConfigError(f"axes.{path}.{kind}", "expects [low, high]", args)
        try:
            return Uniform(args[0], args[1], log=kind in ("loguniform", "logint"), integer=kind in ("int", "logint"))
        except ConfigError as e:
            raise e.with_prefix(f"axes.{path}.{kind}") from None
    if isinstance(spec, (list, tuple)):
        if not spec:
            raise ConfigError(f"axes.{path}", "must not be an empty list")
        return list(spec)
    raise ConfigError(f"axes.{path}", "must be a list of values or a distribution", spec)


def check_path(base: Architecture, path: str) -> None:
    """ConfigError (naming the axis) for a path that is not a field of the machine or of its CostSpec."""
    if not isinstance(path, str) or not path:
        raise ConfigError("axes", "axis names must be dotted field paths", path)
    if path.startswith("cost."):
        name = path[5:]
        if name not in COST_FIELDS:
            raise ConfigError(f"axes.{path}", f"unknown CostSpec field{suggest(name, COST_FIELDS)}")
        return
    obj: Any = base
    parts = path.split(".")
    for j, part in enumerate(parts):
        names = [f.name for f in dataclasses.fields(obj)]
        if part not in names:
            prefix = ".".join(parts[:j])
            where = f" of {prefix}" if prefix else ""
            raise ConfigError(f"axes.{path}", f"unknown field {part!r}{where}{suggest(part, names + ['cost'])}")
        obj = getattr(obj, part)
        if j < len(parts) - 1 and not dataclasses.is_dataclass(obj):
            raise ConfigError(f"axes.{path}", f"{'.'.join(parts[:j + 1])} has no fields" +
                              (" (it is None in the base machine)" if obj is None else ""))


#: sampling methods: "random", "lhs" (Latin hypercube, hand-written: 3 lines, no dependency, the same points
#: in every release so checkpoints resume); "lhs-optimized" (a Latin hypercube improved for centred
#: discrepancy), "sobol" and "halton" (low-discrepancy sequences, scrambled) from scipy.stats.qmc
SAMPLING_METHODS = ("random", "lhs", "lhs-optimized", "sobol", "halton")


def _qmc_points(method: str, n: int, d: int, rng: Any) -> Any:
    try:
        from scipy.stats import qmc  # noqa: PLC0415
    except ImportError:
        raise ConfigError("method", f"{method!r} sampling needs scipy (pip install scipy); 'lhs' and 'random' do "
                                    "not", method) from None
    if method == "lhs-optimized":
        sampler = qmc.LatinHypercube(d=d, optimization="random-cd", rng=rng) if _qmc_takes_rng(qmc) else \
            qmc.LatinHypercube(d=d, optimization="random-cd", seed=rng)
    elif method == "sobol":
        sampler = qmc.Sobol(d=d, scramble=True, rng=rng) if _qmc_takes_rng(qmc) else qmc.Sobol(d=d, seed=rng)
    else:
        sampler = qmc.Halton(d=d, scramble=True, rng=rng) if _qmc_takes_rng(qmc) else qmc.Halton(d=d, seed=rng)
    import warnings  # noqa: PLC0415

    with warnings.catch_warnings():  # Sobol warns when n is not a power of 2: the balance is still good
        warnings.simplefilter("ignore", UserWarning)
        return sampler.random(n)


def _qmc_takes_rng(qmc: Any) -> bool:
    import inspect  # noqa: PLC0415

    return "rng" in inspect.signature(qmc.LatinHypercube).parameters


def design_points(axes: Mapping[str, Any], *, samples: Optional[int] = None, method: str = "lhs",
                  seed: int = 0, rows_per_point: int = 1, validate_only: bool = False) -> list[dict[str, Any]]:
    """The axis values of every design point, in sweep order (grid x samples).

    The number of points times ``rows_per_point`` (bases x workloads in a sweep) is checked against
    :data:`accelsim.engine.limits.MAX_SWEEP_POINTS` before any point is built. ``validate_only``: check
    everything (drawing a few samples) and return [] without building the points (a spec's validation)."""
    if not isinstance(axes, Mapping):
        raise ConfigError("axes", "must be a mapping of field path -> values or distribution", type(axes).__name__)
    parsed = {p: parse_axis(p, s) for p, s in axes.items()}
    grid = {p: v for p, v in parsed.items() if isinstance(v, list)}
    dists = {p: v for p, v in parsed.items() if not isinstance(v, list)}
    if not isinstance(method, str) or method not in SAMPLING_METHODS:
        raise ConfigError("method", f"must be one of {list(SAMPLING_METHODS)}", method)
    if dists and samples is None:
        raise ConfigError("samples", f"is needed for the distribution axes {list(dists)}")
    if samples is not None:
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise ConfigError("samples", "must be a positive integer", samples)
        if not dists:
            raise ConfigError("samples", "only applies to distribution axes (all axes are value lists)", samples)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError("seed", "must be an integer >= 0", seed)
    from ..engine import limits  # noqa: PLC0415 - read at call time: the limit is configurable

    n_points = math.prod(len(v) for v in grid.values()) * (samples if dists else 1)  # type: ignore[operator]
    limits.check_sweep_size(n_points * rows_per_point,
                            "samples" if dists and samples > limits.MAX_SWEEP_POINTS else "axes")  # type: ignore[operator]
    if validate_only:
        if dists:
            design_points({p: d for p, d in dists.items()}, samples=min(samples, 4), method=method,  # type: ignore[type-var]
                          seed=seed)
        return []
    grid_points = [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())] if grid else [{}]
    if not dists:
        return grid_points
    import numpy as np  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    n, d = int(samples), len(dists)  # type: ignore[arg-type]
    if method == "random":
        u = rng.random((n, d))
    elif method == "lhs":  # one sample per stratum of every axis, strata matched at random
        u = np.empty((n, d))
        for j in range(d):
            u[:, j] = (rng.permutation(n) + rng.random(n)) / n
    else:
        u = _qmc_points(method, n, d, rng)
    sampled = [{p: dist.at(float(u[i, j])) for j, (p, dist) in enumerate(dists.items())} for i in range(n)]
    # keep the user's axis order in every point
    return [{p: {**g, **s}[p] for p in parsed} for g in grid_points for s in sampled]


# ------------------------------------------------------------------------------------ evaluation


#: kernel simulations a sweep worker remembers (simulate()'s cache holds each point's machine; across the
#: points of a sweep nearly every machine is new, so past this the cache is cleared instead of growing to
#: its 65,536 entries, several hundred MB per worker)
WORKER_CACHE_ENTRIES = 4096


def evaluate(task: tuple[Architecture, Any, str]) -> dict[str, Any]:
    """Simulate one (machine, workload, fidelity); the worker function of every executor.

    Returns ``status``, ``reason`` and the :data:`METRICS` that apply.  An invalid workload for this machine
    (a ConfigError raised while lowering) is an ``invalid`` row, not an exception.
    """
    arch, workload, fidelity = task
    from ..engine.simulate import simulate_one  # noqa: PLC0415

    if simulate_one.cache_info().currsize > WORKER_CACHE_ENTRIES:
        simulate_one.cache_clear()
    try:
        if isinstance(workload, DecodeWorkload):
            from ..workload.decode import decode_step  # noqa: PLC0415

            s = decode_step(arch, workload.model, batch=workload.batch, context=workload.context,
                            weight_dtype=workload.weight_dtype, kv_dtype=workload.kv_dtype, fidelity=fidelity,
                            workers=1, routing_zipf_s=workload.routing_zipf_s)
            out: dict[str, Any] = dict(weight_bytes=s.weight_bytes, kv_cache_bytes=s.kv_cache_bytes)
            if not s.feasible:
                return dict(out, status="infeasible", reason=s.reason)
            nbytes = s.dram_read_bytes + s.dram_write_bytes
            out.update(time_s=s.time_s, tokens_per_s=s.tokens_per_s, launch_s=s.launch_s,
                       dram_read_bytes=s.dram_read_bytes, dram_write_bytes=s.dram_write_bytes,
                       l2_read_bytes=s.l2_read_bytes, flops=s.flops, n_kernels=s.n_kernels,
                       achieved_bandwidth_bytes_per_s=nbytes / s.time_s if s.time_s > 0 else 0.0)
            energy = getattr(s, "energy_j", None)  # the energy model, where it has landed
        else:
            from ..engine.simulate import simulate  # noqa: PLC0415

            r = simulate(arch, list(workload) if isinstance(workload, tuple) else workload, fidelity=fidelity)
            nbytes = r.dram_read_bytes + r.dram_write_bytes
            out = dict(time_s=r.time_s, launch_s=r.launch_s, dram_read_bytes=r.dram_read_bytes,
                       dram_write_bytes=r.dram_write_bytes, l2_read_bytes=sum(k.l2_read_bytes for k in r.kernels),
                       flops=r.flops, n_kernels=len(r.kernels),
                       achieved_bandwidth_bytes_per_s=nbytes / r.time_s if r.time_s > 0 else 0.0)
            energy = getattr(r, "energy_j", None)
        if isinstance(energy, (int, float)) and math.isfinite(energy):
            out["energy_j"] = float(energy)
        return dict(out, status="ok", reason="")
    except ConfigError as e:
        return dict(status="invalid", reason=str(e))


# ------------------------------------------------------------------------------------ checkpoint

# the checkpoint format (checksummed records, append-only, atomic rewrites) is accelsim.explore.checkpoint
from .checkpoint import CHECKPOINT_SCHEMA_VERSION, check_version, checkpoint_format, read_checkpoint  # noqa: E402

#: version of the results frame (``df.attrs["schema_version"]``; a ``schema_version`` column in files
#: written by ``accelsim sweep -o``; see accelsim.cli.sweep.read_frame)
RESULTS_SCHEMA_VERSION = 1


def _task_key(arch: Architecture, workload: Any, fidelity: str) -> str:
    from .. import __version__  # noqa: PLC0415

    wl = repr(workload)
    h = hashlib.sha1(json.dumps([arch.to_dict(), wl, fidelity, __version__], sort_keys=True,
                                default=repr).encode())
    return h.hexdigest()[:20]


# -------------------------------------------------------------------------------------- progress


class _Progress:
    """tqdm when installed, else a line on stderr every few seconds; nothing when disabled."""

    def __init__(self, total: int, initial: int, enabled: bool, desc: str) -> None:
        self.bar = None
        self.enabled = enabled and total > 0
        self.total, self.n, self.desc = total, initial, desc
        self.t0 = self.last = time.monotonic()
        if not self.enabled:
            return
        try:
            from tqdm.auto import tqdm  # noqa: PLC0415

            self.bar = tqdm(total=total, initial=initial, desc=desc, unit="sim", smoothing=0.1)
        except ImportError:
            self.bar = None

    def update(self) -> None:
        self.n += 1
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(1)
            return
        now = time.monotonic()
        if now - self.last >= 2.0 or self.n == self.total:
            self.last = now
            rate = self.n / max(now - self.t0, 1e-9)
            print(f"{self.desc}: {self.n}/{self.total} ({self.n / self.total:.0%}, {rate:.1f}/s)", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ------------------------------------------------------------------------------------------ sweep


def resolve_base(base: Any) -> Architecture:
    """A sweep's base machine: an Architecture, a preset name or a machine file (see accelsim.presets.resolve)."""
    return presets.resolve(base, "base")


def _replace_paths(obj: Any, changes: Mapping[str, Any]) -> Any:
    """``obj`` with every dotted path in ``changes`` set; each nested spec is rebuilt (and validated) once,
    with all its changes together, so only the final state has to be valid."""
    direct: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for path, v in changes.items():
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = v
        else:
            direct[head] = v
    for head, sub in nested.items():
        try:
            direct[head] = _replace_paths(getattr(obj, head), sub)
        except ConfigError as e:
            raise e.with_prefix(head) from None
    return obj.replace(**direct)


def _build(base: Architecture, values: Mapping[str, Any]) -> Architecture:
    """``base`` with every non-cost axis set (validated only in the final state)."""
    arch_axes = {p: v for p, v in values.items() if not p.startswith("cost.")}
    if not arch_axes:
        return base
    return _replace_paths(base, arch_axes)


def _to_native(v: Any) -> Any:
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return v.item()
        except (ValueError, AttributeError):  # pragma: no cover
            return v
    return v


def sweep(base: Any, axes: Mapping[str, Any], workloads: Any, *, executor: Any = None, progress: bool = True,
          fidelity: str = "fast", samples: Optional[int] = None, method: str = "lhs", seed: int = 0,
          cost: Optional[CostSpec] = None, checkpoint: Optional[str] = None, workers: Optional[int] = None) -> Any:
    """Run ``workloads`` on every design point of ``axes`` around ``base``; returns a pandas DataFrame.

    ``base``: an Architecture, a preset name, an architecture YAML/JSON file, or a list of them (then an
    ``arch`` axis over them comes first).  ``executor``: None or ``"local"`` (the crash-proof process pool,
    ``workers`` processes, default the cores), ``"serial"`` (in this process), ``"threads"`` (opt-in thread
    pool in this process: no pickling, but a crash in the core ends the caller), ``"dask"`` (see
    accelsim.explore.executors.DaskExecutor), a ``distributed.Client`` or an :class:`~accelsim.explore.executors.Executor`.
    ``cost``: the CostSpec for every point (default: :func:`~accelsim.explore.cost.for_arch`; every machine is
    priced from its parts).  See the module docstring for the rest.
    """
    try:
        import pandas as pd  # noqa: PLC0415
    except ImportError:
        raise ConfigError("sweep", "needs pandas: pip install 'accelsim[dataframe]'") from None
    if not isinstance(fidelity, str) or fidelity not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {FIDELITIES}", fidelity)
    if cost is not None and not isinstance(cost, CostSpec):
        raise ConfigError("cost", "must be an accelsim.explore.cost.CostSpec or None", type(cost).__name__)
    bases = [resolve_base(b) for b in base] if isinstance(base, (list, tuple)) else [resolve_base(base)]
    if not bases:
        raise ConfigError("base", "must not be an empty list")
    wls = _normalize_workloads(workloads)
    if not isinstance(axes, Mapping):
        raise ConfigError("axes", "must be a mapping of field path -> values or distribution", type(axes).__name__)
    for p in axes:
        for b in bases:
            check_path(b, p)
    points = design_points(axes, samples=samples, method=method, seed=seed, rows_per_point=len(bases) * len(wls))
    axis_names = list(axes)
    multi = len(bases) > 1

    # design points -> machines (invalid ones carry their reason) -> unique simulation tasks
    tasks: list[tuple[Architecture, Any, str]] = []
    task_of: dict[str, int] = {}
    keys: list[str] = []
    rows_meta: list[dict[str, Any]] = []
    for b_i, b in enumerate(bases):
        for p_i, values in enumerate(points):
            values = {k: _to_native(v) for k, v in values.items()}
            meta = {"point": b_i * len(points) + p_i}
            if multi:
                meta["base"] = b.name
            meta.update(values)
            arch: Optional[Architecture] = None
            reason = ""
            try:
                arch = _build(b, values)
            except ConfigError as e:
                reason = str(e)
            cspec: Optional[CostSpec] = None
            cost_reason = ""
            try:
                cspec = cost if cost is not None else for_arch(b)
                cost_values = {p[5:]: v for p, v in values.items() if p.startswith("cost.")}
                if cost_values:
                    cspec = cspec.replace(**cost_values)
            except ConfigError as e:
                if any(p.startswith("cost.") for p in values):
                    reason = reason or str(e.with_prefix("cost") if e.field in COST_FIELDS else e)
                cost_reason = str(e)
                cspec = None
            for w_name, w in wls:
                row = dict(meta, arch=(arch or b).name, workload=w_name, _arch=arch, _cost=cspec,
                           _decode=isinstance(w, DecodeWorkload), _cost_reason=cost_reason)
                if arch is None or reason:
                    row["_key"] = None
                    row["_invalid"] = reason
                else:
                    key = _task_key(arch, w, fidelity)
                    if key not in task_of:
                        task_of[key] = len(tasks)
                        tasks.append((arch, w, fidelity))
                        keys.append(key)
                    row["_key"] = key
                rows_meta.append(row)

    # results: from the checkpoint, then from the executor
    done: dict[str, dict[str, Any]] = {}
    previous: dict[str, dict[str, Any]] = {}
    if checkpoint is not None:
        if not isinstance(checkpoint, (str, os.PathLike)):
            raise ConfigError("checkpoint", "must be a path ending in .csv or .parquet", checkpoint)
        checkpoint = os.fspath(checkpoint)
        if not isinstance(checkpoint, str):
            raise ConfigError("checkpoint", "must be a path ending in .csv or .parquet", checkpoint)
        checkpoint_format(checkpoint)
        clean = False
        if os.path.exists(checkpoint):
            from .checkpoint import read_for_resume  # noqa: PLC0415

            previous, clean = read_for_resume(checkpoint)  # records of other sweeps in the same file are kept
            done = {k: v for k, v in previous.items() if k in task_of and v["status"] != "failed"
                    and (v["status"] != "ok" or "time_s" in v)}  # an ok record without metrics is run again
    todo = [i for i, k in enumerate(keys) if k not in done]
    writer = None
    if checkpoint is not None:
        from .checkpoint import CheckpointWriter  # noqa: PLC0415

        # appends to a clean file; anything else is rewritten to a new file renamed over it: never in place
        writer = CheckpointWriter(checkpoint, previous, clean)
    bar = _Progress(len(tasks), len(tasks) - len(todo), progress, "accelsim sweep")
    ex: Optional[Executor] = None
    owned = False
    try:
        if todo:
            ex, owned = make_executor(executor, workers=workers)
            for j, res in ex.imap_unordered(evaluate, [tasks[i] for i in todo]):
                key = keys[todo[j]]
                if isinstance(res, TaskFailed):
                    rec = {"key": key, "status": "failed", "reason": res.reason}
                else:
                    rec = dict(res, key=key)
                done[key] = rec
                if writer is not None:
                    writer.add(rec)
                bar.update()
    finally:
        bar.close()
        if writer is not None:
            writer.close()
        if owned and ex is not None:
            ex.close()

    # assemble in input order, column by column (a list per column, each row's bookkeeping dropped as it is
    # read: about 0.5 KB per row at the peak instead of a dict per row)
    cols = ["point"] + (["base"] if multi else []) + axis_names + ["arch", "workload", "status", "reason"] + \
        list(METRICS) + list(ARCH_COLUMNS) + list(COST_COLUMNS)
    data: dict[str, list[Any]] = {c: [] for c in cols}
    meta_cols = ["point"] + (["base"] if multi else []) + axis_names + ["arch", "workload"]
    nan_arch = (math.nan,) * len(ARCH_COLUMNS)
    for n in range(len(rows_meta)):
        row = rows_meta[n]
        rows_meta[n] = None  # type: ignore[call-overload]
        arch = row["_arch"]
        cspec = row["_cost"]
        key = row["_key"]
        rec: dict[str, Any] = {"status": "invalid", "reason": row.get("_invalid")} if key is None else done[key]
        for c in meta_cols:
            data[c].append(row[c])
        data["status"].append(rec["status"])
        data["reason"].append(rec.get("reason", ""))
        for m in METRICS:
            data[m].append(rec.get(m, math.nan))
        av = (arch.peak_dram_bandwidth_bytes_per_s, arch.memory_capacity_bytes, arch.peak_flops_per_s("bf16")) \
            if arch is not None else nan_arch
        for c, v in zip(ARCH_COLUMNS, av):
            data[c].append(v)
        tps = rec.get("tokens_per_s", math.nan)
        if row["_decode"] and cspec is not None and rec["status"] == "ok" and math.isfinite(tps) and tps > 0:
            dc = decode_cost(cspec, tps, arch=arch, energy_j=rec.get("energy_j"), time_s=rec.get("time_s"))
            for c in COST_COLUMNS:
                data[c].append(getattr(dc, c))
        else:
            for c in COST_COLUMNS:
                data[c].append(math.nan)
    del rows_meta
    df = pd.DataFrame(data, columns=cols)
    df.attrs["fidelity"] = fidelity
    df.attrs["simulations"] = len(tasks)
    df.attrs["resumed"] = len(tasks) - len(todo)  # simulations taken from the checkpoint
    df.attrs["schema_version"] = RESULTS_SCHEMA_VERSION
    failed = df["status"].eq("failed")
    if failed.any() and df["status"].isin(("ok", "infeasible")).sum() == 0:
        first = df.loc[failed, "reason"].iloc[0]
        raise SweepFailedError(f"sweep: all {int(failed.sum())} simulations failed (and none succeeded); the "
                               f"first: {first}", frame=df)
    return df


# ------------------------------------------------------------------------------------- analysis


def _objectives(df: Any, maximize: Sequence[str], minimize: Sequence[str]) -> tuple[Any, Any]:
    import numpy as np  # noqa: PLC0415

    cols = list(maximize) + list(minimize)
    if not cols:
        raise ConfigError("pareto_front", "give at least one metric to maximize or minimize")
    for c in cols:
        if c not in df.columns:
            raise ConfigError(c, f"is not a column of the frame{suggest(c, [str(x) for x in df.columns])}")
    ok = df["status"].eq("ok") if "status" in df.columns else np.ones(len(df), bool)
    vals = np.column_stack([-df[c].to_numpy(dtype=float) for c in maximize] +
                           [df[c].to_numpy(dtype=float) for c in minimize])  # all minimized
    ok = np.asarray(ok) & np.isfinite(vals).all(axis=1)
    return vals, ok


def pareto_front(df: Any, maximize: Sequence[str] = ("tokens_per_s",),
                 minimize: Sequence[str] = ("usd_per_mtoken",)) -> Any:
    """The rows of ``df`` (status ok, metrics finite) that no other such row dominates: at least as good in
    every objective and better in one.  Rows keep their order and index; equal rows are all kept."""
    import numpy as np  # noqa: PLC0415

    if isinstance(maximize, str):
        maximize = (maximize,)
    if isinstance(minimize, str):
        minimize = (minimize,)
    vals, ok = _objectives(df, maximize, minimize)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return df.iloc[[]]
    v = vals[idx]
    order = np.lexsort(v.T[::-1])  # lexicographic: a dominating row always comes before the rows it dominates
    front: list[int] = []
    fv = np.empty((0, v.shape[1]))
    for o in order:
        x = v[o]
        if fv.shape[0] and np.any(np.all(fv <= x, axis=1) & np.any(fv < x, axis=1)):
            continue
        front.append(o)
        fv = np.vstack([fv, x])
    keep = np.sort(idx[np.array(front, dtype=int)])
    return df.iloc[keep]


def best_n(df: Any, n: int, by: str = "tokens_per_s", *, ascending: Optional[bool] = None) -> Any:
    """The ``n`` best ok rows by ``by`` (largest first; smallest first for cost/time/energy columns unless
    ``ascending`` says otherwise).  Ties keep the frame's order."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ConfigError("n", "must be a non-negative integer", n)
    if by not in df.columns:
        raise ConfigError("by", f"is not a column of the frame{suggest(by, [str(c) for c in df.columns])}", by)
    if ascending is None:
        ascending = by in ("time_s", "launch_s") or by.endswith(("_usd", "per_mtoken", "_j", "per_token", "power_w"))
    ok = df[df["status"].eq("ok") & df[by].notna()] if "status" in df.columns else df[df[by].notna()]
    return ok.sort_values(by, ascending=ascending, kind="stable").head(n)

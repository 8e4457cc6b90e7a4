"""Collectives as kernels on an interconnect: all-reduce, all-gather, reduce-scatter, all-to-all.

Every algorithm is a sequence of synchronised *steps*; a step is a set of concurrent flows that the
flow-level network model (:mod:`accelsim.multichip.network`) runs with link contention (max-min fair sharing).
A step costs ``step latency + the time its slowest flow takes to be delivered`` (bytes over the
contended links plus path latency); a collective costs its ``base latency`` plus its steps.  So a
small message is latency-bound (steps x per-step latency) and a large one bandwidth-bound.

Message sizes follow nccl-tests: ``message_bytes`` is the per-rank buffer (all-reduce: in = out;
all-gather: the gathered output; reduce-scatter: the input; all-to-all: the send buffer).
``bus_bandwidth`` uses the nccl-tests factors (2(p-1)/p for all-reduce, (p-1)/p for the others).

Algorithms
    ``ring``       reduce-scatter + all-gather around a bidirectional ring (on a mesh/torus over all its
                   nodes: dimension by dimension, as TPUs do); 2(p-1) steps of N/p for all-reduce.
    ``tree``       binary tree, reduce up and broadcast down overlapped, pipelined in chunks
                   (the chunk count giving the least time is used); 2 log2(p) + chunks - 1 steps.
    ``direct``     every rank sends its shard to every other rank at once (one step; all-reduce =
                   reduce-scatter + all-gather, two steps: "two-shot").
    ``one_shot``   all-reduce where every rank reads every peer's whole buffer (one step).
    ``in_network`` switch reduction (NVLink SHARP-like): each rank's up-link carries N + N/p (its
                   buffer to the reducing switch, its reduced shard to multicast) and its down-link the
                   same; fixed ``in_network_latency_ns``.
    ``auto``       the fastest available (algorithm, protocol) pair, as a serving engine's collectives do
                   (TensorRT-LLM and vLLM run their own one-shot / two-shot all-reduce kernels for small
                   messages and NCCL for large ones).
    ``nccl``       the fastest of NCCL's own algorithms (ring, tree, NVLS = ``in_network``) and protocols,
                   as NCCL's tuner picks them: its cost model is each algorithm's base latency, per-step
                   latency and bandwidth (the interconnect's ``*_latency_ns`` are NCCL's [NCCL-TUNE]),
                   minimised per call; the chosen algorithm is reported.
Protocols: ``ll`` (low latency: ``base_latency_ns``/``step_latency_ns``, ``low_latency_bandwidth_fraction``
of the bandwidth) and ``simple`` (``simple_*`` latencies, full bandwidth).

>>> import accelsim
>>> from accelsim import collectives, systems
>>> r = collectives.collective(systems.load("dgx-h100-8"), "all_reduce", 1 << 30)
>>> r.bus_bandwidth_bytes_per_s > 1e11
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, ClassVar, Sequence

from ..errors import ConfigError
from .network import Flow, Network, simulate_flows
from ..spec.system import InterconnectSpec, Package, System

__all__ = ["KINDS", "ALGORITHMS", "Collective", "AllReduce", "AllGather", "ReduceScatter", "AllToAll",
           "CollectiveResult", "collective", "simulate_collective", "alpha_beta_ring_all_reduce_s"]

KINDS = ("all_reduce", "all_gather", "reduce_scatter", "all_to_all")
ALGORITHMS = ("auto", "nccl", "ring", "tree", "direct", "one_shot", "in_network")
#: the algorithms NCCL itself has (its tuner chooses among them; one-shot / direct are engines' custom kernels)
NCCL_ALGORITHMS = ("ring", "tree", "in_network")
_AVAILABLE = {
    "all_reduce": ("ring", "tree", "direct", "one_shot", "in_network"),
    "all_gather": ("ring", "direct"),
    "reduce_scatter": ("ring", "direct"),
    "all_to_all": ("direct",),
}
_MAX_BYTES = 1 << 50


@dataclasses.dataclass(frozen=True)
class Collective:
    """A collective kernel: ``message_bytes`` per rank (nccl-tests convention), an algorithm."""

    message_bytes: int
    algorithm: str = "auto"
    name: str = ""
    kind: ClassVar[str] = ""

    def __post_init__(self) -> None:
        v = self.message_bytes
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= _MAX_BYTES:
            raise ConfigError("message_bytes", f"must be an integer between 0 and 2**50", v)
        if self.algorithm not in ALGORITHMS:
            raise ConfigError("algorithm", f"must be one of {list(ALGORITHMS)}", self.algorithm)
        if self.algorithm not in ("auto", "nccl") and self.algorithm not in _AVAILABLE[self.kind]:
            raise ConfigError("algorithm", f"{self.kind} supports {list(_AVAILABLE[self.kind])}, 'auto' and 'nccl'",
                              self.algorithm)
        if not self.name:
            object.__setattr__(self, "name", self.kind)


@dataclasses.dataclass(frozen=True)
class AllReduce(Collective):
    kind: ClassVar[str] = "all_reduce"


@dataclasses.dataclass(frozen=True)
class AllGather(Collective):
    kind: ClassVar[str] = "all_gather"


@dataclasses.dataclass(frozen=True)
class ReduceScatter(Collective):
    kind: ClassVar[str] = "reduce_scatter"


@dataclasses.dataclass(frozen=True)
class AllToAll(Collective):
    kind: ClassVar[str] = "all_to_all"


_CLASSES = {c.kind: c for c in (AllReduce, AllGather, ReduceScatter, AllToAll)}


@dataclasses.dataclass(frozen=True)
class CollectiveResult:
    """One collective: ``time_s``; which algorithm/protocol; steps; bytes put on links (summed over
    links, i.e. x hops) and their energy."""

    name: str
    kind: str
    algorithm: str
    protocol: str
    ranks: int
    message_bytes: int
    time_s: float
    steps: int
    link_bytes: float
    energy_j: float

    @property
    def algorithm_bandwidth_bytes_per_s(self) -> float:
        return self.message_bytes / self.time_s if self.time_s > 0 else 0.0

    @property
    def bus_bandwidth_bytes_per_s(self) -> float:
        p = self.ranks
        if p <= 1:
            return 0.0
        factor = 2 * (p - 1) / p if self.kind == "all_reduce" else (p - 1) / p
        return self.algorithm_bandwidth_bytes_per_s * factor

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["algorithm_bandwidth_bytes_per_s"] = self.algorithm_bandwidth_bytes_per_s
        d["bus_bandwidth_bytes_per_s"] = self.bus_bandwidth_bytes_per_s
        return d


# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Proto:
    name: str
    base_s: float
    step_s: float
    fraction: float  # of link bandwidth carrying payload


def _protocols(ic: InterconnectSpec) -> list[_Proto]:
    return [
        _Proto("ll", ic.base_latency_ns * 1e-9, ic.step_latency_ns * 1e-9, ic.low_latency_bandwidth_fraction),
        _Proto("simple", ic.simple_base_latency_ns * 1e-9, ic.simple_step_latency_ns * 1e-9, 1.0),
    ]


class _Run:
    """Accumulates the steps of one algorithm run."""

    def __init__(self, net: Network, proto: _Proto) -> None:
        self.net, self.proto = net, proto
        self.time_s = proto.base_s
        self.steps = 0
        self.link_bytes = 0.0

    def step(self, flows: list[Flow], repeat: int = 1) -> float:
        """Run ``repeat`` identical synchronised steps of ``flows`` (payload bytes)."""
        if repeat <= 0:
            return 0.0
        wire = [Flow(f.src, f.dst, f.bytes / self.proto.fraction, 0.0) for f in flows if f.src != f.dst]
        t = max(simulate_flows(self.net, wire), default=0.0) if wire else 0.0
        dt = self.proto.step_s + t
        self.time_s += dt * repeat
        self.steps += repeat
        self.link_bytes += repeat * sum(f.bytes * self.net.hops(f.src, f.dst) for f in wire)
        return dt


def _ring_groups(net: Network, ranks: tuple[int, ...]) -> list[list[list[int]]]:
    """Rings to run, axis by axis: a list (per axis) of lists of rings (rank lists)."""
    if net.topology in ("mesh2d", "torus2d", "torus3d") and sorted(ranks) == list(range(net.nodes)) \
            and len(ranks) > 1:
        axes = []
        for axis, size in enumerate(net.dims):
            if size == 1:
                continue
            rings: dict[tuple, list[int]] = {}
            for node in range(net.nodes):
                c = net._coords(node)
                key = tuple(c[:axis] + c[axis + 1:])
                rings.setdefault(key, []).append(node)
            axes.append([sorted(r, key=lambda n: net._coords(n)[axis]) for r in rings.values()])
        return axes
    return [[list(ranks)]]


def _ring_step_flows(rings: list[list[int]], chunk: float) -> list[Flow]:
    """Every rank sends ``chunk`` split over both ring directions."""
    flows = []
    for ring in rings:
        k = len(ring)
        for i, r in enumerate(ring):
            flows.append(Flow(r, ring[(i + 1) % k], chunk / 2))
            flows.append(Flow(r, ring[(i - 1) % k], chunk / 2))
    return flows


def _ring(run: _Run, kind: str, ranks: tuple[int, ...], n: float) -> None:
    axes = _ring_groups(run.net, ranks)
    sizes = [len(rings[0]) for rings in axes]
    if kind in ("reduce_scatter", "all_reduce"):
        cur = n
        for rings, k in zip(axes, sizes):
            run.step(_ring_step_flows(rings, cur / k), repeat=k - 1)
            cur /= k
    if kind in ("all_gather", "all_reduce"):
        cur = n / math.prod(sizes)
        for rings, k in reversed(list(zip(axes, sizes))):
            run.step(_ring_step_flows(rings, cur), repeat=k - 1)
            cur *= k


def _direct(run: _Run, kind: str, ranks: tuple[int, ...], n: float) -> None:
    p = len(ranks)
    pair = [Flow(a, b, n / p) for a in ranks for b in ranks if a != b]
    run.step(pair, repeat=2 if kind == "all_reduce" else 1)


def _one_shot(run: _Run, ranks: tuple[int, ...], n: float) -> None:
    run.step([Flow(a, b, n) for a in ranks for b in ranks if a != b])


def _tree(net: Network, proto: _Proto, ranks: tuple[int, ...], n: float) -> _Run:
    p = len(ranks)
    depth = max(1, math.ceil(math.log2(p)))
    best: _Run | None = None
    c = 1
    while c <= 1024:
        run = _Run(net, proto)
        chunk = n / c
        flows = []
        for i in range(1, p):
            parent = (i - 1) // 2
            flows.append(Flow(ranks[i], ranks[parent], chunk))
            flows.append(Flow(ranks[parent], ranks[i], chunk))
        run.step(flows, repeat=2 * depth + c - 1)
        if best is None or run.time_s < best.time_s:
            best = run
        if chunk < 1024:  # finer chunks only add steps
            break
        c *= 2
    assert best is not None
    return best


def _in_network(net: Network, ic: InterconnectSpec, ranks: tuple[int, ...], n: float) -> _Run:
    p = len(ranks)
    run = _Run(net, _Proto("in_network", ic.in_network_latency_ns * 1e-9, 0.0, 1.0))
    # up-link of every rank and down-link of every rank each carry N (1 + 1/p)
    # the switch's multicast/reduction path sustains in_network_efficiency of the links' payload rate
    run.step([Flow(ranks[i], ranks[(i + 1) % p], n * (1 + 1 / p) / ic.in_network_efficiency) for i in range(p)])
    return run


@functools.lru_cache(maxsize=8192)
def _collective(ic: InterconnectSpec, nodes: int, kind: str, n: int, ranks: tuple[int, ...],
                algorithm: str) -> tuple[str, str, float, int, float]:
    net = ic.network(nodes)
    p = len(ranks)
    if p <= 1 or n == 0:
        return ("none", "none", 0.0, 0, 0.0)
    if algorithm == "auto":
        algos = _AVAILABLE[kind]
    elif algorithm == "nccl":  # NCCL's own algorithms; all-to-all is point-to-point sends in NCCL
        algos = tuple(a for a in _AVAILABLE[kind] if a in NCCL_ALGORITHMS) or _AVAILABLE[kind]
    else:
        algos = (algorithm,)
    best: tuple[str, str, float, int, float] | None = None
    for algo in algos:
        if algo == "in_network":
            if ic.in_network_latency_ns <= 0:
                if algorithm == "in_network":
                    raise ConfigError("algorithm", "this interconnect has no in-network reduction "
                                      "(in_network_latency_ns = 0)", algorithm)
                continue
            runs = [_in_network(net, ic, ranks, n)]
        else:
            runs = []
            for proto in _protocols(ic):
                if algo == "tree":
                    runs.append(_tree(net, proto, ranks, n))
                    continue
                run = _Run(net, proto)
                if algo == "ring":
                    _ring(run, kind, ranks, n)
                elif algo == "direct":
                    _direct(run, kind, ranks, n)
                else:
                    _one_shot(run, ranks, n)
                runs.append(run)
        for run in runs:
            cand = (algo, run.proto.name, run.time_s, run.steps, run.link_bytes)
            if best is None or cand[2] < best[2]:
                best = cand
    assert best is not None
    return best


def _resolve(where: System | Package | InterconnectSpec, nodes: int | None) -> tuple[InterconnectSpec, int]:
    if isinstance(where, System):
        return where.network, where.chips
    if isinstance(where, Package):
        return where.d2d, where.dies
    if isinstance(where, InterconnectSpec):
        fixed = where.fixed_nodes()
        if nodes is None:
            nodes = fixed
        if nodes is None:
            raise ConfigError("nodes", "is required for an InterconnectSpec without dims")
        if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1:
            raise ConfigError("nodes", "must be a positive integer", nodes)
        if fixed is not None and fixed != nodes:
            raise ConfigError("nodes", f"must equal the {fixed} nodes of dims {where.dims!r}", nodes)
        return where, nodes
    raise ConfigError("system", "must be a System, Package or InterconnectSpec", type(where).__name__)


def _ranks(ranks: int | Sequence[int] | None, nodes: int) -> tuple[int, ...]:
    if ranks is None:
        return tuple(range(nodes))
    if isinstance(ranks, int) and not isinstance(ranks, bool):
        if not 1 <= ranks <= nodes:
            raise ConfigError("ranks", f"must be between 1 and {nodes}", ranks)
        return tuple(range(ranks))
    out = tuple(ranks)
    if not out or any(isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < nodes for r in out) \
            or len(set(out)) != len(out):
        raise ConfigError("ranks", f"must be distinct node indices in [0, {nodes})", ranks)
    return out


def simulate_collective(where: System | Package | InterconnectSpec, kernel: Collective, *,
                        ranks: int | Sequence[int] | None = None, nodes: int | None = None) -> CollectiveResult:
    """Run collective ``kernel`` over ``ranks`` (default: every node) of ``where``."""
    if not isinstance(kernel, Collective) or not kernel.kind:
        raise ConfigError("kernel", "must be an AllReduce, AllGather, ReduceScatter or AllToAll", type(kernel).__name__)
    ic, n_nodes = _resolve(where, nodes)
    rk = _ranks(ranks, n_nodes)
    algo, proto, t, steps, link_bytes = _collective(ic, n_nodes, kernel.kind, kernel.message_bytes, rk,
                                                    kernel.algorithm)
    return CollectiveResult(name=kernel.name, kind=kernel.kind, algorithm=algo, protocol=proto, ranks=len(rk),
                            message_bytes=kernel.message_bytes, time_s=t, steps=steps, link_bytes=link_bytes,
                            energy_j=link_bytes * 8 * ic.link.energy_pj_per_bit * 1e-12)


def collective(where: System | Package | InterconnectSpec, kind: str, message_bytes: int, *,
               algorithm: str = "auto", ranks: int | Sequence[int] | None = None,
               nodes: int | None = None) -> CollectiveResult:
    """``collective(system, "all_reduce", 1 << 20)``: shorthand for :func:`simulate_collective`."""
    if kind not in _CLASSES:
        raise ConfigError("kind", f"must be one of {list(KINDS)}", kind)
    return simulate_collective(where, _CLASSES[kind](message_bytes=message_bytes, algorithm=algorithm),
                               ranks=ranks, nodes=nodes)


def alpha_beta_ring_all_reduce_s(p: int, message_bytes: float, alpha_s: float, beta_bytes_per_s: float,
                                 base_s: float = 0.0) -> float:
    """Textbook ring all-reduce: ``base + 2 (p - 1) (alpha + N / (p B))``."""
    if p <= 1:
        return 0.0
    return base_s + 2 * (p - 1) * (alpha_s + message_bytes / (p * beta_bytes_per_s))


def clear_cache() -> None:
    _collective.cache_clear()

"""Flow-level network model: topologies of directed links and a max-min fair contention simulator.

A :class:`Network` is a set of nodes joined by *directed* links (a bidirectional cable is two links, one
per direction, each with the full per-direction bandwidth).  Messages are *flows* (source, destination,
bytes, start time) routed over a fixed shortest path (dimension-ordered on meshes and tori).  Flows that
share a link share its bandwidth max-min fairly (progressive filling, recomputed at every flow arrival and
completion), so link contention is simulated, not assumed away: two flows on one link each get half of
it, a link never carries more than its bandwidth, and a flow is limited by its most contended link.

A flow's data is delivered ``path latency`` after its last byte leaves: the sum of its links' latencies
plus one router/switch traversal (``hop_latency_s``) per intermediate node (cut-through).

This is a flow-level (fluid) model, not a packet model: no packet headers, credit stalls, head-of-line
blocking or adaptive routing; link efficiency (protocol overhead) is folded into the link bandwidth.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Network", "Flow", "simulate_flows", "parse_dims"]

TOPOLOGIES = ("switch", "ring", "mesh2d", "torus2d", "torus3d", "fully_connected")


def parse_dims(text: str) -> tuple[int, ...]:
    """``"4x4"`` -> ``(4, 4)``; raises ValueError on anything else."""
    parts = text.lower().replace(" ", "").split("x")
    dims = tuple(int(p) for p in parts)  # ValueError on junk
    if any(d < 1 for d in dims):
        raise ValueError("dimensions must be >= 1")
    return dims


@dataclass(frozen=True)
class Flow:
    """``bytes`` from node ``src`` to node ``dst``, entering the network at ``start_s``."""

    src: int
    dst: int
    bytes: float
    start_s: float = 0.0


class Network:
    """Nodes and directed links of one topology.

    ``bandwidth_bytes_per_s`` and ``latency_s`` are per link and per direction.  For ``switch`` the
    links are each node's up- and down-link to a single non-blocking switch; for ``fully_connected``
    every ordered pair has its own link; ``ring``/``mesh2d``/``torus2d``/``torus3d`` link neighbours.
    """

    def __init__(self, topology: str, nodes: int, dims: tuple[int, ...], bandwidth_bytes_per_s: float,
                 latency_s: float, hop_latency_s: float) -> None:
        if topology not in TOPOLOGIES:
            raise ValueError(f"unknown topology {topology!r}")
        self.topology = topology
        self.nodes = nodes
        self.dims = dims
        self.bandwidth_bytes_per_s = bandwidth_bytes_per_s
        self.latency_s = latency_s
        self.hop_latency_s = hop_latency_s
        self._links: dict[tuple, int] = {}
        self._route_cache: dict[tuple[int, int], tuple[tuple[int, ...], int]] = {}

    # -- links -------------------------------------------------------------------------------------

    def _link(self, key: tuple) -> int:
        lid = self._links.get(key)
        if lid is None:
            lid = len(self._links)
            self._links[key] = lid
        return lid

    @property
    def n_links(self) -> int:
        return len(self._links)

    def _coords(self, node: int) -> list[int]:
        out = []
        for d in self.dims:
            out.append(node % d)
            node //= d
        return out

    def _node(self, coords: Sequence[int]) -> int:
        node, mul = 0, 1
        for c, d in zip(coords, self.dims):
            node += c * mul
            mul *= d
        return node

    def route(self, src: int, dst: int) -> tuple[tuple[int, ...], int]:
        """(link ids on the path, number of intermediate routers/switches)."""
        key = (src, dst)
        hit = self._route_cache.get(key)
        if hit is not None:
            return hit
        if src == dst:
            res: tuple[tuple[int, ...], int] = ((), 0)
        elif self.topology == "switch":
            res = ((self._link(("up", src)), self._link(("down", dst))), 1)
        elif self.topology == "fully_connected":
            res = ((self._link(("pair", src, dst)),), 0)
        else:
            wrap = self.topology != "mesh2d"
            cur = self._coords(src)
            goal = self._coords(dst)
            path: list[int] = []
            for axis, size in enumerate(self.dims):
                delta = goal[axis] - cur[axis]
                if wrap:
                    fwd = delta % size
                    bwd = (-delta) % size
                    step, count = (1, fwd) if fwd <= bwd else (-1, bwd)
                else:
                    step, count = (1 if delta > 0 else -1), abs(delta)
                for _ in range(count):
                    here = self._node(cur)
                    cur[axis] = (cur[axis] + step) % size
                    path.append(self._link(("nbr", here, axis, step)))
            res = (tuple(path), max(0, len(path) - 1))
        self._route_cache[key] = res
        return res

    def path_latency_s(self, src: int, dst: int) -> float:
        links, routers = self.route(src, dst)
        return len(links) * self.latency_s + routers * self.hop_latency_s

    def hops(self, src: int, dst: int) -> int:
        return len(self.route(src, dst)[0])


def simulate_flows(net: Network, flows: Sequence[Flow]) -> list[float]:
    """Delivery time of every flow (seconds), under max-min fair sharing of every link.

    Event-driven: rates are recomputed by progressive filling whenever a flow starts or finishes.
    """
    n = len(flows)
    finish = [0.0] * n
    paths = []
    for f in flows:
        links, _ = net.route(f.src, f.dst)
        paths.append(links)
    cap = net.bandwidth_bytes_per_s
    pending = sorted((i for i in range(n)), key=lambda i: flows[i].start_s)
    pending.reverse()  # pop() from the end = earliest start
    remaining = [float(f.bytes) for f in flows]
    active: list[int] = []
    t = 0.0
    eps = 1e-18
    while pending or active:
        # admit flows that have started
        if not active and pending:
            t = max(t, flows[pending[-1]].start_s)
        while pending and flows[pending[-1]].start_s <= t + eps:
            i = pending.pop()
            if remaining[i] <= 0.0 or not paths[i]:
                finish[i] = max(t, flows[i].start_s) + net.path_latency_s(flows[i].src, flows[i].dst)
            else:
                active.append(i)
        if not active:
            continue
        rates = _max_min_rates(active, paths, cap)
        # next event: a completion or an arrival
        dt = min(remaining[i] / rates[k] for k, i in enumerate(active))
        if pending:
            dt = min(dt, max(0.0, flows[pending[-1]].start_s - t))
        t += dt
        still = []
        for k, i in enumerate(active):
            remaining[i] -= rates[k] * dt
            if remaining[i] <= 1e-9 * max(1.0, flows[i].bytes):
                finish[i] = t + net.path_latency_s(flows[i].src, flows[i].dst)
            else:
                still.append(i)
        active = still
    return finish


def _max_min_rates(active: list[int], paths: list[tuple[int, ...]], cap: float) -> list[float]:
    """Progressive filling: every flow's max-min fair rate given equal link capacities ``cap``."""
    users: dict[int, list[int]] = {}
    for k, i in enumerate(active):
        for lid in paths[i]:
            users.setdefault(lid, []).append(k)
    left = {lid: cap for lid in users}
    count = {lid: len(ks) for lid, ks in users.items()}
    rates = [0.0] * len(active)
    frozen = [False] * len(active)
    n_left = len(active)
    while n_left:
        # the most constrained link sets the next share
        lid = min((l for l in count if count[l] > 0), key=lambda l: left[l] / count[l])
        share = left[lid] / count[lid]
        for k in users[lid]:
            if frozen[k]:
                continue
            frozen[k] = True
            n_left -= 1
            rates[k] = share
            for l2 in paths[active[k]]:
                left[l2] -= share
                count[l2] -= 1
        left[lid] = 0.0
    return rates


@functools.lru_cache(maxsize=256)
def build(topology: str, nodes: int, dims: tuple[int, ...], bandwidth_bytes_per_s: float, latency_s: float,
          hop_latency_s: float) -> Network:
    """A cached :class:`Network` (routes are memoised on it)."""
    return Network(topology, nodes, dims, bandwidth_bytes_per_s, latency_s, hop_latency_s)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def isclose(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15)

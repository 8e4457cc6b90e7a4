"""Kernels and decode steps on a multi-die :class:`~accelsim.spec.system.Package`.

Every kernel is split over the package's dies; each die runs its share on its own compute and its own
memory stacks (simulated by the single-die engine, :func:`accelsim.simulate`), and the data placement
decides what crosses the die-to-die links, which the flow-level network model runs with link contention
(:mod:`accelsim.multichip.network`):

``sharded``
    Weights are column-sharded per die (each die holds 1/n of every matrix's output columns, 1/n of the
    attention heads and their KV cache).  Each die computes its slice from local memory, then the
    slices are all-gathered over the die-to-die links so every die has the whole output for the next
    kernel: ``time = die time + all-gather time`` (dependent, so not overlapped).
``kv_per_sequence``
    As ``sharded`` for weights, but the KV cache is placed per sequence: attention is split by
    sequence, so a batch smaller than the die count leaves dies idle (one sequence's whole attention
    runs on one die).
``interleaved``
    Memory is address-interleaved over all dies' stacks (one logical memory, like a two-die GPU
    that presents itself as one device): each die runs 1/n of the kernel's tiles and (n-1)/n of its
    bytes come from other dies' stacks across the links, concurrently with its local stream:
    ``time = max(die time, remote-traffic time on the contended links)``.

One die is exactly the single-die simulation: :func:`package_decode_step` on a one-die package returns
the same time as :func:`accelsim.decode_step` on the die, bit for bit.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, Sequence

from ..spec.machine import Architecture
from .collectives import AllGather, simulate_collective
from ..workload.decode import decode_kernels, decode_step, dtype_alias
from ..errors import ConfigError
from ..dtypes import DTYPE_BYTES
from ..workload.kernels import DecodeAttention, Elementwise, Gemv, Moe
from ..models import ModelSpec
from ..models import load as load_model
from .network import Flow, simulate_flows
from ..engine.simulate import FIDELITIES, simulate_one
from ..spec.system import Package

__all__ = ["shard_kernel", "output_bytes", "PackageKernelRow", "package_kernel", "package_simulate",
           "PackageDecodeResult", "package_decode_step", "chip_kernel_time"]


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def shard_kernel(kernel: Any, parts: int, *, by: str = "heads") -> Any:
    """The share of ``kernel`` one of ``parts`` dies (or chips) runs.

    Gemv: output columns (n) split; DecodeAttention: heads split (``by="heads"``) or sequences
    (``by="sequence"``); Elementwise: elements split; Moe: expert width split.
    """
    if parts == 1:
        return kernel
    if isinstance(kernel, Gemv):
        return dataclasses.replace(kernel, n=max(1, _cdiv(kernel.n, parts)))
    if isinstance(kernel, DecodeAttention):
        if by == "sequence":
            return dataclasses.replace(kernel, batch=max(1, _cdiv(kernel.batch, parts)))
        kv, q = kernel.kv_heads, kernel.q_heads
        if kv >= parts:
            kv2 = _cdiv(kv, parts)
            return dataclasses.replace(kernel, kv_heads=kv2, q_heads=kv2 * (q // kv))
        # fewer KV heads than parts: query heads split, every part reads its (whole) KV head
        return dataclasses.replace(kernel, kv_heads=1, q_heads=max(1, _cdiv(q, parts)))
    if isinstance(kernel, Elementwise):
        return dataclasses.replace(kernel, n_elements=max(1, _cdiv(kernel.n_elements, parts)))
    if isinstance(kernel, Moe):
        changes: dict[str, Any] = {"expert_d_ff": max(1, _cdiv(kernel.expert_d_ff, parts))}
        if kernel.shared_d_ff:
            changes["shared_d_ff"] = max(1, _cdiv(kernel.shared_d_ff, parts))
        return dataclasses.replace(kernel, **changes)
    raise ConfigError("kernel", "cannot be sharded", type(kernel).__name__)


def output_bytes(kernel: Any) -> int:
    """Bytes of the kernel's result (what the next kernel reads)."""
    if isinstance(kernel, Gemv):
        return int(math.ceil(kernel.m * kernel.n * kernel.out_bytes_per_element))
    if isinstance(kernel, DecodeAttention):
        return int(kernel.batch * kernel.q_heads * kernel.head_dim * DTYPE_BYTES[kernel.dtype])
    if isinstance(kernel, Elementwise):
        return int(math.ceil(kernel.n_elements * kernel.writes * DTYPE_BYTES[kernel.dtype]))
    if isinstance(kernel, Moe):
        return int(kernel.tokens * kernel.d_model * DTYPE_BYTES[kernel.dtype])
    raise ConfigError("kernel", "has no known output", type(kernel).__name__)


@dataclasses.dataclass(frozen=True)
class PackageKernelRow:
    """One kernel on a package: ``time_s`` = its critical-path time; ``die_time_s`` the slowest die's
    own simulated time; ``d2d_time_s`` the die-to-die traffic's time; ``d2d_bytes`` bytes moved across
    links (summed over links); ``d2d_energy_j`` their energy."""

    name: str
    time_s: float
    die_time_s: float
    d2d_time_s: float
    d2d_bytes: float
    d2d_energy_j: float
    roofline_s: float


@functools.lru_cache(maxsize=16384)
def package_kernel(pkg: Package, kernel: Any, fidelity: str = "fast") -> PackageKernelRow:
    """Simulate ``kernel`` on ``pkg`` (cached)."""
    n = pkg.dies
    name = getattr(kernel, "name", type(kernel).__name__)
    if n == 1:
        row = simulate_one(pkg.die, kernel, fidelity)
        return PackageKernelRow(name, row.time_s, row.time_s, 0.0, 0.0, 0.0, row.roofline_s)
    by = "sequence" if (pkg.placement == "kv_per_sequence" and isinstance(kernel, DecodeAttention)) else "heads"
    shard = shard_kernel(kernel, n, by=by)
    die_row = simulate_one(pkg.die, shard, fidelity)
    t_die = die_row.time_s
    pj = pkg.d2d.link.energy_pj_per_bit
    if pkg.placement == "interleaved":
        net = pkg.d2d.network(n)
        per_pair = kernel.bytes_moved() / (n * n)
        flows = [Flow(j, i, per_pair) for i in range(n) for j in range(n) if i != j]
        t_link = max(simulate_flows(net, flows)) if per_pair > 0 else 0.0
        link_bytes = sum(f.bytes * net.hops(f.src, f.dst) for f in flows)
        t = max(t_die, t_link)
        return PackageKernelRow(name, t, t_die, t_link, link_bytes, link_bytes * 8 * pj * 1e-12, die_row.roofline_s)
    out = output_bytes(kernel)
    ag = simulate_collective(pkg, AllGather(message_bytes=out)) if out > 0 else None
    t_ag = ag.time_s if ag else 0.0
    link_bytes = ag.link_bytes if ag else 0.0
    return PackageKernelRow(name, t_die + t_ag, t_die, t_ag, link_bytes, ag.energy_j if ag else 0.0,
                            die_row.roofline_s)


def package_simulate(pkg: Package, kernels: Any | Sequence[Any], *, fidelity: str = "fast") -> list[PackageKernelRow]:
    """Rows for ``kernels`` run back to back on ``pkg``."""
    if not isinstance(pkg, Package):
        raise ConfigError("package", "must be an accelsim.spec.system.Package", type(pkg).__name__)
    if fidelity not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {FIDELITIES}", fidelity)
    ks = list(kernels) if isinstance(kernels, (list, tuple)) else [kernels]
    return [package_kernel(pkg, k, fidelity) for k in ks]


def chip_kernel_time(chip: Architecture | Package, kernel: Any, fidelity: str = "fast") -> tuple[float, float, float]:
    """(time_s, die-to-die time_s, roofline_s) of ``kernel`` on a chip (an Architecture or a Package)."""
    if isinstance(chip, Package):
        r = package_kernel(chip, kernel, fidelity)
        return r.time_s, r.d2d_time_s, r.roofline_s
    row = simulate_one(chip, kernel, fidelity)
    return row.time_s, 0.0, row.roofline_s


@dataclasses.dataclass(frozen=True)
class PackageDecodeResult:
    """A decode step on a package: ``time_s``; ``d2d_time_s`` the part of it spent on die-to-die
    traffic on the critical path (all-gathers) or the link-limited excess (interleaved)."""

    package_name: str
    model_name: str
    batch: int
    context: int
    placement: str
    dies: int
    feasible: bool
    reason: str
    time_s: float
    d2d_time_s: float
    d2d_bytes: float
    d2d_energy_j: float
    rows: tuple[tuple[PackageKernelRow, int], ...] = ()

    @property
    def tokens_per_s(self) -> float:
        return self.batch / self.time_s if self.feasible and self.time_s > 0 else 0.0

    def table(self) -> str:
        if not self.feasible:
            return f"{self.model_name} on {self.package_name}: infeasible: {self.reason}"
        lines = [f"{self.model_name} on {self.package_name} ({self.dies} dies, {self.placement}), batch {self.batch}, "
                 f"context {self.context}",
                 f"{'kernel':22s} {'count':>5s} {'us/call':>9s} {'die us':>9s} {'d2d us':>9s}"]
        for r, c in self.rows:
            lines.append(f"{r.name[:22]:22s} {c:5d} {r.time_s * 1e6:9.2f} {r.die_time_s * 1e6:9.2f} {r.d2d_time_s * 1e6:9.2f}")
        lines.append(f"step {self.time_s * 1e3:.3f} ms (die-to-die {self.d2d_time_s * 1e3:.3f} ms) -> "
                     f"{self.tokens_per_s:,.0f} tokens/s")
        return "\n".join(lines)


def package_decode_step(pkg: Package, model: ModelSpec | str, batch: int, context: int, *,
                        weight_dtype: str = "bf16", kv_dtype: str = "bf16", fidelity: str = "fast",
                        routing_zipf_s: float = 0.0) -> PackageDecodeResult:
    """One decode step on a package.  A one-die package gives exactly ``decode_step(pkg.die, ...)``.
    ``routing_zipf_s`` skews MoE routing as in :func:`accelsim.decode_step`."""
    if not isinstance(pkg, Package):
        raise ConfigError("package", "must be an accelsim.spec.system.Package", type(pkg).__name__)
    if isinstance(model, str):
        model = load_model(model)
    weight_dtype, kv_dtype = dtype_alias(weight_dtype, "weight_dtype"), dtype_alias(kv_dtype, "kv_dtype")
    common = dict(package_name=pkg.name, model_name=getattr(model, "name", "?"), batch=batch, context=context,
                  placement=pkg.placement, dies=pkg.dies)
    if pkg.dies == 1:
        s = decode_step(pkg.die, model, batch, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype,
                        fidelity=fidelity, routing_zipf_s=routing_zipf_s)
        rows = tuple((PackageKernelRow(r.name, r.time_s, r.time_s, 0.0, 0.0, 0.0, r.roofline_s), c)
                     for r, c in s.kernels)
        return PackageDecodeResult(feasible=s.feasible, reason=s.reason, time_s=s.time_s, d2d_time_s=0.0,
                                   d2d_bytes=0.0, d2d_energy_j=0.0, rows=rows, **common)
    # validation (and infeasibility) exactly as decode_step does it, on the whole package's memory
    if not isinstance(model, ModelSpec):
        raise ConfigError("model", "must be a ModelSpec or a model name", type(model).__name__)
    for name, v, hi in (("batch", batch, 1 << 20), ("context", context, 1 << 28)):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= hi:
            raise ConfigError(name, f"must be an integer between 1 and {hi}", v)
    if fidelity not in FIDELITIES:
        raise ConfigError("fidelity", f"must be one of {FIDELITIES}", fidelity)
    wbytes = model.weight_bytes(weight_dtype)
    kvbytes = model.kv_bytes_per_token(kv_dtype) * batch * context
    cap = pkg.memory_capacity_bytes
    if wbytes + kvbytes > cap:
        reason = (f"weights ({wbytes / 1e9:.1f} GB) + KV cache ({kvbytes / 1e9:.1f} GB) exceed the package's "
                  f"memory ({cap / 1e9:.1f} GB)")
        return PackageDecodeResult(feasible=False, reason=reason, time_s=float("nan"), d2d_time_s=0.0,
                                   d2d_bytes=0.0, d2d_energy_j=0.0, **common)
    seq = decode_kernels(model, batch, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype,
                         routing_zipf_s=routing_zipf_s)
    rows = tuple((package_kernel(pkg, k, fidelity), c) for k, c in seq)
    total = math.fsum(r.time_s * c for r, c in rows)
    d2d = math.fsum((r.time_s - r.die_time_s) * c for r, c in rows)
    return PackageDecodeResult(feasible=True, reason="", time_s=total, d2d_time_s=d2d,
                               d2d_bytes=sum(r.d2d_bytes * c for r, c in rows),
                               d2d_energy_j=sum(r.d2d_energy_j * c for r, c in rows), rows=rows, **common)

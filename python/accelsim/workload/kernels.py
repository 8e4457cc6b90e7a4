"""Kernels: what a decode step runs. Each is a frozen, keyword-only dataclass that validates itself and
knows how to *lower* itself onto a machine: it picks a tiling the way a tuned library does (the tile
shape whose analytic estimate is best on this machine) and hands the engine a list of identical tiles
(CTAs) that stream operands from DRAM, read broadcast operands from L2, compute and write results.

Units: sizes in elements or bytes as named; times in ns in the lowered descriptions.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

from ..dtypes import DTYPE_BYTES, canonical, dtype_bytes
from ..errors import ConfigError
from ..spec.machine import Architecture

__all__ = ["DTYPE_BYTES", "tile_desc", "Gemv", "Elementwise", "DecodeAttention", "PrefillAttention", "Moe", "Kernel",
           "dtype_bytes"]

_MAX_DIM = 1 << 40


def _pos_int(name: str, v: Any, *, lo: int = 1, hi: int = _MAX_DIM) -> None:
    if isinstance(v, bool) or not isinstance(v, int):
        try:
            import numpy as np  # numpy ints are fine

            if isinstance(v, np.integer):
                return _pos_int(name, int(v), lo=lo, hi=hi)
        except ImportError:  # pragma: no cover
            pass
        raise ConfigError(name, "must be an integer", v)
    if v < lo or v > hi:
        raise ConfigError(name, f"must be between {lo} and {hi}", v)
    return None


def _finite(name: str, v: Any, *, lo: float = 0.0, hi: float = 1e15) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ConfigError(name, "must be a number", v)
    if isinstance(v, int) and not lo <= v <= hi:  # also ints too large for a float
        raise ConfigError(name, f"must be finite and between {lo} and {hi:g}", v)
    if not math.isfinite(v) or v < lo or v > hi:
        raise ConfigError(name, f"must be finite and between {lo} and {hi:g}", v)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def tile_desc(name: str, **kw: Any) -> dict[str, Any]:
    """A lowered kernel description (what the core runs): ``n_tiles`` identical tiles, each reading
    ``tile_read_bytes`` from DRAM and ``tile_shared_bytes`` from the L2, doing ``tile_flops`` at
    ``flops_per_ps_per_unit`` and writing ``tile_write_bytes``; every key not given takes its default."""
    d = dict(name=name, n_tiles=1, tile_read_bytes=0, tile_step_bytes=0, tile_flops=0.0,
             flops_per_ps_per_unit=1.0, tile_shared_bytes=0, tile_write_bytes=0, tile_fixed_ns=0.0,
             kernel_fixed_ns=0.0, tiles_per_unit=1, base_address=0)
    d.update(kw)
    for key in ("n_tiles", "tile_read_bytes", "tile_step_bytes", "tile_shared_bytes", "tile_write_bytes"):
        d[key] = int(d[key])
    if d["n_tiles"] > (1 << 40) or d["tile_read_bytes"] * d["n_tiles"] > (1 << 52):
        raise ConfigError(f"{name}.size", "kernel too large to simulate (more than 4 PB or 2^40 tiles)",
                          d["tile_read_bytes"] * d["n_tiles"])
    return d


class _KernelBase:
    def _check(self) -> None:  # pragma: no cover - overridden
        pass

    def __post_init__(self) -> None:
        name = getattr(self, "name", "")
        if not isinstance(name, str):  # also keeps kernels hashable (simulate() caches by kernel)
            raise ConfigError("name", "must be a string", name)
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)  # numpy integers -> int: dimension products must not wrap at 2**63
            if isinstance(v, numbers.Integral) and not isinstance(v, (int, bool)):
                object.__setattr__(self, f.name, int(v))
            elif f.name.endswith("dtype") and isinstance(v, str):  # "bfloat16", "FP8", ... -> "bf16", "fp8"
                object.__setattr__(self, f.name, canonical(v, f.name))
        self._check()

    # --- totals every kernel reports (bytes are what a perfect kernel must move) ---
    def bytes_moved(self) -> int:
        raise NotImplementedError

    def flops(self) -> float:
        raise NotImplementedError

    def math_rate_flops_per_ps_per_unit(self, arch: Architecture, dtype: str, matrix: bool) -> float:
        c = arch.compute
        if matrix:
            per_cycle = c.matrix_flops_per_cycle_per_unit.get(dtype) * c.sustained_fraction(dtype)
        else:
            per_cycle = c.vector_flops_per_cycle_per_unit
        if per_cycle <= 0:
            raise ConfigError("compute.matrix_flops_per_cycle_per_unit." + dtype,
                              "this machine has no math for this dtype", per_cycle)
        return per_cycle * c.clock_ghz * 1e-3  # FLOP per ps per unit


#: K from which a GEMV library splits K rather than run an unsplit grid that underfills the units (see
#: Gemv.candidates).
LIBRARY_SPLIT_K_MIN_K = 4096

#: A GEMV whose DRAM stream outlasts its math and on-chip traffic by at least this factor under every
#: candidate tiling, and whose tiles give every unit work (at least STREAMING_MIN_WAVES tiles per unit),
#: is a pure stream: simulate() runs only the top-ranked tiling. On the 40 such H100 calibration GEMVs the
#: top-ranked tiling simulates fastest or within 0.04% of the fastest. (At two tiles per unit there were 17:
#: the 23 added, with 1-2 tiles per unit, lose 0.0-0.04% by it; their other tilings were 0.5-4.9% slower.)
STREAMING_BOUND_FACTOR = 8.0
STREAMING_MIN_WAVES = 1

#: simulate() also drops a candidate tiling whose analytic estimate is this much worse than the best one's:
#: on the H100 calibration GEMVs, every second candidate estimated >= 3% worse (21 of 136) also simulated
#: slower, so it could not have been kept.
CANDIDATE_PRUNE_GAP = 0.05

#: When the estimate cannot separate the two best tilings (within CANDIDATE_PRUNE_GAP), simulate() also
#: simulates the next-ranked ones, up to CANDIDATE_SEARCH_MAX in all, while the requests they simulate
#: total at most CANDIDATE_SEARCH_REQUESTS: small kernels, where the estimate is least reliable, get the
#: widest search (as an autotuner tries more configurations where trying is cheap). The request budget is
#: the real limit; a low cap (8) let a change of DRAM speed re-rank a kernel's fastest tiling out of the
#: searched set (test_h100_faster_dram_never_slower).
CANDIDATE_SEARCH_MAX = 32
CANDIDATE_SEARCH_REQUESTS = 1 << 16


@dataclasses.dataclass(frozen=True, kw_only=True)
class Gemv(_KernelBase):
    """y[m, n] = x[m, k] @ W[n, k]^T with W streamed from memory once (m = tokens, 1..4096).

    ``dtype`` is the activation/math dtype; ``weight_dtype`` (default: same) the stored weight dtype;
    ``group_size`` > 0 adds one scale of ``scale_bits`` bits (default 16: bf16) per ``group_size`` weights
    (group-wise quantization). fp8/int8 math multiplies fp8/int8 activations with fp8/int8 weights (W8A8);
    int4/fp4 weights with bf16 activations are dequantized on the vector units (weight-only quantization).
    ``activation_dtype`` sets the activations' dtype explicitly, and with it the math: ``"fp4"`` with fp4
    weights is a W4A4 GEMM (NVFP4 / MXFP4: see :data:`accelsim.dtypes.WEIGHT_FORMATS`) on the fp4
    tensor-core rate, the activations carrying the same block scales as the weights.
    """

    m: int
    n: int
    k: int
    dtype: str = "bf16"
    weight_dtype: str | None = None
    group_size: int = 0
    activation_dtype: str | None = None
    scale_bits: int = 16
    name: str = "gemv"

    def _check(self) -> None:
        _pos_int("m", self.m, hi=1 << 20)
        _pos_int("n", self.n)
        _pos_int("k", self.k)
        dtype_bytes(self.dtype, "dtype")
        if self.weight_dtype is not None:
            dtype_bytes(self.weight_dtype, "weight_dtype")
        _pos_int("group_size", self.group_size, lo=0)
        if self.activation_dtype is not None:
            dtype_bytes(self.activation_dtype, "activation_dtype")
        _pos_int("scale_bits", self.scale_bits, hi=64)
        if self.n * self.k > (1 << 46):
            raise ConfigError("n", "weight matrix larger than 2^46 elements", self.n * self.k)

    @property
    def wdtype(self) -> str:
        return self.weight_dtype if self.weight_dtype is not None else self.dtype

    @property
    def act_dtype(self) -> str:
        if self.activation_dtype is not None:
            return self.activation_dtype
        return "bf16" if self.dtype in ("int4", "fp4") else self.dtype

    @property
    def math_dtype(self) -> str:
        """Tensor-core math runs in the activation dtype; narrower weights are converted up to it."""
        return self.act_dtype

    @property
    def out_bytes_per_element(self) -> float:
        """y is written in the activation dtype, bf16 for 8- and 4-bit math."""
        return 2.0 if self.act_dtype in ("fp8", "int8", "int4", "fp4") else dtype_bytes(self.act_dtype)

    @property
    def act_bytes_per_element(self) -> float:
        """Bytes of one activation element read: its value, plus its share of a block scale when the
        activations are block-scaled 4-bit values (W4A4: the same blocks as the weights)."""
        b = dtype_bytes(self.act_dtype)
        if self.group_size and self.act_dtype in ("int4", "fp4"):
            b += self.scale_bits / 8 / self.group_size
        return b

    def weight_bytes(self) -> int:
        wb = math.ceil(self.n * self.k * dtype_bytes(self.wdtype))
        if self.group_size:
            wb += math.ceil(_ceil_div(self.n * self.k, self.group_size) * self.scale_bits / 8)
        return wb

    def bytes_moved(self) -> int:
        return int(self.weight_bytes() + math.ceil(self.m * self.k * self.act_bytes_per_element)
                   + self.m * self.n * self.out_bytes_per_element)

    def flops(self) -> float:
        return 2.0 * self.m * self.n * self.k

    def _reduction_ps(self, arch: Architecture, split: int, bw: float, lat_ps: float) -> float:
        """Estimate of split-K's cost: a second kernel (launch, one round trip) reading the fp32 partials."""
        if split <= 1:
            return 0.0
        partial = split * self.m * self.n * 4
        return arch.kernel_launch_overhead_ns * 1e3 + lat_ps + partial / bw

    def _reduction_kernel(self, arch: Architecture, split: int) -> dict[str, Any]:
        """Split-K's reduction kernel (cuBLAS runs a separate one): reads the split fp32 partials of y, writes y."""
        out_b = self.out_bytes_per_element
        return Elementwise(name=self.name + ".splitk_reduce", n_elements=self.m * self.n, dtype="fp32",
                           reads=split, writes=1, flops_per_element=split).lower(arch, write_bytes_per_element=out_b)[0]

    def lower(self, arch: Architecture) -> list[dict[str, Any]]:
        """The tiling the analytic estimate ranks best."""
        return self.candidates(arch, top=1)[0]

    def candidates(self, arch: Architecture, top: int = 2, *, prune: bool = False) -> list[list[dict[str, Any]]]:
        """The ``top`` tilings ranked best by the analytic estimate, each lowered to kernel descriptions.

        simulate() runs each and keeps the fastest, as a tuned library benchmarks its candidate tilings.
        ``prune`` (what simulate() uses, at every fidelity) drops the ones that cannot matter (all but the
        top one of a pure DRAM stream, see STREAMING_BOUND_FACTOR, and any estimated CANDIDATE_PRUNE_GAP worse
        than the best) and, where the estimate cannot tell the best two apart, adds further-ranked ones
        while that is cheap (CANDIDATE_SEARCH_REQUESTS).
        """
        c = arch.compute
        units = c.units
        wb = self.weight_bytes() / (self.n * self.k)  # bytes per weight incl. scales
        ab = self.act_bytes_per_element
        rate = self.math_rate_flops_per_ps_per_unit(arch, self.math_dtype, True)
        dequant = self.wdtype != self.act_dtype and dtype_bytes(self.wdtype) < dtype_bytes(self.act_dtype)
        vrate = self.math_rate_flops_per_ps_per_unit(arch, "fp32", False)
        bw = arch.peak_dram_bandwidth_bytes_per_s * 1e-12  # bytes per ps
        lat_ps = arch.dram.access_latency_ns * 1e3
        unit_bw = min(c.inflight_bytes_per_unit / max(lat_ps, 1.0), c.load_bytes_per_cycle_per_unit * c.clock_ghz * 1e-3)
        l2_bw = arch.l2.bytes_per_cycle * arch.l2.clock_ghz * 1e-3 if arch.l2 is not None else bw
        m, n, k = self.m, self.n, self.k
        ranked: list[tuple[tuple[float, int], int, int, int]] = []
        for bm in (16, 32, 64, 128, 256):
            if bm > 16 and bm >= 2 * m:
                break
            # bn: rows of W per tile
            for bn in (32, 64, 128, 256):
                for split in (1, 2, 4, 8, 16):
                    kc = _ceil_div(k, split)
                    if split > 1 and kc < 256:
                        break
                    mb, nb = _ceil_div(m, bm), _ceil_div(n, bn)
                    tiles = mb * nb * split
                    waves = _ceil_div(tiles, units)
                    tile_flops = 2.0 * bm * bn * kc
                    t_flop = waves * tile_flops / rate
                    if dequant:  # pipelined with the MMAs: the slower of the two stages sets the pace
                        t_flop = max(t_flop, waves * 2.0 * bn * kc / vrate)
                    # DRAM stream: the channels' peak, plus the Little's-law limit of the units in use
                    active = min(tiles, units)
                    w_dram = n * k * wb
                    t_mem = w_dram / bw + w_dram / (active * unit_bw)
                    shared = min(bm, m) * kc * ab + bn * kc * wb * (mb - 1) / mb
                    t_l2 = waves * shared / (l2_bw / units)
                    t_red = self._reduction_ps(arch, split, bw, lat_ps)
                    est = max(t_flop, t_mem, t_l2) + t_red
                    streaming = (t_mem >= STREAMING_BOUND_FACTOR * max(t_flop, t_l2, t_red)
                                 and tiles >= STREAMING_MIN_WAVES * units)
                    ranked.append(((est, -tiles), bm, bn, split, streaming))
        ranked.sort()
        # The library's split-K policy: when the unsplit output tiles cannot fill the units and K is long,
        # it splits K (and pays the reduce kernel) rather than leave units idle, even where one unsplit
        # kernel would be quicker. Measured on the H100: every GEMV with K >= 4096 whose unsplit grid
        # underfills the 132 SMs runs at the split-K time (l8b_o and the wide shapes, M up to 256), none
        # with K <= 2048 does (small and tall shapes). A policy, the same for every shape.
        if self.k >= LIBRARY_SPLIT_K_MIN_K and any(r[3] > 1 for r in ranked):
            fills = [r for r in ranked if r[3] > 1 or _ceil_div(m, r[1]) * _ceil_div(n, r[2]) >= units]
            ranked = fills or ranked
        chosen = ranked[:max(1, top)]
        if not prune:
            return [self.tiling(arch, bm, bn, split) for _, bm, bn, split, _ in chosen]
        if all(r[4] for r in chosen):
            chosen = chosen[:1]  # a pure stream: the tiling does not matter (see STREAMING_BOUND_FACTOR)
        best = chosen[0][0][0]
        chosen = [r for r in chosen if r[0][0] <= best * (1 + CANDIDATE_PRUNE_GAP)]
        out = [self.tiling(arch, bm, bn, split) for _, bm, bn, split, _ in chosen]
        if len(out) >= 2:  # the estimate cannot tell: search further while it is cheap
            from ..engine.planner import simulated_requests  # noqa: PLC0415

            used = sum(simulated_requests(arch, descs) for descs in out)
            for _, bm, bn, split, _ in ranked[len(chosen):CANDIDATE_SEARCH_MAX]:
                descs = self.tiling(arch, bm, bn, split)
                used += simulated_requests(arch, descs)
                if used > CANDIDATE_SEARCH_REQUESTS:
                    break
                out.append(descs)
        return out

    def tiling(self, arch: Architecture, bm: int, bn: int, split: int) -> list[dict[str, Any]]:
        """The GEMV lowered with ``bm`` x ``bn`` output tiles and K split ``split`` ways: its tile
        description, then the split's reduction kernel if any (candidates() ranks these; near-memory
        units use their own tiles)."""
        c = arch.compute
        m, n, k = self.m, self.n, self.k
        wb = self.weight_bytes() / (n * k)
        ab = self.act_bytes_per_element
        out_b = self.out_bytes_per_element
        rate = self.math_rate_flops_per_ps_per_unit(arch, self.math_dtype, True)
        dequant = self.wdtype != self.act_dtype and dtype_bytes(self.wdtype) < dtype_bytes(self.act_dtype)
        vrate = self.math_rate_flops_per_ps_per_unit(arch, "fp32", False)
        kc = _ceil_div(k, split)
        mb, nb = _ceil_div(m, bm), _ceil_div(n, bn)
        w_tile = math.ceil(bn * kc * wb)
        dram_tile = _ceil_div(w_tile, mb)  # other M-blocks of the same W tile hit in L2
        shared = math.ceil(min(bm, m) * kc * ab) + (w_tile - dram_tile)
        tile_flops = 2.0 * bm * bn * kc
        fixed_ns = 0.0
        if dequant:
            # the vector units convert each k-slice of W while the tensor cores multiply the previous one (a
            # pipelined weight-only kernel, as Marlin's): a tile's steps run at the slower of the two stages
            t_deq = 2.0 * bn * kc / vrate
            if t_deq > tile_flops / rate:
                rate = tile_flops / t_deq
        write = math.ceil(min(bm, m) * bn * (4 if split > 1 else out_b))
        kernel_fixed_ns = c.matrix_kernel_setup_ns
        step = math.ceil(bn * 64 * wb)
        return [tile_desc(self.name, n_tiles=mb * nb * split, tile_read_bytes=dram_tile, tile_step_bytes=step,
                      tile_flops=tile_flops, flops_per_ps_per_unit=rate, tile_shared_bytes=shared,
                      tile_write_bytes=write, tile_fixed_ns=fixed_ns, kernel_fixed_ns=kernel_fixed_ns,
                      tiles_per_unit=2)] + ([self._reduction_kernel(arch, split)] if split > 1 else [])


@dataclasses.dataclass(frozen=True, kw_only=True)
class Elementwise(_KernelBase):
    """Reads ``reads`` tensors of ``n_elements`` and writes ``writes`` of them (residual add: 2 and 1)."""

    n_elements: int
    dtype: str = "bf16"
    reads: int = 1
    writes: int = 1
    flops_per_element: float = 1.0
    name: str = "elementwise"

    def _check(self) -> None:
        _pos_int("n_elements", self.n_elements, hi=1 << 46)
        dtype_bytes(self.dtype)
        _pos_int("reads", self.reads, lo=0, hi=64)
        _pos_int("writes", self.writes, lo=0, hi=64)
        _finite("flops_per_element", self.flops_per_element, hi=1e6)

    @property
    def math_dtype(self) -> None:
        """None: vector (SIMT) math at ``vector_flops_per_cycle_per_unit``, not a matrix dtype."""
        return None

    def bytes_moved(self) -> int:
        return math.ceil(self.n_elements * dtype_bytes(self.dtype)) * (self.reads + self.writes)

    def flops(self) -> float:
        return float(self.n_elements) * self.flops_per_element

    def lower(self, arch: Architecture, write_bytes_per_element: float | None = None) -> list[dict[str, Any]]:
        return [_elementwise_desc(arch, self.name, self.n_elements, self.dtype, self.reads, self.writes,
                                  self.flops_per_element, write_bytes_per_element)]


def _elementwise_desc(arch: Architecture, name: str, n_elements: int, dtype: str, reads: int, writes: int,
                      flops_per_element: float, write_bytes_per_element: float | None = None) -> dict[str, Any]:
    """The lowering of an elementwise kernel (Elementwise.lower; also the split-KV combine, which may read
    more tensors than an Elementwise accepts)."""
    units = arch.compute.units
    tb = math.ceil(n_elements * dtype_bytes(dtype))
    wb = tb if write_bytes_per_element is None else math.ceil(n_elements * write_bytes_per_element)
    # a vectorized elementwise kernel: blocks of 256 threads x 4 x 16 B = 16 KiB; a tensor too small
    # to give every unit a block stays in 16 KiB blocks (some units idle), a larger one is spread over
    # all units' resident blocks (up to eight each, at least one interleave granule per block)
    resident = 8
    block = 16 * 1024
    if tb <= block * units:
        tile = block
    else:
        tile = max(arch.dram.interleave_bytes, _ceil_div(tb, units * resident))
    tiles = _ceil_div(tb, tile)
    rate = _KernelBase.math_rate_flops_per_ps_per_unit(None, arch, "fp32", False)  # type: ignore[arg-type]
    elems_per_tile = n_elements / tiles
    return tile_desc(name, n_tiles=tiles, tile_read_bytes=tile * reads, tile_step_bytes=0,
                 tile_flops=elems_per_tile * flops_per_element, flops_per_ps_per_unit=rate,
                 tile_write_bytes=_ceil_div(wb, tiles) * writes, tiles_per_unit=resident)


def _stream_estimate_ps(units: int, d: dict[str, Any], bw: float, unit_bw: float) -> float:
    """A kernel description's body by a fluid model (ps): every unit with tiles streams their bytes; n units
    streaming share ``bw`` (bytes/ps) and each is held to ``unit_bw``, a smooth minimum of the two
    (STREAM_SATURATION_P); the units with one tile more than the rest run their last tile alone. Its math
    (and each tile's fixed time) on the busiest unit, if longer, sets the time instead."""
    n = d["n_tiles"]
    q, extra = divmod(n, units)
    p = STREAM_SATURATION_P

    def per_unit(active: int) -> float:  # bytes/ps of each of ``active`` units streaming at once
        return ((active * unit_bw) ** -p + bw ** -p) ** (-1.0 / p) / active

    tile = d["tile_read_bytes"]
    t_mem = (q * tile / per_unit(min(units, n)) if q else 0.0) + (tile / per_unit(extra) if extra else 0.0)
    t_mem = max(t_mem, n * (tile + d["tile_write_bytes"]) / bw)
    t_math = _ceil_div(n, units) * (d["tile_flops"] / d["flops_per_ps_per_unit"] + d["tile_fixed_ns"] * 1e3)
    return max(t_mem, t_math)


#: flash-attention's upper bound on split-KV pieces
MAX_KV_SPLITS = 128
#: DecodeAttention.split_kv policies: "flash-attention" (the default: flash-attention's split-KV heuristic, the
#: kernel torch SDPA and flash_attn's own entry points run, and what the H100 attention measurements ran) or
#: "tuned" (every eligible split count ranked by an estimate, the engine keeps the fastest of the best-ranked
#: ones: a serving engine's decode kernel, which decode_step and serve use; see ENGINE_SPLIT_KV)
SPLIT_KV_POLICIES = ("tuned", "flash-attention")
#: the split policy of the decode attention inside decode_step and serve: serving engines run decode kernels that
#: pick their split count for the shape (FlashInfer's and TensorRT-LLM's multi-block decode, flash-decoding)
ENGINE_SPLIT_KV = "tuned"
#: simulate() runs the split count the estimate ranks best, and the next best ones (up to ATTENTION_SEARCH_MAX
#: in all) while together they simulate at most ATTENTION_SEARCH_EXTRA_REQUESTS DRAM requests more (see
#: engine.planner.simulated_requests), keeping the fastest: a small kernel gets a second and third opinion at
#: little cost, a long one (whose simulation is the cost of a decode step) runs the best-ranked count alone
ATTENTION_SEARCH_MAX = 3
ATTENTION_SEARCH_EXTRA_REQUESTS = 1 << 16
#: the estimate's streams: the fraction of the pins' peak the engine sustains with every unit streaming (0.84 to
#: 0.88 on the GPU presets), and the exponent of the smooth minimum of that and the units' in-flight windows
#: (n units of window w over a round trip t reach ((n w / t)^-p + (peak)^-p)^(-1/p): within ~10% of the engine
#: from 1 unit streaming to all of them on h100, h200, mi300x, b200, a100 and cerebras-wse3)
STREAM_EFFICIENCY = 0.88
STREAM_SATURATION_P = 2.0
#: the "tuned" policy splits the context into pieces of any number of tokens, not whole 128-token blocks: a
#: library tuned for decode also splits a context of one or two blocks (with 128-token pieces only, MLA at
#: 128 q-heads on a100a took 22.7 us at context 128 and 15.9 us at 129, where a second piece first became
#: possible; with 16-token pages, cerebras-wse3 was faster at context 49 than at 40)
TUNED_SPLIT_TOKENS = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class DecodeAttention(_KernelBase):
    """One new query token per sequence attending over ``context`` cached K and V entries.

    MHA / GQA / MQA by the head counts. ``kv_dtype`` (default: ``dtype``) is the cache's dtype; fp8/int8/
    int4 caches carry one bf16 scale per ``kv_group_size`` values. ``block_size`` > 0 models a paged
    cache: a partial last block is read whole. The work is split like a flash-decoding kernel: over
    batch x kv-heads, and over the context when that is too little to fill the machine, followed by a
    reduction of the partial results. ``split_kv`` picks the context split: ``"flash-attention"`` (default)
    is flash-attention's own heuristic, the kernel torch SDPA runs; ``"tuned"`` the fastest of the counts an
    estimate ranks best, as a serving engine's decode kernel (decode_step and serve use it); or a count.
    """

    batch: int
    q_heads: int
    kv_heads: int
    head_dim: int
    context: int
    dtype: str = "bf16"
    kv_dtype: str | None = None
    block_size: int = 0
    kv_group_size: int = 0
    split_kv: int | str = "flash-attention"
    name: str = "attention"

    def _check(self) -> None:
        _pos_int("batch", self.batch, hi=1 << 24)
        _pos_int("q_heads", self.q_heads, hi=1 << 16)
        _pos_int("kv_heads", self.kv_heads, hi=1 << 16)
        _pos_int("head_dim", self.head_dim, hi=1 << 16)
        _pos_int("context", self.context, hi=1 << 32)
        dtype_bytes(self.dtype)
        if self.kv_dtype is not None:
            dtype_bytes(self.kv_dtype, "kv_dtype")
        _pos_int("block_size", self.block_size, lo=0, hi=1 << 20)
        _pos_int("kv_group_size", self.kv_group_size, lo=0, hi=1 << 20)
        if self.q_heads % self.kv_heads:
            raise ConfigError("q_heads", f"must be a multiple of kv_heads ({self.kv_heads})", self.q_heads)
        if isinstance(self.split_kv, str):
            if self.split_kv not in SPLIT_KV_POLICIES:
                raise ConfigError("split_kv", f"must be one of {list(SPLIT_KV_POLICIES)} or a split count", self.split_kv)
        else:
            _pos_int("split_kv", self.split_kv, hi=MAX_KV_SPLITS)

    @property
    def cache_dtype(self) -> str:
        return self.kv_dtype or self.dtype

    @property
    def math_dtype(self) -> str:
        """QK^T and PV run at the query dtype's math (an fp8 attention at fp8's, as FlashAttention-3 runs it);
        a narrower cache is converted up to it."""
        return self.dtype

    def cached_tokens(self) -> int:
        if self.block_size:
            return _ceil_div(self.context, self.block_size) * self.block_size
        return self.context

    def kv_bytes(self) -> int:
        """K and V bytes read for the whole batch (scales included)."""
        vals = 2 * self.batch * self.kv_heads * self.head_dim * self.cached_tokens()
        b = math.ceil(vals * dtype_bytes(self.cache_dtype))
        if self.cache_dtype in ("fp8", "int8", "int4", "fp4"):
            group = self.kv_group_size or self.head_dim
            b += _ceil_div(vals, group) * 2
        return b

    def bytes_moved(self) -> int:
        qo = 2 * self.batch * self.q_heads * self.head_dim * dtype_bytes(self.dtype)
        return int(self.kv_bytes() + qo)

    def flops(self) -> float:
        return 4.0 * self.batch * self.q_heads * self.head_dim * self.context

    #: KV tokens per block of the flash-decoding loop
    BLOCK_N = 128

    def num_splits(self, units: int) -> int:
        """How many pieces the context is split into, by flash-attention's split-KV heuristic: none when
        batch x kv-heads already fill ~80% of the units, else the smallest split whose wave efficiency is
        within 85% of the best. A split that would not shorten the pieces (the same blocks per piece as one
        fewer split) is not eligible, neither as the answer nor as the best it is measured against."""
        groups = self.batch * self.kv_heads
        if groups >= 0.8 * units:
            return 1
        n_blocks = _ceil_div(self.cached_tokens(), self.BLOCK_N)
        max_splits = min(MAX_KV_SPLITS, n_blocks, units)
        eligible = [s for s in range(1, max_splits + 1)
                    if s == 1 or _ceil_div(n_blocks, s) != _ceil_div(n_blocks, s - 1)]
        effs = {}
        for s in eligible:
            waves = groups * s / units
            effs[s] = waves / math.ceil(waves)
        best = max(effs.values())
        return next(s for s in eligible if effs[s] >= 0.85 * best)  # the best split itself qualifies

    def combine(self, arch: Architecture, split: int) -> dict[str, Any]:
        """The split-KV combine kernel: an elementwise pass over the batch x q-heads x head_dim outputs that
        reads every split's fp32 partial output (and its log-sum-exp), rescales and sums them (3 FLOP per
        split) and writes the output in the activation dtype. Lowered as an elementwise kernel of ``split``
        inputs, whatever their number (up to MAX_KV_SPLITS: an Elementwise takes at most 64)."""
        n_out = self.batch * self.q_heads * self.head_dim
        return _elementwise_desc(arch, self.name + ".combine", n_out, "fp32", split, 1, 3.0 * split,
                                 write_bytes_per_element=dtype_bytes(self.dtype))

    def split_counts(self, arch: Architecture) -> list[int]:
        """The split counts the policy (``split_kv``) considers, best first by an analytic estimate: the one it
        is given, flash-attention's choice, or (``"tuned"``) every eligible count, ranked."""
        units = arch.compute.units
        if isinstance(self.split_kv, int):
            return [max(1, min(self.split_kv, self.cached_tokens()))]
        if self.split_kv == "flash-attention":
            return [self.num_splits(units)]
        n_blocks = _ceil_div(self.cached_tokens(), TUNED_SPLIT_TOKENS)
        top = min(MAX_KV_SPLITS, n_blocks, max(1, units))
        splits = [s for s in range(1, top + 1) if s == 1 or _ceil_div(n_blocks, s) != _ceil_div(n_blocks, s - 1)]
        return sorted(splits, key=lambda s: (self._estimate_ps(arch, s), s))

    def _estimate_ps(self, arch: Architecture, split: int) -> float:
        """Analytic time of the main kernel and its combine at ``split`` (ranks split counts; the engine decides
        among the best): each kernel's launch, a round trip, and the longer of its math and its streams. The
        streams are a fluid model of the engine's: the units share the DRAM (at most STREAM_EFFICIENCY of the
        pins) while each is held to its in-flight window per round trip (a smooth minimum of the two, see
        STREAM_SATURATION_P); the units holding one tile more than the others (the last partial wave) finish
        alone, with the bandwidth to themselves. The combine is costed alike: it is a few 16 KiB blocks at
        small batch, each reading every piece, so its time is set by its busiest units, not by the pins."""
        c = arch.compute
        d = arch.dram
        bw = arch.peak_dram_bandwidth_bytes_per_s * 1e-12
        # a load's round trip: the controller path, a row miss, and its granule on one pseudo-channel
        lat_ps = (d.access_latency_ns + d.tRCD_ns + d.tCL_ns) * 1e3 + d.interleave_bytes / (bw / d.pseudo_channels)
        unit_bw = min(c.inflight_bytes_per_unit / max(lat_ps, 1.0), c.load_bytes_per_cycle_per_unit * c.clock_ghz * 1e-3)
        descs = self.tiling(arch, split)
        est = (arch.kernel_launch_overhead_ns * len(descs) + c.matrix_kernel_setup_ns) * 1e3
        for desc in descs:
            est += lat_ps + _stream_estimate_ps(c.units, desc, bw * STREAM_EFFICIENCY, unit_bw)
        return est

    def candidates(self, arch: Architecture, top: int = 2, *, prune: bool = False) -> list[list[dict[str, Any]]]:
        """The ``top`` split counts ranked best by the estimate, each lowered; ``prune`` (what simulate() uses):
        the best-ranked one, and the next ones (at most ATTENTION_SEARCH_MAX in all) while they add at most
        ATTENTION_SEARCH_EXTRA_REQUESTS simulated DRAM requests, so that the engine picks among them as a
        tuned library times its configurations, at a cost bounded by the kernel's own."""
        splits = self.split_counts(arch)
        if not prune:
            return [self.tiling(arch, s) for s in splits[:max(1, top)]]
        from ..engine.planner import simulated_requests  # noqa: PLC0415 - the engine imports this module

        out = [self.tiling(arch, splits[0])]
        extra = 0.0
        for s in splits[1:ATTENTION_SEARCH_MAX]:
            descs = self.tiling(arch, s)
            extra += simulated_requests(arch, descs)
            if extra > ATTENTION_SEARCH_EXTRA_REQUESTS:
                break
            out.append(descs)
        return out

    def lower(self, arch: Architecture) -> list[dict[str, Any]]:
        """The split count the policy ranks best."""
        return self.tiling(arch, self.split_counts(arch)[0])

    def tiling(self, arch: Architecture, split: int) -> list[dict[str, Any]]:
        """The attention lowered with its context split ``split`` ways (split-KV: then a combine kernel)."""
        groups = self.batch * self.kv_heads
        per_token = self.kv_bytes() / (groups * self.cached_tokens())
        chunk = _ceil_div(self.cached_tokens(), split)
        tiles = groups * split
        qpk = self.q_heads // self.kv_heads
        rate = self.math_rate_flops_per_ps_per_unit(arch, self.math_dtype, True)
        # QK^T and PV on the tensor cores (the q-heads of one kv-head are padded to 16 rows)
        tile_flops = 4.0 * max(qpk, 16) * self.head_dim * chunk
        # softmax on the vector units: ~5 FLOP per score
        vrate = self.math_rate_flops_per_ps_per_unit(arch, "fp32", False)
        fixed_ns = 5.0 * qpk * chunk / vrate / 1e3
        ab = dtype_bytes(self.dtype)
        # a split's partial output rows and their log-sum-exps in fp32, else the output
        out = qpk * (self.head_dim + 1) * 4 if split > 1 else math.ceil(qpk * self.head_dim * ab)
        main = tile_desc(self.name, n_tiles=tiles, tile_read_bytes=math.ceil(per_token * chunk),
                     tile_step_bytes=math.ceil(per_token * 64), tile_flops=tile_flops,
                     flops_per_ps_per_unit=rate, tile_shared_bytes=math.ceil(qpk * self.head_dim * ab),
                     tile_write_bytes=out, tile_fixed_ns=fixed_ns,
                     kernel_fixed_ns=arch.compute.matrix_kernel_setup_ns, tiles_per_unit=2)
        if split == 1:
            return [main]
        return [main, self.combine(arch, split)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PrefillAttention(_KernelBase):
    """Attention of ``q_len`` new tokens per sequence over ``prefix`` cached tokens plus themselves, as a
    flash-attention forward kernel runs it (prefill, or one chunk of a chunked prefill).

    ``causal`` masks each query to the keys at or before it. The kernel is tiled like FlashAttention-3
    on Hopper: one tile (CTA) per sequence, q-head and block of ``BLOCK_M`` queries, one resident per
    unit; a tile walks the keys it can see in ``BLOCK_N`` steps, computing S = QK^T and O += PV on the
    matrix units (the diagonal block of a causal tile whole, masked). Every key and value is read from
    DRAM once per (sequence, kv-head): the other query tiles of the same kv-head read them from the
    on-chip level. The softmax (5 FLOP per score on the vector units, as in DecodeAttention) overlaps
    the matrix work (FA3's ping-pong of two consumer warpgroups); only its excess over the matrix time
    is added per tile. Q is read and O written once.
    """

    batch: int
    q_len: int
    q_heads: int
    kv_heads: int
    head_dim: int
    prefix: int = 0
    causal: bool = True
    dtype: str = "bf16"
    kv_dtype: str | None = None
    name: str = "prefill_attention"

    #: queries per tile and keys per step (FA3's tile shape for head_dim 128 on Hopper)
    BLOCK_M = 128
    BLOCK_N = 128

    def _check(self) -> None:
        _pos_int("batch", self.batch, hi=1 << 24)
        _pos_int("q_len", self.q_len, hi=1 << 26)
        _pos_int("prefix", self.prefix, lo=0, hi=1 << 32)
        _pos_int("q_heads", self.q_heads, hi=1 << 16)
        _pos_int("kv_heads", self.kv_heads, hi=1 << 16)
        _pos_int("head_dim", self.head_dim, hi=1 << 16)
        if not isinstance(self.causal, bool):
            raise ConfigError("causal", "must be True or False", self.causal)
        dtype_bytes(self.dtype)
        if self.kv_dtype is not None:
            dtype_bytes(self.kv_dtype, "kv_dtype")
        if self.q_heads % self.kv_heads:
            raise ConfigError("q_heads", f"must be a multiple of kv_heads ({self.kv_heads})", self.q_heads)

    @property
    def cache_dtype(self) -> str:
        return self.kv_dtype or self.dtype

    @property
    def math_dtype(self) -> str:
        return "fp8" if self.dtype == "fp8" else "bf16"

    def scores(self) -> int:
        """Query-key pairs computed (unmasked) per sequence and head."""
        q, p = self.q_len, self.prefix
        return q * p + (q * (q + 1) // 2 if self.causal else q * q)

    def flops(self) -> float:
        return 4.0 * self.batch * self.q_heads * self.head_dim * self.scores()

    def kv_bytes(self) -> int:
        """K and V bytes of the whole batch (scales included), read once."""
        vals = 2 * self.batch * self.kv_heads * self.head_dim * (self.prefix + self.q_len)
        b = math.ceil(vals * dtype_bytes(self.cache_dtype))
        if self.cache_dtype in ("fp8", "int8", "int4", "fp4"):
            b += _ceil_div(vals, self.head_dim) * 2
        return b

    def bytes_moved(self) -> int:
        qo = 2 * self.batch * self.q_len * self.q_heads * self.head_dim * dtype_bytes(self.dtype)
        return int(self.kv_bytes() + qo)

    def lower(self, arch: Architecture) -> list[dict[str, Any]]:
        bm = min(self.BLOCK_M, self.q_len)
        mb = _ceil_div(self.q_len, bm)
        tiles = self.batch * self.q_heads * mb
        total = self.prefix + self.q_len
        if self.causal:  # block i sees the prefix and the keys up to its last query
            keys = sum(min(total, self.prefix + (i + 1) * bm) for i in range(mb)) / mb
        else:
            keys = float(total)
        if keys > self.BLOCK_N:  # whole key blocks
            keys = float(math.ceil(keys / self.BLOCK_N) * self.BLOCK_N)
        ab = dtype_bytes(self.dtype)
        per_token = self.kv_bytes() / (self.batch * self.kv_heads * total)
        q_tile = math.ceil(bm * self.head_dim * ab)
        sharing = (self.q_heads // self.kv_heads) * mb  # tiles reading one (sequence, kv-head)'s K and V
        dram = q_tile + math.ceil(per_token * total / sharing)
        shared = max(0, math.ceil(per_token * keys) - (dram - q_tile))
        rate = self.math_rate_flops_per_ps_per_unit(arch, self.math_dtype, True)
        vrate = self.math_rate_flops_per_ps_per_unit(arch, "fp32", False)
        tile_flops = 4.0 * bm * self.head_dim * keys
        softmax_ps = 5.0 * bm * keys / vrate
        fixed_ns = max(0.0, softmax_ps - tile_flops / rate) / 1e3
        steps = max(1, math.ceil(keys / self.BLOCK_N))
        return [tile_desc(self.name, n_tiles=tiles, tile_read_bytes=dram, tile_step_bytes=_ceil_div(dram, steps),
                      tile_flops=tile_flops, flops_per_ps_per_unit=rate, tile_shared_bytes=shared,
                      tile_write_bytes=q_tile, tile_fixed_ns=fixed_ns,
                      kernel_fixed_ns=arch.compute.matrix_kernel_setup_ns, tiles_per_unit=1)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Moe(_KernelBase):
    """A mixture-of-experts MLP for ``tokens`` tokens: each token goes to ``top_k`` of ``n_experts`` routed
    experts (plus ``n_shared_experts`` every token uses).

    Only the experts the batch touches are read: E * (1 - (1 - k/E)^B) of them on average for uniform
    routing, fewer when routing is skewed (``routing_zipf_s`` > 0: expert popularity ~ 1 / rank^s). The
    touched experts' gate/up and down projections run as two grouped GEMVs over ceil(B * k / experts)
    tokens each; shared experts as two GEMVs over all tokens.
    """

    tokens: int
    n_experts: int
    top_k: int
    d_model: int
    expert_d_ff: int
    n_shared_experts: int = 0
    shared_d_ff: int = 0
    dtype: str = "bf16"
    weight_dtype: str | None = None
    group_size: int = 0
    activation_dtype: str | None = None
    scale_bits: int = 16
    routing_zipf_s: float = 0.0
    name: str = "moe"

    def _check(self) -> None:
        _pos_int("tokens", self.tokens, hi=1 << 20)
        _pos_int("n_experts", self.n_experts, hi=1 << 16)
        _pos_int("top_k", self.top_k, hi=1 << 16)
        if self.top_k > self.n_experts:
            raise ConfigError("top_k", f"must be <= n_experts ({self.n_experts})", self.top_k)
        _pos_int("d_model", self.d_model, hi=1 << 24)
        _pos_int("expert_d_ff", self.expert_d_ff, hi=1 << 24)
        _pos_int("n_shared_experts", self.n_shared_experts, lo=0, hi=1 << 10)
        _pos_int("shared_d_ff", self.shared_d_ff, lo=0, hi=1 << 24)
        dtype_bytes(self.dtype)
        if self.weight_dtype is not None:
            dtype_bytes(self.weight_dtype, "weight_dtype")
        _pos_int("group_size", self.group_size, lo=0)
        if self.activation_dtype is not None:
            dtype_bytes(self.activation_dtype, "activation_dtype")
        _pos_int("scale_bits", self.scale_bits, hi=64)
        _finite("routing_zipf_s", self.routing_zipf_s, hi=10.0)

    @property
    def math_dtype(self) -> str:
        if self.activation_dtype is not None:
            return self.activation_dtype
        return "bf16" if self.dtype in ("int4", "fp4") else self.dtype

    def expected_experts(self) -> float:
        """Expected number of distinct routed experts the tokens touch."""
        from ..models.spec import expected_distinct_experts, expected_distinct_experts_skewed

        if self.routing_zipf_s > 0:
            return expected_distinct_experts_skewed(self.n_experts, self.top_k, self.tokens, self.routing_zipf_s)
        return expected_distinct_experts(self.n_experts, self.top_k, self.tokens)

    def gemvs(self) -> list[Gemv]:
        experts = self.expected_experts()
        n_exp = max(1, round(experts))
        per_expert = max(1, math.ceil(self.tokens * self.top_k / experts))
        kw = dict(dtype=self.dtype, weight_dtype=self.weight_dtype, group_size=self.group_size,
                  activation_dtype=self.activation_dtype, scale_bits=self.scale_bits)
        out = [
            Gemv(name=self.name + ".experts_gate_up", m=per_expert, n=2 * self.expert_d_ff * n_exp, k=self.d_model, **kw),
            Gemv(name=self.name + ".experts_down", m=per_expert, n=self.d_model * n_exp, k=self.expert_d_ff, **kw),
        ]
        if self.n_shared_experts:
            sff = (self.shared_d_ff or self.expert_d_ff) * self.n_shared_experts
            out += [Gemv(name=self.name + ".shared_gate_up", m=self.tokens, n=2 * sff, k=self.d_model, **kw),
                    Gemv(name=self.name + ".shared_down", m=self.tokens, n=self.d_model, k=sff, **kw)]
        return out

    def weight_bytes(self) -> int:
        return sum(g.weight_bytes() for g in self.gemvs())

    def bytes_moved(self) -> int:
        return sum(g.bytes_moved() for g in self.gemvs())

    def flops(self) -> float:
        return sum(g.flops() for g in self.gemvs())

    def lower(self, arch: Architecture) -> list[dict[str, Any]]:
        return [d for g in self.gemvs() for d in g.lower(arch)]


Kernel = (Gemv, Elementwise, DecodeAttention, PrefillAttention, Moe)

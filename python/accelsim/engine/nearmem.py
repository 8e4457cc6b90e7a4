"""Beyond HBM: near-memory compute (PNM / PIM), High Bandwidth Flash, placement.

A machine with ``arch.near_memory`` or ``arch.hbf`` is simulated kernel by kernel here (simulate()'s
``simulate_one`` hands it over); a machine with neither never reaches this module.

Near-memory compute (``arch.near_memory``)
    An offloaded kernel runs on the near-memory units, and the memory side is simulated by the same DES
    engine on the machine those units see (:func:`effective_arch`): for PNM, every stack's base-die
    engines reading that stack's pseudo-channels through the TSVs (``internal_pc_bus_width_bits`` wide,
    the DRAM's own timings, a short ``access_latency_ns``); for PIM, one unit per bank group or per
    ``banks_per_unit`` banks, each with a private ``column_bytes``-per-column-access path from its banks'
    row buffers, the column rate set by tCCD_L and the command bus (one command drives
    ``units_per_command`` units). Weights / KV are partitioned across the units that hold them (rows of
    W, kv-heads); the host broadcasts the kernel's input vector(s) to every stack (PNM) or pseudo-channel
    (PIM) and reads the results back: those two transfers are simulated on the host machine and added,
    with ``offload_overhead_ns`` in place of the launch overhead.

    What is offloaded: a kernel kind in both ``near_memory.supported_ops`` and ``placement.offload``, with
    math the units have for its dtype, and (GEMV, MoE) at most ``max_gemv_m`` tokens; anything else
    (softmax-carrying attention on PIM, large batches, elementwise kernels) runs on the host.
    ``placement.offload_when`` = "always" offloads whatever is supported; "faster" (the default) keeps the
    faster of the two simulations, as a runtime that knows both would.

High Bandwidth Flash (``arch.hbf``)
    With ``placement.weights_tier == "flash"`` (the default when there is an hbf tier), every GEMV / MoE
    streams its weights from flash: the stream is simulated page by page in C++ (planes, channels,
    the stack interface, ``pages_in_flight_per_stack`` outstanding reads; csrc/src/flash.cpp) and
    overlaps the kernel's host-side simulation (activations, math, L2, launch); the kernel takes the
    longer of the two (the host side is the kernel's simulation with the weight stream taken off DRAM:
    pages land in on-chip staging). The KV cache must stay in DRAM (PlacementSpec rejects ``kv_cache_tier="flash"``)
    and decode_step checks each tier's capacity on its own (:func:`tiered_capacity`).

Energy (``arch.energy``; accelsim.engine.energy has the rule)
    An offloaded kernel's near-memory part charges its DRAM bytes on its level's path (PNM: base die, PIM:
    bank) at ``near_memory.internal_pj_per_bit`` and its FLOPs at ``near_memory.compute_pj_per_flop``
    (:func:`accelsim.engine.energy.near_memory_energy_components`); the input broadcast and result gather are host
    DRAM traffic (interface, L2, local SRAM); static power runs over the whole kernel time. A flash-fed
    kernel charges ``hbf.read_pj_per_bit`` for its flash bytes, which then cross the on-chip SRAM levels like
    DRAM bytes. Host-placed kernels are charged exactly as on the host machine. Without an energy spec
    every row's energy is NaN, as on any machine.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from ..spec.machine import Architecture, ComputeSpec, DramSpec
from ..spec.nearmem import HbfSpec, PlacementSpec
from .energy import (COMPONENTS, add_components, busy_power_w, kernel_energy_components,
                     near_memory_energy_components)
from ..errors import ConfigError
from ..workload.kernels import DecodeAttention, Elementwise, Gemv, Moe
from ..dtypes import dtype_bytes

__all__ = ["effective_arch", "host_view", "policy", "offloadable", "simulate_placed", "flash_read",
           "tiered_capacity", "near_memory_units", "internal_peak_bandwidth_bytes_per_s", "summary", "unit_dram",
           "attention_gemvs", "buffer_die_arch"]


def host_view(arch: Architecture) -> Architecture:
    """The machine without its near-memory units and flash tier: where host-side kernels run."""
    return arch.replace(near_memory=None, hbf=None, placement=None)


def policy(arch: Architecture) -> PlacementSpec:
    """``arch.placement``, or the default: weights on flash when there is a flash tier, KV in DRAM,
    every supported kernel kind offloaded when that is faster."""
    if arch.placement is not None:
        return arch.placement
    return PlacementSpec(weights_tier="flash" if arch.hbf is not None else "dram", kv_cache_tier="dram",
                         offload=("gemv", "moe", "attention"), offload_when="faster")


def _activates(arch: Architecture, raw: list[dict[str, Any]], fidelity: str) -> int:
    """Row activations of simulated descriptors (roofline has no DRAM model: one per row of bytes)."""
    if fidelity == "roofline":
        nbytes = sum(r["dram_read_bytes"] + r["dram_write_bytes"] for r in raw)
        return -(-nbytes // arch.dram.row_bytes)
    return sum(int(r.get("activates", 0)) for r in raw)


# ------------------------------------------------------------------------------------------ near memory


def unit_dram(arch: Architecture) -> DramSpec:
    """The DRAM the near-memory units sit in: their own pool (``near_memory.pool``) or the host's DRAM. The
    units are in the stacks: the path between the host's compute and its controllers
    (``fabric_bandwidth_gb_per_s``) is not on theirs."""
    nm = arch.near_memory
    d = nm.pool if nm is not None and nm.pool is not None else arch.dram
    return d.replace(fabric_bandwidth_gb_per_s=0.0) if d.fabric_bandwidth_gb_per_s > 0 else d


def _pim_units_per_pc(arch: Architecture) -> tuple[int, int]:
    """(units per pseudo-channel, banks per unit) of a PIM design (only the banks that carry units count)."""
    d, nm = unit_dram(arch), arch.near_memory
    assert nm is not None
    banks = d.bank_groups * d.banks_per_group
    if nm.unit_banks_per_pseudo_channel:
        banks = min(banks, nm.unit_banks_per_pseudo_channel)
    if nm.level == "pim_bankgroup":
        groups = min(d.bank_groups, banks)
        return groups, max(1, banks // groups)
    units = max(1, banks // nm.banks_per_unit)
    return units, max(1, banks // units)


def near_memory_units(arch: Architecture) -> int:
    """Near-memory units over all stacks."""
    nm = arch.near_memory
    if nm is None:
        return 0
    if nm.level == "pnm":
        return nm.units_per_stack * unit_dram(arch).stacks
    return unit_dram(arch).pseudo_channels * _pim_units_per_pc(arch)[0]


def _pim_column_period_ns(arch: Architecture) -> float:
    """A PIM unit's column (MAC) access interval: ``column_period_ns`` (0 = tCCD_L) or the command-bus share,
    whichever is longer."""
    d, nm = unit_dram(arch), arch.near_memory
    assert nm is not None
    units_pc = _pim_units_per_pc(arch)[0]
    per_command = min(nm.units_per_command, units_pc)
    column = nm.column_period_ns if nm.column_period_ns > 0 else d.tCCD_L_ns
    return max(column, nm.command_period_ns * units_pc / per_command)


def effective_arch(arch: Architecture) -> Architecture:
    """The machine the near-memory units see: they are its compute units, the stacks' internal paths
    its DRAM (organisation and timings from :func:`unit_dram`: the pool, or ``arch.dram``), no L2,
    ``offload_overhead_ns`` per kernel."""
    nm = arch.near_memory
    if nm is None:
        raise ConfigError("near_memory", "the machine has no near-memory units")
    d = unit_dram(arch)
    if nm.level == "pnm":
        width = nm.internal_pc_bus_width_bits or d.pc_bus_width_bits
        bl = d.burst_length
        while width * bl // 8 > d.row_bytes and bl > 1:
            bl //= 2
        burst = width * bl // 8
        il = min(d.row_bytes, max(d.interleave_bytes, burst))
        dram = d.replace(pc_bus_width_bits=width, burst_length=bl, interleave_bytes=il,
                         access_latency_ns=nm.access_latency_ns)
    else:
        units_pc, banks_unit = _pim_units_per_pc(arch)
        period = _pim_column_period_ns(arch)
        col = min(nm.column_bytes, d.row_bytes)
        dram = d.replace(
            channels_per_stack=d.channels_per_stack * d.pseudo_channels_per_channel,
            pseudo_channels_per_channel=units_pc,
            bank_groups=1, banks_per_group=banks_unit,
            pc_bus_width_bits=col * 8, burst_length=1, data_rate_gbps=1.0 / period,
            # a unit's banks share one column path: every access is the column period (tCCD_L or the
            # PIM-mode MAC interval, or the command share) apart; all-bank activation (no tRRD / tFAW between
            # units' banks: each unit is its own channel here). The device's read-to-write turnaround stays
            # what it is in ns (this "pin rate" is the units' column rate, not the device clock)
            tCCD_S_ns=period, tCCD_L_ns=period, tRTW_ns=d.tRTW_ns, tRRD_S_ns=0.0, tRRD_L_ns=0.0, tFAW_ns=0.0,
            interleave_bytes=min(d.row_bytes, max(col, d.interleave_bytes)),
            access_latency_ns=nm.access_latency_ns,
        )
    units = near_memory_units(arch)
    per_unit_bw = dram.peak_bandwidth_bytes_per_s / units  # bytes/s
    compute = ComputeSpec(
        units=units,
        clock_ghz=nm.clock_ghz,
        matrix_flops_per_cycle_per_unit=nm.matrix_flops_per_cycle_per_unit,
        matrix_sustained_fraction=1.0,  # fixed-function MAC lanes run at their rate
        vector_flops_per_cycle_per_unit=nm.vector_flops_per_cycle_per_unit,
        # PNM engines keep their buffer's worth of reads outstanding (reads land in it); a PIM unit's column
        # reads are issued by the controller, which keeps every bank of the unit busy (a row each) ahead of
        # it, straight into the unit's lanes (no local store caps them: 0)
        local_sram_bytes_per_unit=nm.buffer_bytes_per_unit if nm.level == "pnm" else 0,
        max_inflight_bytes_per_unit=(nm.buffer_bytes_per_unit if nm.level == "pnm" else
                                     max(nm.buffer_bytes_per_unit, dram.banks_per_pseudo_channel * dram.row_bytes)),
        # the unit's intake is its memory path (4x headroom: the DRAM side is what limits)
        load_bytes_per_cycle_per_unit=4.0 * per_unit_bw / (nm.clock_ghz * 1e9),
        matrix_kernel_setup_ns=0.0,
    )
    return Architecture(name=f"{arch.name}/{nm.level}", description=f"near-memory view of {arch.name}",
                        compute=compute, l2=None, dram=dram, kernel_launch_overhead_ns=nm.offload_overhead_ns)


def internal_peak_bandwidth_bytes_per_s(arch: Architecture) -> float:
    """Peak bandwidth all near-memory units together read from their DRAM."""
    return effective_arch(arch).peak_dram_bandwidth_bytes_per_s


def _kind(kernel: Any) -> str | None:
    if isinstance(kernel, Gemv):
        return "gemv"
    if isinstance(kernel, Moe):
        return "moe"
    if isinstance(kernel, DecodeAttention):
        return "attention"
    return None


def offloadable(arch: Architecture, kernel: Any) -> tuple[bool, str]:
    """(True, "") when ``kernel`` may run on ``arch``'s near-memory units, else (False, why not)."""
    nm = arch.near_memory
    if nm is None:
        return False, "no near-memory units"
    kind = _kind(kernel)
    if kind is None:
        return False, f"{type(kernel).__name__} kernels run on the host"
    pol = policy(arch)
    if kind not in pol.offload:
        return False, f"placement.offload excludes {kind!r}"
    if not nm.supports(kind):
        why = " (needs softmax near memory)" if kind == "attention" else ""
        return False, f"near_memory.supported_ops lacks {kind!r}{why}"
    if kind in ("gemv", "moe") and pol.weights_tier == "flash" and arch.hbf is not None:
        return False, "weights are on flash, not in the stacks holding the near-memory units"
    if kind in ("gemv", "moe") and nm.pool is not None:
        return False, "weights are in the host's DRAM; the near-memory pool holds the KV cache"
    if kind == "gemv":
        ms, dtypes = [kernel.m], [kernel.math_dtype]
    elif kind == "moe":
        gs = kernel.gemvs()
        ms, dtypes = [g.m for g in gs], [g.math_dtype for g in gs]
    elif nm.level == "pnm":
        ms, dtypes = [], ["bf16"]
    else:  # QK^T and PV as GEMVs over the cache, the q-heads of one kv-head as m (in passes of max_gemv_m)
        qk = attention_gemvs(kernel, nm.max_gemv_m)[0]
        ms, dtypes = [qk.m], [qk.math_dtype]
    if any(m > nm.max_gemv_m for m in ms):
        what = "q-heads per kv-head" if kind == "attention" else "tokens"
        return False, f"m = {max(ms)} {what} > near_memory.max_gemv_m ({nm.max_gemv_m})"
    for dt in dtypes:
        if nm.matrix_flops_per_cycle_per_unit.get(dt) <= 0:
            return False, f"near-memory units have no {dt} math"
    return True, ""


def _transfer_bytes(arch: Architecture, kernel: Any) -> tuple[int, int]:
    """(input bytes broadcast by the host, result bytes read back) for an offloaded kernel."""
    nm = arch.near_memory
    assert nm is not None
    d = unit_dram(arch)
    targets = d.stacks if nm.level == "pnm" else d.pseudo_channels
    if isinstance(kernel, DecodeAttention):  # q goes to the stack holding its kv-head; o comes back
        qo = math.ceil(kernel.batch * kernel.q_heads * kernel.head_dim * dtype_bytes(kernel.dtype))
        return qo + _new_kv_bytes(arch, kernel), qo
    gemvs = kernel.gemvs() if isinstance(kernel, Moe) else [kernel]
    eff = effective_arch(arch)
    x = sum(math.ceil(g.m * g.k * g.act_bytes_per_element) for g in gemvs) * targets
    y = 0
    for g in gemvs:
        split = _gemv_split(eff, g)[1]
        y += math.ceil(g.m * g.n * (4 * split if split > 1 else g.out_bytes_per_element))
    return x, y


def _new_kv_bytes(arch: Architecture, kernel: DecodeAttention) -> int:
    """The step's new K and V (one token per sequence) that the host sends to a near-memory pool holding the
    KV cache (0 when the cache is in the host's own DRAM: the host's kv-write kernel stores it there)."""
    if policy(arch).kv_cache_tier != "pool":
        return 0
    one = dataclasses.replace(kernel, context=1, block_size=0)
    return one.kv_bytes()


def attention_gemvs(kernel: DecodeAttention, max_m: int = 1 << 20) -> tuple[Gemv, Gemv]:
    """Decode attention as the two GEMVs bank-level PIM runs over the KV cache (the q-heads of one kv-head
    are the GEMV's m): QK^T reads K (``batch * kv_heads * context`` rows of ``head_dim``) against q, PV reads
    V^T (``batch * kv_heads * head_dim`` rows of ``context``) against the softmax's probabilities. Their
    weight bytes are the cache's K and V bytes (scales included); their FLOPs are the kernel's. More q-heads
    per kv-head than the units hold at once (``max_m``) run in passes that each read the cache again."""
    qpk = kernel.q_heads // kernel.kv_heads
    passes = -(-qpk // max_m)
    qpk = -(-qpk // passes)
    groups = kernel.batch * kernel.kv_heads * passes
    ctx = kernel.cached_tokens()
    cache = kernel.cache_dtype
    quant = cache in ("fp8", "int8", "int4", "fp4")
    common: dict[str, Any] = dict(dtype=kernel.dtype, weight_dtype=None if cache == kernel.dtype else cache,
                                  group_size=(kernel.kv_group_size or kernel.head_dim) if quant else 0)
    qk = Gemv(name=f"{kernel.name}.qk", m=qpk, n=groups * ctx, k=kernel.head_dim, **common)
    pv = Gemv(name=f"{kernel.name}.pv", m=qpk, n=groups * kernel.head_dim, k=ctx, **common)
    return qk, pv


def _unpadded(kernel: Any, descs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Near-memory MAC lanes run a GEMV / attention without the host tensor cores' padding of m (or of the
    q-heads of a kv-head) to 16 rows: the main kernel's tiles carry their true share of the FLOPs."""
    out = []
    for d in descs:
        d = dict(d)
        if d["name"] == kernel.name:
            d["tile_flops"] = min(d["tile_flops"], kernel.flops() / d["n_tiles"])
        out.append(d)
    return out


def _gemv_split(eff: Architecture, g: Gemv) -> tuple[int, int]:
    """(rows of W per tile, k-splits): W's rows are spread over every unit (a bank holds whole rows, so
    tiles can be a few rows); when there are fewer row blocks than units, k is split too and the fp32
    partial sums cross the interface to the host, which adds them up."""
    units = eff.compute.units
    bn = max(1, math.ceil(g.n / units))
    tiles = math.ceil(g.n / bn)
    split = 1
    if tiles < 0.8 * units:
        split = max(1, min(units // tiles, g.k // 256, 64))
    return bn, split


def _gemv_options(eff: Architecture, g: Gemv) -> list[list[dict[str, Any]]]:
    """Near-memory GEMV tilings: rows spread over all units (with k split if needed), and no k split; the
    split's reduction is not a near-memory kernel (see _transfer_bytes)."""
    bn, split = _gemv_split(eff, g)
    opts = [(bn, split)] + ([(bn, 1)] if split > 1 else [])
    return [[_whole_bursts(eff, d) for d in g.tiling(eff, 16, b, s)[:1]] for b, s in opts]


def _whole_bursts(eff: Architecture, d: dict[str, Any]) -> dict[str, Any]:
    """A tile's stream in whole bursts of the units' DRAM (a bank-level unit reads whole columns): a tile of
    a few bytes (attention's PV over a context of a token or two: 2 bytes a row) still reads one burst. The
    core lays tiles' streams end to end, so without this 512 such tiles shared one column path and a 1-token
    context took longer than a 3-token one."""
    burst = eff.dram.burst_bytes
    rb = d["tile_read_bytes"]
    if burst <= 1 or rb <= 0 or rb % burst == 0:
        return d
    return dict(d, tile_read_bytes=-(-rb // burst) * burst)


def run_whole(eff: Architecture, descs: list[dict[str, Any]], fidelity: str) -> list[dict[str, Any]]:
    """Simulate near-memory kernels without `fast`'s truncate-and-extrapolate: a near-memory unit's tile is
    memory-latency-bound when short and compute-bound when long (slow MAC lanes), so the linear
    extrapolation from short runs underestimates it (by up to ~15% on PIM). Whole runs cost < 1 s."""
    from .core import run_kernels
    from .limits import check_whole_run

    if fidelity != "roofline":
        for d in descs:
            check_whole_run(eff, d, fidelity)
    return run_kernels(eff, descs, fidelity)


def _core_row(eff: Architecture, kernel: Any, fidelity: str) -> Any:
    """The offloaded kernel on the near-memory machine: each candidate tiling simulated, the fastest kept."""
    return _core_run(eff, kernel, fidelity)[0]


def _core_run(eff: Architecture, kernel: Any, fidelity: str) -> tuple[Any, float, float]:
    """:func:`_core_row` and its roofline's DRAM and compute bounds (s)."""
    from .result import KernelRow, classify
    from .simulate import roofline_of

    parts = kernel.gemvs() if isinstance(kernel, Moe) else [kernel]
    raw: list[dict[str, Any]] = []
    roof = dram_s = compute_s = 0.0
    for part in parts:
        options = (_gemv_options(eff, part) if isinstance(part, Gemv) else
                   part.candidates(eff, prune=True) if isinstance(part, DecodeAttention) else [part.lower(eff)])
        options = [_unpadded(part, descs) for descs in options]
        best: list[dict[str, Any]] = []
        for descs in options:
            res = run_whole(eff, descs, fidelity)
            if not best or sum(r["time_ps"] for r in res) < sum(r["time_ps"] for r in best):
                best = res
        raw += best
        r, dr, cp = roofline_of(eff, options)
        roof, dram_s, compute_s = roof + r, dram_s + dr, compute_s + cp
    t = sum(r["time_ps"] for r in raw) * 1e-12
    launch_s = raw[0]["launch_ps"] * 1e-12
    bound = classify(t, launch_s, dram_s, compute_s)
    keys = ("dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "dram_requests", "row_hits", "row_misses",
            "refreshes", "events")
    row = KernelRow(name=getattr(kernel, "name", type(kernel).__name__), time_s=t, launch_s=launch_s,
                    flops=kernel.flops(), bound=bound, roofline_s=roof, activates=_activates(eff, raw, fidelity),
                    **{k: sum(r[k] for r in raw) for k in keys})
    return row, dram_s, compute_s


@dataclasses.dataclass(frozen=True)
class _Moved:
    """Data the host moves to or from near-memory units: time, host-DRAM counts and energy components."""

    time_s: float = 0.0
    dram_read_bytes: int = 0
    dram_write_bytes: int = 0
    activates: int = 0
    dram_requests: int = 0
    events: int = 0
    roofline_s: float = 0.0
    energy: tuple[tuple[str, float], ...] = ()
    row_hits: int = 0
    row_misses: int = 0
    refreshes: int = 0

    @staticmethod
    def of_row(arch: Architecture, row: Any, *, dram_path: str = "host", flops: float = 0.0) -> "_Moved":
        e = kernel_energy_components(arch, time_s=row.time_s, dram_read_bytes=row.dram_read_bytes,
                                     dram_write_bytes=row.dram_write_bytes, l2_read_bytes=0, activates=row.activates,
                                     flops=flops, math_dtype=None, dram_path=dram_path)
        return _Moved(row.time_s, row.dram_read_bytes, row.dram_write_bytes, row.activates, row.dram_requests,
                      row.events, row.roofline_s, e, row.row_hits, row.row_misses, row.refreshes)


def _link(arch: Architecture, nbytes: int) -> _Moved:
    """``nbytes`` over the host <-> pool link (one direction): latency + bytes / bandwidth; link energy and
    the host's active floor (static and busy power) over that time."""
    nm = arch.near_memory
    assert nm is not None and nm.pool is not None
    if nbytes <= 0:
        return _Moved(energy=() if arch.energy is None else _zero())
    bw = nm.pool_link_gb_per_s * 1e9
    t = nm.pool_link_latency_ns * 1e-9 + nbytes / bw
    energy: tuple[tuple[str, float], ...] = ()
    if arch.energy is not None:
        energy = tuple((c, 8.0 * nbytes * nm.pool_link_pj_per_bit * 1e-12 if c == "link"
                        else arch.energy.static_power_w * t if c == "static"
                        else busy_power_w(arch) * t if c == "busy" else 0.0) for c in COMPONENTS)
    return _Moved(time_s=t, roofline_s=nbytes / bw, energy=energy)


def _zero() -> tuple[tuple[str, float], ...]:
    return tuple((c, 0.0) for c in COMPONENTS)


def _host_moves(arch: Architecture, host: Architecture, x: int, y: int, fidelity: str) -> tuple[_Moved, _Moved]:
    """The host sends ``x`` bytes to the units and reads ``y`` back: over the pool link, or as writes and
    reads of its own DRAM (simulated on the host machine; they pass its L2 and local SRAM for energy)."""
    from .simulate import simulate_one

    assert arch.near_memory is not None
    if arch.near_memory.pool is not None:
        return _link(arch, x), _link(arch, y)
    wire = host.replace(kernel_launch_overhead_ns=0.0, l2=None)  # writes complete at the DRAM side
    t_in = simulate_one(wire, Elementwise(name="broadcast", n_elements=max(1, x), dtype="int8", reads=0, writes=1,
                                          flops_per_element=0.0), fidelity)
    t_out = simulate_one(wire, Elementwise(name="gather", n_elements=max(1, y), dtype="int8", reads=1, writes=0,
                                           flops_per_element=0.0), fidelity)
    return _Moved.of_row(host, t_in), _Moved.of_row(host, t_out)


def _assemble(arch: Architecture, core: Any, core_e: tuple[tuple[str, float], ...], moves: list[_Moved],
              interface_bytes: int) -> Any:
    """One offloaded kernel's row: its near-memory part ``core`` plus the host-side moves, in series."""
    assert arch.near_memory is not None
    return dataclasses.replace(
        core,
        activates=core.activates + sum(m.activates for m in moves),
        energy_components_j=add_components(core_e, *(m.energy for m in moves)),
        time_s=core.time_s + math.fsum(m.time_s for m in moves),
        dram_read_bytes=core.dram_read_bytes + sum(m.dram_read_bytes for m in moves),
        dram_write_bytes=core.dram_write_bytes + sum(m.dram_write_bytes for m in moves),
        roofline_s=core.roofline_s + math.fsum(m.roofline_s for m in moves),
        dram_requests=core.dram_requests + sum(m.dram_requests for m in moves),
        # every request a hit or a miss, the host's moves too
        row_hits=core.row_hits + sum(m.row_hits for m in moves),
        row_misses=core.row_misses + sum(m.row_misses for m in moves),
        refreshes=core.refreshes + sum(m.refreshes for m in moves),
        events=core.events + sum(m.events for m in moves),
        placement=arch.near_memory.level,
        interface_bytes=interface_bytes,
    )


def _nearmem_row(arch: Architecture, host: Architecture, kernel: Any, fidelity: str) -> Any:
    nm = arch.near_memory
    assert nm is not None
    if isinstance(kernel, DecodeAttention) and nm.level != "pnm":
        return _pim_attention_row(arch, host, kernel, fidelity)
    eff = effective_arch(arch)
    core = _core_row(eff, kernel, fidelity)
    x, y = _transfer_bytes(arch, kernel)
    t_in, t_out = _host_moves(arch, host, x, y, fidelity)
    # energy: the near-memory part on its level's path; broadcast and gather as host DRAM traffic (through
    # the host's L2 and local SRAM: the wire machine has no L2 only so that its writes time at the DRAM), or
    # as link traffic to a pool
    core_e = near_memory_energy_components(arch, time_s=core.time_s, dram_read_bytes=core.dram_read_bytes,
                                           dram_write_bytes=core.dram_write_bytes, activates=core.activates,
                                           flops=core.flops, math_dtype=kernel.math_dtype)
    return _assemble(arch, core, core_e, [t_in, t_out], x + y)


def buffer_die_arch(arch: Architecture) -> Architecture:
    """The machine the stacks' buffer (base) dies form for softmax: one vector engine per pseudo-channel with
    ``buffer_die_gflops_per_stack`` over a stack, reading the banks at the stack's interface rate (the TSVs
    are as wide as the host interface), the units' access latency, no L2, no launch gap (it follows the
    units' command sequence)."""
    nm = arch.near_memory
    if nm is None:
        raise ConfigError("near_memory", "the machine has no near-memory units")
    if not nm.buffer_die_gflops_per_stack > 0:
        raise ConfigError("near_memory.buffer_die_gflops_per_stack", "the buffer die has no vector units (0)",
                          nm.buffer_die_gflops_per_stack)
    from ..spec.machine import DtypeRates

    d = unit_dram(arch).replace(access_latency_ns=nm.access_latency_ns)
    engines = d.pseudo_channels
    clock = 1.0  # GHz; the rate per engine carries the figure
    vec = nm.buffer_die_gflops_per_stack * d.stacks / engines / clock
    per_engine_bw = d.peak_bandwidth_bytes_per_s / engines
    compute = ComputeSpec(
        units=engines, clock_ghz=clock,
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=vec, bf16=vec, fp16=vec, fp8=vec, int8=vec, int4=vec, fp4=vec),
        matrix_sustained_fraction=1.0, vector_flops_per_cycle_per_unit=vec,
        local_sram_bytes_per_unit=max(nm.buffer_bytes_per_unit, d.row_bytes),
        max_inflight_bytes_per_unit=d.banks_per_pseudo_channel * d.row_bytes,
        load_bytes_per_cycle_per_unit=4.0 * per_engine_bw / (clock * 1e9),
        matrix_kernel_setup_ns=0.0,
    )
    return Architecture(name=f"{arch.name}/buffer_die", description=f"buffer dies of {arch.name}'s stacks",
                        compute=compute, l2=None, dram=d, kernel_launch_overhead_ns=0.0)


def _pim_attention_row(arch: Architecture, host: Architecture, kernel: DecodeAttention, fidelity: str) -> Any:
    """Decode attention on bank-level PIM: the host sends q (and, to a pool, the new token's K and V);
    the units run QK^T as an all-bank GEMV over K; the softmax runs on the buffer die (the scores leave
    the banks and the probabilities return at the stacks' interface rate) or on the host (the scores cross
    the host interface / pool link both ways); the units run PV over V^T; the output comes back. The
    phases run one after the other; one offload overhead covers the whole command sequence."""
    from .result import classify
    from .simulate import simulate_one

    nm = arch.near_memory
    assert nm is not None
    eff = effective_arch(arch)
    qk, pv = attention_gemvs(kernel, nm.max_gemv_m)
    r_qk, qk_dram_s, qk_compute_s = _core_run(eff, qk, fidelity)
    r_pv, pv_dram_s, pv_compute_s = _core_run(eff.replace(kernel_launch_overhead_ns=0.0), pv, fidelity)
    ab = dtype_bytes(kernel.dtype)
    groups = kernel.batch * kernel.kv_heads
    ctx = kernel.cached_tokens()
    # a kv-head's rows span this many pseudo-channels (stacks for pnm): its q / probabilities go to each
    spread = max(1, math.ceil(unit_dram(arch).pseudo_channels / groups))
    n_scores = kernel.batch * kernel.q_heads * ctx
    q_bytes = math.ceil(kernel.batch * kernel.q_heads * kernel.head_dim * ab) * spread
    split = _gemv_split(eff, pv)[1]
    o_bytes = math.ceil(kernel.batch * kernel.q_heads * kernel.head_dim * (4 * split if split > 1 else ab))
    moves: list[_Moved] = []
    link_bytes = q_bytes + _new_kv_bytes(arch, kernel) + o_bytes
    t_in, t_out = _host_moves(arch, host, q_bytes + _new_kv_bytes(arch, kernel), o_bytes, fidelity)
    moves += [t_in, t_out]
    softmax = Elementwise(name=f"{kernel.name}.softmax", n_elements=n_scores, dtype=kernel.dtype, reads=1,
                          writes=1, flops_per_element=5.0)
    # a kv-head spread over several pseudo-channels needs its probabilities in each of them
    copies = Elementwise(name=f"{kernel.name}.probs", n_elements=n_scores * (spread - 1), dtype=kernel.dtype,
                         reads=0, writes=1, flops_per_element=0.0) if spread > 1 else None
    if nm.softmax_at == "buffer_die":
        die = buffer_die_arch(arch)
        for k in (softmax, copies):
            if k is not None:
                moves.append(_Moved.of_row(arch, simulate_one(die, k, fidelity), dram_path="base_die", flops=k.flops()))
    else:  # on the host: in its DRAM (the units wrote the scores there), or over the pool link and back
        quiet = host.replace(kernel_launch_overhead_ns=0.0)
        for k in (softmax, copies if nm.pool is None else None):
            if k is not None:
                moves.append(_Moved.of_row(host, simulate_one(quiet, k, fidelity), flops=k.flops()))
        if nm.pool is not None:
            s_bytes = math.ceil(n_scores * ab)
            moves += [_link(arch, s_bytes), _link(arch, s_bytes * spread)]
            link_bytes += s_bytes * (1 + spread)
    core_time = r_qk.time_s + r_pv.time_s
    keys = ("dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "dram_requests", "row_hits", "row_misses",
            "refreshes", "events", "activates")
    sums = {k: getattr(r_qk, k) + getattr(r_pv, k) for k in keys}
    roof = r_qk.roofline_s + r_pv.roofline_s
    bound = classify(core_time, r_qk.launch_s, qk_dram_s + pv_dram_s, qk_compute_s + pv_compute_s)
    core = dataclasses.replace(r_qk, name=kernel.name, time_s=core_time, flops=kernel.flops(), bound=bound,
                               roofline_s=roof, **sums)
    core_e = add_components(*(near_memory_energy_components(
        arch, time_s=r.time_s, dram_read_bytes=r.dram_read_bytes, dram_write_bytes=r.dram_write_bytes,
        activates=r.activates, flops=r.flops, math_dtype=g.math_dtype) for r, g in ((r_qk, qk), (r_pv, pv))))
    return _assemble(arch, core, core_e, moves, link_bytes if nm.pool is not None else q_bytes + o_bytes)


# ------------------------------------------------------------------------------------------ flash


def flash_read(hbf: HbfSpec, nbytes: int) -> dict[str, Any]:
    """Stream ``nbytes`` from the flash tier (C++ page model): ``time_ps``, ``first_page_ps``, ``pages``..."""
    if not isinstance(hbf, HbfSpec):
        raise ConfigError("hbf", "must be an HbfSpec", type(hbf).__name__)
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 0:
        raise ConfigError("bytes", "must be a non-negative integer", nbytes)
    from .core import flash_read_raw

    return flash_read_raw(hbf, nbytes)


def flash_write(hbf: HbfSpec, nbytes: int) -> None:
    """Always raises: the flash tier is read-only in service."""
    raise ConfigError("hbf", f"High Bandwidth Flash is read-only in service (page programs, "
                      f"{hbf.endurance_pe_cycles} P/E cycles): writes of {nbytes} bytes are rejected; "
                      f"place written tensors (the KV cache) in DRAM")


def _host_side_without_weights(host: Architecture, kernel: Any,
                               fidelity: str) -> tuple[list[dict[str, Any]], tuple[float, float, float]]:
    """The host side of a GEMV / MoE whose weights arrive from flash into on-chip staging: each candidate
    tiling simulated with the streamed W bytes taken off DRAM (activations from L2, math, results written
    as usual, split-K reductions as usual); the fastest kept per GEMV. Returns its results and its roofline
    (:func:`accelsim.engine.simulate.roofline_of`: time, DRAM bound, compute bound, s)."""
    from .simulate import roofline_of
    from .planner import run

    raw: list[dict[str, Any]] = []
    roof = [0.0, 0.0, 0.0]
    for g in (kernel.gemvs() if isinstance(kernel, Moe) else [kernel]):
        best: list[dict[str, Any]] = []
        options = [[dict(d, tile_read_bytes=0, tile_step_bytes=0) if d["name"] == g.name else d for d in descs]
                   for descs in g.candidates(host, top=2)]
        for ds in options:
            res = run(host, ds, fidelity)
            if not best or sum(r["time_ps"] for r in res) < sum(r["time_ps"] for r in best):
                best = res
        raw += best
        roof = [a + b for a, b in zip(roof, roofline_of(host, options))]
    return raw, (roof[0], roof[1], roof[2])


def _flash_row(arch: Architecture, host: Architecture, kernel: Any, fidelity: str) -> Any:
    """A GEMV / MoE with its weights on flash: the page stream (C++ flash model) overlaps the host side
    (math, activations, results, launch); the kernel takes the longer of the two after its launch."""
    from .result import KernelRow, classify

    hbf = arch.hbf
    assert hbf is not None
    weights = int(kernel.weight_bytes())
    raw, (host_roof, host_dram_s, compute_s) = _host_side_without_weights(host, kernel, fidelity)
    launch_s = raw[0]["launch_ps"] * 1e-12
    host_body = sum(r["time_ps"] for r in raw) * 1e-12 - launch_s
    if fidelity == "roofline":
        t_flash = weights / hbf.peak_read_bandwidth_bytes_per_s
        fr: dict[str, Any] = {"bytes": weights, "events": 0}
    else:
        fr = flash_read(hbf, weights)
        t_flash = fr["time_ps"] * 1e-12
        if hbf.prefetch == "continuous":  # the fill (first page's latency) overlapped the previous kernel
            page_s = hbf.page_bytes / (hbf.stack_bandwidth_gb_per_s * 1e9)
            t_flash = max(weights / hbf.peak_read_bandwidth_bytes_per_s,
                          t_flash - fr["first_page_ps"] * 1e-12 + page_s)
    flops = kernel.flops()
    bound = classify(launch_s + host_body, launch_s, host_dram_s, compute_s)
    roof = max(host_roof, launch_s + weights / hbf.peak_read_bandwidth_bytes_per_s)
    keys = ("dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "dram_requests", "row_hits", "row_misses",
            "refreshes")
    sums = {k: sum(r[k] for r in raw) for k in keys}
    time_s = launch_s + max(host_body, t_flash)
    activates = _activates(host, raw, fidelity)
    energy = kernel_energy_components(arch, time_s=time_s, dram_read_bytes=sums["dram_read_bytes"],
                                      dram_write_bytes=sums["dram_write_bytes"], l2_read_bytes=sums["l2_read_bytes"],
                                      activates=activates, flops=flops, math_dtype=kernel.math_dtype,
                                      flash_read_bytes=int(fr["bytes"]))
    return KernelRow(name=getattr(kernel, "name", type(kernel).__name__), time_s=time_s,
                     launch_s=launch_s, flops=flops, bound="flash" if t_flash >= host_body else bound,
                     roofline_s=roof, events=sum(r["events"] for r in raw) + int(fr["events"]),
                     placement="host+hbf", flash_read_bytes=int(fr["bytes"]), activates=activates,
                     energy_components_j=energy, **sums)


# ------------------------------------------------------------------------------------------ entry points


def simulate_placed(arch: Architecture, kernel: Any, fidelity: str) -> Any:
    """One kernel on a machine with near-memory units and/or a flash tier, placed by ``policy(arch)``."""
    from .simulate import simulate_one

    host = host_view(arch)
    pol = policy(arch)
    if arch.hbf is not None and pol.weights_tier == "flash" and isinstance(kernel, (Gemv, Moe)):
        return _flash_row(arch, host, kernel, fidelity)
    if isinstance(kernel, DecodeAttention) and pol.kv_cache_tier == "pool":  # the cache is only there
        ok, why = offloadable(arch, kernel)
        if not ok:
            raise ConfigError("placement.kv_cache_tier", f"the KV cache is in the near-memory pool but "
                              f"{kernel.name!r} cannot run there: {why}", "pool")
        return _nearmem_row(arch, host, kernel, fidelity)
    host_row = simulate_one(host, kernel, fidelity)
    ok, _ = offloadable(arch, kernel)
    if not ok:
        return host_row
    nm_row = _nearmem_row(arch, host, kernel, fidelity)
    if pol.offload_when == "always" or nm_row.time_s < host_row.time_s:
        return nm_row
    return host_row


def tiered_capacity(arch: Architecture, weight_bytes: int, kv_bytes: int) -> tuple[int, str]:
    """(capacity, reason) for a decode step: each tier must hold its share -- weights in flash (when they are
    placed there) or DRAM, the KV cache in the near-memory pool (when placed there) or DRAM; ``reason`` is ""
    when it fits. ``capacity`` is the sum of the tiers the step uses."""
    pol = policy(arch)
    dram = arch.memory_capacity_bytes
    flash = arch.hbf.capacity_bytes if arch.hbf is not None and pol.weights_tier == "flash" else 0
    nm = arch.near_memory
    pool = nm.pool.usable_capacity_bytes if nm is not None and nm.pool is not None and pol.kv_cache_tier == "pool" else 0
    if not flash and not pool:
        if weight_bytes + kv_bytes > dram:
            return dram, (f"weights ({weight_bytes / 1e9:.1f} GB) + KV cache ({kv_bytes / 1e9:.1f} GB) exceed "
                          f"DRAM capacity ({dram / 1e9:.1f} GB)")
        return dram, ""
    in_dram = (0 if flash else weight_bytes) + (0 if pool else kv_bytes)
    why = []
    if flash and weight_bytes > flash:
        why.append(f"weights ({weight_bytes / 1e9:.1f} GB) exceed flash capacity ({flash / 1e9:.1f} GB)")
    if pool and kv_bytes > pool:
        why.append(f"KV cache ({kv_bytes / 1e9:.1f} GB) exceeds the near-memory pool's capacity "
                   f"({pool / 1e9:.1f} GB)")
    if in_dram > dram:
        what = ("weights" if not flash else "") + (" + " if not flash and not pool else "") + \
            ("KV cache" if not pool else "")
        hint = "; KV may not live in flash" if flash and not pool else ""
        why.append(f"{what} ({in_dram / 1e9:.1f} GB) exceed{'s' if what == 'KV cache' else ''} DRAM capacity "
                   f"({dram / 1e9:.1f} GB{hint})")
    return dram + flash + pool, "; ".join(why)


def summary(arch: Architecture) -> tuple[str, dict[str, Any]]:
    """What a machine has beyond its DRAM, for listings (``accelsim presets``): a short text ("-" for
    nothing) and the figures behind it (bytes, bytes/s; None where absent)."""
    info: dict[str, Any] = dict(near_memory_level=None, near_memory_units=0,
                                near_memory_internal_bandwidth_bytes_per_s=None,
                                flash_capacity_bytes=None, flash_bandwidth_bytes_per_s=None)
    parts = []
    nm = arch.near_memory
    if nm is not None:
        bw = internal_peak_bandwidth_bytes_per_s(arch)
        units = near_memory_units(arch)
        info.update(near_memory_level=nm.level, near_memory_units=units,
                    near_memory_internal_bandwidth_bytes_per_s=bw)
        parts.append(f"{nm.level} x{units} {bw / 1e12:.1f} TB/s")
        if nm.pool is not None:
            parts.append(f"pool {nm.pool.capacity_bytes / 1e9:.0f} GB over {nm.pool_link_gb_per_s:.0f} GB/s")
    if arch.hbf is not None:
        h = arch.hbf
        info.update(flash_capacity_bytes=h.capacity_bytes, flash_bandwidth_bytes_per_s=h.peak_read_bandwidth_bytes_per_s)
        parts.append(f"hbf {h.capacity_bytes / 1e12:.2f} TB {h.peak_read_bandwidth_bytes_per_s / 1e12:.1f} TB/s")
    return (", ".join(parts) or "-"), info

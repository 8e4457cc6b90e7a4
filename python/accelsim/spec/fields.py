"""Where each field of a machine matters: the one list of the fields that do not move a kernel's simulated time.

Every numeric field of an :class:`~accelsim.spec.machine.Architecture` moves the simulated time of some decode
kernel -- a GEMV, an attention, an element-wise kernel -- unless it is listed here, with what it feeds instead
(:data:`FEEDS`) or the machines it applies to (:data:`APPLIES_WHEN`). ``tests/spec/test_every_field_matters.py``
perturbs every numeric field of every preset and checks that it moves its output; a field that moves nothing
fails it, so a new field is wired into the engine (or this list) when it is added.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from typing import Any, Callable, Iterator

from .base import Spec

__all__ = ["OUTPUTS", "FEEDS", "APPLIES_WHEN", "output_of", "applies", "get", "numeric_fields"]

#: What a field can move: a kernel's simulated time (the default), its energy, whether a model fits (the decode
#: step's feasibility and its memory margin), the refusal of an operation the machine cannot do, or the time
#: of the DRAM level alone under a mixed read/write trace (``accelsim.engine.core.dram_trace``).
OUTPUTS: tuple[str, ...] = ("time", "energy", "feasibility", "refusal", "dram_trace")

#: The DRAM controller's write timings and queueing options. They bind where reads and writes mix in a bank or
#: row hits queue behind a miss, which the decode probe set does on some machines and not others (a pool of
#: PIM units sees only their in-order reads of the KV cache): their output is the DRAM level they belong to,
#: alone, under a closed-loop trace of interleaved row streams and random writes.
_CONTROLLER = ("row_hit_cap", "write_queue_bursts", "write_high_watermark", "write_low_watermark", "tCWL_ns",
               "tWR_ns", "tRTP_ns", "tRCDWR_ns")

#: Fields (``fnmatch`` patterns of dotted paths) whose output is not the simulated time.
FEEDS: dict[str, str] = {
    "energy.*": "energy",  # the energy model turns simulated traffic into joules (accelsim.engine.energy)
    "near_memory.internal_pj_per_bit": "energy",
    "near_memory.compute_pj_per_flop": "energy",
    "hbf.read_pj_per_bit": "energy",
    "near_memory.pool_link_pj_per_bit": "energy",
    **{f"{level}.{f}": "dram_trace" for level in ("dram", "near_memory.pool") for f in _CONTROLLER},
    # a pool's PIM units read it with in-order all-bank commands (no write-to-read turnarounds, no activates to
    # other bank groups back to back) and reach it with their own latency (near_memory.access_latency_ns)
    **{f"near_memory.pool.{f}": "dram_trace" for f in ("tWTR_ns", "tRRD_S_ns")},
    "near_memory.pool.capacity_bytes_per_stack": "feasibility",  # does the KV cache fit in the pool
    "near_memory.pool.exposed_fraction": "feasibility",
    "dram.capacity_bytes_per_stack": "feasibility",  # do the weights and the KV cache fit
    "dram.exposed_fraction": "feasibility",  # of the raw capacity, what the driver exposes
    "hbf.capacity_bytes_per_stack": "feasibility",
    # the flash tier is read-only in service: a write is refused, and the refusal says why (its P/E budget)
    "hbf.endurance_pe_cycles": "refusal",
}

def _positive(v: Any) -> bool:
    return v is not None and v > 0


def _present(v: Any) -> bool:
    return v is not None


def _never(v: Any) -> bool:
    return False


def _offloads_gemvs(offload: Any) -> bool:
    return offload is None or "gemv" in offload or "moe" in offload  # None: the default placement offloads them


#: Fields that apply only to some machines: pattern -> (the selecting field's path, the values it applies
#: for or a test of its value, why). On other machines the field is present but has no effect, by construction.
APPLIES_WHEN: dict[str, tuple[str, tuple[Any, ...] | Callable[[Any], bool], str]] = {
    # on-chip SRAM used as the main memory level (accelsim.presets.memories.sram_main_memory: one access per
    # clock, a slice switch as a 2-cycle "row miss") has no activation windows, refresh or multi-beat bursts:
    # the builder pins those where they never bind (its row switch, column and turnaround timings do bind)
    **{f"dram.{t}": ("dram.kind", ("hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4", "lpddr5x", "gddr7", "stacked3d"),
                     "an SRAM main memory has no activation windows, refresh or multi-beat bursts")
       for t in ("burst_length", "tRAS_ns", "tRRD_S_ns", "tFAW_ns", "nCCD_S", "tRFC_ns", "tREFI_ns", "tRFCpb_ns")},
    # reads change SID (tCCDR) only when the bank groups are split over SIDs, and that costs only with a tCCDR
    **{f"{level}.nCCDR": (f"{level}.sids", lambda v: v is not None and v > 1, "one SID: no read changes SID")
       for level in ("dram", "near_memory.pool")},
    **{f"{level}.sids": (f"{level}.nCCDR", _positive, "SIDs differ only by tCCDR")
       for level in ("dram", "near_memory.pool")},
    # near-memory units of one level have no use for the other level's organisation (NearMemorySpec)
    "near_memory.units_per_stack": ("near_memory.level", ("pnm",), "PIM units are per bank, not per stack"),
    "near_memory.internal_pc_bus_width_bits": ("near_memory.level", ("pnm",), "the base die's TSV width"),
    "near_memory.banks_per_unit": ("near_memory.level", ("pim_bank",), "banks sharing one PIM unit"),
    "near_memory.column_bytes": ("near_memory.level", ("pim_bank", "pim_bankgroup"), "a PIM unit's column path"),
    "near_memory.command_period_ns": ("near_memory.level", ("pim_bank", "pim_bankgroup"), "PIM column commands"),
    "near_memory.units_per_command": ("near_memory.level", ("pim_bank", "pim_bankgroup"), "all-bank PIM commands"),
    "near_memory.column_period_ns": ("near_memory.level", ("pim_bank", "pim_bankgroup"), "PIM column commands"),
    "near_memory.unit_banks_per_pseudo_channel": ("near_memory.level", ("pim_bank", "pim_bankgroup"),
                                                  "banks that carry PIM units"),
    "near_memory.buffer_die_gflops_per_stack": ("near_memory.softmax_at", ("buffer_die",),
                                                "the buffer die runs only the softmax placed there"),
    **{f"near_memory.pool_link_{f}": ("near_memory.pool", _present, "the link to a separate near-memory pool")
       for f in ("gb_per_s", "latency_ns", "pj_per_bit")},
    # the write queue drains between its watermarks only when there is one (0 bursts: one mixed queue)
    **{f"{level}.write_{w}_watermark": (f"{level}.write_queue_bursts", _positive, "a separate write queue")
       for level in ("dram", "near_memory.pool") for w in ("high", "low")},
    # PIM units run GEMVs and attention's QK^T and PV; its softmax runs on the buffer die or the host
    "near_memory.vector_flops_per_cycle_per_unit": ("near_memory.level", ("pnm",),
                                                    "PIM units do no vector math (softmax: buffer die or host)"),
    # units that are given only attention use only the attention's dtypes' MAC rates
    **{f"near_memory.matrix_flops_per_cycle_per_unit.{dt}": (
        "placement.offload", _offloads_gemvs, "only attention (bf16 / fp8 in the probe set) is offloaded")
       for dt in ("fp32", "fp16", "int8", "int4", "fp4")},
    # no energy model, no energy (a machine without energy figures reports NaN joules)
    **{f"near_memory.{f}": ("energy", _present, "the machine has no energy model")
       for f in ("internal_pj_per_bit", "compute_pj_per_flop")},
    # a pool is a DramSpec, but nothing reaches it through a controller round trip of its own: its units at
    # near_memory.access_latency_ns, the host over the link (near_memory.pool_link_latency_ns)
    "near_memory.pool.access_latency_ns": ("near_memory.pool", _never, "the units' and the link's latencies apply"),
    # nor through the host's compute-to-controller fabric: the pool's units are in its stacks
    "near_memory.pool.fabric_bandwidth_gb_per_s": ("near_memory.pool", _never, "its units sit in the stacks"),
    # a continuous prefetch hides the first page's latency behind the previous kernel
    "hbf.access_latency_ns": ("hbf.prefetch", ("per_kernel",), "hidden by a continuous prefetch"),
}


def _match(path: str, table: dict[str, Any]) -> Any:
    for pattern, v in table.items():
        if fnmatch.fnmatchcase(path, pattern):
            return v
    return None


def output_of(path: str) -> str:
    """The output the field at dotted ``path`` moves: ``"time"`` unless :data:`FEEDS` says otherwise."""
    return _match(path, FEEDS) or "time"


def get(spec: Any, path: str) -> Any:
    """The value at dotted ``path`` of ``spec`` (None past a missing part)."""
    for part in path.split("."):
        spec = getattr(spec, part, None)
    return spec


def applies(arch: Any, path: str) -> bool:
    """Whether the field at ``path`` has an effect on ``arch`` (see :data:`APPLIES_WHEN`)."""
    rule = _match(path, APPLIES_WHEN)
    if rule is None:
        return True
    v = get(arch, rule[0])
    return rule[1](v) if callable(rule[1]) else v in rule[1]


def numeric_fields(spec: Spec, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every int / float field of ``spec`` and its nested specs."""
    for f in dataclasses.fields(spec):  # type: ignore[arg-type]
        v = getattr(spec, f.name)
        path = prefix + f.name
        if isinstance(v, Spec):
            yield from numeric_fields(v, path + ".")
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            yield path, v

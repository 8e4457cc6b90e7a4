"""The one seam between Python and the C++ core: every call into ``_core`` goes through here.

- Units are converted here and only here: specs keep the units their users write (ns, GHz, Gb/s per pin,
  device clock cycles); :func:`machine_dict` turns a machine into the flat description the core reads (ns,
  bytes per ps, the DRAM's clock-held timings in ns at its device clock).
- The core's limits (:mod:`accelsim.engine.limits`: units, banks, simulated time, queued requests) are checked
  here before every call, so no caller can skip them.
- Errors are translated structurally: the core's ConfigError carries ``field`` (a key of the flat description
  or a dotted path) and ``reason``; :data:`CORE_FIELDS` names the spec field each key comes from.
- The one roofline is the core's (:func:`roofline`): ``fidelity="roofline"`` and every row's ``roofline_s``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

try:
    from .. import _core
except ImportError as _e:  # the source tree (python/accelsim) without a build, or a broken install
    raise ImportError(
        "accelsim's compiled core (accelsim._core) is missing from " + __file__.rsplit("engine", 1)[0] + ": this looks "
        "like the source tree, not an installed package. Install it from the repository root with "
        "`pip install .` (or `pip install -e .` to develop) and run without PYTHONPATH=python") from _e
from ..errors import ConfigError
from ..spec.machine import DRAM_COMMAND_CYCLES, Architecture, DramSpec
from ..spec.nearmem import HbfSpec
from .limits import (check_detailed, check_duration, check_flash, check_machine, check_outstanding,
                     check_refreshes)

__all__ = ["machine_dict", "controller_dict", "dram_dict", "dram_trace", "sliced_machine", "CORE_FIELDS",
           "flash_dict", "run_kernels", "run_flat", "roofline", "flash_read_raw", "core_fields"]


def machine_dict(arch: Architecture) -> dict[str, Any]:
    """The flat description the C++ core reads (times in ns, rates per ps)."""
    return dict(_machine_dict(arch))


@functools.lru_cache(maxsize=1024)
def _machine_dict(arch: Architecture) -> dict[str, Any]:
    c, d, l2 = arch.compute, arch.dram, arch.l2
    return dict(
        units=c.units,
        max_inflight_bytes_per_unit=c.inflight_bytes_per_unit,  # capped by the local SRAM
        load_bytes_per_ps_per_unit=c.load_bytes_per_cycle_per_unit * c.clock_ghz * 1e-3,
        l2_present=l2 is not None,
        l2_capacity_bytes=l2.capacity_bytes if l2 else 0,
        l2_bytes_per_ps=(l2.bytes_per_cycle * l2.clock_ghz * 1e-3) if l2 else 1.0,
        l2_latency_ns=l2.latency_ns if l2 else 0.0,
        stacks=d.stacks,
        channels_per_stack=d.channels_per_stack,
        pseudo_channels_per_channel=d.pseudo_channels_per_channel,
        bank_groups=d.bank_groups,
        banks_per_group=d.banks_per_group,
        row_bytes=d.row_bytes,
        burst_bytes=d.burst_bytes,
        interleave_bytes=d.interleave_bytes,
        tBL_ns=d.tBL_ns,  # BL beats at data_rate per pin
        tRCD_ns=d.tRCD_ns, tRP_ns=d.tRP_ns, tCL_ns=d.tCL_ns, tRAS_ns=d.tRAS_ns,
        tRRD_S_ns=d.tRRD_S_ns, tRRD_L_ns=d.tRRD_L_ns, tFAW_ns=d.tFAW_ns,
        tCCD_S_ns=d.tCCD_S_ns, tCCD_L_ns=d.tCCD_L_ns, tWTR_ns=d.tWTR_ns, tRTW_ns=d.tRTW_ns,  # cycles x tCK
        tRFC_ns=d.tRFC_ns, tREFI_ns=d.tREFI_ns, tRFCpb_ns=d.tRFCpb_ns,
        access_latency_ns=d.access_latency_ns,
        launch_overhead_ns=arch.kernel_launch_overhead_ns,
        **controller_dict(d),
        # the path to the controllers, when it is narrower than the pins (an absent key: only the pins bind)
        **({"fabric_gb_per_s": d.fabric_bandwidth_gb_per_s} if d.fabric_bandwidth_gb_per_s > 0 else {}),
    )


def controller_dict(d: DramSpec) -> dict[str, Any]:
    """The DRAM controller's optional fields of the flat description (an unset write timing is left out:
    the core then keeps the older value for it)."""
    out: dict[str, Any] = {
        "scheduler": d.scheduler,
        "row_hit_cap": d.row_hit_cap,
        "write_queue_bursts": d.write_queue_bursts,
        "write_high_watermark": d.write_high_watermark,
        "write_low_watermark": d.write_low_watermark,
        "address_map": d.address_map,
        "refresh_group": d.refresh_group,
    }
    if d.refresh != "auto":
        out["refresh"] = d.refresh
    if d.sids > 1 and d.nCCDR > 0:
        out.update(sids=d.sids, tCCDR_ns=d.nCCDR * d.tCK_ns)
    if d.command_bus == "channel":
        col, act, pre = DRAM_COMMAND_CYCLES[d.kind]
        out.update(command_bus="channel", col_cmd_ns=col * d.tCK_ns, act_cmd_ns=act * d.tCK_ns,
                   pre_cmd_ns=pre * d.tCK_ns)
    for name in ("tCWL_ns", "tWR_ns", "tRTP_ns", "tRCDWR_ns"):
        if getattr(d, name) > 0:
            out[name] = getattr(d, name)
    return out


def dram_dict(d: DramSpec) -> dict[str, Any]:
    """The flat description of a DRAM level alone (for :func:`dram_trace`)."""
    return dict(
        stacks=d.stacks, channels_per_stack=d.channels_per_stack,
        pseudo_channels_per_channel=d.pseudo_channels_per_channel, bank_groups=d.bank_groups,
        banks_per_group=d.banks_per_group, row_bytes=d.row_bytes, burst_bytes=d.burst_bytes,
        interleave_bytes=d.interleave_bytes, tBL_ns=d.burst_length / d.data_rate_gbps,
        tRCD_ns=d.tRCD_ns, tRP_ns=d.tRP_ns, tCL_ns=d.tCL_ns, tRAS_ns=d.tRAS_ns,
        tRRD_S_ns=d.tRRD_S_ns, tRRD_L_ns=d.tRRD_L_ns, tFAW_ns=d.tFAW_ns,
        tCCD_S_ns=d.tCCD_S_ns, tCCD_L_ns=d.tCCD_L_ns, tWTR_ns=d.tWTR_ns, tRTW_ns=d.tRTW_ns,
        tRFC_ns=d.tRFC_ns, tREFI_ns=d.tREFI_ns, tRFCpb_ns=d.tRFCpb_ns,
        access_latency_ns=d.access_latency_ns,
        **controller_dict(d),
    )


def dram_trace(d: DramSpec, addresses: Any, writes: Any, *, read_queue_entries: int = 32,
               write_queue_entries: int = 32) -> dict[str, Any]:
    """Run a load/store trace (byte addresses, write flags; numpy arrays) through the DRAM ``d`` alone,
    closed loop: requests enter in trace order while their channel has a free read (write) queue entry.
    Times in ps; see csrc/include/accelsim/memory/dram_trace.hpp."""
    try:
        return dict(_core.simulate_dram_trace(dram_dict(d), addresses, writes, read_queue_entries,
                                              write_queue_entries))
    except _core.CoreConfigError as e:
        raise _translate(e, CORE_FIELDS, "dram") from None


#: The spec field each key of the flat machine description comes from (how an error the core raises about a
#: key names the field the user wrote).
CORE_FIELDS: dict[str, str] = {
    "units": "compute.units", "max_inflight_bytes_per_unit": "compute.max_inflight_bytes_per_unit",
    "load_bytes_per_ps_per_unit": "compute.load_bytes_per_cycle_per_unit", "l2_present": "l2",
    "l2_capacity_bytes": "l2.capacity_bytes", "l2_bytes_per_ps": "l2.bytes_per_cycle", "l2_latency_ns": "l2.latency_ns",
    "burst_bytes": "dram.burst_length", "tBL_ns": "dram.data_rate_gbps", "tCCD_S_ns": "dram.nCCD_S",
    "tCCD_L_ns": "dram.nCCD_L", "tRTW_ns": "dram.nRTW", "launch_overhead_ns": "kernel_launch_overhead_ns",
    **{k: f"dram.{k}" for k in ("stacks", "channels_per_stack", "pseudo_channels_per_channel", "bank_groups",
                                "banks_per_group", "row_bytes", "interleave_bytes", "tRCD_ns", "tRP_ns", "tCL_ns",
                                "tRAS_ns", "tRRD_S_ns", "tRRD_L_ns", "tFAW_ns", "tWTR_ns", "tRFC_ns", "tREFI_ns",
                                "tRFCpb_ns", "access_latency_ns", "scheduler", "row_hit_cap", "write_queue_bursts",
                                "write_high_watermark", "write_low_watermark", "address_map", "refresh_group",
                                "refresh", "tCWL_ns", "tWR_ns", "tRTP_ns", "tRCDWR_ns", "command_bus")},
    **{k: "dram.command_bus" for k in ("col_cmd_ns", "act_cmd_ns", "pre_cmd_ns")},
    "sids": "dram.sids", "tCCDR_ns": "dram.nCCDR", "fabric_gb_per_s": "dram.fabric_bandwidth_gb_per_s",
}


def sliced_machine(md: dict[str, Any], s: int) -> dict[str, Any]:
    """The flat description of 1/s of the machine ``md``: 1/s of its units, of its L2 and fabric bandwidths and of its
    pseudo-channels (channels per stack, or stacks), each unchanged (see accelsim.engine.planner)."""
    if s == 1:
        return md
    m = dict(md, units=md["units"] // s, l2_bytes_per_ps=md["l2_bytes_per_ps"] / s)
    if "fabric_gb_per_s" in md:
        m["fabric_gb_per_s"] = md["fabric_gb_per_s"] / s
    if md["channels_per_stack"] % s == 0:
        m["channels_per_stack"] = md["channels_per_stack"] // s
    else:
        m["stacks"] = md["stacks"] // s
    return m


def _translate(e: Exception, fields: Mapping[str, str], default_field: str) -> ConfigError:
    """The core's ConfigError as accelsim's: its ``field`` mapped to the spec field, its ``reason`` as it is."""
    field = getattr(e, "field", "") or default_field
    return ConfigError(fields.get(field, field), getattr(e, "reason", str(e)))


def run_kernels(arch: Architecture, descs: Sequence[dict[str, Any]], fidelity: str, *, slice_factor: int = 1,
                origins: Sequence[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Simulate lowered kernel descriptions as given (no shortening; :mod:`.planner` decides that) on ``arch``,
    or on 1/``slice_factor`` of it, one fresh machine state each; the GIL is released while the core runs.

    The core's limits are checked first (:mod:`.limits`): the machine, and per run its simulated-time bound,
    its burst count in ``detailed`` and the requests it could queue. ``origins`` (one per desc) is the whole
    kernel each run stands for (a slice or a cut of it): its duration and size are what is checked and named.
    """
    check_machine(arch, fidelity)
    origins = list(origins) if origins is not None else list(descs)
    by_origin: dict[int, list[dict[str, Any]]] = {}
    first: dict[int, dict[str, Any]] = {}
    for d, o in zip(descs, origins):
        by_origin.setdefault(id(o), []).append(d)
        first.setdefault(id(o), o)
    for key, runs in by_origin.items():
        o = first[key]
        check_duration(arch, o)  # in roofline too: the bound is formed in 64-bit picoseconds
        if fidelity == "detailed":
            check_detailed(arch, o)
        check_outstanding(arch, o, runs, fidelity)
        check_refreshes(arch, o, runs, fidelity)
    md = sliced_machine(_machine_dict(arch), slice_factor)
    try:
        return list(_core.simulate_kernels(md, list(descs), fidelity))
    except _core.CoreConfigError as e:
        raise _translate(e, CORE_FIELDS, "machine") from None


def run_flat(machine: dict[str, Any], descs: Sequence[dict[str, Any]], fidelity: str) -> list[dict[str, Any]]:
    """The core on a hand-written flat description (see :func:`machine_dict`): for tests and tools that
    exercise the core itself (its DRAM oracle, its determinism). No limits are checked; errors as above."""
    try:
        return list(_core.simulate_kernels(dict(machine), list(descs), fidelity))
    except _core.CoreConfigError as e:
        raise _translate(e, CORE_FIELDS, "machine") from None


def roofline(arch: Architecture, descs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The core's roofline of each description: ``time_ps`` = launch + max(DRAM bytes at the pin peak, FLOPs at
    the units' rate) rounded up, with the two bounds as ``roofline_dram_ps`` / ``roofline_compute_ps``."""
    return run_kernels(arch, descs, "roofline")


def core_fields(kind: str) -> list[str]:
    """The keys of the flat description the core's component ``kind`` reads (``"dram"``, ``"compute"``...)."""
    return list(_core.component_fields(kind))


def flash_dict(h: HbfSpec) -> dict[str, Any]:
    """The flat description of a flash tier the core's page model reads."""
    return {f.name: getattr(h, f.name) for f in dataclasses.fields(h)}


def flash_read_raw(hbf: HbfSpec, nbytes: int) -> dict[str, Any]:
    """The core's page model streaming ``nbytes`` from the flash tier (its limits checked first)."""
    check_flash(hbf, nbytes)
    try:
        return dict(_core.simulate_flash_read(flash_dict(hbf), nbytes))
    except _core.CoreConfigError as e:
        raise _translate(e, {k: f"hbf.{k}" for k in flash_dict(hbf)}, "hbf") from None

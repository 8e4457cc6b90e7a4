"""The one seam between Python and the C++ core: every call into ``_core`` goes through here.

Specs keep the units their users write (ns, GHz, Gb/s per pin); this module turns a machine into the flat
description the core reads and translates the core's errors into :class:`~accelsim.errors.ConfigError`
naming the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

try:
    from .. import _core
except ImportError as _e:  # the source tree (python/accelsim) without a build, or a broken install
    raise ImportError(
        "accelsim's compiled core (accelsim._core) is missing from " + __file__.rsplit("engine", 1)[0] + ": this looks "
        "like the source tree, not an installed package. Install it from the repository root with "
        "`pip install .` (or `pip install -e .` to develop) and run without PYTHONPATH=python") from _e
from ..errors import ConfigError
from ..spec.machine import Architecture, DramSpec
from ..spec.nearmem import HbfSpec

__all__ = ["machine_dict", "controller_dict", "dram_dict", "dram_trace", "flash_dict", "run_kernels", "flash_read_raw"]


def machine_dict(arch: Architecture) -> dict[str, Any]:
    """The flat description the C++ core reads (times in ns, rates per ps)."""
    c, d, l2 = arch.compute, arch.dram, arch.l2
    return dict(
        units=c.units,
        max_inflight_bytes_per_unit=c.max_inflight_bytes_per_unit,
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
        tCCD_S_ns=d.tCCD_S_ns, tCCD_L_ns=d.tCCD_L_ns, tWTR_ns=d.tWTR_ns, tRTW_ns=d.tRTW_ns,
        tRFC_ns=d.tRFC_ns, tREFI_ns=d.tREFI_ns, tRFCpb_ns=d.tRFCpb_ns,
        access_latency_ns=d.access_latency_ns,
        launch_overhead_ns=arch.kernel_launch_overhead_ns,
        **controller_dict(d),
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
        raise _translate(e, "dram") from None


def flash_dict(h: HbfSpec) -> dict[str, Any]:
    """The flat description of a flash tier the core's page model reads."""
    return {f.name: getattr(h, f.name) for f in dataclasses.fields(h)}


def _translate(e: Exception, default_field: str) -> ConfigError:
    return ConfigError(getattr(e, "field", default_field) or default_field, str(e).split(": ", 1)[-1])


def run_kernels(md: dict[str, Any], descs: Sequence[dict[str, Any]], fidelity: str,
                default_field: str = "machine") -> list[dict[str, Any]]:
    """Simulate lowered kernel descriptions on the machine ``md`` (see :func:`machine_dict`), one fresh
    machine state each; the GIL is released while the core runs."""
    try:
        return list(_core.simulate_kernels(md, list(descs), fidelity))
    except _core.CoreConfigError as e:
        raise _translate(e, default_field) from None


def flash_read_raw(hbf: HbfSpec, nbytes: int) -> dict[str, Any]:
    """The core's page model streaming ``nbytes`` from the flash tier."""
    try:
        return dict(_core.simulate_flash_read(flash_dict(hbf), nbytes))
    except _core.CoreConfigError as e:
        raise _translate(e, "hbf") from None

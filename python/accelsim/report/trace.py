"""Chrome / Perfetto trace of a simulated decode step: kernels on a timeline, per-memory-level bandwidth
as counters.  Open the JSON in https://ui.perfetto.dev or chrome://tracing.

The step's kernels run back to back in execution order: the embedding, then layer after layer (each layer
the attention block then the MLP block, as :func:`accelsim.workload.decode.decode_kernels` lists them), then the LM
head and sampling.  Each kernel's launch gap is its own slice ("launch") before the kernel body.
"""

from __future__ import annotations

import json
from typing import Any, Optional

__all__ = ["decode_trace", "write_trace"]


def _timeline(step: Any) -> list[tuple[Any, int]]:
    """(KernelRow, layer or -1) in execution order: consecutive rows with the same count > 1 are one layer
    group repeated that many times."""
    rows = list(step.kernels)
    out: list[tuple[Any, int]] = []
    i = 0
    layer = 0
    while i < len(rows):
        r, n = rows[i]
        if n <= 1:
            out.append((r, -1))
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j][1] == n:
            j += 1
        group = [row for row, _ in rows[i:j]]
        for _ in range(n):
            out.extend((row, layer) for row in group)
            layer += 1
        i = j
    return out


def decode_trace(step: Any) -> dict[str, Any]:
    """The trace document (Chrome trace event format; times in microseconds)."""
    if not step.feasible:
        from ..errors import ConfigError  # noqa: PLC0415

        raise ConfigError("step", f"infeasible decode step: {step.reason}")
    ev: list[dict[str, Any]] = [
        {"ph": "M", "pid": 1, "name": "process_name", "args": {"name": f"{step.arch_name}: {step.model_name} "
                                                                       f"b{step.batch} s{step.context}"}},
        {"ph": "M", "pid": 1, "tid": 1, "name": "thread_name", "args": {"name": "kernels"}},
    ]
    t = 0.0  # microseconds
    for row, layer in _timeline(step):
        launch_us = row.launch_s * 1e6
        body_us = (row.time_s - row.launch_s) * 1e6
        if launch_us > 0:
            ev.append({"ph": "X", "pid": 1, "tid": 1, "name": "launch", "cat": "launch", "ts": t, "dur": launch_us})
        start = t + launch_us
        args = {"layer": layer, "bound": row.bound, "dram_read_bytes": row.dram_read_bytes,
                "dram_write_bytes": row.dram_write_bytes, "l2_read_bytes": row.l2_read_bytes, "flops": row.flops,
                "time_s": row.time_s}
        ev.append({"ph": "X", "pid": 1, "tid": 1, "name": row.name, "cat": row.bound, "ts": start,
                   "dur": body_us, "args": args})
        if body_us > 0:
            body_s = body_us * 1e-6
            ev.append({"ph": "C", "pid": 1, "name": "bandwidth GB/s", "ts": start,
                       "args": {"DRAM read": row.dram_read_bytes / body_s / 1e9,
                                "DRAM write": row.dram_write_bytes / body_s / 1e9,
                                "L2 read": row.l2_read_bytes / body_s / 1e9}})
            ev.append({"ph": "C", "pid": 1, "name": "bandwidth GB/s", "ts": start + body_us,
                       "args": {"DRAM read": 0.0, "DRAM write": 0.0, "L2 read": 0.0}})
        t = start + body_us
    return {"traceEvents": ev, "displayTimeUnit": "ns",
            "otherData": {"step_time_s": step.time_s, "tokens_per_s": step.tokens_per_s, "generator": "accelsim"}}


def write_trace(step: Any, path: str, *, indent: Optional[int] = None) -> str:
    """Write :func:`decode_trace` as JSON to ``path``; returns the path."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(decode_trace(step), f, indent=indent)
    return path

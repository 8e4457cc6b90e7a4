"""Every field matters, or says where it matters (accelsim.spec.fields).

For every chip preset, every numeric field of its Architecture is perturbed (x0.1 and x10 first, then x0.5,
x2, x0.01, x100, x0.001, x1000; a zero to 1 and to 1000; only valid machines) and a fixed probe set is simulated:
bandwidth-, latency- and compute-bound GEMVs in each dtype (and a weight-only int4 one), a large GEMM,
decode attention in bf16 and fp8, element-wise kernels that read and that only write, a decode step's
feasibility and memory margin, and for the DRAM controller's write and queueing options the DRAM level alone
under a mixed read/write trace. The field must move the output accelsim.spec.fields says it feeds (the
simulated time by default). A field that moves nothing fails here: wire it into the engine or delete it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import accelsim
from accelsim import DecodeAttention, Elementwise, Gemv
from accelsim.dtypes import DTYPES
from accelsim.errors import ConfigError
from accelsim.spec import fields as where

FACTORS = (0.1, 10.0, 0.5, 2.0, 0.01, 100.0, 0.001, 1000.0)


def probes() -> list:
    ks: list = []
    for dt in DTYPES:
        ks += [Gemv(m=1, n=8192, k=4096, dtype=dt, name=f"bandwidth-{dt}"),
               Gemv(m=1, n=256, k=256, dtype=dt, name=f"latency-{dt}"),
               Gemv(m=4, n=8192, k=4096, dtype=dt, name=f"m4-{dt}"),
               Gemv(m=64, n=4096, k=4096, dtype=dt, name=f"m64-{dt}"),
               Gemv(m=2048, n=4096, k=4096, dtype=dt, name=f"compute-{dt}")]
    # W4A4 (4-bit activations too: the 4-bit math rate); dtype="int4" alone is weight-only (W4A16)
    ks += [Gemv(m=m, n=4096, k=4096, dtype=dt, activation_dtype=dt, name=f"{what}-{dt}-w4a4")
           for dt in ("int4", "fp4") for m, what in ((1, "bandwidth"), (64, "m64"), (2048, "compute"))]
    ks += [Gemv(m=1, n=8192, k=4096, dtype="bf16", weight_dtype="int4", group_size=128, name="w4a16"),
           Gemv(m=8192, n=8192, k=8192, name="gemm-8k"),
           DecodeAttention(batch=8, q_heads=32, kv_heads=8, head_dim=128, context=2048, name="attention-bf16"),
           DecodeAttention(batch=8, q_heads=32, kv_heads=8, head_dim=128, context=2048, dtype="fp8",
                           name="attention-fp8"),
           Elementwise(n_elements=1 << 26, name="elementwise"),
           Elementwise(n_elements=1 << 25, reads=0, writes=1, flops_per_element=0, name="fill")]
    return ks


PROBES = probes()


def _same(a: float, b: float) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def _kernel_output(arch, k, output: str):
    try:
        r = accelsim.simulate(arch, k)
    except ConfigError as e:  # e.g. no math for a dtype: the refusal is an output too
        return ("refused", e.field)
    return r.time_s if output == "time" else r.energy_j


def _feasibility(arch):
    s = accelsim.decode_step(arch, "llama-3-8b", batch=1, context=4096, fidelity="roofline")
    return (s.feasible, s.capacity_bytes - s.weight_bytes - s.kv_cache_bytes)


def _refusal(arch):
    """What the machine refuses, and how it says so: a write to its flash tier (read-only in service)."""
    from accelsim.engine.nearmem import flash_write

    if arch.hbf is None:
        return None
    try:
        flash_write(arch.hbf, 1 << 20)
    except ConfigError as e:
        return str(e)
    return None


def _mixed_trace():
    """Two interleaved sequential streams (row hits queue behind each other's misses) and a third of the
    requests random writes: where the controller's write timings and queueing options bind."""
    rng = np.random.default_rng(0)
    n = 6000
    seq = np.where(rng.random(n) < 0.5, np.arange(n) * 64, (1 << 28) + np.arange(n) * 64)
    rand = rng.integers(0, 1 << 30, n) // 64 * 64
    writes = (rng.random(n) < 1 / 3).astype(np.uint8)
    return np.where(writes == 1, rand, seq).astype(np.int64), writes


TRACE = _mixed_trace()


def _dram_trace(arch, path: str):
    """One channel of the DRAM level the field at ``path`` belongs to, alone, under the mixed trace."""
    from accelsim.engine.core import dram_trace

    level = where.get(arch, path.rsplit(".", 1)[0])
    level = level.replace(stacks=1, channels_per_stack=1)  # one channel: the streams share its banks
    try:
        return dram_trace(level, *TRACE)["time_ps"]
    except ConfigError as e:
        return ("refused", e.field)


class Outputs:
    """The probe set's outputs on a base machine, evaluated lazily and compared one probe at a time."""

    def __init__(self, arch):
        self.arch = arch
        self.cache: dict = {}

    def base(self, key, fn):
        if key not in self.cache:
            self.cache[key] = fn(self.arch)
        return self.cache[key]

    def moved(self, other, output: str, order: list, path: str) -> str | None:
        if output == "feasibility":
            return "decode step" if self.base("feasible", _feasibility) != _feasibility(other) else None
        if output == "dram_trace":
            return "dram trace" if _dram_trace(self.arch, path) != _dram_trace(other, path) else None
        if output == "refusal":
            return "flash write" if self.base("refusal", _refusal) != _refusal(other) else None
        for k in order:
            a = self.base((k.name, output), lambda arch: _kernel_output(arch, k, output))
            b = _kernel_output(other, k, output)
            if not (isinstance(a, float) and isinstance(b, float) and _same(a, b)) and a != b:
                return k.name
        return None


def _variants(v):
    out = []
    for f in FACTORS:
        nv = v * f if v != 0 else (1 if f < 1 else 1000)
        if isinstance(v, int):
            nv = max(0, int(round(nv)))
        if nv != v and nv not in out:
            out.append(nv)
    return out


#: cheapest first: most fields show on a small latency-bound kernel
_COST = ("latency", "m4", "attention", "bandwidth", "w4a16", "m64", "fill", "elementwise", "compute", "gemm")


def _probe_order(path: str) -> list:
    """The probes most likely to show the field first (its dtype's), the cheapest first."""
    leaf = path.rsplit(".", 1)[-1]
    return sorted(PROBES, key=lambda k: (0 if getattr(k, "dtype", None) == leaf or leaf in k.name else 1,
                                         next(i for i, c in enumerate(_COST) if k.name.startswith(c))))


@pytest.mark.parametrize("name", accelsim.presets.names())
def test_every_numeric_field_moves_its_output(name) -> None:
    arch = accelsim.presets.load(name)
    base = Outputs(arch)
    inert, untestable = [], []
    for path, v in where.numeric_fields(arch):
        if not where.applies(arch, path):
            continue
        output = where.output_of(path)
        tried = False
        for nv in _variants(v):
            try:
                other = arch.with_field(path, nv)
            except ConfigError:
                continue
            tried = True
            if base.moved(other, output, _probe_order(path), path):
                break
        else:
            (inert if tried else untestable).append(path)
    assert not inert, f"{name}: fields that move none of their output ({'/'.join(where.OUTPUTS)}): {inert}"
    assert not untestable, f"{name}: fields with no valid perturbation: {untestable}"


def test_the_list_names_real_fields_and_outputs() -> None:
    paths = {p for n in accelsim.presets.names() for p, _ in where.numeric_fields(accelsim.presets.load(n))}
    import fnmatch

    for pattern, output in where.FEEDS.items():
        assert output in where.OUTPUTS and any(fnmatch.fnmatchcase(p, pattern) for p in paths), pattern
    for pattern, (selector, values, why) in where.APPLIES_WHEN.items():
        assert any(fnmatch.fnmatchcase(p, pattern) for p in paths) and values and why, pattern
    assert where.output_of("dram.tRCD_ns") == "time" and where.output_of("energy.l2_pj_per_bit") == "energy"

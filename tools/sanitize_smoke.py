"""Python smoke test for the sanitizer build (tools/sanitize.sh): drives every path of the C++ core
through the bindings -- each preset and fidelity, every kernel kind, no-L2 and per-bank-refresh machines,
zero-byte and compute-only tiles, odd tilings, errors raised inside the core, many threads at once.
Exits non-zero on any unexpected exception; the sanitizers abort the process on any report.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import time

import accelsim
from accelsim import ConfigError, _core, presets
from accelsim.engine.core import machine_dict
from accelsim.engine.simulate import simulate_one
from accelsim.workload.kernels import DecodeAttention, Elementwise, Gemv, Moe

t0 = time.perf_counter()
archs = [presets.load(n) for n in presets.names()]
h = archs[0]
archs += [h.replace(l2=None, name="no-l2"), h.with_field("dram.tRFCpb_ns", 160.0),
          h.with_field("compute.units", 1), h.with_field("compute.max_inflight_bytes_per_unit", 1),
          h.with_field("dram.bank_groups", 1).with_field("dram.stacks", 1)]
kernels = [Gemv(m=1, n=4096, k=4096), Gemv(m=7, n=1000, k=333, weight_dtype="int4", group_size=64),
           Gemv(m=64, n=512, k=8192, dtype="fp8"), Elementwise(n_elements=1, reads=0, writes=1),
           Elementwise(n_elements=100_003, reads=3, writes=2, flops_per_element=0.0),
           DecodeAttention(batch=3, q_heads=12, kv_heads=4, head_dim=96, context=777, block_size=16, kv_dtype="int4"),
           Moe(tokens=3, n_experts=16, top_k=2, d_model=512, expert_d_ff=256, n_shared_experts=1)]
n = 0
for a in archs:
    for f in ("fast", "detailed", "roofline"):
        for k in kernels:
            if f == "detailed" and k.bytes_moved() > 1 << 20:
                continue
            r = accelsim.simulate(a, k, fidelity=f)
            assert r.time_s > 0 and math.isfinite(r.time_s), (a.name, f, k)
            n += 1
for model in ("llama-3-8b", "deepseek-v3"):
    accelsim.decode_step(h, model, batch=2, context=256, workers=4)
    n += 1

# The binding layer directly: odd but valid descriptions, and errors raised inside the core.
md = machine_dict(h)
base = Elementwise(n_elements=1 << 16).lower(h)[0]
odd = [dict(base, tile_read_bytes=0, tile_flops=1e6), dict(base, tile_step_bytes=1), dict(base, tiles_per_unit=64),
       dict(base, tile_read_bytes=1, tile_write_bytes=1, n_tiles=1000), dict(base, base_address=(1 << 40) + 3),
       dict(base, tile_shared_bytes=1 << 20), dict(base, kernel_fixed_ns=1e6, tile_fixed_ns=1e3)]
for f in ("fast", "detailed", "roofline"):
    res = _core.simulate_kernels(md, odd, f)
    assert len(res) == len(odd)
    n += len(odd)
bad_machines = [dict(md, units=0), dict(md, tBL_ns=0.0), dict(md, tREFI_ns=1.0), dict(md, interleave_bytes=33),
                dict(md, tRCD_ns=math.nan), dict(md, tRP_ns=-1.0), dict(md, units="x"), {k: v for k, v in md.items() if k != "stacks"}]
bad_kernels = [dict(base, n_tiles=0), dict(base, tile_flops=math.inf), dict(base, flops_per_ps_per_unit=0.0),
               dict(base, tiles_per_unit=0), dict(base, tile_read_bytes=-1), dict(base, name=None)]
errors = 0
for m in bad_machines:
    try:
        _core.simulate_kernels(m, [base], "fast")
    except _core.CoreConfigError:
        errors += 1
for k in bad_kernels:
    try:
        _core.simulate_kernels(md, [k], "fast")
    except _core.CoreConfigError:
        errors += 1
try:
    _core.simulate_kernels(md, [base], "bogus")
except _core.CoreConfigError:
    errors += 1
assert errors == len(bad_machines) + len(bad_kernels) + 1, errors
try:
    accelsim.simulate(h.with_field("compute.matrix_flops_per_cycle_per_unit.fp8", 0.0), Gemv(m=1, n=64, k=64, dtype="fp8"))
except ConfigError:
    errors += 1

# Many threads in the core at once (the GIL is released), compared with one thread.
jobs = [(a, k, f) for a in archs[:2] for k in kernels[1:5] for f in ("fast", "detailed")
        if not (f == "detailed" and k.bytes_moved() > 1 << 20)]
serial = [simulate_one.__wrapped__(*j) for j in jobs]
with cf.ThreadPoolExecutor(max_workers=8) as pool:
    assert list(pool.map(lambda j: simulate_one.__wrapped__(*j), jobs * 2)) == serial * 2
n += 3 * len(jobs)
print(f"sanitize_smoke: {n} simulations, {errors} expected ConfigErrors, {time.perf_counter() - t0:.1f} s: ok")

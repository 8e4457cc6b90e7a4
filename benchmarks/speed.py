"""Simulator speed: wall-clock figures (no asserts). Run: python benchmarks/speed.py"""

from __future__ import annotations

import concurrent.futures
import json
import pathlib
import statistics
import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim import _core
from accelsim.engine.core import machine_dict

DATA = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "h100_sxm_decode_kernels.json"
DTYPE = {"fp8e4m3": "fp8"}
H100 = accelsim.presets.load("h100-sxm")


def clear() -> None:
    accelsim.clear_cache()


def median_time(fn, reps: int) -> tuple[float, object]:
    ts, out = [], None
    for _ in range(reps):
        clear()
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def gemvs() -> list[accelsim.Gemv]:
    rows = json.loads(DATA.read_text())["gemv"]
    return [accelsim.Gemv(m=g["M"], n=g["N"], k=g["K"], dtype=DTYPE.get(g["dtype"], g["dtype"])) for g in rows]


def main() -> None:
    rows: list[tuple[str, str, str]] = []

    # (a) all calibration GEMVs, fast
    ks = gemvs()
    t, _ = median_time(lambda: [accelsim.simulate(H100, k, fidelity="fast") for k in ks], 3)
    rows.append((f"(a) {len(ks)} calibration GEMVs, fast", f"{t:.3f} s", f"{t / len(ks) * 1e3:.2f} ms/kernel, median of 3"))

    # (b) one 1 GB GEMV, m=1
    big = accelsim.Gemv(m=1, n=32768, k=16384, dtype="bf16")
    t, r = median_time(lambda: accelsim.simulate(H100, big, fidelity="fast"), 3)
    rows.append(("(b) GEMV 1x32768x16384 bf16 (1 GiB), fast", f"{t:.3f} s",
                 f"sim {r.time_s * 1e6:.1f} us, {r.kernels[0].events} events, median of 3"))
    t, r = median_time(lambda: accelsim.simulate(H100, big, fidelity="detailed"), 1)
    rows.append(("(b') same GEMV, detailed", f"{t:.3f} s", f"sim {r.time_s * 1e6:.1f} us, {r.kernels[0].events} events, 1 run"))

    # (c) detailed bursts per wall second on a 64 MiB elementwise read
    ew = accelsim.Elementwise(n_elements=32 << 20, dtype="bf16", reads=1, writes=0)
    m = machine_dict(H100)
    descs = ew.lower(H100)

    def run_ew() -> dict:
        return _core.simulate_kernels(m, descs, "detailed")[0]

    t, raw = median_time(run_ew, 3)
    bursts = raw["dram_read_bytes"] // H100.dram.burst_bytes
    rows.append(("(c) Elementwise 64 MiB read, detailed", f"{t:.3f} s",
                 f"{bursts} bursts -> {bursts / t / 1e6:.2f} M bursts/s, {raw['events'] / t / 1e6:.2f} M events/s, median of 3"))

    # (d) two threads on different kernels vs one thread
    pair = [accelsim.Gemv(m=1, n=28672, k=4096), accelsim.Gemv(m=1, n=4096, k=14336)]
    pair_descs = [p.lower(H100) for p in pair]

    def serial() -> None:
        for d in pair_descs:
            _core.simulate_kernels(m, d, "detailed")

    def threaded() -> None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            list(ex.map(lambda d: _core.simulate_kernels(m, d, "detailed"), pair_descs))

    t1, _ = median_time(serial, 3)
    t2, _ = median_time(threaded, 3)
    rows.append(("(d) 2 distinct GEMVs detailed, 1 thread", f"{t1:.3f} s", "median of 3"))
    rows.append(("(d) same, 2 threads", f"{t2:.3f} s", f"throughput ratio {t1 / t2:.2f}x (cpu_count={__import__('os').cpu_count()})"))
    # the same through the public API (fast; distinct kernels so the cache does not help)
    fk = [accelsim.Gemv(m=1, n=57344, k=8192), accelsim.Gemv(m=1, n=128256, k=4096)]
    t1, _ = median_time(lambda: [accelsim.simulate(H100, k) for k in fk], 3)

    def thr_api() -> None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            list(ex.map(lambda k: accelsim.simulate(H100, k), fk))

    t2, _ = median_time(thr_api, 3)
    rows.append(("(d') 2 distinct GEMVs fast (simulate), 1 thr", f"{t1:.3f} s", "median of 3"))
    rows.append(("(d') same, 2 threads", f"{t2:.3f} s", f"throughput ratio {t1 / t2:.2f}x"))

    # (d'') a sweep: 60 distinct GEMVs, one thread vs two threads taking them from one queue (the pairs
    # above are bounded by their imbalance: the longer kernel alone sets the two-thread time)
    sk = [accelsim.Gemv(m=1, n=2048 + 64 * i, k=4096) for i in range(60)]
    t1, _ = median_time(lambda: [accelsim.simulate(H100, k, workers=1) for k in sk], 3)

    def thr_sweep() -> None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            list(ex.map(lambda k: accelsim.simulate(H100, k, workers=1), sk))

    t2, _ = median_time(thr_sweep, 3)
    rows.append(("(d'') sweep of 60 distinct GEMVs, 1 thread", f"{t1:.3f} s", "median of 3"))
    rows.append(("(d'') same, 2 threads", f"{t2:.3f} s", f"throughput ratio {t1 / t2:.2f}x (target >= 1.7x)"))

    # (e) decode_step
    for batch in (1, 64):
        t, s = median_time(lambda: accelsim.decode_step(H100, "llama-3-8b", batch=batch, context=4096), 3)
        rows.append((f"(e) decode_step llama-3-8b b={batch} ctx=4096", f"{t:.3f} s",
                     f"sim {s.time_s * 1e3:.3f} ms/step, cache cleared, median of 3"))

    w = max(len(r[0]) for r in rows)
    print(f"{'benchmark':{w}s}  {'wall':>9s}  notes")
    print("-" * (w + 60))
    for name, val, note in rows:
        print(f"{name:{w}s}  {val:>9s}  {note}")


if __name__ == "__main__":
    main()

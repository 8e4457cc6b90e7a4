"""Simulator speed, optionally as a ratio against another install (no asserts).

    python benchmarks/speed.py [--baseline-python PY] [--reps 3] [--only NAME,...] [--list]

Every workload runs in a subprocess of its own (a fresh interpreter, the simulation cache empty), so two
installs can be compared in the same run: with ``--baseline-python`` (e.g. a second venv holding main,
installed with ``pip install /path/to/a/clone``) each workload runs alternately under this interpreter and
under the baseline, ``--reps`` times each (alternating cancels the drift of a shared, noisy machine), and
the table prints both medians and their ratio. Times are CPU seconds of the process (the workloads run on
one thread; the two-thread rows use wall time). Beside every time: the DRAM requests and events the core
actually simulated (counted at the seam to the core, engine/core.py, so after `fast`'s slicing, truncation
and screening), and the core calls and kernel runs behind them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim

# ---------------------------------------------------------------- the workloads (run inside a worker)

DETAILED_MAX_BYTES = 6 << 20  # `detailed` rows: the calibration cases up to this size (bytes moved)


def _h100() -> accelsim.Architecture:
    return accelsim.presets.load("h100-sxm")


def _cases(family: str) -> list:
    from accelsim.report import validation

    return validation.cases(family)


def _simulate_all(kernels: list, fidelity: str) -> None:
    arch = _h100()
    for k in kernels:
        accelsim.simulate(arch, k, fidelity=fidelity, workers=1)


def _gemvs() -> list:
    return [c.kernel for c in _cases("gemv_bf16") + _cases("gemv_fp8")]


def _small(kernels: list) -> list:
    return [k for k in kernels if k.bytes_moved() <= DETAILED_MAX_BYTES]


def _sweep(threads: int) -> None:
    import concurrent.futures

    arch = _h100()
    ks = [accelsim.Gemv(m=1, n=2048 + 64 * i, k=4096) for i in range(60)]
    if threads == 1:
        for k in ks:
            accelsim.simulate(arch, k, workers=1)
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as ex:
        list(ex.map(lambda k: accelsim.simulate(arch, k, workers=1), ks))


def _decode(batch: int) -> None:
    accelsim.decode_step(_h100(), "llama-3-8b", batch=batch, context=4096)


#: decode steps whose attention dominates, each under the default split-KV policy ("tuned") and under
#: "flash-attention" (one split count per attention kernel: what the tuned search's cost is measured against)
SPLIT_DECODES = {
    "h100_8b_b16_32k": ("h100-sxm", "llama-3-8b", 16, 32768),
    "b200_70b_b1_8k": ("b200", "llama-3-70b", 1, 8192),
    "mi300x_70b_b16_4k": ("mi300x", "llama-3-70b", 16, 4096),
}


def _split_decode(case: str, split_kv: str) -> None:
    from accelsim.workload.kernels import DecodeAttention

    preset, model, batch, context = SPLIT_DECODES[case]
    DecodeAttention.__init__.__kwdefaults__["split_kv"] = split_kv  # the policy decode_step's kernels get
    accelsim.decode_step(accelsim.presets.load(preset), model, batch=batch, context=context, workers=1)


# name -> (what it runs, time measure, workload)
WORKLOADS: dict[str, tuple[str, str, Callable[[], None]]] = {
    "gemv_fast": ("the 136 calibration GEMVs (bf16 + fp8), fast", "cpu",
                  lambda: _simulate_all(_gemvs(), "fast")),
    "attention_fast": ("the 53 calibration decode-attention cases, fast", "cpu",
                       lambda: _simulate_all([c.kernel for c in _cases("attention")], "fast")),
    "gemv_detailed": (f"calibration GEMVs of <= {DETAILED_MAX_BYTES >> 20} MiB, detailed", "cpu",
                      lambda: _simulate_all(_small(_gemvs()), "detailed")),
    "attention_detailed": (f"calibration attention cases of <= {DETAILED_MAX_BYTES >> 20} MiB, detailed", "cpu",
                           lambda: _simulate_all(_small([c.kernel for c in _cases("attention")]), "detailed")),
    "copy_detailed": ("Elementwise 64 MiB read, detailed", "cpu",
                      lambda: _simulate_all([accelsim.Elementwise(n_elements=32 << 20, dtype="bf16", reads=1,
                                                                   writes=0)], "detailed")),
    "gemv_1GB_fast": ("GEMV 1x32768x16384 bf16 (1.07 GB), fast", "cpu",
                      lambda: _simulate_all([accelsim.Gemv(m=1, n=32768, k=16384)], "fast")),
    "gemv_10GB_fast": ("GEMV 1x81920x65536 bf16 (10.7 GB), fast", "cpu",
                       lambda: _simulate_all([accelsim.Gemv(m=1, n=81920, k=65536)], "fast")),
    "gemv_137GB_fast": ("GEMV 1x262144x262144 bf16 (137 GB), fast", "cpu",
                        lambda: _simulate_all([accelsim.Gemv(m=1, n=262144, k=262144)], "fast")),
    "gemv_137GB_m64_fast": ("GEMV 64x262144x262144 bf16 (137 GB), fast", "cpu",
                            lambda: _simulate_all([accelsim.Gemv(m=64, n=262144, k=262144)], "fast")),
    "gemv_1GB_detailed": ("GEMV 1x32768x16384 bf16 (1.07 GB), detailed", "cpu",
                          lambda: _simulate_all([accelsim.Gemv(m=1, n=32768, k=16384)], "detailed")),
    "decode_b1": ("decode_step llama-3-8b b=1 ctx=4096, fast", "cpu", lambda: _decode(1)),
    "decode_b64": ("decode_step llama-3-8b b=64 ctx=4096, fast", "cpu", lambda: _decode(64)),
    **{f"decode_{c}_{tag}": (f"decode_step {m} b={b} ctx={n} on {p}, split_kv={pol!r}, fast", "cpu",
                             lambda c=c, pol=pol: _split_decode(c, pol))
       for c, (p, m, b, n) in SPLIT_DECODES.items()
       for tag, pol in (("tuned", "tuned"), ("fa", "flash-attention"))},
    "sweep60_1thread": ("60 distinct GEMVs, fast, 1 thread", "wall", lambda: _sweep(1)),
    "sweep60_2threads": ("same, 2 threads sharing one queue", "wall", lambda: _sweep(2)),
}
DEFAULT = ("gemv_fast", "attention_fast", "gemv_detailed", "attention_detailed", "copy_detailed", "gemv_1GB_fast",
           "gemv_10GB_fast", "gemv_137GB_fast", "gemv_137GB_m64_fast", "decode_b1", "decode_b64")


def _counting_core() -> dict[str, int]:
    """Count what the core simulates: wrap every function of the core module behind engine/core.py."""
    from accelsim.engine import core

    real = core._core
    counts = {"calls": 0, "runs": 0, "requests": 0, "events": 0}

    def add(r: object) -> None:
        if isinstance(r, dict) and "events" in r:
            counts["runs"] += 1
            counts["events"] += int(r.get("simulated_events", r["events"]))
            counts["requests"] += int(r.get("simulated_requests", r.get("dram_requests", r.get("requests", 0))))

    class Counting:
        def __getattr__(self, name: str) -> object:
            f = getattr(real, name)
            if isinstance(f, type) or not callable(f):
                return f

            def counted(*a: object, **kw: object) -> object:
                out = f(*a, **kw)
                counts["calls"] += 1
                for r in out if isinstance(out, list) else [out]:
                    add(r)
                return out

            return counted

    core._core = Counting()
    return counts


def worker(name: str) -> None:
    counts = _counting_core()
    fn = WORKLOADS[name][2]
    accelsim.clear_cache()
    w, c = time.perf_counter(), time.process_time()
    fn()
    c, w = time.process_time() - c, time.perf_counter() - w
    print(json.dumps(dict(counts, cpu=c, wall=w, version=accelsim.__version__, file=accelsim.__file__)))


# ---------------------------------------------------------------- the driver

def run_one(python: str, name: str) -> dict:
    p = subprocess.run([python, os.path.abspath(__file__), "--worker", name], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"error: {name} under {python} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def fmt_count(n: float) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e5 else f"{n / 1e3:.1f}K"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline-python", help="the python of another install (e.g. main's venv) to compare against")
    ap.add_argument("--reps", type=int, default=3, help="runs of each workload under each install (median)")
    ap.add_argument("--only", help="comma-separated workload names (see --list); default: " + ",".join(DEFAULT))
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    if args.list:
        for n, (what, measure, _) in WORKLOADS.items():
            print(f"{n:22s} {measure:4s}  {what}")
        return 0
    names = args.only.split(",") if args.only else list(DEFAULT)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        sys.exit(f"error: unknown workload(s) {unknown}; see --list")
    pythons = [("this", sys.executable)] + ([("base", args.baseline_python)] if args.baseline_python else [])
    print(f"this: accelsim {accelsim.__version__} ({os.path.dirname(accelsim.__file__)})")
    if args.baseline_python:
        v = subprocess.run([args.baseline_python, "-c", "import accelsim, os; print(accelsim.__version__, "
                            "os.path.dirname(accelsim.__file__))"], capture_output=True, text=True).stdout.strip()
        print(f"base: accelsim {v}")
    print(f"median of {args.reps} runs each, alternating; load average at start {os.getloadavg()[0]:.1f}\n")
    head = f"{'workload':30s} {'this s':>8s} {'requests':>8s} {'events':>8s} {'runs':>5s}"
    if args.baseline_python:
        head += f" | {'base s':>8s} {'requests':>8s} {'events':>8s} {'runs':>5s} | {'speed-up':>8s}"
    print(head)
    print("-" * len(head))
    for name in names:
        measure = WORKLOADS[name][1]
        got: dict[str, list[dict]] = {label: [] for label, _ in pythons}
        for _ in range(args.reps):
            for label, py in pythons:
                got[label].append(run_one(py, name))
        line = f"{name:30s}"
        med = {}
        for label, _ in pythons:
            rs = got[label]
            med[label] = statistics.median(r[measure] for r in rs)
            r0 = rs[0]
            if label == "base":
                line += " |"
            line += (f" {med[label]:8.3f} {fmt_count(r0['requests']):>8s} {fmt_count(r0['events']):>8s}"
                     f" {r0['runs']:5d}")
        if args.baseline_python:
            line += f" | {med['base'] / med['this']:7.2f}x"
        print(line + ("  (wall)" if measure == "wall" else ""), flush=True)
    print("\nworkloads:")
    for name in names:
        print(f"  {name:30s} {WORKLOADS[name][0]}")
    print("\nrequests / events: DRAM requests and engine events the core simulated (after fast's slicing, truncation "
          "and screening); runs: kernel runs. speed-up: base time / this time.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long a 10,000-request serve() takes: cold (the step model's grid points simulated on the way) and
warm (every grid point already simulated: the continuous-batching loop alone), with the requests, engine
steps and grid simulations beside each time.

    python benchmarks/serve_speed.py [--requests 10000]
"""

from __future__ import annotations

import argparse
import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim.engine.simulate import clear_cache


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--model", default="llama-3-8b")
    ap.add_argument("--arch", default="h100-sxm")
    args = ap.parse_args()
    arch = accelsim.presets.load(args.arch)
    print(f"{'run':28s} {'requests':>9s} {'steps':>8s} {'sims':>6s} {'wall s':>8s} {'us/step':>8s}  result")
    for label, w, stack in (
            ("poisson 20 req/s, 1000/1000", accelsim.Workload(num_requests=args.requests, input_len=1000,
                                                              output_len=1000, arrival="poisson", rate=20.0), "trtllm"),
            ("offline, 512/128", accelsim.Workload(num_requests=args.requests, input_len=512, output_len=128), "vllm")):
        clear_cache()
        for phase in ("cold", "warm"):
            t0 = time.perf_counter()
            r = accelsim.serve(arch, args.model, w, stack=stack, weight_dtype="fp8", kv_dtype="fp8")
            dt = time.perf_counter() - t0
            print(f"{label + ' ' + phase:28s} {r.num_requests:9d} {r.steps:8d} {r.simulations:6d} {dt:8.2f} "
                  f"{dt / r.steps * 1e6:8.1f}  {r.throughput_tokens_per_s:,.0f} tok/s, TTFT p50 "
                  f"{r.ttft['p50'] * 1e3:.0f} ms, TPOT p50 {r.tpot['p50'] * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

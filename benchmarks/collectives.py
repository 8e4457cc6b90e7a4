"""Validation: collectives on 8x H100 NVSwitch and tensor-parallel llama-3-70b decode, predicted
vs published.  Every predicted number comes from the model; every published number is cited.

    python benchmarks/collectives.py

Published sources
  [N212]  NVIDIA/nccl-tests #212 (S. Jeaugey, NVIDIA, 2024): 8x H100, NVLink4 450 GB/s line rate; effective
          ~370 GB/s bus bandwidth for rings and for non-all-reduce collectives; NVLS all-reduce peak bus
          bandwidth ~480 GB/s (algbw ~275 GB/s) on large messages.
  [N309]  NVIDIA/nccl-tests #309 (2025): 8x H100 all-reduce with NVLS disabled: 368.76 GB/s busbw.
  [N1455] NVIDIA/nccl #1455 (2024): 8x H100 SXM, all_reduce_perf 2-4 GB: Ring busbw 365-370 GB/s for 2..8
          GPUs; NVLS busbw 420 / 440 / 460 / 480 GB/s on 5 / 6 / 7 / 8 GPUs.
  [N290]  NVIDIA/nccl-tests #290 (2025): single 8x H100 node, NVLS all-reduce 476 GB/s ("in the expected
          range", NVIDIA).
  [SGL]   sgl-project/sglang PR #2904 (2025): H100, TP=8, custom all-reduce (TensorRT-LLM kernels, no CUDA
          graph) latency: 512 B 5.9 us, 4 KB 5.7 us, 32 KB 7.8 us, 256 KB 16.7 us, 512 KB 22.1 us,
          1 MB 33.8 us.
  [TUNE]  NVIDIA/nccl src/graph/tuning.cc (master 2026): NCCL's own cost model, Ring/LL all-reduce on one node:
          baseLat 6.6 us + 2 (p - 1) x hwLat 0.6 us + N / algbw, the LL bus bandwidth min(llMaxBw, 0.5 busBw) with
          Hopper's llMaxBw 141 GB/s (tests/data/nccl_small_allreduce.json); NCCL picks Ring/LL up to 1 MB on
          8x H100 [N309].
  [NIM]   NVIDIA NIM benchmarking, LLM performance (NIM 1.8.0): Llama-3.3-70B-Instruct on 2x H100 80G,
          fp8, TP2, concurrency 1: ITL 18.91 ms (500 in / 2000 out), 18.58 ms (5000 in / 500 out).
  [VLLM]  vLLM performance benchmark (buildkite vllm/performance-benchmark build 9515): llama-3 70B,
          TP4 on H200, batch 8, 32 in / 128 out: mean end-to-end latency 2077.53 ms (16.2 ms per token,
          prefill included).
"""

from __future__ import annotations

import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
from accelsim import collectives, systems
from accelsim.multichip.parallel import ParallelPlan, parallel_decode_step

GB = 1e9


def _row(label: str, pred: float, pub: float, unit: str, src: str) -> float:
    err = (pred - pub) / pub
    print(f"  {label:44s} {pred:10.2f} {pub:10.2f} {unit:6s} {err:+7.1%}  {src}")
    return err


def collectives_validation() -> list[float]:
    s = systems.load("dgx-h100-8")
    errs: list[float] = []
    print("Collectives on 8x H100 NVLink4/NVSwitch (dgx-h100-8)")
    print(f"  {'case':44s} {'predicted':>10s} {'published':>10s} {'unit':6s} {'error':>7s}  source")
    r = collectives.collective(s, "all_reduce", 1 << 32, algorithm="ring")
    errs.append(_row("all-reduce ring 4 GiB busbw, 8 GPUs", r.bus_bandwidth_bytes_per_s / GB, 368.76, "GB/s", "[N309]"))
    for p in (2, 4):
        r = collectives.collective(s, "all_reduce", 1 << 31, algorithm="ring", ranks=p)
        errs.append(_row(f"all-reduce ring 2 GiB busbw, {p} GPUs", r.bus_bandwidth_bytes_per_s / GB, 367.5, "GB/s",
                         "[N1455] 365-370"))
    for kind in ("all_gather", "reduce_scatter"):
        r = collectives.collective(s, kind, 1 << 32)
        errs.append(_row(f"{kind} 4 GiB busbw, 8 GPUs", r.bus_bandwidth_bytes_per_s / GB, 370.0, "GB/s", "[N212]"))
    for p, pub in ((5, 420.0), (6, 440.0), (7, 460.0), (8, 480.0)):
        r = collectives.collective(s, "all_reduce", 1 << 32, algorithm="in_network", ranks=p)
        errs.append(_row(f"all-reduce NVLS 4 GiB busbw, {p} GPUs", r.bus_bandwidth_bytes_per_s / GB, pub, "GB/s",
                         "[N1455]"))
    r = collectives.collective(s, "all_reduce", 1 << 32)
    errs.append(_row("all-reduce auto 4 GiB busbw, 8 GPUs", r.bus_bandwidth_bytes_per_s / GB, 476.0, "GB/s",
                     f"[N290] ({r.algorithm})"))
    print("  NCCL Ring/LL, 8 GPUs, against NCCL's own cost model (not a measurement):")
    for nbytes in (262144, 524288, 1 << 20):
        r = collectives.collective(s, "all_reduce", nbytes, algorithm="nccl")
        tune_us = 6.6 + 14 * 0.6 + nbytes / (1000 * min(141.0, 0.5 * 370.0) * 8 / 14)
        _row(f"all-reduce {nbytes:>8d} B nccl ({r.algorithm}/{r.protocol})", r.time_s * 1e6, tune_us, "us", "[TUNE]")
    print("  small messages, TP=8 (model: fastest of one-shot / two-shot, LL protocol):")
    for nbytes, pub in ((512, 5.9), (4096, 5.7), (32768, 7.8), (262144, 16.7), (524288, 22.1), (1 << 20, 33.8)):
        one = collectives.collective(s, "all_reduce", nbytes, algorithm="one_shot")
        two = collectives.collective(s, "all_reduce", nbytes, algorithm="direct")
        best = min(one, two, key=lambda x: x.time_s)
        errs.append(_row(f"all-reduce {nbytes:>8d} B custom ({best.algorithm})", best.time_s * 1e6, pub, "us", "[SGL]"))
        _row(f"    one-shot only", one.time_s * 1e6, pub, "us", "[SGL]")
    return errs


def decode_validation() -> list[float]:
    print("Tensor-parallel llama-3-70b decode (per output token)")
    print(f"  {'case':44s} {'predicted':>10s} {'published':>10s} {'unit':6s} {'error':>7s}  source")
    errs = []
    h100 = systems.load("dgx-h100-8")
    h200 = systems.load("hgx-h200-8")
    for ctx, pub, label in ((1500, 18.91, "500 in/2000 out"), (5250, 18.58, "5000 in/500 out")):
        r = parallel_decode_step(h100, "llama-3-70b", 1, ctx, plan=ParallelPlan(tp=2), weight_dtype="fp8")
        errs.append(_row(f"H100 TP2 fp8 b1 {label}", r.time_s * 1e3, pub, "ms", "[NIM]"))
        print(f"      (compute {r.compute_s * 1e3:.2f} ms, communication {r.comm_s * 1e3:.2f} ms)")
    r = parallel_decode_step(h200, "llama-3-70b", 8, 96, plan=ParallelPlan(tp=4))
    errs.append(_row("H200 TP4 bf16 b8 32 in/128 out", r.time_s * 1e3, 2077.53 / 128, "ms", "[VLLM]"))
    print(f"      (compute {r.compute_s * 1e3:.2f} ms, communication {r.comm_s * 1e3:.2f} ms)")
    print("  TP-8 (no published per-token latency found for this configuration; prediction only):")
    for wd in ("bf16", "fp8"):
        r = parallel_decode_step(h100, "llama-3-70b", 1, 1500, plan=ParallelPlan(tp=8), weight_dtype=wd)
        print(f"  {'H100 TP8 ' + wd + ' b1 ctx 1500':44s} {r.time_s * 1e3:10.2f} ms   (compute {r.compute_s * 1e3:.2f}, "
              f"all-reduces {r.comm_s * 1e3:.2f}: {r.comm_s / r.time_s:.0%} of the step)")
    return errs


def main() -> None:
    t0 = time.perf_counter()
    ce = collectives_validation()
    print()
    de = decode_validation()
    for name, errs in (("collectives", ce), ("decode", de)):
        mean = sum(abs(e) for e in errs) / len(errs)
        print(f"{name}: mean |error| {mean:.1%}, max |error| {max(abs(e) for e in errs):.1%} over {len(errs)} cases")
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()

"""``accelsim serve``: serve a request stream on one or more designs and print TTFT / TPOT / throughput;
``--plot`` draws latency against throughput, one line per design (one point per request rate).

    accelsim serve --arch h100-sxm,h200 --model llama-3-8b --input-len 2048 --output-len 256 --rate 2,4,8
    accelsim serve --system dgx-h100-8 --tp 2 --model llama-3-70b --weight-dtype fp8 --batch 256
    accelsim serve --system dgx-h100-8 --ep 8 --model mixtral-8x7b --weight-dtype fp8 --rate 8
    accelsim serve --arch h100-sxm --model llama-3-8b --concurrency 1,8,32 --plot curve.png
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import ConfigError
from ..multichip.parallel import ParallelPlan
from ..workload.serving import STACKS, Workload, serve
from . import options

__all__ = ["add_serve_command", "cmd_serve"]


def _floats(text: str, name: str) -> list[float]:
    try:
        vals = [float(x) for x in str(text).split(",") if x.strip()]
    except ValueError:
        raise ConfigError(name, "must be a number or a comma-separated list of numbers", text) from None
    if not vals or any(not v > 0 for v in vals):
        raise ConfigError(name, "must be positive", text)
    return vals


def add_serve_command(sub: Any) -> None:
    """The ``serve`` command, on the options every command shares (:mod:`accelsim.cli.options`): --arch (chip
    presets or machine files, comma-separated) or --system (comma-separated) with --tp/--pp/--ep, --model with
    --weight-dtype/--kv-dtype/--routing-zipf-s, --fidelity/--json/--no-progress; and its own workload flags."""
    sp = sub.add_parser("serve", help="serve a request stream: throughput, TTFT and TPOT",
                        description="Continuous batching of a request stream on one or more designs (chip "
                                    "presets or machine files with --arch, or multi-chip --system with "
                                    "--tp/--pp/--ep). Load: --rate (Poisson requests/s), --concurrency (closed "
                                    "loop) or --batch (all requests at once); comma-separated values sweep the load.")
    options.machine(sp, many=True)
    options.model(sp, batch=None, context=None,
                  batch_help="requests all arriving at t=0 (offline throughput), comma-separated")
    g = sp.add_argument_group("workload")
    g.add_argument("--input-len", type=int, default=1024, help="prompt tokens per request (default: %(default)s)")
    g.add_argument("--output-len", type=int, default=256, help="output tokens per request (default: %(default)s)")
    g.add_argument("--rate", help="Poisson arrival rate(s), requests/s, comma-separated")
    g.add_argument("--concurrency", help="closed-loop users, comma-separated")
    g.add_argument("--num-requests", type=int, default=200, help="requests per run for --rate/--concurrency "
                                                                 "(default: %(default)s)")
    g.add_argument("--stack", default="vllm", choices=sorted(STACKS), help="software stack (default: %(default)s)")
    sp.add_argument("--plot", metavar="PNG", help="save latency (TPOT p50) against throughput per chip")
    options.run(sp)
    sp.set_defaults(func=cmd_serve)


def _designs(args: argparse.Namespace) -> list[tuple[str, Any, ParallelPlan | None]]:
    out: list[tuple[str, Any, ParallelPlan | None]] = []
    for system, plan in options.plans_from(args):
        label = f"{system.name} tp{plan.tp}" + (f" pp{plan.pp}" if plan.pp > 1 else "") + \
            (f" ep{plan.ep}" if plan.ep > 1 else "")
        out.append((label, system, plan))
    if not out:
        for a in options.archs_from(args.arch):
            out.append((a.name, a, None))
    return out


def _workloads(args: argparse.Namespace) -> list[tuple[str, Workload]]:
    given = [f for f in ("rate", "concurrency", "batch") if getattr(args, f)]
    if len(given) > 1:
        raise ConfigError(f"--{given[1]}", f"give one load: --rate, --concurrency or --batch (also got --{given[0]})")
    common = dict(input_len=args.input_len, output_len=args.output_len)
    if args.rate:
        return [(f"{r:g} req/s", Workload(num_requests=args.num_requests, arrival="poisson", rate=r, **common))
                for r in _floats(args.rate, "rate")]
    if args.concurrency:
        return [(f"{int(c)} users", Workload(num_requests=args.num_requests, arrival="closed", concurrency=int(c),
                                             **common)) for c in _floats(args.concurrency, "concurrency")]
    batches = _floats(args.batch, "batch") if args.batch else [float(args.num_requests)]
    return [(f"batch {int(b)}", Workload(num_requests=int(b), **common)) for b in batches]


def cmd_serve(args: argparse.Namespace) -> int:
    if args.plot is not None:
        options.output_path(args.plot, (".png", ".svg", ".pdf"), "--plot")
    rows: list[dict[str, Any]] = []
    curves: dict[str, list[tuple[float, float]]] = {}
    model = options.model_from(args.model)
    designs, loads = _designs(args), _workloads(args)
    for label, target, plan in designs:
        for load, w in loads:
            r = serve(target, model, w, stack=args.stack, plan=plan, weight_dtype=args.weight_dtype,
                      kv_dtype=args.kv_dtype, fidelity=args.fidelity, routing_zipf_s=args.routing_zipf_s)
            rows.append(dict(design=label, load=load, **r.as_dict()))
            if r.feasible:
                curves.setdefault(label, []).append((r.tokens_per_s_per_chip, r.tpot["p50"] * 1e3))
    if args.json:
        print(json.dumps(rows, indent=1, default=float))
    else:
        print(f"{model.name}, {args.input_len} in / {args.output_len} out, stack {args.stack}")
        print(f"{'design':22s} {'load':>12s} {'tok/s/chip':>11s} {'TTFT p50':>10s} {'TTFT p90':>10s} "
              f"{'TPOT p50':>10s} {'TPOT p90':>10s} {'mJ/token':>9s}")
        for d in rows:
            if not d["feasible"]:
                print(f"{d['design'][:22]:22s} {d['load']:>12s}  infeasible: {d['reason']}")
                continue
            ms = lambda m, k: d[m][k] * 1e3  # noqa: E731
            jt = d["joules_per_token"]
            print(f"{d['design'][:22]:22s} {d['load']:>12s} {d['tokens_per_s_per_chip']:11,.0f} "
                  f"{ms('ttft', 'p50'):8.1f}ms {ms('ttft', 'p90'):8.1f}ms {ms('tpot', 'p50'):8.2f}ms "
                  f"{ms('tpot', 'p90'):8.2f}ms {jt * 1e3 if jt == jt else float('nan'):9.1f}")
    if args.plot:
        from ..report.plots import serving_curves  # noqa: PLC0415

        serving_curves(curves, args.plot, title=f"{model.name}, {args.input_len} in / {args.output_len} out")
        if not args.json:
            print(f"wrote {args.plot}")
    return 0

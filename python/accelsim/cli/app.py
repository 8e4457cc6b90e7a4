"""The ``accelsim`` command line (also ``python -m accelsim``).

    accelsim presets                         machines, one line each
    accelsim models                          model zoo, parameter counts
    accelsim compare [--arch a,b] [--model M] [--batch 1,16]
                                             a model's decode GEMVs and attention on two (or more) machines
    accelsim simulate --arch h100-sxm --gemv 1,4096,4096
    accelsim decode --arch h200 --model llama-3-8b --batch 16 --context 4096 [--weight-dtype fp8]
                                             one decode step, kernel by kernel, with cost and carbon per token
    accelsim decode --system dgx-h100-8 --tp 8 --model llama-3-70b      the same across the chips of a system
    accelsim validate [--family gemv_bf16]   predicted vs measured on the H100 SXM ground truth
    accelsim sweep spec.yaml -o results.parquet [--executor local|serial|dask] [--workers N]
    accelsim plot results.parquet -o sweep.png [-x tokens_per_s -y usd_per_mtoken]
    accelsim plot --kind roofline|breakdown --arch h200 --model llama-3-8b -o fig.png
    accelsim trace --arch h200 --model llama-3-8b -o step.json   Perfetto/Chrome trace of a decode step
    accelsim serve --arch h100-sxm,h200 --model llama-3-8b --input-len 2048 --output-len 256 --rate 2,4,8
                   [--system dgx-h100-8 --tp 2 --pp 1] [--stack vllm|trtllm|ideal] [--plot curve.png]
                                             continuous batching: throughput, TTFT and TPOT percentiles

Every command that simulates takes the same options (accelsim.cli.options): ``--arch`` a preset or a machine
file, ``--system``/``--tp``/``--pp``/``--ep``, ``--model`` a zoo name or a Hugging Face config.json,
``--batch``, ``--context``, ``--weight-dtype``, ``--kv-dtype``, ``--routing-zipf-s``, ``--fidelity``,
``--json``.  ``simulate --model`` is ``decode``.

Invalid input (an unknown preset, a bad shape, a missing output folder, ...) prints ``error: <message>`` on
stderr and exits with status 2; an unknown flag prints the command's usage with a suggestion.  Units in
the tables: times in microseconds (us), bandwidth in GB/s with GB = 1e9 bytes.  ``--json`` output uses
seconds and bytes, with the unit in every key.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from typing import Iterator, Any, Optional, Sequence

from .. import __version__
from .. import models
from ..engine import nearmem
from .. import presets
from ..report import validation
from ..errors import ConfigError
from ..workload.kernels import DecodeAttention, Elementwise, Gemv, Moe
from ..engine.simulate import simulate
from ..engine.result import Result
from . import options

__all__ = ["main", "compare_kernels"]

GB = 1e9
GiB = 2**30

def compare_kernels(model: Any = "llama-3-8b", batches: Sequence[int] = (1, 16), context: int = 8192, *,
                    weight_dtype: str = "bf16", kv_dtype: str = "bf16", routing_zipf_s: float = 0.0) -> list[Any]:
    """The kernels ``accelsim compare`` runs: the distinct GEMVs (and MoE expert GEMVs) and decode attention of
    one decode step of ``model`` at each batch in ``batches`` over a ``context``-token KV cache (element-wise
    kernels left out), in step order; the default is Llama-3-8B at batch 1 and 16, context 8192, bf16."""
    from ..workload.decode import decode_kernels  # noqa: PLC0415

    mdl = models.load(model)
    out: list[Any] = []
    for b in batches:
        for k, _ in decode_kernels(mdl, b, context, weight_dtype=weight_dtype, kv_dtype=kv_dtype,
                                   routing_zipf_s=routing_zipf_s):
            if isinstance(k, (Gemv, Moe, DecodeAttention)) and k not in out:
                out.append(k)
    return out


def _shape(k: Any) -> str:
    if isinstance(k, Gemv):
        return f"m={k.m} n={k.n} k={k.k} {k.dtype}"
    if isinstance(k, DecodeAttention):
        return f"B={k.batch} Hq={k.q_heads} Hkv={k.kv_heads} D={k.head_dim} S={k.context} {k.dtype}"
    if isinstance(k, Elementwise):
        return f"n={k.n_elements} {k.dtype} r={k.reads} w={k.writes}"
    if isinstance(k, Moe):
        return f"T={k.tokens} E={k.n_experts} top{k.top_k} d={k.d_model} ff={k.expert_d_ff} {k.dtype}"
    return type(k).__name__  # pragma: no cover


def _gbps(nbytes: float, time_s: float) -> float:
    return nbytes / time_s / GB if time_s > 0 else 0.0


def _batches(text: Any) -> list[int]:
    out = []
    for part in str(text).split(","):
        try:
            out.append(int(part.strip()))
        except ValueError:
            raise ConfigError("--batch", "expects comma-separated integers", text) from None
    return out


def _split_csv(text: str, field: str) -> list[str]:
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise ConfigError(field, "must be a comma-separated list", text)
    return items


def _ints(text: str, field: str, count: int) -> list[int]:
    parts = [s.strip() for s in text.split(",")]
    if len(parts) != count:
        raise ConfigError(field, f"expects {count} comma-separated integers", text)
    out = []
    for p in parts:
        try:
            out.append(int(p))
        except ValueError:
            raise ConfigError(field, f"expects {count} comma-separated integers", text) from None
    return out


def print_json(obj: Any) -> None:
    """Standard JSON: a NaN or infinite float (a summary of no cases, say) is written as null."""
    print(json.dumps(_finite(obj), indent=2, sort_keys=False, allow_nan=False, default=_json_default))


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


@contextlib.contextmanager
def writing(path: str) -> Iterator[None]:
    """An OSError while writing ``path`` names it (a full disk's error does not say which file)."""
    try:
        yield
    except OSError as e:
        if getattr(e, "filename", None) or isinstance(e, BrokenPipeError):
            raise
        raise OSError(e.errno, e.strerror or str(e), path) from None


def _json_default(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):  # pragma: no cover
        return None
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def fmt_table(header: list[str], rows: list[list[str]], left: int = 2) -> str:
    """Columns: the first ``left`` left-aligned, the rest right-aligned."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(r: list[str]) -> str:
        cells = [c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


# ---------------------------------------------------------------------------------------- commands


def cmd_presets(args: argparse.Namespace) -> int:
    rows = []
    out = []
    for name in presets.names():
        a = presets.load(name)
        d = a.dram
        info = dict(name=name, description=a.description, units=a.compute.units, dram_kind=d.kind,
                    dram_stacks=d.stacks, peak_dram_bandwidth_bytes_per_s=a.peak_dram_bandwidth_bytes_per_s,
                    memory_capacity_bytes=a.memory_capacity_bytes,
                    l2_capacity_bytes=a.l2.capacity_bytes if a.l2 is not None else 0,
                    peak_bf16_flops_per_s=a.peak_flops_per_s("bf16"))
        beyond, extra = nearmem.summary(a)  # near-memory units / flash tier
        info.update(extra, dram_host_pj_per_bit=a.energy.dram_host_pj_per_bit if a.energy is not None else None)
        out.append(info)
        rows.append([name, str(a.compute.units), d.kind, str(d.stacks),
                     f"{a.peak_dram_bandwidth_bytes_per_s / 1e12:.2f}",
                     f"{a.memory_capacity_bytes / GB:.1f}", f"{a.memory_capacity_bytes / GiB:.0f}",
                     f"{(a.l2.capacity_bytes if a.l2 else 0) / 2**20:.0f}",
                     f"{a.energy.dram_host_pj_per_bit:.1f}" if a.energy is not None else "-", beyond, a.description])
    if args.json:
        print_json(out)
        return 0
    print(fmt_table(["preset", "units", "dram", "stacks", "peak TB/s", "cap GB", "cap GiB", "L2 MiB",
                      "pJ/bit", "beyond DRAM", "description"], rows, left=1))
    print("\nTB/s = 1e12 bytes/s, GB = 1e9 bytes, GiB = 2^30 bytes. Sources: accelsim.presets (cited per field).")
    print("pJ/bit: DRAM energy to the processor (energy model; - = no energy spec). beyond DRAM: near-memory units "
          "(count, internal TB/s) and High Bandwidth Flash (capacity, TB/s; cap GB is the DRAM tier).")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    rows = []
    out = []
    for name in models.names():
        m = models.load(name)
        p = m.params()
        active = m.active_params(1)
        out.append(dict(name=name, params=p, active_params_per_token=active, n_layers=m.n_layers,
                        d_model=m.d_model, attention=m.attention, moe=m.moe is not None))
        rows.append([name, f"{p / 1e9:.2f}", f"{active / 1e9:.2f}" if m.moe is not None else "",
                     str(m.n_layers), str(m.d_model), str(m.attention)])
    if args.json:
        print_json(out)
        return 0
    print(fmt_table(["model", "params B", "active B", "layers", "d_model", "attention"], rows, left=1))
    print("\nB = 1e9 parameters; 'active' = parameters one decode token touches (MoE models).")
    return 0


def _plot(path: str, names: list[str], labels: list[str], times_us: list[list[float]],
          title: str = "decode kernels") -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"note: matplotlib is not installed, so no plot was written to {path} "
              "(pip install 'accelsim[plot]' or pip install matplotlib)", file=sys.stderr)
        return
    from ..report.plots import design_colors  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(labels) + 2), 6.0))
    width = 0.8 / len(names)
    colors = design_colors(names)
    for i, (name, ts) in enumerate(zip(names, times_us)):
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(labels))]
        ax.bar(xs, ts, width=width, label=name, color=colors[name])
    ax.set_xticks(list(range(len(labels))))
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_ylabel("simulated time per call (us)")
    ax.set_yscale("log")
    from ..report.plots import plain_log_axis  # noqa: PLC0415

    plain_log_axis(ax.yaxis)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}", file=sys.stderr)


def cmd_compare(args: argparse.Namespace) -> int:
    if args.presets:  # the flag's older name
        args.arch = args.presets
    if args.plot is not None:
        options.output_path(args.plot, (".png", ".svg", ".pdf"), "--plot")
    archs = options.archs_from(args.arch)  # ConfigError names the choices
    names = _split_csv(args.arch, "--arch")  # each machine as it was given (a preset name or a file)
    mdl = options.model_from(args.model)
    batches = _batches(args.batch)
    kernels = compare_kernels(mdl, batches, args.context, weight_dtype=args.weight_dtype, kv_dtype=args.kv_dtype,
                              routing_zipf_s=args.routing_zipf_s)
    results: list[Result] = []
    with options.progress(len(archs), "accelsim compare", enabled=args.fidelity == "detailed" and not args.no_progress) \
            as bar:
        for a in archs:
            results.append(simulate(a, kernels, fidelity=args.fidelity))
            bar.update()
    base = results[0]
    if args.json:
        out_rows = []
        for i, k in enumerate(kernels):
            per = {}
            for n, r in zip(names, results):
                row = r.kernels[i]
                per[n] = dict(time_s=row.time_s, launch_s=row.launch_s, roofline_s=row.roofline_s,
                              bytes_moved=k.bytes_moved(),
                              achieved_bandwidth_bytes_per_s=k.bytes_moved() / row.time_s if row.time_s > 0 else 0.0,
                              dram_read_bytes=row.dram_read_bytes, dram_write_bytes=row.dram_write_bytes,
                              bound=row.bound)
            speed = {n: base.kernels[i].time_s / r.kernels[i].time_s for n, r in zip(names[1:], results[1:])}
            out_rows.append(dict(kernel=k.name, shape=_shape(k), presets=per, speedup_vs_first=speed))
        print_json(dict(presets=names, fidelity=args.fidelity, model=mdl.name, batches=batches, context=args.context,
                        kernels=out_rows, total_time_s={n: r.time_s for n, r in zip(names, results)},
                        total_speedup_vs_first={n: base.time_s / r.time_s for n, r in zip(names[1:], results[1:])}))
    else:
        header = ["kernel", "shape"]
        for n in names:
            header += [f"{n} us", f"{n} GB/s"]
        header += [f"{n}/{names[0]} speedup" for n in names[1:]]
        rows = []
        for i, k in enumerate(kernels):
            row = [k.name, _shape(k)]
            for r in results:
                t = r.kernels[i].time_s
                row += [f"{t * 1e6:.2f}", f"{_gbps(k.bytes_moved(), t):.0f}"]
            row += [f"{base.kernels[i].time_s / r.kernels[i].time_s:.2f}x" for r in results[1:]]
            rows.append(row)
        total = ["total", f"{len(kernels)} kernels back to back"]
        total_bytes = sum(k.bytes_moved() for k in kernels)
        for r in results:
            total += [f"{r.time_s * 1e6:.2f}", f"{_gbps(total_bytes, r.time_s):.0f}"]
        total += [f"{base.time_s / r.time_s:.2f}x" for r in results[1:]]
        rows.append(total)
        print(f"{mdl.name} decode GEMVs and attention (batch {','.join(map(str, batches))}, context {args.context}, "
              f"weights {args.weight_dtype}), fidelity={args.fidelity}")
        print(fmt_table(header, rows))
        note = ("\nus = simulated time per call incl. launch overhead; GB/s = the kernel's bytes (weights/KV "
                "read once + activations) / time, GB = 1e9")
        if len(names) > 1:
            note += "; speedup = time on the first machine / time on this one"
        print(note + ". The whole step, element-wise kernels included: accelsim decode.")
    if args.plot:
        _plot(args.plot, names, [f"{k.name} {_shape(k).rsplit(' ', 1)[0]}" for k in kernels],
              [[row.time_s * 1e6 for row in r.kernels] for r in results], title=f"{mdl.name} decode kernels")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    if getattr(args, "model", None):
        if args.gemv or args.elementwise or args.attention:
            raise ConfigError("--model", "simulates a whole decode step; do not combine it with "
                                         "--gemv/--elementwise/--attention")
        return cmd_decode(args)
    if args.system:
        raise ConfigError("--system", "simulate --gemv/--elementwise/--attention runs on one chip (--arch); "
                                      "use --model for a decode step across a system")
    arch = options.arch_from(args.arch)
    kernels: list[Any] = []
    for text in args.gemv or []:
        m, n, k = _ints(text, "--gemv", 3)
        kernels.append(Gemv(m=m, n=n, k=k, dtype=args.dtype, name=f"gemv {m}x{n}x{k}"))
    for text in args.elementwise or []:
        (n,) = _ints(text, "--elementwise", 1)
        kernels.append(Elementwise(n_elements=n, dtype=args.dtype, name=f"elementwise {n}"))
    for text in args.attention or []:
        b, hq, hkv, d, s = _ints(text, "--attention", 5)
        kernels.append(DecodeAttention(batch=b, q_heads=hq, kv_heads=hkv, head_dim=d, context=s,
                                       dtype=args.dtype, name=f"attention S={s}"))
    if not kernels:
        raise ConfigError("kernels", "give at least one of --gemv M,N,K, --elementwise N, --attention B,HQ,HKV,D,S")
    r = simulate(arch, kernels, fidelity=args.fidelity)
    if args.json:
        print_json(dict(arch=r.arch_name, fidelity=r.fidelity, time_s=r.time_s,
                         kernels=[dict(row.as_dict(), shape=_shape(k)) for row, k in zip(r.kernels, kernels)]))
    else:
        print(f"{r.arch_name}, fidelity={r.fidelity}")
        print(r.table())
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    """One decode step (``decode`` and ``simulate --model``): the per-kernel table, then what it costs."""
    from .sweep import cost_of  # noqa: PLC0415

    machine, s = options.decode_from(args)
    single = not hasattr(s, "plan")  # a DecodeStepResult (one chip), not a parallel step
    c = cost_of(machine, s) if single and s.feasible else None
    if args.json:
        d = s.as_dict()
        if single:
            d["cost"] = None if c is None else {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                                                for k, v in c.as_dict().items()}
        print_json(d)
        return 0
    print(s.table())
    if single and s.feasible:
        print(f"\nus = simulated microseconds incl. launch overhead; GB/s = DRAM bytes / (time - launch), "
              f"GB = 1e9. Weights {s.weight_bytes / GB:.1f} GB + KV cache {s.kv_cache_bytes / GB:.2f} GB "
              f"of {s.capacity_bytes / GB:.1f} GB.")
        if c is not None:
            src = "energy model" if c.power_source == "energy_model" else "TDP"
            print(f"cost: ${c.usd_per_mtoken:.3f} per million tokens, {c.gco2e_per_mtoken:.1f} gCO2e per million "
                  f"tokens, {c.tokens_per_s_per_w:.2f} tokens/s per W (power {c.power_w:.0f} W from {src}; "
                  f"capex ${c.capex_usd:,.0f}; defaults and sources: accelsim.explore.cost).")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    arch = options.arch_from(args.arch)
    fams = validation.FAMILIES if args.family == "all" else (args.family,)
    data = validation.load_groundtruth()
    report: dict[str, Any] = {}
    all_rows: list[validation.Row] = []
    if not args.json:
        print(f"accelsim {__version__}: preset {arch.name} (fidelity={args.fidelity}) vs measured "
              f"{data['device']['name']}")
    for fam in fams:
        with options.progress(None, f"validate {fam} ({args.fidelity})",
                              enabled=args.fidelity == "detailed" and not args.no_progress):
            rows = validation.evaluate(arch, fam, fidelity=args.fidelity, limit=args.limit)
        all_rows += rows
        s = validation.summary(rows)
        report[fam] = dict(summary=s, cases=[r._asdict() for r in rows])
        if args.json:
            continue
        print(f"\n{fam}: {len(rows)} cases")
        print(f"  {'case':28s} {'measured us':>12s} {'predicted us':>13s} {'error':>8s}")
        for r in rows:
            print(f"  {r.label:28s} {r.measured_us:12.2f} {r.predicted_us:13.2f} {r.error:+8.1%}")
        if rows:
            print(f"  |error|: median {s['median']:.1%}  p90 {s['p90']:.1%}  max {s['max']:.1%}")
    total = validation.summary(all_rows)
    if args.json:
        print_json(dict(arch=arch.name, fidelity=args.fidelity, families=report, overall=total))
    elif len(fams) > 1 and all_rows:
        print(f"\nall {total['n']} cases: |error| median {total['median']:.1%}  p90 {total['p90']:.1%}  "
              f"max {total['max']:.1%}")
    return 0


from .sweep import add_sweep_commands  # noqa: E402 - sweep, plot, trace commands
from .serve import add_serve_command  # noqa: E402 - the serve command


# ------------------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    p = options.Parser(
        prog="accelsim",
        description="Simulate accelerator memory hierarchies running LLM decode kernels.",
        epilog="Run 'accelsim <command> --help' for a command's options.")
    p.add_argument("--version", action="version", version=f"accelsim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="command", parser_class=options.Parser)

    sp = sub.add_parser("presets", help="list the machine presets")
    sp.add_argument("--json", action="store_true", help="print JSON (seconds, bytes) instead of a table")
    sp.set_defaults(func=cmd_presets)

    sp = sub.add_parser("models", help="list the built-in models")
    sp.add_argument("--json", action="store_true", help="print JSON (seconds, bytes) instead of a table")
    sp.set_defaults(func=cmd_models)

    sp = sub.add_parser("compare", help="a model's decode GEMVs and attention on two or more machines",
                        description="Simulate the distinct GEMVs (MoE experts included) and the decode attention of "
                                    "one decode step of --model at each --batch, on each machine of --arch, and "
                                    "compare them kernel by kernel.")
    options.machine(sp, default="h100-sxm,h200", many=True, parallel=False)
    sp.add_argument("--presets", help=argparse.SUPPRESS)  # the older name of --arch
    options.model(sp, batch="1,16", context=8192, batch_help="batch sizes, comma-separated")
    options.run(sp)
    sp.add_argument("--plot", metavar="PNG", help="also save a bar chart (.png/.svg/.pdf; needs matplotlib)")
    sp.set_defaults(func=cmd_compare)

    sp = sub.add_parser("simulate", help="simulate kernels on a machine (or, with --model, a decode step)",
                        description="Simulate kernels back to back on --arch and print the per-kernel table. With "
                                    "--model it is 'accelsim decode'.")
    options.machine(sp)
    g = sp.add_argument_group("kernels")
    g.add_argument("--gemv", action="append", metavar="M,N,K", help="y[M,N] = x[M,K] @ W[N,K]^T (repeatable)")
    g.add_argument("--elementwise", action="append", metavar="N",
                   help="read one and write one tensor of N elements (repeatable)")
    g.add_argument("--attention", action="append", metavar="B,HQ,HKV,D,S",
                   help="decode attention: batch, q heads, kv heads, head dim, context (repeatable)")
    g.add_argument("--dtype", default="bf16", help="element dtype of the kernels (default: %(default)s)")
    options.model(sp, default=None)
    options.run(sp)
    sp.set_defaults(func=cmd_simulate)

    sp = sub.add_parser("decode", help="one decode step of a model, kernel by kernel, with its cost",
                        description="Expand a model into the kernels of one decode step (fused norms and rope, "
                                    "graph-launched), simulate them and print the per-kernel table and the cost "
                                    "per token. Reports 'infeasible' when weights + KV cache exceed the memory. "
                                    "With --system, the step across the system's chips under --tp/--pp/--ep.")
    options.machine(sp)
    options.model(sp)
    options.run(sp)
    sp.set_defaults(func=cmd_decode)

    sp = sub.add_parser("validate", help="predicted vs measured on the H100 SXM ground truth",
                        description="Compare simulated and measured (H100 SXM5, CUDA graphs) kernel times.")
    sp.add_argument("--family", default="all", choices=list(validation.FAMILIES) + ["all"])
    sp.add_argument("--limit", type=int, metavar="N", help="only the first N cases of each family")
    options.machine(sp, parallel=False)
    options.run(sp)
    sp.set_defaults(func=cmd_validate)
    add_sweep_commands(sub)
    add_serve_command(sub)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 nothing succeeded or a file that cannot be read
    or written, 2 bad input)."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # an unknown flag: the usage of the command it was given to, with a suggestion
            sp = _subparser(parser, getattr(args, "command", None)) or parser
            sp.error(f"unrecognized arguments: {' '.join(extra)}{options.suggest_flag(sp, extra[0])}")
    except SystemExit as e:  # --help / --version (0) and usage errors (2)
        return int(e.code) if isinstance(e.code, int) else (0 if e.code is None else 2)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `accelsim compare | head`
        try:
            sys.stdout = open(__import__("os").devnull, "w")  # noqa: SIM115
        except OSError:  # pragma: no cover
            pass
        return 0
    except OSError as e:  # a read-only folder, a full disk, a file that vanished: one line, no traceback
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        print(f"error: {where}{e.strerror or e}", file=sys.stderr)
        return 1


def _subparser(parser: argparse.ArgumentParser, command: Optional[str]) -> Optional[argparse.ArgumentParser]:
    for a in parser._actions:  # noqa: SLF001 - argparse keeps subparsers only here
        if isinstance(a, argparse._SubParsersAction) and command in a.choices:  # noqa: SLF001
            return a.choices[command]
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

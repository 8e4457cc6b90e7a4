"""Command-line commands for design-space exploration: ``simulate --model`` (with cost), ``sweep``,
``plot`` and ``trace``.  Registered by :func:`add_sweep_commands` from accelsim.cli."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import Any, Callable

from ..errors import ConfigError, SweepFailedError
from .machines import add_arch_argument

__all__ = ["add_sweep_commands", "cmd_simulate_model", "cmd_sweep", "cmd_plot", "cmd_trace", "write_frame", "read_frame"]


def _step(args: argparse.Namespace) -> Any:
    from ..workload.decode import decode_step  # noqa: PLC0415
    from .machines import load_arch  # noqa: PLC0415

    arch = load_arch(args.arch)
    return arch, decode_step(arch, args.model, batch=args.batch, context=args.context,
                             weight_dtype=args.weight_dtype, kv_dtype=args.kv_dtype, fidelity=args.fidelity)


def _cost_of(arch: Any, s: Any) -> Any:
    from ..explore import cost as acost  # noqa: PLC0415

    try:
        spec = acost.for_arch(arch)
    except ConfigError:
        return None
    return acost.decode_cost(spec, s.tokens_per_s, arch=arch, energy_j=getattr(s, "energy_j", None), time_s=s.time_s)


def cmd_simulate_model(args: argparse.Namespace) -> int:
    from .app import print_json  # noqa: PLC0415

    if args.gemv or args.elementwise or args.attention:
        raise ConfigError("--model", "simulates a whole decode step; do not combine it with --gemv/--elementwise/--attention")
    arch, s = _step(args)
    c = _cost_of(arch, s) if s.feasible else None
    if args.json:
        d = s.as_dict()
        d["cost"] = None if c is None else {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                                            for k, v in c.as_dict().items()}
        print_json(d)
        return 0
    print(s.table())
    if s.feasible:
        GB = 1e9
        print(f"\nus = simulated microseconds incl. launch overhead; GB/s = DRAM bytes / (time - launch), GB = 1e9. "
              f"Weights {s.weight_bytes / GB:.1f} GB + KV cache {s.kv_cache_bytes / GB:.2f} GB of "
              f"{s.capacity_bytes / GB:.1f} GB.")
        if c is not None:
            src = "energy model" if c.power_source == "energy_model" else "TDP"
            print(f"cost: ${c.usd_per_mtoken:.3f} per million tokens, {c.gco2e_per_mtoken:.1f} gCO2e per million "
                  f"tokens, {c.tokens_per_s_per_w:.2f} tokens/s per W (power {c.power_w:.0f} W from {src}; "
                  f"capex ${c.capex_usd:,.0f}; defaults and sources: accelsim.explore.cost).")
    return 0


# ------------------------------------------------------------------------------------- frame files


def write_frame(df: Any, path: str) -> None:
    """Write a sweep frame to .parquet / .csv / .json, with a ``schema_version`` column (the results format
    version, accelsim.explore.sweep.RESULTS_SCHEMA_VERSION) so that read_frame can tell what it reads."""
    from ..explore.sweep import RESULTS_SCHEMA_VERSION  # noqa: PLC0415

    if "schema_version" not in df.columns:
        df = df.assign(schema_version=df.attrs.get("schema_version", RESULTS_SCHEMA_VERSION))
    low = path.lower()
    if low.endswith((".parquet", ".pq")):
        try:
            import pyarrow  # noqa: F401, PLC0415
        except ImportError:
            raise ConfigError("-o", "writing .parquet needs pyarrow (pip install pyarrow); or use .csv", path) from None
        df.to_parquet(path, index=False)
    elif low.endswith(".csv"):
        df.to_csv(path, index=False)
    elif low.endswith(".json"):
        df.to_json(path, orient="records", indent=1)
    else:
        raise ConfigError("-o", "must end in .parquet, .csv or .json", path)


def read_frame(path: str) -> Any:
    """Read a results file written by write_frame (or by an accelsim before schema versions: read as
    version 1).  The ``schema_version`` column is checked and moved to ``df.attrs``; a newer version, a
    file that is not a sweep result, or a damaged file is a ConfigError."""
    df = _read_frame(path)
    from ..explore.sweep import RESULTS_SCHEMA_VERSION, check_version  # noqa: PLC0415

    version = 1
    if "schema_version" in df.columns:
        found = df["schema_version"].dropna().unique()
        if len(found) > 1:
            raise ConfigError("results", f"{path} mixes schema versions {sorted(map(str, found))}")
        if len(found):
            check_version(found[0].item() if hasattr(found[0], "item") else found[0], RESULTS_SCHEMA_VERSION,
                           "results", path)
            version = int(found[0])
        df = df.drop(columns="schema_version")
    missing = [c for c in ("point", "workload", "status") if c not in df.columns]
    if missing:
        raise ConfigError("results", f"{path} is not an accelsim sweep result (no column {missing[0]!r})")
    df.attrs["schema_version"] = version
    return df


def _read_frame(path: str) -> Any:
    import pandas as pd  # noqa: PLC0415

    if not os.path.exists(path):
        raise ConfigError("results", "no such file", path)
    low = path.lower()
    try:
        if low.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if low.endswith(".csv"):
            df = pd.read_csv(path, keep_default_na=True)
            if "reason" in df.columns:  # all empty -> a float column of NaN
                df["reason"] = df["reason"].astype(object).where(df["reason"].notna(), "")
            return df
        if low.endswith(".json"):
            return pd.read_json(path, orient="records")
    except ImportError:
        raise ConfigError("results", "reading .parquet needs pyarrow (pip install pyarrow)", path) from None
    except Exception as e:  # noqa: BLE001
        raise ConfigError("results", f"cannot read {path}: {type(e).__name__}: {e}") from None
    raise ConfigError("results", "must end in .parquet, .csv or .json", path)


# ------------------------------------------------------------------------------------------ sweep


def cmd_sweep(args: argparse.Namespace) -> int:
    from .app import fmt_table  # noqa: PLC0415
    from ..explore.executors import DaskExecutor  # noqa: PLC0415
    from ..explore.sweep import best_n, pareto_front, sweep  # noqa: PLC0415
    from ..explore.sweepspec import load_spec  # noqa: PLC0415

    try:
        import pandas  # noqa: F401, PLC0415
    except ImportError:
        raise ConfigError("sweep", "needs pandas: pip install 'accelsim[dataframe]'") from None
    spec = load_spec(args.spec)
    out = args.output
    low = out.lower()
    if not low.endswith((".parquet", ".pq", ".csv", ".json")):
        raise ConfigError("-o", "must end in .parquet, .csv or .json", out)
    if low.endswith((".parquet", ".pq")):
        try:
            import pyarrow  # noqa: F401, PLC0415
        except ImportError:
            raise ConfigError("-o", "writing .parquet needs pyarrow (pip install pyarrow); or use .csv", out) from None
    kw = spec.kwargs()
    if args.workers is not None:
        kw["workers"] = args.workers
    ex_kind = args.executor or spec.executor or "local"
    default_ck = f"{out}.partial.csv"
    ck = args.checkpoint or spec.checkpoint or default_ck
    kw["checkpoint"] = ck
    if os.path.exists(ck):
        print(f"resuming from checkpoint {ck}", file=sys.stderr)
    executor: Any = ex_kind
    if ex_kind == "dask":
        executor = DaskExecutor(address=args.address or spec.address, workers=kw.get("workers"))
    t0 = time.perf_counter()
    all_failed: Any = None
    try:
        df = sweep(executor=executor, progress=not args.no_progress, **kw)
    except SweepFailedError as e:  # nothing succeeded: write what there is, then exit 1
        df, all_failed = e.frame, e
    except KeyboardInterrupt:
        # sweep() has killed its workers and flushed the checkpoint on the way out
        print(f"\ninterrupted: the finished simulations are saved in {ck}; run the same command again to "
              "resume", file=sys.stderr)
        return 130
    finally:
        if ex_kind == "dask":
            executor.close()
    wall = time.perf_counter() - t0
    write_frame(df, out)
    if all_failed is not None:
        print(f"error: {all_failed}; the rows are in {out}", file=sys.stderr)
        return 1
    if ck == default_ck and not args.keep_checkpoint and os.path.exists(ck):
        os.remove(ck)
    counts = df["status"].value_counts().to_dict()
    sims = df.attrs.get("simulations", len(df))
    resumed = df.attrs.get("resumed", 0)
    ran = sims - resumed
    print(f"wrote {out}: {len(df)} rows ({', '.join(f'{v} {k}' for k, v in counts.items())}); "
          f"{ran} simulations in {wall:.1f} s ({ran / wall if wall > 0 else 0:.1f}/s, executor {ex_kind})"
          + (f"; {resumed} more taken from the checkpoint" if resumed else ""))
    dec = df[df["tokens_per_s"].notna()]
    if len(dec):
        cols = [c for c in spec.axes] + ["workload", "tokens_per_s", "usd_per_mtoken", "gco2e_per_mtoken"]
        top = best_n(dec, 5, "tokens_per_s")
        rows = [[_cell(r[c]) for c in cols] for _, r in top.iterrows()]
        print("\nbest 5 by tokens/s:")
        print(fmt_table(cols, rows, left=0))
        if dec["usd_per_mtoken"].notna().any():
            print("\nPareto fronts (max tokens/s, min $/Mtoken), per workload:")
            for name, g in dec.groupby("workload", sort=False):
                front = pareto_front(g, maximize=("tokens_per_s",), minimize=("usd_per_mtoken",))
                print(f"  {name}: {len(front)} of {len(g)} design points")
            print(f"plot them with: accelsim plot {out} -o sweep.png")
    return 0


def _cell(v: Any) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        return f"{v:.4g}"
    return str(v)


# ------------------------------------------------------------------------------------ plot, trace


def cmd_plot(args: argparse.Namespace) -> int:
    from ..report import plots  # noqa: PLC0415

    if args.kind == "sweep":
        if not args.results:
            raise ConfigError("results", "give the sweep results file to plot (or --kind roofline|breakdown)")
        df = read_frame(args.results)
        path = plots.sweep_scatter(df, args.output, x=args.x, y=args.y, color=args.color, logx=args.logx,
                                   logy=args.logy)
    else:
        if args.results:
            raise ConfigError("results", f"--kind {args.kind} plots a decode step; do not pass a results file")
        arch, s = _step(args)
        if not s.feasible:
            raise ConfigError("model", f"infeasible on {arch.name}: {s.reason}")
        if args.kind == "roofline":
            path = plots.roofline(arch, [r for r, _ in s.kernels], args.output, counts=[n for _, n in s.kernels],
                                  title=f"{s.model_name} decode on {arch.name} (batch {s.batch}, context {s.context})")
        else:
            path = plots.decode_breakdown(s, args.output)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from ..report.trace import write_trace  # noqa: PLC0415

    arch, s = _step(args)
    if not s.feasible:
        raise ConfigError("model", f"infeasible on {arch.name}: {s.reason}")
    write_trace(s, args.output)
    print(f"wrote {args.output}: {s.n_kernels} kernels over {s.time_s * 1e3:.3f} ms "
          f"(open in https://ui.perfetto.dev)", file=sys.stderr)
    return 0


def _step_args(sp: argparse.ArgumentParser, fidelity_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    add_arch_argument(sp)
    sp.add_argument("--model", default="llama-3-8b", help="model name (default: %(default)s)")
    sp.add_argument("--batch", type=int, default=1, help="sequences per step (default: %(default)s)")
    sp.add_argument("--context", type=int, default=4096, help="cached tokens per sequence (default: %(default)s)")
    sp.add_argument("--weight-dtype", default="bf16", help="weight dtype (default: %(default)s)")
    sp.add_argument("--kv-dtype", default="bf16", help="KV-cache dtype (default: %(default)s)")
    fidelity_flag(sp)


def add_sweep_commands(sub: Any, fidelity_flag: Callable[[argparse.ArgumentParser], None],
                       json_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    sp = sub.add_parser("sweep", help="run a design-space sweep from a YAML/JSON spec",
                        description="Run every design point x workload of a sweep spec (see docs/sweeps.md) and "
                                    "write one row per pair. An interrupted sweep resumes from its checkpoint "
                                    "(default OUTPUT.partial.csv, removed when the sweep completes).")
    sp.add_argument("spec", help="sweep spec, .yaml/.yml or .json")
    sp.add_argument("-o", "--output", required=True, help="results file: .parquet (needs pyarrow), .csv or .json")
    sp.add_argument("--executor", choices=("local", "serial", "threads", "dask"),
                    help="where to run (default: the spec's, else local); threads: opt-in, no crash isolation")
    sp.add_argument("--workers", type=int, help="worker processes (default: the cores)")
    sp.add_argument("--address", help="Dask scheduler address (default: $DASK_SCHEDULER_ADDRESS, else a local cluster)")
    sp.add_argument("--checkpoint", help="checkpoint file, .csv or .parquet (kept after the sweep)")
    sp.add_argument("--keep-checkpoint", action="store_true", help="keep the default checkpoint after success")
    sp.add_argument("--no-progress", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_sweep)

    sp = sub.add_parser("plot", help="plot sweep results, a roofline or a decode-step breakdown (needs matplotlib)",
                        description="--kind sweep (default): scatter of a results file with its Pareto front. "
                                    "--kind roofline / breakdown: a decode step of --model on --arch.")
    sp.add_argument("results", nargs="?", help="sweep results (.parquet, .csv, .json) for --kind sweep")
    sp.add_argument("-o", "--output", required=True, help="image file (.png, .svg, .pdf)")
    sp.add_argument("--kind", default="sweep", choices=("sweep", "roofline", "breakdown"))
    sp.add_argument("-x", default="tokens_per_s", help="x column, maximized (default: %(default)s)")
    sp.add_argument("-y", default="usd_per_mtoken", help="y column, minimized (default: %(default)s)")
    sp.add_argument("--color", help="column to colour the points by")
    sp.add_argument("--logx", action="store_true")
    sp.add_argument("--logy", action="store_true")
    _step_args(sp, fidelity_flag)
    sp.set_defaults(func=cmd_plot)

    sp = sub.add_parser("trace", help="Chrome/Perfetto trace of a simulated decode step",
                        description="Write a Chrome trace-event JSON: the step's kernels on a timeline and the "
                                    "per-memory-level bandwidth as counters (open in ui.perfetto.dev).")
    sp.add_argument("-o", "--output", required=True, help="trace file (.json)")
    _step_args(sp, fidelity_flag)
    sp.set_defaults(func=cmd_trace)

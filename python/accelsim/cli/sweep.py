"""Command-line commands for design-space exploration: ``sweep``, ``plot`` and ``trace``, and the cost of a
decode step that ``decode`` prints.  Registered by :func:`add_sweep_commands` from accelsim.cli."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import Any

from ..errors import ConfigError, SweepFailedError
from . import options
from .app import writing

__all__ = ["add_sweep_commands", "cmd_simulate_model", "cmd_sweep", "cmd_plot", "cmd_trace", "cost_of", "write_frame",
           "read_frame"]


def _one_chip_step(args: argparse.Namespace, what: str) -> Any:
    if getattr(args, "system", None):
        raise ConfigError("--system", f"{what} shows one chip's decode step; give --arch (a preset or machine file)")
    return options.decode_from(args)


def cost_of(arch: Any, s: Any) -> Any:
    """The cost of a feasible decode step on ``arch`` (accelsim.explore.cost), or None for a machine without
    cost data."""
    from ..explore import cost as acost  # noqa: PLC0415

    try:
        spec = acost.for_arch(arch)
    except ConfigError:
        return None
    return acost.decode_cost(spec, s.tokens_per_s, arch=arch, energy_j=getattr(s, "energy_j", None), time_s=s.time_s)


def cmd_simulate_model(args: argparse.Namespace) -> int:
    """``simulate --model``: the same as ``decode``."""
    from .app import cmd_decode  # noqa: PLC0415

    return cmd_decode(args)


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
    out = options.output_path(args.output, (".parquet", ".pq", ".csv", ".json"))
    if args.checkpoint is not None:  # the command line may name any folder (a spec's stays in this one)
        options.output_path(args.checkpoint, (".csv", ".parquet", ".pq"), "--checkpoint")
    spec = load_spec(args.spec)
    low = out.lower()
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
    with writing(out):
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
            print("\nPareto fronts per workload, design points on the front of (max tokens/s, min $/Mtoken) and of "
                  "(max tokens/s, min $/hour of ownership):")
            for name, g in dec.groupby("workload", sort=False):
                per_token = pareto_front(g, maximize=("tokens_per_s",), minimize=("usd_per_mtoken",))
                per_hour = pareto_front(g, maximize=("tokens_per_s",), minimize=("usd_per_hour",))
                print(f"  {name}: {len(per_token)} and {len(per_hour)} of {len(g)} design points")
            print(f"plot them with: accelsim plot {out} -o sweep.png  (-y usd_per_hour for the second)")
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

    out = options.output_path(args.output, (".png", ".svg", ".pdf"))
    if args.kind == "sweep":
        if not args.results:
            raise ConfigError("results", "give the sweep results file to plot (or --kind roofline|breakdown)")
        df = read_frame(args.results)
        path = plots.sweep_scatter(df, out, x=args.x, y=args.y, color=args.color, logx=args.logx, logy=args.logy,
                                   maximize_x=not args.minimize_x, minimize_y=not args.maximize_y)
    else:
        if args.results:
            raise ConfigError("results", f"--kind {args.kind} plots a decode step; do not pass a results file")
        arch, s = _one_chip_step(args, f"plot --kind {args.kind}")
        if not s.feasible:
            raise ConfigError("model", f"infeasible on {arch.name}: {s.reason}")
        if args.kind == "roofline":
            path = plots.roofline(arch, [r for r, _ in s.kernels], out, counts=[n for _, n in s.kernels],
                                  title=f"{s.model_name} decode on {arch.name} (batch {s.batch}, context {s.context})")
        else:
            path = plots.decode_breakdown(s, out)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from ..report.trace import write_trace  # noqa: PLC0415

    out = options.output_path(args.output, (".json",))
    arch, s = _one_chip_step(args, "trace")
    if not s.feasible:
        raise ConfigError("model", f"infeasible on {arch.name}: {s.reason}")
    with writing(out):
        write_trace(s, out)
    print(f"wrote {out}: {s.n_kernels} kernels over {s.time_s * 1e3:.3f} ms "
          f"(open in https://ui.perfetto.dev)", file=sys.stderr)
    return 0


def add_sweep_commands(sub: Any) -> None:
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
    g = sp.add_argument_group("--kind sweep")
    g.add_argument("-x", default="tokens_per_s", help="x column, maximized (default: %(default)s)")
    g.add_argument("-y", default="usd_per_mtoken", help="y column, minimized (default: %(default)s)")
    g.add_argument("--minimize-x", action="store_true", help="the x objective is minimized instead")
    g.add_argument("--maximize-y", action="store_true", help="the y objective is maximized instead")
    g.add_argument("--color", help="column to colour the points by")
    g.add_argument("--logx", action="store_true", help="log x axis")
    g.add_argument("--logy", action="store_true", help="log y axis")
    options.machine(sp)
    options.model(sp)
    options.run(sp, json=False)
    sp.set_defaults(func=cmd_plot)

    sp = sub.add_parser("trace", help="Chrome/Perfetto trace of a simulated decode step",
                        description="Write a Chrome trace-event JSON: the step's kernels on a timeline and the "
                                    "per-memory-level bandwidth as counters (open in ui.perfetto.dev).")
    sp.add_argument("-o", "--output", required=True, help="trace file (.json)")
    options.machine(sp)
    options.model(sp)
    options.run(sp, json=False)
    sp.set_defaults(func=cmd_trace)

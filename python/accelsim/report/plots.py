"""Pictures (matplotlib, the optional ``plot`` extra): sweep scatter with its Pareto front, a roofline
with a decode step's kernels placed on it, and per-kernel / per-memory-level breakdown bars.

Every function writes a file (PNG, SVG or PDF by the suffix) and returns its path; figures are closed.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ..errors import ConfigError

__all__ = ["sweep_scatter", "roofline", "decode_breakdown", "serving_curves"]


def _plt() -> Any:
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        raise ConfigError("plot", "needs matplotlib: pip install 'accelsim[plot]'") from None
    return plt


_LABELS = {
    "tokens_per_s": "decode throughput (tokens/s)",
    "usd_per_mtoken": "cost ($ per million tokens)",
    "gco2e_per_mtoken": "carbon (gCO2e per million tokens)",
    "tokens_per_s_per_w": "tokens/s per W",
    "time_s": "time (s)",
    "joules_per_token": "energy (J/token)",
    "peak_dram_bandwidth_bytes_per_s": "peak DRAM bandwidth (bytes/s)",
    "memory_capacity_bytes": "memory capacity (bytes)",
}


def sweep_scatter(df: Any, path: str, *, x: str = "tokens_per_s", y: str = "usd_per_mtoken",
                  color: Optional[str] = None, maximize_x: bool = True, minimize_y: bool = True,
                  logx: bool = False, logy: bool = False, title: Optional[str] = None) -> str:
    """Every ok row as a point (coloured by ``color`` if given), the Pareto front (best ``x`` for the
    least ``y`` by default) as a line through its members, infeasible/failed rows counted in the legend."""
    from ..explore.sweep import pareto_front  # noqa: PLC0415

    plt = _plt()
    for c in [x, y] + ([color] if color else []):
        if c not in df.columns:
            from ..spec.base import suggest  # noqa: PLC0415

            raise ConfigError(c, f"is not a column of the results{suggest(c, [str(k) for k in df.columns])}")
    ok = df[df["status"].eq("ok") & df[x].notna() & df[y].notna()] if "status" in df.columns else df
    if not len(ok):
        raise ConfigError(y, f"no ok rows have both {x!r} and {y!r} (cost columns exist for decode workloads only; "
                             f"try -y time_s)")
    fig, ax = plt.subplots(figsize=(8.0, 5.2))
    groups = list(ok.groupby("workload", sort=False)) if "workload" in ok.columns and ok["workload"].nunique() > 1 \
        else [(None, ok)]
    cmap = plt.get_cmap("tab10")
    mx = (x,) if maximize_x else ()
    mn = (y,) if minimize_y else ()
    if color and len(ok):
        sc = ax.scatter(ok[x], ok[y], c=ok[color], cmap="viridis", s=22, alpha=0.8, edgecolors="none")
        fig.colorbar(sc, ax=ax, label=color)
    for gi, (name, g) in enumerate(groups):
        col = cmap(gi % 10)
        label = f"{name} ({len(g)})" if name is not None else f"design points ({len(g)})"
        if not color:
            ax.scatter(g[x], g[y], s=22, alpha=0.6, color=col, edgecolors="none", label=label)
        # the Pareto front of each workload (design points are compared on the same work only)
        front = pareto_front(g, maximize=mx + (() if minimize_y else (y,)), minimize=mn + (() if maximize_x else (x,)))
        if len(front):
            f = front.sort_values(x)
            ax.plot(f[x], f[y], "-o", color=col if not color else "tab:red", ms=5, lw=1.5, mec="k", mew=0.5,
                    label=f"Pareto front{' of ' + str(name) if name is not None else ''} ({len(front)})")
    bad = len(df) - len(ok)
    if bad:
        ax.plot([], [], " ", label=f"{bad} rows not ok (infeasible/invalid/failed)")
    ax.set_xlabel(_LABELS.get(x, x))
    ax.set_ylabel(_LABELS.get(y, y))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or f"{y} vs {x}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def roofline(arch: Any, rows: Sequence[Any], path: str, *, dtype: str = "bf16", title: Optional[str] = None,
             counts: Optional[Sequence[int]] = None) -> str:
    """Roofline of ``arch`` (DRAM bandwidth slope, sustained ``dtype`` matrix peak, vector peak) with each
    simulated kernel (KernelRow) at its arithmetic intensity (FLOP per DRAM byte) and achieved FLOP/s;
    marker area grows with the kernel's share of the total time (x ``counts`` per step if given)."""
    import math  # noqa: PLC0415

    plt = _plt()
    counts = list(counts) if counts is not None else [1] * len(rows)
    bw = arch.peak_dram_bandwidth_bytes_per_s
    peak = arch.compute.sustained_flops_per_s(dtype)
    vec = arch.compute.vector_flops_per_s
    pts = []
    for r, n in zip(rows, counts):
        nbytes = r.dram_read_bytes + r.dram_write_bytes
        if nbytes <= 0 or r.time_s <= 0:
            continue
        pts.append((r.name, r.flops / nbytes, r.flops / r.time_s, r.time_s * n))
    fig, ax = plt.subplots(figsize=(10.0, 5.0))
    lo = min([p[1] for p in pts] + [0.1]) / 2
    hi = max([p[1] for p in pts] + [peak / bw * 4])
    xs = [lo * (hi / lo) ** (i / 200) for i in range(201)]
    ax.plot(xs, [min(bw * xv, peak) for xv in xs], color="k", lw=2,
            label=f"DRAM {bw / 1e12:.2f} TB/s, {dtype} matrix {peak / 1e12:.0f} TFLOP/s (sustained)")
    ax.plot(xs, [min(bw * xv, vec) for xv in xs], color="gray", lw=1, ls="--",
            label=f"vector {vec / 1e12:.0f} TFLOP/s")
    total = sum(p[3] for p in pts) or 1.0
    cmap = plt.get_cmap("tab10")
    for i, (name, ai, fl, t) in enumerate(pts):
        ax.scatter([ai], [fl], s=30 + 600 * t / total, color=cmap(i % 10), alpha=0.8, edgecolors="k", lw=0.5,
                   label=f"{name} ({t / total:.0%} of time)", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP per DRAM byte)")
    ax.set_ylabel("achieved FLOP/s")
    ax.set_ylim(bottom=max(1e9, min([p[2] for p in pts] + [peak]) / 10), top=peak * 3)
    ax.grid(True, which="both", alpha=0.25)
    # outside the axes, on the right: inside it would hide the kernels under the slope
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.set_title(title or f"roofline: {arch.name}")
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    _ = math
    return path


def decode_breakdown(step: Any, path: str, *, title: Optional[str] = None) -> str:
    """Two panels for a DecodeStepResult: time per kernel kind (x its count per step), and bytes moved per
    kernel kind at each memory level (DRAM read, DRAM write, L2 read)."""
    plt = _plt()
    if not step.feasible:
        raise ConfigError("step", f"infeasible decode step: {step.reason}")
    names = [f"{r.name} x{n}" for r, n in step.kernels]
    times = [r.time_s * n * 1e3 for r, n in step.kernels]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 0.35 * len(names) + 2.0), sharey=True)
    ys = list(range(len(names)))
    a1.barh(ys, times, color="tab:blue")
    for y, t in zip(ys, times):
        a1.text(t, y, f" {t / (step.time_s * 1e3):.0%}", va="center", fontsize=7)
    a1.set_yticks(ys)
    a1.set_yticklabels(names, fontsize=8)
    a1.invert_yaxis()
    a1.set_xlabel("time per step (ms)")
    a1.set_title(f"step {step.time_s * 1e3:.2f} ms, {step.tokens_per_s:,.0f} tokens/s")
    left = [0.0] * len(names)
    for label, attr, col in (("DRAM read", "dram_read_bytes", "tab:orange"), ("DRAM write", "dram_write_bytes", "tab:red"),
                             ("L2 read", "l2_read_bytes", "tab:green")):
        vals = [getattr(r, attr) * n / 1e9 for r, n in step.kernels]
        a2.barh(ys, vals, left=left, color=col, label=label)
        left = [a + b for a, b in zip(left, vals)]
    a2.set_xlabel("bytes per step (GB = 1e9)")
    a2.legend(fontsize=8)
    a2.set_title("bytes by memory level")
    fig.suptitle(title or f"{step.model_name} on {step.arch_name}, batch {step.batch}, context {step.context}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def serving_curves(curves: dict[str, Sequence[tuple[float, float]]], path: str, *,
                   xlabel: str = "output tokens/s per chip", ylabel: str = "TPOT p50 (ms)",
                   title: Optional[str] = None) -> str:
    """Latency against throughput, one line per design: ``curves`` maps a design's label to its
    (throughput, latency) points, in the order of the load that produced them."""
    if not curves or any(len(v) == 0 for v in curves.values()):
        raise ConfigError("curves", "needs at least one design with one point", curves)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 4.5))
    for label, pts in curves.items():
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker="o", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

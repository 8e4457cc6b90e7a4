"""Pictures (matplotlib, the optional ``plot`` extra): sweep scatter with its Pareto front, a roofline
with a decode step's kernels placed on it, and per-kernel / per-memory-level breakdown bars.

Every function writes a file (PNG, SVG or PDF by the suffix) and returns its path; figures are closed.
Conventions every figure here keeps (and benchmarks/ use through :func:`design_colors` and
:func:`plain_log_axis`): a design has one colour in every panel of a figure; log axes print plain numbers
(``0.1``, ``10``, ``1,000``), with units scaled so they stay short; each objective's axis says whether it is
maximized or minimized, and the Pareto designs are labelled.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from ..errors import ConfigError

__all__ = ["sweep_scatter", "roofline", "decode_breakdown", "serving_curves", "design_colors", "plain_log_axis",
           "plain_number"]


def _plt() -> Any:
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        raise ConfigError("plot", "needs matplotlib: pip install 'accelsim[plot]'") from None
    return plt


#: one colour per design, in order (colour-blind-safe "tab10" first, then tab20's darker shades)
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")


def design_colors(names: Sequence[Any]) -> dict[Any, str]:
    """A fixed colour for each name, by its position in ``names``: pass every design of the figure once and use
    the mapping in every panel, so a design missing from a panel (infeasible there) does not shift the others'
    colours as matplotlib's colour cycle would."""
    return {n: _PALETTE[i % len(_PALETTE)] for i, n in enumerate(dict.fromkeys(names))}


def plain_number(v: float, _pos: Any = None) -> str:
    """``0.05``, ``2``, ``1,000``: a tick label without powers of ten."""
    if v == 0 or not math.isfinite(v):
        return "0"
    if abs(v) >= 1:
        return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 * abs(v) else f"{v:,.1f}"
    return f"{v:.10f}".rstrip("0").rstrip(".")


def plain_log_axis(axis: Any) -> None:
    """Plain-number labels on a log axis (``ax.xaxis`` / ``ax.yaxis``): decades, and more ticks per decade the
    narrower the range shown, so that a panel spanning less than a decade still has a few labels."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: PLC0415

    axis.axes.get_xlim(), axis.axes.get_ylim()  # applies a pending autoscale, so the range below is final
    lo, hi = sorted(abs(x) for x in axis.get_view_interval())
    ratio = hi / lo if lo > 0 else math.inf
    subs: tuple[float, ...] = ((1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0) if ratio < 3 else
                               (1.0, 2.0, 3.0, 5.0, 7.0) if ratio < 12 else (1.0, 2.0, 5.0) if ratio < 200 else (1.0,))
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(plain_number))
    axis.set_minor_formatter(NullFormatter())


def _direction(col: str, maximize: bool) -> str:
    return f"{_LABELS.get(col, col)}  {'-> maximize' if maximize else '<- minimize'}"


_LABELS = {
    "tokens_per_s": "decode throughput (tokens/s)",
    "usd_per_mtoken": "cost ($ per million tokens)",
    "usd_per_hour": "cost of ownership ($ per hour)",
    "capex_usd": "capital cost ($)",
    "gco2e_per_mtoken": "carbon (gCO2e per million tokens)",
    "tokens_per_s_per_w": "tokens/s per W",
    "time_s": "time (s)",
    "joules_per_token": "energy (J/token)",
    "peak_dram_bandwidth_bytes_per_s": "peak DRAM bandwidth (bytes/s)",
    "memory_capacity_bytes": "memory capacity (bytes)",
}


def sweep_scatter(df: Any, path: str, *, x: str = "tokens_per_s", y: str = "usd_per_mtoken",
                  color: Optional[str] = None, maximize_x: bool = True, minimize_y: bool = True,
                  logx: bool = False, logy: bool = False, title: Optional[str] = None, label_front: int = 12) -> str:
    """Every ok row as a point (coloured by ``color`` if given), the Pareto front (best ``x`` for the least ``y``
    by default) as a line through its members, each member labelled with its design (point number and the
    swept values, at most ``label_front`` per workload), infeasible/failed rows counted in the legend.  The axis
    labels say which way each objective is better."""
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
    fig, ax = plt.subplots(figsize=(8.5, 5.6))
    groups = list(ok.groupby("workload", sort=False)) if "workload" in ok.columns and ok["workload"].nunique() > 1 \
        else [(None, ok)]
    cols = design_colors([name for name, _ in groups])
    mx = (x,) if maximize_x else ()
    mn = (y,) if minimize_y else ()
    axes_cols = _swept_columns(df)
    if color and len(ok):
        sc = ax.scatter(ok[x], ok[y], c=ok[color], cmap="viridis", s=22, alpha=0.8, edgecolors="none")
        fig.colorbar(sc, ax=ax, label=color)
    for name, g in groups:
        col = cols[name]
        label = f"{name} ({len(g)})" if name is not None else f"design points ({len(g)})"
        if not color:
            ax.scatter(g[x], g[y], s=22, alpha=0.55, color=col, edgecolors="none", label=label)
        # the Pareto front of each workload (design points are compared on the same work only)
        front = pareto_front(g, maximize=mx + (() if minimize_y else (y,)), minimize=mn + (() if maximize_x else (x,)))
        if len(front):
            f = front.sort_values(x)
            ax.plot(f[x], f[y], "-o", color=col if not color else "tab:red", ms=6, lw=1.5, mec="k", mew=0.6,
                    label=f"Pareto front{' of ' + str(name) if name is not None else ''} ({len(front)})")
            step = max(1, -(-len(f) // max(1, label_front)))
            xmin, xmax = float(ok[x].min()), float(ok[x].max())
            for k, (_, r) in enumerate(f.iterrows()):
                if k % step:
                    continue
                right = xmax > xmin and (r[x] - xmin) / (xmax - xmin) > 0.6  # label on the left near the right edge
                ax.annotate(_design_label(r, axes_cols), (r[x], r[y]), textcoords="offset points",
                            xytext=(-6, 5) if right else (6, 5), ha="right" if right else "left", fontsize=7,
                            color="k", bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=col, lw=0.6, alpha=0.85))
    bad = len(df) - len(ok)
    if bad:
        ax.plot([], [], " ", label=f"{bad} rows not ok (infeasible/invalid/failed)")
    ax.set_xlabel(_direction(x, maximize_x))
    ax.set_ylabel(_direction(y, not minimize_y))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    if logx:
        plain_log_axis(ax.xaxis)
    if logy:
        plain_log_axis(ax.yaxis)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    better = ("right" if maximize_x else "left") + (" and down" if minimize_y else " and up")
    ax.set_title(title or f"{_LABELS.get(y, y).split(' (')[0]} vs {_LABELS.get(x, x).split(' (')[0]}\n"
                          f"better: {better}; labelled: the Pareto designs (#point and swept values)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


_NOT_AXES = frozenset({"point", "base", "arch", "workload", "status", "reason"})


def _swept_columns(df: Any) -> list[str]:
    """The axis columns of a sweep frame: those between ``point`` and ``arch`` (sweep() puts them there)."""
    cols = list(df.columns)
    if "point" in cols and "arch" in cols:
        return [c for c in cols[cols.index("point") + 1:cols.index("arch")] if c not in _NOT_AXES]
    return []


def _short_value(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
        return str(v)
    if abs(v) >= 1e6:
        if float(v).is_integer() and int(v) % 2**30 == 0:
            return f"{int(v) // 2**30}Gi"
        for div, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M")):
            if abs(v) >= div:
                return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def _design_label(r: Any, axes_cols: Sequence[str]) -> str:
    parts = [f"#{int(r['point'])}"] if "point" in r and r["point"] == r["point"] else []
    for c in axes_cols[:3]:
        short = c.rsplit(".", 1)[-1].replace("_bytes", "").replace("_gbps", "").replace("_per_stack", "/stack")
        parts.append(f"{short}={_short_value(r[c])}")
    return " ".join(parts)


def roofline(arch: Any, rows: Sequence[Any], path: str, *, dtype: str = "bf16", title: Optional[str] = None,
             counts: Optional[Sequence[int]] = None) -> str:
    """Roofline of ``arch`` (DRAM bandwidth slope, sustained ``dtype`` matrix peak, vector peak) with each
    simulated kernel (KernelRow) at its arithmetic intensity (FLOP per DRAM byte) and achieved TFLOP/s;
    marker area grows with the kernel's share of the step's time (x ``counts`` per step if given).  Each
    kernel appears once: rows of the same kernel (same name and shape) are merged, their times added;
    different kernels that share a name get a numbered suffix.  Points carry a number, the legend names it."""
    plt = _plt()
    counts = list(counts) if counts is not None else [1] * len(rows)
    bw = arch.peak_dram_bandwidth_bytes_per_s
    peak = arch.compute.sustained_flops_per_s(dtype)
    vec = arch.compute.vector_flops_per_s
    merged: dict[tuple[str, float, float], list[Any]] = {}
    for r, n in zip(rows, counts):
        nbytes = r.dram_read_bytes + r.dram_write_bytes
        if nbytes <= 0 or r.time_s <= 0:
            continue
        key = (r.name, round(r.flops / nbytes, 9), round(r.flops / r.time_s, 3))
        if key in merged:
            merged[key][3] += r.time_s * n
        else:
            merged[key] = [r.name, r.flops / nbytes, r.flops / r.time_s / 1e12, r.time_s * n]
    seen: dict[str, int] = {}
    pts = []
    for name, ai, tf, t in merged.values():
        seen[name] = seen.get(name, 0) + 1
        pts.append((name if seen[name] == 1 else f"{name} ({seen[name]})", ai, tf, t))
    pts.sort(key=lambda p: p[1])
    fig, ax = plt.subplots(figsize=(10.5, 5.2))
    lo = min([p[1] for p in pts] + [0.1]) / 2
    hi = max([p[1] for p in pts] + [peak / bw * 4])
    xs = [lo * (hi / lo) ** (i / 200) for i in range(201)]
    ax.plot(xs, [min(bw * xv, peak) / 1e12 for xv in xs], color="k", lw=2,
            label=f"DRAM {bw / 1e12:.2f} TB/s, {dtype} matrix {peak / 1e12:,.0f} TFLOP/s (sustained)")
    ax.plot(xs, [min(bw * xv, vec) / 1e12 for xv in xs], color="gray", lw=1, ls="--",
            label=f"vector {vec / 1e12:,.0f} TFLOP/s")
    total = sum(p[3] for p in pts) or 1.0
    colors = design_colors([p[0] for p in pts])
    for i, (name, ai, tf, t) in enumerate(pts, start=1):
        ax.scatter([ai], [tf], s=40 + 500 * t / total, color=colors[name], alpha=0.85, edgecolors="k", lw=0.5,
                   label=f"{i}  {name} ({t / total:.0%} of time)", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP per DRAM byte)")
    ax.set_ylabel("achieved TFLOP/s")
    ax.set_xlim(lo, hi)
    ax.set_ylim(bottom=max(1e-3, min([p[2] for p in pts] + [peak / 1e12]) / 10), top=peak / 1e12 * 3)
    _place_labels(fig, ax, [(str(i), p[1], p[2]) for i, p in enumerate(pts, start=1)])
    ax.grid(True, which="both", alpha=0.25)
    plain_log_axis(ax.xaxis)
    plain_log_axis(ax.yaxis)
    # outside the axes, on the right: inside it would hide the kernels under the slope
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.set_title(title or f"roofline: {arch.name}")
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


#: label offsets tried, in points from the marker, nearest first
_OFFSETS = [(dx, dy) for r in (11, 20, 30, 42) for dx, dy in
            ((r, r), (r, -r), (-r, r), (-r, -r), (r * 1.3, 0), (-r * 1.3, 0), (0, r * 1.2), (0, -r * 1.2))]


def _place_labels(fig: Any, ax: Any, items: Sequence[tuple[str, float, float]], min_px: float = 13.0) -> None:
    """Put each label next to its point where it overlaps no label placed before it nor any marker (greedy over
    :data:`_OFFSETS`), with a thin leader line when it had to move away; every label stays readable when points
    coincide (kernels of the same intensity and speed)."""
    fig.canvas.draw()  # fixes the transforms
    to_px = ax.transData.transform
    scale = fig.dpi / 72.0
    marks = [tuple(to_px((x, y))) for _, x, y in items]
    placed: list[tuple[float, float]] = []
    for (text, x, y), (px, py) in zip(items, marks):
        best = _OFFSETS[-1]
        for dx, dy in _OFFSETS:
            cx, cy = px + dx * scale, py + dy * scale
            if all(math.hypot(cx - qx, cy - qy) >= min_px * scale for qx, qy in placed + marks):
                best = (dx, dy)
                break
        placed.append((px + best[0] * scale, py + best[1] * scale))
        far = math.hypot(*best) > 16.5
        ax.annotate(text, (x, y), textcoords="offset points", xytext=best, ha="center", va="center", fontsize=8,
                    fontweight="bold", zorder=5,
                    arrowprops=dict(arrowstyle="-", lw=0.7, color="0.25", shrinkA=1, shrinkB=1) if far else None)


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
    colors = design_colors(list(curves))
    for label, pts in curves.items():
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker="o", label=label, color=colors[label])
    ax.set_xlabel(f"{xlabel}  -> maximize")
    ax.set_ylabel(f"{ylabel}  <- minimize")
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

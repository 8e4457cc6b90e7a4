"""README example: H100 SXM vs H200 decoding Llama-3-8B (bf16 weights and KV) at batch 1/16/64 and context
4K/32K. Prints a table and saves decode_compare.png (tokens/s vs batch) when matplotlib is installed.

    python benchmarks/decode_compare.py [--out decode_compare.png]
"""

from __future__ import annotations

import argparse

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim

PRESETS = ("h100-sxm", "h200")
BATCHES = (1, 16, 64)
CONTEXTS = (4096, 32768)


def run(model: str = "llama-3-8b") -> dict[tuple[str, int, int], accelsim.DecodeStepResult]:
    archs = {p: accelsim.presets.load(p) for p in PRESETS}
    return {(p, c, b): accelsim.decode_step(archs[p], model, batch=b, context=c)
            for p in PRESETS for c in CONTEXTS for b in BATCHES}


def table(res: dict, model: str = "llama-3-8b") -> str:
    lines = ["| context | batch | H100 SXM tokens/s | H100 step ms | H200 tokens/s | H200 step ms | H200 speedup |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for c in CONTEXTS:
        for b in BATCHES:
            a, h = res[("h100-sxm", c, b)], res[("h200", c, b)]

            def cells(s: accelsim.DecodeStepResult) -> str:
                if not s.feasible:
                    return "does not fit | -"
                return f"{s.tokens_per_s:,.0f} | {s.time_s * 1e3:.2f}"

            speed = f"{a.time_s / h.time_s:.2f}x" if a.feasible and h.feasible else "-"
            lines.append(f"| {c // 1024}K | {b} | {cells(a)} | {cells(h)} | {speed} |")
    return "\n".join(lines)


def plot(res: dict, path: str, model: str = "llama-3-8b") -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker  # noqa: F401
    except ImportError:
        print(f"(matplotlib not installed: no plot written to {path})")
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colors = {"h100-sxm": "tab:blue", "h200": "tab:orange"}
    styles = {4096: "-", 32768: "--"}
    for p in PRESETS:
        for c in CONTEXTS:
            pts = [(b, res[(p, c, b)].tokens_per_s) for b in BATCHES if res[(p, c, b)].feasible]
            if pts:
                ax.plot([x for x, _ in pts], [y for _, y in pts], styles[c], marker="o", color=colors[p],
                        label=f"{p}, context {c // 1024}K")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(list(BATCHES))
    ax.set_xticklabels([str(b) for b in BATCHES])
    ax.set_xlabel("batch (sequences decoded together)")
    ax.set_ylabel("tokens/s (simulated)")
    ax.set_yticks([100, 200, 500, 1000, 2000, 5000])
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:,.0f}"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_title(f"{model} decode, bf16 weights and KV cache")
    missing = [f"{p} {c // 1024}K x {b}" for p in PRESETS for c in CONTEXTS for b in BATCHES if not res[(p, c, b)].feasible]
    if missing:
        ax.text(0.99, 0.02, "does not fit (weights + KV > memory):\n" + "\n".join(missing), transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8, color="dimgray")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="decode_compare.png", help="plot file (default: %(default)s)")
    args = ap.parse_args()
    res = run()
    print("llama-3-8b decode step, bf16 weights and KV cache, fidelity fast\n")
    print(table(res))
    plot(res, args.out)


if __name__ == "__main__":
    main()

"""Predicted vs measured: the h100-sxm preset against every real H100 SXM case in tests/data.

    python benchmarks/validate.py [--fidelity fast] [--family all] [--preset h100-sxm] [--all]

Prints, per family, median / p90 / max |error| and the worst cases (every case with --all), plus the
same summary for the datasheet roofline, which the engine has to beat.
"""

from __future__ import annotations

import argparse
import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
import accelsim
from accelsim.report import validation


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fidelity", default="fast")
    ap.add_argument("--family", default="all")
    ap.add_argument("--preset", default="h100-sxm")
    ap.add_argument("--all", action="store_true", help="print every case")
    args = ap.parse_args()
    arch = accelsim.presets.load(args.preset)
    fams = validation.FAMILIES if args.family == "all" else (args.family,)
    print(f"accelsim {accelsim.__version__}, preset {args.preset}, fidelity {args.fidelity}")
    print(f"{'family':10s} {'n':>4s} {'median':>7s} {'p90':>7s} {'max':>7s} | {'roofline median/p90/max':>24s} | wall")
    worst_all = []
    for fam in fams:
        t = time.perf_counter()
        rows = validation.evaluate(arch, fam, args.fidelity)
        wall = time.perf_counter() - t
        roof = validation.summary(validation.evaluate(arch, fam, "roofline"))
        s = validation.summary(rows)
        print(f"{fam:10s} {s['n']:4d} {s['median']:7.1%} {s['p90']:7.1%} {s['max']:7.1%} | "
              f"{roof['median']:7.1%} {roof['p90']:7.1%} {roof['max']:7.1%} | {wall:5.1f} s")
        worst_all.append((fam, rows))
    for fam, rows in worst_all:
        rows = sorted(rows, key=lambda r: -abs(r.error))
        print(f"\n{fam}: {'all' if args.all else 'worst 8'} cases (measured us, predicted us, error)")
        for r in rows if args.all else rows[:8]:
            print(f"  {r.label:32s} {r.measured_us:10.2f} {r.predicted_us:10.2f} {r.error:+7.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

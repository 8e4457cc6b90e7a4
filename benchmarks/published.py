"""Re-run accelsim on every published serving / collective / attention figure in
tests/data/published_serving.json and print simulated / published, the median and max |ln ratio|
(as factors), and the worst cases with the reason the data file gives.

    python benchmarks/published.py            # all cases (a few minutes on a shared 2-core machine)
    python benchmarks/published.py trtllm-h100 fa3    # only cases whose id contains one of the words
    python benchmarks/published.py --holdout  # the hold-out cases (tests/data/published_holdout.json): figures
                                              # the model was not looked at while it was changed
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
from accelsim.report.published import load_cases, run_case, summary

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "published_serving.json"
HOLDOUT = DATA.with_name("published_holdout.json")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("words", nargs="*", help="run only the cases whose id contains one of these words")
    ap.add_argument("--holdout", action="store_true",
                    help="the hold-out cases (tests/data/published_holdout.json) instead of the published set")
    args = ap.parse_args(argv)
    path = HOLDOUT if args.holdout else DATA
    every = load_cases(path)
    cases = [c for c in every if not args.words or any(w in c["id"] for w in args.words)]
    if not cases:
        ap.error(f"no case id in {path.name} contains any of {args.words} (ids look like {every[0]['id']!r})")
    print(f"{path.name}: {len(cases)} cases")
    print(f"{'case':40s} {'metric':22s} {'published':>11s} {'accelsim':>11s} {'ratio':>6s} {'s':>5s}  detail")
    results = []
    for c in cases:
        t0 = time.perf_counter()
        r = run_case(c)
        results.append(r)
        print(f"{r.id[:40]:40s} {r.metric[:22]:22s} {r.published:11.4g} {r.simulated:11.4g} {r.ratio:6.2f} "
              f"{time.perf_counter() - t0:5.1f}  {r.detail}", flush=True)
    s = summary(results)
    print(f"\n{s['cases']} cases: median factor {s['median_factor']:.3f}, max factor {s['max_factor']:.3f}, "
          f"{s['within_1_5']} within x1.5")
    print("worst five:")
    for r in sorted(results, key=lambda r: -r.abs_log_ratio)[:5]:
        print(f"  {r.id:40s} x{r.ratio:.2f}  {r.miss or '(no reason recorded)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

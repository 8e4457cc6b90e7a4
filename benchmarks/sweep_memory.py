"""Memory of a big sweep: RSS of the sweeping process (and of its workers) for growing sweeps.

A sweep keeps, per row, its axis values and metrics (the frame it returns) and, while it runs, one small
record per simulation (streamed to the checkpoint as it arrives); the workers keep at most
``accelsim.explore.sweep.WORKER_CACHE_ENTRIES`` remembered kernel simulations.  So RSS should grow linearly with
the number of points at a few hundred bytes to a few KB per point, not with the work done, and the workers
should stay flat.  The workload is trivially cheap (one GEMV at roofline fidelity) so that 100,000 points
take a minute or two.

    python benchmarks/sweep_memory.py [--points 10000 30000 100000] [--executor local]
        [--workers 2] [--checkpoint]

Prints, per sweep size: wall time, peak RSS of the parent and of the workers (sampled every 0.2 s from
/proc), the parent's RSS after the sweep with the frame alive, the frame's own size, and bytes per point.
Each size runs in a fresh process so the sizes do not share an allocator state.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import _installed  # noqa: F401 - a clear message when accelsim is not installed


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(d))
        except (OSError, IndexError, ValueError):
            continue
    return out


def one(points: int, executor: str, workers: int, checkpoint: bool) -> dict:
    import pandas  # noqa: F401 - imported before the baseline so its ~50 MB is not counted

    import accelsim
    from accelsim.workload.kernels import Gemv

    me = os.getpid()
    base_rss = _rss_mb(me)
    peak = {"parent": base_rss, "workers": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak["parent"] = max(peak["parent"], _rss_mb(me))
            # workers are children of the forkserver (a child of ours): sum the grandchildren too
            kids = _children(me)
            w = sum(_rss_mb(g) for k in kids for g in _children(k)) + sum(
                _rss_mb(k) for k in kids if "forkserver" not in open(f"/proc/{k}/cmdline").read())
            peak["workers"] = max(peak["workers"], w)
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    n10 = max(1, points // 10)
    axes = {"dram.data_rate_gbps": [4.0 + i * 1e-4 for i in range(n10)], "compute.clock_ghz": [1.0 + 0.1 * i for i in range(10)]}
    ck = os.path.join(tempfile.mkdtemp(), "ck.csv") if checkpoint else None
    t0 = time.perf_counter()
    df = accelsim.sweep("h100-sxm", axes, [Gemv(m=1, n=1024, k=1024)], fidelity="roofline", executor=executor,
                        workers=workers if executor == "local" else None, progress=False, checkpoint=ck)
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    after = _rss_mb(me)
    frame = df.memory_usage(deep=True).sum() / 2**20
    return dict(points=len(df), ok=int((df["status"] == "ok").sum()), wall_s=round(wall, 1),
                base_mb=round(base_rss, 1), parent_peak_mb=round(peak["parent"], 1), parent_after_mb=round(after, 1),
                workers_peak_mb=round(peak["workers"], 1), frame_mb=round(frame, 1),
                bytes_per_point=round((peak["parent"] - base_rss) * 2**20 / max(1, len(df))),
                checkpoint_mb=round(os.path.getsize(ck) / 2**20, 1) if ck else None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument("--executor", default="local", choices=("local", "serial"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--checkpoint", action="store_true", help="stream results to a CSV checkpoint too")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.executor, args.workers, args.checkpoint)))
        return 0
    print(f"executor {args.executor}, workers {args.workers}, checkpoint {args.checkpoint}; RSS in MB")
    print(f"{'points':>8s} {'wall s':>7s} {'base':>6s} {'parent peak':>12s} {'after':>7s} {'workers peak':>13s} "
          f"{'frame':>6s} {'B/point':>8s} {'ckpt':>6s}")
    for n in args.points:
        cmd = [sys.executable, __file__, "--one", str(n), "--executor", args.executor, "--workers", str(args.workers)]
        if args.checkpoint:
            cmd.append("--checkpoint")
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        print(f"{r['points']:8d} {r['wall_s']:7.1f} {r['base_mb']:6.1f} {r['parent_peak_mb']:12.1f} "
              f"{r['parent_after_mb']:7.1f} {r['workers_peak_mb']:13.1f} {r['frame_mb']:6.1f} "
              f"{r['bytes_per_point']:8d} {r['checkpoint_mb'] if r['checkpoint_mb'] is not None else '-':>6}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sweep checkpoints under damage and kills: is every damaged record detected, is anything ever taken wrong?

Part 1, corruption: a real checkpoint (a roofline sweep, CSV and Parquet) is damaged N times per kind --
one digit changed, one bit flipped, bytes deleted or inserted, a line duplicated with another value, lines
swapped, a record's cells moved to another line, the file cut anywhere, a foreign CSV with key,status
columns, a record from another checkpoint, Parquet bit flips and truncations -- and read back.  Each trial
ends in one of: detected (a ConfigError naming the file), dropped (fewer records, each one as written -- a
cut-off last line, with a warning, or a file cut at a line end: those points run again), harmless (every
record read back is one that was written, e.g. lines reordered, or a record of the other sweep, keyed by its
own simulation), or SILENTLY WRONG (a record read back that was never written under its key).  The last must
be 0.

Part 2, kills: a sweep resuming from a checkpoint of R records is killed (SIGKILL) at a random moment, K
times (including during the resume's start, where the old code rewrote the file in place); afterwards the
file must hold every record it held before plus the ones finished in between, minus at most the records in
flight.

    python benchmarks/checkpoint_corruption.py [--trials 200] [--kills 20] [--records 20000]

Prints one table per part.  Exit status 1 if anything was silently wrong or a kill lost data.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _installed  # noqa: E402,F401 - a clear message when accelsim is not installed

import accelsim  # noqa: E402
from accelsim import ConfigError  # noqa: E402
from accelsim.explore.checkpoint import read_checkpoint  # noqa: E402
from accelsim.workload.kernels import Gemv  # noqa: E402


def make_checkpoint(path: str, n_points: int) -> None:
    """A real checkpoint: n_points roofline GEMVs (each a different machine)."""
    accelsim.sweep("h100-sxm", {"dram.data_rate_gbps": [5.0 + i * 1e-3 for i in range(n_points)]},
                   [Gemv(m=1, n=1024, k=1024)], fidelity="roofline", executor="serial", progress=False,
                   checkpoint=path)


# ------------------------------------------------------------------------------------------ damage


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def digit(r: random.Random, data: bytes) -> bytes:
    idx = [i for i, c in enumerate(data) if chr(c).isdigit() and data.rfind(b"\n", 0, i) > data.find(b"\n", data.find(b"\n") + 1)]
    i = r.choice(idx)
    new = str((int(chr(data[i])) + r.randint(1, 9)) % 10).encode()
    return data[:i] + new + data[i + 1:]


def bitflip(r: random.Random, data: bytes) -> bytes:
    i = r.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << r.randrange(8))]) + data[i + 1:]


def delete(r: random.Random, data: bytes) -> bytes:
    i = r.randrange(len(data))
    return data[:i] + data[i + r.randint(1, 20):]


def insert(r: random.Random, data: bytes) -> bytes:
    i = r.randrange(len(data))
    return data[:i] + bytes(r.choice(b"0123456789.,e-abcdef\n") for _ in range(r.randint(1, 8))) + data[i:]


def duplicate_key(r: random.Random, data: bytes) -> bytes:
    """A record's line again, with one metric changed (a checksum recomputed would need the key)."""
    ls = _lines(data)
    i = r.randrange(2, len(ls) - 1)
    cells = ls[i].split(b",")
    j = r.randrange(3, len(cells) - 1)
    cells[j] = cells[j] + b"1" if cells[j] else b"1"
    return b"\n".join(ls[:i + 1] + [b",".join(cells)] + ls[i + 1:])


def duplicate_line(r: random.Random, data: bytes) -> bytes:
    ls = _lines(data)
    i = r.randrange(2, len(ls) - 1)
    return b"\n".join(ls[:i + 1] + [ls[i]] + ls[i + 1:])


def swap_lines(r: random.Random, data: bytes) -> bytes:
    ls = _lines(data)
    i, j = r.sample(range(2, len(ls) - 1), 2)
    ls[i], ls[j] = ls[j], ls[i]
    return b"\n".join(ls)


def move_cell(r: random.Random, data: bytes) -> bytes:
    """One metric cell taken from another record (same column)."""
    ls = _lines(data)
    i, j = r.sample(range(2, len(ls) - 1), 2)
    a, b = ls[i].split(b","), ls[j].split(b",")
    k = r.randrange(3, len(a) - 1)
    if a[k] == b[k]:
        return digit(r, data)
    a[k] = b[k]
    ls[i] = b",".join(a)
    return b"\n".join(ls)


def truncate(r: random.Random, data: bytes) -> bytes:
    return data[:r.randrange(len(data))]


def foreign(r: random.Random, data: bytes) -> bytes:
    ls = _lines(data)
    body = [b"key,status,reason,time_s"] + [b"%032x,ok,,%g" % (r.getrandbits(128), r.random()) for _ in range(5)]
    return b"\n".join(body if r.random() < 0.5 else [ls[0]] + body) + b"\n"


def other_file_record(r: random.Random, data: bytes, other: bytes) -> bytes:
    ls, ols = _lines(data), _lines(other)
    i = r.randrange(2, len(ls) - 1)
    ls.insert(i, ols[r.randrange(2, len(ols) - 1)])
    return b"\n".join(ls)


CSV_KINDS = {"digit": digit, "bit flip": bitflip, "bytes deleted": delete, "bytes inserted": insert,
             "duplicate key": duplicate_key, "duplicate line": duplicate_line, "lines swapped": swap_lines,
             "cell moved": move_cell, "cut anywhere": truncate, "foreign CSV": foreign,
             "other file's record": other_file_record}
PQ_KINDS = {"bit flip": bitflip, "bytes deleted": delete, "cut anywhere": truncate}


def classify(path: str, truth: dict[str, dict], other: dict[str, dict]) -> str:
    """detected (a ConfigError), SILENTLY WRONG (a record read back that was never written under its key, in
    this file or the other one), dropped (fewer records, each as written: the missing ones run again),
    harmless (every record as written; a record of the other sweep is keyed by its own simulation and can
    only be used for it)."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            got = read_checkpoint(path)
        except ConfigError:
            return "detected"
    wrong = [k for k, v in got.items() if truth.get(k, other.get(k)) != v]
    if wrong:
        return "SILENTLY WRONG"
    if len([k for k in got if k in truth]) < len(truth):
        return "dropped"
    return "harmless"


def corruption(trials: int, seed: int) -> int:
    tmp = tempfile.mkdtemp(prefix="accelsim-ck-")
    good_csv, other_csv = os.path.join(tmp, "good.csv"), os.path.join(tmp, "other.csv")
    make_checkpoint(good_csv, 40)
    accelsim.sweep("h200", {"dram.stacks": [4, 5, 6, 7]}, [Gemv(m=1, n=512, k=512)], fidelity="roofline",
                   executor="serial", progress=False, checkpoint=other_csv)
    truth = read_checkpoint(good_csv)
    other_truth = read_checkpoint(other_csv)
    data, other = open(good_csv, "rb").read(), open(other_csv, "rb").read()
    fmts: list[tuple[str, dict, bytes, dict]] = [("csv", CSV_KINDS, data, truth)]
    try:
        import pyarrow  # noqa: F401
        good_pq = os.path.join(tmp, "good.parquet")
        make_checkpoint(good_pq, 40)
        fmts.append(("parquet", PQ_KINDS, open(good_pq, "rb").read(), read_checkpoint(good_pq)))
    except ImportError:
        print("(pyarrow not installed: no Parquet trials)")
    table: collections.Counter[tuple[str, str, str]] = collections.Counter()
    r = random.Random(seed)
    for fmt, kinds, base, tr in fmts:
        path = os.path.join(tmp, f"trial.{fmt}")
        for kind, fn in kinds.items():
            for _ in range(trials):
                bad = fn(r, base, other) if fn is other_file_record else fn(r, base)
                if bad == base:
                    bad = bitflip(r, base)
                with open(path, "wb") as f:
                    f.write(bad)
                table[(fmt, kind, classify(path, tr, other_truth))] += 1
    print(f"{'format':8s} {'damage':22s} {'trials':>7s} {'detected':>9s} {'dropped':>8s} {'harmless':>9s} "
          f"{'silently wrong':>15s}")
    wrong_total = 0
    for fmt, kinds, _, _ in fmts:
        for kind in kinds:
            row = {o: table[(fmt, kind, o)] for o in ("detected", "dropped", "harmless", "SILENTLY WRONG")}
            n = sum(row.values())
            wrong_total += row["SILENTLY WRONG"]
            print(f"{fmt:8s} {kind:22s} {n:7d} {row['detected']:9d} {row['dropped']:8d} {row['harmless']:9d} "
                  f"{row['SILENTLY WRONG']:15d}")
    return wrong_total


# ------------------------------------------------------------------------------------------ kills

_CHILD = r"""
import sys, accelsim
from accelsim.workload.kernels import Gemv
n, path = int(sys.argv[1]), sys.argv[2]
accelsim.sweep("h100-sxm", {"dram.data_rate_gbps": [5.0 + i * 1e-3 for i in range(n)]}, [Gemv(m=1, n=1024, k=1024)],
               fidelity="roofline", executor="serial", progress=False, checkpoint=path)
"""


def kills(n_kills: int, records: int, seed: int) -> int:
    tmp = tempfile.mkdtemp(prefix="accelsim-kill-")
    path = os.path.join(tmp, "ck.csv")
    make_checkpoint(path, records)  # the sweep to resume holds `records` records
    r = random.Random(seed)
    lost_total = 0
    print(f"\n{'kill':>4s} {'after s':>8s} {'before':>8s} {'after':>8s} {'lost':>5s}")
    for i in range(n_kills):
        before = set(read_checkpoint(path))
        p = subprocess.Popen([sys.executable, "-c", _CHILD, str(records + 50 * (i + 1)), path],
                             stderr=subprocess.DEVNULL)
        delay = r.choice([0.0, 0.05, 0.2, r.uniform(0.3, 3.0)])  # the first three: during start and resume
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                after = set(read_checkpoint(path))
            except ConfigError as e:
                print(f"{i:4d} {delay:8.2f} {len(before):8d} {'corrupt':>8s}  {e}")
                lost_total += len(before)
                continue
        lost = len(before - after)
        lost_total += lost
        print(f"{i:4d} {delay:8.2f} {len(before):8d} {len(after):8d} {lost:5d}")
    return lost_total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=200, help="damaged files per kind and format")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--records", type=int, default=20000, help="records in the checkpoint the killed sweeps resume")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    wrong = corruption(args.trials, args.seed)
    lost = kills(args.kills, args.records, args.seed) if args.kills else 0
    print(f"\nsilently wrong: {wrong}; records lost to kills (beyond those in flight): {lost}; "
          f"{time.perf_counter() - t0:.0f} s")
    return 1 if wrong or lost else 0


if __name__ == "__main__":
    sys.exit(main())

"""accelsim's DRAM controller side by side with Ramulator 2.1 on the same load/store traces.

    python benchmarks/ramulator_compare.py [--requests 200000] [--ramulator DIR] [--store]

One channel (two pseudo-channels) of HBM2-2000, HBM3-6400 and HBM3E-9600 with Ramulator 2.1's timings and
its MOP4CLXOR address map; patterns: sequential reads, uniform random reads, a 50/50 read/write stream,
2 KiB-strided reads; all-bank refresh on and off. Both simulators are driven closed loop: requests enter in
trace order as soon as the channel has a free entry in a 32-entry read (write) queue.

Prints bandwidth (% of pin peak), average read latency and requests per CPU-second of each simulator.
With ``--ramulator DIR`` (a built CMU-SAFARI/ramulator2 tree: DIR/python holds the `ramulator` package with
its compiled `_ramulator` module; or $RAMULATOR2_DIR) Ramulator runs in the same process on the same
traces; without it, Ramulator's stored figures (tests/data/ramulator2_figures.json, with the commit and the
exact configuration they came from) stand in, and ``--store`` rewrites them from a run.

Targets: within 3 percentage points of Ramulator's bandwidth and 5% of its read latency on every pattern,
and `detailed`-grade DRAM simulation at least 20x Ramulator's requests per CPU-second.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
from accelsim.engine.core import dram_trace
from accelsim.spec.machine import DramSpec
from accelsim.units import GiB

FIGURES = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "ramulator2_figures.json"
PATTERNS = ("seq", "random", "rw50", "strided")
QUEUE = 32  # Ramulator 2.1's default read_buffer_size / write_buffer_size

# Ramulator 2.1's timing presets in CK (python/ramulator/dram/hbm2.py, hbm3.py; HBM2_8Gb and
# HBM3_16Gb_8hi organisations). HBM3E-9600 is not in Ramulator: it is HBM3-6400 with the same nanosecond
# timings at a 9.6 Gb/s pin rate (tCK 417 ps), every CK count rounded up.
STANDARDS: dict[str, dict[str, Any]] = {
    "HBM2-2000": dict(
        ramulator=("HBM2", "HBM2_8Gb", "HBM2_2000Mbps", "HBM12"), tck_ns=1.0, tick_ns=1.0, rate=2.0,
        pc_bits=64, bl=4, bank_groups=4, banks_per_group=4, capacity=2 * GiB,
        ck=dict(nBL=2, nCL=14, nRCDRD=14, nRCDWR=12, nRP=14, nRAS=34, nWR=16, nRTP=5, nCWL=5, nCCDS=2, nCCDL=4,
                nWTRS=6, nRRDS=4, nRRDL=4, nFAW=15, nRFC=350, nREFI=3900, nRTW=13),  # RD->WR: nCL+nBL+2-nCWL
        overrides={}),
    "HBM3-6400": dict(
        ramulator=("HBM3", "HBM3_16Gb_8hi", "HBM3_6400Mbps", "HBM34"), tck_ns=0.625, tick_ns=0.3125, rate=6.4,
        pc_bits=32, bl=8, bank_groups=8, banks_per_group=4, capacity=1 * GiB,  # 2 SIDs x 4 bank groups
        sids=2, nCCDR=3,  # tCCDR, read to read in the other SID (Ramulator's HBM3_6400Mbps nCCDR)
        ck=dict(nBL=2, nCL=20, nRCDRD=31, nRCDWR=15, nRP=26, nRAS=45, nWR=33, nRTP=9, nCWL=10, nCCDS=2, nCCDL=4,
                nWTRS=7, nRRDS=4, nRRDL=5, nFAW=24, nRFC=560, nREFI=6240, nRTW=20),
        overrides={}),
}
_hbm3e_ck = {k: (v if k in ("nBL", "nCCDS") else math.ceil(v * 0.625 / 0.417 - 1e-9))
             for k, v in STANDARDS["HBM3-6400"]["ck"].items()}  # nCCDS: one burst, 2 CK
STANDARDS["HBM3E-9600"] = dict(
    ramulator=("HBM3", "HBM3_16Gb_8hi", "HBM3_6400Mbps", "HBM34"), tck_ns=0.417, tick_ns=0.2085, rate=9.6,
    pc_bits=32, bl=8, bank_groups=8, banks_per_group=4, capacity=1 * GiB, ck=_hbm3e_ck,
    sids=2, nCCDR=math.ceil(1.875 / 0.417),  # tCCDR 1.875 ns, as the nCCDR override below
    overrides=dict(rate=9600, tCK_ps=417, nCL=_hbm3e_ck["nCL"], nRCDRD=_hbm3e_ck["nRCDRD"],
                   nRCDWR=_hbm3e_ck["nRCDWR"], nRP=_hbm3e_ck["nRP"], nRAS=_hbm3e_ck["nRAS"],
                   nRC=_hbm3e_ck["nRAS"] + _hbm3e_ck["nRP"], nWR=_hbm3e_ck["nWR"], nRTP=_hbm3e_ck["nRTP"],
                   nCWL=_hbm3e_ck["nCWL"], nCCDL=_hbm3e_ck["nCCDL"], nCCDR=math.ceil(1.875 / 0.417),
                   nRRDS=_hbm3e_ck["nRRDS"], nRRDL=_hbm3e_ck["nRRDL"], nFAW=_hbm3e_ck["nFAW"],
                   nWTRS=_hbm3e_ck["nWTRS"], nWTRL=math.ceil(6.25 / 0.417), nRTW=_hbm3e_ck["nRTW"],
                   nRFC=_hbm3e_ck["nRFC"], nRFCpb=math.ceil(200 / 0.417), nRREFD=math.ceil(5 / 0.417),
                   nREFI=_hbm3e_ck["nREFI"], nREFIpb=math.ceil(3900 / 32 / 0.417), nPPD=2))


def accelsim_dram(std: str, refresh: bool) -> DramSpec:
    """One channel of ``std`` as an accelsim DramSpec, timings as Ramulator's (CK x tCK)."""
    s = STANDARDS[std]
    ck, t = s["ck"], s["tck_ns"]
    return DramSpec(
        kind="hbm3" if std.startswith("HBM3") else "hbm2", stacks=1, channels_per_stack=1,
        pseudo_channels_per_channel=2, bank_groups=s["bank_groups"], banks_per_group=s["banks_per_group"],
        row_bytes=1024, burst_length=s["bl"], pc_bus_width_bits=s["pc_bits"], data_rate_gbps=s["rate"],
        capacity_bytes_per_stack=s["capacity"],
        tRCD_ns=ck["nRCDRD"] * t, tRP_ns=ck["nRP"] * t, tCL_ns=ck["nCL"] * t, tRAS_ns=ck["nRAS"] * t,
        tRRD_S_ns=ck["nRRDS"] * t, tRRD_L_ns=ck["nRRDL"] * t, tFAW_ns=ck["nFAW"] * t, nCCD_S=ck["nCCDS"],
        nCCD_L=ck["nCCDL"], tWTR_ns=ck["nWTRS"] * t, nRTW=ck["nRTW"], tRFC_ns=ck["nRFC"] * t,
        tREFI_ns=ck["nREFI"] * t, tRFCpb_ns=0.0, interleave_bytes=32, access_latency_ns=0.0,
        tCWL_ns=ck["nCWL"] * t, tWR_ns=ck["nWR"] * t, tRTP_ns=ck["nRTP"] * t, tRCDWR_ns=ck["nRCDWR"] * t,
        write_queue_bursts=QUEUE // 2, refresh="all_bank" if refresh else "off", refresh_group="channel",
        address_map="mop4clxor", command_bus="channel", sids=s.get("sids", 1), nCCDR=s.get("nCCDR", 0.0))


def trace(pattern: str, n: int, capacity: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Byte addresses (32 B transactions) and write flags of one pattern, deterministic."""
    i = np.arange(n, dtype=np.int64)
    writes = np.zeros(n, dtype=np.uint8)
    if pattern == "seq":
        addr = i * 32
    elif pattern == "random":
        addr = np.random.default_rng(seed).integers(0, capacity // 32, n, dtype=np.int64) * 32
    elif pattern == "rw50":  # one sequential stream, every other transaction a write
        addr = i * 32
        writes[1::2] = 1
    elif pattern == "strided":  # every 64th transaction: 2 KiB apart
        addr = (i * 2048) % capacity
    else:
        raise ValueError(pattern)
    return addr, writes


def peak_bytes_per_ns(std: str) -> float:
    s = STANDARDS[std]
    return 2 * s["pc_bits"] * s["rate"] / 8  # two pseudo-channels


def run_accelsim(std: str, pattern: str, refresh: bool, n: int) -> dict[str, float]:
    d = accelsim_dram(std, refresh)
    addr, writes = trace(pattern, n, STANDARDS[std]["capacity"])
    t = time.process_time()
    r = dram_trace(d, addr, writes, read_queue_entries=QUEUE, write_queue_entries=QUEUE)
    cpu = time.process_time() - t
    return dict(bandwidth_pct=100 * r["bytes"] / (r["time_ps"] / 1e3) / peak_bytes_per_ns(std),
                read_latency_ns=r["read_latency_sum_ps"] / max(1, r["reads"]) / 1e3,
                requests_per_cpu_s=n / max(cpu, 1e-9), requests=n, events=r["events"])


def ramulator_config(std: str, refresh: bool, trace_path: str) -> tuple[Any, Any]:
    import ramulator as R  # noqa: PLC0415 (only with --ramulator)

    s = STANDARDS[std]
    std_name, org, timing, ctrl = s["ramulator"]
    dram = getattr(R.dram, std_name)(org_preset=org, timing_preset=timing, **s["overrides"])
    controller = getattr(R.controller, ctrl)(
        dram=dram, scheduler=R.scheduler.FRFCFS(),
        refresh_manager=R.refresh_manager.AllBank() if refresh else R.refresh_manager.NoRefresh(),
        row_policy=R.row_policy.Open(), addr_mapper=R.addr_mapper.MOP4CLXOR())
    mem = R.memory_system.GenericDRAM(clock_ratio=1, controllers=[controller],
                                      channel_mapper=R.channel_mapper.CacheLineInterleave())
    frontend = R.frontend.LoadStoreTrace(clock_ratio=2, path=trace_path)
    return frontend, mem


def run_ramulator(std: str, pattern: str, refresh: bool, n: int) -> dict[str, Any]:
    import ramulator as R  # noqa: PLC0415
    import yaml  # noqa: PLC0415

    s = STANDARDS[std]
    addr, writes = trace(pattern, n, s["capacity"])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "trace.txt")
        with open(path, "w") as f:
            f.writelines(f"{'ST' if w else 'LD'} {a:#x}\n" for a, w in zip(addr.tolist(), writes.tolist()))
        frontend, mem = ramulator_config(std, refresh, path)
        cfg = {"frontend": frontend.to_config(), "memory_system": mem.to_config()}
        sim = R.Simulation(frontend, mem)
        t = time.process_time()
        sim.run()
        cpu = time.process_time() - t
        sim.finalize()
        st = sim.stats["memory_system"]["controller"]
    st = st[0] if isinstance(st, list) else st
    served = st["num_read_reqs_served"] + st["num_write_reqs_served"]
    ns = st["cycles"] * s["tick_ns"]
    cfg["frontend"]["path"] = "<trace>"
    return dict(bandwidth_pct=100 * served * 32 / ns / peak_bytes_per_ns(std),
                read_latency_ns=st["read_latency"] / max(1, st["num_read_reqs_served"]) * s["tick_ns"],
                requests_per_cpu_s=n / max(cpu, 1e-9), requests=n, cycles=st["cycles"],
                config_yaml=yaml.safe_dump(cfg, sort_keys=False))


def cases() -> list[tuple[str, str, bool]]:
    return [(std, p, ref) for std in STANDARDS for p in PATTERNS for ref in (True, False)]


def ramulator_commit(root: pathlib.Path) -> tuple[str, str]:
    def git(*a: str) -> str:
        return subprocess.run(["git", "-C", str(root), *a], capture_output=True, text=True).stdout.strip()
    return git("rev-parse", "HEAD"), git("describe", "--tags")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=None, help="per case (default: the stored figures' count)")
    ap.add_argument("--ramulator", default=os.environ.get("RAMULATOR2_DIR"), help="a built ramulator2 tree")
    ap.add_argument("--store", action="store_true", help="write Ramulator's figures to tests/data")
    args = ap.parse_args()
    stored = json.loads(FIGURES.read_text()) if FIGURES.exists() else None
    n = args.requests or (stored["requests_per_case"] if stored else 200_000)
    live = args.ramulator is not None
    if live:
        sys.path.insert(0, str(pathlib.Path(args.ramulator) / "python"))
    elif stored is None:
        print("no Ramulator build (--ramulator) and no stored figures", file=sys.stderr)
        return 1
    elif n != stored["requests_per_case"]:
        print(f"stored figures are for {stored['requests_per_case']} requests per case", file=sys.stderr)
        return 1
    ref_of = {(c["standard"], c["pattern"], c["refresh"]): c for c in (stored or {}).get("cases", [])}
    src = "Ramulator 2.1 (this run)" if live else f"Ramulator 2.1 (stored, {stored['ramulator2_describe']})"
    print(f"{n} requests per case; accelsim vs {src}")
    hdr = (f"{'standard':10s} {'pattern':8s} {'ref':3s} | {'BW % of pin peak':>17s} {'d pp':>5s} | "
           f"{'read latency ns':>15s} {'d %':>6s} | {'M req / CPU-s':>15s} {'ratio':>6s}")
    print(hdr)
    print("-" * len(hdr))
    out_cases, worst_bw, worst_lat, ratios = [], 0.0, 0.0, []
    for std, pat, ref in cases():
        a = run_accelsim(std, pat, ref, n)
        r = run_ramulator(std, pat, ref, n) if live else ref_of[(std, pat, ref)]
        dbw = a["bandwidth_pct"] - r["bandwidth_pct"]
        dlat = (a["read_latency_ns"] / r["read_latency_ns"] - 1) * 100 if pat != "rw50" or r["read_latency_ns"] else 0
        ratio = a["requests_per_cpu_s"] / r["requests_per_cpu_s"]
        worst_bw, worst_lat = max(worst_bw, abs(dbw)), max(worst_lat, abs(dlat))
        ratios.append(ratio)
        print(f"{std:10s} {pat:8s} {'on' if ref else 'off':3s} | {a['bandwidth_pct']:7.1f} {r['bandwidth_pct']:7.1f}  "
              f"{dbw:+5.1f} | {a['read_latency_ns']:6.1f} {r['read_latency_ns']:6.1f}  {dlat:+6.1f} | "
              f"{a['requests_per_cpu_s'] / 1e6:6.2f} {r['requests_per_cpu_s'] / 1e6:6.3f}  {ratio:6.1f}x", flush=True)
        if live:
            out_cases.append(dict(standard=std, pattern=pat, refresh=ref, **{k: r[k] for k in (
                "bandwidth_pct", "read_latency_ns", "requests_per_cpu_s", "cycles", "config_yaml")}))
    print(f"worst |d bandwidth| {worst_bw:.1f} pp (target <= 3), worst |d latency| {worst_lat:.1f}% (target <= 5), "
          f"speed ratio min {min(ratios):.1f}x median {float(np.median(ratios)):.1f}x (target >= 20x)")
    if live and args.store:
        commit, describe = ramulator_commit(pathlib.Path(args.ramulator))
        FIGURES.write_text(json.dumps(dict(
            ramulator2_commit=commit, ramulator2_describe=describe,
            how=("CMU-SAFARI/ramulator2 at this commit, Release build (-O3), third-party libraries at the tags its "
                 "CMake pins (yaml-cpp 0.9.0, fmt 10.2.1, nanobind 2.4.0), no source changed; driven through its "
                 "Python API by benchmarks/ramulator_compare.py: LoadStoreTrace frontend (clock_ratio 2) on the "
                 "trace of each pattern (one 'LD/ST <hex address>' line per 32 B transaction), GenericDRAM "
                 "(clock_ratio 1, one controller, CacheLineInterleave), the controller and DRAM as in each "
                 "case's config_yaml. Bandwidth = requests served x 32 B / (controller cycles x tick); read "
                 "latency = read_latency / num_read_reqs_served x tick; requests per CPU-second = requests / "
                 "process CPU time of sim.run()."),
            requests_per_case=n, patterns={
                "seq": "32 B transactions at consecutive addresses, all reads",
                "random": "uniform random 32 B-aligned addresses over the channel (numpy default_rng(1)), reads",
                "rw50": "consecutive addresses, every second transaction a write",
                "strided": "reads 2 KiB apart (address = i * 2048 mod capacity)"},
            cases=out_cases), indent=1) + "\n")
        print(f"stored {FIGURES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Hardening of sweeps: size limits refused up front, bounded worker memory,
Ctrl-C during `accelsim sweep` (workers stopped, checkpoint written, the same command resumes without
redoing finished points), damaged checkpoints reported, schema versions and golden sweep files.
(Fuzzing of sweep specs, sweep() arguments and checkpoints: the sweep_* and checkpoint kinds of
tests/fuzz_cases.py, driven by tests/engine/test_fuzz.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import accelsim
from accelsim import ConfigError
from accelsim.engine import limits
from accelsim.workload.kernels import Gemv
from accelsim.explore.sweep import (CHECKPOINT_SCHEMA_VERSION, DecodeWorkload, RESULTS_SCHEMA_VERSION, best_n, pareto_front, read_checkpoint, sweep)

pd = pytest.importorskip("pandas")

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "sweeps"
GEMV = Gemv(m=1, n=512, k=512)
ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------------ limits


def test_billion_point_grid_is_refused_at_once() -> None:
    axes = {"dram.stacks": list(range(1, 1001)), "compute.clock_ghz": [1 + i / 1000 for i in range(1000)],
            "dram.data_rate_gbps": [1 + i / 100 for i in range(1000)]}
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="1000000000 design points x workloads.*MAX_SWEEP_POINTS") as e:
        sweep("h100-sxm", axes, [GEMV], fidelity="roofline", executor="serial", progress=False)
    assert e.value.field == "axes"
    with pytest.raises(ConfigError, match="MAX_SWEEP_POINTS") as e:
        sweep("h100-sxm", {"compute.clock_ghz": {"uniform": [1.0, 2.0]}}, [GEMV], samples=10**9,
              executor="serial", progress=False)
    assert e.value.field == "samples"
    assert time.perf_counter() - t0 < 5.0  # refused from the axis lengths, nothing expanded


def test_sweep_limit_counts_bases_and_workloads_and_is_configurable(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_SWEEP_POINTS", 12)
    ok = sweep(["h100-sxm", "h200"], {"dram.stacks": [4, 5, 6]}, [GEMV, Gemv(m=1, n=256, k=256)],
               fidelity="roofline", executor="serial", progress=False)
    assert len(ok) == 12
    with pytest.raises(ConfigError, match="13 design points x workloads.*MAX_SWEEP_POINTS = 12"):
        sweep("h100-sxm", {"dram.stacks": list(range(1, 14))}, [GEMV], fidelity="roofline", executor="serial",
              progress=False)
    from accelsim.explore.sweepspec import parse_spec

    doc = {"base": "h100-sxm", "workloads": [{"decode": {"model": "llama-3-8b", "batch": list(range(1, 5)),
                                                         "context": [128, 256, 512, 1024]}}]}
    with pytest.raises(ConfigError, match="16 bases x workloads") as e:  # counted before any is built
        parse_spec(doc)
    assert e.value.field == "workloads"


def test_worker_simulation_cache_stays_bounded(monkeypatch) -> None:
    from accelsim import sweep as _unused  # noqa: F401 - the function shadows the module
    import importlib

    sw = importlib.import_module("accelsim.explore.sweep")
    from accelsim.engine.simulate import simulate_one as _simulate_one

    monkeypatch.setattr(sw, "WORKER_CACHE_ENTRIES", 5)
    base = accelsim.presets.load("h100-sxm")
    accelsim.clear_cache()
    sizes = []
    for i in range(20):
        arch = base.replace(compute=base.compute.replace(clock_ghz=1.0 + i / 100))
        assert sw.evaluate((arch, GEMV, "roofline"))["status"] == "ok"
        sizes.append(_simulate_one.cache_info().currsize)
    assert max(sizes) <= 6 and sizes[-1] >= 1


def test_sweep_memory_per_point_is_small() -> None:
    """The sweeping process's traced peak per row (the CI version of benchmarks/sweep_memory.py)."""
    import tracemalloc

    n = 2000
    axes = {"dram.data_rate_gbps": [4 + i * 1e-3 for i in range(n // 10)], "compute.clock_ghz": [1 + i / 10 for i in range(10)]}
    sweep("h100-sxm", {"dram.stacks": [4]}, [GEMV], fidelity="roofline", executor="serial", progress=False)  # imports
    accelsim.clear_cache()
    tracemalloc.start()
    try:
        df = sweep("h100-sxm", axes, [GEMV], fidelity="roofline", executor="serial", progress=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        accelsim.clear_cache()
    assert len(df) == n and (df["status"] == "ok").all()
    # measured ~6 KB per row here (incl. the in-process simulation cache, capped at WORKER_CACHE_ENTRIES)
    assert peak / n < 16_000, peak / n


# ------------------------------------------------------------------------------------- interruption

SPEC = """\
base: h100-sxm
fidelity: fast
axes:
  dram.data_rate_gbps: {rates}
workloads:
  - gemv: {{m: 1, n: 2048, k: 2048}}
"""


def _cli(args: list[str], **kw) -> subprocess.Popen:
    # the child imports accelsim from where this process did (the installed package in CI, python/ in a
    # development checkout with a built core), never blindly from the source tree
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(accelsim.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([pkg_parent] + sys.path))
    return subprocess.Popen([sys.executable, "-m", "accelsim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, **kw)


def _group_alive(pgid: int) -> bool:
    """A live (not zombie) process in the process group: exited children of the sweep are reparented to
    PID 1, which may reap them late (or never, in a container without an init)."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc")
def test_ctrl_c_stops_workers_keeps_checkpoint_and_the_same_command_resumes(tmp_path) -> None:
    n = 1000  # ~2 s of points: the interrupt lands mid-sweep
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(rates=[round(4.0 + i * 0.01, 2) for i in range(n)]))
    out = tmp_path / "out.csv"
    ck = Path(f"{out}.partial.csv")
    cmd = ["sweep", str(spec), "-o", str(out), "--workers", "1", "--no-progress"]
    # its own process group, like a shell job: Ctrl-C reaches all of it. A foreground job takes SIGINT even
    # when this test runs where it is ignored (a background job of a non-interactive shell inherits SIG_IGN,
    # and Python then installs no KeyboardInterrupt handler: the sweep ran to the end and exited 0)
    p = _cli(cmd, start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    lines = 0
    while time.monotonic() < deadline and p.poll() is None:
        lines = ck.read_text().count("\n") if ck.exists() else 0
        if lines >= 2 + 8:  # version line + header + 8 finished points
            break
        time.sleep(0.02)
    assert p.poll() is None, f"the sweep ended before it could be interrupted ({lines} lines): {p.communicate()}"
    t0 = time.monotonic()
    os.killpg(p.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    _, err = p.communicate(timeout=30)
    stop_s = time.monotonic() - t0
    assert p.returncode == 130, err
    assert "interrupted" in err and str(ck) in err and "Traceback" not in err, err
    assert stop_s < 5.0, stop_s  # workers are killed, not waited for
    for _ in range(100):  # the workers and the forkserver are gone too
        if not _group_alive(p.pid):
            break
        time.sleep(0.05)
    assert not _group_alive(p.pid)
    saved = read_checkpoint(str(ck))
    assert 8 <= len(saved) < n and all(r["status"] == "ok" for r in saved.values())
    assert not out.exists()

    p2 = _cli(cmd)
    so, err2 = p2.communicate(timeout=120)
    assert p2.returncode == 0, err2
    assert "resuming from checkpoint" in err2
    assert f"{n - len(saved)} simulations in" in so and f"{len(saved)} more taken from the checkpoint" in so, so
    df = pd.read_csv(out)
    assert len(df) == n and (df["status"] == "ok").all() and df["point"].tolist() == list(range(n))
    assert not ck.exists()  # removed after success


def _set_cell(line: str, i: int, value: str) -> str:
    cells = line.rstrip("\r\n").split(",")
    cells[i] = value
    return ",".join(cells) + "\r\n"


def test_damaged_checkpoints_are_reported(tmp_path) -> None:
    ck = tmp_path / "ck.csv"
    sweep("h100-sxm", {"dram.stacks": [4, 5, 6]}, [GEMV], fidelity="roofline", executor="serial", progress=False,
          checkpoint=str(ck))
    good = ck.read_bytes()
    assert good.startswith(f"# accelsim sweep checkpoint, schema_version {CHECKPOINT_SCHEMA_VERSION}\n".encode())
    lines = good.decode().splitlines(keepends=True)
    cases = {
        "NUL bytes": good[:60] + b"\x00\x00" + good[62:],
        "line 3 is not UTF-8": good[:good.index(b"\n", 60) + 10] + b"\xff\xfe" + good[good.index(b"\n", 60) + 12:],
        "line 3 has 17 fields": "".join(lines[:2] + [lines[2].rstrip("\r\n") + ",extra\n"] + lines[3:]).encode(),
        "line 3 does not match its checksum": "".join(lines[:2] + [lines[2].replace(",ok,", ",bogus,")]
                                                      + lines[3:]).encode(),
        "line 4 does not match its checksum": "".join(lines[:3] + [_set_cell(lines[3], 6, "9" * 400)]
                                                      + lines[4:]).encode(),
        "line 5 does not match its checksum": "".join(lines[:4] + [_set_cell(lines[4], 3, "1e99x")]
                                                      + lines[5:]).encode(),
        "line 4 repeats the key of line 3": "".join(lines[:3] + [lines[2]] + lines[3:]).encode(),
        "schema_version 3": good.replace(b"schema_version 2", b"schema_version 3"),
        "schema_version 'x'": good.replace(b"schema_version 2", b"schema_version x"),
        "not an accelsim checkpoint": b"# hello\n" + good,
        "not an accelsim checkpoint ": "".join(lines[1:]).encode(),  # no first line: a foreign key,status CSV
    }
    for what, data in cases.items():
        ck.write_bytes(data)
        with pytest.raises(ConfigError) as e:
            sweep("h100-sxm", {"dram.stacks": [4, 5, 6]}, [GEMV], fidelity="roofline", executor="serial",
                  progress=False, checkpoint=str(ck))
        assert e.value.field == "checkpoint", what
        assert what.strip().split(" '")[0] in str(e.value), (what, str(e.value))
    # the command line says so and exits 2
    ck.write_bytes(good.replace(b"schema_version 2", b"schema_version 7"))
    spec = tmp_path / "spec.yaml"
    spec.write_text("base: h100-sxm\nfidelity: roofline\naxes: {dram.stacks: [4, 5, 6]}\n"
                    "workloads: [{gemv: {m: 1, n: 512, k: 512}}]\n")
    p = _cli(["sweep", str(spec), "-o", str(tmp_path / "o.csv"), "--checkpoint", str(ck), "--executor", "serial",
              "--no-progress"])
    _, err = p.communicate(timeout=60)
    assert p.returncode == 2 and "schema_version 7" in err and "Traceback" not in err, err


@pytest.mark.parametrize("fmt", ["parquet"])
def test_parquet_checkpoint_carries_its_version(tmp_path, fmt) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    ck = tmp_path / f"ck.{fmt}"
    sweep("h100-sxm", {"dram.stacks": [4, 5]}, [GEMV], fidelity="roofline", executor="serial", progress=False,
          checkpoint=str(ck))
    t = pq.read_table(ck)
    assert t.schema.metadata[b"accelsim.schema_version"] == str(CHECKPOINT_SCHEMA_VERSION).encode()
    assert "checksum" in t.column_names
    pq.write_table(t.replace_schema_metadata({"accelsim.schema_version": "3"}), ck)
    with pytest.raises(ConfigError, match="schema_version 3"):
        read_checkpoint(str(ck))
    pq.write_table(t.replace_schema_metadata(None), ck)  # no version: not taken for a checkpoint
    with pytest.raises(ConfigError, match="not an accelsim checkpoint"):
        read_checkpoint(str(ck))
    v1 = t.drop(["checksum"]).replace_schema_metadata({"accelsim.schema_version": "1"})
    pq.write_table(v1, ck)  # version 1 (no checksums): read with a warning, rewritten with them
    with pytest.warns(RuntimeWarning, match="without checksums"):
        assert len(read_checkpoint(str(ck))) == 2
    del pa


# ----------------------------------------------------------------------------- compatibility, golden


def test_results_files_carry_the_schema_version(tmp_path) -> None:
    from accelsim.cli.sweep import read_frame, write_frame

    df = sweep("h100-sxm", {"dram.stacks": [4, 5]}, [GEMV], fidelity="roofline", executor="serial", progress=False)
    assert df.attrs["schema_version"] == RESULTS_SCHEMA_VERSION and "schema_version" not in df.columns
    for ext in ("csv", "json"):
        path = str(tmp_path / f"r.{ext}")
        write_frame(df, path)
        raw = pd.read_csv(path) if ext == "csv" else pd.read_json(path, orient="records")
        assert (raw["schema_version"] == RESULTS_SCHEMA_VERSION).all()
        back = read_frame(path)
        assert list(back.columns) == list(df.columns) and back.attrs["schema_version"] == RESULTS_SCHEMA_VERSION
        raw["schema_version"] = RESULTS_SCHEMA_VERSION + 1
        raw.to_csv(path, index=False) if ext == "csv" else raw.to_json(path, orient="records")
        with pytest.raises(ConfigError, match=f"schema_version {RESULTS_SCHEMA_VERSION + 1}"):
            read_frame(path)
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ConfigError, match="not an accelsim sweep result"):
        read_frame(str(bad))


@pytest.mark.parametrize("ext", ["csv", "json", "parquet"])
def test_golden_sweep_results_keep_loading(ext) -> None:
    """tests/data/golden/sweeps/sweep-results.v1.*: written by `accelsim sweep -o` (schema_version 1); 4 design points
    x 3 workloads, with ok, infeasible and invalid rows."""
    if ext == "parquet":
        pytest.importorskip("pyarrow")
    from accelsim.cli.sweep import read_frame

    df = read_frame(str(GOLDEN / f"sweep-results.v1.{ext}"))
    assert df.attrs["schema_version"] == 1
    v1_columns = ["point", "dram.stacks", "dram.row_bytes", "cost.pue", "arch", "workload", "status", "reason",
                  "time_s", "tokens_per_s", "launch_s", "dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "flops",
                  "achieved_bandwidth_bytes_per_s", "energy_j", "weight_bytes", "kv_cache_bytes", "n_kernels",
                  "peak_dram_bandwidth_bytes_per_s", "memory_capacity_bytes", "peak_bf16_flops_per_s", "capex_usd",
                  "power_w", "usd_per_mtoken", "gco2e_per_mtoken", "tokens_per_s_per_w", "joules_per_token"]
    assert list(df.columns) == v1_columns
    assert len(df) == 12 and df["status"].value_counts().to_dict() == {"invalid": 6, "ok": 4, "infeasible": 2}
    assert (df.loc[df["status"] == "invalid", "reason"].str.contains("dram.row_bytes")).all()
    dec = df[df["workload"] == "llama-3-8b b1 s1024"]
    assert dec["tokens_per_s"].iloc[0] == pytest.approx(167.343258, rel=1e-6)
    assert dec["tokens_per_s"].iloc[2] == pytest.approx(206.390122, rel=1e-6)
    front = pareto_front(df, maximize=("tokens_per_s",), minimize=("usd_per_mtoken",))
    assert len(front) == 1 and front["dram.stacks"].iloc[0] == 5
    assert best_n(df, 1, "tokens_per_s")["dram.stacks"].iloc[0] == 5


def test_golden_checkpoint_keeps_loading(tmp_path) -> None:
    recs = read_checkpoint(str(GOLDEN / "sweep-checkpoint.v1.csv"))
    assert len(recs) == 6  # 2 machines x 3 workloads (the invalid points are not simulated)
    assert sorted(r["status"] for r in recs.values()) == ["infeasible"] * 2 + ["ok"] * 4
    ok = [r for r in recs.values() if r["status"] == "ok" and "tokens_per_s" in r]
    assert sorted(round(r["tokens_per_s"], 3) for r in ok) == [167.343, 206.39]
    # a sweep given it as its checkpoint reads it and keeps its records. Records are keyed by the machine's
    # full description and the package version, so once the presets or the model change (as they have
    # since the file was written) the points are simulated again rather than reused: check the file is
    # accepted and kept, and the new rows are sane, not the old numbers.
    ck = tmp_path / "ck.csv"
    ck.write_bytes((GOLDEN / "sweep-checkpoint.v1.csv").read_bytes())
    df = sweep("h100-sxm", {"dram.stacks": [4, 5]}, {"llama-3-8b b1 s1024": DecodeWorkload("llama-3-8b", 1, 1024)},
               fidelity="roofline", executor="serial", progress=False, checkpoint=str(ck))
    tps = df["tokens_per_s"].tolist()
    assert len(tps) == 2 and 0 < tps[0] < tps[1]  # 5 stacks: more bandwidth, more tokens/s
    assert set(recs) <= set(read_checkpoint(str(ck)))


# ----------------------------------------------- found by the sweep-era fuzz run (near-memory, flash)


def test_near_memory_whole_runs_are_bounded() -> None:
    """The fuzzer hung in accelsim.nearmem: a near-memory GEMV is simulated whole (no `fast` truncation) and a
    1.2 TB one would have run for hours.  The limits of the host path now apply there too."""
    import importlib

    nm = importlib.import_module("accelsim.engine.nearmem")
    arch = accelsim.presets.load("h200-pim")
    g = Gemv(m=1, n=1 << 18, k=1 << 17)  # 64 GiB of bf16 weights: 2**26 requests of 1 KiB
    descs = g.tiling(arch, 16, 256, 1)[:1]
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="simulated whole") as e:
        nm.run_whole(arch, descs, "fast")
    assert e.value.field.endswith(".size") and time.perf_counter() - t0 < 1.0
    small = Gemv(m=1, n=4096, k=4096)
    assert nm.run_whole(arch, small.tiling(arch, 16, 256, 1)[:1], "fast")[0]["time_ps"] > 0


def test_flash_reads_are_bounded() -> None:
    from accelsim.engine.nearmem import flash_read

    hbf = accelsim.presets.load("h200-hbf").hbf
    assert flash_read(hbf, 1 << 30)["pages"] > 0
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="pages per stack") as e:
        flash_read(hbf, 1 << 50)
    assert e.value.field == "hbf.bytes"
    with pytest.raises(ConfigError, match="channels_per_stack x planes_per_channel") as e:
        flash_read(hbf.replace(channels_per_stack=1 << 20, planes_per_channel=1 << 20), 1 << 20)  # was bad_alloc
    assert time.perf_counter() - t0 < 1.0


def test_decode_workload_with_junk_dtypes_is_an_invalid_row() -> None:
    """Found by the 100,000-case run: DecodeWorkload.name compared a numpy array with "bf16" (ValueError)."""
    import numpy as np

    df = sweep("h100-sxm", {"dram.stacks": [4]}, [DecodeWorkload("llama-3-8b", 1, 128, weight_dtype=np.array([1, 2]))],
               fidelity="roofline", executor="serial", progress=False)
    assert df["status"].tolist() == ["invalid"] and "weight_dtype" in df["reason"].iloc[0]


def test_found_by_the_seed_13_run() -> None:
    """100,000 cases, seed 13: an OverflowError formatting an infeasible reason for a model with a 10**400
    head_dim, and a ZeroDivisionError in decode_cost when a (damaged) record's energy / time underflows to
    0 W."""
    import dataclasses

    from accelsim import cost, models

    spec = dataclasses.replace(models.load("llama-3-8b"), head_dim=10**400)
    s = accelsim.decode_step(accelsim.presets.load("h100-sxm"), spec, batch=1, context=128, fidelity="roofline",
                             workers=1)
    assert not s.feasible and "~1e" in s.reason
    h100 = accelsim.presets.load("h100-sxm")
    c = cost.decode_cost(cost.for_arch(h100), 100.0, arch=h100, energy_j=1e-300, time_s=1e300)
    assert c.power_source == "tdp" and c.power_w > 0 and c.tokens_per_s_per_w > 0

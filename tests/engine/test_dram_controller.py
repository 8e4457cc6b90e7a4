"""The DRAM controller's options (write queue, scheduler, refresh, address map) and Ramulator 2.1's stored
figures on the same traces (tests/data/ramulator2_figures.json; benchmarks/ramulator_compare.py makes them)."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest
from conftest import DATA

import accelsim
from accelsim.engine.core import dram_trace
from accelsim.errors import ConfigError

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the benchmark imports its _installed check from beside it
_spec = importlib.util.spec_from_file_location("ramulator_compare", BENCHMARKS / "ramulator_compare.py")
rc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rc)  # type: ignore[union-attr]

FIGURES = json.loads((DATA / "ramulator2_figures.json").read_text())


def test_figures_record_where_they_came_from():
    assert len(FIGURES["ramulator2_commit"]) == 40
    assert FIGURES["cases"] and all("HBM" in c["config_yaml"] for c in FIGURES["cases"])
    assert {(c["standard"], c["pattern"], c["refresh"]) for c in FIGURES["cases"]} == set(rc.cases())


@pytest.mark.parametrize("case", FIGURES["cases"], ids=lambda c: f"{c['standard']}-{c['pattern']}-{c['refresh']}")
def test_bandwidth_and_latency_match_ramulator(case):
    n = FIGURES["requests_per_case"] // 4  # a quarter of the stored run: the same steady state, 4x cheaper
    a = rc.run_accelsim(case["standard"], case["pattern"], case["refresh"], n)
    assert abs(a["bandwidth_pct"] - case["bandwidth_pct"]) <= 3.0
    assert abs(a["read_latency_ns"] / case["read_latency_ns"] - 1) * 100 <= 5.0
    assert a["bandwidth_pct"] <= 100.0


def _one_channel(**kw):
    return rc.accelsim_dram("HBM3-6400", True).replace(**kw)


def test_write_queue_drains_in_batches():
    addr, writes = rc.trace("rw50", 40_000, 1 << 30)
    mixed = dram_trace(_one_channel(write_queue_bursts=0), addr, writes)
    queued = dram_trace(_one_channel(write_queue_bursts=32), addr, writes)
    # a sequential read/write stream: draining 32 writes at a time turns the bus around far less often
    assert queued["time_ps"] < 0.9 * mixed["time_ps"]
    assert queued["bytes"] == mixed["bytes"] == 40_000 * 32


def test_refresh_costs_bandwidth_and_per_bank_refresh_blocks_less_than_tRFC_would():
    addr, writes = rc.trace("random", 40_000, 1 << 30)
    off = dram_trace(_one_channel(refresh="off"), addr, writes)["time_ps"]
    all_bank = dram_trace(_one_channel(refresh="all_bank"), addr, writes)["time_ps"]
    per_bank = dram_trace(_one_channel(refresh="per_bank", tRFCpb_ns=200.0), addr, writes)["time_ps"]
    assert off < all_bank
    assert off < per_bank


def test_scheduler_choice_moves_row_hit_streams():
    # two interleaved streams in one bank's rows: FR-FCFS serves row hits first, FCFS in order
    rng = np.random.default_rng(3)
    addr = np.where(rng.random(20_000) < 0.5, np.arange(20_000) * 32, (1 << 28) + np.arange(20_000) * 32)
    w = np.zeros(20_000, np.uint8)
    fr = dram_trace(_one_channel(scheduler="frfcfs"), addr, w)
    fc = dram_trace(_one_channel(scheduler="fcfs"), addr, w)
    cap = dram_trace(_one_channel(scheduler="frfcfs_cap", row_hit_cap=1), addr, w)
    assert fr["time_ps"] <= cap["time_ps"] <= fc["time_ps"]
    assert fr["time_ps"] < fc["time_ps"]


def test_shared_row_command_bus_bounds_random_reads():
    # HBM2: a random read needs a PRE (1 CK) and an ACT (2 CK) on the channel's one row-command bus, while
    # the two pseudo-channels' data buses move two bursts (2 CK each) per 2 CK: at most a third of the pins
    addr, writes = rc.trace("random", 20_000, rc.STANDARDS["HBM2-2000"]["capacity"])
    d = rc.accelsim_dram("HBM2-2000", False)
    shared = dram_trace(d, addr, writes)
    own = dram_trace(d.replace(command_bus="pseudo_channel"), addr, writes)
    peak = rc.peak_bytes_per_ns("HBM2-2000")
    assert shared["bytes"] == own["bytes"] == 20_000 * 32
    assert shared["bytes"] / (shared["time_ps"] / 1e3) <= peak / 3 * 1.001
    assert own["time_ps"] < 0.85 * shared["time_ps"]


def test_tCCDR_slows_reads_that_change_SID():
    # sequential reads on HBM3E's MOP4CLXOR map alternate SIDs every 4 bursts
    addr, writes = rc.trace("seq", 20_000, 1 << 30)
    d = rc.accelsim_dram("HBM3E-9600", False)
    assert d.sids == 2 and d.nCCDR > d.nCCD_S
    with_ccdr = dram_trace(d, addr, writes)["time_ps"]
    assert dram_trace(d.replace(nCCDR=0.0), addr, writes)["time_ps"] < 0.95 * with_ccdr
    assert dram_trace(d.replace(sids=1), addr, writes)["time_ps"] < 0.95 * with_ccdr


def test_controller_fields_are_validated_by_name():
    with pytest.raises(ConfigError) as e:
        _one_channel(scheduler="lifo")
    assert e.value.field == "scheduler"
    with pytest.raises(ConfigError) as e:
        _one_channel(write_low_watermark=0.9, write_high_watermark=0.5)
    assert e.value.field == "write_low_watermark"
    with pytest.raises(ConfigError) as e:
        _one_channel(refresh="per_bank", tRFCpb_ns=0.0)
    assert e.value.field == "tRFCpb_ns"
    with pytest.raises(ConfigError) as e:
        _one_channel(sids=3)
    assert e.value.field == "sids"
    with pytest.raises(ConfigError) as e:
        _one_channel(command_bus="rank")
    assert e.value.field == "command_bus"
    with pytest.raises(ConfigError) as e:
        _one_channel(kind="lpddr5x")  # no pseudo-channels sharing a command bus modelled
    assert e.value.field == "command_bus"


def test_no_bandwidth_above_the_pins_through_the_package():
    # a one-channel machine copying through its L2: reads + writes never above the pins' peak (within the
    # core's rounding of the burst time to a whole picosecond: 0.5 ps of ~1.5 ns)
    arch = accelsim.presets.load("h100-sxm")
    one = arch.replace(dram=arch.dram.replace(stacks=1, channels_per_stack=1))
    k = accelsim.Elementwise(n_elements=8 << 20, dtype="bf16", reads=1, writes=1, flops_per_element=0)
    for fid in ("fast", "detailed"):
        r = accelsim.simulate(one, k, fidelity=fid).kernels[0]
        body_s = r.time_s - r.launch_s
        assert (r.dram_read_bytes + r.dram_write_bytes) / body_s <= one.dram.peak_bandwidth_bytes_per_s * (1 + 5e-4)

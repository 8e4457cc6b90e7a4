"""sweep(): grid and sampled axes, order and determinism, infeasible/invalid rows, checkpoint resume,
Pareto front and best-N, cost arithmetic."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")

import accelsim  # noqa: E402
from accelsim import cost as acost  # noqa: E402
from accelsim.errors import ConfigError  # noqa: E402
from accelsim.explore.executors import Executor, SerialExecutor, TaskFailed  # noqa: E402
from accelsim.explore.sweep import (  # noqa: E402
    Choice, DecodeWorkload, Uniform, best_n, design_points, pareto_front, read_checkpoint, sweep,
)

GEMV = accelsim.Gemv(m=1, n=2048, k=2048, dtype="bf16", name="gemv2k")
DEC = DecodeWorkload("llama-3-8b", batch=4, context=1024)
AXES = {"dram.stacks": [4, 5], "dram.data_rate_gbps": [5.2, 6.4, 8.0]}


def test_grid_size_order_and_columns() -> None:
    df = sweep("h100-sxm", AXES, [GEMV, DEC], fidelity="roofline", executor="serial", progress=False)
    assert len(df) == 2 * 3 * 2
    assert list(df["point"]) == [p for p in range(6) for _ in range(2)]
    assert list(df["workload"][:2]) == ["gemv2k", DEC.name]
    # last axis fastest
    assert list(df["dram.stacks"][::2]) == [4, 4, 4, 5, 5, 5]
    assert list(df["dram.data_rate_gbps"][::2]) == [5.2, 6.4, 8.0] * 2
    assert (df["status"] == "ok").all()
    for c in ("time_s", "tokens_per_s", "usd_per_mtoken", "gco2e_per_mtoken", "peak_dram_bandwidth_bytes_per_s"):
        assert c in df.columns
    dec = df[df.workload == DEC.name]
    # more bandwidth -> faster decode (roofline, bandwidth bound)
    assert dec.sort_values("peak_dram_bandwidth_bytes_per_s")["time_s"].is_monotonic_decreasing
    assert df[df.workload == "gemv2k"]["usd_per_mtoken"].isna().all()  # cost only for decode


def test_same_sweep_same_frame_whatever_the_executor() -> None:
    a = sweep("h100-sxm", AXES, [GEMV, DEC], fidelity="roofline", executor="serial", progress=False)
    b = sweep("h100-sxm", AXES, [GEMV, DEC], fidelity="roofline", workers=2, progress=False)
    pd.testing.assert_frame_equal(a, b)
    c = sweep("h100-sxm", AXES, [GEMV, DEC], fidelity="roofline", executor="threads", workers=2, progress=False)
    pd.testing.assert_frame_equal(a, c)


def test_invalid_and_infeasible_points_are_rows_with_reasons() -> None:
    axes = {"dram.row_bytes": [1000, 1024], "dram.stacks": [1, 5]}
    big = DecodeWorkload("llama-3-70b", batch=1, context=1024)
    df = sweep("h100-sxm", axes, {"70b": big}, fidelity="roofline", executor="serial", progress=False)
    assert list(df["status"]) == ["invalid", "invalid", "infeasible", "infeasible"]
    assert "dram.row_bytes" in df["reason"][0] and "multiple of burst_bytes" in df["reason"][0]
    assert "exceed memory capacity" in df["reason"][2]
    assert math.isnan(df["time_s"][2]) and df["weight_bytes"][2] > 0


def test_unknown_axis_is_a_config_error_with_suggestion() -> None:
    with pytest.raises(ConfigError, match=r"axes\.dram\.stack.*did you mean 'stacks'"):
        sweep("h100-sxm", {"dram.stack": [4]}, [GEMV], progress=False)
    with pytest.raises(ConfigError, match=r"axes\.cost\.pue_x"):
        sweep("h100-sxm", {"cost.pue_x": [1.1]}, [GEMV], progress=False)
    with pytest.raises(ConfigError, match="samples"):
        sweep("h100-sxm", {"dram.stacks": Uniform(4, 6, integer=True)}, [GEMV], progress=False)


def test_sampled_axes_counts_determinism_and_lhs_strata() -> None:
    axes = {"dram.stacks": [4, 6], "compute.clock_ghz": Uniform(1.0, 2.0), "l2.capacity_bytes": Choice([2**24, 2**25])}
    p1 = design_points(axes, samples=10, method="lhs", seed=3)
    p2 = design_points(axes, samples=10, method="lhs", seed=3)
    p3 = design_points(axes, samples=10, method="lhs", seed=4)
    assert len(p1) == 20 and p1 == p2 and p1 != p3
    assert list(p1[0]) == list(axes)  # axis order kept
    clocks = sorted(p["compute.clock_ghz"] for p in p1[:10])
    for i, c in enumerate(clocks):  # one sample in each of 10 strata
        assert 1.0 + i / 10 <= c < 1.0 + (i + 1) / 10
    r = design_points({"x": {"int": [1, 3]}, "y": {"loguniform": [1, 100]}}, samples=200, method="random", seed=0)
    assert {p["x"] for p in r} == {1, 2, 3}
    assert all(1 <= p["y"] <= 100 for p in r)


def test_cost_axes_share_simulations() -> None:
    df = sweep("h200", {"cost.electricity_usd_per_kwh": [0.05, 0.10, 0.20]}, [DEC], fidelity="roofline",
               executor="serial", progress=False)
    assert df.attrs["simulations"] == 1
    assert df["time_s"].nunique() == 1
    assert df["usd_per_mtoken"].is_monotonic_increasing


class _Recorder(Executor):
    """Serial, but records what it was asked to run and can fail one point."""

    def __init__(self, fail_index: int | None = None) -> None:
        self.ran = 0
        self.fail_index = fail_index

    def imap_unordered(self, fn, items):
        for i, r in SerialExecutor().imap_unordered(fn, items):
            self.ran += 1
            yield i, (TaskFailed("worker died (exit code -9) on this point 2 times") if i == self.fail_index else r)


def test_failed_point_is_a_row() -> None:
    df = sweep("h100-sxm", AXES, [GEMV], fidelity="roofline", executor=_Recorder(fail_index=2), progress=False)
    assert df["status"].tolist().count("failed") == 1
    assert "worker died" in df[df.status == "failed"]["reason"].iloc[0]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_checkpoint_resume_skips_finished_points(tmp_path, suffix) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    ck = str(tmp_path / f"run{suffix}")
    full = sweep("h100-sxm", AXES, [GEMV, DEC], fidelity="roofline", executor="serial", progress=False)
    part = sweep("h100-sxm", {"dram.stacks": [4], "dram.data_rate_gbps": [5.2, 6.4, 8.0]}, [GEMV, DEC],
                 fidelity="roofline", executor="serial", progress=False, checkpoint=ck)
    assert len(read_checkpoint(ck)) == len(part)
    rec = _Recorder()
    resumed = sweep("h100-sxm", AXES, [GEMV, DEC], fidelity="roofline", executor=rec, progress=False, checkpoint=ck)
    assert rec.ran == len(full) - len(part)  # only the new half ran
    pd.testing.assert_frame_equal(resumed, full)
    assert len(read_checkpoint(ck)) == len(full)
    other = sweep("h100-sxm", {"dram.stacks": [3]}, [GEMV], fidelity="roofline", executor="serial", progress=False,
                  checkpoint=ck)  # another sweep sharing the file adds to it, drops nothing
    assert len(read_checkpoint(ck)) == len(full) + len(other)
    rec2 = _Recorder()
    again = sweep("h100-sxm", AXES, [GEMV, DEC], fidelity="roofline", executor=rec2, progress=False, checkpoint=ck)
    assert rec2.ran == 0
    pd.testing.assert_frame_equal(again, full)


def test_truncated_and_corrupt_checkpoints(tmp_path) -> None:
    ck = str(tmp_path / "run.csv")
    sweep("h100-sxm", AXES, [GEMV], fidelity="roofline", executor="serial", progress=False, checkpoint=ck)
    text = open(ck).read()
    open(ck, "w").write(text[:-7])  # killed mid-line
    with pytest.warns(RuntimeWarning, match="truncated"):
        recs = read_checkpoint(ck)
    assert len(recs) == 5
    rec = _Recorder()
    with pytest.warns(RuntimeWarning, match="truncated"):
        sweep("h100-sxm", AXES, [GEMV], fidelity="roofline", executor=rec, progress=False, checkpoint=ck)
    assert rec.ran == 1
    assert len(read_checkpoint(ck)) == 6  # rewritten whole
    open(ck, "w").write("garbage,header\n1,2\n")
    with pytest.raises(ConfigError, match="not an accelsim checkpoint or is corrupt"):
        sweep("h100-sxm", AXES, [GEMV], fidelity="roofline", executor="serial", progress=False, checkpoint=ck)
    pq = str(tmp_path / "run.parquet")
    open(pq, "wb").write(b"PAR1 not really")
    if pytest.importorskip("pyarrow"):
        with pytest.raises(ConfigError, match="corrupt or truncated"):
            read_checkpoint(pq)


def test_bases_list_and_best_n() -> None:
    df = sweep(["h100-sxm", "h200"], {}, [DEC], fidelity="roofline", executor="serial", progress=False)
    assert list(df["base"]) == ["h100-sxm", "h200"]
    top = best_n(df, 1, "tokens_per_s")
    assert top["base"].iloc[0] == "h200"
    cheap = best_n(df, 2, "usd_per_mtoken")
    assert cheap["usd_per_mtoken"].is_monotonic_increasing


def _dominates(a, b) -> bool:
    return all(x >= y for x, y in zip(a, b)) and any(x > y for x, y in zip(a, b))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 3)), min_size=0, max_size=25),
       st.integers(1, 3))
def test_pareto_front_matches_brute_force(pts, dims) -> None:
    cols = ["a", "b", "c"][:dims]
    df = pd.DataFrame([dict(zip(cols, p[:dims]), status="ok") for p in pts], columns=cols + ["status"])
    front = pareto_front(df, maximize=cols, minimize=())
    vals = [tuple(p[:dims]) for p in pts]
    expect = [i for i, v in enumerate(vals) if not any(_dominates(w, v) for w in vals)]
    assert list(front.index) == expect


def test_pareto_front_mixed_directions_and_non_ok_rows() -> None:
    df = pd.DataFrame(dict(tokens_per_s=[10, 20, 30, 25, 99], usd_per_mtoken=[1.0, 1.0, 3.0, 4.0, 0.1],
                           status=["ok", "ok", "ok", "ok", "failed"]))
    assert list(pareto_front(df).index) == [1, 2]


def test_cost_arithmetic_oracle() -> None:
    spec = acost.CostSpec(price_usd=10_000.0, lifetime_years=4.0, utilization=0.5, tdp_w=500.0,
                          power_fraction_of_tdp=0.8, electricity_usd_per_kwh=0.10, pue=1.5, grid_gco2e_per_kwh=400.0,
                          embodied_kgco2e=200.0, host_power_w_per_chip=0.0)
    hours = 4 * 365.25 * 24
    c = acost.decode_cost(spec, 1000.0)  # no machine: the given price, TDP power, no idle floor, no host
    p = 500 * 0.8
    assert c.power_w == p and c.power_source == "tdp"
    kw = 0.5 * p * 1.5 / 1000  # busy half the time, idle (0 W) the rest, times PUE
    tokens_per_hour = 1000 * 3600 * 0.5
    assert c.usd_per_hour == pytest.approx(10_000 / hours + kw * 0.10, rel=1e-12)
    assert c.usd_per_mtoken == pytest.approx(1e6 * c.usd_per_hour / tokens_per_hour, rel=1e-12)
    assert c.gco2e_per_mtoken == pytest.approx(1e6 * (200_000 / hours + kw * 400) / tokens_per_hour, rel=1e-12)
    assert c.tokens_per_s_per_w == pytest.approx(1000 / p) and c.joules_per_token == pytest.approx(p / 1000)
    # the energy model's power wins when present; a machine is priced from its parts
    arch = accelsim.presets.load("h100-sxm")
    c2 = acost.decode_cost(acost.CostSpec(), 1000.0, arch=arch, energy_j=3.0, time_s=0.01)
    assert c2.power_w == pytest.approx(300.0) and c2.power_source == "energy_model"
    assert c2.capex_usd == pytest.approx(acost.capex(arch).total_usd)
    assert math.isnan(acost.decode_cost(spec, 0.0).usd_per_mtoken)
    with pytest.raises(ConfigError, match="pue"):
        spec.replace(pue=0.5)
    with pytest.raises(ConfigError, match="did you mean 'h200'"):
        acost.capex("h20")


@pytest.mark.parametrize("method", ["lhs-optimized", "sobol", "halton"])
def test_qmc_sampling_methods(method) -> None:
    pytest.importorskip("scipy")
    axes = {"compute.clock_ghz": Uniform(1.0, 2.0), "dram.data_rate_gbps": Uniform(4.8, 9.6)}
    p1 = design_points(axes, samples=16, method=method, seed=3)
    assert p1 == design_points(axes, samples=16, method=method, seed=3)  # seeded
    assert p1 != design_points(axes, samples=16, method=method, seed=4)
    clocks = sorted(p["compute.clock_ghz"] for p in p1)
    assert all(1.0 <= c <= 2.0 for c in clocks)
    # space-filling: every eighth of the range holds a sample (16 random draws miss one ~1 time in 3)
    assert {int((c - 1.0) * 8) for c in clocks} == set(range(8))


def test_unknown_sampling_method_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="method: must be one of .*sobol"):
        design_points({"compute.clock_ghz": Uniform(1.0, 2.0)}, samples=4, method="grid")

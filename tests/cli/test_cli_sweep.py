"""CLI for sweeps: simulate --model, sweep (spec validation, resume), plot, trace; bad input exits 2."""

from __future__ import annotations

import json
import os

import pytest

pd = pytest.importorskip("pandas")

from accelsim.cli import app as cli  # noqa: E402
from accelsim.errors import ConfigError  # noqa: E402
from accelsim.explore.sweepspec import load_spec, parse_spec  # noqa: E402

HERE = os.path.dirname(__file__)
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "sweep_hbm.yaml")

SPEC = """
base: h100-sxm
fidelity: roofline
axes:
  dram.stacks: [4, 6]
  compute.clock_ghz: {uniform: [1.5, 2.0]}
sampling: {samples: 3, method: lhs, seed: 2}
workloads:
  - decode: {model: llama-3-8b, batch: [1, 8], context: 2048}
  - gemv: {m: 1, n: 4096, k: 4096}
    name: g4k
executor: serial
"""


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_model_table_and_json(capsys) -> None:
    code, out, err = run(capsys, "simulate", "--arch", "h200", "--model", "llama-3-8b", "--batch", "4",
                         "--context", "2048", "--fidelity", "roofline")
    assert code == 0, err
    assert "tokens/s" in out and "per million tokens" in out and "gCO2e" in out
    code, out, _ = run(capsys, "simulate", "--arch", "h200", "--model", "llama-3-70b", "--batch", "16",
                       "--context", "32768", "--fidelity", "roofline", "--json")
    d = json.loads(out)
    assert code == 0 and d["feasible"] is False and "exceed memory capacity" in d["reason"] and d["cost"] is None
    code, out, _ = run(capsys, "simulate", "--arch", "h100-sxm", "--model", "llama-3-8b", "--fidelity", "roofline",
                       "--json")
    d = json.loads(out)
    # h100-sxm carries an energy model: the power is its energy / time (below the 700 W TDP), else the TDP
    assert d["cost"]["usd_per_mtoken"] > 0
    if d["cost"]["power_source"] == "energy_model":
        assert 0 < d["cost"]["power_w"] < 700.0
    else:
        assert d["cost"]["power_w"] == 700.0


def test_sweep_cli_writes_results_and_resumes(tmp_path, capsys) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    out = str(tmp_path / "r.csv")
    code, stdout, err = run(capsys, "sweep", str(spec), "-o", out, "--no-progress")
    assert code == 0, err
    df = pd.read_csv(out)
    assert len(df) == 2 * 3 * 3 and set(df["status"]) == {"ok"}
    assert "best 5 by tokens/s" in stdout and "Pareto" in stdout
    assert not os.path.exists(out + ".partial.csv")  # removed after success
    # an interrupted run leaves the checkpoint; the next run resumes from it
    ck = str(tmp_path / "ck.csv")
    code, _, _ = run(capsys, "sweep", str(spec), "-o", out, "--no-progress", "--checkpoint", ck)
    assert code == 0 and os.path.exists(ck)
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(tmp_path / "r2.csv"), "--no-progress", "--checkpoint", ck)
    assert code == 0 and "resuming" in err
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(tmp_path / "r2.csv"))


def test_plots_render(tmp_path, capsys) -> None:
    pytest.importorskip("matplotlib")
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    res = str(tmp_path / "r.json")
    assert run(capsys, "sweep", str(spec), "-o", res, "--no-progress")[0] == 0
    for argv in (["plot", res, "-o", str(tmp_path / "s.png"), "--color", "dram.stacks"],
                 ["plot", "--kind", "roofline", "--arch", "h200", "--fidelity", "roofline", "-o", str(tmp_path / "r.png")],
                 ["plot", "--kind", "breakdown", "--arch", "h200", "--fidelity", "roofline", "-o", str(tmp_path / "b.png")]):
        code, _, err = run(capsys, *argv)
        assert code == 0, err
        png = argv[argv.index("-o") + 1]
        assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) > 10_000


def test_trace(tmp_path, capsys) -> None:
    tr = str(tmp_path / "t.json")
    code, _, err = run(capsys, "trace", "--arch", "h100-sxm", "--model", "llama-3-8b", "--batch", "2",
                       "--fidelity", "roofline", "-o", tr)
    assert code == 0, err
    doc = json.load(open(tr))
    kernels = [e for e in doc["traceEvents"] if e["ph"] == "X" and e["name"] != "launch"]
    assert len(kernels) == 1 + 32 * 9 + 2  # embed, 32 layers x 9 kernels, lm_head, sampling
    ends = [e["ts"] + e["dur"] for e in kernels]
    assert ends[-1] == pytest.approx(doc["otherData"]["step_time_s"] * 1e6, rel=1e-9)
    assert all(b["ts"] >= a["ts"] + a["dur"] - 1e-9 for a, b in zip(kernels, kernels[1:]))  # no overlap


@pytest.mark.parametrize("text, field", [
    ("base: h100-sxm\nworkloads: [{decode: {model: llama-3-8b}}]\naxis: {}\n", "axis"),
    ("base: h100-sxm\nworkloads: [{decode: {model: llama-3-8b, bacth: 2}}]\n", "workloads[0].decode.bacth"),
    ("base: h100-sxm\nworkloads: [{gemv: {m: 1, n: 0, k: 4}}]\n", "workloads[0].gemv.n"),
    ("base: h100-sxm\nworkloads: [{gemm: {m: 1}}]\n", "workloads[0].gemm"),
    ("base: h100-sxmm\nworkloads: [{decode: {model: llama-3-8b}}]\n", "base"),
    ("base: h100-sxm\nworkloads: [{decode: {model: llama-3-8b}}]\naxes: {dram.stack: [1]}\n", "axes.dram.stack"),
    ("base: h100-sxm\nworkloads: [{decode: {model: llama-3-8b}}]\naxes: {dram.stacks: {uniform: [4, 6]}}\n", "sampling.samples"),
    ("base: h100-sxm\nworkloads: [{decode: {model: llama-3-8b}}]\ncost: {pue: 0.5}\n", "cost.pue"),
    ("base: h100-sxm\nworkloads: [{decode: {model: llama-3-8b}}]\nexecutor: rai\n", "executor"),
    ("base: h100-sxm\nworkloads: [{decode: {model: llama-3-8b}}]\nsampling: {sample: 3}\n", "sampling.sample"),
])
def test_spec_errors_name_the_field(tmp_path, capsys, text, field) -> None:
    import yaml

    with pytest.raises(ConfigError) as ei:
        parse_spec(yaml.safe_load(text))
    assert ei.value.field == field, str(ei.value)
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    code, out, err = run(capsys, "sweep", str(p), "-o", str(tmp_path / "x.csv"))
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err


def test_spec_suggestions_and_bad_files(tmp_path, capsys) -> None:
    with pytest.raises(ConfigError, match="did you mean 'workloads'"):
        parse_spec({"base": "h100-sxm", "workloads": [{"decode": {"model": "llama-3-8b"}}], "workload": 1})
    p = tmp_path / "bad.yaml"
    p.write_text("base: [unclosed\n")
    assert run(capsys, "sweep", str(p), "-o", str(tmp_path / "x.csv"))[0] == 2
    assert run(capsys, "sweep", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "x.csv"))[0] == 2
    good = tmp_path / "g.yaml"
    good.write_text(SPEC)
    code, _, err = run(capsys, "sweep", str(good), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "-o" in err
    code, _, err = run(capsys, "plot", str(tmp_path / "nope.parquet"), "-o", str(tmp_path / "p.png"))
    assert code == 2


def test_example_spec_is_valid() -> None:
    spec = load_spec(EXAMPLE)
    assert spec.samples == 8 and len(spec.workloads) == 3


def test_spec_yaml_json_round_trip(tmp_path) -> None:
    import yaml

    doc = yaml.safe_load(open(EXAMPLE))
    p = tmp_path / "spec.json"
    p.write_text(json.dumps(doc))
    a, b = load_spec(EXAMPLE), load_spec(str(p))
    assert a.kwargs() == b.kwargs() and a.executor == b.executor
    assert list(a.workloads) == ["llama-3-8b b1 s8192", "llama-3-8b b32 s8192", "llama-3-70b b8 s4096 wfp8 kvbf16"]


def test_spec_routing_skew_expands_and_reaches_the_step() -> None:
    """routing_zipf_s is a decode field of a spec (lists expand); a skewed MoE step reads fewer bytes."""
    import sys


    asweep = sys.modules["accelsim.explore.sweep"]  # accelsim.sweep is the function
    spec = parse_spec({"base": "h200", "workloads": [
        {"decode": {"model": "mixtral-8x7b", "batch": 4, "context": 1024, "routing_zipf_s": [0.0, 1.2]}}]})
    ws = list(spec.workloads.values())
    assert sorted(w.routing_zipf_s for w in ws) == [0.0, 1.2]
    assert any("zipf1.2" in w.name for w in ws)
    df = asweep.sweep("h200", {}, spec.workloads, progress=False, executor="serial")
    rows = {r.workload: r for r in df.itertuples()}
    uni = next(r for n, r in rows.items() if "zipf" not in n)
    skw = next(r for n, r in rows.items() if "zipf" in n)
    assert uni.status == skw.status == "ok"
    assert skw.dram_read_bytes < uni.dram_read_bytes
    with pytest.raises(ConfigError, match="routing_zipf_s"):
        parse_spec({"base": "h200", "workloads": [{"decode": {"model": "mixtral-8x7b", "routing_zipf_s": -1}}]})


def test_sweep_cli_exits_1_when_every_simulation_failed(tmp_path, capsys, monkeypatch) -> None:
    from accelsim.errors import SweepFailedError
    from accelsim.explore import sweep as sweep_mod

    frame = pd.DataFrame(dict(point=[0, 1], workload=["g", "g"], status=["failed", "failed"],
                              reason=["worker died", "worker died"], tokens_per_s=[float("nan")] * 2))

    def all_failed(**kw):
        raise SweepFailedError("sweep: all 2 simulations failed (and none succeeded); the first: worker died", frame)

    monkeypatch.setattr(sweep_mod, "sweep", all_failed)
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "r.csv"
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(out), "--no-progress")
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("error: sweep: all 2 simulations failed")
    assert len(pd.read_csv(out)) == 2

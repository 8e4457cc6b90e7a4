"""Every command takes the same machine, model and run options (accelsim.cli.options): machine files,
systems with --tp/--pp/--ep, Hugging Face configs, dtype aliases; decode and simulate --model print the
same; an unknown flag gets the command's usage with a suggestion; output paths are checked first."""

from __future__ import annotations

import json
import os

import pytest

import accelsim
from accelsim.cli import app as cli

HF = os.path.join(os.path.dirname(__file__), "..", "data", "hf_configs")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def machine_file(tmp_path):
    arch = accelsim.presets.load("h200").with_field("dram.data_rate_gbps", 8.0)
    path = tmp_path / "fast-h200.yaml"
    accelsim.io.dump(arch, str(path))
    return str(path)


@pytest.mark.parametrize("cmd", [["decode"], ["simulate"], ["plot", "--kind", "breakdown", "-o", "{tmp}/b.png"],
                                 ["trace", "-o", "{tmp}/t.json"], ["compare"]])
def test_every_command_takes_a_machine_file_and_an_hf_config(capsys, tmp_path, machine_file, cmd) -> None:
    cmd = [c.format(tmp=tmp_path) for c in cmd]
    argv = cmd + ["--arch", machine_file, "--model", os.path.join(HF, "qwen2-7b.json"), "--batch", "2",
                  "--context", "512", "--fidelity", "roofline", "--weight-dtype", "bfloat16",
                  "--routing-zipf-s", "0.5"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    if cmd[0] in ("decode", "simulate", "compare"):
        assert "qwen2-7b" in out
    if cmd[0] == "compare":
        assert machine_file in out  # columns named as the machines were given


def test_validate_takes_a_machine_file(capsys, machine_file) -> None:
    code, out, err = run(capsys, "validate", "--arch", machine_file, "--family", "copy", "--limit", "1")
    assert code == 0, err and "copy" in out


def test_decode_and_simulate_model_print_the_same_with_cost(capsys) -> None:
    argv = ["--arch", "h200", "--model", "llama-3-8b", "--batch", "4", "--context", "1024", "--fidelity", "roofline"]
    c1, out1, _ = run(capsys, "decode", *argv)
    c2, out2, _ = run(capsys, "simulate", *argv)
    assert c1 == c2 == 0 and out1 == out2
    assert "per million tokens" in out1 and "gCO2e" in out1
    _, j1, _ = run(capsys, "decode", *argv, "--json")
    _, j2, _ = run(capsys, "simulate", *argv, "--json")
    assert json.loads(j1) == json.loads(j2) and json.loads(j1)["cost"]["usd_per_mtoken"] > 0


def test_systems_and_parallelism(capsys) -> None:
    code, out, err = run(capsys, "decode", "--system", "dgx-h100-8", "--tp", "8", "--model", "llama-3-70b",
                         "--batch", "1", "--context", "1024", "--fidelity", "roofline", "--json")
    assert code == 0, err
    d = json.loads(out)
    ref = accelsim.parallel.parallel_decode_step(accelsim.systems.load("dgx-h100-8"), "llama-3-70b", 1, 1024,
                                                 plan=accelsim.parallel.ParallelPlan(tp=8), fidelity="roofline")
    assert d["time_s"] == ref.time_s
    code, out, err = run(capsys, "decode", "--system", "dgx-h100-8", "--tp", "4", "--pp", "2", "--model",
                         "llama-3-70b", "--fidelity", "roofline")
    assert code == 0, err and "tokens/s" in out
    code, _, err = run(capsys, "decode", "--tp", "2")
    assert code == 2 and err.startswith("error: --tp: needs --system")
    code, _, err = run(capsys, "decode", "--system", "dgx-h100-9")
    assert code == 2 and "did you mean 'dgx-h100-8'" in err


def test_compare_any_model_and_batches(capsys) -> None:
    code, out, err = run(capsys, "compare", "--arch", "h200,b200", "--model", "mixtral-8x7b", "--batch", "4",
                         "--fidelity", "roofline")
    assert code == 0, err
    assert "mixtral-8x7b" in out and "moe.experts_gate_up" in out and "b200/h200 speedup" in out
    code, _, err = run(capsys, "compare", "--batch", "1,x")
    assert code == 2 and "--batch" in err


@pytest.mark.parametrize("argv, suggestion", [
    (["decode", "--btach", "4"], "--batch"),
    (["compare", "--preset", "h200"], "--presets"),
    (["plot", "--kind", "roofline", "-o", "x.png", "--contxt", "8"], "--context"),
    (["sweep", "s.yaml", "-o", "r.csv", "--worker", "2"], "--workers"),
])
def test_unknown_flag_gets_the_commands_usage_and_a_suggestion(capsys, argv, suggestion) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert f"usage: accelsim {argv[0]}" in err
    assert f"did you mean '{suggestion}'" in err


def test_mistyped_command_is_suggested(capsys) -> None:
    code, _, err = run(capsys, "decod")
    assert code == 2 and "did you mean 'decode'" in err


@pytest.mark.parametrize("argv, message", [
    (["plot", "--kind", "roofline", "-o", "noext"], "-o: has no suffix; the file must end in .png, .svg, .pdf"),
    (["plot", "--kind", "roofline", "-o", "fig.jpg"], "-o: has the suffix '.jpg'"),
    (["plot", "--kind", "roofline", "-o", "{tmp}/missing/fig.png"], "does not exist"),
    (["trace", "-o", "{tmp}/missing/t.json"], "does not exist"),
    (["trace", "-o", "{tmp}/t.txt"], "must end in .json"),
    (["sweep", "{tmp}/s.yaml", "-o", "{tmp}/nope/r.csv"], "does not exist"),
    (["sweep", "{tmp}/s.yaml", "-o", "{tmp}/r.xlsx"], "must end in .parquet"),
    (["compare", "--plot", "{tmp}/nope/c.png"], "--plot: the folder"),
])
def test_output_paths_are_checked_before_any_work(capsys, tmp_path, argv, message) -> None:
    (tmp_path / "s.yaml").write_text("base: h100-sxm\naxes: {dram.stacks: [4]}\nworkloads: [{gemv: {m: 1, n: 64, k: 64}}]\n")
    argv = [a.format(tmp=tmp_path) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    assert not [p for p in os.listdir(tmp_path) if p not in ("s.yaml",)]


def test_detailed_runs_show_progress(capsys, tmp_path) -> None:
    tiny = dict(model_type="llama", hidden_size=256, intermediate_size=512, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, vocab_size=1024, max_position_embeddings=4096)
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(tiny))
    code, out, err = run(capsys, "decode", "--model", str(cfg), "--context", "256", "--fidelity", "detailed")
    assert code == 0 and "tiny" in out
    assert "tiny on h100-sxm (detailed)" in err  # the bar's label; tqdm clears the bar itself when done
    code, out, err2 = run(capsys, "decode", "--model", str(cfg), "--context", "256", "--fidelity", "detailed",
                          "--no-progress")
    assert code == 0 and "(detailed)" not in err2

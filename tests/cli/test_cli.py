"""The command line: every subcommand runs through accelsim.cli.main, bad input exits 2 without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import accelsim
from accelsim.cli import app as cli
from accelsim.report import validation


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for cmd in ("presets", "models", "compare", "simulate", "validate"):
        assert cmd in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and accelsim.__version__ in out
    code, out, _ = run(capsys)  # no command: help, success
    assert code == 0 and "usage" in out.lower()


def test_presets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "presets")
    assert code == 0 and not err
    for name in accelsim.presets.names():
        assert name in out
    assert "hbm3" in out and "hbm3e" in out
    assert "3.35" in out and "4.80" in out  # peak TB/s
    assert "80" in out  # H100 capacity, GiB


def test_presets_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "presets", "--json")
    assert code == 0
    data = json.loads(out)
    assert [d["name"] for d in data] == accelsim.presets.names()
    h100 = next(d for d in data if d["name"] == "h100-sxm")
    assert h100["units"] == 132 and h100["memory_capacity_bytes"] == 81090 * 2**20  # what the driver exposes


def test_models(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models")
    assert code == 0
    for name in ("llama-3-8b", "llama-3-70b", "llama-3-405b"):
        assert name in out
    assert "8.03" in out  # Llama-3-8B: 8.03 B parameters
    code, out, _ = run(capsys, "models", "--json")
    data = {d["name"]: d for d in json.loads(out)}
    assert data["llama-3-8b"]["params"] == accelsim.models.load("llama-3-8b").params()


def test_compare(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compare")
    assert code == 0, err
    for name in ("qkv_proj", "o_proj", "gate_up_proj", "down_proj", "lm_head", "attention", "h100-sxm", "h200",
                 "speedup"):
        assert name in out
    assert "m=16 n=28672 k=4096" in out and "S=8192" in out
    lines = [ln for ln in out.splitlines() if ln.startswith(("qkv", "lm_head", "attention"))]
    assert len(lines) == 6  # qkv, lm_head and attention at batch 1 and 16


def test_compare_json_consistent_with_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--json", "--presets", "h100-sxm,h200")
    assert code == 0
    data = json.loads(out)
    assert data["presets"] == ["h100-sxm", "h200"]
    assert len(data["kernels"]) == 12 and data["model"] == "llama-3-8b" and data["batches"] == [1, 16]
    kernels = cli.compare_kernels()
    r = accelsim.simulate(accelsim.presets.load("h200"), kernels)
    assert data["total_time_s"]["h200"] == r.time_s
    for row, k in zip(data["kernels"], r.kernels):
        assert row["presets"]["h200"]["time_s"] == k.time_s
        h100_t = row["presets"]["h100-sxm"]["time_s"]
        assert row["speedup_vs_first"]["h200"] == pytest.approx(h100_t / k.time_s)
        # H200 has more bandwidth and the same compute: never slower on these memory-bound kernels
        assert row["speedup_vs_first"]["h200"] >= 1.0


def test_compare_single_preset_and_fidelity(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--presets", "h200", "--fidelity", "roofline")
    assert code == 0 and "h200" in out and "speedup" not in out


def test_compare_plot(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    png = tmp_path / "cmp.png"
    code, _, err = run(capsys, "compare", "--fidelity", "roofline", "--plot", str(png))
    assert code == 0
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib" in err and not png.exists()
    else:
        assert png.exists() and png.stat().st_size > 1000


def test_simulate_gemv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "simulate", "--arch", "h100-sxm", "--gemv", "1,4096,4096")
    assert code == 0, err
    expected = accelsim.simulate(accelsim.presets.load("h100-sxm"),
                                 accelsim.Gemv(m=1, n=4096, k=4096, dtype="bf16", name="gemv 1x4096x4096"))
    assert expected.table() in out


def test_simulate_json_and_several_kernels(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", "--gemv", "16,2048,1024", "--dtype", "fp8", "--elementwise", "65536",
                       "--attention", "1,32,8,128,1024", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["arch"] == "h100-sxm" and data["fidelity"] == "fast"
    assert len(data["kernels"]) == 3
    assert data["time_s"] == pytest.approx(sum(k["time_s"] for k in data["kernels"]), rel=1e-12)
    assert data["kernels"][0]["flops"] == 2.0 * 16 * 2048 * 1024


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["simulate", "--arch", "h100", "--gemv", "1,64,64"], "h200"),  # names the choices
        (["compare", "--presets", "h100-sxm,nope"], "h100-sxm"),
        (["validate", "--arch", "tpu", "--limit", "1"], "h200"),
        (["simulate", "--gemv", "0,64,64"], "m"),
        (["simulate", "--gemv", "1,64"], "--gemv"),
        (["simulate", "--gemv", "1,x,64"], "--gemv"),
        (["simulate", "--gemv", "1,64,64", "--dtype", "fp7"], "dtype"),
        (["simulate", "--elementwise", "-5"], "n_elements"),
        (["simulate"], "--gemv"),
        (["validate", "--limit", "-1"], "limit"),
    ],
)
def test_bad_input_exits_2_with_message(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("error: ") and needle in err
    assert "Traceback" not in err + out


def test_bad_preset_names_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compare", "--presets", "a100")
    assert code == 2
    for name in accelsim.presets.names():
        assert name in err


@pytest.mark.parametrize("argv", [["frobnicate"], ["compare", "--fidelity", "bogus"], ["validate", "--family", "x"]])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and "usage" in err.lower() and "Traceback" not in err


def test_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", "--family", "gemv_bf16", "--limit", "3")
    assert code == 0, err
    assert "H100" in out and "median" in out and "p90" in out and "max" in out
    rows = validation.evaluate(accelsim.presets.load("h100-sxm"), "gemv_bf16", limit=3)
    for r in rows:
        assert r.label in out


def test_validate_all_families_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--limit", "2", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data["families"]) == set(validation.FAMILIES)
    for fam in data["families"].values():
        assert len(fam["cases"]) == 2
        assert set(fam["summary"]) >= {"median", "p90", "max"}
        for c in fam["cases"]:
            assert c["measured_us"] > 0 and c["predicted_us"] > 0
    assert data["overall"]["n"] == 2 * len(validation.FAMILIES)


def test_validation_module() -> None:
    gt = validation.load_groundtruth()
    assert gt["device"]["sm_count"] == 132
    n = {f: len(validation.cases(f)) for f in validation.FAMILIES}
    assert all(v > 0 for v in n.values())
    assert len(validation.cases("all")) == sum(n.values())
    assert n["attention"] == sum(1 for a in gt["attention"] if a["backend"] == "default")
    copy = validation.cases("copy")[0]
    assert copy.kernel.reads == 1 and copy.kernel.writes == 1 and copy.kernel.flops_per_element == 0
    fp8 = validation.cases("gemv_fp8")[0]
    assert fp8.kernel.dtype == "fp8"
    s = validation.summary([validation.Row("a", 1.0, 1.1, 0.1), validation.Row("b", 1.0, 0.8, -0.2),
                            validation.Row("c", 1.0, 1.0, 0.0)])
    assert s["median"] == pytest.approx(0.1) and s["max"] == pytest.approx(0.2) and s["p90"] == pytest.approx(0.2)
    with pytest.raises(accelsim.ConfigError, match="family"):
        validation.cases("gemm")


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "accelsim", "presets"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and "h100-sxm" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "accelsim", "simulate", "--arch", "nope", "--gemv", "1,64,64"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_serve_command_table_json_and_plot(tmp_path, capsys):
    from accelsim.cli import main

    png = tmp_path / "curve.png"
    assert main(["serve", "--arch", "h100-sxm", "--model", "llama-3-8b", "--input-len", "256", "--output-len", "32",
                 "--rate", "2,20", "--num-requests", "24", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "TTFT p50" in out and "20 req/s" in out and png.stat().st_size > 1000
    assert main(["serve", "--system", "dgx-h100-8", "--tp", "2", "--model", "llama-3-8b", "--input-len", "128",
                 "--output-len", "16", "--batch", "8", "--json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert rows[0]["chips"] == 2 and rows[0]["throughput_tokens_per_s"] > 0
    assert main(["serve", "--arch", "h100-sxm", "--tp", "2"]) == 2
    assert main(["serve", "--arch", "nope"]) == 2
    assert main(["serve", "--rate", "-1"]) == 2
    assert main(["serve", "--rate", "1", "--batch", "4"]) == 2  # one load at a time


def test_serve_takes_the_shared_options(tmp_path, capsys):
    """serve reads machines, models and parallelism as every command does: machine files, --ep and
    --routing-zipf-s, Hugging Face configs, weight formats."""
    from accelsim.cli import main

    f = tmp_path / "m.yaml"
    f.write_text("base: h100-sxm\nname: h100-fast\ndram: {data_rate_gbps: 6.4}\n")
    assert main(["serve", "--arch", f"h100-sxm,{f}", "--model", "llama-3-8b", "--input-len", "128",
                 "--output-len", "8", "--batch", "4", "--weight-dtype", "FP8", "--json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert [r["chip_name"] for r in rows] == ["h100-sxm", "h100-fast"]
    assert rows[1]["duration_s"] < rows[0]["duration_s"]
    assert main(["serve", "--system", "dgx-h100-8", "--ep", "8", "--model", "mixtral-8x7b", "--input-len", "128",
                 "--output-len", "8", "--batch", "16", "--routing-zipf-s", "1.2", "--weight-dtype", "fp8"]) == 0
    assert "dgx-h100-8 tp1 ep8" in capsys.readouterr().out
    assert main(["serve", "--system", "dgx-h100-8", "--ep", "8", "--model", "llama-3-8b", "--batch", "4"]) == 2
    assert "plan.ep" in capsys.readouterr().err


def test_decode_on_a_system_with_tp_pp_ep(capsys):
    from accelsim.cli import main

    assert main(["decode", "--system", "dgx-h100-8", "--tp", "4", "--pp", "2", "--model", "llama-3-70b",
                 "--batch", "8", "--context", "1024", "--weight-dtype", "fp8"]) == 0
    out = capsys.readouterr().out
    assert "tp=4 pp=2" in out and "per chip" in out
    assert main(["decode", "--system", "dgx-h100-8", "--ep", "8", "--model", "mixtral-8x7b", "--batch", "16",
                 "--json"]) == 0
    assert __import__("json").loads(capsys.readouterr().out)["plan"]["ep"] == 8
    assert main(["decode", "--arch", "h100-sxm", "--tp", "2"]) == 2

"""CLI error paths: an empty -o, a missing or read-only folder, a full disk and an empty validation each end
in one 'error:' line and a non-zero status, never a traceback; a spec's checkpoint stays in the working
directory unless the command line says otherwise."""

from __future__ import annotations

import json
import os

import pytest

from accelsim.cli import app as cli

pd = pytest.importorskip("pandas")

SPEC = """
base: h100-sxm
fidelity: roofline
axes: {dram.stacks: [4, 5]}
workloads:
  - gemv: {m: 1, n: 256, k: 256}
executor: serial
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture()
def spec(tmp_path):
    p = tmp_path / "spec.yaml"
    p.write_text(SPEC)
    return p


def test_validate_limit_zero_json_is_valid_json(capsys) -> None:
    code, out, err = run(capsys, "validate", "--limit", "0", "--json", "--family", "copy")
    assert code == 0, err
    doc = json.loads(out)  # standard JSON: the empty summary's statistics are null, not NaN
    assert doc["overall"]["n"] == 0 and doc["overall"]["median"] is None


@pytest.mark.parametrize("argv", [
    ["trace", "-o", ""], ["plot", "--kind", "roofline", "-o", ""], ["compare", "--plot", ""],
    ["trace", "-o", "   "], ["serve", "--model", "llama-3-8b", "--plot", ""],
])
def test_empty_output_is_one_clear_line(capsys, argv: list[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    one_error_line(err)


def test_sweep_empty_output_and_checkpoint(capsys, spec, tmp_path) -> None:
    code, _, err = run(capsys, "sweep", str(spec), "-o", "", "--no-progress")
    assert code == 2 and "-o" in one_error_line(err)
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(tmp_path / "r.csv"), "--checkpoint", "", "--no-progress")
    assert code == 2 and "--checkpoint" in one_error_line(err)
    assert not (tmp_path / "r.csv").exists()


def test_output_in_a_missing_folder(capsys, spec, tmp_path) -> None:
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(tmp_path / "nope" / "r.csv"), "--no-progress")
    assert code == 2 and "does not exist" in one_error_line(err)
    code, _, err = run(capsys, "trace", "-o", str(tmp_path / "nope" / "t.json"))
    assert code == 2 and "does not exist" in one_error_line(err)


def test_output_that_is_a_folder(capsys, spec, tmp_path) -> None:
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(tmp_path), "--no-progress")
    assert code == 2 and "folder" in one_error_line(err)


def test_read_only_folder(capsys, spec, tmp_path, monkeypatch) -> None:
    """A folder the user may not write (simulated: the test may run as root, which writes anywhere)."""
    def refuse(self, path, *a, **k):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", refuse)
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(tmp_path / "r.csv"), "--no-progress",
                       "--checkpoint", str(tmp_path / "ck.csv"))
    line = one_error_line(err)
    assert code == 1 and "Permission denied" in line and "r.csv" in line


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_for_real(capsys, tmp_path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, _, err = run(capsys, "trace", "-o", str(ro / "t.json"))
        assert code == 1 and "Permission denied" in one_error_line(err)
    finally:
        ro.chmod(0o755)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a device that is always full)")
def test_full_disk(capsys, spec, tmp_path) -> None:
    full = tmp_path / "full.json"
    full.symlink_to("/dev/full")
    code, _, err = run(capsys, "trace", "-o", str(full))
    line = one_error_line(err)
    assert code == 1 and "No space left on device" in line and "full.json" in line
    full_csv = tmp_path / "full.csv"
    full_csv.symlink_to("/dev/full")
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(full_csv), "--no-progress",
                       "--checkpoint", str(tmp_path / "ck.csv"))
    assert code == 1 and "No space left on device" in one_error_line(err)


@pytest.mark.parametrize("where", ["../escape.csv", "/tmp/accelsim-escape.csv", "sub/../../escape.csv"])
def test_spec_checkpoint_stays_in_the_working_directory(capsys, tmp_path, monkeypatch, where: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    spec = work / "spec.yaml"
    spec.write_text(SPEC + f"checkpoint: {where}\n")
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(work / "r.csv"), "--no-progress")
    assert code == 2 and "working directory" in one_error_line(err)
    assert not (tmp_path / "escape.csv").exists()


def test_spec_checkpoint_escaping_by_a_symlink(capsys, tmp_path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "out").symlink_to(tmp_path)
    monkeypatch.chdir(work)
    spec = work / "spec.yaml"
    spec.write_text(SPEC + "checkpoint: out/ck.csv\n")
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(work / "r.csv"), "--no-progress")
    assert code == 2 and "working directory" in one_error_line(err)


def test_checkpoint_elsewhere_when_the_command_line_says_so(capsys, tmp_path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    spec = work / "spec.yaml"
    spec.write_text(SPEC + "checkpoint: inside.csv\n")
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(work / "r.csv"), "--no-progress",
                       "--checkpoint", str(tmp_path / "elsewhere.csv"))
    assert code == 0, err
    assert (tmp_path / "elsewhere.csv").exists() and not (work / "inside.csv").exists()
    code, _, err = run(capsys, "sweep", str(spec), "-o", str(work / "r2.csv"), "--no-progress")
    assert code == 0, err
    assert (work / "inside.csv").exists()

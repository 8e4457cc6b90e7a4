"""Machines written as ``base: <preset>`` plus nested overrides (YAML, JSON, Python), and --arch FILE."""

from __future__ import annotations

import json

import pytest

import accelsim
from accelsim import io
from accelsim.cli import main
from accelsim.errors import ConfigError

DOC = """\
base: h100-sxm
name: h100-faster-hbm
dram: {data_rate_gbps: 6.4}
"""


def test_base_plus_overrides_changes_only_those_fields(tmp_path) -> None:
    path = tmp_path / "my.yaml"
    path.write_text(DOC)
    a = accelsim.presets.load_file(path)
    h = accelsim.presets.load("h100-sxm")
    assert a.name == "h100-faster-hbm" and a.dram.data_rate_gbps == 6.4
    assert a == h.with_field("dram.data_rate_gbps", 6.4).replace(name="h100-faster-hbm")
    assert accelsim.presets.load_file(str(path)) == a  # a str path too


def test_json_python_and_yaml_agree(tmp_path) -> None:
    doc = {"base": "h100-sxm", "name": "x", "dram": {"data_rate_gbps": 6.4}, "l2": {"capacity_bytes": 1 << 20}}
    p = tmp_path / "m.json"
    p.write_text(json.dumps(doc))
    a, b = accelsim.presets.load_file(p), accelsim.presets.load_file(doc)
    assert a == b and a.l2.capacity_bytes == 1 << 20 and a.l2.latency_ns == accelsim.presets.load("h100-sxm").l2.latency_ns


def test_a_whole_machine_document_loads_too(tmp_path) -> None:
    h = accelsim.presets.load("h200")
    p = tmp_path / "h200.yaml"
    io.dump(h, p)
    assert accelsim.presets.load_file(p) == h


def test_base_may_be_another_file_relative_to_this_one(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(DOC)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.yaml").write_text("base: ../a.yaml\ncompute: {units: 66}\n")
    b = accelsim.presets.load_file(sub / "b.yaml")
    assert b.compute.units == 66 and b.dram.data_rate_gbps == 6.4 and b.name == "h100-faster-hbm (b.yaml)"
    (tmp_path / "c.yaml").write_text("base: d.yaml\n")
    (tmp_path / "d.yaml").write_text("base: c.yaml\n")
    with pytest.raises(ConfigError, match="cycle") as ei:
        accelsim.presets.load_file(tmp_path / "c.yaml")
    assert ei.value.field == "base"


def test_an_unnamed_derived_machine_does_not_take_its_base_name() -> None:
    a = accelsim.presets.load_file({"base": "h100-sxm", "dram": {"stacks": 4}})
    assert a.name != "h100-sxm" and a.name.startswith("h100-sxm")
    assert accelsim.presets.load_file({"base": "h100-sxm"}) == accelsim.presets.load("h100-sxm")


@pytest.mark.parametrize("doc, field", [
    ({"base": "h100-sxm", "dram": {"data_rate_gbps": -1}}, "dram.data_rate_gbps"),
    ({"base": "h100-sxm", "dram": {"stackz": 4}}, "dram.stackz"),
    ({"base": "h100", "name": "x"}, "base"),
    ({"base": "h100-sxm", "schema_version": 99}, "schema_version"),
    ({"base": 3}, "base"),
    ({"base": "h100-sxm", "l2": {"capacity_bytes": 0}}, "l2.capacity_bytes"),
])
def test_errors_name_the_field(doc, field) -> None:
    with pytest.raises(ConfigError) as ei:
        accelsim.presets.load_file(doc)
    assert ei.value.field == field


def test_none_removes_an_optional_part() -> None:
    a = accelsim.presets.load_file({"base": "h100-sxm", "name": "no-l2", "l2": None, "energy": None})
    assert a.l2 is None and a.energy is None


def test_resolve_takes_every_spelling(tmp_path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text(DOC)
    h = accelsim.presets.load("h100-sxm")
    assert accelsim.presets.resolve(h) is h
    assert accelsim.presets.resolve("h100-sxm") == h
    assert accelsim.presets.resolve(p) == accelsim.presets.resolve(str(p)) == accelsim.presets.load_file(p)
    with pytest.raises(ConfigError, match="no such machine file"):
        accelsim.presets.resolve(str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match="choose one of"):
        accelsim.presets.resolve("nope")


@pytest.mark.parametrize("argv", [
    ["simulate", "--gemv", "1,4096,4096", "--json"],
    ["decode", "--model", "llama-3-8b", "--json"],
    ["simulate", "--model", "llama-3-8b", "--json"],
    ["validate", "--family", "copy", "--limit", "1", "--json"],
])
def test_every_arch_command_takes_a_machine_file(tmp_path, capsys, argv) -> None:
    p = tmp_path / "fast.yaml"
    p.write_text(DOC)
    assert main(argv + ["--arch", str(p)]) == 0
    out = json.loads(capsys.readouterr().out)
    text = json.dumps(out)
    assert "h100-faster-hbm" in text


def test_compare_takes_machine_files(tmp_path, capsys) -> None:
    p = tmp_path / "fast.yaml"
    p.write_text(DOC)
    assert main(["compare", "--presets", f"h100-sxm,{p}", "--fidelity", "roofline", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_speedup_vs_first"][str(p)] > 1.1  # 6.4 vs 5.238 Gb/s pins


def test_a_bad_arch_names_the_option(tmp_path, capsys) -> None:
    assert main(["decode", "--arch", "nope", "--model", "llama-3-8b"]) == 2
    err = capsys.readouterr().err
    assert "--arch" in err and "h100-sxm" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: h100-sxm\ndram: {data_rate_gbps: 0}\n")
    assert main(["decode", "--arch", str(bad)]) == 2
    assert "dram.data_rate_gbps" in capsys.readouterr().err

"""YAML / JSON documents: exact round trips, schema_version, and every failure a ConfigError."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from strategies import valid_architectures

from accelsim import io, presets
from accelsim.spec.machine import Architecture
from accelsim.errors import ConfigError


@pytest.fixture
def h100() -> Architecture:
    return presets.load("h100-sxm")


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _assert_identical(a: Architecture, b: Architecture) -> None:
    """Equal, and every float bit-identical (== would let 0.0 and -0.0 pass)."""
    assert a == b
    assert type(b) is Architecture
    da, db = a.to_dict(), b.to_dict()

    def walk(x: object, y: object) -> None:
        assert type(x) is type(y), (x, y)
        if isinstance(x, dict):
            assert list(x) == list(y)  # type: ignore[arg-type]
            for k in x:
                walk(x[k], y[k])  # type: ignore[index]
        elif isinstance(x, list):
            for u, v in zip(x, y):  # type: ignore[call-overload]
                walk(u, v)
        elif isinstance(x, float):
            assert _bits(x) == _bits(y)  # type: ignore[arg-type]
        else:
            assert x == y

    walk(da, db)


# ---------------------------------------------------------------------------------------------- round trips


@given(valid_architectures())
def test_yaml_round_trip_exact(arch: Architecture) -> None:
    _assert_identical(arch, io.from_yaml(io.to_yaml(arch)))


@given(valid_architectures())
def test_json_round_trip_exact(arch: Architecture) -> None:
    _assert_identical(arch, io.from_json(io.to_json(arch)))


@given(valid_architectures(text=False), st.floats(min_value=1e-300, max_value=1e300, allow_subnormal=False))
def test_extreme_floats_round_trip(arch: Architecture, x: float) -> None:
    """Floats of every magnitude (1e-300 .. 1e300 exponents, printed as 1e-05, 1e+16, ...)."""
    a = arch.with_field("dram.access_latency_ns", min(x, 1e9))
    if x * a.compute.clock_ghz * 1e9 * a.compute.sustained_fraction("fp4") >= 1.0:  # a rate of >= 1 FLOP/s
        a = a.with_field("compute.matrix_flops_per_cycle_per_unit.fp4", min(x, 1e15))
    _assert_identical(a, io.from_yaml(io.to_yaml(a)))
    _assert_identical(a, io.from_json(io.to_json(a)))


@pytest.mark.parametrize("name", presets.names())
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_file_round_trip(tmp_path: Path, name: str, fmt: str) -> None:
    arch = presets.load(name)
    path = tmp_path / f"{name}.{fmt}"
    text = io.dump(arch, path)
    assert path.read_text(encoding="utf-8") == text
    _assert_identical(arch, io.load(path))
    _assert_identical(arch, io.load(str(path)))
    _assert_identical(arch, io.load(text))  # text, detected as such


def test_dump_formats(h100: Architecture, tmp_path: Path) -> None:
    y = io.dump(h100)
    assert y == io.to_yaml(h100) and y.startswith("schema_version: 2\n")
    j = io.dump(h100, None, fmt="json")
    assert json.loads(j)["schema_version"] == 2 and list(json.loads(j))[0] == "schema_version"
    assert io.dump(h100, tmp_path / "a.json") == j  # format from the suffix
    assert io.dump(h100, tmp_path / "a.yml") == y
    assert io.dump(h100, tmp_path / "b.txt", fmt="json") == j
    with pytest.raises(ConfigError) as info:
        io.dump(h100, None, fmt="toml")
    assert info.value.field == "fmt"
    with pytest.raises(TypeError):
        io.dump(h100.dram, None)  # type: ignore[arg-type]


def test_yaml_keeps_field_order(h100: Architecture) -> None:
    doc = yaml.safe_load(io.to_yaml(h100))
    assert list(doc) == ["schema_version", *h100.to_dict()]
    assert list(doc["dram"]) == list(h100.dram.to_dict())


def test_plain_safe_load_reads_our_yaml(h100: Architecture) -> None:
    """Documents are ordinary YAML that any safe loader reads to the same values."""
    doc = yaml.safe_load(io.to_yaml(h100))
    doc.pop("schema_version")
    assert Architecture.from_dict(doc) == h100


def test_string_that_looks_like_a_number_stays_a_string(h100: Architecture) -> None:
    for s in ("1e9", "3", "0.5", "true", "null", "~", "2024-01-01", "1e-3", ".inf"):
        a = h100.replace(name=s, description=s, citations=(s,))
        _assert_identical(a, io.from_yaml(io.to_yaml(a)))


# ---------------------------------------------------------------------------------------------- lenient input


def test_exponent_floats_without_dot(h100: Architecture) -> None:
    text = io.to_yaml(h100).replace("tREFI_ns: 3900.0", "tREFI_ns: 3.9e3").replace("tRFC_ns: 350.0", "tRFC_ns: 35e1")
    a = io.from_yaml(text)
    assert a.dram.tREFI_ns == 3900.0 and a.dram.tRFC_ns == 350.0


def test_int_for_float_in_file(h100: Architecture) -> None:
    text = io.to_yaml(h100).replace("tFAW_ns: 15.0", "tFAW_ns: 15")
    a = io.from_yaml(text)
    assert a == h100 and type(a.dram.tFAW_ns) is float


# ---------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text",
    [
        "schema_version: 1\nname: [unclosed\n",
        "a: b: c\n",
        "\tschema_version: 1\n",
        "key: 'unterminated\n",
        "!!python/object:os.system {}\n",
        "? [1, 2]\n: 3\n",  # unhashable key
        "a: *nope\n",
    ],
)
def test_malformed_yaml_is_config_error(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        io.from_yaml(text)
    assert info.value.field == "<file>"
    assert not isinstance(info.value.__cause__, yaml.YAMLError)


@pytest.mark.parametrize("text", ['{"schema_version": 1,', "{'a': 1}", '{"a": 1} x', "[1, 2", ""])
def test_malformed_json_is_config_error(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        io.from_json(text)
    assert info.value.field == "<file>"


@given(st.text(max_size=200))
def test_any_yaml_text_fails_only_with_config_error(text: str) -> None:
    with pytest.raises(ConfigError):
        io.from_yaml(text)


@given(st.text(max_size=200))
def test_any_json_text_fails_only_with_config_error(text: str) -> None:
    with pytest.raises(ConfigError):
        io.from_json(text)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=10))
def test_any_json_value_fails_only_with_config_error(value: object) -> None:
    with pytest.raises(ConfigError):
        io.from_json(json.dumps(value))


def test_duplicate_keys_rejected(h100: Architecture) -> None:
    y = io.to_yaml(h100).replace("  stacks: 5\n", "  stacks: 5\n  stacks: 6\n")
    with pytest.raises(ConfigError, match="duplicate key 'stacks'"):
        io.from_yaml(y)
    j = io.to_json(h100).replace('"stacks": 5,', '"stacks": 5, "stacks": 6,')
    with pytest.raises(ConfigError, match="duplicate key 'stacks'"):
        io.from_json(j)


def test_top_level_must_be_mapping() -> None:
    for text in ("- 1\n- 2\n", "42\n", "just a string\n"):
        with pytest.raises(ConfigError) as info:
            io.from_yaml(text)
        assert info.value.field == "<file>"


def test_schema_version_required_and_checked(h100: Architecture) -> None:
    doc = io.to_document(h100)
    del doc["schema_version"]
    with pytest.raises(ConfigError) as info:
        io.from_json(json.dumps(doc))
    assert info.value.field == "schema_version"
    for bad in (3, 0, "1", True, None, 1.5):
        with pytest.raises(ConfigError) as info:
            io.from_json(json.dumps({**doc, "schema_version": bad}))
        assert info.value.field == "schema_version"
    assert io.from_document({**doc, "schema_version": 2}) == h100


def test_errors_in_file_name_the_path(h100: Architecture, tmp_path: Path) -> None:
    text = io.to_yaml(h100).replace("  stacks: 5\n", "  stack: 5\n")
    p = tmp_path / "arch.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        io.load(p)
    assert info.value.field == "dram.stack"
    assert "did you mean 'stacks'?" in str(info.value)
    if hasattr(info.value, "__notes__"):
        assert any(str(p) in n for n in info.value.__notes__)


def test_bad_values_in_file_name_the_path(h100: Architecture) -> None:
    cases = {
        "tRCD_ns: 19.4": ("tRCD_ns: .nan", "dram.tRCD_ns"),
        "units: 132": ("units: yes", "compute.units"),
        "  stacks: 5": ("  stacks: '5'", "dram.stacks"),
        "bf16: 4096.0": ("bf16: -.inf", "compute.matrix_flops_per_cycle_per_unit.bf16"),
    }
    base = io.to_yaml(h100)
    for old, (new, field) in cases.items():
        assert old in base
        with pytest.raises(ConfigError) as info:
            io.from_yaml(base.replace(old, new))
        assert info.value.field == field


def test_json_nan_rejected(h100: Architecture) -> None:
    doc = io.to_document(h100)
    doc["dram"]["tCL_ns"] = math.nan
    with pytest.raises(ConfigError) as info:
        io.from_json(json.dumps(doc))  # json.dumps writes NaN; the loader reads it; validation refuses
    assert info.value.field == "dram.tCL_ns"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "nope.yaml")
    with pytest.raises(FileNotFoundError):
        io.load(str(tmp_path / "nope.yaml"))

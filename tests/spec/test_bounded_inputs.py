"""Hostile inputs end in a short ConfigError, at once: YAML alias bombs, documents larger than any machine
file (/dev/zero), files that are not machine descriptions (their contents never echoed), values nested
thousands deep, huge values in error messages, sweep grids counted before they are expanded, DRAM timings
that would make a simulation run for hours."""

from __future__ import annotations

import os

import pytest

import accelsim
from accelsim import ConfigError, io, presets
from accelsim.errors import MAX_MESSAGE_CHARS
from accelsim.explore.sweepspec import load_spec, parse_spec_text
from accelsim.spec import system

SECRET = "root:x:0:0:a-line-that-must-not-leak:/root:/bin/bash"


def _bomb(width: int = 9, depth: int = 9) -> str:
    """The "billion laughs" document: 9 levels of 9 aliases each expand to 9**9 (~3.9e8) values in ~700 B."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


def _short(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert len(msg) <= MAX_MESSAGE_CHARS, len(msg)
    return msg


@pytest.mark.parametrize("entry", ["load_bytes", "from_yaml", "spec_text", "system"])
def test_yaml_alias_bomb_is_refused_without_expanding(entry: str) -> None:
    """A 2.7 KB alias bomb took 100 s and 2.7 GB and produced a 1.4 GB error message."""
    text = _bomb()
    call = {"load_bytes": lambda: io.load(text.encode()), "from_yaml": lambda: io.from_yaml(text),
            "spec_text": lambda: parse_spec_text(text), "system": lambda: system.from_yaml(text)}[entry]
    with pytest.raises(ConfigError) as e:
        call()
    assert "expands to more than" in _short(e)


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ConfigError) as e:
        io.load(b"a: &a [1, *a]\n")
    assert "contains it" in _short(e) or "expands" in str(e.value)


def test_a_few_aliases_are_fine(tmp_path) -> None:
    """A machine file that shares values through anchors still loads."""
    doc = io.to_yaml(presets.load("h100-sxm")).replace("clock_ghz: 1.98", "clock_ghz: &clk 1.98", 1)
    assert "&clk" in doc
    assert io.from_yaml(doc) == presets.load("h100-sxm")


@pytest.mark.parametrize("loader", [io.load, presets.load_file, load_spec])
def test_dev_zero_is_refused_after_a_bounded_read(loader) -> None:
    """/dev/zero as a machine file read until memory ran out."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    with pytest.raises(ConfigError) as e:
        loader("/dev/zero")
    assert "larger than" in _short(e)


def test_large_file_is_refused(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (io.MAX_DOCUMENT_BYTES // 10 + 1))
    with pytest.raises(ConfigError) as e:
        io.load(big)
    assert "larger than" in _short(e)


@pytest.mark.parametrize("body", [SECRET, SECRET + "\n" + SECRET + "\n", f"- {SECRET}\n", f"{{'{SECRET}': 1}}\n"])
@pytest.mark.parametrize("loader", [io.load, presets.load_file, load_spec])
def test_file_that_is_not_a_machine_is_not_echoed(tmp_path, body: str, loader) -> None:
    """io.load("/etc/passwd") printed its first line."""
    f = tmp_path / "passwd.yaml"
    f.write_text(body)
    with pytest.raises(ConfigError) as e:
        loader(str(f))
    assert "must-not-leak" not in _short(e)


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deep_nesting_is_a_config_error(depth: int) -> None:
    """Values nested 1,000 deep raised RecursionError (in the error message's repr)."""
    v: object = 1
    for _ in range(depth):
        v = [v]
    arch = presets.load("h100-sxm")
    for call in (lambda: arch.with_field("compute.units", v), lambda: accelsim.Gemv(m=v, n=64, k=64),
                 lambda: accelsim.DecodeAttention(batch=1, q_heads=8, kv_heads=v, head_dim=64, context=64)):
        with pytest.raises(ConfigError) as e:
            call()
        _short(e)
    text = "[" * depth + "1" + "]" * depth
    for call in (lambda: io.load(text.encode()), lambda: io.load(text.encode(), fmt="json"),
                 lambda: parse_spec_text(text), lambda: parse_spec_text(text, fmt="json")):
        with pytest.raises(ConfigError) as e:
            call()
        _short(e)


def test_huge_values_give_short_messages() -> None:
    arch = presets.load("h100-sxm")
    for v in ("x" * 1_000_000, list(range(1_000_000)), {str(i): i for i in range(100_000)}):
        with pytest.raises(ConfigError) as e:
            arch.with_field("dram.stacks", v)
        assert len(str(e.value)) <= MAX_MESSAGE_CHARS


def test_sweep_grid_is_counted_before_expansion(monkeypatch) -> None:
    """A 425-byte spec took 31 s and 590 MB before it was refused: its decode workloads were built one by one
    (each list under the limit) before bases x workloads was counted. Nothing is built now."""
    from accelsim.explore import sweepspec

    built = []
    real = sweepspec.DecodeWorkload
    monkeypatch.setattr(sweepspec, "DecodeWorkload", lambda **kw: built.append(kw) or real(**kw))
    spec = {"base": ["h100-sxm"] * 40, "fidelity": "roofline",
            "workloads": [{"decode": {"model": "llama-3-8b", "batch": list(range(1, 33)),
                                      "context": list(range(64, 64 + 32 * 32, 1))}}] * 30}
    with pytest.raises(ConfigError) as e:
        sweepspec.parse_spec(spec)
    assert "bases x workloads" in _short(e)
    assert built == []


@pytest.mark.parametrize("fidelity", ["fast", "detailed"])
@pytest.mark.parametrize("field,value", [("dram.tFAW_ns", 1e9), ("dram.tWTR_ns", 1e9), ("dram.tRAS_ns", 1e9)])
def test_duration_limit_counts_every_dram_timing(fidelity: str, field: str, value: float) -> None:
    """A DRAM timing set absurdly long made a 2 MB GEMV run for minutes (tCCD_L_ns = 1e8: 114 s; tFAW_ns =
    1e9 simulated ~14 s of DRAM time, 6 x 10**8 refreshes): the run is refused before it is simulated,
    naming the timing."""
    arch = presets.load("h100-sxm").with_field(field, value)
    with pytest.raises(ConfigError) as e:
        accelsim.simulate(arch, accelsim.Gemv(m=1, n=1024, k=1024), fidelity=fidelity)
    assert e.value.field == field and "refreshes to simulate" in _short(e)


def test_slow_device_clock_names_the_rate() -> None:
    arch = presets.load("h100-sxm").with_field("dram.data_rate_gbps", 1e-6)
    with pytest.raises(ConfigError) as e:
        accelsim.simulate(arch, accelsim.Gemv(m=1, n=1024, k=1024))
    assert e.value.field in ("dram.data_rate_gbps", "gemv.duration"), str(e.value)
    # a long but sane timing is simulated
    ok = presets.load("h100-sxm").with_field("dram.tFAW_ns", 1e4)
    assert accelsim.simulate(ok, accelsim.Gemv(m=1, n=1024, k=1024)).time_s > 0

"""Architecture dataclasses: validation names the field path, variants re-validate, objects are
hashable and picklable."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import valid_architectures

from accelsim import presets
from accelsim.spec.machine import DRAM_KINDS, Architecture, ComputeSpec, DramSpec, DtypeRates, SramSpec
from accelsim.dtypes import DTYPES
from accelsim.errors import ConfigError, SimulationError


@pytest.fixture
def h100() -> Architecture:
    return presets.load("h100-sxm")


def _raises_at(arch: Architecture, path: str, value: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        arch.with_field(path, value)
    assert info.value.field == path, str(info.value)
    assert str(info.value).startswith(f"{path}: ")
    return info.value


# ---------------------------------------------------------------------------------------------- errors


def test_config_error_is_value_error_with_field_and_value() -> None:
    e = ConfigError("dram.stacks", "must be >= 1", 0)
    assert isinstance(e, ValueError)
    assert (e.field, e.reason, e.value) == ("dram.stacks", "must be >= 1", 0)
    assert str(e) == "dram.stacks: must be >= 1 (got 0)"


def test_config_error_without_value_and_prefix() -> None:
    e = ConfigError("stacks", "missing required field")
    assert str(e) == "stacks: missing required field"
    assert e.value is None
    p = e.with_prefix("dram")
    assert p.field == "dram.stacks" and str(p) == "dram.stacks: missing required field"
    assert ConfigError("", "bad").with_prefix("x").field == "x"


def test_config_error_pickles() -> None:
    for e in (ConfigError("a.b", "must be > 0", -1.5), ConfigError("a", "missing required field")):
        e2 = pickle.loads(pickle.dumps(e))
        assert type(e2) is ConfigError
        assert (e2.field, e2.reason, e2.value, str(e2)) == (e.field, e.reason, e.value, str(e))


def test_simulation_error_is_runtime_error() -> None:
    assert issubclass(SimulationError, RuntimeError)


# ---------------------------------------------------------------------------------------------- bad values

# (path, bad value) pairs: each must raise ConfigError whose .field is exactly the path.
BAD_VALUES = [
    ("compute.units", 0),
    ("compute.units", -4),
    ("compute.units", True),
    ("compute.units", "132"),
    ("compute.units", 132.0),
    ("compute.units", 2**50 + 1),
    ("compute.units", None),
    ("compute.clock_ghz", 0.0),
    ("compute.clock_ghz", -1.98),
    ("compute.clock_ghz", math.nan),
    ("compute.clock_ghz", math.inf),
    ("compute.clock_ghz", "1.98"),
    ("compute.clock_ghz", False),
    ("compute.clock_ghz", 1e9),
    ("compute.matrix_sustained_fraction", 0.0),
    ("compute.matrix_sustained_fraction", 1.5),
    ("compute.matrix_flops_per_cycle_per_unit.bf16", -1.0),
    ("compute.matrix_flops_per_cycle_per_unit.fp8", math.nan),
    ("compute.matrix_flops_per_cycle_per_unit.int4", -math.inf),
    ("compute.matrix_flops_per_cycle_per_unit", {"bf16": 1.0}),  # missing dtypes -> nested path below
    ("compute.vector_flops_per_cycle_per_unit", 0),
    ("compute.local_sram_bytes_per_unit", -1),
    ("compute.local_sram_bytes_per_unit", 2**62 + 1),
    ("compute.max_inflight_bytes_per_unit", 0),
    ("compute.max_inflight_bytes_per_unit", 4096.5),
    ("compute.max_inflight_bytes_per_unit", 2**63),
    ("compute.load_bytes_per_cycle_per_unit", -64.0),
    ("l2.capacity_bytes", 0),
    ("l2.capacity_bytes", 2**70),
    ("l2.bytes_per_cycle", math.inf),
    ("l2.clock_ghz", 0),
    ("l2.latency_ns", -1.0),
    ("l2.latency_ns", True),
    ("l2.name", ""),
    ("l2.name", 3),
    ("dram.kind", "hbm5"),
    ("dram.kind", "HBM3"),
    ("dram.stacks", 0),
    ("dram.stacks", -1),
    ("dram.stacks", 2.0),
    ("dram.stacks", "5"),
    ("dram.stacks", False),
    ("dram.stacks", 2**40),
    ("dram.channels_per_stack", 0),
    ("dram.pseudo_channels_per_channel", 0),
    ("dram.bank_groups", 0),
    ("dram.banks_per_group", -8),
    ("dram.row_bytes", 0),
    ("dram.burst_length", 0),
    ("dram.pc_bus_width_bits", 0),
    ("dram.data_rate_gbps", 0.0),
    ("dram.data_rate_gbps", math.nan),
    ("dram.data_rate_gbps", -5.2),
    ("dram.capacity_bytes_per_stack", 0),
    ("dram.capacity_bytes_per_stack", 2**62),  # x5 stacks overflows 2**62
    ("dram.exposed_fraction", 0.0),
    ("dram.exposed_fraction", 1.5),
    ("dram.exposed_fraction", math.nan),
    ("dram.tRCD_ns", 0.0),
    ("dram.tRCD_ns", math.nan),
    ("dram.tRP_ns", -16.25),
    ("dram.tCL_ns", math.inf),
    ("dram.tRRD_S_ns", -0.1),
    ("dram.tFAW_ns", -1.0),
    ("dram.nCCD_S", 0.0),
    ("dram.nCCD_S", math.inf),
    ("dram.tWTR_ns", math.nan),
    ("dram.nRTW", -1.0),
    ("dram.tRFC_ns", -350.0),
    ("dram.tREFI_ns", 0.0),
    ("dram.interleave_bytes", 0),
    ("dram.access_latency_ns", -1.0),
    ("kernel_launch_overhead_ns", -1.0),
    ("kernel_launch_overhead_ns", math.nan),
    ("name", ""),
    ("name", "   "),
    ("name", None),
    ("description", 5),
    ("citations", "a single string"),
    ("compute", None),
    ("dram", None),
    ("compute", 5),
]


@pytest.mark.parametrize(("path", "value"), BAD_VALUES, ids=[f"{p}={v!r}" for p, v in BAD_VALUES])
def test_bad_value_names_field(h100: Architecture, path: str, value: object) -> None:
    with pytest.raises(ConfigError) as info:
        h100.with_field(path, value)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.field == path or err.field.startswith(path + "."), str(err)
    assert str(err).startswith(err.field + ": ")


@pytest.mark.parametrize("path", ["compute.units", "dram.stacks", "l2.capacity_bytes", "dram.tRCD_ns", "compute.clock_ghz"])
def test_reports_original_value(h100: Architecture, path: str) -> None:
    for bad in (-3, True, "x"):
        err = _raises_at(h100, path, bad)
        assert err.value is bad or err.value == bad


@pytest.mark.parametrize(
    ("path", "value", "culprit"),
    [
        ("dram.tRCD_ns", 40.0, "dram.tRAS_ns"),  # tRAS >= tRCD
        ("dram.tRAS_ns", 10.0, "dram.tRAS_ns"),
        ("dram.nCCD_S", 5.0, "dram.nCCD_L"),  # tCCD_L >= tCCD_S
        ("dram.tRRD_S_ns", 5.0, "dram.tRRD_L_ns"),
        ("dram.tRRD_S_ns", 20.0, "dram.tRRD_L_ns"),  # checked before tFAW >= tRRD_S
        ("dram.tRFC_ns", 3900.0, "dram.tREFI_ns"),  # tREFI > tRFC
        ("dram.tREFI_ns", 100.0, "dram.tREFI_ns"),
        ("dram.row_bytes", 1000, "dram.row_bytes"),  # multiple of burst_bytes (32)
        ("dram.interleave_bytes", 16, "dram.interleave_bytes"),  # multiple of burst_bytes
        ("dram.interleave_bytes", 96, "dram.interleave_bytes"),  # power of two
        ("dram.pc_bus_width_bits", 3, "dram.burst_length"),  # 3 bits x BL3: not whole bytes
        ("dram.capacity_bytes_per_stack", 1024, "dram.capacity_bytes_per_stack"),  # < a row per bank
    ],
)
def test_cross_field_checks(h100: Architecture, path: str, value: object, culprit: str) -> None:
    if path == "dram.pc_bus_width_bits":
        with pytest.raises(ConfigError) as info:
            h100.with_field("dram", h100.dram.to_dict() | {"pc_bus_width_bits": 3, "burst_length": 3})
    else:
        with pytest.raises(ConfigError) as info:
            h100.with_field(path, value)
    assert info.value.field == culprit, str(info.value)


def test_all_zero_dtype_rates_rejected(h100: Architecture) -> None:
    with pytest.raises(ConfigError) as info:
        h100.with_field("compute.matrix_flops_per_cycle_per_unit", dict.fromkeys(DTYPES, 0.0))
    assert info.value.field == "compute.matrix_flops_per_cycle_per_unit"


def test_unknown_kind_suggests(h100: Architecture) -> None:
    err = _raises_at(h100, "dram.kind", "hbm3E")
    assert "'hbm3e'" in str(err)
    assert set(DRAM_KINDS) >= {"hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4"}


def test_direct_construction_errors_name_local_field() -> None:
    with pytest.raises(ConfigError) as info:
        SramSpec(name="l2", capacity_bytes=0, bytes_per_cycle=1.0, clock_ghz=1.0, latency_ns=1.0)
    assert info.value.field == "capacity_bytes"


def test_positional_arguments_rejected() -> None:
    with pytest.raises(TypeError):
        SramSpec("l2", 1024, 1.0, 1.0, 1.0)  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------- accepted values


def test_float_fields_accept_ints_and_normalize(h100: Architecture) -> None:
    a = h100.with_field("dram.tRCD_ns", 20)
    assert a.dram.tRCD_ns == 20.0 and type(a.dram.tRCD_ns) is float
    assert a == h100.with_field("dram.tRCD_ns", 20.0)
    assert hash(a) == hash(h100.with_field("dram.tRCD_ns", 20.0))


def test_numpy_scalars_accepted(h100: Architecture) -> None:
    np = pytest.importorskip("numpy")
    a = h100.with_field("dram.stacks", np.int64(6)).with_field("dram.data_rate_gbps", np.float32(6.5))
    assert type(a.dram.stacks) is int and a.dram.stacks == 6
    assert type(a.dram.data_rate_gbps) is float


def test_optional_l2(h100: Architecture) -> None:
    a = h100.replace(l2=None)
    assert a.l2 is None
    with pytest.raises(ConfigError) as info:
        a.with_field("l2.latency_ns", 4.0)
    assert info.value.field == "l2"


def test_citations_list_becomes_tuple(h100: Architecture) -> None:
    a = h100.replace(citations=["x", "y"])
    assert a.citations == ("x", "y")
    hash(a)
    with pytest.raises(ConfigError) as info:
        h100.replace(citations=["x", 3])
    assert info.value.field == "citations[1]"


# ---------------------------------------------------------------------------------------------- variants


def test_with_field_and_replace(h100: Architecture) -> None:
    six = h100.with_field("dram.stacks", 6)
    assert six.dram.stacks == 6 and h100.dram.stacks == 5
    assert six.peak_dram_bandwidth_bytes_per_s == pytest.approx(h100.peak_dram_bandwidth_bytes_per_s * 6 / 5)
    assert six == h100.replace(dram=h100.dram.replace(stacks=6))
    no_fp4 = h100.with_field("compute.matrix_flops_per_cycle_per_unit.fp4", 0.0)
    assert no_fp4.compute.matrix_flops_per_cycle_per_unit.fp4 == 0.0
    assert h100.with_field("name", "x").name == "x"


def test_with_field_accepts_nested_dict(h100: Architecture) -> None:
    a = h100.with_field("l2", h100.l2.to_dict() | {"latency_ns": 4.0})  # type: ignore[union-attr]
    assert a.l2 is not None and a.l2.latency_ns == 4.0
    with pytest.raises(ConfigError) as info:
        h100.with_field("l2", h100.l2.to_dict() | {"latency_ns": -1.0})  # type: ignore[union-attr]
    assert info.value.field == "l2.latency_ns"


@pytest.mark.parametrize(
    ("path", "field", "suggestion"),
    [
        ("dram.stack", "dram.stack", "stacks"),
        ("dram.trcd_ns", "dram.trcd_ns", "tRCD_ns"),
        ("compte.units", "compte", "compute"),
        ("compute.unit", "compute.unit", "units"),
        ("compute.matrix_flops_per_cycle_per_unit.bf61", "compute.matrix_flops_per_cycle_per_unit.bf61", "bf16"),
    ],
)
def test_unknown_path_suggests(h100: Architecture, path: str, field: str, suggestion: str) -> None:
    with pytest.raises(ConfigError) as info:
        h100.with_field(path, 1)
    assert info.value.field == field
    assert f"did you mean {suggestion!r}?" in str(info.value)


def test_with_field_into_scalar(h100: Architecture) -> None:
    with pytest.raises(ConfigError) as info:
        h100.with_field("dram.stacks.x", 1)
    assert info.value.field == "dram.stacks"


def test_replace_unknown_name_suggests(h100: Architecture) -> None:
    with pytest.raises(ConfigError, match="did you mean 'stacks'"):
        h100.dram.replace(stack=6)


# ---------------------------------------------------------------------------------------------- from_dict


def test_from_dict_round_trip(h100: Architecture) -> None:
    assert Architecture.from_dict(h100.to_dict()) == h100


def test_from_dict_unknown_key_suggests(h100: Architecture) -> None:
    d = h100.to_dict()
    d["dram"]["stack"] = d["dram"].pop("stacks")
    with pytest.raises(ConfigError) as info:
        Architecture.from_dict(d)
    assert info.value.field == "dram.stack"
    assert "did you mean 'stacks'?" in str(info.value)


def test_from_dict_unknown_top_level_key(h100: Architecture) -> None:
    d = h100.to_dict() | {"kernel_launch_overhead": 5.0}
    with pytest.raises(ConfigError, match="did you mean 'kernel_launch_overhead_ns'"):
        Architecture.from_dict(d)


def test_from_dict_missing_key_named(h100: Architecture) -> None:
    d = h100.to_dict()
    del d["compute"]["matrix_flops_per_cycle_per_unit"]["fp8"]
    with pytest.raises(ConfigError) as info:
        Architecture.from_dict(d)
    assert info.value.field == "compute.matrix_flops_per_cycle_per_unit.fp8"
    assert "missing" in str(info.value)


def test_from_dict_nested_value_error_path(h100: Architecture) -> None:
    d = h100.to_dict()
    d["dram"]["tRCD_ns"] = "fast"
    with pytest.raises(ConfigError) as info:
        Architecture.from_dict(d)
    assert info.value.field == "dram.tRCD_ns"
    assert str(info.value) == "dram.tRCD_ns: must be a number (got 'fast')"


def test_from_dict_non_mapping(h100: Architecture) -> None:
    with pytest.raises(ConfigError) as info:
        Architecture.from_dict([1, 2])  # type: ignore[arg-type]
    assert info.value.field == "<root>"
    d = h100.to_dict() | {"dram": [1]}
    with pytest.raises(ConfigError) as info:
        Architecture.from_dict(d)
    assert info.value.field == "dram"


def test_from_dict_defaults_and_null_l2(h100: Architecture) -> None:
    d = h100.to_dict()
    del d["citations"]
    d["l2"] = None
    a = Architecture.from_dict(d)
    assert a.citations == () and a.l2 is None


# ---------------------------------------------------------------------------------------------- properties


def test_dram_derived_properties(h100: Architecture) -> None:
    d = h100.dram
    assert d.burst_bytes == 32
    assert d.pseudo_channels == 5 * 16 * 2
    assert d.bus_width_bits == 5120
    assert d.banks_per_pseudo_channel == 32
    assert d.capacity_bytes == 5 * 16 * 2**30 > h100.memory_capacity_bytes == d.usable_capacity_bytes == 81090 * 2**20
    assert d.peak_bandwidth_bytes_per_s == pytest.approx(5120 * 5.238e9 / 8)


def test_compute_and_sram_properties(h100: Architecture) -> None:
    assert h100.peak_flops_per_s("bf16") == pytest.approx(132 * 4096 * 1.98e9)
    assert h100.compute.peak_flops_per_s("fp8") == 2 * h100.peak_flops_per_s("bf16")
    assert h100.compute.sustained_flops_per_s("bf16") == pytest.approx(0.75 * h100.peak_flops_per_s("bf16"))
    assert h100.l2 is not None
    assert h100.l2.bandwidth_bytes_per_s == pytest.approx(h100.l2.bytes_per_cycle * h100.l2.clock_ghz * 1e9)


def test_dtype_rates_get(h100: Architecture) -> None:
    rates = h100.compute.matrix_flops_per_cycle_per_unit
    assert [rates.get(d) for d in DTYPES] == [getattr(rates, d) for d in DTYPES]
    with pytest.raises(ConfigError) as info:
        rates.get("bfloat16")
    assert info.value.field == "dtype"
    with pytest.raises(ConfigError, match="did you mean 'fp8'"):
        h100.peak_flops_per_s("fp08")
    assert isinstance(rates, DtypeRates) and not isinstance(rates, dict)


# ---------------------------------------------------------------------------------------------- objects


def test_frozen(h100: Architecture) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        h100.dram.stacks = 6  # type: ignore[misc]


def test_asdict_is_plain(h100: Architecture) -> None:
    d = dataclasses.asdict(h100)
    assert d["dram"]["tRCD_ns"] == 19.4
    assert d["compute"]["matrix_flops_per_cycle_per_unit"]["bf16"] == 4096.0

    def plain(x: object) -> bool:
        if isinstance(x, dict):
            return all(isinstance(k, str) and plain(v) for k, v in x.items())
        if isinstance(x, (list, tuple)):
            return all(plain(v) for v in x)
        return x is None or type(x) in (int, float, str)

    assert plain(d)


@given(valid_architectures())
def test_random_architectures_hash_pickle_copy(arch: Architecture) -> None:
    assert pickle.loads(pickle.dumps(arch)) == arch
    assert hash(pickle.loads(pickle.dumps(arch))) == hash(arch)
    assert copy.deepcopy(arch) == arch
    assert Architecture.from_dict(arch.to_dict()) == arch
    assert len({arch, copy.deepcopy(arch)}) == 1


@given(valid_architectures(text=False), st.integers(1, 8))
def test_random_with_field_matches_replace(arch: Architecture, stacks: int) -> None:
    a = arch.with_field("dram.stacks", stacks)
    assert a == arch.replace(dram=arch.dram.replace(stacks=stacks))
    expected = arch.peak_dram_bandwidth_bytes_per_s * stacks / arch.dram.stacks
    assert a.peak_dram_bandwidth_bytes_per_s == pytest.approx(expected)


@given(valid_architectures(text=False))
def test_random_architectures_types(arch: Architecture) -> None:
    for spec in (arch.compute, arch.dram, arch.l2, arch.compute.matrix_flops_per_cycle_per_unit):
        if spec is None:
            continue
        for f in dataclasses.fields(spec):
            v = getattr(spec, f.name)
            kind = f.metadata["kind"]
            if kind == "int":
                assert type(v) is int
            elif kind == "float":
                assert type(v) is float and math.isfinite(v)
    assert isinstance(arch.compute, ComputeSpec) and isinstance(arch.dram, DramSpec)

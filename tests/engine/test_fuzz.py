"""Fuzz properties of the input boundary (the quick CI profile; benchmarks/fuzz.py runs >= 100,000 cases).

Every random valid or invalid architecture document, YAML / JSON text, with_field edit, kernel, model and
simulate / decode_step argument ends in a result or a ConfigError naming the field -- never another
exception type (or a crash of the core).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import ConfigError, io, presets

import fuzz_cases

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("kind", sorted(set(fuzz_cases.KINDS) - {"monotone"}))
@_SETTINGS
@given(r=st.randoms(use_true_random=False))
def test_every_case_ends_in_a_result_or_config_error(kind: str, r: random.Random) -> None:
    assert fuzz_cases.run_case(kind, r) in ("ok", "config_error")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(r=st.randoms(use_true_random=False))
def test_monotone_cases_hold(r: random.Random) -> None:
    """The answers' properties (a few simulations each: fewer examples here; tests/engine/test_invariants.py
    checks them per property, benchmarks/fuzz.py at scale)."""
    assert fuzz_cases.run_case("monotone", r) == "ok"


def test_fixed_seed_batch_has_no_failures() -> None:
    """A deterministic slice of the benchmark's case stream (the same cases benchmarks/fuzz.py runs)."""
    kinds = list(fuzz_cases.WEIGHTS)
    weights = [fuzz_cases.WEIGHTS[k] for k in kinds]
    outcomes = set()
    for i in range(300):
        r = random.Random(i)
        outcomes.add(fuzz_cases.run_case(r.choices(kinds, weights)[0], r))
    assert outcomes == {"ok", "config_error"}  # both kinds of ending occur: the mix is not degenerate


# --- leaf fields: a value of the wrong type or out of range is reported at exactly its dotted path ------

_DOC = io.to_document(presets.load("h100-sxm"))


def _get(doc: dict, path: tuple) -> object:
    for p in path:
        doc = doc[p]
    return doc


_NUMERIC_LEAVES = [p for p in fuzz_cases._paths(_DOC)
                   if isinstance(_get(_DOC, p), (int, float)) and not isinstance(_get(_DOC, p), bool)
                   and p != ("schema_version",)]

_BAD_NUMBERS = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 2**63, 2**64, 10**400, -(2**63), -1, "1", None, [], {}, True,
                     [1], {"a": 1}]),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(_NUMERIC_LEAVES), value=_BAD_NUMBERS)
def test_bad_numeric_leaf_is_named_by_its_path(path: tuple, value: object) -> None:
    import copy

    doc = copy.deepcopy(_DOC)
    parent = _get(doc, path[:-1])
    parent[path[-1]] = value
    dotted = ".".join(path)
    try:
        io.from_document(doc)
    except ConfigError as e:
        # the field itself, or (an in-range number that breaks a cross-field rule) its spec's field
        assert e.field == dotted or (isinstance(value, int) and not isinstance(value, bool)
                                     and e.field.startswith(".".join(path[:-1]))), (e.field, dotted, value)
        return
    # only an in-range integer can be accepted (e.g. -1 for an unbounded float field is not)
    assert isinstance(value, int) and not isinstance(value, bool)


@settings(max_examples=100, deadline=None)
@given(junk=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=30))
def test_any_json_like_value_as_a_document_or_a_section(junk: object) -> None:
    for doc in (junk, {**_DOC, "dram": junk}, {**_DOC, "compute": junk}, {**_DOC, "l2": junk}, {**_DOC, "zzz": junk}):
        try:
            io.from_document(doc)
        except ConfigError as e:
            assert e.field


# --- regressions: each of these escaped as another exception type before ---------------------------


@pytest.mark.parametrize("text", ["[" * 100000, "a: " * 5000 + "1",
                                  "schema_version: 1\nname: " + "[" * 900 + "]" * 900])
def test_deeply_nested_yaml_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError) as ei:
        io.from_yaml(text)
    assert ei.value.field


def test_empty_and_non_string_unknown_keys_are_named() -> None:
    for key in ("", 1, None):
        with pytest.raises(ConfigError) as ei:
            io.from_document({**_DOC, key: 1})
        assert ei.value.field == repr(key)
    with pytest.raises(ConfigError) as ei:
        io.from_document({**_DOC, "dram": {**_DOC["dram"], "": 1}})
    assert ei.value.field == "dram.''"


@pytest.mark.parametrize("path", ["", ".", "compute..units", "dram.", ".name"])
def test_empty_path_components_in_with_field(path: str) -> None:
    with pytest.raises(ConfigError) as ei:
        presets.load("h100-sxm").with_field(path, 1)
    assert ei.value.field == "<path>"


def test_numpy_arrays_where_a_choice_is_expected() -> None:
    arr = np.array([1, 2])
    arch = presets.load("h100-sxm")
    with pytest.raises(ConfigError, match="schema_version"):
        io.from_document({**_DOC, "schema_version": arr})
    with pytest.raises(ConfigError, match="fidelity"):
        accelsim.simulate(arch, accelsim.Gemv(m=1, n=64, k=64), fidelity=arr)
    with pytest.raises(ConfigError, match="fidelity"):
        accelsim.decode_step(arch, "llama-3-8b", batch=1, context=8, fidelity=arr)
    with pytest.raises(ConfigError, match="norm"):
        spec = accelsim.models.load("llama-3-8b")
        accelsim.models.ModelSpec(**{**{f: getattr(spec, f) for f in fuzz_cases._MODEL_FIELDS}, "norm": arr})
    with pytest.raises(ConfigError, match="fmt"):
        io.load("schema_version: 1\n", fmt=arr)


def test_kernel_name_must_be_a_string() -> None:
    with pytest.raises(ConfigError, match="name"):
        accelsim.Gemv(m=1, n=64, k=64, name=["x"])  # unhashable: used to be a TypeError in simulate's cache


@pytest.mark.parametrize("kernels", [None, 5, "gemv", b"x", 1.5])
def test_non_kernel_argument_to_simulate(kernels: object) -> None:
    with pytest.raises(ConfigError) as ei:
        accelsim.simulate(presets.load("h100-sxm"), kernels)
    assert ei.value.field == "kernels"


def test_load_accepts_document_bytes_and_rejects_bad_utf8() -> None:
    arch = presets.load("h200")
    assert io.load(io.to_yaml(arch).encode()) == arch
    assert io.load(io.to_json(arch).encode()) == arch
    with pytest.raises(ConfigError) as ei:
        io.load(b"\xff\xfe name: x")
    assert ei.value.field == "<file>"

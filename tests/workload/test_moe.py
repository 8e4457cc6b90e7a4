"""The Moe kernel: only the experts a batch touches are read; skewed routing touches fewer."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import Moe

H100 = accelsim.presets.load("h100-sxm")
MIXTRAL = dict(n_experts=8, top_k=2, d_model=4096, expert_d_ff=14336)


def test_one_token_reads_exactly_top_k_experts() -> None:
    m = Moe(tokens=1, **MIXTRAL)
    assert m.expected_experts() == pytest.approx(2.0)
    # gate+up (2 x ff x d) and down (d x ff) of 2 experts, bf16
    assert m.weight_bytes() == 2 * 3 * 4096 * 14336 * 2
    r = accelsim.simulate(H100, m)
    assert r.dram_read_bytes >= m.weight_bytes()
    assert len(r.kernels) == 1 and r.time_s > 0


def test_large_batch_touches_every_expert() -> None:
    m = Moe(tokens=64, **MIXTRAL)
    assert m.expected_experts() == pytest.approx(8 * (1 - (1 - 2 / 8) ** 64))
    assert m.weight_bytes() == 8 * 3 * 4096 * 14336 * 2


def test_more_tokens_never_faster() -> None:
    times = [accelsim.simulate(H100, Moe(tokens=b, **MIXTRAL)).time_s for b in (1, 2, 4, 8, 32)]
    for a, b in zip(times, times[1:]):
        assert b >= a * 0.99, times


def test_skewed_routing_reads_fewer_experts_and_is_not_slower() -> None:
    kw = dict(tokens=16, n_experts=256, top_k=8, d_model=7168, expert_d_ff=2048, n_shared_experts=1)
    uniform, skewed = Moe(**kw), Moe(routing_zipf_s=1.2, **kw)
    assert skewed.expected_experts() < uniform.expected_experts()
    assert skewed.weight_bytes() < uniform.weight_bytes()
    assert accelsim.simulate(H100, skewed).time_s <= accelsim.simulate(H100, uniform).time_s * 1.01


def test_fp8_experts_halve_the_bytes() -> None:
    bf16 = Moe(tokens=4, **MIXTRAL)
    fp8 = Moe(tokens=4, dtype="fp8", **MIXTRAL)
    assert fp8.weight_bytes() * 2 == bf16.weight_bytes()
    ratio = accelsim.simulate(H100, fp8).time_s / accelsim.simulate(H100, bf16).time_s
    assert 0.4 < ratio < 0.7, ratio


@pytest.mark.parametrize("field, kw", [
    ("top_k", dict(tokens=1, n_experts=4, top_k=5, d_model=64, expert_d_ff=64)),
    ("tokens", dict(tokens=0, n_experts=4, top_k=1, d_model=64, expert_d_ff=64)),
    ("routing_zipf_s", dict(tokens=1, n_experts=4, top_k=1, d_model=64, expert_d_ff=64, routing_zipf_s=float("nan"))),
    ("dtype", dict(tokens=1, n_experts=4, top_k=1, d_model=64, expert_d_ff=64, dtype="fp7")),
])
def test_bad_input_names_the_field(field: str, kw: dict) -> None:
    with pytest.raises(accelsim.ConfigError) as e:
        Moe(**kw)
    assert e.value.field == field


@settings(max_examples=50, deadline=None)
@given(e=st.integers(1, 512), data=st.data())
def test_expected_experts_bounds(e: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, e))
    b = data.draw(st.integers(1, 4096))
    m = Moe(tokens=b, n_experts=e, top_k=k, d_model=64, expert_d_ff=64)
    x = m.expected_experts()
    assert k - 1e-9 <= x <= min(e, k * b) + 1e-9
    assert x == pytest.approx(e * (1 - (1 - k / e) ** b), rel=1e-9)
    assert math.isfinite(x)

"""Tests of the model zoo (accelsim.models)."""
from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim import models
from accelsim.errors import ConfigError
from accelsim.models import (
    MlaSpec,
    ModelSpec,
    MoeSpec,
    expected_distinct_experts,
    expected_distinct_experts_skewed,
)


def _base(**overrides):
    kwargs = dict(
        name="toy",
        n_layers=4,
        d_model=256,
        n_heads=8,
        n_kv_heads=2,
        head_dim=32,
        d_ff=512,
        vocab_size=1000,
        max_context=2048,
    )
    kwargs.update(overrides)
    return ModelSpec(**kwargs)


# ---------------------------------------------------------------- the zoo
@pytest.mark.parametrize(
    "name, total, active, rel",
    [
        ("llama-3-8b", 8.03e9, None, 0.02),
        ("llama-3-70b", 70.6e9, None, 0.02),
        ("llama-3-405b", 405.9e9, None, 0.02),
        ("llama-2-7b", 6.74e9, None, 0.02),
        ("mistral-7b", 7.24e9, None, 0.02),
        ("qwen2.5-7b", 7.62e9, None, 0.02),
        ("mixtral-8x7b", 46.7e9, 12.9e9, 0.02),
        ("deepseek-v3", 671e9, 37e9, 0.05),
    ],
)
def test_published_param_counts(name, total, active, rel):
    spec = models.load(name)
    assert spec.params() == pytest.approx(total, rel=rel)
    if active is None:
        assert spec.active_params() == spec.params()
    else:
        assert spec.active_params() == pytest.approx(active, rel=rel)
        assert spec.active_params() < spec.params()


def test_exact_counts_match_checkpoints():
    # Exact parameter counts of the released safetensors checkpoints.
    assert models.load("llama-3-8b").params() == 8_030_261_248
    assert models.load("llama-3-70b").params() == 70_553_706_496
    assert models.load("llama-2-7b").params() == 6_738_415_616
    assert models.load("mistral-7b").params() == 7_241_732_096
    assert models.load("mixtral-8x7b").params() == 46_702_792_704


def test_every_builtin_is_valid_and_cited():
    assert len(models.names()) >= 7
    for name in models.names():
        spec = models.load(name)
        assert spec.name == name
        assert spec.source.startswith("https://")
        assert sum(spec.param_breakdown().values()) == spec.params()
        assert spec.kv_bytes_per_token("bf16") > 0


def test_attention_kind_derived():
    assert models.load("llama-2-7b").attention == "mha"
    assert models.load("llama-3-8b").attention == "gqa"
    assert models.load("deepseek-v3").attention == "mla"
    assert _base(n_kv_heads=1).attention == "mqa"


def test_kv_bytes_per_token():
    l8 = models.load("llama-3-8b")
    assert l8.kv_bytes_per_token("bf16") == 131072  # 2 * 8 * 128 * 32 * 2
    assert l8.kv_bytes_per_token("fp8") == 65536
    assert l8.kv_bytes_per_token("int4") == 32768
    assert l8.kv_bytes_per_token("fp32") == 262144
    assert models.load("llama-2-7b").kv_bytes_per_token("fp16") == 524288
    # MLA caches the compressed latent plus the decoupled rope key.
    assert models.load("deepseek-v3").kv_bytes_per_token("bf16") == (512 + 64) * 61 * 2


def test_weight_bytes():
    l8 = models.load("llama-3-8b")
    n = l8.params()
    assert l8.weight_bytes("bf16") == 2 * n
    assert l8.weight_bytes("fp16") == 2 * n
    assert l8.weight_bytes("fp32") == 4 * n
    assert l8.weight_bytes("fp8") == n
    assert l8.weight_bytes("int8") == n
    assert l8.weight_bytes("int4") == math.ceil(n / 2)
    assert l8.weight_bytes("fp4") == math.ceil(n / 2)
    assert l8.weight_bytes("bfloat16") == 2 * n  # alias
    with pytest.raises(ConfigError) as exc:
        l8.weight_bytes("fp12")
    assert exc.value.field == "weight_dtype"
    with pytest.raises(ConfigError) as exc:
        l8.kv_bytes_per_token("nope")
    assert exc.value.field == "kv_dtype"


def test_deepseek_structure():
    ds = models.load("deepseek-v3")
    assert ds.n_dense_layers == 3 and ds.n_moe_layers == 58
    assert not ds.is_moe_layer(2) and ds.is_moe_layer(3)
    b = ds.param_breakdown()
    assert b["dense_mlp"] == 3 * 3 * 7168 * 18432
    assert b["routed_experts"] == 58 * 256 * 3 * 7168 * 2048
    assert b["shared_experts"] == 58 * 3 * 7168 * 2048


def test_active_params_grow_with_batch():
    mx = models.load("mixtral-8x7b")
    a = [mx.active_params(t) for t in (1, 2, 4, 16, 256)]
    assert a == sorted(a)
    assert a[-1] == pytest.approx(mx.params(), rel=1e-6)
    assert mx.expected_experts(1) == 2.0
    assert models.load("llama-3-8b").expected_experts(64) == 0.0
    assert models.load("llama-3-8b").expected_experts(1, top_k=2, n_experts=8) == 2.0


# --------------------------------------------------------------- registry
def test_load_is_forgiving_and_suggests():
    assert models.load("Llama-3-8B") is models.load("llama-3-8b")
    assert models.load("llama-3.1-70b") is models.load("llama-3-70b")
    spec = models.load("mistral-7b")
    assert models.load(spec) is spec
    with pytest.raises(ConfigError) as exc:
        models.load("llama-3-9b")
    assert exc.value.field == "model"
    assert "llama-3-8b" in str(exc.value)  # suggestion + choices listed
    assert "Did you mean" in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_register_user_model():
    spec = _base(name="my-toy-model")
    try:
        assert models.register(spec) is spec
        assert "my-toy-model" in models.names()
        assert models.load("my-toy-model") is spec
        with pytest.raises(ConfigError):
            models.register(spec)
        models.register(spec.with_(d_ff=1024), overwrite=True)
        assert models.load("my-toy-model").d_ff == 1024
    finally:
        models.unregister("my-toy-model")
    assert "my-toy-model" not in models.names()
    with pytest.raises(ConfigError):
        models.register(models.load("llama-3-8b").with_(n_layers=2))


def test_dict_round_trip():
    for name in ("deepseek-v3", "mixtral-8x7b", "llama-3-8b"):
        spec = models.load(name)
        assert ModelSpec.from_dict(spec.to_dict()) == spec


def test_from_hf_config_deepseek():
    cfg = {
        "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
        "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128,
        "n_shared_experts": 1, "n_routed_experts": 256, "num_experts_per_tok": 8,
        "first_k_dense_replace": 3, "kv_lora_rank": 512, "q_lora_rank": 1536,
        "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
        "vocab_size": 129280, "max_position_embeddings": 163840,
        "tie_word_embeddings": False, "hidden_act": "silu",
    }
    spec = ModelSpec.from_hf_config(cfg, name="deepseek-v3", source=models.load("deepseek-v3").source)
    assert spec == models.load("deepseek-v3")


# ------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "overrides, field",
    [
        (dict(n_layers=0), "n_layers"),
        (dict(d_model=-1), "d_model"),
        (dict(n_heads=8, n_kv_heads=3), "n_kv_heads"),
        (dict(n_kv_heads=16), "n_kv_heads"),
        (dict(head_dim=2.5), "head_dim"),
        (dict(vocab_size=True), "vocab_size"),
        (dict(max_context=0), "max_context"),
        (dict(norm="batchnorm"), "norm"),
        (dict(activation="tanh"), "activation"),
        (dict(attention="sparse"), "attention"),
        (dict(attention="mha"), "n_kv_heads"),
        (dict(attention="mla"), "mla"),
        (dict(first_dense_layers=1), "first_dense_layers"),
        (dict(name=""), "name"),
        (
            dict(moe=MoeSpec(n_experts=4, top_k=2, expert_d_ff=64), first_dense_layers=4),
            "first_dense_layers",
        ),
        (
            dict(
                attention="gqa",
                mla=MlaSpec(kv_lora_rank=8, q_lora_rank=0, qk_nope_head_dim=8,
                            qk_rope_head_dim=8, v_head_dim=8),
            ),
            "attention",
        ),
    ],
)
def test_invalid_model_spec(overrides, field):
    with pytest.raises(ConfigError) as exc:
        _base(**overrides)
    assert exc.value.field == field


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(n_experts=8, top_k=9, expert_d_ff=64), "top_k"),
        (dict(n_experts=0, top_k=1, expert_d_ff=64), "n_experts"),
        (dict(n_experts=8, top_k=0, expert_d_ff=64), "top_k"),
        (dict(n_experts=8, top_k=2, expert_d_ff=64, n_shared_experts=-1), "n_shared_experts"),
        (dict(n_experts=8, top_k=2, expert_d_ff=0), "expert_d_ff"),
        (dict(n_experts=8, top_k=2, expert_d_ff=64, shared_expert_d_ff=0), "shared_expert_d_ff"),
    ],
)
def test_invalid_moe_spec(kwargs, field):
    with pytest.raises(ConfigError) as exc:
        MoeSpec(**kwargs)
    assert exc.value.field == field


def test_invalid_mla_spec():
    with pytest.raises(ConfigError) as exc:
        MlaSpec(kv_lora_rank=0, q_lora_rank=0, qk_nope_head_dim=8,
                qk_rope_head_dim=8, v_head_dim=8)
    assert exc.value.field == "kv_lora_rank"


def test_specs_are_frozen_and_keyword_only():
    spec = models.load("llama-3-8b")
    with pytest.raises(Exception):
        spec.n_layers = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        MoeSpec(8, 2, 0, 64)  # type: ignore[misc]


def test_toy_counts_by_hand():
    spec = _base(tied_embeddings=True)
    attn = 256 * 256 + 2 * 256 * 64 + 256 * 256
    mlp = 3 * 256 * 512
    norms = 4 * 2 * 256 + 256
    assert spec.params() == 1000 * 256 + 4 * (attn + mlp) + norms
    ln = _base(norm="layernorm", activation="gelu", qkv_bias=True)
    attn_b = attn + 256 + 2 * 64
    assert ln.params() == 2 * 1000 * 256 + 4 * (attn_b + 2 * 256 * 512) + 2 * norms


# ------------------------------------------------- expected distinct experts
routing = st.integers(min_value=1, max_value=512).flatmap(
    lambda e: st.tuples(st.just(e), st.integers(min_value=1, max_value=e))
)


@given(routing, st.integers(min_value=1, max_value=100_000))
def test_expected_experts_bounds(ek, tokens):
    e, k = ek
    value = expected_distinct_experts(e, k, tokens)
    assert k - 1e-9 <= value <= min(e, k * tokens) + 1e-9


@given(routing)
def test_expected_experts_single_token_is_k(ek):
    e, k = ek
    assert expected_distinct_experts(e, k, 1) == k
    assert expected_distinct_experts(e, k, 0) == 0


@given(routing, st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=1000))
def test_expected_experts_monotone(ek, tokens, extra):
    e, k = ek
    assert expected_distinct_experts(e, k, tokens) <= expected_distinct_experts(
        e, k, tokens + extra
    ) + 1e-9


@given(routing, st.integers(min_value=0, max_value=5000))
def test_skewed_uniform_limit(ek, tokens):
    e, k = ek
    assert expected_distinct_experts_skewed(e, k, tokens, 0.0) == pytest.approx(
        expected_distinct_experts(e, k, tokens), rel=1e-9, abs=1e-9
    )


@given(routing, st.integers(min_value=1, max_value=5000), st.floats(min_value=0.0, max_value=3.0))
@settings(max_examples=50)
def test_skew_reduces_coverage(ek, tokens, s):
    e, k = ek
    skewed = expected_distinct_experts_skewed(e, k, tokens, s)
    assert 0.0 < skewed <= expected_distinct_experts(e, k, tokens) + 1e-9
    assert skewed <= min(e, k * tokens) + 1e-9


def _monte_carlo(e, k, tokens, trials, rng):
    experts = range(e)
    total = 0
    for _ in range(trials):
        seen = set()
        for _ in range(tokens):
            seen.update(rng.sample(experts, k))
        total += len(seen)
    return total / trials


@pytest.mark.parametrize("e, k, tokens", [(8, 2, 3), (8, 2, 8), (64, 6, 16), (256, 8, 32)])
def test_expected_experts_matches_monte_carlo(e, k, tokens):
    rng = random.Random(1234)
    estimate = _monte_carlo(e, k, tokens, 2000, rng)
    exact = expected_distinct_experts(e, k, tokens)
    assert estimate == pytest.approx(exact, rel=0.02)


def test_skewed_matches_monte_carlo():
    # Independent Bernoulli(q_i) selection per token reproduces the formula.
    e, k, tokens, s = 32, 4, 8, 1.0
    q = [min(1.0, k * p) for p in models.zipf_probabilities(e, s)]
    rng = random.Random(99)
    trials = 4000
    total = 0
    for _ in range(trials):
        hit = [False] * e
        for _ in range(tokens):
            for i, qi in enumerate(q):
                if not hit[i] and rng.random() < qi:
                    hit[i] = True
        total += sum(hit)
    assert total / trials == pytest.approx(
        expected_distinct_experts_skewed(e, k, tokens, s), rel=0.02
    )


def test_expected_experts_closed_form_values():
    assert expected_distinct_experts(8, 2, 2) == pytest.approx(8 * (1 - 0.75**2))
    assert expected_distinct_experts(256, 8, 64) == pytest.approx(256 * (1 - (1 - 8 / 256) ** 64))
    assert expected_distinct_experts(8, 8, 5) == 8


@pytest.mark.parametrize(
    "args, field",
    [((8, 9, 1), "top_k"), ((0, 1, 1), "n_experts"), ((8, 2, -1), "tokens"), ((8, 0, 1), "top_k")],
)
def test_expected_experts_invalid(args, field):
    with pytest.raises(ConfigError) as exc:
        expected_distinct_experts(*args)
    assert exc.value.field == field
    with pytest.raises(ConfigError):
        expected_distinct_experts_skewed(*args, 1.0)


def test_skewed_invalid_exponent():
    with pytest.raises(ConfigError) as exc:
        expected_distinct_experts_skewed(8, 2, 4, -1.0)
    assert exc.value.field == "zipf_s"

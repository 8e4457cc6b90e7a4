"""accelsim.models.from_hf_config on real Hugging Face config.json files (tests/data/hf_configs, sources in
SOURCES.md there): parameter counts against the published ones, the zoo's hand-typed specs reproduced,
decode steps from a path, refusals that name the key, and dtype aliases everywhere a dtype is taken."""

from __future__ import annotations

import json
import os

import pytest

import accelsim
from accelsim import models
from accelsim.errors import ConfigError

HERE = os.path.dirname(__file__)
CONFIGS = os.path.join(HERE, "..", "data", "hf_configs")


def cfg(name: str) -> str:
    return os.path.join(CONFIGS, name + ".json")


# (file, published total params in B, published active params in B or None, rel. tolerance of the figure)
PUBLISHED = [
    ("llama-3.1-8b", 8.03, None, 0.001),
    ("mistral-7b-v0.1", 7.24, None, 0.001),
    ("qwen2-7b", 7.62, None, 0.001),
    ("gemma-2b", 2.51, None, 0.002),
    ("gemma-2-9b", 9.24, None, 0.001),
    ("mixtral-8x7b-v0.1", 46.7, 12.9, 0.002),
    ("qwen1.5-moe-a2.7b", 14.3, 2.7, 0.01),
    ("deepseek-v2-lite", 15.7, None, 0.003),
]


@pytest.mark.parametrize("name, total, active, tol", PUBLISHED)
def test_parameter_counts_match_the_published_ones(name, total, active, tol) -> None:
    m = models.from_hf_config(cfg(name))
    assert m.params() / 1e9 == pytest.approx(total, rel=tol)
    if active is not None:
        assert m.active_params(1) / 1e9 == pytest.approx(active, rel=max(tol, 0.01))


def test_family_specifics() -> None:
    gemma = models.from_hf_config(cfg("gemma-2b"))
    assert gemma.tied_embeddings and gemma.attention == "mqa" and gemma.head_dim == 256 and gemma.activation == "geglu"
    g2 = models.from_hf_config(cfg("gemma-2-9b"))
    assert g2.head_dim == 256 != g2.d_model // g2.n_heads  # head_dim from the config, not hidden/heads
    qwen = models.from_hf_config(cfg("qwen2-7b"))
    assert qwen.qkv_bias and qwen.n_kv_heads == 4
    qmoe = models.from_hf_config(cfg("qwen1.5-moe-a2.7b"))
    assert qmoe.qkv_bias and qmoe.moe.n_experts == 60 and qmoe.moe.top_k == 4
    assert qmoe.moe.n_shared_experts == 1 and qmoe.moe.shared_d_ff == 5632 and qmoe.moe.expert_d_ff == 1408
    ds = models.from_hf_config(cfg("deepseek-v2-lite"))
    assert ds.attention == "mla" and ds.mla.q_lora_rank == 0 and ds.mla.kv_cache_dim == 512 + 64
    assert ds.first_dense_layers == 1 and ds.moe.n_experts == 64 and ds.moe.n_shared_experts == 2
    assert ds.kv_bytes_per_token("bf16") == 27 * 576 * 2


@pytest.mark.parametrize("file, zoo", [("llama-3.1-8b", "llama-3-8b"), ("mistral-7b-v0.1", "mistral-7b"),
                                       ("mixtral-8x7b-v0.1", "mixtral-8x7b")])
def test_configs_reproduce_the_zoo(file, zoo) -> None:
    got = models.from_hf_config(cfg(file), name=zoo, source=models.load(zoo).source)
    assert got == models.load(zoo)


def test_name_source_dict_and_directory(tmp_path) -> None:
    m = models.from_hf_config(cfg("qwen2-7b"))
    assert m.name == "qwen2-7b" and m.source.endswith("qwen2-7b.json")
    d = tmp_path / "Qwen2-7B"
    d.mkdir()
    (d / "config.json").write_text(open(cfg("qwen2-7b")).read())
    assert models.from_hf_config(str(d)).name == "qwen2-7b"
    assert models.load(str(d)).params() == m.params()
    data = json.load(open(cfg("qwen2-7b")))
    assert models.from_hf_config(data, name="q").params() == m.params()
    # multimodal configs keep the language model under text_config
    nested = {"model_type": "llava", "text_config": data, "tie_word_embeddings": False}
    assert models.from_hf_config(nested, name="v").params() == m.params()


def test_decode_step_takes_a_config_path() -> None:
    h100 = accelsim.presets.load("h100-sxm")
    s = accelsim.decode_step(h100, cfg("qwen1.5-moe-a2.7b"), batch=4, context=1024, fidelity="roofline")
    assert s.feasible and s.tokens_per_s > 0 and s.model_name == "qwen1.5-moe-a2.7b"
    h200 = accelsim.presets.load("h200")
    ref = accelsim.decode_step(h200, "mixtral-8x7b", batch=4, context=1024, fidelity="roofline")
    via = accelsim.decode_step(h200, cfg("mixtral-8x7b-v0.1"), batch=4, context=1024, fidelity="roofline")
    assert ref.feasible and via.time_s == ref.time_s


def test_unsupported_and_broken_configs_name_the_key(tmp_path) -> None:
    data = json.load(open(cfg("qwen1.5-moe-a2.7b")))
    with pytest.raises(ConfigError, match="decoder_sparse_step"):
        models.from_hf_config(dict(data, decoder_sparse_step=2), name="x")
    with pytest.raises(ConfigError, match="mlp_only_layers"):
        models.from_hf_config(dict(data, mlp_only_layers=[0, 5]), name="x")
    del data["num_experts_per_tok"]
    with pytest.raises(ConfigError, match="num_experts_per_tok: missing"):
        models.from_hf_config(data, name="x")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        models.from_hf_config(str(bad))
    with pytest.raises(ConfigError, match="no such config.json"):
        models.load(str(tmp_path / "missing.json"))


def test_checkpoint_dtype() -> None:
    assert models.hf_weight_dtype(cfg("llama-3.1-8b")) == "bf16"
    assert models.hf_weight_dtype({"torch_dtype": "float16"}) == "fp16"
    assert models.hf_weight_dtype({"torch_dtype": "bfloat16",
                                   "quantization_config": {"quant_method": "fp8", "fmt": "e4m3"}}) == "fp8"


@pytest.mark.parametrize("alias, canon", [("bfloat16", "bf16"), ("float16", "fp16"), ("float8_e4m3fn", "fp8"),
                                          ("FP8", "fp8"), ("BF16", "bf16")])
def test_dtype_aliases_everywhere(alias, canon) -> None:
    h100 = accelsim.presets.load("h100-sxm")
    a = accelsim.decode_step(h100, "llama-3-8b", batch=2, context=512, weight_dtype=alias, kv_dtype=alias,
                             fidelity="roofline")
    b = accelsim.decode_step(h100, "llama-3-8b", batch=2, context=512, weight_dtype=canon, kv_dtype=canon,
                             fidelity="roofline")
    assert a.weight_dtype == canon and a.time_s == b.time_s
    assert accelsim.Gemv(m=1, n=64, k=64, dtype=alias) == accelsim.Gemv(m=1, n=64, k=64, dtype=canon)
    att = accelsim.DecodeAttention(batch=1, q_heads=8, kv_heads=8, head_dim=64, context=64, kv_dtype=alias)
    assert att.kv_dtype == canon
    with pytest.raises(ConfigError, match="weight_dtype: unknown dtype"):
        accelsim.decode_step(h100, "llama-3-8b", batch=1, context=64, weight_dtype="float7")

"""A Hugging Face ``config.json`` -> :class:`~accelsim.models.spec.ModelSpec`.

Reads the architecture keys of the decoder-only families serving engines run today: Llama, Mistral,
Qwen2/Qwen3, Gemma/Gemma 2/Gemma 3 (dense); Mixtral, Qwen2-MoE/Qwen3-MoE, DeepSeek-MoE (MoE); DeepSeek-V2/V3
(MoE with multi-head latent attention).  Multimodal configs are read through their ``text_config``.

What a config says that accelsim does not model is ignored on purpose (RoPE scaling, sliding windows,
logit soft-capping: none changes the bytes a decode step moves at the contexts accelsim simulates, except
sliding windows, see below); what it says that accelsim cannot represent is refused with a ConfigError
naming the key (MoE layers that are not every layer after the first dense ones, e.g. ``decoder_sparse_step``
> 1).  Sliding-window attention (Mistral v0.1, Gemma 2/3) is simulated as full attention: an upper bound on
the KV bytes beyond the window.

Family defaults follow the ``transformers`` config classes where a key is absent: Gemma ties its embeddings,
Qwen2 attention has q/k/v biases, a missing ``head_dim`` is ``hidden_size / num_attention_heads``.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Union

from ..dtypes import canonical
from ..errors import ConfigError
from .spec import MlaSpec, ModelSpec, MoeSpec

__all__ = ["from_hf_config", "hf_weight_dtype", "load_hf_config"]

#: model_type values whose config class defaults ``tie_word_embeddings`` to True
_TIED_BY_DEFAULT = frozenset({"gemma", "gemma2", "gemma3", "gemma3_text"})
#: model_type values whose attention has q/k/v biases whatever ``attention_bias`` says
_QKV_BIAS = frozenset({"qwen2", "qwen2_moe"})
#: hidden_act -> accelsim activation of a gated MLP (every family read here gates its MLP)
_GATED = {"silu": "swiglu", "swish": "swiglu", "gelu": "geglu", "gelu_pytorch_tanh": "geglu", "gelu_new": "geglu",
          "gelu_fast": "geglu", "relu": "reglu"}


def load_hf_config(path: Union[str, "os.PathLike[str]"]) -> dict[str, Any]:
    """The dict of a ``config.json`` file (or of ``config.json`` in a model directory); ConfigError naming
    the path when it is missing or not a JSON object."""
    p = os.fspath(path)
    if os.path.isdir(p):
        p = os.path.join(p, "config.json")
    from ..spec.io import parse_json, read_text  # noqa: PLC0415 - bounded size, duplicate keys, nesting

    try:
        text = read_text(p, "model")
    except FileNotFoundError:
        raise ConfigError("model", "no such config.json", p) from None
    except OSError as e:  # pragma: no cover - read_text turns the others into ConfigError
        raise ConfigError("model", f"cannot read {p}: {e.strerror or e}") from None
    try:
        data = parse_json(text)
    except ConfigError as e:
        raise ConfigError("model", f"{p} is not valid JSON ({e.reason.removeprefix('invalid JSON: ')})") from None
    if not isinstance(data, dict):
        raise ConfigError("model", f"{p} is not a Hugging Face config (a JSON object)")
    return data


def _text_config(c: Mapping[str, Any]) -> dict[str, Any]:
    if "hidden_size" not in c and isinstance(c.get("text_config"), Mapping):
        inner = dict(c["text_config"])
        for k in ("tie_word_embeddings", "torch_dtype", "quantization_config", "_name_or_path"):
            if k in c and k not in inner:
                inner[k] = c[k]
        return inner
    return dict(c)


def _name_of(c: Mapping[str, Any], path: Optional[str]) -> str:
    for v in (c.get("_name_or_path"),):
        if isinstance(v, str) and v.strip() and not v.startswith(("/", ".")):
            return v.strip().split("/")[-1].lower()
    if path:
        base = os.path.basename(os.path.normpath(path))
        if base == "config.json":
            base = os.path.basename(os.path.dirname(os.path.abspath(path)))
        elif base.endswith(".json"):
            base = base[:-5]
        if base:
            return base.lower()
    mt = c.get("model_type")
    return f"hf-{mt}" if isinstance(mt, str) and mt else "hf-model"


def from_hf_config(config: Union[str, "os.PathLike[str]", Mapping[str, Any]], *, name: Optional[str] = None,
                   source: Optional[str] = None) -> ModelSpec:
    """A ModelSpec from a Hugging Face ``config.json``: a path to the file (or to a model directory holding
    it) or the parsed dict.  ``name`` defaults to the config's ``_name_or_path`` (last part), else the file's
    name; ``source`` to the path.  Unsupported or missing keys are a ConfigError naming the key.

    >>> m = from_hf_config({"model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336,
    ...                     "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
    ...                     "vocab_size": 128256, "max_position_embeddings": 131072}, name="llama-3-8b")
    >>> m.params() == 8030261248
    True
    """
    path: Optional[str] = None
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        raw = load_hf_config(path)
    elif isinstance(config, Mapping):
        raw = dict(config)
    else:
        raise ConfigError("model", "a Hugging Face config must be a path or a dict", type(config).__name__)
    c = _text_config(raw)
    mt = str(c.get("model_type") or "")

    def need(key: str, *alts: str) -> Any:
        for k in (key,) + alts:
            if c.get(k) is not None:
                return c[k]
        raise ConfigError(key, "missing from config.json" + (f" (model_type {mt!r})" if mt else ""))

    d_model = need("hidden_size", "n_embd", "d_model")
    n_heads = need("num_attention_heads", "n_head")
    n_kv = c.get("num_key_value_heads") or n_heads
    n_layers = need("num_hidden_layers", "n_layer", "num_layers")

    mla = None
    if c.get("kv_lora_rank"):
        mla = MlaSpec(kv_lora_rank=c["kv_lora_rank"], q_lora_rank=c.get("q_lora_rank") or 0,
                      qk_nope_head_dim=need("qk_nope_head_dim"), qk_rope_head_dim=need("qk_rope_head_dim"),
                      v_head_dim=need("v_head_dim"))
        head_dim = mla.qk_head_dim
    else:
        head_dim = c.get("head_dim") or d_model // n_heads

    moe = None
    first_dense = 0
    n_routed = c.get("n_routed_experts") or c.get("num_local_experts") or c.get("num_experts")
    if n_routed:
        for key, ok in (("moe_layer_freq", 1), ("decoder_sparse_step", 1)):
            if c.get(key) not in (None, ok):
                raise ConfigError(key, "MoE layers interleaved with dense ones are not supported (only every layer "
                                       "after the first `first_k_dense_replace`)", c[key])
        if c.get("mlp_only_layers"):
            raise ConfigError("mlp_only_layers", "dense layers among the MoE layers are not supported",
                              c["mlp_only_layers"])
        expert_d_ff = c.get("moe_intermediate_size") or need("intermediate_size")
        shared_d_ff = c.get("shared_expert_intermediate_size")
        n_shared = c.get("n_shared_experts") or (1 if shared_d_ff else 0)
        moe = MoeSpec(n_experts=n_routed, top_k=need("num_experts_per_tok", "num_experts_per_token"),
                      n_shared_experts=n_shared, expert_d_ff=expert_d_ff, shared_expert_d_ff=shared_d_ff)
        first_dense = c.get("first_k_dense_replace") or 0

    act = str(c.get("hidden_activation") or c.get("hidden_act") or "silu").lower()
    activation = _GATED.get(act, act)
    tied = c.get("tie_word_embeddings")
    if tied is None:
        tied = mt in _TIED_BY_DEFAULT
    spec_name = name or _name_of(raw, path)
    return ModelSpec(
        name=spec_name,
        n_layers=n_layers,
        d_model=d_model,
        n_heads=n_heads,
        n_kv_heads=n_kv,
        head_dim=head_dim,
        d_ff=c.get("intermediate_size") or c.get("n_inner") or (moe.expert_d_ff if moe else need("intermediate_size")),
        vocab_size=need("vocab_size"),
        tied_embeddings=bool(tied),
        activation=activation,
        qkv_bias=bool(c.get("attention_bias", False)) or mt in _QKV_BIAS,
        mla=mla,
        moe=moe,
        first_dense_layers=first_dense,
        max_context=need("max_position_embeddings", "n_positions", "seq_length"),
        source=source if source is not None else (path or ""),
    )


def hf_weight_dtype(config: Union[str, "os.PathLike[str]", Mapping[str, Any]]) -> str:
    """The canonical dtype the checkpoint stores its weights in: the quantization config's format where there
    is one (``"fp8"`` for DeepSeek-V3's ``quant_method: fp8``), else ``torch_dtype`` (``"bfloat16"`` ->
    ``"bf16"``), else ``"bf16"``."""
    raw = load_hf_config(config) if isinstance(config, (str, os.PathLike)) else dict(config)
    c = _text_config(raw)
    q = c.get("quantization_config")
    if isinstance(q, Mapping):
        method = str(q.get("quant_method", "")).lower()
        if method == "fp8":
            return "fp8"
        bits = q.get("bits") or q.get("w_bit")
        if bits in (4, 8):
            return "int4" if bits == 4 else "int8"
    dt = c.get("torch_dtype") or c.get("dtype")
    return canonical(dt, "torch_dtype") if isinstance(dt, str) else "bf16"

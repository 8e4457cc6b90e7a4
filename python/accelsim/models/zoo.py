"""Built-in model architectures, transcribed from the published configs.

Each entry cites the HuggingFace ``config.json`` it was taken from (the
``source`` field repeats the URL).  Only architectural hyper-parameters are
recorded; tokenizer, RoPE scaling, sliding-window and training details are
irrelevant to memory-traffic simulation and are left out.
"""
from __future__ import annotations

from .spec import MlaSpec, ModelSpec, MoeSpec

# https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json
# hidden_size 4096, intermediate_size 14336, 32 layers, 32 heads / 8 kv heads,
# vocab 128256, max_position_embeddings 131072, untied.  ~8.03B params.
LLAMA_3_8B = ModelSpec(
    name="llama-3-8b",
    n_layers=32,
    d_model=4096,
    n_heads=32,
    n_kv_heads=8,
    head_dim=128,
    d_ff=14336,
    vocab_size=128256,
    max_context=131072,
    source="https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json",
)

# https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json
# hidden_size 8192, intermediate_size 28672, 80 layers, 64 heads / 8 kv heads.
# ~70.6B params.
LLAMA_3_70B = ModelSpec(
    name="llama-3-70b",
    n_layers=80,
    d_model=8192,
    n_heads=64,
    n_kv_heads=8,
    head_dim=128,
    d_ff=28672,
    vocab_size=128256,
    max_context=131072,
    source="https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json",
)

# https://huggingface.co/meta-llama/Llama-3.1-405B/blob/main/config.json
# hidden_size 16384, intermediate_size 53248, 126 layers, 128 heads / 8 kv heads.
# ~405.9B params.
LLAMA_3_405B = ModelSpec(
    name="llama-3-405b",
    n_layers=126,
    d_model=16384,
    n_heads=128,
    n_kv_heads=8,
    head_dim=128,
    d_ff=53248,
    vocab_size=128256,
    max_context=131072,
    source="https://huggingface.co/meta-llama/Llama-3.1-405B/blob/main/config.json",
)

# https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json
# hidden_size 4096, intermediate_size 11008, 32 layers, 32 heads, no GQA (MHA),
# vocab 32000, max_position_embeddings 4096.  ~6.74B params.
LLAMA_2_7B = ModelSpec(
    name="llama-2-7b",
    n_layers=32,
    d_model=4096,
    n_heads=32,
    n_kv_heads=32,
    head_dim=128,
    d_ff=11008,
    vocab_size=32000,
    max_context=4096,
    source="https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json",
)

# https://huggingface.co/mistralai/Mistral-7B-v0.1/blob/main/config.json
# hidden_size 4096, intermediate_size 14336, 32 layers, 32 heads / 8 kv heads,
# vocab 32000, max_position_embeddings 32768 (4096-token sliding window not
# modelled).  ~7.24B params.
MISTRAL_7B = ModelSpec(
    name="mistral-7b",
    n_layers=32,
    d_model=4096,
    n_heads=32,
    n_kv_heads=8,
    head_dim=128,
    d_ff=14336,
    vocab_size=32000,
    max_context=32768,
    source="https://huggingface.co/mistralai/Mistral-7B-v0.1/blob/main/config.json",
)

# https://huggingface.co/Qwen/Qwen2.5-7B/blob/main/config.json
# hidden_size 3584, intermediate_size 18944, 28 layers, 28 heads / 4 kv heads,
# vocab 152064, max_position_embeddings 131072, untied, q/k/v biases.
# ~7.62B params.
QWEN_2_5_7B = ModelSpec(
    name="qwen2.5-7b",
    n_layers=28,
    d_model=3584,
    n_heads=28,
    n_kv_heads=4,
    head_dim=128,
    d_ff=18944,
    vocab_size=152064,
    qkv_bias=True,
    max_context=131072,
    source="https://huggingface.co/Qwen/Qwen2.5-7B/blob/main/config.json",
)

# https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json
# hidden_size 4096, intermediate_size 14336, 32 layers, 32 heads / 8 kv heads,
# num_local_experts 8, num_experts_per_tok 2, vocab 32000,
# max_position_embeddings 32768.  ~46.7B total / ~12.9B active params.
MIXTRAL_8X7B = ModelSpec(
    name="mixtral-8x7b",
    n_layers=32,
    d_model=4096,
    n_heads=32,
    n_kv_heads=8,
    head_dim=128,
    d_ff=14336,
    vocab_size=32000,
    moe=MoeSpec(n_experts=8, top_k=2, n_shared_experts=0, expert_d_ff=14336),
    max_context=32768,
    source="https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json",
)

# https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json
# (architecture: arXiv:2412.19437).  hidden_size 7168, 61 layers, 128 heads,
# MLA with kv_lora_rank 512, q_lora_rank 1536, qk_nope_head_dim 128,
# qk_rope_head_dim 64, v_head_dim 128; 256 routed experts (top-8) + 1 shared
# expert, moe_intermediate_size 2048; first_k_dense_replace 3 dense layers
# with intermediate_size 18432; vocab 129280; max_position_embeddings 163840.
# ~671B total / ~37B active params (the 14B multi-token-prediction module is
# not part of the inference model and is not counted).
DEEPSEEK_V3 = ModelSpec(
    name="deepseek-v3",
    n_layers=61,
    d_model=7168,
    n_heads=128,
    n_kv_heads=128,
    head_dim=192,  # qk_nope_head_dim + qk_rope_head_dim
    d_ff=18432,
    vocab_size=129280,
    mla=MlaSpec(
        kv_lora_rank=512,
        q_lora_rank=1536,
        qk_nope_head_dim=128,
        qk_rope_head_dim=64,
        v_head_dim=128,
    ),
    moe=MoeSpec(n_experts=256, top_k=8, n_shared_experts=1, expert_d_ff=2048),
    first_dense_layers=3,
    max_context=163840,
    source="https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json",
)

# GPT-3 (Brown et al., "Language Models are Few-Shot Learners", 2020, Table 2.1): the model the PIM papers
# evaluate. No config.json exists; the dimensions are the ones the papers' own simulators use:
# AttAcc's src/config.py  "model_table['GPT-175B'] = [96, 12288, 96, 128, 4, 1]" (layers, d_model, heads,
# head dim, FFN = 4 x d_model, GQA group 1) and NeuPIMs' configs/model_configs/gpt3-7B.json
# ("model_n_head": 32, "model_n_embd": 4096, "model_vocab_size": 50304; 32 layers per Table 2.1).
# Pre-norm LayerNorm, GELU FFN (two projections), learned positions, tied embeddings; 2048-token context.
GPT_3_175B = ModelSpec(
    name="gpt-3-175b",
    n_layers=96,
    d_model=12288,
    n_heads=96,
    n_kv_heads=96,
    head_dim=128,
    d_ff=4 * 12288,
    vocab_size=50304,
    tied_embeddings=True,
    norm="layernorm",
    activation="gelu",
    qkv_bias=True,
    max_context=2048,
    source="https://arxiv.org/abs/2005.14165 (Brown et al. 2020, Table 2.1); as AttAcc simulator model_table['GPT-175B']",
)

GPT_3_6_7B = ModelSpec(
    name="gpt-3-6.7b",
    n_layers=32,
    d_model=4096,
    n_heads=32,
    n_kv_heads=32,
    head_dim=128,
    d_ff=4 * 4096,
    vocab_size=50304,
    tied_embeddings=True,
    norm="layernorm",
    activation="gelu",
    qkv_bias=True,
    max_context=2048,
    source="https://arxiv.org/abs/2005.14165 (Brown et al. 2020, Table 2.1); as NeuPIMs configs/model_configs/gpt3-7B.json",
)

#: Built-in models in a stable, documented order.
BUILTIN: tuple[ModelSpec, ...] = (
    LLAMA_2_7B,
    LLAMA_3_8B,
    LLAMA_3_70B,
    LLAMA_3_405B,
    MISTRAL_7B,
    QWEN_2_5_7B,
    MIXTRAL_8X7B,
    DEEPSEEK_V3,
    GPT_3_175B,
    GPT_3_6_7B,
)

#: Alternative spellings accepted by :func:`accelsim.models.load`.
ALIASES: dict[str, str] = {
    "llama-3.1-8b": "llama-3-8b",
    "llama-3.1-70b": "llama-3-70b",
    "llama-3.1-405b": "llama-3-405b",
    "llama3-8b": "llama-3-8b",
    "llama3-70b": "llama-3-70b",
    "llama3-405b": "llama-3-405b",
    "llama2-7b": "llama-2-7b",
    "mistral-7b-v0.1": "mistral-7b",
    "qwen-2.5-7b": "qwen2.5-7b",
    "mixtral-8x7b-v0.1": "mixtral-8x7b",
    "deepseekv3": "deepseek-v3",
    "gpt3-175b": "gpt-3-175b",
    "gpt-175b": "gpt-3-175b",
    "gpt3-7b": "gpt-3-6.7b",
    "gpt-3-7b": "gpt-3-6.7b",
}

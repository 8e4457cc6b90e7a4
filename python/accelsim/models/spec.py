"""Architecture descriptions of decoder-only LLMs and the derived quantities
the simulator needs: parameter counts, weight bytes, KV-cache bytes per
token and (for mixture-of-experts models) how many distinct experts a batch
of tokens is expected to touch.

Everything here is pure Python and deliberately free of any framework
dependency.  All counts are exact integers; expectations are floats.

Conventions
-----------
* ``params()`` counts every weight of the *inference* model: token embedding,
  ``lm_head`` (unless tied), per-layer attention, MLP / MoE (router
  included), and all norm weights.  Multi-token-prediction heads and other
  training-only modules are not counted.
* MoE layers: ``n_experts`` routed experts each of width ``expert_d_ff``, plus
  ``n_shared_experts`` always-active shared experts each of width
  ``shared_expert_d_ff`` (defaults to ``expert_d_ff``; this matches
  DeepSeek-V3 where the shared MLP has width
  ``n_shared_experts * moe_intermediate_size``).
* The first ``first_dense_layers`` layers of a MoE model are ordinary dense
  MLP layers of width ``d_ff`` (DeepSeek-V3's ``first_k_dense_replace``).
* ``active_params(tokens)`` counts everything except routed experts in full
  and routed experts by their *expected number of distinct experts touched*
  by ``tokens`` tokens under uniform routing.  Like the figures published
  with Mixtral (12.9B) and DeepSeek-V3 (37B), embedding and ``lm_head`` are
  included in full.
"""
from __future__ import annotations

import dataclasses

import math
import numbers
from dataclasses import asdict, dataclass, replace
from typing import Any, Mapping

from ..dtypes import DTYPE_BITS, canonical, weight_format
from ..errors import ConfigError


__all__ = [
    "ConfigError",
    "DTYPE_BITS",
    "MlaSpec",
    "ModelSpec",
    "MoeSpec",
    "dtype_bytes",
    "expected_distinct_experts",
    "expected_distinct_experts_skewed",
]


# --------------------------------------------------------------------------
# errors & small validators
# --------------------------------------------------------------------------
def config_error(field_name: str, reason: str, *value: Any) -> ConfigError:
    """``ConfigError(field, reason[, value])``; the message reads
    ``"field: reason (got value)"``."""
    return ConfigError(field_name, reason, *value)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_int(owner: str, name: str, value: Any, *, minimum: int = 1) -> None:
    if not _is_int(value):
        raise config_error(name, f"{owner}.{name} must be an int", value)
    if value < minimum:
        raise config_error(name, f"{owner}.{name} must be >= {minimum}", value)


def _plain_ints(obj: Any) -> None:
    """Store numpy (and other non-``int``) integers as Python ints, so that products of dimensions cannot
    silently wrap around at 2**63."""
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if _is_int(v) and type(v) is not int:
            object.__setattr__(obj, f.name, int(v))


def _check_choice(owner: str, name: str, value: Any, choices: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in choices:
        raise config_error(name, f"{owner}.{name} must be one of {', '.join(choices)}", value)


# --------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------
def _dtype_bits(dtype: str, field_name: str = "dtype") -> int:
    return DTYPE_BITS[canonical(dtype, field_name)]


def dtype_bytes(dtype: str) -> float:
    """Bytes per element of ``dtype`` (0.5 for the 4-bit formats)."""
    return _dtype_bits(dtype) / 8


def _bytes_for(n_elements: int, dtype: str, field_name: str) -> int:
    """Whole bytes needed for ``n_elements`` values of ``dtype`` (rounded up)."""
    bits = _dtype_bits(dtype, field_name)
    return -(-(n_elements * bits) // 8)


# --------------------------------------------------------------------------
# expert-routing statistics
# --------------------------------------------------------------------------
def _check_routing(n_experts: Any, top_k: Any, tokens: Any) -> None:
    _check_int("routing", "n_experts", n_experts)
    _check_int("routing", "top_k", top_k)
    _check_int("routing", "tokens", tokens, minimum=0)
    if top_k > n_experts:
        raise config_error("top_k", f"must be <= n_experts ({n_experts})", top_k)


def expected_distinct_experts(n_experts: int, top_k: int, tokens: int) -> float:
    """Expected number of distinct experts touched by ``tokens`` tokens.

    Each token picks a uniformly random set of ``top_k`` of ``n_experts``
    experts, independently of the other tokens.  A given expert is then
    picked by one token with probability ``k/E`` so the expectation is
    exactly ``E * (1 - (1 - k/E) ** B)``.

    The result lies in ``[min(k, ...), min(E, k*B)]``; ``tokens == 1``
    gives exactly ``top_k`` and ``tokens == 0`` gives ``0``.
    """
    _check_routing(n_experts, top_k, tokens)
    if tokens == 0:
        return 0.0
    if tokens == 1:
        return float(top_k)
    if top_k == n_experts:
        return float(n_experts)
    # E * (1 - (1 - k/E)^B) computed without cancellation for small k/E.
    value = -n_experts * math.expm1(tokens * math.log1p(-top_k / n_experts))
    # Guard the analytic bounds against rounding.
    return min(max(value, float(top_k)), float(min(n_experts, top_k * tokens)))


def zipf_probabilities(n_experts: int, zipf_s: float) -> list[float]:
    """Normalised Zipf(s) popularity of experts ranked 1..E (s=0 is uniform)."""
    _check_int("routing", "n_experts", n_experts)
    if not isinstance(zipf_s, (int, float)) or isinstance(zipf_s, bool) or not (
        math.isfinite(zipf_s) and zipf_s >= 0
    ):
        raise config_error("zipf_s", "must be a finite number >= 0", zipf_s)
    weights = [rank ** (-float(zipf_s)) for rank in range(1, n_experts + 1)]
    total = math.fsum(weights)
    return [w / total for w in weights]


def routing_inclusion_probabilities(n_experts: int, top_k: int, zipf_s: float) -> list[float]:
    """Probability ``q_i`` that one token routes to expert ``i`` (rank ``i``) under Zipf(s) popularity.

    A token picks exactly ``top_k`` distinct experts, so ``sum(q) == top_k`` and every ``q_i <= 1``:
    ``q_i = min(1, c * p_i)`` with ``c`` set so the sum is ``top_k`` (experts whose share ``k * p_i``
    would exceed 1 are always picked and their excess goes to the others in proportion to popularity).
    With no such expert (uniform routing, mild skew) ``q_i = k * p_i``.
    """
    _check_routing(n_experts, top_k, 0)
    probs = zipf_probabilities(n_experts, zipf_s)
    if probs[0] * top_k <= 1.0:
        return [min(1.0, p * top_k) for p in probs]
    suffix = [0.0] * (n_experts + 1)  # suffix[j] = sum(probs[j:])
    for j in range(n_experts - 1, -1, -1):
        suffix[j] = suffix[j + 1] + probs[j]
    for j in range(1, top_k + 1):  # the j most popular experts are always picked
        if j == n_experts or suffix[j] <= 0.0:
            return [1.0] * j + [0.0] * (n_experts - j)
        scale = (top_k - j) / suffix[j]
        if probs[j] * scale <= 1.0:
            return [1.0] * j + [min(1.0, p * scale) for p in probs[j:]]
    return [1.0] * top_k + [0.0] * (n_experts - top_k)  # pragma: no cover - the loop returns by j = top_k


def expected_distinct_experts_skewed(
    n_experts: int, top_k: int, tokens: int, zipf_s: float
) -> float:
    """Expected distinct experts under Zipf-skewed routing.

    Expert ``i`` (rank ``i``) has popularity ``p_i ∝ i**-zipf_s``; a token
    selects it with probability ``q_i`` (:func:`routing_inclusion_probabilities`:
    ``min(1, c * p_i)`` summing to ``top_k``) and tokens are independent, so
    the expectation is ``sum_i 1 - (1 - q_i) ** B``: exactly ``top_k`` for
    one token, at most the uniform value (q majorizes k/E; x -> 1-(1-x)^B is
    concave). ``zipf_s == 0`` reproduces :func:`expected_distinct_experts`.
    """
    _check_routing(n_experts, top_k, tokens)
    q_all = routing_inclusion_probabilities(n_experts, top_k, zipf_s)
    if tokens == 0:
        return 0.0
    terms = []
    for q in q_all:
        if q >= 1.0:
            terms.append(1.0)
        else:
            terms.append(-math.expm1(tokens * math.log1p(-q)))
    total = math.fsum(terms)
    return min(max(total, float(top_k)), float(min(n_experts, top_k * tokens)))


# --------------------------------------------------------------------------
# spec dataclasses
# --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class MlaSpec:
    """DeepSeek multi-head latent attention dimensions.

    ``q_lora_rank == 0`` means queries are not low-rank compressed (as in
    DeepSeek-V2-Lite, whose config has ``q_lora_rank: null``).
    """

    kv_lora_rank: int
    q_lora_rank: int
    qk_nope_head_dim: int
    qk_rope_head_dim: int
    v_head_dim: int

    def __post_init__(self) -> None:
        _plain_ints(self)
        _check_int("MlaSpec", "kv_lora_rank", self.kv_lora_rank)
        _check_int("MlaSpec", "q_lora_rank", self.q_lora_rank, minimum=0)
        _check_int("MlaSpec", "qk_nope_head_dim", self.qk_nope_head_dim)
        _check_int("MlaSpec", "qk_rope_head_dim", self.qk_rope_head_dim)
        _check_int("MlaSpec", "v_head_dim", self.v_head_dim)

    @property
    def qk_head_dim(self) -> int:
        return self.qk_nope_head_dim + self.qk_rope_head_dim

    @property
    def kv_cache_dim(self) -> int:
        """Elements cached per token per layer (compressed latent + rope key)."""
        return self.kv_lora_rank + self.qk_rope_head_dim


@dataclass(frozen=True, kw_only=True)
class MoeSpec:
    """Mixture-of-experts MLP configuration.

    ``shared_expert_d_ff`` is the width of *each* shared expert and defaults
    to ``expert_d_ff``.
    """

    n_experts: int
    top_k: int
    n_shared_experts: int = 0
    expert_d_ff: int
    shared_expert_d_ff: int | None = None

    def __post_init__(self) -> None:
        _plain_ints(self)
        _check_int("MoeSpec", "n_experts", self.n_experts)
        _check_int("MoeSpec", "top_k", self.top_k)
        _check_int("MoeSpec", "n_shared_experts", self.n_shared_experts, minimum=0)
        _check_int("MoeSpec", "expert_d_ff", self.expert_d_ff)
        if self.shared_expert_d_ff is not None:
            _check_int("MoeSpec", "shared_expert_d_ff", self.shared_expert_d_ff)
        if self.top_k > self.n_experts:
            raise config_error(
                "top_k",
                f"MoeSpec.top_k must be <= n_experts ({self.n_experts})",
                self.top_k,
            )

    @property
    def shared_d_ff(self) -> int:
        """Width of one shared expert."""
        return self.expert_d_ff if self.shared_expert_d_ff is None else self.shared_expert_d_ff


NORMS: tuple[str, ...] = ("rmsnorm", "layernorm")
#: Gated activations use three projections (gate, up, down); others use two.
GATED_ACTIVATIONS: tuple[str, ...] = ("swiglu", "geglu", "reglu")
ACTIVATIONS: tuple[str, ...] = GATED_ACTIVATIONS + ("gelu", "relu", "silu")
ATTENTIONS: tuple[str, ...] = ("mha", "gqa", "mqa", "mla")


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """A decoder-only transformer.

    ``attention`` is derived when omitted: ``"mla"`` if ``mla`` is given,
    else ``"mha"`` (n_kv_heads == n_heads), ``"mqa"`` (n_kv_heads == 1) or
    ``"gqa"``.  For MLA models ``head_dim`` is the query/key head dimension
    (``qk_nope_head_dim + qk_rope_head_dim``) and ``n_kv_heads`` is
    informational only.
    """

    name: str
    n_layers: int
    d_model: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    d_ff: int
    vocab_size: int
    tied_embeddings: bool = False
    norm: str = "rmsnorm"
    activation: str = "swiglu"
    attention: str | None = None
    qkv_bias: bool = False
    mla: MlaSpec | None = None
    moe: MoeSpec | None = None
    first_dense_layers: int = 0
    max_context: int
    source: str = ""

    # ------------------------------------------------------------------ init
    def __post_init__(self) -> None:
        _plain_ints(self)
        if not isinstance(self.name, str) or not self.name.strip():
            raise config_error("name", "ModelSpec.name must be a non-empty string", self.name)
        for name in ("n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim",
                     "d_ff", "vocab_size", "max_context"):
            _check_int("ModelSpec", name, getattr(self, name))
        _check_int("ModelSpec", "first_dense_layers", self.first_dense_layers, minimum=0)
        for name in ("tied_embeddings", "qkv_bias"):
            if not isinstance(getattr(self, name), bool):
                raise config_error(name, f"ModelSpec.{name} must be a bool", getattr(self, name))
        _check_choice("ModelSpec", "norm", self.norm, NORMS)
        _check_choice("ModelSpec", "activation", self.activation, ACTIVATIONS)
        if not isinstance(self.source, str):
            raise config_error("source", "ModelSpec.source must be a string")

        if self.n_kv_heads > self.n_heads or self.n_heads % self.n_kv_heads:
            raise config_error(
                "n_kv_heads",
                f"must divide n_heads ({self.n_heads})",
                self.n_kv_heads,
            )
        if self.mla is not None and not isinstance(self.mla, MlaSpec):
            raise config_error("mla", "ModelSpec.mla must be an MlaSpec or None", self.mla)
        if self.moe is not None and not isinstance(self.moe, MoeSpec):
            raise config_error("moe", "ModelSpec.moe must be a MoeSpec or None", self.moe)

        attention = self.attention
        if attention is None:
            if self.mla is not None:
                attention = "mla"
            elif self.n_kv_heads == self.n_heads:
                attention = "mha"
            elif self.n_kv_heads == 1:
                attention = "mqa"
            else:
                attention = "gqa"
            object.__setattr__(self, "attention", attention)
        _check_choice("ModelSpec", "attention", attention, ATTENTIONS)
        if attention == "mla" and self.mla is None:
            raise config_error("mla", "attention='mla' requires an MlaSpec in ModelSpec.mla")
        if attention != "mla" and self.mla is not None:
            raise config_error("attention", "must be 'mla' when an MlaSpec is given", attention)
        if attention == "mha" and self.n_kv_heads != self.n_heads:
            raise config_error("n_kv_heads", "attention='mha' requires n_kv_heads == n_heads",
                         self.n_kv_heads)
        if attention == "mqa" and self.n_kv_heads != 1:
            raise config_error("n_kv_heads", "attention='mqa' requires n_kv_heads == 1",
                         self.n_kv_heads)

        if self.moe is None:
            if self.first_dense_layers:
                raise config_error(
                    "first_dense_layers",
                    "only applies to mixture-of-experts models (moe is None)",
                    self.first_dense_layers,
                )
        elif self.first_dense_layers >= self.n_layers:
            raise config_error(
                "first_dense_layers",
                f"must be < n_layers ({self.n_layers}) for a MoE model",
                self.first_dense_layers,
            )

    # ------------------------------------------------------------ structure
    @property
    def is_moe(self) -> bool:
        return self.moe is not None

    @property
    def n_moe_layers(self) -> int:
        return 0 if self.moe is None else self.n_layers - self.first_dense_layers

    @property
    def n_dense_layers(self) -> int:
        return self.n_layers - self.n_moe_layers

    def is_moe_layer(self, layer: int) -> bool:
        if not _is_int(layer) or not 0 <= layer < self.n_layers:
            raise config_error("layer", f"layer index out of range [0, {self.n_layers})", layer)
        return self.moe is not None and layer >= self.first_dense_layers

    @property
    def gated_mlp(self) -> bool:
        return self.activation in GATED_ACTIVATIONS

    @property
    def q_dim(self) -> int:
        """Width of the concatenated query heads."""
        return self.n_heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        """Width of the concatenated key (or value) heads (GQA/MHA/MQA)."""
        return self.n_kv_heads * self.head_dim

    # ------------------------------------------------------ parameter counts
    def _norm_params(self, width: int) -> int:
        return width * (2 if self.norm == "layernorm" else 1)

    def _mlp_params(self, d_ff: int) -> int:
        return (3 if self.gated_mlp else 2) * self.d_model * d_ff

    def attention_params(self) -> int:
        """Weights of one attention block (projections, biases, MLA norms)."""
        d = self.d_model
        if self.mla is not None:
            m = self.mla
            h = self.n_heads
            if m.q_lora_rank:
                q = d * m.q_lora_rank + m.q_lora_rank + m.q_lora_rank * h * m.qk_head_dim
            else:
                q = d * h * m.qk_head_dim
            kv = (
                d * (m.kv_lora_rank + m.qk_rope_head_dim)  # kv_a_proj_with_mqa
                + m.kv_lora_rank  # kv_a_layernorm
                + m.kv_lora_rank * h * (m.qk_nope_head_dim + m.v_head_dim)  # kv_b_proj
            )
            o = h * m.v_head_dim * d
            return q + kv + o
        params = d * self.q_dim + 2 * d * self.kv_dim + self.q_dim * d
        if self.qkv_bias:
            params += self.q_dim + 2 * self.kv_dim
        return params

    def dense_mlp_params(self) -> int:
        """Weights of one dense MLP of width ``d_ff``."""
        return self._mlp_params(self.d_ff)

    def expert_params(self) -> int:
        """Weights of one routed expert (0 for dense models)."""
        return 0 if self.moe is None else self._mlp_params(self.moe.expert_d_ff)

    def shared_expert_params(self) -> int:
        """Weights of all shared experts of one MoE layer."""
        if self.moe is None:
            return 0
        return self.moe.n_shared_experts * self._mlp_params(self.moe.shared_d_ff)

    def router_params(self) -> int:
        """Router (gate) weights of one MoE layer."""
        return 0 if self.moe is None else self.d_model * self.moe.n_experts

    def layer_norm_params(self) -> int:
        """The two per-layer norms (pre-attention and pre-MLP)."""
        return 2 * self._norm_params(self.d_model)

    def param_breakdown(self) -> dict[str, int]:
        """Parameter count by component, summed over layers."""
        emb = self.vocab_size * self.d_model
        moe_layers = self.n_moe_layers
        routed = moe_layers * (self.moe.n_experts if self.moe else 0) * self.expert_params()
        return {
            "embedding": emb,
            "lm_head": 0 if self.tied_embeddings else emb,
            "attention": self.n_layers * self.attention_params(),
            "dense_mlp": self.n_dense_layers * self.dense_mlp_params(),
            "routed_experts": routed,
            "shared_experts": moe_layers * self.shared_expert_params(),
            "router": moe_layers * self.router_params(),
            "norms": self.n_layers * self.layer_norm_params() + self._norm_params(self.d_model),
        }

    def params(self) -> int:
        """Total parameter count of the inference model."""
        return sum(self.param_breakdown().values())

    def active_params(self, tokens: int = 1) -> float:
        """Parameters touched when decoding ``tokens`` tokens together.

        Equals ``params()`` for dense models.  For MoE models the routed
        experts are counted by :meth:`expected_experts` per MoE layer.
        """
        _check_int("active_params", "tokens", tokens)
        if self.moe is None:
            return float(self.params())
        breakdown = self.param_breakdown()
        fixed = sum(v for k, v in breakdown.items() if k != "routed_experts")
        experts = self.expected_experts(tokens)
        return fixed + self.n_moe_layers * experts * self.expert_params()

    # ------------------------------------------------------------- bytes
    def weight_bytes(self, weight_dtype: str) -> int:
        """Bytes of all weights stored as ``weight_dtype`` (rounded up): a dtype (values only) or a weight
        format of :data:`accelsim.dtypes.WEIGHT_FORMATS` (a microscaling format such as ``"nvfp4"`` counts
        its block scales too)."""
        f = weight_format(weight_dtype, "weight_dtype")
        n = self.params()
        bits = n * DTYPE_BITS[f.weight]
        if f.scales_in_format and f.group_size:
            bits += -(-n // f.group_size) * f.scale_bits
        return -(-bits // 8)

    def kv_elements_per_token(self) -> int:
        """KV-cache elements per sequence per token, over all layers."""
        if self.mla is not None:
            return self.mla.kv_cache_dim * self.n_layers
        return 2 * self.n_kv_heads * self.head_dim * self.n_layers

    def kv_bytes_per_token(self, kv_dtype: str) -> int:
        """KV-cache bytes per sequence per token across all layers.

        GQA/MHA/MQA: ``2 * n_kv_heads * head_dim * n_layers * bytes``;
        MLA: ``(kv_lora_rank + qk_rope_head_dim) * n_layers * bytes``.
        """
        return _bytes_for(self.kv_elements_per_token(), kv_dtype, "kv_dtype")

    # ------------------------------------------------------------- routing
    def expected_experts(
        self, batch: int, top_k: int | None = None, n_experts: int | None = None
    ) -> float:
        """Expected distinct routed experts per MoE layer for ``batch`` tokens
        under uniform routing; ``top_k``/``n_experts`` override the spec.
        Returns 0.0 for a dense model unless both overrides are given."""
        if self.moe is None and (top_k is None or n_experts is None):
            return 0.0
        k = self.moe.top_k if top_k is None else top_k  # type: ignore[union-attr]
        e = self.moe.n_experts if n_experts is None else n_experts  # type: ignore[union-attr]
        return expected_distinct_experts(e, k, batch)

    # ------------------------------------------------------------- misc
    def with_(self, **changes: Any) -> "ModelSpec":
        """A copy with some fields replaced (re-validated)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ModelSpec":
        """Inverse of :meth:`to_dict` (nested ``mla``/``moe`` may be dicts)."""
        data = dict(data)
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise config_error(unknown[0], f"unknown ModelSpec field(s): {', '.join(unknown)}")
        if isinstance(data.get("mla"), Mapping):
            data["mla"] = MlaSpec(**data["mla"])
        if isinstance(data.get("moe"), Mapping):
            data["moe"] = MoeSpec(**data["moe"])
        try:
            return cls(**data)
        except TypeError as exc:  # missing required fields
            raise config_error("spec", f"cannot build ModelSpec: {exc}") from None

    @classmethod
    def from_hf_config(
        cls, config: Mapping[str, Any], *, name: str, source: str = ""
    ) -> "ModelSpec":
        """Build a spec from a HuggingFace ``config.json`` dictionary; see
        :func:`accelsim.models.from_hf_config` (which also takes a path)."""
        from .hf import from_hf_config  # noqa: PLC0415 - hf builds on this module

        return from_hf_config(config, name=name, source=source)

    def summary(self) -> str:
        """One-line human-readable description."""
        kind = f"MoE {self.moe.n_experts}x top-{self.moe.top_k}" if self.moe else "dense"
        return (
            f"{self.name}: {self.params() / 1e9:.2f}B params "
            f"({self.active_params() / 1e9:.2f}B active), {self.n_layers} layers, "
            f"d_model {self.d_model}, {self.attention} {self.n_heads}/{self.n_kv_heads} heads, "
            f"{kind}, KV {self.kv_bytes_per_token('bf16')} B/token (bf16)"
        )

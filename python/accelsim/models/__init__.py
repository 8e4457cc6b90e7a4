"""Model zoo: architecture specs of popular LLMs and a name registry.

>>> from accelsim import models
>>> spec = models.load("llama-3-8b")
>>> spec.kv_bytes_per_token("bf16")
131072
"""
from __future__ import annotations

import difflib
import os

from .spec import DTYPE_BITS, MlaSpec, ModelSpec, MoeSpec, dtype_bytes, expected_distinct_experts, expected_distinct_experts_skewed, zipf_probabilities, routing_inclusion_probabilities
from .spec import config_error
from .zoo import ALIASES, BUILTIN
from .hf import from_hf_config, hf_weight_dtype

__all__ = [
    "DTYPE_BITS",
    "MlaSpec",
    "ModelSpec",
    "MoeSpec",
    "dtype_bytes",
    "expected_distinct_experts",
    "expected_distinct_experts_skewed",
    "zipf_probabilities",
    "routing_inclusion_probabilities",
    "from_hf_config",
    "hf_weight_dtype",
    "load",
    "names",
    "register",
    "unregister",
]

_REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in BUILTIN}
_BUILTIN_NAMES = frozenset(_REGISTRY)


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _is_config_path(name: str) -> bool:
    """A Hugging Face config.json (a ``.json`` path, or a model directory holding config.json)."""
    return name.lower().endswith(".json") or (os.sep in name and os.path.isfile(os.path.join(name, "config.json")))


def names() -> list[str]:
    """Registered model names: built-ins in zoo order, then user models."""
    return list(_REGISTRY)


def load(name: str | ModelSpec) -> ModelSpec:
    """Return the spec registered as ``name`` (case-insensitive; ``_`` and
    ``-`` are interchangeable; a few aliases such as ``llama-3.1-8b`` work),
    or read a Hugging Face ``config.json`` (a path ending in ``.json``, or a
    model directory holding one; see :func:`from_hf_config`).
    A ModelSpec is returned unchanged.  Unknown names raise ConfigError."""
    if isinstance(name, ModelSpec):
        return name
    if isinstance(name, os.PathLike) or (isinstance(name, str) and _is_config_path(name)):
        return from_hf_config(name)
    if not isinstance(name, str):
        raise config_error("model", "model name must be a string", name)
    if name in _REGISTRY:
        return _REGISTRY[name]
    key = _key(name)
    lowered = {_key(n): n for n in _REGISTRY}
    key = lowered.get(key) or ALIASES.get(key) or key
    if key in _REGISTRY:
        return _REGISTRY[key]
    candidates = list(_REGISTRY) + list(ALIASES)
    close = difflib.get_close_matches(_key(name), candidates, n=1, cutoff=0.5)
    hint = f" Did you mean {ALIASES.get(close[0], close[0])!r}?" if close else ""
    raise config_error(
        "model",
        f"unknown model {name!r}.{hint} Choices: {', '.join(_REGISTRY)}",
    )


def register(spec: ModelSpec, *, overwrite: bool = False) -> ModelSpec:
    """Add a user-defined model to the registry and return it.

    Re-registering an existing name raises ConfigError unless
    ``overwrite=True``; built-in models can never be replaced.
    """
    if not isinstance(spec, ModelSpec):
        raise config_error("spec", "register() expects a ModelSpec", spec)
    if spec.name in _BUILTIN_NAMES:
        raise config_error("name", "is a built-in model and cannot be replaced", spec.name)
    if spec.name in _REGISTRY and not overwrite:
        raise config_error(
            "name", "is already registered (pass overwrite=True)", spec.name
        )
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a user-registered model (built-ins cannot be removed)."""
    if name in _BUILTIN_NAMES:
        raise config_error("name", "is a built-in model and cannot be removed", name)
    if name not in _REGISTRY:
        raise config_error("name", "is not registered", name)
    del _REGISTRY[name]

"""The one dtype table: every dtype name accelsim knows, its size, and the common spellings of it.

Matrix units are described per dtype (:class:`~accelsim.spec.machine.DtypeRates`), kernels move and compute
in dtypes, the energy model charges per dtype: all of them read this table.
"""

from __future__ import annotations

from .errors import ConfigError

__all__ = ["DTYPES", "DTYPE_BITS", "DTYPE_BYTES", "ALIASES", "canonical", "dtype_bytes"]

#: Every dtype name, widest first (the fields of DtypeRates / DtypeEnergies, in this order).
DTYPES: tuple[str, ...] = ("fp32", "bf16", "fp16", "fp8", "int8", "int4", "fp4")

#: Bits per element (int4 / fp4 pack two per byte).
DTYPE_BITS: dict[str, int] = {"fp32": 32, "bf16": 16, "fp16": 16, "fp8": 8, "int8": 8, "int4": 4, "fp4": 4}

#: Bytes per element.
DTYPE_BYTES: dict[str, float] = {d: b / 8 for d, b in DTYPE_BITS.items()}

#: Other spellings (PyTorch / Hugging Face / vendor names), lower-cased, of each dtype.
ALIASES: dict[str, str] = {
    "float32": "fp32", "float": "fp32", "f32": "fp32",
    "bfloat16": "bf16",
    "float16": "fp16", "half": "fp16", "f16": "fp16",
    "float8": "fp8", "float8_e4m3fn": "fp8", "float8_e4m3": "fp8", "fp8e4m3": "fp8", "fp8_e4m3": "fp8", "e4m3": "fp8",
    "float8_e5m2": "fp8", "fp8e5m2": "fp8", "fp8_e5m2": "fp8", "e5m2": "fp8",
    "uint8": "int8", "i8": "int8",
    "uint4": "int4", "i4": "int4",
    "float4": "fp4", "nvfp4": "fp4", "mxfp4": "fp4", "float4_e2m1": "fp4", "e2m1": "fp4",
}


def canonical(name: object, field: str = "dtype") -> str:
    """The canonical dtype name of ``name`` ("bfloat16" -> "bf16", "FP8" -> "fp8"); ConfigError naming
    ``field`` for anything else."""
    if isinstance(name, str):
        key = name.strip().lower()
        if key in DTYPE_BITS:
            return key
        if key in ALIASES:
            return ALIASES[key]
    raise ConfigError(field, f"unknown dtype; choose one of {list(DTYPES)} (or a common alias such as 'bfloat16')",
                      name)


def dtype_bytes(dtype: str, field: str = "dtype") -> float:
    """Bytes per element of the canonical dtype ``dtype``; ConfigError naming ``field`` otherwise."""
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise ConfigError(field, f"unknown dtype; choose one of {sorted(DTYPE_BYTES)}", dtype)
    return DTYPE_BYTES[dtype]

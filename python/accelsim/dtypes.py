"""The one dtype table: every dtype name accelsim knows, its size, and the common spellings of it; and the
weight formats a checkpoint's linear layers come in (what is stored, what the matrix units multiply).

Matrix units are described per dtype (:class:`~accelsim.spec.machine.DtypeRates`), kernels move and compute
in dtypes, the energy model charges per dtype: all of them read this table.

Sources of the weight formats:

- [NVFP4]  NVIDIA, "Introducing NVFP4 for Efficient and Accurate Low-Precision Inference" (developer blog,
           2025): FP4 E2M1 values, one FP8 E4M3 scale per 16-value micro-block plus one FP32 scale per
           tensor; Blackwell's fifth-generation tensor cores multiply FP4 x FP4 (weights and activations)
           and apply the block scales.
- [OCP-MX] Open Compute Project, OCP Microscaling Formats (MX) Specification v1.0, 2023: MXFP4 = FP4 E2M1
           elements with one 8-bit E8M0 shared scale per block of 32.
- [W8A8]   serving engines run FP8 / INT8 checkpoints (TensorRT-LLM ModelOpt FP8, vLLM fp8 / w8a8) with the
           activations quantized to the same 8 bits and the GEMM on the 8-bit tensor-core path, per-tensor or
           per-channel scales (negligible bytes).
- [W4A16]  AWQ / GPTQ int4 checkpoints (and FP4 weights on GPUs without FP4 math): 4-bit weights, one bf16
           scale per group of 128, dequantized to bf16 in the GEMM's main loop (Marlin-style kernels).
"""

from __future__ import annotations

import dataclasses

from .errors import ConfigError

__all__ = ["DTYPES", "DTYPE_BITS", "DTYPE_BYTES", "ALIASES", "canonical", "dtype_bytes", "WeightFormat",
           "WEIGHT_FORMATS", "weight_format"]

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


@dataclasses.dataclass(frozen=True)
class WeightFormat:
    """How the linear layers of a checkpoint are stored and multiplied.

    ``weight``: the stored element dtype; ``activation``: the dtype the activations are quantized to, which
    is the dtype the matrix units multiply in (``math``); ``group_size`` values share one scale of
    ``scale_bits`` bits (0: per-tensor / per-channel scales, negligible). A format whose ``activation`` is
    as narrow as its ``weight`` (W8A8, W4A4) runs on that dtype's tensor-core rate; a narrower weight than
    activation (W4A16) is dequantized on the vector units in the GEMM's main loop.
    """

    name: str
    weight: str
    activation: str
    group_size: int = 0
    scale_bits: int = 0
    #: True when the block scales are part of the stored format (counted in a model's weight bytes): the
    #: microscaling formats. Weight-only int4/fp4 carry their group scales as a kernel parameter.
    scales_in_format: bool = False

    @property
    def math(self) -> str:
        """The dtype the matrix units multiply in."""
        return self.activation

    @property
    def weight_only(self) -> bool:
        """Narrower weights than activations: dequantized before the multiply."""
        return DTYPE_BITS[self.weight] < DTYPE_BITS[self.activation]

    @property
    def stored_bits_per_weight(self) -> float:
        """Bits one weight takes in memory: its value, plus its share of a block scale when the scales are part
        of the format."""
        scale = self.scale_bits / self.group_size if self.scales_in_format and self.group_size else 0.0
        return DTYPE_BITS[self.weight] + scale


#: Every weight format: the plain dtypes (an 8-bit one runs W8A8 [W8A8]; int4 / fp4 run weight-only with bf16
#: activations and group-128 bf16 scales [W4A16]) and the microscaling W4A4 formats [NVFP4][OCP-MX].
WEIGHT_FORMATS: dict[str, WeightFormat] = {
    "fp32": WeightFormat("fp32", "fp32", "fp32"),
    "bf16": WeightFormat("bf16", "bf16", "bf16"),
    "fp16": WeightFormat("fp16", "fp16", "fp16"),
    "fp8": WeightFormat("fp8", "fp8", "fp8"),  # [W8A8]
    "int8": WeightFormat("int8", "int8", "int8"),  # [W8A8]
    "int4": WeightFormat("int4", "int4", "bf16", group_size=128, scale_bits=16),  # [W4A16]
    "fp4": WeightFormat("fp4", "fp4", "bf16", group_size=128, scale_bits=16),  # [W4A16]
    # FP4 values and FP4 activations, one FP8 E4M3 scale per 16 values [NVFP4]
    "nvfp4": WeightFormat("nvfp4", "fp4", "fp4", group_size=16, scale_bits=8, scales_in_format=True),
    # FP4 values and FP4 activations, one E8M0 scale per 32 values [OCP-MX]
    "mxfp4": WeightFormat("mxfp4", "fp4", "fp4", group_size=32, scale_bits=8, scales_in_format=True),
}


def weight_format(name: object, field: str = "weight_dtype") -> WeightFormat:
    """The :class:`WeightFormat` named ``name``: a format name ("nvfp4", "mxfp4") or any dtype spelling
    ("bfloat16", "FP8"); ConfigError naming ``field`` otherwise."""
    if isinstance(name, str) and name.strip().lower() in WEIGHT_FORMATS:
        return WEIGHT_FORMATS[name.strip().lower()]
    try:
        return WEIGHT_FORMATS[canonical(name, field)]
    except ConfigError:
        raise ConfigError(field, f"unknown dtype; choose one of {list(WEIGHT_FORMATS)} (or a common alias such as "
                          f"'bfloat16')", name) from None

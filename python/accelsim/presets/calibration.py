"""The physical parameters no Hopper datasheet gives, set once from the H100 measurements and shared by every
Hopper-based preset (so they can never drift apart), and the energy model those presets use.

Sources are cited by the short names listed in :mod:`accelsim.presets.vendors`.
"""

from __future__ import annotations

import dataclasses

from ..spec.energy import DtypeEnergies, EnergySpec
from ..spec.machine import ComputeSpec, DtypeRates, SramSpec
from ..units import GiB, KiB, MiB
from .memories import hbm3_timings_ns  # noqa: F401 - kept importable from here

__all__ = ["HopperCalibration", "HOPPER_CALIBRATION", "HOPPER_ENERGY", "HOPPER_ENERGY_CITATIONS", "hbm_gpu_energy",
           "hbm3_timings_ns", "hopper_compute", "hopper_l2", "KiB", "MiB", "GiB"]


@dataclasses.dataclass(frozen=True)
class HopperCalibration:
    """Physical parameters of Hopper GPUs that no datasheet gives.

    Each value is set ONCE, against the H100 SXM micro-benchmarks (dependent-load latency vs
    working-set size; read bandwidth vs active SMs and vs bytes in flight; kernel-launch gap), never
    by fitting the kernel cases, and is the same for every shape, kernel and model.  Every Hopper
    preset (h100-sxm, h200) reads them from :data:`HOPPER_CALIBRATION`, so they cannot drift.
    """

    matrix_sustained_fraction: float  # fraction of tensor-core peak a well-tiled kernel sustains
    matrix_sustained_fraction_fp8: float  # the same on the 8-bit tensor-core path (fp8, int8; int4/fp4 run on it)
    max_inflight_bytes_per_unit: int  # load bytes one SM keeps outstanding (Little's law)
    load_bytes_per_cycle_per_unit: float  # bytes/cycle one SM can take in from L2 / DRAM
    l2_bytes_per_cycle: float  # aggregate L2 bytes per SM-clock cycle
    l2_latency_ns: float  # unloaded L2-hit latency as an SM sees it
    dram_interleave_bytes: int  # address-interleaving granule across pseudo-channels
    dram_access_latency_ns: float  # SM <-> memory-controller round trip beyond the DRAM timings
    kernel_launch_overhead_ns: float  # launch + drain gap between back-to-back kernels
    matrix_kernel_setup_ns: float  # fixed cost of a tiled tensor-core kernel beyond the launch gap


HOPPER_CALIBRATION = HopperCalibration(
    # Largest measured GEMMs (M = 512..1024) sustain 710-780 TFLOP/s bf16 and 1.3-1.4 PFLOP/s fp8 against
    # 1070 / 2140 at 1.98 GHz: power-limited clock x pipeline efficiency ~0.7-0.75.
    matrix_sustained_fraction=0.75,
    # The 8-bit path sustains less of its (2x) peak: the largest fp8 GEMMs (M = 512..1024) reach
    # 1.22-1.41 PFLOP/s = 0.61-0.71 of the 1979 TFLOP/s datasheet peak where bf16 reaches 0.65-0.79 of
    # 989 (a power-limited clock drops further when twice the math runs per cycle). Set in the same way as
    # the bf16 fraction, from the same largest GEMMs (never per shape); int8 shares the fp8 datapath and
    # peak (no int8 case measured), and int4 / fp4 weights run on it after dequantization.
    matrix_sustained_fraction_fp8=0.68,
    # Little's law on one SM: read bandwidth of a single 1024-thread block (145.8 GB/s, memory micro-
    # benchmark bw_blocks[1]) x the unloaded HBM latency an SM sees (357 ns, dependent loads over 4 GiB)
    # = 52 KB outstanding per SM.
    max_inflight_bytes_per_unit=53248,
    # One SM's intake port: 64 B/cycle (126.7 GB/s at 1.98 GHz) limits a single unit's stream only.
    load_bytes_per_cycle_per_unit=64.0,
    # L2 -> SM fill bandwidth for broadcast operands: 128 B/cycle per SM x 132 SMs (16.7 TB/s); set by
    # the one physical figure that lets the measured M >= 512 GEMMs reach their rate at all.
    l2_bytes_per_cycle=16896.0,
    l2_latency_ns=190.0,  # L2 plateau of the dependent-load latency curve (4-32 MiB sets: 192-202 ns)
    # Address interleaving granule across pseudo-channels: one 1 KiB DRAM row (page) per granule.
    dram_interleave_bytes=1024,
    # SM <-> controller round trip outside the DRAM device: the measured 357 ns HBM dependent-load
    # latency minus the device's row-miss read (tRCD + tCL + tBL ~ 33 ns) = ~324 ns, rounded to 330.
    dram_access_latency_ns=330.0,
    # CUDA-graph gap between back-to-back 1-element kernels: 1.008 us measured (launch rows).
    kernel_launch_overhead_ns=1000.0,
    # Tiled tensor-core kernels (cuBLAS/CUTLASS GEMM, flash attention) pay more than the 1-element
    # kernel's gap: cluster launch of their tiles, TMA-descriptor and barrier setup, the epilogue's
    # reduction and stores. Set once: the smallest measured GEMV (1024x1024 bf16, 2 MB) takes ~1.6 us
    # more than a cold copy moving the same 2 MB; the same for every shape.
    matrix_kernel_setup_ns=1600.0,
)


# Energy defaults for HBM GPUs on a ~5 nm-class process (H100/H200: TSMC 4N), shared by h100-sxm and h200
# so they cannot drift.  Sources:
# - [MP26]   Ma & Patterson, "Challenges and Research Directions for LLM Inference Hardware", 2026: HBM3
#            about 3.6 pJ/bit to the processor, against roughly 0.5-3.3 pJ/bit when computing at bank,
#            bank-group or base die in published PIM/PNM studies.
# - [FGDRAM] O'Connor et al., "Fine-Grained DRAM: Energy-Efficient DRAM for Extreme Bandwidth Systems",
#            MICRO 2017: HBM2 ~3.9 pJ/bit, dominated by on-die data movement (bank -> I/O, TSVs) and I/O,
#            with row activation a large share at GPU access locality.
# - [HOR14]  Horowitz, "Computing's Energy Problem (and what we can do about it)", ISSCC 2014, 45 nm:
#            16-bit FP add 0.4 pJ / mult 1.1 pJ; 32-bit FP add 0.9 / mult 3.7 pJ; 8-bit int mult 0.2 pJ;
#            64-bit SRAM read 10 pJ (8 KB), 20 pJ (32 KB), 100 pJ (1 MB).
# - [SB17]   Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS device
#            performance from 180 nm to 7 nm", Integration 2017 (energy-per-operation scaling across
#            nodes).  The [HOR14] 45 nm figures below are divided by 4 to stand for a 5/4 nm-class process:
#            an ESTIMATE of the dynamic-energy scaling from 45 nm, not a value read from [SB17].
# - [MLE25]  The ML.ENERGY Leaderboard v3.0 (Chung et al., arXiv 2505.06371; data in accelsim/data/
#            mlenergy_decode_power.json): Llama-3.1-8B bf16 on one H100 SXM at batch 8, vLLM, 486.4 W average
#            GPU power at 1,069.9 output tokens/s; compute-heavy rows (batch >= 192) at 687-691 W of 700.
# - [IDLE]   Measured idle of an H200 SXM (same GH100 die): 73.7 W dormant (RunPod / ConserveMode, nvidia-smi,
#            31 regions) and 80.3 W (Serial Alice, nvidia-smi); a CUDA context raises an HBM GPU's idle by
#            26-50 W (Vadari, "The Model Parking Tax", arXiv 2605.23918, H100 and A100).
#
# Busy power and L2 energy of H100 (accelsim.report.power_calibration.derive_hopper_power): the per-FLOP,
# DRAM and shared-memory energies stay the [HOR14][SB17][MP26] estimates; two observations then fix the two
# unknowns, the active floor (static + busy) and the L2 pJ/bit: (1) [MLE25] 8B batch 8, 486.4 W over its
# measured 7.46 ms step; (2) a dense bf16 GEMM at its simulated sustained rate (795 TFLOP/s for 8192^3) draws
# the 700 W board limit (GEMMs run power-capped on H100 SXM; [MLE25]'s compute-heavy rows reach 687-691 W).
# Result: active floor 411.7 W and L2 0.395 pJ/bit -- which is [HOR14]'s 1 MB SRAM read (1.56 pJ/bit at
# 45 nm) / 4 [SB17], so the L2 needs no crossbar allowance beyond it.  Busy = 411.7 - 110 (static) =
# 301.7 W, split between the SMs and the L2 ports by their modelled area (80.4% / 19.6%, explore.cost.area):
# 928 pJ per SM-cycle and 1.77 pJ per L2 byte/cycle per cycle.  Every other row of [MLE25] is a prediction.
HOPPER_STATIC_POWER_W = 110.0  # [IDLE]: ~75-80 W dormant + ~30-40 W with a CUDA context (a parked server)
HOPPER_UNIT_BUSY_PJ_PER_CYCLE = 928.0
HOPPER_L2_BUSY_PJ_PER_BYTE_CYCLE = 1.77
HOPPER_L2_PJ_PER_BIT = 0.395
HOPPER_ENERGY_CITATIONS = (
    "Ma & Patterson, Challenges and Research Directions for LLM Inference Hardware, 2026 (HBM3 ~3.6 pJ/bit)",
    "O'Connor et al., Fine-Grained DRAM, MICRO 2017 (HBM2 energy per bit and its breakdown)",
    "Horowitz, Computing's Energy Problem, ISSCC 2014 (45 nm arithmetic and SRAM energies)",
    "Stillmaker & Baas, Scaling equations ... 180 nm to 7 nm, Integration 2017 (energy scaling)",
    "Chung et al., The ML.ENERGY Benchmark, NeurIPS 2025 D&B; ML.ENERGY Leaderboard v3.0 (measured decode power)",
)


def hbm_gpu_energy(*, static_power_w: float, board_power_limit_w: float, fp4_pj_per_flop: float = 0.1,
                   unit_area_vs_sm: float = 1.0) -> EnergySpec:
    """HBM3/HBM3e GPU energy defaults (see the sources above); ``static_power_w`` and the board limit per
    machine; the busy power per unit scales with the unit's modelled area relative to an H100 SM
    (``unit_area_vs_sm``, explore.cost.area: same process class, clocked logic per mm2 alike)."""
    return EnergySpec(
        # 0.5 + 2.0 + 1.1 = 3.6 pJ/bit to the processor [MP26]; the split follows [MP26]'s bank-level
        # PIM figure (~0.5 pJ/bit: the bank access alone) and [FGDRAM]'s finding that on-die movement to
        # the I/O exceeds the interface (PHY + interposer) share.
        dram_array_pj_per_bit=0.5,
        dram_internal_pj_per_bit=2.0,
        dram_interface_pj_per_bit=1.1,
        # ACT + PRE of a 1 KiB HBM row: ~0.9 nJ (~0.11 pJ per row bit), the order of [FGDRAM]'s HBM2
        # activation share (~1 pJ/bit) at 3-4 accesses of 32 B per activation.  Estimate.
        dram_activate_pj=900.0,
        # L2: derived with the busy power from [MLE25] and the board limit (see above); equals a 1 MB-class
        # SRAM read 1.56 pJ/bit at 45 nm [HOR14] / 4 [SB17].
        l2_pj_per_bit=HOPPER_L2_PJ_PER_BIT,
        # shared memory / L1: 32 KB-bank SRAM 0.31 pJ/bit at 45 nm [HOR14] / 4 [SB17] ~ 0.1 pJ/bit.
        local_sram_pj_per_bit=0.1,
        compute_pj_per_flop=DtypeEnergies(
            fp32=0.6,  # FP32 FMA 4.6 pJ / 2 FLOP at 45 nm [HOR14] / 4 [SB17]
            bf16=0.2,  # FP16 FMA 1.5 pJ / 2 FLOP at 45 nm [HOR14] / 4 [SB17] ~ 0.19
            fp16=0.2,
            fp8=0.1,  # half the operand width of bf16: ~half the multiplier energy [HOR14]
            int8=0.1,  # int8 multiply 0.2 pJ at 45 nm [HOR14], but accumulation stays wide: kept at fp8's
            int4=fp4_pj_per_flop,  # dequantized onto the fp8 path unless the machine has 4-bit math
            fp4=fp4_pj_per_flop,
        ),
        vector_pj_per_flop=0.6,  # FP32 SIMT FMA, as fp32 above [HOR14][SB17]
        static_power_w=static_power_w,
        unit_busy_pj_per_cycle=HOPPER_UNIT_BUSY_PJ_PER_CYCLE * unit_area_vs_sm,
        l2_busy_pj_per_byte_cycle=HOPPER_L2_BUSY_PJ_PER_BYTE_CYCLE,
        board_power_limit_w=board_power_limit_w,
    )


#: H100 SXM / H200: TDP 700 W [H100-DS][H200-PB]; static (idle with a CUDA context) from [IDLE].
HOPPER_ENERGY = hbm_gpu_energy(static_power_w=HOPPER_STATIC_POWER_W, board_power_limit_w=700.0)


def hopper_compute() -> ComputeSpec:
    """GH100 as shipped in H100 SXM5 and H200 SXM: 132 SMs [H100-WP][H100-DS]."""
    cal = HOPPER_CALIBRATION
    return ComputeSpec(
        units=132,  # SMs enabled on H100 SXM5 [H100-WP]
        clock_ghz=1.98,  # max SM clock, 1980 MHz [SMI]
        matrix_flops_per_cycle_per_unit=DtypeRates(
            # Dense tensor-core FLOP/cycle/SM: the whitepaper's 989.4 TFLOP/s dense bf16 is at the
            # 1.83 GHz boost clock: 132 SMs * 4096 * 1.83e9 = 989.4e12 [H100-WP].
            fp32=256.0,  # FP32 on the CUDA cores: 128 lanes x FMA = 66.9 TFLOP/s at 1.98 GHz
            # [H100-DS]; TF32 tensor-core math (2048/cycle/SM) is not modelled as "fp32".
            bf16=4096.0,  # [H100-WP]
            fp16=4096.0,  # [H100-WP]
            fp8=8192.0,  # 2x bf16: 1978.9 TFLOP/s dense at 1.83 GHz [H100-WP]
            int8=8192.0,  # 1978.9 TOPS dense [H100-WP]
            # Hopper has no int4/fp4 tensor-core math: int4/fp4 weights are dequantized and run on
            # the fp8/int8 path, so they get the fp8 rate (their benefit is bytes, not FLOPs).
            int4=8192.0,
            fp4=8192.0,
        ),
        matrix_sustained_fraction=cal.matrix_sustained_fraction,
        matrix_sustained_fraction_by_dtype=DtypeRates(
            fp32=0.0, bf16=0.0, fp16=0.0,  # 0: the general fraction
            fp8=cal.matrix_sustained_fraction_fp8, int8=cal.matrix_sustained_fraction_fp8,
            int4=cal.matrix_sustained_fraction_fp8, fp4=cal.matrix_sustained_fraction_fp8),
        vector_flops_per_cycle_per_unit=256.0,  # 128 FP32 lanes x FMA [H100-WP]
        local_sram_bytes_per_unit=256 * KiB,  # combined L1 / shared memory per SM, 256 KB [H100-WP]
        max_inflight_bytes_per_unit=cal.max_inflight_bytes_per_unit,
        load_bytes_per_cycle_per_unit=cal.load_bytes_per_cycle_per_unit,
        matrix_kernel_setup_ns=cal.matrix_kernel_setup_ns,
    )


def hopper_l2(capacity_bytes: int) -> SramSpec:
    cal = HOPPER_CALIBRATION
    return SramSpec(
        name="l2",
        capacity_bytes=capacity_bytes,
        bytes_per_cycle=cal.l2_bytes_per_cycle,
        clock_ghz=1.98,  # L2 runs on the SM clock domain here [SMI]
        latency_ns=cal.l2_latency_ns,
    )

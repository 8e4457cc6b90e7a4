"""Machine presets from public specifications (registered in :mod:`accelsim.presets`).

Registered in :mod:`accelsim.presets` (``accelsim.presets.load("b200")`` etc.):

================  ==========================================================================
``b200``          NVIDIA B200 (HGX, 1000 W): 148 SMs, 126 MB L2, 8 x HBM3e, 8 TB/s
``mi300x``        AMD Instinct MI300X: 304 CUs, 256 MB Infinity Cache, 8 x HBM3, 5.3 TB/s
``tpu-v5e``       Google Cloud TPU v5e: 197 TFLOP/s bf16, 16 GB HBM2e, 819 GB/s
``tpu-v6e``       Google Cloud TPU v6e (Trillium): 918 TFLOP/s bf16, 32 GB HBM, 1640 GB/s
``groq-lpu``      an SRAM-only chip like Groq's LPU (GroqChip 1): 230 MB SRAM at 80 TB/s, no DRAM
``cerebras-wse3`` a wafer-scale chip like Cerebras WSE-3: 44 GB SRAM at 21 PB/s, 900,000 cores
================  ==========================================================================

How SRAM-only machines are expressed.  An :class:`~accelsim.spec.machine.Architecture` has one main memory level
(``dram``).  For the Groq- and Cerebras-like designs that level is their on-chip SRAM, modelled as a
``kind="sram"`` memory device: very wide "channels" at the core clock, one cycle per access, huge rows
(so the row-buffer logic never binds), no refresh.  Its capacity is the SRAM capacity, so
``decode_step`` reports infeasible when a model does not fit on one chip (a single GroqChip cannot hold
llama-3-8b; Groq serves it across many chips, which needs a multi-chip system: accelsim.presets.systems).
Their dataflow (statically scheduled streams, no kernel launches) is approximated by a short per-kernel
overhead that stands for the pipeline fill / cross-chip reduction of each operation; see the comments.

Every value carries its source (short names below) or says that it is an estimate and why.

- [B200-DS]  NVIDIA DGX B200 / HGX B200 datasheets (per GPU: 192 GB HBM3e on package, 8 TB/s, dense
             2.25 PFLOP/s bf16, 4.5 PFLOP/s fp8 / int8, 9 PFLOP/s fp4, 1000 W).
- [AZ-GB200] Azure AI-benchmarking-guide, Azure_Results/ND_GB200_v6_results.md (2025): cuBLASLt FP8 GEMM, random
             data, 10,000 warm-up iterations: "16384 | 16384 | 16384 | 2819.5" TFLOPS on one GB200 GPU.
- [CC-B200]  Chips and Cheese, "Nvidia's B200: Keeping the CUDA Juggernaut Rolling", 2025 (148 SMs of
             2 x 80, 256 KB L1/shared per SM, 126 MB L2, ~150 ns L2 latency within a partition).
- [MI300-DS] AMD Instinct MI300X data sheet (304 CUs, 2100 MHz peak engine clock, 192 GB HBM3,
             5.3 TB/s, 256 MB Infinity Cache, dense 1307.4 TFLOP/s bf16 / fp16, 2614.9 fp8 / int8,
             163.4 TFLOP/s fp32 matrix and vector, 750 W).
- [CDNA3-WP] AMD CDNA 3 architecture whitepaper (64 KB LDS + 32 KB L1 per CU; Infinity Cache 17.2 TB/s
             peak; 8 HBM3 stacks, 128 channels).
- [CC-MI300] Chips and Cheese, "Testing AMD's Giant MI300X", 2024 (8 XCDs of 38 CUs, 4 MB L2 each).
- [MT4G]     caps-tum/mt4g (TU Munich's GPU topology/memory micro-benchmark tool), sample_results/"AMD Instinct
             MI300X VF"/README.md (hipcc 6.4, 2025-08-08, one MI300X VF on a Xeon Platinum 8568Y+ host): main memory
             "readBandwidth | 3689.67 GiB/s", "writeBandwidth | 4116.64 GiB/s"; the same tool on an H100 SXM
             (sample_results/"NVIDIA H100 80GB HBM3"): "readBandwidth | 2561.03 GiB/s", "writeBandwidth | 2805.9 GiB/s".
- [H100-MICRO] tests/data/h100_sxm_memory_micro.json: a 2 GiB grid-stride read on the H100 SXM the h100-sxm preset
             is calibrated on sustains 3117.7 GB/s (264 blocks x 1024 threads).
- [MAF-MI300] AMD ROCm blog "Measuring Max-Achievable FLOPs - Part 2" (Sander et al., 2025-02-28), Table 1:
             hipBLASLt on MI300X, normally distributed data, thermally stable, cold caches: "654 TFLOPs
             (1115 MHz)" FP16, "708 TFLOPs (1207 MHz)" BF16, "1273 TFLOPs (1230 MHz)" FP8 at the median clock
             under the GEMM (peak engine clock 2100 MHz), software efficiency "up to 94%".
- [TPU-V5E]  Google Cloud TPU v5e documentation (per chip: 197 TFLOP/s bf16, 394 TOPS int8, 16 GB HBM2e,
             819 GB/s; one TensorCore with 4 MXUs).
- [TPU-V6E]  Google Cloud TPU v6e (Trillium) documentation (per chip: 918 TFLOP/s bf16, 1836 TOPS int8,
             32 GB HBM, 1640 GB/s; 256 x 256 MXUs).
- [GROQ20]   Abts et al., "Think Fast: A Tensor Streaming Processor (TSP) for Accelerating Deep
             Learning Workloads", ISCA 2020 (25 x 29 mm, 14 nm, 900 MHz nominal, 20 superlanes, each
             with two 5.5 MB memory units: 220 MB of SRAM; up to 1000 TOp/s at 1.25 GHz).
- [GROQ-PB]  GroqChip 1 / Groq LPU product brief (230 MB SRAM, up to 80 TB/s on-die memory bandwidth,
             750 TOp/s int8 and 188 TFLOP/s fp16 at 900 MHz).
- [WSE3]     Cerebras WSE-3 announcement / Hot Chips 2024 (5 nm, 900,000 cores, 44 GB on-chip SRAM,
             21 PB/s memory bandwidth, 125 PFLOP/s peak AI compute).
- [JAX-1856] google/jax issue #1856: "matrix multiplication on TPUs (with float32 dtypes) defaults to bfloat16
             multiplication with float32 accumulation"; full float32 precision takes "extra matrix-multiplication
             passes" (Precision.HIGHEST).
- [JESD238]  JEDEC HBM3; [JESD235]  JEDEC HBM2 / HBM2E; [RAM2-HBM2/3] Ramulator 2 HBM2 / HBM3 presets.
- [JESD209-5] JEDEC LPDDR5 / LPDDR5X; [RAM2-LP5] Ramulator 2 LPDDR5 preset ``LPDDR5_6400``.
- [JESD239]  JEDEC GDDR7 (PAM3; 4 independent channels per device, up to 192 GB/s per device,
             16-32 Gb densities); [RAM2-GDDR6] Ramulator 2 GDDR6 preset ``GDDR6_2000_1350mV_double``.
- [JESD250]  JEDEC GDDR6 (2 independent x16 channels per device, 16 banks in 4 bank groups per channel,
             BL16: 32 B per access).

Datasheet values carry a comment naming their source.  The few physical parameters no datasheet
gives (sustained matrix fraction, in-flight bytes per SM, L2 bandwidth/latency, DRAM access latency,
launch overhead, ...) live in one place, :data:`~accelsim.presets.calibration.HOPPER_CALIBRATION`, shared by every Hopper preset so
they can never drift apart.

Sources (cited by short name in the comments below):

- [H100-WP]   NVIDIA H100 Tensor Core GPU Architecture whitepaper (Hopper), 2022.
- [H100-DS]   NVIDIA H100 Tensor Core GPU datasheet (SXM5 80 GB column).
- [H200-PB]   NVIDIA H200 Tensor Core GPU product brief / datasheet (H200 SXM 141 GB column).
- [SMI]       ``nvidia-smi --query-gpu=clocks.max.sm,clocks.max.memory`` on an H100 SXM5
              (1980 MHz SM, 2619 MHz memory).
- [JESD238]   JEDEC JESD238 High Bandwidth Memory DRAM (HBM3), 2022.
- [TOTMEM]    The memory each device exposes to software, as its driver reports it: CUDA's totalGlobalMem
              (``torch.cuda.get_device_properties(0)``: "NVIDIA H100 80GB HBM3 ... total_memory=81090MB",
              "NVIDIA H200 ... total_memory=143156MB", "NVIDIA B200 ... total_memory=182642MB", MiB) and
              ``rocm-smi --showmeminfo vram`` on MI300X ("VRAM Total Memory (B): 206141652992",
              ROCm/ROCm issue 4750). Serving engines size their KV cache from it.
- [RAM2-HBM3] Ramulator 2 (CMU SAFARI; Luo et al., IEEE CAL 2023) HBM3 presets: organisation
              ``HBM3_16Gb_8hi`` and timing ``HBM3_6400Mbps`` (JEDEC-derived; tCK = 625 ps at
              6.4 Gb/s/pin).
"""

from __future__ import annotations

from typing import Callable

from ..spec.machine import Architecture, ComputeSpec, DramSpec, DtypeRates, SramSpec
from ..units import GiB, KiB, MiB
from .calibration import (HOPPER_CALIBRATION, HOPPER_ENERGY, HOPPER_ENERGY_CITATIONS, hbm_gpu_energy,
                          hopper_compute, hopper_l2)
from .memories import hbm3_trfc_ns, speed_bin, sram_main_memory
from .registry import register

__all__ = ["PRESETS", "h100_sxm", "h200", "b200", "mi300x", "tpu_v5e", "tpu_v6e", "groq_lpu", "cerebras_wse3"]


def h100_sxm() -> Architecture:
    """NVIDIA H100 SXM5 80 GB: 132 SMs, 50 MB L2, 5 x HBM3 8-high, 3.35 TB/s."""
    cal = HOPPER_CALIBRATION
    data_rate_gbps = 5.238  # 2619 MHz memory clock x 2 [SMI]; 5120 bit x 5.238 / 8 = 3.35 TB/s [H100-DS]
    return Architecture(
        name="h100-sxm",
        description="NVIDIA H100 SXM5 80 GB (HBM3, 5 stacks, 3.35 TB/s, 50 MB L2, 132 SMs)",
        compute=hopper_compute(),
        l2=hopper_l2(50 * MiB),  # 50 MB L2 [H100-WP]
        dram=DramSpec(
            stacks=5,  # 5 active HBM3 stacks, 5120-bit interface [H100-WP]
            channels_per_stack=16,  # [JESD238]
            pseudo_channels_per_channel=2,  # [JESD238][RAM2-HBM3]
            bank_groups=4,  # [RAM2-HBM3] HBM3_16Gb_8hi
            # 4 banks per group per stack ID, 2 stack IDs in an 8-high stack: modelled as 8 banks
            # per group (64 banks per channel) [RAM2-HBM3] HBM3_16Gb_8hi
            banks_per_group=8,
            row_bytes=1024,  # 1 KiB page per pseudo-channel [RAM2-HBM3]
            burst_length=8,  # BL8 [JESD238]
            pc_bus_width_bits=32,  # [JESD238]
            capacity_bytes_per_stack=16 * GiB,  # 8-high x 16 Gb dies; 5 x 16 GiB = 80 GB [H100-DS]
            exposed_fraction=81090 * MiB / (5 * 16 * GiB),  # 81090 MiB of the 80 GiB exposed [TOTMEM]
            # HBM3 [H100-DS] with JESD238's timings (the HBM3-6400 table's) at the part's 5.238 Gb/s: the ns
            # ones as they are, the CK ones at its 2619 MHz clock. 16 Gb dies over 2 SIDs = 8 Gb per
            # channel slice -> tRFC 350 ns [RAM2-HBM3]
            **speed_bin("HBM3-6400", data_rate_gbps=data_rate_gbps, tRFC_ns=hbm3_trfc_ns(16 / 2)),
            interleave_bytes=cal.dram_interleave_bytes,
            access_latency_ns=cal.dram_access_latency_ns,
        ),
        kernel_launch_overhead_ns=cal.kernel_launch_overhead_ns,
        citations=(
            "NVIDIA H100 Tensor Core GPU Architecture whitepaper (Hopper), 2022",
            "NVIDIA H100 Tensor Core GPU datasheet, SXM5 80 GB",
            "nvidia-smi clocks.max.sm = 1980 MHz, clocks.max.memory = 2619 MHz (H100 SXM5)",
            "JEDEC JESD238 High Bandwidth Memory (HBM3) DRAM, 2022",
            "Ramulator 2 (CMU SAFARI) HBM3 presets HBM3_16Gb_8hi / HBM3_6400Mbps",
        ) + HOPPER_ENERGY_CITATIONS,
        energy=HOPPER_ENERGY,
    )


def h200() -> Architecture:
    """NVIDIA H200 SXM 141 GB: the H100's GH100 compute with 6 x HBM3e 24 GB, 4.8 TB/s."""
    cal = HOPPER_CALIBRATION
    # The product brief quotes 4.8 TB/s over 6 x 1024 bit: 4.8e12 * 8 / 6144 = 6.25 Gb/s/pin
    # [H200-PB].  (A 6.4 Gb/s pin rate would give 4.92 TB/s, above the datasheet figure.)
    data_rate_gbps = 6.25
    return Architecture(
        name="h200",
        description="NVIDIA H200 SXM 141 GB (HBM3e, 6 stacks, 4.8 TB/s, 60 MB L2, 132 SMs)",
        compute=hopper_compute(),  # same GH100 silicon and SM count as H100 SXM5 [H200-PB]
        # The project's machine list gives the H200 60 MB of L2 (1.2 x H100's 50 MB) and that is
        # what is modelled.  NVIDIA's documents give GH100 50 MB; set 50 * MiB to follow them.
        l2=hopper_l2(60 * MiB),
        dram=DramSpec(
            stacks=6,  # 6 x 24 GB = 144 GB on package, 141 GB exposed [H200-PB]
            channels_per_stack=16,  # HBM3e keeps the HBM3 organisation [JESD238]
            pseudo_channels_per_channel=2,  # [JESD238]
            bank_groups=4,  # [RAM2-HBM3]
            banks_per_group=8,  # 4 banks x 2 SIDs (8-high stack), as for h100-sxm [RAM2-HBM3]
            row_bytes=1024,  # [RAM2-HBM3]
            burst_length=8,  # [JESD238]
            pc_bus_width_bits=32,  # [JESD238]
            # 8-high x 24 Gb dies = 24 GiB per stack; 6 stacks = 144 GiB raw, sold as 141 GB [H200-PB]; the
            # driver exposes 143156 MiB (139.8 GiB, 150.1 GB) [TOTMEM].
            capacity_bytes_per_stack=24 * GiB,
            exposed_fraction=143156 * MiB / (6 * 24 * GiB),
            # HBM3e [H200-PB]: HBM3's timings (no separate JEDEC table) [JESD238][RAM2-HBM3] at the
            # product's 6.25 Gb/s. Refresh: 24 Gb dies over 2 SIDs = 12 Gb per channel slice, which falls
            # in the table's "16 Gb" density bucket -> tRFC 450 ns (conservative; 8 Gb would give 350 ns).
            **speed_bin("HBM3E-8000", data_rate_gbps=data_rate_gbps, tRFC_ns=hbm3_trfc_ns(24 / 2)),
            interleave_bytes=cal.dram_interleave_bytes,
            access_latency_ns=cal.dram_access_latency_ns,
        ),
        kernel_launch_overhead_ns=cal.kernel_launch_overhead_ns,
        citations=(
            "NVIDIA H200 Tensor Core GPU product brief / datasheet, H200 SXM 141 GB",
            "NVIDIA H100 Tensor Core GPU Architecture whitepaper (Hopper), 2022",
            "JEDEC JESD238 High Bandwidth Memory (HBM3) DRAM, 2022",
            "Ramulator 2 (CMU SAFARI) HBM3 presets HBM3_16Gb_8hi / HBM3_6400Mbps",
        ) + HOPPER_ENERGY_CITATIONS,
        # HBM3e per-bit energy taken equal to HBM3's (vendors claim some improvement; no public split)
        energy=HOPPER_ENERGY,
    )


def b200() -> Architecture:
    """NVIDIA B200 (HGX, 1000 W): two dies, 148 SMs, 126 MB L2, 8 x HBM3e 24 GB, 8 TB/s."""
    cal = HOPPER_CALIBRATION
    # 8 TB/s over 8 x 1024 bit [B200-DS]: 8e12 * 8 / 8192 = 7.8125 Gb/s/pin
    data_rate_gbps = 7.8125
    # Dense 2.25 PFLOP/s bf16 [B200-DS] over 148 SMs [CC-B200] at 8192 FLOP/cycle/SM (twice Hopper's
    # 4096 per SM: Blackwell's 5th-gen tensor cores) -> 2.25e15 / (148 * 8192) = 1.856 GHz tensor clock.
    clock_ghz = 2.25e15 / (148 * 8192) / 1e9
    return Architecture(
        name="b200",
        description="NVIDIA B200 (HGX, 1000 W): 148 SMs, 126 MB L2, 8 x HBM3e (192 GB, 8 TB/s)",
        compute=ComputeSpec(
            units=148,  # 2 dies x 74 enabled SMs [CC-B200]
            clock_ghz=clock_ghz,
            matrix_flops_per_cycle_per_unit=DtypeRates(
                fp32=256.0,  # 128 FP32 lanes x FMA per SM, as Hopper: 75 TFLOP/s [B200-DS]
                bf16=8192.0, fp16=8192.0,  # 2.25 PFLOP/s dense [B200-DS]
                fp8=16384.0, int8=16384.0,  # 4.5 PFLOP/s / POP/s dense [B200-DS]
                fp4=32768.0,  # 9 PFLOP/s dense [B200-DS]
                int4=16384.0,  # no int4 tensor-core math: dequantized onto the fp8 path
            ),
            # Same SM design generation and power-limited clocking as Hopper: the Hopper calibration
            # (bf16 sustained fraction, in-flight bytes and intake per SM, kernel setup) is reused; the SM's
            # memory pipeline and 256 KB L1/shared memory are unchanged [CC-B200]. The 8-bit path's sustained
            # fraction is the one measured on a Blackwell GPU [AZ-GB200]: cuBLASLt FP8 16384^3 2819.5 TFLOP/s of
            # GB200's 5 PFLOP/s dense (the same die at 1200 W; B200 at 1000 W sustains no larger share). The
            # fp4 path (twice the math per cycle, the clock no higher) takes the same fraction (no published
            # fp4 GEMM measurement was found).
            matrix_sustained_fraction=cal.matrix_sustained_fraction,
            matrix_sustained_fraction_by_dtype=DtypeRates(
                fp32=0.0, bf16=0.0, fp16=0.0,
                fp8=2819.5 / 5000, int8=2819.5 / 5000, int4=2819.5 / 5000, fp4=2819.5 / 5000),
            vector_flops_per_cycle_per_unit=256.0,
            local_sram_bytes_per_unit=256 * KiB,  # [CC-B200]
            max_inflight_bytes_per_unit=cal.max_inflight_bytes_per_unit,
            load_bytes_per_cycle_per_unit=cal.load_bytes_per_cycle_per_unit,
            matrix_kernel_setup_ns=cal.matrix_kernel_setup_ns,
        ),
        l2=SramSpec(
            name="l2",
            capacity_bytes=126 * MiB,  # [CC-B200]
            bytes_per_cycle=128.0 * 148,  # Hopper's 128 B/cycle/SM L2 fill path (HOPPER_CALIBRATION) x 148 SMs
            clock_ghz=clock_ghz,
            latency_ns=150.0,  # within-partition L2 hit latency [CC-B200]
        ),
        dram=DramSpec(
            stacks=8,  # 8 x 24 GB = 192 GB [B200-DS]
            channels_per_stack=16, pseudo_channels_per_channel=2,  # [JESD238]
            bank_groups=4, banks_per_group=8,  # 8-high: 4 banks x 2 SIDs [RAM2-HBM3], as h200
            row_bytes=1024, burst_length=8, pc_bus_width_bits=32,  # [JESD238]
            capacity_bytes_per_stack=24 * GiB,
            # 8 x 24 GiB on package, 180 GB per GPU in the HGX B200 product; the driver exposes 182642 MiB
            # (178.4 GiB, 191.5 GB) [TOTMEM]
            exposed_fraction=182642 * MiB / (8 * 24 * GiB),
            # HBM3e [B200-DS] at 7.8125 Gb/s, 24 Gb dies as h200 (tRFC 450 ns) [JESD238][RAM2-HBM3]
            **speed_bin("HBM3E-8000", data_rate_gbps=data_rate_gbps, tRFC_ns=hbm3_trfc_ns(24 / 2)),
            interleave_bytes=cal.dram_interleave_bytes,
            # SM <-> controller round trip: Hopper's measured value, reused (no public B200 DRAM
            # latency measurement was used; the die-to-die hop may add to it for remote stacks).
            access_latency_ns=cal.dram_access_latency_ns,
        ),
        kernel_launch_overhead_ns=cal.kernel_launch_overhead_ns,  # same CUDA-graph launch path as Hopper
        citations=(
            "NVIDIA DGX B200 / HGX B200 datasheets (per GPU: 192 GB HBM3e, 8 TB/s, dense bf16 2.25 / fp8 4.5 / "
            "fp4 9 PFLOP/s, 1000 W)",
            "Chips and Cheese, Nvidia's B200: Keeping the CUDA Juggernaut Rolling, 2025 (148 SMs, 126 MB L2)",
            "JEDEC JESD238 High Bandwidth Memory (HBM3) DRAM, 2022",
            "Ramulator 2 (CMU SAFARI) HBM3 presets HBM3_16Gb_8hi / HBM3_6400Mbps",
        ) + HOPPER_ENERGY_CITATIONS,
        # Same process class (TSMC 4NP vs 4N) and HBM3e: Hopper's per-bit / per-FLOP energies and busy power
        # per mm2 (a B200 SM models 1.12x an H100 SM's area: explore.cost.area); native fp4 math at half
        # fp8's energy; static: two GH100-class dies' idle (~2 x 75 W, estimate); limit 1000 W [B200-DS].
        energy=hbm_gpu_energy(static_power_w=150.0, board_power_limit_w=1000.0, fp4_pj_per_flop=0.05,
                              unit_area_vs_sm=1.119),
    )


def mi300x() -> Architecture:
    """AMD Instinct MI300X: 304 CUs (8 XCDs), 256 MB Infinity Cache, 8 x HBM3 24 GB, 5.3 TB/s."""
    cal = HOPPER_CALIBRATION
    clock_ghz = 2.1  # peak engine clock [MI300-DS]
    # 5.3 TB/s over 8 x 1024 bit [MI300-DS]: 5.3e12 * 8 / 8192 = 5.176 Gb/s/pin (AMD quotes 5.2 Gb/s)
    data_rate_gbps = 5.3e12 * 8 / 8192 / 1e9
    return Architecture(
        name="mi300x",
        description="AMD Instinct MI300X: 304 CUs, 256 MB Infinity Cache, 8 x HBM3 (192 GB, 5.3 TB/s)",
        compute=ComputeSpec(
            units=304,  # [MI300-DS]
            clock_ghz=clock_ghz,
            matrix_flops_per_cycle_per_unit=DtypeRates(
                fp32=256.0,  # 163.4 TFLOP/s fp32 matrix = 304 * 2.1e9 * 256 [MI300-DS]
                bf16=2048.0, fp16=2048.0,  # 1307.4 TFLOP/s dense = 304 * 2.1e9 * 2048 [MI300-DS]
                fp8=4096.0, int8=4096.0,  # 2614.9 dense [MI300-DS]
                int4=4096.0, fp4=4096.0,  # CDNA 3 has no 4-bit math: dequantized onto the fp8 path
            ),
            # Sustained fraction = power-limited clock x pipeline efficiency, AMD's own max-achievable
            # FLOPs [MAF-MI300]: bf16 708 of 1307.4 TFLOP/s (the clock falls to 1207 of 2100 MHz under a
            # dense GEMM), fp16 654 of 1307.4, fp8 1273 of 2614.9; int8 shares the fp8 path and peak, and
            # the 4-bit weights run on it after dequantization.
            matrix_sustained_fraction=708.0 / 1307.4,
            matrix_sustained_fraction_by_dtype=DtypeRates(
                fp32=0.0, bf16=0.0, fp16=654.0 / 1307.4,
                fp8=1273.0 / 2614.9, int8=1273.0 / 2614.9, int4=1273.0 / 2614.9, fp4=1273.0 / 2614.9),
            vector_flops_per_cycle_per_unit=256.0,  # 163.4 TFLOP/s fp32 vector [MI300-DS]
            local_sram_bytes_per_unit=96 * KiB,  # 64 KB LDS + 32 KB L1 per CU [CDNA3-WP]
            # In-flight bytes and intake per unit: Hopper's per-SM values reused.  Not a limit here:
            # 304 x 52 KB in flight covers 5.3 TB/s x any latency below 3 us (Little's law).
            max_inflight_bytes_per_unit=cal.max_inflight_bytes_per_unit,
            load_bytes_per_cycle_per_unit=cal.load_bytes_per_cycle_per_unit,
            matrix_kernel_setup_ns=cal.matrix_kernel_setup_ns,  # Hopper value reused (tiled-kernel setup)
        ),
        # The on-chip level modelled is the 256 MB Infinity Cache (memory-side, in the IODs); the 8 x 4 MB
        # XCD L2s are not modelled separately.
        l2=SramSpec(
            name="infinity_cache",
            capacity_bytes=256 * MiB,  # [MI300-DS]
            bytes_per_cycle=17.2e12 / (clock_ghz * 1e9),  # 17.2 TB/s peak [CDNA3-WP]
            clock_ghz=clock_ghz,
            # Unloaded Infinity-Cache hit latency as a CU sees it: ~ Hopper's L2 latency + the XCD-IOD hop;
            # estimate (Chips and Cheese [CC-MI300] shows it above the XCD L2 and well below HBM).
            latency_ns=250.0,
        ),
        dram=DramSpec(
            stacks=8,  # [MI300-DS]
            channels_per_stack=16, pseudo_channels_per_channel=2,  # 128 channels [CDNA3-WP][JESD238]
            # 24 GB stacks = 12-high x 16 Gb: 3 SIDs of 4 bank groups x 4 banks -> 12 banks per group
            # (the 8-high preset has 2 SIDs -> 8) [RAM2-HBM3]
            bank_groups=4, banks_per_group=12,
            row_bytes=1024, burst_length=8, pc_bus_width_bits=32,  # [JESD238]
            # 8 x 24 GiB: the datasheet's "192 GB" is 192 GiB, and ROCm exposes 206141652992 B of its
            # 206158430208 (all but 16 MiB) [MI300-DS][TOTMEM]
            capacity_bytes_per_stack=24 * GiB,
            exposed_fraction=206141652992 / (8 * 24 * GiB),
            # HBM3 [MI300-DS] at the datasheet's 5.3 TB/s; 12-high x 16 Gb dies over 3 SIDs: 5.3 Gb per
            # channel slice -> tRFC 350 ns [RAM2-HBM3]
            **speed_bin("HBM3-6400", data_rate_gbps=data_rate_gbps, tRFC_ns=hbm3_trfc_ns(16 / 3)),
            interleave_bytes=cal.dram_interleave_bytes,
            # CU <-> controller round trip: Hopper's 330 ns + ~100 ns for the XCD -> IOD -> stack hops of the
            # chiplet package (estimate; the MI300X's measured HBM latency is higher than H100's [CC-MI300]).
            access_latency_ns=cal.dram_access_latency_ns + 100.0,
            # The CUs sit on 8 XCDs and the controllers on 4 IODs: HBM data crosses the XCD-IOD fabric, which
            # sustains less than the pins and the HBM3 timings allow (4.68 TB/s on a copy here without it).
            # Measured by one tool on both chips [MT4G], main-memory reads reach 3689.67 GiB/s on MI300X and
            # 2561.03 GiB/s on H100 SXM, where a saturating read reaches 3117.7 GB/s [H100-MICRO]: the tool's
            # kernel reads 0.88 of the sustainable rate, so the MI300X sustains 3117.7 x 3689.67 / 2561.03 =
            # 4492 GB/s. The tool's writes (posted: no latency in their way) bracket it: 4116.64 GiB/s = 4.42 TB/s
            # as measured, 4.57 TB/s scaled the same way. Reads, what a decode step mostly moves, are used.
            fabric_bandwidth_gb_per_s=3117.7 * 3689.67 / 2561.03,
        ),
        kernel_launch_overhead_ns=cal.kernel_launch_overhead_ns,  # graph-launched kernels; Hopper value reused
        citations=(
            "AMD Instinct MI300X accelerator data sheet",
            "AMD CDNA 3 instruction-set / architecture whitepaper",
            "Chips and Cheese, Testing AMD's Giant MI300X, 2024",
            "caps-tum/mt4g sample results, AMD Instinct MI300X VF and NVIDIA H100 80GB HBM3 (main-memory bandwidth)",
            "JEDEC JESD238 High Bandwidth Memory (HBM3) DRAM, 2022",
            "Ramulator 2 (CMU SAFARI) HBM3 presets HBM3_16Gb_8hi / HBM3_6400Mbps",
        ) + HOPPER_ENERGY_CITATIONS,
        # HBM3 and a 5 nm-class compute die: Hopper's per-bit / per-FLOP energies and busy power per mm2
        # (a CDNA3 CU models 0.578x an H100 SM's area: explore.cost.area); static 15% of the 750 W TBP
        # (estimate); limit 750 W [MI300-DS].
        energy=hbm_gpu_energy(static_power_w=112.5, board_power_limit_w=750.0, unit_area_vs_sm=0.578),
    )


def _tpu(name: str, description: str, *, clock_ghz: float, mxus: int, bf16_per_mxu: float, int8_per_mxu: float,
         vmem_bytes: int, dram: DramSpec, citations: tuple[str, ...]) -> Architecture:
    # Units are the MXUs (systolic matrix units).  TPUs stream operands from HBM into VMEM by DMA with
    # deep queues: the in-flight limit per unit is set so that it never binds (Little's law at 1 us per
    # unit's share of peak bandwidth), the per-unit intake so that 4 units can take the full HBM rate.
    bw = dram.peak_bandwidth_bytes_per_s
    per_unit_bw = bw / mxus
    return Architecture(
        name=name,
        description=description,
        compute=ComputeSpec(
            units=mxus,
            clock_ghz=clock_ghz,
            matrix_flops_per_cycle_per_unit=DtypeRates(
                # fp32 matmuls run as multi-pass bf16 on the MXU: 1/6 of the bf16 rate (bf16x6 passes, XLA's
                # Precision.HIGHEST; the default precision is one bf16 pass, i.e. a "bf16" kernel here) [JAX-1856]
                fp32=bf16_per_mxu / 6, bf16=bf16_per_mxu, fp16=bf16_per_mxu,
                fp8=bf16_per_mxu,  # no fp8 MXU mode modelled: fp8 weights run at the bf16 rate
                int8=int8_per_mxu, int4=int8_per_mxu, fp4=bf16_per_mxu,
            ),
            # No TPU GEMM measurement was used: the Hopper sustained fraction (power-limited clock x
            # pipeline efficiency) is reused as a generic value.
            matrix_sustained_fraction=HOPPER_CALIBRATION.matrix_sustained_fraction,
            # VPU: 8 sublanes x 128 lanes x FMA = 2048 FLOP/cycle per core, shared by its MXUs (estimate
            # from the public TPU VPU shape)
            vector_flops_per_cycle_per_unit=2048.0 / mxus,
            local_sram_bytes_per_unit=vmem_bytes // mxus,
            max_inflight_bytes_per_unit=max(65536, int(per_unit_bw * 1e-6)),
            load_bytes_per_cycle_per_unit=2 * per_unit_bw / (clock_ghz * 1e9),
            # XLA-fused ops, no tiled-kernel setup beyond the per-op overhead below
            matrix_kernel_setup_ns=0.0,
        ),
        l2=None,  # no hardware cache: VMEM is a software-managed scratchpad (local_sram above)
        dram=dram,
        # XLA runs a step as one compiled program: no kernel launches.  Each fused op still pays a
        # pipeline fill / DMA-issue gap; ~0.5 us is an estimate (not measured), half Hopper's launch gap.
        kernel_launch_overhead_ns=500.0,
        citations=citations,
        energy=None,  # no public TPU power / energy-per-bit figures to set it from
    )


def tpu_v5e() -> Architecture:
    """Google Cloud TPU v5e: 197 TFLOP/s bf16, 394 TOPS int8, 16 GB HBM2e at 819 GB/s."""
    # 819 GB/s over 2 HBM2e stacks of 1024 bit: 819e9 * 8 / 2048 = 3.2 Gb/s/pin [TPU-V5E][JESD235]
    rate = 3.2
    # 4 MXUs of 128 x 128 MACs = 4 * 32768 FLOP/cycle; 197e12 / 131072 = 1.503 GHz
    clock = 197e12 / (4 * 128 * 128 * 2) / 1e9
    dram = DramSpec(
        stacks=2, channels_per_stack=8, pseudo_channels_per_channel=2,  # 8 x 128-bit channels, 2 PCs [JESD235]
        bank_groups=4, banks_per_group=4,  # [RAM2-HBM2]
        row_bytes=1024, burst_length=4, pc_bus_width_bits=64,  # 1 KiB page, BL4, 64-bit PCs [RAM2-HBM2]
        capacity_bytes_per_stack=8 * GiB,  # 2 x 8 GB = 16 GB [TPU-V5E]
        **speed_bin("HBM2E-3200", data_rate_gbps=rate),  # HBM2e [TPU-V5E] at 3.2 Gb/s [JESD235]
        interleave_bytes=1024,
        # core <-> controller round trip outside the device: Hopper's measured 330 ns reused as a generic
        # on-package HBM round trip (no TPU measurement)
        access_latency_ns=HOPPER_CALIBRATION.dram_access_latency_ns,
    )
    return _tpu("tpu-v5e", "Google Cloud TPU v5e: 4 MXUs, 197 TFLOP/s bf16, 16 GB HBM2e at 819 GB/s",
                clock_ghz=clock, mxus=4, bf16_per_mxu=32768.0, int8_per_mxu=65536.0,  # 394 TOPS int8 [TPU-V5E]
                vmem_bytes=128 * MiB,  # VMEM (estimate; not in the public v5e documentation)
                dram=dram,
                citations=("Google Cloud TPU v5e documentation (197 TFLOP/s bf16, 394 TOPS int8, 16 GB HBM2e, "
                           "819 GB/s, 4 MXUs per TensorCore)",
                           "JEDEC JESD235 High Bandwidth Memory (HBM2/HBM2E)",
                           "Ramulator 2 (CMU SAFARI) HBM2 presets HBM2_8Gb / HBM2_2000Mbps"))


def tpu_v6e() -> Architecture:
    """Google Cloud TPU v6e (Trillium): 918 TFLOP/s bf16, 1836 TOPS int8, 32 GB HBM at 1640 GB/s."""
    # 1640 GB/s over 2 stacks of 1024 bit: 6.4 Gb/s/pin (2 x 819.2 = 1638.4 GB/s) -> HBM3-6400 [JESD238]
    rate = 6.4
    # 256 x 256 MXUs [TPU-V6E]; 4 per chip assumed (not stated per chip in the public docs; only the peak
    # matters here): 918e12 / (4 * 256 * 256 * 2) = 1.751 GHz
    clock = 918e12 / (4 * 256 * 256 * 2) / 1e9
    dram = DramSpec(
        stacks=2, channels_per_stack=16, pseudo_channels_per_channel=2,  # [JESD238]
        bank_groups=4, banks_per_group=8,  # 8-high [RAM2-HBM3]
        row_bytes=1024, burst_length=8, pc_bus_width_bits=32,
        capacity_bytes_per_stack=16 * GiB,  # 2 x 16 GB = 32 GB [TPU-V6E]
        **speed_bin("HBM3-6400", data_rate_gbps=rate, tRFC_ns=hbm3_trfc_ns(16 / 2)),  # [TPU-V6E][JESD238]
        interleave_bytes=1024,
        access_latency_ns=HOPPER_CALIBRATION.dram_access_latency_ns,  # generic, as tpu-v5e
    )
    return _tpu("tpu-v6e", "Google Cloud TPU v6e (Trillium): 918 TFLOP/s bf16, 32 GB HBM at 1640 GB/s",
                clock_ghz=clock, mxus=4, bf16_per_mxu=131072.0, int8_per_mxu=262144.0,  # 1836 TOPS int8
                vmem_bytes=128 * MiB,  # estimate, as tpu-v5e
                dram=dram,
                citations=("Google Cloud TPU v6e (Trillium) documentation (918 TFLOP/s bf16, 1836 TOPS int8, "
                           "32 GB HBM, 1640 GB/s, 256x256 MXUs)",
                           "JEDEC JESD238 High Bandwidth Memory (HBM3) DRAM, 2022",
                           "Ramulator 2 (CMU SAFARI) HBM3 presets HBM3_16Gb_8hi / HBM3_6400Mbps"))


def groq_lpu() -> Architecture:
    """An SRAM-only chip like Groq's LPU (GroqChip 1 / TSP): 230 MB SRAM at 80 TB/s, 900 MHz, no DRAM."""
    clock = 0.9  # [GROQ20]
    return Architecture(
        name="groq-lpu",
        description="SRAM-only chip like Groq's LPU (GroqChip 1): 220 MiB SRAM at ~80 TB/s, 900 MHz, no DRAM",
        compute=ComputeSpec(
            units=20,  # 20 superlanes [GROQ20]
            clock_ghz=clock,
            matrix_flops_per_cycle_per_unit=DtypeRates(
                fp32=256.0,  # vector unit fp32 (see vector below); no fp32 MXM mode
                bf16=188e12 / (20 * clock * 1e9),  # 188 TFLOP/s fp16 [GROQ-PB]
                fp16=188e12 / (20 * clock * 1e9),
                fp8=188e12 / (20 * clock * 1e9),  # no fp8 mode: runs at the fp16 rate
                int8=750e12 / (20 * clock * 1e9),  # 750 TOP/s int8 at 900 MHz [GROQ-PB]
                int4=750e12 / (20 * clock * 1e9),  # on the int8 path
                fp4=188e12 / (20 * clock * 1e9),
            ),
            # statically scheduled: the compiler keeps the MXMs busy when operands stream (estimate 0.9)
            matrix_sustained_fraction=0.9,
            # vector unit: 16 ALUs per superlane lane group; ~5120 ops/cycle over 20 superlanes (estimate)
            vector_flops_per_cycle_per_unit=256.0,
            # the weights live in the memory level below; no separate unit-local store is modelled
            local_sram_bytes_per_unit=0,
            # streams are issued by the compiler with no miss handling: in flight = bandwidth x latency
            # share of each superlane, with margin (80 TB/s x 20 ns / 20 = 80 KB) -> 256 KB
            max_inflight_bytes_per_unit=256 * KiB,
            load_bytes_per_cycle_per_unit=2 * 80e12 / (20 * clock * 1e9),  # never the limit
            matrix_kernel_setup_ns=0.0,
        ),
        l2=None,
        # The 40 memory units (20 superlanes x 2 hemispheres) [GROQ20] are modelled as 88 channels of 8192
        # bit at the 900 MHz clock -- a modelling choice that gives 88 * 1024 B * 0.9e9 = 81 TB/s, the
        # quoted "up to 80 TB/s" [GROQ-PB] with power-of-two access granules.
        dram=sram_main_memory(channels=88, bus_width_bits=8192, clock_ghz=clock,
                               capacity_bytes=220 * MiB,  # 220 MiB = 230.7 MB [GROQ20][GROQ-PB]
                               # stream registers carry data from a MEM slice to the MXM in tens of
                               # cycles across the chip: ~20 ns (estimate)
                               access_latency_ns=20.0),
        # No kernel launches (one statically scheduled program).  Each op still fills and drains the
        # stream pipeline across the chip: ~100 ns (~90 cycles; estimate, not measured).
        kernel_launch_overhead_ns=100.0,
        citations=(
            "Abts et al., Think Fast: A Tensor Streaming Processor (TSP) for Accelerating Deep Learning "
            "Workloads, ISCA 2020",
            "Groq LPU / GroqChip 1 product brief (230 MB SRAM, 80 TB/s on-die memory bandwidth)",
        ),
        energy=None,  # no public per-bit / per-op energy split for GroqChip
    )


def cerebras_wse3() -> Architecture:
    """A wafer-scale chip like Cerebras WSE-3: 44 GB SRAM at 21 PB/s, 900,000 cores."""
    clock = 1.1  # core clock ~1.1 GHz (Cerebras WSE-2 / WSE-3 Hot Chips talks; approximate)
    groups = 4608  # 900,000 cores coarsened into 4608 groups of ~195 cores (simulation cost; see below)
    return Architecture(
        name="cerebras-wse3",
        description="Wafer-scale chip like Cerebras WSE-3: 900k cores (as 4608 groups), 44 GB SRAM at 21 PB/s",
        compute=ComputeSpec(
            # The engine simulates every unit; 900,000 are coarsened into 4608 groups of ~195 cores, each
            # with the summed rates of its cores.  Bandwidth and capacity are unchanged by the grouping.
            units=groups,
            clock_ghz=clock,
            matrix_flops_per_cycle_per_unit=DtypeRates(
                # 125 PFLOP/s "peak AI" [WSE3] counts structured sparsity; dense fp16 is taken as 1/8 of it
                # (estimate): 15.6 PFLOP/s = 900,000 cores x ~16 FLOP/cycle x 1.1 GHz
                fp32=125e15 / 8 / 4 / (groups * clock * 1e9),
                bf16=125e15 / 8 / (groups * clock * 1e9),
                fp16=125e15 / 8 / (groups * clock * 1e9),
                fp8=125e15 / 8 / (groups * clock * 1e9),  # no separate fp8 rate modelled
                int8=125e15 / 8 / (groups * clock * 1e9),
                int4=125e15 / 8 / (groups * clock * 1e9),
                fp4=125e15 / 8 / (groups * clock * 1e9),
            ),
            matrix_sustained_fraction=0.75,  # generic (Hopper calibration value reused)
            vector_flops_per_cycle_per_unit=125e15 / 8 / 4 / (groups * clock * 1e9),
            local_sram_bytes_per_unit=0,  # the SRAM is the memory level below
            max_inflight_bytes_per_unit=256 * KiB,  # never binds: each core reads its own SRAM
            load_bytes_per_cycle_per_unit=2 * 21e15 / (groups * clock * 1e9),  # never the limit
            matrix_kernel_setup_ns=0.0,
        ),
        l2=None,
        # 44 GB of SRAM distributed over the cores [WSE3], as 4608 channels of 32768 bit at 1.1 GHz:
        # 4608 * 4096 B * 1.1e9 = 20.8 PB/s (21 PB/s quoted) [WSE3]
        dram=sram_main_memory(channels=groups, bus_width_bits=32768, clock_ghz=clock,
                               capacity_bytes=44 * 10**9,
                               access_latency_ns=5.0),  # a core's own SRAM: a few cycles (estimate)
        # Each operation ends with a reduction / broadcast across the wafer's 2D mesh: ~1000 hops at ~1
        # cycle per hop ~ 1 us per kernel (estimate from the mesh size, not measured).  This, not the
        # memory, bounds decode on this design.
        kernel_launch_overhead_ns=1000.0,
        citations=(
            "Cerebras WSE-3 announcement, March 2024 (900,000 cores, 44 GB on-chip SRAM, 21 PB/s, 125 PFLOP/s)",
            "Cerebras Hot Chips 2024 talk (WSE-3 architecture)",
        ),
        energy=None,  # no public per-bit / per-FLOP energy split
    )


PRESETS: dict[str, Callable[[], Architecture]] = {
    "h100-sxm": h100_sxm,
    "h200": h200,
    "b200": b200,
    "mi300x": mi300x,
    "tpu-v5e": tpu_v5e,
    "tpu-v6e": tpu_v6e,
    "groq-lpu": groq_lpu,
    "cerebras-wse3": cerebras_wse3,
}

for _name, _factory in PRESETS.items():
    register("chip", _name, _factory)

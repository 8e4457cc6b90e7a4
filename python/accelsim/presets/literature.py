"""Published processing-in-memory, near-memory and flash designs, with the baselines they were measured
against, configured as the papers (or their authors' simulators) state them. Every value carries its source
(short names below; exact quotes in tests/data/literature_pim.json); a value no source gives is marked
ASSUMED with its reasoning. benchmarks/literature.py runs each headline comparison.

- ``hbm2-pim-gpu`` / ``hbm2-gpu``           Samsung Aquabolt-XL HBM2-PIM stacks (a 16-lane FP16 unit per bank
                                             pair in the 4 PIM dies, 300 MHz) on a GPU host / the same host with
                                             plain HBM2 at the same pin rate.
- ``gddr6-aim-gpu`` / ``gddr6-gpu``         SK hynix GDDR6-AiM devices (a 1 GHz bf16 unit per bank, 16 Gb/s) on
                                             a host / the same host with plain GDDR6.
- ``a100a`` / ``a100a-160g`` / ``a100a-attacc``  AttAcc's GPU (A100 with HBM3, 80 GiB), the same GPU with the
                                             memory capacity of GPU + AttAcc (160 GiB), and the GPU with its
                                             AttAcc device (5 HBM3-PIM stacks holding the KV cache, a unit per
                                             bank, softmax on the buffer die, NVLink3 to the GPU). Eight of
                                             each form the systems ``dgx-a100a-8`` etc. (presets.systems).
- ``neupims-npu`` / ``neupims-npu-pim`` / ``neupims``  NeuPIMs' NPU (8 x 128x128 systolic arrays, 1 GHz)
                                             with HBM2 and no PIM / with Newton-style PIM running attention in
                                             blocked mode / with dual row buffers and sub-batch interleaving.
- ``b200-hbf`` / ``b200-hbm-unlimited``     Sandisk's / SK hynix H^3's B200 with eight HBF stacks (weights) beside
                                             its eight HBM3E stacks (KV cache) / the B200 with HBM of unlimited
                                             capacity.

Sources:

- [ISSCC21]    Kwon et al. (Samsung), ISSCC 2021, via the trade press: a 300 MHz programmable computing unit,
               FP16 MAC, "four times the processing bandwidth than an off-chip solution", 1.2 TFLOPS; 2.4
               Gb/s pins; 4 x 4 Gb PIM dies + 4 x 8 Gb dies = 6 GB stacks.
- [PIMSIM]     Samsung SAIT PIMSimulator README: "1 PIM block per 2 banks, 4 Bank per Bankgroup, 4 Bank group
               per pseudo channel, 4 pseudo channel per die, 4 die per stack"; "Prefetch size : 256bit".
- [MICRO22]    Kim et al., IEEE Micro 42(3) 2022: GEMV 8.9x on a GPU system, 2.8x on an Alveo U280.
- [JSSC23-AIM] Kwon et al. (SK hynix), IEEE JSSC 58(1) 2023 (ISSCC 2022): 8 Gb, 16 Gb/s/pin GDDR6-AiM,
               1 TFLOPS MAC; GEMV 7.5-10.5x on an FPGA system.
- [HC35-AIM]   SK hynix, Hot Chips 35: a 1 GHz processing unit per bank, 512 GB/s internal bandwidth (per
               channel of 16 banks); the vector comes from a global buffer.
- [A100-WP]    NVIDIA A100 Tensor Core GPU Architecture whitepaper: 108 SMs, 1024 dense FP16 FMA per clock
               per SM, 312 TFLOPS dense FP16; 5 HBM2 stacks.
- [ATTACC24]   Park et al., AttAcc!, ASPLOS 2024 (abstract): 2.81x throughput, 2.67x energy efficiency over
               "the conventional system with the same memory capacity" on a 175B model.
- [ATTACC-SIM] The AttAcc authors' simulator (scale-snu/attacc_simulator): A100a = "A100 with HBM3": 312
               TFLOPS, 3352 GB/s, 80 GiB, 40 MiB L2, 108 cores, 600 GB/s NVLink3; 8 AttAcc devices of 5
               HBM3 stacks (16 GiB, 5.2 Gb/s, 670.4 GB/s each); HBM3_8Gb_2R; all-bank MAC every nCCDAB = 6
               tCK with the power constraint (4 without); softmax at 670.4 GB/s per stack on the buffer die;
               PIM energy (0.11 + 0.44) pJ/bit from the cell to a bank unit, 0.32 pJ per MAC, 1.3 pJ/bit
               over NVLink; GPT-175B, Lin 2048, Lout 128; transfers to AttAcc "traffic / interface_bw" with
               interface_bw = 600 GB/s / 2.
- [NEUPIMS24]  Heo et al., NeuPIMs, ASPLOS 2024 (abstract): 3x / 2.4x / 1.6x throughput over GPU-only /
               NPU-only / naive NPU+PIM; dual row buffers per bank.
- [NEUPIMS-SIM] The NeuPIMs authors' simulator (casys-kaist/NeuPIMs): 8 systolic arrays of 128 x 128 and 8
               vector units of 128 lanes at 1000 MHz, fp16; HBM2 32 channels x 128 bit at 1000 MHz, 32 banks
               per channel, 1 KiB pages, "HBM_size": 32; 16 multipliers per bank; HBM2_8Gb_x128 timings
               (tCK 1 ns: CL 14, tRCD 14, tRP 14, tRAS 34, tRRD 4/6, tFAW 30, tCCD 1/2, tRFC 260, tREFI 3900).
- [SNDK25]     Sandisk (Ilkbahar), FMS 2025 blog: HBF "offers 8 to 16x the capacity of High Bandwidth Memory
               (HBM), while delivering the same read bandwidth"; investor day Feb 2025: eight HBF stacks =
               4 TB ("4Tbytes") in place of the eight HBMs (192 GB) of an upcoming GPU.
- [H3-26]      SK hynix / KAIST H^3, IEEE CAL 2026: a B200 "equipped with eight HBM3E and eight HBF stacks".

Units are as the sources state them: "4 TB" over eight stacks is 512e9 bytes per stack (decimal), GiB where a
source counts in binary ("80 * 1024 * 1024 * 1024").
"""

from __future__ import annotations

from ..spec.energy import EnergySpec
from ..spec.machine import Architecture, ComputeSpec, DramSpec, DtypeRates, SramSpec
from ..spec.nearmem import HbfSpec, NearMemorySpec, PlacementSpec
from ..units import GiB, KiB, MiB
from .calibration import HOPPER_CALIBRATION, hbm_gpu_energy
from .memories import gddr6_dram, hbm2_timings_ns, hbm3_timings_ns, speed_bin
from .registry import load, register

__all__ = ["a100_compute", "a100_l2", "a100_energy", "hbm2_pim_gpu", "hbm2_gpu", "gddr6_aim_gpu", "gddr6_gpu",
           "a100a", "a100a_160g", "a100a_attacc", "attacc_pool", "attacc_near_memory", "neupims_npu",
           "neupims_npu_pim", "neupims", "b200_hbf", "b200_hbm_unlimited", "LITERATURE_PRESETS"]

_ISSCC21 = "Kwon et al., A 20nm 6GB Function-In-Memory DRAM Based on HBM2 with a 1.2TFLOPS Programmable Computing Unit, ISSCC 2021"
_MICRO22 = "Kim et al., Aquabolt-XL HBM2-PIM, LPDDR5-PIM With In-Memory Processing, and AXDIMM, IEEE Micro 42(3), 2022"
_PIMSIM = "Samsung SAIT PIMSimulator (github.com/SAITPublic/PIMSimulator), README"
_JSSC23 = "Kwon et al., A 1ynm 1.25V 8Gb 16Gb/s/Pin GDDR6-Based Accelerator-in-Memory Supporting 1TFLOPS MAC, IEEE JSSC 58(1), 2023"
_HC35 = "SK hynix, Memory-Centric Computing with Domain-Specific Memory (GDDR6-AiM), Hot Chips 35, 2023"
_A100 = "NVIDIA A100 Tensor Core GPU Architecture whitepaper, 2020"
_ATTACC = "Park et al., AttAcc! Unleashing the Power of PIM for Batched Transformer-based Generative Model Inference, ASPLOS 2024"
_ATTACC_SIM = "AttAcc simulator, github.com/scale-snu/attacc_simulator (src/config.py, pim_ramulator_src/HBM3-PIM.cpp)"
_NEUPIMS = "Heo et al., NeuPIMs: NPU-PIM Heterogeneous Acceleration for Batched LLM Inferencing, ASPLOS 2024"
_NEUPIMS_SIM = "NeuPIMs simulator, github.com/casys-kaist/NeuPIMs (configs/, extern/NewtonSim/configs/)"
_SNDK = "Sandisk, Memory-Centric AI: Sandisk's High Bandwidth Flash Will Redefine AI Infrastructure, FMS 2025; investor day Feb 2025"
_H3 = "SK hynix / KAIST, H^3: hybrid HBM + HBF architecture for LLM inference, IEEE Computer Architecture Letters 2026"


# ------------------------------------------------------------------------------------------ A100-class host


def a100_compute() -> ComputeSpec:
    """A100's compute [A100-WP][ATTACC-SIM]; the memory-pipeline figures no datasheet gives are Hopper's
    (HOPPER_CALIBRATION), ASSUMED: same SM memory pipeline generation order of magnitude."""
    cal = HOPPER_CALIBRATION
    clock = 312e12 / (108 * 2048) / 1e9  # 312 TFLOPS dense FP16 over 108 SMs x 1024 FMA/clock [A100-WP] -> 1.41 GHz
    return ComputeSpec(
        units=108,  # [A100-WP]; "NUM_CORE" 108 [ATTACC-SIM]
        clock_ghz=clock,
        matrix_flops_per_cycle_per_unit=DtypeRates(
            fp32=128.0,  # 64 FP32 cores x FMA [A100-WP]
            bf16=2048.0, fp16=2048.0,  # 1024 dense FMA / clock / SM [A100-WP]
            # no fp8 / fp4 tensor cores: those weights are converted onto the fp16 path (their gain is bytes)
            fp8=2048.0, fp4=2048.0,
            int8=4096.0, int4=8192.0,  # 624 / 1248 dense TOPS [A100-WP]
        ),
        matrix_sustained_fraction=cal.matrix_sustained_fraction,  # ASSUMED: Hopper's
        vector_flops_per_cycle_per_unit=128.0,
        local_sram_bytes_per_unit=192 * KiB,  # 192 KB L1 / shared memory per SM [A100-WP]
        max_inflight_bytes_per_unit=cal.max_inflight_bytes_per_unit,  # ASSUMED: Hopper's
        load_bytes_per_cycle_per_unit=cal.load_bytes_per_cycle_per_unit,  # ASSUMED: Hopper's
        matrix_kernel_setup_ns=cal.matrix_kernel_setup_ns,  # ASSUMED: Hopper's
    )


def a100_l2() -> SramSpec:
    """40 MiB L2 ("L2_CAP_PER_DEVICE" 40 * 1024 * 1024 [ATTACC-SIM]); fill path and latency: Hopper's (ASSUMED)."""
    cal = HOPPER_CALIBRATION
    return SramSpec(name="l2", capacity_bytes=40 * MiB, bytes_per_cycle=128.0 * 108,
                    clock_ghz=312e12 / (108 * 2048) / 1e9, latency_ns=cal.l2_latency_ns)


def a100_energy() -> EnergySpec:
    """The HBM GPU energy defaults with static power 15% of the A100 SXM's 400 W TDP (as the other GPUs'
    15%; ASSUMED), the 400 W board limit [A100-WP] and Hopper's busy power per SM-cycle (ASSUMED: an SM of
    the same width; no decode power measurement on A100 to set it from)."""
    return hbm_gpu_energy(static_power_w=0.15 * 400.0, board_power_limit_w=400.0)


def _a100_host(name: str, description: str, dram: DramSpec, citations: tuple[str, ...]) -> Architecture:
    cal = HOPPER_CALIBRATION
    return Architecture(name=name, description=description, compute=a100_compute(), l2=a100_l2(), dram=dram,
                        kernel_launch_overhead_ns=cal.kernel_launch_overhead_ns, citations=(_A100,) + citations,
                        energy=a100_energy())


# ------------------------------------------------------------------------------------------ Samsung HBM-PIM


def _aquabolt_dram(*, pim: bool) -> DramSpec:
    """Five HBM2 stacks at 2.4 Gb/s [ISSCC21]: 8 channels x 2 pseudo-channels of 64 bits, 16 banks per
    pseudo-channel in each of the stack's two halves (SIDs) [PIMSIM], BL4, 1 KiB rows. A PIM stack is 4 x 4 Gb
    PIM dies + 4 x 8 Gb dies = 48 Gb = 6 GiB [ISSCC21] ("6 gigabyte"); the plain Aquabolt stack 8 x 8 Gb =
    8 GiB. Five stacks: the host's sites (ASSUMED: an A100-class GPU has five HBM2 sites [A100-WP])."""
    return DramSpec(
        stacks=5, channels_per_stack=8, pseudo_channels_per_channel=2,
        bank_groups=4, banks_per_group=8,  # 4 banks per group [PIMSIM] x 2 SIDs (PIM dies + plain dies)
        row_bytes=1024, burst_length=4, pc_bus_width_bits=64,  # "burst length: 4n" [PIMSIM]
        capacity_bytes_per_stack=(6 if pim else 8) * GiB,
        **speed_bin("HBM2-2400"),  # 2.4 Gb/s/pin [ISSCC21]
        interleave_bytes=HOPPER_CALIBRATION.dram_interleave_bytes,
        access_latency_ns=HOPPER_CALIBRATION.dram_access_latency_ns,  # ASSUMED: a GPU's controller path
    )


def hbm2_pim_gpu() -> Architecture:
    """A GPU host with five Aquabolt-XL HBM2-PIM stacks: one 16-lane FP16 unit per bank pair in the PIM dies."""
    rate = 2.4
    nm = NearMemorySpec(
        level="pim_bank",
        units_per_stack=0,
        banks_per_unit=2,  # "1 PIM block per 2 banks" [PIMSIM]
        unit_banks_per_pseudo_channel=16,  # the PIM die's 16 banks of a pseudo-channel [PIMSIM]; the other SID has none
        clock_ghz=0.3,  # 300 MHz [ISSCC21]
        # 1.2 TFLOPS / (128 units x 0.3 GHz) = 31.25 -> 16 FP16 MAC lanes = 32 FLOP/cycle [ISSCC21][PIMSIM]
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=0.0, bf16=0.0, fp16=32.0, fp8=0.0, int8=0.0, int4=0.0,
                                                   fp4=0.0),
        vector_flops_per_cycle_per_unit=16.0,  # 16 lanes of ADD / MUL [ISSCC21]
        buffer_bytes_per_unit=512,  # GRF: 16 x 256-bit registers (GRF_A + GRF_B) [PIMSIM]
        internal_pc_bus_width_bits=0,
        column_bytes=32,  # "Prefetch size : 256bit" [PIMSIM]
        column_period_ns=0.0,  # tCCD_L = 4 CK at 2.4 Gb/s = 3.33 ns = one 300 MHz cycle
        command_period_ns=2.0 / rate,  # one command per CK on the command bus (ASSUMED)
        units_per_command=8,  # all-bank mode: one command drives the pseudo-channel's 8 units [PIMSIM]
        access_latency_ns=2.0,  # ASSUMED: unit beside the banks, only the device timings remain
        max_gemv_m=8,  # ASSUMED: input vectors held in the GRF at once
        supported_ops=("gemv", "moe"),  # MAC lanes; no softmax
        offload_overhead_ns=1000.0,  # ASSUMED: the host issues the PIM command sequence, one launch gap
        internal_pj_per_bit=0.0,  # 0: the EnergySpec's bank path
        compute_pj_per_flop=0.0,  # 0: the EnergySpec's fp16 figure
    )
    return _a100_host("hbm2-pim-gpu", "A100-class GPU with 5 Aquabolt-XL HBM2-PIM stacks (640 FP16 PIM units, "
                      "6 TFLOP/s, 4x the pin bandwidth inside)", _aquabolt_dram(pim=True),
                      (_ISSCC21, _PIMSIM, _MICRO22)).replace(
        near_memory=nm, placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram", offload=("gemv", "moe"),
                                                offload_when="always"))


def hbm2_gpu() -> Architecture:
    """The HBM-PIM baseline: the same GPU host with plain HBM2 at 2.4 Gb/s (Aquabolt, 8 GiB stacks)."""
    return _a100_host("hbm2-gpu", "A100-class GPU with 5 plain HBM2 stacks at 2.4 Gb/s (1.54 TB/s)",
                      _aquabolt_dram(pim=False), (_ISSCC21, _MICRO22))


# ------------------------------------------------------------------------------------------ SK hynix AiM


def _aim_dram() -> DramSpec:
    """Eight 8 Gb GDDR6 devices at 16 Gb/s [JSSC23-AIM] (2 x16 channels of 16 banks each [JESD250]): 512 GB/s.
    Eight devices: ASSUMED (the FPGA board's device count is not in the stored sources)."""
    return gddr6_dram(devices=8, data_rate_gbps=16.0, capacity_bytes_per_device=GiB)


def gddr6_aim_gpu() -> Architecture:
    """A host with eight GDDR6-AiM devices: a 1 GHz bf16 unit per bank, the vector from the global buffer."""
    nm = NearMemorySpec(
        level="pim_bank",
        units_per_stack=0,
        banks_per_unit=1,  # "banks of memory each with its own 1GHz processing unit" [HC35-AIM]
        clock_ghz=1.0,  # [HC35-AIM]
        # 1 TFLOPS per device [JSSC23-AIM] / (32 units x 1 GHz) = 32 FLOP/cycle: 16 bf16 MACs per unit
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=0.0, bf16=32.0, fp16=0.0, fp8=0.0, int8=0.0, int4=0.0,
                                                   fp4=0.0),
        vector_flops_per_cycle_per_unit=16.0,  # activation functions from a LUT [JSSC23-AIM]
        buffer_bytes_per_unit=256,  # ASSUMED
        internal_pc_bus_width_bits=0,
        column_bytes=32,  # 16 bf16 weights per MAC command
        # 512 GB/s per 16-bank channel [HC35-AIM] = 32 B per ns per bank: a MAC command every 1 ns
        column_period_ns=1.0,
        command_period_ns=8.0 / 16.0,  # CK = 16 Gb/s / 8 = 2 GHz: a command per 0.5 ns (ASSUMED)
        units_per_command=16,  # all-bank MAC [JSSC23-AIM]
        access_latency_ns=2.0,  # ASSUMED
        max_gemv_m=1,  # one vector in the global buffer at a time [HC35-AIM]
        supported_ops=("gemv",),
        offload_overhead_ns=1000.0,  # ASSUMED: one launch gap per command sequence
        internal_pj_per_bit=0.0,
        compute_pj_per_flop=0.0,
    )
    return _a100_host("gddr6-aim-gpu", "A100-class host with 8 GDDR6-AiM devices (256 bf16 units at 1 GHz, "
                      "8 TB/s inside, 512 GB/s at the pins)", _aim_dram(), (_JSSC23, _HC35)).replace(
        near_memory=nm, placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram", offload=("gemv",),
                                                offload_when="always"))


def gddr6_gpu() -> Architecture:
    """The AiM baseline: the same host with eight plain GDDR6 devices at 16 Gb/s."""
    return _a100_host("gddr6-gpu", "A100-class host with 8 plain GDDR6 devices at 16 Gb/s (512 GB/s)",
                      _aim_dram(), (_JSSC23,))


# ------------------------------------------------------------------------------------------ AttAcc


def _a100a_dram(capacity_per_stack: int) -> DramSpec:
    """A100a's HBM3: 5 stacks, 3352 GB/s ("OFF_MEM_BW_PER_DEVICE" [ATTACC-SIM]) = 5.2375 Gb/s/pin over 5120 pins."""
    rate = 3352e9 * 8 / (5 * 1024) / 1e9
    return DramSpec(
        kind="hbm3", stacks=5, channels_per_stack=16, pseudo_channels_per_channel=2,
        bank_groups=4, banks_per_group=8, row_bytes=1024, burst_length=8, pc_bus_width_bits=32,
        data_rate_gbps=rate, capacity_bytes_per_stack=capacity_per_stack,
        **hbm3_timings_ns(rate, tRFC_ns=350.0), interleave_bytes=HOPPER_CALIBRATION.dram_interleave_bytes,
        access_latency_ns=HOPPER_CALIBRATION.dram_access_latency_ns,
    )


def a100a() -> Architecture:
    """AttAcc's GPU: A100 with HBM3 ("A100a is A100 with HBM3" [ATTACC-SIM]): 80 GiB, 3352 GB/s."""
    return _a100_host("a100a", "A100 with HBM3 (AttAcc's 'A100a'): 108 SMs, 312 TFLOP/s, 5 x HBM3 (80 GiB, "
                      "3.35 TB/s)", _a100a_dram(16 * GiB), (_ATTACC_SIM,))


def a100a_160g() -> Architecture:
    """AttAcc's same-capacity baseline GPU: A100a with 160 GiB (the simulator's ``--gmemcap`` [ATTACC-SIM]), so
    that 8 of them hold as much as 8 A100a + 8 AttAcc (1280 GiB) [ATTACC24]."""
    return _a100_host("a100a-160g", "A100a with 160 GiB of HBM3 (AttAcc's same-capacity baseline), 3.35 TB/s",
                      _a100a_dram(32 * GiB), (_ATTACC_SIM, _ATTACC))


def attacc_pool(*, stacks: int = 5, data_rate_gbps: float = 5.2, capacity_per_stack: int = 16 * GiB,
                kind: str = "hbm3") -> DramSpec:
    """An AttAcc device's HBM3 stacks [ATTACC-SIM]: HBM3_8Gb_2R (16 channels x 2 pseudo-channels, 2 SIDs x 4
    bank groups x 4 banks, 1 KiB rows), HBM3_5.2Gbps, 16 GiB each, 5 per device (670.4 GB/s each)."""
    return DramSpec(
        kind=kind, stacks=stacks, channels_per_stack=16, pseudo_channels_per_channel=2,
        bank_groups=4, banks_per_group=8, row_bytes=1024, burst_length=8, pc_bus_width_bits=32,
        data_rate_gbps=data_rate_gbps, capacity_bytes_per_stack=capacity_per_stack,
        # 8 Gb dies: tRFC 350 ns ("tRFC_TABLE" [ATTACC-SIM]); the rest JEDEC HBM3 as for the GPUs
        **hbm3_timings_ns(data_rate_gbps, tRFC_ns=350.0),
        interleave_bytes=HOPPER_CALIBRATION.dram_interleave_bytes,
        access_latency_ns=HOPPER_CALIBRATION.dram_access_latency_ns,
    )


def attacc_near_memory(pool: DramSpec, *, link_gb_per_s: float, link_pj_per_bit: float = 1.3,
                       power_constrained: bool = True) -> NearMemorySpec:
    """AttAcc_bank's units on ``pool``: one per bank, 16 FP16 MACs per 32 B column, an all-bank MAC command
    every nCCDAB = 6 tCK (power constraint; 4 without) [ATTACC-SIM], softmax on the buffer die at the stack's
    pin rate, the KV cache in the pool, ``link_gb_per_s`` per direction to the GPU."""
    tck = 4.0 / pool.data_rate_gbps  # "tCK_ps = 1E6 / (rate / 4)" (QDR DQ) [ATTACC-SIM]
    nccdab = 6 if power_constrained else 4  # HBM3_5.2Gbps vs HBM3_5.2Gbps_NPC [ATTACC-SIM]
    period = nccdab * tck
    per_stack_bw_gb = pool.peak_bandwidth_bytes_per_s / pool.stacks / 1e9
    return NearMemorySpec(
        level="pim_bank",
        units_per_stack=0,
        banks_per_unit=1,  # AttAcc_bank: a processing unit per bank [ATTACC-SIM]
        clock_ghz=1.0 / period,  # one MAC command per unit cycle
        # 16 FP16 MACs per 32 B column ("FLOPS_PER_HBM" = bandwidth x opb 1) [ATTACC-SIM]
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=0.0, bf16=32.0, fp16=32.0, fp8=0.0, int8=0.0, int4=0.0,
                                                   fp4=0.0),
        vector_flops_per_cycle_per_unit=16.0,
        buffer_bytes_per_unit=512,  # ASSUMED: a GEMV buffer of a few q vectors
        internal_pc_bus_width_bits=0,
        column_bytes=32,  # 256-bit prefetch (8 x 32 DQ) [ATTACC-SIM]
        column_period_ns=period,
        command_period_ns=tck,  # one command per tCK
        units_per_command=32,  # MACAB drives every bank of the pseudo-channel [ATTACC-SIM]
        access_latency_ns=2.0,  # ASSUMED
        max_gemv_m=8,  # ASSUMED: grouped-query attention up to 8 q-heads per kv-head ("gqa_size" [ATTACC-SIM])
        supported_ops=("attention",),
        offload_overhead_ns=1000.0,  # ASSUMED: one launch gap for the command sequence
        # (0.11 + 0.44) pJ/bit cell to bank unit [ATTACC-SIM] (from FGDRAM); ALU 0.32 pJ per MAC [ATTACC-SIM]
        internal_pj_per_bit=0.11 + 0.44,
        compute_pj_per_flop=0.32 / 2,
        softmax_at="buffer_die",  # "SOFTMAX_MEM_BW" / "SOFTMAX_FLOPS" per stack [ATTACC-SIM]
        buffer_die_gflops_per_stack=per_stack_bw_gb,  # "SOFTMAX_FLOPS" = "SOFTMAX_MEM_BW" numerically [ATTACC-SIM]
        pool=pool,
        pool_link_gb_per_s=link_gb_per_s,
        pool_link_latency_ns=0.0,  # transfers are "traffic / interface_bw", no fixed term [ATTACC-SIM]
        pool_link_pj_per_bit=link_pj_per_bit,  # NVLink 1.3 pJ/bit [ATTACC-SIM]
    )


def _attacc_placement(overlap: str) -> PlacementSpec:
    return PlacementSpec(weights_tier="dram", kv_cache_tier="pool", offload=("attention",), offload_when="always",
                         overlap=overlap)


def a100a_attacc() -> Architecture:
    """A100a with its AttAcc device: weights in the GPU's HBM3, the KV cache and attention in 5 HBM3-PIM stacks
    (80 GiB) reached over NVLink3 (600 GB/s, 300 per direction [ATTACC-SIM]); attention pipelined with the QKV
    and output projections head group by head group (the simulator's --pipeopt, as in its README's AttAcc runs;
    its --ffopt is not modelled)."""
    pool = attacc_pool()
    return a100a().replace(
        name="a100a-attacc",
        description="A100a + an AttAcc device (5 x HBM3-PIM, 80 GiB KV pool, a unit per bank, softmax on the "
                    "buffer die) over NVLink3",
        near_memory=attacc_near_memory(pool, link_gb_per_s=300.0),
        placement=_attacc_placement("heads"),
        citations=a100a().citations + (_ATTACC, _ATTACC_SIM),
    )


# ------------------------------------------------------------------------------------------ NeuPIMs


def _neupims_dram() -> DramSpec:
    """HBM2, 32 channels x 128 bit at 1000 MHz (2 Gb/s/pin: 1024 GB/s), 32 banks per channel, 1 KiB pages
    [NEUPIMS-SIM]; 4 stacks of 8 channels, 8 GiB each ("HBM_size": 32, read as GiB); BL4 (64 B accesses,
    "dram_req_size": 64); the timings of HBM2_8Gb_x128 at tCK 1 ns [NEUPIMS-SIM]."""
    return DramSpec(
        kind="hbm2", stacks=4, channels_per_stack=8, pseudo_channels_per_channel=1,
        bank_groups=4, banks_per_group=8, row_bytes=1024, burst_length=4, pc_bus_width_bits=128,
        data_rate_gbps=2.0, capacity_bytes_per_stack=8 * GiB,
        tRCD_ns=14.0, tRP_ns=14.0, tCL_ns=14.0, tRAS_ns=34.0, tRRD_S_ns=4.0, tRRD_L_ns=6.0, tFAW_ns=30.0,
        nCCD_S=1.0, nCCD_L=2.0, tWTR_ns=8.0,
        nRTW=hbm2_timings_ns()["nRTW"],  # not in the simulator's table: HBM2-2000's RL + BL/2 + 2 - WL
        tRFC_ns=260.0, tREFI_ns=3900.0, tRFCpb_ns=0.0,
        interleave_bytes=1024,
        access_latency_ns=100.0,  # ASSUMED: an NPU's memory controller round trip beyond the device
    )


def _neupims_compute() -> ComputeSpec:
    """8 systolic arrays of 128 x 128 PEs and 8 vector units of 128 lanes at 1 GHz, fp16 [NEUPIMS-SIM]."""
    return ComputeSpec(
        units=8,  # one systolic array + one vector unit each
        clock_ghz=1.0,  # "core_freq": 1000
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=0.0, bf16=2 * 128 * 128, fp16=2 * 128 * 128, fp8=2 * 128 * 128,
                                                   int8=2 * 128 * 128, int4=2 * 128 * 128, fp4=2 * 128 * 128),
        matrix_sustained_fraction=1.0,  # the simulator's systolic arrays run at their rate (ASSUMED)
        vector_flops_per_cycle_per_unit=2 * 128.0,  # 128 lanes x FMA
        local_sram_bytes_per_unit=2 * 1024 * KiB,  # "spad_size" + "accum_spad_size" 1024 KB each
        max_inflight_bytes_per_unit=256 * KiB,  # ASSUMED: DMA keeps a quarter of the scratchpad in flight
        load_bytes_per_cycle_per_unit=128.0,  # ASSUMED: 128 B/cycle per array (8 x 128 GB/s = the HBM's 1 TB/s)
        matrix_kernel_setup_ns=0.0,
    )


def neupims_npu() -> Architecture:
    """NeuPIMs' NPU-only baseline: the NPU with plain HBM2 (every kernel on the NPU) [NEUPIMS-SIM]."""
    return Architecture(
        name="neupims-npu",
        description="NeuPIMs' NPU: 8 x 128x128 systolic arrays at 1 GHz (262 TFLOP/s fp16), HBM2 32 ch (1 TB/s, 32 GiB)",
        compute=_neupims_compute(), l2=None, dram=_neupims_dram(),
        kernel_launch_overhead_ns=0.0,  # ASSUMED: a compiled graph, no per-kernel launch
        citations=(_NEUPIMS, _NEUPIMS_SIM), energy=None,
    )


def _neupims_near_memory() -> NearMemorySpec:
    return NearMemorySpec(
        level="pim_bank",
        units_per_stack=0,
        banks_per_unit=1,  # 16 multipliers in every bank [NEUPIMS-SIM]
        clock_ghz=1.0,
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=0.0, bf16=32.0, fp16=32.0, fp8=0.0, int8=0.0, int4=0.0,
                                                   fp4=0.0),  # "pim_comp_coverage": 16 multipliers per bank
        vector_flops_per_cycle_per_unit=16.0,
        buffer_bytes_per_unit=512,  # "HBM_act_buf_size": 512
        internal_pc_bus_width_bits=0,
        column_bytes=64,  # "dram_req_size": 64
        column_period_ns=0.0,  # tCCD_L = 2 ns: 64 B per 2 ns per bank, rate-matched to 16 multipliers at 1 GHz
        command_period_ns=1.0,  # tCK 1 ns
        units_per_command=32,  # ASSUMED: all-bank GEMV commands
        access_latency_ns=2.0,  # ASSUMED
        max_gemv_m=1,  # MHA: one q per kv-head
        supported_ops=("attention",),  # "attention GEMV operations on PIM" [NEUPIMS-SIM]
        offload_overhead_ns=0.0,  # ASSUMED: as the NPU's kernels
        internal_pj_per_bit=0.0, compute_pj_per_flop=0.0,
        softmax_at="host",  # on the NPU's vector units
    )


def neupims_npu_pim() -> Architecture:
    """NeuPIMs' naive NPU+PIM baseline: attention GEMVs on single-row-buffer PIM in blocked mode (the NPU and the
    PIM never run at once) [NEUPIMS-SIM]."""
    return neupims_npu().replace(
        name="neupims-npu-pim",
        description="NeuPIMs' NPU + Newton-style PIM in its HBM2 running attention, blocked mode",
        near_memory=_neupims_near_memory(),
        placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram", offload=("attention",),
                                offload_when="always", overlap="none"),
    )


def neupims() -> Architecture:
    """NeuPIMs: dual row buffers let the NPU read memory while the PIM computes; two sub-batches interleave
    (one's attention on the PIM while the other's QKV / FFN run on the NPU) [NEUPIMS24][NEUPIMS-SIM]."""
    return neupims_npu_pim().replace(
        name="neupims",
        description="NeuPIMs: NPU + dual-row-buffer PIM in HBM2, sub-batch interleaving",
        placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram", offload=("attention",),
                                offload_when="always", overlap="sub_batch"),
    )


# ------------------------------------------------------------------------------------------ High Bandwidth Flash


def hbf_stacks(*, stacks: int, stack_bandwidth_gb_per_s: float) -> HbfSpec:
    """HBF stacks of 512 GB: "4 TB" over eight stacks [SNDK25] -- decimal GB, 512e9 bytes. Read bandwidth per
    stack as given; the NAND organisation and latency are the h200-hbf design's (see presets.directions)."""
    # prefetch depth by Little's law: bandwidth x tR / page = pages in flight needed; twice that is kept
    page = 16 * KiB
    need = stack_bandwidth_gb_per_s * 1e9 * 20e-6 / page
    return HbfSpec(
        stacks=stacks,
        capacity_bytes_per_stack=512 * 10**9,  # [SNDK25]
        channels_per_stack=16,  # design choice (HBM-like organisation), as h200-hbf
        planes_per_channel=512,  # "many sub-arrays accessed in parallel" [SNDK25]; enough for the bandwidth (design)
        page_bytes=page,
        read_latency_us=20.0,  # as h200-hbf [H3-26]
        channel_bandwidth_gb_per_s=stack_bandwidth_gb_per_s / 16 * 2,  # the interface decides (design)
        stack_bandwidth_gb_per_s=stack_bandwidth_gb_per_s,
        pages_in_flight_per_stack=int(2 ** (int(need * 2).bit_length())),
        prefetch="continuous",
        access_latency_ns=HOPPER_CALIBRATION.dram_access_latency_ns,
        endurance_pe_cycles=3000,
        read_pj_per_bit=3.0,  # as h200-hbf (design value, unpublished)
    )


def b200_hbf() -> Architecture:
    """B200 with eight HBF stacks (4 TB, the same read bandwidth as its eight HBM3E stacks: 1 TB/s each
    [SNDK25]) holding the weights, the KV cache in its HBM3E [H3-26]."""
    base = load("b200")
    per_stack = base.dram.peak_bandwidth_bytes_per_s / base.dram.stacks / 1e9
    return base.replace(
        name="b200-hbf",
        description="B200 + 8 HBF stacks (4 TB at 8 TB/s, weights) beside its 8 HBM3E stacks (192 GB, KV cache)",
        hbf=hbf_stacks(stacks=8, stack_bandwidth_gb_per_s=per_stack),
        placement=PlacementSpec(weights_tier="flash", kv_cache_tier="dram", offload=(), offload_when="faster"),
        citations=base.citations + (_SNDK, _H3),
    )


def b200_hbm_unlimited() -> Architecture:
    """The Sandisk comparison's baseline: the B200 with HBM of unlimited capacity (here 8 x 512 GB, HBF's
    capacity; bandwidth and timings unchanged) [SNDK25]."""
    base = load("b200")
    return base.replace(
        name="b200-hbm-unlimited",
        description="B200 with HBM3E of unlimited capacity (modelled as 8 x 512 GB at 8 TB/s): the HBF comparison's baseline",
        dram=base.dram.replace(capacity_bytes_per_stack=512 * 10**9),
        citations=base.citations + (_SNDK,),
    )


LITERATURE_PRESETS = {
    "hbm2-pim-gpu": hbm2_pim_gpu,
    "hbm2-gpu": hbm2_gpu,
    "gddr6-aim-gpu": gddr6_aim_gpu,
    "gddr6-gpu": gddr6_gpu,
    "a100a": a100a,
    "a100a-160g": a100a_160g,
    "a100a-attacc": a100a_attacc,
    "neupims-npu": neupims_npu,
    "neupims-npu-pim": neupims_npu_pim,
    "neupims": neupims,
    "b200-hbf": b200_hbf,
    "b200-hbm-unlimited": b200_hbm_unlimited,
}

for _name, _factory in LITERATURE_PRESETS.items():
    register("chip", _name, _factory)

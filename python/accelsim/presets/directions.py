"""Direction presets: the research directions of Ma & Patterson (2026) built on the
H200 (same GH100 compute, calibration and HBM3e timings), so that each differs from ``h200`` only in
the memory-side idea it illustrates. They are *designs*, not products: every value taken from a
publication is cited; every design choice is stated as such next to it.

- ``h200-pnm``      HBM3e stacks whose base dies carry compute (processing-near-memory).
- ``h200-pim``      bank-level processing-in-memory in every HBM3e die (HBM-PIM / AiM style).
- ``h200-hbf``      4 HBM3e stacks for the KV cache + 2 High Bandwidth Flash stacks for the weights.
- ``stacked3d``     GH100 compute with hybrid-bonded DRAM stacked on the compute die (no HBM).
- ``ucie-chiplet``  a quarter of an H100 as a compute chiplet with one HBM3 stack (the die of the
                    ``ucie-4chiplet`` package, :mod:`accelsim.presets.systems`).

The published designs of :mod:`accelsim.presets.literature` on today's GPUs (each differs from ``h200`` /
``b200`` only in the idea): ``b200-pim`` (as h200-pim), ``h200-attacc`` / ``b200-attacc`` (an AttAcc pool of
as many HBM3e-PIM stacks as the GPU has, holding the KV cache, over NVLink), ``h200-neupims`` /
``b200-neupims`` (attention in bank PIM in the GPU's own HBM, dual row buffers, two sub-batches), and
``b200-hbf`` (in literature.py: eight HBF stacks beside the eight HBM3e, as in H^3).

Sources (short names used below):

- [MP26]    X. Ma, D. Patterson, "Challenges and Research Directions for Large Language Model Inference
            Hardware", IEEE Computer 2026 (arXiv 2601.05047): HBF "10X memory capacity with HBM-like
            bandwidth", limited write endurance and page-based reads with high latency; PNM and 3D
            memory-logic stacking for high memory bandwidth.
- [PIM21]   Samsung Aquabolt-XL HBM2-PIM (ISSCC 2021; Hot Chips 33): a programmable computing unit (PCU)
            per two banks, 16-lane FP16 SIMD (MUL/ADD/MAC), 300 MHz, 1.2 TFLOPS per stack, all-bank mode
            driven by standard DRAM commands; PIM stacks hold 6 GB against 8 GB (capacity given up).
- [AIM22]   SK hynix GDDR6-AiM (ISSCC 2022; Hot Chips 35): a processing unit per bank, GEMV in memory
            with the vector from a global buffer, 1 GHz PUs.
- [HBF25]   SanDisk investor day (Feb 2025) and HBF launch (Feb 2026): 16 stacked BiCS NAND dies split into
            many parallel sub-arrays, 8-16x the capacity of HBM per stack, 8 stacks = 4 TB; Gen 1 read
            bandwidth approaching 1.6 TB/s.
- [H3-26]   H^3 hybrid HBM/HBF study (2026): weights in HBF, dynamic KV cache in HBM, NAND access
            latency ~20 us hidden by prefetching into an SRAM buffer.
- [NAND]    NAND flash practice: 16 KiB pages; TLC endurance ~3,000 program/erase cycles.
- [HB3D]    Hybrid-bonded DRAM-on-logic (TechInsights on CMOS-bonded DRAM; SSoA, J. Semicond. 2024):
            fine-pitch Cu-Cu bonds give thousands of vertical channels and sub-pJ/bit access.
- [FGDRAM]  M. O'Connor et al., "Fine-Grained DRAM: Energy-Efficient DRAM for Extreme Bandwidth Systems",
            MICRO 2017: DRAM partitioned into grains with local, adjacent I/O cuts on-DRAM data movement
            energy (much shorter wires from the cell array to the I/O); 2x the energy efficiency of HBM2.

Energy: every direction preset carries an :class:`~accelsim.spec.energy.EnergySpec` (the energy model,
accelsim.engine.energy). h200-pnm, h200-pim and h200-hbf keep the H200's (``presets.HOPPER_ENERGY``: same GH100
die, same HBM3e); their near-memory units and flash tier add their own figures
(``near_memory.internal_pj_per_bit`` / ``compute_pj_per_flop``, ``hbf.read_pj_per_bit``: design values, see
below). stacked3d keeps the H200's array, activation, SRAM, compute and static figures and lowers the two
segments between the bank and the SMs (:func:`stacked3d_energy`).
"""

from __future__ import annotations

from ..spec.machine import Architecture, DtypeRates
from ..spec.energy import EnergySpec
from ..spec.nearmem import HbfSpec, NearMemorySpec, PlacementSpec
from ..units import GiB, KiB
from .calibration import HOPPER_ENERGY
from .calibration import hopper_l2
from .literature import attacc_near_memory, attacc_pool
from .memories import hbm3_trfc_ns, speed_bin
from .registry import load, register
from ..units import MiB

__all__ = ["h200_pnm", "h200_pim", "h200_hbf", "stacked3d", "stacked3d_energy", "ucie_chiplet", "b200_pim",
           "h200_attacc", "b200_attacc", "h200_neupims", "b200_neupims", "DIRECTION_PRESETS"]

_ATTACC = "Park et al., AttAcc! (ASPLOS 2024) and its simulator (github.com/scale-snu/attacc_simulator)"
_NEUPIMS = "Heo et al., NeuPIMs (ASPLOS 2024) and its simulator (github.com/casys-kaist/NeuPIMs)"

_MP26 = "X. Ma, D. Patterson, Challenges and Research Directions for LLM Inference Hardware, IEEE Computer 2026"


def h200_pnm() -> Architecture:
    """H200 whose six HBM3e base dies each carry 8 bf16/fp8 engines reading their stack at 2x the
    host interface's width."""
    base = load("h200")
    nm = NearMemorySpec(
        level="pnm",
        # Design choices (no product exists): 8 engines per base die, each 1024 bf16 FLOP/cycle
        # (a 32x16 MAC array) at 1 GHz = 8.2 TFLOP/s bf16 per stack (16.4 fp8), 49 / 98 TFLOP/s over 6
        # stacks, ~5% of the GH100's; a logic-process base die of ~100 mm2 under the stack's thermal limit.
        units_per_stack=8,
        banks_per_unit=1,
        clock_ghz=1.0,
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=64.0, bf16=1024.0, fp16=1024.0, fp8=2048.0, int8=2048.0,
                                                   int4=2048.0, fp4=2048.0),
        vector_flops_per_cycle_per_unit=128.0,  # softmax / dequantization lanes (design choice)
        buffer_bytes_per_unit=256 * KiB,  # operand buffer = bytes in flight (design choice)
        # The base die reads each pseudo-channel over 64 TSV data lines instead of the 32-bit host
        # interface: 2x the host bandwidth (design choice; [MP26]: PNM for high memory bandwidth).
        internal_pc_bus_width_bits=64,
        column_bytes=32,
        command_period_ns=0.0,
        units_per_command=1,
        access_latency_ns=40.0,  # base-die controller round trip, no interposer PHY (design choice)
        max_gemv_m=256,
        supported_ops=("gemv", "moe", "attention"),  # a programmable engine: softmax included
        offload_overhead_ns=1000.0,  # = the host's kernel launch gap (HOPPER_CALIBRATION)
        # Energy (for the energy model): TSV + base die, no interposer/PHY: ~2.0 pJ/bit against ~3.6
        # pJ/bit to the host for HBM3 (within the 0.5-3.3 pJ/bit near-memory range); 0.5 pJ/FLOP.
        internal_pj_per_bit=2.0,
        compute_pj_per_flop=0.5,
    )
    return base.replace(
        name="h200-pnm",
        description="H200 with compute in each HBM3e base die (PNM): 6 x 8 engines, 2x internal bandwidth",
        near_memory=nm,
        citations=base.citations + (_MP26,),
    )


def h200_pim() -> Architecture:
    """H200 with bank-level PIM in its HBM3e: one 16-lane unit per two banks, all-bank mode."""
    return _bank_pim(load("h200"), "h200-pim",
                     "H200 with bank-level PIM in every HBM3e die (a 16-lane unit per bank pair, all-bank mode)")


def b200_pim() -> Architecture:
    """B200 with bank-level PIM in its HBM3e, as h200-pim."""
    return _bank_pim(load("b200"), "b200-pim",
                     "B200 with bank-level PIM in every HBM3e die (a 16-lane unit per bank pair, all-bank mode)")


def _bank_pim(base: Architecture, name: str, description: str) -> Architecture:
    """``base`` with Samsung HBM-PIM-style units in its HBM (GEMV and MoE offload, softmax stays on the GPU)."""
    d = base.dram
    nm = NearMemorySpec(
        level="pim_bank",
        units_per_stack=0,
        banks_per_unit=2,  # one PCU per bank pair [PIM21]
        clock_ghz=0.3,  # PCU clock 300 MHz [PIM21]
        # 16 FP16 lanes x MAC = 32 FLOP/cycle [PIM21]; bf16 at the same rate and fp8/int8 at twice it
        # are design choices (Aquabolt-XL is FP16-only), so that W8A8 / bf16 checkpoints can offload.
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=0.0, bf16=32.0, fp16=32.0, fp8=64.0, int8=64.0,
                                                   int4=0.0, fp4=0.0),
        vector_flops_per_cycle_per_unit=16.0,  # 16 lanes of MUL/ADD [PIM21]; no exp / divide: no softmax
        buffer_bytes_per_unit=512,  # GRF: 16 x 256-bit registers per PCU [PIM21]
        internal_pc_bus_width_bits=0,
        column_bytes=32,  # 256-bit bank I/O per column access [PIM21]
        command_period_ns=4.0 / d.data_rate_gbps,  # one column command per tCK on the command bus [JESD238]
        units_per_command=16,  # all-bank mode: one command drives every PCU of the pseudo-channel [PIM21]
        access_latency_ns=2.0,  # PCU beside the bank's I/O: only the device timings remain (design choice)
        max_gemv_m=8,  # input vectors held in the GRF at once (design choice from the 16-entry GRF)
        supported_ops=("gemv", "moe"),  # MAC only: attention's softmax stays on the host [PIM21][AIM22]
        offload_overhead_ns=1000.0,  # host issues the PIM command sequence: one launch gap
        internal_pj_per_bit=0.9,  # bank-local read, no TSV/PHY (within the 0.5-3.3 pJ/bit range; design value)
        compute_pj_per_flop=1.0,  # DRAM-process logic is less efficient than the host's (design value)
    )
    return base.replace(
        name=name,
        description=description,
        # PIM logic takes array area: 6 GB per stack instead of 8 GB [PIM21] -> 24 GiB * 3/4 = 18 GiB
        dram=d.replace(capacity_bytes_per_stack=d.capacity_bytes_per_stack * 3 // 4),
        near_memory=nm,
        citations=base.citations + (
            _MP26,
            "Samsung Aquabolt-XL HBM2-PIM, ISSCC 2021 / Hot Chips 33",
            "SK hynix GDDR6-AiM, ISSCC 2022 / Hot Chips 35",
        ),
    )


def h200_hbf() -> Architecture:
    """GH100 with 4 HBM3e stacks (KV cache) and 2 High Bandwidth Flash stacks (weights)."""
    base = load("h200")
    hbf = HbfSpec(
        stacks=2,  # two of the H200's six HBM sites hold HBF (design choice)
        # 8 stacks = 4 TB [HBF25]: 512 GB per stack, decimal as the source states (512e9 bytes, not 512 GiB)
        capacity_bytes_per_stack=512 * 10**9,
        channels_per_stack=16,  # design choice (HBM-like organisation)
        planes_per_channel=256,  # "many sub-arrays accessed in parallel" [HBF25]; 4096 per stack (design)
        page_bytes=16 * KiB,  # [NAND]
        read_latency_us=20.0,  # NAND access latency ~20 us [H3-26]
        channel_bandwidth_gb_per_s=128.0,  # 16 x 128 GB/s > the interface: the interface decides (design)
        stack_bandwidth_gb_per_s=1600.0,  # Gen 1 ~1.6 TB/s [HBF25]
        # prefetch depth: 1.6 TB/s x 20 us / 16 KiB = 1953 pages needed in flight; 4096 hides tR
        pages_in_flight_per_stack=4096,
        prefetch="continuous",  # weights are read in a fixed order: the controller runs ahead [H3-26]
        access_latency_ns=330.0,  # same controller path as HBM (HOPPER_CALIBRATION.dram_access_latency_ns)
        endurance_pe_cycles=3000,  # [NAND] TLC
        read_pj_per_bit=3.0,  # page read + TSV + PHY, ~HBM's interface energy (design value, unpublished)
    )
    return base.replace(
        name="h200-hbf",
        description="GH100 with 4 HBM3e stacks (96 GiB, KV cache) + 2 HBF stacks (1.02 TB, 3.2 TB/s, weights)",
        dram=base.dram.replace(stacks=4),
        hbf=hbf,
        citations=base.citations + (
            _MP26,
            "SanDisk High Bandwidth Flash: investor day Feb 2025; launch with SK hynix Feb 2026",
            "H^3 hybrid HBM/HBF architecture study, 2026 (20 us NAND access latency)",
        ),
    )


def stacked3d_energy() -> EnergySpec:
    """The H200's energy figures with the DRAM path of hybrid-bonded DRAM on the compute die.

    Design values (no product exists; the split is an estimate, as for HBM3's 0.5 / 2.0 / 1.1):

    - ``dram_array_pj_per_bit`` 0.5: unchanged, the same cells and sense amplifiers (HBM3 array timings
      are reused too).
    - ``dram_internal_pj_per_bit`` 0.3 (HBM3: 2.0): 512 narrow channels, each bonded over its own banks,
      leave only short local wires from the array to the bond, as in Fine-Grained DRAM's grains with a
      local, adjacent I/O [FGDRAM]; no TSV column through a 12-high stack, no base die.
    - ``dram_interface_pj_per_bit`` 0.1 (HBM3: 1.1): a few-um Cu-Cu bond and the logic die's wire to the
      SMs instead of a PHY pair and centimetres of interposer ("sub-pJ/bit" [HB3D]).

    So a DRAM bit costs 0.9 pJ at the SMs against 3.6 for HBM3 [MP26], of which 0.4 pJ to move it from the
    bank to the logic die (the published hybrid-bonded range is a few tenths of a pJ/bit [HB3D]).
    """
    return HOPPER_ENERGY.replace(dram_internal_pj_per_bit=0.3, dram_interface_pj_per_bit=0.1)


def stacked3d() -> Architecture:
    """GH100 compute with two hybrid-bonded DRAM layers on the compute die: 512 channels, 13 TB/s, 48 GiB."""
    base = load("h200")
    d = base.dram
    return base.replace(
        name="stacked3d",
        description="GH100 compute + 2 hybrid-bonded DRAM layers on die (512 x 64-bit channels, 13.1 TB/s, 48 GiB)",
        dram=d.replace(
            # the DRAM array timings are HBM3's (same cells and sense amplifiers) [JESD238], the H200's
            # refresh; columns clocked as a 64-bit DDR pseudo-channel (design choice): STACKED3D-3200
            **speed_bin("STACKED3D-3200", tRFC_ns=d.tRFC_ns),
            stacks=2,  # DRAM layers bonded on the compute die (design choice)
            # Cu-Cu hybrid bonds at a few-um pitch give thousands of vertical signals [HB3D]: 256 channels
            # of 64 data bits per layer at 3.2 Gb/s (short, unterminated wires; design choice)
            channels_per_stack=256,
            pseudo_channels_per_channel=1,
            bank_groups=4,
            banks_per_group=4,
            row_bytes=1024,
            burst_length=4,
            pc_bus_width_bits=64,
            # ~0.25 Gb/mm2 over a ~800 mm2 die = 24 GiB per layer (design choice): small capacity
            capacity_bytes_per_stack=24 * GiB,
            exposed_fraction=1.0,  # a design, not the H200 product: no driver reserve known, all of it usable
            # no interposer, PHY or long wires: a 100 ns round trip instead of 330 ns (design choice)
            access_latency_ns=100.0,
        ),
        # Energy: 0.9 pJ/bit to the SMs (0.4 of it bank -> logic die) against 3.6 for HBM3 [HB3D][FGDRAM]
        energy=stacked3d_energy(),
        citations=base.citations + (
            _MP26,
            "Hybrid-bonded DRAM on logic: TechInsights (CMOS-bonded DRAM), SSoA stacked DRAM (J. Semicond. 2024)",
            "O'Connor et al., Fine-Grained DRAM: Energy-Efficient DRAM for Extreme Bandwidth Systems, MICRO 2017",
        ),
    )


def ucie_chiplet() -> Architecture:
    """A quarter of an H100-class GPU as a chiplet: 33 SMs, 12.5 MB L2, one HBM3-6400 stack (819 GB/s).

    A design (the die of the ``ucie-4chiplet`` package): the h100-sxm preset with a quarter of its SMs and
    L2 [H100-WP] and one HBM3 stack at JEDEC's 6.4 Gb/s [JESD238] instead of five at 5.238.
    """
    base = load("h100-sxm")
    return base.replace(  # HBM3-6400: JEDEC's 6.4 Gb/s, 819 GB/s per stack [JESD238]
        name="ucie-chiplet",
        description="quarter-H100 chiplet: 33 SMs, 12.5 MB L2, 1 x HBM3 16 GB (819 GB/s)",
        compute=base.compute.replace(units=33),
        l2=hopper_l2(int(12.5 * MiB)),
        dram=base.dram.replace(stacks=1, **speed_bin("HBM3-6400", tRFC_ns=hbm3_trfc_ns(16 / 2))),
    )


def _attacc(base: Architecture, name: str, link_gb_per_s: float, link: str) -> Architecture:
    """``base`` with an AttAcc device (accelsim.presets.literature): as many HBM3e-PIM stacks as the GPU has,
    at its pin rate and capacity, holding the KV cache and running attention (a unit per bank, power-
    constrained MAC interval, softmax on the buffer die), reached over the GPU's NVLink; attention pipelined
    with the projections (AttAcc's --pipeopt). The pool's size and link are design choices following
    AttAcc's own pairing (5 PIM stacks beside A100a's 5 HBM stacks, over NVLink3)."""
    d = base.dram
    pool = attacc_pool(stacks=d.stacks, data_rate_gbps=d.data_rate_gbps, capacity_per_stack=d.capacity_bytes_per_stack,
                       kind=d.kind)
    return base.replace(
        name=name,
        description=f"{base.name.upper()} + an AttAcc pool: {d.stacks} HBM3e-PIM stacks ({pool.capacity_bytes / 1e9:.0f} "
                    f"GB) hold the KV cache and run attention, over {link}",
        near_memory=attacc_near_memory(pool, link_gb_per_s=link_gb_per_s),
        placement=PlacementSpec(weights_tier="dram", kv_cache_tier="pool", offload=("attention",),
                                offload_when="always", overlap="heads"),
        citations=base.citations + (_ATTACC,),
    )


def h200_attacc() -> Architecture:
    # NVLink4: 900 GB/s bidirectional, 450 per direction [H100-WP]
    return _attacc(load("h200"), "h200-attacc", 450.0, "NVLink4 (450 GB/s per direction)")


def b200_attacc() -> Architecture:
    # NVLink5: 1.8 TB/s bidirectional, 900 per direction [B200]
    return _attacc(load("b200"), "b200-attacc", 900.0, "NVLink5 (900 GB/s per direction)")


def _neupims(base: Architecture, name: str) -> Architecture:
    """``base`` with NeuPIMs-style PIM in its own HBM: a unit of 16 multipliers per bank running attention
    (softmax on the GPU), dual row buffers so the GPU reads memory while the units compute, two sub-batches
    interleaved when that is faster. The units' capacity cost is taken as HBM-PIM's (3/4 of the stack; design
    choice)."""
    d = base.dram
    nm = NearMemorySpec(
        level="pim_bank", units_per_stack=0, banks_per_unit=1,  # a unit per bank [NEUPIMS]
        clock_ghz=d.data_rate_gbps / 16,  # one 32 B column per tCCD_L (4 tCK) per unit
        matrix_flops_per_cycle_per_unit=DtypeRates(fp32=0.0, bf16=32.0, fp16=32.0, fp8=64.0, int8=64.0, int4=0.0,
                                                   fp4=0.0),  # 16 multipliers [NEUPIMS]; fp8 at twice (design)
        vector_flops_per_cycle_per_unit=16.0, buffer_bytes_per_unit=512, internal_pc_bus_width_bits=0,
        column_bytes=32, column_period_ns=0.0, command_period_ns=4.0 / d.data_rate_gbps, units_per_command=32,
        access_latency_ns=2.0, max_gemv_m=8, supported_ops=("attention",), offload_overhead_ns=1000.0,
        internal_pj_per_bit=0.0, compute_pj_per_flop=0.0, softmax_at="host",
    )
    return base.replace(
        name=name,
        description=f"{base.name.upper()} with NeuPIMs-style PIM in its HBM3e: attention in the banks, dual row "
                    "buffers, two interleaved sub-batches",
        dram=d.replace(capacity_bytes_per_stack=d.capacity_bytes_per_stack * 3 // 4),
        near_memory=nm,
        placement=PlacementSpec(weights_tier="dram", kv_cache_tier="dram", offload=("attention",),
                                offload_when="always", overlap="sub_batch"),
        citations=base.citations + (_NEUPIMS,),
    )


def h200_neupims() -> Architecture:
    return _neupims(load("h200"), "h200-neupims")


def b200_neupims() -> Architecture:
    return _neupims(load("b200"), "b200-neupims")


DIRECTION_PRESETS = {
    "h200-pnm": h200_pnm,
    "h200-pim": h200_pim,
    "h200-hbf": h200_hbf,
    "stacked3d": stacked3d,
    "ucie-chiplet": ucie_chiplet,
    "b200-pim": b200_pim,
    "h200-attacc": h200_attacc,
    "b200-attacc": b200_attacc,
    "h200-neupims": h200_neupims,
    "b200-neupims": b200_neupims,
}

for _name, _factory in DIRECTION_PRESETS.items():
    register("chip", _name, _factory)

"""Hypothesis strategies producing valid accelsim specs.

Every strategy starts from a real preset and perturbs it within physically sensible ranges, so the
results are random but always valid (construction never raises).  Other test modules use them:

    from strategies import valid_architectures

    @given(valid_architectures())
    def test_something(arch): ...
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from accelsim import presets
from accelsim.spec.machine import DRAM_KINDS, Architecture, ComputeSpec, DramSpec, DtypeRates, SramSpec
from accelsim.dtypes import DTYPES

KiB = 1024
MiB = 1024**2


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _pow2(lo_exp: int, hi_exp: int) -> st.SearchStrategy[int]:
    return st.integers(lo_exp, hi_exp).map(lambda e: 1 << e)


def base_architectures() -> st.SearchStrategy[Architecture]:
    """A fresh preset, any of them."""
    return st.sampled_from(_plain_presets()).map(presets.load)


def _plain_presets() -> list[str]:
    """Presets without near-memory units or a flash tier (those have their own tests: test_nearmem.py,
    test_hbf.py); the properties here are about the host-side DRAM model."""
    return [n for n in presets.names()
            if getattr(presets.load(n), "near_memory", None) is None and getattr(presets.load(n), "hbf", None) is None]


@st.composite
def dtype_rates(draw: Any) -> DtypeRates:
    """FLOP/cycle/unit per dtype; bf16 is always supported, others may be 0."""
    rates = {d: draw(st.one_of(st.just(0.0), _floats(1.0, 65536.0))) for d in DTYPES}
    rates["bf16"] = draw(_floats(1.0, 65536.0))
    return DtypeRates(**rates)


@st.composite
def compute_specs(draw: Any, base: ComputeSpec | None = None) -> ComputeSpec:
    """Units 1..256, clock 0.2..4 GHz, in-flight bytes 4 KiB..256 KiB, ..."""
    if base is None:
        base = draw(base_architectures()).compute
    return base.replace(
        units=draw(st.integers(1, 256)),
        clock_ghz=draw(_floats(0.2, 4.0)),
        matrix_flops_per_cycle_per_unit=draw(dtype_rates()),
        matrix_sustained_fraction=draw(_floats(0.05, 1.0)),
        vector_flops_per_cycle_per_unit=draw(_floats(1.0, 4096.0)),
        local_sram_bytes_per_unit=draw(st.integers(0, 1 * MiB)),
        max_inflight_bytes_per_unit=draw(st.integers(4 * KiB, 256 * KiB)),
        load_bytes_per_cycle_per_unit=draw(_floats(1.0, 1024.0)),
    )


@st.composite
def sram_specs(draw: Any) -> SramSpec:
    """64 KiB..256 MiB, 32..16384 B/cycle, 0.2..4 GHz, 1..1000 ns."""
    return SramSpec(
        name=draw(st.sampled_from(["l2", "llc", "global_buffer"])),
        capacity_bytes=draw(st.integers(64 * KiB, 256 * MiB)),
        bytes_per_cycle=draw(_floats(32.0, 16384.0)),
        clock_ghz=draw(_floats(0.2, 4.0)),
        latency_ns=draw(_floats(1.0, 1000.0)),
    )


@st.composite
def dram_specs(draw: Any, base: DramSpec | None = None) -> DramSpec:
    """Stacks 1..8, data rate 1..10 Gb/s/pin, power-of-two organisation, consistent timings, tREFI >= tRFC + 1 us."""
    if base is None:
        base = draw(base_architectures()).dram
    pc_bus_width_bits = draw(st.sampled_from([16, 32, 64, 128]))
    burst_length = draw(st.sampled_from([2, 4, 8, 16]))
    burst_bytes = pc_bus_width_bits * burst_length // 8  # a power of two >= 4
    channels = draw(st.sampled_from([4, 8, 16, 32]))
    pcs = draw(st.sampled_from([1, 2, 4]))
    bank_groups = draw(st.integers(1, 8))
    banks_per_group = draw(st.integers(1, 16))
    row_bytes = burst_bytes * draw(_pow2(0, 7))
    min_capacity = channels * pcs * bank_groups * banks_per_group * row_bytes
    tRCD = draw(_floats(1.0, 50.0))
    tRRD_S = draw(_floats(0.0, 10.0))
    nCCD_S = draw(_floats(0.5, 8.0))  # device clock cycles
    tRFC = draw(_floats(0.0, 1000.0))
    return base.replace(
        kind=draw(st.sampled_from(DRAM_KINDS)),
        stacks=draw(st.integers(1, 8)),
        channels_per_stack=channels,
        pseudo_channels_per_channel=pcs,
        bank_groups=bank_groups,
        banks_per_group=banks_per_group,
        row_bytes=row_bytes,
        burst_length=burst_length,
        pc_bus_width_bits=pc_bus_width_bits,
        data_rate_gbps=draw(_floats(1.0, 10.0)),
        capacity_bytes_per_stack=min_capacity * draw(st.integers(1, 1 << 14)),
        tRCD_ns=tRCD,
        tRP_ns=draw(_floats(1.0, 50.0)),
        tCL_ns=draw(_floats(1.0, 50.0)),
        tRAS_ns=tRCD + draw(_floats(0.0, 50.0)),
        tRRD_S_ns=tRRD_S,
        tRRD_L_ns=tRRD_S + draw(_floats(0.0, 10.0)),
        tFAW_ns=tRRD_S + draw(_floats(0.0, 50.0)),
        nCCD_S=nCCD_S,
        nCCD_L=nCCD_S + draw(_floats(0.0, 8.0)),
        tWTR_ns=draw(_floats(0.0, 20.0)),
        nRTW=draw(_floats(0.0, 40.0)),
        tRFC_ns=tRFC,
        # all-bank refresh interval at least 1 us (JEDEC: 1.95-7.8 us; HBM3 3.9 us): a DRAM that refreshes
        # every few ns is refused by the engine's refresh-event limit (a clear ConfigError), not simulated
        tREFI_ns=tRFC + draw(_floats(1000.0, 10000.0)),
        tRFCpb_ns=0.0,
        interleave_bytes=min(row_bytes, burst_bytes * draw(_pow2(0, 6))),
        access_latency_ns=draw(_floats(0.0, 1000.0)),
    )


_names = st.text(min_size=1, max_size=24).filter(lambda s: s.strip() != "")


@st.composite
def valid_architectures(draw: Any, *, l2: bool | None = None, text: bool = True) -> Architecture:
    """A random valid Architecture, built by perturbing a preset.

    Args:
        l2: True / False forces an L2 / no L2; None draws either.
        text: also randomise name, description and citations with arbitrary unicode (for I/O tests);
            with False they stay the preset's.
    """
    base = draw(base_architectures())
    has_l2 = draw(st.booleans()) if l2 is None else l2
    changes: dict[str, Any] = {
        "compute": draw(compute_specs(base.compute)),
        "l2": draw(sram_specs()) if has_l2 else None,
        "dram": draw(dram_specs(base.dram)),
        "kernel_launch_overhead_ns": draw(_floats(0.0, 20000.0)),
    }
    if text:
        changes["name"] = draw(_names)
        changes["description"] = draw(st.text(max_size=60))
        changes["citations"] = tuple(draw(st.lists(st.text(max_size=40), max_size=3)))
    return base.replace(**changes)


@st.composite
def energy_specs(draw: Any) -> Any:
    """A random valid EnergySpec: pJ/bit 0..20 per path segment and level, 0..10 nJ per ACT, pJ/FLOP 0..5
    per dtype, static power 0..2 kW, busy power 0..3 nJ per unit-cycle, no board limit or 1 W..5 kW."""
    from accelsim.spec.energy import DtypeEnergies, EnergySpec

    return EnergySpec(
        dram_array_pj_per_bit=draw(_floats(0.0, 5.0)),
        dram_internal_pj_per_bit=draw(_floats(0.0, 5.0)),
        dram_interface_pj_per_bit=draw(_floats(0.0, 20.0)),
        dram_activate_pj=draw(_floats(0.0, 1e4)),
        l2_pj_per_bit=draw(_floats(0.0, 5.0)),
        local_sram_pj_per_bit=draw(_floats(0.0, 2.0)),
        compute_pj_per_flop=DtypeEnergies(**{d: draw(_floats(0.0, 5.0)) for d in DTYPES}),
        vector_pj_per_flop=draw(_floats(0.0, 5.0)),
        static_power_w=draw(_floats(0.0, 2000.0)),
        unit_busy_pj_per_cycle=draw(_floats(0.0, 3000.0)),
        l2_busy_pj_per_byte_cycle=draw(_floats(0.0, 5.0)),
        board_power_limit_w=draw(st.one_of(st.just(0.0), _floats(1.0, 5000.0))),
    )

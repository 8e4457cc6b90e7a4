"""Memory devices other than HBM3: HBM2, LPDDR5X and GDDR7 timing sets and devices, and on-chip SRAM used as
main memory. Sources are cited by the short names listed in :mod:`accelsim.presets.vendors`.
"""

from __future__ import annotations

from ..spec.machine import DramSpec
from ..units import GiB

__all__ = ["hbm2_timings_ns", "lpddr5x_timings_ns", "lpddr5x_dram", "gddr7_timings_ns", "gddr7_dram", "sram_main_memory"]


def hbm2_timings_ns(data_rate_gbps: float) -> dict[str, float]:
    """HBM2/HBM2E timings [JESD235][RAM2-HBM2] ``HBM2_2000Mbps`` (tCK 1 ns): the analog ones kept in ns at
    any rate, the clock-based ones (tCCD_S 2 CK, tCCD_L 4 CK, tRTW) scaled with tCK = 2 / data_rate."""
    tck = 2.0 / data_rate_gbps
    return {
        "tRCD_ns": 14.0, "tRP_ns": 14.0, "tCL_ns": 14.0, "tRAS_ns": 34.0,  # nRCDRD/nRP/nCL 14, nRAS 34 CK
        "tRRD_S_ns": 4.0, "tRRD_L_ns": 4.0, "tFAW_ns": 15.0,  # nRRDS/L 4, nFAW 15 CK
        "tCCD_S_ns": 2 * tck, "tCCD_L_ns": 4 * tck,  # nCCDS 2 / nCCDL 4 CK
        "tWTR_ns": 8.0,  # nWTRL 8 CK
        "tRTW_ns": 13 * tck,  # RL + BL/2 + 2 - WL = 14 + 2 + 2 - 5 CK
        "tRFC_ns": 350.0, "tREFI_ns": 3900.0,  # 8 Gb density: 350 ns, 3.9 us [RAM2-HBM2]
        "tRFCpb_ns": 0.0,
    }


def lpddr5x_timings_ns(data_rate_gbps: float = 8.533) -> dict[str, float]:
    """LPDDR5X timings at ``data_rate_gbps`` [JESD209-5][RAM2-LP5].

    The core (analog) timings are JEDEC's ns values as in Ramulator 2's ``LPDDR5_6400`` (tCK 1.25 ns):
    they do not depend on the pin rate.  The column-to-column times follow the bank-group (BG) mode used
    above 3200 Mb/s: a BL16 burst occupies 2 CK (CK = data rate / 8), tCCD_S = 2 CK to another bank
    group, tCCD_L = 4 CK within one.
    """
    tck = 8.0 / data_rate_gbps  # WCK:CK = 4:1, DDR on WCK -> 8 bits per pin per CK; 8533 -> 0.9375 ns
    return {
        "tRCD_ns": 18.75,  # nRCD 15 CK @ 1.25 ns (JEDEC 18 ns, rounded up to CK) [RAM2-LP5]
        "tRP_ns": 18.75,  # nRPpb 15 CK [RAM2-LP5]
        "tCL_ns": 25.0,  # nCL 20 CK (read latency) [RAM2-LP5]
        "tRAS_ns": 42.5,  # nRAS 34 CK (JEDEC 42 ns) [RAM2-LP5]
        "tRRD_S_ns": 5.0,  # nRRD 4 CK [RAM2-LP5]
        "tRRD_L_ns": 5.0,  # one tRRD for all banks [JESD209-5]
        "tFAW_ns": 20.0,  # nFAW 16 CK [RAM2-LP5]
        "tCCD_S_ns": 2 * tck,  # BL16 in BG mode [JESD209-5]
        "tCCD_L_ns": 4 * tck,
        "tWTR_ns": 12.5,  # nWTRL 10 CK [RAM2-LP5]
        "tRTW_ns": 25.0 + 2 * tck + 2 * tck - 13.75,  # RL + BL/n + 2 CK - WL (nCWL 11 CK) [RAM2-LP5]
        "tRFC_ns": 280.0,  # tRFCab, 16 Gb die [RAM2-LP5]
        "tREFI_ns": 3906.0,  # tREFI base [RAM2-LP5]
        "tRFCpb_ns": 0.0,
    }


def lpddr5x_dram(*, packages: int = 8, data_rate_gbps: float = 8.533, capacity_bytes_per_package: int = 16 * GiB,
                 access_latency_ns: float = 100.0, interleave_bytes: int = 2048) -> DramSpec:
    """LPDDR5X: ``packages`` x64 packages, each 4 independent x16 channels [JESD209-5].

    A channel has 4 bank groups x 4 banks (BG mode), a 2 KiB page (1024 columns x 16 bit) and moves
    32 B per BL16 burst [JESD209-5][RAM2-LP5].  Peak: 64 bit x 8.533 Gb/s / 8 = 68.3 GB/s per package.
    ``access_latency_ns`` (controller + PHY + fabric round trip) is a machine property: 100 ns default.
    """
    return DramSpec(
        kind="lpddr5x", stacks=packages, channels_per_stack=4, pseudo_channels_per_channel=1,
        bank_groups=4, banks_per_group=4, row_bytes=2048, burst_length=16, pc_bus_width_bits=16,
        data_rate_gbps=data_rate_gbps, capacity_bytes_per_stack=capacity_bytes_per_package,
        **lpddr5x_timings_ns(data_rate_gbps), interleave_bytes=interleave_bytes, access_latency_ns=access_latency_ns,
    )


def gddr7_timings_ns(data_rate_gbps: float = 32.0) -> dict[str, float]:
    """GDDR7 timings at ``data_rate_gbps`` per pin [JESD239][RAM2-GDDR6].

    There is no public GDDR7 AC-timing table; the DRAM core (array, sense amplifiers) is the same
    technology as GDDR6's, so the core timings are GDDR6's in ns (Ramulator 2 ``GDDR6_2000_1350mV_double``,
    its CK counts x its 570 ps tCK).  Column-to-column times follow GDDR7's burst: a 32 B access on an
    x8 channel is 32 bits per pin = 32 / data_rate ns (tCCD_S); tCCD_L = 1.5 x that (GDDR6's 6 : 4 CK).
    """
    t_burst = 32.0 / data_rate_gbps
    ck = 0.570  # the preset's tCK, ns [RAM2-GDDR6]
    return {
        "tRCD_ns": 26 * ck,  # nRCDRD 26 -> 14.8 ns
        "tRP_ns": 26 * ck,  # nRP 26 -> 14.8 ns
        "tCL_ns": 24 * ck,  # nCL 24 -> 13.7 ns
        "tRAS_ns": 53 * ck,  # nRAS 53 -> 30.2 ns
        "tRRD_S_ns": 7 * ck,  # nRRDS 7 -> 4.0 ns
        "tRRD_L_ns": 7 * ck,  # nRRDL 7
        "tFAW_ns": 28 * ck,  # nFAW 28 -> 16.0 ns
        "tCCD_S_ns": t_burst,
        "tCCD_L_ns": 1.5 * t_burst,
        "tWTR_ns": 11 * ck,  # nWTRL 11 -> 6.3 ns
        "tRTW_ns": (24 + 8 + 4 - 6) * ck,  # nCL + nBL + 4 - nCWL -> 17.1 ns
        "tRFC_ns": 210 * ck,  # nRFC 210 -> 120 ns
        "tREFI_ns": 3333 * ck,  # nREFI 3333 -> 1.9 us
        "tRFCpb_ns": 0.0,
    }


def gddr7_dram(*, devices: int = 16, data_rate_gbps: float = 32.0, capacity_bytes_per_device: int = 2 * GiB,
               access_latency_ns: float = 100.0, interleave_bytes: int = 2048) -> DramSpec:
    """GDDR7: ``devices`` x32 devices, each 4 independent x8 channels [JESD239].

    A channel has 4 bank groups x 4 banks (GDDR6's organisation [RAM2-GDDR6]; assumed for GDDR7) and a
    2 KiB page (2048 columns x 8 bit, as GDDR6 x8); an access moves 32 B (burst_length here counts bits
    per pin: 32 bits on each of 8 pins; PAM3 carries 3 bits per 2 symbols).  Peak: 32 pins x 32 Gb/s / 8
    = 128 GB/s per device (the standard reaches 192 GB/s at 48 Gb/s [JESD239]); 16 Gb = 2 GiB devices.
    """
    return DramSpec(
        kind="gddr7", stacks=devices, channels_per_stack=4, pseudo_channels_per_channel=1,
        bank_groups=4, banks_per_group=4, row_bytes=2048, burst_length=32, pc_bus_width_bits=8,
        data_rate_gbps=data_rate_gbps, capacity_bytes_per_stack=capacity_bytes_per_device,
        **gddr7_timings_ns(data_rate_gbps), interleave_bytes=interleave_bytes, access_latency_ns=access_latency_ns,
    )


def sram_main_memory(*, channels: int, bus_width_bits: int, clock_ghz: float, capacity_bytes: int,
                      access_latency_ns: float) -> DramSpec:
    """On-chip SRAM as the main memory level: ``channels`` independent banks-of-slices, each
    ``bus_width_bits`` wide, one access per core clock, no row or refresh penalties that bind."""
    cyc = 1.0 / clock_ghz
    burst = bus_width_bits // 8
    return DramSpec(
        kind="sram", stacks=1, channels_per_stack=channels, pseudo_channels_per_channel=1,
        bank_groups=1, banks_per_group=2,
        # "rows" of 64 accesses: a row switch costs 2 cycles (tRP + tRCD), 1/32 of a stream's time at most;
        # SRAM has no row buffer, the small cost stands for slice switching in the stream network
        row_bytes=64 * burst, burst_length=1, pc_bus_width_bits=bus_width_bits, data_rate_gbps=clock_ghz,
        capacity_bytes_per_stack=capacity_bytes,
        tRCD_ns=cyc, tRP_ns=cyc, tCL_ns=cyc, tRAS_ns=cyc, tRRD_S_ns=0.0, tRRD_L_ns=0.0, tFAW_ns=0.0,
        tCCD_S_ns=cyc, tCCD_L_ns=cyc, tWTR_ns=0.0, tRTW_ns=0.0,
        tRFC_ns=0.0, tREFI_ns=1e9, tRFCpb_ns=0.0,  # SRAM: no refresh
        interleave_bytes=burst, access_latency_ns=access_latency_ns,
    )


# ------------------------------------------------------------------------------------------ machines

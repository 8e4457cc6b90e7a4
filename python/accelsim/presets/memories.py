"""DRAM devices as a standard plus a speed bin, held the way JEDEC and Ramulator 2 hold them.

A speed bin (``"HBM3-6400"``, ``"HBM3E-9600"``, ``"LPDDR5X-8533"``, ...) is a standard -- which sets the device
clock, :data:`~accelsim.spec.machine.DRAM_BITS_PER_CLOCK` -- a pin rate and a timing set: the timings the
standard fixes in ns (the DRAM core's) in ns, the ones it gives in device clock cycles (column-to-column,
read-to-write) in cycles. :func:`speed_bin` gives the :class:`~accelsim.spec.machine.DramSpec` fields of a bin
with per-field overrides; :func:`dram` builds a whole DramSpec from a bin and an organisation. A machine file
can name one (``dram: {speed_bin: HBM3E-9600}``, :func:`accelsim.presets.load_file`).

>>> d = dram("HBM3-6400", stacks=5)
>>> round(d.tCCD_S_ns, 3), round(d.peak_bandwidth_bytes_per_s / 1e12, 3)
(1.25, 4.096)
>>> round(d.replace(data_rate_gbps=3.2).tCCD_S_ns, 3)   # the same device at half the clock
2.5

Sources (short names):

- [JESD235]   JEDEC JESD235 High Bandwidth Memory (HBM2 / HBM2E, JESD235C/D).
- [JESD238]   JEDEC JESD238 High Bandwidth Memory (HBM3), 2022; HBM3E is the same interface at higher pin
              rates (vendors' parts; no separate JEDEC AC-timing table is public).
- [JESD270-4] JEDEC JESD270-4 HBM4, 2025: 2048-bit interface, 32 channels per stack, 8 Gb/s per pin.
- [JESD209-5] JEDEC JESD209-5 LPDDR5 / LPDDR5X.  [JESD239] JEDEC JESD239 GDDR7 (PAM3).  [JESD250] JEDEC
              JESD250 GDDR6 (2 independent x16 channels per device, 4 bank groups x 4 banks, BL16).
- [RAM2-HBM2], [RAM2-HBM3], [RAM2-HBM4], [RAM2-LP5], [RAM2-GDDR6], [RAM2-GDDR7]: Ramulator 2.1 (CMU SAFARI,
              github.com/CMU-SAFARI/ramulator2, commit c5b1c3a, python/ramulator/dram/*.py) timing presets
              ``HBM2_1600/2000/2400Mbps``, ``HBM3_6400Mbps``, ``HBM4_8000Mbps``, ``LPDDR5_6400``,
              ``GDDR6_2000_1350mV_double``, ``GDDR7_28000_PAM3`` (JEDEC-derived CK counts and tCK).
- [MU-HBM3E]  Micron HBM3E 8-high 24 GB and 12-high 36 GB: "over 9.2 Gb/s per pin", "over 1.2 TB/s" per stack.
- [HBM3E-9.6] HBM3E pin rates up to 9.6 Gb/s (JESD238B updates; vendors' fastest parts, > 1.2 TB/s per stack).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..spec.base import suggest
from ..spec.machine import DRAM_BITS_PER_CLOCK, DramSpec
from ..units import GiB

__all__ = ["SpeedBin", "SPEED_BINS", "speed_bin", "dram", "hbm2_timings_ns", "hbm3_timings_ns", "hbm3_trfc_ns",
           "lpddr5x_timings_ns", "lpddr5x_dram", "gddr6_timings_ns", "gddr6_dram", "gddr7_timings_ns", "gddr7_dram",
           "sram_main_memory", "TIMINGS"]

#: The DramSpec fields a speed bin sets: ``*_ns`` in ns, ``n*`` in device clock cycles.
TIMINGS: tuple[str, ...] = ("tRCD_ns", "tRP_ns", "tCL_ns", "tRAS_ns", "tRRD_S_ns", "tRRD_L_ns", "tFAW_ns",
                            "nCCD_S", "nCCD_L", "tWTR_ns", "nRTW", "tRFC_ns", "tREFI_ns", "tRFCpb_ns")


@dataclass(frozen=True)
class SpeedBin:
    """A named speed bin: standard (DramSpec ``kind``), pin rate and the timing fields (see :data:`TIMINGS`)."""

    name: str
    kind: str
    data_rate_gbps: float
    timings: Mapping[str, float] = field(repr=False)
    source: str = ""

    def __post_init__(self) -> None:
        missing = [t for t in TIMINGS if t not in self.timings]
        extra = [t for t in self.timings if t not in TIMINGS]
        if missing or extra or self.kind not in DRAM_BITS_PER_CLOCK:  # pragma: no cover - a table bug
            raise AssertionError(f"speed bin {self.name}: missing {missing}, unknown {extra}, kind {self.kind}")

    @property
    def tCK_ns(self) -> float:
        return DRAM_BITS_PER_CLOCK[self.kind] / self.data_rate_gbps

    def fields(self) -> dict[str, Any]:
        """The DramSpec fields of this bin: kind, data_rate_gbps and every timing."""
        return {"kind": self.kind, "data_rate_gbps": self.data_rate_gbps, **self.timings}


def _from_cycles(tck_ns: float, *, nRCD: int, nRP: int, nCL: int, nRAS: int, nRRDS: int, nRRDL: int, nFAW: int,
                 nWTRL: int, nCCDS: int, nCCDL: int, nRTW: int, tRFC_ns: float, tREFI_ns: float) -> dict[str, float]:
    """A Ramulator-style table (everything in CK) as DramSpec timings: the ones JEDEC fixes in ns converted
    at the bin's own clock, the clock-held ones kept in cycles."""
    return {"tRCD_ns": nRCD * tck_ns, "tRP_ns": nRP * tck_ns, "tCL_ns": nCL * tck_ns, "tRAS_ns": nRAS * tck_ns,
            "tRRD_S_ns": nRRDS * tck_ns, "tRRD_L_ns": nRRDL * tck_ns, "tFAW_ns": nFAW * tck_ns,
            "nCCD_S": float(nCCDS), "nCCD_L": float(nCCDL), "tWTR_ns": nWTRL * tck_ns, "nRTW": float(nRTW),
            "tRFC_ns": tRFC_ns, "tREFI_ns": tREFI_ns, "tRFCpb_ns": 0.0}


# HBM2-2000 [JESD235][RAM2-HBM2] HBM2_2000Mbps (tCK 1 ns), as the reference table gives it in ns: nRCDRD/nRP/
# nCL 14, nRAS 34, nRRDS/L 4, nFAW 15, nWTRL 8 CK; nCCDS 2 / nCCDL 4 CK; tRTW = RL + BL/2 + 2 - WL =
# 14 + 2 + 2 - 5 = 13 CK; tRFC 350 ns (8 Gb), tREFI 3.9 us. All-bank refresh (tRFCpb_ns 0) in every bin.
_HBM2_2000 = {"tRCD_ns": 14.0, "tRP_ns": 14.0, "tCL_ns": 14.0, "tRAS_ns": 34.0, "tRRD_S_ns": 4.0, "tRRD_L_ns": 4.0,
              "tFAW_ns": 15.0, "nCCD_S": 2.0, "nCCD_L": 4.0, "tWTR_ns": 8.0, "nRTW": 13.0, "tRFC_ns": 350.0,
              "tREFI_ns": 3900.0, "tRFCpb_ns": 0.0}

# HBM3-6400 [JESD238][RAM2-HBM3] HBM3_6400Mbps (tCK 625 ps), the ns the reference table lists: nRCDRD 31
# (19.4 ns), nRP 26 (16.25), nCL 20 (12.5), nRAS 45 (28.1), nRRDS 4 (2.5), nRRDL 5 (3.1), nFAW 24 (15.0),
# nWTRL 10 (6.25); nCCDS 2, nCCDL 4, nRTW 20 CK; tREFI 3.9 us (nREFI 6240); tRFC by channel density
# (hbm3_trfc_ns), here 350 ns (HBM3_16Gb_8hi).
_HBM3_6400 = {"tRCD_ns": 19.4, "tRP_ns": 16.25, "tCL_ns": 12.5, "tRAS_ns": 28.1, "tRRD_S_ns": 2.5, "tRRD_L_ns": 3.1,
              "tFAW_ns": 15.0, "nCCD_S": 2.0, "nCCD_L": 4.0, "tWTR_ns": 6.25, "nRTW": 20.0, "tRFC_ns": 350.0,
              "tREFI_ns": 3900.0, "tRFCpb_ns": 0.0}


def _bins() -> dict[str, SpeedBin]:
    hbm2 = "JESD235; Ramulator 2.1 HBM2_{}Mbps"
    out = [
        SpeedBin("HBM2-1600", "hbm2", 1.6, _from_cycles(1.25, nRCD=10, nRP=10, nCL=10, nRAS=24, nRRDS=4, nRRDL=4,
                                                         nFAW=12, nWTRL=6, nCCDS=2, nCCDL=4,
                                                         nRTW=10 + 2 + 2 - 4,  # RL + BL/2 + 2 - WL
                                                         tRFC_ns=350.0, tREFI_ns=3900.0), hbm2.format(1600)),
        SpeedBin("HBM2-2000", "hbm2", 2.0, dict(_HBM2_2000), hbm2.format(2000)),
        SpeedBin("HBM2-2400", "hbm2", 2.4, _from_cycles(1 / 1.2, nRCD=17, nRP=17, nCL=17, nRAS=40, nRRDS=5, nRRDL=5,
                                                         nFAW=19, nWTRL=10, nCCDS=2, nCCDL=4,
                                                         nRTW=17 + 2 + 2 - 6, tRFC_ns=350.0, tREFI_ns=3900.0),
                 hbm2.format(2400)),
        # HBM2E (JESD235C/D) runs the HBM2 core at up to 3.2-3.6 Gb/s; no public AC table separates its core
        # timings from HBM2's: HBM2-2000's ns and CK counts.
        SpeedBin("HBM2E-3200", "hbm2e", 3.2, dict(_HBM2_2000), "JESD235 (HBM2E); timings as HBM2-2000"),
        SpeedBin("HBM2E-3600", "hbm2e", 3.6, dict(_HBM2_2000), "JESD235 (HBM2E); timings as HBM2-2000"),
        SpeedBin("HBM3-6400", "hbm3", 6.4, dict(_HBM3_6400), "JESD238; Ramulator 2.1 HBM3_6400Mbps"),
        # HBM3E: the HBM3 interface and core at higher pin rates; JESD238's ns timings, the same CK counts.
        SpeedBin("HBM3E-8000", "hbm3e", 8.0, dict(_HBM3_6400), "JESD238 (HBM3E pin rate); HBM3-6400 timings"),
        SpeedBin("HBM3E-9200", "hbm3e", 9.2, dict(_HBM3_6400), "Micron HBM3E 9.2 Gb/s; HBM3-6400 timings"),
        SpeedBin("HBM3E-9600", "hbm3e", 9.6, dict(_HBM3_6400), "HBM3E at 9.6 Gb/s; HBM3-6400 timings"),
        # HBM4-8000 [JESD270-4][RAM2-HBM4] HBM4_8000Mbps (tCK 500 ps); tRFC 450 ns for an 8 Gb channel
        # (Ramulator's table: <= 4 Gb 400, <= 8 Gb 450, <= 16 Gb 530 ns).
        SpeedBin("HBM4-8000", "hbm4", 8.0, _from_cycles(0.5, nRCD=39, nRP=33, nCL=20, nRAS=57, nRRDS=5, nRRDL=7,
                                                        nFAW=30, nWTRL=13, nCCDS=2, nCCDL=4, nRTW=25,
                                                        tRFC_ns=450.0, tREFI_ns=3900.0),
                 "JESD270-4; Ramulator 2.1 HBM4_8000Mbps"),
        SpeedBin("LPDDR5X-8533", "lpddr5x", 8.533, lpddr5x_timings_ns(), "JESD209-5; Ramulator 2.1 LPDDR5_6400 (ns)"),
        SpeedBin("GDDR6-16000", "gddr6", 16.0, gddr6_timings_ns(),
                 "JESD250; Ramulator 2.1 GDDR6_2000_1350mV_double core timings"),
        SpeedBin("GDDR7-32000", "gddr7", 32.0, gddr7_timings_ns(),
                 "JESD239; GDDR6 core timings (Ramulator 2.1 GDDR6_2000_1350mV_double)"),
        # A design, not a standard: hybrid-bonded DRAM layers on the compute die with HBM3's cells (its ns
        # timings), 64-bit pseudo-channels with BL4 at 3.2 Gb/s, DDR (HBM2's column timing in CK).
        SpeedBin("STACKED3D-3200", "stacked3d", 3.2, dict(_HBM3_6400), "design: HBM3 core, HBM2-style columns"),
    ]
    return {b.name: b for b in out}


def hbm3_trfc_ns(channel_density_gbit: float) -> float:
    """HBM3 all-bank refresh time by channel density (die density / stack IDs) [JESD238][RAM2-HBM3]:
    <= 4 Gb 260 ns, <= 8 Gb 350, <= 16 Gb 450, above 550."""
    for limit, t in ((4, 260.0), (8, 350.0), (16, 450.0)):
        if channel_density_gbit <= limit:
            return t
    return 550.0


def lpddr5x_timings_ns(data_rate_gbps: float = 8.533) -> dict[str, float]:
    """LPDDR5X timings [JESD209-5][RAM2-LP5] (``data_rate_gbps`` is where the read-to-write turnaround is
    counted in CK; the bin's rate by default).

    The core (analog) timings are JEDEC's ns values as in Ramulator 2's ``LPDDR5_6400`` (tCK 1.25 ns): they
    do not depend on the pin rate. The column-to-column times follow the bank-group (BG) mode used above
    3200 Mb/s: a BL16 burst occupies 2 CK (CK = data rate / 8), tCCD_S = 2 CK to another bank group, tCCD_L =
    4 CK within one. tRTW = RL + BL/n + 2 CK - WL = 25 ns + 4 CK - 13.75 ns (nCL 20, nCWL 11 at 1.25 ns).
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
        "nCCD_S": 2.0,  # BL16 in BG mode [JESD209-5]
        "nCCD_L": 4.0,
        "tWTR_ns": 12.5,  # nWTRL 10 CK [RAM2-LP5]
        "nRTW": round((25.0 - 13.75) / tck) + 4.0,  # RL - WL in CK at this clock, + BL/n + 2 CK [RAM2-LP5]
        "tRFC_ns": 280.0,  # tRFCab, 16 Gb die [RAM2-LP5]
        "tREFI_ns": 3906.0,  # tREFI base [RAM2-LP5]
        "tRFCpb_ns": 0.0,
    }


def gddr6_timings_ns() -> dict[str, float]:
    """GDDR6 timings [JESD250][RAM2-GDDR6]: the DRAM core's in ns (Ramulator 2 ``GDDR6_2000_1350mV_double``, its
    CK counts x its 570 ps tCK, as for GDDR7); column timings in GDDR6's CK (8 bits per pin per CK: a BL16 burst
    of 32 B on an x16 channel is 2 CK): tCCD_S 2 CK, tCCD_L 3 (the preset's 6 : 4 ratio); tRTW the core's 17.1 ns
    (nCL + nBL + 4 - nCWL = 30 preset CK) as 34 CK at 16 Gb/s."""
    return {**gddr7_timings_ns(), "nCCD_S": 2.0, "nCCD_L": 3.0, "nRTW": 34.0}


def gddr7_timings_ns() -> dict[str, float]:
    """GDDR7 timings [JESD239][RAM2-GDDR6][RAM2-GDDR7].

    There is no public GDDR7 AC-timing table; the DRAM core (array, sense amplifiers) is the same technology
    as GDDR6's, so the core timings are GDDR6's in ns (Ramulator 2 ``GDDR6_2000_1350mV_double``, its CK
    counts x its 570 ps tCK). Column timings are in GDDR7's CK (16 bits per pin per CK: a 32 B access on an
    x8 channel, 32 bits per pin, is 2 CK, as Ramulator 2.1's GDDR7 nBL): tCCD_S 2 CK, tCCD_L 3 (GDDR6's
    6 : 4 ratio); tRTW GDDR6's 17.1 ns (nCL + nBL + 4 - nCWL = 30 GDDR6 CK) as 34 CK at 32 Gb/s.
    """
    ck = 0.570  # the GDDR6 preset's tCK, ns [RAM2-GDDR6]
    return {
        "tRCD_ns": 26 * ck,  # nRCDRD 26 -> 14.8 ns
        "tRP_ns": 26 * ck,  # nRP 26 -> 14.8 ns
        "tCL_ns": 24 * ck,  # nCL 24 -> 13.7 ns
        "tRAS_ns": 53 * ck,  # nRAS 53 -> 30.2 ns
        "tRRD_S_ns": 7 * ck,  # nRRDS 7 -> 4.0 ns
        "tRRD_L_ns": 7 * ck,  # nRRDL 7
        "tFAW_ns": 28 * ck,  # nFAW 28 -> 16.0 ns
        "nCCD_S": 2.0,
        "nCCD_L": 3.0,
        "tWTR_ns": 11 * ck,  # nWTRL 11 -> 6.3 ns
        "nRTW": 34.0,
        "tRFC_ns": 210 * ck,  # nRFC 210 -> 120 ns
        "tREFI_ns": 3333 * ck,  # nREFI 3333 -> 1.9 us
        "tRFCpb_ns": 0.0,
    }


#: Every named speed bin.
SPEED_BINS: dict[str, SpeedBin] = _bins()


def speed_bin(name: str, **overrides: Any) -> dict[str, Any]:
    """The DramSpec fields (kind, data_rate_gbps, every timing) of speed bin ``name``, with ``overrides``
    applied (any DramSpec field, e.g. ``data_rate_gbps=5.238`` or ``tRFC_ns=450.0``). ConfigError naming
    ``speed_bin`` for an unknown bin."""
    b = SPEED_BINS.get(name) if isinstance(name, str) else None
    if b is None:
        raise ConfigError("speed_bin", f"unknown speed bin; choose one of {list(SPEED_BINS)}"
                          f"{suggest(name, list(SPEED_BINS))}", name)
    return {**b.fields(), **overrides}


def dram(bin_name: str, *, stacks: int, channels_per_stack: int | None = None, pseudo_channels_per_channel: int = 2,
         bank_groups: int = 4, banks_per_group: int = 8, row_bytes: int = 1024, burst_length: int | None = None,
         pc_bus_width_bits: int | None = None, capacity_bytes_per_stack: int = 16 * GiB, interleave_bytes: int = 1024,
         access_latency_ns: float = 330.0, **overrides: Any) -> DramSpec:
    """A DramSpec of speed bin ``bin_name`` and an organisation. The defaults are an 8-high HBM stack's
    (16 channels of 2 pseudo-channels; HBM4: 32 channels; 32-bit pseudo-channels with BL8, HBM2/2E and
    stacked3d 64-bit with BL4; 4 bank groups x 8 banks over 2 stack IDs; 1 KiB rows) [JESD238][JESD235]
    [JESD270-4][RAM2-HBM3]; ``overrides`` set any other field (``data_rate_gbps``, ``tRFC_ns``, ...)."""
    fields = speed_bin(bin_name)
    kind = fields["kind"]
    ddr = kind in ("hbm2", "hbm2e", "stacked3d")
    return DramSpec(**{
        **fields,
        "stacks": stacks,
        "channels_per_stack": channels_per_stack if channels_per_stack is not None else (32 if kind == "hbm4" else 16),
        "pseudo_channels_per_channel": pseudo_channels_per_channel, "bank_groups": bank_groups,
        "banks_per_group": banks_per_group, "row_bytes": row_bytes,
        "burst_length": burst_length if burst_length is not None else (4 if ddr else 8),
        "pc_bus_width_bits": pc_bus_width_bits if pc_bus_width_bits is not None else (64 if ddr else 32),
        "capacity_bytes_per_stack": capacity_bytes_per_stack, "interleave_bytes": interleave_bytes,
        "access_latency_ns": access_latency_ns, **overrides})


def hbm2_timings_ns(data_rate_gbps: float | None = None) -> dict[str, float]:
    """HBM2/HBM2E timings (HBM2-2000's, :data:`SPEED_BINS`): the ns ones and the CK ones; a device clock
    comes with the DramSpec's data rate (``data_rate_gbps`` is accepted for older callers and not needed)."""
    return dict(SPEED_BINS["HBM2-2000"].timings)


def hbm3_timings_ns(data_rate_gbps: float | None = None, tRFC_ns: float = 350.0) -> dict[str, float]:
    """HBM3 timings (HBM3-6400's, :data:`SPEED_BINS`) with all-bank refresh time ``tRFC_ns`` (by channel
    density, :func:`hbm3_trfc_ns`); the CK ones scale with the DramSpec's own data rate."""
    return {**SPEED_BINS["HBM3-6400"].timings, "tRFC_ns": tRFC_ns}


def lpddr5x_dram(*, packages: int = 8, data_rate_gbps: float = 8.533, capacity_bytes_per_package: int = 16 * GiB,
                 access_latency_ns: float = 100.0, interleave_bytes: int = 2048) -> DramSpec:
    """LPDDR5X-8533 (at ``data_rate_gbps``): ``packages`` x64 packages, each 4 independent x16 channels
    [JESD209-5].

    A channel has 4 bank groups x 4 banks (BG mode), a 2 KiB page (1024 columns x 16 bit) and moves
    32 B per BL16 burst [JESD209-5][RAM2-LP5].  Peak: 64 bit x 8.533 Gb/s / 8 = 68.3 GB/s per package.
    ``access_latency_ns`` (controller + PHY + fabric round trip) is a machine property: 100 ns default.
    """
    return DramSpec(
        stacks=packages, channels_per_stack=4, pseudo_channels_per_channel=1,
        bank_groups=4, banks_per_group=4, row_bytes=2048, burst_length=16, pc_bus_width_bits=16,
        capacity_bytes_per_stack=capacity_bytes_per_package,
        **speed_bin("LPDDR5X-8533", data_rate_gbps=data_rate_gbps),
        interleave_bytes=interleave_bytes, access_latency_ns=access_latency_ns,
    )


def gddr7_dram(*, devices: int = 16, data_rate_gbps: float = 32.0, capacity_bytes_per_device: int = 2 * GiB,
               access_latency_ns: float = 100.0, interleave_bytes: int = 2048) -> DramSpec:
    """GDDR7-32000 (at ``data_rate_gbps``): ``devices`` x32 devices, each 4 independent x8 channels [JESD239].

    A channel has 4 bank groups x 4 banks (GDDR6's organisation [RAM2-GDDR6]; assumed for GDDR7) and a
    2 KiB page (2048 columns x 8 bit, as GDDR6 x8); an access moves 32 B (burst_length here counts bits
    per pin: 32 bits on each of 8 pins; PAM3 carries 3 bits per 2 symbols).  Peak: 32 pins x 32 Gb/s / 8
    = 128 GB/s per device (the standard reaches 192 GB/s at 48 Gb/s [JESD239]); 16 Gb = 2 GiB devices.
    """
    return DramSpec(
        stacks=devices, channels_per_stack=4, pseudo_channels_per_channel=1,
        bank_groups=4, banks_per_group=4, row_bytes=2048, burst_length=32, pc_bus_width_bits=8,
        capacity_bytes_per_stack=capacity_bytes_per_device,
        **speed_bin("GDDR7-32000", data_rate_gbps=data_rate_gbps),
        interleave_bytes=interleave_bytes, access_latency_ns=access_latency_ns,
    )


def gddr6_dram(*, devices: int = 8, data_rate_gbps: float = 16.0, capacity_bytes_per_device: int = GiB,
               access_latency_ns: float = 100.0, interleave_bytes: int = 2048) -> DramSpec:
    """GDDR6-16000 (at ``data_rate_gbps``): ``devices`` devices, each 2 independent x16 channels of 4 bank groups x
    4 banks and a 2 KiB page [JESD250][RAM2-GDDR6]; an access moves 32 B (BL16 x 16 pins).  Peak: 32 pins x
    16 Gb/s / 8 = 64 GB/s per device; an 8 Gb device is 1 GiB."""
    return DramSpec(
        stacks=devices, channels_per_stack=2, pseudo_channels_per_channel=1,
        bank_groups=4, banks_per_group=4, row_bytes=2048, burst_length=16, pc_bus_width_bits=16,
        capacity_bytes_per_stack=capacity_bytes_per_device,
        **speed_bin("GDDR6-16000", data_rate_gbps=data_rate_gbps),
        interleave_bytes=interleave_bytes, access_latency_ns=access_latency_ns,
    )


def sram_main_memory(*, channels: int, bus_width_bits: int, clock_ghz: float, capacity_bytes: int,
                     access_latency_ns: float) -> DramSpec:
    """On-chip SRAM as the main memory level: ``channels`` independent banks-of-slices, each
    ``bus_width_bits`` wide, one access per core clock (``kind="sram"``: the device clock is the core clock),
    no row or refresh penalties that bind."""
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
        nCCD_S=1.0, nCCD_L=1.0, tWTR_ns=0.0, nRTW=0.0,
        tRFC_ns=0.0, tREFI_ns=1e9, tRFCpb_ns=0.0,  # SRAM: no refresh
        interleave_bytes=burst, access_latency_ns=access_latency_ns,
    )

"""DRAM as a standard plus a speed bin: timings held as JEDEC holds them, every derived value from the pin rate."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accelsim
from accelsim import io
from accelsim.errors import ConfigError
from accelsim.presets.memories import SPEED_BINS, TIMINGS, dram, hbm3_trfc_ns, speed_bin
from accelsim.spec.machine import DRAM_BITS_PER_CLOCK, DRAM_KINDS

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"

#: (bin, the device clock the standard gives at that rate, ns) [Ramulator 2.1 presets' tCK]
CLOCKS = [("HBM2-2000", 1.0), ("HBM3-6400", 0.625), ("HBM4-8000", 0.5), ("LPDDR5X-8533", 8 / 8.533),
          ("GDDR7-32000", 0.5)]


@pytest.mark.parametrize("name, tck", CLOCKS)
def test_device_clock_of_each_standard(name, tck) -> None:
    d = dram(name, stacks=1)
    assert d.tCK_ns == pytest.approx(tck)
    assert d.tCCD_S_ns == pytest.approx(d.nCCD_S * tck)


@pytest.mark.parametrize("name", list(SPEED_BINS))
def test_every_bin_builds_a_valid_device_and_round_trips(name) -> None:
    b = SPEED_BINS[name]
    assert set(b.timings) == set(TIMINGS) and b.kind in DRAM_KINDS and b.source
    d = dram(name, stacks=2)
    assert d.kind == b.kind and d.data_rate_gbps == b.data_rate_gbps
    a = accelsim.presets.load("h100-sxm").replace(dram=d, name=name)
    assert io.load(io.dump(a)) == a
    # a column command of a burst never takes less than the burst's time on the bus at the bin's rate
    assert d.tCCD_S_ns >= d.tBL_ns - 1e-12


def test_every_kind_has_a_clock_and_a_bin() -> None:
    assert set(DRAM_BITS_PER_CLOCK) == set(DRAM_KINDS)
    assert {b.kind for b in SPEED_BINS.values()} >= set(DRAM_KINDS) - {"sram"}


def test_named_bins_with_overrides() -> None:
    f = speed_bin("HBM3E-9600", tRFC_ns=450.0)
    assert f["kind"] == "hbm3e" and f["data_rate_gbps"] == 9.6 and f["tRFC_ns"] == 450.0 and f["nCCD_S"] == 2.0
    with pytest.raises(ConfigError, match="did you mean 'HBM3E-9600'") as ei:
        speed_bin("HBM3E-960")
    assert ei.value.field == "speed_bin"
    assert hbm3_trfc_ns(8) == 350.0 and hbm3_trfc_ns(12) == 450.0 and hbm3_trfc_ns(32) == 550.0


def test_h100_and_h200_are_their_bins_at_their_own_rate() -> None:
    h100, h200 = accelsim.presets.load("h100-sxm").dram, accelsim.presets.load("h200").dram
    want = speed_bin("HBM3-6400", tRFC_ns=350.0, data_rate_gbps=5.238)
    assert {k: getattr(h100, k) for k in want} == want
    for d, rate in ((h100, 5.238), (h200, 6.25)):
        assert d.data_rate_gbps == rate
        assert (d.nCCD_S, d.nCCD_L, d.nRTW) == (2.0, 4.0, 20.0)
        assert d.tCCD_S_ns == 2 * (4.0 / rate) and d.tRTW_ns == 20 * (4.0 / rate)  # what the ns presets held


def test_changing_the_data_rate_alone_scales_every_clock_held_timing() -> None:
    d = accelsim.presets.load("h100-sxm").dram
    fast = d.replace(data_rate_gbps=d.data_rate_gbps * 1.5)
    for t in ("tCK_ns", "tBL_ns", "tCCD_S_ns", "tCCD_L_ns", "tRTW_ns"):
        assert getattr(fast, t) == pytest.approx(getattr(d, t) / 1.5), t
    for t in ("tRCD_ns", "tRP_ns", "tCL_ns", "tRAS_ns", "tFAW_ns", "tRFC_ns", "tREFI_ns"):  # the DRAM core's
        assert getattr(fast, t) == getattr(d, t), t
    assert fast.peak_bandwidth_bytes_per_s == pytest.approx(d.peak_bandwidth_bytes_per_s * 1.5)


def test_former_ns_names_are_accepted_and_converted(tmp_path) -> None:
    h = accelsim.presets.load("h100-sxm")
    a = h.with_field("dram.tCCD_L_ns", 2 * h.dram.tCCD_L_ns)
    assert a.dram.nCCD_L == 8.0 and a.dram.tCCD_L_ns == pytest.approx(2 * h.dram.tCCD_L_ns)
    assert h.dram.replace(tRTW_ns=h.dram.tRTW_ns) == h.dram
    b = h.dram.replace(data_rate_gbps=6.4, tCCD_S_ns=1.25)  # converted at the new clock (625 ps)
    assert b.nCCD_S == 2.0
    with pytest.raises(ConfigError, match="not both") as ei:
        accelsim.DramSpec.from_dict({**h.dram.to_dict(), "tCCD_S_ns": 1.0})
    assert ei.value.field == "tCCD_S_ns"
    with pytest.raises(ConfigError) as ei:
        h.with_field("dram.tCCD_S_ns", "x")
    assert ei.value.field == "dram.tCCD_S_ns"
    # in a machine file's overrides the former name replaces the base's field
    c = accelsim.presets.load_file({"base": "h100-sxm", "name": "c", "dram": {"tCCD_L_ns": 2 * h.dram.tCCD_L_ns}})
    assert c.dram.nCCD_L == 8.0


def test_version_1_documents_load_as_the_presets() -> None:
    """The golden files hold tCCD_S/L and tRTW in ns and l2.banks: they load, converted, to today's presets."""
    h = io.load(GOLDEN / "h100-sxm.v1.yaml")
    # a document without exposed_fraction (added later) exposes all of its raw capacity
    raw = {"exposed_fraction": 1.0}
    assert h.dram == accelsim.presets.load("h100-sxm").dram.replace(**raw)
    assert h.l2 == accelsim.presets.load("h100-sxm").l2
    assert io.load(GOLDEN / "h200.v1.json").dram == accelsim.presets.load("h200").dram.replace(**raw)
    w = io.load(GOLDEN / "handwritten.v1.yaml")  # tCCD_S_ns: 1 at HBM3 6.4 Gb/s = 1.6 CK
    assert w.dram.nCCD_S == pytest.approx(1.6) and w.dram.tCCD_S_ns == pytest.approx(1.0)
    with pytest.raises(ConfigError) as ei:  # a current document has no l2.banks
        accelsim.Architecture.from_dict({**h.to_dict(), "l2": {**h.l2.to_dict(), "banks": 4}})
    assert ei.value.field == "l2.banks"


def test_a_machine_file_can_name_a_speed_bin(tmp_path) -> None:
    p = tmp_path / "h200-9600.yaml"
    p.write_text("base: h200\nname: h200-hbm3e-9600\ndram: {speed_bin: HBM3E-9600, tRFC_ns: 450}\n")
    a = accelsim.presets.load_file(p)
    assert a.dram.data_rate_gbps == 9.6 and a.dram.tRFC_ns == 450.0 and a.dram.stacks == 6
    assert a.dram.tCCD_S_ns == pytest.approx(2 * 4 / 9.6)
    with pytest.raises(ConfigError) as ei:
        accelsim.presets.load_file({"base": "h200", "dram": {"speed_bin": "HBM9"}})
    assert ei.value.field == "dram.speed_bin"


@settings(max_examples=25)
@given(rate=st.floats(1.0, 12.0), kind=st.sampled_from(["hbm2e", "hbm3", "hbm3e", "hbm4", "stacked3d"]))
def test_a_burst_never_outruns_its_column_slot(rate, kind) -> None:
    """At any rate the HBM bins' column slot (nCCD_S CK) is exactly one burst: the bus, not the column
    timing, sets the peak, and both scale with the rate."""
    bin_name = next(n for n, b in SPEED_BINS.items() if b.kind == kind)
    d = dram(bin_name, stacks=1, data_rate_gbps=rate)
    assert d.tCCD_S_ns == pytest.approx(d.tBL_ns)

"""Named, cited multi-chip systems and multi-die packages.

>>> import accelsim.presets.systems as systems
>>> systems.names()
['b200-2die', 'dgx-a100a-160g-8', 'dgx-a100a-8', 'dgx-a100a-attacc-8', 'dgx-b200-8', 'dgx-h100-8', 'hgx-h200-8', 'mi300x-8', 'mi300x-pkg', 'tpu-v5e-4x4', 'tpu-v5e-8', 'tpu-v6e-8', 'ucie-4chiplet']
>>> systems.load("dgx-h100-8").chips
8
>>> systems.load_package("b200-2die").dies
2

Every system and package is built from a chip registered in :mod:`accelsim.presets` (never a second model of
it): a system's chip *is* that preset (``dgx-h100-8`` holds ``presets.load("h100-sxm")``), a package's die is the chip
split evenly (:func:`split_chip`: ``b200-2die`` is two halves of ``b200``, ``mi300x-pkg`` four quarters of
``mi300x``) or a registered design chip (``ucie-4chiplet``: four ``ucie-chiplet``).  The registry records which
chip each is built from, and the tests rebuild each one from it.

Package presets are also systems of one chip (so :func:`accelsim.multichip.parallel.parallel_decode_step` runs on
them and communicates nothing).  Sources (short names used in the comments):

- [NCCL-TUNE]  NVIDIA/nccl ``src/graph/tuning.cc`` (2.19 to master 2026): the library's own latency model, in us:
               ``baseLat`` Ring LL 6.6 / Simple 8.4, Tree LL 6.8; ``hwLat`` NVLink Ring/Tree LL 0.6 per
               step, Ring Simple 3.4 per step, NVLS Simple 25; ``nvlsEfficiency`` Hopper 0.85, Blackwell 0.74;
               the LL protocol's bus-bandwidth ceiling on one node, ``llMaxBws`` Ampere 87.7, Hopper 141.0,
               Blackwell 2 x 141.0 GB/s, applied as ``busBw = min(llMaxBw, busBw * .5)`` for Ring/LL.
- [NCCL-212]   NVIDIA/nccl-tests issue #212 (S. Jeaugey, NVIDIA, 2024): NVLink4 line rate 450 GB/s per
               direction; ~20% protocol overhead, effective 370 GB/s bus bandwidth with rings; NVLS
               all-reduce peak bus bandwidth ~480 GB/s (algbw ~275 GB/s) on 8 H100.
- [NCCL-309]   NVIDIA/nccl-tests issue #309 (2025): 8x H100 all-reduce without NVLS 368.76 GB/s busbw;
               NCCL picks Ring/LL for 8 B..1 MB and NVLS/Simple from 2 MB.
- [H100-WP]    NVIDIA H100 Tensor Core GPU Architecture whitepaper: NVLink4, 18 links x 50 GB/s
               bidirectional = 900 GB/s per GPU; NVSwitch gen 3 in DGX/HGX H100.
- [B200]       NVIDIA Blackwell: two reticle-limited dies joined by the 10 TB/s NV-HBI, 192 GB HBM3e at
               8 TB/s, 2.25 PFLOPS dense BF16 (4.5 PFLOPS dense FP8), NVLink5 1.8 TB/s per GPU.
- [MI300X]     AMD Instinct MI300X data sheet / CDNA3 white paper: 304 CUs at 2.1 GHz, 1307.4 TFLOPS
               dense BF16, 8 x HBM3 24 GB (192 GB) at 5.3 TB/s, 256 MB Infinity Cache at 17 TB/s, four
               I/O dies with two XCDs each.
- [MI300-IOD]  AMD, VLSI Symposium 2024 (MI300 IOD, as summarised by vengineer.hatenablog.com,
               2024-07-10): IOD-to-IOD bandwidth 3.0 TB/s and 2.4 TB/s to its two neighbours.
- [UCIe]       UCIe 1.0/2.0 specification (advanced package: x64 modules up to 32 GT/s) and D. Das
               Sharma, Hot Interconnects 2025 (2.5D: 0.25-0.3 pJ/bit, ~2 ns round-trip latency).
- [ATTACC-SIM] The AttAcc authors' simulator (scale-snu/attacc_simulator, src/config.py): DGX of 8 GPUs,
               NVLink3 "INTERFACE_BW" 600 GB/s; see accelsim.presets.literature.
- [V5E]        Google Cloud TPU v5e documentation: 197 TFLOPS bf16, 393 TOPS int8, 16 GB HBM2e at
               819 GB/s, 400 GB/s bidirectional ICI per chip over 4 ports, 2D torus, 256-chip pods.
- [V6E]        Google Cloud TPU v6e (Trillium) documentation and launch blog: 918 TFLOPS bf16, 32 GB HBM at
               1640 GB/s, twice v5e's ICI bandwidth per chip, 2D torus; v6e-8 / v5e-8 slices are 2x4.
- [B200-DGX]   NVIDIA DGX B200: 8 B200 GPUs on fifth-generation NVLink, 1.8 TB/s bidirectional per GPU
               (18 links x 100 GB/s), 14.4 TB/s aggregate, NVLink Switch with SHARP (NVLS).
- [SERDES]     NVIDIA's Grace Hopper material as reported in analyses of NVLink-C2C: 1.3 pJ/bit for the
               on-package NVLink-C2C against 5.5 pJ/bit for a (112G PAM4) SerDes link; NVLink4/5, xGMI and ICI
               chip-to-chip links are SerDes links (their own figures are not published).
- [XGMI]       AMD ROCm blog "Understanding RCCL Bandwidth and xGMI Performance on AMD Instinct MI300X"
               (2025-03-02): each MI300X connects to its seven peers by xGMI links (a fully connected
               mesh), 64 GB/s per link peak, ~48 GB/s usable after CRC and protocol overhead (75%).

Values that no public source gives are marked ``ASSUMED`` with their reasoning; they are physical orders of
magnitude, never fitted to a validation figure.
"""

from __future__ import annotations

from typing import Callable

from ..errors import ConfigError
from ..spec.machine import Architecture
from ..spec.system import InterconnectSpec, LinkSpec, Package, System
from . import registry
from .registry import register

__all__ = ["names", "load", "package_names", "load_package", "nvlink4_switch", "nvlink3_switch", "split_chip",
           "SERDES_PJ_PER_BIT", "NCCL_LL_MAX_BUS_GB_PER_S", "nccl_ll_fraction"]

#: Energy of a chip-to-chip SerDes link per bit and traversal [SERDES].
SERDES_PJ_PER_BIT = 5.5


def split_chip(arch: Architecture, dies: int) -> Architecture:
    """``arch`` as ``dies`` identical dies: each with 1/dies of the compute units, of the L2 (capacity and
    bandwidth), of the DRAM stacks and their fabric bandwidth and of the static power; everything per unit, per byte or per stack is
    unchanged. ``dies`` = 1 gives ``arch`` itself. ConfigError if the units or stacks do not divide."""
    if dies == 1:
        return arch
    if arch.compute.units % dies:
        raise ConfigError("compute.units", f"must divide into {dies} dies", arch.compute.units)
    if arch.dram.stacks % dies:
        raise ConfigError("dram.stacks", f"must divide into {dies} dies", arch.dram.stacks)
    l2 = arch.l2
    if l2 is not None:
        l2 = l2.replace(capacity_bytes=l2.capacity_bytes // dies, bytes_per_cycle=l2.bytes_per_cycle / dies)
    energy = arch.energy
    if energy is not None:
        energy = energy.replace(static_power_w=energy.static_power_w / dies)
    return arch.replace(
        name=f"{arch.name}/{dies}",
        description=f"1/{dies} of {arch.name} as one die of a package",
        compute=arch.compute.replace(units=arch.compute.units // dies),
        l2=l2,
        dram=arch.dram.replace(stacks=arch.dram.stacks // dies,
                               fabric_bandwidth_gb_per_s=arch.dram.fabric_bandwidth_gb_per_s / dies),
        energy=energy,
    )


#: NCCL's ceiling on the LL protocol's bus bandwidth within one node, GB/s, by GPU generation [NCCL-TUNE]
#: (``llMaxBws``: Ampere-N1 87.7, Hopper-N1 141.0, Blackwell-N1 2 x 141.0).
NCCL_LL_MAX_BUS_GB_PER_S = {"ampere": 87.7, "hopper": 141.0, "blackwell": 282.0}


def nccl_ll_fraction(generation: str, link: LinkSpec) -> float:
    """The share of ``link``'s payload rate the LL protocol moves, as NCCL's tuner has it [NCCL-TUNE]:
    ``min(llMaxBw, 0.5 x busBw)`` over ``busBw`` (LL stores 8 bytes for 4 of data, and a generation's
    LL bus bandwidth is capped at ``llMaxBw``). A ring's bus bandwidth is the link's payload rate."""
    return min(0.5, NCCL_LL_MAX_BUS_GB_PER_S[generation] / link.payload_bytes_per_s * 1e9)


def nvlink4_switch(in_network: bool = True) -> InterconnectSpec:
    """NVLink4 + third-generation NVSwitch, as in DGX/HGX H100/H200 [H100-WP][NCCL-TUNE][NCCL-212]."""
    link = LinkSpec(
        name="nvlink4-x18",
        bandwidth_gb_per_s=450.0,  # 18 links x 25 GB/s per direction = 900 GB/s bidirectional [H100-WP]
        # NCCL's per-step hardware latency already contains wire + switch traversal [NCCL-TUNE], so the
        # physical link and switch latencies are folded into step_latency_ns (set 0 here).
        latency_ns=0.0,
        energy_pj_per_bit=SERDES_PJ_PER_BIT,  # an off-package SerDes link [SERDES]
        efficiency=370.0 / 450.0,  # effective 370 GB/s of the 450 GB/s line rate [NCCL-212]
    )
    return InterconnectSpec(
        topology="switch",
        dims="",
        link=link,
        hop_latency_ns=0.0,  # folded into step_latency_ns (see link.latency_ns)
        base_latency_ns=6600.0,  # baseLat Ring LL 6.6 us [NCCL-TUNE]
        step_latency_ns=600.0,  # hwLat NVLink Ring LL 0.6 us per step [NCCL-TUNE]
        # LL: 8-byte stores of 4 B data + 4 B flag, its bus bandwidth capped at Hopper's llMaxBw 141 GB/s:
        # 141 / 370 = 0.38 of the payload rate [NCCL-TUNE]
        low_latency_bandwidth_fraction=nccl_ll_fraction("hopper", link),
        simple_base_latency_ns=8400.0,  # baseLat Ring Simple 8.4 us [NCCL-TUNE]
        simple_step_latency_ns=3400.0,  # hwLat NVLink Ring Simple 3.4 us per step [NCCL-TUNE]
        in_network_latency_ns=25000.0 if in_network else 0.0,  # hwLat NVLS Simple 25 us [NCCL-TUNE]
        in_network_efficiency=0.85,  # nvlsEfficiency, Hopper [NCCL-TUNE] (src/graph/tuning.cc)
    )


def nvlink3_switch() -> InterconnectSpec:
    """NVLink3 + second-generation NVSwitch, as in DGX A100: 12 links x 25 GB/s per direction = 600 GB/s
    bidirectional ("INTERFACE_BW" 600 GB/s in the AttAcc simulator [ATTACC-SIM]); NCCL's latency model and
    protocol efficiency as for NVLink4 (ASSUMED: same NCCL tuning table for both generations)."""
    link = nvlink4_switch().link.replace(name="nvlink3-x12", bandwidth_gb_per_s=300.0)
    # LL capped at Ampere's llMaxBw 87.7 GB/s [NCCL-TUNE]
    return nvlink4_switch(in_network=False).replace(link=link,
                                                    low_latency_bandwidth_fraction=nccl_ll_fraction("ampere", link))


def _dgx_a100(name: str, chip: str, desc: str) -> System:
    return System(name=name, description=desc, chips=8, chip=registry.load(chip), network=nvlink3_switch(),
                  citations=("AttAcc simulator (scale-snu/attacc_simulator): DGX of 8 GPUs, NVLink3 600 GB/s",
                             "NVIDIA/nccl src/graph/tuning.cc latency model (baseLat / hwLat), NCCL 2.19-2.21"))


def dgx_a100a_8() -> System:
    return _dgx_a100("dgx-a100a-8", "a100a", "8x A100 with HBM3 (80 GiB) on NVLink3 (AttAcc's DGX)")


def dgx_a100a_160g_8() -> System:
    return _dgx_a100("dgx-a100a-160g-8", "a100a-160g",
                     "8x A100 with HBM3 (160 GiB) on NVLink3: AttAcc's same-capacity baseline")


def dgx_a100a_attacc_8() -> System:
    return _dgx_a100("dgx-a100a-attacc-8", "a100a-attacc",
                     "8x A100a, each with an AttAcc device (5 x HBM3-PIM, KV cache + attention), on NVLink3")


def _dgx(name: str, chip: Architecture, desc: str) -> System:
    return System(
        name=name,
        description=desc,
        chips=8,
        chip=chip,
        network=nvlink4_switch(),
        citations=(
            "NVIDIA H100 Tensor Core GPU Architecture whitepaper (NVLink4 / NVSwitch), 2022",
            "NVIDIA/nccl src/graph/tuning.cc latency model (baseLat / hwLat), NCCL 2.19-2.21",
            "NVIDIA/nccl-tests issue #212 (NVLink4 effective 370 GB/s, NVLS busbw ~480 GB/s)",
        ),
    )


def dgx_h100_8() -> System:
    return _dgx("dgx-h100-8", registry.load("h100-sxm"), "8x H100 SXM5 on NVLink4 / NVSwitch (DGX/HGX H100)")


def hgx_h200_8() -> System:
    return _dgx("hgx-h200-8", registry.load("h200"), "8x H200 SXM on NVLink4 / NVSwitch (HGX H200)")


# -- TPU v5e ---------------------------------------------------------------------------------------


def tpu_v5e_4x4() -> System:
    return System(
        name="tpu-v5e-4x4",
        description="TPU v5e slice of 16 chips on a 4x4 2D torus (ICI)",
        chips=16,
        chip=registry.load("tpu-v5e"),  # the registered chip [V5E]
        network=InterconnectSpec(
            topology="torus2d",
            dims="4x4",
            link=LinkSpec(
                name="ici-v5e",
                bandwidth_gb_per_s=50.0,  # 400 GB/s bidirectional per chip / 4 ports / 2 directions [V5E]
                latency_ns=500.0,  # ASSUMED: SerDes + cable, sub-microsecond
                energy_pj_per_bit=SERDES_PJ_PER_BIT,  # ASSUMED: a SerDes link like NVLink's [SERDES]
                efficiency=1.0,  # ASSUMED: raw rate (no published protocol overhead)
            ),
            hop_latency_ns=200.0,  # ASSUMED: router traversal per intermediate chip
            base_latency_ns=3000.0,  # ASSUMED: collective launch inside an XLA program
            step_latency_ns=1000.0,  # ASSUMED: per synchronised step (flag/semaphore round)
            low_latency_bandwidth_fraction=1.0,  # one protocol
            simple_base_latency_ns=3000.0,
            simple_step_latency_ns=1000.0,
            in_network_latency_ns=0.0,
        ),
        citations=("Google Cloud TPU v5e documentation (ICI 400 GB/s per chip, 4 ports, 2D torus)",),
    )


# -- 8-chip nodes of the registered chips ------------------------------------------------------------


def nvlink5_switch() -> InterconnectSpec:
    """Fifth-generation NVLink + NVLink Switch (DGX/HGX B200) [B200-DGX]; the library latencies and the
    protocol efficiency are NVLink4's (ASSUMED: no per-generation figures are published)."""
    ic = nvlink4_switch()
    # 18 x 50 GB/s per direction; NCCL's NVLS efficiency for Blackwell, 0.74, and LL ceiling 282 GB/s [NCCL-TUNE]
    link = ic.link.replace(name="nvlink5-x18", bandwidth_gb_per_s=900.0)
    return ic.replace(link=link, in_network_efficiency=0.74,
                      low_latency_bandwidth_fraction=nccl_ll_fraction("blackwell", link))


def dgx_b200_8() -> System:
    return System(name="dgx-b200-8", description="8x B200 on NVLink5 / NVLink Switch (DGX/HGX B200)", chips=8,
                  chip=registry.load("b200"), network=nvlink5_switch(),
                  citations=("NVIDIA DGX B200 data sheet (NVLink5 1.8 TB/s per GPU)", "[NCCL-TUNE] (latencies)"))


def mi300x_8() -> System:
    """8x MI300X on the OAM platform's xGMI mesh [XGMI]."""
    nv = nvlink4_switch(in_network=False)
    return System(
        name="mi300x-8",
        description="8x AMD Instinct MI300X, fully connected by xGMI (Infinity Fabric), 7 x 64 GB/s per GPU",
        chips=8,
        chip=registry.load("mi300x"),
        network=nv.replace(
            topology="fully_connected",
            # one link to each peer: 64 GB/s per direction peak, ~48 GB/s usable [XGMI]
            link=LinkSpec(name="xgmi", bandwidth_gb_per_s=64.0, latency_ns=0.0,
                          energy_pj_per_bit=SERDES_PJ_PER_BIT,
                          efficiency=48.0 / 64.0),
            # ASSUMED: RCCL's latency model is NCCL's (RCCL is a port of NCCL); no in-network reduction.
            # LL moves 4 B of data per 8-byte store; NCCL's llMaxBw ceilings are NVIDIA generations' (not applied)
            low_latency_bandwidth_fraction=0.5,
        ),
        citations=("AMD ROCm blog, Understanding RCCL Bandwidth and xGMI Performance on MI300X (2025)",
                   "[NCCL-TUNE] latencies, ASSUMED for RCCL"),
    )


def _tpu_slice(name: str, chip: Architecture, port_gb_per_s: float, desc: str, cite: str) -> System:
    v5 = tpu_v5e_4x4().network
    return System(name=name, description=desc, chips=8, chip=chip,
                  network=v5.replace(dims="2x4", link=v5.link.replace(name=chip.name + "-ici",
                                                                      bandwidth_gb_per_s=port_gb_per_s)),
                  citations=(cite,))


def tpu_v5e_8() -> System:
    return _tpu_slice("tpu-v5e-8", registry.load("tpu-v5e"), 50.0, "TPU v5e-8 slice: 8 chips, 2x4 2D torus (ICI)",
                      "[V5E] 400 GB/s bidirectional ICI per chip over 4 ports")


def tpu_v6e_8() -> System:
    return _tpu_slice("tpu-v6e-8", registry.load("tpu-v6e"), 100.0, "TPU v6e-8 (Trillium) slice: 8 chips, 2x4 2D torus (ICI)",
                      "[V6E] twice v5e's ICI bandwidth per chip")


# -- packages ---------------------------------------------------------------------------------------


def b200_2die() -> Package:
    return Package(
        name="b200-2die",
        description="B200-like package: two dies on a 10 TB/s NV-HBI, memory interleaved (one logical GPU)",
        die=split_chip(registry.load("b200"), 2),  # each die: 74 SMs, 63 MiB L2, 4 HBM3e stacks [B200]
        dies=2,
        d2d=InterconnectSpec(
            topology="fully_connected",
            dims="",
            link=LinkSpec(
                name="nv-hbi",
                bandwidth_gb_per_s=5000.0,  # 10 TB/s taken as both directions together [B200]
                latency_ns=20.0,  # ASSUMED: on-package bridge, tens of ns
                energy_pj_per_bit=0.3,  # ASSUMED: 2.5D die-to-die class (cf. [UCIe] 0.25-0.3 pJ/bit)
                efficiency=1.0,
            ),
            hop_latency_ns=0.0,
            base_latency_ns=0.0,  # hardware traffic, no library call
            step_latency_ns=100.0,  # ASSUMED: cross-die flag round trip through both dies' fabrics
            low_latency_bandwidth_fraction=1.0,
            simple_base_latency_ns=0.0,
            simple_step_latency_ns=100.0,
            in_network_latency_ns=0.0,
        ),
        placement="interleaved",
        citations=("NVIDIA Blackwell: two dies, 10 TB/s NV-HBI, 192 GB HBM3e, 8 TB/s",),
    )


def mi300x_pkg() -> Package:
    return Package(
        name="mi300x-pkg",
        description="MI300X-like package: 4 I/O dies (2 XCDs + 2 HBM3 stacks each) in a 2x2 mesh, interleaved",
        die=split_chip(registry.load("mi300x"), 4),  # each IOD: 76 CUs, 64 MiB Infinity Cache, 2 HBM3 stacks [MI300X]
        dies=4,
        d2d=InterconnectSpec(
            topology="mesh2d",
            dims="2x2",
            link=LinkSpec(
                name="infinity-fabric-ap",
                # 2.4 TB/s (the slower of the two IOD-IOD links [MI300-IOD]) taken as both directions
                bandwidth_gb_per_s=1200.0,
                latency_ns=50.0,  # ASSUMED: cross-IOD hop
                energy_pj_per_bit=0.3,  # ASSUMED: 2.5D/3D die-to-die class (cf. [UCIe])
                efficiency=1.0,
            ),
            hop_latency_ns=20.0,  # ASSUMED
            base_latency_ns=0.0,
            step_latency_ns=150.0,  # ASSUMED: cross-die flag round trip
            low_latency_bandwidth_fraction=1.0,
            simple_base_latency_ns=0.0,
            simple_step_latency_ns=150.0,
            in_network_latency_ns=0.0,
        ),
        placement="interleaved",
        citations=("AMD Instinct MI300X data sheet / CDNA 3 white paper",
                   "AMD MI300 IOD, VLSI Symposium 2024 (IOD-IOD 3.0 / 2.4 TB/s)"),
    )


def ucie_4chiplet() -> Package:
    return Package(
        name="ucie-4chiplet",
        description="four quarter-H100 compute chiplets in a 2x2 mesh of UCIe advanced-package links, "
                    "weights sharded per die",
        die=registry.load("ucie-chiplet"),  # a registered design chip (accelsim.presets.directions)
        dies=4,
        d2d=InterconnectSpec(
            topology="mesh2d",
            dims="2x2",
            link=LinkSpec(
                name="ucie-a-4x64",
                bandwidth_gb_per_s=1024.0,  # 4 x64 modules x 32 GT/s / 8 = 4 x 256 GB/s per direction [UCIe]
                latency_ns=1.0,  # ~2 ns round trip [UCIe]
                energy_pj_per_bit=0.3,  # 2.5D above 16 GT/s [UCIe]
                efficiency=1.0,  # raw (streaming) mode
            ),
            hop_latency_ns=10.0,  # ASSUMED: forwarding through an intermediate chiplet's NoC
            base_latency_ns=0.0,
            step_latency_ns=50.0,  # ASSUMED: on-die NoC to the UCIe adapter and back, per sync step
            low_latency_bandwidth_fraction=1.0,
            simple_base_latency_ns=0.0,
            simple_step_latency_ns=50.0,
            in_network_latency_ns=0.0,
        ),
        placement="sharded",
        citations=("UCIe 1.0/2.0 specification (advanced package, x64 modules, 32 GT/s)",
                   "D. Das Sharma, Hot Interconnects 2025 (UCIe 2.5D 0.25-0.3 pJ/bit, ~2 ns round trip)"),
    )


def _one_chip(pkg: Package, link: LinkSpec) -> System:
    net = InterconnectSpec(topology="switch", dims="", link=link, hop_latency_ns=0.0, base_latency_ns=0.0,
                           step_latency_ns=0.0, low_latency_bandwidth_fraction=1.0, simple_base_latency_ns=0.0,
                           simple_step_latency_ns=0.0, in_network_latency_ns=0.0)
    return System(name=pkg.name, description=pkg.description, chips=1, package=pkg, network=net,
                  citations=pkg.citations)


# the off-package link each package exposes (unused by a one-chip system)
_EXTERNAL = {
    "b200-2die": LinkSpec(name="nvlink5", bandwidth_gb_per_s=900.0, latency_ns=0.0,
                          energy_pj_per_bit=SERDES_PJ_PER_BIT,
                          efficiency=1.0),  # 1.8 TB/s bidirectional per GPU [B200]
    "mi300x-pkg": LinkSpec(name="xgmi", bandwidth_gb_per_s=448.0, latency_ns=0.0,
                           energy_pj_per_bit=SERDES_PJ_PER_BIT,
                           efficiency=1.0),  # 7 x 64 GB/s per direction [MI300X]
    "ucie-4chiplet": LinkSpec(name="none", bandwidth_gb_per_s=1.0, latency_ns=0.0, energy_pj_per_bit=0.0,
                              efficiency=1.0),  # a lone package
}

# name -> (factory, the registered chip it is built from, how that chip is split into its dies)
_PACKAGES: dict[str, tuple[Callable[[], Package], str, int]] = {
    "b200-2die": (b200_2die, "b200", 2),
    "mi300x-pkg": (mi300x_pkg, "mi300x", 4),
    "ucie-4chiplet": (ucie_4chiplet, "ucie-chiplet", 1),
}
_SYSTEMS: dict[str, tuple[Callable[[], System], str]] = {
    "dgx-h100-8": (dgx_h100_8, "h100-sxm"),
    "hgx-h200-8": (hgx_h200_8, "h200"),
    "dgx-b200-8": (dgx_b200_8, "b200"),
    "mi300x-8": (mi300x_8, "mi300x"),
    "tpu-v5e-4x4": (tpu_v5e_4x4, "tpu-v5e"),
    "tpu-v5e-8": (tpu_v5e_8, "tpu-v5e"),
    "tpu-v6e-8": (tpu_v6e_8, "tpu-v6e"),
    "dgx-a100a-8": (dgx_a100a_8, "a100a"),
    "dgx-a100a-160g-8": (dgx_a100a_160g_8, "a100a-160g"),
    "dgx-a100a-attacc-8": (dgx_a100a_attacc_8, "a100a-attacc"),
}
for _name, (_factory, _chip) in _SYSTEMS.items():
    register("system", _name, _factory, chip=_chip)
for _name, (_factory, _chip, _split) in _PACKAGES.items():
    register("package", _name, _factory, chip=_chip, split=_split)


def names() -> list[str]:
    """System presets, including every package as a system of one chip."""
    return sorted(registry.names("system") + registry.names("package"))


def package_names() -> list[str]:
    return registry.names("package")


def load(name: str) -> System:
    """A fresh :class:`~accelsim.spec.system.System` for preset ``name`` (a package preset: a system of one
    package)."""
    if isinstance(name, str) and name in package_names():
        return _one_chip(registry.get(name, "package"), _EXTERNAL[name])
    if not isinstance(name, str) or name not in names():
        raise ConfigError("system", f"unknown system; choose one of {names()}"
                          + registry.suggestion(name, names()), name)
    return registry.get(name, "system")


def load_package(name: str) -> Package:
    """A fresh :class:`~accelsim.spec.system.Package` for package preset ``name``."""
    return registry.get(name, "package")

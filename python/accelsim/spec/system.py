"""Multi-die packages and multi-chip systems: links, interconnects, packages, systems.

Specs follow :mod:`accelsim.spec.machine`: frozen, keyword-only dataclasses with units in every field name,
validated on construction (a bad value raises :class:`~accelsim.errors.ConfigError` naming the field),
registered for dict / YAML / JSON round trips (:func:`to_yaml`, :func:`from_yaml`, ``to_dict``,
``from_dict``).

- :class:`LinkSpec`: one link, per direction: bandwidth, latency, energy per bit, protocol efficiency.
- :class:`InterconnectSpec`: a topology of such links (switch, ring, 2D mesh, 2D/3D torus, fully
  connected), per-hop router/switch latency and the collective-library latencies (per collective, per
  algorithm step; the low-latency and the bandwidth protocol), and optional in-network reduction.
- :class:`Package`: ``dies`` identical dies (each an :class:`~accelsim.spec.machine.Architecture` with its own
  compute and its share of the memory stacks) joined by die-to-die links (an InterconnectSpec), with a
  data placement (``sharded``, ``kv_per_sequence`` or ``interleaved``; see :mod:`accelsim.multichip.chiplets`).
- :class:`System`: ``chips`` identical chips (an Architecture or a Package) joined by an interconnect.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple, Union

import yaml

from .base import SPEC_CLASSES, DATACLASS_KW, float_field, int_field, spec_field, Spec, str_field
from .machine import Architecture
from ..errors import ConfigError
from ..multichip.network import TOPOLOGIES, Network, build, parse_dims

__all__ = ["LinkSpec", "InterconnectSpec", "Package", "System", "PLACEMENTS", "TOPOLOGIES",
           "to_yaml", "from_yaml", "to_dict", "from_dict"]

#: Data placements a :class:`Package` accepts (see :mod:`accelsim.multichip.chiplets`).
PLACEMENTS: tuple[str, ...] = ("sharded", "kv_per_sequence", "interleaved")


@dataclass(**DATACLASS_KW)
class LinkSpec(Spec):
    """One link, one direction: raw bandwidth, latency, energy, and the fraction of the raw bandwidth
    payload data gets (protocol / flit overhead)."""

    name: str = str_field(doc="e.g. 'nvlink4', 'ucie-advanced'")
    bandwidth_gb_per_s: float = float_field(gt=0.0, le=1e9, doc="raw bandwidth per direction, GB/s (1e9 B/s)")
    latency_ns: float = float_field(ge=0.0, le=1e9, doc="wire + PHY latency per traversal, ns")
    energy_pj_per_bit: float = float_field(ge=0.0, le=1e6, doc="energy per bit moved across the link, pJ")
    efficiency: float = float_field(gt=0.0, le=1.0, doc="payload fraction of the raw bandwidth")

    @property
    def payload_bytes_per_s(self) -> float:
        return self.bandwidth_gb_per_s * 1e9 * self.efficiency


@dataclass(**DATACLASS_KW)
class InterconnectSpec(Spec):
    """Nodes joined by a topology of identical links, plus the costs of running collectives on it.

    ``dims`` gives the shape of a ``mesh2d``/``torus2d``/``torus3d`` (``"4x4"``, ``"2x2x2"``) and must
    be empty for the other topologies.  ``base_latency_ns``/``step_latency_ns`` are the fixed cost of
    one collective call and of one synchronised algorithm step with the low-latency protocol (which
    moves ``low_latency_bandwidth_fraction`` of the link bandwidth); ``simple_*`` are the same for the
    bandwidth protocol.  ``in_network_latency_ns > 0`` says the switch can reduce in the network
    (NVLink SHARP-like) and what one such all-reduce costs in fixed latency.
    """

    topology: str = str_field(choices=TOPOLOGIES)
    dims: str = str_field(allow_empty=True, doc="'AxB' / 'AxBxC' for mesh2d/torus2d/torus3d, else ''")
    link: LinkSpec = spec_field("LinkSpec")
    hop_latency_ns: float = float_field(ge=0.0, le=1e9, doc="router / switch traversal per intermediate node")
    base_latency_ns: float = float_field(ge=0.0, le=1e12, doc="fixed cost per collective, low-latency protocol")
    step_latency_ns: float = float_field(ge=0.0, le=1e12, doc="per algorithm step, low-latency protocol")
    low_latency_bandwidth_fraction: float = float_field(gt=0.0, le=1.0, doc="bandwidth share of the LL protocol")
    simple_base_latency_ns: float = float_field(ge=0.0, le=1e12, doc="fixed cost per collective, bandwidth protocol")
    simple_step_latency_ns: float = float_field(ge=0.0, le=1e12, doc="per algorithm step, bandwidth protocol")
    in_network_latency_ns: float = float_field(ge=0.0, le=1e12, doc="0 = no in-network reduction")
    in_network_efficiency: float = dataclasses.field(
        default=1.0, metadata=float_field(gt=0.0, le=1.0, doc="payload share of the link bandwidth that an "
                                          "in-network (NVLS) all-reduce sustains").metadata)

    def _check(self) -> None:
        if self.topology in ("mesh2d", "torus2d", "torus3d"):
            want = 3 if self.topology == "torus3d" else 2
            try:
                dims = parse_dims(self.dims)
            except ValueError:
                raise ConfigError("dims", f"must be {want} positive integers joined by 'x' for {self.topology}",
                                  self.dims) from None
            if len(dims) != want:
                raise ConfigError("dims", f"{self.topology} needs {want} dimensions", self.dims)
        elif self.dims:
            raise ConfigError("dims", f"must be empty for topology {self.topology!r}", self.dims)
        if self.in_network_latency_ns > 0 and self.topology != "switch":
            raise ConfigError("in_network_latency_ns", "in-network reduction needs topology 'switch'",
                              self.in_network_latency_ns)

    def fixed_nodes(self) -> int | None:
        """Node count implied by ``dims`` (mesh/torus), else None."""
        if not self.dims:
            return None
        n = 1
        for d in parse_dims(self.dims):
            n *= d
        return n

    def network(self, nodes: int) -> Network:
        """The :class:`~accelsim.multichip.network.Network` of this interconnect over ``nodes`` nodes."""
        dims = parse_dims(self.dims) if self.dims else ()
        return build(self.topology, nodes, dims, self.link.payload_bytes_per_s, self.link.latency_ns * 1e-9,
                     self.hop_latency_ns * 1e-9)


def _check_nodes(ic: InterconnectSpec, nodes: int, field_name: str, count_name: str) -> None:
    fixed = ic.fixed_nodes()
    if fixed is not None and fixed != nodes:
        raise ConfigError(f"{field_name}.dims", f"describes {fixed} nodes but {count_name} is {nodes}", ic.dims)


@dataclass(**DATACLASS_KW)
class Package(Spec):
    """``dies`` identical dies in one package joined by die-to-die links.

    Each die is a whole :class:`~accelsim.spec.machine.Architecture` (its compute units, its L2, and its share
    of the memory stacks).  ``d2d`` is the die-to-die interconnect; ``placement`` decides which data
    crosses it (see :mod:`accelsim.multichip.chiplets`).
    """

    name: str = str_field()
    description: str = str_field(allow_empty=True)
    die: Architecture = spec_field("Architecture")
    dies: int = int_field(ge=1, le=4096)
    d2d: InterconnectSpec = spec_field("InterconnectSpec")
    placement: str = str_field(choices=PLACEMENTS)
    citations: Tuple[str, ...] = field(default=(), metadata={"kind": "strtuple", "doc": "sources"})

    def _check(self) -> None:
        _check_nodes(self.d2d, self.dies, "d2d", "dies")

    @property
    def memory_capacity_bytes(self) -> int:
        return self.die.memory_capacity_bytes * self.dies

    @property
    def peak_dram_bandwidth_bytes_per_s(self) -> float:
        return self.die.peak_dram_bandwidth_bytes_per_s * self.dies

    def peak_flops_per_s(self, dtype: str) -> float:
        return self.die.peak_flops_per_s(dtype) * self.dies


Chip = Union[Architecture, Package]


@dataclass(**DATACLASS_KW)
class System(Spec):
    """``chips`` identical chips (exactly one of ``chip`` -- a single-die Architecture -- or
    ``package``) joined by ``network``."""

    name: str = str_field()
    description: str = str_field(allow_empty=True)
    chips: int = int_field(ge=1, le=1 << 16)
    chip: Optional[Architecture] = field(default=None, metadata=spec_field("Architecture", optional=True).metadata)
    package: Optional[Package] = field(default=None, metadata=spec_field("Package", optional=True).metadata)
    network: InterconnectSpec = spec_field("InterconnectSpec")
    citations: Tuple[str, ...] = field(default=(), metadata={"kind": "strtuple", "doc": "sources"})

    def _check(self) -> None:
        if (self.chip is None) == (self.package is None):
            raise ConfigError("chip", "exactly one of chip and package must be given", self.chip)
        _check_nodes(self.network, self.chips, "network", "chips")

    @property
    def node(self) -> Chip:
        """The chip: the Architecture or the Package."""
        return self.chip if self.chip is not None else self.package  # type: ignore[return-value]

    @property
    def memory_capacity_bytes_per_chip(self) -> int:
        return self.node.memory_capacity_bytes

    def net(self) -> Network:
        return self.network.network(self.chips)


SPEC_CLASSES.update({
    "Architecture": Architecture,
    "LinkSpec": LinkSpec,
    "InterconnectSpec": InterconnectSpec,
    "Package": Package,
    "System": System,
})

# --------------------------------------------------------------------------------------------------
# dict / YAML / JSON round trip: ``{"schema_version": 1, "kind": "system"|"package", ...fields}``

#: Version 2: machines in the layout of :data:`accelsim.spec.io.SCHEMA_VERSION` 2; version 1 is read too.
SCHEMA_VERSION = 2
_KINDS = {"system": System, "package": Package}


def to_dict(obj: System | Package) -> dict[str, Any]:
    kind = "system" if isinstance(obj, System) else "package" if isinstance(obj, Package) else None
    if kind is None:
        raise TypeError(f"expected a System or Package, got {type(obj).__name__}")
    return {"schema_version": SCHEMA_VERSION, "kind": kind, **obj.to_dict()}


def from_dict(doc: Any) -> System | Package:
    if not isinstance(doc, dict):
        from .io import kind_of  # noqa: PLC0415

        raise ConfigError("<file>", f"the document is {kind_of(doc)}, not a mapping of system fields")
    doc = dict(doc)
    from .io import READABLE_VERSIONS, upgrade_machine  # noqa: PLC0415

    version = doc.pop("schema_version", None)
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise ConfigError("schema_version", f"unsupported or missing; this accelsim reads "
                          f"{', '.join(map(str, READABLE_VERSIONS))}", version)
    kind = doc.pop("kind", None)
    if kind not in _KINDS:
        raise ConfigError("kind", f"must be one of {sorted(_KINDS)}", kind)
    if kind == "system" and isinstance(doc.get("package"), dict):
        doc["package"] = dict(doc["package"], die=upgrade_machine(doc["package"].get("die"), version))
    for key in ("chip", "die"):
        if isinstance(doc.get(key), dict):
            doc[key] = upgrade_machine(doc[key], version)
    return _KINDS[kind].from_dict(doc)


def to_yaml(obj: System | Package) -> str:
    from .io import Dumper

    return yaml.dump(to_dict(obj), Dumper=Dumper, sort_keys=False, allow_unicode=True,  # type: ignore[no-any-return]
                     default_flow_style=False, width=100)


def from_yaml(text: str) -> System | Package:
    from .io import parse_yaml

    doc = parse_yaml(text)  # bounded: size, aliases, nesting
    try:
        return from_dict(doc)
    except RecursionError:
        raise ConfigError("<file>", "nested too deeply") from None

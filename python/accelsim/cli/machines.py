"""How every command takes a machine: ``--arch`` is a chip preset name or a machine file.

A machine file is YAML or JSON: a whole machine as ``accelsim.io.dump`` writes it, or a preset plus overrides::

    base: h100-sxm
    name: h100-faster-hbm
    dram: {data_rate_gbps: 6.4}

Commands add the option with :func:`add_arch_argument` and read it with :func:`load_arch` (one machine) or
:func:`load_archs` (a comma-separated list), so every command accepts the same spellings and reports a bad
one the same way: a ConfigError naming ``--arch`` and the presets.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConfigError

__all__ = ["ARCH_HELP", "add_arch_argument", "load_arch", "load_archs"]

#: The help text of ``--arch``.
ARCH_HELP = "a preset name (see 'accelsim presets') or a machine file (.yaml/.json, e.g. 'base: h100-sxm' + overrides)"


def add_arch_argument(parser: argparse.ArgumentParser, *, default: str = "h100-sxm", flag: str = "--arch",
                      help: str = ARCH_HELP) -> None:
    """Add ``--arch`` (a preset name or a machine file) to ``parser``."""
    parser.add_argument(flag, default=default, metavar="PRESET|FILE", help=f"{help} (default: %(default)s)")


def load_arch(text: Any, option: str = "--arch") -> Any:
    """The Architecture ``text`` names: a chip preset or a machine file (see :func:`accelsim.presets.load_file`).
    ConfigError naming ``option`` for anything else (an unknown name lists the presets)."""
    from .. import presets  # noqa: PLC0415 - keeps `accelsim --help` light

    try:
        return presets.resolve(text, option)
    except ConfigError as e:
        if e.field in ("preset", "machine"):
            raise ConfigError(option, e.reason, e.value if e.value is not None else text) from None
        raise


def load_archs(text: str, option: str = "--presets") -> list[Any]:
    """The Architectures of a comma-separated list of preset names / machine files."""
    items = [t.strip() for t in str(text).split(",")]
    if not items or any(not t for t in items):
        raise ConfigError(option, "must be a comma-separated list of preset names or machine files", text)
    return [load_arch(t, option) for t in items]

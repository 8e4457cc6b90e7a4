"""Size units. A GB is 10**9 bytes and a GiB 2**30 bytes, everywhere in accelsim; capacities are integer bytes."""

from __future__ import annotations

__all__ = ["KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "TB"]

KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30
TiB = 1 << 40
KB = 10**3
MB = 10**6
GB = 10**9
TB = 10**12

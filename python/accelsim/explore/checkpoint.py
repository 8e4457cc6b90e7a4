"""Sweep checkpoints: every finished simulation, one checksummed record each, in a CSV or Parquet file.

A CSV checkpoint is append-only::

    # accelsim sweep checkpoint, schema_version 2
    key,status,reason,time_s,...,n_kernels,checksum
    8f3a...,ok,,1.2e-05,...,1,5c1e9a0d7b2f4e61

``checksum`` is a 64-bit BLAKE2b digest of the record's other cells exactly as written (and of the schema
version), so a changed digit, a flipped bit, a cell moved to another line or a line from another file is
found and reported with its line number; the record cannot be taken silently. A key appears once, except
that a record may follow a ``failed`` record of its key (the point was retried). A resumed sweep appends
to a clean file and never rewrites it in place: a file that needs rewriting (a line cut off by a killed
sweep, an older schema, Parquet) is written whole to a temporary file beside it, flushed to disk and
renamed over it, so a sweep killed at any moment loses at most the simulations it had not yet written.

A Parquet checkpoint (``.parquet``, needs pyarrow) carries the same ``checksum`` column and the version in
its metadata (``accelsim.schema_version``); it is rewritten whole (temporary file and rename) every few
seconds, and is read with Parquet's page checksums verified.

Files of schema version 1 (no checksums) are read with a warning and rewritten as version 2; a CSV without
the first line, or a Parquet file without the version, is not taken for a checkpoint.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io as _io
import math
import os
import time
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import ConfigError

__all__ = ["CHECKPOINT_SCHEMA_VERSION", "CHECKPOINT_MAX_LINE", "read_checkpoint", "read_for_resume",
           "CheckpointWriter", "record_checksum", "check_version", "checkpoint_format"]

#: version of the checkpoint format: the first line of a CSV checkpoint, ``accelsim.schema_version`` in a
#: Parquet one's metadata (1: no checksums, read with a warning)
CHECKPOINT_SCHEMA_VERSION = 2
#: longest line a CSV checkpoint may have (a record is a few hundred bytes; its reason is cut to 2,000
#: characters when written): anything longer is damage, not a record
CHECKPOINT_MAX_LINE = 1 << 16
_MAGIC = "# accelsim sweep checkpoint, schema_version "
_INTS = ("dram_read_bytes", "dram_write_bytes", "l2_read_bytes", "weight_bytes", "kv_cache_bytes", "n_kernels")
_REASON_MAX = 2000


def _columns() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    from .sweep import METRICS, STATUSES  # noqa: PLC0415 - sweep imports this module

    return ("key", "status", "reason") + METRICS, METRICS, STATUSES


def check_version(found: Any, supported: int, what: str, path: str) -> int:
    """The integer schema version ``found``; ConfigError if it is not one this accelsim reads (1..supported)."""
    try:
        v = int(found)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(what, f"{path} is corrupt: schema_version {str(found)[:40]!r} is not an integer") from None
    if v > supported or v < 1:
        raise ConfigError(what, f"{path} has schema_version {v}; this accelsim reads versions 1..{supported} "
                                "(written by a newer accelsim? upgrade, or delete it to start over)")
    return v


def checkpoint_format(path: str) -> str:
    low = path.lower()
    if low.endswith((".parquet", ".pq")):
        return "parquet"
    if low.endswith(".csv"):
        return "csv"
    raise ConfigError("checkpoint", "must end in .csv or .parquet", path)


# ------------------------------------------------------------------------------------------ records


def _cell(name: str, v: Any) -> str:
    """The canonical text of one value: what a CSV checkpoint holds and what the checksum covers."""
    if name in ("key", "status"):
        return str(v)
    if name == "reason":
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)[:_REASON_MAX]
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(int(v)) if name in _INTS else repr(float(v))


def _digest(cells: list[str], version: int = CHECKPOINT_SCHEMA_VERSION) -> str:
    h = hashlib.blake2b(digest_size=8)
    h.update(f"accelsim checkpoint v{version}".encode())
    for c in cells:
        h.update(b"\x1f")
        h.update(c.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _cells(rec: Mapping[str, Any]) -> list[str]:
    cols, _, _ = _columns()
    return [_cell(c, rec.get(c)) for c in cols]


def record_checksum(rec: Mapping[str, Any]) -> str:
    """The checksum a record is written with."""
    return _digest(_cells(rec))


def _parse(cols: tuple[str, ...], cells: list[str], where: str) -> dict[str, Any]:
    """A record from its cells (already checked against their checksum); ConfigError on a value that does
    not convert (only possible in a version-1 file, which has no checksums)."""
    rec: dict[str, Any] = {"key": cells[0], "status": cells[1], "reason": cells[2]}
    for name, text in zip(cols[3:], cells[3:]):
        if text == "":
            continue
        try:
            v = int(text) if name in _INTS else float(text)
        except (ValueError, OverflowError):
            raise ConfigError("checkpoint", f"{where}: {name} {text[:40]!r} is not a number") from None
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError("checkpoint", f"{where}: {name} is {text[:40]!r}, not a finite number")
        rec[name] = v
    return rec


class _Records:
    """Records in file order, with the rules: a key appears once, or after a failed record of its key."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.records: dict[str, dict[str, Any]] = {}
        self.where: dict[str, str] = {}

    def add(self, rec: dict[str, Any], where: str, statuses: tuple[str, ...]) -> None:
        key = rec["key"]
        if rec["status"] not in statuses:
            raise ConfigError("checkpoint", f"{self.path} is corrupt: {where} has status {rec['status'][:20]!r}")
        if not key or len(key) > 64 or not key.isalnum():
            raise ConfigError("checkpoint", f"{self.path} is corrupt: {where} has key {key[:40]!r}")
        prev = self.records.get(key)
        if prev is not None and prev["status"] != "failed":
            raise ConfigError("checkpoint", f"{self.path} is corrupt: {where} repeats the key of {self.where[key]} "
                                            f"({key}); delete the file to start over")
        self.records[key] = rec
        self.where[key] = where


def read_checkpoint(path: str) -> dict[str, dict[str, Any]]:
    """{key: record} from a checkpoint.  A CSV whose last line was cut off mid-write (a killed sweep) loses
    that line with a warning; any other damage is a ConfigError naming the file and the line (CSV) or row
    (Parquet) -- a record is never taken unless its checksum matches."""
    return _read(path)[0]


def _read(path: str) -> tuple[dict[str, dict[str, Any]], bool]:
    """(records, clean): clean = a current-version CSV ending in a whole line, safe to append to."""
    fmt = checkpoint_format(path)
    if fmt == "parquet":
        return _read_parquet(path), False
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ConfigError("checkpoint", f"cannot read {path}: {e.strerror or e}") from None
    return _read_csv(path, data)


def _read_csv(path: str, data: bytes) -> tuple[dict[str, dict[str, Any]], bool]:
    cols, _, statuses = _columns()
    recs = _Records(path)
    if not data:
        return recs.records, False
    if b"\x00" in data:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise ConfigError("checkpoint", f"{path} is corrupt: line {line} contains NUL bytes (a crash while "
                                        "writing?); delete it to start over")
    complete = data.endswith(b"\n")
    raw_lines = data.split(b"\n")
    if complete:
        raw_lines.pop()  # the empty string after the last newline
    first = raw_lines[0].decode("utf-8", "replace").rstrip("\r")
    if not first.startswith(_MAGIC):
        raise ConfigError("checkpoint", f"{path} is not an accelsim checkpoint or is corrupt (its first line is "
                                        f"not '{_MAGIC}N')")
    version = check_version(first[len(_MAGIC):].strip(), CHECKPOINT_SCHEMA_VERSION, "checkpoint", path)
    expected = list(cols) + (["checksum"] if version >= 2 else [])
    truncated = False
    header_seen = False
    for n, raw in enumerate(raw_lines[1:], start=2):
        last = n == len(raw_lines)
        where = f"line {n}"
        if len(raw) > CHECKPOINT_MAX_LINE:
            raise ConfigError("checkpoint", f"{path} is corrupt: {where} is {len(raw)} bytes long")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            if last and not complete:
                truncated = True
                break
            raise ConfigError("checkpoint", f"{path} is corrupt: {where} is not UTF-8 text ({e.reason} at byte "
                                            f"{e.start}); delete it to start over") from None
        try:
            rows = list(csv.reader(_io.StringIO(text, newline="")))
        except csv.Error as e:
            if last and not complete:
                truncated = True
                break
            raise ConfigError("checkpoint", f"{path} is corrupt: {where}: {e}") from None
        cells = rows[0] if len(rows) == 1 else None
        if not header_seen:
            if cells != expected:
                raise ConfigError("checkpoint", f"{path} is not an accelsim checkpoint or is corrupt: {where} is "
                                                f"not the header of schema_version {version}")
            header_seen = True
            continue
        if cells is None or len(cells) != len(expected):
            if last and not complete:
                truncated = True
                break
            got = "an empty line" if cells == [] or not rows else f"{len(cells or [])} fields"
            raise ConfigError("checkpoint", f"{path} is corrupt: {where} has {got}, expected {len(expected)}; "
                                            "delete it to start over")
        if version >= 2:
            body, digest = cells[:-1], cells[-1]
            if _digest(body, version) != digest:
                if last and not complete:
                    truncated = True
                    break
                raise ConfigError("checkpoint", f"{path} is corrupt: {where} does not match its checksum (the "
                                                "record was changed after it was written); delete it to start over")
        else:
            body = cells
        recs.add(_parse(cols, body, f"{path} is corrupt: {where}"), where, statuses)
    if not header_seen and not (len(raw_lines) == 1 and not complete):
        if len(raw_lines) > 1 or complete:
            raise ConfigError("checkpoint", f"{path} is corrupt: no header")
    if truncated:
        warnings.warn(f"checkpoint {path}: the last line was cut off (the sweep was interrupted while writing "
                      "it); that point will be run again", RuntimeWarning, stacklevel=4)
    if version < CHECKPOINT_SCHEMA_VERSION:
        warnings.warn(f"checkpoint {path} has schema_version {version}, without checksums: its records cannot be "
                      "checked for damage; it is rewritten with checksums", RuntimeWarning, stacklevel=4)
    clean = complete and header_seen and version == CHECKPOINT_SCHEMA_VERSION and not truncated
    return recs.records, clean


def _read_parquet(path: str) -> dict[str, dict[str, Any]]:
    cols, _, statuses = _columns()
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415
    except ImportError:
        raise ConfigError("checkpoint", "a .parquet checkpoint needs pyarrow (pip install pyarrow); "
                                        "or use a .csv checkpoint", path) from None
    try:
        try:
            table = pq.read_table(path, page_checksum_verification=True)
        except TypeError:  # pragma: no cover - pyarrow < 13
            table = pq.read_table(path)
        meta = table.schema.metadata or {}
        rows = table.to_pylist()
    except MemoryError:  # pragma: no cover
        raise
    except Exception as e:  # noqa: BLE001 - pyarrow raises many kinds (OSError, ArrowInvalid, UnicodeDecodeError)
        raise ConfigError("checkpoint", f"{path} is corrupt or truncated ({type(e).__name__}: {str(e)[:200]}); "
                                        "delete it to start over") from None
    if b"accelsim.schema_version" not in meta:
        raise ConfigError("checkpoint", f"{path} is not an accelsim checkpoint (no accelsim.schema_version in its "
                                        "metadata)")
    version = check_version(meta[b"accelsim.schema_version"].decode("ascii", "replace"), CHECKPOINT_SCHEMA_VERSION,
                            "checkpoint", path)
    need = list(cols) + (["checksum"] if version >= 2 else [])
    missing = [c for c in need if c not in table.column_names]
    if missing:
        raise ConfigError("checkpoint", f"{path} is not an accelsim checkpoint or is corrupt (no column "
                                        f"{missing[0]!r})")
    recs = _Records(path)
    for n, row in enumerate(rows):
        where = f"row {n}"
        try:
            cells = [_cell(c, row.get(c)) for c in cols]
        except (TypeError, ValueError, OverflowError) as e:
            raise ConfigError("checkpoint", f"{path} is corrupt: {where}: {e}") from None
        if version >= 2 and _digest(cells, version) != row.get("checksum"):
            raise ConfigError("checkpoint", f"{path} is corrupt: {where} does not match its checksum (the record "
                                            "was changed after it was written); delete it to start over")
        recs.add(_parse(cols, cells, f"{path} is corrupt: {where}"), where, statuses)
    if version < CHECKPOINT_SCHEMA_VERSION:
        warnings.warn(f"checkpoint {path} has schema_version {version}, without checksums: its records cannot be "
                      "checked for damage; it is rewritten with checksums", RuntimeWarning, stacklevel=4)
    return recs.records


# ------------------------------------------------------------------------------------------ writing


def _fsync_dir(path: str) -> None:
    with contextlib.suppress(OSError):  # not every platform / filesystem can sync a directory
        fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _replacing(path: str) -> Iterator[str]:
    """A temporary file beside ``path``, renamed over it (atomically) once written and flushed to disk."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path)
    finally:
        with contextlib.suppress(OSError):
            os.remove(tmp)


def _csv_line(rec: Mapping[str, Any]) -> str:
    cells = _cells(rec)
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells + [_digest(cells)])
    return buf.getvalue()


class CheckpointWriter:
    """Records finished simulations in ``path``, whose current ``existing`` records (as read) it keeps.

    CSV: appends to the file when it is clean (read_checkpoint found whole lines of this version), else first
    writes the existing records to a new file and renames it over the old one; each record is flushed as it
    arrives and synced to disk every ``every_s`` seconds. Parquet: rewritten whole (new file and rename)
    every ``every_s`` seconds and at close."""

    def __init__(self, path: str, existing: Mapping[str, Mapping[str, Any]], clean: bool, every_s: float = 5.0
                 ) -> None:
        self.path = path
        self.fmt = checkpoint_format(path)
        self.every_s = every_s
        self.last = time.monotonic()
        self.pending = 0
        self.f: Any = None
        self.records: dict[str, Mapping[str, Any]] = dict(existing)
        if self.fmt == "parquet":
            try:
                import pyarrow  # noqa: F401, PLC0415
            except ImportError:
                raise ConfigError("checkpoint", "a .parquet checkpoint needs pyarrow (pip install pyarrow); "
                                                "or use a .csv checkpoint", path) from None
            return
        cols, _, _ = _columns()
        if not (clean and os.path.exists(path)):
            with _replacing(path) as tmp:
                with open(tmp, "w", newline="", encoding="utf-8") as f:
                    f.write(f"{_MAGIC}{CHECKPOINT_SCHEMA_VERSION}\n")
                    csv.writer(f, lineterminator="\n").writerow(list(cols) + ["checksum"])
                    for rec in self.records.values():
                        f.write(_csv_line(rec))
        self.records = {}  # a CSV file holds them: no copy kept
        self.f = open(path, "a", newline="", encoding="utf-8")  # noqa: SIM115

    def add(self, rec: Mapping[str, Any]) -> None:
        self.pending += 1
        if self.fmt == "csv":
            self.f.write(_csv_line(rec))  # one write of a whole line: a kill leaves at most a cut-off last line
            self.f.flush()
        else:
            self.records[str(rec["key"])] = dict(rec)
        if time.monotonic() - self.last >= self.every_s:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if self.fmt == "csv":
            if self.f is not None:
                self.f.flush()
                os.fsync(self.f.fileno())
        elif self.pending:
            import pyarrow as pa  # noqa: PLC0415
            import pyarrow.parquet as pq  # noqa: PLC0415

            cols, _, _ = _columns()
            recs = list(self.records.values())
            data: dict[str, list[Any]] = {}
            for c in cols:
                vals = [r.get(c) for r in recs]
                if c == "reason":
                    vals = [_cell(c, v) for v in vals]
                data[c] = vals
            data["checksum"] = [record_checksum(r) for r in recs]
            table = pa.table(data).replace_schema_metadata(
                {"accelsim.schema_version": str(CHECKPOINT_SCHEMA_VERSION)})
            with _replacing(self.path) as tmp:
                try:
                    pq.write_table(table, tmp, write_page_checksum=True)
                except TypeError:  # pragma: no cover - pyarrow < 13
                    pq.write_table(table, tmp)
        self.pending = 0

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self.f is not None:
                self.f.close()
                self.f = None


def read_for_resume(path: str) -> tuple[dict[str, dict[str, Any]], bool]:
    """(records, clean) of an existing checkpoint: ``clean`` when it is a CSV of this version ending in a
    whole line, which a resumed sweep appends to (else CheckpointWriter writes it anew and renames it)."""
    return _read(path)

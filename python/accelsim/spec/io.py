"""Read and write :class:`~accelsim.spec.machine.Architecture` as YAML or JSON.

Documents carry ``schema_version: 1`` at the top level, followed by the architecture's fields in
declaration order.  Writing then reading gives back an equal object: floats are written with
``repr`` (shortest round-trip form) in both formats.

>>> text = accelsim.io.dump(arch)                  # YAML text
>>> accelsim.io.dump(arch, "h100.json")            # writes the file (format from the suffix)
>>> accelsim.io.load("h100.json") == arch
True

Every problem -- unparsable text, duplicate keys, an unknown or missing field, a bad value -- is a
:class:`~accelsim.errors.ConfigError`.  A document that cannot be parsed at all has
``err.field == "<file>"``; otherwise ``err.field`` is the dotted path inside the document.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

import yaml

from .machine import Architecture
from ..errors import ConfigError

__all__ = [
    "SCHEMA_VERSION",
    "READABLE_VERSIONS",
    "upgrade_machine",
    "check_version",
    "dump",
    "load",
    "to_yaml",
    "from_yaml",
    "to_json",
    "from_json",
    "to_document",
    "from_document",
    "read",
    "parse_yaml",
    "parse_json",
    "read_text",
    "kind_of",
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCUMENT_NODES",
]

#: Version of the document layout written by :func:`dump`. Version 2 holds the DRAM timings JEDEC gives in
#: clock cycles as cycles (``nCCD_S``, ``nCCD_L``, ``nRTW``) and has no ``l2.banks``; :func:`load` also reads
#: version 1 documents (their ``tCCD_S_ns`` / ``tCCD_L_ns`` / ``tRTW_ns`` converted at the device clock, their
#: ``l2.banks``, which fed no result, dropped).
SCHEMA_VERSION = 2
#: Versions :func:`load` reads.
READABLE_VERSIONS = (1, 2)

PathLike = Union[str, "os.PathLike[str]"]

#: the largest document (machine file, sweep spec, config.json) accelsim reads: a machine is ~2 KB, a sweep
#: spec a few KB; a larger file (or /dev/zero) is refused after reading this much, not read to the end
MAX_DOCUMENT_BYTES = 4 << 20
#: values (mappings, lists, scalars) a YAML document may hold once its aliases are expanded: a machine has
#: ~100, a sweep spec a few thousand; a "billion laughs" document of a few KB expands to 10**9
MAX_DOCUMENT_NODES = 200_000

_FILE = "<file>"

# YAML 1.1 (PyYAML) reads ``1e9`` and ``2.5e-3`` without a dot or exponent sign as strings; accept
# them as floats.  The dumper shares the resolver so a *string* "1e9" is written quoted.
_FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class Loader(yaml.SafeLoader):
    """Safe loader that rejects duplicate keys, reads exponent-only floats and refuses a document that holds
    more than MAX_DOCUMENT_NODES values once its aliases are expanded (or an alias inside itself)."""

    def compose_document(self) -> Any:
        node = super().compose_document()  # type: ignore[no-untyped-call]
        _check_expansion(node)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                dup = key in seen
                seen.add(key)
            except TypeError:  # unhashable key; SafeConstructor reports it
                continue
            if dup:
                line = key_node.start_mark.line + 1
                raise ConfigError(_FILE, f"duplicate key {key!r} at line {line}")
        return super().construct_mapping(node, deep=deep)


def _check_expansion(root: Any) -> None:
    """Count the values of the composed document as if every alias were a copy, without expanding it: each
    node's size is computed once (post-order, no recursion), an alias shares its anchor's node."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            kids = _children(node)
            total = 1 + sum(size[id(k)] for k in kids)
            if total > MAX_DOCUMENT_NODES:
                raise ConfigError(_FILE, f"the document expands to more than {MAX_DOCUMENT_NODES} values (YAML "
                                         "aliases repeat their anchor's value); write it out or simplify it")
            size[nid] = total
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise ConfigError(_FILE, "a YAML alias refers to a value that contains it (a recursive document)")
        on_path.add(nid)
        stack.append((node, True))
        for k in _children(node):
            if id(k) not in size:
                if id(k) in on_path:
                    raise ConfigError(_FILE, "a YAML alias refers to a value that contains it (a recursive "
                                             "document)")
                stack.append((k, False))


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


class Dumper(yaml.SafeDumper):
    """Safe dumper that double-quotes strings PyYAML would otherwise mangle."""


# PyYAML writes NEL / LS / PS (and lone CRs) into plain or block scalars, where a reader folds them
# into spaces or newlines; double quotes escape them (\N, \L, \P, \r) so strings round-trip.
_FRAGILE = frozenset("\x85\u2028\u2029\r")


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(c in _FRAGILE for c in data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


Dumper.add_representer(str, _represent_str)


for _cls in (Loader, Dumper):
    _cls.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_RE, list("-+0123456789."))


# --------------------------------------------------------------------------------------------------


def to_document(arch: Architecture) -> dict[str, Any]:
    """``{"schema_version": 1, **arch.to_dict()}``."""
    if not isinstance(arch, Architecture):
        raise TypeError(f"expected an accelsim Architecture, got {type(arch).__name__}")
    return {"schema_version": SCHEMA_VERSION, **arch.to_dict()}


def upgrade_machine(doc: Any, version: int) -> Any:
    """A machine mapping of document ``version`` in the current layout (see :data:`SCHEMA_VERSION`)."""
    if version == 1 and isinstance(doc, Mapping) and isinstance(doc.get("l2"), Mapping) and "banks" in doc["l2"]:
        l2 = dict(doc["l2"])
        del l2["banks"]
        return {**doc, "l2": l2}
    return doc


def check_version(doc: Mapping[str, Any]) -> int:
    """The document's ``schema_version`` if this accelsim reads it; ConfigError naming it otherwise."""
    if "schema_version" not in doc:
        raise ConfigError("schema_version", f"missing required field (this accelsim writes {SCHEMA_VERSION})")
    version = doc["schema_version"]
    if isinstance(version, bool) or not isinstance(version, (int, float)) or version not in READABLE_VERSIONS:
        reason = f"unsupported schema version; this accelsim reads {', '.join(map(str, READABLE_VERSIONS))}"
        raise ConfigError("schema_version", reason, version)
    return int(version)


def from_document(doc: Any) -> Architecture:
    """Inverse of :func:`to_document`; checks ``schema_version`` (and reads the older ones it can)."""
    if not isinstance(doc, Mapping):
        raise ConfigError(_FILE, f"not a machine description: the document is {kind_of(doc)}, not a mapping of "
                                 "architecture fields")
    version = check_version(doc)
    doc = dict(doc)
    doc.pop("schema_version")
    return Architecture.from_dict(upgrade_machine(doc, version))


def kind_of(doc: Any) -> str:
    """What a document is, without its contents (an error about a file that is not ours must not echo it)."""
    if doc is None:
        return "empty"
    if isinstance(doc, str):
        return f"one line of text ({len(doc)} characters)" if "\n" not in doc else "text"
    if isinstance(doc, (list, tuple)):
        return f"a list of {len(doc)} items"
    if isinstance(doc, bool):
        return "a boolean"
    if isinstance(doc, (int, float)):
        return "a number"
    return f"a {type(doc).__name__}"


def to_yaml(arch: Architecture) -> str:
    """YAML text for ``arch``."""
    return yaml.dump(  # type: ignore[no-any-return]
        to_document(arch),
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _check_size(text: Any) -> None:
    if len(text) > MAX_DOCUMENT_BYTES:
        raise ConfigError(_FILE, f"the document is larger than {MAX_DOCUMENT_BYTES >> 20} MiB; not a machine "
                                 "description or spec accelsim reads")


def parse_yaml(text: str) -> Any:
    """The document in YAML ``text`` (duplicate keys refused, at most MAX_DOCUMENT_BYTES long and
    MAX_DOCUMENT_NODES values with its aliases expanded); every error is a ConfigError."""
    _check_size(text)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a SafeLoader
    except yaml.MarkedYAMLError as e:
        where = f" at line {e.problem_mark.line + 1}, column {e.problem_mark.column + 1}" if e.problem_mark else ""
        raise ConfigError(_FILE, f"invalid YAML: {e.problem or e.context}{where}") from None
    except yaml.YAMLError as e:
        raise ConfigError(_FILE, f"invalid YAML: {e}") from None
    except RecursionError:
        raise ConfigError(_FILE, "invalid YAML: nested too deeply") from None


def from_yaml(text: str) -> Architecture:
    """Parse YAML text; every error is a ConfigError."""
    doc = parse_yaml(text)
    try:
        return from_document(doc)
    except RecursionError:  # a value nested just below the parser's limit
        raise ConfigError(_FILE, "nested too deeply") from None


def to_json(arch: Architecture) -> str:
    """JSON text for ``arch`` (indented, UTF-8, newline-terminated)."""
    return json.dumps(to_document(arch), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ConfigError(_FILE, f"duplicate key {k!r}")
        out[k] = v
    return out


def parse_json(text: str) -> Any:
    """The document in JSON ``text`` (duplicate keys refused, at most MAX_DOCUMENT_BYTES long); every error is
    a ConfigError."""
    _check_size(text)
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as e:
        raise ConfigError(_FILE, f"invalid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise ConfigError(_FILE, "invalid JSON: nested too deeply") from None


def from_json(text: str) -> Architecture:
    """Parse JSON text; every error is a ConfigError."""
    doc = parse_json(text)
    try:
        return from_document(doc)
    except RecursionError:
        raise ConfigError(_FILE, "nested too deeply") from None


# --------------------------------------------------------------------------------------------------


def _fmt_for(path: Path | None, fmt: str | None) -> str:
    if fmt is None:
        fmt = "json" if path is not None and path.suffix.lower() == ".json" else "yaml"
    if not isinstance(fmt, str):
        raise ConfigError("fmt", "must be 'yaml' or 'json'", fmt)
    fmt = fmt.lower()
    if fmt == "yml":
        fmt = "yaml"
    if fmt not in ("yaml", "json"):
        raise ConfigError("fmt", "must be 'yaml' or 'json'", fmt)
    return fmt


def dump(arch: Architecture, path: PathLike | None = None, fmt: str | None = None) -> str:
    """Serialize ``arch``; write it to ``path`` if given.  Returns the text.

    ``fmt`` is ``"yaml"`` or ``"json"``; by default JSON for a ``.json`` path, YAML otherwise.
    """
    p = Path(path) if path is not None else None
    kind = _fmt_for(p, fmt)
    text = to_json(arch) if kind == "json" else to_yaml(arch)
    if p is not None:
        p.write_text(text, encoding="utf-8")
    return text


def read_text(path: PathLike, what: str = _FILE) -> str:
    """The UTF-8 text of the document file ``path``, read in binary and at most MAX_DOCUMENT_BYTES of it (so a
    huge file or a device like /dev/zero is refused at once). A missing file raises FileNotFoundError; one that
    cannot be read (a folder, no permission), is too large or is not UTF-8, ConfigError naming ``what``."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as e:  # a folder, no permission, a device that fails
        raise ConfigError(what, f"cannot read {os.fspath(path)}: {e.strerror or e}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ConfigError(what, f"{os.fspath(path)} is larger than {MAX_DOCUMENT_BYTES >> 20} MiB; not a document "
                                "accelsim reads")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(what, f"{os.fspath(path)} is not UTF-8 text ({e.reason} at byte {e.start})") from None


def _looks_like_text(s: str) -> bool:
    return "\n" in s or s.lstrip().startswith(("{", "[")) or (":" in s and not os.path.exists(s))


def read(source: PathLike, fmt: str | None = None) -> tuple[Any, Path | None]:
    """The parsed document in ``source`` (a file path, or YAML / JSON text, as :func:`load` takes it) and the
    file's path (None for text). A missing file raises ``FileNotFoundError``; unparsable text, ConfigError."""
    path: Path | None
    if isinstance(source, (bytes, bytearray)):  # document bytes, e.g. read in binary mode
        _check_size(source)
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError as e:
            raise ConfigError(_FILE, f"not UTF-8 text: {e.reason} at byte {e.start}") from None
        path, text = None, source
    elif isinstance(source, str) and _looks_like_text(source):
        path, text = None, source
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        text = read_text(path)
    else:
        raise TypeError(f"expected a path or YAML/JSON text, got {type(source).__name__}")
    if fmt is None and path is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    kind = _fmt_for(path, fmt)
    try:
        return (parse_json(text) if kind == "json" else parse_yaml(text)), path
    except ConfigError as e:
        if path is not None and hasattr(e, "add_note"):
            e.add_note(f"while loading {path}")
        raise


def load(source: PathLike, fmt: str | None = None) -> Architecture:
    """Read an Architecture from a file path or from YAML / JSON text.

    A ``pathlib.Path`` is always a file.  A ``str`` is a file if it names one, and document text if
    it contains a newline, starts with ``{`` or contains ``:``.  ``fmt`` (``"yaml"``/``"json"``)
    overrides detection: by default ``.json`` files and text starting with ``{`` are JSON.
    A missing file raises ``FileNotFoundError``; anything wrong inside a document, ConfigError.
    (A machine written as ``base: <preset>`` plus overrides is read by :func:`accelsim.presets.load_file`.)
    """
    doc, path = read(source, fmt)
    try:
        return from_document(doc)
    except RecursionError:
        raise ConfigError(_FILE, "nested too deeply") from None
    except ConfigError as e:
        if path is not None and hasattr(e, "add_note"):
            e.add_note(f"while loading {path}")
        raise

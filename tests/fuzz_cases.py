"""Fuzz cases for accelsim's input boundary: random valid and invalid architectures (as dicts, YAML and
JSON text, ``with_field`` edits), kernels, models and ``simulate`` / ``decode_step`` arguments, sweep specs
(documents and YAML / JSON text: junk values, unknown keys, deep nesting, 10**9-point grids), junk in
``accelsim.sweep``'s arguments, and damaged sweep checkpoints.  A share of the sweeps that validate are run
(serially, roofline fidelity), and a sweep row that ``failed`` (an exception inside the sweep) is a failure.

The contract every case checks: the call returns a result or raises :class:`accelsim.ConfigError` (a
``ValueError``) with a non-empty ``field``; any other exception is a failure.  (A crash of the C++ core
would end the process, which the runner reports too.)

Beyond that contract, the cases check the answers (tests/invariants.py): every simulated row's counters are
non-negative and consistent (row hits + misses = requests), no time is below the roofline floor or moves
DRAM bytes above the pins; a larger batch or context never makes decode attention faster, more DRAM stacks
never make a kernel slower, weight-only quantization never makes a bandwidth-bound GEMV slower (kind
``monotone``); a damaged checkpoint is never read back with a record that was not written; a YAML alias
bomb, a deeply nested or oversized document, a file that is not a machine description and a subnormal
rate end in a ConfigError of at most accelsim.errors.MAX_MESSAGE_CHARS characters that echoes no file
contents (kind ``bounded``).

Cases are drawn from a ``random.Random``, so they are reproducible by seed; ``tests/engine/test_fuzz.py``
drives them from hypothesis, ``benchmarks/fuzz.py`` runs >= 100,000 of them.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import random
from typing import Any, Callable

import numpy as np

import accelsim
from accelsim import ConfigError, io, models, presets
from accelsim.dtypes import DTYPES
from accelsim.workload.kernels import DecodeAttention, Elementwise, Gemv, Moe

import invariants

PRESETS = {name: presets.load(name) for name in presets.names()}
DOCS = {name: io.to_document(a) for name, a in PRESETS.items()}
TEXTS = [io.to_yaml(a) for a in PRESETS.values()] + [io.to_json(a) for a in PRESETS.values()]
ZOO = {name: models.load(name) for name in models.names()}

_SCALARS: list[Any] = [
    None, True, False, 0, -1, 1, 2, 3, 7, 64, 1000, 2**31, 2**32, 2**62, 2**63 - 1, 2**63, -(2**63), 2**64, 10**30,
    10**400, 0.0, -0.0, 0.5, 1.5, -1.5, 1e-300, 5e-324, 1e18, 1e308, math.nan, math.inf, -math.inf,
    "", " ", "x", "1", "1.0", "1e9", "nan", "inf", "bf16", "hbm3", "l2", "\x00", "\u00e9\u2028", "a" * 300,
    np.int64(3), np.int32(-2), np.float64(math.nan), np.float32(2.5), np.bool_(True), np.uint64(2**64 - 1),
]


def junk(r: random.Random, depth: int = 0) -> Any:
    """A random junk value: scalars of every type, empty and nested containers, deep nesting."""
    roll = r.random()
    if roll < 0.7 or depth > 3:
        return r.choice(_SCALARS)
    if roll < 0.8:
        return [junk(r, depth + 1) for _ in range(r.randint(0, 3))]
    if roll < 0.9:
        return {r.choice(["a", "units", "name", "stacks", "", "1"]): junk(r, depth + 1) for _ in range(r.randint(0, 3))}
    if roll < 0.95:  # deeply nested
        v: Any = r.choice(_SCALARS)
        for _ in range(r.randint(10, 400)):
            v = [v] if r.random() < 0.5 else {"k": v}
        return v
    return np.array([1, 2, 3]) if r.random() < 0.5 else (1, 2)


def _num_variant(r: random.Random, v: Any) -> Any:
    """A plausible edit of a number: scaled, negated, zeroed, made huge or tiny, type-changed."""
    if isinstance(v, float) and not math.isfinite(v) or isinstance(v, int) and abs(v) > 2**64:
        return v
    op = r.randrange(8)
    if op == 0:
        return 0
    if op == 1:
        return -v
    if op == 2:
        return v * r.choice([2, 10, 1000, 2**20, 2**40])
    if op == 3:
        return type(v)(v * r.uniform(0.3, 3.0)) if isinstance(v, float) else max(1, int(v * r.uniform(0.3, 3.0)))
    if op == 4:
        return float(v) if isinstance(v, int) else (int(v) if math.isfinite(v) else 0)
    if op == 5:
        return str(v)
    if op == 6:
        return v + r.choice([1, -1, 0.5])
    return v


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append(prefix + (k,))
            out += _paths(v, prefix + (k,))
    return out


def mutate_doc(r: random.Random, doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        paths = _paths(doc)
        if not paths:
            break
        path = r.choice(paths)
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        key = path[-1]
        op = r.random()
        if op < 0.4:
            parent[key] = junk(r)
        elif op < 0.6 and isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
            parent[key] = _num_variant(r, parent[key])
        elif op < 0.7:
            del parent[key]
        elif op < 0.8:
            parent[r.choice([key + "_x" if isinstance(key, str) else "x", str(key).upper(), 1, None, "", "é"])] = junk(r)
        elif op < 0.9:
            other = r.choice(paths)
            src = doc
            for p in other:
                src = src[p] if isinstance(src, dict) and p in src else src
            parent[key] = copy.deepcopy(src)
        else:
            parent[key] = r.choice([[], {}, None, [parent[key]], {"value": parent[key]}])
    return doc


def mutate_text(r: random.Random, text: str) -> str | bytes:
    op = r.randrange(10)
    if op == 0:
        return text[: r.randrange(len(text) + 1)]
    if op == 1:
        i = r.randrange(len(text))
        return text[:i] + chr(r.choice([0, 9, 10, 13, 34, 39, 35, 38, 42, 33, 37, 58, 63, 91, 93, 123, 125, 0xFEFF,
                                        0x85, 0x2028, r.randrange(32, 0x3000)])) + text[i + 1:]
    if op == 2:
        lines = text.splitlines(keepends=True)
        i = r.randrange(len(lines))
        return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])  # duplicate a key
    if op == 3:
        lines = text.splitlines(keepends=True)
        i = r.randrange(len(lines))
        line = lines[i]
        if ":" in line:
            key = line.split(":", 1)[0]
            lit = r.choice([".nan", ".inf", "-.inf", "1e999", "0x10", "0o17", "1_000", "~", "null", "yes", "[]",
                            "{}", "!!binary aGk=", "!!python/none ''", "&a 1", "*a", "2001-12-14", "'1'", "-1",
                            "9223372036854775808", "1e-400", "[1, [2, [3]]]", "!!set {a}", "\"\\u0000\""])
            lines[i] = f"{key}: {lit}\n" if not text.lstrip().startswith("{") else f"{key}: {lit},\n"
        return "".join(lines)
    if op == 4:
        n = r.choice([10, 500, 5000, 50000])
        return r.choice(["[" * n, "{\"a\": " * n, "- " * n, "a: " * n + "1", "[" * n + "]" * n])
    if op == 5:
        return "".join(chr(r.randrange(1, 0x800)) for _ in range(r.randrange(0, 200)))
    if op == 6:
        return text.encode("utf-8")[: r.randrange(len(text))] + bytes([r.randrange(256) for _ in range(4)])
    if op == 7:
        return text.replace("schema_version: 1", r.choice(["schema_version: 2", "schema_version: '1'", "", "schema_version: 1.0"])) \
            .replace('"schema_version": 1', r.choice(['"schema_version": 2', '"schema_version": true', '"x": 1']))
    if op == 8:  # alias expansion ("billion laughs") and anchors
        return ("a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n" + text)
    return text * 2


# ---------------------------------------------------------------------------------------------------
# kernels


def _small_int(r: random.Random, lo: int, hi: int) -> int:
    return r.choice([lo, hi, r.randint(lo, hi), 1 << r.randint(max(0, lo.bit_length() - 1), max(0, hi.bit_length() - 1))])


def _field_value(r: random.Random, cls: type, name: str, p_junk: float) -> Any:
    if r.random() < p_junk:
        return junk(r)
    if name == "name":
        return r.choice(["k", "gemv", "é", "x" * 40, ""])
    if "dtype" in name:
        return r.choice(list(DTYPES) + ([None] if name in ("weight_dtype", "kv_dtype") else []))
    if name == "routing_zipf_s":
        return r.choice([0.0, 0.5, 1.2])
    if name == "flops_per_element":
        return r.choice([0.0, 1.0, 3.5])
    hi = {"m": 16, "n": 1024, "k": 1024, "batch": 8, "q_heads": 16, "kv_heads": 4, "head_dim": 128, "context": 2048,
          "n_elements": 1 << 18, "reads": 3, "writes": 2, "tokens": 8, "n_experts": 16, "top_k": 4, "d_model": 512,
          "expert_d_ff": 512, "n_shared_experts": 2, "shared_d_ff": 512, "group_size": 128, "block_size": 32,
          "kv_group_size": 64}.get(name, 8)
    lo = 0 if name in ("group_size", "block_size", "kv_group_size", "n_shared_experts", "shared_d_ff", "reads", "writes") else 1
    return _small_int(r, lo, hi)


def make_kernel(r: random.Random, p_junk: float = 0.15) -> Any:
    cls = r.choice([Gemv, Gemv, Elementwise, DecodeAttention, Moe])
    kw = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING
        if required or r.random() < 0.5:
            kw[f.name] = _field_value(r, cls, f.name, p_junk)
    if cls is DecodeAttention and r.random() < 0.8 and isinstance(kw.get("kv_heads"), int):
        kw["q_heads"] = kw["kv_heads"] * r.choice([1, 2, 4])
    if cls is Moe and isinstance(kw.get("n_experts"), int) and isinstance(kw.get("top_k"), int) and r.random() < 0.8:
        kw["top_k"] = min(kw["top_k"], kw["n_experts"])
    return cls(**kw)


def random_arch(r: random.Random) -> accelsim.Architecture:
    """A preset, sometimes perturbed through with_field (may raise ConfigError)."""
    a = PRESETS[r.choice(list(PRESETS))]
    if r.random() < 0.3:
        path, val = r.choice([
            ("compute.units", r.choice([1, 3, 16, 200])), ("dram.stacks", r.choice([1, 2, 8])),
            ("dram.bank_groups", r.choice([1, 2, 8])), ("l2", None), ("dram.tRFCpb_ns", r.choice([0.0, 100.0])),
            ("compute.max_inflight_bytes_per_unit", r.choice([1, 512, 1 << 20])),
            ("kernel_launch_overhead_ns", r.choice([0.0, 1e6])), ("dram.access_latency_ns", r.choice([0.0, 5000.0])),
            ("compute.units", 2**30), ("dram.channels_per_stack", 2**14), ("dram.tREFI_ns", 1e12),
            ("compute.vector_flops_per_cycle_per_unit", 1e-300), ("compute.load_bytes_per_cycle_per_unit", 1e-300),
            ("dram.data_rate_gbps", r.choice([1e-300, 1e-3])), ("compute.clock_ghz", 1e-9),
        ])
        a = a.with_field(path, val)
    return a


# ---------------------------------------------------------------------------------------------------
# the case kinds: each returns a thunk to run


def case_doc(r: random.Random) -> Callable[[], Any]:
    doc = mutate_doc(r, DOCS[r.choice(list(DOCS))])
    if r.random() < 0.5:
        return lambda: io.from_document(doc)
    def via_text() -> Any:
        try:
            text = json.dumps(doc, allow_nan=True, default=str) if r.random() < 0.5 else None
        except (TypeError, ValueError, RecursionError):  # not representable as JSON: use the dict
            text = None
        return io.load(text, fmt="json") if text is not None else io.from_document(doc)
    return via_text


def case_text(r: random.Random) -> Callable[[], Any]:
    """Document text through the text entry points (``io.load`` of a one-line ``str`` is a file path, by
    its documented contract, so text goes through from_yaml / from_json / load of bytes)."""
    src = mutate_text(r, r.choice(TEXTS))
    if isinstance(src, bytes):
        return lambda: io.load(src, fmt=r.choice([None, "yaml", "json"]))
    entry = r.choice([io.from_yaml, io.from_json, lambda t: io.load(t.encode("utf-8", "surrogatepass"))])
    return lambda: entry(src)


_PATHS = [".".join(p) for p in _paths(DOCS["h100-sxm"]) if p[0] != "schema_version"]


def case_with_field(r: random.Random) -> Callable[[], Any]:
    a = PRESETS[r.choice(list(PRESETS))]
    path = r.choice(_PATHS + ["", "nope", "dram.nope", "dram.stacks.x", "l2.x.y", "compute..units", ".", "name.x"])
    if r.random() < 0.05:
        path = junk(r)
    value = junk(r) if r.random() < 0.7 else _num_variant(r, 3.0)
    return lambda: a.with_field(path, value)


def case_kernel(r: random.Random, simulate_share: float = 0.25) -> Callable[[], Any]:
    seed = r.random()
    def run() -> Any:
        rr = random.Random(seed)
        k = make_kernel(rr)
        if rr.random() >= simulate_share:
            return k.bytes_moved(), k.flops()
        arch = random_arch(rr)
        fid = rr.choice(["fast", "fast", "roofline", "detailed"])
        if fid == "detailed" and k.bytes_moved() > 1 << 18:
            fid = "fast"
        res = accelsim.simulate(arch, k if rr.random() < 0.7 else [k, k], fidelity=fid)
        for row in res.kernels:  # the answer, not only its absence of errors
            invariants.check_row(arch, row, k, fid)
        return res
    return run


_MODEL_FIELDS = [f.name for f in dataclasses.fields(models.ModelSpec)]


def case_model(r: random.Random, decode_share: float = 0.1) -> Callable[[], Any]:
    seed = r.random()
    def run() -> Any:
        rr = random.Random(seed)
        base = ZOO[rr.choice(list(ZOO))]
        kw = {f: getattr(base, f) for f in _MODEL_FIELDS}
        if rr.random() < 0.5:
            kw["attention"] = None
        for _ in range(rr.choice([0, 1, 1, 2])):
            f = rr.choice(_MODEL_FIELDS)
            if f in ("moe", "mla") and rr.random() < 0.5:
                sub = models.MoeSpec if f == "moe" else models.MlaSpec
                skw = {sf.name: rr.choice([1, 2, 8, 0, -1, junk(rr)]) for sf in dataclasses.fields(sub)
                       if sf.default is dataclasses.MISSING or rr.random() < 0.5}
                kw[f] = sub(**skw)
            else:
                v = kw[f]
                kw[f] = _num_variant(rr, v) if isinstance(v, int) and not isinstance(v, bool) and rr.random() < 0.5 else junk(rr)
        spec = models.ModelSpec(**kw)
        if rr.random() >= decode_share:
            return spec.params(), spec.kv_bytes_per_token("bf16")
        arch = PRESETS[rr.choice(list(PRESETS))]
        batch = rr.choice([1, 2, 4, 0, -1, 2**63, 1.5, math.nan, "4", None, 1 << 30])
        context = rr.choice([128, 1024, 0, -5, 2**62, 1e9, math.inf, "1k", [1]])
        wd = rr.choice(["bf16", "fp8", "int4", "float16", "bogus", None, 3])
        return accelsim.decode_step(arch, spec, batch=batch, context=context, weight_dtype=wd,
                                    kv_dtype=rr.choice(["bf16", "fp8", "x"]), workers=1)
    return run


def case_call(r: random.Random) -> Callable[[], Any]:
    """Junk in the places a script passes objects: simulate / decode_step / models.load arguments."""
    seed = r.random()
    def run() -> Any:
        rr = random.Random(seed)
        arch = PRESETS[rr.choice(list(PRESETS))]
        k = Gemv(m=1, n=256, k=256)
        op = rr.randrange(6)
        if op == 0:
            return accelsim.simulate(junk(rr), k)
        if op == 1:
            return accelsim.simulate(arch, junk(rr))
        if op == 2:
            return accelsim.simulate(arch, [k, junk(rr)])
        if op == 3:
            return accelsim.simulate(arch, k, fidelity=junk(rr))
        if op == 4:
            return models.load(junk(rr))
        return accelsim.decode_step(junk(rr) if rr.random() < 0.5 else arch,
                                    junk(rr) if rr.random() < 0.5 else "llama-3-8b", batch=1, context=128, workers=1)
    return run


# ---------------------------------------------------------------------------------------------------
# sweeps: specs (documents and YAML/JSON text), accelsim.sweep arguments, checkpoint files

import atexit  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import warnings  # noqa: E402

import yaml  # noqa: E402

from accelsim.explore import sweepspec  # noqa: E402
from accelsim.explore.sweep import DecodeWorkload, read_checkpoint  # noqa: E402

_TMP = tempfile.mkdtemp(prefix="accelsim-fuzz-")
atexit.register(shutil.rmtree, _TMP, True)  # the checkpoint files the fuzzer writes go with the process
#: a sweep the fuzzer runs has at most this many rows (serial, roofline: a few ms each)
SWEEP_RUN_MAX_ROWS = 24

_AXES: dict[str, Any] = {
    "dram.stacks": [4, 5, 6], "dram.data_rate_gbps": {"uniform": [5.2, 9.6]}, "compute.clock_ghz": [1.5, 1.98],
    "cost.pue": [1.1, 1.5], "l2.capacity_bytes": {"int": [8 << 20, 64 << 20]}, "compute.units": {"choice": [66, 132]},
    "dram.row_bytes": [1024, 2048], "cost.electricity_usd_per_kwh": {"loguniform": [0.03, 0.3]},
}
_WORKLOADS: list[Any] = [
    {"gemv": {"m": 1, "n": 1024, "k": 1024, "dtype": "bf16"}},
    {"gemv": {"m": 4, "n": 512, "k": 2048}, "name": "small"},
    {"decode": {"model": "llama-3-8b", "batch": [1, 8], "context": 1024}},
    {"decode": {"model": "llama-3-70b", "batch": 4, "context": 2048, "weight_dtype": "fp8"}},
    {"attention": {"batch": 2, "q_heads": 8, "kv_heads": 2, "head_dim": 128, "context": 512}},
    {"elementwise": {"n_elements": 4096, "dtype": "bf16", "reads": 2}},
]


def spec_doc(r: random.Random) -> dict:
    """A valid sweep spec document (small: a few points)."""
    doc: dict[str, Any] = {"base": r.choice(["h100-sxm", "h200", ["h100-sxm", "h200"]])}
    if r.random() < 0.7:
        doc["fidelity"] = r.choice(["roofline", "roofline", "fast", "detailed"])
    names = r.sample(list(_AXES), r.randint(0, 3))
    doc["axes"] = {n: copy.deepcopy(_AXES[n]) for n in names}
    if any(isinstance(v, dict) for v in doc["axes"].values()):
        doc["sampling"] = {"samples": r.randint(1, 4)}
        if r.random() < 0.5:
            doc["sampling"]["method"] = r.choice(["lhs", "random"])
            doc["sampling"]["seed"] = r.randint(0, 9)
    doc["workloads"] = copy.deepcopy(r.sample(_WORKLOADS, r.randint(1, 2)))
    if r.random() < 0.3:
        doc["cost"] = {"pue": r.choice([1.2, 1.6]), "electricity_usd_per_kwh": 0.1}
    if r.random() < 0.3:
        doc["executor"] = r.choice(["serial", "local", {"kind": "serial"}])
        doc["workers"] = r.randint(1, 2)
    if r.random() < 0.2:
        doc["checkpoint"] = r.choice(["run.csv", "run.parquet"])
    return doc


def _huge(r: random.Random, doc: dict) -> dict:
    """Make the spec absurdly big: a 10**9-point grid, 10**12 samples, 10**10 decode combinations."""
    op = r.randrange(4)
    if op == 0:
        doc["axes"] = {"dram.stacks": list(range(1, 1001)), "compute.clock_ghz": [1.0 + i / 1000 for i in range(1000)],
                       "dram.data_rate_gbps": [1.0 + i / 100 for i in range(1000)]}
    elif op == 1:
        doc["axes"] = {"dram.data_rate_gbps": {"uniform": [1, 10]}}
        doc["sampling"] = {"samples": r.choice([10**9, 10**12, 2**63, 10**400])}
    elif op == 2:
        doc["workloads"] = [{"decode": {"model": "llama-3-8b", "batch": list(range(1, 100001)),
                                        "context": list(range(1, 100001))}}]
    else:
        doc["axes"] = {"dram.stacks": list(range(1, 3001)), "compute.clock_ghz": [1.0 + i / 3000 for i in range(3000)]}
        doc["workloads"] = doc["workloads"] * 2
    return doc


def _run_spec(spec: Any) -> Any:
    """Run a parsed spec serially at roofline fidelity (if small) and check the frame."""
    n_bases = len(spec.base) if isinstance(spec.base, list) else 1
    from accelsim.explore.sweep import design_points  # noqa: PLC0415

    n_points = len(design_points(spec.axes, samples=spec.samples, method=spec.method, seed=spec.seed))
    rows = n_bases * n_points * len(spec.workloads)
    if rows > SWEEP_RUN_MAX_ROWS:
        return None
    kw = dict(spec.kwargs(), fidelity="roofline", checkpoint=None, workers=None)
    df = accelsim.sweep(executor="serial", progress=False, **kw)
    _check_frame(df, rows)
    return df


def _check_frame(df: Any, rows: int) -> None:
    if len(df) != rows:
        raise FuzzFailure(f"sweep frame has {len(df)} rows, expected {rows}")
    bad = df[~df["status"].isin(["ok", "infeasible", "invalid"])]
    if len(bad):  # "failed" = an exception escaped evaluate() inside the sweep
        raise FuzzFailure(f"sweep row {bad.iloc[0]['status']}: {bad.iloc[0]['reason'][:300]}")


def case_sweep_spec(r: random.Random, run_share: float = 0.2) -> Callable[[], Any]:
    """A sweep spec, valid or mutated (junk values, unknown keys, deep nesting, huge grids), as a document
    or as YAML / JSON text (itself possibly mutated); a share of the specs that parse are run."""
    doc = spec_doc(r)
    roll = r.random()
    huge = roll < 0.08
    if huge:
        doc = _huge(r, doc)
    elif roll < 0.85:
        doc = mutate_doc(r, doc)
    as_text = r.random() < 0.4
    text: Any = None
    fmt = "yaml"
    if as_text:
        fmt = "json" if huge else r.choice(["yaml", "json"])  # pure-Python YAML of 10**5 items takes a second
        try:
            text = json.dumps(doc) if fmt == "json" else yaml.safe_dump(doc, sort_keys=False)
        except (TypeError, ValueError, yaml.YAMLError, RecursionError):  # numpy values, non-str keys, deep
            text = None
        if text is not None and r.random() < 0.3:
            text = mutate_text(r, text)
    run = r.random() < run_share

    def go() -> Any:
        spec = sweepspec.parse_spec_text(text, fmt) if text is not None else sweepspec.parse_spec(doc)
        return _run_spec(spec) if run else spec
    return go


def _hashable_junk(r: random.Random) -> Any:
    v = junk(r)
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)[:50]


def case_sweep_call(r: random.Random) -> Callable[[], Any]:
    """Junk in accelsim.sweep's arguments (serial executor, roofline unless junk)."""
    seed = r.random()

    def go() -> Any:
        rr = random.Random(seed)
        kw: dict[str, Any] = dict(base="h100-sxm", axes={"dram.stacks": [4, 6]},
                                  workloads=[Gemv(m=1, n=512, k=512)], fidelity="roofline")
        for _ in range(rr.choice([1, 1, 2])):
            op = rr.randrange(9)
            if op == 0:
                kw["base"] = rr.choice([junk(rr), [junk(rr)], [], ["h200", junk(rr)], "h100", "/", "\x00x"])
            elif op == 1:
                kw["axes"] = rr.choice([junk(rr), {_hashable_junk(rr) if rr.random() < 0.3 else rr.choice(list(_AXES)): junk(rr)},
                                        {rr.choice(list(_AXES)): [junk(rr), junk(rr)]}, {"dram": [1]},
                                        {"dram.stacks": []}, {"compute..units": [1]}, {"cost.nope": [1]}])
            elif op == 2:
                kw["workloads"] = rr.choice([junk(rr), [junk(rr)], {"w": junk(rr)}, [],
                                             DecodeWorkload(junk(rr), batch=junk(rr), context=junk(rr)),
                                             DecodeWorkload("llama-3-8b", batch=rr.choice([1, 0, -1, 2**63]),
                                                            context=rr.choice([128, 0, 10**12]),
                                                            weight_dtype=rr.choice(["bf16", "fp8", junk(rr)]))])
            elif op == 3:
                kw["axes"] = {"dram.data_rate_gbps": rr.choice([{"uniform": [junk(rr), junk(rr)]}, {"choice": junk(rr)},
                                                                {"loguniform": [0, 1]}, {"int": [0.2, 0.8]},
                                                                {"bogus": [1, 2]}, {"uniform": [1, 2], "int": [1, 2]}])}
                kw["samples"] = rr.choice([2, junk(rr)])
            elif op == 4:
                kw["samples"], kw["axes"] = junk(rr), {"compute.clock_ghz": {"uniform": [1.0, 2.0]}}
            elif op == 5:
                kw["method"] = junk(rr)
                kw["seed"] = junk(rr)
            elif op == 6:
                kw["fidelity"] = rr.choice([junk(rr), "fast", "detailed"])
            elif op == 7:
                kw["cost"] = junk(rr)
            else:
                kw["checkpoint"] = rr.choice([junk(rr), os.path.join(_TMP, "call.txt"), os.path.join(_TMP, "call.csv")])
                if isinstance(kw["checkpoint"], str) and kw["checkpoint"].endswith(".csv") and os.path.exists(kw["checkpoint"]):
                    os.remove(kw["checkpoint"])
        if isinstance(kw.get("fidelity"), str) and kw["fidelity"] != "roofline":
            kw["workloads"] = [Gemv(m=1, n=64, k=64)]  # keep fast / detailed runs tiny
            kw["axes"] = {"dram.stacks": [4]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = accelsim.sweep(executor="serial", progress=False, **kw)
        bad = df[~df["status"].isin(["ok", "infeasible", "invalid"])]
        if len(bad):
            raise FuzzFailure(f"sweep row {bad.iloc[0]['status']}: {bad.iloc[0]['reason'][:300]}")
        return df
    return go


def _checkpoint_text() -> str:
    path = os.path.join(_TMP, "seed.csv")
    if os.path.exists(path):
        os.remove(path)
    accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5, 6]}, [Gemv(m=1, n=512, k=512),
                   DecodeWorkload("llama-3-8b", batch=1, context=512)], fidelity="roofline",
                   executor="serial", progress=False, checkpoint=path)
    with open(path, encoding="utf-8") as f:
        return f.read()


_CK_TEXT: list[str] = []
_CK_TRUTH: list[dict[str, Any]] = []


def mutate_checkpoint(r: random.Random, text: str) -> "str | bytes":
    lines = text.splitlines(keepends=True)
    op = r.randrange(10)
    if op == 0:
        return text[: r.randrange(len(text) + 1)]  # truncated anywhere
    if op == 1:
        i = r.randrange(len(text))
        return text[:i] + r.choice(["\x00", ",", "\"", "\n", "\r", "x", "é", "\u2028"]) + text[i + 1:]
    if op == 2:
        i = r.randrange(1, len(lines))
        cells = lines[i].rstrip("\n").split(",")
        j = r.randrange(len(cells))
        cells[j] = r.choice(["", "nan", "inf", "-inf", "1e999", "-1", "x", "1.5", "9" * 400, "ok", "failed", "bogus",
                             "True", "0x10"])
        lines[i] = ",".join(cells) + "\n"
        return "".join(lines)
    if op == 3:
        return r.choice(["# accelsim sweep checkpoint, schema_version 2\n", "# accelsim sweep checkpoint, schema_version x\n",
                         "# something else\n", "# accelsim sweep checkpoint, schema_version 99999999999999999999\n",
                         "# accelsim sweep checkpoint, schema_version -1\n", ""]) + "".join(lines[1:])
    if op == 4:
        return "".join(lines[:1] + [lines[1].replace("key", r.choice(["kee", "", "key,key"]))] + lines[2:])
    if op == 5:
        i = r.randrange(len(lines))
        return "".join(lines[:i] + [lines[i]] * r.randint(2, 5) + lines[i + 1:])  # duplicated lines
    if op == 6:
        return text.encode("utf-8")[: r.randrange(len(text))] + bytes([r.randrange(256) for _ in range(6)])
    if op == 7:
        return "".join(r.sample(lines, len(lines)))  # shuffled
    if op == 8:
        return "".join(chr(r.randrange(1, 0x800)) for _ in range(r.randrange(0, 300)))
    return text


def case_checkpoint(r: random.Random, run_share: float = 0.3) -> Callable[[], Any]:
    """A damaged checkpoint (truncated, junk cells, bad version line, binary junk): read_checkpoint and a
    resuming sweep either use it (a truncated last line is dropped with a warning) or say it is corrupt."""
    if not _CK_TEXT:
        _CK_TEXT.append(_checkpoint_text())
        path0 = os.path.join(_TMP, "truth.csv")
        with open(path0, "w", encoding="utf-8") as f:
            f.write(_CK_TEXT[0])
        _CK_TRUTH.append(read_checkpoint(path0))
    data = mutate_checkpoint(r, _CK_TEXT[0])
    run = r.random() < run_share
    path = os.path.join(_TMP, "ck.csv")

    def go() -> Any:
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            recs = read_checkpoint(path)
            truth = _CK_TRUTH[0]
            wrong = [k for k, v in recs.items() if truth.get(k) != v]
            if wrong:  # a record read back that was never written: silently wrong
                raise FuzzFailure(f"checkpoint damage taken silently: record {wrong[0]} reads {recs[wrong[0]]}, "
                                  f"was written as {truth.get(wrong[0])}")
            if not run:
                return recs
            df = accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5, 6]}, [Gemv(m=1, n=512, k=512),
                                DecodeWorkload("llama-3-8b", batch=1, context=512)], fidelity="roofline",
                                executor="serial", progress=False, checkpoint=path)
        _check_frame(df, 6)
        return df
    return go


# ------------------------------------------------------------------------------------ answers: monotone

_ATTN_SHAPES = [(8, 1, 128), (32, 8, 128), (8, 4, 256), (16, 16, 64), (128, 1, 576), (64, 8, 128)]
_STACK_KERNELS = [Gemv(m=1, n=4096, k=4096), Gemv(m=16, n=14336, k=4096), Gemv(m=64, n=1024, k=8192),
                  DecodeAttention(batch=4, q_heads=32, kv_heads=8, head_dim=128, context=8192),
                  DecodeAttention(batch=1, q_heads=8, kv_heads=1, head_dim=128, context=32768),
                  Elementwise(n_elements=1 << 22)]


def case_monotone(r: random.Random) -> Callable[[], Any]:
    """A property over a random preset: a larger batch or context never makes decode attention faster; more
    DRAM stacks never make a kernel slower; weight-only quantization never makes a bandwidth-bound GEMV
    slower than bf16. A violation is an AssertionError (a failure)."""
    name = r.choice(list(PRESETS))
    arch = PRESETS[name]
    what = r.random()
    if what < 0.5:
        hq, hkv, hd = r.choice(_ATTN_SHAPES)
        batch, context = r.randint(1, 24), r.choice([r.randint(1, 4096), r.randint(1, 16_384)])
        db, dc = r.randint(1, 8), r.randint(1, 8192)
        return lambda: invariants.check_monotone_attention(arch, hq, hkv, hd, batch, context, db, dc)
    if what < 0.75:
        kernel, extra = r.choice(_STACK_KERNELS), r.randint(1, 4)
        return lambda: invariants.check_more_stacks(arch, kernel, extra)
    m, n, k = r.randint(1, 16), r.randint(256, 8192), r.randint(256, 8192)
    wdtype, group = r.choice(["int8", "fp8", "int4", "fp4"]), r.choice([0, 128])
    return lambda: invariants.check_weight_only(arch, m, n, k, wdtype, group)


# ------------------------------------------------------------------------------------ bounded inputs

_SECRET = "root:x:0:0:fuzz-secret-line:/root:/bin/bash"


def _alias_bomb(r: random.Random) -> str:
    width, depth = r.randint(2, 12), r.randint(3, 12)
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _nested(r: random.Random, fmt: str) -> str:
    depth = r.choice([50, 200, 1000, 5000, 50_000])
    if fmt == "json":
        return "[" * depth + "1" + "]" * depth if r.random() < 0.5 else '{"a": ' * depth + "1" + "}" * depth
    return "[" * depth + "1" + "]" * depth if r.random() < 0.5 else "a: {" * depth + "b: 1" + "}" * depth


def case_bounded(r: random.Random) -> Callable[[], Any]:
    """A hostile document or value: it must end in a ConfigError (or a result, for a small harmless alias
    document) whose message is short and echoes nothing of a file that is not a machine description."""
    from accelsim.errors import MAX_MESSAGE_CHARS
    from accelsim.explore.sweepspec import load_spec, parse_spec_text

    op = r.randrange(6)
    path = os.path.join(_TMP, f"bounded-{op}")
    if op == 0:
        text = _alias_bomb(r)
        entry = r.choice([lambda: io.load(text.encode()), lambda: parse_spec_text(text), lambda: io.from_yaml(text)])
    elif op == 1:
        fmt = r.choice(["yaml", "json"])
        text = _nested(r, fmt)
        entry = r.choice([lambda: io.load(text.encode(), fmt=fmt), lambda: parse_spec_text(text, fmt=fmt)])
    elif op == 2:  # a file that is not a machine description: its contents are never echoed
        body = r.choice([_SECRET, _SECRET + "\n" + _SECRET, f"[{_SECRET!r}]", f"{{{_SECRET!r}: 1}}",
                         "x: " + _SECRET, _SECRET * 40])
        with open(path, "w", encoding="utf-8") as f:
            f.write(body)
        entry = r.choice([lambda: io.load(path), lambda: presets.load_file(path), lambda: load_spec(path)])
    elif op == 3:  # larger than any document accelsim reads
        size = io.MAX_DOCUMENT_BYTES + r.choice([1, 1000, 1 << 20])
        with open(path, "wb") as f:
            f.write(b"#" * size)
        entry = r.choice([lambda: io.load(path), lambda: presets.load_file(path)])
    elif op == 4:  # a subnormal or underflowing rate
        a = PRESETS[r.choice(list(PRESETS))]
        field = r.choice(["compute.clock_ghz", "compute.vector_flops_per_cycle_per_unit",
                          "compute.load_bytes_per_cycle_per_unit", "dram.data_rate_gbps",
                          "compute.matrix_flops_per_cycle_per_unit.bf16"])
        value = r.choice([5e-324, 1e-320, 1e-310, 1e-300, 2.2e-308])
        entry = lambda: a.with_field(field, value)  # noqa: E731
    else:  # a long or deep value in a field: the message stays short
        a = PRESETS[r.choice(list(PRESETS))]
        v: Any = "x" * r.choice([10, 10_000, 1_000_000])
        for _ in range(r.choice([0, 10, 1000, 5000])):
            v = [v]
        field = r.choice(["compute.units", "dram.stacks", "name", "dram.kind"])
        entry = lambda: a.with_field(field, v)  # noqa: E731

    def go() -> Any:
        try:
            out = entry()
        except ConfigError as e:
            msg = str(e)
            if len(msg) > MAX_MESSAGE_CHARS:
                raise FuzzFailure(f"an error message of {len(msg)} characters (op {op}): {msg[:200]}...") from e
            if "fuzz-secret" in msg:
                raise FuzzFailure(f"the error echoes the file's contents (op {op}): {msg[:200]}") from e
            raise
        if op in (1, 2, 3, 4):
            raise FuzzFailure(f"accepted a hostile input (op {op}): {str(out)[:200]}")
        return out
    return go


KINDS: dict[str, Callable[[random.Random], Callable[[], Any]]] = {
    "doc": case_doc,
    "text": case_text,
    "with_field": case_with_field,
    "kernel": case_kernel,
    "model": case_model,
    "call": case_call,
    "sweep_spec": case_sweep_spec,
    "sweep_call": case_sweep_call,
    "checkpoint": case_checkpoint,
    "monotone": case_monotone,
    "bounded": case_bounded,
}
#: the mix of a fuzz run (weights): mostly cheap loader / validation cases, a share of small simulations
WEIGHTS = {"doc": 35, "text": 15, "with_field": 10, "kernel": 22, "model": 13, "call": 5,
           "sweep_spec": 12, "sweep_call": 5, "checkpoint": 4, "monotone": 0.5, "bounded": 4}


class FuzzFailure(AssertionError):
    pass


def check(thunk: Callable[[], Any]) -> str:
    """Run one case; 'ok' or 'config_error', else raise FuzzFailure describing the escape."""
    try:
        thunk()
        return "ok"
    except ConfigError as e:
        if not isinstance(e.field, str) or not e.field or not str(e):
            raise FuzzFailure(f"ConfigError without a field: {e!r}") from e
        return "config_error"
    except Exception as e:  # noqa: BLE001 - the point: anything else is a bug
        raise FuzzFailure(f"{type(e).__name__}: {str(e)[:300]}") from e


def run_case(kind: str, r: random.Random) -> str:
    try:
        thunk = KINDS[kind](r)
    except ConfigError:  # building the case already refused the input (e.g. a kernel with a junk field)
        return "config_error"
    except Exception as e:  # noqa: BLE001
        raise FuzzFailure(f"while building the case: {type(e).__name__}: {str(e)[:300]}") from e
    return check(thunk)

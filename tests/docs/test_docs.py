"""Every code block of README.md and docs/ runs, and every generated figure is what the code prints today.

* ``python`` blocks run as plain scripts (a fresh interpreter, no ``if __name__ == "__main__":`` needed),
  in a scratch folder holding links to the repository's examples/, benchmarks/ and tests/.
* ``bash`` blocks run line by line (``&&`` chains and all) with the installed ``accelsim`` on PATH.
  ``pip install ...`` is not re-run: the extras it names must exist in pyproject.toml (CI installed the
  package already). ``python -m pytest -q`` is this very run, so it is not started again.
* ``text`` blocks are diagrams, trees and formulas: not run. A block without a language fails the test,
  so nothing executable hides as "text".
* A comment right before a block can make a long example cheap or skip a line, always with a reason::

      <!-- doc-test: replace "samples=16" "samples=2" (CI: a small sample of the same sweep) -->
      <!-- doc-test: skip-line "dask scheduler" (starts a network service) -->
      <!-- doc-test: skip (needs a SLURM cluster) -->

* ``cog --check`` (tools/docgen.py) regenerates every figure between cog markers and fails on a change.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCS = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "**", "*.md"),
                                                                            recursive=True))
LINKS = ("examples", "benchmarks", "tests", "tools")
BIN = os.path.dirname(sys.executable)

_FENCE = re.compile(r"^(`{3,})(\S*)\s*$")
_DIRECTIVE = re.compile(r"<!--\s*doc-test:\s*(.*?)\s*-->")


@dataclass
class Block:
    path: str
    line: int
    lang: str
    code: str
    directives: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


def blocks(path: str) -> list[Block]:
    out: list[Block] = []
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2)
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        directives = []
        k = i - 1
        while k >= 0 and (not lines[k].strip() or _DIRECTIVE.search(lines[k])):
            d = _DIRECTIVE.search(lines[k])
            if d:
                directives.insert(0, d.group(1))
            k -= 1
        out.append(Block(path, i + 1, lang, "\n".join(lines[i + 1:j]) + "\n", directives))
        i = j + 1
    return out


ALL = [b for p in DOCS for b in blocks(p)]


def _apply(block: Block) -> tuple[str, list[str], str | None]:
    """(code after replacements, line patterns to skip, skip reason of the whole block)."""
    code, skip_lines, skip = block.code, [], None
    for d in block.directives:
        m = re.fullmatch(r'replace "(.*?)" "(.*?)" \((.+)\)', d)
        if m:
            assert m.group(1) in code, f"{block.id}: replace pattern {m.group(1)!r} not in the block"
            code = code.replace(m.group(1), m.group(2))
            continue
        m = re.fullmatch(r'skip-line "(.*?)" \((.+)\)', d)
        if m:
            assert m.group(1) in code, f"{block.id}: skip-line pattern {m.group(1)!r} not in the block"
            skip_lines.append(m.group(1))
            continue
        m = re.fullmatch(r"skip \((.+)\)", d)
        if m:
            skip = m.group(1)
            continue
        raise AssertionError(f"{block.id}: unknown doc-test directive {d!r} (replace/skip-line/skip, with a reason)")
    return code, skip_lines, skip


@pytest.fixture
def workdir(tmp_path):
    for name in LINKS:
        os.symlink(os.path.join(ROOT, name), tmp_path / name)
    return tmp_path


def _env() -> dict[str, str]:
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), MPLBACKEND="Agg")
    env.pop("PYTHONPATH", None)  # the installed package, as a reader has it
    return env


def _extras() -> set[str]:
    import tomllib  # noqa: PLC0415 - Python >= 3.11 (pyproject's test extra runs there in CI)

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return set(tomllib.load(f)["project"]["optional-dependencies"])


def _run_shell_line(line: str, cwd: str, block: Block) -> None:
    for part in [p.strip() for p in line.split("&&")]:
        words = shlex.split(part)
        if not words:
            continue
        if words[0] == "pip" and words[1:2] == ["install"]:
            for spec in words[2:]:
                for extra in re.findall(r"\[([\w,-]+)\]", spec):
                    missing = set(extra.split(",")) - _extras()
                    assert not missing, f"{block.id}: `{part}` names extras {missing} pyproject.toml does not have"
            continue
        if words[:3] == ["python", "-m", "pytest"]:
            continue  # this run
        p = subprocess.run(part, shell=True, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600,
                           executable="/bin/bash")
        assert p.returncode == 0, f"{block.id}: `{part}` exited {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"


@pytest.mark.parametrize("block", ALL, ids=[b.id for b in ALL])
def test_code_block_runs(block: Block, workdir) -> None:
    assert block.lang in ("python", "bash", "text", "yaml", "json"), \
        f"{block.id}: give the block a language (python, bash, or text for diagrams and formulas)"
    code, skip_lines, skip = _apply(block)
    if skip is not None:
        pytest.skip(skip)
    if block.lang == "python":
        script = workdir / "example.py"
        script.write_text(code)
        p = subprocess.run([sys.executable, str(script)], cwd=workdir, env=_env(), capture_output=True, text=True,
                           timeout=900)
        assert p.returncode == 0, f"{block.id} failed:\n{p.stdout[-3000:]}\n{p.stderr[-5000:]}"
    elif block.lang == "bash":
        for raw in code.splitlines():
            line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if not line or any(pat in raw for pat in skip_lines):
                continue
            _run_shell_line(line, str(workdir), block)
    elif block.lang == "yaml":
        import yaml  # noqa: PLC0415

        yaml.safe_load(code)


def test_every_generated_figure_is_current() -> None:
    """README.md and docs/ figures between cog markers equal what tools/docgen.py computes now (regenerate with
    ``python -m cogapp -r -I tools README.md docs/*.md``)."""
    cogapp = pytest.importorskip("cogapp")
    files = [os.path.join(ROOT, p) for p in DOCS if "[[[cog" in open(os.path.join(ROOT, p), encoding="utf-8").read()]
    assert files, "no generated figures found"
    rc = cogapp.Cog().main(["cog", "--check", "--diff", "-I", os.path.join(ROOT, "tools"), *files])
    assert rc == 0, "a document's figures drifted from the code: run python -m cogapp -r -I tools README.md docs/*.md"


def test_docs_are_found() -> None:
    assert "README.md" in DOCS and "docs/sweeps.md" in DOCS
    langs = {b.lang for b in ALL}
    assert {"python", "bash"} <= langs

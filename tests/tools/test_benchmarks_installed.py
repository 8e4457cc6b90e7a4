"""Benchmarks run against the installed package and say so in one message when it is missing (no
'circular import' from deep inside accelsim)."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

import accelsim

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BENCHMARKS = sorted(p for p in glob.glob(os.path.join(ROOT, "benchmarks", "*.py")) if not p.endswith("_installed.py"))


def test_every_benchmark_checks_the_installed_package_first() -> None:
    assert BENCHMARKS
    for path in BENCHMARKS:
        src = open(path).read()
        assert "import _installed" in src, path
        assert src.index("import _installed") < src.index("accelsim", src.index('"""', 3) + 3), path
        assert "PYTHONPATH=python" not in src, path


def test_without_accelsim_a_benchmark_says_how_to_install() -> None:
    # -S: no site-packages, so no accelsim (and nothing else) to import
    p = subprocess.run([sys.executable, "-S", os.path.join(ROOT, "benchmarks", "speed.py")], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 1
    assert p.stderr.startswith("error: speed.py needs the accelsim package installed: run `pip install .`")
    assert "Traceback" not in p.stderr


def test_the_source_tree_without_a_build_says_so() -> None:
    src = os.path.realpath(os.path.join(ROOT, "python"))
    if os.path.realpath(accelsim.__file__).startswith(src):
        pytest.skip("an editable install: python/ is the installed package")
    if glob.glob(os.path.join(src, "accelsim", "_core*")):
        pytest.skip("a built core sits in the source tree")
    env = dict(os.environ, PYTHONPATH=src)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "speed.py")], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=60)
    assert p.returncode == 1 and "compiled core (accelsim._core) is missing" in p.stderr
    assert "circular import" not in p.stderr


def test_no_benchmark_puts_the_source_tree_on_the_path() -> None:
    for path in BENCHMARKS:
        assert '"..", "python"' not in open(path).read(), path

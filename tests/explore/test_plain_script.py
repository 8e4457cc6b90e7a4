"""A sweep from a plain script (no ``if __name__ == "__main__":`` guard) on the default process pool:
the workers do not re-run the script; work that needs the script's own classes gets a one-line error
before anything runs; a sweep in which every simulation failed ends with a non-zero exit status."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pd = pytest.importorskip("pandas")

import accelsim  # noqa: E402
from accelsim.errors import SweepFailedError  # noqa: E402
from accelsim.explore.executors import Executor, SerialExecutor, TaskFailed  # noqa: E402
from accelsim.explore.sweep import read_checkpoint, sweep  # noqa: E402

GEMV = accelsim.Gemv(m=1, n=2048, k=2048, dtype="bf16", name="gemv2k")


def _run(tmp_path, source: str, timeout: float = 120) -> subprocess.CompletedProcess:
    script = tmp_path / "plain.py"
    script.write_text(textwrap.dedent(source))
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(accelsim.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([pkg_parent, str(tmp_path)] + sys.path))
    return subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_a_plain_script_sweeps_on_the_process_pool(tmp_path) -> None:
    p = _run(tmp_path, """
        import accelsim
        df = accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5, 6]}, [accelsim.Gemv(m=1, n=2048, k=2048)],
                            workers=2, checkpoint="run.csv", progress=False)
        print("statuses", sorted(set(df["status"])), len(df))
    """)
    assert p.returncode == 0, p.stderr
    assert "statuses ['ok'] 3" in p.stdout
    assert "Traceback" not in p.stderr and "bootstrapping" not in p.stderr
    assert len(read_checkpoint(str(tmp_path / "run.csv"))) == 3


def test_script_classes_without_a_guard_are_refused_before_any_work(tmp_path) -> None:
    p = _run(tmp_path, """
        import dataclasses, accelsim

        @dataclasses.dataclass(frozen=True)
        class MyGemv(accelsim.Gemv):
            pass

        accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5]}, [MyGemv(m=1, n=2048, k=2048)], workers=2,
                       progress=False)
        print("ran")
    """)
    assert p.returncode != 0 and "ran" not in p.stdout
    last = p.stderr.strip().splitlines()[-1]
    assert last.startswith("accelsim.errors.ConfigError: workloads:") and "if __name__" in last
    assert p.stderr.count("Traceback") == 1  # the caller's, not one per worker


def test_script_classes_with_a_guard_run(tmp_path) -> None:
    p = _run(tmp_path, """
        import dataclasses, accelsim

        @dataclasses.dataclass(frozen=True)
        class MyGemv(accelsim.Gemv):
            pass

        if __name__ == "__main__":
            df = accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5]}, [MyGemv(m=1, n=2048, k=2048)], workers=2,
                                progress=False)
            print("statuses", sorted(set(df["status"])))
    """)
    assert p.returncode == 0, p.stderr
    assert "statuses ['ok']" in p.stdout


def test_every_point_crashing_exits_non_zero_and_leaves_a_readable_checkpoint(tmp_path) -> None:
    (tmp_path / "crashing.py").write_text(textwrap.dedent("""
        import dataclasses, os, accelsim

        @dataclasses.dataclass(frozen=True)
        class Crash(accelsim.Gemv):
            def candidates(self, arch):
                os._exit(7)

            def lower(self, arch):
                os._exit(7)
    """))
    p = _run(tmp_path, """
        import accelsim, crashing
        accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5]}, [crashing.Crash(m=1, n=2048, k=2048)], workers=2,
                       checkpoint="run.csv", progress=False)
        print("returned")
    """)
    assert p.returncode != 0 and "returned" not in p.stdout
    assert "SweepFailedError: sweep: all 2 simulations failed" in p.stderr
    ck = read_checkpoint(str(tmp_path / "run.csv"))
    assert sorted(r["status"] for r in ck.values()) == ["failed", "failed"]


class _FailAll(Executor):
    def imap_unordered(self, fn, items):
        for i, _ in SerialExecutor().imap_unordered(fn, items):
            yield i, TaskFailed("worker died (exit code -9) on this point 2 times")


def test_all_failed_raises_with_the_frame_but_one_success_returns() -> None:
    with pytest.raises(SweepFailedError, match="all 2 simulations failed") as e:
        sweep("h100-sxm", {"dram.stacks": [4, 5]}, [GEMV], fidelity="roofline", executor=_FailAll(), progress=False)
    assert list(e.value.frame["status"]) == ["failed", "failed"]
    # invalid points do not hide it; an infeasible one is a result
    with pytest.raises(SweepFailedError):
        sweep("h100-sxm", {"dram.row_bytes": [1000, 1024]}, [GEMV], fidelity="roofline", executor=_FailAll(),
              progress=False)


def test_a_local_dask_cluster_from_a_plain_script_is_refused_in_one_line(tmp_path) -> None:
    pytest.importorskip("distributed")
    p = _run(tmp_path, """
        import accelsim
        accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5]}, [accelsim.Gemv(m=1, n=2048, k=2048)],
                       executor="dask", workers=1, progress=False)
    """)
    assert p.returncode != 0
    assert p.stderr.strip().splitlines()[-1].startswith("accelsim.errors.ConfigError: executor: 'dask' without")
    assert "Nanny failed" not in p.stderr

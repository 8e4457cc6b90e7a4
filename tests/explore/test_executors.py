"""Executors: the local pool survives workers dying, results are complete and exactly once; Dask likewise."""

from __future__ import annotations

import os
import signal
import time

import pytest

from accelsim.errors import ConfigError
from accelsim.explore.executors import DaskExecutor, LocalExecutor, SerialExecutor, TaskFailed, make_executor

POISON = 13
_MARK_DIR = os.environ.get("PYTEST_TMP_MARKS", "")


def square(x: int) -> int:
    return x * x


def poisoned(x: int) -> int:
    """Kills its worker process (no exception, no cleanup) on the poisoned point."""
    if x == POISON:
        os._exit(3)
    time.sleep(0.002)
    return x * x


def crash_once(arg: tuple[int, str]) -> int:
    """Kills its worker the first time it sees the point (a marker file remembers), succeeds after."""
    x, mark_dir = arg
    if x == POISON:
        mark = os.path.join(mark_dir, "crashed")
        if not os.path.exists(mark):
            open(mark, "w").close()
            os._exit(9)
    return x + 1


def raises(x: int) -> int:
    if x == 2:
        raise ValueError("bad point")
    return x


def collect(ex, fn, items):
    got = {}
    for i, r in ex.imap_unordered(fn, items):
        assert i not in got, "a point came back twice"
        got[i] = r
    return got


def test_local_pool_results_complete_and_exact() -> None:
    with LocalExecutor(2, chunk_target_s=0.01) as ex:
        got = collect(ex, square, list(range(200)))
    assert got == {i: i * i for i in range(200)}


def test_poisoned_point_loses_nothing_and_fails_after_one_retry() -> None:
    items = list(range(60))
    ex = LocalExecutor(2, chunk_target_s=0.05)
    try:
        got = collect(ex, poisoned, items)
        assert set(got) == set(range(60))  # no point lost
        assert isinstance(got[POISON], TaskFailed)
        assert "worker died" in got[POISON].reason and "2 times" in got[POISON].reason
        assert all(got[i] == i * i for i in items if i != POISON)
        assert ex.crashes == 2  # first run + exactly one retry
        # the pool rebuilt itself and keeps working
        assert collect(ex, square, [1, 2, 3]) == {0: 1, 1: 4, 2: 9}
    finally:
        ex.close()


def test_point_that_crashes_once_succeeds_on_retry(tmp_path) -> None:
    items = [(i, str(tmp_path)) for i in range(30)]
    with LocalExecutor(2, chunk_target_s=0.05) as ex:
        got = collect(ex, crash_once, items)
        assert ex.crashes == 1
    assert got == {i: i + 1 for i in range(30)}


def test_exception_is_a_failed_point_not_a_crash() -> None:
    for ex in (SerialExecutor(), LocalExecutor(1)):
        with ex:
            got = collect(ex, raises, [0, 1, 2, 3])
        assert isinstance(got[2], TaskFailed) and "ValueError: bad point" in got[2].reason
        assert [got[i] for i in (0, 1, 3)] == [0, 1, 3]


def test_bad_executor_arguments() -> None:
    with pytest.raises(ConfigError, match="workers"):
        LocalExecutor(0)
    with pytest.raises(ConfigError, match="executor"):
        make_executor("ray")


def slow(x: int) -> int:
    time.sleep(0.02)
    return -x


def test_worker_killed_mid_run_loses_no_point() -> None:
    """SIGKILL a busy worker from outside while points are in flight: every point still comes back, none
    failed (the point it was running is retried once and succeeds)."""
    ex = LocalExecutor(2, chunk_target_s=0.2)
    try:
        got = {}
        killed = False
        for i, r in ex.imap_unordered(slow, list(range(80))):
            got[i] = r
            if len(got) == 12 and not killed:
                victim = next(w for w in ex._pool if w.chunk)
                os.kill(victim.proc.pid, signal.SIGKILL)
                killed = True
        assert killed and ex.crashes == 1 and ex.restarts == 1
        assert got == {i: -i for i in range(80)}
    finally:
        ex.close()


@pytest.fixture(scope="module")
def dask_ex():
    pytest.importorskip("distributed")
    ex = DaskExecutor(workers=2)
    yield ex
    ex.close()


def test_dask_local_cluster_results_and_poisoned_point(dask_ex) -> None:
    assert dask_ex.workers == 2
    got = collect(dask_ex, square, list(range(50)))
    assert got == {i: i * i for i in range(50)}
    got = collect(dask_ex, poisoned, list(range(30)))
    assert set(got) == set(range(30))
    assert isinstance(got[POISON], TaskFailed)
    assert all(got[i] == i * i for i in range(30) if i != POISON)


def test_dask_worker_killed_mid_run_loses_no_point(dask_ex) -> None:
    dask_ex.client.wait_for_workers(2, timeout=120)  # on a loaded machine a worker may still be (re)joining
    pids = dask_ex.client.run(os.getpid)
    got = {}
    killed = False
    for i, r in dask_ex.imap_unordered(slow, list(range(60))):
        got[i] = r
        if len(got) == 8 and not killed:
            os.kill(next(iter(pids.values())), signal.SIGKILL)
            killed = True
    assert killed
    assert got == {i: -i for i in range(60)}


def test_dask_sweep_equals_local_sweep(dask_ex) -> None:
    pd = pytest.importorskip("pandas")
    import accelsim
    from accelsim.explore.sweep import DecodeWorkload, sweep

    axes = {"dram.stacks": [4, 6], "dram.data_rate_gbps": [5.2, 8.0], "dram.row_bytes": [1000, 1024]}
    wl = [accelsim.Gemv(m=1, n=1024, k=1024, name="g"), DecodeWorkload("llama-3-8b", batch=2, context=512)]
    local = sweep("h100-sxm", axes, wl, fidelity="roofline", workers=2, progress=False)
    dask = sweep("h100-sxm", axes, wl, fidelity="roofline", executor=dask_ex.client, progress=False)
    pd.testing.assert_frame_equal(local, dask)
    assert (local["status"] == "invalid").sum() == 8

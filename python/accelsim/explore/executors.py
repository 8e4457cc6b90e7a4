"""Where a sweep's points run: a crash-proof local process pool (the default) and Dask distributed.

The interface is deliberately narrow so another engine (Ray, a batch queue, ...) is one small class:

    class Executor:
        name: str
        workers: int                                    # parallelism, for sizing and reports
        def imap_unordered(self, fn, items) -> Iterator[tuple[int, object]]
        def close(self) -> None

``imap_unordered`` applies the picklable, top-level ``fn`` to every item and yields ``(index, result)``
pairs as they finish, in any order, exactly once per index.  A point whose ``fn`` raises, or that keeps
killing its worker, yields a :class:`TaskFailed` instead of a result; nothing else is ever lost.  The
caller (``accelsim.sweep``) puts results back in input order.

Work is fed in chunks sized from the measured time per point to about ``chunk_target_s`` seconds
(0.5-2 s amortises the per-task cost: a pipe message locally, ~2 ms of scheduler time on Dask, while
keeping every worker busy to the end).  The first chunks hold one point each, to measure.

:class:`LocalExecutor` (``executor=None`` or ``"local"``) owns one pipe per worker process, so it knows
which point each worker is running and gets every finished point back as soon as it is done.  When a
worker dies (a segfault, ``os._exit``, the OOM killer) only that worker is replaced: the points of its
chunk that had finished are kept, the point it was running is retried once alone in a fresh worker, the
rest of the chunk is put back in the queue.  A point that kills its worker twice is reported as failed.
The stdlib ``ProcessPoolExecutor`` instead marks the whole pool broken and loses every pending point.

:class:`DaskExecutor` (``executor="dask"`` or a ``distributed.Client``) submits the same chunks to a
Dask cluster: the one at ``$DASK_SCHEDULER_ADDRESS`` if set, else a local cluster of one single-threaded
worker process per core.  Dask itself reschedules the tasks of a dead worker; a chunk that Dask gives up
on (``KilledWorker``) is split into single points and resubmitted, and a single point that Dask gives up
on is reported as failed.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import math
import multiprocessing as mp
import os
import pickle
import sys
import threading
import time
import traceback
import types
from multiprocessing.connection import wait as mp_wait
from typing import Any, Callable, Iterator, Optional, Sequence

from ..errors import ConfigError

__all__ = ["Executor", "LocalExecutor", "SerialExecutor", "ThreadExecutor", "DaskExecutor", "TaskFailed", "make_executor"]


class TaskFailed:
    """The result placeholder for a point that raised or crashed its worker (``reason`` says which)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"TaskFailed({self.reason!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (TaskFailed, (self.reason,))


def _call(fn: Callable[[Any], Any], item: Any) -> tuple[bool, Any, float]:
    """(ok, result or error text, seconds)."""
    t0 = time.perf_counter()
    try:
        out = fn(item)
        return True, out, time.perf_counter() - t0
    except Exception as e:  # noqa: BLE001 - reported as a failed point, never raised
        tb = traceback.extract_tb(e.__traceback__)
        where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
        return False, f"{type(e).__name__}: {e}{where}", time.perf_counter() - t0


class _ChunkSizer:
    """Chunk size from the running mean time per point: ~target_s of work, and no more than a fair share
    of what is left so every worker stays busy to the end."""

    def __init__(self, target_s: float, workers: int, max_chunk: int = 4096) -> None:
        self.target_s = target_s
        self.workers = max(1, workers)
        self.max_chunk = max_chunk
        self.total_s = 0.0
        self.count = 0

    def record(self, seconds: float) -> None:
        self.total_s += seconds
        self.count += 1

    def next_size(self, remaining: int) -> int:
        if self.count < self.workers:  # measuring
            return 1
        per_point = max(self.total_s / self.count, 1e-6)
        size = int(self.target_s / per_point)
        fair = math.ceil(remaining / (2 * self.workers))
        return max(1, min(size, fair, self.max_chunk))


class Executor:
    """Base class; see the module docstring for the contract."""

    name = "executor"
    workers = 1

    def imap_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class SerialExecutor(Executor):
    """In this process, one point after another (no crash protection; for debugging and tiny sweeps)."""

    name = "serial"
    workers = 1

    def imap_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for i, item in enumerate(items):
            ok, out, _ = _call(fn, item)
            yield i, (out if ok else TaskFailed(out))


class ThreadExecutor(Executor):
    """Opt-in (``executor="threads"``): a thread pool in this process.  The C++ core releases the GIL while it
    simulates, so threads run in parallel without pickling or process start-up; but a crash in the core
    takes the caller's Python down with it, so the process pool stays the default."""

    name = "threads"

    def __init__(self, workers: Optional[int] = None, *, chunk_target_s: float = 1.0) -> None:
        if workers is None:
            workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ConfigError("workers", "must be a positive integer", workers)
        self.workers = workers
        self.chunk_target_s = float(chunk_target_s)

    def imap_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        import concurrent.futures as cf  # noqa: PLC0415

        sizer = _ChunkSizer(self.chunk_target_s, self.workers)
        queue: collections.deque[int] = collections.deque(range(len(items)))

        def run(chunk: list[int]) -> list[tuple[int, bool, Any, float]]:
            return [(i,) + _call(fn, items[i]) for i in chunk]  # type: ignore[misc]

        with cf.ThreadPoolExecutor(self.workers, thread_name_prefix="accelsim-sweep") as pool:
            pending: set[Any] = set()
            while queue or pending:
                while queue and len(pending) < 2 * self.workers:
                    size = sizer.next_size(len(queue))
                    pending.add(pool.submit(run, [queue.popleft() for _ in range(min(size, len(queue)))]))
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    for i, ok, res, dt in fut.result():
                        sizer.record(dt)
                        yield i, (res if ok else TaskFailed(res))


# ------------------------------------------------------------------------------------- local pool


def _worker_main(conn: Any) -> None:
    """Worker loop: ("fn", fn) sets the function; ("run", [(i, item), ...]) streams ("res", i, ok, out, dt)
    per point and ("done",) per chunk; None ends the worker."""
    import signal  # noqa: PLC0415

    # Ctrl-C at a terminal reaches the whole process group; the parent decides (it kills its busy workers
    # and writes the checkpoint), so a worker does not die with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fn: Optional[Callable[[Any], Any]] = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if msg is None:
            return
        if msg[0] == "fn":
            fn = msg[1]
            continue
        for i, item in msg[1]:
            assert fn is not None
            ok, out, dt = _call(fn, item)
            try:
                conn.send(("res", i, ok, out, dt))
            except Exception as e:  # noqa: BLE001 - an unpicklable result
                conn.send(("res", i, False, f"result could not be sent back: {type(e).__name__}: {e}", dt))
        conn.send(("done",))


class _Worker:
    __slots__ = ("proc", "conn", "chunk", "done", "fn_id", "point_started")

    def __init__(self, proc: Any, conn: Any) -> None:
        self.proc = proc
        self.conn = conn
        self.chunk: list[int] = []  # indices of the chunk being run
        self.done = 0  # how many of them have come back
        self.fn_id: Optional[int] = None
        self.point_started = 0.0


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """While a worker is started, ``__main__`` looks like an interactive session's (no file, no module
    name), so the spawn/forkserver child does not re-run the caller's script: a plain script that calls
    ``accelsim.sweep`` needs no ``if __name__ == "__main__":`` guard.  The workers only run accelsim's own
    functions, which they import by name."""
    with _MAIN_LOCK:
        real = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if real is not None:
                sys.modules["__main__"] = real


def _refers_to_main(obj: Any) -> bool:
    """Whether pickling ``obj`` refers to something defined in ``__main__`` (a class or function of the
    caller's script), which a worker can only unpickle after re-running that script."""
    try:
        return b"__main__" in pickle.dumps(obj)
    except Exception:  # noqa: BLE001 - unpicklable: the send fails later with its own message
        return False


def main_script_without_guard() -> Optional[str]:
    """The path of the running script when it is a file run as ``python script.py`` whose top level has
    no ``if __name__ == "__main__":`` block; None otherwise (a module run with -m, an interactive session,
    a notebook, a guarded script)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None):
        return None
    path = getattr(main, "__file__", None)
    if not path or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.If) and "__name__" in ast.dump(node.test) and "__main__" in ast.dump(node.test):
            return None
    return path


def _default_context() -> Any:
    # forkserver: workers are forked from a clean single-threaded server that has imported accelsim once,
    # so a replacement worker starts in milliseconds and no lock held by a thread of the caller (Dask,
    # decode_step's thread pool, the test runner) is inherited.  spawn where there is no forkserver.
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        try:
            ctx.set_forkserver_preload(["accelsim.explore.sweep"])
        except Exception:  # pragma: no cover
            pass
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - macOS/Windows


class LocalExecutor(Executor):
    """A process pool on this machine that survives its workers dying (see the module docstring).

    ``workers``: processes (default: the CPU count).  ``retries``: how many times a point that killed its
    worker is retried alone before it is reported failed (default 1).  ``point_timeout_s``: a point
    running longer is treated like a crash (its worker is killed); None = no limit.
    """

    name = "local"

    def __init__(self, workers: Optional[int] = None, *, chunk_target_s: float = 1.0, retries: int = 1,
                 point_timeout_s: Optional[float] = None, mp_context: Any = None) -> None:
        if workers is None:
            workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ConfigError("workers", "must be a positive integer", workers)
        if not (isinstance(chunk_target_s, (int, float)) and chunk_target_s > 0):
            raise ConfigError("chunk_target_s", "must be > 0", chunk_target_s)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ConfigError("retries", "must be an integer >= 0", retries)
        self.workers = workers
        self.chunk_target_s = float(chunk_target_s)
        self.retries = retries
        self.point_timeout_s = point_timeout_s
        self._ctx = mp_context if mp_context is not None else _default_context()
        self._pool: list[_Worker] = []
        self._with_main = False  # whether the workers re-ran the caller's script (see _main_hidden)
        self.crashes = 0  # worker deaths seen (for reports and tests)
        self.restarts = 0

    # -- worker management ---------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child,), daemon=True, name="accelsim-worker")
        if self._with_main or self._ctx.get_start_method() == "fork":
            proc.start()
        else:
            with _main_hidden():
                proc.start()
        child.close()
        return _Worker(proc, parent)

    def _ensure_pool(self) -> None:
        while len(self._pool) < self.workers:
            self._pool.append(self._spawn())

    @staticmethod
    def _kill(w: _Worker) -> None:
        try:
            w.conn.close()
        except OSError:  # pragma: no cover
            pass
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(timeout=5)

    def close(self) -> None:
        for w in self._pool:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 2.0
        for w in self._pool:
            w.proc.join(timeout=max(0.0, deadline - time.monotonic()))
            self._kill(w)
        self._pool = []

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass

    # -- the loop ------------------------------------------------------------------------------------

    def imap_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        n = len(items)
        if n == 0:
            return
        self._prepare_main(fn, items)
        self._ensure_pool()
        sizer = _ChunkSizer(self.chunk_target_s, self.workers)
        queue: collections.deque[int] = collections.deque(range(n))
        solo: collections.deque[int] = collections.deque()  # points that crashed a worker: run alone
        crashes: dict[int, int] = {}
        outstanding = n
        fn_id = id(fn)
        completed = False
        try:
            while outstanding:
                # feed idle workers: retried points alone, then a chunk sized by measured time
                for w in self._pool:
                    if w.chunk or not (solo or queue):
                        continue
                    if solo:
                        chunk = [solo.popleft()]
                    else:
                        size = sizer.next_size(len(queue))
                        chunk = [queue.popleft() for _ in range(min(size, len(queue)))]
                    try:
                        if w.fn_id != fn_id:
                            w.conn.send(("fn", fn))
                            w.fn_id = fn_id
                        w.conn.send(("run", [(i, items[i]) for i in chunk]))
                    except (OSError, ValueError):  # the worker died while idle: put the chunk back
                        queue.extendleft(reversed(chunk))
                        self.crashes += 1
                        self._replace(w)
                        break  # the pool list changed; feed again on the next turn
                    w.chunk, w.done, w.point_started = chunk, 0, time.monotonic()
                busy = [w for w in self._pool if w.chunk]
                if not busy:
                    continue
                ready = mp_wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                                timeout=self._wait_timeout(busy))
                ready_set = set(ready)
                dead: list[tuple[_Worker, str]] = []
                for w in busy:
                    if w.conn in ready_set or w.proc.sentinel in ready_set:
                        try:
                            while w.chunk and w.conn.poll():
                                msg = w.conn.recv()
                                if msg[0] == "res":
                                    _, i, ok, out, dt = msg
                                    sizer.record(dt)
                                    w.done += 1
                                    w.point_started = time.monotonic()
                                    outstanding -= 1
                                    yield i, (out if ok else TaskFailed(out))
                                else:  # "done"
                                    w.chunk, w.done = [], 0
                        except (EOFError, OSError):
                            pass
                        if w.chunk and not w.proc.is_alive():
                            dead.append((w, f"worker died (exit code {w.proc.exitcode})"))
                    elif (w.chunk and self.point_timeout_s is not None
                          and time.monotonic() - w.point_started > self.point_timeout_s):
                        dead.append((w, f"point ran longer than point_timeout_s={self.point_timeout_s:g}"))
                for w, why in dead:
                    self.crashes += 1
                    remaining = w.chunk[w.done:]
                    culprit, rest = remaining[0], remaining[1:]
                    queue.extendleft(reversed(rest))  # not charged: they never ran
                    crashes[culprit] = crashes.get(culprit, 0) + 1
                    self._replace(w)
                    if crashes[culprit] > self.retries:
                        outstanding -= 1
                        tries = crashes[culprit]
                        yield culprit, TaskFailed(f"{why} on this point {tries} time{'s' if tries > 1 else ''}")
                    else:
                        solo.append(culprit)
            completed = True
        finally:
            if not completed:  # the caller stopped early or raised: do not leave workers mid-chunk
                for w in list(self._pool):
                    if w.chunk:
                        self._replace(w, respawn=False)

    def _prepare_main(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
        """Workers start without the caller's script unless the work refers to something defined in it
        (a workload class of the script); then they must re-run the script, which must be guarded."""
        with_main = self._ctx.get_start_method() != "fork" and (
            _refers_to_main(fn) or any(_refers_to_main(items[i]) for i in range(min(len(items), 64))))
        if with_main:
            script = main_script_without_guard()
            if script is not None:
                raise ConfigError("workloads", f"the work refers to a class or function defined in the script "
                                  f"{script}, which worker processes would have to re-run: define it in a module, "
                                  f"put the sweep under `if __name__ == \"__main__\":`, or use executor=\"serial\"")
        if with_main != self._with_main and self._pool:
            self.close()
        self._with_main = with_main

    def _wait_timeout(self, busy: list[_Worker]) -> Optional[float]:
        if self.point_timeout_s is None or not busy:
            return None
        now = time.monotonic()
        return max(0.01, min(w.point_started + self.point_timeout_s - now for w in busy))

    def _replace(self, w: _Worker, respawn: bool = True) -> None:
        self._kill(w)
        self._pool.remove(w)
        if respawn:
            self._pool.append(self._spawn())
            self.restarts += 1


# ------------------------------------------------------------------------------------------- Dask


_DASK_SET_TRIM: list[bool] = []  # non-empty once a nanny of ours may have put MALLOC_TRIM_THRESHOLD_ in os.environ


def _run_chunk(fn: Callable[[Any], Any], chunk: list[tuple[int, Any]]) -> list[tuple[int, bool, Any, float]]:
    """The Dask task: a chunk of points, each caught separately."""
    out = []
    for i, item in chunk:
        ok, res, dt = _call(fn, item)
        out.append((i, ok, res, dt))
    return out


class DaskExecutor(Executor):
    """Run on Dask distributed.

    ``client``: an existing ``distributed.Client``; else ``address`` or ``$DASK_SCHEDULER_ADDRESS``
    (a remote scheduler, e.g. ``tcp://head:8786``); else a ``LocalCluster`` with ``workers`` single-threaded
    worker processes (default: the CPU count), closed by :meth:`close`.

    ``malloc_trim_threshold``: the ``MALLOC_TRIM_THRESHOLD_`` the nanny sets in the workers it starts (only
    for the local cluster this class creates).  Dask's default is 65536, which makes glibc return freed
    memory to the OS at every free of a large block; None leaves Dask's default.  The value set here,
    ``"glibc"``, removes Dask's override so glibc's own adaptive threshold applies (see benchmarks/).
    """

    name = "dask"

    def __init__(self, client: Any = None, *, address: Optional[str] = None, workers: Optional[int] = None,
                 chunk_target_s: float = 1.0, malloc_trim_threshold: Any = "glibc",
                 allowed_failures: int = 1) -> None:
        try:
            import distributed  # noqa: PLC0415
        except ImportError:
            raise ConfigError("executor", "'dask' needs the dask extra: pip install 'accelsim[dask]'") from None
        self._own_cluster = None
        self._own_client = False
        if client is None:
            address = address or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
            if address:
                client = distributed.Client(address)
            else:
                script = main_script_without_guard()
                if script is not None:
                    raise ConfigError("executor", f"'dask' without a scheduler address starts a local cluster whose "
                                      f"worker processes re-run the script {script}: put the sweep under "
                                      f"`if __name__ == \"__main__\":`, give a scheduler address, or use the default "
                                      f"executor (which needs no guard)")
                import dask  # noqa: PLC0415

                n = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
                # one task per single-threaded worker at a time (no queue on the workers): when a point kills
                # its worker, no innocent task queued there is charged with the death
                cfg: dict[str, Any] = {"distributed.scheduler.allowed-failures": allowed_failures,
                                       "distributed.scheduler.worker-saturation": 1.0}
                if malloc_trim_threshold == "glibc":
                    # None unsets the variable (distributed.nanny._get_env_variables).  NB: the nannies of a
                    # LocalCluster run in THIS process and copy pre-spawn-environ into os.environ, which
                    # later clusters and subprocesses inherit; do not re-add a value a previous default
                    # cluster left there.
                    cfg["distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"] = None
                    if os.environ.get("MALLOC_TRIM_THRESHOLD_") == "65536" and _DASK_SET_TRIM:
                        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
                elif malloc_trim_threshold is not None:
                    cfg["distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"] = str(int(malloc_trim_threshold))
                if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
                    _DASK_SET_TRIM.append(True)  # whatever the nanny sets now was not the user's
                with dask.config.set(cfg):
                    self._own_cluster = distributed.LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
                client = distributed.Client(self._own_cluster)
            self._own_client = True
        self.client = client
        # a single point Dask gave up on is resubmitted this many more times before it is reported failed:
        # on a cluster we did not start, tasks queued on a dying worker are charged with its death too
        self.single_retries = 0 if self._own_cluster is not None else 1
        self.chunk_target_s = float(chunk_target_s)
        self.workers = max(1, sum(client.nthreads().values()) if hasattr(client, "nthreads") else 1)

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._own_cluster is not None:
            self._own_cluster.close()
        self._own_client = False
        self._own_cluster = None

    def imap_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed  # noqa: PLC0415

        n = len(items)
        if n == 0:
            return
        try:
            self.workers = max(1, sum(self.client.nthreads().values()))
        except Exception:  # pragma: no cover
            pass
        sizer = _ChunkSizer(self.chunk_target_s, self.workers)
        queue: collections.deque[int] = collections.deque(range(n))
        fn_future = fn
        in_flight_target = 2 * self.workers
        ac = as_completed()
        chunks: dict[Any, list[int]] = {}
        single_failures: dict[int, int] = {}

        def submit(chunk: list[int]) -> None:
            fut = self.client.submit(_run_chunk, fn_future, [(i, items[i]) for i in chunk], pure=False)
            chunks[fut] = chunk
            ac.add(fut)

        def top_up() -> None:
            while queue and len(chunks) < in_flight_target:
                size = sizer.next_size(len(queue))
                submit([queue.popleft() for _ in range(min(size, len(queue)))])

        top_up()
        try:
            for fut in ac:
                chunk = chunks.pop(fut)
                try:
                    results = fut.result()
                except Exception as e:  # KilledWorker or a lost connection
                    if len(chunk) > 1:  # find the culprit: every point alone
                        for i in chunk:
                            submit([i])
                    else:
                        i = chunk[0]
                        single_failures[i] = single_failures.get(i, 0) + 1
                        if single_failures[i] > self.single_retries:
                            msg = str(e).split(". ")[0]
                            yield i, TaskFailed(f"dask gave up on this point: {type(e).__name__}: {msg}")
                        else:
                            submit([i])
                    del fut
                    top_up()
                    continue
                del fut  # free the result on the cluster as it arrives
                for i, ok, res, dt in results:
                    sizer.record(dt)
                    yield i, (res if ok else TaskFailed(res))
                top_up()
        finally:
            for fut in list(chunks):
                fut.cancel()


def make_executor(executor: Any = None, *, workers: Optional[int] = None) -> tuple[Executor, bool]:
    """(executor, owned): an Executor for ``None``/"local"/"serial"/"dask"/a distributed.Client/an
    Executor; ``owned`` says whether the caller must close it."""
    if executor is None or executor == "local":
        return LocalExecutor(workers), True
    if isinstance(executor, Executor):
        return executor, False
    if executor == "serial":
        return SerialExecutor(), True
    if executor == "threads":
        return ThreadExecutor(workers), True
    if executor == "dask":
        return DaskExecutor(workers=workers), True
    mod = type(executor).__module__ or ""
    if mod.startswith("distributed") and hasattr(executor, "submit"):
        return DaskExecutor(executor), True  # closes nothing it did not create
    raise ConfigError("executor", "must be None, 'local', 'serial', 'threads', 'dask', a distributed.Client or an "
                                  "accelsim.explore.executors.Executor", repr(executor))

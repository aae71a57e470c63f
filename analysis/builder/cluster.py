"""Build briefings on a Dask cluster: ``briefings build --scheduler tcp://HOST:PORT``.

The local process pool stays the default; this is the engine beside it, on the distributed
scheduler the PyData world already runs (``dask scheduler`` / ``dask worker`` on one machine,
dask-kubernetes, dask-jobqueue). Nothing here imports Dask until :func:`connect` is called, so a
build without a scheduler address never pays for it.

Division of labour:

- **The client** (the ``briefings build`` process) keeps every duty but execution: parameter
  checks, input hashes and skips, atomic writes, the manifest, the index and the summary
  (:mod:`.build`). It connects (:func:`connect`), checks that every worker runs the same package,
  dataset and libraries, and hands each briefing to :meth:`Cluster.run` as one task.
- **A worker** runs the task in a *briefing process*: a helper subprocess that is set up exactly
  like one worker of the local pool (:func:`.execute.init_worker`: quiet output, kernel
  environment, libraries and data warmed once) and runs :func:`.execute.run_briefing`, the same
  code the local pool runs, with a fresh forked kernel per briefing. The task returns the
  notebook and HTML bytes and the timings; the client writes them. Outputs are byte-identical
  to a local build (tested).

Why a helper process instead of running in the Dask worker itself: a Dask worker is
multi-threaded (event loop, executor threads), and forking kernels from it would copy its
sockets into every kernel; under a nanny it is also a daemonic process, which may not start a
``multiprocessing`` pool. The helper is a plain single-threaded process (a thread-free fork
source, like a pool worker), talks to its worker over a pipe, and exits with it.

Failures:

- A briefing that fails (error in a cell, dead kernel, timeout) comes back as data, as locally.
- A worker that is lost while running a briefing: the briefing is tried once more on another
  worker; lost a second time, it is reported failed (``worker lost``). Each try is pinned to
  one worker (``workers=[address]``), so the client, not the scheduler's own retry policy
  (``allowed-failures``), decides how often a briefing is tried.
- An unreachable scheduler, a scheduler without workers, or a worker with other versions:
  :class:`ClusterProblem` (one line, exit 2) before anything is written.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import queue
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections import deque
from pathlib import Path
from typing import Any, Callable

from ..errors import UsageError
from .tasks import DEFAULT_KERNEL, Failure, Result, Task

#: Environment variable giving the scheduler's address when ``--scheduler`` is not given.
SCHEDULER_ENV = "PSW_SCHEDULER"
#: Seconds to reach the scheduler (the whole "unreachable" answer stays under 10 s).
CONNECT_TIMEOUT = 5
#: Seconds to wait for a first worker, and for any worker once all were lost.
WORKER_WAIT = 30
#: Seconds between looks at the scheduler's list of workers during a build.
POLL = 0.5
#: Seconds to fetch a finished briefing's bytes from its worker (longer: the worker is lost).
FETCH_TIMEOUT = 120
#: How often a briefing is tried when the worker running it is lost.
ATTEMPTS = 2
#: Distributions compared between the client and every worker, besides the package itself.
LIBRARIES = ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "pandas",
             "matplotlib", "geopandas", "pyogrio", "shapely", "numpy", "weasyprint", "pydyf")
DISTRIBUTION = "peace-security-workbook"


class ClusterProblem(UsageError):
    """The cluster cannot be used: unreachable, no workers, or other versions on a worker."""


# --- versions --------------------------------------------------------------------------------

def environment_versions() -> dict[str, str]:
    """What must be equal on the client and every worker for outputs to be identical.

    The package's version, the dataset's version (``datapackage.json``) and a digest of the data
    files, a digest of the package's code, Python's version and the libraries that shape a
    briefing's outputs. Cheap: no heavy import.
    """
    import json
    from importlib import metadata

    from ..data.paths import PACKAGE_DIR, data_dir
    from .hashing import folder_digest

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    folder = data_dir()
    try:
        dataset = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        dataset = "unknown"
    out = {"package": version(DISTRIBUTION),
           "dataset": f"{dataset} (data {folder_digest(folder)[:12]})",
           "code": folder_digest(PACKAGE_DIR, (".py", ".j2", ".css"))[:12],
           "python": sys.version.split()[0]}
    out.update({name: version(name) for name in LIBRARIES})
    return out


def describe_mismatch(worker: str, theirs: dict[str, str], ours: dict[str, str]) -> str | None:
    """One line naming every difference (worker's value, then ours), or None when equal."""
    names = {"package": DISTRIBUTION, "code": "package code", "dataset": "dataset"}
    diffs = [f"{names.get(key, key)} {theirs.get(key, 'missing')} (this client: "
             f"{ours[key]})" for key in ours if theirs.get(key) != ours[key]]
    if not diffs:
        return None
    return (f"worker {worker} runs {'; '.join(diffs)}; install the same versions of the package, "
            "its data and libraries on every worker")


# --- the client --------------------------------------------------------------------------------

def _import_distributed():
    """Import ``distributed`` with its logging turned down (the builder reports problems)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import distributed
    for name in list(logging.root.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    return distributed


def connect(address: str, *, kernel: str = DEFAULT_KERNEL) -> "Cluster":
    """Connect to the scheduler at ``address``, check the workers, start their briefing processes.

    Raises :class:`ClusterProblem` (one line) when the scheduler cannot be reached within
    :data:`CONNECT_TIMEOUT` seconds, has no worker, or a worker runs other versions.
    """
    address = address.strip()
    if not address:
        raise ClusterProblem(f"--scheduler (or {SCHEDULER_ENV}) is empty; expected an address "
                             "such as tcp://127.0.0.1:8786")
    _reachable(address)  # fails fast, before Dask is even imported
    distributed = _import_distributed()
    _identify(address)  # a Dask scheduler answers there (or no Client is made at all)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False,
                                        name="briefings-build")
    except (ValueError, TypeError) as exc:
        raise ClusterProblem(f"--scheduler {address!r} is not a scheduler address ({exc}); "
                             "expected e.g. tcp://HOST:8786") from None
    except (OSError, TimeoutError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _unreachable(address, reason) from None
    cluster = Cluster(client, address, kernel)
    try:
        cluster.check_workers()
    except BaseException:
        cluster.close()
        raise
    return cluster


def _unreachable(address: str, reason: str) -> ClusterProblem:
    return ClusterProblem(f"cannot reach the Dask scheduler at {address} ({reason}); start one "
                          f"with `dask scheduler` or check --scheduler / {SCHEDULER_ENV}")


def _reachable(address: str) -> None:
    """For a TCP address, open (and close) a plain connection within :data:`CONNECT_TIMEOUT`.

    Dask's client keeps retrying a refused connection until its timeout, as a scheduler may be
    starting; a build wants the answer at once. Other protocols are left to Dask.
    """
    import socket

    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme != "tcp":
        return
    host, colon, port = rest.rstrip("/").rpartition(":")
    if not colon or not port.isdigit():
        raise ClusterProblem(f"--scheduler {address!r} has no port; expected e.g. "
                             "tcp://HOST:8786")
    host = host.strip("[]") or "127.0.0.1"
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
    except socket.gaierror:
        raise _unreachable(address, f"unknown host {host!r}") from None
    except TimeoutError:
        raise _unreachable(address, f"no answer within {CONNECT_TIMEOUT} s") from None
    except OSError as exc:
        raise _unreachable(address, exc.strerror or type(exc).__name__) from None


def _identify(address: str) -> dict:
    """Ask ``address`` who it is, within :data:`CONNECT_TIMEOUT`; it must be a Dask scheduler.

    Done before a ``Client`` is made: a Client that fails to start waits 10 s on its way out.
    """
    import asyncio

    from distributed.comm import connect as comm_connect

    async def identity():
        comm = await comm_connect(address, timeout=CONNECT_TIMEOUT)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    outcome: dict[str, Any] = {}

    def ask() -> None:  # in a thread of its own: the caller may be running an event loop
        try:
            outcome["answer"] = asyncio.run(asyncio.wait_for(identity(), CONNECT_TIMEOUT))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            outcome["error"] = exc

    thread = threading.Thread(target=ask, name="psw-identify-scheduler", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT + 1)
    try:
        if thread.is_alive():
            raise TimeoutError
        if "error" in outcome:
            raise outcome["error"]
        answer = outcome["answer"]
    except ValueError as exc:
        raise ClusterProblem(f"--scheduler {address!r} is not a scheduler address ({exc}); "
                             "expected e.g. tcp://HOST:8786") from None
    except (TimeoutError, asyncio.TimeoutError):
        raise _unreachable(address, f"no answer within {CONNECT_TIMEOUT} s") from None
    except OSError as exc:
        raise _unreachable(address, str(exc).strip().splitlines()[0] if str(exc).strip()
                           else type(exc).__name__) from None
    except Exception as exc:  # noqa: BLE001 - whatever answered, it does not speak Dask
        answer = exc
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise ClusterProblem(f"{address} does not answer as a Dask scheduler; check "
                             f"--scheduler / {SCHEDULER_ENV}")
    return answer


class _Attempt:
    __slots__ = ("task", "number", "lost_on", "worker", "future")

    def __init__(self, task, number: int = 1, lost_on: tuple[str, ...] = ()):
        self.task, self.number, self.lost_on = task, number, lost_on
        self.worker: str | None = None
        self.future = None


class Cluster:
    """A connected client; :meth:`run` builds briefings on the workers."""

    def __init__(self, client, address: str, kernel: str):
        self.client = client
        self.address = address
        self.kernel = kernel
        self.ours = environment_versions()
        self.checked: dict[str, int] = {}  # worker address -> threads, versions checked
        self.refused: set[str] = set()

    # workers and their versions

    def _workers(self) -> dict[str, int]:
        """Connected workers (address -> threads), fresh from the scheduler."""
        return dict(self.client.nthreads())

    def check_workers(self) -> None:
        """Wait for a first worker, then check every connected one (raise on a mismatch)."""
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT)
        except (TimeoutError, OSError):
            raise ClusterProblem(f"the Dask scheduler at {self.address} has no workers (waited "
                                 f"{WORKER_WAIT} s); start some with `dask worker "
                                 f"{self.address}`") from None
        problems = self._check(self._workers())
        if problems:
            raise ClusterProblem(problems[0])
        if not self.checked:
            raise ClusterProblem(f"no worker of {self.address} answered the version check")

    def _check(self, workers: dict[str, int]) -> list[str]:
        """Check workers not seen yet; start their briefing processes. Returns the mismatches."""
        new = [w for w in workers if w not in self.checked and w not in self.refused]
        if not new:
            return []
        answers = self.client.run(environment_versions, workers=new, on_error="return")
        problems = []
        for worker in new:
            theirs = answers.get(worker)
            if theirs is None:
                continue  # gone, or not ready: asked again next time
            if isinstance(theirs, BaseException):
                problems.append(f"worker {worker} cannot run the builder ({type(theirs).__name__}"
                                f": {theirs}); install {DISTRIBUTION} on every worker")
                self.refused.add(worker)
                continue
            mismatch = describe_mismatch(worker, theirs, self.ours)
            if mismatch:
                problems.append(mismatch)
                self.refused.add(worker)
            else:
                self.checked[worker] = workers[worker]
        ok = [w for w in new if w in self.checked]
        if ok:
            self.client.run(start_briefing_processes, self.kernel, workers=ok)
        return problems

    # the build

    def run(self, tasks: list, record: Callable[[Any], None], *,
            echo: Callable[[str], None] | None = None) -> None:
        """Build every task on the workers; ``record(result)`` in this process as each ends.

        ``tasks`` are what :func:`.execute.run_briefing` takes, and results what it returns (as
        for the local pool), or a failure of kind ``worker lost`` for a briefing whose worker
        was lost twice.
        """
        echo = echo or (lambda line: print(line, file=sys.stderr))
        notebooks: dict[str, bytes] = {}
        for task in tasks:
            path = task.path
            if path not in notebooks:
                notebooks[path] = Path(path).read_bytes()
        pending: deque[_Attempt] = deque(_Attempt(t) for t in tasks)
        running: dict[str, _Attempt] = {}
        done: queue.Queue[str] = queue.Queue()
        no_worker_since: float | None = None
        try:
            while pending or running:
                try:
                    workers = {w: n for w, n in self._workers().items()
                               if w not in self.refused}
                except Exception as exc:  # noqa: BLE001 - the scheduler went away
                    reason = f"lost the scheduler {self.address} ({type(exc).__name__}: {exc})"
                    for attempt in [*running.values(), *pending]:
                        record(failure_result(attempt.task, "scheduler lost", "SchedulerLost",
                                              reason))
                    running.clear()
                    pending.clear()
                    return
                for line in self._check(workers):
                    echo(f"briefings build: {line}; not using it")
                workers = {w: n for w, n in workers.items() if w in self.checked}
                for key, attempt in list(running.items()):
                    if attempt.worker not in workers:  # lost while running this briefing
                        del running[key]
                        self._lost(attempt, pending, record, echo)
                if not workers:
                    no_worker_since = no_worker_since or time.monotonic()
                    if time.monotonic() - no_worker_since > WORKER_WAIT:
                        while pending:
                            attempt = pending.popleft()
                            record(lost_result(
                                attempt.task, f"no worker left on {self.address} for "
                                f"{WORKER_WAIT} s"))
                        continue
                else:
                    no_worker_since = None
                self._dispatch(workers, pending, running, notebooks, done)
                try:
                    key = done.get(timeout=POLL)
                except queue.Empty:
                    continue
                attempt = running.pop(key, None)
                if attempt is None:
                    continue  # a try given up (its worker was lost)
                result = self._result(attempt)
                if result is None:
                    self._lost(attempt, pending, record, echo)
                else:
                    record(result)
        finally:
            for attempt in running.values():
                try:
                    attempt.future.cancel()
                except Exception:  # noqa: BLE001 - best effort on the way out
                    pass

    def _dispatch(self, workers, pending, running, notebooks, done) -> None:
        busy: dict[str, int] = {w: 0 for w in workers}
        for attempt in running.values():
            if attempt.worker in busy:
                busy[attempt.worker] += 1
        while pending:
            free = [w for w in workers if busy[w] < workers[w]]
            if not free:
                return
            attempt = pending[0]
            # A retry goes to another worker than the one lost, when there is one.
            choices = [w for w in free if w not in attempt.lost_on] or free
            worker = min(choices, key=lambda w: (busy[w] / workers[w], w))
            pending.popleft()
            task = attempt.task
            key = f"briefing-{task.id}-{attempt.number}-{uuid.uuid4().hex[:8]}"
            attempt.worker = worker
            attempt.future = self.client.submit(
                run_on_worker, task, notebooks[task.path], key=key,
                workers=[worker], allow_other_workers=False, pure=False, retries=0)
            attempt.future.add_done_callback(lambda f, k=key: done.put(k))
            running[key] = attempt
            busy[worker] += 1

    def _result(self, attempt: _Attempt):
        """The task's result; None when its worker was lost (the try is repeated)."""
        future = attempt.future
        try:
            return future.result(timeout=FETCH_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - reported as the briefing's failure
            name = type(exc).__name__
            if name in ("KilledWorker", "CancelledError", "FutureCancelledError",
                        "CommClosedError", "TimeoutError"):
                return None
            return failure_result(attempt.task, "cluster", name, str(exc))
        finally:
            future.release()

    def _lost(self, attempt: _Attempt, pending, record, echo) -> None:
        worker = attempt.worker or "?"
        if attempt.future is not None:
            attempt.future.cancel()
        lost_on = (*attempt.lost_on, worker)
        bid = attempt.task.id
        if attempt.number < ATTEMPTS:
            echo(f"briefings build: worker {worker} was lost while building {bid}; "
                 "trying it once more on another worker")
            pending.appendleft(_Attempt(attempt.task, attempt.number + 1, lost_on))
        else:
            record(lost_result(
                attempt.task, f"the workers running it were lost ({', '.join(lost_on)}), "
                f"{ATTEMPTS} tries"))

    def close(self) -> None:
        try:
            self.client.close(timeout=5)
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


def failure_result(task: Task, kind: str, ename: str, evalue: str) -> Result:
    """A failed :class:`.tasks.Result`, as :func:`.execute.run_briefing` returns them."""
    return Result(task.id, False, failure=Failure(kind, ename, evalue))


def lost_result(task: Task, evalue: str) -> Result:
    return failure_result(task, "worker lost", "WorkerLost", evalue)


# --- on a worker -------------------------------------------------------------------------------

_lock = threading.Lock()
_processes: list["BriefingProcess"] = []  # every briefing process of this worker
_idle: list["BriefingProcess"] = []  # those not running a briefing
_state: dict[str, Any] = {}


def _log_dir() -> str:
    if "log_dir" not in _state:
        from .execute import remove_orphaned_temporaries

        remove_orphaned_temporaries()  # what workers killed with SIGKILL left
        _state["log_dir"] = tempfile.mkdtemp(prefix=f"psw-worker-{os.getpid()}-")
    return _state["log_dir"]


def start_briefing_processes(kernel: str = DEFAULT_KERNEL, dask_worker=None) -> int:
    """Have one warm briefing process per worker thread (they warm up in the background)."""
    threads = getattr(getattr(dask_worker, "state", None), "nthreads", None) or \
        getattr(dask_worker, "nthreads", None) or 1
    with _lock:
        _processes[:] = [p for p in _processes if p.alive()]
        _idle[:] = [p for p in _idle if p.alive()]
        mine = [p for p in _processes if p.kernel == kernel]
        for _ in range(threads - len(mine)):
            process = BriefingProcess(kernel)
            _processes.append(process)
            _idle.append(process)
        return len(_processes)


def briefing_processes_ready(kernel: str = DEFAULT_KERNEL) -> bool:
    """Whether every idle briefing process of this worker has finished warming up."""
    with _lock:
        return all(p.ready(block=False) for p in _idle if p.kernel == kernel)


def _acquire(kernel: str) -> "BriefingProcess":
    with _lock:
        for process in list(_idle):
            if process.kernel == kernel:
                _idle.remove(process)
                if process.alive():
                    return process
        process = BriefingProcess(kernel)
        _processes.append(process)
        return process


def _release(process: "BriefingProcess") -> None:
    with _lock:
        if process.alive():
            _idle.append(process)
        elif process in _processes:
            _processes.remove(process)


_spawner: dict[str, Any] = {}
_spawner_lock = threading.Lock()


def _spawn(cmd: list[str], **kwargs) -> subprocess.Popen:
    """``Popen`` from one thread that lives as long as the worker.

    A briefing process is told to end when the *thread* that started it ends (Linux's
    ``PR_SET_PDEATHSIG`` follows the thread): Dask's task threads may come and go.
    """
    with _spawner_lock:
        if "requests" not in _spawner:
            requests: queue.Queue = queue.Queue()

            def serve() -> None:
                while True:
                    args, kw, reply = requests.get()
                    try:
                        reply.put((True, subprocess.Popen(args, **kw)))
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        reply.put((False, exc))

            threading.Thread(target=serve, name="psw-briefing-spawner", daemon=True).start()
            _spawner["requests"] = requests
    reply: queue.Queue = queue.Queue(1)
    _spawner["requests"].put((cmd, kwargs, reply))
    ok, value = reply.get()
    if not ok:
        raise value
    return value


def _local_notebook(task: Task, notebook: bytes) -> Task:
    """The task with a path to the notebook on this machine (the client's if it is the same)."""
    path = Path(task.path)
    try:
        if path.read_bytes() == notebook:
            return task
    except OSError:
        pass
    folder = Path(_log_dir()) / "notebooks" / hashlib.sha256(notebook).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    local = folder / path.name
    if not local.exists():
        local.write_bytes(notebook)
    return dataclasses.replace(task, path=str(local))


def run_on_worker(task: Task, notebook: bytes) -> Result:
    """The Dask task: build one briefing in a warm briefing process of this worker."""
    task = _local_notebook(task, notebook)
    process = _acquire(task.kernel)
    try:
        result = process.call(task)
    except _BriefingProcessLost as exc:
        return failure_result(task, "worker died", "_BriefingProcessLost", str(exc))
    _release(process)
    return result


class _BriefingProcessLost(Exception):
    """The briefing process exited during a briefing (its kernel may have killed it)."""


def _send(fh, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(struct.pack(">Q", len(data)))
    fh.write(data)
    fh.flush()


def _receive(fh):
    header = fh.read(8)
    if len(header) < 8:
        raise EOFError
    (size,) = struct.unpack(">Q", header)
    data = fh.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class BriefingProcess:
    """A helper process on a worker, set up like a local pool worker; runs briefings one by one."""

    def __init__(self, kernel: str):
        self.kernel = kernel
        log = os.path.join(_log_dir(), f"briefing-{uuid.uuid4().hex[:8]}.log")
        from .catalog import use_persistent_matplotlib_cache

        use_persistent_matplotlib_cache()  # as the local builder: a persistent MPLCONFIGDIR
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # a kernel on Agg keeps no figures
        with open(log, "ab") as stderr:
            self.proc = _spawn(
                [sys.executable, "-m", "analysis.builder.cluster", "--serve", kernel, log],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env)
        self._ready = False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ready(self, block: bool = True) -> bool:
        """Whether warm-up is over (reads the process's "ready" message)."""
        if self._ready:
            return True
        if not block:
            import select

            if not select.select([self.proc.stdout], [], [], 0)[0]:
                return False
        try:
            _receive(self.proc.stdout)
        except (EOFError, OSError):
            raise _BriefingProcessLost(f"the briefing process exited while starting "
                                      f"(exit code {self.proc.poll()})") from None
        self._ready = True
        return True

    def close(self, timeout: float = 10) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()

    def call(self, task):
        self.ready()
        try:
            _send(self.proc.stdin, task)
            return _receive(self.proc.stdout)
        except (EOFError, OSError):
            code = self.proc.wait()
            raise _BriefingProcessLost(f"the briefing process exited during the briefing "
                                      f"(exit code {code})") from None


def _serve(kernel: str, log_path: str) -> int:
    """The briefing process: warm up like a pool worker, then run briefings read from stdin."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # nothing printed may reach the pipe of replies
    from . import execute

    # As for the local pool: warm up first (there in the parent, before forking the workers),
    # then set up as a pool worker: output to the log, kernel environment, and stopping (its
    # kernel first) when the worker that started it dies.
    execute.prepare(kernel)
    execute.init_worker(log_path, kernel, os.getppid())
    _send(replies, {"ready": os.getpid()})
    while True:
        try:
            task = _receive(requests)
        except EOFError:  # the worker closed the pipe, or is gone
            return 0
        _send(replies, execute.run_briefing(task))


# --- Dask preload: ``dask worker ADDRESS --preload analysis.builder.cluster`` ----------------

def dask_setup(worker) -> None:
    """Warm the worker's briefing processes as soon as it starts (optional)."""
    start_briefing_processes(DEFAULT_KERNEL, dask_worker=worker)


def dask_teardown(worker) -> None:
    """End the idle briefing processes (closing their pipe ends them) and wait for them."""
    with _lock:
        processes = list(_processes)
        _processes.clear()
        _idle.clear()
    for process in processes:
        process.close()
    if "log_dir" in _state:
        import shutil

        shutil.rmtree(_state.pop("log_dir"), ignore_errors=True)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--serve":
    sys.exit(_serve(sys.argv[2], sys.argv[3]))

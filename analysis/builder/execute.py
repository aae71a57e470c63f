"""Execute one briefing in a fresh kernel and render it: the work done in each worker process.

Per briefing: papermill injects the parameters and runs the notebook in a new ``python3`` kernel
(ipc transport on a private socket folder, so parallel kernels never race for TCP ports); the
executed notebook is made reproducible (:mod:`.normalize`) and rendered to HTML in-process with
one exporter per worker. Failures of every kind come back as data, never as an exception:
an error in a cell, a kernel that died, a cell that timed out (which papermill would otherwise
save as if it had succeeded), or a failure to start.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from ..kernels import KERNEL_NAME, ipc_config
from .quiet import KERNEL_ENV, quiet_imports, redirect_process_output

ENGINE_NAME = "psw-builder"
#: Seconds a kernel may take to start, and one cell to run (``--timeout`` overrides the latter).
START_TIMEOUT = 60
CELL_TIMEOUT = 600

_worker: dict[str, Any] = {}


def prepare(kernel: str = "fork") -> None:
    """Import the notebook machinery and make the HTML exporter (once per process).

    Called in the parent before the worker processes are forked, so they share the imports;
    with ``kernel="fork"`` it also warms what every kernel needs (see :mod:`.forkkernel`).
    """
    if _worker:
        if kernel == "fork" and not _worker.get("km_class"):
            _warm_fork()
        return
    with quiet_imports():
        import nbformat  # noqa: F401
        import papermill
        from papermill.clientwrap import PapermillNotebookClient
        from jupyter_core.utils import run_sync
        from papermill.engines import NBClientEngine, papermill_engines

        from .render import make_exporter

    class BuilderClient(PapermillNotebookClient):
        """Records when the kernel was asked for and when it answered."""

        async def async_start_new_kernel(self, **kwargs):
            _worker["run"]["kernel_asked"] = time.perf_counter()
            await super().async_start_new_kernel(**kwargs)

        async def async_start_new_kernel_client(self):
            client = await super().async_start_new_kernel_client()
            _worker["run"]["kernel_ready"] = time.perf_counter()
            return client

        start_new_kernel = run_sync(async_start_new_kernel)
        start_new_kernel_client = run_sync(async_start_new_kernel_client)

    class BuilderEngine(NBClientEngine):
        """papermill's nbclient engine, keeping hold of the notebook being executed."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     **kwargs):
            run = _worker["run"]
            run["nb_man"] = nb_man
            cell_start = nb_man.cell_start

            def tracked_cell_start(cell, cell_index=None, **kw):
                run["cell"] = cell_index
                return cell_start(cell, cell_index, **kw)

            nb_man.cell_start = tracked_cell_start
            kwargs.pop("input_path", None)
            client = BuilderClient(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
                                   kernel_name=kernel_name, log=papermill_logger(),
                                   log_output=False, **kwargs)
            return client.execute()

    papermill_engines.register(ENGINE_NAME, BuilderEngine)
    _worker.update(papermill=papermill, exporter=make_exporter(), run={})
    _warm_exporter()
    if kernel == "fork":
        _warm_fork()


def _warm_fork() -> None:
    from . import forkkernel

    saved = os.environ.pop("MPLBACKEND", None)  # matplotlib must not settle on it here
    try:
        with quiet_imports():
            forkkernel.warm()
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved
    _worker["km_class"] = forkkernel.kernel_manager_class()


def _warm_exporter() -> None:
    """Render a tiny notebook once, so that the templates are compiled before forking."""
    import nbformat

    from .render import to_html

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# warm"), nbformat.v4.new_code_cell("1")]
    to_html(_worker["exporter"], nb, "warm")


def papermill_logger():
    from papermill.log import logger

    return logger


def init_worker(log_path: str, kernel: str = "fork") -> None:
    """Process-pool initializer: private output file, kernel environment, machinery ready."""
    redirect_process_output(log_path)
    _worker["log_path"] = log_path
    os.environ.update(KERNEL_ENV)
    # The batch process may use Agg, but a kernel with MPLBACKEND=Agg keeps no figures.
    os.environ.pop("MPLBACKEND", None)
    prepare(kernel)


def _log_offset() -> int:
    try:
        return os.path.getsize(_worker["log_path"])
    except (KeyError, OSError):
        return 0


def _log_since(offset: int, limit: int = 4000) -> str:
    try:
        with open(_worker["log_path"], "rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", "replace")
    except (KeyError, OSError):
        return ""
    return text[-limit:].strip()


def run_briefing(task: dict[str, Any]) -> dict[str, Any]:
    """Execute and render one briefing; returns outputs, timings and any failure as plain data.

    ``task`` holds ``id``, ``notebook``, ``path``, ``rel_path``, ``parameters``, ``timeout``,
    ``kernel`` ("fork" or "spawn").
    """
    from . import normalize, render
    from .summary import read_summary

    kernel = task.get("kernel", "fork")
    prepare(kernel)
    extra = {"kernel_manager_class": _worker["km_class"]} if kernel == "fork" else {}
    papermill = _worker["papermill"]
    run = _worker["run"] = {"cell": None, "nb_man": None}
    offset = _log_offset()
    socket_dir = tempfile.mkdtemp(prefix="psw-k")
    result: dict[str, Any] = {"id": task["id"], "ok": False, "timings": {}}
    t0 = time.perf_counter()
    nb = error = None
    try:
        nb = papermill.execute_notebook(
            task["path"], None, parameters=task["parameters"], engine_name=ENGINE_NAME,
            kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, autosave_cell_every=0,
            start_timeout=START_TIMEOUT, execution_timeout=task.get("timeout") or CELL_TIMEOUT,
            config=ipc_config(socket_dir), record_timing=False, shutdown_kernel="immediate",
            resources={"metadata": {"path": str(Path(task["path"]).parent)}}, **extra)
    except BaseException as exc:  # noqa: BLE001 - every failure is reported, none escapes
        if isinstance(exc, KeyboardInterrupt):
            raise
        error = describe_failure(exc, run)
        if run.get("nb_man") is not None:
            nb = run["nb_man"].nb
    finally:
        shutil.rmtree(socket_dir, ignore_errors=True)
    t_done = time.perf_counter()
    asked, ready = run.get("kernel_asked"), run.get("kernel_ready")
    result["timings"]["kernel_start"] = round(ready - asked, 3) if asked and ready else None
    result["timings"]["execute"] = round(t_done - (ready or t0), 3)
    try:
        if nb is not None:
            normalize.normalize(nb, task)
            if error is None:
                result["ipynb"] = normalize.to_bytes(nb)
                info = read_summary(nb)
                result.update(title=info.title, summary=info.summary)
                from .index import selection_facts

                result["selection"] = selection_facts(task["parameters"])
                title = info.title or task["id"]
                page = render.PageInfo(title, stamp=render.stamp(task.get("inputs")),
                                       citation=render.citation(title))
                result["html"] = render.to_html(_worker["exporter"], nb, page)
                result["ok"] = True
            else:
                normalize.mark_failure(nb, error)
                result["failed_ipynb"] = normalize.to_bytes(nb)
    except Exception as exc:  # noqa: BLE001
        error = {"kind": "builder", "cell": None, "ename": type(exc).__name__,
                 "evalue": str(exc), "detail": traceback.format_exc(limit=6)}
        result["ok"] = False
    result["timings"]["export"] = round(time.perf_counter() - t_done, 3)
    if error is not None:
        result["ok"] = False
        result["error"] = error
        noise = _log_since(offset)
        if noise and error["kind"] != "exception":
            error["kernel_output"] = noise
    return result


def describe_failure(exc: BaseException, run: dict[str, Any]) -> dict[str, Any]:
    """Kind, cell index, exception name and message of a failed run (plain data)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return {"kind": "exception", "cell": exc.cell_index, "ename": exc.ename,
                "evalue": exc.evalue, "source": _first_line(exc.source)}
    cell = run.get("cell")
    source = None
    nb_man = run.get("nb_man")
    if nb_man is not None and cell is not None:
        source = _first_line(nb_man.nb.cells[cell].source)
    if isinstance(exc, CellTimeoutError):
        kind = "timeout"
    elif isinstance(exc, DeadKernelError):
        kind = "kernel died"
    elif run.get("kernel_ready") is None:
        kind, cell = "kernel did not start", None
    else:
        kind = "execution failed"
    return {"kind": kind, "cell": cell, "ename": type(exc).__name__,
            "evalue": str(exc).strip().splitlines()[0] if str(exc).strip() else "",
            "source": source}


def _first_line(source: str | None) -> str | None:
    for line in (source or "").splitlines():
        if line.strip():
            return line.strip()[:120]
    return None

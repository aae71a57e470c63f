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
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..briefings.kernels import KERNEL_NAME, ipc_config, kernel_manager_class
from .quiet import KERNEL_ENV, quiet_imports, redirect_process_output
from .tasks import Failure, Result, Task

ENGINE_NAME = "psw-builder"
#: Temporary folders of a build start with this, then their kind and the owning process id
#: (``psw-k-<pid>-…`` a kernel's sockets, ``psw-build-<pid>-…`` the workers' logs), so that
#: a later build can remove those a killed build left (:func:`remove_orphaned_temporaries`).
TEMP_PREFIX = "psw-"
#: Seconds a kernel may take to start, and one cell to run (``--timeout`` overrides the latter).
START_TIMEOUT = 60
CELL_TIMEOUT = 600

#: The ``--kernel`` choices whose briefings are forked from a warm worker: its imports are
#: made, and its data loaded, before the workers are forked (see :mod:`.forkkernel`).
WARM_KERNELS = ("fork", "none")

_worker: dict[str, Any] = {}


def prepare(kernel: str = "fork") -> None:
    """Import the notebook machinery and make the HTML exporter (once per process).

    Called in the parent before the worker processes are forked, so they share the imports;
    with ``kernel="fork"`` it also warms what every kernel needs (see :mod:`.forkkernel`).
    """
    if "papermill" in _worker:  # prepared already (init_worker may have noted its log first)
        if kernel in WARM_KERNELS and not _worker.get("km_class"):
            _warm_fork()
        return
    with quiet_imports():
        import nbformat
        import papermill
        from jupyter_core.utils import run_sync
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NBClientEngine, papermill_engines
        from traitlets import Float

        from .render import make_exporter

    class BuilderClient(PapermillNotebookClient):
        """Records when the kernel was asked for, when it answered, and its process."""

        #: seconds a cell may run; nbclient declares an Integer, but fractions work (``1.5``)
        timeout = Float(None, allow_none=True).tag(config=True)

        async def async_start_new_kernel(self, **kwargs):
            _worker["run"]["kernel_asked"] = time.perf_counter()
            await super().async_start_new_kernel(**kwargs)
            provisioner = getattr(self.km, "provisioner", None)
            _worker["run"]["kernel_pid"] = getattr(provisioner, "pid", None)

        async def async_start_new_kernel_client(self):
            client = await super().async_start_new_kernel_client()
            _worker["run"]["kernel_ready"] = time.perf_counter()
            return client

        start_new_kernel = run_sync(async_start_new_kernel)
        start_new_kernel_client = run_sync(async_start_new_kernel_client)

        def papermill_execute_cells(self):
            """The notebook's cells, then (when every cell ran without error) the builder's
            own code, if any, in the same kernel: not a cell of the notebook, so the executed
            notebook does not show it (see :func:`_after_cells`)."""
            super().papermill_execute_cells()
            after = _worker["run"].get("after")
            if after and not any(o.get("output_type") == "error"
                                 for c in self.nb.cells for o in c.get("outputs", ())):
                cell = nbformat.v4.new_code_cell(after)
                self.nb.cells.append(cell)  # nbclient stores the cell back at its index
                try:
                    self.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
                except Exception as exc:  # noqa: BLE001 - the builder falls back and says nothing
                    _worker["run"]["after_error"] = f"{type(exc).__name__}: {exc}"
                finally:
                    if self.nb.cells and self.nb.cells[-1] is cell:
                        self.nb.cells.pop()

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
    from . import nokernel

    papermill_engines.register(nokernel.ENGINE_NAME, nokernel.engine_class(lambda: _worker["run"]))
    _worker.update(papermill=papermill, exporter=make_exporter(), run={})
    _warm_exporter()
    if kernel in WARM_KERNELS:
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


def init_worker(log_path: str, kernel: str = "fork", parent: int | None = None) -> None:
    """Process-pool initializer: private output file, kernel environment, machinery ready.

    The worker stops, killing its kernel first, on SIGTERM: sent by the builder when it is
    interrupted, and by Linux when the builder dies, even by SIGKILL (``PR_SET_PDEATHSIG``).
    SIGINT and SIGHUP (a Ctrl-C or a closed terminal reach the whole process group) are left
    to the builder, which then stops the workers itself.
    """
    import signal

    from .forkkernel import die_with_parent

    signal.signal(signal.SIGTERM, _stop_worker)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    die_with_parent(signal.SIGTERM, parent)
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


def run_briefing(task: Task) -> Result:
    """Execute and render one briefing: the local execution entry point.

    Every failure comes back as a :class:`Result` holding a :class:`Failure`, never as an
    exception (an interrupt aside). Any engine may call it, in any process that has run
    :func:`prepare` (or lets it run here).
    """
    from . import normalize, render
    from .summary import read_summary

    prepare(task.kernel)
    # The project's kernel for this Python, installed or not (see analysis.briefings.kernels).
    if task.kernel == "none":  # no kernel: cells run in a forked child (see .nokernel)
        from .nokernel import ENGINE_NAME as engine_name

        extra = {}
    else:
        engine_name = ENGINE_NAME
        extra = {"kernel_manager_class": _worker["km_class"] if task.kernel == "fork"
                 else kernel_manager_class()}
    papermill = _worker["papermill"]
    run = _worker["run"] = {"cell": None, "nb_man": None}
    offset = _log_offset()
    socket_dir = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}k-{os.getpid()}-")
    run["socket_dir"] = socket_dir
    timings: dict[str, float | None] = {}
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    nb = failure = None
    from ..data import recording  # pandas: loaded by now

    reads_path = os.path.join(socket_dir, "reads.jsonl")
    open(reads_path, "wb").close()
    os.environ[recording.ENV] = reads_path  # the kernel appends what it reads there
    from ..briefings.displays import PRINT_FIGURES_ENV

    # the figures' print copies, for the Word files only (whatever the caller's environment says)
    os.environ[PRINT_FIGURES_ENV] = "1" if task.docx else "0"
    note: tuple = (None, None)
    selection = None
    steps_path = os.path.join(socket_dir, "note.pickle")
    run["after"] = _after_cells(task, steps_path)
    try:
        try:
            nb = papermill.execute_notebook(
                task.path, None, parameters=dict(task.parameters), engine_name=engine_name,
                kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, autosave_cell_every=0,
                start_timeout=START_TIMEOUT, execution_timeout=task.timeout or CELL_TIMEOUT,
                config=ipc_config(socket_dir), record_timing=False, shutdown_kernel="immediate",
                resources={"metadata": {"path": str(Path(task.path).parent)}}, **extra)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, none escapes
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            failure = describe_failure(exc, run)
            if run.get("nb_man") is not None:
                nb = run["nb_man"].nb
        finally:
            os.environ.pop(recording.ENV, None)
            os.environ.pop(PRINT_FIGURES_ENV, None)
        t_done = time.perf_counter()
        if failure is None:  # what the index shows of the briefing's region: read here, recorded
            selection, failure = _selection_facts(task, reads_path)
        if failure is None and task.note:
            # the note reads the data here, in this process: what it reads is the briefing's
            # too, recorded into the same file (a row only the note shows rebuilds it)
            note = _build_note(task, reads_path, timings, steps_path)
        reads, reads_problem = _reads(reads_path)
    finally:
        shutil.rmtree(socket_dir, ignore_errors=True)
        run.pop("socket_dir", None)
    asked, ready = run.get("kernel_asked"), run.get("kernel_ready")
    timings["kernel_start"] = round(ready - asked, 3) if asked and ready else None
    timings["execute"] = round(t_done - (ready or t0), 3)
    try:
        if nb is not None:
            normalize.normalize(nb, task)
            if failure is None:
                out["ipynb"] = normalize.to_bytes(nb)
                info = read_summary(nb)
                out.update(title=info.title, summary=info.summary)
                out["selection"] = selection
                if reads_problem:
                    raise recording.RecordingProblem(f"what the briefing read cannot be "
                                                     f"known: {reads_problem}")
                out["reads"] = reads
                out["reads_digest"] = reads_digest(reads)
                title = info.title or task.id
                stamped = {**task.inputs, "reads": out["reads_digest"]}
                page = render.PageInfo(title, stamp=render.stamp(stamped),
                                       citation=render.citation(title))
                out["html"] = render.to_html(_worker["exporter"], nb, page)
            else:
                normalize.mark_failure(nb, failure)
                out["failed_ipynb"] = normalize.to_bytes(nb)
    except Exception as exc:  # noqa: BLE001
        failure = Failure("builder", type(exc).__name__, str(exc),
                          detail=traceback.format_exc(limit=6))
        out.pop("html", None)
    timings["export"] = round(time.perf_counter() - t_done, 3)
    if failure is not None:
        noise = _log_since(offset)
        if noise and failure.kind != "exception":
            failure = replace(failure, kernel_output=noise)
        return Result(task.id, False, timings, out.get("title"), out.get("summary"),
                      failed_ipynb=out.get("failed_ipynb"), failure=failure)
    pdf = pdf_failure = None
    if task.pdf:
        pdf, pdf_failure = _render_pdf(out["html"], timings, task.timeout)
    extra, extra_failure = _render_extras(task, nb, out.get("title") or task.id, timings, note)
    return Result(task.id, True, timings, out.get("title"), out.get("summary"),
                  html=out["html"], ipynb=out["ipynb"], selection=out.get("selection"),
                  pdf=pdf, pdf_failure=pdf_failure, reads=out["reads"],
                  reads_digest=out["reads_digest"], extra_failure=extra_failure, **extra)


def _selection_facts(task: Task, reads_path: str) -> tuple:
    """What the index shows of the briefing's ``region`` (:func:`.index.selection_facts`), read
    from the data in this process with its reads recorded into ``reads_path``."""
    from ..data import recording
    from .index import selection_facts

    try:
        with recording.recording_to(reads_path):
            return selection_facts(dict(task.parameters)), None
    except Exception as exc:  # noqa: BLE001 - reported for this briefing
        return None, Failure("builder", type(exc).__name__, str(exc),
                             detail=traceback.format_exc(limit=6))


def _after_cells(task: Task, steps_path: str) -> str | None:
    """The code the kernel runs after the notebook's cells, when the task has a note: it saves
    the note's steps to ``steps_path`` from the briefing object the notebook made (``brief``),
    so that the page's key points and tables are not computed a second time here. Its shorter
    steps are made only for a PDF, the one renderer that counts pages."""
    if not task.note:
        return None
    return ("__import__('analysis.builder.notes', fromlist=['save_note_steps']).save_note_steps("
            f"globals().get('brief'), {task.id!r}, {steps_path!r}, shorter={bool(task.pdf)!r})")


def _build_note(task: Task, reads_path: str, timings: dict, steps_path: str = "") -> tuple:
    """The briefing's note (:mod:`.notes`) in the formats the task asks: rendered from the
    steps the kernel saved (its reads are recorded there), or else made here from the data, its
    reads recorded into ``reads_path``: (NoteOutputs, None), or (None, Failure)."""
    from ..data import recording

    start = time.perf_counter()
    try:
        template = None
        if task.docx:
            from .word import template_bytes

            template = template_bytes(task.docx_template)
        from .notes import build_note, load_note_steps, render_note

        saved = load_note_steps(steps_path) if steps_path else None
        if saved is not None:
            period, steps = saved
            made = render_note(period, steps, pdf=task.pdf, docx=task.docx, template=template)
        else:
            with recording.recording_to(reads_path):
                made = build_note(task.notebook, dict(task.parameters), task.id, pdf=task.pdf,
                                  docx=task.docx, template=template)
        timings["note"] = round(time.perf_counter() - start, 3)
        return made, None
    except Exception as exc:  # noqa: BLE001 - reported for this briefing
        return None, Failure("Word or note", type(exc).__name__, str(exc),
                             detail=traceback.format_exc(limit=6))


def _render_extras(task: Task, nb, title: str, timings: dict,
                   note: tuple = (None, None)) -> tuple[dict, Failure | None]:
    """The Word file of the briefing (from its executed notebook's display objects) and its
    note (made before, by :func:`_build_note`), as the task asks; a failure comes back as
    data."""
    extra: dict[str, Any] = {}
    made, note_failure = note
    if note_failure is not None:
        return {}, note_failure
    start = time.perf_counter()
    try:
        if task.docx:
            from . import render
            from .word import DocInfo, notebook_docx, template_bytes

            template = template_bytes(task.docx_template)
            info = DocInfo(title, subject=f"{title}: {render.document_label()}",
                           footer=f"{render.citation(title)} · {render.stamp(task.inputs)}",
                           dataset_version=render.dataset_version(),
                           package_version=render.package_version(),
                           keywords=[task.id])
            extra["docx"] = notebook_docx(nb, info, template)
            timings["docx"] = round(time.perf_counter() - start, 3)
        if made is not None:
            extra.update(note_html=made.html, note_pdf=made.pdf, note_docx=made.docx)
    except Exception as exc:  # noqa: BLE001 - reported for this briefing
        return {}, Failure("Word or note", type(exc).__name__, str(exc),
                           detail=traceback.format_exc(limit=6))
    return extra, None


def _reads(path: str) -> tuple[list[dict], str | None]:
    """The selections a briefing's kernel recorded, or why they cannot be read."""
    from ..data import recording

    try:
        return recording.read_recording(path), None
    except (OSError, UnicodeDecodeError, recording.RecordingProblem) as err:
        return [], str(err)


def reads_digest(reads: list[dict]) -> str:
    """The digest of the rows ``reads`` choose in the data as loaded in this process."""
    from ..data import recording
    from ..data.dataset import load

    return recording.reads_digest(reads, recording.state_of(load()))


def _render_pdf(html: bytes, timings: dict, limit: float | None = None
                ) -> tuple[bytes | None, Failure | None]:
    """The page's PDF (:mod:`.pdf`), rendered here so that every engine's workers make them
    in parallel; a failure comes back as data, the page itself being fine."""
    from .pdf import to_pdf

    start = time.perf_counter()
    try:
        return (to_pdf(html, time_limit=limit) if limit else to_pdf(html)), None
    except Exception as exc:  # noqa: BLE001 - reported for this briefing
        return None, Failure("PDF", type(exc).__name__, str(exc))
    finally:
        timings["pdf"] = round(time.perf_counter() - start, 3)


def _stop_worker(signum, _frame) -> None:
    stop_current_kernel()
    os._exit(128 + signum)


def remove_orphaned_temporaries(folder: str | None = None) -> list[str]:
    """Remove the temporary folders of builds and workers that died without cleaning up.

    Their names hold the process id that made them (see :data:`TEMP_PREFIX`); a folder whose
    process is gone is removed. Returns the paths removed.
    """
    import re

    from ..data.outputs import process_alive

    folder = folder or tempfile.gettempdir()
    pattern = re.compile(rf"^{re.escape(TEMP_PREFIX)}(?:build|k|lesson|worker)-(\d+)-")
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if not match or process_alive(int(match.group(1))):
            continue
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def stop_current_kernel() -> None:
    """Kill the kernel of the briefing running in this process, and its socket folder.

    Called when the worker is told to stop (the build was interrupted, or its parent died).
    """
    from .forkkernel import kill_group

    run = _worker.get("run") or {}
    pid = run.get("kernel_pid")
    if pid:
        kill_group(pid)
    if run.get("socket_dir"):
        shutil.rmtree(run["socket_dir"], ignore_errors=True)


def describe_failure(exc: BaseException, run: dict[str, Any]) -> Failure:
    """Kind, cell index, exception name and message of a failed run."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return Failure("exception", str(exc.ename), str(exc.evalue), exc.cell_index,
                       _first_line(exc.source))
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
    message = str(exc).strip()
    return Failure(kind, type(exc).__name__, message.splitlines()[0] if message else "", cell,
                   source)


def _first_line(source: str | None) -> str | None:
    for line in (source or "").splitlines():
        if line.strip():
            return line.strip()[:120]
    return None

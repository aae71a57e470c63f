"""Execute a lesson notebook in a fresh kernel (``kernels.KERNEL_NAME``), safely beside others.

Each kernel talks over IPC sockets in its own temporary folder (no TCP port races between
parallel kernels), runs in a scratch working directory (files a lesson writes do not land in the
edition), and never inherits ``MPLBACKEND`` (so figures are kept as outputs).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

from ..errors import WorkbookError
from ..briefings.kernels import KERNEL_NAME, ipc_config, kernel_environment as base_environment, kernel_manager_class

CELL_TIMEOUT = 300  # seconds per cell; lesson 5 runs a briefing inside a cell


@dataclass
class ExecutionFailure(WorkbookError):
    """A lesson failed to run: which cell, and the error it raised."""

    lesson: str
    cell: int | None
    error: str
    source: str = ""
    #: What the caller made of it (e.g. "nothing was written"), added to the message.
    note: str = ""

    def __str__(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "the kernel"
        line = self.source.strip().splitlines()[0] if self.source.strip() else ""
        shown = f" ({line[:60]})" if line else ""
        note = f"; {self.note}" if self.note else ""
        return f"{self.lesson}: {where}{shown} failed: {self.error}{note}"


#: Kernel settings for lesson runs: start-up warnings (e.g. ipykernel's note about TCP, shown by
#: the briefing a lesson runs with papermill) stay out of the instructor edition's outputs.
KERNEL_CONFIG = "c.IPKernelApp.log_level = 'ERROR'\n"


def kernel_environment(ipython_dir: str | None = None) -> dict[str, str]:
    """The environment lesson kernels start with (see :func:`analysis.briefings.kernels.kernel_environment`).

    With ``ipython_dir``, kernels (and those a lesson starts) read their settings from there.
    """
    env = base_environment()
    if ipython_dir:
        profile = os.path.join(ipython_dir, "profile_default")
        os.makedirs(profile, exist_ok=True)
        with open(os.path.join(profile, "ipython_kernel_config.py"), "w", encoding="utf-8") as handle:
            handle.write(KERNEL_CONFIG)
        env["IPYTHONDIR"] = ipython_dir
    return env


def execute(notebook, *, lesson: str, timeout: int = CELL_TIMEOUT):
    """Run every cell of ``notebook`` (in place) and return it; raise ExecutionFailure on error."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    scratch = tempfile.mkdtemp(prefix=f"psw-lesson-{os.getpid()}-")  # a later run removes it
    # if this process is killed (see analysis.builder.execute.remove_orphaned_temporaries)
    try:
        config = ipc_config(scratch)
        workdir = os.path.join(scratch, "work")
        os.mkdir(workdir)
        client = NotebookClient(
            notebook, kernel_name=KERNEL_NAME, kernel_manager_class=kernel_manager_class(),
            timeout=timeout, record_timing=False,
            allow_errors=False, config=config, resources={"metadata": {"path": workdir}})
        try:
            client.execute(env=kernel_environment(os.path.join(scratch, "ipython")))
        except CellExecutionError as err:
            index = _failed_cell(notebook)
            raise ExecutionFailure(lesson, index, _first_line(err), _source(notebook, index)) from None
        except CellTimeoutError:
            index = _failed_cell(notebook)
            raise ExecutionFailure(lesson, index, f"a cell ran longer than {timeout} s",
                                   _source(notebook, index)) from None
        except DeadKernelError:
            raise ExecutionFailure(lesson, None, "the kernel died") from None
        return notebook
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _failed_cell(notebook) -> int | None:
    """Index of the last code cell that ran (the one that failed)."""
    last = None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            last = index
    return last


def _source(notebook, index: int | None) -> str:
    return notebook.cells[index].source if index is not None else ""


def _first_line(err) -> str:
    ename, evalue = getattr(err, "ename", ""), getattr(err, "evalue", "")
    if ename:
        return f"{ename}: {evalue}".strip()
    return str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__

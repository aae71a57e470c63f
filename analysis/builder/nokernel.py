"""Briefings run without a kernel: cells executed in a process forked from the warm worker.

``briefings build --kernel none``. A kernel costs, per briefing, its start (an ipykernel
application with its ZMQ sockets, threads and history database, even when forked warm, see
:mod:`.forkkernel`), a message round trip per cell and per output (each packed, signed, sent
over a socket, checked and unpacked twice), and the client's polling. Here the worker forks a
child that makes the same IPython shell a kernel makes (``ZMQInteractiveShell``, its display
hook and display publisher, ipykernel's compiler, the inline matplotlib backend), but whose
"session" hands every message it would publish to a :func:`multiprocessing.Pipe` instead of a
socket. The parent runs papermill's cell loop, and fills the notebook through nbclient's own
message handling (``process_message``: outputs, execution counts, display ids, clear_output)
and papermill's ``nb_man`` hooks, so the executed notebook is the one a kernel gives, byte for
byte (a test compares the default set's outputs).

Isolation holds as with a kernel: one fresh process per briefing, a fresh namespace, its own
working folder and environment; it dies with its worker (``PR_SET_PDEATHSIG``). The parent
enforces the per-cell timeout (the child is killed: ``CellTimeoutError``, as nbclient raises),
and a child that dies mid-cell is reported as a dead kernel (``DeadKernelError``).

What differs from a kernel, none of which the briefings use: output written to the process's
file descriptors 1 and 2 by C code or subprocesses goes to the worker's log (shown when a
briefing fails), not into the notebook; a print of a long cell reaches the notebook in one
stream output (a kernel also flushes every 0.2 s); there are no comms (widgets), no stdin,
no IPython history file and no IPython startup files.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

ENGINE_NAME = "psw-nokernel"
#: How the parent asks the child to run a cell, and the kinds of what the child sends back.
EXECUTE, READY, OUTPUT, REPLY = "execute", "ready", "output", "reply"


# --- the parent's side: papermill's engine -----------------------------------------------------

def engine_class(run):
    """A papermill engine running each notebook in a forked child (see the module's docstring).

    ``run()`` gives the worker's record of the briefing being run: the engine notes in it the
    notebook manager, the current cell, the child's pid and when it was asked for and ready,
    as the kernel engine does (:func:`.execute.describe_failure` and
    :func:`.execute.stop_current_kernel` read them).
    """
    from papermill.engines import Engine

    class NoKernelEngine(Engine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            resources = kwargs.get("resources") or {}
            cwd = (resources.get("metadata") or {}).get("path")
            state = run()
            state["nb_man"] = nb_man
            execute_notebook(nb_man, state, cwd=cwd, start_timeout=start_timeout,
                             timeout=execution_timeout)
            return nb_man.nb

    return NoKernelEngine


def execute_notebook(nb_man, run: dict[str, Any], *, cwd: str | None, start_timeout: float,
                     timeout: float | None) -> None:
    """Run ``nb_man``'s notebook in a forked child, filling its cells as nbclient does."""
    from multiprocessing import Pipe

    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.clientwrap import PapermillNotebookClient

    nb = nb_man.nb
    # nbclient's own message handling (outputs, counts, display ids); it never starts a kernel
    client = PapermillNotebookClient(nb_man)
    client.reset_execution_trackers()
    ours, theirs = Pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    run["kernel_asked"] = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        ours.close()
        _child(theirs, cwd)
    theirs.close()
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child did it already, or has exited
    run["kernel_pid"] = pid
    try:
        kind, language_info = _receive(ours, start_timeout)
        if kind != READY:
            raise RuntimeError(f"the briefing's process did not start ({kind})")
        run["kernel_ready"] = time.perf_counter()
        count = 0
        for index, cell in enumerate(nb.cells):
            run["cell"] = index
            try:
                nb_man.cell_start(cell, index)
                if cell.cell_type != "code" or not cell.source.strip() \
                        or client.skip_cells_with_tag in cell.metadata.get("tags", []):
                    continue
                count += 1
                reply = _execute_cell(client, ours, pid, cell, index, count, timeout)
                if reply["status"] == "error" \
                        and "raises-exception" not in cell.metadata.get("tags", []):
                    raise CellExecutionError.from_cell_and_msg(cell, reply)
            except CellExecutionError as exc:
                nb_man.cell_exception(nb.cells[index], cell_index=index, exception=exc)
                break
            finally:
                nb_man.cell_complete(nb.cells[index], cell_index=index)
        _run_after(client, ours, pid, nb, run, count, timeout)
        nb.metadata["language_info"] = language_info
    except (CellTimeoutError, DeadKernelError):
        raise
    except EOFError:
        raise DeadKernelError("Kernel died") from None
    finally:
        ours.close()
        _end(pid)
        run["kernel_pid"] = None


def _run_after(client, conn, pid: int, nb, run: dict[str, Any], count: int,
               timeout: float | None) -> None:
    """The builder's own code after the cells (``run["after"]``, see
    :func:`.execute._after_cells`), when no cell failed: run in the same process, not history,
    its outputs not part of the notebook, a failure noted in ``run["after_error"]`` (as the
    kernel engine does)."""
    import nbformat

    after = run.get("after")
    if not after or any(o.get("output_type") == "error" for c in nb.cells
                        for o in c.get("outputs", ())):
        return
    cell = nbformat.v4.new_code_cell(after)
    try:
        reply = _execute_cell(client, conn, pid, cell, len(nb.cells), count + 1, timeout,
                              store_history=False)
        if reply["status"] == "error":
            run["after_error"] = f"{reply.get('ename')}: {reply.get('evalue')}"
    except Exception as exc:  # noqa: BLE001 - the builder falls back and says nothing
        run["after_error"] = f"{type(exc).__name__}: {exc}"


def _execute_cell(client, conn, pid: int, cell, index: int, count: int,
                  timeout: float | None, store_history: bool = True) -> dict:
    """Send one cell; apply what comes back, as nbclient applies a kernel's messages."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    conn.send((EXECUTE, cell.source, store_history))
    cell.outputs = []
    client.clear_before_next_output = False
    parent = {"msg_id": f"cell-{index}"}
    # what a kernel broadcasts first (execute_input): the cell's number
    cell["execution_count"] = count
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            waiting = conn.poll(left)
            if waiting:
                kind, msg_type, content = conn.recv()
        except (EOFError, OSError):
            raise DeadKernelError("Kernel died") from None
        if not waiting:  # (a TimeoutError: raised outside the OSError catch above)
            raise CellTimeoutError.error_from_timeout_and_cell(
                "Cell execution timed out", timeout, cell)
        if kind == REPLY:
            return content
        msg = {"msg_type": msg_type, "header": {"msg_type": msg_type}, "content": content,
               "parent_header": parent, "metadata": {}}
        client.process_message(msg, cell, index)


def _receive(conn, seconds: float):
    if not conn.poll(seconds):
        raise TimeoutError(f"the briefing's process did not start within {seconds} s")
    kind, _, content = conn.recv()
    return kind, content


def _end(pid: int) -> None:
    """Kill the child (its own process group) and reap it."""
    from .forkkernel import kill_group

    kill_group(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


# --- the child's side: a shell as a kernel has, talking over the pipe ---------------------------

def _child(conn, cwd: str | None) -> None:
    """In the forked child: make the kernel's shell, then run the cells the parent sends."""
    from .forkkernel import run_child

    run_child(lambda: _serve_cells(conn, cwd), quiet=(EOFError, OSError, KeyboardInterrupt),
              streams=lambda: (sys.__stdout__, sys.__stderr__))


def _serve_cells(conn, cwd: str | None) -> None:
    from ..briefings.kernels import kernel_environment
    from .forkkernel import _settle_import_time_choices, become_child

    env = kernel_environment()
    env["JPY_PARENT_PID"] = str(os.getppid())
    become_child(env, cwd, interrupt=signal.default_int_handler)  # SIGINT as ipykernel sets it
    sys.argv = ["ipykernel_launcher"]
    shell = _make_shell(conn)
    _settle_import_time_choices()
    from ipykernel.ipkernel import IPythonKernel

    conn.send((READY, None, _json_round_trip(dict(IPythonKernel.language_info))))
    _serve(shell, conn)


def _json_round_trip(obj):
    from jupyter_client.session import json_packer, json_unpacker

    return json_unpacker(json_packer(obj))


def _make_shell(conn):
    """ipykernel's shell, as IPKernelApp sets it up, publishing into ``conn``."""
    import types

    from IPython.core.shellapp import InteractiveShellApp
    from ipykernel.compiler import XCachingCompiler
    from ipykernel.zmqshell import ZMQInteractiveShell
    from jupyter_client.session import Session
    from traitlets.config import Config

    class PipeSession(Session):
        """A session whose messages go to the parent, through JSON as over a socket."""

        def send(self, stream, msg_or_type, content=None, parent=None, ident=None, *args,
                 **kwargs):
            msg = msg_or_type if isinstance(msg_or_type, dict) else \
                self.msg(msg_or_type, content, parent)
            _flush_streams()
            conn.send((OUTPUT, msg["msg_type"], self.unpack(self.pack(msg["content"]))))
            return msg

    session = PipeSession()
    # stdout and stderr become stream outputs, as the kernel's OutStreams make them
    sys.stdout = _Stream("stdout", conn, session)
    sys.stderr = _Stream("stderr", conn, session)
    InteractiveShellApp.init_path(types.SimpleNamespace(ignore_cwd=False))
    config = Config()
    config.HistoryManager.enabled = False  # no history file (nothing reads it in a build)
    shell = ZMQInteractiveShell.instance(config=config, compiler_class=XCachingCompiler)
    for hook in (shell.displayhook, shell.display_pub):
        hook.session = session
        hook.pub_socket = conn
    shell.displayhook.topic = b"execute_result"
    # ipykernel: the inline backend is the default one (IPKernelApp.init_gui_pylab), and the
    # forked kernel switches to it (forkkernel._become_kernel)
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    if "matplotlib" in sys.modules:
        from .forkkernel import INLINE_BACKEND

        sys.modules["matplotlib"].rcParams["backend"] = INLINE_BACKEND
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].switch_backend(INLINE_BACKEND)
    return shell


def _serve(shell, conn) -> None:
    """Run each cell the parent sends; answer with what ipykernel's execute reply holds."""
    while True:
        kind, source, store_history = conn.recv()
        if kind != EXECUTE:
            return
        result = shell.run_cell(source, store_history=store_history, silent=False)
        _flush_streams()
        err = result.error_before_exec if result.error_before_exec is not None \
            else result.error_in_exec
        reply: dict[str, Any] = {"execution_count": shell.execution_count - 1}
        if result.success and not getattr(shell, "_last_traceback_during_displayhook", False):
            reply["status"] = "ok"
        else:
            reply.update(status="error", traceback=shell._last_traceback or [],
                         ename=str(type(err).__name__), evalue=str(err))
        conn.send((REPLY, None, reply))


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, _Stream):
            stream.flush()


class _Stream:
    """A text stream whose text becomes one ``stream`` message at each flush (as ipykernel's
    OutStream, without its 0.2 s timer: it flushes before each display, result or error, and
    at the end of the cell)."""

    encoding = "UTF-8"
    errors = "strict"

    def __init__(self, name: str, conn, session) -> None:
        self.name = name
        self._conn = conn
        self._session = session
        self._parts: list[str] = []
        self._fd = 1 if name == "stdout" else 2

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._parts.append(text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._parts:
            text, self._parts = "".join(self._parts), []
            content = {"name": self.name, "text": text}
            self._conn.send((OUTPUT, "stream",
                             self._session.unpack(self._session.pack(content))))

    def isatty(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    @property
    def closed(self) -> bool:
        return False

    def close(self) -> None:
        self.flush()

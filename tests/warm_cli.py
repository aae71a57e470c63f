"""A warm ``briefings`` command for the suite: the command line without the 2 s start.

A ``briefings build`` process spends about 2 s of CPU starting Python and importing pandas,
matplotlib, IPython, papermill, nbconvert and geopandas before it does anything, and the suite
runs it well over a hundred times. Here each pytest process starts one *warm parent*
(:func:`serve`) that has made those imports, and nothing else: it loads no data, reads no
notebook and never runs a command itself. Each command is a ``fork()`` of it that becomes what
a ``briefings`` process would be (its own environment, working folder, ``sys.argv``, standard
streams on fresh files, default signal handlers, its own process group) and runs the command
line's ``main``. Nothing one command does reaches the next: every command starts from the same
warm parent, as every ``briefings`` process starts from the same installed package.

The parent dies with the pytest process that started it (``PR_SET_PDEATHSIG``), and a command
dies with the parent, so an interrupted run leaves no process behind.

Tests that signal the command's process, or that test the installed script itself, start it as
a real process (``_run_briefings(..., process=True)`` or their own ``subprocess``).
"""
from __future__ import annotations

import json
import os
import signal
import sys

#: What a `briefings` process imports before a build does anything, beside what the builder
#: warms before forking (`analysis.builder.forkkernel.WARM_MODULES`): the command line, the
#: notebook machinery of `execute.prepare`, the PDF engine and python-docx.
WARM_IMPORTS = ("analysis.cli", "analysis.cli.build", "analysis.builder.build",
                "analysis.builder.execute", "analysis.builder.nokernel",
                "analysis.builder.render", "papermill", "papermill.engines",
                "papermill.clientwrap", "nbconvert", "nbclient", "ipykernel.zmqshell",
                "weasyprint", "docx")


def _die_with_parent() -> None:
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def serve(requests_fd: int, replies_fd: int) -> None:
    """Read one JSON request per line; fork a command for each; reply with its exit code."""
    import importlib

    _die_with_parent()
    from analysis.data.validate import import_jsonschema

    import_jsonschema()  # as the command line does, without the grammar of its IRI checks
    from analysis.builder.forkkernel import WARM_MODULES

    for name in (*WARM_MODULES, *WARM_IMPORTS):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module only costs time later
            pass
    requests = os.fdopen(requests_fd, "r", encoding="utf-8")
    replies = os.fdopen(replies_fd, "w", encoding="utf-8", buffering=1)
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the command; it never returns
            requests.close()
            replies.close()
            _command(request)
        replies.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
    # The pytest process is done with us. Nothing here needs an orderly end (no command ran in
    # this process, every fork has been reaped): leave without tearing the interpreter down,
    # which costs the closing pytest process about 0.7 s of waiting.
    replies.close()
    os._exit(0)


def _command(request: dict) -> None:
    """In the fork: become a `briefings` process and run the command line's main."""
    import io
    import traceback

    code = 1
    try:
        os.setpgid(0, 0)
        _die_with_parent()
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python starts
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdout = sys.__stdout__ = io.TextIOWrapper(
            io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
        sys.stderr = sys.__stderr__ = io.TextIOWrapper(
            io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8",
            errors="backslashreplace", line_buffering=True)
        sys.argv = [request["program"], *request["args"]]
        from analysis.cli import main

        try:
            code = main(list(request["args"]))
        except SystemExit as exit_:
            if exit_.code is None or isinstance(exit_.code, int):
                code = exit_.code or 0
            else:
                print(exit_.code, file=sys.stderr)
                code = 1
        except BaseException:  # noqa: BLE001 - as Python reports an uncaught exception
            traceback.print_exc()
            code = 1
        import atexit
        import threading

        threading._shutdown()  # what the interpreter does at exit: pools' threads, then atexit
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        os._exit(code if isinstance(code, int) and 0 <= code < 256 else 1)


class WarmCommand:
    """The client: one warm parent per pytest process, started on first use."""

    def __init__(self, python: str, cwd: str, env: dict[str, str]):
        import subprocess

        ours_in, theirs_out = os.pipe()   # replies: parent -> us
        theirs_in, ours_out = os.pipe()   # requests: us -> parent
        self.proc = subprocess.Popen(
            [python, __file__, str(theirs_in), str(theirs_out)], cwd=cwd, env=env,
            pass_fds=(theirs_in, theirs_out), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(theirs_in)
        os.close(theirs_out)
        self.replies = os.fdopen(ours_in, "r", encoding="utf-8")
        self.requests = os.fdopen(ours_out, "w", encoding="utf-8", buffering=1)
        first = self._reply(120)
        if "ready" not in first:
            raise RuntimeError(f"the warm briefings parent did not start: {first}")

    def _reply(self, timeout: float | None) -> dict:
        import select

        if timeout is not None:
            ready, _, _ = select.select([self.replies], [], [], timeout)
            if not ready:
                raise TimeoutError
        line = self.replies.readline()
        if not line:
            raise RuntimeError("the warm briefings parent exited")
        return json.loads(line)

    def run(self, program: str, args: list[str], env: dict[str, str], cwd: str,
            timeout: float | None):
        """Run ``briefings ARGS``: a CompletedProcess (text), as ``subprocess.run`` gives."""
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory(prefix="warm-cli-") as tmp:
            out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
            self.requests.write(json.dumps({"program": program, "args": list(args), "env": env,
                                            "cwd": str(cwd), "stdout": out, "stderr": err})
                                + "\n")
            pid = self._reply(30)["pid"]
            try:
                code = self._reply(timeout)["code"]
            except TimeoutError:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                self._reply(30)
                raise subprocess.TimeoutExpired([program, *args], timeout) from None
            with open(out, encoding="utf-8", errors="replace") as f_out, \
                    open(err, encoding="utf-8", errors="replace") as f_err:
                return subprocess.CompletedProcess([program, *args], code, f_out.read(),
                                                   f_err.read())

    def close(self) -> None:
        try:
            self.requests.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    serve(int(sys.argv[1]), int(sys.argv[2]))

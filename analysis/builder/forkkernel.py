"""Kernels forked from a warm process: a fresh kernel per briefing without the start-up cost.

A plain kernel is a new Python process that imports ipykernel, IPython, pandas, matplotlib,
geopandas and the package, then loads the data and the world map: about 2 s of CPU per
briefing, the same for every briefing. Here the builder does that work once (:func:`warm`),
before its worker processes are forked, and each kernel is a ``fork()`` of a worker that then
becomes an ipykernel reading the connection file it was given. Every briefing still gets its
own process with a fresh namespace (copy-on-write memory: nothing one notebook does reaches
another), its own working directory and environment, and the same outputs as a plain kernel
(a test compares the bytes).

Used through :class:`ForkKernelManager`, a jupyter_client kernel manager whose provisioner
forks instead of spawning; the manager watches, interrupts and kills the child like any kernel.
"""
from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from typing import Any

#: Imported once in the builder before forking (only what every briefing kernel needs anyway).
WARM_MODULES = ("IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "pandas", "numpy",
                "matplotlib", "matplotlib.pyplot", "geopandas", "shapely", "pyogrio", "analysis",
                "analysis.briefings", "analysis.graphics.charts", "analysis.graphics.maps",
                "analysis.briefings.params", "analysis.model.queries", "analysis.model.regions",
                "analysis.model.shared", "analysis.prose.text", "analysis.prose.findings",
                "analysis.data.seed", "analysis.data.layout",
                # what a briefing's shell and its first figure import (each briefing did, 0.05 s);
                # not matplotlib_inline.backend_inline, which hooks itself into the shell that
                # imports it, so each briefing's process imports it into its own
                "IPython.core.completerlib", "IPython.core.oinspect", "IPython.core.pylabtools",
                "IPython.core.logger", "bdb", "matplotlib.backends.backend_agg",
                "pandas.io.formats.string", "PIL.features")
#: Parameter-independent work whose results the package caches: the world map, the kinds, and
#: the image formats Pillow registers when a figure is first saved.
WARM_CALLS = ("analysis.graphics.maps:load_world", "analysis.briefings.registry:classes",
              "PIL.Image:preinit")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def warm() -> list[str]:
    """Import and cache what every kernel needs; returns what could not be warmed (skipped)."""
    skipped = []
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module only costs time later
            skipped.append(name)
    for ref in WARM_CALLS:
        module_name, _, func = ref.partition(":")
        try:
            getattr(importlib.import_module(module_name), func)()
        except Exception:  # noqa: BLE001
            skipped.append(ref)
    try:  # matplotlib reads every package's entry points when it first checks a backend's
        # name, as each briefing's process does when it chooses the inline one (0.012 s)
        from matplotlib.backends import backend_registry

        backend_registry.is_valid_backend(INLINE_BACKEND)
    except Exception:  # noqa: BLE001
        skipped.append("matplotlib.backends:backend_registry")
    try:  # the data, and what every briefing derives from it (about 0.1 s of CPU a briefing)
        from analysis import load
        from analysis.model.shared import precompute

        precompute(load())
    except Exception:  # noqa: BLE001 - a briefing that cannot load the data says why itself
        skipped.append("analysis.model.shared:precompute")
    return skipped


class ForkedProcess:
    """The Popen-like handle of a forked kernel, as jupyter_client's provisioner expects."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def die_with_parent(sig: int, parent: int | None = None) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies (``PR_SET_PDEATHSIG``).

    If the parent is already gone (it died before the request), exit now. Elsewhere than
    Linux nothing happens (False); kernels then rely on ipykernel's own parent watch.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(sig), 0, 0, 0) != 0:  # 1 = PR_SET_PDEATHSIG
            return False
    except (OSError, AttributeError):
        return False
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return True


def kill_group(pid: int) -> None:
    """SIGKILL a forked kernel (or briefing process): its own process group, else the process
    alone (the child may not have made its group yet)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
            return
        except OSError:
            continue


def become_child(env: dict[str, str] | None, cwd: str | None, *, interrupt=signal.SIG_DFL) -> int:
    """In a forked child (a kernel, or a kernel-less briefing process): leave the parent's state
    behind and return the parent's pid.

    The child freezes the parent's objects for the garbage collector, makes its own process
    group, dies with its parent, restores the default signal handlers (``interrupt`` for
    SIGINT), reads nothing from stdin, takes ``env`` as its whole environment when given, moves
    to ``cwd`` and drops the parent's event loop policy and log handlers."""
    import asyncio
    import gc
    import logging

    gc.freeze()  # the parent's objects stay untouched here (sockets, loops, pools)
    parent = os.getppid()
    os.setpgid(0, 0)
    die_with_parent(signal.SIGKILL, parent)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, interrupt)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    if cwd:
        os.chdir(cwd)
    asyncio.set_event_loop_policy(None)  # no event loop inherited from the parent
    logging.root.handlers.clear()
    return parent


def run_child(body, *, quiet: tuple[type[BaseException], ...] = (), streams=None) -> None:
    """In a forked child: run ``body()`` and leave with ``os._exit``, never returning into the
    parent's code. The exit code is 0 when ``body`` returns, raises one of ``quiet`` (the
    parent went away) or exits with ``SystemExit(0)``; a traceback is printed for anything else
    and the code is 1. ``streams()`` gives the two streams flushed last (default: the current
    ``sys.stdout`` and ``sys.stderr``, a kernel's own)."""
    code = 1
    try:
        body()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except quiet:
        code = 0
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
    finally:
        try:
            for stream in (streams or (lambda: (sys.stdout, sys.stderr)))():
                stream.flush()
        finally:
            os._exit(code)


def _become_kernel(cmd: list[str], cwd: str | None, env: dict[str, str] | None) -> None:
    """In the forked child: turn into an ipykernel for the connection file in ``cmd``."""
    run_child(lambda: _serve_kernel(cmd, cwd, env))


def _serve_kernel(cmd: list[str], cwd: str | None, env: dict[str, str] | None) -> None:
    become_child(env, cwd)
    os.environ.pop("MPLBACKEND", None)
    argv = cmd[cmd.index("-f"):] if "-f" in cmd else cmd[1:]
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # Read from the environment when ipykernel was imported (in the parent): set it now, so
    # the kernel watches its parent (the worker) and prints no console banner.
    app.parent_handle = int(os.environ.get("JPY_PARENT_PID") or os.getppid())
    app.initialize(argv)
    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.rcParams["backend"] = INLINE_BACKEND
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].switch_backend(INLINE_BACKEND)
    _settle_import_time_choices()
    app.start()


def _settle_import_time_choices() -> None:
    """Redo what libraries decided at import time from "am I in a kernel?" (now: yes).

    pandas picks ``display.max_columns`` when imported: 0 (fit the terminal) outside a
    kernel, 20 inside one (``pandas.core.config_init.is_terminal``).
    """
    if "pandas" in sys.modules:
        sys.modules["pandas"].set_option("display.max_columns", 20)


def _provisioner_class():
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """Launches the kernel by forking this (warm) process instead of spawning Python."""

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            cwd = kwargs.get("cwd")
            env = kwargs.get("env")
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child never returns
                _become_kernel(list(cmd), str(cwd) if cwd else None, env)
            try:
                os.setpgid(pid, pid)
            except OSError:
                pass  # the child already did it, or has exited
            self.process = ForkedProcess(pid)
            self.pid = pid
            self.pgid = pid
            self.cwd = cwd or os.getcwd()
            return self.connection_info

    return ForkProvisioner


def kernel_manager_class():
    """An AsyncKernelManager whose kernels are forked (see the module's docstring).

    It only chooses the provisioner, through the manager's public ``provisioner`` attribute,
    before the usual ``start_kernel`` runs; everything else is jupyter_client's own.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    from ..briefings.kernels import kernel_manager_class as workbook_kernel_manager_class

    provisioner = _provisioner_class()

    class ForkKernelManager(workbook_kernel_manager_class(AsyncKernelManager)):
        async def start_kernel(self, **kw: Any) -> None:
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
                self.provisioner = provisioner(kernel_id=self.kernel_id,
                                               kernel_spec=self.kernel_spec, parent=self)
            await super().start_kernel(**kw)

    return ForkKernelManager

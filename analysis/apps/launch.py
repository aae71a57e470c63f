"""How the project's browser apps start: the Voilà dashboard and JupyterLab.

``briefings dashboard [--port 8866]`` (``make dashboard``) serves
``notebooks/explore.ipynb`` as a Voilà app on 127.0.0.1: widgets only, no code and none of the
notebook's tutorial cells (cells tagged ``tutorial`` are removed by nbconvert's
``TagRemovePreprocessor`` before the kernel runs them). A busy port is reported in one line, and
nothing is started.

``briefings lab ROOT`` (``make lab``, ``make course``) opens JupyterLab on ROOT.
On ``notebooks/`` the training lessons are hidden from the file browser: they hold every
solution; ``make course`` writes the student edition to ``course/`` and opens that instead.

The subcommands are :mod:`analysis.cli.apps`. The browser tests start their servers from the
same commands (:func:`voila_command`, :func:`lab_command`), so what they test is what users run.
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from ..data.paths import PACKAGE_DIR, notebooks_dir

HOST = "127.0.0.1"
DASHBOARD_PORT = 8866
#: Cells with this tag are part of the notebook's tour, not of the dashboard.
TUTORIAL_TAG = "tutorial"
#: Jupyter data folder of the package: the dashboard's Voilà template ("workbook").
JUPYTER_DATA = PACKAGE_DIR / "_jupyter"
#: What JupyterLab on ``notebooks/`` does not list: the lessons with their solutions.
LAB_HIDDEN = ["training", "__pycache__", "*.pyc", ".ipynb_checkpoints"]


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already listens on (or holds) ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = HOST) -> int:
    """A port on ``host`` that is free now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _tool(name: str) -> str:
    """The console script ``name`` of this environment."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def voila_command(port: int = DASHBOARD_PORT, notebook: Path | None = None, *, host: str = HOST,
                  max_kernels: int | None = None, allow_hosts: list[str] | None = None) -> list[str]:
    """The command serving the explore notebook as a dashboard on ``host:port``: Voilà closed by
    :mod:`analysis.apps.dashboard` (Host header checked on every route, a token, idle kernels culled,
    at most ``max_kernels`` at once). The token comes from the environment (:func:`voila_env`)."""
    from . import dashboard

    notebook = notebook or notebooks_dir() / "explore.ipynb"
    hosts = list(allow_hosts or [])
    if host in ("0.0.0.0", "::"):  # every interface: the names others reach this machine by
        hosts += [socket.gethostname(), socket.getfqdn()]
    elif host not in dashboard.LOOPBACK:
        hosts.append(host)
    return [sys.executable, "-m", "analysis.apps.dashboard", str(notebook), "--no-browser",
            f"--port={port}", f"--Voila.ip={host}", "--Voila.port_retries=0",
            "--Voila.auto_token=True",  # the token is JUPYTER_TOKEN (voila_env), never in argv
            f"--psw-max-kernels={max_kernels or dashboard.MAX_KERNELS}",
            *[f"--psw-host={h}" for h in hosts],
            "--strip_sources=True", "--show_tracebacks=False", "--template=workbook",
            # one kernel runs the notebook ahead of the next visitor: the first page in about
            # 3 s instead of 6 here
            "--preheat_kernel=True", "--pool_size=1",
            "--VoilaConfiguration.multi_kernel_manager_class="
            "analysis.apps.dashboard.CappedKernelManager",
            f"--MappingKernelManager.cull_idle_timeout={dashboard.CULL_IDLE}",
            f"--MappingKernelManager.cull_interval={dashboard.CULL_INTERVAL}",
            f"--TagRemovePreprocessor.remove_cell_tags={TUTORIAL_TAG}",
            "--TagRemovePreprocessor.enabled=True"]


def new_token() -> str:
    import secrets

    return secrets.token_hex(24)


def voila_env(env: dict | None = None, *, token: str | None = None) -> dict:
    """The environment Voilà runs in: the package's template folder first on JUPYTER_PATH, and
    the dashboard's token (``JUPYTER_TOKEN``; a new one unless given)."""
    env = dict(os.environ if env is None else env)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(JUPYTER_DATA), env.get("JUPYTER_PATH")]))
    env["JUPYTER_TOKEN"] = token or env.get("PSW_DASHBOARD_TOKEN") or new_token()
    return env


#: A Jupyter config folder whose labconfig turns JupyterLab's news pop-up and update check off.
LAB_CONFIG = PACKAGE_DIR / "_labconfig"


def lab_env(env: dict | None = None) -> dict:
    """The environment JupyterLab runs in: :data:`LAB_CONFIG` first on JUPYTER_CONFIG_PATH, so
    that no "news" pop-up asks to fetch from the internet on every visit."""
    env = dict(os.environ if env is None else env)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(LAB_CONFIG), env.get("JUPYTER_CONFIG_PATH")]))
    return env


def lab_command(root: Path, *, port: int | None = None, host: str = HOST, open_browser: bool = True,
                hide: list[str] | None = None) -> list[str]:
    """The command opening JupyterLab on ``root``; ``hide`` lists names the file browser leaves
    out (default: the training lessons when ``root`` is ``notebooks/``)."""
    if hide is None:
        hide = LAB_HIDDEN if Path(root).resolve() == notebooks_dir().resolve() else []
    cmd = [_tool("jupyter"), "lab", f"--ServerApp.root_dir={root}", f"--ServerApp.ip={host}",
           # offline: no check for a newer JupyterLab (see also lab_env: no news)
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if port is not None:
        cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    if hide:
        cmd.append(f"--ContentsManager.hide_globs={hide!r}")
    if os.name == "posix" and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd

"""How the project's browser apps start: the Voilà dashboard and JupyterLab.

``python -m analysis.apps.launch dashboard [--port 8866]`` (``make dashboard``) serves
``notebooks/explore.ipynb`` as a Voilà app on 127.0.0.1: widgets only, no code and none of the
notebook's tutorial cells (cells tagged ``tutorial`` are removed by nbconvert's
``TagRemovePreprocessor`` before the kernel runs them). A busy port is reported in one line, and
nothing is started.

``python -m analysis.apps.launch lab ROOT`` (``make lab``, ``make course``) opens JupyterLab on ROOT.
On ``notebooks/`` the training lessons are hidden from the file browser: they hold every
solution; ``make course`` writes the student edition to ``course/`` and opens that instead.

The browser tests start their servers from the same commands (:func:`voila_command`,
:func:`lab_command`), so what they test is what users run.
"""
from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.apps.launch", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="app", required=True)
    dash = sub.add_parser("dashboard", help="serve notebooks/explore.ipynb as a Voilà dashboard")
    dash.add_argument("--port", type=int, default=DASHBOARD_PORT, help="port (default 8866)")
    dash.add_argument("--ip", default=HOST,
                      help="address to listen on (default 127.0.0.1: this machine only); another "
                           "address opens the dashboard to others who can reach it and have the "
                           "token")
    dash.add_argument("--max-kernels", type=int, default=None,
                      help="pages served at once, each with its own kernel of about 200 MB "
                           "(default 6)")
    lab = sub.add_parser("lab", help="open JupyterLab on a folder")
    lab.add_argument("root", nargs="?", default=str(notebooks_dir()), help="folder (default notebooks/)")
    args = parser.parse_args(argv)
    if args.app == "dashboard":
        if not 0 < args.port < 65536:
            print(f"dashboard: port {args.port} is not a port number (1-65535)", file=sys.stderr)
            return 2
        if args.max_kernels is not None and args.max_kernels < 1:
            print(f"dashboard: --max-kernels must be 1 or more, not {args.max_kernels}",
                  file=sys.stderr)
            return 2
        if port_in_use(args.port, args.ip if args.ip not in ("0.0.0.0", "::") else HOST):
            print(f"dashboard: port {args.port} on {args.ip} is already in use (is a dashboard already running?); "
                  f"stop it or choose another port: make dashboard DASHBOARD_PORT={args.port + 1}", file=sys.stderr)
            return 2
        if args.ip != HOST:
            print(f"dashboard: WARNING: listening on {args.ip}, not 127.0.0.1: anyone who can reach "
                  "this machine and has the token can use the dashboard and its kernels; "
                  "serve it on 127.0.0.1 unless you mean to share it", file=sys.stderr, flush=True)
        env = voila_env()
        cmd = voila_command(args.port, host=args.ip, max_kernels=args.max_kernels)
        shown = HOST if args.ip in ("0.0.0.0", "::") else args.ip
        print(f"dashboard: serving explore.ipynb at http://{shown}:{args.port}/?token="
              f"{env['JUPYTER_TOKEN']} (open this URL; the token keeps other local users and web "
              "pages out; Ctrl-C stops it)", flush=True)
    else:
        root = Path(args.root)
        if not root.is_dir():
            print(f"lab: {root} is not a folder", file=sys.stderr)
            return 2
        cmd = lab_command(root)
        if LAB_HIDDEN[0] in " ".join(cmd):
            print("lab: the training lessons are not listed here (they hold the solutions); "
                  "`make course` opens the student edition", flush=True)
        env = lab_env()
    os.execve(cmd[0], cmd, env) if os.path.isabs(cmd[0]) else os.execvpe(cmd[0], cmd, env)
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())

"""``briefings dashboard`` and ``briefings lab``: the browser apps (:mod:`analysis.apps.launch`).

Each replaces this process with the server (``os.exec``), so Ctrl-C and the exit code are the
server's own.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import UsageError


def add_arguments_dashboard(parser) -> None:
    from ..apps.launch import DASHBOARD_PORT, HOST

    parser.add_argument("--port", type=int, default=DASHBOARD_PORT,
                        help=f"port (default {DASHBOARD_PORT})")
    parser.add_argument("--ip", default=HOST,
                        help="address to listen on (default 127.0.0.1: this machine only); another "
                             "address opens the dashboard to others who can reach it and have the "
                             "token")
    parser.add_argument("--max-kernels", type=int, default=None,
                        help="pages served at once, each with its own kernel of about 200 MB "
                             "(default 6)")


def run_dashboard(args) -> int:
    from ..apps.launch import HOST, port_in_use, voila_command, voila_env

    if not 0 < args.port < 65536:
        raise UsageError(f"port {args.port} is not a port number (1-65535)")
    if args.max_kernels is not None and args.max_kernels < 1:
        raise UsageError(f"--max-kernels must be 1 or more, not {args.max_kernels}")
    if port_in_use(args.port, args.ip if args.ip not in ("0.0.0.0", "::") else HOST):
        raise UsageError(f"port {args.port} on {args.ip} is already in use (is a dashboard already "
                         f"running?); stop it or choose another port: make dashboard "
                         f"DASHBOARD_PORT={args.port + 1}")
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
    return _exec(cmd, env)


def add_arguments_lab(parser) -> None:
    parser.add_argument("root", metavar="ROOT", nargs="?", default=None,
                        help="folder (default notebooks/)")


def run_lab(args) -> int:
    from ..apps.launch import LAB_HIDDEN, lab_command, lab_env
    from ..data.paths import notebooks_dir

    root = Path(args.root) if args.root is not None else notebooks_dir()
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    cmd = lab_command(root)
    if LAB_HIDDEN[0] in " ".join(cmd):
        print("lab: the training lessons are not listed here (they hold the solutions); "
              "`make course` opens the student edition", flush=True)
    return _exec(cmd, lab_env())


def _exec(cmd: list[str], env: dict) -> int:
    os.execve(cmd[0], cmd, env) if os.path.isabs(cmd[0]) else os.execvpe(cmd[0], cmd, env)
    return 0  # pragma: no cover

"""How the project starts notebook kernels: one place for the builder and the teaching kit.

Every run uses the project's own kernel (:data:`KERNEL_NAME`, which ``make install`` installs
into the project's environment and every notebook names, so that a shared JupyterLab or
JupyterHub picks the right environment), talks to it over
IPC sockets in a private folder (parallel kernels never race for TCP ports), and starts it
without ``MPLBACKEND`` (a kernel on Agg keeps no figures in its outputs).
"""
from __future__ import annotations

import os

KERNEL_NAME = "peace-security-workbook"
KERNEL_DISPLAY_NAME = "Python 3 (Peace & Security Workbook)"

#: Environment entries that silence start-up warnings of ipykernel/debugpy and jupyter_core.
QUIET_ENV = {
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
}


def ipc_config(socket_dir: str):
    """A traitlets Config giving a kernel manager the ipc transport in ``socket_dir``."""
    from traitlets.config import Config

    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(socket_dir, "kernel")
    # the connection file too: removed with the folder (not left in TMPDIR by a killed run)
    config.KernelManager.connection_file = os.path.join(socket_dir, "kernel.json")
    return config


def kernel_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a kernel starts with: ``base`` (default ours), quiet, without MPLBACKEND."""
    env = dict(os.environ if base is None else base)
    env.pop("MPLBACKEND", None)
    for key, value in QUIET_ENV.items():
        env.setdefault(key, value)
    return env

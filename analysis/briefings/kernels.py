"""How the project starts notebook kernels: one place for the builder and the teaching kit.

Every notebook names the project's kernel, :data:`KERNEL_NAME`, so that a shared JupyterLab or
JupyterHub picks the right environment. Its kernelspec is installed with the package: the wheel
ships it as shared data (``share/jupyter/kernels/peace-security-workbook/kernel.json``, from
``analysis/_kernelspec/``), and ``make install`` registers it in the checkout's environment.

The builder and ``briefings teach`` do not depend on either: they run the notebooks on the
kernel :func:`kernel_spec` makes on the fly for the running Python (the same Python whose
packages they import, so a kernel and its builder never disagree), through
:func:`kernel_manager_class`. They talk to it over IPC sockets in a private folder (parallel
kernels never race for TCP ports), and start it without ``MPLBACKEND`` (a kernel on Agg keeps no
figures in its outputs). The one thing that can still be missing, ipykernel itself, is found
before anything is written (:func:`check_kernel`).
"""
from __future__ import annotations

import os
import sys

from ..errors import UsageError

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


#: Where the kernelspec the wheel installs lives in the package (see pyproject.toml).
KERNELSPEC_FOLDER = "_kernelspec"


class KernelUnavailable(UsageError):
    """The notebooks' kernel cannot start in this Python: one line saying how to fix it."""


def check_kernel() -> None:
    """Raise :class:`KernelUnavailable` unless this Python can start the project's kernel."""
    import importlib.util

    if importlib.util.find_spec("ipykernel") is None:
        raise KernelUnavailable(
            f"the notebooks' kernel cannot start: ipykernel is not installed in {sys.executable}; "
            f"install it with `{sys.executable} -m pip install ipykernel` (nothing was written)")


def kernel_argv(python: str | None = None) -> list[str]:
    """The command line of the project's kernel for ``python`` (default: the running one)."""
    return [python or sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def kernel_spec():
    """The project's kernelspec for the running Python, made in memory (no file written)."""
    from jupyter_client.kernelspec import KernelSpec

    return KernelSpec(argv=kernel_argv(), display_name=KERNEL_DISPLAY_NAME, language="python",
                      name=KERNEL_NAME, metadata={"debugger": True}, resource_dir="")


def kernel_spec_manager_class():
    """A KernelSpecManager that answers :data:`KERNEL_NAME` with :func:`kernel_spec`."""
    from jupyter_client.kernelspec import KernelSpecManager

    class WorkbookKernelSpecManager(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str):
            if kernel_name == KERNEL_NAME:
                return kernel_spec()
            return super().get_kernel_spec(kernel_name)

    return WorkbookKernelSpecManager


def kernel_manager_class(base=None):
    """``base`` (default jupyter_client's AsyncKernelManager) starting the project's kernel for
    the running Python, whether or not a kernelspec of that name is installed anywhere."""
    if base is None:
        from jupyter_client.manager import AsyncKernelManager as base
    from traitlets import default

    spec_manager = kernel_spec_manager_class()

    class WorkbookKernelManager(base):
        @default("kernel_spec_manager")
        def _workbook_kernel_spec_manager(self):
            return spec_manager(data_dir=self.data_dir)

    WorkbookKernelManager.__name__ = f"Workbook{base.__name__}"
    return WorkbookKernelManager

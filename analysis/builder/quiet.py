"""Keep the Jupyter machinery's start-up noise away from the user's terminal.

Real problems are not hidden: a failed briefing is reported by the builder with its notebook,
cell and error, and the kernel's own stderr of a failed run is attached to that report.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings

from ..briefings.kernels import QUIET_ENV
from ..data.validate import import_jsonschema

#: Environment for the builder's processes and the kernels they start.
KERNEL_ENV = QUIET_ENV

#: Loggers that narrate kernel start-up and shutdown.
NOISY_LOGGERS = ("papermill", "nbclient", "traitlets", "jupyter_client", "asyncio")


@contextlib.contextmanager
def quiet_imports():
    """Import papermill/nbconvert without their warnings and without a 1 s detour.

    jsonschema (through nbformat) is imported first without the grammar of its IRI checks
    (:func:`analysis.data.validate.import_jsonschema`).
    """
    os.environ.update({k: v for k, v in KERNEL_ENV.items() if k not in os.environ})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import_jsonschema()
        except ImportError:  # pragma: no cover - nbformat then says so itself
            pass
        yield
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def redirect_process_output(path: str) -> None:
    """Send this process's (and its future children's) stdout and stderr to ``path``.

    Used in worker processes only: a kernel inherits these descriptors, so whatever it prints
    on start-up lands in the file, which the worker reads back when a briefing fails.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)

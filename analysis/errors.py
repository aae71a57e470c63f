"""The package's exceptions: one root, :class:`WorkbookError`.

Every error the package raises on purpose derives from it, so that a caller can catch the
package's errors without catching a bug. Only the command line (:mod:`analysis.cli`) turns them
into a one-line message and an exit code; library code never prints or exits.
"""
from __future__ import annotations


class WorkbookError(Exception):
    """Root of every error the package raises on purpose."""


class UsageError(WorkbookError):
    """Bad input from the user: printed as one line, exit code 2, nothing written."""


__all__ = ["UsageError", "WorkbookError"]

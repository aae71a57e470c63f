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


class DataFolderError(UsageError):
    """The data folder asked for (``PSW_DATA_DIR``, ``--data``) is missing or its
    ``datapackage.json`` cannot be read: one line, exit code 2."""


#: Longest piece of a user's value quoted in a message.
QUOTE_LIMIT = 80


def shorten(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of ``value`` for a message, cut to ``limit`` characters with "…" (a 100 kB
    value is named, not echoed)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["DataFolderError", "QUOTE_LIMIT", "UsageError", "WorkbookError", "shorten"]

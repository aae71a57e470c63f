"""The package's exceptions: one root, :class:`WorkbookError`.

Every error the package raises on purpose derives from it, so that a caller can catch the
package's errors without catching a bug. Only the command line (:mod:`analysis.cli`) turns them
into a one-line message and an exit code; library code never prints or exits.
"""
from __future__ import annotations

import difflib
from typing import Any


class WorkbookError(Exception):
    """Root of every error the package raises on purpose."""


class UsageError(WorkbookError):
    """Bad input from the user: printed as one line, exit code 2, nothing written."""


class DataFolderError(UsageError):
    """The data folder asked for (``PSW_DATA_DIR``, ``--data``) is missing or its
    ``datapackage.json`` cannot be read: one line, exit code 2."""


class ParameterError(UsageError, ValueError):
    """A notebook or parameter that is not declared, or a value it does not allow
    (:mod:`analysis.briefings.params` checks values; :mod:`analysis.briefings.registry` knows the
    notebooks)."""

    def __init__(self, message: str, *, notebook: str | None = None, parameter: str | None = None,
                 value: Any = None, allowed: list[str] | None = None):
        super().__init__(message)
        self.notebook, self.parameter, self.value, self.allowed = notebook, parameter, value, allowed

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: a notebook prints the message only.
        return [f"ParameterError: {self}"]


#: Longest piece of a user's value quoted in a message.
QUOTE_LIMIT = 80


def shorten(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of ``value`` for a message, cut to ``limit`` characters with "…" (a 100 kB
    value is named, not echoed)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- what is allowed: the lists and suggestions every message of a refused value gives ----------

def close_matches(value: Any, options: list[str]) -> list[str]:
    """Up to three options close to ``value`` (case-insensitive)."""
    lowered = {o.casefold(): o for o in options}
    hits = difflib.get_close_matches(str(value).casefold(), list(lowered), n=3, cutoff=0.6)
    return [lowered[h] for h in hits]


def listing(options: list[str], limit: int = 40) -> str:
    """Options joined by commas, cut after ``limit`` with a count of the rest."""
    shown = ", ".join(options[:limit])
    return shown + (f", ... ({len(options) - limit} more)" if len(options) > limit else "")


def did_you_mean(close: list[str]) -> str:
    """`` (did you mean 'a', 'b'?)`` for close matches, or nothing."""
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


__all__ = ["DataFolderError", "ParameterError", "QUOTE_LIMIT", "UsageError", "WorkbookError", "close_matches",
           "did_you_mean", "listing", "shorten"]

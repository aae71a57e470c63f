"""Compatibility: the briefing kinds now live in :mod:`analysis.briefings` (one module each).

``Briefing(notebook, **values)`` makes the briefing of kind ``notebook`` from already checked
values; new code calls :func:`analysis.briefings.open_briefing`, which checks them first.
"""
from __future__ import annotations

from typing import Any

from .briefings import figure_png, open_briefing, registry
from .briefings.base import COLUMN_LABELS

__all__ = ["Briefing", "COLUMN_LABELS", "figure_png", "open_briefing"]


def Briefing(notebook: str, *, ds=None, **values: Any):  # noqa: N802 - the old class's name
    """The briefing of kind ``notebook`` for checked ``values`` (the old ``Briefing`` class)."""
    return registry.briefing_class(notebook)(ds=ds, **values)

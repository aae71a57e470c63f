"""What every briefing derives from a dataset whatever its parameters, made once beforehand.

The builder calls :func:`precompute` in its warm process, before the briefings' processes are
forked from it (:mod:`analysis.builder.forkkernel`), so that each briefing finds these values
made instead of making them again: the regions' index, the countries' display names, the
places' names and the chapter's regions. Each is kept by :func:`analysis.data.recording.derived`,
whose hits replay the reads that made it, so a briefing served from them records the same
reads as one that made them itself (and an edit to a row they read rebuilds it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.seed import paragraphs
from . import names, regions, twins

if TYPE_CHECKING:
    from ..data.dataset import Dataset


def precompute(ds: "Dataset") -> None:
    """Make and keep, for ``ds``, the values every briefing derives from it (see above), and
    read the chapter's paragraphs once (kept per file; skipped where the text is absent)."""
    regions._index(ds)
    names._lookup(ds)
    twins._place_names(ds)
    twins._chapter_regions(ds)
    try:
        paragraphs()
    except (FileNotFoundError, ValueError):
        pass  # a briefing that needs the text says so itself

"""Draft the dataset of a new chapter from its text: ``briefings draft``.

Modules, one per concern: ``layout`` (the text into sections and paragraphs), ``gazetteer``
(name tables from the data package's context layer), ``entities`` (places, operations, offices,
partners, initiatives), ``dates``, ``numbers``, ``engagements`` (candidate rows), ``draft``
(the chapter tables), ``package`` (writing the data package), ``summary`` (what the command
prints), ``accuracy`` (the comparison of a draft with curated tables) and ``cli``.
"""
from __future__ import annotations

from .draft import Draft, DraftError, draft_chapter
from ..data.layout import LayoutError, read_chapter

__all__ = ["Draft", "DraftError", "LayoutError", "draft_chapter", "read_chapter"]

"""Split the chapter's text into sections and numbered paragraphs.

The text itself is never copied into the project: it is read from ``../shared/seed/`` when a
test or a provenance check needs it. This module gives every paragraph a stable locator,
``<section_id>/<number>`` (e.g. ``good-offices/1``), which every dataset row cites. The headings
that open the sections come from the data package's ``sections`` table; the layout rules (pull
quotes, bullets) are :mod:`analysis.data.layout`'s, shared with ``briefings draft``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .layout import Paragraph, read_chapter  # the chapter's layout rules, shared with drafting
from .paths import seed_dir

#: The seed's file name: the project's chapter text (the data package's ``chapter.text`` names it).
SEED_FILENAME = "A-72-1_chapter-II-B_peace-and-security.txt"
#: Id of section 0, the text before the first heading, when the sections table does not say.
CAPTION_SECTION = "caption"


def section_headings(folder: Path | None = None) -> tuple[dict[str, str], str]:
    """The sections of a data package: {heading: section id} in reading order, and the id of
    section 0 (the text before the first heading). Read from its ``sections`` table: the
    headings are data, not code."""
    from .paths import data_dir

    folder = Path(folder) if folder is not None else data_dir()
    path = folder / "sections.csv"
    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    return _section_headings(str(folder.resolve()), stamp)


@lru_cache(maxsize=8)
def _section_headings(folder: str, stamp: int) -> tuple[dict[str, str], str]:
    import csv

    headings, opening, rows = {}, CAPTION_SECTION, []
    path = Path(folder) / "sections.csv"

    def number(row) -> int:
        cell = (row.get("number") or "").strip()
        return int(cell) if cell.isdigit() else 10_000

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = sorted(csv.DictReader(handle), key=number)
    except (OSError, UnicodeDecodeError, csv.Error):
        rows = []
    for row in rows:  # a damaged row is left to the validator to report
        section_id, title = (row.get("section_id") or "").strip(), (row.get("title") or "").strip()
        if not section_id:
            continue
        if number(row) == 0:
            opening = section_id
        elif title:
            headings.setdefault(title, section_id)
    return headings, opening


def normalize(text: str) -> str:
    """Fold typography so that a key phrase matches the text: quotes, dashes, spaces, case."""
    text = unicodedata.normalize("NFKC", text)
    text = (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
            .replace("\u201d", '"').replace("\u2014", "-").replace("\u2013", "-"))
    return re.sub(r"\s+", " ", text).strip().casefold()


def seed_path(folder: Path | None = None) -> Path:
    return (folder or seed_dir()) / SEED_FILENAME


def seed_available(folder: Path | None = None) -> bool:
    return seed_path(folder).is_file()


@lru_cache(maxsize=8)
def _parse(path: str, headings: tuple[tuple[str, str], ...], opening: str) -> tuple[Paragraph, ...]:
    from .files import FileRefused, read_bounded

    try:
        text = read_bounded(path, kind="chapter text").decode("utf-8")
    except FileRefused as err:
        raise ValueError(str(err)) from None
    chapter = read_chapter(text, dict(headings), opening_id=opening)
    return tuple(Paragraph(p.paragraph_id, p.section_id, p.number, p.position, p.text)
                 for p in chapter.paragraphs)


def paragraphs(folder: Path | None = None) -> dict[str, Paragraph]:
    """All paragraphs of the chapter keyed by locator (raises FileNotFoundError without the seed)."""
    path = seed_path(folder)
    if not path.is_file():
        raise FileNotFoundError(f"the chapter's text is not at {path}")
    headings, opening = section_headings()
    return {p.paragraph_id: p for p in _parse(str(path), tuple(headings.items()), opening)}


def occurs_in(phrase: str, paragraph_id: str, folder: Path | None = None) -> bool:
    """True when ``phrase`` occurs in the paragraph (typography, spacing and case folded)."""
    para = paragraphs(folder).get(paragraph_id)
    return para is not None and normalize(phrase) in normalize(para.text)


def chapter_text_path(folder: Path) -> Path | None:
    """The chapter text a data package names (``chapter.text`` in its descriptor), looked up
    beside the descriptor and then in the seed folder; None when it names none or it is absent."""
    from ..errors import WorkbookError
    from .schema import read_descriptor

    try:  # the one reader: inside the folder, a regular file, capped
        descriptor = read_descriptor(Path(folder))
    except WorkbookError:
        return None
    chapter = descriptor.get("chapter") if isinstance(descriptor, dict) else None
    name = chapter.get("text") if isinstance(chapter, dict) else None
    if not name:
        return None
    from .files import FileRefused, package_file

    for base in (Path(folder), seed_dir()):
        try:
            candidate = package_file(base, name)  # a name inside the folder, links included
        except FileRefused:
            return None
        if candidate.is_file():
            return candidate
    return None


def package_paragraphs(folder: Path) -> dict[str, Paragraph] | None:
    """The paragraphs of the chapter a data package is drawn from, keyed by locator.

    A package whose descriptor names its text (``chapter.text``, e.g. a draft) is read with the
    headings of its own ``sections`` table; otherwise the seed chapter, when it is available.
    None when the text is not at hand.
    """
    path = chapter_text_path(folder)
    if path is None:
        return paragraphs() if seed_available() else None
    headings, opening = section_headings(Path(folder))
    try:
        return {p.paragraph_id: p for p in _parse(str(path), tuple(headings.items()), opening)}
    except (OSError, ValueError, UnicodeDecodeError):
        return None


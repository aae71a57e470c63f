"""The document a data package is drawn from: symbol, year, chapter, title and text.

"The document is data": every citation of the chapter ("A/72/1 II.B ¶ crisis/2"), source line
and page heading asks :func:`chapter_document` instead of holding the symbol in code. It reads
the ``chapter`` property of the data package's ``datapackage.json`` (a draft written by
``briefings draft`` carries its own), so ``PSW_DATA_DIR=DIR briefings build`` cites DIR's
document. ``DEFAULT`` is the project's own chapter, used only when a descriptor names none.

A notebook names its document by displaying it (``document.for_dataset(ds)`` as a cell's last
line shows the escaped :attr:`ChapterDocument.reference`), so no notebook text holds the symbol.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import WorkbookError

#: A UN document symbol: series letters, then slash-separated parts (A/72/1, S/2018/1234).
SYMBOL = re.compile(r"^[A-Z]{1,6}(?:/[A-Za-z0-9][A-Za-z0-9.()-]*)+$")
#: A part of a report (II.B), or nothing for a whole report.
PART = re.compile(r"^(?:[A-Z0-9]{1,8}(?:\.[A-Z0-9]{1,8}){0,3})?$")
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
YEARS = (1946, 2100)


@dataclass(frozen=True)
class ChapterDocument:
    source_id: str
    symbol: str          # "A/72/1"
    part: str            # "II.B" ("" for a whole report)
    year: int
    title: str           # "Maintenance of international peace and security"
    text: str = ""       # file name of the chapter's text, beside the descriptor or in the seed folder

    @property
    def citation(self) -> str:
        """The short citation a key point ends with: ``A/72/1 II.B``."""
        return f"{self.symbol} {self.part}".strip()

    @property
    def source_label(self) -> str:
        """The form a chart's source line uses: ``A/72/1, ch. II.B``."""
        return f"{self.symbol}, ch. {self.part}" if self.part else self.symbol

    @property
    def long_label(self) -> str:
        """``A/72/1, chapter II.B`` (page headings, the index)."""
        return f"{self.symbol}, chapter {self.part}" if self.part else self.symbol

    @property
    def reference(self) -> str:
        """The full reference for a sources list."""
        part = f", chapter {self.part}" if self.part else ""
        title = f": {self.title}" if self.title else ""
        return (f"Report of the Secretary-General on the work of the Organization ({self.symbol}), "
                f"{self.year}{part}{title}.")

    def _repr_markdown_(self) -> str:
        """How a notebook shows the document (its :attr:`reference`), escaped: the descriptor
        is data, so its symbol and title stay text, never markup."""
        from .escaping import data_text

        return f"**Source document:** {data_text(self.reference)}"

    def _repr_pretty_(self, printer, cycle) -> None:
        # IPython's text/plain: the reference, as the Markdown shows it (repr() stays the dataclass's)
        printer.text(f"Source document: {self.reference}")


#: The project's own chapter: the default when a data package does not name its document.
DEFAULT = ChapterDocument("a72-1", "A/72/1", "II.B", 2017, "Maintenance of international peace and security",
                          "A-72-1_chapter-II-B_peace-and-security.txt")


def chapter_problem(chapter) -> str | None:
    """Why a descriptor's ``chapter`` cannot be used (None when it can, or when there is none).

    The descriptor is data, and the chapter's symbol and part are printed in every citation:
    each field is checked for what it is (a document symbol, a part such as II.B, a year, a
    title, a text file name beside the descriptor), so that no markup or path gets through.
    The loader and ``validate`` both ask this."""
    from .files import member_problem

    if chapter is None:
        return None
    if not isinstance(chapter, dict):
        return "'chapter' must be an object (symbol, part, year, title, text, source_id)"
    symbol, part, year = chapter.get("symbol"), chapter.get("part", ""), chapter.get("year")
    title, text, source_id = chapter.get("title", ""), chapter.get("text", ""), chapter.get("source_id")
    if not isinstance(symbol, str) or not SYMBOL.fullmatch(symbol) or not re.search(r"\d", symbol):
        return (f"chapter.symbol {str(symbol)[:60]!r} is not a UN document symbol (expected e.g. "
                "A/72/1 or S/2018/1234: series letters, then slash-separated parts with numbers)")
    if not isinstance(part, str) or not PART.fullmatch(part):
        return (f"chapter.part {str(part)[:60]!r} is not a part of a report (expected e.g. II.B: "
                "letters or numbers separated by dots, or nothing)")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)
                             or not YEARS[0] <= year <= YEARS[1]):
        return f"chapter.year {str(year)[:60]!r} is not a year (expected a number from {YEARS[0]} to {YEARS[1]})"
    from .characters import text_problem

    if not isinstance(title, str) or len(title) > 300 or "\n" in title:
        return "chapter.title must be one line of text of at most 300 characters"
    problem = text_problem(title, long_text=False)  # control and invisible format characters
    if problem:
        return f"chapter.title {problem}"
    if source_id is not None and (not isinstance(source_id, str) or not SOURCE_ID.fullmatch(source_id)):
        return (f"chapter.source_id {str(source_id)[:60]!r} is not an id (expected lower-case "
                "letters, digits and hyphens)")
    if text:
        problem = member_problem(text) if isinstance(text, str) else "expected a file name"
        if problem or "/" in text:
            return (f"chapter.text {str(text)[:60]!r} is not a file name beside the descriptor "
                    f"({problem or 'no folders'})")
    return None


class ChapterProblem(WorkbookError, ValueError):
    """A descriptor's ``chapter`` that cannot be used (:func:`chapter_problem` says why)."""


def from_descriptor(descriptor: dict) -> ChapterDocument:
    chapter = descriptor.get("chapter") if isinstance(descriptor, dict) else None
    problem = chapter_problem(chapter)
    if problem:  # the loader refuses such a descriptor first; never printed, whoever asks
        raise ChapterProblem(problem)
    if not isinstance(chapter, dict) or not chapter.get("symbol"):
        return DEFAULT
    return ChapterDocument(str(chapter.get("source_id") or DEFAULT.source_id), str(chapter["symbol"]),
                           str(chapter.get("part", "")), int(chapter.get("year") or DEFAULT.year),
                           str(chapter.get("title") or ""), str(chapter.get("text") or ""))


@lru_cache(maxsize=8)
def _read(folder: str) -> ChapterDocument:
    from .files import read_package_file

    try:  # read as the loader reads it: inside its folder, a regular file, capped
        descriptor = json.loads(read_package_file(folder, "datapackage.json").decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # FileRefused is a ValueError
        return DEFAULT
    return from_descriptor(descriptor)


def for_dataset(ds=None) -> ChapterDocument:
    """The document of a loaded dataset (its descriptor's ``chapter``), or of the active data folder."""
    if ds is not None and getattr(ds, "schema", None) is not None:
        return from_descriptor(ds.schema.descriptor)
    return chapter_document()


def chapter_document(folder: Path | str | None = None) -> ChapterDocument:
    """The document of the data package in ``folder`` (default: the active data folder,
    ``PSW_DATA_DIR`` or the project's ``data/``)."""
    if folder is None:
        from .paths import data_dir

        try:
            folder = data_dir()
        except FileNotFoundError:
            return DEFAULT
    return _read(str(Path(folder).resolve()))

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


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


def from_descriptor(descriptor: dict) -> ChapterDocument:
    chapter = descriptor.get("chapter") if isinstance(descriptor, dict) else None
    if not isinstance(chapter, dict) or not chapter.get("symbol"):
        return DEFAULT
    return ChapterDocument(str(chapter.get("source_id") or DEFAULT.source_id), str(chapter["symbol"]),
                           str(chapter.get("part", "")), int(chapter.get("year") or DEFAULT.year),
                           str(chapter.get("title") or ""), str(chapter.get("text") or ""))


@lru_cache(maxsize=8)
def _read(folder: str) -> ChapterDocument:
    try:
        descriptor = json.loads((Path(folder) / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
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

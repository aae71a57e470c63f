"""Split the chapter's text into sections and numbered paragraphs.

The text itself is never copied into the project: it is read from ``../shared/seed/`` when a
test or a provenance check needs it. This module gives every paragraph a stable locator,
``<section_id>/<number>`` (e.g. ``good-offices/1``), which every dataset row cites.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .paths import seed_dir

SEED_FILENAME = "A-72-1_chapter-II-B_peace-and-security.txt"

#: Section ids in reading order, keyed by the heading that opens the section.
#: Section 0 is the photo caption before the first heading.
SECTION_HEADINGS: dict[str, str] = {
    "Adapting to new conflicts": "adapting",
    "Women, peace and security": "wps",
    "Youth, peace and security": "yps",
    "Use of my good offices: preventive diplomacy and mediation": "good-offices",
    "Democratic transitions and elections": "elections",
    "Crisis management": "crisis",
    "Sustaining peace": "sustaining",
    "Partnerships": "partnerships",
}
CAPTION_SECTION = "caption"


@dataclass(frozen=True)
class Paragraph:
    paragraph_id: str
    section_id: str
    number: int
    position: int
    text: str

    @property
    def word_count(self) -> int:
        return len(self.text.split())


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


def _blocks(raw: str) -> list[str]:
    blocks, current = [], []
    for line in raw.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _is_pull_quote(block: str) -> bool:
    # Pull quotes are one short line without final punctuation, printed between paragraphs.
    return "\n" not in block and not block.rstrip().endswith((".", ":", ";")) and len(block.split()) <= 20


@lru_cache(maxsize=4)
def _parse(path: str) -> tuple[Paragraph, ...]:
    raw = Path(path).read_text(encoding="utf-8")
    blocks = _blocks(raw)[1:]  # the first block is the chapter title
    section, number, position, out = CAPTION_SECTION, 0, 0, []
    for block in blocks:
        heading = re.sub(r"\s+", " ", block).strip()
        if heading in SECTION_HEADINGS:
            section, number = SECTION_HEADINGS[heading], 0
            continue
        if section != CAPTION_SECTION and _is_pull_quote(block):
            continue
        if block.lstrip().startswith("\u2022") and out:
            # A bullet list continues the paragraph that introduces it.
            last = out[-1]
            out[-1] = Paragraph(last.paragraph_id, last.section_id, last.number, last.position,
                                last.text + " " + re.sub(r"\s+", " ", block))
            continue
        number += 1
        position += 1
        out.append(Paragraph(f"{section}/{number}", section, number, position, re.sub(r"\s+", " ", block)))
    return tuple(out)


def paragraphs(folder: Path | None = None) -> dict[str, Paragraph]:
    """All paragraphs of the chapter keyed by locator (raises FileNotFoundError without the seed)."""
    path = seed_path(folder)
    if not path.is_file():
        raise FileNotFoundError(f"the chapter's text is not at {path}")
    return {p.paragraph_id: p for p in _parse(str(path))}


def occurs_in(phrase: str, paragraph_id: str, folder: Path | None = None) -> bool:
    """True when ``phrase`` occurs in the paragraph (typography, spacing and case folded)."""
    para = paragraphs(folder).get(paragraph_id)
    return para is not None and normalize(phrase) in normalize(para.text)


def chapter_text_path(folder: Path) -> Path | None:
    """The chapter text a data package names (``chapter.text`` in its descriptor), looked up
    beside the descriptor and then in the seed folder; None when it names none or it is absent."""
    import json

    try:
        descriptor = json.loads((Path(folder) / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    chapter = descriptor.get("chapter") if isinstance(descriptor, dict) else None
    name = chapter.get("text") if isinstance(chapter, dict) else None
    if not name:
        return None
    for candidate in (Path(folder) / name, seed_dir() / name):
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
    import csv

    from .drafting.layout import read_chapter

    headings, opening = {}, CAPTION_SECTION
    try:
        with (Path(folder) / "sections.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("number") == "0":
                    opening = row.get("section_id") or opening
                elif row.get("title") and row.get("section_id"):
                    headings[row["title"]] = row["section_id"]
        chapter = read_chapter(path.read_text(encoding="utf-8"), headings, opening_id=opening)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return {p.paragraph_id: Paragraph(p.paragraph_id, p.section_id, p.number, p.position, p.text)
            for p in chapter.paragraphs}

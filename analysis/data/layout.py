"""Read a chapter's plain text into its title, sections and numbered paragraphs.

The layout is the seed's: a title line, headings on their own lines, paragraphs separated by
blank lines, bullet lines that continue the paragraph introducing them, and pull quotes (a short
line repeating words of a nearby paragraph) that are not paragraphs. Every paragraph gets the
locator ``<section_id>/<n>``.

Two modes, one parser, so that a drafted package and its validation read the same paragraphs:

* ``read_chapter(raw)`` finds the headings itself (for a new text);
* ``read_chapter(raw, headings={...})`` takes the headings from a data package's ``sections``
  table (for validation and the provenance checks).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import WorkbookError

BULLETS = ("\u2022", "\u25e6", "\u25aa", "\u2023", "\u2043", "- ", "* ", "\u2013 ")
FINAL_PUNCTUATION = (".", ":", ";", "?", "!", ",")
#: A heading or pull quote is one line of at most this many words without final punctuation.
MAX_HEADING_WORDS = 20
#: A short line is a pull quote when this many consecutive words of it occur in a neighbour.
PULL_QUOTE_RUN = 6
OPENING_SECTION = "caption"
STOPWORDS = {"a", "an", "and", "the", "of", "in", "on", "for", "to", "my", "our", "its", "with", "at", "by",
             "from", "new", "use", "we", "i", "is", "are", "be"}


class LayoutError(WorkbookError, ValueError):
    """The text does not have the layout of a chapter (no headings, no paragraphs...)."""



@dataclass(frozen=True)
class Paragraph:
    """One numbered paragraph of a chapter, as the seed reader and the drafter both read it."""
    paragraph_id: str
    section_id: str
    number: int
    position: int
    text: str

    @property
    def word_count(self) -> int:
        return len(self.text.split())

@dataclass(frozen=True)
class Section:
    section_id: str
    number: int
    title: str


@dataclass(frozen=True)
class ChapterText:
    title: str
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    pull_quotes: tuple[str, ...] = field(default=())

    def paragraph(self, locator: str) -> Paragraph:
        return {p.paragraph_id: p for p in self.paragraphs}[locator]

    def by_locator(self) -> dict[str, Paragraph]:
        return {p.paragraph_id: p for p in self.paragraphs}


def fold(text: str) -> str:
    """Typography folded for matching: quotes, dashes, spaces and case (as the provenance checks)."""
    text = unicodedata.normalize("NFKC", text)
    text = (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
            .replace("\u201d", '"').replace("\u2014", "-").replace("\u2013", "-"))
    return re.sub(r"\s+", " ", text).strip().casefold()


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def blocks(raw: str) -> list[str]:
    """Runs of non-blank lines, each line stripped."""
    out, current = [], []
    for line in raw.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            out.append("\n".join(current))
            current = []
    if current:
        out.append("\n".join(current))
    return out


def is_bullet(block: str) -> bool:
    return block.lstrip().startswith(BULLETS)


def is_short_line(block: str) -> bool:
    """One line, few words, no final punctuation: a heading or a pull quote."""
    text = block.strip()
    return ("\n" not in text and not text.endswith(FINAL_PUNCTUATION) and not is_bullet(text)
            and 0 < len(text.split()) <= MAX_HEADING_WORDS)


def could_be_heading(block: str) -> bool:
    """A short line that is not a caption: no sentence ends inside it, no photo credit."""
    text = collapse(block)
    return is_short_line(block) and not re.search(r"[.!?]\s", text) and "Photo/" not in text


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", fold(text))


def _repeats_nearby(block: str, neighbours: list[str]) -> bool:
    words = _words(block)
    if len(words) < PULL_QUOTE_RUN + 2:
        return False
    for neighbour in neighbours:
        text = " " + " ".join(_words(neighbour)) + " "
        for i in range(len(words) - PULL_QUOTE_RUN + 1):
            if " " + " ".join(words[i:i + PULL_QUOTE_RUN]) + " " in text:
                return True
    return False


def slug(title: str, taken: set[str], *, words: int = 3) -> str:
    """A section id from its heading: up to three content words, lower case, ASCII letters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    tokens = [t for t in re.findall(r"[a-z]+", ascii_title.lower()) if t not in STOPWORDS]
    base = "-".join(tokens[:words]) or "section"
    candidate, n = base, 0
    while candidate in taken:
        n += 1
        candidate = f"{base}-{chr(ord('a') + n)}"
    taken.add(candidate)
    return candidate


def detect_headings(raw: str) -> dict[str, str]:
    """Headings of a new text: folded heading -> section id (in reading order)."""
    found = blocks(raw)[1:]
    headings: dict[str, str] = {}
    taken = {OPENING_SECTION}
    for i, block in enumerate(found):
        if not could_be_heading(block):
            continue
        neighbours = [b for b in found[max(0, i - 1):i] + found[i + 1:i + 2] if not is_short_line(b)]
        if _repeats_nearby(block, neighbours):
            continue
        # Before the first heading nothing is a heading if it looks like a caption line.
        title = collapse(block)
        if fold(title) not in headings:
            headings[fold(title)] = slug(title, taken)
    return headings


def read_chapter(raw: str, headings: dict[str, str] | None = None, *,
                 opening_id: str = OPENING_SECTION, opening_title: str | None = None) -> ChapterText:
    """Parse ``raw`` into a :class:`ChapterText`.

    ``headings`` maps a heading (any spacing, typography or case) to its section id; without it
    the headings are detected. Text before the first heading becomes section 0 (``opening_id``).
    Raises :class:`LayoutError` when the text has no title, no heading or no paragraph.
    """
    found = blocks(raw)
    if not found:
        raise LayoutError("the text is empty")
    title = collapse(found[0])
    if headings is None:
        headings = detect_headings(raw)
    folded = {fold(k): v for k, v in headings.items()}
    if not folded:
        raise LayoutError("the text has no headings (expected a title line, then headings on lines "
                          "of their own between paragraphs)")
    titles: dict[str, str] = {}
    counters: dict[str, int] = {}
    section, number, position = opening_id, 0, 0
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    quotes: list[str] = []
    for block in found[1:]:
        key = fold(block)
        if key in folded:
            counters[section] = number
            # A heading that comes back continues its section's numbering: locators stay unique.
            section = folded[key]
            number = counters.get(section, 0)
            if section not in titles:
                titles[section] = collapse(block)
                sections.append(Section(section, len(sections) + 1, collapse(block)))
            continue
        if section != opening_id and is_short_line(block):
            quotes.append(collapse(block))
            continue
        if is_bullet(block) and paragraphs:
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(last.paragraph_id, last.section_id, last.number, last.position,
                                       last.text + " " + collapse(block))
            continue
        number += 1
        position += 1
        paragraphs.append(Paragraph(f"{section}/{number}", section, number, position, collapse(block)))
    if not sections:
        raise LayoutError("none of the headings occurs in the text")
    if not paragraphs:
        raise LayoutError("the text has no paragraphs")
    if any(p.section_id == opening_id for p in paragraphs):
        first = opening_title or ("Photo caption" if "photo" in fold(paragraphs[0].text) else "Opening")
        sections.insert(0, Section(opening_id, 0, first))
    sections = [Section(s.section_id, i if sections[0].number == 0 else i + 1, s.title)
                for i, s in enumerate(sections)]
    return ChapterText(title, tuple(sections), tuple(paragraphs), tuple(quotes))


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs of a paragraph: split after . ! ? ; before a capital or a quote."""
    out, start = [], 0
    for match in re.finditer(r"(?<=[.!?;])\s+(?=[A-Z\u201c\"(\u2018'])", text):
        before = text[max(0, match.start() - 4):match.start()]
        if re.search(r"\b(?:No|St|Mr|Ms|Dr|Mrs|U\.S|U\.N|e\.g|i\.e|para|art|Art)\.$", before):
            continue
        out.append((start, text[start:match.start()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(o, s) for o, s in out if s.strip()]

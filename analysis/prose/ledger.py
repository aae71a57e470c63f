"""The reviewed sentence ledger: every sentence a built page prints, each read against the chapter.

:func:`sentences` is the one extractor: it reads the text of an HTML page (headings, paragraphs,
list items, captions; table cells are data, not sentences, and the build stamp is a checksum)
and its ``alt`` and ``title`` attributes, and splits the text into sentences. Inference note
numbers ("(inferred: notes 1, 3)") depend on the page's order and are read as "(inferred: note …)",
so one reviewed sentence covers every page that prints it. An element with a ``data-ledger``
attribute (a note's superscript citation or inferred mark) is read as that attribute's text, the
page's own form of the marker ("(A/72/1 II.B ¶ crisis/3)"), so a note's sentence is its full
briefing's; an empty one (a list label such as "†2") is read as nothing.

The ledger itself (``tests/ledger/sentences.tsv``) is one sentence a line, sorted, with its
verdict against the chapter and the locator it rests on (:class:`Entry`):

- ``stated``: the chapter states it; locator: the paragraphs it cites;
- ``implied, marked``: the chapter implies it and the sentence says so ("(inferred ...)");
- ``context``: a public figure beside the chapter; locator ``context:<source_id>``;
- ``none``: a "none recorded" sentence over the section's own selection; locator ``-``;
- ``summary``: a title, caption or alt text that summarises rows cited on the same page;
  locator ``page``;
- ``frame``: page furniture that makes no claim (headings, instructions); locator ``-``.

An entry may name an evidence phrase, which must occur in the (first) paragraph of its locator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

VERDICTS = ("stated", "implied, marked", "context", "none", "summary", "frame")
#: Elements whose text is not a printed sentence: table cells (data), scripts and styles, the
#: head, and the build stamp (a checksum).
_SKIP = {"td", "th", "style", "script", "head", "title"}
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "div", "tr", "dt",
           "dd", "ul", "ol", "table", "section", "header", "footer", "main", "figure", "body",
           "blockquote", "nav", "article"}
_NOTES = re.compile(r"\(inferred: notes? [\d, ]+\)")
#: A sentence ends at . ! or ? followed by a space and a capital or an opening quote; not after
#: an abbreviation ("St. Helena") and not before a bracket (a citation follows its sentence).
_SPLIT = re.compile(r"(?<=[.!?])(?<!\bSt\.)(?<!\bNo\.)\s+(?=[A-Z\u201c\"])")


def normalise(sentence: str) -> str:
    """One line of text as the ledger holds it: spaces collapsed, note numbers read as '…'."""
    sentence = " ".join(str(sentence).split())
    return _NOTES.sub("(inferred: note \u2026)", sentence)


def split(text: str) -> list[str]:
    """A block of text as sentences."""
    text = " ".join(text.split())
    return [s for s in (p.strip() for p in _SPLIT.split(text)) if s]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._buf: list[str] = []
        self._skip: list[str] = []
        self._hidden = 0  # depth inside an element read as its data-ledger text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._hidden:
            self._hidden += 1
            return
        if attrs.get("data-ledger") is not None and not self._skip:
            self._buf.append(" " + attrs["data-ledger"])
            self._hidden = 1
            return
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.append(tag)
            return
        if tag in _SKIP or "build-stamp" in (attrs.get("class") or "").split():
            self._flush()
            self._skip.append(tag)
            return
        if tag in _BLOCKS or tag == "br":
            self._flush()
        for name in ("alt", "title"):
            if attrs.get(name):
                self.blocks.append((name, attrs[name]))

    def handle_startendtag(self, tag, attrs):
        if self._hidden:  # a void element inside a marker: nothing to read
            return
        self.handle_starttag(tag, attrs)
        if self._skip and self._skip[-1] == tag and tag not in ("td", "th"):
            self._skip.pop()

    def handle_endtag(self, tag):
        if self._hidden:
            self._hidden -= 1
            return
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
                self._buf = []
            return
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self._skip and not self._hidden:
            self._buf.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if text:
            self.blocks.append(("text", text))


def sentences(html: str) -> list[tuple[str, str]]:
    """``(where, sentence)`` for every sentence the page prints: ``where`` is 'text', 'alt' or
    'title'. Alt and title attributes are one entry each (an alt text is read as one piece)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._flush()
    out = []
    for where, block in reader.blocks:
        parts = [block] if where != "text" else split(block)
        out.extend((where, normalise(p)) for p in parts if normalise(p))
    return out


def page_sentences(folder: Path) -> dict[str, set[str]]:
    """{sentence: names of the pages printing it} for every ``*.html`` page of a build."""
    out: dict[str, set[str]] = {}
    for page in sorted(Path(folder).glob("*.html")):
        for _, sentence in sentences(page.read_text(encoding="utf-8")):
            out.setdefault(sentence, set()).add(page.name)
    return out


# --- the ledger file -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One reviewed sentence: its verdict, locator (paragraphs, ``context:<id>``, ``page`` or
    ``-``) and an optional evidence phrase of the chapter."""

    sentence: str
    verdict: str
    locator: str
    evidence: str = ""

    @property
    def paragraphs(self) -> list[str]:
        if self.locator in ("-", "page") or self.locator.startswith("context:"):
            return []
        return [p.strip() for p in self.locator.split(",") if p.strip()]

    def line(self) -> str:
        return "\t".join((self.sentence, self.verdict, self.locator, self.evidence))


HEADER = "sentence\tverdict\tlocator\tevidence"


def read(path: Path) -> dict[str, Entry]:
    """The ledger's entries by sentence."""
    entries: dict[str, Entry] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if number == 1 and line == HEADER or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < 3:
            raise ValueError(f"{path}:{number}: a ledger line has sentence, verdict, locator[, evidence]")
        cells += [""] * (4 - len(cells))
        entries[cells[0]] = Entry(*cells[:4])
    return entries


def write(path: Path, entries: Iterable[Entry]) -> None:
    """The ledger, sorted by sentence, one a line."""
    rows = sorted({e.sentence: e for e in entries}.values(), key=lambda e: e.sentence)
    Path(path).write_text("\n".join([HEADER, *(e.line() for e in rows)]) + "\n", encoding="utf-8")


_CITED = re.compile(r"\([A-Z]+/[\w/.]+ [\w.]+ ¶¶? ([^)]*)\)")  # "(<symbol> <part> ¶ a/1, b/2)"
_CONTEXT = re.compile(r"\(context: ([^)]*)\)")
_QUOTED = re.compile(r"\u201c([^\u201d]+)\u201d")


def cited(sentence: str) -> list[str]:
    """The paragraph locators a sentence cites."""
    return [p.strip() for m in _CITED.finditer(sentence) for p in m.group(1).split(",") if p.strip()]


def quoted_phrases(sentence: str) -> list[str]:
    """The chapter's phrases a sentence quotes."""
    return _QUOTED.findall(sentence)

"""A two-page note of a briefing, for a meeting: its content, as data (:class:`Note`).

The note says what its full briefing says, shorter, and in the full briefing's own words: it is
made of the full briefing's parts, never of sentences of its own.

- **Key points**: three to five of the briefing's own key points, chosen by salience
  (:mod:`analysis.model.salience`: the paragraphs and rows behind each), the briefing's headline
  (``KeyPoint.headline``: the partnerships briefing's count of partners) first, never a count of the dataset
  ("the chapter's dataset holds 6 engagements" is bookkeeping, not a finding). Each is the
  page's sentence, its citation and inferred marker as superscripts (below).
- Then the full briefing's own tables, for the sections its kind declares (a theme's note shows
  only what the theme's page shows): the same section methods make them, with the same captions,
  the same categories ("counted as") and the same rows, fewer columns, and the most salient rows
  first when a table is cut to fit; a cut table says that the full briefing has every row.
- The inference notes, worded as the page words them, renumbered for the note; the sources as the
  page lists them (the chapter, and each context source the note shows).

**Markers that do not fill the line.** Where the page ends a point with its citation
"(A/72/1 II.B ¶ crisis/3)" and "(inferred: notes 2, 4)", the note prints superscripts: a
citation becomes source numbers, each leading to a numbered source line ("A/72/1, chapter II.B,
‘Crisis management’, paragraph 3": :func:`analysis.data.locators.paragraph_reference`; a context
source's line is its entry in the sources), and an inference becomes :data:`MARK` with the
numbers of its notes ("†2,4"), each note saying in words what is inferred. An inference note's
own "(¶ crisis/3)" becomes its source number too. Each :class:`Marked` keeps the page's own
forms of its markers (``citation``, ``marker``), which the ledger reads in their place
(``data-ledger``): a note's sentence stays its full briefing's. Table rows keep the page's
compact paragraph column ("crisis/3", explained by the sources' "Cited as" line) and mark their
inferences as the points do ("†3,6").

Renderers (HTML and PDF: :mod:`analysis.builder.notes`; Word: :mod:`analysis.builder.word`) lay
it out; nothing here knows about pages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..prose import text
from .displays import ReportTable
from ..model.salience import rank_items

if TYPE_CHECKING:  # pragma: no cover
    from .base import Briefing

#: How many key points a note shows, at most and at least (when the briefing has them).
KEY_POINTS = (3, 5)
#: Rows each table shows before it is cut.
LIST_LIMIT = 5
#: The suffix of a note's files: ``<id>-note.html``; a briefing id may not end with it.
SUFFIX = "-note"
#: The row that ends a cut table, and what the note says once when a table is cut.
ELLIPSIS = "\u2026"
CUT = ("Tables ending in a row of dots (\u2026) are cut to fit two pages: the full briefing's tables "
       "have every row.")
#: The note's opening lines (the same on every note): what it is, where the rest is.
INTRO = ("A two-page note for a meeting: some of the full briefing's key points and table rows, "
         "in its own words.",
         "The full briefing, with its PDF and Word versions, has every table, chart and source.")

#: The sections of a full briefing a note shows (when its kind declares them), in this order,
#: each with the columns (the page's own labels) it keeps.
NOTE_TABLES = {
    "partner_summary": ("name", "acronym", "engagements", "places", "paragraphs", "inferred"),
    "operations": ("name", "led by", "where", "status in the period", "paragraph", "inferred"),
    "offices": ("name", "kind", "where", "present through", "paragraph", "inferred"),
    "timeline": ("date", "what happened", "status", "paragraph", "inferred"),
    "partners": ("who", "counted as", "where", "what they do", "stage, as the chapter reports it",
                 "paragraph", "inferred"),
    "engagements": ("who", "where", "what they do", "paragraph", "inferred"),
    "figures": ("figure", "what it counts", "where", "target", "paragraph", "inferred"),
    "initiatives": ("name", "kind", "status", "paragraph", "inferred"),
    "context_figures": ("topic", "period", "value", "what it counts", "region", "note",
                        "context source"),
}

#: The mark of an inferred point (followed by the numbers of its inference notes).
MARK = "\u2020"
#: The line before the note's inference notes (the page says "marks *(inferred)*").
INFERENCES_INTRO = f"What this note marks {MARK} the chapter implies but does not state:"


def marks_label(numbers) -> str:
    """The superscript of an inferred point or row: "†2,4" ('' for none)."""
    numbers = list(numbers)
    return f"{MARK}{','.join(str(n) for n in numbers)}" if numbers else ""


def numbers_label(numbers) -> str:
    """The superscript of a citation: "1,3"."""
    return ",".join(str(n) for n in numbers)


@dataclass(frozen=True)
class Marked:
    """A sentence of the note and its markers: ``sources`` (numbers of the note's source lines
    it cites), ``inferred`` (numbers of the inference notes it rests on), and the page's own
    forms of both (``citation`` "(A/72/1 II.B ¶ crisis/3)", ``marker`` "(inferred: notes 2, 4)"),
    which the ledger reads in their place. ``rest``: text after the markers (an inference
    note's reason, after its source number)."""

    text: str
    sources: tuple[int, ...] = ()
    inferred: tuple[int, ...] = ()
    citation: str = ""
    marker: str = ""
    rest: str = ""

    @property
    def plain(self) -> str:
        """As the page prints it (the ledger's reading)."""
        return " ".join(p for p in (self.text, self.citation, self.marker) if p) + self.rest


@dataclass(frozen=True)
class SourceLine:
    """A numbered source line of the note: a chapter paragraph (``locator`` "crisis/3", ``text``
    "A/72/1, chapter II.B, ‘Crisis management’, paragraph 3") or a context source (``locator``
    "context:<source id>", ``text`` its entry in the sources, Markdown)."""

    number: int
    locator: str
    text: str

    @property
    def is_context(self) -> bool:
        return self.locator.startswith("context:")


class SourceNumbers:
    """The note's source lines, numbered in the order the note first cites them."""

    def __init__(self, ds) -> None:
        self.ds = ds
        self._lines: dict[str, SourceLine] = {}

    def number(self, locator: str) -> int:
        if locator not in self._lines:
            from ..data.locators import paragraph_reference

            if locator.startswith("context:"):
                entry = text.sources_list((), [locator.removeprefix("context:")], ds=self.ds)
                line = next((ln.removeprefix("- ") for ln in entry.splitlines()
                             if ln.startswith("- Context:")), text.escape(locator))
            else:
                line = text.escape(paragraph_reference(locator, ds=self.ds)) + "."
            self._lines[locator] = SourceLine(len(self._lines) + 1, locator, line)
        return self._lines[locator].number

    def numbers(self, paragraphs=(), context=()) -> tuple[int, ...]:
        found = [self.number(p) for p in paragraphs] + [self.number(f"context:{c}") for c in context]
        return tuple(sorted(dict.fromkeys(found)))

    def lines(self) -> list[SourceLine]:
        return sorted(self._lines.values(), key=lambda line: line.number)


_DATASET_COUNT = re.compile(r"\bdataset holds\b|\bchapter records? \d+ records?\b", re.I)
#: A point that opens with a number of records ("2 partners outside the UN work with the UN
#: here: AU and EU") summarises a table the note shows anyway: it leads only when nothing else can.
_LIST_COUNT = re.compile(r"^\d+ (?:[\w-]+ ){0,3}(?:operations?|offices?|envoys?|partners?|"
                         r"engagements?|events?|figures?|initiatives?|records?)\b"
                         r"|\b\d+ engagements?\b")
_NUMBER = re.compile(r"\d+")


@dataclass
class NoteTable:
    """One of the full briefing's tables, as the note shows it: ``table`` (its caption and the
    rows shown), ``total`` (the rows of the full briefing's table)."""

    section: str
    table: ReportTable
    total: int

    @property
    def rows(self):
        """The rows shown (the page's), without the row of dots that ends a cut table."""
        frame = self.table.frame
        return frame.iloc[:-1] if self.is_cut else frame

    @property
    def is_cut(self) -> bool:
        return self.total > len(self.table.frame) - 1 and len(self.table.frame) and \
            str(self.table.frame.iloc[-1, 0]) == ELLIPSIS

    @property
    def cut(self) -> str:
        return CUT if self.is_cut else ""


@dataclass
class Note:
    """A briefing's note: title, key points (Markdown, as the page prints them), tables,
    inferences and sources (Markdown, as the page prints them)."""

    briefing_id: str
    title: str
    key_points: list[str]
    tables: list[NoteTable]
    inferences: list[tuple[int, str]]
    sources: str
    document: str
    intro: tuple[str, ...] = INTRO
    #: the full briefing's file, which the note's title links to
    full: str = ""
    #: the Inference of each note number (for tests and renderers: what a mark stands for)
    inferred: dict[int, object] = field(default_factory=dict, repr=False)
    #: the key points with their markers (``key_points``: their sentences)
    points: list[Marked] = field(default_factory=list)
    #: the inference notes with their markers (the source number of each one's paragraph)
    notes: list[tuple[int, Marked]] = field(default_factory=list)
    #: the numbered source lines the superscripts lead to
    source_lines: list[SourceLine] = field(default_factory=list)

    @property
    def cut(self) -> str:
        """What the note says once when any of its tables is cut."""
        return CUT if any(t.is_cut for t in self.tables) else ""



def is_dataset_count(point: "text.KeyPoint") -> bool:
    """Whether a key point only counts the dataset's records (never a note's key point)."""
    return bool(_DATASET_COUNT.search(point.text))


def _chosen_points(brief: "Briefing", key_points: int) -> list["text.KeyPoint"]:
    """The key points a note shows: the briefing's own, by salience, never a dataset count;
    points that open with a count of a list come after the findings."""
    ds = brief.ds
    points = [p for p in brief.points if p.text and not is_dataset_count(p)]

    def by_salience(found):
        return rank_items(found, ds=ds, paragraphs=lambda p: p.paragraphs,
                          entities=lambda p: [tuple(str(i.key).split(":", 1)) for i in p.inferences
                                              if ":" in str(getattr(i, "key", ""))])

    headlines = [p for p in points if p.headline]
    findings = [p for p in points if not _LIST_COUNT.match(p.text) and not p.headline]
    summaries = [p for p in points if _LIST_COUNT.match(p.text) and not p.headline]
    ranked = headlines + by_salience(findings) + by_salience(summaries)
    return ranked[:max(KEY_POINTS[0], min(key_points, KEY_POINTS[1]))]


def _page_tables(brief: "Briefing") -> list[tuple[str, ReportTable, list[list]]]:
    """(section, table, the inferences of each row) of every table section the kind declares
    that the note shows, made by the page's own section methods."""
    out = []
    for section in NOTE_TABLES:
        if section not in brief.kind.sections:
            continue
        shown = getattr(brief, section)()
        if not isinstance(shown, ReportTable) or not len(shown.frame):
            continue
        numbered = brief.notes.by_number()
        frame = shown.frame
        rows = []
        for k in range(len(frame)):
            mark = str(frame["inferred"].iloc[k]) if "inferred" in frame else ""
            rows.append([numbered[int(n)] for n in _NUMBER.findall(mark) if int(n) in numbered])
        out.append((section, shown, rows))
    return out


def _row_paragraphs(frame, k: int) -> list[str]:
    for column in ("paragraph", "paragraphs"):
        if column in frame:
            value = frame[column].iloc[k]
            return [p.strip() for p in str(value).split(",") if p.strip()]
    return []


def make_note(brief: "Briefing", briefing_id: str, *, limit: int | None = LIST_LIMIT,
              key_points: int = KEY_POINTS[1], tables=None, context_ids: list | None = None,
              rankings: dict | None = None) -> Note:
    """The note of ``brief`` (an opened briefing), whose full version is ``briefing_id``
    (``limit`` None: every row of every table; ``tables``: :func:`_page_tables` of ``brief``,
    when already made; ``context_ids``: the source of each of ``brief.context_rows()``, when
    already read; ``rankings``: a dict kept between calls with the same ``tables``, where each
    cut table's rows are ranked once)."""
    import pandas as pd

    from ..data.document import for_dataset

    ds = brief.ds
    notes = text.InferenceNotes()  # the note's own numbering: key points first, then rows
    sources = SourceNumbers(ds)  # the same: key points first, then the inference notes
    chosen = _chosen_points(brief, key_points)
    points = [Marked(p.text, sources.numbers(p.paragraphs, p.context_sources),
                     tuple(notes.numbers(p.inferences)), p.citation,
                     text.inferred_marker(p.inferences, notes)) for p in chosen]
    cited_context = [s for p in chosen for s in p.context_sources]
    rankings = {} if rankings is None else rankings
    context: list[str] = []
    shown_tables = []
    for section, shown, inferences in (_page_tables(brief) if tables is None else tables):
        frame = shown.frame
        order = list(range(len(frame)))
        if limit is not None and len(order) > limit and shown.ranked:
            # a ranked table keeps its top rows (sixth reading: the EU, first with 7, was cut)
            order = order[:limit]
        elif limit is not None and len(order) > limit:
            # what the chapter states before what it only implies, each by salience (seventh
            # reading: a timeline kept the two events dated from outside the chapter)
            def ranked(rows):
                return rank_items(rows, ds=ds, paragraphs=lambda k: _row_paragraphs(frame, k))

            if section not in rankings:  # the same at every step: made once
                implied = [k for k in order
                           if inferences is not None and k < len(inferences) and inferences[k]]
                rankings[section] = ranked([k for k in order if k not in implied]) + ranked(implied)
            keep = set(rankings[section][:limit])
            order = [k for k in order if k in keep]  # the page's order (dates stay in order)
        cut = frame.iloc[order].copy()
        if "inferred" in cut:
            cut["inferred"] = [marks_label(notes.numbers(inferences[k])) for k in order]
        if section == "context_figures":  # the page's rows, in the page's order
            if context_ids is None:
                context_ids = list(brief.context_rows()["source_id"])
            context += [context_ids[k] for k in order]
        if section == "offices" and "present through" in frame:  # coverage, a context fact
            names = [n for n, p in zip(frame["name"].iloc[order], frame["present through"].iloc[order])
                     if "coverage" in str(p)]
            if names:  # (none: no lookup, so no selection that matches nothing is recorded)
                context += text.coverage_sources(
                    ds.offices.loc[ds.offices["name"].isin(names), "office_id"], ds=ds)
        columns = [c for c in NOTE_TABLES[section] if c in cut.columns]
        if "inferred" in columns and not any(cut["inferred"]):
            columns.remove("inferred")
        cut = cut[columns]
        if len(order) < len(frame):  # a row of dots ends a cut table
            cut = pd.concat([cut.astype(object), pd.DataFrame([[ELLIPSIS] * len(columns)],
                                                              columns=columns)], ignore_index=True)
        shown_tables.append(NoteTable(section, ReportTable(cut, shown.caption), len(frame)))
    document = for_dataset(ds)
    numbered = notes.by_number()
    inference_notes = []
    for number, sentence in notes.sentences():  # "about (¶ p): reason", its ¶ a source number
        paragraph = numbered[number].paragraph
        where = f" (\u00b6 {paragraph})"
        if paragraph and where in sentence:
            before, _, after = sentence.partition(where)
            inference_notes.append((number, Marked(before, sources.numbers([paragraph]),
                                                   citation=where.strip(), rest=after)))
        else:
            inference_notes.append((number, Marked(sentence)))
    listed = [c for c in dict.fromkeys(context) if c not in cited_context]
    note = Note(briefing_id, brief.title, [p.text for p in chosen], shown_tables,
                notes.sentences(), text.sources_list((), listed, ds=ds), document.long_label,
                full=f"{briefing_id}.html", points=points, notes=inference_notes,
                source_lines=sources.lines())
    note.inferred = numbered
    return note


#: How a note is shortened until it fits, step by step: (rows per table, key points).
SHORTER = ((5, 5), (4, 5), (3, 5), (3, 4), (2, 4), (2, 3), (1, 3))


def _note_inputs(brief: "Briefing") -> dict:
    """What every step of a briefing's note is made from (:func:`make_note`'s keywords): the
    page's tables and context sources, made once, and the tables' rankings, filled by the
    first step that cuts each table."""
    tables = _page_tables(brief)
    context_ids = (list(brief.context_rows()["source_id"])
                   if any(section == "context_figures" for section, _, _ in tables) else None)
    return {"tables": tables, "context_ids": context_ids, "rankings": {}}


def fitted_note(brief: "Briefing", briefing_id: str, *, start: int = 0) -> tuple[Note, int]:
    """The longest note (of :data:`SHORTER`, from step ``start``) whose estimated length fits
    two pages, and its step (a renderer that finds it still too long asks for the next)."""
    return _fitted(brief, briefing_id, start, _note_inputs(brief))


def _fitted(brief: "Briefing", briefing_id: str, start: int, inputs: dict) -> tuple[Note, int]:
    step = start
    while True:
        limit, keys = SHORTER[step]
        note = make_note(brief, briefing_id, limit=limit, key_points=keys, **inputs)
        if estimated_lines(note) <= 2 * PAGE_LINES or step == len(SHORTER) - 1:
            return note, step
        step += 1


def note_steps(brief: "Briefing", briefing_id: str, *, shorter: bool = True
               ) -> list[tuple[int, Note]]:
    """The note of ``brief`` as :func:`fitted_note` first makes it, then each shorter step of
    :data:`SHORTER` after it ((step, note) pairs): a renderer whose PDF of the first runs past
    two pages takes the next, without the briefing. ``shorter`` False: the first alone (what
    a renderer that counts no pages takes)."""
    inputs = _note_inputs(brief)
    first, step = _fitted(brief, briefing_id, 0, inputs)
    steps = [(step, first)]
    for later in range(step + 1, len(SHORTER)) if shorter else ():
        limit, keys = SHORTER[later]
        steps.append((later, make_note(brief, briefing_id, limit=limit, key_points=keys,
                                       **inputs)))
    return steps


__all__ = ["CUT", "ELLIPSIS", "INFERENCES_INTRO", "INTRO", "KEY_POINTS", "LIST_LIMIT", "MARK",
           "NOTE_TABLES", "Marked", "Note", "NoteTable", "SUFFIX", "SourceLine", "SourceNumbers",
           "estimated_lines", "marks_label", "numbers_label", "fitted_note", "is_dataset_count", "make_note", "note_steps"]


#: About how many characters a line of the note holds (body, tables and notes), and how many
#: lines two A4 pages hold (title, headings and spacing counted as lines): the budget a note's
#: tables are cut to, so that the page and the Word file both stay within two pages.
LINE_CHARS = (92, 118)
PAGE_LINES = 50


def estimated_lines(note: Note) -> int:
    """A rough count of the lines the note takes (an upper estimate, for cutting tables)."""
    def lines(value: str, width: float) -> int:
        return max(1, -(-len(value) // max(1, int(width))))

    body, small = LINE_CHARS
    total = 4 + sum(lines(s, body) for s in (*note.intro, note.cut))  # kicker, title, intro
    total += 2 + sum(lines(p, body) for p in note.key_points)
    for shown in note.tables:
        table = shown.table
        widths = table.column_widths()
        total += 4  # caption, header row (often two lines), space after
        for values in table.frame.itertuples(index=False, name=None):
            total += max(lines(str(v), small * w / 100) for v, w in zip(values, widths)) * 0.9
    total += 2 + sum(int(lines(s, small) * 0.8 + 0.5) for _, s in note.inferences)
    total += 2 + int(lines(note.sources, small) * 0.8)
    total += sum(int(lines(line.text, small) * 0.8 + 0.5) for line in note.source_lines)
    return int(total + 0.5)

"""A two-page note of a briefing, for a meeting: its content, as data (:class:`Note`).

The note says what its full briefing says, shorter, and in the full briefing's own words: it is
made of the full briefing's parts, never of sentences of its own.

- **Key points**: three to five of the briefing's own key points, chosen by salience
  (:mod:`analysis.model.salience`: the paragraphs and rows behind each), the briefing's headline
  (``KeyPoint.headline``: the partnerships briefing's count of partners) first, never a count of the dataset
  ("the chapter's dataset holds 6 engagements" is bookkeeping, not a finding). Each is the
  page's sentence, with its citation and its "(inferred: note n)" marker.
- Then the full briefing's own tables, for the sections its kind declares (a theme's note shows
  only what the theme's page shows): the same section methods make them, with the same captions,
  the same categories ("counted as") and the same rows, fewer columns, and the most salient rows
  first when a table is cut to fit; a cut table says that the full briefing has every row.
- The inference notes, worded as the page words them, renumbered for the note; the sources as the
  page lists them (the chapter, and each context source the note shows).

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
    "partners": ("who", "counted as", "where", "what they do", "how the chapter puts it",
                 "paragraph", "inferred"),
    "engagements": ("who", "where", "what they do", "paragraph", "inferred"),
    "figures": ("figure", "what it counts", "where", "target", "paragraph", "inferred"),
    "initiatives": ("name", "kind", "status", "paragraph", "inferred"),
    "context_figures": ("topic", "period", "value", "what it counts", "region", "context source"),
}

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

    @property
    def cut(self) -> str:
        """What the note says once when any of its tables is cut."""
        return CUT if any(t.is_cut for t in self.tables) else ""

    @property
    def key_points_markdown(self) -> str:
        return "\n".join(f"{n}. {text.escape(p)}" for n, p in enumerate(self.key_points, 1))

    @property
    def inferences_markdown(self) -> str:
        if not self.inferences:
            return ""
        return "\n".join([text.INFERENCES_INTRO_MARKDOWN, ""] +
                         [f"{n}. {text.escape(s)}" for n, s in self.inferences])


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
              key_points: int = KEY_POINTS[1], tables=None, context_ids: list | None = None) -> Note:
    """The note of ``brief`` (an opened briefing), whose full version is ``briefing_id``
    (``limit`` None: every row of every table; ``tables``: :func:`_page_tables` of ``brief``,
    when already made; ``context_ids``: the source of each of ``brief.context_rows()``, when
    already read)."""
    import pandas as pd

    from ..data.document import for_dataset

    ds = brief.ds
    notes = text.InferenceNotes()  # the note's own numbering: key points first, then rows
    chosen = _chosen_points(brief, key_points)
    points = [p.markdown(notes) for p in chosen]
    context: list[str] = [s for p in chosen for s in p.context_sources]
    shown_tables = []
    for section, shown, inferences in (_page_tables(brief) if tables is None else tables):
        frame = shown.frame
        order = list(range(len(frame)))
        if limit is not None and len(order) > limit:
            keep = set(rank_items(order, ds=ds, paragraphs=lambda k: _row_paragraphs(frame, k),
                                  limit=limit))
            order = [k for k in order if k in keep]  # the page's order (dates stay in order)
        cut = frame.iloc[order].copy()
        if "inferred" in cut:
            cut["inferred"] = [text.inferred_marker(inferences[k], notes).strip("()")
                               .replace("inferred: ", "") for k in order]
        if section == "context_figures":  # the page's rows, in the page's order
            if context_ids is None:
                context_ids = list(brief.context_rows()["source_id"])
            context += [context_ids[k] for k in order]
        if section == "offices" and "present through" in frame:  # coverage, a context fact
            names = [n for n, p in zip(frame["name"].iloc[order], frame["present through"].iloc[order])
                     if "coverage" in str(p)]
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
    sources = text.sources_list((), context, ds=ds)
    note = Note(briefing_id, brief.title, points, shown_tables, notes.sentences(), sources,
                document.long_label, full=f"{briefing_id}.html")
    note.inferred = notes.by_number()
    return note


#: How a note is shortened until it fits, step by step: (rows per table, key points).
SHORTER = ((5, 5), (4, 5), (3, 5), (3, 4), (2, 4), (2, 3), (1, 3))


def fitted_note(brief: "Briefing", briefing_id: str, *, start: int = 0) -> tuple[Note, int]:
    """The longest note (of :data:`SHORTER`, from step ``start``) whose estimated length fits
    two pages, and its step (a renderer that finds it still too long asks for the next)."""
    tables = _page_tables(brief)  # the page's tables and context sources, made once
    context_ids = (list(brief.context_rows()["source_id"])
                   if any(section == "context_figures" for section, _, _ in tables) else None)
    step = start
    while True:
        limit, keys = SHORTER[step]
        note = make_note(brief, briefing_id, limit=limit, key_points=keys, tables=tables,
                         context_ids=context_ids)
        if estimated_lines(note) <= 2 * PAGE_LINES or step == len(SHORTER) - 1:
            return note, step
        step += 1


def note_steps(brief: "Briefing", briefing_id: str) -> list[tuple[int, Note]]:
    """The note of ``brief`` as :func:`fitted_note` first makes it, then each shorter step of
    :data:`SHORTER` after it ((step, note) pairs): a renderer whose PDF of the first runs past
    two pages takes the next, without the briefing."""
    first, step = fitted_note(brief, briefing_id)
    tables = _page_tables(brief)  # the page's own (made once: see shown_once)
    context_ids = (list(brief.context_rows()["source_id"])
                   if any(section == "context_figures" for section, _, _ in tables) else None)
    steps = [(step, first)]
    for later in range(step + 1, len(SHORTER)):
        limit, keys = SHORTER[later]
        steps.append((later, make_note(brief, briefing_id, limit=limit, key_points=keys,
                                       tables=tables, context_ids=context_ids)))
    return steps


__all__ = ["CUT", "ELLIPSIS", "INTRO", "KEY_POINTS", "LIST_LIMIT", "NOTE_TABLES", "Note", "NoteTable", "SUFFIX",
           "estimated_lines", "fitted_note", "is_dataset_count", "make_note", "note_steps"]


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
    return int(total + 0.5)

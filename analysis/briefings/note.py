"""A two-page note of a briefing, for a meeting: its content, as data (:class:`Note`).

The note says what its briefing says, shorter:

- **Key points**: three to five of the briefing's own key points, chosen by salience
  (:mod:`analysis.salience`: the paragraphs and rows behind each), never a count of the dataset
  ("the chapter's dataset holds 6 engagements" is bookkeeping, not a finding).
- Then a few lines each: **who is present** (operations, offices and envoys), **what happened**
  (dated events), **who works with the UN** (partners outside the UN), **figures** (as the
  chapter prints them) and **context** (public figures, labelled as context, with their source).
- A list cut to fit says so: "5 of 17; all in the full briefing", so that a count still matches
  what it counts.
- Every line keeps its citations (paragraph locators, numbered by the renderer as superscript
  note numbers leading to "A/72/1, chapter II.B, 'Crisis management', paragraph 3") and its
  inferences, in words (what is inferred and why), with no internal ids.

Renderers (HTML and PDF: :mod:`analysis.builder.notes`; Word: :mod:`analysis.builder.word`) lay
it out; nothing here knows about pages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import queries, text
from ..salience import rank_items

if TYPE_CHECKING:  # pragma: no cover
    from .base import Briefing

#: How many key points a note shows, at most and at least (when the briefing has them).
KEY_POINTS = (3, 5)
#: Lines each list shows before it is cut ("5 of 17; all in the full briefing").
LIST_LIMIT = 5
#: The suffix of a note's files: ``<id>-note.html``; a briefing id may not end with it.
SUFFIX = "-note"

_INLINE_INFERRED = re.compile(r"\s*\((?:([^()]*?):\s*)?inferred(?::[^()]*)?\)")
_SEE_ROW = re.compile(r"[;,]?\s*(?:see|See) [a-z_]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*?"
                      r"(?=[.;,)]?(?:\s|$))")
#: Dataset tables a note may name, in words (a reader does not know the tables).
TABLE_WORDS = {"operation_facts": "the operations' public facts (context, not the chapter)",
               "office_coverage": "the offices' public coverage (context, not the chapter)"}
_TABLE_NAME = re.compile(r"\b(?:" + "|".join(TABLE_WORDS) + r")\b")
_DATASET_COUNT = re.compile(r"\bdataset holds\b|\bchapter records? \d+ records?\b", re.I)
#: A point that opens with a number of records ("2 partners outside the UN work with the UN
#: here: AU and EU") summarises a list the note shows anyway: it leads only when nothing else can.
_LIST_COUNT = re.compile(r"^\d+ (?:[\w-]+ ){0,3}(?:operations?|offices?|envoys?|partners?|"
                         r"engagements?|events?|figures?|initiatives?|records?)\b"
                         r"|\b\d+ engagements?\b")
#: How an office is present, in words (``presence`` of :func:`analysis.queries.offices_in`).
PRESENCE = {"based": "based here", "coverage": "its area covers this (context: its coverage)",
            "engagement": "engaged here"}


@dataclass(frozen=True)
class Inferred:
    """What a line infers, in words: what (``about``) and why (``why``)."""

    about: str
    why: str


@dataclass(frozen=True)
class Line:
    """One line of a note: our words, the paragraphs it cites, its inferences, its context
    sources (labels, never ids)."""

    text: str
    paragraphs: tuple[str, ...] = ()
    inferred: tuple[Inferred, ...] = ()
    context: tuple[str, ...] = ()
    #: the (table, id) of what the line is about, for its salience (never shown)
    entities: tuple[tuple[str, str], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Part:
    """A part of the note: a heading and its lines; ``total`` is how many there were before
    the list was cut (equal to ``len(lines)`` when it was not)."""

    title: str
    lines: tuple[Line, ...]
    total: int
    #: what the lines are, for the cut sentence ("5 of 17 dated events; all in the full briefing")
    what: str = "lines"

    @property
    def cut(self) -> str:
        if self.total <= len(self.lines):
            return ""
        return f"{len(self.lines)} of {self.total} {self.what}; all in the full briefing."


@dataclass(frozen=True)
class Citation:
    """Where a paragraph is: "A/72/1, chapter II.B, 'Crisis management', paragraph 3"."""

    locator: str
    text: str


@dataclass
class Note:
    """A briefing's note: title, what it is, its parts, and what the footer carries."""

    briefing_id: str
    title: str
    intro: str
    key_points: Part
    parts: list[Part]
    document: str
    sources: list[str] = field(default_factory=list)

    @property
    def all_parts(self) -> list[Part]:
        return [self.key_points, *self.parts]

    @property
    def lines(self) -> list[Line]:
        return [line for part in self.all_parts for line in part.lines]

    def citations(self) -> list[Citation]:
        """Every paragraph cited, numbered in the order of first use (number = index + 1)."""
        seen = dict.fromkeys(p for line in self.lines for p in line.paragraphs)
        return [Citation(p, self._where.get(p, f"{self.document}, paragraph {p}")) for p in seen]

    def inferences(self) -> list[Inferred]:
        """Every inference shown, in the order of first use (marked †1, †2...)."""
        return list(dict.fromkeys(i for line in self.lines for i in line.inferred))

    _where: dict[str, str] = field(default_factory=dict, repr=False)


def is_dataset_count(point: "text.KeyPoint") -> bool:
    """Whether a key point only counts the dataset's records (never a note's key point)."""
    return bool(_DATASET_COUNT.search(point.text))


def reader_words(value: str) -> str:
    """A sentence of the data without pointers to dataset rows ("; see operations.MINUSMA")."""
    words = _TABLE_NAME.sub(lambda m: TABLE_WORDS[m.group(0)], _SEE_ROW.sub("", str(value)))
    return " ".join(words.split())


def _point_text(value: str) -> str:
    """A key point's sentence with its inline "(inferred)" markers taken out (the note marks
    the whole line with † and says what is inferred in a footnote); "(UNOWAS: inferred)"
    keeps "(UNOWAS)"."""
    return " ".join(_INLINE_INFERRED.sub(lambda m: f" ({m.group(1)})" if m.group(1) else "",
                                         value).split())


def _inferred(inferences) -> tuple[Inferred, ...]:
    found = []
    for inference in inferences:
        if inference is None:
            continue
        item = Inferred(reader_words(text._no_final_stop(inference.about)),
                        reader_words(text._no_final_stop(inference.note)))
        if item not in found:
            found.append(item)
    return tuple(found)


def _inferred_entities(inferences) -> list[tuple[str, str]]:
    """(table, id) of the rows a point's inferences concern (their ``key``: "operations:MINUSMA")."""
    found = []
    for inference in inferences:
        table, _, record = str(getattr(inference, "key", "")).partition(":")
        if table and record:
            found.append((table, record))
    return found


def _paragraphs(values) -> tuple[str, ...]:
    return tuple(text.ordered_paragraphs([v for v in values if isinstance(v, str)]))


def _part(title: str, lines: list[Line], what: str, limit: int | None = LIST_LIMIT,
          ds=None) -> Part | None:
    """A part of at most ``limit`` lines: when cut, the most salient ones (what the chapter says
    most about), shown in their own order (dates stay in order)."""
    if not lines:
        return None
    if limit is None:
        return Part(title, tuple(lines), len(lines), what)
    if len(lines) > limit and ds is not None:
        chosen = set(rank_items(list(range(len(lines))), ds=ds,
                                paragraphs=lambda k: lines[k].paragraphs,
                                entities=lambda k: lines[k].entities, limit=limit))
        shown = [line for k, line in enumerate(lines) if k in chosen]
    else:
        shown = lines[:limit]
    return Part(title, tuple(shown), len(lines), what)


def paragraph_places(ds) -> dict[str, str]:
    """Each paragraph locator's place in the document, in words."""
    from ..document import for_dataset

    document = for_dataset(ds).long_label
    sections = dict(zip(ds.sections["section_id"], ds.sections["title"]))
    out = {}
    for _, row in ds.paragraphs.iterrows():
        section = sections.get(row["section_id"], row["section_id"])
        out[str(row["paragraph_id"])] = (f"{document}, '{section}', paragraph "
                                         f"{int(row['number'])}")
    return out


#: How a note is shortened until it fits, step by step: (lines per list, key points).
SHORTER = ((5, 5), (4, 5), (3, 5), (3, 4), (2, 4), (2, 3), (1, 3))


def fitted_note(brief: "Briefing", briefing_id: str, *, start: int = 0) -> tuple[Note, int]:
    """The longest note (of :data:`SHORTER`, from step ``start``) whose estimated length fits
    two pages, and its step (a renderer that finds it still too long asks for the next)."""
    whole = make_note(brief, briefing_id, limit=None)  # every line once; then cut
    step = start
    while True:
        limit, keys = SHORTER[step]
        note = shortened(whole, limit, keys, ds=brief.ds)
        if estimated_lines(note) <= 2 * PAGE_LINES or step == len(SHORTER) - 1:
            return note, step
        step += 1


def shortened(note: Note, limit: int, key_points: int, *, ds) -> Note:
    """``note`` (made with every line) with at most ``key_points`` key points and ``limit``
    lines a list (context: at most 3)."""
    keys = note.key_points.lines[:max(KEY_POINTS[0], min(key_points, KEY_POINTS[1]))]
    parts = [_part(p.title, list(p.lines), p.what, min(limit, 3) if p.title == "Context"
                   else limit, ds) for p in note.parts]
    cut = Note(note.briefing_id, note.title, note.intro,
               Part(note.key_points.title, tuple(keys), len(keys), note.key_points.what),
               [p for p in parts if p is not None], note.document, list(note.sources))
    cut._where = note._where
    return cut


def make_note(brief: "Briefing", briefing_id: str, *, limit: int | None = LIST_LIMIT,
              key_points: int = KEY_POINTS[1]) -> Note:
    """The note of ``brief`` (an opened briefing), whose full version is ``briefing_id``
    (``limit`` None: every line of every list)."""
    from ..document import for_dataset

    ds = brief.ds
    sel = brief.selection
    # key points: the briefing's own, by salience, never a dataset count
    points = [p for p in brief.points if p.text and not is_dataset_count(p)]

    def by_salience(found):
        return rank_items(found, ds=ds, paragraphs=lambda p: p.paragraphs,
                          entities=lambda p: _inferred_entities(p.inferences))

    findings = [p for p in points if not _LIST_COUNT.match(p.text)]
    summaries = [p for p in points if _LIST_COUNT.match(p.text)]
    ranked = by_salience(findings) + by_salience(summaries)
    key_lines = [Line(_point_text(p.text), tuple(p.paragraphs), _inferred(p.inferences),
                      tuple(queries.source_label(s, ds=ds) for s in p.context_sources))
                 for p in ranked[:max(KEY_POINTS[0], min(key_points, KEY_POINTS[1]))]]
    shown_points = Part("Key points", tuple(key_lines), len(key_lines), "key points")

    parts: list[Part | None] = []
    # who is present
    present: list[Line] = []
    ops = queries.operations_in(sel, ds=ds)
    for _, row in ops.iterrows():
        status = text.status_label(row.get("status"))
        present.append(Line(f"{row['name']} ({row['operation_id']}): peace operation, "
                            f"{status} in the reporting period",
                            _paragraphs([row.get("paragraph"), row.get("status_paragraph")]),
                            _inferred([text.row_inference(row, "operations"),
                                       text.status_inference(row, ds=ds)]),
                            entities=(("operations", str(row["operation_id"])),)))
    offices = queries.offices_in(sel, ds=ds)
    for _, row in offices.iterrows():
        presence = [PRESENCE[p.strip()] for p in str(row.get("presence") or "").split(",")
                    if p.strip() in PRESENCE]
        how = f"; {', '.join(presence)}" if presence else ""
        reference = text._capitalize_first(text.office_reference(row))
        where = f" ({row['place']})" if isinstance(row.get("place"), str) \
            and row["place"] not in reference else ""
        present.append(Line(f"{reference}{where}: {row['kind']}{how}",
                            _paragraphs([row.get("paragraph")]),
                            _inferred(text.inferences_of([row], "offices")),
                            entities=(("offices", str(row["office_id"])),)))
    parts.append(_part("Who is present", present, "operations, offices and envoys", limit, ds))
    # what happened
    events = queries.timeline(sel, theme=brief.themes, ds=ds)
    happened = [Line(f"{text.event_date(row)}: {text._no_final_stop(row['description'])}",
                     _paragraphs([row.get("paragraph")]),
                     _inferred(text.inferences_of([row], "events")))
                for _, row in events.iterrows()]
    parts.append(_part("What happened", happened, "dated events", limit, ds))
    # who works with the UN (partners outside the UN only: a UN body, a government or a party
    # to a conflict is not a partner)
    acts = queries.partner_activities(brief.partner_filter(), sel, ds=ds)
    relations = dict(zip(ds.partners["partner_id"], ds.partners["relation_to_un"]))
    acts = acts[[relations.get(p) == "outside the UN" for p in acts["partner_id"]]]
    partners = []
    for _, row in acts.iterrows():
        where = row.get("place")
        where = f" ({where})" if isinstance(where, str) and where else ""
        name = row.get("acronym") if isinstance(row.get("acronym"), str) and row.get("acronym") \
            else row["actor"]
        partners.append(Line(f"{name}{where}: {text._lower_first(text._no_final_stop(row['activity']))}",
                             _paragraphs([row.get("paragraph")]),
                             _inferred(text.engagement_inferences(row, ds=ds)),
                             entities=tuple((t, str(row[c])) for t, c in
                                            (("partners", "partner_id"), ("places", "place_id"))
                                            if isinstance(row.get(c), str))))
    parts.append(_part("Who works with the UN", partners, "partner engagements", limit, ds))
    # figures, as the chapter prints them
    figures = brief.chapter_figures()
    figure_lines = []
    for _, row in figures.iterrows():
        value = text.figure_value(row)
        counts = text._no_final_stop(row["counts"])
        line = counts[0].upper() + counts[1:] if counts else ""
        if value.casefold() not in counts.casefold():
            line += f": {value}"
        figure_lines.append(Line(line, _paragraphs([row.get("paragraph")]),
                                 _inferred(brief._figure_inferences(row))))
    parts.append(_part("Figures the chapter states", figure_lines, "figures", limit, ds))
    # context, labelled, with its source
    context_sources: list[str] = []
    if brief.include_context and brief.context_fits():
        rows = brief.context_rows()
        context_lines = []
        for _, row in rows.iterrows():
            source = queries.source_label(row["source_id"], ds=ds)
            context_sources.append(row["source_id"])
            point = text.public_figure_point(row, ds=ds)  # "Context, not from the chapter: ..."
            context_lines.append(Line(text._no_final_stop(point.text), (), (), (source,)))
        parts.append(_part("Context", context_lines, "context figures",
                           None if limit is None else min(limit, 3), ds))

    document = for_dataset(ds)
    full = f"{briefing_id}.html"
    about = f" ({document.title})" if document.title else ""
    intro = (f"A two-page note on {brief.label}, from {document.long_label}{about}. "
             f"The full briefing ({full}, with its PDF and Word "
             f"versions) has every table, chart and source.")
    note = Note(briefing_id, brief.title, intro, shown_points, [p for p in parts if p is not None],
                document.long_label)
    note._where = paragraph_places(ds)
    note.sources = [document.reference] + [queries.source_label(s, ds=ds)
                                           for s in dict.fromkeys(context_sources)]
    return note


__all__ = ["Citation", "Inferred", "KEY_POINTS", "LIST_LIMIT", "Line", "Note", "Part", "SUFFIX",
           "is_dataset_count", "make_note", "reader_words"]


#: About how many characters a line of the note holds (body and notes), and how many lines two
#: A4 pages hold (title, headings and spacing counted as lines): the budget a note's lists are
#: cut to, so that the page and the Word file both stay within two pages.
LINE_CHARS = (92, 118)
PAGE_LINES = 50


def estimated_lines(note: Note) -> int:
    """A rough count of the lines the note takes (an upper estimate, for cutting lists)."""
    def lines(text: str, width: int) -> int:
        return max(1, -(-len(text) // width))

    body, small = LINE_CHARS
    total = 4 + lines(note.intro, body)  # kicker, title (two lines' height), intro
    for part in note.all_parts:
        if part.lines:
            total += 2 + sum(lines(line.text + " 12,13 †1,2", body) for line in part.lines)
            total += 1 if part.cut else 0
    notes = "; ".join(c.text for c in note.citations())
    total += 2 + int(lines(notes, small) * 0.8)
    total += sum(int(lines(f"†1 {i.about}: {i.why}.", small) * 0.8 + 0.5) for i in note.inferences())
    total += 2 + sum(lines(s, small) for s in note.sources)
    return total

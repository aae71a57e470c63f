"""Briefing prose written from the data, in our own words, with a citation after every point.

Sentences are assembled from fields (names, dates, counts and the short activity and event
descriptions the dataset itself words); nothing is taken from the report's text. Each
:class:`KeyPoint` ends with its citation: chapter paragraphs as ``(A/72/1 II.B ¶ crisis/3)``,
public context figures as ``(context: UN press release GA/11927)``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Sequence

from ..model import queries
from ..data.escaping import data_text as escape  # the one escaper for data text
from .formatting import agree, figure_value, flag_set, format_value, plural, public_value
from ..data.locators import paragraph_locators, reading_position
from ..model.names import in_sentence

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..data.dataset import Dataset

#: Below this many records a filter is said to have little data.
FEW_RECORDS = 3
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class Inference:
    """What the chapter only implies, behind a point, a table row or a chart mark.

    ``about`` says what is inferred (our words: "MINUSTAH's status in the period: closing"),
    ``note`` why (the row's ``inference_note``), ``paragraph`` the passage read; ``key``
    (``table:record``) lists each inference once in a briefing's Inferences section.
    """

    about: str
    note: str
    paragraph: str = ""
    key: str = ""

    @property
    def id(self) -> str:
        """What makes two inferences one note: the same thing inferred for the same reason."""
        return f"{self.about}|{self.note}"


class InferenceNotes:
    """The inferences a briefing showed, numbered in the order it showed them.

    Points and table rows print ``(inferred: note 2)``; :meth:`markdown` lists the notes, so the
    reader reaches the reason of each.
    """

    def __init__(self) -> None:
        self._notes: dict[str, tuple[int, Inference]] = {}

    def number(self, inference: Inference) -> int:
        if inference.id not in self._notes:
            self._notes[inference.id] = (len(self._notes) + 1, inference)
        return self._notes[inference.id][0]

    def numbers(self, inferences: Iterable[Inference]) -> list[int]:
        return sorted(dict.fromkeys(self.number(i) for i in inferences))

    def __len__(self) -> int:
        return len(self._notes)

    def by_number(self) -> dict[int, Inference]:
        """The inferences numbered so far, by number."""
        return {number: inference for number, inference in self._notes.values()}

    def sentences(self) -> list[tuple[int, str]]:
        """(number, sentence) of each note, as the Inferences section prints it (plain text):
        what it concerns, its paragraph, why."""
        out = []
        for number, inference in sorted(self._notes.values(), key=lambda n: n[0]):
            out.append((number, inference_sentence(inference)))
        return out

    def markdown(self) -> str:
        """The Inferences section: each note with what it concerns and its paragraph."""
        if not self._notes:
            return ""
        lines = ["**Inferences**", "", INFERENCES_INTRO_MARKDOWN, ""]
        for number, inference in sorted(self._notes.values(), key=lambda n: n[0]):
            lines.append(f"{number}. {inference_sentence(inference, markdown=True)}")
        return "\n".join(lines)


#: The line before the list of inference notes (Markdown, and as it reads).
INFERENCES_INTRO_MARKDOWN = "What this briefing marks *(inferred)* the chapter implies but does not state:"
INFERENCES_INTRO = "What this briefing marks (inferred) the chapter implies but does not state:"


def inference_sentence(inference: "Inference", *, markdown: bool = False) -> str:
    """One inference note as a reader reads it: "MINUSMA as the operation meant (¶ crisis/3):
    The chapter speaks of ...". ``markdown``: its data text escaped for Markdown."""
    keep = escape if markdown else str
    where = f" (¶ {inference.paragraph})" if inference.paragraph else ""
    return (f"{keep(_no_final_stop(inference.about))}{where}: "
            f"{keep(_no_final_stop(reader_note(inference.note)))}.")


#: A curator's cross-reference in a note ("; see operations.MINUSCA"), and a table's name, which a
#: reader of a page does not need: dropped or said in words (:func:`reader_note`).
_CROSS_REFERENCE = __import__("re").compile(
    r"[;,]?\s*see (?:operations|offices|partners|places|initiatives|events|figures|engagements|"
    r"situations)\.[\w-]+(?:\s*/\s*[\w.-]+)?")


def reader_note(note: str) -> str:
    """An inference note as a reader reads it: curators' cross-references to table rows dropped,
    table names said in words."""
    text = _CROSS_REFERENCE.sub("", str(note))
    text = text.replace("Dates from operation_facts.", "")  # its sources are listed under Sources
    text = " ".join(text.split()).replace(" .", ".").replace(";.", ".")
    return text if text.endswith(".") or not text else text + "."


#: The marker after the citation of a point (or in a table's column) resting on an inference.
INFERRED = "inferred"


def inferred_marker(inferences: Iterable[Inference], notes: "InferenceNotes | None" = None) -> str:
    """'(inferred)', or '(inferred: note 2)' / '(inferred: notes 1, 3)' when ``notes`` numbers them;
    '' when there is no inference."""
    inferences = list(inferences)
    if not inferences:
        return ""
    if notes is None:
        return f"({INFERRED})"
    numbers = notes.numbers(inferences)
    label = "note" if len(numbers) == 1 else "notes"
    return f"({INFERRED}: {label} {', '.join(str(n) for n in numbers)})"


@dataclass(frozen=True)
class KeyPoint:
    """One point of a briefing: a sentence of ours, what it cites, and what it infers."""

    text: str
    paragraphs: tuple[str, ...] = ()
    context_sources: tuple[str, ...] = ()
    citation: str = ""
    inferences: tuple[Inference, ...] = ()
    #: The briefing's headline finding (the partnerships briefing's count of partners): a note
    #: always shows it first, even though it opens with a count.
    headline: bool = False

    @property
    def inferred(self) -> bool:
        return bool(self.inferences)

    def markdown(self, notes: "InferenceNotes | None" = None) -> str:
        """The sentence, its citation and, when it rests on an inference, the marker after it."""
        return " ".join(p for p in (self.text, self.citation, inferred_marker(self.inferences, notes)) if p)

    def __str__(self) -> str:
        return self.markdown()

    def teaser(self, ds: "Dataset | None" = None, *, cited: int = 3) -> str:
        """The point for the index page: its sentence, its citation (the paragraphs counted when
        there are more than ``cited``) and a plain '(inferred)' (the index lists no notes)."""
        citation = self.citation  # in full: the index page's sentence cites what the page cites
        return " ".join(p for p in (self.text, citation, inferred_marker(self.inferences)) if p)


# --- inferences --------------------------------------------------------------------------------

#: Per chapter table: its key and the column that says what a row is about.
_ABOUT = {"operations": ("operation_id", "name"), "offices": ("office_id", "name"),
          "situations": ("situation_id", "description"),
          "engagements": ("engagement_id", "activity"), "events": ("event_id", "description"),
          "figures": ("figure_id", "counts"), "initiatives": ("initiative_id", "name"),
          "partners": ("partner_id", "name"), "places": ("place_id", "name"),
          "themes": ("theme_id", "name")}


def row_inference(row, table: str, *, about: str | None = None) -> Inference | None:
    """The inference of one row of chapter table ``table`` (None when the row is stated)."""
    if not flag_set(row.get("inferred")):
        return None
    key_column, about_column = _ABOUT.get(table, ("", ""))
    key = str(row.get(key_column, "")) if key_column else ""
    if about is None:
        about = str(row.get(about_column) or key)
        if table == "operations":  # our own id ('UNMISS-RPF') is never shown: its name is
            label = key if "-" not in key or not isinstance(row.get("name"), str) else f"The {row['name']}"
            about = f"{label} as the operation meant"
        elif table == "engagements" and isinstance(row.get("actor"), str):
            about = f"{row['actor']}: {_lower_first(about)}"
        elif table == "figures":
            about = f"{about}: {figure_value(row)}"
    note = row.get("inference_note")
    note = note if isinstance(note, str) and note else "implied by the chapter, not stated"
    paragraph = row.get("paragraph")
    return Inference(about, note, paragraph if isinstance(paragraph, str) else "", f"{table}:{key}")


def event_place_inferences(event_row, *, ds: "Dataset | None" = None) -> tuple[Inference, ...]:
    """The inferences of an event's places (``event_places`` rows the chapter only implies,
    e.g. the United Kingdom for a conference "held in London"): a table row that lists the
    place carries them."""
    ds = queries.dataset(ds)
    links = ds.event_places
    links = links[links["event_id"] == event_row["event_id"]]
    implied = queries.inferred_links(links, ds)
    links = links[[(str(e), str(p)) in implied for e, p in zip(links["event_id"], links["place_id"])]]
    if not len(links):
        return ()
    places = ds.places[ds.places["place_id"].isin(sorted(links["place_id"]))]
    names = dict(zip(places["place_id"], places["name"]))
    rows = {p: r for p, (_, r) in zip(places["place_id"], places.iterrows())}
    found = []
    for _, link in links.iterrows():
        place = names.get(link["place_id"], link["place_id"])
        # the link is inferred, or the place itself is (the chapter names only a city in it)
        source = link if flag_set(link["inferred"]) else rows.get(link["place_id"], link)
        inferred = row_inference(source, "event_places", about=f"{place} as a place of this event")
        if inferred is not None:
            found.append(Inference(inferred.about, inferred.note, inferred.paragraph,
                                   f"event_places:{link['event_id']}:{link['place_id']}"))
    return tuple(found)


def inferences_of(rows, table: str) -> tuple[Inference, ...]:
    """The inferences of the rows (a DataFrame, or an iterable of rows) of chapter table ``table``."""
    if hasattr(rows, "iterrows"):
        rows = [r for _, r in rows.iterrows()]
    found = (row_inference(r, table) for r in rows)
    return tuple(dict.fromkeys(i for i in found if i is not None))


def status_inference(row, *, ds: "Dataset | None" = None) -> Inference | None:
    """The inference behind an operation's status in the reporting period (``operation_status``)."""
    ds = queries.dataset(ds)
    status = ds.operation_status
    rows = status[status["operation_id"] == row["operation_id"]]
    if not len(rows) or not flag_set(rows.iloc[0]["inferred"]):
        return None
    found = rows.iloc[0]
    basis = found["basis"] if isinstance(found.get("basis"), str) else ""
    note = found["inference_note"] if isinstance(found.get("inference_note"), str) else ""
    label = operation_label(found["operation_id"], ds=ds)  # never our own id ('UNMISS-RPF')
    note = reader_note(note).replace("Operation not named in this passage.",  # one sentence per note
                                     f"The passage does not name {label}.")
    return Inference(f"{_capitalize_first(label)}'s status in the reporting period: {found['status']}",
                     " ".join(p for p in (_no_final_stop(basis) + "." if basis else "", note) if p),
                     str(found["paragraph"]), f"operation_status:{found['operation_id']}")


def actor_inference(row, *, ds: "Dataset | None" = None) -> Inference | None:
    """The inference behind an engagement's actor (an operation or office the chapter does not
    name), None when the actor is named."""
    table, actor_id = row.get("actor_table"), row.get("actor_id")
    if not isinstance(table, str) or not isinstance(actor_id, str):
        return None
    from ..data import recording

    ds = queries.dataset(ds)

    def make(ds) -> Inference | None:
        key = _ABOUT[table][0]
        rows = ds[table][ds[table][key] == actor_id]
        return row_inference(rows.iloc[0], table) if len(rows) else None

    # once per dataset and actor (asked for each of its engagements, in every section): a hit
    # replays the reads, so the briefing still depends on that actor's row
    return recording.derived(ds, ("text.actor_inference", table, actor_id), make)


def engagement_inferences(row, *, ds: "Dataset | None" = None) -> tuple[Inference, ...]:
    """An engagement's own inference and its actor's."""
    found = (row_inference(row, "engagements"), actor_inference(row, ds=ds))
    return tuple(i for i in found if i is not None)


def period_inference(*, ds: "Dataset | None" = None) -> Inference | None:
    """The inference behind the reporting period's bounds (``reporting_period``)."""
    row = reporting_period(ds=ds)
    if row is None or not flag_set(row.get("inferred")):
        return None
    return Inference(f"The reporting period's bounds: {row['label']}", str(row["inference_note"]),
                     str(row["paragraph"]), "reporting_period:" + str(row["source_id"]))


def reporting_period(*, ds: "Dataset | None" = None):
    """The chapter's row of ``reporting_period`` (None when the table is empty)."""
    ds = queries.dataset(ds)
    frame = ds.reporting_period
    chapter = frame[frame["source_id"] == "a72-1"] if "source_id" in frame else frame
    frame = chapter if len(chapter) else frame
    return frame.iloc[0] if len(frame) else None


def period_phrase(*, ds: "Dataset | None" = None, marked: bool = False) -> str:
    """'the reporting period (mid-2016 to mid-2017, approximately)'; ``marked``: where no
    inference note follows (a note's stamp), the bounds marked inferred when they are, with the
    paragraph they rest on: '… (mid-2016 to mid-2017, approximately; bounds inferred from the chapter's dated events)'."""
    row = reporting_period(ds=ds)
    if row is None:
        return "the reporting period"
    approx = ", approximately" if str(row.get("precision")) == "approximate" else ""
    if marked and period_inference(ds=ds) is not None:
        approx += f"; bounds {INFERRED} from the chapter's dated events"
    return f"the reporting period ({row['label']}{approx})"


# --- citations ---------------------------------------------------------------------------------

def ordered_paragraphs(paragraphs: Iterable[str], *, ds: "Dataset | None" = None) -> list[str]:
    """Distinct paragraph locators in reading order (values like "a/1, b/2" are split).

    The order is the chapter's (:mod:`analysis.data.locators`); ``ds`` is accepted for compatibility.
    """
    return paragraph_locators(paragraphs)


def cite(paragraphs: Iterable[str], *, ds: "Dataset | None" = None) -> str:
    """The chapter citation of ``paragraphs``, e.g. ``(A/72/1 II.B ¶¶ wps/1, sustaining/6)``."""
    paras = ordered_paragraphs(paragraphs, ds=ds)
    if not paras:
        return ""
    mark = "¶" if len(paras) == 1 else "¶¶"
    return f"({chapter_citation(ds)} {mark} {', '.join(paras)})"


def chapter_citation(ds: "Dataset | None" = None) -> str:
    """How the chapter is cited (``A/72/1 II.B``): from the data package's ``chapter``, so that a
    draft of another report cites that report."""
    from ..data.document import for_dataset

    return for_dataset(ds).citation


def cite_context(source_ids: Iterable[str], *, ds: "Dataset | None" = None) -> str:
    """The citation of context sources, e.g. ``(context: UN press release GA/11927)``."""
    ids = list(dict.fromkeys(s for s in source_ids if isinstance(s, str)))
    if not ids:
        return ""
    return "(context: " + "; ".join(queries.source_label(s, ds=ds) for s in ids) + ")"


def chapter_point(text: str, paragraphs: Iterable[str], *, ds: "Dataset | None" = None,
                  inferences: Iterable[Inference | None] = ()) -> KeyPoint:
    """A key point resting on chapter paragraphs (and on ``inferences``, marked after the citation)."""
    inferences = tuple(dict.fromkeys(i for i in inferences if i is not None))
    paras = tuple(ordered_paragraphs(paragraphs, ds=ds))
    return KeyPoint(_sentence(text), paras, (), cite(paras, ds=ds), inferences)


def context_point(text: str, source_ids: Iterable[str], *, ds: "Dataset | None" = None) -> KeyPoint:
    """A key point resting on public context sources (never on the chapter)."""
    ids = tuple(dict.fromkeys(s for s in source_ids if isinstance(s, str)))
    return KeyPoint(_sentence(text), (), ids, cite_context(ids, ds=ds))


# --- wording helpers ---------------------------------------------------------------------------

def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _series(items: Sequence[str], limit: int = 6) -> str:
    items = [str(i) for i in items if isinstance(i, str) and i]
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        items = items[:limit] + [f"{len(items) - limit} more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _no_final_stop(text: str) -> str:
    return str(text).strip().rstrip(".")


def format_date(label: str) -> str:
    """A date label (YYYY, YYYY-MM, YYYY-MM-DD or a period A/B) written out in words."""
    label = str(label)
    if "/" in label:
        start, end = label.split("/", 1)
        return f"{format_date(start)}\u2013{format_date(end)}"
    parts = label.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return label


def event_date(row) -> str:
    """An event's date as the chapter writes it (events.date_as_written, e.g. 'early 2017'), else
    its normalised label in words (a date the chapter does not give: the row is inferred)."""
    written = row.get("date_as_written") if hasattr(row, "get") else None
    if isinstance(written, str) and written:
        return written
    if hasattr(row, "get") and "date_as_written" in row:  # the chapter gives no date: say so
        return f"{format_date(row['date_label'])} (date not in the chapter)"
    return format_date(row["date_label"])


# --- messages ----------------------------------------------------------------------------------

def no_data_message(label: str, *, what: str = "chapter records", records: int = 0,
                    inferred: int = 0) -> str:
    """An honest note for a filter with no or few records (Markdown, one paragraph); ``inferred``
    of the ``records`` are tied to it only by inference, and marked so."""
    if records == 0:
        return (f"**Little or no data.** The dataset holds no {what} for {label}. "
                f"This briefing is therefore short: it has nothing to chart or map, and the "
                f"sections below stay empty. The World briefing or a wider region gives the "
                f"chapter's overall picture.")
    mark = "" if not inferred else (" (inferred)" if records == 1 else
                                    " (all inferred)" if inferred >= records else f" ({inferred} inferred)")
    return (f"**Little data.** Only {plural(records, 'chapter record')}{mark} "
            f"{agree(records, 'concerns', 'concern')} {label}; "
            f"the points below give all the chapter says about it, and any context marked as such.")


def section_note(what: str, label: str) -> str:
    """A one-line note for a briefing section with nothing to show."""
    return f"_The chapter records no {what} for {label}._"


# --- key points --------------------------------------------------------------------------------

def inferred_counts(region, *, ds: "Dataset | None" = None) -> dict[str, int]:
    """How many of the chapter records counted by :func:`analysis.model.queries.records_in` are
    inferred, per table."""
    ds = queries.dataset(ds)
    ids = queries.place_ids(queries.selection(region, ds), ds)
    out = {}
    for table in (*queries.PLACED_TABLES, "events"):
        frame = ds[table]
        if ids is not None:
            if table == "events":
                links = ds.event_places
                frame = frame[frame["event_id"].isin(list(links.loc[links["place_id"].isin(list(ids)),
                                                                    "event_id"]))]
            else:
                frame = frame[frame["place_id"].isin(list(ids))]
        out[table] = int(sum(flag_set(v) for v in frame["inferred"]))
    return out


#: How a key point speaks of operations of each status in the reporting period.
STATUS_WORDS = {
    "active": "active in {period}",
    "planned": "planned (decided, not yet operating in the period)",
    "deploying": "deploying in the period",
    "closing": "closing (drawdown planned, still deployed in the period)",
    "closed": "closed before or during the period",
}
STATUS_ORDER = tuple(STATUS_WORDS)


def operation_label(operation_id: str, *, ds: "Dataset | None" = None) -> str:
    """An operation as a reader knows it: its acronym, or its name when the id is ours
    ('UNMISS-RPF' is the Regional Protection Force (within UNMISS))."""
    operation_id = str(operation_id)
    if "-" not in operation_id:
        return operation_id
    ds = queries.dataset(ds)
    names = dict(zip(ds.operations["operation_id"], ds.operations["name"]))
    return "the " + names.get(operation_id, operation_id)


def operation_in_place(operation_id: str, place, *, ds: "Dataset | None" = None) -> str:
    """'MINUSCA in the Central African Republic', 'MINUSTAH in Haiti'."""
    label = operation_label(operation_id, ds=ds)
    return f"{label} in {in_sentence(place, ds)}" if isinstance(place, str) else label


def operation_points(region, *, ds: "Dataset | None" = None) -> list[KeyPoint]:
    """One point per status of the selection's UN peace operations in the reporting period (only
    the active ones are said to be active), then one for the operations the AU leads alone or with
    the UN (never counted as UN operations). Each point renders one finding."""
    from . import findings

    ds = queries.dataset(ds)
    points, period_said = [], False
    for status in STATUS_ORDER:
        found = findings.operations(region, ds=ds, status=status)
        if not found:
            continue
        inferences = list(found.inferences)
        wording = STATUS_WORDS[status]
        if "{period}" in wording:
            wording = wording.format(period=period_phrase(ds=ds) if not period_said else "the period")
            inferences.append(period_inference(ds=ds))
            period_said = True
        points.append(chapter_point(f"{found.counted()} {wording}: {_series(_as_put(found, status, ds), limit=12)}",
                                    found.paragraphs, ds=ds, inferences=inferences))
    for status in STATUS_ORDER:  # a force within an operation: apart, never counted as one
        force = findings.forces(region, ds=ds, status=status)
        if force:
            wording = STATUS_WORDS[status].format(period="the period")
            points.append(chapter_point(f"{force.counted()} {wording}: {_series(_as_put(force, status, ds))}",
                                        force.paragraphs, ds=ds, inferences=force.inferences))
    other = findings.operations(region, ds=ds, led_by_un=False)
    if other:
        points.append(chapter_point(
            f"{other.counted()}, where the chapter cites UN-AU cooperation: {_series(other.labels())}",
            other.paragraphs, ds=ds, inferences=other.inferences))
    return points


def _as_put(found, status: str, ds: "Dataset") -> list[str]:
    """The finding's labels; an operation still deploying carries how the chapter puts its
    deployment, quoted from its own engagement ("(its deployment, in the chapter's words, “has
    generated minimal progress”)"), so that no page points elsewhere for it."""
    from .modality import quoted

    labels = found.labels()
    if status != "deploying" or found.rows is None:
        return labels
    eng = ds.engagements
    out = []
    for label, operation_id in zip(labels, found.rows["operation_id"]):
        phrases = [quoted(p) for p in eng.loc[eng["operation_id"] == operation_id, "modality_evidence"]
                   if isinstance(p, str) and p]
        out.append(f"{label} (its deployment, in the chapter's words, {phrases[0]})" if phrases else label)
    return out


def office_reference(row) -> str:
    """An office or envoy as the chapter speaks of it: its own name when the chapter names it,
    else the chapter's words for it ("the Special Representative for West Africa and the Sahel"
    for UNOWAS, which the chapter does not name)."""
    reference = row.get("chapter_reference")
    if flag_set(row.get("inferred")) and isinstance(reference, str) and reference:
        words = reference.split(" ", 1)
        if words[0].lower() == "my" and len(words) > 1:
            return "the " + words[1]
        return reference
    actor_id = str(row.get("office_id") or row.get("actor_id") or "")
    return actor_id if actor_id.isalpha() and actor_id.isupper() and len(actor_id) > 2 else str(row["name"])


#: How an office point begins, by how the office is present.
OFFICE_LEADS = {
    "based": "Offices and envoys whose area, as the chapter names it, lies in {label}",
    "engagement": "Offices and envoys with an engagement the chapter ties to {label}",
    "coverage": "Offices whose area (context: their coverage, source: {sources}) includes {part}{label}",
}


def coverage_sources(office_ids: Iterable[str], *, ds: "Dataset | None" = None) -> list[str]:
    """The context sources (``office_coverage.source_id``) that hold these offices' coverage."""
    ds = queries.dataset(ds)
    cov = ds.office_coverage
    ids = [str(o) for o in office_ids if isinstance(o, str)]
    found = cov.loc[cov["office_id"].isin(ids)]
    order = {o: k for k, o in enumerate(dict.fromkeys(ids))}
    found = found.assign(_k=found["office_id"].map(order)).sort_values("_k", kind="stable")
    return list(dict.fromkeys(s for s in found["source_id"] if isinstance(s, str)))


def source_name(source_id: str, *, ds: "Dataset | None" = None) -> str:
    """A context source by its title's first words ("the UNOWAS website"), else its short label."""
    ds = queries.dataset(ds)
    rows = ds.sources[ds.sources["source_id"] == source_id]
    if len(rows) and isinstance(rows.iloc[0]["title"], str) and ":" in rows.iloc[0]["title"]:
        return "the " + rows.iloc[0]["title"].split(":", 1)[0].strip()
    return queries.source_label(source_id, ds=ds)


def coverage_source_phrase(office_ids: Iterable[str], *, ds: "Dataset | None" = None) -> str:
    """'the UNOWAS website' (the sources of these offices' coverage, in a series)."""
    return _series([source_name(s, ds=ds) for s in coverage_sources(office_ids, ds=ds)], limit=12)


def office_points(region, *, ds: "Dataset | None" = None) -> list[KeyPoint]:
    """The offices and envoys present, each as the chapter speaks of it, the office it implies
    marked inferred; by how they are present (their own area, an engagement, or only their
    coverage, a context fact): an envoy is never said to be placed where only an engagement
    ties it. Each point renders one finding."""
    from . import findings

    ds = queries.dataset(ds)
    if region is None:
        found = findings.offices(None, ds=ds)
        return [chapter_point(f"Offices and envoys the chapter names: {_series(found.labels(mark=False), limit=12)}",
                              found.paragraphs, ds=ds, inferences=found.inferences)] if found else []
    label = in_sentence(region.label, ds)
    points = []
    for presence, lead in OFFICE_LEADS.items():
        found = findings.offices(region, ds=ds, presence=presence)
        if found:
            part = "" if region.kind == "country" else "part of "  # a country: wholly covered
            office_ids = list(found.rows["office_id"]) if presence == "coverage" else []
            point = chapter_point(f"{lead.format(label=label, part=part, sources=coverage_source_phrase(office_ids, ds=ds))}: "
                                  f"{_series(found.labels(mark=False), limit=12)}",
                                  found.paragraphs, ds=ds, inferences=found.inferences)
            if office_ids:  # the coverage is context: its sources go to the page's and note's lists
                point = replace(point, context_sources=tuple(coverage_sources(office_ids, ds=ds)))
            points.append(point)
    return points


def office_listed(row) -> str:
    """An office in a list (see :func:`_office_listed`)."""
    return _office_listed(row)


def _office_listed(row) -> str:
    """An office in a list: a specific chapter reference with the office it implies marked
    ("the Special Representative for West Africa and the Sahel (UNOWAS: inferred)"); else its name."""
    if not flag_set(row.get("inferred")):
        return office_reference(row)
    reference = office_reference(row)
    short = row["office_id"] if str(row["office_id"]).isalpha() else None
    if len(reference.split()) > 3 and short:
        return f"{reference} ({short}: {INFERRED})"
    return f"{row['name']} ({INFERRED})"


def _actor_label(row) -> str:
    acronym = row.get("acronym")
    label = acronym if isinstance(acronym, str) and acronym else str(row["name"])
    return f"the {label}" if row.get("article") == "the" else label


#: The groups of actors a briefing names, in order, and how a point begins for each.
ACTOR_POINT_LEADS = {
    "partners": "{counted}{here}",
    "other": "{What}{here}",
    "UN system": "{What}{here}",
    "government": "{What}{here}",
    "party to a conflict": "{What}{here}",
    "generic": "{What}{here}",
}


def partner_points(region, *, ds: "Dataset | None" = None, theme=None) -> list[KeyPoint]:
    """Partners the chapter says work with the UN (counted); then, each apart and never counted
    as partners, the other organizations named without a stated cooperation, UN bodies,
    governments and parties to a conflict. Each point renders one finding."""
    from . import findings

    ds = queries.dataset(ds)
    here = " here" if region is not None else ""
    points = []
    for group, lead in ACTOR_POINT_LEADS.items():
        found = findings.actors(region, group, ds=ds, theme=theme)
        if not found:
            continue
        what = found.what[0] if found.count == 1 else found.what[1]
        names = found.labels()
        if group == "party to a conflict":
            names = [_lower_first(n) for n in names]
        if group == "UN system" and found.what == findings.UN_SYSTEM_WHAT["whole"] and found.count == 1:
            # "The United Nations as a whole is engaged here", not "The UN as a whole ...: the
            # United Nations" (issue 18, A9)
            points.append(chapter_point(f"{names[0][0].upper() + names[0][1:]} as a whole is engaged"
                                        f"{here} (not a partner)", found.paragraphs, ds=ds,
                                        inferences=found.inferences))
            continue
        points.append(chapter_point(
            f"{lead.format(counted=found.counted(), What=what[0].upper() + what[1:], here=here)}: "
            f"{_series(names, limit=10)}", found.paragraphs, ds=ds, inferences=found.inferences))
    return points


def region_key_points(region=None, *, include_context: bool = True, limit: int = 14,
                      ds: "Dataset | None" = None) -> list[KeyPoint]:
    """Key points of a regional or country briefing: what the chapter records for ``region``,
    each point rendering one finding (:mod:`analysis.prose.findings`). For a selection of a few
    places, the situation the chapter describes comes right after the count, so that a country's
    main facts are never cut off.

    Empty when the region has no chapter records (use :func:`no_data_message` then).
    """
    from . import findings

    ds = queries.dataset(ds)
    sel = queries.selection(region, ds)
    label = findings.scope_of(sel, ds)
    found = findings.records(sel, ds=ds)
    points: list[KeyPoint] = []
    if not findings.records_total(found):
        return points
    points.append(chapter_point(findings.records_sentence(found, label),
                                findings.records_paragraphs(found), ds=ds))
    if sel is not None:
        situation = findings.situations(sel, ds=ds)
        if sel.kind == "country" or situation.count <= 3:  # a country's main facts, each
            for item, (_, row) in zip(situation.items, situation.rows.iterrows()):
                points.append(chapter_point(item, [row["paragraph"]], ds=ds,
                                            inferences=inferences_of([row], "situations")))
        elif situation:  # a wide region: where the chapter describes the situation
            names = dict(zip(ds.places["place_id"], ds.places["name"]))
            rows = situation.rows
            where = [in_sentence(names.get(p, p), ds) + (  # a place whose situation is inferred, marked
                f" ({INFERRED})" if all(flag_set(v) for v in rows.loc[rows["place_id"] == p, "inferred"]) else "")
                for p in dict.fromkeys(rows["place_id"])]
            points.append(chapter_point(
                f"The chapter describes the situation in {plural(len(where), 'place')} here "
                f"(see their country briefings): {_series(where, limit=12)}",
                situation.paragraphs, ds=ds, inferences=situation.inferences))
    points.extend(operation_points(sel, ds=ds))
    points.extend(office_points(sel, ds=ds))
    for point in _top_engagements(sel, ds=ds, limit=4):
        _add_distinct(points, point)
    events = queries.timeline(sel, ds=ds)
    if len(events):
        points.append(timeline_point(events, ds=ds))
    points.extend(partner_points(sel, ds=ds))
    figures = queries.figures_by_theme(None, sel, ds=ds) if sel is not None else None
    if figures is not None:
        for _, fig in figures.head(2).iterrows():
            said = any(fig["paragraph"] in p.paragraphs and figure_value(fig).casefold() in p.text.casefold()
                       for p in points)
            if not said:
                _add_distinct(points, figure_point(fig, ds=ds))
    if include_context:
        points.extend(context_points_for_region(sel, ds=ds)[:1])
    return points[:limit]


def _add_distinct(points: list[KeyPoint], point: KeyPoint) -> None:
    """Append ``point`` unless an earlier point says the same: the same sentence, or the same
    paragraphs and the same number."""
    if any(p.text == point.text or (set(p.paragraphs) == set(point.paragraphs) and _shares_number(p, point))
           for p in points):
        return
    points.append(point)


def timeline_point(events: "pd.DataFrame", *, ds: "Dataset | None" = None) -> KeyPoint:
    """The span of a timeline: how many events, the earliest and the latest."""
    ordered = queries.in_date_order(events)  # the timeline's one order
    first, last = ordered.iloc[0], ordered.iloc[-1]
    text = f"{plural(len(events), 'dated event')} on the timeline"
    if len(events) == 1:
        text += f", {event_date(first)}: {_lower_first(_no_final_stop(first['description']))}"
        return chapter_point(text, [first["paragraph"]], ds=ds, inferences=inferences_of([first], "events"))
    if first["event_id"] != last["event_id"]:
        text += (f"; the earliest, {event_date(first)}: "
                 f"{_lower_first(_no_final_stop(first['description']))}")
    text += f"; the latest, {event_date(last)}: {_lower_first(_no_final_stop(last['description']))}"
    return chapter_point(text, [first["paragraph"], last["paragraph"]], ds=ds,
                         inferences=inferences_of([first, last], "events"))


def lower_first(text: str) -> str:
    """Lower-case the first word when it is an ordinary capitalised word (see :func:`_lower_first`)."""
    return _lower_first(text)


def _lower_first(text: str) -> str:
    """Lower-case the first word when it is an ordinary capitalised word (not an acronym or name)."""
    word = text.split(" ", 1)[0].rstrip(",;:")  # "Credible, peaceful elections ..."
    if word == "A" or len(word) > 1 and word[0].isupper() and word[1:].islower() and word.isalpha() \
            and word not in _KEEP_CAPITAL:
        return text[0].lower() + text[1:]
    return text


#: First words that start a name, so keep their capital.
_KEEP_CAPITAL = {"Secretary", "General", "Security", "Peacebuilding", "President", "Member", "Peace",
                 "Government", "Governments"}


def actor_short_name(row: "pd.Series", *, ds: "Dataset | None" = None) -> str:
    """An engagement's actor as a reader knows it: an operation's acronym, a partner's acronym
    (else its name), an office's acronym when it is one (else its name); an office the chapter
    does not name, by the chapter's words for it (:func:`office_reference`)."""
    table, actor_id, name = row.get("actor_table"), str(row.get("actor_id")), str(row.get("actor"))
    if table == "operations":
        return operation_label(actor_id, ds=ds)
    if table == "partners":
        acronym = row.get("acronym")
        return acronym if isinstance(acronym, str) and acronym else name
    if table == "offices" and ds is not None:
        offices = ds.offices[ds.offices["office_id"] == actor_id]
        if len(offices):
            return office_reference(offices.iloc[0])
    return actor_id if actor_id.isalpha() and actor_id.isupper() and len(actor_id) > 2 else name


def place_records_paragraphs(region, *, ds: "Dataset | None" = None) -> list[str]:
    """Paragraphs of every chapter record in ``region`` (the places' own rows left out; for the
    whole world, of every record)."""
    ds = queries.dataset(ds)
    ids = queries.place_ids(queries.selection(region, ds), ds)
    if ids is None:
        return [p for table in (*queries.PLACED_TABLES, "events") for p in ds[table]["paragraph"].dropna()]
    frame = queries.place_records(ds=ds, place_ids=ids)
    frame = frame[frame["place_id"].isin(list(ids)) & (frame["table"] != "places")]
    return list(frame["paragraph"].dropna())


def _top_engagements(region, *, ds: "Dataset", limit: int) -> list[KeyPoint]:
    acts = queries.engagements_in(region, ds=ds)
    un_bodies = set(ds.partners.loc[ds.partners["relation_to_un"] == "UN system", "partner_id"])
    of_the_un = (acts["actor_table"] != "partners") | acts["partner_id"].isin(list(un_bodies)).astype(bool)
    acts = acts[of_the_un & acts["place_id"].notna()]
    acts = acts.assign(_order=acts["paragraph"].map(reading_position))
    acts = acts.sort_values(["_order", "engagement_id"], kind="stable")
    points = []
    for _, group in acts.groupby(["actor", "activity", "paragraph"], sort=False, observed=True):
        points.append(engagement_point(group.iloc[0], ds=ds, places=list(group["place"]), rows=group))
        if len(points) == limit:
            break
    return points


#: Actors the chapter does not place where they act (issue 18, A5): the Secretary-General and
#: the envoys (offices' ``kind``), and the UN's principal organs (partners' ``kind``). A key point
#: says what they do "on" a place ("the Secretary-General on India"), never "in" it.
UNPLACED_OFFICE_KINDS = frozenset({"Secretary-General", "special envoy", "mediation capacity",
                                   "headquarters office"})
UNPLACED_PARTNER_KINDS = frozenset({"UN principal organ"})


def actor_placed(table, actor_id, *, ds: "Dataset") -> bool:
    """Whether an actor may be said to be "in" the place of its engagement: operations, offices
    with an area of their own, and organizations; not the actors of :data:`UNPLACED_OFFICE_KINDS`
    and :data:`UNPLACED_PARTNER_KINDS`."""
    frame, kinds = {"offices": (ds.offices, UNPLACED_OFFICE_KINDS),
                    "partners": (ds.partners, UNPLACED_PARTNER_KINDS)}.get(str(table), (None, None))
    if frame is None:
        return True
    id_column = "office_id" if table == "offices" else "partner_id"
    kind = frame.loc[frame[id_column] == str(actor_id), "kind"]
    return not (len(kind) and str(kind.iloc[0]) in kinds)


def engagement_point(row: "pd.Series", *, ds: "Dataset | None" = None, places=None, rows=None) -> KeyPoint:
    """One engagement as a key point: who, where, and what they do (the dataset's wording).
    ``places`` names every place of the same engagement ("in India and Pakistan"), whose ``rows``
    (a DataFrame) it then rests on."""
    ds = queries.dataset(ds)
    actor = actor_short_name(row, ds=ds)
    places = [row.get("place")] if places is None else places
    places = [p for p in places if isinstance(p, str) and p not in actor]  # the name as printed
    preposition = "in" if actor_placed(row.get("actor_table"), row.get("actor_id"), ds=ds) else "on"
    where = f" {preposition} {_series([in_sentence(p, ds) for p in places])}" if places else ""
    from .modality import status_clause

    status = status_clause(row)
    return chapter_point(f"{actor}{where}: {_no_final_stop(row['activity'])}"
                         + (f" \u2014 {status}" if status else ""),
                         [row["paragraph"]], ds=ds,
                         inferences=[i for _, r in (rows.iterrows() if rows is not None else [(0, row)])
                                     for i in engagement_inferences(r, ds=ds)])


def figure_point(row: "pd.Series", *, ds: "Dataset | None" = None) -> KeyPoint:
    """One chapter figure as a key point, set against its target when it has one."""
    ds = queries.dataset(ds)
    counts = _no_final_stop(row["counts"])
    value = figure_value(row)
    text = f"{counts[0].upper() + counts[1:]}"
    if value.casefold() not in counts.casefold():  # "his second": the value is said already
        text += f": {value}"
    if isinstance(row.get("place"), str) and row["place"].casefold() not in text.casefold():
        text += f" ({row['place']})"  # not "... Afghanistan's election commission: three (Afghanistan)"
    paragraphs = [row["paragraph"]]
    inferences = [row_inference(row, "figures")]
    if isinstance(row.get("target_figure_id"), str):
        target = figure_value(row, "target_")
        text += f", against a target of {target}"
        paragraphs.append(row["target_paragraph"])
        targets = ds.figures[ds.figures["figure_id"] == row["target_figure_id"]]
        inferences += [row_inference(t, "figures") for _, t in targets.iterrows()]
    return chapter_point(text, paragraphs, ds=ds, inferences=inferences)


def public_figure_point(row: "pd.Series", *, ds: "Dataset | None" = None) -> KeyPoint:
    """One public context figure as a key point, labelled as context with its own source."""
    value = public_value(row)
    counts = _no_final_stop(row["counts"])
    region = row.get("region")
    where = ""
    if isinstance(region, str):  # "in the region in Africa": the region is named once
        counts = counts.removesuffix(" in the region")
        where = f" in {in_sentence(region, ds)}"
    text = f"Context, not from the chapter: {counts}{where}, {row['period_label']}: {value}"
    return context_point(text, [row["source_id"]], ds=ds)


def series_point(frame: "pd.DataFrame", *, ds: "Dataset | None" = None) -> KeyPoint:
    """A series of public figures in one sentence, labelled as context with its sources."""
    values = []
    for _, r in frame.iterrows():
        shown = public_value(r, caveat=False)
        caveat = public_value(r)[len(shown):].strip(" ()")
        values.append(f"{shown} ({r['period_label']}{'; ' + caveat if caveat else ''})")
    first = frame.iloc[0]
    where = f" in {in_sentence(first['region'], ds)}" if isinstance(first.get("region"), str) else ""
    text = f"Context, not from the chapter: {_no_final_stop(first['counts'])}{where}: {_series(values)}"
    return context_point(text, list(frame["source_id"]), ds=ds)


#: M49 region names that SIPRI's regional counts use too (other SIPRI regions do not match M49).
SIPRI_REGIONS = {"Africa": "Africa", "Europe": "Europe", "Americas": "Americas"}
PEACE_OPERATIONS_TOPIC = "multilateral peace operations"


def context_points_for_region(region, *, ds: "Dataset | None" = None) -> list[KeyPoint]:
    """Public context on peace operations that fits a region: the global count for the whole
    world, the region's own count for an M49 region SIPRI also uses, else nothing."""
    ds = queries.dataset(ds)
    sel = queries.selection(region, ds)
    frame = queries.public_figures(PEACE_OPERATIONS_TOPIC, ds=ds)
    frame = frame[frame["unit"] == "count"]
    if sel is None:
        frame = frame[frame["region"].isna()]
    elif sel.kind == "region" and sel.label in SIPRI_REGIONS:
        frame = frame[frame["region"] == SIPRI_REGIONS[sel.label]]
    else:
        return []
    return [public_figure_point(row, ds=ds) for _, row in frame.iterrows()]


def gender_key_points(region=None, *, include_context: bool = True,
                      ds: "Dataset | None" = None) -> list[KeyPoint]:
    """Key points on women, peace and security: gender figures against targets, and activities."""
    ds = queries.dataset(ds)
    sel = queries.selection(region, ds)
    themes = queries.topic_themes("gender", ds=ds)
    figures = queries.topic_figures("gender", sel, ds=ds)
    figures = figures.assign(_targeted=figures["target_figure_id"].notna(),
                             _order=figures["paragraph"].map(reading_position))
    figures = figures.sort_values(["_targeted", "_order"], ascending=[False, True], kind="stable")
    shown = [row for _, row in figures.iterrows()
             if row["kind"] != "target" or not _is_target_of_listed(row, ds)]
    # Figures against targets, then dated events, then the other figures unless an event says them.
    points = [figure_point(row, ds=ds) for row in shown if row["_targeted"]]
    events = queries.timeline(sel, theme=themes, ds=ds)
    for _, ev in events.iterrows():
        points.append(event_point(ev, ds=ds))
    for row in shown:
        if not row["_targeted"]:
            _add_distinct(points, figure_point(row, ds=ds))
    acts = queries.engagements_in(sel, theme=themes, ds=ds)
    for _, row in acts.iterrows():
        _add_distinct(points, engagement_point(row, ds=ds))
    inits = queries.topic_initiatives("gender", ds=ds)
    if len(inits) and sel is None:  # initiatives have no place
        points.append(initiatives_point("Initiatives on the theme", inits, ds=ds))
    return points


def event_point(row: "pd.Series", *, ds: "Dataset | None" = None) -> KeyPoint:
    """One dated event: its date as the chapter writes it, and what happened (or is planned)."""
    return chapter_point(f"{_capitalize_first(event_date(row))}: {_no_final_stop(row['description'])}",
                         [row["paragraph"]], ds=ds, inferences=inferences_of([row], "events"))


def initiatives_point(lead: str, inits: "pd.DataFrame", *, ds: "Dataset | None" = None) -> KeyPoint:
    """Initiatives in one sentence, each with its status; inferred ones marked."""
    flags = [flag_set(v) for v in inits["inferred"]]
    named = []
    for (_, row), flag in zip(inits.iterrows(), flags):
        status = row.get("status")
        extra = [str(status)] if isinstance(status, str) and status else []
        if flag and not all(flags):
            extra.append(INFERRED)
        named.append(f"{row['name']}" + (f" ({', '.join(extra)})" if extra else ""))
    return chapter_point(f"{lead}: {_series(named, limit=8)}", inits["paragraph"], ds=ds,
                         inferences=inferences_of(inits, "initiatives"))


def _capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shares_number(a: KeyPoint, b: KeyPoint) -> bool:
    """Whether two points state the same number (then one of them is enough)."""
    import re

    numbers = lambda t: set(re.findall(r"\d+(?:\.\d+)?", t))  # noqa: E731
    return bool(numbers(a.text) & numbers(b.text))


def _is_target_of_listed(row: "pd.Series", ds: "Dataset") -> bool:
    figures = ds.figures
    return bool((figures["target_figure_id"] == row["figure_id"]).any())


def funding_key_points(region=None, *, include_context: bool = True,
                       ds: "Dataset | None" = None) -> list[KeyPoint]:
    """Key points on funding: the chapter's figures and funding initiatives, then context figures."""
    ds = queries.dataset(ds)
    sel = queries.selection(region, ds)
    figures = queries.topic_figures("funding", sel, ds=ds)
    points = [figure_point(row, ds=ds) for _, row in figures.iterrows()
              if row["kind"] != "target" or not _is_target_of_listed(row, ds)]
    inits = queries.topic_initiatives("funding", ds=ds)
    if len(inits) and sel is None:  # initiatives have no place
        points.append(initiatives_point("Funding initiatives the chapter names", inits, ds=ds))
    acts = queries.engagements_in(sel, theme=queries.topic_themes("funding", ds=ds), ds=ds)
    shown = 0
    for _, row in acts.iterrows():
        before = len(points)
        _add_distinct(points, engagement_point(row, ds=ds))
        shown += len(points) - before
        if shown == 3:
            break
    if include_context and sel is None:
        for topic in FUNDING_CONTEXT_TOPICS:
            series = queries.main_series(queries.public_figures(topic, ds=ds))
            if len(series):
                points.append(series_point(series, ds=ds))
    return points


#: Public figure topics a funding briefing sets beside the chapter.
FUNDING_CONTEXT_TOPICS = ("peacekeeping budget", "Peacebuilding Fund")


def partnership_key_points(region=None, *, partner: str = "all",
                           ds: "Dataset | None" = None) -> list[KeyPoint]:
    """Key points on partnerships: the partners the chapter says work with the UN (by kind), the
    other actors apart, and each partner's engagements, each point rendering one finding."""
    from . import findings

    ds = queries.dataset(ds)
    region = queries.selection(region, ds)
    if partner not in (None, "all"):
        acts = queries.partner_activities(partner, region, ds=ds)
        return [engagement_point(row, ds=ds) for _, row in acts.iterrows()]
    found = findings.actors(region, "partners", ds=ds)
    points = []
    if found:
        groups = list(dict.fromkeys(found.rows["partner_group"]))
        kinds = dict(zip(ds.partners["partner_id"], ds.partners["kind"]))
        counts: dict[str, int] = {}
        for g in groups:
            counts[str(kinds.get(g))] = counts.get(str(kinds.get(g)), 0) + 1
        described = [f"{k} ({n})" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        points.append(replace(chapter_point(
            f"{found.counted()}{' here' if region is not None else ''}, by kind: {_series(described, limit=8)}",
            found.paragraphs, ds=ds, inferences=found.inferences), headline=True))
    points.extend(p for p in partner_points(region, ds=ds) if not p.text.startswith(f"{found.count} partner"))
    rows = found.rows if found else None
    for g in (list(dict.fromkeys(rows["partner_group"])) if rows is not None else [])[:4]:
        mine = rows[rows["partner_group"] == g]
        name = findings.actor_label(mine.iloc[0], ds)
        placed = mine[mine["place"].notna()]
        places = _series([in_sentence(p, ds) for p in sorted(set(placed["place"].astype(str)))], limit=5)
        count = plural(len(mine), "engagement") + " in which the chapter states cooperation with the UN"
        if not len(placed):
            detail = f"{count}, none tied to one place"
        elif len(placed) == len(mine):
            detail = f"{count}, in {places}"
        else:
            n_places = placed["place"].astype(str).nunique()  # the CAR holds two of the AU's five
            where = "a place" if n_places == len(placed) else plural(n_places, "place")
            detail = f"{count}, {len(placed)} of them tied to {where} ({places})"
        points.append(chapter_point(f"{name}: {detail}", mine["paragraph"], ds=ds,
                                    inferences=[i for _, r in mine.iterrows()
                                                for i in engagement_inferences(r, ds=ds)]))
    return points


# --- rendering ---------------------------------------------------------------------------------

def bullet_list(points: Iterable[KeyPoint | str], notes: InferenceNotes | None = None) -> str:
    """Key points as a Markdown bullet list (data text escaped); ``notes`` numbers the inferences
    the points rest on (see :class:`InferenceNotes`)."""
    return "\n".join(f"- {escape(p.markdown(notes) if isinstance(p, KeyPoint) else p)}" for p in points)


def sources_list(paragraphs: Iterable[str] = (), context_sources: Iterable[str] = (), *,
                 ds: "Dataset | None" = None) -> str:
    """The sources of a briefing as Markdown: the chapter (with the paragraphs cited) and
    every context source used, each with its publisher, symbol, year and address."""
    ds = queries.dataset(ds)
    sources = ds.sources
    lines = ["**Sources**", ""]
    from ..data.document import for_dataset

    chapter = sources[sources["source_id"] == for_dataset(ds).source_id]
    if not len(chapter):
        chapter = sources[sources["kind"] == "chapter"]
    paras = ordered_paragraphs(paragraphs, ds=ds)
    cited = f" Paragraphs cited: {escape(', '.join(paras))}." if paras else ""
    if len(chapter):
        row = chapter.iloc[0]
        lines.append(f"- Chapter: {_source_entry(row)}.{cited} Cited as "
                     f"({escape(chapter_citation(ds))} ¶ section/paragraph).")
    else:
        lines.append(f"- Chapter: United Nations, {escape(for_dataset(ds).reference)}{cited}")
    for source_id in dict.fromkeys(s for s in context_sources if isinstance(s, str)):
        rows = sources[sources["source_id"] == source_id]
        if len(rows):
            lines.append(f"- Context: {_source_entry(rows.iloc[0])}.")
        else:
            lines.append(f"- Context: {escape(source_id)}.")
    return "\n".join(lines)


def _source_entry(row: "pd.Series") -> str:
    parts = []
    if isinstance(row.get("publisher"), str):
        parts.append(escape(row["publisher"]))
    title = f"*{escape(row['title'])}*"
    if isinstance(row.get("symbol"), str) and row["symbol"]:
        title += f" ({escape(row['symbol'])})"
    parts.append(title)
    if row.get("year") is not None and str(row["year"]) not in ("<NA>", "nan"):
        parts.append(escape(row["year"]))
    if isinstance(row.get("url"), str) and row["url"]:
        parts.append(escape(row["url"]))
    return ", ".join(parts)


# --- statuses and twins ------------------------------------------------------------------------

#: An operation's status in the reporting period, in a table cell.
STATUS_LABELS = {"active": "active", "planned": "planned (decided, not yet operating)",
                 "deploying": "deploying",
                 "closing": "closing (drawdown planned)", "closed": "closed"}


def status_label(status) -> str:
    """An operation's status in the reporting period, for a table cell ('' when unknown)."""
    return STATUS_LABELS.get(str(status), "") if isinstance(status, str) else ""


def twin_sentence(twin, *, ds: "Dataset | None" = None) -> str:
    """How a selection differs from its near twin (an :class:`analysis.model.twins.Twin`, oriented
    with the selection first), countries by their display names."""
    from ..model.names import display_name

    def names(codes):
        return _series([in_sentence(display_name(c, ds), ds) for c in codes], limit=10)

    def where(codes, area):
        listed = names(codes)
        return f"{listed} {agree(len(codes), 'is', 'are')} in {in_sentence(area, ds)} only"

    parts = [plural(twin.shared, "country", "countries") + " in common"]
    if twin.only_in_name:
        parts.append(where(twin.only_in_name, twin.name))
    if twin.only_in_twin:
        parts.append(where(twin.only_in_twin, twin.twin))
    caveats = [c for c in (area_caveat(twin.name, ds=ds), area_caveat(twin.twin, ds=ds)) if c]
    return (f"Not the same selection as {in_sentence(twin.twin, ds)}: " + "; ".join(parts) + "."
            + "".join(" " + c for c in caveats))


def area_caveat(name: str, *, ds: "Dataset | None" = None) -> str:
    """The data's caveat on a chapter area taken only approximately (``region_equivalents``
    rows with relation 'approximately'), e.g. "The Middle East (approximately): No standard
    definition: …"; '' for any other area."""
    ds = queries.dataset(ds)
    places = ds.places[ds.places["name"] == name]
    if not len(places):
        return ""
    eq = ds.region_equivalents
    rows = eq[(eq["place_id"].isin(list(places["place_id"]))) & (eq["relation"] == "approximately")]
    if not len(rows):
        return ""
    note = next((str(n) for n in rows.sort_values("part")["note"] if isinstance(n, str) and n), "")
    if not note:
        return ""
    return _sentence(f"{in_sentence(name, ds)} (approximately): {note}")

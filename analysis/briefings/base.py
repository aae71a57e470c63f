"""What every briefing kind shares: its declaration (:class:`BriefingKind`) and the sections
(:class:`Briefing`) a briefing notebook shows, one call per cell.

A :class:`Briefing` is made from checked parameters (:func:`analysis.briefings.open_briefing`
checks them), resolves its region once, answers each section with a display object (Markdown,
a table, a section note or a figure: :mod:`analysis.briefings.displays`), never drawing as a side
effect, and remembers every paragraph and
context source it showed, so that :meth:`Briefing.sources` can list them at the end. A selection
with nothing to show gets a short note instead of an empty chart or table.

A kind's class overrides only what differs for it (its key points, the records behind its map,
its figures...); everything a kind merely *declares* (title, parameters, sections, the topic of
the themes it selects, the context topics it shows) lives in its :class:`BriefingKind`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from ..graphics import alttext
from ..model import queries
from ..prose import text
from .displays import Figure, ReportTable, SectionNote
from ..model.names import display_name, in_sentence
from .params import Parameter
from ..prose.modality import modality_words

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..data.dataset import Dataset
    from ..model.regions import RegionSelection

#: Friendly column names for the tables the briefings show.
COLUMN_LABELS = {
    "operation_id": "operation", "name": "name", "kind": "kind", "place": "where",
    "established": "established (context)", "paragraph": "paragraph", "office_id": "office",
    "presence": "present through", "date_label": "date", "description": "what happened",
    "status": "status", "places": "places", "as_written": "as written", "counts": "what it counts",
    "value": "value", "unit": "unit", "qualifier": "qualifier", "target_as_written": "target",
    "actor": "who", "activity": "what they do", "theme": "theme", "acronym": "acronym",
    "engagements": "engagements", "themes": "themes", "paragraphs": "paragraphs",
    "period_label": "period", "source": "context source", "topic": "topic", "region": "region",
    "partner_kind": "kind", "relation_to_un": "counted as", "printed": "figure",
    "target_printed": "target", "date_as_written": "date", "status_in_period": "status in the period",
    "inferred_mark": "inferred", "lead_label": "led by", "modality_label": "stage, as the chapter reports it",
    "counted_as": "counted as", "note": "note",
}

#: How a partners-table row is counted (``partners.relation_to_un``), in a table's column.
RELATION_LABELS = {"outside the UN": "partner (outside the UN)", "UN system": "UN body (not a partner)",
                   "government": "government", "party to a conflict": "party to a conflict"}


#: How an office is present, in the offices table (queries.offices_in's reasons).
PRESENCE_WORDS = {"based": "its area, as the chapter names it", "coverage": "coverage (context)",
                  "engagement": "an engagement", "chapter": "named in the chapter",
                  "based, coverage": "its area; coverage (context)",
                  "based, engagement": "its area; an engagement",
                  "coverage, engagement": "coverage (context); an engagement",
                  "based, coverage, engagement": "its area; coverage (context); an engagement"}

def shown_once(section):
    """A table section made once per briefing: a second call (a two-page note made in the
    briefing's own process, after its page) returns the display object the page showed, with
    the page's citations and note numbers, instead of computing it again."""
    name = section.__name__

    @wraps(section)
    def once(self):
        made = self.__dict__.setdefault("_shown", {})
        if name not in made:
            made[name] = section(self)
        return made[name]

    return once


def _presence_words(presence: str, office_id, ds) -> str:
    """How an office is present, in the offices table; its coverage, a context fact, names the
    source that holds it ("coverage (context: the UNOWAS website)")."""
    words = PRESENCE_WORDS.get(presence, presence)
    if "coverage (context)" in words:
        where = text.coverage_source_phrase([office_id], ds=ds)
        if where:
            words = words.replace("coverage (context)", f"coverage (context, source: {where})")
    return words


#: How each group of actors is counted, in a table's column (analysis.prose.findings.ACTOR_GROUPS).
GROUP_LABELS = {"partners": "partner (cooperation with the UN stated)",
                "partner elsewhere": "partner (cooperation with the UN not stated in this engagement)",
                "other": "other organization (cooperation with the UN not stated here)",
                "UN system": "UN body (not a partner)", "government": "government (not a partner)",
                "party to a conflict": "party to a conflict (not a partner)",
                "generic": "named in general (not a partner)",
                "operation outside the UN": "operation led by the AU or jointly with it (not led by the UN alone)"}


#: The title of the chart of actors by place, in its alt text when the chart has none.
MATRIX_TITLE = "Actors engaged, by place"


@dataclass(frozen=True)
class BriefingKind:
    """The one declaration of a briefing kind.

    ``parameters`` are the notebook's parameters, in the order of its ``parameters`` cell (which
    is written from them); ``sections`` the :class:`Briefing` methods its cells call, in order.
    ``topic`` is the value of the ``topic`` column of ``themes`` that selects the kind's themes,
    figures and initiatives (None: all of them; see :func:`analysis.model.queries.topic_themes`).
    ``context_topics`` are the ``public_figures`` topics it sets beside the chapter.
    ``map_title`` may name ``{label}`` (the selection) and ``{subject}``.
    """

    name: str
    title: str
    summary: str
    parameters: tuple[Parameter, ...]
    sections: tuple[str, ...]
    subject: str = "chapter records"
    map_title: str = "Countries the chapter's {subject} concern"
    topic: str | None = None
    context_topics: tuple[str, ...] = ()
    #: The notebook file: a name in the briefing notebooks folder, or an absolute path.
    notebook: str = ""

    @property
    def notebook_file(self) -> str:
        return self.notebook or f"{self.name}.ipynb"

    @property
    def notebook_path(self) -> Path:
        """Where the kind's notebook is (the project's or the installed package's copy)."""
        from .registry import notebook_location

        return notebook_location(self.notebook_file)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


def _markdown(body: str):
    from IPython.display import Markdown

    return Markdown(body)


class Header:
    """A briefing's header as Markdown, carrying its title and index teaser as output metadata
    (``{"briefing": {"title", "summary"}}``, read by :mod:`analysis.builder.summary`): the index
    shows the first finding's sentence without the page's note numbers."""

    def __init__(self, body: str, title: str, teaser: str):
        self.body, self.title, self.teaser = body, title, teaser

    def _repr_mimebundle_(self, include=None, exclude=None):
        return ({"text/markdown": self.body, "text/plain": self.title},
                {"briefing": {"title": self.title, "summary": self.teaser}})

    @property
    def data(self) -> str:  # like IPython's Markdown, for code that reads .data
        return self.body


def show(ax, alt: str | None = None) -> Figure:
    """The figure holding ``ax`` as a :class:`~analysis.briefings.displays.Figure` (PNG bytes and alt
    text, a print copy for Word), the figure closed: a section returns it and the notebook
    displays it, nothing is drawn as a side effect.

    Rendering the PNG here (not through the backend) gives the same output under any
    matplotlib backend and no second copy at the end of the cell. ``alt`` is written from the
    data behind the chart (:mod:`analysis.graphics.alttext`); by default, from what the chart shows.
    """
    return Figure.from_axes(ax, alt)


class Briefing:
    """One briefing of one kind, for its checked parameters.

    Subclasses set ``kind`` and override the hooks where their kind differs:
    :meth:`key_points` (every kind), :meth:`map_records`, :meth:`chapter_figures`,
    :meth:`initiative_rows`, :meth:`matrix_rows`, :meth:`partner_filter`, :meth:`few_records`,
    :meth:`context_fits`, :meth:`context_rows`, and the ``title`` and ``subject`` properties.
    """

    kind: ClassVar[BriefingKind]

    def __init__(self, *, ds: "Dataset | None" = None, **values: Any):
        declared = {p.name for p in self.kind.parameters}
        unknown = sorted(set(values) - declared)
        if unknown:
            raise TypeError(f"{type(self).__name__} takes no parameter {', '.join(unknown)}")
        self.parameters: dict[str, Any] = {**self.kind.defaults(), **values}
        self.ds = queries.dataset(ds)
        self.region = self.parameters.get("region", "World")
        #: The region, resolved once here; None means the whole world.
        self.selection: "RegionSelection | None" = queries.selection(self.region, self.ds)
        #: The selection as it reads in a sentence, with its article ("the Gambia").
        self.label = in_sentence(self.selection.label, self.ds) if self.selection is not None \
            else "the world"
        #: The inferences shown so far, numbered for the Inferences section.
        self.notes = text.InferenceNotes()
        self.include_context = bool(self.parameters.get("include_context", False))
        self._paragraphs: list[str] = []
        self._context: list[str] = []
        #: The none sentences shown so far: a page says each once.
        self._said: set[str] = set()

    @property
    def notebook(self) -> str:
        return self.kind.name

    # --- bookkeeping -------------------------------------------------------------------------

    def cite(self, paragraphs: Iterable[str] = (), context: Iterable[str] = ()) -> None:
        """Remember paragraphs and context sources shown, for :meth:`sources`."""
        self._paragraphs.extend(p for p in paragraphs if isinstance(p, str))
        self._context.extend(s for s in context if isinstance(s, str))

    @property
    def cited_paragraphs(self) -> list[str]:
        return text.ordered_paragraphs(self._paragraphs, ds=self.ds)

    @property
    def cited_context(self) -> list[str]:
        return list(dict.fromkeys(self._context))

    def _table(self, frame: "pd.DataFrame", columns: list[str], *, context: bool = False,
               inferences: "list | None" = None, caption: str = "", ranked: bool = False) -> ReportTable:
        """The rows as a table to display, with friendly column names. ``inferences`` (one
        iterable of :class:`~analysis.prose.text.Inference` per row) adds an *inferred* column giving
        each inferred row's note numbers (listed in the Inferences section)."""
        marks = None
        if inferences is not None:
            marks = [text.inferred_marker(i, self.notes).strip("()").replace("inferred: ", "")
                     for i in inferences]
        frame = frame[[c for c in columns if c in frame.columns]].copy()
        if marks is not None and any(marks):
            frame["inferred_mark"] = marks
        if "paragraph" in frame:
            self.cite(frame["paragraph"])
        if "paragraphs" in frame:
            self.cite(frame["paragraphs"])
        if context and "source_id" in frame:
            self.cite(context=frame["source_id"])
        frame = frame.drop(columns=[c for c in ("source_id",) if c in frame.columns])
        for column in frame.columns:
            if frame[column].dtype.kind not in "iufb" or frame[column].isna().any():
                values = frame[column].astype(object)
                frame[column] = values.where(frame[column].notna(), "")
        # a ReportTable: a caption, no index, no text cut (analysis.briefings.displays)
        return ReportTable(frame.rename(columns=COLUMN_LABELS), caption, ranked)

    def _note(self, what: str):
        """A one-line note for an empty section (a :class:`~analysis.briefings.displays.SectionNote`, so
        that the reader page shrinks a section of notes only to one line); nothing at all when
        the whole briefing has no data (its header already says so)."""
        if not self.has_data:
            return None
        sentence = text.section_note(what, text.escape(self.label))
        if sentence in self._said:  # a page says each none sentence once
            return None
        self._said.add(sentence)
        return SectionNote(sentence)

    def _note_of(self, *found):
        """The none sentence of the findings a section draws from, as one note (nothing when the
        whole briefing has no data: its header says so)."""
        if not self.has_data:
            return None
        sentences = [f.none_sentence() for f in found if not f]
        fresh = [s for s in dict.fromkeys(sentences) if s not in self._said]
        self._said.update(fresh)
        if not fresh:
            return None
        return SectionNote(" ".join(f"_{text.escape(s)}_" for s in fresh))

    @property
    def _in(self) -> str:
        """" in Western Africa" / " worldwide", for captions."""
        return f" in {self.label}" if self.selection is not None else " worldwide"

    # --- what the kind selects ---------------------------------------------------------------

    @cached_property
    def themes(self) -> list[str] | None:
        """The theme ids this kind selects (through the ``topic`` column), None for all."""
        if self.kind.topic is None:
            return None
        return queries.topic_themes(self.kind.topic, ds=self.ds)

    def partner_filter(self) -> str | None:
        """The partner id the briefing is narrowed to, or None."""
        return None

    def chapter_figures(self) -> "pd.DataFrame":
        """The chapter's figures this briefing shows, with their targets."""
        if self.kind.topic is None:
            return queries.figures_by_theme(None, self.selection, ds=self.ds)
        return queries.topic_figures(self.kind.topic, self.selection, ds=self.ds)

    def initiative_rows(self) -> "pd.DataFrame":
        """The initiatives this briefing lists (they have no place)."""
        return queries.topic_initiatives(self.kind.topic, ds=self.ds)

    def map_records(self) -> "pd.DataFrame | None":
        """Rows with ``iso3``, ``count`` and ``paragraphs`` for the briefing's map."""
        records = queries.topic_records(self.kind.topic, self.selection, ds=self.ds)
        return queries.countries_of(records, ds=self.ds)

    def context_fits(self) -> bool:
        """Public figures are global: they fit the world briefing only (see the region kind)."""
        return self.selection is None

    def context_rows(self) -> "pd.DataFrame":
        """The public context figures the briefing tabulates."""
        frame = queries.public_figures(ds=self.ds)
        return frame[frame["topic"].isin(list(self.kind.context_topics))]

    # --- data --------------------------------------------------------------------------------

    @cached_property
    def records(self) -> dict[str, int]:
        """Chapter records of each kind in the selection."""
        return queries.records_in(self.selection, ds=self.ds)

    @cached_property
    def points(self) -> list[text.KeyPoint]:
        """The key points of this briefing."""
        return self.key_points()

    def key_points(self) -> list[text.KeyPoint]:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    @property
    def has_data(self) -> bool:
        """Whether the chapter has anything for this briefing's selection."""
        return any(p.paragraphs for p in self.points)

    @property
    def title(self) -> str:
        """'Country briefing: the Gambia': the selection with the article English gives it."""
        label = in_sentence(self.selection.label, self.ds) if self.selection is not None else "World"
        return f"{self.kind.title}: {label}"

    @property
    def subject(self) -> str:
        """What the briefing shows, for its no-data note ("records on funding")."""
        return self.kind.subject

    def few_records(self) -> int | None:
        """The number of records when the header should say there are few, else None."""
        return None

    def few_records_inferred(self) -> int:
        """How many of :meth:`few_records`' records are the selection's only by inference."""
        return 0

    # --- sections ----------------------------------------------------------------------------

    def parameters_line(self) -> str:
        """The parameters as one readable line: "Region: Western Africa (M49 subregion, 17
        countries) · public context figures included"."""
        parts = []
        for parameter in self.kind.parameters:
            name, value = parameter.name, self.parameters.get(parameter.name)
            if name in ("region", "country"):
                if self.selection is not None and self.selection.kind == "country":
                    # "Country: the Gambia (ISO code GMB)": the article as in the page's title
                    scope = (f"{in_sentence(self.selection.label, self.ds)} "
                             f"(ISO code {self.selection.key})")
                else:
                    scope = self.selection.describe() if self.selection is not None else \
                        "the whole world"
                parts.append(f"{name.capitalize()}: {scope}")
            elif name == "include_context":
                # the line never promises figures the page does not show (issue 18, A7)
                parts.append("public context figures left out" if not value else
                             "public context figures included" if self.shows_context() else
                             f"public context figures: none for this {self._scope_word()}")
            elif name == "partner":
                partner = self.partner_filter()
                named = self.ds.partners.set_index("partner_id")["name"].get(partner, partner) \
                    if partner else "all partners"
                parts.append(f"Partner: {named}")
            else:
                parts.append(f"{name.replace('_', ' ').capitalize()}: {value}")
        return " · ".join(parts)

    def header(self):
        """Title, the parameters the briefing ran with (one line), and its key points (or the
        no-data note)."""
        body = [f"# {text.escape(self.title)}", "", text.escape(self.parameters_line()), ""]
        twin = self.twin_sentence()
        if twin:
            body += [text.escape(twin), ""]
        body += ["## Key points", ""]
        points = self.points
        self.cite((p for point in points for p in point.paragraphs),
                  (s for point in points for s in point.context_sources))
        few = self.few_records()
        if not self.has_data:
            body += [text.no_data_message(text.escape(self.label), what=self.subject), ""]
        elif few is not None:
            body += [text.no_data_message(text.escape(self.label), what=self.subject,
                                          records=few, inferred=self.few_records_inferred()), ""]
        if points:
            body.append(text.bullet_list(points, self.notes))
        teaser = points[0].teaser(self.ds) if points and self.has_data else \
            text.no_data_message(self.label, what=self.subject).split(". ")[0].replace("**", "") + "."
        return Header("\n".join(body), self.title, teaser)

    def twin_sentence(self) -> str:
        """How the selection differs from its near twin (:mod:`analysis.model.twins`), else ''."""
        if self.selection is None:
            return ""
        from ..model.twins import twin_of

        twin = twin_of(self.selection.label, self.ds)
        if twin is None:
            return ""
        return text.twin_sentence(twin, ds=self.ds)

    def shows_context(self) -> bool:
        """Whether the page shows public context figures (asked for, fitting, and some held)."""
        return self.include_context and self.context_fits() and len(self.context_rows()) > 0

    def _scope_word(self) -> str:
        """What the selection is, in a word: "region", "country" or "office area"."""
        kind = self.selection.kind if self.selection is not None else "world"
        return {"country": "country", "office": "office area"}.get(kind, "region")

    def _context_note(self):
        if not self.has_data:
            return None
        # only what exists: no World edition of a regional briefing is built by default. The
        # figures the kind tabulates are the world's, or also SIPRI's own regions' (issue 18, A7)
        regions = Briefing.context_rows(self)
        if regions["region"].notna().any():
            return SectionNote(f"_The public context figures cover the whole world or SIPRI's own "
                               f"regions, none of which is {text.escape(self.label)}, so this page "
                               f"shows none of them._")
        return SectionNote(f"_The public context figures cover the whole world, not "
                           f"{text.escape(self.label)}, so this page shows none of them._")

    def overview(self):
        """How many records of each kind the selection holds, as a table (or a note): the counts
        of the findings the key points list (:func:`analysis.prose.findings.records`)."""
        import pandas as pd

        from ..prose import findings

        found = {f.what[1]: f.count for f in findings.records(self.selection, ds=self.ds).values() if f.count}
        if not sum(found.values()):
            return self._note("chapter records")
        frame = pd.DataFrame({"kind of record": list(found), "records": list(found.values())})
        return ReportTable(frame, f"Chapter records{self._in}, by kind")

    def map(self):
        """Choropleth of the selection's countries by number of chapter records (or a note)."""
        data = self.map_records()
        if data is None or not len(data):
            return self._note("records tied to a country")
        from ..graphics import maps

        self.cite(data["paragraphs"])
        label = self.label[0].upper() + self.label[1:]
        title = self.kind.map_title.format(label=label, subject=self.subject)
        if getattr(self, "_whole_region", False):  # the region's records, copied onto each country
            title = (f"{label}: the chapter's records on the region as a whole (it names none of "
                     f"its countries), shown on each country")
        return show(maps.plot_choropleth(data, value="count", region=self.selection, ds=self.ds,
                                         title=title, source=self._map_source(data)),
                    alttext.describe_map(data, title=title, what=self.subject, ds=self.ds))

    def _map_source(self, data) -> str:
        from ..graphics.style import chapter_source

        return chapter_source(list(data["paragraphs"]))

    def presence_map(self):
        """UN peace operations and the offices present through the chapter, on a map zoomed to
        the selection (or a note). Operations the AU leads are not drawn as UN operations."""
        from ..prose import findings

        ops = findings.operations(self.selection, ds=self.ds)
        offices = findings.offices(self.selection, ds=self.ds)
        if not ops and not offices:
            every = findings.offices(self.selection, ds=self.ds, presence="all")
            # the offices table said there are none at all, or (its caption: "none through the
            # chapter") listed those covering it only: not said again here
            return self._note_of(ops, *([] if every else [every]))
        from ..graphics import maps

        self.cite(list(ops.paragraphs) + list(offices.paragraphs))
        title = f"UN peace operations in {self.label}, and UN offices or envoys based or engaged there"
        # counted as the key points count them; those without a place of their own are said
        alt = alttext.describe_findings(title, [ops, offices], not_drawn=maps.not_drawn(
            operations=ops.rows, offices=offices.rows, ds=self.ds))
        return show(maps.plot_presence(operations=ops.rows, offices=offices.rows,
                                       region=self.selection, ds=self.ds, title=title), alt)

    @shown_once
    def operations(self):
        """Peace operations present, as a table (or a note)."""
        from ..prose import findings

        un, other = findings.operations(self.selection, ds=self.ds), \
            findings.operations(self.selection, ds=self.ds, led_by_un=False)
        if not un and not other:
            return self._note_of(un)
        import pandas as pd

        ops = pd.concat([un.rows, other.rows], ignore_index=True)
        self.cite(context=ops["facts_source_id"].dropna())
        self.cite(ops["status_paragraph"].dropna())
        ops = ops.assign(status_in_period=[text.status_label(s) for s in ops["status"]],
                         lead_label=[queries.lead_label(v) for v in ops["lead"]])
        inferences = [[text.row_inference(r, "operations"), text.status_inference(r, ds=self.ds)]
                      for _, r in ops.iterrows()]
        return self._table(ops, ["operation_id", "name", "lead_label", "place", "status_in_period",
                                 "established", "paragraph"],
                           inferences=[[i for i in row if i] for row in inferences],
                           caption=f"Peace operations{self._in}")

    def activities(self):
        """What the UN's own operations, offices, envoys and bodies do in the selection, as a
        table (or the finding's none sentence)."""
        from ..prose import findings

        found = findings.activities(self.selection, ds=self.ds, theme=self.themes)
        if not found:
            return self._note_of(found)
        acts = found.rows.assign(modality_label=[modality_words(m) for m in found.rows["modality"]])
        return self._engagement_table(acts, ["actor", "place", "theme", "activity", "modality_label",
                                             "paragraph"],
                                      f"What the UN's operations, offices, envoys and bodies do{self._in}")

    def _engagement_table(self, acts: "pd.DataFrame", columns: list[str], caption: str = ""):
        """Engagements as a table, each row marked when it or its actor is inferred."""
        return self._table(acts, columns, inferences=[text.engagement_inferences(r, ds=self.ds)
                                                      for _, r in acts.iterrows()],
                           caption=caption)

    @shown_once
    def offices(self):
        """Offices and envoys present, as a table (or a note)."""
        from ..prose import findings

        found = findings.offices(self.selection, ds=self.ds, presence="all")
        if not found:
            return self._note_of(found)
        offices = found.rows
        acts = queries.engagements_in(self.selection, ds=self.ds)
        offices = offices.assign(
            as_written=["" if not r["own_paragraph_cited"]
                        else r["chapter_reference"] if isinstance(r.get("chapter_reference"), str)
                        else text.office_reference(r) for _, r in offices.iterrows()],
            presence=[_presence_words(str(p), o, self.ds) for p, o in zip(offices["presence"],
                                                                            offices["office_id"])])
        covered = [o for p, o in zip(offices["presence"], offices["office_id"]) if "coverage" in str(p)]
        self.cite(context=text.coverage_sources(covered, ds=self.ds))
        # the caption counts as the key points do: offices through the chapter, and apart those
        # listed only because their area includes the selection (context)
        chapter = findings.offices(self.selection, ds=self.ds).count
        by_area = findings.offices(self.selection, ds=self.ds, presence="coverage")
        area_only = by_area.count
        counted = "" if not area_only else (
            f": {chapter or 'none'} through the chapter, {area_only} only because "
            f"{'its area includes' if area_only == 1 else 'their areas include'} "
            f"{'it' if self.selection is not None and self.selection.kind == 'country' else 'part of it'} "
            f"(context: {'its' if area_only == 1 else 'their'} coverage, source: "
            f"{text.coverage_source_phrase(list(by_area.rows['office_id']), ds=self.ds)})")
        return self._table(offices, ["name", "as_written", "kind", "place", "presence",
                                     "paragraph"],
                           inferences=[list(text.inferences_of([r], "offices")) +
                                       findings.engagement_ties(r, acts, ds=self.ds)
                                       for _, r in offices.iterrows()],
                           caption=f"Offices and envoys{self._offices_in(offices)}{counted}")

    def _offices_in(self, offices: "pd.DataFrame") -> str:
        """" in Ukraine", or " tied to Ukraine" when the table lists an actor the chapter does
        not place there (the Secretary-General, an envoy: :func:`analysis.prose.text.actor_placed`)."""
        if self.selection is None or all(text.actor_placed("offices", o, ds=self.ds)
                                         for o in offices["office_id"]):
            return self._in
        return f" tied to {self.label}"

    def timeline_chart(self):
        """The selection's dated events on a time axis (or a note)."""
        from ..prose import findings

        found = findings.events(self.selection, ds=self.ds, theme=self.themes)
        if not len(found.items):
            return None  # the timeline table's note says so, once
        from ..graphics import charts

        # the chart and its alt text mark what the finding marks: an event inferred itself, or
        # placed in the selection only through a place the chapter implies (London's country)
        self.cite(found.rows["paragraph"])
        for _, row in found.rows.iterrows():  # the chart marks inferred events; number their notes
            inference = text.row_inference(row, "events")
            if inference is not None:
                self.notes.number(inference)
        events = found.rows.assign(inferred=list(found.flags))
        return show(charts.plot_timeline(events), alttext.describe_timeline(
            events, title=f"Timeline of dated events{self._in}"))

    @shown_once
    def timeline(self):
        """The selection's dated events, as a table (or a note)."""
        events = queries.timeline(self.selection, theme=self.themes, ds=self.ds)
        if not len(events):
            return self._note("dated events")
        events = events.assign(date_as_written=[text.event_date(r) for _, r in events.iterrows()])
        return self._table(events, ["date_as_written", "description", "status", "places", "paragraph"],
                           inferences=[text.inferences_of([r], "events")
                                       + text.event_place_inferences(r, ds=self.ds)
                                       for _, r in events.iterrows()],
                           caption=f"Dated events{self._in}")

    #: The groups of engagements the table of actors outside the UN lists: every engagement the
    #: page counts that the activities table does not (issue 18, A1)
    actor_groups = ("partners", "partner elsewhere", "other", "government", "party to a conflict",
                    "operation outside the UN", "generic")

    def _actor_rows(self) -> "pd.DataFrame":
        """Engagements of actors outside the UN (and of governments and parties) in the selection,
        each with the group it is counted in (:data:`analysis.prose.findings.ACTOR_GROUPS`),
        partners first; UN bodies are in the activities table."""
        import pandas as pd

        from ..prose import findings

        frames = []
        for order, group in enumerate(self.actor_groups):
            # UN bodies are the UN's own: the activities table lists them; kinds of actors named
            # in general are rows too, counted as such (the World page counts them, and its key
            # points may not reach them)
            found = findings.actors(self.selection, group, ds=self.ds, partner=self.partner_filter())
            if found:
                frames.append(found.rows.assign(counted_as=GROUP_LABELS[group], _order=order))
        if not frames:
            return pd.DataFrame()
        acts = pd.concat(frames, ignore_index=True)
        # an organ is counted as its organization: its row says so (issue 18, A3: the AUC)
        folded = (acts["actor_table"] == "partners") & (acts["partner_group"].astype(str) != acts["partner_id"].astype(str))
        if folded.any():
            acts.loc[folded, "actor"] = [f"{a} (counted as {findings.actor_label(r, self.ds)})"
                                         for a, (_, r) in zip(acts.loc[folded, "actor"], acts[folded].iterrows())]
        kinds = dict(zip(self.ds.partners["partner_id"], self.ds.partners["kind"]))
        acts["partner_kind"] = [kinds.get(p, "") for p in acts["partner_id"]]
        return acts.sort_values(["_order", "actor", "engagement_id"], kind="stable")

    @shown_once
    def partners(self):
        """Organizations, governments and parties engaged in the selection, as a
        table saying how each is counted (or the none sentence)."""
        from ..prose import findings

        acts = self._actor_rows()
        if not len(acts):
            found = findings.actors(self.selection, "partners", ds=self.ds, partner=self.partner_filter())
            return self._note_of(found)
        acts = acts.assign(modality_label=[modality_words(m) for m in acts["modality"]])
        return self._engagement_table(acts, ["actor", "acronym", "counted_as", "partner_kind", "place",
                                             "theme", "activity", "modality_label", "paragraph"],
                                      f"Organizations, governments and parties named"
                                      f"{self._in}, and how each is counted")

    @shown_once
    def partner_summary(self):
        """One row per partner the chapter says works with the UN: engagements, places and
        themes (or the none sentence)."""
        import pandas as pd

        from ..prose import findings

        found = findings.actors(self.selection, "partners", ds=self.ds, partner=self.partner_filter())
        if not found:
            return self._note_of(found)
        rows = found.rows
        groups = list(dict.fromkeys(rows["partner_group"]))
        partners = self.ds.partners.set_index("partner_id")
        frame = pd.DataFrame({
            "name": [partners.loc[g, "name"] for g in groups],
            "acronym": [partners.loc[g, "acronym"] if isinstance(partners.loc[g, "acronym"], str) else ""
                        for g in groups],
            "kind": [partners.loc[g, "kind"] for g in groups],
            "engagements": [int((rows["partner_group"] == g).sum()) for g in groups],
            "places": [", ".join(sorted(set(rows.loc[rows["partner_group"] == g, "place"].dropna().astype(str))))
                       for g in groups],
            "paragraphs": [", ".join(text.ordered_paragraphs(rows.loc[rows["partner_group"] == g, "paragraph"]))
                           for g in groups]})
        frame = frame.sort_values(["engagements", "name"], ascending=[False, True], kind="stable")
        inferred = {g: [i for _, r in rows[rows["partner_group"] == g].iterrows()
                        for i in text.engagement_inferences(r, ds=self.ds)] for g in groups}
        return self._table(frame, ["name", "acronym", "kind", "engagements", "places", "paragraphs"],
                           inferences=[inferred[g] for g in frame.index.map(lambda i: groups[i])],
                           caption=f"Partners the chapter says work with the UN{self._in}, "
                                   f"by number of engagements", ranked=True)

    @shown_once
    def engagements(self):
        """Every engagement on this briefing's themes in the selection (or a note)."""
        acts = queries.engagements_in(self.selection, theme=self.themes, ds=self.ds)
        if not len(acts):
            return self._note("activities")
        return self._engagement_table(acts, ["actor", "place", "theme", "activity", "paragraph"],
                                      f"Activities on the briefing's themes{self._in}")

    @shown_once
    def initiatives(self):
        """Initiatives, studies and funding streams on this briefing's theme (or a note)."""
        if self.selection is not None:
            if not self.has_data:
                return None
            return SectionNote("_Initiatives are not tied to a place in the dataset; the World "
                               "edition of this briefing lists them._")
        frame = self.initiative_rows()
        if not len(frame):
            return self._note("initiatives")
        return self._table(frame, ["name", "kind", "status", "paragraph"],
                           inferences=[text.inferences_of([r], "initiatives") for _, r in frame.iterrows()],
                           caption="Initiatives, studies and funding streams")

    #: what the chart of actors by place counts, in its alt text
    matrix_counts = "engagements tied to a place"

    def matrix_rows(self) -> "pd.DataFrame":
        """The engagements the "who works where" matrix counts."""
        return queries.engagements_in(self.selection, ds=self.ds)

    def partner_matrix(self):
        """Actors engaged, by place (or a note)."""
        acts = self.matrix_rows()
        acts = acts[acts["place_id"].notna()]
        if not len(acts):
            return self._note("engagements tied to a place")
        from ..graphics import charts

        self.cite(acts["paragraph"])
        for _, row in acts.iterrows():  # the chart stars cells resting on inferences; number them
            for inference in text.engagement_inferences(row, ds=self.ds):
                self.notes.number(inference)
        ax = charts.plot_partner_matrix(acts, by="place", ds=self.ds)
        names = acts["acronym"].where(acts["acronym"].notna(), acts["actor"]) \
            if "acronym" in acts else acts["actor"]
        inferred = [bool(text.engagement_inferences(r, ds=self.ds)) for _, r in acts.iterrows()]
        by_actor: dict[str, set[bool]] = {}
        for name, flag in zip(names, inferred):
            by_actor.setdefault(name, set()).add(flag)
        # one bar per actor: marked when all its cells rest on inferences, "partly" when some do
        marked = [n if by_actor[n] == {False} else f"{n} (inferred)" if by_actor[n] == {True}
                  else f"{n} (partly inferred)" for n in names]  # the chart stars these
        # drawn over every actor engaged (UN bodies, partners, governments, parties to a
        # conflict): its title names actors, not "who works (with the UN)"
        return show(ax, alttext.describe_counts(marked, title=ax.get_title() or MATRIX_TITLE,
                                                what=self.matrix_counts,
                                                shown=("actor", "actors")))

    @shown_once
    def figures(self):
        """The chapter's figures for this briefing, as a table (or a note)."""
        figures = self.chapter_figures()
        if not len(figures):
            return self._note("figures")
        figures = figures.assign(printed=[text.figure_value(r) for _, r in figures.iterrows()],
                                 target_printed=[text.figure_value(r, "target_")
                                                 if isinstance(r.get("target_figure_id"), str) else ""
                                                 for _, r in figures.iterrows()])
        return self._table(figures, ["printed", "counts", "kind", "place", "target_printed", "paragraph"],
                           inferences=[self._figure_inferences(r) for _, r in figures.iterrows()],
                           caption=f"Figures the chapter states{self._in}")

    def _figure_inferences(self, row) -> list:
        found = [text.row_inference(row, "figures")]
        if isinstance(row.get("target_figure_id"), str):
            targets = self.ds.figures[self.ds.figures["figure_id"] == row["target_figure_id"]]
            found += [text.row_inference(t, "figures") for _, t in targets.iterrows()]
        return [i for i in found if i is not None]

    def figures_chart(self):
        """Figures measured against targets, as bars against target lines (or a note)."""
        figures = self.chapter_figures()
        if not len(figures):  # "no figures" says it: not again "no figures measured against a target"
            return self._note("figures")
        targeted = figures[figures["target_figure_id"].notna() | (figures["kind"] == "target")]
        if not len(targeted):
            return self._note("figures measured against a target")
        from ..graphics import charts

        self.cite(list(targeted["paragraph"]) + list(targeted["target_paragraph"].dropna()))
        for _, row in targeted.iterrows():  # the chart marks inferred figures; number their notes
            for inference in self._figure_inferences(row):
                self.notes.number(inference)
        return show(charts.plot_figures_against_targets(targeted, ds=self.ds))

    @shown_once
    def context_figures(self):
        """Public context figures (never the chapter's), with their sources (or a note)."""
        if not self.include_context:
            return SectionNote("_Public context figures left out of this edition._") \
                if self.has_data else None
        if not self.context_fits():
            return self._context_note()
        frame = self.context_rows()
        if not len(frame):
            return self._note("public context figures")
        frame = frame.assign(value=[text.public_value(r) for _, r in frame.iterrows()])
        # the source's own note goes with its figure (what the 15 operations of 2016/17 include)
        return self._table(frame, ["topic", "period_label", "value", "counts", "region", "note",
                                   "source", "source_id"], context=True,
                           caption="Public context figures, not from the chapter, with their sources")

    def context_chart(self, topic: str = "peacekeeping budget"):
        """A chart of public context figures on ``topic``, labelled as context (or a note)."""
        if not self.include_context:
            return None
        if not self.context_fits():
            return self._context_note()
        frame = queries.public_figures(topic, ds=self.ds)
        if not len(frame):
            return self._note(f"public figures on {topic}")
        from ..graphics import charts

        self.cite(context=frame["source_id"])
        return show(charts.plot_public_figures(frame, topic=topic, ds=self.ds))

    def sources(self):
        """The sources of everything this briefing showed: the chapter's paragraphs and each
        context source, and the sources behind the region's membership."""
        context = list(self.cited_context)
        if self.selection is not None:
            countries = self.ds.countries
            context += list(countries.loc[countries["iso3"].isin(list(self.selection.iso3)),
                                          "source_id"].dropna().unique())
            if self.selection.kind == "office":
                coverage = self.ds.office_coverage
                context += list(coverage.loc[coverage["office_id"] == self.selection.key,
                                             "source_id"].dropna().unique())
        body = text.sources_list(self.cited_paragraphs, context, ds=self.ds)
        inferences = self.notes.markdown()
        return _markdown(f"{body}\n\n{inferences}" if inferences else body)

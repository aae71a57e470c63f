"""Notebook glue for the briefings: each cell of a briefing notebook is one call here.

A :class:`Briefing` is made from the checked parameters (``analysis.params.check_parameters``),
answers each section with a displayable object (Markdown or a table) or draws a chart or map and
displays it, and remembers every paragraph and context source it showed, so that
:meth:`Briefing.sources` can list them at the end. A selection with nothing to show gets a short
note instead of an empty chart or table.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable

from . import queries, text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .dataset import Dataset

TITLES = {
    "region": "Regional briefing",
    "gender": "Women, peace and security",
    "funding": "Funding for peace",
    "partnerships": "Partnerships for peace",
}
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
    "partner_kind": "kind",
}


def _markdown(body: str):
    from IPython.display import Markdown

    return Markdown(body)


def figure_png(fig) -> bytes:
    """The figure as PNG bytes, the same on every run (no software version stamped in)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _show(ax) -> None:
    """Display the figure holding ``ax`` once as a PNG, then close it.

    Rendering the PNG here (not through the backend) gives the same output under any
    matplotlib backend and no second copy at the end of the cell.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    fig = ax.figure
    try:
        display(Image(data=figure_png(fig), format="png"))
    finally:
        plt.close(fig)


class Briefing:
    """One briefing, for one notebook and its checked parameters."""

    def __init__(self, notebook: str, *, region: str = "World", include_context: bool = True,
                 partner: str = "all", ds: "Dataset | None" = None):
        self.notebook = notebook
        self.parameters: dict[str, Any] = {"region": region}
        if notebook == "partnerships":
            self.parameters["partner"] = partner
        else:
            self.parameters["include_context"] = include_context
        self.ds = queries.dataset(ds)
        self.region = region
        self.selection = queries.selection(region, self.ds)
        self.label = self.selection.label if self.selection is not None else "the world"
        self.include_context = include_context
        self.partner = partner
        self._paragraphs: list[str] = []
        self._context: list[str] = []

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

    def _table(self, frame: "pd.DataFrame", columns: list[str], *, context: bool = False):
        frame = frame[[c for c in columns if c in frame.columns]].copy()
        if "paragraph" in frame:
            self.cite(frame["paragraph"])
        if "paragraphs" in frame:
            self.cite(frame["paragraphs"])
        if context and "source_id" in frame:
            self.cite(context=frame["source_id"])
        frame = frame.drop(columns=[c for c in ("source_id",) if c in frame.columns])
        frame.index = range(1, len(frame) + 1)
        for column in frame.columns:
            if frame[column].dtype.kind not in "iufb" or frame[column].isna().any():
                values = frame[column].astype(object)
                frame[column] = values.where(frame[column].notna(), "")
        return frame.rename(columns=COLUMN_LABELS)

    def _note(self, what: str):
        """A one-line note for an empty section; nothing at all when the whole briefing has no
        data (its header already says so, and the sections stay empty)."""
        if not self.has_data:
            return None
        return _markdown(text.section_note(what, text.escape(self.label)))

    # --- data --------------------------------------------------------------------------------

    @cached_property
    def records(self) -> dict[str, int]:
        """Chapter records of each kind in the selection."""
        return queries.records_in(self.selection, ds=self.ds)

    @cached_property
    def points(self) -> list[text.KeyPoint]:
        """The key points of this briefing."""
        kw = {"ds": self.ds}
        if self.notebook == "region":
            return text.region_key_points(self.selection, include_context=self.include_context, **kw)
        if self.notebook == "gender":
            return text.gender_key_points(self.selection, include_context=self.include_context, **kw)
        if self.notebook == "funding":
            return text.funding_key_points(self.selection, include_context=self.include_context, **kw)
        return text.partnership_key_points(self.selection, partner=self.partner, **kw)

    @property
    def has_data(self) -> bool:
        """Whether the chapter has anything for this briefing's selection."""
        return any(p.paragraphs for p in self.points)

    @property
    def title(self) -> str:
        label = self.selection.label if self.selection is not None else "World"
        if self.notebook == "partnerships" and self.partner != "all":
            name = self.ds.partners.set_index("partner_id")["name"].get(self.partner, self.partner)
            return f"{TITLES[self.notebook]}: {name}, {label}"
        return f"{TITLES[self.notebook]}: {label}"

    # --- sections ----------------------------------------------------------------------------

    def header(self):
        """Title, the parameters the briefing ran with, and its key points (or the no-data note)."""
        rows = "\n".join(f"| `{name}` | {text.escape(repr(value))} |"
                         for name, value in self.parameters.items())
        scope = text.escape(self.selection.describe()) if self.selection is not None else \
            "the whole world (no filter)"
        body = [f"# {text.escape(self.title)}", "",
                "| parameter | value |", "|---|---|", rows, "", f"Selection: {scope}.", "",
                "## Key points", ""]
        points = self.points
        self.cite((p for point in points for p in point.paragraphs),
                  (s for point in points for s in point.context_sources))
        if not self.has_data:
            body += [text.no_data_message(text.escape(self.label), what=self._what), ""]
        elif self.notebook == "region" and self._region_records < text.FEW_RECORDS:
            body += [text.no_data_message(text.escape(self.label), what=self._what,
                                          records=self._region_records), ""]
        if points:
            body.append(text.bullet_list(points))
        return _markdown("\n".join(body))

    @property
    def _region_records(self) -> int:
        return sum(n for table, n in self.records.items() if table != "places")

    @property
    def _what(self) -> str:
        if self.notebook == "partnerships" and self.partner != "all":
            name = self.ds.partners.set_index("partner_id")["name"].get(self.partner, self.partner)
            return f"engagements by {name}"
        return {"region": "chapter records", "gender": "records on women, peace and security",
                "funding": "records on funding", "partnerships": "partner engagements"}[self.notebook]

    def _context_fits(self) -> bool:
        """Public figures are global (or per SIPRI region): they fit the world briefing, and a
        regional briefing only for a region SIPRI counts too."""
        if self.selection is None:
            return True
        return self.notebook == "region" and bool(text.context_points_for_region(self.selection, ds=self.ds))

    def _context_note(self):
        if not self.has_data:
            return None
        return _markdown(f"_The public context figures cover the whole world, not "
                         f"{text.escape(self.label)}: see this briefing for the World._")

    def overview(self):
        """How many records of each kind the selection holds, as a table (or a note)."""
        import pandas as pd

        counts = {k: v for k, v in self.records.items() if k != "places"}
        if not sum(counts.values()):
            return self._note("chapter records")
        frame = pd.DataFrame({"records": counts}).rename_axis("kind of record")
        return frame[frame["records"] > 0]

    def map(self):
        """Choropleth of the selection's countries by number of chapter records (or a note)."""
        data = self._map_data()
        if data is None or not len(data):
            return self._note("records tied to a country")
        from . import maps

        self.cite(data["paragraphs"])
        _show(maps.plot_choropleth(data, value="count", region=self._map_region(),
                                   title=self._map_title(), source=self._map_source(data)))
        return None

    def _map_region(self):
        return self.selection

    def _map_title(self) -> str:
        return {"region": f"{self.label[0].upper() + self.label[1:]}: countries by number of chapter records",
                "gender": "Countries named in the chapter's records on women, peace and security",
                "funding": "Countries named in the chapter's records on funding",
                "partnerships": "Countries where partners work with the UN"}[self.notebook]

    def _map_source(self, data) -> str:
        from .style import chapter_source

        return chapter_source(list(data["paragraphs"]))

    def _map_data(self):
        if self.notebook == "region":
            data = queries.countries_with_data(self.selection, ds=self.ds)
            if not len(data) and self.selection is not None:
                data = self._whole_region_data()
            return data
        frame = self._topic_records()
        return queries.countries_of(frame, ds=self.ds)

    def _whole_region_data(self):
        """The selection's countries, each given the records on the region as a whole (for a
        region whose records are all on the region, none on one of its countries)."""
        import pandas as pd

        records = queries.place_records(ds=self.ds)
        places = self.ds.places
        regional = set(places.loc[places["iso3"].isna(), "place_id"]) & set(self.selection.place_ids)
        records = records[records["place_id"].isin(list(regional)) & (records["table"] != "places")]
        if not len(records):
            return None
        paragraphs = ", ".join(text.ordered_paragraphs(records["paragraph"], ds=self.ds))
        return pd.DataFrame({"iso3": list(self.selection.iso3),
                             "count": pd.array([len(records)] * len(self.selection.iso3), dtype="Int64"),
                             "paragraphs": paragraphs})

    def _topic_records(self) -> "pd.DataFrame":
        """Records with a place and a paragraph behind this topic's map."""
        import pandas as pd

        ds = self.ds
        if self.notebook == "partnerships":
            return queries.partner_activities(self.partner, self.selection, ds=ds)
        themes = text.gender_themes(ds=ds) if self.notebook == "gender" else text.funding_themes(ds=ds)
        figures = (text.gender_figures if self.notebook == "gender" else text.funding_figures)(
            self.selection, ds=ds)
        events = queries.timeline(self.selection, theme=themes, ds=ds)
        event_rows = pd.DataFrame({"place_id": [p.strip() for ids in events["place_ids"]
                                                for p in str(ids).split(",") if p.strip()]})
        event_rows["paragraph"] = [par for ids, par in zip(events["place_ids"], events["paragraph"])
                                   for p in str(ids).split(",") if p.strip()]
        engagements = queries.engagements_in(self.selection, theme=themes, ds=ds)
        parts = [f[["place_id", "paragraph"]] for f in (figures, engagements, event_rows) if len(f)]
        if not parts:
            return pd.DataFrame({"place_id": pd.Series(dtype="string"),
                                 "paragraph": pd.Series(dtype="string")})
        return pd.concat(parts, ignore_index=True)

    def presence_map(self):
        """Operations and offices located on a map zoomed to the selection (or a note)."""
        ops = queries.operations_in(self.selection, ds=self.ds)
        offices = queries.offices_in(self.selection, ds=self.ds)
        if not len(ops) and not len(offices):
            return self._note("peace operations, offices or envoys")
        from . import maps

        self.cite(list(ops["paragraph"]) + list(offices["paragraph"]))
        _show(maps.plot_presence(operations=ops, offices=offices, region=self.selection,
                                 title=f"UN operations and offices present in {self.label}"))
        return None

    def operations(self):
        """Peace operations present, as a table (or a note)."""
        ops = queries.operations_in(self.selection, ds=self.ds)
        if not len(ops):
            return self._note("peace operations")
        self.cite(context=ops["facts_source_id"].dropna())
        return self._table(ops, ["operation_id", "name", "kind", "place", "established", "paragraph"])

    def activities(self):
        """What UN operations, offices and envoys do in the selection, as a table (or a note)."""
        acts = queries.engagements_in(self.selection, ds=self.ds)
        acts = acts[acts["actor_table"] != "partners"]
        if not len(acts):
            return self._note("activities of UN operations, offices or envoys")
        return self._table(acts, ["actor", "place", "theme", "activity", "paragraph"])

    def offices(self):
        """Offices and envoys present, as a table (or a note)."""
        offices = queries.offices_in(self.selection, ds=self.ds)
        if not len(offices):
            return self._note("offices or envoys")
        return self._table(offices, ["office_id", "name", "kind", "place", "presence", "paragraph"])

    def _themes(self):
        if self.notebook == "gender":
            return text.gender_themes(ds=self.ds)
        if self.notebook == "funding":
            return text.funding_themes(ds=self.ds)
        return None

    def timeline_chart(self):
        """The selection's dated events on a time axis (or a note)."""
        events = queries.timeline(self.selection, theme=self._themes(), ds=self.ds)
        if not len(events):
            return self._note("dated events")
        from . import charts

        self.cite(events["paragraph"])
        _show(charts.plot_timeline(events))
        return None

    def timeline(self):
        """The selection's dated events, as a table (or a note)."""
        events = queries.timeline(self.selection, theme=self._themes(), ds=self.ds)
        if not len(events):
            return self._note("dated events")
        return self._table(events, ["date_label", "description", "status", "places", "paragraph"])

    def partners(self):
        """Partners present and what they do with the UN, as a table (or a note)."""
        acts = queries.partner_activities(self.partner if self.notebook == "partnerships" else None,
                                          self.selection, ds=self.ds)
        if not len(acts):
            return self._note("partner engagements")
        return self._table(acts, ["actor", "acronym", "partner_kind", "place", "theme", "activity",
                                  "paragraph"])

    def partner_summary(self):
        """One row per partner: engagements, places and themes (or a note)."""
        partners = queries.partners_in(self.selection, ds=self.ds)
        if not len(partners):
            return self._note("partner engagements")
        return self._table(partners, ["name", "acronym", "kind", "engagements", "places", "themes",
                                      "paragraphs"])

    def engagements(self):
        """Every engagement on this briefing's themes in the selection (or a note)."""
        acts = queries.engagements_in(self.selection, theme=self._themes(), ds=self.ds)
        if not len(acts):
            return self._note("activities")
        return self._table(acts, ["actor", "place", "theme", "activity", "paragraph"])

    def initiatives(self):
        """Initiatives, studies and funding streams on this briefing's theme (or a note)."""
        ds = self.ds
        if self.selection is not None:
            if not self.has_data:
                return None
            return _markdown("_Initiatives are not tied to a place in the dataset: see this "
                             "briefing for the World._")
        if self.notebook == "gender":
            frame = text.initiatives(theme=text.gender_themes(ds=ds), ds=ds)
        elif self.notebook == "funding":
            frame = text.initiatives(theme=text.funding_themes(ds=ds), kinds=["funding stream"],
                                     words=text.FUNDING_WORDS, ds=ds)
        else:
            frame = text.initiatives(ds=ds)
        if not len(frame):
            return self._note("initiatives")
        return self._table(frame, ["name", "kind", "status", "paragraph"])

    def partner_matrix(self):
        """Who works where: actors by place (or a note)."""
        if self.notebook == "partnerships":
            acts = queries.partner_activities(self.partner, self.selection, ds=self.ds)
        else:
            acts = queries.engagements_in(self.selection, ds=self.ds)
        acts = acts[acts["place_id"].notna()]
        if not len(acts):
            return self._note("engagements with a place")
        from . import charts

        self.cite(acts["paragraph"])
        _show(charts.plot_partner_matrix(acts, by="place", ds=self.ds))
        return None

    def _figures(self) -> "pd.DataFrame":
        if self.notebook == "gender":
            return text.gender_figures(self.selection, ds=self.ds)
        if self.notebook == "funding":
            return text.funding_figures(self.selection, ds=self.ds)
        if self.selection is None:
            return queries.figures_by_theme(ds=self.ds)
        return queries.figures_by_theme(None, self.selection, ds=self.ds)

    def figures(self):
        """The chapter's figures for this briefing, as a table (or a note)."""
        figures = self._figures()
        if not len(figures):
            return self._note("figures")
        return self._table(figures, ["as_written", "counts", "kind", "place", "target_as_written",
                                     "paragraph"])

    def figures_chart(self):
        """Figures measured against targets, as bars against target lines (or a note)."""
        figures = self._figures()
        targeted = figures[figures["target_figure_id"].notna() | (figures["kind"] == "target")]
        if not len(targeted):
            return self._note("figures measured against a target")
        from . import charts

        self.cite(list(targeted["paragraph"]) + list(targeted["target_paragraph"].dropna()))
        _show(charts.plot_figures_against_targets(targeted, ds=self.ds))
        return None

    def _context_topics(self) -> list[str]:
        if self.notebook == "funding":
            return ["peacekeeping budget", "Peacebuilding Fund"]
        if self.notebook == "region":
            return ["multilateral peace operations"]
        return ["Peacebuilding Fund"]

    def context_figures(self):
        """Public context figures (never the chapter's), with their sources (or a note)."""
        if not self.include_context:
            return _markdown("_Context figures left out (`include_context = False`)._") if self.has_data else None
        if not self._context_fits():
            return self._context_note()
        frame = queries.public_figures(ds=self.ds)
        frame = frame[frame["topic"].isin(self._context_topics())]
        if self.notebook == "region":
            points = text.context_points_for_region(self.selection, ds=self.ds)
            ids = {s for p in points for s in p.context_sources}
            frame = frame[frame["source_id"].isin(list(ids))] if ids else frame.iloc[0:0]
            if self.selection is not None and len(frame):
                frame = frame[frame["region"] == self.selection.label]
        if not len(frame):
            return self._note("public context figures")
        frame = frame.assign(value=[text.format_value(v, u, q) for v, u, q in
                                    zip(frame["value"], frame["unit"], frame["qualifier"])])
        return self._table(frame, ["topic", "period_label", "value", "counts", "region", "source",
                                   "source_id"], context=True)

    def context_chart(self, topic: str = "peacekeeping budget"):
        """A chart of public context figures on ``topic``, labelled as context (or a note)."""
        if not self.include_context:
            return None
        if not self._context_fits():
            return self._context_note()
        frame = queries.public_figures(topic, ds=self.ds)
        if not len(frame):
            return self._note(f"public figures on {topic}")
        from . import charts

        self.cite(context=frame["source_id"])
        _show(charts.plot_public_figures(frame, topic=topic, ds=self.ds))
        return None

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
        return _markdown(text.sources_list(self.cited_paragraphs, context, ds=self.ds))


def open_briefing(notebook: str, **values) -> Briefing:
    """Check ``values`` for ``notebook`` (ParameterError on a bad one) and make its briefing."""
    from .params import check_parameters

    return Briefing(notebook, **check_parameters(notebook, values))

"""Small, composable questions asked of the chapter's dataset.

Every function takes an optional ``ds`` (a :class:`analysis.Dataset`; the project's own data by
default) and returns a DataFrame that keeps the columns of the table it starts from, including
``paragraph``, so that charts and text can cite the chapter. ``region`` arguments accept anything
:func:`analysis.model.regions.resolve_region` accepts (a name, a code, a ``RegionSelection``); ``None``
or the world selection means no filter. A name is resolved once, where it enters a function, and
the resolved selection is passed on: callers that ask several questions resolve it once
(:func:`selection`) and pass the ``RegionSelection``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..data.locators import paragraph_locators

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..data.dataset import Dataset

#: Chapter tables whose rows concern one place (through ``place_id``), with their key.
PLACED_TABLES: dict[str, str] = {
    "operations": "operation_id",
    "offices": "office_id",
    "engagements": "engagement_id",
    "figures": "figure_id",
}
#: Engagement columns naming the actor; exactly one is filled on each row.
ACTOR_COLUMNS: dict[str, str] = {"operation_id": "operations", "office_id": "offices",
                                 "partner_id": "partners"}


#: How an operation's lead (``operations.lead``) reads as its kind.
LEAD_LABELS = {"UN": "UN peace operation", "AU": "African Union operation",
               "hybrid": "AU-UN hybrid operation", "other": "operation led outside the UN"}


def lead_label(lead) -> str:
    """'UN peace operation', 'African Union operation'...: an operation's kind, from its lead."""
    return LEAD_LABELS.get(str(lead), str(lead))


def dataset(ds: "Dataset | None" = None) -> "Dataset":
    """``ds`` itself, or the project's dataset."""
    if ds is not None:
        return ds
    from ..data.dataset import load

    return load()


def selection(region, ds: "Dataset | None" = None):
    """The ``RegionSelection`` for ``region``, or None for the whole world (no filter)."""
    if region is None:
        return None
    if isinstance(region, str):
        from .regions import resolve_region

        region = resolve_region(region, dataset(ds))
    if getattr(region, "kind", None) == "world":
        return None
    return region


def place_ids(region, ds: "Dataset | None" = None) -> set[str] | None:
    """Place ids that fall in ``region`` (its own place ids plus places in its countries).

    None means the whole world: no filter.
    """
    sel = selection(region, ds)
    if sel is None:
        return None
    places = dataset(ds).places
    ids = set(sel.place_ids)
    ids |= set(places.loc[places["iso3"].isin(list(sel.iso3)), "place_id"].dropna())
    return ids


def per_selection(ds, name: str, key: tuple, make) -> "pd.DataFrame":
    """``make()``, a frame of what ``key`` (a region first) selects, made once per dataset and
    selection (:func:`analysis.data.recording.derived`: a hit replays the reads it made); a copy, so
    that callers may add columns."""
    from ..data import recording

    region, *rest = key
    sel = selection(region, ds)
    where = None if sel is None else (frozenset(sel.place_ids), frozenset(sel.iso3))
    hashable = tuple(tuple(r) if isinstance(r, list) else r for r in rest)
    return recording.derived(ds, (name, where, hashable), lambda _ds: make()).copy()


def _in(frame: "pd.DataFrame", column: str, ids: set[str] | None) -> "pd.DataFrame":
    if ids is None:
        return frame.copy()
    return frame[frame[column].isin(list(ids))].copy()


def _only(frame: "pd.DataFrame", column: str, ids) -> "pd.DataFrame":
    """The rows of ``frame`` whose ``column`` is one of ``ids`` (all rows for None): chosen
    before they are read, so that a briefing depends only on the names it shows."""
    if ids is None:
        return frame
    return frame[frame[column].isin(sorted({i for i in ids if isinstance(i, str)}))]


def _place_names(ds: "Dataset", ids=None) -> dict[str, str]:
    places = _only(ds.places, "place_id", ids)
    return dict(zip(places["place_id"], places["name"]))


def _theme_names(ds: "Dataset", ids=None) -> dict[str, str]:
    themes = _only(ds.themes, "theme_id", ids)
    return dict(zip(themes["theme_id"], themes["name"]))


def _label(series: "pd.Series", names: dict[str, str]) -> "pd.Series":
    return series.map(lambda v: names.get(v, v) if isinstance(v, str) else v).astype("string")


def _theme_filter(frame: "pd.DataFrame", theme: str | Iterable[str] | None) -> "pd.DataFrame":
    if theme is None or theme == "all":
        return frame
    wanted = [theme] if isinstance(theme, str) else list(theme)
    return frame[frame["theme_id"].isin(wanted)]


# --- places and entities -----------------------------------------------------------------------

def places_in(region=None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Places of the chapter in ``region``, with their M49 region and subregion where known."""
    ds = dataset(ds)
    frame = _in(ds.places, "place_id", place_ids(region, ds))
    countries = ds.countries[["iso3", "region", "subregion"]].rename(
        columns={"region": "m49_region", "subregion": "m49_subregion"})
    frame = frame.merge(countries, on="iso3", how="left")
    return frame.sort_values(["kind", "name"], kind="stable").reset_index(drop=True)


def operations_in(region=None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Peace operations the chapter names or implies in ``region``, with their public facts.

    Adds ``place`` (the place's name), and from the context table ``operation_facts`` the
    ``established`` year, ``mandate`` and its ``facts_source_id`` when known; from
    ``operation_status`` its ``status`` in the reporting period (active, planned, closing,
    closed) with ``status_paragraph`` and ``status_inferred``.
    """
    ds = dataset(ds)
    return per_selection(ds, "queries.operations_in", (region,), lambda: _operations_in(region, ds=ds))


def _operations_in(region, *, ds: "Dataset") -> "pd.DataFrame":
    ds = dataset(ds)
    frame = _in(ds.operations, "place_id", place_ids(region, ds))
    frame["place"] = _label(frame["place_id"], _place_names(ds, frame["place_id"]))
    facts = ds.operation_facts[["operation_id", "established", "mandate", "source_id"]].rename(
        columns={"source_id": "facts_source_id"})
    frame = frame.merge(facts, on="operation_id", how="left")
    status = ds.operation_status[["operation_id", "status", "paragraph", "inferred"]].rename(
        columns={"paragraph": "status_paragraph", "inferred": "status_inferred"})
    frame = frame.merge(status, on="operation_id", how="left")
    return frame.sort_values("operation_id", kind="stable").reset_index(drop=True)


def offices_in(region=None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Offices and envoys present in ``region``.

    An office is present when it is responsible for a place in the region, when its coverage
    (context table ``office_coverage``) includes one of the region's countries, or when it is
    engaged there. ``presence`` says which, ``place`` names its own area.
    """
    ds = dataset(ds)
    return per_selection(ds, "queries.offices_in", (region,), lambda: _offices_in(region, ds=ds))


def _offices_in(region, *, ds: "Dataset") -> "pd.DataFrame":
    ds = dataset(ds)
    offices = ds.offices.copy()
    sel = selection(region, ds)
    ids = place_ids(sel, ds)
    if ids is None:
        offices["presence"] = "chapter"
        frame = offices
    else:
        based = set(offices.loc[offices["place_id"].isin(list(ids)), "office_id"])
        cov = ds.office_coverage
        covering = set(cov.loc[cov["iso3"].isin(list(sel.iso3)), "office_id"])
        eng = ds.engagements
        engaged = set(eng.loc[eng["place_id"].isin(list(ids)), "office_id"].dropna())

        def presence(office_id: str) -> str:
            reasons = [name for name, found in (("based", based), ("coverage", covering),
                                                ("engagement", engaged)) if office_id in found]
            return ", ".join(reasons)

        offices["presence"] = offices["office_id"].map(presence)
        frame = offices[offices["presence"] != ""].copy()
    frame["place"] = _label(frame["place_id"], _place_names(ds, frame["place_id"]))
    frame["presence"] = frame["presence"].astype("string")
    return frame.sort_values("office_id", kind="stable").reset_index(drop=True)


def engagements_in(region=None, *, theme=None, partner: str | None = None,
                   ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Engagements in ``region`` (optionally on ``theme`` or by one ``partner`` id).

    Adds ``actor_table`` (operations, offices or partners), ``actor_id``, ``actor`` (its name),
    ``actor_kind``, ``place`` and ``theme`` (names) and a partner's ``acronym``. Global engagements (no place) are kept only
    without a region filter.
    """
    ds = dataset(ds)
    return per_selection(ds, "queries.engagements_in", (region, theme, partner),
                         lambda: _engagements_in(region, theme=theme, partner=partner, ds=ds))


def _engagements_in(region, *, theme, partner, ds: "Dataset") -> "pd.DataFrame":
    import pandas as pd

    ds = dataset(ds)
    frame = _theme_filter(ds.engagements, theme)  # rows chosen before they are read
    if partner not in (None, "all"):
        frame = frame[frame["partner_id"] == partner]
    frame = _in(frame, "place_id", place_ids(region, ds))
    actor_table, actor_id = [], []
    for _, row in frame[list(ACTOR_COLUMNS)].iterrows():
        column = next((c for c in ACTOR_COLUMNS if isinstance(row[c], str)), None)
        actor_table.append(ACTOR_COLUMNS.get(column))
        actor_id.append(row[column] if column else None)
    frame["actor_table"] = pd.array(actor_table, dtype="string")
    frame["actor_id"] = pd.array(actor_id, dtype="string")
    names, kinds = {}, {}
    for table, key in (("operations", "operation_id"), ("offices", "office_id"),
                       ("partners", "partner_id")):
        t = ds[table]
        names.update({(table, k): n for k, n in zip(t[key], t["name"])})
        kinds.update({(table, k): (lead_label(n) if table == "operations" else str(n))
                      for k, n in zip(t[key], t["lead" if table == "operations" else "kind"])})
    pairs = list(zip(frame["actor_table"], frame["actor_id"]))
    frame["actor"] = [names.get(p, p[1]) for p in pairs]
    frame["actor"] = frame["actor"].astype("string")
    frame["actor_kind"] = [kinds.get(p) for p in pairs]
    frame["actor_kind"] = frame["actor_kind"].astype("string")
    frame["place"] = _label(frame["place_id"], _place_names(ds, frame["place_id"]))
    frame["theme"] = _label(frame["theme_id"], _theme_names(ds, frame["theme_id"]))
    acronyms = {p: a for p, a in zip(ds.partners["partner_id"], ds.partners["acronym"]) if isinstance(a, str)}
    frame["acronym"] = pd.array([acronyms.get(p) if isinstance(p, str) else None
                                 for p in frame["partner_id"]], dtype="string")
    return frame.sort_values(["actor", "engagement_id"], kind="stable").reset_index(drop=True)


def partner_activities(partner: str | None = None, region=None, *, theme=None,
                       ds: "Dataset | None" = None) -> "pd.DataFrame":
    """What partners do with the UN, where: the partners' engagements, one row each.

    ``partner`` is a partner id (see :func:`find_partner`) or None/"all" for every partner.
    Adds the partner's ``partner_kind``.
    """
    ds = dataset(ds)
    frame = engagements_in(region, theme=theme, partner=partner, ds=ds)
    frame = frame[frame["actor_table"] == "partners"].copy()
    partners = ds.partners[["partner_id", "kind"]].rename(columns={"kind": "partner_kind"})
    frame = frame.merge(partners, on="partner_id", how="left")
    return frame.reset_index(drop=True)


def partners_in(region=None, *, theme=None, relation: str | None = "outside the UN",
                ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Partners present in ``region`` through their engagements, one row per partner.

    ``relation`` keeps the rows of that ``relation_to_un`` (default: partners proper, outside the
    UN; None for every actor of the partners table); organs of an organization (``part_of``) are
    never counted beside it. Keeps the partner's columns and adds ``engagements`` (count), ``places`` and ``themes``
    (names, comma-separated) and ``paragraphs`` (the engagements' locators, comma-separated).
    """
    import pandas as pd

    ds = dataset(ds)
    acts = partner_activities(None, region, theme=theme, ds=ds)
    partners = ds.partners
    if relation is not None:
        partners = partners[(partners["relation_to_un"] == relation) & partners["part_of"].isna()]
        # An organ's engagements count for its organization (the AU Commission's for the AU).
        parents = {k: v for k, v in zip(ds.partners["partner_id"], ds.partners["part_of"])
                   if isinstance(v, str)}
        acts = acts.assign(partner_id=[parents.get(p, p) for p in acts["partner_id"]])
    present = partners[partners["partner_id"].isin(list(acts["partner_id"]))].copy()

    def joined(column: str) -> dict[str, str]:
        return {pid: ", ".join(sorted(set(g[column].dropna().astype(str))))
                for pid, g in acts.groupby("partner_id", observed=True)}

    counts = acts.groupby("partner_id", observed=True).size().to_dict()
    present["engagements"] = present["partner_id"].map(counts).astype("Int64")
    for column, source in (("places", "place"), ("themes", "theme"), ("paragraphs", "paragraph")):
        present[column] = pd.array(present["partner_id"].map(joined(source)), dtype="string")
    return present.sort_values(["engagements", "name"], ascending=[False, True],
                               kind="stable").reset_index(drop=True)


def find_partner(value: str, *, ds: "Dataset | None" = None) -> str | None:
    """The partner id matching ``value`` exactly (id, name or acronym; case, accents and
    spacing folded), or None."""
    from .regions import fold

    wanted = fold(str(value))
    partners = dataset(ds).partners
    for column in ("partner_id", "acronym", "name"):
        for pid, text in zip(partners["partner_id"], partners[column]):
            if isinstance(text, str) and fold(text) == wanted:
                return str(pid)
    return None


def partner_choices(*, ds: "Dataset | None" = None) -> list[str]:
    """Partner ids in name order (the values a ``partner`` parameter lists)."""
    partners = dataset(ds).partners.sort_values("name", kind="stable")
    return [str(p) for p in partners["partner_id"]]


# --- events, figures, mentions -----------------------------------------------------------------

def timeline(region=None, *, theme=None, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Dated events in chronological order (by first possible day), optionally filtered.

    Adds ``place_ids`` and ``places`` (comma-separated) from ``event_places`` and ``theme``.
    """
    import pandas as pd

    ds = dataset(ds)
    events = _theme_filter(ds.events, theme)
    links = ds.event_places
    ids = place_ids(region, ds)
    if ids is not None:
        keep = set(links.loc[links["place_id"].isin(list(ids)), "event_id"])
        events = events[events["event_id"].isin(list(keep))]
    links = links[links["event_id"].isin(list(events["event_id"]))]  # only the events shown
    events = events.copy()
    names = _place_names(ds, links["place_id"])
    grouped = {eid: list(g["place_id"]) for eid, g in links.groupby("event_id", observed=True)}
    events["place_ids"] = pd.array([", ".join(grouped.get(e, [])) for e in events["event_id"]],
                                   dtype="string")
    events["places"] = pd.array([", ".join(names.get(p, p) for p in grouped.get(e, []))
                                 for e in events["event_id"]], dtype="string")
    implied = inferred_links(links, ds)
    events["inferred_place_ids"] = pd.array(
        [", ".join(p for p in grouped.get(e, []) if (e, p) in implied) for e in events["event_id"]],
        dtype="string")
    events["theme"] = _label(events["theme_id"], _theme_names(ds, events["theme_id"]))
    return in_date_order(events)


def inferred_places(ds: "Dataset") -> set[str]:
    """Places whose own row is inferred: the chapter only implies them (the United Kingdom,
    for a conference it says was held in London). A record on such a place is placed there
    only by inference."""
    places = ds.places
    return {str(p) for p, v in zip(places["place_id"], places["inferred"]) if _flag(v)}


def inferred_links(links: "pd.DataFrame", ds: "Dataset") -> set[tuple[str, str]]:
    """The (event, place) pairs of ``event_places`` rows that place an event only by inference:
    the link is inferred, or the place itself is (:func:`inferred_places`)."""
    implied = inferred_places(ds)
    return {(str(e), str(p)) for e, p, v in zip(links["event_id"], links["place_id"], links["inferred"])
            if _flag(v) or str(p) in implied}


def _flag(value) -> bool:
    """Whether a yes/no cell (``inferred``) is set: False for empty, missing or "false"."""
    try:
        return bool(value) and str(value) not in ("<NA>", "nan", "False", "false")
    except (TypeError, ValueError):  # pd.NA
        return False


def in_date_order(events: "pd.DataFrame") -> "pd.DataFrame":
    """Events in the timeline's one order: by the last day of each one's dates, then the first
    day, then id. A span is placed where it ends, so an event is never listed before one that
    lies within its dates and ends earlier ("2017-2018" comes after "May 2017", "by the end of
    2017" after "31 March 2017", "December 2016-January 2017" after "7 December 2016")."""
    import pandas as pd

    if not len(events):
        return events.reset_index(drop=True)
    keys = pd.DataFrame({"end": pd.to_datetime(events["date_end"]),
                         "start": pd.to_datetime(events["date_start"]),
                         "id": events["event_id"].astype(str) if "event_id" in events else ""},
                        index=events.index)
    order = keys.sort_values(["end", "start", "id"], kind="stable").index
    return events.loc[order].reset_index(drop=True)


def figures_by_theme(theme=None, region=None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """The chapter's figures (optionally on ``theme`` and in ``region``), joined to their targets.

    Adds ``theme`` and ``place`` names and, where a figure is measured against a target, the
    target's ``target_value``, ``target_unit``, ``target_qualifier``, ``target_counts``,
    ``target_as_written``, ``target_printed`` and ``target_paragraph``. With a region, figures without a place are
    left out.
    """
    ds = dataset(ds)
    figures = _theme_filter(quantities(ds.figures), theme)
    figures = _in(figures, "place_id", place_ids(region, ds))
    targets = ds.figures[["figure_id", "value", "unit", "qualifier", "counts", "as_written",
                          "printed", "paragraph"]]
    targets = targets.rename(columns={c: f"target_{c}" for c in targets.columns})
    frame = figures.merge(targets, on="target_figure_id", how="left") if len(figures) else \
        figures.assign(**{c: None for c in targets.columns if c != "target_figure_id"})
    frame["theme"] = _label(frame["theme_id"], _theme_names(ds, frame["theme_id"]))
    frame["place"] = _label(frame["place_id"], _place_names(ds, frame["place_id"]))
    return frame.sort_values(["theme_id", "figure_id"], kind="stable").reset_index(drop=True)


#: Figures of these kinds are kept in the data (every number word of the chapter has its row)
#: but are not quantities: "his second term" names which term, and no briefing shows or counts
#: it as a figure.
NOT_QUANTITIES = ("ordinal",)


def quantities(figures: "pd.DataFrame") -> "pd.DataFrame":
    """The rows of ``figures`` that are quantities (not an ordinal such as "second")."""
    return figures[~figures["kind"].astype(str).isin(NOT_QUANTITIES)]


def mentions_with_sections(*, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Every mention with the ``section_id`` of its paragraph."""
    ds = dataset(ds)
    sections = ds.paragraphs[["paragraph_id", "section_id"]].rename(columns={"paragraph_id": "paragraph"})
    return ds.mentions.merge(sections, on="paragraph", how="left")


def mention_counts(by: str | list[str] = "section_id", *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Number of mentions grouped by ``by`` (any of section_id, entity_table, paragraph, entity_id).

    Sorted by count, largest first; the count column is ``mentions``.
    """
    frame = mentions_with_sections(ds=ds)
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in frame.columns:
            raise KeyError(f"cannot group mentions by {key!r}; use any of: {', '.join(frame.columns)}")
    counts = frame.groupby(keys, observed=True).size().rename("mentions").reset_index()
    return counts.sort_values(["mentions", *keys], ascending=[False] + [True] * len(keys),
                              kind="stable").reset_index(drop=True)


def theme_mentions(*, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """How often each theme is mentioned in each section: one row per theme and section.

    Columns ``theme_id``, ``theme``, ``section_id``, ``section``, ``mentions``, ``paragraphs``.
    """
    import pandas as pd

    ds = dataset(ds)
    frame = mentions_with_sections(ds=ds)
    frame = frame[frame["entity_table"] == "themes"]
    rows = []
    for (theme_id, section_id), g in frame.groupby(["entity_id", "section_id"], observed=True):
        rows.append({"theme_id": theme_id, "section_id": section_id, "mentions": len(g),
                     "paragraphs": ", ".join(sorted(set(g["paragraph"])))})
    out = pd.DataFrame(rows, columns=["theme_id", "section_id", "mentions", "paragraphs"])
    out["theme"] = _label(out["theme_id"], _theme_names(ds, out["theme_id"]))
    sections = dict(zip(ds.sections["section_id"], ds.sections["title"]))
    out["section"] = _label(out["section_id"], sections)
    order = dict(zip(ds.sections["section_id"], ds.sections["number"]))
    out["_order"] = out["section_id"].map(order)
    out = out.sort_values(["theme_id", "_order"], kind="stable").drop(columns="_order")
    return out[["theme_id", "theme", "section_id", "section", "mentions", "paragraphs"]].reset_index(drop=True)


# --- topics: what the gender and funding briefings select ---------------------------------------

#: Beyond the themes of a topic (the ``topic`` column of ``themes``): figures whose ``counts``
#: match these words belong to the topic too (a gender share counted under elections, a
#: Peacebuilding Fund share counted under women, peace and security).
TOPIC_FIGURE_WORDS: dict[str, str] = {
    "gender": "women|woman|gender|female",
    "funding": "fund|financ|budget|grant|alloc|us\\$",
}
#: Beyond the themes of a topic: initiatives of these kinds, or whose name matches these words.
TOPIC_INITIATIVES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "funding": (("funding stream",), TOPIC_FIGURE_WORDS["funding"]),
}


def topics(*, ds: "Dataset | None" = None) -> list[str]:
    """The topics the ``topic`` column of ``themes`` allows (from the schema)."""
    ds = dataset(ds)
    field = ds.schema.table("themes").field("topic")
    return list(field.enum or ())


def topic_themes(topic: str, *, ds: "Dataset | None" = None) -> list[str]:
    """Ids of the themes whose ``topic`` is ``topic`` (ValueError for a topic not allowed)."""
    ds = dataset(ds)
    allowed = topics(ds=ds)
    if allowed and topic not in allowed:
        raise ValueError(f"unknown topic {topic!r}; allowed: {', '.join(allowed)}")
    themes = ds.themes
    return [str(t) for t in themes.loc[themes["topic"] == topic, "theme_id"]]


def _matches(values: "pd.Series", words: str | None) -> "pd.Series":
    if not words:
        return values.isna() & values.notna()  # all False
    found = values.astype("string").str.casefold().str.contains(words, regex=True)
    return found.fillna(False).astype(bool)


def topic_figures(topic: str | None, region=None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """The chapter's figures on ``topic`` (its themes, or counting what its words name), with
    their targets (see :func:`figures_by_theme`); every figure for ``topic=None``."""
    ds = dataset(ds)
    figures = figures_by_theme(None, region, ds=ds)
    if topic is None:
        return figures
    keep = figures["theme_id"].isin(topic_themes(topic, ds=ds)).astype(bool) | \
        _matches(figures["counts"], TOPIC_FIGURE_WORDS.get(topic))
    return figures[keep].reset_index(drop=True)


def initiatives(theme=None, *, kinds: Iterable[str] = (), words: str | None = None,
                ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Initiatives on ``theme`` (an id or ids), of ``kinds``, or whose name matches the regex
    ``words``; every initiative when none of them is given."""
    ds = dataset(ds)
    frame = ds.initiatives
    kinds = list(kinds)
    if theme is None and not kinds and not words:
        return frame.reset_index(drop=True)
    keep = _matches(frame["name"], words)
    if theme is not None:
        keep |= frame["theme_id"].isin([theme] if isinstance(theme, str) else list(theme)).astype(bool)
    if kinds:
        keep |= frame["kind"].isin(kinds).astype(bool)
    return frame[keep].reset_index(drop=True)


def topic_initiatives(topic: str | None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """The initiatives on ``topic`` (its themes, kinds and words); every one for None."""
    if topic is None:
        return initiatives(ds=ds)
    kinds, words = TOPIC_INITIATIVES.get(topic, ((), None))
    return initiatives(theme=topic_themes(topic, ds=ds), kinds=kinds, words=words, ds=ds)


def topic_records(topic: str | None, region=None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Records with a place behind a topic's map: its figures, its engagements and its events
    (one row per event place). Columns ``place_id``, ``paragraph`` and ``place_inferred`` (an
    event's place the chapter only implies, :func:`inferred_links`)."""
    import pandas as pd

    ds = dataset(ds)
    sel = selection(region, ds)
    themes = topic_themes(topic, ds=ds) if topic is not None else None
    figures = topic_figures(topic, sel, ds=ds)
    events = timeline(sel, theme=themes, ds=ds)
    pairs = [(p.strip(), paragraph, p.strip() in str(implied).split(", "))
             for ids, paragraph, implied in zip(events["place_ids"], events["paragraph"],
                                                events["inferred_place_ids"])
             for p in str(ids).split(",") if p.strip()]
    event_rows = pd.DataFrame(pairs, columns=["place_id", "paragraph", "place_inferred"])
    engagements = engagements_in(sel, theme=themes, ds=ds)
    parts = [f[["place_id", "paragraph"]] for f in (figures, engagements) if len(f)]
    parts += [event_rows] if len(event_rows) else []
    if not parts:
        return pd.DataFrame({"place_id": pd.Series(dtype="string"),
                             "paragraph": pd.Series(dtype="string")})
    return pd.concat(parts, ignore_index=True)


def main_series(frame: "pd.DataFrame") -> "pd.DataFrame":
    """The main series among public figures: the ``counts`` with most rows (money first)."""
    if not len(frame):
        return frame
    money = frame["unit"].astype(str).str.startswith("US$")
    pool = frame[money] if money.any() else frame
    sizes = pool.groupby("counts", observed=True, sort=False).size()
    best = sizes[sizes == sizes.max()].index[0]
    return pool[pool["counts"] == best].sort_values(["period_start", "figure_id"], kind="stable")


# --- where the chapter has data ----------------------------------------------------------------

def place_records(*, ds: "Dataset | None" = None,
                  place_ids: "set[str] | None" = None) -> "pd.DataFrame":
    """Every chapter record tied to a place: columns ``table``, ``record_id``, ``place_id``,
    ``paragraph`` and ``place_inferred`` (the record is tied to that place only by inference: an
    inferred ``event_places`` link, or a place the chapter only implies, :func:`inferred_places`).

    Records are operations, offices, engagements, figures (by their place) and events (through
    ``event_places``), plus each place's own row (the chapter naming it). With ``place_ids``,
    only the records on those places (each table's rows are chosen before they are read, so
    that a briefing reads, and depends on, only those rows).
    """
    if place_ids is not None:
        return _place_records(dataset(ds), place_ids)
    from ..data import recording

    # kept per dataset: ``regions_with_data`` counts every region's records
    return recording.derived(dataset(ds), "queries.place_records", _place_records).copy()


def _place_records(ds: "Dataset", place_ids: "set[str] | None" = None) -> "pd.DataFrame":
    import pandas as pd

    parts = []
    implied = inferred_places(ds)

    def chosen(t):
        return t[t["place_id"].notna()] if place_ids is None else \
            t[t["place_id"].isin(sorted(place_ids))]

    for table, key in PLACED_TABLES.items():
        t = chosen(ds[table])
        parts.append(pd.DataFrame({"table": table, "record_id": t[key].astype("string"),
                                   "place_id": t["place_id"].astype("string"),
                                   "paragraph": t["paragraph"].astype("string"),
                                   "place_inferred": t["place_id"].isin(sorted(implied))}))
    links = ds.event_places if place_ids is None else chosen(ds.event_places)
    by_inference = inferred_links(links, ds)
    parts.append(pd.DataFrame({"table": "events", "record_id": links["event_id"].astype("string"),
                               "place_id": links["place_id"].astype("string"),
                               "paragraph": links["paragraph"].astype("string"),
                               "place_inferred": [(str(e), str(p)) in by_inference for e, p in
                                                  zip(links["event_id"], links["place_id"])]}))
    places = ds.places if place_ids is None else chosen(ds.places)
    parts.append(pd.DataFrame({"table": "places", "record_id": places["place_id"].astype("string"),
                               "place_id": places["place_id"].astype("string"),
                               "paragraph": places["paragraph"].astype("string"),
                               "place_inferred": places["place_id"].isin(sorted(implied))}))
    frame = pd.concat(parts, ignore_index=True)
    frame["table"] = frame["table"].astype("string")
    return frame


def records_in(region=None, *, ds: "Dataset | None" = None) -> dict[str, int]:
    """How many chapter records of each kind concern ``region`` (see :func:`place_records`).

    For the whole world (``None``), every row of each table counts, with a place or without.
    """
    ds = dataset(ds)
    ids = place_ids(region, ds)
    if ids is None:
        return {table: len(ds[table]) for table in RECORD_TABLES}
    return _record_counts(place_records(ds=ds, place_ids=ids), ids)


#: The tables :func:`records_in` counts, in its order.
RECORD_TABLES = (*PLACED_TABLES, "events", "places")


def _record_counts(records: "pd.DataFrame", ids) -> dict[str, int]:
    """Distinct records of each table among ``records`` (of :func:`place_records`) on ``ids``."""
    frame = _in(records, "place_id", ids)
    counts = frame.drop_duplicates(["table", "record_id"]).groupby("table").size()
    return {table: int(counts.get(table, 0)) for table in RECORD_TABLES}


def countries_with_data(region=None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Countries with at least one chapter record, for choropleths.

    Columns: ``iso3``, ``name``, ``region``, ``subregion`` (M49), ``count`` (distinct records,
    the country's own row included), ``inferred`` (how many of them are tied to the country only
    by inference), one column per record table, and ``paragraphs``.
    Records on a subnational area count for its country.
    """
    import pandas as pd

    ds = dataset(ds)
    ids = place_ids(region, ds)
    frame = place_records(ds=ds, place_ids=ids)
    places = ds.places[["place_id", "iso3"]]
    frame = frame.merge(places, on="place_id", how="left")
    frame = frame[frame["iso3"].notna()]
    if ids is not None:
        frame = frame[frame["place_id"].isin(list(ids))]
    frame = frame.drop_duplicates(["table", "record_id", "iso3"])
    tables = RECORD_TABLES
    rows = []
    for iso3, g in frame.groupby("iso3"):
        row = {"iso3": iso3, "count": len(g), "inferred": int(g["place_inferred"].astype(bool).sum())}
        row.update({t: int((g["table"] == t).sum()) for t in tables})
        row["paragraphs"] = ", ".join(sorted(set(g["paragraph"].dropna())))
        rows.append(row)
    out = pd.DataFrame(rows, columns=["iso3", "count", "inferred", *tables, "paragraphs"])
    countries = ds.countries[["iso3", "display_name", "region", "subregion"]].rename(
        columns={"display_name": "name"})  # the one printed name (analysis.model.names)
    out = out.merge(countries, on="iso3", how="left")
    names = dict(zip(ds.places["iso3"], ds.places["name"]))
    out["name"] = out["name"].fillna(out["iso3"].map(names))
    for column in ("count", "inferred", *tables):
        out[column] = out[column].astype("Int64")
    out["paragraphs"] = out["paragraphs"].astype("string")
    out = out[["iso3", "name", "region", "subregion", "count", "inferred", *tables, "paragraphs"]]
    return out.sort_values(["count", "iso3"], ascending=[False, True], kind="stable").reset_index(drop=True)


def countries_of(records: "pd.DataFrame", *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Rows with a ``place_id`` (and ``paragraph``) counted per country, for a choropleth.

    Columns ``iso3``, ``name``, ``count``, ``inferred`` (how many of the country's rows are tied to
    it only by inference: ``place_inferred`` set on the row, or a place the chapter only implies)
    and ``paragraphs``; rows on a region-like place (no country) are left out, rows on a
    subnational area count for its country.
    """
    import pandas as pd

    ds = dataset(ds)
    places = ds.places[["place_id", "iso3"]]
    records = records.assign(place_inferred=(records["place_inferred"].fillna(False).astype(bool)
                                             if "place_inferred" in records else False)
                             | records["place_id"].isin(sorted(inferred_places(ds))))
    frame = records[["place_id", "paragraph", "place_inferred"]].merge(places, on="place_id", how="inner")
    frame = frame[frame["iso3"].notna()]
    rows = [{"iso3": iso3, "count": len(g), "inferred": int(g["place_inferred"].sum()),
             "paragraphs": ", ".join(sorted(set(g["paragraph"].dropna().astype(str))))}
            for iso3, g in frame.groupby("iso3")]
    out = pd.DataFrame(rows, columns=["iso3", "count", "inferred", "paragraphs"])
    names = dict(zip(ds.countries["iso3"], ds.countries["display_name"]))  # the one printed name
    names.update({k: v for k, v in zip(ds.places["iso3"], ds.places["name"]) if k not in names})
    out.insert(1, "name", pd.array([names.get(i, i) for i in out["iso3"]], dtype="string"))
    out["count"] = out["count"].astype("Int64")
    out["inferred"] = out["inferred"].astype("Int64")
    out["paragraphs"] = out["paragraphs"].astype("string")
    return out.sort_values(["count", "iso3"], ascending=[False, True], kind="stable").reset_index(drop=True)


def whole_region_records(region, *, ds: "Dataset | None" = None) -> "pd.DataFrame | None":
    """The region's countries, each given the records on the region as a whole (for a region
    whose records are all on the region, none on one of its countries); None when there are none.
    Columns as :func:`countries_of`: ``iso3``, ``count``, ``inferred``, ``paragraphs``."""
    import pandas as pd

    ds = dataset(ds)
    sel = selection(region, ds)
    if sel is None:
        return None
    places = ds.places
    regional = set(places.loc[places["iso3"].isna(), "place_id"]) & set(sel.place_ids)
    records = place_records(ds=ds, place_ids=regional)
    records = records[records["place_id"].isin(list(regional)) & (records["table"] != "places")]
    if not len(records):
        return None
    paragraphs = ", ".join(paragraph_locators(records["paragraph"]))
    from .names import display_name

    return pd.DataFrame({"iso3": list(sel.iso3),
                         "name": pd.array([display_name(i, ds) for i in sel.iso3], dtype="string"),
                         "count": pd.array([len(records)] * len(sel.iso3), dtype="Int64"),
                         "inferred": pd.array([int(records["place_inferred"].sum())] * len(sel.iso3),
                                              dtype="Int64"),
                         "paragraphs": paragraphs})


def regions_with_data(*, ds: "Dataset | None" = None, min_records: int = 1) -> list[str]:
    """Named regions, subregions and office areas with at least ``min_records`` chapter records.

    The values are those of :func:`analysis.model.regions.region_choices` in canonical form (each one a
    valid ``region`` parameter), countries and the whole world left out, in the order listed
    there; a choice covering the same countries as an earlier one is left out.
    Records are counted as in :func:`records_in`, the region's places' own rows excluded.
    """
    from .regions import region_choices, resolve_region

    ds = dataset(ds)
    everything = place_records(ds=ds)  # once (kept per dataset), then narrowed per region
    out, seen = [], set()
    for choice in region_choices(ds):
        sel = resolve_region(choice, ds)
        members = frozenset(sel.iso3)
        if sel.kind in ("world", "country") or members in seen:
            continue
        seen.add(members)
        counts = _record_counts(everything, place_ids(sel, ds))
        if sum(n for table, n in counts.items() if table != "places") >= min_records:
            out.append(canonical_region(sel, ds=ds))
    return out


def canonical_region(region, *, ds: "Dataset | None" = None) -> str:
    """The value to pass as a ``region`` parameter for ``region``: its label when the label
    resolves to the same selection, else its key ("World" for the whole world)."""
    from .regions import WORLD, resolve_region

    ds = dataset(ds)
    sel = region if not isinstance(region, str) else resolve_region(region, ds)
    if sel.kind == "world":
        return WORLD
    try:
        again = resolve_region(sel.label, ds)
    except ValueError:
        return sel.key or sel.label
    if (again.kind, tuple(again.iso3)) == (sel.kind, tuple(sel.iso3)):
        return sel.label
    return sel.key or sel.label


def public_figures(topic: str | None = None, *, region: str | None = None,
                   ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Context figures from public sources (not from the chapter), with each row's source.

    ``topic`` filters on the topic; ``region`` on the figure's own region label (a SIPRI region
    name, e.g. "Africa"); "global" keeps only figures without a region. Adds ``source``: the
    short citation of the row's source (e.g. "UN press release GA/11927").
    """
    ds = dataset(ds)
    frame = ds.public_figures.copy()
    if topic is not None:
        frame = frame[frame["topic"] == topic]
    if region == "global":
        frame = frame[frame["region"].isna()]
    elif region is not None:
        frame = frame[frame["region"] == region]
    frame = frame.copy()
    labels = {s: source_label(s, ds=ds) for s in frame["source_id"].unique()}  # once per source
    frame["source"] = frame["source_id"].map(labels).astype("string")
    return frame.sort_values(["topic", "period_start", "figure_id"], kind="stable").reset_index(drop=True)


def source_label(source_id: str, *, ds: "Dataset | None" = None) -> str:
    """A short citation of a context source: its kind and symbol (``UN press release GA/11927``),
    else its publisher's short name and year (``SIPRI 2018``); the sources list gives the rest."""
    import re

    sources = dataset(ds).sources
    rows = sources[sources["source_id"] == source_id]
    if not len(rows):
        return str(source_id)
    row = rows.iloc[0]
    symbol = row["symbol"] if isinstance(row["symbol"], str) else None
    if symbol:
        return f"{row['kind']} {symbol}"
    publisher = row["publisher"] if isinstance(row["publisher"], str) else str(row["title"])
    short = re.search(r"\(([^()]+)\)\s*$", publisher)
    name = short.group(1) if short else publisher
    year = row["year"]
    return f"{name} {year}" if year is not None and str(year) not in ("<NA>", "nan") else name

"""Briefing prose written from the data, in our own words, with a citation after every point.

Sentences are assembled from fields (names, dates, counts and the short activity and event
descriptions the dataset itself words); nothing is taken from the report's text. Each
:class:`KeyPoint` ends with its citation: chapter paragraphs as ``(A/72/1 II.B ¶ crisis/3)``,
public context figures as ``(context: UN press release GA/11927)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from . import queries
from .escaping import data_text as escape  # the one escaper for data text
from .formatting import figure_value, format_value, plural
from .locators import paragraph_locators, reading_position

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .dataset import Dataset

CHAPTER_CITATION = "A/72/1 II.B"
#: Below this many records a filter is said to have little data.
FEW_RECORDS = 3
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class KeyPoint:
    """One point of a briefing: a sentence of ours and what it cites."""

    text: str
    paragraphs: tuple[str, ...] = ()
    context_sources: tuple[str, ...] = ()
    citation: str = ""

    def markdown(self) -> str:
        """The sentence followed by its citation."""
        return f"{self.text} {self.citation}".strip()

    def __str__(self) -> str:
        return self.markdown()


# --- citations ---------------------------------------------------------------------------------

def ordered_paragraphs(paragraphs: Iterable[str], *, ds: "Dataset | None" = None) -> list[str]:
    """Distinct paragraph locators in reading order (values like "a/1, b/2" are split).

    The order is the chapter's (:mod:`analysis.locators`); ``ds`` is accepted for compatibility.
    """
    return paragraph_locators(paragraphs)


def cite(paragraphs: Iterable[str], *, ds: "Dataset | None" = None) -> str:
    """The chapter citation of ``paragraphs``, e.g. ``(A/72/1 II.B ¶¶ wps/1, sustaining/6)``."""
    paras = ordered_paragraphs(paragraphs, ds=ds)
    if not paras:
        return ""
    mark = "¶" if len(paras) == 1 else "¶¶"
    return f"({CHAPTER_CITATION} {mark} {', '.join(paras)})"


def cite_context(source_ids: Iterable[str], *, ds: "Dataset | None" = None) -> str:
    """The citation of context sources, e.g. ``(context: UN press release GA/11927)``."""
    ids = list(dict.fromkeys(s for s in source_ids if isinstance(s, str)))
    if not ids:
        return ""
    return "(context: " + "; ".join(queries.source_label(s, ds=ds) for s in ids) + ")"


def chapter_point(text: str, paragraphs: Iterable[str], *, ds: "Dataset | None" = None) -> KeyPoint:
    """A key point resting on chapter paragraphs."""
    paras = tuple(ordered_paragraphs(paragraphs, ds=ds))
    return KeyPoint(_sentence(text), paras, (), cite(paras, ds=ds))


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
    return written if isinstance(written, str) and written else format_date(row["date_label"])


# --- messages ----------------------------------------------------------------------------------

def no_data_message(label: str, *, what: str = "chapter records", records: int = 0) -> str:
    """An honest note for a filter with no or few records (Markdown, one paragraph)."""
    if records == 0:
        return (f"**Little or no data.** The dataset holds no {what} for {label}. "
                f"This briefing is therefore short: it has nothing to chart or map, and the "
                f"sections below stay empty. The World briefing or a wider region gives the "
                f"chapter's overall picture.")
    return (f"**Little data.** Only {plural(records, 'chapter record')} concern {label}; "
            f"the points below are all the chapter says about it.")


def section_note(what: str, label: str) -> str:
    """A one-line note for a briefing section with nothing to show."""
    return f"_The chapter records no {what} for {label}._"


# --- key points --------------------------------------------------------------------------------

def _records_sentence(label: str, counts: dict[str, int]) -> str:
    parts = [(counts.get("operations", 0), "peace operation"),
             (counts.get("offices", 0), "office or envoy", "offices or envoys"),
             (counts.get("engagements", 0), "engagement with partners or the UN", "engagements"),
             (counts.get("events", 0), "dated event"),
             (counts.get("figures", 0), "figure")]
    listed = [plural(p[0], p[1], p[2] if len(p) > 2 else None) for p in parts if p[0]]
    return f"For {label}, the chapter's dataset holds {_series(listed, limit=5)}"


def region_key_points(region=None, *, include_context: bool = True, limit: int = 8,
                      ds: "Dataset | None" = None) -> list[KeyPoint]:
    """Key points of a regional briefing: what the chapter records for ``region``.

    Empty when the region has no chapter records (use :func:`no_data_message` then).
    """
    ds = queries.dataset(ds)
    sel = queries.selection(region, ds)
    label = sel.label if sel is not None else "the world"
    counts = queries.records_in(sel, ds=ds)
    points: list[KeyPoint] = []
    records = place_records_paragraphs(sel, ds=ds)
    if sum(v for k, v in counts.items() if k != "places") == 0:
        return points
    points.append(chapter_point(_records_sentence(label, counts), records, ds=ds))
    operations = queries.operations_in(sel, ds=ds)
    at_work = operations["status"] == "active"  # only active operations are "at work" in the period
    for ops, wording in ((operations[at_work], "at work"), (operations[~at_work], "planned or closing")):
        if not len(ops):
            continue
        named = [f"{o} in {p}" if isinstance(p, str) else str(o)
                 for o, p in zip(ops["operation_id"], ops["place"])]
        if wording != "at work":
            named = [f"{n} ({s})" for n, s in zip(named, ops["status"].astype(str))]
        points.append(chapter_point(
            f"{plural(len(ops), 'peace operation')} {wording}: {_series(named)}",
            list(ops["paragraph"]) + list(ops["status_paragraph"]), ds=ds))
    offices = queries.offices_in(sel, ds=ds)
    if len(offices):
        points.append(chapter_point(
            f"Offices and envoys present: {_series(list(offices['name']))}", offices["paragraph"], ds=ds))
    points.extend(_top_engagements(sel, ds=ds, limit=2))
    events = queries.timeline(sel, ds=ds)
    if len(events):
        points.append(timeline_point(events, ds=ds))
    partners = queries.partners_in(sel, ds=ds)
    if len(partners):
        names = [a if isinstance(a, str) and a else n for a, n in zip(partners["acronym"], partners["name"])]
        points.append(chapter_point(
            f"{plural(len(partners), 'partner')} {'works' if len(partners) == 1 else 'work'} "
            f"with the UN here: {_series(names)}",
            partners["paragraphs"], ds=ds))
    figures = queries.figures_by_theme(None, sel, ds=ds) if sel is not None else None
    if figures is not None:
        for _, fig in figures.head(2).iterrows():
            points.append(figure_point(fig, ds=ds))
    if include_context:
        points.extend(context_points_for_region(sel, ds=ds)[:1])
    return points[:limit]


def timeline_point(events: "pd.DataFrame", *, ds: "Dataset | None" = None) -> KeyPoint:
    """The span of a timeline: how many events, the earliest and the latest."""
    first = events.sort_values(["date_start", "date_end"], kind="stable").iloc[0]
    last = events.sort_values(["date_end", "date_start"], kind="stable").iloc[-1]
    text = f"{plural(len(events), 'dated event')} on the timeline"
    if first["event_id"] != last["event_id"]:
        text += (f"; the earliest, {event_date(first)}: "
                 f"{_lower_first(_no_final_stop(first['description']))}")
    text += f"; the latest, {event_date(last)}: {_lower_first(_no_final_stop(last['description']))}"
    return chapter_point(text, [first["paragraph"], last["paragraph"]], ds=ds)


def _lower_first(text: str) -> str:
    """Lower-case the first word when it is an ordinary capitalised word (not an acronym or name)."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word[0].isupper() and word[1:].islower() and word.isalpha() \
            and word not in _KEEP_CAPITAL:
        return text[0].lower() + text[1:]
    return text


#: First words that start a name, so keep their capital.
_KEEP_CAPITAL = {"Secretary", "General", "Security", "Peacebuilding", "President", "Member", "Peace"}


def actor_short_name(row: "pd.Series") -> str:
    """An engagement's actor as a reader knows it: an operation's acronym, a partner's acronym
    (else its name), an office's acronym when it is one (else its name)."""
    table, actor_id, name = row.get("actor_table"), str(row.get("actor_id")), str(row.get("actor"))
    if table == "operations":
        return actor_id
    if table == "partners":
        acronym = row.get("acronym")
        return acronym if isinstance(acronym, str) and acronym else name
    return actor_id if actor_id.isalpha() and actor_id.isupper() and len(actor_id) > 2 else name


def place_records_paragraphs(region, *, ds: "Dataset | None" = None) -> list[str]:
    """Paragraphs of every chapter record in ``region`` (the places' own rows left out; for the
    whole world, of every record)."""
    ds = queries.dataset(ds)
    ids = queries.place_ids(queries.selection(region, ds), ds)
    if ids is None:
        return [p for table in (*queries.PLACED_TABLES, "events") for p in ds[table]["paragraph"].dropna()]
    frame = queries.place_records(ds=ds)
    frame = frame[frame["place_id"].isin(list(ids)) & (frame["table"] != "places")]
    return list(frame["paragraph"].dropna())


def _top_engagements(region, *, ds: "Dataset", limit: int) -> list[KeyPoint]:
    acts = queries.engagements_in(region, ds=ds)
    acts = acts[(acts["actor_table"] != "partners") & acts["place_id"].notna()]
    acts = acts.assign(_order=acts["paragraph"].map(reading_position))
    acts = acts.sort_values(["_order", "engagement_id"], kind="stable")
    return [engagement_point(row, ds=ds) for _, row in acts.head(limit).iterrows()]


def engagement_point(row: "pd.Series", *, ds: "Dataset | None" = None) -> KeyPoint:
    """One engagement as a key point: who, where, and what they do (the dataset's wording)."""
    place = row.get("place")
    actor = actor_short_name(row)
    where = f" in {place}" if isinstance(place, str) and place not in str(row["actor"]) else ""
    return chapter_point(f"{actor}{where}: {_no_final_stop(row['activity'])}", [row["paragraph"]], ds=ds)


def figure_point(row: "pd.Series", *, ds: "Dataset | None" = None) -> KeyPoint:
    """One chapter figure as a key point, set against its target when it has one."""
    counts = _no_final_stop(row["counts"])
    value = figure_value(row)
    text = f"{counts[0].upper() + counts[1:]}: {value}"
    if isinstance(row.get("place"), str):
        text += f" ({row['place']})"
    paragraphs = [row["paragraph"]]
    if isinstance(row.get("target_figure_id"), str):
        target = figure_value(row, "target_")
        text += f", against a target of {target}"
        paragraphs.append(row["target_paragraph"])
    return chapter_point(text, paragraphs, ds=ds)


def public_figure_point(row: "pd.Series", *, ds: "Dataset | None" = None) -> KeyPoint:
    """One public context figure as a key point, labelled as context with its own source."""
    value = format_value(row["value"], row["unit"], row.get("qualifier"))
    where = f" in {row['region']}" if isinstance(row.get("region"), str) else ""
    text = f"Context, not from the chapter: {_no_final_stop(row['counts'])}{where}, {row['period_label']}: {value}"
    return context_point(text, [row["source_id"]], ds=ds)


def series_point(frame: "pd.DataFrame", *, ds: "Dataset | None" = None) -> KeyPoint:
    """A series of public figures in one sentence, labelled as context with its sources."""
    values = [f"{format_value(r['value'], r['unit'], r.get('qualifier'))} ({r['period_label']})"
              for _, r in frame.iterrows()]
    first = frame.iloc[0]
    where = f" in {first['region']}" if isinstance(first.get("region"), str) else ""
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
    points = [figure_point(row, ds=ds) for _, row in figures.iterrows()
              if row["kind"] != "target" or not _is_target_of_listed(row, ds)]
    events = queries.timeline(sel, theme=themes, ds=ds)
    for _, ev in events.iterrows():
        points.append(chapter_point(
            f"{event_date(ev)}: {_no_final_stop(ev['description'])}", [ev["paragraph"]], ds=ds))
    acts = queries.engagements_in(sel, theme=themes, ds=ds)
    for _, row in acts.iterrows():
        point = engagement_point(row, ds=ds)
        if not any(set(point.paragraphs) == set(p.paragraphs) and _shares_number(point, p)
                   for p in points):
            points.append(point)
    inits = queries.topic_initiatives("gender", ds=ds)
    if len(inits) and sel is None:  # initiatives have no place
        points.append(chapter_point(
            f"Initiatives on the theme: {_series(list(inits['name']))}", inits["paragraph"], ds=ds))
    return points


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
        points.append(chapter_point(
            f"Funding initiatives the chapter names: {_series(list(inits['name']))}", inits["paragraph"], ds=ds))
    acts = queries.engagements_in(sel, theme=queries.topic_themes("funding", ds=ds), ds=ds)
    for _, row in acts.head(3).iterrows():
        points.append(engagement_point(row, ds=ds))
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
    """Key points on partnerships: who works with the UN, where and on what."""
    ds = queries.dataset(ds)
    region = queries.selection(region, ds)
    if partner not in (None, "all"):
        acts = queries.partner_activities(partner, region, ds=ds)
        return [engagement_point(row, ds=ds) for _, row in acts.iterrows()]
    partners = queries.partners_in(region, ds=ds)
    if not len(partners):
        return []
    points = []
    kinds = partners.groupby("kind", observed=True).size().sort_values(ascending=False)
    described = [f"{k} ({int(n)})" for k, n in kinds.items()]
    points.append(chapter_point(
        f"{plural(len(partners), 'partner')} work with the UN, by kind: {_series(described, limit=8)}",
        partners["paragraphs"], ds=ds))
    acts = queries.partner_activities(None, region, ds=ds)
    for _, row in partners.head(4).iterrows():
        name = row["acronym"] if isinstance(row["acronym"], str) and row["acronym"] else row["name"]
        mine = acts[acts["partner_id"] == row["partner_id"]]
        placed = mine[mine["place"].notna()]
        places = _series(sorted(set(placed["place"].astype(str))), limit=5)
        count = plural(len(mine), "engagement")
        if not len(placed):
            detail = f"{count}, none tied to one place"
        elif len(placed) == len(mine):
            detail = f"{count}, in {places}"
        else:
            detail = f"{count}, {len(placed)} of them tied to a place ({places})"
        points.append(chapter_point(f"{name}: {detail}", mine["paragraph"], ds=ds))
    return points


# --- rendering ---------------------------------------------------------------------------------

def bullet_list(points: Iterable[KeyPoint | str]) -> str:
    """Key points as a Markdown bullet list (data text escaped)."""
    return "\n".join(f"- {escape(p.markdown() if isinstance(p, KeyPoint) else p)}" for p in points)


def sources_list(paragraphs: Iterable[str] = (), context_sources: Iterable[str] = (), *,
                 ds: "Dataset | None" = None) -> str:
    """The sources of a briefing as Markdown: the chapter (with the paragraphs cited) and
    every context source used, each with its publisher, symbol, year and address."""
    ds = queries.dataset(ds)
    sources = ds.sources
    lines = ["**Sources**", ""]
    chapter = sources[sources["kind"] == "chapter"]
    paras = ordered_paragraphs(paragraphs, ds=ds)
    cited = f" Paragraphs cited: {escape(', '.join(paras))}." if paras else ""
    if len(chapter):
        row = chapter.iloc[0]
        lines.append(f"- Chapter: {_source_entry(row)}.{cited} Cited as "
                     f"({CHAPTER_CITATION} ¶ section/paragraph).")
    else:
        lines.append(f"- Chapter: United Nations, Report of the Secretary-General on the work of the "
                     f"Organization (A/72/1), 2017, chapter II.B.{cited}")
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

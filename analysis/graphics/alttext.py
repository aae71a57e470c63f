"""Alternative text for the briefings' charts and maps, written from the data behind them.

A screen-reader user (and the PDF's tags) get the chart's finding, then its key numbers:
"Map: Western Africa: countries by number of chapter records. 9 countries shaded; most records:
Liberia 7, Mali 7, Côte d'Ivoire 5 and 6 more." The table beside a chart holds every value;
the alt text names the few a sighted reader sees first.

:func:`describe_axes` reads what a drawn chart shows (title, bars and their labels, legend,
source line) and suits any chart; the ``describe_*`` helpers start from the data frame a map or
timeline was drawn from, where the Axes alone cannot say which country is which.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

#: Values named one by one; the rest are counted.
NAMED = 5
LIMIT = 600


def _join(items: list[str], total: int | None = None) -> str:
    total = len(items) if total is None else total
    shown = items[:NAMED]
    text = ", ".join(shown)
    if total > len(shown):
        text += f" and {total - len(shown)} more"
    return text


def _number(value) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{f:g}" if f != int(f) else str(int(f))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LIMIT else text[: LIMIT - 1].rstrip() + "…"


def _title(ax: "Axes") -> str:
    title = ax.get_title() or ax.get_title("left")
    if not title and ax.figure is not None and getattr(ax.figure, "_suptitle", None):
        title = ax.figure._suptitle.get_text()
    return title.strip().rstrip(".")


def _source(ax: "Axes") -> str:
    texts = [t.get_text() for t in getattr(ax.figure, "texts", [])] + \
        [t.get_text() for t in ax.texts]
    for text in texts:
        if text.strip().startswith("Source"):
            return text.strip().rstrip(".")
    return ""


def _rows_by_annotation(ax: "Axes", ticks: list[str]) -> list[str]:
    """Each row of a horizontal chart (its tick label) with the texts the chart writes on it."""
    rows: dict[int, list[str]] = {}
    for t in ax.texts:
        xy = getattr(t, "xy", None)
        if xy is None or getattr(t, "xycoords", "data") != "data" or not t.get_text().strip():
            continue
        k = int(round(float(xy[1])))
        if 0 <= k < len(ticks):
            rows.setdefault(k, []).append(" ".join(t.get_text().split()).replace("; ", ", "))
    if not rows:
        return []
    return [f"{' '.join(tick.split())}: {', '.join(rows.get(k, ['not drawn']))}" for k, tick in enumerate(ticks)]


def describe_axes(ax: "Axes", kind: str = "Chart") -> str:
    """``kind``, the chart's title (its finding), its bars with their values, and its source. A
    chart of context figures says so, gives the unit of its values, its caveats (starred notes)
    and its context sources, as the chart itself does."""
    texts = [t.get_text().strip() for t in getattr(ax.figure, "texts", [])] + \
        [t.get_text().strip() for t in ax.texts]
    lines: list[str] = []  # a chart's notes, each wrapped line joined to the note it continues
    for text in texts:
        for line in text.splitlines():
            if lines and line.strip() and not line.strip().startswith(("*", "Context", "Not shown", "Source")):
                lines[-1] += " " + line.strip()
            elif line.strip():
                lines.append(line.strip())
    context = any(line.startswith("Context: public figures") for line in lines)
    if context:
        kind = f"{kind} (context: public figures, not from the chapter)"
    parts = [f"{kind}: {_title(ax)}" if _title(ax) else kind]
    bars = []
    for container in getattr(ax, "containers", []):
        values = getattr(container, "datavalues", None)
        if values is None:
            continue
        label = container.get_label()
        label = "" if not label or label.startswith("_") else f"{label} "
        bars.extend(f"{label}{_number(v)}" for v in values)
    horizontal = any(getattr(c, "orientation", "vertical") == "horizontal"
                     for c in getattr(ax, "containers", []))
    ticks = [t.get_text() for t in (ax.get_yticklabels() if horizontal else ax.get_xticklabels())]
    ticks = [t for t in ticks if t]
    if bars and len(ticks) == len(bars):
        bars = [f"{tick}: {bar}" for tick, bar in zip(ticks, bars)]
    by_row = []
    if bars and len(ticks) != len(bars) and horizontal and ticks:  # rows without a bar (a target
        by_row = _rows_by_annotation(ax, ticks)  # without its level): each row by what it writes
    if bars:
        unit = (ax.get_xlabel() if horizontal else ax.get_ylabel()).strip() if context else ""
        parts.append(f"Values{f' ({unit})' if unit else ''}: "
                     + ("; ".join(by_row) if by_row else _join(bars)))
    legend = ax.get_legend()
    if legend is not None:
        labels = [t.get_text() for t in legend.get_texts() if t.get_text()]
        if labels:
            parts.append(f"Key: {', '.join(labels)}")
    if _source(ax):
        parts.append(_source(ax))
    if context:  # its caveats and its sources, as the chart prints them
        parts += [line.rstrip(".") for line in lines if line.startswith("*")]
        parts += [line.rstrip(".") for line in lines
                  if line.startswith("Context:") and not line.startswith("Context: public figures")]
    return _clip(". ".join(parts) + ".")


def describe_map(data: "pd.DataFrame", *, title: str, value: str = "count",
                 name: str = "name", what: str = "records", ds=None) -> str:
    """A choropleth: how many countries are shaded and those with the highest values. A country
    counted only through records tied to it by inference (an ``inferred`` column equal to its
    count: the United Kingdom for a conference "held in London") is marked "(inferred)", one
    partly so "(partly inferred)", as a chart's bars are."""
    frame = data.dropna(subset=[value]) if value in data else data.iloc[0:0]
    if name not in frame:
        name = "iso3"
    frame = frame.sort_values([value, name], ascending=[False, True], kind="stable")
    from ..model.names import in_sentence  # a country as running text names it ("the Gambia")

    def mark(row) -> str:
        inferred = row.get("inferred") if "inferred" in frame else 0
        if not isinstance(inferred, (int, float)) or inferred != inferred or not inferred:
            return ""  # none, or missing (NA)
        return " (inferred)" if inferred >= row[value] else " (partly inferred)"

    items = [f"{in_sentence(row[name], ds)}{mark(row)} {_number(row[value])}" for _, row in frame.iterrows()]
    n = len(frame)
    body = f"{n} {'country' if n == 1 else 'countries'} shaded"
    if items:
        body += f"; most {what}: {_join(items, n)}"
    return _clip(f"Map: {title.rstrip('.')}. {body}.")


def describe_presence(operations: "pd.DataFrame", offices: "pd.DataFrame", *, title: str) -> str:
    """A map of operations and offices: which ones, where."""
    def named(frame, key):
        out = []
        for _, row in frame.iterrows():
            label = row.get(key) or row.get("name")
            place = row.get("place")
            out.append(f"{label} ({place})" if isinstance(place, str) and place else str(label))
        return out

    ops, offs = named(operations, "operation_id"), named(offices, "office_id")
    parts = [f"Map: {title.rstrip('.')}"]
    if ops:
        parts.append(f"{len(ops)} peace operation{'s' if len(ops) != 1 else ''}: {_join(ops)}")
    if offs:
        parts.append(f"{len(offs)} office{'s' if len(offs) != 1 else ''} or envoy"
                     f"{'s' if len(offs) != 1 else ''}: {_join(offs)}")
    return _clip(". ".join(parts) + ".")


def describe_findings(title: str, found, *, not_drawn: Iterable[str] = ()) -> str:
    """A chart or map drawn from findings (:mod:`analysis.prose.findings`): each finding's count
    and its first items, so the alt text counts exactly what the key points and tables count;
    ``not_drawn`` names those counted that the map cannot draw (no place of their own)."""
    parts = [f"Map: {title.rstrip('.')}"]
    unplaced = list(not_drawn)
    if unplaced:  # first: the lists after it may be cut to the alt text's length
        parts.append(f"Not drawn (no place of its own): {_join(unplaced)}")
    for finding in found:
        if finding.count:
            parts.append(f"{finding.counted()}: {_join(finding.labels())}")
    return _clip(". ".join(parts) + ".")


def describe_timeline(events: "pd.DataFrame", *, title: str = "Timeline of dated events") -> str:
    """A timeline: how many events, the earliest and the latest (in the timeline's one order,
    :func:`analysis.model.queries.in_date_order`), how many are planned. Dates as the chapter writes
    them, else in words and said not to be the chapter's."""
    from ..prose.text import event_date, lower_first

    n = len(events)
    if not n:
        return f"{title}: no dated events."
    if "date_start" in events:
        from ..model.queries import in_date_order

        events = in_date_order(events)
    from ..prose.formatting import flag_set

    labels = [event_date(r) for _, r in events.iterrows()] if "date_label" in events else []
    # mid-sentence after a colon: lower-cased as the key points write them ("June 2016: a robust ...")
    guessed = [flag_set(v) for v in events["inferred"]] if "inferred" in events else [False] * n
    descriptions = [lower_first(str(x).rstrip(".")) + (" (inferred)" if g else "")
                    for x, g in zip(events.get("description", []), guessed)]
    parts = [f"{title}: {n} dated event{'s' if n != 1 else ''}"]
    if any(guessed) and n > 1:
        parts[0] += f" ({sum(guessed)} inferred)"
    if labels and n == 1:
        parts[0] += f", {labels[0]}: {descriptions[0] if descriptions else ''}".rstrip(": ")
    elif labels:
        parts.append(f"the earliest, {labels[0]}: {descriptions[0] if descriptions else ''}".rstrip(": "))
        if n > 1:
            parts.append(f"the latest, {labels[-1]}: {descriptions[-1] if descriptions else ''}"
                         .rstrip(": "))
    if "status" in events:
        from .charts import event_status

        statuses = [event_status(s) for s in events["status"]]
        if statuses.count("planned"):
            parts.append(f"{statuses.count('planned')} planned (drawn hollow)")
        if statuses.count("referred to"):
            parts.append(f"{statuses.count('referred to')} referred to only, not said to have happened "
                         "(drawn as hollow squares or dotted bars)")
    return _clip("; ".join(parts) + ".")


def describe_counts(names: Iterable[str], *, title: str, what: str = "engagements",
                    shown: tuple[str, str] = ("", "")) -> str:
    """A matrix or bar chart of how often each name occurs (e.g. actors by place): each name
    with its number of ``what``, the largest first ("most" only where the numbers differ)."""
    from collections import Counter

    counts = Counter(str(n) for n in names if isinstance(n, str) and n)
    items = [f"{name} {count}" for name, count in
             sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    if not items:
        return f"Chart: {title.rstrip('.')}."
    noun = shown[0] if len(items) == 1 else shown[1]
    head = f"{len(items)} {noun} shown" if noun else f"{len(items)} shown"
    how = (f"by number of {what}, most first" if len(set(counts.values())) > 1
           else f"with its number of {what}" if len(items) == 1
           else f"each with the same number of {what}")
    return _clip(f"Chart: {title.rstrip('.')}. {head}, {how}: {_join(items)}.")

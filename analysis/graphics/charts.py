"""Charts of the chapter's data, seaborn-style: ``plot_x(data, *, options..., ax=None) -> Axes``.

A chart draws only the rows it is given; ``ds`` (a dataset, for names and sources) is used only
when passed, never loaded.

Every helper takes rows shaped like a dataset table (a DataFrame, or anything ``pandas.DataFrame``
accepts), draws on ``ax`` (or on a new figure) in the workbook's style (:mod:`analysis.graphics.style`),
titles the chart with its finding unless ``title`` is given, and writes a source line under it
naming the chapter's paragraphs (or the public source, for context figures).

- Empty input draws "No data for this selection" instead of an empty chart.
- Missing columns raise ``ValueError`` naming the missing and the expected columns.

matplotlib is imported with this module; pyplot only when a helper makes a new figure.
"""
from __future__ import annotations

from ..prose.formatting import caveat_phrase, figure_value, format_number, format_value, plural, tied_lead
from .plotting import as_frame, missing, prepare_axes, require_columns, table_of, text_of
from .style import (HAPPENED_COLOR, MUTED_TEXT_COLOR, OKABE_ITO, PALETTE, PLANNED_COLOR, REFERRED_COLOR,
                    SEQUENTIAL, TARGET_COLOR, add_source, chapter_source, context_source, no_data, set_title,
                    source_line, style_context, wrap)

__all__ = ["plot_counts", "plot_figures_against_targets", "plot_partner_matrix",
           "plot_public_figures", "plot_timeline", "require_columns"]

EVENT_COLUMNS = ("event_id", "date_label", "date_precision", "date_start", "date_end", "description",
                 "status", "paragraph")
FIGURE_COLUMNS = ("figure_id", "value", "unit", "kind", "counts", "target_figure_id", "paragraph")
ENGAGEMENT_COLUMNS = ("operation_id", "office_id", "partner_id", "theme_id", "paragraph")
PUBLIC_FIGURE_COLUMNS = ("figure_id", "topic", "period_label", "period_start", "value", "unit",
                         "qualifier", "counts", "source_id")
MATRIX_BY = ("place", "theme")
MAX_HUES = 7  # the Okabe-Ito colours besides yellow, which is too light for thin bars
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _grid(ax, axis: str) -> None:
    ax.grid(axis=axis, color="#DDDDDD", linewidth=0.8)




# --- timeline --------------------------------------------------------------------------------

def human_date(precision: str, start, end) -> str:
    """A date as a reader writes it, at the precision the chapter gives: '12 May 2016', 'Sep 2016',
    '2017', '2017–2018', 'Sep 2016–Jun 2017'."""
    def month(d):
        return f"{_MONTHS[d.month - 1]} {d.year}"

    if precision == "day":
        return f"{start.day} {month(start)}"
    if precision == "month":
        return month(start)
    if precision == "year":
        return str(start.year)
    whole_years = start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31
    if whole_years:
        return str(start.year) if start.year == end.year else f"{start.year}\u2013{end.year}"
    return f"{month(start)}\u2013{month(end)}"


def plot_timeline(events, *, title: str | None = None, ax=None, label_width: int = 50):
    """Dated events on a time axis, one row per event, earliest at the top.

    Day- and month-precise dates are points (a month also shows its extent as a thin line); years
    and periods are spans. Each status (``events.status``) differs in shape as well as colour:
    happened events are filled blue circles/bars; planned ones hollow vermilion diamonds/hatched
    bars; events the chapter only refers to (saying neither that they happened nor that they are
    planned) hollow black squares/dotted bars. Each row is labelled with its date and wrapped
    description.
    """
    import matplotlib.dates as mdates
    import numpy as np
    import pandas as pd
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    frame = as_frame(events)
    require_columns(frame, EVENT_COLUMNS, function="plot_timeline", shaped_like="events")
    with style_context():
        if frame.empty:
            return no_data(prepare_axes(ax, (9, 2.5)), title=title)
        rows = frame.assign(date_start=pd.to_datetime(frame["date_start"]),
                            date_end=pd.to_datetime(frame["date_end"]))
        from ..model.queries import in_date_order

        rows = in_date_order(rows)
        labels, heights = [], []
        inferred = [_present_and_true(v) for v in (rows["inferred"] if "inferred" in rows else [False] * len(rows))]
        for row, guess in zip(rows.itertuples(index=False), inferred):
            written = text_of(getattr(row, "date_as_written", None))
            when = written or human_date(str(row.date_precision), row.date_start, row.date_end)
            mark = " (inferred)" if guess else ""
            label = wrap(f"{when}: {text_of(row.description)}{mark}", label_width)
            labels.append(label)
            heights.append(0.7 + 0.45 * (label.count("\n") + 1))
        statuses = [event_status(s) for s in rows["status"]]
        is_point = rows["date_precision"].astype(str).isin(["day", "month"]).to_numpy()
        handles = []
        for status, name in EVENT_STATUS_LEGEND:
            present = np.array([s == status for s in statuses], dtype=bool)
            if (present & is_point).any():
                handles.append(Line2D([], [], linestyle="none", label=f"{name} (day or month)",
                                      **_event_marker(status)))
            if (present & ~is_point).any():
                handles.append(Patch(label=f"{name} (year or period)", **_event_span(status)))
        if any(inferred):
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=12, markerfacecolor="none",
                                  markeredgecolor=MUTED_TEXT_COLOR, markeredgewidth=1.2,
                                  label="Inferred (ringed; see the notes)"))
        ncol = 2 if len(handles) > 2 else 1
        headroom = 0.3 + 0.7 * -(-len(handles) // ncol)
        centres, top = [], headroom
        for h in heights:
            centres.append(top + h / 2)
            top += h
        unit_in = 0.3
        ax = prepare_axes(ax, (10, 1.9 + unit_in * top))

        starts = mdates.date2num(rows["date_start"].to_numpy())
        ends = mdates.date2num((rows["date_end"] + pd.Timedelta(days=1)).to_numpy())
        span = max(ends.max() - starts.min(), 60.0)
        pad = max(span * 0.04, 20.0)
        x0, x1 = starts.min() - pad, ends.max() + pad
        for i, y in enumerate(centres):
            colour = _EVENT_COLOURS[statuses[i]]
            ax.hlines(y, x0, starts[i], colors="#CCCCCC", linewidth=0.8, linestyles=(0, (1, 2)), zorder=1)
            if is_point[i]:
                mid = (starts[i] + ends[i]) / 2 if rows.at[i, "date_precision"] == "month" else starts[i]
                if rows.at[i, "date_precision"] == "month":
                    ax.hlines(y, starts[i], ends[i], colors=colour, linewidth=1.6, zorder=2)
                ax.plot([mid], [y], linestyle="none", zorder=3, gid=f"event-{rows.at[i, 'event_id']}",
                        **_event_marker(statuses[i]))
            else:
                ax.barh(y, ends[i] - starts[i], left=starts[i], height=0.5, zorder=2,
                        gid=f"event-{rows.at[i, 'event_id']}", **_event_span(statuses[i]))
            if inferred[i]:
                centre = (starts[i] + ends[i]) / 2 if not is_point[i] or rows.at[i, "date_precision"] == "month" \
                    else starts[i]
                ax.plot([centre], [y], linestyle="none", marker="o", markersize=15, markerfacecolor="none",
                        markeredgecolor=MUTED_TEXT_COLOR, markeredgewidth=1.2, zorder=4,
                        gid=f"inferred-{rows.at[i, 'event_id']}")
        ax.set_xlim(x0, x1)
        ax.set_ylim(top, 0)
        ax.set_yticks(centres, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        _grid(ax, "x")

        ax.legend(handles=handles, loc="upper right", ncol=ncol, borderaxespad=0.3, handlelength=1.6)

        if title is None:
            y0, y1 = rows["date_start"].dt.year.min(), rows["date_end"].dt.year.max()
            years = str(y0) if y0 == y1 else f"{y0}\u2013{y1}"
            title = f"{plural(len(rows), 'dated event')}, {years}: {status_counts(statuses)}"
        set_title(ax, title)
        add_source(ax, chapter_source(rows["paragraph"]))
    return ax


#: An event's status (``events.status``) as the timeline draws it, in the legend's order and words.
EVENT_STATUS_LEGEND = (("happened", "Happened"),
                       ("referred to", "Referred to only, not said to have happened"),
                       ("planned", "Planned at the time of the report"))
_EVENT_COLOURS = {"happened": HAPPENED_COLOR, "planned": PLANNED_COLOR, "referred to": REFERRED_COLOR}


def event_status(value) -> str:
    """An event's status as the timeline draws it: ``happened`` only where the row says so;
    any other value is drawn as "referred to" (never as happened)."""
    status = text_of(value)
    return status if status in ("happened", "planned") else "referred to"


def status_counts(statuses: list[str]) -> str:
    """How many events have each status, as the timeline's title gives it ("7 happened, 2 referred
    to only (not said to have happened), 1 still planned when the report was written")."""
    counts = {status: statuses.count(status) for status, _ in EVENT_STATUS_LEGEND}
    every = "all " if len(statuses) > 1 else ""
    if counts["happened"] == len(statuses):
        return "all had happened when the report was written"
    if counts["planned"] == len(statuses):
        return f"{every}still planned when the report was written"
    if counts["referred to"] == len(statuses):
        return f"{every}referred to only, not said to have happened"
    parts = [f"{counts['happened']} happened"] if counts["happened"] else []
    if counts["referred to"]:
        parts.append(f"{counts['referred to']} referred to only (not said to have happened)")
    if counts["planned"]:
        parts.append(f"{counts['planned']} still planned when the report was written")
    return ", ".join(parts)


def _event_marker(status: str) -> dict:
    if status == "planned":
        return dict(marker="D", markersize=8, markerfacecolor="white", markeredgecolor=PLANNED_COLOR,
                    markeredgewidth=2.0, color=PLANNED_COLOR)
    if status == "referred to":
        return dict(marker="s", markersize=8, markerfacecolor="white", markeredgecolor=REFERRED_COLOR,
                    markeredgewidth=2.0, color=REFERRED_COLOR)
    return dict(marker="o", markersize=8.5, markerfacecolor=HAPPENED_COLOR, markeredgecolor="white",
                markeredgewidth=0.8, color=HAPPENED_COLOR)


def _event_span(status: str) -> dict:
    if status == "planned":
        return dict(facecolor="white", edgecolor=PLANNED_COLOR, hatch="///", linewidth=1.5)
    if status == "referred to":
        return dict(facecolor="white", edgecolor=REFERRED_COLOR, hatch="..", linewidth=1.5)
    return dict(facecolor=HAPPENED_COLOR, edgecolor=HAPPENED_COLOR, linewidth=1.0)


# --- figures against targets -----------------------------------------------------------------

def _target_pairs(rows, ds):
    """(observed row or None, target row) pairs: observed figures with their targets, then
    targets that no observed figure in the selection refers to."""
    by_id = {str(r["figure_id"]): r for _, r in rows.iterrows()}
    extra = None
    pairs, used = [], set()
    for _, row in rows.iterrows():
        target_id = row.get("target_figure_id")
        if missing(target_id) or str(row.get("kind")) == "target":
            continue
        target = by_id.get(str(target_id))
        if target is None:
            if extra is None:
                known = table_of(ds, "figures")
                extra = {str(r["figure_id"]): r for _, r in known.iterrows()} if known is not None else {}
            target = extra.get(str(target_id))
        if target is None:
            continue
        pairs.append((row, target))
        used.add(str(target["figure_id"]))
    for _, row in rows.iterrows():
        if str(row.get("kind")) == "target" and str(row["figure_id"]) not in used:
            pairs.append((None, row))
    return pairs


def _said_exceeded(target) -> bool:
    """Whether the chapter says the target was exceeded (in the row's evidence or notes)."""
    words = " ".join(text_of(target.get(c)) for c in ("evidence", "counts", "inference_note", "as_written"))
    return "exceed" in words.lower() or "surpass" in words.lower()


def _pair_state(observed, target) -> str:
    """'below', 'met', 'above' (value known), 'exceeded-unstated' or 'unstated'."""
    t = float(target["value"])
    if observed is None:
        return "exceeded-unstated" if _said_exceeded(target) else "unstated"
    v = float(observed["value"])
    qualifier = text_of(observed.get("qualifier"), "exact")
    if qualifier == "more than" and v == t:
        return "exceeded-unstated"
    if v < t:
        return "below"
    return "met" if v == t else "above"


def _present_and_true(value) -> bool:
    """True for a value that is there (not NA or NaN) and true in Python's sense: the text
    "False" counts as true here, unlike :func:`analysis.prose.formatting.flag_set`."""
    return (not missing(value)) and bool(value)


def plot_figures_against_targets(figures, *, title: str | None = None, ax=None, ds=None):
    """Each figure that has a target, as a bar against its target line.

    Rows are shaped like the ``figures`` table. An observed share is a bar with its target drawn as
    a vertical line (dashed, and labelled "inferred", when the target is inferred); a target the
    chapter says was exceeded without giving the share is drawn as the target line with an arrow
    "exceeded; share not stated". Targets referred to but absent from ``figures`` are looked up in
    ``ds`` when it is given (without ``ds``, such a figure is drawn without its target).
    """
    frame = as_frame(figures)
    require_columns(frame, FIGURE_COLUMNS, function="plot_figures_against_targets", shaped_like="figures")
    with style_context():
        pairs = _target_pairs(frame, ds) if not frame.empty else []
        if not pairs:
            message = "No data for this selection" if frame.empty else "No figure with a target in this selection"
            return no_data(prepare_axes(ax, (9, 2.5)), message, title=title)
        ax = prepare_axes(ax, (9.5, 1.7 + 1.15 * len(pairs)))
        percent = all(text_of(t["unit"]) == "percent" for _, t in pairs)
        top_value = max([float(t["value"]) for _, t in pairs]
                        + [float(o["value"]) for o, _ in pairs if o is not None])
        xmax = 100.0 if percent and top_value <= 100 else top_value * 1.35
        labels, states = [], []
        for i, (observed, target) in enumerate(pairs):
            subject = observed if observed is not None else target
            labels.append(wrap(_capitalize(text_of(subject["counts"])), 30))
            state = _pair_state(observed, target)
            states.append(state)
            t = float(target["value"])
            unit = target["unit"]
            if state in ("below", "met", "above"):
                v = float(observed["value"])
                qualifier = text_of(observed.get("qualifier"), "exact")
                open_ended = qualifier in ("more than", "at least")
                ax.barh(i, v, height=0.5, color=HAPPENED_COLOR, zorder=2, gid=f"figure-{observed['figure_id']}",
                        **({"hatch": "///", "edgecolor": "white"} if open_ended else {}))
                text = figure_value(observed)
                if _present_and_true(observed.get("inferred")):
                    text += " (inferred)"
                ax.annotate(text, (v, i), xytext=(5, 0), textcoords="offset points", va="center",
                            fontweight="bold", color=HAPPENED_COLOR)
            elif state == "exceeded-unstated":
                ax.annotate("", xy=(min(t + xmax * 0.16, xmax * 0.98), i), xytext=(t, i),
                            arrowprops=dict(arrowstyle="-|>", color=HAPPENED_COLOR, lw=2.2), zorder=3)
                ax.annotate("exceeded; share not stated", (min(t + xmax * 0.17, xmax), i),
                            xytext=(4, 0), textcoords="offset points", va="center",
                            color=HAPPENED_COLOR, fontweight="bold")
            else:
                ax.annotate("level not stated in the chapter", (t, i), xytext=(8, 0),
                            textcoords="offset points", va="center", color=MUTED_TEXT_COLOR, style="italic")
            inferred = _present_and_true(target.get("inferred"))
            ax.vlines(t, i - 0.38, i + 0.38, colors=TARGET_COLOR, linewidth=2.2, zorder=4,
                      linestyles=(0, (3, 1.5)) if inferred else "solid", gid=f"target-{target['figure_id']}")
            target_text = "target " + figure_value(target)
            if inferred:
                target_text += " (inferred)"
            ax.annotate(target_text, (t, i - 0.38), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=9, color=TARGET_COLOR)
        ax.set_ylim(len(pairs) - 0.4, -0.75)
        ax.set_yticks(range(len(pairs)), labels)
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, xmax)
        if percent:
            from matplotlib.ticker import FuncFormatter, MultipleLocator

            ax.xaxis.set_major_locator(MultipleLocator(25))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}%"))
        else:
            unit = text_of(pairs[0][1]["unit"])
            ax.set_xlabel({"count": "Number"}.get(unit, unit))
        _grid(ax, "x")
        ax.spines["left"].set_visible(False)
        if title is None:
            title = _targets_title(pairs, states)
        set_title(ax, title)
        rows = [r for pair in pairs for r in pair if r is not None]
        add_source(ax, chapter_source([r["paragraph"] for r in rows]))
    return ax


def _targets_title(pairs, states) -> str:
    if len(pairs) == 1:
        observed, target = pairs[0]
        state, t = states[0], float(target["value"])
        unit = target["unit"]
        inferred = " (inferred)" if _present_and_true(target.get("inferred")) else ""
        subject = _capitalize(text_of((observed if observed is not None else target)["counts"]))
        target_text = f"the target of {figure_value(target)}{inferred}"
        if state == "exceeded-unstated":
            return f"{subject}: above {target_text}; the share itself is not stated"
        if state == "unstated":
            return f"{subject}: a target of {figure_value(target)}{inferred}, level not stated"
        v = float(observed["value"])
        ratio = v / t if t else 0
        if state == "below":
            gap = "about half" if 0.45 <= ratio <= 0.55 else (
                f"{format_number(t - v)} points short of" if unit == "percent" else "short of")
            return f"{subject}: {figure_value(observed)}, {gap} {target_text}"
        return f"{subject}: {figure_value(observed)}, {'meeting' if state == 'met' else 'above'} {target_text}"
    reached = sum(s in ("met", "above", "exceeded-unstated") for s in states)
    short = sum(s == "below" for s in states)
    parts = [f"{reached} of {len(pairs)} targets met or exceeded"]
    if short:
        parts.append(f"{short} not reached")
    return "; ".join(parts)


# --- partner matrix --------------------------------------------------------------------------

def _short_name(name: str, short: str | None, limit: int = 64) -> str:
    """A display name: the name without "of the Secretary-General", or ``short`` when still long."""
    name = name.replace(" of the Secretary-General", "")
    if len(name) <= limit or not short:
        return name
    return short


def _actor_names(ds) -> dict:
    """(kind, id) -> display name, from the dataset's operations, offices and partners."""
    names = {}
    operations, offices, partners = (table_of(ds, t) for t in ("operations", "offices", "partners"))
    for _, r in (operations.iterrows() if operations is not None else ()):
        names[("operation", str(r["operation_id"]))] = str(r["operation_id"])
    for _, r in (offices.iterrows() if offices is not None else ()):
        names[("office", str(r["office_id"]))] = _short_name(str(r["name"]), str(r["office_id"]))
    for _, r in (partners.iterrows() if partners is not None else ()):
        names[("partner", str(r["partner_id"]))] = _short_name(str(r["name"]), text_of(r.get("acronym")) or None)
    return names


_ACTOR_GROUPS = (("operation", "operation_id", "UN peace operations"),
                 ("office", "office_id", "UN envoys and offices"),
                 ("partner", "partner_id", "Partners"))
#: The partners table's rows by ``relation_to_un``: each group is drawn (and named) apart; none
#: is called partners (whether an organization works with the UN is a fact of each engagement,
#: which the key points give).
_PARTNER_GROUPS = (("UN system", "The UN and UN bodies (not partners)"),
                   ("outside the UN", "Organizations outside the UN"),
                   ("government", "Governments"), ("party to a conflict", "Parties to a conflict"))
#: Operations the UN does not lead alone (``operations.lead`` other than "UN": the AU's, a hybrid)
#: are drawn apart from the UN's own.
_OPERATION_GROUPS = (("operation", "UN peace operations"),
                     ("operation:not UN", "Operations led by the AU or jointly with it"))
_GROUPS = (*_OPERATION_GROUPS, ("office", "UN envoys and offices"),
           *((f"partner:{r}", g) for r, g in _PARTNER_GROUPS), ("partner", "Partners"))


def plot_partner_matrix(engagements, *, by: str = "place", title: str | None = None, ax=None, ds=None):
    """Actors engaged, by place (``by="place"``) or by theme (``by="theme"``): actors × places or
    themes (every actor engaged, not only partners).

    Rows are shaped like the ``engagements`` table; each cell counts engagement rows. Actors are
    grouped (UN operations, operations led by the AU or jointly with it, UN envoys and offices,
    partners) and named from ``ds`` when it is
    given; ids stay where no name is found (and without ``ds``).
    """
    import numpy as np

    if by not in MATRIX_BY:
        raise ValueError(f"plot_partner_matrix: by={by!r} is not allowed; allowed: {', '.join(MATRIX_BY)}")
    frame = as_frame(engagements)
    column = "place_id" if by == "place" else "theme_id"
    require_columns(frame, ENGAGEMENT_COLUMNS + (("place_id",) if by == "place" else ()),
                    function="plot_partner_matrix", shaped_like="engagements")
    with style_context():
        if frame.empty:
            return no_data(prepare_axes(ax, (9, 2.5)), title=title)
        dataset = ds
        actor_names = _actor_names(dataset)
        table = table_of(dataset, "places" if by == "place" else "themes")
        column_names = ({} if table is None else
                        dict(zip(table[column].astype(str), table["name"].astype(str))))
        partners = table_of(dataset, "partners")
        relations = {} if partners is None or "relation_to_un" not in partners else \
            {str(k): text_of(v) for k, v in zip(partners["partner_id"], partners["relation_to_un"])}
        operations = table_of(dataset, "operations")
        leads = {} if operations is None or "lead" not in operations else \
            {str(k): text_of(v) for k, v in zip(operations["operation_id"], operations["lead"])}
        records = []
        for _, r in frame.iterrows():
            for kind, id_column, _group in _ACTOR_GROUPS:
                if not missing(r.get(id_column)):
                    actor_id = str(r[id_column])
                    name = actor_names.get((kind, actor_id), actor_id)
                    if kind == "partner" and relations.get(actor_id):
                        kind = f"partner:{relations[actor_id]}"
                    elif kind == "operation" and leads.get(actor_id, "UN") != "UN":
                        kind = "operation:not UN"
                    records.append((kind, name, text_of(r.get(column)) or None, _present_and_true(r.get("inferred"))))
                    break
        if not records:
            return no_data(prepare_axes(ax, (9, 2.5)), title=title)
        unplaced = "No specific place" if by == "place" else "No theme"
        counts: dict[tuple, int] = {}
        guessed: set[tuple] = set()  # cells counting an inferred engagement: starred
        for kind, actor, col, inferred in records:
            counts[(kind, actor, col)] = counts.get((kind, actor, col), 0) + 1
            if inferred:
                guessed.add((kind, actor, col))
        col_totals: dict = {}
        row_totals: dict = {}
        for (kind, actor, col), n in counts.items():
            col_totals[col] = col_totals.get(col, 0) + n
            row_totals[(kind, actor)] = row_totals.get((kind, actor), 0) + n
        group_order = {kind: i for i, (kind, _) in enumerate(_GROUPS)}
        row_keys = sorted(row_totals, key=lambda k: (group_order[k[0]], -row_totals[k], k[1].casefold()))

        def col_label(col):
            return unplaced if col is None else column_names.get(col, col)

        col_keys = sorted(col_totals, key=lambda c: (c is None, -col_totals[c], col_label(c).casefold()))
        matrix = np.zeros((len(row_keys), len(col_keys)))
        for (kind, actor, col), n in counts.items():
            matrix[row_keys.index((kind, actor)), col_keys.index(col)] = n

        ax = prepare_axes(ax, (max(6.5, 3.2 + 0.55 * len(col_keys)), 2.4 + 0.42 * len(row_keys)))
        starred = {(row_keys.index((k, a)), col_keys.index(c)) for k, a, c in guessed}
        _draw_matrix(ax, matrix, starred)
        ax.set_xticks([c + 0.5 for c in range(len(col_keys))], [col_label(c) for c in col_keys],
                      rotation=50, ha="right", rotation_mode="anchor")
        ax.set_yticks([r + 0.5 for r in range(len(row_keys))], [wrap(actor, 32) for _, actor in row_keys])
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        # Group separators and group names at the right.
        for i, (kind, group) in enumerate(_GROUPS):
            idx = [j for j, k in enumerate(row_keys) if k[0] == kind]
            if not idx:
                continue
            if idx[0] > 0:
                ax.axhline(idx[0], color="#333333", linewidth=1.2)
            ax.annotate(wrap(group, 14), (len(col_keys), (idx[0] + idx[-1] + 1) / 2),
                        xytext=(8, 0), textcoords="offset points", va="center", ha="left",
                        fontsize=9, color=MUTED_TEXT_COLOR, style="italic", annotation_clip=False)
        if title is None:
            spread = {}
            for (kind, actor, col) in counts:
                spread.setdefault((kind, actor), set()).add(col)
            ranked = sorted(spread, key=lambda k: (-len(spread[k]), group_order[k[0]], k[1].casefold()))
            noun = "place" if by == "place" else "theme"
            title = f"{plural(len(row_keys), 'actor')} across {plural(len(col_keys), noun)}"
            widths = {len(cols) for cols in spread.values()}
            if len(widths) > 1:  # a lead only where some actor spans more than another
                title += "; " + tied_lead([k[1] for k in ranked], [len(spread[k]) for k in ranked],
                                          verb_one="spans", verb_many="span")
            elif len(row_keys) > 1 and len(col_keys) > 1:
                title += f"; each in {plural(widths.pop(), noun)}"
        set_title(ax, title)
        add_source(ax, chapter_source(frame["paragraph"]),
                   note="* counts at least one inferred engagement (see the briefing's Inferences)"
                   if starred else None)
    return ax


def _draw_matrix(ax, matrix, starred=frozenset()):
    """Counts as shaded cells with the number written in each non-empty one."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    top = int(matrix.max())
    levels = min(top, len(SEQUENTIAL))
    colours = ["white"] + list(SEQUENTIAL[:levels] if levels == len(SEQUENTIAL) else SEQUENTIAL[1:levels + 1])
    bounds = [-0.5, 0.5] + [0.5 + top * (k + 1) / levels for k in range(levels)]
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(bounds, cmap.N)
    ax.pcolormesh(range(matrix.shape[1] + 1), range(matrix.shape[0] + 1), matrix, cmap=cmap, norm=norm,
                  edgecolors="#DDDDDD", linewidth=0.8, shading="flat")
    ax.set_xlim(0, matrix.shape[1])
    ax.set_ylim(matrix.shape[0], 0)
    for (r, c), n in _nonzero(matrix):
        dark = norm(n) >= max(3, cmap.N - 2)
        ax.text(c + 0.5, r + 0.5, str(int(n)) + ("*" if (r, c) in starred else ""), ha="center",
                va="center", fontsize=9.5,
                color="white" if dark else "#111111", fontweight="bold")


def _nonzero(matrix):
    import numpy as np

    for r, c in zip(*np.nonzero(matrix)):
        yield (int(r), int(c)), matrix[r, c]


# --- counts ----------------------------------------------------------------------------------

def plot_counts(data, *, x: str, hue: str | None = None, title: str | None = None, source=None,
                ax=None, value: str | None = None, what: str = "records", top: int | None = None):
    """Horizontal bars of counts per category of ``x`` (stacked by ``hue``), largest at the top.

    ``data`` holds either one row per record (rows are counted) or a column of counts: ``value``
    names it, and a column called ``count`` is used when ``value`` is not given. ``source`` is the
    source line (a string) or paragraph locators; by default the ``paragraph`` (or ``paragraphs``)
    column of ``data`` gives them. ``what`` names what is counted (for the title and axis).
    """
    import pandas as pd

    frame = as_frame(data)
    value_column = value or ("count" if "count" in frame.columns else None)
    required = (x,) + ((hue,) if hue else ()) + ((value_column,) if value_column else ())
    require_columns(frame, required, function="plot_counts")
    with style_context():
        if frame.empty:
            return no_data(prepare_axes(ax, (8, 2.5)), title=title)
        work = frame.assign(_category=frame[x].astype("string").fillna("Not stated"),
                            _value=(pd.to_numeric(frame[value_column]).fillna(0).astype(float)
                                    if value_column else 1.0))
        if hue:
            work["_hue"] = work[hue].astype("string").fillna("Not stated")
            hue_totals = work.groupby("_hue", observed=True)["_value"].sum()
            ranked = sorted(hue_totals.index, key=lambda h: (-hue_totals[h], str(h).casefold()))
            if len(ranked) > MAX_HUES:  # more colours would repeat: fold the smallest into "Other"
                work["_hue"] = work["_hue"].where(work["_hue"].isin(ranked[:MAX_HUES - 1]), "Other")
        totals = work.groupby("_category", observed=True)["_value"].sum()
        totals = totals[totals > 0]
        if totals.empty:
            return no_data(prepare_axes(ax, (8, 2.5)), title=title)
        order = sorted(totals.index, key=lambda c: (-totals[c], str(c).casefold()))
        if top:
            order = order[:top]
        ax = prepare_axes(ax, (9, 1.6 + 0.42 * len(order)))
        positions = range(len(order))
        if hue:
            table = work.pivot_table(index="_category", columns="_hue", values="_value", aggfunc="sum",
                                     fill_value=0, observed=True).reindex(order).fillna(0)
            hue_order = sorted(table.columns, key=lambda h: (h == "Other", -table[h].sum(), str(h).casefold()))
            left = [0.0] * len(order)
            for k, h in enumerate(hue_order):
                widths = table[h].tolist()
                colour = "#999999" if h == "Other" else PALETTE[k]
                ax.barh(list(positions), widths, left=left, height=0.65, color=colour,
                        edgecolor="white", linewidth=0.8, label=str(h))
                left = [a + b for a, b in zip(left, widths)]
            ax.legend(title=_capitalize(hue.replace("_", " ")), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      alignment="left")
        else:
            ax.barh(list(positions), [totals[c] for c in order], height=0.65, color=PALETTE[0])
        for i, c in enumerate(order):
            ax.annotate(format_number(totals[c]), (totals[c], i), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=9.5)
        ax.set_yticks(list(positions), [wrap(c, 32) for c in order])
        ax.set_ylim(len(order) - 0.5, -0.6)
        ax.set_xlim(0, max(totals[c] for c in order) * 1.12)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        _grid(ax, "x")
        ax.set_xlabel(f"Number of {what}")
        ax.xaxis.get_major_locator().set_params(integer=True)
        if title is None:
            lead = order[0]
            tied = [c for c in order if totals[c] == totals[lead]]
            total = format_number(totals.sum())
            if len(tied) > 1:
                title = f"{', '.join(tied[:-1])} and {tied[-1]} have the most {what} ({format_number(totals[lead])} each of {total})"
            else:
                title = f"{lead} has the most {what}: {format_number(totals[lead])} of {total}"
        set_title(ax, title)
        add_source(ax, source_line(source, frame))
    return ax


# --- public (context) figures ----------------------------------------------------------------

def _allowed_topics() -> tuple:
    from ..data.schema import load_schema

    return tuple(load_schema().table("public_figures").field("topic").enum or ())


def _series_key(counts: str, region) -> str:
    """What a row counts, without its region ("... in the region", "... in Africa")."""
    text = str(counts)
    for suffix in (" in the region", f" in {text_of(region)}" if text_of(region) else None):
        if suffix and text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _select_public(rows, counts):
    """Pick what one chart shows: (rows, mode, total row or None, rows not shown).

    One unit only (the commonest; money first on ties). Within it, the commonest series (what is
    counted, regions folded together) if it has several rows: by region ("region") or by period
    ("period"); else every row of the unit side by side ("facts").
    """
    if counts is not None:
        chosen = rows[rows["counts"].astype(str).str.casefold() == counts.casefold()]
        if chosen.empty:
            options = sorted(rows["counts"].astype(str).unique())
            raise ValueError(f"plot_public_figures: counts {counts!r} not found; allowed: {', '.join(options)}")
        rows_unit = chosen
    else:
        units = rows["unit"].astype(str)
        sizes = units.value_counts()
        unit = sorted(sizes.index, key=lambda u: (-sizes[u], not u.startswith("US$"), u))[0]
        rows_unit = rows[units == unit]
    keys = [_series_key(c, r) for c, r in zip(rows_unit["counts"], rows_unit.get("region", [None] * len(rows_unit)))]
    rows_unit = rows_unit.assign(_key=keys)
    sizes = rows_unit["_key"].value_counts()
    key = sorted(sizes.index, key=lambda k: (-sizes[k], k))[0]
    if sizes[key] < 2:
        shown, mode, total = rows_unit, "facts", None
    else:
        shown = rows_unit[rows_unit["_key"] == key]
        regions = shown["region"].astype("string") if "region" in shown else None
        total = None
        if regions is not None and regions.notna().sum() >= 2:
            mode = "region"
            if regions.isna().sum() == 1:
                total = shown[regions.isna()].iloc[0]
            shown = shown[regions.notna()]
        else:
            mode = "period"
    hidden = len(rows) - len(shown) - (1 if total is not None else 0)
    return shown, mode, total, hidden


def plot_public_figures(public_figures, *, topic: str, title: str | None = None, ax=None, ds=None,
                        counts: str | None = None):
    """Context figures on one ``topic`` (e.g. approved peacekeeping budgets by fiscal year).

    Rows are shaped like the ``public_figures`` table. One chart shows numbers of one unit: a
    series over periods (bars left to right), a series over regions (sorted bars, the total in
    the title), or else the topic's figures of that unit side by side. ``counts`` picks the rows
    counting exactly that. Figures left out are counted in a note. The chart is tagged as context
    and its source line names the public sources (named from ``ds``'s sources table when
    ``ds`` is given, else by their ids).
    """
    import pandas as pd

    allowed = _allowed_topics()
    if allowed and topic not in allowed:
        raise ValueError(f"plot_public_figures: topic {topic!r} is not allowed; allowed: {', '.join(allowed)}")
    frame = as_frame(public_figures)
    require_columns(frame, PUBLIC_FIGURE_COLUMNS, function="plot_public_figures", shaped_like="public_figures")
    with style_context():
        rows = frame[frame["topic"].astype(str) == topic] if not frame.empty else frame
        if rows.empty:
            return no_data(prepare_axes(ax, (8, 2.5)), title=title)
        rows = rows.assign(period_start=pd.to_datetime(rows["period_start"]))
        shown, mode, total, hidden = _select_public(rows, counts)
        unit = str(shown["unit"].iloc[0])
        if mode == "region":
            shown = shown.assign(_label=shown["region"].astype(str)).sort_values(
                ["value", "_label"], ascending=[False, True], kind="stable")
        elif mode == "period":
            shown = shown.assign(_label=shown["period_label"].astype(str)).sort_values(
                ["period_start", "figure_id"], kind="stable")
        else:
            shown = shown.assign(_label=[_capitalize(str(c)) if str(p) in str(c) else f"{_capitalize(str(c))} ({p})"
                                         for c, p in zip(shown["counts"], shown["period_label"])]).sort_values(
                ["period_start", "figure_id"], kind="stable")
        values = shown["value"].astype(float).tolist()
        qualifiers = shown["qualifier"].astype(str).tolist()
        caveats = [text_of(c) for c in (shown["caveat"] if "caveat" in shown else [None] * len(shown))]
        # A figure with a caveat (the 2017/18 budget: six months for two operations) is starred,
        # hatched and explained under the chart: it is not comparable with the others.
        texts = [format_value(v, "", q) + ("*" if c else "") for q, v, c in zip(qualifiers, values, caveats)]
        worded = [format_value(v, unit, q) for q, v in zip(qualifiers, values)]
        labels = shown["_label"].tolist()
        hatch = [dict(hatch="///", facecolor="white") if c else {} for c in caveats]
        axis_label = {"count": "Number", "people": "People", "percent": "Per cent"}.get(unit, unit)
        fill, edge = OKABE_ITO["sky blue"], "#2B7BB0"
        if mode == "period":
            ax = prepare_axes(ax, (max(8.0, 2.5 + 1.1 * len(labels)), 4.6))
            for i, v in enumerate(values):
                ax.bar(i, v, width=0.6, **{"color": fill, "edgecolor": edge, "linewidth": 0.8, **hatch[i]})
            for i, (v, t) in enumerate(zip(values, texts)):
                ax.annotate(t, (i, v), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                            fontsize=9.5)
            ax.set_xticks(range(len(labels)), [wrap(lbl, 14) for lbl in labels])
            ax.set_ylim(0, max(values) * 1.18)
            ax.set_ylabel(axis_label)
            _grid(ax, "y")
        else:
            ax = prepare_axes(ax, (9, 1.9 + 0.5 * len(labels)))
            for i, v in enumerate(values):
                ax.barh(i, v, height=0.6, **{"color": fill, "edgecolor": edge, "linewidth": 0.8, **hatch[i]})
            for i, (v, t) in enumerate(zip(values, texts)):
                ax.annotate(t, (v, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9.5)
            ax.set_yticks(range(len(labels)), [wrap(lbl, 34) for lbl in labels])
            ax.set_ylim(len(labels) - 0.5, -0.6)
            ax.set_xlim(0, max(values) * 1.2)
            ax.set_xlabel(axis_label)
            _grid(ax, "x")
            ax.tick_params(axis="y", length=0)
            ax.spines["left"].set_visible(False)
        ax.annotate("Context: public figures, not from the chapter", (0, 1), xycoords="axes fraction",
                    xytext=(0, 6), textcoords="offset points", ha="left", va="bottom", fontsize=9.5,
                    color=MUTED_TEXT_COLOR, style="italic", gid="context-tag")
        if title is None:
            comparable = [i for i, c in enumerate(caveats) if not c]
            if mode == "period" and len(comparable) < len(caveats):
                title = _public_title(shown.iloc[comparable], mode, total, [worded[i] for i in comparable],
                                      [labels[i] for i in comparable], unit)
                apart = [labels[i] for i, c in enumerate(caveats) if c]
                title += f"; {' and '.join(apart)} not comparable (starred)"
            else:
                title = _public_title(shown, mode, total, worded, labels, unit)
        set_title(ax, title)
        ax.set_title(ax.get_title(loc="left"), loc="left", pad=24)
        starred = [f"* {lbl}: {caveat_phrase(c)}" for lbl, c in zip(labels, caveats) if c]
        sources = table_of(ds, "sources")
        sources = [] if sources is None else sources
        cited = shown["source_id"].astype(str).tolist() + ([str(total["source_id"])] if total is not None else [])
        note = (f"Not shown: {plural(hidden, 'further figure')} on this topic (in the public_figures table)"
                if hidden else None)
        if starred:
            note = "\n".join(starred + ([note] if note else []))
        add_source(ax, context_source(sources, cited), note=note)
    return ax


def _public_title(shown, mode, total, worded, labels, unit) -> str:
    what = _capitalize(str(shown["_key"].iloc[0]))
    values = shown["value"].astype(float).tolist()
    if mode == "region":
        period = str(shown["period_label"].iloc[0])
        of = f" of {format_number(total['value'])}" if total is not None else ""
        return f"{what} ({period}): most in {labels[0]}, {worded[0]}{of}"
    if mode == "facts":
        return f"{shown['topic'].iloc[0]}: {plural(len(values), 'public figure')} in {unit}"
    if len(values) == 1:
        return f"{what}: {worded[0]} in {labels[0]}"
    first, last = values[0], values[-1]
    if last == first:
        return f"{what}: unchanged at {worded[-1]} from {labels[0]} to {labels[-1]}"
    verb = "rose" if last > first else "fell"
    return f"{what} {verb} from {worded[0]} in {labels[0]} to {worded[-1]} in {labels[-1]}"

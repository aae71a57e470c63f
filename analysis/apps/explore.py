"""The logic of ``notebooks/explore.ipynb``, also served as a Voilà dashboard (``make dashboard``):
pick a region, theme or partner; see key points, a table, a chart and a map of what the chapter
records there, and download the table (CSV) and the chart (PNG).

:func:`compute_view` does the work and returns a :class:`View` (a table, key points, a chart and
a map, or an honest message), so tests drive it without a browser, and the notebook's tutorial
cells call it without touching the controls. :class:`Explorer` wraps it in ipywidgets: three
Dropdowns and the views they select. The controls offer only values the data knows, grouped
(World, M49 regions, subregions, UN office areas, countries); a change redraws in place (images
and HTML widgets are updated, outputs cleared with ``wait=True``), so nothing goes blank while a
view is computed. ``Explorer.update(region=..., theme=..., partner=...)`` does from code what the
controls do.

Country names come from one place, :func:`analysis.model.names.display_names`, in the controls, the
table, the key points and the map alike.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..data.escaping import slug
from ..model import queries, salience
from ..prose import text
from ..model.names import display_names
from ..model.regions import WORLD

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..data.dataset import Dataset

ALL = "all"
#: Key points shown for a choice: the most salient engagements, one per actor (salience.rank).
KEY_POINTS = 5
KEY_POINT_GROUP = ("actor_table", "actor_id")
TABLE_COLUMNS = {"actor": "who", "place": "where", "theme": "theme", "activity": "what they do",
                 "paragraph": "paragraph"}
#: The groups of the region control, in order: (RegionSelection kind, suffix of the label).
REGION_GROUPS = (("world", ""), ("region", "M49 region"), ("subregion", "M49 subregion"),
                 ("office", "UN office area"), ("country", "country"))


@dataclass
class View:
    """What the explorer shows for one choice of region, theme and partner."""

    region: str
    theme: str
    partner: str
    label: str
    table: "pd.DataFrame"
    points: list[text.KeyPoint] = field(default_factory=list)
    message: str | None = None
    chart: Any = None  # a matplotlib Figure, or None when there is nothing to chart
    map: Any = None  # a matplotlib Figure, or None when nothing has a country
    theme_name: str | None = None  # the theme's display name, None for all themes
    title: str = ""  # what was chosen, e.g. "Western Africa (M49 subregion, 17 countries), on Elections…"

    @property
    def has_data(self) -> bool:
        return len(self.table) > 0

    def points_markdown(self) -> str:
        """The key points as Markdown: a line naming the choice and its count, then the points
        (or the message saying there is nothing); data text escaped."""
        n = len(self.table)
        head = f"**{text.escape(self.title)}**"
        if not self.points:
            return f"{head}\n\n{self.message or ''}"
        k = len(self.points)
        shown = ("" if n <= k else
                 "; shown below, the one the chapter says most about" if k == 1 else
                 f"; shown below, the {k} the chapter says most about, one per actor")
        return (f"{head}: {n} engagement{'s' if n != 1 else ''} recorded in the chapter{shown}:\n\n"
                + text.bullet_list(self.points))

    def styled_table(self, rows: int | None = None):
        """The table for display: every character of every cell, text left-aligned."""
        return display_table(self.table if rows is None else self.table.head(rows))

    def csv(self) -> str:
        """The table as CSV text (UTF-8, one header row, no index), for a spreadsheet: formulas
        neutralised (:mod:`analysis.data.csvsafe`)."""
        from ..data.csvsafe import frame_csv

        return frame_csv(self.table)

    def file_stem(self) -> str:
        """A safe file name stem naming the choice, e.g. ``engagements-western-africa-elections``."""
        parts = ["engagements", self.region, *(v for v in (self.theme, self.partner) if v != ALL)]
        return "-".join(slug(p) for p in parts if slug(p))


def display_table(frame: "pd.DataFrame"):
    """``frame`` as a pandas Styler: nothing cut (pandas cuts cells at 50 characters), text and
    headers left-aligned, no index column."""
    styler = frame.style.hide(axis="index")
    left = [{"selector": "th, td", "props": [("text-align", "left"), ("vertical-align", "top"),
                                             ("white-space", "normal")]}]
    return styler.set_table_styles(left)


# --- choices -----------------------------------------------------------------------------------

def region_options(*, ds: "Dataset | None" = None) -> list[tuple[str, str]]:
    """(label, value) pairs for the region control, grouped in this order: the world, M49 regions,
    M49 subregions, UN office areas, then countries; only choices with data, each group sorted."""
    from ..model.regions import resolve_region

    ds = queries.dataset(ds)
    groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind, _ in REGION_GROUPS}
    groups["world"].append((WORLD, WORLD))
    for value in queries.regions_with_data(ds=ds):
        sel = resolve_region(value, ds)
        if sel.kind == "office":
            label = f"{sel.label} ({sel.key} area)" if sel.label != sel.key else f"{sel.key} area"
        else:
            label = f"{sel.label} ({dict(REGION_GROUPS)[sel.kind]})"
        groups[sel.kind].append((label, value))
    names = display_names(ds)
    countries = queries.countries_with_data(ds=ds)
    groups["country"] = [(f"{names.get(iso3, iso3)} (country)", queries.canonical_region(iso3, ds=ds))
                         for iso3 in countries["iso3"]]
    out = []
    for kind, _ in REGION_GROUPS:
        out += sorted(groups[kind], key=lambda pair: pair[0].casefold())
    return out


def theme_options(*, ds: "Dataset | None" = None) -> list[tuple[str, str]]:
    """(label, value) pairs for the theme control: all themes, then each theme with engagements."""
    ds = queries.dataset(ds)
    used = set(ds.engagements["theme_id"].dropna())
    themes = ds.themes[ds.themes["theme_id"].isin(list(used))].sort_values("name", kind="stable")
    return [("All themes", ALL)] + [(str(n), str(t)) for t, n in zip(themes["theme_id"], themes["name"])]


def partner_options(*, ds: "Dataset | None" = None) -> list[tuple[str, str]]:
    """(label, value) pairs for the partner control: everyone, then each partner with engagements."""
    ds = queries.dataset(ds)
    used = set(ds.engagements["partner_id"].dropna())
    partners = ds.partners[ds.partners["partner_id"].isin(list(used))].sort_values("name", kind="stable")
    return [("Everyone (UN and partners)", ALL)] + [
        (str(n) + (f" ({a})" if isinstance(a, str) else ""), str(p))
        for p, n, a in zip(partners["partner_id"], partners["name"], partners["acronym"])]


#: Added to the label of a chosen value that has no data with the other choices.
NO_DATA_HERE = " (no data here)"


def narrowed_options(region: str = WORLD, theme: str = ALL, partner: str = ALL, *,
                     ds: "Dataset | None" = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(theme options, partner options) narrowed to what has data with the other two choices:
    the themes on which the region (and partner) has engagements, and the partners engaged in
    the region (on the theme). "All" stays first; a chosen value without data stays, marked
    :data:`NO_DATA_HERE`, so the controls never silently change a choice."""
    ds = queries.dataset(ds)
    region, theme, partner = check_choice(region, theme, partner, ds=ds)
    sel = queries.selection(region, ds)
    by_partner = queries.engagements_in(sel, partner=None if partner == ALL else partner, ds=ds)
    by_theme = queries.engagements_in(sel, theme=None if theme == ALL else theme, ds=ds)
    themes = _narrow(theme_options(ds=ds), set(by_partner["theme_id"].dropna()), theme)
    partners = _narrow(partner_options(ds=ds), set(by_theme["partner_id"].dropna()), partner)
    return themes, partners


def _narrow(options: list[tuple[str, str]], available: set, chosen: str) -> list[tuple[str, str]]:
    out = []
    for label, value in options:
        if value == ALL or value in available:
            out.append((label, value))
        elif value == chosen:
            out.append((label + NO_DATA_HERE, value))
    return out


def check_choice(region: str = WORLD, theme: str = ALL, partner: str = ALL, *,
                 ds: "Dataset | None" = None) -> tuple[str, str, str]:
    """The normalised (region, theme, partner), or ParameterError naming the bad value."""
    from ..briefings.params import ParameterError, close_matches, did_you_mean, listing, normalise_partner, \
        normalise_region

    ds = queries.dataset(ds)
    try:
        region = normalise_region(region)
    except ValueError as err:
        raise ParameterError(f"explore: region {region!r} is not allowed: {' '.join(str(err).split())}",
                             notebook="explore", parameter="region", value=region) from None
    themes = [str(t) for t in ds.themes["theme_id"]]
    if theme != ALL and theme not in themes:
        by_name = {str(n).casefold(): str(t) for t, n in zip(ds.themes["theme_id"], ds.themes["name"])}
        if str(theme).casefold() in by_name:
            theme = by_name[str(theme).casefold()]
        else:
            raise ParameterError(
                f"explore: theme {theme!r} is not allowed{did_you_mean(close_matches(theme, themes))}; "
                f"allowed: {ALL}, {listing(themes)}", notebook="explore", parameter="theme",
                value=theme, allowed=[ALL, *themes])
    try:
        partner = normalise_partner(partner)
    except ValueError as err:
        raise ParameterError(f"explore: partner {partner!r} is not allowed: {err}", notebook="explore",
                             parameter="partner", value=partner) from None
    return region, theme, partner


# --- the view ----------------------------------------------------------------------------------

def compute_view(region: str = WORLD, theme: str = ALL, partner: str = ALL, *,
                 ds: "Dataset | None" = None, draw: bool = True) -> View:
    """The engagements for a region, theme and partner: table, key points, chart and map.

    ``draw=False`` skips the chart and map (faster, for tables only).
    """
    view, frame, sel = _table_view(region, theme, partner, ds=queries.dataset(ds))
    if draw and view.has_data:
        view.chart = _chart(frame, theme=view.theme, what=_what(view.theme_name))
        view.map = _map(frame, sel, what=_what(view.theme_name), ds=queries.dataset(ds))
    return view


def _table_view(region: str, theme: str, partner: str, *, ds: "Dataset"):
    """(view without chart and map, the engagements behind it, the region's selection)."""
    region, theme, partner = check_choice(region, theme, partner, ds=ds)
    sel = queries.selection(region, ds)
    label = sel.label if sel is not None else "the world"
    frame = queries.engagements_in(sel, theme=None if theme == ALL else theme,
                                   partner=None if partner == ALL else partner, ds=ds)
    frame["place"] = _place_display_names(frame, ds)
    table = frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    table = table.astype(object).where(table.notna(), "")
    table.index = range(1, len(table) + 1)
    theme_name = None if theme == ALL else dict(zip(ds.themes["theme_id"], ds.themes["name"])).get(theme, theme)
    title = sel.describe() if sel is not None else "World"
    if theme_name is not None:
        title += f", on {theme_name}"
    if partner != ALL:
        title += f", by {dict(zip(ds.partners['partner_id'], ds.partners['name'])).get(partner, partner)}"
    view = View(region, theme, partner, label, table, theme_name=theme_name, title=title)
    if not len(frame):
        view.message = _empty_message(label, theme, partner, ds)
    else:
        # the most salient facts, one per actor: what the chapter says most about, not the
        # first rows (analysis.model.salience)
        top = salience.rank(frame, ds=ds, by=KEY_POINT_GROUP, limit=KEY_POINTS)
        view.points = [text.engagement_point(row, ds=ds) for _, row in top.iterrows()]
    return view, frame, sel


def _what(theme_name: str | None) -> str:
    """What the chart and map count: "engagements", or "engagements on <theme>"."""
    if theme_name is None:
        return "engagements"
    name = str(theme_name)
    if len(name) > 1 and not name[1].isupper():  # keep acronyms as they are
        name = name[0].lower() + name[1:]
    return f"engagements on {name}"


def _place_display_names(frame: "pd.DataFrame", ds: "Dataset") -> "pd.Series":
    """The ``place`` column with each country's one display name (areas and regions as named)."""
    import pandas as pd

    names = display_names(ds)
    countries = {p: names[i] for p, i, k in zip(ds.places["place_id"], ds.places["iso3"], ds.places["kind"])
                 if k == "country" and isinstance(i, str) and i in names}
    return pd.Series([countries.get(p, n) for p, n in zip(frame["place_id"], frame["place"])],
                     index=frame.index, dtype="string")


def _empty_message(label: str, theme: str, partner: str, ds: "Dataset") -> str:
    what = "engagements"
    if theme != ALL:
        names = dict(zip(ds.themes["theme_id"], ds.themes["name"]))
        what += f" on {names.get(theme, theme)}"
    if partner != ALL:
        names = dict(zip(ds.partners["partner_id"], ds.partners["name"]))
        what += f" by {names.get(partner, partner)}"
    return text.section_note(what, label)


def _chart(frame: "pd.DataFrame", *, theme: str, what: str):
    from ..graphics import charts
    from ..graphics.style import detached_figures

    by = "theme" if theme == ALL else "actor"
    with detached_figures():
        ax = charts.plot_counts(frame, x=by, what=what, top=12, title=chart_title(frame, by, what))
    return ax.figure


def chart_title(frame: "pd.DataFrame", by: str, what: str) -> str | None:
    """The chart's title when one bar is all there is ("Partnerships: the only engagement",
    "ECOWAS: all 3 engagements on elections"); None lets the chart say which bar leads."""
    counts = frame[by].astype("string").fillna("Not stated").value_counts()
    if len(counts) != 1:
        return None
    lead, count = str(counts.index[0]), int(counts.iloc[0])
    if count == 1:
        return f"{lead}: the only {what.replace('engagements', 'engagement', 1)}"
    return f"{lead}: all {count} {what}"


def _map(frame: "pd.DataFrame", sel, *, what: str, ds: "Dataset"):
    data = queries.countries_of(frame, ds=ds)
    if not len(data):
        return None
    from ..graphics import maps
    from ..graphics.style import chapter_source, detached_figures

    with detached_figures():
        ax = maps.plot_choropleth(data, value="count", region=sel,
                                  source=chapter_source(list(data["paragraphs"])), what=what, ds=ds)
    return ax.figure


#: Resolution of the explorer's images (a 9-inch chart is 900 pixels wide): two thirds of the
#: pixels of print resolution, and about half the time to render.
SCREEN_DPI = 100


def png_bytes(fig, *, dpi: float = SCREEN_DPI) -> bytes:
    """The figure as PNG bytes, the same on every run."""
    import io

    from ..graphics.style import save_figure

    buffer = io.BytesIO()
    save_figure(fig, buffer, format="png", dpi=dpi)
    return buffer.getvalue()


_LINK_STYLE = "color: #0055aa; text-decoration: underline"


def download_links(view: View, chart_png: bytes | None = None) -> str:
    """HTML links that save the view's table as CSV and its chart as PNG (data: URLs: nothing is
    fetched, and the file names are made of safe characters only)."""
    from html import escape

    stem = view.file_stem()
    csv = base64.b64encode(view.csv().encode("utf-8")).decode("ascii")
    links = [f'<a class="psw-download psw-download-csv" download="{stem}.csv" '
             f'href="data:text/csv;charset=utf-8;base64,{csv}" style="{_LINK_STYLE}">Download the table (CSV)</a>']
    if chart_png is not None:
        png = base64.b64encode(chart_png).decode("ascii")
        links.append(f'<a class="psw-download psw-download-png" download="{stem}.png" '
                     f'href="data:image/png;base64,{png}" style="{_LINK_STYLE}">Download the chart (PNG)</a>')
    else:
        links.append('<span class="psw-download-none">No chart to download for this choice</span>')
    return f'<div class="psw-downloads" title="{escape(stem)}">' + " · ".join(links) + "</div>"


# --- widgets -----------------------------------------------------------------------------------

class Explorer:
    """Dropdowns for region, theme and partner, and the key points, table, chart and map they
    select, with download links for the table and the chart."""

    def __init__(self, region: str = WORLD, theme: str = ALL, partner: str = ALL, *,
                 ds: "Dataset | None" = None):
        import ipywidgets as widgets

        self.ds = queries.dataset(ds)
        region, theme, partner = check_choice(region, theme, partner, ds=self.ds)
        regions = region_options(ds=self.ds)
        if region not in [v for _, v in regions]:  # a known region without data (says so)
            regions.append((region, region))
        style = {"description_width": "initial"}

        def dropdown(description: str, options, value):
            # as wide as the longest label, so no label is cut ("Elections and democratic tra")
            return widgets.Dropdown(options=options, value=value, description=description, style=style,
                                    layout=widgets.Layout(width="max-content", max_width="100%",
                                                          margin="2px 16px 2px 0"))

        self.region = dropdown("Region", regions, region)
        self.theme = dropdown("Theme", theme_options(ds=self.ds), theme)
        self.partner = dropdown("Partner", partner_options(ds=self.ds), partner)
        self.points_out = widgets.Output()
        self.table_out = widgets.Output()
        self.chart_image = widgets.Image(format="png", layout=widgets.Layout(max_width="min(100%, 900px)"))
        self.map_image = widgets.Image(format="png", layout=widgets.Layout(max_width="min(100%, 900px)"))
        self.chart_note = widgets.HTML()
        self.map_note = widgets.HTML()
        self.downloads = widgets.HTML()
        self.view: View | None = None
        self._cache: dict[tuple[str, str, str], tuple[View, dict[str, bytes]]] = {}
        self._updating = False
        for control in (self.region, self.theme, self.partner):
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        if not self._updating:
            self.update()

    def update(self, *, region: str | None = None, theme: str | None = None,
               partner: str | None = None) -> View:
        """Set any of the controls (as a user would), recompute the view and show it.

        A value the data does not know raises ParameterError and leaves the controls as they were.
        """
        new = check_choice(region if region is not None else self.region.value,
                           theme if theme is not None else self.theme.value,
                           partner if partner is not None else self.partner.value, ds=self.ds)
        themes, partners = narrowed_options(*new, ds=self.ds)
        self._updating = True
        try:
            if new[0] not in [v for _, v in self.region.options]:
                self.region.options = [*self.region.options, (new[0], new[0])]
            if list(self.theme.options) != themes:
                self.theme.options = themes
            if list(self.partner.options) != partners:
                self.partner.options = partners
            self.region.value, self.theme.value, self.partner.value = new
        finally:
            self._updating = False
        if new in self._cache:  # a choice seen before is shown at once
            self.view, pngs = self._cache[new]
            self._show_text(self.view)
            self._show_images(self.view, pngs)
            return self.view
        # the key points and the table first, then the chart, then the map: each part is
        # replaced when it is ready, and nothing goes blank meanwhile. The figures are made
        # without pyplot (see _chart): nothing but this code draws or closes them.
        view, frame, sel = _table_view(*new, ds=self.ds)
        self.view = view
        self._show_text(view)
        pngs: dict[str, bytes] = {}
        if view.has_data:
            what = _what(view.theme_name)
            for name, draw in (("chart", lambda: _chart(frame, theme=view.theme, what=what)),
                               ("map", lambda: _map(frame, sel, what=what, ds=self.ds))):
                fig = draw()
                setattr(view, name, fig)
                if fig is not None:
                    pngs[name] = png_bytes(fig)
                self._show_images(view, pngs, only=name)
        else:
            self._show_images(view, pngs)
        self._cache[new] = (view, pngs)
        return view

    def _show_text(self, view: View) -> None:
        from IPython.display import Markdown, display

        with self.points_out:
            self.points_out.clear_output(wait=True)
            display(Markdown(view.points_markdown()))
        with self.table_out:
            self.table_out.clear_output(wait=True)
            display(view.styled_table())

    def _show_images(self, view: View, pngs: dict[str, bytes], *, only: str | None = None) -> None:
        notes = {"chart": "Nothing to chart for this choice.",
                 "map": "Nothing to map for this choice: none of these engagements is in a country."}
        for name, image, note in (("chart", self.chart_image, self.chart_note),
                                  ("map", self.map_image, self.map_note)):
            if only not in (None, name):
                continue
            if name in pngs:
                image.value = pngs[name]
                image.layout.display = None
                note.value = ""
            else:
                image.layout.display = "none"
                note.value = f"<p>{notes[name]}</p>"
        if only in (None, "chart"):
            self.downloads.value = download_links(view, pngs.get("chart"))

    def widget(self):
        """The controls above tabs holding the points, the table, the chart and the map, and
        the download links under them."""
        import ipywidgets as widgets

        tabs = widgets.Tab(children=[self.points_out, self.table_out,
                                     widgets.VBox([self.chart_note, self.chart_image]),
                                     widgets.VBox([self.map_note, self.map_image])],
                           titles=("Key points", "Table", "Chart", "Map"))
        tabs.selected_index = 0
        controls = widgets.Box([self.region, self.theme, self.partner],
                               layout=widgets.Layout(flex_flow="row wrap"))
        return widgets.VBox([controls, tabs, self.downloads])


def tables_overview(*, ds: "Dataset | None" = None):
    """The dataset's tables: layer (chapter or context), rows and what each row is (for display)."""
    return display_table(queries.dataset(ds).tables()[["table", "layer", "rows", "description"]])

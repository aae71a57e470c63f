"""The logic of ``notebooks/explore.ipynb``: pick a region, theme or partner; see a table, a chart
and a map of what the chapter records there.

:func:`compute_view` does the work and returns a :class:`View` (a table, key points, a chart and
a map, or an honest message), so tests drive it without a browser. :class:`Explorer` wraps it in
ipywidgets: three Dropdowns and output areas that update when a choice changes;
``Explorer.update(region=..., theme=..., partner=...)`` does from code what the controls do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import queries, text
from .regions import WORLD

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .dataset import Dataset

ALL = "all"
TABLE_COLUMNS = {"actor": "who", "place": "where", "theme": "theme", "activity": "what they do",
                 "paragraph": "paragraph"}


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

    @property
    def has_data(self) -> bool:
        return len(self.table) > 0


# --- choices -----------------------------------------------------------------------------------

def region_options(*, ds: "Dataset | None" = None) -> list[tuple[str, str]]:
    """(label, value) pairs for the region control: the world, regions with data, then countries."""
    ds = queries.dataset(ds)
    regions = [(WORLD, WORLD)] + [(r, r) for r in queries.regions_with_data(ds=ds)]
    countries = queries.countries_with_data(ds=ds).sort_values("name", kind="stable")
    regions += [(f"{name} (country)", queries.canonical_region(iso3, ds=ds))
                for iso3, name in zip(countries["iso3"], countries["name"])]
    return regions


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


def check_choice(region: str = WORLD, theme: str = ALL, partner: str = ALL, *,
                 ds: "Dataset | None" = None) -> tuple[str, str, str]:
    """The normalised (region, theme, partner), or ParameterError naming the bad value."""
    from .params import ParameterError, close_matches, did_you_mean, listing, normalise_partner, \
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
    ds = queries.dataset(ds)
    region, theme, partner = check_choice(region, theme, partner, ds=ds)
    sel = queries.selection(region, ds)
    label = sel.label if sel is not None else "the world"
    frame = queries.engagements_in(sel, theme=None if theme == ALL else theme,
                                   partner=None if partner == ALL else partner, ds=ds)
    table = frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    table = table.astype(object).where(table.notna(), "")
    table.index = range(1, len(table) + 1)
    view = View(region, theme, partner, label, table)
    if not len(frame):
        view.message = _empty_message(label, theme, partner, ds)
        return view
    view.points = [text.engagement_point(row, ds=ds) for _, row in frame.head(5).iterrows()]
    if draw:
        view.chart = _chart(frame, theme=theme)
        view.map = _map(frame, sel, ds=ds)
    return view


def _empty_message(label: str, theme: str, partner: str, ds: "Dataset") -> str:
    what = "engagements"
    if theme != ALL:
        names = dict(zip(ds.themes["theme_id"], ds.themes["name"]))
        what += f" on {names.get(theme, theme)}"
    if partner != ALL:
        names = dict(zip(ds.partners["partner_id"], ds.partners["name"]))
        what += f" by {names.get(partner, partner)}"
    return text.section_note(what, label)


def _chart(frame: "pd.DataFrame", *, theme: str):
    from . import charts

    by = "theme" if theme == ALL else "actor"
    what = "engagements"
    ax = charts.plot_counts(frame, x=by, what=what, top=12)
    return ax.figure


def _map(frame: "pd.DataFrame", sel, *, ds: "Dataset"):
    data = queries.countries_of(frame, ds=ds)
    if not len(data):
        return None
    from . import maps
    from .style import chapter_source

    ax = maps.plot_choropleth(data, value="count", region=sel, source=chapter_source(list(data["paragraphs"])),
                              what="engagements", ds=ds)
    return ax.figure


# --- widgets -----------------------------------------------------------------------------------

class Explorer:
    """Dropdowns for region, theme and partner, and the table, chart and map they select."""

    def __init__(self, region: str = WORLD, theme: str = ALL, partner: str = ALL, *,
                 ds: "Dataset | None" = None):
        import ipywidgets as widgets

        self.ds = queries.dataset(ds)
        region, theme, partner = check_choice(region, theme, partner, ds=self.ds)
        regions = region_options(ds=self.ds)
        if region not in [v for _, v in regions]:
            regions.append((region, region))
        self.region = widgets.Dropdown(options=regions, value=region, description="Region")
        self.theme = widgets.Dropdown(options=theme_options(ds=self.ds), value=theme, description="Theme")
        self.partner = widgets.Dropdown(options=partner_options(ds=self.ds), value=partner,
                                        description="Partner")
        self.points_out = widgets.Output()
        self.table_out = widgets.Output()
        self.chart_out = widgets.Output()
        self.map_out = widgets.Output()
        self.view: View | None = None
        self._updating = False
        for control in (self.region, self.theme, self.partner):
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        if not self._updating:
            self.update()

    def update(self, *, region: str | None = None, theme: str | None = None,
               partner: str | None = None) -> View:
        """Set any of the controls (as a user would), recompute the view and show it."""
        new = check_choice(region if region is not None else self.region.value,
                           theme if theme is not None else self.theme.value,
                           partner if partner is not None else self.partner.value, ds=self.ds)
        self._updating = True
        try:
            if new[0] not in [v for _, v in self.region.options]:
                self.region.options = [*self.region.options, (new[0], new[0])]
            self.region.value, self.theme.value, self.partner.value = new
        finally:
            self._updating = False
        self.view = compute_view(*new, ds=self.ds)
        self._render(self.view)
        return self.view

    def _render(self, view: View) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import Image, Markdown, display

        from .briefing import figure_png

        with self.points_out:
            self.points_out.clear_output()
            display(Markdown(view.message if view.message else text.bullet_list(view.points)))
        with self.table_out:
            self.table_out.clear_output()
            display(view.table)
        for out, fig in ((self.chart_out, view.chart), (self.map_out, view.map)):
            with out:
                out.clear_output()
                if fig is not None:
                    display(Image(data=figure_png(fig), format="png"))
                    plt.close(fig)

    def widget(self):
        """The controls above tabs holding the points, the table, the chart and the map."""
        import ipywidgets as widgets

        tabs = widgets.Tab(children=[self.points_out, self.table_out, self.chart_out, self.map_out])
        for i, title in enumerate(("Key points", "Table", "Chart", "Map")):
            tabs.set_title(i, title)
        return widgets.VBox([widgets.HBox([self.region, self.theme, self.partner]), tabs])


def tables_overview(*, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """The dataset's tables: layer (chapter or context), rows and what each row is."""
    return queries.dataset(ds).tables()[["table", "layer", "rows", "description"]]

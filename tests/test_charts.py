"""Chart helpers: ax passthrough, finding titles, source lines, accessible encodings, empty and bad
input, byte-identical output; then the same helpers on the project's data."""
from __future__ import annotations

import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.graphics import charts, style  # noqa: E402
from analysis.graphics.style import NO_DATA_MESSAGE  # noqa: E402


# --- small frames shaped like the tables -------------------------------------------------------

def _event(event_id, label, precision, start, end, description, status, paragraph):
    return dict(event_id=event_id, date_label=label, date_precision=precision, date_start=start,
                date_end=end, description=description, status=status, theme_id="t", paragraph=paragraph)


@pytest.fixture
def events():
    return pd.DataFrame([
        _event("conference", "2016-09", "month", "2016-09-01", "2016-09-30",
               "A conference where many Member States pledged to do more on a subject", "happened", "wps/1"),
        _event("agreement", "2016-05-12", "day", "2016-05-12", "2016-05-12", "An agreement is signed",
               "happened", "good-offices/2"),
        _event("drawdown", "2017/2018", "period", "2017-01-01", "2018-12-31",
               "Planned drawdown of three operations", "planned", "sustaining/5"),
        _event("elections", "2017", "year", "2017-01-01", "2017-12-31", "Elections due by the end of the year",
               "planned", "elections/2"),
    ])


@pytest.fixture
def figures():
    base = dict(qualifier="exact", theme_id="t", place_id=None, target_figure_id=None, inferred=False,
                evidence="", inference_note=None, as_written="")
    return pd.DataFrame([
        {**base, "figure_id": "women-share", "value": 26.0, "unit": "percent", "kind": "observed",
         "counts": "women's share of senior mission posts", "target_figure_id": "parity", "paragraph": "wps/1"},
        {**base, "figure_id": "parity", "value": 50.0, "unit": "percent", "kind": "target",
         "counts": "gender parity", "paragraph": "wps/1", "inferred": True},
        {**base, "figure_id": "pbf-target", "value": 15.0, "unit": "percent", "kind": "target",
         "qualifier": "at least", "counts": "fund share for gender equality target", "paragraph": "sustaining/6"},
        {**base, "figure_id": "pbf-share", "value": 15.0, "unit": "percent", "kind": "observed",
         "qualifier": "more than", "counts": "fund share for gender equality",
         "target_figure_id": "pbf-target", "paragraph": "sustaining/6", "inferred": True},
        {**base, "figure_id": "pledges", "value": 60.0, "unit": "count", "kind": "count",
         "qualifier": "more than", "counts": "States pledging", "paragraph": "wps/1"},
    ])


@pytest.fixture
def mini_ds():
    """Just the tables the helpers read names from."""
    return {
        "operations": pd.DataFrame({"operation_id": ["OPA"], "name": ["Operation A"]}),
        "offices": pd.DataFrame({"office_id": ["OFB"], "name": ["Office B"]}),
        "partners": pd.DataFrame({"partner_id": ["pc"], "name": ["Partner Cee"], "acronym": ["PC"]}),
        "places": pd.DataFrame({"place_id": ["MLI", "CAF"], "name": ["Mali", "Central African Republic"]}),
        "themes": pd.DataFrame({"theme_id": ["crisis", "elections"], "name": ["Crisis", "Elections"]}),
        "figures": pd.DataFrame(columns=["figure_id"]),
        "sources": pd.DataFrame({"source_id": ["press-1", "site"], "title": ["Budget release", "A web page"],
                                 "kind": ["UN press release", "UN web page"], "symbol": ["GA/1", None]}),
    }


@pytest.fixture
def engagements():
    rows = [("OPA", None, None, "MLI", "crisis", "crisis/3"),
            (None, None, "pc", "MLI", "crisis", "partnerships/1"),
            (None, None, "pc", "CAF", "elections", "partnerships/1"),
            (None, "OFB", None, "CAF", "elections", "good-offices/1"),
            (None, "OFB", None, "CAF", "elections", "good-offices/1"),
            (None, None, "pc", None, "crisis", "partnerships/4")]
    return pd.DataFrame([dict(engagement_id=f"e{i}", operation_id=o, office_id=f, partner_id=p, place_id=pl,
                              theme_id=t, activity="does something", paragraph=par)
                         for i, (o, f, p, pl, t, par) in enumerate(rows)])


@pytest.fixture
def counts():
    return pd.DataFrame({"region": ["Western Africa", "Middle Africa", "Western Asia", "Western Africa"],
                         "theme": ["elections", "crisis", "crisis", "crisis"], "count": [3, 2, 1, 2],
                         "paragraph": ["elections/1", "crisis/2", "crisis/4", "crisis/3"]})


@pytest.fixture
def public_figures():
    def row(fid, period, start, value, qualifier="exact", unit="US$ billion", counts="approved budget",
            source="press-1", region=None):
        return dict(figure_id=fid, topic="peacekeeping budget", period_label=period, period_start=start,
                    period_end=start, value=value, unit=unit, qualifier=qualifier, counts=counts,
                    region=region, source_id=source, note=None)

    return pd.DataFrame([row("b17", "2017/18", "2017-07-01", 6.8), row("b15", "2015/16", "2015-07-01", 8.3, "almost"),
                         row("b16", "2016/17", "2016-07-01", 7.86, source="site"),
                         row("ops17", "2017/18", "2017-07-01", 14, unit="count", counts="operations covered")])


@pytest.fixture
def draw(events, figures, engagements, counts, public_figures, mini_ds):
    """name -> callable(ax=None) drawing that chart on the fixtures."""
    return {
        "timeline": lambda ax=None: charts.plot_timeline(events, ax=ax),
        "targets": lambda ax=None: charts.plot_figures_against_targets(figures, ax=ax, ds=mini_ds),
        "matrix": lambda ax=None: charts.plot_partner_matrix(engagements, ax=ax, ds=mini_ds),
        "counts": lambda ax=None: charts.plot_counts(counts, x="region", hue="theme", ax=ax),
        "public": lambda ax=None: charts.plot_public_figures(public_figures, topic="peacekeeping budget",
                                                             ax=ax, ds=mini_ds),
    }


CHARTS = ("timeline", "targets", "matrix", "counts", "public")


def _png(ax) -> bytes:
    buffer = io.BytesIO()
    style.save_figure(ax.figure, buffer, format="png")
    return buffer.getvalue()


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.findobj(matplotlib.text.Text)]


def source_text(ax) -> str:
    """The source line under the chart, its wrapping undone."""
    return " ".join(style.source_text(ax).split())


def _title(ax) -> str:
    return " ".join(ax.get_title(loc="left").split())


# --- every chart -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHARTS)
def test_draws_on_the_axes_it_is_given(draw, name):
    fig, ax = plt.subplots()
    assert draw[name](ax=ax) is ax
    assert fig.axes[0] is ax


@pytest.mark.parametrize("name", CHARTS)
def test_makes_its_own_figure_without_axes(draw, name):
    ax = draw[name]()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.figure.get_figheight() > 2


@pytest.mark.parametrize("name", CHARTS)
def test_title_states_a_finding_with_a_number(draw, name):
    title = draw[name]().get_title(loc="left")
    assert title and any(ch.isdigit() for ch in title), title


def test_given_title_is_kept(events):
    assert charts.plot_timeline(events, title="My own title").get_title(loc="left") == "My own title"


@pytest.mark.parametrize("name", ["timeline", "targets", "matrix", "counts"])
def test_source_line_names_the_chapter_paragraphs(draw, name):
    line = source_text(draw[name]())
    assert line.startswith("Source: A/72/1, ch. II.B, \u00b6 ")
    assert "/" in line.split("\u00b6", 1)[1]


def test_source_line_lists_the_rows_paragraphs_in_chapter_order(events):
    line = source_text(charts.plot_timeline(events))
    assert line == "Source: A/72/1, ch. II.B, \u00b6 wps/1, good-offices/2, elections/2, sustaining/5"


@pytest.mark.parametrize("name", CHARTS)
def test_same_input_gives_byte_identical_png(draw, name):
    first = _png(draw[name]())
    plt.close("all")
    assert _png(draw[name]()) == first


def test_same_input_gives_byte_identical_svg(draw):
    outputs = []
    for _ in range(2):
        buffer = io.BytesIO()
        style.save_figure(draw["timeline"]().figure, buffer, format="svg")
        outputs.append(buffer.getvalue())
        plt.close("all")
    assert outputs[0] == outputs[1]
    assert b"<dc:date>" not in outputs[0]


@pytest.mark.parametrize("function, kwargs", [
    (charts.plot_timeline, {}),
    (charts.plot_figures_against_targets, {}),
    (charts.plot_partner_matrix, {}),
    (charts.plot_counts, {"x": "region"}),
    (charts.plot_public_figures, {"topic": "peacekeeping budget"}),
])
def test_empty_input_says_no_data_instead_of_an_empty_chart(function, kwargs):
    columns = {charts.plot_timeline: charts.EVENT_COLUMNS, charts.plot_figures_against_targets: charts.FIGURE_COLUMNS,
               charts.plot_partner_matrix: charts.ENGAGEMENT_COLUMNS + ("place_id",),
               charts.plot_counts: ("region",), charts.plot_public_figures: charts.PUBLIC_FIGURE_COLUMNS}[function]
    ax = function(pd.DataFrame(columns=list(columns)), **kwargs)
    assert NO_DATA_MESSAGE in _texts(ax)
    assert not ax.axison
    assert not ax.patches and not ax.lines and not ax.collections


def test_no_data_keeps_a_given_title():
    ax = charts.plot_timeline(pd.DataFrame(columns=list(charts.EVENT_COLUMNS)), title="Timeline of Mali")
    assert ax.get_title(loc="left") == "Timeline of Mali"


@pytest.mark.parametrize("function, kwargs, missing", [
    (charts.plot_timeline, {}, "date_precision"),
    (charts.plot_figures_against_targets, {}, "target_figure_id"),
    (charts.plot_partner_matrix, {}, "partner_id"),
    (charts.plot_counts, {"x": "region"}, "region"),
    (charts.plot_public_figures, {"topic": "peacekeeping budget"}, "source_id"),
])
def test_missing_columns_raise_naming_them_and_the_expected_ones(function, kwargs, missing):
    frame = pd.DataFrame({"paragraph": ["wps/1"], "something_else": [1]})
    with pytest.raises(ValueError) as err:
        function(frame, **kwargs)
    message = str(err.value)
    assert missing in message and "expected" in message and function.__name__ in message


# --- timeline --------------------------------------------------------------------------------

def test_timeline_points_for_dates_and_spans_for_years(events):
    ax = charts.plot_timeline(events)
    points = {line.get_gid() for line in ax.lines if line.get_gid()}
    spans = {patch.get_gid() for patch in ax.patches if patch.get_gid()}
    assert points == {"event-conference", "event-agreement"}
    assert spans == {"event-drawdown", "event-elections"}


def test_timeline_tells_planned_from_happened_by_shape_not_colour_alone(events):
    ax = charts.plot_timeline(events.assign(status=["happened", "planned", "planned", "happened"]))
    marker = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    happened, planned = marker["event-conference"], marker["event-agreement"]
    assert happened.get_marker() != planned.get_marker()
    assert matplotlib.colors.to_hex(happened.get_markerfacecolor()) == style.HAPPENED_COLOR.lower()
    assert planned.get_markerfacecolor() == "white"
    bars = {patch.get_gid(): patch for patch in ax.patches if patch.get_gid()}
    assert bars["event-drawdown"].get_hatch() and not bars["event-elections"].get_hatch()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("Planned") for label in labels)
    assert any(label.startswith("Happened") for label in labels)


def test_timeline_never_draws_an_event_referred_to_as_happened(events):
    """An event the chapter only refers to ("ahead of the June 2017 elections") is neither
    happened nor planned: its own shape, its own legend entry and its own count in the title."""
    ax = charts.plot_timeline(events.assign(status=["happened", "referred to", "planned", "referred to"]))
    marker = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    happened, referred = marker["event-conference"], marker["event-agreement"]
    assert referred.get_marker() not in (happened.get_marker(), "D")
    assert referred.get_markerfacecolor() == "white"
    bars = {patch.get_gid(): patch for patch in ax.patches if patch.get_gid()}
    assert bars["event-elections"].get_hatch() not in (None, "", bars["event-drawdown"].get_hatch())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sum(label.startswith("Referred to only") for label in labels) == 2  # a point, a span
    title = " ".join(ax.get_title(loc="left").split())
    assert title.endswith(": 1 happened, 2 referred to only (not said to have happened), "
                          "1 still planned when the report was written")
    alone = charts.plot_timeline(events.iloc[[1]].assign(status=["referred to"]))
    assert " ".join(alone.get_title(loc="left").split()).endswith(
        ": referred to only, not said to have happened")


def test_timeline_is_sorted_and_labels_carry_readable_dates(events):
    ax = charts.plot_timeline(events)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("12 May 2016: ")
    assert labels[1].startswith("Sep 2016: ")
    assert labels[-1].startswith("2017\u20132018: ")
    assert all(len(line) <= 50 for label in labels for line in label.split("\n"))


def test_timeline_row_labels_do_not_overlap(events):
    ax = charts.plot_timeline(pd.concat([events, events.assign(event_id=events["event_id"] + "-2")]))
    ax.figure.canvas.draw()
    boxes = sorted((t.get_window_extent() for t in ax.get_yticklabels()), key=lambda b: b.y0)
    assert all(lower.y1 <= upper.y0 for lower, upper in zip(boxes, boxes[1:]))


@pytest.mark.parametrize("precision, start, end, expected", [
    ("day", "2016-05-12", "2016-05-12", "12 May 2016"),
    ("month", "2016-09-01", "2016-09-30", "Sep 2016"),
    ("year", "2017-01-01", "2017-12-31", "2017"),
    ("period", "2017-01-01", "2018-12-31", "2017\u20132018"),
    ("period", "2016-12-01", "2017-01-31", "Dec 2016\u2013Jan 2017"),
])
def test_human_date(precision, start, end, expected):
    assert charts.human_date(precision, pd.Timestamp(start), pd.Timestamp(end)) == expected


# --- figures against targets -----------------------------------------------------------------

def test_share_against_an_inferred_target(figures, mini_ds):
    ax = charts.plot_figures_against_targets(figures.iloc[:2], ds=mini_ds)
    title = _title(ax)
    assert "26 per cent" in title and "about half" in title and "50 per cent" in title and "inferred" in title
    texts = _texts(ax)
    assert "26 per cent" in texts and "target 50 per cent (inferred)" in texts
    target = next(c for c in ax.collections if c.get_gid() == "target-parity")
    assert target.get_linestyle()[0][1] is not None  # dashed: an inferred target


def test_target_exceeded_without_a_stated_share_draws_no_bar(figures, mini_ds):
    ax = charts.plot_figures_against_targets(figures.iloc[2:4], ds=mini_ds)
    assert "exceeded; share not stated" in _texts(ax)
    assert "target at least 15 per cent" in _texts(ax)
    assert not [p for p in ax.patches if p.get_gid() == "figure-pbf-share"]
    assert "above the target of at least 15 per cent" in _title(ax)


def test_figures_without_targets_are_left_out(figures, mini_ds):
    ax = charts.plot_figures_against_targets(figures, ds=mini_ds)
    assert len(ax.get_yticklabels()) == 2
    assert "1 of 2 targets met or exceeded" in _title(ax)
    only_counts = charts.plot_figures_against_targets(figures.iloc[4:], ds=mini_ds)
    assert "No figure with a target in this selection" in _texts(only_counts)


def test_target_outside_the_selection_is_found_in_the_dataset(figures, mini_ds):
    ds = {**mini_ds, "figures": figures}
    ax = charts.plot_figures_against_targets(figures.iloc[[0]], ds=ds)
    assert "target 50 per cent (inferred)" in _texts(ax)


# --- partner matrix --------------------------------------------------------------------------

def test_matrix_names_actors_and_places_and_counts_cells(engagements, mini_ds):
    ax = charts.plot_partner_matrix(engagements, ds=mini_ds)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert rows == ["OPA", "Office B", "Partner Cee"]  # grouped: operations, offices, partners
    assert columns == ["Central African Republic", "Mali", "No specific place"]
    assert "2" in _texts(ax)  # Office B twice in the Central African Republic
    assert "Partner Cee" in _title(ax)


def test_matrix_groups_an_operation_the_un_does_not_lead_alone_apart(engagements, mini_ds):
    """An AU operation (AMISOM) or a hybrid one (UNAMID) is not drawn among the UN peace
    operations: it has a group of its own, named for who leads it."""
    ds = {**mini_ds, "operations": pd.DataFrame({"operation_id": ["OPA", "AUO"], "name": ["A", "AU op"],
                                                 "lead": ["UN", "AU"]})}
    rows = pd.concat([engagements, engagements.iloc[[0]].assign(engagement_id="e9", operation_id="AUO")])
    ax = charts.plot_partner_matrix(rows, ds=ds)
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["OPA", "AUO"]
    groups = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_style() == "italic"]
    assert groups[:2] == ["UN peace operations", "Operations led by the AU or jointly with it"]


def test_matrix_by_theme(engagements, mini_ds):
    ax = charts.plot_partner_matrix(engagements, by="theme", ds=mini_ds)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Crisis", "Elections"]


def test_matrix_rejects_an_unknown_dimension(engagements):
    with pytest.raises(ValueError, match="allowed: place, theme"):
        charts.plot_partner_matrix(engagements, by="region")


# --- counts ----------------------------------------------------------------------------------

def test_counts_sorted_largest_first_with_palette(counts):
    ax = charts.plot_counts(counts, x="region", hue="theme", what="mentions")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Western Africa", "Middle Africa", "Western Asia"]
    colours = {matplotlib.colors.to_hex(p.get_facecolor()).upper() for p in ax.patches}
    assert colours <= set(style.PALETTE) and len(colours) == 2
    assert _title(ax) == "Western Africa has the most mentions: 5 of 8"


def test_counts_rows_when_no_count_column():
    rows = pd.DataFrame({"theme": ["a", "b", "b"], "paragraph": ["crisis/1", "crisis/2", "crisis/2"]})
    ax = charts.plot_counts(rows, x="theme", source="Source: my own line")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]
    assert source_text(ax) == "Source: my own line"


# --- public figures --------------------------------------------------------------------------

def test_public_figures_are_marked_as_context_with_their_sources(public_figures, mini_ds):
    ax = charts.plot_public_figures(public_figures, topic="peacekeeping budget", ds=mini_ds)
    assert "Context: public figures, not from the chapter" in _texts(ax)
    line = source_text(ax)
    assert "Context: UN press release GA/1; A web page (not in the chapter)" in line
    assert "1 further figure" in line  # the count of operations is not drawn
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015/16", "2016/17", "2017/18"]
    assert "almost 8.3" in _texts(ax)
    title = " ".join(ax.get_title(loc="left").split())
    assert "fell from almost US$ 8.3 billion in 2015/16 to US$ 6.8 billion in 2017/18" in title


def test_public_figures_reject_an_unknown_topic(public_figures):
    with pytest.raises(ValueError, match="allowed: peacekeeping budget, Peacebuilding Fund"):
        charts.plot_public_figures(public_figures, topic="budgets")


# --- style -----------------------------------------------------------------------------------

def test_chapter_source_orders_and_compacts_locators():
    assert style.chapter_source(["crisis/3", "crisis/2", "wps/1", "crisis/2", None]) == \
        "Source: A/72/1, ch. II.B, \u00b6 wps/1, crisis/2, crisis/3"
    assert style.chapter_source(["crisis/1", "crisis/2", "crisis/3", "crisis/4", "partnerships/1"]) == \
        "Source: A/72/1, ch. II.B, \u00b6 crisis/1\u20134, partnerships/1"
    assert style.chapter_source([]) == "Source: A/72/1, ch. II.B"


def test_context_source_names_symbol_or_title(mini_ds):
    assert style.context_source(mini_ds["sources"], ["site", "press-1", "site"]) == \
        "Context: A web page; UN press release GA/1 (not in the chapter)"


def test_palette_is_okabe_ito():
    assert set(style.PALETTE) == set(style.OKABE_ITO.values())
    assert style.PALETTE[0] == "#0072B2"


def test_style_context_restores_settings():
    before = matplotlib.rcParams["axes.titlesize"]
    with style.style_context():
        assert matplotlib.rcParams["axes.titlesize"] == style.TITLE_FONT_SIZE
    assert matplotlib.rcParams["axes.titlesize"] == before


def test_importing_the_package_stays_light_and_helpers_defer_pyplot_and_geopandas():
    code = ("import sys, analysis; assert 'matplotlib' not in sys.modules and 'geopandas' not in sys.modules; "
            "import analysis.graphics.charts; assert 'matplotlib.pyplot' not in sys.modules; "
            "assert 'geopandas' not in sys.modules; "
            "import analysis.graphics.maps; assert 'geopandas' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the project's data ----------------------------------------------------------------------

def _rows(dataset, table):
    frame = dataset[table]
    assert not frame.empty, f"the {table} table is empty"
    return frame


def test_real_timeline(dataset):
    events = _rows(dataset, "events")
    ax = charts.plot_timeline(events)
    assert len(ax.get_yticklabels()) == len(events)
    for locator in set(events["paragraph"]):
        section, _, _ = locator.partition("/")
        assert section in source_text(ax)


def test_real_targets_include_the_pbf_share_exceeded(dataset):
    figures = _rows(dataset, "figures")
    ax = charts.plot_figures_against_targets(figures, ds=dataset)
    assert "exceeded; share not stated" in _texts(ax)
    assert any(t.endswith("(inferred)") for t in _texts(ax)) == bool(
        figures.loc[figures["kind"] == "target", "inferred"].any())


def test_real_partner_matrix_shows_names_not_ids(dataset):
    engagements = _rows(dataset, "engagements")
    ax = charts.plot_partner_matrix(engagements, ds=dataset)
    labels = {t.get_text().replace("\n", " ") for t in ax.get_yticklabels()}
    partner_ids = set(engagements["partner_id"].dropna()) - set(dataset["partners"]["name"])
    assert not labels & partner_ids
    places = {t.get_text() for t in ax.get_xticklabels()}
    assert not places & (set(dataset["places"]["place_id"]) - set(dataset["places"]["name"]))


@pytest.mark.parametrize("topic", ["peacekeeping budget", "Peacebuilding Fund", "multilateral peace operations"])
def test_real_public_figures(dataset, topic):
    figures = _rows(dataset, "public_figures")
    assert (figures["topic"] == topic).any()
    ax = charts.plot_public_figures(figures, topic=topic, ds=dataset)
    line = source_text(ax)
    assert line.rstrip().endswith("(not in the chapter)") and "Context: " in line
    assert ax.patches


def test_charts_never_load_the_project_dataset(monkeypatch, figures, engagements, public_figures):
    """Without ``ds`` a chart draws only the rows it is given (ids instead of names)."""
    import analysis.data.dataset

    def refuse(*args, **kwargs):
        raise AssertionError("a chart loaded the project's dataset")

    monkeypatch.setattr(analysis.data.dataset, "load", refuse)
    monkeypatch.setattr(analysis, "load", refuse)
    charts.plot_figures_against_targets(figures)
    ax = charts.plot_partner_matrix(engagements)
    assert ax.get_yticklabels()
    ax = charts.plot_public_figures(public_figures, topic="peacekeeping budget")
    assert "(not in the chapter)" in source_text(ax)

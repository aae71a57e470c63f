"""The explorer's logic, driven without a browser: choose values, check the table, chart and map."""
from __future__ import annotations

import pytest

from analysis.apps import explore
from analysis.briefings import params
from analysis.model import queries


def test_choices_offer_regions_themes_and_partners_with_data(dataset):
    regions = [value for _, value in explore.region_options(ds=dataset)]
    assert regions[0] == "World"
    assert {"Western Africa", "Central Asia", "Mali", "Côte d'Ivoire"} <= set(regions)
    assert "Iceland" not in regions
    themes = dict((v, k) for k, v in explore.theme_options(ds=dataset))
    assert themes["all"] == "All themes" and "elections" in themes
    partners = [v for _, v in explore.partner_options(ds=dataset)]
    assert partners[0] == "all" and queries.find_partner("AU", ds=dataset) in partners


def test_view_of_a_region_has_table_chart_and_map(dataset):
    view = explore.compute_view("Western Africa", ds=dataset)
    assert view.has_data and view.message is None
    assert {"Gambia", "Ghana"} <= set(view.table["where"])
    assert view.table["paragraph"].str.contains("/").all()
    assert view.points and all("(A/72/1 II.B ¶" in p.markdown() for p in view.points)
    assert view.chart is not None and "engagements" in view.chart.axes[0].get_title(loc="left")
    assert view.map is not None


def test_theme_and_partner_narrow_the_table(dataset):
    everything = explore.compute_view("World", ds=dataset, draw=False)
    elections = explore.compute_view("World", "elections", ds=dataset, draw=False)
    assert 0 < len(elections.table) < len(everything.table)
    assert set(elections.table["theme"]) == {"Elections and democratic transitions"}
    eu_in_mali = explore.compute_view("Mali", "all", "EU", ds=dataset, draw=False)
    assert set(eu_in_mali.table["who"]) == {"European Union"}
    assert set(eu_in_mali.table["where"]) == {"Mali"}


def test_empty_choice_says_so_and_draws_nothing(dataset):
    view = explore.compute_view("Iceland", ds=dataset)
    assert not view.has_data
    assert "no engagements" in view.message and "Iceland" in view.message
    assert view.chart is None and view.map is None


def test_bad_choice_names_the_value(dataset):
    with pytest.raises(params.ParameterError, match="theme 'nope' is not allowed; allowed: all, "):
        explore.compute_view("World", "nope", ds=dataset)
    with pytest.raises(params.ParameterError, match="region 'Atlantis'"):
        explore.compute_view("Atlantis", ds=dataset)


def test_region_choices_are_grouped_and_known_to_the_data(dataset):
    from analysis.model.regions import resolve_region

    options = explore.region_options(ds=dataset)
    order = [kind for kind, _ in explore.REGION_GROUPS]
    kinds = [resolve_region(value, dataset).kind for _, value in options]
    assert kinds[0] == "world" and set(kinds) == set(order)
    assert [order.index(k) for k in kinds] == sorted(order.index(k) for k in kinds)  # grouped, in order
    labels = dict((v, k) for k, v in options)
    assert labels["Africa"] == "Africa (M49 region)"
    assert labels["Western Africa"] == "Western Africa (M49 subregion)"
    assert labels["West Africa and the Sahel"] == "West Africa and the Sahel (UNOWAS area)"
    assert labels["Mali"] == "Mali (country)"
    assert len(set(labels.values())) == len(options)


def test_one_display_name_per_country_in_controls_table_points_and_map(dataset):
    from analysis.model.names import display_name

    name = display_name("COD", dataset)
    assert name == "Democratic Republic of the Congo"  # not coco's "DR Congo" nor the map's own
    labels = [label for label, _ in explore.region_options(ds=dataset)]
    assert f"{name} (country)" in labels and "DR Congo (country)" not in labels
    view = explore.compute_view("COD", ds=dataset)
    assert set(view.table["where"]) == {name}
    assert all("DR Congo" not in p.text for p in view.points)
    title = view.map.axes[0].get_title(loc="left")
    assert name in title and "Dem. Rep." not in title and "DR Congo" not in title


def test_a_chosen_theme_is_named_in_the_map_and_chart_titles(dataset):
    view = explore.compute_view("Africa", "elections", ds=dataset)
    assert "engagements on elections and democratic transitions" in view.map.axes[0].get_title(loc="left")
    assert "elections and democratic transitions" in view.chart.axes[0].get_title(loc="left")
    assert "on " not in explore.compute_view("Africa", ds=dataset).map.axes[0].get_title(loc="left")


def test_key_points_name_the_choice_and_its_count(dataset):
    view = explore.compute_view("Western Africa", "elections", "ECOWAS", draw=False, ds=dataset)
    assert view.points_markdown().startswith(
        "**Western Africa (M49 subregion, 17 countries), on Elections and democratic transitions, "
        "by Economic Community of West African States**: ")
    empty = explore.compute_view("Iceland", draw=False, ds=dataset).points_markdown()
    assert empty.startswith("**Iceland") and "no engagements" in empty


def test_tables_are_shown_whole_and_left_aligned(dataset):
    view = explore.compute_view("World", draw=False, ds=dataset)
    longest = max(view.table["what they do"], key=len)
    assert len(longest) > 50
    html = view.styled_table().to_html()
    assert longest.replace("&", "&amp;") in html and "text-align: left" in html
    overview = explore.tables_overview(ds=dataset).to_html()
    assert "text-align: left" in overview and "..." not in overview


def test_downloads_hold_the_table_as_csv_and_the_chart_as_png(dataset):
    import base64
    import re

    view = explore.compute_view("Côte d'Ivoire", ds=dataset)
    png = explore.png_bytes(view.chart)
    html = explore.download_links(view, png)
    assert view.file_stem() == "engagements-cote-d-ivoire"
    csv = re.search(r'download="engagements-cote-d-ivoire.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', html)
    assert base64.b64decode(csv.group(1)).decode("utf-8") == view.csv()
    assert view.csv().splitlines()[0] == "who,where,theme,what they do,paragraph"
    image = re.search(r'download="engagements-cote-d-ivoire.png" href="data:image/png;base64,([^"]+)"', html)
    assert base64.b64decode(image.group(1)) == png and png.startswith(b"\x89PNG")
    assert "No chart to download" in explore.download_links(view, None)


def test_tutorial_cells_leave_the_controls_alone():
    """Only the cell that makes the controls touches them; the tour computes its own views, and
    every cell after the controls is tagged so that the dashboard leaves it out."""
    import nbformat

    from analysis.apps.launch import TUTORIAL_TAG
    from analysis.data.paths import notebooks_dir

    nb = nbformat.read(str(notebooks_dir() / "explore.ipynb"), as_version=4)
    makes = [i for i, c in enumerate(nb.cells) if "explore.Explorer(" in c.source]
    assert len(makes) == 1
    after = nb.cells[makes[0] + 1:]
    assert after and all(TUTORIAL_TAG in c.metadata.get("tags", []) for c in after)
    assert not any("explorer." in c.source or ".update(" in c.source for c in after if c.cell_type == "code")
    assert any("explore.compute_view(" in c.source for c in after)


def test_explorer_refuses_a_region_the_data_does_not_know(dataset):
    tour = explore.Explorer(ds=dataset)
    before = list(tour.region.options)
    with pytest.raises(params.ParameterError, match="region 'Atlantis'"):
        tour.update(region="Atlantis")
    assert tour.region.value == "World" and list(tour.region.options) == before


def test_explorer_widgets_follow_update_and_controls(dataset):
    tour = explore.Explorer(ds=dataset)
    assert tour.view.region == "World" and tour.view.has_data
    view = tour.update(region="mali", partner="AU")
    assert tour.region.value == "Mali" and tour.partner.value == queries.find_partner("AU", ds=dataset)
    assert set(view.table["where"]) == {"Mali"}
    tour.partner.value = "all"  # as a user choosing in the Dropdown
    assert tour.view.partner == "all" and len(tour.view.table) > len(view.table)
    tour.update(region="Iceland")  # a valid region without data joins the choices
    assert tour.region.value == "Iceland" and not tour.view.has_data
    box = tour.widget()
    assert [c.description for c in box.children[0].children] == ["Region", "Theme", "Partner"]
    assert tour.chart_image.layout.display == "none" and "Nothing to chart" in tour.chart_note.value
    tour.update(region="Western Africa")
    assert bytes(tour.chart_image.value).startswith(b"\x89PNG") and bytes(tour.map_image.value).startswith(b"\x89PNG")
    assert "engagements-western-africa.csv" in tour.downloads.value
    shown = bytes(tour.map_image.value)
    tour.update(region="Mali")
    tour.update(region="Western Africa")  # seen before: from the cache, the same images
    assert bytes(tour.map_image.value) == shown


@pytest.mark.slow
def test_explore_notebook_runs_top_to_bottom(tmp_path):
    import nbformat
    import papermill

    from analysis.data.paths import notebooks_dir
    from analysis.briefings.kernels import KERNEL_NAME, ipc_config

    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(notebooks_dir() / "explore.ipynb"), str(out), kernel_name=KERNEL_NAME,
                               progress_bar=False, parameters={"region": "Central Asia"},
                               start_timeout=60, execution_timeout=120, config=ipc_config(str(tmp_path)))
    nb = nbformat.read(str(out), as_version=4)
    data = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data)
    assert any("Gambia" in d.get("text/html", "") for d in data)  # the tour's Western Africa table
    from analysis.data.document import chapter_document

    shown = data[0].get("text/markdown", "")  # the document, named by the data, before the controls
    assert chapter_document().reference in shown, shown
    assert not any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert not any("<Axes" in d.get("text/plain", "") or "image/png" in d for d in data[1:])  # tables only

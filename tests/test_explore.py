"""The explorer's logic, driven without a browser: choose values, check the table, chart and map."""
from __future__ import annotations

import pytest

from analysis import explore, params, queries


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


@pytest.mark.slow
def test_explore_notebook_runs_top_to_bottom(tmp_path):
    import nbformat
    import papermill

    from analysis.paths import notebooks_dir
    from analysis.kernels import KERNEL_NAME, ipc_config

    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(notebooks_dir() / "explore.ipynb"), str(out), kernel_name=KERNEL_NAME,
                               progress_bar=False, parameters={"region": "Central Asia"},
                               start_timeout=60, execution_timeout=120, config=ipc_config(str(tmp_path)))
    nb = nbformat.read(str(out), as_version=4)
    data = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data)
    assert any("Western Africa" in d.get("text/plain", "") or "Gambia" in d.get("text/plain", "")
               for d in data)

"""Briefing kinds: each declared once, its notebook in step with the declaration, each kind
working in-process, and a fifth kind added with one module, one notebook and one set entry."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.briefings.displays import ReportTable

from analysis import briefings
from analysis.briefings import params
from analysis.briefings import Briefing, cells, registry
from analysis.builder.catalog import Catalog
from analysis.builder.listing import listing

KINDS = ["country", "funding", "gender", "partnerships", "region"]


def test_the_registry_holds_the_five_kinds():
    assert registry.names() == KINDS
    for name in KINDS:
        cls = registry.briefing_class(name)
        assert issubclass(cls, Briefing) and cls.kind.name == name
        assert cls.kind.notebook_path.is_file()
        assert params.notebook_path(name) == cls.kind.notebook_path


@pytest.mark.parametrize("name", KINDS)
def test_notebook_is_in_step_with_its_declaration(name):
    """Parameters cell, opening cell, kernel and the sections shown: as declared."""
    assert cells.problems(name) == []


@pytest.mark.parametrize("name", KINDS)
def test_declared_sections_are_methods(name):
    cls = registry.briefing_class(name)
    for section in cls.kind.sections:
        assert callable(getattr(cls, section, None)), f"{name}: no section {section!r}"


def test_a_changed_parameters_cell_is_reported_and_synced(tmp_path, monkeypatch):
    import json
    import shutil

    kind = registry.kind("gender")
    copy = tmp_path / "gender.ipynb"
    shutil.copy(kind.notebook_path, copy)
    nb = json.loads(copy.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = ["region: str = 'Africa'  # somewhere\n"]
    copy.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    monkeypatch.setattr(type(kind), "notebook_path", property(lambda self: copy))
    assert any("parameters cell differs" in p for p in cells.problems("gender"))
    assert cells.sync("gender") is True
    assert cells.problems("gender") == []
    assert cells.sync("gender") is False


def test_params_catalog_and_listing_read_the_declaration():
    catalog = Catalog()
    for kind in registry.kinds():
        declared = catalog.declared(kind.name)
        assert list(declared) == [p.name for p in kind.parameters]
        assert [d.default_value for d in declared.values()] == [p.default for p in kind.parameters]
        assert list(params.declared_parameters(kind.name).values()) == list(kind.parameters)
    text = listing()
    for kind in registry.kinds():
        assert f"{kind.title}: {kind.summary}" in text


def test_unknown_kind_names_the_kinds():
    with pytest.raises(params.ParameterError, match="notebooks: country, funding, gender, partnerships, region"):
        registry.kind("regoin")


# --- each kind, in-process ----------------------------------------------------------------------

def _show_nothing(monkeypatch):
    shown = []
    monkeypatch.setattr("analysis.briefings.base.show",
                        lambda ax, alt=None: shown.append(ax.figure))
    return shown


def _run(brief: Briefing) -> dict:
    out = {}
    for section in brief.kind.sections:
        out[section] = getattr(brief, section)()
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, pd.DataFrame):
        return value.to_string()
    return getattr(value, "data", str(value))


@pytest.mark.parametrize("name, values, title, words", [
    ("region", {}, "Regional briefing: Western Africa", ["UNOWAS", "MINUSMA"]),
    ("region", {"region": "Central Asia"}, "Regional briefing: Central Asia", ["UNRCCA"]),
    ("gender", {}, "Women, peace and security: World", ["26 per cent", "wps/1"]),
    ("funding", {}, "Funding for peace: World", ["Peacebuilding Fund", "Context, not from the chapter"]),
    ("partnerships", {"partner": "au"}, "Partnerships for peace: African Union, World", ["AU"]),
])
def test_each_kind_in_process(monkeypatch, dataset, name, values, title, words):
    shown = _show_nothing(monkeypatch)
    brief = briefings.open_briefing(name, ds=dataset, **values)
    assert type(brief) is registry.briefing_class(name)
    out = _run(brief)
    header = _text(out["header"])
    assert header.startswith(f"# {title}") and "(A/72/1 II.B ¶" in header
    everything = "\n".join(_text(v) for v in out.values())
    for word in words:
        assert word in everything
    assert shown, "charts or maps drawn where data exist"
    sources = _text(out["sources"])
    assert sources.startswith("**Sources**")
    for paragraph in brief.cited_paragraphs:
        assert paragraph in sources


def test_chart_and_map_sections_return_a_figure_and_draw_nothing(dataset, monkeypatch):
    """A chart or map section returns a Figure (PNG bytes, alt text, a print copy), its matplotlib
    figure closed: the notebook displays what it returns, nothing is drawn as a side effect."""
    import base64

    import matplotlib.pyplot as plt

    from analysis.briefings.displays import FIGURE_MIME, PRINT_FIGURES_ENV, Figure

    plt.close("all")
    brief = briefings.open_briefing("region", ds=dataset, region="Western Africa")
    monkeypatch.delenv(PRINT_FIGURES_ENV, raising=False)  # outside a Word build: no print copy
    figure = brief.map()
    assert figure.print_png is None and FIGURE_MIME not in figure._repr_mimebundle_()[0]
    monkeypatch.setenv(PRINT_FIGURES_ENV, "1")  # as a build writing Word files sets it
    for section in ("map", "presence_map", "timeline_chart", "partner_matrix"):
        figure = getattr(brief, section)()
        assert isinstance(figure, Figure), section
        assert plt.get_fignums() == [], f"{section} left a figure to draw"
        assert figure.png.startswith(b"\x89PNG") and figure.print_png.startswith(b"\x89PNG")
        data, metadata = figure._repr_mimebundle_()
        assert base64.b64decode(data["image/png"]) == figure.png
        assert metadata == {"image/png": {"alt": figure.alt}} and figure.alt
        assert data[FIGURE_MIME]["alt"] == figure.alt
        assert figure._repr_png_() == (figure.png, {"alt": figure.alt})


def test_gender_and_funding_select_themes_through_the_topic_column(dataset):
    gender = briefings.open_briefing("gender", ds=dataset)
    funding = briefings.open_briefing("funding", ds=dataset)
    themes = dataset.themes
    assert gender.themes == list(themes.loc[themes["topic"] == "gender", "theme_id"]) != []
    assert funding.themes == list(themes.loc[themes["topic"] == "funding", "theme_id"]) != []
    assert set(gender.chapter_figures()["theme_id"]) & set(gender.themes)


def test_region_without_data_has_no_sections(monkeypatch, dataset):
    shown = _show_nothing(monkeypatch)
    brief = briefings.open_briefing("region", ds=dataset, region="Iceland")
    out = _run(brief)
    assert "Little or no data" in _text(out["header"])
    assert shown == []
    assert all(v is None for k, v in out.items() if k not in ("header", "sources"))


def test_the_region_is_resolved_once(monkeypatch, dataset):
    import analysis.model.regions

    calls = []
    real = analysis.model.regions.resolve_region
    monkeypatch.setattr(analysis.model.regions, "resolve_region",
                        lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    _show_nothing(monkeypatch)
    brief = registry.briefing_class("region")(ds=dataset, region="Western Africa", include_context=True)
    _run(brief)
    assert calls == ["Western Africa"]


# --- a fifth kind ------------------------------------------------------------------------------

def test_a_fifth_kind_takes_one_module_one_notebook_one_set_entry(fake_kind, tmp_path, monkeypatch,
                                                                   dataset):
    # The module (dropped into the package by the fixture) registered itself ...
    assert "fake" in registry.names()
    # ... its notebook's parameters cell was written from the declaration ...
    assert cells.problems("fake") == []
    # ... params checks its values, the catalog and `briefings list` know it ...
    assert params.check_parameters("fake", {"section": "yps"}) == \
        {"region": "World", "section": "yps", "count": 2}
    assert list(Catalog().declared("fake")) == ["region", "section", "count"]
    entry = tmp_path / "briefings.toml"
    entry.write_text('[[briefing]]\nnotebook = "fake"\nid = "fake-yps"\nparameters = { section = "yps" }\n',
                     encoding="utf-8")
    text = listing(entry)
    assert "Fake briefing: a kind the tests add" in text and "fake-yps  fake: section='yps'" in text
    # ... and it runs.
    _show_nothing(monkeypatch)
    brief = briefings.open_briefing("fake", ds=dataset, section="wps")
    assert "dated events in this section" in _text(brief.header())


def test_check_value_rejects_a_value_outside_the_choices(fake_kind):
    with pytest.raises(params.ParameterError) as err:
        params.check_value("fake", "section", "wsp")
    message = str(err.value)
    assert "does not allow 'wsp'" in message and "did you mean 'wps'" in message
    assert "allowed: wps, yps" in message and err.value.allowed == ["wps", "yps"]


def test_check_value_reports_a_validator_that_lists_no_values(fake_kind):
    with pytest.raises(params.ParameterError) as err:
        params.check_value("fake", "count", 3)
    assert str(err.value) == "parameter 'count' of notebook 'fake' does not allow 3: an odd number is not allowed"
    assert params.check_value("fake", "count", 4) == 4


@pytest.mark.parametrize("name, values", [
    ("region", {"region": "Western Africa", "include_context": True}),
    ("region", {"region": "World", "include_context": False}),
    ("gender", {"region": "World", "include_context": True}),
    ("funding", {"region": "World", "include_context": True}),
    ("partnerships", {"region": "Africa", "partner": "all"}),
])
def test_each_kind_on_a_small_dataset_uses_only_that_dataset(monkeypatch, small_dataset, dataset,
                                                            name, values):
    """Every section reads the dataset given: none loads the project's data on its own, and
    nothing outside the small dataset's sections reaches the briefing."""
    import analysis
    import analysis.data.dataset
    from analysis.model import queries

    def refuse(*args, **kwargs):
        raise AssertionError("a briefing section loaded the project's dataset")

    shown = _show_nothing(monkeypatch)
    monkeypatch.setattr(analysis.data.dataset, "load", refuse)
    monkeypatch.setattr(analysis, "load", refuse)
    brief = registry.briefing_class(name)(ds=small_dataset, **values)
    out = _run(brief)
    assert brief.has_data and shown
    assert brief.records == queries.records_in(brief.selection, ds=small_dataset)
    assert brief.records != queries.records_in(brief.selection, ds=dataset)
    if "timeline" in out and out["timeline"] is not None:
        events = queries.timeline(brief.selection, theme=brief.themes, ds=small_dataset)
        assert len(out["timeline"]) == len(events) <= len(queries.timeline(brief.selection, theme=brief.themes,
                                                                           ds=dataset))
    if "figures" in out and isinstance(out["figures"], ReportTable):
        assert len(out["figures"]) == len(brief.chapter_figures())
    assert set(brief.cited_paragraphs) <= set(small_dataset.paragraphs["paragraph_id"])
    assert _text(out["sources"]).startswith("**Sources**")


def test_the_sync_script_checks_every_notebook():
    import subprocess
    import sys

    from analysis.data.paths import PROJECT_DIR

    done = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "sync_parameters.py"), "--check"],
                          capture_output=True, text=True, cwd=PROJECT_DIR)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok: {len(KINDS)} briefing notebooks match their declarations"

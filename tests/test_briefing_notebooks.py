"""The briefing notebooks executed with papermill on several parameters (their hygiene is in
test_notebook_hygiene.py, their agreement with the declarations in test_briefing_kinds.py)."""
from __future__ import annotations

import base64
import re

import nbformat
import pytest

from analysis.briefings import params
from analysis.briefings.kernels import KERNEL_NAME, ipc_config

# --- execution --------------------------------------------------------------------------------

def execute(tmp_path, notebook: str, **parameters):
    import papermill

    out = tmp_path / f"{notebook}.ipynb"
    try:
        papermill.execute_notebook(str(params.notebook_path(notebook)), str(out), parameters=parameters,
                                   kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                   cwd=str(tmp_path), start_timeout=60, execution_timeout=120,
                                   config=ipc_config(str(tmp_path)))
    finally:
        executed = nbformat.read(out, as_version=4) if out.exists() else None
    return executed


def built(default_reports, bid: str):
    """The notebook of briefing ``bid`` as the session's default build executed it (conftest's
    ``default_reports``): the same notebook and parameters as a papermill run here, run once."""
    return nbformat.read(default_reports / f"{bid}.ipynb", as_version=4)


def outputs(nb, source: str | None = None):
    for cell in nb.cells:
        if cell.cell_type != "code" or (source is not None and cell.source.strip() != source):
            continue
        yield from cell.get("outputs", [])


def markdown(nb) -> str:
    return "\n".join(o["data"]["text/markdown"] for o in outputs(nb) if "text/markdown" in o.get("data", {}))


def images(nb, source: str | None = None) -> list[bytes]:
    return [base64.b64decode(o["data"]["image/png"]) for o in outputs(nb, source)
            if "image/png" in o.get("data", {})]


def assert_briefing(nb, *, title: str, mapped: bool = True):
    text = markdown(nb)
    assert f"# {title}" in text
    assert "## Key points" in text and "(A/72/1 II.B ¶" in text
    assert "Little or no data" not in text
    assert "**Sources**" in text and "A/72/1" in text
    assert images(nb), "a chart where data exist"
    assert all(png.startswith(b"\x89PNG") for png in images(nb))
    if mapped:
        assert images(nb, "brief.map()"), "a map where data exist"
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]



@pytest.mark.slow
@pytest.mark.parametrize("region, title, expect", [
    ("region-western-africa", "Regional briefing: Western Africa", ["UNOWAS", "Gambia", "MINUSMA"]),
    ("region-central-asia", "Regional briefing: Central Asia", ["UNRCCA", "SCO"]),
    ("region-central-africa", "Regional briefing: Central Africa", ["MINUSCA", "UNOCA", "Gabon"]),
    ("CIV", "Regional briefing: Côte d'Ivoire", ["UNOCI", "mutiny"]),
])
def test_region_briefing(tmp_path, default_reports, region, title, expect):
    # briefings of the default set are read from the session's build; a country is executed here
    nb = built(default_reports, region) if region.startswith("region-") else \
        execute(tmp_path, "region", region=region)
    assert_briefing(nb, title=title)
    assert images(nb, "brief.presence_map()"), "operations and offices located"
    text = markdown(nb) + "\n".join(o["data"].get("text/plain", "") for o in outputs(nb) if "data" in o)
    for word in expect:
        assert word in text


@pytest.mark.slow
def test_region_without_data_gives_a_short_honest_briefing(tmp_path):
    nb = execute(tmp_path, "region", region="Iceland")
    text = markdown(nb)
    assert "# Regional briefing: Iceland" in text
    assert "Little or no data" in text and "Iceland" in text
    assert "(A/72/1 II.B ¶" not in text.split("**Sources**")[0]
    assert images(nb) == [], "no empty charts or maps"
    assert "**Sources**" in text
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]


@pytest.mark.slow
def test_gender_briefing(default_reports):
    nb = built(default_reports, "gender")
    assert_briefing(nb, title="Women, peace and security: World")
    text = markdown(nb)
    assert "26 per cent" in text and "(A/72/1 II.B ¶ wps/1)" in text
    assert images(nb, "brief.figures_chart()"), "shares against their targets"


@pytest.mark.slow
def test_funding_briefing_labels_its_context(default_reports):
    nb = built(default_reports, "funding")
    assert_briefing(nb, title="Funding for peace: World")
    text = markdown(nb)
    assert "Context, not from the chapter" in text
    assert re.search(r"\(context: [^)]*UN press release GA/11927", text)
    assert "- Context:" in text.split("**Sources**")[1]
    assert images(nb, 'brief.context_chart("peacekeeping budget")')


@pytest.mark.slow
@pytest.mark.parametrize("partner, title", [(None, "Partnerships for peace: World"),
                                            ("au", "Partnerships for peace: African Union, World")])
def test_partnerships_briefing(tmp_path, default_reports, partner, title):
    nb = built(default_reports, "partnerships") if partner is None else \
        execute(tmp_path, "partnerships", partner=partner)
    assert_briefing(nb, title=title)
    assert images(nb, "brief.partner_matrix()")


@pytest.mark.slow
@pytest.mark.parametrize("notebook, parameters, named", [
    ("region", {"region": "Atlantis"}, "'Atlantis'"),
    ("partnerships", {"partner": "Atlantis League"}, "'Atlantis League'"),
])
def test_bad_value_fails_in_the_first_cell_after_the_parameters(tmp_path, notebook, parameters, named):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as err:
        execute(tmp_path, notebook, **parameters)
    assert err.value.ename == "ParameterError"
    assert named in err.value.evalue and "allow" in err.value.evalue
    nb = nbformat.read(tmp_path / f"{notebook}.ipynb", as_version=4)
    injected = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
    failed = [i for i, c in enumerate(nb.cells)
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    first_code_after = next(i for i, c in enumerate(nb.cells) if i > injected and c.cell_type == "code")
    assert failed == [first_code_after]
    assert "open_briefing" in nb.cells[first_code_after].source


@pytest.mark.slow
def test_country_briefing(default_reports):
    nb = built(default_reports, "country-democratic-republic-of-the-congo")
    assert_briefing(nb, title="Country briefing: the Democratic Republic of the Congo", mapped=False)
    assert images(nb, "brief.presence_map()"), "operations and offices located"
    text = markdown(nb) + "\n".join(o["data"].get("text/plain", "") for o in outputs(nb) if "data" in o)
    # the chapter ties "the peacekeeping mission" to the DRC (elections/2): MONUSCO, marked inferred
    assert "MONUSCO" in text and "Country: the Democratic Republic of the Congo (ISO code COD)" in text
    alts = [o["metadata"]["image/png"]["alt"] for o in outputs(nb)
            if "image/png" in o.get("data", {})]
    assert alts and all(a.startswith(("Map:", "Chart:", "Timeline")) for a in alts)


@pytest.mark.slow
def test_country_parameter_refuses_a_region(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as err:
        execute(tmp_path, "country", country="Western Africa")
    assert "'Western Africa' is a region, not a country" in str(err.value)

"""Parameter declarations and checks: the builder and the notebooks get the same answers."""
from __future__ import annotations

import papermill
import pytest

from analysis.briefings import params
from analysis.model import queries


def test_every_declared_notebook_exists():
    assert set(params.notebook_names()) == {"region", "country", "gender", "funding", "partnerships"}
    for name in params.notebook_names():
        assert params.notebook_path(name).is_file(), name


@pytest.mark.parametrize("notebook", params.notebook_names())
def test_notebook_parameters_cell_matches_the_declaration(notebook):
    inferred = papermill.inspect_notebook(str(params.notebook_path(notebook)))
    declared = params.declared_parameters(notebook)
    assert list(inferred) == list(declared)
    for name, p in declared.items():
        assert inferred[name]["inferred_type_name"] == p.type_name
        assert inferred[name]["default"] == repr(p.default)
        assert inferred[name]["help"] == p.help and p.help


def test_defaults_pass_their_own_check():
    for notebook in params.notebook_names():
        assert params.check_parameters(notebook, {}) == params.defaults(notebook)


def test_values_are_normalised():
    assert params.check_parameters("region", {"region": " civ "})["region"] == "Côte d'Ivoire"
    assert params.check_parameters("region", {"region": "western africa"})["region"] == "Western Africa"
    assert params.check_parameters("gender", {"region": " world "})["region"] == "World"
    assert params.check_parameters("gender", {"include_context": "false"})["include_context"] is False
    au = queries.find_partner("AU")
    assert params.check_parameters("partnerships", {"partner": "African Union"})["partner"] == au
    assert params.check_parameters("partnerships", {"partner": "ALL"})["partner"] == "all"


def test_normalised_values_are_fixed_points():
    for value in ["CIV", "UNOCA", "Central Asia", "West Africa and the Sahel", "Iceland", "World"]:
        once = params.check_value("region", "region", value)
        assert params.check_value("region", "region", once) == once


def test_default_build_regions_are_accepted_unchanged():
    for region in queries.regions_with_data():
        assert params.check_parameters("region", {"region": region})["region"] == region


def test_allowed_and_suggested_values():
    assert params.allowed_values("region", "region") is None  # a free value, checked by a validator
    assert "Western Africa" in params.suggested_values("region", "region")
    assert params.allowed_values("gender", "include_context") == ["True", "False"]
    assert params.allowed_values("partnerships", "partner") is None
    assert params.suggested_values("partnerships", "partner")[0] == "all"
    described = params.describe("partnerships")
    assert [d["name"] for d in described] == ["region", "partner"]
    assert all(d["help"] for d in described)


def test_unknown_notebook():
    with pytest.raises(params.ParameterError) as err:
        params.check_parameters("regoin", {})
    message = str(err.value)
    assert "unknown notebook 'regoin'" in message and "did you mean 'region'" in message
    assert "notebooks: country, funding, gender, partnerships, region" in message


def test_unknown_parameter():
    with pytest.raises(params.ParameterError) as err:
        params.check_parameters("partnerships", {"partnr": "au"})
    message = str(err.value)
    assert "no parameter 'partnr'" in message and "did you mean 'partner'" in message
    assert "parameters: region, partner" in message
    assert err.value.parameter == "partnr"


@pytest.mark.parametrize("notebook, name, value, expected", [
    ("region", "region", 5, "expects text (str), got int 5"),
    ("gender", "include_context", "maybe", "expects true or false (bool), got str 'maybe'"),
    ("funding", "include_context", 1, "expects true or false (bool), got int 1"),
])
def test_wrong_type(notebook, name, value, expected):
    with pytest.raises(params.ParameterError) as err:
        params.check_parameters(notebook, {name: value})
    assert expected in str(err.value)
    assert f"parameter {name!r} of notebook {notebook!r}" in str(err.value)


def test_region_not_allowed_names_the_value_and_what_is_allowed():
    with pytest.raises(params.ParameterError) as err:
        params.check_parameters("region", {"region": "Westren Africa"})
    message = str(err.value)
    assert "'Westren Africa'" in message and "parameter 'region'" in message
    assert "Western Africa" in message  # a close match
    assert "Allowed" in message or "allowed" in message
    assert err.value.value == "Westren Africa"


def test_partner_not_allowed_lists_the_partners():
    with pytest.raises(params.ParameterError) as err:
        params.check_parameters("partnerships", {"partner": "Atlantis League"})
    message = str(err.value)
    assert "'Atlantis League'" in message and "parameter 'partner'" in message
    assert "all, " in message and "(African Union)" in message


def test_error_renders_as_one_message_in_a_notebook():
    with pytest.raises(params.ParameterError) as err:
        params.check_parameters("region", {"region": "Atlantis"})
    lines = err.value._render_traceback_()
    assert lines == [f"ParameterError: {err.value}"]
    assert isinstance(err.value, ValueError)

"""One printed name per country, the article in running text, and near-twin selections (issue #8)."""
from __future__ import annotations

import pytest

from analysis.model import names, twins


@pytest.mark.parametrize("name, expected", [
    ("Gambia", "the Gambia"), ("Americas", "the Americas"), ("Caribbean", "the Caribbean"),
    ("Central African Republic", "the Central African Republic"), ("Middle East", "the Middle East"),
    ("Democratic Republic of the Congo", "the Democratic Republic of the Congo"), ("Mali", "Mali"),
    ("West Africa and the Sahel", "West Africa and the Sahel"), ("Western Africa", "Western Africa"),
    ("Atlantis", "Atlantis"),
])
def test_in_sentence_puts_the_article(name, expected):
    assert names.in_sentence(name) == expected


def test_in_sentence_capitalises_at_the_start_of_a_sentence():
    assert names.in_sentence("Gambia", start=True) == "The Gambia"
    assert names.in_sentence("Mali", start=True) == "Mali"


@pytest.mark.parametrize("iso3, expected", [
    ("COD", "Democratic Republic of the Congo"), ("CIV", "Côte d'Ivoire"), ("COG", "Congo"),
    ("GMB", "Gambia"), ("SYR", "Syrian Arab Republic"), ("CAF", "Central African Republic"),
    ("XXX", "XXX"),
])
def test_display_name(iso3, expected):
    assert names.display_name(iso3) == expected


def test_one_display_name_per_country(dataset):
    countries = dataset.countries
    assert countries["display_name"].is_unique
    assert not countries["display_name"].isin(["DR Congo", "Dem. Rep. Congo", "Cote d'Ivoire"]).any()


def test_every_m49_area_has_a_name_row(dataset):
    countries = dataset.countries
    areas = set(dataset.area_names["name"])
    assert set(countries["region"].astype(str)) | set(countries["subregion"].astype(str)) == areas
    the = set(dataset.area_names.loc[dataset.area_names["article"] == "the", "name"])
    assert the == {"Americas", "Caribbean"}


def test_map_names_are_the_display_names(dataset):
    from analysis.graphics import maps

    printed = maps._names(maps.load_world(), dataset)  # a map uses the ds it is given
    assert printed["COD"] == "Democratic Republic of the Congo"  # Natural Earth: "Dem. Rep. Congo"
    assert printed["CAF"] == "Central African Republic"  # Natural Earth: "Central African Rep."
    assert printed["CIV"] == "Côte d'Ivoire"


def test_region_labels_use_the_display_name():
    from analysis.model.regions import resolve_region

    assert resolve_region("COD").label == "Democratic Republic of the Congo"
    assert resolve_region("DR Congo").key == "COD"  # the short name still resolves


# ------------------------------------------------------------------------------- near twins

def test_the_two_pairs_of_the_issue_are_near_twins():
    pairs = {(t.name, t.twin): t for t in twins.near_twins()}
    west = pairs[("West Africa and the Sahel", "Western Africa")]
    assert (west.only_in_name, west.only_in_twin) == ((), ("SHN",))
    central = pairs[("Central Africa", "Middle Africa")]
    assert (central.only_in_name, central.only_in_twin) == (("BDI", "RWA"), ())
    assert all(t.only_in_name or t.only_in_twin for t in pairs.values()), "identical sets are not twins"


def test_twin_of_works_from_either_side():
    assert twins.twin_of("Western Africa").twin == "West Africa and the Sahel"
    assert twins.twin_of("Western Africa").only_in_name == ("SHN",)
    assert twins.twin_of("Middle Africa").only_in_twin == ("BDI", "RWA")
    assert twins.twin_of("Mali") is None
    assert twins.twin_of("Central Asia") is None  # the same five States: identical, not a near twin


def test_area_countries(dataset):
    assert twins.area_countries("central-africa") == twins.area_countries("Central Africa")
    assert len(twins.area_countries("Western Africa")) == 17
    with pytest.raises(KeyError, match="no chapter region"):
        twins.area_countries("Atlantis")

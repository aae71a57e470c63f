"""Region resolution: every accepted form, the error for unknown values, and place_ids."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

import analysis
from analysis.data.paths import data_dir
from analysis.model.regions import (RegionError, RegionSelection, countries_in, region_choices,
                              region_of, resolve_region)


# ------------------------------------------------------------------------- accepted forms

@pytest.mark.parametrize("value", ["World", "world", "WORLD", " World ", None])
def test_world_selects_every_country(value, dataset):
    selection = resolve_region(value)
    assert selection.kind == "world"
    assert selection.iso3 == tuple(sorted(dataset.countries["iso3"]))
    assert selection.describe() == f"World (all {len(dataset.countries)} countries and areas)"


def test_m49_region():
    africa = resolve_region("africa")
    assert (africa.kind, africa.label, africa.key) == ("region", "Africa", "Africa")
    assert {"GHA", "EGY", "SOM", "LSO"} <= set(africa.iso3) and "SYR" not in africa
    assert africa.describe() == f"Africa (M49 region, {len(africa.iso3)} countries)"


def test_western_africa_has_ghana_and_the_gambia():
    selection = resolve_region("Western Africa")
    assert selection.kind == "subregion"
    assert {"GHA", "GMB", "MLI", "MRT", "CIV"} <= set(selection.iso3)
    assert "CMR" not in selection
    assert selection.describe() == "Western Africa (M49 subregion, 17 countries)"
    assert selection.iso3 == tuple(sorted(selection.iso3))


def test_central_asia_and_middle_africa_are_m49_subregions():
    assert resolve_region("central asia").iso3 == ("KAZ", "KGZ", "TJK", "TKM", "UZB")
    middle = resolve_region("Middle Africa")
    assert middle.kind == "subregion" and len(middle.iso3) == 9
    assert {"RWA", "BDI"}.isdisjoint(middle.iso3)


@pytest.mark.parametrize("value", ["UNOCA", "unoca", " UNOCA "])
def test_unoca_covers_gabon_chad_cameroon_congo(value):
    selection = resolve_region(value)
    assert selection.kind == "office" and selection.key == "UNOCA"
    assert {"GAB", "TCD", "CMR", "COG", "RWA", "BDI"} <= set(selection.iso3)
    assert len(selection.iso3) == 11
    assert "UNOCA coverage, 11 countries" in selection.describe()


def test_unowas_has_sixteen_countries_with_mauritania():
    selection = resolve_region("UNOWAS")
    assert len(selection.iso3) == 16 and "MRT" in selection and "SHN" not in selection


@pytest.mark.parametrize("value", ["Côte d'Ivoire", "cote d'ivoire", "COTE D IVOIRE", "Ivory Coast",
                                   "CIV", "civ", "ci", "CI"])
def test_country_by_name_or_code(value):
    selection = resolve_region(value)
    assert selection == RegionSelection("Côte d'Ivoire", "country", ("CIV",), selection.place_ids, "CIV")
    assert selection.describe() == "Côte d'Ivoire (country, CIV)"


@pytest.mark.parametrize("value, iso3", [("The Gambia", "GMB"), ("Gambia", "GMB"), ("gm", "GMB"),
                                         ("Namibia", "NAM"), ("NA", "NAM"), ("UK", "GBR"),
                                         ("Syria", "SYR"), ("Syrian Arab Republic", "SYR"),
                                         ("Democratic Republic of the Congo", "COD"),
                                         ("Antarctica", "ATA")])
def test_more_country_forms(value, iso3):
    assert resolve_region(value).iso3 == (iso3,)


def test_region_choices_list_the_named_choices():
    choices = region_choices()
    assert choices[0] == "World"
    assert {"Africa", "Western Africa", "Central Asia", "UNOWAS", "UNOCA", "UNRCCA"} <= set(choices)
    assert "Antarctica" not in choices and "Ghana" not in choices
    for choice in choices:  # every listed choice resolves to a non-empty selection
        assert resolve_region(choice).iso3


def test_region_of_and_countries_in():
    assert region_of("GHA") == ("Africa", "Western Africa")
    assert region_of("hti") == ("Americas", "Caribbean")
    with pytest.raises(RegionError, match="'XYZ'"):
        region_of("XYZ")
    frame = countries_in("UNRCCA")
    assert list(frame["iso3"]) == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert list(countries_in(resolve_region("GHA"))["name"]) == ["Ghana"]


# -------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("value, suggestion", [("Wester Africa", "Western Africa"),
                                               ("Afrca", "Africa"), ("Ghanna", "Ghana"),
                                               ("UNOWA", "UNOWAS"), ("Centrl Asia", "Central Asia")])
def test_typos_get_a_suggestion(value, suggestion):
    with pytest.raises(RegionError) as caught:
        resolve_region(value)
    message = str(caught.value)
    assert f"unknown region {value!r}" in message
    assert f"Did you mean '{suggestion}'" in message or f"'{suggestion}'" in message.splitlines()[0]
    assert "Allowed: World; an M49 region (Africa, Americas, Asia, Europe, Oceania)" in message
    assert len(message.splitlines()) == 2


@pytest.mark.parametrize("value", ["Atlantis-on-Sea", "!!!", "Middle Earth 42"])
def test_unknown_values_say_what_is_allowed(value):
    with pytest.raises(ValueError) as caught:  # RegionError is a ValueError
        resolve_region(value)
    assert isinstance(caught.value, RegionError)
    assert repr(value) in str(caught.value) and "a country by name or ISO code" in str(caught.value)


def test_non_text_values_are_refused():
    with pytest.raises(RegionError, match=r"region must be text, got 3 \(int\)"):
        resolve_region(3)


def test_notebooks_show_the_message_not_a_traceback():
    with pytest.raises(RegionError) as caught:
        resolve_region("Wester Africa")
    lines = caught.value._render_traceback_()
    assert lines[0].startswith("RegionError: unknown region 'Wester Africa'")
    assert lines[1:] == str(caught.value).splitlines()[1:]


# ------------------------------------------------------------------------------- lightness

def test_exact_matches_need_no_country_converter():
    code = ("import sys, analysis.model.regions as r\n"
            "assert 'pandas' not in sys.modules, 'import pulled in pandas'\n"
            "for v in ('CIV', 'ci', 'Western Africa', 'UNOCA', 'World', 'Ghana'):\n"
            "    r.resolve_region(v)\n"
            "print('country_converter' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# ------------------------------------------------- area names and place_ids (fixture data)

PLACES = [
    {"place_id": "GHA", "name": "Ghana", "kind": "country", "iso3": "GHA"},
    {"place_id": "GMB", "name": "the Gambia", "kind": "country", "iso3": "GMB"},
    {"place_id": "COG", "name": "the Congo", "kind": "country", "iso3": "COG"},
    {"place_id": "SDN", "name": "Sudan", "kind": "country", "iso3": "SDN"},
    {"place_id": "west-africa-sahel", "name": "West Africa and the Sahel", "kind": "region"},
    {"place_id": "central-africa", "name": "Central Africa", "kind": "region"},
    {"place_id": "central-asia", "name": "Central Asia", "kind": "region"},
    {"place_id": "south-east-asia", "name": "South-East Asia", "kind": "region"},
    {"place_id": "africa", "name": "Africa", "kind": "region"},
    {"place_id": "middle-east", "name": "the Middle East", "kind": "region"},
    {"place_id": "darfur", "name": "Darfur", "kind": "subnational area", "iso3": "SDN"},
]
OFFICES = [
    {"office_id": "UNOWAS", "name": "United Nations Office for West Africa and the Sahel",
     "kind": "regional office", "place_id": "west-africa-sahel"},
    {"office_id": "UNOCA", "name": "United Nations Regional Office for Central Africa",
     "kind": "regional office", "place_id": "central-africa"},
]


def _write(path, rows):
    with open(path, encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({"paragraph": "good-offices/1", "evidence": "x", "inferred": "false",
                             "chapter_reference": "x", **row})


@pytest.fixture(scope="session")
def chapter_like(tmp_path_factory):
    """The real context tables with a small stand-in for the chapter's places and offices."""
    folder = tmp_path_factory.mktemp("data")
    for item in data_dir().iterdir():
        if item.suffix in (".csv", ".json"):
            shutil.copy(item, folder / item.name)
    _write(folder / "places.csv", PLACES)
    _write(folder / "offices.csv", OFFICES)
    return analysis.load(folder)


def test_office_area_names_resolve_to_the_office(chapter_like):
    sahel = resolve_region("West Africa and the Sahel", chapter_like)
    assert (sahel.kind, sahel.key, sahel.label) == ("office", "UNOWAS", "West Africa and the Sahel")
    assert sahel.describe() == "West Africa and the Sahel (UNOWAS coverage, 16 countries)"
    central = resolve_region("central africa", chapter_like)
    assert (central.kind, central.key, len(central.iso3)) == ("office", "UNOCA", 11)
    official = resolve_region("United Nations Regional Office for Central Africa", chapter_like)
    assert official.key == "UNOCA"
    assert "West Africa and the Sahel" in region_choices(chapter_like)


def test_chapter_aliases_for_m49_areas(chapter_like):
    assert resolve_region("South-East Asia", chapter_like).key == "South-eastern Asia"
    assert resolve_region("the Congo", chapter_like).iso3 == ("COG",)
    with pytest.raises(RegionError, match="Middle East"):  # two parts: not a single choice
        resolve_region("Middle East", chapter_like)


def test_place_ids_hold_the_countries_and_the_places_within(chapter_like):
    africa = resolve_region("Africa", chapter_like).place_ids
    assert africa == ("COG", "GHA", "GMB", "SDN", "africa", "central-africa", "darfur",
                      "west-africa-sahel")
    assert "middle-east" not in africa  # Western Asia + Egypt is not within Africa
    assert resolve_region("UNOWAS", chapter_like).place_ids == ("GHA", "GMB", "west-africa-sahel")
    assert resolve_region("Sudan", chapter_like).place_ids == ("SDN", "darfur")
    assert resolve_region("Asia", chapter_like).place_ids == ("central-asia", "south-east-asia")
    assert set(resolve_region("World", chapter_like).place_ids) == {p["place_id"] for p in PLACES}


def test_each_office_selection_holds_its_own_place(dataset):
    offices = dataset.offices.dropna(subset=["place_id"])
    covered = set(dataset.office_coverage["office_id"])
    for office_id, place_id in zip(offices["office_id"], offices["place_id"]):
        if office_id in covered:
            selection = resolve_region(office_id)
            assert place_id in selection.place_ids, (office_id, place_id)
            assert resolve_region(selection.label).iso3 == selection.iso3

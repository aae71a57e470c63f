"""Query helpers on the project's real data: concrete facts from the chapter."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.model import queries


def acronyms_or_names(frame: pd.DataFrame) -> set[str]:
    return set(frame["acronym"].dropna()) | set(frame["name"].dropna())


def test_region_filter_keeps_gambia_and_ghana_in_western_africa(dataset):
    engagements = queries.engagements_in("Western Africa", ds=dataset)
    assert {"GMB", "GHA"} <= set(engagements["place_id"])
    assert "paragraph" in engagements.columns and engagements["paragraph"].notna().all()
    countries = queries.countries_with_data("Western Africa", ds=dataset)
    assert {"GMB", "GHA", "MLI"} <= set(countries["iso3"])
    assert "AFG" not in set(countries["iso3"])


def test_partners_for_mali_include_the_african_union_and_the_european_union(dataset):
    partners = queries.partners_in("Mali", ds=dataset)
    assert {"AU", "EU"} <= acronyms_or_names(partners)
    assert (partners["engagements"] >= 1).all()
    assert partners["paragraphs"].str.contains("/").all()


def test_partner_activities_say_what_each_partner_does_where(dataset):
    au = queries.find_partner("AU", ds=dataset)
    acts = queries.partner_activities(au, ds=dataset)
    assert len(acts) >= 2
    assert set(acts["partner_id"]) == {au}
    assert {"Mali", "Somalia"} <= set(acts["place"].dropna())
    assert acts["activity"].notna().all() and acts["paragraph"].notna().all()


def test_find_partner_by_id_name_or_acronym(dataset):
    au = queries.find_partner("african union", ds=dataset)
    assert au is not None
    assert queries.find_partner("AU", ds=dataset) == au
    assert queries.find_partner(au.upper(), ds=dataset) == au
    assert queries.find_partner("Atlantis League", ds=dataset) is None


def test_operations_in_a_region_and_their_context_facts(dataset):
    ops = queries.operations_in("Africa", ds=dataset)
    assert {"MINUSMA", "MINUSCA", "UNMISS"} <= set(ops["operation_id"])
    assert "MINUSTAH" not in set(ops["operation_id"])  # Haiti is in the Americas
    minusma = ops.set_index("operation_id").loc["MINUSMA"]
    assert minusma["place"] == "Mali" and minusma["established"] == 2013
    assert minusma["paragraph"].startswith("crisis/")


def test_offices_present_through_their_coverage(dataset):
    offices = queries.offices_in("Ghana", ds=dataset)
    row = offices.set_index("office_id").loc["UNOWAS"]
    assert "coverage" in row["presence"] and "engagement" in row["presence"]
    assert "UNRCCA" not in set(offices["office_id"])
    central_asia = queries.offices_in("Central Asia", ds=dataset)
    assert "UNRCCA" in set(central_asia["office_id"])


def test_timeline_is_chronological_and_filters_by_region_and_theme(dataset):
    events = queries.timeline(ds=dataset)
    assert len(events) == len(dataset.events)
    # the timeline's one order (queries.in_date_order): by each event's last day, so a span
    # comes after the events inside it that end earlier ("2017-2018" after "May 2017")
    assert events["date_end"].is_monotonic_increasing
    ivorian = queries.timeline("CIV", ds=dataset)
    assert len(ivorian) >= 1 and ivorian["place_ids"].str.contains("CIV").all()
    assert ivorian["description"].str.contains("mutiny", case=False).any()
    elections = queries.timeline(theme="elections", ds=dataset)
    assert len(elections) >= 1 and set(elections["theme_id"]) == {"elections"}


def test_gender_figures_include_26_per_cent_against_parity(dataset):
    figures = queries.figures_by_theme("women-peace-security", ds=dataset)
    share = figures[(figures["value"] == 26) & (figures["unit"] == "percent")]
    assert len(share) == 1
    row = share.iloc[0]
    assert row["paragraph"] == "wps/1"
    assert row["target_value"] == 50 and row["target_paragraph"] == "wps/1"


def test_figures_filtered_by_region_need_a_place(dataset):
    figures = queries.figures_by_theme(region="Afghanistan", ds=dataset)
    assert len(figures) >= 1 and set(figures["place_id"]) == {"AFG"}
    assert queries.figures_by_theme(region="Iceland", ds=dataset).empty


def test_mention_counts_by_section_and_theme(dataset):
    by_section = queries.mention_counts(ds=dataset)
    assert by_section["mentions"].sum() == len(dataset.mentions)
    assert by_section["mentions"].is_monotonic_decreasing
    themes = queries.theme_mentions(ds=dataset)
    assert {"theme_id", "section_id", "mentions", "paragraphs"} <= set(themes.columns)
    assert themes["mentions"].sum() == (dataset.mentions["entity_table"] == "themes").sum()
    with pytest.raises(KeyError, match="cannot group mentions by 'colour'"):
        queries.mention_counts("colour", ds=dataset)


def test_countries_with_data_for_a_choropleth(dataset):
    countries = queries.countries_with_data(ds=dataset)
    assert countries["iso3"].is_unique
    assert (countries["count"] >= 1).all()
    assert countries["count"].is_monotonic_decreasing
    mali = countries.set_index("iso3").loc["MLI"]
    assert mali["operations"] >= 1 and "crisis/3" in mali["paragraphs"]
    # Darfur is a subnational area: its records count for the Sudan.
    assert "SDN" in set(countries["iso3"])


def test_records_in_a_country_without_data_are_all_zero(dataset):
    assert set(queries.records_in("Iceland", ds=dataset).values()) == {0}
    assert queries.records_in("Mali", ds=dataset)["operations"] >= 1
    assert queries.records_in(None, ds=dataset)["engagements"] == len(dataset.engagements)


def test_regions_with_data_are_named_regions_that_resolve(dataset):
    from analysis.model.regions import resolve_region

    regions = queries.regions_with_data(ds=dataset)
    assert {"Western Africa", "Central Asia", "Africa"} <= set(regions)
    assert "Oceania" not in regions and "World" not in regions
    assert len(regions) == len(set(regions))
    for value in regions:
        selection = resolve_region(value, dataset)
        assert selection.kind in ("region", "subregion", "office")
        assert queries.canonical_region(selection, ds=dataset) == value


def test_public_figures_carry_their_source(dataset):
    budgets = queries.public_figures("peacekeeping budget", ds=dataset)
    assert len(budgets) >= 3
    assert budgets["source"].str.contains("GA/11927").any()
    assert budgets["period_start"].is_monotonic_increasing
    africa = queries.public_figures(region="Africa", ds=dataset)
    assert (africa["region"] == "Africa").all() and len(africa) >= 1

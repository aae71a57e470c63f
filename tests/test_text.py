"""Briefing prose: citations after every point, our own words, honest no-data messages."""
from __future__ import annotations

import re

import pytest

from analysis.model import queries
from analysis.data import seed
from analysis.prose import text
from key_points import key_points

#: one process makes each set of key points (see tests/key_points.py)
pytestmark = pytest.mark.xdist_group("key-points")

CITATION = re.compile(r"\((A/72/1 II\.B ¶¶? [\w/-]+(, [\w/-]+)*|context: [^)]+)\)( \(inferred(: notes? [\d, ]+)?\))?$")
RUN = 8


_ALL_POINTS: dict[int, list] = {}


def all_points(ds):
    """Key points of a few regions, the themes and a partner, made once per dataset (tests only
    read them)."""
    if id(ds) not in _ALL_POINTS:
        _ALL_POINTS[id(ds)] = _make_points(ds)
    return _ALL_POINTS[id(ds)]


def _make_points(ds):
    points = []
    for region in ("World", "Western Africa", "Central Asia", "UNOCA", "CIV", "Mali", "Africa"):
        points += key_points("region", ds, region)
    points += key_points("gender", ds) + key_points("funding", ds)
    points += key_points("partnership", ds)
    points += key_points("partnership", ds, partner=queries.find_partner("AU", ds=ds))
    return points


def words(value: str) -> list[str]:
    return re.findall(r"[\w'-]+", seed.normalize(value))


def without_names(value: str, ds) -> str:
    """The text with the dataset's proper names cut out (a name may be quoted whole)."""
    names = []
    for table in ("operations", "offices", "partners", "initiatives", "places", "themes"):
        names += [str(n) for n in ds[table]["name"].dropna()]
    for name in sorted(names, key=len, reverse=True):
        value = value.replace(name, " NAMECUT ")  # a token the report never uses
    return value


def test_citations_are_formatted_in_reading_order(dataset):
    assert text.cite(["sustaining/6"], ds=dataset) == "(A/72/1 II.B ¶ sustaining/6)"
    assert text.cite(["sustaining/6, wps/1", "wps/1"], ds=dataset) == "(A/72/1 II.B ¶¶ wps/1, sustaining/6)"
    assert text.cite([], ds=dataset) == ""
    assert text.cite_context(["ga-11927"], ds=dataset) == "(context: UN press release GA/11927)"


def test_dates_and_values_are_written_out():
    assert text.format_date("2016-12-07") == "7 December 2016"
    assert text.format_date("2017-05") == "May 2017"
    assert text.format_date("2017/2018") == "2017\u20132018"
    assert text.format_value(15, "percent", "at least") == "at least 15 per cent"
    assert text.format_value(7.86, "US$ billion") == "US$ 7.86 billion"
    assert text.format_value(152822, "people") == "152,822 people"


def test_every_key_point_ends_with_a_citation(dataset):
    points = all_points(dataset)
    assert len(points) > 30
    known = set(dataset.paragraphs["paragraph_id"])
    for point in points:
        assert CITATION.search(point.markdown()), point.markdown()
        assert set(point.paragraphs) <= known
        assert point.paragraphs or point.context_sources


def test_region_key_points_name_what_is_there(dataset):
    points = key_points("region", dataset, "Western Africa")
    joined = " ".join(p.markdown() for p in points)
    assert "MINUSMA" in joined and "UNOWAS" in joined
    assert "Gambia" in joined and "(A/72/1 II.B ¶ good-offices/1)" in joined
    central_asia = " ".join(p.markdown() for p in key_points("region", dataset, "Central Asia"))
    assert "UNRCCA" in central_asia and "SCO" in central_asia


def test_gender_points_report_26_per_cent_with_its_paragraph(dataset):
    points = key_points("gender", dataset)
    share = [p for p in points if "26 per cent" in p.text]
    assert len(share) == 1
    assert share[0].paragraphs == ("wps/1",)
    assert "gender parity" in share[0].text and "50 per cent" not in share[0].text  # as the chapter says


def test_only_active_operations_are_at_work(dataset):
    """Issue #8: MINUJUSTH was decided, not deployed; UNOCI and UNMIL were closing."""
    for region, not_at_work in (("Haiti", {"MINUJUSTH", "MINUSTAH"}), ("Western Africa", {"UNOCI", "UNMIL"})):
        for point in key_points("region", dataset, region):
            if "at work" in point.text:
                assert not any(op in point.text for op in not_at_work), point.text
        assert any(op in p.text for p in key_points("region", dataset, region) for op in not_at_work)


def test_no_un_body_or_party_is_counted_as_a_partner(dataset):
    partners = dataset.partners.set_index("partner_id")
    not_partners = partners[partners["relation_to_un"] != "outside the UN"]
    names = {str(n) for n in not_partners["name"]} | {str(a) for a in not_partners["acronym"].dropna()}
    for region in (None, "South Sudan", "Mali", "Gambia", "Colombia"):
        points = key_points("region", dataset, region) + key_points("partnership", dataset, region)
        for point in points:
            if "partner" in point.text and not any(w in point.text for w in (
                    "not counted as partners", "not partners", "not a partner", "not counted as a partner")):
                listed = point.text.split(":", 1)[-1]
                assert not any(f" {n}" in f" {listed}" for n in names), point.text


def test_a_magnitude_is_printed_as_the_chapter_wrote_it(dataset):
    joined = " ".join(p.text for p in key_points("region", dataset, "South Sudan"))
    assert "hundreds of thousands" in joined and "100,000" not in joined and "200,000" not in joined


def test_context_figures_are_labelled_and_cite_their_own_source(dataset):
    points = key_points("funding", dataset)
    context = [p for p in points if p.context_sources]
    assert context, "the world funding briefing sets public figures beside the chapter"
    for point in context:
        assert point.text.startswith("Context, not from the chapter")
        assert point.paragraphs == ()
        assert point.citation.startswith("(context: ")
    assert any("GA/11927" in p.citation and "6.8 billion" in p.text for p in context)
    assert not [p for p in key_points("funding", dataset, include_context=False) if p.context_sources]


def test_no_key_point_copies_the_report(dataset, seed_paragraphs):
    runs = set()
    for para in seed_paragraphs.values():
        w = words(para.text)
        runs.update(tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1))
    import re

    for point in all_points(dataset):
        # a key phrase of the chapter may be quoted, in quotation marks (issue 18): it is cited
        unquoted = re.sub(r"\u201c[^\u201d]{0,90}\u201d", " ", point.text)
        w = words(without_names(unquoted, dataset))
        copied = [" ".join(w[i:i + RUN]) for i in range(len(w) - RUN + 1) if tuple(w[i:i + RUN]) in runs]
        assert not copied, f"{point.text!r} copies the report: {copied[0]!r}"


def test_a_place_without_data_gets_an_honest_message(dataset):
    assert key_points("region", dataset, "Iceland") == []
    message = text.no_data_message("Iceland")
    assert "Iceland" in message and "no chapter records" in message
    few = text.no_data_message("Lesotho", records=2)
    assert "Only 2 chapter records concern Lesotho" in few


def test_bullets_escape_markup_from_data():
    point = text.KeyPoint("A <script>alert(1)</script> name.", ("wps/1",), (), "(A/72/1 II.B ¶ wps/1)")
    rendered = text.bullet_list([point])
    assert rendered.startswith("- A &lt;script&gt;")
    assert "<script>" not in rendered


def test_sources_list_names_the_chapter_and_each_context_source(dataset):
    listing = text.sources_list(["wps/1", "crisis/3"], ["ga-11927", "sipri-2018-pko-trends"], ds=dataset)
    assert "A/72/1" in listing and "Paragraphs cited: wps/1, crisis/3" in listing
    assert "GA/11927" in listing and "SIPRI" in listing
    assert listing.count("- Context:") == 2


@pytest.mark.parametrize("partner", ["AU", "EU"])
def test_partner_points_follow_the_partner(dataset, partner):
    pid = queries.find_partner(partner, ds=dataset)
    points = key_points("partnership", dataset, partner=pid)
    assert points and all(p.text.startswith(partner) for p in points)


def test_dates_are_printed_as_the_chapter_writes_them(dataset):
    joined = " ".join(p.text for p in key_points("region", dataset, "Haiti"))
    assert "early 2017" in joined and "January 2017" not in joined

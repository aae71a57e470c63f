"""One helper per meaning: numbers and plurals (analysis.prose.formatting), paragraph locators and the
reading order (analysis.data.locators), shared by text, charts, maps and validation."""
from __future__ import annotations

import pytest

from analysis.graphics import charts, maps
from analysis.prose import formatting, text
from analysis.data import locators, validate


@pytest.mark.parametrize("value, unit, qualifier, expected", [
    (26, "percent", "exact", "26 per cent"),
    (15, "percent", "at least", "at least 15 per cent"),
    (60, "count", "more than", "more than 60"),
    (8.3, "US$ billion", "almost", "almost US$ 8.3 billion"),
    (152.5, "US$ million", None, "US$ 152.5 million"),
    (152822, "people", "exact", "152,822 people"),
    (100000, "count", "order of magnitude", "hundreds of thousands"),
    (200000, "count", "order of magnitude", "hundreds of thousands"),
    (1000000, "people", "order of magnitude", "millions of people"),
    (3000, "count", "order of magnitude", "thousands"),
    (50, "count", "order of magnitude", "of the order of 50"),
])
def test_format_value_writes_numbers_as_the_chapter_does(value, unit, qualifier, expected):
    assert formatting.format_value(value, unit, qualifier) == expected


def test_text_and_charts_share_one_formatter():
    assert text.format_value is formatting.format_value is charts.format_value
    assert charts.format_number is formatting.format_number is maps.format_number


def test_the_order_of_magnitude_figure_is_worded_as_in_the_chapter(dataset):
    figures = dataset.figures
    row = figures[figures["qualifier"] == "order of magnitude"].iloc[0]
    assert formatting.format_value(row["value"], row["unit"], row["qualifier"]) == row["as_written"]
    point = text.figure_point(row)
    assert str(row["as_written"]) in point.text and "200,000" not in point.text


def test_every_chapter_figure_prints_its_printed_form(dataset):
    """Text and charts print ``figures.printed``; where a figure is printed as digits, the one
    formatter alone reproduces it (numbers written as words, or implied, need ``printed``)."""
    for _, row in dataset.figures.iterrows():
        assert formatting.figure_value(row) == row["printed"]
        if any(c.isdigit() for c in row["printed"]) or row["qualifier"] == "order of magnitude":
            assert formatting.format_value(row["value"], row["unit"], row["qualifier"]) == row["printed"]


def test_plural():
    assert formatting.plural(1, "partner") == "1 partner"
    assert formatting.plural(3, "office or envoy", "offices or envoys") == "3 offices or envoys"


def test_one_locator_pattern_allows_digits_in_section_ids():
    assert validate.LOCATOR is locators.LOCATOR
    assert locators.LOCATOR.fullmatch("section-2/10")
    assert not locators.LOCATOR.fullmatch("crisis/0")
    assert locators.paragraph_locators(["s2/1, crisis/3", None, "wps/2"]) == ["wps/2", "crisis/3", "s2/1"]


def test_one_reading_order_and_it_agrees_with_the_data(dataset):
    paragraphs = dataset.paragraphs.sort_values("position")
    ids = list(paragraphs["paragraph_id"])
    assert locators.paragraph_locators(reversed(ids)) == ids
    assert text.ordered_paragraphs(reversed(ids)) == ids
    sections = dataset.sections.sort_values("number")
    assert list(locators.section_order()) == list(sections["section_id"])


def test_compact_locators():
    assert locators.compact_locators(["crisis/1", "crisis/2", "crisis/3", "wps/1", "wps/2"]) == \
        ["crisis/1\u20133", "wps/1", "wps/2"]

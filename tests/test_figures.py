"""Every number the chapter prints is accounted for, and the key figures hold their values.

How numbers are treated (one rule for all):

- A quantity (a share, a count, an ordinal that carries a fact) is a row of ``figures``, with
  ``as_written`` the number exactly as printed, qualifier words included ("more than 60",
  "at least 15 per cent").
- A year or month-and-year is a date: it belongs to a row of ``events`` (date_label normalised).
- A document symbol ("71/291") is the name of a row of ``initiatives``.
- "first" that describes an initiative as unprecedented ("the first ... funding stream") is
  carried by that initiative's row.
- Anything else is excluded here with its reason: the cross-reference "figure III", the
  idiom "first responders" and the name "Normandy Four".

ACCOUNTS lists, paragraph by paragraph and in reading order, every numeral and number word the
chapter prints and what accounts for it. The test fails when the text holds a number that is not
listed, or the list names a number the text does not hold.
"""
from __future__ import annotations

import re

import pytest

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions dozen dozens half "
    "first second third fourth fifth sixth seventh eighth ninth tenth twice"
).split()
NUMBER_PATTERN = re.compile(
    r"\d+(?:[/.,]\d+)*"                       # digits, symbols like 71/291
    r"|\b(?:" + "|".join(NUMBER_WORDS) + r")\b"  # number words and ordinals
    r"|\b(?:II|III|IV|VI|VII|VIII|IX|XI|XII)\b",  # Roman numerals (not the pronoun "I")
    re.IGNORECASE)

FIGURE, EVENT, INITIATIVE, EXCLUDED = "figure", "event", "initiative", "excluded"

#: paragraph -> [(token as printed, how it is accounted for, ids or reason)] in reading order.
ACCOUNTS: dict[str, list[tuple[str, str, tuple[str, ...] | str]]] = {
    "adapting/2": [("three", FIGURE, ("un-pillars-adapting",))],
    "adapting/3": [("71/291", INITIATIVE, ("ga-res-71-291",))],
    "wps/1": [
        ("2016", EVENT, ("sustaining-peace-resolutions",)),
        ("III", EXCLUDED, "cross-reference to a figure of the report, not a quantity"),
        ("2016", EVENT, ("london-peacekeeping-conference",)),
        ("60", FIGURE, ("london-pledging-states",)),
        ("26", FIGURE, ("women-mission-leadership-share",)),
    ],
    "good-offices/1": [("first", EXCLUDED, "idiom 'first responders', not a rank or quantity")],
    "good-offices/2": [("2016", EVENT, ("colombia-children-agreement",))],
    "elections/1": [
        ("three", FIGURE, ("afghanistan-election-commission-women",)),
        ("2017", EVENT, ("haiti-electoral-process-concluded",)),
    ],
    "elections/2": [
        ("second", FIGURE, ("kabila-term-ordinal",)),
        ("2016", EVENT, ("kabila-term-expiry",)),
        ("2017", EVENT, ("drc-elections-due",)),
    ],
    "crisis/2": [
        ("hundreds", FIGURE, ("south-sudan-people-protected",)),
        ("thousands", FIGURE, ("south-sudan-people-protected",)),
    ],
    "crisis/3": [("2016", EVENT, ("mali-mandate-2016",))],
    "crisis/4": [("2017", EVENT, ("syria-talks-resumed",))],
    "sustaining/2": [("three", FIGURE, ("un-pillars-sustaining",))],
    "sustaining/5": [
        ("2017", EVENT, ("west-africa-haiti-drawdowns",)),
        ("2018", EVENT, ("west-africa-haiti-drawdowns",)),
        ("2017", EVENT, ("cote-divoire-mutiny",)),
    ],
    "sustaining/6": [
        ("33", FIGURE, ("pbf-pledging-states",)),
        ("2016", EVENT, ("pbf-pledging-conference",)),
        ("15", FIGURE, ("pbf-gender-target", "pbf-gender-share")),
        ("first", INITIATIVE, ("pbf-youth-funding-stream",)),
        ("first", INITIATIVE, ("pbf-civil-society-funding",)),
    ],
    "partnerships/1": [("2017", EVENT, ("un-au-framework-signed",))],
    "partnerships/2": [
        ("2017", EVENT, ("lesotho-elections",)),
        ("Four", EXCLUDED, "part of a name (the Normandy Four, a row of partners), not a figure the chapter states"),
    ],
    "partnerships/4": [("2017", EVENT, ("un-wb-framework-signed",))],
    "partnerships/5": [("first", INITIATIVE, ("un-wb-flagship-study",))],
}

#: Figures the chapter implies without printing a number, with the words they rest on.
IMPLIED_FIGURES = {"gender-parity-target": "gender parity"}

#: Hand-checked against the chapter: id -> (value, unit, qualifier, kind, paragraph, place_id).
KEY_FIGURES = {
    "women-mission-leadership-share": (26, "percent", "exact", "observed", "wps/1", None),
    "gender-parity-target": (50, "percent", "exact", "target", "wps/1", None),
    "london-pledging-states": (60, "count", "more than", "count", "wps/1", None),
    "afghanistan-election-commission-women": (3, "count", "exact", "count", "elections/1", "AFG"),
    "kabila-term-ordinal": (2, "count", "exact", "ordinal", "elections/2", "COD"),
    "south-sudan-people-protected": (200_000, "count", "order of magnitude", "count", "crisis/2", "SSD"),
    "pbf-pledging-states": (33, "count", "exact", "count", "sustaining/6", None),
    "pbf-gender-target": (15, "percent", "at least", "target", "sustaining/6", None),
    "pbf-gender-share": (15, "percent", "more than", "observed", "sustaining/6", None),
    "un-pillars-adapting": (3, "count", "exact", "count", "adapting/2", None),
    "un-pillars-sustaining": (3, "count", "exact", "count", "sustaining/2", None),
}


def _records(dataset, table, key):
    frame = dataset[table].astype(object).where(dataset[table].notna(), None)
    return {r[key]: r for r in frame.to_dict("records")}


def test_number_pattern():
    found = [m.group() for m in NUMBER_PATTERN.finditer(
        "I saw three of 26 per cent (see figure III), resolution 71/291 in 2017-2018; the second one")]
    assert found == ["three", "26", "III", "71/291", "2017", "2018", "second", "one"]


def test_every_number_in_the_chapter_is_accounted_for(seed_paragraphs):
    problems = []
    for pid, para in seed_paragraphs.items():
        printed = [m.group() for m in NUMBER_PATTERN.finditer(para.text)]
        listed = [token for token, _, _ in ACCOUNTS.get(pid, [])]
        if printed != listed:
            problems.append(f"{pid}: the text prints {printed}, ACCOUNTS lists {listed}")
    unknown = set(ACCOUNTS) - set(seed_paragraphs)
    assert not unknown, f"ACCOUNTS names paragraphs that do not exist: {unknown}"
    assert not problems, "\n".join(problems)


def test_accounts_point_to_rows_of_that_paragraph(dataset):
    figures = _records(dataset, "figures", "figure_id")
    events = _records(dataset, "events", "event_id")
    initiatives = _records(dataset, "initiatives", "initiative_id")
    problems = []
    for pid, accounts in ACCOUNTS.items():
        for token, how, target in accounts:
            if how == EXCLUDED:
                if not (isinstance(target, str) and len(target.split()) >= 3):
                    problems.append(f"{pid} {token}: an exclusion needs a reason")
                continue
            table = {FIGURE: figures, EVENT: events, INITIATIVE: initiatives}[how]
            for ident in target:
                row = table.get(ident)
                if row is None:
                    problems.append(f"{pid} {token}: no {how} {ident!r}")
                elif row["paragraph"] != pid:
                    problems.append(f"{pid} {token}: {how} {ident!r} cites {row['paragraph']}")
                elif how == FIGURE and token.casefold() not in row["as_written"].casefold():
                    problems.append(f"{pid} {token}: figure {ident!r} is written {row['as_written']!r}")
                elif how == EVENT and token not in row["date_label"]:
                    problems.append(f"{pid} {token}: event {ident!r} is dated {row['date_label']!r}")
                elif how == INITIATIVE and token.casefold() not in f"{row['name']} {row['evidence']}".casefold():
                    problems.append(f"{pid} {token}: initiative {ident!r} carries it in neither name nor evidence")
    assert not problems, "\n".join(problems)


def test_every_figure_is_printed_or_declared_implied(dataset):
    accounted = {i for accounts in ACCOUNTS.values() for _, how, ids in accounts if how == FIGURE for i in ids}
    figures = set(dataset.figures.figure_id)
    assert figures - accounted == set(IMPLIED_FIGURES), "a figure is neither printed nor declared implied"
    for fid, words in IMPLIED_FIGURES.items():
        row = _records(dataset, "figures", "figure_id")[fid]
        assert row["as_written"] == words and row["inferred"], fid


def test_every_stated_date_is_accounted_for(dataset):
    accounted = {i for accounts in ACCOUNTS.values() for _, how, ids in accounts if how == EVENT for i in ids}
    stated = set(dataset.events.loc[~dataset.events.inferred.astype(bool), "event_id"])
    assert stated - accounted == set(), "events with a stated date that no printed number accounts for"


@pytest.mark.parametrize("figure_id", sorted(KEY_FIGURES))
def test_key_figure(dataset, figure_id):
    row = _records(dataset, "figures", "figure_id").get(figure_id)
    assert row is not None, f"missing figure {figure_id}"
    value, unit, qualifier, kind, paragraph, place = KEY_FIGURES[figure_id]
    got = (row["value"], row["unit"], row["qualifier"], row["kind"], row["paragraph"], row["place_id"])
    assert got == (value, unit, qualifier, kind, paragraph, place)


def test_key_figures_cover_the_table(dataset):
    assert set(dataset.figures.figure_id) == set(KEY_FIGURES)


def test_qualifier_matches_the_printed_words(dataset):
    for row in _records(dataset, "figures", "figure_id").values():
        written = row["as_written"].casefold()
        for words in ("more than", "at least"):
            if written.startswith(words):
                assert row["qualifier"] == words, row["figure_id"]
        if row["qualifier"] == "order of magnitude":
            assert re.search(r"hundreds|thousands|millions|dozens", written), row["figure_id"]


def test_measured_against_a_target_of_the_same_unit(dataset):
    figures = _records(dataset, "figures", "figure_id")
    linked = {fid: r["target_figure_id"] for fid, r in figures.items() if r["target_figure_id"]}
    assert linked == {"women-mission-leadership-share": "gender-parity-target",
                      "pbf-gender-share": "pbf-gender-target"}
    for fid, target in linked.items():
        assert figures[target]["kind"] == "target"
        assert figures[target]["unit"] == figures[fid]["unit"]


# ------------------------------------------------------------------ the printed form (issue #8)

#: Smallest number each magnitude phrase can mean: "hundreds of thousands" is at least 2 x 100,000.
MAGNITUDE_LOWER_BOUNDS = {"dozens": 24, "hundreds": 200, "thousands": 2_000, "tens of thousands": 20_000,
                          "hundreds of thousands": 200_000, "millions": 2_000_000}
SMALL_NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
ORDINAL_WORDS = {w: i for i, w in enumerate("zeroth first second third fourth fifth".split())}


def _printed_number(text: str):
    """The number a printed form states ('more than 60' -> 60, 'three' -> 3, '26 per cent' -> 26)."""
    core = re.sub(r"^(more than|at least) ", "", text.casefold()).removesuffix(" per cent")
    if re.fullmatch(r"\d+(,\d{3})*(\.\d+)?", core):
        return float(core.replace(",", ""))
    return SMALL_NUMBER_WORDS.get(core, ORDINAL_WORDS.get(core))


def test_printed_number_helper():
    assert _printed_number("more than 60") == 60 and _printed_number("at least 15 per cent") == 15
    assert _printed_number("three") == 3 and _printed_number("second") == 2
    assert _printed_number("hundreds of thousands") is None


def test_every_printed_value_matches_its_value_and_qualifier(dataset):
    """What a briefing prints says no more than the chapter: the qualifier is in it, a magnitude is
    printed as written and stored as a defensible lower bound, a percentage says 'per cent'."""
    problems = []
    for fid, row in _records(dataset, "figures", "figure_id").items():
        printed, qualifier, basis = row["printed"], row["qualifier"], row["value_basis"]
        if qualifier in ("more than", "at least") and not printed.startswith(qualifier + " "):
            problems.append(f"{fid}: qualifier {qualifier!r} but prints {printed!r}")
        if qualifier == "exact" and re.match(r"(more than|at least|about|almost) ", printed):
            problems.append(f"{fid}: exact but prints {printed!r}")
        if qualifier == "order of magnitude":
            bound = MAGNITUDE_LOWER_BOUNDS.get(printed)
            if printed != row["as_written"] or bound is None:
                problems.append(f"{fid}: a magnitude must print as written, got {printed!r}")
            elif row["value"] != bound or basis != "lower bound":
                problems.append(f"{fid}: {printed!r} means at least {bound:,}; stored {row['value']:,.0f} ({basis})")
        if basis == "implied":
            if not row["inferred"]:
                problems.append(f"{fid}: an implied value must be inferred")
            continue
        if qualifier != "order of magnitude":
            number = _printed_number(printed)
            if number != row["value"]:
                problems.append(f"{fid}: prints {printed!r} ({number}) but value is {row['value']}")
            if (row["unit"] == "percent") != printed.endswith(" per cent"):
                problems.append(f"{fid}: unit {row['unit']} but prints {printed!r}")
    assert not problems, "\n".join(problems)


def test_printed_form_occurs_in_the_chapter_unless_inferred(dataset, seed_paragraphs):
    from analysis.data import seed

    missing = [fid for fid, row in _records(dataset, "figures", "figure_id").items()
               if not row["inferred"]
               and seed.normalize(row["printed"]) not in seed.normalize(seed_paragraphs[row["paragraph"]].text)]
    assert not missing, f"printed forms the chapter does not print: {missing}"


def test_gender_parity_is_printed_as_parity_not_a_number(dataset):
    row = _records(dataset, "figures", "figure_id")["gender-parity-target"]
    assert row["printed"] == "gender parity" and row["value_basis"] == "implied"

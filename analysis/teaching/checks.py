"""Exercise checks for the training course: ``check.exercise_<lesson>_<n>(answer)``.

In a lesson::

    from analysis.teaching import checks as check
    check.exercise_1_2(answer_1_2)

Each check compares the answer with the value computed from the dataset (``analysis.load()``
and :mod:`analysis.model.queries`; nothing is typed in here) and returns a
:class:`~analysis.teaching.feedback.Feedback`: truthy when right, with a specific hint for the
common slips when not, and never the expected value itself.

:func:`expected_value` gives facilitators (and tests) the value a check compares with.
"""
from __future__ import annotations

import contextlib
import io
import shlex
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from . import diagnose as d
from .feedback import Feedback

#: exercise id ("1_2") -> function computing the expected value from the dataset.
_EXPECTED: dict[str, Callable[[], Any]] = {}


def _expected(exercise: str):
    def register(func):
        _EXPECTED[exercise] = func
        return func
    return register


def expected_value(exercise: str):
    """The value the check of ``exercise`` (e.g. ``"1_2"``) compares answers with."""
    if exercise not in _EXPECTED:
        raise KeyError(f"no exercise {exercise!r}; exercises: {', '.join(_EXPECTED)}")
    return _EXPECTED[exercise]()


def exercise_ids() -> list[str]:
    """Every exercise that has a check, in course order."""
    return list(_EXPECTED)


def _ds():
    from .. import load

    return load()


def _equals(value) -> Callable[[Any], bool]:
    """A slip predicate: the answer equals ``value`` (numbers compared with a small tolerance)."""
    def predicate(answer) -> bool:
        number = d.as_number(answer)
        if number is not None and d.as_number(value) is not None:
            return d.close(number, float(value), 1e-6)
        if isinstance(answer, (set, frozenset)) and isinstance(value, (set, frozenset)):
            return set(answer) == set(value)
        return isinstance(answer, str) and isinstance(value, str) and answer.strip() == value
    return predicate


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Country and place names (case-folded) -> ISO code or place id, for the name slips."""
    ds = _ds()
    names = {}
    for name, code in zip(ds.countries["name"], ds.countries["iso3"]):
        names[str(name).casefold()] = str(code)
    for name, code in zip(ds.places["name"], ds.places["place_id"]):
        names[str(name).casefold()] = str(code)
    return names


def _partner_names() -> dict[str, str]:
    ds = _ds()
    names = {}
    for column in ("name", "acronym"):
        for name, code in zip(ds.partners[column], ds.partners["partner_id"]):
            if isinstance(name, str):
                names[name.casefold()] = str(code)
    return names


# --- lesson 1: what is in the dataset ---------------------------------------------------------

@_expected("1_1")
def _chapter_tables() -> int:
    return sum(1 for t in _ds().schema.tables.values() if t.layer == "chapter")


def exercise_1_1(answer) -> Feedback:
    """How many tables belong to the chapter layer?"""
    ds = _ds()
    total = len(ds.schema.tables)
    return d.number("1.1", answer, _chapter_tables(), slips=[
        (_equals(total), "all_tables",
         "That counts every table. The question asks only for the chapter layer: look at the "
         "`layer` column of `ds.tables()`."),
        (_equals(total - _chapter_tables()), "context_tables",
         "That is the number of context tables; the question asks about the chapter layer."),
    ])


#: The chapter figures the exercises ask about (the question's subject, not its answer).
LEADERSHIP_SHARE, PBF_GENDER_TARGET, PBF_PLEDGING = (
    "women-mission-leadership-share", "pbf-gender-target", "pbf-pledging-states")


def _figure(figure_id: str):
    return _ds().figures.set_index("figure_id").loc[figure_id]


def _leadership_figure():
    return _figure(LEADERSHIP_SHARE)


@_expected("1_2")
def _leadership_paragraph() -> str:
    return str(_leadership_figure()["paragraph"])


def exercise_1_2(answer) -> Feedback:
    """Which paragraph states the share of women among heads and deputy heads of mission?"""
    expected = _leadership_paragraph()
    row = _leadership_figure()
    section, number = expected.split("/")
    position = int(_ds().paragraphs.set_index("paragraph_id").loc[expected, "position"])
    return d.text("1.2", answer, expected, what="paragraph locator", slips=[
        (_equals(section), "section_for_locator",
         "That is the section only. A locator also names the paragraph within the section: "
         "section id, a slash, the paragraph's number."),
        (lambda a: d.as_number(a) in (float(number), float(position)) or
         (isinstance(a, str) and a.strip().isdigit()), "number_for_locator",
         "A number alone is not a locator: give the section id, a slash and the paragraph's "
         "number within that section, as text."),
        (_equals(str(row["evidence"])), "evidence_for_locator",
         "That is the evidence phrase; the question asks where it comes from: the `paragraph` column."),
        (_equals(LEADERSHIP_SHARE), "id_for_locator",
         "That is the figure's id. Its paragraph locator is in the `paragraph` column."),
        (lambda a: isinstance(a, str) and expected in a and a.strip() != expected, "citation_for_locator",
         "The locator is in there, with more around it. Give the locator alone."),
    ])


@_expected("1_3")
def _inferred_operations() -> int:
    return int(_ds().operations["inferred"].sum())


def exercise_1_3(answer) -> Feedback:
    """How many rows of the operations table are inferred?"""
    operations = _ds().operations
    return d.number("1.3", answer, _inferred_operations(), slips=[
        (_equals(len(operations) - _inferred_operations()), "complement",
         "That counts the operations the chapter names outright. The question asks for the rows "
         "where `inferred` is True."),
        (_equals(len(operations)), "all_rows",
         "That is every row of `operations`. Keep only those whose `inferred` column is True."),
        (lambda a: 0 < (d.as_number(a) or 0) < 1, "share_for_count",
         "That looks like a share (a mean of True/False). The question asks how many rows: "
         "use `.sum()` rather than `.mean()`."),
    ])


@_expected("1_4")
def _figure_paragraphs() -> frozenset:
    return frozenset(str(p) for p in _ds().figures["paragraph"])


def exercise_1_4(answer) -> Feedback:
    """Which paragraphs does the figures table draw on (a set of locators)?"""
    expected = _figure_paragraphs()
    sections = {p.split("/")[0] for p in expected}
    return d.members("1.4", answer, expected, item="paragraph locator", slips=[
        (_equals(sections), "section_for_locator",
         "Those are section ids. A locator names the paragraph too: take the `paragraph` column."),
        (lambda a: isinstance(a, (set, frozenset)) and a == set(_ds().figures["figure_id"]),
         "ids_for_locators", "Those are the figures' ids; the question asks for their paragraphs."),
    ])


# --- lesson 2: regions and maps ----------------------------------------------------------------

@_expected("2_1")
def _mali_subregion() -> str:
    countries = _ds().countries
    return str(countries.loc[countries["iso3"] == "MLI", "subregion"].item())


def exercise_2_1(answer) -> Feedback:
    """In which M49 subregion is Mali?"""
    countries = _ds().countries
    region = str(countries.loc[countries["iso3"] == "MLI", "region"].item())
    return d.text("2.1", answer, _mali_subregion(), what="subregion name", slips=[
        (_equals(region), "region_for_subregion",
         "That is Mali's M49 region, the larger group. The question asks for its subregion: the "
         "`subregion` column."),
        (lambda a: isinstance(a, str) and a.strip().upper() in ("MLI", "ML"), "code_for_name",
         "That is Mali's code. The question asks for the name of the subregion Mali lies in."),
        (lambda a: isinstance(a, str) and a.strip().casefold() == "mali", "country_for_subregion",
         "That is the country itself; look up its `subregion` in `ds.countries`."),
    ])


@_expected("2_2")
def _western_africa_countries() -> frozenset:
    from ..model import queries

    places = queries.places_in("Western Africa", ds=_ds())
    return frozenset(str(i) for i in places.loc[places["kind"] == "country", "iso3"])


def exercise_2_2(answer) -> Feedback:
    """Which countries of Western Africa does the chapter mention (ISO alpha-3 codes)?"""
    from ..model.regions import resolve_region

    whole = frozenset(resolve_region("Western Africa", _ds()).iso3)
    return d.members("2.2", answer, _western_africa_countries(), item="ISO alpha-3 code",
                     names_to_codes=_country_names(), slips=[
        (_equals(whole), "whole_subregion",
         "That is every country of the subregion. The question asks for those the chapter "
         "mentions: start from the chapter's places (`queries.places_in`)."),
        (lambda a: isinstance(a, (set, frozenset)) and any(not isinstance(i, str) for i in a),
         "missing_in_set", "Your set holds a missing value (NA): keep only the places whose kind "
                           "is 'country', or drop the empty codes."),
    ])


@_expected("2_3")
def _unoca_count() -> int:
    cov = _ds().office_coverage
    return int((cov["office_id"] == "UNOCA").sum())


def exercise_2_3(answer) -> Feedback:
    """How many countries does UNOCA cover?"""
    from ..model.regions import resolve_region

    ds = _ds()
    cov = ds.office_coverage
    covered = set(cov.loc[cov["office_id"] == "UNOCA", "iso3"])
    mentioned = len(covered & set(ds.places["iso3"].dropna()))
    middle = len(resolve_region("Middle Africa", ds).iso3)
    return d.number("2.3", answer, _unoca_count(), slips=[
        (_equals(mentioned), "chapter_only",
         "That counts only the covered countries the chapter mentions. The question asks for the "
         "whole coverage: the `office_coverage` table."),
        (_equals(middle), "subregion_count",
         "That is the size of the M49 subregion Middle Africa. An office's coverage is its own list: "
         "count UNOCA's rows in `office_coverage`."),
    ])


@_expected("2_4")
def _unoca_outside_middle_africa() -> frozenset:
    from ..model.regions import resolve_region

    ds = _ds()
    cov = ds.office_coverage
    covered = set(cov.loc[cov["office_id"] == "UNOCA", "iso3"])
    return frozenset(covered - set(resolve_region("Middle Africa", ds).iso3))


def exercise_2_4(answer) -> Feedback:
    """Which countries covered by UNOCA lie outside M49 Middle Africa?"""
    from ..model.regions import resolve_region

    ds = _ds()
    cov = ds.office_coverage
    covered = set(cov.loc[cov["office_id"] == "UNOCA", "iso3"])
    middle = set(resolve_region("Middle Africa", ds).iso3)
    return d.members("2.4", answer, _unoca_outside_middle_africa(), item="ISO alpha-3 code",
                     names_to_codes=_country_names(), slips=[
        (_equals(covered & middle), "inside_for_outside",
         "Those are the covered countries *inside* Middle Africa. The question asks for the ones "
         "outside it: subtract the subregion's codes from the coverage."),
        (_equals(middle - covered), "reversed_difference",
         "You subtracted the other way round: that is Middle Africa without UNOCA's countries. "
         "Start from UNOCA's coverage."),
        (_equals(covered), "whole_coverage",
         "That is UNOCA's whole coverage. Now take away the countries of Middle Africa."),
    ])


# --- lesson 3: gender and funding figures ------------------------------------------------------

@_expected("3_1")
def _leadership_share() -> float:
    return float(_leadership_figure()["value"])


def exercise_3_1(answer) -> Feedback:
    """What percentage of head and deputy head of mission posts did women hold?"""
    row = _leadership_figure()
    target = _ds().figures.set_index("figure_id").loc[row["target_figure_id"], "value"]
    return d.number("3.1", answer, _leadership_share(), unit="percent", slips=[
        (_equals(float(target)), "target_for_observed",
         "That is the target the share is measured against. The question asks for the share "
         "women actually held: the figure whose kind is 'observed'."),
    ])


def _gender_funding_target():
    return _figure(PBF_GENDER_TARGET)


@_expected("3_2")
def _gender_funding_target_value() -> float:
    return float(_gender_funding_target()["value"])


def exercise_3_2(answer) -> Feedback:
    """What minimum percentage should the Peacebuilding Fund allocate to gender equality?"""
    return d.number("3.2", answer, _gender_funding_target_value(), unit="percent", slips=[
        (_equals(_leadership_share()), "other_figure",
         "That is the share of women in mission leadership, another figure. Look for the target "
         "about the Fund's money."),
    ])


def _pledging_figure():
    return _figure(PBF_PLEDGING)


@_expected("3_3")
def _pledging_states() -> int:
    return int(_pledging_figure()["value"])


def exercise_3_3(answer) -> Feedback:
    """How many Member States renewed their commitment to the Fund, according to the chapter?"""
    from ..model import queries

    ds = _ds()
    context = queries.public_figures("Peacebuilding Fund", ds=ds)
    context_counts = [float(v) for v in context.loc[context["unit"] == "count", "value"]]
    figures = ds.figures
    others = [float(v) for v in figures.loc[(figures["unit"] == "count")
                                            & (figures["figure_id"] != PBF_PLEDGING), "value"]]
    return d.number("3.3", answer, _pledging_states(), slips=[
        (lambda a: any(_equals(v)(a) for v in context_counts), "context_for_chapter",
         "That number is from the context layer (a public report or press report), not from the "
         "chapter. The question asks what the chapter says: look in `figures`, not "
         "`public_figures`."),
        (lambda a: any(_equals(v)(a) for v in others), "other_figure",
         "That is another count the chapter gives, about a different conference or group. Read "
         "the `counts` column: which row is about the Fund's pledging conference?"),
    ])


def _budget(period: str) -> float:
    frame = _ds().public_figures
    rows = frame[(frame["topic"] == "peacekeeping budget") & (frame["unit"] == "US$ billion")
                 & (frame["period_label"] == period) & (frame["qualifier"] != "about")]
    return float(rows["value"].iloc[0])


@_expected("3_4")
def _budget_change() -> float:
    return round(_budget("2017/18") - _budget("2016/17"), 6)


def exercise_3_4(answer) -> Feedback:
    """Change of the approved peacekeeping budget from 2016/17 to 2017/18, in US$ billion."""
    frame = _ds().public_figures
    expected = _budget_change()
    earlier, later = _budget("2016/17"), _budget("2017/18")
    press = frame[(frame["topic"] == "peacekeeping budget") & (frame["period_label"] == "2017/18")
                  & (frame["qualifier"] == "about") & (frame["value"] > later / 2)]
    press_change = [float(v) - earlier for v in press["value"]]
    return d.number("3.4", answer, expected, unit="US$ billion", tolerance=0.005, slips=[
        (lambda a: d.close(d.as_number(a), 100 * expected / earlier, 0.5), "percent_change",
         "That is a change in per cent. The question asks for the change in US$ billion: later "
         "amount minus earlier amount."),
        (lambda a: any(d.close(d.as_number(a), v, 0.005) for v in press_change), "press_total",
         "You used the press reports' total, which adds amounts outside the release. Take the "
         "approved amounts from the releases (qualifier 'exact')."),
        (lambda a: d.close(d.as_number(a), earlier - _budget("2015/16"), 0.005), "wrong_years",
         "That is the change one year earlier. Use fiscal years 2016/17 and 2017/18."),
    ])


# --- lesson 4: partnerships --------------------------------------------------------------------

@_expected("4_1")
def _partner_count() -> int:
    # Partners as the briefings count them (analysis.prose.findings.actors, group "partners"):
    # organizations outside the UN, not named in general, with an engagement of their own whose
    # phrase states cooperation with the UN; an organ (part_of) counted with its organization.
    from ..prose import findings

    return findings.actors(None, "partners", ds=_ds()).count


def exercise_4_1(answer) -> Feedback:
    """How many partners does the chapter say work with the UN, counted as the briefings count them?"""
    from ..model import queries

    ds = _ds()
    expected = _partner_count()
    partners, engagements = ds.partners, ds.engagements
    outside = partners[partners["relation_to_un"] == "outside the UN"]
    engaged = set(engagements["partner_id"].dropna())

    def slip(value: int):
        # a wrong count that happens to equal the answer is no slip
        return lambda a: value != expected and _equals(value)(a)

    return d.number("4.1", answer, expected, slips=[
        (slip(len(queries.partners_in(ds=ds))), "no_stated_cooperation",
         "That counts every organization outside the UN with an engagement, also those where the "
         "chapter does not state cooperation with the UN and the kinds of actors it names only in "
         "general. A partner counts only where an engagement of its own states cooperation "
         "(`engagements.cooperation`): `findings.actors(None, \"partners\")` counts them."),
        (slip(len(partners)), "every_row",
         "That counts every row of `ds.partners`. The table also holds UN bodies, governments and "
         "parties to a conflict, which are not partners: look at its `relation_to_un` column."),
        (slip(len(queries.partners_in(relation=None, ds=ds))), "every_engaged_actor",
         "That counts every actor of the partners table with an engagement, UN bodies, governments "
         "and parties to a conflict included. Keep only the partners outside the UN system."),
        (slip(int(engagements["partner_id"].notna().sum())), "engagements_for_partners",
         "That counts engagements (one partner can have several). The question counts partners."),
        (slip(len(set(outside["partner_id"]) & engaged)), "organ_apart",
         "That counts an organ (a row with `part_of`) beside the organization it belongs to. "
         "The briefings count it with its organization."),
        (slip(len(outside)), "outside_rows",
         "That counts every row outside the UN: also the partners named without an engagement of "
         "their own, and an organ (`part_of`) beside its organization. `queries.partners_in()` "
         "lists the partners as the briefings count them."),
        (slip(int(outside["part_of"].isna().sum())), "named_not_engaged",
         "That also counts the partners the chapter names without an engagement of their own. "
         "Count the partners at work with the UN: `queries.partners_in()` lists them as the "
         "briefings count them."),
    ])


def _hybrid_operation():
    facts = _ds().operation_facts
    return facts[facts["kind"] == "hybrid operation"].iloc[0]


@_expected("4_2")
def _hybrid_established() -> int:
    return int(_hybrid_operation()["established"])


def exercise_4_2(answer) -> Feedback:
    """In which year was the UN-African Union hybrid operation established?"""
    row = _hybrid_operation()
    closed = row["closed"]
    return d.number("4.2", answer, _hybrid_established(), unit="year", slips=[
        (lambda a: not d._is_missing(closed) and _equals(int(closed))(a), "closed_for_established",
         "That is the year the operation closed. The question asks when it was established."),
        (lambda a: type(a).__name__ == "Timestamp", "date_for_year",
         "That is a whole date; the question asks for the year only, as a number."),
        (lambda a: isinstance(a, str) and a.strip().isdigit(), "text_for_year",
         "That is the year as text, in quotes. Give it as a number."),
    ])


def _eu_id() -> str:
    from ..model import queries

    return queries.find_partner("European Union", ds=_ds())


@_expected("4_3")
def _eu_places() -> frozenset:
    from ..model import queries

    acts = queries.partner_activities(_eu_id(), ds=_ds())
    return frozenset(str(p) for p in acts["place_id"].dropna())


def exercise_4_3(answer) -> Feedback:
    """Where does the European Union work with the UN (place ids)?"""
    return d.members("4.3", answer, _eu_places(), item="place id", names_to_codes=_country_names(),
                     slips=[
        (lambda a: isinstance(a, (set, frozenset)) and any(not isinstance(i, str) for i in a),
         "missing_in_set", "Your set holds a missing value (NA): drop the engagements without a "
                           "place with `.dropna()`."),
    ])


def _distinct_places():
    from ..model import queries

    acts = queries.partner_activities(ds=_ds())
    return acts.groupby("partner_id", observed=True)["place_id"].nunique()


@_expected("4_4")
def _busiest_partners() -> frozenset:
    counts = _distinct_places()
    return frozenset(str(p) for p in counts[counts == counts.max()].index)


def exercise_4_4(answer) -> Feedback:
    """Which partner is engaged in the most distinct places (its partner_id)?"""
    from ..model import queries

    expected = _busiest_partners()
    acts = queries.partner_activities(ds=_ds())
    by_rows = acts.groupby("partner_id", observed=True).size()
    most_rows = {str(p) for p in by_rows[by_rows == by_rows.max()].index} - set(expected)
    return d.text("4.4", answer, expected, what="partner id", names_to_codes=_partner_names(),
                  slips=[
        (lambda a: isinstance(a, str) and a.strip() in most_rows, "most_engagements",
         "That partner has the most engagements, but some are in the same place. Count distinct "
         "places: `.nunique()` on `place_id`."),
        (lambda a: d.as_number(a) is not None, "number_for_id",
         "That is a count. The question asks *which* partner: `.idxmax()` gives the id with the "
         "largest count."),
    ])


@_expected("4_5")
def _operations_and_partners() -> frozenset:
    from ..model import queries

    ds = _ds()
    operations = set(queries.operations_in(ds=ds)["place_id"].dropna())
    partners = set(queries.partner_activities(ds=ds)["place_id"].dropna())
    return frozenset(str(p) for p in operations & partners)


def exercise_4_5(answer) -> Feedback:
    """Places with both a UN peace operation and a partner at work (place ids)."""
    from ..model import queries

    ds = _ds()
    operations = {str(p) for p in queries.operations_in(ds=ds)["place_id"].dropna()}
    partners = {str(p) for p in queries.partner_activities(ds=ds)["place_id"].dropna()}
    return d.members("4.5", answer, _operations_and_partners(), item="place id",
                     names_to_codes=_country_names(), slips=[
        (_equals(operations | partners), "union_for_intersection",
         "That is every place with an operation *or* a partner (a union, `|`). The question asks "
         "for places with both: intersect with `&`."),
        (_equals(operations), "operations_only",
         "Those are all the operations' places. Keep only those where a partner works too."),
        (_equals(partners), "partners_only",
         "Those are all the partners' places. Keep only those where an operation works too."),
    ])


# --- lesson 5: your own briefing ---------------------------------------------------------------

NOTEBOOK_PRAISE = "Well done: that is what the notebook declares."


@_expected("5_1")
def _partnership_parameters() -> frozenset:
    from ..briefings import params

    return frozenset(params.declared_parameters("partnerships"))


def exercise_5_1(answer) -> Feedback:
    """Which parameters does the partnerships briefing take (a set of names)?"""
    from ..briefings import params

    region_params = frozenset(params.declared_parameters("region"))
    return d.members("5.1", answer, _partnership_parameters(), item="parameter name",
                     praise=NOTEBOOK_PRAISE, slips=[
        (lambda a: isinstance(a, dict), "dict_for_set",
         "papermill gives a dict: one entry per parameter, with its type, default and help. Keep "
         "the names only: `set(...)` of the dict gives its keys."),
        (lambda a: set(a) == region_params and region_params != _partnership_parameters(),
         "other_notebook", "Those are the parameters of another briefing. Inspect partnerships.ipynb."),
    ])


@_expected("5_2")
def _region_default() -> str:
    from ..briefings import params

    return str(params.defaults("region")["region"])


def exercise_5_2(answer) -> Feedback:
    """The default value of the region briefing's ``region`` parameter."""
    expected = _region_default()
    return d.text("5.2", answer, expected, what="default value", praise=NOTEBOOK_PRAISE, slips=[
        (lambda a: isinstance(a, str) and a.strip() in (repr(expected), f'"{expected}"'),
         "quoted_default",
         "Close: papermill shows the default as it is written in the cell, quotes included. "
         "Give the value itself, without the quotes inside the text."),
        (lambda a: isinstance(a, dict), "dict_for_text",
         "That is papermill's description of the parameter (a dict). Take its default value "
         "only, as text."),
    ])


#: The briefing and values exercise 5.3 asks for.
RUN_NOTEBOOK, RUN_REGION = "region", "Central Asia"


@_expected("5_3")
def _run_parameters() -> dict:
    from ..briefings import params

    return params.check_parameters(RUN_NOTEBOOK, {"region": RUN_REGION})


def _read_executed(answer):
    import nbformat

    if isinstance(answer, (str, Path)):
        path = Path(answer)
        if not path.is_file():
            raise d._Verdict("no_file", "There is no notebook at that path. Check the folder "
                                        "exists and the name you gave papermill as output.")
        return nbformat.read(str(path), as_version=4)
    if isinstance(answer, dict) and "cells" in answer:
        return answer
    raise d._Verdict("wrong_type", "Keep what `pm.execute_notebook(...)` returns (the executed "
                                   "notebook), or the path of the notebook it wrote.")


def exercise_5_3(answer) -> Feedback:
    """Run the region briefing for Central Asia with papermill; answer: the executed notebook."""
    from ..briefings import params

    def verdict() -> Feedback:
        d._common(answer)
        nb = _read_executed(answer)
        run = nb.get("metadata", {}).get("papermill")
        if not run:
            raise d._Verdict("not_executed", "That notebook was not run by papermill (no run "
                                             "record in its metadata). Give the output of "
                                             "`pm.execute_notebook`, not the source notebook.")
        given = dict(run.get("parameters") or {})
        if "region" not in given:
            raise d._Verdict("defaults_used", "It ran, but with its default region: pass "
                                              "`parameters={\"region\": ...}` to `pm.execute_notebook`.")
        try:
            checked = params.check_parameters(RUN_NOTEBOOK, given)
        except params.ParameterError:
            raise d._Verdict("bad_value", "papermill ran it with a value the briefing does not "
                                          "allow; `params.describe(\"region\")` lists the "
                                          "allowed values.") from None
        if checked["region"] != _run_parameters()["region"]:
            raise d._Verdict("other_region", "It ran, but for another region than the one the "
                                             "exercise asks for. Check the value you passed.")
        errors = [o for c in nb.get("cells", []) if c.get("cell_type") == "code"
                  for o in c.get("outputs", []) if o.get("output_type") == "error"]
        if errors or run.get("exception"):
            raise d._Verdict("failed_run", "The run stopped with an error: open the output "
                                           "notebook and read the error banner.")
        return Feedback("5.3", True, "Well done: the briefing ran with your value. Open the "
                                     "output notebook in JupyterLab to read it.")

    try:
        return verdict()
    except d._Verdict as v:
        return d._guarded("5.3", None, v.message, v.hint, v.slip)


#: What exercise 5.4 asks for: notebook, parameters (as a briefing normalises them), folder.
BUILD_NOTEBOOK, BUILD_VALUES, BUILD_OUT = "partnerships", {"region": "Africa",
                                                          "partner": "European Union"}, "reports-eu"


@_expected("5_4")
def _build_request() -> dict:
    from ..briefings import params

    return {"notebook": BUILD_NOTEBOOK, "out": BUILD_OUT,
            "params": params.check_parameters(BUILD_NOTEBOOK, BUILD_VALUES)}


def exercise_5_4(answer) -> Feedback:
    """Write the `briefings build` command for the EU partnerships briefing in Africa."""
    from ..briefings import params
    from ..cli import make_parser

    expected = _build_request()

    def verdict() -> Feedback:
        d._common(answer)
        if not isinstance(answer, str):
            raise d._Verdict("wrong_type", "Give the command as one line of text (a str in quotes).")
        try:
            words = shlex.split(answer)
        except ValueError:
            raise d._Verdict("unbalanced_quotes", "A quote is opened and never closed.") from None
        if not words or Path(words[0]).name != "briefings":
            raise d._Verdict("not_briefings", "The command starts with `briefings` (the project's "
                                              "command), then the subcommand `build`.")
        if len(words) < 2 or words[1] != "build":
            raise d._Verdict("not_build", "After `briefings` comes the subcommand: `build`.")
        if any(w == "-p" for w in words):
            raise d._Verdict("papermill_syntax", "`-p name value` is papermill's syntax. "
                                                 "`briefings build` takes `--param name=value`.")
        try:
            with contextlib.redirect_stderr(io.StringIO()):  # argparse's own message would leak
                args, extra = make_parser().parse_known_args(words[1:])
        except (Exception, SystemExit):
            raise d._Verdict("does_not_parse", "The terminal would reject this command: check each "
                                               "option is spelled as in `briefings build --help`.") from None
        if extra:
            spaced = any("=" not in w and not w.startswith("-") for w in extra)
            raise d._Verdict("unquoted_space" if spaced else "unknown_option",
                             "A value with a space must be in quotes, or the terminal splits it "
                             "in two." if spaced else
                             "Part of the command is not an option of `briefings build`: compare "
                             "with `briefings build --help`.")
        if args.notebook != expected["notebook"]:
            raise d._Verdict("other_notebook", "Check `--notebook`: which briefing does the "
                                               "exercise ask for?" if args.notebook else
                             "Without `--notebook`, build makes the whole default set. Name the "
                             "one briefing with `--notebook`.")
        values = {}
        for item in args.params:
            if "=" not in item:
                raise d._Verdict("param_form", "Each `--param` takes `name=value`, joined by `=`.")
            name, value = item.split("=", 1)
            values[name.strip()] = value
        try:
            checked = params.check_parameters(args.notebook, values)
        except params.ParameterError as err:
            slip = "unknown_parameter" if err.parameter and err.parameter not in \
                params.declared_parameters(args.notebook) else "bad_value"
            raise d._Verdict(slip, "The briefing would refuse this: a parameter name or value is "
                                   "not allowed. `params.describe(...)` lists what each takes.") from None
        if set(values) != set(expected["params"]) or checked != expected["params"]:
            missing = set(expected["params"]) - set(values)
            raise d._Verdict("missing_parameter" if missing else "other_values",
                             "One parameter the exercise names is not set: its default would be "
                             "used." if missing else
                             "The parameters parse, but one value is not the one asked for.")
        if args.out is None or Path(args.out) != Path(expected["out"]):
            raise d._Verdict("other_out", "Check `--out`: the folder the reports go into.")
        return Feedback("5.4", True, "Well done: that command builds exactly this briefing. Try it "
                                     "in a terminal from the project folder.")

    try:
        return verdict()
    except d._Verdict as v:
        return d._guarded("5.4", None, v.message, v.hint, v.slip)


def _reports_a_failed_answer_cell(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """``check``, but when the answer cell just failed, say so instead of judging the answer
    variable, which still holds an earlier value (see :func:`diagnose.failed_answer_cell`)."""
    import functools

    exercise = check.__name__.removeprefix("exercise_").replace("_", ".")

    @functools.wraps(check)
    def checked(*args, **kwargs) -> Feedback:
        failed = d.failed_answer_cell(exercise)
        return failed if failed is not None else check(*args, **kwargs)

    return checked


# Every exercise_* check above, wrapped once here (rather than decorated 20 times).
for _name in [n for n in list(globals()) if n.startswith("exercise_") and callable(globals()[n])]:
    globals()[_name] = _reports_a_failed_answer_cell(globals()[_name])
del _name

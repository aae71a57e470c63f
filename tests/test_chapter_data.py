"""The chapter layer holds together: the relations between its tables.

Keys and constraints are ``briefings validate``'s (tests/test_validate.py). The relation checks
ask what a reader of the tables expects: every entity is mentioned where it is taken from, every engagement's actor, place and
theme are mentioned in its paragraph, dates agree with their labels, and rows that rest on an
inferred entity are flagged as inferred themselves.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from analysis.data.paths import data_dir
from analysis.data.schema import load_schema

SCHEMA = load_schema()
ENTITY_TABLES = ["places", "operations", "offices", "partners", "initiatives", "themes"]
ENTITY_KEYS = {"places": "place_id", "operations": "operation_id", "offices": "office_id",
               "partners": "partner_id", "initiatives": "initiative_id", "themes": "theme_id"}
ACTOR_TABLES = {"operation_id": "operations", "office_id": "offices", "partner_id": "partners"}

#: Ids agreed with the context tables (office_coverage, operation_facts, region_equivalents).
AGREED_OPERATIONS = {"MINUSTAH", "MINUJUSTH", "MINUSCA", "MONUSCO", "UNMISS", "UNMISS-RPF", "MINUSMA",
                     "UNMIL", "UNOCI", "UNAMID", "AMISOM"}
AGREED_OFFICES = {"UNOWAS", "UNOCA", "UNRCCA"}
AGREED_REGIONS = {"west-africa-sahel", "central-asia", "central-africa", "southern-africa",
                  "south-east-asia", "europe", "africa", "middle-east"}


def _raw(table: str) -> pd.DataFrame:
    t = SCHEMA.table(table)
    return pd.read_csv(data_dir() / t.path, dtype=str, keep_default_na=False, encoding="utf-8")


def _records(dataset, table):
    frame = dataset[table].astype(object).where(dataset[table].notna(), None)
    return frame.to_dict("records")


@pytest.fixture(scope="module")
def mentioned():
    """{(paragraph, entity_table, entity_id)} from the mentions table."""
    frame = _raw("mentions")
    return set(zip(frame.paragraph, frame.entity_table, frame.entity_id))


# ------------------------------------------------------------------ constraints


# The tables' header, keys, cell constraints, foreign keys, exactlyOneOf and the mentions'
# polymorphic keys are what `briefings validate` checks: tests/test_validate.py holds the project's
# data to it (test_project_data_is_valid) and shows each check catching a damaged copy. The tests
# below ask what a reader of the tables expects beyond the schema.


# ------------------------------------------------------------------ coverage


@pytest.mark.parametrize("table", ENTITY_TABLES)
def test_every_entity_is_mentioned_where_it_is_taken_from(dataset, mentioned, table):
    missing = [r[ENTITY_KEYS[table]] for r in _records(dataset, table)
               if (r["paragraph"], table, r[ENTITY_KEYS[table]]) not in mentioned]
    assert not missing, f"{table} rows without a mention in their own paragraph: {missing}"


def test_every_paragraph_has_mentions_and_a_theme(dataset, mentioned):
    paragraphs = set(dataset.paragraphs.paragraph_id)
    with_any = {p for p, _, _ in mentioned}
    with_theme = {p for p, t, _ in mentioned if t == "themes"}
    assert paragraphs - with_any == set()
    assert paragraphs - with_theme == set()


def test_every_section_has_its_theme_mentioned_in_each_paragraph(dataset, mentioned):
    themes = dataset.themes.dropna(subset=["section_id"])
    assert themes.section_id.is_unique
    for row in _records(dataset, "themes"):
        if row["section_id"] is None:
            continue
        assert row["paragraph"].split("/")[0] == row["section_id"], row["theme_id"]
        section_paragraphs = dataset.paragraphs.loc[dataset.paragraphs.section_id == row["section_id"], "paragraph_id"]
        for pid in section_paragraphs:
            assert (pid, "themes", row["theme_id"]) in mentioned, (pid, row["theme_id"])


def test_every_country_is_a_mentioned_iso3_place(dataset, mentioned):
    places = _records(dataset, "places")
    mentioned_places = {i for _, t, i in mentioned if t == "places"}
    for row in places:
        if row["kind"] == "country":
            assert row["place_id"] == row["iso3"] and re.fullmatch(r"[A-Z]{3}", row["place_id"]), row
        elif row["kind"] == "subnational area":
            assert row["iso3"] and re.fullmatch(r"[a-z][a-z-]*", row["place_id"]), row
        else:
            assert row["iso3"] is None and re.fullmatch(r"[a-z][a-z-]*", row["place_id"]), row
        assert row["place_id"] in mentioned_places, row["place_id"]


def test_agreed_ids_are_present(dataset):
    assert set(dataset.operations.operation_id) == AGREED_OPERATIONS
    assert AGREED_OFFICES <= set(dataset.offices.office_id)
    regions = set(dataset.places.loc[dataset.places.kind != "country", "place_id"])
    assert AGREED_REGIONS | {"darfur"} == regions


def test_expected_countries_are_there(dataset):
    expected = {"HTI", "GBR", "GMB", "GAB", "COG", "TCD", "CMR", "CAF", "IND", "PAK", "COL", "COD",
                "GHA", "AFG", "SSD", "MLI", "SYR", "YEM", "BDI", "LBR", "CIV", "SOM", "LSO", "UKR"}
    assert set(dataset.places.loc[dataset.places.kind == "country", "place_id"]) == expected


# ------------------------------------------------------------------ relations


def test_engagement_actor_place_and_theme_are_mentioned_in_its_paragraph(dataset, mentioned):
    problems = []
    for row in _records(dataset, "engagements"):
        p = row["paragraph"]
        for field, table in ACTOR_TABLES.items():
            if row[field] and (p, table, row[field]) not in mentioned:
                problems.append(f"{row['engagement_id']}: actor {row[field]} not mentioned in {p}")
        if row["place_id"] and (p, "places", row["place_id"]) not in mentioned:
            problems.append(f"{row['engagement_id']}: place {row['place_id']} not mentioned in {p}")
        if (p, "themes", row["theme_id"]) not in mentioned:
            problems.append(f"{row['engagement_id']}: theme {row['theme_id']} not mentioned in {p}")
    assert not problems, "\n".join(problems)


def test_engagement_resting_on_an_inferred_actor_is_inferred(dataset):
    inferred_actors = {(field, r[ENTITY_KEYS[table]]) for field, table in ACTOR_TABLES.items()
                       for r in _records(dataset, table) if r["inferred"]}
    wrong = [r["engagement_id"] for r in _records(dataset, "engagements")
             if not r["inferred"] and any((f, r[f]) in inferred_actors for f in ACTOR_TABLES)]
    assert not wrong, f"engagements citing an inferred actor but not flagged inferred: {wrong}"


def test_engagement_place_matches_a_place_bound_actor(dataset):
    """An operation works where it is based (a Darfur operation in Darfur, etc.)."""
    ops = {r["operation_id"]: r["place_id"] for r in _records(dataset, "operations")}
    wrong = [r["engagement_id"] for r in _records(dataset, "engagements")
             if r["operation_id"] and r["place_id"] != ops[r["operation_id"]]]
    assert not wrong, wrong


@pytest.mark.parametrize("table", ["initiatives", "events", "figures"])
def test_theme_is_mentioned_in_the_rows_paragraph(dataset, mentioned, table):
    missing = [r[SCHEMA.table(table).primary_key[0]] for r in _records(dataset, table)
               if (r["paragraph"], "themes", r["theme_id"]) not in mentioned]
    assert not missing, f"{table}: theme not mentioned in the row's paragraph: {missing}"


def test_figure_places_are_mentioned(dataset, mentioned):
    missing = [r["figure_id"] for r in _records(dataset, "figures")
               if r["place_id"] and (r["paragraph"], "places", r["place_id"]) not in mentioned]
    assert not missing


def test_event_places_follow_their_event(dataset, mentioned):
    events = {r["event_id"]: r for r in _records(dataset, "events")}
    problems = []
    for row in _records(dataset, "event_places"):
        event = events[row["event_id"]]
        if row["paragraph"] != event["paragraph"]:
            problems.append(f"{row['event_id']}/{row['place_id']}: cites {row['paragraph']}, event {event['paragraph']}")
        if (row["paragraph"], "places", row["place_id"]) not in mentioned:
            problems.append(f"{row['event_id']}/{row['place_id']}: place not mentioned in {row['paragraph']}")
    assert not problems, "\n".join(problems)


def _bounds(label: str) -> tuple[str, date, date]:
    """Precision and first/last day that a normalised date label can mean."""
    def one(part):
        pieces = [int(x) for x in part.split("-")]
        if len(pieces) == 3:
            d = date(*pieces)
            return d, d
        if len(pieces) == 2:
            y, m = pieces
            first = date(y, m, 1)
            return first, (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1))
        return date(pieces[0], 1, 1), date(pieces[0], 12, 31)

    parts = label.split("/")
    start, end = one(parts[0])[0], one(parts[-1])[1]
    precision = "period" if len(parts) == 2 else {3: "day", 2: "month", 1: "year"}[len(parts[0].split("-"))]
    return precision, start, end


def test_bounds_helper():
    assert _bounds("2016-12") == ("month", date(2016, 12, 1), date(2016, 12, 31))
    assert _bounds("2017/2018") == ("period", date(2017, 1, 1), date(2018, 12, 31))
    assert _bounds("2016-12/2017-01") == ("period", date(2016, 12, 1), date(2017, 1, 31))


def test_event_dates_agree_with_their_labels(dataset):
    problems = []
    for row in _records(dataset, "events"):
        precision, start, end = _bounds(row["date_label"])
        got = (row["date_precision"], row["date_start"].date(), row["date_end"].date())
        if got != (precision, start, end):
            problems.append(f"{row['event_id']}: {got} but {row['date_label']!r} means {(precision, start, end)}")
    assert not problems, "\n".join(problems)


def test_planned_events_end_after_they_are_announced(dataset):
    """The report covers events to mid-2017: what is planned cannot be over by the end of 2016."""
    planned = dataset.events[dataset.events.status == "planned"]
    assert not planned.empty
    assert (planned.date_end >= pd.Timestamp("2017-06-30")).all()


def test_target_links_are_within_figures(dataset):
    figures = dataset.figures.set_index("figure_id")
    for fid, target in figures.target_figure_id.dropna().items():
        assert target != fid and figures.loc[target, "kind"] == "target"


# ------------------------------------------------------------------ issue #8: the reporting period


def _period(dataset):
    row = _records(dataset, "reporting_period")
    assert len(row) == 1 and row[0]["source_id"] == "a72-1"
    return row[0]


def test_the_reporting_period_is_about_mid_2016_to_mid_2017(dataset):
    period = _period(dataset)
    start, end = period["period_start"], period["period_end"]
    assert (start, end) == (pd.Timestamp("2016-07-01"), pd.Timestamp("2017-06-30"))
    assert period["precision"] == "approximate" and period["inferred"]
    assert "2016" in period["label"] and "2017" in period["label"]


def test_nothing_after_the_period_is_recorded_as_having_happened(dataset):
    end = _period(dataset)["period_end"]
    events = dataset.events
    late = events[(events.status == "happened") & (events.date_start > end)]
    assert late.empty, f"events given as happened after the period: {list(late.event_id)}"


def test_events_the_chapter_says_are_ahead_are_planned(dataset):
    """'ahead of the June 2017 elections': the chapter says neither that the elections took place
    nor that they are planned: it dates the training by them (issue 18)."""
    events = dataset.events.set_index("event_id")
    assert events.loc["lesotho-elections", "status"] == "referred to"
    # 'will continue to be required to allow the organization of ... elections by the end of
    # 2017': a need the chapter states, not a plan (second reading of issue 18)
    assert events.loc["drc-elections-due", "status"] == "referred to"


def test_dates_as_written_occur_in_the_paragraph(dataset, seed_paragraphs):
    from analysis.data import seed

    problems = []
    for row in _records(dataset, "events"):
        written = row["date_as_written"]
        if written is None:
            if not row["inferred"]:
                problems.append(f"{row['event_id']}: a stated date needs date_as_written")
        elif seed.normalize(written) not in seed.normalize(seed_paragraphs[row["paragraph"]].text):
            problems.append(f"{row['event_id']}: {written!r} not in {row['paragraph']}")
    assert not problems, "\n".join(problems)
    haiti = dataset.events.set_index("event_id").loc["haiti-electoral-process-concluded"]
    assert haiti["date_as_written"] == "early 2017" and haiti["inferred"]


# ------------------------------------------------------------------ issue #8: operation status

#: What the chapter says of each operation in the period (sustaining/5, crisis/2 ...).
EXPECTED_STATUS = {"MINUJUSTH": "planned", "UNMISS-RPF": "deploying", "UNOCI": "closing", "UNMIL": "closing",
                   "MINUSTAH": "closing", "MINUSCA": "active", "MONUSCO": "active", "UNMISS": "active",
                   "MINUSMA": "active", "UNAMID": "active", "AMISOM": "active"}


def test_every_operation_has_one_status_in_the_period(dataset):
    status = dataset.operation_status.set_index("operation_id")["status"].astype(str).to_dict()
    assert set(status) == set(dataset.operations.operation_id)
    assert status == EXPECTED_STATUS


def test_status_agrees_with_the_operation_facts(dataset):
    """No operation planned or closed in the period is active; dates come from operation_facts."""
    period = _period(dataset)
    start, end = period["period_start"], period["period_end"]
    facts = dataset.operation_facts.set_index("operation_id")
    problems = []
    for row in _records(dataset, "operation_status"):
        op, status = row["operation_id"], row["status"]
        fact = facts.loc[op]
        closed = pd.Timestamp(f"{fact['closed_month']}-01") if isinstance(fact["closed_month"], str) else None
        if fact["established"] > end.year and status != "planned":
            problems.append(f"{op}: established {fact['established']}, after the period, but {status}")
        if closed is not None and closed < start and status != "closed":
            problems.append(f"{op}: closed {fact['closed_month']}, before the period, but {status}")
        if status == "closing" and (closed is None or closed > end + pd.DateOffset(years=1)):
            problems.append(f"{op}: closing, but operation_facts gives no close within a year of the period")
        if status != "active" and row["facts_source_id"] != fact["source_id"]:
            problems.append(f"{op}: {status} must cite the operation_facts source {fact['source_id']}")
    assert not problems, "\n".join(problems)


def test_operation_status_rests_on_the_operation_rows(dataset):
    """An operation the chapter does not name has an inferred status."""
    ops = dataset.operations.set_index("operation_id")
    for row in _records(dataset, "operation_status"):
        if ops.loc[row["operation_id"], "inferred"]:
            assert row["inferred"], row["operation_id"]


# ------------------------------------------------------------------ issue #8: partners


#: The UN's own organs, bodies, funds and programmes among the partners table's rows.
UN_SYSTEM = {"general-assembly", "security-council", "secretariat", "hippo", "unicef",
             "peacebuilding-commission", "peacebuilding-fund", "united-nations"}
UN_KINDS = {"UN principal organ", "UN body", "UN fund or programme", "UN as a whole"}
PARTY_KINDS = {"armed group", "parties to a conflict"}


def test_no_un_entity_or_party_is_a_partner_outside_the_un(dataset):
    partners = dataset.partners.set_index("partner_id")
    relation = partners["relation_to_un"].astype(str)
    assert set(relation[relation == "UN system"].index) == UN_SYSTEM
    assert set(partners.loc[partners["kind"].isin(list(UN_KINDS))].index) == UN_SYSTEM
    parties = set(relation[relation == "party to a conflict"].index)
    assert {"farc-ep", "mali-signatory-parties", "south-sudan-authorities", "burundi-parties"} <= parties
    assert set(partners.loc[partners["kind"].isin(list(PARTY_KINDS))].index) <= parties
    assert relation["private-sector"] == relation["ngos"] == "outside the UN"
    assert relation["member-states"] == relation["governments"] == "government"


def test_an_organ_points_to_its_organization(dataset):
    partners = dataset.partners.set_index("partner_id")
    organs = partners["part_of"].dropna()
    assert organs.to_dict() == {"au-commission": "african-union"}
    for organ, parent in organs.items():
        assert parent in partners.index and parent != organ
        assert pd.isna(partners.loc[parent, "part_of"]), "an organization is not itself an organ"
        assert partners.loc[parent, "relation_to_un"] == partners.loc[organ, "relation_to_un"]


def test_partners_proper_count_each_organization_once(dataset):
    """The count a briefing gives: outside the UN, organs folded into their organization."""
    partners = dataset.partners
    proper = partners[(partners["relation_to_un"] == "outside the UN") & partners["part_of"].isna()]
    assert "au-commission" not in set(proper.partner_id) and "african-union" in set(proper.partner_id)
    assert UN_SYSTEM.isdisjoint(proper.partner_id) and "farc-ep" not in set(proper.partner_id)


# ------------------------------------------------------------------ issue #8: facts that were missing

MISSING_BEFORE = {
    "initiatives": {"gambia-assessment-mission", "women-appointments-effort", "gender-recommendations-follow-up",
                    "yps-technology-research", "sc-res-2295", "sc-res-2348", "sc-res-2304", "sc-res-2333",
                    "sc-res-2350"},
    "engagements": {"secretariat-gambia-assessment", "minustah-haiti-electoral-support",
                    "minusca-community-engagement", "minusma-community-engagement", "sg-women-appointments",
                    "sg-gender-recommendations", "sg-architecture-review", "sg-sustaining-peace-report",
                    "sg-prevention-platform", "sg-world-bank-framework", "south-sudan-authorities-obstruction",
                    "government-of-drc-child-recruitment", "government-of-gambia-stability",
                    "government-of-cote-divoire-grievances", "mali-signatory-parties-stalemate",
                    "burundi-parties-preconditions", "ngos-prevention-partnerships",
                    "private-sector-prevention-partnerships"},
    "partners": {"private-sector", "ngos", "governments", "south-sudan-authorities", "government-of-drc",
                 "government-of-gambia", "government-of-cote-divoire", "mali-signatory-parties",
                 "burundi-parties"},
}


@pytest.mark.parametrize("table", sorted(MISSING_BEFORE))
def test_issue_8_rows_are_present(dataset, table):
    key = SCHEMA.table(table).primary_key[0]
    assert MISSING_BEFORE[table] <= set(dataset[table][key])


def test_implied_council_decisions_are_inferred_initiatives(dataset):
    inits = dataset.initiatives.set_index("initiative_id")
    for rid in ("sc-res-2295", "sc-res-2348", "sc-res-2304", "sc-res-2333", "sc-res-2350"):
        row = inits.loc[rid]
        assert row["kind"] == "resolution" and row["inferred"], rid
        assert f"resolution {rid[-4:]}" in row["inference_note"], rid


def test_every_initiative_has_a_status(dataset):
    inits = dataset.initiatives.set_index("initiative_id")
    # the chapter says only that these streams were launched or expanded, not how they stand (issue 18)
    launched = {"pbf-cross-border-financing", "pbf-youth-funding-stream", "pbf-civil-society-funding"}
    assert inits.loc[list(launched), "status"].isna().all()
    others = inits.drop(index=list(launched))
    assert others["status"].notna().all(), list(others.index[others["status"].isna()])
    assert inits.loc["au-pso-financing-proposals", "status"] == "proposed"
    assert inits.loc["tripartite-mechanism", "status"] == "ongoing"


def test_the_secretary_general_acts_where_the_chapter_says_i(dataset):
    eng = dataset.engagements.set_index("engagement_id")
    for eid in ("sg-architecture-review", "sg-sustaining-peace-report", "sg-prevention-platform",
                "sg-world-bank-framework", "sg-women-appointments"):
        assert eng.loc[eid, "office_id"] == "SG", eid


def test_community_engagement_strategies_have_their_places(dataset):
    eng = dataset.engagements
    rows = eng[eng["evidence"] == "began developing community engagement strategies"]
    assert set(rows["place_id"]) == {"CAF", "MLI"}


# ------------------------------------------------------------------ issue #8: wording in the data

#: Bodies whose naming in a row's own words must be backed by the row's paragraph or an inference.
BODIES = {"Security Council": "security-council", "General Assembly": "general-assembly"}


@pytest.mark.parametrize("table, column", [("events", "description"), ("engagements", "activity")])
def test_a_body_the_paragraph_does_not_name_is_inferred(dataset, mentioned, table, column):
    """'Security Council authorizes ...' where the chapter names no body must be inferred or reworded."""
    key = SCHEMA.table(table).primary_key[0]
    problems = []
    for row in _records(dataset, table):
        for body, pid in BODIES.items():
            if body in row[column] and (row["paragraph"], "partners", pid) not in mentioned and not row["inferred"]:
                problems.append(f"{table}[{row[key]}]: names the {body}, which {row['paragraph']} does not")
    assert not problems, "\n".join(problems)


def test_own_words_keep_the_chapters_meaning(dataset):
    events = dataset.events.set_index("event_id")
    assert "constitutional normalcy" in events.loc["haiti-electoral-process-concluded", "description"]
    assert "constitutional order" not in " ".join(events["description"])


def test_country_places_use_the_one_display_name_and_article(dataset):
    countries = dataset.countries.set_index("iso3")
    for row in _records(dataset, "places"):
        if row["kind"] != "country":
            continue
        assert row["name"] == countries.loc[row["iso3"], "display_name"], row["place_id"]
        assert (row["article"] or None) == (countries.loc[row["iso3"], "article"]
                                            if isinstance(countries.loc[row["iso3"], "article"], str) else None), row["place_id"]
    articles = dataset.places.set_index("place_id")["article"]
    assert {p for p, a in articles.items() if a == "the"} == {"GMB", "CAF", "COG", "COD", "SYR", "GBR", "middle-east"}

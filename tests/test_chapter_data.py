"""The chapter layer holds together: keys, constraints and the relations between its tables.

The constraint checks read the CSVs as plain text (before typing, so that a value outside an
enum cannot hide as a missing value). The relation checks ask what a reader of the tables
expects: every entity is mentioned where it is taken from, every engagement's actor, place and
theme are mentioned in its paragraph, dates agree with their labels, and rows that rest on an
inferred entity are flagged as inferred themselves.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from analysis.paths import data_dir
from analysis.schema import load_schema

SCHEMA = load_schema()
CHAPTER_TABLES = [t.name for t in SCHEMA.tables.values() if t.layer == "chapter"]
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


@pytest.mark.parametrize("table", CHAPTER_TABLES)
def test_header_matches_schema(table):
    assert list(_raw(table).columns) == SCHEMA.table(table).field_names


@pytest.mark.parametrize("table", CHAPTER_TABLES)
def test_primary_key_is_unique_and_complete(table):
    t, frame = SCHEMA.table(table), _raw(table)
    key = list(t.primary_key)
    assert (frame[key] != "").all().all(), f"{table}: empty key cell"
    dupes = frame[frame.duplicated(key, keep=False)]
    assert dupes.empty, f"{table}: duplicate keys\n{dupes[key]}"


@pytest.mark.parametrize("table", CHAPTER_TABLES)
def test_field_constraints(table):
    t, frame = SCHEMA.table(table), _raw(table)
    problems = []
    for f in t.fields:
        col = frame[f.name]
        if f.required:
            problems += [f"{f.name} row {i}: required" for i in col.index[col == ""]]
        values = col[col != ""]
        cons = f.constraints or {}
        if f.enum:
            problems += [f"{f.name}: {v!r} not in {list(f.enum)}" for v in values if v not in f.enum]
        if "pattern" in cons:
            problems += [f"{f.name}: {v!r} !~ {cons['pattern']}" for v in values
                         if not re.fullmatch(cons["pattern"], v)]
        if "maxLength" in cons:
            problems += [f"{f.name}: {v!r} longer than {cons['maxLength']}" for v in values
                         if len(v) > cons["maxLength"]]
        if f.type == "boolean":
            problems += [f"{f.name}: {v!r} is not true/false" for v in values if v not in ("true", "false")]
        if f.type == "date":
            problems += [f"{f.name}: {v!r} is not YYYY-MM-DD" for v in values
                         if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)]
        if f.type in ("integer", "number"):
            problems += [f"{f.name}: {v!r} is not a number" for v in values
                         if not re.fullmatch(r"-?\d+(\.\d+)?", v)]
    assert not problems, f"{table}:\n" + "\n".join(problems)


@pytest.mark.parametrize("table", CHAPTER_TABLES)
def test_foreign_keys(table):
    t, frame = SCHEMA.table(table), _raw(table)
    problems = []
    for fk in t.foreign_keys:
        (field,), (ref_field,) = fk["fields"], fk["reference_fields"]
        ref = SCHEMA.table(fk["resource"])
        ref_values = set(_raw(ref.name)[ref_field])
        if ref.layer != "chapter" and not ref_values:
            continue  # a context table still to be filled; the context helper's tests cover it
        values = set(frame[field]) - {""}
        problems += [f"{field}={v!r} not in {ref.name}.{ref_field}" for v in sorted(values - ref_values)]
    assert not problems, f"{table}:\n" + "\n".join(problems)


def test_engagements_have_exactly_one_actor():
    frame = _raw("engagements")
    counts = (frame[list(SCHEMA.table("engagements").exactly_one_of)] != "").sum(axis=1)
    assert (counts == 1).all(), frame.loc[counts != 1, "engagement_id"].tolist()


def test_mentions_point_to_existing_entities():
    frame = _raw("mentions")
    problems = []
    for table, key in ENTITY_KEYS.items():
        known = set(_raw(table)[key])
        ids = set(frame.loc[frame.entity_table == table, "entity_id"])
        problems += [f"{table}.{i}" for i in sorted(ids - known)]
    assert not problems, "mentions of unknown entities: " + ", ".join(problems)


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

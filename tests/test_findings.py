"""The claims layer (analysis.prose.findings): one finding per claim, counted from its own list."""
from __future__ import annotations

import pytest

from analysis.model import queries
from analysis.prose import text
from analysis.prose import findings
from analysis.prose.modality import MODALITIES, status_clause
from key_points import key_points

#: one process makes each set of key points (see tests/key_points.py)
pytestmark = pytest.mark.xdist_group("key-points")

SELECTIONS = (None, "Africa", "Western Asia", "Mali", "Lesotho", "Somalia", "India", "Northern Europe")


@pytest.mark.parametrize("region", SELECTIONS)
def test_every_count_is_the_length_of_its_list(dataset, region):
    sel = queries.selection(region, dataset)
    found = list(findings.records(sel, ds=dataset).values())
    found += [findings.actors(sel, g, ds=dataset) for g in findings.ACTOR_GROUPS]
    found += [findings.activities(sel, ds=dataset), findings.situations(sel, ds=dataset)]
    for f in found:
        assert f.count == len(f.items) == len(f.flags)
        assert f.counted().startswith(str(f.count))
        assert bool(f) == bool(f.items)


@pytest.mark.parametrize("region", SELECTIONS)
def test_the_overview_and_the_records_sentence_count_the_same_findings(dataset, region, monkeypatch):
    from analysis.briefings import open_briefing

    monkeypatch.setattr("analysis.briefings.base.show", lambda *a, **k: None)
    brief = open_briefing("region", region=region or "World", ds=dataset)
    table = brief.overview()
    sentence = key_points("region", dataset, region)
    if not sentence:
        return
    from analysis.prose.formatting import plural

    counts = dict(zip(table.frame["kind of record"], table.frame["records"]))
    for f in findings.records(queries.selection(region, dataset), ds=dataset).values():
        if f.count:
            assert counts[f.what[1]] == f.count
            assert plural(f.count, *f.what) in sentence[0].text, (f.what, f.count)


def test_a_none_sentence_is_said_only_of_an_empty_finding_and_names_what_is_absent(dataset):
    mali = queries.selection("Mali", dataset)
    asia = queries.selection("Western Asia", dataset)
    assert findings.operations(mali, ds=dataset)  # MINUSMA
    lesotho = queries.selection("Lesotho", dataset)
    assert findings.activities(lesotho, ds=dataset), "the UN's support to the SADC training is an activity"
    none = findings.actors(asia, "partners", ds=dataset)
    assert not none and "partner working with the UN" in none.none_sentence()
    assert "the Middle East" in none.none_sentence()  # records on a wider area overlapping it


def test_un_operations_are_led_by_the_un_and_partners_state_cooperation(dataset):
    ops = findings.operations(None, ds=dataset)
    assert not {"AMISOM", "UNAMID"} & set(ops.rows["operation_id"])
    other = findings.operations(None, ds=dataset, led_by_un=False)
    assert set(other.rows["operation_id"]) == {"AMISOM", "UNAMID"}
    partners = findings.actors(None, "partners", ds=dataset)
    assert partners.rows["cooperating"].all()
    assert not {"CENCO", "NGOs", "the private sector", "Security Council"} & set(partners.items)
    assert "CENCO" in findings.actors(None, "other", ds=dataset).items


def test_an_office_engaged_somewhere_is_not_placed_there(dataset):
    india = queries.selection("India", dataset)
    assert not findings.offices(india, ds=dataset, presence="based")
    assert "Secretary-General" in findings.offices(india, ds=dataset, presence="engagement").items


def test_an_engagement_is_worded_from_its_modality_with_the_chapters_phrase(dataset):
    assert set(dataset.engagements["modality"]) <= set(MODALITIES)
    row = dataset.engagements.set_index("engagement_id").loc["unrcca-central-asia-water"]
    assert status_clause(row) == "a commitment (\u201cis committed to offering his good offices\u201d)"
    burundi = dataset.engagements.set_index("engagement_id").loc["burundi-parties-preconditions"]
    assert burundi["modality"] == "struggling" and "similarly slow" in status_clause(burundi)


def test_an_event_placed_only_by_inference_is_counted_there_as_inferred(dataset):
    """U1: the chapter names London, not the United Kingdom (wps/1). The London conference is
    the United Kingdom's (and Northern Europe's) only by inference: its events finding flags it,
    with the place's note; the maps' country counts say how many of a country's records are
    tied to it by inference, and the map alt marks it. The world's count does not: there the
    event counts whatever its place."""
    from analysis.graphics import alttext

    for region in ("GBR", "Northern Europe", "Europe"):
        sel = queries.selection(region, dataset)
        events = findings.records(sel, ds=dataset)["events"]
        london = [flag for flag, eid in zip(events.flags, events.rows["event_id"])
                  if eid == "london-peacekeeping-conference"]
        assert london == [True], region
        assert any("United Kingdom as a place of this event" in i.about for i in events.inferences)
        counts = findings.records_map(sel, ds=dataset).set_index("iso3")
        assert counts.loc["GBR", "inferred"] == counts.loc["GBR", "count"] == 1
        assert "the United Kingdom (inferred) 1" in alttext.describe_map(
            counts.reset_index(), title="Map", ds=dataset)
    world = findings.records(None, ds=dataset)["events"]
    assert not any(flag for flag, eid in zip(world.flags, world.rows["event_id"])
                   if eid == "london-peacekeeping-conference")
    mapped = queries.countries_with_data(ds=dataset).set_index("iso3")
    assert mapped.loc["GBR", "inferred"] == mapped.loc["GBR", "count"]  # its own row is inferred too
    assert mapped.loc["MLI", "inferred"] == 0
    topic = queries.countries_of(queries.topic_records("gender", ds=dataset), ds=dataset).set_index("iso3")
    assert topic.loc["GBR", "inferred"] == 1 and topic.loc["AFG", "inferred"] == 0


def test_a_selection_s_records_are_made_once_and_each_caller_gets_its_own_rows(dataset):
    """``records`` and ``engagements`` are computed once per dataset and selection (a briefing
    asks a score of times): a caller that writes into what it got changes nobody else's."""
    sel = queries.selection("Mali", dataset)
    first = findings.records(sel, ds=dataset)
    first["events"].rows["description"] = "written over"
    acts = findings.engagements(sel, ds=dataset)
    acts["relation"] = "written over"
    again = findings.records(sel, ds=dataset)
    assert again == first and again["events"].rows is not first["events"].rows
    assert "written over" not in set(again["events"].rows["description"])
    assert "written over" not in set(findings.engagements(sel, ds=dataset)["relation"])


def test_operations_offices_and_actors_are_made_once_and_each_caller_gets_its_own_rows(
        dataset, monkeypatch):
    """A briefing's key points and its sections ask for the same findings (each made once per
    dataset, selection and arguments); a caller that writes into the rows it got changes
    nobody else's, and other arguments give other findings."""
    from analysis import Dataset

    dataset = Dataset(dataset.schema, dataset.frames, dataset.folder)  # nothing cached yet
    made = []
    for name in ("_operations", "_offices", "_actors"):
        real = getattr(findings, name)
        monkeypatch.setattr(findings, name,
                            lambda *args, _real=real, _name=name: made.append(_name) or _real(*args))
    sel = queries.selection("Western Africa", dataset)
    for make, column in ((lambda: findings.operations(sel, ds=dataset), "operation_id"),
                         (lambda: findings.offices(sel, ds=dataset), "office_id"),
                         (lambda: findings.actors(sel, "UN system", ds=dataset), "actor_id")):
        first = make()
        assert len(first.rows), column
        first.rows[column] = "written over"
        again = make()
        assert again == first and again.rows is not first.rows
        assert "written over" not in set(again.rows[column])
    assert made == ["_operations", "_offices", "_actors"]
    assert findings.operations(sel, ds=dataset, led_by_un=None) != findings.operations(sel, ds=dataset)
    assert findings.actors(sel, "partners", ds=dataset) != findings.actors(sel, "UN system", ds=dataset)
    themes = sorted(set(dataset.themes["theme_id"]))
    assert findings.actors(sel, "UN system", ds=dataset, theme=themes) == \
        findings.actors(sel, "UN system", ds=dataset, theme=tuple(themes))  # a list, as a tuple

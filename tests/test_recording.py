"""What a briefing reads, recorded at the dataset's tables (analysis.data.recording): selections,
what a row change covers, the data row by row, and the digest a page's stamp names."""
from __future__ import annotations

import itertools
import json
import random

import pandas as pd
import pytest

from analysis.data import recording
from analysis.data.recording import covers, diff, reads_digest

_names = itertools.count()


def table(rows, name=None):
    """A tracked toy table keyed by ``id``, with a name no other test uses."""
    frame = pd.DataFrame(rows, columns=["id", "place", "kind", "name"]).astype("string")
    return recording.track(frame, name or f"toy{next(_names)}", ["id"])


ROWS = [("a", "MLI", "x", "Alpha"), ("b", "NER", "y", "Beta"), ("c", None, "x", "Gamma")]


def recorded(tmp_path, read, rows=ROWS):
    t = table(rows)
    path = tmp_path / "reads.jsonl"
    with recording.recording_to(path):
        read(t)
    return [s for s in recording.read_recording(path) if s["table"] == t._psw.table]


def row(id_, place, kind="x", name="N"):
    return {"id": id_, "place": place, "kind": kind, "name": name}


def test_an_empty_selection_still_covers_a_matching_row_added_later(tmp_path):
    sels = recorded(tmp_path, lambda t: t[t["place"].isin(["GHA"])].copy())
    assert sels == [{"table": sels[0]["table"], "where": [["in", "place", ["GHA"]]],
                     "columns": None, "rows": []}]
    sel = sels[0]
    assert covers(sel, None, row("d", "GHA"))          # a Ghana row added: covered
    assert not covers(sel, None, row("d", "MLI"))      # a Mali row added: not
    assert covers(sel, row("d", "GHA"), None)          # removed
    assert covers(sel, row("a", "MLI"), row("a", "GHA"))  # moved into the selection


def test_selected_rows_and_columns_are_recorded_not_the_whole_table(tmp_path):
    def read(t):
        chosen = t.loc[t["place"] == "MLI", "name"]
        assert list(chosen) == ["Alpha"]
    sel, = recorded(tmp_path, read)
    assert sel["where"] == [["eq", "place", "MLI"]] and sel["columns"] == ["name"]
    assert sel["rows"] == ["a"]
    assert covers(sel, row("a", "MLI", name="Alpha"), row("a", "MLI", name="Alfa"))
    assert not covers(sel, row("a", "MLI", kind="x"), row("a", "MLI", kind="z"))  # not read
    assert not covers(sel, row("b", "NER"), row("b", "NER", name="Other"))        # not chosen


def test_conditions_combine_and_a_missing_value_counts_as_maybe(tmp_path):
    def read(t):
        return t[(t["kind"] == "x") & ~t["place"].isna()]["id"].tolist()
    sel, = recorded(tmp_path, read)
    assert sel["where"] == [["and", [["eq", "kind", "x"], ["not", ["isna", "place"]]]]]
    assert sel["columns"] == ["id"] and sel["rows"] == ["a"]
    assert covers(sel, None, row("z", "GHA", kind="x"))
    assert not covers(sel, None, row("z", "GHA", kind="y"))
    assert not covers(sel, None, row("z", None, kind="x"))
    assert covers(sel, None, {"id": "z", "place": "GHA", "kind": None, "name": "N"})  # maybe


def test_what_the_recorder_does_not_understand_reads_the_whole_view(tmp_path):
    sels = recorded(tmp_path, lambda t: t[t["name"].str.contains("a")].copy())
    assert [(s["where"], s["columns"], s["rows"]) for s in sels] == [([], None, None)]


def test_length_reads_which_rows_not_their_values(tmp_path):
    sel, = recorded(tmp_path, lambda t: len(t[t["kind"] == "x"]))
    assert sel["columns"] == [] and sel["rows"] == ["a", "c"]
    assert not covers(sel, row("a", "MLI", name="A"), row("a", "MLI", name="B"))
    assert covers(sel, None, row("d", "GHA", kind="x"))
    assert covers(sel, row("a", "MLI", kind="x"), row("a", "MLI", kind="y"))


def test_whole_column_reads_cover_every_row_of_that_column(tmp_path):
    sels = recorded(tmp_path, lambda t: dict(zip(t["id"], t["name"])))
    assert [(s["where"], s["columns"]) for s in sels] == [([], ["id", "name"])]  # merged
    assert covers(sels[0], None, row("d", "GHA"))
    assert not covers(sels[0], row("a", "MLI", kind="x"), row("a", "MLI", kind="y"))


def test_only_the_recording_process_own_reads_count_and_a_cache_replays_its_reads(tmp_path):
    t = table(ROWS)
    t[t["id"] == "b"].copy()  # no recording file: not kept
    with recording.noting() as notes:  # a cache being filled
        t[t["id"] == "c"]["name"].tolist()
    path = tmp_path / "reads.jsonl"
    with recording.recording_to(path):
        recording.replay(notes)  # the cache serves its value again
    mine = [(s["where"], s["columns"]) for s in recording.read_recording(path)
            if s["table"] == t._psw.table]
    assert mine == [([["eq", "id", "c"]], ["name"])]


def test_a_cache_filled_inside_another_leaves_the_outer_one_noting(tmp_path):
    """A derivation that asks for another (a briefing's records, their engagements) notes its
    reads in both; when the inner block ends the outer one goes on noting, even while the two
    hold equal notes (both empty here)."""
    t = table(ROWS)
    with recording.noting() as outer:
        with recording.noting() as inner:
            pass
        t[t["id"] == "a"]["name"].tolist()
    assert inner == [] and outer


def test_a_cached_value_keeps_only_the_reads_a_replay_records(tmp_path):
    """A derived value's reads are kept once per selection and columns (a row loop reads the
    same column by the hundred): its hit, in a new recording, records what its fill recorded."""
    t = table(ROWS)
    owner = type("Data", (), {})()  # derived keeps values per object, as per dataset

    def make(_ds):
        chosen = t[t["place"] == "MLI"]
        for _ in range(100):
            chosen["name"].tolist()
        return t[t["kind"] == "x"]["id"].tolist()

    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    with recording.recording_to(first):
        assert recording.derived(owner, "test.first-reads", make) == ["a", "c"]
    _, _, notes = recording._derived[(id(owner), "test.first-reads")]
    assert len(notes) < 10
    with recording.recording_to(again):
        assert recording.derived(owner, "test.first-reads", make) == ["a", "c"]
    assert recording.read_recording(again) == recording.read_recording(first)
    assert {tuple(map(tuple, s["where"])) for s in recording.read_recording(first)} == {
        (("eq", "place", "MLI"),), (("eq", "kind", "x"),)}


@pytest.mark.parametrize("line", ['{"table": 3}', "not json", '{"table": "t", "where": [["zz"]],'
                                  ' "columns": null}'])
def test_a_recording_that_cannot_be_read_is_refused(tmp_path, line):
    path = tmp_path / "reads.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(recording.RecordingProblem):
        recording.read_recording(path)


class _Schema:
    def __init__(self, tables):
        self.tables = tables


class _Table:
    def __init__(self, name, keys=("id",)):
        self.name, self.primary_key = name, list(keys)
        self.fields = [type("F", (), {"name": c, "type": "string", "enum": None})()
                       for c in ("id", "place", "kind", "name")]


class _Dataset:
    def __init__(self, rows, keys=("id",)):
        self.schema = _Schema({"t": _Table("t", keys)})
        self.frames = {"t": pd.DataFrame(rows, columns=["id", "place", "kind", "name"])
                       .astype("string")}


def state(rows, keys=("id",)):
    return recording.data_state(_Dataset(rows, keys))


def test_the_data_is_diffed_row_by_row_by_primary_key():
    old = state(ROWS)
    new = state([("a", "MLI", "x", "Alpha!"), ("c", None, "x", "Gamma"), ("d", "GHA", "y", "D")])
    changes, problem = diff(old, new)
    assert problem is None
    assert sorted(c.describe() for c in changes) == [
        "t row a changed", "t row b removed", "t row d added"]
    moved, _ = diff(old, state([ROWS[1], ROWS[0], ROWS[2]]))
    assert {c.kind for c in moved} == {"moved"}
    elsewhere = {"table": "u", "where": [], "columns": None}
    assert not any(recording.covers_change(elsewhere, c) for c in changes)


def test_rows_that_cannot_be_keyed_or_compared_say_why():
    assert "repeats the key 'a'" in diff(state(ROWS), state(ROWS + [ROWS[0]]))[1]
    other = state(ROWS)
    other.tables["u"] = other.tables["t"]
    assert diff(state(ROWS), other)[1] == "table u is new since the last build"
    changed = state(ROWS)
    changed.tables["t"].schema = "other"
    assert diff(state(ROWS), changed)[1] == "the schema of table t changed"
    again = recording.DataState.from_json(state(ROWS).to_json())
    assert diff(state(ROWS), again) == ([], None)
    damaged = state(ROWS).to_json()
    damaged["tables"]["t"]["values"]["a"][3] = "edited by hand"
    with pytest.raises(recording.RecordingProblem):
        recording.DataState.from_json(damaged)


def test_the_digest_of_what_was_read_changes_exactly_when_a_change_is_covered():
    """Property: for random selections and random single-row changes, the digest a page's
    stamp names differs exactly when some selection covers the change (seed printed)."""
    seed = 23
    rng = random.Random(seed)
    values = {"place": ["MLI", "NER", "GHA", None], "kind": ["x", "y", None],
              "name": ["A", "B", "C"]}
    for trial in range(300):
        rows = [(f"r{i}", rng.choice(values["place"]), rng.choice(values["kind"]),
                 rng.choice(values["name"])) for i in range(rng.randint(0, 5))]
        before = state(rows)
        after_rows = list(rows)
        action = rng.choice(["add", "remove", "edit"]) if rows else "add"
        if action == "add":
            after_rows.insert(rng.randint(0, len(rows)), (f"n{trial}", rng.choice(values["place"]),
                                                         rng.choice(values["kind"]), "A"))
        else:
            i = rng.randrange(len(rows))
            if action == "remove":
                del after_rows[i]
            else:
                column = rng.choice(["place", "kind", "name"])
                r = list(after_rows[i])
                r[["id", "place", "kind", "name"].index(column)] = rng.choice(values[column])
                after_rows[i] = tuple(r)
        after = state(after_rows)
        where = rng.choice([[], [["in", "place", ["MLI", "GHA"]]], [["eq", "kind", "x"]],
                            [["not", ["isna", "place"]]],
                            [["or", [["eq", "kind", "y"], ["in", "place", ["NER"]]]]]])
        columns = rng.choice([None, [], ["name"], ["kind", "place"]])
        sel = {"table": "t", "where": where, "columns": columns}
        changes, problem = diff(before, after)
        assert problem is None
        covered = any(recording.covers_change(sel, c) for c in changes)
        same = reads_digest([sel], before) == reads_digest([sel], after)
        assert covered != same, f"seed {seed}, trial {trial}: {sel} {rows} -> {after_rows}"


def test_the_digest_looks_only_at_the_rows_a_selection_may_choose_and_equals_a_full_scan():
    """The digest narrows a table to the rows whose value meets an ``eq`` or ``in`` of text
    (or is missing) before checking each row; property: for random selections over rows of
    text, numbers, booleans and missing values, it equals the digest of checking every row
    (seed printed)."""
    import hashlib

    def full_scan(selections, data):
        digest = hashlib.sha256()
        for sel in sorted(selections, key=recording.selection_key):
            digest.update(recording.selection_key(sel).encode("utf-8") + b"\n")
            t = data.tables.get(sel["table"])
            if t is None:
                digest.update(b"\0absent\n")
                continue
            for key in t.order:
                r = t.row(key)
                if recording.selects(sel, r):
                    values = r if sel["columns"] is None else {c: r.get(c) for c in sel["columns"]}
                    digest.update(json.dumps([key, values], sort_keys=True, ensure_ascii=False)
                                  .encode("utf-8") + b"\n")
        return digest.hexdigest()

    seed = 31
    rng = random.Random(seed)
    pool = ["MLI", "NER", "1", 1, 1.0, True, 0, None, "x"]
    conditions = [["eq", "place", "MLI"], ["eq", "place", 1], ["in", "place", ["NER", "1"]],
                  ["in", "place", [1, "MLI"]], ["in", "kind", []], ["eq", "kind", "x"],
                  ["eq", "absent", "MLI"], ["isna", "place"], ["not", ["eq", "kind", "x"]],
                  ["or", [["eq", "kind", "x"], ["in", "place", ["NER"]]]]]
    for trial in range(200):
        order = [f"r{i}" for i in range(rng.randint(0, 8))]
        values = {k: [k, rng.choice(pool), rng.choice(pool)] for k in order}
        data = recording.DataState({"t": recording.TableState(["id", "place", "kind"], ["id"],
                                                              "s", order, values)})
        selections = [{"table": rng.choice(["t", "t", "gone"]),
                       "where": rng.sample(conditions, rng.randint(0, 2)),
                       "columns": rng.choice([None, [], ["kind"]])}
                      for _ in range(rng.randint(1, 3))]
        expected = full_scan(selections, data)
        assert reads_digest(selections, data) == expected, f"seed {seed}, trial {trial}"
        assert reads_digest(selections, data) == expected, f"seed {seed}, trial {trial} (again)"


def test_a_condition_widened_in_place_keeps_both_conditions(tmp_path):
    """``keep |= other`` (as queries.initiatives widens an all-False start) records the widened
    condition, not the first one alone: a row added later that meets the second is covered,
    and so is an edit of a column read of a row chosen by it."""
    def read(t):
        keep = t["name"].isna() & t["name"].notna()  # all False
        keep |= t["kind"].isin(["x"]).astype(bool)
        narrow = t["id"] == "a"
        narrow &= t["kind"] == "x"
        return t[keep].copy(), t[narrow]["name"].tolist()
    sels = {json.dumps(s["where"]): s for s in recorded(tmp_path, read)}
    widened = next(s for k, s in sels.items() if '"or"' in k)
    assert widened["rows"] == ["a", "c"] and widened["columns"] is None
    assert covers(widened, None, row("d", "GHA", kind="x"))          # a matching row added
    assert covers(widened, row("a", "MLI"), row("a", "MLI", name="Edited"))
    narrowed = next(s for k, s in sels.items() if k.startswith('[["and", [["eq", "id"'))
    assert narrowed["rows"] == ["a"] and not covers(narrowed, None, row("d", "GHA", kind="x"))


def test_a_checked_set_served_from_the_cache_keeps_the_parameters_order(tmp_path, monkeypatch):
    """The injected parameters cell follows the checked parameters' order: a build served from
    the checked sets' cache must inject them as the build that filled it did (else the second
    build of the same data differs from the first)."""
    from analysis.builder.briefing_set import cached_checked_set

    monkeypatch.setenv("PSW_CACHE_DIR", str(tmp_path))
    declared = {"region": "World", "include_context": True}  # not sorted
    first = cached_checked_set(None, "k", lambda b: dict(declared))
    again = cached_checked_set(None, "k", lambda b: pytest.fail("not served from the cache"))
    assert [list(b.parameters) for b in again.briefings] == \
        [list(b.parameters) for b in first.briefings] == [list(declared)] * len(first.briefings)


def test_the_sections_order_read_from_its_file_is_recorded(tmp_path):
    """Citations are sorted in the sections' order, read from sections.csv rather than through
    the dataset: that read is recorded, so that reordering or renaming sections rebuilds."""
    from analysis.data.locators import paragraph_locators

    path = tmp_path / "reads.jsonl"
    with recording.recording_to(path):
        assert paragraph_locators(["crisis/2, crisis/1"]) == ["crisis/1", "crisis/2"]
    sel, = [s for s in recording.read_recording(path) if s["table"] == "sections"]
    assert sel["where"] == [] and sel["columns"] == ["number", "section_id", "title"]
    moved = {"section_id": "crisis", "title": "Crisis", "number": 3}
    assert covers(sel, moved, {**moved, "number": 4})
    assert covers(sel, None, {**moved, "section_id": "new"})


def test_values_made_before_a_briefing_runs_record_the_reads_it_would_make_itself(tmp_path):
    """The builder makes what every briefing derives from the data before forking the
    briefings' processes (analysis.model.shared.precompute); a briefing served from those
    values records the same selections as one that makes them itself."""
    from analysis import briefings, load
    from analysis.model.shared import precompute

    ds = load()

    def reads(name):
        path = tmp_path / f"{name}.jsonl"
        with recording.recording_to(path):
            brief = briefings.open_briefing("country", country="Lesotho", ds=ds)
            brief.header()
            brief.overview()
        return sorted(json.dumps(s, sort_keys=True) for s in recording.read_recording(path))

    recording._derived.clear()
    made_here = reads("made-here")
    recording._derived.clear()
    precompute(ds)
    made_before = reads("made-before")
    assert {json.loads(s)["table"] for s in made_here} >= {"countries", "places"}
    assert made_before == made_here

"""`briefings validate`: the project data is clean, and each kind of damage is named precisely.

Damage is done to a copy of the project's data folder: a damaged row is appended (so the test holds
whatever rows the tables already have) and the test asserts that the specific new problem appears,
naming file, row and column, with exit code 1 (2 for an unusable folder) and no traceback.
"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.data.paths import data_dir
from analysis.data.validate import Problem, format_problems, validate_folder


# --------------------------------------------------------------------------------------------
# helpers


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the project's data folder."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    return folder


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def fields_of(folder: Path, table: str) -> list[str]:
    # Through the schema: fields shared by a layer (layerFields: curation) are a table's too.
    from analysis.data.schema import load_schema

    return load_schema(folder).table(table).field_names


def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def append_row(folder: Path, table: str, **values: str) -> int:
    """Append a row (unnamed fields empty) to ``table``; return its data row number."""
    path = folder / f"{table}.csv"
    names = fields_of(folder, table)
    unknown = set(values) - set(names)
    assert not unknown, f"test bug: {table} has no field(s) {unknown}"
    raw = path.read_bytes()
    with path.open("a", encoding="utf-8", newline="") as handle:
        if raw and not raw.endswith(b"\n"):
            handle.write("\n")
        csv.writer(handle, lineterminator="\n").writerow([values.get(n, "") for n in names])
    return data_rows(path)


def damaged(capsys, folder: Path) -> str:
    """Validate ``folder`` through the CLI; expect exit 1 and return the problem listing."""
    code, out, err = run_cli(capsys, "--data", str(folder))
    assert code == 1, f"expected exit 1, got {code}\n{out}{err}"
    return err


# --------------------------------------------------------------------------------------------
# the project's own data


def test_project_data_is_valid(capsys):
    problems = validate_folder()
    assert not problems, "\n" + format_problems(problems)
    code, out, err = run_cli(capsys)
    assert code == 0 and out.strip().splitlines()[-1].startswith("ok:"), out + err
    assert err == ""


def test_validate_folder_defaults_to_project_data():
    assert validate_folder() == validate_folder(data_dir())


# --------------------------------------------------------------------------------------------
# problems and their listing


def test_format_problems_is_sorted_with_a_count_line():
    problems = [Problem("b.csv", 2, "x", "late"), Problem("a.csv", None, None, "file-level"),
                Problem("a.csv", 10, "y", "ten"), Problem("a.csv", 9, "z", "nine")]
    lines = format_problems(problems).splitlines()
    assert lines == ["a.csv:-:-: file-level", "a.csv:9:z: nine", "a.csv:10:y: ten", "b.csv:2:x: late",
                     "4 problems in 2 files"]


def test_problem_is_frozen():
    problem = Problem("a.csv", 1, "x", "m")
    with pytest.raises(AttributeError):
        problem.row = 2  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# cells


def test_wrong_type(capsys, data_copy):
    row = append_row(data_copy, "sections", section_id="zz-test", number="first", title="t", summary="s")
    err = damaged(capsys, data_copy)
    assert f"sections.csv:{row}:number: 'first' is not an integer" in err


def test_impossible_date(capsys, data_copy):
    row = append_row(data_copy, "events", event_id="zz-test", date_start="2017-02-30")
    err = damaged(capsys, data_copy)
    assert f"events.csv:{row}:date_start: '2017-02-30' is not a real date" in err


def test_a_date_the_loader_cannot_hold_is_refused(capsys, data_copy):
    """9999-12-31 is a real day, but not one the loader's dates can hold: validate said the data
    was fine, then list and build refused it and sent the user back to validate."""
    row = append_row(data_copy, "events", event_id="zz-test", date_start="9999-12-31")
    err = damaged(capsys, data_copy)
    assert f"events.csv:{row}:date_start: '9999-12-31' is a date outside 1677-09-22 to 2262-04-11" in err


def test_boolean_must_be_true_or_false(capsys, data_copy):
    row = append_row(data_copy, "partners", partner_id="zz-test", inferred="yes")
    err = damaged(capsys, data_copy)
    assert f"partners.csv:{row}:inferred: 'yes' is not a boolean (allowed: true, false)" in err


def test_required_empty(capsys, data_copy):
    row = append_row(data_copy, "sections", section_id="zz-test", number="99", summary="s")
    err = damaged(capsys, data_copy)
    assert f"sections.csv:{row}:title: required but empty" in err


def test_value_not_in_enum_lists_the_allowed_values(capsys, data_copy):
    row = append_row(data_copy, "places", place_id="zz-test", kind="planet")
    err = damaged(capsys, data_copy)
    line = next(l for l in err.splitlines() if l.startswith(f"places.csv:{row}:kind:"))
    assert "'planet' is not an allowed value; allowed: country, subnational area, region" in line


def test_pattern_and_minimum(capsys, data_copy):
    row = append_row(data_copy, "sections", section_id="Not A Slug", number="-1", title="t", summary="s")
    err = damaged(capsys, data_copy)
    assert f"sections.csv:{row}:section_id: 'Not A Slug' does not match the pattern" in err
    assert f"sections.csv:{row}:number: -1 is below the minimum 0" in err


def test_max_length(capsys, data_copy):
    row = append_row(data_copy, "partners", partner_id="zz-test", evidence="word " * 30)
    err = damaged(capsys, data_copy)
    assert f"partners.csv:{row}:evidence: is 150 characters long; at most 90 allowed" in err


# --------------------------------------------------------------------------------------------
# keys and the project's extras


def test_duplicate_primary_key(capsys, data_copy):
    first = append_row(data_copy, "sections", section_id="zz-test", number="98", title="t", summary="s")
    second = append_row(data_copy, "sections", section_id="zz-test", number="99", title="t", summary="s")
    err = damaged(capsys, data_copy)
    assert f"sections.csv:{second}:section_id: duplicate primary key 'zz-test': already in row {first}" in err


def test_duplicate_composite_primary_key(capsys, data_copy):
    first = append_row(data_copy, "office_coverage", office_id="zz-office", iso3="ZZZ", source_id="zz")
    second = append_row(data_copy, "office_coverage", office_id="zz-office", iso3="ZZZ", source_id="zz")
    err = damaged(capsys, data_copy)
    assert (f"office_coverage.csv:{second}:office_id,iso3: duplicate primary key ('zz-office', 'ZZZ'): "
            f"already in row {first}") in err


def test_dangling_foreign_key(capsys, data_copy):
    row = append_row(data_copy, "engagements", engagement_id="zz-test", operation_id="NO-SUCH-OP")
    err = damaged(capsys, data_copy)
    assert (f"engagements.csv:{row}:operation_id: no row of operations.csv has operation_id 'NO-SUCH-OP' "
            "(foreign key to operations)") in err


def test_dangling_self_reference(capsys, data_copy):
    row = append_row(data_copy, "figures", figure_id="zz-test", target_figure_id="zz-no-such-figure")
    err = damaged(capsys, data_copy)
    assert f"figures.csv:{row}:target_figure_id: no row of figures.csv has figure_id 'zz-no-such-figure'" in err


def test_exactly_one_of_broken(capsys, data_copy):
    none_set = append_row(data_copy, "engagements", engagement_id="zz-none")
    two_set = append_row(data_copy, "engagements", engagement_id="zz-two", operation_id="A", partner_id="b")
    err = damaged(capsys, data_copy)
    where = "operation_id,office_id,partner_id"
    assert (f"engagements.csv:{none_set}:{where}: exactly one of operation_id, office_id, partner_id "
            "must be set; found none") in err
    assert f"engagements.csv:{two_set}:{where}: exactly one of" in err
    assert "found operation_id, partner_id" in err


def test_polymorphic_key_dangling(capsys, data_copy):
    row = append_row(data_copy, "mentions", paragraph="wps/1", entity_table="partners",
                     entity_id="zz-no-such-partner", evidence="x", inferred="false")
    err = damaged(capsys, data_copy)
    assert (f"mentions.csv:{row}:entity_id: no row of partners.csv has partner_id 'zz-no-such-partner' "
            "(the table named by entity_table)") in err


def test_inferred_without_note(capsys, data_copy):
    row = append_row(data_copy, "partners", partner_id="zz-test", inferred="true")
    err = damaged(capsys, data_copy)
    assert f"partners.csv:{row}:inference_note: the row is inferred" in err


def test_bad_locator(capsys, data_copy):
    bad_form = append_row(data_copy, "partners", partner_id="zz-form", paragraph="good offices, para 1")
    unknown = append_row(data_copy, "partners", partner_id="zz-unknown", paragraph="good-offices/99")
    err = damaged(capsys, data_copy)
    assert (f"partners.csv:{bad_form}:paragraph: 'good offices, para 1' is not a paragraph locator "
            "(expected <section>/<n>") in err
    assert f"partners.csv:{unknown}:paragraph: no row of paragraphs.csv has paragraph_id 'good-offices/99'" in err
    # a malformed locator is reported once, not again as a dangling key
    assert sum(f"partners.csv:{bad_form}:paragraph:" in line for line in err.splitlines()) == 1


def test_evidence_not_in_the_paragraph(capsys, data_copy, seed_paragraphs):
    row = append_row(data_copy, "partners", partner_id="zz-test", paragraph="good-offices/1",
                     evidence="a phrase the chapter never uses", inferred="false")
    err = damaged(capsys, data_copy)
    assert f"partners.csv:{row}:evidence: 'a phrase the chapter never uses' does not occur in paragraph good-offices/1" in err


def test_locator_missing_from_the_chapter(capsys, data_copy, seed_paragraphs):
    row = append_row(data_copy, "paragraphs", paragraph_id="crisis/99", section_id="crisis", number="99",
                     position="99", word_count="1", summary="s")
    err = damaged(capsys, data_copy)
    assert f"paragraphs.csv:{row}:paragraph_id: 'crisis/99' is not a paragraph of the chapter" in err


def test_without_the_seed_a_note_and_no_evidence_check(capsys, data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("PSW_SEED_DIR", str(tmp_path / "no-seed-here"))
    row = append_row(data_copy, "partners", partner_id="zz-test", paragraph="good-offices/1",
                     evidence="a phrase the chapter never uses")
    code, out, err = run_cli(capsys, "--data", str(data_copy))
    assert out.count("note: the chapter's text is not at") == 1
    assert f"partners.csv:{row}:evidence:" not in err


# --------------------------------------------------------------------------------------------
# malformed files


def test_wrong_field_count(capsys, data_copy):
    path = data_copy / "sections.csv"
    width = len(fields_of(data_copy, "sections"))
    row = data_rows(path) + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write("zz-test,1\n")
    err = damaged(capsys, data_copy)
    assert f"sections.csv:{row}:-: has 2 fields, the header has {width}" in err


def test_bad_encoding(capsys, data_copy):
    path = data_copy / "themes.csv"
    size = len(path.read_bytes())
    with path.open("ab") as handle:
        handle.write("zz-test,Défense,x,,wps/1,x,false,\n".encode("latin-1"))
    err = damaged(capsys, data_copy)
    offset = size + len("zz-test,D")
    assert f"themes.csv:-:-: not valid UTF-8: byte 0xe9 at offset {offset}" in err


def test_unbalanced_quote(capsys, data_copy):
    with (data_copy / "sections.csv").open("a", encoding="utf-8") as handle:
        handle.write('zz-test,1,"open quote,s\n')
    err = damaged(capsys, data_copy)
    assert "sections.csv:" in err and "unparseable CSV" in err


def test_missing_file(capsys, data_copy):
    (data_copy / "offices.csv").unlink()
    err = damaged(capsys, data_copy)
    assert "offices.csv:-:-: missing: table 'offices' is declared in datapackage.json" in err
    # keys into the missing table are not reported as dangling
    assert "no row of offices.csv" not in err


def test_empty_file(capsys, data_copy):
    (data_copy / "partners.csv").write_bytes(b"")
    err = damaged(capsys, data_copy)
    assert "partners.csv:-:-: empty: no header row" in err


def test_header_mismatch(capsys, data_copy):
    path = data_copy / "places.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    names = lines[0].rstrip("\n").split(",")
    lines[0] = ",".join([n for n in names if n != "kind"] + ["colour"]) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    err = damaged(capsys, data_copy)
    assert "places.csv:-:kind: header lacks this column declared in the schema" in err
    assert "places.csv:-:colour: header has column 'colour', which the schema does not declare" in err


def test_header_in_the_wrong_order(capsys, data_copy):
    path = data_copy / "sources.csv"
    text = path.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    names = header.split(",")
    names[0], names[1] = names[1], names[0]
    path.write_text(",".join(names) + "\n" + rest, encoding="utf-8")
    err = damaged(capsys, data_copy)
    assert "sources.csv:-:-: header has the columns in the wrong order: expected source_id,title," in err


def test_undeclared_csv(capsys, data_copy):
    (data_copy / "stray.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    err = damaged(capsys, data_copy)
    assert "stray.csv:-:-: not declared as a resource in datapackage.json" in err


@pytest.mark.parametrize("text, message", [
    ('{"resources": [', "datapackage.json:-:-: not valid JSON:"),
    ("[]", "datapackage.json:-:-: the descriptor must be a JSON object"),
    ('{"name": "x"}', "datapackage.json:-:-: 'resources' is missing"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {}}]}', "resource 't': 'schema.fields' is missing"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a", "type": "colour"}]}}]}',
     "field 'a' has type 'colour'; allowed: string, integer"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a"}], "primaryKey": "b"}}]}',
     "resource 't': primaryKey names unknown field(s) 'b'"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a", "type": "date", '
     '"constraints": {"minimum": "soon"}}]}}]}', "field 'a': 'minimum' must be a date YYYY-MM-DD, found 'soon'"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a"}], "foreignKeys": '
     '[{"fields": "a", "reference": {"resource": "u", "fields": "a"}}]}}]}',
     "resource 't': foreign key refers to unknown resource 'u'"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a", '
     '"constraints": {"maximum": 3, "pattern": "(("}}]}}]}',
     "field 'a': 'maximum' applies to numbers and dates only"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a", '
     '"constraints": {"pattern": "(("}}]}}]}', "field 'a': 'pattern' must be a regular expression, found '(('"),
    ('{"resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a"}, {"name": "a"}]}}]}',
     "resource 't': field 'a' is declared twice"),
])
def test_malformed_descriptor(capsys, data_copy, text, message):
    (data_copy / "datapackage.json").write_text(text, encoding="utf-8")
    err = damaged(capsys, data_copy)
    assert message in err


def test_a_folder_without_a_descriptor_is_no_data_package(capsys, data_copy):
    """One clear line, exit 2: the folder is not a data package (issue 20), not a problem list."""
    (data_copy / "datapackage.json").unlink()
    code, out, err = run_cli(capsys, "--data", str(data_copy))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "is not a data package: it holds no datapackage.json" in err
    assert ":-:-:" not in err


def test_every_problem_is_collected(capsys, data_copy):
    (data_copy / "partners.csv").write_bytes(b"")
    row = append_row(data_copy, "sections", section_id="zz-test", number="first", title="t", summary="s")
    err = damaged(capsys, data_copy)
    assert "partners.csv:-:-: empty" in err and f"sections.csv:{row}:number:" in err


# --------------------------------------------------------------------------------------------
# the folder itself


def test_folder_that_does_not_exist(capsys, tmp_path):
    code, out, err = run_cli(capsys, "--data", str(tmp_path / "nowhere"))
    assert code == 2
    assert "no such folder" in err and "nowhere" in err


def test_folder_that_is_a_file(capsys, tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("x", encoding="utf-8")
    code, out, err = run_cli(capsys, "--data", str(path))
    assert code == 2 and "not a folder" in err


# --------------------------------------------------------------------------------------------
# a small package that uses every rule: clean as given, and exactly one problem per damage

MINI = Path(__file__).parent / "fixtures" / "validate" / "mini"


def test_small_package_with_every_rule_is_clean():
    assert validate_folder(MINI) == []


@pytest.mark.parametrize("file, old, new, expected", [
    ("items.csv", "a,small,0,0.25,true", "a,small,0.5,0.25,true",
     "items.csv:1:count: '0.5' is not an integer (expected digits, e.g. 42)"),
    ("items.csv", "b,large,1000,", "b,large,1001,", "items.csv:2:count: 1001 is above the maximum 1000"),
    ("items.csv", "2000-01-01", "1999-12-31", "items.csv:2:day: 1999-12-31 is below the minimum 2000-01-01"),
    ("items.csv", ",1999,", ",99,", "items.csv:2:year: '99' is not a year (expected four digits, e.g. 2017)"),
    ("items.csv", "0.25", "1/4", "items.csv:1:share: '1/4' is not a number (expected e.g. 12 or 3.5)"),
    ("items.csv", "c,,,,false", "c,medium,,,false",
     "items.csv:3:size: 'medium' is not an allowed value; allowed: small, large"),
    ("items.csv", "c,,,,false,,,,a,", "c,,,,false,,,,zz,",
     "items.csv:3:parent_id: no row of items.csv has item_id 'zz' (foreign key to items)"),
    ("items.csv", "c,,,,false", "b,,,,false", "items.csv:3:item_id: duplicate primary key 'b': already in row 2"),
    ("kinds.csv", "First kind", "x" * 41, "kinds.csv:1:label: is 41 characters long; at most 40 allowed"),
    ("links.csv", "l1,2,", "l1,1,", "links.csv:2:link_id,position: duplicate primary key ('l1', '1'): already in row 1"),
    ("links.csv", "l1,2,,b,", "l1,2,beta,b,", "links.csv:2:kind_id,item_id: exactly one of kind_id, item_id "
                                               "must be set; found kind_id, item_id"),
    ("links.csv", "kinds,beta", "kinds,gamma",
     "links.csv:2:target_id: no row of kinds.csv has kind_id 'gamma' (the table named by target_table)"),
    ("links.csv", "true,implied by the item's kind", "true,",
     "links.csv:2:inference_note: the row is inferred (inferred is true) but gives no inference_note"),
    ("links.csv", "l1,1,alpha", "l1,1,alpha,extra", "links.csv:1:-: has 9 fields, the header has 8 (line 2)"),
])
def test_small_package_damage_gives_exactly_that_problem(tmp_path, file, old, new, expected):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, "test bug: the text to damage must occur once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert [str(p) for p in validate_folder(folder)] == [expected]


def test_a_broken_table_does_not_cascade_into_dangling_keys(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "kinds.csv").write_bytes("kind_id,label\nalpha,Premi\xe8re\n".encode("latin-1"))
    problems = [str(p) for p in validate_folder(folder)]
    assert problems == ["kinds.csv:-:-: not valid UTF-8: byte 0xe8 at offset 25 (line 2); save the file as UTF-8"]

"""`briefings export DIR`: every table plus the descriptor, atomic, refusing to overwrite."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.cli import main
from analysis.data.export import format_cell, export
from analysis.data.paths import data_dir
from analysis.errors import UsageError
from analysis.data.validate import format_problems, validate_folder

MINI = Path(__file__).parent / "fixtures" / "validate" / "mini"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["export", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """The project data exported once through the CLI entry point."""
    folder = tmp_path_factory.mktemp("export") / "out"
    assert main(["export", str(folder)]) == 0
    return folder


def test_export_writes_every_table_and_the_descriptor(exported):
    schema = analysis.load_schema()
    expected = {t.path for t in schema.tables.values()} | {"datapackage.json"}
    assert {p.name for p in exported.iterdir()} == expected
    assert json.loads((exported / "datapackage.json").read_text(encoding="utf-8")) == schema.descriptor
    for table in schema.tables.values():
        with (exported / table.path).open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == table.field_names


def test_export_round_trips(exported):
    original, again = analysis.load(), analysis.load(exported)
    assert again is not original
    assert again.table_names == original.table_names
    for name in original.table_names:
        pd.testing.assert_frame_equal(again[name], original[name], obj=name)


def test_export_validates_like_the_project_data(exported):
    source = validate_folder(data_dir())
    assert source == [], format_problems(source)
    assert validate_folder(exported) == []


def test_small_package_with_every_type_round_trips_and_validates(tmp_path):
    """Strings with commas, quotes, line breaks and non-ASCII, every type and missing values."""
    written = export(tmp_path / "out", source=MINI)
    assert sorted(p.name for p in written) == ["datapackage.json", "items.csv", "kinds.csv", "links.csv"]
    assert validate_folder(tmp_path / "out") == []
    original, again = analysis.load(MINI), analysis.load(tmp_path / "out")
    for name in original.table_names:
        pd.testing.assert_frame_equal(again[name], original[name], obj=name)
    # the fixture is written canonically, so the export reproduces it byte for byte
    for name in ("items.csv", "kinds.csv", "links.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (MINI / name).read_bytes(), name


def test_no_temporary_folder_is_left_behind(exported):
    assert [p.name for p in exported.parent.iterdir()] == ["out"]


def test_refuses_to_overwrite_without_force(capsys, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "places.csv").write_text("ours\n", encoding="utf-8")
    (target / "notes.txt").write_text("keep\n", encoding="utf-8")
    before = snapshot(target)
    code, out, err = run_cli(capsys, str(target))
    assert code == 2
    assert "places.csv" in err and "--force" in err
    assert snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_force_overwrites_and_leaves_other_files(capsys, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "places.csv").write_text("ours\n", encoding="utf-8")
    (target / "notes.txt").write_text("keep\n", encoding="utf-8")
    code, out, err = run_cli(capsys, str(target), "--force")
    assert code == 0, err
    assert "wrote" in out
    assert (target / "places.csv").read_text(encoding="utf-8") != "ours\n"
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep\n"
    with (target / "places.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == analysis.load_schema().table("places").field_names


def test_target_is_a_file(capsys, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    code, out, err = run_cli(capsys, str(target))
    assert code == 2
    assert "is a file" in err
    assert target.read_text(encoding="utf-8") == "x"


def test_export_function_returns_the_paths_written(tmp_path):
    written = export(tmp_path / "out")
    assert written[-1].name == "datapackage.json"
    assert all(p.is_file() and p.parent == tmp_path / "out" for p in written)
    with pytest.raises(UsageError, match="already holds"):
        export(tmp_path / "out")


@pytest.mark.parametrize("value, ftype, text", [
    (True, "boolean", "true"), (False, "boolean", "false"), (pd.NA, "boolean", ""),
    (2017, "year", "2017"), (7, "integer", "7"), (pd.NA, "integer", ""),
    (40.0, "number", "40"), (2.5, "number", "2.5"), (float("nan"), "number", ""),
    (pd.Timestamp("2017-04-05"), "date", "2017-04-05"), (pd.NaT, "date", ""),
    ("Côte d’Ivoire, \"quoted\"", "string", "Côte d’Ivoire, \"quoted\""), (pd.NA, "string", ""),
])
def test_cells_are_written_canonically(value, ftype, text):
    assert format_cell(value, ftype) == text

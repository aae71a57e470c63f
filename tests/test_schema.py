"""The schema declaration (data/datapackage.json), the CSV files and the loaded frames agree."""
from __future__ import annotations

import csv
import subprocess
import sys

import pandas as pd
import pytest

import analysis
from analysis.data.paths import data_dir
from analysis.data.schema import load_schema

SCHEMA = load_schema()
TABLES = list(SCHEMA.tables.values())
TABLE_IDS = [t.name for t in TABLES]
FIELDS = [(t, f) for t in TABLES for f in t.fields]


def header(path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


# --------------------------------------------------------------------------------------------
# schema <-> files


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_every_resource_has_its_csv_with_the_declared_header(table):
    path = data_dir() / table.path
    assert path.is_file(), f"{table.name}: {path} is missing"
    assert header(path) == table.field_names, f"{table.path}: header differs from the schema's fields"


def test_no_csv_without_a_resource():
    declared = {t.path for t in TABLES}
    stray = sorted(p.name for p in data_dir().glob("*.csv") if p.name not in declared)
    assert not stray, f"CSV files not declared in datapackage.json: {stray}"


def test_resource_names_and_paths_are_unique():
    assert len({t.path for t in TABLES}) == len(TABLES)
    assert len(SCHEMA.descriptor["resources"]) == len(TABLES)


def test_every_table_and_field_is_described():
    undescribed = [t.name for t in TABLES if not t.description.strip()]
    undescribed += [f"{t.name}.{f.name}" for t, f in FIELDS if not f.description.strip()]
    assert not undescribed, f"no description: {undescribed}"


def test_layers_are_chapter_or_context():
    assert {t.layer for t in TABLES} <= {"chapter", "context"}


# --------------------------------------------------------------------------------------------
# keys name existing fields and resources


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_keys_name_existing_fields_and_resources(table):
    assert table.primary_key, f"{table.name} has no primary key"
    assert set(table.primary_key) <= set(table.field_names)
    for fk in table.foreign_keys:
        assert set(fk["fields"]) <= set(table.field_names), fk
        target = SCHEMA.table(fk["resource"])
        assert set(fk["reference_fields"]) <= set(target.field_names), fk
        assert len(fk["fields"]) == len(fk["reference_fields"]), fk
        # a foreign key points at a key of its target: the primary key or a unique field
        ref = tuple(fk["reference_fields"])
        unique = ref == target.primary_key or (
            len(ref) == 1 and (target.field(ref[0]).constraints or {}).get("unique"))
        assert unique, f"{table.name}.{fk['fields']} refers to {target.name}.{ref}, which is not unique"
    assert set(table.exactly_one_of) <= set(table.field_names)
    for poly in table.polymorphic_keys:
        assert {poly["tableField"], poly["field"]} <= set(table.field_names), poly
        named = table.field(poly["tableField"]).enum
        assert named, f"{table.name}.{poly['tableField']} should list the tables it may name"
        for target in named:
            assert len(SCHEMA.table(target).primary_key) == 1, target


@pytest.mark.parametrize("table", [t for t in TABLES if t.has_provenance], ids=lambda t: t.name)
def test_chapter_rows_carry_full_provenance(table):
    assert table.layer == "chapter"
    assert {"paragraph", "evidence", "inferred", "inference_note"} <= set(table.field_names)
    assert any(fk["fields"] == ("paragraph",) for fk in table.foreign_keys), \
        f"{table.name}.paragraph should be a foreign key to the paragraphs table"


# --------------------------------------------------------------------------------------------
# loaded dtypes follow the declared types


def expected_kind(field) -> str:
    if field.enum:
        return "category"
    return {"string": "string", "integer": "Int64", "year": "Int64", "number": "Float64",
            "boolean": "boolean", "date": "datetime"}[field.type]


def _dtype_problem(column, field) -> str | None:
    kind = expected_kind(field)
    if kind == "category":
        if not isinstance(column.dtype, pd.CategoricalDtype):
            return f"{column.dtype} is not categorical"
        if list(column.cat.categories) != list(field.enum):
            return f"categories {list(column.cat.categories)} != {list(field.enum)}"
    elif kind == "datetime":
        if not pd.api.types.is_datetime64_dtype(column.dtype):
            return f"{column.dtype} is not a datetime"
    elif column.dtype != pd.api.types.pandas_dtype(kind):
        return f"{column.dtype} != {kind}"
    return None


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_loaded_dtypes_match_the_declared_types(dataset, table):
    """Every field of the table (one case per table: a field-by-field case each cost the
    suite hundreds of test items for the same check)."""
    frame = dataset[table.name]
    problems = {f.name: _dtype_problem(frame[f.name], f) for f in table.fields}
    assert not {k: v for k, v in problems.items() if v}, table.name


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_loaded_columns_follow_the_schema(dataset, table):
    assert list(dataset[table.name].columns) == table.field_names


def test_load_is_cached():
    assert analysis.load() is analysis.load()


def test_tables_and_describe(dataset):
    overview = dataset.tables()
    assert list(overview["table"]) == TABLE_IDS
    for table in TABLES:
        described = dataset.describe(table.name)
        assert list(described["field"]) == table.field_names


# --------------------------------------------------------------------------------------------
# import stays light


def test_import_analysis_is_light():
    code = ("import sys, analysis, analysis.data.validate, analysis.data.export, analysis.cli\n"
            "analysis.cli.make_parser()\n"
            "heavy = [m for m in ('geopandas', 'matplotlib', 'pandas') if m in sys.modules]\n"
            "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"imported at `import analysis` / `briefings --help`: {result.stdout}"

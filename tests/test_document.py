"""The document is data: the chapter's symbol, year, title and sections come from the data
package, and curated and drafted rows say how far they were checked (``curation``)."""
from __future__ import annotations

import ast
import csv
import json
from pathlib import Path

import pytest

import analysis
from analysis.prose import text
from analysis.cli import main
from analysis.data.document import DEFAULT, chapter_document
from analysis.data.paths import PROJECT_DIR, data_dir
from analysis.data.schema import load_schema

CHAPTER_2018 = Path(__file__).parent / "fixtures" / "drafting" / "chapter-2018.txt"


@pytest.fixture(scope="session")
def drafted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("doc") / "data-2018"
    assert main(["draft", str(CHAPTER_2018), "--out", str(out), "--symbol", "A/73/1", "--year", "2018"]) == 0
    return out


def test_the_project_data_names_its_document():
    descriptor = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    doc = chapter_document(data_dir())
    assert descriptor["chapter"]["symbol"] == doc.symbol == "A/72/1"
    assert doc.citation == "A/72/1 II.B" and doc.year == 2017
    sources = {r["source_id"]: r for r in analysis.load().sources.to_dict("records")}
    assert sources[doc.source_id]["kind"] == "chapter"


def test_a_draft_cites_its_own_document(drafted):
    ds = analysis.load(drafted)
    assert chapter_document(drafted).citation == "A/73/1 II.B"
    assert text.cite(["mediation-envoys/2"], ds=ds) == "(A/73/1 II.B ¶ mediation-envoys/2)"
    assert text.cite(["crisis/2"], ds=analysis.load()) == "(A/72/1 II.B ¶ crisis/2)"


def test_a_notebook_shows_the_document_its_data_names_escaped(drafted):
    """Notebooks display the document (``document.for_dataset(ds)``) instead of naming it."""
    from analysis.data.document import for_dataset, from_descriptor

    shown = for_dataset(analysis.load(drafted))._repr_markdown_()
    assert "(A/73/1), 2018, chapter II.B" in shown and "A/72/1" not in shown
    assert "(A/72/1), 2017, chapter II.B: Maintenance of international peace and security." in \
        for_dataset(analysis.load())._repr_markdown_()
    hostile = from_descriptor({"chapter": {"symbol": "A/1", "year": 2019,
                                           "title": "<b>Peace</b> [x](javascript:alert(1)) *now*"}}
                              )._repr_markdown_()
    assert "<b>" not in hostile and "[x]" not in hostile and "*now*" not in hostile
    assert "&lt;b&gt;Peace&lt;/b&gt;" in hostile and hostile.endswith("&#42;now&#42;.")
    from analysis.data.document import ChapterProblem

    with pytest.raises(ChapterProblem, match="chapter.symbol"):  # a symbol is a symbol
        from_descriptor({"chapter": {"symbol": "A/1 [x](javascript:alert(1))"}})
    from IPython.lib.pretty import pretty

    assert pretty(for_dataset(analysis.load(drafted))).startswith("Source document: Report of")


def test_sections_come_from_the_sections_table(drafted):
    from analysis.data import seed

    headings, opening = seed.section_headings(drafted)
    assert opening == "caption"
    assert list(headings) == ["Preventing crises before they escalate", "Mediation and envoys", "Peace operations"]


def test_curation_is_declared_once_and_curated_rows_are_reviewed():
    descriptor = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in descriptor["layerFields"]["chapter"]] == ["curation"]
    assert not any(f["name"] == "curation" for r in descriptor["resources"] for f in r["schema"]["fields"])
    schema = load_schema()
    for table in schema.tables.values():
        has = "curation" in table.field_names
        assert has == (table.layer == "chapter"), table.name
        if has:
            with (data_dir() / table.path).open(encoding="utf-8", newline="") as handle:
                assert {r["curation"] for r in csv.DictReader(handle)} <= {"reviewed"}, table.name


def test_drafted_rows_are_drafts(drafted):
    for table in load_schema(drafted).tables.values():
        if table.layer == "chapter":
            with (drafted / table.path).open(encoding="utf-8", newline="") as handle:
                assert {r["curation"] for r in csv.DictReader(handle)} <= {"draft"}, table.name


def _string_constants(path: Path):
    """String literals of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_code_names_the_document_only_in_its_default():
    """A search of the code for the symbol finds the default (analysis/data/document.py), docs and tests."""
    found = []
    for path in sorted([*(PROJECT_DIR / "analysis").rglob("*.py"), *(PROJECT_DIR / "scripts").glob("*.py")]):
        if path == PROJECT_DIR / "analysis" / "data" / "document.py":
            continue
        found += [f"{path.relative_to(PROJECT_DIR)}:{line}" for line, value in _string_constants(path)
                  if DEFAULT.symbol in value]
    assert not found, f"the document's symbol is written in code: {found}"


def test_page_templates_do_not_name_the_document():
    """What a page prints comes from the data: its templates name no report (for notebooks, see
    ``test_no_notebook_text_names_the_document`` in test_notebook_hygiene.py)."""
    paths = [*(PROJECT_DIR / "analysis").rglob("*.j2"), *(PROJECT_DIR / "analysis").rglob("*.css")]
    found = [str(p.relative_to(PROJECT_DIR)) for p in paths if DEFAULT.symbol in p.read_text(encoding="utf-8")]
    assert not found, f"the document's symbol is written in: {found}"


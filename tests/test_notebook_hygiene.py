"""Committed notebooks stay reviewable and thin: no outputs, no logic, one parameters cell, and
the project's own kernel. (The one copy of these checks, for every notebook of the project.)"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from analysis.briefings.kernels import KERNEL_NAME
from analysis.data.paths import notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
BRIEFINGS = [p for p in NOTEBOOKS if p.parent.name == "briefings"]
#: Notebooks that take parameters (papermill or Voilà): the briefings and the explorer.
PARAMETERIZED = [*BRIEFINGS, notebooks_dir() / "explore.ipynb"]
IDS = [str(p.relative_to(notebooks_dir())) for p in NOTEBOOKS]


def _code(cell) -> str:
    # IPython magics and shell escapes are not Python; blank them before parsing.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())


def test_there_are_notebooks():
    assert BRIEFINGS, "no briefing notebooks under notebooks/briefings"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs_or_counts(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name} cell {index} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {index} has an execution count"
        assert "execution" not in cell.metadata, f"{path.name} cell {index} carries execution timestamps"
    assert "papermill" not in nb.metadata, f"{path.name} carries papermill run metadata"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_function_or_class_definitions(path: Path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(_code(cell))
        defined = [n for n in ast.walk(tree)
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
        assert not defined, f"{path.name} cell {index} defines logic; move it into the analysis module"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_names_the_projects_kernel(path: Path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL_NAME, \
        f"{path.name}: kernelspec should be {KERNEL_NAME!r} (the kernel `make install` installs)"


@pytest.mark.parametrize("path", PARAMETERIZED, ids=[p.name for p in PARAMETERIZED])
def test_one_parameters_cell_with_typed_commented_defaults(path: Path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'; exactly one expected"
    cell = tagged[0]
    assert cell.cell_type == "code"
    assignments = [line for line in cell.source.splitlines() if re.match(r"^\w+\s*[:=]", line)]
    assert assignments, f"{path.name}: the parameters cell declares nothing"
    for line in assignments:
        assert re.match(r"^\w+\s*:\s*\w+\s*=", line), f"{path.name}: no type annotation in {line!r}"
        assert "#" in line.split("=", 1)[1], f"{path.name}: no help comment in {line!r}"


@pytest.mark.parametrize("path", PARAMETERIZED, ids=[p.name for p in PARAMETERIZED])
def test_papermill_describes_every_parameter(path: Path):
    import papermill

    declared = papermill.inspect_notebook(str(path))
    assert declared
    for name, info in declared.items():
        assert info["help"].strip(), f"{path.name}: parameter {name} has no help"
        assert info["inferred_type_name"] not in (None, "None"), f"{path.name}: parameter {name} has no type"


def test_outputs_never_reach_a_commit():
    """`make install` makes nbstripout the git filter for notebooks, keeping their cell ids."""
    root = notebooks_dir().parent
    attributes = (root / ".gitattributes").read_text(encoding="utf-8")
    assert "*.ipynb filter=nbstripout" in attributes
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    assert 'filter.nbstripout.clean "$(BIN)/python -m nbstripout --keep-id"' in makefile


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_notebook_text_names_the_document(path: Path):
    """The document is data: a notebook shows it from ``data/datapackage.json`` (e.g.
    ``document.for_dataset(ds)``), so a dataset drafted for another chapter is not mislabelled."""
    from analysis.data.document import DEFAULT, chapter_document

    names = {doc.symbol for doc in (DEFAULT, chapter_document())}
    names |= {f"chapter {doc.part}" for doc in (DEFAULT, chapter_document()) if doc.part}
    titles = {doc.title.casefold() for doc in (DEFAULT, chapter_document()) if doc.title}
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        text = " ".join(cell.source.split())  # lines wrapped inside a name still match
        found = [n for n in names if n in text] + [t for t in titles if t in text.casefold()]
        assert not found, (f"{path.name} cell {index} ({cell.cell_type}) names the document ({found}); "
                           "display it from the data instead")

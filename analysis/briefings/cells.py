"""Keep each briefing notebook in step with its kind's declaration.

The declaration writes three things of the notebook: its ``parameters`` cell (one typed line per
parameter, with the default and help), the cell after it (which checks the values and opens the
briefing), and the kernel it names. :func:`problems` lists what differs; :func:`sync` rewrites
those cells. ``scripts/sync_parameters.py [--check]`` runs them, and the tests run
:func:`problems` on every kind. The section cells (``brief.header()``...) are the notebook
author's; :func:`problems` checks that they call the declared ``sections`` in order.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

from . import opening_cell, parameters_cell, registry

PARAMETERS_TAG = "parameters"


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(path: Path, notebook: dict) -> None:
    """Write a notebook as the project stores them (nbformat's layout, one-space indent)."""
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")


def section_calls(notebook: dict) -> list[str]:
    """The ``brief.<section>(...)`` calls of a notebook's code cells, in order."""
    calls = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            call = node.value if isinstance(node, ast.Expr) else None
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                    isinstance(call.func.value, ast.Name) and call.func.value.id == "brief":
                calls.append(call.func.attr)
    return calls


def problems(name: str) -> list[str]:
    """What in kind ``name``'s notebook is out of step with its declaration (empty when none)."""
    from .kernels import KERNEL_NAME

    kind = registry.kind(name)
    path = kind.notebook_path
    if not path.is_file():
        return [f"{name}: no notebook at {path}"]
    notebook = read(path)
    found = []
    tagged = [i for i, c in enumerate(notebook["cells"])
              if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        return [f"{path.name}: {len(tagged)} cells tagged {PARAMETERS_TAG!r}; expected exactly one"]
    index = tagged[0]
    if _source(notebook["cells"][index]).rstrip("\n") != parameters_cell(name):
        found.append(f"{path.name}: the parameters cell differs from the declaration of {name!r}")
    following = notebook["cells"][index + 1] if index + 1 < len(notebook["cells"]) else None
    if following is None or _source(following).rstrip("\n") != opening_cell(name):
        found.append(f"{path.name}: the cell after the parameters does not open the briefing "
                     f"as declared")
    kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != KERNEL_NAME:
        found.append(f"{path.name}: kernelspec {kernel!r}, expected {KERNEL_NAME!r}")
    calls = section_calls(notebook)
    if calls != list(kind.sections):
        found.append(f"{path.name}: the notebook shows sections {calls}, its declaration "
                     f"{list(kind.sections)}")
    return found


def sync(name: str) -> bool:
    """Rewrite kind ``name``'s parameters cell, opening cell and kernelspec from its declaration;
    True when the notebook changed."""
    from .kernels import KERNEL_DISPLAY_NAME, KERNEL_NAME

    path = registry.kind(name).notebook_path
    notebook = read(path)
    before = json.dumps(notebook, sort_keys=True)
    cells = notebook["cells"]
    index = next(i for i, c in enumerate(cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", []))
    cells[index]["source"] = _lines(parameters_cell(name))
    following = _source(cells[index + 1]) if index + 1 < len(cells) else ""
    if "open_briefing" in following or "check_parameters" in following:  # the old form too
        opening = cells[index + 1]
    else:
        opening = {"cell_type": "code", "execution_count": None, "id": f"{name}-open",
                   "metadata": {}, "outputs": [], "source": []}
        cells.insert(index + 1, opening)
    opening["source"] = _lines(opening_cell(name))
    spec = notebook.setdefault("metadata", {}).setdefault("kernelspec", {})
    spec.update({"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME, "language": "python"})
    if json.dumps(notebook, sort_keys=True) == before:
        return False
    write(path, notebook)
    return True

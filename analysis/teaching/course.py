"""The training course as it lies in ``notebooks/training/``: lessons, exercises, solution cells.

Conventions the lessons follow (and tests enforce):

- A lesson is ``NN-<slug>.ipynb``; the number orders the course.
- An exercise is a Markdown prompt, then a code cell tagged ``solution`` that only assigns
  ``answer_<lesson>_<exercise>`` names, then a code cell calling ``check.exercise_<lesson>_<n>(...)``.
- A Markdown cell tagged ``solution`` holds a model answer to a discussion question.
- The first code cell sets the lesson up (imports and ``ds = analysis.load()``); solution cells
  use nothing but what it defines and earlier answers.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import WorkbookError
from ..data.paths import notebooks_dir

SOLUTION_TAG = "solution"
ANSWER_TAG = "answer"
LESSON_FILE = re.compile(r"^(\d{2})-[a-z0-9-]+\.ipynb$")
ANSWER_NAME = re.compile(r"^answer_(\d+)_(\d+)$")
CHECK_CALL = re.compile(r"\bcheck\.exercise_(\d+)_(\d+)\(")


class CourseError(WorkbookError, ValueError):
    """A lesson breaks the course's conventions (named with the lesson and cell)."""


@dataclass(frozen=True)
class Lesson:
    number: int
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def title(self) -> str:
        """The lesson's first Markdown heading."""
        for cell in read_notebook(self.path).cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("#"):
                        return line.lstrip("#").strip()
        return self.path.stem


def training_dir() -> Path:
    """Folder holding the lesson notebooks."""
    return notebooks_dir() / "training"


def lessons(folder: Path | None = None) -> list[Lesson]:
    """The course's lessons in order."""
    folder = folder or training_dir()
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        match = LESSON_FILE.match(path.name)
        if match:
            found.append(Lesson(int(match.group(1)), path))
    return found


def read_notebook(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_solution(cell) -> bool:
    return SOLUTION_TAG in tags(cell)


def answer_names(cell, *, where: str = "") -> list[str]:
    """Names a solution code cell assigns; each must be an ``answer_<lesson>_<n>`` name."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as err:
        raise CourseError(f"{where}: solution cell does not parse ({err.msg})") from None
    names = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            raise CourseError(f"{where}: a solution cell may only assign answer_<lesson>_<n> names")
        for target in targets:
            if not isinstance(target, ast.Name) or not ANSWER_NAME.match(target.id):
                raise CourseError(f"{where}: a solution cell may only assign answer_<lesson>_<n> names")
            if target.id not in names:
                names.append(target.id)
    if not names:
        raise CourseError(f"{where}: a solution cell must assign an answer_<lesson>_<n> name")
    return names


def exercises(notebook) -> list[str]:
    """Exercise ids (``"1_2"``) in the order the notebook checks them."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and not is_solution(cell):
            for lesson, number in CHECK_CALL.findall(cell.source):
                ident = f"{int(lesson)}_{int(number)}"
                if ident not in found:
                    found.append(ident)
    return found

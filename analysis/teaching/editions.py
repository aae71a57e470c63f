"""Student and instructor editions of the course, written into a folder.

- **Student**: every cell tagged ``solution`` becomes a prompt (``# Your answer here`` and the
  answer names set to ``...``; the check call after it stays), outputs and execution counts are
  cleared and cell metadata is reduced to tags, so no solution survives anywhere in the file.
- **Instructor**: solutions kept, every lesson executed top to bottom in a fresh kernel, outputs
  shown.

Both carry the facilitator guide. Files are built in a temporary folder beside the target and
moved in only when every lesson succeeded; the bytes depend only on the lessons and the data.
"""
from __future__ import annotations

import copy
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import UsageError, WorkbookError
from ..briefings.kernels import KERNEL_DISPLAY_NAME, KERNEL_NAME
from ..data.paths import docs_dir
from .course import ANSWER_TAG, SOLUTION_TAG, Lesson, answer_names, is_solution, lessons, read_notebook, tags

GUIDE_NAME = "facilitator-guide.md"
STUDENT_PROMPT = "# Your answer here"
STUDENT_MARKDOWN_PROMPT = "*Your answer here.*"
KERNELSPEC = {"display_name": KERNEL_DISPLAY_NAME, "language": "python", "name": KERNEL_NAME}


def guide_path() -> Path:
    return docs_dir() / GUIDE_NAME


def _clean_metadata(keep_tags: list[str]) -> dict:
    """Cell metadata reduced to its tags (no timings, no papermill stamps, no UI state)."""
    return {"tags": keep_tags} if keep_tags else {}


def clean(notebook):
    """A copy without outputs, execution counts or metadata other than cell tags and the kernel."""
    nb = copy.deepcopy(notebook)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata = _clean_metadata(tags(cell))
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def student_notebook(notebook, *, lesson: str = "lesson"):
    """The student edition of one lesson: solutions replaced by prompts, nothing executed."""
    nb = clean(notebook)
    for index, cell in enumerate(nb.cells):
        if not is_solution(cell):
            continue
        others = [t for t in tags(cell) if t != SOLUTION_TAG]
        if cell.cell_type == "code":
            names = answer_names(cell, where=f"{lesson}, cell {index}")
            cell.source = "\n".join([STUDENT_PROMPT] + [f"{name} = ..." for name in names])
        else:
            cell.source = STUDENT_MARKDOWN_PROMPT
            cell.pop("attachments", None)
        cell.metadata = _clean_metadata(others + [ANSWER_TAG])
    return nb


def instructor_notebook(notebook, *, lesson: str = "lesson"):
    """The instructor edition of one lesson: solutions kept, executed top to bottom."""
    from .execute import execute

    nb = clean(notebook)
    for index, cell in enumerate(nb.cells):
        if is_solution(cell) and cell.cell_type == "code":
            answer_names(cell, where=f"{lesson}, cell {index}")
    execute(nb, lesson=lesson)
    for cell in nb.cells:  # keep only what the run shows: no timings or papermill stamps
        cell.metadata = _clean_metadata(tags(cell))
    nb.metadata = {"kernelspec": dict(KERNELSPEC),
                   "language_info": {k: v for k, v in nb.metadata.get("language_info", {}).items()
                                     if k in ("name", "file_extension", "mimetype")}}
    return nb


def select_lessons(numbers: list[int] | None) -> list[Lesson]:
    """The lessons asked for (all by default); UsageError naming the allowed numbers otherwise.

    A course folder without lessons is an error too (an installation missing its notebooks).
    """
    from .course import training_dir

    course = lessons()
    if not course:
        raise WorkbookError(f"no lessons found in {training_dir()}; the course notebooks are "
                            "missing from this installation")
    if not numbers:
        return course
    known = {lesson.number: lesson for lesson in course}
    unknown = [n for n in numbers if n not in known]
    if unknown:
        allowed = ", ".join(str(n) for n in known)
        raise UsageError(f"no lesson {', '.join(map(str, unknown))}; lessons: {allowed}")
    return [known[n] for n in sorted(set(numbers))]


def check_target(target: Path, *, force: bool) -> None:
    """Raise UsageError when the edition cannot go into ``target`` (a file, or not empty)."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder; give a folder for the course")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"{parent} is a file, so {target} cannot be created")
            break
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(f"{target} is not empty; choose an empty or new folder, or add --force "
                         "to overwrite the course files in it")


def _edition_file(lesson: Lesson, instructor: bool) -> tuple[str, str]:
    import nbformat

    source = read_notebook(lesson.path)
    nb = instructor_notebook(source, lesson=lesson.name) if instructor else \
        student_notebook(source, lesson=lesson.name)
    return lesson.name, nbformat.writes(nb) + "\n"


def write_edition(directory, *, instructor: bool = False, force: bool = False,
                  numbers: list[int] | None = None, jobs: int | None = None):
    """Write the student (or instructor) edition into ``directory``; return what was written
    (:class:`analysis.data.outputs.Written`: the files, and where the lessons it replaced went,
    ``<directory>/.replaced/<n>/``, so a learner's work is never lost).

    Raises UsageError for a bad target or lesson number before anything is written, and
    ``ExecutionFailure`` when an instructor lesson fails (nothing is written then either).
    """
    from ..data.outputs import check_target as check_output

    target = check_output(Path(directory), option="DIR")
    check_target(target, force=force)
    chosen = select_lessons(numbers)
    from ..builder.execute import remove_orphaned_temporaries

    remove_orphaned_temporaries()  # psw-lesson-* folders of a killed run
    guide = guide_path()
    if instructor and len(chosen) > 1:
        workers = max(1, min(jobs or os.cpu_count() or 2, len(chosen), 4))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            files = list(pool.map(lambda lesson: _edition_file(lesson, True), chosen))
    else:
        files = [_edition_file(lesson, instructor) for lesson in chosen]
    if guide.is_file():
        files.append((GUIDE_NAME, guide.read_text(encoding="utf-8")))

    from ..data.outputs import write_folder

    return write_folder(target, files, force=force, what="course", keep_replaced=True)

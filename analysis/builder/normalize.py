"""Make an executed notebook reproducible: the same inputs give the same bytes.

papermill stamps start and end times on the notebook and on every cell, nbclient may record
message timings, and the injected parameters cell gets a random id (nbconvert writes cell ids
into the HTML). Times are removed and ids derived from the cell's position.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.escaping import data_text

if TYPE_CHECKING:  # pragma: no cover
    from .tasks import Failure, Task

PAPERMILL_CLOCK_KEYS = ("start_time", "end_time", "duration")
INJECTED_TAG = "injected-parameters"
FAILURE_TAG = "briefing-build-failure"


def normalize(nb, task: "Task") -> None:
    """Strip clock times, pin cell ids, record paths relative to the project (in place)."""
    meta = nb.metadata.setdefault("papermill", {})
    for key in PAPERMILL_CLOCK_KEYS:
        meta.pop(key, None)
    meta["input_path"] = task.rel_path or meta.get("input_path")
    meta["output_path"] = f"{task.id}.ipynb"
    seen: set[str] = set()
    original = set(task.cell_ids)
    for index, cell in enumerate(nb.cells):
        pm = cell.metadata.get("papermill")
        if isinstance(pm, dict):
            for key in PAPERMILL_CLOCK_KEYS:
                pm.pop(key, None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags") or []
        cell_id = cell.get("id")
        if INJECTED_TAG in tags:
            cell_id = INJECTED_TAG
        elif not cell_id or cell_id not in original or cell_id in seen:
            cell_id = f"cell-{index}"
        cell["id"] = cell_id
        seen.add(cell_id)


def mark_failure(nb, failure: "Failure") -> None:
    """Put the failure on top of a failed notebook and on the cell that failed.

    A timed-out or killed run otherwise looks successful in the saved notebook.
    """
    import nbformat

    cell_index = failure.cell
    nb.metadata.setdefault("papermill", {})["exception"] = True
    if cell_index is not None and 0 <= cell_index < len(nb.cells):
        pm = nb.cells[cell_index].metadata.setdefault("papermill", {})
        pm.update(status="failed", exception=True)
        for later in nb.cells[cell_index + 1:]:
            later_pm = later.metadata.get("papermill")
            if isinstance(later_pm, dict) and later.get("cell_type") == "code" \
                    and not later.get("outputs"):
                later_pm["status"] = "pending"
    where = f"cell {cell_index}" if cell_index is not None else "before any cell ran"
    text = (f"**Build failed** ({failure.kind}, {where}): "
            f"`{failure.ename}`: {data_text(failure.evalue)}".rstrip(": "))
    banner = nbformat.v4.new_markdown_cell(text)
    banner["id"] = FAILURE_TAG
    banner.metadata["tags"] = [FAILURE_TAG]
    nb.cells.insert(0, banner)


def to_bytes(nb) -> bytes:
    """The notebook as written to disk (nbformat's JSON, one trailing newline)."""
    import nbformat

    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")

"""What crosses from the builder to the process that executes a briefing, and back.

:class:`Task` is everything needed to execute and render one briefing; :class:`Result` is what
comes back (outputs, timings, or a :class:`Failure`). Both are plain frozen values that pickle,
so that a local worker process (:func:`analysis.builder.execute.run_briefing`) and any other
engine (a cluster worker) run the same code on the same input and return the same output.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: How a briefing is executed: its kernel forked from a warm process, a plain new one, or no
#: kernel (its cells run in a process forked from a warm one, see .nokernel).
KERNELS = ("fork", "spawn", "none")
#: The default: no kernel. Same outputs as ``fork`` byte for byte, and less CPU (no kernel
#: start, no message round trips): measured in docs/building.md.
DEFAULT_KERNEL = "none"


@dataclass(frozen=True)
class Task:
    """One briefing to execute and render."""

    id: str
    notebook: str
    #: the notebook file, absolute
    path: str
    #: the notebook's path as recorded in the outputs (relative to the project when inside it)
    rel_path: str
    #: every parameter's checked value, plain JSON types
    parameters: dict[str, Any]
    #: the notebook's own cell ids (others get stable ``cell-<n>`` ids)
    cell_ids: tuple[str, ...] = ()
    #: seconds one cell may run (None: the executor's default)
    timeout: float | None = None
    kernel: str = DEFAULT_KERNEL
    #: the input hashes (notebook, data, code, parameters): the page's stamp shows their digest
    inputs: dict[str, str] = field(default_factory=dict)
    #: also render the page's PDF, in the same worker (``briefings build --pdf``)
    pdf: bool = False
    #: also write the briefing's Word file (``--formats ...,docx``)
    docx: bool = False
    #: the Word template (a file path; None: the shipped one)
    docx_template: str | None = None
    #: also write the briefing's two-page note (in the same formats)
    note: bool = True


@dataclass(frozen=True)
class Failure:
    """Why a briefing failed: kind, cell index, exception name and message."""

    kind: str
    ename: str = ""
    evalue: str = ""
    cell: int | None = None
    source: str | None = None
    detail: str | None = None
    kernel_output: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The manifest's form: only the fields that hold something (``cell`` always)."""
        return {k: v for k, v in asdict(self).items() if v is not None or k == "cell"}

    def describe(self) -> str:
        """One line: ``exception in cell 4: ValueError: boom (at `raise ...`)``."""
        where = f"cell {self.cell}" if self.cell is not None else "no cell"
        text = f"{self.kind} in {where}: {self.ename}"
        if self.evalue:
            text += f": {self.evalue}"
        if self.source:
            text += f" (at `{self.source}`)"
        return text


@dataclass(frozen=True)
class Result:
    """What executing a :class:`Task` gave: outputs when ``ok``, else ``failure``."""

    id: str
    ok: bool
    timings: dict[str, float | None] = field(default_factory=dict)
    title: str | None = None
    summary: str | None = None
    html: bytes | None = None
    ipynb: bytes | None = None
    #: the executed notebook of a failed run, failure marked on it
    failed_ipynb: bytes | None = None
    failure: Failure | None = None
    #: what the briefing's region covers (description, kind, countries), for the index
    selection: dict[str, Any] | None = None
    #: the page's PDF, when the task asked for it and it could be made
    pdf: bytes | None = None
    #: why the PDF could not be made (the page itself is fine)
    pdf_failure: Failure | None = None
    #: the Word file, when asked for
    docx: bytes | None = None
    #: the note: page, PDF and Word file (those asked for)
    note_html: bytes | None = None
    note_pdf: bytes | None = None
    note_docx: bytes | None = None
    #: why the Word file or the note could not be made (the page itself is fine)
    extra_failure: Failure | None = None
    #: what the briefing read: the selections of rows it consulted (see analysis.data.recording)
    reads: list[dict] | None = None
    #: the digest of the rows those selections chose, which the page's stamp names
    reads_digest: str | None = None


__all__ = ["KERNELS", "Failure", "Result", "Task"]

"""``briefings build``: check, plan, execute in parallel, write atomically, summarise.

1. Every requested briefing's parameters are checked before anything starts or is written.
2. Input hashes (notebook, data folder, package code and versions, parameters) are compared
   with ``manifest.json``; a briefing whose inputs are unchanged and whose outputs are intact
   is skipped. Nothing heavy is imported when nothing needs building.
3. The rest run in a pool of worker processes forked after papermill and nbconvert are
   imported (once); each briefing gets a fresh kernel (see :mod:`.execute`).
4. Results are written as they arrive, each file atomically; a failure keeps the last good
   HTML and notebook and puts the failed run under ``_failed/``.
"""
from __future__ import annotations

import fnmatch
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import PROJECT_DIR, data_dir
from .briefing_set import Briefing, default_id, load_briefing_set
from .catalog import Catalog, ParameterProblem, cache_dir
from .hashing import code_digest, file_digest, folder_digest, value_digest
from .store import (FAILED_DIR, INDEX, MANIFEST, manifest_bytes, outputs_intact, read_manifest,
                    remove_stale_temporaries, write_atomic, write_if_changed)


@dataclass
class BuildRequest:
    out: Path
    jobs: int
    force: bool = False
    only: list[str] = field(default_factory=list)
    notebook: str | None = None
    params: list[str] = field(default_factory=list)
    set_path: Path | None = None
    timeout: float | None = None
    progress: bool = True
    kernel: str = "fork"
    #: a Dask scheduler's address: build on its workers instead of the local pool
    scheduler: str | None = None


@dataclass
class Outcome:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, dict]] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _relative(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


def parse_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ParameterProblem(f"--param expects NAME=VALUE, got {text!r}")
    return name.strip(), value


def select(request: BuildRequest) -> tuple[list[Briefing], list[str], Catalog]:
    """The briefings to consider (parameters checked), the default set's ids, the catalog."""
    bset = load_briefing_set(request.set_path)
    catalog = Catalog(bset.extra_notebooks)
    default_ids = [b.id for b in bset.briefings]
    if request.notebook is not None:
        if request.only:
            raise ParameterProblem("use either --notebook with --param, or --only, not both")
        notebook = request.notebook
        catalog.path(notebook)
        given: dict[str, Any] = {}
        for text in request.params:
            name, raw = parse_param(text)
            given[name] = catalog.parse_cli_value(notebook, name, raw)
        checked = catalog.check(notebook, given)
        bid = default_id(notebook, {k: checked[k] for k in given})
        for b in bset.briefings:  # the same briefing as one of the default set: same id
            if b.notebook == notebook and catalog.check(notebook, b.given) == checked:
                bid = b.id
        return [Briefing(bid, notebook, given, checked)], default_ids, catalog
    if request.params:
        raise ParameterProblem("--param needs --notebook NAME")
    chosen = bset.briefings
    if request.only:
        chosen = [b for b in chosen if any(fnmatch.fnmatchcase(b.id, pat) for pat in request.only)]
        if not chosen:
            raise ParameterProblem(f"--only {' '.join(request.only)} matches no briefing; ids: "
                                   f"{', '.join(default_ids)}")
    for b in chosen:
        try:
            b.parameters = catalog.check(b.notebook, b.given)
        except ParameterProblem as err:
            raise ParameterProblem(f"{_relative(bset.source)}, briefing {b.id!r}: {err}") from None
    return chosen, default_ids, catalog


def input_hashes(briefings: list[Briefing], catalog: Catalog) -> dict[str, dict[str, str]]:
    data = folder_digest(data_dir())
    code = code_digest()
    by_notebook: dict[str, str] = {}
    out = {}
    for b in briefings:
        if b.notebook not in by_notebook:
            by_notebook[b.notebook] = file_digest(catalog.path(b.notebook))
        out[b.id] = {"notebook": by_notebook[b.notebook], "data": data, "code": code,
                     "parameters": value_digest(b.parameters)}
    return out


def _cell_ids(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return [c["id"] for c in cells if isinstance(c, dict) and c.get("id")]


def _kernel_environment() -> None:
    """MPLCONFIGDIR persistent and writable, for this process's workers and their kernels."""
    if "MPLCONFIGDIR" not in os.environ:
        folder = cache_dir().parent / "matplotlib"  # .cache/matplotlib in a checkout
        try:
            folder.mkdir(parents=True, exist_ok=True)
            os.environ["MPLCONFIGDIR"] = str(folder)
        except OSError:
            pass


def run(request: BuildRequest, *, echo=print) -> int:
    """Build the requested briefings; returns the exit code (0 ok, 1 some failed)."""
    started = time.perf_counter()
    briefings, default_ids, catalog = select(request)
    out = request.out
    if out.exists() and not out.is_dir():
        raise ParameterProblem(f"--out {out} exists and is not a folder")
    inputs = input_hashes(briefings, catalog)
    remove_stale_temporaries(out)
    manifest = read_manifest(out)
    records: dict[str, dict] = manifest["briefings"]
    outcome = Outcome()
    todo = []
    for b in briefings:
        entry = records.get(b.id) or {}
        fresh = (not request.force and entry.get("status") == "built"
                 and entry.get("inputs") == inputs[b.id]
                 and outputs_intact(out, entry.get("outputs") or {}))
        if fresh:
            outcome.skipped.append(b.id)
        else:
            todo.append(b)

    cluster = None
    if todo and request.scheduler:  # connected and checked before anything is written
        from .cluster import connect

        cluster = connect(request.scheduler, kernel=request.kernel)
    try:
        if todo:
            _execute(todo, request, catalog, inputs, records, out, outcome, cluster)
    finally:
        if cluster is not None:
            cluster.close()  # also after Ctrl-C: what was built is recorded
        order = [i for i in default_ids if i in records] + sorted(set(records) - set(default_ids))
        manifest["briefings"] = {i: records[i] for i in order}
        out.mkdir(parents=True, exist_ok=True)
        write_if_changed(out / MANIFEST, manifest_bytes(manifest))
        write_if_changed(out / INDEX, _index_bytes(manifest["briefings"]))
    outcome.seconds = time.perf_counter() - started
    echo(_summary(outcome, out, request))
    return 1 if outcome.failed else 0


def _index_bytes(entries: dict[str, dict]) -> bytes:
    from .index import render_index

    return render_index(list(entries.items()))


def _execute(todo: list[Briefing], request: BuildRequest, catalog: Catalog,
             inputs: dict[str, dict], records: dict[str, dict], out: Path,
             outcome: Outcome, cluster=None) -> None:
    from . import execute

    _kernel_environment()
    progress = _progress(request.progress, len(todo))
    try:
        if cluster is not None:  # the cluster's workers execute; this process records
            progress.start(f"on {cluster.address}")
            _run_cluster(cluster, todo, request, catalog, inputs, records, out, outcome,
                         progress)
        else:
            progress.start("warming up: libraries, data, templates")
            execute.prepare(request.kernel)  # imported (and warmed) once; workers inherit it
            _run_pool(todo, request, catalog, inputs, records, out, outcome, progress)
    finally:
        progress.__exit__(None, None, None)


def _tasks(todo: list[Briefing], request: BuildRequest, catalog: Catalog,
           records: dict[str, dict]) -> list[dict]:
    """What each briefing's execution needs, longest first (by last recorded time)."""
    todo = sorted(todo, key=lambda b: -sum(v or 0 for v in
                                          (records.get(b.id, {}).get("timings") or {}).values()))
    tasks = []
    for b in todo:
        path = catalog.path(b.notebook)
        tasks.append({"id": b.id, "notebook": b.notebook, "path": str(path),
                      "rel_path": _relative(path), "parameters": b.parameters,
                      "cell_ids": _cell_ids(path), "timeout": request.timeout,
                      "kernel": request.kernel})
    return tasks


def _run_cluster(cluster, todo, request, catalog, inputs, records, out, outcome,
                 progress) -> None:
    tasks = {t["id"]: t for t in _tasks(todo, request, catalog, records)}
    by_id = {b.id: b for b in todo}
    progress.advance(None, True)
    with progress as advance:
        def record(result: dict) -> None:
            _record(by_id[result["id"]], tasks[result["id"]], result, inputs, records, out,
                    outcome)
            advance(result["id"], result.get("ok", False))

        cluster.run(list(tasks.values()), record)


def _run_pool(todo, request, catalog, inputs, records, out, outcome, progress) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from . import execute

    # Longest first (by last recorded time), so that the pool ends together.
    tasks = _tasks(todo, request, catalog, records)
    by_id = {b.id: b for b in todo}
    log_dir = tempfile.mkdtemp(prefix="psw-build-")
    workers = max(1, min(request.jobs, len(tasks)))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_worker, initargs=(log_dir, request.kernel))
    try:
        futures = {pool.submit(execute.run_briefing, t): t for t in tasks}  # forks happen here
        progress.advance(None, True)
        with progress as advance:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool as exc:
                    result = {"id": task["id"], "ok": False, "timings": {}, "error": {
                        "kind": "worker died", "cell": None, "ename": type(exc).__name__,
                        "evalue": str(exc)}}
                _record(by_id[task["id"]], task, result, inputs, records, out, outcome)
                advance(task["id"], result.get("ok", False))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(log_dir, ignore_errors=True)


def _init_worker(log_dir: str, kernel: str) -> None:
    from . import execute

    execute.init_worker(os.path.join(log_dir, f"worker-{os.getpid()}.log"), kernel)


def _record(b: Briefing, task: dict, result: dict, inputs: dict, records: dict, out: Path,
            outcome: Outcome) -> None:
    previous = records.get(b.id) or {}
    entry: dict[str, Any] = {"notebook": b.notebook, "path": task["rel_path"],
                             "parameters": b.parameters, "status": None,
                             "title": result.get("title") or previous.get("title"),
                             "summary": result.get("summary") or previous.get("summary"),
                             "inputs": inputs[b.id], "outputs": {},
                             "timings": result.get("timings") or {}}
    failed_path = out / FAILED_DIR / f"{b.id}.ipynb"
    if result.get("ok"):
        html_name, nb_name = f"{b.id}.html", f"{b.id}.ipynb"
        write_atomic(out / nb_name, result["ipynb"])
        write_atomic(out / html_name, result["html"])
        entry["outputs"] = {html_name: _digest(result["html"]), nb_name: _digest(result["ipynb"])}
        entry["status"] = "built"
        if failed_path.exists():
            failed_path.unlink()
        outcome.built.append(b.id)
    else:
        kept = {name: digest for name, digest in (previous.get("outputs") or {}).items()
                if outputs_intact(out, {name: digest})}
        entry.update(status="failed", outputs=kept, error=result.get("error") or {},
                     inputs=inputs[b.id])
        if result.get("failed_ipynb"):
            write_atomic(failed_path, result["failed_ipynb"])
            entry["failed_notebook"] = f"{FAILED_DIR}/{b.id}.ipynb"
        if not kept:
            entry["title"] = previous.get("title")
        outcome.failed.append((b.id, entry))
    for key, value in entry["timings"].items():
        outcome.timings[key] = outcome.timings.get(key, 0.0) + (value or 0.0)
    records[b.id] = entry


def _digest(data: bytes) -> str:
    from .hashing import bytes_digest

    return bytes_digest(data)


class _progress:
    """A progress bar on stderr (only on a terminal); ``advance(id, ok)`` per briefing.

    Refreshed by hand (no refresh thread), so that worker processes can be forked while it
    is shown.
    """

    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled and sys.stderr.isatty()
        self.total = total
        self.progress = None
        self.task = None

    def start(self, description: str) -> None:
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn)

        self.progress = Progress(SpinnerColumn(), TextColumn("briefings"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("{task.description}"),
                                 console=Console(stderr=True), transient=True,
                                 auto_refresh=False)
        self.progress.start()
        self.task = self.progress.add_task(description, total=self.total)
        self.progress.refresh()

    def advance(self, bid: str | None, ok: bool) -> None:
        if self.progress is None:
            return
        if bid is None:
            self.progress.update(self.task, description="running")
        else:
            mark = "done" if ok else "FAILED"
            self.progress.update(self.task, advance=1, description=f"{bid} {mark}")
        self.progress.refresh()

    def __enter__(self):
        return self.advance

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
        return False


def describe_error(error: dict) -> str:
    where = f"cell {error['cell']}" if error.get("cell") is not None else "no cell"
    text = f"{error.get('kind', 'failed')} in {where}: {error.get('ename', '')}"
    if error.get("evalue"):
        text += f": {error['evalue']}"
    if error.get("source"):
        text += f" (at `{error['source']}`)"
    return text


def _summary(outcome: Outcome, out: Path, request: BuildRequest) -> str:
    lines = [f"briefings: {len(outcome.built)} built, {len(outcome.skipped)} skipped (up to date), "
             f"{len(outcome.failed)} failed in {outcome.seconds:.1f} s"]
    if outcome.timings:
        t = outcome.timings
        lines.append(f"  summed over briefings: kernel start {t.get('kernel_start', 0):.1f} s, "
                     f"execution {t.get('execute', 0):.1f} s, export {t.get('export', 0):.1f} s "
                     f"({'on ' + request.scheduler if request.scheduler else f'{request.jobs} jobs'})")
    for bid, entry in outcome.failed:
        error = entry.get("error") or {}
        lines.append(f"  FAILED {bid}: notebook {entry.get('path')}, {describe_error(error)}")
        if entry.get("failed_notebook"):
            lines.append(f"         executed notebook kept at {out / entry['failed_notebook']}")
        if entry.get("outputs"):
            lines.append("         the last good HTML was kept")
        output = (error.get("kernel_output") or "").strip()
        if output:
            tail = output.splitlines()[-5:]
            lines.extend(f"         | {line}" for line in tail)
    lines.append(f"reports: {out / INDEX}")
    return "\n".join(lines)

"""``briefings build``: check, plan, execute in parallel, write atomically, summarise.

1. Every requested briefing's parameters are checked before anything starts or is written.
2. Input hashes (notebook, parameters, package code and versions, the data folder's schema and
   map files) are compared with ``manifest.json``, and the data's tables row by row with the
   last build's (:mod:`.incremental`): a briefing is built again only when a row it read (by
   the selections it recorded, :mod:`analysis.data.recording`) changed, came or went. A briefing
   whose inputs are unchanged and whose outputs are intact is skipped. Nothing heavy is
   imported when the data folder is unchanged and nothing needs building.
3. The rest run in a pool of worker processes forked after papermill and nbconvert are
   imported (once); each briefing gets a fresh kernel (see :mod:`.execute`).
4. Results are staged as they arrive, in a folder beside ``--out`` that the build owns
   (:mod:`.staging`); a failure keeps the last good HTML and notebook and puts the failed run
   under ``_failed/``. At the end every staged file is moved into ``--out`` (``manifest.json``
   last) and the files the build deletes go; an interrupted build changes nothing in ``--out``.
"""
from __future__ import annotations

import contextlib
import fnmatch
import functools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError, shorten
from ..data.paths import PROJECT_DIR, absolute_environment, data_dir
from .briefing_set import (Briefing, cached_checked_set, default_id, default_set_path,
                           load_briefing_set, read_extra_notebooks, set_file_digest)
from .catalog import Catalog, use_persistent_matplotlib_cache
from . import incremental
from .hashing import code_digest, data_digest, data_files_digest, file_digest, value_digest
from .staging import Outputs, StagedOutputs, outputs_of
from .store import (FAILED_DIR, INDEX, MANIFEST, PACK_FILES, ROWS, OutputLock,
                    check_output_folder, damaged_claims, manifest_bytes, output_names,
                    owned_names, read_manifest, remove_stale_temporaries)
from .tasks import DEFAULT_KERNEL, Failure, Result, Task


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
    kernel: str = DEFAULT_KERNEL
    #: also write <id>.pdf beside each page, and pack.pdf (see :mod:`.pdf`, :mod:`.pack`)
    pdf: bool = False
    #: also write <id>.docx and <id>-note.docx, and pack.docx (see :mod:`.word`)
    docx: bool = False
    #: a user's Word template (styles used by name); None: the shipped one
    docx_template: Path | None = None
    #: write each briefing's two-page note (off only to measure what notes cost)
    notes: bool = True
    #: what the packs hold: "notes" (the default) or "full" (every briefing whole)
    pack: str = "notes"
    #: the meeting named on the pack's cover
    title: str | None = None
    #: the meeting's date and the organisation, on the pack's cover (free text, one line)
    date: str | None = None
    organisation: str | None = None
    #: a Dask scheduler's address: build on its workers instead of the local pool
    scheduler: str | None = None
    #: list what would be built and why; build and write nothing
    dry_run: bool = False


@dataclass
class Outcome:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, dict]] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    #: the signal that stopped the build, if one did
    stopped_by: str | None = None
    #: files that could not be written (the build record itself, say): one line each
    write_errors: list[str] = field(default_factory=list)
    #: why each briefing built was built (id -> reason)
    reasons: dict[str, str] = field(default_factory=dict)


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: stop the workers, record what finished, clean up."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _relative(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


def parse_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ParameterError(f"--param expects NAME=VALUE, got {shorten(text)}")
    return name.strip(), value


def check_text_rules(folder: Path) -> None:
    """Refuse data that breaks the text rules ids and titles are made from (characters, lengths,
    display names: :func:`analysis.data.validate.text_rule_problems`), naming the data file and row."""
    from ..data.dataset import DataError

    problems = [p for p in _text_rule_problems(str(Path(folder).resolve()), _folder_stamp(Path(folder)))
                if p.row is not None]  # a broken file or descriptor is the loader's to report
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(f"{folder}/{problems[0]}{more}; `briefings validate` lists every problem; "
                        "nothing built")


def _folder_stamp(folder: Path) -> tuple:
    try:
        return tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size)
                            for e in os.scandir(folder) if e.is_file()))
    except OSError:
        return ()


@functools.lru_cache(maxsize=4)
def _text_rule_problems(folder: str, stamp: tuple) -> tuple:
    from ..data.validate import text_rule_problems

    return tuple(text_rule_problems(folder))


def select(request: BuildRequest) -> tuple[list[Briefing], list[str], Catalog]:
    """The briefings to consider (parameters checked), the default set's ids, the catalog.

    Options are checked before the set is expanded: a wrong ``--notebook`` or ``--param`` is
    refused without loading the data. The default set, expanded and checked, is read from the
    cache while the set file, the data, the code and the notebooks are unchanged. Data that
    breaks the text rules is refused before the set is expanded (``check_text_rules``; a set read
    from the cache was checked with the same data and code)."""
    if request.notebook is not None:
        if request.only:
            raise ParameterError("use either --notebook with --param, or --only, not both")
        catalog = Catalog(read_extra_notebooks(request.set_path))
        notebook = request.notebook
        catalog.path(notebook)
        given: dict[str, Any] = {}
        for text in request.params:
            name, raw = parse_param(text)
            if name in given:
                raise ParameterError(f"--param {shorten(name)} is given twice; give each "
                                       "parameter once")
            given[name] = catalog.parse_cli_value(notebook, name, raw)
        check_text_rules(data_dir())
        checked = catalog.check(notebook, given)
        bid = default_id(notebook, {k: checked[k] for k in given})
        bset = load_briefing_set(request.set_path)
        for b in bset.briefings:  # the same briefing as one of the default set: same id
            if b.notebook == notebook and catalog.check(notebook, b.given) == checked:
                bid = b.id
        if bid.endswith("-note"):
            raise ParameterError(f"the briefing id {bid!r} would end with '-note', which names "
                                   "a briefing's two-page note; give other parameter values")
        return [Briefing(bid, notebook, given, checked)], [b.id for b in bset.briefings], catalog
    if request.params:
        raise ParameterError("--param needs --notebook NAME")
    catalog = Catalog(read_extra_notebooks(request.set_path))
    source = request.set_path or default_set_path()

    def check(b: Briefing) -> dict[str, Any]:
        try:
            return catalog.check(b.notebook, b.given)
        except ParameterError as err:
            raise ParameterError(f"{_relative(Path(source))}, briefing {b.id!r}: {err}") from None

    # the text rules are checked before the set is expanded, unless the set comes from the
    # cache: its key holds the data's and the code's digests, so that data passed them
    bset = cached_checked_set(request.set_path, _set_key(catalog, request.set_path, request.out), check,
                              before=lambda: check_text_rules(data_dir()))
    default_ids = [b.id for b in bset.briefings]
    chosen = bset.briefings
    if request.only:
        chosen = [b for b in chosen if any(fnmatch.fnmatchcase(b.id, pat) for pat in request.only)]
        unmatched = [pat for pat in request.only
                     if not any(fnmatch.fnmatchcase(b.id, pat) for b in bset.briefings)]
        if unmatched:  # a mistyped id among others is not dropped silently
            from ..briefings.params import close_matches, did_you_mean, listing

            hint = did_you_mean(close_matches(unmatched[0], default_ids))
            shown = "" if hint else f"; ids include: {listing(default_ids, 8)}"
            raise ParameterError(f"--only {shorten(unmatched[0])} matches no briefing{hint}{shown} "
                                   f"(`briefings list` shows them all)")
    return chosen, default_ids, catalog


def _set_key(catalog: Catalog, set_path: Path | None, out: Path | None) -> str:
    """What the expanded, checked default set depends on: the set file, the data, the code
    and every notebook the catalog knows."""
    notebooks = {name: file_digest(path) if Path(path).is_file() else None
                 for name, path in sorted(catalog.notebooks.items())}
    return value_digest({"set": set_file_digest(set_path), "data": _data_digest(out),
                         "code": _code_digest(), "notebooks": notebooks})


#: Digests of the data and the code, computed once per build (reset by :func:`run`).
_DIGESTS: dict[str, str] = {}


def _data_digest(out: Path | None) -> str:
    key = f"data:{out}"
    if key not in _DIGESTS:
        _DIGESTS[key] = data_digest(data_dir(), [out] if out is not None else [])
    return _DIGESTS[key]


def _files_digest(out: Path | None) -> str:
    key = f"files:{out}"
    if key not in _DIGESTS:
        _DIGESTS[key] = data_files_digest(data_dir(), [out] if out is not None else [])
    return _DIGESTS[key]


def _code_digest() -> str:
    if "code" not in _DIGESTS:
        _DIGESTS["code"] = code_digest()
    return _DIGESTS["code"]


def input_hashes(briefings: list[Briefing], catalog: Catalog,
                 out: Path | None = None) -> dict[str, dict[str, str]]:
    files = _files_digest(out)
    code = _code_digest()
    by_notebook: dict[str, str] = {}
    out = {}
    for b in briefings:
        if b.notebook not in by_notebook:
            by_notebook[b.notebook] = file_digest(catalog.path(b.notebook))
        out[b.id] = {"notebook": by_notebook[b.notebook], "files": files, "code": code,
                     "parameters": value_digest(b.parameters)}
    return out


def _cell_ids(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return [c["id"] for c in cells if isinstance(c, dict) and c.get("id")]


def run(request: BuildRequest, *, echo=print, warn=None) -> int:
    """Build the requested briefings; returns the exit code.

    0: all built or up to date; 1: some failed (or an output could not be written);
    128 + N: stopped by signal N, ``--out`` left as it was. Bad arguments and output folders
    raise UsageError before anything runs or changes.
    """
    warn = warn or (lambda message: print(f"briefings build: {message}", file=sys.stderr))
    started = time.perf_counter()
    _DIGESTS.clear()
    absolute_environment()  # kernels and workers start in other folders
    with _stop_on_signals():
        try:
            from .pack import check_cover_line, check_title
            from .word import check_template

            # options first: nothing loaded yet (a template is read only when one is given)
            check_title(request.title, request.pdf or request.docx)
            check_cover_line("--date", request.date, request.pdf or request.docx)
            check_cover_line("--organisation", request.organisation, request.pdf or request.docx)
            check_template(request.docx_template)
            briefings, default_ids, catalog = select(request)
            from ..data.schema import load_schema

            load_schema()  # the descriptor read as the kernels will read it: refused here, once
            out = request.out
            if request.dry_run:
                return _dry_run(request, briefings, catalog, echo)
            from ..briefings.kernels import check_kernel

            check_kernel()  # before anything is written (the output folder check makes it)
            existed = os.path.lexists(out)
            check_output_folder(out)
            from . import execute  # the notebook machinery: not for an option refused before

            execute.remove_orphaned_temporaries()
        except _Stopped as stop:
            return 128 + stop.signum
        locked = False  # a build refused by the lock leaves the folder the other one writes
        try:
            with OutputLock(out):
                locked = True
                return _run_locked(request, briefings, default_ids, catalog, started, echo,
                                   warn)
        except KeyboardInterrupt as stop:  # while the packs were made or swapped in
            name = signal.Signals(stop.signum).name if isinstance(stop, _Stopped) else "SIGINT"
            warn(f"stopped by {name}; nothing was changed in {out}")
            return 128 + int(getattr(signal, name))
        finally:
            if locked and not existed:  # made by the output folder check: gone unless written
                with contextlib.suppress(OSError):
                    out.rmdir()


def _run_locked(request: BuildRequest, briefings: list[Briefing], default_ids: list[str],
                catalog: Catalog, started: float, echo, warn) -> int:
    staged = StagedOutputs(request.out)  # every write goes here until the swap at the end
    try:
        return _plan_and_build(request, briefings, default_ids, catalog, started, echo, warn,
                               staged)
    finally:
        staged.discard()  # nothing left when swapped in; everything forgotten when not


def _plan_and_build(request: BuildRequest, briefings: list[Briefing], default_ids: list[str],
                    catalog: Catalog, started: float, echo, warn, staged: StagedOutputs) -> int:
    out = request.out
    manifest, problem = read_manifest(out)
    damaged = problem is not None
    if damaged:
        warn(f"{problem}; treating it as absent and building every briefing again")
    records: dict[str, dict] = manifest["briefings"]
    inputs = input_hashes(briefings, catalog, out)
    data_now = _data_digest(out)
    # a damaged record owns only what it still names (an old format lists its outputs)
    owned = damaged_claims(out) if damaged else owned_names(manifest)
    outcome = Outcome()
    plan = incremental.plan(out, briefings, records, inputs, data_now, force=request.force,
                            pdf=request.pdf)
    if plan.data.problem and not damaged and any(r == plan.data.problem
                                                 for r in plan.todo.values()):
        warn(f"cannot compare the data row by row: {plan.data.problem}; building every "
             "briefing again")
    todo = [b for b in briefings if b.id in plan.todo]
    outcome.skipped = list(plan.fresh)
    outcome.reasons = dict(plan.todo)
    for b in briefings:  # up to date, but a format asked for (Word, the note) is missing
        have = (records.get(b.id) or {}).get("outputs") or {}
        if b.id in plan.fresh and not all(
                name in have for name in wanted_outputs(b.id, request,
                                                        note=b.notebook in catalog.kinds)):
            outcome.skipped.remove(b.id)
            outcome.reasons[b.id] = "a format asked for is missing"
    todo = [b for b in briefings if b.id in outcome.reasons]
    # the packs are written (or removed, once stale) by a build that changes a briefing
    packs = list(PACK_FILES.values()) if todo or request.pdf or request.docx else []
    written = [n for b in todo for n in [*output_names(b.id), *extra_names(b.id)]] + packs \
        + [INDEX, ROWS]
    foreign = [name for name in written if name not in owned and (out / name).exists()]
    failed_dir = out / FAILED_DIR
    if failed_dir.is_symlink() or (failed_dir.exists() and not failed_dir.is_dir()):
        from ..errors import UsageError  # failed notebooks would be written where it leads

        raise UsageError(f"{failed_dir} is {'a link' if failed_dir.is_symlink() else 'not a folder'}"
                         "; the build keeps failed notebooks in that folder: move it away")
    if foreign:
        from ..errors import UsageError

        raise UsageError(f"{out / foreign[0]} was not written by briefings (it is not in "
                         f"{out / MANIFEST}); move it away or build into another folder")
    cluster = None
    if todo and request.scheduler:  # connected and checked before anything is written
        from .cluster import connect  # here: distributed is imported by cluster builds only

        cluster = connect(request.scheduler, kernel=request.kernel)
    ledger = _Ledger(staged, manifest, records, default_ids, outcome)
    ledger.data = data_now
    ledger.save()
    pdf_problem = _pdf_problem(request) if todo else None  # WeasyPrint loads only when used

    try:
        if todo:
            _execute(todo, request, catalog, inputs, ledger, cluster)
    except _Stopped as stop:
        outcome.stopped_by = signal.Signals(stop.signum).name
    except KeyboardInterrupt:
        outcome.stopped_by = "SIGINT"
    finally:
        if cluster is not None:
            cluster.close()
    if outcome.stopped_by:  # nothing is swapped in: --out stays as it was
        outcome.seconds = time.perf_counter() - started
        echo(_summary(outcome, out, request))
        warn(f"stopped by {outcome.stopped_by}; nothing was changed in {out} (the "
             f"{len(outcome.built)} briefing(s) finished before are not kept: the next build "
             "makes them again)")
        return 128 + int(getattr(signal, outcome.stopped_by))
    _settle_data(out, plan, records, ledger, data_now)
    ledger.save(index=True)
    from .pack import Cover, PackProblem, remove_stale_pack, write_pack
    from .pdf import PdfEngineUnavailable

    pack_problem = None
    previous_pack = manifest.get("pack") or {}
    # A build without --title keeps the title the pack was given (make briefings after a
    # `--title` build must not put the default back silently); the summary says so.
    title = request.title if request.title is not None else previous_pack.get("title")
    cover = Cover(title, request.date, request.organisation,
                  "-note" if request.pack == "notes" else "")
    packed = _listed(records, default_ids)
    if request.only:  # a pack for one meeting: exactly the briefings chosen
        chosen = {b.id for b in briefings}
        packed = {i: e for i, e in packed.items() if i in chosen}
    if request.pdf and not outcome.stopped_by:
        try:  # from the briefings' PDFs; not made again when none of them changed
            manifest["pack"] = write_pack(staged, packed, cover, previous_pack)
            if manifest["pack"] is not None and title is not None:
                manifest["pack"] = {**manifest["pack"], "title": title}
        except (PackProblem, PdfEngineUnavailable) as err:
            pack_problem = str(err)
            remove_stale_pack(staged)
            manifest.pop("pack", None)
        ledger.save()
    elif outcome.built or outcome.failed:
        remove_stale_pack(staged)
        manifest.pop("pack", None)
        ledger.save()
    if request.docx and not outcome.stopped_by:
        from .packdocx import write_pack_docx

        try:
            manifest["pack_docx"] = write_pack_docx(staged, packed, cover,
                                                    request.docx_template,
                                                    manifest.get("pack_docx"))
        except (OSError, ValueError, KeyError) as err:
            pack_problem = f"pack.docx could not be made: {err}"
        ledger.save()
    elif outcome.built or outcome.failed:
        from .packdocx import remove_stale_pack_docx

        remove_stale_pack_docx(staged)
        manifest.pop("pack_docx", None)
        ledger.save()
    _swap_in(ledger, owned | {n for b in briefings for n in output_names(b.id)})
    outcome.seconds = time.perf_counter() - started
    echo(_summary(outcome, out, request))
    if request.pdf and manifest.get("pack"):
        from .pack import DEFAULT_TITLE, PACK

        kept = " (the title of an earlier build; --title changes it)" \
            if request.title is None and title is not None else ""
        echo(f"pack: {out / PACK}, titled {shorten(title or DEFAULT_TITLE, 130)}{kept}")
    if pdf_problem:
        echo(f"PDF: {pdf_problem}\nThe HTML pages were built; no PDF was written.")
    if pack_problem:
        echo(f"Pack: {pack_problem}\nThe pages and their files were built; the pack was not.")
    for line in outcome.write_errors:
        warn(line)
    return 1 if outcome.failed or outcome.write_errors or pdf_problem or pack_problem else 0


def _swap_in(ledger: "_Ledger", owned: set[str]) -> None:
    """Move what the build staged into ``--out``, all or nothing; when the build record itself
    could not be staged, or the swap fails, ``--out`` stays as it was and one line says so."""
    out = ledger.out
    if MANIFEST in ledger.errors:
        ledger.outcome.write_errors = [*ledger.errors.values(), f"nothing was changed in {out}"]
        return
    remove_stale_temporaries(out, owned)  # what builds of earlier versions left
    try:
        ledger.staged.commit()
    except OSError as err:
        ledger.outcome.write_errors.append(
            f"cannot write the build into {out}: {err.strerror or err}"
            f"{f' ({err.filename})' if err.filename else ''}; nothing was changed in {out}")


def _settle_data(out: Path, plan: "incremental.Plan", records: dict, ledger: "_Ledger",
                 data_now: str) -> None:
    """Mark every recorded briefing current or stale for the data now, and keep the data's
    rows (``rows.json``) for the next build to diff against."""
    incremental.settle(plan, records, set(ledger.outcome.built))
    state = plan.data.state
    if state is None and incremental.rows_digest(out) == data_now:
        return  # kept already (a build with nothing to do loads no data)
    try:
        if state is None:
            state = incremental.current_state()
        if data_digest(data_dir(), [out]) != data_now:
            raise ValueError("the data changed during the build")
        incremental.write_rows(ledger.staged, data_now, state)
        ledger.errors.pop(ROWS, None)
    except OSError as err:
        ledger.errors[ROWS] = f"cannot write {out / ROWS}: {err.strerror or err}"
    except Exception:  # noqa: BLE001 - no rows kept: the next build compares nothing, builds all
        ledger.staged.remove(ROWS)


def _dry_run(request: BuildRequest, briefings: list[Briefing], catalog: Catalog, echo) -> int:
    """``--dry-run``: each briefing that would be built, with its reason; nothing written."""
    out = request.out
    if out.is_dir():
        manifest, problem = read_manifest(out)
    else:
        manifest, problem = {"briefings": {}}, None
    inputs = input_hashes(briefings, catalog, out)
    plan = incremental.plan(out, briefings, manifest["briefings"], inputs,
                            _data_digest(out), force=request.force,
                            pdf=request.pdf)
    if problem:
        echo(f"{problem}: every briefing would be built again")
    elif plan.data.problem and any(r == plan.data.problem for r in plan.todo.values()):
        echo(f"cannot compare the data row by row: {plan.data.problem}; every briefing would "
             "be built again")
    for bid, reason in plan.todo.items():
        echo(f"{bid}: {reason}")
    echo(f"dry run: {len(plan.todo)} to build, {len(plan.fresh)} up to date; nothing was built")
    return 0


def _pdf_problem(request: BuildRequest) -> str | None:
    """Why PDFs cannot be made (the build then writes HTML only), or None."""
    if not request.pdf:
        return None
    from .pdf import PdfEngineUnavailable, check_engine

    try:
        check_engine()
    except PdfEngineUnavailable as err:
        request.pdf = False
        return str(err)
    return None


def _listed(entries: dict[str, dict], default_ids: list[str]) -> dict[str, dict]:
    """The briefings the index and the pack show: the default set, in its order, and
    briefings built with ``--notebook``; one removed from the default set leaves the index."""
    listed = {i: entries[i] for i in default_ids if i in entries}
    listed.update((i, entries[i]) for i in sorted(entries) if entries[i].get("adhoc"))
    return listed


class _Ledger:
    """The build record being kept: staged before the briefings run, and again once they
    have all run (and after each pack), so that the manifest swapped in names every output."""

    def __init__(self, staged: StagedOutputs, manifest: dict, records: dict,
                 default_ids: list[str], outcome: Outcome):
        self.staged, self.out = staged, staged.out
        self.manifest, self.records = manifest, records
        self.default_ids, self.outcome = default_ids, outcome
        self.errors: dict[str, str] = {}
        #: the digest of the data folder this build builds from
        self.data: str | None = None
        try:  # the manifest as the build found it: the index is made from it (and the data)
            self.found = staged.path(MANIFEST).read_bytes()
        except OSError:
            self.found = None

    def save(self, index: bool = False) -> None:
        """Write the manifest (and the index); a file that cannot be written is reported in
        ``outcome.write_errors`` until a later save succeeds."""
        order = [i for i in self.default_ids if i in self.records] + \
            sorted(set(self.records) - set(self.default_ids))
        self.manifest["briefings"] = {i: self.records[i] for i in order}
        listed = _listed(self.manifest["briefings"], self.default_ids)
        self.manifest["listed"] = list(listed)  # what the index shows, in its order
        manifest = manifest_bytes(self.manifest)
        targets = [(MANIFEST, lambda: manifest)]
        # The index shows the manifest's listed entries (their data digest included): a
        # manifest the build leaves as it found it (a no-op) leaves the index as it is, unmade
        if index and not (manifest == self.found and self.staged.path(INDEX).is_file()):
            targets.append((INDEX, lambda: _index_bytes(listed)))
        for name, data in targets:
            try:
                self.staged.write_if_changed(name, data())
                self.errors.pop(name, None)
            except OSError as err:
                self.errors[name] = f"cannot write {self.out / name}: {err.strerror or err}"
        self.outcome.write_errors = list(self.errors.values())


@contextlib.contextmanager
def _stop_on_signals():
    """SIGTERM and SIGHUP raise :class:`_Stopped` in the main thread while building
    (SIGINT raises KeyboardInterrupt as usual); the previous handlers come back afterwards."""
    def stop(signum, _frame):
        raise _Stopped(signum)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _index_bytes(entries: dict[str, dict]) -> bytes:
    from .index import render_index

    return render_index(list(entries.items()))


def _execute(todo: list[Briefing], request: BuildRequest, catalog: Catalog,
             inputs: dict[str, dict], ledger: "_Ledger", cluster=None) -> None:
    use_persistent_matplotlib_cache()
    progress = _progress(request.progress, len(todo))
    progress.start(f"on {cluster.address}" if cluster is not None else
                   "warming up: libraries, data, templates")
    try:
        if cluster is None:
            from . import execute

            execute.prepare(request.kernel)  # imported (and warmed) once; workers inherit it
        if request.pdf:
            from .pdf import warm

            warm()
        if request.docx:
            import docx  # noqa: F401 - imported once, before the workers fork
        tasks = make_tasks(todo, request, catalog, ledger.records, inputs)
        by_id = {b.id: b for b in todo}

        def record(result: Result) -> None:
            _record(by_id[result.id], tasks[result.id], result, inputs, ledger,
                    adhoc=request.notebook is not None)
            progress.advance(result.id, result.ok)

        progress.advance(None, True)
        if cluster is not None:  # the cluster's workers execute; this process records
            cluster.run(list(tasks.values()), record)
        else:
            _run_pool(list(tasks.values()), PoolOptions(request.jobs, request.kernel), record)
    finally:
        progress.__exit__(None, None, None)


def make_tasks(todo: list[Briefing], request: BuildRequest, catalog: Catalog,
               records: dict[str, dict], inputs: dict[str, dict] | None = None
               ) -> dict[str, Task]:
    """One :class:`Task` per briefing, longest first (by its last recorded time), so that the
    workers finish together."""
    def last_time(b: Briefing) -> float:
        timings = (records.get(b.id) or {}).get("timings") or {}
        return sum(v for v in timings.values() if isinstance(v, (int, float)))

    tasks = {}
    for b in sorted(todo, key=lambda b: -last_time(b)):
        path = catalog.path(b.notebook)
        tasks[b.id] = Task(b.id, b.notebook, str(path), _relative(path), dict(b.parameters),
                           tuple(_cell_ids(path)), request.timeout, request.kernel,
                           inputs=dict((inputs or {}).get(b.id) or {}), pdf=request.pdf,
                           docx=request.docx,
                           note=request.notes and b.notebook in catalog.kinds,
                           docx_template=str(request.docx_template) if request.docx_template
                           else None)
    return tasks


@dataclass(frozen=True)
class PoolOptions:
    """How the local pool runs: worker processes at most, and the kind of kernel."""

    jobs: int
    kernel: str = DEFAULT_KERNEL
    #: seconds the workers get to stop on an interrupt before they are killed
    stop_grace: float = 2.0


def _run_pool(tasks: list[Task], options: PoolOptions, record) -> None:
    """Run ``tasks`` in worker processes forked from this (warm) one; ``record(result)`` is
    called in this process as each finishes. On an interrupt the workers and their kernels
    are stopped within seconds; what had finished is already recorded."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from . import execute
    from concurrent.futures.process import BrokenProcessPool

    log_dir = tempfile.mkdtemp(prefix=f"{execute.TEMP_PREFIX}build-{os.getpid()}-")
    workers = max(1, min(options.jobs, len(tasks)))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_worker,
                               initargs=(log_dir, options.kernel, os.getpid()))
    stopped = False
    try:
        futures = {pool.submit(execute.run_briefing, t): t for t in tasks}  # forks happen here
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool as exc:
                result = Result(task.id, False, failure=Failure(
                    "worker died", type(exc).__name__, str(exc)))
            record(result)
    except BaseException:
        stopped = True
        raise
    finally:
        if stopped:
            _stop_workers(options.stop_grace)
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(log_dir, ignore_errors=True)


def _stop_workers(grace: float) -> None:
    """Ask every worker process to stop (each kills its kernel first), then kill stragglers."""
    import multiprocessing

    children = multiprocessing.active_children()
    for child in children:
        with contextlib.suppress(OSError):
            child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
    for child in children:
        if child.is_alive():
            with contextlib.suppress(OSError):
                child.kill()
            child.join(1.0)


def _init_worker(log_dir: str, kernel: str, parent: int) -> None:
    from . import execute

    execute.init_worker(os.path.join(log_dir, f"worker-{os.getpid()}.log"), kernel, parent)


def _record(b: Briefing, task: Task, result: Result, inputs: dict, ledger: "_Ledger",
            adhoc: bool = False) -> None:
    out, staged = ledger.out, ledger.staged
    records, outcome = ledger.records, ledger.outcome
    previous = records.get(b.id) or {}
    entry: dict[str, Any] = {"notebook": b.notebook, "path": task.rel_path,
                             "parameters": b.parameters, "status": None,
                             "title": result.title or previous.get("title"),
                             "summary": result.summary or previous.get("summary"),
                             "selection": result.selection or previous.get("selection"),
                             "inputs": inputs[b.id], "data": ledger.data, "outputs": {},
                             "timings": dict(result.timings)}
    if result.ok:
        entry["reads"] = {"digest": result.reads_digest, "selections": result.reads or []}
    html_name, nb_name, failed_name = output_names(b.id)
    failure = result.failure
    if result.ok:
        try:
            for name, data in ((nb_name, result.ipynb), (html_name, result.html)):
                target = out / name
                staged.write(name, data)
        except OSError as err:
            failure = _write_failure(target, err)
        else:
            entry["outputs"] = {html_name: _digest(result.html), nb_name: _digest(result.ipynb)}
            entry["status"] = "built"
            staged.remove(failed_name)
            pdf_failure = _record_pdf(b.id, result, entry, staged)
            pdf_failure = _record_extras(b.id, result, entry, staged) or pdf_failure
            if pdf_failure is None:
                outcome.built.append(b.id)
            else:  # the page is new and recorded; its PDF is what failed
                entry.update(status="failed", error=pdf_failure.to_dict())
                outcome.failed.append((b.id, entry))
    if failure is not None:
        kept = {name: digest for name, digest in (previous.get("outputs") or {}).items()
                if _intact(staged, name, digest)}
        entry.update(status="failed", outputs=kept, error=(failure or Failure("failed")).to_dict())
        if result.failed_ipynb:
            try:
                staged.write(failed_name, result.failed_ipynb)
                entry["failed_notebook"] = failed_name
            except OSError:
                pass  # the failure itself is reported; its notebook could not be kept
        if not kept:
            entry["title"] = previous.get("title")
        outcome.failed.append((b.id, entry))
    if adhoc or previous.get("adhoc"):
        entry["adhoc"] = True
    for key, value in entry["timings"].items():
        outcome.timings[key] = outcome.timings.get(key, 0.0) + (value or 0.0)
    records[b.id] = entry  # written with the others once the build ends (nothing is kept
    # of a build that stops before: its staged files are discarded, the manifest with them)


def _intact(staged: StagedOutputs, name: str, digest: str) -> bool:
    """Whether the current version of output ``name`` has the recorded hash."""
    path = staged.path(name)
    return path.is_file() and file_digest(path) == digest


def _record_pdf(bid: str, result: Result, entry: dict,
                staged: Outputs | Path) -> Failure | None:
    """Write the PDF a worker made beside the page and note it in ``entry``; an older PDF,
    which would not match the new page, is removed. The failure to report, if any."""
    staged = outputs_of(staged)
    path = staged.out / f"{bid}.pdf"
    if result.pdf is None:
        staged.remove(path.name)
        return result.pdf_failure
    try:
        staged.write(path.name, result.pdf)
    except OSError as err:
        return _write_failure(path, err)
    entry["outputs"][path.name] = _digest(result.pdf)
    return None


def extra_names(bid: str) -> list[str]:
    """The PDF, the Word file and the note's files a briefing may write beside its page."""
    return [f"{bid}.pdf", f"{bid}.docx", f"{bid}-note.html", f"{bid}-note.pdf", f"{bid}-note.docx"]


def wanted_outputs(bid: str, request: BuildRequest, note: bool = True) -> list[str]:
    """The files a build with ``request``'s formats needs for ``bid`` (besides page and
    notebook): a briefing built without them is not up to date. Only a briefing of a declared
    kind has a note (``note``): a notebook of a set file's own has none."""
    note = [f"{bid}-note"] if request.notes and note else []
    names = [f"{n}.html" for n in note]
    if request.pdf:
        names += [f"{n}.pdf" for n in [bid, *note]]
    if request.docx:
        names += [f"{n}.docx" for n in [bid, *note]]
    return names


def _record_extras(bid: str, result: Result, entry: dict,
                   staged: Outputs | Path) -> Failure | None:
    """Write the Word file and the note's files beside the page; a file of a format not made
    this time (which would not match the new page) is removed."""
    staged = outputs_of(staged)
    made = {f"{bid}.docx": result.docx, f"{bid}-note.html": result.note_html,
            f"{bid}-note.pdf": result.note_pdf, f"{bid}-note.docx": result.note_docx}
    for name, data in made.items():
        path = staged.out / name
        if data is None:
            staged.remove(name)
            continue
        try:
            staged.write(name, data)
        except OSError as err:
            return _write_failure(path, err)
        entry["outputs"][name] = _digest(data)
    return result.extra_failure


def _write_failure(path: Path, err: OSError) -> Failure:
    return Failure("write failed", type(err).__name__, f"cannot write {path}: "
                   f"{err.strerror or err}")


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
    """One line for a failure as the manifest records it."""
    cell = error.get("cell")
    return Failure(str(error.get("kind") or "failed"), str(error.get("ename") or ""),
                   str(error.get("evalue") or ""), cell if isinstance(cell, int) else None,
                   error.get("source")).describe()


def _summary(outcome: Outcome, out: Path, request: BuildRequest) -> str:
    lines = [f"briefings: {len(outcome.built)} built, {len(outcome.skipped)} skipped (up to date), "
             f"{len(outcome.failed)} failed in {outcome.seconds:.1f} s"
             + (f" (stopped by {outcome.stopped_by})" if outcome.stopped_by else "")]
    if outcome.skipped and outcome.reasons:  # a partial rebuild: say why
        lines.append(f"  rebuilt {len(outcome.reasons)}, up to date {len(outcome.skipped)}; "
                     "why:")
        lines.extend(incremental.summary_reasons(outcome.reasons))
    if outcome.timings:
        t = outcome.timings
        lines.append(f"  summed over briefings: kernel start {t.get('kernel_start', 0):.1f} s, "
                     f"execution {t.get('execute', 0):.1f} s, export {t.get('export', 0):.1f} s"
                     + (f", PDF {t['pdf']:.1f} s" if t.get("pdf") else "")
                     + (f", Word {t['docx']:.1f} s" if t.get("docx") else "")
                     + (f", notes {t['note']:.1f} s" if t.get("note") else "") + " "
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

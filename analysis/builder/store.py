"""The reports folder: atomic writes and the build record ``manifest.json``.

Layout of ``reports/`` (or ``--out``)::

    index.html            every briefing with its parameters, status and summary
    manifest.json         per briefing: parameters, input hashes, what it read (the
                          selections of rows, see analysis.data.recording), output hashes, timings
    rows.json             the data of the last build, row by row: per table, each row's values
                          and hash keyed by its primary key (what the next build diffs against)
    <id>.html             the briefing, code hidden, figures embedded
    <id>.ipynb            the executed notebook
    _failed/<id>.ipynb    the executed notebook of a briefing whose last build failed
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ..data.outputs import FolderLock
from .hashing import file_digest

MANIFEST = "manifest.json"
INDEX = "index.html"
ROWS = "rows.json"
FAILED_DIR = "_failed"
#: 2: inputs without the whole data folder's digest, and what each briefing read
MANIFEST_FORMAT = 2


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``.

    A reader sees the old file or the new one, never half of either.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


#: A temporary file of :func:`write_atomic`: ``.<name>.<8 random characters>.tmp``.
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
#: What an output name in a manifest may look like: a file of the folder or of ``_failed/``.
_OUTPUT_NAME = re.compile(rf"^(?:{FAILED_DIR}/)?[A-Za-z0-9][A-Za-z0-9._-]*$")


def remove_stale_temporaries(out: Path, names: set[str]) -> list[Path]:
    """Delete the temporary files a killed build left for the outputs ``names``.

    Only files of the exact form :func:`write_atomic` makes, for a file the build owns, are
    removed; anything else (``.notes.tmp``) stays.
    """
    removed = []
    for folder, prefix in ((out, ""), (out / FAILED_DIR, f"{FAILED_DIR}/")):
        if not folder.is_dir():
            continue
        for path in folder.glob(".*.tmp"):
            match = _TEMPORARY.match(path.name)
            if match and prefix + match.group("name") in names and path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


def empty_manifest() -> dict[str, Any]:
    return {"format": MANIFEST_FORMAT, "briefings": {}}


def read_manifest(out: Path) -> tuple[dict[str, Any], str | None]:
    """The build record of ``out`` and, when it could not be used, why (one line).

    A missing record is an empty one. A record that is unreadable or of unexpected shape (not
    an object, entries that are not objects, outputs that are not file names of the folder) is
    treated as absent: every briefing is built again.
    """
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty_manifest(), None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        return empty_manifest(), f"{path} cannot be read ({_reason(err)})"
    problem = manifest_problem(data)
    if problem:
        return empty_manifest(), f"{path} {problem}"
    return data, None


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError):
        return err.strerror or type(err).__name__
    if isinstance(err, RecursionError):
        return "nested too deeply"
    return str(err).splitlines()[0][:120]


def manifest_problem(data: Any) -> str | None:
    """What is wrong with the shape of a decoded manifest, or None."""
    if not isinstance(data, dict):
        return f"is not a JSON object (it holds {type(data).__name__})"
    if data.get("format") != MANIFEST_FORMAT:
        return f"has format {data.get('format')!r}, not {MANIFEST_FORMAT}"
    entries = data.get("briefings")
    if not isinstance(entries, dict):
        return "has no 'briefings' object"
    for bid, entry in entries.items():
        if not isinstance(entry, dict):
            return f"has an entry {bid!r} that is not an object"
        if entry.get("status") not in ("built", "failed"):
            return f"has an entry {bid!r} with status {entry.get('status')!r}"
        for key in ("outputs", "inputs", "parameters", "timings", "error", "reads"):
            if key in entry and entry[key] is not None and not isinstance(entry[key], dict):
                return f"has an entry {bid!r} whose {key!r} is not an object"
        for name in list(entry.get("outputs") or {}) + [entry.get("failed_notebook") or ""]:
            if name and (not isinstance(name, str) or not _OUTPUT_NAME.match(name)
                         or ".." in name):
                return f"has an entry {bid!r} naming an output {name!r} outside the folder"
        if any(not isinstance(v, str) for v in (entry.get("outputs") or {}).values()):
            return f"has an entry {bid!r} whose output hashes are not text"
    return None


#: The packs a build makes, by their key in the manifest (:mod:`.pack`, :mod:`.packdocx`).
PACK_FILES = {"pack": "pack.pdf", "pack_docx": "pack.docx"}


def owned_names(manifest: dict[str, Any]) -> set[str]:
    """The files of a reports folder its manifest says the builder wrote."""
    names = {MANIFEST, INDEX, ROWS}
    # a pack it made (pack.pdf, pack.docx) is recorded under "pack" and "pack_docx"
    names.update(name for key, name in PACK_FILES.items() if manifest.get(key))
    for entry in manifest.get("briefings", {}).values():
        names.update(entry.get("outputs") or {})
        if entry.get("failed_notebook"):
            names.add(entry["failed_notebook"])
    return names


def damaged_claims(out: Path) -> set[str]:
    """The files a damaged build record may still call the builder's: those an old or damaged
    record of the builder's own shape (an object whose ``briefings`` entries list ``outputs``)
    names, each a plain name inside the folder; of anything else, only ``manifest.json``
    itself. A damaged record proves nothing, so a file it does not name (``index.html`` under
    another tool's ``{"format": "webapp-1"}``) stays the user's: a build that would write it
    is refused."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {MANIFEST}
    entries = data.get("briefings") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {MANIFEST}
    names = {MANIFEST, INDEX, ROWS}
    names.update(name for key, name in PACK_FILES.items() if data.get(key))
    for entry in entries.values():
        if not isinstance(entry, dict):
            continue
        outputs = entry.get("outputs") if isinstance(entry.get("outputs"), dict) else {}
        for name in [*outputs, entry.get("failed_notebook")]:
            if isinstance(name, str) and _OUTPUT_NAME.match(name) and ".." not in name:
                names.add(name)
    return names


def stamped_inputs(entry: dict[str, Any]) -> dict[str, Any]:
    """What a page's stamp is the digest of: its inputs (notebook, code, parameters, the data
    folder's files other than tables) and the digest of the rows it read."""
    reads = entry.get("reads") or {}
    return {**(entry.get("inputs") or {}), "reads": reads.get("digest")}


def output_names(bid: str) -> tuple[str, str, str]:
    """The files a briefing may write: its page, its notebook, its failed notebook."""
    return f"{bid}.html", f"{bid}.ipynb", f"{FAILED_DIR}/{bid}.ipynb"


def is_reports_folder(out: Path) -> bool:
    """Whether ``out`` was made by the builder: it holds a ``manifest.json`` that is a build
    record, or one so damaged that it cannot be anyone else's (not a JSON object).

    Another tool's ``manifest.json`` (a web app's, say: an object without ``format`` or
    ``briefings``) does not make a folder ours.
    """
    path = out / MANIFEST
    if not path.is_file():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return True
    return not isinstance(data, dict) or "briefings" in data or "format" in data


#: An empty file that keeps an empty folder in git (the checkout's ``reports/`` has one).
PLACEHOLDER = ".gitkeep"


def _only_leftovers(out: Path) -> bool:
    """Whether ``out`` holds nothing but what a build that was killed at once may leave, or the
    placeholder that keeps the folder in git."""
    for path in out.iterdir():
        if path.name.startswith(".briefings-probe-"):
            continue
        if path.name == PLACEHOLDER and path.is_file() and path.stat().st_size == 0:
            continue
        return False
    return True


def check_output_folder(out: Path) -> None:
    """Refuse an output folder the build cannot or must not write into (UsageError, one line).

    Checked before any kernel starts: a dangling symbolic link, a file, a folder under a
    file, a folder that cannot be created or written (``/proc``, a read-only mount), and a
    non-empty folder the builder did not make (it has no ``manifest.json``).
    """
    from ..errors import UsageError, shorten

    try:
        _check_output_folder(out)
    except OSError as err:  # a name too long, a loop of links…
        raise UsageError(f"cannot use --out {shorten(str(out))}: {err.strerror or err}") \
            from None


def _check_output_folder(out: Path) -> None:
    from ..errors import UsageError
    from ..data.outputs import check_target
    from ..data.paths import data_dir

    check_target(out, option="--out", reads=[data_dir()])
    if out.is_symlink() and not out.exists():
        raise UsageError(f"--out {out} is a symbolic link to {os.readlink(out)}, which does not "
                         "exist")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    ancestor = out.absolute()
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"--out {out} is inside {ancestor}, which is a file, not a folder")
    if out.is_dir():
        try:
            foreign = not is_reports_folder(out) and not _only_leftovers(out)
        except OSError as err:
            raise UsageError(f"cannot read the folder {out}: {err.strerror}") from None
        if foreign:
            raise UsageError(f"--out {out} is a folder that briefings did not make (it is not "
                             "empty and has no manifest.json); choose a new or empty folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create the folder {out}: {err.strerror}") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".briefings-probe-", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise UsageError(f"cannot write into {out}: {err.strerror}") from None


class OutputLock(FolderLock):
    """The lock on a reports folder while a build writes into it (:class:`FolderLock`): a second
    build into the same folder is refused at once ("another build (pid N) is writing to DIR")
    rather than interleaving its manifest updates with the first one's."""

    def __init__(self, out: Path):
        super().__init__(out, command="build")
        self.out = out


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as JSON, one key (and one briefing) a line: each value compact, so that the
    C encoder writes it (an indented dump of every briefing's recorded reads took most of a
    no-op rebuild's time)."""
    def compact(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = []
    for key, value in manifest.items():
        if key == "briefings" and isinstance(value, dict) and value:
            inner = ",\n".join(f"  {compact(bid)}: {compact(entry)}" for bid, entry in value.items())
            lines.append(f"{compact(key)}: {{\n{inner}\n}}")
        else:
            lines.append(f"{compact(key)}: {compact(value)}")
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode()


def outputs_intact(out: Path, recorded: dict[str, str]) -> bool:
    """Whether every recorded output exists with the recorded hash."""
    if not recorded:
        return False
    for name, digest in recorded.items():
        path = out / name
        if not path.is_file() or file_digest(path) != digest:
            return False
    return True


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds exactly ``data``; True when written."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True

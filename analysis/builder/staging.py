"""Where a build writes: :class:`StagedOutputs`, a folder beside ``--out`` that the build owns,
swapped into ``--out`` at the end (:func:`analysis.data.outputs.swap_in`).

Every file a build writes (pages, notebooks, PDFs, Word files, notes, the packs, ``index.html``,
``rows.json``, ``manifest.json``) goes into ``.<out name>.psw-stage-<pid>-…`` beside the reports
folder; a file the build deletes (an older PDF, a failed notebook, a stale pack) is only noted.
While the build runs, :meth:`StagedOutputs.path` names the current version of a file: the staged
one, else the one in ``--out``. At the end :meth:`StagedOutputs.commit` moves each staged file in
with ``os.replace``, deletes the files noted, ``manifest.json`` last; all or nothing. A build
that is interrupted or fails discards its staging folder (:meth:`StagedOutputs.discard`):
``--out`` is exactly as it was. Up-to-date outputs are neither read nor copied.

:class:`Outputs` is the same interface writing straight into a folder (each file atomically),
for callers that make a pack outside a build.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import UsageError, shorten
from ..data.outputs import STAGE_MARK, remove_killed_staging, swap_in
from .store import MANIFEST, write_atomic


class Outputs:
    """A reports folder written directly: each file through :func:`.store.write_atomic`."""

    def __init__(self, out: Path | str):
        self.out = Path(out)

    def path(self, name: str) -> Path:
        """Where the current version of ``name`` is read from."""
        return self.out / name

    def write(self, name: str, data: bytes) -> None:
        write_atomic(self.out / name, data)

    def write_if_changed(self, name: str, data: bytes) -> bool:
        """Write unless the file already holds exactly ``data``; True when written."""
        try:
            if self.path(name).read_bytes() == data:
                return False
        except OSError:
            pass
        self.write(name, data)
        return True

    def remove(self, name: str) -> None:
        (self.out / name).unlink(missing_ok=True)


def outputs_of(out: "Outputs | Path | str") -> Outputs:
    """``out`` as :class:`Outputs` (a path is written directly)."""
    return out if isinstance(out, Outputs) else Outputs(out)


class StagedOutputs(Outputs):
    """A build's writes into ``out``, staged in a sibling folder until :meth:`commit`.

    Made after the reports folder is locked: the staging folders that killed runs left beside
    it are removed first. Refused (UsageError, nothing changed) when no folder can be made
    beside ``out``.
    """

    def __init__(self, out: Path | str):
        super().__init__(out)
        real = self.out.resolve()
        remove_killed_staging(real)
        try:
            self.folder = Path(tempfile.mkdtemp(prefix=f".{real.name}{STAGE_MARK}{os.getpid()}-",
                                                dir=real.parent))
        except OSError as err:
            raise UsageError(f"cannot stage the build beside --out {shorten(str(self.out))} "
                             f"(in {shorten(str(real.parent))}): {err.strerror or err}; the "
                             "build writes its files there first; write somewhere else") from None
        self.real = real
        self.staged: set[str] = set()
        self.removed: set[str] = set()

    def path(self, name: str) -> Path:
        if name in self.staged or name in self.removed:
            return self.folder / name
        return self.out / name

    def write(self, name: str, data: bytes) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, 0o644)
        self.staged.add(name)
        self.removed.discard(name)

    def remove(self, name: str) -> None:
        if name in self.staged:
            (self.folder / name).unlink(missing_ok=True)
            self.staged.discard(name)
        if os.path.lexists(self.out / name):
            self.removed.add(name)

    def commit(self) -> None:
        """Move the staged files into ``out`` (``manifest.json`` last) and delete the files
        noted; all or nothing (OSError: ``out`` is as it was). The staging folder goes."""
        try:
            names = sorted(self.staged - {MANIFEST}) + sorted(self.staged & {MANIFEST})
            swap_in(self.real, self.folder, names, remove=sorted(self.removed))
            self.staged.clear()
            self.removed.clear()
        finally:
            self.discard()

    def discard(self) -> None:
        """Forget every write: the staging folder goes, ``out`` is untouched."""
        shutil.rmtree(self.folder, ignore_errors=True)


__all__ = ["Outputs", "StagedOutputs", "outputs_of"]

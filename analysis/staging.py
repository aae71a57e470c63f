"""Write a set of files into a folder all at once, or not at all: :func:`write_all`.

The files are written into a private folder *inside* the target and moved into place (a
rename within one folder, so one file system) only when every one was written. Staging beside
the target instead fails when the target is a mount point ("Invalid cross-device link"), and
staging in the system's temporary folder fails whenever that is another file system.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import UsageError


def write_all(target: Path | str, files: Iterable[tuple[str, str | bytes]], *,
              what: str = "files") -> list[Path]:
    """Write ``files`` (name, text or bytes) into ``target``; return the paths written.

    The folder is created when missing. On any error nothing is moved into place, the
    staging folder is removed, a folder created here is removed again, and UsageError names
    the folder and the error in one line.
    """
    target = Path(target)
    files = list(files)
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create the folder {target}: {err.strerror or err}") from None
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target))
        umask = os.umask(0)
        os.umask(umask)
        for name, data in files:
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
            path.chmod(0o666 & ~umask)  # mkstemp-style privacy is not wanted for these
        written = []
        for name, _ in files:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).replace(target / name)
            written.append(target / name)
        return written
    except OSError as err:
        if created:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            with contextlib.suppress(OSError):
                target.rmdir()
        raise UsageError(f"cannot write the {what} into {target}: {err.strerror or err}"
                         f"{f' ({err.filename})' if err.filename else ''}; nothing written") \
            from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


__all__ = ["write_all"]

"""The reports folder: atomic writes and the build record ``manifest.json``.

Layout of ``reports/`` (or ``--out``)::

    index.html            every briefing with its parameters, status and summary
    manifest.json         per briefing: parameters, input hashes, output hashes, timings
    <id>.html             the briefing, code hidden, figures embedded
    <id>.ipynb            the executed notebook
    _failed/<id>.ipynb    the executed notebook of a briefing whose last build failed
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .hashing import file_digest

MANIFEST = "manifest.json"
INDEX = "index.html"
FAILED_DIR = "_failed"
MANIFEST_FORMAT = 1


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


def remove_stale_temporaries(out: Path) -> None:
    """Delete temporary files a killed build may have left (``.<name>.<random>.tmp``)."""
    for folder in (out, out / FAILED_DIR):
        for path in folder.glob(".*.tmp") if folder.is_dir() else ():
            with contextlib.suppress(OSError):
                path.unlink()


def read_manifest(out: Path) -> dict[str, Any]:
    """The build record of ``out`` (an empty one when missing or unreadable)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"format": MANIFEST_FORMAT, "briefings": {}}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {"format": MANIFEST_FORMAT, "briefings": {}}
    data.setdefault("briefings", {})
    return data


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode()


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

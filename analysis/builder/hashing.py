"""Content hashes of a briefing's inputs and outputs (sha256, hex)."""
from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..paths import PACKAGE_DIR

#: Bump when the builder changes what it writes, so every briefing is built again.
OUTPUT_FORMAT = 1
#: Distributions whose version changes what a briefing's outputs look like.
ENVIRONMENT_PACKAGES = ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "pandas",
                        "matplotlib", "geopandas", "pyogrio", "shapely", "numpy")


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of one file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).parts
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel):
            yield path


def folder_digest(folder: Path, suffixes: tuple[str, ...] | None = None) -> str:
    """sha256 over every file's relative path and content (hidden files and caches left out)."""
    digest = hashlib.sha256()
    for path in _files(folder):
        if suffixes and path.suffix not in suffixes:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(file_digest(path).encode() + b"\n")
    return digest.hexdigest()


def value_digest(value: Any) -> str:
    """sha256 of a JSON value in canonical form (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return bytes_digest(text.encode("utf-8"))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The package's code, the builder's templates, and the versions that shape the outputs."""
    from importlib import metadata

    versions = {}
    for name in ENVIRONMENT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    env = {"python": sys.version.split()[0], "format": OUTPUT_FORMAT, "versions": versions,
           "package": folder_digest(PACKAGE_DIR, (".py", ".j2", ".json", ".css", ".toml"))}
    return value_digest(env)

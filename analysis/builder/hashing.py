"""Content hashes of a briefing's inputs and outputs (sha256, hex)."""
from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..data.paths import PACKAGE_DIR

#: Bump when the builder changes what it writes, so every briefing is built again.
OUTPUT_FORMAT = 1
#: Distributions whose version changes what a briefing's outputs look like.
#: Every library that renders text, pages, figures or maps, or reads the data, is listed: a new
#: version of any of them may change the bytes of a page.
ENVIRONMENT_PACKAGES = ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "ipython",
                        "jupyter_client", "pandas", "numpy", "matplotlib", "matplotlib-inline",
                        "pillow", "geopandas", "pyogrio", "shapely", "pyproj", "country_converter",
                        "mistune", "jinja2", "markupsafe", "pygments", "bleach", "beautifulsoup4",
                        "nh3", "weasyprint", "pydyf", "fonttools", "traitlets")
#: The files of the data folder that are data: an editor's backup (``events.csv~``,
#: ``events.csv.bak``, ``#events.csv#``, ``.events.csv.swp``) is not.
DATA_SUFFIXES = (".csv", ".json", ".geojson")


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of one file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path, exclude: Iterable[Path] = ()) -> Iterable[Path]:
    skip = [Path(p).absolute() for p in exclude]
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).parts
        if any(p.startswith(".") or p == "__pycache__" for p in rel) or not path.is_file():
            continue
        if skip and any(path.absolute().is_relative_to(s) for s in skip):
            continue
        yield path


def folder_digest(folder: Path, suffixes: tuple[str, ...] | None = None,
                  exclude: Iterable[Path] = ()) -> str:
    """sha256 over every file's relative path and content: hidden files, caches, files without
    one of ``suffixes`` and anything under ``exclude`` (a reports folder inside) left out."""
    digest = hashlib.sha256()
    for path in _files(folder, exclude):
        if suffixes and path.suffix not in suffixes:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(file_digest(path).encode() + b"\n")
    return digest.hexdigest()


def value_digest(value: Any) -> str:
    """sha256 of a JSON value in canonical form (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return bytes_digest(text.encode("utf-8"))


def data_digest(folder: Path, exclude: Iterable[Path] = ()) -> str:
    """The data folder's digest: its data files only (see :data:`DATA_SUFFIXES`)."""
    return folder_digest(folder, DATA_SUFFIXES, exclude)


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


def table_paths(folder: Path) -> set[str]:
    """The files of the data folder that hold tables (as ``datapackage.json`` lists them);
    empty when it cannot be read (every file then counts as a file, not a table)."""
    try:
        package = json.loads((Path(folder) / "datapackage.json").read_text(encoding="utf-8"))
        return {str(r["path"]) for r in package.get("resources", []) if isinstance(r, dict)
                and isinstance(r.get("path"), str) and r["path"].endswith(".csv")}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return set()


def data_files_digest(folder: Path, exclude: Iterable[Path] = ()) -> str:
    """The digest of the data folder's files that are not tables: the schema
    (``datapackage.json``), the map geometry. A change to any of them rebuilds every briefing;
    the tables are compared row by row instead (:mod:`analysis.data.recording`)."""
    folder = Path(folder)
    tables = table_paths(folder)
    digest = hashlib.sha256()
    for path in _files(folder, exclude):
        rel = path.relative_to(folder).as_posix()
        if path.suffix not in DATA_SUFFIXES or rel in tables:
            continue
        digest.update(rel.encode() + b"\0" + file_digest(path).encode() + b"\n")
    if not tables:
        digest.update(b"tables unknown\n" + data_digest(folder, exclude).encode())
    return digest.hexdigest()

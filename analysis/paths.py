"""Where the package finds its data, the seed text and its notebooks."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The project checkout, when the package runs from one (editable install or source tree).
PROJECT_DIR = PACKAGE_DIR.parent


def data_dir() -> Path:
    """Folder holding ``datapackage.json`` and the CSV tables.

    A source checkout uses ``<project>/data``; an installed wheel carries a copy in
    ``analysis/_data``. ``PSW_DATA_DIR`` overrides both (used by tests).
    """
    override = os.environ.get("PSW_DATA_DIR")
    if override:
        folder = Path(override)
        if not folder.is_dir():
            from .errors import DataFolderError

            raise DataFolderError(f"PSW_DATA_DIR names {override[:200]}, which is not a folder")
        return folder
    for candidate in (PROJECT_DIR / "data", PACKAGE_DIR / "_data"):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError("no data folder with datapackage.json found beside the package")


def seed_dir() -> Path:
    """Folder holding the chapter's text (``../shared/seed`` from the project root).

    ``PSW_SEED_DIR`` overrides it. The folder may be absent outside the project's workplace.
    """
    override = os.environ.get("PSW_SEED_DIR")
    if override:
        return Path(override)
    return PROJECT_DIR.parent / "shared" / "seed"


def notebooks_dir() -> Path:
    """Folder holding the project's notebooks."""
    return PROJECT_DIR / "notebooks"

"""Where the package finds its data, the seed text and its notebooks."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # analysis/, this module being analysis/data/paths.py
#: The project checkout, when the package runs from one (editable install or source tree).
PROJECT_DIR = PACKAGE_DIR.parent


#: Environment variables naming a folder (see :func:`absolute_environment`).
PATH_VARIABLES = ("PSW_DATA_DIR", "PSW_SEED_DIR")


def absolute_environment() -> None:
    """Make the folders :data:`PATH_VARIABLES` name absolute, read from the current folder.

    Called at the edges (the command line, a build) before any kernel or worker starts: they
    run in other folders, and inherit the environment.
    """
    for name in PATH_VARIABLES:
        value = os.environ.get(name)
        if value and not os.path.isabs(value):
            os.environ[name] = os.path.abspath(value)


def data_dir() -> Path:
    """Folder holding ``datapackage.json`` and the CSV tables.

    A source checkout uses ``<project>/data``; an installed wheel carries a copy in
    ``analysis/_data``. ``PSW_DATA_DIR`` overrides both (used by tests).
    """
    override = os.environ.get("PSW_DATA_DIR")
    if override:
        folder = Path(override)
        if not folder.is_dir():
            from ..errors import DataFolderError

            raise DataFolderError(f"PSW_DATA_DIR names {override[:200]}, which is not a folder")
        return folder.absolute()
    candidates = [PROJECT_DIR / "data"] if in_checkout() else []
    for candidate in (*candidates, _packaged("_data")):
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
    """Folder holding the project's notebooks.

    A source checkout uses ``<project>/notebooks``; an installed wheel carries a copy in
    ``analysis/_notebooks`` (read through :mod:`importlib.resources`).
    """
    checkout = PROJECT_DIR / "notebooks"
    if in_checkout() and checkout.is_dir():
        return checkout
    return _packaged("_notebooks")


def briefing_notebooks_dir() -> Path:
    """Folder holding the briefing notebooks and the default set (``briefings.toml``)."""
    return notebooks_dir() / "briefings"


def docs_dir() -> Path:
    """Folder holding the project's documents (the facilitator guide)."""
    checkout = PROJECT_DIR / "docs"
    if in_checkout() and checkout.is_dir():
        return checkout
    return _packaged("_docs")


def in_checkout() -> bool:
    """Whether the package runs from its source checkout (not from an installed wheel)."""
    return (PROJECT_DIR / "pyproject.toml").is_file()


def _packaged(name: str) -> Path:
    """A folder shipped inside the installed package (see ``pyproject.toml``'s force-include)."""
    from importlib.resources import files

    return Path(str(files("analysis") / name))

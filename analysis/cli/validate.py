"""``briefings validate``: check a data folder against the schema (:mod:`analysis.data.validate`)."""
from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

from . import EXIT_OK, EXIT_PROBLEMS
from ..errors import UsageError


def add_arguments_validate(parser) -> None:
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="data folder to check (default: the project's data/)")


def run_validate(args) -> int:
    from ..data import seed
    from ..data.paths import data_dir
    from ..data.schema import DESCRIPTOR, load_schema
    from ..data.validate import format_problems, validate_folder

    if args.data is not None:
        if not args.data.strip():
            raise UsageError("--data expects a folder, got an empty value (use '.' for the "
                             "current folder)")
        folder = Path(args.data)
        if not folder.exists():
            raise UsageError(f"no such folder: {folder}")
        if not folder.is_dir():
            raise UsageError(f"not a folder: {folder} (give the folder that holds {DESCRIPTOR})")
        if not (folder / DESCRIPTOR).is_file():
            raise UsageError(f"{folder} is not a data package: it holds no {DESCRIPTOR} (a data "
                             f"folder holds {DESCRIPTOR} and its CSV tables, as data/ and the "
                             "folders `briefings export` and `briefings draft` write do)")
    else:
        try:
            folder = data_dir()
        except FileNotFoundError as err:
            raise UsageError(str(err)) from None
        if not folder.is_dir():
            raise UsageError(f"PSW_DATA_DIR names {folder}, which is not a folder")
    if seed.chapter_text_path(folder) is None and not seed.seed_available():
        from ..data.paths import in_checkout

        where = (f"is not at {seed.seed_path()}" if in_checkout() or os.environ.get("PSW_SEED_DIR")
                 else "is not shipped with the package (set PSW_SEED_DIR to a folder holding it)")
        print(f"note: the chapter's text {where}; paragraph locators were checked against the "
              "paragraphs table only, evidence phrases were not checked")
    problems = validate_folder(folder)
    if problems:
        print(format_problems(problems), file=sys.stderr)
        return EXIT_PROBLEMS
    tables = load_schema(folder).tables.values()
    rows = sum(_count_rows(folder, t.path) for t in tables)
    print(f"ok: {folder} is valid ({len(tables)} tables, {rows} rows)")
    return EXIT_OK


def _count_rows(folder: Path, name: str) -> int:
    from ..data.files import read_package_file

    text = read_package_file(folder, name).decode("utf-8")
    return sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1

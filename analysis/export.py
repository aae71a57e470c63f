"""Write the dataset into a folder: ``briefings export DIR [--force]``.

Every table becomes one CSV file (header row, UTF-8, the data files' canonical formatting:
booleans ``true``/``false``, dates ``YYYY-MM-DD``, integers without ``.0``, empty for missing),
next to ``datapackage.json``. The files are written into a temporary folder beside DIR and moved
in only when all of them were written, so a failure leaves DIR as it was.
"""
from __future__ import annotations

import csv
import json
import math
import shutil
import tempfile
from pathlib import Path

from .schema import DESCRIPTOR


def format_cell(value, ftype: str) -> str:
    """One typed value as the data files write it."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if ftype == "boolean":
        return "true" if bool(value) else "false"
    if ftype in ("integer", "year"):
        return str(int(value))
    if ftype == "number":
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    if ftype == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def _write_table(frame, table, path: Path) -> None:
    types = [(f.name, f.type) for f in table.fields]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([name for name, _ in types])
        columns = [frame[name].tolist() for name, _ in types]
        for values in zip(*columns):
            writer.writerow([format_cell(v, ftype) for v, (_, ftype) in zip(values, types)])


def planned_files(dataset) -> list[str]:
    """Names of the files an export writes: one CSV per table, then the descriptor."""
    return [t.path for t in dataset.schema.tables.values()] + [DESCRIPTOR]


def export(directory: Path | str, *, force: bool = False, source: Path | str | None = None) -> list[Path]:
    """Write every table of the dataset (from ``source``, default the project's data) as CSV plus
    ``datapackage.json`` into ``directory``; return the paths written.

    Raises NotADirectoryError when ``directory`` is an existing file and FileExistsError (naming
    the files) when it already holds any of them and ``force`` is false; nothing is written then.
    """
    from .dataset import load

    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} is a file, not a folder")
    dataset = load(source)
    names = planned_files(dataset)
    if not force and target.is_dir():
        clashes = [n for n in names if (target / n).exists()]
        if clashes:
            raise FileExistsError(f"{target} already holds {', '.join(clashes)}; use --force to overwrite")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.export-", dir=target.parent))
    try:
        for table in dataset.schema.tables.values():
            _write_table(dataset[table.name], table, staging / table.path)
        text = json.dumps(dataset.schema.descriptor, indent=2, ensure_ascii=False) + "\n"
        (staging / DESCRIPTOR).write_text(text, encoding="utf-8")
        target.mkdir(exist_ok=True)
        written = []
        for name in names:
            (staging / name).replace(target / name)
            written.append(target / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def add_arguments_export(parser) -> None:
    parser.add_argument("directory", metavar="DIR", help="folder to write into (created when missing)")
    parser.add_argument("--force", action="store_true", help="overwrite files DIR already holds")


def run_export(args) -> int:
    from .cli import EXIT_OK
    from .dataset import DataError
    from .errors import UsageError, WorkbookError

    try:
        written = export(args.directory, force=args.force)
    except (NotADirectoryError, FileExistsError) as err:
        raise UsageError(str(err)) from None
    except DataError as err:
        raise DataError(f"the data does not load: {err}; nothing written") from None
    except OSError as err:
        raise WorkbookError(f"cannot write into {args.directory} ({err}); nothing written") from None
    tables = len(written) - 1
    print(f"wrote {tables} tables and {DESCRIPTOR} to {args.directory}")
    return EXIT_OK

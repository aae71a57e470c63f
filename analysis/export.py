"""Write the dataset into a folder: ``briefings export DIR [--force]``.

Every table becomes one CSV file (header row, UTF-8, the data files' canonical formatting:
booleans ``true``/``false``, dates ``YYYY-MM-DD``, integers without ``.0``, empty for missing),
next to ``datapackage.json``. The files are written into a temporary folder inside DIR and moved
into place only when all of them were written, so a failure leaves DIR as it was.
"""
from __future__ import annotations

import csv
import io
import json
import math
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


def _write_table(frame, table, handle) -> None:
    types = [(f.name, f.type) for f in table.fields]
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

    Raises UsageError (one line) when ``directory`` is a file, when it already holds any of the
    files and ``force`` is false, or when the files cannot be written there; nothing is
    written then. The files are staged inside ``directory`` (see :mod:`analysis.staging`).
    """
    from .dataset import load
    from .errors import UsageError
    from .staging import write_all

    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder")
    dataset = load(source)
    names = planned_files(dataset)
    if not force and target.is_dir():
        clashes = [n for n in names if (target / n).exists()]
        if clashes:
            raise UsageError(f"{target} already holds {', '.join(clashes)}; use --force to "
                             "overwrite")
    files = []
    for table in dataset.schema.tables.values():
        buffer = io.StringIO()
        _write_table(dataset[table.name], table, buffer)
        files.append((table.path, buffer.getvalue()))
    files.append((DESCRIPTOR, json.dumps(dataset.schema.descriptor, indent=2,
                                         ensure_ascii=False) + "\n"))
    return write_all(target, files, what="tables")


def add_arguments_export(parser) -> None:
    parser.add_argument("directory", metavar="DIR", help="folder to write into (created when missing)")
    parser.add_argument("--force", action="store_true", help="overwrite files DIR already holds")


def run_export(args) -> int:
    from .cli import EXIT_OK
    from .dataset import DataError, load
    from .errors import UsageError

    if not str(args.directory).strip():
        raise UsageError("DIR is empty; name the folder to write into ('.' for this one)")
    try:
        load()
    except DataError as err:
        raise DataError(f"the data does not load: {err}; nothing written") from None
    written = export(args.directory, force=args.force)  # UsageError when it cannot write
    tables = len(written) - 1
    print(f"wrote {tables} tables and {DESCRIPTOR} to {args.directory}")
    return EXIT_OK

"""Write the dataset into a folder: ``briefings export DIR [--force]``.

Every table becomes one CSV file (header row, UTF-8, the data files' canonical formatting:
booleans ``true``/``false``, dates ``YYYY-MM-DD``, integers without ``.0``, empty for missing),
next to ``datapackage.json``. The files are written into a temporary folder inside DIR and moved
into place only when all of them were written, so a failure leaves DIR as it was.
"""
from __future__ import annotations

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


def planned_files(dataset) -> list[str]:
    """Names of the files an export writes: one CSV per table, then the descriptor."""
    return [t.path for t in dataset.schema.tables.values()] + [DESCRIPTOR]


def table_csv(frame, table, *, neutralise: bool = False) -> str:
    """One table as the CSV text of a data file; ``neutralise`` makes it safe to open in a
    spreadsheet (see :mod:`analysis.data.csvsafe`): faithful to the data otherwise."""
    from .csvsafe import write_csv

    types = [(f.name, f.type) for f in table.fields]
    columns = [frame[name].tolist() for name, _ in types]
    rows = ([format_cell(v, ftype) for v, (_, ftype) in zip(values, types)]
            for values in zip(*columns))
    return write_csv([name for name, _ in types], rows, neutralise=neutralise)


def export(directory: Path | str, *, force: bool = False, source: Path | str | None = None,
           neutralise: bool = False) -> list[Path]:
    """Write every table of the dataset (from ``source``, default the project's data) as CSV plus
    ``datapackage.json`` into ``directory``; return the paths written.

    Raises UsageError (one line) when ``directory`` is a file, when it already holds any of the
    files and ``force`` is false, or when the files cannot be written there; nothing is
    written then (see :func:`analysis.data.outputs.write_folder`). With ``neutralise`` the CSV files
    are copies for spreadsheets: cells that a spreadsheet would run as a formula start with an
    apostrophe, so they no longer load back to the same tables.
    """
    from .dataset import load
    from .outputs import write_folder
    from .paths import data_dir

    dataset = load(source)
    files = [(table.path, table_csv(dataset[table.name], table, neutralise=neutralise))
             for table in dataset.schema.tables.values()]
    files.append((DESCRIPTOR, json.dumps(dataset.schema.descriptor, indent=2,
                                         ensure_ascii=False) + "\n"))
    return write_folder(directory, files, force=force, what="tables",
                        reads=[Path(source) if source is not None else data_dir()]).paths

"""The one CSV writer for files handed to a person: :func:`write_csv`.

``neutralise=True`` follows OWASP's advice on CSV (formula) injection: a cell that starts with
``=``, ``+``, ``-`` (unless it is a number), ``@``, a tab or a carriage return gets a leading
apostrophe, so Excel and LibreOffice show it as text instead of running it
(``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``). Numbers such as ``-3`` or ``+1.5e3`` are left as
they are. The explorer's "Download the table (CSV)" is always neutralised; ``briefings export``
writes a faithful data package by default (a neutralised cell no longer loads back to the same
value) and neutralised copies with ``--for-spreadsheets``.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Iterable

#: First characters a spreadsheet may read as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?%?")


def neutralise_cell(value: str) -> str:
    """``value`` made safe to open in a spreadsheet (see the module)."""
    if value and value.startswith(FORMULA_STARTS):
        if value[0] in "+-" and _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def write_csv(header: list[str], rows: Iterable[Iterable[object]], *,
              neutralise: bool = False) -> str:
    """CSV text (``\\n`` line ends, minimal quoting) of ``header`` and ``rows``; cells become
    text (``None`` is empty), neutralised when asked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    fix = neutralise_cell if neutralise else (lambda text: text)
    writer.writerow([fix(str(h)) for h in header])
    for row in rows:
        writer.writerow([fix("" if v is None else str(v)) for v in row])
    return buffer.getvalue()


def frame_csv(frame, *, neutralise: bool = True) -> str:
    """A DataFrame as CSV (no index; missing values empty), neutralised by default."""
    import pandas as pd

    values = frame.astype(object).where(frame.notna(), None).values.tolist()
    rows = [["" if v is None or v is pd.NA else v for v in row] for row in values]
    return write_csv(list(map(str, frame.columns)), rows, neutralise=neutralise)


__all__ = ["FORMULA_STARTS", "frame_csv", "neutralise_cell", "write_csv"]

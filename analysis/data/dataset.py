"""Load the curated tables as typed DataFrames."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WorkbookError
from .paths import data_dir
from .schema import Schema, Table, load_schema

_lock = threading.Lock()
_cache: dict[str, "Dataset"] = {}


class DataError(WorkbookError, ValueError):
    """The data folder does not load: a file is missing or broken, or does not match its schema
    (``briefings validate`` lists every problem)."""


class MissingTable(DataError, AttributeError):
    """A table the code reads that the data package does not declare (one line)."""


_HINT = "run `briefings validate` for every problem"


def read_table(table: Table, folder: Path):
    """Read one CSV as typed by the schema (strings stay strings; empty cells become missing).

    Raises :class:`DataError` naming the file when it is missing, unreadable, not UTF-8, lacks a
    declared column or holds a value its type or allowed values refuse.
    """
    import io

    import pandas as pd

    from .files import FileRefused, read_package_file, resource_problem

    problem = resource_problem(table.path)
    if problem:
        raise DataError(f"table {table.name!r}: 'path' {problem}; {_HINT}")
    try:
        raw = read_package_file(folder, table.path)
    except FileRefused as err:
        raise DataError(f"{table.path}: {err}; {_HINT}") from None
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_values=[""],
                            encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(f"{table.path}: cannot be read ({err}); {_HINT}") from None
    absent = [f.name for f in table.fields if f.name not in frame.columns]
    if absent:
        raise DataError(f"{table.path}: no column {', '.join(map(repr, absent))}; {_HINT}")
    extra = [str(c) for c in frame.columns if c not in set(table.field_names)]
    if extra:  # validate refuses them too: the two never disagree
        more = f" and {len(extra) - 1} more" if len(extra) > 1 else ""
        raise DataError(f"{table.path}: column {extra[0][:40]!r}{more} is not declared in "
                        f"datapackage.json; {_HINT}")
    try:
        return _typed(frame, table, pd)
    except (ValueError, TypeError) as err:
        if isinstance(err, DataError):
            raise
        raise DataError(f"{table.path}: a value does not fit its type ({err}); {_HINT}") from None


def _typed(frame, table: Table, pd):
    for f in table.fields:
        col = frame[f.name]
        if f.type == "boolean":
            frame[f.name] = col.map({"true": True, "false": False}).astype("boolean")
        elif f.type in ("integer", "year"):
            frame[f.name] = pd.to_numeric(col).astype("Int64")
        elif f.type == "number":
            frame[f.name] = pd.to_numeric(col).astype("Float64")
        elif f.type == "date":
            frame[f.name] = pd.to_datetime(col, format="%Y-%m-%d").astype(f.dtype)
        else:
            frame[f.name] = col.astype(f.dtype)
            lost = col.notna() & frame[f.name].isna()
            if lost.any():
                bad = sorted(set(col[lost]))
                raise DataError(f"{table.path}: column {f.name!r} holds {', '.join(map(repr, bad))}, "
                                f"not among the allowed values ({', '.join(f.enum)}); "
                                f"{_HINT}")
    return frame[table.field_names]


@dataclass
class Dataset:
    """The chapter's dataset: one DataFrame per table, plus the schema that describes them.

    Tables are attributes (``ds.places``) and items (``ds["places"]``).
    """

    schema: Schema
    frames: dict = field(repr=False)
    folder: Path

    def __getitem__(self, name: str):
        self.schema.table(name)  # a clear KeyError listing the tables
        return self.frames[name]

    def __getattr__(self, name: str):
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        if name.startswith("_"):  # Python's and IPython's own probes (__getstate__, _repr_html_)
            raise AttributeError(name)
        raise MissingTable(f"the data package has no table {name!r} (it declares "
                           f"{', '.join(frames) or 'none'}); `briefings validate` names what a "
                           "package needs")

    def __dir__(self):
        return list(super().__dir__()) + list(self.frames)

    @property
    def table_names(self) -> list[str]:
        return list(self.schema.tables)

    def tables(self):
        """One row per table: name, layer (chapter or context), rows, description."""
        import pandas as pd

        return pd.DataFrame([
            {"table": t.name, "layer": t.layer, "rows": len(self.frames[t.name]),
             "primary_key": ", ".join(t.primary_key), "description": t.description}
            for t in self.schema.tables.values()])

    def describe(self, table: str):
        """One row per field of ``table``: name, type, required, allowed values, description."""
        import pandas as pd

        t = self.schema.table(table)
        return pd.DataFrame([
            {"field": f.name, "type": f.type, "required": f.required,
             "allowed": ", ".join(f.enum) if f.enum else "", "description": f.description}
            for f in t.fields])


def load(folder: str | Path | None = None, *, reload: bool = False) -> Dataset:
    """Load the dataset (cached per folder: a second call returns the same object)."""
    folder = Path(folder) if folder is not None else data_dir()
    key = str(folder.resolve())
    with _lock:
        if reload or key not in _cache:
            try:
                schema = load_schema(folder)
            except (OSError, ValueError, KeyError) as err:
                raise DataError(f"{folder}: the schema (datapackage.json) does not load ({err}); "
                                f"{_HINT}") from None
            from .recording import track

            frames = {name: track(read_table(t, folder), name, t.primary_key)
                      for name, t in schema.tables.items()}
            _cache[key] = Dataset(schema, frames, folder)
        return _cache[key]

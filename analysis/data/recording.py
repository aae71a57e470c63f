"""What a briefing reads from the dataset: the rows, and the selections that chose them.

Every table of a loaded :class:`analysis.data.dataset.Dataset` is a :class:`TrackedFrame`: a
DataFrame that notes, at the lowest level, what is read from it. Selecting rows by a condition
on a column (``t[t["place_id"].isin(ids)]``, ``t.loc[t["kind"] == "office", "name"]``,
``t[t["part_of"].isna()]``, and ``&``, ``|``, ``~`` of those) is not a read: it narrows the
view, and the condition is kept. Anything else done with a view (its values, a copy, a merge, a
group-by, iterating it, its length) is a read, recorded as a *selection*::

    {"table": "events", "where": [["in", "event_id", ["lesotho-elections", ...]]],
     "columns": ["description", ...] | null (every column) | [] (only which rows),
     "rows": ["lesotho-elections", ...]}   # primary keys of the rows it chose

A read of a whole table has ``"where": []`` (and ``"rows": null``: every row). Selections of
the same rows are kept as one, reading the union of their columns. Because the condition itself is recorded, a row
added later that meets it is covered as surely as one edited or removed (see :func:`covers`).
Whatever the recorder does not understand is recorded as a read of the whole view, so that it
errs towards building again, never towards a stale page.

The builder turns recording on for one briefing by setting ``PSW_RECORD_READS`` to a file in
the kernel's environment: each new selection is appended to it as one JSON line at once, so
that what was read is on disk even if the kernel is killed. Outside a build nothing is written.

Only what the kernel itself reads is recorded, so that a recording depends on nothing but the
briefing (never on what the process it was forked from did before). A cache of values derived
from the data (the regions' index) notes the reads that filled it (:func:`noting`) and replays
them on every hit (:func:`replay`): a briefing served from a warm cache records the same reads
as one that filled it.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

import pandas as pd

from ..errors import WorkbookError

#: The environment variable naming the file a briefing's reads are appended to.
ENV = "PSW_RECORD_READS"

_paused = [0]
_state: dict[str, Any] = {"pid": None, "fd": None, "seen": set(), "epoch": 0}
#: the reads being noted for caches being filled (see :func:`noting`)
_notes: list[list] = []


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Read without recording (the builder's own bookkeeping, the recorder's own work)."""
    _paused[0] += 1
    try:
        yield
    finally:
        _paused[0] -= 1


@contextlib.contextmanager
def noting() -> Iterator[list]:
    """Note the reads made in the block (for a cache of values derived from the data, which
    :func:`replay` s them when it serves the value again)."""
    notes: list = []
    _notes.append(notes)
    try:
        yield notes
    finally:
        # by identity: ``list.remove`` compares by value, and an outer block's notes may equal
        # these (or compare frames and indexes element by element)
        del _notes[next(i for i in range(len(_notes) - 1, -1, -1) if _notes[i] is notes)]


def _first_reads(notes: list) -> list:
    """``notes`` without the reads :func:`_record` would not write again: only the first read
    of each selection and columns is written (the later ones find it written), so a replay
    need not repeat the others (a cached value's reads repeat by the hundred)."""
    seen: set = set()
    first = []
    for note in notes:
        info, columns, _ = note
        key = _selection(info, columns)[1]
        if key not in seen:
            seen.add(key)
            first.append(note)
    return first


def replay(notes: list) -> None:
    """Record again the reads :func:`noting` noted (a cache hit reads what its filling read)."""
    for info, columns, index in notes:
        _record(info, columns, index)


#: Values derived from a dataset, kept per dataset object: {(id, name): (dataset, value, notes)}.
_derived: dict[tuple[int, str], tuple] = {}
_derived_lock = threading.RLock()  # a derivation may ask for another


def derived(ds, name, make):
    """``make(ds)``, computed once per dataset object and kept under ``name`` (any hashable: a
    string, or a tuple naming a selection); a hit replays the reads the computation made, so an
    incremental build sees them as this briefing's."""
    key = (id(ds), name)
    with _derived_lock:
        hit = _derived.get(key)
        if hit is None or hit[0] is not ds:  # the dataset is kept, so its id is not reused
            with noting() as notes:
                value = make(ds)
            hit = _derived[key] = (ds, value, _first_reads(notes))
        else:
            replay(hit[2])
        return hit[1]


@contextlib.contextmanager
def recording_to(path) -> Iterator[None]:
    """Record this process's reads into ``path`` while in the block (as a kernel does in a
    build). For tests and scripts."""
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(path)
    _state.update(pid=None, fd=None, seen=set())
    try:
        yield
    finally:
        if _state["fd"] is not None:
            os.close(_state["fd"])
        _state.update(pid=None, fd=None, seen=set(), epoch=_state["epoch"] + 1)
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous


# --- the recorder ----------------------------------------------------------------------------

@dataclass
class _Info:
    """What a tracked object is a view of: a table's rows meeting ``where``, ``columns``."""

    table: str
    base: Any  # the table's plain DataFrame
    keys: tuple[str, ...]
    where: tuple = ()
    columns: tuple[str, ...] | None = None
    done: set = field(default_factory=set)

    def same_rows(self, other: "_Info") -> bool:
        return self.base is other.base and self.where == other.where


def _record(info: _Info, columns: tuple[str, ...] | None, rows_index) -> None:
    for notes in _notes:
        notes.append((info, columns, rows_index))
    pid = os.getpid()
    if _state["pid"] != pid:
        _state.update(pid=pid, fd=None, seen=set(), epoch=_state["epoch"] + 1)
        path = os.environ.get(ENV)
        if path:
            try:
                _state["fd"] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError:
                _state["fd"] = None
    # once per view and recording (a forked kernel, a new recording, records its own reads)
    mark = (pid, _state["epoch"], "all" if columns is None else ",".join(columns))
    if mark in info.done:
        return
    info.done.add(mark)
    selection, key = _selection(info, columns)
    if _state["fd"] is None or key in _state["seen"]:
        return
    with paused():
        try:
            if not info.where:
                raise LookupError  # every row: not listed
            base = info.base
            labels = [i for i in rows_index if i in base.index] if rows_index is not None else \
                list(base.index)
            keyframe = base.loc[labels, list(info.keys)]
            rows = [row_key(values) for values in keyframe.itertuples(index=False, name=None)]
        except Exception:  # noqa: BLE001 - the rows are for people; the selection is what counts
            rows = None
    selection["rows"] = rows
    _write(key, selection)


def _selection(info: _Info, columns: tuple[str, ...] | None) -> tuple[dict, str]:
    """The selection a read of ``columns`` of ``info`` records (its rows aside), and its key."""
    selection = {"table": info.table, "where": list(info.where),
                 "columns": None if columns is None else sorted(set(columns))}
    return selection, json.dumps(selection, sort_keys=True, default=str)


def _write(key: str, selection: dict) -> None:
    if key in _state["seen"] or _state["fd"] is None:
        return
    _state["seen"].add(key)
    line = json.dumps(selection, sort_keys=True, default=str, ensure_ascii=False) + "\n"
    try:
        os.write(_state["fd"], line.encode("utf-8"))
    except OSError:
        pass


#: Tables read from their files rather than through a loaded dataset (see :func:`table_read`).
_FILE_TABLES: dict[str, _Info] = {}


def table_read(table: str, columns: tuple[str, ...] | None = None) -> None:
    """Record a read of ``columns`` of every row of ``table`` made without its tracked frame
    (the sections' order, read from ``sections.csv`` by :mod:`analysis.data.seed` for sorting
    citations): a change of those columns, or a row added or removed, rebuilds the reader."""
    if _paused[0]:
        return
    info = _FILE_TABLES.get(table)
    if info is None:
        info = _FILE_TABLES[table] = _Info(table, None, ())
    mark = (os.getpid(), _state["epoch"], "all" if columns is None else ",".join(columns))
    if not _notes and _state["pid"] == mark[0] and mark in info.done:
        return  # recorded already (sorting calls this once per citation)
    _record(info, columns, None)


def row_key(values) -> str:
    """A row's primary key as text: its values joined by ``|``."""
    return "|".join("" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                    for v in values)


def plain_value(value: Any):
    """A cell's value as plain JSON (str, int, float, bool or None); a date as ``YYYY-MM-DD``.

    Raises TypeError for a value that is not a cell's (a list, a frame)."""
    import numpy as np

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if value != value else float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    raise TypeError(f"not a cell value: {type(value).__name__}")


def _plain_list(values) -> list | None:
    try:
        out = {plain_value(v) for v in values}
    except TypeError:
        return None
    return sorted(out, key=lambda v: (type(v).__name__, str(v)))


# --- tracked objects -------------------------------------------------------------------------

_FREE = frozenset({"_psw", "_typ", "__class__", "__dict__", "__array_priority__", "columns",
                   "dtypes", "_metadata", "__module__", "__doc__", "_pandas_priority"})
_SERIES_FREE = _FREE | {"name", "dtype", "_use", "_combine", "_compare"}
_ROWS_ONLY = frozenset({"index", "shape", "empty", "size"})


def _build(cls, plain, info: _Info):
    with paused():
        obj = cls(plain, copy=False)
        object.__setattr__(obj, "_psw", info)
    return obj


def _read(obj, name: str, columns) -> None:
    with paused():
        info = object.__getattribute__(obj, "_psw")
        index = object.__getattribute__(obj, "index")
        _record(info, () if name in _ROWS_ONLY else columns, index)


class TrackedFrame(pd.DataFrame):
    """A table (or rows of one) that records what is read from it (see the module)."""

    _metadata = ["_psw"]

    @property
    def _constructor(self):
        return pd.DataFrame

    @property
    def _constructor_sliced(self):
        return pd.Series

    def __getattribute__(self, name: str):
        if _paused[0] or name in _FREE:
            return object.__getattribute__(self, name)
        if name == "loc":
            return _Loc(self)
        info = object.__getattribute__(self, "_psw")
        _read(self, name, info.columns)
        if name in _ROWS_ONLY:  # which rows, not their values
            with paused():
                return object.__getattribute__(self, name)
        return object.__getattribute__(self, name)

    def __getitem__(self, key):
        if _paused[0]:
            return pd.DataFrame.__getitem__(self, key)
        info: _Info = object.__getattribute__(self, "_psw")
        with paused():
            columns = list(self.columns)
            if isinstance(key, str) and key in columns:
                return _build(TrackedColumn, pd.DataFrame.__getitem__(self, key),
                              replace(info, columns=(key,), done=set()))
            if isinstance(key, list) and key and all(isinstance(k, str) and k in columns
                                                     for k in key):
                return _build(TrackedFrame, pd.DataFrame.__getitem__(self, key),
                              replace(info, columns=tuple(key), done=set()))
            if isinstance(key, TrackedMask):
                mask_info, pred = object.__getattribute__(key, "_psw")
                if mask_info.same_rows(info) and key.index.equals(self.index):
                    return _build(TrackedFrame, pd.DataFrame.__getitem__(self, key),
                                  replace(info, where=info.where + (pred,), done=set()))
        _read(self, "__getitem__", info.columns)
        return pd.DataFrame.__getitem__(self, key)


class _Loc:
    """``frame.loc[mask]``, ``frame.loc[mask, column(s)]`` as selections; anything else reads."""

    def __init__(self, frame: TrackedFrame):
        self.frame = frame

    def _real(self):
        return object.__getattribute__(self.frame, "loc")

    def __getitem__(self, key):
        rows, cols = key if isinstance(key, tuple) and len(key) == 2 else (key, None)
        frame = self.frame
        view = None
        if isinstance(rows, TrackedMask):
            view = frame[rows]
        elif isinstance(rows, slice) and rows == slice(None):
            view = frame
        if isinstance(view, TrackedFrame):
            if cols is None:
                return view
            if isinstance(cols, str) or (isinstance(cols, list)
                                         and all(isinstance(c, str) for c in cols)):
                return view[cols]
        _read(frame, "loc", object.__getattribute__(frame, "_psw").columns)
        return self._real()[key]

    def __setitem__(self, key, value):
        _read(self.frame, "loc", None)
        self._real()[key] = value

    def __call__(self, *args, **kwargs):  # ``frame.loc(axis=0)``, as pandas itself calls it
        _read(self.frame, "loc", object.__getattribute__(self.frame, "_psw").columns)
        return self._real()(*args, **kwargs)


def _predicate(column: "TrackedColumn", op: str, *args):
    info: _Info = object.__getattribute__(column, "_psw")
    return (op, info.columns[0], *args)


def _mask(column: "TrackedColumn", result, pred) -> "TrackedMask":
    info: _Info = object.__getattribute__(column, "_psw")
    return _build(TrackedMask, result, (replace(info, columns=None, done=set()), pred))


class TrackedColumn(pd.Series):
    """One column of a table's rows: a condition on it selects; any other use reads it."""

    _metadata = ["_psw"]

    @property
    def _constructor(self):
        return pd.Series

    @property
    def _constructor_expanddim(self):
        return pd.DataFrame

    def __getattribute__(self, name: str):
        if _paused[0] or name in _SERIES_FREE:
            return object.__getattribute__(self, name)
        if name in ("isin", "isna", "notna", "isnull", "notnull"):
            return _ColumnTest(self, name)
        info = object.__getattribute__(self, "_psw")
        _read(self, name, info.columns)
        if name in _ROWS_ONLY:
            with paused():
                return object.__getattribute__(self, name)
        return object.__getattribute__(self, name)

    def _compare(self, op: str, other):
        try:
            value = plain_value(other)
        except TypeError:
            value = TypeError
        with paused():
            result = getattr(pd.Series, f"__{op}__")(self, other)
        if value is TypeError or isinstance(other, (pd.Series, pd.DataFrame)):
            _read(self, "compare", object.__getattribute__(self, "_psw").columns)
            return result
        return _mask(self, result, _predicate(self, op, value))

    def __eq__(self, other):
        return self._compare("eq", other)

    def __ne__(self, other):
        return self._compare("ne", other)

    __hash__ = None


class _ColumnTest:
    def __init__(self, column: TrackedColumn, name: str):
        self.column, self.name = column, name

    def __call__(self, *args, **kwargs):
        column = self.column
        if self.name == "isin" and len(args) == 1 and not kwargs:
            values = args[0]
            if not isinstance(values, (str, bytes, dict)):
                values = list(values)  # a tracked column given here is read
                plain = _plain_list(values)
                if plain is not None:
                    with paused():
                        result = pd.Series.isin(column, values)
                    return _mask(column, result, _predicate(column, "in", plain))
        elif self.name != "isin" and not args and not kwargs:
            with paused():
                result = getattr(pd.Series, self.name)(column)
            op = "isna" if self.name in ("isna", "isnull") else "notna"
            return _mask(column, result, _predicate(column, op))
        _read(column, self.name, object.__getattribute__(column, "_psw").columns)
        return getattr(pd.Series, self.name)(column, *args, **kwargs)


class TrackedMask(pd.Series):
    """True/False per row for a recorded condition; ``&``, ``|``, ``~`` keep it a condition.

    Using its values otherwise (``mask.any()``) reads the columns the condition tests."""

    _metadata = ["_psw"]

    @property
    def _constructor(self):
        return pd.Series

    def __getattribute__(self, name: str):
        if _paused[0] or name in _SERIES_FREE:
            return object.__getattribute__(self, name)
        if name in ("astype", "fillna"):
            return _MaskKeep(self, name)
        self._use()
        return object.__getattribute__(self, name)

    def _use(self) -> None:
        with paused():
            info, pred = object.__getattribute__(self, "_psw")
            _record(replace(info, columns=None, done=set()), tuple(sorted(pred_columns(pred))),
                    object.__getattribute__(self, "index"))

    def _combine(self, op: str, other):
        with paused():
            result = getattr(pd.Series, f"__{op}__")(self, other)
        if isinstance(other, TrackedMask):
            info, pred = object.__getattribute__(self, "_psw")
            info2, pred2 = object.__getattribute__(other, "_psw")
            if info.same_rows(info2):
                combined = ("and" if op in ("and", "rand") else "or", [pred, pred2])
                return _build(TrackedMask, result, (info, combined))
            other._use()
        self._use()
        return result

    def __and__(self, other):
        return self._combine("and", other)

    def __or__(self, other):
        return self._combine("or", other)

    def __rand__(self, other):
        return self._combine("rand", other)

    def __ror__(self, other):
        return self._combine("ror", other)

    # ``keep |= other``: pandas would update ``keep``'s values in place and leave its recorded
    # condition as it was (an all-False start recorded as the selection, so that a row added
    # later that meets ``other`` was not covered). A new mask is bound to the name instead.
    def __iand__(self, other):
        return self._combine("and", other)

    def __ior__(self, other):
        return self._combine("or", other)

    def __invert__(self):
        info, pred = object.__getattribute__(self, "_psw")
        with paused():
            result = pd.Series.__invert__(self)
        return _build(TrackedMask, result, (info, ("not", pred)))


class _MaskKeep:
    """``mask.astype(bool)``, ``mask.fillna(False)``: the same condition."""

    def __init__(self, mask: TrackedMask, name: str):
        self.mask, self.name = mask, name

    def __call__(self, *args, **kwargs):
        mask = self.mask
        keeps = (self.name == "astype" and len(args) == 1 and args[0] in (bool, "bool", "boolean")
                 and not kwargs) or (self.name == "fillna" and args == (False,) and not kwargs)
        with paused():
            result = getattr(pd.Series, self.name)(mask, *args, **kwargs)
        if keeps:
            return _build(TrackedMask, result, object.__getattribute__(mask, "_psw"))
        mask._use()
        return result


def track(frame: pd.DataFrame, table: str, keys) -> TrackedFrame:
    """``frame`` (a whole table, keyed by the columns ``keys``) as a :class:`TrackedFrame`."""
    return _build(TrackedFrame, frame, _Info(table, frame, tuple(keys)))


def untracked(frame):
    """The plain DataFrame behind a tracked one (nothing recorded)."""
    if isinstance(frame, TrackedFrame):
        with paused():
            return pd.DataFrame(frame, copy=False)
    return frame


# --- reading a recording, and what it covers -------------------------------------------------

class RecordingProblem(WorkbookError, ValueError):
    """A recording that cannot be read."""


def read_recording(path) -> list[dict]:
    """The selections recorded in ``path`` (one JSON object a line), in canonical order; those
    of the same rows merged into one, reading the union of their columns (which covers a
    change exactly when one of them would)."""
    out: dict[str, dict] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                selection = json.loads(line)
            except ValueError as err:
                raise RecordingProblem(f"a line is not JSON ({err})") from None
            check_selection(selection)
            rows_key = json.dumps([selection["table"], selection["where"]], sort_keys=True,
                                  ensure_ascii=False)
            known = out.get(rows_key)
            if known is None:
                out[rows_key] = selection
            elif known["columns"] is not None:
                known["columns"] = None if selection["columns"] is None else \
                    sorted(set(known["columns"]) | set(selection["columns"]))
    return [out[k] for k in sorted(out)]


def selection_key(selection: dict) -> str:
    return json.dumps([selection["table"], selection["where"], selection["columns"]],
                      sort_keys=True, ensure_ascii=False)


_OPS = {"in": 2, "eq": 2, "ne": 2, "isna": 1, "notna": 1}


def check_selection(selection: Any) -> None:
    """RecordingProblem unless ``selection`` has the recorded shape."""
    if not isinstance(selection, dict) or not isinstance(selection.get("table"), str):
        raise RecordingProblem("a selection is not an object naming its table")
    if not isinstance(selection.get("where"), list):
        raise RecordingProblem(f"a selection of {selection['table']} has no 'where' list")
    for pred in selection["where"]:
        _check_pred(pred)
    columns = selection.get("columns")
    if columns is not None and not (isinstance(columns, list)
                                    and all(isinstance(c, str) for c in columns)):
        raise RecordingProblem(f"a selection of {selection['table']} has bad 'columns'")


def _check_pred(pred: Any) -> None:
    if not isinstance(pred, list) or not pred or not isinstance(pred[0], str):
        raise RecordingProblem(f"a condition is not a list: {str(pred)[:60]}")
    op = pred[0]
    if op in ("and", "or"):
        if len(pred) != 2 or not isinstance(pred[1], list):
            raise RecordingProblem(f"a condition {op!r} has no list of conditions")
        for p in pred[1]:
            _check_pred(p)
    elif op == "not":
        if len(pred) != 2:
            raise RecordingProblem("a condition 'not' has no condition")
        _check_pred(pred[1])
    elif op in _OPS:
        if len(pred) != _OPS[op] + 1 or not isinstance(pred[1], str) \
                or (op == "in" and not isinstance(pred[2], list)):
            raise RecordingProblem(f"a condition {op!r} is malformed")
    else:
        raise RecordingProblem(f"an unknown condition {op!r}")


def pred_columns(pred) -> set[str]:
    op = pred[0]
    if op in ("and", "or"):
        return set().union(*(pred_columns(p) for p in pred[1])) if pred[1] else set()
    if op == "not":
        return pred_columns(pred[1])
    return {pred[1]}


def matches(pred, row: dict) -> bool | None:
    """Whether ``row`` (column -> plain value) meets a condition: True, False, or None when a
    missing value makes it uncertain (which counts as meeting it: never stale)."""
    op = pred[0]
    if op == "and":
        results = [matches(p, row) for p in pred[1]]
        return False if False in results else (None if None in results else True)
    if op == "or":
        results = [matches(p, row) for p in pred[1]]
        return True if True in results else (None if None in results else False)
    if op == "not":
        result = matches(pred[1], row)
        return None if result is None else not result
    value = row.get(pred[1])
    if op == "isna":
        return value is None
    if op == "notna":
        return value is not None
    if value is None:
        return None
    if op == "in":
        return value in pred[2] or (isinstance(value, (int, float)) and float(value) in
                                    [float(v) for v in pred[2] if isinstance(v, (int, float))
                                     and not isinstance(v, bool)])
    equal = value == pred[2]
    return equal if op == "eq" else not equal


def selects(selection: dict, row: dict | None) -> bool:
    """Whether ``row`` (None: absent) is among the rows ``selection`` chose (or may have)."""
    if row is None:
        return False
    return all(matches(p, row) is not False for p in selection["where"])


def covers(selection: dict, old: dict | None, new: dict | None, moved: bool = False) -> bool:
    """Whether a change of one row, from ``old`` to ``new`` (None: absent), changes what
    ``selection`` read: the row is (or was) chosen, and it came, went, or changed in a column
    read."""
    was, now = selects(selection, old), selects(selection, new)
    if not (was or now):
        return False
    if was != now or moved:
        return True
    columns = selection["columns"]
    if columns is None:
        return old != new
    return any(old.get(c) != new.get(c) for c in columns)


def covers_change(selection: dict, change: "RowChange") -> bool:
    """Whether ``change`` (a row of some table) changes what ``selection`` read."""
    return selection["table"] == change.table and covers(selection, change.old, change.new,
                                                         change.moved)


def reads_digest(selections: list[dict], state: "DataState") -> str:
    """The digest of what ``selections`` read from the data ``state``: each selection and the
    keys and read values of the rows it chooses, in table order. Two states give the same
    digest exactly when no row change between them is covered (:func:`covers`)."""
    digest = hashlib.sha256()
    for selection in sorted(selections, key=selection_key):
        digest.update(selection_key(selection).encode("utf-8") + b"\n")
        table = state.tables.get(selection["table"])
        if table is None:
            digest.update(b"\0absent\n")
            continue
        columns = selection["columns"]
        for key, row in table.candidates(selection["where"]):
            if selects(selection, row):
                digest.update(table.line(key, row, columns))
    return digest.hexdigest()


# --- the data, row by row --------------------------------------------------------------------

@dataclass
class TableState:
    """One table's rows as plain values, keyed by primary key, in file order."""

    columns: list[str]
    keys: list[str]
    schema: str
    order: list[str]
    values: dict[str, list]
    #: what :meth:`candidates` and :meth:`line` keep (the state is never changed once made)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def row(self, key: str) -> dict | None:
        values = self.values.get(key)
        return None if values is None else dict(zip(self.columns, values))

    def rows(self) -> list[tuple[str, dict]]:
        """(key, row) of every row, in file order (made once)."""
        if "rows" not in self._memo:
            self._memo["rows"] = [(key, self.row(key)) for key in self.order]
        return self._memo["rows"]

    def candidates(self, where: list) -> list[tuple[str, dict]]:
        """(key, row), in file order, of the rows that may meet every condition of ``where``:
        all of them, but where a condition is ``eq`` or ``in`` text values of one column, only
        the rows whose value there is one of those or missing (:func:`matches` counts a
        missing value as meeting it). The caller still checks each with :func:`selects`."""
        rows = self.rows()
        for pred in where:
            if pred[0] not in ("eq", "in") or pred[1] not in self.columns:
                continue
            wanted = [pred[2]] if pred[0] == "eq" else pred[2]
            if not isinstance(wanted, list) or not all(isinstance(v, str) for v in wanted):
                continue  # numbers compare across types: left to the full check
            index = self._column_index(pred[1])
            positions = set(index.get(None, ()))
            for value in wanted:
                positions.update(index.get(value, ()))
            return [rows[i] for i in sorted(positions)]
        return rows

    def _column_index(self, column: str) -> dict:
        """{value: positions of the rows holding it} for ``column`` (None: the missing)."""
        memo = self._memo.setdefault("index", {})
        if column not in memo:
            index: dict = {}
            for i, (_, row) in enumerate(self.rows()):
                value = row.get(column)
                index.setdefault(value if value is None or isinstance(value, str) else
                                 ("not text",), []).append(i)
            memo[column] = index
        return memo[column]

    def line(self, key: str, row: dict, columns: list | None) -> bytes:
        """The digest's line for ``row`` read in ``columns`` (None: all), made once."""
        memo = self._memo.setdefault("lines", {})
        name = (key, None if columns is None else tuple(columns))
        found = memo.get(name)
        if found is None:
            values = row if columns is None else {c: row.get(c) for c in columns}
            found = memo[name] = json.dumps([key, values], sort_keys=True,
                                            ensure_ascii=False).encode("utf-8") + b"\n"
        return found

    def hashes(self) -> dict[str, str]:
        return {k: _row_hash(v) for k, v in self.values.items()}

    def to_json(self) -> dict:
        return {"columns": self.columns, "keys": self.keys, "schema": self.schema,
                "order": self.order, "values": self.values, "hashes": self.hashes()}


def _row_hash(values: list) -> str:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class DataState:
    """The dataset row by row (see :func:`data_state`); ``problems`` says what it could not
    key (a table whose primary key repeats)."""

    tables: dict[str, TableState]
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"tables": {n: t.to_json() for n, t in self.tables.items()},
                "problems": self.problems}

    @classmethod
    def from_json(cls, data: Any) -> "DataState":
        if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
            raise RecordingProblem("not an object with 'tables'")
        tables = {}
        for name, t in data["tables"].items():
            try:
                table = TableState(list(t["columns"]), list(t["keys"]), str(t["schema"]),
                                   list(t["order"]), dict(t["values"]))
            except (KeyError, TypeError, ValueError):
                raise RecordingProblem(f"table {name!r} is malformed") from None
            if t.get("hashes") != table.hashes() or set(table.order) != set(table.values):
                raise RecordingProblem(f"table {name!r} does not match its row hashes")
            tables[name] = table
        return cls(tables, list(data.get("problems") or []))


def state_of(ds) -> DataState:
    """:func:`data_state` of ``ds``, computed once per dataset object."""
    state = ds.__dict__.get("_row_state")
    if state is None:
        state = data_state(ds)
        ds.__dict__["_row_state"] = state
    return state


def data_state(ds) -> DataState:
    """Every table of ``ds`` as plain values per row, keyed by primary key (nothing recorded)."""
    tables, problems = {}, []
    with paused():
        for name, table in ds.schema.tables.items():
            frame = untracked(ds.frames[name])
            columns = list(frame.columns)
            keys = list(table.primary_key) or columns
            schema = hashlib.sha256(json.dumps(
                [[f.name, f.type, list(f.enum or ())] for f in table.fields] + [keys],
                default=str).encode()).hexdigest()[:16]
            order, values = [], {}
            key_positions = [columns.index(k) for k in keys]
            for raw in frame.astype(object).itertuples(index=False, name=None):
                row = [plain_value(v) for v in raw]
                key = row_key([row[i] for i in key_positions])
                if key in values:
                    problems.append(f"table {name} repeats the key {key!r}")
                    continue
                order.append(key)
                values[key] = row
            tables[name] = TableState(columns, keys, schema, order, values)
    return DataState(tables, problems)


@dataclass(frozen=True)
class RowChange:
    table: str
    key: str
    old: dict | None
    new: dict | None
    #: the rows of its table changed order (a row's place decides ties when sorting)
    moved: bool = False

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else \
            "changed" if self.old != self.new else "moved"

    def describe(self) -> str:
        return f"{self.table} row {self.key} {self.kind}"


def diff(old: DataState, new: DataState) -> tuple[list[RowChange], str | None]:
    """The rows that differ between two states, or why they cannot be compared (one line)."""
    for state in (new, old):
        if state.problems:
            return [], state.problems[0]
    added = sorted(set(new.tables) - set(old.tables))
    if added:
        return [], f"table {added[0]} is new since the last build"
    removed = sorted(set(old.tables) - set(new.tables))
    if removed:
        return [], f"table {removed[0]} was removed since the last build"
    changes = []
    for name, table in new.tables.items():
        before = old.tables[name]
        if (before.schema, before.columns, before.keys) != (table.schema, table.columns,
                                                               table.keys):
            return [], f"the schema of table {name} changed"
        common_old = [k for k in before.order if k in table.values]
        common_new = [k for k in table.order if k in before.values]
        reordered = common_old != common_new
        new_hashes, old_hashes = table.hashes(), before.hashes()
        for key in table.order:
            if key not in old_hashes or new_hashes[key] != old_hashes[key] or reordered:
                changes.append(RowChange(name, key, before.row(key), table.row(key),
                                         reordered))
        for key in before.order:
            if key not in new_hashes:
                changes.append(RowChange(name, key, before.row(key), None))
    return changes, None

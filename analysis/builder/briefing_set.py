"""The default set of briefings, declared in ``notebooks/briefings/briefings.toml``.

Each ``[[briefing]]`` names a notebook and its parameters; ``for_each`` turns one entry into one
briefing per value of a parameter, the values given as a list or as the name of a function the
package registers for it (:data:`VALUE_SOURCES`, e.g. ``analysis.model.queries:regions_with_data``). ``id`` is a template
over the parameters (``"region-{region}"``), made into a file-name-safe slug; without one, the
id is the notebook name followed by the values given. A ``[notebooks]`` table may add notebooks
by name and path (relative to the file); the tests use it for their fixture notebooks.
"""
from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

from ..data.escaping import slug
from ..data.paths import notebooks_dir
from ..errors import ParameterError, shorten

DEFAULT_SET_FILE = "briefings.toml"


#: The suffix of a briefing's note files (``<id>-note.html``): no briefing id may end with it.
NOTE_SUFFIX = "-note"
#: Ids whose files the build writes itself: the index page, the packs, the manifest, the rows.
RESERVED_IDS = frozenset({"index", "pack", "manifest", "rows"})


def default_set_path() -> Path:
    return notebooks_dir() / "briefings" / DEFAULT_SET_FILE


@dataclass
class Briefing:
    """One briefing to build: an id, a notebook and the values given for its parameters."""

    id: str
    notebook: str
    given: dict[str, Any]
    #: every parameter's checked value (defaults filled in), set by the builder
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class BriefingSet:
    briefings: list[Briefing]
    extra_notebooks: dict[str, Path]
    source: Path


def default_id(notebook: str, given: dict[str, Any]) -> str:
    """The id of a briefing without an id template: the notebook, then the values given."""
    return "-".join([slug(notebook, empty="x"), *(slug(given[k], empty="x") for k in sorted(given))])


#: The functions a set's ``for_each`` may name (``"module:function"``), each returning the
#: values of a parameter. Only these are called: a data file never makes the package import
#: or run code it names. A module that offers another adds it here.
VALUE_SOURCES: dict[str, str] = {
    "analysis.model.queries:regions_with_data": "every region and country group that has data",
    "analysis.briefings.country:countries_with_data": "every country with chapter records",
}
#: Longest id template, list of values, or value, a set file may hold.
ID_LIMIT = 200
#: What a parameter value in a set file may be.
SCALARS = (str, int, float, bool)


class _Where:
    """File-and-line locations in a set file, for messages (``briefings.toml:12: ...``)."""

    _HEADER = re.compile(r"^\s*\[\[\s*briefing\s*\]\]")

    def __init__(self, path: Path, text: str):
        self.name = path.name if path.parent == default_set_path().parent else str(path)
        self.lines = text.splitlines()
        self.starts = [i + 1 for i, line in enumerate(self.lines) if self._HEADER.match(line)]

    def entry(self, number: int, key: str | None = None) -> str:
        """Location of the ``number``-th ``[[briefing]]`` (1-based), at ``key`` if found."""
        if number > len(self.starts):
            return f"{self.name}, briefing {number}"
        first = self.starts[number - 1]
        last = self.starts[number] if number < len(self.starts) else len(self.lines) + 1
        line = first
        if key:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            line = next((n for n in range(first, last) if pattern.match(self.lines[n - 1])),
                        first)
        return f"{self.name}:{line}: briefing {number}"


def _values(source: Any, where: str, name: str) -> list[Any]:
    if isinstance(source, list):
        if not source:
            raise ParameterError(f"{where}: for_each {name!r} has no values")
        bad = [v for v in source if not isinstance(v, SCALARS)]
        if bad:
            raise ParameterError(f"{where}: for_each {name!r} values must be text, numbers or "
                                   f"true/false, got {shorten(bad[0])}")
        return source
    if isinstance(source, str) and source in VALUE_SOURCES:
        module_name, _, func_name = source.partition(":")
        return list(getattr(importlib.import_module(module_name), func_name)())
    raise ParameterError(
        f"{where}: for_each {name!r} must be a list of values or one of the registered "
        f"functions ({', '.join(VALUE_SOURCES)}), got {shorten(source)}")


def _check_template(template: str, where: str) -> None:
    """Only plain ``{name}`` fields: no format specs (``{x:>999999999}``), conversions or
    attribute access."""
    import string

    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as err:
        raise ParameterError(f"{where}: the id template {shorten(template)} does not format "
                               f"({err}); write parameters as {{name}}") from None
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ParameterError(f"{where}: the id template {shorten(template)} may only hold "
                                   "plain {name} fields")


def _read_text(path: Path) -> str:
    from ..data.files import FileRefused, read_bounded

    try:
        raw = read_bounded(path, kind="set file", what="briefing set")
    except FileRefused as err:
        raise ParameterError(f"cannot read the briefing set: {err}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ParameterError(f"{path}:{line}: the briefing set is not UTF-8 text (byte "
                               f"0x{raw[err.start]:02x})") from None


def _parse(path: Path) -> tuple[dict, str]:
    if path.is_dir():
        raise ParameterError(f"the briefing set {path} is a folder, not a file")
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"at line (\d+)", str(err))
        raise ParameterError(f"{path}{':' + line.group(1) if line else ''}: not valid TOML: "
                               f"{str(err).split(' (at line')[0]}") from None
    except RecursionError:
        raise ParameterError(f"{path}: nested too deeply to read") from None
    return data, text


def _notebooks_table(data: dict, path: Path, where_name: str) -> dict[str, Path]:
    notebooks = data.get("notebooks") or {}
    if not isinstance(notebooks, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in notebooks.items()):
        raise ParameterError(f"{where_name}: [notebooks] must map names to notebook paths "
                               "(text)")
    return {name: (path.parent / rel).resolve() for name, rel in notebooks.items()}


def read_extra_notebooks(path: Path | None = None) -> dict[str, Path]:
    """The set file's ``[notebooks]`` table alone, without expanding its briefings: enough to
    check a ``--notebook`` option before anything loads the data."""
    path = Path(path) if path else default_set_path()
    data, text = _parse(path)
    return _notebooks_table(data, path, _Where(path, text).name)


def set_file_digest(path: Path | None = None) -> str:
    """sha256 of the set file's bytes (part of the key of :func:`cached_checked_set`)."""
    from .hashing import file_digest

    return file_digest(Path(path) if path else default_set_path())


#: Checked sets kept in the cache folder (the newest ones; older ones are removed).
CHECKED_SETS_KEPT = 8


def cached_checked_set(path: Path | None, key: str, check, before=None) -> BriefingSet:
    """The set at ``path``, expanded, each briefing's ``parameters`` filled by
    ``check(briefing)``; kept in the cache folder under ``key``. ``before()``, when given, runs
    before the set is expanded, only when it is not read from the cache (the builder checks the
    data's text rules there: a cached set was checked with the same data and code).

    ``key`` must change with anything the expansion or the checks read (the set file, the
    data, the package's code, the notebooks): the builder passes a digest of these, so a build
    with nothing to do reads one small JSON file instead of importing pandas and loading the
    data to expand ``for_each`` sources and check region names. A problem is never cached.
    """
    import json

    from .catalog import cache_dir

    path = Path(path) if path else default_set_path()
    folder = cache_dir() / "sets"
    cache_file = folder / f"{key}.json"
    try:
        raw = json.loads(cache_file.read_text(encoding="utf-8"))
        bset = BriefingSet([Briefing(b["id"], b["notebook"], b["given"], b["parameters"])
                            for b in raw["briefings"]],
                           {k: Path(v) for k, v in raw["extra_notebooks"].items()}, path)
        return bset
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if before is not None:
        before()
    bset = load_briefing_set(path)
    for b in bset.briefings:
        b.parameters = check(b)
    raw = {"briefings": [{"id": b.id, "notebook": b.notebook, "given": b.given,
                          "parameters": b.parameters} for b in bset.briefings],
           "extra_notebooks": {k: str(v) for k, v in bset.extra_notebooks.items()}}
    try:
        from .store import write_atomic

        # in the order the check gave (a notebook's declaration order), which the injected
        # parameters cell keeps: sorted here, a build served from the cache differed
        write_atomic(cache_file, json.dumps(raw).encode("utf-8"))
        kept = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[CHECKED_SETS_KEPT:]:
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written costs time, never the build
    return bset


def load_briefing_set(path: Path | None = None) -> BriefingSet:
    """Read, check and expand a briefing set file (the default one when ``path`` is None).

    Every problem is a ParameterError of one line naming the file and line: TOML syntax,
    unknown tables or keys, a notebook that is not a name, parameters that are not a table of
    plain values, an id template that does not format, a ``for_each`` source that is not a
    list or a registered function, two briefings with one id.
    """
    path = Path(path) if path else default_set_path()
    data, text = _parse(path)
    where = _Where(path, text)
    unknown_keys = set(data) - {"briefing", "notebooks"}
    if unknown_keys:
        raise ParameterError(f"{where.name}: unknown table(s) "
                               f"{', '.join(sorted(map(shorten, unknown_keys)))}; "
                               "allowed: briefing, notebooks")
    extra = _notebooks_table(data, path, where.name)
    entries = data.get("briefing") or []
    if not isinstance(entries, list):
        raise ParameterError(f"{where.name}: 'briefing' must be a list of [[briefing]] tables")
    briefings: list[Briefing] = []
    for number, entry in enumerate(entries, start=1):
        briefings.extend(_expand(entry, number, where))
    seen: dict[str, Briefing] = {}
    for b in briefings:
        if b.id in seen:
            first, second = (shorten(", ".join(f"{k}={v}" for k, v in x.given.items()))
                             for x in (seen[b.id], b))
            raise ParameterError(f"{where.name}: two briefings have the id {b.id!r} ({first} and "
                                 f"{second}); values that differ only in case or punctuation give "
                                 "one id: give one an id of its own, or make the data's names "
                                 "distinct")
        if b.id.endswith(NOTE_SUFFIX):  # <id>-note.html is the note of briefing <id>
            raise ParameterError(f"{where.name}: the id {b.id!r} ends with {NOTE_SUFFIX!r}, "
                                   "which names a briefing's two-page note; choose another id")
        if b.id in RESERVED_IDS:  # index.html, pack.pdf and pack.docx are the build's own
            raise ParameterError(f"{where.name}: the id {b.id!r} names a file the build writes "
                                 f"itself ({b.id}.*); choose another id (not "
                                 f"{', '.join(sorted(RESERVED_IDS))})")
        seen[b.id] = b
    return BriefingSet(briefings, extra, path)


def _expand(entry: Any, number: int, where: _Where) -> list[Briefing]:
    here = where.entry(number)
    if not isinstance(entry, dict):
        raise ParameterError(f"{here}: must be a table")
    bad = set(entry) - {"notebook", "parameters", "for_each", "id"}
    if bad or "notebook" not in entry:
        raise ParameterError(f"{here}: needs 'notebook'; allowed keys: notebook, "
                               f"parameters, for_each, id (got "
                               f"{', '.join(sorted(map(str, entry))) or 'none'})")
    notebook = entry["notebook"]
    if not isinstance(notebook, str) or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}",
                                                         notebook):
        raise ParameterError(f"{where.entry(number, 'notebook')}: 'notebook' must be a "
                               f"notebook name (see `briefings list`), got {shorten(notebook)}")
    fixed = entry.get("parameters", {})
    if not isinstance(fixed, dict):
        raise ParameterError(f"{where.entry(number, 'parameters')}: 'parameters' must be a "
                               f"table of name = value, got {shorten(fixed)}")
    for name, value in fixed.items():
        if not isinstance(value, SCALARS) or isinstance(value, str) and len(value) > ID_LIMIT:
            raise ParameterError(f"{where.entry(number, 'parameters')}: parameter {name!r} "
                                   "must be text (at most 200 characters), a number or "
                                   f"true/false, got {shorten(value)}")
    each_source = entry.get("for_each", {})
    if not isinstance(each_source, dict):
        raise ParameterError(f"{where.entry(number, 'for_each')}: 'for_each' must be a table "
                               f"of name = values, got {shorten(each_source)}")
    each = {name: _values(src, where.entry(number, "for_each"), name)
            for name, src in each_source.items()}
    template = entry.get("id")
    if template is not None and (not isinstance(template, str) or not template.strip()
                                 or len(template) > ID_LIMIT):
        raise ParameterError(f"{where.entry(number, 'id')}: 'id' must be a template like "
                               f"\"region-{{region}}\", got {shorten(template)}")
    if template is not None:
        _check_template(template, where.entry(number, "id"))
    out = []
    for combo in product(*each.values()):
        given = {**fixed, **dict(zip(each, combo))}
        try:
            bid = slug(template.format(**{k: slug(v, empty="x") for k, v in given.items()}), empty="x") \
                if template else default_id(notebook, given)
        except KeyError as err:
            raise ParameterError(f"{where.entry(number, 'id')}: the id template names {err} "
                                   "which is not a parameter of the entry") from None
        except (ValueError, IndexError, AttributeError) as err:
            raise ParameterError(f"{where.entry(number, 'id')}: the id template "
                                   f"{shorten(template)} does not format ({err}); write "
                                   "parameters as {name}") from None
        out.append(Briefing(bid, notebook, given))
    return out

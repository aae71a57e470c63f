"""The default set of briefings, declared in ``notebooks/briefings/briefings.toml``.

Each ``[[briefing]]`` names a notebook and its parameters; ``for_each`` turns one entry into one
briefing per value of a parameter, the values given as a list or as ``"module:function"`` (a
function returning the list, e.g. ``analysis.queries:regions_with_data``). ``id`` is a template
over the parameters (``"region-{region}"``), made into a file-name-safe slug; without one, the
id is the notebook name followed by the values given. A ``[notebooks]`` table may add notebooks
by name and path (relative to the file); the tests use it for their fixture notebooks.
"""
from __future__ import annotations

import importlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

from ..paths import notebooks_dir
from .catalog import ParameterProblem

DEFAULT_SET_FILE = "briefings.toml"


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


def slug(text: Any) -> str:
    """Lower-case ASCII letters, digits and dashes: ``"Côte d'Ivoire"`` -> ``cote-d-ivoire``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def default_id(notebook: str, given: dict[str, Any]) -> str:
    """The id of a briefing without an id template: the notebook, then the values given."""
    return "-".join([slug(notebook), *(slug(given[k]) for k in sorted(given))])


def _values(source: Any, where: str) -> list[Any]:
    if isinstance(source, list):
        return source
    if isinstance(source, str) and ":" in source:
        module_name, _, func_name = source.partition(":")
        try:
            func = getattr(importlib.import_module(module_name), func_name)
        except (ImportError, AttributeError) as err:
            raise ParameterProblem(f"{where}: cannot use {source!r} ({err})") from None
        return list(func())
    raise ParameterProblem(f"{where}: for_each values must be a list or 'module:function', "
                           f"got {source!r}")


def load_briefing_set(path: Path | None = None) -> BriefingSet:
    """Read and expand a briefing set file (the default one when ``path`` is None)."""
    path = Path(path) if path else default_set_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ParameterProblem(f"cannot read the briefing set {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise ParameterProblem(f"{path} is not valid TOML: {err}") from None
    extra = {name: (path.parent / rel).resolve()
             for name, rel in (data.get("notebooks") or {}).items()}
    unknown_keys = set(data) - {"briefing", "notebooks"}
    if unknown_keys:
        raise ParameterProblem(f"{path}: unknown table(s) {', '.join(sorted(unknown_keys))}; "
                               "allowed: briefing, notebooks")
    briefings: list[Briefing] = []
    for number, entry in enumerate(data.get("briefing") or [], start=1):
        where = f"{path.name}, briefing {number}"
        bad = set(entry) - {"notebook", "parameters", "for_each", "id"}
        if bad or "notebook" not in entry:
            raise ParameterProblem(f"{where}: needs 'notebook'; allowed keys: notebook, "
                                   f"parameters, for_each, id (got {', '.join(sorted(entry))})")
        fixed = dict(entry.get("parameters") or {})
        each = {name: _values(src, where) for name, src in (entry.get("for_each") or {}).items()}
        for combo in product(*each.values()):
            given = {**fixed, **dict(zip(each, combo))}
            template = entry.get("id")
            try:
                bid = slug(template.format(**{k: slug(v) for k, v in given.items()})) \
                    if template else default_id(entry["notebook"], given)
            except KeyError as err:
                raise ParameterProblem(f"{where}: id template names {err} which is not a "
                                       "parameter of the entry") from None
            briefings.append(Briefing(bid, entry["notebook"], given))
    seen: dict[str, Briefing] = {}
    for b in briefings:
        if b.id in seen:
            raise ParameterProblem(f"{path.name}: two briefings have the id {b.id!r}")
        seen[b.id] = b
    return BriefingSet(briefings, extra, path)

"""The briefing notebooks the builder knows, their declared parameters, and value checking.

Notebooks come from :mod:`analysis.params` (``NOTEBOOKS``) plus any ``[notebooks]`` table of the
manifest file (used by tests for fixture notebooks). A notebook's parameters are read from its
``parameters`` cell with ``papermill.inspect_notebook``; the result is cached by the notebook's
hash under ``.cache/briefings/`` so that a build with nothing to do never imports papermill.
Allowed values and normalisation are :mod:`analysis.params`' business; notebooks it does not
declare are checked for names and types only.
"""
from __future__ import annotations

import ast
import difflib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import shorten
from ..paths import PROJECT_DIR
from .hashing import file_digest

TYPES = {"str": str, "int": int, "float": float, "bool": bool}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


class ParameterProblem(ValueError):
    """A notebook, parameter or value the user asked for that is not allowed (exit 2)."""


@dataclass(frozen=True)
class Declared:
    """One parameter as the notebook's ``parameters`` cell declares it."""

    name: str
    type_name: str  # str, int, float, bool, or the annotation papermill reports
    default: str  # the default as written in the cell (a Python literal)
    help: str

    @property
    def default_value(self) -> Any:
        try:
            return ast.literal_eval(self.default)
        except (ValueError, SyntaxError):
            return self.default


def cache_dir() -> Path:
    """Project-local cache folder (``.cache/briefings``); ``PSW_CACHE_DIR`` overrides it."""
    return Path(os.environ.get("PSW_CACHE_DIR") or PROJECT_DIR / ".cache" / "briefings")


def _close(value: str, options: list[str]) -> str:
    if len(value) > 200:  # no name is that long; difflib would only take its time
        return ""
    hits = difflib.get_close_matches(value, options, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(h) for h in hits)}?)" if hits else ""


def _params_module():
    """``analysis.params`` when present (the briefing notebooks' declarations), else None."""
    try:
        from .. import params
    except ImportError:  # pragma: no cover - only before the briefing notebooks existed
        return None
    return params


class Catalog:
    """Notebook name -> path, with parameter declarations and checking."""

    def __init__(self, extra_notebooks: dict[str, Path] | None = None):
        params = _params_module()
        self.params = params
        self.notebooks: dict[str, Path] = dict(getattr(params, "NOTEBOOKS", {}) or {})
        if not self.notebooks:
            folder = PROJECT_DIR / "notebooks" / "briefings"
            self.notebooks = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
        self.notebooks.update(extra_notebooks or {})
        self._declared: dict[str, dict[str, Declared]] = {}

    # --- notebooks and their declarations ---------------------------------------------------

    def path(self, notebook: str) -> Path:
        """Path of ``notebook``; ParameterProblem listing the notebooks when unknown."""
        if notebook not in self.notebooks:
            names = sorted(self.notebooks)
            raise ParameterProblem(f"unknown notebook {shorten(notebook)}{_close(notebook, names)}; "
                                   f"notebooks: {', '.join(names)}")
        path = self.notebooks[notebook]
        if not Path(path).is_file():
            raise ParameterProblem(f"notebook {shorten(notebook)} has no file at {path}")
        return Path(path)

    def declared(self, notebook: str) -> dict[str, Declared]:
        """The parameters of ``notebook``'s ``parameters`` cell, in order (cached by hash)."""
        if notebook in self._declared:
            return self._declared[notebook]
        path = self.path(notebook)
        digest = file_digest(path)
        cache_file = cache_dir() / "parameters" / f"{digest}.json"
        try:
            raw = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            from .quiet import quiet_imports

            with quiet_imports():
                import papermill

            raw = list(papermill.inspect_notebook(str(path)).values())
            raw = [{k: p.get(k) for k in ("name", "inferred_type_name", "default", "help")}
                   for p in raw]
            try:
                from .store import write_atomic

                write_atomic(cache_file, json.dumps(raw, indent=1).encode())
            except OSError:
                pass  # a read-only checkout still works, only slower
        declared = {p["name"]: Declared(p["name"], self._type_name(notebook, p), p["default"],
                                        p.get("help") or "") for p in raw}
        self._declared[notebook] = declared
        return declared

    def _type_name(self, notebook: str, raw: dict) -> str:
        spec = self._param_spec(notebook, raw["name"])
        if spec is not None:
            return spec.type.__name__
        name = raw.get("inferred_type_name") or "None"
        if name in TYPES:
            return name
        try:  # no annotation: the type of the default literal
            return type(ast.literal_eval(raw["default"])).__name__
        except (ValueError, SyntaxError):
            return "str"

    def _param_spec(self, notebook: str, name: str):
        table = getattr(self.params, "PARAMETERS", {}) if self.params else {}
        return table.get(notebook, {}).get(name)

    def managed(self, notebook: str) -> bool:
        """Whether :mod:`analysis.params` declares ``notebook`` (allowed values, normalising)."""
        return bool(self.params) and notebook in getattr(self.params, "PARAMETERS", {})

    def allowed(self, notebook: str, name: str) -> tuple[list[str] | None, list[str]]:
        """(closed list of allowed values or None, example values) for one parameter."""
        if not self.managed(notebook):
            return None, []
        allowed = self.params.allowed_values(notebook, name)
        examples = [] if allowed is not None else list(self.params.suggested_values(notebook, name))
        return allowed, examples

    # --- values ---------------------------------------------------------------------------

    def parse_cli_value(self, notebook: str, name: str, text: str) -> Any:
        """Turn ``--param name=text`` into a value of the parameter's declared type."""
        declared = self._known(notebook, name)
        kind = declared.type_name
        where = f"parameter {shorten(name)} of notebook {shorten(notebook)}"
        try:
            if kind == "bool":
                low = text.strip().casefold()
                if low not in _TRUE | _FALSE:
                    raise ValueError
                return low in _TRUE
            if kind == "int":
                return int(text)
            if kind == "float":
                return float(text)
        except ValueError:
            expected = "true or false" if kind == "bool" else f"a number ({kind})"
            raise ParameterProblem(f"{where} expects {expected}, got {shorten(text)}") from None
        return text

    def _known(self, notebook: str, name: str) -> Declared:
        declared = self.declared(notebook)
        if name not in declared:
            names = list(declared)
            raise ParameterProblem(
                f"notebook {shorten(notebook)} has no parameter {shorten(name)}{_close(name, names)}; "
                f"parameters: {', '.join(names) or '(none)'}")
        return declared[name]

    def check(self, notebook: str, values: dict[str, Any]) -> dict[str, Any]:
        """Every parameter's checked value (defaults filled in), or ParameterProblem.

        Notebooks declared in :mod:`analysis.params` go through its ``check_parameters``
        (allowed values, normalised names); others get name and type checks here.
        """
        self.path(notebook)
        declared = self.declared(notebook)
        for name, value in values.items():
            kind = self._known(notebook, name).type_name
            expected = TYPES.get(kind)
            ok = expected is None or isinstance(value, expected) and \
                (expected is bool or not isinstance(value, bool)) or \
                (expected is float and isinstance(value, int) and not isinstance(value, bool))
            if not ok:
                raise ParameterProblem(
                    f"parameter {shorten(name)} of notebook {shorten(notebook)} expects {kind}, "
                    f"got {type(value).__name__} {shorten(value)}")
        if self.managed(notebook):
            try:
                checked = self.params.check_parameters(notebook, values)
            except ValueError as err:
                raise ParameterProblem(str(err)) from None
            return {k: _plain(v) for k, v in checked.items()}
        out = {name: d.default_value for name, d in declared.items()}
        out.update(values)
        return {k: _plain(v) for k, v in out.items()}


def _plain(value: Any) -> Any:
    """A plain JSON type (papermill turns numpy scalars, paths and dates into strings)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    return str(value)

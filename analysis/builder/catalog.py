"""The briefing notebooks the builder knows, their declared parameters, and value checking.

Notebooks are the briefing kinds of :mod:`analysis.briefings` (each declared once, with its
parameters) plus any ``[notebooks]`` table of the briefing set file (used by tests for fixture
notebooks). A kind's parameters come from its declaration; a fixture notebook's are read from
its ``parameters`` cell with ``papermill.inspect_notebook``, cached by the notebook's hash under
the cache folder so that a build with nothing to do never imports papermill. Allowed values and
normalisation are :mod:`analysis.briefings.params`' business; fixture notebooks are checked for names and
types only.
"""
from __future__ import annotations

import ast
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ParameterError, close_matches, did_you_mean
from ..data.paths import PROJECT_DIR, in_checkout
from ..errors import shorten
from .hashing import file_digest

TYPES = {"str": str, "int": int, "float": float, "bool": bool}



@dataclass(frozen=True)
class Declared:
    """One parameter as the notebook declares it."""

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
    """The builder's cache folder: ``PSW_CACHE_DIR``, else ``.cache/briefings`` in the checkout,
    else (an installed package) ``$XDG_CACHE_HOME/peace-security-workbook/briefings``."""
    override = os.environ.get("PSW_CACHE_DIR")
    if override:
        return Path(override)
    if in_checkout():
        return PROJECT_DIR / ".cache" / "briefings"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "peace-security-workbook" / "briefings"


def use_persistent_matplotlib_cache() -> None:
    """MPLCONFIGDIR persistent and writable, for this process's workers and their kernels
    (the local pool and the cluster's briefing processes alike)."""
    if "MPLCONFIGDIR" not in os.environ:
        folder = cache_dir().parent / "matplotlib"  # .cache/matplotlib in a checkout
        try:
            folder.mkdir(parents=True, exist_ok=True)
            os.environ["MPLCONFIGDIR"] = str(folder)
        except OSError:
            pass


class _Kinds(Mapping):
    """Kind name -> :class:`~analysis.briefings.base.BriefingKind`: its names known without
    importing the kinds (``in``, iteration), a kind's module imported when it is looked up."""

    def __init__(self, names: list[str]):
        self._names = list(names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __getitem__(self, name: str):
        if name not in self._names:
            raise KeyError(name)
        from ..briefings import registry

        return registry.kind(name)

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _close(value: str, options: list[str]) -> str:
    return did_you_mean(close_matches(value, options))


class Catalog:
    """Notebook name -> path, with parameter declarations and checking."""

    def __init__(self, extra_notebooks: dict[str, Path] | None = None):
        from ..briefings import registry

        extra = {name: Path(path) for name, path in (extra_notebooks or {}).items()}
        #: The kinds' declarations by name, a kind's module imported on first use.
        self.kinds = _Kinds([name for name in registry.names() if name not in extra])
        self.notebooks: dict[str, Path] = {name: registry.notebook_path(name) for name in self.kinds}
        self.notebooks.update(extra)
        self._declared: dict[str, dict[str, Declared]] = {}

    # --- notebooks and their declarations ---------------------------------------------------

    def path(self, notebook: str) -> Path:
        """Path of ``notebook``; ParameterError listing the notebooks when unknown."""
        if notebook not in self.notebooks:
            names = sorted(self.notebooks)
            raise ParameterError(f"unknown notebook {shorten(notebook)}{_close(notebook, names)}; "
                                   f"notebooks: {', '.join(names)}", notebook=notebook,
                                   allowed=names)
        path = self.notebooks[notebook]
        if not Path(path).is_file():
            raise ParameterError(f"notebook {shorten(notebook)} has no file at {path}", notebook=notebook)
        return Path(path)

    def summary(self, notebook: str) -> str:
        """One line on what the notebook briefs on (empty for a fixture notebook)."""
        kind = self.kinds.get(notebook)
        return f"{kind.title}: {kind.summary}" if kind else ""

    def declared(self, notebook: str) -> dict[str, Declared]:
        """The parameters of ``notebook``, in order: its kind's declaration, or for a fixture
        notebook its ``parameters`` cell (cached by hash)."""
        if notebook in self._declared:
            return self._declared[notebook]
        kind = self.kinds.get(notebook)
        if kind is not None:
            self.path(notebook)
            declared = {p.name: Declared(p.name, p.type_name, repr(p.default), p.help)
                        for p in kind.parameters}
        else:
            declared = self._inspect(notebook)
        self._declared[notebook] = declared
        return declared

    def _inspect(self, notebook: str) -> dict[str, Declared]:
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
                pass  # a read-only cache still works, only slower
        return {p["name"]: Declared(p["name"], self._type_name(p), p["default"], p.get("help") or "")
                for p in raw}

    @staticmethod
    def _type_name(raw: dict) -> str:
        name = raw.get("inferred_type_name") or "None"
        if name in TYPES:
            return name
        try:  # no annotation: the type of the default literal
            return type(ast.literal_eval(raw["default"])).__name__
        except (ValueError, SyntaxError):
            return "str"

    def managed(self, notebook: str) -> bool:
        """Whether ``notebook`` is a declared briefing kind (allowed values, normalising)."""
        return notebook in self.kinds

    def allowed(self, notebook: str, name: str) -> tuple[list[str] | None, list[str]]:
        """(closed list of allowed values or None, example values) for one parameter."""
        if not self.managed(notebook):
            return None, []
        from ..briefings import params

        allowed = params.allowed_values(notebook, name)
        examples = [] if allowed is not None else list(params.suggested_values(notebook, name))
        return allowed, examples

    # --- values ---------------------------------------------------------------------------

    def parse_cli_value(self, notebook: str, name: str, text: str) -> Any:
        """Turn ``--param name=text`` into a value of the parameter's declared type."""
        declared = self._known(notebook, name)
        kind = declared.type_name
        where = f"parameter {shorten(name)} of notebook {shorten(notebook)}"
        try:
            if kind == "bool":
                from ..briefings.params import parse_bool  # the briefings package: heavy

                value = parse_bool(text)
                if value is None:
                    raise ValueError
                return value
            if kind == "int":
                return int(text)
            if kind == "float":
                return float(text)
        except ValueError:
            expected = "true or false" if kind == "bool" else f"a number ({kind})"
            raise ParameterError(f"{where} expects {expected}, got {shorten(text)}") from None
        return text

    def _known(self, notebook: str, name: str) -> Declared:
        declared = self.declared(notebook)
        if name not in declared:
            names = list(declared)
            raise ParameterError(
                f"notebook {shorten(notebook)} has no parameter {shorten(name)}{_close(name, names)}; "
                f"parameters: {', '.join(names) or '(none)'}")
        return declared[name]

    def check(self, notebook: str, values: dict[str, Any]) -> dict[str, Any]:
        """Every parameter's checked value (defaults filled in), or ParameterError.

        Declared briefing kinds go through :func:`analysis.briefings.params.check_parameters`
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
                raise ParameterError(
                    f"parameter {shorten(name)} of notebook {shorten(notebook)} expects {kind}, "
                    f"got {type(value).__name__} {shorten(value)}")
        if self.managed(notebook):
            from ..briefings.params import check_parameters

            return {k: _plain(v) for k, v in check_parameters(notebook, values).items()}
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

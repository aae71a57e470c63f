"""The briefing kinds, registered by name (as papermill registers its engines).

Each module of this package declares one kind: a subclass of
:class:`~analysis.briefings.base.Briefing` whose ``kind`` attribute is its
:class:`~analysis.briefings.base.BriefingKind` (``KIND = BriefingKind(name=..., ...)`` at the
top of the module), decorated with :func:`register`. A new kind takes one module here, one
notebook in ``notebooks/briefings/`` and one entry in ``briefings.toml``; nothing else lists the
kinds.

The kinds' names and notebooks are read from the modules' source, without importing them
(:func:`names`, :func:`notebook_path`): a refused ``--notebook`` or a build with nothing to do
never imports the kinds, their prose and their queries. A kind's module is imported on first
real use (:func:`briefing_class`, :func:`kind`), every kind's by :func:`classes` and
:func:`kinds`.
"""
from __future__ import annotations

import ast
import importlib
import pkgutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ParameterError, close_matches, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from .base import Briefing, BriefingKind

#: Modules of this package that declare no kind.
_NOT_KINDS = {"base", "registry", "cells", "displays", "kernels", "note", "params"}
_lock = threading.RLock()
_classes: dict[str, type["Briefing"]] = {}
#: Kind name -> (its module, its notebook file as declared, None when not a literal), read from
#: the modules' source by :func:`_discover`.
_declared: dict[str, tuple[str, str | None]] = {}
_discovered = False


def register(cls: type["Briefing"]) -> type["Briefing"]:
    """Register a briefing class under its kind's name (usable as a class decorator).

    Registering the same class again is harmless; another class under a taken name is refused.
    """
    name = cls.kind.name
    with _lock:
        if _classes.get(name, cls) is not cls:
            raise ValueError(f"a briefing kind named {name!r} is already registered "
                             f"({_classes[name].__module__}.{_classes[name].__qualname__})")
        _classes[name] = cls
    return cls


def unregister(name: str) -> None:
    """Forget the kind ``name`` (tests register fake kinds and remove them again)."""
    with _lock:
        _classes.pop(name, None)
        _declared.pop(name, None)


def _literal_kind(source: str) -> tuple[str | None, str | None] | None:
    """(name, notebook) of the module-level ``KIND = BriefingKind(...)`` in ``source``, each
    None when not a literal string; None when the module declares no kind."""
    start = source.find("\nKIND = BriefingKind(")
    if start < 0:
        return None
    end = source.find("\n)\n", start)  # the declaration alone: parsing it is ~10 times faster
    try:
        body = ast.parse(source[start:end + 3]).body if end > 0 else []
    except SyntaxError:
        body = []
    for node in body or ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "KIND"
                                                for t in node.targets) \
                and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "BriefingKind":
            words = {k.arg: k.value for k in node.value.keywords}

            def literal(key: str) -> str | None:
                value = words.get(key)
                return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None

            name = literal("name")
            notebook = literal("notebook") if "notebook" in words else (name and f"{name}.ipynb")
            return name, notebook
    return None


def _discover() -> None:
    """Read the kinds this package's modules declare, without importing them (a module whose
    kind's name is not a literal is imported, and registers itself)."""
    global _discovered
    with _lock:
        if _discovered:
            return
        package = importlib.import_module(__package__)
        for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if module.name in _NOT_KINDS or module.name.startswith("_"):
                continue
            qualified = f"{__package__}.{module.name}"
            spec = module.module_finder.find_spec(qualified, None) or \
                module.module_finder.find_spec(module.name, None)
            try:
                source = Path(spec.origin).read_text(encoding="utf-8")
                found = _literal_kind(source)
                if found is None and "@register" in source:
                    found = (None, None)  # a kind declared otherwise: import it to know
            except (AttributeError, TypeError, OSError, SyntaxError, UnicodeDecodeError, ValueError):
                found = (None, None)  # not readable as source: import it to know
            if found is None:
                continue
            name, notebook = found
            if name is None:
                importlib.import_module(qualified)
            else:
                _declared.setdefault(name, (qualified, notebook))
        _discovered = True


def names() -> list[str]:
    """The kinds' names, sorted (no kind's module imported)."""
    _discover()
    with _lock:
        return sorted(set(_declared) | set(_classes))


def _unknown(name: str) -> ParameterError:
    known = names()
    return ParameterError(f"unknown notebook {name!r}{did_you_mean(close_matches(name, known))}; "
                          f"notebooks: {', '.join(known)}", notebook=name, allowed=known)


def notebook_location(notebook_file: str) -> Path:
    """Where a kind's notebook file is: an absolute path as it is, a name in the briefing
    notebooks folder (the project's or the installed package's copy)."""
    path = Path(notebook_file)
    if path.is_absolute():
        return path
    from ..data.paths import briefing_notebooks_dir

    return briefing_notebooks_dir() / path


def notebook_path(name: str) -> Path:
    """The notebook of kind ``name``, read from its declaration without importing its module
    when the declaration gives it literally; ParameterError for an unknown kind."""
    _discover()
    with _lock:
        cls = _classes.get(name)
        declared = _declared.get(name)
    if cls is None and declared is not None and declared[1] is not None:
        return notebook_location(declared[1])
    return kind(name).notebook_path


def briefing_class(name: str) -> type["Briefing"]:
    """The class of kind ``name`` (its module imported on first use); ParameterError listing
    the kinds for an unknown one."""
    _discover()
    with _lock:
        cls = _classes.get(name)
        declared = _declared.get(name)
        if cls is None and declared is not None:
            importlib.import_module(declared[0])
            cls = _classes.get(name)
    if cls is None:
        raise _unknown(name)
    return cls


def classes() -> dict[str, type["Briefing"]]:
    """Kind name -> briefing class, every kind (each kind's module imported)."""
    for name in names():
        briefing_class(name)
    with _lock:
        return dict(_classes)


def kind(name: str) -> "BriefingKind":
    """The declaration of kind ``name`` (ParameterError for an unknown one)."""
    return briefing_class(name).kind


def kinds() -> list["BriefingKind"]:
    """Every kind's declaration, sorted by name."""
    found = classes()
    return [found[n].kind for n in sorted(found)]

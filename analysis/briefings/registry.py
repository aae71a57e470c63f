"""The briefing kinds, registered by name (as papermill registers its engines).

Each module of this package declares one kind: a subclass of
:class:`~analysis.briefings.base.Briefing` whose ``kind`` attribute is its
:class:`~analysis.briefings.base.BriefingKind`, decorated with :func:`register`. The modules are
found and imported on first use, so a new kind takes one module here, one notebook in
``notebooks/briefings/`` and one entry in ``briefings.toml``; nothing else lists the kinds.
"""
from __future__ import annotations

import importlib
import pkgutil
import threading
from typing import TYPE_CHECKING

from ..errors import ParameterError, close_matches, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from .base import Briefing, BriefingKind

#: Modules of this package that declare no kind.
_NOT_KINDS = {"base", "registry", "cells"}
_lock = threading.RLock()
_classes: dict[str, type["Briefing"]] = {}
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


def _discover() -> None:
    global _discovered
    with _lock:
        if _discovered:
            return
        package = importlib.import_module(__package__)
        for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if module.name not in _NOT_KINDS and not module.name.startswith("_"):
                importlib.import_module(f"{__package__}.{module.name}")
        _discovered = True


def classes() -> dict[str, type["Briefing"]]:
    """Kind name -> briefing class, every registered kind."""
    _discover()
    with _lock:
        return dict(_classes)


def names() -> list[str]:
    """The registered kinds' names, sorted."""
    return sorted(classes())


def briefing_class(name: str) -> type["Briefing"]:
    """The class of kind ``name``; ParameterError listing the kinds for an unknown one."""
    found = classes()
    if name not in found:
        known = sorted(found)
        raise ParameterError(
            f"unknown notebook {name!r}{did_you_mean(close_matches(name, known))}; "
            f"notebooks: {', '.join(known)}", notebook=name, allowed=known)
    return found[name]


def kind(name: str) -> "BriefingKind":
    """The declaration of kind ``name`` (ParameterError for an unknown one)."""
    return briefing_class(name).kind


def kinds() -> list["BriefingKind"]:
    """Every registered kind's declaration, sorted by name."""
    found = classes()
    return [found[n].kind for n in sorted(found)]

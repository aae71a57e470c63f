"""Briefing kinds: one declaration and one small class per kind, registered by name.

- :mod:`.base`: :class:`BriefingKind` (the declaration: name, notebook, title, parameters,
  sections shown, the topic it selects, context topics) and :class:`Briefing` (the sections
  every kind shares).
- :mod:`.region`, :mod:`.gender`, :mod:`.funding`, :mod:`.partnerships`: one kind each.
- :mod:`.registry`: kinds by name; :mod:`analysis.briefings.params`, the builder's catalog,
  ``briefings list`` and the notebooks' ``parameters`` cells all read the declarations there.

A fifth kind takes one module here (a ``KIND`` declaration and a ``@register``-ed subclass of
:class:`Briefing`), one notebook in ``notebooks/briefings/`` (whose ``parameters`` cell
``scripts/sync_parameters.py`` writes from the declaration) and one entry in
``notebooks/briefings/briefings.toml``.

In a notebook::

    from analysis import briefings
    brief = briefings.open_briefing("region", region=region, include_context=include_context)
    brief.header()
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import registry
from .registry import register

if TYPE_CHECKING:  # pragma: no cover
    from .base import Briefing, BriefingKind, show

__all__ = ["Briefing", "BriefingKind", "open_briefing", "opening_cell", "parameters_cell",
           "register", "registry", "show"]


def __getattr__(name: str):
    """:mod:`.base`'s names, imported on first use: the registry (kinds' names and notebooks)
    stays light for the command line."""
    if name in ("Briefing", "BriefingKind", "show"):
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_briefing(notebook: str, *, ds=None, **values: Any) -> Briefing:
    """Check ``values`` for the kind ``notebook`` (ParameterError on a bad one) and make its
    briefing."""
    from .params import check_parameters

    cls = registry.briefing_class(notebook)
    return cls(ds=ds, **check_parameters(notebook, values))


def parameters_cell(notebook: str) -> str:
    """The source of the ``parameters`` cell of kind ``notebook``'s notebook, written from its
    declaration: one typed line with its default and help per parameter."""
    return "\n".join(p.cell_line() for p in registry.kind(notebook).parameters)


def opening_cell(notebook: str) -> str:
    """The source of the cell after the ``parameters`` cell: it checks the values and opens the
    briefing (the same for every kind, written from the declaration)."""
    names = [p.name for p in registry.kind(notebook).parameters]
    arguments = ", ".join(f"{n}={n}" for n in names)
    return f'from analysis import briefings\n\nbrief = briefings.open_briefing("{notebook}", {arguments})'

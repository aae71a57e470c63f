"""``briefings list``: the briefing kinds (each a notebook, with the title, summary and
parameters its declaration gives), and the default set (expanded)."""
from __future__ import annotations

from pathlib import Path

from .briefing_set import load_briefing_set
from .build import _relative
from .catalog import Catalog

EXAMPLES_SHOWN = 12


def _values_line(allowed: list[str] | None, examples: list[str]) -> str | None:
    if allowed is not None:
        return "allowed: " + ", ".join(allowed)
    if examples:
        more = len(examples) - EXAMPLES_SHOWN
        shown = ", ".join(examples[:EXAMPLES_SHOWN]) + (f", ... ({more} more)" if more > 0 else "")
        return "for example: " + shown
    return None


def listing(set_path: Path | None = None, only_notebook: str | None = None) -> str:
    """The text ``briefings list`` prints."""
    bset = load_briefing_set(set_path)
    catalog = Catalog(bset.extra_notebooks)
    names = [only_notebook] if only_notebook else sorted(catalog.notebooks)
    lines = ["Briefing notebooks", ""]
    for name in names:
        path = catalog.path(name)
        lines.append(f"{name}  ({_relative(path)})")
        if catalog.summary(name):
            lines.append(f"    {catalog.summary(name)}")
        declared = catalog.declared(name)
        if not declared:
            lines.append("    (no parameters)")
        for p in declared.values():
            lines.append(f"    --param {p.name}=...   {p.type_name}, default {p.default}")
            if p.help:
                lines.append(f"        {p.help}")
            values = _values_line(*catalog.allowed(name, p.name))
            if values:
                lines.append(f"        {values}")
        lines.append("")
    chosen = [b for b in bset.briefings if not only_notebook or b.notebook == only_notebook]
    lines.append(f"Default set ({_relative(bset.source)}): {len(chosen)} briefings")
    width = max((len(b.id) for b in chosen), default=0)
    for b in chosen:
        params = ", ".join(f"{k}={v!r}" for k, v in b.given.items()) or "(defaults)"
        lines.append(f"    {b.id:<{width}}  {b.notebook}: {params}")
    lines.append("")
    lines.append("Build them with `briefings build`; one of them with `briefings build --only ID`; "
                 "other values with `briefings build --notebook NAME --param NAME=VALUE`.")
    return "\n".join(lines)

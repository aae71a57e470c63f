"""Write each briefing notebook's parameters cell, opening cell and kernel from its declaration.

Each briefing kind is declared once, in its module under ``analysis/briefings/``. Run from the
project root after changing a declaration (or adding a kind):

    .venv/bin/python scripts/sync_parameters.py          # rewrite the notebooks that differ
    .venv/bin/python scripts/sync_parameters.py --check  # exit 1, naming them, if any differs

``--check`` also checks that each notebook calls its declared sections in order (those cells
are written by hand, so it reports them and changes nothing).
"""
from __future__ import annotations

import argparse
import sys

from analysis.briefings import cells, registry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook differs")
    args = parser.parse_args(argv)
    if not args.check:
        for name in registry.names():
            if cells.sync(name):
                print(f"rewrote {registry.kind(name).notebook_path}")
    found = [p for name in registry.names() for p in cells.problems(name)]
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print(f"ok: {len(registry.names())} briefing notebooks match their declarations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``briefings`` command.

Each subcommand lives in the module that owns its concern; that module provides
``add_arguments_<name>(parser)`` and ``run_<name>(args) -> int`` and keeps heavy imports inside
``run_<name>`` so that ``briefings --help`` stays instant.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from .errors import UsageError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "export": ("analysis.export", "write every table as CSV plus the schema file into a folder"),
    "validate": ("analysis.validate", "check a data folder against the schema"),
    "list": ("analysis.builder.cli", "show the briefing notebooks, their parameters and the default set"),
    "build": ("analysis.builder.cli", "execute briefings into reports/ (notebooks, HTML, index)"),
    "draft": ("analysis.drafting.cli", "draft the dataset of a new chapter from its text, for review"),
    "teach": ("analysis.teaching.cli", "write the student or instructor edition of the training course"),
}


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefings",
        description="Peace & Security Workbook: data, briefings and training built from a chapter of the "
                    "Secretary-General's report on the work of the Organization (the data package names it).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        getattr(module, f"add_arguments_{name}")(p)
        p.set_defaults(run=getattr(module, f"run_{name}"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UsageError as err:
        print(f"briefings {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("briefings: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `briefings list | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

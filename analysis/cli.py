"""The ``briefings`` command: export, validate, list, build and teach."""
from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2, nothing written."""


def _cmd_export(args) -> int:
    from .export import export

    written = export(args.directory, force=args.force)
    print(f"wrote {len(written)} files to {args.directory}")
    return EXIT_OK


def _cmd_validate(args) -> int:
    from .validate import format_problems, validate_folder

    problems = validate_folder(args.data)
    if problems:
        print(format_problems(problems), file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"ok: {args.data or 'the project data'} matches the schema")
    return EXIT_OK


def _cmd_list(args) -> int:
    from .build.commands import list_command

    return list_command(args)


def _cmd_build(args) -> int:
    from .build.commands import build_command

    return build_command(args)


def _cmd_teach(args) -> int:
    from .teaching.editions import teach_command

    return teach_command(args)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefings", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("export", help="write every table as CSV plus the schema into a folder")
    p.add_argument("directory", help="folder to write into (created if missing)")
    p.add_argument("--force", action="store_true", help="overwrite files already in the folder")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("validate", help="check a data folder against the schema")
    p.add_argument("--data", metavar="DIR", default=None, help="data folder (default: the project's own)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("list", help="show the briefing notebooks, their parameters and the default set")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("build", help="execute briefings and write notebooks and HTML into reports/")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("teach", help="write the student (or instructor) edition of the training course")
    p.set_defaults(func=_cmd_teach)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"briefings {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

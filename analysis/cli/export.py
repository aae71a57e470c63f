"""``briefings export``: every table as CSV plus the schema file (:mod:`analysis.data.export`)."""
from __future__ import annotations

from . import EXIT_OK
from ..data.schema import DESCRIPTOR
from ..errors import UsageError


def add_arguments_export(parser) -> None:
    parser.add_argument("directory", metavar="DIR", help="folder to write into (created when missing)")
    parser.add_argument("--force", action="store_true",
                        help="replace the files of a previous export in DIR (only those)")
    parser.add_argument("--for-spreadsheets", dest="neutralise", action="store_true",
                        help="write copies safe to open in Excel or LibreOffice: a cell starting "
                             "with = + - @ tab or carriage return gets a leading apostrophe "
                             "(these copies do not load back to the same tables)")


def run_export(args) -> int:
    from ..data.dataset import DataError, load
    from ..data.export import export

    if not str(args.directory).strip():
        raise UsageError("DIR is empty; name the folder to write into ('.' for this one)")
    try:
        load()
    except DataError as err:
        raise DataError(f"the data does not load: {err}; nothing written") from None
    from ..data.validate import validate_folder

    problems = validate_folder()  # an export is a data package: only one validate accepts
    if problems:
        raise DataError(f"the data does not validate ({len(problems)} problem(s), the first: "
                        f"{problems[0]}); run `briefings validate` for every one; nothing written")
    written = export(args.directory, force=args.force, neutralise=args.neutralise)
    tables = len(written) - 1
    kind = " (copies for spreadsheets, formulas neutralised)" if args.neutralise else ""
    print(f"wrote {tables} tables{kind} and {DESCRIPTOR} to {args.directory}")
    return EXIT_OK

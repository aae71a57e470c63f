"""``briefings draft TEXT --out DIR --symbol SYMBOL --year YEAR [--title TITLE] [--force]``."""
from __future__ import annotations

from ..data.files import LIMITS

MAX_BYTES = LIMITS["chapter text"]


def add_arguments_draft(parser) -> None:
    parser.add_argument("text", metavar="TEXT", help="plain UTF-8 text of one chapter in the seed's layout")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the data package into "
                        "(new or empty unless --force)")
    parser.add_argument("--symbol", required=True, help="UN document symbol of the report, e.g. A/73/1")
    parser.add_argument("--year", required=True, type=int, help="year of the report, e.g. 2018")
    parser.add_argument("--title", default=None, help="title of the chapter (default: its title line)")
    parser.add_argument("--data", default=None, metavar="DIR",
                        help="data package whose schema, gazetteers and context tables to use (default: the project's data/)")
    parser.add_argument("--force", action="store_true", help="write into a folder that is not empty")


def run_draft(args) -> int:
    from pathlib import Path

    from . import EXIT_OK
    from ..errors import UsageError
    from ..data.paths import data_dir
    from ..drafting.draft import DraftError, check_symbol, check_year, draft_chapter, read_text_file
    from ..data.layout import LayoutError
    from ..drafting.package import check_target, write_package
    from ..drafting.summary import summary_lines

    try:
        check_symbol(args.symbol)
        check_year(args.year)
        check_target(Path(args.out), args.force)
        context = Path(args.data) if args.data else data_dir()
        text = read_text_file(args.text, max_bytes=MAX_BYTES)
        draft = draft_chapter(text, symbol=args.symbol, year=args.year, title=args.title, context=context)
        counts = write_package(draft, args.out, context=context, text=text, force=args.force)
    except (DraftError, LayoutError) as err:
        raise UsageError(str(err)) from None
    for line in summary_lines(draft, counts, args.out):
        print(line)
    return EXIT_OK

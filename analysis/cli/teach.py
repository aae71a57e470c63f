"""``briefings teach DIR [--instructor] [--force] [--lesson N ...]``: write a course edition."""
from __future__ import annotations


def add_arguments_teach(parser) -> None:
    parser.add_argument("directory", metavar="DIR",
                        help="folder to write the course into (created when missing; must be empty "
                             "unless --force)")
    parser.add_argument("--instructor", action="store_true",
                        help="write the instructor edition: solutions kept, every lesson executed "
                             "with its outputs (default: the student edition, solutions replaced by "
                             "prompts, no outputs)")
    parser.add_argument("--force", action="store_true",
                        help="write into a folder that is not empty, replacing the course files; the lessons replaced are kept in DIR/.replaced/N/")
    parser.add_argument("--lesson", type=int, action="append", metavar="N", dest="lessons",
                        help="only lesson N (repeat for several; default: the whole course)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="lessons executed at once for the instructor edition (default: cores, "
                             "at most 4)")


def run_teach(args) -> int:
    from . import EXIT_OK
    from ..errors import UsageError
    from ..teaching.editions import write_edition
    from ..teaching.execute import ExecutionFailure

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {args.jobs}")
    edition = "instructor" if args.instructor else "student"
    if args.instructor:
        from ..briefings.kernels import check_kernel

        check_kernel()  # the lessons run: say how to fix a missing kernel before anything is written
    try:
        written = write_edition(args.directory, instructor=args.instructor, force=args.force,
                                numbers=args.lessons, jobs=args.jobs)
    except ExecutionFailure as err:
        err.note = "nothing was written"
        raise
    notebooks = [p for p in written.paths if p.suffix == ".ipynb"]
    print(f"wrote the {edition} edition to {args.directory}: "
          f"{len(notebooks)} lesson{'s' if len(notebooks) != 1 else ''}"
          + (" and the facilitator guide" if len(written.paths) > len(notebooks) else ""))
    for path in written.paths:
        print(f"  {path.name}")
    if written.replaced:
        print(f"the files it replaced are kept in {written.kept_in}: "
              f"{', '.join(written.replaced)}")
    return EXIT_OK

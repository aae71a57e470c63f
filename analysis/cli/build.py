"""``briefings list`` and ``briefings build``: arguments and entry points (light imports only)."""
from __future__ import annotations

import os
from pathlib import Path

from ..builder.tasks import DEFAULT_KERNEL, KERNELS


#: The reports folder when --out is not given, in the current folder.
DEFAULT_OUT = "reports"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def max_jobs() -> int:
    """Most briefings run at once: four per core (each kernel takes about 200 MB; --jobs 64
    on 2 cores once made 49 processes and 7.6 GB without building any faster)."""
    return 4 * _cores()


def capped_jobs(jobs: int) -> int:
    """``jobs`` lowered to :func:`max_jobs`, with a note on stderr when lowered."""
    import sys

    if jobs > max_jobs():
        print(f"note: --jobs {jobs} lowered to {max_jobs()} (four per core; more only adds "
              "memory)", file=sys.stderr)
        return max_jobs()
    return jobs


def default_jobs(kernel: str = DEFAULT_KERNEL) -> int:
    """Briefings run at once when ``--jobs`` is not given: one per core without a kernel
    (``--kernel none``, the default), two per core with one (a kernel waits on messages about
    as long as it computes).

    Measured on 2 cores, the default set with ``--kernel none``: --jobs 2 took 31-38 s and
    59-72 s of CPU, --jobs 4 took 40-44 s and 77-84 s of CPU (three runs each, alternating;
    docs/building.md). With forked kernels, 22 briefings: --jobs 2 took 28 s, --jobs 4 22 s.
    """
    return _cores() if kernel == "none" else 2 * _cores()


def _set_option(parser) -> None:
    parser.add_argument("--set", dest="set_path", type=_file, metavar="FILE",
                        help="briefing set file declaring the default set "
                             "(default: notebooks/briefings/briefings.toml)")


def add_arguments_list(parser) -> None:
    _set_option(parser)
    parser.add_argument("--notebook", metavar="NAME", help="show only this notebook")


def run_list(args) -> int:
    from ..builder.listing import listing

    print(listing(args.set_path, args.notebook))
    return 0


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        from ..errors import shorten

        raise argparse.ArgumentTypeError(f"expected a whole number, got {shorten(text)}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    import argparse
    import math

    from ..errors import shorten

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds (e.g. 30 or 1.5), got "
                                         f"{shorten(text)}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds, got {shorten(text)}")
    return value


def _path_of(what: str):
    """A path argument: refused when empty (``--out ''`` would mean the current folder)."""
    def parse(text: str) -> Path:
        import argparse

        if not text.strip():
            raise argparse.ArgumentTypeError(f"expected {what}, got an empty value (use '.' for "
                                             "the current folder)")
        return Path(text)

    parse.__name__ = what.split()[-1]  # argparse names the type in its messages
    return parse


_folder = _path_of("a folder")
_file = _path_of("a file")


def add_arguments_build(parser) -> None:
    parser.add_argument("--notebook", metavar="NAME",
                        help="build one briefing from this notebook instead of the default set")
    parser.add_argument("--param", dest="params", action="append", default=[],
                        metavar="NAME=VALUE",
                        help="a parameter for --notebook (repeatable); the value is read as the "
                             "parameter's declared type (str, int, float, bool)")
    parser.add_argument("--only", action="append", default=[], metavar="ID_OR_GLOB",
                        help="build only the default-set briefings whose id matches "
                             "(repeatable; e.g. 'region-*'); see `briefings list` for ids")
    parser.add_argument("--jobs", "-j", type=_positive_int, default=None,
                        help="briefings executed at once (default: one per core without a "
                             f"kernel, {default_jobs('none')} here; two per core with one)")
    parser.add_argument("--force", action="store_true",
                        help="build even the briefings that are up to date")
    parser.add_argument("--dry-run", action="store_true",
                        help="list the briefings that would be built, each with its reason "
                             "(\"country-lesotho: events row lesotho-elections changed\"); "
                             "build and write nothing")
    parser.add_argument("--out", type=_folder, default=None, metavar="DIR",
                        help="folder for the reports (default: reports/ in the current folder, "
                             "made when missing, and the build says so)")
    parser.add_argument("--timeout", type=_positive_float, default=None, metavar="SECONDS",
                        help="fail a briefing whose cell runs longer than this (default: 600)")
    parser.add_argument("--kernel", choices=KERNELS, default=DEFAULT_KERNEL,
                        help="none: no kernel, each briefing's cells run in a fresh process "
                             "forked from one that has already imported the libraries and "
                             "loaded the data, with a kernel's shell and the same outputs "
                             "(fastest); fork: each briefing's kernel is forked the same way; "
                             "spawn: a plain new kernel process each time "
                             f"(default: {DEFAULT_KERNEL})")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        default=os.environ.get("PSW_SCHEDULER") or None,
                        help="build on the workers of this Dask scheduler (tcp://HOST:PORT) "
                             "instead of the local pool, one briefing per worker thread "
                             "(--jobs is then unused); default: $PSW_SCHEDULER, if set")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")
    parser.add_argument("--formats", type=_formats, default=None, metavar="LIST",
                        help="formats to write, comma-separated, of html, pdf, docx (default: "
                             "html). Each briefing gets <id>.html and a two-page note "
                             "<id>-note.html; pdf adds <id>.pdf, <id>-note.pdf and pack.pdf; "
                             "docx adds <id>.docx, <id>-note.docx and pack.docx")
    parser.add_argument("--pdf", action="store_true",
                        help="shorthand for --formats html,pdf: also write <id>.pdf and "
                             "<id>-note.pdf beside each page (A4, tagged PDF/UA) and pack.pdf")
    parser.add_argument("--pack", choices=("notes", "full"), default="notes",
                        help="what pack.pdf and pack.docx hold: each briefing's two-page note "
                             "(default) or every briefing whole. A pack for one meeting: pick "
                             "its briefings with --only (the index writes the command)")
    parser.add_argument("--docx-template", type=_file, default=None, metavar="FILE",
                        help="a Word document whose styles (by name: Normal, Title, Heading 1-3, "
                             "List Bullet, Caption, Table Grid, Footer...) the .docx files use "
                             "(default: the shipped UN-like template)")
    parser.add_argument("--date", default=None, metavar="TEXT",
                        help="the meeting's date, printed on the pack's cover (one line)")
    parser.add_argument("--organisation", default=None, metavar="TEXT",
                        help="the organisation, printed on the pack's cover (one line)")
    parser.add_argument("--title", metavar="TEXT", default=None,
                        help="the meeting named on the pack's cover (one line, at most 120 "
                             "characters; default: \"Briefings on peace and security\")")
    _set_option(parser)


#: The formats ``--formats`` accepts (HTML is always written).
FORMATS = ("html", "pdf", "docx")


def _formats(text: str) -> tuple[str, ...]:
    import argparse

    from ..errors import shorten

    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"expected formats among {', '.join(FORMATS)}, comma-separated, got {shorten(text)}")
    return tuple(dict.fromkeys(names))


def run_build(args) -> int:
    if args.notebook is not None:  # a mistyped --notebook is refused before the builder loads
        from ..builder.briefing_set import read_extra_notebooks
        from ..builder.catalog import Catalog

        Catalog(read_extra_notebooks(args.set_path)).path(args.notebook)
    from ..builder.build import BuildRequest, run

    # The default folder is read from the current folder; made there, it is named at the end,
    # so that a build run from an unrelated folder does not leave ./reports behind silently.
    default_out = args.out is None
    out = Path(os.path.abspath(DEFAULT_OUT)) if default_out else args.out
    existed = os.path.lexists(out)
    formats = set(args.formats or ()) | ({"pdf"} if args.pdf else set())
    jobs = default_jobs(args.kernel) if args.jobs is None else capped_jobs(args.jobs)
    request = BuildRequest(out=out, jobs=jobs, force=args.force, only=args.only,
                           notebook=args.notebook, params=args.params, set_path=args.set_path,
                           timeout=args.timeout, progress=args.progress,
                           kernel=args.kernel, scheduler=args.scheduler, pdf="pdf" in formats,
                           docx="docx" in formats, docx_template=args.docx_template,
                           pack=args.pack, title=args.title, date=args.date,
                           organisation=args.organisation, dry_run=args.dry_run)
    code = run(request)
    if default_out and not existed and out.is_dir():
        print(f"made the folder {out} for the reports (--out DIR chooses another folder)")
    return code

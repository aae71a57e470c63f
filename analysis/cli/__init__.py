"""The ``briefings`` command (also ``python -m analysis`` and ``python -m analysis.cli``).

Each subcommand lives in the module that owns its concern; that module provides
``add_arguments_<name>(parser)`` and ``run_<name>(args) -> int`` and keeps heavy imports inside
``run_<name>`` so that ``briefings --help`` stays instant.

This is the one place that turns the package's errors into messages and exit codes: a
:class:`~analysis.errors.UsageError` (a bad value, folder or option: one line, exit 2), any
other :class:`~analysis.errors.WorkbookError` (data that does not load, a lesson that fails:
one line, exit 1). Anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import UsageError, WorkbookError, shorten

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
PROG = "briefings"
#: Shells ``briefings completion`` writes a completion script for.
SHELLS = ("bash", "zsh")

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "export": ("analysis.cli.export", "write every table as CSV plus the schema file into a folder"),
    "validate": ("analysis.cli.validate", "check a data folder against the schema"),
    "list": ("analysis.cli.build", "show the briefing notebooks, their parameters and the default set"),
    "build": ("analysis.cli.build", "execute briefings into reports/ (notebooks, HTML, index)"),
    "draft": ("analysis.cli.draft", "draft the dataset of a new chapter from its text, for review"),
    "teach": ("analysis.cli.teach", "write the student or instructor edition of the training course"),
    "dashboard": ("analysis.cli.apps", "serve notebooks/explore.ipynb as a Voilà dashboard"),
    "lab": ("analysis.cli.apps", "open JupyterLab on a folder"),
}


def _version() -> str:
    from .. import __version__

    return f"{PROG} {__version__} (peace-security-workbook)"


class _Parser(argparse.ArgumentParser):
    """argparse, with long values cut short in its messages (``invalid int value: 'xxx…'``)."""

    def error(self, message: str):
        import re

        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if choice:  # a mistyped subcommand or choice: `briefings biuld`
            from ..errors import close_matches, did_you_mean

            offered = re.findall(r"'([^']*)'", choice.group(2))
            message += did_you_mean(close_matches(choice.group(1), offered))
        message = re.sub(r"'([^']{80,})'", lambda m: shorten(m.group(1)), message)
        super().error(message[:2000])


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Peace & Security Workbook: data, briefings and training built from a chapter of the "
                    "Secretary-General's report on the work of the Organization (the data package names it).")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        getattr(module, f"add_arguments_{name}")(p)
        p.set_defaults(run=getattr(module, f"run_{name}"))
    completion = sub.add_parser(
        "completion", help="print a shell completion script (bash or zsh)",
        description="Print a completion script for the briefings command, generated from its "
                    "argument parser. bash: `eval \"$(briefings completion bash)\"` in ~/.bashrc; "
                    "zsh: `briefings completion zsh > \"${fpath[1]}/_briefings\"`.")
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    completion.set_defaults(run=lambda args: _print_completion(parser, args.shell))
    _mark_paths(parser)
    return parser


def _mark_paths(parser: argparse.ArgumentParser) -> None:
    """Tell shtab which arguments take a folder or a file, so the shells complete them."""
    import shtab

    for action in _actions(parser):
        if action.metavar == "DIR":
            action.complete = shtab.DIRECTORY
        elif action.metavar == "FILE":
            action.complete = shtab.FILE


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:  # argparse offers no public walk over its arguments
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _actions(sub)


def _print_completion(parser: argparse.ArgumentParser, shell: str) -> int:
    import shtab

    print(shtab.complete(parser, shell=shell))
    return EXIT_OK


def resolve_paths(args: argparse.Namespace) -> None:
    """Make every path option of ``args``, and the folders the environment names
    (:func:`analysis.data.paths.absolute_environment`), absolute, in place.

    Relative paths are read from the folder the command runs in, once, here: the builder's
    kernels run in the notebooks' folder and its workers may run on other machines.
    """
    from pathlib import Path

    from ..data.paths import absolute_environment

    absolute_environment()
    for name, value in vars(args).items():
        if isinstance(value, Path):
            setattr(args, name, Path(os.path.abspath(value)))
        elif isinstance(value, list) and value and all(isinstance(v, Path) for v in value):
            setattr(args, name, [Path(os.path.abspath(v)) for v in value])


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    from ..data.outputs import _Signalled, signals_interrupt

    resolve_paths(args)
    try:
        _refuse_control_characters(args)
        with signals_interrupt():
            return int(args.run(args) or 0)
    except _Signalled as err:
        print(f"{PROG}: stopped by signal {err.signum}; cleaned up", file=sys.stderr)
        return 128 + err.signum
    except UsageError as err:
        print(f"{PROG} {args.command}: {_one_line(err)}", file=sys.stderr)
        return EXIT_USAGE
    except WorkbookError as err:
        print(f"{PROG} {args.command}: {_one_line(err)}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `briefings list | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:  # a file the command needed could not be used: say which
        where = f" {shorten(str(err.filename))}" if err.filename else ""
        print(f"{PROG} {args.command}: cannot use{where}: {err.strerror or err}",
              file=sys.stderr)
        return EXIT_PROBLEMS


#: argparse destinations whose option is not "--" + the name
_OPTION_NAMES = {"set_path": "--set", "params": "--param", "lessons": "--lesson", "text": "TEXT",
                 "directory": "DIR", "shell": "SHELL", "root": "ROOT"}


def _refuse_control_characters(args: argparse.Namespace) -> None:
    """An option or argument holding a control character (a stray newline, tab or escape typed
    or pasted into the command) is the user's error: UsageError naming it."""
    import unicodedata

    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            text = str(item) if isinstance(item, (str, os.PathLike)) else None
            if text is None:
                continue
            bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf")), None)
            if bad is not None:
                option = _OPTION_NAMES.get(name, "--" + name.replace("_", "-"))
                what = (f"{option} must be one line: {shorten(text)} holds a line break"
                        if bad in "\n\r" else f"{option} {shorten(text)} holds the control "
                                                "character")
                raise UsageError(f"{what} U+{ord(bad):04X}; this is an error in the command as "
                                 "typed, not in the data: remove it")


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


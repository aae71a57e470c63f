"""The README documents every table, every command and the two Quick start commands."""
from __future__ import annotations

import re

from analysis.cli import COMMANDS
from analysis.paths import PROJECT_DIR
from analysis.schema import load_schema

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def _quick_start() -> str:
    match = re.search(r"^## Quick start\n(.*?)(?=^## )", README, flags=re.S | re.M)
    assert match, "README has no '## Quick start' section"
    return match.group(1)


def test_quick_start_has_exactly_the_two_commands():
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", _quick_start(), flags=re.S)
    assert block, "Quick start has no code block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]
    assert commands == ["make briefings", "make test"]


def test_every_table_is_documented():
    for name in load_schema().tables:
        assert f"`{name}`" in README, f"README does not document the table {name!r}"


def test_every_command_is_documented():
    for name in [*COMMANDS, "completion bash", "completion zsh", "--version"]:
        assert f"briefings {name}" in README, f"README does not document 'briefings {name}'"


def test_every_option_is_documented():
    import argparse

    from analysis.cli import make_parser

    commands = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"README does not document {option} of 'briefings {name}'"


def test_the_readme_says_how_to_activate_the_environment():
    assert "source .venv/bin/activate" in README
    assert "notebooks/**/*.ipynb" not in README  # no recipe that needs bash's globstar


def test_ci_runs_make_test():
    ci = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_the_checkout_keeps_its_top_level_and_git_keeps_reports():
    import subprocess

    for name in ("pyproject.toml", "analysis", "notebooks", "data", "tests", "reports",
                 "README.md"):
        assert (PROJECT_DIR / name).exists(), name
    tracked = subprocess.run(["git", "ls-files", "reports"], cwd=PROJECT_DIR,
                             capture_output=True, text=True)
    if tracked.returncode == 0:  # a checkout (a wheel's tree has no git)
        assert tracked.stdout.split() == ["reports/.gitkeep"]

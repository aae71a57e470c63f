"""The README is a short start; the manual in docs/ documents every table, briefing kind,
subcommand and option."""
from __future__ import annotations

import re

import pytest

from analysis.cli import COMMANDS
from analysis.data.paths import PROJECT_DIR
from analysis.data.schema import load_schema

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
DOCS_DIR = PROJECT_DIR / "docs"
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted(DOCS_DIR.glob("*.md"))}
MANUAL = "\n".join(DOCS.values())
#: The manual's chapters (issue 21): each a file of docs/.
CHAPTERS = ("dataset.md", "briefings.md", "building.md", "teaching.md", "drafting.md",
            "cluster.md", "trust-model.md")


def _quick_start() -> str:
    match = re.search(r"^## Quick start\n(.*?)(?=^## )", README, flags=re.S | re.M)
    assert match, "README has no '## Quick start' section"
    return match.group(1)


def test_quick_start_has_exactly_the_two_commands():
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", _quick_start(), flags=re.S)
    assert block, "Quick start has no code block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]
    assert commands == ["make briefings", "make test"]


def test_the_readme_is_a_short_start_that_links_every_chapter():
    assert len(README.splitlines()) < 90, "the README is a short start: the manual lives in docs/"
    for name in CHAPTERS:
        assert name in DOCS, f"docs/{name} is missing"
        assert f"(docs/{name})" in README, f"README does not link docs/{name}"
    for name in DOCS:
        assert f"docs/{name}" in README, f"README does not link docs/{name}"
    assert not (DOCS_DIR / "data-changes-issue8.md").exists()


def test_every_table_is_documented():
    for name in load_schema().tables:
        assert f"`{name}`" in DOCS["dataset.md"], f"docs/dataset.md does not document the table {name!r}"


def test_every_briefing_kind_is_documented():
    from analysis.briefings import registry

    kinds = registry.kinds()
    assert len(kinds) == 5
    for kind in kinds:
        notebook = f"`{kind.name}.ipynb`"
        assert notebook in DOCS["briefings.md"] or f"`{kind.name}.ipynb`," in DOCS["briefings.md"], (
            f"docs/briefings.md does not document the {kind.name} briefing")
        assert f"{kind.name}.py" in DOCS["briefings.md"]
    assert "five" in DOCS["briefings.md"].split("\n\n", 2)[1]


def test_every_command_is_documented():
    for name in [*COMMANDS, "completion bash", "completion zsh", "--version"]:
        assert f"briefings {name}" in MANUAL, f"docs/ does not document 'briefings {name}'"


def test_every_option_is_documented():
    import argparse

    from analysis.cli import make_parser

    commands = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in MANUAL, f"docs/ does not document {option} of 'briefings {name}'"


def test_every_make_target_the_docs_name_exists():
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.M))
    for text in (README, MANUAL):
        for target in re.findall(r"`make ([a-z][\w-]*)", text):
            assert target in targets, f"the docs name `make {target}`, which the Makefile lacks"


@pytest.mark.parametrize("name", sorted(DOCS))
def test_links_between_documents_resolve(name):
    for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", DOCS[name]):
        assert (DOCS_DIR / target).is_file(), f"docs/{name} links {target}, which does not exist"


def test_the_readme_says_how_to_activate_the_environment():
    assert "source .venv/bin/activate" in README
    assert "notebooks/**/*.ipynb" not in README + MANUAL  # no recipe that needs bash's globstar


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


def test_the_facilitator_guide_names_the_real_kernel_targets_and_kinds():
    from analysis.briefings import registry
    from analysis.briefings.kernels import KERNEL_DISPLAY_NAME, KERNEL_NAME

    guide = DOCS["facilitator-guide.md"]
    assert KERNEL_NAME in guide and f'"{KERNEL_DISPLAY_NAME}"' in guide
    for quoted in re.findall(r'kernel (?:is )?"([^"]+)"', guide):
        assert quoted == KERNEL_DISPLAY_NAME, f"the guide names the kernel {quoted!r}"
    assert "make course" in guide
    assert "--notebook-dir" not in guide, "the guide opens the course with `make course`"
    assert not re.search(r"`make lab`[^.]*(lessons are|shows the lessons)", guide)
    names = [kind.name for kind in registry.kinds()]
    assert len(names) == 5 and "five briefing notebooks" in guide
    for name in names:
        assert name in guide, f"the guide does not name the {name} briefing"
    assert not re.search(r"\bfour briefing", guide)

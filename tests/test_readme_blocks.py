"""Every ``sh`` and ``python`` block of the README and of docs/ runs as written, in a fresh copy of
the checkout with the project's environment activated (issue 20).

Each document runs in its own copy of the checkout's tracked files (what a fresh clone holds), its
blocks in order in one folder, so that a block may use what an earlier one wrote (a draft, then its
validation). The copy's ``.venv`` is a link to this checkout's environment and ``PYTHONPATH`` puts
the copy's ``analysis`` first, so the copy's code and data are the ones that run. ``HOME`` is a new
folder and no ``JUPYTER_*`` or ``PSW_*`` variable is inherited.

Only the blocks in :data:`SKIPPED` are left out, each for one of the reasons the issue allows: it
starts a server, runs the test suite itself, or builds the whole default set again.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.data.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

DOCUMENTS = ["README.md", *sorted(f"docs/{p.name}" for p in (PROJECT_DIR / "docs").glob("*.md"))]
#: (document, first line of the block) -> why the block does not run here.
SKIPPED = {
    ("README.md", "make briefings"): "builds the whole default set and runs the test suite itself",
    ("docs/building.md", "briefings build"): "builds the whole default set",
    ("docs/building.md", "briefings build --formats html,pdf,docx"): "builds the whole default set in every format",
    ("docs/cluster.md", ".venv/bin/dask scheduler --host 127.0.0.1 --dashboard-address 127.0.0.1:8787 &"): "starts a Dask scheduler and workers",
    ("docs/facilitator-guide.md", "make install"): "starts JupyterLab (make lab)",
    ("docs/facilitator-guide.md", "make course"): "starts JupyterLab (make course)",
}
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.S | re.M)
#: Seconds one block may take: the slowest runs the five lessons (instructor edition).
BLOCK_TIMEOUT = 300


def blocks(document: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block of a document, in order."""
    text = (PROJECT_DIR / document).read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def first_line(code: str) -> str:
    return next(line for line in code.splitlines() if line.strip()).split("#")[0].strip()


def _runnable(document: str) -> list[tuple[str, str]]:
    return [(lang, code) for lang, code in blocks(document)
            if lang in ("sh", "python") and (document, first_line(code)) not in SKIPPED]


def test_every_block_is_marked_and_every_skip_names_a_block():
    """A block says what it is (sh, python, text); the skip list names only blocks that exist."""
    seen = set()
    for document in DOCUMENTS:
        for lang, code in blocks(document):
            assert lang in ("sh", "python", "text"), f"{document}: a block marked {lang or 'nothing'!r}"
            seen.add((document, first_line(code)))
    assert set(SKIPPED) <= seen, sorted(set(SKIPPED) - seen)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_sh_blocks_hold_no_placeholders(document):
    for lang, code in blocks(document):
        if lang != "sh":
            continue
        for line in code.splitlines():
            command = line.split("  #")[0]
            assert not re.search(r"\[--?\w|\bDIR\b|\bFILE\b|\bHOST\b|<[a-z]|\.\.\.|…", command), (
                f"{document}: a placeholder in an sh block: {line!r} (syntax goes in a text block)")


def _copy_checkout(dest: Path) -> Path:
    """The tracked files of this checkout (a fresh clone's), with .venv linked to ours."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: there is no clone to copy")
    for name in listed.stdout.decode().split("\0"):
        if not name:
            continue
        source = PROJECT_DIR / name
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    venv = PROJECT_DIR / ".venv"
    if not (venv / "bin" / "python").exists():
        pytest.skip("no .venv in this checkout")
    (dest / ".venv").symlink_to(venv)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=dest, check=True)
    (dest / ".git" / "info" / "exclude").write_text(".venv\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "clone"], cwd=dest, check=True)
    # make sees the environment as installed: the copy's pyproject.toml is not newer than it.
    stamp = venv / ".installed"
    if stamp.exists():
        old = stamp.stat().st_mtime - 60
        os.utime(dest / "pyproject.toml", (old, old))
    return dest


def _environment(clone: Path, home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "PSW_", "PYTEST", "VIRTUAL_ENV", "MPL"))}
    env.update(HOME=str(home), PYTHONPATH=str(clone), XDG_CACHE_HOME=str(home / ".cache"),
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return env


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if _runnable(d)])
def test_blocks_run_as_written(document, tmp_path):
    clone = _copy_checkout(tmp_path / "clone")
    home = tmp_path / "home"
    home.mkdir()
    env = _environment(clone, home)
    for lang, code in _runnable(document):
        if lang == "sh":
            argv = ["bash", "-e", "-o", "pipefail", "-c", "source .venv/bin/activate\n" + code]
        else:
            argv = [str(clone / ".venv" / "bin" / "python"), "-c", code]
        done = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True,
                              timeout=BLOCK_TIMEOUT, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, (
            f"{document}: this {lang} block failed (exit {done.returncode}):\n{code}\n"
            f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}")
    # Nothing a block wrote is left for git to pick up: outputs go to ignored folders.
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=clone, capture_output=True, text=True, env=env, check=True)
    assert status.stdout == "", f"{document}: its blocks left files git would pick up:\n{status.stdout}"

"""The project holds facts about the chapter, never its sentences.

Evidence phrases may quote up to 12 words, so no run of 13 consecutive words of the chapter may
appear in any file of the project (data, code, notebooks, documentation), unless the run is part
of a proper name recorded in the dataset (some office titles are that long).
"""
from __future__ import annotations

import re

from analysis.data.paths import PROJECT_DIR
from analysis.data.seed import normalize

RUN = 13
SKIP_DIRS = {".git", ".venv", "reports", ".cache", ".pytest_cache", "__pycache__", ".ipynb_checkpoints"}
SUFFIXES = {".csv", ".md", ".ipynb", ".py", ".json", ".toml", ".txt", ".html", ".j2", ".tpl", ".cfg"}


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", normalize(text))


def _project_files():
    for path in sorted(PROJECT_DIR.rglob("*")):
        rel = path.relative_to(PROJECT_DIR)
        if path.is_file() and path.suffix in SUFFIXES and not SKIP_DIRS.intersection(rel.parts):
            yield path


def _proper_names(ds) -> list[str]:
    names = []
    for table in ds.schema.tables.values():
        if table.layer == "chapter" and "name" in table.field_names:
            names += ["the " + " ".join(_words(n)) for n in ds[table.name]["name"].dropna()]
    return names


def test_no_run_of_the_chapter_appears_in_the_project(seed_paragraphs, dataset):
    names = _proper_names(dataset)
    runs = set()
    for para in seed_paragraphs.values():
        words = _words(para.text)
        runs.update(" ".join(words[i:i + RUN]) for i in range(len(words) - RUN + 1))
    assert runs, "the seed yielded no word runs"
    found = []
    for path in _project_files():
        words = _words(path.read_text(encoding="utf-8", errors="replace"))
        for i in range(len(words) - RUN + 1):
            run = " ".join(words[i:i + RUN])
            if run in runs and not any(run in name for name in names):
                found.append(f"{path.relative_to(PROJECT_DIR)}: '{run}'")
                break
    assert not found, "the chapter's own text appears in:\n" + "\n".join(found)

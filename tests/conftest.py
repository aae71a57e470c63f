"""Shared fixtures and helpers (test modules never import from one another): the seed text
(skipped with a reason when absent), the dataset, quiet matplotlib, a fake fifth briefing kind,
and running the `briefings` command."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import matplotlib

# Agg for the test process only: an MPLBACKEND variable would be inherited by the notebook
# kernels the tests start, and executed notebooks would then hold no figures.
matplotlib.use("Agg")
os.environ.pop("MPLBACKEND", None)

from analysis import seed  # noqa: E402

SEED_MISSING = (
    "the chapter's text is not at ../shared/seed/ (it lives beside the project in its workplace); "
    "provenance against the seed cannot be checked here"
)


@pytest.fixture(scope="session")
def seed_paragraphs():
    """The chapter's paragraphs keyed by locator; skips the test when the seed folder is absent."""
    if not seed.seed_available():
        pytest.skip(SEED_MISSING)
    return seed.paragraphs()


@pytest.fixture(scope="session")
def dataset():
    import analysis

    return analysis.load()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


# --- briefing kinds ------------------------------------------------------------------------------

#: A fifth briefing kind, as a contributor would write it: one module (this text) under
#: analysis/briefings/. Its parameters cover both checks of ``params.check_value``: a closed list
#: of choices, and a validator whose message lists no values.
FAKE_KIND_MODULE = '''
"""A fake briefing kind for the tests: the chapter's records on one section."""
from analysis import queries, text
from analysis.briefings.base import Briefing, BriefingKind
from analysis.briefings.registry import register
from analysis.params import Parameter, region_parameter


def _even(value):
    if value % 2:
        raise ValueError("an odd number is not allowed")
    return value


KIND = BriefingKind(
    name="fake",
    title="Fake briefing",
    summary="a kind the tests add, to prove a fifth kind takes one module",
    parameters=(region_parameter(),
                Parameter("section", str, "wps", "a section id", choices=lambda: ["wps", "yps"]),
                Parameter("count", int, 2, "an even number", validate=_even)),
    sections=("header", "timeline", "sources"),
    notebook=NOTEBOOK,
)


@register
class FakeBriefing(Briefing):
    kind = KIND

    def key_points(self):
        rows = queries.timeline(self.selection, ds=self.ds)
        rows = rows[rows["paragraph"].str.startswith(self.parameters["section"] + "/")]
        return [text.chapter_point(f"{len(rows)} dated events in this section", rows["paragraph"],
                                   ds=self.ds)]
'''


@pytest.fixture
def fake_kind(tmp_path, monkeypatch):
    """Drop a fifth kind's module into the package's search path and its notebook beside it;
    yields the notebook's path. The kind is forgotten afterwards."""
    import sys

    import analysis.briefings
    from analysis.briefings import cells, registry

    folder = tmp_path / "kinds"
    folder.mkdir()
    notebook = tmp_path / "fake.ipynb"
    (folder / "fake.py").write_text(f"NOTEBOOK = {str(notebook)!r}\n" + FAKE_KIND_MODULE,
                                    encoding="utf-8")
    registry.classes()  # the real kinds first
    monkeypatch.setattr(analysis.briefings, "__path__", [*analysis.briefings.__path__, str(folder)])
    monkeypatch.setattr(registry, "_discovered", False)
    try:
        assert "fake" in registry.names()
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("# Fake briefing"),
                    nbformat.v4.new_code_cell("", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("brief.header()"),
                    nbformat.v4.new_code_cell("brief.timeline()"),
                    nbformat.v4.new_code_cell("brief.sources()")]
        nb.metadata["kernelspec"] = {"name": "x", "display_name": "x", "language": "python"}
        cells.write(notebook, nb)
        cells.sync("fake")
        yield notebook
    finally:
        registry.unregister("fake")
        sys.modules.pop("analysis.briefings.fake", None)


# --- the builder, through its command line -------------------------------------------------------

PROJECT = Path(__file__).resolve().parents[1]
#: Fixture notebooks for builds of a second or two, and the briefing set naming them.
FIXTURE_NOTEBOOKS = PROJECT / "tests" / "fixtures" / "notebooks"


def _run_briefings(*args: str, env: dict | None = None, cwd: Path = PROJECT):
    """Run the installed `briefings` command; returns the CompletedProcess (text)."""
    import subprocess
    import sys

    full_env = {**os.environ, **(env or {})}
    full_env.pop("MPLBACKEND", None)
    return subprocess.run([str(Path(sys.executable).parent / "briefings"), *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=300)


def _manifest(out: Path) -> dict:
    import json

    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["briefings"]


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def _write_set(path: Path, notebooks: dict[str, Path], entries: list[str]) -> Path:
    lines = ["[notebooks]"] + [f'{name} = "{file}"' for name, file in notebooks.items()]
    for entry in entries:
        lines += ["", "[[briefing]]", entry]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def briefings():
    """``briefings(*args, env=None, cwd=PROJECT)``: run the command, get the CompletedProcess."""
    return _run_briefings


@pytest.fixture(scope="session")
def manifest():
    """``manifest(out)``: the ``briefings`` entries of a build's manifest.json."""
    return _manifest


@pytest.fixture(scope="session")
def snapshot():
    """``snapshot(out)``: every output file's bytes but the manifest's, by relative path."""
    return _snapshot


@pytest.fixture(scope="session")
def write_set():
    """``write_set(path, notebooks, entries)``: a briefing set file with a [notebooks] table."""
    return _write_set


@pytest.fixture(scope="session")
def fixture_notebooks() -> Path:
    return FIXTURE_NOTEBOOKS


#: The sections a small dataset keeps the chapter's facts from.
SMALL_SECTIONS = ("wps", "crisis", "sustaining", "partnerships")


@pytest.fixture(scope="session")
def small_dataset(dataset):
    """A small dataset: the project's, its dated events, engagements, figures and initiatives
    cut to a few sections (entities, places and context tables kept whole, so every key holds)."""
    from analysis.dataset import Dataset

    frames = dict(dataset.frames)
    for table in ("events", "engagements", "figures", "initiatives"):
        frame = frames[table]
        frames[table] = frame[frame["paragraph"].str.split("/").str[0].isin(SMALL_SECTIONS)].reset_index(drop=True)
    figures = frames["figures"]
    frames["figures"] = figures[figures["target_figure_id"].isna() |
                                figures["target_figure_id"].isin(list(figures["figure_id"]))].reset_index(drop=True)
    events = set(frames["events"]["event_id"])
    links = frames["event_places"]
    frames["event_places"] = links[links["event_id"].isin(list(events))].reset_index(drop=True)
    return Dataset(dataset.schema, frames, dataset.folder)

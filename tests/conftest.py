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


# --- browsers: Playwright for Python driving Debian's chromium ----------------------------------
# Playwright cannot download its own browsers here; `make chromium` (part of `make test`) installs
# Debian's chromium, and the browser tests skip, saying so, where it is missing.

import shutil  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent
#: Screenshots of failed browser tests (and the dashboard's before/after shots) are kept here.
ARTIFACTS_DIR = PROJECT_DIR / ".cache" / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    """Debian's chromium (``PSW_CHROMIUM`` overrides), or None when it is not installed."""
    override = os.environ.get("PSW_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def artifact_path(request, suffix: str = ".png") -> Path:
    """A file under .cache/test-artifacts/ named after the running test."""
    import re

    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR / (re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_") + suffix)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """.cache/test-artifacts/: screenshots and measurements the browser tests keep."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)  # read by the page fixture: screenshot on failure


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium per test process, driven by Playwright."""
    binary = chromium_path()
    if binary is None:
        pytest.skip("chromium is not installed (`make chromium` installs it with apt-get as root); "
                    "the browser tests did not run")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (`make install` installs the dev extras)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=binary, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh page (own context) that records console errors, uncaught exceptions and failed
    requests in ``page.problems``; on a failure its screenshot goes to .cache/test-artifacts/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda msg: msg.type == "error" and pg.problems.append(f"console: {msg.text}"))
    pg.on("pageerror", lambda err: pg.problems.append(f"exception: {err}"))
    pg.on("requestfailed", lambda req: pg.problems.append(f"failed to load: {req.url} ({req.failure})"))
    try:
        yield pg
    finally:
        failed = any(getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
                     for when in ("setup", "call"))
        if failed:
            try:
                shot = artifact_path(request)
                pg.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failed page: {shot}")
            except Exception as err:  # noqa: BLE001 - a screenshot must not hide the real failure
                print(f"no screenshot of the failed page: {err}")
        context.close()


# --- servers for the browser tests: one JupyterLab and one Voilà per test process -----------------

class Server:
    """A server process started in its own process group (so its kernels stop with it)."""

    def __init__(self, cmd: list[str], url: str, *, log: Path, env: dict | None = None,
                 ready: str | None = None, timeout: float = 90):
        import subprocess
        import time
        import urllib.request

        self.url, self.log = url, log
        self._log = open(log, "wb")
        full_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "MPLBACKEND"}
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=full_env,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        probe = ready or url
        while True:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"{cmd[0]} exited ({self.proc.returncode}): {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(probe, timeout=5) as resp:
                    if resp.status < 500:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{cmd[0]} did not answer at {probe}: {log.read_text()[-2000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        import signal
        import subprocess

        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, browser):
    """JupyterLab on a scratch copy of notebooks/ (running cells never touches the committed
    notebooks), on a free loopback port, started as `make lab` starts it; ``.url`` ends in
    ``/lab`` and ``.token`` authenticates. The app is exposed as ``window.jupyterapp``."""
    import json
    import secrets

    from analysis.apps import LAB_HIDDEN, free_port, lab_command
    from analysis.paths import notebooks_dir

    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(notebooks_dir(), root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = base / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    cmd = lab_command(root, port=port, open_browser=False, hide=LAB_HIDDEN) + [
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True"]
    env = {"JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    server = Server(cmd, f"http://127.0.0.1:{port}/lab", log=base / "lab.log", env=env,
                    ready=f"http://127.0.0.1:{port}/api/status?token={token}")
    server.token, server.root = token, root
    yield server
    server.stop()


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory, browser):
    """The dashboard as `make dashboard` serves it, on a free loopback port."""
    from analysis.apps import free_port, voila_command, voila_env

    base = tmp_path_factory.mktemp("voila")
    port = free_port()
    env = {"JUPYTER_PATH": voila_env()["JUPYTER_PATH"], "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    server = Server(voila_command(port), f"http://127.0.0.1:{port}/", log=base / "voila.log", env=env)
    yield server
    server.stop()


# --- the reviewed sentence ledger (issue 18): one build of every page it covers --------------------

#: Briefings the ledger covers beyond the default set: the World briefing and two countries given
#: by ISO code.
LEDGER_EXTRAS = """
[[briefing]]
notebook = "region"
parameters = { region = "World" }
id = "region-world"

[[briefing]]
notebook = "country"
parameters = { country = "COD" }
id = "country-iso-cod"

[[briefing]]
notebook = "country"
parameters = { country = "SYR" }
id = "country-iso-syr"
"""


@pytest.fixture(scope="session")
def ledger_build(tmp_path_factory):
    """One HTML build of the default set plus the World briefing and two countries by ISO code
    (``PSW_LEDGER_BUILD`` names an existing build folder instead, e.g. to run the class tests
    on an older build)."""
    given = os.environ.get("PSW_LEDGER_BUILD")
    if given:
        return Path(given)
    from analysis.builder.briefing_set import default_set_path

    base = tmp_path_factory.mktemp("ledger")
    set_file = base / "ledger.toml"
    set_file.write_text(default_set_path().read_text(encoding="utf-8") + LEDGER_EXTRAS, encoding="utf-8")
    out = base / "reports"
    result = _run_briefings("build", "--set", str(set_file), "--out", str(out), "--no-progress")
    assert result.returncode == 0, result.stdout + result.stderr
    return out

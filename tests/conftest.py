"""Shared fixtures and helpers (test modules never import from one another): the seed text
(skipped with a reason when absent), the dataset, quiet matplotlib, a fake fifth briefing kind,
and running the `briefings` command."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import matplotlib

# Agg for the test process only: an MPLBACKEND variable would be inherited by the notebook
# kernels the tests start, and executed notebooks would then hold no figures.
matplotlib.use("Agg")
os.environ.pop("MPLBACKEND", None)

from analysis.data import seed  # noqa: E402
from analysis.data.validate import import_jsonschema  # noqa: E402

# before any test module imports nbformat: jsonschema without its 2-4 s IRI grammar
import_jsonschema()

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
from analysis.model import queries
from analysis.prose import text
from analysis.briefings.base import Briefing, BriefingKind
from analysis.briefings.registry import register
from analysis.briefings.params import Parameter, region_parameter


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


_WARM: list = []  # this pytest process's warm `briefings` parent (tests/warm_cli.py), if started


def _warm_command():
    import atexit
    import sys

    if not _WARM:
        from warm_cli import WarmCommand

        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        _WARM.append(WarmCommand(sys.executable, str(PROJECT), env))
        atexit.register(_WARM[0].close)
    return _WARM[0]


def _run_briefings(*args: str, env: dict | None = None, cwd: Path = PROJECT, timeout: float = 300,
                   process: bool = False):
    """Run `briefings ARGS`; returns the CompletedProcess (text).

    By default in a fork of this pytest process's warm parent (``tests/warm_cli.py``): the same
    command line in a process of its own, without the 2 s of interpreter start and imports.
    ``process=True`` starts the installed script itself, as does an ``env`` that changes what
    Python imports (``PYTHON*``), which the warm parent has already imported."""
    import subprocess
    import sys

    full_env = {**os.environ, **(env or {})}
    full_env.pop("MPLBACKEND", None)
    program = str(Path(sys.executable).parent / "briefings")
    if not process and not any(name.startswith("PYTHON") for name in (env or {})):
        return _warm_command().run(program, [str(a) for a in args], full_env, str(cwd), timeout)
    return subprocess.run([program, *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=timeout)


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


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None):
    """``briefings ARGS`` through the CLI's own ``main`` in this process (no interpreter start):
    a CompletedProcess (text) with its exit code and what it printed. ``env`` sets (or, with a
    None value, removes) environment variables for the call only. A bug escapes as the
    exception it is, so a traceback can never hide behind an exit code."""
    import contextlib
    import io

    from analysis.cli import main

    saved = {name: os.environ.get(name) for name in (env or {})}
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        for name, value in (env or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = str(value)
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(previous)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    import subprocess

    return subprocess.CompletedProcess(["briefings", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def cli():
    """``cli(*args, env=None, cwd=None)``: ``briefings ARGS`` in-process (see ``run_cli``)."""
    return run_cli


#: The title the session's default build puts on its pack (markup in it must stay text).
DEFAULT_BUILD_TITLE = "Security Council <b>retreat</b> & friends"
#: Where the session's build of the default set lives: kept between runs, so the builder's own
#: up-to-date check makes a later session's build a no-op while nothing it reads changed.
DEFAULT_BUILD_DIR = PROJECT / ".cache" / "test-reports"


def _clear_if_older(folder: Path) -> None:
    """The suite owns its cache: a build left by an older version of the builder (another
    manifest format, whose outputs the builder would rightly refuse to overwrite as not its own)
    is cleared instead of refused."""
    from analysis.builder.store import MANIFEST_FORMAT

    try:
        current = json.loads((folder / "manifest.json").read_text()).get("format")
    except (OSError, ValueError, AttributeError):
        current = None
    if folder.exists() and current != MANIFEST_FORMAT:
        shutil.rmtree(folder)


@pytest.fixture(scope="session")
def default_reports() -> Path:
    """The whole default set built once for the session, with PDFs and the pack
    (``briefings build --pdf --title DEFAULT_BUILD_TITLE`` into .cache/test-reports/).

    Shared by every test that reads built pages: xdist workers take a file lock, so one builds
    while the others wait and then find it up to date. Tests read it and never write into it;
    one that must rebuild copies it to its own folder first (``copy_of_default_reports``)."""
    import fcntl

    DEFAULT_BUILD_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(DEFAULT_BUILD_DIR.parent / "test-reports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _clear_if_older(DEFAULT_BUILD_DIR)
            result = _run_briefings("build", "--out", str(DEFAULT_BUILD_DIR), "--pdf", "--title",
                                    DEFAULT_BUILD_TITLE, "--no-progress", timeout=1500)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    assert result.returncode == 0, result.stdout + result.stderr
    return DEFAULT_BUILD_DIR


@pytest.fixture
def copy_of_default_reports(default_reports, tmp_path) -> Path:
    """A private copy of the session's default build, to rebuild or damage."""
    target = tmp_path / "reports"
    shutil.copytree(default_reports, target, symlinks=True)
    return target


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
    from analysis.data.dataset import Dataset

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


# --- processes the tests start: stopped at teardown, on SIGTERM or SIGINT, and with their parent --
# Every server a test starts (JupyterLab, Voilà, a Dask scheduler and its workers) goes through
# ``start_process`` (or ``Server``, which waits for it to answer). Each such process:
# - runs in its own session (a terminal's Ctrl-C reaches pytest, which stops it in order);
# - carries ``PSW_TEST_PROCESS=<tag>`` in its environment, inherited by its kernels and workers,
#   so that ``stop()`` finds every process it started even after they were re-parented;
# - is stopped by ``stop()`` (SIGTERM to its group, then SIGKILL to whatever holds its tag), by
#   the fixture that started it, at exit, and when pytest gets SIGTERM or SIGINT (both end the run
#   as a KeyboardInterrupt, so fixtures are torn down);
# - dies with the test process even on SIGKILL: Linux sends it SIGTERM when its parent dies
#   (PR_SET_PDEATHSIG, as the builder's workers do), and a watchdog process that outlives pytest
#   kills whatever still holds a tag of it (kernels, workers) once pytest is gone.

import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

TAG_VARIABLE = "PSW_TEST_PROCESS"
#: Runs ``argv[2:]`` after asking Linux for SIGTERM when the parent (``argv[1]``) dies.
_LAUNCHER = ("import os, signal, sys\n"
             "from analysis.builder.forkkernel import die_with_parent\n"
             "die_with_parent(signal.SIGTERM, int(sys.argv[1]))\n"
             "os.execvp(sys.argv[2], sys.argv[2:])\n")
#: Waits for its standard input to close (the test process is gone, however it died), then ends
#: every process whose environment holds one of the tags it was given, one per line.
_WATCHDOG = ("import os, signal, sys, time\n"
             "for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, signal.SIG_IGN)\n"
             "tags = set()\n"
             "for line in sys.stdin: tags.add(line.strip().encode())\n"
             "def tagged():\n"
             "    found = []\n"
             "    for pid in filter(str.isdigit, os.listdir('/proc')):\n"
             "        try: env = open(f'/proc/{pid}/environ', 'rb').read().split(b'\\0')\n"
             "        except OSError: continue\n"
             "        if any(e.startswith(b'" + TAG_VARIABLE + "=') and e.split(b'=', 1)[1] in tags for e in env):\n"
             "            found.append(int(pid))\n"
             "    return found\n"
             "for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):\n"
             "    deadline = time.monotonic() + wait\n"
             "    for pid in tagged():\n"
             "        try: os.kill(pid, sig)\n"
             "        except OSError: pass\n"
             "    while tagged() and time.monotonic() < deadline: time.sleep(0.2)\n")

_started: list["ManagedProcess"] = []
_watchdog: subprocess.Popen | None = None
_lock = threading.Lock()


def tagged_processes(tag: str, variable: str = TAG_VARIABLE) -> list[int]:
    """Pids of the live processes whose environment holds ``variable=tag`` (Linux /proc)."""
    wanted = f"{variable}={tag}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
            with open(f"/proc/{pid}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if wanted in env and state != b"Z" and int(pid) != os.getpid():
            found.append(int(pid))
    return found


def _watch(tag: str) -> None:
    global _watchdog
    if _watchdog is None or _watchdog.poll() is not None:
        env = {k: v for k, v in os.environ.items() if k != TAG_VARIABLE}
        _watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG], stdin=subprocess.PIPE,
                                     env=env, start_new_session=True, close_fds=True)
    _watchdog.stdin.write(tag.encode() + b"\n")
    _watchdog.stdin.flush()


class ManagedProcess:
    """A process started by a test, with the cleanup guarantees above (see ``start_process``)."""

    def __init__(self, cmd: list[str], *, log: Path, env: dict | None = None,
                 cwd: Path | None = None):
        import secrets

        self.cmd, self.log = cmd, Path(log)
        self.tag = secrets.token_hex(8)
        full_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "MPLBACKEND"}
        full_env[TAG_VARIABLE] = self.tag
        with _lock:
            _watch(self.tag)
            with open(self.log, "ab") as out:
                self.proc = subprocess.Popen(
                    [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *map(str, cmd)],
                    stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=cwd,
                    start_new_session=True)
            _started.append(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self):
        return self.proc.poll()

    @property
    def returncode(self):
        return self.proc.returncode

    def wait(self, timeout: float | None = None):
        return self.proc.wait(timeout)

    def stop(self, grace: float = 15) -> None:
        """SIGTERM to its process group (a Jupyter server then shuts its kernels down, a nanny
        its worker), then SIGKILL to anything still holding its tag; idempotent."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + grace
        while True:
            left = tagged_processes(self.tag)
            if not left:
                break
            sig = signal.SIGTERM if time.monotonic() < deadline else signal.SIGKILL
            for pid in left:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            if sig == signal.SIGKILL:
                time.sleep(0.2)
                break
            time.sleep(0.2)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with _lock:
            if self in _started:
                _started.remove(self)

    def log_tail(self, size: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-size:]
        except OSError:
            return ""


def start_process(cmd: list[str], *, log: Path, env: dict | None = None,
                  cwd: Path | None = None) -> ManagedProcess:
    """Start ``cmd`` (output to ``log``) as a process that the suite stops whatever happens:
    call ``.stop()`` in the fixture's teardown; an interrupted or killed run stops it too."""
    return ManagedProcess(cmd, log=log, env=env, cwd=cwd)


def stop_all_processes() -> None:
    """Stop every process the tests started and that is still running (newest first)."""
    for process in reversed(list(_started)):
        try:
            process.stop(grace=10)
        except Exception:  # noqa: BLE001 - stop the others all the same
            pass


class Server(ManagedProcess):
    """A server started with ``start_process`` that answers at ``url`` (or ``ready``) before the
    constructor returns; ``stop()`` it in the fixture's teardown. A dashboard test starts its
    own the same way::

        server = Server(cmd, f"http://127.0.0.1:{port}/", log=tmp / "voila.log")
        try:
            yield server
        finally:
            server.stop()
    """

    def __init__(self, cmd: list[str], url: str, *, log: Path, env: dict | None = None,
                 ready: str | None = None, timeout: float = 90, cwd: Path | None = None):
        import urllib.request

        super().__init__(cmd, log=log, env=env, cwd=cwd)
        self.url = url
        probe = ready or url
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{cmd[0]} exited ({self.proc.returncode}): {self.log_tail()}")
                try:
                    with urllib.request.urlopen(probe, timeout=5) as resp:
                        if resp.status < 500:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{cmd[0]} did not answer at {probe}: {self.log_tail()}")
                time.sleep(0.3)
        except BaseException:
            self.stop()
            raise


def _interrupt(signum, _frame):
    """SIGTERM ends the run as Ctrl-C does: fixtures are torn down, servers stopped."""
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def pytest_configure(config):
    import atexit

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    atexit.register(stop_all_processes)


def pytest_unconfigure(config):
    stop_all_processes()


@pytest.fixture(scope="session")
def server_factory(tmp_path_factory):
    """``server_factory(cmd, url, *, env=None, ready=None, name="server")``: a ``Server`` stopped
    at the end of the session (or earlier with ``.stop()``)."""
    servers = []

    def start(cmd, url, *, env=None, ready=None, name="server", timeout=90):
        base = tmp_path_factory.mktemp(name)
        server = Server(cmd, url, log=base / f"{name}.log", env=env, ready=ready,
                        timeout=timeout, cwd=base)
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """JupyterLab on a scratch copy of notebooks/ (running cells never touches the committed
    notebooks), on a free loopback port, started as `make lab` starts it; ``.url`` ends in
    ``/lab`` and ``.token`` authenticates. The app is exposed as ``window.jupyterapp``."""
    import secrets

    from analysis.apps.launch import LAB_HIDDEN, free_port, lab_command, lab_env
    from analysis.data.paths import notebooks_dir

    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(notebooks_dir(), root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (base / "settings").mkdir()
    port, token = free_port(), secrets.token_hex(16)
    cmd = lab_command(root, port=port, open_browser=False, hide=LAB_HIDDEN) + [
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True"]
    env = {"JUPYTER_CONFIG_PATH": lab_env({})["JUPYTER_CONFIG_PATH"],  # no news, as `make lab`
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    server = Server(cmd, f"http://127.0.0.1:{port}/lab", log=base / "lab.log", env=env,
                    ready=f"http://127.0.0.1:{port}/api/status?token={token}")
    server.token, server.root = token, root
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """The dashboard as `make dashboard` serves it, on a free loopback port; ``.url`` carries
    the token, ``.token`` is it."""
    from analysis.apps.launch import free_port, new_token, voila_command, voila_env

    base = tmp_path_factory.mktemp("voila")
    port, token = free_port(), new_token()
    env = {**voila_env(token=token), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "PSW_DIE_WITH_PARENT": str(os.getpid())}
    server = Server(voila_command(port), f"http://127.0.0.1:{port}/?token={token}",
                    log=base / "voila.log", env=env)
    server.token, server.port = token, port
    try:
        yield server
    finally:
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
def ledger_build(tmp_path_factory, default_reports):
    """The pages the sentence ledger covers, in one folder: the session's default build
    (``default_reports``) and a build of the World briefing and two countries by ISO code, with
    one manifest (``PSW_LEDGER_BUILD`` names an existing build folder instead, e.g. to run the
    class tests on an older build)."""
    import json

    given = os.environ.get("PSW_LEDGER_BUILD")
    if given:
        return Path(given)
    import fcntl

    base = tmp_path_factory.mktemp("ledger")
    # built once for the session, as the default set is: xdist workers take the lock, one builds,
    # the others find it up to date
    extras = DEFAULT_BUILD_DIR.parent / "test-ledger-extras"
    set_file = DEFAULT_BUILD_DIR.parent / "test-ledger-extras.toml"
    with open(DEFAULT_BUILD_DIR.parent / "test-ledger-extras.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            set_file.write_text(LEDGER_EXTRAS, encoding="utf-8")
            _clear_if_older(extras)
            result = _run_briefings("build", "--set", str(set_file), "--out", str(extras),
                                    "--no-progress")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    assert result.returncode == 0, result.stdout + result.stderr
    out = base / "reports"
    out.mkdir()
    manifest = {"briefings": {}}
    for folder in (default_reports, extras):  # the extras' index is left out: the default one is it
        for page in folder.glob("*.html"):
            if folder == default_reports or page.name != "index.html":
                (out / page.name).symlink_to(page)
        manifest["briefings"].update(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["briefings"])
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


#: Fixtures that build pages, PDFs or Word files (seconds to minutes): a test using one of them
#: is slow whatever its module says, so that ``make test-fast`` (``-m "not slow"``) leaves it out.
BUILDING_FIXTURES = {"default_reports", "copy_of_default_reports", "ledger_build", "notes"}


#: The costliest tests and groups first, the longest first (seconds measured on 2 cores, for
#: ordering only): with ``--dist loadgroup --no-loadscope-reorder`` (``make test``) a free worker
#: takes the next test in this order, so no long test starts last and leaves one core idle. The
#: session's build (its first user, the accessibility audit) starts while the other worker runs
#: the property test, which does not need it.
SLOW_FIRST = (
    "tests/test_incremental.py::test_random_row_edits",                  # 55 s
    "tests/test_accessibility.py",                                       # the session build
    "tests/test_browser_apps.py", "tests/test_dashboard.py",            # ~100 s, one group
    "tests/test_readme_blocks.py::test_blocks_run_as_written",           # 96 s in all
    "tests/test_cluster.py",                                             # ~45 s, one group
    "tests/test_nokernel_engine.py::test_the_default_set",               # ~70 s
    "tests/test_interrupted_servers.py",                                 # 57 s in all
    "tests/test_wheel.py",                                               # 50 s, one group
    "tests/test_incremental.py", "tests/test_nokernel_engine.py",       # 10-30 s each
    "tests/test_notes.py", "tests/test_word_build.py", "tests/test_injection.py",
    "tests/test_build.py", "tests/test_build_faults.py", "tests/test_build_failures.py",
)


def _cost_rank(item) -> int:
    return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)),
                len(SLOW_FIRST))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BUILDING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    _suffix_groups(config, items)
    items.sort(key=_cost_rank)  # stable: the rest keep their order


def _suffix_groups(config, items) -> None:
    """What pytest-xdist's worker does for ``--dist loadgroup`` (``test@group`` node ids, which
    its scheduler sends to one worker as a unit), done here because pytest-xdist 3.8 sets
    ``item._nodeid``, which pytest 9.2 no longer reads (a node's id is ``item._id``): every
    xdist_group was split between the workers, and each of them set up the group's session
    fixtures (servers, builds) again."""
    if not config.getoption("loadgroup", default=False):
        return
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # an older pytest: xdist's own hook does it
        return

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)

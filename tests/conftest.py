"""Shared fixtures: the seed text (skipped with a reason when absent), quiet matplotlib."""
from __future__ import annotations

import os

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


# --- browsers: Playwright for Python driving Debian's chromium ----------------------------------
# Playwright cannot download its own browsers here; `make chromium` (part of `make test`) installs
# Debian's chromium, and the browser tests skip, saying so, where it is missing.

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

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

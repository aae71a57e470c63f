"""WCAG 2.1 AA: every built page, the index included, has no serious or critical axe-core
violation in a real browser.

Debian's chromium is driven by Playwright for Python (``executable_path``: Playwright cannot
download its own browsers here) and axe-core (from npm, ``make axe`` puts it in
``.cache/node/``; this test installs it the same way when missing) runs on each page. The
build is the real CLI on real briefings: two near-twin regions, two countries (one with
little data), the three themes.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BUILT = ("region-western-africa", "region-west-africa-and-the-sahel", "country-mali",
         "country-congo", "gender", "funding", "partnerships")
AXE = PROJECT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _axe() -> Path:
    if not AXE.is_file():
        if not shutil.which("npm"):
            pytest.skip("npm is not installed: axe-core cannot be fetched (apt-get install npm)")
        subprocess.run(["npm", "install", "--prefix", str(AXE.parents[2]), "--no-audit",
                        "--no-fund", "--silent", "axe-core@4"], check=True, timeout=300,
                       capture_output=True)
    return AXE


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        result = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                                 "chromium"], capture_output=True, timeout=900)
        if result.returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=900)
            subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                            "chromium"], capture_output=True, timeout=900)
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed and could not be (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def reports(default_reports):
    """The session's build of the default set (conftest.py), read only."""
    return default_reports


@pytest.fixture(scope="module")
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    axe, binary = _axe(), _chromium()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, args=ARGS)
        tab = browser.new_page()
        tab.axe_source = axe.read_text(encoding="utf-8")
        yield tab
        browser.close()


def _audit(page, url: str) -> dict:
    page.goto(url)
    page.add_script_tag(content=page.axe_source)
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                         ".then(r => ({violations: r.violations.map(v => ({id: v.id, "
                         "impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.html)})), "
                         "passes: r.passes.map(v => v.id)}))", TAGS)


def _pages(reports: Path) -> list[str]:
    return ["index.html", *(f"{bid}.html" for bid in BUILT)]


@pytest.mark.parametrize("name", ["index.html", *(f"{bid}.html" for bid in BUILT)])
def test_no_serious_or_critical_axe_violation(reports, page, name):
    result = _audit(page, (reports / name).as_uri())
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)
    # the checks that matter here did run and pass
    rules = ["html-has-lang", "document-title", "color-contrast", "landmark-one-main",
             "page-has-heading-one"] + ([] if name == "index.html" else ["image-alt"])
    for rule in rules:
        assert rule in result["passes"], rule
    moderate = {v["id"] for v in result["violations"]}
    assert not moderate & {"heading-order", "region", "landmark-unique", "empty-heading"}, moderate


def test_page_language_headings_and_landmarks(reports, page):
    for name in _pages(reports):
        page.goto((reports / name).as_uri())
        facts = page.evaluate("""() => ({
            lang: document.documentElement.lang,
            h1: document.querySelectorAll('h1').length,
            levels: Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))
                .map(h => +h.tagName[1]),
            main: document.querySelectorAll('main').length,
            emptyLinks: Array.from(document.querySelectorAll('a'))
                .filter(a => !a.getAttribute('href') || !a.textContent.trim()).length,
            images: Array.from(document.images).map(i => ({alt: i.alt, ok: i.naturalWidth > 0})),
        })""")
        assert facts["lang"] == "en" and facts["h1"] == 1 and facts["main"] == 1, name
        assert facts["emptyLinks"] == 0, name
        levels = facts["levels"]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), (name, levels)
        for image in facts["images"]:
            assert image["ok"] and len(image["alt"]) > 12, (name, image)

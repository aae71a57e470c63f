"""Open the built reports in a real browser, as a reader would.

Every page loads without console errors or failed requests, every image is displayed, no code
cell input is visible, and the index's links resolve. Playwright drives Debian's chromium (the
``browser`` and ``page`` fixtures of conftest.py); without chromium these tests skip, saying so.
"""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REAL_SUBSET = ("region-western-africa", "gender", "funding", "partnerships")

PAGE_FACTS = """() => ({
  images: Array.from(document.images).map(i => ({src: i.src.slice(0, 40), complete: i.complete,
                                                 width: i.naturalWidth})),
  visibleInputs: Array.from(document.querySelectorAll(
      '.jp-CodeCell .jp-InputArea, .jp-CodeCell .jp-Cell-inputWrapper, .jp-InputPrompt, ' +
      '.jp-OutputPrompt, .input_area'))
      .filter(e => e.offsetParent !== null && e.getClientRects().length > 0).length,
  codeText: Array.from(document.querySelectorAll('.jp-CodeMirrorEditor, .highlight-ipynb'))
      .filter(e => e.offsetParent !== null).length,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  scripts: Array.from(document.scripts).map(s => s.src).filter(s => s),
  title: document.title,
})"""


@pytest.fixture(scope="module")
def reports(default_reports):
    """The session's build of the default set (conftest.py), read only."""
    return default_reports


def open_page(page, path: Path) -> dict:
    page.goto(path.as_uri(), wait_until="load")
    return page.evaluate(PAGE_FACTS)


def test_index_loads_and_every_link_resolves(reports, page):
    facts = open_page(page, reports / "index.html")
    assert page.problems == []
    assert facts["scripts"] == []
    links = facts["links"]
    for bid in REAL_SUBSET:
        # the page and its two-page note (the executed notebook stays in the folder: a reader
        # of the index needs no tool details of a page that built)
        assert f"{bid}.html" in links and f"{bid}-note.html" in links
    index = (reports / "index.html").read_text(encoding="utf-8")
    for href in links:
        if href.startswith("#"):  # a twin's link to another entry of the index
            assert f'id="{href[1:]}"' in index, href
        else:
            assert (reports / href).is_file(), href


@pytest.mark.parametrize("bid", REAL_SUBSET)
def test_briefing_page_loads_shows_images_and_hides_code(reports, page, bid):
    facts = open_page(page, reports / f"{bid}.html")
    assert page.problems == [], page.problems
    assert facts["scripts"] == []  # nothing fetched: works offline
    assert facts["images"], "a briefing has at least one chart or map"
    for image in facts["images"]:
        assert image["complete"] and image["width"] > 0, image
    assert facts["visibleInputs"] == 0 and facts["codeText"] == 0
    assert facts["title"]

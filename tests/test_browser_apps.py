"""The exploration notebook in a real JupyterLab, and the Voilà dashboard, driven end to end.

Playwright drives Debian's chromium (``browser``/``page`` fixtures in conftest.py); one JupyterLab
and one Voilà server per test process (``lab_server``, ``voila_server``), on free loopback ports.
On a failure the page's screenshot is kept under .cache/test-artifacts/. The dashboard's
screenshots before and after a change of region are always kept there.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from analysis.apps import explore

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser-apps")]

# The current notebook panel of JupyterLab (exposed as window.jupyterapp by the lab_server fixture).
PANEL = "window.jupyterapp && window.jupyterapp.shell.currentWidget"
KERNEL_IDLE = f"""(path) => {{
  const w = {PANEL};
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!(k && k.status === 'idle' && w.context.isReady && w.context.path === path);
}}"""
RUN_ALL_DONE = f"""() => {{
  const w = {PANEL};
  const k = w && w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k) return false;
  const code = w.content.widgets.filter(c => c.model.type === 'code');
  return k.status === 'idle' && code.every(c => c.model.executionCount !== null
                                               && !c.node.querySelector('.jp-InputPrompt').textContent.includes('*'));
}}"""
OUTPUT_PROBLEMS = f"""() => {{
  const w = {PANEL};
  const found = [];
  w.content.widgets.forEach((cell, i) => {{
    if (cell.model.type !== 'code') return;
    const outputs = cell.model.outputs;
    for (let k = 0; k < outputs.length; k++) {{
      const o = outputs.get(k).toJSON();
      if (o.output_type === 'error') found.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`);
      const plain = (o.data && o.data['text/plain']) || '';
      if (String(plain).startsWith('<Axes')) found.push(`cell ${{i}}: a raw Axes repr`);
    }}
  }});
  return found;
}}"""
# What the explorer shows: the selected labels, the key points, the table, the chart and the map.
EXPLORER_STATE = """(root) => {
  const box = root.querySelector('.widget-vbox');
  const selects = Array.from(box.querySelectorAll('.widget-dropdown select'));
  const panels = box.querySelectorAll('.widget-tab .lm-TabPanel-stackedPanel, .widget-tab > .widget-tab-contents > *, .lm-StackedPanel > .lm-Widget');
  const imgs = Array.from(box.querySelectorAll('img'));
  const outputs = Array.from(box.querySelectorAll('.widget-output'));
  return {
    selected: selects.map(s => s.options[s.selectedIndex].text.replace(/\u00a0/g, ' ')),
    points: outputs[0] ? outputs[0].textContent.trim() : '',
    table: outputs[1] ? outputs[1].textContent.trim() : '',
    tableRows: outputs[1] ? outputs[1].querySelectorAll('tbody tr').length : 0,
    tableCellsCut: outputs[1] ? Array.from(outputs[1].querySelectorAll('td')).filter(td => td.textContent.endsWith('...')).length : 0,
    images: imgs.map(i => i.getAttribute('src') || ''),
    downloads: Array.from(box.querySelectorAll('a[download]')).map(a => a.getAttribute('download')),
  };
}"""
# Records, on every animation frame, whether a part of the explorer went blank.
WATCH_BLANK = """(root) => {
  const box = root.querySelector('.widget-vbox');
  window.__blank = [];
  window.__watching = true;
  const look = () => {
    const outputs = Array.from(box.querySelectorAll('.widget-output'));
    outputs.slice(0, 2).forEach((o, i) => { if (!o.textContent.trim()) window.__blank.push(['points', 'table'][i]); });
    box.querySelectorAll('img').forEach(img => { if (!img.getAttribute('src')) window.__blank.push('image'); });
    if (window.__watching) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""

TIMINGS: dict[str, list[float]] = {}


def _record(artifacts: Path, name: str, seconds: float) -> None:
    TIMINGS.setdefault(name, []).append(round(seconds, 2))
    path = artifacts / "explorer-timings.json"
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        recorded = {}
    recorded[name] = TIMINGS[name]  # seconds from a change of control until every part changed
    path.write_text(json.dumps(recorded, indent=1))


# --- JupyterLab --------------------------------------------------------------------------------

def open_in_lab(page, lab_server, path: str):
    # ?reset: a fresh workspace, so the notebooks of earlier tests are not reopened
    page.goto(f"{lab_server.url}/tree/{path}?reset&token={lab_server.token}")
    page.wait_for_function(KERNEL_IDLE, arg=path, timeout=90_000)


def run_all(page, timeout: float = 120_000) -> list[str]:
    # not awaited: the command's promise may outlive the run; the wait below has a timeout
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(RUN_ALL_DONE, timeout=timeout, polling=250)
    return page.evaluate(OUTPUT_PROBLEMS)


def explorer_root(page):
    return page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-dropdown")).first


def option_labels(select) -> list[str]:
    """The labels of a dropdown's options (ipywidgets writes spaces as no-break spaces)."""
    return [t.replace("\xa0", " ") for t in select.evaluate("s => Array.from(s.options).map(o => o.text)")]


def choose(page, root, index: int, label: str, before: dict, *, name: str, artifacts: Path) -> dict:
    """Choose ``label`` in the index-th dropdown; wait until every part of the view changed."""
    root.evaluate(WATCH_BLANK)
    select = root.locator(".widget-dropdown select").nth(index)
    labels = option_labels(select)
    start = time.monotonic()
    select.select_option(index=labels.index(label))
    page.wait_for_function(
        """([root, before]) => {
          const outputs = Array.from(root.querySelectorAll('.widget-output'));
          return outputs[0].textContent.trim() !== before.points && outputs[1].textContent.trim() !== before.table;
        }""", arg=[root.element_handle(), before], timeout=30_000, polling="raf")
    _record(artifacts, f"{name}: key points and table", time.monotonic() - start)
    page.wait_for_function(
        """([root, before]) => {
          const outputs = Array.from(root.querySelectorAll('.widget-output'));
          const imgs = Array.from(root.querySelectorAll('img')).map(i => i.getAttribute('src'));
          return outputs[0].textContent.trim() !== before.points && outputs[1].textContent.trim() !== before.table
                 && imgs.length === before.images.length && imgs.every((s, i) => s && s !== before.images[i]);
        }""", arg=[root.element_handle(), before], timeout=30_000, polling="raf")
    _record(artifacts, f"{name}: every part, chart and map included", time.monotonic() - start)
    page.evaluate("() => { window.__watching = false; }")
    blank = page.evaluate("() => window.__blank")
    assert blank == [], f"went blank while updating: {sorted(set(blank))}"
    return root.evaluate(EXPLORER_STATE)


def test_lab_lists_no_lesson_with_solutions(browser, lab_server):
    # ``browser``: one of the browser tests, which skip (saying so) where chromium is missing
    import urllib.request

    with urllib.request.urlopen(f"{lab_server.url.rsplit('/lab', 1)[0]}/api/contents?token={lab_server.token}") as r:
        names = {item["name"] for item in json.load(r)["content"]}
    assert "explore.ipynb" in names and "briefings" in names
    assert "training" not in names


def test_explore_notebook_runs_and_its_controls_change_every_view(page, lab_server, artifacts_dir):
    open_in_lab(page, lab_server, "explore.ipynb")
    assert run_all(page) == []
    # started as `make lab` starts it: no news pop-up asking to fetch from the internet
    assert "Jupyter news" not in page.inner_text("body")
    root = explorer_root(page)
    state = root.evaluate(EXPLORER_STATE)
    # the top widget shows the notebook's parameters, not the state of a later tutorial cell
    assert state["selected"] == ["World", "All themes", "Everyone (UN and partners)"]
    assert state["points"].startswith("World:") and len(state["images"]) == 2
    assert state["tableCellsCut"] == 0
    # every dropdown label is shown whole
    cut = root.evaluate("""(r) => Array.from(r.querySelectorAll('.widget-dropdown select'))
        .filter(s => s.scrollWidth > s.clientWidth + 1 || s.clientWidth < 40).length""")
    assert cut == 0
    # a long table cell is shown whole and left-aligned (pandas cuts at 50 characters by default)
    align = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea-output td'))
        .map(td => getComputedStyle(td).textAlign).filter(a => a !== 'left' && a !== 'start').length""")
    assert align == 0
    long_cells = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea-output td'))
        .filter(td => td.textContent.length > 50).length""")
    assert long_cells > 0

    steps = [(0, "Western Africa (M49 subregion)", ("Western Africa", "all", "all")),
             (1, "Elections and democratic transitions", ("Western Africa", "elections", "all")),
             (2, "Economic Community of West African States (ECOWAS)", ("Western Africa", "elections", "ECOWAS"))]
    for index, label, choice in steps:
        state = choose(page, root, index, label, state, name="lab", artifacts=artifacts_dir)
        expected = explore.compute_view(*choice, draw=False)
        assert state["selected"][index] == label
        assert state["points"].startswith(expected.title)
        assert state["tableRows"] == len(expected.table), state["table"]
        assert state["downloads"] == [f"{expected.file_stem()}.csv", f"{expected.file_stem()}.png"]
    assert "ECOWAS" in state["points"] and "Ghana" in state["table"]
    page.locator(".jp-OutputArea-output .widget-tab [role=tab]").first.click()  # Key points, in view
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts_dir / "lab-explore.png"))
    assert page.evaluate(OUTPUT_PROBLEMS) == []


# The share of pixels that are not white in a PNG (the image drawn onto a canvas).
INK = """(src) => new Promise((resolve, reject) => {
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) ink++;
    resolve({ink: ink / (d.length / 4), width: c.width});
  };
  img.onerror = () => reject(new Error('not an image'));
  img.src = src;
})"""


def test_explorer_figures_stay_drawn_after_run_all_twice(page, lab_server, artifacts_dir):
    """Issue 20: Run All, Run All again, choose Western Africa, open the Chart tab: the chart and
    the PNG download are drawn, not an empty box and an all-white image.

    The cause: the explorer's figures were pyplot figures, drawn inside the widget callback
    while the notebook's inline backend also manages every pyplot figure. With the second Run
    All started while the first still ran, the Western Africa chart came out all white in 4 of
    6 runs (its PNG bytes white, while the same figure saved again later was drawn). The
    explorer now draws on figures of its own (``style.detached_figures``): 0 of 9 since."""
    open_in_lab(page, lab_server, "explore.ipynb")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_timeout(1500)  # Run All again while the first run is still going
    assert run_all(page) == []
    root = explorer_root(page)
    assert page.locator(".jp-OutputArea-output .widget-dropdown").count() == 3  # one explorer shown
    before = root.evaluate(EXPLORER_STATE)
    choose(page, root, 0, "Western Africa (M49 subregion)", before, name="lab re-run",
           artifacts=artifacts_dir)
    root.get_by_role("tab", name="Chart").click()
    chart = root.locator(".widget-tab img").nth(0)
    page.wait_for_function("(i) => i.complete && i.naturalWidth > 0", arg=chart.element_handle())
    page.screenshot(path=str(artifacts_dir / "lab-explore-rerun-chart.png"))
    box = chart.bounding_box()
    assert chart.is_visible() and box and box["width"] > 200 and box["height"] > 100
    drawn = page.evaluate(INK, chart.get_attribute("src"))
    assert drawn["ink"] > 0.02, f"the chart is blank: {drawn}"
    link = root.locator("a.psw-download-png")
    assert link.get_attribute("download") == "engagements-western-africa.png"
    saved = page.evaluate(INK, link.get_attribute("href"))
    assert saved["ink"] > 0.02, f"the PNG download is blank: {saved}"
    root.get_by_role("tab", name="Map").click()
    figure = root.locator(".widget-tab img").nth(1)
    page.wait_for_function("(i) => i.complete && i.naturalWidth > 0", arg=figure.element_handle())
    assert page.evaluate(INK, figure.get_attribute("src"))["ink"] > 0.02


def test_a_briefing_notebook_runs_in_lab(page, lab_server):
    open_in_lab(page, lab_server, "briefings/region.ipynb")
    assert run_all(page) == []
    assert page.locator(".jp-OutputArea-output img").count() > 0


def test_a_lesson_runs_in_lab_and_shows_figures_not_reprs(page, lab_server):
    open_in_lab(page, lab_server, "training/02-regions-and-maps.ipynb")
    assert run_all(page) == []  # also no "<Axes: …>" text
    assert page.locator(".jp-OutputArea-output img").count() >= 3


# --- Voilà -------------------------------------------------------------------------------------

def test_dashboard_shows_widgets_only_and_follows_the_region(page, voila_server, artifacts_dir):
    page.goto(voila_server.url)
    page.wait_for_selector(".widget-dropdown select", timeout=90_000)
    root = page.locator("body")
    page.wait_for_function("() => document.querySelectorAll('.widget-vbox img[src]').length === 2")
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor").count() == 0  # no code
    assert "explore.Explorer" not in page.inner_text("body")
    assert "Run all cells" not in page.inner_text("body")  # no tutorial
    before = root.evaluate(EXPLORER_STATE)
    assert before["points"].startswith("World:")
    page.screenshot(path=str(artifacts_dir / "dashboard-before.png"), full_page=True)

    options = option_labels(root.locator(".widget-dropdown select").first)
    assert options == [label for label, _ in explore.region_options()]  # only regions the data knows
    after = choose(page, root, 0, "Western Africa (M49 subregion)", before, name="voila",
                   artifacts=artifacts_dir)
    assert after["points"].startswith("Western Africa (M49 subregion")
    page.screenshot(path=str(artifacts_dir / "dashboard-after.png"), full_page=True)
    page.get_by_role("tab", name="Chart").click()
    chart = page.locator(".widget-vbox img").first
    assert chart.is_visible() and chart.evaluate("i => i.naturalWidth") > 200
    page.screenshot(path=str(artifacts_dir / "dashboard-after-chart.png"), full_page=True)
    page.get_by_role("tab", name="Map").click()
    page.screenshot(path=str(artifacts_dir / "dashboard-after-map.png"), full_page=True)
    page.get_by_role("tab", name="Table").click()
    page.screenshot(path=str(artifacts_dir / "dashboard-after-table.png"), full_page=True)

    with page.expect_download() as csv_download:
        page.locator("a.psw-download-csv").click()
    csv = open(csv_download.value.path(), encoding="utf-8").read()
    assert csv_download.value.suggested_filename == "engagements-western-africa.csv"
    assert csv.splitlines()[0] == "who,where,theme,what they do,paragraph" and "Ghana" in csv
    with page.expect_download() as png_download:
        page.locator("a.psw-download-png").click()
    assert open(png_download.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert [p for p in page.problems if "favicon" not in p] == [], page.problems

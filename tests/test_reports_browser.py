"""Open the built reports in headless Chromium, as a reader would.

Every page loads without console errors or failed requests, every image is displayed, no code
cell input is visible, and the index's links resolve. Chromium is driven through the DevTools
protocol (websocket-client, already a Jupyter dependency). Debian's ``chromium`` package is
installed when missing (the tests run as root); the tests skip, saying why, only where it
cannot be installed.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REAL_SUBSET = ("region-western-africa", "gender", "funding", "partnerships")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*"]

PAGE_FACTS = """JSON.stringify({
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


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    try:
        if subprocess.run(install, capture_output=True, timeout=600).returncode != 0:
            # a fresh machine may have no package lists yet
            subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True,
                           timeout=600)
            subprocess.run(install, check=True, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as err:
        pytest.skip(f"headless Chromium is not installed and `apt-get install chromium` "
                    f"failed here ({err}); the reports were not opened in a browser")
    found = shutil.which("chromium")
    if not found:
        pytest.skip("`apt-get install chromium` gave no chromium command")
    return found


class Browser:
    """One headless Chromium and one page, driven through the DevTools protocol."""

    def __init__(self, binary: str, profile: Path):
        import websocket

        self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}",
                                      "about:blank"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == event:
                return message
        raise TimeoutError(event)

    def open(self, url: str) -> dict:
        """Load ``url``; returns the page facts and the errors seen while loading."""
        self.events = []
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        time.sleep(0.2)  # let late console messages arrive
        facts = json.loads(self.call("Runtime.evaluate", expression=PAGE_FACTS,
                                     returnByValue=True)["result"]["value"])
        self.call("Runtime.evaluate", expression="1")  # drain events queued meanwhile
        errors = []
        for ev in self.events:
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                errors.append(str(params.get("args")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(params["entry"].get("text"))
            elif method == "Network.loadingFailed":
                errors.append(f"failed to load: {params.get('errorText')}")
        facts["errors"] = errors
        return facts

    def close(self):
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def reports(tmp_path_factory, briefings):
    out = tmp_path_factory.mktemp("browser") / "reports"
    args = ["build", "--out", str(out)]
    for bid in REAL_SUBSET:
        args += ["--only", bid]
    result = briefings(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = _chromium()
    b = Browser(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


def test_index_loads_and_every_link_resolves(reports, browser):
    facts = browser.open((reports / "index.html").as_uri())
    assert facts["errors"] == []
    assert facts["scripts"] == []
    links = facts["links"]
    for bid in REAL_SUBSET:
        assert f"{bid}.html" in links and f"{bid}.ipynb" in links
    for href in links:
        assert (reports / href).is_file(), href


@pytest.mark.parametrize("bid", REAL_SUBSET)
def test_briefing_page_loads_shows_images_and_hides_code(reports, browser, bid):
    facts = browser.open((reports / f"{bid}.html").as_uri())
    assert facts["errors"] == [], facts["errors"]
    assert facts["scripts"] == []  # nothing fetched: works offline
    assert facts["images"], "a briefing has at least one chart or map"
    for image in facts["images"]:
        assert image["complete"] and image["width"] > 0, image
    assert facts["visibleInputs"] == 0 and facts["codeText"] == 0
    assert facts["title"]

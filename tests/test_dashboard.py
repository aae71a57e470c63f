"""The dashboard is closed (issue 19 item 4) and offline (issue 20 item 4), tested against a real
Voilà server on 127.0.0.1 started as `make dashboard` starts it.

The servers run in their own process group and die with the test process
(``PSW_DIE_WITH_PARENT``): a fixture stops them and their kernels, and an interrupted run
cannot leave them behind.
"""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from analysis import cli
from analysis.apps import dashboard, launch as apps

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser-apps")]

EVIL = "rebind.example"


def request(port: int, path: str, *, host: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), dict(response.getheaders())
    finally:
        conn.close()


def wait_for(predicate, timeout: float = 90, what: str = "the server") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not get ready in {timeout} s")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory):
    """A dashboard allowed one kernel at once (the pre-started one), for the cap's refusal."""
    from conftest import Server

    base = tmp_path_factory.mktemp("voila-capped")
    port, token = apps.free_port(), apps.new_token()
    env = {**apps.voila_env(token=token), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "PSW_DIE_WITH_PARENT": str(os.getpid())}
    server = Server(apps.voila_command(port, max_kernels=1), f"http://127.0.0.1:{port}/login",
                    log=base / "voila.log", env=env)
    server.token, server.port = token, port
    try:
        wait_for(lambda: "is filled with 1 kernel" in server.log.read_text(errors="replace"),
                 what="the kernel pool")
        yield server
    finally:
        server.stop()


ROUTES = ["/", "/?token={token}", "/voila/static/voila.js", "/voila/templates/lab/static/index.css",
          "/api/kernels/{kernel}", "/api/kernels/{kernel}/channels?token={token}", "/login",
          "/voila/api/shutdown/{kernel}", "/voila/files/explore.ipynb"]


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_refuses_a_foreign_host_header(voila_server, route):
    path = route.format(token=voila_server.token, kernel=uuid.uuid4())
    headers = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} if "channels" in path else {}
    status, body, _ = request(voila_server.port, path, host=f"{EVIL}:{voila_server.port}",
                              headers=headers)
    assert status == 403 and "Host header" in body
    if route in ("/?token={token}", "/voila/static/voila.js", "/login"):
        assert request(voila_server.port, path)[0] == 200  # the loopback name is served


def test_the_page_needs_the_token(voila_server):
    status, _, headers = request(voila_server.port, "/")
    assert status in (302, 403) and "login" in headers.get("Location", "/login")
    status, body, _ = request(voila_server.port, f"/?token={voila_server.token}")
    assert status == 200 and "explore" in body.lower()


def test_the_command_shows_the_url_with_its_token_and_it_works(tmp_path):
    port = apps.free_port()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), PSW_DIE_WITH_PARENT=str(os.getpid()))
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "dashboard", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/?token=" in line
        token = line.split("?token=")[1].split()[0]
        assert len(token) >= 32
        wait_for(lambda: _answers(port))
        assert request(port, f"/voila/static/voila.js")[0] == 200
        assert request(port, f"/?token={token}")[0] == 200
        assert request(port, "/?token=wrong")[0] != 200
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def _answers(port: int) -> bool:
    try:
        return request(port, "/voila/static/voila.js")[0] == 200
    except OSError:
        return False


def test_a_page_beyond_the_kernel_cap_is_refused_saying_why(capped_server):
    first, _, _ = request(capped_server.port, f"/?token={capped_server.token}")
    assert first == 200  # the pre-started kernel
    second, body, _ = request(capped_server.port, f"/?token={capped_server.token}")
    assert second == 503 and "The dashboard is busy" in body and "--max-kernels" in body
    assert "https://" not in body  # the refusal page loads nothing from outside either


def test_idle_kernels_are_culled_and_the_cap_is_set():
    cmd = " ".join(apps.voila_command(8866, max_kernels=3))
    assert f"--MappingKernelManager.cull_idle_timeout={dashboard.CULL_IDLE}" in cmd
    assert "--psw-max-kernels=3" in cmd and "CappedKernelManager" in cmd
    assert "--Voila.ip=127.0.0.1" in cmd and "token" not in cmd.replace("auto_token", "")


def test_ip_opens_it_to_others_with_a_warning(capsys, monkeypatch):
    started = []
    monkeypatch.setattr(os, "execve", lambda *a: started.append(a))
    cli.main(["dashboard", "--port", str(apps.free_port()), "--ip", "0.0.0.0"])
    err = capsys.readouterr().err
    assert "WARNING" in err and "0.0.0.0" in err and "anyone who can reach this machine" in err
    cmd = started[0][1]
    assert "--Voila.ip=0.0.0.0" in cmd
    assert any(a.startswith("--psw-host=") for a in cmd)  # its own names, not any Host


def test_host_names_are_parsed_without_port_or_brackets():
    assert dashboard.host_name("127.0.0.1:8866") == "127.0.0.1"
    assert dashboard.host_name("[::1]:8866") == "::1"
    assert dashboard.host_name("LOCALHOST") == "localhost"
    assert dashboard.host_name("evil.example:80") == "evil.example"


@pytest.mark.browser
def test_the_dashboard_loads_nothing_from_outside_the_machine(browser, voila_server):
    context = browser.new_context()
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    try:
        page.goto(voila_server.url.split("?")[0])  # without the token: the login page
        page.wait_for_load_state("networkidle")
        page.goto(voila_server.url)
        page.wait_for_selector(".widget-dropdown select", timeout=90_000)
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert outside == []

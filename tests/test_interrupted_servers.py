"""An interrupted test run leaves no server behind.

The suite's own server fixtures (JupyterLab with a kernel, the Voilà dashboard with the kernel
of a page, a Dask scheduler and worker) are started by a pytest run in a subprocess; that run is
then ended with SIGTERM, SIGINT or SIGKILL. Every process it started carries a marker in its
environment (inherited by kernels and workers), so whatever outlives it is found, whoever its
parent has become.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import PROJECT, start_process, tagged_processes

#: Set (to the path of a file to write once everything is up) only in the run under test.
PROBE = "PSW_SERVER_PROBE"
#: Marks every process of the run under test, whatever it starts.
RUN_MARK = "PSW_INTERRUPTED_RUN"


@pytest.mark.skipif(PROBE not in os.environ,
                    reason="started by test_an_interrupted_run_leaves_no_process_behind")
def test_servers_wait_for_the_signal(lab_server, voila_server, tmp_path):
    from analysis.apps.launch import free_port

    port = free_port()
    dask = Path(sys.executable).parent / "dask"
    address = f"tcp://127.0.0.1:{port}"
    scheduler = start_process([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], log=tmp_path / "scheduler.log", cwd=tmp_path)
    worker = start_process([str(dask), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                            "--no-dashboard", "--local-directory", str(tmp_path / "w")],
                           log=tmp_path / "worker.log", cwd=tmp_path)
    base = lab_server.url.rsplit("/lab", 1)[0]
    request = urllib.request.Request(f"{base}/api/kernels?token={lab_server.token}",
                                     data=json.dumps({"name": "python3"}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as resp:
        assert resp.status == 201
    with urllib.request.urlopen(voila_server.url, timeout=300) as resp:  # runs the notebook
        assert resp.status == 200
    assert scheduler.poll() is None and worker.poll() is None
    Path(os.environ[PROBE]).write_text("ready", encoding="utf-8")
    time.sleep(900)  # until the signal


def _described(pids: list[int]) -> list[str]:
    out = []
    for pid in pids:
        try:
            out.append(f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes()
                       .replace(b"\0", b" ").decode(errors="replace")[:200])
        except OSError:
            pass
    return out


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_an_interrupted_run_leaves_no_process_behind(tmp_path, sig):
    mark = secrets.token_hex(8)
    ready = tmp_path / "ready"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_XDIST", "COV_CORE", "PYTEST_ADDOPTS"))}
    env.update({PROBE: str(ready), RUN_MARK: mark})
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "pytest", f"{Path(__file__).name}::test_servers_wait_for_the_signal",
             "-q", "-s", "-n", "0", "-p", "no:cacheprovider", "-p", "no:randomly",
             f"--basetemp={tmp_path / 'run'}"],
            cwd=PROJECT / "tests", env=env, stdout=out, stderr=subprocess.STDOUT,
            # as from a terminal: a run started in the background of a script inherits SIGINT
            # ignored, and Python then never turns it into KeyboardInterrupt
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 400
        while not ready.exists():
            assert run.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        started = tagged_processes(mark, RUN_MARK)
        # pytest, JupyterLab and its kernel, Voilà and its kernel, scheduler, nanny and worker
        assert len(started) >= 8, _described(started)
        run.send_signal(getattr(signal, sig))
        run.wait(timeout=120)
        deadline = time.monotonic() + 60  # the watchdog's SIGTERM, then SIGKILL, after a kill
        left = tagged_processes(mark, RUN_MARK)
        while left and time.monotonic() < deadline:
            time.sleep(0.5)
            left = tagged_processes(mark, RUN_MARK)
        assert left == [], (sig, _described(left), log.read_text(errors="replace")[-2000:])
        if sig != "SIGKILL":
            assert run.returncode != 0
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        for pid in tagged_processes(mark, RUN_MARK):  # never leave one behind, even on failure
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

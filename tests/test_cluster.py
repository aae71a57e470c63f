"""`briefings build --scheduler`: a real Dask scheduler and two workers on 127.0.0.1.

The cluster runs as separate processes (`dask scheduler`, `dask worker --nthreads 1`), started
once for the module's tests and torn down by process group. Builds run through the command
line, as users run them.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from analysis.builder.cluster import briefing_processes_ready
from conftest import start_process

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask-cluster")]

BIN = Path(sys.executable).parent
BRIEFINGS = BIN / "briefings"
PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures" / "notebooks"
#: A real-notebook subset: a map and charts (region), figures (gender), a matrix (partnerships).
SUBSET = ["--only", "region-western-africa", "--only", "gender", "--only", "partnerships"]
#: Runs `briefings build` in-process and reports which Dask modules got imported.
IMPORT_PROBE = ("import json, sys\n"
                "from analysis.cli import main\n"
                "code = main(sys.argv[1:])\n"
                "print('DASK_MODULES=' + json.dumps(sorted(m for m in sys.modules\n"
                "      if m.split('.')[0] in ('dask', 'distributed'))))\n"
                "sys.exit(code)\n")


def nothing_written(out: Path) -> bool:
    """No report, notebook, index or manifest (the builder may have made the empty folder)."""
    return not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PSW_SCHEDULER")}
    env.update(extra)
    return env


@dataclass
class DaskCluster:
    address: str
    scheduler: subprocess.Popen
    nannies: list[subprocess.Popen]
    folder: Path

    def client(self):
        import distributed

        return distributed.Client(self.address, timeout=10, set_as_default=False)

    def wait_for_workers(self, n: int, timeout: float = 120) -> None:
        client = self.client()
        try:
            client.wait_for_workers(n, timeout=timeout)
            deadline = time.monotonic() + timeout  # and their briefing processes warmed up
            while not all(client.run(briefing_processes_ready).values()):
                assert time.monotonic() < deadline, "workers did not warm up"
                time.sleep(0.5)
        finally:
            client.close()

    def worker_of(self, pid: int) -> int:
        """The Dask worker process whose descendant ``pid`` is (the child of a nanny)."""
        import psutil

        nannies = {p.pid for p in self.nannies}
        for process in psutil.Process(pid).parents():
            if process.ppid() in nannies:
                return process.pid
        raise AssertionError(f"process {pid} runs under no worker of the test cluster")


def _start(cmd: list[str], log: Path, env: dict[str, str]):
    """A scheduler or worker, started with conftest's cleanup guarantees (stopped at teardown,
    on SIGTERM/SIGINT of the run, and with the test process even when it is killed)."""
    return start_process(cmd, log=log, env=env, cwd=log.parent)


def _stop(processes) -> None:
    for process in processes:  # SIGTERM to each group first, so they shut down together
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for process in processes:
        process.stop()


def start_cluster(folder: Path, workers: int = 2, worker_env: list[dict] | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                        str(port), "--no-dashboard"], folder / "scheduler.log", _env())
    nannies = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert scheduler.poll() is None, (folder / "scheduler.log").read_text()
                assert time.monotonic() < deadline, "the scheduler did not start"
                time.sleep(0.2)
        for i in range(workers):
            extra = (worker_env or [{}] * workers)[i]
            nannies.append(_start(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                 "--name", f"w{i}", "--no-dashboard", "--death-timeout", "30",
                 "--local-directory", str(folder / f"w{i}"),
                 "--preload", "analysis.builder.cluster"],
                folder / f"w{i}.log", _env(**extra)))
    except BaseException:
        _stop([*nannies, scheduler])
        raise
    return DaskCluster(address, scheduler, nannies, folder)


@pytest.fixture(scope="session")
def _session_cluster(tmp_path_factory):
    dask_cluster = start_cluster(tmp_path_factory.mktemp("dask"))
    try:
        yield dask_cluster
    finally:
        _stop([*dask_cluster.nannies, dask_cluster.scheduler])


@pytest.fixture
def cluster(_session_cluster):
    """The session's cluster with both workers up and warm (a nanny restarts a killed one)."""
    _session_cluster.wait_for_workers(2)
    return _session_cluster


def probe_build(*args: str, env: dict | None = None):
    """`briefings build ARGS` in a Python process that reports the Dask modules it imported."""
    result = subprocess.run([sys.executable, "-c", IMPORT_PROBE, "build", *args],
                            capture_output=True, text=True, env=_env(**(env or {})),
                            cwd=PROJECT, timeout=300)
    line = [x for x in result.stdout.splitlines() if x.startswith("DASK_MODULES=")]
    assert line, result.stdout + result.stderr
    return result, json.loads(line[0].partition("=")[2])


def test_a_cluster_build_is_byte_identical_to_a_local_build(cluster, tmp_path, briefings,
                                                             manifest, snapshot):
    local, cl = tmp_path / "local", tmp_path / "cluster"
    result, dask_modules = probe_build(*SUBSET, "--out", str(local), "--pdf", "--no-progress")
    assert result.returncode == 0, result.stdout + result.stderr
    assert dask_modules == [], "a local build imported Dask"

    result = briefings("build", *SUBSET, "--out", str(cl), "--scheduler", cluster.address,
                       "--pdf", "--no-progress")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 built, 0 skipped" in result.stdout
    assert f"on {cluster.address}" in result.stdout

    # every page, notebook, PDF, the pack and the index, byte for byte
    assert snapshot(cl) == snapshot(local)
    # each briefing's page and its two-page note as PDF, and the pack
    assert sorted(p.name for p in cl.glob("*.pdf")) == sorted(
        ["pack.pdf"] + [f"{b}{n}.pdf" for b in ("region-western-africa", "gender", "partnerships")
                        for n in ("", "-note")])
    ours, theirs = manifest(cl), manifest(local)
    assert list(ours) == list(theirs) == ["region-western-africa", "gender", "partnerships"]
    for bid in ours:
        for key in ("inputs", "outputs", "parameters", "status", "title", "summary"):
            assert ours[bid][key] == theirs[bid][key], (bid, key)
        assert ours[bid]["timings"]["execute"] > 0
        assert ours[bid]["timings"]["pdf"] > 0  # rendered on a worker, as a local build does

    # Nothing to build: the scheduler is not even contacted, and Dask is not imported.
    result, dask_modules = probe_build(*SUBSET, "--out", str(cl), "--pdf", "--no-progress",
                                       env={"PSW_SCHEDULER": f"tcp://127.0.0.1:{free_port()}"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 built, 3 skipped" in result.stdout
    assert dask_modules == []


def _linger_set(write_set, tmp_path: Path, marker: Path, seconds: float) -> Path:
    marker.mkdir()
    return write_set(tmp_path / "set.toml",
                     {"linger": FIXTURES / "linger.ipynb", "ok": FIXTURES / "ok.ipynb"},
                     ['notebook = "linger"\nid = "linger"\n'
                      f'parameters = {{ marker = "{marker}", seconds = {seconds} }}',
                      'notebook = "ok"\nfor_each = { name = ["Alpha", "Beta"] }\nid = "ok-{name}"'])


def _wait_for_marks(marker: Path, count: int, build: subprocess.Popen, timeout=120) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        marks = sorted((p.stat().st_mtime, int(p.name)) for p in marker.iterdir())
        if len(marks) >= count:
            return [pid for _, pid in marks]
        assert build.poll() is None, build.communicate()
        assert time.monotonic() < deadline, f"only {len(marks)} of {count} runs started"
        time.sleep(0.1)


def _build(set_path: Path, out: Path, address: str) -> subprocess.Popen:
    return subprocess.Popen([str(BRIEFINGS), "build", "--set", str(set_path), "--out", str(out),
                             "--scheduler", address, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(), cwd=PROJECT)


def test_a_lost_worker_s_briefing_is_tried_again_on_another_worker(cluster, tmp_path, write_set,
                                                                manifest):
    marker, out = tmp_path / "marks", tmp_path / "out"
    build = _build(_linger_set(write_set, tmp_path, marker, seconds=4), out, cluster.address)
    try:
        (kernel,) = _wait_for_marks(marker, 1, build)
        killed = cluster.worker_of(kernel)
        os.kill(killed, signal.SIGKILL)
        stdout, stderr = build.communicate(timeout=180)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 0, stdout + stderr
    assert "3 built, 0 skipped (up to date), 0 failed" in stdout
    assert "was lost while building linger; trying it once more on another worker" in stderr
    first, second = _wait_for_marks(marker, 2, build)
    assert manifest(out)["linger"]["status"] == "built"
    assert (out / "linger.html").is_file()


def test_a_briefing_lost_twice_fails_and_the_others_go_on(cluster, tmp_path, write_set, manifest):
    marker, out = tmp_path / "marks", tmp_path / "out"
    build = _build(_linger_set(write_set, tmp_path, marker, seconds=30), out, cluster.address)
    try:
        (first,) = _wait_for_marks(marker, 1, build)
        first_worker = cluster.worker_of(first)
        os.kill(first_worker, signal.SIGKILL)
        second = _wait_for_marks(marker, 2, build)[1]
        second_worker = cluster.worker_of(second)
        assert second_worker != first_worker  # tried again on another worker
        os.kill(second_worker, signal.SIGKILL)
        stdout, stderr = build.communicate(timeout=180)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 1, stdout + stderr
    assert "2 built, 0 skipped (up to date), 1 failed" in stdout
    assert "FAILED linger: notebook tests/fixtures/notebooks/linger.ipynb, worker lost" in stdout
    assert "2 tries" in stdout
    entries = manifest(out)
    assert entries["linger"]["status"] == "failed"
    assert entries["linger"]["error"]["kind"] == "worker lost"
    assert entries["ok-alpha"]["status"] == entries["ok-beta"]["status"] == "built"
    assert not (out / "linger.html").exists()


def test_an_unreachable_scheduler_is_one_line_and_exit_2_within_10_seconds(tmp_path):
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    result = subprocess.run([str(BRIEFINGS), "build", "--only", "gender", "--out", str(out),
                             "--no-progress"], capture_output=True, text=True,
                            env=_env(PSW_SCHEDULER=address), cwd=PROJECT, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stdout + result.stderr
    assert elapsed < 10, f"took {elapsed:.1f} s"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"briefings build: cannot reach the Dask scheduler at {address}")
    assert result.stdout == ""
    assert nothing_written(out)


def test_a_bad_scheduler_address_is_one_line_and_exit_2(tmp_path, briefings):
    result = briefings("build", "--only", "gender", "--out", str(tmp_path / "out"),
                       "--scheduler", "carrier-pigeon://nowhere")
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "carrier-pigeon://nowhere" in result.stderr
    assert nothing_written(tmp_path / "out")


def test_a_worker_with_another_package_version_is_refused_naming_both(tmp_path, briefings):
    fake = tmp_path / "fake-site"
    dist = fake / "peace_security_workbook-9.9.9.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: peace-security-workbook\n"
                                   "Version: 9.9.9\n", encoding="utf-8")
    ours = metadata.version("peace-security-workbook")
    other = start_cluster(tmp_path / "dask", workers=1,
                          worker_env=[{"PYTHONPATH": str(fake)}])  # the worker reports 9.9.9
    try:
        client = other.client()
        try:
            client.wait_for_workers(1, timeout=120)
        finally:
            client.close()
        result = briefings("build", "--only", "gender", "--out", str(tmp_path / "out"),
                           "--scheduler", other.address, "--no-progress")
    finally:
        _stop([*other.nannies, other.scheduler])
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"peace-security-workbook 9.9.9 (this client: {ours})" in lines[0]
    assert "install the same versions" in lines[0]
    assert nothing_written(tmp_path / "out")

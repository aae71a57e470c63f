"""The cluster engine without a cluster: options, version checks, retries (a fake client).

tests/test_cluster.py runs the same engine against a real scheduler and workers (slow).
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from analysis.builder import cluster as engine
from analysis.builder.tasks import Result, Task


def test_build_help_documents_the_scheduler_option_and_its_variable(briefings):
    result = briefings("build", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--scheduler ADDRESS" in text
    assert "$PSW_SCHEDULER" in text


def test_the_builder_imports_nothing_of_dask_until_it_connects():
    code = ("import json, sys\n"
            "import analysis.builder.build, analysis.cli.build, analysis.builder.cluster\n"
            "from analysis.cli import make_parser\n"
            "make_parser()\n"
            "print(json.dumps(sorted(m for m in sys.modules\n"
            "      if m.split('.')[0] in ('dask', 'distributed', 'tornado'))))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == []


def test_a_mismatch_names_the_worker_s_value_and_ours():
    ours = engine.environment_versions()
    assert engine.describe_mismatch("tcp://w:1", dict(ours), ours) is None
    theirs = {**ours, "package": "9.9.9", "pandas": "1.0.0"}
    line = engine.describe_mismatch("tcp://w:1", theirs, ours)
    assert line.startswith("worker tcp://w:1 runs ")
    assert f"peace-security-workbook 9.9.9 (this client: {ours['package']})" in line
    assert f"pandas 1.0.0 (this client: {ours['pandas']})" in line
    assert "\n" not in line


def test_versions_name_the_package_and_the_dataset():
    versions = engine.environment_versions()
    data = json.loads((engine.Path(__file__).parents[1] / "data" / "datapackage.json")
                      .read_text(encoding="utf-8"))
    assert versions["dataset"].startswith(f"{data['version']} (data ")
    assert versions["package"] != "not installed"
    assert {"python", "pandas", "papermill", "nbconvert", "code"} <= set(versions)


@pytest.mark.parametrize("address, message", [
    ("tcp://127.0.0.1", "has no port"),
    ("   ", "is empty"),
])
def test_addresses_without_a_port_or_empty_are_refused(address, message):
    with pytest.raises(engine.ClusterProblem, match=message):
        engine.connect(address)


def test_a_refused_connection_is_reported_at_once():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(engine.ClusterProblem, match="cannot reach the Dask scheduler at "
                       f"tcp://127.0.0.1:{port} .*dask scheduler"):
        engine._reachable(f"tcp://127.0.0.1:{port}")


# --- retries, with a fake client -------------------------------------------------------------

class FakeFuture:
    def __init__(self, key, result=None):
        self.key, self._result, self.callbacks = key, result, []
        self.cancelled = False

    def add_done_callback(self, callback):
        self.callbacks.append(callback)
        if self._result is not None:
            callback(self)

    def result(self, timeout=None):
        return self._result

    def release(self):
        pass

    def cancel(self):
        self.cancelled = True


class FakeClient:
    """Workers that build every briefing at once, except ``doomed`` ones: a worker given one
    of those is lost (and a new worker joins, as a nanny would restart it)."""

    def __init__(self, workers, doomed):
        self.workers = dict.fromkeys(workers, 1)
        self.doomed = set(doomed)
        self.submitted: list[tuple[str, str]] = []
        self.vanishing: set[str] = set()
        self.joined = 0

    def nthreads(self):
        for worker in self.vanishing:
            del self.workers[worker]
            self.joined += 1
            self.workers[f"tcp://new:{self.joined}"] = 1
        self.vanishing.clear()
        return dict(self.workers)

    def run(self, function, *args, workers=None, on_error="raise"):
        if function is engine.environment_versions:
            return {w: engine.environment_versions() for w in workers}
        return {}

    def submit(self, function, task, notebook, *, key, workers, **kwargs):
        (worker,) = workers
        self.submitted.append((task.id, worker))
        if task.id in self.doomed:
            self.vanishing.add(worker)
            return FakeFuture(key)
        return FakeFuture(key, Result(task.id, True))

    def wait_for_workers(self, n, timeout=None):
        pass

    def close(self, timeout=None):
        pass


def _run(tmp_path, client, ids):
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    cluster = engine.Cluster(client, "tcp://fake:8786", "fork")
    cluster.check_workers()
    results, notes = {}, []
    tasks = [Task(i, "nb", str(notebook), "nb.ipynb", {}) for i in ids]
    cluster.run(tasks, lambda result: results.setdefault(result.id, result), echo=notes.append)
    return results, notes


def test_a_briefing_whose_worker_is_lost_twice_fails_and_the_others_are_built(tmp_path):
    client = FakeClient(["tcp://a:1", "tcp://b:1"], doomed={"lost"})
    results, notes = _run(tmp_path, client, ["lost", "one", "two", "three"])
    assert {k: v.ok for k, v in results.items()} == {"lost": False, "one": True,
                                                     "two": True, "three": True}
    failure = results["lost"].failure
    assert failure.kind == "worker lost" and "2 tries" in failure.evalue
    tries = [worker for bid, worker in client.submitted if bid == "lost"]
    assert len(tries) == 2 and tries[0] != tries[1]  # once more, on another worker
    assert len(notes) == 1 and "trying it once more on another worker" in notes[0]


def test_a_worker_with_other_versions_is_refused_on_connecting(tmp_path):
    client = FakeClient(["tcp://a:1"], doomed=())
    client.run = lambda function, *a, workers=None, on_error="raise": {
        w: {**engine.environment_versions(), "package": "9.9.9"} for w in workers}
    with pytest.raises(engine.ClusterProblem, match="peace-security-workbook 9.9.9"):
        engine.Cluster(client, "tcp://fake:8786", "fork").check_workers()

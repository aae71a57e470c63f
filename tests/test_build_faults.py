"""Hardening of `briefings build` (issue #9), through the real command line.

Output folders it does not own, unwritable and full disks, signals and a killed parent,
concurrent builds, damaged manifests, fractional timeouts and incremental builds. The fault
tests that mount file systems run as root on Linux only, and skip saying why elsewhere.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures" / "notebooks"
FIXTURE_SET = FIXTURES / "fixtures.toml"
BRIEFINGS = Path(sys.executable).parent / "briefings"
IS_LINUX_ROOT = sys.platform.startswith("linux") and os.geteuid() == 0
NEEDS_ROOT = pytest.mark.skipif(not IS_LINUX_ROOT, reason="mounting a tmpfs or a read-only bind "
                                "mount needs root on Linux")


def env(extra: dict | None = None) -> dict:
    full = {**os.environ, **(extra or {})}
    full.pop("MPLBACKEND", None)
    return full


def briefings(*args: str, extra_env: dict | None = None, timeout: float = 300):
    return subprocess.run([str(BRIEFINGS), *args], capture_output=True, text=True,
                          env=env(extra_env), cwd=PROJECT, timeout=timeout)


def start(*args: str) -> subprocess.Popen:
    """The build as a shell starts it in the foreground: TERM, HUP and INT at their defaults,
    whatever this test process inherited (an ignored signal stays ignored across exec)."""
    return subprocess.Popen([str(BRIEFINGS), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env(), cwd=PROJECT,
                            start_new_session=True, preexec_fn=_default_signals)


def _default_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def write_set(path: Path, names: list[str], entries: list[str]) -> Path:
    lines = ["[notebooks]"] + [f'{n} = "{FIXTURES / (n + ".ipynb")}"' for n in names]
    for entry in entries:
        lines += ["", "[[briefing]]", entry]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_line_error(result, *needles: str) -> str:
    """The command failed with exit 2 and one line on stderr holding every needle."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.stdout
    for needle in needles:
        assert needle in lines[-1], result.stderr
    return lines[-1]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (through /proc), whatever its process group."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def temporaries_of(pids: set[int]) -> list[str]:
    import tempfile

    return [name for name in os.listdir(tempfile.gettempdir())
            if name.startswith("psw-") and any(f"-{pid}-" in name for pid in pids)]


# --- output folders ----------------------------------------------------------------------

def test_a_folder_briefings_did_not_make_is_refused_and_left_alone(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("mine\n")
    (site / ".notes.tmp").write_text("keep\n")
    result = briefings("build", "--out", str(site), "--notebook", "region", "--param",
                       "region=Mali")
    one_line_error(result, str(site), "did not make")
    assert (site / "index.html").read_text() == "mine\n"
    assert (site / ".notes.tmp").read_text() == "keep\n"
    assert sorted(p.name for p in site.iterdir()) == [".notes.tmp", "index.html"]


def test_an_empty_out_is_refused():
    one_line_error(briefings("build", "--out", ""), "--out", "empty")


def test_another_tools_manifest_does_not_make_a_folder_ours(tmp_path):
    site = tmp_path / "app"
    site.mkdir()
    (site / "manifest.json").write_text('{"name": "my web app", "icons": []}')
    one_line_error(briefings("build", "--out", str(site), "--set", str(FIXTURE_SET)),
                   "did not make")
    assert json.loads((site / "manifest.json").read_text())["name"] == "my web app"


def test_in_its_own_folder_a_file_the_manifest_does_not_list_is_never_touched(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "manifest.json").write_text('{"format": 2, "briefings": {}}')
    (out / "ok-alpha.html").write_text("mine\n")
    result = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET))
    one_line_error(result, str(out / "ok-alpha.html"), "not written by briefings")
    assert (out / "ok-alpha.html").read_text() == "mine\n"


@pytest.mark.parametrize("record", ['{"format": "webapp-1"}', "", '{"briefings": []}'])
@pytest.mark.parametrize("mine", ["index.html", "ok-alpha.html", "rows.json"])
def test_a_damaged_record_owns_nothing_it_does_not_name(tmp_path, record, mine):
    """Another tool's manifest with a "format" key, or an empty one, reads as a damaged build
    record: the build rebuilds, but a file the record does not name stays the user's (it
    overwrote index.html, the pages and rows.json, with a warning only)."""
    out = tmp_path / "reports"
    out.mkdir()
    (out / "manifest.json").write_text(record)
    (out / mine).write_text("mine\n")
    result = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET))
    one_line_error(result, str(out / mine), "not written by briefings")
    assert (out / mine).read_text() == "mine\n" and (out / "manifest.json").read_text() == record


def test_a_failed_notebooks_folder_that_is_a_link_is_refused(tmp_path):
    """``_failed`` linked to another folder: a failed briefing's notebook would be written
    there, outside --out."""
    out, elsewhere = tmp_path / "reports", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "manifest.json").write_text('{"format": 2, "briefings": {}}')
    (out / "_failed").symlink_to(elsewhere)
    one_line_error(briefings("build", "--out", str(out), "--set", str(FIXTURE_SET)),
                   str(out / "_failed"), "a link")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.slow
def test_unlisted_files_survive_a_build_in_its_own_folder(tmp_path):
    out = tmp_path / "reports"
    first = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET), "--only", "ok-alpha")
    assert first.returncode == 0, first.stdout + first.stderr
    (out / ".notes.tmp").write_text("keep\n")
    (out / ".ok-alpha.html.abcd1234.tmp").write_text("a killed build's temporary\n")
    (out / "notes.txt").write_text("keep\n")
    again = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET), "--force")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (out / ".notes.tmp").read_text() == "keep\n"
    assert (out / "notes.txt").read_text() == "keep\n"
    assert not (out / ".ok-alpha.html.abcd1234.tmp").exists()  # ours, and stale


@pytest.mark.parametrize("make, needle", [
    (lambda tmp: Path("/proc/x"), "cannot create the folder /proc/x"),
    (lambda tmp: (tmp / "file").write_text("x") and tmp / "file" / "out", "which is a file"),
    (lambda tmp: (tmp / "file2").write_text("x") and tmp / "file2", "is not a folder"),
    (lambda tmp: (tmp / "link").symlink_to(tmp / "gone") or tmp / "link", "does not exist"),
], ids=["proc", "under-a-file", "a-file", "dangling-symlink"])
def test_an_unwritable_output_is_refused_before_any_kernel_starts(tmp_path, make, needle):
    out = make(tmp_path)
    started = time.monotonic()
    result = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET))
    one_line_error(result, needle)
    assert "briefings:" not in result.stdout  # no summary: nothing ran
    assert time.monotonic() - started < 20


@NEEDS_ROOT
def test_a_read_only_mount_is_refused_before_any_kernel_starts(tmp_path):
    source, target = tmp_path / "src", tmp_path / "ro"
    source.mkdir()
    target.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True)
        result = briefings("build", "--out", str(target / "reports"), "--set", str(FIXTURE_SET))
        one_line_error(result, "Read-only file system")
    finally:
        subprocess.run(["umount", str(target)], check=False)


@NEEDS_ROOT
@pytest.mark.slow
def test_a_full_disk_leaves_the_out_folder_as_it_was(tmp_path):
    out = tmp_path / "small"
    out.mkdir()
    # reader pages are small (12 kB for a fixture briefing): room for about one briefing. The
    # build stages its files beside the mount point; moving them in is what fails.
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(out)], check=True)
    try:
        result = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET), "--jobs", "1")
        text = result.stdout + result.stderr
        assert result.returncode == 1, text
        assert "Traceback" not in text
        assert "No space left on device" in result.stderr and \
            f"nothing was changed in {out}" in result.stderr, text
        assert list(out.iterdir()) == []
        assert not [p for p in tmp_path.iterdir() if ".psw-stage-" in p.name]
    finally:
        subprocess.run(["umount", str(out)], check=False)


# --- signals and a killed parent ---------------------------------------------------------

def _slow_set(tmp_path: Path) -> Path:
    return write_set(tmp_path / "set.toml", ["ok", "slow"],
                     ['notebook = "ok"', 'notebook = "slow"', 'notebook = "slow"\n'
                      'parameters = { seconds = 119.0 }\nid = "slow-2"'])


def staging_folders(out: Path) -> list[Path]:
    """The folders a build stages its files in, beside ``out``."""
    return sorted(out.parent.glob(f".{out.name}.psw-stage-*"))


def _running(proc: subprocess.Popen, out: Path) -> set[int]:
    """Wait until ``ok`` is recorded (its page in the build's staging folder) and the slow
    kernels run; the build's processes."""
    def ready():
        try:
            recorded = (staging_folders(out)[0] / "ok.html").is_file()
        except IndexError:
            return False
        # 2 workers, 2 kernels (or, with --kernel none, the 2 processes running the slow cells)
        return recorded and len(descendants(proc.pid)) >= 4
    assert wait_until(ready, 90), proc.communicate(timeout=30)
    return descendants(proc.pid)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc")
@pytest.mark.parametrize("sig, kernel", [(signal.SIGTERM, "fork"), (signal.SIGHUP, "fork"),
                                         (signal.SIGINT, "fork"), (signal.SIGTERM, "none")],
                         ids=["SIGTERM", "SIGHUP", "SIGINT", "SIGTERM-no-kernel"])
def test_a_stopped_build_stops_its_workers_changes_nothing_and_cleans_up(tmp_path, sig, kernel):
    out = tmp_path / "reports"
    proc = start("build", "--out", str(out), "--set", str(_slow_set(tmp_path)), "--jobs", "2",
                 "--kernel", kernel)
    family = _running(proc, out)
    started = time.monotonic()
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert proc.returncode == 128 + sig, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert f"stopped by {signal.Signals(sig).name}" in stderr
    assert wait_until(lambda: not any(alive(p) for p in family), 5), \
        [p for p in family if alive(p)]
    assert not out.exists()  # the build made it; nothing was swapped in
    assert staging_folders(out) == []
    assert not temporaries_of(family | {proc.pid})


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("kernel", ["fork", "none"])
def test_workers_and_kernels_of_a_killed_build_exit_and_the_next_build_cleans_up(tmp_path,
                                                                                  kernel):
    out = tmp_path / "reports"
    proc = start("build", "--out", str(out), "--set", str(_slow_set(tmp_path)), "--jobs", "2",
                 "--kernel", kernel)
    family = _running(proc, out)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert wait_until(lambda: not any(alive(p) for p in family), 10), \
        [p for p in family if alive(p)]
    assert list(out.iterdir()) == []  # nothing was swapped in
    assert staging_folders(out)  # "ok", staged before the kill
    left = temporaries_of({proc.pid})  # the killed parent's own log folder
    again = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET), "--only", "ok-*",
                      "--no-progress")
    assert again.returncode == 0, again.stdout + again.stderr
    assert not temporaries_of(family | {proc.pid}), left
    assert staging_folders(out) == []


# --- concurrent builds -------------------------------------------------------------------

@pytest.mark.slow
def test_a_second_build_into_the_same_folder_is_refused_and_nothing_is_lost(tmp_path):
    out = tmp_path / "reports"
    the_set = write_set(tmp_path / "set.toml", ["ok", "slow"],
                        ['notebook = "ok"', 'notebook = "slow"\nparameters = { seconds = 6.0 }\n'
                         'id = "slow"'])
    first = start("build", "--out", str(out), "--set", str(the_set), "--only", "slow",
                  "--no-progress")
    assert wait_until(lambda: staging_folders(out), 60)
    second = briefings("build", "--out", str(out), "--set", str(the_set), "--only", "ok")
    line = one_line_error(second, "another build (pid", f"is writing to {out}")
    assert f"(pid {first.pid})" in line
    stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stdout + stderr
    third = briefings("build", "--out", str(out), "--set", str(the_set))
    assert third.returncode == 0, third.stdout + third.stderr
    record = json.loads((out / "manifest.json").read_text())["briefings"]
    assert set(record) == {"ok", "slow"}
    assert {p.stem for p in out.glob("*.html")} == {"index", "ok", "slow"}


# --- damaged manifests, timeouts, incremental builds --------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("content", ['{"briefings": []}', "null", '"a string"',
                                     '{"format": 2, "briefings": {"ok": "a string entry"}}',
                                     '{"format": 2, "briefings": {"ok": {"status": "built", '
                                     '"outputs": {"../../etc/passwd": "x"}}}}', "[[[[" * 10000])
def test_a_manifest_of_unexpected_shape_is_treated_as_absent_with_a_warning(tmp_path, content):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "manifest.json").write_text(content)
    result = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET), "--only", "ok-alpha")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "manifest.json" in line]
    assert len(warnings) == 1 and "treating it as absent" in warnings[0]
    assert json.loads((out / "manifest.json").read_text())["briefings"]["ok-alpha"]["status"] \
        == "built"


@pytest.mark.slow
def test_a_fractional_timeout_is_accepted(tmp_path):
    out = tmp_path / "reports"
    result = briefings("build", "--out", str(out), "--set", str(FIXTURE_SET), "--only", "ok-alpha",
                       "--timeout", "30.5")
    assert result.returncode == 0, result.stdout + result.stderr
    slow = write_set(tmp_path / "set.toml", ["slow"], ['notebook = "slow"'])
    timed = briefings("build", "--out", str(tmp_path / "r2"), "--set", str(slow),
                      "--timeout", "1.5")
    assert timed.returncode == 1 and "timeout in cell" in timed.stdout, timed.stdout
    one_line_error(briefings("build", "--timeout", "nan", "--out", str(tmp_path / "r3")),
                   "--timeout")


@pytest.mark.slow
def test_editor_backups_do_not_rebuild_and_an_out_inside_the_data_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    extra = {"PSW_DATA_DIR": str(data)}
    inside = briefings("build", "--out", str(data / "reports"), "--set", str(FIXTURE_SET),
                       "--only", "ok-alpha", extra_env=extra)
    assert inside.returncode == 2 and "inside the data folder" in inside.stderr
    assert not (data / "reports").exists()
    out = tmp_path / "reports"
    args = ("build", "--out", str(out), "--set", str(FIXTURE_SET), "--only", "ok-alpha")
    first = briefings(*args, extra_env=extra)
    assert first.returncode == 0, first.stdout + first.stderr
    (data / "events.csv~").write_text("backup")
    (data / "#events.csv#").write_text("autosave")
    (data / ".events.csv.swp").write_text("swap")
    (data / "events.csv.bak").write_text("backup")
    again = briefings(*args, extra_env=extra)
    assert "0 built, 1 skipped" in again.stdout, again.stdout + again.stderr
    with (data / "events.csv").open("a", encoding="utf-8") as fh:
        fh.write("")  # same bytes: still up to date
    assert "0 built, 1 skipped" in briefings(*args, extra_env=extra).stdout


def test_every_library_that_shapes_a_page_is_hashed(monkeypatch):
    from importlib import metadata

    from analysis.builder import hashing

    for name in ("mistune", "jinja2", "pygments", "country_converter", "nbconvert",
                 "matplotlib", "pandas", "geopandas", "markupsafe", "nh3"):
        assert name in hashing.ENVIRONMENT_PACKAGES
    hashing.code_digest.cache_clear()
    before = hashing.code_digest()
    real = metadata.version
    monkeypatch.setattr(metadata, "version",
                        lambda name: "99.0" if name == "mistune" else real(name))
    hashing.code_digest.cache_clear()
    try:
        assert hashing.code_digest() != before
    finally:
        monkeypatch.undo()
        hashing.code_digest.cache_clear()

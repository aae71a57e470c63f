"""A failing briefing never stops the others, keeps the last good HTML, and is reported."""
from __future__ import annotations

import json
import shutil

import pytest

pytestmark = pytest.mark.slow

NOISE = ("NOTE: When using", "Address already in use", "frozen modules", "Warning", "Traceback",
         "To connect another client")


def test_failures_among_good_ones_are_each_reported_and_kept(tmp_path, briefings, manifest, write_set,
                                                             fixture_notebooks):
    the_set = write_set(
        tmp_path / "set.toml",
        {name: fixture_notebooks / f"{name}.ipynb" for name in ("ok", "boom", "die", "slow")},
        ['notebook = "boom"', 'notebook = "ok"', 'notebook = "die"', 'notebook = "slow"'])
    out = tmp_path / "reports"
    result = briefings("build", "--set", str(the_set), "--out", str(out), "--timeout", "3")
    assert result.returncode == 1
    assert "1 built, 0 skipped (up to date), 3 failed" in result.stdout
    text = result.stdout
    assert ("FAILED boom: notebook tests/fixtures/notebooks/boom.ipynb, exception in cell 4: "
            "ValueError: boom from fixture: boom") in text
    assert "FAILED die: notebook tests/fixtures/notebooks/die.ipynb, kernel died in cell 3" in text
    assert "FAILED slow: notebook tests/fixtures/notebooks/slow.ipynb, timeout in cell 3" in text
    for line in result.stderr.splitlines():  # kernel start-up noise stays out of the terminal
        assert not any(noise in line for noise in NOISE), result.stderr

    assert (out / "ok.html").is_file()
    record = manifest(out)
    assert record["ok"]["status"] == "built"
    for name, kind in (("boom", "exception"), ("die", "kernel died"), ("slow", "timeout")):
        entry = record[name]
        assert entry["status"] == "failed" and entry["error"]["kind"] == kind
        assert not (out / f"{name}.html").exists()
        failed = json.loads((out / "_failed" / f"{name}.ipynb").read_text())
        assert failed["cells"][0]["id"] == "briefing-build-failure"
        assert kind in "".join(failed["cells"][0]["source"])
        assert failed["metadata"]["papermill"]["exception"] is True
    # the timed-out cell, which papermill alone would mark "completed"
    slow = json.loads((out / "_failed" / "slow.ipynb").read_text())
    assert slow["cells"][4]["metadata"]["papermill"]["status"] == "failed"
    index = (out / "index.html").read_text()
    assert index.count('class="status-failed"') == 3
    assert 'href="_failed/die.ipynb"' in index
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_a_failure_keeps_the_last_good_html_until_fixed(tmp_path, briefings, manifest, write_set,
                                                        fixture_notebooks):
    notebook = tmp_path / "flip.ipynb"
    shutil.copy(fixture_notebooks / "ok.ipynb", notebook)
    good = notebook.read_text()
    the_set = write_set(tmp_path / "set.toml", {"flip": notebook}, ['notebook = "flip"'])
    out = tmp_path / "reports"
    args = ("build", "--set", str(the_set), "--out", str(out))
    assert briefings(*args).returncode == 0
    html = (out / "flip.html").read_bytes()
    executed = (out / "flip.ipynb").read_bytes()

    nb = json.loads(good)
    nb["cells"][-1]["source"] = "raise RuntimeError('broken on purpose')"
    notebook.write_text(json.dumps(nb))
    broken = briefings(*args)
    assert broken.returncode == 1
    assert "RuntimeError: broken on purpose" in broken.stdout
    assert "the last good HTML was kept" in broken.stdout
    assert (out / "flip.html").read_bytes() == html
    assert (out / "flip.ipynb").read_bytes() == executed
    assert (out / "_failed" / "flip.ipynb").is_file()
    index = (out / "index.html").read_text()
    assert "the links show the last good build" in index and 'href="flip.html"' in index
    assert briefings(*args).returncode == 1  # still failing: tried again, not skipped

    notebook.write_text(good)
    fixed = briefings(*args)
    assert fixed.returncode == 0 and "1 built" in fixed.stdout
    assert not (out / "_failed" / "flip.ipynb").exists()
    assert manifest(out)["flip"]["status"] == "built"


# --- one way to write outputs (issue 19): staged beside --out, swapped in at the end ---------

def _files(folder):
    """Every file under ``folder`` with its SHA-256 (the folder's exact state), or None when
    there is no folder."""
    import hashlib

    if not folder.exists():
        return None
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _staging_folders(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.psw-stage-"))


def _start(*args):
    """The build as a shell starts it: TERM, HUP and INT at their defaults."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    def default_signals():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)

    env = {**os.environ}
    env.pop("MPLBACKEND", None)
    return subprocess.Popen([str(Path(sys.executable).parent / "briefings"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=default_signals)


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_an_interrupted_build_leaves_the_out_folder_byte_identical(tmp_path, briefings, write_set,
                                                                    fixture_notebooks, sig):
    import signal
    import time

    the_set = write_set(tmp_path / "set.toml",
                        {name: fixture_notebooks / f"{name}.ipynb" for name in ("ok", "slow")},
                        ['notebook = "ok"', 'notebook = "slow"\nparameters = { seconds = 119.0 }'])
    out = tmp_path / "reports"
    first = briefings("build", "--set", str(the_set), "--out", str(out), "--only", "ok")
    assert first.returncode == 0, first.stdout + first.stderr
    before = _files(out)
    proc = _start("build", "--set", str(the_set), "--out", str(out), "--force", "--jobs", "2",
                  "--no-progress")
    try:
        deadline = time.monotonic() + 120  # wait until "ok" was built again, into the staging
        while time.monotonic() < deadline and not any(
                (out.parent / name / "ok.html").exists() for name in _staging_folders(out)):
            time.sleep(0.1)
        assert _staging_folders(out), "the build staged nothing beside --out"
        assert _files(out) == before  # nothing moved in while building
        proc.send_signal(getattr(signal, sig))
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + getattr(signal, sig), stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert f"stopped by {sig}; nothing was changed in {out}" in stderr
    assert _files(out) == before
    assert _staging_folders(out) == []


def test_a_refused_build_changes_nothing(tmp_path, briefings, write_set, fixture_notebooks):
    the_set = write_set(tmp_path / "set.toml", {"ok": fixture_notebooks / "ok.ipynb"},
                        ['notebook = "ok"', 'notebook = "ok"\nid = "ok-2"'])
    out = tmp_path / "reports"
    first = briefings("build", "--set", str(the_set), "--out", str(out), "--only", "ok")
    assert first.returncode == 0, first.stdout + first.stderr
    (out / "ok-2.html").write_text("mine\n")  # a file in the way of a briefing to build
    before = _files(out)
    result = briefings("build", "--set", str(the_set), "--out", str(out), "--force")
    assert result.returncode == 2 and "not written by briefings" in result.stderr, result.stderr
    assert _files(out) == before and _staging_folders(out) == []
    bad = briefings("build", "--set", str(the_set), "--out", str(out), "--jobs", "0")
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert _files(out) == before and _staging_folders(out) == []
    # refused after the output folder was checked (no scheduler there): no folder is left
    new = tmp_path / "new"
    refused = briefings("build", "--set", str(the_set), "--out", str(new), "--scheduler",
                        "tcp://127.0.0.1:9")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert not new.exists() and _staging_folders(new) == []


@pytest.mark.parametrize("name, formats", [("ok.pdf", "html,pdf"), ("pack.pdf", "html,pdf"),
                                           ("pack.docx", "html,docx"), ("pack.pdf", "html")])
def test_a_later_build_leaves_the_users_own_pdf_and_packs_alone(tmp_path, briefings, write_set,
                                                               fixture_notebooks, name, formats):
    """In a folder first built as pages only, a file of the user's named like a briefing's PDF
    or a pack is not the build's: a build that would write it (or remove it, as a stale pack)
    is refused in one line and changes nothing."""
    the_set = write_set(tmp_path / "set.toml", {"ok": fixture_notebooks / "ok.ipynb"},
                        ['notebook = "ok"'])
    out = tmp_path / "reports"
    first = briefings("build", "--set", str(the_set), "--out", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    (out / name).write_text("mine\n")
    before = _files(out)
    result = briefings("build", "--set", str(the_set), "--out", str(out), "--force",
                       "--formats", formats)
    assert result.returncode == 2 and f"{name} was not written by briefings" in result.stderr, \
        result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _files(out) == before and (out / name).read_text() == "mine\n"


def test_a_set_may_not_name_a_briefing_after_the_builds_own_files(tmp_path, briefings, write_set,
                                                                  fixture_notebooks):
    for reserved in ("index", "pack"):
        the_set = write_set(tmp_path / f"{reserved}.toml", {"ok": fixture_notebooks / "ok.ipynb"},
                            [f'notebook = "ok"\nid = "{reserved}"'])
        result = briefings("build", "--set", str(the_set), "--out", str(tmp_path / reserved))
        assert result.returncode == 2 and f"the id {reserved!r} names a file the build writes" \
            in result.stderr, result.stdout + result.stderr
        assert not (tmp_path / reserved).exists()


def test_the_staging_folder_of_a_killed_build_is_removed_by_the_next_one(tmp_path, briefings,
                                                                         write_set,
                                                                         fixture_notebooks):
    import os
    import subprocess
    import sys

    the_set = write_set(tmp_path / "set.toml", {"ok": fixture_notebooks / "ok.ipynb"},
                        ['notebook = "ok"'])
    out = tmp_path / "reports"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    killed = tmp_path / f".reports.psw-stage-{dead}-abcd"
    (killed / "_failed").mkdir(parents=True)
    (killed / "ok.html").write_text("half a page")
    live = tmp_path / f".reports.psw-stage-{os.getpid()}-efgh"  # a run still going: kept
    live.mkdir()
    result = briefings("build", "--set", str(the_set), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not killed.exists() and live.exists()
    assert "half a page" not in (out / "ok.html").read_text()
    assert _staging_folders(out) == [live.name]

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
    assert "the link shows the last good build" in index and 'href="flip.html"' in index
    assert briefings(*args).returncode == 1  # still failing: tried again, not skipped

    notebook.write_text(good)
    fixed = briefings(*args)
    assert fixed.returncode == 0 and "1 built" in fixed.stdout
    assert not (out / "_failed" / "flip.ipynb").exists()
    assert manifest(out)["flip"]["status"] == "built"

"""`briefings list` and `briefings build`, through the command line, into temporary folders.

Fixture notebooks (tests/fixtures/notebooks/) keep most builds to a second or two; one test
builds the real default set. The helpers (``briefings``, ``manifest``, ``snapshot``,
``write_set``) are fixtures of conftest.py. Builds run as subprocesses: the builder forks worker processes
and kernels, which should not happen inside the test runner's own process.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import DEFAULT_BUILD_TITLE

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures" / "notebooks"
FIXTURE_SET = FIXTURES / "fixtures.toml"
FIXTURE_IDS = ["ok-alpha", "ok-beta", "ok-false-gamma-3"]


# --- list ----------------------------------------------------------------------------------

def test_list_shows_parameters_help_types_and_the_expanded_set(briefings):
    result = briefings("list", "--set", str(FIXTURE_SET))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "--param name=...   str, default \"World\"" in out
    assert "who the briefing is about" in out
    assert "--param points=...   int, default 2" in out
    assert "--param chart=...   bool, default True" in out
    for bid in FIXTURE_IDS:
        assert bid in out
    assert "Default set (tests/fixtures/notebooks/fixtures.toml): 3 briefings" in out


def test_list_shows_the_real_notebooks_allowed_values_and_default_set(briefings):
    result = briefings("list")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("region", "gender", "funding", "partnerships"):
        assert f"{name}  (notebooks/briefings/{name}.ipynb)" in out
    assert "allowed: True, False" in out  # include_context
    assert "for example: World, Africa" in out  # region values from analysis.briefings.params
    for bid in ("region-western-africa", "gender", "funding", "partnerships"):
        assert f"    {bid} " in out


# --- bad input: exit 2, one line, nothing written ---------------------------------------------

BAD = [
    (["--notebook", "nope"], "unknown notebook 'nope'", "notebooks:"),
    (["--notebook", "ok", "--param", "colour=red"], "has no parameter 'colour'", "parameters: name"),
    (["--notebook", "ok", "--param", "points=many"], "parameter 'points'", "int"),
    (["--notebook", "ok", "--param", "chart=maybe"], "parameter 'chart'", "true or false"),
    (["--notebook", "ok", "--param", "points"], "--param expects NAME=VALUE", "'points'"),
    (["--param", "name=x"], "--param needs --notebook", ""),
    (["--only", "nothing-*"], "matches no briefing", "ok-alpha"),
    (["--notebook", "region", "--param", "region=Atlantis"], "does not allow 'Atlantis'",
     "Western Africa"),
    (["--notebook", "region", "--param", "include_context=perhaps"], "include_context",
     "true or false"),
]


@pytest.mark.parametrize("args, names, allowed", BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_parameters_exit_2_with_one_line_and_write_nothing(tmp_path, args, names, allowed, cli):
    out = tmp_path / "reports"
    result = cli("build", "--set", str(FIXTURE_SET), "--out", str(out), *args)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert names in lines[0] and allowed in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_bad_value_in_the_set_file_names_the_briefing(tmp_path, cli, write_set):
    bad_set = write_set(tmp_path / "bad.toml", {"ok": FIXTURES / "ok.ipynb"},
                        ['notebook = "ok"\nparameters = { points = "three" }'])
    result = cli("build", "--set", str(bad_set), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "briefing 'ok-three'" in result.stderr and "points" in result.stderr
    assert not (tmp_path / "out").exists()


# --- building ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_build_writes_notebooks_html_index_and_manifest_then_skips(tmp_path, briefings, manifest):
    out = tmp_path / "reports"
    first = briefings("build", "--set", str(FIXTURE_SET), "--out", str(out), "--jobs", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "3 built, 0 skipped (up to date), 0 failed" in first.stdout
    record = manifest(out)
    assert list(record) == FIXTURE_IDS
    for bid in FIXTURE_IDS:
        entry = record[bid]
        assert entry["status"] == "built"
        assert set(entry["inputs"]) == {"notebook", "files", "code", "parameters"}
        assert isinstance(entry["reads"]["selections"], list)  # what it read of the data
        assert len(entry["reads"]["digest"]) == 64
        assert set(entry["timings"]) == {"kernel_start", "execute", "export"}
        for name, digest in entry["outputs"].items():
            import hashlib

            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    alpha = json.loads((out / "ok-alpha.ipynb").read_text())
    injected = [c for c in alpha["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and 'name = "Alpha"' in "".join(injected[0]["source"])
    assert injected[0]["id"] == "injected-parameters"
    assert "start_time" not in alpha["metadata"]["papermill"]
    assert all("start_time" not in c["metadata"].get("papermill", {}) for c in alpha["cells"])
    assert record["ok-alpha"]["title"] == "Briefing on Alpha"
    assert record["ok-alpha"]["summary"] == "key point 1 about Alpha"
    page = (out / "ok-alpha.html").read_text()
    assert "plt.subplots" not in page and "import matplotlib" not in page  # code hidden
    assert re.search(r'<img [^>]*src="data:image/png;base64,', page)  # the chart, embedded
    assert "cdnjs" not in page and "require.js" not in page and "MathJax.js" not in page
    assert "<table" in page and "<th>name</th>" in page  # not sanitized into text
    gamma = (out / "ok-false-gamma-3.html").read_text()
    assert not re.search(r'<img [^>]*src="data:image/png', gamma)  # chart=False
    index = (out / "index.html").read_text()
    for bid in FIXTURE_IDS:
        assert f'href="{bid}.html"' in index
    assert "key point 1 about Beta" in index

    before = {p: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    again = briefings("build", "--set", str(FIXTURE_SET), "--out", str(out))
    assert again.returncode == 0
    assert "0 built, 3 skipped (up to date), 0 failed" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == before


@pytest.mark.slow
def test_forced_rebuild_gives_the_same_bytes(tmp_path, briefings, snapshot):
    out = tmp_path / "reports"
    assert briefings("build", "--set", str(FIXTURE_SET), "--out", str(out),
                     "--only", "ok-alpha").returncode == 0
    first = snapshot(out)
    result = briefings("build", "--set", str(FIXTURE_SET), "--out", str(out), "--only",
                       "ok-alpha", "--force")
    assert "1 built" in result.stdout
    assert snapshot(out) == first


@pytest.mark.slow
def test_forked_and_spawned_kernels_give_the_same_bytes(tmp_path, briefings, snapshot):
    for kernel in ("fork", "spawn"):
        result = briefings("build", "--set", str(FIXTURE_SET), "--out", str(tmp_path / kernel),
                           "--only", "ok-beta", "--kernel", kernel)
        assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(tmp_path / "fork") == snapshot(tmp_path / "spawn")


@pytest.mark.slow
def test_notebook_change_rebuilds_only_its_briefings(tmp_path, briefings, write_set):
    shutil.copy(FIXTURES / "ok.ipynb", tmp_path / "ok.ipynb")
    shutil.copy(FIXTURES / "ok.ipynb", tmp_path / "other.ipynb")
    the_set = write_set(tmp_path / "set.toml",
                        {"ok": tmp_path / "ok.ipynb", "other": tmp_path / "other.ipynb"},
                        ['notebook = "ok"', 'notebook = "other"'])
    out = tmp_path / "reports"
    assert briefings("build", "--set", str(the_set), "--out", str(out)).returncode == 0
    nb = json.loads((tmp_path / "ok.ipynb").read_text())
    nb["cells"][-1]["source"] = "display(Markdown('changed'))"  # streams stay off the page
    (tmp_path / "ok.ipynb").write_text(json.dumps(nb))
    result = briefings("build", "--set", str(the_set), "--out", str(out))
    assert "1 built, 1 skipped (up to date)" in result.stdout
    assert "changed" in (out / "ok.html").read_text()


@pytest.mark.slow
def test_data_change_or_missing_output_rebuilds(tmp_path, briefings):
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    env = {"PSW_DATA_DIR": str(data)}
    out = tmp_path / "reports"
    args = ("build", "--set", str(FIXTURE_SET), "--out", str(out), "--only", "ok-alpha")
    assert briefings(*args, env=env).returncode == 0
    assert "1 skipped" in briefings(*args, env=env).stdout
    table = data / "events.csv"  # a row this briefing did not read: still up to date
    table.write_text(table.read_text().replace("Elections due in Lesotho", "Polls due in Lesotho"))
    assert "0 built, 1 skipped" in briefings(*args, env=env).stdout
    package = data / "datapackage.json"  # the schema: every briefing again
    package.write_text(package.read_text() + "\n")
    assert "1 built" in briefings(*args, env=env).stdout
    (out / "ok-alpha.html").write_text("tampered")
    assert "1 built" in briefings(*args, env=env).stdout
    assert "tampered" not in (out / "ok-alpha.html").read_text()


@pytest.mark.slow
def test_one_briefing_from_the_command_line_with_typed_values(tmp_path, briefings, manifest):
    out = tmp_path / "reports"
    result = briefings("build", "--set", str(FIXTURE_SET), "--out", str(out), "--notebook", "ok",
                       "--param", "name=Delta", "--param", "points=1", "--param", "chart=no",
                       "--param", "scale=2.5")
    assert result.returncode == 0, result.stdout + result.stderr
    entry = manifest(out)["ok-false-delta-1-2-5"]
    assert entry["parameters"] == {"name": "Delta", "points": 1, "scale": 2.5, "chart": False}
    nb = json.loads((out / "ok-false-delta-1-2-5.ipynb").read_text())
    injected = "".join(nb["cells"][2]["source"])
    assert 'name = "Delta"' in injected and "points = 1" in injected
    assert "chart = False" in injected and "scale = 2.5" in injected


@pytest.mark.slow
def test_text_from_data_is_escaped_in_every_page(tmp_path, briefings, manifest):
    out = tmp_path / "reports"
    evil = "<script>alert(1)</script>"
    result = briefings("build", "--set", str(FIXTURE_SET), "--out", str(out), "--notebook", "ok",
                       "--param", f"name={evil}")
    assert result.returncode == 0, result.stdout + result.stderr
    (bid,) = manifest(out)
    index = (out / "index.html").read_text()
    page = (out / f"{bid}.html").read_text()
    for text in (index, page):
        assert evil not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.slow
def test_real_default_set_builds_reproducibly(default_reports, copy_of_default_reports, briefings,
                                              manifest, snapshot):
    listed = briefings("list").stdout
    expected = int(listed.split("Default set (notebooks/briefings/briefings.toml): ")[1].split()[0])
    record = manifest(default_reports)
    assert len(record) == expected >= 4
    assert all(e["status"] == "built" for e in record.values())
    assert {"gender", "funding", "partnerships", "region-western-africa"} <= set(record)
    assert all(e["summary"] for e in record.values())
    out = copy_of_default_reports  # a copy: the notebook records the folder it was built in
    args = ("build", "--out", str(out), "--only", "region-western-africa", "--force", "--pdf",
            "--title", DEFAULT_BUILD_TITLE, "--no-progress")
    once = briefings(*args)
    assert "1 built, 0 skipped" in once.stdout, once.stdout + once.stderr
    first = snapshot(out)
    again = briefings(*args)
    assert "1 built, 0 skipped" in again.stdout, again.stdout + again.stderr
    assert snapshot(out) == first  # the page, its notebook, its PDF and the pack: same bytes
    nothing = briefings("build", "--out", str(out), "--pdf", "--title", DEFAULT_BUILD_TITLE,
                        "--no-progress")
    assert f"0 built, {expected} skipped" in nothing.stdout, nothing.stdout + nothing.stderr

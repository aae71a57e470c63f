"""Unit tests of the builder's pure modules, in-process: the set, the summary, the store, the
tasks, hashing, and the escaper for data text."""
from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import nbformat
import pytest

from analysis.builder import briefing_set, hashing, store, summary
from analysis.errors import ParameterError
from analysis.builder.tasks import Failure, Result, Task
from analysis.errors import UsageError, shorten
from analysis.data.escaping import data_text


# --- the set -----------------------------------------------------------------------------

def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_set_entries_expand_into_briefings_with_slug_ids(tmp_path):
    path = write(tmp_path / "set.toml", """
[notebooks]
ok = "ok.ipynb"

[[briefing]]
notebook = "ok"
for_each = { name = ["Côte d'Ivoire", "Beta"] }
id = "ok-{name}"

[[briefing]]
notebook = "ok"
parameters = { name = "Gamma", points = 3 }
""")
    loaded = briefing_set.load_briefing_set(path)
    assert [b.id for b in loaded.briefings] == ["ok-cote-d-ivoire", "ok-beta", "ok-gamma-3"]
    assert loaded.briefings[0].given == {"name": "Côte d'Ivoire"}
    assert loaded.extra_notebooks == {"ok": (tmp_path / "ok.ipynb").resolve()}


def test_the_default_set_uses_a_registered_function():
    loaded = briefing_set.load_briefing_set()
    assert any(b.id.startswith("region-") for b in loaded.briefings)
    assert "analysis.model.queries:regions_with_data" in briefing_set.VALUE_SOURCES


@pytest.mark.parametrize("body, message", [
    ('notebook = "ok"\nid = "{"', "set.toml:3: briefing 1: the id template '{' does not format"),
    ('notebook = "ok"\nid = "{nope}"', "names 'nope' which is not a parameter"),
    ('notebook = "ok"\nid = "{name!r}"\nparameters = {name = "a"}', "plain {name} fields"),
    ("notebook = 5", "set.toml:2: briefing 1: 'notebook' must be a notebook name"),
    ('notebook = "../x"', "'notebook' must be a notebook name"),
    ('notebook = "ok"\nparameters = "x"', "set.toml:3: briefing 1: 'parameters' must be a table"),
    ('notebook = "ok"\nparameters = { a = [1] }', "parameter 'a' must be text"),
    ('notebook = "ok"\nfor_each = { a = "os:abort" }', "registered functions"),
    ('notebook = "ok"\nfor_each = { a = [] }', "has no values"),
    ('notebook = "ok"\nfor_each = { a = [{}] }', "values must be text"),
    ('notebook = "ok"\nextra = 1', "allowed keys: notebook, parameters, for_each, id"),
    ("", "needs 'notebook'"),
])
def test_set_problems_name_the_file_and_line(tmp_path, body, message):
    path = write(tmp_path / "set.toml", f"[[briefing]]\n{body}\n")
    with pytest.raises(ParameterError) as caught:
        briefing_set.load_briefing_set(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_set_file_level_problems(tmp_path):
    cases = {b"[[briefing]\n": "not valid TOML", b"x = 1\n": "unknown table(s) 'x'",
             b"briefing = 3\n": "must be a list", b'[notebooks]\nok = 3\n': "[notebooks] must",
             b'[[briefing]]\nnotebook = "\xff"\n': "not UTF-8 text (byte 0xff)"}
    for raw, message in cases.items():
        path = tmp_path / "set.toml"
        path.write_bytes(raw)
        with pytest.raises(ParameterError) as caught:
            briefing_set.load_briefing_set(path)
        assert message in str(caught.value)
    with pytest.raises(ParameterError, match="is a folder"):
        briefing_set.load_briefing_set(tmp_path)
    with pytest.raises(ParameterError, match="two briefings have the id 'ok'"):
        briefing_set.load_briefing_set(write(tmp_path / "two.toml", '[[briefing]]\nnotebook = "ok"\n'
                                             'id = "ok"\n[[briefing]]\nnotebook = "ok"\nid = "ok"\n'))
    # two values that slug alike ("Mali" and "Mali." in the data): the message names both
    with pytest.raises(ParameterError, match=r"id 'x-mali' \('x=Mali' and 'x=Mali\.'\)"):
        briefing_set.load_briefing_set(write(
            tmp_path / "alike.toml", '[[briefing]]\nnotebook = "ok"\nparameters = { x = "Mali" }\n'
            'id = "x-mali"\n[[briefing]]\nnotebook = "ok"\nparameters = { x = "Mali." }\nid = "x-mali"\n'))


# --- the summary -------------------------------------------------------------------------

def notebook(*outputs: str, cell: str = "# Cell title") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text})
                    for text in outputs]
    nb.cells = [nbformat.v4.new_markdown_cell(cell), code]
    return nb


def test_summary_takes_the_output_title_and_the_first_key_point():
    nb = notebook("# Mali: regional briefing\n\n## Key points\n\n- First **point** (A/72/1)\n- Second")
    info = summary.read_summary(nb)
    assert info == summary.Summary("Mali: regional briefing", "First point (A/72/1)")


def test_summary_reads_escaped_data_text_back_as_plain_text():
    hostile = "[c](javascript:alert(3)) <b> & Côte d'Ivoire"
    nb = notebook(f"# {data_text(hostile)}\n\n- {data_text(hostile)}")
    info = summary.read_summary(nb)
    assert info.title == hostile and info.summary == hostile  # the index escapes it once


def test_summary_falls_back_and_clips():
    assert summary.read_summary(notebook()).title == "Cell title"
    long = summary.read_summary(notebook("- " + "word " * 200)).summary
    assert len(long) <= summary.SUMMARY_LIMIT and long.endswith("…")


# --- the store ---------------------------------------------------------------------------

def test_write_atomic_and_write_if_changed(tmp_path):
    path = tmp_path / "a" / "x.html"
    store.write_atomic(path, b"one")
    assert path.read_bytes() == b"one" and oct(path.stat().st_mode)[-3:] == "644"
    assert store.write_if_changed(path, b"one") is False
    assert store.write_if_changed(path, b"two") is True and path.read_bytes() == b"two"
    assert not list(path.parent.glob(".*.tmp"))


@pytest.mark.parametrize("content, problem", [
    ('{"briefings": []}', "has format None"), ("null", "not a JSON object"),
    ('"text"', "not a JSON object"), ('{"format": 2}', "no 'briefings' object"),
    ('{"format": 2, "briefings": {"a": "x"}}', "entry 'a' that is not an object"),
    ('{"format": 2, "briefings": {"a": {"status": "odd"}}}', "status 'odd'"),
    ('{"format": 2, "briefings": {"a": {"status": "built", "outputs": []}}}', "'outputs' is not"),
    ('{"format": 2, "briefings": {"a": {"status": "built", "outputs": {"../x": "h"}}}}',
     "outside the folder"),
    ('{"format": 2, "briefings": {"a": {"status": "built", "outputs": {"a.html": 3}}}}',
     "hashes are not text"),
    ("{", "cannot be read"), ("[" * 100_000, "cannot be read"),
])
def test_a_manifest_of_unexpected_shape_reads_as_empty_with_a_reason(tmp_path, content, problem):
    (tmp_path / "manifest.json").write_text(content)
    manifest, why = store.read_manifest(tmp_path)
    assert manifest == store.empty_manifest()
    assert problem in why and "\n" not in why


def test_a_good_manifest_and_the_files_it_owns(tmp_path):
    good = {"format": 2, "briefings": {"a": {"status": "built", "outputs": {"a.html": "h"}},
                                       "b": {"status": "failed", "outputs": {},
                                             "failed_notebook": "_failed/b.ipynb"}}}
    (tmp_path / "manifest.json").write_text(json.dumps(good))
    manifest, why = store.read_manifest(tmp_path)
    assert why is None and manifest == good
    assert store.owned_names(manifest) == {"manifest.json", "index.html", "rows.json", "a.html",
                                           "_failed/b.ipynb"}
    assert store.read_manifest(tmp_path / "none") == (store.empty_manifest(), None)


def test_only_our_own_stale_temporaries_are_removed(tmp_path):
    ours = tmp_path / ".a.html.abcd_123.tmp"
    (tmp_path / "_failed").mkdir()
    failed = tmp_path / "_failed" / ".b.ipynb.zzzzzzzz.tmp"
    theirs = [tmp_path / ".notes.tmp", tmp_path / ".c.html.abcd1234.tmp", tmp_path / ".a.html.tmp"]
    for path in [ours, failed, *theirs]:
        path.write_text("x")
    removed = store.remove_stale_temporaries(tmp_path, {"a.html", "_failed/b.ipynb"})
    assert sorted(removed) == sorted([ours, failed])
    assert all(p.exists() for p in theirs)


def test_output_folder_checks(tmp_path):
    store.check_output_folder(tmp_path / "new" / "reports")  # created, writable
    assert (tmp_path / "new" / "reports").is_dir()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "index.html").write_text("mine")
    with pytest.raises(UsageError, match="did not make"):
        store.check_output_folder(foreign)
    (foreign / "manifest.json").write_text('{"name": "web app"}')
    with pytest.raises(UsageError, match="did not make"):
        store.check_output_folder(foreign)
    (foreign / "manifest.json").write_text('{"format": 2, "briefings": {}}')
    store.check_output_folder(foreign)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="which is a file"):
        store.check_output_folder(tmp_path / "file" / "out")
    with pytest.raises(UsageError, match="is not a folder"):
        store.check_output_folder(tmp_path / "file")
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    with pytest.raises(UsageError, match="does not exist"):
        store.check_output_folder(tmp_path / "link")
    kept = tmp_path / "kept"  # the checkout's reports/: only git's empty placeholder in it
    kept.mkdir()
    (kept / ".gitkeep").write_bytes(b"")
    store.check_output_folder(kept)
    (kept / ".gitkeep").write_text("notes")  # a file with content is somebody's
    with pytest.raises(UsageError, match="did not make"):
        store.check_output_folder(kept)


def test_the_output_lock_is_exclusive_and_names_its_holder(tmp_path):
    import subprocess
    import sys

    code = ("import sys, time\nfrom pathlib import Path\nfrom analysis.builder.store import "
            "OutputLock\nwith OutputLock(Path(sys.argv[1])):\n print('locked', flush=True)\n"
            " time.sleep(30)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(UsageError, match=rf"another build \(pid {holder.pid}\) is writing"):
            with store.OutputLock(tmp_path):
                pass
    finally:
        holder.kill()
        holder.wait()
    with store.OutputLock(tmp_path):  # released with the process
        pass
    assert list(tmp_path.iterdir()) == []  # and no lock file is left


# --- tasks and hashing -------------------------------------------------------------------

def test_tasks_and_results_are_typed_values_that_pickle():
    task = Task("a", "ok", "/x/ok.ipynb", "tests/ok.ipynb", {"name": "A"}, ("c1",), 1.5, "fork")
    failure = Failure("exception", "ValueError", "boom", 4, "raise ValueError('boom')")
    result = Result("a", False, {"execute": 1.0}, failure=failure)
    assert pickle.loads(pickle.dumps(task)) == task
    assert pickle.loads(pickle.dumps(result)) == result
    assert failure.describe() == ("exception in cell 4: ValueError: boom "
                                  "(at `raise ValueError('boom')`)")
    assert failure.to_dict() == {"kind": "exception", "ename": "ValueError", "evalue": "boom",
                                 "cell": 4, "source": "raise ValueError('boom')"}
    with pytest.raises(AttributeError):
        task.id = "b"  # frozen


def test_the_data_digest_ignores_backups_and_a_reports_folder_inside(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "datapackage.json").write_text("{}")
    before = hashing.data_digest(tmp_path)
    for name in ("a.csv~", "a.csv.bak", "#a.csv#", ".a.csv.swp", "notes.txt"):
        (tmp_path / name).write_text("junk")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "manifest.json").write_text("{}")
    assert hashing.data_digest(tmp_path, [reports]) == before
    (tmp_path / "a.csv").write_text("x\n2\n")
    assert hashing.data_digest(tmp_path, [reports]) != before


def test_orphaned_temporaries_of_dead_processes_are_removed(tmp_path):
    from analysis.builder import execute

    dead = 2 ** 22 + 12345  # above pid_max's default: no such process
    for name in (f"psw-build-{dead}-abc", f"psw-k-{dead}-def", f"psw-build-{os.getpid()}-x",
                 "psw-other", f"psw-k-{dead}"):
        (tmp_path / name).mkdir()
    removed = execute.remove_orphaned_temporaries(str(tmp_path))
    assert sorted(Path(p).name for p in removed) == [f"psw-build-{dead}-abc", f"psw-k-{dead}-def"]
    assert (tmp_path / f"psw-build-{os.getpid()}-x").is_dir()


# --- the escaper and short messages --------------------------------------------------------

def test_data_text_escapes_markdown_and_html():
    assert data_text("[c](javascript:x)") == "&#91;c&#93;(javascript:x)"
    assert data_text("see https://x.org") == "see https&#58;//x.org"
    assert data_text("<b>&\"") == "&lt;b&gt;&amp;&quot;"
    assert data_text("a\nb\x00c") == "a b c"
    assert data_text("1. x") == "1&#46; x" and data_text("- x") == "&#45; x"
    assert data_text("Côte d'Ivoire, A/72/1, Secretary-General") == \
        "Côte d'Ivoire, A/72/1, Secretary-General"


def test_shorten_cuts_long_values():
    assert shorten("abc") == "'abc'"
    cut = shorten("x" * 1000)
    assert len(cut) == 80 and cut.endswith("…")


# --- PDFs made in the worker ---------------------------------------------------------------

def test_a_task_s_pdf_is_rendered_in_the_worker_and_a_failure_comes_back_as_data(monkeypatch):
    from analysis.builder import execute, pdf

    timings: dict = {}
    data, failure = execute._render_pdf(
        b"<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><h1>t</h1>"
        b"</body></html>", timings)
    assert data.startswith(b"%PDF-") and failure is None and timings["pdf"] > 0

    def broken(html):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(pdf, "to_pdf", broken)
    data, failure = execute._render_pdf(b"<html></html>", timings)
    assert data is None and failure == Failure("PDF", "RuntimeError", "no fonts")


def test_a_failed_pdf_keeps_the_new_page_marks_the_briefing_failed_and_drops_an_old_pdf(tmp_path):
    from analysis.builder.build import _record_pdf

    (tmp_path / "b.pdf").write_bytes(b"%PDF old")
    entry = {"outputs": {"b.html": "d"}}
    failure = Failure("PDF", "RuntimeError", "no fonts")
    result = Result("b", True, {}, html=b"<html>", ipynb=b"{}", pdf_failure=failure)
    assert _record_pdf("b", result, entry, tmp_path) == failure
    assert not (tmp_path / "b.pdf").exists() and entry["outputs"] == {"b.html": "d"}
    made = Result("b", True, {}, html=b"<html>", ipynb=b"{}", pdf=b"%PDF new")
    assert _record_pdf("b", made, entry, tmp_path) is None
    assert (tmp_path / "b.pdf").read_bytes() == b"%PDF new" and "b.pdf" in entry["outputs"]


def test_the_shared_font_configuration_does_not_change_a_pdf_s_bytes():
    from analysis.builder import pdf

    page = ("<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><h1>Title</h1>"
            "<p>Text <b>bold</b> and <i>other</i>, with «quotes» and ¶ 3.</p></body></html>")
    other = page.replace("Title", "Another title, in other glyphs: ÀÉÎ")
    pdf.font_configuration.cache_clear()
    first = pdf.to_pdf(page)
    pdf.to_pdf(other)  # the configuration has now served another document
    assert pdf.to_pdf(page) == first
    pdf.font_configuration.cache_clear()
    assert pdf.to_pdf(page) == first

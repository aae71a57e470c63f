"""Issue 19, second hardening pass: one way to open data files, one way to write outputs,
formulas neutralised in CSV for people, data text rules the build relies on, bounded work and the
CLI's odds. Every case that writes reports which files changed (a snapshot of the folder and of
its parent before and after), beside the exit code and the message.

Cases that could exhaust memory on a failure (a data file linked to /dev/zero, ``--set
/dev/zero``) run in a child process under an address-space limit (``resource.setrlimit``), so a
regression fails the test instead of hurting the machine.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analysis import cli
from analysis.data.paths import PROJECT_DIR, data_dir

CHAPTER_2018 = Path(__file__).parent / "fixtures" / "drafting" / "chapter-2018.txt"
#: Address space for children that read untrusted files: plenty for pandas, not for /dev/zero.
CHILD_MEMORY = 2_000_000_000


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every file under ``folder`` (relative name -> bytes; folders and links marked)."""
    out: dict[str, bytes | str] = {}
    if not folder.exists():
        return out
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[name] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            out[name] = "<dir>"
        elif path.is_file():
            out[name] = path.read_bytes()
    return out


def changes(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots: '+name', '-name', '~name'."""
    return sorted([f"+{n}" for n in after.keys() - before.keys()]
                  + [f"-{n}" for n in before.keys() - after.keys()]
                  + [f"~{n}" for n in before.keys() & after.keys() if before[n] != after[n]])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def child(args: list[str], *, env: dict | None = None, timeout: float = 120,
          memory: int = CHILD_MEMORY) -> subprocess.CompletedProcess:
    """``briefings ARGS`` in a child process limited to ``memory`` bytes of address space."""
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
        from analysis.cli import main
        sys.exit(main({args!r}))
    """)
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MPLBACKEND", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=PROJECT_DIR)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A copy of the project's data folder to damage."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    return folder


def set_path(folder: Path, table: str, path: str) -> None:
    descriptor_file = folder / "datapackage.json"
    descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            resource["path"] = path
    descriptor_file.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def edit_cell(folder: Path, name: str, column: str, row: int, value: str) -> None:
    import csv
    import io

    path = folder / name
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[row][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


# --- 1. One way to open data files ----------------------------------------------------------

@pytest.mark.parametrize("path", ["../.bash_profile", "/etc/hostname", "sub/../../x.csv"])
def test_a_descriptor_path_outside_the_folder_is_refused_by_loader_validate_export_and_draft(
        capsys, tmp_path, data_copy, monkeypatch, path):
    from analysis.data import dataset, validate

    (tmp_path / ".bash_profile").write_text("echo planted\n")
    set_path(data_copy, "themes", path)
    with pytest.raises(dataset.DataError, match="themes"):
        dataset.load(data_copy, reload=True)
    assert any(p.file == "datapackage.json" and "'path'" in p.message
               for p in validate.validate_folder(data_copy))
    monkeypatch.setenv("PSW_DATA_DIR", str(data_copy))
    before = tree(tmp_path)
    code, out, err = run(capsys, "export", str(tmp_path / "out"))
    assert code == 1 and "nothing written" in err and len(err.splitlines()) == 1
    code, out, err = run(capsys, "draft", str(CHAPTER_2018), "--out", str(tmp_path / "draft"),
                         "--symbol", "A/73/1", "--year", "2018", "--data", str(data_copy))
    assert code in (1, 2) and len(err.splitlines()) == 1
    assert changes(before, tree(tmp_path)) == []  # no file written anywhere, .bash_profile intact


def set_chapter(folder: Path, **values) -> None:
    descriptor_file = folder / "datapackage.json"
    descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    descriptor.setdefault("chapter", {}).update(values)
    descriptor_file.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


@pytest.mark.parametrize("field, value", [
    ("symbol", 'A/72/1<img src=x onerror="document.body.dataset.pwned=1">'),
    ("part", "<b>II.B</b>"),
    ("year", "not a year"),
    ("text", "../../README.md"),
    ("text", "linked-out.txt"),
    ("source_id", "a72-1\"><script>"),
    ("title", "Peace \u202e and security"),
])
def test_a_chapter_that_is_not_a_document_reference_is_refused_by_loader_and_validate(
        capsys, tmp_path, data_copy, monkeypatch, field, value):
    """The descriptor's ``chapter`` is data printed in every citation: markup, a path or a
    year that is not one is refused in one line by the loader (list, build) and by validate,
    never printed and never a traceback (the symbol reached a note page as a live script)."""
    from analysis.data import validate

    set_chapter(data_copy, **{field: value})
    if value == "linked-out.txt":  # a plain name, but a link that leads out of the folder
        (tmp_path / "elsewhere.txt").write_text("text\n")
        (data_copy / value).symlink_to(tmp_path / "elsewhere.txt")
    assert any(p.file == "datapackage.json" and f"chapter.{field}" in p.message
               for p in validate.validate_folder(data_copy))
    if value == "linked-out.txt":
        return  # the loader refuses to read it when it reads the text (not before)
    monkeypatch.setenv("PSW_DATA_DIR", str(data_copy))
    for argv in (["list"], ["build", "--only", "country-lesotho", "--out", str(tmp_path / "out")]):
        code, out, err = run(capsys, *argv)
        assert code != 0 and f"chapter.{field}" in err and len(err.splitlines()) == 1, (argv, err)
        assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists()


def _descriptor_edit(folder: Path, how: str) -> None:
    path = folder / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    descriptor = json.loads(text)
    if how == "unknown type":
        descriptor["resources"][0]["schema"]["fields"][0]["type"] = "geopoint"
    elif how == "table left out":
        descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "countries"]
    elif how == "key twice":
        path.write_text(text.rstrip().rstrip("}") + ', "resources": []}\n', encoding="utf-8")
        return
    elif how == "link out":
        outside = folder.parent / "outside.json"
        outside.write_text(text, encoding="utf-8")
        path.unlink()
        path.symlink_to(outside)
        return
    path.write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.mark.parametrize("how", ["unknown type", "table left out", "key twice", "link out"])
def test_a_descriptor_the_loader_cannot_use_is_one_line_for_list_build_and_export(
        capsys, tmp_path, data_copy, monkeypatch, how):
    """An unknown field type, a table the briefings read left out, a key given twice (JSON keeps
    the last: an empty package) or a descriptor linked out of its folder: one line and a
    non-zero exit from list, build and export, never a traceback; validate refuses it too."""
    from analysis.data import validate

    _descriptor_edit(data_copy, how)
    assert validate.validate_folder(data_copy)
    monkeypatch.setenv("PSW_DATA_DIR", str(data_copy))
    for argv in (["list"], ["build", "--only", "country-lesotho", "--out", str(tmp_path / "out")],
                 ["export", str(tmp_path / "export")]):
        code, out, err = run(capsys, *argv)
        assert code != 0 and len(err.strip().splitlines()) == 1, (argv, out, err)
        assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists() and not (tmp_path / "export").exists()


def test_a_column_the_schema_does_not_declare_is_refused_by_loader_and_validate(
        capsys, tmp_path, data_copy, monkeypatch):
    """validate refused an undeclared column (a table with 10,000 of them) while list and build
    loaded the table: the two never disagree."""
    from analysis.data import validate

    path = data_copy / "themes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ",extra"] + [line + ",x" for line in lines[1:]]) + "\n",
                    encoding="utf-8")
    assert any(p.file == "themes.csv" for p in validate.validate_folder(data_copy))
    monkeypatch.setenv("PSW_DATA_DIR", str(data_copy))
    code, out, err = run(capsys, "list")
    assert code != 0 and "'extra' is not declared" in err and len(err.splitlines()) == 1


def test_the_sources_list_escapes_the_chapter_citation(monkeypatch):
    """Second line of defence: were a citation ever to hold markup, it is printed as text."""
    from analysis.prose import text

    monkeypatch.setattr(text, "chapter_citation", lambda ds=None: "A/72/1 <b>II.B</b>")
    assert "<b>" not in text.sources_list(["crisis/2"])


def test_a_data_file_linked_outside_the_folder_is_refused(tmp_path, data_copy):
    from analysis.data import dataset, validate

    outside = tmp_path / "themes.csv"
    shutil.move(data_copy / "themes.csv", outside)
    (data_copy / "themes.csv").symlink_to(outside)
    with pytest.raises(dataset.DataError, match="outside the data folder"):
        dataset.load(data_copy, reload=True)
    assert any(p.file == "themes.csv" and "outside the data folder" in p.message
               for p in validate.validate_folder(data_copy))


def test_a_data_file_linked_to_dev_zero_is_refused_without_reading_it(tmp_path, data_copy):
    (data_copy / "themes.csv").unlink()
    (data_copy / "themes.csv").symlink_to("/dev/zero")
    before = tree(tmp_path)
    for args in (["export", str(tmp_path / "out")], ["validate", "--data", str(data_copy)]):
        done = child(args, env={"PSW_DATA_DIR": str(data_copy)})
        assert done.returncode == 1, done.stderr[-2000:]
        assert "/dev/zero" in done.stderr and "outside the data folder" in done.stderr
        assert "Traceback" not in done.stderr
    assert changes(before, tree(tmp_path)) == []


def test_a_fifo_is_refused_not_waited_on(tmp_path, data_copy):
    (data_copy / "themes.csv").unlink()
    os.mkfifo(data_copy / "themes.csv")
    done = child(["export", str(tmp_path / "out")], env={"PSW_DATA_DIR": str(data_copy)},
                 timeout=60)
    assert done.returncode == 1 and "FIFO" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_word_template_that_is_not_a_regular_file_is_refused_not_read(tmp_path, kind):
    """``--docx-template`` is read as every handed file is: a FIFO hung the build for ever and
    /dev/zero was read until memory ran out; both are refused in one line before anything runs."""
    if kind == "fifo":
        template = tmp_path / "template.docx"
        os.mkfifo(template)
    else:
        template = Path("/dev/zero")
    out = tmp_path / "out"
    done = child(["build", "--only", "country-lesotho", "--out", str(out), "--formats", "html,docx",
                  "--docx-template", str(template)], timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--docx-template" in done.stderr and "regular file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()


def test_a_word_template_that_unpacks_to_too_much_is_refused(tmp_path):
    """A .docx is a zip: a small file may unpack to gigabytes (1.6 MB took 3.2 GB of memory)."""
    import zipfile

    from analysis.builder import word

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 101_000_000)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(word.TemplateProblem, match="unpacks to 101 MB"):
        word.check_template(bomb)


def test_set_file_from_dev_zero_or_too_big_is_one_line(tmp_path):
    done = child(["list", "--set", "/dev/zero"])
    assert done.returncode == 2 and "device" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    big = tmp_path / "big.toml"
    big.write_text("# padding\n" * 120_000)
    done = child(["list", "--set", str(big)])
    assert done.returncode == 2 and "1 MB" in done.stderr


def test_chapter_text_limit_and_fifo_are_refused(capsys, tmp_path):
    fifo = tmp_path / "chapter.txt"
    os.mkfifo(fifo)
    code, out, err = run(capsys, "draft", str(fifo), "--out", str(tmp_path / "o"),
                         "--symbol", "A/73/1", "--year", "2018")
    assert code == 2 and "FIFO" in err
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5_000_001)
    code, out, err = run(capsys, "draft", str(big), "--out", str(tmp_path / "o"),
                         "--symbol", "A/73/1", "--year", "2018")
    assert code == 2 and "5 MB" in err
    assert not (tmp_path / "o").exists()


# --- 2. One way to write outputs ------------------------------------------------------------

def test_export_force_refuses_a_folder_where_it_writes_a_file_and_changes_nothing(capsys, tmp_path):
    out = tmp_path / "out"
    assert run(capsys, "export", str(out))[0] == 0
    shutil.rmtree(out / "places.csv", ignore_errors=True)
    (out / "places.csv").unlink()
    (out / "places.csv").mkdir()
    (out / "themes.csv").write_text("edited\n")
    before = tree(tmp_path)
    code, _, err = run(capsys, "export", str(out), "--force")
    assert code == 2 and "places.csv (a folder)" in err and "nothing written" in err
    assert changes(before, tree(tmp_path)) == []


def test_export_force_replaces_only_its_own_files(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert run(capsys, "export", str(out))[0] == 0
    (out / "themes.csv").write_text("stale\n")
    before = tree(tmp_path)
    assert run(capsys, "export", str(out), "--force")[0] == 0
    assert changes(before, tree(tmp_path)) == ["~out/themes.csv"]
    assert (out / "notes.txt").read_text() == "mine"


def test_draft_force_keeps_a_users_file_inside_geo(capsys, tmp_path):
    out = tmp_path / "draft"
    args = ["draft", str(CHAPTER_2018), "--out", str(out), "--symbol", "A/73/1", "--year", "2018"]
    assert run(capsys, *args)[0] == 0
    (out / "geo" / "my-notes.txt").write_text("mine")
    before = tree(tmp_path)
    assert run(capsys, *args, "--force")[0] == 0
    assert changes(before, tree(tmp_path)) == []  # same draft, same bytes; the user's file kept
    assert (out / "geo" / "my-notes.txt").read_text() == "mine"


def test_teach_force_keeps_the_lessons_it_replaces(capsys, tmp_path):
    course = tmp_path / "course"
    assert run(capsys, "teach", str(course), "--lesson", "1")[0] == 0
    lesson = next(course.glob("01-*.ipynb"))
    lesson.write_text(lesson.read_text().replace("Your answer here", "my answer"))
    edited = lesson.read_bytes()
    before = tree(tmp_path)
    code, out, _ = run(capsys, "teach", str(course), "--lesson", "1", "--force")
    assert code == 0 and ".replaced" in out
    changed = changes(before, tree(tmp_path))
    assert f"+course/.replaced/1/{lesson.name}" in changed and f"~course/{lesson.name}" in changed
    assert (course / ".replaced" / "1" / lesson.name).read_bytes() == edited
    # a .replaced that leads elsewhere would carry the learner's lessons out of DIR: refused
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (course / ".replaced").rename(tmp_path / "kept")
    (course / ".replaced").symlink_to(elsewhere)
    code, out, err = run(capsys, "teach", str(course), "--lesson", "1", "--force")
    assert code == 2 and ".replaced is a symbolic link" in err and len(err.splitlines()) == 1
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("argv", [
    ["teach", str(PROJECT_DIR / "notebooks" / "training"), "--force"],
    ["export", str(PROJECT_DIR / "data" / "out")],
    ["export", str(PROJECT_DIR / "analysis")],
    ["build", "--out", str(PROJECT_DIR / "data" / "out"), "--only", "region-*"],
])
def test_the_package_folders_and_the_data_folder_are_refused_as_targets(capsys, argv):
    before = tree(PROJECT_DIR / "data")
    code, _, err = run(capsys, *argv)
    assert code == 2 and len(err.splitlines()) == 1
    assert "package's own folder" in err or "inside the data folder" in err
    assert changes(before, tree(PROJECT_DIR / "data")) == []


def test_draft_out_inside_its_data_folder_is_refused(capsys, tmp_path, data_copy):
    code, _, err = run(capsys, "draft", str(CHAPTER_2018), "--out", str(data_copy / "out"),
                       "--symbol", "A/73/1", "--year", "2018", "--data", str(data_copy))
    assert code == 2 and "inside the data folder" in err and len(err) < 400
    assert not (data_copy / "out").exists()


def test_a_second_run_into_a_locked_folder_is_refused_naming_the_first(capsys, tmp_path):
    from analysis.data.outputs import FolderLock

    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from analysis.data.outputs import FolderLock
        with FolderLock(Path({str(out)!r}), command="test"):
            print("locked", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        code, _, err = run(capsys, "export", str(out))
        assert code == 2 and f"pid {holder.pid}" in err
        assert list(out.iterdir()) == []
    finally:
        holder.kill()
        holder.wait()
    assert FolderLock  # the lock is the one write_folder takes


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_clean_up_like_sigint(tmp_path, sig):
    """The signal arrives while the files are being staged: exit 128+N, no staging folder, no
    target folder, nothing else changed."""
    out = tmp_path / "out"
    code = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        written = []
        original = Path.write_text
        def write_text(self, *a, **k):
            written.append(self)
            if len(written) == 3:
                os.kill(os.getpid(), {int(sig)})
            return original(self, *a, **k)
        Path.write_text = write_text
        from analysis.cli import main
        sys.exit(main(["export", {str(out)!r}]))
    """)
    before = tree(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 128 + int(sig), done.stderr[-2000:]
    assert "cleaned up" in done.stderr and "Traceback" not in done.stderr
    assert changes(before, tree(tmp_path)) == []


def test_the_next_run_removes_what_a_killed_run_left(capsys, tmp_path):
    from analysis.builder.execute import remove_orphaned_temporaries

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".out.psw-stage-{dead}-abc"
    (stale / "x").mkdir(parents=True)
    old = tmp_path / ".out.draft-xyz"
    old.mkdir()
    assert run(capsys, "export", str(tmp_path / "out"))[0] == 0
    assert not stale.exists() and not old.exists()
    scratch = tmp_path / "tmp"
    for kind in ("lesson", "worker", "k", "build"):
        (scratch / f"psw-{kind}-{dead}-x").mkdir(parents=True)
    (scratch / f"psw-lesson-{os.getpid()}-mine").mkdir()
    removed = remove_orphaned_temporaries(str(scratch))
    assert len(removed) == 4 and (scratch / f"psw-lesson-{os.getpid()}-mine").exists()


def test_kernel_connection_files_live_in_the_run_s_own_folder(tmp_path):
    from analysis.briefings.kernels import ipc_config

    config = ipc_config(str(tmp_path))
    assert Path(config.KernelManager.connection_file).parent == tmp_path


# --- 3. Formulas neutralised in CSV for people ------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://example.org\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(A1)",
            "-2+3+cmd|' /C calc'!A0", "\tx"]


def test_neutralise_follows_owasp():
    from analysis.data.csvsafe import neutralise_cell

    assert [neutralise_cell(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert [neutralise_cell(v) for v in ["-3", "+1.5", "plain", "", "a=b"]] == \
        ["-3", "+1.5", "plain", "", "a=b"]


def test_export_is_faithful_by_default_and_neutralised_for_spreadsheets(capsys, tmp_path, data_copy,
                                                                         monkeypatch):
    from analysis.data import dataset

    edit_cell(data_copy, "engagements.csv", "activity", 1, FORMULAS[0])
    edit_cell(data_copy, "engagements.csv", "activity", 2, FORMULAS[1])
    monkeypatch.setenv("PSW_DATA_DIR", str(data_copy))
    assert run(capsys, "export", str(tmp_path / "faithful"))[0] == 0
    original = dataset.load(data_copy, reload=True)
    again = dataset.load(tmp_path / "faithful", reload=True)
    for name in original.table_names:
        assert original[name].equals(again[name]), name
    code, out, _ = run(capsys, "export", str(tmp_path / "sheet"), "--for-spreadsheets")
    assert code == 0 and "neutralised" in out
    text = (tmp_path / "sheet" / "engagements.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'+cmd" in text
    assert "\n=" not in text and ",=" not in text and ",+cmd" not in text


def test_the_explorer_download_is_neutralised(monkeypatch):
    import pandas as pd

    from analysis.apps import explore

    view = explore.compute_view()
    frame = view.table.copy()
    frame.iloc[0, 0] = FORMULAS[0]
    monkeypatch.setattr(view, "table", frame)
    first = view.csv().splitlines()[1]
    assert first.startswith("'=HYPERLINK") or first.startswith("\"'=HYPERLINK")
    assert isinstance(pd.read_csv(__import__("io").StringIO(view.csv())), pd.DataFrame)


# --- 5. Data rules that validate enforces, because the build relies on them -------------------

def _countries_row(folder: Path, name: str) -> int:
    import csv

    rows = list(csv.DictReader((folder / "countries.csv").open(encoding="utf-8")))
    return next(i for i, r in enumerate(rows, start=1) if r["display_name"] == name)


def test_display_names_differing_by_an_invisible_character_are_refused(capsys, data_copy,
                                                                        monkeypatch, tmp_path):
    from analysis.data import validate

    chad = _countries_row(data_copy, "Chad")
    mali = _countries_row(data_copy, "Mali")
    edit_cell(data_copy, "countries.csv", "display_name", mali, "CHAD")  # same once folded
    problems = [str(p) for p in validate.validate_folder(data_copy)]
    assert any(p.startswith(f"countries.csv:{max(chad, mali)}:display_name") and "same display name" in p
               for p in problems), problems
    edit_cell(data_copy, "countries.csv", "display_name", mali, "Chad\u200b")
    problems = [str(p) for p in validate.validate_folder(data_copy)]
    assert any("U+200B" in p for p in problems), problems
    monkeypatch.setenv("PSW_DATA_DIR", str(data_copy))
    code, _, err = run(capsys, "build", "--out", str(tmp_path / "reports"), "--only", "country-*",
                       "--no-progress")
    assert code == 1 and "countries.csv" in err and f":{mali}:" in err
    assert "briefings.toml" not in err and "two briefings" not in err
    assert not (tmp_path / "reports").exists() or list((tmp_path / "reports").iterdir()) == []


def test_a_display_name_mixing_scripts_is_refused(data_copy):
    """"Mаli" with a Cyrillic а reads as Mali: a second briefing that looks like the first."""
    from analysis.data import validate

    chad = _countries_row(data_copy, "Chad")
    edit_cell(data_copy, "countries.csv", "display_name", chad, "M\u0430li")
    problems = [str(p) for p in validate.validate_folder(data_copy)]
    assert any(p.startswith(f"countries.csv:{chad}:display_name") and "Cyrillic and Latin" in p
               for p in problems), problems


def test_bidi_controls_and_overlong_names_are_refused_in_short_lines(data_copy):
    from analysis.data import validate

    edit_cell(data_copy, "engagements.csv", "activity", 1, "supports \u202emediation")
    edit_cell(data_copy, "places.csv", "name", 1, "N" * 306)
    problems = [str(p) for p in validate.validate_folder(data_copy)]
    assert any(p.startswith("engagements.csv:1:activity") and "U+202E" in p for p in problems)
    long = [p for p in problems if p.startswith("places.csv:1:name")]
    assert long and "306 characters" in long[0] and "at most 120" in long[0] and len(long[0]) < 200


def test_tab_and_newline_only_in_long_text(data_copy):
    from analysis.data import validate

    edit_cell(data_copy, "engagements.csv", "activity", 1, "two\nlines")
    edit_cell(data_copy, "themes.csv", "name", 1, "a\tname")
    problems = [str(p) for p in validate.validate_folder(data_copy)]
    assert not [p for p in problems if p.startswith("engagements.csv:1:activity")]
    assert [p for p in problems if p.startswith("themes.csv:1:name") and "U+0009" in p]


def test_the_schema_states_the_length_limits():
    descriptor = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    fields = {(r["name"], f["name"]): f for r in descriptor["resources"] for f in r["schema"]["fields"]}
    assert fields[("places", "name")]["constraints"]["maxLength"] == 120
    assert fields[("places", "name")]["displayName"] is True
    assert fields[("themes", "description")]["constraints"]["maxLength"] == 400
    assert descriptor["textMaxLength"] == 1000


# --- 6. Bounded work (the drafter's time: benchmarks/drafting_scale.py) ----------------------

def test_jobs_is_capped_at_four_per_core_with_a_note(capsys, tmp_path):
    from analysis.cli.build import capped_jobs, max_jobs

    assert capped_jobs(1) == 1 and capped_jobs(max_jobs()) == max_jobs()
    assert capped_jobs(100_000) == max_jobs()
    assert "lowered to" in capsys.readouterr().err


# --- 7. CLI odds --------------------------------------------------------------------------

def test_a_parameter_given_twice_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "build", "--notebook", "region", "--param", "region=Mali",
                       "--param", "region=Chad", "--out", str(tmp_path / "r"))
    assert code == 2 and "given twice" in err
    assert not (tmp_path / "r").exists() or list((tmp_path / "r").iterdir()) == []


def test_symbol_is_matched_whole(capsys, tmp_path):
    code, _, err = run(capsys, "draft", str(CHAPTER_2018), "--out", str(tmp_path / "o"),
                       "--symbol", "A/73/1\n", "--year", "2018")
    assert code == 2 and not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv", [
    ["draft", str(CHAPTER_2018), "--out", "OUT", "--symbol", "A/73/1", "--year", "2018",
     "--title", "A\x07title"],
    ["build", "--title", "Meeting\x1b[31m", "--out", "OUT"],
    ["export", "OUT\n"],
])
def test_control_characters_in_options_are_the_users_error(capsys, tmp_path, argv):
    argv = [a.replace("OUT", str(tmp_path / "o")) for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2 and ("control character" in err or "line break" in err)
    assert "error in the command" in err
    assert "bug" not in err and list(tmp_path.iterdir()) == []


# The limit may fall where Python swallows it (a weakref callback in WeasyPrint's layout), which
# pytest reports; the alarm repeats, so it is raised again (the next test shows it).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_pdf_has_a_time_limit():
    from analysis.builder.execute import _render_pdf
    from analysis.builder.pdf import PdfTimeLimit, to_pdf

    rows = "".join(f"<tr><td>{'word ' * 200}</td></tr>" for _ in range(300))
    html = (f"<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><table>{rows}"
            "</table></body></html>")
    with pytest.raises(PdfTimeLimit, match="time limit"):
        to_pdf(html, time_limit=0.05)
    pdf, failure = _render_pdf(html.encode(), {}, 0.05)
    assert pdf is None and "time limit" in failure.evalue


def test_a_swallowed_pdf_time_limit_is_not_reported_to_the_unraisable_hook(monkeypatch):
    """A limit raised inside a __del__ is swallowed and raised again by the next alarm: it is
    not handed to the unraisable-exception hook (pytest's, cut by that next alarm, failed the
    test under load), while any other swallowed exception still is."""
    import sys
    from types import SimpleNamespace

    from analysis.builder.pdf import PdfTimeLimit, _time_limit

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda args: seen.append(type(args.exc_value)))
    recorder = sys.unraisablehook
    with _time_limit(30):
        sys.unraisablehook(SimpleNamespace(exc_value=PdfTimeLimit("limit")))
        sys.unraisablehook(SimpleNamespace(exc_value=ValueError("other")))
    assert seen == [ValueError] and sys.unraisablehook is recorder


def test_a_pdf_time_limit_swallowed_once_is_raised_again():
    """The time limit raises where the layout happens to be: inside a weakref callback or a
    __del__ Python swallows it (seen under load), so the alarm repeats until the block ends."""
    import signal
    import time

    from analysis.builder.pdf import PdfTimeLimit, _time_limit

    swallowed = 0
    with pytest.raises(PdfTimeLimit):
        with _time_limit(0.05):
            start = time.monotonic()
            while time.monotonic() - start < 0.2:  # as Python does in a weakref callback
                try:
                    sum(range(1000))
                except PdfTimeLimit:
                    swallowed += 1
            while time.monotonic() - start < 5:
                sum(range(1000))
    assert swallowed >= 1
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # disarmed once the block ended


def test_an_overlong_cell_is_cut_with_a_mark_and_wrapped():
    from analysis.builder.render import TEMPLATE_DIR
    from analysis.briefings.displays import CELL_LIMIT, cut

    assert cut("x" * 10) == "x" * 10
    long = cut("x" * (CELL_LIMIT + 9000))
    assert long.startswith("x" * CELL_LIMIT) and long.endswith("[cut: 9000 more characters]")
    css = (TEMPLATE_DIR / "report" / "report.css").read_text()
    assert "overflow-wrap: anywhere" in css


# --- The documentation states the limits, the dashboard's token and the safe Dask commands ------

def _documents() -> str:
    """The README and the docs/ pages (the README may be split into docs/)."""
    texts = [(PROJECT_DIR / "README.md").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((PROJECT_DIR / "docs").glob("*.md"))]
    return "\n".join(texts)


def test_the_docs_state_the_limits_token_and_safe_dask_commands():
    from analysis.apps import dashboard
    from analysis.data.files import LIMITS, MB

    docs = _documents()
    for kind, limit in LIMITS.items():
        assert f"| {limit // MB} MB |" in docs, kind
    assert "textMaxLength" in docs and "four per core" in docs and "120 s" in docs
    assert "/?token=" in docs and f"at most {dashboard.MAX_KERNELS} run at once" in docs
    assert "--ip 0.0.0.0" in docs and "Host" in docs
    assert "dask scheduler --host 127.0.0.1 --dashboard-address 127.0.0.1:8787" in docs
    assert "--host 127.0.0.1 --dashboard-address 127.0.0.1:0" in docs
    assert "dask scheduler\n" not in docs and "dask scheduler  " not in docs  # no open scheduler
    assert "--for-spreadsheets" in docs and ".replaced/N/" in docs


def test_two_drafts_into_one_new_folder_one_wins_the_other_is_refused(tmp_path):
    out = tmp_path / "new"
    args = ["draft", str(CHAPTER_2018), "--out", str(out), "--symbol", "A/73/1", "--year", "2018"]
    runs = [subprocess.Popen([sys.executable, "-m", "analysis.cli", *args], cwd=PROJECT_DIR,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = sorted((run.wait(timeout=300), run.stderr.read()) for run in runs)
    assert [code for code, _ in results] == [0, 2], results
    # Refused either by the lock (the runs overlapped) or, when the first had already finished on
    # a loaded machine, because the folder now holds its files: never both written.
    assert any(reason in results[1][1] for reason in ("already holds", "another run", "is not empty"))
    assert (out / "chapter.txt").is_file() and not list(tmp_path.glob(".new.psw-stage-*"))

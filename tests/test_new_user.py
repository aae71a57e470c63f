"""What a new user hits first (issue 20): the kernel, paths, hints for mistyped names, folders,
messages, ignored files, the pack's title, JupyterLab's news, the explorer and the course."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import cli
from analysis.apps import explore
from analysis.briefings import kernels
from analysis.model import salience
from analysis.data.paths import PROJECT_DIR


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the kernel ----------------------------------------------------------------------------------

def test_the_builder_kernel_is_this_python_whatever_is_installed(monkeypatch, tmp_path):
    """No kernelspec anywhere on the Jupyter path: the project's kernel still starts."""
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "none"))
    manager = kernels.kernel_manager_class()(kernel_name=kernels.KERNEL_NAME)
    spec = manager.kernel_spec
    assert spec.argv[0] == sys.executable and spec.argv[1:3] == ["-m", "ipykernel_launcher"]
    assert spec.display_name == kernels.KERNEL_DISPLAY_NAME
    from analysis.builder.forkkernel import kernel_manager_class as fork_class

    assert fork_class()(kernel_name=kernels.KERNEL_NAME).kernel_spec.argv[0] == sys.executable


def test_the_shipped_kernelspec_names_the_project_kernel():
    spec = json.loads((PROJECT_DIR / "analysis" / "_kernelspec" / "kernel.json").read_text())
    assert spec["display_name"] == kernels.KERNEL_DISPLAY_NAME and spec["argv"][0] == "python"
    pyproject = (PROJECT_DIR / "pyproject.toml").read_text()
    assert f'"share/jupyter/kernels/{kernels.KERNEL_NAME}/kernel.json"' in pyproject


def test_a_missing_kernel_is_one_line_saying_how_to_fix_it_and_writes_nothing(capsys, monkeypatch,
                                                                            tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "ipykernel" else real(name, *a))
    out = tmp_path / "reports"
    code, stdout, err = run_cli(capsys, "build", "--notebook", "region", "--param", "region=Mali",
                                "--out", str(out))
    assert code == 2 and err.count("\n") == 1
    assert "ipykernel is not installed" in err and "pip install ipykernel" in err
    assert not out.exists()
    code, _, err = run_cli(capsys, "teach", str(tmp_path / "key"), "--instructor", "--lesson", "1")
    assert code == 2 and "pip install ipykernel" in err and not (tmp_path / "key").exists()


# --- paths resolved once, at the edge --------------------------------------------------------------

def test_path_options_and_variables_become_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PSW_DATA_DIR", "data-2018")
    monkeypatch.setenv("PSW_SEED_DIR", "seed")
    args = cli.make_parser().parse_args(["build", "--out", "reports-2018", "--set", "my.toml"])
    cli.resolve_paths(args)
    assert args.out == tmp_path / "reports-2018" and args.set_path == tmp_path / "my.toml"
    assert os.environ["PSW_DATA_DIR"] == str(tmp_path / "data-2018")
    assert os.environ["PSW_SEED_DIR"] == str(tmp_path / "seed")


@pytest.mark.slow
def test_the_drafting_workflow_runs_with_relative_paths(tmp_path):
    """The workflow of docs/drafting.md, run from a folder of its own with relative paths,
    on plain (spawned) kernels, which start in the notebooks' folder, not in this one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PSW_")}
    briefings = [sys.executable, "-m", "analysis"]
    sample = PROJECT_DIR / "docs" / "examples" / "chapter-2018.txt"
    (tmp_path / "chapter-2018.txt").write_bytes(sample.read_bytes())

    def run(*args, extra=None):
        done = subprocess.run([*briefings, *args], cwd=tmp_path, env={**env, **(extra or {})},
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    run("draft", "chapter-2018.txt", "--out", "data-2018", "--symbol", "A/73/1", "--year", "2018")
    run("validate", "--data", "data-2018")
    done = run("build", "--out", "reports-2018", "--only", "region-western-africa", "--kernel", "spawn",
               "--no-progress", extra={"PSW_DATA_DIR": "data-2018"})
    page = (tmp_path / "reports-2018" / "region-western-africa.html").read_text(encoding="utf-8")
    assert "A/73/1 II.B" in page and "A/72/1" not in page
    assert "0 failed" in done.stdout


# --- names: did you mean, on a short line ------------------------------------------------------------

def test_a_mistyped_subcommand_gets_a_suggestion(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["biuld"])
    assert exit_.value.code == 2
    assert "did you mean 'build'?" in capsys.readouterr().err


def test_a_mistyped_only_id_gets_a_suggestion(capsys, tmp_path):
    code, _, err = run_cli(capsys, "build", "--only", "region-westafrica", "--out", str(tmp_path / "r"))
    assert code == 2 and "did you mean 'region-western-africa'" in err
    assert err.count("\n") == 1 and len(err) < 300 and not (tmp_path / "r").exists()
    # one mistyped id among good ones is refused too, not dropped silently
    code, _, err = run_cli(capsys, "build", "--only", "gender", "--only", "fundng", "--out", str(tmp_path / "r"))
    assert code == 2 and "'fundng' matches no briefing" in err and "did you mean 'funding'" in err


def test_a_partner_suggestion_stays_on_a_short_line(capsys, tmp_path):
    code, _, err = run_cli(capsys, "build", "--notebook", "partnerships", "--param", "partner=AfricanUnion",
                           "--out", str(tmp_path / "r"))
    assert code == 2 and "did you mean 'african-union'" in err
    assert len(err) < 400, err
    assert "briefings list --notebook partnerships" in err


# --- folders and messages ------------------------------------------------------------------------

def test_validate_on_a_folder_without_a_data_package(capsys, tmp_path):
    code, out, err = run_cli(capsys, "validate", "--data", str(tmp_path))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "is not a data package: it holds no datapackage.json" in err


def test_the_default_reports_folder_is_named_when_a_build_makes_it(capsys, monkeypatch, tmp_path):
    """Run from an unrelated folder, the build says that it made ./reports there."""
    from analysis.builder import build

    monkeypatch.chdir(tmp_path)
    seen = {}
    monkeypatch.setattr(build, "run", lambda request, **_: seen.setdefault("out", request.out).mkdir() or 0)
    code, out, _ = run_cli(capsys, "build", "--notebook", "gender")
    assert code == 0 and seen["out"] == tmp_path / "reports"
    assert f"made the folder {tmp_path / 'reports'} for the reports" in out
    code, out, _ = run_cli(capsys, "build", "--notebook", "gender")  # it exists now: no line
    assert "made the folder" not in out


def test_git_ignores_the_instructor_edition_and_the_docs_outputs():
    ignored = (PROJECT_DIR / ".gitignore").read_text().splitlines()
    for entry in ("/course/", "/course-key/", "/data-*/", "/reports-*/", "/lesson-*/"):
        assert entry in ignored, entry
    check = subprocess.run(["git", "check-ignore", "-q", "course-key/01-dataset.ipynb"], cwd=PROJECT_DIR)
    if check.returncode in (0, 1):  # 128: not a git checkout
        assert check.returncode == 0


def test_jupyterlab_starts_without_news_or_update_check():
    from analysis.apps import launch as apps

    env = apps.lab_env({})
    folder = Path(env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0])
    overrides = json.loads((folder / "labconfig" / "default_setting_overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false",
                                                                        "checkForUpdates": False}
    cmd = apps.lab_command(PROJECT_DIR / "notebooks", open_browser=False)
    assert "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in cmd


# --- the explorer ----------------------------------------------------------------------------------

def test_key_points_are_the_most_salient_one_per_actor():
    import analysis
    from analysis.model import queries

    ds = analysis.load()
    view = explore.compute_view("World", draw=False)
    frame = queries.engagements_in(None, ds=ds)
    ranked = salience.rank(frame, ds=ds, by=explore.KEY_POINT_GROUP, limit=explore.KEY_POINTS)
    assert len(view.points) == explore.KEY_POINTS == len(ranked)
    assert ranked["actor_id"].is_unique  # five actors, not five rows of one
    first_rows = frame.head(5)["actor_id"].tolist()
    assert ranked["actor_id"].tolist() != first_rows  # not the first rows (five AU rows)
    assert "the 5 the chapter says most about" in view.points_markdown()


def test_salience_ranks_by_paragraphs_then_rows_then_reading_order():
    import pandas as pd

    class Data:
        mentions = pd.DataFrame({"paragraph": ["a/1", "a/2", "a/3", "a/1", "b/1"],
                                 "entity_table": ["partners", "partners", "partners", "partners", "places"],
                                 "entity_id": ["x", "x", "x", "y", "P"]})
        paragraphs = pd.DataFrame({"paragraph_id": ["a/1", "a/2", "a/3", "b/1"], "position": [1, 2, 3, 4]})

    frame = pd.DataFrame({"actor_table": ["partners"] * 4, "actor_id": ["y", "x", "y", "z"],
                          "place_id": ["P", None, None, None], "paragraph": ["b/1", "a/3", "a/1", "a/2"]})
    scored = salience.scores(frame, ds=Data(), by="actor_id")
    assert scored[salience.PARAGRAPHS].tolist() == [2, 3, 1, 1]  # y+P: a/1, b/1; x: a/1-3
    assert scored[salience.ROWS].tolist() == [2, 1, 2, 1]
    ranked = salience.rank(frame, ds=Data(), by="actor_id")
    assert ranked["actor_id"].tolist() == ["x", "y", "z"]  # 3 paragraphs; 2 (and 2 rows); 1
    assert ranked.index.tolist()[1] == 0  # y's most salient row: the one with its place
    rows = salience.rank(frame, ds=Data())
    assert rows.index.tolist() == [1, 0, 2, 3]  # ties (1 paragraph) in reading order: a/1, a/2
    assert salience.rank(frame.iloc[:0], ds=Data()).empty


def test_choices_without_data_are_narrowed_or_marked():
    themes, partners = explore.narrowed_options("Central Asia", theme="elections")
    values = [v for _, v in themes]
    assert values[0] == explore.ALL and "counter-terrorism" in values
    assert ("Elections and democratic transitions" + explore.NO_DATA_HERE, "elections") in themes
    assert len(themes) < len(explore.theme_options())
    assert [v for _, v in partners] == [explore.ALL]  # nobody works on elections there
    themes, partners = explore.narrowed_options("Central Asia")
    assert [v for _, v in partners] == [explore.ALL, "sco"]
    assert not any(explore.NO_DATA_HERE in label for label, _ in themes + partners)


def test_the_explorer_widget_narrows_its_controls():
    explorer = explore.Explorer(region="Central Asia")
    assert [v for _, v in explorer.partner.options] == [explore.ALL, "sco"]
    explorer.update(region="World")
    assert len(explorer.partner.options) == len(explore.partner_options())


def test_a_one_bar_chart_has_a_title_that_fits():
    import pandas as pd

    one = pd.DataFrame({"theme": ["Partnerships"]})
    assert explore.chart_title(one, "theme", "engagements") == "Partnerships: the only engagement"
    three = pd.DataFrame({"actor": ["ECOWAS"] * 3})
    assert explore.chart_title(three, "actor", "engagements on elections") == \
        "ECOWAS: all 3 engagements on elections"
    assert explore.chart_title(pd.DataFrame({"theme": ["a", "b"]}), "theme", "engagements") is None


def test_explorer_figures_are_not_pyplot_figures():
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    view = explore.compute_view("Western Africa")
    assert view.chart is not None and view.map is not None
    assert set(plt.get_fignums()) == before  # nothing a notebook backend would draw or close
    assert explore.png_bytes(view.chart)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_explorer_page_has_a_real_title():
    nb = json.loads((PROJECT_DIR / "notebooks" / "explore.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["title"].startswith("Explore the chapter's data")


# --- the course ------------------------------------------------------------------------------------

def test_a_failed_answer_cell_is_reported_not_judged(monkeypatch):
    from types import SimpleNamespace

    import IPython

    from analysis.teaching import checks

    failed = SimpleNamespace(success=False, error_before_exec=None,
                             error_in_exec=NameError("name 'dss' is not defined"),
                             info=SimpleNamespace(raw_cell="answer_1_1 = len(dss.tables())\n"))
    shell = SimpleNamespace(last_execution_result=failed)
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    feedback = checks.exercise_1_1(checks.expected_value("1_1"))  # the earlier, right, answer
    assert not feedback and feedback.slip == "answer_cell_failed"
    assert "NameError" in feedback.text and "answer cell" in feedback.text
    # another cell failed: the check judges the answer as usual
    failed.info.raw_cell = "x = 1 / 0"
    assert checks.exercise_1_1(checks.expected_value("1_1"))
    failed.success = True
    failed.info.raw_cell = "answer_1_1 = 3"
    assert checks.exercise_1_1(checks.expected_value("1_1"))


def test_before_the_first_answer_one_short_inviting_line():
    from analysis.teaching import checks

    feedback = checks.exercise_1_1(...)
    shown = feedback._repr_markdown_()
    assert feedback.pending and "\n" not in shown and "not yet" not in shown.lower()
    assert "your turn" in shown and len(shown) < 160


def test_feedback_uses_text_marks_not_emoji():
    from analysis.teaching import checks
    from analysis.teaching.feedback import Feedback

    for feedback in (Feedback("1.1", True, "Well done."), Feedback("1.1", False, "So close!", "A hint."),
                     checks.exercise_1_1(...)):
        shown = feedback._repr_markdown_() + str(feedback)
        assert all(ord(c) < 0x2190 for c in shown), shown  # no symbol or emoji block


def test_an_office_sits_at_its_seat_as_a_labelled_context_fact():
    """UNOWAS in Dakar, not inside Mali: the seat comes from the context table office_seats,
    with its source, and the map says so under it."""
    import analysis
    from analysis.graphics import maps, style

    ds = analysis.load()
    seats = ds.office_seats.set_index("office_id")
    assert seats.loc["UNOWAS", "city"] == "Dakar" and seats.loc["UNOWAS", "iso3"] == "SEN"
    assert set(seats["source_id"]) <= set(ds.sources["source_id"])
    offices = ds.offices[ds.offices["office_id"] == "UNOWAS"]
    with style.detached_figures():
        ax = maps.plot_presence(offices=offices, operations=ds.operations.iloc[:0], region="Western Africa",
                                ds=ds)
    (x, y), = ax.collections[-1].get_offsets().tolist()
    assert abs(x - (-17.44)) < 1.5 and abs(y - 14.69) < 1.5  # Dakar, not the middle of the area
    source = style.source_text(ax)
    assert "UNOWAS at its seat, Dakar (context, not in the chapter: UNOWAS website)" in source


@pytest.mark.slow
def test_the_pack_keeps_its_title_and_the_summary_names_it(tmp_path):
    """After a `--title` build, a build without --title (what `make briefings` runs) keeps the
    title on the cover instead of putting the default back silently, and says so."""
    from pypdf import PdfReader

    env = {k: v for k, v in os.environ.items() if not k.startswith("PSW_")}
    out = tmp_path / "reports"

    def build(*extra):
        done = subprocess.run([sys.executable, "-m", "analysis", "build", "--only", "gender", "--pdf",
                               "--no-progress", "--out", str(out), *extra], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    first = build("--title", "Security Council retreat, May 2018")
    assert f"pack: {out / 'pack.pdf'}, titled 'Security Council retreat, May 2018'" in first
    again = build()
    assert "titled 'Security Council retreat, May 2018' (the title of an earlier build" in again
    cover = " ".join(PdfReader(str(out / "pack.pdf")).pages[0].extract_text().split())
    assert "Security Council retreat, May 2018" in cover
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["pack"]["title"] == "Security Council retreat, May 2018"

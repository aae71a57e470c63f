"""The command line: one entry point under three names, one root for the package's errors, and
the CLI alone mapping them to messages and exit codes."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import analysis
from analysis import cli
from analysis.errors import UsageError, WorkbookError


@pytest.mark.parametrize("command", [["briefings"], [sys.executable, "-m", "analysis"],
                                     [sys.executable, "-m", "analysis.cli"]],
                         ids=["briefings", "python -m analysis", "python -m analysis.cli"])
def test_every_entry_point_behaves_alike(command, tmp_path):
    if command == ["briefings"]:
        command = [str(__import__("pathlib").Path(sys.executable).parent / "briefings")]
    done = subprocess.run([*command, "validate", "--data", "/nope"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == cli.EXIT_USAGE
    assert done.stdout == ""
    assert done.stderr == "briefings validate: no such folder: /nope\n"


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"briefings {analysis.__version__} (peace-security-workbook)"


@pytest.mark.parametrize("shell, marker", [("bash", "-F _shtab_briefings briefings"), ("zsh", "#compdef briefings")])
def test_completion_scripts_come_from_the_parser(capsys, shell, marker):
    assert cli.main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert marker in script
    for name in cli.COMMANDS:
        assert name in script
    for option in ("--instructor", "--only", "--notebook", "--force"):
        assert option in script


def test_bash_completes_commands_and_options(tmp_path):
    script = tmp_path / "briefings.bash"
    script.write_text(subprocess.run([sys.executable, "-m", "analysis", "completion", "bash"],
                                     capture_output=True, text=True, check=True).stdout)
    probe = (f"source {script}; "
             "COMP_WORDS=(briefings te); COMP_CWORD=1; _shtab_briefings; echo \"${COMPREPLY[@]}\"; "
             "COMP_WORDS=(briefings teach --in); COMP_CWORD=2; _shtab_briefings; echo \"${COMPREPLY[@]}\"")
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["teach", "--instructor"]


def test_an_unknown_shell_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["completion", "fish"])
    assert done.value.code == 2
    assert "invalid choice: 'fish'" in capsys.readouterr().err


def _package_modules():
    yield analysis
    for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
        if info.name in ("analysis.__main__", "analysis.cli.__main__"):
            continue
        yield importlib.import_module(info.name)


def test_every_exception_class_of_the_package_derives_from_workbook_error():
    classes = {}
    for module in _package_modules():
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                classes[f"{module.__name__}.{name}"] = obj
    public = {n: c for n, c in classes.items() if not n.rsplit(".", 1)[1].startswith("_")}
    assert {"analysis.errors.ParameterError", "analysis.model.regions.RegionError", "analysis.data.dataset.DataError",
            "analysis.teaching.course.CourseError", "analysis.teaching.execute.ExecutionFailure"} <= set(public)
    for name, cls in public.items():
        assert issubclass(cls, WorkbookError), f"{name} does not derive from WorkbookError"


def test_bad_input_errors_are_usage_errors():
    from analysis.errors import ParameterError
    from analysis.model.regions import RegionError

    for cls in (ParameterError, RegionError):
        assert issubclass(cls, UsageError)


def _command(monkeypatch, run):
    """Make `briefings validate` run ``run`` instead (the CLI's mapping is what is tested)."""
    import analysis.cli.validate

    monkeypatch.setattr(analysis.cli.validate, "run_validate", run)


def test_a_usage_error_is_one_line_and_exit_2(monkeypatch, capsys):
    def run(args):
        raise UsageError("a bad value\nover two lines")

    _command(monkeypatch, run)
    assert cli.main(["validate"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == "briefings validate: a bad value over two lines\n"


def test_another_workbook_error_is_one_line_and_exit_1(monkeypatch, capsys):
    from analysis.data.dataset import DataError

    def run(args):
        raise DataError("events.csv: cannot be read")

    _command(monkeypatch, run)
    assert cli.main(["validate"]) == cli.EXIT_PROBLEMS
    assert capsys.readouterr().err == "briefings validate: events.csv: cannot be read\n"


@pytest.mark.parametrize("bug", [ValueError, KeyError])
def test_a_bug_is_not_dressed_as_a_usage_or_data_error(monkeypatch, bug):
    def run(args):
        raise bug("a bug")

    _command(monkeypatch, run)
    with pytest.raises(bug):
        cli.main(["validate"])


def test_teach_does_not_turn_a_bug_into_a_usage_error(monkeypatch, tmp_path):
    import analysis.teaching.editions

    def broken(*args, **kwargs):
        raise ValueError("a bug in the course code")

    monkeypatch.setattr(analysis.teaching.editions, "write_edition", broken)
    with pytest.raises(ValueError, match="a bug in the course code"):
        cli.main(["teach", str(tmp_path / "course")])


def test_teach_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("mine")
    assert cli.main(["teach", str(tmp_path)]) == cli.EXIT_USAGE
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_export_of_data_that_does_not_load_is_one_line_and_exit_1(monkeypatch, tmp_path, capsys):
    import shutil

    from analysis.data.paths import data_dir

    broken = tmp_path / "data"
    shutil.copytree(data_dir(), broken)
    (broken / "events.csv").write_bytes(b"\xff\xfe not utf-8")
    monkeypatch.setenv("PSW_DATA_DIR", str(broken))
    out = tmp_path / "out"
    assert cli.main(["export", str(out)]) == cli.EXIT_PROBLEMS
    err = capsys.readouterr().err
    assert err.startswith("briefings export: the data does not load: events.csv: cannot be read")
    assert err.count("\n") == 1 and not out.exists()


def test_export_does_not_call_a_bug_a_data_problem(monkeypatch, tmp_path):
    import analysis.data.export

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(analysis.data.export, "export", broken)
    with pytest.raises(KeyError):
        cli.main(["export", str(tmp_path / "out")])


def test_teach_without_lessons_fails_instead_of_writing_nothing(monkeypatch, tmp_path, capsys):
    import analysis.teaching.course

    empty = tmp_path / "training"
    empty.mkdir()
    monkeypatch.setattr(analysis.teaching.course, "training_dir", lambda: empty)
    assert cli.main(["teach", str(tmp_path / "course")]) == cli.EXIT_PROBLEMS
    assert "no lessons found in" in capsys.readouterr().err
    assert not (tmp_path / "course").exists()

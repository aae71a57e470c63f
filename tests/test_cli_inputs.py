"""Bad input to every subcommand gives one clear line and a non-zero exit, never a traceback.

Also the input checks of issue #9 that need no kernel: region and partner values, briefing set
files, validate's control characters and nesting, data folders, export targets, long values.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import run_cli

PROJECT = Path(__file__).resolve().parents[1]
BRIEFINGS = Path(sys.executable).parent / "briefings"
LONG = "x" * 100_000
IS_LINUX_ROOT = sys.platform.startswith("linux") and os.geteuid() == 0


def run(*args: str, extra_env: dict | None = None):
    """``briefings ARGS`` in this process, through the CLI's main (conftest's ``run_cli``)."""
    return run_cli(*args, env=extra_env)


def run_subprocess(*args: str, extra_env: dict | None = None, cwd: Path = PROJECT,
                   timeout: float = 120):
    """The installed ``briefings`` command, end to end (a few checks keep this path)."""
    env = {**os.environ, **(extra_env or {})}
    env.pop("MPLBACKEND", None)
    return subprocess.run([str(BRIEFINGS), *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)


@pytest.fixture(scope="session")
def bad(tmp_path_factory) -> Path:
    """A folder of bad inputs: set files, data folders, files in the way."""
    root = tmp_path_factory.mktemp("bad")
    sets = {
        "brace.toml": '[[briefing]]\nnotebook = "region"\nid = "{"\n',
        "number.toml": "[[briefing]]\nnotebook = 5\n",
        "params.toml": '[[briefing]]\nnotebook = "region"\nparameters = "x"\n',
        "abort.toml": '[[briefing]]\nnotebook = "region"\nfor_each = {region="os:abort"}\n',
        "spec.toml": '[[briefing]]\nnotebook = "region"\nid = "{region:>999999999}"\n'
                     'parameters = {region = "Mali"}\n',
        "syntax.toml": "[[briefing]\n",
        "table.toml": "briefing = 3\n",
        "unknown.toml": "[other]\nx = 1\n",
        "deep.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    }
    for name, text in sets.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "latin1.toml").write_bytes(b'[[briefing]]\nnotebook = "r\xe9gion"\n')
    (root / "file").write_text("x")
    deep = root / "deep-data"
    deep.mkdir()
    (deep / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000)
    broken = root / "broken-data"
    broken.mkdir()
    (broken / "datapackage.json").write_text("{")
    return root


def sweep_cases(bad: Path) -> list[tuple[list[str], dict]]:
    no_data = {"PSW_DATA_DIR": str(bad / "missing")}
    cases = [
        (["build", "--out", ""], {}), (["build", "--out", "/proc/x"], {}),
        (["build", "--out", str(bad / "file")], {}), (["build", "--out", str(bad / "file/x")], {}),
        (["build", "--timeout", "1.5x"], {}), (["build", "--timeout", "-1"], {}),
        (["build", "--timeout", "inf"], {}), (["build", "--jobs", "0"], {}),
        (["build", "--jobs", LONG], {}), (["build", "--notebook", LONG], {}),
        (["build", "--notebook", "region", "--param", LONG], {}),
        (["build", "--notebook", "region", "--param", f"region={LONG}"], {}),
        (["build", "--notebook", "region", "--param", "region="], {}),
        (["build", "--notebook", "region", "--param", "region=not Mali"], {}),
        (["build", "--notebook", "partnerships", "--param", f"partner={LONG}"], {}),
        (["build", "--notebook", "country", "--param", f"country={LONG}"], {}),
        (["build", "--notebook", "partnerships", "--param", "partner="], {}),
        (["build", "--notebook", "region", "--param", "nope=1"], {}),
        (["build", "--only", LONG], {}), (["build", "--param", "a=b"], {}),
        (["build", "--set", ""], {}), (["build", "--set", str(bad)], {}),
        (["build", "--set", str(bad / "nope.toml")], {}),
        (["build"], no_data), (["build"], {"PSW_DATA_DIR": str(bad / "deep-data")}),
        (["list", "--notebook", LONG], {}), (["list"], no_data),
        (["validate", "--data", ""], {}), (["validate", "--data", str(bad / "missing")], {}),
        (["validate", "--data", str(bad / "file")], {}), (["validate"], no_data),
        (["validate", "--data", LONG], {}),
        (["export", ""], {}), (["export", "/proc/foo"], {}), (["export", str(bad / "file")], {}),
        (["export", str(bad / "file/x")], {}), (["export", str(bad / "e")], no_data),
        (["export", str(bad / "e")], {"PSW_DATA_DIR": str(bad / "broken-data")}),
        (["teach", ""], {}), (["teach", "/proc/foo"], {}), (["teach", str(bad / "file")], {}),
        (["teach", str(bad / "t"), "--lesson", "999"], {}), (["teach", str(bad / "t"), "--lesson",
                                                               LONG], {}),
        (["nope"], {}), ([], {}), (["build", "--kernel", "other"], {}),
        (["build", "--out", LONG], {}), (["export", LONG], {}), (["teach", LONG], {}),
        (["build", "--set", LONG], {}), (["list", "--set", LONG], {}),
    ]
    for name in sorted(p.name for p in bad.glob("*.toml")):
        cases.append((["list", "--set", str(bad / name)], {}))
        cases.append((["build", "--set", str(bad / name), "--out", str(bad / "r")], {}))
    return cases


@pytest.mark.slow
def test_no_bad_input_to_any_subcommand_prints_a_traceback(bad):
    seen = set()
    for args, extra in sweep_cases(bad):
        result = run(*args, extra_env=extra)
        text = result.stdout + result.stderr
        label = " ".join(a[:30] for a in args) + (f" with {extra}" if extra else "")
        assert "Traceback" not in text, label + "\n" + text[-2000:]
        assert "internal error" not in text, label + "\n" + text[-2000:]
        assert result.returncode in (1, 2), label + "\n" + text[-2000:]
        assert len(result.stderr) < 5000, label  # long values are not echoed in full
        seen.add(args[0] if args else "")
    assert {"build", "list", "validate", "export", "teach"} <= seen
    assert not (bad / "r").exists() and not (bad / "e").exists()  # nothing partial written


@pytest.mark.parametrize("value, message", [
    ("not Mali", "unknown region 'not Mali'"), ("", "region is empty"),
    ("   ", "region is empty"), (LONG, "is too long (100000 characters"),
])
def test_region_values_match_exactly_and_fail_at_once(value, message):
    started = time.monotonic()
    result = run("build", "--notebook", "region", "--param", f"region={value}", "--out",
                 "/tmp/never-written")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()[0]) < 1000
    assert time.monotonic() - started < 30
    assert not Path("/tmp/never-written").exists()


def test_region_matching_is_exact_on_names_codes_and_aliases():
    from analysis.model.regions import RegionError, resolve_region

    for value in ("Mali", "MALI", "mli", "ML", "Republic of Mali", "the Republic of Mali"):
        assert resolve_region(value).iso3 == ("MLI",), value
    assert resolve_region("cote d'ivoire").key == resolve_region("Ivory Coast").key == "CIV"
    for value in ("not Mali", "Mali Mali", "Malian", "mission in Mali", "", " ", "x" * 101):
        with pytest.raises(RegionError):
            resolve_region(value)


def test_partner_values_match_exactly():
    from analysis.briefings import params

    assert params.normalise_partner("African Union") == params.normalise_partner("au")
    assert params.normalise_partner("AFRICAN  UNION") == params.normalise_partner("au")
    for value in ("not AU", "", "x" * 100_000):
        with pytest.raises(ValueError):
            params.normalise_partner(value)


@pytest.mark.parametrize("name, message", [
    ("brace.toml", "brace.toml:3: briefing 1: the id template '{' does not format"),
    ("number.toml", "number.toml:2: briefing 1: 'notebook' must be a notebook name"),
    ("params.toml", "params.toml:3: briefing 1: 'parameters' must be a table"),
    ("abort.toml", "abort.toml:3: briefing 1: for_each 'region' must be a list of values or one "
                   "of the registered functions"),
    ("spec.toml", "may only hold plain {name} fields"),
    ("latin1.toml", "latin1.toml:2: the briefing set is not UTF-8 text (byte 0xe9)"),
    ("syntax.toml", "syntax.toml:1: not valid TOML"),
])
def test_set_files_are_checked_with_file_and_line(bad, name, message):
    result = run("list", "--set", str(bad / name))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_for_each_never_imports_what_a_data_file_names(tmp_path):
    marker = tmp_path / "imported"
    module = tmp_path / "evilmod.py"
    module.write_text(f"open({str(marker)!r}, 'w').write('x')\ndef values(): return ['Mali']\n")
    the_set = tmp_path / "set.toml"
    the_set.write_text('[[briefing]]\nnotebook = "region"\nfor_each = {region = "evilmod:values"}\n')
    result = run_subprocess("list", "--set", str(the_set), extra_env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 2 and "registered functions" in result.stderr
    assert not marker.exists()


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(PROJECT / "data", folder)
    return folder


@pytest.mark.parametrize("char, code", [("\x00", "U+0000"), ("\x1b", "U+001B"),
                                        ("\x7f", "U+007F")])
def test_validate_flags_control_characters_in_text(data_copy, char, code):
    path = data_copy / "partners.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("General Assembly,", f"General{char}Assembly,", 1),
                    encoding="utf-8")
    result = run("validate", "--data", str(data_copy))
    assert result.returncode == 1
    assert f"partners.csv:1:name: holds the control character {code}" in result.stderr


def test_validate_answers_a_deeply_nested_descriptor_in_one_line(bad):
    result = run_subprocess("validate", "--data", str(bad / "deep-data"))  # the real stack
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "datapackage.json:-:-: nested too deeply" in result.stderr


@pytest.mark.parametrize("folder, message", [("missing", "which is not a folder"),
                                             ("broken-data", "is not a readable data package")])
def test_a_bad_data_folder_is_one_line_and_exit_2(bad, folder, message):
    commands = [["export", str(bad / "x")], ["list"], ["build", "--out", str(bad / "y")]]
    if folder == "missing":
        commands.append(["validate"])  # a folder that does not load is validate's to report
    for args in commands:
        result = run(*args, extra_env={"PSW_DATA_DIR": str(bad / folder)})
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (bad / "x").exists() and not (bad / "y").exists()


def test_validate_refuses_an_empty_data_argument():
    result = run("validate", "--data", "")
    assert result.returncode == 2 and "--data expects a folder" in result.stderr


def test_export_into_proc_says_it_cannot_create_the_folder():
    result = run("export", "/proc/foo")
    assert result.returncode == 2
    assert "cannot create the folder /proc/foo" in result.stderr
    assert "does not load" not in result.stderr


@pytest.mark.skipif(not IS_LINUX_ROOT, reason="mounting a tmpfs needs root on Linux")
@pytest.mark.parametrize("command", [["export"], ["teach"]])
def test_export_and_teach_into_an_empty_mount_point(tmp_path, command):
    target = tmp_path / "mnt"
    target.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(target)], check=True)
    try:
        result = run_subprocess(*command, str(target))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "cross-device" not in result.stderr
        names = sorted(p.name for p in target.iterdir())
        assert names and not [n for n in names if n.startswith(".staging-")]
    finally:
        subprocess.run(["umount", str(target)], check=False)


def test_error_messages_shorten_long_values():
    result = run_subprocess("build", "--only", LONG)  # end to end: the installed command
    assert result.returncode == 2
    assert len(result.stderr) < 1000 and "…" in result.stderr
    assert json.dumps(LONG)[:200] not in result.stderr

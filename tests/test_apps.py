"""How the dashboard and JupyterLab start (`make dashboard`, `make lab`, `make course`)."""
from __future__ import annotations

import socket
import subprocess
import sys

from analysis.apps import launch as apps
from analysis.cli import main
from analysis.data.paths import notebooks_dir


def test_a_busy_port_is_reported_in_one_line_and_nothing_starts():
    with socket.socket() as held:
        held.bind((apps.HOST, 0))
        held.listen()
        port = held.getsockname()[1]
        assert apps.port_in_use(port)
        result = subprocess.run([sys.executable, "-m", "analysis", "dashboard", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"port {port} on 127.0.0.1 is already in use" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_port_that_is_no_port_is_refused(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == \
        "briefings dashboard: port 70000 is not a port number (1-65535)"


def test_lab_on_a_folder_that_is_not_one_is_refused(tmp_path, capsys):
    assert main(["lab", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip() == f"briefings lab: {tmp_path / 'nowhere'} is not a folder"


def test_the_dashboard_serves_the_explore_notebook_without_code_or_tutorial():
    cmd = apps.voila_command(8866)
    assert cmd[1:4] == ["-m", "analysis.apps.dashboard", str(notebooks_dir() / "explore.ipynb")]
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8866" in cmd and "--strip_sources=True" in cmd
    assert f"--TagRemovePreprocessor.remove_cell_tags={apps.TUTORIAL_TAG}" in cmd
    assert "--template=workbook" in cmd
    template = apps.JUPYTER_DATA / "voila" / "templates" / "workbook" / "index.html.j2"
    assert template.is_file()
    assert apps.voila_env({})["JUPYTER_PATH"] == str(apps.JUPYTER_DATA)


def test_lab_on_the_notebooks_hides_the_lessons_with_solutions(tmp_path):
    on_notebooks = " ".join(apps.lab_command(notebooks_dir()))
    assert "--ContentsManager.hide_globs=" in on_notebooks and "'training'" in on_notebooks
    assert "hide_globs" not in " ".join(apps.lab_command(tmp_path))  # the course: nothing hidden


def test_the_makefile_starts_the_apps_through_the_briefings_command():
    makefile = (notebooks_dir().parent / "Makefile").read_text()
    assert "/briefings dashboard --port $(DASHBOARD_PORT)" in makefile
    assert "/briefings lab notebooks" in makefile
    assert "briefings teach course" in makefile and "/briefings lab course" in makefile
    assert "python -m analysis.apps" not in makefile
    assert "/course/" in (notebooks_dir().parent / ".gitignore").read_text().split()


def test_without_chromium_the_browser_tests_skip_saying_so(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTEST_XDIST_WORKER"}
    env["PSW_CHROMIUM"] = str(tmp_path / "no-chromium")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:xdist", "-p", "no:cacheprovider",
                             "tests/test_browser_apps.py", "-k", "lists_no_lesson"],
                            capture_output=True, text=True, env=env, timeout=120, cwd=notebooks_dir().parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "chromium is not installed" in result.stdout

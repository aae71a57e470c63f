"""The wheel works outside the checkout: `briefings list`, `validate`, `teach` and `build` read
the notebooks, the briefing set and the data from the installed package (importlib.resources).

The wheel is built without build isolation (hatchling is a dev dependency) and installed with
``--no-deps`` into a fresh virtual environment that borrows the project environment's
site-packages through a ``.pth`` line (so nothing is downloaded). A line in a ``.pth`` file is
only appended to ``sys.path`` (the project's editable-install finder there is not run), so
``import analysis`` finds the installed wheel, never the checkout. Everything runs from a
temporary folder as the working directory.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from analysis.briefings.kernels import KERNEL_NAME
from analysis.data.paths import PROJECT_DIR

pytestmark = pytest.mark.slow


def _run(args, *, cwd, env, timeout=120):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                  "-w", str(root / "dist"), str(PROJECT_DIR)], cwd=root, env=os.environ)
    assert built.returncode == 0, built.stderr
    wheel = next((root / "dist").glob("peace_security_workbook-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "zz_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                 str(wheel)], cwd=root, env=os.environ)
    assert done.returncode == 0, done.stderr
    # What a user's environment has after `pip install`: nbconvert's templates under its prefix
    # (the wheel itself installs the project's kernelspec there: no kernel is installed by hand).
    share = venv / "share" / "jupyter"
    share.mkdir(parents=True, exist_ok=True)
    (share / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    assert (share / "kernels" / KERNEL_NAME / "kernel.json").is_file()
    work = root / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PSW_", "PYTHON", "JUPYTER_PATH"))}
    env.update(XDG_CACHE_HOME=str(root / "cache"), MPLCONFIGDIR=str(root / "mpl"),
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return {"venv": venv, "cwd": work, "env": env, "briefings": str(venv / "bin" / "briefings")}


def briefings(installed, *args, timeout=120):
    return _run([installed["briefings"], *args], cwd=installed["cwd"], env=installed["env"], timeout=timeout)


def test_the_installed_package_is_not_the_checkout(installed):
    out = _run([str(installed["venv"] / "bin" / "python"), "-c",
                "import analysis, analysis.data.paths as p; print(analysis.__file__); print(p.in_checkout())"],
               cwd=installed["cwd"], env=installed["env"])
    where, in_checkout = out.stdout.split()
    assert str(installed["venv"]) in where and in_checkout == "False"


def test_installed_list_validate_and_version(installed):
    listed = briefings(installed, "list")
    assert listed.returncode == 0, listed.stderr
    assert "region  (analysis/_notebooks/briefings/region.ipynb)" in listed.stdout
    assert "Default set" in listed.stdout and "region-western-africa" in listed.stdout
    checked = briefings(installed, "validate")
    assert checked.returncode == 0 and checked.stdout.strip().endswith("rows)"), checked.stderr
    assert "analysis/_data is valid" in checked.stdout
    version = briefings(installed, "--version")
    assert version.returncode == 0 and version.stdout.startswith("briefings 0.")


def test_installed_teach_writes_every_lesson(installed):
    taught = briefings(installed, "teach", "course")
    assert taught.returncode == 0, taught.stderr
    lessons = sorted(p.name for p in (installed["cwd"] / "course").glob("*.ipynb"))
    assert len(lessons) == 5 and (installed["cwd"] / "course" / "facilitator-guide.md").is_file()
    assert f"wrote the student edition to course: {len(lessons)} lessons" in taught.stdout


def test_installed_build_runs_a_briefing(installed):
    built = briefings(installed, "build", "--notebook", "region", "--param", "region=Mali",
                      "--out", "reports", "--no-progress", timeout=240)
    assert built.returncode == 0, built.stderr
    reports = installed["cwd"] / "reports"
    assert (reports / "region-mali.html").is_file()
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert "region-mali" in json.dumps(manifest)
    assert "analysis/_notebooks/briefings/region.ipynb" in json.dumps(manifest) or \
        "Mali" in (reports / "region-mali.html").read_text(encoding="utf-8")

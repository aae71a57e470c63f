"""The wheel, installed as a new user installs it, works from any folder (issue 20).

A fresh virtual environment (no ``--system-site-packages``, nothing borrowed from this one), the
package's wheel and its dependencies installed from a local wheelhouse with ``--no-index`` (the
wheelhouse holds the versions installed here, fetched once with ``pip wheel`` from pip's cache or
the package index pip is configured with, and kept in ``.cache/wheelhouse/`` for the next run), a
fresh ``HOME``, no ``JUPYTER_*``, ``PYTHON*`` or ``PSW_*`` variable inherited, and no kernel
installed by hand. From another folder it runs ``list``, ``validate``, ``teach``, ``build`` (HTML
and PDF) and the dashboard's first page.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest

from analysis.data.paths import PROJECT_DIR

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

DIST = "peace-security-workbook"
WHEELHOUSE = PROJECT_DIR / ".cache" / "wheelhouse"


def _run(args, *, cwd, env=None, timeout=300):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def runtime_requirements() -> list[str]:
    """``name==version`` of every distribution the package needs at run time (no extras),
    as installed here, transitively."""
    from packaging.requirements import Requirement

    found: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    todo: list[tuple[str, str]] = [(DIST, "")]
    while todo:
        name, extra = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if (key, extra) in seen:
            continue
        seen.add((key, extra))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[key] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": extra}):
                continue
            if req.marker is None and extra:  # the base requirements came with extra ""
                continue
            todo.append((req.name, ""))
            todo.extend((req.name, e) for e in req.extras)
    found.pop(DIST, None)
    return sorted(f"{name}=={version}" for name, version in found.items())


def wheelhouse(requirements: list[str]) -> Path:
    """A folder of wheels for ``requirements`` (one per Python version, kept between runs):
    only the wheels it lacks are made, with ``pip wheel``."""
    house = WHEELHOUSE / f"py{sys.version_info.major}{sys.version_info.minor}"
    house.mkdir(parents=True, exist_ok=True)
    have = set()
    for wheel in house.glob("*.whl"):
        name, version = wheel.name.split("-")[:2]
        have.add(f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}")
    missing = [r for r in requirements if r not in have]
    if missing:
        done = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                     house, *missing], cwd=house, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"the wheelhouse could not be made (pip wheel): {done.stderr.strip()[-500:]}")
    return house


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("fresh")
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                  "--wheel-dir", root / "dist", PROJECT_DIR], cwd=root)
    assert built.returncode == 0, built.stderr
    wheel = next((root / "dist").glob("peace_security_workbook-*.whl"))
    house = wheelhouse(runtime_requirements())
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=root)
    assert made.returncode == 0, made.stderr
    home = root / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "PYTHON", "PSW_", "VIRTUAL_ENV", "MPL", "XDG_", "PIP_"))}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    python = venv / "bin" / "python"
    # --no-compile: byte-compiling 140 distributions costs more than it saves here
    done = _run([python, "-m", "pip", "install", "--quiet", "--no-compile", "--no-index",
                 "--find-links", house, wheel],
                cwd=root, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    work = root / "elsewhere"
    work.mkdir()
    return {"venv": venv, "python": python, "cwd": work, "env": env, "home": home,
            "briefings": venv / "bin" / "briefings"}


def briefings(installed, *args, timeout=300):
    return _run([installed["briefings"], *args], cwd=installed["cwd"], env=installed["env"],
                timeout=timeout)


def check_nothing_comes_from_this_checkout_or_environment(installed):
    out = _run([installed["python"], "-c",
                "import sys, analysis, analysis.data.paths as p, pandas; "
                "print(analysis.__file__); print(pandas.__file__); print(p.in_checkout())"],
               cwd=installed["cwd"], env=installed["env"])
    package, pandas, in_checkout = out.stdout.split()
    assert package.startswith(str(installed["venv"])) and pandas.startswith(str(installed["venv"]))
    assert in_checkout == "False"
    cfg = (installed["venv"] / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg


def check_the_wheel_installs_the_kernelspec_the_notebooks_name(installed):
    spec = installed["venv"] / "share" / "jupyter" / "kernels" / "peace-security-workbook" / "kernel.json"
    assert spec.is_file()
    listed = _run([installed["venv"] / "bin" / "jupyter", "kernelspec", "list"], cwd=installed["cwd"],
                  env=installed["env"])
    assert "peace-security-workbook" in listed.stdout, listed.stdout + listed.stderr


def check_list_validate_teach(installed):
    listed = briefings(installed, "list")
    assert listed.returncode == 0 and "region-western-africa" in listed.stdout, listed.stderr
    valid = briefings(installed, "validate")
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.startswith(("ok:", "note:")) and "shared/seed" not in valid.stdout
    assert "lib/python" not in valid.stdout.split("ok:")[0]
    student = briefings(installed, "teach", "course")
    assert student.returncode == 0, student.stderr
    assert (installed["cwd"] / "course" / "01-dataset.ipynb").is_file()
    key = briefings(installed, "teach", "key", "--instructor", "--lesson", "1")
    assert key.returncode == 0, key.stderr


def check_build_html_and_pdf(installed):
    built = briefings(installed, "build", "--notebook", "region", "--param", "region=Mali", "--pdf",
                      "--no-progress")
    assert built.returncode == 0, built.stdout + built.stderr
    reports = installed["cwd"] / "reports"
    assert (reports / "region-mali.html").is_file() and (reports / "region-mali.pdf").is_file()
    assert (reports / "pack.pdf").is_file() and not (reports / "_failed").exists()
    assert f"made the folder {reports}" in built.stdout  # not silently


@pytest.fixture
def dashboard(installed):
    """The dashboard started from the installed package; always stopped, with its kernels."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(installed["home"] / "voila.log", "w+")
    token = "wheel-test-token"  # the dashboard needs its token (analysis.apps.dashboard)
    env = {**installed["env"], "PSW_DASHBOARD_TOKEN": token}
    proc = subprocess.Popen([installed["python"], "-m", "analysis", "dashboard", "--port", str(port)],
                            cwd=installed["cwd"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}/?token={token}", proc, log
    finally:
        import signal

        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()


def check_the_dashboard_serves_its_first_page(dashboard):
    url, proc, log = dashboard
    deadline = time.monotonic() + 180
    page, error = None, None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                page = response.read().decode("utf-8", "replace")
                break
        except OSError as err:
            error = err
            time.sleep(1)
    log.seek(0)
    assert page is not None, f"no page ({error}); log:\n{log.read()[-3000:]}"
    assert "<title>" in page and "Explore the chapter" in page
    assert "application/vnd.jupyter.widget-view+json" in page, log.read()[-3000:]
    assert "NoSuchKernel" not in page and "Traceback" not in page


def test_the_installed_wheel_works_from_another_folder(installed, dashboard):
    """One test, so that the fresh environment is made once whatever the test distribution."""
    check_nothing_comes_from_this_checkout_or_environment(installed)
    check_the_wheel_installs_the_kernelspec_the_notebooks_name(installed)
    check_list_validate_teach(installed)
    check_build_html_and_pdf(installed)
    check_the_dashboard_serves_its_first_page(dashboard)

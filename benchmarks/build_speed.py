"""Time the naive pipeline against `briefings build` on the default set, on this machine.

Naive: for each briefing of the default set, the `papermill` command line, then
`jupyter nbconvert --to html --no-input`, one after the other. Builder: `briefings build` from
an empty folder, then again with nothing changed. Also: the time of `import analysis`, and the
peak memory of the child processes. Everything goes into temporary folders; figures are
printed, nothing is asserted.

    .venv/bin/python benchmarks/build_speed.py [--jobs N] [--only GLOB ...]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KERNEL_NAME = "peace-security-workbook"  # analysis.kernels.KERNEL_NAME, which `make install` installs


def default_set(only: list[str]) -> list[tuple[str, str, dict]]:
    """(id, notebook path, parameters) of the default set, as the builder checks them."""
    sys.path.insert(0, str(PROJECT))
    from analysis.builder.build import BuildRequest, select

    briefings, _, catalog = select(BuildRequest(out=Path("unused"), jobs=1, only=only))
    return [(b.id, str(catalog.path(b.notebook)), b.parameters) for b in briefings]


def papermill_args(params: dict) -> list[str]:
    args = []
    for name, value in params.items():
        if isinstance(value, str):
            args += ["-p", name, value]
        else:  # -y reads YAML: true/false and numbers keep their type
            args += ["-y", f"{name}: {str(value).lower() if isinstance(value, bool) else value}"]
    return args


def run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def naive(briefings, folder: Path) -> float:
    start = time.perf_counter()
    for bid, path, params in briefings:
        executed = folder / f"{bid}.ipynb"
        run([str(BIN / "papermill"), path, str(executed), "-k", KERNEL_NAME, "--cwd",
             str(Path(path).parent), *papermill_args(params)])
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return time.perf_counter() - start


def builder(folder: Path, jobs: int, only: list[str]) -> float:
    start = time.perf_counter()
    cmd = [str(BIN / "briefings"), "build", "--out", str(folder), "--jobs", str(jobs),
           "--no-progress"]
    for pattern in only:
        cmd += ["--only", pattern]
    result = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n")
    return elapsed


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import analysis; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2 * len(os.sched_getaffinity(0)),
                        help="for briefings build (default: its own, twice the cores)")
    parser.add_argument("--only", action="append", default=[], help="a subset of the default set")
    args = parser.parse_args()
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("MPLCONFIGDIR", str(PROJECT / ".cache" / "matplotlib"))
    briefings = default_set(args.only)
    print(f"default set: {len(briefings)} briefings; {os.cpu_count()} cores; jobs {args.jobs}")
    with tempfile.TemporaryDirectory(prefix="psw-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "naive").mkdir()
        t_naive = naive(briefings, tmp / "naive")
        print(f"naive (papermill + nbconvert CLIs, one by one): {t_naive:7.1f} s "
              f"({t_naive / len(briefings):.2f} s a briefing)")
        t_build = builder(tmp / "built", args.jobs, args.only)
        print(f"briefings build, from empty:                    {t_build:7.1f} s "
              f"({t_build / len(briefings):.2f} s a briefing)")
        print(f"speed-up:                                       {t_naive / t_build:7.1f} x")
        t_again = builder(tmp / "built", args.jobs, args.only)
        print(f"briefings build, nothing changed:               {t_again:7.2f} s")
        shutil.rmtree(tmp / "built", ignore_errors=True)
    print(f"import analysis:                                {import_time() * 1000:7.0f} ms")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of one child process (max RSS):     {peak:7.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

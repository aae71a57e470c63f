"""Time the naive pipeline against `briefings build` on the default set, on this machine.

Naive: for each briefing of the default set, the `papermill` command line, then
`jupyter nbconvert --to html --no-input`, one after the other. Builder: `briefings build` from
an empty folder (HTML only), then again with nothing changed, then `briefings build --pdf` from
an empty folder (pages, PDFs and pack.pdf). The floor: the same briefings' code executed in one
warm Python process with no kernels (libraries imported and data loaded beforehand), every
figure rendered and every displayed value formatted as the notebook would. The build uses
every core, the floor one: the fair floor is the floor's CPU time divided by the cores the build
uses (min(jobs, cores, briefings)), and the ratio printed is the build against it. Also: the time of
`import analysis`, and the peak memory of the child processes. Everything goes into temporary
folders; figures are printed, nothing is asserted.

    .venv/bin/python benchmarks/build_speed.py [--jobs N] [--only GLOB ...] [--repeat N]
                                               [--skip-naive] [--engines fork,none]

With ``--engines fork,none``: only the HTML build from empty with each ``--kernel`` choice and
the fair floor (with ``--repeat N``, the floor too is measured in each round, each time in a
process of its own: the medians), the ratio of each, the per-briefing parts of the time
(kernel start, execution, export, note) and whether the two builds' outputs are byte-identical.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.cli.build import default_jobs  # light: the command line's own choice

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KERNEL_NAME = "peace-security-workbook"  # analysis.briefings.kernels.KERNEL_NAME, which `make install` installs


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


def builder(folder: Path, jobs: int, only: list[str], *, pdf: bool = False,
            kernel: str | None = None) -> float:
    """Wall time of `briefings build` into ``folder`` (with ``--pdf`` when asked, and
    ``--kernel KERNEL`` when given)."""
    start = time.perf_counter()
    cmd = [str(BIN / "briefings"), "build", *(["--pdf"] if pdf else []), "--out", str(folder),
           "--jobs", str(jobs), "--no-progress", *(["--kernel", kernel] if kernel else [])]
    for pattern in only:
        cmd += ["--only", pattern]
    result = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n")
    return elapsed


def builder_pdf(folder: Path, jobs: int, only: list[str]) -> tuple[float, float, float]:
    """Wall time of a --pdf build, the PDF time summed over the workers, and the seconds the
    pack took (in the builder's own process, after the last PDF)."""
    import json

    elapsed = builder(folder, jobs, only, pdf=True)
    manifest = json.loads((folder / "manifest.json").read_text())
    summed = sum((e.get("timings") or {}).get("pdf") or 0 for e in manifest["briefings"].values())
    return elapsed, summed, float((manifest.get("pack") or {}).get("seconds") or 0)


def from_empty(tmp: Path, jobs: int, only: list[str], repeat: int):
    """The HTML build and the --pdf build from empty, ``repeat`` times each, alternating (so
    that a busy spell of the machine falls on both); the medians, and every run."""
    import statistics

    html_runs, pdf_runs = [], []
    for n in range(repeat):
        html_runs.append(builder(tmp / f"html-{n}", jobs, only))
        pdf_runs.append(builder_pdf(tmp / f"pdf-{n}", jobs, only))
        if n < repeat - 1:
            shutil.rmtree(tmp / f"html-{n}", ignore_errors=True)
            shutil.rmtree(tmp / f"pdf-{n}", ignore_errors=True)
    median = statistics.median
    return (median(html_runs), tuple(median(r[i] for r in pdf_runs) for i in range(3)),
            html_runs, [r[0] for r in pdf_runs], tmp / f"html-{repeat - 1}", tmp / f"pdf-{repeat - 1}")


def build_cores(jobs: int, n: int) -> int:
    """The cores a build of ``n`` briefings with ``jobs`` workers keeps busy."""
    return max(1, min(jobs, len(os.sched_getaffinity(0)), n))


def floor(briefings) -> tuple[float, float]:
    """The briefings' code in this one warm process: no kernels, figures rendered.

    Returns (wall seconds, CPU seconds of this process) of running every briefing's cells."""
    import ast
    import contextlib
    import io
    import json

    import matplotlib

    matplotlib.use("Agg")
    from IPython.core.formatters import format_display_data

    from analysis.builder import forkkernel

    forkkernel.warm()  # what each of the builder's forked kernels starts with
    cells = {}
    for bid, path, params in briefings:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
                   and "parameters" not in c.get("metadata", {}).get("tags", [])]
        cells[bid] = (path, params, [ast.parse(src) for src in sources])

    def run_one(path, params, trees):
        namespace = {"__name__": "__main__", **params}
        for tree in trees:
            last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            head = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
            exec(compile(head, path, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), path, "eval"), namespace)
                if value is not None:
                    format_display_data(value)

    cwd = os.getcwd()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        for bid, (path, params, trees) in cells.items():
            os.chdir(Path(path).parent)
            with contextlib.redirect_stdout(io.StringIO()):
                run_one(path, params, trees)
    finally:
        os.chdir(cwd)
    return time.perf_counter() - start, time.process_time() - cpu


def fresh_floor(briefings) -> tuple[float, float]:
    """:func:`floor` in a process forked from this one for the purpose, so that each
    measurement starts from the same state: nothing cached by an earlier one, and this
    process's matplotlib left as it was."""
    import traceback

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        code = 1
        try:
            os.write(write, ("%r %r" % floor(briefings)).encode())
            code = 0
        except BaseException:  # noqa: BLE001 - said on stderr; the parent stops
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as fh:
        text = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not text:
        raise SystemExit("the floor's process failed (its traceback is above)")
    wall, cpu = (float(v) for v in text.split())
    return wall, cpu


def notes_and_word_cost(tmp: Path, jobs: int, only: list[str], repeat: int) -> dict:
    """What two-page notes and Word files add to the HTML and PDF build (issue 22: at most
    25 %): the same briefings built from empty with pages and PDFs only (no notes), then with
    notes and Word files too (``--formats html,pdf,docx``), alternating, in this process (as
    the command line runs it). Packs are made in both (pack.pdf; and pack.docx in the second)."""
    from analysis.builder.build import BuildRequest, run

    def cpu_seconds() -> float:  # this process and every process of the build it waited for
        own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def build(folder: Path, **formats) -> tuple[float, dict]:
        start, cpu_start = time.perf_counter(), cpu_seconds()
        code = run(BuildRequest(out=folder, jobs=jobs, only=list(only), progress=False, **formats),
                   echo=lambda *_: None)
        elapsed = time.perf_counter() - start
        cpu.append(cpu_seconds() - cpu_start)
        if code != 0:
            raise SystemExit(f"the build into {folder} failed ({code})")
        entries = json.loads((folder / "manifest.json").read_text())["briefings"].values()
        summed = {}
        for entry in entries:
            for key, value in (entry.get("timings") or {}).items():
                summed[key] = summed.get(key, 0.0) + (value or 0.0)
        return elapsed, summed

    base, full, sums, cpu, base_cpu, full_cpu = [], [], {}, [], [], []
    for n in range(repeat):
        t, _ = build(tmp / f"base-{n}", pdf=True, notes=False)
        base.append(t)
        base_cpu.append(cpu[-1])
        t, sums = build(tmp / f"all-{n}", pdf=True, docx=True, notes=True)
        full.append(t)
        full_cpu.append(cpu[-1])
        shutil.rmtree(tmp / f"base-{n}", ignore_errors=True)
        shutil.rmtree(tmp / f"all-{n}", ignore_errors=True)
    from statistics import median

    return {"base": median(base), "all": median(full), "base_runs": base, "all_runs": full,
            "sums": sums, "base_cpu": median(base_cpu), "all_cpu": median(full_cpu)}


#: The per-briefing parts of a build's time, as its manifest records them (seconds a worker
#: spent on each): kernel (or process) start, execution of the cells, export (normalising,
#: HTML), and the two-page note.
PARTS = ("kernel_start", "execute", "export", "note")


def summed_parts(folder: Path) -> dict[str, float]:
    """Each part of :data:`PARTS` summed over the briefings of the build in ``folder``."""
    entries = json.loads((folder / "manifest.json").read_text())["briefings"].values()
    return {part: sum((e.get("timings") or {}).get(part) or 0.0 for e in entries)
            for part in PARTS}


def same_outputs(first: Path, second: Path) -> list[str]:
    """The output files (all but the manifest) that differ between two builds, or are missing
    from one of them."""
    def files(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and p.name != "manifest.json"}

    a, b = files(first), files(second)
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


def children_cpu() -> float:
    """CPU seconds (user and system) of this process's finished children and theirs: a
    build's workers and the processes they forked are all waited for, so they count."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compare_engines(briefings, tmp: Path, jobs: int, only: list[str], kernels: list[str],
                    repeat: int) -> int:
    """The default HTML build from empty with each ``--kernel`` and the floor (alternating,
    ``repeat`` times each), in one run: the medians' wall times and ratios, and the
    per-briefing parts."""
    import statistics

    n = len(briefings)
    walls: dict[str, list[float]] = {k: [] for k in kernels}
    cpus: dict[str, list[float]] = {k: [] for k in kernels}
    parts: dict[str, dict[str, float]] = {}
    floors: list[tuple[float, float]] = []
    for r in range(repeat):  # the floor too, in each round: the machine's pace drifts
        floors.append(fresh_floor(briefings))
        for kernel in kernels:
            folder = tmp / f"{kernel}-{r}"
            before = children_cpu()
            walls[kernel].append(builder(folder, jobs, only, kernel=kernel))
            cpus[kernel].append(children_cpu() - before)
            parts[kernel] = summed_parts(folder)
    differ = same_outputs(tmp / f"{kernels[0]}-0", tmp / f"{kernels[-1]}-0")
    wall_floor = statistics.median(w for w, _ in floors)
    cpu_floor = statistics.median(c for _, c in floors)
    cores = build_cores(jobs, n)
    fair = cpu_floor / cores
    runs = f" (runs {', '.join(f'{c:.1f}' for _, c in floors)})" if repeat > 1 else ""
    print(f"floor (one warm process, no kernels):           {wall_floor:7.1f} s wall, "
          f"{cpu_floor:.1f} s CPU ({cpu_floor / n:.2f} s a briefing){runs}")
    print(f"fair floor (floor CPU / {cores} cores the build uses): {fair:7.1f} s")
    for kernel in kernels:
        t = statistics.median(walls[kernel])
        runs = f" (runs {', '.join(f'{w:.1f}' for w in walls[kernel])})" if repeat > 1 else ""
        print(f"HTML build from empty, --kernel {kernel:<6}          {t:7.1f} s, "
              f"{t / fair:5.2f} x the fair floor{runs}")
        cpu = statistics.median(cpus[kernel])
        print(f"  its CPU time (every process of the build):     {cpu:7.1f} s, "
              f"{cpu / cpu_floor:5.2f} x the floor's CPU (less sensitive to a busy machine)")
    print("per briefing, mean seconds of a worker (last run):")
    print("  kernel   " + "".join(f"{p:>14}" for p in PARTS))
    for kernel in kernels:
        print(f"  {kernel:<8} " + "".join(f"{parts[kernel][p] / n:14.3f}" for p in PARTS))
    print(f"outputs of --kernel {kernels[0]} and --kernel {kernels[-1]}: "
          + ("byte-identical" if not differ else f"{len(differ)} differ: {differ[:5]}"))
    return 0


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import analysis; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=default_jobs("none"),
                        help="for briefings build (default: its own, one per core)")
    parser.add_argument("--only", action="append", default=[], help="a subset of the default set")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the HTML and --pdf builds from empty N times each, "
                             "alternating, and report the medians (default 1)")
    parser.add_argument("--skip-naive", action="store_true",
                        help="leave out the naive pipeline (about 10 s a briefing)")
    parser.add_argument("--engines", metavar="LIST", default=None,
                        help="measure only the HTML build from empty with each of these "
                             "--kernel choices (comma-separated, e.g. fork,none) against the "
                             "fair floor, with each per-briefing part of the time")
    parser.add_argument("--notes-word", action="store_true",
                        help="measure only what notes and Word files add to the HTML+PDF build")
    args = parser.parse_args()
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("MPLCONFIGDIR", str(PROJECT / ".cache" / "matplotlib"))
    briefings = default_set(args.only)
    print(f"default set: {len(briefings)} briefings; {os.cpu_count()} cores; jobs {args.jobs}; "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.engines:
        kernels = [k.strip() for k in args.engines.split(",") if k.strip()]
        with tempfile.TemporaryDirectory(prefix="psw-bench-") as tmp:
            code = compare_engines(briefings, Path(tmp), args.jobs, args.only, kernels,
                                   args.repeat)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return code
    if args.notes_word:
        with tempfile.TemporaryDirectory(prefix="psw-bench-") as tmp:
            cost = notes_and_word_cost(Path(tmp), args.jobs, args.only, args.repeat)
        added = cost["all"] - cost["base"]
        sums = cost["sums"]
        print(f"HTML + PDF (pack.pdf), no notes, from empty:    {cost['base']:7.1f} s")
        print(f"HTML + PDF + Word, with notes (both packs):     {cost['all']:7.1f} s "
              f"(adds {added:.1f} s, {added / cost['base']:.0%}; goal at most 25 %)")
        cpu_added = cost["all_cpu"] - cost["base_cpu"]
        print(f"CPU time of each build (all its processes): {cost['base_cpu']:.1f} s and "
              f"{cost['all_cpu']:.1f} s (adds {cpu_added:.1f} s, {cpu_added / cost['base_cpu']:.0%}: "
              "the figure a busy machine disturbs least)")
        print(f"summed over the workers: Word {sums.get('docx', 0):.1f} s, notes (page, PDF, "
              f"Word) {sums.get('note', 0):.1f} s, PDF {sums.get('pdf', 0):.1f} s, execution "
              f"{sums.get('execute', 0):.1f} s")
        if args.repeat > 1:
            print("runs: " + ", ".join(f"{a:.1f}/{b:.1f}" for a, b in
                                       zip(cost["base_runs"], cost["all_runs"])))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return 0
    with tempfile.TemporaryDirectory(prefix="psw-bench-") as tmp:
        tmp = Path(tmp)
        n = len(briefings)
        t_naive = None
        if not args.skip_naive:
            (tmp / "naive").mkdir()
            t_naive = naive(briefings, tmp / "naive")
            print(f"naive (papermill + nbconvert CLIs, one by one): {t_naive:7.1f} s "
                  f"({t_naive / n:.2f} s a briefing)")
        t_build, (t_pdf, pdf_summed, t_pack), html_runs, pdf_runs, built, with_pdf = \
            from_empty(tmp, args.jobs, args.only, args.repeat)
        runs = (f" (median of {args.repeat}: HTML " + ", ".join(f"{t:.1f}" for t in html_runs)
                + " s; --pdf " + ", ".join(f"{t:.1f}" for t in pdf_runs) + " s)"
                if args.repeat > 1 else "")
        print(f"briefings build, from empty (HTML):             {t_build:7.1f} s "
              f"({t_build / n:.2f} s a briefing)")
        if t_naive is not None:
            print(f"speed-up:                                       {t_naive / t_build:7.1f} x")
        t_again = builder(built, args.jobs, args.only)
        print(f"briefings build, nothing changed:               {t_again:7.2f} s")
        print(f"briefings build --pdf, from empty:              {t_pdf:7.1f} s "
              f"(PDFs and pack add {t_pdf - t_build:.1f} s, "
              f"{(t_pdf - t_build) / t_build:.0%} of the HTML build){runs}")
        print(f"PDF cost per briefing:                          {(t_pdf - t_build) / n:7.2f} s "
              f"wall ({pdf_summed / n:.2f} s of a worker's time each)")
        print(f"pack.pdf from the briefings' PDFs:              {t_pack:7.2f} s")
        t_again_pdf = builder_pdf(with_pdf, args.jobs, args.only)[0]
        print(f"briefings build --pdf, nothing changed:         {t_again_pdf:7.2f} s")
    wall_floor, cpu_floor = fresh_floor(briefings)
    cores = build_cores(args.jobs, n)
    fair = cpu_floor / cores
    print(f"floor (one warm process, no kernels):           {wall_floor:7.1f} s wall, "
          f"{cpu_floor:.1f} s CPU ({cpu_floor / n:.2f} s a briefing)")
    print(f"fair floor (floor CPU / {cores} cores the build uses): {fair:7.1f} s")
    # Printed once, so that figures of earlier runs can be compared; the fair ratio is the one.
    print(f"  (old ratio, build / one-core floor wall time:  {t_build / wall_floor:7.2f} x)")
    print(f"builder / fair floor (HTML build):              {t_build / fair:7.2f} x")
    print(f"import analysis:                                {import_time() * 1000:7.0f} ms")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of one child process (max RSS):     {peak:7.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

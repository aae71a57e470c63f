"""Run the examples of issue 19 as written, against a code tree, and print one line each.

    .venv/bin/python scripts/adversarial_issue19.py ROOT [--only NAME ...]

ROOT is a checkout of the project (the code to judge: e.g. a worktree of the commit before the
fix, then this one); it is put first on PYTHONPATH for every child. Every case runs in a fresh
temporary folder; the ones that could exhaust memory run under an address-space limit. Printed:
the case, the exit code, the first line of stderr (cut), and what changed on disk.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PY = sys.executable
LIMIT = 3_000_000_000


def briefings(root: Path, args: list[str], *, env=None, cwd=None, timeout=120, memory=LIMIT,
              stdin=None):
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
        from analysis.cli import main
        sys.exit(main({args!r}))
    """)
    full = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    full.pop("MPLBACKEND", None)
    try:
        done = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=timeout,
                              env=full, cwd=cwd or root, stdin=stdin)
        return done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        return "timeout", "", f"no answer in {timeout} s"


def first(text: str, n: int = 110) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    line = lines[-1] if lines and lines[-1].startswith(("MemoryError", "Traceback")) else \
        (lines[0] if lines else "")
    if "Traceback" in text:
        line = "TRACEBACK " + (lines[-1] if lines else "")
    return (line[:n] + "…") if len(line) > n else line


def tree(folder: Path) -> dict:
    out = {}
    for p in sorted(folder.rglob("*")) if folder.exists() else []:
        try:
            out[str(p.relative_to(folder))] = p.read_bytes() if p.is_file() and not p.is_symlink() else "d"
        except OSError:
            out[str(p.relative_to(folder))] = "?"
    return out


def diff(before: dict, after: dict) -> str:
    items = sorted([f"+{n}" for n in after.keys() - before.keys()]
                   + [f"-{n}" for n in before.keys() - after.keys()]
                   + [f"~{n}" for n in before.keys() & after.keys() if before[n] != after[n]])
    shown = ", ".join(items[:4]) + (f" (+{len(items) - 4} more)" if len(items) > 4 else "")
    return shown or "nothing changed"


def data_copy(root: Path, where: Path) -> Path:
    folder = where / "data"
    shutil.copytree(root / "data", folder)
    return folder


def set_path(folder: Path, table: str, path: str) -> None:
    d = json.loads((folder / "datapackage.json").read_text())
    for r in d["resources"]:
        if r["name"] == table:
            r["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(d, indent=2))


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def _planted(root, tmp):
    """A data folder whose themes table is ``../.bash_profile``, a CSV that loads (a login shell
    would run its first line)."""
    src = tmp / "src"
    src.mkdir()
    data = data_copy(root, src)
    (src / ".bash_profile").write_text((data / "themes.csv").read_text())
    set_path(data, "themes", "../.bash_profile")
    (tmp / "exp").mkdir()
    return data


@case
def export_path_dotdot(root, tmp):
    data = _planted(root, tmp)
    before = tree(tmp)
    code, out, err = briefings(root, ["export", str(tmp / "exp" / "out")],
                               env={"PSW_DATA_DIR": str(data)})
    return code, first(err or out), diff(before, tree(tmp))


@case
def draft_path_dotdot(root, tmp):
    data = _planted(root, tmp)
    before = tree(tmp)
    code, out, err = briefings(root, ["draft", str(root / "tests/fixtures/drafting/chapter-2018.txt"),
                                      "--out", str(tmp / "exp" / "o"), "--symbol", "A/73/1",
                                      "--year", "2018", "--data", str(data)])
    return code, first(err or out), diff(before, tree(tmp))


@case
def loader_absolute_path(root, tmp):
    data = data_copy(root, tmp)
    set_path(data, "themes", "/etc/hostname")
    code, out, err = briefings(root, ["export", str(tmp / "out")], env={"PSW_DATA_DIR": str(data)})
    return code, first(err or out), "read /etc/hostname" if code == 0 else "not read"


@case
def build_dev_zero(root, tmp):
    data = data_copy(root, tmp)
    (data / "themes.csv").unlink()
    (data / "themes.csv").symlink_to("/dev/zero")
    t = time.monotonic()
    code, out, err = briefings(root, ["build", "--out", str(tmp / "r"), "--only", "region-world",
                                      "--no-progress"], env={"PSW_DATA_DIR": str(data)}, timeout=180)
    return code, first(err or out), f"{time.monotonic() - t:.0f} s under a 3 GB limit"


@case
def export_fifo(root, tmp):
    data = data_copy(root, tmp)
    (data / "themes.csv").unlink()
    os.mkfifo(data / "themes.csv")
    code, out, err = briefings(root, ["export", str(tmp / "out")], env={"PSW_DATA_DIR": str(data)},
                               timeout=30)
    return code, first(err or out), ""


@case
def list_set_dev_zero(root, tmp):
    code, out, err = briefings(root, ["list", "--set", "/dev/zero"], timeout=120)
    return code, first(err or out), ""


@case
def export_formula(root, tmp):
    import csv
    import io

    data = data_copy(root, tmp)
    path = data / "engagements.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    rows[1][rows[0].index("activity")] = "=HYPERLINK(\"http://x.example\",\"click\")"
    rows[2][rows[0].index("activity")] = "+cmd|' /C calc'!A0"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    code, out, err = briefings(root, ["export", str(tmp / "out")], env={"PSW_DATA_DIR": str(data)})
    text = (tmp / "out" / "engagements.csv").read_text() if code == 0 else ""
    code2, out2, err2 = briefings(root, ["export", str(tmp / "sheet"), "--for-spreadsheets"],
                                  env={"PSW_DATA_DIR": str(data)})
    sheet = (tmp / "sheet" / "engagements.csv").read_text() if code2 == 0 else ""
    kept = ",=HYPERLINK" in text or '"=HYPERLINK' in text
    neutral = "'=HYPERLINK" in sheet
    return (code, f"default: {'=HYPERLINK kept (faithful)' if kept else 'changed'}; "
                  f"--for-spreadsheets: exit {code2} {'neutralised' if neutral else first(err2)}", "")


@case
def explorer_csv(root, tmp):
    code = textwrap.dedent("""
        from analysis.apps import explore
        v = explore.compute_view()
        t = v.table.copy(); t.iloc[0, 0] = '=HYPERLINK("http://x.example")'
        object.__setattr__(v, 'table', t) if hasattr(v, '__dataclass_fields__') else None
        v.table = t
        print(v.csv().splitlines()[1][:30])
    """)
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, env={**os.environ,
                          "PYTHONPATH": str(root)}, cwd=root, timeout=120)
    return done.returncode, first(done.stdout or done.stderr), ""


@case
def export_force_dir_clash(root, tmp):
    out = tmp / "out"
    briefings(root, ["export", str(out)])
    (out / "places.csv").unlink()
    (out / "places.csv").mkdir()
    (out / "themes.csv").write_text("edited\n")
    before = tree(tmp)
    code, o, err = briefings(root, ["export", str(out), "--force"])
    return code, first(err or o), diff(before, tree(tmp))


@case
def teach_force_learner(root, tmp):
    course = tmp / "course"
    briefings(root, ["teach", str(course), "--lesson", "1"])
    lesson = next(course.glob("01-*.ipynb"))
    lesson.write_text(lesson.read_text().replace("Your answer here", "my work"))
    before = tree(tmp)
    code, o, err = briefings(root, ["teach", str(course), "--lesson", "1", "--force"])
    kept = any(b"my work" in v for k, v in tree(tmp).items() if isinstance(v, bytes))
    return code, first(err or o), f"{diff(before, tree(tmp))}; learner's work {'kept' if kept else 'LOST'}"


@case
def draft_force_geo(root, tmp):
    out = tmp / "o"
    args = ["draft", str(root / "tests/fixtures/drafting/chapter-2018.txt"), "--out", str(out),
            "--symbol", "A/73/1", "--year", "2018"]
    briefings(root, args)
    (out / "geo" / "mine.txt").write_text("mine")
    code, o, err = briefings(root, args + ["--force"])
    return code, first(err or o), "geo/mine.txt " + ("kept" if (out / "geo" / "mine.txt").exists() else "DELETED")


@case
def teach_package_lessons(root, tmp):
    target = root / "notebooks" / "training"
    before = tree(target)
    code, o, err = briefings(root, ["teach", str(target), "--force"])
    after = tree(target)
    result = diff(before, after)
    if before != after:  # put the package's lessons back
        subprocess.run(["git", "checkout", "--", "notebooks/training"], cwd=root)
    return code, first(err or o), result


@case
def two_drafts_one_folder(root, tmp):
    both = 0
    for trial in range(10):
        out = tmp / f"new{trial}"
        args = ["draft", str(root / "tests/fixtures/drafting/chapter-2018.txt"), "--out", str(out),
                "--symbol", "A/73/1", "--year", "2018"]
        code = textwrap.dedent(f"""
            import sys
            from analysis.cli import main
            sys.exit(main({args!r}))
        """)
        env = {**os.environ, "PYTHONPATH": str(root)}
        procs = [subprocess.Popen([PY, "-c", code], env=env, cwd=root, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(2)]
        both += all(p.wait(timeout=120) == 0 for p in procs)
    return f"both ok in {both}/10", "", ""


def _signal_during(root, tmp, args, sig, delay, pattern):
    code = textwrap.dedent(f"""
        import sys
        from analysis.cli import main
        sys.exit(main({args!r}))
    """)
    scratch = tmp / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(root), "TMPDIR": str(scratch)}
    env.pop("MPLBACKEND", None)
    proc = subprocess.Popen([PY, "-c", code], env=env, cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(sig)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    time.sleep(1)
    left = sorted(str(p.relative_to(tmp)) for p in tmp.rglob(pattern))
    return proc.returncode, (left[:3] or ["no debris"])


@case
def sigterm_draft(root, tmp):
    big = tmp / "big.txt"
    sample = (root / "tests/fixtures/drafting/chapter-2018.txt").read_text()
    big.write_text(sample + sample.split("\n", 1)[1] * 300)
    out = []
    for sig in (signal.SIGTERM, signal.SIGHUP):
        sub = tmp / sig.name
        sub.mkdir()
        code, left = _signal_during(root, sub, ["draft", str(big), "--out", str(sub / "o"), "--symbol",
                                                "A/73/1", "--year", "2018"], sig, 9, ".o*")
        out.append(f"{sig.name}: exit {code}, {left}")
    return "; ".join(out), "", ""


@case
def sigterm_teach(root, tmp):
    code, left = _signal_during(root, tmp, ["teach", str(tmp / "c"), "--instructor", "--lesson", "1"],
                                signal.SIGTERM, 12, "*")
    left = [p for p in left if "psw-" in p or p.endswith(".json") or ".c" in p]
    return f"exit {code}", "", str(left[:4] or "no debris")


@case
def invisible_duplicate(root, tmp):
    import csv
    import io

    data = data_copy(root, tmp)
    path = data / "countries.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    col = rows[0].index("display_name")
    mali = next(i for i, r in enumerate(rows) if r[col] == "Mali")
    rows[mali][col] = "Chad\u200b"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    v = briefings(root, ["validate", "--data", str(data)])
    b = briefings(root, ["build", "--out", str(tmp / "r"), "--only", "country-*", "--no-progress"],
                  env={"PSW_DATA_DIR": str(data)}, timeout=300)
    return f"validate {v[0]}", first(v[1] + v[2], 60), f"build {b[0]}: {first(b[2], 120)}"


@case
def long_name(root, tmp):
    import csv
    import io

    data = data_copy(root, tmp)
    path = data / "countries.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    col = rows[0].index("display_name")
    mali = next(i for i, r in enumerate(rows) if r[col] == "Mali")
    rows[mali][col] = "M" * 306
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    b = briefings(root, ["build", "--out", str(tmp / "r"), "--notebook", "country", "--param",
                         "country=" + "M" * 306, "--no-progress"], env={"PSW_DATA_DIR": str(data)},
                  timeout=300)
    return b[0], f"error of {len(b[2].strip())} characters", first(b[2], 100)


@case
def rlo_activity(root, tmp):
    import csv
    import io

    data = data_copy(root, tmp)
    path = data / "engagements.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    rows[1][rows[0].index("activity")] = "supports \u202emediation"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    v = briefings(root, ["validate", "--data", str(data)])
    return v[0], first(v[2] or v[1]), ""


@case
def param_twice(root, tmp):
    code, o, err = briefings(root, ["build", "--notebook", "region", "--param", "region=Mali",
                                    "--param", "region=Chad", "--out", str(tmp / "r"),
                                    "--no-progress"], timeout=300)
    built = sorted(p.name for p in (tmp / "r").glob("*.html")) if (tmp / "r").exists() else []
    return code, first(err or o), f"built {built}"


@case
def jobs_huge(root, tmp):
    code, o, err = briefings(root, ["build", "--jobs", "100000", "--only", "nothing-matches",
                                    "--out", str(tmp / "r")])
    return code, first(err, 140), ""


@case
def symbol_newline(root, tmp):
    code, o, err = briefings(root, ["draft", str(root / "tests/fixtures/drafting/chapter-2018.txt"),
                                    "--out", str(tmp / "o"), "--symbol", "A/73/1\n", "--year", "2018"])
    return code, first(err or o), "wrote o/" if (tmp / "o").exists() else "nothing written"


@case
def title_control(root, tmp):
    code, o, err = briefings(root, ["draft", str(root / "tests/fixtures/drafting/chapter-2018.txt"),
                                    "--out", str(tmp / "o"), "--symbol", "A/73/1", "--year", "2018",
                                    "--title", "Peace\x07"])
    return code, first(err or o), ""


@case
def out_inside_data(root, tmp):
    data = data_copy(root, tmp)
    code, o, err = briefings(root, ["draft", str(root / "tests/fixtures/drafting/chapter-2018.txt"),
                                    "--out", str(data / "out"), "--symbol", "A/73/1", "--year", "2018",
                                    "--data", str(data)], timeout=300)
    code2, o2, err2 = briefings(root, ["export", str(root / "data" / "out")])
    shutil.rmtree(root / "data" / "out", ignore_errors=True)
    return code, f"{len(err)} bytes: {first(err, 80)}", f"export data/out: {code2} {first(err2, 70)}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    for name, fn in CASES.items():
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory(prefix="adv-") as tmp:
            try:
                result = fn(args.root.resolve(), Path(tmp))
            except Exception as err:  # noqa: BLE001 - a case that breaks is a result too
                result = ("error", repr(err)[:120], "")
        print(f"{name} | " + " | ".join(str(r) for r in result), flush=True)


if __name__ == "__main__":
    main()

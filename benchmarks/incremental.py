"""Edit one row, rebuild only what shows it: the incremental build against a full build.

In one run, on a copy of the data folder (``PSW_DATA_DIR``) and a temporary reports folder:
a full build from empty, then one edit after another (each on top of the last), each followed
by ``briefings build --dry-run`` (what would be rebuilt, and why) and ``briefings build``
(timed). Printed: per edit, the briefings rebuilt of the set and the time against the full
build; and the machine's load (``uptime``), since timings on a shared machine are noisy.
Nothing is asserted (tests/test_incremental.py asserts the exact sets on a small set).

    .venv/bin/python benchmarks/incremental.py [--jobs N] [--pdf] [--only GLOB ...] [--verbose]

The edits are those of issue 23. "One engagement of Mali, modality changed": the engagement's
``activity`` (what it does) is changed, the dataset having no modality field yet.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.cli.build import default_jobs  # light: the command line's own choice

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def edit_table(folder: Path, table: str, change) -> None:
    """Rewrite ``folder/<table>.csv`` with ``change(rows)`` (a list of dicts) applied."""
    path = folder / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def set_value(table: str, key_field: str, key: str, field: str, value: str):
    def change(rows):
        hits = [r for r in rows if r[key_field] == key]
        if len(hits) != 1:
            raise SystemExit(f"{table}: no single row {key_field}={key!r}")
        hits[0][field] = value
        return rows
    return lambda folder: edit_table(folder, table, change)


def new_ghana_event(folder: Path) -> None:
    def event(rows):
        model = next(r for r in rows if r["event_id"] == "ghana-elections")
        return rows + [{**model, "event_id": "ghana-mediation-workshop",
                        "description": "A mediation workshop held in Ghana (benchmark row)"}]

    def place(rows):
        model = next(r for r in rows if r["event_id"] == "ghana-elections")
        return rows + [{**model, "event_id": "ghana-mediation-workshop"}]
    edit_table(folder, "events", event)
    edit_table(folder, "event_places", place)


EDITS = [
    ("one event of Lesotho, description changed",
     set_value("events", "event_id", "lesotho-elections", "description",
               "Elections due in Lesotho in June 2017, prepared with SADC mediation training")),
    ("one engagement of Mali, modality changed (its activity)",
     set_value("engagements", "engagement_id", "minusma-peace-agreement-mediation", "activity",
               "Mediates in support of implementing the peace agreement")),
    ("a new event for Ghana", new_ghana_event),
    ("a theme renamed (elections)",
     set_value("themes", "theme_id", "elections", "name", "Elections and electoral support")),
    ("a public figure's caveat changed (pk-budget-2015-16)",
     set_value("public_figures", "figure_id", "pk-budget-2015-16", "caveat",
               "Approved budgets, not spending.")),
]


def build(out: Path, env: dict, args, *extra: str) -> tuple[float, subprocess.CompletedProcess]:
    cmd = [str(BIN / "briefings"), "build", "--out", str(out), "--no-progress",
           "--jobs", str(args.jobs), *(["--pdf"] if args.pdf else []), *extra]
    for pattern in args.only:
        cmd += ["--only", pattern]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n")
        raise SystemExit(f"briefings build failed ({result.returncode})")
    return elapsed, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=default_jobs("none"),
                        help="for briefings build (default: its own, one per core)")
    parser.add_argument("--pdf", action="store_true", help="build PDFs and the pack too")
    parser.add_argument("--only", action="append", default=[], help="a subset of the default set")
    parser.add_argument("--verbose", action="store_true", help="print each dry run's reasons")
    args = parser.parse_args()
    os.environ.pop("MPLBACKEND", None)
    with tempfile.TemporaryDirectory(prefix="psw-incremental-") as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        shutil.copytree(PROJECT / "data", data)
        env = {**os.environ, "PSW_DATA_DIR": str(data),
               "MPLCONFIGDIR": os.environ.get("MPLCONFIGDIR", str(PROJECT / ".cache" / "matplotlib"))}
        out = tmp / "reports"
        print(f"load before (1, 5, 15 min): {os.getloadavg()}; {os.cpu_count()} cores; "
              f"jobs {args.jobs}{'; with PDFs' if args.pdf else ''}")
        t_full, result = build(out, env, args)
        total = int(result.stdout.split(" built")[0].rsplit(" ", 1)[-1])
        print(f"full build from empty: {total} briefings in {t_full:.1f} s")
        rows = []
        for label, edit in EDITS:
            edit(data)
            _, dry = build(out, env, args, "--dry-run")
            planned = [line for line in dry.stdout.splitlines() if ": " in line
                       and not line.startswith(("dry run", "cannot"))]
            elapsed, result = build(out, env, args)
            built = int(result.stdout.split(" built")[0].rsplit(" ", 1)[-1])
            rows.append((label, built, total, elapsed, planned))
            if args.verbose:
                print(f"\n{label}:\n" + "\n".join(f"  {line}" for line in planned))
        print(f"\n| edit | briefings rebuilt (of {total}) | time vs full build |")
        print("|---|---|---|")
        for label, built, total, elapsed, _ in rows:
            print(f"| {label} | {built} | {elapsed:.1f} s, {elapsed / t_full:.0%} |")
        print("\nrebuilt:")
        for label, _, _, _, planned in rows:
            print(f"  {label}: " + ", ".join(line.split(":")[0] for line in planned))
        print(f"\nload after (1, 5, 15 min): {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

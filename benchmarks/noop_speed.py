"""Time what `briefings build` costs when there is nothing to do, on this machine.

Three commands, each run ``--repeat`` times (median and minimum of wall time, and of CPU time,
which a busy machine inflates less): `briefings --version`; a refused option
(`briefings build --notebook nope`); and a no-op rebuild of a built folder (`briefings build
--out DIR`, every briefing up to date). Goals (issue 21): the no-op rebuild at most 0.5 s, the
refused option at most 1.5 times `--version`. Figures are printed, nothing is asserted.

    .venv/bin/python benchmarks/noop_speed.py [--out reports] [--repeat 7]

DIR must hold a build of the default set (`make briefings` writes reports/).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("reports"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not (args.out / "manifest.json").is_file():
        print(f"{args.out} holds no build: run `make briefings` (or pass --out DIR) first")
        return 2
    briefings = str(BIN / "briefings")
    commands = {
        "briefings --version": [briefings, "--version"],
        "refused: build --notebook nope": [briefings, "build", "--notebook", "nope",
                                           "--out", str(args.out)],
        "no-op rebuild": [briefings, "build", "--out", str(args.out), "--no-progress"],
    }
    for cmd in commands.values():  # warm the file cache and the set cache
        timed(cmd)
    figures = {}
    for name, cmd in commands.items():
        runs = [timed(cmd) for _ in range(args.repeat)]
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        figures[name] = (statistics.median(walls), min(walls), statistics.median(cpus), min(cpus))
        print(f"{name:32} wall median {figures[name][0]:.3f} s (min {figures[name][1]:.3f}), "
              f"CPU median {figures[name][2]:.3f} s (min {figures[name][3]:.3f}), exit {runs[-1][2]}")
    version = figures["briefings --version"]
    refused = figures["refused: build --notebook nope"]
    print(f"refused / --version: wall {refused[0] / version[0]:.2f}x, CPU {refused[2] / version[2]:.2f}x "
          "(goal at most 1.5x)")
    print(f"no-op rebuild: wall {figures['no-op rebuild'][0]:.3f} s (goal at most 0.5 s)")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scale: N briefings with the local pool and with a Dask cluster of the same size, on this machine.

The briefings are the default regional notebook run for the first N countries of the M49 table
(``data/countries.csv``, by ISO3 code): generated parameter sets, as a user building "every
country" would have. For each N:

- local: ``briefings build --jobs J`` (J = twice the cores, the default) into an empty folder;
- dask: a ``dask scheduler`` and J ``dask worker --nthreads 1 --preload analysis.builder.cluster``
  processes started on 127.0.0.1 and warmed up (the time to start them is printed apart, as a
  cluster is started once and used for many builds), then ``briefings build --scheduler``.

Printed: the total time, the time per briefing, the peak memory (resident set, sampled every
0.1 s) of the largest process of each build (builder, pool workers, kernels; scheduler, workers,
briefing processes, kernels), and the ratio of Dask to local. Nothing is asserted.

    .venv/bin/python benchmarks/scale.py [--sizes 25 50 100 200] [--jobs J]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
def countries(n: int) -> list[str]:
    with open(PROJECT / "data" / "countries.csv", encoding="utf-8", newline="") as fh:
        codes = sorted(row["iso3"] for row in csv.DictReader(fh))
    if n > len(codes):
        raise SystemExit(f"only {len(codes)} countries in the M49 table, asked for {n}")
    return codes[:n]


def write_set(path: Path, n: int) -> Path:
    values = ", ".join(json.dumps(code) for code in countries(n))
    path.write_text(f'[[briefing]]\nnotebook = "region"\nfor_each = {{ region = [{values}] }}\n'
                    'id = "region-{region}"\n', encoding="utf-8")
    return path


def build_command(set_path: Path, out: Path, *extra: str) -> list[str]:
    return [str(BIN / "briefings"), "build", "--set", str(set_path), "--out", str(out),
            "--no-progress", *extra]


class PeakMemory:
    """Samples the resident memory of this process's descendants; keeps the largest (MiB).

    Sampled every 0.1 s with psutil (a dependency of distributed): a kernel lives for a
    second or more, so its peak is seen.
    """

    def __init__(self):
        import psutil

        self.me = psutil.Process()
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            for child in self.me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss / 2**20)
                except Exception:  # noqa: BLE001 - it ended meanwhile
                    pass

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False


def timed_build(cmd: list[str], env: dict | None = None) -> dict:
    with PeakMemory() as memory:
        t = time.perf_counter()
        run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=env)
        seconds = time.perf_counter() - t
    return {"rc": run.returncode, "seconds": seconds, "peak_mib": memory.peak,
            "stderr": run.stderr[-2000:]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dask_build(set_path: Path, out: Path, workers: int) -> dict:
    """Start a cluster of ``workers`` and wait until it is warm, build on it, stop it."""
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PSW_SCHEDULER")}
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="psw-scale-dask-"))
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env,
             "start_new_session": True}
    t0 = time.perf_counter()
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--no-dashboard"], **quiet)]
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for i in range(workers):
            procs.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                 "--no-dashboard", "--local-directory", str(folder / f"w{i}"),
                 "--preload", "analysis.builder.cluster"], **quiet))
        import distributed

        from analysis.builder.cluster import briefing_processes_ready

        with distributed.Client(address, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=300)
            while not all(client.run(briefing_processes_ready).values()):
                time.sleep(0.2)
        started = time.perf_counter() - t0
        result = timed_build(build_command(set_path, out, "--scheduler", address), env)
    finally:
        for proc in procs[1:] + procs[:1]:  # workers first, then the scheduler
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
    return {**result, "start_seconds": started}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--jobs", type=int, default=2 * len(os.sched_getaffinity(0)),
                        help="local pool size, and number of Dask workers (default: 2 per core)")
    args = parser.parse_args()
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("MPLCONFIGDIR", str(PROJECT / ".cache" / "matplotlib"))
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f} at the start; local pool --jobs "
          f"{args.jobs}; Dask: {args.jobs} workers x 1 thread")
    print(f"{'N':>4} | {'local s':>8} {'s/brief':>7} {'peak MiB':>8} | {'dask s':>8} "
          f"{'s/brief':>7} {'peak MiB':>8} {'start s':>7} | dask/local")
    rows = []
    with tempfile.TemporaryDirectory(prefix="psw-scale-") as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            set_path = write_set(tmp / f"set-{n}.toml", n)
            local = timed_build(build_command(set_path, tmp / f"local-{n}", "--jobs",
                                              str(args.jobs)))
            dask = dask_build(set_path, tmp / f"dask-{n}", args.jobs)
            same = all((tmp / f"local-{n}" / f"region-{c.lower()}.html").read_bytes()
                       == (tmp / f"dask-{n}" / f"region-{c.lower()}.html").read_bytes()
                       for c in countries(n)) if local["rc"] == dask["rc"] == 0 else False
            rows.append((n, local, dask))
            print(f"{n:>4} | {local['seconds']:8.1f} {local['seconds'] / n:7.2f} "
                  f"{local['peak_mib']:8.0f} | {dask['seconds']:8.1f} {dask['seconds'] / n:7.2f} "
                  f"{dask['peak_mib']:8.0f} {dask['start_seconds']:7.1f} | "
                  f"{dask['seconds'] / local['seconds']:.2f}"
                  + ("" if same else "  (outputs differ or a build failed!)"), flush=True)
            for name, run in (("local", local), ("dask", dask)):
                if run["rc"] != 0:
                    print(f"     {name} build exited {run['rc']}: {run.get('stderr', '')[-500:]}")
            shutil.rmtree(tmp / f"local-{n}", ignore_errors=True)
            shutil.rmtree(tmp / f"dask-{n}", ignore_errors=True)
    base = next(((n, l, d) for n, l, d in rows if n == 50), rows[0])
    for engine in ("local", "dask"):
        per = {n: (l if engine == "local" else d)["seconds"] / n for n, l, d in rows}
        ref = per[base[0]]
        print(f"{engine}: time per briefing relative to N={base[0]}: "
              + ", ".join(f"N={n} {v / ref:.2f}" for n, v in per.items()))
    print(f"load average {os.getloadavg()[0]:.1f} at the end (the machine may be shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

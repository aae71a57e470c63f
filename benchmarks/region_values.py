"""How long a region or partner value takes to be answered (accepted or refused).

Prints one line per value: the time to resolve it (median of 5, after the index is built)
and the answer. Goal (issue #9): every value under half a second.

    .venv/bin/python benchmarks/region_values.py
"""
from __future__ import annotations

import statistics
import time

import analysis
from analysis.briefings import params
from analysis.model.regions import RegionError, resolve_region

REGION_VALUES = ["Mali", "not Mali", "", "   ", "Republic of Mali", "Ivory Coast", "cote d'ivoire",
                 "Wester Africa", "x" * 101, "Mali " * 20_000, "é" * 100_000, "[c](javascript:1)"]
PARTNER_VALUES = ["AU", "african union", "not AU", "", "x" * 100_000]


def _time(call) -> tuple[float, str]:
    times, answer = [], ""
    for _ in range(5):
        start = time.perf_counter()
        try:
            answer = f"ok: {call()}"
        except (RegionError, ValueError) as err:
            answer = f"refused: {str(err).splitlines()[0][:70]}"
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


def main() -> None:
    analysis.load()
    resolve_region("World")  # the index, built once per dataset
    worst = 0.0
    for value in REGION_VALUES:
        seconds, answer = _time(lambda: resolve_region(value).label)
        worst = max(worst, seconds)
        print(f"region  {len(value):>7} chars  {seconds * 1000:8.2f} ms  {answer}")
    for value in PARTNER_VALUES:
        seconds, answer = _time(lambda: params.normalise_partner(value))
        worst = max(worst, seconds)
        print(f"partner {len(value):>7} chars  {seconds * 1000:8.2f} ms  {answer}")
    print(f"slowest answer: {worst * 1000:.1f} ms (goal: under 500 ms)")


if __name__ == "__main__":
    main()

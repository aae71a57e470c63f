"""Is `briefings draft` linear in its text? Time the drafter on 1, 2 and 5 MB chapters.

The texts repeat the chapter of the seed (../shared/seed/, the 2017 chapter; where it is absent,
the sample chapter tests/fixtures/drafting/chapter-2018.txt) until they reach the size, so every megabyte holds the same mix of headings, paragraphs, names, dates and
numbers; a last case is about 5 MB of one-word paragraphs (the shape that once used 948 MB). The
5 MB case stays inside the chapter limit (analysis.data.files.LIMITS). Each case runs the whole
`draft_chapter` (layout, entities, dates, numbers, engagements) in this process, nothing
written; printed: size, paragraphs, seconds, seconds per MB, and the peak memory of this
process. Linear means the seconds per MB stay about flat. Nothing is asserted.

    .venv/bin/python benchmarks/drafting_scale.py [--sizes 1 2 5] [--repeat 1]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
SEED = sorted((PROJECT.parent / "shared" / "seed").glob("*.txt"))
SAMPLE = SEED[0] if SEED else PROJECT / "tests" / "fixtures" / "drafting" / "chapter-2018.txt"
MB = 1_000_000


def chapter_of(size: int) -> str:
    """The sample chapter, its body repeated until the text is just under ``size`` bytes."""
    text = SAMPLE.read_text(encoding="utf-8")
    title, body = text.split("\n", 1)
    parts, total = [text], len(text.encode("utf-8"))
    step = len(body.encode("utf-8"))
    while total + step < size:
        parts.append(body)
        total += step
    return "".join(parts)


def one_word_paragraphs(size: int) -> str:
    title = SAMPLE.read_text(encoding="utf-8").split("\n", 1)[0]
    head = f"{title}\n\nPeace operations\n\n"
    count = (size - len(head) - 100) // len("Word.\n\n")
    return head + "Word.\n\n" * count


def main() -> None:
    from analysis.drafting.draft import draft_chapter
    from analysis.data.layout import read_chapter
    from analysis.data.paths import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 5], help="sizes in MB")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (the best is shown)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {len(os.sched_getaffinity(0))} cores")
    print(f"{'text':<28}{'MB':>6}{'paragraphs':>12}{'seconds':>10}{'s/MB':>8}{'peak MB':>9}")
    print(f"text repeated: {SAMPLE.name}")
    cases = [(f"chapter x {s:g} MB", chapter_of(int(s * MB) - 1)) for s in args.sizes]
    cases.append(("one-word paragraphs", one_word_paragraphs(5 * MB - 1)))
    for label, text in cases:
        size = len(text.encode("utf-8")) / MB
        paragraphs = len(read_chapter(text).paragraphs)
        best = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            draft_chapter(text, symbol="A/73/1", year=2018, title=None, context=data_dir())
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{label:<28}{size:>6.2f}{paragraphs:>12}{best:>10.1f}{best / size:>8.1f}{peak:>9.0f}",
              flush=True)


if __name__ == "__main__":
    main()

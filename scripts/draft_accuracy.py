"""Draft the seed chapter and compare the draft with the curated tables of data/.

    .venv/bin/python scripts/draft_accuracy.py            # the table of precision and recall
    .venv/bin/python scripts/draft_accuracy.py --details  # also what was missed and what is extra

Nothing is written. The chapter's text is read from ../shared/seed/ (PSW_SEED_DIR overrides).
Exit 1 when a goal of issue #13 is not met, 2 when the seed text is absent.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.data import seed  # noqa: E402
from analysis.drafting.accuracy import compare, compare_with_expected, format_scores, read_folder  # noqa: E402
from analysis.data.document import chapter_document  # noqa: E402
from analysis.drafting.draft import draft_chapter  # noqa: E402
from analysis.data.paths import data_dir  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list what was missed and what is extra")
    args = parser.parse_args(argv)
    if not seed.seed_available():
        print(f"the seed chapter is not at {seed.seed_path()}", file=sys.stderr)
        return 2
    text = seed.seed_path().read_text(encoding="utf-8")
    doc = chapter_document(data_dir())
    draft = draft_chapter(text, symbol=doc.symbol, year=doc.year, context=data_dir())
    scores = compare(draft.tables, read_folder(data_dir()))
    print(f"Draft of {doc.long_label} against the curated tables in data/")
    for line in format_scores(scores):
        print(line)
    print("excluded: curated rows holding an inference no drafter can make from the text "
          "(figures the chapter does not print; events whose date it does not print)")
    if args.details:
        for s in scores:
            print(f"\n{s.what}\n  missed: {s.missed}\n  extra:  {s.extra}")
    ok = all(s.meets_goal() for s in scores)
    fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "drafting"
    for name, symbol, year in (("chapter-2018", "A/73/1", 2018), ("chapter-2019", "A/74/1", 2019)):
        expected = json.loads((fixtures / f"{name}-expected.json").read_text(encoding="utf-8"))
        draft = draft_chapter((fixtures / f"{name}.txt").read_text(encoding="utf-8"), symbol=symbol, year=year,
                              context=data_dir())
        print(f"\nDraft of the hand-written {name}.txt against its hand-written expected rows")
        for line in format_scores(compare_with_expected(draft.tables, expected)):
            print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

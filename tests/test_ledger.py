"""The reviewed sentence ledger (issue 18): every sentence a page prints was read against the chapter.

``tests/ledger/sentences.tsv`` holds one sentence a line, sorted, with its verdict and locator
(:mod:`analysis.prose.ledger`). The build test fails on any printed sentence the ledger lacks,
naming it and its page: a changed template or new data forces a reread before the sentence ships.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.prose import ledger

LEDGER = Path(__file__).parent / "ledger" / "sentences.tsv"
FIXTURE = Path(__file__).parent / "fixtures" / "ledger" / "page.html"
#: The explorer's key points the ledger covers: the World and three selections.
EXPLORER_CHOICES = (("World", "all", "all"), ("Western Africa", "all", "all"),
                    ("World", "elections", "all"), ("World", "all", "european-union"))


def explorer_pages() -> dict[str, str]:
    """The explorer's key points for each choice, as the HTML the dashboard shows."""
    import mistune

    from analysis.apps.explore import compute_view

    pages = {}
    for region, theme, partner in EXPLORER_CHOICES:
        view = compute_view(region, theme, partner, draw=False)
        pages[f"explorer[{region}|{theme}|{partner}]"] = mistune.html(view.points_markdown())
    return pages


def printed(folder: Path) -> dict[str, set[str]]:
    found = ledger.page_sentences(folder)
    for name, html in explorer_pages().items():
        for _, sentence in ledger.sentences(html):
            found.setdefault(sentence, set()).add(name)
    return found


def test_the_extractor_reads_text_alt_and_title_but_not_cells_or_stamps():
    found = ledger.sentences(FIXTURE.read_text(encoding="utf-8"))
    texts = [s for _, s in found]
    # an index teaser and an alt text are caught
    assert ("text", "For the Caribbean, the chapter's dataset holds 2 UN peace operations. "
                    "(A/72/1 II.B ¶¶ caption/1, sustaining/5)") in found
    assert ("alt", "Map: UN peace operations present in Haiti. 2 UN peace operations: MINUSTAH in "
                   "Haiti, MINUJUSTH in Haiti.") in found
    assert ("title", "Central African Republic") in found
    assert "First sentence of two." in texts and "Second one (inferred: note \u2026)" in texts
    assert not any("cell is data" in t or "inputs 0123" in t or "Not a sentence" in t for t in texts)


def test_the_ledger_is_sorted_one_sentence_a_line_with_known_verdicts():
    lines = LEDGER.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ledger.HEADER
    body = lines[1:]
    sentences = [line.split("\t")[0] for line in body]
    assert sentences == sorted(sentences), "the ledger is sorted by sentence"
    assert len(set(sentences)) == len(sentences), "one line per sentence"
    entries = ledger.read(LEDGER)
    bad = [f"{e.verdict!r}: {e.sentence}" for e in entries.values() if e.verdict not in ledger.VERDICTS]
    assert not bad, "\n".join(bad)


def test_every_entry_rests_on_a_locator_that_exists(seed_paragraphs, dataset):
    """Each locator exists (a paragraph of the seed, a context source, 'page' or '-' as its
    verdict allows); a stated or implied entry cites its paragraphs; its evidence phrase, and
    every phrase the sentence quotes, occur in one of those paragraphs."""
    from analysis.data import seed

    sources = set(dataset.sources["source_id"])
    problems = []
    for entry in ledger.read(LEDGER).values():
        where = f"{entry.sentence[:90]!r}"
        if entry.verdict in ("stated", "implied, marked"):
            if not entry.paragraphs:
                problems.append(f"{where}: a {entry.verdict} entry names its paragraphs")
            missing = [p for p in entry.paragraphs if p not in seed_paragraphs]
            if missing:
                problems.append(f"{where}: no paragraph {missing}")
            in_notes = re.search(r"\(¶ [\w/-]+\): ", entry.sentence)  # an entry of the Inferences list
            if entry.verdict == "implied, marked" and "inferred" not in entry.sentence and not in_notes:
                problems.append(f"{where}: implied but not marked")
            texts = [seed.normalize(seed_paragraphs[p].text) for p in entry.paragraphs
                     if p in seed_paragraphs]
            for phrase in ([entry.evidence] if entry.evidence else []) + ledger.quoted_phrases(entry.sentence):
                if not any(seed.normalize(phrase) in t for t in texts):
                    problems.append(f"{where}: {phrase!r} not in {entry.locator}")
        elif entry.verdict == "context":
            ids = entry.locator.removeprefix("context:").split(",")
            if not entry.locator.startswith("context:") or not set(ids) <= sources:
                problems.append(f"{where}: context names its source (context:<source_id>)")
        elif entry.locator not in ("page", "-"):
            problems.append(f"{where}: a {entry.verdict} entry has locator 'page' or '-'")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_printed_sentence_is_in_the_ledger(ledger_build):
    """Every sentence of the default build, the World briefing, two countries by ISO code and the
    explorer's key points is in the ledger; a missing one is named with its pages."""
    entries = ledger.read(LEDGER)
    missing = {s: pages for s, pages in printed(ledger_build).items() if s not in entries}
    report = [f"{s}\n    on {', '.join(sorted(p)[:4])}{' …' if len(p) > 4 else ''}"
              for s, p in sorted(missing.items())]
    assert not missing, (f"{len(missing)} printed sentences are not in {LEDGER.name}: read each "
                         f"against the chapter before adding it\n" + "\n".join(report[:60]))


@pytest.mark.slow
def test_every_ledger_entry_is_still_printed(ledger_build):
    """No stale entry: each sentence of the ledger is printed by the suite's build (the default
    set with its PDFs and pack, the ledger's extra briefings and the explorer's choices), so a
    reworded sentence replaces its old entry instead of standing beside it."""
    found = printed(ledger_build)
    stale = sorted(s for s in ledger.read(LEDGER) if s not in found)
    assert not stale, (f"{len(stale)} ledger entries are printed by no page: remove them\n"
                       + "\n".join(stale[:60]))

def test_the_explorers_lead_reads_as_a_sentence_for_a_single_point():
    """A8: "World, by European Union: 7 engagements recorded in the chapter; the 1 the chapter
    says most about, one per actor:" was garbled; a lead never says "the 1", nor "one per actor"
    of a single point."""
    found = []
    for name, html in explorer_pages().items():
        for _, sentence in ledger.sentences(html):
            if re.search(r"\bthe 1 \w|\b1 the chapter says", sentence):
                found.append(f"{name}: {sentence}")
    assert not found, "\n".join(found)
    lead = next(s for _, s in ledger.sentences(explorer_pages()["explorer[World|all|european-union]"])
                if "recorded in the chapter" in s)
    assert "the one the chapter says most about" in lead, lead

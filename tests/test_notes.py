"""Two-page notes: the full briefing's own parts, salience, inferred marks, length, no ids or hashes.

The notes are made here from opened briefings (no kernel); their PDFs with WeasyPrint. A note
prints its briefing's key points, the page's own tables (for the sections its kind declares),
the page's inference notes and sources: never a sentence the full briefing does not print
(issue 18, review N1-N7: "N of M ...; all in the full briefing" over sections the page lacks,
"partner engagements" counting non-partners, "based here" for envoys).
"""
from __future__ import annotations

import re

import pytest

from analysis.prose import ledger

#: One xdist worker runs them all, so that the session's notes (``notes``) are made once.
pytestmark = pytest.mark.xdist_group("notes")

#: Briefings of every kind, with the long ones (the world, a theme over the world).
NOTES = [("country", {"country": "Mali"}, "country-mali"),
         ("country", {"country": "Gambia"}, "country-gambia"),
         ("country", {"country": "Syrian Arab Republic"}, "country-syrian-arab-republic"),
         ("region", {"region": "Western Africa"}, "region-western-africa"),
         ("region", {"region": "World", "include_context": True}, "region-world"),
         ("partnerships", {}, "partnerships"),
         ("gender", {}, "gender"),
         ("funding", {}, "funding")]

#: Internal ids: "operations.MINUSMA", "table:record" keys, an engagement id.
_ID = re.compile(r"\b(?:operations|offices|engagements|events|figures|partners|places|themes|"
                 r"initiatives|operation_status|reporting_period)[.:][A-Za-z_][A-Za-z0-9_-]*")
_HASH = re.compile(r"\b[0-9a-f]{12,}\b")


@pytest.fixture(scope="session")
def notes():
    """{id: (outputs, note, the briefing opened afresh, as its page shows it)}."""
    from analysis.builder.notes import build_note

    made = {}
    for notebook, params, bid in NOTES:
        outputs = build_note(notebook, params, bid, pdf=True, docx=True)
        made[bid] = (outputs, outputs.note, (notebook, params))
    return made


def _page(notebook, params):
    """A briefing opened afresh, its header and sections called in the page's order (so that
    its inference notes are numbered as on the page)."""
    from analysis.briefings import open_briefing

    brief = open_briefing(notebook, **params)
    shown = {}
    for section in brief.kind.sections:
        shown[section] = getattr(brief, section)()
    return brief, shown


def test_salience_ranks_points_by_the_paragraphs_speaking_of_them_then_rows_then_order():
    import pandas as pd

    from analysis.model.salience import rank, rank_items

    class Tiny:  # the tables the rule reads
        mentions = pd.DataFrame({"paragraph": ["a/1", "b/1", "c/1", "c/1", "b/1"],
                                 "entity_table": ["operations", "operations", "partners",
                                                  "operations", "partners"],
                                 "entity_id": ["X", "X", "P", "Y", "P"]})
        paragraphs = pd.DataFrame({"paragraph_id": ["a/1", "b/1", "c/1"], "position": [1, 2, 3]})

    items = {  # own paragraphs, entities, rows -> paragraphs that speak of it
        "x": (["c/1"], [("operations", "X")], 1),      # a/1, b/1, c/1: 3
        "p-two-rows": (["a/1"], [("partners", "P")], 2),  # a/1, b/1, c/1: 3, 2 rows
        "y": (["c/1"], [("operations", "Y")], 1),      # c/1: 1, third in reading order
        "early": (["a/1"], [], 1),                     # a/1: 1, first in reading order
        "both": (["a/1, b/1"], [], 1),                 # a/1, b/1: 2
        "none": ([], [], 1)}
    ranked = rank_items(list(items), ds=Tiny(), paragraphs=lambda k: items[k][0],
                        entities=lambda k: items[k][1], rows=lambda k: items[k][2])
    assert ranked == ["p-two-rows", "x", "both", "early", "y", "none"]
    assert rank_items(list(items), ds=Tiny(), paragraphs=lambda k: items[k][0],
                      limit=2) == ["both", "p-two-rows"]  # ties: reading order, then given
    # one rule: rows of a table rank as rank() ranks them
    frame = pd.DataFrame({"operation_id": ["Y", "X"], "paragraph": ["c/1", "c/1"]})
    by_rows = list(rank(frame, ds=Tiny())["operation_id"])
    by_items = rank_items(["Y", "X"], ds=Tiny(), paragraphs=lambda k: ["c/1"],
                          entities=lambda k: [("operations", k)])
    assert by_rows == by_items == ["X", "Y"]


def test_every_note_pdf_has_at_most_two_pages_and_body_text_of_9_points(notes):
    from analysis.builder.notes import NOTE_CSS, pdf_pages

    for bid, (outputs, _, _) in notes.items():
        assert pdf_pages(outputs.pdf) <= 2, bid
    sizes = [float(s) for s in re.findall(r"html \{ font: ([\d.]+)pt", NOTE_CSS)]
    sizes += [float(s) for s in re.findall(r"table\.report-table \{[^}]*font-size: ([\d.]+)pt", NOTE_CSS)]
    assert sizes and min(sizes) >= 9


def test_every_note_pdf_prints_its_page_number_on_one_line_beside_the_stamp(notes):
    """The footer's "Page n of m" is not wrapped by the stamp beside it (it was: "Page 1 of"
    above "1"), nor run into it."""
    import io

    from pypdf import PdfReader

    for bid, (outputs, _, _) in notes.items():
        pages = PdfReader(io.BytesIO(outputs.pdf)).pages
        for number, page in enumerate(pages, 1):
            text = page.extract_text()
            assert f"Page {number} of {len(pages)}" in text, (bid, number, text[-200:])
            assert not re.search(r"\SPage \d", text), (bid, number, text[-200:])


def test_key_points_three_to_five_the_first_never_a_dataset_count(notes):
    from analysis.briefings.note import is_dataset_count

    for bid, (outputs, note, _) in notes.items():
        assert 3 <= len(note.key_points) <= 5, (bid, note.key_points)
        first = note.key_points[0]
        # a count opens a note only when it is the briefing's headline (the partnerships
        # briefing's partners working with the UN, issue 18 item 17), never a dataset count
        headline = re.match(r"\d+ partners? the chapter says works? with the UN", first)
        assert (headline or not re.match(r"\d", first)) and "dataset" not in first.lower(), (bid, first)
        assert not any(is_dataset_count(type("P", (), {"text": t})) for t in note.key_points)
        html = outputs.html.decode()
        assert html.count("<li>") >= len(note.key_points)


def test_a_note_prints_only_sentences_its_full_briefing_prints(notes):
    """Every sentence of a note but its own frame (kicker, intro, the cut line, the stamp) is a
    sentence of its full briefing: its key points, captions, inference notes and sources."""
    from analysis.briefings.note import CUT, INFERENCES_INTRO, INTRO
    from analysis.builder.notes import note_html
    from analysis.data.locators import paragraph_reference

    frame = {*INTRO, CUT, INFERENCES_INTRO}
    for bid, (outputs, note, (notebook, params)) in notes.items():
        # the note's own numbered source lines (what its superscripts lead to): each the
        # reference of a paragraph its full briefing cites (their form is tested below)
        frame |= {f"{paragraph_reference(line.locator)}." for line in note.source_lines
                  if not line.is_context}
        brief, shown = _page(notebook, params)
        page = [brief.header().body] + [getattr(v, "markdown", "") or getattr(v, "data", "")
                                        for v in shown.values() if v is not None]
        page += [v.caption for v in shown.values() if hasattr(v, "caption")]
        page_text = ledger.normalise(" ".join(str(p) for p in page).replace("\\", ""))
        printed = ledger.sentences(outputs.html.decode())
        for where, sentence in printed:
            if sentence in frame or sentence.startswith(("Note for a meeting", "Dataset ")):
                continue
            if sentence in ("Key points", "Inferences", "Sources", brief.title):
                continue
            plain = ledger.normalise(sentence)
            assert plain in page_text or _in_markdown(plain, page_text), (bid, sentence)
        assert note_html(note).count("<table") == len(note.tables)


def _in_markdown(sentence: str, page: str) -> bool:
    """Whether ``sentence`` is in the page's Markdown once both are read without Markdown's
    escapes and emphasis."""
    import html

    def bare(value: str) -> str:
        value = html.unescape(value)
        return re.sub(r"[*_\\]", "", value)

    return bare(sentence) in bare(page)


def test_a_note_shows_only_the_tables_its_kind_declares_with_the_pages_rows(notes):
    """A theme's note shows what its page shows (the gender note: no operations, no partners);
    each table is the page's: its caption, its categories and rows; a cut table says so."""
    import html

    from analysis.briefings.note import CUT, NOTE_TABLES

    cut_found = 0
    for bid, (outputs, note, (notebook, params)) in notes.items():
        brief, shown = _page(notebook, params)
        for table in note.tables:
            assert table.section in brief.kind.sections, (bid, table.section)
            full = shown[table.section]
            assert table.table.caption == full.caption, (bid, table.section)
            assert table.total == len(full.frame), (bid, table.section)
            columns = [c for c in table.table.frame.columns if c != "inferred"]
            assert set(columns) <= set(NOTE_TABLES[table.section])
            rows = {tuple(str(v) for v in r) for r in full.frame[columns].itertuples(index=False)}
            for r in table.rows[columns].itertuples(index=False):
                assert tuple(str(v) for v in r) in rows, (bid, table.section, r)
            if table.total > len(table.rows):
                cut_found += 1
                assert table.is_cut and note.cut == CUT and CUT in html.unescape(outputs.html.decode())
                assert html.unescape(outputs.html.decode()).count(CUT) == 1  # said once
            else:
                assert not table.is_cut and len(table.rows) == table.total
        if notebook in ("gender", "funding", "partnerships"):
            assert not {t.section for t in note.tables} & {"operations", "offices"}, bid
        page = outputs.html.decode()
        for wrong in ("all in the full briefing", "partner engagements", "based here",
                      "Secretary-General: Secretary-General", "its area covers this"):
            assert wrong not in page, (bid, wrong)
    assert cut_found  # the world and the themes cut some table


def test_no_hash_and_no_internal_id_in_any_format(notes):
    import io

    import docx
    import pypdf

    for bid, (outputs, _, _) in notes.items():
        html = outputs.html.decode()
        pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(outputs.pdf)).pages)
        document = docx.Document(io.BytesIO(outputs.docx))
        word = "\n".join(p.text for p in document.paragraphs)
        word += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
        for text in (html.split("</style>", 1)[1], pdf_text, word):
            assert not _HASH.search(text), (bid, _HASH.search(text))
            assert not _ID.search(text), (bid, _ID.search(text))
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (bid, re.search(r"\b[a-z]+_[a-z_]+\b", text))
            assert "inputs " not in text and "UNMISS-RPF" not in text
        assert "Dataset " in pdf_text  # the stamp
        # Word shows text, not the character references of the page's markup
        assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", word), (bid, re.search(r"&\S+;", word))


#: A superscript of a note's page: its class ("cite", "mark"), its page form, its links.
_SUP = re.compile(r'<span class="(cite|mark)" data-ledger="([^"]*)"><sup[^>]*>(.*?)</sup></span>')


def _sups(fragment: str) -> list[str]:
    """The superscripts of an HTML fragment as a reader sees them ("1,3", "†2,4")."""
    import html

    return [html.unescape(re.sub(r"<[^>]+>", "", m.group(3))) for m in _SUP.finditer(fragment)]


def test_every_citation_number_resolves_to_a_paragraph(notes, seed_paragraphs, dataset):
    """Each superscript number of a note leads to its numbered source line; a chapter line names
    a paragraph of the seed, as "A/72/1, chapter II.B, ‘<section title>’, paragraph <n>" with the
    title the chapter's text gives that section, and the superscript stands for the page's own
    citation (the paragraphs its ``data-ledger`` cites are those of its numbers)."""
    import html as html_module

    from analysis.data import seed
    from analysis.data.locators import LOCATOR

    chapter = seed.normalize(seed.seed_path().read_text(encoding="utf-8"))
    titles = dict(zip(dataset.sections["section_id"], dataset.sections["title"]))
    context = set(dataset.sources["source_id"])
    for bid, (outputs, note, _) in notes.items():
        page = outputs.html.decode()
        lines = {line.number: line for line in note.source_lines}
        assert sorted(lines) == list(range(1, len(lines) + 1)), bid
        for number, line in lines.items():
            item = re.search(rf'<li id="source-{number}" value="{number}">(.*?)</li>', page)
            assert item, (bid, number)
            shown = html_module.unescape(re.sub(r"<[^>]+>", "", item.group(1)))
            if line.is_context:
                assert line.locator.removeprefix("context:") in context and shown.startswith("Context: ")
                continue
            assert line.locator in seed_paragraphs, (bid, line)
            section, _, paragraph = line.locator.partition("/")
            title = titles[section]
            if section == "caption":  # the text before the first heading has no heading
                assert shown == f"A/72/1, chapter II.B, before the first heading (photo caption), paragraph {paragraph}."
                continue
            assert shown == f"A/72/1, chapter II.B, \u2018{title}\u2019, paragraph {paragraph}.", shown
            assert seed.normalize(title) in chapter, title  # a heading of the chapter's text
        used = set()
        for kind, cited, links in _SUP.findall(page):
            numbers = [int(n) for n in re.findall(r'href="#source-(\d+)"', links)]
            if kind != "cite":
                continue
            assert numbers and set(numbers) <= set(lines), (bid, cited, numbers)
            used |= set(numbers)
            # the page's citation, resolved: the paragraphs of its numbers (a point resting on
            # a context source as well has that source's number too)
            cited = html_module.unescape(cited)
            assert set(LOCATOR.findall(cited)) == {lines[n].locator for n in numbers
                                                   if not lines[n].is_context}, (bid, cited)
        assert used == set(lines), (bid, "every source line is cited")
        inline = re.search(r"\(A/72/1 II\.B ¶¶? [a-z][a-z0-9-]*/\d", re.sub(r'data-ledger="[^"]*"', "", page))
        assert not inline, (bid, "no citation inline")


def test_each_inferred_point_carries_its_mark_and_footnote_in_words(notes):
    """Each inferred point and row carries "†" and the numbers of its notes; each number leads to
    a note saying in words what is inferred; every note is used; no inline "(inferred: …)"."""
    from analysis.briefings.note import MARK

    for bid, (outputs, note, _) in notes.items():
        page = outputs.html.decode()
        numbers = [n for n, _ in note.notes]
        assert numbers == list(range(1, len(note.inferences) + 1)) == [n for n, _ in note.inferences], bid
        used = set()
        for point in note.points:
            assert bool(point.inferred) == bool(point.marker), (bid, point)
            used |= set(point.inferred)
        for point, li in zip(note.points, re.findall(r"<li>(.*?)</li>", page)):
            marks = [m for m in _sups(li) if m.startswith(MARK)]
            assert marks == ([MARK + ",".join(map(str, point.inferred))] if point.inferred else []), bid
        for table in note.tables:
            if "inferred" in table.table.frame:
                for mark in table.table.frame["inferred"]:
                    mark = str(mark)
                    if mark and mark != "\u2026":
                        assert re.fullmatch(rf"{MARK}\d+(,\d+)*", mark), (bid, mark)
                        used |= {int(n) for n in re.findall(r"\d+", mark)}
        assert used == set(numbers), bid
        for number, marked in note.notes:
            sentence = marked.plain
            assert len(sentence.split()) >= 4 and "(inferred:" not in sentence
            assert (number, sentence) in note.inferences  # the page's own words
            assert f'<li id="inferred-{number}"><span class="label" data-ledger="">{MARK}{number}</span>' in page
            assert not _ID.search(sentence), (bid, sentence)
        for href in re.findall(r'href="#inferred-(\d+)"', page):
            assert int(href) in numbers, (bid, href)
        assert "(inferred:" not in re.sub(r'data-ledger="[^"]*"', "", page), bid  # no inline marker


def test_word_has_the_same_citations_and_inferred_marks_as_the_page(notes):
    """Read back with python-docx, a note's key points and inference notes carry the same
    superscripts (real superscript runs) as its page, its source lines the same numbers and
    text, its tables the same inferred marks."""
    import html as html_module
    import io

    import docx

    for bid, (outputs, note, _) in notes.items():
        page = outputs.html.decode()
        document = docx.Document(io.BytesIO(outputs.docx))
        word = [[r.text for r in p.runs if r.font.superscript] for p in document.paragraphs]
        word = [w for w in word if w]
        key_points = re.search(r'<section class="key-points">(.*?)</section>', page, re.S)
        inferred = re.search(r'<section class="notes">(.*?)</section>', page, re.S)
        on_page = [_sups(li) for section in (key_points, inferred) if section
                   for li in re.findall(r"<li[^>]*>(.*?)</li>", section.group(1))]
        assert word == [s for s in on_page if s], bid
        texts = [p.text for p in document.paragraphs]
        for line in note.source_lines:
            shown = html_module.unescape(re.sub(r"<[^>]+>", "", re.search(
                rf'<li id="source-{line.number}"[^>]*>(.*?)</li>', page).group(1)))
            assert f"{line.number}.\t{shown}" in texts, (bid, line)
        for n, marked in note.notes:
            assert any(t.startswith(f"\u2020{n}\t{marked.text}") for t in texts), (bid, n)
        assert len(document.tables) == len(note.tables), bid
        for table, in_word in zip(note.tables, document.tables):
            if "inferred" in table.table.frame:
                k = list(table.table.frame.columns).index("inferred")
                marks = [str(v) for v in table.table.frame["inferred"]]
                assert [row.cells[k].text for row in in_word.rows[1:]] == marks, (bid, table.section)
                assert marks == [html_module.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(
                    r"<td[^>]*>(.*?)</td>", table.table._repr_html_())[k::len(table.table.frame.columns)]]


def test_the_note_links_its_full_briefing_and_names_the_chapter(notes):
    for bid, (outputs, note, _) in notes.items():
        assert note.full == f"{bid}.html"
        assert f'<h1><a href="{bid}.html">' in outputs.html.decode()
        assert "Chapter:" in note.sources and "A/72/1" in note.sources


def test_context_on_a_note_names_its_source(notes):
    """A context fact on a note names its source (review N4: MINUSTAH's closure)."""
    for bid, (outputs, note, _) in notes.items():
        for _, sentence in note.inferences:
            if "Context" in sentence or "decided in April 2017" in sentence:
                assert "resolution" in sentence, (bid, sentence)
        for table in note.tables:
            if table.section == "context_figures":
                assert "Context:" in note.sources, bid


def test_a_set_file_id_ending_in_note_is_refused(tmp_path):
    from analysis.builder.briefing_set import load_briefing_set
    from analysis.errors import ParameterError

    path = tmp_path / "set.toml"
    path.write_text('[[briefing]]\nnotebook = "country"\nid = "mali-note"\n'
                    'parameters = { country = "Mali" }\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="-note"):
        load_briefing_set(path)


def test_a_notes_shorter_steps_are_made_for_a_pdf_alone_and_each_as_if_made_on_its_own():
    """Without a PDF nothing counts the note's pages, so the builder keeps its fitted step
    alone; with one, every shorter step follows, each the note :func:`make_note` makes at that
    step on its own (the rankings the steps share change nothing)."""
    from analysis.briefings import open_briefing
    from analysis.briefings.note import SHORTER, make_note, note_steps
    from analysis.builder.execute import _after_cells
    from analysis.builder.notes import note_html
    from analysis.builder.tasks import Task

    brief = open_briefing("region", region="Western Africa")
    steps = note_steps(brief, "region-western-africa")
    first = steps[0][0]
    assert [step for step, _ in steps] == list(range(first, len(SHORTER))) and len(steps) > 2
    for step, note in steps:
        limit, keys = SHORTER[step]
        alone = make_note(brief, "region-western-africa", limit=limit, key_points=keys)
        assert note_html(note, period="p") == note_html(alone, period="p"), step
    (step, note), = note_steps(brief, "region-western-africa", shorter=False)
    assert step == first and note_html(note, period="p") == note_html(steps[0][1], period="p")
    for pdf in (False, True):
        task = Task(id="r", notebook="region", path="r.ipynb", rel_path="r.ipynb",
                    parameters={}, pdf=pdf)
        assert _after_cells(task, "steps.pickle").endswith(f"shorter={pdf})")


@pytest.mark.slow
def test_a_note_is_made_from_the_briefing_its_kernel_ran(monkeypatch):
    """The kernel saves the note's steps after the last cell (issue 22: the page's key points
    and tables are not computed twice); the worker's own way (reopening the briefing) is not
    used, and the kernel's code raised nothing."""
    from pathlib import Path

    from analysis.builder import execute, notes
    from analysis.builder.tasks import Task

    def reopened(*args, **kwargs):
        raise AssertionError("the note reopened its briefing")

    monkeypatch.setattr(notes, "build_note", reopened)
    path = Path(__file__).resolve().parents[1] / "notebooks" / "briefings" / "country.ipynb"
    task = Task(id="country-lesotho", notebook="country", path=str(path),
                rel_path="notebooks/briefings/country.ipynb", parameters={"country": "Lesotho"})
    result = execute.run_briefing(task)
    assert result.ok and result.extra_failure is None, result.failure or result.extra_failure
    assert execute._worker["run"].get("after_error") is None
    assert b"Lesotho" in result.note_html


def test_the_ledger_reads_a_notes_superscripts_as_the_pages_citations():
    """The extractor reads a marker as its ``data-ledger`` (the page's own citation and inferred
    marker), an empty one as nothing: a note's sentence is its full briefing's."""
    page = ('<ol><li>MINUSMA is at work.<span class="cite" data-ledger="(A/72/1 II.B ¶ crisis/3)">'
            '<sup><a href="#source-3">3</a></sup></span><span class="mark" '
            'data-ledger="(inferred: notes 2, 4)"><sup class="inferred">\u2020<a href="#i">2</a>,'
            '<a href="#i">4</a></sup></span></li>'
            '<li id="inferred-2"><span class="label" data-ledger="">\u20202</span> MINUSMA as meant'
            '<span class="cite" data-ledger="(¶ crisis/3)"><sup>3<br/></sup></span>: a reason.</li></ol>')
    assert [s for _, s in ledger.sentences(page)] == [
        "MINUSMA is at work. (A/72/1 II.B ¶ crisis/3) (inferred: note \u2026)",
        "MINUSMA as meant (¶ crisis/3): a reason."]

"""Two-page notes: salience, key points, citations, inferred marks, length, no ids or hashes.

The notes are made here from opened briefings (no kernel); their PDFs with WeasyPrint."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

#: Briefings of every kind, with the long ones (the world, a theme over the world).
NOTES = [("country", {"country": "Mali"}, "country-mali"),
         ("country", {"country": "Gambia"}, "country-gambia"),
         ("region", {"region": "Western Africa"}, "region-western-africa"),
         ("region", {"region": "World", "include_context": True}, "region-world"),
         ("partnerships", {}, "partnerships"),
         ("gender", {}, "gender"),
         ("funding", {}, "funding")]

#: Internal ids: "operations.MINUSMA", "table:record" keys, an engagement id.
_ID = re.compile(r"\b(?:operations|offices|engagements|events|figures|partners|places|themes|"
                 r"initiatives|operation_status|reporting_period)[.:][A-Za-z_][A-Za-z0-9_-]*")
_HASH = re.compile(r"\b[0-9a-f]{12,}\b")


class _Reader(HTMLParser):
    """The note page's key points, citation numbers, dagger marks and note lists."""

    def __init__(self):
        super().__init__()
        self.stack, self.text = [], []
        self.key_points, self.cites, self.daggers = [], [], []
        self.citations, self.inferences = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append((tag, dict(attrs).get("class", "")))
        if tag == "li":
            self.text = []

    def handle_endtag(self, tag):
        classes = [c for _, c in self.stack]
        if tag == "li":
            line = "".join(self.text).strip()
            if "citations" in classes:
                self.citations.append(line)
            elif "inferences" in classes:
                self.inferences.append(line)
            elif "key-points" in classes:
                self.key_points.append(line)
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        tag, cls = self.stack[-1] if self.stack else ("", "")
        if tag == "sup" and cls == "cite":
            self.cites += [int(n) for n in data.split(",")]
        if tag == "sup" and cls == "inferred":
            self.daggers += [int(n.strip("†")) for n in data.split(",")]


@pytest.fixture(scope="module")
def notes():
    from analysis.briefings import open_briefing
    from analysis.builder.notes import build_note
    from analysis.briefings.note import fitted_note

    made = {}
    for notebook, params, bid in NOTES:
        outputs = build_note(notebook, params, bid, pdf=True, docx=True)
        note, _ = fitted_note(open_briefing(notebook, **params), bid)
        made[bid] = (outputs, note)
    return made


def test_salience_ranks_by_paragraphs_then_mentions_then_rows_keeping_ties_in_order():
    import pandas as pd

    from analysis.salience import Salience, rank, salience

    class Tiny:  # the one table the rule reads
        mentions = pd.DataFrame({"paragraph": ["a/1", "a/1", "a/1", "b/1", "c/1", "c/1"]})

    points = {"one-b": ["b/1"], "one-a": ["a/1"], "two": ["a/1, b/1"], "one-b-again": ["b/1"],
              "one-c": ["c/1"], "none": []}
    ds = Tiny()
    assert salience(["a/1, b/1"], ds=ds) == Salience(2, 4, 0)
    assert salience(["c/1"], ds=ds, rows=3) == Salience(1, 2, 3)
    ranked = rank(list(points), key=lambda k: salience(points[k], ds=ds))
    assert ranked == ["two", "one-a", "one-c", "one-b", "one-b-again", "none"]
    rows = {"x": 1, "y": 5}
    assert rank(["x", "y"], key=lambda k: salience(["b/1"], ds=ds, rows=rows[k])) == ["y", "x"]
    assert rank(list(points), key=lambda k: salience(points[k], ds=ds), limit=2) == ["two", "one-a"]


def test_every_note_pdf_has_at_most_two_pages_and_body_text_of_9_points(notes):
    from analysis.builder.notes import NOTE_CSS, pdf_pages

    for bid, (outputs, _) in notes.items():
        assert pdf_pages(outputs.pdf) <= 2, bid
    sizes = [float(s) for s in re.findall(r"html \{ font: ([\d.]+)pt", NOTE_CSS)]
    assert sizes and min(sizes) >= 9


def test_key_points_three_to_five_the_first_never_a_dataset_count(notes):
    from analysis.briefings.note import is_dataset_count

    for bid, (outputs, note) in notes.items():
        page = _Reader()
        page.feed(outputs.html.decode())
        assert 3 <= len(page.key_points) <= 5, (bid, page.key_points)
        first = page.key_points[0]
        assert not re.match(r"\d", first) and "dataset" not in first.lower(), (bid, first)
        assert not any(is_dataset_count(type("P", (), {"text": t})) for t in page.key_points)


def test_no_hash_and_no_internal_id_in_any_format(notes):
    import io

    import docx
    import pypdf

    for bid, (outputs, _) in notes.items():
        html = outputs.html.decode()
        pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(outputs.pdf)).pages)
        document = docx.Document(io.BytesIO(outputs.docx))
        word = "\n".join(p.text for p in document.paragraphs)
        for text in (html, pdf_text, word):
            assert not _HASH.search(text), (bid, _HASH.search(text))
            assert not _ID.search(text), (bid, _ID.search(text))
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (bid, re.search(r"\b[a-z]+_[a-z_]+\b", text))
            assert "inputs " not in text
        assert "Dataset " in pdf_text.splitlines()[-1] or "Dataset " in pdf_text  # the stamp


def test_every_citation_number_resolves_to_a_paragraph_of_the_document(notes, dataset):
    from analysis.document import for_dataset

    label = for_dataset(dataset).long_label
    for bid, (outputs, note) in notes.items():
        page = _Reader()
        page.feed(outputs.html.decode())
        assert page.cites, bid
        assert set(page.cites) == set(range(1, len(page.citations) + 1)), bid
        for line in page.citations:
            assert re.fullmatch(re.escape(label) + r", '[^']+', paragraph \d+", line), line
        assert [c.text for c in note.citations()] == page.citations


def test_each_inferred_line_carries_its_dagger_and_a_footnote_in_words(notes):
    for bid, (outputs, note) in notes.items():
        page = _Reader()
        page.feed(outputs.html.decode())
        inferred_lines = [line for part in note.all_parts for line in part.lines if line.inferred]
        assert len(set(page.daggers)) == len(page.inferences) == len(note.inferences()), bid
        assert all(text.startswith(f"†{n} ") for n, text in enumerate(page.inferences, 1))
        if inferred_lines:
            assert page.daggers, bid
        for text in page.inferences:
            assert len(text.split()) >= 4 and "(inferred" not in text


def test_a_cut_list_says_how_many_it_shows_of_how_many(notes):
    found = 0
    for bid, (outputs, note) in notes.items():
        for part in note.parts:
            if part.total > len(part.lines):
                found += 1
                assert f"{len(part.lines)} of {part.total} " in outputs.html.decode()
                assert part.cut.endswith("all in the full briefing.")
    assert found  # the world and the themes cut some list


def test_the_note_names_its_full_briefing_and_the_chapter(notes):
    for bid, (outputs, note) in notes.items():
        assert f"{bid}.html" in note.intro
        assert note.sources and "A/72/1" in note.sources[0]


def test_a_set_file_id_ending_in_note_is_refused(tmp_path):
    from analysis.builder.briefing_set import load_briefing_set
    from analysis.builder.catalog import ParameterProblem

    path = tmp_path / "set.toml"
    path.write_text('[[briefing]]\nnotebook = "country"\nid = "mali-note"\n'
                    'parameters = { country = "Mali" }\n', encoding="utf-8")
    with pytest.raises(ParameterProblem, match="-note"):
        load_briefing_set(path)

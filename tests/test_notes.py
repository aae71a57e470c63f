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


@pytest.fixture(scope="session")
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


def test_salience_ranks_points_by_the_paragraphs_speaking_of_them_then_rows_then_order():
    import pandas as pd

    from analysis.salience import rank, rank_items

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

"""Every row of the chapter layer is anchored in the chapter's text.

Tables are discovered from the schema: each chapter-layer resource with a ``paragraph`` field
(entities, relations, events, figures and mentions). For each row: the paragraph exists, the
evidence phrase occurs in it (typography and case folded by ``analysis.data.seed.normalize``) and is
short, inferred rows say why, and names, references, dates and figures that the row claims the
chapter states do occur in that paragraph. The spine (sections, paragraphs) must agree with the
seed parser, and our free-text fields must not reuse the chapter's wording.
"""
from __future__ import annotations

import calendar
import re
import unicodedata

import pandas as pd
import pytest

from analysis.data import seed
from analysis.data.schema import load_schema

SCHEMA = load_schema()
PROVENANCE_TABLES = [t.name for t in SCHEMA.tables.values() if t.layer == "chapter" and t.has_provenance]
MAX_EVIDENCE_WORDS = 12
#: Fields written in our own words: they must not copy a run of this many words from the chapter.
OWN_WORDS_FIELDS = {
    "sections": ["summary"], "paragraphs": ["summary"], "themes": ["description"],
    "engagements": ["activity"], "events": ["description"], "figures": ["counts"],
    "situations": ["description"],
    "operation_status": ["basis"], "reporting_period": ["basis", "label"],
}
COPY_RUN = 7


def _rows(dataset, table):
    """Rows of ``table`` as dicts with missing values as None."""
    frame = dataset[table].astype(object).where(dataset[table].notna(), None)
    return frame.to_dict("records")


def _occurs(phrase: str, text: str) -> bool:
    return seed.normalize(phrase) in seed.normalize(text)


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", seed.normalize(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _name_occurs(name: str, text: str) -> bool:
    """Like ``_occurs`` but also folding accents: a partner's proper name ('Conférence
    épiscopale ...') must match the chapter's spelling ('Conference épiscopale ...')."""
    return _fold_accents(name) in _fold_accents(text)


def _label(table, row):
    key = SCHEMA.table(table).primary_key
    return f"{table}[{', '.join(str(row[k]) for k in key)}]"


def test_provenance_tables_are_discovered():
    expected = {"themes", "places", "operations", "offices", "partners", "initiatives", "engagements",
                "events", "event_places", "figures", "mentions", "operation_status", "reporting_period"}
    assert expected <= set(PROVENANCE_TABLES)


@pytest.mark.parametrize("table", PROVENANCE_TABLES)
def test_table_has_rows(dataset, table):
    assert len(dataset[table]) > 0, f"{table} is empty"


@pytest.mark.parametrize("table", PROVENANCE_TABLES)
def test_evidence_occurs_in_its_paragraph(dataset, seed_paragraphs, table):
    problems = []
    for row in _rows(dataset, table):
        para = seed_paragraphs.get(row["paragraph"])
        if para is None:
            problems.append(f"{_label(table, row)}: no paragraph {row['paragraph']!r}")
        elif not _occurs(row["evidence"], para.text):
            problems.append(f"{_label(table, row)}: evidence {row['evidence']!r} not in {row['paragraph']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("table", PROVENANCE_TABLES)
def test_evidence_is_a_short_phrase(dataset, table):
    long = [f"{_label(table, r)}: {len(r['evidence'].split())} words"
            for r in _rows(dataset, table) if len(r["evidence"].split()) > MAX_EVIDENCE_WORDS]
    assert not long, "\n".join(long)


@pytest.mark.parametrize("table", PROVENANCE_TABLES)
def test_inference_note_iff_inferred(dataset, table):
    problems = []
    for row in _rows(dataset, table):
        has_note = bool(row["inference_note"] and row["inference_note"].strip())
        if row["inferred"] and not has_note:
            problems.append(f"{_label(table, row)}: inferred without inference_note")
        if not row["inferred"] and has_note:
            problems.append(f"{_label(table, row)}: inference_note on a row that is not inferred")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("table, alternatives", [
    ("places", ["name"]),
    ("partners", ["name", "acronym"]),
    ("offices", ["name", "office_id"]),
    ("operations", ["name", "operation_id"]),
])
def test_stated_entities_are_named_in_their_paragraph(dataset, seed_paragraphs, table, alternatives):
    problems = []
    for row in _rows(dataset, table):
        if row["inferred"]:
            continue
        text = seed_paragraphs[row["paragraph"]].text
        if not any(row[f] and _name_occurs(row[f], text) for f in alternatives):
            problems.append(f"{_label(table, row)}: none of {alternatives} occurs in {row['paragraph']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("table", ["operations", "offices"])
def test_chapter_reference_occurs_in_paragraph(dataset, seed_paragraphs, table):
    problems = [f"{_label(table, r)}: {r['chapter_reference']!r} not in {r['paragraph']}"
                for r in _rows(dataset, table)
                if not _occurs(r["chapter_reference"], seed_paragraphs[r["paragraph"]].text)]
    assert not problems, "\n".join(problems)


def _date_phrases(label: str) -> list[str]:
    """What the chapter must print for a stated date label: a year, or a month and year."""
    phrases = []
    for part in label.split("/"):
        pieces = part.split("-")
        if len(pieces) == 1:
            phrases.append(pieces[0])
        else:
            month = calendar.month_name[int(pieces[1])]
            phrases.append(f"{month} {pieces[0]}" if len(pieces) == 2
                           else f"{int(pieces[2])} {month} {pieces[0]}")
    return phrases


def test_date_phrases_helper():
    assert _date_phrases("2016-09") == ["September 2016"]
    assert _date_phrases("2017/2018") == ["2017", "2018"]
    assert _date_phrases("2016-12-07") == ["7 December 2016"]


def test_stated_event_dates_occur_in_paragraph(dataset, seed_paragraphs):
    problems = []
    for row in _rows(dataset, "events"):
        if row["inferred"]:
            continue
        text = seed_paragraphs[row["paragraph"]].text
        missing = [p for p in _date_phrases(row["date_label"]) if not _occurs(p, text)]
        if missing:
            problems.append(f"events[{row['event_id']}]: {missing} not in {row['paragraph']}")
    assert not problems, "\n".join(problems)


def test_figures_as_written_occurs_in_paragraph(dataset, seed_paragraphs):
    problems = [f"figures[{r['figure_id']}]: {r['as_written']!r} not in {r['paragraph']}"
                for r in _rows(dataset, "figures")
                if not _occurs(r["as_written"], seed_paragraphs[r["paragraph"]].text)]
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ the spine


def test_paragraphs_table_agrees_with_the_seed(dataset, seed_paragraphs):
    table = dataset.paragraphs
    assert list(table.paragraph_id) == list(seed_paragraphs), "paragraph ids or their order differ"
    for row in _rows(dataset, "paragraphs"):
        para = seed_paragraphs[row["paragraph_id"]]
        got = (row["section_id"], row["number"], row["position"], row["word_count"])
        assert got == (para.section_id, para.number, para.position, para.word_count), row["paragraph_id"]


def test_sections_table_agrees_with_the_seed(dataset, seed_paragraphs):
    sections = dataset.sections.sort_values("number")
    order = list(dict.fromkeys(p.section_id for p in seed_paragraphs.values()))
    assert list(sections.section_id) == order
    assert list(sections.number) == list(range(len(order)))
    from analysis.data.layout import detect_headings, fold

    # Every heading of the sections table is a heading line of the chapter's text, in order.
    in_text = list(detect_headings(seed.seed_path().read_text(encoding="utf-8")))
    titles = [fold(row["title"]) for row in _rows(dataset, "sections") if row["number"] != 0]
    assert titles == in_text


def _word_runs(text: str, n: int, names: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Runs of ``n`` consecutive words; each proper name in ``names`` counts as one word."""
    text = seed.normalize(text)
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " NAME ", text)
    words = re.findall(r"[\w']+", text)
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _proper_names(dataset) -> tuple[str, ...]:
    names = {seed.normalize(n) for t in ("places", "partners", "offices", "operations", "initiatives")
             for n in dataset[t].name.dropna()}
    return tuple(sorted(names, key=len, reverse=True))  # longest first


def test_own_words_fields_do_not_copy_the_chapter(dataset, seed_paragraphs):
    names = _proper_names(dataset)
    chapter_runs = set()
    for para in seed_paragraphs.values():
        chapter_runs |= _word_runs(para.text, COPY_RUN, names)
    problems = []
    for table, fields in OWN_WORDS_FIELDS.items():
        for row in _rows(dataset, table):
            for f in fields:
                copied = _word_runs(row[f], COPY_RUN, names) & chapter_runs
                if copied:
                    problems.append(f"{_label(table, row)}.{f}: copies {' '.join(sorted(copied)[0])!r}")
    assert not problems, "\n".join(problems)


def test_copy_detector_catches_a_copied_phrase(seed_paragraphs):
    text = seed_paragraphs["crisis/2"].text
    sample = " ".join(text.split()[5:5 + COPY_RUN + 1])
    assert _word_runs(sample, COPY_RUN) & _word_runs(text, COPY_RUN)


# --- issue 18: meaning in the data (modality, cooperation, lead, generic actors) -----------------

#: Finite verbs and auxiliaries that would state a modality in a description: the verb of a
#: sentence about an engagement comes from its ``modality`` field, never from the description.
FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|shall|should|can|could|may|might|must|does|do|did|"
    r"offers|supports|works|promotes|provides|helps|gives|backs|creates|recommends|adopts|delivers|"
    r"urges|signs|agrees|plans|prepares|starts|looks|commits|pledges|runs|sends|disburses|funds|"
    r"launches|expands|exceeds|convenes|visits|requests|mediates|facilitates|cooperates|obstruct|"
    r"withhold|step|stall|stalls|protects|intervenes|brokers|coordinates|implements|needs|begins|"
    r"struggles|fails|failed|made|makes|renew|renews)\b")
MODALITY_PHRASE_FIELDS = {"engagements": ("modality_evidence", "cooperation")}


@pytest.mark.parametrize("table, field", [("engagements", "modality_evidence"),
                                          ("engagements", "cooperation"),
                                          ("situations", "modality_evidence")])
def test_modality_and_cooperation_phrases_occur_in_their_paragraph(dataset, seed_paragraphs, table, field):
    """The phrase that carries an engagement's (or a situation's) modality, and the one stating
    an engagement's cooperation with the UN (where given), occur in the row's own paragraph and
    are short."""
    problems = []
    for row in _rows(dataset, table):
        phrase = row[field]
        if not phrase:
            if field == "modality_evidence":
                problems.append(f"{_label(table, row)}: no {field}")
            continue
        para = seed_paragraphs.get(row["paragraph"])
        if para is None or not _occurs(phrase, para.text):
            problems.append(f"{_label(table, row)}: {field} {phrase!r} not in {row['paragraph']}")
        elif len(phrase.split()) > MAX_EVIDENCE_WORDS:
            problems.append(f"{_label(table, row)}: {field} of {len(phrase.split())} words")
    assert not problems, "\n".join(problems)


def test_descriptions_carry_no_finite_verb_of_modality(dataset):
    """Descriptions are noun phrases: the modality field gives the verb."""
    def verb(text: str):  # a capital only at the start: 'Offers good offices' is caught
        return FINITE.search(text[:1].lower() + text[1:])

    found = [f"{_label('engagements', r)}: {verb(r['activity']).group(0)!r} in {r['activity']!r}"
             for r in _rows(dataset, "engagements") if verb(r["activity"])]
    found += [f"{_label('situations', r)}: {verb(r['description']).group(0)!r} in {r['description']!r}"
              for r in _rows(dataset, "situations") if verb(r["description"])]
    assert not found, "\n".join(found)


def test_cooperation_is_stated_only_for_actors_outside_the_un(dataset):
    """'Works with the UN' is said of actors outside the UN, where the chapter states it."""
    relation = dict(zip(dataset.partners["partner_id"], dataset.partners["relation_to_un"]))
    relation.update({o: "outside the UN" for o, lead in zip(dataset.operations["operation_id"],
                                                            dataset.operations["lead"]) if lead != "UN"})
    wrong = [_label("engagements", r) for r in _rows(dataset, "engagements")
             if r["cooperation"] and relation.get(r["partner_id"] or r["operation_id"]) != "outside the UN"]
    assert not wrong, "cooperation stated for an actor that is not outside the UN: " + ", ".join(wrong)


def test_an_operations_lead_agrees_with_its_public_facts(dataset):
    """``operations.lead`` is the one field for who leads an operation; the context table's kind
    (from the Security Council's documents) must not say otherwise."""
    facts = dict(zip(dataset.operation_facts["operation_id"], dataset.operation_facts["kind"]))
    expected = {"African Union operation": "AU", "hybrid operation": "hybrid"}
    wrong = [f"{r['operation_id']}: lead {r['lead']}, facts say {facts.get(r['operation_id'])}"
             for r in _rows(dataset, "operations")
             if expected.get(facts.get(r["operation_id"]), "UN") != r["lead"]]
    assert not wrong, "\n".join(wrong)


def test_a_generic_actor_names_a_kind_of_actor_not_one_body(dataset):
    """Generic rows ('non-governmental organizations') have no acronym and no organ; named
    bodies are not generic."""
    partners = dataset.partners.set_index("partner_id")
    generic = set(partners.index[partners["generic"].astype(bool)])
    assert {"ngos", "private-sector", "governments", "civil-society"} <= generic
    assert not generic & {"african-union", "european-union", "world-bank", "sadc", "osce"}
    assert partners.loc[list(generic), "acronym"].isna().all() or \
        set(partners.loc[list(generic), "acronym"].dropna()) <= {"NGOs"}


_DATE = re.compile(r"\b(?:(?:\d{1,2} )?(?:" + "|".join(calendar.month_name[1:]) + r") )?(?:19|20)\d{2}"
                   r"(?:-(?:19|20)?\d{2})?\b")
_CONTEXT_LABEL = "Context, not from the chapter"


def test_a_date_the_paragraph_lacks_is_labelled_as_context(dataset, seed_paragraphs):
    """Issue 18 (class: context without its label): an operation's status note that gives a
    date its cited paragraph does not give ('authorized in August 2016') says first that it is
    context, not the chapter's, as the notes of UNOCI, UNMIL and MINUSTAH do."""
    unlabelled = []
    for row in _rows(dataset, "operation_status"):
        basis = row["basis"] if isinstance(row["basis"], str) else ""
        text = seed_paragraphs[row["paragraph"]].text
        label_at = basis.find(_CONTEXT_LABEL)
        for found in _DATE.finditer(basis):
            if _occurs(found.group(0), text):
                continue
            if label_at < 0 or found.start() < label_at:
                unlabelled.append(f"{row['operation_id']}: {found.group(0)!r}")
    assert not unlabelled, unlabelled

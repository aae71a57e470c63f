"""Draft the chapter tables of a data package from a chapter's text.

:func:`draft_chapter` reads the text (``layout``), runs the recognisers over every paragraph
(``entities``, ``dates``, ``numbers``), proposes engagements (``engagements``) and returns the
rows of every chapter table, each with its paragraph, evidence, inferred flag and note, and
``curation = "draft"``.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WorkbookError
from .dates import find_dates, status_of
from .engagements import propose_engagements
from ..data.escaping import slug
from .entities import ID_LIMIT, NO_ID, Finding, ParagraphReader, clip, window
from .gazetteer import load_gazetteer, name_key
from ..data.document import YEARS, chapter_problem
from ..data.layout import ChapterText, read_chapter, sentences
from .numbers import find_numbers

DRAFT = "draft"
#: The longest line (a paragraph) a chapter text may have: the data's cells are far shorter.
MAX_LINE = 20_000
TO_WRITE = "(to be written)"
CHAPTER_TABLES = ("sections", "paragraphs", "themes", "places", "operations", "offices", "partners",
                  "initiatives", "engagements", "events", "event_places", "figures", "mentions")


class DraftError(WorkbookError, ValueError):
    """The input of a draft is not usable (symbol, year, text)."""


@dataclass
class Draft:
    chapter: ChapterText
    symbol: str
    year: int
    title: str
    part: str
    tables: dict[str, list[dict]] = field(default_factory=dict)
    operation_years: dict[str, tuple] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)
    chapter_tables: list[str] = field(default_factory=lambda: list(CHAPTER_TABLES))

    def rows(self, table: str) -> list[dict]:
        return self.tables.get(table, [])

    def inferred_count(self) -> dict[str, int]:
        return {t: sum(1 for r in rows if r.get("inferred") == "true") for t, rows in self.tables.items()}

    def count_written(self, counts: dict[str, int], tables: dict[str, list[dict]]) -> None:
        """Take the rows as written (with the tables the schema adds) for the summary."""
        self.tables.update({k: v for k, v in tables.items() if k not in self.tables})


def check_symbol(symbol: str) -> str:
    """The symbol, checked by the rule the loader applies to a package's ``chapter.symbol``."""
    if chapter_problem({"symbol": symbol or ""}):
        raise DraftError(f"{symbol!r} does not look like a UN document symbol (expected e.g. A/73/1 or "
                         "S/2018/1234: series letters, then slash-separated parts with numbers)")
    return symbol


def check_year(year: int) -> int:
    if not YEARS[0] <= int(year) <= YEARS[1]:
        raise DraftError(f"year {year} is not a year of a UN report (expected {YEARS[0]}-{YEARS[1]})")
    return int(year)


def chapter_part(title_line: str) -> str:
    """'Chapter II: B. Maintenance...' -> 'II.B'; '' when the title line names no chapter."""
    m = re.search(r"\bChapter\s+([IVXLC]+)\b\s*[:.]?\s*(?:([A-Z])\.\s)?", title_line)
    if not m:
        return ""
    return m.group(1) + (f".{m.group(2)}" if m.group(2) else "")


def chapter_heading(title_line: str) -> str:
    """The title line without its 'Chapter II: B.' prefix."""
    return re.sub(r"^\s*Chapter\s+[IVXLC]+\s*[:.]?\s*(?:[A-Z]\.\s*)?", "", title_line).strip() or title_line


def source_id_for(symbol: str) -> str:
    """'A/73/1' -> 'a73-1' (as the curated 'a72-1')."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"^([a-z]+)/(?=\d)", r"\1", symbol.lower())).strip("-")


def _prov(paragraph: str, evidence: str, inferred: bool, note: str) -> dict:
    return {"paragraph": paragraph, "evidence": evidence, "inferred": "true" if inferred else "false",
            "inference_note": note if inferred else "", "curation": DRAFT}


def _first_stated(findings: list[Finding]) -> Finding:
    stated = [f for f in findings if not f.inferred]
    return (stated or findings)[0]


def _acronyms(folder: Path) -> dict[str, str]:
    path = folder / "organisations.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["organisation_id"]: r["acronym"] for r in csv.DictReader(handle)}


def draft_chapter(raw: str, *, symbol: str, year: int, title: str | None = None,
                  context: Path | str) -> Draft:
    """The draft of every chapter table of the text ``raw`` (gazetteers read from ``context``)."""
    check_symbol(symbol)
    check_year(year)
    context = Path(context)
    chapter = read_chapter(raw)
    gaz = load_gazetteer(context)
    reader = ParagraphReader(gaz, year)
    part = chapter_part(chapter.title)
    draft = Draft(chapter, symbol, year, title or chapter_heading(chapter.title), part)
    t = draft.tables = {name: [] for name in CHAPTER_TABLES}

    section_theme = {s.section_id: s.section_id for s in chapter.sections}
    first_para = {}
    for p in chapter.paragraphs:
        first_para.setdefault(p.section_id, p)
    for s in chapter.sections:
        t["sections"].append({"section_id": s.section_id, "number": str(s.number), "title": s.title,
                              "summary": TO_WRITE, "curation": DRAFT})
    for p in chapter.paragraphs:
        t["paragraphs"].append({"paragraph_id": p.paragraph_id, "section_id": p.section_id,
                                "number": str(p.number), "position": str(p.position),
                                "word_count": str(p.word_count), "summary": TO_WRITE, "curation": DRAFT})
    for s in chapter.sections:
        p = first_para.get(s.section_id)
        if p is None:
            continue
        words = p.text.split()[:6]
        t["themes"].append({"theme_id": section_theme[s.section_id], "name": s.title, "topic": _topic(s.title),
                            "description": f"Topic of the section '{s.title}' {TO_WRITE}",
                            "section_id": s.section_id, **_prov(p.paragraph_id, clip(" ".join(words), 0, 200),
                                                                 False, "")})

    findings: list[Finding] = []
    for p in chapter.paragraphs:
        findings.extend(reader.read(p))

    # Entities: one row per id, from the first stated finding.
    by_entity: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        by_entity.setdefault((f.table, f.entity_id), []).append(f)
    places: dict[str, dict] = {}
    for (table, eid), group in by_entity.items():
        if table != "places":
            continue
        f = _first_stated(group)
        article = next((g.article for g in group if g.article), "")
        places[eid] = {"place_id": eid, "name": f.name, "kind": f.kind, "iso3": f.iso3, "article": article,
                       **_prov(f.paragraph, f.evidence, f.inferred, f.note)}
    region_by_key = {name_key(r["name"]): pid for pid, r in places.items() if r["kind"] == "region"}

    def place_for(f: Finding, required: bool) -> str:
        key = name_key(f.host) if f.host else ""
        if key in region_by_key:
            return region_by_key[key]
        if f.iso3 and f.iso3 in gaz.countries:
            if f.iso3 not in places and required:
                places[f.iso3] = {"place_id": f.iso3, "name": gaz.countries[f.iso3], "kind": "country",
                                  "iso3": f.iso3, **_prov(f.paragraph, f.evidence, True,
                                                          f"Host country of {f.name}, which the chapter "
                                                          f"names or refers to here (peace_missions).")}
            return f.iso3 if f.iso3 in places else ""
        return ""

    acronyms = _acronyms(context)
    for (table, eid), group in by_entity.items():
        f = _first_stated(group)
        prov = _prov(f.paragraph, f.evidence, f.inferred, f.note)
        if table == "operations":
            entry = gaz.missions_by_id.get(eid)
            if entry is not None:
                draft.operation_years[eid] = (entry.established, entry.closed)
            t["operations"].append({"operation_id": eid, "name": f.name, "lead": _lead(f.kind),
                                    "place_id": place_for(f, True), "chapter_reference": clip(f.reference, 0, 200),
                                    **prov})
        elif table == "offices":
            t["offices"].append({"office_id": eid, "name": f.name, "kind": f.kind,
                                 "place_id": place_for(f, False), "chapter_reference": clip(f.reference, 0, 200),
                                 **prov})
        elif table == "partners":
            t["partners"].append({"partner_id": eid, "name": f.name, "acronym": acronyms.get(eid, ""),
                                  "kind": f.kind, **prov})
        elif table == "initiatives":
            section = f.paragraph.split("/")[0]
            t["initiatives"].append({"initiative_id": eid, "name": f.name, "kind": f.kind,
                                     "theme_id": section_theme[section], "status": "", **prov})
    # Operations whose host is not otherwise a place get it (inferred) before places are written.
    t["places"] = list(places.values())

    seen_mentions = set()
    for f in findings:
        key = (f.paragraph, f.table, f.entity_id)
        if key in seen_mentions:
            continue
        seen_mentions.add(key)
        t["mentions"].append({"paragraph": f.paragraph, "entity_table": f.table, "entity_id": f.entity_id,
                              "evidence": f.evidence, "inferred": "true" if f.inferred else "false",
                              "inference_note": f.note if f.inferred else "", "curation": DRAFT})

    # Events, event places and figures, sentence by sentence.
    event_ids, figure_ids = set(), set()
    by_sentence = _by_sentence(findings)  # one pass: linear in the text, not paragraphs × findings
    for p in chapter.paragraphs:
        theme = section_theme[p.section_id]
        for n, (offset, sentence) in enumerate(sentences(p.text), start=1):
            here = by_sentence.get((p.paragraph_id, n), [])
            dates = find_dates(sentence, report_year=year)
            for d in dates:
                label_slug = d.label.replace("/", "-")
                eid = _unique(f"{slug(p.paragraph_id, limit=ID_LIMIT, empty=NO_ID)}-{label_slug}", event_ids)
                ev = window(p.text, offset + d.start, offset + d.end, words=3)
                t["events"].append({"event_id": eid, "date_label": d.label, "date_as_written": d.written,
                                    "date_precision": d.precision,
                                    "date_start": d.date_start.isoformat(), "date_end": d.date_end.isoformat(),
                                    "description": f"{TO_WRITE} dated '{d.written}'",
                                    "status": status_of(sentence, d, year), "theme_id": theme,
                                    **_prov(p.paragraph_id, ev, d.inferred, d.note)})
                seen_places = set()
                for f in here:
                    if f.table == "places" and f.entity_id not in seen_places:
                        seen_places.add(f.entity_id)
                        t["event_places"].append({"event_id": eid, "place_id": f.entity_id,
                                                  **_prov(p.paragraph_id, f.evidence, f.inferred, f.note)})
            skip = [(d.start, d.end) for d in dates] + [
                (f.start - offset, f.end - offset) for f in here if f.table != "places"]
            for num in find_numbers(sentence, skip):
                fid = _unique(f"{slug(p.paragraph_id, limit=ID_LIMIT, empty=NO_ID)}-{slug(num.written, limit=30, empty=NO_ID)}", figure_ids)
                ev = window(p.text, offset + num.start, offset + num.end, words=3)
                counts = num.counts or ("share" if num.unit == "percent" else "amount" if num.unit.startswith("US$") else "")
                t["figures"].append({"figure_id": fid, "value": _number_cell(num.value), "unit": num.unit,
                                     "qualifier": num.qualifier, "kind": num.kind,
                                     "counts": f"{counts} {TO_WRITE}".strip(), "theme_id": theme,
                                     "place_id": "", "target_figure_id": "", "as_written": num.written,
                                     "printed": num.written,
                                     "value_basis": "lower bound" if num.qualifier == "order of magnitude" else "stated",
                                     **_prov(p.paragraph_id, ev, False, "")})
    t["engagements"] = propose_engagements(chapter, findings, section_theme)
    return draft


def _topic(heading: str) -> str:
    """The briefing topic a section's heading points to (the gender and funding briefings select
    their themes by it): 'gender' for women or gender, 'funding' for financing or funds."""
    if re.search(r"\b(?:women|gender)\b", heading, re.IGNORECASE):
        return "gender"
    if re.search(r"\b(?:financ\w*|fund\w*)\b", heading, re.IGNORECASE):
        return "funding"
    return ""


def _number_cell(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _by_sentence(findings) -> dict[tuple[str, int], list]:
    """Findings grouped by (paragraph, sentence number), in their order."""
    grouped: dict[tuple[str, int], list] = {}
    for f in findings:
        grouped.setdefault((f.paragraph, f.sentence), []).append(f)
    return grouped


def _unique(base: str, taken: set[str]) -> str:
    base = base.strip("-") or "row"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def read_text_file(path: Path | str, *, max_bytes: int) -> str:
    """The text of ``path``, or a :class:`DraftError` saying what is wrong with it."""
    from ..data.files import LIMITS, FileRefused, read_bounded

    path = Path(path)
    if path.is_dir():
        raise DraftError(f"{path} is a folder; give the chapter's text file")
    if not path.exists():
        raise DraftError(f"no such file: {path}")
    if max_bytes != LIMITS["chapter text"]:
        raise ValueError("the chapter text limit is analysis.data.files.LIMITS['chapter text']")
    try:
        data = read_bounded(path, kind="chapter text")
    except FileRefused as err:
        raise DraftError(str(err)) from None
    if not data.strip():
        raise DraftError(f"{path} is empty (expected the plain text of one chapter)")
    if b"\x00" in data:
        raise DraftError(f"{path} is not a text file (it holds NUL bytes); give the chapter as plain UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise DraftError(f"{path} is not valid UTF-8: byte 0x{data[err.start]:02x} at offset {err.start} "
                         f"(line {line}); save it as UTF-8 text") from None
    from ..data.characters import text_problem

    for number, line in enumerate(text.splitlines(), start=1):  # what the data may not hold
        problem = text_problem(line, long_text=True)
        if problem:
            raise DraftError(f"{path}, line {number}: {problem}")
        if len(line) > MAX_LINE:
            raise DraftError(f"{path}, line {number} is {len(line):,} characters long; a chapter's "
                             f"line (a paragraph) is at most {MAX_LINE:,}")
    return text


def _lead(kind) -> str:
    """An operation's lead (``operations.lead``) from the gazetteer's kind of operation."""
    kind = str(kind or "")
    return "AU" if kind == "African Union operation" else "hybrid" if kind == "hybrid operation" else "UN"

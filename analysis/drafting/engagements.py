"""Candidate engagements: an actor (operation, office or partner), a place and a verb in one sentence.

Each candidate is a row of ``engagements`` whose activity is to be written by a curator; its
evidence is the verb with the words around it.
"""
from __future__ import annotations

import re

from ..data.escaping import slug
from .entities import NO_ID, Finding, window
from ..data.layout import ChapterText, sentences

VERBS = re.compile(
    r"\b(?:support(?:s|ed|ing)?|deploy(?:s|ed|ing)?|protect(?:s|ed|ing)?|mediat(?:e|es|ed|ing)|"
    r"facilitat(?:e|es|ed|ing)|work(?:s|ed|ing)?|cooperat(?:e|es|ed|ing)|sign(?:s|ed|ing)?|"
    r"assist(?:s|ed|ing)?|monitor(?:s|ed|ing)?|promot(?:e|es|ed|ing)|implement(?:s|ed|ing)?|"
    r"help(?:s|ed|ing)?|train(?:s|ed|ing)?|broker(?:s|ed|ing)?|engag(?:e|es|ed|ing)|provid(?:e|es|ed|ing)|"
    r"le(?:d|ads?|ading)|conduct(?:s|ed|ing)?|strengthen(?:s|ed|ing)?|intervened?|deliver(?:s|ed|ing)?|"
    r"develop(?:s|ed|ing)?|fund(?:s|ed|ing)?|concluded?|launch(?:es|ed|ing)?|play(?:s|ed)|committed|"
    r"continues?|travell?ed|met|meets?|press(?:es|ed)|kept|welcomed?|approved?|joined?|resumed?|"
    r"escort(?:s|ed)?|negotiat(?:e|es|ed|ing)|visit(?:s|ed)?|urged?|called)\b")
ACTORS = ("operations", "offices", "partners")
#: Words that set a sentence's modality, strongest first; a draft's guess for a curator to check
#: (``engagements.modality``). A sentence with none of them is taken as reporting something done.
MODALITY_WORDS = (
    ("stalled", re.compile(r"\b(?:stall(?:s|ed)?|failed|have not|has not|reluctan\w*)\b", re.I)),
    ("struggling", re.compile(r"\b(?:struggl\w*|limited|minimal progress|falling short)\b", re.I)),
    ("proposed", re.compile(r"\b(?:propos\w*|must|should|called for)\b", re.I)),
    ("planned", re.compile(r"\b(?:will|planned|forthcoming|to be)\b", re.I)),
    ("committed", re.compile(r"\b(?:committed|pledged?|dedicated|commitment)\b", re.I)),
    ("ongoing", re.compile(r"\b(?:continues?|is \w+ing|are \w+ing|ongoing|under way)\b", re.I)),
)


def draft_modality(sentence: str) -> str:
    """The modality a draft proposes for a sentence (see :data:`MODALITY_WORDS`)."""
    return next((name for name, words in MODALITY_WORDS if words.search(sentence)), "done")
ACTOR_FIELD = {"operations": "operation_id", "offices": "office_id", "partners": "partner_id"}


def propose_engagements(chapter: ChapterText, findings: list[Finding], section_theme: dict[str, str]) -> list[dict]:
    rows, ids, seen = [], set(), set()
    by_sentence: dict[tuple[str, int], list[Finding]] = {}
    for f in findings:  # grouped once: linear in the text
        by_sentence.setdefault((f.paragraph, f.sentence), []).append(f)
    for p in chapter.paragraphs:
        for n, (offset, sentence) in enumerate(sentences(p.text), start=1):
            verb = VERBS.search(sentence)
            if not verb:
                continue
            here = by_sentence.get((p.paragraph_id, n), [])
            actors = [f for f in here if f.table in ACTORS]
            places = [f for f in here if f.table == "places"]
            ev = window(p.text, offset + verb.start(), offset + verb.end(), words=3)
            for actor in actors:
                for place in _places_for(actor, places):
                    key = (p.paragraph_id, actor.table, actor.entity_id, place.entity_id if place else "")
                    if key in seen:
                        continue
                    seen.add(key)
                    base = slug(f"{actor.entity_id}-{place.entity_id if place else 'general'}-{p.paragraph_id}", limit=70, empty=NO_ID)
                    eid, k = base, 1
                    while eid in ids:
                        k += 1
                        eid = f"{base}-{k}"
                    ids.add(eid)
                    inferred = actor.inferred or bool(place and place.inferred)
                    notes = [f.note for f in (actor, place) if f is not None and f.inferred]
                    row = {"engagement_id": eid, "operation_id": "", "office_id": "", "partner_id": "",
                           "place_id": place.entity_id if place else "", "theme_id": section_theme[p.section_id],
                           "activity": f"{verb.group(0)} (draft candidate, to be written)",
                           "modality": draft_modality(sentence), "modality_evidence": ev,
                           "cooperation": "",
                           "paragraph": p.paragraph_id, "evidence": ev,
                           "inferred": "true" if inferred else "false",
                           "inference_note": " ".join(notes) if inferred else "", "curation": "draft"}
                    row[ACTOR_FIELD[actor.table]] = actor.entity_id
                    rows.append(row)
    return rows


def _places_for(actor: Finding, places: list[Finding]) -> list[Finding | None]:
    """The place an actor is engaged in: its host where the sentence names it, else the place
    nearest to it in the sentence (a sentence may speak of several actors in several places)."""
    if not places:
        return [None]
    hosted = [p for p in places if actor.iso3 and p.iso3 == actor.iso3 or actor.host and p.name == actor.host]
    if hosted:
        return hosted[:1]
    if actor.iso3 and actor.table in ("operations", "offices"):
        return [None]
    return [min(places, key=lambda p: min(abs(p.start - actor.end), abs(actor.start - p.end)))]

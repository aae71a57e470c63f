"""Recognisers for the things a paragraph names: places, operations, offices, partners, initiatives.

Each finding keeps its paragraph, its sentence, its character span and the words matched
(``evidence``). A finding the text implies rather than names (a city standing for its country,
"the mission in South Sudan" standing for UNMISS, "my Special Envoy" in a sentence on Yemen) is
``inferred`` with the reason in ``note``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..data.escaping import slug
from .gazetteer import Entry, Gazetteer, fold_chars, name_key
from ..data.layout import Paragraph, sentences

MONTH_WORD = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
              r"December)\b")
UN_LED = ("peacekeeping operation", "special political mission", "hybrid operation")
AU_LED = ("African Union operation", "hybrid operation")
MAX_EVIDENCE_CHARS, MAX_EVIDENCE_WORDS = 90, 12


@dataclass
class Finding:
    table: str            # places | operations | offices | partners | initiatives
    entity_id: str
    name: str
    kind: str
    paragraph: str
    sentence: int
    start: int            # offsets in the paragraph's text
    end: int
    evidence: str
    inferred: bool = False
    note: str = ""
    iso3: str = ""        # places: the country; operations and offices: the host country
    host: str = ""        # operations and offices: the host in words
    reference: str = ""   # the words of the chapter that refer to it
    article: str = ""     # places: "the" when the chapter writes one before the name


def clip(text: str, start: int, end: int) -> str:
    """The words of ``text[start:end]``, cut to at most 12 words and 90 characters."""
    piece = text[start:end].strip()
    words = piece.split()
    if len(words) > MAX_EVIDENCE_WORDS:
        piece = " ".join(words[:MAX_EVIDENCE_WORDS])
    while len(piece) > MAX_EVIDENCE_CHARS and " " in piece:
        piece = piece.rsplit(" ", 1)[0]
    piece = piece[:MAX_EVIDENCE_CHARS].strip(" ,;:")
    # Evidence must occur in the paragraph as written: keep the original characters.
    return piece


def window(text: str, start: int, end: int, *, words: int = 4) -> str:
    """The match with up to ``words`` words of context on each side, within its sentence piece."""
    before, after = text[:start], text[end:]
    stop = max(before.rfind(". "), before.rfind("; "))
    if stop >= 0:
        before = before[stop + 2:]
    cut = re.search(r"[.;](?:\s|$)", after)
    if cut:
        after = after[:cut.start()]
    left = before.split()[-words:] if before.strip() else []
    right = after.split()[:words]
    left_text = " ".join(left)
    right_text = " ".join(right)
    core = text[start:end]
    candidate = " ".join(x for x in (left_text, core, right_text) if x)
    if candidate in text:
        return clip(candidate, 0, len(candidate))
    return clip(text, start, end)


def _overlaps(a: int, b: int, spans) -> bool:
    return any(not (b <= s or a >= e) for s, e in spans)


RELIGIOUS = re.compile(r"(?:Conf[e\u00e9]rence [e\u00e9]piscopale|Episcopal Conference|Council of Churches|"
                       r"Council of Ulema|Inter-Religious Council|Interreligious Council)"
                       r"(?: (?!made\b|and\b)[\w\u00c0-\u017f'\u2019-]+){0,4}")
GOVERNMENT = re.compile(r"\b(?:the )?Government of (?:the )?(?P<country>[A-Z][\w'\u2019-]*(?: (?:of|the|and) )?"
                        r"(?:[A-Z][\w'\u2019-]*\s?){0,4})")
UN_ACTING = re.compile(r"\b(?:the United Nations (?:supported|developed|began|helped|assisted|deployed|worked)"
                       r"|(?:with )?the support of the United Nations)\b")
THE_COUNCIL = re.compile(r"\b[Tt]he Council\b(?! of)")
BARE_GOVERNMENT = re.compile(r"\b[Tt]he (?:new |national |transitional )?Government(?:'s|\u2019s)?(?! of)\b")
AREA_AFTER_TITLE = re.compile(r"\s+(?:for|on|in|to)\s+(?P<area>(?:the\s+)?[A-Z][\w'\u2019-]*"
                              r"(?:(?:\s+(?:and|of|the|for|on|in|de|du|la))*\s+[A-Z][\w'\u2019-]*)*)")
GENERIC_MISSION = re.compile(
    r"\b(?:[Tt]he|[Aa]n?|[Oo]ur|[Ii]ts|[Tt]heir)\s+(?P<mods>(?:(?:United Nations|UN)\s+)?(?:[a-z][\w-]*\s+){0,3}?)"
    r"(?P<noun>mission|operation|peacekeeping force|protection force)(?P<plural>s)?(?:'s)?\b"
    r"(?:\s+(?:in|for)\s+(?:the\s+)?(?P<where>[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)*))?"
    r"|\bpeacekeeping operations? (?:in|for) (?P<where2>those countries|(?:the\s+)?[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)*)")
INITIATIVE_WORDS = {
    "Agreement": "agreement", "Accord": "agreement", "Treaty": "agreement", "Convention": "agreement",
    "Protocol": "agreement", "Charter": "agreement", "Declaration": "agreement", "Compact": "agreement",
    "Framework": "framework", "Initiative": "initiative", "Strategy": "strategy", "Plan": "plan",
    "Roadmap": "plan", "Guidance": "publication", "Guidelines": "publication", "Platform": "platform",
    "Agenda": "goals", "Goals": "goals", "Study": "study", "Report": "report", "Review": "review",
    "Programme": "initiative", "Mechanism": "mechanism", "Fund": None, "Strategies": "publication",
}
CONNECTORS = {"of", "for", "on", "and", "the", "in", "to", "de", "du", "with", "against"}
LOWER_INITIATIVES = re.compile(
    r"\b(?P<name>(?:peace|ceasefire|political|power-sharing|comprehensive|framework) agreement|plan of action|"
    r"road map|peacebuilding plan|action plan|funding stream|flagship study|progress study|"
    r"working group|prevention platform|(?:joint )?mechanism)s?\b")
LOWER_KIND = {"agreement": "agreement", "plan of action": "plan", "road map": "plan", "plan": "plan",
              "funding stream": "funding stream", "study": "study", "working group": "working group",
              "platform": "platform", "mechanism": "mechanism"}
#: "Action for Peacekeeping (A4P)": a capitalised name with its acronym, not in any gazetteer.
NAMED_WITH_ACRONYM = re.compile(r"(?P<name>[A-Z][\w'-]*(?: (?:for|of|on|and|the|to|in)?\s?[A-Z][\w'-]*)*)"
                                r" \((?P<acronym>[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*)\)")
RESOLUTION = re.compile(r"(?:(?P<organ>General Assembly|Security Council|Human Rights Council) )?"
                        r"[Rr]esolutions? (?P<number>\d{2,3}/\d{1,4}|\d{3,4} \(\d{4}\))")


#: Longest id a drafted record gets from a name, and the id when the name gives none.
ID_LIMIT, NO_ID = 60, "item"


class ParagraphReader:
    """Runs every recogniser over one paragraph."""

    def __init__(self, gazetteer: Gazetteer, year: int):
        self.gaz = gazetteer
        self.year = year

    # -- helpers ---------------------------------------------------------------------------
    def _place_from_entry(self, entry: Entry, para: Paragraph, n: int, start: int, end: int,
                          offset: int) -> Finding:
        text = para.text
        surface = text[offset + start:offset + end]
        if entry.place_kind == "city":
            return Finding("places", entry.entity_id, entry.name, "country", para.paragraph_id, n,
                           offset + start, offset + end, clip(text, offset + start, offset + end), True,
                           f"The chapter names {surface}; {entry.note.split(' (')[0]}.",
                           iso3=entry.entity_id, reference=surface)
        article = "the" if text[max(0, offset + start - 4):offset + start].lower() == "the " else ""
        inferred = entry.place_kind == "subnational area" and bool(entry.iso3)
        note = ""
        if inferred:
            country = self.gaz.countries.get(entry.iso3[0], entry.iso3[0])
            note = f"The chapter names {entry.name}, a {entry.note}; its country, {country}, is inferred."
        return Finding("places", entry.entity_id, entry.name, entry.kind, para.paragraph_id, n,
                       offset + start, offset + end, clip(text, offset + start, offset + end), inferred, note,
                       iso3=entry.iso3[0] if entry.iso3 else "", reference=surface, article=article)

    def _mission(self, entry: Entry, para, n, start, end, *, inferred=False, note="", evidence=None,
                 reference=None) -> Finding:
        ev = evidence or clip(para.text, start, end)
        return Finding(entry.table, entry.entity_id, entry.name, entry.kind, para.paragraph_id, n, start, end,
                       ev, inferred, note, iso3=entry.iso3[0] if entry.iso3 else "", host=entry.host,
                       reference=reference or para.text[start:end])

    # -- the recognisers -------------------------------------------------------------------
    def read(self, para: Paragraph) -> list[Finding]:
        found: list[Finding] = []
        previous_places: list[Finding] = []
        for n, (offset, sentence) in enumerate(sentences(para.text), start=1):
            here = self._read_sentence(para, n, offset, sentence, previous_places)
            places = [f for f in here if f.table == "places" and f.kind in ("country", "subnational area")]
            if places:
                previous_places = places
            found.extend(here)
        return found

    def _read_sentence(self, para, n, offset, sentence, previous_places) -> list[Finding]:
        text = para.text
        out: list[Finding] = []
        named_spans: list[tuple[int, int]] = []     # missions and offices
        org_spans: list[tuple[int, int]] = []       # partners: places inside are not places
        for hit in self.gaz.missions.find(sentence):
            out.append(self._mission(hit.entry, para, n, offset + hit.start, offset + hit.end))
            named_spans.append((hit.start, hit.end))
        for m in RELIGIOUS.finditer(fold_chars(sentence)):
            name = sentence[m.start():m.end()].rstrip(" ,")
            out.append(Finding("partners", slug(name, limit=ID_LIMIT, empty=NO_ID), name, "religious body", para.paragraph_id, n,
                               offset + m.start(), offset + m.end(), clip(text, offset + m.start(), offset + m.end()),
                               reference=name))
            org_spans.append((m.start(), m.end()))
        for hit in self.gaz.organisations.find(sentence):
            if _overlaps(hit.start, hit.end, org_spans + named_spans):
                continue
            e = hit.entry
            out.append(Finding("partners", e.entity_id, e.name, e.kind, para.paragraph_id, n, offset + hit.start,
                               offset + hit.end, clip(text, offset + hit.start, offset + hit.end), reference=hit.surface))
            org_spans.append((hit.start, hit.end))
        place_hits = [h for h in self.gaz.places.find(sentence) if not _overlaps(h.start, h.end, org_spans)]
        for m in GOVERNMENT.finditer(fold_chars(sentence)):
            country = [h for h in place_hits if m.start("country") <= h.start < m.end()
                       and h.entry.place_kind == "country"]
            if country:
                iso3 = country[0].entry.entity_id
                name = f"Government of {country[0].entry.name}"
                out.append(Finding("partners", f"government-of-{iso3.lower()}", name, "national government",
                                   para.paragraph_id, n, offset + m.start(), offset + country[0].end,
                                   clip(text, offset + m.start(), offset + country[0].end), reference=name))
        places = [self._place_from_entry(h.entry, para, n, h.start, h.end, offset) for h in place_hits]
        out.extend(places)
        out.extend(self._governments(para, n, offset, sentence, places, previous_places, out))
        for m in THE_COUNCIL.finditer(sentence):
            if not _overlaps(m.start(), m.end(), org_spans):
                out.append(Finding("partners", "security-council", "Security Council", "UN principal organ",
                                   para.paragraph_id, n, offset + m.start(), offset + m.end(),
                                   window(para.text, offset + m.start(), offset + m.end(), words=2), True,
                                   "'The Council' in a report of the Secretary-General is the Security Council.",
                                   reference=m.group(0)))
        out.extend(self._titles(para, n, offset, sentence, named_spans, places))
        out.extend(self._generic_missions(para, n, offset, sentence, places, previous_places, named_spans))
        out.extend(self._au_operations(para, n, offset, sentence, out, places))
        out.extend(self._un_presence(para, n, offset, sentence, out, places))
        out.extend(self._initiatives(para, n, offset, sentence, named_spans + org_spans))
        return out

    def _governments(self, para, n, offset, sentence, places, previous_places, found) -> list[Finding]:
        """'the Government' / 'the new Government's' in a sentence on one country: its Government."""
        out = []
        named = {f.entity_id for f in found if f.table == "partners"}
        for m in BARE_GOVERNMENT.finditer(sentence):
            countries = [p for p in places if p.kind == "country"] or \
                        [p for p in previous_places if p.kind == "country"]
            if len({p.iso3 for p in countries}) != 1:
                continue
            place = countries[0]
            pid = f"government-of-{place.iso3.lower()}"
            if pid in named:
                continue
            out.append(Finding("partners", pid, f"Government of {place.name}", "national government",
                               para.paragraph_id, n, offset + m.start(), offset + m.end(),
                               window(para.text, offset + m.start(), offset + m.end(), words=2), True,
                               f"The chapter says '{m.group(0).strip()}' in a passage on {place.name}.",
                               reference=m.group(0)))
        return out

    def _titles(self, para, n, offset, sentence, named_spans, places) -> list[Finding]:
        out, taken = [], list(named_spans)
        folded = fold_chars(sentence)
        for pattern, kind, title_id in self.gaz.titles:
            for m in pattern.finditer(folded):
                if _overlaps(m.start(), m.end(), taken):
                    continue
                taken.append((m.start(), m.end()))
                if kind == "Secretary-General":
                    out.append(Finding("offices", "SG", "Secretary-General", "Secretary-General", para.paragraph_id,
                                       n, offset + m.start(), offset + m.end(),
                                       window(para.text, offset + m.start(), offset + m.end(), words=3),
                                       reference=sentence[m.start():m.end()]))
                    continue
                title = re.sub(r"^(?:Deputy|Joint) ", "", m.group(0)).replace(" of the Secretary-General", "")
                title = re.sub(r" (?:to|of) the Secretary-General$", "", title)
                area_match = AREA_AFTER_TITLE.match(folded, m.end())
                end = area_match.end() if area_match else m.end()
                ev = window(para.text, offset + m.start(), offset + end, words=2 if area_match else 4)
                written = sentence[m.start():end]
                if area_match and re.match(MONTH_WORD, area_match["area"]):
                    area_match, end = None, m.end()
                    ev = window(para.text, offset + m.start(), offset + end, words=4)
                    written = sentence[m.start():end]
                if area_match:
                    area = re.sub(r"^the\s+", "", area_match["area"])
                    finding = self._office_for_area(title, kind, area, para, n, offset + m.start(), offset + end,
                                                    ev, written)
                    if finding:
                        out.append(finding)
                    continue
                # An untitled "my Special Envoy": the place of the sentence says which.
                countries = [p for p in places if p.kind == "country"]
                for place in countries[:1]:
                    finding = self._office_for_country(title, kind, place, para, n, offset + m.start(),
                                                       offset + end, ev, written)
                    if finding:
                        out.append(finding)
        return out

    def _office_for_area(self, title, kind, area, para, n, start, end, ev, written) -> Finding | None:
        key = name_key(f"{title} for {area}")
        entry = self.gaz.offices_by_key.get(key)
        if entry is not None:
            return self._mission(entry, para, n, start, end, evidence=ev, reference=written)
        offices = self.gaz.offices_for_area(area, ("regional office", "regional centre", "special envoy",
                                                   "special representative", "special adviser",
                                                   "special coordinator"))
        if offices:
            e = offices[0]
            return self._mission(e, para, n, start, end, evidence=ev, reference=written, inferred=True,
                                 note=f"The chapter names the {title} for {area}, who heads {e.name} "
                                      f"({e.entity_id}), the office for that area; the office itself is not named.")
        country = [h.entry for h in self.gaz.places.find(area) if h.entry.place_kind == "country"]
        if country and kind in ("special representative", "special envoy"):
            return self._office_for_country(title, kind, None, para, n, start, end, ev, written,
                                            iso3=country[0].entity_id)
        prefix = "".join(w[0] for w in title.split())
        return Finding("offices", f"{prefix}-{slug(area, limit=ID_LIMIT, empty=NO_ID).upper()}", f"{title} of the Secretary-General for {area}",
                       kind, para.paragraph_id, n, start, end, ev, reference=written)

    def _office_for_country(self, title, kind, place, para, n, start, end, ev, written, iso3=None):
        iso3 = iso3 or place.iso3
        country = self.gaz.countries.get(iso3, iso3)
        how = "in a sentence on" if place is not None else "for"
        if kind == "special envoy":
            envoys = [e for e in self.gaz.missions_by_id.values()
                      if e.table == "offices" and e.kind == "special envoy" and iso3 in e.iso3
                      and e.active_in(self.year)]
            if envoys:
                e = envoys[0]
                return self._mission(e, para, n, start, end, evidence=ev, reference=written, inferred=place is not None,
                                     note=(f"The chapter names a {title} {how} {country}; that is the "
                                           f"{e.name}." if place is not None else ""))
            return Finding("offices", f"SE-{iso3}", f"Special Envoy of the Secretary-General for {country}",
                           "special envoy", para.paragraph_id, n, start, end, ev, place is not None,
                           f"The chapter names a {title} {how} {country}." if place is not None else "",
                           iso3=iso3, reference=written)
        if kind == "special representative":
            missions = self.gaz.missions_hosted(iso3, self.year, ("special political mission", "peacekeeping operation"))
            if missions:
                m = missions[0]
                return Finding("offices", m.entity_id, f"Special Representative of the Secretary-General for "
                               f"{country}, head of {m.entity_id}", "special representative", para.paragraph_id, n,
                               start, end, ev, True,
                               f"The chapter names a {title} {how} {country}; the Special Representative "
                               f"there heads {m.name} ({m.entity_id}), working in {self.year}.",
                               iso3=iso3, reference=written)
        return None

    def _generic_missions(self, para, n, offset, sentence, places, previous_places, named_spans):
        out = []
        for m in GENERIC_MISSION.finditer(fold_chars(sentence)):
            if _overlaps(m.start(), m.end(), named_spans):
                continue
            where = m["where"] or m["where2"]
            mods = (m["mods"] or "") + (m["noun"] or "")
            if m["where2"]:
                mods = "peacekeeping operation"
            if "peacekeeping" in mods or m["noun"] == "peacekeeping force":
                kinds = ("peacekeeping operation", "hybrid operation")
            elif "political" in mods:
                kinds = ("special political mission",)
            elif m["noun"] == "protection force":
                continue
            elif not re.search(r"United Nations|UN\b|mission|operation", mods):
                continue
            else:
                kinds = UN_LED
            if where and where != "those countries":
                targets = [p for p in places if m.start() <= p.start - offset <= m.end() + 2]
            elif where == "those countries":
                targets = [p for p in places if p.start - offset < m.start()
                           and p.kind in ("country", "subnational area")] or previous_places
            else:
                targets = [p for p in places if p.kind in ("country", "subnational area")] or previous_places
            written = sentence[m.start():m.end()]
            ev = clip(para.text, offset + m.start(), offset + m.end())
            seen = set()
            for place in targets:
                iso3 = place.iso3
                if not iso3:
                    continue
                candidates = self.gaz.missions_hosted(iso3, self.year, kinds)
                sole = [e for e in candidates if e.iso3 == (iso3,)]
                for entry in sole or candidates:
                    if entry.entity_id in seen or entry.table != "operations":
                        continue
                    seen.add(entry.entity_id)
                    out.append(self._mission(
                        entry, para, n, offset + m.start(), offset + m.end(), evidence=ev,
                        reference=written, inferred=True,
                        note=f"The chapter speaks of '{written.strip()}' about {place.name}; the operation "
                             f"working there in {self.year} is {entry.name} ({entry.entity_id})."))
        return out

    def _un_presence(self, para, n, offset, sentence, found, places):
        """'the United Nations supported ...' in a sentence on a country: the UN mission there."""
        m = UN_ACTING.search(sentence)
        if not m or any(f.table == "operations" for f in found):
            return []
        out, seen = [], set()
        for place in places:
            if place.kind != "country" or not place.iso3:
                continue
            for entry in self.gaz.missions_hosted(place.iso3, self.year, UN_LED):
                if entry.table != "operations" or entry.entity_id in seen:
                    continue
                seen.add(entry.entity_id)
                out.append(self._mission(
                    entry, para, n, offset + m.start(), offset + m.end(),
                    evidence=window(para.text, offset + m.start(), offset + m.end(), words=2),
                    reference=m.group(0), inferred=True,
                    note=f"The chapter credits '{m.group(0)}' in {place.name}; the UN operation there in "
                         f"{self.year} is {entry.name} ({entry.entity_id})."))
        return out

    def _au_operations(self, para, n, offset, sentence, found, places):
        if not any(f.table == "partners" and f.entity_id in ("african-union", "au-commission") for f in found):
            return []
        if not re.search(r"\b(?:cooperation|partnership|together|joint)\b", sentence):
            return []
        out, seen = [], set()
        for place in places:
            if not place.iso3 or place.kind == "region":
                continue
            for entry in self.gaz.missions_hosted(place.iso3, self.year, AU_LED):
                if entry.entity_id in seen:
                    continue
                seen.add(entry.entity_id)
                out.append(self._mission(
                    entry, para, n, place.start, place.end, evidence=place.evidence, reference=place.reference,
                    inferred=True,
                    note=f"The chapter names cooperation with the African Union in {place.name}; the African "
                         f"Union or joint operation there in {self.year} is {entry.name} ({entry.entity_id})."))
        return out

    def _initiatives(self, para, n, offset, sentence, skip_spans):
        out, taken = [], list(skip_spans)
        folded = fold_chars(sentence)
        for m in RESOLUTION.finditer(folded):
            number = m["number"]
            organ = m["organ"] or ""
            name = f"{organ + ' ' if organ else ''}resolution {number}".strip()
            name = name[0].upper() + name[1:]
            out.append(Finding("initiatives", "resolution-" + slug(number, limit=ID_LIMIT, empty=NO_ID), name, "resolution",
                               para.paragraph_id, n, offset + m.start(), offset + m.end(),
                               clip(para.text, offset + m.start(), offset + m.end()), reference=sentence[m.start():m.end()]))
            taken.append((m.start(), m.end()))
        tokens = list(re.finditer(r"[\w\u00c0-\u017f'\u2019-]+", sentence))
        i = 0
        while i < len(tokens):
            word = tokens[i].group(0)
            if word in INITIATIVE_WORDS and INITIATIVE_WORDS[word]:
                lo = i
                while lo > 0 and (tokens[lo - 1].group(0)[:1].isupper() or tokens[lo - 1].group(0) in CONNECTORS) \
                        and sentence[tokens[lo - 1].end():tokens[lo].start()].strip() == "":
                    lo -= 1
                hi = i
                while hi + 1 < len(tokens) and (tokens[hi + 1].group(0)[:1].isupper()
                                                 or tokens[hi + 1].group(0) in CONNECTORS) \
                        and sentence[tokens[hi].end():tokens[hi + 1].start()].strip() == "":
                    hi += 1
                while lo < i and tokens[lo].group(0) in CONNECTORS:
                    lo += 1
                while hi > i and tokens[hi].group(0) in CONNECTORS:
                    hi -= 1
                capitals = sum(1 for t in tokens[lo:hi + 1] if t.group(0)[:1].isupper())
                start, end = tokens[lo].start(), tokens[hi].end()
                if capitals >= 2 and not _overlaps(start, end, taken) and lo != 0 or (lo == 0 and capitals >= 3):
                    name = sentence[start:end]
                    out.append(Finding("initiatives", slug(name, limit=ID_LIMIT, empty=NO_ID), name, INITIATIVE_WORDS[word], para.paragraph_id,
                                       n, offset + start, offset + end, clip(para.text, offset + start, offset + end),
                                       reference=name))
                    taken.append((start, end))
                i = hi + 1
                continue
            i += 1
        for m in NAMED_WITH_ACRONYM.finditer(folded):
            if _overlaps(m.start(), m.end(), taken):
                continue
            name = m["name"]
            out.append(Finding("initiatives", slug(m["acronym"], limit=ID_LIMIT, empty=NO_ID), f"{name} ({m['acronym']})", "initiative",
                               para.paragraph_id, n, offset + m.start(), offset + m.end(),
                               clip(para.text, offset + m.start(), offset + m.end()), reference=sentence[m.start():m.end()]))
            taken.append((m.start(), m.end()))
        for m in LOWER_INITIATIVES.finditer(folded):
            if _overlaps(m.start(), m.end(), taken):
                continue
            name = m["name"]
            kind = next((v for k, v in LOWER_KIND.items() if name.endswith(k)), "initiative")
            out.append(Finding("initiatives", slug(f"{para.paragraph_id}-{name}", limit=ID_LIMIT, empty=NO_ID), name[0].upper() + name[1:],
                               kind, para.paragraph_id, n, offset + m.start(), offset + m.end(),
                               clip(para.text, offset + m.start(), offset + m.end()), reference=sentence[m.start():m.end()]))
        return out

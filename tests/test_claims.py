"""Each class of error a reader found in the briefings (issue 18), as a rule over every page.

The rules read the built pages (the ledger's build: the default set, the World briefing and two
countries by ISO code) through the ledger's one extractor, and check what they print against the
data: categories, counts against lists, modality, "none recorded", actors placed, a country's main
facts, and artefacts. Each rule failed on the build of 75e0feb (run with ``PSW_LEDGER_BUILD``
naming an older build to see it fail).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from analysis.model import queries
from analysis.model.names import in_sentence
from analysis.prose import findings, ledger

pytestmark = pytest.mark.slow


@lru_cache(maxsize=None)
def _pages(folder: str) -> dict[str, list[tuple[str, str]]]:
    return {p.name: ledger.sentences(p.read_text(encoding="utf-8"))
            for p in sorted(Path(folder).glob("*.html"))}


def pages(build) -> dict[str, list[tuple[str, str]]]:
    return _pages(str(build))


def key_points(build, name: str) -> list[str]:
    """The page's list items (the key points) as sentences, from its HTML."""
    html = (Path(build) / name).read_text(encoding="utf-8")
    items = re.findall(r"<li>(.*?)</li>", html, re.S)
    return [ledger.normalise(re.sub(r"<[^>]+>", "", i)).replace("&amp;", "&").replace("&#x27;", "'")
            .replace("&quot;", '"') for i in items]


def selections(build) -> dict[str, object]:
    """{page name: its selection (None for the world)} for the region and country pages."""
    manifest = json.loads((Path(build) / "manifest.json").read_text(encoding="utf-8"))["briefings"]
    out = {}
    for bid, entry in manifest.items():
        params = entry.get("parameters") or {}
        value = params.get("country") or params.get("region")
        if value is not None and entry.get("notebook") in ("region", "country"):
            out[f"{bid}.html"] = queries.selection(value)
    return out


@lru_cache(maxsize=1)
def _names_with_joins() -> tuple[str, ...]:
    """Names holding ' and ' or ', ' (kept whole when a list is split), longest first."""
    from analysis.prose import text

    ds = queries.dataset()
    names = set()
    for table in ("offices", "partners", "places", "operations"):
        names |= {str(n) for n in ds[table]["name"].dropna()}
    names |= set(ds.countries["display_name"].dropna().astype(str))
    names |= {text.office_listed(r) for _, r in ds.offices.iterrows()}
    names |= {text.office_reference(r) for _, r in ds.offices.iterrows()}
    joined = {n for n in names if " and " in n or ", " in n}
    joined |= {n[:1].lower() + n[1:] for n in joined}
    return tuple(sorted(joined, key=len, reverse=True))


def _items(listing: str) -> list[str]:
    """'A, B (inferred) and 3 more' -> ['A', 'B', '+', '+', '+'] (names with 'and' kept whole)."""
    for n, name in enumerate(_names_with_joins()):
        listing = listing.replace(name, f"NAME{n}")
    listing = re.sub(r"\([^()]*\)", "", listing)
    more = re.search(r"(?:,| and) (\d+) more$", listing.strip())
    if more:
        listing = listing[: more.start()]
    names = _names_with_joins()
    parts = [re.sub(r"NAME(\d+)", lambda m: names[int(m.group(1))], p.strip())
             for p in re.split(r", | and ", listing) if p.strip()]
    return parts + ["+"] * (int(more.group(1)) if more else 0)


def _labels(dataset) -> dict[str, str]:
    """Printed label -> partner id (acronym, else name)."""
    p = dataset.partners
    return {(a if isinstance(a, str) and a else n): pid for pid, a, n in zip(p["partner_id"], p["acronym"], p["name"])}


# --- 1. categories ---------------------------------------------------------------------------------

def test_only_un_led_operations_are_shown_as_un_operations(ledger_build, dataset):
    """No sentence, title or alt text about UN (peace) operations names an operation whose lead
    is not the UN."""
    leads = dict(zip(dataset.operations["operation_id"], dataset.operations["lead"]))
    found = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            if not re.search(r"\bUN (?:peace )?operations?\b|^\d+ peace operations? (?:active|planned|closing)", s):
                continue
            for claim in re.split(r"(?<=\.) ", s):
                if re.search(r"AU-led|hybrid|led by the AU|AU-UN", claim):
                    continue
                named = [o for o in leads if re.search(rf"\b{re.escape(o)}\b", claim) and leads[o] != "UN"]
                if named:
                    found.append(f"{page}: {named} in {claim[:140]!r}")
    assert not found, "\n".join(found)


def test_partners_said_to_work_with_the_un_are_partners_with_stated_cooperation(ledger_build, dataset):
    """A list of partners said to work with the UN holds only organizations outside the UN, named
    as one body, with an engagement whose phrase states cooperation with the UN."""
    labels = _labels(dataset)
    partners = dataset.partners.set_index("partner_id")
    eng = dataset.engagements
    cooperating = set(eng.loc[eng["cooperation"].notna(), "partner_id"].dropna())
    cooperating |= {partners.loc[p, "part_of"] for p in cooperating if isinstance(partners.loc[p, "part_of"], str)}
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            m = re.match(r"\d+ partners?[^:]*works? with the UN[^:]*: (.*?)\. \(A/72", s)
            if not m or "by kind" in s:  # a count by kind lists kinds (the count test checks it)
                continue
            for item in _items(m.group(1)):
                pid = labels.get(item.removeprefix("the "))
                if pid is None or partners.loc[pid, "relation_to_un"] != "outside the UN" \
                        or bool(partners.loc[pid, "generic"]) or pid not in cooperating:
                    wrong.append(f"{page}: {item!r} in {s[:100]!r}")
    assert not wrong, "\n".join(wrong)


# --- 2. counts against lists -----------------------------------------------------------------------

def test_a_count_is_the_length_of_its_list(ledger_build):
    """'N things: a, b and c' names N things; an alt text's 'N shown/shaded; most ...: a, b and
    K more' names N."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            for m in re.finditer(r"(?:^|\. |: )(\d+) ([a-zA-Z][^:;.]*?): (.*?)(?:\. (?=\(A/72)|\.(?= \d| [A-Z])|\.$|; )", s):
                n, listing = int(m.group(1)), m.group(3)
                if "," not in listing and " and " not in listing and n == 1:
                    continue
                by_kind = re.findall(r" \((\d+)\)(?:,| and|$)", listing)  # "by kind: regional organization (4)"
                got = sum(int(k) for k in by_kind) if by_kind and "by kind" in s else len(_items(listing))
                if got != n and not m.group(2).startswith(("dated event", "engagement")):
                    wrong.append(f"{page}: {n} but {got} listed in {s[:160]!r}")
            shaded = re.search(r"(\d+) (?:countries|country) shaded; most [^:]+: (.*?)\.$", s)
            if shaded and len(_items(shaded.group(2))) != int(shaded.group(1)):
                wrong.append(f"{page}: {s[:160]!r}")
        # the offices the records sentence counts are the offices the office points list
        texts = [s for where, s in sentences if where == "text"]
        counted = next((re.search(r"(\d+) offices? or envoys?", s) for s in texts
                        if "dataset holds" in s and re.search(r"\d+ offices? or envoys?", s)), None)
        listed = sum(len(_items(m.group(1))) for s in texts for m in
                     [re.match(r"Offices and envoys (?!whose area \(context)[^:]*: (.*?)\. \(A/72", s)] if m)
        if counted and page != "index.html" and int(counted.group(1)) != listed:
            wrong.append(f"{page}: records sentence counts {counted.group(0)!r}, office points list {listed}")
    assert not wrong, "\n".join(wrong)


def test_the_map_never_counts_more_records_than_the_page(ledger_build):
    """A country's number on the records map is at most the page's count of records."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        total = None
        for _, s in sentences:
            m = re.search(r"holds (.*?)\. \(A/72", s)
            if m and "dataset holds" in s:
                total = sum(int(n) for n in re.findall(r"(?:^|, | and )(\d+) ", m.group(1)))
            few = re.search(r"Only (\d+) chapter records?", s)
            if few:
                total = int(few.group(1))
        if total is None:
            continue
        for where, s in sentences:
            m = re.search(r"countries by number of chapter records\. .*?most chapter records: (.*)\.$", s)
            if where == "alt" and m:
                values = [int(v) for v in re.findall(r" (\d+)(?:,| and|$)", m.group(1))]
                if values and max(values) > total:
                    wrong.append(f"{page}: page counts {total}, map says {m.group(1)!r}")
    assert not wrong, "\n".join(wrong)


def test_a_regions_map_counts_a_country_as_its_own_page_does(ledger_build):
    """One finding per claim across pages: the number a region's records map gives a country is
    the number of records that country's own page counts (issue 18, second reading, item 7: the
    Gambia 6 on the maps, 7 on its page, the offices present only through an engagement left
    out of the maps)."""
    totals = {}
    for page, sentences in pages(ledger_build).items():
        if not page.startswith("country-") or page.endswith("-note.html"):
            continue
        for _, s in sentences:
            m = re.match(r"For (.+?), the chapter's dataset holds (.*?)\. \(A/72", s)
            if m:
                totals[m.group(1)] = sum(int(n) for n in re.findall(r"(?:^|, | and )(\d+) ", m.group(2)))
    assert len(totals) >= 10, totals
    wrong, compared = [], 0
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            m = re.search(r"countries by number of chapter records\. .*?most chapter records: (.*)\.$", s)
            if where != "alt" or not m or "region as a whole" in s:
                continue
            for name, total in totals.items():
                shown = re.search(rf"(?:^|, | and ){re.escape(name)} (\d+)(?:,| and|$)", m.group(1))
                if shown:
                    compared += 1
                    if int(shown.group(1)) != total:
                        wrong.append(f"{page}: map gives {name} {shown.group(1)}, its page counts {total}")
    assert compared >= 20, compared
    assert not wrong, "\n".join(wrong)


# --- 3. modality --------------------------------------------------------------------------------

def test_an_engagement_point_carries_the_chapters_phrase_for_its_modality(ledger_build, dataset):
    """A key point restating an engagement (its actor first, its paragraph cited alone) quotes
    the phrase that carries the engagement's modality, so no paraphrase strengthens it."""
    acts = queries.engagements_in(None, ds=dataset)
    from analysis.prose import text

    starts = {}
    for _, row in acts.iterrows():
        starts.setdefault((text.actor_short_name(row, ds=dataset), row["paragraph"]), set()).add(
            row["modality_evidence"])
    wrong = []
    for page in pages(ledger_build):
        for point in key_points(ledger_build, page):
            cited = ledger.cited(point)
            if len(cited) != 1 or re.match(r"[^:]+: \d", point):  # a count per actor, not an engagement
                continue
            for (actor, paragraph), phrases in starts.items():
                if paragraph == cited[0] and re.match(rf"{re.escape(actor)}(?: in [^:]+)?: ", point):
                    if not any(f"\u201c{p}\u201d" in point for p in phrases):
                        wrong.append(f"{page}: {point[:140]!r} lacks \u201c{sorted(phrases)[0]}\u201d")
    assert not wrong, "\n".join(wrong[:40])


def test_an_operations_status_is_the_status_of_the_period(ledger_build, dataset):
    """An operation listed under a status in the period has that status in operation_status."""
    status = dict(zip(dataset.operation_status["operation_id"], dataset.operation_status["status"]))
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            m = re.match(r"\d+ (?:UN )?peace operations? (?:\([^)]*\) )?(active|planned|deploying|closing)[^:]*: (.*)\. \(A/72", s)
            if not m:
                continue
            for item in _items(m.group(2)):
                op = item.split(" ")[0]
                if op in status and status[op] != m.group(1):
                    wrong.append(f"{page}: {op} said {m.group(1)}, is {status[op]}")
    assert not wrong, "\n".join(wrong)


# --- 4. "nothing recorded" -----------------------------------------------------------------------------

#: A none sentence's kind of record -> the finding it must be true of.
NONE_KINDS = {
    "activities of UN operations, offices, envoys or bodies": lambda sel: findings.activities(sel),
    "activities of the UN's operations, offices, envoys or bodies": lambda sel: findings.activities(sel),
    "partner engagements": lambda sel: findings.actors(sel, "partners"),
    "partner working with the UN": lambda sel: findings.actors(sel, "partners"),
    "peace operations": lambda sel: findings.operations(sel),
    "UN peace operations": lambda sel: findings.operations(sel),
    "offices or envoys": lambda sel: findings.offices(sel, presence="all"),
    "office or envoy based or engaged in": lambda sel: findings.offices(sel),
    "dated events": lambda sel: findings.events(sel),
}


def test_nothing_is_said_to_be_missing_that_is_recorded(ledger_build):
    """'The chapter records no X for Y' holds for Y's own selection, and names records on a wider
    area overlapping Y when there are some."""
    sels = selections(ledger_build)
    wrong = []
    for page, sentences in pages(ledger_build).items():
        if page not in sels:
            continue
        for _, s in sentences:
            m = re.match(r"The chapter records no (.+?) (?:for|in) ([^;.]+)", s)
            if not m or m.group(1) not in NONE_KINDS:
                continue
            found = NONE_KINDS[m.group(1)](sels[page])
            if found:
                wrong.append(f"{page}: {s!r}, yet {found.count} recorded: {list(found.items)[:3]}")
            elif found.nearby and found.nearby_area not in s:
                wrong.append(f"{page}: {s!r}, yet {found.nearby_area} holds {list(found.nearby)[:3]}")
    assert not wrong, "\n".join(wrong)


# --- 5. actors placed ------------------------------------------------------------------------------

def test_an_office_is_placed_only_where_its_own_area_is(ledger_build, dataset):
    """'Offices and envoys ... in X: a, b' places each office in X only when its own area (its
    place) lies in X; an office only engaged there is said to be engaged."""
    sels = selections(ledger_build)
    offices = dataset.offices
    names = {}
    from analysis.prose import text

    for _, row in offices.iterrows():
        names[text.office_listed(row).split(" (")[0]] = row
    wrong = []
    for page, sentences in pages(ledger_build).items():
        if page not in sels or sels[page] is None:
            continue
        ids = queries.place_ids(sels[page], dataset)
        for _, s in sentences:
            m = re.match(r"Offices and envoys (?:the chapter places in|whose area, as the chapter names it, lies in) [^:]+: (.*)\. \(A/72", s)
            if not m:
                continue
            for item in _items(m.group(1)):
                row = names.get(item)
                if row is not None and row["place_id"] not in ids:
                    wrong.append(f"{page}: {item} placed there; its area is {row['place_id']}")
    assert not wrong, "\n".join(wrong)


# --- 6. a country's main facts -----------------------------------------------------------------------

def test_a_country_page_gives_its_situation_and_events_in_its_key_points(ledger_build, dataset):
    """Every situation the chapter describes in a country, and every dated event there, is in
    the country page's key points (not only in a table)."""
    sels = selections(ledger_build)
    wrong = []
    for page, sel in sels.items():
        if sel is None or sel.kind != "country":
            continue
        points = " ".join(key_points(ledger_build, page))
        situ = findings.situations(sel, ds=dataset)
        for _, row in situ.rows.iterrows():
            if row["description"] not in points:
                wrong.append(f"{page}: no key point on {row['description']!r}")
        events = findings.events(sel, ds=dataset)
        if 1 <= events.count <= 3:
            for _, row in events.rows.iterrows():
                if str(row["description"]).rstrip(".")[1:40] not in points:
                    wrong.append(f"{page}: event {row['description'][:50]!r} only in a table")
    assert not wrong, "\n".join(wrong)


# --- 7. artefacts -------------------------------------------------------------------------------------

def test_no_missing_value_marker_is_printed(ledger_build):
    found = [f"{page}: {s[:120]!r}" for page, ss in pages(ledger_build).items() for _, s in ss
             if re.search(r"<NA>|\bnan\b|\bNone\b", s)]
    assert not found, "\n".join(found)


def test_no_sentence_or_none_note_is_said_twice_on_a_page(ledger_build):
    wrong = []
    for page, sentences in pages(ledger_build).items():
        seen, nones = set(), []
        for where, s in sentences:
            if where != "text" or len(s) < 40 or s.startswith(("Chapter:", "Context:")) or page == "index.html":
                continue
            if s in seen:
                wrong.append(f"{page}: twice: {s[:100]!r}")
            seen.add(s)
            m = re.match(r"The chapter records no (.+?) for ", s)
            if m and "activities" not in m.group(1):  # activities are a kind of their own
                nones.append(set(re.findall(r"[a-z]+", m.group(1).replace("UN ", ""))) - {"or", "of", "the"})
        for i, a in enumerate(nones):
            for b in nones[i + 1:]:
                if a <= b or b <= a:
                    wrong.append(f"{page}: two none notes say the same: {sorted(a)} / {sorted(b)}")
    assert not wrong, "\n".join(wrong)


def test_a_title_gives_a_place_its_article(ledger_build, dataset):
    sels = selections(ledger_build)
    wrong = []
    for page, sel in sels.items():
        if sel is None:
            continue
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", (Path(ledger_build) / page).read_text(encoding="utf-8"), re.S)
        wanted = in_sentence(sel.label, dataset)
        if h1 and not h1.group(1).strip().endswith(wanted.replace("'", "&#x27;")) and \
                not h1.group(1).strip().endswith(wanted):
            wrong.append(f"{page}: {h1.group(1).strip()!r}, not {wanted!r}")
    assert not wrong, "\n".join(wrong)


def test_no_kind_of_actor_named_in_general_is_listed_as_one_actor(ledger_build, dataset):
    """'Governments engaged: Member States, ... and Governments' lists kinds of actors as actors."""
    generic = dataset.partners[dataset.partners["generic"].astype(bool)]
    labels = {a if isinstance(a, str) and a else n for a, n in zip(generic["acronym"], generic["name"])}
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            m = re.match(r"(\d+ partners?[^:]*|Governments? engaged[^:]*|UN bod[^:]*): (.*?)\. \(A/72", s)
            if m:
                listed = {i.removeprefix("the ") for i in _items(m.group(2))} & labels
                if listed:
                    wrong.append(f"{page}: {sorted(listed)} in {s[:100]!r}")
    assert not wrong, "\n".join(wrong)


def test_the_index_shows_readers_no_tool_details_or_dangling_notes(ledger_build):
    index = (Path(ledger_build) / "index.html").read_text(encoding="utf-8")
    for detail in ("notebook region", "parameters:", "executed notebook", "status: built", "(inferred: note"):
        assert detail not in index, detail


def test_a_sipri_regional_count_says_its_region_is_not_m49s(ledger_build):
    wrong = []
    for page, sentences in pages(ledger_build).items():
        html = (Path(ledger_build) / page).read_text(encoding="utf-8")
        if re.search(r"in the region|SIPRI", html) and re.search(r"active during the year[^<]{0,40} in (Africa|Europe|the Americas)", html):
            if "not those of the M49 region" not in html:
                wrong.append(page)
    assert not wrong, wrong


def test_a_timeline_gives_its_first_and_last_events_in_its_own_order(ledger_build, dataset):
    """The alt text's and the key point's earliest and latest events are the first and last of
    the timeline's one order (:func:`analysis.model.queries.in_date_order`)."""
    sels = selections(ledger_build)
    wrong = []
    for page, sentences in pages(ledger_build).items():
        if page not in sels:
            continue
        events = queries.timeline(sels[page], ds=dataset)
        if len(events) < 2:
            continue
        first, last = [str(events.iloc[i]["description"]).rstrip(".")[1:30] for i in (0, -1)]
        for where, s in sentences:
            m = re.search(r"(?:first|the earliest,|first to begin,|the first to begin,) [^:]+: (.*?); "
                          r"(?:last|the latest,|last to begin,|the last to begin,) [^:]+: (.*)", s)
            if m and where in ("alt", "text") and "Timeline" in s or (m and "dated events on the timeline" in s):
                if first not in m.group(1) or last not in m.group(2):
                    wrong.append(f"{page}: {s[:160]!r}")
    assert not wrong, "\n".join(wrong)


def test_no_event_is_listed_before_one_that_lies_within_its_dates(ledger_build, dataset):
    """Dates in the chapter's meaning: a span is not listed before an event inside it that ends
    earlier ("2017-2018: planned drawdown" before "May 2017: attempted mutiny" read as out of
    order; so did "December 2016-January 2017" before "7 December 2016"), on every page's
    timeline, and the printed earliest event is the timeline's first."""
    import pandas as pd

    wrong = []
    for page, sel in selections(ledger_build).items():
        events = queries.timeline(sel, ds=dataset)
        start, end = pd.to_datetime(events["date_start"]), pd.to_datetime(events["date_end"])
        for i in range(len(events)):
            for j in range(i + 1, len(events)):
                if end.iloc[j] < end.iloc[i] and start.iloc[j] >= start.iloc[i]:
                    wrong.append(f"{page}: {events.iloc[i]['date_label']} listed before "
                                 f"{events.iloc[j]['date_label']}, which lies within it")
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            if re.search(r"(?:first|last) to begin", s):
                wrong.append(f"{page}: 'to begin' claims an order of first days: {s[:120]!r}")
    assert not wrong, "\n".join(sorted(set(wrong)))


# --- issue 18, final review (review-18-final.md): classes found on the full pages ----------------

def test_a_context_fact_names_the_document_that_holds_it(ledger_build, dataset):
    """Review N4, P3: an operation's status note that states a fact from beyond the chapter
    (MINUSTAH's closure decided in April 2017, UNMIL's last mandate, UNOCI's end) labels it as
    context and names the Security Council resolution that holds it."""
    wrong = []
    for _, row in dataset.operation_status.iterrows():
        basis = str(row["basis"])
        if "Context" in basis and not re.search(r"Context, not from the chapter: .*resolution \d+ \(\d{4}\)", basis):
            wrong.append(f"data: {row['operation_id']}: {basis}")
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            if re.search(r"decided in April 2017|a last time, to March 2018|ended on 30 June 2017", s) \
                    and not re.search(r"resolution \d+ \(\d{4}\)", s):
                wrong.append(f"{page}: {s[:160]!r}")
            if s.startswith("Context, not from the chapter:") and "resolution" not in s \
                    and "(context: " not in s:
                wrong.append(f"{page}: {s[:160]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_situation_the_chapter_says_the_way_was_paved_for_is_not_said_to_be_reached(ledger_build, dataset):
    """Review P1: "paved the way for the return to constitutional normalcy" is not "normalcy
    regained": a situation whose phrase says the way was paved says the way was opened."""
    wrong = [f"data: {r['situation_id']}: {r['description']}" for _, r in dataset.situations.iterrows()
             if "paved the way" in str(r["modality_evidence"]) and "the way" not in str(r["description"])]
    for page, sentences in pages(ledger_build).items():
        wrong += [f"{page}: {s[:160]!r}" for _, s in sentences if re.search(r"\bregained\b", s)]
    assert not wrong, "\n".join(wrong)


def test_an_office_tied_to_a_place_only_by_inferred_engagements_is_marked_inferred(ledger_build, dataset):
    """Review P2: the CAAC office is tied to the DRC and Africa only through "my Special
    Representative", read as that office: wherever a page lists it for that place, it is marked."""
    sels = selections(ledger_build)
    engagements = dataset.engagements
    wrong = []
    for page, sentences in pages(ledger_build).items():
        if page not in sels:
            continue
        offices = queries.offices_in(sels[page], ds=dataset)
        acts = queries.engagements_in(sels[page], ds=dataset)
        for _, office in offices.iterrows():
            if str(office["presence"]) != "engagement" or str(office["inferred"]).lower() == "true":
                continue
            mine = acts[acts["office_id"] == office["office_id"]]
            raw = engagements[engagements["engagement_id"].isin(list(mine["engagement_id"]))]
            if not len(raw) or not all(str(v).lower() == "true" for v in raw["inferred"]):
                continue
            for _, s in sentences:
                if s.startswith("Offices and envoys with an engagement the chapter ties to") \
                        and office["name"] in s and f"{office['name']} (inferred)" not in s:
                    wrong.append(f"{page}: {s[:160]!r}")
    assert not wrong, "\n".join(wrong)


def test_no_internal_operation_id_is_printed(ledger_build, dataset):
    """Review P8: our own ids ("UNMISS-RPF") are never printed; the name is."""
    ours = [o for o in dataset.operations["operation_id"] if "-" in str(o)]
    assert ours
    wrong = [f"{page}: {s[:160]!r}" for page, sentences in pages(ledger_build).items()
             for _, s in sentences for o in ours if re.search(rf"\b{re.escape(o)}\b", s)]
    assert not wrong, "\n".join(wrong[:20])


def test_a_timeline_alt_writes_an_event_after_its_date_in_lower_case(ledger_build):
    """Review P6: "first to begin, June 2016: a robust, proactive mandate", not "...: A robust"."""
    from analysis.prose.text import lower_first

    wrong = []
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            if where == "alt" and s.startswith("Timeline"):
                for m in re.finditer(r"(?:first|last) to begin, [^:;]+: ([^;]+)", s):
                    if lower_first(m.group(1)) != m.group(1):
                        wrong.append(f"{page}: {s[:160]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_chart_alt_gives_each_actor_one_bar(ledger_build):
    """Review P10: MINUSTAH was two bars, "(inferred) 2" and plain "1"; an actor is one bar."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            if where == "alt" and "engagements tied to a place" in s and ": " in s:
                listed = re.split(r"tied to a place(?:, most first)?: ", s, maxsplit=1)[-1].rstrip(".").split(", ")
                names = [re.sub(r"(?: \((?:partly )?inferred\))? \d+$", "", n) for n in listed]
                if len(set(names)) != len(names):
                    wrong.append(f"{page}: {s[:200]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_chart_alt_with_money_figures_says_they_are_context_with_unit_and_source(ledger_build):
    """Review P4: the chapter prints no money figure, so an alt giving one is context: it says so,
    gives the unit of its values and names its sources."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            if where == "alt" and re.search(r"US\$|billion|million", s):
                if "context" not in s.lower() or "Context:" not in s or not re.search(r"Values \([^)]+\)", s):
                    wrong.append(f"{page}: {s[:200]!r}")
    assert not wrong, "\n".join(wrong)


# --- issue 18, fresh review (review-18-fresh.md): context and inference marks -------------------

def _text_of(html: str) -> str:
    import html as _html

    return " ".join(_html.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_office_coverage_shown_as_context_names_its_source(ledger_build, dataset):
    """Review P1: wherever an office's coverage is shown as context (a key point, the offices
    table, a note, the index), the same sentence or cell names the source that holds it, and the
    page lists that source with its address."""
    sources = dataset.sources.set_index("source_id")
    wrong = []
    for path in sorted(Path(ledger_build).glob("*.html")):
        page = _text_of(path.read_text(encoding="utf-8"))
        for bare in ("(context: their coverage)", "(context: its coverage)", "coverage (context)"):
            if bare in page:
                wrong.append(f"{path.name}: {bare!r} without its source")
        for m in re.finditer(r"\(?(?:context: (?:their|its) coverage|coverage \(context|coverage: context),"
                             r" source: ([^)]{0,80})", page):
            if "website" not in m.group(1):
                wrong.append(f"{path.name}: {m.group(0)!r}")
        if path.name == "index.html":
            if re.search(r"\(\w+ coverage, \d+ countr", page) and "coverage: context, source: " not in page:
                wrong.append("index.html: an office's coverage without its source")
            continue
        if re.search(r"coverage \(context|context: (?:their|its) coverage", page):
            for office, source in dataset.office_coverage[["office_id", "source_id"]].drop_duplicates().itertuples(index=False):
                if f"source: the {office} website" in page and str(sources.loc[source, "url"]) not in page:
                    wrong.append(f"{path.name}: {office}'s coverage source not in its sources list")
    assert not wrong, "\n".join(wrong)


def test_the_middle_east_is_printed_with_its_caveat(ledger_build, dataset):
    """Review P3: the Middle East has no standard definition; a page that sets a selection
    beside it prints the data's caveat (region_equivalents, relation 'approximately')."""
    eq = dataset.region_equivalents
    caveat = str(eq.loc[(eq["place_id"] == "middle-east") & (eq["part"] == 1), "note"].iloc[0])
    wrong = []
    for path in sorted(Path(ledger_build).glob("*.html")):
        page = _text_of(path.read_text(encoding="utf-8"))
        if re.search(r"selection as the Middle East|in the Middle East only", page) and caveat not in page:
            wrong.append(path.name)
    assert not wrong, wrong


def test_a_notes_reporting_period_is_marked_inferred(ledger_build, dataset):
    """Review P2: the note's stamp gives the reporting period's bounds, which the chapter does
    not state; the note lists no inference for them, so the stamp marks them inferred."""
    notes = sorted(Path(ledger_build).glob("*-note.html"))
    assert notes, "the ledger build has no notes"
    wrong = []
    for path in notes:
        page = _text_of(path.read_text(encoding="utf-8"))
        for m in re.finditer(r"data: the reporting period \(([^)]*)\)", page):
            if "inferred" not in m.group(1):
                wrong.append(f"{path.name}: {m.group(0)!r}")
    assert not wrong, "\n".join(wrong)


# --- second reading of issue 18 -------------------------------------------------------------------

def test_no_un_activity_is_said_to_be_missing_where_the_un_states_cooperation(ledger_build, dataset):
    """Second reading 1-3: 'no activities of the UN's operations, offices, envoys or bodies' for
    Somalia, the Sudan and South-eastern Asia, where the chapter records the UN's own cooperation
    (with the AU, the EU, ASEAN) as the partner's engagement. Where the selection holds such rows,
    the sentence names each partner it cooperates with there."""
    sels = selections(ledger_build)
    wrong = []
    for page, sentences in pages(ledger_build).items():
        if page not in sels:
            continue
        for _, s in sentences:
            if not s.startswith("The chapter records no activities of the UN's"):
                continue
            partners = findings.actors(sels[page], "partners", ds=dataset)
            missing = [p for p in partners.items if p not in s]
            if missing or (partners and "cooperation" not in s):
                wrong.append(f"{page}: {s!r}, yet the UN's cooperation with {missing} is recorded there")
    assert not wrong, "\n".join(wrong)


def _rows(html: str) -> list[list[str]]:
    import html as _html

    return [[_html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]


def test_a_timeline_calls_planned_only_what_the_data_calls_planned(ledger_build, dataset):
    """Second reading 4: 'by the end of 2017 | elections in the DRC … | planned', where the chapter
    says support 'will continue to be required to allow' them: a need, not a plan. A timeline row
    (date as written, description, status, place, paragraph) says 'planned' only for an event the
    data gives as planned."""
    events = dataset.events
    not_planned = {(str(p), str(d)) for p, d, st in zip(events["paragraph"], events["date_as_written"],
                                                        events["status"])
                   if st != "planned" and isinstance(d, str) and d}
    wrong = []
    for path in sorted(Path(ledger_build).glob("*.html")):
        for cells in _rows(path.read_text(encoding="utf-8")):
            if len(cells) >= 5 and cells[2] == "planned" and (cells[4], cells[0]) in not_planned:
                wrong.append(f"{path.name}: {' | '.join(cells[:3])}")
    assert not wrong, "\n".join(wrong)


#: How an outside date's note names the document that holds it.
NAMED_DOCUMENT = re.compile(r"resolution (?:\d{4}|\d{2}/\d+)|Spokesman|S/\d{4}/\d+")


def test_a_date_not_in_the_chapter_names_the_document_that_holds_it(ledger_build, dataset):
    """Second reading 5: a date the chapter does not give (the Gambia crisis, Haiti's 7 February
    2017, the CENCO agreement, Ghana's elections) is printed only with a note naming a public
    document that holds it."""
    wrong = []
    for _, row in dataset.events.iterrows():
        note = row["inference_note"]
        outside = not (isinstance(row["date_as_written"], str) and row["date_as_written"]) or (
            isinstance(note, str) and re.search(r"\d{1,2} (?:January|February|March|April|May|June|July|"
                                                r"August|September|October|November|December) \d{4}", note))
        if outside and not (isinstance(note, str) and NAMED_DOCUMENT.search(note)):
            wrong.append(f"data: {row['event_id']}: {note!r}")
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            if re.search(r"The chapter (?:gives no date|says '[^']+'; normalised)", s) \
                    and re.search(r"\d{4}", s.split(":", 1)[-1]) and not NAMED_DOCUMENT.search(s):
                wrong.append(f"{page}: {s[:200]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_context_figure_with_a_caveat_in_the_reference_prints_it(ledger_build, dataset):
    """Second reading 6: the Peacebuilding Fund's 'US$ 152.5 million' pledges, which the public
    reference gives beside another count of the day, print a caveat wherever they are shown; sixth
    reading C1: that count's press report is unnamed, so the caveat says the counts differ without
    printing its figures (tests/test_context.py keeps unsourced figures out)."""
    from analysis.prose.formatting import caveat_phrase, public_value

    wrong = []
    rows = dataset.public_figures.set_index("figure_id")
    pbf = rows.loc["pbf-pledges-2016"]
    if not (isinstance(pbf["caveat"], str) and "differ" in pbf["caveat"] and "million" not in pbf["caveat"]):
        wrong.append("data: pbf-pledges-2016 without its caveat (counts of the day differ), or with unsourced figures")
    for path in sorted(Path(ledger_build).glob("*.html")):
        page = _text_of(path.read_text(encoding="utf-8"))
        for _, row in dataset.public_figures.iterrows():
            caveat = row["caveat"]
            shown = public_value(row, caveat=False)
            if "US$" not in str(row["unit"]) or not (isinstance(caveat, str) and caveat):
                continue
            if re.search(re.escape(shown) + r"\b", page) and caveat_phrase(caveat) not in page:
                wrong.append(f"{path.name}: {shown} without its caveat")
    assert not wrong, "\n".join(wrong)


# --- issue 18, second reading (review-18-second.md), items 7-17 and the previous review's leftovers

#: Words naming a condition that lasts (a state), not an act that is over.
STATE_WORDS = ("obstruction", "hostilities", "tension", "reluctance", "lack of", "disagreement")


def test_a_lasting_condition_is_never_done(dataset):
    """An engagement whose phrase names a lasting condition (obstructions, hostilities, tension,
    reluctance) is not 'done': South Sudan's 'crippling obstructions' were printed as done."""
    eng = dataset.engagements
    wrong = [f"{r.engagement_id}: {r.modality_evidence!r}" for r in eng.itertuples()
             if r.modality == "done" and any(w in str(r.modality_evidence).lower() for w in STATE_WORDS)]
    assert not wrong, "\n".join(wrong)


def test_an_ordinal_is_never_shown_or_counted_as_a_figure(ledger_build, dataset):
    """'second' (Kabila's second term) is an ordinal, not a figure: no page's table shows a
    figure of kind ordinal, and no page's records count one."""
    ordinals = set(dataset.figures.loc[dataset.figures["kind"] == "ordinal", "figure_id"])
    assert ordinals, "the data keeps the ordinal's row"
    wrong = [p.name for p in sorted(Path(ledger_build).glob("*.html"))
             if re.search(r">\s*ordinal\s*<", p.read_text(encoding="utf-8"))]
    for page, sel in selections(ledger_build).items():
        counted = set(findings.records(sel, ds=dataset)["figures"].items)
        if counted & ordinals:
            wrong.append(f"{page}: counts {sorted(counted & ordinals)} as figures")
    assert not wrong, "\n".join(wrong)


def test_the_un_as_a_whole_is_not_called_a_un_body(ledger_build, dataset):
    """'the United Nations' (partners.kind 'UN as a whole') is not listed as 'a UN body, part of
    the UN': the group that lists it says 'the UN as a whole'."""
    whole = dataset.partners[dataset.partners["kind"] == "UN as a whole"]
    labels = {("the " if a == "the" else "") + n for n, a in zip(whole["name"], whole["article"].fillna(""))}
    assert labels
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            m = re.match(r"(UN bod[^:]*): (.*?)\.(?: \(A/72|$)", s)
            if m and any(label in _items(m.group(2)) for label in labels) and "as a whole" not in m.group(1):
                wrong.append(f"{page}: {s[:150]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_partner_here_is_not_also_listed_as_without_cooperation(ledger_build):
    """An organization the page says works with the UN (a partner's own point, or the partners
    list) is not also among the 'organizations and groups named, their cooperation with the UN not stated'
    on that page (the AU on the partnerships page and note)."""
    def bare(name: str) -> str:
        return re.sub(r"^the ", "", name.strip(), flags=re.I)

    wrong = []
    for page, sentences in pages(ledger_build).items():
        partners, others = set(), set()
        for _, s in sentences:
            own = re.match(r"(.+?): \d+ engagements? in which the chapter states cooperation with the UN", s)
            if own:
                partners.add(bare(own.group(1)))
            listed = re.match(r"\d+ partners? the chapter says works? with the UN(?: here)?: (.*?)\. \(A/72", s)
            if listed:
                partners |= {bare(i) for i in _items(listed.group(1))}
            none = re.match(r"Organizations?(?: (?:and|or) groups?)? named, (?:its|their) cooperation with the UN "
                            r"not stated(?: here)?: (.*?)\. \(A/72", s)
            if none:
                others |= {bare(i) for i in _items(none.group(1))}
        if partners & others:
            wrong.append(f"{page}: {sorted(partners & others)} both partners and without cooperation")
    assert not wrong, "\n".join(wrong)


def test_an_event_never_repeats_its_date_in_its_description(ledger_build, dataset):
    """'June 2017: elections in Lesotho in June 2017, ...' says its date twice: no event's
    description holds its own date as written, and no printed timeline entry repeats its date."""
    ev = dataset.events
    wrong = [f"{r.event_id}: {r.description!r}" for r in ev.itertuples()
             if isinstance(r.date_as_written, str) and r.date_as_written
             and r.date_as_written.lower() in str(r.description).lower()]
    month = r"(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            for m in re.finditer(rf"({month}): ([^;]*)", s):
                if m.group(1) in m.group(2):
                    wrong.append(f"{page}: {m.group(0)[:120]!r}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_a_chart_of_actors_is_titled_as_actors_and_says_most_only_where_numbers_differ(ledger_build):
    """The chart of engagements by place draws every actor (governments, parties to a conflict,
    UN bodies): it is not titled "Who works where", and its alt says "most" only where the
    actors' numbers differ (item 15: "most engagements ...: Government of the Gambia 1, PBC 1")."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            if where != "alt" or not s.startswith("Chart:"):
                continue
            if "Who works where" in s:
                wrong.append(f"{page}: {s[:120]!r}")
            m = re.search(r"\bmost\b[^:]*: (.*)\.$", s)
            if m and "engagements" in s:
                values = re.findall(r" (\d+)(?:,| and|$)", m.group(1))
                if len(values) > 1 and len(set(values)) == 1 and " more" not in m.group(1):
                    wrong.append(f"{page}: 'most' over equal numbers: {s[:140]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_note_points_to_nothing_it_does_not_show_and_keeps_the_deployments_phrase(ledger_build):
    """No sentence sends the reader to "the activities" (a note has no such table): a force or
    operation said to be deploying carries the chapter's own phrase for it, quoted (item 16:
    the Regional Protection Force's "has generated minimal progress" was dropped)."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            if re.search(r"see the activities|see how the chapter puts it", s):
                wrong.append(f"{page}: points elsewhere: {s[:120]!r}")
            if re.search(r"\bdeploying in the period\b", s) and "\u201c" not in s:
                wrong.append(f"{page}: deploying without the chapter's phrase: {s[:120]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_partnerships_note_gives_the_partner_count(ledger_build):
    """The partnerships briefing's headline, its count of partners working with the UN, is among
    its note's key points (item 17: the note opened with UN bodies and never gave it)."""
    wrong, seen = [], 0
    for page, sentences in pages(ledger_build).items():
        if not (page.startswith("partnerships") and not page.endswith("-note.html")):
            continue
        full = [s for _, s in sentences if re.match(r"\d+ partners? the chapter says works? with the UN", s)]
        note = page.replace(".html", "-note.html")
        if not full or note not in pages(ledger_build):
            continue
        seen += 1
        if full[0] not in [s for _, s in pages(ledger_build)[note]]:
            wrong.append(f"{note}: lacks {full[0][:100]!r}")
    assert seen, "a partnerships page with its note"
    assert not wrong, "\n".join(wrong)


def test_an_offices_table_counts_its_rows_as_the_key_points_do(ledger_build):
    """A2: the offices table has as many rows as the records sentence counts offices, plus those
    its caption says are listed only by their area (context): the DRC's "1 office or envoy"
    stood beside 2 rows, and Burundi's UNOCA row beside "no office or envoy"."""
    wrong, seen = [], 0
    for path in sorted(Path(ledger_build).glob("*.html")):
        if path.name.endswith("-note.html") or not path.name.startswith(("country-", "region-")):
            continue
        html = path.read_text(encoding="utf-8")
        table = re.search(r'<table class="report-table">\s*<caption>(Offices and envoys[^<]*)</caption>(.*?)</table>',
                          html, re.S)
        if not table:
            continue
        seen += 1
        rows = len(re.findall(r"<tr", table.group(2))) - 1
        holds = next((s for _, s in pages(ledger_build)[path.name] if "dataset holds" in s), "")
        counted = re.search(r"(\d+) offices? or envoys?", holds)
        chapter = int(counted.group(1)) if counted else 0
        area = re.search(r"(\d+) only because", table.group(1))
        if rows != chapter + (int(area.group(1)) if area else 0):
            wrong.append(f"{path.name}: {rows} rows, the key points count {chapter}, caption {table.group(1)!r}")
    assert seen >= 10, seen
    assert not wrong, "\n".join(wrong)


# --- issue 18, third reading (review-18-third.md) ------------------------------------------------

def _tables(html: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, header, rows) of every report table on a page, cells as plain text."""
    import html as _html

    def cells(row: str, tag: str) -> list[str]:
        return [" ".join(_html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", row, re.S)]

    out = []
    for table in re.findall(r'<table class="report-table">(.*?)</table>', html, re.S):
        caption = re.search(r"<caption>(.*?)</caption>", table, re.S)
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
        header = cells(rows[0], "th") if rows else []
        out.append((_text_of(caption.group(1)) if caption else "", header,
                    [cells(r, "t[hd]") for r in rows[1:]]))
    return out


def _plain(s: str) -> str:
    return " ".join(s.replace("\u2019", "'").replace("\u2018", "'").replace("\u2014", "-").split()).lower()


def test_a_phrase_shown_as_written_or_quoted_occurs_in_the_paragraph_its_row_cites(ledger_build, seed_paragraphs):
    """W1: the Secretary-General's offices row on Ukraine cited partnerships/2 beside "as written:
    the Secretary-General's good offices", a phrase of adapting/1. Every table row's "as written"
    cell, and every phrase it quotes ('…'), occurs in a paragraph the row cites."""
    texts = {k: _plain(v.text) for k, v in seed_paragraphs.items()}
    wrong, checked = [], 0
    for path in sorted(Path(ledger_build).glob("*.html")):
        for caption, header, rows in _tables(path.read_text(encoding="utf-8")):
            if "paragraph" not in header:
                continue
            for row in rows:
                if len(row) != len(header):
                    continue
                cell = dict(zip(header, row))
                cited = [texts.get(p.strip(), "") for p in re.split(r",\s*", cell["paragraph"]) if p.strip()]
                phrases = [cell["as written"]] if cell.get("as written") else []
                for value in row:
                    phrases += re.findall(r"(?:^|[\s(\[])'([^']{6,}?)'(?=[)\],.;:]|\s|$)", value)
                for phrase in phrases:
                    checked += 1
                    bare = _plain(phrase).strip(" .…").replace("…", "")
                    pieces = [p.strip() for p in re.split(r"\s*\.\.\.\s*|…", _plain(phrase)) if p.strip(" .")]
                    if not any(all(p.strip(" .") in t for p in pieces) for t in cited) and bare:
                        wrong.append(f"{path.name} [{caption}]: {phrase!r} not in ¶ {cell['paragraph']}")
    assert checked > 20, checked
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_every_engagement_an_actor_is_counted_for_has_its_row(ledger_build, dataset):
    """A1: "AU 6" on the Africa chart beside 5 AU rows (its South Sudan engagement, ¶ crisis/2,
    counted but listed nowhere), and "One row per engagement" on the partnerships page beside 35
    rows for 36 engagements. A chart's count for an organization outside the UN is the number of
    rows the page's table of organizations gives it (on the partnerships page, whose chart counts
    the engagements with stated cooperation, those rows counted as such: issue 18, A2); the
    partnerships table has a row for every engagement of an organization, government or party
    outside the UN."""
    p = dataset.partners
    outside = set(p.loc[(p["relation_to_un"] != "UN system") & ~p["generic"].astype(str).str.lower().eq("true"), "partner_id"])
    labels = {(a if isinstance(a, str) and a else n): pid for pid, a, n in zip(p["partner_id"], p["acronym"], p["name"])}
    wrong, seen = [], 0
    for path in sorted(Path(ledger_build).glob("*.html")):
        html = path.read_text(encoding="utf-8")
        table = next(((h, r) for c, h, r in _tables(html) if c.startswith("Organizations, governments and parties named")), None)
        if table is None:
            continue
        header, rows = table
        alt = next((s for _, s in pages(ledger_build)[path.name] if s.startswith("Chart: Actors engaged")), "")
        stated = "in which the chapter states cooperation" in alt  # the partnerships chart (A2)
        rows_of = {}
        for row in rows:
            cell = dict(zip(header, row))
            key = cell.get("acronym") or cell.get("who")
            if stated and "cooperation with the UN stated" not in cell.get("counted as", ""):
                continue
            if cell.get("where"):  # the chart counts engagements tied to a place
                rows_of[key] = rows_of.get(key, 0) + 1
        for _, s in pages(ledger_build)[path.name]:
            if not s.startswith("Chart: Actors engaged"):
                continue
            for label, n in re.findall(r"(?:: |, )([^,:]+?)(?: \(inferred\))? (\d+)(?=,| and |\.$)", s):
                if labels.get(label) in outside:
                    seen += 1
                    if rows_of.get(label, 0) != int(n):
                        wrong.append(f"{path.name}: chart counts {label} {n}, the table has {rows_of.get(label, 0)} rows")
        if path.name == "partnerships.html":
            engaged = dataset.engagements["partner_id"].isin(outside).sum()
            if len(rows) != engaged:
                wrong.append(f"{path.name}: {len(rows)} rows for {engaged} engagements")
    assert seen >= 5, seen
    assert not wrong, "\n".join(wrong)


def test_a_none_sentence_on_operations_names_exactly_the_kind_absent(ledger_build):
    """A5: "The chapter records no UN peace operations for the Sudan" beside UNAMID, "... for
    Afghanistan" beside UNAMA's head. A page that says it records no UN peace operations shows no
    peace operation and no office or envoy through the chapter; one that says none is "led by
    the UN alone" shows only operations the AU leads or shares."""
    wrong = []
    for path in sorted(Path(ledger_build).glob("*.html")):
        said = " ".join(s for _, s in pages(ledger_build)[path.name])
        tables = _tables(path.read_text(encoding="utf-8"))
        ops = [dict(zip(h, r)) for c, h, r in tables if c.startswith("Peace operations") for r in rows_of(h, r)]
        offices = [dict(zip(h, r)) for c, h, r in tables if c.startswith("Offices and envoys") for r in rows_of(h, r)]
        if "records no UN peace operations" in said and (
                ops or any("coverage" not in o.get("present through", "") for o in offices)):
            wrong.append(f"{path.name}: 'no UN peace operations' beside {[o.get('name') for o in ops + offices]}")
        if "no peace operations led by the UN alone" in said and any(
                "UN" == o.get("led by", o.get("lead", "")) for o in ops):
            wrong.append(f"{path.name}: 'none led by the UN alone' beside a UN-led operation")
    assert not wrong, "\n".join(wrong)


def rows_of(header, rows):
    return [r for r in rows if r]


def test_the_uns_own_activity_in_a_country_is_a_row_of_its_page(ledger_build, dataset):
    """A7: Liberia's page lacked "the United Nations developed a peacebuilding plan" (¶
    sustaining/4). Every engagement the data gives the United Nations in a country with a page
    is a row of that page's table of the UN's activities, citing its paragraph."""
    e = dataset.engagements
    wrong, seen = [], 0
    for page, sel in selections(ledger_build).items():
        if sel is None or sel.kind != "country":
            continue
        mine = e[(e["partner_id"] == "united-nations") & e["place_id"].isin(list(sel.place_ids))]
        if not len(mine):
            continue
        rows = [dict(zip(h, r)) for c, h, r in _tables((Path(ledger_build) / page).read_text(encoding="utf-8"))
                if c.startswith("What the UN's operations") for r in r]
        for p in mine["paragraph"]:
            seen += 1
            if not any(r.get("who") == "United Nations" and p in r.get("paragraph", "") for r in rows):
                wrong.append(f"{page}: no row of the United Nations citing {p}")
    assert seen >= 2, seen
    assert not wrong, "\n".join(wrong)


def test_a_page_points_only_to_briefings_that_are_built(ledger_build):
    """A2: regional pages said "the World edition of this briefing shows them" (the context
    figures), but no World edition of a regional briefing is in the default set. A page that
    points to "the World edition" is in a build that holds one."""
    manifest = json.loads((Path(ledger_build) / "manifest.json").read_text(encoding="utf-8"))["briefings"]
    worlds = {e.get("notebook") for e in manifest.values()
              if (e.get("parameters") or {}).get("region") == "World"}
    default = {b for b, e in manifest.items() if not b.startswith(("region-world", "country-iso-"))}
    wrong = [f"{page}: {s!r}" for page, sentences in pages(ledger_build).items()
             if page[:-5].removesuffix("-note") in default
             for _, s in sentences if "World edition of this briefing shows" in s]
    assert not wrong or worlds, worlds
    assert not wrong, "\n".join(wrong[:10])


def test_a_none_sentence_never_follows_from_one_already_said(ledger_build):
    """A10: "The chapter records no figures for X. The chapter records no figures measured
    against a target for X." (the second follows from the first), and Burundi's offices caption
    "none through the chapter" followed by "no office or envoy based or engaged in Burundi"."""
    wrong = []
    for path in sorted(Path(ledger_build).glob("*.html")):
        said = [s for _, s in pages(ledger_build)[path.name]]
        joined = " ".join(said)
        if re.search(r"records no figures for ", joined) and "no figures measured against a target" in joined:
            wrong.append(f"{path.name}: no figures, then no figures against a target")
        if "none through the chapter" in path.read_text(encoding="utf-8") and \
                "records no office or envoy based or engaged" in joined:
            wrong.append(f"{path.name}: 'none through the chapter', then 'no office or envoy based or engaged'")
    assert not wrong, "\n".join(wrong)


def test_a_number_that_is_part_of_a_name_is_not_a_figure(dataset):
    """A3: "four | States in the Normandy format on Ukraine" under "Figures the chapter states",
    where the chapter has only the name "Normandy Four". No figure's number as written is a word
    of a name the chapter gives an actor."""
    names = [str(n) for t in ("partners", "offices", "operations") for n in dataset[t]["name"].dropna()]
    wrong = [f"{r.figure_id}: {r.as_written!r} is part of {n!r}"
             for r in dataset.figures.itertuples() for n in names
             if re.search(rf"\b{re.escape(str(r.as_written))}\b", n, re.I)
             and re.search(rf"\b{re.escape(n)}\b", str(r.evidence), re.I)]
    assert not wrong, "\n".join(wrong)


def test_engagements_tied_to_places_name_as_many_places_as_they_say(ledger_build):
    """A14: "The AU: 6 engagements …, 5 of them tied to a place (the Central African Republic,
    Darfur, Mali and Somalia)": five, and four places listed. "K of them tied to a place (list)"
    lists K places; "K of them tied to N places (list)" lists N."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            for m in re.finditer(r"(\d+) of them tied to (a place|\d+ places) \(([^()]*)\)", s):
                want = int(m.group(1)) if m.group(2) == "a place" else int(m.group(2).split()[0])
                if len(_items(m.group(3))) != want:
                    wrong.append(f"{page}: {m.group(0)!r}")
    assert not wrong, "\n".join(wrong)


def test_all_the_chapter_says_is_not_followed_by_context_unmarked_as_such(ledger_build):
    """A12: Burundi: "the points below are all the chapter says about it", and the first point
    after it is context (UNOCA's coverage). A little-data header that promises only the chapter
    says that context, where shown, is marked as such."""
    wrong = []
    for page, sentences in pages(ledger_build).items():
        said = [s for _, s in sentences]
        if any("the points below are all the chapter says" in s for s in said) and \
                any("(context:" in s or s.startswith("Context") for s in said):
            wrong.append(page)
    assert not wrong, wrong


# --- fourth reading of issue 18 ------------------------------------------------------------------

def _implied_countries(dataset) -> dict[str, str]:
    """{iso3: printed name} of the countries the chapter's records reach only by inference: every
    record tied to it (its own row aside) is tied through an inferred link or to a place the
    chapter only implies (the United Kingdom: the chapter names only London)."""
    frame = queries.place_records(ds=dataset)
    frame = frame[frame["table"] != "places"].merge(dataset.places[["place_id", "iso3"]], on="place_id")
    frame = frame[frame["iso3"].notna()]
    implied = {str(iso3) for iso3, g in frame.groupby("iso3") if g["place_inferred"].astype(bool).all()}
    names = dict(zip(dataset.countries["iso3"], dataset.countries["display_name"]))
    return {iso3: str(names.get(iso3, iso3)) for iso3 in sorted(implied)}


def test_a_place_reached_only_by_inference_is_marked_inferred_wherever_it_is_counted(ledger_build, dataset):
    """U1: the chapter names only London (wps/1); the United Kingdom was printed without its mark
    in the index teaser, its page's "Little data" note, four dated-events tables and three map
    alts ("Countries named in the chapter's records ...: the United Kingdom 1"). Every surface
    that counts or names a country the chapter's records reach only by inference marks it: a
    map alt "(inferred)" after its name (and its title does not say the chapter names it), a
    records sentence or "Little data" note on that country "(inferred)", a table row placing
    an event there the *inferred* column with its note."""
    implied = _implied_countries(dataset)
    assert "GBR" in implied, "the London conference's country is no longer reached by inference"
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            for name in implied.values():
                said = in_sentence(name, dataset)
                if said not in s and name not in s:
                    continue
                if where == "alt" and s.startswith("Map:"):
                    if re.search(rf"\b{re.escape(name)} \d+\b", s):
                        wrong.append(f"{page} (map alt, no mark): {s[:200]!r}")
                    if s.startswith("Map: Countries named in") and re.search(rf"\b{re.escape(name)}\b", s):
                        wrong.append(f"{page} (map alt says the chapter names it): {s[:120]!r}")
                elif re.match(rf"For {re.escape(said)}, the chapter's dataset holds", s) \
                        and "inferred" not in s:
                    wrong.append(f"{page} (records sentence): {s[:200]!r}")
                elif re.match(r"Only \d+ chapter records?\b", s) and said in s \
                        and "inferred" not in s:
                    wrong.append(f"{page} (little data): {s[:200]!r}")
        html = (Path(ledger_build) / page).read_text(encoding="utf-8")
        for caption, header, rows in _tables(html):
            if "places" not in header:
                continue
            for row in (dict(zip(header, r)) for r in rows if r):
                places = [p.strip() for p in row.get("places", "").split(",")]
                if any(name in places for name in implied.values()) and not row.get("inferred"):
                    wrong.append(f"{page} ({caption}): {row!r}")
    assert not wrong, "\n".join(wrong)


def test_a_timeline_marks_the_events_its_dated_events_table_marks_inferred(ledger_build):
    """Fifth reading: the United Kingdom's page listed the London conference with its *inferred*
    note in the dated-events table, while the timeline's alt text beside it named the same event
    with no mark (so did 14 other timelines: events dated or placed by inference). Every page
    whose dated-events table marks a row inferred has a timeline alt text that marks it too."""
    import html as _html

    wrong = []
    for page, sentences in pages(ledger_build).items():
        text = (Path(ledger_build) / page).read_text(encoding="utf-8")
        marked = [row for caption, header, rows in _tables(text) if caption.startswith("Dated events")
                  for row in (dict(zip(header, r)) for r in rows if r) if row.get("inferred")]
        if not marked:
            continue
        alts = [_html.unescape(a) for a in re.findall(r'alt="(Timeline of dated events[^"]*)"', text)]
        if alts and not any(re.search(r"\binferred\)", a) for a in alts):
            wrong.append(f"{page}: {len(marked)} inferred row(s), timeline alt {alts[:1]!r}"[:300])
    assert not wrong, "\n".join(wrong)

# --- issue 18, fourth reading: the "awkward" findings (A1-A12) -----------------------------------

def _kind_of(build) -> dict[str, str]:
    """{page name: its notebook (region, country, funding...)}."""
    manifest = json.loads((Path(build) / "manifest.json").read_text(encoding="utf-8"))["briefings"]
    return {f"{bid}.html": str(entry.get("notebook")) for bid, entry in manifest.items()}


def test_a_page_gives_the_true_reason_it_shows_no_context_figures_and_its_header_promises_none(ledger_build, dataset):
    """A7: "The public context figures cover the whole world, not Northern Africa" on pages of a
    kind whose figures include SIPRI's regional counts (shown on Africa, Europe, the Americas);
    and "public context figures included" in the header of 16 pages that show none. A page
    saying the figures cover the whole world shows a kind whose figures name no region; a page
    whose header says they are included shows a table of them."""
    from analysis.briefings.registry import kind as get_kind

    figures = dataset.public_figures
    kinds = _kind_of(ledger_build)
    wrong, checked = [], 0
    for page, sentences in pages(ledger_build).items():
        html = (Path(ledger_build) / page).read_text(encoding="utf-8")
        notebook = kinds.get(page)
        for _, s in sentences:
            if "context figures cover the whole world, not" in s:
                checked += 1
                topics = list(get_kind(notebook).context_topics)
                if figures.loc[figures["topic"].isin(topics), "region"].notna().any():
                    wrong.append(f"{page}: {s!r}, but its figures include SIPRI's regions")
            if " · public context figures" in s:
                checked += 1
            if "public context figures included" in s:
                if not any(c.startswith("Public context figures") for c, _, _ in _tables(html)):
                    wrong.append(f"{page}: the header says {s[-40:]!r}, the page shows none")
    assert checked > 10, checked
    assert not wrong, "\n".join(wrong)


def test_a_pages_count_of_engagements_is_the_number_of_rows_it_lists(ledger_build, dataset):
    """A1: Africa "53 engagements (31 inferred)" beside tables of 27 + 24 rows (AMISOM's and
    UNAMID's engagements counted, listed nowhere); Eastern Africa 13 beside 12. The records
    sentence's engagements are the rows of the page's two tables of engagements (the UN's own,
    and everyone else's), plus those of kinds of actors named in general, which a key point names."""
    from analysis.prose import findings as found_

    sels = selections(ledger_build)
    wrong, checked = [], 0
    for page, sentences in pages(ledger_build).items():
        if page not in sels:
            continue
        counted = next((re.search(r"(\d+) engagements?\b", s) for _, s in sentences
                        if "dataset holds" in s and re.search(r"\d+ engagements?\b", s)), None)
        if counted is None:
            continue
        html = (Path(ledger_build) / page).read_text(encoding="utf-8")
        listed = [row for c, _, r in _tables(html) for row in r
                  if c.startswith(("What the UN's operations", "Organizations, governments and parties named"))]
        rows = len(listed)
        generic = found_.actors(sels[page], "generic", ds=dataset)
        named = any(s.startswith("Kind") and "named in general" in s for _, s in sentences) and \
            not any("named in general (not a partner)" in row for row in listed)
        checked += 1
        if int(counted.group(1)) != rows + (len(generic.rows) if named else 0):
            wrong.append(f"{page}: {counted.group(0)!r}, {rows} rows in its tables"
                         f" and {len(generic.rows)} of kinds named in general")
    assert checked > 20, checked
    assert not wrong, "\n".join(wrong)


def test_the_partnerships_chart_counts_what_its_key_points_count(ledger_build):
    """A2: "AU 6" in the partnerships chart's alt text (its South Sudan engagement, where the
    chapter states no cooperation) beside "The AU: 6 engagements in which the chapter states
    cooperation with the UN, 5 of them tied to 4 places". Each partner's bar is the number of
    its engagements with stated cooperation that its key point ties to a place."""
    wrong, checked = [], 0
    for page, sentences in pages(ledger_build).items():
        alt = next((s for _, s in sentences if s.startswith("Chart: Actors engaged")), None)
        if alt is None:
            continue
        bars = dict(re.findall(r"(?:: |, )([^,:]+?)(?: \((?:partly )?inferred\))? (\d+)(?=,| and |\.$)", alt))
        for _, s in sentences:
            m = re.match(r"(?:The )?(.+?): (\d+) engagements? in which the chapter states cooperation with the UN"
                         r"(?:, (\d+) of them tied to|, (all )?(?:tied to|in) )?", s)
            if not m:
                continue
            tied = int(m.group(3)) if m.group(3) else int(m.group(2)) if m.group(0).endswith((" in ", "tied to ")) else 0
            checked += 1
            if int(bars.get(m.group(1), 0)) != tied:
                wrong.append(f"{page}: the chart counts {m.group(1)} {bars.get(m.group(1), 0)}, its key point {tied}")
    assert checked >= 4, checked
    assert not wrong, "\n".join(wrong)


#: Actors the chapter never places where they act: the Secretary-General, the envoys, the
#: principal organs (their names as the pages print them).
UNPLACED = r"(?:The )?(?:Secretary-General|Special Envoy|Security Council|General Assembly|Secretariat)"


def test_an_actor_the_chapter_does_not_place_is_never_said_to_be_in_a_place(ledger_build, dataset):
    """A5: "Secretary-General in India: call for a peaceful solution", "The Special Envoy in the
    Syrian Arab Republic", under "Offices and envoys in India | Secretary-General". The chapter
    says "I have called upon India and Pakistan"; it gives no venue for the Syria talks. No
    sentence says such an actor is "in" a place, and no table heading puts one there."""
    unplaced_kinds = {"Secretary-General", "special envoy"}
    names = set(dataset.offices.loc[dataset.offices["kind"].isin(list(unplaced_kinds)), "name"])
    wrong, checked = [], 0
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            if re.match(UNPLACED + r"(?: \(inferred\))? (?:in|on) ", s):
                checked += 1
                if re.match(UNPLACED + r"(?: \(inferred\))? in ", s):
                    wrong.append(f"{page}: {s[:100]!r}")
        html = (Path(ledger_build) / page).read_text(encoding="utf-8")
        for caption, header, rows in _tables(html):
            if caption.startswith("Offices and envoys in ") and "kind" in header:
                kinds = {dict(zip(header, r)).get("kind") for r in rows}
                if kinds & unplaced_kinds or {dict(zip(header, r)).get("name") for r in rows} & names:
                    wrong.append(f"{page}: {caption!r} lists {sorted(kinds & unplaced_kinds)}")
    assert checked >= 5, checked
    assert not wrong, "\n".join(wrong)


#: What stands in the way of something: a description headed by one describes no progress.
OBSTACLES = re.compile(r"^(?:lasting |long )?(?:reluctance|disagreement|mistrust|lack|obstruction|failure)")


def test_a_description_names_the_thing_its_modality_says_moves(dataset):
    """A4, A11: "Parties in Burundi: reluctance to engage without preconditions, slowing a
    political solution | under way, with difficulty" (the chapter: progress "has been similarly
    slow"), and "lasting disagreement and mistrust among them, stalling the peace agreement |
    stalled" (the chapter: "has stalled progress"). A row whose modality says something moves
    with difficulty or stalls is headed by that thing, not by what stands in its way; and where
    the chapter's phrase says progress stalled, the row names the progress."""
    wrong = []
    for table in ("engagements", "situations"):
        frame = dataset[table]
        column = "activity" if table == "engagements" else "description"
        for _, row in frame.iterrows():
            words = str(row[column])
            # struggling and stalled say how something moves towards its end: an obstacle does not
            if row["modality"] in ("struggling", "stalled") and OBSTACLES.match(words):
                wrong.append(f"{table}: {words!r} is {row['modality']}")
            if row["modality"] == "stalled" and "progress" in str(row["modality_evidence"]) \
                    and "progress" not in words:
                wrong.append(f"{table}: {words!r} drops the progress of {row['modality_evidence']!r}")
    assert not wrong, "\n".join(wrong)


def test_a_place_where_the_chapter_reports_violence_being_averted_has_its_situation(dataset):
    """A12: the Central African Republic missing from Africa's "The chapter describes the
    situation in 8 places here" though crisis/2 reports the mission there intervening "to prevent
    communal violence from spiralling out of control". Every country where the chapter reports
    the UN protecting people or preventing violence (an engagement on the protection of civilians)
    has a row describing its situation."""
    acts = dataset.engagements
    places = set(acts.loc[acts["theme_id"] == "protection-of-civilians", "place_id"].dropna())
    countries = set(dataset.places.loc[dataset.places["kind"] == "country", "place_id"])
    missing = sorted((places & countries) - set(dataset.situations["place_id"]))
    assert places & countries
    assert not missing, missing


def test_a_kind_of_actor_named_in_general_is_printed_as_the_chapter_writes_it(ledger_build, seed_paragraphs):
    """A8: "Governments, Member States, NGOs and Private sector" (the chapter: "or the private
    sector"). Each kind after the first in that list begins with a capital only where the chapter
    writes it so."""
    text = " ".join(p.text for p in seed_paragraphs.values())
    wrong, checked = [], 0
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            m = re.match(r"Kinds? of actors? named in general[^:]*: (.*?)\. \(A/72", s)
            if not m:
                continue
            for item in _items(m.group(1))[1:]:
                checked += 1
                word = item.split()[0]
                if word[:1].isupper() and not word[1:2].isupper() and word not in text:
                    wrong.append(f"{page}: {item!r}")
    assert checked >= 3, checked
    assert not wrong, "\n".join(wrong)


def test_a_sentence_never_names_its_one_item_twice(ledger_build, dataset):
    """A9: "The UN as a whole, engaged (not a partner) here: the United Nations."; A10: "Women
    elected to Afghanistan's election commission: three (Afghanistan)." A list of one does not
    repeat its lead, and a figure's place in brackets is not one the sentence has named."""
    places = set(dataset.places["name"])
    wrong = []
    for page, sentences in pages(ledger_build).items():
        for _, s in sentences:
            if re.search(r"UN as a whole[^:]*: the United Nations(?: \(inferred\))?\.", s):
                wrong.append(f"{page}: {s[:100]!r}")
            m = re.search(r": [^:]*?\(([A-Z][^()]+)\)(?:, against|\. \(A/72|\.$)", s)
            if m and m.group(1) in places and m.group(1) in s[:m.start(1) - 1]:
                wrong.append(f"{page}: {s[:120]!r}")
    assert not wrong, "\n".join(wrong)


def test_an_office_row_gives_the_chapters_words_for_it_where_a_cited_paragraph_holds_them(ledger_build, dataset, seed_paragraphs):
    """A6: "Offices and envoys in Ghana | United Nations Office for West Africa and the Sahel |  |
    regional office": elections/1, which the row cites, says "my Special Representative for West
    Africa and the Sahel". An office row's "as written" cell is empty only where no paragraph it
    cites holds the chapter's words for the office."""
    texts = {k: _plain(v.text) for k, v in seed_paragraphs.items()}
    refs = dict(zip(dataset.offices["name"], dataset.offices["chapter_reference"]))
    wrong, checked = [], 0
    for path in sorted(Path(ledger_build).glob("*.html")):
        for caption, header, rows in _tables(path.read_text(encoding="utf-8")):
            if not caption.startswith("Offices and envoys") or "as written" not in header:
                continue
            for row in rows:
                cell = dict(zip(header, row))
                ref = refs.get(cell.get("name", "").replace(" (inferred)", ""))
                if cell.get("as written") or not isinstance(ref, str):
                    continue
                checked += 1
                cited = [texts.get(p.strip(), "") for p in cell.get("paragraph", "").split(",")]
                if any(_plain(ref) in t for t in cited):
                    wrong.append(f"{path.name}: {cell.get('name')!r} with no words, ¶ {cell.get('paragraph')} has {ref!r}")
    assert checked >= 3, checked
    assert not wrong, "\n".join(wrong)


def test_the_partner_names_of_a_table_are_the_partners_its_page_counts(ledger_build):
    """A3: the partnerships table listed "African Union Commission | AUC | partner" as its own
    name, beside "7 partners" that fold the AUC into the AU: a reader counting names found 8.
    The names counted as partners in a table, less those said to be counted as another, are as
    many as the key point's partners."""
    wrong, checked = [], 0
    for page, sentences in pages(ledger_build).items():
        if page.endswith("-note.html"):  # a note's tables are the page's, shortened
            continue
        counted = next((re.match(r"(\d+) partners? the chapter says works? with the UN", s) for _, s in sentences
                        if re.match(r"\d+ partners? the chapter says works? with the UN", s)), None)
        if counted is None:
            continue
        html = (Path(ledger_build) / page).read_text(encoding="utf-8")
        for caption, header, rows in _tables(html):
            if not caption.startswith("Organizations, governments and parties named"):
                continue
            names = {dict(zip(header, r)).get("who") or r[0] for r in rows
                     if "partner (cooperation with the UN stated)" in r and "(counted as" not in r[0]}
            checked += 1
            if len(names) != int(counted.group(1)):
                wrong.append(f"{page}: {counted.group(0)!r}, the table names {sorted(names)}")
    assert checked >= 5, checked
    assert not wrong, "\n".join(wrong)


# --- issue 18, sixth reading (review-18-sixth.md) ------------------------------------------------

def test_a_map_alt_marks_each_inferred_operation_it_lists(ledger_build):
    """I2: "2 UN peace operations (1 inferred): MINUJUSTH in Haiti, MINUSTAH in Haiti" left a
    screen-reader user to guess which one the chapter does not name. A map alt that counts k
    inferred of n listed items marks k of them, each "(inferred)"."""
    wrong, seen = [], 0
    for page, sentences in pages(ledger_build).items():
        for where, s in sentences:
            if where != "alt" or not s.startswith("Map:"):
                continue
            for n, k, listed, end in re.findall(r"(\d+) [^.:()]+? \((\d+) inferred\): (.*?)(\.(?: |$)|…)", s):
                if int(k) >= int(n) or " more" in listed or end == "…":  # a list cut short
                    continue
                seen += 1
                if listed.count("(inferred)") != int(k):
                    wrong.append(f"{page}: {n} listed, {k} inferred, marked {listed.count('(inferred)')}: {s[:160]!r}")
    assert seen >= 3, seen
    assert not wrong, "\n".join(wrong)


def test_a_kind_taken_from_the_chapters_words_rests_on_them(dataset):
    """I1: two Peacebuilding Fund activities were called a "funding stream", the chapter's term for
    its youth stream only. An initiative of a kind the chapter names ("funding stream") has that
    term in its own evidence."""
    inits = dataset.initiatives
    streams = inits[inits["kind"] == "funding stream"]
    wrong = [r.initiative_id for r in streams.itertuples() if "funding stream" not in str(r.evidence)]
    assert len(streams) >= 1
    assert not wrong, wrong


def test_a_photo_captions_activity_is_not_under_way_once_the_chapter_says_it_ended(dataset):
    """W1: MINUSTAH's delivery of election material "before elections" (the photo caption) was
    printed "under way" beside the electoral process the chapter says concluded in early 2017.
    The caption's activity is done, and marked inferred (the caption has no tense of its own)."""
    row = dataset.engagements.set_index("engagement_id").loc["minustah-haiti-elections"]
    assert row["modality"] == "done" and str(row["inferred"]).lower() == "true", dict(row)
    assert "elections/1" in str(row["inference_note"])


def test_a_hybrid_operation_is_not_said_to_be_no_un_operation(dataset):
    """W2: UNAMID, the AU-UN hybrid, was counted as an "operation led by the AU or jointly with it
    (not a UN operation)": half of it is the UN's. The group's label says what is true of both
    AMISOM and UNAMID."""
    from analysis.briefings.base import GROUP_LABELS

    hybrid = dataset.operations[dataset.operations["operation_id"] == "UNAMID"]
    assert len(hybrid) == 1
    assert "not a UN operation" not in GROUP_LABELS["operation outside the UN"]
    assert "not led by the UN alone" in GROUP_LABELS["operation outside the UN"]


def test_a_notes_ranked_table_keeps_the_top_rows_of_its_page(ledger_build):
    """A8: the partnerships note's "Partners ... by number of engagements" kept the AU (6) and the
    World Bank (3) and cut the EU (7), first on the page. A note's table ranked "by number of"
    begins with the page's first rows."""
    wrong, seen = [], 0
    for note in sorted(Path(ledger_build).glob("*-note.html")):
        page = note.with_name(note.name.replace("-note.html", ".html"))
        if not page.exists():
            continue
        full = {c: rows for c, _, rows in _tables(page.read_text(encoding="utf-8"))}
        for caption, header, rows in _tables(note.read_text(encoding="utf-8")):
            if "by number of" not in caption or caption not in full:
                continue
            seen += 1
            kept = [r for r in rows if r and r[0] != "…"]
            if [r[0] for r in kept] != [r[0] for r in full[caption][:len(kept)]]:
                wrong.append(f"{note.name}: {[r[0] for r in kept]} vs the page's {[r[0] for r in full[caption][:len(kept)]]}")
    assert seen >= 1, seen
    assert not wrong, "\n".join(wrong)


def test_a_notes_cut_table_keeps_what_the_chapter_states_before_what_it_implies(ledger_build):
    """Seventh reading A3, A4: the Western Africa note's timeline kept the two events dated from
    outside the chapter and cut the three the chapter dates; the Eastern Africa note cut the only
    partner engagements. A note's cut table keeps an inferred row only when it keeps every row of
    its page that is not inferred."""
    wrong, seen = [], 0
    for note in sorted(Path(ledger_build).glob("*-note.html")):
        page = note.with_name(note.name.replace("-note.html", ".html"))
        if not page.exists():
            continue
        full = {c: (h, rows) for c, h, rows in _tables(page.read_text(encoding="utf-8"))}
        for caption, header, rows in _tables(note.read_text(encoding="utf-8")):
            if caption not in full or "inferred" not in full[caption][0] or "by number of" in caption:
                continue
            if not rows or rows[-1][0] != "…":
                continue  # not cut
            seen += 1
            page_header, page_rows = full[caption]
            stated = [r[0] for r in page_rows if not dict(zip(page_header, r)).get("inferred")]
            kept = [r[0] for r in rows[:-1]]
            kept_inferred = [r[0] for r in page_rows if r[0] in kept and dict(zip(page_header, r)).get("inferred")]
            if kept_inferred and not set(stated) <= set(kept):
                wrong.append(f"{note.name} ({caption}): kept inferred {kept_inferred}, cut stated "
                             f"{sorted(set(stated) - set(kept))}")
    assert seen >= 5, seen
    assert not wrong, "\n".join(wrong)

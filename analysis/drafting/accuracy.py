"""How close a draft comes to curated tables of the same chapter: precision and recall.

Paragraphs are aligned by their position in the text (the draft names sections after their
headings, the curators chose shorter ids). What is compared:

* countries with the right paragraph: (paragraph, ISO3) pairs of the place mentions (a country,
  or the country of an area: Darfur counts as Sudan);
* operations and offices: entities, matched by id, acronym or name (the curated rows the chapter
  only implies count too: the drafter makes those inferences from its gazetteers);
* partners the text names: curated partners not marked inferred (the implied ones, such as "the
  parties" of a country, are left out and counted apart);
* printed figures: (paragraph, value, unit, qualifier);
* dated events: (paragraph, date label, precision).

Curated rows that hold an inference no drafter can make from the text are left out of the
comparison and counted apart: figures marked inferred (a number the chapter does not print, such
as the 50 per cent that "gender parity" means), and inferred events whose evidence prints no
date (the date comes from outside the chapter).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .gazetteer import name_key

GOALS = {
    "countries (with paragraph)": (0.95, 0.90),
    "operations and offices": (0.90, None),
    "partners": (0.85, None),
    "figures (value, unit, qualifier)": (0.95, None),
    "dated events (date, precision)": (0.80, None),
}


@dataclass
class Score:
    what: str
    curated: int
    drafted: int
    matched: int
    excluded: int = 0
    missed: list = field(default_factory=list)
    extra: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.curated if self.curated else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.drafted if self.drafted else 1.0

    def meets_goal(self) -> bool:
        recall_goal, precision_goal = GOALS.get(self.what, (None, None))
        return ((recall_goal is None or self.recall >= recall_goal)
                and (precision_goal is None or self.precision >= precision_goal))


def read_folder(folder: Path | str) -> dict[str, list[dict]]:
    out = {}
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            out[path.stem] = list(csv.DictReader(handle))
    return out


def _alignment(draft: dict, curated: dict) -> dict[str, str]:
    """Draft locator -> curated locator, by position."""
    by_position = {r["position"]: r["paragraph_id"] for r in curated["paragraphs"]}
    return {r["paragraph_id"]: by_position.get(r["position"], r["paragraph_id"]) for r in draft["paragraphs"]}


def _value(cell: str) -> float:
    return float(cell)


def _keys(row: dict, id_field: str) -> set[str]:
    keys = {row[id_field].casefold()}
    if row.get("acronym"):
        keys.add(row["acronym"].casefold())
    if row.get("name"):
        keys.add(name_key(row["name"]))
    return {k for k in keys if k}


def _entity_score(what: str, draft_rows: list[dict], curated_rows: list[dict], id_field: str,
                  excluded_rows: list[dict] = ()) -> Score:
    # A drafted row that finds a curated row left out of the comparison is neither a hit nor extra.
    excluded_keys = set().union(*(_keys(r, id_field) for r in excluded_rows)) if excluded_rows else set()
    named_keys = set().union(*(_keys(r, id_field) for r in curated_rows)) if curated_rows else set()
    draft_rows = [r for r in draft_rows
                  if not (_keys(r, id_field) & excluded_keys and not _keys(r, id_field) & named_keys)]
    draft_keys = [_keys(r, id_field) for r in draft_rows]
    all_draft = set().union(*draft_keys) if draft_keys else set()
    matched, missed = 0, []
    used = set()
    for row in curated_rows:
        keys = _keys(row, id_field)
        if keys & all_draft:
            matched += 1
            used |= keys & all_draft
        else:
            missed.append(row[id_field])
    extra = [r[id_field] for r, k in zip(draft_rows, draft_keys) if not k & used]
    drafted_matching = sum(1 for k in draft_keys if k & used)
    return Score(what, len(curated_rows), drafted_matching + len(extra), matched, 0, missed, extra)


def _mention_pairs(tables, table, mapping=None, curated=None) -> set[tuple[str, str]]:
    """(paragraph, entity) pairs of the mentions of one table; a drafted entity is named by the
    curated id it matches, where it matches one."""
    id_field = {"operations": "operation_id", "offices": "office_id", "partners": "partner_id"}[table]
    to_curated = {}
    if curated is not None:
        curated_keys = [(r[id_field], _keys(r, id_field)) for r in curated[table]]
        for r in tables[table]:
            keys = _keys(r, id_field)
            to_curated[r[id_field]] = next((cid for cid, ck in curated_keys if ck & keys), r[id_field])
    return {((mapping or {}).get(m["paragraph"], m["paragraph"]), to_curated.get(m["entity_id"], m["entity_id"]))
            for m in tables["mentions"] if m["entity_table"] == table}


def compare(draft: dict[str, list[dict]], curated: dict[str, list[dict]]) -> list[Score]:
    """The scores of a draft (tables as lists of string rows) against curated tables."""
    align = _alignment(draft, curated)
    scores = []

    def country_pairs(tables, mapping=None):
        kinds = {r["place_id"]: (r["kind"], r.get("iso3", "")) for r in tables["places"]}
        pairs = set()
        for m in tables["mentions"]:
            if m["entity_table"] != "places":
                continue
            kind, iso3 = kinds.get(m["entity_id"], ("", ""))
            if kind in ("country", "subnational area") and iso3:
                pairs.add(((mapping or {}).get(m["paragraph"], m["paragraph"]), iso3))
        return pairs

    cur, dra = country_pairs(curated), country_pairs(draft, align)
    scores.append(Score("countries (with paragraph)", len(cur), len(dra), len(cur & dra), 0,
                        sorted(cur - dra), sorted(dra - cur)))
    ops_offices_cur = ([dict(r, _id=r["operation_id"]) for r in curated["operations"]]
                       + [dict(r, _id=r["office_id"]) for r in curated["offices"]])
    ops_offices_dra = ([dict(r, _id=r["operation_id"]) for r in draft["operations"]]
                       + [dict(r, _id=r["office_id"]) for r in draft["offices"]])
    scores.append(_entity_score("operations and offices", ops_offices_dra, ops_offices_cur, "_id"))
    named = [r for r in curated["partners"] if r["inferred"] != "true"]
    partners = _entity_score("partners", draft["partners"], named, "partner_id",
                             [r for r in curated["partners"] if r["inferred"] == "true"])
    partners.excluded = len(curated["partners"]) - len(named)
    scores.append(partners)

    for table, what in (("operations", "operation mentions (with paragraph)"), ("offices", "office mentions (with paragraph)"),
                        ("partners", "partner mentions (with paragraph)")):
        cur = _mention_pairs(curated, table)
        dra = _mention_pairs(draft, table, align, curated)
        scores.append(Score(what, len(cur), len(dra), len(cur & dra), 0, sorted(cur - dra), sorted(dra - cur)))

    def figure_key(r, mapping=None):
        return ((mapping or {}).get(r["paragraph"], r["paragraph"]), _value(r["value"]), r["unit"], r["qualifier"])

    printed = [r for r in curated["figures"] if r["inferred"] != "true"]
    cur = {figure_key(r) for r in printed}
    dra = {figure_key(r, align) for r in draft["figures"]}
    scores.append(Score("figures (value, unit, qualifier)", len(cur), len(dra), len(cur & dra),
                        len(curated["figures"]) - len(printed), sorted(cur - dra), sorted(dra - cur)))

    def undatable(r):
        return r["inferred"] == "true" and not re.search(r"\b(?:19|20)\d\d\b", r["evidence"])

    dated = [r for r in curated["events"] if not undatable(r)]
    cur = {(r["paragraph"], r["date_label"], r["date_precision"]) for r in dated}
    dra = {(align.get(r["paragraph"], r["paragraph"]), r["date_label"], r["date_precision"]) for r in draft["events"]}
    scores.append(Score("dated events (date, precision)", len(cur), len(dra), len(cur & dra),
                        len(curated["events"]) - len(dated), sorted(cur - dra), sorted(dra - cur)))
    return scores


def format_scores(scores: list[Score]) -> list[str]:
    lines = [f"{'what':<34}{'curated':>8}{'drafted':>8}{'matched':>8}{'recall':>8}{'precision':>10}"
             f"{'excluded':>9}  goal",]
    for s in scores:
        recall_goal, precision_goal = GOALS.get(s.what, (None, None))
        goal = " ".join(x for x in (f"R>={recall_goal:.0%}" if recall_goal else "",
                                    f"P>={precision_goal:.0%}" if precision_goal else "") if x)
        mark = ("met" if s.meets_goal() else "NOT met") if goal else "no goal"
        lines.append(f"{s.what:<34}{s.curated:>8}{s.drafted:>8}{s.matched:>8}{s.recall:>8.1%}"
                     f"{s.precision:>10.1%}{s.excluded:>9}  {goal} ({mark})")
    return lines


def compare_with_expected(draft: dict[str, list[dict]], expected: dict) -> list[Score]:
    """Scores of a draft against a hand-written gold standard (lists of keys, as in
    ``tests/fixtures/drafting/chapter-2018-expected.json``)."""
    kinds = {r["place_id"]: (r["kind"], r.get("iso3", "")) for r in draft["places"]}
    countries = {(m["paragraph"], kinds[m["entity_id"]][1]) for m in draft["mentions"]
                 if m["entity_table"] == "places" and kinds.get(m["entity_id"], ("", ""))[0]
                 in ("country", "subnational area") and kinds[m["entity_id"]][1]}
    ops = {r["operation_id"] for r in draft["operations"]} | {r["office_id"] for r in draft["offices"]}
    partners = {r["partner_id"] for r in draft["partners"]}
    figures = {(r["paragraph"], float(r["value"]), r["unit"], r["qualifier"]) for r in draft["figures"]}
    events = {(r["paragraph"], r["date_label"], r["date_precision"]) for r in draft["events"]}
    gold = {
        "countries (with paragraph)": ({tuple(x) for x in expected["countries"]}, countries),
        "operations and offices": (set(expected["operations and offices"]), ops),
        "partners": (set(expected["partners"]), partners),
        "figures (value, unit, qualifier)": ({(p, float(v), u, q) for p, v, u, q in expected["figures"]}, figures),
        "dated events (date, precision)": ({tuple(x) for x in expected["events"]}, events),
    }
    return [Score(what, len(cur), len(dra), len(cur & dra), 0, sorted(cur - dra), sorted(dra - cur))
            for what, (cur, dra) in gold.items()]

"""The drafter's gazetteers: name tables read from a data package's context layer.

``country_names``, ``place_names``, ``peace_missions``, ``organisations`` and ``office_titles``
(declared in ``datapackage.json``, each row sourced) become one :class:`Gazetteer` with a matcher
per kind of name. Matching is case-sensitive (proper names), folds typography (curly quotes,
dashes), prefers the longest name at a position and keeps character offsets of the original text.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: One-for-one character folds: offsets in the folded text are offsets in the original.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-",
                       "\u2013": "-", "\u00a0": " ", "\u2010": "-", "\u2011": "-"})
TITLE_WORDS = ("Special Envoy", "Personal Envoy", "Special Representative", "Special Adviser",
               "Special Coordinator", "High Representative")


def fold_chars(text: str) -> str:
    return text.translate(_FOLD)


def name_key(name: str) -> str:
    """A name reduced for comparison: case, typography, 'United Nations', 'Office of the',
    'of the Secretary-General', articles and parentheses dropped."""
    import unicodedata

    key = unicodedata.normalize("NFKD", fold_chars(name)).encode("ascii", "ignore").decode().casefold()
    key = re.sub(r"\([^)]*\)", " ", key)
    key = re.sub(r"\b(?:office of the|of the secretary-general|the secretary-general's|united nations|un)\b",
                 " ", key)
    key = re.sub(r"\b(?:the|my|of|in|for|on|to)\b", " ", key)
    key = re.sub(r"[^\w]+", " ", key)
    return " ".join(key.split())


@dataclass(frozen=True)
class Entry:
    """One thing a name can refer to."""
    table: str            # places | operations | offices | partners
    entity_id: str
    name: str
    kind: str
    iso3: tuple[str, ...] = ()
    host: str = ""
    established: int | None = None
    closed: int | None = None
    note: str = ""
    place_kind: str = ""  # for places: country | region | subnational area | city

    def active_in(self, year: int) -> bool:
        """Working during the reporting period of a report of ``year`` (that year or the one before)."""
        if self.established is None:
            return True
        return self.established <= year and (self.closed is None or self.closed >= year - 1)


@dataclass
class Hit:
    entry: Entry
    start: int
    end: int
    surface: str


@dataclass
class Matcher:
    """Longest-first, case-sensitive matching of a set of names."""
    names: dict[str, list[Entry]] = field(default_factory=dict)
    _regex: re.Pattern | None = None

    def add(self, name: str, entry: Entry) -> None:
        name = fold_chars(name.strip())
        if len(name) < 2:
            return
        entries = self.names.setdefault(name, [])
        if entry not in entries:
            entries.append(entry)
        self._regex = None

    @property
    def regex(self) -> re.Pattern:
        if self._regex is None:
            alternatives = sorted(self.names, key=lambda n: (-len(n), n))
            body = "|".join(re.escape(n) for n in alternatives) or r"(?!x)x"
            self._regex = re.compile(rf"(?<![\w])(?:{body})(?![\w]|-\w)")
        return self._regex

    def find(self, text: str) -> list[Hit]:
        folded = fold_chars(text)
        return [Hit(self.names[m.group(0)][0], m.start(), m.end(), text[m.start():m.end()])
                for m in self.regex.finditer(folded)]


def _read(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _year(cell: str) -> int | None:
    return int(cell) if cell and cell.strip().isdigit() else None


def _un_variants(name: str) -> list[str]:
    out = [name]
    if name.startswith("United Nations "):
        out.append("UN " + name[len("United Nations "):])
    return out


def _title_variants(name: str) -> list[str]:
    """An office's name with and without 'Office of the' and 'of the Secretary-General'."""
    core = re.sub(r"^Office of the ", "", name)
    core = core.replace(" of the Secretary-General", "")
    out = {name, core, "Office of the " + core}
    for title in TITLE_WORDS:
        if core.startswith(title):
            rest = core[len(title):]
            out.add(f"{title} of the Secretary-General{rest}")
            out.add(f"Office of the {title} of the Secretary-General{rest}")
    return sorted(out)


@dataclass
class Gazetteer:
    places: Matcher
    missions: Matcher
    organisations: Matcher
    titles: list[tuple[re.Pattern, str, str]]          # (pattern, office kind, title id)
    countries: dict[str, str]                           # iso3 -> name
    missions_by_id: dict[str, Entry]
    offices_by_key: dict[str, Entry]                    # name_key -> office entry
    regions: dict[str, Entry]                           # folded region name -> entry
    sources: dict[str, str]                             # table -> source note

    def missions_hosted(self, iso3: str, year: int, kinds: tuple[str, ...]) -> list[Entry]:
        return [e for e in self.missions_by_id.values()
                if iso3 in e.iso3 and e.kind in kinds and e.active_in(year)]

    def offices_for_area(self, area: str, kinds: tuple[str, ...]) -> list[Entry]:
        key = name_key(area)
        return [e for e in self.missions_by_id.values()
                if e.table == "offices" and e.kind in kinds and key and name_key(e.host) == key]


def load_gazetteer(folder: Path | str) -> Gazetteer:
    return _load(str(Path(folder).resolve()))


@lru_cache(maxsize=4)
def _load(folder: str) -> Gazetteer:
    root = Path(folder)
    countries = {r["iso3"]: r["name"] for r in _read(root, "countries")}
    places = Matcher()
    country_entry = {iso3: Entry("places", iso3, name, "country", (iso3,), place_kind="country")
                     for iso3, name in countries.items()}
    for iso3, entry in country_entry.items():
        places.add(entry.name, entry)
    for row in _read(root, "country_names"):
        entry = country_entry.get(row["iso3"])
        if entry is None:
            continue
        name = row["name"]
        places.add(name, entry)
        if name[:4].lower() == "the ":
            places.add(name[4:], entry)
        if name[:1].islower():
            places.add(name[:1].upper() + name[1:], entry)
    regions: dict[str, Entry] = {}
    for row in _read(root, "place_names"):
        name = row["name"]
        bare = re.sub(r"^the ", "", name)
        iso3 = (row["iso3"],) if row["iso3"] else ()
        if row["kind"] == "city":
            entry = Entry("places", row["iso3"], countries.get(row["iso3"], row["iso3"]), "country", iso3,
                          note=f"{name} is a city in {countries.get(row['iso3'], row['iso3'])} ({row['note']}, GeoNames)",
                          place_kind="city")
        else:
            pid = re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")
            kind = "region" if row["kind"] == "region" else "subnational area"
            entry = Entry("places", pid, bare, kind, iso3, note=row["note"], place_kind=kind)
            if kind == "region":
                regions[name_key(bare)] = entry
        places.add(name, entry)
        if name != bare:
            places.add(bare, entry)
    missions = Matcher()
    by_id: dict[str, Entry] = {}
    offices_by_key: dict[str, Entry] = {}
    for row in _read(root, "peace_missions"):
        entry = Entry(row["table"], row["mission_id"], row["name"], row["kind"],
                      tuple(row["host_iso3"].split()), row["host"], _year(row["established"]),
                      _year(row["closed"]))
        by_id[entry.entity_id] = entry
        names = [row["name"]] + [n.strip() for n in row["also_called"].split(";") if n.strip()]
        for name in names:
            variants = _title_variants(name) if row["table"] == "offices" else [name]
            for variant in variants:
                for v in _un_variants(variant):
                    missions.add(v, entry)
                    if row["table"] == "offices":
                        offices_by_key.setdefault(name_key(v), entry)
        if re.fullmatch(r"[A-Z][A-Z0-9]{2,}(?: [IV]+)?", row["mission_id"]):
            missions.add(row["mission_id"], entry)
        for alias in row["also_called"].split(";"):
            alias = alias.strip()
            if re.fullmatch(r"[A-Z][A-Z0-9]{2,}", alias):
                missions.add(alias, entry)
    organisations = Matcher()
    for row in _read(root, "organisations"):
        entry = Entry("partners", row["organisation_id"], row["name"], row["kind"])
        names = [row["name"]] + [n.strip() for n in row["also_called"].split(";") if n.strip()]
        for name in names:
            for v in _un_variants(name):
                organisations.add(v, entry)
                if v[:1].islower():
                    organisations.add(v[:1].upper() + v[1:], entry)
        acronym = row["acronym"]
        if acronym and re.fullmatch(r"[A-Z][A-Za-z0-9/-]+", acronym) and acronym not in {"GA", "WB"}:
            organisations.add(acronym, entry)
    titles = [(re.compile(row["pattern"]), row["office_kind"], row["title_id"])
              for row in _read(root, "office_titles")]
    return Gazetteer(places, missions, organisations, titles, countries, by_id, offices_by_key, regions,
                     {})

"""Resolve a region parameter ("World", "Africa", "Western Africa", "UNOWAS", "Côte d'Ivoire"…)
to the countries it covers and the chapter's places that fall within it.

Accepted values, case- and accent-insensitive:

* ``"World"`` (or ``None``): every country and area in the countries table;
* an M49 region (``"Africa"``) or subregion (``"Western Africa"``, ``"Central Asia"``), as in the
  countries table, where intermediate regions stand for their subregion;
* a UN regional office by id (``"UNOWAS"``) or by the name of its area (``"West Africa and the
  Sahel"``): the countries in ``office_coverage``. The area names come from the chapter's places
  mapped to an office in ``region_equivalents``. So ``"Central Africa"`` is UNOCA's area (the 11
  ECCAS States), not M49 ``"Middle Africa"`` (9 countries), which stays available by that name.
  A chapter place mapped to a single M49 region or subregion is likewise an alias for it
  (``"South-East Asia"`` is M49 South-eastern Asia);
* a country by short name, ISO 3166 alpha-3 or alpha-2 code (``"CIV"``, ``"ci"``), or by a name
  the chapter uses; or by another name: country_converter's short and official names
  (``"Republic of Mali"``), read from its packaged table only when no other name matches, and
  the common names declared in :data:`ALIASES` (``"Ivory Coast"``, ``"UK"``).

Every match is exact, after folding case, accents, punctuation and a leading "the": ``"not
Mali"`` names nothing (a search for patterns inside the value would find Mali in it). An
empty value, or one longer than :data:`MAX_LENGTH` characters, is refused at once, so every
value is answered in well under a second (``benchmarks/region_values.py`` measures it).

Precedence, for a name that could be two things: world, region, subregion, office id, area
name, country. Unknown values raise :class:`RegionError` with what is allowed and close matches.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import UsageError

KINDS = ("world", "region", "subregion", "office", "country")
#: Longest region value considered (the longest name in the data is under 60 characters).
MAX_LENGTH = 100
#: Common names of countries that are neither the data's nor country_converter's own, by ISO3.
ALIASES = {
    "Ivory Coast": "CIV", "UK": "GBR", "Great Britain": "GBR", "Britain": "GBR",
    "England": "GBR", "USA": "USA", "US": "USA", "America": "USA", "Burma": "MMR",
    "DRC": "COD", "DR Congo": "COD", "Congo-Kinshasa": "COD", "Zaire": "COD",
    "Congo-Brazzaville": "COG", "Russia": "RUS", "Syria": "SYR", "Iran": "IRN", "Laos": "LAO",
    "Vietnam": "VNM", "North Korea": "PRK", "South Korea": "KOR", "East Timor": "TLS",
    "Swaziland": "SWZ", "Cape Verde": "CPV", "Czech Republic": "CZE", "Macedonia": "MKD",
    "Holland": "NLD", "Moldova": "MDA", "Tanzania": "TZA", "Bolivia": "BOL",
    "Venezuela": "VEN", "Palestine": "PSE", "Vatican": "VAT", "Turkey": "TUR",
}
WORLD = "World"
_KIND_LABEL = {"region": "M49 region", "subregion": "M49 subregion"}


class RegionError(UsageError, ValueError):
    """A region value that is not allowed; the message names it and says what is."""

    def _render_traceback_(self) -> list[str]:
        # IPython and papermill show these lines instead of a traceback.
        return [f"RegionError: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


@dataclass(frozen=True)
class RegionSelection:
    """A resolved region: its display label, kind, countries and the chapter's places within it.

    ``key`` is the canonical value that resolves to the same selection ("World", "Africa",
    "UNOWAS", "CIV").
    """

    label: str
    kind: str
    iso3: tuple[str, ...]
    place_ids: tuple[str, ...] = ()
    key: str = ""

    def describe(self) -> str:
        """One line, e.g. ``Western Africa (M49 subregion, 17 countries)``."""
        n = len(self.iso3)
        if self.kind == "world":
            return f"{self.label} (all {n} countries and areas)"
        if self.kind == "country":
            return f"{self.label} (country, {self.key})"
        what = f"{self.key} coverage" if self.kind == "office" else _KIND_LABEL[self.kind]
        return f"{self.label} ({what}, {n} {'country' if n == 1 else 'countries'})"

    def __contains__(self, iso3: object) -> bool:
        return iso3 in self.iso3


# ------------------------------------------------------------------------------------------
# The lookup index, built once per dataset.

def fold(value: str) -> str:
    """Case and accents folded, spaces collapsed: ``" Côte  d'IVOIRE"`` -> ``"cote d'ivoire"``."""
    text = unicodedata.normalize("NFKD", value)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def normalize(value: str) -> str:
    """Fold case, accents, a leading "the", spaces and punctuation for matching names
    ("South-East Asia" and "Southeast Asia" both give "southeastasia")."""
    text = fold(value).replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    return re.sub(r"^the ", "", text).replace(" ", "")


@dataclass
class _Index:
    countries: dict          # iso3 -> (name, region, subregion)
    keys: dict               # normalized value -> (kind, key)
    labels: dict             # (kind, key) -> display label
    members: dict            # (kind, key) -> tuple of iso3
    places: list             # (place_id, kind, frozenset of iso3), countries first
    regions: tuple
    subregions: tuple
    offices: tuple
    area_names: tuple
    suggestions: dict = field(default_factory=dict)  # normalized display name -> display name

    def selection(self, kind: str, key: str) -> RegionSelection:
        iso3 = self.members[(kind, key)]
        chosen = set(iso3)
        if kind == "world":
            place_ids = tuple(p for p, _, _ in self.places)
        else:
            place_ids = tuple(p for p, _, within in self.places if within and within <= chosen)
        return RegionSelection(self.labels[(kind, key)], kind, iso3, place_ids, key)


def _text(value) -> str:
    """The cell as text; "" for None, NaN and pandas.NA."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except TypeError:  # pandas.NA has no truth value
        return ""
    return str(value)


def _rows(ds, table: str) -> list[dict]:
    if table not in ds.table_names:
        return []
    return ds[table].astype(object).to_dict("records")


def _build_index(ds) -> _Index:
    countries, keys, labels, members, suggestions = {}, {}, {}, {}, {}

    def add_key(name: str, kind: str, key: str, suggest: bool = True) -> None:
        norm = normalize(name)
        if norm and norm not in keys:
            keys[norm] = (kind, key)
            if suggest:
                suggestions.setdefault(norm, name)

    short_names = {}
    for row in _rows(ds, "countries"):
        # label: the one display name (analysis.model.names); coco's short name stays a key below
        countries[row["iso3"]] = (_text(row.get("display_name")) or row["name"], _text(row["region"]),
                                  _text(row["subregion"]))
        short_names[row["iso3"]] = row["name"]
    all_iso3 = tuple(sorted(countries))

    labels[("world", WORLD)], members[("world", WORLD)] = WORLD, all_iso3
    add_key(WORLD, "world", WORLD)

    def group(pos: int) -> dict:
        out: dict = {}
        for iso3, entry in countries.items():
            if entry[pos] and entry[pos] != "Antarctica":  # Antarctica resolves as the country
                out.setdefault(entry[pos], []).append(iso3)
        return {name: tuple(sorted(isos)) for name, isos in sorted(out.items())}

    regions, subregions = group(1), group(2)
    for kind, named in (("region", regions), ("subregion", subregions)):
        for name, isos in named.items():
            labels[(kind, name)], members[(kind, name)] = name, isos
            add_key(name, kind, name)

    offices: dict = {}
    for row in _rows(ds, "office_coverage"):
        offices.setdefault(row["office_id"], []).append(row["iso3"])
    for office_id in sorted(offices):
        members[("office", office_id)] = tuple(sorted(set(offices[office_id])))
        labels[("office", office_id)] = office_id
        add_key(office_id, "office", office_id)

    places = {row["place_id"]: row for row in _rows(ds, "places")}
    parts: dict = {}
    for row in sorted(_rows(ds, "region_equivalents"), key=lambda r: (r["place_id"], r["part"])):
        parts.setdefault(row["place_id"], []).append(row)

    # Area names: a chapter place equal to one office's coverage names that office's area;
    # a place equal to one M49 region or subregion is an alias for it.
    area_names = []
    for place_id, rows in parts.items():
        if len(rows) != 1 or place_id not in places or rows[0]["relation"] == "lies within":
            continue
        row, name = rows[0], _text(places[place_id]["name"])
        if _text(row["office_id"]) in offices:
            office_id = row["office_id"]
            labels[("office", office_id)] = name
            area_names.append(name)
            add_key(name, "office", office_id)
        elif _text(row["subregion"]) in subregions:
            add_key(name, "subregion", row["subregion"], suggest=False)
        elif _text(row["region"]) in regions:
            add_key(name, "region", row["region"], suggest=False)
    for row in _rows(ds, "offices"):
        office_id = row["office_id"]
        if office_id not in offices:
            continue
        area = _text(places.get(_text(row.get("place_id")), {}).get("name"))
        if labels[("office", office_id)] == office_id:  # no area name yet: the office's place
            labels[("office", office_id)] = area or _text(row["name"]) or office_id
        add_key(_text(row["name"]), "office", office_id, suggest=False)

    for iso3, (name, _, _) in sorted(countries.items()):
        labels[("country", iso3)], members[("country", iso3)] = name, (iso3,)
        add_key(iso3, "country", iso3, suggest=False)
        add_key(name, "country", iso3)
        add_key(short_names[iso3], "country", iso3, suggest=False)
    iso2 = {row["iso2"]: row["iso3"] for row in _rows(ds, "countries") if _text(row.get("iso2"))}
    for code, iso3 in iso2.items():
        add_key(code, "country", iso3, suggest=False)

    # The chapter's places and the countries each spans (for place_ids).
    def spans(place_id: str, place: dict) -> frozenset:
        if place_id in parts:
            out: set = set()
            for row in parts[place_id]:
                for kind, column in (("region", "region"), ("subregion", "subregion"),
                                     ("office", "office_id"), ("country", "iso3")):
                    if _text(row[column]):
                        out.update(members.get((kind, row[column]), ()))
            return frozenset(out)
        return frozenset([place["iso3"]]) if _text(place.get("iso3")) else frozenset()

    for place_id, place in places.items():
        if _text(place.get("kind")) == "country" and _text(place.get("iso3")) in countries:
            add_key(_text(place["name"]), "country", place["iso3"], suggest=False)
    spanned = [(pid, _text(p.get("kind")), spans(pid, p)) for pid, p in places.items()]
    spanned.sort(key=lambda item: (item[1] != "country", item[0]))

    return _Index(countries, keys, labels, members, spanned, tuple(regions), tuple(subregions),
                  tuple(sorted(offices)), tuple(sorted(area_names)), suggestions)


def _index(dataset=None) -> _Index:
    if dataset is None:
        from ..data.dataset import load

        dataset = load()
    from ..data import recording

    return recording.derived(dataset, "regions.index", _build_index)


# ------------------------------------------------------------------------------------------
# Fallback: country_converter's name patterns ("Ivory Coast", "UK", "Burma"…).

_coco_names: dict | None = None


def _coco_lookup(value: str, known: dict) -> list[str]:
    """ISO3 codes that ``value`` names exactly (folded) among ``known``: country_converter's
    short and official names, then :data:`ALIASES`.

    Reads the package's own table rather than calling ``CountryConverter()``, whose constructor
    fails with pandas 3 (it reads Namibia's code "NA" as missing). Its name *patterns* are not
    used: they search inside the value, so that "not Mali" would name Mali.
    """
    global _coco_names
    if _coco_names is None:
        names: dict = {}
        try:
            import csv
            from importlib import resources

            with resources.files("country_converter").joinpath("country_data.tsv").open(
                    encoding="utf-8", newline="") as tsv:
                for row in csv.DictReader(tsv, delimiter="\t"):
                    if row.get("obsolete") or not row.get("ISO3"):
                        continue
                    for column in ("name_short", "name_official"):
                        if row.get(column):
                            names.setdefault(normalize(row[column]), set()).add(row["ISO3"])
        except (ImportError, FileNotFoundError, KeyError, OSError):  # no fallback then
            names = {}
        for alias, iso3 in ALIASES.items():
            names.setdefault(normalize(alias), set()).add(iso3)
        _coco_names = names
    return sorted(iso3 for iso3 in _coco_names.get(normalize(value), ()) if iso3 in known)


# ------------------------------------------------------------------------------------------
# Public helpers.

def region_choices(dataset=None) -> list[str]:
    """The named choices: World, M49 regions, subregions, office ids and their area names.

    Countries are allowed in addition, by name or ISO code.
    """
    index = _index(dataset)
    return [WORLD, *index.regions, *index.subregions, *index.offices, *index.area_names]


def _allowed_line(index: _Index) -> str:
    offices = ", ".join(index.offices) or "none loaded"
    areas = f"; e.g. {index.area_names[0]}" if index.area_names else ""
    examples = ", ".join(s for s in ("Western Africa", "Central Asia") if s in index.subregions)
    return (f"Allowed: World; an M49 region ({', '.join(index.regions)}); an M49 subregion"
            f"{f' (e.g. {examples})' if examples else ''}; a UN regional office or its area "
            f"({offices}{areas}); or a country by name or ISO code (e.g. Mali, MLI, ML).")


def _short(value) -> str:
    from ..errors import shorten

    return shorten(value) if isinstance(value, str) else repr(value)[:80]


def _unknown(value: str, index: _Index, extra: str = "") -> RegionError:
    close = difflib.get_close_matches(normalize(value), list(index.suggestions), n=3, cutoff=0.6)
    hint = ""
    if close:
        names = [repr(index.suggestions[c]) for c in close]
        hint = " Did you mean " + (", ".join(names[:-1]) + " or " if len(names) > 1 else "") + names[-1] + "?"
    return RegionError(f"unknown region {_short(value)}{extra}.{hint}\n{_allowed_line(index)}")


def resolve_region(value: str | None, dataset=None) -> RegionSelection:
    """The selection ``value`` names (see the module docstring for what is accepted).

    Raises RegionError (a ValueError) naming the value, what is allowed and close matches.
    """
    index = _index(dataset)
    if value is None:
        return index.selection("world", WORLD)
    if not isinstance(value, str):
        raise RegionError(f"region must be text, got {_short(value)} ({type(value).__name__})."
                          f"\n{_allowed_line(index)}")
    if not value.strip():
        raise RegionError(f"region is empty; name one (World for every country).\n"
                          f"{_allowed_line(index)}")
    if len(value) > MAX_LENGTH:
        raise RegionError(f"region value {_short(value)} is too long ({len(value)} characters; "
                          f"at most {MAX_LENGTH}).\n{_allowed_line(index)}")
    norm = normalize(value)
    if not norm:
        raise _unknown(value, index)
    hit = index.keys.get(norm)
    if hit is not None:
        return index.selection(*hit)
    found = _coco_lookup(value.strip(), index.countries)
    if len(found) == 1:
        return index.selection("country", found[0])
    if len(found) > 1:
        names = ", ".join(f"{index.countries[i][0]} ({i})" for i in found)
        raise _unknown(value, index, f" (matches several countries: {names})")
    raise _unknown(value, index)


def countries_in(selection: RegionSelection | str, dataset=None):
    """Rows of the countries table for a selection (or a value to resolve), sorted by iso3."""
    if isinstance(selection, str) or selection is None:
        selection = resolve_region(selection, dataset)
    if dataset is None:
        from ..data.dataset import load

        dataset = load()
    countries = dataset["countries"]
    return countries[countries["iso3"].isin(selection.iso3)].sort_values("iso3").reset_index(drop=True)


def region_of(iso3: str, dataset=None) -> tuple[str, str]:
    """(M49 region, M49 subregion) of a country, e.g. ``("Africa", "Western Africa")``."""
    index = _index(dataset)
    code = str(iso3).strip().upper()
    if code not in index.countries:
        raise RegionError(f"unknown ISO3 code {iso3!r}: use a code from the countries table (e.g. MLI).")
    _, region, subregion = index.countries[code]
    return region, subregion


__all__ = ["KINDS", "RegionError", "RegionSelection", "countries_in", "region_choices",
           "region_of", "resolve_region"]

"""Near-twin selections: a chapter region and an M49 area that hold almost the same countries.

"West Africa and the Sahel" (the 16 countries UNOWAS covers) and M49 "Western Africa" (17) share
all but St. Helena; "Central Africa" (UNOCA's 11 ECCAS States) and M49 "Middle Africa" (9) differ
by Burundi and Rwanda. Their briefings read almost alike, so each says near its top how its
selection differs from its twin. This module gives the data for that sentence; the wording is the
text helpers' (print countries with :func:`analysis.model.names.display_name`).

Countries of a chapter region come from ``region_equivalents`` (an M49 region or subregion, an
office's ``office_coverage``, or a country); those of an M49 area from ``countries``.

>>> t = twin_of("Central Africa")
>>> t.twin, t.only_in_name, t.only_in_twin
('Middle Africa', ('BDI', 'RWA'), ())
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Twin", "area_countries", "near_twins", "twin_of", "TWIN_THRESHOLD"]

#: Share of the union two selections must have in common (Jaccard index) to count as near twins.
TWIN_THRESHOLD = 0.8


@dataclass(frozen=True)
class Twin:
    """``name`` and its near twin ``twin``; the countries (ISO3, sorted) in one and not the other."""

    name: str
    twin: str
    only_in_name: tuple[str, ...]
    only_in_twin: tuple[str, ...]
    shared: int

    @property
    def overlap(self) -> float:
        """Countries in both as a share of the countries in either (1.0 would be identical)."""
        return self.shared / (self.shared + len(self.only_in_name) + len(self.only_in_twin))

    def flipped(self) -> "Twin":
        return Twin(self.twin, self.name, self.only_in_twin, self.only_in_name, self.shared)


def _dataset(ds):
    if ds is not None:
        return ds
    from ..data.dataset import load

    return load()


def _place_names(ds) -> dict[str, str]:
    """{place id: name}, made once per dataset (a briefing asks for an area's countries by
    place id a few hundred times)."""
    from ..data import recording

    return recording.derived(ds, "twins.place_names",
                             lambda ds: dict(zip(ds.places["place_id"], ds.places["name"])))


def _m49_areas(ds) -> dict[str, frozenset[str]]:
    countries = ds.countries
    areas: dict[str, frozenset[str]] = {}
    for column in ("region", "subregion"):
        for name, group in countries.groupby(column, observed=True):
            areas.setdefault(str(name), frozenset(group["iso3"].astype(str)))
    return areas


def _chapter_regions(ds) -> dict[str, frozenset[str]]:
    """{chapter place name: its countries} for every place with a region_equivalents row."""
    from ..data import recording

    return recording.derived(ds, "twins.chapter_regions", _make_chapter_regions)


def _make_chapter_regions(ds) -> dict[str, frozenset[str]]:
    countries, coverage = ds.countries, ds.office_coverage
    names = dict(zip(ds.places["place_id"], ds.places["name"]))
    out: dict[str, set[str]] = {}
    for row in ds.region_equivalents.astype(object).to_dict("records"):
        members: set[str] = set()
        if isinstance(row["region"], str):
            members = set(countries.loc[countries["region"] == row["region"], "iso3"])
        elif isinstance(row["subregion"], str):
            members = set(countries.loc[countries["subregion"] == row["subregion"], "iso3"])
        elif isinstance(row["office_id"], str):
            members = set(coverage.loc[coverage["office_id"] == row["office_id"], "iso3"])
        elif isinstance(row["iso3"], str):
            members = {row["iso3"]}
        out.setdefault(str(names[row["place_id"]]), set()).update(str(m) for m in members)
    return {k: frozenset(v) for k, v in out.items()}


def area_countries(name: str, ds=None) -> frozenset[str]:
    """ISO3 codes of a chapter region (by name or place id) or an M49 region or subregion."""
    ds = _dataset(ds)
    chapter = _chapter_regions(ds)
    name = str(_place_names(ds).get(name, name))
    if name in chapter:
        return chapter[name]
    areas = _m49_areas(ds)
    if name in areas:
        return areas[name]
    raise KeyError(f"no chapter region or M49 area named {name!r}; chapter regions: {', '.join(sorted(chapter))}")


def near_twins(ds=None, threshold: float = TWIN_THRESHOLD) -> list[Twin]:
    """Every chapter region with an M49 area it nearly (not exactly) matches, chapter region first."""
    ds = _dataset(ds)
    areas = _m49_areas(ds)
    found = []
    for name, members in sorted(_chapter_regions(ds).items()):
        for other, other_members in sorted(areas.items()):
            if other == name or members == other_members or not members:
                continue
            shared = len(members & other_members)
            if shared / len(members | other_members) >= threshold:
                found.append(Twin(name, other, tuple(sorted(members - other_members)),
                                  tuple(sorted(other_members - members)), shared))
    return found


def twin_of(name: str, ds=None) -> Twin | None:
    """The near twin of a chapter region or M49 area (oriented with ``name`` first), or None."""
    for twin in near_twins(ds):
        if twin.name == name:
            return twin
        if twin.twin == name:
            return twin.flipped()
    return None

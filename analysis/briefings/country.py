"""The country briefing: what the chapter records about one country, for a meeting on it.

The default set has one for every country with chapter records (:func:`countries_with_data`),
with ids ``country-<slug>`` (``country-mali``). It shows what a regional briefing shows for a
country, less the choropleth (one country shaded says nothing) and the public context figures
(they are global or per SIPRI region, never per country).
"""
from __future__ import annotations

from typing import Any

from ..errors import shorten
from ..model import queries
from ..model.names import in_sentence
from .params import Parameter, close_matches, did_you_mean, listing
from .base import BriefingKind
from .region import RegionBriefing
from .registry import register

COUNTRY_HELP = "a country with chapter records, by name or ISO code (e.g. 'Mali', 'COD')"


def countries_with_data(*, ds=None) -> list[str]:
    """The countries with at least one chapter record, by display name, in alphabetical order
    (each a valid ``country`` parameter)."""
    frame = queries.countries_with_data(None, ds=queries.dataset(ds))
    return sorted(frame["name"].astype(str), key=str.casefold)


def normalise_country(value: str) -> str:
    """The country's display name for a name or ISO code; ValueError naming the countries with
    chapter records for anything else (a region, an unknown name)."""
    from ..model.regions import resolve_region

    text = str(value).strip()
    try:
        selection = resolve_region(text)
    except ValueError:
        selection = None
    if selection is None or selection.kind != "country":
        known = countries_with_data()
        what = "is a region, not a country" if selection is not None else "is not a country"
        raise ValueError(f"{shorten(text)} {what}{did_you_mean(close_matches(text, known))}; countries "
                         f"with chapter records: {listing(known)}")
    return selection.label


def country_parameter(default: str = "Mali") -> Parameter:
    """The ``country`` parameter: one country, by name or ISO code."""
    return Parameter("country", str, default, COUNTRY_HELP, suggestions=countries_with_data,
                     validate=normalise_country)


KIND = BriefingKind(
    name="country",
    title="Country briefing",
    summary="what the chapter records about one country: operations, envoys, events, partners, "
            "figures",
    parameters=(country_parameter(),),
    sections=("header", "overview", "operations", "offices", "presence_map", "activities",
              "timeline_chart", "timeline", "partners", "partner_matrix", "figures",
              "figures_chart", "sources"),
    subject="chapter records",
)


@register
class CountryBriefing(RegionBriefing):
    kind = KIND

    def __init__(self, *, ds=None, **values: Any):
        super().__init__(ds=ds, **values)
        self.region = self.parameters["country"]
        #: The country, resolved once here.
        self.selection = queries.selection(self.region, self.ds)
        self.label = in_sentence(self.selection.label, self.ds) if self.selection is not None \
            else "the world"

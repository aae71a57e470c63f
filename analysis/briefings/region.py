"""The regional briefing: what the chapter records about one region, office area or country."""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ..model import queries
from ..prose import text
from .params import include_context_parameter, region_parameter
from .base import Briefing, BriefingKind
from .registry import register

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

KIND = BriefingKind(
    name="region",
    notebook="region.ipynb",
    title="Regional briefing",
    summary="what the chapter records about one region, office area or country",
    parameters=(region_parameter("Western Africa"), include_context_parameter()),
    sections=("header", "overview", "map", "operations", "offices", "presence_map", "activities",
              "timeline_chart", "timeline", "partners", "partner_matrix", "figures",
              "figures_chart", "context_figures", "sources"),
    subject="chapter records",
    map_title="{label}: countries by number of chapter records",
    context_topics=(text.PEACE_OPERATIONS_TOPIC,),
)


@register
class RegionBriefing(Briefing):
    kind = KIND

    def key_points(self) -> list[text.KeyPoint]:
        return text.region_key_points(self.selection, include_context=self.include_context, ds=self.ds)

    def few_records(self) -> int | None:
        """The records the key points count (:func:`analysis.prose.findings.records`), when few."""
        from ..prose import findings

        records = findings.records_total(findings.records(self.selection, ds=self.ds))
        return records if records < text.FEW_RECORDS else None

    def few_records_inferred(self) -> int:
        """How many of those records are counted only by inference (:attr:`Finding.inferred_count`)."""
        from ..prose import findings

        return sum(f.inferred_count for f in findings.records(self.selection, ds=self.ds).values())

    def map_records(self) -> "pd.DataFrame | None":
        from ..prose import findings

        data = findings.records_map(self.selection, ds=self.ds)
        self._whole_region = False
        if not len(data) and self.selection is not None:
            data = queries.whole_region_records(self.selection, ds=self.ds)
            self._whole_region = data is not None and len(data) > 0
        return data

    def context_fits(self) -> bool:
        """The world, or a region SIPRI counts too (its public figures are per SIPRI region)."""
        return self.selection is None or bool(self._context_points)

    @cached_property
    def _context_points(self) -> list[text.KeyPoint]:
        """The region's context key points (made once: the page's sections and its note ask
        several times, and the selection does not change)."""
        return text.context_points_for_region(self.selection, ds=self.ds)

    def context_rows(self) -> "pd.DataFrame":
        frame = super().context_rows()
        ids = {s for p in self._context_points for s in p.context_sources}
        frame = frame[frame["source_id"].isin(list(ids))] if ids else frame.iloc[0:0]
        if self.selection is not None and len(frame):
            frame = frame[frame["region"] == self.selection.label]
        return frame

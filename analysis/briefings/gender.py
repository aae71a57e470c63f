"""The briefing on women, peace and security: shares against targets, events, activities."""
from __future__ import annotations

from ..prose import text
from .params import include_context_parameter, region_parameter
from .base import Briefing, BriefingKind
from .registry import register

KIND = BriefingKind(
    name="gender",
    notebook="gender.ipynb",
    title="Women, peace and security",
    summary="the chapter's figures against targets, events, activities and initiatives on women, "
            "peace and security",
    parameters=(region_parameter(), include_context_parameter()),
    sections=("header", "figures_chart", "figures", "timeline", "engagements", "initiatives", "map",
              "context_figures", "sources"),
    subject="records on women, peace and security",
    topic="gender",
    context_topics=("Peacebuilding Fund",),
)


@register
class GenderBriefing(Briefing):
    kind = KIND

    def key_points(self) -> list[text.KeyPoint]:
        return text.gender_key_points(self.selection, include_context=self.include_context, ds=self.ds)

"""The briefing on funding for peace: the chapter's figures and funding streams, with public
budget and Peacebuilding Fund figures beside them as context."""
from __future__ import annotations

from ..prose import text
from .params import include_context_parameter, region_parameter
from .base import Briefing, BriefingKind
from .registry import register

KIND = BriefingKind(
    name="funding",
    notebook="funding.ipynb",
    title="Funding for peace",
    summary="the chapter's funding figures and streams, with public budgets as labelled context",
    parameters=(region_parameter(), include_context_parameter()),
    sections=("header", "figures_chart", "figures", "initiatives", "engagements", "map",
              "context_chart", "context_figures", "sources"),
    subject="records on funding",
    topic="funding",
    context_topics=text.FUNDING_CONTEXT_TOPICS,
)


@register
class FundingBriefing(Briefing):
    kind = KIND

    def key_points(self) -> list[text.KeyPoint]:
        return text.funding_key_points(self.selection, include_context=self.include_context,
                                       ds=self.ds)

"""The briefing on partnerships: who works with the UN, where and on what."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import queries
from ..prose import text
from .params import ALL_PARTNERS, partner_parameter, region_parameter
from .base import Briefing, BriefingKind
from .registry import register

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

KIND = BriefingKind(
    name="partnerships",
    notebook="partnerships.ipynb",
    title="Partnerships for peace",
    summary="who works with the UN (regional organizations, the World Bank...), where and on what",
    parameters=(region_parameter(), partner_parameter()),
    sections=("header", "partner_summary", "partner_matrix", "map", "partners", "sources"),
    subject="partner engagements",
    map_title="Countries where, as the chapter says, partners work with the UN",
)


@register
class PartnershipsBriefing(Briefing):
    kind = KIND

    @property
    def partner(self) -> str:
        return self.parameters["partner"]

    @property
    def _partner_name(self) -> str:
        return self.ds.partners.set_index("partner_id")["name"].get(self.partner, self.partner)

    #: the page counts the engagements of organizations, not of operations (see :meth:`matrix_rows`);
    #: a key point names the kinds of actors named in general
    actor_groups = ("partners", "partner elsewhere", "other", "government", "party to a conflict")

    def partner_filter(self) -> str | None:
        return None if self.partner == ALL_PARTNERS else self.partner

    def key_points(self) -> list[text.KeyPoint]:
        return text.partnership_key_points(self.selection, partner=self.partner, ds=self.ds)

    @property
    def title(self) -> str:
        if self.partner == ALL_PARTNERS:
            return super().title
        from ..model.names import in_sentence

        label = in_sentence(self.selection.label, self.ds) if self.selection is not None else "World"
        return f"{self.kind.title}: {self._partner_name}, {label}"

    @property
    def subject(self) -> str:
        if self.partner == ALL_PARTNERS:
            return self.kind.subject
        return f"engagements by {self._partner_name}"

    def map_records(self) -> "pd.DataFrame":
        """Countries of the engagements in which the chapter says a partner works with the UN:
        the rows of the partners finding, so the map counts what the key point counts."""
        from ..prose import findings

        found = findings.actors(self.selection, "partners", ds=self.ds, partner=self.partner_filter())
        return findings.country_counts([found.rows], ds=self.ds)

    def matrix_rows(self) -> "pd.DataFrame":
        from ..prose import findings

        # the engagements the key points count, those in which the chapter states cooperation
        # with the UN: not the AU's in South Sudan, where it states none (issue 18, A2); the
        # chart counts the table's rows counted as "partner (cooperation with the UN stated)"
        return findings.actors(self.selection, "partners", ds=self.ds, partner=self.partner_filter()).rows

    #: what the chart of actors by place counts, in its alt text
    matrix_counts = "engagements tied to a place in which the chapter states cooperation with the UN"

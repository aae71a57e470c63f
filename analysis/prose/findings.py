"""One finding per claim: what a section of a briefing rests on, computed once.

A :class:`Finding` holds the rows a claim rests on, one printed label per row group, the
inferred flag of each label, the paragraphs cited and the inferences behind them. The key point,
the table, the chart or map, its alt text and the index teaser of the section all render the same
finding, so that a count is always ``len(finding.items)``. A "none recorded" sentence is written
by :meth:`Finding.none_sentence`, over the same selection and naming the kind of record absent;
where records on a wider area that overlaps the selection exist (the Middle East for Western
Asia), it says so.

The categories are the data's, one field each: an operation's ``lead`` (only lead ``UN`` is a UN
peace operation), an actor's ``relation_to_un`` and ``generic`` flag, and an engagement's
``cooperation`` (only an engagement whose phrase states cooperation with the UN makes its actor a
partner working with the UN).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from ..model import queries
from .formatting import flag_set, plural
from ..data.locators import paragraph_locators
from ..model.names import in_sentence

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..data.dataset import Dataset

INFERRED = "inferred"


def _text(value) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Finding:
    """What one section of a briefing claims, and the rows it rests on.

    ``what`` is the kind of record, singular and plural ("UN peace operation", "UN peace
    operations"); ``scope`` the selection as it reads in a sentence ("Mali", "the world");
    ``items`` one printed label per counted thing and ``flags`` whether each is inferred;
    ``rows`` the data rows (a DataFrame) behind the items; ``paragraphs`` the chapter paragraphs
    cited, in reading order; ``inferences`` the :class:`analysis.prose.text.Inference` objects the
    claim rests on; ``nearby`` labels of records on wider areas overlapping the selection
    (said only in the none sentence); ``context`` whether the finding is context, not the
    chapter's (office coverage).
    """

    section: str
    what: tuple[str, str]
    scope: str
    items: tuple[str, ...] = ()
    flags: tuple[bool, ...] = ()
    paragraphs: tuple[str, ...] = ()
    inferences: tuple[Any, ...] = ()
    rows: Any = field(default=None, compare=False, repr=False)
    nearby: tuple[str, ...] = ()
    nearby_area: str = ""
    context: bool = False
    #: The kind of record absent, as a none sentence names it (``what``'s plural by default).
    absent: str = ""

    @property
    def count(self) -> int:
        """How many things the finding counts: the length of its list, by construction."""
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def inferred_count(self) -> int:
        return sum(self.flags)

    def counted(self) -> str:
        """'3 UN peace operations (1 inferred)'."""
        n, k = self.count, self.inferred_count
        mark = "" if not k else (f" ({INFERRED})" if n == 1 else
                                 f" (all {INFERRED})" if k == n else f" ({k} {INFERRED})")
        return plural(n, *self.what) + mark

    def labels(self, *, mark: bool = True) -> list[str]:
        """The items, each inferred one marked '(inferred)' when some but not all are."""
        if not mark or all(self.flags) or not any(self.flags):
            return list(self.items)
        # an office's label may carry its own mark ("... (UNOWAS: inferred)"): not marked twice
        return [f"{item} ({INFERRED})" if flag and INFERRED not in item else item
                for item, flag in zip(self.items, self.flags)]

    def none_sentence(self) -> str:
        """The chapter records no <kind of record> for <scope>: over the same selection the
        section draws from; names the records on wider areas that overlap it, if any."""
        if "{scope}" in self.absent:
            sentence = f"The chapter records no {self.absent.format(scope=self.scope)}"
        else:
            sentence = f"The chapter records no {self.absent or self.what[1]} for {self.scope}"
        if self.nearby:
            sentence += (f"; on {self.nearby_area}, a wider area that includes all or part of it, "
                         f"it records {_series(list(self.nearby))}")
        return sentence + "."


def _series(items: list[str], limit: int = 6) -> str:
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) > limit:
        items = items[:limit] + [f"{len(items) - limit} more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def scope_of(sel, ds: "Dataset") -> str:
    """The selection as it reads in a sentence: 'the Gambia', 'Western Africa', 'the world'."""
    return in_sentence(sel.label, ds) if sel is not None else "the world"


def _inferences(rows, table: str) -> tuple:
    from . import text

    return text.inferences_of(rows, table)


def _made_once(ds: "Dataset", name: tuple, make) -> Finding:
    """``make()``, made once per dataset and ``name`` (the finding, its selection and its
    arguments, a list of themes as a tuple: :func:`analysis.data.recording.derived`, whose hits
    replay the reads it made): a briefing's key points and its sections ask for the same
    findings. Each caller gets its own copy of the rows."""
    from ..data import recording

    name = tuple(tuple(v) if isinstance(v, list) else frozenset(v) if isinstance(v, set) else v
                 for v in name)
    return _own_copy(recording.derived(ds, name, lambda _ds: make()))


def _own_copy(found: Finding) -> Finding:
    """``found`` with a copy of its rows: a cached finding's rows stay as they were made."""
    from dataclasses import replace

    return replace(found, rows=None if found.rows is None else found.rows.copy())


# --- operations ----------------------------------------------------------------------------------

#: What an operation of each lead is called in a finding.
OPERATION_WHAT = {"UN": ("UN peace operation", "UN peace operations"),
                  "other": ("operation led by the AU or jointly with it",
                            "operations led by the AU or jointly with it"),
                  "force": ("force within a UN peace operation", "forces within a UN peace operation")}


def forces(sel, *, ds: "Dataset | None" = None, status: str | None = None) -> Finding:
    """Forces within a UN peace operation (``operations.part_of``): never counted as operations."""
    return operations(sel, ds=ds, led_by_un=None, status=status)


def operations(sel, *, ds: "Dataset | None" = None, led_by_un: bool | None = True,
               status: str | None = None) -> Finding:
    """The peace operations in the selection that the UN leads (``led_by_un``) or that the AU
    leads alone or with the UN; optionally of one ``status`` in the reporting period."""
    ds = queries.dataset(ds)
    return _made_once(ds, ("findings.operations", sel, led_by_un, status),
                      lambda: _operations(sel, ds, led_by_un, status))


def _operations(sel, ds: "Dataset", led_by_un: bool | None, status: str | None) -> Finding:
    from . import text

    frame = queries.operations_in(sel, ds=ds)
    keep = (frame["lead"] != "UN") if led_by_un is False else (frame["lead"] == "UN")
    forces = frame["part_of"].notna() if "part_of" in frame else keep & False
    keep = keep & (forces if led_by_un is None else ~forces)  # a force within an operation apart
    frame = frame[keep.astype(bool)]
    if status is not None:
        frame = frame[frame["status"] == status]
    frame = frame.reset_index(drop=True)
    items = []
    for _, row in frame.iterrows():
        label = text.operation_in_place(row["operation_id"], row.get("place"), ds=ds)
        if led_by_un is False:
            label += " (AU-led)" if row["lead"] == "AU" else " (AU-UN hybrid)"
        items.append(label)
    inferences = list(_inferences(frame, "operations"))
    inferences += [text.status_inference(r, ds=ds) for _, r in frame.iterrows()]
    what = OPERATION_WHAT["UN" if led_by_un else "other" if led_by_un is False else "force"]
    return Finding("operations", what, scope_of(sel, ds),
                   tuple(items), tuple(flag_set(v) for v in frame["inferred"]),
                   tuple(paragraph_locators(list(frame["paragraph"]) +
                                            list(frame["status_paragraph"].dropna()))),
                   tuple(i for i in inferences if i is not None), frame,
                   absent=_operations_absent(sel, ds) if led_by_un and status is None else "")


def _operations_absent(sel, ds: "Dataset") -> str:
    """The kind of operation a none sentence says is absent, exact over the selection: beside an
    operation the AU leads or shares (UNAMID in the Sudan) none "led by the UN alone"; beside an
    envoy heading a political mission (UNAMA's head in Afghanistan) no "peacekeeping" one (every
    operation in the dataset keeps the peace); else no "UN peace operations"."""
    frame = queries.operations_in(sel, ds=ds)
    if (frame["lead"] != "UN").any():
        return "peace operations led by the UN alone"
    offices = queries.offices_in(sel, ds=ds)
    if (offices["presence"].astype(str) != "coverage").any():
        return "UN peacekeeping operations"
    return ""


# --- offices -------------------------------------------------------------------------------------

#: How the offices of each kind of presence are named.
OFFICE_WHAT = {
    "based": ("office or envoy whose area the chapter names here", "offices or envoys whose area the chapter names here"),
    "engagement": ("office or envoy the chapter ties to an engagement here",
                   "offices or envoys the chapter ties to an engagement here"),
    "coverage": ("office whose area includes part of it (context: its coverage)",
                 "offices whose area includes part of it (context: their coverage)"),
}


def offices(sel, *, ds: "Dataset | None" = None, presence: str | None = None) -> Finding:
    """Offices and envoys present in the selection. ``presence``: 'based' (the office's own area
    is in the selection), 'engagement' (only an engagement ties it there), 'coverage' (context
    only), or None for every office present through the chapter (based or engagement)."""
    ds = queries.dataset(ds)
    return _made_once(ds, ("findings.offices", sel, presence),
                      lambda: _offices(sel, ds, presence))


def _offices(sel, ds: "Dataset", presence: str | None) -> Finding:
    import pandas as pd

    from . import text

    frame = queries.offices_in(sel, ds=ds)
    reasons = frame["presence"].astype(str).str.split(", ")
    if presence == "coverage":
        keep = reasons.map(lambda r: r == ["coverage"])
    elif presence == "based":
        keep = reasons.map(lambda r: "based" in r or r == ["chapter"])
    elif presence == "engagement":
        keep = reasons.map(lambda r: "engagement" in r and "based" not in r)
    elif presence == "all":  # the offices table: every office present, with how
        keep = reasons.map(lambda r: True)
    else:
        keep = reasons.map(lambda r: r != ["coverage"])
    frame = frame[keep.astype(bool)].reset_index(drop=True)
    what = OFFICE_WHAT.get(presence or "", ("office or envoy", "offices or envoys"))
    if sel is None:
        what = ("office or envoy", "offices or envoys")
    absent = "office or envoy based or engaged in {scope}" if presence is None and sel is not None else ""
    items = [text.office_listed(r) for _, r in frame.iterrows()]
    flags = [flag_set(v) for v in frame["inferred"]]
    inferences = list(_inferences(frame, "offices"))
    paragraphs = list(frame["paragraph"])
    if sel is not None:  # an office only engaged here rests on the engagements' paragraphs
        only_engaged = frame.loc[~frame["presence"].astype(str).str.contains("based"), "office_id"]
        acts = queries.engagements_in(sel, ds=ds)
        paragraphs = list(frame.loc[frame["presence"].astype(str).str.contains("based"), "paragraph"])
        paragraphs += list(acts.loc[acts["office_id"].isin(list(only_engaged)), "paragraph"])
        if presence == "coverage":
            paragraphs = list(frame["paragraph"])
        # an office only engaged here is cited by those engagements' paragraphs, not its own
        # (the Secretary-General's good offices in India: good-offices/1, not adapting/1)
        if len(frame) and "office_id" in acts:
            frame = frame.copy()
            engaged_in = {o: ", ".join(paragraph_locators(g["paragraph"]))
                          for o, g in acts[acts["office_id"].notna()].groupby("office_id", observed=True)}
            frame["paragraph"] = [engaged_in.get(o, p) if "based" not in str(r) and str(r) not in
                                  ("chapter", "coverage") and engaged_in.get(o) else p
                                  for o, p, r in zip(frame["office_id"], frame["paragraph"], frame["presence"])]
        for k, (_, row) in enumerate(frame.iterrows()):
            tied = engagement_ties(row, acts, ds=ds)
            if tied and not flags[k]:  # only inferred engagements tie it here: so is its presence
                flags[k] = True
                items[k] = f"{items[k]} ({INFERRED})"
                inferences += tied
    # the chapter's words for an office ("as written") belong to its own paragraph: a row cited
    # by other paragraphs must not show them (the Secretary-General on Ukraine, cited by
    # partnerships/2, is not "the Secretary-General's good offices", a phrase of adapting/1),
    # unless an engagement's evidence in the cited paragraph holds them
    shown = sorted(set(frame["office_id"].dropna()))  # only the rows of the offices shown are read
    offices, engagements = ds.offices, ds.engagements
    offices = offices[offices["office_id"].isin(shown)]
    own = dict(zip(offices["office_id"], offices["paragraph"]))
    evidence = engagements[engagements["office_id"].isin(shown)][["office_id", "evidence", "paragraph"]]
    # a mention of the office in a cited paragraph holds its words too (UNOWAS on Ghana,
    # elections/1: "my Special Representative for West Africa and the Sahel"; issue 18, A6)
    mentions = ds.mentions[(ds.mentions["entity_table"] == "offices") & ds.mentions["entity_id"].isin(shown)]
    evidence = pd.concat([evidence, mentions.rename(columns={"entity_id": "office_id"})[
        ["office_id", "evidence", "paragraph"]]], ignore_index=True)
    frame = frame.assign(own_paragraph_cited=[
        str(own.get(o, p)) in paragraph_locators([p]) or (isinstance(ref, str) and any(
            ref.lower() in str(e).lower() for e, q in zip(evidence.loc[evidence["office_id"] == o, "evidence"],
                                                          evidence.loc[evidence["office_id"] == o, "paragraph"])
            if q in paragraph_locators([p])))
        for o, p, ref in zip(frame["office_id"], frame["paragraph"], frame["chapter_reference"])])
    return Finding("offices", what, scope_of(sel, ds), tuple(items), tuple(flags),
                   tuple(paragraph_locators(paragraphs)),
                   tuple(dict.fromkeys(inferences)), frame, context=presence == "coverage",
                   absent=absent)


def engagement_ties(row, acts: "pd.DataFrame", *, ds: "Dataset") -> list:
    """The inferences behind an office's presence when only engagements tie it to the selection
    and each of them rests on an inference (the CAAC office in the DRC: "my Special
    Representative" read as that office); [] when the office is based there or one engagement
    states it."""
    from . import text

    if "based" in str(row.get("presence")) or str(row.get("presence")) in ("chapter", "coverage"):
        return []
    mine = acts[acts["office_id"] == row["office_id"]] if "office_id" in acts else acts.iloc[0:0]
    found = [text.engagement_inferences(r, ds=ds) for _, r in mine.iterrows()]
    if not found or not all(found):
        return []
    return [i for group in found for i in group]


# --- engagements and actors ----------------------------------------------------------------------

def _actor_relations(ds: "Dataset") -> dict[tuple[str, str], str]:
    """(actor table, id) -> relation to the UN: partners by their field; UN-led operations and
    offices are the UN's own; AU-led and hybrid operations are outside the UN."""
    out = {("partners", p): str(r) for p, r in zip(ds.partners["partner_id"], ds.partners["relation_to_un"])}
    out.update({("operations", o): "UN system" if lead == "UN" else "outside the UN"
                for o, lead in zip(ds.operations["operation_id"], ds.operations["lead"])})
    out.update({("offices", o): "UN system" for o in ds.offices["office_id"]})
    return out


def engagements(sel, *, ds: "Dataset | None" = None, theme=None) -> "pd.DataFrame":
    """The selection's engagements with each actor's ``relation`` to the UN, its ``generic``
    flag and ``cooperating`` (the chapter states cooperation with the UN), organs folded into
    their organization (``partner_group``): made once per dataset, selection and theme (a
    briefing asks for them a score of times), a copy each time."""
    ds = queries.dataset(ds)
    return queries.per_selection(ds, "findings.engagements", (sel, theme),
                                 lambda: _engagements(sel, ds, theme))


def _engagements(sel, ds: "Dataset", theme) -> "pd.DataFrame":
    import pandas as pd

    acts = queries.engagements_in(sel, theme=theme, ds=ds)
    relations = _actor_relations(ds)
    generic = dict(zip(ds.partners["partner_id"], ds.partners["generic"]))
    parents = {p: o for p, o in zip(ds.partners["partner_id"], ds.partners["part_of"]) if isinstance(o, str)}
    acts["relation"] = pd.array([relations.get((t, a), "outside the UN")
                                 for t, a in zip(acts["actor_table"], acts["actor_id"])], dtype="string")
    acts["generic"] = [bool(flag_set(generic.get(a))) if t == "partners" else False
                       for t, a in zip(acts["actor_table"], acts["actor_id"])]
    acts["cooperating"] = [bool(_text(c)) for c in acts["cooperation"].astype(object).where(
        acts["cooperation"].notna(), "")]
    acts["partner_group"] = pd.array([parents.get(a, a) if t == "partners" else a
                                      for t, a in zip(acts["actor_table"], acts["actor_id"])],
                                     dtype="string")
    return acts


def actor_label(row, ds: "Dataset") -> str:
    """An actor as a reader knows it: its acronym, else its name (an organ by its organization)."""
    table, actor_id = row.get("actor_table"), str(row.get("partner_group") or row.get("actor_id"))
    if table == "partners":
        partners = ds.partners.set_index("partner_id")
        if actor_id in partners.index:
            acronym = partners.loc[actor_id, "acronym"]
            label = acronym if isinstance(acronym, str) and acronym else str(partners.loc[actor_id, "name"])
            article = partners.loc[actor_id, "article"] if "article" in partners else None
            return f"the {label}" if isinstance(article, str) and article == "the" else label
    from . import text

    if table == "operations":
        return text.operation_label(actor_id, ds=ds)

    return text.actor_short_name(row, ds=ds)


#: The groups of actors a briefing names, each apart: (relation, cooperating, what).
ACTOR_GROUPS = {
    "partners": ("partner the chapter says works with the UN",
                 "partners the chapter says work with the UN"),
    "other": ("organization or group named, its cooperation with the UN not stated",
              "organizations and groups named, their cooperation with the UN not stated"),
    "UN system": ("UN body engaged (part of the UN, not a partner)",
                  "UN bodies engaged (part of the UN, not partners)"),
    "government": ("government named (not counted as a partner)",
                   "governments named (not counted as partners)"),
    "party to a conflict": ("party or authority in a conflict (not a partner)",
                            "parties and authorities in a conflict (not partners)"),
    "partner elsewhere": ("engagement of a partner, its cooperation with the UN not stated in it",
                          "engagements of partners, their cooperation with the UN not stated in them"),
    "generic": ("kind of actor named in general (not counted as a partner)",
                "kinds of actors named in general (not counted as partners)"),
    # counted among the engagements, so listed with them (issue 18, A1: AMISOM, UNAMID)
    "operation outside the UN": ("engagement of an operation led by the AU or jointly with it",
                                 "engagements of operations led by the AU or jointly with it"),
}


#: How a none sentence names each group of actors absent.
ACTOR_ABSENT = {"partners": "partner working with the UN",
                "other": "organization named without a stated cooperation with the UN"}


def _group_rows(acts: "pd.DataFrame", group: str) -> "pd.DataFrame":
    if group == "operation outside the UN":
        return acts[(acts["actor_table"] == "operations") & (acts["relation"] == "outside the UN")]
    partners = acts[acts["actor_table"] == "partners"]
    generic = partners["generic"].astype(bool)
    if group == "generic":
        return partners[generic]
    partners = partners[~generic]
    if group == "UN system":
        return partners[(partners["relation"] == "UN system")]
    if group in ("government", "party to a conflict"):
        return partners[partners["relation"] == group]
    outside = partners[partners["relation"] == "outside the UN"]
    cooperating = outside["cooperating"].astype(bool)  # a fact of each engagement, not of the actor
    if group == "partners":
        return outside[cooperating]
    partners_here = set(outside.loc[cooperating, "partner_group"].astype(str))
    if group == "partner elsewhere":  # a partner's engagements here that state no cooperation
        return outside[~cooperating & outside["partner_group"].astype(str).isin(partners_here)]
    # an organization the chapter says works with the UN in this selection is a partner here,
    # not also one whose cooperation is "not stated" (the AU on the partnerships page)
    partners_here = set(outside.loc[cooperating, "partner_group"].astype(str))
    return outside[~cooperating & ~outside["partner_group"].astype(str).isin(partners_here)]


def actors(sel, group: str = "partners", *, ds: "Dataset | None" = None, theme=None,
           partner: str | None = None) -> Finding:
    """One group of actors engaged in the selection (see :data:`ACTOR_GROUPS`): 'partners' are
    organizations outside the UN, not named in general, with an engagement here whose phrase
    states cooperation with the UN; 'other' are the organizations outside the UN engaged here
    without it; 'UN system', 'government' and 'party to a conflict' are never partners."""
    ds = queries.dataset(ds)
    return _made_once(ds, ("findings.actors", sel, group, theme, partner),
                      lambda: _actors(sel, group, ds, theme, partner))


def _actors(sel, group: str, ds: "Dataset", theme, partner: str | None) -> Finding:
    from . import text

    acts = engagements(sel, ds=ds, theme=theme)
    if partner not in (None, "all"):
        acts = acts[(acts["partner_id"] == partner) | (acts["partner_group"] == partner)]
    rows = _group_rows(acts, group).reset_index(drop=True)
    labels: dict[str, str] = {}
    flags: dict[str, bool] = {}
    for _, row in rows.iterrows():
        key = str(row["partner_group"])
        labels.setdefault(key, actor_label(row, ds))
        flags[key] = flags.get(key, True) and bool(_actor_inferred(row, ds))
    inferences = [i for _, r in rows.iterrows() for i in text.engagement_inferences(r, ds=ds)]
    what = ACTOR_GROUPS[group]
    if group == "UN system":
        what = _un_system_what(list(labels), ds)
    return Finding(group, what, scope_of(sel, ds), tuple(labels.values()),
                   tuple(flags[k] for k in labels), tuple(paragraph_locators(rows["paragraph"])),
                   tuple(dict.fromkeys(inferences)), rows,
                   *_nearby(sel, ds, lambda s: _group_rows(engagements(s, ds=ds, theme=theme), group)),
                   absent=ACTOR_ABSENT.get(group, ""))


#: The UN system group when it names the UN as a whole (partners.kind 'UN as a whole'): the
#: Organization is not "a UN body, part of the UN".
UN_AS_A_WHOLE = "UN as a whole"
UN_SYSTEM_WHAT = {"whole": ("the UN as a whole, engaged (not a partner)",
                            "the UN as a whole, engaged (not a partner)"),
                  "both": ("UN body, or the UN as a whole, engaged (not a partner)",
                           "UN bodies, and the UN as a whole, engaged (not partners)")}


def _un_system_what(groups: list[str], ds: "Dataset") -> tuple[str, str]:
    """How the UN system group is named, from its actors' kinds."""
    kinds = dict(zip(ds.partners["partner_id"], ds.partners["kind"]))
    whole = [g for g in groups if kinds.get(g) == UN_AS_A_WHOLE]
    if not whole:
        return ACTOR_GROUPS["UN system"]
    return UN_SYSTEM_WHAT["whole" if len(whole) == len(groups) else "both"]


def _actor_inferred(row, ds: "Dataset") -> bool:
    table, actor_id = row.get("actor_table"), str(row.get("actor_id"))
    frame = ds[table]
    key = {"operations": "operation_id", "offices": "office_id", "partners": "partner_id"}[table]
    found = frame[frame[key] == actor_id]
    return bool(len(found)) and flag_set(found.iloc[0]["inferred"])


def activities(sel, *, ds: "Dataset | None" = None, theme=None) -> Finding:
    """What the UN itself does in the selection: engagements of UN-led operations, offices and
    envoys, and UN bodies. Items are the engagements (one per actor, activity and paragraph)."""
    from . import text

    ds = queries.dataset(ds)
    acts = engagements(sel, ds=ds, theme=theme)
    rows = acts[acts["relation"] == "UN system"].reset_index(drop=True)
    items, flags = [], []
    for _, group in rows.groupby(["actor", "activity", "paragraph"], sort=False, observed=True):
        first = group.iloc[0]
        items.append(f"{actor_label(first, ds)}: {first['activity']}")
        flags.append(any(bool(text.engagement_inferences(r, ds=ds)) for _, r in group.iterrows()))
    inferences = [i for _, r in rows.iterrows() for i in text.engagement_inferences(r, ds=ds)]
    what = ("activity of the UN's operations, offices, envoys or bodies",
            "activities of the UN's operations, offices, envoys or bodies")
    return Finding("activities", what, scope_of(sel, ds), tuple(items), tuple(flags),
                   tuple(paragraph_locators(rows["paragraph"])), tuple(dict.fromkeys(inferences)), rows,
                   *_nearby(sel, ds, lambda s: engagements(s, ds=ds, theme=theme).query(
                       "relation == 'UN system'")),
                   absent=_besides_cooperation(what[1], acts, ds))


def _besides_cooperation(absent: str, acts: "pd.DataFrame", ds: "Dataset") -> str:
    """The activities' none sentence: the chapter records the UN's own cooperation with a partner
    as the partner's engagement (its actor is the partner), so where the selection has such rows
    the sentence says so, naming each partner with its paragraphs, and is not a bare 'no'."""
    rows = _group_rows(acts, "partners")
    if not len(rows):
        return ""
    named: dict[str, list[str]] = {}
    for _, row in rows.iterrows():
        named.setdefault(actor_label(row, ds), []).append(str(row["paragraph"]))
    cited = [f"{label} ({_cite(paras)})" for label, paras in named.items()]
    return f"{absent} for {{scope}} other than the UN's cooperation with {_series(cited, limit=len(cited))}"


def _cite(paragraphs: list[str]) -> str:
    paras = list(dict.fromkeys(paragraphs))
    return ("\u00b6 " if len(paras) == 1 else "\u00b6\u00b6 ") + ", ".join(paras)


def events(sel, *, ds: "Dataset | None" = None, theme=None) -> Finding:
    """The selection's dated events, in the timeline's one order (first day, then last day)."""
    from . import text

    ds = queries.dataset(ds)
    frame = queries.timeline(sel, theme=theme, ds=ds)
    items = tuple(f"{text.event_date(r)}: {text.lower_first(str(r['description']).rstrip('.'))}"
                  for _, r in frame.iterrows())
    ids = queries.place_ids(sel, ds)
    # an event in the selection only through places the chapter implies (the United Kingdom,
    # for a conference "held in London") is counted there by inference: marked, with its note
    placed = [ids is not None and _placed_by_inference(r, ids) for _, r in frame.iterrows()]
    inferences = _inferences(frame, "events") + tuple(
        i for (_, r), by_inference in zip(frame.iterrows(), placed) if by_inference
        for i in text.event_place_inferences(r, ds=ds))
    return Finding("events", ("dated event", "dated events"), scope_of(sel, ds), items,
                   tuple(flag_set(v) or p for v, p in zip(frame["inferred"], placed)),
                   tuple(paragraph_locators(frame["paragraph"])), inferences, frame)


def _placed_by_inference(event_row, ids: set[str]) -> bool:
    """Whether every place that puts a timeline row in the selection (``ids``) is one the chapter
    only implies (``inferred_place_ids``, :func:`analysis.model.queries.timeline`)."""
    inside = [p for p in str(event_row["place_ids"]).split(", ") if p in ids]
    implied = set(str(event_row["inferred_place_ids"]).split(", "))
    return bool(inside) and all(p in implied for p in inside)


def _wider_areas(sel, ds: "Dataset") -> tuple[tuple[str, str], ...]:
    """(place id, name) of the regions the chapter names that are not the selection's places
    but hold some of its countries (made once per dataset and selection: every group of actors
    asks)."""
    from ..model.twins import area_countries

    inside = queries.place_ids(sel, ds) or set()
    mine = set(sel.iso3)
    places = ds.places

    def countries_of(pid) -> frozenset[str]:
        # a drafted package may name a region whose countries it does not list: not "wider"
        try:
            return area_countries(pid, ds)
        except KeyError:
            return frozenset()

    return tuple((pid, name) for pid, name, kind
                 in zip(places["place_id"], places["name"], places["kind"])
                 if kind == "region" and pid not in inside and mine & set(countries_of(pid)))


def _nearby(sel, ds: "Dataset", rows_of) -> tuple[tuple[str, ...], str]:
    """Labels of the records on wider areas the chapter names (the Middle East, Africa) whose
    countries (``region_equivalents``) include some of the selection's without the area lying
    inside it, and those areas' names. ``rows_of(sel)`` gives the rows of a selection's places."""
    if sel is None:
        return (), ""
    from ..data import recording

    wider = recording.derived(ds, ("findings.wider_areas", sel), lambda _ds: _wider_areas(sel, ds))
    if not wider:
        return (), ""
    # only the rows on those areas are chosen (and read, and depended on): not every place's
    from ..model.regions import RegionSelection

    everywhere = rows_of(RegionSelection("wider areas", "region", (),
                                         tuple(sorted(pid for pid, _ in wider))))
    labels, areas = [], []
    for pid, name in wider:
        frame = everywhere[everywhere["place_id"] == pid]
        if not len(frame):
            continue
        labels += [f"{actor_label(row, ds)} (\u00b6 {row['paragraph']})" for _, row in frame.iterrows()]
        areas.append(in_sentence(str(name), ds))
    return tuple(dict.fromkeys(labels)), _series(areas)


# --- records ---------------------------------------------------------------------------------------

def records(sel, *, ds: "Dataset | None" = None) -> dict[str, Finding]:
    """The findings a regional or country briefing counts, by section: UN peace operations,
    operations the AU leads alone or with the UN, offices and envoys (through the chapter),
    engagements, dated events and figures. The overview, the records sentence, the map and the
    index teaser all count these.

    Made once per dataset and selection (:func:`analysis.data.recording.derived`: a hit replays
    the reads it made); each call gets its own dict and copies of the rows."""
    from ..data import recording

    ds = queries.dataset(ds)
    found = recording.derived(ds, ("findings.records", sel), lambda _ds: _records(sel, ds))
    return {name: _own_copy(f) for name, f in found.items()}


def _records(sel, ds: "Dataset") -> dict[str, Finding]:
    acts = queries.engagements_in(sel, ds=ds)
    figures = queries.figures_by_theme(None, sel, ds=ds) if sel is not None else queries.quantities(ds.figures)
    scope = scope_of(sel, ds)
    out = {"operations": operations(sel, ds=ds), "forces": forces(sel, ds=ds),
           "other_operations": operations(sel, ds=ds, led_by_un=False),
           "offices": offices(sel, ds=ds)}
    out["engagements"] = Finding("engagements", ("engagement", "engagements"), scope,
                                 tuple(acts["engagement_id"]), tuple(flag_set(v) for v in acts["inferred"]),
                                 tuple(paragraph_locators(acts["paragraph"])),
                                 _inferences(acts, "engagements"), acts)
    out["events"] = events(sel, ds=ds)
    fig_ids = tuple(dict.fromkeys(figures["figure_id"])) if len(figures) else ()
    first = figures.drop_duplicates("figure_id") if len(figures) else figures
    out["figures"] = Finding("figures", ("figure", "figures"), scope, fig_ids,
                             tuple(flag_set(v) for v in first["inferred"]) if len(first) else (),
                             tuple(paragraph_locators(first["paragraph"])) if len(first) else (),
                             _inferences(first, "figures") if len(first) else (), first)
    return out


def records_total(found: dict[str, Finding]) -> int:
    return sum(f.count for f in found.values())


def records_sentence(found: dict[str, Finding], scope: str) -> str:
    """'For Mali, the chapter's dataset holds 2 UN peace operations (all inferred), ...'."""
    parts = [f.counted() for f in found.values() if f.count]
    return f"For {scope}, the chapter's dataset holds {_series(parts, limit=len(parts))}"


def records_paragraphs(found: dict[str, Finding]) -> list[str]:
    return paragraph_locators([p for f in found.values() for p in f.paragraphs])


def country_counts(found_rows: Iterable["pd.DataFrame"], *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Rows per country for a choropleth, counted from the rows of findings (a country's own
    mention is not a record): columns ``iso3``, ``name``, ``count``, ``inferred`` (rows tied to
    the country only by inference, :func:`analysis.model.queries.countries_of`), ``paragraphs``."""
    import pandas as pd

    ds = queries.dataset(ds)
    frames = [f[[c for c in ("place_id", "paragraph", "place_inferred") if c in f]]
              for f in found_rows if f is not None and len(f)]
    if not frames:
        return pd.DataFrame({"iso3": pd.Series(dtype="string"), "name": pd.Series(dtype="string"),
                             "count": pd.Series(dtype="Int64"), "inferred": pd.Series(dtype="Int64"),
                             "paragraphs": pd.Series(dtype="string")})
    return queries.countries_of(pd.concat(frames, ignore_index=True), ds=ds)


def situations(sel, *, ds: "Dataset | None" = None) -> Finding:
    """The situation in the selection's places as the chapter describes it (``situations``):
    each item its place, its description and its modality, with the chapter's phrase quoted."""
    from .modality import quoted

    ds = queries.dataset(ds)
    frame = ds.situations
    ids = queries.place_ids(sel, ds)
    if ids is not None:
        frame = frame[frame["place_id"].isin(list(ids))]
    frame = frame.reset_index(drop=True)
    names = dict(zip(ds.places["place_id"], ds.places["name"]))
    items = []
    for _, row in frame.iterrows():
        where = in_sentence(names.get(row["place_id"], str(row["place_id"])), ds)
        items.append(f"In {where}, as the chapter describes it: {row['description']} "
                     f"({quoted(row['modality_evidence'])})")
    return Finding("situations", ("situation the chapter describes", "situations the chapter describes"),
                   scope_of(sel, ds), tuple(items), tuple(flag_set(v) for v in frame["inferred"]),
                   tuple(paragraph_locators(frame["paragraph"])), _inferences(frame, "situations"), frame)


def records_map(sel, found: dict[str, Finding] | None = None, *, ds: "Dataset | None" = None) -> "pd.DataFrame":
    """Countries of the selection by number of the records :func:`records` counts (each record
    counted once per country it concerns; a country's own mention is not a record), for the
    regional map: columns ``iso3``, ``name``, ``count``, ``inferred``, ``paragraphs``."""
    import pandas as pd

    ds = queries.dataset(ds)
    found = records(sel, ds=ds) if found is None else found
    ids = queries.place_ids(sel, ds)
    frames = []
    for key in ("operations", "forces", "other_operations", "offices", "engagements", "figures"):
        rows = found[key].rows
        if key == "offices" and rows is not None and len(rows):
            rows = _office_places(rows, sel, ds)
        if rows is not None and len(rows) and "place_id" in rows:
            rows = rows[rows["place_id"].notna()]
            if ids is not None:
                rows = rows[rows["place_id"].isin(list(ids))]
            frames.append(pd.DataFrame({"place_id": rows["place_id"].astype("string"),
                                        "paragraph": rows["paragraph"].astype("string")}))
    links = ds.event_places
    links = links[links["event_id"].isin(list(found["events"].rows["event_id"]))]
    if ids is not None:
        links = links[links["place_id"].isin(list(ids))]
    implied = queries.inferred_links(links, ds)  # an event placed there only by inference
    frames.append(pd.DataFrame({"place_id": links["place_id"].astype("string"),
                                "paragraph": links["paragraph"].astype("string"),
                                "place_inferred": [(str(e), str(p)) in implied for e, p in
                                                   zip(links["event_id"], links["place_id"])]}))
    return country_counts(frames, ds=ds)


def _office_places(offices: "pd.DataFrame", sel, ds: "Dataset") -> "pd.DataFrame":
    """Where each office of an offices finding is present, one row per place: its own area when
    that is a country (or part of one), else the places of the engagements that tie it to the
    selection, as a country page counts it (the Gambia's page counts UNOWAS through its
    engagement there, so the map does too)."""
    import pandas as pd

    presence = offices["presence"].astype(str)
    countries = set(ds.places.loc[ds.places["iso3"].notna(), "place_id"])
    # based on a country (or a part of one): its own place; based on a wider area (UNOWAS on
    # West Africa and the Sahel), it concerns a country only where an engagement ties it there
    based = (presence.str.contains("based") | presence.isin(["chapter", "coverage"])) & \
        offices["place_id"].isin(list(countries))
    out = [offices.loc[based, ["place_id", "paragraph"]]]
    engaged = offices.loc[~based, "office_id"]
    if len(engaged):
        acts = queries.engagements_in(sel, ds=ds)
        acts = acts[acts["office_id"].isin(list(engaged)) & acts["place_id"].notna()]
        # one row per office and place: an office is one record wherever it is engaged
        acts = acts.drop_duplicates(["office_id", "place_id"])
        out.append(acts[["place_id", "paragraph"]])
    return pd.concat(out, ignore_index=True)

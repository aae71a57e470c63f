"""Salience: how much the chapter says about a fact. The one rule the package ranks facts by.

Key points list the most salient facts of a selection, not its first rows. A fact (a row: an
engagement, an event, a figure) concerns entities (its actor, its place, its theme...). Its
salience is, in this order:

1. **paragraphs**: how many distinct paragraphs of the chapter speak of the fact's entities,
   counted in the ``mentions`` table, together with the fact's own paragraph;
2. **rows**: how many rows of the data being ranked stand behind the same point (the rows
   that share its group, e.g. the engagements of one actor in the selection);
3. then the chapter's reading order (the ``position`` of the row's paragraph in ``paragraphs``:
   the earlier first), so that the ranking is
   deterministic and never alphabetical.

:func:`rank` ranks the rows of a frame; with ``by`` it keeps one row per group (the group's most
salient row) and ranks the groups, so that five key points are five different actors rather
than five rows of one. :func:`rank_items` ranks things that are not rows of one table (a
briefing's key points, the lines of a two-page note) by the same rule. :func:`scores` gives the two numbers behind the ranking, for a reader
who asks why a point came first. The dataset is passed in, never loaded here.

    >>> from analysis.model import salience
    >>> top = salience.rank(engagements, ds=ds, by="actor_id", limit=5)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Sequence, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..data.dataset import Dataset

T = TypeVar("T")

#: The columns naming a fact's entities, and the ``mentions.entity_table`` they refer to. A
#: column absent from the frame is skipped; ``actor_id`` takes its table from ``actor_table``.
ENTITY_COLUMNS: dict[str, str | None] = {
    "actor_id": None,
    "operation_id": "operations",
    "office_id": "offices",
    "partner_id": "partners",
    "place_id": "places",
    "initiative_id": "initiatives",
}
#: The columns :func:`scores` adds.
PARAGRAPHS, ROWS = "salience_paragraphs", "salience_rows"


def mention_index(ds: "Dataset") -> dict[tuple[str, str], frozenset[str]]:
    """(entity table, entity id) -> the paragraphs that mention it (the ``mentions`` table)."""
    index: dict[tuple[str, str], set[str]] = {}
    mentions = ds.mentions
    for table, entity, paragraph in zip(mentions["entity_table"], mentions["entity_id"],
                                        mentions["paragraph"]):
        index.setdefault((str(table), str(entity)), set()).add(str(paragraph))
    return {key: frozenset(value) for key, value in index.items()}


def _entities(row: dict, columns: Iterable[str]) -> list[tuple[str, str]]:
    """(entity table, id) of every entity the row names in ``columns``."""
    import pandas as pd

    found = []
    for column in columns:
        value = row.get(column)
        if value is None or pd.isna(value) or value == "":
            continue
        table = ENTITY_COLUMNS[column] or row.get("actor_table")
        if isinstance(table, str):
            found.append((table, str(value)))
    return found


def scores(frame: "pd.DataFrame", *, ds: "Dataset", by: str | Sequence[str] | None = None,
           entities: Sequence[str] | None = None) -> "pd.DataFrame":
    """``frame`` with two columns added: :data:`PARAGRAPHS` (distinct paragraphs that speak of
    the row's entities, its own paragraph included) and :data:`ROWS` (rows of ``frame`` in the
    row's group ``by``; 1 each without ``by``). ``entities`` names the entity columns to count
    (default: those of :data:`ENTITY_COLUMNS` the frame has)."""
    import pandas as pd

    columns = [c for c in (entities or ENTITY_COLUMNS) if c in frame.columns]
    index = mention_index(ds)
    counted = []
    for row in frame.to_dict("records"):
        paragraphs: set[str] = set()
        for key in _entities(row, columns):
            paragraphs |= index.get(key, frozenset())
        own = row.get("paragraph")
        if isinstance(own, str) and own:
            paragraphs.add(own)
        counted.append(len(paragraphs))
    out = frame.copy()
    out[PARAGRAPHS] = pd.array(counted, dtype="Int64")
    if by is None:
        out[ROWS] = pd.array([1] * len(out), dtype="Int64")
    else:
        keys = [by] if isinstance(by, str) else list(by)
        out[ROWS] = out.groupby(keys, dropna=False, sort=False)[keys[0]].transform("size").astype("Int64")
    return out


def rank(frame: "pd.DataFrame", *, ds: "Dataset", by: str | Sequence[str] | None = None,
         limit: int | None = None, entities: Sequence[str] | None = None) -> "pd.DataFrame":
    """The rows of ``frame``, most salient first (see the module's rule), with the columns
    :data:`PARAGRAPHS` and :data:`ROWS`.

    With ``by`` (a column or columns), one row per group: the group's most salient row, and the
    groups ranked by how much the chapter says about the group (the paragraphs that speak of
    any of its rows' entities), then by its rows. ``limit`` keeps the first ``limit``.
    """
    scored = scores(frame, ds=ds, by=by, entities=entities)
    if scored.empty:
        return scored
    order = dict(zip(ds.paragraphs["paragraph_id"], ds.paragraphs["position"]))
    position = [int(order.get(p, 10**9)) for p in scored.get("paragraph", [None] * len(scored))]
    scored = scored.assign(_position=position, _order=range(len(scored)))
    if by is not None:
        keys = [by] if isinstance(by, str) else list(by)
        group_paragraphs = _group_paragraphs(scored, keys, ds, entities)
        scored["_group"] = [group_paragraphs[_key(row, keys)] for row in scored.to_dict("records")]
    else:
        scored["_group"] = scored[PARAGRAPHS]
    ranked = scored.sort_values(["_group", ROWS, PARAGRAPHS, "_position", "_order"],
                                ascending=[False, False, False, True, True], kind="stable")
    if by is not None:
        ranked = ranked.drop_duplicates(subset=keys, keep="first")
    ranked = ranked.drop(columns=["_position", "_order", "_group"])
    return ranked.head(limit) if limit is not None else ranked


def _key(row: dict, keys: list[str]) -> tuple:
    return tuple(str(row.get(k)) for k in keys)


def _group_paragraphs(frame: "pd.DataFrame", keys: list[str], ds: "Dataset",
                      entities: Sequence[str] | None) -> dict[tuple, int]:
    """Group key -> distinct paragraphs speaking of any entity of the group's rows."""
    columns = [c for c in (entities or ENTITY_COLUMNS) if c in frame.columns]
    index = mention_index(ds)
    found: dict[tuple, set[str]] = {}
    for row in frame.to_dict("records"):
        paragraphs = found.setdefault(_key(row, keys), set())
        for key in _entities(row, columns):
            paragraphs |= index.get(key, frozenset())
        if isinstance(row.get("paragraph"), str):
            paragraphs.add(row["paragraph"])
    return {key: len(value) for key, value in found.items()}


def rank_items(items: Sequence[T], *, ds: "Dataset", paragraphs: Callable[[T], Iterable[str]],
               entities: Callable[[T], Iterable[tuple[str, str]]] = lambda item: (),
               rows: Callable[[T], int] = lambda item: 1, limit: int | None = None) -> list[T]:
    """Items that are not rows of one table (a briefing's key points, the lines of a note),
    ranked by the same rule as :func:`rank`: the distinct paragraphs that speak of the item's
    ``entities`` ((table, id) pairs, counted in ``mentions``) together with its own
    ``paragraphs`` (locators; "a/1, b/2" is split), then its ``rows``, then the chapter's
    reading order of its first paragraph, then the order given."""
    index = mention_index(ds)
    order = dict(zip(ds.paragraphs["paragraph_id"], ds.paragraphs["position"]))

    def key(k: int):
        item = items[k]
        own = [p.strip() for value in paragraphs(item) if isinstance(value, str)
               for p in value.split(",") if p.strip()]
        spoken = set(own)
        for entity in entities(item):
            spoken |= index.get((str(entity[0]), str(entity[1])), frozenset())
        first = min((int(order.get(p, 10**9)) for p in own), default=10**9)
        return (-len(spoken), -int(rows(item)), first, k)

    ranked = [items[k] for k in sorted(range(len(items)), key=key)]
    return ranked if limit is None else ranked[:limit]


__all__ = ["ENTITY_COLUMNS", "PARAGRAPHS", "ROWS", "mention_index", "rank", "rank_items", "scores"]

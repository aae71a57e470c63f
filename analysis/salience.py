"""How much the chapter says about a point: the one salience rule (notes, explorer).

A point (a key point, a fact, a row of a briefing) rests on chapter paragraphs and on dataset
rows. Its :class:`Salience` is, in this order of importance:

1. ``paragraphs``: how many distinct paragraphs it rests on (the chapter returning to a thing
   in several places says more about it than one sentence does);
2. ``mentions``: how many rows of ``mentions`` those paragraphs hold (what the chapter names
   there: a dense passage says more than a passing clause);
3. ``rows``: how many dataset rows stand behind the point (given by the caller).

:func:`rank` orders points by salience, most first; ties keep the order they came in, so the
result is deterministic and a kind's own order decides among equals. Counts of the dataset
itself ("the dataset holds 6 engagements") are not findings and are never ranked: callers leave
them out (:func:`analysis.briefings.note.is_dataset_count`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import Dataset

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Salience:
    """How much the chapter says about a point (compare: larger says more)."""

    paragraphs: int = 0
    mentions: int = 0
    rows: int = 0


def _split(paragraphs: Iterable[str]) -> list[str]:
    found: list[str] = []
    for value in paragraphs:
        if isinstance(value, str):
            found += [p.strip() for p in value.split(",") if p.strip()]
    return list(dict.fromkeys(found))


def mentions_per_paragraph(ds: "Dataset") -> dict[str, int]:
    """Rows of ``mentions`` in each paragraph."""
    counts = ds.mentions.groupby("paragraph", observed=True).size()
    return {str(k): int(v) for k, v in counts.items()}


def salience(paragraphs: Iterable[str], *, ds: "Dataset", rows: int = 0,
             per_paragraph: dict[str, int] | None = None) -> Salience:
    """The salience of a point resting on ``paragraphs`` (locators; "a/1, b/2" is split) and
    ``rows`` dataset rows."""
    paras = _split(paragraphs)
    counts = per_paragraph if per_paragraph is not None else mentions_per_paragraph(ds)
    return Salience(len(paras), sum(counts.get(p, 0) for p in paras), int(rows))


def rank(items: Sequence[T], key: Callable[[T], Salience], limit: int | None = None) -> list[T]:
    """``items`` by salience, most first; equal ones in their given order."""
    order = sorted(range(len(items)), key=lambda k: (key(items[k]), -k), reverse=True)
    chosen = [items[k] for k in order]
    return chosen if limit is None else chosen[:limit]


__all__ = ["Salience", "mentions_per_paragraph", "rank", "salience"]

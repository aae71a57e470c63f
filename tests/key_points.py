"""Key points made once per pytest process: the prose tests read the same places' points often.

``key_points("region", ds, "Mali")`` is ``text.region_key_points("Mali", ds=ds)``, computed once
per process, dataset and arguments (the dataset is kept with the points, so that its id is not
reused). Each call returns a new list of the same points: the tests only read them, and a
:class:`analysis.prose.text.KeyPoint` is frozen. The modules using it run in one xdist group
("key-points"), so that one process makes each set of points once.
"""
from __future__ import annotations

from analysis.prose import text

KINDS = ("region", "gender", "funding", "partnership")
_MEMO: dict[tuple, tuple] = {}


def key_points(kind: str, ds, *args, **kwargs) -> list:
    """``text.<kind>_key_points(*args, ds=ds, **kwargs)``, made once (see the module's docstring)."""
    if kind not in KINDS:
        raise ValueError(f"no key points of kind {kind!r}: one of {', '.join(KINDS)}")
    key = (kind, id(ds), args, tuple(sorted(kwargs.items())))
    hit = _MEMO.get(key)
    if hit is None or hit[0] is not ds:
        hit = _MEMO[key] = (ds, getattr(text, f"{kind}_key_points")(*args, ds=ds, **kwargs))
    return list(hit[1])

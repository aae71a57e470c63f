"""What charts and maps share besides their look (:mod:`analysis.graphics.style`): reading the rows they
are given, checking their columns, the axes they draw on, and lookups in the data passed as
``ds``. Nothing here loads the project's dataset: a helper draws only the data it is given.
"""
from __future__ import annotations

from .style import new_axes

__all__ = ["as_frame", "missing", "prepare_axes", "require_columns", "table_of", "text_of"]


def as_frame(data):
    """``data`` as a DataFrame (None gives an empty one)."""
    import pandas as pd

    if data is None:
        return pd.DataFrame()
    return data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)


def require_columns(frame, required, *, function: str, shaped_like: str | None = None) -> None:
    """Raise ValueError naming the columns of ``required`` that ``frame`` lacks.

    A frame with neither rows nor columns passes: it is simply empty.
    """
    if len(frame) == 0 and len(frame.columns) == 0:
        return
    missing_columns = [c for c in required if c not in frame.columns]
    if missing_columns:
        like = f" (rows shaped like the {shaped_like!r} table)" if shaped_like else ""
        raise ValueError(f"{function}: missing column(s) {', '.join(missing_columns)}; "
                         f"expected {', '.join(required)}{like}")


def prepare_axes(ax, figsize):
    """``ax`` (its top and right spines hidden, as on the helpers' own figures) or a new axes."""
    if ax is None:
        return new_axes(figsize)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)
    return ax


def missing(value) -> bool:
    """Whether a cell is empty (None, NaN or pandas' NA)."""
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def text_of(value, default: str = "") -> str:
    """A cell as text, ``default`` when it is empty."""
    return default if missing(value) else str(value)


def table_of(ds, name: str):
    """Table ``name`` of a dataset (or of a dict of frames); None without ``ds`` or such a table."""
    if ds is None:
        return None
    try:
        return ds[name]
    except KeyError:
        return None

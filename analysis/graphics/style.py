"""One accessible look for every chart and map, and the chrome they share.

- Colours: the Okabe–Ito palette, safe for the common forms of colour blindness; categories that
  matter (planned/happened, operation/office) are told apart by marker or hatch as well.
- ``apply_style()`` sets the look for a whole session; ``style_context()`` for one block. Every
  helper in :mod:`analysis.graphics.charts` and :mod:`analysis.graphics.maps` draws inside ``style_context()``.
- ``add_source(ax, text)`` writes the source line under a chart, below its tick labels and legend.
  ``chapter_source(paragraphs)`` and ``context_source(...)`` build that text.
- ``no_data(ax)`` replaces an empty chart by a plain message; ``save_figure`` writes
  byte-identical files for identical figures.

Importing this module imports matplotlib (not pyplot).
"""
from __future__ import annotations

import contextvars
import textwrap
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl

# Locators and their reading order come from one module (one pattern, one order).
from ..data.locators import compact_locators, paragraph_locators

#: The Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), by name.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
#: Order in which categories take colours (the most distinct first; yellow last, it is light).
PALETTE: tuple[str, ...] = tuple(OKABE_ITO[name] for name in (
    "blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue", "black", "yellow"))

#: Semantic colours used across helpers.
HAPPENED_COLOR = OKABE_ITO["blue"]
PLANNED_COLOR = OKABE_ITO["vermillion"]
#: An event the chapter only refers to (neither happened nor planned, as it puts it).
REFERRED_COLOR = OKABE_ITO["black"]
TARGET_COLOR = OKABE_ITO["black"]
OPERATION_COLOR = OKABE_ITO["vermillion"]
OFFICE_COLOR = OKABE_ITO["blue"]
NO_DATA_COLOR = "#DDDDDD"
BACKGROUND_LAND = "#EEEEEE"
TEXT_COLOR = "#222222"
MUTED_TEXT_COLOR = "#555555"  # 7.5:1 contrast on white
#: A sequential ramp from light to dark Okabe–Ito blue, for counts on matrices and maps.
SEQUENTIAL = ("#D6E9F5", "#9ECAE9", "#56B4E9", "#0072B2", "#003F63")

BASE_FONT_SIZE = 10.5
TITLE_FONT_SIZE = 12.5
SOURCE_FONT_SIZE = 8.5
NO_DATA_MESSAGE = "No data for this selection"
#: Fixed salt for SVG element ids, so that identical figures give identical SVG files.
SVG_HASHSALT = "peace-security-workbook"

RC: dict = {
    "font.family": "DejaVu Sans",
    "font.size": BASE_FONT_SIZE,
    "axes.titlesize": TITLE_FONT_SIZE,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10.0,
    "axes.labelsize": BASE_FONT_SIZE,
    "axes.labelcolor": TEXT_COLOR,
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "xtick.labelsize": BASE_FONT_SIZE - 0.5,
    "ytick.labelsize": BASE_FONT_SIZE - 0.5,
    "xtick.color": TEXT_COLOR,
    "ytick.color": TEXT_COLOR,
    "legend.fontsize": BASE_FONT_SIZE - 1,
    "legend.frameon": False,
    "text.color": TEXT_COLOR,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.15,
    "text.parse_math": False,  # "US$" is money, not mathematics
    "svg.hashsalt": SVG_HASHSALT,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}


def apply_style() -> None:
    """Use the workbook's look for every figure drawn from now on in this session."""
    mpl.rcParams.update(RC)


@contextmanager
def style_context():
    """Use the workbook's look inside a ``with`` block only."""
    # pyplot's first import inside the block may switch interactive mode on (the inline
    # backend does); rc_context would undo that on exit and hide every later figure.
    with mpl.rc_context(RC):
        try:
            yield
        finally:
            interactive = mpl.is_interactive()
    mpl.interactive(interactive)


# --- text ------------------------------------------------------------------------------------

def wrap(text: str, width: int) -> str:
    """Wrap ``text`` into lines of at most ``width`` characters (words are not broken)."""
    return "\n".join(textwrap.wrap(str(text), width=max(int(width), 8), break_long_words=False,
                                   break_on_hyphens=False)) or str(text)


def axes_width_chars(ax, font_size: float) -> int:
    """About how many characters of ``font_size`` fit across the axes (0.55 em per character)."""
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    return max(int(width_in * 72 / (font_size * 0.55)), 20)


def _tick_label_width_in(ax) -> float:
    """Estimated width (inches) of the y tick labels left of the axes."""
    if not ax.axison or not ax.yaxis.get_visible():
        return 0.0
    size = mpl.rcParams["ytick.labelsize"]
    size = size if isinstance(size, (int, float)) else BASE_FONT_SIZE
    longest = max((len(line) for t in ax.get_yticklabels() for line in t.get_text().split("\n")), default=0)
    return longest * size * 0.55 / 72 + (0.15 if longest else 0.0)


def set_title(ax, title: str) -> None:
    """A left-aligned title (a finding, not a topic), wrapped to the room right of the tick labels."""
    slot_in = ax.get_position().width * ax.figure.get_figwidth() / 0.775
    room_in = max(slot_in - _tick_label_width_in(ax) - 0.3, 2.5)
    title = str(title)
    ax.set_title(wrap(title[:1].upper() + title[1:], int(room_in * 72 / (TITLE_FONT_SIZE * 0.62))), loc="left")


# --- sources ---------------------------------------------------------------------------------

def chapter_source(paragraphs) -> str:
    """``Source: A/72/1, ch. II.B, ¶ crisis/2, crisis/3`` from paragraph locators (any iterable);
    runs of three or more in a section are written as ranges (``crisis/1–4``)."""
    from ..data.document import chapter_document

    label = chapter_document().source_label
    locators = paragraph_locators(paragraphs)
    if not locators:
        return f"Source: {label}"
    return f"Source: {label}, \u00b6 " + ", ".join(compact_locators(locators))


def source_line(source, frame) -> str:
    """The source line of a chart or map: ``source`` itself when it is a string, else the
    chapter's paragraphs it names, else those of ``frame``'s ``paragraph`` (or ``paragraphs``)
    column."""
    if isinstance(source, str):
        return source
    if source is not None:
        return chapter_source(source)
    for column in ("paragraph", "paragraphs"):
        if column in frame.columns:
            return chapter_source(frame[column])
    return chapter_source([])


def context_source(sources, source_ids=None) -> str:
    """``Context: <title> (<symbol>) (not in the chapter)`` for public sources.

    ``sources`` is the ``sources`` table (or rows of it); ``source_ids`` selects the rows cited, in
    the order given. Plain strings are accepted as titles.
    """
    if isinstance(sources, str):
        names = [sources]
    else:
        import pandas as pd

        frame = pd.DataFrame(sources)
        rows = {str(row["source_id"]): row for _, row in frame.iterrows()} if "source_id" in frame else {}
        ids = list(rows) if source_ids is None else [str(s) for s in source_ids if isinstance(s, str)]
        names = [_describe_source(rows[sid]) if sid in rows else sid for sid in dict.fromkeys(ids)]
    if not names:
        return "Context: public sources (not in the chapter)"
    return "Context: " + "; ".join(names) + " (not in the chapter)"


def _describe_source(row) -> str:
    """A source named briefly: kind and symbol when it has one, else its title (shortened)."""
    symbol, kind = row.get("symbol"), row.get("kind")
    if isinstance(symbol, str) and symbol:
        return f"{kind} {symbol}" if isinstance(kind, str) and kind and kind != "chapter" else symbol
    title = row.get("title") if isinstance(row.get("title"), str) else str(row.get("source_id"))
    return textwrap.shorten(title, width=110, placeholder="\u2026")


def _footer_anchor(ax):
    """A callable giving, at draw time, the box of the axes with its tick labels and legend."""
    from matplotlib.transforms import Bbox

    def anchor(renderer):
        boxes = [ax.get_window_extent(renderer)]
        for axis in (ax.xaxis, ax.yaxis):
            if ax.axison and axis.get_visible():
                box = axis.get_tightbbox(renderer)
                if box is not None and box.width > 0 and box.height > 0:
                    boxes.append(box)
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            boxes.append(legend.get_window_extent(renderer))
        return Bbox.union(boxes)

    return anchor


def add_source(ax, text: str, *, note: str | None = None):
    """Write the source line (and an optional note line) under the chart; returns the Text.

    The line sits below the x tick labels and any legend, left-aligned with the y tick labels,
    wrapped to the axes' width; ``bbox_inches="tight"`` (the notebook default) keeps it in view.
    """
    content = str(text)
    if note:
        content = f"{note}\n{content}"
    width = axes_width_chars(ax, SOURCE_FONT_SIZE) + 12
    lines = [wrap(line, width) for line in content.split("\n")]
    return ax.annotate("\n".join(lines), xy=(0, 0), xycoords=_footer_anchor(ax), xytext=(0, -8),
                       textcoords="offset points", ha="left", va="top", fontsize=SOURCE_FONT_SIZE,
                       color=MUTED_TEXT_COLOR, annotation_clip=False, gid="source-line")


def source_text(ax) -> str | None:
    """The source line written by :func:`add_source` on ``ax`` (None when there is none)."""
    for child in ax.get_children():
        if getattr(child, "get_gid", lambda: None)() == "source-line":
            return child.get_text()
    return None


# --- empty charts and figures ----------------------------------------------------------------

def no_data(ax, message: str = NO_DATA_MESSAGE, *, title: str | None = None):
    """Replace the chart by a plain message (no empty axes, ticks or legend); returns ``ax``."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            fontsize=TITLE_FONT_SIZE, color=MUTED_TEXT_COLOR, gid="no-data")
    if title:
        set_title(ax, title)
    return ax


#: True inside :func:`detached_figures`.
_DETACHED = contextvars.ContextVar("psw_detached_figures", default=False)


@contextmanager
def detached_figures():
    """Within this block, helpers make their figures without pyplot.

    Such a figure is in no global registry: a notebook's backend never shows, draws or closes
    it behind the caller's back. For apps that turn figures into images themselves (the
    explorer's widgets, whose figures are drawn inside widget callbacks).
    """
    token = _DETACHED.set(True)
    try:
        yield
    finally:
        _DETACHED.reset(token)


def new_axes(figsize: tuple[float, float]):
    """A new figure with one axes, made through pyplot so that notebooks display it (or, inside
    :func:`detached_figures`, a figure of its own)."""
    if _DETACHED.get():
        from matplotlib.figure import Figure

        return Figure(figsize=figsize, layout="constrained").add_subplot()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def save_figure(fig, path, *, format: str | None = None, dpi: float | None = None) -> Path | None:
    """Save ``fig`` so that the same figure always gives the same bytes (PNG, SVG or PDF).

    Dates and software versions are left out of the file's metadata; SVG ids use a fixed salt.
    ``path`` may also be a binary file object (then ``format`` is required).
    """
    fmt = (format or Path(str(path)).suffix.lstrip(".") or "png").lower()
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
                }.get(fmt)
    with mpl.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
        fig.savefig(path, format=fmt, dpi=dpi or RC["savefig.dpi"], metadata=metadata,
                    bbox_inches="tight", pad_inches=RC["savefig.pad_inches"], facecolor="white")
    return Path(path) if isinstance(path, (str, Path)) else None

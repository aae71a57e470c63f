"""What a briefing displays, made for reader pages: tables, section notes and figures.

- :class:`ReportTable`: a caption, no 0..n index, no text cut, numbers right-aligned and text
  left-aligned. pandas' own HTML (``DataFrame._repr_html_``) cuts every text at 50 characters
  ("United Nations Multidimensional Integrated Sta…"), right-aligns text, shows a meaningless
  0..n index and has no caption. Jupyter displays ``_repr_html_`` (and ``__repr__`` as plain
  text), so JupyterLab and the built pages show the same table.
- :class:`SectionNote`: the one line a section with no data shows ("The chapter records no
  dated events for Central Asia."). Its output is marked (``{"report": "empty"}`` in the
  output's metadata), so the reader page can shrink a section whose every output is such a
  note to that one line, heading included (:mod:`analysis.builder.render`).
- :class:`Figure`: a chart or map as PNG bytes with its alt text (:mod:`analysis.graphics.alttext`),
  which the reader page's ``<img alt>`` carries (in the output's metadata), plus the same figure
  at print resolution for Word (:data:`FIGURE_MIME`). A section returns it; nothing is drawn
  as a side effect.

Every display object also carries its content as data under a mime type of its own
(:data:`TABLE_MIME`, :data:`FIGURE_MIME`), which Jupyter and the reader page ignore: the Word
renderer (:mod:`analysis.builder.word`) builds its tables and pictures from that, not from HTML.

Every value is escaped here (``html.escape``): table cells hold text from the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


#: The mime types carrying a display object's content as data (for the Word renderer).
TABLE_MIME = "application/vnd.psw.table+json"
FIGURE_MIME = "application/vnd.psw.figure+json"
#: Dots per inch of a figure's print copy (the page's copy keeps the figure's own, 100).
PRINT_DPI = 200
#: Set to "1" in a briefing's environment by a build that writes Word files: only then is a
#: figure drawn a second time, at :data:`PRINT_DPI`, for them (four times the pixels: about 40 %
#: of a briefing's time, spent for nothing by pages, PDFs and JupyterLab).
PRINT_FIGURES_ENV = "PSW_PRINT_FIGURES"

#: A cell's padding and a bold header's extra width, in characters (for :meth:`column_widths`).
PADDING = 4


def _is_number(series: "pd.Series") -> bool:
    return series.dtype.kind in "iuf"


def _cell(value) -> str:
    return escape(_plain(value))


def _plain(value) -> str:
    """A cell's text, unescaped: '' for a missing value, 3 for 3.0."""
    try:
        import pandas as pd

        if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return cut(str(value))


#: Longest cell shown whole: the data's own text limit (``textMaxLength``). Longer text cannot
#: come from valid data; it is cut with a mark rather than laid out over pages.
CELL_LIMIT = 1000


def cut(text: str, limit: int = CELL_LIMIT) -> str:
    """``text``, or its first ``limit`` characters and a mark saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … [cut: {len(text) - limit} more characters]"


@dataclass
class ReportTable:
    """A table with its caption; numbers right-aligned, text left-aligned, nothing truncated.
    ``ranked``: its rows are in order of a count (a shortened copy keeps the top rows)."""

    frame: "pd.DataFrame"
    caption: str
    ranked: bool = False

    def __post_init__(self):
        self.frame = self.frame.reset_index(drop=True)

    @property
    def numeric_columns(self) -> list[str]:
        return [c for c in self.frame.columns if _is_number(self.frame[c])]

    def column_widths(self, line: int = 100) -> list[int]:
        """Each column's share of the width (percent), from the length of its text.

        Printed tables use a fixed layout with these widths: WeasyPrint's automatic table
        layout measures every word of every cell and took most of a page's PDF time (0.8 s
        against 0.3 s for a regional briefing). Each column first gets room for its longest
        word (so that "Mali" or "acronym" is never broken), then the rest of a ``line`` of about
        100 characters goes to the columns with longer text, by their typical (upper-quartile)
        length.
        """
        least, want = [], []
        for column in self.frame.columns:
            texts = [str(v) for v in self.frame[column].tolist()] + [str(column)]
            longest_word = max((len(w) for t in texts for w in t.split()), default=1)
            lengths = sorted(len(t) for t in texts)
            typical = lengths[len(lengths) * 3 // 4]
            least.append(min(longest_word, 24) + PADDING)
            want.append(min(max(typical + PADDING, least[-1]), 60))
        spare = line - sum(least)
        extra = [w - m for w, m in zip(want, least)]
        if spare > 0 and sum(extra):
            sizes = [m + spare * e / sum(extra) for m, e in zip(least, extra)]
        else:
            sizes = [float(m) for m in least]
        total = sum(sizes)
        widths = [max(1, round(100 * size / total)) for size in sizes]
        widths[widths.index(max(widths))] -= sum(widths) - 100
        return widths

    def _repr_html_(self) -> str:
        numeric = set(self.numeric_columns)
        num = ' class="num"'
        head = "".join(f'<th scope="col"{num if c in numeric else ""}>{escape(str(c))}</th>'
                       for c in self.frame.columns)
        rows = []
        for values in self.frame.itertuples(index=False, name=None):
            cells = "".join(f'<td{num if c in numeric else ""}>{_cell(v)}</td>'
                            for c, v in zip(self.frame.columns, values))
            rows.append(f"<tr>{cells}</tr>")
        cols = "".join(f'<col style="width:{w}%">' for w in self.column_widths())
        return (f'<table class="report-table">\n<caption>{escape(self.caption)}</caption>\n'
                f"<colgroup>{cols}</colgroup>\n"
                f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
                + "\n</tbody>\n</table>")

    def as_data(self) -> dict:
        """The table as plain data: caption, columns, rows of text, numeric columns, widths."""
        numeric = set(self.numeric_columns)
        rows = [[_plain(v) for v in values]
                for values in self.frame.itertuples(index=False, name=None)]
        return {"caption": str(self.caption), "columns": [str(c) for c in self.frame.columns],
                "numeric": [str(c) in numeric or c in numeric for c in self.frame.columns],
                "widths": self.column_widths(), "rows": rows}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {TABLE_MIME: self.as_data()}

    def __repr__(self) -> str:
        import pandas as pd

        with pd.option_context("display.max_colwidth", None, "display.width", 200):
            return f"{self.caption}\n{self.frame.to_string(index=False)}"

    def __len__(self) -> int:
        return len(self.frame)

    # Read like the DataFrame it shows (columns, rows, ``table["who"]``), for code and tests
    # that look into a section's table; display stays this class's own.
    def __getitem__(self, key):
        return self.frame[key]

    def __getattr__(self, name: str):
        if name.startswith(("_repr", "_ipython", "__")) or name == "frame":
            raise AttributeError(name)
        return getattr(self.frame, name)


#: The output metadata marking a section note (read by :mod:`analysis.builder.render`).
EMPTY_MARK = {"report": "empty"}


@dataclass
class SectionNote:
    """One line of Markdown standing for a section with nothing to show."""

    markdown: str

    def _repr_markdown_(self):
        return self.markdown, dict(EMPTY_MARK)

    def __repr__(self) -> str:
        return self.markdown


@dataclass
class Figure:
    """A chart or map: PNG bytes as the page shows them, its alt text, and a print copy (made
    only where :data:`PRINT_FIGURES_ENV` asks for it: a build writing Word files).

    Displayed as Jupyter displays an image with alt text (``image/png`` with ``{"alt": ...}``
    in the output's metadata); ``print_png`` (at :data:`PRINT_DPI`) travels under
    :data:`FIGURE_MIME` for Word.
    """

    png: bytes
    alt: str
    print_png: bytes | None = None

    @classmethod
    def from_axes(cls, ax, alt: str | None = None) -> "Figure":
        """The figure holding ``ax`` (closed afterwards); ``alt`` by default from what it shows;
        its print copy only when :data:`PRINT_FIGURES_ENV` is "1"."""
        import os

        import matplotlib.pyplot as plt

        from ..graphics.alttext import describe_axes

        fig = ax.figure
        try:
            return cls(_png(fig, fig.dpi), alt or describe_axes(ax),
                       _png(fig, PRINT_DPI) if os.environ.get(PRINT_FIGURES_ENV) == "1" else None)
        finally:
            plt.close(fig)

    def _repr_mimebundle_(self, include=None, exclude=None):
        import base64

        data = {"image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": self.alt}
        if self.print_png is not None:
            data[FIGURE_MIME] = {"alt": self.alt,
                                 "png": base64.b64encode(self.print_png).decode("ascii"),
                                 "dpi": PRINT_DPI}
        return data, {"image/png": {"alt": self.alt}}

    def _repr_png_(self):
        """The page's PNG with its alt text, for a front end that asks for PNG alone (Jupyter
        takes :meth:`_repr_mimebundle_`, which wins over this)."""
        return self.png, {"alt": self.alt}

    def __repr__(self) -> str:
        return self.alt


def _png(fig, dpi: float) -> bytes:
    """The figure as PNG bytes, the same on every run (:func:`analysis.graphics.style.save_figure`)."""
    import io

    from ..graphics.style import save_figure

    buffer = io.BytesIO()
    save_figure(fig, buffer, format="png", dpi=dpi)
    return buffer.getvalue()

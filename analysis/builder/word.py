"""Word documents (.docx) of the briefings, their notes and the pack, with python-docx.

Built from the same display objects as the page, never converted from its HTML: the executed
notebook's Markdown (cells and outputs, parsed with mistune, the parser nbconvert uses for the
page), its tables (:data:`analysis.briefings.displays.TABLE_MIME`: caption, columns, rows, widths) and
its figures (:data:`analysis.briefings.displays.FIGURE_MIME`: a print-resolution PNG and its alt text).

Why python-docx: it writes real Word tables, pictures, styles and document properties from
Python objects, opens a user's reference document and uses its styles by name (as pandoc's and
Quarto's ``reference-doc``), and needs no program beside the package. pandoc (through
pypandoc-binary) was rejected: it converts a document (we would first write Markdown or HTML
and lose the tables' widths, header marks and alt texts to its defaults, the very gaps Quarto
users report), and it ships a 100 MB binary. Where python-docx has no API, a few elements are
added with its own ``OxmlElement``: a repeated header row (``w:tblHeader``), a picture's alt text
(``descr``), the document language, the generated contents (a ``TOC`` field); nothing the
library writes is written by hand.

Rules every document follows:

- Headings use Word's heading styles (``Heading 1``..``3``): one ``Heading 1``, the title.
- Tables: the header row repeats on every page and is marked as a header; each column is at
  least as wide as its longest word, the rest shared as on the page
  (:meth:`analysis.briefings.displays.ReportTable.column_widths`; a table too wide is set smaller, down
  to 7 pt); a row never breaks across pages; automatic hyphenation is off in the document (a
  template's setting is removed), so names are never split.
- Figures carry their alt text (Word's "description"), equal to the page's.
- Text from the data is plain text: markup stays literal, control characters are dropped,
  bidirectional overrides are removed (they would reorder what a reader sees), and a long cell
  is kept whole.
- Document properties: title, subject, language, keywords (the dataset and package versions),
  a fixed date; the zip is written in a fixed order with fixed times: a rebuild is
  byte-identical.
"""
from __future__ import annotations

import base64
import copy
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from ..errors import UsageError

TEMPLATE = Path(__file__).resolve().parent / "templates" / "docx" / "reference.docx"
#: Styles every document uses, by name: a user's template must define each one.
REQUIRED_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3",
                   "List Bullet", "Caption", "Table Grid", "Footer")
#: The language written in the document (properties and default run language).
LANGUAGE = "en-GB"
#: Date written as the document's creation and modification time (no clock: rebuilds match).
FIXED_DATE = datetime(2017, 9, 1, tzinfo=timezone.utc)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Characters dropped from data text: XML cannot hold C0/C1 controls; bidi embeddings,
#: overrides and isolates would reorder what the reader sees.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
                     r"\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SPACES = re.compile(r"[\t\n\r\u2028\u2029]+")


class TemplateProblem(UsageError):
    """The Word template cannot be used (unreadable, or missing a style)."""


def clean(text: object) -> str:
    """``text`` as plain text a .docx can hold: controls and bidi overrides gone."""
    return _UNSAFE.sub("", _SPACES.sub(" ", str(text)))


def template_bytes(path: Path | str | None = None) -> bytes:
    """The template's bytes, read as every file the user hands over is: a regular file, capped
    (:data:`analysis.data.files.LIMITS`), so that a FIFO or ``/dev/zero`` is refused, not read."""
    import zipfile

    from ..data.files import LIMITS, FileRefused, read_bounded

    raw = read_bounded(Path(path or TEMPLATE), kind="Word template", what="Word template")
    try:  # a .docx is a zip: its unpacked size is capped too (a small file may unpack to GBs)
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return raw  # not a zip: python-docx says "not a Word document"
    limit = 5 * LIMITS["Word template"]
    if unpacked > limit:
        raise FileRefused(f"{path or TEMPLATE} unpacks to {unpacked / 1e6:,.0f} MB; a Word template "
                          f"unpacks to at most {limit // 1_000_000} MB")
    return raw


def check_template(path: Path | str | None) -> None:
    """Refuse a template that python-docx cannot open or that lacks a style the documents use
    (one line naming it); before any kernel starts."""
    if path is None:
        return
    import docx

    from ..data.files import FileRefused

    path = Path(path)
    try:
        document = docx.Document(io.BytesIO(template_bytes(path)))
    except FileRefused as err:
        raise TemplateProblem(f"--docx-template {path}: {err}") from None
    except OSError as err:
        raise TemplateProblem(f"--docx-template {path}: cannot read it ({err.strerror or err})") \
            from None
    except Exception:  # noqa: BLE001 - any parse failure means "not a Word document"
        raise TemplateProblem(f"--docx-template {path}: not a Word document (.docx)") from None
    names = {s.name for s in document.styles}
    missing = [s for s in REQUIRED_STYLES if s not in names]
    if missing:
        raise TemplateProblem(f"--docx-template {path}: it has no style named {missing[0]!r} "
                              f"(a template needs: {', '.join(REQUIRED_STYLES)})")


@dataclass
class DocInfo:
    """What a document says about itself (its properties and footer)."""

    title: str
    subject: str = ""
    footer: str = ""
    dataset_version: str = ""
    package_version: str = ""
    keywords: list[str] = field(default_factory=list)


class Writer:
    """One Word document being written from display objects."""

    def __init__(self, template: bytes | None = None):
        import docx

        self.doc = docx.Document(io.BytesIO(template or template_bytes()))
        body = self.doc.element.body
        for child in list(body):  # the template's own text goes; its page setup stays
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
        self._figures = 0
        self._style_ids: dict[str, str] = {}

    # --- geometry ----------------------------------------------------------------------------

    @property
    def text_width(self):
        section = self.doc.sections[-1]
        return section.page_width - section.left_margin - section.right_margin

    # --- blocks ------------------------------------------------------------------------------

    def add_paragraph(self, text: str = "", style: str | None = None):
        """A paragraph in the style named (its id looked up once: python-docx looks a style up
        by name on every paragraph, a third of the document's time)."""
        paragraph = self.doc.add_paragraph(text)
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.doc.styles[style].style_id
            paragraph._p.style = self._style_ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> None:
        if level == 0:
            self.add_paragraph(clean(text), "Title")
        else:
            self.add_paragraph(clean(text), f"Heading {min(level, 3)}")

    def paragraph(self, text: str = "", style: str | None = None, *, italic: bool = False):
        paragraph = self.add_paragraph(style=style)
        if text:
            run = paragraph.add_run(clean(text))
            run.italic = italic or None
        return paragraph

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def markdown(self, source: str, *, note: bool = False) -> None:
        """Markdown (a cell's or an output's) as Word paragraphs, headings and lists."""
        for token in _parse(source):
            self._block(token, note=note)

    def _block(self, token: dict, *, note: bool = False, style: str | None = None) -> None:
        kind = token["type"]
        if kind == "heading":
            level = token["attrs"]["level"]
            paragraph = self.add_paragraph(style=f"Heading {min(level, 3)}")
            self._inlines(paragraph, token.get("children", []))
        elif kind in ("paragraph", "block_text"):
            paragraph = self.add_paragraph(style=style)
            self._inlines(paragraph, token.get("children", []), italic=note)
        elif kind == "list":
            # An ordered list keeps its numbers as text ("2. ..."): an inference is cited by
            # its number, and Word's list numbering would run on across lists and documents.
            ordered = token["attrs"].get("ordered")
            number = int(token["attrs"].get("start") or 1)
            for item in token.get("children", []):
                for k, child in enumerate(item.get("children", [])):
                    if child["type"] == "list":
                        self._block(child, note=note)
                    elif ordered:
                        paragraph = self.doc.add_paragraph()
                        paragraph.paragraph_format.left_indent = _cm(0.6)
                        paragraph.paragraph_format.first_line_indent = _cm(-0.6)
                        if k == 0:
                            paragraph.add_run(f"{number}.\t")
                        self._inlines(paragraph, child.get("children", []), italic=note)
                    else:
                        self._block(child, note=note, style="List Bullet")
                number += 1
        elif kind == "block_quote":
            for child in token.get("children", []):
                self._block(child, note=note)
        elif kind == "block_code":
            self.paragraph(token.get("raw", ""))
        elif kind == "thematic_break":
            self.doc.add_paragraph()
        elif kind in ("blank_line",):
            return
        elif "children" in token:
            for child in token["children"]:
                self._block(child, note=note, style=style)
        elif token.get("raw"):
            self.paragraph(token["raw"])

    def _inlines(self, paragraph, tokens: list, *, bold=False, italic=False,
                 superscript=False) -> None:
        for token in tokens:
            kind = token["type"]
            if kind in ("text", "codespan", "inline_html", "block_html"):
                raw = token.get("raw", "")
                # mistune keeps character references in text as written ("&#58;//", the
                # escaping that keeps an address from becoming a link; "&amp;"): Word shows text
                run = paragraph.add_run(clean(html.unescape(raw) if kind == "text" else raw))
                run.bold, run.italic = bold or None, italic or None
                if superscript:
                    run.font.superscript = True
            elif kind in ("softbreak", "linebreak"):
                paragraph.add_run(" ")
            elif kind == "strong":
                self._inlines(paragraph, token["children"], bold=True, italic=italic)
            elif kind == "emphasis":
                self._inlines(paragraph, token["children"], bold=bold, italic=True)
            elif kind in ("link", "image"):  # a link's text only: documents carry no targets
                self._inlines(paragraph, token.get("children", []), bold=bold, italic=italic)
            elif "children" in token:
                self._inlines(paragraph, token["children"], bold=bold, italic=italic)
            elif token.get("raw"):
                paragraph.add_run(clean(token["raw"]))

    def table(self, data: dict) -> None:
        """A table display object (:data:`analysis.briefings.displays.TABLE_MIME`) as a Word table."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        columns = [clean(c) for c in data.get("columns", [])]
        rows = data.get("rows", [])
        widths = list(data.get("widths") or [round(100 / len(columns))] * len(columns)) \
            if columns else []
        # a table whose words do not fit across a portrait page gets a landscape page of its own
        turned = bool(columns) and fitted_widths(columns, rows, widths, self.text_width) is None
        if turned:
            self.orient(landscape=True)
        if data.get("caption"):
            caption = self.add_paragraph(clean(data["caption"]), "Caption")
            caption.paragraph_format.keep_with_next = True
        if not columns:
            return
        numeric = list(data.get("numeric") or [False] * len(columns))
        table = self.doc.add_table(rows=1 + len(rows), cols=len(columns))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        sizes, font_size = fitted_widths(columns, rows, widths, self.text_width) or \
            squeezed_widths(columns, rows, self.text_width)
        for k, column in enumerate(table.columns):
            column.width = sizes[k]
        cells = table._cells  # the grid, computed once (``row.cells`` computes it every time)
        width = len(columns)
        for r, values in enumerate([columns] + [[clean(v) for v in row] for row in rows]):
            row = table.rows[r]
            _no_split(row)
            if r == 0:
                _repeat_header(row)
            for k, cell in enumerate(cells[r * width:(r + 1) * width]):
                cell.width = sizes[k]
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(values[k] if k < len(values) else "")
                run.font.size = Pt(font_size)
                if r == 0:
                    run.bold = True
                if numeric[k] if k < len(numeric) else False:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.doc.add_paragraph()
        if turned:
            self.orient(landscape=False)

    def orient(self, *, landscape: bool) -> None:
        """Start a new page in a section of its own, turned to landscape or back to portrait."""
        from docx.enum.section import WD_ORIENT, WD_SECTION

        last = self.doc.sections[-1]
        width, height = last.page_width, last.page_height
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        if (width < height) == landscape:
            section.page_width, section.page_height = height, width

    def figure(self, png: bytes, alt: str, *, dpi: float = 200, max_height=None) -> None:
        """A picture at its print size (never wider than the text), its alt text set."""
        from docx.shared import Emu, Inches

        width_px, height_px = _png_size(png)
        width = Inches(width_px / dpi)
        height = Inches(height_px / dpi)
        limit = self.text_width
        if max_height is not None and height > max_height:
            width, height = Emu(int(width * max_height / height)), max_height
        if width > limit:
            width = limit
        self.doc.add_picture(io.BytesIO(png), width=width)
        self._figures += 1
        inline = self.doc.paragraphs[-1]._p.xpath(".//wp:docPr")
        for element in inline:
            element.set("descr", clean(alt))
            element.set("title", "")
            element.set("name", f"Figure {self._figures}")

    def contents(self, titles: Iterable[str]) -> None:
        """A generated contents (Word's ``TOC`` field over ``Heading 1``), its entries
        already written, so that it reads right before Word updates it."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        titles = list(titles)
        paragraph = self.doc.add_paragraph()

        def field_char(kind: str):
            run = OxmlElement("w:r")
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
            return run

        paragraph._p.append(field_char("begin"))
        instr_run = OxmlElement("w:r")
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = ' TOC \\o "1-1" \\h \\z \\u '
        instr_run.append(instr)
        paragraph._p.append(instr_run)
        paragraph._p.append(field_char("separate"))
        if titles:
            paragraph.add_run(clean(titles[0]))
        for title in titles[1:]:
            paragraph.add_run().add_break()
            paragraph.add_run(clean(title))
        paragraph._p.append(field_char("end"))

    def footer(self, text: str) -> None:
        from docx.shared import Pt

        footer = self.doc.sections[-1].footer
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.text = ""
        paragraph.style = self.doc.styles["Footer"]
        run = paragraph.add_run(clean(text))
        run.font.size = Pt(7)

    # --- notebooks ---------------------------------------------------------------------------

    def notebook(self, nb) -> None:
        """The cells and outputs a reader page shows, in order (the page's own rules decide
        which: :func:`analysis.builder.render.mark_notebook_only`, section shrinking)."""
        from ..briefings.displays import FIGURE_MIME, TABLE_MIME
        from .render import REMOVE_TAG, _is_note, mark_notebook_only, shrink_empty_sections

        nb = copy.deepcopy(nb)
        mark_notebook_only(nb)
        shrink_empty_sections(nb)
        for cell in nb.cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if REMOVE_TAG in tags:
                continue
            if cell.get("cell_type") == "markdown":
                self.markdown(_text(cell.get("source", "")))
                continue
            if cell.get("cell_type") != "code":
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") not in ("execute_result", "display_data"):
                    continue
                data = output.get("data") or {}
                if TABLE_MIME in data:
                    self.table(data[TABLE_MIME])
                elif FIGURE_MIME in data:
                    figure = data[FIGURE_MIME]
                    self.figure(base64.b64decode(figure["png"]), figure.get("alt", ""),
                                dpi=figure.get("dpi", 200))
                elif "image/png" in data:
                    alt = ((output.get("metadata") or {}).get("image/png") or {}).get("alt", "")
                    self.figure(base64.b64decode(_text(data["image/png"])), alt, dpi=100)
                elif "text/markdown" in data:
                    self.markdown(_text(data["text/markdown"]), note=_is_note(output))

    # --- the file ----------------------------------------------------------------------------

    def to_bytes(self, info: DocInfo) -> bytes:
        """The document with its properties set, as byte-identical .docx bytes."""
        props = self.doc.core_properties
        props.title = clean(info.title)[:255]
        props.subject = clean(info.subject)[:255]
        props.language = LANGUAGE
        props.author = "Peace & Security Workbook"
        props.last_modified_by = "Peace & Security Workbook"
        versions = [f"dataset {info.dataset_version}", f"package {info.package_version}"]
        props.keywords = "; ".join([*info.keywords, *versions])
        props.comments = f"Dataset {info.dataset_version} · package {info.package_version}"
        props.category = "Briefing"
        props.created = FIXED_DATE
        props.modified = FIXED_DATE
        props.last_printed = FIXED_DATE
        props.revision = 1
        props.identifier = ""
        props.version = info.package_version
        _set_language(self.doc)
        _no_auto_hyphenation(self.doc)
        if info.footer:
            self.footer(info.footer)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return stable_zip(buffer.getvalue())


#: How wide a letter of a table's text is, as a share of its size (bold Arial, generously:
#: capitals and m/w 0.8 em, other letters 0.6 em); a cell's margins add :data:`CELL_MARGIN`
#: points. A word counts up to :data:`LONGEST_WORD` em. A table too wide for the page at 9 pt
#: is set smaller, down to 7 pt.
WIDE, NARROW, CELL_MARGIN, LONGEST_WORD = 0.8, 0.6, 12.0, 15.0
TABLE_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0)


def word_em(word: str) -> float:
    """A word's width in em (an upper estimate, for bold Arial)."""
    return sum(WIDE if c.isupper() or c in "mwMW@%" else NARROW for c in word)


def fitted_widths(columns: list[str], rows: list[list], shares: list[float],
                  total) -> tuple[list[int], float] | None:
    """Column widths (EMU) for a table ``total`` wide, and the text size (pt) they are for, or
    None when even the smallest size cannot give every short word its width:
    each column first gets room for its longest word (so a name is never broken), then the
    rest goes by the page's ``shares``."""
    from docx.shared import Pt

    widest = []
    for k, column in enumerate(columns):
        texts = [column] + [clean(row[k]) if k < len(row) else "" for row in rows]
        widest.append(max((word_em(w) for t in texts for w in t.split()), default=1.0))
    # smaller text first; then, at the smallest, only the longest words may break (a cap
    # lowered step by step), never a short one such as an acronym
    tries = [(size, LONGEST_WORD) for size in TABLE_SIZES] + \
        [(TABLE_SIZES[-1], cap) for cap in (12.0, 10.0, 8.0, 6.0)]
    for size, cap in tries:
        least = [Pt(min(em, cap) * size + CELL_MARGIN) for em in widest]
        spare = total - sum(least)
        if spare >= 0:
            share = sum(shares) or 1
            return [int(m + spare * s / share) for m, s in zip(least, shares)], size
    return None  # too many columns for this width: the caller turns the page


def squeezed_widths(columns: list[str], rows: list[list], total) -> tuple[list[int], float]:
    """The last resort, for a table too wide even for a landscape page: widths in proportion to
    the longest words (capped), at the smallest size."""
    from docx.shared import Pt

    widest = [max((min(word_em(w), 6.0) for t in [c] + [clean(r[k]) if k < len(r) else ""
                                                         for r in rows] for w in t.split()),
                  default=1.0) for k, c in enumerate(columns)]
    least = [Pt(em * TABLE_SIZES[-1] + CELL_MARGIN) for em in widest]
    return [int(w * total / sum(least)) for w in least], TABLE_SIZES[-1]


def stable_zip(data: bytes) -> bytes:
    """The same zip with fixed member times and attributes, in the order written."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIME)
            # pictures are compressed already: stored as they are (deflating them again costs
            # time and saves nothing)
            stored = member.filename.lower().endswith((".png", ".jpeg", ".jpg"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, source.read(member.filename), compresslevel=None if stored else 6)
    return out.getvalue()


def notebook_docx(nb, info: DocInfo, template: bytes | None = None) -> bytes:
    """The .docx of an executed briefing notebook."""
    writer = Writer(template)
    writer.notebook(nb)
    return writer.to_bytes(info)


# --- helpers ------------------------------------------------------------------------------------

def _cm(value: float):
    from docx.shared import Cm

    return Cm(value)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


_MARKDOWN = None


def _parse(source: str) -> list:
    global _MARKDOWN
    if _MARKDOWN is None:
        import mistune

        _MARKDOWN = mistune.create_markdown(renderer=None, plugins=["strikethrough"])
    return _MARKDOWN(source)


def _png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("a figure is not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement

    header = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(header)


def _no_split(row) -> None:
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _set_language(doc) -> None:
    """The default run language (``w:lang`` in the document defaults) and Normal's."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _no_auto_hyphenation(doc) -> None:
    from docx.oxml.ns import qn

    settings = doc.settings.element
    for element in settings.findall(qn("w:autoHyphenation")):
        settings.remove(element)


__all__ = ["DocInfo", "LANGUAGE", "REQUIRED_STYLES", "TEMPLATE", "TemplateProblem", "Writer",
           "check_template", "clean", "notebook_docx", "stable_zip", "template_bytes"]

"""Notes of the briefings (:mod:`analysis.briefings.note`) as a page, a PDF and a Word file.

``<id>-note.html``, ``<id>-note.pdf`` and ``<id>-note.docx`` sit beside ``<id>.html``. The page
is A4 and at most two pages: body text 10 pt (notes 8.5 pt; never below the 9 pt the body
needs, never squeezed), with the stamp (dataset and package versions, the data's period) in a
small footer and no digest. The key points, tables, inference notes and sources are the full
briefing's own sentences; their markers do not fill the line: a citation is a superscript
number leading to a numbered source line, an inferred point a superscript "†2,4" leading to its
inference notes (:mod:`analysis.briefings.note`). In HTML each marker carries the page's own
form in ``data-ledger`` (read by :func:`analysis.prose.ledger.sentences` in its place); in Word
the same numbers and marks are real superscript runs, and the notes are numbered endnotes under
"Inferences" and "Sources" (python-docx writes no footnotes). When a note would run past two
pages, its tables are cut shorter (each cut table says so) and it is laid out again.

Every text is escaped here (``html.escape``; Word: plain runs): the note's text comes from the
data.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .render import LANG, dataset_version, package_version

#: Most pages a note's PDF may have.
MAX_PAGES = 2


@dataclass(frozen=True)
class NoteOutputs:
    html: bytes
    pdf: bytes | None = None
    docx: bytes | None = None
    #: the :class:`~analysis.briefings.note.Note` the files show (as cut to fit)
    note: object = None


def stamp_line(period: str = "") -> str:
    """The footer's stamp: dataset and package versions, the data's period; no digest."""
    when = f" · data: {period}" if period else ""
    return f"Dataset {dataset_version()} · package {package_version()}{when}"


_MARKDOWN = None


def markdown_html(source: str) -> str:
    """Markdown of the briefings' own text (data text already escaped by
    :func:`analysis.prose.text.escape`, which turns "<" into "&lt;"), as the page renders it."""
    global _MARKDOWN
    if _MARKDOWN is None:
        import mistune

        _MARKDOWN = mistune.create_markdown(escape=False)
    return _MARKDOWN(source).strip()


def _sources_markdown(note) -> str:
    """The note's sources list, without the page's bold "Sources" line (the note has a heading)."""
    return "\n".join(line for line in note.sources.splitlines() if line.strip() != "**Sources**").strip()


def _data(value: str) -> str:
    """Data text for HTML: shown as itself (:func:`analysis.prose.text.escape`)."""
    from ..prose.text import escape as data_text

    return data_text(value)


def marked_html(marked) -> str:
    """A :class:`~analysis.briefings.note.Marked` sentence with its superscripts: source numbers
    linking to their lines, the inferred mark linking to its notes; each marker carries the
    page's own form in ``data-ledger``."""
    from ..briefings.note import MARK

    out = []
    if marked.sources or marked.inferred:  # the last word keeps its markers on its line
        head, _, last = marked.text.rpartition(" ")
        out.append(f'{_data(head)} <span class="tail">{_data(last)}' if head
                   else f'<span class="tail">{_data(last)}')
    else:
        out.append(_data(marked.text))
    if marked.sources:
        links = ",".join(f'<a href="#source-{n}">{n}</a>' for n in marked.sources)
        out.append(f'<span class="cite" data-ledger="{escape(marked.citation)}"><sup>{links}</sup></span>')
    if marked.inferred:
        links = ",".join(f'<a href="#inferred-{n}">{n}</a>' for n in marked.inferred)
        out.append(f'<span class="mark" data-ledger="{escape(marked.marker)}">'
                   f'<sup class="inferred">{MARK}{links}</sup></span>')
    if marked.sources or marked.inferred:
        out.append("</span>")
    return "".join(out) + _data(marked.rest)


def note_html(note, *, period: str = "") -> str:
    """The note as one self-contained HTML page (print stylesheet inside)."""
    from ..briefings.note import INFERENCES_INTRO, marks_label

    body = [f'<header><p class="kicker">Note for a meeting · {escape(note.document)}</p>',
            f'<h1><a href="{escape(note.full)}">{escape(note.title)}</a></h1>',
            "".join(f'<p class="intro">{escape(s)}</p>' for s in note.intro) + "</header>"]
    if note.points:
        body.append('<section class="key-points"><h2>Key points</h2>\n<ol>\n'
                    + "".join(f"<li>{marked_html(p)}</li>\n" for p in note.points) + "</ol></section>")
    if note.cut:  # said once, before the tables
        body.append(f'<p class="cut">{escape(note.cut)}</p>')
    for shown in note.tables:
        body.append(f'<section class="part">{shown.table._repr_html_()}</section>')
    if note.notes:
        body.append('<section class="notes"><h2>Inferences</h2>\n'
                    f'<p>{escape(INFERENCES_INTRO)}</p>\n<ol class="marked">\n'
                    + "".join(f'<li id="inferred-{n}"><span class="label" data-ledger="">'
                              f'{marks_label([n])}</span> {marked_html(m)}</li>\n'
                              for n, m in note.notes) + "</ol></section>")
    lines = "".join(f'<li id="source-{line.number}" value="{line.number}">'
                    f'{markdown_html(line.text).removeprefix("<p>").removesuffix("</p>")}</li>\n'
                    for line in note.source_lines)
    body.append('<section class="sources"><h2 id="Sources">Sources</h2>\n'
                + (f'<ol class="numbered">\n{lines}</ol>\n' if lines else "")
                + markdown_html(_sources_markdown(note)) + "</section>")
    stamp = stamp_line(period)
    return f"""<!DOCTYPE html>
<html lang="{LANG}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(note.title)} (note)</title>
<style>{NOTE_CSS}</style>
</head>
<body>
<p class="stamp">{escape(stamp)}</p>
<main id="note" class="note">
{chr(10).join(body)}
</main>
</body>
</html>
"""


NOTE_CSS = """
@page { size: A4; margin: 15mm 16mm 16mm 16mm;
        @bottom-left { content: element(stamp); width: 82%; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages);
                        font: 7.5pt "DejaVu Sans", sans-serif; color: #4a4a4a;
                        white-space: nowrap; } }
html { font: 10pt/1.35 "DejaVu Sans", "Helvetica", sans-serif; color: #1b1b1b; }
body { margin: 0 auto; max-width: 46rem; }
.stamp { position: running(stamp); font-size: 7.5pt; color: #4a4a4a; margin: 0; }
@media screen { body { padding: 1rem; } .stamp { margin-top: 2rem; } }
header .kicker { color: #005a8c; font-size: 9pt; margin: 0; }
h1 { font-size: 16pt; margin: .2rem 0 .3rem; color: #1a3a5c; }
.intro { margin: 0 0 .4rem; color: #333; font-size: 9.5pt; }
h2 { font-size: 11.5pt; margin: .55rem 0 .2rem; color: #1a3a5c; break-after: avoid; }
ul, ol { margin: 0; padding-left: 1.3rem; }
li { margin: .1rem 0; break-inside: avoid; }
.key-points li { font-size: 10.5pt; margin-bottom: .2rem; }
sup { font-size: 7pt; line-height: 0; }
sup a { color: inherit; text-decoration: none; }
sup.inferred { color: #8a3b00; padding-left: 2pt; }
.cite, .mark, .tail { white-space: nowrap; }
ol.marked { list-style: none; padding-left: 0; }
ol.marked li { padding-left: 2.2em; text-indent: -2.2em; }
ol.marked .label { color: #8a3b00; display: inline-block; min-width: 2.2em; text-indent: 0; }
.context { color: #4a4a4a; }
table.report-table { width: 100%; border-collapse: collapse;
                     font-size: 9pt; line-height: 1.25; margin: .45rem 0 .1rem; }
table.report-table caption { caption-side: top; text-align: left; font-weight: bold;
                             font-size: 10.5pt; color: #1a3a5c; padding-bottom: .15rem; }
table.report-table caption { break-after: avoid; }
table.report-table th { text-align: left; border-bottom: 1px solid #1a3a5c; padding: 1pt 3pt;
                        font-weight: bold; }
table.report-table td { border-bottom: .5pt solid #c8c8c8; padding: 1pt 3pt; vertical-align: top;
                        overflow-wrap: break-word; }
table.report-table .num { text-align: right; }
table.report-table tr { break-inside: avoid; }
h1 a { color: inherit; text-decoration: none; }
.cut { font-style: italic; margin: .1rem 0 0; font-size: 9pt; color: #4a4a4a; }
.notes, .sources { font-size: 8.5pt; line-height: 1.3; }
.notes h2, .sources h2 { font-size: 9.5pt; }
.notes p, .sources p { margin: .2rem 0; }
"""


def note_pdf(html: str) -> bytes:
    from .pdf import to_pdf

    return to_pdf(html)


def pdf_pages(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def note_docx(note, *, period: str = "", template: bytes | None = None) -> bytes:
    """The note as a Word document, from the same :class:`~analysis.briefings.note.Note`."""
    from docx.shared import Pt

    from ..briefings.note import INFERENCES_INTRO, marks_label
    from .word import DocInfo, Writer

    writer = Writer(template)
    writer.paragraph(f"Note for a meeting · {note.document}", "Subtitle")
    writer.heading(note.title, 1)
    for sentence in note.intro:
        writer.paragraph(sentence)
    if note.points:
        writer.heading("Key points", 2)
        for n, point in enumerate(note.points, 1):
            _marked_paragraph(writer, f"{n}.\t", point)
    if note.cut:  # said once, before the tables
        writer.paragraph(note.cut, italic=True)
    for shown in note.tables:
        writer.table(shown.table.as_data())
    small = Pt(8.5)

    def tight(paragraphs):
        for paragraph in paragraphs:
            paragraph.paragraph_format.space_after = Pt(1)
            paragraph.paragraph_format.space_before = Pt(0)
            for run in paragraph.runs:
                run.font.size = small

    if note.notes:
        writer.heading("Inferences", 2)
        first = len(writer.doc.paragraphs)
        writer.paragraph(INFERENCES_INTRO)
        for n, marked in note.notes:
            _marked_paragraph(writer, f"{marks_label([n])}\t", marked)
        tight(writer.doc.paragraphs[first:])
    writer.heading("Sources", 2)
    first = len(writer.doc.paragraphs)
    for line in note.source_lines:
        paragraph = _hanging(writer.add_paragraph())
        paragraph.add_run(f"{line.number}.\t")
        writer._inlines(paragraph, _inline_tokens(line.text))
    writer.markdown(_sources_markdown(note))
    tight(writer.doc.paragraphs[first:])
    info = DocInfo(f"{note.title} (note)", subject=" ".join(note.intro), footer=stamp_line(period),
                   dataset_version=dataset_version(), package_version=package_version(),
                   keywords=["note", note.briefing_id])
    return writer.to_bytes(info)


def _hanging(paragraph):
    from .word import _cm

    paragraph.paragraph_format.left_indent = _cm(0.6)
    paragraph.paragraph_format.first_line_indent = _cm(-0.6)
    return paragraph


def _inline_tokens(source: str) -> list:
    """The inline tokens of one line of Markdown (a context source's entry)."""
    from .word import _parse

    tokens = _parse(source)
    return tokens[0].get("children", []) if tokens else []


def _marked_paragraph(writer, label: str, marked):
    """A :class:`~analysis.briefings.note.Marked` sentence in Word: ``label`` ("1.\\t", "†2\\t"),
    the text, the source numbers and the inferred mark as superscript runs (the same as the
    page's), then the rest."""
    from ..briefings.note import MARK, numbers_label
    from .word import clean

    paragraph = _hanging(writer.add_paragraph())
    paragraph.add_run(label)
    paragraph.add_run(clean(marked.text))
    if marked.sources:
        paragraph.add_run(numbers_label(marked.sources)).font.superscript = True
    if marked.inferred:
        paragraph.add_run("\u2009")
        paragraph.add_run(MARK + numbers_label(marked.inferred)).font.superscript = True
    if marked.rest:
        paragraph.add_run(clean(marked.rest))
    return paragraph


def save_note_steps(brief, briefing_id: str, path: str, *, shorter: bool = True) -> bool:
    """In the process that ran the briefing (its kernel, after its last cell): write the note's
    steps (:func:`analysis.briefings.note.note_steps`; ``shorter`` False: the first alone, for
    a build without PDFs) and its period to ``path`` (a pickle), made from the page's own key
    points and tables instead of computing them again. False, and nothing written, when the
    namespace holds no briefing."""
    import pickle

    from ..briefings.base import Briefing
    from ..briefings.note import note_steps
    from ..prose.text import period_phrase

    if not isinstance(brief, Briefing):
        return False
    steps = note_steps(brief, briefing_id, shorter=shorter)
    for _, note in steps:  # plain frames: what the reader needs, not the recorder's views
        for shown in note.tables:
            shown.table.frame = _plain(shown.table.frame)
    period = period_phrase(ds=brief.ds, marked=True)  # the note lists no inference for it
    with open(path, "wb") as out:
        pickle.dump((period, steps), out, protocol=pickle.HIGHEST_PROTOCOL)
    return True


def _plain(frame):
    import pandas as pd

    return pd.DataFrame(frame)  # a recorded view becomes a plain frame, dtypes kept


def load_note_steps(path: str) -> tuple[str, list] | None:
    """What :func:`save_note_steps` wrote, or None when it wrote nothing."""
    import pickle

    try:
        with open(path, "rb") as saved:
            return pickle.load(saved)
    except FileNotFoundError:
        return None


def render_note(period: str, steps, *, pdf: bool = False, docx: bool = False,
                template: bytes | None = None) -> NoteOutputs:
    """The note in the formats asked (HTML always): the first of ``steps`` ((step, note)
    pairs, longest first) whose PDF has at most two pages (the last one if none has)."""
    for k, (_, note) in enumerate(steps):  # the same note in every format
        html = note_html(note, period=period)
        data = note_pdf(html) if pdf else None
        if data is None or pdf_pages(data) <= MAX_PAGES or k == len(steps) - 1:
            break
    word = note_docx(note, period=period, template=template) if docx else None
    return NoteOutputs(html.encode("utf-8"), data, word, note)


def build_note(notebook: str, parameters: dict, briefing_id: str, *, pdf: bool = False,
               docx: bool = False, template: bytes | None = None) -> NoteOutputs:
    """Open the briefing and write its note in the formats asked (HTML always): for a briefing
    whose own process did not save its note's steps (:func:`save_note_steps`)."""
    from ..briefings import open_briefing
    from ..briefings.note import note_steps
    from ..prose.text import period_phrase

    brief = open_briefing(notebook, **parameters)
    period = period_phrase(ds=brief.ds, marked=True)  # the note lists no inference for it
    return render_note(period, note_steps(brief, briefing_id, shorter=pdf), pdf=pdf, docx=docx,
                       template=template)


__all__ = ["MAX_PAGES", "NoteOutputs", "build_note", "load_note_steps", "note_docx", "note_html",
           "note_pdf", "pdf_pages", "render_note", "save_note_steps", "stamp_line"]

"""Notes of the briefings (:mod:`analysis.briefings.note`) as a page, a PDF and a Word file.

``<id>-note.html``, ``<id>-note.pdf`` and ``<id>-note.docx`` sit beside ``<id>.html``. The page
is A4 and at most two pages: body text 10 pt (notes 8.5 pt; never below the 9 pt the body
needs, never squeezed), with the stamp (dataset and package versions, the data's period) in a
small footer and no digest. Citations are superscript numbers leading to "A/72/1, chapter II.B,
'Crisis management', paragraph 3"; an inferred line carries "†n" leading to what is inferred,
in words. When a note would run past two pages, its lists are cut shorter (each cut list says
"3 of 17 ...; all in the full briefing") and it is laid out again.

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


def stamp_line(period: str = "") -> str:
    """The footer's stamp: dataset and package versions, the data's period; no digest."""
    when = f" · data: {period}" if period else ""
    return f"Dataset {dataset_version()} · package {package_version()}{when}"


def _numbers(line, cites: dict[str, int], inferred: dict) -> tuple[str, str]:
    numbers = ",".join(str(cites[p]) for p in line.paragraphs if p in cites)
    daggers = ",".join(f"†{inferred[i]}" for i in line.inferred if i in inferred)
    return numbers, daggers


def note_html(note, *, period: str = "") -> str:
    """The note as one self-contained HTML page (print stylesheet inside)."""
    cites = {c.locator: n for n, c in enumerate(note.citations(), 1)}
    inferred = {i: n for n, i in enumerate(note.inferences(), 1)}
    body = [f'<header><p class="kicker">Note for a meeting · {escape(note.document)}</p>',
            f"<h1>{escape(note.title)}</h1>", f'<p class="intro">{escape(note.intro)}</p></header>']
    for part in note.all_parts:
        if not part.lines:
            continue
        key = part is note.key_points
        items = []
        for line in part.lines:
            numbers, daggers = _numbers(line, cites, inferred)
            marks = ""
            if numbers:
                marks += f'<sup class="cite">{numbers}</sup>'
            if daggers:
                marks += f'<sup class="inferred">{daggers}</sup>'
            context = ""
            if line.context:
                context = f' <span class="context">(source: {escape("; ".join(line.context))})</span>'
            items.append(f"<li>{escape(line.text)}{marks}{context}</li>")
        tag = "ol" if key else "ul"
        cut = f'<p class="cut">{escape(part.cut)}</p>' if part.cut else ""
        body.append(f'<section class="{"key-points" if key else "part"}"><h2>{escape(part.title)}'
                    f"</h2>\n<{tag}>" + "".join(items) + f"</{tag}>{cut}</section>")
    notes = [f"<li>{escape(c.text)}</li>" for c in note.citations()]
    body.append('<section class="notes"><h2>Notes</h2><ol class="citations">' + "".join(notes)
                + "</ol>")
    if inferred:
        body.append('<p class="inferred-intro">† Inferred: the chapter implies these, but does '
                    "not state them.</p><ol class=\"inferences\">" + "".join(
                        f'<li value="{n}">†{n} {escape(i.about)}: {escape(i.why)}.</li>'
                        for i, n in inferred.items()) + "</ol>")
    body.append("</section>")
    body.append('<section class="sources"><h2 id="Sources">Sources</h2><ul>'
                + "".join(f"<li>{escape(s)}</li>" for s in note.sources) + "</ul></section>")
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
        @bottom-left { content: element(stamp); }
        @bottom-right { content: "Page " counter(page) " of " counter(pages);
                        font: 7.5pt "DejaVu Sans", sans-serif; color: #4a4a4a; } }
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
sup.inferred { color: #8a3b00; padding-left: 2.5pt; }
.context { color: #4a4a4a; }
.cut { font-style: italic; margin: .1rem 0 0; font-size: 9pt; color: #4a4a4a; }
.notes, .sources { font-size: 8.5pt; line-height: 1.3; }
.notes h2, .sources h2 { font-size: 9.5pt; }
.notes ol.citations { columns: 2; column-gap: 1.2rem; padding-left: 0; }
.notes ol.citations li { margin-left: 1.6rem; }  /* each number inside its own column */
.inferred-intro { margin: .3rem 0 .1rem; }
ol.inferences { list-style: none; padding-left: 0; }
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
    from docx.shared import Cm, Pt

    from .word import DocInfo, Writer, clean

    writer = Writer(template)
    doc = writer.doc
    cites = {c.locator: n for n, c in enumerate(note.citations(), 1)}
    inferred = {i: n for n, i in enumerate(note.inferences(), 1)}
    writer.paragraph(f"Note for a meeting · {note.document}", "Subtitle")
    writer.heading(note.title, 1)
    writer.paragraph(note.intro)
    for part in note.all_parts:
        if not part.lines:
            continue
        key = part is note.key_points
        writer.heading(part.title, 2)
        for number, line in enumerate(part.lines, 1):
            if key:  # numbered as on the page, the numbers written (they restart per note)
                paragraph = doc.add_paragraph()
                paragraph.paragraph_format.left_indent = Cm(0.6)
                paragraph.paragraph_format.first_line_indent = Cm(-0.6)
                paragraph.add_run(f"{number}.\t")
            else:
                paragraph = writer.add_paragraph(style="List Bullet")
            paragraph.add_run(clean(line.text))
            numbers, daggers = _numbers(line, cites, inferred)
            for mark in (numbers, daggers):
                if mark:
                    run = paragraph.add_run(mark if mark is numbers or not numbers else f" {mark}")
                    run.font.superscript = True
            if line.context:
                paragraph.add_run(clean(f" (source: {'; '.join(line.context)})"))
            paragraph.paragraph_format.space_after = Pt(2)
        if part.cut:
            writer.paragraph(part.cut, italic=True)
    writer.heading("Notes", 2)
    small = Pt(8.5)

    def tight(paragraph):
        paragraph.paragraph_format.space_after = Pt(1)
        paragraph.paragraph_format.space_before = Pt(0)
        for run in paragraph.runs:
            run.font.size = small
        return paragraph

    # the paragraph notes run on in one paragraph, each number in bold: "1 A/72/1, ..., paragraph 3;"
    paragraph = doc.add_paragraph()
    for n, citation in enumerate(note.citations(), 1):
        paragraph.add_run(f"{n}\u00a0").bold = True
        paragraph.add_run(clean(citation.text) + ("; " if n < len(cites) else "."))
    tight(paragraph)
    if inferred:
        tight(writer.paragraph("† Inferred: the chapter implies these, but does not state them."))
        for item, n in inferred.items():
            tight(writer.paragraph(f"†{n} {item.about}: {item.why}."))
    writer.heading("Sources", 2)
    for source in note.sources:
        tight(writer.paragraph(source))
    info = DocInfo(f"{note.title} (note)", subject=note.intro, footer=stamp_line(period),
                   dataset_version=dataset_version(), package_version=package_version(),
                   keywords=["note", note.briefing_id])
    return writer.to_bytes(info)


def build_note(notebook: str, parameters: dict, briefing_id: str, *, pdf: bool = False,
               docx: bool = False, template: bytes | None = None) -> NoteOutputs:
    """Open the briefing and write its note in the formats asked (HTML always)."""
    from ..briefings import open_briefing
    from ..briefings.note import SHORTER, fitted_note
    from ..text import period_phrase

    brief = open_briefing(notebook, **parameters)
    period = period_phrase(ds=brief.ds)
    step = 0
    while True:  # the same note in every format: shortened until its PDF has two pages
        note, step = fitted_note(brief, briefing_id, start=step)
        html = note_html(note, period=period)
        data = note_pdf(html) if pdf else None
        if data is None or pdf_pages(data) <= MAX_PAGES or step == len(SHORTER) - 1:
            break
        step += 1
    word = note_docx(note, period=period, template=template) if docx else None
    return NoteOutputs(html.encode("utf-8"), data, word)


__all__ = ["MAX_PAGES", "NoteOutputs", "build_note", "note_docx", "note_html", "note_pdf",
           "pdf_pages", "stamp_line"]

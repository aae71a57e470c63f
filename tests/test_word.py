"""Word output (python-docx), read back with python-docx: headings, tables, figures, markers,
properties, templates, hostile data, byte-identical rebuilds. No kernel: the notebooks here are
made in the test from the display objects a briefing returns."""
from __future__ import annotations

import io
import zipfile

import pytest

docx = pytest.importorskip("docx")

HOSTILE = {
    "markup": '<b>bold</b> [link](javascript:alert(1)) **strong** <w:p/> &amp;',
    "control": "before\x00\x01\x07\x1b\x7f\x85after",
    "long": "word " * 2000,
    "bidi": "abc\u202edcba\u202c \u2066x\u2069",
}


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.briefings.displays import Figure

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(["a", "b"], [1, 2])
    return Figure.from_axes(ax, "Chart: two bars, a 1 and b 2.")


def _notebook(table_rows=None):
    """A notebook as a briefing's: markdown cells, a header output, a table, a figure, a note."""
    import nbformat
    import pandas as pd
    from IPython.core.interactiveshell import InteractiveShell

    from analysis.briefings.displays import ReportTable, SectionNote

    fmt = InteractiveShell.instance().display_formatter.format

    def output(obj):
        data, meta = fmt(obj)
        return nbformat.v4.new_output("execute_result", data=data, metadata=meta, execution_count=1)

    rows = table_rows or [["United Nations Multidimensional Integrated Stabilization Mission in Mali",
                           "crisis/3", 3, "1"]]
    table = ReportTable(pd.DataFrame(rows, columns=["name", "paragraph", "count", "inferred"]),
                        "Peace operations in Mali")
    header = {"text/markdown": "# Country briefing: Mali\n\n## Key points\n\n- MINUSMA: mediates. "
                               "(A/72/1 II.B ¶ crisis/3) (inferred: note 1)\n"}
    cells = [nbformat.v4.new_markdown_cell("Instructions for someone running the notebook."),
             nbformat.v4.new_code_cell("country = 'Mali'", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell("brief.header()", outputs=[nbformat.v4.new_output(
                 "execute_result", data=header, execution_count=1)]),
             nbformat.v4.new_markdown_cell("## Operations\n\nPeace operations in the country."),
             nbformat.v4.new_code_cell("brief.operations()", outputs=[output(table)]),
             nbformat.v4.new_code_cell("brief.map()", outputs=[output(_figure())]),
             nbformat.v4.new_markdown_cell("## Figures"),
             nbformat.v4.new_code_cell("brief.figures()", outputs=[output(SectionNote(
                 "_The chapter records no figures for Mali._"))]),
             nbformat.v4.new_markdown_cell("## Sources"),
             nbformat.v4.new_code_cell("brief.sources()", outputs=[nbformat.v4.new_output(
                 "execute_result", execution_count=1, data={"text/markdown":
                     "**Inferences**\n\n1. MINUSMA as the operation meant: not named.\n"
                     "2. Another one."})])]
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _info(title="Country briefing: Mali"):
    from analysis.builder.word import DocInfo

    return DocInfo(title, subject="test", footer="footer line", dataset_version="9.9.9",
                   package_version="1.2.3", keywords=["country-mali"])


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_a_notebook_in_word_has_one_heading_1_then_ordered_headings_tables_figures_markers():
    from analysis.builder.word import LANGUAGE, notebook_docx

    data = notebook_docx(_notebook(), _info())
    document = _open(data)
    levels = [int(p.style.name.split()[-1]) for p in document.paragraphs
              if p.style.name.startswith("Heading")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert "Instructions for someone" not in _text(document)  # notebook-only text stays out
    # the table: a real table, first row a repeated header, widths set
    (table,) = document.tables
    assert table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[0].cells] == ["name", "paragraph", "count", "inferred"]
    assert all(c.width for c in table.rows[1].cells)
    # the figure: alt text as on the page, at print resolution
    (shape,) = document.inline_shapes
    doc_pr = shape._inline.docPr
    assert doc_pr.get("descr") == "Chart: two bars, a 1 and b 2."
    # citations, markers and the numbered inferences as written
    text = _text(document)
    assert "(A/72/1 II.B ¶ crisis/3) (inferred: note 1)" in text
    assert "1.\tMINUSMA as the operation meant" in text and "2.\tAnother one." in text
    assert "The chapter records no figures for Mali." in text
    # properties
    props = document.core_properties
    assert props.title == "Country briefing: Mali" and props.language == LANGUAGE
    assert "dataset 9.9.9" in props.keywords and "package 1.2.3" in props.keywords
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert f'w:lang w:val="{LANGUAGE}"' in styles


def test_a_rebuild_gives_the_same_bytes_with_fixed_zip_times():
    from analysis.builder.word import notebook_docx

    first, second = notebook_docx(_notebook(), _info()), notebook_docx(_notebook(), _info())
    assert first == second
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert infos[0].filename == "[Content_Types].xml"


def test_hostile_data_reaches_the_docx_as_plain_text_and_never_breaks_it():
    from analysis.builder.word import notebook_docx

    rows = [[value, "crisis/3", 1, ""] for value in HOSTILE.values()]
    data = notebook_docx(_notebook(rows), _info(title=HOSTILE["markup"] + HOSTILE["control"]))
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    document = _open(data)
    cells = [row.cells[0].text for row in document.tables[0].rows[1:]]
    assert cells[0] == HOSTILE["markup"]  # markup literal, never a run of bold or a link
    assert cells[1] == "beforeafter"  # control characters dropped
    # a 10,000-character cell: as on the page, its first 1,000 characters and a mark
    assert cells[2].startswith(HOSTILE["long"][:999]) and "[cut: 9000 more characters]" in cells[2]
    assert "\u202e" not in cells[3] and "\u2066" not in cells[3] and "dcba" in cells[3]
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
    assert 'w:hyperlink' not in body
    assert document.core_properties.title.startswith("<b>bold</b>")


def test_a_user_template_changes_the_styles_and_one_missing_a_style_is_refused(tmp_path):
    from analysis.builder.word import (REQUIRED_STYLES, TemplateProblem, check_template,
                                       notebook_docx, template_bytes)

    template = docx.Document(io.BytesIO(template_bytes()))
    template.styles["Normal"].font.name = "Courier New"
    template.styles["Heading 1"].font.name = "Courier New"
    mine = tmp_path / "mine.docx"
    template.save(mine)
    check_template(mine)
    data = notebook_docx(_notebook(), _info(), mine.read_bytes())
    document = _open(data)
    assert document.styles["Normal"].font.name == "Courier New"
    shipped = _open(notebook_docx(_notebook(), _info()))
    assert shipped.styles["Normal"].font.name != "Courier New"

    for name in ("Caption", "Heading 2"):
        broken = docx.Document(io.BytesIO(template_bytes()))
        element = broken.styles[name].element
        element.getparent().remove(element)
        path = tmp_path / f"no-{name}.docx"
        broken.save(path)
        with pytest.raises(TemplateProblem, match=repr(name)) as caught:
            check_template(path)
        assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    assert set(REQUIRED_STYLES) <= {s.name for s in template.styles}
    not_word = tmp_path / "notes.txt"
    not_word.write_text("hello")
    with pytest.raises(TemplateProblem, match="not a Word document"):
        check_template(not_word)


def test_the_cli_refuses_a_template_missing_a_style_before_any_kernel_starts(tmp_path, briefings):
    from analysis.builder.word import template_bytes

    broken = docx.Document(io.BytesIO(template_bytes()))
    element = broken.styles["Table Grid"].element
    element.getparent().remove(element)
    path = tmp_path / "t.docx"
    broken.save(path)
    out = tmp_path / "out"
    run = briefings("build", "--formats", "html,docx", "--docx-template", str(path),
                    "--only", "country-mali", "--out", str(out), "--no-progress")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "'Table Grid'" in lines[0], run.stderr
    assert not out.exists() or not any(out.iterdir())


def test_formats_option_is_checked(briefings, tmp_path):
    run = briefings("build", "--formats", "html,odt", "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "html, pdf, docx" in run.stderr
    run = briefings("build", "--date", "12 March\n2018", "--formats", "html,pdf",
                    "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "--date must be one line" in run.stderr
    run = briefings("build", "--organisation", "DPA", "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "pack's cover" in run.stderr


def test_a_notes_markers_are_superscript_runs_and_its_hostile_text_stays_plain():
    """A note's key point and inference note in Word: the text as plain runs (markup literal,
    controls and bidi overrides gone), the source numbers and the inferred mark as superscript
    runs, as the page shows them; the page keeps the same text escaped, and each marker's
    ``data-ledger`` holds the page's own form."""
    from analysis.briefings.note import Marked, Note, SourceLine
    from analysis.builder.notes import note_docx, note_html

    point = Marked(HOSTILE["markup"] + " " + HOSTILE["control"] + HOSTILE["bidi"], (1, 2), (1,),
                   "(A/72/1 II.B ¶ crisis/3)", "(inferred: note 1)")
    inferred = Marked("MINUSMA as the operation meant", (1,), citation="(¶ crisis/3)",
                      rest=": " + HOSTILE["markup"])
    note = Note("country-x", "Country briefing: X", [point.text], [], [(1, inferred.plain)],
                "**Sources**\n\n- Chapter: the chapter.", "A/72/1, chapter II.B",
                full="country-x.html", points=[point], notes=[(1, inferred)],
                source_lines=[SourceLine(1, "crisis/3", "A/72/1, chapter II.B, \u2018Crisis management\u2019, paragraph 3."),
                              SourceLine(2, "crisis/4", "A/72/1, chapter II.B, \u2018Crisis management\u2019, paragraph 4.")])
    document = _open(note_docx(note))
    paragraphs = {}  # the first paragraph of each label: "1." the key point, not source line 1
    for paragraph in document.paragraphs:
        if "\t" in paragraph.text:
            paragraphs.setdefault(paragraph.text.split("\t")[0], paragraph)
    key = paragraphs["1."]
    assert [r.text for r in key.runs if r.font.superscript] == ["1,2", "\u20201"]
    plain = "".join(r.text for r in key.runs if not r.font.superscript)
    assert HOSTILE["markup"] in plain and "beforeafter" in plain
    assert "\u202e" not in plain and "\u2066" not in plain and "\x00" not in plain
    mark = paragraphs["\u20201"]
    assert [r.text for r in mark.runs if r.font.superscript] == ["1"]
    assert mark.text == "\u20201\tMINUSMA as the operation meant1: " + HOSTILE["markup"]
    texts = [p.text for p in document.paragraphs]
    assert "2.\tA/72/1, chapter II.B, \u2018Crisis management\u2019, paragraph 4." in texts
    page = note_html(note)
    assert "<b>bold</b>" not in page and "<w:p/>" not in page and 'href="javascript' not in page
    assert 'data-ledger="(A/72/1 II.B ¶ crisis/3)"' in page and 'data-ledger="(¶ crisis/3)"' in page

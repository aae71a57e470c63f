"""Write the reference Word template shipped with the package (``analysis/builder/templates/
docx/reference.docx``): python-docx's default document with UN-like styles.

A4 with 2 cm margins; Arial (Roboto is not on every machine) 10 pt body, 1.15 spacing; headings
in UN blue (#009EDB for Heading 1, dark blue below); a plain "Table Grid" with light rules;
captions and the footer small and grey. Run it again after changing a style; the file is
byte-identical for the same script (:func:`analysis.builder.word.stable_zip`).

    .venv/bin/python scripts/make_docx_template.py
"""
from __future__ import annotations

import io

import docx
from docx.enum.text import WD_LINE_SPACING
from docx.shared import Cm, Pt, RGBColor

from analysis.builder.word import FIXED_DATE, TEMPLATE, stable_zip

UN_BLUE = RGBColor(0x00, 0x9E, 0xDB)
DARK_BLUE = RGBColor(0x1A, 0x3A, 0x5C)
GREY = RGBColor(0x4D, 0x4D, 0x4D)
FONT = "Arial"


def main() -> None:
    doc = docx.Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(1.8)
        section.footer_distance = Cm(0.8)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    normal.paragraph_format.line_spacing = 1.1
    for name, size, color in (("Title", 20, DARK_BLUE), ("Subtitle", 11, GREY),
                              ("Heading 1", 18, UN_BLUE), ("Heading 2", 13, DARK_BLUE),
                              ("Heading 3", 11, DARK_BLUE)):
        style = styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), color
        style.font.bold = name.startswith("Heading")
        style.font.italic = False
        style.paragraph_format.space_before = Pt(10 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name in ("List Bullet", "List Number"):
        styles[name].font.name, styles[name].font.size = FONT, Pt(10)
    caption = styles["Caption"]
    caption.font.name, caption.font.size, caption.font.color.rgb = FONT, Pt(9), GREY
    caption.font.bold, caption.font.italic = True, False
    footer = styles["Footer"]
    footer.font.name, footer.font.size, footer.font.color.rgb = FONT, Pt(7), GREY
    table = styles["Table Grid"]
    table.font.name, table.font.size = FONT, Pt(9)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = "", "Peace & Security Workbook", ""
    props.created = props.modified = FIXED_DATE
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_bytes(stable_zip(buffer.getvalue()))
    print(f"wrote {TEMPLATE}")


if __name__ == "__main__":
    main()

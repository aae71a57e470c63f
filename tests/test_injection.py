"""Text from the data never becomes markup or a link (issue #9, point 1).

Every text field that reaches a page is given hostile text (``javascript:`` and ``data:`` links
in Markdown, entity-encoded and mixed-case variants, ``<img onerror>``, ``<svg onload>``…) in a
copy of the data; the real command line builds briefings from it; the pages must show that text
as text: no element, attribute, handler or link comes from it.
"""
from __future__ import annotations

import csv
import html
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.data.escaping import data_text

PROJECT = Path(__file__).resolve().parents[1]
BRIEFINGS = Path(sys.executable).parent / "briefings"

PAYLOADS = [
    "[c](javascript:alert(3))",
    "[d](JaVaScRiPt:alert(4))",
    "[e](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)",
    "[f](&#106;avascript:alert(6))",
    "[g](&#x6A;ava&#x09;script:alert(7))",
    "<img src=x onerror=alert(8)>",
    "<svg onload=alert(9)>",
    "![h](javascript:alert(10))",
    "<a href='javascript:alert(11)'>x</a>",
    "<javascript:alert(12)>",
    "https://evil.example/phish",
    "**bold** _em_ `code` | pipe | # not a heading",
]
#: Text fields that reach a page, by table.
FIELDS = {
    "events": ["description"],
    "engagements": ["activity"],
    "partners": ["name"],
    "sources": ["title", "publisher"],
    "initiatives": ["name"],
    "places": ["name"],
    "figures": ["counts"],
    "public_figures": ["counts"],
    "offices": ["name"],
    "countries": ["display_name"],
}
SET = """
[[briefing]]
notebook = "region"
parameters = { region = "World" }
id = "world"

[[briefing]]
notebook = "region"
parameters = { region = "MLI" }
id = "mali"

[[briefing]]
notebook = "partnerships"
id = "partnerships"

[[briefing]]
notebook = "funding"
id = "funding"

[[briefing]]
notebook = "gender"
id = "gender"
"""


def marker(table: str, column: str) -> str:
    return f"ZQX{table}{column}".replace("_", "")


def poison(folder: Path) -> None:
    """Append a marker and a payload to every row's text in FIELDS (payloads in turn). Where the
    schema caps a field's length (a display name: 120), the original text is shortened so that
    the whole payload still fits, and numbered so that display names stay distinct."""
    import json

    limits = {(r["name"], f["name"]): f.get("constraints", {}).get("maxLength")
              for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]
              for f in r["schema"]["fields"]}
    turn = 0
    for table, columns in FIELDS.items():
        path = folder / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
            header = list(rows[0])
        for number, row in enumerate(rows):
            for column in columns:
                if row[column]:
                    suffix = f" {marker(table, column)} {PAYLOADS[turn % len(PAYLOADS)]}"
                    limit = limits.get((table, column))
                    if limit and len(row[column]) + len(suffix) > limit:
                        row[column] = row[column][: limit - len(suffix) - 6] + f" ~{number:04d}"
                    row[column] += suffix
                    turn += 1
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [(k, v or "") for k, v in attrs]))


def live_problems(page: str) -> list[str]:
    """Every element, attribute or link in ``page`` that data text could have made."""
    parser = Elements()
    parser.feed(page)
    found = []
    for tag, attrs in parser.tags:
        for name, value in attrs:
            plain = re.sub(r"[\s\x00-\x1f]+", "", html.unescape(value)).casefold()
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "srcset"):
                if plain.startswith(("javascript:", "vbscript:")):
                    found.append(f"<{tag} {name}={value[:40]!r}>")
                if plain.startswith("data:") and not (tag == "img" and name == "src" and
                                                      plain.startswith("data:image/png;base64")):
                    found.append(f"<{tag} {name}={value[:40]!r}>")
                if ("evil.example" in plain or "alert(" in plain) and not plain.startswith("#"):
                    found.append(f"<{tag} {name}={value[:40]!r}>")  # (a heading's own anchor
                    # is a fragment of the page, whatever its text)
        if tag == "svg" and any("alert" in v for _, v in attrs):
            found.append("<svg> from data")
    return found


@pytest.mark.slow
def test_hostile_text_in_every_field_stays_text_in_every_page(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    poison(data)
    (tmp_path / "set.toml").write_text(SET, encoding="utf-8")
    out = tmp_path / "reports"
    env = {**os.environ, "PSW_DATA_DIR": str(data)}
    env.pop("MPLBACKEND", None)
    result = subprocess.run([str(BRIEFINGS), "build", "--set", str(tmp_path / "set.toml"),
                             "--out", str(out), "--no-progress", "--formats", "html,docx"],
                            capture_output=True, text=True, env=env, cwd=PROJECT, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.html"))}
    assert len(pages) == 11  # five briefings, their notes and the index
    import docx  # the Word files open, and the hostile text is in them as text, never a link
    import zipfile

    words = []
    for path in sorted(out.glob("*.docx")):
        assert zipfile.ZipFile(path).testzip() is None, path.name
        document = docx.Document(str(path))
        words += [p.text for p in document.paragraphs]
        words += [c.text for t in document.tables for r in t.rows for c in r.cells]
        assert b"w:hyperlink" not in zipfile.ZipFile(path).read("word/document.xml"), path.name
    assert len(list(out.glob("*.docx"))) == 11  # five briefings, five notes and the pack
    assert any("[c](javascript:alert(3))" in w for w in words)
    for name, page in pages.items():
        assert live_problems(page) == [], name
    everything = "\n".join(pages.values())
    for table, columns in FIELDS.items():  # the text did reach the pages, as text
        for column in columns:
            assert marker(table, column) in everything, f"{table}.{column} reaches no page"
    assert "[c](javascript:alert(3))" in html.unescape(everything)
    assert "&lt;img src=x onerror=alert(8)&gt;" in everything


def test_the_checker_would_see_a_live_link():
    assert live_problems('<a href="javascript:alert(1)">x</a>')
    assert live_problems('<a href="&#106;avascript:alert(1)">x</a>')
    assert live_problems('<img src=x onerror="alert(1)">')
    assert live_problems('<svg onload="alert(1)">')
    assert not live_problems('<img src="data:image/png;base64,AAAA"><a href="#top">t</a>')
    assert not live_problems('<a href="#Mali-[c](javascript:alert(3))">¶</a>')  # an anchor


@pytest.mark.parametrize("payload", PAYLOADS)
def test_data_text_renders_as_the_same_text_through_markdown(payload):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune(f"- {data_text(payload)}")
    assert live_problems(rendered) == []
    parser = Elements()
    parser.feed(rendered)
    assert [t for t, _ in parser.tags] == ["ul", "li"]  # no element from the text
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert text == payload  # shown exactly as written


@pytest.mark.parametrize("text", ["1. first", "- item", "+ item", "---", "=== ", "# heading",
                                  "> quote", "    code", "a\nb\n# c", "x\x1b[31m"])
def test_data_text_never_starts_a_block(text):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune(data_text(text))
    assert re.fullmatch(r"<p>[^<]*</p>\n?", rendered), rendered

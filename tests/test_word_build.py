"""What `briefings build --formats html,pdf,docx` writes for Word and notes, read back: full
briefings against their pages, notes, packs and their covers, the index's pack command,
byte-identical rebuilds, and (where LibreOffice is installed) a real client's conversion."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")
pypdf = pytest.importorskip("pypdf")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("word-build")]

IDS = ("region-western-africa", "country-gambia", "country-mali")
DATE, ORGANISATION = "12 March 2018", "Department of Political Affairs"


@pytest.fixture(scope="session")
def built(tmp_path_factory, briefings):
    out = tmp_path_factory.mktemp("word") / "reports"
    args = ["build", "--formats", "html,pdf,docx", "--out", str(out), "--no-progress",
            "--date", DATE, "--organisation", ORGANISATION]
    for bid in IDS:
        args += ["--only", bid]
    run = briefings(*args)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def _doc(path: Path):
    return docx.Document(io.BytesIO(path.read_bytes()))


def _doc_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _page_text(html: str) -> str:
    main = html[html.find("<main"):html.rfind("</main>")]
    return unescape(re.sub(r"<[^>]+>", " ", main))


def _pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)


def test_every_briefing_has_its_word_file_and_note_in_three_formats(built):
    for bid in IDS:
        for name in (f"{bid}.docx", f"{bid}-note.html", f"{bid}-note.pdf", f"{bid}-note.docx"):
            assert (built / name).is_file(), name
        assert len(pypdf.PdfReader(str(built / f"{bid}-note.pdf")).pages) <= 2
    assert (built / "pack.pdf").is_file() and (built / "pack.docx").is_file()
    index = (built / "index.html").read_text(encoding="utf-8")
    assert f'href="{IDS[0]}-note.html"' in index and 'href="pack.docx"' in index


def test_word_has_the_page_headings_tables_alt_texts_citations_and_markers(built, dataset):
    from analysis.builder.render import dataset_version, package_version
    from analysis.builder.word import word_em

    for bid in IDS:
        html = (built / f"{bid}.html").read_text(encoding="utf-8")
        document = _doc(built / f"{bid}.docx")
        levels = [int(p.style.name.split()[-1]) for p in document.paragraphs
                  if p.style.name.startswith("Heading")]
        assert levels[0] == 1 and levels.count(1) == 1, bid
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), bid
        heads = [unescape(re.sub(r"<[^>]+>", "", h)) for h in
                 re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html[html.find("<main"):], re.S)]
        words = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert words == [h.strip() for h in heads], bid
        for table in document.tables:
            assert table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
            # no column narrower than its longest word (bold Arial: at most 0.8 em a letter,
            # and the cell's margins); only words over 10 letters may break, on the widest
            # tables, set at 7 pt
            size = table.rows[1].cells[0].paragraphs[0].runs[0].font.size.pt
            assert size >= 7
            for k, column in enumerate(table.columns):
                words = [w for row in table.rows for w in row.cells[k].text.split()]
                longest = max((w for w in words if len(w) <= 10), key=word_em, default="")
                assert column.width.pt >= word_em(longest) * size + 10, (bid, k, longest)
        alts = [unescape(a) for a in re.findall(r'<img[^>]* alt="([^"]*)"', html)]
        described = [s._inline.docPr.get("descr") for s in document.inline_shapes]
        assert described == alts and alts, bid
        page, word = _page_text(html), _doc_text(document)
        for pattern in (r"\(A/72/1 II\.B ¶¶? [^)]*\)", r"\(inferred(?:: notes? [\d, ]+)?\)"):
            on_page = sorted(re.findall(pattern, page))
            assert sorted(re.findall(pattern, word)) == on_page, (bid, pattern)
        props = document.core_properties
        title = unescape(re.search(r"<title>(.*?)</title>", html).group(1))
        assert props.title == title and props.language == "en-GB"
        assert f"dataset {dataset_version()}" in props.keywords
        assert f"package {package_version()}" in props.keywords


def test_a_built_notes_word_file_has_its_pages_superscripts_and_source_lines(built):
    """The notes a build writes (made in the briefing's own kernel): each key point and
    inference note of the Word file carries, as superscript runs, the numbers and marks its page
    shows ("3", "†2,4"), and the numbered source lines are the page's, in the same order."""
    for bid in IDS:
        html = (built / f"{bid}-note.html").read_text(encoding="utf-8")
        document = _doc(built / f"{bid}-note.docx")
        word = [[r.text for r in p.runs if r.font.superscript] for p in document.paragraphs]
        page = []
        for section in re.findall(r'<section class="(?:key-points|notes)">(.*?)</section>', html, re.S):
            for item in re.findall(r"<li[^>]*>(.*?)</li>", section):
                page.append([unescape(re.sub(r"<[^>]+>", "", sup))
                             for sup in re.findall(r"<sup[^>]*>(.*?)</sup>", item)])
        assert [w for w in word if w] == [p for p in page if p] and page, bid
        lines = [f"{n}.\t" + unescape(re.sub(r"<[^>]+>", "", t)) for n, t in
                 re.findall(r'<li id="source-(\d+)"[^>]*>(.*?)</li>', html)]
        assert lines and [p.text for p in document.paragraphs if p.text in lines] == lines, bid


def test_pack_docx_has_a_contents_listing_every_note_and_the_cover(built):
    document = _doc(built / "pack.docx")
    body = document.element.body.xml
    assert "TOC \\o" in body
    text = _doc_text(document)
    paragraphs = [p.text for p in document.paragraphs]
    titles = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(titles) == len(IDS)
    contents = paragraphs[paragraphs.index("Contents") + 1]
    assert contents.splitlines() == titles
    assert DATE in text and ORGANISATION in text
    cover = _pdf_text(built / "pack.pdf").split("Contents")[0]
    assert DATE in cover and ORGANISATION in cover and "notes" in cover.lower()


def test_a_rebuild_writes_the_same_word_files(built, briefings, tmp_path):
    again = tmp_path / "again"
    args = ["build", "--formats", "html,docx", "--out", str(again), "--no-progress",
            "--date", DATE, "--organisation", ORGANISATION, "--only", IDS[1]]
    run = briefings(*args)
    assert run.returncode == 0, run.stderr
    for name in (f"{IDS[1]}.docx", f"{IDS[1]}-note.docx"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_the_index_tick_boxes_give_the_command_that_builds_exactly_that_pack(built, page,
                                                                           briefings):
    page.goto((built / "index.html").as_uri())
    for bid in IDS[1:]:
        page.check(f'input.pick[value="{bid}"]')
    command = page.inner_text("#pack-command")
    assert command.startswith("briefings build --formats html,pdf,docx")
    args = command.split()[1:]
    assert [args[k + 1] for k, a in enumerate(args) if a == "--only"] == list(IDS[1:])
    run = briefings(*args, "--out", str(built), "--no-progress")
    assert run.returncode == 0, run.stderr
    contents = [p.text for p in _doc(built / "pack.docx").paragraphs
                if p.style.name == "Heading 1"]
    assert len(contents) == 2 and all("Gambia" in t or "Mali" in t for t in contents)
    assert not page.problems


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice is not installed (`make libreoffice` installs it as root)")
def test_libreoffice_opens_a_note_a_briefing_and_the_pack(built, tmp_path):
    from analysis.briefings import open_briefing
    from analysis.briefings.note import fitted_note

    names = [f"{IDS[2]}-note.docx", f"{IDS[2]}.docx", "pack.docx"]
    for name in names:
        shutil.copy(built / name, tmp_path / name)
    run = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), *names],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    pages = {n: len(pypdf.PdfReader(str(tmp_path / n.replace(".docx", ".pdf"))).pages)
             for n in names}
    assert pages[names[0]] <= 2 and pages[names[1]] >= 2 and pages["pack.docx"] >= 3
    note, _ = fitted_note(open_briefing("country", country="Mali"), IDS[2])
    text = " ".join(_pdf_text(tmp_path / names[0].replace(".docx", ".pdf")).split())
    for point in note.key_points:  # the page's own sentences
        assert " ".join(point.split())[:60] in text

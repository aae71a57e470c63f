"""Reader pages, PDFs, the pack and the index, built through the real `briefings build`.

One build of a few real briefings with ``--pdf`` (module fixture) serves most tests; the
sanitiser, the title checks and the table/alt-text helpers are also tested directly.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURE_NOTEBOOKS as FIXTURES

FIXTURE_SET = FIXTURES / "fixtures.toml"
from analysis.builder.render import DEFAULT_ALT  # noqa: E402

REAL = ("region-western-africa", "region-west-africa-and-the-sahel", "country-mali",
        "country-congo", "gender", "partnerships")
TITLE = "Security Council <b>retreat</b> & friends"
CLOCK = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b|\b20\d\d-\d\d-\d\dT")


@pytest.fixture(scope="session")
def built(tmp_path_factory, default_reports, briefings):
    """The REAL briefings of the session's default build, with their pages and PDFs, in a
    folder of their own whose manifest lists only them; the builder finds them up to date and
    writes the index and pack.pdf of these six (the pack's order and counts are known)."""
    out = tmp_path_factory.mktemp("reader") / "reports"
    out.mkdir()
    record = json.loads((default_reports / "manifest.json").read_text(encoding="utf-8"))
    record.pop("pack", None)
    record["briefings"] = {bid: record["briefings"][bid] for bid in REAL}
    for entry in record["briefings"].values():
        for name in entry["outputs"]:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(default_reports / name, target)
    (out / "manifest.json").write_text(json.dumps(record), encoding="utf-8")
    args = ["build", "--out", str(out), "--pdf", "--title", TITLE, "--no-progress",
            "--pack", "full"]  # the pack of every briefing whole (notes: test_word_build.py)
    for bid in REAL:
        args += ["--only", bid]
    result = briefings(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 built, 6 skipped" in result.stdout, result.stdout  # read, not built again
    return out


def _pdf(path: Path):
    import pypdf

    return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


# --- the pages ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("bid", REAL)
def test_page_is_for_readers(built, bid):
    page = (built / f"{bid}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert len(re.findall(r"<h1[ >]", page)) == 1
    for landmark in ("<header", "<main", "<footer"):
        assert landmark in page
    for instruction in ("parameters cell", "run all cells", "Run all", "papermill"):
        assert instruction not in page, instruction
    assert "No description has been provided" not in page
    assert "<script" not in page and "jp-InputArea" not in page
    assert "anchor-link" not in page and "¶</a>" not in page
    images = re.findall(r"<img [^>]*>", page)
    assert images, "a briefing has at least one chart or map"
    for img in images:
        assert re.search(r'alt="(Chart|Map|Timeline)[^"]{12,}"', img), img  # from the data
        assert DEFAULT_ALT not in img
        assert 'src="data:image/png;base64,' in img
    stamp = re.search(r'<p class="build-stamp">Dataset ([^ ]+) · package ([^ ]+) · '
                      r'inputs ([0-9a-f]{12})</p>', page)
    data_version = json.loads((Path(__file__).parents[1] / "data" / "datapackage.json")
                              .read_text())["version"]
    assert stamp and stamp.group(1) == data_version
    assert not CLOCK.search(re.sub(r'src="data:[^"]*"', "", page))
    # no link without a target, no web address as a link
    for href in re.findall(r'<a [^>]*href="([^"]*)"', page):
        assert href and not href.startswith(("http", "javascript", "data")), href
    assert not re.search(r"<a(?![^>]*href)[^>]*>", page)


@pytest.mark.slow
def test_stamp_digest_differs_between_briefings(built):
    digests = {re.search(r"inputs ([0-9a-f]{12})", (built / f"{b}.html").read_text()).group(1)
               for b in REAL}
    assert len(digests) == len(REAL)


# --- PDFs --------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("bid", REAL)
def test_pdf_beside_each_page_is_tagged_titled_and_in_the_manifest(built, bid, manifest):
    reader = _pdf(built / f"{bid}.pdf")
    root = reader.trailer["/Root"]
    entry = manifest(built)[bid]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert reader.metadata.title == entry["title"]
    assert reader.xmp_metadata is not None  # PDF/UA identification lives there
    assert "pdfuaid" in reader.xmp_metadata.stream.get_data().decode("utf-8", "replace")
    assert f"{bid}.pdf" in entry["outputs"] and entry["timings"]["pdf"] > 0
    text = reader.pages[0].extract_text()
    assert "Page 1 of" in text and "Peace & Security Workbook · a briefing from" in " ".join(text.split())
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    import pikepdf

    from pdf_structure import check_structure

    with pikepdf.open(built / f"{bid}.pdf") as pdf:
        assert check_structure(pdf) > 50  # the tag tree is whole, every marked content in it


@pytest.mark.slow
def test_pdfs_are_byte_identical_when_rebuilt(built, briefings):
    before = {name: (built / name).read_bytes() for name in ("gender.pdf", "pack.pdf")}
    result = briefings("build", "--out", str(built), "--pdf", "--title", TITLE, "--force",
                       "--only", "gender", "--no-progress", "--pack", "full")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (built / "gender.pdf").read_bytes() == before["gender.pdf"]
    # the pack of the same briefings again (a pack made with --only holds those only)
    only = [a for bid in REAL for a in ("--only", bid)]
    result = briefings("build", "--out", str(built), "--pdf", "--title", TITLE, "--no-progress",
                       "--pack", "full", *only)
    assert result.returncode == 0, result.stdout + result.stderr
    for name, data in before.items():
        assert (built / name).read_bytes() == data, name


@pytest.mark.slow
def test_pack_has_cover_contents_briefings_and_one_appendix(built, manifest):
    reader = _pdf(built / "pack.pdf")
    texts = [p.extract_text() for p in reader.pages]
    cover = " ".join(texts[0].split())
    assert "Security Council <b>retreat</b> & friends" in cover  # escaped, shown as written
    assert "6 briefings: 2 regions, 2 countries, 2 themes." in cover
    assert re.search(r"Dataset \S+ · package \S+ · inputs [0-9a-f]{12}", cover)
    assert "Page " not in cover  # no page number on the cover
    assert reader.metadata.title == TITLE
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    contents = texts[1]
    assert contents.startswith("Contents")
    record = manifest(built)
    order = ["region-western-africa", "region-west-africa-and-the-sahel", "country-congo",
             "country-mali", "gender", "partnerships"]
    starts = []
    for bid in order:
        title = record[bid]["title"]
        line = next(l for l in contents.splitlines() if l.startswith(title[:30]))
        page = int(re.search(r"(\d+)\s*$", line).group(1))
        starts.append(page)
        # the contents' number is the pack page printed on it, and the briefing starts there
        assert f"Pack page {page} of {len(texts)}" in texts[page - 1], (title, page)
        assert title in texts[page - 1] and "Page 1 of" in texts[page - 1], (title, page)
    assert starts == sorted(starts) and starts[0] == 3
    # every briefing is its own PDF, page for page, each page numbered in the pack
    for bid, start in zip(order, starts):
        own = _pdf(built / f"{bid}.pdf")
        for k, page in enumerate(own.pages):
            assert texts[start - 1 + k].startswith(page.extract_text()[:200]), (bid, k)
    for n, text in enumerate(texts[1:], start=2):
        assert f"Pack page {n} of {len(texts)}" in text
    appendix = [n for n, t in enumerate(texts) if t.strip().splitlines()[0:2]
                and any(l.strip() == "Appendix: sources" for l in t.splitlines()[:3])]
    assert len(appendix) == 1 and appendix[0] > starts[-1]


@pytest.mark.slow
def test_pack_is_one_tag_tree_with_bookmarks_and_working_links(built, manifest):
    import pikepdf

    from pdf_structure import check_structure

    with pikepdf.open(built / "pack.pdf") as pack:
        check_structure(pack)  # every marked content of every page is in the tree, once
        parts = [k for k in pack.Root.StructTreeRoot.K[0].K
                 if str(k.get("/S")) == "/Part" and "/T" in k]
        record = manifest(built)
        titles = [str(p.T) for p in parts]
        assert titles == [record[b]["title"] for b in (
            "region-western-africa", "region-west-africa-and-the-sahel", "country-congo",
            "country-mali", "gender", "partnerships")]
        pages = {page.obj.objgen: n for n, page in enumerate(pack.pages)}
        with pack.open_outline() as outline:
            top = [item.title for item in outline.root]
            assert top[1:] == ["Contents", "Regions", "Countries", "Themes", "Appendix: sources"]
            regions = outline.root[2]
            assert [c.title for c in regions.children] == titles[:2]
            assert "Key points" in [c.title for c in regions.children[0].children]
        names = pikepdf.NameTree(pack.Root.Names.Dests)
        for link in pack.pages[1].obj.Annots:  # the contents' links land on the pages listed
            target = names[str(link.Dest)]
            assert target[0].objgen in pages


# --- the index ---------------------------------------------------------------------------

@pytest.mark.slow
def test_index_groups_entries_with_links_details_and_twins(built, manifest):
    index = (built / "index.html").read_text(encoding="utf-8")
    assert index.index('<h2 id="regions">Regions</h2>') < index.index(
        '<h2 id="countries">Countries</h2>') < index.index('<h2 id="themes">Themes</h2>')
    record = manifest(built)
    for bid in REAL:
        assert f'href="{bid}.html"' in index and f'href="{bid}.pdf"' in index
        assert f'<li class="entry" id="{bid}">' in index
    assert 'href="pack.pdf"' in index
    assert "&amp;lt;" not in index and "&amp;amp;" not in index  # escaped once
    # no tool details for pages that built (notebook, parameters, status): issue 18
    assert 'class="details"' not in index and "notebook region" not in index
    assert "executed notebook" not in index and "(inferred: note" not in index
    twin = re.search(r'<li class="entry" id="region-western-africa">.*?</li>', index, re.S).group(0)
    assert 'Close to <a href="#region-west-africa-and-the-sahel">' in twin
    assert record["gender"]["summary"][:40] in index.replace("&#x27;", "'")


@pytest.mark.slow
def test_a_briefing_removed_from_the_set_leaves_the_index(tmp_path, briefings, write_set):
    out = tmp_path / "reports"
    both = write_set(tmp_path / "both.toml", {"ok": FIXTURES / "ok.ipynb"},
                     ['notebook = "ok"\nid = "one"\nparameters = { name = "One" }',
                      'notebook = "ok"\nid = "two"\nparameters = { name = "Two" }'])
    assert briefings("build", "--set", str(both), "--out", str(out)).returncode == 0
    assert 'id="two"' in (out / "index.html").read_text()
    one = write_set(tmp_path / "one.toml", {"ok": FIXTURES / "ok.ipynb"},
                    ['notebook = "ok"\nid = "one"\nparameters = { name = "One" }'])
    result = briefings("build", "--set", str(one), "--out", str(out))
    assert result.returncode == 0 and "0 built, 1 skipped" in result.stdout
    index = (out / "index.html").read_text()
    assert 'id="one"' in index and 'id="two"' not in index


# --- bad input and a missing engine -----------------------------------------------------

def test_overlong_or_multiline_title_is_refused_and_nothing_written(tmp_path, briefings):
    out = tmp_path / "reports"
    for title, pdf, message in (("x" * 121, "--pdf", "--title is 121 characters long; at most 120"),
                                ("two\nlines", "--pdf", "--title must be one line"),
                                ("Retreat", "--force", "use it with --pdf")):
        result = briefings("build", "--set", str(FIXTURE_SET), "--out", str(out), pdf,
                           "--title", title)
        assert result.returncode == 2
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()


@pytest.mark.slow
def test_missing_pdf_engine_names_the_package_builds_html_and_exits_1(tmp_path, briefings):
    fake = tmp_path / "fake"
    (fake / "weasyprint").mkdir(parents=True)
    (fake / "weasyprint" / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open "
        "shared object file: No such file or directory\")\n")
    out = tmp_path / "reports"
    result = briefings("build", "--set", str(FIXTURE_SET), "--out", str(out), "--pdf",
                       "--only", "ok-alpha", env={"PYTHONPATH": str(fake)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "apt-get install libpango-1.0-0" in result.stdout
    assert "libpango-1.0-0: cannot open shared object file" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (out / "ok-alpha.html").is_file() and not list(out.glob("*.pdf"))


# --- helpers, directly -------------------------------------------------------------------

@pytest.mark.parametrize("markup, kept, gone", [
    ('<a href="javascript:alert(1)">x</a>', "x", "javascript"),
    ('<a href="data:text/html,hi">y</a>', "y", "data:"),
    ('<a href="https://undocs.org/A/72/1">https://undocs.org/A/72/1</a>', "undocs.org", "href"),
    ('<img src="http://example.org/x.png" alt="a">', "alt", "example.org"),
    ('<img src="data:image/svg+xml;base64,AA" alt="a">', "alt", "svg"),
    ('<p onclick="x()" style="color:red">p</p><script>alert(1)</script>', "<p>p</p>", "alert"),
    ('<style>p{}</style><iframe src="x"></iframe><q>z</q>', "z", "iframe"),
    # nh3 keeps any relative URL: a protocol-relative or absolute path leaves the folder
    ('<a href="//evil.example/phish">A/72/1</a>', "A/72/1", "evil"),
    ('<a href="/etc/passwd">p</a>', "p", "passwd"),
    ('<a href="../outside.html">o</a>', "o", "outside"),
])
def test_sanitiser_keeps_only_what_the_templates_use(markup, kept, gone):
    from analysis.builder.render import sanitise

    clean = sanitise(markup)
    assert kept in clean and gone not in clean


def test_sanitiser_keeps_figures_tables_and_relative_links():
    from analysis.builder.render import sanitise

    markup = ('<figure class="chart"><img src="data:image/png;base64,iVBO" alt="Map: x"></figure>'
              '<table class="report-table"><caption>c</caption><thead><tr><th scope="col" '
              'class="num">n</th></tr></thead><tbody><tr><td class="num">1</td></tr></tbody>'
              '</table><a href="gender.html">gender</a><a href="#top">top</a>')
    assert sanitise(markup) == markup


def test_report_table_has_caption_no_index_full_text_and_alignment():
    import pandas as pd

    from analysis.briefings.displays import ReportTable

    long = "United Nations Multidimensional Integrated Stabilization Mission in Mali <b>"
    html = ReportTable(pd.DataFrame({"name": [long], "records": [3]}, index=[7]),
                       "Operations in Mali")._repr_html_()
    assert "<caption>Operations in Mali</caption>" in html
    assert "&lt;b&gt;" in html and long[:60] in html
    assert '<th scope="col" class="num">records</th>' in html and '<td class="num">3</td>' in html
    assert "<td>7</td>" not in html and "<th>7</th>" not in html


def test_alt_text_names_the_finding_and_key_numbers():
    import matplotlib.pyplot as plt
    import pandas as pd

    from analysis.graphics import alttext

    fig, ax = plt.subplots()
    ax.bar(["women", "target"], [26, 50])
    ax.set_title("Women are 26% of mission leaders, against parity")
    text = alttext.describe_axes(ax)
    assert text.startswith("Chart: Women are 26% of mission leaders") and "women: 26" in text
    data = pd.DataFrame({"name": ["Mali", "Liberia", "Niger"], "count": [7, 7, 1]})
    text = alttext.describe_map(data, title="Western Africa: countries by number of records")
    assert "3 countries shaded; most records: Liberia 7, Mali 7, the Niger 1" in text


def test_a_section_with_only_notes_shrinks_to_one_line_and_one_without_output_goes():
    import nbformat

    from analysis.builder import render
    from analysis.briefings.displays import EMPTY_MARK

    v4 = nbformat.v4
    note = v4.new_output("execute_result", data={"text/markdown": "_No dated events for Mali._"},
                         metadata={"text/markdown": dict(EMPTY_MARK)}, execution_count=1)
    table = v4.new_output("execute_result", data={"text/html": "<table><tr><td>1</td></tr></table>"},
                          execution_count=2)
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Notebook title\n\nSet `region` in the parameters cell below."),
        v4.new_code_cell("region = 'Mali'", metadata={"tags": ["parameters"]}),
        v4.new_code_cell("brief.header()", outputs=[v4.new_output(
            "display_data", data={"text/markdown": "# Country briefing: Mali"})]),
        v4.new_markdown_cell("## Timeline\n\nDated events, at their precision."),
        v4.new_code_cell("brief.timeline_chart()", outputs=[note]),
        v4.new_code_cell("brief.timeline()", outputs=[note]),
        v4.new_markdown_cell("## Figures\n\nNumbers."),
        v4.new_code_cell("brief.figures()", outputs=[table]),
        v4.new_code_cell("brief.figures_chart()", outputs=[v4.new_output(
            "execute_result", data={"text/markdown": "_No targets._"},
            metadata={"text/markdown": dict(EMPTY_MARK)}, execution_count=3)]),
        v4.new_markdown_cell("## Context\n\nLeft out."),
        v4.new_code_cell("brief.context()"),
    ])
    page = render.to_html(render.make_exporter(), nb, render.PageInfo("Country briefing: Mali"))
    page = page.decode()
    assert "<p><strong>Timeline:</strong> No dated events for Mali.</p>" in page
    assert page.count("No dated events for Mali") == 1  # two notes, one line
    assert "Dated events, at their precision" not in page and ">Timeline</h2>" not in page
    assert ">Figures</h2>" in page and "<td>1</td>" in page  # a section with data stays
    assert "No targets." in page  # with its note
    assert "Context" not in page and "Left out" not in page
    assert "parameters cell" not in page and "Notebook title" not in page
    assert page.count("<h1") == 1


def test_default_set_has_a_country_briefing_for_every_country_with_records(briefings, dataset):
    from analysis.model import queries
    from analysis.builder.briefing_set import load_briefing_set
    from analysis.data.escaping import slug

    countries = queries.countries_with_data(None, ds=dataset)
    ids = [b.id for b in load_briefing_set().briefings if b.notebook == "country"]
    assert sorted(ids) == sorted(f"country-{slug(n)}" for n in countries["name"])
    assert "country-mali" in ids and len(ids) == len(countries) >= 20
    listed = briefings("list").stdout
    assert "country-cote-d-ivoire" in listed


@pytest.mark.slow
def test_country_page_shrinks_empty_sections_and_keeps_the_rest(built):
    page = (built / "country-congo.html").read_text(encoding="utf-8")
    assert "<h1" in page and "Country briefing: the Congo" in page
    assert "<p><strong>Timeline:</strong> The chapter records no dated events" in page
    assert ">Timeline</h2>" not in page
    assert ">Operations and envoys present</h2>" in page  # UNOCA is there
    assert "<caption>" in page and '<th scope="col"' in page
    assert "Country: the Congo (ISO code COG)" in page
    mali = (built / "country-mali.html").read_text(encoding="utf-8")
    assert "<caption>Peace operations in Mali</caption>" in mali
    assert "United Nations Multidimensional Integrated Stabilization Mission in Mali" in mali
    # issue 18: the presence map's title and count (MINUSMA is inferred: the chapter says "the
    # United Nations mission" in Mali, crisis/3), as the ledger holds them
    assert re.search(r'alt="Map: UN peace operations in Mali, and UN offices or envoys based or engaged '
                     r'there\. 1 UN peace operation \(inferred\): MINUSMA', mali)

"""``pack.pdf`` put together from briefings' PDFs (no notebook runs: small pages made here)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from pdf_structure import check_structure

pikepdf = pytest.importorskip("pikepdf")


def _page(title: str, paragraphs: int, source: str) -> str:
    body = "\n".join(f"<p>Paragraph {n} of {title}.</p>" for n in range(paragraphs))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>@page {{ size: A4; @bottom-right {{ content: 'Page ' counter(page) ' of ' "
            f"counter(pages); }} }} p {{ margin: 0 0 4mm; }}</style></head><body>"
            f'<main id="briefing" class="briefing"><h1>{title}</h1><h2 id="Key-points">Key '
            f'points</h2>{body}<h2 id="Sources">Sources</h2><ul><li>{source}</li></ul>'
            "</main></body></html>")


@pytest.fixture()
def briefed(tmp_path):
    """A reports folder with three briefings (the second runs over three pages)."""
    from analysis.builder.hashing import bytes_digest
    from analysis.builder.pdf import to_pdf

    out = tmp_path / "reports"
    out.mkdir()
    entries = {}
    for bid, notebook, title, paragraphs in (
            ("region-alpha", "region", "Regional briefing: Alpha", 3),
            ("country-beta", "country", "Country briefing: Beta", 120),
            ("gamma", "gender", "Theme: Gamma", 2)):
        html = _page(title, paragraphs, f"Context: source of {bid}").encode()
        pdf = to_pdf(html)
        (out / f"{bid}.html").write_bytes(html)
        (out / f"{bid}.pdf").write_bytes(pdf)
        entries[bid] = {"notebook": notebook, "title": title, "inputs": {"notebook": bid},
                        "outputs": {f"{bid}.html": bytes_digest(html),
                                    f"{bid}.pdf": bytes_digest(pdf)}}
    return out, entries


def _texts(path: Path) -> list[str]:
    import pypdf

    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages]


def test_pack_holds_each_briefing_page_for_page_with_pack_numbers(briefed):
    from analysis.builder.pack import write_pack

    out, entries = briefed
    record = write_pack(out, entries, "Retreat <i>2018</i>")
    texts = _texts(out / "pack.pdf")
    own = {bid: _texts(out / f"{bid}.pdf") for bid in entries}
    assert len(own["country-beta"]) >= 3
    assert len(texts) == 2 + sum(map(len, own.values())) + 1  # cover, contents, appendix
    assert "Retreat <i>2018</i>" in texts[0] and "Pack page" not in texts[0]
    assert "3 briefings: 1 region, 1 country, 1 theme." in " ".join(texts[0].split())
    start = 3
    for bid in ("region-alpha", "country-beta", "gamma"):  # the index's order
        line = next(l for l in texts[1].splitlines() if l.startswith(entries[bid]["title"]))
        assert line.rstrip().endswith(str(start)), line
        for k, text in enumerate(own[bid]):
            page = texts[start - 1 + k]
            assert page.startswith(text.strip()[:60]) and f"Page {k + 1} of {len(own[bid])}" in page
            assert f"Pack page {start + k} of {len(texts)}" in page
        start += len(own[bid])
    appendix = texts[-1]
    assert "Appendix: sources" in appendix
    assert all(f"source of {bid}" in appendix for bid in entries)
    assert record and set(record) == {"source", "pdf", "seconds"}


def test_pack_is_tagged_as_one_tree_with_bookmarks(briefed):
    from analysis.builder.pack import write_pack

    out, entries = briefed
    write_pack(out, entries, None)
    with pikepdf.open(out / "pack.pdf") as pack:
        assert check_structure(pack) > 20
        assert str(pack.Root.Lang) == "en" and bool(pack.Root.MarkInfo.Marked)
        assert "pdfuaid" in pack.Root.Metadata.read_bytes().decode()
        parts = [str(k.T) for k in pack.Root.StructTreeRoot.K[0].K if "/T" in k]
        assert parts == [entries[b]["title"] for b in entries]
        # the page numbers drawn over the briefings are artifacts, outside the tree
        beta = pack.pages[3]
        stamp = beta.obj.Resources.XObject.PackPageNumber
        operators = [str(op) for _, op in pikepdf.parse_content_stream(stamp)]
        assert "BDC" not in operators and "BMC" in operators
        with pack.open_outline() as outline:
            titles = [item.title for item in outline.root]
            assert titles == ["Briefings on peace and security", "Contents", "Regions",
                              "Countries", "Themes", "Appendix: sources"]
            beta_item = outline.root[3].children[0]
            assert beta_item.title == "Country briefing: Beta"
            assert [c.title for c in beta_item.children] == ["Key points", "Sources"]


def test_pack_is_byte_identical_and_not_made_again_when_nothing_changed(briefed):
    from analysis.builder.pack import write_pack

    out, entries = briefed
    first = write_pack(out, entries, "T")
    data = (out / "pack.pdf").read_bytes()
    (out / "pack.pdf").unlink()
    again = write_pack(out, entries, "T")
    assert (again["source"], again["pdf"]) == (first["source"], first["pdf"])
    assert (out / "pack.pdf").read_bytes() == data
    mtime = (out / "pack.pdf").stat().st_mtime_ns
    assert write_pack(out, entries, "T", first) is first
    assert (out / "pack.pdf").stat().st_mtime_ns == mtime
    assert write_pack(out, entries, "Another meeting", first)["pdf"] != first["pdf"]


def test_briefing_without_a_pdf_is_left_out_and_none_left_means_no_pack(briefed):
    from analysis.builder.pack import write_pack

    out, entries = briefed
    (out / "gamma.pdf").unlink()
    write_pack(out, entries, None)
    texts = _texts(out / "pack.pdf")
    assert "2 briefings: 1 region, 1 country." in " ".join(texts[0].split())
    assert not any("Theme: Gamma" in t for t in texts[1:-1])
    for bid in ("region-alpha", "country-beta"):
        (out / f"{bid}.pdf").unlink()
    assert write_pack(out, entries, None) is None and not (out / "pack.pdf").exists()


def test_damaged_briefing_pdf_gives_one_line_and_no_pack(briefed):
    from analysis.builder.pack import PackProblem, write_pack
    from analysis.errors import WorkbookError

    out, entries = briefed
    (out / "country-beta.pdf").write_bytes(b"%PDF-1.7\nnot a pdf")
    with pytest.raises(PackProblem) as caught:
        write_pack(out, entries, None)
    assert isinstance(caught.value, WorkbookError)
    assert "pack.pdf could not be made" in str(caught.value) and "\n" not in str(caught.value)
    assert not (out / "pack.pdf").exists()


def test_the_appendix_takes_each_page_s_sources_not_its_inference_notes():
    from analysis.builder.pack import page_sources

    page = ('<main><h2 id="Key-points">Key points</h2><ul><li>a point</li></ul>'
            '<h2 id="Sources">Sources</h2></div><div class="prose"><p><strong>Sources</strong></p>'
            "<ul>\n<li>Chapter: the report</li>\n<li>Context: a resolution</li>\n</ul>"
            "<p><strong>Inferences</strong></p><ol>\n<li>MINUSMA as the operation meant</li>"
            "</ol></main>")
    assert page_sources(page) == ["Chapter: the report", "Context: a resolution"]
    assert page_sources("<main><p>no sources</p></main>") == []

"""``pack.pdf``: every briefing of a build in one document for a meeting.

In the order of the index (Regions, Countries, Themes; the default set's order within each):

1. a cover: the meeting's title (``--title``), the set (how many briefings of each group) and
   the stamp (dataset and package versions, a digest of every briefing's inputs);
2. a table of contents with page numbers (CSS ``target-counter``: WeasyPrint fills them in);
3. every built briefing, each starting on a new page, its own sources list left out;
4. one appendix of sources: the chapter once, then every context source any briefing cites.

The pack is laid out in one pass from the briefings' reader pages (already sanitised), so its
page numbers, contents and PDF bookmarks are those of the pack itself, and it is tagged
(PDF/UA-1) like every briefing's PDF. Rejected: concatenating the briefings' PDFs (pypdf) keeps
neither the pack's page numbers nor the tags.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from .catalog import ParameterProblem

PACK = "pack.pdf"
DEFAULT_TITLE = "Briefings on peace and security"
TITLE_LIMIT = 120

_MAIN = re.compile(r'<main id="briefing" class="briefing">(.*)</main>', re.S)
_SOURCES = re.compile(r'<h2 id="Sources">')
_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_CITED = re.compile(r" Paragraphs cited: [^.]*\.")
_ID = re.compile(r'\bid="([^"]*)"')
_LOCAL_HREF = re.compile(r'\bhref="#([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


def check_title(title: str | None, pdf: bool = True) -> None:
    """Refuse an overlong or multi-line ``--title`` (markup in it is escaped, not refused), and
    one given without ``--pdf`` (it names the pack's cover)."""
    if title is None:
        return
    if not pdf:
        raise ParameterProblem("--title names the meeting on the cover of pack.pdf: use it "
                               "with --pdf")
    if not title.strip():
        raise ParameterProblem("--title is empty; give the meeting's name, e.g. "
                               "--title \"Security Council retreat, May 2018\"")
    if any(ord(c) < 32 for c in title):
        raise ParameterProblem("--title must be one line (no line breaks or control characters)")
    if len(title) > TITLE_LIMIT:
        raise ParameterProblem(f"--title is {len(title)} characters long; at most {TITLE_LIMIT} "
                               "fit on the cover")


def remove_stale_pack(out: Path) -> None:
    """A build without ``--pdf`` that changed a briefing leaves no pack that would not match."""
    path = Path(out) / PACK
    if path.exists():
        path.unlink()


def _content(html: str, bid: str) -> tuple[str, list[str]]:
    """A briefing page's main content (ids made unique in the pack) and its source items."""
    match = _MAIN.search(html)
    content = match.group(1) if match else ""
    sources: list[str] = []
    cut = _SOURCES.search(content)
    if cut:
        sources = [item.strip() for item in _ITEM.findall(content[cut.start():])]
        content = content[:cut.start()] + "</div>"  # the Sources heading's own block, closed
    content = _ID.sub(lambda m: f'id="{bid}--{m.group(1)}"', content)
    content = _LOCAL_HREF.sub(lambda m: f'href="#{bid}--{m.group(1)}"', content)
    return content, sources


def _appendix(items: list[str]) -> str:
    chapter, context = [], []
    for item in items:
        item = _CITED.sub("", item)
        (chapter if _TAG.sub("", item).startswith("Chapter:") else context).append(item)
    unique = list(dict.fromkeys(chapter[:1] + sorted(set(context), key=lambda t: _TAG.sub("", t))))
    lines = "\n".join(f"<li>{item}</li>" for item in unique)
    return ('<section class="pack-appendix" id="pack-sources">\n<h1>Appendix: sources</h1>\n'
            "<p>Every source the briefings of this pack cite. Each briefing names the "
            "chapter's paragraphs it rests on where it uses them, as (document chapter ¶ "
            "section/paragraph); figures from other sources are marked as context.</p>\n"
            f"<ul>\n{lines}\n</ul>\n</section>")


def pack_html(out: Path, entries: dict[str, dict[str, Any]], title: str | None) -> str | None:
    """The pack as one HTML document, or None when no briefing is built."""
    from .index import GROUPS, group_of
    from .render import dataset_version, inputs_digest, package_version, sanitise

    title = title or DEFAULT_TITLE
    groups: dict[str, list[tuple[str, dict]]] = {g: [] for g in GROUPS}
    for bid, entry in entries.items():
        if f"{bid}.html" in (entry.get("outputs") or {}) and (out / f"{bid}.html").is_file():
            groups[group_of(bid, entry)].append((bid, entry))
    chosen = [(g, bid, e) for g in GROUPS for bid, e in groups[g]]
    if not chosen:
        return None
    bodies, sources, contents = [], [], []
    for group in GROUPS:
        if not groups[group]:
            continue
        rows = "\n".join(f'<li><a href="#pack-{bid}">{escape(e.get("title") or bid)}</a></li>'
                         for bid, e in groups[group])
        contents.append(f'<li class="group"><span>{group}</span>\n<ol>\n{rows}\n</ol></li>')
    for group, bid, entry in chosen:
        content, items = _content((out / f"{bid}.html").read_text(encoding="utf-8"), bid)
        sources += items
        bodies.append(f'<section class="pack-briefing" id="pack-{bid}">\n{content}\n</section>')
    counts = ", ".join(f"{len(groups[g])} {g.lower() if len(groups[g]) != 1 else g[:-1].lower()}"
                       for g in GROUPS if groups[g])
    digest = inputs_digest({bid: e.get("inputs") for _, bid, e in chosen})
    stamp = (f"Dataset {dataset_version()} · package {package_version()} · inputs {digest}")
    from .render import document_label

    cover = (f'<section class="pack-cover">\n<p class="series">Peace &amp; Security Workbook · '
             f"briefings from {escape(document_label())}</p>\n"
             f"<h1>{escape(title)}</h1>\n<p class=\"subtitle\">Briefings built from "
             f"{escape(document_label())}</p>\n"
             f'<p class="set">{len(chosen)} briefings: {escape(counts)}.</p>\n'
             f'<p class="set-stamp">{escape(stamp)}</p>\n</section>')
    toc = ('<nav class="pack-contents" aria-labelledby="pack-contents-title">\n'
           '<h1 id="pack-contents-title">Contents</h1>\n<ol>\n' + "\n".join(contents)
           + '\n<li class="group"><a href="#pack-sources">Appendix: sources</a></li>\n</ol>\n</nav>')
    main = "\n".join([cover, toc, *bodies, _appendix(sources)])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<style>
{_css()}
{PACK_CSS}
</style>
</head>
<body>
<main class="pack">
{sanitise(main)}
</main>
</body>
</html>
"""


def _css() -> str:
    from .render import TEMPLATE_DIR, TEMPLATE_NAME

    return (TEMPLATE_DIR / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")


PACK_CSS = """
@page cover { @bottom-left { content: none; } @bottom-right { content: none; } }
.pack-cover { page: cover; break-after: page; padding-top: 60mm; }
.pack-cover h1 { font-size: 26pt; string-set: briefing ""; }
.pack-cover .series { string-set: series content(text); }
.pack-cover .subtitle { font-size: 13pt; }
.pack-cover .set, .pack-cover .set-stamp { color: #4a4a4a; margin-top: 1.5rem; }
.pack-contents { break-after: page; }
.pack-contents h1 { string-set: briefing "Contents"; }
.pack-contents ol { list-style: none; padding-left: 0; }
.pack-contents ol ol { padding-left: 1.2rem; margin: .2rem 0 .6rem; }
.pack-contents li.group > span { font-weight: 600; }
.pack-contents a { color: #1b1b1b; text-decoration: none; }
.pack-contents a::after { content: leader('.') target-counter(attr(href url), page); }
.pack-briefing, .pack-appendix { break-before: page; }
.pack-appendix h1 { string-set: briefing "Appendix: sources"; }
"""


def write_pack(out: Path, entries: dict[str, dict[str, Any]], title: str | None,
               previous: dict[str, str] | None = None) -> dict[str, str] | None:
    """Write ``pack.pdf`` for ``entries`` (in index order); returns its record for the manifest
    (digests of its source and of the PDF), None when nothing is built. A pack whose source is
    unchanged and whose file is intact is not laid out again."""
    from .hashing import bytes_digest, file_digest
    from .pdf import to_pdf
    from .store import write_atomic

    from .hashing import code_digest, value_digest

    out = Path(out)
    path = out / PACK
    # what the pack is made of, from the manifest (cheap: no page is read when nothing changed)
    source = value_digest({"title": title, "code": code_digest(), "briefings": [
        [bid, e.get("title"), e.get("selection"), (e.get("outputs") or {}).get(f"{bid}.html")]
        for bid, e in entries.items()]})
    if previous and previous.get("source") == source and path.is_file() \
            and file_digest(path) == previous.get("pdf"):
        return previous
    html = pack_html(out, entries, title)
    if html is None:
        remove_stale_pack(out)
        return None
    data = to_pdf(html)
    write_atomic(path, data)
    return {"source": source, "pdf": bytes_digest(data)}

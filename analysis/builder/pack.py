"""``pack.pdf``: every briefing of a build in one document for a meeting.

In the order of the index (Regions, Countries, Themes; the default set's order within each):

1. a cover: the meeting's title (``--title``), the set (how many briefings of each group) and
   the stamp (dataset and package versions, a digest of every briefing's inputs);
2. a table of contents with page numbers;
3. every built briefing: its own PDF, page for page, so that a page of the pack is the page of
   the PDF a delegate was sent (with its own "Page n of m" at the foot);
4. one appendix of sources: the chapter once, then every context source any briefing cites.

Every page but the cover carries the pack's page number at the top right ("Pack page 7 of 96"),
which the contents cite.

How it is made, without laying a briefing out twice. The briefings' PDFs are rendered in the
build's workers, in parallel (:mod:`.pdf`). Here WeasyPrint lays out only the pack's own pages
(:func:`frame_html`: cover, contents, appendix), ReportLab draws the page numbers
(:func:`page_numbers`: one line a page, far cheaper than a laid-out page), and pikepdf (qpdf)
puts it together (:func:`assemble`):

- the briefings' pages go between the contents and the appendix, each page number drawn over
  its page as an artifact of pagination (outside the tag tree);
- the briefings' tag trees join the pack's (one ``Part`` per briefing, titled), their
  parent-tree keys moved past the pack's own, so the pack is tagged (PDF/UA-1) like each PDF;
- the contents' links point at each briefing's first page, and the bookmarks are the pack's:
  cover, contents, then each group, each briefing with its own headings, then the appendix.

Each briefing keeps its own sources list, since its pages are those of its PDF; the appendix
gathers them all once. Rejected: laying the whole pack out again from the reader pages (as
costly again as every PDF, on one core); an empty page laid out by WeasyPrint for each page
number (10 ms a page); concatenating PDFs with a tool that drops the tags (pypdf, qpdf's
``--pages``: no library merges structure trees).
"""
from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError, WorkbookError

if TYPE_CHECKING:
    from .staging import Outputs

PACK = "pack.pdf"
DEFAULT_TITLE = "Briefings on peace and security"
TITLE_LIMIT = 120

_SOURCES = re.compile(r'<h2 id="Sources">')
_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_CITED = re.compile(r" Paragraphs cited: [^.]*\.")
_TAG = re.compile(r"<[^>]+>")
SINGULAR = {"Regions": "region", "Countries": "country", "Themes": "theme"}


class PackProblem(WorkbookError):
    """The pack could not be put together from the briefings' PDFs."""


@dataclass(frozen=True)
class PackBriefing:
    """One briefing of the pack: its id, group, title and its PDF's number of pages."""

    id: str
    group: str
    title: str
    pages: int


@dataclass(frozen=True)
class Cover:
    """What the pack's cover names, and which files the pack is made of: ``suffix`` "-note"
    (the default: each briefing's two-page note, ``<id>-note.pdf``) or "" (every briefing
    whole, ``--pack full``)."""

    title: str | None = None
    date: str | None = None
    organisation: str | None = None
    suffix: str = ""

    @classmethod
    def of(cls, value: "Cover | str | None") -> "Cover":
        return value if isinstance(value, Cover) else cls(value)


def check_cover_line(option: str, value: str | None, pack: bool = True) -> None:
    """Refuse a ``--date`` or ``--organisation`` that is empty, not one line, or too long, or
    given for a build that makes no pack."""
    if value is None:
        return
    if not pack:
        raise ParameterError(f"{option} is printed on the pack's cover: use it with --formats "
                               "including pdf or docx")
    if not value.strip():
        raise ParameterError(f"{option} is empty")
    if any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in value):
        raise ParameterError(f"{option} must be one line (no line breaks or control characters)")
    if len(value) > TITLE_LIMIT:
        raise ParameterError(f"{option} is {len(value)} characters long; at most {TITLE_LIMIT} "
                               "fit on the cover")


def check_title(title: str | None, pdf: bool = True) -> None:
    """Refuse an overlong or multi-line ``--title`` (markup in it is escaped, not refused), and
    one given without ``--pdf`` (it names the pack's cover)."""
    if title is None:
        return
    if not pdf:
        raise ParameterError("--title names the meeting on the cover of the pack: use it "
                               "with --pdf (or --formats including pdf or docx)")
    if not title.strip():
        raise ParameterError("--title is empty; give the meeting's name, e.g. "
                               "--title \"Security Council retreat, May 2018\"")
    if any(ord(c) < 32 for c in title):
        raise ParameterError("--title must be one line (no line breaks or control characters)")
    if len(title) > TITLE_LIMIT:
        raise ParameterError(f"--title is {len(title)} characters long; at most {TITLE_LIMIT} "
                               "fit on the cover")


def remove_stale_pack(out: "Outputs | Path") -> None:
    """A build without ``--pdf`` that changed a briefing leaves no pack that would not match."""
    from .staging import outputs_of

    outputs_of(out).remove(PACK)


def page_sources(html: str) -> list[str]:
    """The items of a reader page's Sources list (already sanitised markup): the first list
    after the Sources heading, not the Inferences list that follows it."""
    cut = _SOURCES.search(html)
    if not cut:
        return []
    start = html.find("<ul>", cut.end())
    end = html.find("</ul>", start)
    if start < 0 or end < 0:
        return []
    return [item.strip() for item in _ITEM.findall(html[start:end])]


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


def contents_id(bid: str) -> str:
    """The named destination of a briefing's first page in the pack (the contents link to it)."""
    return f"pack-{bid}"


def frame_html(briefings: list[PackBriefing], title: "Cover | str | None", sources: list[str],
               digest: str, starts: dict[str, int], appendix_start: int) -> str:
    """The pack's own pages as one HTML document: cover, contents (each briefing with the pack
    page it starts on, from ``starts``), appendix."""
    from .index import GROUPS
    from .render import dataset_version, document_label, package_version, sanitise

    cover_of = Cover.of(title)
    title = cover_of.title or DEFAULT_TITLE
    contents = []
    for group in GROUPS:
        members = [b for b in briefings if b.group == group]
        if not members:
            continue
        rows = "\n".join(f'<li id="{contents_id(b.id)}"><a href="#{contents_id(b.id)}">'
                         f'{escape(b.title)}<span class="pack-page">{starts[b.id]}</span></a></li>'
                         for b in members)
        contents.append(f'<li class="group"><span>{group}</span>\n<ol>\n{rows}\n</ol></li>')
    counts = ", ".join(f"{n} {g.lower() if n != 1 else SINGULAR[g]}"
                       for g in GROUPS if (n := sum(b.group == g for b in briefings)))
    stamp = f"Dataset {dataset_version()} · package {package_version()}"
    if not cover_of.suffix:  # the full pack keeps its inputs digest; a pack of notes has none
        stamp += f" · inputs {digest}"
    meeting = "".join(f'<p class="{cls}">{escape(value)}</p>\n' for cls, value in
                      (("date", cover_of.date), ("organisation", cover_of.organisation)) if value)
    kind = "Two-page notes" if cover_of.suffix else "Briefings"
    cover = (f'<section class="pack-cover">\n<p class="series">Peace &amp; Security Workbook · '
             f"briefings from {escape(document_label())}</p>\n"
             f"<h1>{escape(title)}</h1>\n{meeting}<p class=\"subtitle\">{kind} built from "
             f"{escape(document_label())}</p>\n"
             f'<p class="set">{len(briefings)} briefings: {escape(counts)}.</p>\n'
             f'<p class="set-stamp">{escape(stamp)}</p>\n</section>')
    toc = ('<nav class="pack-contents" aria-labelledby="pack-contents-title">\n'
           '<h1 id="pack-contents-title">Contents</h1>\n'
           '<p class="pack-note">Page numbers are the pack\'s, printed at the top right of every '
           "page; each briefing also keeps its own page numbers at the foot.</p>\n<ol>\n"
           + "\n".join(contents)
           + '\n<li class="group"><a href="#pack-sources">Appendix: sources<span '
           f'class="pack-page">{appendix_start}</span></a></li>\n</ol>\n</nav>')
    main = "\n".join([cover, toc, _appendix(sources)])
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
@page { @bottom-right { content: none; } }  /* the pack's page numbers are drawn at the top */
@page cover { @bottom-left { content: none; } }
.pack-cover { page: cover; break-after: page; padding-top: 60mm; }
.pack-cover h1 { font-size: 26pt; string-set: briefing ""; }
.pack-cover .series { string-set: series content(text); }
.pack-cover .subtitle { font-size: 13pt; }
.pack-cover .date, .pack-cover .organisation { font-size: 14pt; margin: .3rem 0; }
.pack-cover .set, .pack-cover .set-stamp { color: #4a4a4a; margin-top: 1.5rem; }
.pack-contents h1 { string-set: briefing "Contents"; }
.pack-contents .pack-note { color: #4a4a4a; font-size: 9pt; }
.pack-contents ol { list-style: none; padding-left: 0; }
.pack-contents ol ol { padding-left: 1.2rem; margin: .2rem 0 .6rem; }
.pack-contents li.group > span { font-weight: 600; }
.pack-contents a { color: #1b1b1b; text-decoration: none; }
.pack-contents li a { display: flex; justify-content: space-between; border-bottom: 1px solid #c8c8c8; }
.pack-contents .pack-page { padding-left: .5rem; }  /* no leader() or dotted rule: WeasyPrint draws every dot */
.pack-appendix { break-before: page; }
.pack-appendix h1 { string-set: briefing "Appendix: sources"; }
"""


def pack_briefings(out: "Outputs | Path", entries: dict[str, dict[str, Any]],
                   suffix: str = "") -> list[PackBriefing]:
    """The briefings the pack holds, in index order: those with a page and a PDF on disk
    (``suffix`` "-note": their notes')."""
    from .index import GROUPS, group_of
    from .staging import outputs_of

    out = outputs_of(out)

    chosen: dict[str, list[tuple[str, dict]]] = {g: [] for g in GROUPS}
    for bid, entry in entries.items():
        outputs = entry.get("outputs") or {}
        if all(name in outputs and out.path(name).is_file()
               for name in (f"{bid}{suffix}.html", f"{bid}{suffix}.pdf")):
            chosen[group_of(bid, entry)].append((bid, entry))
    return [PackBriefing(bid, g, str(e.get("title") or bid), 0)
            for g in GROUPS for bid, e in chosen[g]]


def make_pack(out: "Outputs | Path", briefings: list[PackBriefing], title: "Cover | str | None",
              digest: str) -> bytes:
    """The pack's bytes, from the briefings' PDFs and reader pages in ``out``."""
    import pikepdf

    from .staging import outputs_of

    out = outputs_of(out)
    suffix = Cover.of(title).suffix
    sources, pdfs, counted = [], [], []
    try:
        for b in briefings:
            pdf = pikepdf.open(out.path(f"{b.id}{suffix}.pdf"))
            pdfs.append(pdf)
            counted.append(PackBriefing(b.id, b.group, b.title, len(pdf.pages)))
            sources += page_sources(out.path(f"{b.id}{suffix}.html").read_text(encoding="utf-8"))
        frame, contents_pages = _frame(counted, title, sources, digest)
        total = len(frame.pages) + sum(b.pages for b in counted)
        numbers = pikepdf.open(io.BytesIO(page_numbers(total)))
        assemble(frame, counted, pdfs, numbers, 1 + contents_pages)
        buffer = io.BytesIO()
        frame.save(buffer, deterministic_id=True,
                   object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    except (pikepdf.PdfError, OSError) as err:
        raise PackProblem(f"pack.pdf could not be made from the briefings' PDFs: {err}") from None
    finally:
        for pdf in pdfs:
            pdf.close()


#: About how many rows of the contents fit on its first page, and on a later one (a guess of its
#: length, so that it is laid out once; a wrong guess costs a second layout, nothing more).
CONTENTS_FIRST_PAGE = 40
CONTENTS_PAGE = 48


def _frame(briefings: list[PackBriefing], title: str | None, sources: list[str], digest: str):
    """The pack's own pages (a pikepdf document) and how many pages its contents take.

    The contents give each briefing's first page, which depends on how long the contents are:
    laid out with a guess, then again if the guess was wrong (a page number's width does not
    move a line, so the second layout keeps the length it found)."""
    import pikepdf

    from .pdf import to_pdf

    rows = len(briefings) + len({b.group for b in briefings}) + 1
    guess = 1 if rows <= CONTENTS_FIRST_PAGE else \
        1 + -(-(rows - CONTENTS_FIRST_PAGE) // CONTENTS_PAGE)
    for _ in range(3):
        first = 2 + guess  # the cover, the contents, then the briefings
        starts = {}
        for b in briefings:
            starts[b.id], first = first, first + b.pages
        frame = pikepdf.open(io.BytesIO(to_pdf(frame_html(briefings, title, sources, digest,
                                                          starts, first))))
        found = _page_index(frame, "pack-sources") - 1
        if found == guess:
            return frame, guess
        guess = found
    raise PackProblem("the pack's contents did not settle on a length")


def _page_index(pdf, name: str) -> int:
    """The index of the page a named destination of ``pdf`` points at."""
    import pikepdf

    dest = pikepdf.NameTree(pdf.Root.Names.Dests).get(name)
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.D
    for n, page in enumerate(pdf.pages):
        if dest is not None and page.obj.objgen == dest[0].objgen:
            return n
    raise PackProblem(f"the pack's own pages have no destination {name!r}")


#: Where the pack's page number sits: the top margin's right end, as a WeasyPrint
#: ``@top-right`` box would put it (``report.css``: A4, margins 18 mm top, 16 mm right).
A4_POINTS = (595.276, 841.89)
_MM = 72 / 25.4
NUMBER_RIGHT = A4_POINTS[0] - 16 * _MM
NUMBER_BASELINE = A4_POINTS[1] - 9 * _MM - 3
NUMBER_GREY = (0x4a / 255,) * 3


def page_numbers(total: int) -> bytes:
    """A PDF of ``total`` A4 pages, each blank but for "Pack page n of total" at the top right
    (none on the first, the cover), in DejaVu Sans (matplotlib's copy, embedded), 8 pt grey.
    ReportLab's invariant mode writes no date: identical for identical input."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "PackSans" not in pdfmetrics.getRegisteredFontNames():
        font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        pdfmetrics.registerFont(TTFont("PackSans", str(font)))
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4_POINTS, invariant=1, pageCompression=1)
    for n in range(1, total + 1):
        if n > 1:
            sheet.setFont("PackSans", 8)
            sheet.setFillColorRGB(*NUMBER_GREY)
            sheet.drawRightString(NUMBER_RIGHT, NUMBER_BASELINE, f"Pack page {n} of {total}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def assemble(frame, briefings: list[PackBriefing], pdfs: list, numbers, appendix_at: int) -> None:
    """Put the briefings' pages (``pdfs``, pikepdf documents) into ``frame`` before its page
    ``appendix_at``, number every page but the first from ``numbers``, and join tag trees,
    links and bookmarks; see the module's description."""
    import pikepdf

    root = frame.Root.StructTreeRoot
    document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    keys = number_tree(root.ParentTree)
    next_key = max(keys, default=-1) + 1
    appendix = frame.pages[appendix_at].obj
    parts, outlines, first = [], [], {}
    position = appendix_at
    for b, pdf in zip(briefings, pdfs):
        wrapper, key_count = _lift_tags(pdf, b)
        offset, next_key = next_key, next_key + key_count
        first[b.id] = position
        for source in pdf.pages:
            frame.pages.insert(position, source)
            _shift_struct_keys(frame.pages[position], offset)
            position += 1
        # copied once the pages are in: the copies' /Pg are the pages just inserted
        parts.append(frame.copy_foreign(wrapper))
        for key, value in number_tree(pdf.Root.StructTreeRoot.ParentTree).items():
            keys[key + offset] = _copied(frame, value)
        outlines.append(_outline_of(pdf, first[b.id]))
    for n, page in enumerate(frame.pages):
        if n:
            _draw_over(page, _artifact_form(frame, numbers.pages[n]))
    for part in parts:
        part.P = document
    kids = list(document.K)
    at = next((n for n, kid in enumerate(kids) if isinstance(kid, pikepdf.Dictionary)
               and "/Pg" in kid and kid.Pg.objgen == appendix.objgen), len(kids))
    document.K = pikepdf.Array(kids[:at] + parts + kids[at:])
    root.ParentTree = frame.make_indirect(pikepdf.Dictionary(
        Nums=pikepdf.Array([x for k in sorted(keys) for x in (k, keys[k])])))
    root.ParentTreeNextKey = next_key
    names = pikepdf.NameTree(frame.Root.Names.Dests)
    for b in briefings:  # the contents' links: to the briefing's first page
        names[contents_id(b.id)] = pikepdf.Array(
            [frame.pages[first[b.id]].obj, pikepdf.Name.XYZ, None, None, None])
    _write_outline(frame, briefings, first, outlines)


def number_tree(tree) -> dict[int, Any]:
    """A number tree (``/Nums``, or ``/Kids`` of them) as a dict."""
    found: dict[int, Any] = {}
    if "/Nums" in tree:
        nums = list(tree.Nums)
        found.update((int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2))
    for kid in tree.get("/Kids", []):
        found.update(number_tree(kid))
    return found


def _lift_tags(pdf, b: PackBriefing):
    """A ``Part`` element (in the briefing's document, to be copied) holding the briefing's tagged content (its document
    element's children), and how many parent-tree keys the briefing uses."""
    import pikepdf

    source_root = pdf.Root.StructTreeRoot
    source_doc = source_root.K[0] if isinstance(source_root.K, pikepdf.Array) else source_root.K
    # the wrapper is made in the briefing's document, so that copying it brings its children
    # along without their old parents (the copy maps its pages to those already inserted)
    wrapper = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, T=pikepdf.String(b.title),
        K=source_doc.K))
    for kid in source_doc.K:
        if isinstance(kid, pikepdf.Dictionary):
            kid.P = wrapper
    keys = number_tree(source_root.ParentTree)
    return wrapper, max(keys, default=-1) + 1


def _copied(frame, value):
    """A parent-tree value (an element, or a page's direct array of them) copied into frame."""
    import pikepdf

    if isinstance(value, pikepdf.Array) and not value.is_indirect:
        return pikepdf.Array([frame.copy_foreign(item) if item.is_indirect else item
                              for item in value])
    return frame.copy_foreign(value)


def _shift_struct_keys(page, offset: int) -> None:
    if "/StructParents" in page.obj:
        page.obj.StructParents = int(page.obj.StructParents) + offset
    for annot in page.obj.get("/Annots", []):
        if "/StructParent" in annot:
            annot.StructParent = int(annot.StructParent) + offset


def _artifact_form(frame, page):
    """``page`` (of another document) as a form XObject of ``frame``, its content marked as an
    ``/Artifact`` (a page number is pagination, not content)."""
    form = page.as_form_xobject()
    form.write(b"/Artifact BMC\n" + form.read_bytes() + b"\nEMC\n")
    return frame.copy_foreign(form)


def _draw_over(page, form) -> None:
    """Draw ``form`` (same page size) over ``page``. WeasyPrint shares one resources dictionary
    between a document's pages, so the page gets its own before the form joins it, under a
    fixed name (pikepdf's ``add_overlay`` picks a random one: the pack would not be
    byte-identical)."""
    import pikepdf

    resources = pikepdf.Dictionary({k: v for k, v in page.obj.Resources.items()})
    objects = resources.get("/XObject")
    resources.XObject = pikepdf.Dictionary(
        {k: v for k, v in objects.items()} if objects is not None else {})
    resources.XObject.PackPageNumber = form
    page.obj.Resources = resources
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"\nQ\nq /PackPageNumber Do Q\n")


def _outline_of(pdf, start: int) -> list:
    """A briefing's bookmarks as (title, page in the pack, top, children) tuples."""
    import pikepdf

    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}

    def items(level):
        found = []
        for item in level:
            dest = item.destination
            page, top = start, None
            if isinstance(dest, pikepdf.Array) and len(dest) >= 4 \
                    and isinstance(dest[0], pikepdf.Dictionary):
                page = start + index.get(dest[0].objgen, 0)
                top = float(dest[3]) if str(dest[1]) == "/XYZ" else None
            found.append((item.title, page, top, items(item.children)))
        return found

    with pdf.open_outline() as outline:
        return items(outline.root)


def _write_outline(frame, briefings: list[PackBriefing], first: dict[str, int],
                   outlines: list) -> None:
    """The pack's bookmarks: its own (cover, contents, appendix) around the groups."""
    from pikepdf import OutlineItem, PageLocation

    def item(title, page, top, children):
        made = OutlineItem(title, page, PageLocation.XYZ, left=0, top=top) \
            if top is not None else OutlineItem(title, page)
        made.children.extend(item(*child) for child in children)
        return made

    with frame.open_outline() as outline:
        own = list(outline.root)
        outline.root.clear()
        appendix = [o for o in own if o.title.startswith("Appendix")]
        outline.root.extend(o for o in own if o not in appendix)
        for group in dict.fromkeys(b.group for b in briefings):
            members = [(b, o) for b, o in zip(briefings, outlines) if b.group == group]
            heading = OutlineItem(group, first[members[0][0].id])
            for b, tree in members:
                heading.children.extend(item(*entry) for entry in tree)
            outline.root.append(heading)
        outline.root.extend(appendix)


def _pikepdf_version() -> str | None:
    """pikepdf (and the qpdf it carries) shape the pack's bytes, not the briefings'."""
    from importlib import metadata

    try:
        return metadata.version("pikepdf")
    except metadata.PackageNotFoundError:
        return None


def write_pack(out: "Outputs | Path", entries: dict[str, dict[str, Any]], title: "Cover | str | None",
               previous: dict[str, str] | None = None) -> dict[str, str] | None:
    """Write ``pack.pdf`` for ``entries`` (in index order); returns its record for the manifest
    (digests of its source and of the PDF, seconds taken), None when nothing is built. A pack
    whose source is unchanged and whose file is intact is not made again."""
    from .hashing import bytes_digest, code_digest, file_digest, value_digest
    from .render import inputs_digest
    from .staging import outputs_of

    out = outputs_of(out)
    path = out.path(PACK)
    # what the pack is made of, from the manifest (cheap: no page is read when nothing changed)
    cover = Cover.of(title)
    suffix = cover.suffix
    made_of = [[bid, e.get("title"), e.get("selection"),
                (e.get("outputs") or {}).get(f"{bid}{suffix}.html"),
                (e.get("outputs") or {}).get(f"{bid}{suffix}.pdf")]
               for bid, e in entries.items()]
    key = title if isinstance(title, (str, type(None))) else \
        [cover.title, cover.date, cover.organisation, cover.suffix]
    source = value_digest({"title": key, "code": code_digest(), "pikepdf": _pikepdf_version(),
                           "briefings": made_of})
    if previous and previous.get("source") == source and path.is_file() \
            and file_digest(path) == previous.get("pdf"):
        return previous
    briefings = pack_briefings(out, entries, suffix)
    if not briefings:
        remove_stale_pack(out)
        return None
    start = time.perf_counter()
    from .store import stamped_inputs

    digest = inputs_digest({b.id: stamped_inputs(entries[b.id]) for b in briefings})
    data = make_pack(out, briefings, title, digest)
    out.write(PACK, data)
    return {"source": source, "pdf": bytes_digest(data),
            "seconds": round(time.perf_counter() - start, 3)}

"""``pack.pdf``: every briefing of a build in one document for a meeting.

In the order of the index (Regions, Countries, Themes; the default set's order within each):

1. a cover: the meeting's title (``--title``), the set (how many briefings of each group) and
   the stamp (dataset and package versions, a digest of every briefing's inputs);
2. a table of contents with page numbers;
3. every built briefing: its own PDF, page for page, so that a page of the pack is the page of
   the PDF a delegate was sent;
4. one appendix of sources: the chapter once, then every context source any briefing cites.

How it is made, without laying a briefing out twice. The briefings' PDFs are rendered in the
build's workers, in parallel (:mod:`.pdf`). Here WeasyPrint lays out only the pack's own pages
(:func:`frame_html`): cover, contents, appendix, and one empty *slot* page per briefing page,
which carries the pack's page number ("Pack page 7 of 96", top right). WeasyPrint's
``target-counter`` fills the contents' page numbers in from the slots. Then pikepdf (qpdf)
puts each briefing's page in its slot (:func:`fill_slots`):

- the slot's page number is drawn over the briefing page, as an artifact of pagination;
- the briefings' tag trees join the pack's (one ``Part`` per briefing, titled), with their
  parent-tree keys moved past the pack's own, so the pack is tagged (PDF/UA-1) like each PDF;
- the bookmarks are the pack's: cover, contents, then each group, each briefing with its own
  headings, then the appendix; links that pointed at a slot point at the page in it.

Each briefing keeps its own sources list, since its pages are those of its PDF; the appendix
gathers them all once. Rejected: laying the whole pack out again from the reader pages (as
costly again as every PDF, on one core), and concatenating PDFs with a tool that drops the
tags (pypdf, qpdf's ``--pages``: no library merges structure trees).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from ..errors import WorkbookError
from .catalog import ParameterProblem

PACK = "pack.pdf"
DEFAULT_TITLE = "Briefings on peace and security"
TITLE_LIMIT = 120

_SOURCES = re.compile(r'<h2 id="Sources">')
_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_CITED = re.compile(r" Paragraphs cited: [^.]*\.")
_TAG = re.compile(r"<[^>]+>")
_MAIN_END = "</main>"
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


def page_sources(html: str) -> list[str]:
    """The items of a reader page's Sources list (already sanitised markup)."""
    end = html.rfind(_MAIN_END)
    cut = _SOURCES.search(html, 0, end if end >= 0 else len(html))
    if not cut:
        return []
    return [item.strip() for item in _ITEM.findall(html[cut.start():end if end >= 0 else None])]


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


def slot_id(bid: str) -> str:
    """The id of a briefing's first slot page in the frame (the contents link to it)."""
    return f"pack-{bid}"


def frame_html(briefings: list[PackBriefing], title: str | None, sources: list[str],
               digest: str) -> str:
    """The pack's own pages as one HTML document: cover, contents, one empty slot page per
    briefing page, appendix. Every page but the cover carries the pack's page number."""
    from .index import GROUPS
    from .render import dataset_version, document_label, package_version, sanitise

    title = title or DEFAULT_TITLE
    contents, slots = [], []
    for group in GROUPS:
        members = [b for b in briefings if b.group == group]
        if not members:
            continue
        rows = "\n".join(f'<li><a href="#{slot_id(b.id)}">{escape(b.title)}</a></li>'
                         for b in members)
        contents.append(f'<li class="group"><span>{group}</span>\n<ol>\n{rows}\n</ol></li>')
    for b in briefings:
        slots.append(f'<div class="pack-slot" id="{slot_id(b.id)}"></div>'
                     + '<div class="pack-slot"></div>' * (b.pages - 1))
    counts = ", ".join(f"{n} {g.lower() if n != 1 else SINGULAR[g]}"
                       for g in GROUPS if (n := sum(b.group == g for b in briefings)))
    stamp = f"Dataset {dataset_version()} · package {package_version()} · inputs {digest}"
    cover = (f'<section class="pack-cover">\n<p class="series">Peace &amp; Security Workbook · '
             f"briefings from {escape(document_label())}</p>\n"
             f"<h1>{escape(title)}</h1>\n<p class=\"subtitle\">Briefings built from "
             f"{escape(document_label())}</p>\n"
             f'<p class="set">{len(briefings)} briefings: {escape(counts)}.</p>\n'
             f'<p class="set-stamp">{escape(stamp)}</p>\n</section>')
    toc = ('<nav class="pack-contents" aria-labelledby="pack-contents-title">\n'
           '<h1 id="pack-contents-title">Contents</h1>\n'
           '<p class="pack-note">Page numbers are the pack\'s, printed at the top right of every '
           "page; each briefing also keeps its own page numbers at the foot.</p>\n<ol>\n"
           + "\n".join(contents)
           + '\n<li class="group"><a href="#pack-sources">Appendix: sources</a></li>\n</ol>\n</nav>')
    main = "\n".join([cover, toc, *slots, _appendix(sources)])
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
html { background: none; }  /* a slot is laid over a briefing page: it must not hide it */
@page { @top-right { content: "Pack page " counter(page) " of " counter(pages); font-size: 8pt;
                     color: #4a4a4a; }
        @bottom-right { content: none; } }
@page cover { @top-right { content: none; } @bottom-left { content: none; } }
@page slot { @bottom-left { content: none; } }
.pack-cover { page: cover; break-after: page; padding-top: 60mm; }
.pack-cover h1 { font-size: 26pt; string-set: briefing ""; }
.pack-cover .series { string-set: series content(text); }
.pack-cover .subtitle { font-size: 13pt; }
.pack-cover .set, .pack-cover .set-stamp { color: #4a4a4a; margin-top: 1.5rem; }
.pack-contents h1 { string-set: briefing "Contents"; }
.pack-contents .pack-note { color: #4a4a4a; font-size: 9pt; }
.pack-contents ol { list-style: none; padding-left: 0; }
.pack-contents ol ol { padding-left: 1.2rem; margin: .2rem 0 .6rem; }
.pack-contents li.group > span { font-weight: 600; }
.pack-contents a { color: #1b1b1b; text-decoration: none; }
.pack-contents a::after { content: leader('.') target-counter(attr(href url), page); }
.pack-slot { page: slot; break-before: page; height: 1px; }
.pack-appendix { break-before: page; }
.pack-appendix h1 { string-set: briefing "Appendix: sources"; }
"""


def pack_briefings(out: Path, entries: dict[str, dict[str, Any]]) -> list[PackBriefing]:
    """The briefings the pack holds, in index order: those with a page and a PDF on disk."""
    from .index import GROUPS, group_of

    chosen: dict[str, list[tuple[str, dict]]] = {g: [] for g in GROUPS}
    for bid, entry in entries.items():
        outputs = entry.get("outputs") or {}
        if all(name in outputs and (out / name).is_file()
               for name in (f"{bid}.html", f"{bid}.pdf")):
            chosen[group_of(bid, entry)].append((bid, entry))
    return [PackBriefing(bid, g, str(e.get("title") or bid), 0)
            for g in GROUPS for bid, e in chosen[g]]


def make_pack(out: Path, briefings: list[PackBriefing], title: str | None,
              digest: str) -> bytes:
    """The pack's bytes, from the briefings' PDFs and reader pages in ``out``."""
    import pikepdf

    from .pdf import to_pdf

    out = Path(out)
    sources, pdfs, counted = [], [], []
    try:
        for b in briefings:
            pdf = pikepdf.open(out / f"{b.id}.pdf")
            pdfs.append(pdf)
            counted.append(PackBriefing(b.id, b.group, b.title, len(pdf.pages)))
            sources += page_sources((out / f"{b.id}.html").read_text(encoding="utf-8"))
        frame = pikepdf.open(io.BytesIO(to_pdf(frame_html(counted, title, sources, digest))))
        fill_slots(frame, counted, pdfs)
        buffer = io.BytesIO()
        frame.save(buffer, deterministic_id=True)
        return buffer.getvalue()
    except (pikepdf.PdfError, OSError) as err:
        raise PackProblem(f"pack.pdf could not be made from the briefings' PDFs: {err}") from None
    finally:
        for pdf in pdfs:
            pdf.close()


def fill_slots(frame, briefings: list[PackBriefing], pdfs: list) -> None:
    """Put each briefing's pages into its slot pages of ``frame`` (pikepdf documents), joining
    tag trees and bookmarks; see the module's description."""
    import pikepdf

    first = _slot_pages(frame, briefings)
    root = frame.Root.StructTreeRoot
    document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    numbers = _numbers(root.ParentTree)
    next_key = max(numbers, default=-1) + 1
    moved: dict[tuple[int, int], Any] = {}  # slot page -> the briefing page now in its place
    slot_pages: dict[tuple[int, int], int] = {}  # slot page -> index of its briefing
    parts, outline, slot_keys = [], [], set()
    for n, (b, pdf) in enumerate(zip(briefings, pdfs)):
        wrapper, key_count = _lift_tags(pdf, b)
        offset, next_key = next_key, next_key + key_count
        for j in range(b.pages):
            position = first[b.id] + j
            slot = frame.pages[position]
            slot_pages[slot.obj.objgen] = n
            if "/StructParents" in slot.obj:
                slot_keys.add(int(slot.obj.StructParents))
            stamp = _artifact_form(slot)
            frame.pages.insert(position, pdf.pages[j])
            page = frame.pages[position]
            _draw_over(page, stamp)
            _shift_struct_keys(page, offset)
            moved[slot.obj.objgen] = page.obj
            del frame.pages[position + 1]
        # copied once the pages are in: the copies' /Pg are the pages just inserted
        parts.append(frame.copy_foreign(wrapper))
        for key, value in _numbers(pdf.Root.StructTreeRoot.ParentTree).items():
            numbers[key + offset] = _copied(frame, value)
        outline.append(_outline_of(pdf, first[b.id]))
    for key in slot_keys:
        numbers.pop(key, None)
    document.K = _ordered_kids(frame, document, slot_pages, parts)
    root.ParentTree = frame.make_indirect(pikepdf.Dictionary(
        Nums=pikepdf.Array([x for k in sorted(numbers) for x in (k, numbers[k])])))
    root.ParentTreeNextKey = next_key
    _repoint_destinations(frame, moved)
    _write_outline(frame, briefings, first, outline)


def _slot_pages(frame, briefings: list[PackBriefing]) -> dict[str, int]:
    """The index of each briefing's first slot page, from the frame's named destinations."""
    import pikepdf

    names = pikepdf.NameTree(frame.Root.Names.Dests)
    index = {page.obj.objgen: i for i, page in enumerate(frame.pages)}
    first = {}
    for b in briefings:
        dest = names.get(slot_id(b.id))
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.D
        if dest is None or dest[0].objgen not in index:
            raise PackProblem(f"the pack's frame has no slot page for {b.id}")
        first[b.id] = index[dest[0].objgen]
    ends = sorted((first[b.id], first[b.id] + b.pages) for b in briefings)
    if any(a_end > b_start for (_, a_end), (b_start, _) in zip(ends, ends[1:])) \
            or (ends and ends[-1][1] > len(frame.pages)):
        raise PackProblem("the pack's frame laid its slot pages out wrongly")
    return first


def _numbers(tree) -> dict[int, Any]:
    """A number tree (``/Nums``, or ``/Kids`` of them) as a dict."""
    found: dict[int, Any] = {}
    if "/Nums" in tree:
        nums = list(tree.Nums)
        found.update((int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2))
    for kid in tree.get("/Kids", []):
        found.update(_numbers(kid))
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
    keys = _numbers(source_root.ParentTree)
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


def _artifact_form(slot):
    """The slot page as a form XObject whose marked content is all ``/Artifact`` (the page
    number is pagination, not content)."""
    import pikepdf

    form = slot.as_form_xobject()
    instructions = []
    for operands, operator in pikepdf.parse_content_stream(form):
        if str(operator) == "BDC":
            operands, operator = [pikepdf.Name.Artifact], pikepdf.Operator("BMC")
        instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
    form.write(pikepdf.unparse_content_stream(instructions))
    return form


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
    resources.XObject.PackStamp = form
    page.obj.Resources = resources
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"\nQ\nq /PackStamp Do Q\n")


def _ordered_kids(frame, document, slot_pages: dict, parts: list):
    """The pack's document element's children: its own, with each briefing's ``Part`` where
    that briefing's slots were (their empty elements dropped)."""
    import pikepdf

    for part in parts:
        part.P = document
    kids, placed = [], set()
    for kid in document.K:
        page = kid.get("/Pg") if isinstance(kid, pikepdf.Dictionary) else None
        n = slot_pages.get(page.objgen) if page is not None else None
        if n is None:
            kids.append(kid)
        elif n not in placed:
            kids.append(parts[n])
            placed.add(n)
    missing = [parts[n] for n in range(len(parts)) if n not in placed]
    if missing:
        raise PackProblem("the pack's frame has a slot page without tags")
    return pikepdf.Array(kids)


def _repoint_destinations(frame, moved: dict) -> None:
    """Named destinations and links that pointed at a slot page point at its briefing page."""
    import pikepdf

    def repoint(dest) -> None:
        if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
            dest = dest.D
        if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary) \
                and dest[0].objgen in moved:
            dest[0] = moved[dest[0].objgen]

    names = pikepdf.NameTree(frame.Root.Names.Dests)
    for _, dest in names.items():
        repoint(dest)
    for page in frame.pages:
        for annot in page.obj.get("/Annots", []):
            repoint(annot.get("/Dest"))
            action = annot.get("/A")
            if isinstance(action, pikepdf.Dictionary):
                repoint(action.get("/D"))


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


def write_pack(out: Path, entries: dict[str, dict[str, Any]], title: str | None,
               previous: dict[str, str] | None = None) -> dict[str, str] | None:
    """Write ``pack.pdf`` for ``entries`` (in index order); returns its record for the manifest
    (digests of its source and of the PDF), None when nothing is built. A pack whose source is
    unchanged and whose file is intact is not made again."""
    from .hashing import bytes_digest, code_digest, file_digest, value_digest
    from .render import inputs_digest
    from .store import write_atomic

    out = Path(out)
    path = out / PACK
    # what the pack is made of, from the manifest (cheap: no page is read when nothing changed)
    source = value_digest({"title": title, "code": code_digest(), "briefings": [
        [bid, e.get("title"), e.get("selection"),
         (e.get("outputs") or {}).get(f"{bid}.html"), (e.get("outputs") or {}).get(f"{bid}.pdf")]
        for bid, e in entries.items()]})
    if previous and previous.get("source") == source and path.is_file() \
            and file_digest(path) == previous.get("pdf"):
        return previous
    briefings = pack_briefings(out, entries)
    if not briefings:
        remove_stale_pack(out)
        return None
    digest = inputs_digest({b.id: entries[b.id].get("inputs") for b in briefings})
    data = make_pack(out, briefings, title, digest)
    write_atomic(path, data)
    return {"source": source, "pdf": bytes_digest(data)}

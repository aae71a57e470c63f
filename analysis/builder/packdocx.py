"""``pack.docx``: the pack in Word, made of the briefings' notes (or, ``--pack full``, of the
briefings whole), with a cover (title, date, organisation) and a generated contents.

Each member is the briefing's own Word file (:mod:`.word`, :mod:`.notes`), written with the
same template: its body is copied in after a page break, and its pictures are added to the
pack as images of its own (python-docx's image parts; the copied picture points at them). The
contents is Word's ``TOC`` field over the members' ``Heading 1`` titles, its entries already
written. Not made again when none of its members changed.
"""
from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .staging import Outputs

PACK_DOCX = "pack.docx"


def remove_stale_pack_docx(out: "Outputs | Path") -> None:
    from .staging import outputs_of

    outputs_of(out).remove(PACK_DOCX)


def members(out: "Outputs | Path", entries: dict[str, dict[str, Any]],
            suffix: str) -> list[tuple[str, str]]:
    """(id, title) of the briefings whose Word file (or note's) is on disk, in index order."""
    from .index import GROUPS, group_of
    from .staging import outputs_of

    out = outputs_of(out)

    chosen: dict[str, list[tuple[str, str]]] = {g: [] for g in GROUPS}
    for bid, entry in entries.items():
        name = f"{bid}{suffix}.docx"
        if name in (entry.get("outputs") or {}) and out.path(name).is_file():
            chosen[group_of(bid, entry)].append((bid, str(entry.get("title") or bid)))
    return [m for g in GROUPS for m in chosen[g]]


def make_pack_docx(out: "Outputs | Path", chosen: list[tuple[str, str]], cover, template: bytes | None) -> bytes:
    import docx
    from docx.oxml.ns import qn

    from .pack import DEFAULT_TITLE
    from .render import dataset_version, document_label, package_version
    from .staging import outputs_of
    from .word import DocInfo, Writer

    out = outputs_of(out)
    writer = Writer(template)
    title = cover.title or DEFAULT_TITLE
    writer.paragraph(f"Peace & Security Workbook · briefings from {document_label()}", "Subtitle")
    writer.heading(title, 0)
    for value in (cover.date, cover.organisation):
        if value:
            writer.paragraph(value, "Subtitle")
    kind = "Two-page notes" if cover.suffix else "Briefings"
    writer.paragraph(f"{kind} built from {document_label()}: {len(chosen)}.")
    writer.paragraph("Contents", "Heading 2")
    writer.contents(t for _, t in chosen)
    body = writer.doc.element.body
    section = body.find(qn("w:sectPr"))
    for bid, _title in chosen:
        writer.page_break()
        member = docx.Document(io.BytesIO(out.path(f"{bid}{cover.suffix}.docx").read_bytes()))
        for child in list(member.element.body):
            if child.tag == qn("w:sectPr"):
                continue
            element = copy.deepcopy(child)
            for blip in element.iter(qn("a:blip")):
                rid = blip.get(qn("r:embed"))
                part = member.part.related_parts[rid]
                new_rid, _image = writer.doc.part.get_or_add_image(io.BytesIO(part.blob))
                blip.set(qn("r:embed"), new_rid)
            if section is not None:
                section.addprevious(element)
            else:
                body.append(element)
    info = DocInfo(title, subject=f"{kind} from {document_label()}",
                   footer=f"{title} · Dataset {dataset_version()} · package {package_version()}",
                   dataset_version=dataset_version(), package_version=package_version(),
                   keywords=["pack"])
    return writer.to_bytes(info)


def write_pack_docx(out: "Outputs | Path", entries: dict[str, dict[str, Any]], cover,
                    template_path: Path | None = None,
                    previous: dict[str, str] | None = None) -> dict[str, str] | None:
    """Write ``pack.docx``; its record for the manifest, None when there is nothing to pack."""
    from .hashing import bytes_digest, code_digest, file_digest, value_digest
    from .staging import outputs_of
    from .word import template_bytes

    out = outputs_of(out)
    path = out.path(PACK_DOCX)
    template = template_bytes(template_path)
    chosen = members(out, entries, cover.suffix)
    source = value_digest({"cover": [cover.title, cover.date, cover.organisation, cover.suffix],
                           "code": code_digest(), "template": bytes_digest(template),
                           "members": [[bid, t, (entries[bid].get("outputs") or {}).get(
                               f"{bid}{cover.suffix}.docx")] for bid, t in chosen]})
    if previous and previous.get("source") == source and path.is_file() \
            and file_digest(path) == previous.get("docx"):
        return previous
    if not chosen:
        remove_stale_pack_docx(out)
        return None
    data = make_pack_docx(out, chosen, cover, template)
    out.write(PACK_DOCX, data)
    return {"source": source, "docx": bytes_digest(data)}


__all__ = ["PACK_DOCX", "make_pack_docx", "members", "remove_stale_pack_docx", "write_pack_docx"]

"""Write a draft as a data package: the project's schema, the drafted chapter tables, the
context tables carried over, ``sources`` with the new document, and the chapter's text.

Output folder rules are ``briefings export``'s: the folder must be new or empty unless
``force``; everything is written into a staging folder beside it, validated there, and moved in
only when complete, so a failure leaves the folder as it was.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..data.schema import DESCRIPTOR, parse_descriptor
from .draft import DRAFT, Draft, DraftError, source_id_for

CHAPTER_TEXT = "chapter.txt"
CURATION_FIELD = {
    "name": "curation",
    "type": "string",
    "description": "How far the row has been checked: 'draft' (written by `briefings draft`, to be "
                   "reviewed against the chapter) or 'reviewed' (checked by a curator).",
    "constraints": {"required": True, "enum": ["draft", "reviewed"]},
}


def draft_descriptor(context_descriptor: dict, draft: Draft) -> dict:
    """The context package's descriptor, retitled for the draft, with the ``chapter`` property
    and the shared ``curation`` field of chapter rows."""
    d = copy.deepcopy(context_descriptor)
    label = f"{draft.symbol} chapter {draft.part}" if draft.part else draft.symbol
    d["title"] = f"{label}, {draft.title}: drafted dataset"
    d["description"] = (f"Draft of the chapter tables of {label} ({draft.year}), written by `briefings draft` "
                        "from the chapter's text: every row cites its paragraph and is marked curation = draft "
                        "until a curator reviews it. The context tables are carried over.")
    d["sources"] = [{"title": f"{draft.symbol}: {draft.title}", "path": f"https://undocs.org/{draft.symbol}"}]
    d["chapter"] = {"source_id": source_id_for(draft.symbol), "symbol": draft.symbol, "part": draft.part,
                    "year": draft.year, "title": draft.title, "text": CHAPTER_TEXT}
    shared = d.setdefault("layerFields", {})
    chapter_fields = shared.setdefault("chapter", [])
    if not any(f["name"] == "curation" for f in chapter_fields):
        declared = all(any(f["name"] == "curation" for f in r["schema"]["fields"])
                       for r in d["resources"] if r.get("layer", "chapter") == "chapter")
        if not declared:
            chapter_fields.append(copy.deepcopy(CURATION_FIELD))
    return d


def _chapter_source_row(draft: Draft) -> dict:
    label = f"chapter {draft.part}: " if draft.part else ""
    return {"source_id": source_id_for(draft.symbol),
            "title": f"Report of the Secretary-General on the work of the Organization, {draft.year} "
                     f"({draft.symbol}), {label}{draft.title}",
            "kind": "chapter", "publisher": "United Nations", "symbol": draft.symbol, "year": str(draft.year),
            "url": f"https://undocs.org/{draft.symbol}", "licence": ""}


def planned_files(schema) -> list[str]:
    return [t.path for t in schema.tables.values()] + [DESCRIPTOR, CHAPTER_TEXT]


def check_target(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise DraftError(f"{target} is a file, not a folder")
    if target.is_dir() and not force:
        present = sorted(p.name for p in target.iterdir())
        if present:
            shown = ", ".join(present[:5]) + (" …" if len(present) > 5 else "")
            raise DraftError(f"{target} is not empty (it holds {shown}); give a new or empty folder or "
                             "use --force to overwrite")


def write_package(draft: Draft, target: Path | str, *, context: Path | str, text: str,
                  force: bool = False) -> dict[str, int]:
    """Write the draft into ``target``; return rows per table. Raises :class:`DraftError`, or
    UsageError for a target it must not write (see :func:`analysis.data.outputs.write_folder`)."""
    from ..data.files import FileRefused, read_package_file, resource_problem
    from ..data.outputs import STAGE_MARK, check_target as check_output, tree_files, write_folder
    from ..data.schema import read_descriptor
    from ..data.validate import format_problems, validate_folder

    target, context = Path(target), Path(context)
    check_output(target, option="--out", reads=[context])
    check_target(target, force)
    context_descriptor = read_descriptor(context)
    descriptor = draft_descriptor(context_descriptor, draft)
    schema = parse_descriptor(descriptor)
    for table in schema.tables.values():
        problem = resource_problem(table.path)
        if problem:
            raise DraftError(f"the data package {context} gives table {table.name!r} the 'path' "
                             f"{problem}")
    from .complete import complete_tables

    drafted, draft.placeholders = complete_tables(draft, schema)
    draft.count_written({}, drafted)
    counts: dict[str, int] = {}
    files: list[tuple[str, str | bytes]] = []
    chapter_tables = {n for n, t in schema.tables.items() if t.layer == "chapter"}
    draft.chapter_tables = [n for n in schema.tables if n in chapter_tables]
    drafted_ids = {name: {r.get(schema.tables[name].primary_key[0], "") for r in drafted.get(name, [])}
                   for name in chapter_tables if len(schema.tables[name].primary_key) == 1}
    for name, table in schema.tables.items():
        fields = table.field_names
        if table.layer == "chapter":
            rows = drafted.get(name, [])
        else:
            rows = _context_rows(context, table.path)
            rows = [r for r in rows if _targets_kept(r, table, drafted_ids)]
            if name == "region_equivalents":
                rows += _m49_equivalents(drafted.get("places", []), rows, context)
            if name == "sources":
                new = _chapter_source_row(draft)
                rows = [r for r in rows if r.get("source_id") != new["source_id"]] + [new]
        files.append((table.path, _rows_text(fields, rows)))
        counts[name] = len(rows)
    files.append((DESCRIPTOR, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"))
    files.append((CHAPTER_TEXT, text))
    folders = sorted(p.name for p in context.iterdir()
                     if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "_")))
    for name in folders:  # geo/ (map outlines) and the like: context carried over, file by file
        files += tree_files(context / name, name)
    check = Path(tempfile.mkdtemp(prefix=f".{target.name}{STAGE_MARK}{os.getpid()}-check-",
                                  dir=target.absolute().parent if target.absolute().parent.is_dir()
                                  else None))
    try:
        for name, data in files:
            path = check / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        problems = validate_folder(check)
    finally:
        shutil.rmtree(check, ignore_errors=True)
    if problems:
        raise DraftError("the draft does not validate (a bug of the drafter; nothing written):\n"
                         + format_problems(problems[:20]))
    write_folder(target, files, force=force, what="draft", option="--out", reads=[context])
    return counts


def _context_rows(context: Path, name: str) -> list[dict]:
    from ..data.files import FileRefused, read_package_file

    if not (context / name).exists():
        return []
    try:
        raw = read_package_file(context, name).decode("utf-8")
    except (FileRefused, UnicodeDecodeError) as err:
        raise DraftError(f"{context}: {name} cannot be read ({err})") from None
    return list(csv.DictReader(io.StringIO(raw, newline="")))


def _rows_text(fields: list[str], rows: list[dict]) -> str:
    from ..data.csvsafe import write_csv

    return write_csv(fields, ([row.get(f, "") or "" for f in fields] for row in rows))


def _targets_kept(row: dict, table, drafted_ids: dict[str, set]) -> bool:
    """False when a context row points at a chapter row the draft does not have."""
    for fk in table.foreign_keys:
        if fk["resource"] in drafted_ids and len(fk["fields"]) == 1:
            value = row.get(fk["fields"][0], "")
            if value and value not in drafted_ids[fk["resource"]]:
                return False
    return True


def _m49_equivalents(places: list[dict], kept: list[dict], context: Path) -> list[dict]:
    """A drafted region named like an M49 region or subregion is that area (source m49)."""
    countries = _context_rows(context, "countries.csv")
    if not countries:
        return []
    regions = {r["region"] for r in countries}
    subregions = {r["subregion"] for r in countries} - regions
    have = {r["place_id"] for r in kept}
    out = []
    for place in places:
        if place.get("kind") != "region" or place["place_id"] in have:
            continue
        name = place["name"]
        if name in regions or name in subregions:
            out.append({"place_id": place["place_id"], "part": "1",
                        "region": name if name in regions else "", "subregion": name if name in subregions else "",
                        "office_id": "", "iso3": "", "relation": "same area", "source_id": "m49",
                        "note": f"The M49 {'region' if name in regions else 'subregion'} {name} "
                                "(drafted: the chapter's name is M49's)."})
    return out

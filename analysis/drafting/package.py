"""Write a draft as a data package: the project's schema, the drafted chapter tables, the
context tables carried over, ``sources`` with the new document, and the chapter's text.

Output folder rules are ``briefings export``'s: the folder must be new or empty unless
``force``; everything is written into a staging folder beside it, validated there, and moved in
only when complete, so a failure leaves the folder as it was.
"""
from __future__ import annotations

import copy
import csv
import json
import shutil
import tempfile
from pathlib import Path

from ..schema import DESCRIPTOR, parse_descriptor
from .draft import DRAFT, Draft, DraftError, source_id_for

CHAPTER_TEXT = "chapter.txt"
CURATION_FIELD = {
    "name": "curation",
    "type": "string",
    "description": "How far the row has been checked: 'draft' (written by `briefings draft`, to be "
                   "reviewed against the chapter) or 'reviewed' (checked by a curator).",
    "constraints": {"required": True, "enum": ["draft", "reviewed"]},
}


def _read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_rows(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            writer.writerow([row.get(f, "") or "" for f in fields])


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
    """Write the draft into ``target``; return rows per table. Raises :class:`DraftError`."""
    from ..validate import format_problems, validate_folder

    target, context = Path(target), Path(context)
    check_target(target, force)
    context_descriptor = json.loads((context / DESCRIPTOR).read_text(encoding="utf-8"))
    descriptor = draft_descriptor(context_descriptor, draft)
    schema = parse_descriptor(descriptor)
    from .complete import complete_tables

    drafted, draft.placeholders = complete_tables(draft, schema)
    draft.count_written({}, drafted)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.draft-", dir=target.parent))
    counts: dict[str, int] = {}
    try:
        chapter_tables = {n for n, t in schema.tables.items() if t.layer == "chapter"}
        draft.chapter_tables = [n for n in schema.tables if n in chapter_tables]
        drafted_ids = {name: {r.get(schema.tables[name].primary_key[0], "") for r in drafted.get(name, [])}
                       for name in chapter_tables if len(schema.tables[name].primary_key) == 1}
        for name, table in schema.tables.items():
            fields = table.field_names
            if table.layer == "chapter":
                rows = drafted.get(name, [])
            else:
                source_file = context / table.path
                rows = _read_rows(source_file)[1] if source_file.is_file() else []
                rows = [r for r in rows if _targets_kept(r, table, drafted_ids)]
                if name == "region_equivalents":
                    rows += _m49_equivalents(drafted.get("places", []), rows, context)
                if name == "sources":
                    new = _chapter_source_row(draft)
                    rows = [r for r in rows if r.get("source_id") != new["source_id"]] + [new]
            _write_rows(staging / table.path, fields, rows)
            counts[name] = len(rows)
        (staging / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
        (staging / CHAPTER_TEXT).write_text(text, encoding="utf-8")
        folders = sorted(p.name for p in context.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
        for name in folders:  # geo/ (map outlines) and the like: context carried over as it is
            shutil.copytree(context / name, staging / name)
        problems = validate_folder(staging)
        if problems:
            raise DraftError("the draft does not validate (a bug of the drafter; nothing written):\n"
                             + format_problems(problems[:20]))
        target.mkdir(exist_ok=True)
        for name in folders:
            if (target / name).is_dir():
                shutil.rmtree(target / name)
        for name in planned_files(schema) + folders:
            (staging / name).replace(target / name)
        return counts
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    path = context / "countries.csv"
    if not path.is_file():
        return []
    _, countries = _read_rows(path)
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

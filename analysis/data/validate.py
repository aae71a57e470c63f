"""Check a data folder against its schema: ``briefings validate [--data DIR]``.

Every check derives from the folder's own ``datapackage.json``: the file structure (encoding,
header, field counts), each cell (type, required, allowed values, pattern, range, length,
uniqueness), each table (primary key, foreign keys, ``exactlyOneOf``, ``polymorphicForeignKeys``,
inferred rows carry a note) and the paragraph locators, which must exist in the paragraphs table
and, when the chapter's text is at hand, in the chapter, with the row's evidence in that paragraph.

The descriptor's shape is checked with jsonschema against ``datapackage.schema.json`` (beside
this module); what a JSON Schema cannot say (names declared twice, keys naming unknown fields or
tables, a table's path leaving the folder) is checked after it.

Every problem is collected (the check does not stop at the first), but a file that cannot be read
is not checked further, and a cell that is already wrong is not checked again as a key.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .characters import text_problem
from .files import (GEOMETRY_FILE, FileRefused, package_file, read_geometry, read_package_file,
                    resource_problem)
from .locators import LOCATOR  # a paragraph locator: section id, slash, number in the section
from .schema import DESCRIPTOR, PROVENANCE_FIELDS, Schema, Table, no_key_twice, parse_descriptor

PARAGRAPH_FIELD, EVIDENCE_FIELD, INFERRED_FIELD, NOTE_FIELD = PROVENANCE_FIELDS

_INTEGER = re.compile(r"-?[0-9]+")
_YEAR = re.compile(r"-?[0-9]{4}")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data folder.

    ``file`` is relative to the folder; ``row`` is the data row number (1 = the first row below
    the header; None for a problem with the file or its header); ``column`` is the field name
    (None when the problem is not about one field).
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


def _sort_key(problem: Problem):
    return (problem.file != DESCRIPTOR, problem.file, -1 if problem.row is None else problem.row,
            problem.column or "", problem.message)


def format_problems(problems: list[Problem]) -> str:
    """One line per problem (``file:row:column: message``, ``-`` where not applicable), sorted,
    then a count line."""
    lines = [str(p) for p in sorted(problems, key=_sort_key)]
    files = len({p.file for p in problems})
    count = len(problems)
    lines.append(f"{count} problem{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}")
    return "\n".join(lines)


def _quote_list(values) -> str:
    return ", ".join(repr(v) for v in values)


def _short(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


# --------------------------------------------------------------------------------------------
# The descriptor


#: The JSON Schema of a descriptor's shape, a data file of this package (beside this module).
DESCRIPTOR_SCHEMA = "datapackage.schema.json"
_VALIDATOR = None


def import_jsonschema():
    """jsonschema, imported without the grammar its IRI format checks build.

    jsonschema's format checkers import ``rfc3987_syntax`` when it is installed (Jupyter brings
    it), which compiles a grammar for 2 to 4 s at import, only to check "iri" formats that
    neither the descriptor schema nor a notebook uses. So that one optional module is hidden
    while jsonschema is first imported (unless something in this process loaded it already);
    afterwards it imports normally for anyone who asks for it.
    """
    import sys

    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import -> ImportError
        try:
            import jsonschema  # noqa: F401
        except ImportError:  # pragma: no cover - its users say so themselves
            pass
        finally:
            if sys.modules.get("rfc3987_syntax", 0) is None:
                del sys.modules["rfc3987_syntax"]
    import jsonschema

    return jsonschema


def _descriptor_validator():
    """The jsonschema validator of :data:`DESCRIPTOR_SCHEMA`, made once. jsonschema is imported
    here, not at the top, so that only ``validate`` and a build whose data changed load it."""
    global _VALIDATOR
    if _VALIDATOR is None:
        from importlib.resources import files

        jsonschema = import_jsonschema()
        schema = json.loads((files(__package__) / DESCRIPTOR_SCHEMA).read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        _VALIDATOR = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return _VALIDATOR


def _found(value) -> str:
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list" if value else "an empty list"
    return _short(value) if isinstance(value, str) else json.dumps(value)


def _named(what: str, item, index: int) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    return f"{what} {name!r}" if isinstance(name, str) and name else f"{what} {index + 1}"


def _location(descriptor, path: list) -> tuple[list[str], list]:
    """Where a jsonschema error is, as a reader names it (resource and field by name), and the
    keys left below that."""
    where: list[str] = []
    fields = None
    if path[:1] == ["resources"] and len(path) > 1:
        res = descriptor["resources"][path[1]]
        where.append(_named("resource", res, path[1]))
        path = path[2:]
        if path[:2] == ["schema", "fields"] and len(path) > 2:
            fields, path = res["schema"]["fields"], path[2:]
        elif path[:1] == ["schema"] and len(path) > 1 and path[1] in ("primaryKey", "foreignKeys"):
            path = path[1:]
    elif path[:1] == ["layerFields"] and len(path) > 2:
        where.append(f"layer field list {path[1]!r}")
        fields, path = descriptor["layerFields"][path[1]], path[2:]
    if fields is not None:
        where.append(_named("field", fields[path[0]], path[0]))
        path = path[1:]
        if path[:1] == ["constraints"] and len(path) > 1:
            path = path[1:]  # a field's constraints are the field's own
    return where, path


def _schema_messages(descriptor, error) -> list[str]:
    """One line per jsonschema error: where (resource and field by name), what is wrong and what
    is allowed (the schema's ``x-expected`` or ``x-refused`` phrase)."""
    where, path = _location(descriptor, list(error.absolute_path))
    keys = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in path).replace(".[", "[")
    schema, kind, value = error.schema, error.validator, error.instance
    if kind == "required":
        missing = [k for k in error.validator_value if not isinstance(value, dict) or k not in value]
        return [": ".join(where + [f"{(keys + '.' + k if keys else k)!r} is missing"]) for k in missing]
    if kind == "enum" and path and isinstance(path[-1], str):
        owner = where + ([repr(keys.rpartition(".")[0])] if "." in keys else [])
        return [f"{': '.join(owner) or 'the descriptor'} has {path[-1]} {_found(value)}; allowed: "
                f"{', '.join(str(v) for v in error.validator_value)}"]
    subject = ": ".join(where + ([repr(keys)] if keys else [])) or "the descriptor"
    if kind == "not" and "x-refused" in schema:
        return [f"{subject} {schema['x-refused']}"]
    if "x-expected" in schema:
        return [f"{subject} must be {schema['x-expected']}, found {_found(value)}"]
    return [f"{subject}: {error.message}"]


def _descriptor_problems(descriptor) -> list[Problem]:
    """Problems of the descriptor, what the rest of the checks rely on: its shape against
    :data:`DESCRIPTOR_SCHEMA` (jsonschema), then what a JSON Schema cannot say: names declared
    twice, table paths inside the folder, keys that name existing fields and tables."""
    messages: list[str] = []
    for error in _descriptor_validator().iter_errors(descriptor):
        messages += [m for m in _schema_messages(descriptor, error) if m not in messages]
    if not messages:
        messages = _reference_messages(descriptor)
    from .document import chapter_problem

    chapter = chapter_problem(descriptor.get("chapter")) if isinstance(descriptor, dict) else None
    if chapter:
        messages.append(chapter)
    return [Problem(DESCRIPTOR, None, None, m) for m in messages]


def _reference_messages(descriptor: dict) -> list[str]:
    out: list[str] = []
    names: dict[str, set] = {}
    for res in descriptor["resources"]:
        name = res["name"]
        if name in names:
            out.append(f"resource {name!r} is declared twice")
        problem = resource_problem(res["path"])
        if problem:
            out.append(f"resource {name!r}: 'path' {problem}")
        fields = [fd["name"] for fd in res["schema"]["fields"]]
        out += [f"resource {name!r}: field {f!r} is declared twice"
                for f in dict.fromkeys(f for f in fields if fields.count(f) > 1)]
        names[name] = set(fields)
    if out:
        return out
    for res in descriptor["resources"]:
        name, schema, fields = res["name"], res["schema"], names[res["name"]]

        def unknown(listed, known=fields) -> str:
            gone = [f for f in (listed if isinstance(listed, list) else [listed]) if f not in known]
            return _quote_list(gone)

        if unknown(schema.get("primaryKey", [])):
            out.append(f"resource {name!r}: primaryKey names unknown field(s) {unknown(schema['primaryKey'])}")
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            if unknown(fk["fields"]):
                out.append(f"resource {name!r}: foreign key names unknown field(s) {unknown(fk['fields'])}")
            target = ref["resource"] or name  # "" is a self-reference in Frictionless
            if target not in names:
                out.append(f"resource {name!r}: foreign key refers to unknown resource {target!r}")
            elif unknown(ref["fields"], names[target]):
                out.append(f"resource {name!r}: foreign key refers to unknown field(s) "
                           f"{unknown(ref['fields'], names[target])} of {target!r}")
        if unknown(res.get("exactlyOneOf", [])):
            out.append(f"resource {name!r}: exactlyOneOf names unknown field(s) {unknown(res['exactlyOneOf'])}")
        for poly in res.get("polymorphicForeignKeys", []):
            if unknown([poly["tableField"], poly["field"]]):
                out.append(f"resource {name!r}: polymorphic foreign key names unknown field(s) "
                           f"{unknown([poly['tableField'], poly['field']])}")
    return out


def _read_schema(folder: Path) -> tuple[Schema | None, list[Problem]]:
    path = folder / DESCRIPTOR
    if not path.exists() and not path.is_symlink():
        return None, [Problem(DESCRIPTOR, None, None, f"missing: no {DESCRIPTOR} in {folder}")]
    try:
        raw = read_package_file(folder, DESCRIPTOR)
    except FileRefused as err:
        return None, [Problem(DESCRIPTOR, None, None, str(err))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [Problem(DESCRIPTOR, None, None,
                              f"not valid UTF-8: byte 0x{raw[err.start]:02x} at offset {err.start} (line {line})")]
    try:
        descriptor = json.loads(text, object_pairs_hook=no_key_twice)
    except json.JSONDecodeError as err:
        return None, [Problem(DESCRIPTOR, None, None,
                              f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}")]
    except RecursionError:
        return None, [Problem(DESCRIPTOR, None, None,
                              "nested too deeply to be a data package descriptor")]
    except ValueError as err:  # a key given twice: the loader refuses it too
        return None, [Problem(DESCRIPTOR, None, None, str(err))]
    try:
        problems = _descriptor_problems(descriptor)
    except RecursionError:
        problems = [Problem(DESCRIPTOR, None, None, "nested too deeply to be a data package "
                                                    "descriptor")]
    problems += _chapter_text_problems(folder, descriptor)
    if problems:
        return None, problems
    try:
        return parse_descriptor(descriptor), []
    except (KeyError, TypeError, AttributeError, ValueError) as err:  # belt and braces
        return None, [Problem(DESCRIPTOR, None, None, f"cannot be read as a table schema: {err!r}")]


# --------------------------------------------------------------------------------------------
# Files


@dataclass
class _TableData:
    """The readable rows of one table: (row number, {field: raw text}), plus whether rows were
    skipped (so that keys into this table are not judged on an incomplete list)."""

    table: Table
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    complete: bool = True
    bad_cells: set = field(default_factory=set)  # (row, field) already reported


def _read_rows(table: Table, folder: Path, problems: list[Problem]) -> _TableData | None:
    """Read one CSV file; report structural problems; None when its rows cannot be checked."""
    name = table.path
    path = folder / name
    if not path.exists() and not path.is_symlink():
        problems.append(Problem(name, None, None, f"missing: table {table.name!r} is declared in "
                                                  f"{DESCRIPTOR} but {path} does not exist"))
        return None
    try:
        raw = read_package_file(folder, name)
    except FileRefused as err:
        problems.append(Problem(name, None, None, str(err)))
        return None
    if not raw.strip():
        problems.append(Problem(name, None, None, "empty: no header row (expected: "
                                                  f"{','.join(table.field_names)})"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.append(Problem(name, None, None,
                                f"not valid UTF-8: byte 0x{raw[err.start]:02x} at offset {err.start} "
                                f"(line {line}); save the file as UTF-8"))
        return None
    if text.startswith("\ufeff"):
        problems.append(Problem(name, None, None, "starts with a byte-order mark; save as UTF-8 without BOM"))
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as err:
        problems.append(Problem(name, None, None, f"unparseable CSV in the header (line {reader.line_num}): {err}"))
        return None
    expected = table.field_names
    if header != expected:
        problems.extend(_header_problems(name, header, expected))
        return None
    data = _TableData(table)
    width = len(expected)
    number = 0
    try:
        for record in reader:
            number += 1
            if not record:
                problems.append(Problem(name, number, None, f"blank line (line {reader.line_num}); remove it"))
                data.complete = False
                continue
            if len(record) != width:
                problems.append(Problem(name, number, None,
                                        f"has {len(record)} fields, the header has {width} "
                                        f"(line {reader.line_num})"))
                data.complete = False
                continue
            data.rows.append((number, dict(zip(expected, record))))
    except csv.Error as err:
        problems.append(Problem(name, number + 1, None,
                                f"unparseable CSV (line {reader.line_num}): {err}; "
                                "check for an unbalanced double quote"))
        return None
    return data


def _header_problems(name: str, header: list[str], expected: list[str]) -> list[Problem]:
    out = []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    for column in missing:
        out.append(Problem(name, None, column, "header lacks this column declared in the schema"))
    for column in extra:
        out.append(Problem(name, None, column or None,
                           f"header has column {column!r}, which the schema does not declare"))
    for column in duplicated:
        out.append(Problem(name, None, column, "header repeats this column"))
    if not out:
        out.append(Problem(name, None, None, "header has the columns in the wrong order: expected "
                                             f"{','.join(expected)}; found {','.join(header)}"))
    return out


# --------------------------------------------------------------------------------------------
# Cells


def _parse(value: str, ftype: str):
    """The typed value, or raise ValueError with what is expected."""
    if ftype == "integer":
        if not _INTEGER.fullmatch(value):
            raise ValueError("not an integer (expected digits, e.g. 42)")
        return int(value)
    if ftype == "year":
        if not _YEAR.fullmatch(value):
            raise ValueError("not a year (expected four digits, e.g. 2017)")
        return int(value)
    if ftype == "number":
        if not _NUMBER.fullmatch(value):
            raise ValueError("not a number (expected e.g. 12 or 3.5)")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        return number
    if ftype == "boolean":
        if value not in ("true", "false"):
            raise ValueError("not a boolean (allowed: true, false)")
        return value == "true"
    if ftype == "date":
        match = _DATE.fullmatch(value)
        if not match:
            raise ValueError("not a date (expected YYYY-MM-DD)")
        try:
            day = date(*map(int, match.groups()))
        except ValueError:
            raise ValueError("not a real date (expected an existing day as YYYY-MM-DD)") from None
        if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:  # what the loader's dates can hold
            raise ValueError(f"a date outside {DATE_RANGE[0]:%Y-%m-%d} to {DATE_RANGE[1]:%Y-%m-%d} "
                             "(the dates the tool can load)")
        return day
    return value


#: The days a loaded date can hold (pandas' nanosecond timestamps).
DATE_RANGE = (date(1677, 9, 22), date(2262, 4, 11))


def _bound(value, ftype: str):
    """A minimum or maximum from the descriptor, comparable with a typed cell."""
    return _parse(str(value), ftype) if ftype == "date" else value


#: Characters no text of the data may hold: the C0 controls (NUL, ESC, backspace…) but tab
#: and line breaks, DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


#: Longest text in a field whose schema declares no ``maxLength``, unless the descriptor's
#: ``textMaxLength`` says otherwise.
TEXT_MAX_LENGTH = 1000
#: A field declaring at most this many characters is short text (a name, a label): it may hold
#: no tab or line break either. Longer text may hold tabs and line breaks, nothing else of Cc.
SHORT_TEXT = 200


def fold_name(value: str) -> str:
    """A display name as compared for uniqueness: NFKC, case folded, without the characters of
    categories Cc and Cf (so "Chad" and "Chad" + a zero-width space are one name)."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKC", value).casefold()
                   if unicodedata.category(c) not in ("Cc", "Cf"))


def _max_length(f, table_limit: int) -> int | None:
    cons = f.constraints or {}
    if "maxLength" in cons:
        return cons["maxLength"]
    return table_limit if f.type == "string" and not f.enum else None


def mixed_scripts(value: str) -> str | None:
    """The scripts a name's letters come from, when more than one ("LATIN and CYRILLIC"), else
    None: the first word of each letter's Unicode name, which names its script."""
    import unicodedata

    scripts = sorted({unicodedata.name(c, "UNKNOWN").split()[0] for c in value if c.isalpha()})
    return " and ".join(s.capitalize() for s in scripts) if len(scripts) > 1 else None


def _check_display_names(data: _TableData, problems: list[Problem]) -> None:
    """Display names are unique in their table once folded (:func:`fold_name`): briefing ids,
    titles and choices are made from them."""
    table = data.table
    for f in table.fields:
        if not f.display_name:
            continue
        seen: dict[str, tuple[int, str]] = {}
        for number, row in data.rows:
            value = row[f.name]
            if not value or (number, f.name) in data.bad_cells:
                continue
            mixed = mixed_scripts(value)
            if mixed:  # "Mаli" with a Cyrillic а reads as Mali and makes a second briefing
                problems.append(Problem(table.path, number, f.name,
                                        f"{_short(value)} mixes letters of {mixed}: a letter that "
                                        "looks like another makes two display names look alike; "
                                        "write a name in one script"))
                data.bad_cells.add((number, f.name))
                continue
            key = fold_name(value)
            if key in seen:
                first, shown = seen[key]
                problems.append(Problem(table.path, number, f.name,
                                        f"{_short(value)} is the same display name as "
                                        f"{_short(shown)} in row {first} once case, width and "
                                        "invisible characters are ignored; display names must "
                                        "differ"))
                data.bad_cells.add((number, f.name))
            else:
                seen[key] = (number, value)


def _check_cells(data: _TableData, problems: list[Problem], text_limit: int = TEXT_MAX_LENGTH) -> None:
    table = data.table
    name = table.path
    for f in table.fields:
        cons = f.constraints or {}
        limit = _max_length(f, text_limit)
        long_text = f.type == "string" and not f.display_name and (limit is None or limit > SHORT_TEXT)
        pattern = re.compile(cons["pattern"]) if "pattern" in cons else None
        seen: dict[str, int] = {}
        is_locator = f.name == PARAGRAPH_FIELD
        for number, row in data.rows:
            value = row[f.name]
            if value == "":
                if f.required:
                    problems.append(Problem(name, number, f.name, "required but empty"))
                    data.bad_cells.add((number, f.name))
                continue

            def bad(message: str) -> None:
                problems.append(Problem(name, number, f.name, message))
                data.bad_cells.add((number, f.name))

            control = text_problem(value, long_text=long_text)
            if control:
                bad(control)
                continue
            if limit is not None and len(value) > limit and "maxLength" not in cons:
                bad(f"is {len(value)} characters long; text is at most {limit} characters "
                    f"(textMaxLength of {DESCRIPTOR})")
                continue

            try:
                typed = _parse(value, f.type)
            except ValueError as err:
                bad(f"{_short(value)} is {err}")
                continue
            if f.enum is not None and value not in f.enum:
                bad(f"{_short(value)} is not an allowed value; allowed: {', '.join(f.enum)}")
                continue
            if pattern is not None and not pattern.fullmatch(value):
                bad(f"{_short(value)} does not match the pattern {cons['pattern']}")
                continue
            if is_locator and not LOCATOR.fullmatch(value):
                bad(f"{_short(value)} is not a paragraph locator (expected <section>/<n>, e.g. good-offices/1)")
                continue
            if "minimum" in cons and typed < _bound(cons["minimum"], f.type):
                bad(f"{value} is below the minimum {cons['minimum']}")
            if "maximum" in cons and typed > _bound(cons["maximum"], f.type):
                bad(f"{value} is above the maximum {cons['maximum']}")
            if "maxLength" in cons and len(value) > cons["maxLength"]:
                bad(f"is {len(value)} characters long; at most {cons['maxLength']} allowed")
                continue
            if "minLength" in cons and len(value) < cons["minLength"]:
                bad(f"is {len(value)} characters long; at least {cons['minLength']} required")
            if cons.get("unique") and not (len(table.primary_key) == 1 and table.primary_key[0] == f.name):
                if value in seen:
                    bad(f"{_short(value)} is not unique: already in row {seen[value]}")
                else:
                    seen[value] = number


# --------------------------------------------------------------------------------------------
# Tables: keys and the project's extras


def _key(row: dict[str, str], fields) -> tuple[str, ...]:
    return tuple(row[f] for f in fields)


def _check_primary_key(data: _TableData, problems: list[Problem]) -> None:
    pk = data.table.primary_key
    if not pk:
        return
    name, column = data.table.path, ",".join(pk)
    seen: dict[tuple, int] = {}
    for number, row in data.rows:
        key = _key(row, pk)
        if any(v == "" for v in key):
            if not any((number, f) in data.bad_cells for f in pk):  # not already "required but empty"
                empty = [f for f in pk if row[f] == ""]
                problems.append(Problem(name, number, column, f"primary key part {_quote_list(empty)} is empty"))
            continue
        if key in seen:
            shown = key[0] if len(key) == 1 else key
            problems.append(Problem(name, number, column,
                                    f"duplicate primary key {shown!r}: already in row {seen[key]}"))
        else:
            seen[key] = number


def _key_set(data: _TableData, fields) -> set[tuple[str, ...]]:
    return {_key(row, fields) for _, row in data.rows}


def _check_foreign_keys(data: _TableData, tables: dict[str, _TableData | None], problems: list[Problem]) -> None:
    table = data.table
    for fk in table.foreign_keys:
        target_name = fk["resource"] or table.name
        target = tables.get(target_name)
        if target is None or not target.complete:
            continue  # the target could not be read in full: its own problems are reported
        fields, ref_fields = fk["fields"], fk["reference_fields"]
        keys = _key_set(target, ref_fields)
        for number, row in data.rows:
            key = _key(row, fields)
            if all(v == "" for v in key) or any((number, f) in data.bad_cells for f in fields):
                continue
            if key not in keys:
                shown = key[0] if len(key) == 1 else key
                problems.append(Problem(table.path, number, ",".join(fields),
                                        f"no row of {target.table.path} has {','.join(ref_fields)} {shown!r} "
                                        f"(foreign key to {target_name})"))


def _check_exactly_one_of(data: _TableData, problems: list[Problem]) -> None:
    fields = data.table.exactly_one_of
    if not fields:
        return
    for number, row in data.rows:
        set_fields = [f for f in fields if row[f] != ""]
        if len(set_fields) != 1:
            found = ", ".join(set_fields) if set_fields else "none"
            problems.append(Problem(data.table.path, number, ",".join(fields),
                                    f"exactly one of {', '.join(fields)} must be set; found {found}"))


def _check_polymorphic_keys(data: _TableData, tables: dict[str, _TableData | None], problems: list[Problem]) -> None:
    key_sets: dict[str, set] = {}
    for poly in data.table.polymorphic_keys:
        table_field, id_field = poly["tableField"], poly["field"]
        for number, row in data.rows:
            target_name, value = row[table_field], row[id_field]
            if not target_name or not value or (number, table_field) in data.bad_cells \
                    or (number, id_field) in data.bad_cells:
                continue
            if target_name not in tables:
                problems.append(Problem(data.table.path, number, table_field,
                                        f"{target_name!r} is not a table; tables: {', '.join(tables)}"))
                continue
            target = tables[target_name]
            if target is None or not target.complete:
                continue
            pk = target.table.primary_key
            if len(pk) != 1:
                problems.append(Problem(data.table.path, number, table_field,
                                        f"table {target_name!r} has no single-field primary key to refer to"))
                continue
            if target_name not in key_sets:
                key_sets[target_name] = _key_set(target, pk)
            if (value,) not in key_sets[target_name]:
                problems.append(Problem(data.table.path, number, id_field,
                                        f"no row of {target.table.path} has {pk[0]} {value!r} "
                                        f"(the table named by {table_field})"))


def _check_inferred_notes(data: _TableData, problems: list[Problem]) -> None:
    names = data.table.field_names
    if INFERRED_FIELD not in names or NOTE_FIELD not in names:
        return
    for number, row in data.rows:
        if row[INFERRED_FIELD] == "true" and not row[NOTE_FIELD].strip():
            problems.append(Problem(data.table.path, number, NOTE_FIELD,
                                    f"the row is inferred ({INFERRED_FIELD} is true) but gives no {NOTE_FIELD}"))


# --------------------------------------------------------------------------------------------
# Paragraph locators


def _locator_table(schema: Schema) -> tuple[str, str] | None:
    """(table, field) that lists the paragraph locators: the target of the ``paragraph`` keys."""
    for table in schema.tables.values():
        for fk in table.foreign_keys:
            if fk["fields"] == (PARAGRAPH_FIELD,) and len(fk["reference_fields"]) == 1:
                return fk["resource"], fk["reference_fields"][0]
    return None


def _check_locators(schema: Schema, tables: dict[str, _TableData | None], problems: list[Problem],
                    seed_paragraphs: dict | None) -> None:
    from . import seed

    target = _locator_table(schema)
    listed = None
    if target is not None:
        data = tables.get(target[0])
        if data is not None and data.complete:
            listed = {row[target[1]] for _, row in data.rows}
    for data in tables.values():
        if data is None or PARAGRAPH_FIELD not in data.table.field_names:
            continue
        declared = any(fk["fields"] == (PARAGRAPH_FIELD,) for fk in data.table.foreign_keys)
        has_evidence = EVIDENCE_FIELD in data.table.field_names
        for number, row in data.rows:
            locator = row[PARAGRAPH_FIELD]
            if not locator or (number, PARAGRAPH_FIELD) in data.bad_cells:
                continue
            if not declared and listed is not None and locator not in listed:
                problems.append(Problem(data.table.path, number, PARAGRAPH_FIELD,
                                        f"{locator!r} is not in the paragraphs table"))
                continue
            if seed_paragraphs is None:
                continue
            if locator not in seed_paragraphs:
                problems.append(Problem(data.table.path, number, PARAGRAPH_FIELD,
                                        f"{locator!r} is not a paragraph of the chapter (it has "
                                        f"{len(seed_paragraphs)}: {_locator_span(seed_paragraphs)})"))
                continue
            evidence = row[EVIDENCE_FIELD] if has_evidence else ""
            if evidence and (number, EVIDENCE_FIELD) not in data.bad_cells \
                    and seed.normalize(evidence) not in seed.normalize(seed_paragraphs[locator].text):
                problems.append(Problem(data.table.path, number, EVIDENCE_FIELD,
                                        f"{_short(evidence)} does not occur in paragraph {locator}"))
    # The paragraphs table itself: its locators are the chapter's, all of them.
    if target is None or seed_paragraphs is None:
        return
    data = tables.get(target[0])
    if data is None or not data.complete:
        return
    for number, row in data.rows:
        locator = row[target[1]]
        if locator and (number, target[1]) not in data.bad_cells and locator not in seed_paragraphs:
            problems.append(Problem(data.table.path, number, target[1],
                                    f"{locator!r} is not a paragraph of the chapter"))
    absent = [p for p in seed_paragraphs if p not in listed]
    if absent:
        problems.append(Problem(data.table.path, None, target[1],
                                f"{len(absent)} paragraph(s) of the chapter are not listed: {', '.join(absent)}"))


def _locator_span(seed_paragraphs: dict) -> str:
    ids = list(seed_paragraphs)
    return f"{ids[0]} … {ids[-1]}" if len(ids) > 2 else ", ".join(ids)


# --------------------------------------------------------------------------------------------
# Entry points


def _text_limit(schema: Schema) -> int:
    limit = schema.descriptor.get("textMaxLength", TEXT_MAX_LENGTH)
    return limit if isinstance(limit, int) and limit > 0 else TEXT_MAX_LENGTH


def text_rule_problems(folder: Path | str) -> list[Problem]:
    """The problems of the text rules alone (characters, lengths, display names), which the
    build checks before it makes ids and titles from the data: fast, and naming file and row."""
    folder = Path(folder)
    schema, problems = _read_schema(folder)
    if schema is None:
        return problems
    for table in schema.tables.values():
        data = _read_rows(table, folder, problems)
        if data is not None:
            _check_cells(data, problems, _text_limit(schema))
            _check_display_names(data, problems)
    return sorted(problems, key=_sort_key)


def _chapter_text_problems(folder: Path, descriptor) -> list[Problem]:
    """A ``chapter.text`` whose file beside the descriptor leads out of the folder: the tool
    would not read it, and would check the evidence against another text without a word."""
    chapter = descriptor.get("chapter") if isinstance(descriptor, dict) else None
    name = chapter.get("text") if isinstance(chapter, dict) else None
    if not isinstance(name, str) or not name or not os.path.lexists(folder / name):
        return []
    try:
        package_file(folder, name)
    except FileRefused as err:
        return [Problem(DESCRIPTOR, None, None, f"chapter.text: {err}")]
    return []


def _geometry_problems(folder: Path) -> list[Problem]:
    """The map outlines, when the package has them, read as the maps read them."""
    if not (os.path.lexists(folder / GEOMETRY_FILE) or os.path.lexists(folder / "geo")):
        return []
    try:
        read_geometry(folder)
    except FileRefused as err:
        return [Problem(GEOMETRY_FILE, None, None, str(err))]
    return []


def validate_folder(folder: Path | str | None = None) -> list[Problem]:
    """Every problem of the data package in ``folder`` (default: the project's data), sorted.

    An empty list means the folder is valid. Paragraph locators and evidence are checked against
    the chapter's text when it is available (``analysis.data.seed.seed_available()``).
    """
    from . import seed
    from .paths import data_dir

    folder = Path(folder) if folder is not None else data_dir()
    schema, problems = _read_schema(folder)
    if schema is None:
        return sorted(problems, key=_sort_key)
    declared = {t.path for t in schema.tables.values()}
    problems += _geometry_problems(folder)
    for extra in sorted(p.name for p in folder.glob("*.csv")):
        if extra not in declared:
            problems.append(Problem(extra, None, None, f"not declared as a resource in {DESCRIPTOR}"))
    tables: dict[str, _TableData | None] = {}
    for name, table in schema.tables.items():
        data = _read_rows(table, folder, problems)
        if data is not None:
            _check_cells(data, problems, _text_limit(schema))
            _check_display_names(data, problems)
            _check_primary_key(data, problems)
            _check_exactly_one_of(data, problems)
            _check_inferred_notes(data, problems)
        tables[name] = data
    for data in tables.values():
        if data is not None:
            _check_foreign_keys(data, tables, problems)
            _check_polymorphic_keys(data, tables, problems)
    seed_paragraphs = seed.package_paragraphs(folder)
    _check_locators(schema, tables, problems, seed_paragraphs)
    return sorted(problems, key=_sort_key)

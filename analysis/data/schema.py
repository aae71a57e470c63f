"""The dataset's schema, read from its one declaration: ``data/datapackage.json``.

The descriptor follows the Frictionless Data Package / Table Schema conventions (fields with
types and constraints, primary and foreign keys) plus three project properties on each
resource: ``layer`` ("chapter" or "context"), ``exactlyOneOf`` and ``polymorphicForeignKeys``;
and two on the package: ``layerFields`` (fields shared by every table of a layer) and ``chapter``
(the document the chapter layer is drafted or curated from: symbol, year, title, text file).
Loading (dtypes) and validation both derive from it; nothing else lists fields.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .paths import data_dir

DESCRIPTOR = "datapackage.json"
PROVENANCE_FIELDS = ("paragraph", "evidence", "inferred", "inference_note")


#: The field types a table may declare, and the pandas dtype each loads as (:attr:`Field.dtype`).
DTYPES = {"string": "string", "integer": "Int64", "year": "Int64", "number": "Float64",
          "boolean": "boolean", "date": "datetime64[ns]"}
FIELD_TYPES = tuple(DTYPES)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    required: bool = False
    enum: tuple | None = None
    constraints: dict | None = None
    #: a display name (``"displayName": true``): unique in its table once folded (validate)
    display_name: bool = False

    @property
    def dtype(self):
        """The pandas dtype this field loads as."""
        import pandas as pd

        if self.enum:
            return pd.CategoricalDtype(categories=list(self.enum), ordered=False)
        return DTYPES[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    layer: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...]
    exactly_one_of: tuple[str, ...]
    polymorphic_keys: tuple[dict, ...]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}; fields: {', '.join(self.field_names)}")

    @property
    def has_provenance(self) -> bool:
        return "paragraph" in self.field_names


@dataclass(frozen=True)
class Schema:
    descriptor: dict
    tables: dict[str, Table]

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables)}") from None


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)




def parse_descriptor(descriptor: dict) -> Schema:
    """The schema of a descriptor. ``layerFields`` (``{"chapter": [field, ...]}``) declares once
    fields that every table of a layer ends with (the ``curation`` marker of chapter rows).

    A descriptor that is not shaped like one (a resource without a schema, a field of an unknown
    type) raises DataFolderError, one line: ``briefings validate`` names every problem."""
    from ..errors import DataFolderError

    try:
        schema = _parse(descriptor)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as err:
        raise DataFolderError(f"{DESCRIPTOR} is not shaped like a data package descriptor "
                              f"({type(err).__name__}: {str(err)[:80]}); `briefings validate` "
                              "names every problem") from None
    for table in schema.tables.values():
        for f in table.fields:
            if f.type not in FIELD_TYPES:
                raise DataFolderError(f"{DESCRIPTOR}: resource {table.name!r}: field {f.name!r} has "
                                      f"type {str(f.type)[:40]!r}; allowed: {', '.join(FIELD_TYPES)}")
    return schema


def _parse(descriptor: dict) -> Schema:
    tables = {}
    shared = descriptor.get("layerFields", {})
    for res in descriptor["resources"]:
        fields = []
        own = {fd["name"] for fd in res["schema"]["fields"]}
        extra = [fd for fd in shared.get(res.get("layer", "chapter"), []) if fd["name"] not in own]
        for fd in res["schema"]["fields"] + extra:
            cons = fd.get("constraints", {})
            fields.append(Field(fd["name"], fd.get("type", "string"), fd.get("description", ""),
                                bool(cons.get("required")),
                                tuple(cons["enum"]) if "enum" in cons else None, cons or None,
                                bool(fd.get("displayName"))))
        fks = []
        for fk in res["schema"].get("foreignKeys", []):
            fks.append({"fields": _as_tuple(fk["fields"]),
                        "resource": fk["reference"]["resource"],
                        "reference_fields": _as_tuple(fk["reference"]["fields"])})
        tables[res["name"]] = Table(res["name"], res["path"], res.get("layer", "chapter"),
                                    res.get("description", ""), tuple(fields),
                                    _as_tuple(res["schema"].get("primaryKey")), tuple(fks),
                                    _as_tuple(res.get("exactlyOneOf")),
                                    tuple(res.get("polymorphicForeignKeys", [])))
    return Schema(descriptor, tables)


def read_descriptor(folder: Path | None = None) -> dict:
    """The decoded ``datapackage.json``; DataFolderError (one line) when it cannot be read."""
    from ..errors import DataFolderError

    from .files import FileRefused, read_package_file

    folder = folder or data_dir()
    path = folder / DESCRIPTOR
    try:  # a member of its package: a link out of the folder is refused, as validate refuses it
        descriptor = json.loads(read_package_file(folder, DESCRIPTOR).decode("utf-8"),
                                object_pairs_hook=no_key_twice)
    except FileRefused as err:
        raise DataFolderError(f"cannot read {path}: {err}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        reason = "nested too deeply" if isinstance(err, RecursionError) else \
            str(err).splitlines()[0][:120]
        raise DataFolderError(f"{path} is not a readable data package descriptor ({reason}); "
                              f"`briefings validate --data {path.parent}` says more") from None
    if not isinstance(descriptor, dict):
        raise DataFolderError(f"{path} is not a data package descriptor (a JSON object)")
    from .document import chapter_problem

    problem = chapter_problem(descriptor.get("chapter"))
    if problem:
        raise DataFolderError(f"{path}: {problem}")
    return descriptor


def no_key_twice(pairs: list) -> dict:
    """A JSON object, refused when it names a key twice (JSON keeps the last one silently: a
    second ``"resources": []`` would empty the package)."""
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {str(key)[:40]!r} is given twice in one object")
        seen[key] = value
    return seen


@lru_cache(maxsize=4)
def _active_schema(folder: str) -> Schema:
    return parse_descriptor(read_descriptor(Path(folder)))


def load_schema(folder: Path | None = None) -> Schema:
    """The schema of the active data folder (``PSW_DATA_DIR`` or the project's ``data/``), read
    once per folder; or of the data package in ``folder``, read each time."""
    if folder is None:
        return _active_schema(str(data_dir().resolve()))
    return parse_descriptor(read_descriptor(folder))

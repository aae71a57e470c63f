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
        return {
            "string": "string",
            "integer": "Int64",
            "year": "Int64",
            "number": "Float64",
            "boolean": "boolean",
            "date": "datetime64[ns]",
        }[self.type]


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
    fields that every table of a layer ends with (the ``curation`` marker of chapter rows)."""
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

    from .files import FileRefused, read_bounded

    path = (folder or data_dir()) / DESCRIPTOR
    try:
        descriptor = json.loads(read_bounded(path, kind="data file", what="descriptor")
                                .decode("utf-8"))
    except FileRefused as err:
        raise DataFolderError(f"cannot read {path}: {err}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        reason = "nested too deeply" if isinstance(err, RecursionError) else \
            str(err).splitlines()[0][:120]
        raise DataFolderError(f"{path} is not a readable data package descriptor ({reason}); "
                              f"`briefings validate --data {path.parent}` says more") from None
    if not isinstance(descriptor, dict):
        raise DataFolderError(f"{path} is not a data package descriptor (a JSON object)")
    return descriptor


@lru_cache(maxsize=1)
def _default_schema() -> Schema:
    return parse_descriptor(read_descriptor())


def load_schema(folder: Path | None = None) -> Schema:
    """The schema of the project's dataset (or of the data package in ``folder``)."""
    if folder is None:
        return _default_schema()
    return parse_descriptor(read_descriptor(folder))

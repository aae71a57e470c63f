"""Peace & Security Workbook: the structured dataset of A/72/1 chapter II.B and its helpers.

``import analysis`` stays light: pandas is imported on first load, geopandas and matplotlib
only when a map or chart is asked for.
"""
from .data.dataset import Dataset, load
from .data.schema import load_schema

__version__ = "0.1.0"

#: The modules a notebook reaches as ``from analysis import queries``: the analyst's short names,
#: whichever layer package holds each (:mod:`analysis.data`, ``model``, ``prose``, ``graphics``,
#: ``briefings``, ``apps``). Imported on first use, so that ``import analysis`` stays light.
NOTEBOOK_MODULES = {
    "document": "analysis.data.document",
    "seed": "analysis.data.seed",
    "queries": "analysis.model.queries",
    "text": "analysis.prose.text",
    "charts": "analysis.graphics.charts",
    "maps": "analysis.graphics.maps",
    "params": "analysis.briefings.params",
    "explore": "analysis.apps.explore",
}


def __getattr__(name: str):
    if name in NOTEBOOK_MODULES:
        import importlib

        return importlib.import_module(NOTEBOOK_MODULES[name])
    # ``analysis.CHAPTER``: the document of the active data package, e.g. "A/72/1, chapter II.B
    # (Maintenance of international peace and security)"; read from the data, not a constant.
    if name == "CHAPTER":
        from .data.document import chapter_document

        doc = chapter_document()
        return f"{doc.long_label} ({doc.title})"
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


__all__ = ["CHAPTER", "Dataset", "load", "load_schema", "__version__"]

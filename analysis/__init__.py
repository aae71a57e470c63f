"""Peace & Security Workbook: the structured dataset of A/72/1 chapter II.B and its helpers.

``import analysis`` stays light: pandas is imported on first load, geopandas and matplotlib
only when a map or chart is asked for.
"""
from .dataset import Dataset, load
from .schema import load_schema

__version__ = "0.1.0"


def __getattr__(name: str):
    # ``analysis.CHAPTER``: the document of the active data package, e.g. "A/72/1, chapter II.B
    # (Maintenance of international peace and security)"; read from the data, not a constant.
    if name == "CHAPTER":
        from .document import chapter_document

        doc = chapter_document()
        return f"{doc.long_label} ({doc.title})"
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


__all__ = ["CHAPTER", "Dataset", "load", "load_schema", "__version__"]

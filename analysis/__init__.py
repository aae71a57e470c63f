"""Peace & Security Workbook: the structured dataset of A/72/1 chapter II.B and its helpers.

``import analysis`` stays light: pandas is imported on first load, geopandas and matplotlib
only when a map or chart is asked for.
"""
from .dataset import Dataset, load
from .schema import load_schema

__version__ = "0.1.0"
CHAPTER = "A/72/1, chapter II.B (Maintenance of international peace and security)"

__all__ = ["CHAPTER", "Dataset", "load", "load_schema", "__version__"]

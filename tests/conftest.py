"""Shared fixtures: the seed text (skipped with a reason when absent), quiet matplotlib."""
from __future__ import annotations

import os

import pytest

import matplotlib

# Agg for the test process only: an MPLBACKEND variable would be inherited by the notebook
# kernels the tests start, and executed notebooks would then hold no figures.
matplotlib.use("Agg")
os.environ.pop("MPLBACKEND", None)

from analysis import seed  # noqa: E402

SEED_MISSING = (
    "the chapter's text is not at ../shared/seed/ (it lives beside the project in its workplace); "
    "provenance against the seed cannot be checked here"
)


@pytest.fixture(scope="session")
def seed_paragraphs():
    """The chapter's paragraphs keyed by locator; skips the test when the seed folder is absent."""
    if not seed.seed_available():
        pytest.skip(SEED_MISSING)
    return seed.paragraphs()


@pytest.fixture(scope="session")
def dataset():
    import analysis

    return analysis.load()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")

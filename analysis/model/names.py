"""One printed name per place, and its article in running text.

Every list, map, table and sentence prints a country by :func:`display_name` (the ``countries``
table's ``display_name``: the chapter's spelling where the chapter names the country), so the same
country never appears as "DR Congo" in one place and "Democratic Republic of the Congo" in another.
:func:`in_sentence` puts the article English uses before a name in running text ("the Gambia",
"the Americas", "the Caribbean"), from the ``article`` fields of ``countries``, ``places`` and
``area_names``.

>>> display_name("COD")
'Democratic Republic of the Congo'
>>> in_sentence("Gambia")
'the Gambia'
>>> in_sentence("Caribbean", start=True)
'The Caribbean'
"""
from __future__ import annotations

__all__ = ["article", "display_name", "display_names", "in_sentence"]


def _dataset(ds):
    if ds is not None:
        return ds
    from ..data.dataset import load

    return load()


def _text(value) -> str:
    return value if isinstance(value, str) else ""




def _tables(ds) -> tuple[dict, dict]:
    """({iso3: display name}, {name: article}) for one dataset object."""
    countries = ds.countries
    names = dict(zip(countries["iso3"].astype(str), countries["display_name"].astype(str)))
    articles: dict[str, str] = {}

    def add(frame, column):
        for name, art in zip(frame[column], frame["article"]):
            if isinstance(name, str):
                articles.setdefault(name, _text(art))

    add(ds.places, "name")
    add(countries, "display_name")
    add(ds.area_names, "name")
    return names, articles


def _lookup(ds):
    from ..data import recording

    return recording.derived(_dataset(ds), "names", _tables)


def display_name(iso3: str, ds=None) -> str:
    """The one name printed for country ``iso3`` everywhere; the code itself when it is unknown."""
    names, _ = _lookup(ds)
    return names.get(str(iso3), str(iso3))


def display_names(ds=None) -> dict[str, str]:
    """{iso3: display name} for every country and area (e.g. to rename map outlines)."""
    names, _ = _lookup(ds)
    return dict(names)


def article(name: str, ds=None) -> str:
    """'the' when English puts it before ``name`` in running text, else ''."""
    _, articles = _lookup(ds)
    return articles.get(str(name), "")


def in_sentence(name: str, ds=None, *, start: bool = False) -> str:
    """``name`` as it reads in running text: 'the Gambia', 'Mali'; capitalised when ``start``."""
    name = str(name)
    art = article(name, ds)
    text = f"{art} {name}" if art else name
    return text[:1].upper() + text[1:] if start else text

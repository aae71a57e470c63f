"""Numbers and counted words as the briefings, charts and maps write them (one helper each).

- :func:`format_number`: ``7.86`` -> ``7.86``, ``8.30`` -> ``8.3``, ``152822`` -> ``152,822``.
- :func:`format_value`: a value with its unit and qualifier, the way the chapter writes it:
  ``26 per cent``, ``more than 60``, ``US$ 8.3 billion``, and a number the chapter gives only
  as an order of magnitude in words (``hundreds of thousands``), never as a precise figure.
- :func:`figure_value`: a chapter figure as printed (its ``printed`` form, else the above).
- :func:`plural`: ``1 partner``, ``3 partners``, ``2 offices or envoys``.

No pandas or matplotlib here: text, charts and maps all import it.
"""
from __future__ import annotations

import math

#: Qualifiers printed before the number ("exact" prints nothing).
QUALIFIERS = ("exact", "about", "almost", "more than", "at least", "order of magnitude")
_MAGNITUDES = {2: "hundreds", 3: "thousands", 4: "tens of thousands", 5: "hundreds of thousands",
               6: "millions", 7: "tens of millions", 8: "hundreds of millions", 9: "billions"}


def format_number(value) -> str:
    """7.86 -> '7.86', 8.30 -> '8.3', 152822 -> '152,822'."""
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or \
        str(value) in ("", "nan", "<NA>", "None")


def _with_unit(shown: str, unit: str) -> str:
    return {"percent": f"{shown} per cent", "%": f"{shown} per cent", "US$": f"US$ {shown}",
            "US$ million": f"US$ {shown} million", "US$ billion": f"US$ {shown} billion",
            "people": f"{shown} people"}.get(unit, shown)


def _magnitude(number: float, unit: str) -> str:
    """A number the chapter gives only as an order of magnitude (its value a lower bound), in the
    chapter's kind of words: 200000 -> 'hundreds of thousands', 3000 -> 'thousands'."""
    words = _MAGNITUDES.get(math.floor(math.log10(number) + 1e-9)) if number >= 100 else None
    if words is None or unit not in ("count", "people", ""):
        return f"of the order of {_with_unit(format_number(number), unit)}"
    return f"{words} of people" if unit == "people" else words


def format_value(value, unit, qualifier=None) -> str:
    """A number with its unit and qualifier, as the chapter writes it.

    >>> format_value(15, "percent", "at least")
    'at least 15 per cent'
    >>> format_value(100000, "count", "order of magnitude")
    'hundreds of thousands'
    """
    number = float(value)
    unit = "" if _missing(unit) else str(unit)
    qualifier = "exact" if _missing(qualifier) else str(qualifier)
    if qualifier == "order of magnitude":
        return _magnitude(number, unit)
    text = _with_unit(format_number(number), unit)
    return text if qualifier == "exact" else f"{qualifier} {text}"


def figure_value(row, prefix: str = "") -> str:
    """A figure of the chapter as printed: its ``printed`` form from the data (``figures.printed``:
    "gender parity", "hundreds of thousands", "more than 60"), else :func:`format_value` of its
    value, unit and qualifier. ``prefix="target_"`` reads the target's columns of a joined row."""
    printed = row.get(f"{prefix}printed")
    if isinstance(printed, str) and printed:
        return printed
    return format_value(row[f"{prefix}value"], row.get(f"{prefix}unit"), row.get(f"{prefix}qualifier"))


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word in the singular or plural: plural(1, 'partner') -> '1 partner'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def agree(n: int, one: str, many: str) -> str:
    """The verb that agrees with ``n``: agree(1, 'concerns', 'concern') -> 'concerns'."""
    return one if n == 1 else many


def public_value(row, *, caveat: bool = True) -> str:
    """A public context figure as printed: :func:`format_value` of its value, unit and qualifier,
    and, when ``caveat`` and the row has one (``public_figures.caveat``: the 2017/18 budget funds
    two operations for six months only), that caveat beside it in brackets. Text, tables and
    charts all print a context figure through this."""
    shown = format_value(row["value"], row.get("unit"), row.get("qualifier"))
    note = row.get("caveat") if caveat else None
    if isinstance(note, str) and note.strip():
        shown += f" ({caveat_phrase(note)})"
    return shown


def caveat_phrase(note: str) -> str:
    """A caveat's first clause, to stand in brackets beside its figure ("funds the Darfur and
    Haiti operations for six months only")."""
    first = note.strip().split(":", 1)[0].rstrip(".")
    word = first.split(" ", 1)[0]
    if word[1:2].isupper() or not word[:1].isalpha():  # an acronym ('SIPRI's') keeps its capitals
        return first
    return first[:1].lower() + first[1:]


def tied_lead(names, counts, *, verb_one: str, verb_many: str) -> str:
    """The leaders of a count, ties named together: 'UNOWAS and the EU span the most (2 each)',
    'the AU spans the most (3)'. ``names`` and ``counts`` are parallel; only the top ones are named."""
    pairs = list(zip(names, counts))
    if not pairs:
        return ""
    top = max(c for _, c in pairs)
    leaders = [n for n, c in pairs if c == top]
    if len(leaders) == 1:
        return f"{leaders[0]} {verb_one} the most ({format_number(top)})"
    listed = ", ".join(leaders[:-1]) + " and " + leaders[-1]
    return f"{listed} {verb_many} the most ({format_number(top)} each)"


def flag_set(value) -> bool:
    """Whether a yes/no cell of the data (``inferred``, ``generic``) is set: False for an empty,
    missing (NA, NaN) or false ("False", "false") value."""
    try:
        return bool(value) and str(value) not in ("<NA>", "nan", "False", "false")
    except (TypeError, ValueError):  # pd.NA
        return False

"""Paragraph locators (``crisis/2``): the one pattern, and the chapter's reading order.

A locator is a section id (lower-case letters, digits and hyphens, starting with a letter), a
slash and the paragraph's number in that section (from 1; the photo caption is ``caption/1``).
The reading order is the order of the sections in the chapter (the ``number`` of ``sections.csv``,
read by :func:`analysis.data.seed.section_headings`) and then the number.
Charts, maps, the briefing text and ``briefings validate`` all use this module, so they agree on
what a locator is and on the order in which paragraphs are cited.
"""
from __future__ import annotations

import re
from typing import Iterable

#: One locator; ``fullmatch`` checks a value, ``findall`` finds the locators in a text.
LOCATOR = re.compile(r"[a-z][a-z0-9-]*/[1-9][0-9]*")


def section_order() -> dict[str, int]:
    """Section id -> its position in the chapter (the caption first), from the ``sections`` table
    of the active data package (cached by :func:`analysis.data.seed.section_headings`)."""
    from . import recording
    from .seed import section_headings

    # read from sections.csv, not through the dataset: recorded as a read of that table
    recording.table_read("sections", ("number", "section_id", "title"))
    headings, opening = section_headings()
    order = [opening, *headings.values()]
    return {section: i for i, section in enumerate(order)}


def paragraph_sort_key(locator: str) -> tuple:
    """Sort key putting paragraph locators (``crisis/2``) in the chapter's reading order;
    unknown sections come last, in alphabetical order."""
    return _sort_key(locator, section_order())


def _sort_key(locator: str, order: dict[str, int]) -> tuple:
    section, _, number = str(locator).partition("/")
    return (order.get(section, len(order)), section, int(number) if number.isdigit() else 0)


def reading_position(locator) -> int:
    """A paragraph's place in the reading order as one integer (for sorting table columns);
    a value that is not a locator of a known section comes last."""
    if not isinstance(locator, str) or not LOCATOR.fullmatch(locator):
        return 10**9
    section, number, _ = paragraph_sort_key(locator)[0], int(locator.partition("/")[2]), None
    return section * 10_000 + number


def paragraph_locators(values: Iterable | None) -> list[str]:
    """The distinct locators in ``values`` (strings, possibly several per value, such as
    ``"wps/1, crisis/2"``), in reading order; values that are not strings are skipped."""
    found: set[str] = set()
    for value in values if values is not None else ():
        if isinstance(value, str):
            found.update(LOCATOR.findall(value))
    if not found:
        return []
    order = section_order()  # once for the list, not once per locator
    return sorted(found, key=lambda locator: _sort_key(locator, order))


def compact_locators(locators: Iterable[str]) -> list[str]:
    """Runs of three or more paragraphs in one section as ranges: crisis/1, crisis/2, crisis/3 ->
    crisis/1\u20133 (pairs stay as they are)."""
    out, run = [], []

    def flush():
        if len(run) >= 3:
            out.append(f"{run[0][0]}/{run[0][1]}\u2013{run[-1][1]}")
        else:
            out.extend(f"{s}/{n}" for s, n in run)
        run.clear()

    for locator in locators:
        section, _, number = locator.partition("/")
        if not number.isdigit():
            flush()
            out.append(locator)
            continue
        if run and (run[-1][0] != section or run[-1][1] + 1 != int(number)):
            flush()
        run.append((section, int(number)))
    flush()
    return out


def section_titles(ds=None) -> dict[str, str]:
    """Section id -> its title as the chapter gives it ("crisis" -> "Crisis management"), from
    the ``sections`` table of ``ds`` (or of the active data package)."""
    sections = getattr(ds, "sections", None) if ds is not None else None
    if sections is not None and {"section_id", "title"} <= set(sections.columns):
        return {str(s): str(t) for s, t in zip(sections["section_id"], sections["title"])
                if isinstance(t, str) and t}
    import csv

    from . import recording
    from .paths import data_dir

    recording.table_read("sections", ("number", "section_id", "title"))  # as section_order does
    try:  # the active package's table, section 0 (which has no heading) included
        with (data_dir() / "sections.csv").open(encoding="utf-8", newline="") as handle:
            return {row["section_id"].strip(): row["title"].strip() for row in csv.DictReader(handle)
                    if (row.get("section_id") or "").strip() and (row.get("title") or "").strip()}
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, AttributeError):
        from .seed import section_headings

        headings, _ = section_headings()
        return {section: title for title, section in headings.items()}


def opening_section(ds=None) -> str:
    """The id of section 0, the text before the first heading (the photo caption), which has
    no heading in the chapter: its number is 0 in the ``sections`` table."""
    sections = getattr(ds, "sections", None) if ds is not None else None
    if sections is not None and {"section_id", "number"} <= set(sections.columns):
        found = [str(s) for s, n in zip(sections["section_id"], sections["number"])
                 if str(n).strip() == "0"]
        if found:
            return found[0]
    from . import recording
    from .seed import section_headings

    recording.table_read("sections", ("number", "section_id", "title"))
    return section_headings()[1]


def paragraph_reference(locator: str, *, ds=None) -> str:
    """A paragraph as a reader cites it: ``crisis/3`` -> "A/72/1, chapter II.B, ‘Crisis
    management’, paragraph 3" (the document from the data package's ``chapter``, the section's
    heading as the chapter gives it, from its ``sections`` table). The text before the first
    heading has no heading: "A/72/1, chapter II.B, before the first heading (photo caption),
    paragraph 1". ValueError for a value that is not a locator."""
    from .document import for_dataset

    if not isinstance(locator, str) or not LOCATOR.fullmatch(locator):
        raise ValueError(f"not a paragraph locator: {locator!r} (allowed: section/number, e.g. crisis/3)")
    section, _, number = locator.partition("/")
    title = section_titles(ds).get(section, section)
    if section == opening_section(ds):
        what = title[:1].lower() + title[1:] if title[1:2].islower() else title
        return f"{for_dataset(ds).long_label}, before the first heading ({what}), paragraph {number}"
    return f"{for_dataset(ds).long_label}, \u2018{title}\u2019, paragraph {number}"

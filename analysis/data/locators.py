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
    section, _, number = str(locator).partition("/")
    order = section_order()
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
    return sorted(found, key=paragraph_sort_key)


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
    from .seed import section_headings

    headings, _ = section_headings()
    return {section: title for title, section in headings.items()}


def paragraph_reference(locator: str, *, ds=None) -> str:
    """A paragraph as a reader cites it: ``crisis/3`` -> "A/72/1, chapter II.B, ‘Crisis
    management’, paragraph 3" (the document from the data package's ``chapter``, the section's
    title from its ``sections`` table). ValueError for a value that is not a locator."""
    from .document import for_dataset

    if not isinstance(locator, str) or not LOCATOR.fullmatch(locator):
        raise ValueError(f"not a paragraph locator: {locator!r} (allowed: section/number, e.g. crisis/3)")
    section, _, number = locator.partition("/")
    title = section_titles(ds).get(section, section)
    return f"{for_dataset(ds).long_label}, \u2018{title}\u2019, paragraph {number}"

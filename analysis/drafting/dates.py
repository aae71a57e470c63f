"""Dates as a chapter writes them, with a precision and bounds as in the ``events`` table.

"on 30 December 2018" -> day; "in March 2018", "the May 2016 agreement" -> month; "in 2016" ->
year; "early 2017", "mid-2017", "late 2017", "the first half of 2017" -> period within the year;
"2017-2018", "from 2016 to 2018", "between 2016 and 2018" -> period over years; "the reporting
period" -> the period of the report (inferred: the bounds come from the report's year).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
_MONTH = "|".join(MONTHS)
_YEAR = r"(?:19[4-9]\d|20\d\d)"

#: Part of a year: words -> (first month, last month).
PARTS = {
    "early": (1, 6), "early in": (1, 6), "late in": (7, 12), "in early": (1, 6), "in late": (7, 12), "the beginning of": (1, 3), "the start of": (1, 3), "the first half of": (1, 6),
    "mid": (4, 9), "mid-": (4, 9), "the middle of": (4, 9), "the second half of": (7, 12),
    "late": (7, 12), "the first quarter of": (1, 3), "the second quarter of": (4, 6),
    "the third quarter of": (7, 9), "the fourth quarter of": (10, 12),
}
_PART = "|".join(sorted((re.escape(p) for p in PARTS), key=len, reverse=True))

PATTERNS = [
    ("day", re.compile(rf"\b(?P<d>[0-3]?\d) (?P<m>{_MONTH}) (?P<y>{_YEAR})\b")),
    ("day-us", re.compile(rf"\b(?P<m>{_MONTH}) (?P<d>[0-3]?\d), (?P<y>{_YEAR})\b")),
    ("month-span", re.compile(rf"\b(?:from |between )?(?P<m1>{_MONTH}) (?:(?P<y1>{_YEAR}) )?(?:to|and|-|\u2013) "
                              rf"(?P<m2>{_MONTH}) (?P<y2>{_YEAR})\b")),
    ("month", re.compile(rf"\b(?P<m>{_MONTH}) (?:of )?(?P<y>{_YEAR})\b")),
    ("part", re.compile(rf"(?<![\w-])(?P<p>{_PART})\s?(?P<y>{_YEAR})\b", re.IGNORECASE)),
    ("years", re.compile(rf"\b(?:from |between )?(?P<y1>{_YEAR})\s?(?:-|\u2013|/|to|and)\s?(?P<y2>{_YEAR}|\d\d)\b(?![/-]\d)")),
    ("year", re.compile(rf"(?<![\w/.-])(?P<y>{_YEAR})(?![\w/-]|\.\d|-\d)")),
    ("reporting", re.compile(r"\b(?:the|this) reporting period\b", re.IGNORECASE)),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    written: str
    label: str
    precision: str
    date_start: date
    date_end: date
    inferred: bool = False
    note: str = ""


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def find_dates(text: str, *, report_year: int) -> list[DateMention]:
    """Every date expression in ``text``, leftmost-longest, without overlaps."""
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []

    def free(a, b):
        return all(b <= s or a >= e for s, e in taken)

    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            mention = _mention(kind, m, report_year)
            if mention is None:
                continue
            taken.append((m.start(), m.end()))
            out.append(mention)
    return sorted(out, key=lambda d: d.start)


def _mention(kind: str, m: re.Match, report_year: int) -> DateMention | None:
    written = m.group(0)
    try:
        if kind in ("day", "day-us"):
            y, mo, d = int(m["y"]), MONTHS[m["m"]], int(m["d"])
            day = date(y, mo, d)
            return DateMention(m.start(), m.end(), written, day.isoformat(), "day", day, day)
        if kind == "month":
            y, mo = int(m["y"]), MONTHS[m["m"]]
            return DateMention(m.start(), m.end(), written, f"{y}-{mo:02d}", "month", date(y, mo, 1),
                               _last_day(y, mo))
        if kind == "month-span":
            y2, m2, m1 = int(m["y2"]), MONTHS[m["m2"]], MONTHS[m["m1"]]
            y1 = int(m["y1"]) if m["y1"] else (y2 if m1 <= m2 else y2 - 1)
            return DateMention(m.start(), m.end(), written, f"{y1}-{m1:02d}/{y2}-{m2:02d}", "period",
                               date(y1, m1, 1), _last_day(y2, m2))
        if kind == "part":
            y = int(m["y"])
            first, last = PARTS[m["p"].lower()]
            return DateMention(m.start(), m.end(), written, f"{y}-{first:02d}/{y}-{last:02d}", "period",
                               date(y, first, 1), _last_day(y, last), True,
                               f"'{written}' is read as {calendar.month_name[first]} to "
                               f"{calendar.month_name[last]} {y}; check the exact dates")
        if kind == "years":
            y1 = int(m["y1"])
            y2 = int(m["y2"]) if len(m["y2"]) == 4 else int(str(y1)[:2] + m["y2"])
            if not y1 < y2 <= y1 + 30:
                return None
            return DateMention(m.start(), m.end(), written, f"{y1}/{y2}", "period", date(y1, 1, 1),
                               date(y2, 12, 31))
        if kind == "year":
            y = int(m["y"])
            return DateMention(m.start(), m.end(), written, str(y), "year", date(y, 1, 1), date(y, 12, 31))
        if kind == "reporting":
            y1, y2 = report_year - 1, report_year
            return DateMention(m.start(), m.end(), written, f"{y1}/{y2}", "period", date(y1, 1, 1),
                               date(y2, 12, 31), True,
                               f"'{written}' is the period the report of {report_year} covers, bounded here "
                               f"as {y1} to {y2}; check the report's own statement of its period")
    except (ValueError, KeyError):
        return None
    return None


#: Words in the sentence that make an event planned rather than happened.
PLANNED = re.compile(r"\b(?:will|shall|planned|plans?|forthcoming|upcoming|expected|scheduled|"
                     r"ahead of|by the end of|due|intends?|to be held)\b", re.IGNORECASE)


def status_of(sentence: str, mention: DateMention, report_year: int) -> str:
    """'planned' when the sentence looks forward or the date lies after the report's year."""
    if mention.date_start.year > report_year:
        return "planned"
    return "planned" if PLANNED.search(sentence) else "happened"

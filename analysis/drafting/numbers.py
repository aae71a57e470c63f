"""Numbers as a chapter prints them: digits or words, with a unit and a qualifier.

"more than 150 Member States" -> 150, count, more than; "US$ 183 million" -> 183, US$ million;
"40 per cent" -> 40, percent; "Fourteen peacekeeping operations" -> 14, count; "hundreds of
thousands of people" -> 100000, order of magnitude; "his second term" -> 2, ordinal. Years,
dates, document symbols and resolution numbers are not figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

UNITS_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
              "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20}
#: "hundreds of thousands" and the like: an order of magnitude, recorded as its lower bound (the
#: plural means at least two: "hundreds of thousands" is at least 200,000), as the curated figures do.
MAGNITUDES = {"hundreds of thousands": 200_000, "tens of thousands": 20_000, "thousands": 2_000,
              "hundreds": 200, "millions": 2_000_000, "dozens": 24, "tens of millions": 20_000_000}
QUALIFIERS = {
    "more than": "more than", "over": "more than", "in excess of": "more than", "upwards of": "more than",
    "at least": "at least", "no fewer than": "at least", "no less than": "at least",
    "nearly": "almost", "almost": "almost", "close to": "almost", "just under": "almost",
    "about": "about", "some": "about", "approximately": "about", "around": "about", "roughly": "about",
    "an estimated": "about", "up to": "up to", "fewer than": "fewer than", "less than": "fewer than",
    "under": "fewer than",
}
CURRENCY = r"(?:US\s?\$|USD|\$)"

_word_number = (r"(?:(?:" + "|".join(TENS_WORDS) + r")(?:-(?:" + "|".join(list(UNITS_WORDS)[:9]) + r"))?|"
                + "|".join(sorted(UNITS_WORDS, key=len, reverse=True)) + r")")
_word_number = rf"(?:{_word_number}(?: hundred)?(?: (?:thousand|million|billion))?)"
_digits = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_qualifier = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
_magnitude = "|".join(sorted((re.escape(m) for m in MAGNITUDES), key=len, reverse=True))

NUMBER = re.compile(
    rf"(?<![\w/.,-])(?:(?P<q>{_qualifier}) )?"
    rf"(?:(?P<cur>{CURRENCY}) ?)?"
    rf"(?:(?P<mag>{_magnitude})(?= of\b)|(?P<num>{_digits})(?! ?(?:/|\.\d))|(?P<word>{_word_number})\b|(?P<ord>"
    + "|".join(ORDINALS) + r")\b)"
    rf"(?: (?P<scale>million|billion|trillion)\b)?"
    rf"(?P<pct> ?(?:per cent|percent|%))?",
    re.IGNORECASE)
#: What precedes a number that is a reference, not a figure.
REFERENCE_BEFORE = re.compile(r"(?:resolutions?|[Aa]rticle|[Cc]hapter|[Ff]igure|[Ss]ection|[Pp]aragraph|"
                              r"[Tt]able|[Aa]nnex|No\.|S/RES/|A/RES/|[A-Z]/)\s*$")
YEAR = re.compile(r"^(?:19[4-9]\d|20\d\d)$")
MONTH_WORDS = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October|"
                         r"November|December)\s*$")
#: A following noun phrase: what the number counts (stops at punctuation or a verb-like word).
COUNTED = re.compile(r"\s+((?:[A-Za-z][\w'-]*)(?:\s+(?!(?:of|in|to|at|for|on|and|by|from|with|was|were|"
                     r"is|are|has|have|had|that|which|who|will|would|can|could|remain|[a-z]+ed)\b)"
                     r"[A-Za-z][\w'-]*){0,3})")


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int
    written: str
    value: float
    unit: str
    qualifier: str
    kind: str
    counts: str


def _words_value(text: str) -> int | None:
    total, current = 0, 0
    for token in re.split(r"[\s-]+", text.lower()):
        if token in UNITS_WORDS:
            current += UNITS_WORDS[token]
        elif token in TENS_WORDS:
            current += TENS_WORDS[token]
        elif token == "hundred":
            current = max(current, 1) * 100
        elif token in SCALES:
            total += max(current, 1) * SCALES[token]
            current = 0
        else:
            return None
    return total + current


def find_numbers(text: str, skip: list[tuple[int, int]] = ()) -> list[NumberMention]:
    """Every figure in ``text``, leaving out spans in ``skip`` (names, dates)."""
    out = []
    for m in NUMBER.finditer(text):
        if not (m["num"] or m["word"] or m["ord"] or m["mag"]):
            continue
        start, end = m.start(), m.end()
        if any(not (end <= a or start >= b) for a, b in skip):
            continue
        before = text[max(0, start - 14):start]
        if REFERENCE_BEFORE.search(before):
            continue
        unit, kind = "count", "count"
        if m["num"]:
            raw = m["num"]
            if YEAR.match(raw) and not m["pct"] and not m["cur"]:
                continue
            if MONTH_WORDS.search(before) or re.match(r"\s+(?:January|February|March|April|May|June|July|"
                                                      r"August|September|October|November|December)\b",
                                                      text[end:end + 12]):
                continue
            value = float(raw.replace(",", ""))
        elif m["word"]:
            word = m["word"]
            if re.match(r"\s*(?:thirds?|quarters?|fifths?|halves)\b", text[end:end + 10]):
                continue  # a fraction, not a count
            if word.lower() == "one" and not m["pct"]:
                continue
            value = float(_words_value(word) or 0)
            if not value:
                continue
        elif m["ord"]:
            value, kind = float(ORDINALS[m["ord"].lower()]), "ordinal"
        else:
            value = float(MAGNITUDES[m["mag"].lower()])
        qualifier = QUALIFIERS.get((m["q"] or "").lower(), "exact")
        if m["mag"]:
            qualifier = "order of magnitude"
        if m["pct"]:
            unit, kind = "percent", "observed"
        elif m["cur"]:
            scale = (m["scale"] or "").lower()
            unit, kind = (f"US$ {scale}" if scale in ("million", "billion") else "US$"), "observed"
        elif m["scale"]:
            value *= SCALES[m["scale"].lower()]
        counted = ""
        if unit == "count":
            follow = COUNTED.match(text[end:end + 60])
            counted = follow.group(1) if follow else ""
            if m["mag"]:
                follow = re.match(r"\s+of\s+([A-Za-z][\w'-]*)", text[end:end + 40])
                counted = follow.group(1) if follow else ""
        window = text[max(0, start - 40):start].lower()
        if re.search(r"\b(?:target|goal|aim|objective)\b", window):
            kind = "target"
        elif re.search(r"\bpledg", text[max(0, start - 40):min(len(text), end + 60)].lower()) and unit == "count":
            kind = "count"
        written = text[start:end]
        out.append(NumberMention(start, end, written, value, unit, qualifier, kind, counted))
    return out

"""Compare a learner's answer with the expected value and name the slip, without revealing it.

Three shapes of answer cover the course: a number (:func:`number`), a short text such as an ISO
code or a paragraph locator (:func:`text`) and a set of codes or ids (:func:`members`). Each
recognises the common slips (a table where a number was asked, a share for a percentage, a list
for a set, country names for ISO codes, an off-by-one year...) and answers with a
:class:`~analysis.teaching.feedback.Feedback` whose hint helps without giving the value away.
Exercise-specific slips are passed in as ``(predicate, slip, hint)`` triples and tried first.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Iterable

from .feedback import FAILED_CELL_SLIP, UNANSWERED_SLIP, Feedback, mentions

Slip = tuple[Callable[[Any], bool], str, str]

PRAISE = "Well done: that matches the dataset."
UNANSWERED = ("There is no answer yet: replace the `...` after the `=` with your expression, "
              "run the cell, then run this check again.")


#: Slips that are nearly right, and slips where the value is given in the wrong form.
NEAR_MISSES = {"share_for_percent", "percent_for_share", "case", "whitespace", "off_by_one",
               "off_by_one_year", "sign", "unit_scale", "quoted_default", "too_many", "too_few",
               "citation_for_locator", "list_for_set", "text_for_year"}
WRONG_SHAPE = {"table_for_number", "table_for_text", "table_for_set", "collection_for_number",
               "collection_for_text", "text_for_number", "text_for_set", "wrong_type", "missing",
               "dict_for_set", "dict_for_text", "date_for_year", "missing_in_set", "number_for_id"}


def encouragement(slip: str | None) -> str:
    """The first words of the feedback on a wrong answer, by kind of slip."""
    if slip in NEAR_MISSES:
        return "So close!"
    if slip in WRONG_SHAPE:
        return "Good start: now give the answer the form the question asks for."
    return "Good try: have another look."


class _Verdict(Exception):
    """Raised inside a comparison to stop at the first slip recognised."""

    def __init__(self, slip: str | None, hint: str, message: str = ""):
        super().__init__(hint)
        self.slip, self.hint, self.message = slip, hint, message


def _type_name(value) -> str:
    module = type(value).__module__.split(".")[0]
    name = type(value).__name__
    return f"a pandas {name}" if module == "pandas" else f"a {name}"


def _is_frame(value) -> bool:  # a dataset's table is a DataFrame subclass (analysis.data.recording)
    return any(c.__name__ == "DataFrame" for c in type(value).__mro__)


def _is_series(value) -> bool:
    return any(c.__name__ in ("Series", "Index") for c in type(value).__mro__)


def _is_missing(value) -> bool:
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
    except ImportError:  # pragma: no cover - pandas is a dependency
        return isinstance(value, float) and math.isnan(value)


def _common(answer) -> None:
    if answer is Ellipsis:
        raise _Verdict(UNANSWERED_SLIP, UNANSWERED, "Nothing to check yet.")
    if answer is None:
        raise _Verdict("none", "Your answer is `None`: did the last step print or plot "
                               "instead of returning a value? Assign the value itself.")


def _run(exercise: str, answer, expected, compare: Callable[[], bool], slips: Iterable[Slip],
         praise: str) -> Feedback:
    """Right answers first; then the exercise's own slips; then the generic diagnosis."""
    try:
        _common(answer)
    except _Verdict as verdict:
        return _guarded(exercise, expected, verdict.message, verdict.hint, verdict.slip)
    try:
        if compare():
            return Feedback(exercise, True, praise)
        generic = _Verdict("wrong", _GENERIC["fallback"])
    except _Verdict as verdict:
        generic = verdict
    for predicate, slip, hint in slips:
        try:
            hit = predicate(answer)
        except Exception:  # a predicate never breaks a check: the answer just is not that slip
            hit = False
        if hit:
            return _guarded(exercise, expected, "", hint, slip)
    return _guarded(exercise, expected, generic.message, generic.hint, generic.slip)


_GENERIC = {"fallback": "Re-read the question and look at the table it points to; check the filter "
                        "you used and whether each row should count."}


def failed_answer_cell(exercise: str) -> Feedback | None:
    """A Feedback saying that the answer cell failed, when the cell run just before the check
    assigns this exercise's answer (``answer_1_1 = ...``) and stopped with an error: its
    variable still holds an earlier value, which must not be judged. None otherwise (and
    outside IPython)."""
    import re
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    result = getattr(shell, "last_execution_result", None)
    if result is None or result.success:
        return None
    cell = getattr(getattr(result, "info", None), "raw_cell", "") or ""
    name = f"answer_{exercise.replace('.', '_')}"
    if not re.search(rf"^\s*{re.escape(name)}\s*=", cell, flags=re.M):
        return None
    error = result.error_in_exec or result.error_before_exec
    what = f"{type(error).__name__}: {error}" if error is not None else "an error"
    what = " ".join(what.split())
    what = what if len(what) <= 80 else what[:79] + "…"
    return Feedback(exercise, False, f"Your answer cell stopped with an error ({what}), so this "
                                     "check has nothing new to judge.",
                    f"Fix the answer cell and run it again (`{name}` must get a value), then run "
                    "this check.", FAILED_CELL_SLIP)


def _guarded(exercise: str, expected, message: str, hint: str, slip: str | None) -> Feedback:
    """A negative Feedback, unless its text would reveal the expected value (then a neutral one)."""
    message = message or encouragement(slip)
    if mentions(f"{message} {hint}", expected):
        return Feedback(exercise, False, encouragement(None), _GENERIC["fallback"], "wrong")
    return Feedback(exercise, False, message, hint, slip)


# --- numbers -----------------------------------------------------------------------------------

def as_number(value) -> float | None:
    """``value`` as a float when it is a plain or numpy/pandas scalar number (not a bool)."""
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "BooleanDtype"):
        return None
    if isinstance(value, numbers.Number):
        number = float(value)
        return None if math.isnan(number) else number
    return None


def close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance + 1e-9 * max(1.0, abs(b))


def number(exercise: str, answer, expected: float, *, unit: str = "count", tolerance: float = 0.0,
           slips: Iterable[Slip] = (), praise: str = PRAISE) -> Feedback:
    """Check a numeric answer. ``unit`` is "count", "percent", "share", "year" or a money unit."""
    expected = float(expected)

    def compare() -> bool:
        if _is_frame(answer):
            raise _Verdict("table_for_number",
                           "You gave a whole table (a DataFrame); the question asks for one number. "
                           "Reduce it: `len(...)` counts rows, `.sum()` adds a column up, "
                           "`.iloc[0]` takes the first value.")
        if _is_series(answer):
            raise _Verdict("table_for_number",
                           "You gave a column (a pandas Series), not one number. Reduce it with "
                           "`.sum()`, `len(...)`, `.nunique()` or `.iloc[0]`, whichever the question needs.")
        if isinstance(answer, (list, tuple, set, frozenset, dict)):
            raise _Verdict("collection_for_number",
                           f"You gave {_type_name(answer)}, not one number: count it with `len(...)` "
                           "or pick the element the question asks for.")
        if isinstance(answer, str):
            raise _Verdict("text_for_number",
                           "You gave text (a str). Give the number itself: no quotes around it and "
                           "no unit after it.")
        if _is_missing(answer):
            raise _Verdict("missing", "Your answer is a missing value (NaN or NA): the filter probably "
                                      "matched no row. Check the spelling of the value you filter on.")
        value = as_number(answer)
        if value is None:
            raise _Verdict("wrong_type", f"You gave {_type_name(answer)}; the question asks for a number.")
        if close(value, expected, tolerance):
            return True
        if unit == "percent" and expected != 0 and close(value * 100, expected, tolerance):
            raise _Verdict("share_for_percent",
                           "That looks like a share between 0 and 1. The question asks for a "
                           "percentage: multiply by 100 (the dataset stores percentages as 0-100).")
        if unit == "share" and expected != 0 and close(value / 100, expected, tolerance):
            raise _Verdict("percent_for_share",
                           "That looks like a percentage. The question asks for a share between 0 "
                           "and 1: divide by 100.")
        if unit == "year" and value.is_integer() and abs(value - expected) == 1:
            raise _Verdict("off_by_one_year",
                           "Off by one year. Check which date you took (start or end of the "
                           "period) and whether the year is the one the event happened in.")
        if expected != 0 and value != 0 and close(abs(value), abs(expected), tolerance) and \
                math.copysign(1, value) != math.copysign(1, expected):
            raise _Verdict("sign", "Right size, wrong sign: subtract in the other order "
                                   "(later minus earlier).")
        if unit not in ("count", "percent", "share", "year") and expected != 0:
            for factor, word in ((1e3, "thousand"), (1e6, "million"), (1e9, "billion")):
                if close(value, expected * factor, tolerance * factor) or \
                        close(value * factor, expected, tolerance):
                    raise _Verdict("unit_scale",
                                   f"Right digits, wrong scale (a factor of a {word}). Give the "
                                   f"value in {unit}, the unit the question names.")
        if unit == "count" and not value.is_integer():
            raise _Verdict("fraction_for_count",
                           "A count is a whole number. Did you take a mean or a share instead of "
                           "counting rows?")
        if unit == "count" and abs(value - expected) == 1:
            raise _Verdict("off_by_one",
                           "Very close: you are one off. Check whether a row is counted twice, "
                           "or one is filtered out that should stay.")
        raise _Verdict("wrong", "Not the number the dataset gives. " + _GENERIC["fallback"])

    return _run(exercise, answer, expected, compare, slips, praise)


# --- text --------------------------------------------------------------------------------------

def text(exercise: str, answer, expected: str | Iterable[str], *, what: str = "value",
         slips: Iterable[Slip] = (), names_to_codes: dict[str, str] | None = None,
         praise: str = PRAISE) -> Feedback:
    """Check a short text answer (an ISO code, an id, a paragraph locator, a region name).

    ``expected`` may be a set of equally right answers (e.g. partners tied for first place).
    """
    accepted = {expected} if isinstance(expected, str) else {str(e) for e in expected}
    folded = {e.casefold() for e in accepted}

    def compare() -> bool:
        if _is_frame(answer) or _is_series(answer):
            raise _Verdict("table_for_text",
                           f"You gave {_type_name(answer)}; the question asks for one {what}. Take "
                           "the single value out, e.g. with `.iloc[0]` or `.item()`.")
        if isinstance(answer, (list, tuple, set, frozenset)):
            raise _Verdict("collection_for_text",
                           f"You gave {_type_name(answer)}; the question asks for one {what}, "
                           "as text.")
        if not isinstance(answer, str):
            raise _Verdict("wrong_type",
                           f"You gave {_type_name(answer)}; the question asks for the {what} as "
                           "text (a str in quotes).")
        if answer in accepted:
            return True
        if answer.strip() in accepted:
            raise _Verdict("whitespace", "Almost: remove the spaces around it.")
        if answer.strip().casefold() in folded:
            raise _Verdict("case", "Right, apart from upper and lower case: codes and ids must match "
                                   "the dataset exactly.")
        if names_to_codes and answer.strip().casefold() in names_to_codes:
            raise _Verdict("name_for_code",
                           f"That is a name; the question asks for the {what} (a code). Look the "
                           "name up in the table that lists both.")
        raise _Verdict("wrong", f"Not the {what} the dataset gives. " + _GENERIC["fallback"])

    return _run(exercise, answer, sorted(accepted), compare, slips, praise)


# --- sets --------------------------------------------------------------------------------------

def members(exercise: str, answer, expected: Iterable[str], *, item: str = "code",
            slips: Iterable[Slip] = (), names_to_codes: dict[str, str] | None = None,
            praise: str = PRAISE) -> Feedback:
    """Check a set of codes or ids (order does not matter; duplicates are a slip)."""
    expected = frozenset(str(e) for e in expected)

    def compare() -> bool:
        if _is_frame(answer):
            raise _Verdict("table_for_set",
                           f"You gave a whole table; the question asks for a set of {item}s. Take "
                           "the one column, then `set(...)` of it.")
        if isinstance(answer, str):
            raise _Verdict("text_for_set",
                           f"You gave one piece of text; the question asks for a set of {item}s, "
                           "written `{'...', '...'}` or made with `set(...)`.")
        if isinstance(answer, dict):
            raise _Verdict("wrong_type", f"You gave a dict; the question asks for a set of {item}s.")
        if not isinstance(answer, (set, frozenset)):
            try:
                items = list(answer)
            except TypeError:
                raise _Verdict("wrong_type", f"You gave {_type_name(answer)}; the question asks "
                                             f"for a set of {item}s.") from None
            if all(isinstance(i, str) for i in items) and set(items) == expected:
                raise _Verdict("list_for_set",
                               f"The right {item}s, but in {_type_name(answer)}. The question asks "
                               "for a set (no order, no repeats): wrap it in `set(...)`.")
            raise _Verdict("wrong_type",
                           f"You gave {_type_name(answer)}; the question asks for a set: wrap "
                           "your values in `set(...)` and check them again.")
        items = set(answer)
        if not all(isinstance(i, str) for i in items):
            raise _Verdict("wrong_type", f"Each element should be a {item}, as text.")
        if items == expected:
            return True
        folded = {i.strip().casefold() for i in items}
        if folded == {e.casefold() for e in expected}:
            raise _Verdict("case", f"Right {item}s, wrong case or spaces: write them exactly as "
                                   "the dataset does.")
        if names_to_codes:
            named = [i for i in items if i.strip().casefold() in names_to_codes]
            if named:
                raise _Verdict("name_for_code",
                               f"Some elements are names, not {item}s (e.g. a country's name where "
                               f"its ISO 3166 alpha-3 code belongs). Use the code column.")
        if item.startswith("ISO") and any(len(i.strip()) == 2 for i in items):
            raise _Verdict("iso2_for_iso3", "Some codes have two letters: the dataset uses "
                                            "three-letter ISO 3166 alpha-3 codes.")
        if not items:
            raise _Verdict("empty", "Your set is empty: the filter matched nothing. Check the "
                                    "spelling of the values you filter on.")
        extra, missing = items - expected, expected - items
        if not missing:
            raise _Verdict("too_many",
                           f"Every {item} the question wants is there, plus {_count(len(extra))} "
                           f"too many. Which condition of the question did you not filter on yet?")
        if not extra:
            raise _Verdict("too_few",
                           f"Everything you have is right, but {_count(len(missing), 'is', 'are')} missing. Is a "
                           f"filter too narrow, or did you leave out one of the tables?")
        raise _Verdict("wrong",
                       f"{_count(len(items & expected), 'is', 'are')} right, "
                       f"{_count(len(extra), 'does', 'do')} not belong and some are missing. "
                       + _GENERIC["fallback"])

    return _run(exercise, answer, sorted(expected), compare, slips, praise)


_WORDS = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def _count(n: int, singular: str = "", plural: str = "") -> str:
    """A small count in words (words keep digits of the expected value out of hints)."""
    word = _WORDS[n] if n < len(_WORDS) else "several"
    verb = (singular if n == 1 else plural) if singular else ""
    return f"{word} {verb}".strip()

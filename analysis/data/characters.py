"""Which characters text of the data may hold: the one rule for ``validate``, the loader's
descriptor checks and the drafter (none of Unicode categories Cc and Cf, but tab and line
feed in long text)."""
from __future__ import annotations

import re

#: Every character of categories Cc and Cf (Unicode 14; :func:`text_problem` confirms each hit
#: with ``unicodedata``): a quick test before the exact one.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891"
                      "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                      "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
                      "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def text_problem(value: str, *, long_text: bool) -> str | None:
    """Why ``value`` may not be text of the data: a character of category Cc (other than tab and
    line feed in long text) or Cf (bidi controls, zero-width characters). None when fine."""
    import unicodedata

    if not _SUSPECT.search(value):  # the fast path: almost every cell
        return None
    for position, c in enumerate(value, start=1):
        category = unicodedata.category(c)
        if category == "Cc" and not (long_text and c in "\t\n"):
            return (f"holds the control character U+{ord(c):04X} at position {position}; "
                    + ("text may hold none but tab and line feed" if long_text else
                       "a name or short text may hold none") + " (remove it)")
        if category == "Cf":
            name = unicodedata.name(c, "format character")
            return (f"holds the invisible format character U+{ord(c):04X} ({name.lower()}) at "
                    f"position {position}; it can reverse or hide what is printed after it "
                    "(remove it)")
    return None

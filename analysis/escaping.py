"""The one escaper for text that comes from the data: :func:`data_text`.

Text from the data (names, descriptions, titles, addresses) is untrusted. It reaches a page
through Markdown (a briefing's cells and outputs, rendered by nbconvert's mistune) or through
HTML (templates, the index), and in either it must stay text: never a link, an image, an
element, an attribute or emphasis.

:func:`data_text` replaces every character that means something to Markdown or to HTML with a
numeric character reference (``[`` becomes ``&#91;``). CommonMark reads a character reference as
the literal character and never as syntax, and HTML decodes it to the same character, so one
escaped string is safe in both, and a reader sees exactly the original text. Backslash escapes
were rejected: they are Markdown only, and show as backslashes wherever the text goes straight
into HTML. Escaping only ``& < >`` (what the package did before) leaves ``[c](javascript:…)`` a
live link in Markdown.

Line breaks and other control characters become spaces: data text is inline, and a line break
would let it start a heading, a list or a code block of its own.
"""
from __future__ import annotations

import re

#: Characters with a meaning in Markdown (inline or at the start of a block) or in HTML.
SPECIAL = "\\`*_{}[]()<>#+-.!|~&\"':=/@$^%"
_TABLE = {ord(c): f"&#{ord(c)};" for c in SPECIAL}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def data_text(value: object) -> str:
    """``value`` as text safe to place in Markdown or HTML: it shows as itself, never as markup.

    >>> data_text("[c](javascript:alert(3)) <b>")
    '&#91;c&#93;&#40;javascript&#58;alert&#40;3&#41;&#41; &#60;b&#62;'
    """
    text = _CONTROL.sub(" ", str(value))
    return text.translate(_TABLE)


__all__ = ["data_text"]

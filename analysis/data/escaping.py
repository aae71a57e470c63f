"""The one escaper for text that comes from the data: :func:`data_text`; and :func:`slug`, the one
way a name becomes an id or a file name.

Text from the data (names, descriptions, titles, addresses) is untrusted. It reaches a page
through Markdown (a briefing's cells and outputs, rendered by nbconvert's mistune) or through
HTML (templates, the index), and in either it must stay text: never a link, an image, an
element, an attribute or emphasis.

:func:`data_text` replaces every character that means something to Markdown or to HTML with a
character reference (``[`` becomes ``&#91;``, ``<`` ``&lt;``), and ``://`` becomes
``&#58;//``. CommonMark reads a character reference as
the literal character and never as syntax, and HTML decodes it to the same character, so one
escaped string is safe in both, and a reader sees exactly the original text. Backslash escapes
were rejected: they are Markdown only, and show as backslashes wherever the text goes straight
into HTML. Escaping only ``& < >`` (what the package did before) leaves ``[c](javascript:…)`` a
live link in Markdown.

Line breaks and other control characters become spaces, and spaces around the text go: data
text is inline, and a line break or leading spaces would let it start a heading, a list or a
code block of its own (trailing spaces, a hard line break).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

#: Characters with a meaning anywhere in a line of Markdown (emphasis, code, links, images,
#: tables, headings, math) or in HTML text and double-quoted attributes. Parentheses and ``!``
#: mean nothing without the brackets of a link or image around them. A colon matters only
#: in ``://``, which would make a bare address a link (nbconvert's ``url`` plugin).
SPECIAL = "\\`*_[]<>#|~&\"$"
_NAMED = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
_TABLE = {ord(c): _NAMED.get(c, f"&#{ord(c)};") for c in SPECIAL}
#: What starts a block only at the start of a line (a list item, a thematic break, a setext
#: underline, an ordered list item "1." ): escaped there, and data text is one line.
_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def data_text(value: object) -> str:
    """``value`` as text safe to place in Markdown or HTML: it shows as itself, never as markup.

    >>> data_text("[c](javascript:alert(3)) <b>")
    '&#91;c&#93;(javascript:alert(3)) &lt;b&gt;'
    """
    text = _CONTROL.sub(" ", str(value)).strip().translate(_TABLE).replace("://", "&#58;//")
    return _BLOCK_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + f"&#{ord(m.group(2)[-1])};",
                            text, count=1)


__all__ = ["data_text"]


def slug(text: Any, *, limit: int | None = None, empty: str = "") -> str:
    """Lower-case ASCII letters, digits and dashes, for an id or a file name: ``"Côte d'Ivoire"``
    -> ``cote-d-ivoire``; cut to ``limit`` characters; ``empty`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if limit is not None:
        out = out[:limit].strip("-")
    return out or empty

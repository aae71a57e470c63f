"""Read a briefing's title and one-line summary from its executed notebook.

A notebook can state them explicitly: a display output whose metadata holds
``{"briefing": {"title": ..., "summary": ...}}``. Otherwise the title is the first heading
(in a markdown cell or a markdown output) and the summary the first bullet point of a markdown
output, which in the briefing notebooks is the first key point. Markdown syntax is removed and
character references (how :func:`analysis.data.escaping.data_text` writes data text) are read as the
characters they stand for: the result is plain text, which the index page escapes once.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

SUMMARY_LIMIT = 280
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(.+)$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(.+?)\1")
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Summary:
    title: str | None
    summary: str | None


def plain(text: str) -> str:
    """Plain text: Markdown inline syntax and HTML tags removed, character references read,
    whitespace collapsed."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


def _clip(text: str) -> str:
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _markdown_blocks(nb):
    """(kind, content) in reading order: markdown cells, markdown outputs, explicit metadata."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            yield "cell", cell.get("source", "")
        for out in cell.get("outputs", []) or []:
            data = out.get("data") or {}
            meta = (out.get("metadata") or {}).get("briefing")
            if isinstance(meta, dict):
                yield "explicit", meta
            if "text/markdown" in data:
                text = data["text/markdown"]
                yield "output", "".join(text) if isinstance(text, list) else text


def read_summary(nb) -> Summary:
    """Title and summary of an executed briefing (either may be None).

    Explicit metadata wins; then the first heading of an output (the briefing's own title),
    else of a markdown cell; the summary is the first line under a "Key points" heading of an
    output, else the first bullet point of an output.
    """
    explicit: dict = {}
    cell_title = output_title = key_point = first_bullet = None
    for kind, block in _markdown_blocks(nb):
        if kind == "explicit":
            explicit.update({k: v for k, v in block.items() if v})
            continue
        under_key_points = False
        for line in block.splitlines():
            heading = _HEADING.match(line)
            if heading:
                if kind == "cell" and cell_title is None:
                    cell_title = plain(heading.group(1))
                elif kind == "output" and output_title is None:
                    output_title = plain(heading.group(1))
                under_key_points = "key point" in heading.group(1).casefold()
                continue
            if kind != "output" or not line.strip():
                continue
            bullet = _BULLET.match(line)
            if under_key_points and key_point is None and not line.lstrip().startswith("|"):
                key_point = plain(bullet.group(1) if bullet else line)
            if bullet and first_bullet is None:
                first_bullet = plain(bullet.group(1))
    title = plain(str(explicit["title"])) if "title" in explicit else output_title or cell_title
    summary = plain(str(explicit["summary"])) if "summary" in explicit else \
        key_point or first_bullet
    if "summary" in explicit and summary:  # the briefing's own teaser, a whole sentence: never cut
        return Summary(_clip(title) if title else None, summary)
    return Summary(_clip(title) if title else None, _clip(summary) if summary else None)

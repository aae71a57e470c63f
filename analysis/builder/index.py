"""``index.html``: every briefing in the reports folder with its parameters, status and summary.

Every piece of text is escaped (``html.escape``): parameter values, titles and summaries come
from data. The page has no script, no date and no timing, so the same builds give the same bytes.
"""
from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}
p.lead{color:#444;margin-top:0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.5rem .6rem;border-bottom:1px solid #ddd}
th{background:#f3f3f3}
code{font-size:.9em}
.status-built{color:#1a7f37;font-weight:600}
.status-failed{color:#b42318;font-weight:600}
.status-missing{color:#6b6b6b}
.small{font-size:.85em;color:#555}
"""

STATUS_TEXT = {"built": "built", "failed": "failed"}


def _href(name: str) -> str:
    return escape(quote(name), quote=True)


def _parameters(params: dict[str, Any]) -> str:
    if not params:
        return '<span class="small">(defaults)</span>'
    items = "<br>".join(f"<code>{escape(str(k))}</code> = {escape(repr(v))}"
                        for k, v in params.items())
    return items


def render_index(entries: list[tuple[str, dict[str, Any]]], title: str = "Briefings") -> bytes:
    """The index page for ``(id, manifest entry)`` pairs, in the order given."""
    rows = []
    for bid, entry in entries:
        status = entry.get("status", "missing")
        outputs = entry.get("outputs") or {}
        html_name, nb_name = f"{bid}.html", f"{bid}.ipynb"
        label = escape(entry.get("title") or bid)
        if html_name in outputs:
            name_cell = f'<a href="{_href(html_name)}">{label}</a>'
        else:
            name_cell = label
        links = []
        if nb_name in outputs:
            links.append(f'<a href="{_href(nb_name)}">notebook</a>')
        if status == "failed":
            error = entry.get("error") or {}
            where = f", cell {error['cell']}" if error.get("cell") is not None else ""
            detail = f"{error.get('kind', 'failed')}{where}: {error.get('ename', '')}"
            status_cell = (f'<span class="status-failed">failed</span><br>'
                           f'<span class="small">{escape(detail)}</span>')
            if html_name in outputs:
                status_cell += '<br><span class="small">the link shows the last good build</span>'
            failed = entry.get("failed_notebook")
            if failed:
                links.append(f'<a href="{_href(failed)}">failed run</a>')
        else:
            status_cell = f'<span class="status-{escape(status)}">{escape(status)}</span>'
        summary = escape(entry.get("summary") or "")
        rows.append(
            f"<tr id=\"{escape(bid, quote=True)}\"><td>{name_cell}<br>"
            f"<span class=\"small\"><code>{escape(bid)}</code>"
            f"{' · ' + ' · '.join(links) if links else ''}</span></td>"
            f"<td>{escape(entry.get('notebook', ''))}</td>"
            f"<td>{_parameters(entry.get('parameters') or {})}</td>"
            f"<td>{status_cell}</td><td>{summary}</td></tr>")
    built = sum(1 for _, e in entries if e.get("status") == "built")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="lead">Peace &amp; Security Workbook: briefings built from {escape(_document_label())}.
{built} of {len(entries)} built.</p>
<table>
<thead><tr><th>Briefing</th><th>Notebook</th><th>Parameters</th><th>Status</th><th>Summary</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""
    return page.encode("utf-8")


def _document_label() -> str:
    """``A/72/1, chapter II.B``: the document of the active data package."""
    from ..document import chapter_document

    return chapter_document().long_label

"""``index.html``: the briefings of a reports folder, as a reader looks for them.

Entries are grouped under Regions, Countries and Themes, in the order of the default set. Each
shows its title and first key point, with links to its page and its PDF; two region briefings
that cover nearly the same countries (West Africa and the Sahel, Western Africa...) say how they
differ; a briefing whose last build failed says so in a details line (notebook, parameters, error).

Each entry also links its two-page note (page, PDF, Word) and its Word file, where built.

A pack for one meeting: the reader ticks the briefings wanted and the page writes the command
that builds exactly that pack (``briefings build --formats html,pdf,docx --only ID ...``, see
:func:`pack_command`). The tick boxes and the command are added by one small inline script
(nothing fetched); without it, the page says how to use ``--only``.

Every piece of text is escaped once, here (``html.escape``): titles, summaries and parameter
values come from data, and the manifest holds them as plain text. The page has no date and no
timing, so the same builds give the same bytes; its body is sanitised like every reader page
(:func:`analysis.builder.render.sanitise`), and the script sits outside it.
"""
from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

GROUPS = ("Regions", "Countries", "Themes")
#: Two region selections are near twins when they share at least this share of their countries.
TWIN_OVERLAP = 0.6
#: Country differences named one by one up to this many, counted beyond.
NAMED_DIFFERENCES = 6


def selection_facts(parameters: dict[str, Any]) -> dict[str, Any] | None:
    """What a briefing's ``region`` parameter covers: description, kind and countries.

    Called in the builder's workers after a briefing ran (the data are loaded there already);
    the index reads the result from the manifest, so it never loads the data itself.
    """
    region = parameters.get("region")
    if not isinstance(region, str):
        return None
    from ..model import queries

    sel = queries.selection(region)
    if sel is None:
        return {"label": "World", "kind": "world", "describe": "the whole world", "countries": []}
    from ..model.names import display_names

    names = display_names(queries.dataset())  # the one printed name of each country
    return {"label": sel.label, "kind": sel.kind, "describe": sel.describe(),
            "countries": sorted(str(names.get(i, i)) for i in sel.iso3)}


def group_of(bid: str, entry: dict[str, Any]) -> str:
    """Regions, Countries or Themes."""
    selection = entry.get("selection") or {}
    if bid.startswith("country-") or selection.get("kind") == "country":
        return "Countries"
    if entry.get("notebook") == "region":
        return "Regions"
    return "Themes"


def _href(name: str) -> str:
    return escape(quote(name), quote=True)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _details(bid: str, entry: dict[str, Any]) -> str:
    params = entry.get("parameters") or {}
    shown = "; ".join(f"{k} = {_value(v)}" for k, v in params.items()) or "defaults"
    status = entry.get("status", "missing")
    parts = [f"id {escape(bid)}", f"notebook {escape(str(entry.get('notebook', '')))}",
             f"parameters: {escape(shown)}", f"status: {escape(status)}"]
    if status == "failed":
        error = entry.get("error") or {}
        where = f", cell {error['cell']}" if error.get("cell") is not None else ""
        parts.append(escape(f"{error.get('kind', 'failed')}{where}: {error.get('ename', '')}"))
        if entry.get("outputs"):
            parts.append("the links show the last good build")
    outputs = entry.get("outputs") or {}
    links = []
    if f"{bid}.ipynb" in outputs:
        links.append(f'<a href="{_href(bid + ".ipynb")}">executed notebook</a>')
    if entry.get("failed_notebook"):
        links.append(f'<a href="{_href(entry["failed_notebook"])}">failed run</a>')
    return " · ".join(parts + links)


def _coverage_source(*selections: dict[str, Any]) -> str:
    """An office's coverage is context: the sentence names the source that holds it."""
    import re

    from ..prose.text import coverage_source_phrase

    offices = [m.group(1) for sel in selections
               for m in [re.search(r"\((\w+) coverage, ", str(sel.get("describe", "")))] if m]
    if not offices:
        return ""
    return (f" {escape(', '.join(offices))} coverage: context, source: "
            f"{escape(coverage_source_phrase(offices))}.")


def near_twins(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, list[str]]:
    """For each region briefing, sentences on the listed ones covering nearly the same
    countries."""
    regions = [(bid, e.get("selection") or {}) for bid, e in entries
               if group_of(bid, e) == "Regions" and (e.get("selection") or {}).get("countries")]
    notes: dict[str, list[str]] = {}
    for bid, sel in regions:
        mine = set(sel["countries"])
        for other, osel in regions:
            theirs = set(osel["countries"])
            if other == bid or mine == theirs:
                continue
            shared = mine & theirs
            if len(shared) / len(mine | theirs) < TWIN_OVERLAP:
                continue
            sentence = (f'Close to <a href="#{_href(other)}">{escape(osel["describe"])}</a>'
                        f': they share {len(shared)} countries')
            extra = []
            for label, diff in (("only here", mine - theirs), ("only there", theirs - mine)):
                if not diff:
                    continue
                if len(diff) <= NAMED_DIFFERENCES:
                    extra.append(f"{label}: {escape(', '.join(sorted(diff)))}")
                else:
                    extra.append(f"{label}: {len(diff)} countries")
            notes.setdefault(bid, []).append(sentence + ("; " + "; ".join(extra) if extra else "")
                                             + "." + _coverage_source(sel, osel))
    return notes


STYLE = """
html{color:#1b1b1b;background:#fff}
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;margin:0 auto;max-width:60rem;
padding:1rem 1.25rem;line-height:1.5}
a{color:#0b4fb3}
h1{font-size:1.75rem;margin:.5rem 0}
h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:1px solid #c8c8c8}
h3{font-size:1.05rem;margin:0 0 .2rem}
.lead,.stamp p,.details,.twin{color:#4a4a4a}
ul.entries{list-style:none;padding:0;margin:0}
ul.entries>li{padding:.7rem 0;border-bottom:1px solid #e0e0e0}
.entry p{margin:.15rem 0}
.details,.twin{font-size:.88rem}
.status-failed{color:#a61b0f;font-weight:600}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
.stamp{border-top:1px solid #c8c8c8;margin-top:2rem;font-size:.85rem}
.pick-label{font-size:.88rem;color:#4a4a4a}
#pack-command{white-space:pre-wrap;word-break:break-word}
"""


def _entry(bid: str, entry: dict[str, Any], twins: list[str]) -> str:
    outputs = entry.get("outputs") or {}
    title = escape(entry.get("title") or bid)
    html_name, pdf_name = f"{bid}.html", f"{bid}.pdf"
    heading = (f'<a href="{_href(html_name)}">{title}</a>' if html_name in outputs else title)
    links = []
    if html_name in outputs:
        links.append(f'<a href="{_href(html_name)}">Web page<span class="visually-hidden">: '
                     f'{title}</span></a>')
    if pdf_name in outputs:
        links.append(f'<a href="{_href(pdf_name)}">PDF<span class="visually-hidden">: '
                     f'{title}</span></a>')
    for name, label in ((f"{bid}.docx", "Word"), (f"{bid}-note.html", "Two-page note"),
                        (f"{bid}-note.pdf", "note PDF"), (f"{bid}-note.docx", "note in Word")):
        if name in outputs:
            links.append(f'<a href="{_href(name)}">{label}<span class="visually-hidden"> of '
                         f'{title}</span></a>')
    lines = [f'<li class="entry" id="{escape(bid, quote=True)}">', f"<h3>{heading}</h3>"]
    if entry.get("summary"):
        lines.append(f"<p>{escape(entry['summary'])}</p>")
    if entry.get("status") == "failed":
        lines.append('<p class="status-failed">The last build of this briefing failed.</p>')
    if links:
        lines.append(f'<p class="links">{" · ".join(links)}</p>')
    lines += [f'<p class="twin">{t}</p>' for t in twins]
    if entry.get("status") == "failed":  # a reader needs no tool details of a page that built
        lines.append(f'<p class="details">{_details(bid, entry)}</p>')
    lines.append("</li>")
    return "\n".join(lines)


def render_index(entries: list[tuple[str, dict[str, Any]]], title: str = "Briefings") -> bytes:
    """The index page for ``(id, manifest entry)`` pairs, in the order given."""
    from .render import dataset_version, package_version, sanitise

    twins = near_twins(entries)
    sections = []
    for group in GROUPS:
        members = [(bid, e) for bid, e in entries if group_of(bid, e) == group]
        if not members:
            continue
        anchor = group.lower()
        items = "\n".join(_entry(bid, e, twins.get(bid, [])) for bid, e in members)
        sections.append(f'<section aria-labelledby="{anchor}">\n<h2 id="{anchor}">{group}</h2>\n'
                        f'<ul class="entries">\n{items}\n</ul>\n</section>')
    built = sum(1 for _, e in entries if e.get("status") == "built")
    pdfs = sum(1 for bid, e in entries if f"{bid}.pdf" in (e.get("outputs") or {}))
    docx = sum(1 for bid, e in entries if f"{bid}.docx" in (e.get("outputs") or {}))
    packs = [f'<a href="{name}">{name}</a>' for name, n in (("pack.pdf", pdfs), ("pack.docx", docx))
             if n]
    pack = f' The whole set in one document: {" and ".join(packs)}.' if packs else ""
    chooser = ('<section id="pack-chooser" aria-labelledby="pack-chooser-title">\n'
               '<h2 id="pack-chooser-title">A pack for one meeting</h2>\n'
               "<p>Tick the briefings the meeting needs; the command below builds exactly that "
               "pack (pack.pdf and pack.docx, each briefing's two-page note; add "
               "<code>--pack full</code> for the briefings whole, <code>--date</code> and "
               "<code>--organisation</code> for the cover). Without the tick boxes, name "
               "each briefing's id with <code>--only</code>.</p>\n"
               f'<pre><code id="pack-command">{escape(pack_command([]))}</code></pre>\n'
               "</section>")
    body = (f'<h1>{escape(title)}</h1>\n<p class="lead">Briefings built from {escape(_document_label())}: {built} of '
            f'{len(entries)} built.{pack}</p>\n' + "\n".join(sections) + "\n" + chooser)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<header><p class="lead">Peace &amp; Security Workbook</p></header>
<main>
{sanitise(body)}
</main>
<footer class="stamp"><p>Dataset {escape(dataset_version())} · package {escape(package_version())}</p></footer>
<script>{CHOOSER_SCRIPT}</script>
</body>
</html>
"""
    return page.encode("utf-8")


#: The command a pack for one meeting starts with; each ticked briefing adds ``--only ID``.
PACK_COMMAND = "briefings build --formats html,pdf,docx"


def pack_command(ids: list[str]) -> str:
    """The command that builds exactly the pack of ``ids`` (the page's script writes the same)."""
    return " ".join([PACK_COMMAND, *(f"--only {bid}" for bid in ids)])


#: Adds a tick box to each entry and keeps the command in step (ids are slugs: no quoting).
CHOOSER_SCRIPT = """
(function () {
  var base = %s, out = document.getElementById("pack-command");
  if (!out) { return; }
  var boxes = [];
  function update() {
    var parts = [base];
    boxes.forEach(function (box) { if (box.checked) { parts.push("--only " + box.value); } });
    out.textContent = parts.join(" ");
  }
  document.querySelectorAll("li.entry").forEach(function (entry) {
    var label = document.createElement("label"), box = document.createElement("input");
    var heading = entry.querySelector("h3");
    box.type = "checkbox"; box.value = entry.id; box.className = "pick";
    box.setAttribute("aria-label", "Put " + heading.textContent + " in the pack");
    box.addEventListener("change", update);
    label.appendChild(box);
    label.appendChild(document.createTextNode(" in the pack"));
    label.className = "pick-label";
    heading.parentNode.insertBefore(label, heading.nextSibling);
    boxes.push(box);
  });
  update();
})();
""" % ('"' + PACK_COMMAND + '"')


def _document_label() -> str:
    """``A/72/1, chapter II.B``: the document of the active data package."""
    from ..data.document import chapter_document

    return chapter_document().long_label

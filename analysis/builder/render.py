"""Standalone HTML of an executed briefing: code hidden, figures embedded, nothing fetched.

The equivalent of ``jupyter nbconvert --to html --no-input`` (``exclude_input`` plus both
prompts hidden), with the builder's template (``templates/briefing``: the lab template without
require.js, MathJax, Mermaid or widget scripts from a CDN). ``sanitize_html`` stays off: it
escapes pandas' table markup; text from the data is escaped where it enters a page instead.
"""
from __future__ import annotations

import copy
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "briefing"


def make_exporter():
    """An HTMLExporter configured for briefings (create once per process: it loads templates)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name=TEMPLATE_NAME,
                            extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.sanitize_html = False
    exporter.mathjax_url = ""
    exporter.require_js_url = ""
    return exporter


def to_html(exporter, nb, title: str) -> bytes:
    """Render ``nb`` with ``exporter``; ``title`` goes in the page's <title> (escaped there)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body.encode("utf-8")

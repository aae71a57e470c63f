"""Reader pages of executed briefings: nbconvert with the builder's ``report`` template, sanitised.

What a reader gets (and why):

- nbconvert's :class:`~nbconvert.HTMLExporter` with ``templates/report``, a template on
  nbconvert's ``base`` that writes outputs only: no code, no prompts, no streams or errors, no
  script, nothing fetched. The lab template was rejected for readers: 600 kB of JupyterLab CSS a
  page, ``tabindex`` on every output, "No description has been provided for this image" on every
  figure, and WeasyPrint needs about a second a page just to cascade that CSS.
- Notebook instructions never reach a page: every markdown cell before the ``parameters`` cell
  (the notebook's introduction for JupyterLab users) and every cell tagged ``report-remove``
  are dropped by nbconvert's :class:`~nbconvert.preprocessors.TagRemovePreprocessor` (the first
  ones are tagged here, on a copy of the notebook).
- One ``<h1>``: the briefing's own title, written by its first output.
- A section with no data shrinks to one line ("Timeline: the chapter records no dated events
  for Central Asia."), heading and description included (:func:`shrink_empty_sections`):
  a section is a markdown cell opening with a ``##`` heading and the cells up to the next
  heading; it shrinks when each of its outputs is a section note (marked by
  :class:`analysis.briefings.displays.SectionNote`), and goes when it has no output at all.
- A stamp in the footer of every page (dataset version from ``data/datapackage.json``, package
  version, a short digest of the build's inputs) and no clock time: rebuilds are byte-identical.
- Figures carry the alt text the briefing code put in the output's metadata
  (``{"image/png": {"alt": ...}}``), written from the data behind the chart.
- The main content is sanitised with nh3 (:func:`sanitise`), the second line of defence after
  escaping text from the data where it enters the page: only the elements and attributes the
  template and the briefing outputs use survive; links keep relative targets only (another
  page, an anchor): no ``javascript:``, no ``data:``, and no web address, which on a briefing
  page can only come from the data (a source's URL) and so stays text, never a link; an image
  keeps its ``src`` only when it is an embedded PNG (the only images a briefing has). nbconvert's own ``sanitize_html`` stays
  off: it escapes table markup.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "report"
REMOVE_TAG = "report-remove"
LANG = "en"
DEFAULT_ALT = "Chart of the briefing's data; the table beside it holds the same figures."
SERIES = "Peace & Security Workbook"


def document_label() -> str:
    """``<symbol>, chapter <part>``: the document of the active data package."""
    from ..data.document import chapter_document

    return chapter_document().long_label

#: Elements a reader page may hold, and their attributes (everything else is removed).
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "em", "strong", "b",
                "i", "code", "pre", "blockquote", "hr", "br", "a", "span", "div", "section",
                "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
                "figure", "figcaption", "img", "abbr", "sup", "sub", "small", "nav", "details",
                "summary", "dl", "dt", "dd"}
ALLOWED_ATTRIBUTES = {"*": {"class", "id"}, "a": {"href"}, "col": {"style"}, "img": {"src", "alt", "width", "height"},
                      "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"},
                      "abbr": {"title"}, "ol": {"start"}}
#: The only inline style kept: a table column's width (``<col style="width:25%">``).
COLUMN_WIDTH = re.compile(r"width:\s*\d{1,3}%")
#: URL schemes kept: ``data:`` for the embedded figures only (see :func:`_keep_attribute`).
#: Links keep relative targets only (other briefings, anchors): a web address in a page comes
#: from the data (a source's URL) and is shown as text, never as a link.
URL_SCHEMES = {"data"}
PNG_PREFIX = "data:image/png;base64,"
#: Removed with their content: styles and scripts never reach a page from an output.
REMOVE_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "svg", "math"}

#: nbconvert's heading anchors ("¶" links): pilcrows a reader does not need (headings keep ids).
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_MAIN_OPEN = '<main id="briefing" class="briefing">'


@dataclass(frozen=True)
class PageInfo:
    """What the page shell shows besides the notebook's outputs."""

    title: str
    stamp: str = ""
    citation: str = ""
    lang: str = LANG

    def resources(self) -> dict[str, Any]:
        return {"title": self.title, "stamp": self.stamp, "citation": self.citation or self.title,
                "lang": self.lang, "default_alt": DEFAULT_ALT,
                "package_version": package_version(), "document": document_label()}


@lru_cache(maxsize=1)
def package_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("peace-security-workbook")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare tree
        return "unknown"


@lru_cache(maxsize=1)
def dataset_version() -> str:
    from ..data.paths import data_dir

    try:
        package = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unknown"
    return str(package.get("version") or "unknown")


def inputs_digest(inputs: dict[str, str] | None) -> str:
    """A short digest of a build's inputs (notebook, data, code, parameters): 12 hex digits."""
    from .hashing import value_digest

    return value_digest(inputs or {})[:12]


def stamp(inputs: dict[str, str] | None) -> str:
    """The stamp line: dataset version, package version, short digest of the inputs."""
    return (f"Dataset {dataset_version()} · package {package_version()} · "
            f"inputs {inputs_digest(inputs)}")


def citation(title: str) -> str:
    """The citation line of a briefing (the footer of every printed page)."""
    return f"{title} · {SERIES}, from {document_label()}"


def _exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """HTMLExporter without its final BeautifulSoup pass, which re-serialises the whole page
        only to add "No description has been provided for this image" to images without alt
        text and ``tabindex`` to notebook cells: the report template writes real alt text and
        has no notebook cells. The page is exactly what the template wrote."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def make_exporter():
    """An HTMLExporter for reader pages (create once per process: it loads templates)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = _exporter_class()(template_name=TEMPLATE_NAME,
                                 extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = False  # True re-parses the page (BeautifulSoup); outputs are already embedded
    exporter.sanitize_html = False
    # the notebook is checked once, after every preprocessor, not after each of them (a dozen)
    exporter.optimistic_validation = True
    remover = TagRemovePreprocessor(remove_cell_tags={REMOVE_TAG}, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def mark_notebook_only(nb) -> None:
    """Tag ``report-remove`` on the markdown cells before the ``parameters`` cell: they address
    someone running the notebook ("set `region` in the parameters cell below..."), not a reader.
    """
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            return
        if cell.get("cell_type") == "markdown":
            cell.setdefault("metadata", {})["tags"] = [*tags, REMOVE_TAG]


_SECTION = re.compile(r"\A\s*##\s+(.+?)\s*#*\s*$", re.M)
_ANY_HEADING = re.compile(r"\A\s*#{1,6}\s")


def _is_note(output) -> bool:
    meta = output.get("metadata") or {}
    return meta.get("report") == "empty" or \
        (meta.get("text/markdown") or {}).get("report") == "empty"


def _note_text(output) -> str:
    text = (output.get("data") or {}).get("text/markdown", "")
    text = "".join(text) if isinstance(text, list) else text
    text = " ".join(text.split())
    if len(text) > 2 and text[0] == text[-1] and text[0] in "_*":
        text = text[1:-1]
    return text


def shrink_empty_sections(nb) -> None:
    """Shrink each section whose every output is a section note to one line; drop a section
    with no output at all (see the module docstring)."""
    cells = nb.cells
    starts = [k for k, c in enumerate(cells) if c.get("cell_type") == "markdown"
              and _SECTION.match(c.get("source", "").splitlines()[0] if c.get("source") else "")]
    for start in starts:
        end = next((k for k in range(start + 1, len(cells)) if cells[k].get("cell_type") ==
                    "markdown" and _ANY_HEADING.match(cells[k].get("source", ""))), len(cells))
        outputs = [o for c in cells[start + 1:end] if c.get("cell_type") == "code"
                   for o in c.get("outputs", []) if o.get("output_type") != "stream"]
        if outputs and not all(_is_note(o) for o in outputs):
            continue
        for cell in cells[start + 1 if outputs else start:end]:
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if REMOVE_TAG not in tags:
                tags.append(REMOVE_TAG)
        if outputs:
            heading = _SECTION.match(cells[start].source.splitlines()[0]).group(1)
            notes = " ".join(dict.fromkeys(_note_text(o) for o in outputs))
            cells[start].source = f"**{heading}:** {notes}"


def to_html(exporter, nb, info: PageInfo | str) -> bytes:
    """Render ``nb`` as a reader page; ``info`` gives the title, stamp and citation."""
    if isinstance(info, str):
        info = PageInfo(info)
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = info.title
    mark_notebook_only(nb)
    shrink_empty_sections(nb)
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": info.title}, "report": info.resources()})
    return finish_page(body).encode("utf-8")


def finish_page(page: str) -> str:
    """The page with its main content sanitised (the shell is the template's own markup)."""
    start = page.find(_MAIN_OPEN)
    end = page.rfind("</main>")
    if start < 0 or end < start:
        raise ValueError("the report template did not write its <main> element")
    start += len(_MAIN_OPEN)
    content = _ANCHOR_LINK.sub("", page[start:end])
    return page[:start] + "\n" + sanitise(content).strip() + "\n" + page[end:]


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return value if tag == "col" and COLUMN_WIDTH.fullmatch(value.strip()) else None
    if attribute == "src":
        return value if tag == "img" and value.startswith(PNG_PREFIX) else None
    if attribute == "href" and not _local_link(value):
        return None
    return value


def _local_link(href: str) -> bool:
    """A link the pages make: to a place on the page (``#…``) or to a file beside it; never a
    scheme (``javascript:``, ``data:``), a protocol-relative (``//host``) or absolute path, or
    ``..``. nh3 lets relative URLs through whatever they name."""
    href = href.strip()
    return bool(href) and not href.startswith(("/", "\\")) and ":" not in href \
        and ".." not in href and not any(c.isspace() or ord(c) < 32 for c in href)


@lru_cache(maxsize=1)
def _cleaner():
    import nh3

    return nh3.Cleaner(tags=ALLOWED_TAGS, clean_content_tags=REMOVE_WITH_CONTENT,
                       attributes=ALLOWED_ATTRIBUTES, attribute_filter=_keep_attribute,
                       url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True)


_BARE_ANCHOR = re.compile(r"<a>(.*?)</a>", re.S)


def sanitise(fragment: str) -> str:
    """``fragment`` with only the allowed elements, attributes and URL schemes left; a link
    whose target was removed becomes its text."""
    return _BARE_ANCHOR.sub(r"\1", _cleaner().clean(fragment))

"""PDFs of the reader pages, with WeasyPrint: tagged (PDF/UA-1), titled, byte-identical.

WeasyPrint (pip) lays the reader page out with its print stylesheet (``templates/report/
report.css``: A4, the briefing's title and the citation at the foot of every page with "Page n of
m", headings kept with what follows, figures and table rows never split). Rejected: nbconvert's
webpdf (needs Playwright's own downloaded browser) and headless Chromium (a browser at run time,
and creation dates in every file).

Determinism: WeasyPrint writes no creation or modification date unless the page names one
(``dcterms.created``), and the pages name none; its document identifier is a hash of the
content. Identical inputs therefore give identical bytes (tested).

The engine needs Pango (a system library). When it cannot start, :func:`check_engine` says which
package to install; the builder then writes the HTML anyway and exits 1.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

from ..errors import WorkbookError

PDF_VARIANT = "pdf/ua-1"
#: What to install when the engine cannot start.
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b"


class PdfEngineUnavailable(WorkbookError):
    """WeasyPrint is missing or cannot load its system libraries."""


def check_engine() -> None:
    """Import WeasyPrint (and so load Pango); :class:`PdfEngineUnavailable` saying what to
    install when that fails."""
    try:
        import weasyprint  # noqa: F401
    except ImportError as err:
        raise PdfEngineUnavailable(
            f"the PDF engine is not installed ({err}); install it with "
            "`.venv/bin/pip install weasyprint` (or `make install`)") from None
    except OSError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise PdfEngineUnavailable(
            f"the PDF engine (WeasyPrint) cannot start: {first}; install its system libraries "
            f"with `apt-get install {SYSTEM_PACKAGES}`") from None


#: Seconds one PDF may take (a briefing's takes about 2 s here; a 145-page table once took 305).
PDF_TIME_LIMIT = 120


class PdfTimeLimit(WorkbookError):
    """A PDF took longer than its time limit (reported for that briefing; the page is fine)."""


def to_pdf(html: bytes | str, base_url: str | None = None, *,
           time_limit: float | None = PDF_TIME_LIMIT) -> bytes:
    """The PDF of one reader page (tagged PDF/UA-1, title and language from the page).

    Raises :class:`PdfTimeLimit` after ``time_limit`` seconds (checked by a timer signal, so
    only in a process's main thread; the builder's workers render there)."""
    check_engine()
    import weasyprint

    if isinstance(html, bytes):
        html = html.decode("utf-8")
    with _time_limit(time_limit):
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=offline_fetcher()) \
            .write_pdf(pdf_variant=PDF_VARIANT, font_config=font_configuration())


@contextmanager
def _time_limit(seconds: float | None):
    import signal
    import sys
    import threading

    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    active = [True]

    def expired(signum, frame):
        if active[0]:
            raise PdfTimeLimit(f"the PDF took longer than {seconds:g} s (the PDF time limit); "
                               "the page is written, its PDF is not")

    previous = signal.signal(signal.SIGALRM, expired)
    # The alarm repeats until the block ends: raised where Python swallows an exception (a
    # weakref callback or a __del__ during WeasyPrint's layout), it is raised again a moment later.
    # Such a swallowed limit is not reported to the unraisable-exception hook: the next alarm
    # raises it again (a hook that does more, pytest's, could itself be cut by that alarm).
    previous_hook = sys.unraisablehook

    def unraisable(args):
        if not isinstance(args.exc_value, PdfTimeLimit):
            previous_hook(args)

    sys.unraisablehook = unraisable
    signal.setitimer(signal.ITIMER_REAL, seconds, min(seconds, 0.1))
    try:
        yield
    finally:
        active[0] = False  # first: from here a late alarm does nothing
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = previous_hook


@lru_cache(maxsize=1)
def font_configuration():
    """One WeasyPrint font configuration per process, shared by its PDFs: finding the fonts
    again for every PDF cost about 7 % of its time, and the bytes are the same (tested)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def offline_fetcher():
    """A URL fetcher for embedded ``data:`` resources only: nothing is fetched at run time."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def warm() -> None:
    """Import WeasyPrint and lay out a small page once (fonts found, stylesheets compiled), so
    that the builder's worker processes, forked afterwards, start warm."""
    to_pdf("<!DOCTYPE html><html lang='en'><head><title>warm</title></head>"
           "<body><h1>warm</h1><table><tr><td>1</td></tr></table></body></html>")

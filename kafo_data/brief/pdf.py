"""HTML to PDF with WeasyPrint, fetching only what the brief embeds itself.

The brief's images are `data:` addresses the brief wrote; a `file://`, `http(s)://` or any other
address (one named in the data, or inside an SVG) is refused and recorded, never opened.
WeasyPrint needs Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0); without it
`render` raises `PdfUnavailable` with a sentence a page can show.
"""

from __future__ import annotations

import logging
from typing import Any


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango's shared libraries not found
        raise PdfUnavailable("the PDF renderer cannot start: install WeasyPrint (requirements.txt) and Pango "
                             f"(Debian: libpango-1.0-0 libpangoft2-1.0-0) ({type(exc).__name__})") from exc
    return weasyprint


def load() -> None:
    """Import WeasyPrint and Pango now (0.3-0.8 s cold), or raise `PdfUnavailable`."""
    _weasyprint()


def fetcher(refused: list[str]) -> Any:
    """A WeasyPrint URL fetcher that opens `data:` addresses only and records every other one it refuses."""
    weasyprint = _weasyprint()

    class OwnOnly(weasyprint.urls.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                refused.append(url)
                raise ValueError("the brief fetches nothing but its own images")
            return super().fetch(url, headers)

    return OwnOnly(allowed_protocols=("data",), allow_redirects=False)


def render(html: str, refused: list[str] | None = None) -> bytes:
    """The PDF of `html`; addresses it would have fetched are appended to `refused`."""
    weasyprint = _weasyprint()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # a refused address is expected, not news
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html, base_url="data:,", url_fetcher=fetcher([] if refused is None else refused)
                           ).write_pdf()

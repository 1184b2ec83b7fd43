"""One call for a brief: compose, draw the charts (or say why not), render; and the view's address for the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from kafo_data.brief import images, pdf
from kafo_data.brief.content import Request, compose
from kafo_data.config import HOME_PAGE
from kafo_data.filtering import to_params
from kafo_data.i18n import DEFAULT_LANG
from kafo_data.money.filters import MoneyFilters
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import Database

DEFAULT_BASE = "http://localhost:8501"


@dataclass
class Made:
    """The PDF, why its charts are missing (None when drawn), and the addresses the renderer refused."""

    pdf: bytes
    charts_problem: str | None = None
    refused: list[str] = field(default_factory=list)


def make(db: Database, req: Request, charts: bool = True) -> Made:
    """The brief's PDF; without a browser the charts are left out and `charts_problem` says why.

    Raises `pdf.PdfUnavailable` when WeasyPrint or Pango is missing (nothing to give then).
    """
    problem = None
    svg = images.svg if charts else None
    if charts:
        images.begin()  # the browser starts while WeasyPrint loads (cold: ~0.3-0.8 s of the ~1.4 s start)
    pdf.load()
    if charts:
        try:
            images.svg({"data": [], "layout": {"height": 10}}, width=10)  # starts the browser, or says why not
        except images.ChartsUnavailable as exc:
            problem, svg = str(exc), None
    try:
        html = compose(db, req, svg)
    except images.ChartsUnavailable as exc:  # the browser stopped answering after its first image
        problem, html = str(exc), compose(db, req, None)
    refused: list[str] = []
    return Made(pdf.render(html, refused), problem, refused)


def address(base: str, page: str, operations: tuple[str, ...], lang: str, include_sample: bool = True,
            donors: tuple[str, ...] = (), outputs: tuple[int, ...] = ()) -> str:
    """The page's address with the selection in the link's own form (ids, defaults left out), as the app writes it.

    The Budget page's link holds its donors and outputs too.
    """
    ops = tuple(sorted(operations))
    params = to_params(MoneyFilters(tuple(sorted(donors)), tuple(sorted(outputs)), ops, include_sample)
                       if page == "budget" else Filters(operations=ops, include_sample=include_sample))
    if lang != DEFAULT_LANG:
        params["lang"] = [lang]
    query = urlencode(params, doseq=True)
    return f"{base.rstrip('/')}/{'' if page == HOME_PAGE else page}" + (f"?{query}" if query else "")

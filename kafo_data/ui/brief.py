"""The brief's button on the Overview, Operations and Budget pages: a PDF of the view, built on click.

The file is made by `kafo_data.brief.build.make` on Streamlit's download thread from plain values
(the database, the request); its address is this view's own link, read here in the script. When
the server cannot render PDFs (no WeasyPrint or Pango) the button is replaced by a sentence saying
so; without Chromium the brief comes without its charts and says so inside.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

import streamlit as st

from kafo_data.brief import build, images, pdf
from kafo_data.brief.content import Request
from kafo_data.i18n import t
from kafo_data.ui.data import database


@functools.cache
def no_browser() -> bool:
    """No Chromium for the brief's charts on this server (looked up once per process)."""
    return images.browser() is None


@functools.cache
def unavailable() -> str | None:
    """Why this server cannot make a PDF, or None when it can (asked once per process)."""
    try:
        pdf._weasyprint()
    except pdf.PdfUnavailable as exc:
        return str(exc)
    return None


def view_address() -> str:
    """This view's address as the browser shows it: the page's URL and its query string (the whole state)."""
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    query = urlencode(params, doseq=True)
    return base + (f"?{query}" if query else "")


def file_name(page: str, operations: tuple[str, ...], lang: str, today: dt.date, donors: tuple[str, ...] = (),
              outputs: tuple[int, ...] = ()) -> str:
    """kafo_brief_overview_KAFO-II_fr_2026-12-04.pdf: which page, which editions (donors, outputs), language, when."""
    chosen = "-".join([*operations, *donors, *(f"output{n}" for n in outputs)])
    return "_".join(["kafo_brief", page, chosen or "all", lang, today.isoformat()]) + ".pdf"


def button(page: str, lang: str, operations: tuple[str, ...], include_sample: bool = True, *,
           key: str = "brief", label: str | None = None, donors: tuple[str, ...] = (),
           outputs: tuple[int, ...] = ()) -> None:
    """One download button for the brief of this page and selection (the Budget page's donors and outputs too),
    or why it cannot be made here."""
    problem = unavailable()
    if problem and key.endswith("_all"):  # said once where a page has two buttons
        return
    if problem:
        st.caption(t("brief.unavailable", lang, problem=problem))
        return
    today = dt.datetime.now(dt.UTC).date()
    req = Request(page, lang, tuple(operations), include_sample, view_address(), today, tuple(donors), tuple(outputs))
    db = database()

    def make(req: Request = req) -> bytes:
        return build.make(db, req).pdf

    if no_browser() and not key.endswith("_all"):
        st.caption(t("brief.charts_missing", lang, problem=t("brief.no_chromium", lang)))
    st.download_button(label or t("brief.button", lang), data=make,
                       file_name=file_name(page, req.operations, lang, today, req.donors, req.outputs),
                       mime="application/pdf", on_click="ignore", key=key, icon=":material/picture_as_pdf:",
                       help=t("brief.button_help", lang))

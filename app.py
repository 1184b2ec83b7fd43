"""KAFO results dashboard: the entry point that every page runs through.

One ordered registry of pages (frozen dataclasses, as pdstools does), handed to
`st.navigation`. Each page begins with `ui.start()`, which reads a shared link, draws the
language switch and the shared filters, and writes the URL back, so every page sees the
same state whichever router runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from kafo_data.config import upload_enabled
from kafo_data.i18n import t
from kafo_data.ui import look
from kafo_data.ui import page as ui


@dataclass(frozen=True)
class PageSpec:
    """One page; its url_path is its file's stem, as Streamlit's legacy `pages/` router names it."""

    path: str
    url_path: str
    title_key: str
    icon: str
    enabled: bool = True


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "overview", "nav.overview", ":material/public:"),
    PageSpec("pages/seizures.py", "seizures", "nav.seizures", ":material/inventory_2:"),
    PageSpec("pages/operations.py", "operations", "nav.operations", ":material/compare_arrows:"),
    PageSpec("pages/budget.py", "budget", "nav.budget", ":material/euro:"),
    PageSpec("pages/data_sources.py", "data_sources", "nav.data", ":material/menu_book:"),
    PageSpec("pages/upload.py", "upload", "nav.upload", ":material/upload_file:", enabled=upload_enabled()),
)

st.set_page_config(page_title="KAFO", page_icon="🛡️", layout="wide")  # an emoji icon is drawn locally, not fetched

lang = ui.lang()
pages = [
    st.Page(spec.path, title=t(spec.title_key, lang), icon=spec.icon, url_path=spec.url_path,
            default=spec is PAGES[0])
    for spec in PAGES if spec.enabled
]
page = st.navigation(pages)
st.set_page_config(page_title=t("look.page_title", lang, page=page.title))  # each page its own browser title
look.head(lang)
page.run()

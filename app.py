"""KAFO results dashboard: the entry point that every page runs through.

One ordered registry of pages (frozen dataclasses, `kafo_data.ui.registry`, as pdstools does), handed to
`st.navigation`. Each page begins with `ui.start()`, which reads a shared link, draws the
language switch and the shared filters, and writes the URL back, so every page sees the
same state whichever router runs it.

Who sees what (`kafo_data.access`, decided again on every run): a page for managers only is not
registered for a public session at all; its address leads to a hidden stand-in that says "sign in
to see this page". A page with a public twin (`public=`) is the twin's file for the public, at the
same address, so a shared link works for both and shows each what they may see.
"""

from __future__ import annotations

import streamlit as st

from kafo_data.config import upload_enabled
from kafo_data.i18n import t
from kafo_data.ui import access as ui_access
from kafo_data.ui import cite as ui_cite
from kafo_data.ui import look, printing
from kafo_data.ui import page as ui
from kafo_data.ui.registry import PageSpec

PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "overview", "nav.overview", ":material/public:"),
    PageSpec("pages/seizures.py", "seizures", "nav.seizures", ":material/inventory_2:",
             public="pages/seizures_public.py"),
    PageSpec("pages/firearms.py", "firearms", "nav.firearms", ":material/target:", public="pages/firearms_public.py"),
    PageSpec("pages/reporting.py", "reporting", "nav.reporting", ":material/fact_check:",
             public="pages/reporting_public.py"),
    PageSpec("pages/operations.py", "operations", "nav.operations", ":material/compare_arrows:"),
    PageSpec("pages/results.py", "results", "results.nav", ":material/format_quote:"),
    PageSpec("pages/budget.py", "budget", "nav.budget", ":material/euro:"),
    PageSpec("pages/data_sources.py", "data_sources", "nav.data", ":material/menu_book:"),
    PageSpec("pages/upload.py", "upload", "nav.upload", ":material/upload_file:", enabled=upload_enabled(),
             managers_only=True),
)

st.set_page_config(page_title="KAFO", page_icon="🛡️", layout="wide")  # an emoji icon is drawn locally, not fetched

lang = ui.lang()
manager = ui.access().is_manager
pages = []
for spec in PAGES:
    if not spec.enabled:
        continue
    title = t(spec.title_key, lang)
    if spec.managers_only and not manager:
        pages.append(st.Page(ui_access.sign_in_page, title=title, icon=":material/lock:",
                             url_path=spec.url_path, visibility="hidden"))
        continue
    path = spec.public if spec.public and not manager else spec.path
    pages.append(st.Page(path, title=title, icon=spec.icon, url_path=spec.url_path, default=spec is PAGES[0]))
page = st.navigation(pages)
st.set_page_config(page_title=t("look.page_title", lang, page=page.title))  # each page its own browser title
look.head(lang)
printing.print_style()  # Ctrl+P: no sidebar, the page whole on A4 (kafo_data.ui.printing)
try:
    page.run()
finally:  # also after st.stop(): the address keeps only the choices the page kept (kafo_data.ui.state)
    ui.write_url()
    ui_cite.footer(lang, page.title)  # data date, how to cite this view, terms: under every page
ui.freeze_startup_objects()

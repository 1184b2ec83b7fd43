"""One run of app.py: the pages this session may open, handed to `st.navigation`, and the chosen one run.

Here rather than in app.py because app.py is also imported once by `streamlit run` to find its
`st.App` (the gate), where no page may be drawn; app.py keeps the registry (`PAGES`).
"""

from __future__ import annotations

import streamlit as st

from kafo_data.i18n import t
from kafo_data.ui import cite as ui_cite
from kafo_data.ui import look, printing, signin
from kafo_data.ui import page as ui
from kafo_data.ui.registry import PageSpec


def run(specs: tuple[PageSpec, ...]) -> None:
    """Register the pages for this session's role and run the chosen one.

    A page for managers only is a hidden stand-in ("sign in to see this page") for a public session; a
    page with a public twin is the twin's file for the public, at the same address.
    """
    st.set_page_config(page_title="KAFO", page_icon="🛡️", layout="wide")  # an emoji icon is drawn locally
    lang = ui.lang()
    manager = ui.access().is_manager
    pages = []
    for spec in specs:
        if not spec.enabled:
            continue
        title = t(spec.title_key, lang)
        if spec.managers_only and not manager:
            pages.append(st.Page(signin.sign_in_page, title=title, icon=":material/lock:",
                                 url_path=spec.url_path, visibility="hidden"))
            continue
        path = spec.public if spec.public and not manager else spec.path
        pages.append(st.Page(path, title=title, icon=spec.icon, url_path=spec.url_path, default=spec is specs[0]))
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

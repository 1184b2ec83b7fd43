"""KAFO results dashboard: the entry point that every page runs through.

One ordered registry of pages (frozen dataclasses, `kafo_data.ui.registry`, as pdstools does), handed to
`st.navigation`. Each page begins with `ui.start()`, which reads a shared link, draws the
language switch and the shared filters, and writes the URL back, so every page sees the
same state whichever router runs it.

Who sees what (`kafo_data.access`, decided again on every run): a page for managers only is not
registered for a public session at all; its address leads to a hidden stand-in that says "sign in
to see this page". A page with a public twin (`public=`) is the twin's file for the public, at the
same address, so a shared link works for both and shows each what they may see.

`streamlit run app.py` finds `app = st.App(...)` below and serves this file through it: the gate
(`kafo_data.ui.gate`) sees every request first (local mode's token, uploads only for managers).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kafo_data.config import upload_enabled
from kafo_data.ui import gate, navigation
from kafo_data.ui.registry import PageSpec

PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "overview", "nav.overview", ":material/public:"),  # config.HOME_PAGE: served at "/"
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

if get_script_run_ctx(suppress_warning=True) is None:
    # `streamlit run app.py` imports this file once to find the server: the gate sees every request first
    app = st.App(__file__, middleware=gate.middleware(), lifespan=gate.lifespan)
else:
    navigation.run(PAGES)

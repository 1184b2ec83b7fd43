"""Firearms, the managers' view: SDG 16.4.2, marking, craft, origin and tracing of the selection's firearms,
exact. The public gets pages/firearms_public.py at the same address (app.py)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from kafo_data.firearms import queries
from kafo_data.i18n import t
from kafo_data.seizures import queries as seizure_queries
from kafo_data.ui import firearms as page
from kafo_data.ui import look
from kafo_data.ui import page as ui

lang, filters, notices = ui.start(managers_only=True)
ui.link_notice(notices, lang)
look.image_format(lang)
st.title(t("firearms.title", lang))
if page.category_note(lang, filters):
    st.stop()
summary = ui.q(seizure_queries.events_summary, replace(filters, categories=("firearms",)))
ui.sample_notice(lang, summary["sample_events"], summary["events"])
cells = ui.q(queries.cells, filters)
if summary["events"] == 0:
    st.info(t("firearms.empty", lang), icon="🔎")
    st.stop()
page.draw(lang, filters, cells, public=False, sample=bool(summary["sample_events"]))

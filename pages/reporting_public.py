"""Reporting status, the public view: one line per operation, how many participating countries have records
loaded, never which (`kafo_data.seizures.reporting.coverage`). Managers get pages/reporting.py."""

from __future__ import annotations

import streamlit as st

from kafo_data.fmt import literal
from kafo_data.i18n import t
from kafo_data.seizures import reporting
from kafo_data.ui import page as ui

lang, filters, notices = ui.start(filters="none")
st.title(t("reporting.title", lang))
lines = reporting.coverage_lines(ui.q(reporting.coverage), ui.operation_names(), lang)
st.markdown(ui.block(*(f"- {literal(line)}" for line in lines), small=(t("reporting.public.caption", lang),)))

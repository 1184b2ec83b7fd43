"""Reporting status, the managers' view: operations x participating countries, which national reports are
loaded; a cell with none stands out. The public gets pages/reporting_public.py at the same address (app.py)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kafo_data.export import formats
from kafo_data.export import reporting as export
from kafo_data.fmt import number
from kafo_data.i18n import t
from kafo_data.seizures import reporting
from kafo_data.ui import page as ui

lang, filters, notices = ui.start(managers_only=True, filters="none")
st.title(t("reporting.title", lang))
st.caption(t("reporting.caption", lang))
grid = ui.q(reporting.grid)
cells = grid[grid.participating]
st.subheader(t("reporting.grid", lang))
st.markdown(t("reporting.missing_count", lang, missing=number(int((cells.batches == 0).sum()), lang),
              cells=number(len(cells), lang)))
shown = reporting.grid_table(grid, ui.country_names(lang), ui.operation_names(), lang)
missing = (grid.batches == 0).tolist()
st.dataframe(shown.style.apply(lambda row: ["background-color: #fde2e1; color: #7a1b16" if missing[row.name] else ""
                                            for _ in row], axis=1), hide_index=True)
st.caption(t("reporting.rejected_note", lang))
st.subheader(t("reporting.download", lang))
fmt = st.radio(t("export.format", lang), formats.FORMATS, key="rep_format", horizontal=True,
               format_func=lambda f: t(f"export.format.{f}", lang))
db, today = ui.database(), dt.datetime.now(dt.UTC).date()
st.download_button(t("reporting.download.button", lang, format=t(f"export.format.{fmt}", lang)),
                   data=lambda fmt=fmt: export.build(db, "managers", fmt, lang, today,
                                                     dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)),
                   file_name=export.download_name(fmt, today), mime=formats.MIME[fmt], on_click="ignore",
                   key="rep_download", icon=":material/download:")

"""Reporting status, the managers' view: operations x participating countries, which national reports are
loaded; a cell with none stands out. The public gets pages/reporting_public.py at the same address (app.py)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kafo_data.export import formats
from kafo_data.export import reporting as export
from kafo_data.fmt import literal, number
from kafo_data.i18n import t
from kafo_data.seizures import reporting
from kafo_data.ui import page as ui

# a cell's state as colours (dark text on a light fill, 4.5:1 at least); the text says the same for those who
# do not see colours: a number, "—" or "⚠ rejected"
COLOURS = {"reported": "background-color: #e3f1e6; color: #14471f",
           "none": "background-color: #fde2e1; color: #7a1b16",
           "all_rejected": "background-color: #fdebd0; color: #6b3d00",
           "outside": "background-color: #f2f2f2; color: #595959"}


def _height(rows: int) -> int:
    """A table tall enough for all its rows: no scroll box inside the page."""
    return 38 + 35 * rows


lang, filters, notices = ui.start(managers_only=True, filters="none")
st.title(t("reporting.title", lang))
st.caption(t("reporting.caption", lang))
loads = ui.rejected_loads()
grid = ui.q(reporting.grid, loads)
cells = grid[grid.participating]
st.subheader(t("reporting.grid", lang))
sent = int(((cells.batches == 0) & (cells.unstored > 0)).sum())
st.markdown(t("reporting.missing_count", lang, missing=number(int((cells.batches == 0).sum()), lang),
              cells=number(len(cells), lang))
            + (" " + t("reporting.all_rejected_count", lang, sent=number(sent, lang)) if sent else ""))
names, ops = ui.country_names(lang), ui.operation_names()
texts, states = reporting.matrix(grid, names, ops, lang)
st.markdown("**" + t("reporting.matrix", lang) + "**")
st.dataframe(texts.style.apply(lambda _: states.map(COLOURS.get), axis=None), height=_height(len(texts)),
             column_config={c: st.column_config.TextColumn(c, help=names.get(c, c)) for c in texts.columns})
st.caption(literal(reporting.matrix_key(list(texts.columns), names)))
st.caption(t("reporting.matrix.legend", lang))
unplaced = ui.q(reporting.unplaced_rows, loads)
if unplaced:
    st.caption(t("reporting.unplaced", lang, rows=number(unplaced, lang)))
st.subheader(t("reporting.details", lang))
shown = reporting.grid_table(grid, names, ops, lang)
state = [reporting.status_key(b, u).removeprefix("reporting.status.") for b, u in zip(grid.batches, grid.unstored,
                                                                                          strict=True)]
st.dataframe(shown.style.apply(lambda row: [COLOURS[state[row.name]] if state[row.name] != "reported" else ""
                                            for _ in row], axis=1), hide_index=True, height=_height(len(shown)))
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

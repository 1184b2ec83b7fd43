"""Published results: every figure each operation published, side by side, filterable and downloadable.

Public: the figures are the reference facts (real, sourced, never adjusted), no seizure record.
The operation filter is the app's shared one (in the link as `operation=`); the indicator
filter is this page's, in the link as `indicator=`.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kafo_data.export import formats, published
from kafo_data.fmt import number
from kafo_data.i18n import label, t
from kafo_data.seizures import published_views, queries
from kafo_data.ui import page as ui
from kafo_data.ui.state import STATE

INDICATOR_KEY = "results_indicator"

lang, filters, notices = ui.start(filters="none")
ui.link_notice(notices, lang)
st.title(t("results.title", lang))
st.markdown(t("results.intro", lang))

figures = ui.q(queries.figures)
op_names = ui.operation_names()
indicators = list(dict.fromkeys(figures.indicator))
if INDICATOR_KEY not in st.session_state:  # a shared link's indicators, the unknown ones left out
    st.session_state[INDICATOR_KEY] = [i for i in st.query_params.get_all("indicator") if i in indicators]
op_col, ind_col = st.columns(2)
op_col.multiselect(t("filters.operation", lang), options=list(op_names), key=STATE["operation"],
                   format_func=lambda v: op_names.get(v, v), placeholder=t("filters.all", lang))
chosen_ind = ind_col.multiselect(t("results.indicator_filter", lang), options=indicators, key=INDICATOR_KEY,
                                 format_func=lambda v: label("indicator", v, lang), placeholder=t("filters.all", lang))
chosen_ops = tuple(o for o in op_names if o in (st.session_state.get(STATE["operation"]) or ()))
if chosen_ind:
    st.query_params["indicator"] = chosen_ind
elif "indicator" in st.query_params:
    del st.query_params["indicator"]
selection = published.Selection(chosen_ops, tuple(i for i in indicators if i in chosen_ind))

rows = published_views.selected(figures, selection.operations, selection.indicators)
frame = ui.per_version(("results.frame", selection, lang),
                       lambda: published_views.results_frame(rows, op_names, lang))
st.caption(t("results.count", lang, shown=number(len(frame), lang), total=number(int(figures.shown.sum()), lang)))
if frame.empty:
    st.info(t("results.empty", lang), icon="🔎")
else:
    st.dataframe(frame, hide_index=True)

st.subheader(t("results.download", lang))
st.caption(t("results.download.caption", lang))
fmt = st.radio(t("export.format", lang), formats.FORMATS, key="results_format", horizontal=True,
               format_func=lambda f: t(f"export.format.{f}", lang),
               captions=[t(f"export.help.{f}", lang) for f in formats.FORMATS])
today = dt.datetime.now(dt.UTC).date()
db = ui.database()


def make(selection: published.Selection = selection, fmt: str = fmt) -> bytes:
    made_at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    return published.build(db, selection, fmt, lang, today, made_at)


st.download_button(t("results.download.button", lang, rows=number(len(rows), lang),
                     format=t(f"export.format.{fmt}", lang)),
                   data=make, file_name=published.file_name(selection, today, fmt), mime=formats.MIME[fmt],
                   on_click="ignore", key="results_download", icon=":material/download:",
                   disabled=rows.empty)

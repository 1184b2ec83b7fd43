"""Operations: the editions side by side, and how the records reconcile with what each published."""

from __future__ import annotations

import streamlit as st

from kafo_data.fmt import literal, number
from kafo_data.i18n import t
from kafo_data.seizures import queries, views
from kafo_data.ui import page as ui

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
st.title(t("operations.title", lang))

ops = ui.q(queries.operations)
figures = ui.q(queries.figures)
names = ui.country_names(lang)
op_names = ui.operation_names()

st.subheader(t("operations.side_by_side", lang))
ui.table(views.operations_table(ops, figures, names, lang), hide_index=True)
st.caption(t("operations.side_by_side_caption", lang))
for note in views.date_notes(ops, lang):
    st.caption(literal(note))

st.subheader(t("operations.agencies", lang))
ui.table(views.agencies_table(ui.q(queries.operation_agencies), op_names, lang), hide_index=True)
st.caption(t("operations.agencies_caption", lang))

st.subheader(t("operations.records", lang))
summaries = ui.q(queries.operation_summaries, filters)
summary_rows = []
for op in ops.operation_id:
    summary = summaries[op]
    summary_rows.append({
        t("operations.col.operation", lang): op_names[op],
        t("seizures.events", lang): number(summary["events"], lang),
        t("seizures.arrests", lang): number(summary["arrests"], lang),
        t("seizures.lines", lang): number(summary["lines"], lang),
        t("operations.col.sample_events", lang): number(summary["sample_events"], lang),
    })
ui.table(summary_rows, hide_index=True)
st.caption(t("operations.records_caption", lang))

st.subheader(t("operations.reconciliation", lang))
sample = ui.q(queries.sample_share)
ui.sample_notice(lang, sample["sample"] if filters.include_sample else 0, sample["sample"] + sample["real"])
st.caption(t("operations.reconciliation_caption", lang))
reconciliation = ui.q(queries.reconciliation, include_sample=filters.include_sample)
ui.table(views.reconciliation_table(reconciliation, op_names, lang), hide_index=True)

"""Operations: the editions side by side, and how the records reconcile with what each published."""

from __future__ import annotations

import streamlit as st

from kafo_data.fmt import literal
from kafo_data.i18n import t
from kafo_data.seizures import public, public_views, queries, views
from kafo_data.ui import brief as ui_brief
from kafo_data.ui import page as ui

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
st.title(t("operations.title", lang))
ui_brief.button("operations", lang, filters.operations)

ops = ui.q(queries.operations)
figures = ui.q(queries.figures)
names = ui.country_names(lang)
op_names = ui.operation_names()

st.subheader(t("operations.side_by_side", lang))
ui.kept_table(("operations.side_by_side", lang), lambda: views.operations_table(ops, figures, names,
                                                                               ui.q(queries.sources), lang),
              hide_index=True)
st.caption(t("operations.side_by_side_caption", lang))
st.page_link("pages/results.py", label=t("results.see_all", lang), icon=":material/format_quote:")
for line in ui.per_version(("operations.officers_sources", lang),
                           lambda: views.officers_sources(ops, figures, ui.q(queries.sources), lang)):
    st.caption(literal(line))
for note in views.date_notes(ops, lang):
    st.caption(literal(note))

st.subheader(t("operations.agencies", lang))
# Long tables folded (issue 28: the page was 7,700 px on a phone): a person opens the one they want.
with st.expander(t("links.open_table", lang)):
    ui.kept_table(("operations.agencies", lang),
                  lambda: views.agencies_table(ui.q(queries.operation_agencies), op_names, lang), hide_index=True)
st.caption(t("operations.agencies_caption", lang))

st.subheader(t("operations.records", lang))
manager = ui.access().is_manager
if not manager:  # the public view: events and arrests of each operation, small counts suppressed
    pf = public.PublicFilters.of(filters)
    ui.kept_table(("operations.public_rows", pf, lang), lambda: public_views.operation_rows(
        list(ops.operation_id), op_names, ui.q(public.operation_summaries, pf), lang), hide_index=True)
    st.caption(t("operations.records_caption", lang))
    st.caption(t("cellkey.adjusted", lang))
    st.subheader(t("operations.reconciliation", lang))
    if filters.include_sample:
        ui.public_share_notice(lang, ui.q(public.sample_share))
    st.caption(t("cellkey.reconcile_caption", lang))
    with st.expander(t("links.open_table", lang)):
        ui.kept_table(("operations.public_reconciliation", filters.include_sample, lang),
                      lambda: public_views.reconciliation_table(
                          ui.q(public.reconciliation, include_sample=filters.include_sample), op_names, lang),
                      hide_index=True)
    st.stop()

ui.kept_table(("operations.rows", filters, lang), lambda: views.edition_rows(
    ui.q(queries.operation_summaries, filters), op_names, filters.operations, lang), hide_index=True)
st.caption(t("look.records_caption", lang))

st.subheader(t("operations.reconciliation", lang))
sample = ui.q(queries.sample_share)
ui.sample_notice(lang, sample["sample"] if filters.include_sample else 0, sample["sample"] + sample["real"])
st.caption(t("operations.reconciliation_caption", lang))
st.caption(t("look.reconciliation_scope", lang))
with st.expander(t("links.open_table", lang)):
    ui.kept_table(("operations.reconciliation", filters.include_sample, filters.operations, lang),
                  lambda: views.reconciliation_table(
                      ui.q(queries.reconciliation, include_sample=filters.include_sample),
                      op_names, lang, filters.operations), hide_index=True)

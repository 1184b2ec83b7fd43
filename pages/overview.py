"""Overview: what KAFO is, when and where each edition ran, and what each one published."""

from __future__ import annotations

import streamlit as st

from kafo_data.config import GEO_URL
from kafo_data.fmt import literal
from kafo_data.i18n import t
from kafo_data.seizures import charts, queries, views
from kafo_data.ui import page as ui

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)

st.title(t("overview.title", lang))
st.markdown(t("overview.intro", lang))
st.caption(t("overview.name_meaning", lang))

ops = ui.q(queries.operations)
figures = ui.q(queries.figures)
names = ui.country_names(lang)

left, right = st.columns([3, 2])
with left:
    timeline = views.timeline_frame(ops, figures, names, lang)
    st.plotly_chart(charts.timeline(timeline, t("overview.timeline", lang), t("overview.countries", lang),
                                    t("overview.officers", lang)), config=ui.PLOT_CONFIG)
    st.caption(t("overview.timeline_caption", lang))
with right:
    participation = views.participation_frame(ui.q(queries.operation_countries), ops, lang)
    st.plotly_chart(charts.participation_map(participation, GEO_URL,
                                             t("overview.map", lang), t("overview.editions", lang)),
                    config=ui.PLOT_CONFIG)
    st.caption(t("overview.map_caption", lang))
with st.expander(t("overview.map_table", lang)):
    ui.table(participation.rename(columns={"iso3": "ISO3", "name": t("overview.country", lang),
                                           "editions": t("overview.editions", lang),
                                           "operations": t("overview.operations", lang)}), hide_index=True)

st.header(t("overview.results", lang))
st.caption(t("overview.results_caption", lang))
if filters.countries or filters.categories or filters.date_from or filters.date_to:
    st.info(t("overview.filters_not_applied", lang), icon="ℹ️")
else:
    st.caption(t("overview.filters_not_applied", lang))
shown_ops = [op for op in ops.operation_id if not filters.operations or op in filters.operations]
for op in ops[ops.operation_id.isin(shown_ops)].itertuples():
    with st.container(border=True):
        st.subheader(f"{literal(op.name)} · {views.period(op, lang)}")
        for note in views.date_notes(ops[ops.operation_id == op.operation_id], lang):
            st.caption(literal(note))
        cards = views.figure_cards(figures, op.operation_id, lang)
        columns = st.columns(3)
        for k, card in enumerate(cards):
            with columns[k % 3]:
                st.markdown(f"**{literal(card.label)}**")
                if card.value_text:
                    st.markdown(f"### {literal(card.value_text)}")
                st.markdown(t("overview.quote", lang, text=literal(card.quote)))
                st.caption(t("overview.source", lang, source=ui.link(card.source_title, card.source_url),
                             date=literal(card.source_published)))
                for note in card.footnotes:
                    st.caption(f"¹ {literal(note)}")

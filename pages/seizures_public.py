"""Seizures, the public view: totals by operation, country, category, item type and month; a country map.

Every number comes from `kafo_data.seizures.public` (aggregates, small cells suppressed); no
record, place, date, agency or file name reaches this page. Managers get pages/seizures.py at
the same address.
"""

from __future__ import annotations

import streamlit as st

from kafo_data.config import GEO_URL, small_cell_events
from kafo_data.i18n import label, t
from kafo_data.seizures import charts, public, public_views, views
from kafo_data.ui import page as ui
from kafo_data.ui.downloads import aggregate_menu

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
st.title(t("seizures.title", lang))
k = small_cell_events()
st.caption(t("access.public.caption", lang, k=k))
pf = public.PublicFilters.of(filters)

summary = ui.q(public.summary, pf)
if summary["empty"]:
    ui.empty_state(lang)
    st.stop()
ui.public_sample_notice(lang, summary)

names = ui.country_names(lang)
ops = ui.operation_names()
kpi = st.columns(3)
hidden = summary["suppressed"]
kpi[0].metric(t("seizures.events", lang), public_views.cell(summary["events"], hidden, lang))
kpi[1].metric(t("seizures.arrests", lang), public_views.cell(summary["arrests"], hidden, lang),
              help=t("seizures.arrests_help", lang))
kpi[2].metric(t("seizures.lines", lang), public_views.cell(summary["lines"], hidden, lang))

st.subheader(t("seizures.totals", lang))
st.caption(t("seizures.totals_caption", lang))
sums = ui.q(public.breakdowns, pf)
totals = sums["totals"]
ui.table(public_views.totals_table(totals, lang), hide_index=True)

st.subheader(t("seizures.charts", lang))
measures = views.measures(totals, lang)
measure = st.selectbox(t("seizures.measure", lang), list(measures), format_func=measures.get, key="measure",
                       help=t("seizures.measure_help", lang))
category, unit = measure.split("|", 1)
colour = charts.CATEGORY_COLOURS[category]
unit_text = views.unit_label(unit, lang)
source_caption = " ".join((t("seizures.chart_caption_sample" if summary["has_sample"] else "seizures.chart_caption",
                             lang), t("access.public.chart_caption", lang, k=k)))
by_country = public_views.by_dimension(sums["country"], measure, "country_iso3", lambda v: names.get(v, v), lang)
by_operation = public_views.by_dimension(sums["operation"], measure, "operation_id", lambda v: ops.get(v, v), lang)
by_item = public_views.by_dimension(sums["item_type"], measure, "item_type", lambda v: label("item_type", v, lang),
                                    lang)
over_time = public_views.by_dimension(sums["month"], measure, "month", lambda v: v, lang)

left, right = st.columns(2)
charts_spec = [
    (left, by_country, t("seizures.by_country", lang, measure=measures[measure]), t("seizures.country", lang)),
    (right, by_operation, t("seizures.by_operation", lang, measure=measures[measure]), t("seizures.operation", lang)),
    (left, by_item, t("seizures.by_item", lang, measure=measures[measure]), t("seizures.item_type", lang)),
]
for column, frame, title, dimension in charts_spec:
    with column:
        st.plotly_chart(charts.bar(frame, "quantity", "label", title, unit_text, dimension, colour),
                        config=ui.PLOT_CONFIG)
        st.caption(source_caption)
        with st.expander(t("seizures.table_twin", lang)):
            ui.table(public_views.dimension_table(frame, dimension, unit_text), hide_index=True)
with right:
    st.plotly_chart(charts.monthly(over_time, t("seizures.over_time", lang, measure=measures[measure]),
                                   t("seizures.month", lang), unit_text, colour, lang),
                    config=ui.PLOT_CONFIG)
    st.caption(source_caption)
    with st.expander(t("seizures.table_twin", lang)):
        ui.table(public_views.dimension_table(over_time.assign(name=over_time.month.dt.strftime("%Y-%m")),
                                              t("seizures.month", lang), unit_text), hide_index=True)

st.subheader(t("access.public.map", lang))
countries = public_views.country_frame(ui.q(public.country_events, pf), names)
st.plotly_chart(charts.country_map(countries, GEO_URL, t("access.public.map_title", lang),
                                   t("seizures.events", lang), public_views.fewer_than(lang)),
                config=ui.PLOT_CONFIG)
st.caption(t("access.public.map_caption", lang, k=k))
with st.expander(t("seizures.table_twin", lang)):
    ui.table(public_views.country_table(countries, lang), hide_index=True)

st.subheader(t("seizures.download", lang))
aggregate_menu(ui.database(), pf, lang)

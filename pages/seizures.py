"""Seizures: what the filtered records hold, by country, operation, item and month; the records; the file."""

from __future__ import annotations

import math

import streamlit as st

from kafo_data.config import GEO_URL
from kafo_data.contract import seizures as contract
from kafo_data.fmt import number
from kafo_data.i18n import label, t
from kafo_data.seizures import charts, queries, views
from kafo_data.seizures.filters import Filters
from kafo_data.ui import page as ui
from kafo_data.ui.downloads import download_menu

PAGE_SIZE = 50

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
st.title(t("seizures.title", lang))

summary = ui.q(queries.events_summary, filters)
ui.sample_notice(lang, summary["sample_events"], summary["events"])
if summary["lines"] == 0:
    ui.empty_state(lang)
    st.stop()

names = ui.country_names(lang)
ops = ui.operation_names()
kpi = st.columns(3)
kpi[0].metric(t("seizures.events", lang), number(summary["events"], lang))
kpi[1].metric(t("seizures.arrests", lang), number(summary["arrests"], lang), help=t("seizures.arrests_help", lang))
kpi[2].metric(t("seizures.lines", lang), number(summary["lines"], lang))

st.subheader(t("seizures.totals", lang))
st.caption(t("seizures.totals_caption", lang))
sums = ui.q(queries.breakdowns, filters)
totals = sums["totals"]
ui.table(views.totals_table(totals, lang), hide_index=True)

st.subheader(t("seizures.charts", lang))
measures = views.measures(totals, lang)
measure = st.selectbox(t("seizures.measure", lang), list(measures), format_func=measures.get, key="measure",
                       help=t("seizures.measure_help", lang))
category, unit = measure.split("|", 1)
colour = charts.CATEGORY_COLOURS[category]
unit_text = views.unit_label(unit, lang)
source_caption = t("seizures.chart_caption_sample" if summary["sample_events"] else "seizures.chart_caption", lang)
by_country = views.by_dimension(sums["country"], measure, "country_iso3", lambda v: names.get(v, v))
by_operation = views.by_dimension(sums["operation"], measure, "operation_id", lambda v: ops.get(v, v))
by_item = views.by_dimension(sums["item_type"], measure, "item_type", lambda v: label("item_type", v, lang))
over_time = views.measure_rows(sums["month"], measure)

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
            ui.table(frame.rename(columns={"label": dimension, "quantity": unit_text})[[dimension, unit_text]],
                     hide_index=True)
with right:
    st.plotly_chart(charts.monthly(over_time, t("seizures.over_time", lang, measure=measures[measure]),
                                   t("seizures.month", lang), unit_text, colour, lang),
                    config=ui.PLOT_CONFIG)
    st.caption(source_caption)
    with st.expander(t("seizures.table_twin", lang)):
        ui.table(over_time.assign(month=over_time.month.astype(str))[["month", "quantity"]]
                 .rename(columns={"month": t("seizures.month", lang), "quantity": unit_text}), hide_index=True)

st.subheader(t("seizures.map", lang))
points = ui.q(queries.map_points, filters)
points = points.assign(country=points.country_iso3.map(lambda v: names.get(v, v)))
st.plotly_chart(charts.events_map(points, GEO_URL, t("seizures.map_title", lang),
                                  t("seizures.events", lang)), config=ui.PLOT_CONFIG)
st.caption(t("seizures.map_caption", lang))
with st.expander(t("seizures.table_twin", lang)):
    ui.table(points[["locality", "country", "events", "arrests"]].rename(columns={
        "locality": t("col.seizures.locality", lang), "country": t("col.seizures.country_iso3", lang),
        "events": t("seizures.events", lang), "arrests": t("seizures.arrests", lang)}), hide_index=True)

st.subheader(t("seizures.records", lang))
sort_col, dir_col, page_col = st.columns([2, 1, 1])
sort = sort_col.selectbox(t("seizures.sort", lang), list(contract.RECORD_COLUMNS), key="rec_sort",
                          index=contract.RECORD_COLUMNS.index("seizure_date"),
                          format_func=lambda c: views.column_label(c, lang))
descending = dir_col.toggle(t("seizures.descending", lang), key="rec_desc")
pages = max(1, math.ceil(summary["lines"] / PAGE_SIZE))
page = page_col.number_input(t("seizures.page", lang, pages=number(pages, lang)), min_value=1, max_value=pages,
                             value=1, step=1, key="rec_page")
offset = (int(page) - 1) * PAGE_SIZE
records = ui.q(queries.records_page, filters, limit=PAGE_SIZE, offset=offset, sort=sort, descending=descending)
st.dataframe(views.records_for_display(records, names, ops, lang), hide_index=True)
st.caption(t("seizures.records_caption", lang, first=number(offset + 1, lang),
             last=number(min(offset + PAGE_SIZE, summary["lines"]), lang), total=number(summary["lines"], lang)))

st.subheader(t("seizures.download", lang))
download_menu(ui.database(), filters, lang, total_rows=ui.q(queries.record_count, Filters()),
              filtered_rows=summary["lines"])

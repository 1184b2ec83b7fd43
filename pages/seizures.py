"""Seizures, the managers' view: what the filtered records hold, by country, operation, item and month; the
records; the file. The public gets pages/seizures_public.py at the same address (app.py)."""

from __future__ import annotations

import math

import streamlit as st

from kafo_data.config import GEO_URL
from kafo_data.contract import seizures as contract
from kafo_data.fmt import literal, number
from kafo_data.i18n import t
from kafo_data.seizures import charts, queries, reporting, views
from kafo_data.seizures.filters import Filters
from kafo_data.ui import look
from kafo_data.ui import page as ui
from kafo_data.ui.downloads import download_menu

PAGE_SIZE = 50

lang, filters, notices = ui.start(managers_only=True)
ui.link_notice(notices, lang)
look.image_format(lang)
st.title(t("seizures.title", lang))

summary = ui.q(queries.events_summary, filters)
ui.sample_notice(lang, summary["sample_events"], summary["events"])
if summary["lines"] == 0:
    reason = views.empty_reason(filters.include_sample, ui.q(queries.sample_share)["real"])
    unloaded = filters.operations and not ui.q(queries.record_count, Filters(operations=filters.operations,
                                                                            include_sample=filters.include_sample))
    if unloaded:  # nothing to widen: no national report of these editions is loaded (issue 28)
        st.info(t("links.no_report_yet", lang, operations=", ".join(
            literal(ui.operation_names().get(o, o)) for o in filters.operations)), icon="📭")
    elif reason == "filters.empty":
        ui.empty_state(lang)
    else:
        st.info(t(reason, lang), icon="📭")
    gaps = ui.q(reporting.missing, filters)
    if gaps:  # which editions and countries have sent nothing yet (issue 30)
        st.caption(reporting.missing_text(gaps, ui.country_names(lang), ui.operation_names(), lang))
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
measure, measure_label = ui.measure_picker(totals, lang)
category = measure.split("|", 1)[0]
sample = bool(summary["sample_events"])
source_caption = t("seizures.chart_caption_sample" if sample else "seizures.chart_caption", lang)
image_source = t("look.source.seizures_sample" if sample else "look.source.seizures", lang)
# One breakdown at a time: a person reads one chart, and the browser draws one (issue 16's speed).
kind = st.segmented_control(t("look.show", lang), views.BREAKDOWN_CHOICES, key="s_breakdown",
                            required=True, format_func=lambda k: t(f"seizures.{k}", lang)) or "country"
shown = views.breakdown(sums, kind, measure, measure_label, names, ops, lang)
colour = charts.CATEGORY_COLOURS[category]
if kind == "month":
    figure = charts.monthly(shown.frame, shown.title, shown.dimension, shown.unit, colour, lang, source=image_source)
else:
    figure = charts.bar(shown.frame, "quantity", "label", shown.title, shown.unit, shown.dimension, colour,
                        source=image_source, lang=lang)
look.chart(figure, sample=sample)
st.caption(source_caption)
ui.twin(t("seizures.table_twin", lang), "twin_chart", lambda: shown.table)

st.subheader(t("seizures.map", lang))
points = ui.q(queries.map_points, filters)
points = points.assign(country=points.country_iso3.map(lambda v: names.get(v, v)))
look.chart(charts.events_map(points, GEO_URL, t("seizures.map_title", lang), t("seizures.events", lang),
                             source=t("look.source.places_sample" if sample else "look.source.places", lang),
                             lang=lang), sample=sample)
st.caption(t("seizures.map_caption", lang))
ui.twin(t("seizures.table_twin", lang), "twin_map", lambda: views.places_table(points, lang))

st.subheader(t("seizures.records", lang))
# Drawn when opened, as the budget's lines: the sort, order and page pickers and the grid were a fifth
# of a filter click in the browser, far below the fold (issue 16's speed).
shelf = st.expander(t("seizures.records_open", lang, rows=number(summary["lines"], lang), size=PAGE_SIZE),
                    key="rec_open", on_change="rerun")
with shelf:
    if shelf.open:
        sort_col, dir_col, page_col = st.columns([2, 1, 1])
        pages = max(1, math.ceil(summary["lines"] / PAGE_SIZE))
        ui.link_notice(ui.choice("rec_sort", contract.RECORD_COLUMNS, "seizure_date")
                       + ui.choice("rec_desc", (True, False), False)
                       + ui.choice("rec_page", range(1, pages + 1), 1), lang)
        sort = sort_col.selectbox(t("seizures.sort", lang), list(contract.RECORD_COLUMNS), key="rec_sort",
                                  format_func=lambda c: views.column_label(c, lang))
        descending = dir_col.toggle(t("seizures.descending", lang), key="rec_desc")
        page = page_col.number_input(t("seizures.page", lang, pages=number(pages, lang)), min_value=1,
                                     max_value=pages, step=1, key="rec_page")
        offset = (int(page) - 1) * PAGE_SIZE
        records = ui.q(queries.records_page, filters, limit=PAGE_SIZE, offset=offset, sort=sort,
                       descending=descending)
        st.dataframe(views.records_for_display(records, names, ops, lang), hide_index=True)
        st.caption(t("seizures.records_caption", lang, first=number(offset + 1, lang),
                     last=number(min(offset + PAGE_SIZE, summary["lines"]), lang),
                     total=number(summary["lines"], lang)))

st.subheader(t("seizures.download", lang))
download_menu(ui.database(), filters, lang, total_rows=ui.q(queries.record_count, Filters()),
              filtered_rows=summary["lines"])

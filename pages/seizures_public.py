"""Seizures, the public view: totals by operation, country, category, item type and month; a country map.

Every number comes from `kafo_data.seizures.public` (aggregates, small cells suppressed); no
record, place, date, agency or file name reaches this page. Managers get pages/seizures.py at
the same address.
"""

from __future__ import annotations

import streamlit as st

from kafo_data.config import GEO_URL, small_cell_events
from kafo_data.fmt import literal
from kafo_data.i18n import label, t
from kafo_data.seizures import charts, public, public_views, views
from kafo_data.seizures.filters import Filters
from kafo_data.ui import look
from kafo_data.ui import page as ui
from kafo_data.ui.downloads import aggregate_menu

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
look.image_format(lang)
st.title(t("seizures.title", lang))
k = small_cell_events()
st.caption(t("access.public.caption", lang, k=k))
st.caption(t("cellkey.adjusted", lang))
pf = public.PublicFilters.of(filters)

summary = ui.q(public.summary, pf)
if summary["empty"]:
    editions = public.PublicFilters.of(Filters(operations=filters.operations, include_sample=filters.include_sample))
    if filters.operations and ui.q(public.summary, editions)["empty"]:  # no record of these editions at all
        names = ui.operation_names()
        st.info(t("links.no_report_yet", lang, operations=", ".join(
            literal(names.get(o, o)) for o in filters.operations)), icon="📭")
    else:
        ui.empty_state(lang)
    st.stop()
ui.public_sample_notice(lang, summary)

names = ui.country_names(lang)
ops = ui.operation_names()
kpi = st.columns(2)  # no item lines for the public: docs/public-numbers.md
hidden = summary["suppressed"]
kpi[0].metric(t("seizures.events", lang), public_views.cell(summary["events"], hidden, lang))
kpi[1].metric(t("seizures.arrests", lang), public_views.cell(summary["arrests"], hidden, lang),
              help=t("seizures.arrests_help", lang))

st.subheader(t("seizures.totals", lang))
st.caption(t("seizures.totals_caption", lang))
sums = ui.q(public.breakdowns, pf)
totals = sums["totals"]
ui.table(public_views.totals_table(totals, lang), hide_index=True)

st.subheader(t("seizures.charts", lang))
measure, measure_label = ui.measure_picker(totals, lang)
category, unit = measure.split("|", 1)
colour = charts.CATEGORY_COLOURS[category]
unit_text = views.unit_label(unit, lang)
source_caption = " ".join((t("seizures.chart_caption_sample" if summary["has_sample"] else "seizures.chart_caption",
                             lang), t("access.public.chart_caption", lang, k=k)))
sample = bool(summary["has_sample"])
image_source = t("look.source.seizures_sample" if sample else "look.source.seizures", lang)
# One breakdown at a time: a person reads one chart, and the browser draws one (issue 16's speed).
kind = st.segmented_control(t("look.show", lang), views.BREAKDOWN_CHOICES, key="s_breakdown",
                            required=True, format_func=lambda v: t(f"seizures.{v}", lang)) or "country"
title = t({"country": "seizures.by_country", "operation": "seizures.by_operation", "item_type": "seizures.by_item",
           "month": "seizures.over_time"}[kind], lang, measure=measure_label)
dimension = t(f"seizures.{kind}", lang)
if kind == "month":
    frame = public_views.by_dimension(sums["month"], measure, "month", lambda v: v, lang)
    figure = charts.monthly(frame, title, dimension, unit_text, colour, lang, source=image_source)
    table = public_views.dimension_table(frame.assign(name=frame.month.dt.strftime("%Y-%m")), dimension, unit_text)
else:
    column, labeller = {"country": ("country_iso3", lambda v: names.get(v, v)),
                        "operation": ("operation_id", lambda v: ops.get(v, v)),
                        "item_type": ("item_type", lambda v: label("item_type", v, lang))}[kind]
    frame = public_views.by_dimension(sums[kind], measure, column, labeller, lang)
    figure = charts.bar(frame, "quantity", "label", title, unit_text, dimension, colour, source=image_source,
                        lang=lang)
    table = public_views.dimension_table(frame, dimension, unit_text)
look.chart(figure, sample=sample)
st.caption(source_caption)
ui.twin(t("seizures.table_twin", lang), "twin_chart", lambda: table)

st.subheader(t("access.public.map", lang))
countries = public_views.country_frame(ui.q(public.country_events, pf), names)
look.chart(charts.country_map(countries, GEO_URL, t("access.public.map_title", lang), t("seizures.events", lang),
                              public_views.fewer_than(lang), lang=lang,
                              source=t("look.source.seizures_sample" if sample else "look.source.seizures", lang)),
           sample=sample)
st.caption(t("access.public.map_caption", lang, k=k))
ui.twin(t("seizures.table_twin", lang), "twin_map", lambda: public_views.country_table(countries, lang))

st.subheader(t("seizures.download", lang))
aggregate_menu(ui.database(), pf, lang)

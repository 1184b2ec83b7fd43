"""The Firearms page, drawn once for both audiences: the managers' exact cells or the public's protected ones.

pages/firearms.py and pages/firearms_public.py only fetch their cells (each through `ui.q`, so the public
gate decides) and call `draw`. One breakdown chart at a time, as on the Seizures page: a person reads one
chart, and the browser draws one.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kafo_data.config import small_cell_events
from kafo_data.export import firearms as export
from kafo_data.export import formats
from kafo_data.firearms import charts, views
from kafo_data.i18n import t
from kafo_data.seizures.filters import Filters
from kafo_data.ui import look
from kafo_data.ui import page as ui


def draw(lang: str, filters: Filters, cells: pd.DataFrame, *, public: bool, sample: bool) -> None:
    """Everything under the page's title: the indicator in words, one chart with its table, the download."""
    names = ui.country_names(lang)
    ops = ui.operation_names()
    source = t("look.source.seizures_sample" if sample else "look.source.seizures", lang)
    st.subheader(t("firearms.sdg.title", lang))
    ind = views.indicator(cells)
    st.markdown(ui.block(*views.sentences(ind, lang, public),
                         small=(t("firearms.sdg.definition", lang, url=views.METADATA_URL),
                                t("firearms.sdg.caveat", lang),
                                t("firearms.sdg.adjusted", lang, k=small_cell_events()) if public else "")))
    ui.link_notice(ui.choice("fa_view", views.VIEWS, "operation"), lang)  # the chosen chart is in the link
    view = st.segmented_control(t("look.show", lang), views.VIEWS, key="fa_view", required=True,
                                format_func=lambda v: t(f"firearms.view.{v}", lang)) or "operation"
    title = t(f"firearms.chart.{view}", lang)
    if view in ("operation", "country"):
        labeller = (lambda v: ops.get(v, v)) if view == "operation" else (lambda v: names.get(v, v))
        rows = views.indicator_rows(cells, view, labeller, lang, public)
        axis = t("firearms.axis.share_adjusted" if public else "firearms.axis.share", lang)
        figure = charts.share_bars(rows, title, axis, source=source, lang=lang)
        table = views.indicator_table(rows, view, lang)
    else:
        frame = views.breakdown(cells, view, names, lang)
        drawn = frame if view == "flow" else views.chart_rows(frame, lang)  # a hidden flow is no link
        if view == "flow":
            figure = charts.flow(drawn, title, source=source, lang=lang, made_in=t("firearms.col.made_in", lang),
                                 seized_in=t("firearms.col.country", lang))
        else:
            figure = charts.stacked_bars(drawn, title, t("firearms.axis.firearms", lang), source=source, lang=lang)
        table = views.breakdown_table(frame, view, lang)
    look.chart(figure, sample=sample)
    st.caption(t("firearms.chart.caption", lang))
    ui.twin(t("seizures.table_twin", lang), "twin_chart", lambda: table)
    _download(lang, filters, "public" if public else "managers")


def _download(lang: str, filters: Filters, view: str) -> None:
    """The page's cells in the four formats, built on click (plain values in the closure)."""
    st.subheader(t("firearms.download", lang))
    st.caption(t("firearms.download.caption", lang))
    fmt = st.radio(t("export.format", lang), formats.FORMATS, key="fa_format", horizontal=True,
                   format_func=lambda f: t(f"export.format.{f}", lang),
                   captions=[t(f"export.help.{f}", lang) for f in formats.FORMATS])
    db = ui.database()
    today = dt.datetime.now(dt.UTC).date()

    def make(fmt: str = fmt) -> bytes:
        made_at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        return export.build(db, filters, view, fmt, lang, today, made_at)

    st.download_button(t("firearms.download.button", lang, format=t(f"export.format.{fmt}", lang)), data=make,
                       file_name=export.download_name(filters, view, fmt, today), mime=formats.MIME[fmt],
                       on_click="ignore", key="fa_download", icon=":material/download:")


def category_note(lang: str, filters: Filters) -> bool:
    """Say what the category filter does here; True when it leaves firearms out (the page then stops)."""
    if filters.categories and "firearms" not in filters.categories:
        st.info(t("firearms.category_excluded", lang), icon="🔎")
        return True
    st.caption(t("firearms.scope", lang))
    return False

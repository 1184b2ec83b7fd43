"""Data and sources: the dictionary, every source, where the records come from, and the files."""

from __future__ import annotations

import streamlit as st

from kafo_data.fmt import literal, number
from kafo_data.i18n import label, t
from kafo_data.seizures import public, queries, views
from kafo_data.ui import cite as ui_cite
from kafo_data.ui import page as ui

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
st.title(t("data.title", lang))
st.markdown(t("data.intro", lang))

st.subheader(t("data.sources", lang))
sources = ui.q(queries.sources)
by = "publisher_fr" if lang == "fr" else "publisher"  # "ONUDC", the ATT database described in French
st.markdown("\n".join(
    f"- {ui.link(s.title, s.url)} — {literal(getattr(s, by))}, {literal(views.published_text(s.published, lang))}"
    for s in sources.itertuples()))

ui_cite.section(lang, t("nav.data", lang))

st.subheader(t("data.records", lang))
if not ui.access().is_manager:  # the public view: how many events are sample, no batch, no file name
    share = ui.q(public.sample_share)
    fewer = ui.fewer_than(lang)
    st.markdown(t("access.data.records_public", lang,
                  real=fewer if share["real"] is None else number(share["real"], lang),
                  sample=fewer if share["sample"] is None else number(share["sample"], lang)))
    st.caption(t("data.sample_switch", lang))
    st.caption(t("cellkey.adjusted", lang))
    st.subheader(t("data.dictionary", lang))
    st.dataframe(views.dictionary(lang), hide_index=True)
    st.caption(t("data.version", lang, version=ui.database().version()))
    st.stop()

share = ui.q(queries.sample_share)
ui.sample_notice(lang, share["sample"], share["sample"] + share["real"])
ui.table(ui.q(queries.records_by_source).assign(is_sample=lambda f: f.is_sample.map(
    {True: t("data.yes", lang), False: t("data.no", lang)}), source=lambda f: f.source.map(
    lambda v: label("record_source", v, lang))).rename(columns={
    "source": t("col.seizures.source", lang), "is_sample": t("col.seizures.is_sample", lang),
    "events": t("seizures.events", lang), "lines": t("seizures.lines", lang)}), hide_index=True)
st.caption(t("data.sample_switch", lang))

st.subheader(t("data.batches", lang))
ui.table(views.batches_table(ui.database().root, lang), hide_index=True)

st.subheader(t("data.dictionary", lang))
st.dataframe(views.dictionary(lang), hide_index=True)

st.subheader(t("data.files", lang))
ui.table(views.data_files(ui.database().root, lang), hide_index=True)
st.caption(t("data.version", lang, version=ui.database().version()))

"""Firearms, the public view: the same page from aggregates only, each cell under the small-cell rule
(`kafo_data.firearms.public`): no make, calibre, place, date or seizure id. Managers get pages/firearms.py."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from kafo_data.firearms import public as firearm_cells
from kafo_data.i18n import t
from kafo_data.seizures import public
from kafo_data.ui import firearms as page
from kafo_data.ui import look
from kafo_data.ui import page as ui

lang, filters, notices = ui.start()
ui.link_notice(notices, lang)
look.image_format(lang)
st.title(t("firearms.title", lang))
st.caption(t("cellkey.adjusted", lang))
if page.category_note(lang, filters):
    st.stop()
pf = public.PublicFilters.of(filters)
summary = ui.q(public.summary, replace(pf, categories=("firearms",)))
if summary["empty"]:
    st.info(t("firearms.empty", lang), icon="🔎")
    st.stop()
ui.public_sample_notice(lang, summary)
page.draw(lang, filters, ui.q(firearm_cells.cells, pf), public=True, sample=bool(summary["has_sample"]))

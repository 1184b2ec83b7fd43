"""How to cite this view, its terms, and the date of its data: the footer of every page and the Data page's section.

The wording is `kafo_data.brief.cite`'s (the brief says the same). The address is this view's own
(`ui.brief.view_address`): it comes from the browser, so it is shown as plain text (`literal`).
The data date is looked up once per data version.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kafo_data.brief.cite import citation, terms
from kafo_data.errors import DataMissingError
from kafo_data.fmt import date as fmt_date
from kafo_data.fmt import literal
from kafo_data.i18n import t
from kafo_data.seizures.filters import Filters
from kafo_data.store.as_of import data_as_of
from kafo_data.ui import state
from kafo_data.ui.brief import view_address
from kafo_data.ui.data import database, per_version
from kafo_data.ui.page import operation_names


def as_of() -> dt.date:
    """The date the data last changed (newest batch or build), kept per data version."""
    root = database().root
    return per_version("data_as_of", lambda: data_as_of(root))


def view_citation(lang: str, page_title: str) -> str:
    """The suggested citation of what is on screen: page, operations chosen, address, data date, today."""
    ops = state.current(Filters).operations
    names = operation_names()
    chosen = ", ".join(names.get(o, o) for o in ops) if ops else t("brief.all_editions", lang)
    return citation(lang, page_title, t("brief.selection", lang, operations=chosen), view_address(), as_of(),
                    dt.datetime.now(dt.UTC).date())


def footer(lang: str, page_title: str) -> None:
    """One small element under every page: data date, how to cite this view, the terms in brief.

    Nothing when the data is missing: the page has said so and how to build it.
    """
    try:
        text = " ".join([t("cite.as_of", lang, date=fmt_date(as_of(), lang)),
                         t("cite.cite_as", lang, citation=literal(view_citation(lang, page_title))),
                         t("cite.terms_short", lang)])
    except DataMissingError:
        return
    st.divider()
    st.caption(text)


def section(lang: str, page_title: str) -> None:
    """The Data and sources page's "How to cite" section: the citation, each part's terms, the data date."""
    st.subheader(t("brief.cite_title", lang))
    st.markdown(t("cite.as_of", lang, date=fmt_date(as_of(), lang)))
    st.code(view_citation(lang, page_title), language=None, wrap_lines=True)
    st.subheader(t("brief.terms_title", lang))
    st.markdown("\n".join(f"- {literal(line)}" for line in terms(lang)))

"""The budget page's Streamlit helpers: its own filters (donor, output), the rates, the downloads.

Operation and the sample switch are the sidebar's (one filter set for every page); donor and
output sit at the top of the budget page, because they only mean something there. Both live
in the URL through the one sync of `kafo_data.ui.state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from kafo_data.export import formats
from kafo_data.export import money as money_export
from kafo_data.fmt import number
from kafo_data.i18n import t
from kafo_data.money import queries as budget_queries
from kafo_data.money import rates as money_rates
from kafo_data.money.filters import MoneyFilters
from kafo_data.store.db import get_database
from kafo_data.ui import state
from kafo_data.ui.data import database, per_version, q
from kafo_data.ui.downloads import refusal


def rates() -> list[money_rates.Rate]:
    """The rates table of the data directory (kept by data version like the queries)."""
    root = database().root
    return per_version("rates", lambda: money_rates.rates(root))


def filters_bar(lang: str, donor_names: dict[str, str], output_names: dict[int, str]) -> MoneyFilters:
    """Donor and output pickers in a row at the top of the page; with the sidebar's operation and sample switch."""
    known = q(budget_queries.known)
    labels: dict[str, Callable[[Any], str]] = {
        "donor": lambda v: donor_names.get(v, v),
        "output": lambda v: f"{t('budget.output_n', lang, n=v)}: {output_names.get(v, '')}",
    }
    options = {"donor": sorted(known["donors"]), "output": sorted(known["outputs"])}
    for column, key in zip(st.columns(len(MoneyFilters.OWN)), MoneyFilters.OWN, strict=True):
        column.multiselect(t(f"budget.filter.{key}", lang), options=options[key], key=state.STATE[key],
                           format_func=labels[key], placeholder=t("budget.filter.all", lang))
    state.write_url(lang)
    return state.current(MoneyFilters)


def downloads(lang: str, filters: MoneyFilters, rows: dict[str, int], key: str = "b_download") -> None:
    """One format choice, then a button for the budget lines and one for the transactions.

    Each file is built only on click (`data=` a callable holding plain values, its own cursor,
    no `st.*`), through `kafo_data.export.money`, so it has the same formats, the same protection
    against formulas and the same bytes as `python -m kafo_data money export`.
    """
    root = database().root
    today = dt.datetime.now(dt.UTC).date()
    fmt = st.radio(t("export.format", lang), formats.FORMATS, key=f"{key}_format", horizontal=True,
                   format_func=lambda f: t(f"export.format.{f}", lang))
    for column, table in zip(st.columns(2), ("budgets", "transactions"), strict=True):
        problem = refusal(rows[table], fmt, lang)

        def build(table: str = table, fmt: str = fmt) -> bytes:
            return money_export.build(get_database(root), table, filters, fmt, lang, today)

        name = money_export.file_name(table, filters, today, formats.EXTENSIONS[fmt], formats.SUFFIXES.get(fmt, ""))
        with column:
            st.download_button(t(f"budget.download.{table}", lang, rows=number(rows[table], lang)), data=build,
                               file_name=name, mime=formats.MIME[fmt], on_click="ignore",
                               disabled=problem is not None, key=f"{key}_{table}", icon=":material/download:")
            if problem:
                st.caption(problem)

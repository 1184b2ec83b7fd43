"""The budget page's Streamlit helpers: cached money queries, its filters and their URL form.

The budget filters (donor, output, operation) sit at the top of the page, not in the
sidebar, because they only mean something here. Like the shared filters they live in the
URL as ids (`donor=EU&output=2&b_operation=KAFO-II`, repeated keys): read once when a
session opens a link (`capture_link`, called before `ui.start`, which rewrites the URL with
its own keys), written back after every run, and kept in session state while the person
visits other pages (Streamlit forgets the state of widgets a page did not draw).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from kafo_data.export import seizures as export
from kafo_data.fmt import number
from kafo_data.i18n import t
from kafo_data.money import queries as budget_queries
from kafo_data.money.queries import PARAM_KEYS, BudgetFilters, BudgetKnown
from kafo_data.store.db import DataMissingError, get_database
from kafo_data.ui.downloads import refusal
from kafo_data.ui.page import database
from kafo_data.ui.page import lang as ui_lang

WIDGET = {"donor": "b_f_donor", "output": "b_f_output", "b_operation": "b_f_operation"}
KEPT = {key: f"_kept_{widget}" for key, widget in WIDGET.items()}
SYNCED = "_budget_url_synced"
RAW = "_budget_url_raw"


@st.cache_data(show_spinner=False, max_entries=512)
def _call(name: str, version: str, root: str, args: tuple) -> Any:
    return getattr(budget_queries, name)(get_database(Path(root)), *args)


def bq(name: str, *args: Any) -> Any:
    """A query of `kafo_data.money.queries`, cached by (query, arguments, data version).

    A money file that is missing or unreadable ends the page with one message naming it and
    the commands that check and rebuild the data, instead of a traceback.
    """
    db = database()
    try:
        return _call(name, db.version(), str(db.root), args)
    except (DataMissingError, duckdb.IOException, duckdb.InvalidInputException) as exc:
        st.error(t("app.data_missing", ui_lang(), problem=str(exc).splitlines()[0]), icon="🗂️")
        st.code("python -m kafo_data validate\npython -m kafo_data money build", language="bash")
        st.stop()


def rates() -> list[budget_queries.Rate]:
    """The rates table of the data directory (cached by data version like the queries)."""
    db = database()
    return _rates(db.version(), str(db.root))


@st.cache_data(show_spinner=False, max_entries=8)
def _rates(version: str, root: str) -> list[budget_queries.Rate]:
    return budget_queries.rates(Path(root))


def capture_link() -> None:
    """Keep the link's budget parameters on a session's first run, before `ui.start` rewrites the URL."""
    if RAW not in st.session_state:
        st.session_state[RAW] = {key: st.query_params.get_all(key) for key in PARAM_KEYS}


def _load_url_once(known: BudgetKnown) -> list[str]:
    """On a session's first run, copy the link's budget filters into the widgets; return notices."""
    if st.session_state.get(SYNCED):
        return []
    params = st.session_state.get(RAW) or {key: st.query_params.get_all(key) for key in PARAM_KEYS}
    filters, notices = budget_queries.from_params(params, known)
    for key, attr in PARAM_KEYS.items():
        st.session_state[KEPT[key]] = list(getattr(filters, attr))
    st.session_state[SYNCED] = True
    return notices


def write_url(filters: BudgetFilters) -> None:
    """Put the budget filters in the address bar (ids only), leaving every other key alone."""
    wanted = budget_queries.to_params(filters)
    for key in PARAM_KEYS:
        current = st.query_params.get_all(key)
        if wanted.get(key, []) == current:
            continue
        if key in wanted:
            st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def filters_bar(lang: str, donor_names: dict[str, str], output_names: dict[int, str],
                operation_names: dict[str, str]) -> tuple[BudgetFilters, list[str]]:
    """Donor, output and operation pickers in a row at the top of the page; URL in and out."""
    known = bq("known")
    notices = _load_url_once(known)
    options: dict[str, list] = {"donor": sorted(known.donors), "output": sorted(known.outputs),
                                "b_operation": [o for o in operation_names if o in known.operations]}
    labels: dict[str, Callable[[Any], str]] = {
        "donor": lambda v: donor_names.get(v, v),
        "output": lambda v: f"{t('budget.output_n', lang, n=v)}: {output_names.get(v, '')}",
        "b_operation": lambda v: operation_names.get(v, v),
    }
    titles = {"donor": "budget.filter.donor", "output": "budget.filter.output",
              "b_operation": "budget.filter.operation"}
    for column, key in zip(st.columns(3), PARAM_KEYS, strict=True):
        if WIDGET[key] not in st.session_state:
            st.session_state[WIDGET[key]] = [v for v in st.session_state.get(KEPT[key], []) if v in options[key]]
        column.multiselect(t(titles[key], lang), options=options[key], key=WIDGET[key], format_func=labels[key],
                           placeholder=t("budget.filter.all", lang))
        st.session_state[KEPT[key]] = list(st.session_state[WIDGET[key]])
    filters = BudgetFilters(
        donors=tuple(sorted(st.session_state[WIDGET["donor"]])),
        outputs=tuple(sorted(st.session_state[WIDGET["output"]])),
        operations=tuple(sorted(st.session_state[WIDGET["b_operation"]])),
    )
    write_url(filters)
    return filters, notices


def link_notice(notices: list[str], lang: str) -> None:
    """Name the values of a shared link that were not understood and have been left out."""
    if notices:
        st.warning(t("budget.filter.ignored", lang, values="; ".join(notices)), icon="⚠️")


def downloads(lang: str, filters: BudgetFilters, rows: dict[str, int], key: str = "b_download") -> None:
    """One format choice, then a button for the budget lines and one for the transactions.

    Each file is built only on click (`data=` a callable holding plain values, its own cursor,
    no `st.*`), through `kafo_data.export.seizures`, so it has the same formats, the same protection
    against formulas and the same bytes as `python -m kafo_data money export`.
    """
    root = database().root
    today = dt.datetime.now(dt.UTC).date()
    fmt = st.radio(t("export.format", lang), export.FORMATS, key=f"{key}_format", horizontal=True,
                   format_func=lambda f: t(f"export.format.{f}", lang))
    for column, table in zip(st.columns(2), ("budgets", "transactions"), strict=True):
        problem = refusal(rows[table], fmt, lang)

        def build(table: str = table, fmt: str = fmt) -> bytes:
            return budget_queries.build(get_database(root), table, filters, fmt, lang, today)

        name = budget_queries.file_name(table, filters, today, export.EXTENSIONS[fmt], export.SUFFIXES.get(fmt, ""))
        with column:
            st.download_button(t(f"budget.download.{table}", lang, rows=number(rows[table], lang)), data=build,
                               file_name=name, mime=export.MIME[fmt], on_click="ignore",
                               disabled=problem is not None, key=f"{key}_{table}", icon=":material/download:")
            if problem:
                st.caption(problem)

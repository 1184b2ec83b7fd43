"""The few Streamlit helpers every page shares: language, data access, filters, notices.

The URL is the state (as in Datasette): the sidebar filters and the language are read from
the query string when a session opens a link, kept in `st.session_state` while the person
moves between pages, and written back to the URL after every run, as ids (never labels),
so a copied link reproduces the view in either language.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from kafo_data.config import data_dir
from kafo_data.fmt import number
from kafo_data.i18n import DEFAULT_LANG, LANGS, label, t
from kafo_data.seizures import queries
from kafo_data.seizures.filters import FIELDS, Filters, from_params, to_params
from kafo_data.store.db import Database, DataMissingError, get_database

FILTER_KEYS = ("operation", "country", "category", "from", "to", "sample")
STATE = {"operation": "f_operation", "country": "f_country", "category": "f_category",
         "from": "f_from", "to": "f_to", "sample": "f_sample"}
LANG_KEY = "lang"
# Plotly's toolbar covers chart titles on phones, and zooming a map by scrolling traps the page.
PLOT_CONFIG = {"displaylogo": False, "displayModeBar": False, "scrollZoom": False}
SYNCED = "_url_synced"
_RUN = threading.local()  # what one script run has already looked up (each run has its own thread)


def database() -> Database:
    return get_database(data_dir())


@st.cache_data(show_spinner=False, max_entries=2048)
def _call(name: str, version: str, root: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(queries, name)(get_database(Path(root)), *args, **dict(kwargs))


def q(name: str, *args: Any, **kwargs: Any) -> Any:
    """A query of `kafo_data.seizures.queries`, cached by (query, arguments, data version).

    A data file that is missing or unreadable ends the page with one message that names the
    problem and the command that rebuilds the data, instead of a traceback.
    """
    db = database()
    try:
        return _call(name, _run_version(db), str(db.root), args, tuple(sorted(kwargs.items())))
    except (DataMissingError, duckdb.IOException, duckdb.InvalidInputException) as exc:
        st.error(t("app.data_missing", lang(), problem=str(exc).splitlines()[0]), icon="🗂️")
        st.code("python -m kafo_data validate\npython -m kafo_data build", language="bash")
        st.stop()


def _run_version(db: Database) -> str:
    """The data version, looked up once per script run (`start` forgets it): a page makes 20 queries."""
    version = getattr(_RUN, "version", None)
    if version is None or getattr(_RUN, "root", None) != db.root:
        version, _RUN.root = db.version(), db.root
        _RUN.version = version
    return version


def lang() -> str:
    """The language of this session (from the URL on first run, then the switch)."""
    value = st.session_state.get(LANG_KEY)
    if value in LANGS:
        return value
    from_url = st.query_params.get(LANG_KEY, DEFAULT_LANG)
    return from_url if from_url in LANGS else DEFAULT_LANG


def country_names(lang_: str) -> dict[str, str]:
    frame = q("countries")
    return dict(zip(frame.iso3, frame[f"name_{lang_}"], strict=True))


def operation_names() -> dict[str, str]:
    frame = q("operations")
    return dict(zip(frame.operation_id, frame.name, strict=True))


def _load_url_once() -> list[str]:
    """On a session's first run, copy the link's filters into the widgets; return notices."""
    if st.session_state.get(SYNCED):
        return []
    params = {k: st.query_params.get_all(k) for k in FILTER_KEYS}
    filters, notices = from_params(params, q("known"))
    st.session_state[STATE["operation"]] = list(filters.operations)
    st.session_state[STATE["country"]] = list(filters.countries)
    st.session_state[STATE["category"]] = list(filters.categories)
    st.session_state[STATE["from"]] = filters.date_from
    st.session_state[STATE["to"]] = filters.date_to
    st.session_state[STATE["sample"]] = filters.include_sample
    lang_param = st.query_params.get(LANG_KEY)
    st.session_state[LANG_KEY] = lang_param if lang_param in LANGS else DEFAULT_LANG
    if lang_param and lang_param not in LANGS:
        notices.append(f"lang: {lang_param}")
    st.session_state[SYNCED] = True
    return notices


def current_filters() -> Filters:
    """The filters as the widgets hold them now."""
    s = st.session_state
    return Filters(
        operations=tuple(sorted(s.get(STATE["operation"], []))),
        countries=tuple(sorted(s.get(STATE["country"], []))),
        categories=tuple(sorted(s.get(STATE["category"], []))),
        date_from=s.get(STATE["from"]), date_to=s.get(STATE["to"]),
        include_sample=s.get(STATE["sample"], True),
    )


def write_url(filters: Filters, lang_: str) -> None:
    """Make the address bar describe what is on screen (ids only, defaults left out)."""
    params: dict[str, list[str] | str] = dict(to_params(filters))
    if lang_ != DEFAULT_LANG:
        params[LANG_KEY] = lang_
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    others = {k: v for k, v in current.items() if k not in (*FILTER_KEYS, LANG_KEY)}
    wanted = {**others, **{k: v if isinstance(v, list) else [v] for k, v in params.items()}}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _reset() -> None:
    for key in ("operation", "country", "category"):
        st.session_state[STATE[key]] = []
    st.session_state[STATE["from"]] = None
    st.session_state[STATE["to"]] = None
    st.session_state[STATE["sample"]] = True


def language_switch() -> str:
    """English / Français, kept in the URL as lang=fr."""
    st.sidebar.segmented_control(
        t("ui.language", lang()), options=list(LANGS), key=LANG_KEY, required=True,
        format_func=lambda code: {"en": "English", "fr": "Français"}[code],
    )
    return lang()


def start() -> tuple[str, Filters, list[str]]:
    """The first call of every page: link, language switch, shared filters, URL.

    Each page calls it itself (rather than app.py) so that a page also works when Streamlit's
    legacy `pages/` router or AppTest runs it on its own. Missing data ends here in one clear
    message that says how to build it.
    """
    # Streamlit drops a page's widget state when the person moves to another page: re-own it.
    st.session_state.update({k: st.session_state[k] for k in (*STATE.values(), LANG_KEY) if k in st.session_state})
    _RUN.version = None
    _leave_legacy_router()
    try:
        notices = _load_url_once()
        lang_ = language_switch()
        filters, more = sidebar_filters(lang_)
    except DataMissingError as exc:
        st.error(t("app.data_missing", lang(), problem=str(exc)), icon="🗂️")
        st.code("python -m kafo_data build", language="bash")
        st.stop()
    write_url(filters, lang_)
    return lang_, filters, notices + more


def _leave_legacy_router() -> None:
    """Run this session through app.py's `st.navigation` from its very first run.

    With a `pages/` folder beside app.py, Streamlit 1.67 serves each new process's first
    session with its legacy router: the page script runs without app.py, the sidebar lists
    file names, and the next page switch loses the link's state. `st.navigation` turns that
    router off for the process; a page that finds it still on turns it off and, on a
    session's first run (when no click can be lost), reruns so that app.py runs the same page
    (url paths equal file stems, so the page keeps its address and its widgets' state).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not st.session_state.get(SYNCED):
            st.rerun()


def sidebar_filters(lang_: str) -> tuple[Filters, list[str]]:
    """The shared filters in the sidebar; returns the filters and notices about them."""
    notices: list[str] = []
    base = current_filters()
    ops = operation_names()
    names = country_names(lang_)
    sidebar = st.sidebar
    sidebar.header(t("filters.title", lang_))
    facets = q("facets", base)
    by_operation = _countries_by_operation()
    present = {c for op in base.operations or ops for c in by_operation.get(op, ())} | set(facets["country"])
    options = {
        "operation": list(ops),
        "country": sorted(present | set(base.countries), key=lambda c: names.get(c, c)),
        "category": [c for c in queries.contract.CATEGORIES],
    }
    labels: dict[str, Callable[[str], str]] = {
        "operation": lambda v: ops.get(v, v),
        "country": lambda v: names.get(v, v),
        "category": lambda v: label("category", v, lang_),
    }
    for spec in FIELDS:
        counts = facets[spec.key]
        sidebar.multiselect(
            t(f"filters.{spec.key}", lang_), options=options[spec.key], key=STATE[spec.key],
            format_func=lambda v, k=spec.key, c=counts: f"{labels[k](v)} ({number(c.get(v, 0), lang_)})",
            placeholder=t("filters.all", lang_),
        )
    col_from, col_to = sidebar.columns(2)
    col_from.date_input(t("filters.from", lang_), key=STATE["from"], format="YYYY-MM-DD",
                        min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
    col_to.date_input(t("filters.to", lang_), key=STATE["to"], format="YYYY-MM-DD",
                      min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
    sidebar.toggle(t("filters.include_sample", lang_), key=STATE["sample"],
                   help=t("filters.include_sample_help", lang_))
    sidebar.button(t("filters.reset", lang_), on_click=_reset, width="stretch")
    filters = current_filters()
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        notices.append(t("filters.bad_range", lang_))
        filters = Filters(filters.operations, filters.countries, filters.categories,
                          include_sample=filters.include_sample)
    return filters, notices


def _countries_by_operation() -> dict[str, list[str]]:
    frame = q("operations")
    return {op: list(countries) for op, countries in zip(frame.operation_id, frame.countries, strict=True)}


def link_notice(notices: list[str], lang_: str) -> None:
    """Say which values of a shared link were not understood and have been ignored."""
    if notices:
        st.warning(t("filters.ignored", lang_, values="; ".join(notices)), icon="⚠️")


def sample_notice(lang_: str, sample_events: int, total_events: int) -> None:
    """Every screen that shows generated records says so, above the numbers."""
    if sample_events == 0:
        return
    key = "sample.all" if sample_events == total_events else "sample.some"
    st.info(t(key, lang_, sample=number(sample_events, lang_), total=number(total_events, lang_)), icon="🧪")


def empty_state(lang_: str) -> None:
    st.info(t("filters.empty", lang_), icon="🔎")

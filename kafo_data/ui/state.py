"""The one URL sync: every filter of every page, and the language, read from a link and written back.

The URL is the state (as in Datasette). Every filter set (`Filters` in the sidebar,
`MoneyFilters` on the budget page) declares its fields; their union is read from the query
string on a session's first run, held in `st.session_state` under one widget key per URL key
while the person moves between pages, and written back after every run as ids (never labels),
defaults left out, so a copied link reproduces the view in either language.
"""

from __future__ import annotations

import streamlit as st

from kafo_data.filtering import Field, FilterSet, Known, from_params, to_params
from kafo_data.i18n import DEFAULT_LANG, LANGS
from kafo_data.money.filters import MoneyFilters
from kafo_data.seizures.filters import Filters

FILTER_SETS: tuple[type, ...] = (Filters, MoneyFilters)
FIELDS: dict[str, Field] = {spec.key: spec for cls in FILTER_SETS for spec in cls.FIELDS}
STATE: dict[str, str] = {key: f"f_{key}" for key in FIELDS}  # URL key -> widget key
LANG_KEY = "lang"
SYNCED = "_url_synced"
ALIASES = {"b_operation": "operation"}  # links made before the budget page shared the sidebar's operation


def lang() -> str:
    """The language of this session (from the URL on first run, then the switch)."""
    value = st.session_state.get(LANG_KEY)
    if value in LANGS:
        return value
    from_url = st.query_params.get(LANG_KEY, DEFAULT_LANG)
    return from_url if from_url in LANGS else DEFAULT_LANG


def keep() -> None:
    """Streamlit drops the state of widgets a page did not draw: re-own every filter and the language."""
    st.session_state.update({k: st.session_state[k] for k in (*STATE.values(), LANG_KEY) if k in st.session_state})


def is_loaded() -> bool:
    return bool(st.session_state.get(SYNCED))


def load_url_once(known: Known) -> list[str]:
    """On a session's first run, copy the link's filters into the widgets; return what was not understood."""
    if is_loaded():
        return []
    params = {key: st.query_params.get_all(key) for key in FIELDS}
    for old, new in ALIASES.items():
        if old in st.query_params and not params[new]:
            params[new] = st.query_params.get_all(old)
    notices: list[str] = []
    for cls in FILTER_SETS:
        mine = {key: params[key] for key in params if key in {f.key for f in cls.FIELDS}}
        filters, more = from_params(cls, mine, known)
        notices += [n for n in more if n not in notices]
        for spec in cls.FIELDS:
            value = getattr(filters, spec.attr)
            st.session_state[STATE[spec.key]] = list(value) if isinstance(value, tuple) else value
    lang_param = st.query_params.get(LANG_KEY)
    st.session_state[LANG_KEY] = lang_param if lang_param in LANGS else DEFAULT_LANG
    if lang_param and lang_param not in LANGS:
        notices.append(f"lang: {lang_param}")
    st.session_state[SYNCED] = True
    return notices


def current(cls: type[FilterSet]) -> FilterSet:
    """A filter set as the widgets hold it now (a widget not drawn yet keeps the default)."""
    default = cls()
    values = {}
    for spec in cls.FIELDS:
        value = st.session_state.get(STATE[spec.key], getattr(default, spec.attr))
        values[spec.attr] = tuple(sorted(value)) if spec.kind in ("ids", "numbers") else value
    return cls(**values)


def reset() -> None:
    """Every filter back to its default (a button's callback)."""
    for cls in FILTER_SETS:
        default = cls()
        for spec in cls.FIELDS:
            value = getattr(default, spec.attr)
            st.session_state[STATE[spec.key]] = list(value) if isinstance(value, tuple) else value


def write_url(lang_: str) -> None:
    """Make the address bar describe what is on screen (ids only, defaults left out), other keys kept."""
    wanted_params: dict[str, list[str]] = {}
    for cls in FILTER_SETS:
        wanted_params.update(to_params(current(cls)))
    if lang_ != DEFAULT_LANG:
        wanted_params[LANG_KEY] = [lang_]
    current_params = {k: st.query_params.get_all(k) for k in st.query_params}
    ours = (*FIELDS, LANG_KEY, *ALIASES)
    others = {k: v for k, v in current_params.items() if k not in ours}
    wanted = {**others, **wanted_params}
    if current_params != wanted:
        st.query_params.from_dict(wanted)

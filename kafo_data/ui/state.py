"""The one URL sync: every filter of every page, every choice on a page, and the language.

The URL is the state (as in Datasette). Every filter set (`Filters` in the sidebar,
`MoneyFilters` on the budget page) declares its fields, and every choice drawn on one page
(the Overview's edition, the Seizures page's measure, the records' sort...) is a `Choice` row of
`CHOICES`. They are read from the query string on a session's first run and again whenever the
browser's Back or Forward brings an older address (Streamlit marks that run as history
navigation), held in `st.session_state` under their widget keys, and written back once at the
end of every run (app.py) as ids (never labels), defaults left out, so a copied link reproduces
the view in either language and Back undoes a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from kafo_data.filtering import Field, FilterSet, Known, from_params, to_params
from kafo_data.i18n import DEFAULT_LANG, LANGS
from kafo_data.money.filters import MoneyFilters
from kafo_data.seizures.filters import Filters

FILTER_SETS: tuple[type, ...] = (Filters, MoneyFilters)
FIELDS: dict[str, Field] = {spec.key: spec for cls in FILTER_SETS for spec in cls.FIELDS}
STATE: dict[str, str] = {key: f"f_{key}" for key in FIELDS}  # URL key -> widget key
LANG_KEY = "lang"
SYNCED = "_url_synced"
DEFAULTS = "_choice_defaults"
DRAWN_LANG = "_drawn_lang"
ALIASES = {"b_operation": "operation"}  # links made before the budget page shared the sidebar's operation


@dataclass(frozen=True)
class Choice:
    """A choice drawn on one page, kept in the link: URL key, widget key, page (url path), how it is written.

    `when`: the widget key of an expander that must be open for the choice to be drawn (and written).
    """

    key: str
    widget: str
    page: str
    kind: Literal["text", "number", "flag", "order", "measure"] = "text"
    default: object = None  # None: the page says it (`choice`) before drawing the widget
    when: str = ""


CHOICES: tuple[Choice, ...] = (
    Choice("edition", "ov_operation", "overview"),
    Choice("measure", "measure", "seizures", "measure"),
    Choice("show", "s_breakdown", "seizures", default="country"),
    Choice("show", "fa_view", "firearms", default="operation"),
    Choice("records", "rec_open", "seizures", "flag", default=False),
    Choice("sort", "rec_sort", "seizures", default="seizure_date", when="rec_open"),
    Choice("order", "rec_desc", "seizures", "order", default=False, when="rec_open"),
    Choice("page", "rec_page", "seizures", "number", default=1, when="rec_open"),
    Choice("view", "b_view", "budget", default="spending"),
    Choice("grain", "b_grain", "budget", default="year"),
    Choice("convert", "b_convert", "budget", "flag", default=False),
)

# Several values a page keeps in the link itself (the Results page's indicators): kept on that page only.
PAGE_PARAMS: dict[str, str] = {"indicator": "results"}


def _choice_from_url(choice: Choice, text: str) -> object:
    """The widget value a URL text stands for (None: not understood)."""
    if choice.kind == "number":
        return int(text) if text.isdigit() and 0 < int(text) < 10**6 else None
    if choice.kind == "flag":
        return {"1": True, "0": False}.get(text)
    if choice.kind == "order":
        return {"desc": True, "asc": False}.get(text)
    if choice.kind == "measure":  # firearms-pieces -> firearms|pieces (categories and units hold no '-')
        return text.replace("-", "|", 1) if text.count("-") == 1 else None
    return text


def _choice_to_url(choice: Choice, value: object) -> str:
    if choice.kind == "flag":
        return "1" if value else "0"
    if choice.kind == "order":
        return "desc" if value else "asc"
    if choice.kind == "measure":
        return str(value).replace("|", "-", 1)
    return str(value)


def current_page() -> str:
    """The page this run draws, by its file's stem: the url path of app.py's pages (the default page's too,
    whose address is the bare root), "seizures" for its public twin too."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    info = ctx.pages_manager.get_pages().get(ctx.pages_manager.current_page_script_hash, {})
    return Path(str(info.get("script_path", ""))).stem.removesuffix("_public")


def is_history_navigation() -> bool:
    """This run was caused by the browser's Back or Forward (the address is an older one)."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.is_history_navigation)


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


def relabel_after_language_change(lang_: str) -> None:
    """After a switch of language, hand each page choice its value again before it is drawn.

    A select box keeps showing the label it was given ("Firearms (pieces)") after its options are
    relabelled in French, until a reload (issue 28); a value set through the session state is sent
    to the browser with the widget, which then shows the option's new label.
    """
    if st.session_state.get(DRAWN_LANG) not in (None, lang_):
        for c in CHOICES:
            if c.widget in st.session_state:
                st.session_state[c.widget] = st.session_state[c.widget]
    st.session_state[DRAWN_LANG] = lang_


def needs_load() -> bool:
    """A session's first run, or Back/Forward: the widgets follow the address."""
    return not is_loaded() or is_history_navigation()


def load_url(known: Known) -> list[str]:
    """Copy the link's filters and choices into the widgets; return what was not understood."""
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
    notices += _load_choices(first=not is_loaded())
    st.session_state[SYNCED] = True
    return notices


def _load_choices(first: bool) -> list[str]:
    """The page choices of the link; on Back/Forward a choice the address lacks goes back to its default."""
    notices = []
    for choice in CHOICES:
        given = st.query_params.get(choice.key)
        value = None if given is None else _choice_from_url(choice, given)
        if value is not None:
            st.session_state[choice.widget] = value
        else:
            if given is not None:
                notices.append(f"{choice.key}: {given}")
            if not first and choice.widget in st.session_state:
                del st.session_state[choice.widget]
    return notices


def choice(widget: str, options: Sequence, default: object) -> list[str]:
    """Before a page draws a choice kept in the link (the widget given no default of its own).

    The widget's value is the link's, or `default`; a value from a link that is not an option is
    dropped and named (for `link_notice`). The default is noted, so the link leaves it out.
    """
    st.session_state.setdefault(DEFAULTS, {})[widget] = default
    value = st.session_state.get(widget)
    if value is not None and value in options:
        return []
    st.session_state[widget] = default
    row = next((c for c in CHOICES if c.widget == widget), None)
    if value is None:
        return []
    return [f"{row.key}: {_choice_to_url(row, value)}" if row else f"{widget}: {value}"]


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


def write_url() -> None:
    """Make the address bar describe what is on screen (ids only, defaults left out), other keys kept.

    Called as a page starts (the widgets then hold what the person just chose) and again at the
    end of the run (app.py), which changes the address only when the page dropped or defaulted a
    choice: each change is an entry in the browser's history.
    """
    page = current_page()
    if not is_loaded():
        return
    wanted_params: dict[str, list[str]] = {}
    for cls in FILTER_SETS:
        wanted_params.update(to_params(current(cls)))
    defaults = st.session_state.get(DEFAULTS, {})
    for c in CHOICES:
        if c.page != page or c.widget not in st.session_state or (c.when and not st.session_state.get(c.when)):
            continue
        value = st.session_state[c.widget]
        if value is not None and value != defaults.get(c.widget, c.default):
            wanted_params[c.key] = [_choice_to_url(c, value)]
    lang_ = lang()
    if lang_ != DEFAULT_LANG:
        wanted_params[LANG_KEY] = [lang_]
    current_params = {k: st.query_params.get_all(k) for k in st.query_params}
    ours = (*FIELDS, LANG_KEY, *ALIASES, *(c.key for c in CHOICES))
    others = {k: v for k, v in current_params.items() if k not in ours and PAGE_PARAMS.get(k, page) == page}
    wanted = {**others, **wanted_params}
    if current_params != wanted:
        st.query_params.from_dict(wanted)

"""What every page draws first: the language switch, the sidebar filters, the notices.

The filters' URL form and session state are `kafo_data.ui.state`'s; the data access is
`kafo_data.ui.data`'s. Each page begins with `start()`.
"""

from __future__ import annotations

import atexit
import gc
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Literal

import pandas as pd
import streamlit as st

from kafo_data import country_names as other_names
from kafo_data.config import small_cell_events
from kafo_data.contract import seizures as contract
from kafo_data.country_names import name_key
from kafo_data.errors import DataMissingError
from kafo_data.filtering import DATE_MAX, DATE_MIN
from kafo_data.fmt import literal, number
from kafo_data.i18n import LANGS, label, t
from kafo_data.money import queries as money_queries
from kafo_data.seizures import public, queries, reporting
from kafo_data.seizures.filters import ID_FIELDS, Filters
from kafo_data.ui import signin, state
from kafo_data.ui.data import access, database, new_run, per_version, q
from kafo_data.ui.links import copy_link_button
from kafo_data.ui.state import LANG_KEY, STATE, choice, lang, write_url

__all__ = ["PLOT_CONFIG", "access", "choice", "database", "lang", "q", "start", "write_url"]

# Plotly's toolbar covers chart titles on phones, and zooming a map by scrolling traps the page.
PLOT_CONFIG = {"displaylogo": False, "displayModeBar": False, "scrollZoom": False}
DATE_NOTICE = "_date_notice"


def country_names(lang_: str) -> dict[str, str]:
    """ISO3 -> name in the reader's language, in the order of those names (Bénin before Burkina Faso)."""
    def make() -> dict[str, str]:
        frame = q(queries.countries)
        names = other_names.shown(dict(zip(frame.iso3, frame[f"name_{lang_}"], strict=True)), database().root, lang_)
        return dict(sorted(names.items(), key=lambda item: name_key(item[1])))

    return per_version(f"country_names:{lang_}", make)


def rejected_loads() -> str:
    """What the reporting queries take to see a load that stored nothing (it changes no data file, so the
    results kept per data version would not)."""
    return reporting.loads_key(database().root)


def countries_of_seizure(lang_: str) -> dict[str, str]:
    """The countries a report may name as where a seizure was made (no former state), in the reader's order."""
    known = set(q(queries.countries).iso3)
    return {code: name for code, name in country_names(lang_).items() if code in known}


def operation_names() -> dict[str, str]:
    def make() -> dict[str, str]:
        frame = q(queries.operations)
        return dict(zip(frame.operation_id, frame.name, strict=True))

    return per_version("operation_names", make)


def language_switch() -> str:
    """English / Français, kept in the URL as lang=fr."""
    st.sidebar.segmented_control(
        t("ui.language", lang()), options=list(LANGS), key=LANG_KEY, required=True,
        format_func=lambda code: {"en": "English", "fr": "Français"}[code],
    )
    return lang()


def start(managers_only: bool = False,
          filters: Literal["seizures", "money", "none"] = "seizures") -> tuple[str, Filters, list[str]]:
    """The first call of every page: link, language switch, role, shared filters, URL.

    The sidebar shows only the filters that change the page: every one on a seizure page,
    operation and the sample switch on the budget page (`filters="money"`), none on Load reports
    (`filters="none"`). A filter not shown keeps its value, in the URL too, for the next page.

    Each page calls it itself (rather than app.py) so that a page also works when Streamlit's
    legacy `pages/` router or AppTest runs it on its own; a manager's page says so
    (`managers_only`), and a public session gets "sign in to see this page" instead, whichever
    router ran it. Missing data ends here in one clear message that says how to build it.
    """
    state.keep()
    new_run()
    _leave_legacy_router()
    who = access()
    try:
        notices = state.load_url({**q(money_queries.known), **q(queries.known)}) if state.needs_load() else []
        lang_ = language_switch()
        state.relabel_after_language_change(lang_)
        copy_link_button(lang_)
        signin.sidebar(who, lang_)
        if managers_only and not who.is_manager:
            signin.sign_in_required(who)
            st.stop()
        if filters == "seizures":
            chosen = sidebar_filters(lang_, public_view=not who.is_manager)
        else:
            if filters == "money":
                money_sidebar(lang_)
            chosen = state.current(Filters)
    except DataMissingError as exc:
        st.error(t("app.data_missing", lang(), problem=str(exc)), icon="🗂️")
        st.code("python -m kafo_data build", language="bash")
        st.stop()
    state.write_url()
    signin.banner(who, lang_)
    damaged = database().damaged_batches()
    if damaged:  # how many, not which: batch ids are for managers (the Load reports page names them)
        st.warning(t("store.damaged_some", lang_, count=len(damaged)), icon="🧱")
    return lang_, chosen, notices


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
        if not state.is_loaded():
            st.rerun()


def sidebar_filters(lang_: str, public_view: bool = False) -> Filters:
    """The shared filters in the sidebar, as they now stand.

    The public view has no day range (a single day could single out one seizure event) and its
    counts are events of the public API, "fewer than k" where small.
    """
    base = state.current(Filters)
    ops = operation_names()
    names = country_names(lang_)
    sidebar = st.sidebar
    sidebar.header(t("filters.title", lang_))
    if public_view:
        facets: dict = q(public.facets, public.PublicFilters.of(base))
        fewer = t("access.fewer_than", lang_, k=small_cell_events())
        count: Callable[[object], str] = lambda n: fewer if n is None else number(n, lang_)  # noqa: E731
    else:
        facets = q(queries.facets, base)
        count = lambda n: number(n, lang_)  # noqa: E731
    by_operation = _countries_by_operation()
    present = {c for op in base.operations or ops for c in by_operation.get(op, ())} | set(facets["country"])
    options = {
        "operation": list(ops),
        "country": sorted(present | set(base.countries), key=lambda c: name_key(names.get(c, c))),  # Bénin, Burkina
        "category": list(contract.CATEGORIES),
    }
    labels: dict[str, Callable[[str], str]] = {
        "operation": lambda v: ops.get(v, v),
        "country": lambda v: names.get(v, v),
        "category": lambda v: label("category", v, lang_),
    }
    for spec in ID_FIELDS:
        counts = facets[spec.key]
        sidebar.multiselect(
            t(f"filters.{spec.key}", lang_), options=options[spec.key], key=STATE[spec.key],
            format_func=lambda v, k=spec.key, c=counts: f"{labels[k](v)} ({count(c.get(v, 0))})",
            placeholder=t("filters.all", lang_), help=t("look.filter_counts", lang_),
        )
    if public_view:
        if base.date_from or base.date_to:
            sidebar.caption(t("access.no_dates", lang_))
    else:
        # One above the other: side by side, each box cut its own "YYYY-MM-DD" placeholder (issue 28).
        for key, other in (("from", "to"), ("to", "from")):
            sidebar.date_input(t(f"filters.{key}", lang_), key=STATE[key], format="YYYY-MM-DD",
                              min_value=DATE_MIN, max_value=DATE_MAX, on_change=_keep_order, args=(key, other))
        moved = st.session_state.pop(DATE_NOTICE, None)
        if moved:
            sidebar.info(t(f"filters.moved_{moved[0]}", lang_, date=moved[1]), icon="📅")
    _sample_switch_and_reset(lang_)
    return state.current(Filters)


def money_sidebar(lang_: str) -> None:
    """The budget page's share of the sidebar: operation and the sample switch, which its figures follow.

    No counts beside the operations (they count seizure lines, not money) and no country,
    category or dates: they describe seizures, and a picker that changes nothing on screen
    misleads (issue 16, item 10).
    """
    ops = operation_names()
    sidebar = st.sidebar
    sidebar.header(t("filters.title", lang_))
    sidebar.multiselect(t("filters.operation", lang_), options=list(ops), key=STATE["operation"],
                        format_func=lambda v: ops.get(v, v), placeholder=t("filters.all", lang_))
    sidebar.caption(t("filters.money_scope", lang_))
    _sample_switch_and_reset(lang_)


def _sample_switch_and_reset(lang_: str) -> None:
    """The end of every filter sidebar: the sample switch, then Reset (which resets the filters not shown too)."""
    st.sidebar.toggle(t("filters.include_sample", lang_), key=STATE["sample"],
                      help=t("filters.include_sample_help", lang_))
    st.sidebar.button(t("filters.reset", lang_), on_click=state.reset, width="stretch")


def _keep_order(changed: str, other: str) -> None:
    """A From after To (or a To before From), as typed: the other date follows, so no date is ever ignored."""
    start, end = st.session_state.get(STATE["from"]), st.session_state.get(STATE["to"])
    if start and end and start > end:
        st.session_state[STATE[other]] = st.session_state[STATE[changed]]
        st.session_state[DATE_NOTICE] = (other, st.session_state[STATE[changed]].isoformat())


def _countries_by_operation() -> dict[str, list[str]]:
    def make() -> dict[str, list[str]]:
        frame = q(queries.operations)
        return {op: list(countries) for op, countries in zip(frame.operation_id, frame.countries, strict=True)}

    return per_version("countries_by_operation", make)


def link_notice(notices: list[str], lang_: str) -> None:
    """Say which values of a shared link were not understood and have been ignored (as plain text)."""
    if notices:
        st.warning(t("filters.ignored", lang_, values=literal("; ".join(notices))), icon="⚠️")


def sample_notice(lang_: str, sample_events: int, total_events: int) -> None:
    """Every screen that shows generated records says so, above the numbers."""
    if sample_events == 0:
        return
    key = "sample.all" if sample_events == total_events else "sample.some"
    st.info(t(key, lang_, sample=number(sample_events, lang_), total=number(total_events, lang_)), icon="🧪")


def empty_state(lang_: str) -> None:
    st.info(t("filters.empty", lang_), icon="🔎")


def public_sample_notice(lang_: str, summary: dict) -> None:
    """The sample notice of the public view: its numbers only when neither part is a small count."""
    if not summary["has_sample"]:
        return
    if summary["all_sample"] and summary["events"] is not None:
        sample_notice(lang_, summary["events"], summary["events"])
    elif summary["sample_events"] is not None and summary["events"] is not None:
        sample_notice(lang_, summary["sample_events"], summary["events"])
    else:
        st.info(t("access.sample_some", lang_), icon="🧪")


def fewer_than(lang_: str) -> str:
    """What a public cell of fewer than k events reads instead of its number."""
    return t("access.fewer_than", lang_, k=small_cell_events())


def public_share_notice(lang_: str, share: dict) -> None:
    """The sample notice from `public.sample_share` (None: a count too small to show)."""
    sample, real = share["sample"], share["real"]
    if sample == 0:
        return
    if sample is not None and real is not None:
        sample_notice(lang_, sample, sample + real)
    else:
        st.info(t("access.sample_some", lang_), icon="🧪")


def table(frame: pd.DataFrame | list[dict], **kwargs: object) -> None:
    """`st.table`, whose cells and headers Streamlit reads as Markdown, with every text shown as received."""
    st.table(literal_frame(frame), **kwargs)


def kept_table(kept_as: Hashable, make: Callable[[], pd.DataFrame | list[dict]], **kwargs: object) -> None:
    """`table(make())` for a table that depends only on the data and on `kept_as` (the language, the filters...).

    Built and made literal once per data version and audience: the operations page rebuilt four
    tables from the same rows on every click, 35 ms of its 58 (issue 16's speed).
    """
    st.table(per_version(("table", kept_as), lambda: literal_frame(make())), **kwargs)


def literal_frame(frame: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """The frame with every text cell and header made literal (`fmt.literal`) for `st.table`."""
    frame = pd.DataFrame(frame)
    frame = frame.rename(columns={c: literal(c) for c in frame.columns if isinstance(c, str)})
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: literal(v) if isinstance(v, str) else v)
    return frame


# The keys of the table twins' expanders: a test that reads every table opens them all first.
TWINS: tuple[str, ...] = ("twin_chart", "twin_map", "twin_participation", "twin_budget")


def twin(label: str, key: str, frame: Callable[[], pd.DataFrame]) -> None:
    """A chart's table twin, built and sent only once its expander is opened.

    A closed expander's content was still built, sent and drawn on every rerun (issue 16's speed);
    Streamlit 1.67 runs it only when open with `on_change="rerun"`. Opening it is one rerun.
    """
    if key not in TWINS:
        raise ValueError(f"not a table twin's key: {key}")
    shelf = st.expander(label, key=key, on_change="rerun")
    with shelf:
        if shelf.open:
            table(frame(), hide_index=True)


def link(title: object, url: object) -> str:
    """A source's title as a Markdown link to its address (http and https only), the title shown as received."""
    text = literal(title)
    if isinstance(url, str) and url.startswith(("https://", "http://")) and not any(c in url for c in "<> "):
        return f"[{text}](<{url}>)"
    return text


def block(*paragraphs: str, small: Iterable[str] = ()) -> str:
    """One Markdown element of several paragraphs, the `small` ones in small type (as captions).

    Each element a page writes is a message the browser lays out on every rerun: a figure card of
    five elements made the overview's filter click 1.4 times the bare page's (issue 16's speed). The
    parts are Markdown already made safe by their callers (`literal`, `link`, our own wording).
    """
    return "\n\n".join([p for p in paragraphs if p] + [f":small[{s}]" for s in small if s])


_FROZEN = threading.Event()


def freeze_startup_objects() -> None:
    """Once per process, after a first page has run: move what the imports built out of Python's collector.

    With Streamlit's own collection after each run turned off (.streamlit/config.toml), Python's full
    collections still came every thirty runs or so and walked every object of pandas, Plotly and
    Streamlit: 65 ms added to whichever click met one (issue 16's speed). Frozen objects are never
    collected: only what the first run built is frozen, once.

    Unfrozen again at exit: Python's last collection skips frozen objects, so DuckDB's bindings
    (nanobind) found their module's own objects still alive and printed about 20 lines of
    "leaked … instances" at every stop of the server and at the end of the tests (issue 28).
    """
    if not _FROZEN.is_set():
        _FROZEN.set()
        gc.freeze()
        atexit.register(gc.unfreeze)


def measure_picker(totals: pd.DataFrame, lang_: str) -> tuple[str, str]:
    """The Seizures pages' chart choice: which category and unit ("category|unit"), and its label.

    A link's measure and breakdown (`s_breakdown`, drawn further down) that were not understood are named here.
    """
    from kafo_data.seizures import views

    measures = views.measures(totals, lang_)
    link_notice(choice("measure", list(measures), next(iter(measures), None))
                + choice("s_breakdown", views.BREAKDOWN_CHOICES, "country"), lang_)
    measure = st.selectbox(t("seizures.measure", lang_), list(measures), format_func=measures.get, key="measure",
                           help=t("seizures.measure_help", lang_))
    return measure, measures[measure]

"""How every page looks and behaves in the browser, beyond what Streamlit's own options say.

- `head(lang)`: one invisible element in the sidebar whose script (Streamlit runs it in the page,
  `unsafe_allow_javascript`) says the page's language to the browser (`<html lang="fr">`, for
  screen readers, hyphenation and translation tools), and, on a phone, closes the sidebar after a
  tap on a page name and forgets a sidebar left open: Streamlit keeps "open" in the browser's
  storage, so the sidebar covered every later page. The script is ours, fixed text; no data in it.
  In French the date fields' empty segments read "aaaa-mm-jj", not "yyyy-mm-dd". Captions are drawn
  in a solid grey, so they and the links in them keep 4.5:1 (WCAG AA).
- `image_format(lang)`: PNG or SVG for every chart's download button, kept while the person moves
  between pages.
- `chart(figure, sample=...)`: a chart with Plotly's own image export as the only button of its mode
  bar, named after what the chart shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from kafo_data import chart_base
from kafo_data.config import small_cell_events
from kafo_data.fmt import date as fmt_date
from kafo_data.i18n import label, t
from kafo_data.money.filters import MoneyFilters
from kafo_data.seizures import chart_context
from kafo_data.seizures.filters import Filters
from kafo_data.ui import budget as ui_budget
from kafo_data.ui import cite as ui_cite
from kafo_data.ui import state
from kafo_data.ui.brief import view_address
from kafo_data.ui.data import access, per_version
from kafo_data.ui.lru import Lru
from kafo_data.ui.page import country_names, operation_names

IMAGE_KEY = "img_format"
KEPT = "_kept_img_format"
FORMATS = ("png", "svg")
PHONE = "(max-width: 767.98px)"  # Streamlit's own breakpoint for the sidebar drawn over the page

_SCRIPT = """<script>
(() => {
  document.documentElement.lang = "%(lang)s";
  if (window.__kafoLook) return;
  window.__kafoLook = true;
  const phone = () => window.matchMedia("%(phone)s").matches;
  const forget = () => Object.keys(localStorage)
    .filter((k) => k.startsWith("stSidebarCollapsed")).forEach((k) => localStorage.removeItem(k));
  const isOpen = () => {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    return !!bar && bar.getBoundingClientRect().right > 40;
  };
  if (phone()) forget();
  document.addEventListener("click", (event) => {
    if (!phone() || !event.target.closest('[data-testid="stSidebarNav"] a')) return;
    let tries = 0;
    const close = () => {
      const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (button && isOpen()) { button.click(); setTimeout(forget, 50); }
      else if (tries++ < 20) setTimeout(close, 100);
    };
    setTimeout(close, 100);
  }, true);
})();
</script>"""


# The date fields' empty segments ("yyyy-mm-dd", from the browser's locale) in the reader's language.
_PLACEHOLDERS = {"fr": {"year": "aaaa", "month": "mm", "day": "jj"}}
_SEGMENT = ('[data-testid="stDateInput"] span[data-placeholder="true"][data-type="%s"]')


def _placeholder_style(lang: str) -> str:
    words = _PLACEHOLDERS.get(lang)
    if not words:
        return ""
    rules = [f"{_SEGMENT % part} {{font-size: 0 !important;}} "
             f"{_SEGMENT % part}::before {{content: \"{word}\"; font-size: 0.875rem;}}"
             for part, word in words.items()]
    return "<style>" + " ".join(rules) + "</style>"


# Streamlit draws captions at 60 % opacity: a link in one (a figure's source) fell to 3:1. Captions in
# a solid grey of 7.8:1 instead, their links in the link colour (6.9:1).
_CAPTIONS = ('<style>[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {opacity: 1 !important;}'
             ' [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] :not(a) {color: #4a5361;}'
             '</style>')


# Wide tables on a phone (issue 28): a column no wider than 14rem, the table as wide as its columns, scrolled
# sideways in its bordered box (Streamlit's own scroller), with a shadow on the side that has more (white
# covers scrolled with the content, `local`, hide the shadow at either end).
_TABLES = ("<style>@media " + PHONE + " {"
           ' [data-testid="stTable"] > div {overflow-x: auto;'
           " background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)) left / 2rem 100% no-repeat local,"
           " linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) right / 2rem 100% no-repeat local,"
           " radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.3), transparent) left / 0.9rem 100% no-repeat,"
           " radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.3), transparent) right / 0.9rem 100% no-repeat;}"
           ' [data-testid="stTable"] table {width: max-content; min-width: 100%; background: transparent;}'
           ' [data-testid="stTable"] th, [data-testid="stTable"] td {max-width: 14rem; background: transparent;}'
           "}</style>")


# The chart's one mode-bar button (image download): Plotly draws it as a 30 % grey icon (1.7:1) that appears
# on hover only. Always shown, dark (11:1), with a word beside the icon ("Image" in both languages).
_IMAGE_BUTTON = ('<style>.js-plotly-plot .modebar {opacity: 1 !important;}'
                 ' .js-plotly-plot .modebar-btn {display: inline-flex !important; align-items: center;'
                 ' border: 1px solid #5b6573; border-radius: 4px; padding: 2px 6px !important; background: #fff;}'
                 ' .js-plotly-plot .modebar-btn path {fill: #1f2937 !important;}'
                 ' .js-plotly-plot .modebar-btn::after {content: "Image"; font-size: 12px; color: #1f2937;'
                 ' margin-left: 4px; font-family: sans-serif;}</style>')


def head(lang: str) -> None:
    """The page's language for the browser and the phone's sidebar behaviour (see the module's doc)."""
    code = "fr" if lang == "fr" else "en"
    st.sidebar.html(_SCRIPT % {"lang": code, "phone": PHONE} + _CAPTIONS + _TABLES + _IMAGE_BUTTON
                    + _placeholder_style(code), unsafe_allow_javascript=True)


def image_format(lang: str) -> str:
    """PNG or SVG, for the download button of every chart (kept from page to page)."""
    # Set through the session state (never `default=` as well, which Streamlit warns about), and re-owned on
    # every page: Streamlit forgets the value of a widget a page did not draw.
    st.session_state[IMAGE_KEY] = st.session_state.get(IMAGE_KEY) or st.session_state.get(KEPT) or "png"
    choice = st.sidebar.segmented_control(t("look.image_format", lang), FORMATS, key=IMAGE_KEY, required=True,
                                          format_func=str.upper, help=t("look.image_format_help", lang))
    st.session_state[KEPT] = choice or "png"  # a plain key: kept through pages that draw no chart
    return choice or "png"


def context(lang: str) -> chart_context.Context:
    """What a chart of this page must say about itself in an image: the selection it draws, the notes, the footer.

    The seizure and firearm pages' charts follow every filter, and their public counts are adjusted; the budget's
    follow the operation and the page's donors and outputs; the Overview's draw every edition whatever the filters
    (no selection line).
    """
    page = state.current_page()
    f = state.current(Filters)
    shown: list[str] = []
    ids: list[str] = []
    notes: list[str] = []
    if page in ("seizures", "firearms", "budget"):
        names = operation_names()
        shown += [names.get(o, o) for o in f.operations]
        ids += list(f.operations)
    if page == "budget":  # the page's own filters: which donors' money, which outputs
        chosen = state.current(MoneyFilters)
        _outputs, donors = ui_budget.names(lang)
        shown += [donors.get(d, d) for d in chosen.donors] + [t("budget.output_n", lang, n=n) for n in chosen.outputs]
        ids += [*chosen.donors, *(f"output-{n}" for n in chosen.outputs)]
    if page in ("seizures", "firearms"):
        countries = country_names(lang)
        shown += [countries.get(c, c) for c in f.countries] + [label("category", c, lang) for c in f.categories]
        ids += [*f.countries, *f.categories]
        if f.date_from or f.date_to:
            shown.append(f"{fmt_date(f.date_from, lang) if f.date_from else '…'} – "
                         f"{fmt_date(f.date_to, lang) if f.date_to else '…'}")
            ids.append(f"{f.date_from or ''}--{f.date_to or ''}")
        if not access().is_manager:
            notes.append(t("chart.adjusted", lang, k=small_cell_events()))
    address = view_address()
    footer = t("chart.footer", lang, date=fmt_date(ui_cite.as_of(), lang), terms=t("chart.terms", lang))
    return chart_context.Context(tuple(shown), tuple(ids), tuple(notes),
                                 footer + (f" · {address}" if address else ""))


def chart(figure: dict, *, sample: bool = False, key: str | None = None) -> None:
    """A chart whose one mode-bar button downloads it as an image named after what it shows."""
    ctx = context(state.lang())
    _draw(*_built(figure, ctx), sample=sample, key=key, ctx=ctx)


def kept_chart(kept_as: Hashable, make: Callable[[], dict], *, sample: bool = False) -> None:
    """`chart(make())` for a chart that depends only on the data and on `kept_as` (its name, the language...).

    Built and checked once per data version: the overview's timeline and map were 15 ms of every
    rerun's 40, for figures that change only when a batch is loaded (issue 16's speed).
    """
    ctx = context(state.lang())
    figure, title, height = per_version(("chart", kept_as, ctx), lambda: _built(make(), ctx))
    _draw(figure, title, height, sample=sample, key=None, ctx=ctx)


def _built(figure: dict, ctx: chart_context.Context) -> tuple[Any, str, int]:
    """The figure with its context, checked; the title of what it shows (for the file name); its height."""
    full = chart_context.with_context(figure, ctx)
    return validated(full), _title(figure), chart_base.figure_height(full)


def _title(figure: dict) -> str:
    return figure["layout"]["title"]["text"].replace("<br>", " ")


def _draw(figure: Any, title: str, height: int, *, sample: bool, key: str | None,
          ctx: chart_context.Context) -> None:
    fmt = st.session_state.get(IMAGE_KEY) or st.session_state.get(KEPT) or "png"
    config = chart_base.plot_config(title, fmt, sample=sample, height=height)
    config["toImageButtonOptions"]["filename"] = chart_context.file_stem(title, ctx, sample)
    st.plotly_chart(figure, key=key, config=config)


_VALIDATED = Lru(256)  # checked figures, by content


def validated(figure: dict) -> Any:
    """The figure as a Plotly `Figure`, checked by Plotly once per distinct figure.

    `st.plotly_chart` builds a `Figure` from a dict on every call, checking every property: 10-25 ms a
    chart on every rerun, for charts that mostly did not change (issue 16's speed). A `Figure` passed
    in is only copied. Kept by content, so the same chart is checked once for every session.
    """
    import plotly.graph_objects as go

    return _VALIDATED.get(json.dumps(figure, sort_keys=True, default=str), lambda: go.Figure(figure))

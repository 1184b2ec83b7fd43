"""The download menu every page with records shows: format, rows, one button.

The file is built on click, not at every rerun: `st.download_button(data=callable)` runs the
callable on a worker thread, so the callable only closes over plain values (the database
object, filters, format, language, date) and calls `kafo_data.export.seizures`, which takes its own
cursor; it never touches `st.*` or the session state. Errors inside it reach the user only as
a generic failure, so everything that can be refused (a format over its row cap, no rows) is
refused here, before the button, with a message that says how many rows would be left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from kafo_data.export import formats, writers
from kafo_data.export import seizures as export
from kafo_data.fmt import number
from kafo_data.i18n import t
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import Database


def file_builder(db: Database, filters: Filters, fmt: str, lang: str, today: dt.date,
                 stem: str = "kafo_seizures") -> Callable[[], bytes]:
    """A callable that builds the file when the button is clicked (plain values in a closure)."""

    def make() -> bytes:
        made_at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        return export.build(db, filters, fmt, lang, today, made_at, stem=stem)

    return make


def refusal(rows: int, fmt: str, lang: str) -> str | None:
    """Why `fmt` cannot be downloaded for `rows` rows here, or None when it can."""
    if rows == 0:
        return t("export.empty", lang)
    limit = writers.row_limit(fmt, in_memory=True)
    if limit is None or rows <= limit:
        return None
    csv_limit = writers.row_limit("csv", in_memory=True)
    hint = "export.too_large.try_csv" if csv_limit is None or rows <= csv_limit else "export.too_large.try_cli"
    return " ".join((t("export.too_large", lang, rows=number(rows, lang), limit=number(limit, lang),
                       left_out=number(rows - limit, lang), format=t(f"export.format.{fmt}", lang)),
                     t(hint, lang)))


def download_menu(db: Database, filters: Filters, lang: str, *, stem: str = "kafo_seizures",
                  total_rows: int, filtered_rows: int, key: str = "download") -> None:
    """Row and format choice, then one download button labelled with its row count."""
    scope_col, fmt_col = st.columns([1, 2])
    scope = scope_col.radio(
        t("export.scope", lang), ("filtered", "all"), key=f"{key}_scope",
        format_func=lambda s: t(f"export.scope.{s}", lang,
                                rows=number(filtered_rows if s == "filtered" else total_rows, lang)),
    )
    chosen = filters if scope == "filtered" else export.ALL
    rows = filtered_rows if scope == "filtered" else total_rows

    def option(f: str) -> str:
        text = t(f"export.format.{f}", lang)
        return f"{text} ({t('export.unavailable', lang)})" if rows and refusal(rows, f, lang) else text

    fmt = fmt_col.radio(
        t("export.format", lang), formats.FORMATS, key=f"{key}_format", format_func=option,
        captions=[t(f"export.help.{f}", lang) for f in formats.FORMATS],
    )
    today = dt.datetime.now(dt.UTC).date()
    name = t(f"export.format.{fmt}", lang)
    problem = refusal(rows, fmt, lang)
    if problem:
        st.warning(problem, icon="⚠️")
    label = (t("export.button.one", lang, format=name) if rows == 1
             else t("export.button", lang, rows=number(rows, lang), format=name))
    st.download_button(
        label, data=file_builder(db, chosen, fmt, lang, today, stem),
        file_name=export.download_name(chosen, fmt, today, stem), mime=formats.MIME[fmt],
        on_click="ignore", disabled=problem is not None, key=f"{key}_button", icon=":material/download:",
    )

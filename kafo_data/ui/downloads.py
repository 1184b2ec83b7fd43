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

from kafo_data.config import small_cell_events
from kafo_data.export import formats, writers
from kafo_data.export import public as public_export
from kafo_data.export import seizures as export
from kafo_data.fmt import number
from kafo_data.i18n import t
from kafo_data.seizures import public
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


def aggregate_menu(db: Database, pf: public.PublicFilters, lang: str, key: str = "public_download") -> None:
    """The public download: one aggregate table (never records) in one of the four formats, built on click.

    The tables are those of `kafo_data.seizures.public`, small cells suppressed ("fewer than k" in the
    file's language), written by `kafo_data.export.public` with the record downloads' writer.
    """
    st.caption(t("access.download.caption", lang, k=small_cell_events()))
    table_col, fmt_col = st.columns([1, 2])
    table = table_col.radio(t("access.download.table", lang), public_export.TABLES, key=f"{key}_table",
                            format_func=lambda name: t(f"access.download.table.{name}", lang))
    fmt = fmt_col.radio(t("export.format", lang), public_export.FORMATS, key=f"{key}_format",
                        format_func=lambda f: t(f"export.format.{f}", lang),
                        captions=[t(f"export.help.{f}", lang) for f in public_export.FORMATS])
    today = dt.datetime.now(dt.UTC).date()

    def make(table: str = table, fmt: str = fmt) -> bytes:
        made_at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        return public_export.build(db, table, pf, fmt, lang, today, made_at)

    st.download_button(
        t("access.download.button", lang, table=t(f"access.download.table.{table}", lang),
          format=t(f"export.format.{fmt}", lang)),
        data=make, file_name=public_export.download_name(table, pf, fmt, today), mime=public_export.MIME[fmt],
        on_click="ignore", key=f"{key}_button", icon=":material/download:",
    )

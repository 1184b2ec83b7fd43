"""The Firearms page's download and `export --table firearms`: every cell of the page in one table, same bytes.

One row per cell (`kafo_data.firearms.queries`): the breakdown, the columns it is by, the measure
(firearms seized, tracing recorded, origin established), the firearms and the seizure events. The
managers' file is exact; the public file is `kafo_data.firearms.public`'s (a hidden cell has empty numbers
and its note says "fewer than k"). Written by `kafo_data.export.writers`, so the four formats and their rules
are the seizure downloads'.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

import pandas as pd

from kafo_data.config import small_cell_events
from kafo_data.export.seizures import describe_filters, file_name
from kafo_data.export.seizures import download_name as download_name_of
from kafo_data.export.writers import Extract, Field, FilterLine, in_memory, write_table
from kafo_data.firearms import public, queries
from kafo_data.i18n import LANGS, t
from kafo_data.seizures.filters import Filters
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.db import Database

STEM = "kafo_firearms"
VIEWS: tuple[str, ...] = ("managers", "public")
_KEY_FIELDS: tuple[Field, ...] = (
    Field("part", "text", "firearms.field.part", "firearms.doc.part", "firearms_part"),
    Field("operation_id", "text", "col.seizures.operation_id", "doc.seizures.operation_id", "operation"),
    Field("country_iso3", "text", "col.seizures.country_iso3", "doc.seizures.country_iso3", "country"),
    Field("item_type", "text", "col.seized_items.item_type", "doc.seized_items.item_type", "item_type"),
    Field("marking_status", "text", "col.seized_items.marking_status", "doc.seized_items.marking_status",
          "marking_status"),
    Field("craft_made", "text", "firearms.field.craft_made", "firearms.doc.craft_made"),
    Field("country_of_manufacture", "text", "col.seized_items.country_of_manufacture",
          "doc.seized_items.country_of_manufacture", "country"),
    Field("tracing_status", "text", "col.seized_items.tracing_status", "doc.seized_items.tracing_status",
          "tracing_status"),
    Field("illicit_origin", "text", "col.seized_items.illicit_origin", "doc.seized_items.illicit_origin",
          "illicit_origin"),
    Field("measure", "text", "firearms.field.measure", "firearms.doc.measure", "firearms_measure"),
    Field("value", "number", "firearms.field.value", "firearms.doc.value"),
    Field("events", "integer", "firearms.field.events", "firearms.doc.events"),
    Field("note", "text", "firearms.field.note", "firearms.doc.note"),
)


def extract(db: Database, f: Filters, view: str, lang: str) -> Extract:
    """The cells as an export: exact for managers; for the public, the page's adjusted cells (no dates)."""
    keys = ("part", *queries.KEY_COLUMNS, "measure")
    if view == "managers":
        sql, params = queries.cells_sql(db, f)
        order = "list_position(?, part) AS _part_order, list_position(?, measure) AS _measure_order"
        wrapped = f"SELECT {', '.join(keys)}, value, events, NULL::VARCHAR AS note, {order} FROM ({sql}) p"
        return Extract(wrapped, (list(queries.PARTS), list(queries.MEASURES), *params), _KEY_FIELDS,
                       ("_part_order", "_measure_order", *queries.KEY_COLUMNS), title_key="firearms.export.title",
                       rows_key="firearms.export.rows")
    if view != "public":
        raise ValueError(f"unknown view {view!r} (one of {', '.join(VIEWS)})")
    cells = public.cells(db, PublicFilters.of(f))
    fewer, adjusted = t("access.fewer_than", lang, k=small_cell_events()), t("cellkey.note", lang)
    none = t("firearms.note.none", lang)  # no event at all: a zero is not adjusted (KAFO I recorded no tracing)
    rows = [[*(None if pd.isna(getattr(r, c)) else str(getattr(r, c)) for c in keys),
             None if r.suppressed else float(r.value), None if r.suppressed else int(r.events),
             fewer if r.suppressed else none if int(r.events) == 0 else adjusted, n]
            for n, r in enumerate(cells.itertuples())]
    columns = [*(f"CAST(c{n} AS VARCHAR) AS {c}" for n, c in enumerate(keys)),
               f"CAST(c{len(keys)} AS DOUBLE) AS value", f"CAST(c{len(keys) + 1} AS BIGINT) AS events",
               f"CAST(c{len(keys) + 2} AS VARCHAR) AS note", f"CAST(c{len(keys) + 3} AS BIGINT) AS _row"]
    width = len(keys) + 4
    values = ", ".join("(" + ", ".join("?" for _ in range(width)) + ")" for _ in rows)  # never empty: part "all"
    sql = f"SELECT {', '.join(columns)} FROM (VALUES {values}) v({', '.join(f'c{n}' for n in range(width))})"
    return Extract(sql, tuple(v for row in rows for v in row), _KEY_FIELDS, ("_row",),
                   title_key="firearms.export.title", rows_key="firearms.export.rows")


def labels() -> dict[str, dict[str, dict[str, str]]]:
    """The labels of the breakdown and measure codes, for the labelled formats."""
    return {lang: {"firearms_part": {p: t(f"firearms.part.{p}", lang) for p in queries.PARTS},
                   "firearms_measure": {m: t(f"firearms.measure.{m}", lang) for m in queries.MEASURES}}
            for lang in LANGS}


def _lines(db: Database, f: Filters, view: str, lang: str) -> list[FilterLine]:
    lines = describe_filters(db, f if view == "managers" else PublicFilters.of(f).as_filters(), lang)
    if view == "public":
        k = small_cell_events()
        lines.append(FilterLine(t("access.export.rule_name", lang), t("access.export.rule", lang, k=k), f"k={k}"))
    return lines


def write(db: Database, f: Filters, view: str, fmt: str, lang: str, out: BinaryIO, today: dt.date,
          made_at: dt.datetime | None = None) -> int:
    """Write the firearm cells in `fmt`; returns the row count (the CLI's `export --table firearms`)."""
    g = f if view == "managers" else PublicFilters.of(f).as_filters()
    name = file_name(g, today, "csv", STEM).removesuffix(".csv")
    return write_table(db, extract(db, g, view, lang), fmt, lang, out, today=today, made_at=made_at, name=name,
                       filters=_lines(db, g, view, lang), labels=labels())


def build(db: Database, f: Filters, view: str, fmt: str, lang: str, today: dt.date,
          made_at: dt.datetime | None = None) -> bytes:
    """The download as bytes (what the page's button serves); equal to `write` for equal arguments."""
    return in_memory(lambda out: write(db, f, view, fmt, lang, out, today, made_at))


def download_name(f: Filters, view: str, fmt: str, today: dt.date) -> str:
    return download_name_of(f if view == "managers" else PublicFilters.of(f).as_filters(), fmt, today, STEM)

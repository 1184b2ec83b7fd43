"""The public downloads: the aggregate tables of `kafo_data.seizures.public`, never records.

Same four formats and the same writer as the record downloads (`kafo_data.export.writers`:
`Extract`, `write_table`), so the rules hold here too (byte-order mark, formula neutralising,
README and dictionary, equal inputs give equal bytes). The rows are the SQL of
`public.table`: every number adjusted by the cell key method (the same values as the pages),
a cell of fewer than k seizure events has empty numbers and its `note` reads "fewer than k" in
the file's language. The filters sheet and README say both rules.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from kafo_data.config import small_cell_events
from kafo_data.contract import seizures as contract
from kafo_data.export.formats import FORMATS, MIME
from kafo_data.export.seizures import describe_filters, file_name
from kafo_data.export.seizures import download_name as download_name_of
from kafo_data.export.writers import Extract, Field, FilterLine, in_memory, write_table
from kafo_data.i18n import t
from kafo_data.seizures import public
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.db import Database

__all__ = ["FORMATS", "MIME", "TABLES", "build", "download_name", "extract", "write"]

TABLES: tuple[str, ...] = tuple(public.TABLES)
_KEY_FIELDS: dict[str, Field] = {
    "operation_id": Field("operation_id", "text", "col.seizures.operation_id", "doc.seizures.operation_id",
                          "operation"),
    "country_iso3": Field("country_iso3", "text", "col.seizures.country_iso3", "doc.seizures.country_iso3",
                          "country"),
    "month": Field("month", "date", "col.public.month", "doc.public.month"),
    "category": Field("category", "text", "col.seized_items.category", "doc.seized_items.category", "category"),
    "item_type": Field("item_type", "text", "col.seized_items.item_type", "doc.seized_items.item_type",
                       "item_type"),
    "unit": Field("unit", "text", "col.seized_items.unit", "doc.seized_items.unit", "unit"),
}
_VALUE_FIELDS: tuple[Field, ...] = (
    Field("quantity", "number", "col.public.quantity", "doc.public.quantity"),
    Field("events", "integer", "col.public.events", "doc.public.events"),
    Field("note", "text", "col.public.note", "doc.public.note"),
    Field("is_sample", "boolean", "col.public.is_sample", "doc.public.is_sample"),
)


_TYPES = {"operation_id": "VARCHAR", "country_iso3": "VARCHAR", "month": "DATE", "category": "VARCHAR",
          "item_type": "VARCHAR", "unit": "VARCHAR", "quantity": "DOUBLE", "events": "BIGINT", "note": "VARCHAR",
          "is_sample": "BOOLEAN", "category_order": "INTEGER"}


def extract(db: Database, table: str, pf: PublicFilters, lang: str, k: int | None = None) -> Extract:
    """One public table as an export: its keys, unit, quantity, events, note and sample flag.

    The rows are `public.table`'s (adjusted by the cell key method, the values the pages show),
    handed to the writer as bound values; the note says "fewer than k" or that the row is adjusted.
    """
    if table not in public.TABLES:
        raise ValueError(f"unknown table {table!r} (one of {', '.join(TABLES)})")
    k = small_cell_events() if k is None else k
    keys = (*public.TABLES[table], "unit")
    cells = public.table(db, table, pf)
    columns = (*keys, "quantity", "events", "note", "is_sample", "category_order")
    fewer, adjusted = t("access.fewer_than", lang, k=k), t("cellkey.note", lang)
    rows = [[*(getattr(r, c) for c in keys), None if r.suppressed else float(r.quantity),
             None if r.suppressed else int(r.events), fewer if r.suppressed else adjusted, bool(r.is_sample),
             contract.CATEGORIES.index(r.category) if r.category in contract.CATEGORIES else None]
            for r in cells.itertuples()]
    typed = ", ".join(f"CAST(c{n} AS {_TYPES[c]}) AS {c}" for n, c in enumerate(columns))
    names = ", ".join(f"c{n}" for n in range(len(columns)))
    if rows:
        values = ", ".join("(" + ", ".join("?" for _ in columns) + ")" for _ in rows)
        sql = f"SELECT {typed} FROM (VALUES {values}) v({names})"
    else:
        sql = f"SELECT {typed} FROM (SELECT {', '.join(f'NULL AS c{n}' for n in range(len(columns)))}) v WHERE FALSE"
    order = ("category_order", *(c for c in keys if c != "category"))
    return Extract(sql, tuple(value for row in rows for value in row),
                   (*(_KEY_FIELDS[c] for c in keys), *_VALUE_FIELDS), order, sample_column="is_sample",
                   title_key=f"access.export.title.{table}", rows_key="access.export.rows")


def _lines(db: Database, pf: PublicFilters, lang: str, k: int) -> list[FilterLine]:
    rule = FilterLine(t("access.export.rule_name", lang), t("access.export.rule", lang, k=k), f"k={k}")
    adjusted = FilterLine(t("cellkey.export.rule_name", lang), t("cellkey.export.rule", lang), "cell-key")
    return [*describe_filters(db, pf.as_filters(), lang), rule, adjusted]


def stem(table: str) -> str:
    return f"kafo_totals_by_{table}" if table != "totals" else "kafo_totals"


def write(db: Database, table: str, pf: PublicFilters, fmt: str, lang: str, out: BinaryIO, today: dt.date,
          made_at: dt.datetime | None = None) -> int:
    """Write one public table in `fmt` (the CLI's `export --table`); returns its row count."""
    k = small_cell_events()
    name = file_name(pf.as_filters(), today, "csv", stem(table)).removesuffix(".csv")
    return write_table(db, extract(db, table, pf, lang, k), fmt, lang, out, today=today, made_at=made_at,
                       name=name, filters=_lines(db, pf, lang, k))


def build(db: Database, table: str, pf: PublicFilters, fmt: str, lang: str, today: dt.date,
          made_at: dt.datetime | None = None) -> bytes:
    """The download as bytes (what a public page's button serves); equal to `write` for equal arguments."""
    return in_memory(lambda out: write(db, table, pf, fmt, lang, out, today, made_at))


def download_name(table: str, pf: PublicFilters, fmt: str, today: dt.date) -> str:
    return download_name_of(pf.as_filters(), fmt, today, stem(table))

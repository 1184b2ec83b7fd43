"""The seizure records as a download: the same bytes on a page's button and from `python -m kafo_data export`.

The formats, the rule against formulas and the file layout are `kafo_data.export.writers`';
this module says which columns, in which order, under which filters, and what the file is called.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from kafo_data.contract import seizures as contract
from kafo_data.export import writers
from kafo_data.export.formats import EXTENSIONS, SUFFIXES
from kafo_data.export.writers import (
    Extract,
    Field,
    FilterLine,
    fields_from_columns,
    select,
    vocabulary_labels,
    write_table,
)
from kafo_data.fmt import date as fmt_date
from kafo_data.i18n import label, t
from kafo_data.seizures.filters import Filters, record_where
from kafo_data.store.db import Database

ALL = Filters()


def _record_fields() -> tuple[Field, ...]:
    fields = []
    for name in contract.RECORD_COLUMNS:
        table = "seizures" if any(c.name == name for c in contract.SEIZURE_COLUMNS) else "seized_items"
        fields += fields_from_columns(table, contract.TABLES[table], [name])
    return tuple(fields)


RECORD_FIELDS: tuple[Field, ...] = _record_fields()
RECORD_ORDER: tuple[str, ...] = ("operation_id", "seizure_date", "seizure_id", "line_no")


def records_extract(filters: Filters) -> Extract:
    """The filtered item lines, each with its event's fields, the source and the sample flag."""
    where, params = record_where(filters)
    sql = f"SELECT {', '.join(contract.RECORD_COLUMNS)} FROM records r WHERE {where}"
    return Extract(sql, tuple(params), RECORD_FIELDS, RECORD_ORDER, sample_column="is_sample", sort_in_parts=True)


def records_select(filters: Filters) -> tuple[str, list[object]]:
    """The SELECT behind the `csv` record export: filtered item lines, neutralised text, stable order."""
    return select(records_extract(filters))


# --- the seizure records -------------------------------------------------------------------

def describe_filters(db: Database, filters: Filters, lang: str) -> list[FilterLine]:
    """The filters applied, with operation names, country names and categories in `lang`, and ids."""
    lines: list[FilterLine] = []
    if filters.operations:
        names = vocabulary_labels(db, "operation", lang)
        lines.append(FilterLine(t("export.filter.operation", lang),
                                ", ".join(names.get(o, o) for o in filters.operations), ", ".join(filters.operations)))
    if filters.countries:
        names = vocabulary_labels(db, "country", lang)
        lines.append(FilterLine(t("export.filter.country", lang),
                                ", ".join(names.get(c, c) for c in filters.countries), ", ".join(filters.countries)))
    if filters.categories:
        lines.append(FilterLine(t("export.filter.category", lang),
                                ", ".join(label("category", c, lang) for c in filters.categories),
                                ", ".join(filters.categories)))
    if filters.date_from or filters.date_to:
        start, end = filters.date_from, filters.date_to
        key = "export.dates.between" if start and end else ("export.dates.from" if start else "export.dates.to")
        shown = t(key, lang, start=fmt_date(start, lang), end=fmt_date(end, lang))
        lines.append(FilterLine(t("export.filter.dates", lang), shown,
                                f"{start.isoformat() if start else ''}..{end.isoformat() if end else ''}"))
    if not filters.include_sample:
        lines.append(FilterLine(t("export.filter.sample", lang), t("export.filter.sample_left_out", lang),
                                "is_sample = false"))
    return lines


def write(db: Database, filters: Filters, fmt: str, lang: str, out: BinaryIO, today: dt.date,
          made_at: dt.datetime | None = None, *, stem: str = "kafo_seizures", max_rows: int | None = None) -> int:
    """Write the filtered records in `fmt` to a stream (the CLI); returns the row count."""
    return write_table(db, records_extract(filters), fmt, lang, out, today=today, made_at=made_at,
                       name=file_name(filters, today, "csv", stem).removesuffix(".csv"),
                       filters=describe_filters(db, filters, lang), max_rows=max_rows)


def build(db: Database, filters: Filters, fmt: str, lang: str, today: dt.date,
          made_at: dt.datetime | None = None, *, stem: str = "kafo_seizures") -> bytes:
    """The download as bytes (what a button serves); equal to `write` for equal arguments."""
    return writers.in_memory(lambda out: write(db, filters, fmt, lang, out, today, made_at, stem=stem,
                                               max_rows=writers.MEMORY_MAX_ROWS))


def write_csv(db: Database, filters: Filters, out: BinaryIO) -> int:
    """Write the filtered records as the `csv` format; returns the row count."""
    return write(db, filters, "csv", "en", out, dt.date.today())


def csv_bytes(db: Database, filters: Filters) -> bytes:
    """The `csv` download as bytes."""
    return build(db, filters, "csv", "en", dt.date.today())


def file_name(filters: Filters, today: dt.date, extension: str = "csv", stem: str = "kafo_seizures") -> str:
    """A name that says what is inside and when: kafo_seizures_KAFO-II_MLI-NER_2026-11-22.csv."""
    parts = [stem]
    for values in (filters.operations, filters.countries, filters.categories):
        if values:
            parts.append("-".join(values))
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or ''}--{filters.date_to or ''}")
    if not filters.include_sample:
        parts.append("no-sample")
    parts.append(today.isoformat())
    return "_".join(parts) + "." + extension


def download_name(filters: Filters, fmt: str, today: dt.date, stem: str = "kafo_seizures") -> str:
    """The file name for one format: the French-Excel CSV says so before its extension."""
    name = file_name(filters, today, EXTENSIONS[fmt], stem)
    suffix = SUFFIXES.get(fmt, "")
    return name.removesuffix("." + EXTENSIONS[fmt]) + suffix + "." + EXTENSIONS[fmt]

"""Downloads: every file a page offers and the CLI writes comes from here, byte for byte.

Rows stream from DuckDB as arrow batches into the writer, so a large export is never held
as a Python string. Text cells are neutralised against formula injection in SQL, by one rule
(OWASP): a cell whose first non-blank character is = + - @ tab, CR or LF gets a leading '.
Numbers are not text and stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import BinaryIO

import pyarrow.csv as pacsv

from kafo_data import contract
from kafo_data.db import Database
from kafo_data.filters import Filters, record_where

BOM = "\ufeff".encode()
BATCH_ROWS = 65_536
TRIGGER_PATTERN = "^ *[=+\\-@\t\r\n]"


def _text_columns() -> set[str]:
    types = {c.name: c.dtype for cols in contract.TABLES.values() for c in cols}
    return {name for name in contract.RECORD_COLUMNS if types[name] == "VARCHAR"}


def neutralised(column: str) -> str:
    """SQL for one text column with the formula-injection rule applied."""
    return (
        f"CASE WHEN regexp_matches({column}, ?) THEN '''' || {column} ELSE {column} END AS {column}"
    )


def records_select(filters: Filters) -> tuple[str, list[object]]:
    """The SELECT behind every record export: filtered item lines, neutralised text, stable order."""
    text = _text_columns()
    select: list[str] = []
    params: list[object] = []
    for name in contract.RECORD_COLUMNS:
        if name in text:
            select.append(neutralised(name))
            params.append(TRIGGER_PATTERN)
        else:
            select.append(name)
    where, wparams = record_where(filters)
    order = "operation_id, seizure_date, seizure_id, line_no"
    sql = f"SELECT {', '.join(select)} FROM records r WHERE {where} ORDER BY {order}"
    return sql, params + wparams


def write_csv(db: Database, filters: Filters, out: BinaryIO) -> int:
    """Write the filtered records as UTF-8 CSV with a byte-order mark; returns the row count."""
    sql, params = records_select(filters)
    cur = db.cursor()
    try:
        reader = cur.execute(sql, params).fetch_record_batch(BATCH_ROWS)
        out.write(BOM)
        options = pacsv.WriteOptions(eol="\r\n", quoting_style="needed")
        rows = 0
        with pacsv.CSVWriter(out, reader.schema, write_options=options) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        return rows
    finally:
        cur.close()


def csv_bytes(db: Database, filters: Filters) -> bytes:
    """The CSV download as bytes (what the button serves and `export` writes)."""
    buf = io.BytesIO()
    write_csv(db, filters, buf)
    return buf.getvalue()


def file_name(filters: Filters, today: dt.date, extension: str = "csv", stem: str = "kafo_seizures") -> str:
    """A name that says what is inside and when: kafo_seizures_KAFO-II_NER-MLI_2026-11-22.csv."""
    parts = [stem]
    for values in (filters.operations, filters.countries, filters.categories):
        if values:
            parts.append("-".join(values))
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or ''}--{filters.date_to or ''}")
    parts.append(today.isoformat())
    return "_".join(parts) + "." + extension

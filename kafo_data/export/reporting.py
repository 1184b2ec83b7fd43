"""The reporting grid as a download and `export --table reporting`: the same bytes, four formats.

Managers: one row per operation and country (`kafo_data.seizures.reporting.grid`); public: one row per
operation, how many participating countries have records (`coverage`), never which. The grid is a
small frame; it reaches the writer as bound lists (`unnest`), so the writer's rules hold as for any table.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

import pandas as pd

from kafo_data.export.formats import EXTENSIONS, SUFFIXES
from kafo_data.export.writers import Extract, Field, in_memory, write_table
from kafo_data.seizures import reporting
from kafo_data.store.db import Database

VIEWS: tuple[str, ...] = ("managers", "public")
_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "boolean": "BOOLEAN"}


def _field(name: str, kind: str, vocab: str | None = None) -> Field:
    return Field(name, kind, f"reporting.field.{name}", f"reporting.doc.{name}", vocab)  # type: ignore[arg-type]


FIELDS: dict[str, tuple[Field, ...]] = {
    "managers": (_field("operation_id", "text", "operation"), _field("country_iso3", "text", "country"),
                 _field("participating", "boolean"), _field("batches", "integer"), _field("lines", "integer"),
                 _field("events", "integer"), _field("last_loaded", "text"), _field("loaded_by", "text"),
                 _field("rejected", "integer"), _field("sample_lines", "integer"), _field("unstored", "integer"),
                 _field("last_unstored", "text")),
    "public": (_field("operation_id", "text", "operation"), _field("reported", "integer"),
               Field("participants", "integer", "reporting.field.participants", "reporting.doc.participants"),
               _field("sample", "boolean")),
}


def frame(db: Database, view: str) -> pd.DataFrame:
    if view == "managers":
        return reporting.grid(db)
    if view == "public":
        return reporting.coverage(db).rename(columns={"participating": "participants"})
    raise ValueError(f"unknown view {view!r} (one of {', '.join(VIEWS)})")


def extract(db: Database, view: str) -> Extract:
    """The grid (or the public lines) as bound lists, in their own order (`_row`)."""
    data = frame(db, view)
    fields = FIELDS[view]
    columns = [f"unnest(?::{_TYPES[f.kind]}[]) AS {f.name}" for f in fields]
    params = [[None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in data[f.name]]
              for f in fields]
    sql = f"SELECT {', '.join(columns)}, unnest(?::BIGINT[]) AS _row"
    title = "reporting.export.title" if view == "managers" else "reporting.export.public_title"
    rows = "reporting.export.rows" if view == "managers" else "reporting.export.public_rows"
    return Extract(sql, (*params, list(range(len(data)))), fields, ("_row",), title_key=title, rows_key=rows)


def write(db: Database, view: str, fmt: str, lang: str, out: BinaryIO, today: dt.date,
          made_at: dt.datetime | None = None) -> int:
    return write_table(db, extract(db, view), fmt, lang, out, today=today, made_at=made_at,
                       name=f"kafo_reporting_{today.isoformat()}")


def build(db: Database, view: str, fmt: str, lang: str, today: dt.date, made_at: dt.datetime | None = None) -> bytes:
    return in_memory(lambda out: write(db, view, fmt, lang, out, today, made_at))


def download_name(fmt: str, today: dt.date) -> str:
    return f"kafo_reporting_{today.isoformat()}{SUFFIXES.get(fmt, '')}.{EXTENSIONS[fmt]}"

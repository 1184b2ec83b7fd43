"""Budget lines and transactions as a download: the same formats and bytes as the seizure records.

The budget page's buttons and `python -m kafo_data money export` both call `write` / `build`.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from kafo_data.contract.money import (
    BUDGET_STATUSES,
    BUDGET_TYPES,
    TABLES,
    TRANSACTION_TYPES,
)
from kafo_data.export import writers
from kafo_data.export.writers import Extract, Field, FilterLine, write_table
from kafo_data.i18n import LANGS, t
from kafo_data.money.filters import MoneyFilters, budget_where, transaction_where
from kafo_data.store.db import Database

EXPORT_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "budgets": ("money_budgets", ("period_start", "output", "budget_type", "budget_id")),
    "transactions": ("money_transactions", ("transaction_date", "transaction_id")),
}
_KINDS = {"VARCHAR": "text", "DATE": "date", "INTEGER": "integer", "BOOLEAN": "boolean", "DECIMAL(18,2)": "number"}
_VOCAB_FIELDS = {"budget_type": "budget_type", "status": "budget_status", "transaction_type": "transaction_type",
                 "donor_id": "donor", "output": "output", "operation_id": "operation"}


def money_extract(table: str, f: MoneyFilters) -> Extract:
    """A money table as `kafo_data.export.writers` writes any dataset: the same formats, the same one rule."""
    if table not in EXPORT_TABLES:
        raise ValueError(f"unknown money table {table!r}")
    view, order = EXPORT_TABLES[table]
    fields = tuple(Field(c.name, _KINDS[c.dtype], f"budget.field.{table}.{c.name}",  # type: ignore[arg-type]
                         f"budget.doc.{table}.{c.name}", _VOCAB_FIELDS.get(c.name)) for c in TABLES[table])
    alias = view[6]
    where, params = (budget_where if table == "budgets" else transaction_where)(f, alias)
    sql = f"SELECT {', '.join(c.name for c in TABLES[table])} FROM {view} {alias} WHERE {where}"
    return Extract(sql, tuple(params), fields, order, sample_column="is_sample",
                   title_key=f"budget.export.title.{table}", rows_key=f"budget.export.rows.{table}")


def money_labels(db: Database) -> dict[str, dict[str, dict[str, str]]]:
    """Labels of the money codes in each language, for the labelled formats (xlsx, French Excel, zip)."""
    donors = db.rows("SELECT donor_id, name_en, name_fr FROM donors")
    outputs = [int(r[0]) for r in db.rows("SELECT position FROM project_items WHERE list = 'output'")]
    out: dict[str, dict[str, dict[str, str]]] = {}
    for lang in LANGS:
        out[lang] = {
            "budget_type": {k: t(f"budget.type.{k}", lang) for k in BUDGET_TYPES},
            "budget_status": {k: t(f"budget.status.{k}", lang) for k in BUDGET_STATUSES},
            "transaction_type": {k: t(f"budget.transaction_type.{k}", lang) for k in TRANSACTION_TYPES},
            "donor": {d: (en if lang == "en" else fr) for d, en, fr in donors},
            "output": {str(o): t("budget.output_n", lang, n=o) for o in outputs},
        }
    return out


def describe(db: Database, f: MoneyFilters, lang: str) -> list[FilterLine]:
    """The filters applied, as a reader sees them and as ids, for the README and the xlsx."""
    lines = []
    if f.donors:
        names = dict(db.rows(f"SELECT donor_id, name_{'fr' if lang == 'fr' else 'en'} FROM donors"))
        lines.append(FilterLine(t("budget.filter.donor", lang), ", ".join(names.get(d, d) for d in f.donors),
                                ", ".join(f.donors)))
    if f.outputs:
        lines.append(FilterLine(t("budget.filter.output", lang),
                                ", ".join(t("budget.output_n", lang, n=o) for o in f.outputs),
                                ", ".join(map(str, f.outputs))))
    if f.operations:
        names = dict(db.rows("SELECT operation_id, name FROM operations"))
        lines.append(FilterLine(t("budget.filter.operation", lang), ", ".join(names.get(o, o) for o in f.operations),
                                ", ".join(f.operations)))
    if not f.include_sample:
        lines.append(FilterLine(t("export.filter.sample", lang), t("export.filter.sample_left_out", lang),
                                "is_sample = false"))
    return lines


def write(db: Database, table: str, f: MoneyFilters, fmt: str, lang: str, out: BinaryIO, today: dt.date,
          max_rows: int | None = None) -> int:
    """Write the filtered lines of one money table in `fmt` (`kafo_data.export.formats.FORMATS`); returns rows."""
    return write_table(db, money_extract(table, f), fmt, lang, out, today=today,
                       name=file_name(table, f, today).removesuffix(".csv"), filters=describe(db, f, lang),
                       max_rows=max_rows, labels=money_labels(db))


def build(db: Database, table: str, f: MoneyFilters, fmt: str, lang: str, today: dt.date) -> bytes:
    """The download as bytes (what the page's button serves); equal to `write` for equal arguments."""
    return writers.in_memory(lambda out: write(db, table, f, fmt, lang, out, today, max_rows=writers.MEMORY_MAX_ROWS))


def file_name(table: str, f: MoneyFilters, today: dt.date, extension: str = "csv", suffix: str = "") -> str:
    """kafo_budgets_EU_output-2_KAFO-II_2026-11-22.csv: what is inside and when (suffix before the dot)."""
    parts = [f"kafo_{table}"]
    if f.donors:
        parts.append("-".join(f.donors))
    if f.outputs:
        parts.append("output-" + "-".join(map(str, f.outputs)))
    if f.operations:
        parts.append("-".join(f.operations))
    if not f.include_sample:
        parts.append("no-sample")
    parts.append(today.isoformat())
    return "_".join(parts) + suffix + "." + extension

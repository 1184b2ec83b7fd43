"""Money queries: small frames in IATI terms, currencies and rates.

Every amount is summed per currency in DuckDB on DECIMAL values, so totals are exact and
amounts in different currencies are never added together: a caller that wants one number
gets it only through `single_total` (which refuses a mix) or `convert` (which uses a stated
rate from the rates table and says which). Frames carry `cents` (exact, int) next to
`value` (float, for charts).

The headline total is not a sample row: it is the project reference (the project
description's 3,248,537.00 EUR), read by `project_budget`, so the page shows it even when
no money file exists.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from kafo_data.contract.money import (
    BUDGET_STATUSES,
    BUDGET_TYPES,
    CURRENCIES,
    OUTGOING,
    RATES_COLUMNS,
    TABLES,
    TRANSACTION_TYPES,
    from_cents,
    rates_file,
)
from kafo_data.export.seizures import MEMORY_MAX_ROWS, Extract, Field, FilterLine, write_table
from kafo_data.i18n import LANGS, t
from kafo_data.money.filters import MoneyFilters, budget_where, transaction_where
from kafo_data.store.db import Database
from kafo_data.store.money import VIEWS, table_files

MEASURES: tuple[str, ...] = ("budget", *OUTGOING)
GRAINS: tuple[str, ...] = ("year", "quarter")


# --- the real total ---------------------------------------------------------------------------

def project_budget(db: Database) -> dict[str, object]:
    """The published total with its source: value (Decimal, exact), currency, source fields."""
    rows = db.rows(
        "SELECT v.value, c.value, v.source_id, s.title, s.publisher, s.published, s.url "
        "FROM project v JOIN project c ON c.field = 'budget_currency' JOIN sources s ON s.source_id = v.source_id "
        "WHERE v.field = 'budget_value'"
    )
    if not rows:
        return {}
    value, currency, source_id, title, publisher, published, url = rows[0]
    return {"value": Decimal(value), "currency": currency, "source_id": source_id, "source_title": title,
            "source_publisher": publisher, "source_published": published, "source_url": url}


def sample_state(db: Database) -> dict[str, str]:
    """For budgets and transactions: 'sample' (the generated illustration), 'real', or 'none'."""
    out = {}
    for table, view in VIEWS.items():
        files, is_sample = table_files(db.root, table)
        n = db.rows(f"SELECT count(*) FROM {view}")[0][0]
        out[table] = "none" if not files or not n else ("sample" if is_sample else "real")
    return out


# --- breakdowns -------------------------------------------------------------------------------

def _money(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `value` (float, for charts) next to the exact `cents` (int)."""
    frame["cents"] = frame["cents"].astype("int64")
    frame["value"] = frame["cents"] / 100
    return frame


def budget_by_currency(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """The current budget (revised where revised) per currency: never one sum across currencies."""
    where, params = budget_where(f)
    return _money(db.frame(
        "SELECT currency, CAST(sum(value) * 100 AS BIGINT) AS cents, count(*) AS lines, "
        "count(*) FILTER (WHERE is_sample) AS sample_lines "
        f"FROM money_budgets_current b WHERE {where} GROUP BY currency ORDER BY currency",
        params,
    ))


def by_donor(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """Current budget per donor and currency, with the donor's names."""
    where, params = budget_where(f)
    return _money(db.frame(
        "SELECT b.donor_id, d.name_en, d.name_fr, b.currency, CAST(sum(b.value) * 100 AS BIGINT) AS cents "
        f"FROM money_budgets_current b LEFT JOIN donors d USING (donor_id) WHERE {where} "
        "GROUP BY ALL ORDER BY b.donor_id, b.currency",
        params,
    ))


def execution(db: Database, f: MoneyFilters, by_output: bool = False) -> pd.DataFrame:
    """Budget against commitments, disbursements and expenditure, per currency (and output).

    One row per (output,) currency and measure, with `share` = the measure over the budget
    of the same currency (NaN where there is no budget). The budget does not follow the
    operation filter (budgets are not split by operation); the transactions do.
    """
    bwhere, bparams = budget_where(f)
    twhere, tparams = transaction_where(f)
    key = "output, " if by_output else ""
    types = ", ".join("?" for _ in OUTGOING)
    frame = db.frame(
        f"WITH b AS (SELECT {key}currency, 'budget' AS measure, CAST(sum(value) * 100 AS BIGINT) AS cents "
        f"  FROM money_budgets_current b WHERE {bwhere} GROUP BY ALL), "
        f"t AS (SELECT {key}currency, transaction_type AS measure, CAST(sum(value) * 100 AS BIGINT) AS cents "
        f"  FROM money_transactions t WHERE {twhere} AND transaction_type IN ({types}) GROUP BY ALL) "
        f"SELECT m.*, CASE WHEN b.cents > 0 THEN m.cents / b.cents END AS share "
        f"FROM (SELECT * FROM b UNION ALL SELECT * FROM t) m "
        f"LEFT JOIN b ON b.currency = m.currency {'AND b.output = m.output' if by_output else ''} "
        f"ORDER BY {'m.output, ' if by_output else ''}m.currency",
        [*bparams, *tparams, *OUTGOING],
    )
    rank = {m: k for k, m in enumerate(MEASURES)}
    keys = (["output"] if by_output else []) + ["currency", "rank"]
    frame = frame.assign(rank=frame.measure.map(rank)).sort_values(keys).drop(columns="rank")
    return _money(frame.reset_index(drop=True))


def by_output(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """Budget, commitments, disbursements and expenditure per output and currency (long form)."""
    return execution(db, f, by_output=True)


def by_period(db: Database, f: MoneyFilters, grain: str = "year") -> pd.DataFrame:
    """Budget and spending per year or quarter, per currency (long form: period, measure).

    A budget line counts in a period only if its whole period lies inside it; lines that
    span more (an annual line in a quarterly view) are left out here and reported by
    `unsplit_budget`, rather than being divided up by a guess.
    """
    if grain not in GRAINS:
        raise ValueError(f"unknown period {grain!r}")
    bwhere, bparams = budget_where(f)
    twhere, tparams = transaction_where(f)
    types = ", ".join("?" for _ in OUTGOING)
    frame = db.frame(
        f"SELECT CAST(date_trunc(?, period_start) AS DATE) AS period, currency, 'budget' AS measure, "
        "CAST(sum(value) * 100 AS BIGINT) AS cents FROM money_budgets_current b "
        f"WHERE {bwhere} AND period_end < date_trunc(?, period_start) + "
        f"CASE WHEN ? = 'year' THEN INTERVAL 1 YEAR ELSE INTERVAL 3 MONTH END GROUP BY ALL "
        "UNION ALL SELECT CAST(date_trunc(?, transaction_date) AS DATE), currency, transaction_type, "
        f"CAST(sum(value) * 100 AS BIGINT) FROM money_transactions t WHERE {twhere} "
        f"AND transaction_type IN ({types}) GROUP BY ALL",
        [grain, *bparams, grain, grain, grain, *tparams, *OUTGOING],
    )
    rank = {m: k for k, m in enumerate(MEASURES)}
    frame = frame.assign(rank=frame.measure.map(rank)).sort_values(["period", "currency", "rank"])
    return _money(frame.drop(columns="rank").reset_index(drop=True))


def unsplit_budget(db: Database, f: MoneyFilters, grain: str = "year") -> pd.DataFrame:
    """Budget lines whose period is longer than one `grain`, per currency (not in `by_period`)."""
    if grain not in GRAINS:
        raise ValueError(f"unknown period {grain!r}")
    where, params = budget_where(f)
    return _money(db.frame(
        "SELECT currency, count(*) AS lines, CAST(sum(value) * 100 AS BIGINT) AS cents "
        f"FROM money_budgets_current b WHERE {where} AND period_end >= date_trunc(?, period_start) + "
        "CASE WHEN ? = 'year' THEN INTERVAL 1 YEAR ELSE INTERVAL 3 MONTH END GROUP BY currency ORDER BY currency",
        [*params, grain, grain],
    ))


def original_vs_revised(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """Per output and currency, over the periods a revision covers: original and revised amounts."""
    where, params = budget_where(f)
    frame = db.frame(
        "WITH r AS (SELECT * FROM money_budgets b WHERE budget_type = 'revised' AND " + where + "), "
        "o AS (SELECT * FROM money_budgets b WHERE budget_type = 'original' AND " + where + " AND EXISTS ("
        "  SELECT 1 FROM r WHERE r.project_id = b.project_id AND r.donor_id = b.donor_id AND r.output = b.output "
        "  AND r.period_start <= b.period_end AND r.period_end >= b.period_start)) "
        "SELECT output, currency, CAST(sum(value) FILTER (WHERE kind = 'o') * 100 AS BIGINT) AS original_cents, "
        "CAST(sum(value) FILTER (WHERE kind = 'r') * 100 AS BIGINT) AS revised_cents, "
        "min(period_start) AS period_start, max(period_end) AS period_end "
        "FROM (SELECT *, 'o' AS kind FROM o UNION ALL SELECT *, 'r' AS kind FROM r) "
        "GROUP BY ALL ORDER BY output, currency",
        [*params, *params],
    )
    for col in ("original_cents", "revised_cents"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["original"] = frame.original_cents / 100
    frame["revised"] = frame.revised_cents / 100
    frame["change"] = frame.revised - frame.original
    return frame


def _money_rows(db: Database, table: str, alias: str, where: tuple[str, list], order: str) -> pd.DataFrame:
    """Every contract column of one money table's filtered rows, with the value also in whole cents."""
    cols = ", ".join(c.name for c in TABLES[table])
    frame = db.frame(f"SELECT {cols} FROM money_{table} {alias} WHERE {where[0]} ORDER BY {order}", where[1])
    return frame.assign(cents=(frame.value.astype(float) * 100).round().astype("int64"),
                        value=frame.value.astype(float))


def budget_lines(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """The filtered budget lines (original and revised), in period and output order."""
    return _money_rows(db, "budgets", "b", budget_where(f), "period_start, output, budget_type, budget_id")


def transactions(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """The filtered transactions in date order."""
    return _money_rows(db, "transactions", "t", transaction_where(f), "transaction_date, transaction_id")


def donor_operations(db: Database) -> pd.DataFrame:
    """Each donor with each operation (or the project) it is known to support, and the source.

    The project's donor comes first; within a donor, the project, then operations by date.
    """
    return db.frame(
        "SELECT d.donor_id, d.name_en, d.name_fr, d.kind, s.scope, s.operation_id, o.name AS operation_name, "
        "s.what_en, s.what_fr, s.source_id, src.title AS source_title, src.publisher AS source_publisher, "
        "src.published AS source_published, src.url AS source_url "
        "FROM donors d JOIN donor_support s USING (donor_id) JOIN sources src ON src.source_id = s.source_id "
        "LEFT JOIN operations o ON o.operation_id = s.operation_id "
        "ORDER BY max(CASE WHEN s.scope = 'project' THEN 1 ELSE 0 END) OVER (PARTITION BY d.donor_id) DESC, "
        "d.donor_id, s.scope DESC, o.start_date NULLS FIRST, src.published, s.source_id"
    )


# --- currencies -------------------------------------------------------------------------------

class CurrencyMixError(ValueError):
    """Amounts in several currencies were about to be added up with no stated rate."""


class RatesError(ValueError):
    """The rates table breaks a rule; the message names the line."""


@dataclass(frozen=True)
class Rate:
    """1 `base_currency` = `rate` `currency`, on `rate_date`, according to `source`."""

    currency: str
    base_currency: str
    rate: Decimal
    rate_date: dt.date
    source: str


def single_total(frame: pd.DataFrame) -> tuple[Decimal, str | None]:
    """The one total of a per-currency frame; refuses to add different currencies."""
    currencies = sorted(set(frame.currency))
    if len(currencies) > 1:
        raise CurrencyMixError(f"amounts in {', '.join(currencies)} cannot be added without a rate")
    return from_cents(int(frame.cents.sum())), (currencies[0] if currencies else None)


def rates(root: Path) -> list[Rate]:
    """The optional rates table `money/fx_rates.csv`: one rate per currency and base, sourced."""
    path = rates_file(root)
    if not path.is_file():
        return []
    out: list[Rate] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in RATES_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RatesError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            cur, base = row["currency"].strip().upper(), row["base_currency"].strip().upper()
            try:
                rate = Decimal(row["rate"].strip())
                day = dt.date.fromisoformat(row["rate_date"].strip())
            except (InvalidOperation, ValueError) as exc:
                raise RatesError(f"{path.name} line {line}: rate must be a number and rate_date YYYY-MM-DD") from exc
            if cur not in CURRENCIES or base not in CURRENCIES or rate <= 0:
                raise RatesError(f"{path.name} line {line}: unknown currency or rate not above zero")
            if not row["source"].strip():
                raise RatesError(f"{path.name} line {line}: every rate names its source")
            if (cur, base) in seen:
                raise RatesError(f"{path.name} line {line}: a second rate for {cur} in {base}")
            seen.add((cur, base))
            out.append(Rate(cur, base, rate, day, row["source"].strip()))
    return out


def missing_rates(currencies: Iterable[str], rate_list: list[Rate], base: str) -> list[str]:
    """The currencies that cannot be converted to `base`: no rate for them in the rates table."""
    have = {r.currency for r in rate_list if r.base_currency == base}
    return sorted({c for c in currencies if c != base and c not in have})


def convert(frame: pd.DataFrame, rate_list: list[Rate], base: str) -> pd.DataFrame:
    """A per-currency frame in `base`: each currency's total divided by its stated rate, to the cent.

    Returns the rows with `currency` = base and the original amount, currency and rate kept
    (`original_cents`, `original_currency`, `rate`, `rate_date`, `rate_source`), so the page
    can show what was converted and how. A currency without a rate is refused, by name.
    """
    by_currency = {r.currency: r for r in rate_list if r.base_currency == base}
    missing = missing_rates(frame.currency, rate_list, base)
    if missing:
        raise CurrencyMixError(f"no rate to {base} for {', '.join(missing)}")
    out = frame.copy()
    cents, rate_col, dates, sources = [], [], [], []
    for currency, amount in zip(frame.currency, frame.cents, strict=True):
        if currency == base:
            cents.append(int(amount))
            rate_col.append(None)
            dates.append(None)
            sources.append(None)
            continue
        r = by_currency[currency]
        converted = (Decimal(int(amount)) / r.rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        cents.append(int(converted))
        rate_col.append(float(r.rate))
        dates.append(r.rate_date)
        sources.append(r.source)
    out["original_cents"] = frame.cents.astype("int64")
    out["original_currency"] = frame.currency
    out["currency"] = base
    out["cents"] = pd.Series(cents, index=frame.index, dtype="int64")
    out["value"] = out.cents / 100
    out["rate"], out["rate_date"], out["rate_source"] = rate_col, dates, sources
    return out


def currencies_in_use(db: Database, f: MoneyFilters) -> list[str]:
    """Every currency of the filtered budget lines and transactions."""
    bwhere, bparams = budget_where(f)
    twhere, tparams = transaction_where(f)
    rows = db.rows(f"SELECT currency FROM money_budgets b WHERE {bwhere} UNION "
                   f"SELECT currency FROM money_transactions t WHERE {twhere} ORDER BY 1", [*bparams, *tparams])
    return [r[0] for r in rows]


# --- export -----------------------------------------------------------------------------------

EXPORT_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "budgets": ("money_budgets", ("period_start", "output", "budget_type", "budget_id")),
    "transactions": ("money_transactions", ("transaction_date", "transaction_id")),
}
_KINDS = {"VARCHAR": "text", "DATE": "date", "INTEGER": "integer", "BOOLEAN": "boolean", "DECIMAL(18,2)": "number"}
_VOCAB_FIELDS = {"budget_type": "budget_type", "status": "budget_status", "transaction_type": "transaction_type",
                 "donor_id": "donor", "output": "output", "operation_id": "operation"}


def money_extract(table: str, f: MoneyFilters) -> Extract:
    """A money table as `kafo_data.export.seizures` writes any dataset: the same formats, the same one rule."""
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
    """Write the filtered lines of one money table in `fmt` (`kafo_data.export.seizures.FORMATS`); returns rows."""
    return write_table(db, money_extract(table, f), fmt, lang, out, today=today,
                       name=file_name(table, f, today).removesuffix(".csv"), filters=describe(db, f, lang),
                       max_rows=max_rows, labels=money_labels(db))


def build(db: Database, table: str, f: MoneyFilters, fmt: str, lang: str, today: dt.date) -> bytes:
    """The download as bytes (what the page's button serves); equal to `write` for equal arguments."""
    buf = io.BytesIO()
    write(db, table, f, fmt, lang, buf, today, max_rows=MEMORY_MAX_ROWS)
    return buf.getvalue()


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

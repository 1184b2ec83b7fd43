"""Money queries: small frames in IATI terms, and the project and donors they belong to.

Every amount is summed per currency in DuckDB on DECIMAL values, so totals are exact and
amounts in different currencies are never added together: a caller that wants one number
gets it only through `kafo_data.money.rates` (`single_total` refuses a mix, `convert` uses a
stated rate and says which). Frames carry `cents` (exact, int) next to `value` (float, for charts).

The headline total is not a sample row: it is the project reference (the project
description's 3,248,537.00 EUR), read by `project_budget`, so the page shows it even when
no money file exists.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from kafo_data.contract.money import (
    OUTGOING,
    OUTPUTS,
    TABLES,
)
from kafo_data.filtering import Known
from kafo_data.money.filters import MoneyFilters, budget_where, transaction_where
from kafo_data.query_gate import public_query
from kafo_data.store.db import Database
from kafo_data.store.money import SQL_VIEWS, table_files

MEASURES: tuple[str, ...] = ("budget", *OUTGOING)
GRAINS: tuple[str, ...] = ("year", "quarter")


# --- the project and its donors (reference) ---------------------------------------------------------

@public_query
def known(db: Database) -> Known:
    """Donors from donors.csv, outputs from the project's list, operations from operations.csv."""
    donors = [r[0] for r in db.rows("SELECT donor_id FROM donors")]
    outputs = [int(r[0]) for r in db.rows("SELECT position FROM project_items WHERE list = 'output'")]
    ops = [r[0] for r in db.rows("SELECT operation_id FROM operations")]
    return {"donors": frozenset(donors), "outputs": frozenset(outputs or OUTPUTS), "operations": frozenset(ops)}


@public_query
def project(db: Database) -> dict[str, str]:
    return {k: v for k, v in db.rows("SELECT field, value FROM project")}


@public_query
def project_items(db: Database) -> pd.DataFrame:
    return db.frame("SELECT * FROM project_items ORDER BY list, position")


@public_query
def donors(db: Database) -> pd.DataFrame:
    return db.frame("SELECT * FROM donors ORDER BY donor_id")



# --- the real total ---------------------------------------------------------------------------

@public_query
def project_budget(db: Database) -> dict[str, object]:
    """The published total with its source: value (Decimal, exact), currency, source fields."""
    rows = db.rows(
        "SELECT v.value, c.value, v.source_id, s.title, s.publisher, s.publisher_fr, s.published, s.url "
        "FROM project v JOIN project c ON c.field = 'budget_currency' JOIN sources s ON s.source_id = v.source_id "
        "WHERE v.field = 'budget_value'"
    )
    if not rows:
        return {}
    value, currency, source_id, title, publisher, publisher_fr, published, url = rows[0]
    return {"value": Decimal(value), "currency": currency, "source_id": source_id, "source_title": title,
            "source_publisher": publisher, "source_publisher_fr": publisher_fr, "source_published": published,
            "source_url": url}


@public_query
def sample_state(db: Database) -> dict[str, str]:
    """For budgets and transactions: 'sample' (the generated illustration), 'real', or 'none'."""
    out = {}
    for table, view in SQL_VIEWS.items():
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


@public_query
def budget_by_currency(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """The current budget (revised where revised) per currency: never one sum across currencies."""
    where, params = budget_where(f)
    return _money(db.frame(
        "SELECT currency, CAST(sum(value) * 100 AS BIGINT) AS cents, count(*) AS lines, "
        "count(*) FILTER (WHERE is_sample) AS sample_lines "
        f"FROM money_budgets_current b WHERE {where} GROUP BY currency ORDER BY currency",
        params,
    ))


@public_query
def by_donor(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """Current budget per donor and currency, with the donor's names."""
    where, params = budget_where(f)
    return _money(db.frame(
        "SELECT b.donor_id, d.name_en, d.name_fr, b.currency, CAST(sum(b.value) * 100 AS BIGINT) AS cents "
        f"FROM money_budgets_current b LEFT JOIN donors d USING (donor_id) WHERE {where} "
        "GROUP BY ALL ORDER BY b.donor_id, b.currency",
        params,
    ))


@public_query
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


@public_query
def by_output(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """Budget, commitments, disbursements and expenditure per output and currency (long form)."""
    return execution(db, f, by_output=True)


@public_query
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


@public_query
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


@public_query
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


@public_query
def budget_lines(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """The filtered budget lines (original and revised), in period and output order."""
    return _money_rows(db, "budgets", "b", budget_where(f), "period_start, output, budget_type, budget_id")


@public_query
def transactions(db: Database, f: MoneyFilters) -> pd.DataFrame:
    """The filtered transactions in date order."""
    return _money_rows(db, "transactions", "t", transaction_where(f), "transaction_date, transaction_id")


@public_query
def donor_operations(db: Database) -> pd.DataFrame:
    """Each donor with each operation (or the project) it is known to support, and the source.

    The project's donor comes first; within a donor, the project, then operations by date.
    """
    return db.frame(
        "SELECT d.donor_id, d.name_en, d.name_fr, d.kind, s.scope, s.operation_id, o.name AS operation_name, "
        "s.what_en, s.what_fr, s.source_id, src.title AS source_title, src.publisher AS source_publisher, "
        "src.publisher_fr AS source_publisher_fr, "
        "src.published AS source_published, src.url AS source_url "
        "FROM donors d JOIN donor_support s USING (donor_id) JOIN sources src ON src.source_id = s.source_id "
        "LEFT JOIN operations o ON o.operation_id = s.operation_id "
        "ORDER BY max(CASE WHEN s.scope = 'project' THEN 1 ELSE 0 END) OVER (PARTITION BY d.donor_id) DESC, "
        "d.donor_id, s.scope DESC, o.start_date NULLS FIRST, src.published, s.source_id"
    )


@public_query
def currencies_in_use(db: Database, f: MoneyFilters) -> list[str]:
    """Every currency of the filtered budget lines and transactions."""
    bwhere, bparams = budget_where(f)
    twhere, tparams = transaction_where(f)
    rows = db.rows(f"SELECT currency FROM money_budgets b WHERE {bwhere} UNION "
                   f"SELECT currency FROM money_transactions t WHERE {twhere} ORDER BY 1", [*bparams, *tparams])
    return [r[0] for r in rows]

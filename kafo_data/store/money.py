"""Where the money files are, and the DuckDB views over them.

`<data dir>/money/` holds the generated sample (`budgets.parquet`, `transactions.parquet`),
ingested batches (`batches/<id>/{budgets,transactions}.parquet` + `batch.json`, renamed in
whole so a half-written batch is never read) and an optional rates table (`fx_rates.csv`,
read by `kafo_data.money.queries.rates`).

The sample is an illustration to be replaced: as soon as one real batch of a table is
loaded, the view of that table reads the real batches only, so generated and reported
amounts are never added together. `kafo_data.store.db` calls `register_money_views` whenever the
data version changes, and counts `money_files` in that version.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from kafo_data.config import money_batches_dir, money_dir, rates_file
from kafo_data.contract.money import TABLES
from kafo_data.store.health import file_problem
from kafo_data.store.sql import path_literal

SQL_VIEWS: dict[str, str] = {"budgets": "money_budgets", "transactions": "money_transactions"}


def money_batch_dirs(root: Path) -> list[Path]:
    """Complete money batch directories, sorted (a batch is complete once renamed in)."""
    base = money_batches_dir(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / "batch.json").is_file())


def sample_file(root: Path, table: str) -> Path:
    return money_dir(root) / f"{table}.parquet"


def table_files(root: Path, table: str) -> tuple[list[Path], bool]:
    """The files a money view reads, and whether they are the sample (no real batch yet)."""
    real = [b / f"{table}.parquet" for b in money_batch_dirs(root) if (b / f"{table}.parquet").is_file()]
    if real:
        return real, False
    sample = sample_file(root, table)
    return ([sample], True) if sample.is_file() else ([], False)


def money_files(root: Path) -> list[Path]:
    """Every money file whose change must change the data version."""
    files = [sample_file(root, t) for t in TABLES] + [rates_file(root)]
    for batch in money_batch_dirs(root):
        files += sorted(p for p in batch.iterdir() if p.is_file())
    return [f for f in files if f.is_file()]


def _empty(con: duckdb.DuckDBPyConnection, name: str, table: str) -> None:
    cols = ", ".join(f"{c.name} {c.dtype}" for c in TABLES[table])
    con.execute(f"CREATE TABLE {name} ({cols})")


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop `name` whatever it is now: DuckDB refuses `DROP VIEW` of a table (and the reverse)."""
    kinds = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE NOT internal AND view_name = ? "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ?", [name, name]).fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {kind} {name}")


def register_money_views(con: duckdb.DuckDBPyConnection, root: Path) -> list[tuple[str, str]]:
    """(Re)create the views money_budgets, money_transactions and money_budgets_current.

    Works whatever money files the data directory holds now (none, the sample only, batches),
    and whatever it held before. A file that cannot be read is left out; the return value names
    each one: (batch id or "money sample", why).
    """
    damaged: list[tuple[str, str]] = []
    con.execute("DROP VIEW IF EXISTS money_budgets_current")
    for table, view in SQL_VIEWS.items():
        files, _ = table_files(root, table)
        readable = []
        for f in files:
            problem = file_problem(f)
            if problem is None:
                readable.append(f)
            elif f.parent.is_dir():
                damaged.append((f.parent.name if f.parent != money_dir(root) else "money sample", problem))
        files = readable
        _drop(con, view)
        if files:
            listing = ", ".join(path_literal(f) for f in files)
            cols = ", ".join(f"CAST({c.name} AS {c.dtype}) AS {c.name}" for c in TABLES[table])
            con.execute(f"CREATE VIEW {view} AS SELECT {cols} FROM read_parquet([{listing}], union_by_name = true)")
        else:
            _empty(con, view, table)
    # IATI: a revised budget replaces the original for the same period; a current line is a
    # revised line, or an original line that no revised line of the same donor and output overlaps.
    con.execute(
        "CREATE OR REPLACE VIEW money_budgets_current AS SELECT b.* FROM money_budgets b "
        "WHERE b.budget_type = 'revised' OR NOT EXISTS (SELECT 1 FROM money_budgets r "
        "WHERE r.budget_type = 'revised' AND r.project_id = b.project_id AND r.donor_id = b.donor_id "
        "AND r.output = b.output AND r.period_start <= b.period_end AND r.period_end >= b.period_start)"
    )
    return damaged

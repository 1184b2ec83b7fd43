"""One DuckDB root connection per process and data directory; one cursor per query.

DuckDB 2.0 raises "connection is busy" when two Streamlit sessions share a connection
object, so every query runs on its own `cursor()` of the root. The views over the parquet
files (tables in memory when the files are small) are rebuilt when the data version changes
(a batch added or removed, reference rebuilt), which is also the key every cache uses, so new
data shows without a restart.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from kafo_data.config import batches_dir, built_dir
from kafo_data.contract import seizures as contract
from kafo_data.errors import DataMissingError
from kafo_data.store import rollup
from kafo_data.store.money import money_files, register_money_views
from kafo_data.store.reference import REFERENCE_TABLES
from kafo_data.store.sql import path_literal

T = TypeVar("T")

MEMORY_LIMIT = os.environ.get("KAFO_DUCKDB_MEMORY", "2GB")
THREADS = int(os.environ.get("KAFO_DUCKDB_THREADS", "2"))
# Sums and counts come from small rollup tables (kafo_data.store.rollup); KAFO_ROLLUPS=0 turns them off.
OR_FILTER_KEYS = 2048
ROLLUPS = os.environ.get("KAFO_ROLLUPS", "1").strip().lower() not in {"0", "false", "no", "off"}
RECORD_FILES = {"seizures": "seizures.parquet", "seized_items": "seized_items.parquet"}
# Record files this small (all batches together, about 75,000 item lines) are copied into memory when
# the data changes: a query then skips opening and decoding parquet files, most of its time on small
# data. Larger data stays in its files, sorted so that filters skip most of them (1 M lines held in
# memory measured slower and twice the memory).
IN_MEMORY_BYTES = int(float(os.environ.get("KAFO_IN_MEMORY_MB", "1")) * 2**20)


def batch_dirs(root: Path) -> list[Path]:
    """Complete batch directories, sorted; a batch is complete once its directory is renamed in."""
    base = batches_dir(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / "batch.json").is_file())


def data_version(root: Path) -> str:
    """A short hash of every data file's name, size and mtime: changes whenever data changes."""
    parts = []
    for folder in [built_dir(root), *batch_dirs(root)]:
        if folder.is_dir():
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                st = entry.stat()
                parts.append(f"{folder.name}/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    for path in money_files(root):  # budget and transaction files (kafo_data.store.money)
        st = path.stat()
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def _empty_table_sql(name: str) -> str:
    cols = ", ".join(f"{c.name} {c.dtype}" for c in contract.TABLES[name])
    return f"CREATE OR REPLACE TABLE {name} ({cols})"


class Database:
    """The process's root connection to one data directory."""

    def __init__(self, root: Path, rollups: bool | None = None, in_memory_bytes: int | None = None) -> None:
        self.root = root
        self.rollups = ROLLUPS if rollups is None else rollups
        self.in_memory_bytes = IN_MEMORY_BYTES if in_memory_bytes is None else in_memory_bytes
        self.records_in_memory = False
        # A join with up to OR_FILTER_KEYS distinct keys on one side is pushed into the other side's scan
        # as an IN filter, so a page of records reads the item lines of its events only (default: 50).
        self._con = duckdb.connect(
            ":memory:", config={"memory_limit": MEMORY_LIMIT, "threads": THREADS,
                                "dynamic_or_filter_threshold": OR_FILTER_KEYS}
        )
        self._lock = threading.Lock()
        self._version: str | None = None
        self._memo: dict[str, tuple[str, Any]] = {}
        self.batches: list[Path] = []  # the batch directories the views read (rollup parts follow them)

    def version(self) -> str:
        """The current data version; rebuilds the tables and views when it changed."""
        version = data_version(self.root)
        if version != self._version:
            with self._lock:
                if version != self._version:
                    self._create_views()
                    if self.rollups and rollup.ensure(self._con, self.root, version, self.batches) == "built" \
                            and data_version(self.root) == version:  # not changed while building
                        rollup.store(self._con, self.root, version)
                    self._version = version
        return version

    def _create_views(self) -> None:
        built = built_dir(self.root)
        missing = [t for t in REFERENCE_TABLES if not (built / f"{t}.parquet").is_file()]
        if missing:
            raise DataMissingError(
                f"missing {built / (missing[0] + '.parquet')}: run `python -m kafo_data build`"
            )
        con = self._con
        batches = batch_dirs(self.root)
        record_files = {t: [b / name for b in batches if (b / name).is_file()] for t, name in RECORD_FILES.items()}
        in_memory = sum(f.stat().st_size for fs in record_files.values() for f in fs) <= self.in_memory_bytes
        # One transaction: a query of another session meanwhile sees the old tables, never a missing one.
        con.execute("BEGIN TRANSACTION")
        try:
            for table in REFERENCE_TABLES:  # a few KB each: held in memory, so small queries skip file reads
                path = path_literal(built / f"{table}.parquet")
                con.execute(
                    f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet({path}, file_row_number = true)"
                )
            existing = dict(con.execute(
                "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal "
                "UNION ALL SELECT table_name, 'TABLE' FROM duckdb_tables()").fetchall())
            for table, files in record_files.items():
                if table in existing:  # DuckDB will not drop a table as a view, nor the reverse
                    con.execute(f"DROP {existing[table]} {table}")
                if files:
                    listing = ", ".join(path_literal(f) for f in files)
                    con.execute(f"CREATE {'TABLE' if in_memory else 'VIEW'} {table} AS "
                                f"SELECT * FROM read_parquet([{listing}], union_by_name = true)")
                else:
                    con.execute(_empty_table_sql(table))
            con.execute(
                "CREATE OR REPLACE VIEW records AS SELECT i.*, s.* EXCLUDE (seizure_id) "
                "FROM seized_items i JOIN seizures s USING (seizure_id)"
            )
            register_money_views(con, self.root)  # budgets and transactions (kafo_data.store.money)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.records_in_memory = in_memory
        self.batches = batches

    def rebuild_rollups(self) -> None:
        """Build the rollup tables again from the views (what the first request after a data change pays)."""
        self.version()
        rollup.build(self._con)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A result that changes only with the data (the reference lookups every page makes), kept per version.

        Callers share the value: return a copy of anything mutable.
        """
        version = self.version()
        hit = self._memo.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = compute()
        self._memo[key] = (version, value)
        return value

    def close(self) -> None:
        """Close the root connection (benchmarks and tests that open many)."""
        self._con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for one query, after making sure the views are current."""
        self.version()
        return self._con.cursor()

    def frame(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        """Run one parameterised query and return its (small) result."""
        cur = self.cursor()
        try:
            return cur.execute(sql, list(params)).df()
        finally:
            cur.close()

    def rows(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        cur = self.cursor()
        try:
            return cur.execute(sql, list(params)).fetchall()
        finally:
            cur.close()


@functools.lru_cache(maxsize=8)
def _database(root: Path) -> Database:
    return Database(root)


def get_database(root: Path) -> Database:
    """The shared Database for a data directory (one root connection per process)."""
    return _database(Path(root).resolve())

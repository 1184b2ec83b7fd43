"""One DuckDB root connection per process and data directory; one cursor per query.

DuckDB 2.0 raises "connection is busy" when two Streamlit sessions share a connection
object, so every query runs on its own `cursor()` of the root. The views over the parquet
files (tables in memory when the files are small) are rebuilt when the data version changes
(a batch added or removed, reference rebuilt), which is also the key every cache uses, so new
data shows without a restart.

What a writer does meanwhile never breaks a reader: a batch whose files cannot be read (a
truncated copy, a disk error) is left out of every view and named (`Database.damaged`); a
batch removed between listing and reading (a file gone under a query) makes the views be
built again from what is there now, and the query runs once more.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from kafo_data.config import built_dir, spill_dir
from kafo_data.contract import seizures as contract
from kafo_data.errors import DataMissingError
from kafo_data.store import rollup
from kafo_data.store.health import RECORD_FILES, batch_dirs, batch_problem
from kafo_data.store.money import money_files, register_money_views
from kafo_data.store.reference import REFERENCE_TABLES
from kafo_data.store.sql import path_literal

T = TypeVar("T")

MEMORY_LIMIT = os.environ.get("KAFO_DUCKDB_MEMORY", "2GB")
THREADS = int(os.environ.get("KAFO_DUCKDB_THREADS", "2"))
# Sums and counts come from small rollup tables (kafo_data.store.rollup); KAFO_ROLLUPS=0 turns them off.
OR_FILTER_KEYS = 2048
ROLLUPS = os.environ.get("KAFO_ROLLUPS", "1").strip().lower() not in {"0", "false", "no", "off"}
# Record files this small (all batches together, about 75,000 item lines) are copied into memory when
# the data changes: a query then skips opening and decoding parquet files, most of its time on small
# data. Larger data stays in its files, sorted so that filters skip most of them (1 M lines held in
# memory measured slower and twice the memory).
IN_MEMORY_BYTES = int(float(os.environ.get("KAFO_IN_MEMORY_MB", "1")) * 2**20)


def data_version(root: Path) -> str:
    """A short hash of every data file's name, size and mtime: changes whenever data changes.

    A file or batch that vanishes while it is listed (a batch being removed) is simply not part
    of the version: the next call sees the directory as it is then.
    """
    parts = []
    for folder in [built_dir(root), *batch_dirs(root)]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            parts.append(f"{folder.name}/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    for path in money_files(root):  # budget and transaction files (kafo_data.store.money)
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


# A query that opens a file removed meanwhile: the views are built again and the query runs once more.
_VANISHED = (duckdb.IOException, duckdb.InvalidInputException, FileNotFoundError)


def _empty_table_sql(name: str) -> str:
    cols = ", ".join(f"{c.name} {c.dtype}" for c in contract.TABLES[name])
    return f"CREATE OR REPLACE TABLE {name} ({cols})"


def _contract_columns(con: duckdb.DuckDBPyConnection, source: str, table: str) -> str:
    """The contract's columns of a record table; NULL for an optional one its files predate (tracing)."""
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    return ", ".join(c.name if c.name in present else f"NULL::{c.dtype} AS {c.name}" for c in contract.TABLES[table])


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
                                "dynamic_or_filter_threshold": OR_FILTER_KEYS, "temp_directory": str(spill_dir())}
        )
        self._lock = threading.Lock()
        self._version: str | None = None
        self._memo: dict[str, tuple[str, Any]] = {}
        self.batches: list[Path] = []  # the batch directories the views read (rollup parts follow them)
        self.damaged: list[tuple[str, str]] = []  # (batch id, why) of the batches left out

    def version(self) -> str:
        """The current data version; rebuilds the tables and views when it changed.

        A batch removed while the views are built (its files gone between listing and reading)
        makes it start again from what is there now, a few times at most.
        """
        for attempt in range(4):
            version = data_version(self.root)
            if version == self._version:
                return version
            with self._lock:
                if version == self._version:
                    return version
                try:
                    self._create_views()
                    if self.rollups and rollup.ensure(self._con, self.root, version, self.batches) == "built" \
                            and data_version(self.root) == version:  # not changed while building
                        rollup.store(self._con, self.root, version)
                except _VANISHED:
                    if attempt == 3 or data_version(self.root) == version:
                        raise
                    continue
                self._version = version
                return version
        raise AssertionError("unreachable")

    def refresh(self) -> None:
        """Forget the data version, so the next query builds the views from what is on disk now."""
        with self._lock:
            self._version = None

    def _create_views(self) -> None:
        built = built_dir(self.root)
        missing = [t for t in REFERENCE_TABLES if not (built / f"{t}.parquet").is_file()]
        if missing:
            raise DataMissingError(
                f"missing built/{missing[0]}.parquet in the data directory: run `python -m kafo_data build`"
            )
        con = self._con
        batches, damaged = [], []
        for batch in batch_dirs(self.root):
            problem = batch_problem(batch)
            if problem is None:
                batches.append(batch)
            elif batch.is_dir():  # a batch removed meanwhile is not damaged, only gone
                damaged.append((batch.name, problem))
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
                    source = f"read_parquet([{listing}], union_by_name = true)"
                    con.execute(f"CREATE {'TABLE' if in_memory else 'VIEW'} {table} AS "
                                f"SELECT {_contract_columns(con, source, table)} FROM {source}")
                else:
                    con.execute(_empty_table_sql(table))
            con.execute(
                "CREATE OR REPLACE VIEW records AS SELECT i.*, s.* EXCLUDE (seizure_id) "
                "FROM seized_items i JOIN seizures s USING (seizure_id)"
            )
            damaged += register_money_views(con, self.root)  # budgets and transactions (kafo_data.store.money)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.records_in_memory = in_memory
        self.batches = batches
        self.damaged = damaged

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
        """Close the root connection and let go of it (benchmarks and tests that open many; `close_all`)."""
        rollup.wait_for_flat_records()
        con, self._con = self._con, None
        if con is not None:
            con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for one query, after making sure the views are current."""
        self.version()
        return self._con.cursor()

    def _run(self, sql: str, params: list | tuple, fetch: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        for attempt in (0, 1):
            cur = self.cursor()
            try:
                return fetch(cur.execute(sql, list(params)))
            except _VANISHED:
                # A batch removed since the views were built: build them again, run once more.
                if attempt or self._version == data_version(self.root):
                    raise
                self.refresh()
            finally:
                cur.close()
        raise AssertionError("unreachable")

    def frame(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        """Run one parameterised query and return its (small) result."""
        return self._run(sql, params, lambda cur: cur.df())

    def rows(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self._run(sql, params, lambda cur: cur.fetchall())

    def damaged_batches(self) -> list[tuple[str, str]]:
        """(batch id, why) of each batch left out because its files cannot be read."""
        self.version()
        return list(self.damaged)


_OPENED: list[Database] = []  # every shared Database made in this process, for `close_all`


@functools.lru_cache(maxsize=8)
def _database(root: Path) -> Database:
    made = Database(root)
    _OPENED.append(made)
    return made


def get_database(root: Path) -> Database:
    """The shared Database for a data directory (one root connection per process)."""
    return _database(Path(root).resolve())


@atexit.register
def close_all() -> None:
    """Close every shared root connection before the interpreter tears its modules down.

    Tidiness (a background build of flat records ends first); the "nanobind: leaked …" lines at exit
    came from `gc.freeze` instead (kafo_data.ui.page.freeze_startup_objects, issue 28).
    """
    _database.cache_clear()
    while _OPENED:
        with contextlib.suppress(duckdb.Error):
            _OPENED.pop().close()

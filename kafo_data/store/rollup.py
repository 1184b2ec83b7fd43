"""Two small aggregate tables that answer the pages' sums and counts at any data size.

Why: at 10 million item lines every sum over the `records` view (a join of item lines with their
events) takes a second or more, and a page asks a dozen of them. The sums the pages show only need
a few columns, so they are read from tables a thousand times smaller, built once per data version:

- `rollup_lines`: one row per operation x country x category x item type x unit x day x is_sample,
  with the sum of quantity and the number of item lines. Day, not month: the From/To filters are
  days, and a month rollup would count a whole month for a date inside it.
- `rollup_events`: one row per operation x country x admin1 x locality x day x is_sample x source x
  category mask, with events, arrests, item lines, events that have item lines, and for the map the
  events that have coordinates, their arrests and the sums of their coordinates. Bit k of the
  category mask is set when the event has an item line of `contract.CATEGORIES[k]`, so a category
  filter keeps the events whose mask meets the filter's mask: exactly the events that
  `filters.event_where` keeps with its EXISTS, and arrests are still counted once per event.

Every column a filter restricts is in both tables under its own name, so `filters.record_where`
works on them unchanged. tests/store/test_rollup.py checks every query against the plain SQL over the
record views for many filters. A built rollup is also written to `tmp/rollup/<data version>/`,
so a restarted server or a second process loads it in milliseconds instead of rebuilding it; where
the data directory cannot be written it stays in memory only.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import duckdb

from kafo_data.config import cache_dir
from kafo_data.contract import seizures as contract
from kafo_data.store.sql import path_literal

TABLES: tuple[str, ...] = ("rollup_lines", "rollup_events")
# Bump when the tables' columns or meaning change, so stored rollups of an older layout are rebuilt.
LAYOUT = "1"

LINES_SQL = """
CREATE OR REPLACE TABLE rollup_lines AS
SELECT operation_id, country_iso3, category, item_type, unit, seizure_date, is_sample,
       sum(quantity) AS quantity, count(*) AS lines
FROM records
GROUP BY ALL
ORDER BY operation_id, seizure_date, country_iso3, category, item_type, unit
"""

EVENTS_SQL = """
CREATE OR REPLACE TABLE rollup_events AS
WITH per_event AS (
    SELECT i.seizure_id, bit_or(b.bit) AS catmask, count(*) AS lines
    FROM seized_items i LEFT JOIN rollup_category_bits b USING (category)
    GROUP BY i.seizure_id
)
SELECT s.operation_id, s.country_iso3, s.admin1, s.locality, s.seizure_date, s.is_sample, s.source,
       coalesce(e.catmask, 0::UBIGINT) AS catmask,
       count(*) AS events,
       sum(s.arrests) AS arrests,
       coalesce(sum(e.lines), 0) AS lines,
       count(e.lines) AS events_with_lines,
       count(*) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_events,
       sum(s.arrests) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_arrests,
       sum(s.latitude) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_latitude,
       sum(s.longitude) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_longitude
FROM seizures s LEFT JOIN per_event e USING (seizure_id)
GROUP BY ALL
ORDER BY operation_id, seizure_date, country_iso3
"""

_build_lock = threading.Lock()


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Build both tables from the `records`, `seized_items` and `seizures` views of this connection."""
    cur = con.cursor()
    try:
        cur.execute("CREATE OR REPLACE TABLE rollup_category_bits (category VARCHAR, bit UBIGINT)")
        cur.executemany("INSERT INTO rollup_category_bits VALUES (?, ?)",
                        [(name, 1 << k) for k, name in enumerate(contract.CATEGORIES)])
        cur.execute(LINES_SQL)
        cur.execute(EVENTS_SQL)
        cur.execute("DROP TABLE rollup_category_bits")
    finally:
        cur.close()


def stored_dir(root: Path, version: str) -> Path:
    """Where the rollup of one data version is kept (next to the batches, outside what the version hashes)."""
    return cache_dir(root) / f"{version}-v{LAYOUT}"


def _load(con: duckdb.DuckDBPyConnection, folder: Path) -> bool:
    files = [folder / f"{table}.parquet" for table in TABLES]
    if not all(f.is_file() for f in files):
        return False
    cur = con.cursor()
    try:
        for table, path in zip(TABLES, files, strict=True):
            cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet({path_literal(path)})")
        return True
    except duckdb.Error:
        return False
    finally:
        cur.close()


def store(con: duckdb.DuckDBPyConnection, root: Path, version: str) -> None:
    """Write the built tables for later processes: into a new folder, renamed into place when complete."""
    final = stored_dir(root, version)
    work = final.parent / f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    try:
        work.mkdir(parents=True)
        cur = con.cursor()
        try:
            for table in TABLES:
                cur.execute(f"COPY {table} TO {path_literal(work / (table + '.parquet'))} (FORMAT parquet)")
        finally:
            cur.close()
        try:
            work.rename(final)
        except OSError:  # another process stored the same version first: theirs is as good
            shutil.rmtree(work, ignore_errors=True)
        for old in final.parent.iterdir():  # other versions; half-written folders of crashed processes after an hour
            stale = not old.name.startswith(".") or old.stat().st_mtime < time.time() - 3600
            if old.is_dir() and old.name != final.name and stale:
                shutil.rmtree(old, ignore_errors=True)
    except (OSError, duckdb.Error):
        shutil.rmtree(work, ignore_errors=True)


def ensure(con: duckdb.DuckDBPyConnection, root: Path, version: str) -> str:
    """Make the rollup tables current for `version`: load the stored ones, or build (and store) them.

    Returns "loaded" or "built". Called by `Database` right after it (re)creates its views; a built
    rollup is then `store`d for later processes, unless the data changed while it was being built.
    """
    with _build_lock:
        if _load(con, stored_dir(root, version)):
            return "loaded"
        build(con)
    return "built"

"""Small aggregate tables that answer the pages' sums and counts at any data size.

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
  `filters.seizure_where` keeps with its EXISTS, and arrests are still counted once per event.

Three more carry what the public pages need (`rollup_cells`: the cell-key cells; `rollup_firearms`: the
firearm breakdowns; `rollup_itemsets`: the events behind each published figure); what each table holds, and
the staged build that makes all five in seconds at 10 M lines, are in `kafo_data.store.rollup_sql`.

Every column a filter restricts is in both tables under its own name, so `filters.record_where`
works on them unchanged. tests/store/test_rollup.py checks every query against the plain SQL over the
record views for many filters.

**Grown by batch.** A batch directory never changes once renamed in (it is removed by renaming it
out), and an event and its item lines are always in one batch (ingest prefixes every seizure id with
its batch id). So each batch gets its own *part* of both tables, built from its two files alone and
kept under `cache_dir(root)/batches/<batch id>-<hash of its files' sizes and times>/`, and the
rollup of a data version is the parts merged: the same GROUP BY over the parts' rows, summing the
sums and counts. An event sits in one part only, so its category mask is whole and its arrests are
counted once; the merge is exact for counts and equal to the last bit for the float sums
(tests/store/test_rollup_incremental.py checks it against `build`). Adding a batch builds one part
(time proportional to the batch) and merges parts (proportional to the rollup, thousands of rows);
removing one only merges. The merged tables are also written to `cache_dir(root)/versions/<data
version>/`, so a restarted server or another process loads them in milliseconds. Where the cache
folder cannot be written, parts and rollup stay in memory only (KAFO_CACHE_DIR moves it off a
read-only data volume).

**Records, flat.** For the records table sorted by any column at any page
(`seizures.queries.records_page`), each batch also gets, on first use, one file of its records
(item lines with their event's fields, sorted by seizure id and line: the records' tie-break order), built the same
way and kept next to its part: a page then reads one file set with no join (`flat_files`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from kafo_data import cellkey
from kafo_data.config import cache_dir
from kafo_data.contract import seizures as contract
from kafo_data.store import rollup_sql
from kafo_data.store.rollup_sql import (
    CELL_KEYS,
    CELLS_ORDER,
    EVENT_KEYS,
    EVENTS_ORDER,
    FIREARM_KEYS,
    FIREARMS_ORDER,
    ITEMSET_KEYS,
    ITEMSETS_ORDER,
    LINE_KEYS,
    LINES_ORDER,
    TABLES,
)
from kafo_data.store.sql import path_literal

# Bump when the tables' columns or meaning change, so stored rollups of an older layout are rebuilt.
LAYOUT = "8"
KEEP_SECONDS = 3600  # parts of batches no longer present, and half-written folders, are removed after this

_build_lock = threading.Lock()
_flat_lock = threading.Lock()
# What the last `ensure` did, for the benchmark: {"how", "parts_built", "parts_reused", "seconds"}.
last_report: dict = {}


# Each table's group keys and order (the merge sums everything else).
KEYED: dict[str, tuple[tuple[str, ...], str]] = {
    "rollup_lines": (LINE_KEYS, LINES_ORDER), "rollup_events": (EVENT_KEYS, EVENTS_ORDER),
    "rollup_firearms": (FIREARM_KEYS, FIREARMS_ORDER), "rollup_cells": (CELL_KEYS, CELLS_ORDER),
    "rollup_itemsets": (ITEMSET_KEYS, ITEMSETS_ORDER),
}


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Build every table whole from the `seized_items` and `seizures` views of this connection.

    The reference the parts are tested against, and what `Database.rebuild_rollups` measures.
    """
    cur = con.cursor()
    try:
        made = rollup_sql.create(cur, "seized_items", "seizures")
        for table, staged in made.items():
            cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {staged} ORDER BY {KEYED[table][1]}")
    finally:
        rollup_sql.drop(cur)
        cur.close()


# ---------------------------------------------------------------------------------------------
# Where things are kept


def stored_dir(root: Path, version: str) -> Path:
    """Where the merged rollup of one data version is kept (outside what the version hashes)."""
    return cache_dir(root) / "versions" / f"{version}-v{LAYOUT}-{cellkey.tag()}"


def batch_key(batch: Path) -> str:
    """The batch's id and a hash of its files' names, sizes and times: a part is reused only for the same files."""
    parts = []
    for entry in sorted(os.scandir(batch), key=lambda e: e.name):
        st = entry.stat()
        parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
    return f"{batch.name}-{hashlib.sha1('|'.join(parts).encode()).hexdigest()[:12]}-v{LAYOUT}-{cellkey.tag()}"


def part_dir(root: Path, batch: Path, key: str | None = None) -> Path:
    """Where one batch's part (and its flat records file) is kept."""
    return cache_dir(root) / "batches" / (key or batch_key(batch))


def _write_whole(final: Path, write: Callable[[Path], None]) -> bool:
    """Write a folder or file under a temporary name and rename it into place; False when it could not be."""
    work = final.parent / f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        write(work)
        try:
            work.rename(final)
        except OSError:  # another process wrote the same thing first: theirs is as good
            _remove(work)
        return True
    except (OSError, duckdb.Error):
        _remove(work)
        return False


def _remove(path: Path) -> None:
    try:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove what is not in `keep` and older than KEEP_SECONDS (another process may still be reading it)."""
    if not folder.is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        try:
            if old.name not in keep and old.stat().st_mtime < limit:
                _remove(old)
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# One batch's part


def _relation(cur: duckdb.DuckDBPyConnection, path: Path, table: str) -> str:
    """A batch file as a relation with every contract column (NULL where an older file lacks one)."""
    present = {r[0] for r in cur.execute(f"DESCRIBE SELECT * FROM read_parquet({path_literal(path)})").fetchall()}
    cols = ", ".join(c.name if c.name in present else f"NULL::{c.dtype} AS {c.name}" for c in contract.TABLES[table])
    return f"(SELECT {cols} FROM read_parquet({path_literal(path)}))"


def _batch_relations(cur: duckdb.DuckDBPyConnection, batch: Path) -> tuple[str, str]:
    """(items, seizures) of one batch; a missing file is an empty relation."""
    out = []
    for table, name in (("seized_items", "seized_items.parquet"), ("seizures", "seizures.parquet")):
        path = batch / name
        out.append(_relation(cur, path, table) if path.is_file() else _empty_relation(table))
    return out[0], out[1]


def _empty_relation(table: str) -> str:
    cols = ", ".join(f"NULL::{c.dtype} AS {c.name}" for c in contract.TABLES[table])
    return f"(SELECT {cols} WHERE FALSE)"


def _build_part(cur: duckdb.DuckDBPyConnection, batch: Path, out: Path) -> None:
    """Write one batch's part of every table into the folder `out`."""
    out.mkdir(parents=True)
    items, seizures = _batch_relations(cur, batch)
    try:
        for table, staged in rollup_sql.create(cur, items, seizures).items():
            cur.execute(f"COPY {staged} TO {path_literal(out / (table + '.parquet'))} (FORMAT parquet)")
    finally:
        rollup_sql.drop(cur)


def _parts(cur: duckdb.DuckDBPyConnection, root: Path, batches: Sequence[Path],
           memory: dict[str, Path]) -> tuple[list[Path], int]:
    """Each batch's part folder, built where missing; returns (folders, how many were built)."""
    folders, built = [], 0
    for batch in batches:
        key = batch_key(batch)
        folder = part_dir(root, batch, key)
        if not all((folder / f"{t}.parquet").is_file() for t in TABLES):
            if not _write_whole(folder, lambda work, b=batch: _build_part(cur, b, work)):
                # The cache folder cannot be written: keep the part in a temporary folder of this process.
                folder = memory.get(key) or Path(_scratch()) / key
                if not folder.is_dir():
                    _build_part(cur, batch, folder)
                memory[key] = folder
            built += 1
        folders.append(folder)
    return folders, built


_scratch_dir: str | None = None


def _scratch() -> str:
    global _scratch_dir
    if _scratch_dir is None:
        import tempfile

        _scratch_dir = tempfile.mkdtemp(prefix="kafo-rollup-")
    return _scratch_dir


_memory_parts: dict[str, Path] = {}


def merge(con: duckdb.DuckDBPyConnection, folders: Sequence[Path]) -> None:
    """Make both tables the merge of the given parts: the same groups, the sums and counts summed."""
    cur = con.cursor()
    try:
        for table, (keys, order) in KEYED.items():
            if not folders:
                _empty_tables(cur)
                break
            listing = "[" + ", ".join(path_literal(f / f"{table}.parquet") for f in folders) + "]"
            source = f"read_parquet({listing})"
            columns = cur.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            measures = ", ".join(f"sum({name})::{dtype} AS {name}" for name, dtype, *_ in columns if name not in keys)
            cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(keys)}, {measures} "
                        f"FROM {source} GROUP BY ALL ORDER BY {order}")
    finally:
        cur.close()


# ---------------------------------------------------------------------------------------------
# The rollup of a data version


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
    """Write the merged tables for later processes: into a new folder, renamed into place when complete."""
    final = stored_dir(root, version)

    def write(work: Path) -> None:
        work.mkdir(parents=True)
        cur = con.cursor()
        try:
            for table in TABLES:
                cur.execute(f"COPY {table} TO {path_literal(work / (table + '.parquet'))} (FORMAT parquet)")
        finally:
            cur.close()

    if _write_whole(final, write):  # other versions go at once (a process that still wants one merges parts)
        for old in final.parent.iterdir():
            if old.name != final.name and not old.name.startswith("."):
                _remove(old)
        _prune(final.parent, {final.name})


def ensure(con: duckdb.DuckDBPyConnection, root: Path, version: str, batches: Sequence[Path]) -> str:
    """Make the rollup tables current for `version`: load the stored ones, or merge the batches' parts.

    Returns "loaded" or "built". Called by `Database` right after it (re)creates its views, with the
    batches the views read; a built rollup is then `store`d for later processes, unless the data changed
    while it was being built. Parts missing for a batch are built here (only that batch is read).
    """
    start = time.perf_counter()
    with _build_lock:
        if _load(con, stored_dir(root, version)):
            last_report.clear()
            last_report.update(how="loaded", parts_built=0, parts_reused=0, seconds=time.perf_counter() - start)
            return "loaded"
        cur = con.cursor()
        try:
            folders, built = _parts(cur, root, batches, _memory_parts)
        finally:
            cur.close()
        merge(con, folders)
        _prune(cache_dir(root) / "batches", {f.name for f in folders})
    last_report.clear()
    last_report.update(how="built", parts_built=built, parts_reused=len(folders) - built,
                       seconds=time.perf_counter() - start)
    return "built"


# ---------------------------------------------------------------------------------------------
# The records of each batch, flat and sorted, for the records table


FLAT_FILE = "records.parquet"
# In the records' own tie-break order: the lines of one value of any column are then in page order in the file.
FLAT_ORDER = "seizure_id, line_no"
FLAT_ROW_GROUP = 122_880


def _empty_tables(cur: duckdb.DuckDBPyConnection) -> None:
    """Every table with its columns and no row (a data directory without batches)."""
    try:
        made = rollup_sql.create(cur, _empty_relation("seized_items"), _empty_relation("seizures"))
        for table, staged in made.items():
            cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {staged} WHERE FALSE")
    finally:
        rollup_sql.drop(cur)


def _build_flat(cur: duckdb.DuckDBPyConnection, batch: Path, out: Path) -> None:
    cols = ", ".join(contract.RECORD_COLUMNS)
    sql = f"SELECT {cols} FROM {rollup_sql.records_sql(*_batch_relations(cur, batch))} ORDER BY {FLAT_ORDER}"
    cur.execute(f"COPY ({sql}) TO {path_literal(out)} (FORMAT parquet, ROW_GROUP_SIZE {FLAT_ROW_GROUP})")


def flat_files(cursor: Callable[[], duckdb.DuckDBPyConnection], root: Path, batches: Sequence[Path],
               wait: bool = True) -> list[Path] | None:
    """One flat records file per batch with item lines, kept with its part; None when one is missing.

    Missing files are built: here when `wait`, else by one background thread of this process (the
    records table uses its other paths meanwhile; 10 M lines take tens of seconds). Several processes may
    build the same file at once; each writes its own and renames it in, so a reader sees a whole file.
    """
    wanted = [(b, part_dir(root, b) / FLAT_FILE) for b in batches if (b / "seized_items.parquet").is_file()]
    missing = [(b, p) for b, p in wanted if not p.is_file()]
    if missing and not wait:
        _build_flat_later(cursor, missing)
        return None
    with _flat_lock:
        for batch, path in missing:
            if path.is_file():
                continue
            cur = cursor()
            try:
                if not _write_whole(path, lambda work, b=batch, c=cur: _build_flat(c, b, work)):
                    return None
            finally:
                cur.close()
    return [p for _, p in wanted]


_flat_thread: threading.Thread | None = None


def _build_flat_later(cursor: Callable[[], duckdb.DuckDBPyConnection], missing: list[tuple[Path, Path]]) -> None:
    global _flat_thread
    with _flat_lock:
        if _flat_thread is not None and _flat_thread.is_alive():
            return

        def run() -> None:
            for batch, path in missing:
                if path.is_file():
                    continue
                try:
                    cur = cursor()
                    try:
                        with _flat_lock:
                            _write_whole(path, lambda work, b=batch, c=cur: _build_flat(c, b, work))
                    finally:
                        cur.close()
                except Exception:  # a batch removed meanwhile, a full disk: the pages keep their other paths
                    return

        _flat_thread = threading.Thread(target=run, name="kafo-flat-records", daemon=True)
        _flat_thread.start()


def wait_for_flat_records() -> None:
    """Let the background build end first: DuckDB refuses to close a connection one of whose cursors still runs."""
    thread = _flat_thread
    if thread is not None:
        thread.join()


_ranges: dict[Path, tuple[str, str] | None] = {}


def seizure_id_ranges(cursor: Callable[[], duckdb.DuckDBPyConnection], files: Sequence[Path]) -> list[Path] | None:
    """The flat files in seizure id order, when their id ranges do not overlap (ingest prefixes ids with
    the batch id, so they do not); None when they overlap. Each file's range is read once per process."""
    spans = []
    for path in files:
        if path not in _ranges:
            cur = cursor()
            try:
                lo, hi = cur.execute(f"SELECT min(seizure_id), max(seizure_id) FROM read_parquet({path_literal(path)})"
                                     ).fetchone()
            finally:
                cur.close()
            _ranges[path] = None if lo is None else (lo, hi)
        if _ranges[path] is not None:
            spans.append((*_ranges[path], path))
    spans.sort()
    if any(spans[k][1] >= spans[k + 1][0] for k in range(len(spans) - 1)):
        return None
    return [path for _, _, path in spans]

"""Whether a stored file can be read, checked cheaply: what the readers use to set a damaged batch aside.

A parquet file cut short (the usual damage: a copy stopped half way, a full disk) has no footer,
so reading the footer (a few KB) finds it. The footer also holds the file's schema, so a batch
whose columns do not fit the contract (a required column missing, `arrests` stored as text: a file
written by hand or by another tool) is found the same way and set aside like a damaged one, instead
of failing every page's query (issue 25). The answer is remembered per path, size and time, so
checking every batch at each data change costs next to nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kafo_data.config import batches_dir
from kafo_data.contract import seizures as contract


def batch_dirs(root: Path) -> list[Path]:
    """Complete batch directories, sorted; a batch is complete once its directory is renamed in."""
    base = batches_dir(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / "batch.json").is_file())


RECORD_FILES = {"seizures": "seizures.parquet", "seized_items": "seized_items.parquet"}


# The Arrow types a stored column of each contract type may have (a column all empty is of type null).
_FITS = {
    "VARCHAR": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t),
    "DATE": lambda t: pa.types.is_date(t) or pa.types.is_timestamp(t),
    "DOUBLE": lambda t: pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t),
    "INTEGER": pa.types.is_integer,
    "BOOLEAN": pa.types.is_boolean,
}


def schema_problem(schema: pa.Schema, table: str) -> str | None:
    """Why a record file's columns do not fit the contract's `table`, or None.

    A required column must be there; an optional one may be missing (files older than it); every
    contract column present must have a type its contract type reads (or be all empty).
    """
    for column in contract.TABLES[table]:
        index = schema.get_field_index(column.name)
        if index < 0:
            if column.required:
                return f"column {column.name} missing"
            continue
        kind = schema.field(index).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_null(kind) or _FITS[column.dtype](kind)):
            return f"column {column.name} is {kind}, not {column.dtype.lower()}"
    return None


@functools.lru_cache(maxsize=4096)
def _footer_problem(path: str, size: int, mtime_ns: int, table: str | None) -> str | None:
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema() if table else None
    except (OSError, pa.ArrowException) as exc:
        return f"{Path(path).name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    if meta.num_columns == 0:
        return f"{Path(path).name}: no columns"
    problem = schema_problem(schema, table) if table else None
    return f"{Path(path).name}: {problem}" if problem else None


def file_problem(path: Path, table: str | None = None) -> str | None:
    """Why a parquet file cannot be read (missing, truncated, not parquet, or its columns do not fit the
    contract's `table` when one is given), or None when its footer reads and fits."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return f"{path.name}: missing"
    return _footer_problem(str(path), st.st_size, st.st_mtime_ns, table)


def batch_problem(batch: Path) -> str | None:
    """Why a seizure batch cannot be read or served (its first unreadable or misshapen file), or None."""
    for table, name in RECORD_FILES.items():
        problem = file_problem(batch / name, table)
        if problem:
            return problem
    return None

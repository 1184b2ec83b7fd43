"""Whether a stored file can be read, checked cheaply: what the readers use to set a damaged batch aside.

A parquet file cut short (the usual damage: a copy stopped half way, a full disk) has no footer,
so reading the footer (a few KB) finds it. The answer is remembered per path, size and time, so
checking every batch at each data change costs next to nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kafo_data.config import batches_dir


def batch_dirs(root: Path) -> list[Path]:
    """Complete batch directories, sorted; a batch is complete once its directory is renamed in."""
    base = batches_dir(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / "batch.json").is_file())


RECORD_FILES = {"seizures": "seizures.parquet", "seized_items": "seized_items.parquet"}


@functools.lru_cache(maxsize=4096)
def _footer_problem(path: str, size: int, mtime_ns: int) -> str | None:
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        return f"{Path(path).name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    if meta.num_columns == 0:
        return f"{Path(path).name}: no columns"
    return None


def file_problem(path: Path) -> str | None:
    """Why a parquet file cannot be read (missing, truncated, not parquet), or None when its footer reads."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return f"{path.name}: missing"
    return _footer_problem(str(path), st.st_size, st.st_mtime_ns)


def batch_problem(batch: Path) -> str | None:
    """Why a seizure batch cannot be read (its first unreadable file), or None."""
    for name in RECORD_FILES.values():
        problem = file_problem(batch / name)
        if problem:
            return problem
    return None

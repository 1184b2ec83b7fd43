"""SQL text for what cannot be a bound parameter: the paths of our own files in `read_parquet` and `COPY`."""

from __future__ import annotations

from pathlib import Path


def path_literal(path: Path | str) -> str:
    """One of our own file paths (never a user value) as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"

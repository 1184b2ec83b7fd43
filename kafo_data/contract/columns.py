"""One column of any stored table, seizure records and money alike."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """Its DuckDB type, whether it may be empty, and the vocabulary its values come from."""

    name: str
    dtype: str
    required: bool = True
    vocab: str | None = None

"""The search for rows already stored: what a new report is compared with before it is loaded.

Runs in DuckDB over the report batches' files (sample batches are not compared, damaged ones are
left out): only item lines whose operation, date and country equal one of the given values, and
whose item type and unit equal one of the given values, come back to Python. Memory and time do
not grow with everything stored (a batch of 450,000 lines used to be read whole at every plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kafo_data.config import spill_dir
from kafo_data.store.batches import list_batches
from kafo_data.store.health import RECORD_FILES, batch_problem


@dataclass(frozen=True)
class StoredLine:
    """One stored item line with its seizure's fields, and the batch that holds it."""

    batch_id: str
    operation_id: str
    seizure_date: dt.date
    country_iso3: str
    locality: str | None
    item_type: str
    quantity: float
    unit: str
    seizure_id: str


@dataclass(frozen=True)
class Stored:
    """What is stored: each loaded file's checksum -> (batch id, loaded at), and the matching lines."""

    checksums: dict[str, tuple[str, str | None]]
    lines: list[StoredLine]


def _distinct(values: Sequence[object]) -> list[object]:
    return sorted({v for v in values if v is not None}, key=str)


def check_stored(root: Path, operations: Sequence[object], dates: Sequence[object], countries: Sequence[object],
                 item_types: Sequence[object], units: Sequence[object]) -> Stored:
    """The checksums of every batch, and the stored report lines that match the given values.

    The values go in as bound lists: DuckDB skips the row groups of the sorted seizure files that
    cannot hold them, and reads only the item lines of the matching types before the join.
    Lines come back sorted by batch, so the first batch that holds a line is named.
    """
    checksums: dict[str, tuple[str, str | None]] = {}
    real = []
    for info in list_batches(root):
        if info.sha256:
            checksums[info.sha256] = (info.batch_id, info.loaded_at)
        if not info.is_sample and batch_problem(info.path) is None:
            real.append(info.path)
    if not real or not operations:
        return Stored(checksums, [])
    params = [
        [str(b / RECORD_FILES["seizures"]) for b in real],
        _distinct(operations), _distinct(dates), _distinct(countries),
        [str(b / RECORD_FILES["seized_items"]) for b in real],
        _distinct(item_types), _distinct(units),
    ]
    con = duckdb.connect(config={"threads": 2, "memory_limit": "512MB", "temp_directory": str(spill_dir())})
    try:
        found = con.execute(
            "WITH s AS (SELECT seizure_id, operation_id, seizure_date, country_iso3, locality, filename "
            "      FROM read_parquet(?, filename = true, union_by_name = true) "
            "      WHERE list_contains(?::VARCHAR[], operation_id) AND list_contains(?::DATE[], seizure_date) "
            "        AND list_contains(?::VARCHAR[], country_iso3)), "
            "i AS (SELECT seizure_id, item_type, quantity, unit FROM read_parquet(?, union_by_name = true) "
            "      WHERE list_contains(?::VARCHAR[], item_type) AND list_contains(?::VARCHAR[], unit)) "
            "SELECT s.filename, s.operation_id, s.seizure_date, s.country_iso3, s.locality, "
            "       i.item_type, i.quantity, i.unit, i.seizure_id FROM i JOIN s USING (seizure_id)",
            params,
        ).fetchall()
    finally:
        con.close()
    lines = [StoredLine(Path(filename).parent.name, *rest) for filename, *rest in sorted(found, key=lambda r: r[0])]
    return Stored(checksums, lines)

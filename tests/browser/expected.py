"""What the Seizures page should show for a filter, counted without the app's code.

The independent computation is the one the query-layer tests use: the parquet files read with
pyarrow and pandas (`tests.conftest.read_records`), no DuckDB, no kafo_data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from tests.browser.driver import text
from tests.conftest import read_records


@dataclass(frozen=True)
class Counts:
    events: int
    arrests: int
    lines: int

    def shown(self, lang: str = "en") -> dict[str, str]:
        """The Seizures page's three metrics as a person reads them (label -> value)."""
        values = (self.events, self.arrests, self.lines)
        assert max(values) < 1000, "these tests compare numbers without thousands separators"
        keys = ("seizures.events", "seizures.arrests", "seizures.lines")
        return {text(key, lang): str(value) for key, value in zip(keys, values, strict=True)}


def counts(data_dir: Path, operation: tuple[str, ...] = (), country: tuple[str, ...] = (),
           category: tuple[str, ...] = (), date_from: str | None = None, date_to: str | None = None) -> Counts:
    """Seizure events, arrests (once per event) and item lines of a selection.

    Operation, country and dates restrict events; a category keeps the events with at least one
    item line of it, and only those lines.
    """
    seizures, lines = read_records(data_dir)

    def on_events(frame):
        keep = frame.seizure_id == frame.seizure_id
        if operation:
            keep &= frame.operation_id.isin(operation)
        if country:
            keep &= frame.country_iso3.isin(country)
        if date_from:
            keep &= frame.seizure_date >= dt.date.fromisoformat(date_from)
        if date_to:
            keep &= frame.seizure_date <= dt.date.fromisoformat(date_to)
        return frame[keep]

    events, chosen = on_events(seizures), on_events(lines)
    if category:
        chosen = chosen[chosen.category.isin(category)]
        events = events[events.seizure_id.isin(chosen.seizure_id)]
    return Counts(len(events), int(events.arrests.sum()), len(chosen))


def operation_names(data_dir: Path) -> dict[str, str]:
    """Operation id -> the name the dashboard shows (from the built reference table)."""
    rows = pq.read_table(data_dir / "built" / "operations.parquet", columns=["operation_id", "name"]).to_pylist()
    return {row["operation_id"]: row["name"] for row in rows}

"""The date the data last changed: the newest loaded batch or the newest build of the reference and money files.

A reader quoting a figure needs "data as of", not the version hash the caches use.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kafo_data.config import built_dir
from kafo_data.store.batches import list_batches
from kafo_data.store.money import money_files


def data_as_of(root: Path) -> dt.date:
    """The newest of: every loaded batch's load time, every built reference and money file's time (UTC)."""
    times: list[dt.datetime] = []
    for batch in list_batches(root):
        try:
            times.append(dt.datetime.fromisoformat(batch.loaded_at.replace("Z", "+00:00")))
        except ValueError:
            continue
    for path in [*Path(built_dir(root)).glob("*.parquet"), *money_files(root)]:
        times.append(dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.UTC))
    aware = [t if t.tzinfo else t.replace(tzinfo=dt.UTC) for t in times]
    return max(aware).astimezone(dt.UTC).date() if aware else dt.datetime.now(dt.UTC).date()

"""The firearm cells for the public: aggregates only, every cell under the small-cell rule.

The cells are those of `kafo_data.firearms.queries` (by operation, country of seizure, firearm type,
marking, craft, country of manufacture, tracing status, illicit origin; never a make, a calibre, a
place, a date or a seizure id). Each cell is protected on its own events, as the Seizures page's public
tables are (`kafo_data.seizures.public`: a cell of 1 to k-1 events has no number, and when the hidden
cells of a measure rest on fewer than k events the next smallest is hidden too). SDG 16.4.2's numerator
(`established`) and the firearms whose tracing is recorded (`recorded`) are cells of their own, so the
indicator is never shown from a numerator the rule would hide. The public filters have no dates.
"""

from __future__ import annotations

import pandas as pd

from kafo_data.config import small_cell_events
from kafo_data.firearms import queries
from kafo_data.gate import public_query
from kafo_data.seizures.public import PublicFilters, _protected
from kafo_data.store.db import Database

KEYS: tuple[str, ...] = ("part", *queries.KEY_COLUMNS, "measure")


def cells_sql(db: Database, pf: PublicFilters, k: int | None = None) -> tuple[str, list[object]]:
    """The public cells as SQL: `queries.cells_sql`'s columns, `value` and `events` NULL where hidden, `suppressed`."""
    k = small_cell_events() if k is None else k
    inner, params = queries.cells_sql(db, pf.as_filters())
    sql, more = _protected(f"SELECT * FROM ({inner}) c", ("part", "measure"), KEYS, ("value", "events"), k)
    order = ", ".join(f"{c} NULLS FIRST" for c in queries.KEY_COLUMNS)
    return (f"SELECT * FROM ({sql}) p ORDER BY list_position(?, part), list_position(?, measure), {order}",
            [*params, *more, list(queries.PARTS), list(queries.MEASURES)])


@public_query
def cells(db: Database, pf: PublicFilters) -> pd.DataFrame:
    """Every public cell of the selection's firearm lines; `value` and `events` are None where hidden."""
    sql, params = cells_sql(db, pf)
    frame = db.frame(sql, params)
    frame["value"] = frame["value"].astype("float64")
    frame["events"] = frame["events"].astype("Int64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame

"""Firearm lines of a selection: SDG indicator 16.4.2, marking, craft, origin and tracing, in one statement.

Every number is a count of firearms (the contract counts firearms in pieces only) with the seizure events
behind it, read from `rollup_firearms` (`kafo_data.store.rollup`: one grouping set per breakdown, so each
breakdown's event counts are exact under any filter); `Database(rollups=False)` runs the same grouping over
the records instead, which is what the tests compare.

The answer is one long table, a row per cell: `part` (which breakdown), the columns that breakdown is by
(the others NULL), `measure` (`firearms`; for the indicator's parts also `recorded`, firearms whose tracing
status is recorded, and `established`, firearms whose illicit origin was established) and its `value` and
`events`. The public view (`kafo_data.firearms.public`) protects the same cells one by one, so the
indicator's numerator is a cell of its own.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from kafo_data.gate import query
from kafo_data.seizures.filters import Filters, record_where
from kafo_data.store.db import Database
from kafo_data.store.rollup import firearms_select

# part -> the columns it is by (in the rollup's grouping set `gset`); the indicator's parts read the set "total".
PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all": ("total", ()),
    "operation": ("total", ("operation_id",)),
    "country": ("total", ("country_iso3",)),
    "type": ("type", ("item_type", "marking_status", "craft_made")),
    "made_in": ("made_in", ("country_of_manufacture", "country_iso3")),
    "tracing": ("tracing", ("country_iso3", "tracing_status")),
    "origin": ("origin", ("illicit_origin",)),
}
INDICATOR_PARTS: tuple[str, ...] = ("all", "operation", "country")
MEASURES: tuple[str, ...] = ("firearms", "recorded", "established")
KEY_COLUMNS: tuple[str, ...] = ("operation_id", "country_iso3", "item_type", "marking_status", "craft_made",
                                "country_of_manufacture", "tracing_status", "illicit_origin")
COLUMNS: tuple[str, ...] = ("part", *KEY_COLUMNS, "measure", "value", "events")
_EVENTS = {"firearms": "events", "recorded": "recorded_events", "established": "established_events"}


def firearm_filters(f: Filters) -> Filters | None:
    """The filters of the firearm lines: the category filter has no say (None when it leaves firearms out)."""
    if f.categories and "firearms" not in f.categories:
        return None
    return replace(f, categories=())


def cells_sql(db: Database, f: Filters) -> tuple[str, list[object]]:
    """The long table of cells (see the module's doc) as SQL with bound parameters, in a stable order."""
    g = firearm_filters(f)
    where, params = record_where(g) if g is not None else ("FALSE", [])
    source = "rollup_firearms" if db.rollups else f"({firearms_select('records')})"
    selects = []
    for part, (gset, by) in PARTS.items():
        measures = MEASURES if part in INDICATOR_PARTS else ("firearms",)
        keys = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" if c in by else f"NULL::VARCHAR AS {c}" for c in KEY_COLUMNS)
        for measure in measures:
            group = f"GROUP BY {', '.join(by)}" if by else ""
            selects.append(f"SELECT '{part}' AS part, {keys}, '{measure}' AS measure, "
                           f"coalesce(sum({measure}), 0)::DOUBLE AS value, "
                           f"coalesce(sum({_EVENTS[measure]}), 0)::BIGINT AS events "
                           f"FROM r WHERE gset = '{gset}' {group}")
    order = ", ".join(f"{c} NULLS FIRST" for c in KEY_COLUMNS)
    sql = (f"WITH r AS (SELECT * FROM {source} r WHERE {where}) "
           f"SELECT * FROM ({' UNION ALL '.join(selects)}) c "
           f"ORDER BY list_position(?, part), list_position(?, measure), {order}")
    return sql, [*params, list(PARTS), list(MEASURES)]


@query
def cells(db: Database, f: Filters) -> pd.DataFrame:
    """Every cell of the selection's firearm lines (exact: the managers' view)."""
    sql, params = cells_sql(db, f)
    return _typed(db.frame(sql, params))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["value"] = frame["value"].astype("float64")
    frame["events"] = frame["events"].astype("Int64")
    return frame

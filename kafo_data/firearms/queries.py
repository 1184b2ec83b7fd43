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

from kafo_data.query_gate import query
from kafo_data.seizures.filters import Filters, record_where
from kafo_data.store.db import Database
from kafo_data.store.rollup_sql import firearms_select

# part -> the columns it is by (in the rollup's grouping set `gset`); the indicator's parts read the set "total".
PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all": ("total", ()),
    "operation": ("total", ("operation_id",)),
    "country": ("total", ("country_iso3",)),
    "marking": ("marking", ("item_type", "marking_status")),
    "craft": ("craft", ("item_type", "craft_made")),
    "made_in": ("made_in", ("country_of_manufacture", "country_iso3")),
    "tracing": ("tracing", ("country_iso3", "tracing_status")),
    "origin": ("origin", ("illicit_origin",)),
}
INDICATOR_PARTS: tuple[str, ...] = ("all", "operation", "country")
MEASURES: tuple[str, ...] = ("firearms", "recorded", "established")
KEY_COLUMNS: tuple[str, ...] = ("operation_id", "country_iso3", "item_type", "marking_status", "craft_made",
                                "country_of_manufacture", "tracing_status", "illicit_origin")
COLUMNS: tuple[str, ...] = ("part", *KEY_COLUMNS, "measure", "value", "events")
# measure -> its rollup columns: value, events, and the key sums of those events (kafo_data.cellkey)
_COLUMNS = {m: (m, f"{m}_events", f"{m}_key_a", f"{m}_key_b") for m in ("recorded", "established")}
_COLUMNS["firearms"] = ("firearms", "events", "key_a", "key_b")
OUTPUTS: tuple[str, ...] = ("value", "events", "key_a", "key_b")


def firearm_filters(f: Filters) -> Filters | None:
    """The filters of the firearm lines: the category filter has no say (None when it leaves firearms out)."""
    if f.categories and "firearms" not in f.categories:
        return None
    return replace(f, categories=())


def _mask(by: tuple[str, ...]) -> int:
    """DuckDB's GROUPING(...) of the key columns for a set grouped by `by` (a bit set: the column is not in it)."""
    return sum(1 << (len(KEY_COLUMNS) - 1 - k) for k, c in enumerate(KEY_COLUMNS) if c not in by)


def cells_sql(db: Database, f: Filters, keys: bool = False) -> tuple[str, list[object]]:
    """The long table of cells (see the module's doc) as SQL with bound parameters, in a stable order.

    One scan of the rollup, grouped by every part's columns at once (grouping sets, each with the
    rollup's own set `gset`); the groups of a part come from its own `gset` only. With `keys`, each
    cell also has its events' key sums (`key_a`, `key_b`), for `kafo_data.firearms.public`.
    """
    g = firearm_filters(f)
    where, params = record_where(g) if g is not None else ("FALSE", [])
    source = "rollup_firearms" if db.rollups else f"({firearms_select('records')})"
    sets = ", ".join(f"({', '.join(('gset', *by))})" for _, by in PARTS.values())
    parts = ", ".join(f"('{part}', '{gset}', {_mask(by)}, {int(part in INDICATOR_PARTS)})"
                      for part, (gset, by) in PARTS.items())
    rollup_columns = [c for m in MEASURES for c in _COLUMNS[m]]
    sums = ", ".join(f"sum({c}) AS {c}" for c in rollup_columns)
    key_columns = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in KEY_COLUMNS)
    outputs = OUTPUTS if keys else OUTPUTS[:2]
    picked = ", ".join(
        f"coalesce(CASE measure {' '.join(f'WHEN {chr(39)}{m}{chr(39)} THEN {_COLUMNS[m][k]}' for m in MEASURES)} "
        f"END, 0)::{'DOUBLE' if out == 'value' else 'BIGINT'} AS {out}" for k, out in enumerate(outputs))
    zeros = ", ".join("0" for _ in rollup_columns)
    order = ", ".join(f"{c} NULLS FIRST" for c in KEY_COLUMNS)
    sql = (
        f"WITH g AS (SELECT gset, {key_columns}, GROUPING({', '.join(KEY_COLUMNS)}) AS _mask, {sums} "
        f"FROM {source} r WHERE {where} GROUP BY GROUPING SETS ({sets})), "
        f"p(part, gset, _mask, indicator) AS (VALUES {parts}), "
        f"m(measure) AS (VALUES {', '.join(f'({chr(39)}{m}{chr(39)})' for m in MEASURES)}), "
        "c AS (SELECT p.part, g.* EXCLUDE (gset, _mask), m.measure FROM g JOIN p USING (gset, _mask) "
        "JOIN m ON m.measure = 'firearms' OR p.indicator = 1 "
        f"UNION ALL SELECT 'all', {', '.join('NULL' for _ in KEY_COLUMNS)}, {zeros}, m.measure FROM m "
        f"WHERE NOT EXISTS (SELECT 1 FROM g WHERE gset = 'total' AND _mask = {_mask(())})) "
        f"SELECT part, {', '.join(KEY_COLUMNS)}, measure, {picked} FROM c "
        f"ORDER BY list_position(?, part), list_position(?, measure), {order}"
    )
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

"""The public query API: seizure records only as aggregates, every small cell suppressed.

What the public pages and public downloads may call, and all they may call of the records
(each declared `@public_query`, `kafo_data.gate`; the rest a public session may call are reference
facts, published figures and the budget, declared so where they live). Every function
here returns sums and counts by operation, country, category, item type and month, always by unit
(units are never added together), and never a place, a coordinate, a day, an agency, a criminal
context, free text, a seizure id, a batch or a file name.

Small cells. Every number rests on at least k seizure events (`config.small_cell_events()`,
default 3). A cell of 1 to k-1 events comes back with its numbers set to None and `suppressed`
true, and reads "fewer than k". A cell is a row of a table: one category and unit (totals), one
operation, country, item type or month of a category and unit, one operation's or country's events.
Because each table's cells add up to a total shown beside it, one suppressed cell could be found by
subtraction: when the suppressed cells of a measure together rest on fewer than k events, the
smallest other cell of that measure is suppressed too (complementary suppression). The public
filters (`PublicFilters`) have no dates: a day range could single out one event.

Zero is shown as zero: it describes no event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from kafo_data.config import small_cell_events
from kafo_data.contract import seizures as contract
from kafo_data.gate import public_query
from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters, events_where, record_where
from kafo_data.store.db import Database


@dataclass(frozen=True)
class PublicFilters:
    """What a public visitor may filter by: operations, countries, categories, the sample switch. No dates."""

    operations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    include_sample: bool = True

    @classmethod
    def of(cls, filters: Filters) -> PublicFilters:
        """The public part of the sidebar's filters (the day range is dropped)."""
        return cls(filters.operations, filters.countries, filters.categories, filters.include_sample)

    def as_filters(self) -> Filters:
        return Filters(self.operations, self.countries, self.categories, include_sample=self.include_sample)

    def without(self, key: str) -> PublicFilters:
        return PublicFilters.of(self.as_filters().without(key))


def small(events: int | None, k: int | None = None) -> bool:
    """Whether a count of events is too small to show (1 to k-1)."""
    k = small_cell_events() if k is None else k
    return events is not None and 0 < int(events) < k


# --- tables of item-line sums: what the charts, their tables and the downloads show ------------

# Each table: its keys (always with the unit) and the keys that make one measure (a category and a unit).
TABLES: dict[str, tuple[str, ...]] = {
    "totals": ("category",),
    "operation": ("operation_id", "category"),
    "country": ("country_iso3", "category"),
    "item_type": ("category", "item_type"),
    "month": ("month", "category"),
}
KEY_COLUMNS: tuple[str, ...] = ("operation_id", "country_iso3", "month", "category", "item_type")
VALUE_COLUMNS: tuple[str, ...] = ("quantity", "lines", "events")
_EXPR = {"month": "date_trunc('month', r.seizure_date)::DATE"}


def _protected(inner: str, partition: tuple[str, ...], keys: tuple[str, ...], values: tuple[str, ...],
               k: int, extra: tuple[str, ...] = ()) -> tuple[str, list[object]]:
    """Wrap `inner` (one row per cell: `keys`, an `events` column, `values`) with the suppression rule, in SQL.

    Returns `keys`, `values` (NULL where suppressed), `extra` and `suppressed`. Within each
    `partition` (one measure), when the small cells together rest on fewer than k events, the cell
    with the fewest events among the others (ties: by key) is suppressed too.
    """
    over = f"PARTITION BY {', '.join(partition)}" if partition else ""
    rank_over = f"PARTITION BY {', '.join((*partition, '_small'))}"
    shown = ", ".join(f"CASE WHEN suppressed THEN NULL ELSE {v} END AS {v}" for v in values)
    sql = (
        f"WITH c AS ({inner}), "
        "s AS (SELECT *, (events > 0 AND events < ?) AS _small FROM c), "
        f"w AS (SELECT *, count(*) FILTER (WHERE _small) OVER ({over}) AS _n_small, "
        f"coalesce(sum(events) FILTER (WHERE _small) OVER ({over}), 0) AS _small_events, "
        f"row_number() OVER ({rank_over} ORDER BY events, {', '.join(keys)}) AS _rank FROM s), "
        "p AS (SELECT *, _small OR (_n_small > 0 AND _small_events < ? AND NOT _small AND _rank = 1) AS suppressed "
        "FROM w) "
        f"SELECT {', '.join((*keys, *extra))}, {shown}, suppressed FROM p"
    )
    return sql, [k, k]


def table_sql(table: str, pf: PublicFilters, k: int | None = None) -> tuple[str, list[object]]:
    """The SQL of one public table (cells of item-line sums, suppressed), and its parameters.

    Columns: the table's keys, unit, quantity, lines, events, suppressed, is_sample (whether the
    cell includes generated sample records); rows in the contract's category order, then by key.
    """
    k = small_cell_events() if k is None else k
    keys = (*TABLES[table], "unit")
    where, params = record_where(pf.as_filters())
    select = ", ".join(f"{_EXPR.get(c, 'r.' + c)} AS {c}" for c in keys)
    inner = (f"SELECT {select}, sum(r.quantity) AS quantity, count(*) AS lines, "
             "count(DISTINCT r.seizure_id) AS events, bool_or(r.is_sample) AS is_sample "
             f"FROM records r WHERE {where} GROUP BY ALL")
    protected, more = _protected(inner, ("category", "unit"), keys, VALUE_COLUMNS, k, ("is_sample",))
    order = ", ".join(c for c in keys if c != "category")
    sql = (f"SELECT {', '.join(keys)}, quantity, lines, events, suppressed, is_sample FROM ({protected}) t "
           f"ORDER BY list_position(?, category), {order}")
    return sql, [*params, *more, list(contract.CATEGORIES)]


@public_query
def breakdowns(db: Database, pf: PublicFilters, parts: tuple[str, ...] = tuple(TABLES)) -> dict[str, pd.DataFrame]:
    """The public tables of the selection: for each part, its keys, unit, quantity, lines, events, suppressed.

    Suppressed cells have None for quantity, lines and events. One scan of the records for all the
    parts (grouping sets), the same rule as `table_sql` applied within each part: five queries took
    60 ms of every public click (issue 16's speed); `table_sql` stays the one-table form.
    """
    k = small_cell_events()
    where, params = record_where(pf.as_filters())
    sets = ", ".join(f"({', '.join((*keys, 'unit'))})" for keys in TABLES.values())  # all: one scan either way
    which = " ".join(f"WHEN GROUPING({column}) = 0 THEN '{part}'"
                     for part, column in (("operation", "operation_id"), ("country", "country_iso3"),
                                          ("item_type", "item_type"), ("month", "month")))
    part_expr = f"CASE {which} ELSE 'totals' END"
    rows = (f"SELECT r.operation_id, r.country_iso3, {_EXPR['month']} AS month, r.category, r.item_type, r.unit, "
            f"r.quantity, r.seizure_id, r.is_sample FROM records r WHERE {where}")
    inner = (f"SELECT {part_expr} AS part, {', '.join(KEY_COLUMNS)}, unit, sum(quantity) AS quantity, "
             "count(*) AS lines, count(DISTINCT seizure_id) AS events, bool_or(is_sample) AS is_sample "
             f"FROM ({rows}) GROUP BY GROUPING SETS ({sets})")
    keys = ("part", *KEY_COLUMNS, "unit")
    protected, more = _protected(inner, ("part", "category", "unit"), keys, VALUE_COLUMNS, k)
    # Within a part the keys of the other parts are NULL: one order serves every part.
    everything = db.frame(f"SELECT * FROM ({protected}) t ORDER BY part, list_position(?, category), "
                          "operation_id, country_iso3, month, item_type, unit",
                          [*params, *more, list(contract.CATEGORIES)])
    for column in ("lines", "events"):
        everything[column] = everything[column].astype("Int64")
    everything["quantity"] = everything["quantity"].astype("float64")
    in_part = everything.part.to_numpy(dtype=object)
    out = {}
    for part in parts:
        frame = everything[in_part == part]
        frame = frame[[*TABLES[part], "unit", "quantity", "lines", "events", "suppressed"]].reset_index(drop=True)
        if part == "month":
            frame["month"] = pd.to_datetime(frame["month"])
        out[part] = frame
    return out


# --- counts of events -------------------------------------------------------------------------

def _events_sql(pf: PublicFilters, group: str | None, db: Database) -> tuple[str, list[object]]:
    """Events (and their arrests, item lines, sample events) of the selection, by one event column or in all."""
    f = pf.as_filters()
    key = f"s.{group} AS {group}, " if group else ""
    by = "GROUP BY 1" if group else ""
    if db.rollups:
        where, params = events_where(f)
        return (f"SELECT {key}sum(events)::BIGINT AS events, coalesce(sum(arrests), 0)::BIGINT AS arrests, "
                "coalesce(sum(events) FILTER (WHERE is_sample), 0)::BIGINT AS sample_events "
                f"FROM rollup_events s WHERE {where} {by}", params)
    from kafo_data.seizures.filters import event_where

    where, params = event_where(f)
    return (f"SELECT {key}count(*) AS events, coalesce(sum(arrests), 0)::BIGINT AS arrests, "
            f"count(*) FILTER (WHERE is_sample) AS sample_events FROM seizures s WHERE {where} {by}", params)


@public_query
def summary(db: Database, pf: PublicFilters) -> dict[str, Any]:
    """Events, arrests and item lines of the selection; None for each number that rests on fewer than k events.

    `sample_events` is None also when it, or the events that are not sample, are fewer than k (one
    would give the other away); `suppressed` says whether the totals themselves are hidden.
    """
    k = small_cell_events()
    exact = queries.events_summary(db, pf.as_filters())
    events, sample = exact["events"], exact["sample_events"]
    hidden = small(events, k)
    return {
        "events": None if hidden else events,
        "arrests": None if hidden else exact["arrests"],
        "lines": None if hidden else exact["lines"],
        "sample_events": None if hidden or small(sample, k) or small(events - sample, k) else sample,
        "has_sample": sample > 0,
        "all_sample": sample == events and events > 0,
        "empty": exact["lines"] == 0,
        "suppressed": hidden,
    }


@public_query
def events_by(db: Database, pf: PublicFilters, key: str) -> pd.DataFrame:
    """Events and arrests of the selection by operation or by country, small cells suppressed.

    Every operation (or every country with events) is a row, in id order; the rule of complementary
    suppression treats the column as one measure (its total is the page's event count).
    """
    column = {"operation": "operation_id", "country": "country_iso3"}[key]
    k = small_cell_events()
    inner, params = _events_sql(pf, column, db)
    if key == "operation":
        inner = (f"SELECT o.operation_id, coalesce(e.events, 0) AS events, coalesce(e.arrests, 0) AS arrests, "
                 f"coalesce(e.sample_events, 0) AS sample_events FROM operations o LEFT JOIN ({inner}) e "
                 "USING (operation_id)")
    sql, more = _protected(inner, (), (column,), ("events", "arrests", "sample_events"), k)
    frame = db.frame(f"{sql} ORDER BY {column}", [*params, *more])
    for c in ("events", "arrests", "sample_events"):
        frame[c] = frame[c].astype("Int64")
    return frame


@public_query
def country_events(db: Database, pf: PublicFilters) -> pd.DataFrame:
    """The country-level map: events and arrests by country (no places, no coordinates)."""
    return events_by(db, pf, "country")


@public_query
def operation_summaries(db: Database, pf: PublicFilters) -> dict[str, dict[str, int | None]]:
    """Events, arrests and sample events of each operation under the other filters; None where suppressed."""
    frame = events_by(db, pf.without("operation"), "operation")
    return {row.operation_id: {"events": _int(row.events), "arrests": _int(row.arrests),
                               "sample_events": _int(row.sample_events), "suppressed": bool(row.suppressed)}
            for row in frame.itertuples()}


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


@public_query
def facets(db: Database, pf: PublicFilters) -> dict[str, dict[str, int | None]]:
    """For each filter, the events each of its values would match under the other filters; None: fewer than k.

    One query for the three filters (each its own part of a UNION, suppressed within itself).
    """
    k = small_cell_events()
    parts, params = [], []
    for key, column in FACETS:
        where, more = record_where(pf.without(key).as_filters())
        parts.append(f"SELECT '{key}' AS facet, r.{column} AS value, count(DISTINCT r.seizure_id) AS events "
                     f"FROM records r WHERE {where} GROUP BY 2")
        params += more
    sql, more = _protected(" UNION ALL ".join(parts), ("facet",), ("facet", "value"), ("events",), k)
    out: dict[str, dict[str, int | None]] = {key: {} for key, _ in FACETS}
    for facet, value, events, _ in db.rows(sql, [*params, *more]):
        out[facet][value] = _int(events)
    return out


FACETS: tuple[tuple[str, str], ...] = (("operation", "operation_id"), ("country", "country_iso3"),
                                       ("category", "category"))


@public_query
def sample_share(db: Database) -> dict[str, int | None]:
    """Events that are generated sample and events from reports, in all; None for a count of 1 to k-1."""
    share = queries.sample_share(db)
    return {key: None if small(value) else value for key, value in share.items()}


@public_query
def reconciliation(db: Database, include_sample: bool = True) -> pd.DataFrame:
    """Published figures against the record totals (`queries.reconciliation`), each total suppressed on its events.

    The published figure is never suppressed: it is public already.
    """
    k = small_cell_events()
    frame = queries.reconciliation(db, include_sample)
    sample = "" if include_sample else "AND NOT r.is_sample"
    # the events behind each total, matched exactly as `queries.reconciliation` matches the lines
    counts = dict(db.rows(
        "SELECT f.figure_id, CASE WHEN f.indicator = 'arrests' THEN "
        f"(SELECT count(*) FROM seizures r WHERE r.operation_id = f.operation_id {sample}) "
        "WHEN f.counts IS NOT NULL THEN (SELECT count(DISTINCT r.seizure_id) FROM records r "
        "WHERE r.operation_id = f.operation_id AND r.unit = f.unit "
        f"AND list_has_any(string_split(f.counts, ' '), [r.category, r.category || '/' || r.item_type]) {sample}) "
        "ELSE (SELECT count(DISTINCT r.seizure_id) FROM records r WHERE r.operation_id = f.operation_id "
        f"AND r.category = f.category AND r.unit = f.unit AND (f.item_type IS NULL OR r.item_type = f.item_type) "
        f"{sample}) END FROM figures f WHERE f.shown AND f.value IS NOT NULL"
    ))
    missing = [fid for fid in frame.figure_id if fid not in counts]
    if missing:  # a figure this function cannot count: hide its total rather than guess
        raise ValueError(f"no event count for figures {missing}")
    hidden = [small(counts.get(fid), k) for fid in frame.figure_id]
    frame["records_total"] = [None if h else v for h, v in zip(hidden, frame.records_total, strict=True)]
    frame["suppressed"] = hidden
    return frame

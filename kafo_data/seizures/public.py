"""The public query API: seizure records only as aggregates, every number adjusted by the cell key method.

What the public pages and public downloads may call, and all they may call of the records
(each declared `@public_query`, `kafo_data.query_gate`; the rest a public session may call are reference
facts, published figures and the budget, declared so where they live). Every function
here returns sums and counts by operation, country, category, item type and month, always by unit
(units are never added together), and never a place, a coordinate, a day, an agency, a criminal
context, free text, a seizure id, a batch or a file name.

Small cells and subtraction. A cell of 1 to k-1 true events (`config.small_cell_events()`, default
3) comes back with its numbers None and `suppressed` true, and reads "fewer than k". Every other
number is adjusted by `kafo_data.cellkey` (the cell key method): a count by at most 2 events, a sum
by a few steps of max(1, 2.5 %), decided by the sum of the keys of the cell's events, so the same
cell (the same events) shows the same value on every page, in every file and every process, and
two selections subtracted give noise, not the hidden cell (docs/public-numbers.md: design and the
measured attacks). The cells and their key sums come from the rollup (`rollup_cells`,
`rollup_events`), or from the same SQL over the record views when the database has no rollup. The
public filters (`PublicFilters`) have no dates: a day range could single out one event.

Zero is shown as zero: it describes no event. Published figures are never adjusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from kafo_data import cellkey
from kafo_data.config import small_cell_events
from kafo_data.contract import seizures as contract
from kafo_data.filtering import SAMPLE, Field
from kafo_data.query_gate import public_query
from kafo_data.seizures import queries
from kafo_data.seizures.filters import COLUMNS, ID_FIELDS, Filters, record_where, rollup_events_where
from kafo_data.store import rollup_sql
from kafo_data.store.db import Database


@dataclass(frozen=True)
class PublicFilters:
    """What a public visitor may filter by: operations, countries, categories, the sample switch. No dates."""

    FIELDS: ClassVar[tuple[Field, ...]] = (*ID_FIELDS, SAMPLE)

    operations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    include_sample: bool = True

    @classmethod
    def of(cls, filters: Filters) -> PublicFilters:
        """The public part of the sidebar's filters (the day range is dropped)."""
        return cls(**{f.attr: getattr(filters, f.attr) for f in cls.FIELDS})

    def as_filters(self) -> Filters:
        return Filters(**{f.attr: getattr(self, f.attr) for f in self.FIELDS})

    def without(self, key: str) -> PublicFilters:
        return PublicFilters.of(self.as_filters().without(key))


def small(events: int | None, k: int | None = None) -> bool:
    """Whether a count of events is too small to show (1 to k-1)."""
    k = small_cell_events() if k is None else k
    return events is not None and 0 < int(events) < k


def _cells(db: Database) -> str:
    """The relation of public cells (`rollup_sql.CELLS_SELECT`): the rollup's table, or its SQL over the views."""
    return "rollup_cells" if db.rollups else f"({rollup_sql.cells_sql('records')})"


def _itemsets(db: Database) -> str:
    """The relation of events by operation, unit and what their lines of that unit are (`rollup_itemsets`)."""
    return "rollup_itemsets" if db.rollups else f"({rollup_sql.itemsets_sql('records')})"


def _events(db: Database) -> str:
    """The relation of events with category masks and key sums: `rollup_events`, or its SQL over the views."""
    return "rollup_events" if db.rollups else f"({rollup_sql.events_sql('seized_items', 'seizures')})"


# --- tables of item-line sums: what the charts, their tables and the downloads show ------------

# Each table: its keys (always with the unit) and the keys that make one measure (a category and a unit).
TABLES: dict[str, tuple[str, ...]] = {
    part: queries.BREAKDOWNS[part] for part in ("totals", "operation", "country", "item_type", "month")}
KEY_COLUMNS: tuple[str, ...] = ("operation_id", "country_iso3", "month", "category", "item_type")
VALUE_COLUMNS: tuple[str, ...] = ("quantity", "events")
SUMS: tuple[str, ...] = ("quantity",)


def _table_inner(table: str, pf: PublicFilters, cells: str) -> tuple[str, list[object]]:
    """One table's true cells (keys, unit, quantity, events, key sums, is_sample) from the cells relation."""
    keys = (*TABLES[table], "unit")
    where, params = record_where(pf.as_filters())
    grain = "by_item" if table == "item_type" else "NOT by_item"
    return (f"SELECT {', '.join(keys)}, sum(quantity) AS quantity, "
            "sum(events)::BIGINT AS events, sum(key_a) AS key_a, sum(key_b) AS key_b, bool_or(is_sample) AS is_sample "
            f"FROM {cells} r WHERE {grain} AND {where} GROUP BY ALL", params)


def table(db: Database, table: str, pf: PublicFilters) -> pd.DataFrame:
    """One public table: its keys, unit, quantity, events, suppressed, is_sample; what the downloads write.

    Rows in the contract's category order, then by key; the same values as `breakdowns`.
    """
    keys = [*TABLES[table], "unit"]
    inner, params = _table_inner(table, pf, _cells(db))
    order = ", ".join(c for c in keys if c != "category")
    frame = cellkey.protect(db.frame(f"SELECT * FROM ({inner}) c ORDER BY list_position(?, category), {order}",
                                     [*params, list(contract.CATEGORIES)]), sums=SUMS)
    if table == "month":
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame[[*keys, "quantity", "events", "suppressed", "is_sample"]]


@public_query
def breakdowns(db: Database, pf: PublicFilters, parts: tuple[str, ...] = tuple(TABLES)) -> dict[str, pd.DataFrame]:
    """The public tables of the selection: for each part, its keys, unit, quantity, events, suppressed.

    Suppressed cells have None for quantity and events (item lines per cell are not public). One
    statement for all the parts, read from the rollup's cells (thousands of rows at any data size).
    """
    cells = _cells(db)
    selects, params = [], []
    for part in parts:
        inner, more = _table_inner(part, pf, cells)
        keys = ", ".join(c if c in TABLES[part] else f"NULL AS {c}" for c in KEY_COLUMNS)
        selects.append(f"SELECT '{part}' AS part, {keys}, unit, quantity, events, key_a, key_b FROM ({inner}) c")
        params += more
    everything = cellkey.protect(db.frame(
        f"SELECT * FROM ({' UNION ALL '.join(selects)}) t ORDER BY part, list_position(?, category), "
        "operation_id, country_iso3, month, item_type, unit", [*params, list(contract.CATEGORIES)]), sums=SUMS)
    everything["quantity"] = everything["quantity"].astype("float64")
    in_part = everything.part.to_numpy(dtype=object)
    out = {}
    for part in parts:
        frame = everything[in_part == part]
        frame = frame[[*TABLES[part], "unit", "quantity", "events", "suppressed"]].reset_index(drop=True)
        if part == "month":
            frame["month"] = pd.to_datetime(frame["month"])
        out[part] = frame
    return out


# --- counts of events -------------------------------------------------------------------------

_EVENT_SUMS = ("coalesce(sum(events), 0)::BIGINT AS events, coalesce(sum(arrests), 0)::BIGINT AS arrests, "
               "coalesce(sum(key_a), 0) AS key_a, coalesce(sum(key_b), 0) AS key_b, "
               "coalesce(sum(events) FILTER (WHERE is_sample), 0)::BIGINT AS sample_events, "
               "coalesce(sum(key_a) FILTER (WHERE is_sample), 0) AS sample_key_a")


def _events_sql(db: Database, pf: PublicFilters, group: str | None) -> tuple[str, list[object]]:
    """True events, arrests, sample events and their key sums of the selection, by one event column or in all."""
    where, params = rollup_events_where(pf.as_filters())
    key = f"s.{group} AS {group}, " if group else ""
    by = "GROUP BY 1" if group else ""
    return f"SELECT {key}{_EVENT_SUMS} FROM {_events(db)} s WHERE {where} {by}", params


@public_query
def summary(db: Database, pf: PublicFilters) -> dict[str, Any]:
    """Events and arrests of the selection, adjusted; None for each number resting on fewer than k events.

    No count of item lines: a third headline number close to the events would give a differencing
    attack one more small, easily bounded figure to aim at (docs/public-numbers.md). `sample_events`
    is None also when it, or the events that are not sample, are fewer than k (one would give the
    other away); `suppressed` says whether the totals themselves are hidden; `empty`: no record at all.
    """
    k = small_cell_events()
    inner, params = _events_sql(db, pf, None)
    true = db.frame(inner, params)
    events, sample = int(true.events.iloc[0]), int(true.sample_events.iloc[0])
    row = cellkey.protect(true, sums=("arrests",), counts={"sample_events": "sample_key_a"}, k=k).iloc[0]
    hidden = bool(row.suppressed)
    return {
        "events": _int(row.events),
        "arrests": _int(row.arrests),
        "sample_events": None if hidden or small(sample, k) or small(events - sample, k) else _int(row.sample_events),
        "has_sample": sample > 0,
        "all_sample": sample == events and events > 0,
        "empty": events == 0,
        "suppressed": hidden,
    }


@public_query
def events_by(db: Database, pf: PublicFilters, key: str) -> pd.DataFrame:
    """Events and arrests of the selection by operation or by country, adjusted, small cells suppressed.

    Every operation (or every country with events) is a row, in id order.
    """
    column = COLUMNS[key]
    inner, params = _events_sql(db, pf, column)
    if key == "operation":
        inner = (f"SELECT o.operation_id, coalesce(e.events, 0) AS events, coalesce(e.arrests, 0) AS arrests, "
                 "coalesce(e.key_a, 0) AS key_a, coalesce(e.key_b, 0) AS key_b, "
                 "coalesce(e.sample_events, 0) AS sample_events, coalesce(e.sample_key_a, 0) AS sample_key_a "
                 f"FROM operations o LEFT JOIN ({inner}) e USING (operation_id)")
    frame = cellkey.protect(db.frame(f"{inner} ORDER BY {column}", params), sums=("arrests",),
                            counts={"sample_events": "sample_key_a"})
    frame["arrests"] = pd.array(frame["arrests"], dtype="Float64").round().astype("Int64")
    return frame[[column, "events", "arrests", "sample_events", "suppressed"]]


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
    """For each filter, the events each of its values would match under the others, adjusted; None: fewer than k.

    One statement: events of each operation and each country from the events relation, of each
    category through the category bits (an event counts in every category it has a line of).
    """
    parts, params = [], []
    events = _events(db)
    for key, column in COLUMNS.items():
        where, more = rollup_events_where(pf.without(key).as_filters())
        if key == "category":
            bits = " UNION ALL ".join(f"SELECT '{name}' AS value, {1 << k}::UBIGINT AS bit"
                                      for k, name in enumerate(contract.CATEGORIES))
            parts.append(f"SELECT 'category' AS facet, b.value, sum(s.events)::BIGINT AS events, "
                         f"sum(s.key_a) AS key_a FROM {events} s JOIN ({bits}) b ON (s.catmask & b.bit) <> 0 "
                         f"WHERE {where} GROUP BY 2")
        else:
            parts.append(f"SELECT '{key}' AS facet, s.{column} AS value, sum(s.events)::BIGINT AS events, "
                         f"sum(s.key_a) AS key_a FROM {events} s WHERE {where} GROUP BY 2")
        params += more
    cells = cellkey.protect(db.frame(" UNION ALL ".join(parts), params), sums=())
    out: dict[str, dict[str, int | None]] = {key: {} for key in COLUMNS}
    for facet, value, events_ in zip(cells.facet, cells.value, cells.events, strict=True):
        out[facet][value] = _int(events_)
    return out


@public_query
def sample_share(db: Database) -> dict[str, int | None]:
    """Events that are generated sample and events from reports, in all, adjusted; None for a count of 1 to k-1."""
    inner = (f"SELECT CASE WHEN is_sample THEN 'sample' ELSE 'real' END AS part, sum(events)::BIGINT AS events, "
             f"sum(key_a) AS key_a FROM {_events(db)} GROUP BY 1")
    cells = cellkey.protect(db.frame(inner), sums=())
    got = {part: _int(events) for part, events in zip(cells.part, cells.events, strict=True)}
    return {"sample": got.get("sample", 0), "real": got.get("real", 0)}


def _figure_events(db: Database, include_sample: bool = True) -> dict[str, int]:
    """How many events lie behind each published figure's records total, matched as `queries.reconciliation` matches.

    An arrests figure: the operation's events. Any other: the operation's events with a line in the figure's
    unit and of its category (and item type), or of any category or category/item type its `counts` names.
    One small join of the figures to `rollup_itemsets` (an event is in one of its rows per unit), not a scan of
    the records per figure. True counts: `reconciliation` keeps only whether each is small.
    """
    sample = "" if include_sample else "AND NOT s.is_sample"
    wanted = ("CASE WHEN f.counts IS NOT NULL THEN string_split(f.counts, ' ') WHEN f.item_type IS NULL "
              "THEN [f.category] ELSE [f.category || '/' || f.item_type] END")
    return dict(db.rows(
        "SELECT f.figure_id, CASE WHEN f.indicator = 'arrests' THEN "
        f"(SELECT coalesce(sum(s.events), 0) FROM {_events(db)} s WHERE s.operation_id = f.operation_id {sample}) "
        f"ELSE (SELECT coalesce(sum(s.events), 0) FROM {_itemsets(db)} s WHERE s.operation_id = f.operation_id "
        f"AND s.unit = f.unit AND list_has_any(s.items, {wanted}) {sample}) END::BIGINT "
        "FROM figures f WHERE f.shown AND f.value IS NOT NULL"
    ))


@public_query
def reconciliation(db: Database, include_sample: bool = True) -> pd.DataFrame:
    """Published figures against the records: whether the records reach each figure, never the records' total.

    `reaches` is decided on the true total (the records hold at least the published number); the
    total itself is not given (an adjusted total beside the published number would read as a
    disagreement by the adjustment). `suppressed`: the records behind the figure are 1..k-1 events.
    The published figure is never adjusted nor suppressed: it is public already.
    """
    k = small_cell_events()
    frame = queries.reconciliation(db, include_sample)
    counts = _figure_events(db, include_sample)
    missing = [fid for fid in frame.figure_id if fid not in counts]
    if missing:  # a figure this function cannot count: hide its total rather than guess
        raise ValueError(f"no event count for figures {missing}")
    hidden = [small(counts.get(fid), k) for fid in frame.figure_id]
    totals = [None if pd.isna(v) else float(v) for v in frame.records_total]
    frame["reaches"] = [None if h or v is None else bool(v >= float(p))
                        for h, v, p in zip(hidden, totals, frame.value, strict=True)]
    frame["has_records"] = [v is not None and v > 0 for v in totals]
    frame["suppressed"] = hidden
    return frame.drop(columns=["records_total"])

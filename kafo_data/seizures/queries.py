"""Queries that return small frames: what the pages show, and nothing a page computes itself.

Every quantity is grouped by its unit as well as its item, so units are never added together.
Arrests and event counts come from `seizures` alone, so a join with item lines never
multiplies them.

When the database has its rollup tables (`kafo_data.store.rollup`, the default), sums and counts are
read from them instead of the records: the same answers, a thousand times fewer rows. The
plain SQL over the views stays next to each query: it is what `Database(rollups=False)` runs, and
what tests/store/test_rollup.py checks the rollup against.
"""

from __future__ import annotations

import pandas as pd

from kafo_data.contract import seizures as contract
from kafo_data.filtering import Known
from kafo_data.query_gate import public_query, query
from kafo_data.seizures.filters import COLUMNS, Filters, record_where, rollup_events_where, seizure_where
from kafo_data.store import rollup
from kafo_data.store.db import Database
from kafo_data.store.sql import path_literal

SORTABLE: tuple[str, ...] = contract.RECORD_COLUMNS
EVENT_COLUMNS: frozenset[str] = frozenset(c.name for c in contract.SEIZURE_COLUMNS)


def _lines(db: Database) -> tuple[str, str]:
    """The relation item-line sums read (alias r), and how it counts lines."""
    if db.rollups:
        return "rollup_lines", "sum(lines)::BIGINT"
    return "records", "count(*)"


@public_query
def known(db: Database) -> Known:
    """The ids a filter may take: every operation, every ISO 3166 country, every category."""
    def compute() -> Known:
        ops = [r[0] for r in db.rows("SELECT operation_id FROM operations")]
        countries = [r[0] for r in db.rows("SELECT iso3 FROM countries")]
        return {"operations": frozenset(ops), "countries": frozenset(countries),
                "categories": frozenset(contract.CATEGORIES)}

    return db.memo("known", compute)


@public_query
def operations(db: Database) -> pd.DataFrame:
    """Operations in date order, each with its participating countries (ISO3 list)."""
    return db.memo("operations", lambda: db.frame(
        "SELECT o.*, list(c.country_iso3 ORDER BY c.country_iso3) AS countries, count(c.country_iso3) AS n_countries "
        "FROM operations o LEFT JOIN operation_countries c USING (operation_id) "
        "GROUP BY ALL ORDER BY o.start_date"
    )).copy()


@public_query
def operation_countries(db: Database) -> pd.DataFrame:
    return db.frame(
        "SELECT c.operation_id, c.country_iso3, n.name_en, n.name_fr, c.source_id "
        "FROM operation_countries c JOIN countries n ON n.iso3 = c.country_iso3 "
        "JOIN operations o USING (operation_id) ORDER BY o.start_date, c.country_iso3"
    )


@public_query
def countries(db: Database) -> pd.DataFrame:
    return db.memo("countries", lambda: db.frame("SELECT iso3, name_en, name_fr FROM countries ORDER BY iso3")).copy()


@public_query
def figures(db: Database, operation_id: str | None = None) -> pd.DataFrame:
    """Published figures with their qualifier, unit, wording and source, in the reference order."""
    return db.frame(
        "SELECT f.figure_id, f.operation_id, f.indicator, f.value, f.qualifier, f.unit, f.text, "
        "f.category, f.item_type, f.shown, f.note, f.note_fr, f.footnote_of, f.counts, f.quote_lang, f.translation, "
        "f.translation_lang, f.source_id, s.title AS source_title, s.url AS source_url, "
        "s.publisher AS source_publisher, s.publisher_fr AS source_publisher_fr, s.published AS source_published, "
        "s.short_name AS source_short, s.short_name_fr AS source_short_fr, "
        "f.fr_text, f.fr_source_id, fs.title AS fr_source_title, fs.url AS fr_source_url, "
        "fs.published AS fr_source_published, fs.publisher AS fr_source_publisher, "
        "fs.publisher_fr AS fr_source_publisher_fr "
        "FROM figures f JOIN sources s USING (source_id) LEFT JOIN sources fs ON fs.source_id = f.fr_source_id "
        "WHERE CAST(? AS VARCHAR) IS NULL OR f.operation_id = ? ORDER BY f.file_row_number",
        [operation_id, operation_id],
    )


@public_query
def sources(db: Database) -> pd.DataFrame:
    return db.frame("SELECT * FROM sources ORDER BY published, source_id")


@public_query
def operation_agencies(db: Database) -> pd.DataFrame:
    """Who took part in each operation, as its source lists them, with the source."""
    return db.frame(
        "SELECT a.operation_id, a.position, a.agency, a.text, a.source_id, s.title AS source_title, "
        "s.url AS source_url, s.language AS source_lang FROM operation_agencies a JOIN sources s USING (source_id) "
        "JOIN operations o USING (operation_id) ORDER BY o.start_date, a.position"
    )


# The sums a page shows of one selection, each by its keys and always by unit as well.
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "totals": ("category",),
    "country": ("country_iso3", "category"),
    "operation": ("operation_id", "category"),
    "item_type": ("category", "item_type"),
    "month": ("month", "category"),
}
_BREAKDOWN_KEYS = ("country_iso3", "operation_id", "month", "category", "item_type", "unit")


@query
def breakdowns(db: Database, f: Filters, parts: tuple[str, ...] = tuple(BREAKDOWNS)) -> dict[str, pd.DataFrame]:
    """Quantity and item lines of the selection by each part's keys and unit, in one statement.

    One statement (a UNION ALL of the groupings) instead of one query per chart: on small data
    each query costs a few milliseconds whatever it reads, and a page shows five of these.
    Rows come in the contract's category order; a part's frame holds its keys, unit, quantity
    and lines.
    """
    where, params = record_where(f)
    table, lines = _lines(db)
    expr = {"month": "date_trunc('month', seizure_date)::DATE"}
    selects = []
    for k, part in enumerate(parts):
        cols = (*BREAKDOWNS[part], "unit")
        keys = ", ".join(f"{expr.get(c, c)} AS {c}" if c in cols else f"NULL AS {c}" for c in _BREAKDOWN_KEYS)
        selects.append(f"SELECT {k} AS _part, {keys}, sum(quantity) AS quantity, {lines} AS lines "
                       f"FROM {table} r WHERE {where} GROUP BY ALL")
    rows = db.rows(
        f"SELECT * FROM ({' UNION ALL '.join(selects)}) ORDER BY _part, country_iso3, operation_id, month, "
        "list_position(?, category) NULLS LAST, category, item_type, unit",
        [*params * len(parts), list(contract.CATEGORIES)],
    )
    position = {c: i for i, c in enumerate(("_part", *_BREAKDOWN_KEYS, "quantity", "lines"))}
    out = {}
    for k, part in enumerate(parts):
        cols = [*BREAKDOWNS[part], "unit", "quantity", "lines"]
        out[part] = pd.DataFrame([[row[position[c]] for c in cols] for row in rows if row[0] == k], columns=cols)
    if "month" in out:
        out["month"]["month"] = pd.to_datetime(out["month"]["month"])  # as a DATE column arrives in pandas
    return out


@query
def events_summary(db: Database, f: Filters) -> dict[str, int]:
    """Seizure events, arrests, item lines and sample events of the selection."""
    lwhere, lparams = record_where(f)
    table, count = _lines(db)
    lines_sql = f"(SELECT coalesce({count}, 0) FROM {table} r WHERE {lwhere})"
    if db.rollups:
        where, params = rollup_events_where(f)
        events, arrests, sample, lines = db.rows(
            "SELECT coalesce(sum(events), 0), coalesce(sum(arrests), 0), "
            f"coalesce(sum(events) FILTER (WHERE is_sample), 0), {lines_sql} FROM rollup_events s WHERE {where}",
            [*lparams, *params],
        )[0]
    else:
        where, params = seizure_where(f)
        events, arrests, sample, lines = db.rows(
            f"SELECT count(*), coalesce(sum(arrests), 0), count(*) FILTER (WHERE is_sample), {lines_sql} "
            f"FROM seizures s WHERE {where}",
            [*lparams, *params],
        )[0]
    return {"events": int(events), "arrests": int(arrests), "sample_events": int(sample), "lines": int(lines)}


@query
def operation_summaries(db: Database, f: Filters) -> dict[str, dict[str, int]]:
    """`events_summary` of each operation under the other filters (`f.for_operation(op)`), in one statement."""
    g = f.without("operation")
    lwhere, lparams = record_where(g)
    table, count = _lines(db)
    if db.rollups:
        ewhere, eparams = rollup_events_where(g)
        events = ("SELECT operation_id, sum(events) AS events, sum(arrests) AS arrests, "
                  f"sum(events) FILTER (WHERE is_sample) AS sample FROM rollup_events s WHERE {ewhere} GROUP BY 1")
    else:
        ewhere, eparams = seizure_where(g)
        events = ("SELECT operation_id, count(*) AS events, sum(arrests) AS arrests, "
                  f"count(*) FILTER (WHERE is_sample) AS sample FROM seizures s WHERE {ewhere} GROUP BY 1")
    rows = db.rows(
        f"WITH e AS ({events}), l AS (SELECT operation_id, {count} AS lines FROM {table} r WHERE {lwhere} GROUP BY 1) "
        "SELECT o.operation_id, coalesce(e.events, 0), coalesce(e.arrests, 0), coalesce(e.sample, 0), "
        "coalesce(l.lines, 0) FROM operations o LEFT JOIN e USING (operation_id) LEFT JOIN l USING (operation_id)",
        [*eparams, *lparams],
    )
    return {op: {"events": int(ev), "arrests": int(ar), "sample_events": int(sm), "lines": int(n)}
            for op, ev, ar, sm, n in rows}


@query
def record_count(db: Database, f: Filters) -> int:
    """Item lines of the selection; the unfiltered total (every download menu shows it) is kept per data version."""
    where, params = record_where(f)
    table, lines = _lines(db)

    def count() -> int:
        return int(db.rows(f"SELECT coalesce({lines}, 0) FROM {table} r WHERE {where}", params)[0][0])

    return db.memo("record_count", count) if f.is_empty() else count()


@query
def records_page(db: Database, f: Filters, limit: int = 100, offset: int = 0,
                 sort: str = "seizure_date", descending: bool = False) -> pd.DataFrame:
    """One page of item lines with their event's fields, sorted by a whitelisted column.

    The order is the sort column (NULLs last), then seizure id and line: `_plain_records_page`, which
    `Database(rollups=False)` and small data in memory run, and which tests/seizures/test_records_depth.py
    checks the fast paths against. With millions of lines the page is read from the flat records files
    (`_records_page_flat`): any column, any page; where those cannot be written, a column of the event
    reads the first events first (`_records_page_from_events`).
    """
    if sort not in SORTABLE:
        raise ValueError(f"cannot sort by {sort!r}")
    limit, offset = max(0, int(limit)), max(0, int(offset))
    direction = "DESC" if descending else "ASC"
    if db.rollups and not db.records_in_memory:  # in memory, the plain query is quicker
        page = _records_page_flat(db, f, limit, offset, sort, descending)
        if page is not None:
            return page
        if sort in EVENT_COLUMNS:
            page = _records_page_from_events(db, f, limit, offset, sort, direction)
            if page is not None:
                return _read_by(page, "events")
    return _read_by(_plain_records_page(db, f, limit, offset, sort, descending), "plain")


def _read_by(page: pd.DataFrame, path: str) -> pd.DataFrame:
    """The page, saying which way it was read (`page.attrs["read_by"]`: tests and the benchmark check the path)."""
    page.attrs["read_by"] = path
    return page


def _plain_records_page(db: Database, f: Filters, limit: int, offset: int, sort: str,
                        descending: bool) -> pd.DataFrame:
    """The page as one plain query over the `records` view: what every fast path must equal."""
    where, params = record_where(f)
    cols = ", ".join(contract.RECORD_COLUMNS)
    return db.frame(
        f"SELECT {cols} FROM records r WHERE {where} "
        f"ORDER BY {sort} {'DESC' if descending else 'ASC'} NULLS LAST, seizure_id, line_no LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


# Columns with about one value per event or more: no histogram of them (it would be as long as the data).
UNIQUE_ISH: frozenset[str] = frozenset({"seizure_id", "latitude", "longitude"})
HISTOGRAM_MAX = 100_000  # distinct values of the sort column beyond which the page takes a plain top-N
STREAM_VALUES = 4  # a page over more values than this is read with one top-N over their (few) lines


def _order(sort: str, descending: bool, reverse: bool) -> str:
    """The records' order (sort column NULLs last, seizure id, line), or its exact reverse."""
    if not reverse:
        return f"{sort} {'DESC' if descending else 'ASC'} NULLS LAST, seizure_id, line_no"
    return f"{sort} {'ASC' if descending else 'DESC'} NULLS FIRST, seizure_id DESC, line_no DESC"


def _flat_relation(files: list) -> str:
    listing = ", ".join(path_literal(p) for p in files)
    return f"read_parquet([{listing}], filename = true, file_row_number = true, union_by_name = true)"


def _records_page_flat(db: Database, f: Filters, limit: int, offset: int, sort: str,
                       descending: bool) -> pd.DataFrame | None:
    """The page from the flat records files (`rollup.flat_files`); None while they are not built.

    Each batch's flat file is sorted by seizure id and line, the records' tie-break, and the files' id
    ranges do not overlap, so the lines of one value of any column lie in the files, taken in id order,
    in exactly the page order. Three small steps:

    1. A histogram of the sort column under the filters (a `GROUP BY` over two or three columns), in
       the page's order: how many lines come before each value, so which values hold the page and how
       deep into them it starts.
    2. The page's positions: for each of those values (one, or two when the page straddles them), its
       lines in file order, `LIMIT`/`OFFSET`: a scan that stops at the page, no sort. A page over many
       values (few lines each), files whose ids overlap, or a column with a value per event
       (`UNIQUE_ISH`) take a top-N over the chosen lines instead, in the reversed order when the page is
       nearer their end (the last page then costs what the first does).
    3. The page's rows fetched by file and row number (row groups are skipped by row number).
    """
    db.version()
    files = rollup.flat_files(db.cursor, db.root, db.batches, wait=False)
    if files is None:
        return None
    cols = ", ".join(contract.RECORD_COLUMNS)
    if not files:
        return db.frame(f"SELECT {cols} FROM records r WHERE FALSE")
    ordered = rollup.seizure_id_ranges(db.cursor, files)
    flat = _flat_relation(files)
    where, params = record_where(f)
    if sort in UNIQUE_ISH:
        histogram = None
        total = record_count(db, f)
        block_where, block_params, values, before, size = "TRUE", [], [], 0, total
    else:
        histogram = db.rows(
            f"SELECT {sort}, count(*) FROM {flat} r WHERE {where} GROUP BY 1 "
            f"ORDER BY 1 {'DESC' if descending else 'ASC'} NULLS LAST", params)
        if len(histogram) > HISTOGRAM_MAX:
            return None
        total = sum(n for _, n in histogram)
        block_where, block_params, values, before, size = _blocks(histogram, sort, offset, limit)
    take = max(0, min(offset + limit, total) - offset)
    if take == 0:
        return _read_by(db.frame(f"SELECT {cols} FROM records r WHERE FALSE"), "stream")
    local = offset - before  # where the page starts among the chosen values' lines
    streamable = ordered is not None and (
        (histogram is not None and len(values) <= STREAM_VALUES) or (sort == "seizure_id" and not descending))
    path = "stream" if streamable else "top-n"
    if streamable:
        keys = _stream_keys(db, _flat_relation(ordered), where, params, sort, values, local, take)
    else:
        reverse = local > size - local - take
        keys = db.rows(
            f"SELECT filename, file_row_number FROM {flat} r WHERE ({where}) AND ({block_where}) "
            f"ORDER BY {_order(sort, descending, reverse)} LIMIT ? OFFSET ?",
            [*params, *block_params, take, size - local - take if reverse else local],
        )
        if reverse:
            keys.reverse()
    return _read_by(_fetch(db, flat, cols, keys), path)


def _stream_keys(db: Database, flat: str, where: str, params: list, sort: str, values: list[tuple],
                 local: int, take: int) -> list[tuple]:
    """Positions of the page read in file order, value by value (`values`: (value, lines) in page order)."""
    if not values:  # sorted by seizure id: the files' order is the page order
        return db.rows(f"SELECT filename, file_row_number FROM {flat} r WHERE {where} LIMIT ? OFFSET ?",
                       [*params, take, local])
    keys: list[tuple] = []
    for value, n in values:
        if local >= n:
            local -= n
            continue
        want = min(take - len(keys), n - local)
        test, more = (f"r.{sort} IS NULL", []) if value is None else (f"r.{sort} = ?", [value])
        keys += db.rows(f"SELECT filename, file_row_number FROM {flat} r WHERE ({where}) AND {test} LIMIT ? OFFSET ?",
                        [*params, *more, want, local])
        local = 0
        if len(keys) >= take:
            break
    return keys


def _fetch(db: Database, flat: str, cols: str, keys: list[tuple]) -> pd.DataFrame:
    """The rows at (file, row number) `keys`, in that order."""
    if not keys:
        return db.frame(f"SELECT {cols} FROM records r WHERE FALSE")
    by_file: dict[str, list[int]] = {}
    for name, row in keys:
        by_file.setdefault(name, []).append(row)
    clauses, fetch_params = [], []
    for name, rows in by_file.items():
        clauses.append(f"(filename = ? AND file_row_number IN ({', '.join('?' for _ in rows)}))")
        fetch_params += [name, *rows]
    frame = db.frame(f"SELECT {cols}, filename AS _file, file_row_number AS _row FROM {flat} r "
                     f"WHERE {' OR '.join(clauses)}", fetch_params)
    position = {key: k for k, key in enumerate(keys)}
    frame.index = [position[(name, row)] for name, row in zip(frame["_file"], frame["_row"], strict=True)]
    return frame.sort_index().drop(columns=["_file", "_row"]).reset_index(drop=True)


def _blocks(histogram: list[tuple], sort: str, offset: int, limit: int) -> tuple[str, list, list[tuple], int, int]:
    """The values whose lines hold positions offset..offset+limit.

    `histogram` is (value, lines) in the page's order. Returns (WHERE text, its parameters, the
    (value, lines) chosen, lines before them, their lines). Values reach SQL as bound parameters.
    """
    before, start, chosen, size = 0, None, [], 0
    for value, n in histogram:
        if start is None:
            if before + n <= offset:
                before += n
                continue
            start = before
        if start + size >= offset + limit:
            break
        chosen.append((value, n))
        size += n
    if start is None:
        return "FALSE", [], [], before, 0
    known = [v for v, _ in chosen if v is not None]
    clauses = [f"r.{sort} IN ({', '.join('?' for _ in known)})"] if known else []
    if len(known) < len(chosen):
        clauses.append(f"r.{sort} IS NULL")
    return " OR ".join(clauses) or "FALSE", known, chosen, start, size


def _records_page_from_events(db: Database, f: Filters, limit: int, offset: int, sort: str,
                              direction: str) -> pd.DataFrame | None:
    """The page read from the first events in sort order; None when they may not hold all of it.

    Sorted by a column of the event, the item lines of one event sit next to each other, so the
    first `offset + limit` lines belong to the first `offset + limit` events in (sort, seizure_id)
    order, or to fewer. Reading those events first (the seizures file is sorted by operation and
    date, so most of it is skipped) and then only their item lines avoids joining every item line
    with its event. When a category filter leaves too few lines, more events are read; after a
    few tries the caller runs the plain query.
    """
    need = offset + limit
    ewhere, eparams = seizure_where(f, "s", with_categories=False)
    iwhere, iparams = "TRUE", []
    if f.categories:
        iwhere = f"i.category IN ({', '.join('?' for _ in f.categories)})"
        iparams = list(f.categories)
    cols = ", ".join(contract.RECORD_COLUMNS)
    order = f"{sort} {direction} NULLS LAST, seizure_id"
    ctes = (f"WITH ev AS (SELECT * FROM seizures s WHERE {ewhere} ORDER BY {order} LIMIT ?), "
            "lines AS (SELECT i.*, ev.* EXCLUDE (seizure_id) FROM seized_items i JOIN ev USING (seizure_id) "
            f"WHERE {iwhere}) ")
    events = max(need, 1) * (4 if f.categories else 1)  # a category filter leaves only some lines per event
    for _ in range(3):
        params = [*eparams, events, *iparams]
        frame = db.frame(
            f"{ctes}SELECT {cols}, count(*) OVER () AS _lines, (SELECT count(*) FROM ev) AS _events "
            f"FROM lines ORDER BY {order}, line_no LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        if len(frame):
            found, read = int(frame["_lines"].iloc[0]), int(frame["_events"].iloc[0])
        else:
            found, read = db.rows(f"{ctes}SELECT (SELECT count(*) FROM lines), (SELECT count(*) FROM ev)", params)[0]
        if found >= need or read < events:
            return frame.drop(columns=["_lines", "_events"])
        events *= 8
    return None




@query
def facets(db: Database, f: Filters, keys: tuple[str, ...] = tuple(COLUMNS)) -> dict[str, dict[str, int]]:
    """For each filter, the item lines each of its values would match under the other filters.

    All filters in one statement: the sidebar needs three, on every page.
    """
    table, lines = _lines(db)
    selects, params = [], []
    for k, key in enumerate(keys):
        where, more = record_where(f.without(key))
        selects.append(f"SELECT {k} AS _facet, {COLUMNS[key]} AS value, {lines} AS n "
                       f"FROM {table} r WHERE {where} GROUP BY ALL")
        params += more
    out: dict[str, dict[str, int]] = {key: {} for key in keys}
    for k, value, n in db.rows(" UNION ALL ".join(selects), params):
        out[keys[k]][value] = int(n)
    return out


@query
def map_points(db: Database, f: Filters) -> pd.DataFrame:
    """Seizure events aggregated by locality: one point per place, sized by events.

    Ties in the number of events are ordered by place, so the order does not depend on threads.
    """
    order = "ORDER BY events DESC, country_iso3, locality NULLS LAST, admin1 NULLS LAST"
    if db.rollups:
        where, params = rollup_events_where(f)
        return db.frame(
            "SELECT country_iso3, coalesce(locality, '?') AS locality, admin1, "
            "sum(geo_latitude) / sum(geo_events) AS latitude, sum(geo_longitude) / sum(geo_events) AS longitude, "
            "sum(geo_events)::BIGINT AS events, sum(geo_arrests) AS arrests FROM rollup_events s "
            f"WHERE {where} AND geo_events > 0 GROUP BY ALL {order}",
            params,
        )
    where, params = seizure_where(f)
    return db.frame(
        "SELECT country_iso3, coalesce(locality, '?') AS locality, admin1, "
        "avg(latitude) AS latitude, avg(longitude) AS longitude, count(*) AS events, "
        "sum(arrests) AS arrests FROM seizures s "
        f"WHERE {where} AND latitude IS NOT NULL AND longitude IS NOT NULL "
        f"GROUP BY ALL {order}",
        params,
    )


@query
def reconciliation(db: Database, include_sample: bool = True) -> pd.DataFrame:
    """Record totals against each published number that names an item and unit.

    Records are matched on operation, category, unit and (where the figure names one) item
    type; arrests are matched against the events' arrests.
    """
    sample_clause = "" if include_sample else "AND NOT r.is_sample"
    event_sample = "" if include_sample else "AND NOT s.is_sample"
    events, lines = ("rollup_events", "rollup_lines") if db.rollups else ("seizures", "records")
    return db.frame(
        "SELECT f.figure_id, f.operation_id, f.indicator, f.value, f.qualifier, f.unit, f.text, "
        "f.category, f.item_type, f.counts, f.source_id, "
        "CASE WHEN f.indicator = 'arrests' THEN "
        f"  (SELECT sum(s.arrests) FROM {events} s WHERE s.operation_id = f.operation_id {event_sample}) "
        "WHEN f.counts IS NOT NULL THEN "  # several categories or item types, as the source counts them
        f"  (SELECT sum(r.quantity) FROM {lines} r WHERE r.operation_id = f.operation_id AND r.unit = f.unit "
        "   AND list_has_any(string_split(f.counts, ' '), [r.category, r.category || '/' || r.item_type]) "
        f"  {sample_clause}) "
        f"ELSE (SELECT sum(r.quantity) FROM {lines} r WHERE r.operation_id = f.operation_id "
        "  AND r.category = f.category AND r.unit = f.unit "
        f"  AND (f.item_type IS NULL OR r.item_type = f.item_type) {sample_clause}) END AS records_total "
        "FROM figures f JOIN operations o USING (operation_id) "
        "WHERE f.shown AND f.value IS NOT NULL "
        "AND (f.category IS NOT NULL OR f.counts IS NOT NULL OR f.indicator = 'arrests') "
        "ORDER BY o.start_date, f.figure_id",
    )


@query
def sample_share(db: Database) -> dict[str, int]:
    """How many events are sample and how many come from reports."""
    if db.rollups:
        sample, real = db.rows(
            "SELECT coalesce(sum(events) FILTER (WHERE is_sample), 0), "
            "coalesce(sum(events) FILTER (WHERE NOT is_sample), 0) FROM rollup_events"
        )[0]
        return {"sample": int(sample), "real": int(real)}
    sample, real = db.rows(
        "SELECT count(*) FILTER (WHERE is_sample), count(*) FILTER (WHERE NOT is_sample) FROM seizures"
    )[0]
    return {"sample": int(sample), "real": int(real)}


@query
def records_by_source(db: Database) -> pd.DataFrame:
    if db.rollups:
        return db.frame(
            "SELECT source, is_sample, sum(events_with_lines)::BIGINT AS events, sum(lines)::BIGINT AS lines "
            "FROM rollup_events WHERE lines > 0 GROUP BY ALL ORDER BY is_sample, source"
        )
    return db.frame(
        "SELECT source, is_sample, count(DISTINCT seizure_id) AS events, count(*) AS lines "
        "FROM records GROUP BY ALL ORDER BY is_sample, source"
    )

"""What each rollup table holds, as SQL: the plain definitions and the staged build that makes them fast.

The plain definitions (`firearms_select`, `cells_sql`, `events_sql`, `itemsets_sql`, `LINES_SELECT`)
say what a table is in one statement over a records relation; the query layer runs them over the
views when it has no rollup (`KAFO_ROLLUPS=0`), and tests/store/test_rollup.py checks the staged
build against them, table for table.

The staged build (`create`, from `STAGED_FROM_LINES` item lines; below, the plain statements are faster)
gives the same rows without grouping the item lines by event and cell: at
10 M lines those groupings (9.6 M groups for the public cells, 3 M per firearm breakdown) took 15 s and
spilled to disk. Instead every distinct (category, unit, item type) of the data gets a code, each event
one grouping of its lines by seizure id with the set of its codes as a bit string (`bitstring_agg`), and
the events are then grouped by their columns and that set (hundreds of thousands of groups at 10 M
lines), each distinct set expanded once into its codes. An event is counted once in each cell its set
names, so event counts and key sums are exact; sums of quantities need no event and come from the lines
table. Firearm breakdowns do the same with one set per breakdown, packed with the sets of codes whose
lines have a tracing status and an established origin into 64-bit words (`bit_or`).
"""

from __future__ import annotations

import duckdb

from kafo_data import cellkey
from kafo_data.contract import seizures as contract

TABLES: tuple[str, ...] = ("rollup_lines", "rollup_events", "rollup_firearms", "rollup_cells", "rollup_itemsets")

LINE_KEYS = ("operation_id", "country_iso3", "category", "item_type", "unit", "seizure_date", "is_sample")
EVENT_KEYS = ("operation_id", "country_iso3", "admin1", "locality", "seizure_date", "is_sample", "source", "catmask")
LINES_ORDER = "operation_id, seizure_date, country_iso3, category, item_type, unit"
EVENTS_ORDER = "operation_id, seizure_date, country_iso3"
CELL_KEYS = ("by_item", "operation_id", "country_iso3", "month", "is_sample", "category", "unit", "item_type")
CELLS_ORDER = "by_item, operation_id, country_iso3, month, category, unit, item_type"

# Firearm lines (category firearms, always in pieces) for the Firearms page, one grouping set per breakdown.
# Every set keeps the event's own columns (what the filters restrict), so summing a set's rows over them
# never counts an event twice; the other columns of a set are what one event may have several of. `events`
# counts each event once per row, so a set's event counts are exact for any filter (kafo_data.firearms).
FIREARM_EVENT_KEYS = ("operation_id", "country_iso3", "seizure_date", "is_sample")
FIREARM_SETS: dict[str, tuple[str, ...]] = {
    "total": (),
    "marking": ("item_type", "marking_status"),
    "craft": ("item_type", "craft_made"),
    "made_in": ("country_of_manufacture",),
    "tracing": ("tracing_status",),
    "origin": ("illicit_origin",),
}
FIREARM_KEYS = ("gset", *FIREARM_EVENT_KEYS, "item_type", "marking_status", "craft_made",
                "country_of_manufacture", "tracing_status", "illicit_origin")
FIREARMS_ORDER = "gset, operation_id, seizure_date, country_iso3"


def firearms_select(records: str) -> str:
    """One part of `rollup_firearms` from a records relation: firearms, lines, events, key sums, the 16.4.2 counts.

    Two steps, so nothing counts an event twice and memory stays that of plain GROUP BYs (a DISTINCT
    count per grouping set ran 10 M lines out of memory): the firearm lines by event and every column
    (`f`), then each set's cells by event (`e`), then the cells. Each measure (`firearms`, `recorded`:
    tracing status given, `established`: origin established) has its events and their key sums
    (`kafo_data.cellkey`), so the public cells go through `cellkey.protect` as every public number does.
    """
    dims = FIREARM_KEYS[len(FIREARM_EVENT_KEYS) + 1:]
    event_keys = ", ".join(FIREARM_EVENT_KEYS)
    recorded, established = "tracing_status IS NOT NULL", "tracing_status = 'origin_established'"
    parts = []
    for name, extra in FIREARM_SETS.items():
        by = ", ".join((event_keys, *extra))
        columns = ", ".join(c if c in extra else f"NULL::{'BOOLEAN' if c == 'craft_made' else 'VARCHAR'} AS {c}"
                            for c in dims)
        measures = ["sum(q) AS firearms", "sum(n)::BIGINT AS lines", "count(*) AS events",
                    "sum(key_a) AS key_a", "sum(key_b) AS key_b"]
        for m in ("recorded", "established"):
            measures += [f"coalesce(sum({m}), 0) AS {m}", f"count({m}) AS {m}_events",
                         f"coalesce(sum(key_a) FILTER (WHERE {m} IS NOT NULL), 0) AS {m}_key_a",
                         f"coalesce(sum(key_b) FILTER (WHERE {m} IS NOT NULL), 0) AS {m}_key_b"]
        parts.append(
            f"SELECT '{name}' AS gset, {event_keys}, {columns}, {', '.join(measures)} "
            f"FROM (SELECT *, {cellkey.event_keys_sql()} FROM (SELECT seizure_id, {by}, sum(q) AS q, sum(n) AS n, "
            f"sum(recorded) AS recorded, sum(established) AS established FROM f GROUP BY ALL)) e GROUP BY ALL")
    return (f"WITH f AS (SELECT seizure_id, {event_keys}, {', '.join(dims)}, sum(quantity) AS q, count(*) AS n, "
            f"sum(quantity) FILTER (WHERE {recorded}) AS recorded, "
            f"sum(quantity) FILTER (WHERE {established}) AS established "
            f"FROM {records} WHERE category = 'firearms' GROUP BY ALL) " + " UNION ALL ".join(parts))


LINES_SELECT = f"""
SELECT {', '.join(LINE_KEYS)}, sum(quantity) AS quantity, count(*) AS lines
FROM {{records}}
GROUP BY ALL
"""

# One row per event with item lines: its category mask and its number of item lines.
PER_EVENT_SELECT = """
SELECT i.seizure_id, bit_or(b.bit) AS catmask, count(*) AS lines
FROM {items} i LEFT JOIN {bits} b USING (category)
GROUP BY i.seizure_id
"""

EVENTS_SELECT = """
WITH per_event AS ({per_event})
SELECT s.operation_id, s.country_iso3, s.admin1, s.locality, s.seizure_date, s.is_sample, s.source,
       coalesce(e.catmask, 0::UBIGINT) AS catmask,
       count(*) AS events,
       sum(s.key_a) AS key_a,
       sum(s.key_b) AS key_b,
       sum(s.arrests) AS arrests,
       coalesce(sum(e.lines), 0) AS lines,
       count(e.lines) AS events_with_lines,
       count(*) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_events,
       sum(s.arrests) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_arrests,
       sum(s.latitude) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_latitude,
       sum(s.longitude) FILTER (WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS geo_longitude
FROM (SELECT *, {keys} FROM {seizures}) s LEFT JOIN per_event e USING (seizure_id)
GROUP BY ALL
"""

# The public tables' cells (`kafo_data.seizures.public`): sums and distinct events with their cell key
# sums, by operation x country x month x sample x category x unit (by_item false) and also by item type
# (by_item true). Every column but category, unit and item type belongs to the event, so distinct
# events and their key sums add up over operations, countries, months and sample; the item type is
# the one column an event's lines differ in within a category, hence the two grains.
CELLS_SELECT = """
WITH lines AS (
    SELECT operation_id, country_iso3, date_trunc('month', seizure_date)::DATE AS month, is_sample, category,
           unit, item_type, seizure_id, sum(quantity) AS quantity, count(*) AS lines
    FROM {records} GROUP BY ALL
),
per_event AS (
    SELECT operation_id, country_iso3, month, is_sample, category, unit, seizure_id,
           sum(quantity) AS quantity, sum(lines) AS lines
    FROM lines GROUP BY ALL
)
SELECT FALSE AS by_item, operation_id, country_iso3, month, is_sample, category, unit, NULL::VARCHAR AS item_type,
       sum(quantity) AS quantity, sum(lines)::BIGINT AS lines, count(*) AS events,
       sum(key_a) AS key_a, sum(key_b) AS key_b
FROM (SELECT *, {keys} FROM per_event) GROUP BY ALL
UNION ALL
SELECT TRUE AS by_item, operation_id, country_iso3, month, is_sample, category, unit, item_type,
       sum(quantity) AS quantity, sum(lines)::BIGINT AS lines, count(*) AS events,
       sum(key_a) AS key_a, sum(key_b) AS key_b
FROM (SELECT *, {keys} FROM lines) GROUP BY ALL
"""


def cells_sql(records: str) -> str:
    """The `rollup_cells` rows of a relation of records (a batch's, or the `records` view itself)."""
    return CELLS_SELECT.format(records=records, keys=cellkey.event_keys_sql())


def bits_sql() -> str:
    """The category bits as an inline relation (category, bit), from the contract's order."""
    rows = ", ".join(f"('{name}', {1 << k}::UBIGINT)" for k, name in enumerate(contract.CATEGORIES))
    return f"(SELECT * FROM (VALUES {rows}) AS t(category, bit))"


def records_sql(items: str, seizures: str) -> str:
    """Item lines with their event's columns, from an items and a seizures relation."""
    return f"(SELECT i.*, s.* EXCLUDE (seizure_id) FROM {items} i JOIN {seizures} s USING (seizure_id))"


def events_sql(items: str, seizures: str) -> str:
    """The `rollup_events` rows of an items and a seizures relation (a batch's files, or the views)."""
    per_event = PER_EVENT_SELECT.format(items=items, bits=bits_sql())
    return EVENTS_SELECT.format(per_event=per_event, seizures=seizures, keys=cellkey.event_keys_sql())


# The events behind published figures (`seizures.public.reconciliation`): one row per operation x sample x
# unit x the set of what an event's lines of that unit are (`items`: each category, and category/item
# type), with how many events have exactly that set. An event is in one row per unit it has lines in, so
# the events matching a figure (its unit, any of its categories or category/item types) are one sum.
ITEMSET_KEYS = ("operation_id", "is_sample", "unit", "items")
ITEMSETS_ORDER = "operation_id, unit, is_sample"
ITEMS_LIST = "list_sort(list_distinct(list_concat(list(category), list(category || '/' || item_type))))"


def itemsets_sql(records: str) -> str:
    """The `rollup_itemsets` rows of a records relation, in one plain statement (the reference)."""
    return (f"SELECT operation_id, is_sample, unit, items, count(*)::BIGINT AS events FROM "
            f"(SELECT seizure_id, operation_id, is_sample, unit, {ITEMS_LIST} AS items FROM {records} "
            f"GROUP BY seizure_id, operation_id, is_sample, unit) GROUP BY ALL")


# ---------------------------------------------------------------------------------------------
# The staged build


def _same(columns: tuple[str, ...] | list[str], a: str, b: str) -> str:
    """A join condition equal on every column, NULL matching NULL (as GROUP BY groups them)."""
    return " AND ".join(f"{a}.{c} IS NOT DISTINCT FROM {b}.{c}" for c in columns)


CODE_COLUMNS = ("category", "unit", "item_type")
FIREARM_DIMS = FIREARM_KEYS[len(FIREARM_EVENT_KEYS) + 1:]
RECORDED, ESTABLISHED = "tracing_status IS NOT NULL", "coalesce(tracing_status = 'origin_established', FALSE)"
# The public cells' columns that belong to the event.
CELL_EVENT = ("operation_id", "country_iso3", "month", "is_sample")


def _bits(cur: duckdb.DuckDBPyConnection, name: str, sets: str, mask: str, codes: str) -> None:
    """A temporary table `name` of (mask, code, the code's columns): every code each distinct set of `sets` holds.

    Joining the groups to it on their set expands each into its codes without testing every code of every group.
    """
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT m.mask, c.* FROM (SELECT DISTINCT {mask} AS mask "
                f"FROM {sets} WHERE {mask} IS NOT NULL) m JOIN {codes} c ON get_bit(m.mask, c.code) = 1")


# Fewer item lines than this: each table by its plain statement (five statements beat the staged build's twenty
# up to about 300,000 lines: 30 ms against 73 ms for the shipped data, 185 against 241 ms at 100,000 lines).
STAGED_FROM_LINES = 300_000


def create(cur: duckdb.DuckDBPyConnection, items: str, seizures: str) -> dict[str, str]:
    """Build every table of `TABLES` from an items and a seizures relation as temporary tables of `cur`.

    Returns table -> the temporary table holding its rows (unordered); `drop` removes them.
    """
    if cur.execute(f"SELECT count(*) FROM {items}").fetchone()[0] < STAGED_FROM_LINES:
        records = records_sql(items, seizures)
        plain = {"rollup_lines": LINES_SELECT.format(records=records), "rollup_events": events_sql(items, seizures),
                 "rollup_firearms": firearms_select(records), "rollup_cells": cells_sql(records),
                 "rollup_itemsets": itemsets_sql(records)}
        for table, sql in plain.items():
            cur.execute(f"CREATE OR REPLACE TEMP TABLE rb_plain_{table} AS {sql}")
        return {table: f"rb_plain_{table}" for table in plain}
    keys = cellkey.event_keys_sql()
    cur.execute(f"CREATE OR REPLACE TEMP TABLE rb_lines AS {LINES_SELECT.format(records=records_sql(items, seizures))}")
    cols = ", ".join(CODE_COLUMNS)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE rb_codes AS SELECT (row_number() OVER (ORDER BY {cols}) - 1)::INTEGER "
                f"AS code, d.*, b.bit FROM (SELECT DISTINCT {cols} FROM {items}) d LEFT JOIN {bits_sql()} b "
                "USING (category)")
    top = max(cur.execute("SELECT count(*) FROM rb_codes").fetchone()[0] - 1, 0)
    # each event with item lines: category mask, lines, and the set of its (category, unit, item type) codes
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE rb_events AS SELECT i.seizure_id, bit_or(c.bit) AS catmask, count(*) AS lines, "
        f"bitstring_agg(c.code, 0, {top}) AS codes FROM {items} i JOIN rb_codes c "
        f"ON {_same(CODE_COLUMNS, 'i', 'c')} GROUP BY i.seizure_id")
    per_event = "SELECT seizure_id, catmask, lines FROM rb_events"
    cur.execute("CREATE OR REPLACE TEMP TABLE rb_out_events AS "
                + EVENTS_SELECT.format(per_event=per_event, seizures=seizures, keys=keys))
    # events grouped by the public cells' event columns and their set of codes
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE rb_cellsets AS SELECT s.operation_id, s.country_iso3, s.month, s.is_sample, "
        "e.codes, count(*) AS events, sum(s.key_a) AS key_a, sum(s.key_b) AS key_b FROM "
        "(SELECT seizure_id, operation_id, country_iso3, date_trunc('month', seizure_date)::DATE AS month, "
        f"is_sample, {keys} FROM {seizures}) s JOIN rb_events e USING (seizure_id) GROUP BY ALL")
    _bits(cur, "rb_cellbits", "rb_cellsets", "codes", "rb_codes")
    # per distinct set: its (category, unit) pairs, and per unit what its lines are (the itemsets' `items`)
    cur.execute("CREATE OR REPLACE TEMP TABLE rb_cubits AS SELECT DISTINCT mask, category, unit FROM rb_cellbits")
    cur.execute(f"CREATE OR REPLACE TEMP TABLE rb_unititems AS SELECT mask, unit, {ITEMS_LIST} AS items "
                "FROM rb_cellbits GROUP BY mask, unit")
    ev = ", ".join(CELL_EVENT)
    measures = "sum(g.events)::BIGINT AS events, sum(g.key_a) AS key_a, sum(g.key_b) AS key_b"
    by_item = (f"(SELECT {ev}, category, unit, item_type, {measures} FROM rb_cellsets g JOIN rb_cellbits b "
               "ON g.codes = b.mask GROUP BY ALL)")
    by_category = (f"(SELECT {ev}, category, unit, {measures} FROM rb_cellsets g JOIN rb_cubits b "
                   "ON g.codes = b.mask GROUP BY ALL)")
    sums = (f"(SELECT {ev}, category, unit, item_type, sum(quantity) AS quantity, sum(lines) AS lines FROM "
            f"(SELECT *, date_trunc('month', seizure_date)::DATE AS month FROM rb_lines) GROUP BY ALL)")
    sums_by_category = (f"(SELECT {ev}, category, unit, sum(quantity) AS quantity, sum(lines) AS lines FROM {sums} "
                        "GROUP BY ALL)")
    q_ev = ", ".join("q." + c for c in CELL_EVENT)
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE rb_out_cells AS SELECT FALSE AS by_item, {q_ev}, q.category, q.unit, "
        "NULL::VARCHAR AS item_type, q.quantity, q.lines::BIGINT AS lines, e.events, e.key_a, e.key_b "
        f"FROM {sums_by_category} q JOIN {by_category} e ON {_same((*CELL_EVENT, 'category', 'unit'), 'q', 'e')} "
        f"UNION ALL SELECT TRUE AS by_item, {q_ev}, q.category, q.unit, "
        "q.item_type, q.quantity, q.lines::BIGINT AS lines, e.events, e.key_a, e.key_b "
        f"FROM {sums} q JOIN {by_item} e ON {_same((*CELL_EVENT, 'category', 'unit', 'item_type'), 'q', 'e')}")
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE rb_out_itemsets AS SELECT g.operation_id, g.is_sample, b.unit, b.items, "
        "sum(g.events)::BIGINT AS events FROM (SELECT operation_id, is_sample, codes, sum(events) AS events "
        "FROM rb_cellsets GROUP BY ALL) g JOIN rb_unititems b ON g.codes = b.mask GROUP BY ALL")
    _firearms(cur, items, seizures, keys)
    return {"rollup_lines": "rb_lines", "rollup_events": "rb_out_events", "rollup_firearms": "rb_out_firearms",
            "rollup_cells": "rb_out_cells", "rollup_itemsets": "rb_out_itemsets"}


def _firearms(cur: duckdb.DuckDBPyConnection, items: str, seizures: str, keys: str) -> None:
    """`rollup_firearms` as the temporary table rb_out_firearms: one set of codes per breakdown and measure."""
    fire = f"(SELECT *, {RECORDED} AS rec, {ESTABLISHED} AS est FROM {items} WHERE category = 'firearms')"
    ev = ", ".join(FIREARM_EVENT_KEYS)
    sets = {name: extra for name, extra in FIREARM_SETS.items() if extra}
    # every distinct combination of the breakdowns' columns, with its code in each breakdown
    ranks = ", ".join(f"(dense_rank() OVER (ORDER BY {', '.join(extra)}) - 1)::INTEGER AS {name}_code"
                      for name, extra in sets.items())
    cur.execute(f"CREATE OR REPLACE TEMP TABLE rb_fcodes AS SELECT *, {ranks} FROM "
                f"(SELECT DISTINCT {', '.join(FIREARM_DIMS)} FROM {fire})")
    aggs, words = ["bool_or(rec) AS rec", "bool_or(est) AS est"], {}
    for name, extra in sets.items():
        cur.execute(f"CREATE OR REPLACE TEMP TABLE rb_fcodes_{name} AS SELECT DISTINCT {name}_code AS code, "
                    f"{', '.join(extra)} FROM rb_fcodes")
        n = cur.execute(f"SELECT count(*) FROM rb_fcodes_{name}").fetchone()[0]
        words[name] = [f"{name}_w{w}" for w in range(max(1, -(-3 * n // 64)))]
        aggs += [f"bit_or({_packed(f'{name}_code', n, w)}) AS {word}" for w, word in enumerate(words[name])]
    # each event with firearm lines: its columns, keys, and per breakdown the sets of codes
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE rb_fevents AS SELECT s.*, e.* EXCLUDE (seizure_id) FROM "
        f"(SELECT i.seizure_id, {', '.join(aggs)} FROM {fire} i JOIN rb_fcodes c ON {_same(FIREARM_DIMS, 'i', 'c')} "
        f"GROUP BY i.seizure_id) e JOIN (SELECT seizure_id, {ev}, {keys} FROM {seizures}) s USING (seizure_id)")
    # sums by breakdown: plain sums over the lines, no event counted
    line_parts = [f"SELECT '{name}' AS gset, {ev}, {_dims(extra)}, sum(quantity) AS firearms, count(*) AS lines, "
                  "coalesce(sum(quantity) FILTER (WHERE rec), 0) AS recorded, "
                  "coalesce(sum(quantity) FILTER (WHERE est), 0) AS established FROM l GROUP BY ALL"
                  for name, extra in FIREARM_SETS.items()]
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE rb_flines AS WITH l AS (SELECT i.*, "
        f"{', '.join('e.' + c for c in FIREARM_EVENT_KEYS)} FROM {fire} i JOIN rb_fevents e USING (seizure_id)) "
        + " UNION ALL ".join(line_parts))
    # events by breakdown: events grouped by their columns and sets, each set expanded into its codes
    measures = ("sum(events)::BIGINT AS events, sum(key_a) AS key_a, sum(key_b) AS key_b, "
                "sum(events) FILTER (WHERE r)::BIGINT AS recorded_events, "
                "coalesce(sum(key_a) FILTER (WHERE r), 0) AS recorded_key_a, "
                "coalesce(sum(key_b) FILTER (WHERE r), 0) AS recorded_key_b, "
                "sum(events) FILTER (WHERE x)::BIGINT AS established_events, "
                "coalesce(sum(key_a) FILTER (WHERE x), 0) AS established_key_a, "
                "coalesce(sum(key_b) FILTER (WHERE x), 0) AS established_key_b")
    group = "count(*) AS events, sum(key_a) AS key_a, sum(key_b) AS key_b FROM rb_fevents GROUP BY ALL"
    parts = [f"SELECT 'total' AS gset, {ev}, {_dims(())}, {measures} FROM "
             f"(SELECT {ev}, rec AS r, est AS x, {group}) GROUP BY ALL"]
    for name, extra in sets.items():
        cols = ", ".join(words[name])
        n = cur.execute(f"SELECT count(*) FROM rb_fcodes_{name}").fetchone()[0]
        cur.execute(f"CREATE OR REPLACE TEMP TABLE rb_fsets_{name} AS SELECT {ev}, {cols}, {group}")
        # each distinct set of the groups, expanded into its codes, with whether the code's lines were traced
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE rb_fbits_{name} AS SELECT m.*, c.*, {_has(words[name], 'c.code', n)} AS r, "
            f"{_has(words[name], f'c.code + {2 * n}')} AS x FROM (SELECT DISTINCT {cols} FROM rb_fsets_{name}) m "
            f"JOIN rb_fcodes_{name} c ON {_has(words[name], 'c.code')}")
        parts.append(
            f"SELECT '{name}' AS gset, {ev}, {_dims(extra)}, {measures} FROM (SELECT g.*, b.* EXCLUDE ({cols}) "
            f"FROM rb_fsets_{name} g JOIN rb_fbits_{name} b USING ({cols})) GROUP BY ALL")
    cells = " UNION ALL ".join(f"({p})" for p in parts)
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE rb_out_firearms AS SELECT {', '.join('l.' + k for k in FIREARM_KEYS)}, "
        "l.firearms, l.lines, c.events, c.key_a, c.key_b, l.recorded, "
        "coalesce(c.recorded_events, 0) AS recorded_events, c.recorded_key_a, c.recorded_key_b, l.established, "
        "coalesce(c.established_events, 0) AS established_events, c.established_key_a, c.established_key_b "
        f"FROM rb_flines l JOIN ({cells}) c ON {_same(FIREARM_KEYS, 'l', 'c')}")


def _packed(code: str, n: int, word: int) -> str:
    """Word `word` of a line's bits: its code (bit code), traced (n + code) and origin established (2n + code)."""
    out = []
    for offset, when in ((0, "TRUE"), (n, "rec"), (2 * n, "est")):
        position = f"({code} + {offset})"
        out.append(f"CASE WHEN {when} AND {position} // 64 = {word} THEN 1::UBIGINT << ({position} % 64) "
                   "ELSE 0::UBIGINT END")
    return " | ".join(out)


def _has(words: list[str], position: str, offset: int = 0) -> str:
    """Whether the bit at `position` (+ offset) is set in the words (columns named in `words`, 64 bits each)."""
    at = f"({position} + {offset})"
    word = "CASE " + " ".join(f"WHEN {at} // 64 = {w} THEN {name}" for w, name in enumerate(words)) + " END"
    return f"(({word} >> ({at} % 64)::UBIGINT) & 1::UBIGINT) = 1"


def _dims(extra: tuple[str, ...]) -> str:
    """The firearm breakdown columns, NULL where the set does not have them."""
    return ", ".join(c if c in extra else f"NULL::{'BOOLEAN' if c == 'craft_made' else 'VARCHAR'} AS {c}"
                     for c in FIREARM_DIMS)


def drop(cur: duckdb.DuckDBPyConnection) -> None:
    """Remove the temporary tables `create` made."""
    names = [r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE temporary "
                                       "AND table_name LIKE 'rb\\_%' ESCAPE '\\'").fetchall()]
    for name in names:
        cur.execute(f"DROP TABLE IF EXISTS temp.{name}")

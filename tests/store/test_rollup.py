"""The rollup answers exactly what the plain SQL over the record views answers, for many filters.

The plain path (`Database(rollups=False)`) is the query layer that tests/seizures/test_queries.py checks
against pandas; here every query is run both ways on data made to be awkward for a rollup: several
batches, real and sample records, fractional quantities, events without item lines or coordinates,
day bounds inside months, and categories that leave some events with no matching line.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kafo_data.contract import seizures as contract
from kafo_data.sample.seizures import synthetic, write_batch
from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters
from kafo_data.store import rollup, rollup_sql
from kafo_data.store.db import Database
from tests.conftest import DATA

pytestmark = pytest.mark.xdist_group("rollup-awkward")  # one worker builds the awkward data and its two databases

OPERATIONS = ("KAFO-I", "KAFO-II", "KAFO-III", "KAFO-IV", "KAFO-V", "TRIGGER-VIII")
COUNTRIES = ("BFA", "CIV", "GHA", "MLI", "NER", "SEN", "TGO", "BEN", "GIN", "NGA")
PLACES = [("Niamey", "Niamey", 13.51, 2.11), ("Sikasso", "Sikasso", 11.32, -5.67), (None, None, 12.0, -1.5)]


def _awkward_batch(root: Path, rows: int, seed: int, real: bool) -> tuple[pa.Table, pa.Table]:
    """Synthetic records made harder: fractional quantities, places, missing coordinates, item-less events."""
    seizures, items = synthetic(root, rows, seed)
    rng = np.random.default_rng(seed)
    prefix = f"B{seed}-"
    ids = pa.array([prefix + s for s in seizures.column("seizure_id").to_pylist()])
    n = seizures.num_rows
    picks = rng.integers(0, len(PLACES), n)
    lat = [None if k % 7 == 3 else PLACES[p][2] + 0.25 * (k % 3) for k, p in enumerate(picks)]
    s = seizures.to_pandas()
    s["seizure_id"] = ids.to_pylist()
    s["admin1"] = [PLACES[p][0] for p in picks]
    s["locality"] = [PLACES[p][1] for p in picks]
    s["latitude"] = lat
    s["longitude"] = [None if k % 11 == 5 else PLACES[p][3] for k, p in enumerate(picks)]
    s["is_sample"] = not real
    s["source"] = "report" if real else "synthetic"
    i = items.to_pandas()
    i["seizure_id"] = prefix + i["seizure_id"]
    i["quantity"] = i["quantity"] + np.where(np.arange(len(i)) % 4 == 0, 0.25, 0.0)
    dropped = set(s["seizure_id"].iloc[::13])  # these events keep no item line at all
    i = i[~i["seizure_id"].isin(dropped)]
    schema_s = seizures.schema
    schema_i = items.schema
    return (pa.Table.from_pandas(s, schema=schema_s, preserve_index=False),
            pa.Table.from_pandas(i, schema=schema_i, preserve_index=False))


@pytest.fixture(scope="module")
def awkward_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rollup") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("tmp", "rejected"))
    for seed, real in ((11, False), (12, True)):
        s, i = _awkward_batch(root, 3000, seed, real)
        write_batch(root, f"batch-{seed}", s, i, {"kind": "report" if real else "synthetic"})
    return root


def _filters(count: int, seed: int = 7) -> list[Filters]:
    rng = random.Random(seed)
    out = [
        Filters(),
        Filters(operations=("KAFO-III",)),
        Filters(categories=("detonators",)),
        Filters(categories=("other_contraband", "explosives"), include_sample=False),
        Filters(date_from=dt.date(2021, 12, 10), date_to=dt.date(2021, 12, 20)),
        Filters(operations=("KAFO-II",), countries=("NER",), categories=("firearms",),
                date_from=dt.date(2020, 12, 1), date_to=dt.date(2020, 12, 3)),
        Filters(include_sample=False),
        Filters(countries=("ZZZ",)),
    ]
    for _ in range(count):
        day = dt.date(2019, 11, 1) + dt.timedelta(days=rng.randint(0, 1900))
        span = dt.timedelta(days=rng.randint(0, 400))
        dates = rng.choice([(None, None), (day, None), (None, day), (day, day + span)])
        out.append(Filters(
            operations=tuple(sorted(rng.sample(OPERATIONS, rng.choice([0, 0, 1, 2])))),
            countries=tuple(sorted(rng.sample(COUNTRIES, rng.choice([0, 0, 1, 3])))),
            categories=tuple(sorted(rng.sample(contract.CATEGORIES, rng.choice([0, 0, 1, 2])))),
            date_from=dates[0], date_to=dates[1], include_sample=rng.random() < 0.8,
        ))
    return out


FILTERS = _filters(30)


@pytest.fixture(scope="module")
def both(awkward_data: Path):
    # in_memory_bytes=0: the records stay parquet views, as with millions of lines, so the page of
    # records takes its events-first path
    fast, plain = Database(awkward_data, rollups=True, in_memory_bytes=0), Database(awkward_data, rollups=False)
    yield fast, plain
    fast.close()
    plain.close()


def _same(got: object, expected: object, exact: bool = True) -> None:
    if isinstance(expected, dict) and any(isinstance(v, pd.DataFrame) for v in expected.values()):
        assert isinstance(got, dict) and list(got) == list(expected)
        for key in expected:
            _same(got[key], expected[key], exact)
    elif isinstance(expected, pd.DataFrame):
        assert isinstance(got, pd.DataFrame)
        pd.testing.assert_frame_equal(got, expected, check_exact=exact, rtol=1e-12, atol=0)
    else:
        assert got == expected


@pytest.mark.parametrize("f", FILTERS, ids=[f"filters{k}" for k in range(len(FILTERS))])
def test_every_filtered_query_equals_the_plain_path(both, f):
    fast, plain = both
    for name in ("events_summary", "record_count"):
        _same(getattr(queries, name)(fast, f), getattr(queries, name)(plain, f))
    for part in queries.BREAKDOWNS:  # each part alone, as one chart asks for it
        _same(queries.breakdowns(fast, f, (part,)), queries.breakdowns(plain, f, (part,)))
    for key in ("operation", "country", "category"):
        _same(queries.facets(fast, f, (key,)), queries.facets(plain, f, (key,)))
    _same(queries.facets(fast, f), queries.facets(plain, f))
    summaries = queries.operation_summaries(fast, f)
    _same(summaries, queries.operation_summaries(plain, f))
    for op, summary in summaries.items():
        _same(summary, queries.events_summary(plain, f.for_operation(op)))
    sums = queries.breakdowns(fast, f)
    assert sums.keys() == queries.BREAKDOWNS.keys()
    for part in queries.BREAKDOWNS:
        _same(sums[part], queries.breakdowns(plain, f)[part])
        _same(sums[part], queries.breakdowns(plain, f, (part,))[part])


@pytest.mark.parametrize("f", FILTERS, ids=[f"filters{k}" for k in range(len(FILTERS))])
def test_map_points_equal_the_plain_path(both, f):
    """Counts and arrests exactly; average coordinates to the last bits of a float sum's order."""
    fast, plain = both
    got, expected = queries.map_points(fast, f), queries.map_points(plain, f)
    coords = ["latitude", "longitude"]
    _same(got.drop(columns=coords), expected.drop(columns=coords))
    pd.testing.assert_frame_equal(got[coords], expected[coords], check_exact=False, rtol=1e-12, atol=0)


@pytest.mark.parametrize("f", FILTERS[:16], ids=[f"filters{k}" for k in range(16)])
def test_records_pages_equal_the_plain_path(both, f):
    fast, plain = both
    for sort, descending, limit, offset in [("seizure_date", False, 50, 0), ("seizure_date", True, 25, 40),
                                            ("agency", False, 10, 7), ("arrests", True, 30, 0),
                                            ("seizure_id", False, 20, 3), ("quantity", True, 10, 0),
                                            ("seizure_date", False, 50, 100_000)]:
        kwargs = {"limit": limit, "offset": offset, "sort": sort, "descending": descending}
        _same(queries.records_page(fast, f, **kwargs), queries.records_page(plain, f, **kwargs))


@pytest.mark.parametrize("include_sample", [True, False])
def test_unfiltered_summaries_equal_the_plain_path(both, include_sample):
    fast, plain = both
    _same(queries.reconciliation(fast, include_sample), queries.reconciliation(plain, include_sample))
    _same(queries.sample_share(fast), queries.sample_share(plain))
    _same(queries.records_by_source(fast), queries.records_by_source(plain))


def test_shipped_data_gives_the_same_answers_every_way():
    """Rollups or not, records read from the parquet files or copied into memory (small data)."""
    fast, plain = Database(DATA, rollups=True, in_memory_bytes=0), Database(DATA, rollups=False, in_memory_bytes=0)
    memory = Database(DATA, rollups=True, in_memory_bytes=2**30)
    try:
        memory.version()
        assert memory.records_in_memory and not fast.records_in_memory
        for f in FILTERS[:8]:
            for name, ask in (("breakdowns", lambda db, f: queries.breakdowns(db, f, ("totals", "country", "month"))),
                              ("events_summary", queries.events_summary), ("records_page", queries.records_page),
                              ("map_points", queries.map_points)):
                expected = ask(plain, f)
                # a place's mean coordinates: avg() here, sum/sum over the rollup there; floats summed
                # in another order may differ in the last bit, so those compare to 1e-12
                _same(ask(fast, f), expected, exact=name != "map_points")
                _same(ask(memory, f), expected, exact=name != "map_points")
            for sort, descending in (("seizure_date", True), ("quantity", False), ("agency", False)):
                _same(queries.records_page(memory, f, limit=20, offset=5, sort=sort, descending=descending),
                      queries.records_page(plain, f, limit=20, offset=5, sort=sort, descending=descending))
        _same(queries.reconciliation(fast), queries.reconciliation(plain))
    finally:
        for db in (fast, plain, memory):
            db.close()


def test_the_staged_build_gives_every_table_of_the_plain_definitions(awkward_data, monkeypatch):
    """`rollup.build` (codes, sets of codes per event, groups of events) against each table's one-statement SQL.

    The staged build runs from 300,000 item lines (below, the plain statements are faster): here it is forced.
    """
    monkeypatch.setattr(rollup_sql, "STAGED_FROM_LINES", 0)
    plain = {"rollup_lines": rollup_sql.LINES_SELECT.format(records="records"),
             "rollup_events": rollup_sql.events_sql("seized_items", "seizures"),
             "rollup_firearms": rollup_sql.firearms_select("records"),
             "rollup_cells": rollup_sql.cells_sql("records"),
             "rollup_itemsets": rollup_sql.itemsets_sql("records")}
    assert set(plain) == set(rollup.TABLES)
    db = Database(awkward_data, rollups=False)
    try:
        db.version()
        rollup.build(db._con)
        for table, sql in plain.items():
            order = ", ".join(f"{k}::VARCHAR NULLS FIRST" for k in rollup.KEYED[table][0])
            got = db.frame(f"SELECT * FROM {table} ORDER BY {order}")
            want = db.frame(f"SELECT * FROM ({sql}) ORDER BY {order}")
            assert len(want) > 10, table
            lists = [c for c in want.columns if isinstance(want[c].iloc[0], list | np.ndarray)]
            for frame in (got, want):
                frame[lists] = frame[lists].map(tuple)
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_dtype=False)
    finally:
        db.close()


def test_rollup_is_stored_reused_and_rebuilt_when_data_changes(awkward_data, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(awkward_data, root, ignore=shutil.ignore_patterns("tmp"))
    first = Database(root)
    version = first.version()
    assert (rollup.stored_dir(root, version) / "rollup_lines.parquet").is_file()
    second = Database(root)
    second.version()
    _same(queries.breakdowns(second, Filters(), ("totals",)), queries.breakdowns(first, Filters(), ("totals",)))

    s, i = _awkward_batch(root, 500, 99, real=True)
    write_batch(root, "batch-99", s, i, {"kind": "report"})
    plain = Database(root, rollups=False)
    assert first.version() != version
    _same(queries.events_summary(first, Filters(include_sample=False)),
          queries.events_summary(plain, Filters(include_sample=False)))
    assert not rollup.stored_dir(root, version).exists()
    for db in (first, second, plain):
        db.close()


def test_a_category_filter_counts_events_that_have_such_an_item_once(both):
    """The category mask keeps an event once, however many matching lines it has."""
    fast, _ = both
    many = queries.events_summary(fast, Filters(categories=("firearms", "ammunition")))
    one = queries.events_summary(fast, Filters(categories=("firearms",)))
    other = queries.events_summary(fast, Filters(categories=("ammunition",)))
    assert max(one["events"], other["events"]) <= many["events"] < one["events"] + other["events"]

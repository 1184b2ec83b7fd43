"""The query layer against an independent computation (pyarrow + pandas, no DuckDB)."""

from __future__ import annotations

import datetime as dt

import pytest

from kafo_data.errors import FilterError
from kafo_data.filtering import check, from_params, to_params
from kafo_data.sample.seizures import synthetic, write_batch
from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters
from kafo_data.store.batches import remove_batch
from kafo_data.store.db import Database, get_database
from tests.conftest import read_records, select_records

COMBINATIONS = [
    Filters(),
    Filters(operations=("KAFO-II",)),
    Filters(operations=("KAFO-II",), countries=("NER", "MLI")),
    Filters(categories=("firearms", "ammunition")),
    Filters(operations=("KAFO-III", "KAFO-V"), countries=("BFA",), categories=("explosives",)),
    Filters(date_from=dt.date(2020, 12, 1), date_to=dt.date(2021, 12, 31)),
    Filters(countries=("CIV",), date_from=dt.date(2019, 11, 13)),
    Filters(countries=("GHA",), operations=("KAFO-I",)),
]


@pytest.mark.parametrize("f", COMBINATIONS)
def test_totals_by_category_and_unit_match_independent_computation(repo_data, f):
    _, records = read_records(repo_data)
    expected = select_records(records, f).groupby(["category", "unit"]).quantity.sum().to_dict()
    got = queries.breakdowns(get_database(repo_data), check(f, queries.known(get_database(repo_data))),
                             ("totals",))["totals"]
    assert {(r.category, r.unit): r.quantity for r in got.itertuples()} == expected


@pytest.mark.parametrize("f", COMBINATIONS)
def test_events_and_arrests_match_and_are_not_multiplied_by_item_lines(repo_data, f):
    seizures, records = read_records(repo_data)
    ids = set(select_records(records, f).seizure_id)
    events = seizures[seizures.seizure_id.isin(ids)]
    got = queries.events_summary(get_database(repo_data), f)
    assert got["events"] == len(events)
    assert got["arrests"] == events.arrests.sum()
    assert got["lines"] == len(select_records(records, f))


def test_arrests_would_be_inflated_by_a_naive_join(repo_data):
    """The guard above is meaningful: events with several item lines exist in the sample."""
    _, records = read_records(repo_data)
    naive = records.arrests.sum()
    assert naive > queries.events_summary(get_database(repo_data), Filters())["arrests"]


def test_units_are_never_added_together(repo_data):
    db = get_database(repo_data)
    totals = queries.breakdowns(db, Filters(categories=("detonators",)), ("totals",))["totals"]
    assert set(zip(totals.category, totals.unit, strict=False)) == {("detonators", "cords"), ("detonators", "m")}
    for frame in queries.breakdowns(db, Filters()).values():
        assert "unit" in frame.columns
        keys = [c for c in frame.columns if c not in ("quantity", "lines")]
        assert not frame.duplicated(keys).any()


@pytest.mark.parametrize("evil", [
    "KAFO-II' OR '1'='1", "KAFO-II); DROP TABLE seizures; --", "NER\x00", "' UNION SELECT * FROM sources --",
])
def test_injection_attempts_are_refused_before_sql(repo_data, evil):
    known = queries.known(get_database(repo_data))
    with pytest.raises(FilterError):
        check(Filters(operations=(evil,)), known)
    with pytest.raises(FilterError):
        check(Filters(countries=(evil,)), known)
    f, notices = from_params(Filters, {"operation": [evil, "KAFO-II"], "country": [evil]}, known)
    assert f.operations == ("KAFO-II",) and f.countries == ()
    assert len(notices) == 2 and evil in notices[0]


def test_sql_receives_values_only_as_parameters(repo_data):
    """Even a value that slipped past the check could not change the SQL text."""
    from kafo_data.seizures.filters import record_where

    sql, params = record_where(Filters(operations=("x' OR 1=1 --",)))
    assert "OR 1=1" not in sql and params == ["x' OR 1=1 --"]
    assert queries.record_count(get_database(repo_data), Filters(operations=("x' OR 1=1 --",))) == 0


def test_url_round_trip_and_notices(repo_data):
    known = queries.known(get_database(repo_data))
    f = Filters(operations=("KAFO-II",), countries=("MLI", "NER"), categories=("firearms",),
                date_from=dt.date(2020, 11, 30), date_to=dt.date(2020, 12, 6))
    params = to_params(f)
    assert params == {"operation": ["KAFO-II"], "country": ["MLI", "NER"], "category": ["firearms"],
                      "from": ["2020-11-30"], "to": ["2020-12-06"]}
    assert from_params(Filters, params, known) == (f, [])
    _, notices = from_params(Filters, {"from": ["30/11/2020"], "category": ["guns"]}, known)
    assert notices == ["category: guns", "from: 30/11/2020"]


def test_facet_counts_equal_the_count_with_that_value_under_other_filters(repo_data):
    db = get_database(repo_data)
    f = Filters(operations=("KAFO-III",), categories=("firearms",))
    counts = queries.facets(db, f, ("country",))["country"]
    assert counts
    for iso, n in counts.items():
        assert n == queries.record_count(db, Filters(operations=("KAFO-III",), categories=("firearms",),
                                                     countries=(iso,)))


def test_records_page_is_sorted_limited_and_refuses_unknown_sort(repo_data):
    db = get_database(repo_data)
    page = queries.records_page(db, Filters(), limit=25, offset=10, sort="quantity", descending=True)
    assert len(page) == 25
    assert list(page.quantity) == sorted(page.quantity, reverse=True)
    with pytest.raises(ValueError):
        queries.records_page(db, Filters(), sort="quantity; DROP TABLE x")


def test_new_batch_shows_without_restart_and_can_be_excluded_as_sample(data_copy):
    db = get_database(data_copy)
    before = queries.events_summary(db, Filters())
    version = db.version()
    seizures, items = synthetic(data_copy, 50, seed=1)
    real = seizures.set_column(seizures.schema.get_field_index("is_sample"), "is_sample",
                               [[False] * seizures.num_rows])
    lines = queries.record_count(db, Filters())
    write_batch(data_copy, "report-1", real, items, {"kind": "report"})
    assert db.version() != version
    after = queries.events_summary(db, Filters())
    assert after["events"] == before["events"] + seizures.num_rows
    assert queries.events_summary(db, Filters(include_sample=False))["events"] == seizures.num_rows
    assert queries.record_count(db, Filters()) == lines + items.num_rows  # the kept total follows the data
    remove_batch(data_copy, "report-1")
    assert queries.record_count(db, Filters()) == lines
    assert queries.events_summary(db, Filters()) == before


def test_records_move_between_memory_and_files_as_the_data_grows(data_copy):
    """Small record files are copied into memory; past the threshold the same Database reads the files."""
    shipped = sum(f.stat().st_size for f in (data_copy / "batches").rglob("*.parquet"))
    db = Database(data_copy, in_memory_bytes=shipped)
    try:
        first = queries.records_page(db, Filters(), limit=20)
        assert db.records_in_memory
        seizures, items = synthetic(data_copy, 2000, seed=2)
        write_batch(data_copy, "report-big", seizures, items, {"kind": "report"})
        total = queries.record_count(db, Filters())
        assert not db.records_in_memory
        assert total == len(queries.records_page(db, Filters(), limit=10**6))
        remove_batch(data_copy, "report-big")
        assert queries.records_page(db, Filters(), limit=20).equals(first)
        assert db.records_in_memory
    finally:
        db.close()


def test_reconciliation_accounts_for_published_figures(repo_data):
    rec = queries.reconciliation(get_database(repo_data)).set_index("figure_id")
    assert rec.loc["k2-ammunition", "records_total"] == 6162
    assert rec.loc["k5-arrests", "records_total"] == 75
    assert rec.loc["k5-detonating-cord", "records_total"] == 5200

"""The public query API against an independent computation (pyarrow + pandas, no DuckDB).

What a donor may see: sums by operation, country, category, item type and month, by unit, each
resting on at least k seizure events; every cell of fewer reads "fewer than k" (None here), and
no suppressed cell can be found by subtracting the shown ones from the total beside them.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kafo_data import gate
from kafo_data.seizures import public, queries
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.db import Database
from tests.conftest import DATA, read_records

K = 3
FORBIDDEN = {"seizure_id", "seizure_date", "admin1", "locality", "latitude", "longitude", "agency",
             "criminal_context", "source", "calibre", "make", "batch_id"}
CASES = [PublicFilters(), PublicFilters(operations=("KAFO-II",)), PublicFilters(countries=("GHA", "SEN")),
         PublicFilters(categories=("explosives",), include_sample=True),
         PublicFilters(operations=("KAFO-III",), countries=("NER",), categories=("firearms",))]


@pytest.fixture(scope="module")
def db() -> Database:
    return Database(DATA)


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return read_records(DATA)[1]


def select(records: pd.DataFrame, pf: PublicFilters) -> pd.DataFrame:
    keep = pd.Series(True, index=records.index)
    for column, values in (("operation_id", pf.operations), ("country_iso3", pf.countries),
                           ("category", pf.categories)):
        if values:
            keep &= records[column].isin(values)
    if not pf.include_sample:
        keep &= ~records.is_sample
    return records[keep]


def expected_table(records: pd.DataFrame, pf: PublicFilters, table: str, k: int = K) -> pd.DataFrame:
    """The table as the rule says, computed by pandas: primary then complementary suppression."""
    rows = select(records, pf).assign(month=lambda f: pd.to_datetime(f.seizure_date).dt.to_period("M")
                                      .dt.to_timestamp())
    keys = [*public.TABLES[table], "unit"]
    cells = rows.groupby(keys).agg(quantity=("quantity", "sum"), lines=("line_no", "size"),
                                   events=("seizure_id", "nunique")).reset_index()
    cells["suppressed"] = (cells.events > 0) & (cells.events < k)
    for _, measure in cells.groupby(["category", "unit"]):
        small_events = measure.loc[measure.suppressed, "events"].sum()
        if measure.suppressed.any() and small_events < k:
            others = measure[~measure.suppressed].sort_values(["events", *[c for c in keys]])
            if len(others):
                cells.loc[others.index[0], "suppressed"] = True
    return cells


def as_records(frame: pd.DataFrame, keys: list[str]) -> dict:
    out = {}
    for row in frame.to_dict("records"):
        key = tuple(pd.Timestamp(row[c]) if c == "month" else row[c] for c in keys)
        out[key] = (row["suppressed"], None if row["suppressed"] else (round(float(row["quantity"]), 6),
                                                                       int(row["lines"]), int(row["events"])))
    return out


@pytest.mark.parametrize("pf", CASES, ids=lambda pf: repr(pf))
@pytest.mark.parametrize("table", list(public.TABLES))
def test_every_public_table_equals_pandas_with_its_small_cells_suppressed(db, records, pf, table):
    got = public.breakdowns(db, pf, (table,))[table]
    keys = [*public.TABLES[table], "unit"]
    assert as_records(got, keys) == as_records(expected_table(records, pf, table), keys)
    hidden = got[got.suppressed]
    assert hidden[["quantity", "lines", "events"]].isna().all().all(), "a suppressed cell carries no number"
    assert (got.loc[~got.suppressed, "events"] >= K).all()


def test_the_shipped_data_has_small_cells_and_they_are_suppressed(db, records):
    got = public.breakdowns(db, PublicFilters())
    assert got["country"].suppressed.sum() > 0 and got["month"].suppressed.sum() > 0
    assert not got["totals"].suppressed.any(), "each category's total rests on many events"


def test_no_suppressed_cell_can_be_found_by_subtraction(db, records):
    """Within each measure, the suppressed cells together rest on at least k events (or there are none)."""
    for pf in CASES:
        for table in ("operation", "country", "item_type", "month"):
            expected = expected_table(records, pf, table)
            got = public.breakdowns(db, pf, (table,))[table]
            assert got.suppressed.sum() == expected.suppressed.sum()
            for _, measure in expected.groupby(["category", "unit"]):
                hidden = measure[measure.suppressed]
                if len(hidden) and len(measure) > len(hidden):
                    assert hidden.events.sum() >= K, (table, measure)


def test_units_are_never_added_together(db, records):
    totals = public.breakdowns(db, PublicFilters(), ("totals",))["totals"]
    assert not totals.duplicated(["category", "unit"]).any()
    dyn = select(records, PublicFilters())
    for unit in ("sticks", "kg"):
        row = totals[(totals.category == "explosives") & (totals.unit == unit)].iloc[0]
        assert math.isclose(row.quantity, dyn[(dyn.category == "explosives") & (dyn.unit == unit)].quantity.sum())


def test_a_selection_of_few_events_shows_no_number(db, records):
    # one category in one country in one operation: fewer than k events in the shipped data
    counts = records.groupby(["operation_id", "country_iso3", "category"]).seizure_id.nunique()
    (op, country, category), _n = next((key, n) for key, n in counts.items() if 0 < n < K)
    pf = PublicFilters(operations=(op,), countries=(country,), categories=(category,))
    summary = public.summary(db, pf)
    assert summary["suppressed"] and summary["events"] is None and summary["arrests"] is None
    assert summary["lines"] is None and summary["sample_events"] is None
    tables = public.breakdowns(db, pf)
    for frame in tables.values():
        assert frame.suppressed.all() and frame.quantity.isna().all()


def test_summary_and_country_events_equal_pandas(db):
    s, items = read_records(DATA)
    summary = public.summary(db, PublicFilters())
    assert summary["events"] == len(s) and summary["arrests"] == int(s.arrests.sum())
    assert summary["lines"] == len(items)
    got = public.country_events(db, PublicFilters())
    by_country = s.groupby("country_iso3").agg(events=("seizure_id", "size"), arrests=("arrests", "sum"))
    for row in got.itertuples():
        n = by_country.loc[row.country_iso3, "events"]
        if row.suppressed:
            assert pd.isna(row.events) and pd.isna(row.arrests)
        else:
            assert (row.events, row.arrests) == (n, by_country.loc[row.country_iso3, "arrests"]) and n >= K


def test_operation_summaries_and_facets_hide_small_counts(db):
    s = read_records(DATA)[0]
    pf = PublicFilters(countries=("MRT",))
    counts = s[s.country_iso3 == "MRT"].groupby("operation_id").size()
    summaries = public.operation_summaries(db, pf)
    for op, summary in summaries.items():
        n = int(counts.get(op, 0))
        assert summary["events"] == (None if summary["suppressed"] else n)
        if 0 < n < K:
            assert summary["suppressed"]
    facets = public.facets(db, pf)
    for n in facets["operation"].values():
        assert n is None or n >= K


def test_a_larger_k_from_the_environment_hides_more(db, records, monkeypatch):
    monkeypatch.setenv("KAFO_SMALL_CELL_EVENTS", "10")
    got = public.breakdowns(db, PublicFilters(), ("country",))["country"]
    keys = ["country_iso3", "category", "unit"]
    assert as_records(got, keys) == as_records(expected_table(records, PublicFilters(), "country", 10), keys)
    assert (got.loc[~got.suppressed, "events"] >= 10).all()


def test_no_public_result_has_a_record_level_column(db):
    pf = PublicFilters()
    frames = [*public.breakdowns(db, pf).values(), public.country_events(db, pf), public.reconciliation(db)]
    for frame in frames:
        assert not FORBIDDEN & set(frame.columns), frame.columns


def test_published_figures_are_never_suppressed(db, monkeypatch):
    monkeypatch.setenv("KAFO_SMALL_CELL_EVENTS", "1000")
    rec = public.reconciliation(db)
    assert rec.records_total.isna().all() and rec.suppressed.any()
    assert rec.value.notna().all(), "the published number stays"


def test_the_public_api_refuses_what_a_public_session_may_not_call():
    assert gate.is_public(public.breakdowns) and gate.is_public(queries.figures)
    for fn in (queries.records_page, queries.map_points, queries.breakdowns, queries.events_summary,
               queries.records_by_source, queries.facets):
        assert gate.is_query(fn) and not gate.is_public(fn), fn.__name__
    assert not gate.is_public(public.small) and not gate.is_query(public.small), "a helper is no query at all"
    assert public.breakdowns in gate.public_queries() and queries.records_page not in gate.public_queries()


def test_a_query_is_checked_when_it_is_declared():
    with pytest.raises(TypeError, match="database"):
        gate.public_query(lambda filters: None)

    def outer():
        def inner(db):
            return db
        return inner
    with pytest.raises(TypeError, match="top of its module"):
        gate.query(outer())

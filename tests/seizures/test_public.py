"""The public query API against an independent computation (pyarrow + pandas, and DuckDB only for the key hash).

What a donor may see: sums by operation, country, category, item type and month, by unit, each
resting on at least k seizure events and adjusted by the cell key rule (tests/seizures/
cellkey_expected.py computes the rule again with pandas); every cell of fewer reads "fewer than k"
(None here). The differencing attacks are in test_cellkey.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kafo_data import query_gate
from kafo_data.seizures import public, queries
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.db import Database
from tests.conftest import DATA, read_records
from tests.seizures import cellkey_expected as expected

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
    """The table as the rule says, computed by pandas: the threshold on true counts, then the adjustment."""
    rows = select(records, pf).assign(month=lambda f: pd.to_datetime(f.seizure_date).dt.to_period("M")
                                      .dt.to_timestamp())
    cells = expected.cells(rows, [*public.TABLES[table], "unit"], k)
    return cells.assign(quantity=cells.shown_quantity, events=cells.shown_events)


def as_records(frame: pd.DataFrame, keys: list[str]) -> dict:
    out = {}
    for row in frame.to_dict("records"):
        key = tuple(pd.Timestamp(row[c]) if c == "month" else row[c] for c in keys)
        out[key] = (row["suppressed"], None if row["suppressed"] else (round(float(row["quantity"]), 6),
                                                                       int(row["events"])))
    return out


@pytest.mark.parametrize("pf", CASES, ids=lambda pf: repr(pf))
@pytest.mark.parametrize("table", list(public.TABLES))
def test_every_public_table_equals_pandas_with_the_cell_key_rule(db, records, pf, table):
    got = public.breakdowns(db, pf, (table,))[table]
    keys = [*public.TABLES[table], "unit"]
    assert as_records(got, keys) == as_records(expected_table(records, pf, table), keys)
    hidden = got[got.suppressed]
    assert hidden[["quantity", "events"]].isna().all().all(), "a suppressed cell carries no number"
    assert (got.loc[~got.suppressed, "events"] >= K).all()


def test_the_same_tables_without_the_rollup(records):
    plain = Database(DATA, rollups=False)
    for table in public.TABLES:
        keys = [*public.TABLES[table], "unit"]
        got = public.breakdowns(plain, CASES[1], (table,))[table]
        assert as_records(got, keys) == as_records(expected_table(records, CASES[1], table), keys)


def test_the_shipped_data_has_small_cells_and_they_are_suppressed(db, records):
    got = public.breakdowns(db, PublicFilters())
    assert got["country"].suppressed.sum() > 0 and got["month"].suppressed.sum() > 0
    assert not got["totals"].suppressed.any(), "each category's total rests on many events"


def test_adjustments_are_small_and_bounded_and_most_cells_move(db, records):
    moved = cells = 0
    for pf in CASES:
        for table in public.TABLES:
            truth = expected.cells(select(records, pf).assign(
                month=lambda f: pd.to_datetime(f.seizure_date).dt.to_period("M").dt.to_timestamp()),
                [*public.TABLES[table], "unit"], K)
            for row in truth[~truth.suppressed].itertuples():
                shown_events, shown_q = row.shown_events, row.shown_quantity
                step = max(1, round(0.025 * row.quantity + 1e-9))
                assert abs(shown_events - row.events) <= 2 and shown_events >= K
                assert abs(shown_q - row.quantity) <= 2 * step + 1e-9 and shown_q > 0
                if shown_q != row.quantity:
                    assert abs(shown_q - row.quantity) >= 1, "a sum moves by at least one unit"
                moved += (shown_events != row.events) or (shown_q != row.quantity)
                cells += 1
    assert cells > 200 and moved / cells > 0.5, (moved, cells)


def test_units_are_never_added_together(db, records):
    totals = public.breakdowns(db, PublicFilters(), ("totals",))["totals"]
    assert not totals.duplicated(["category", "unit"]).any()
    dyn = select(records, PublicFilters())
    for unit in ("sticks", "kg"):
        row = totals[(totals.category == "explosives") & (totals.unit == unit)].iloc[0]
        true = dyn[(dyn.category == "explosives") & (dyn.unit == unit)].quantity.sum()
        assert abs(row.quantity - true) <= 2 * max(1, round(0.025 * true))


def test_a_selection_of_few_events_shows_no_number(db, records):
    # one category in one country in one operation: fewer than k events in the shipped data
    counts = records.groupby(["operation_id", "country_iso3", "category"]).seizure_id.nunique()
    (op, country, category), _n = next((key, n) for key, n in counts.items() if 0 < n < K)
    pf = PublicFilters(operations=(op,), countries=(country,), categories=(category,))
    summary = public.summary(db, pf)
    assert summary["suppressed"] and summary["events"] is None and summary["arrests"] is None
    assert summary["sample_events"] is None and "lines" not in summary
    tables = public.breakdowns(db, pf)
    for frame in tables.values():
        assert frame.suppressed.all() and frame.quantity.isna().all()


def test_summary_and_country_events_equal_pandas(db):
    s = read_records(DATA)[0]
    summary = public.summary(db, PublicFilters())
    whole = expected.events(s.assign(all=1), ["all"], K).iloc[0]
    assert (summary["events"], summary["arrests"]) == (whole.shown_events, whole.shown_arrests)
    got = public.country_events(db, PublicFilters())
    want = expected.events(s, ["country_iso3"], K).set_index("country_iso3")
    for row in got.itertuples():
        w = want.loc[row.country_iso3]
        if row.suppressed:
            assert pd.isna(row.events) and pd.isna(row.arrests) and w.suppressed
        else:
            assert (row.events, row.arrests) == (w.shown_events, w.shown_arrests) and w.events >= K


def test_operation_summaries_and_facets_hide_small_counts(db):
    s = read_records(DATA)[0]
    pf = PublicFilters(countries=("MRT",))
    want = expected.events(s[s.country_iso3 == "MRT"], ["operation_id"], K).set_index("operation_id")
    summaries = public.operation_summaries(db, pf)
    for op, summary in summaries.items():
        w = want.loc[op] if op in want.index else None
        assert summary["events"] == (0 if w is None else w.shown_events)
        assert summary["suppressed"] == (w is not None and bool(w.suppressed))
    facets = public.facets(db, pf)
    assert facets["operation"] == {op: v["events"] for op, v in summaries.items() if op in want.index}


def test_no_public_result_has_a_record_level_column(db):
    pf = PublicFilters()
    frames = [*public.breakdowns(db, pf).values(), public.country_events(db, pf), public.reconciliation(db)]
    for frame in frames:
        assert not FORBIDDEN & set(frame.columns), frame.columns


def test_published_figures_are_never_suppressed(db, monkeypatch):
    monkeypatch.setenv("KAFO_SMALL_CELL_EVENTS", "1000")
    rec = public.reconciliation(db)
    assert rec.reaches.isna().all() and rec.suppressed.any() and "records_total" not in rec.columns
    assert rec.value.notna().all(), "the published number stays"


def test_the_public_reconciliation_says_whether_the_records_reach_each_figure(db):
    from kafo_data.seizures import queries

    true = queries.reconciliation(db).set_index("figure_id")
    rec = public.reconciliation(db).set_index("figure_id")
    shown = rec[~rec.suppressed & rec.has_records]
    assert len(shown) > 5
    for fid, row in shown.iterrows():
        assert row.reaches == (true.loc[fid, "records_total"] >= true.loc[fid, "value"]), fid
    from kafo_data.seizures import public_views

    table = public_views.reconciliation_table(public.reconciliation(db), {}, "en")
    assert set(table["Records"]) <= {"reach the published figure", "below the published figure", "no records yet",
                                     "fewer than 3"}
    short = rec.reset_index().assign(reaches=False, suppressed=False, has_records=True)
    assert public_views.reconciliation_table(short, {}, "fr")["Enregistrements"].eq("sous le chiffre publié").all()


def test_the_public_api_refuses_what_a_public_session_may_not_call():
    assert query_gate.is_public(public.breakdowns) and query_gate.is_public(queries.figures)
    for fn in (queries.records_page, queries.map_points, queries.breakdowns, queries.events_summary,
               queries.records_by_source, queries.facets):
        assert query_gate.is_query(fn) and not query_gate.is_public(fn), fn.__name__
    assert not query_gate.is_public(public.small), "a helper is no query at all"
    assert not query_gate.is_query(public.small)
    assert public.breakdowns in query_gate.public_queries() and queries.records_page not in query_gate.public_queries()


def test_a_query_is_checked_when_it_is_declared():
    with pytest.raises(TypeError, match="database"):
        query_gate.public_query(lambda filters: None)

    def outer():
        def inner(db):
            return db
        return inner
    with pytest.raises(TypeError, match="top of its module"):
        query_gate.query(outer())

"""Budget and donors: the real total, the sample that adds up to it, currencies, filters, ingest, page.

Numbers are checked against an independent computation: the parquet read with pyarrow and
pandas, amounts as Python Decimals, no DuckDB.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kafo_data.cli import main as cli_main
from kafo_data.contract.money import TABLES, AmountError, money_dir, parse_amount, rates_file
from kafo_data.errors import FilterError
from kafo_data.export import money as money_export
from kafo_data.filtering import check, from_params, to_params
from kafo_data.fmt import money
from kafo_data.ingest.money import MoneyIngestError, ingest_file, write_money_batch
from kafo_data.money import filters as money_filters
from kafo_data.money import queries as bq
from kafo_data.money import rates as money_rates
from kafo_data.money import views as budget_views
from kafo_data.money.filters import MoneyFilters
from kafo_data.sample.money import generate, project_total, split_cents, write_sample
from kafo_data.store.db import data_version, get_database
from kafo_data.store.reference import read_text

TOTAL = Decimal("3248537.00")
TOTAL_CENTS = 324_853_700
NNBSP = "\u202f"


# --- independent computation ---------------------------------------------------------------

def read_money(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Budget lines and transactions as stored (sample, or the real batches once any exist)."""
    frames = {}
    for table in ("budgets", "transactions"):
        batches = sorted((money_dir(root) / "batches").glob(f"*/{table}.parquet"))
        files = batches or [money_dir(root) / f"{table}.parquet"]
        frames[table] = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return frames["budgets"], frames["transactions"]


def current_budget(budgets: pd.DataFrame) -> pd.DataFrame:
    """IATI: a revised line replaces the original lines of the same donor and output it overlaps."""
    revised = budgets[budgets.budget_type == "revised"]
    keep = []
    for row in budgets.itertuples():
        if row.budget_type == "revised":
            keep.append(True)
            continue
        same = revised[(revised.donor_id == row.donor_id) & (revised.output == row.output)
                       & (revised.period_start <= row.period_end) & (revised.period_end >= row.period_start)]
        keep.append(same.empty)
    return budgets[keep]


def cents(values: pd.Series) -> int:
    return int(sum(Decimal(v) for v in values) * 100)


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def db(repo_data):
    return get_database(repo_data)


@pytest.fixture
def no_money(data_copy) -> Path:
    """A data copy with no money file at all: only the published total is known."""
    shutil.rmtree(money_dir(data_copy), ignore_errors=True)
    return data_copy


def _usd_copy(data_copy: Path) -> Path:
    """A data copy whose budget lines are the sample's plus one line in US dollars (a real batch)."""
    budgets = pq.read_table(money_dir(data_copy) / "budgets.parquet").to_pylist()
    extra = dict(budgets[0], budget_id="USD-1", currency="USD", value=Decimal("1227.10"), is_sample=False,
                 source="test", budget_type="original", output=1, period_start=dt.date(2025, 1, 1),
                 period_end=dt.date(2025, 12, 31))
    write_money_batch(data_copy, "budgets-usd", "budgets", [*budgets, extra], {"batch_id": "budgets-usd"})
    return data_copy


# --- the real total ----------------------------------------------------------------------------

def test_the_real_total_comes_back_exact_with_its_source(db, repo_data):
    text = {r["field"]: r for r in read_text(repo_data, "project")}
    got = bq.project_budget(db)
    assert got["value"] == Decimal(text["budget_value"]["value"]) == TOTAL
    assert isinstance(got["value"], Decimal) and got["currency"] == "EUR"
    assert got["source_id"] == "undb-kafo2-project"
    assert money(got["value"], "EUR", "en") == "€3,248,537.00"


def test_the_real_total_is_there_without_any_money_file(no_money):
    db = get_database(no_money)
    assert bq.project_budget(db)["value"] == TOTAL
    assert bq.sample_state(db) == {"budgets": "none", "transactions": "none"}
    assert bq.budget_by_currency(db, MoneyFilters()).empty
    assert bq.execution(db, MoneyFilters()).empty


# --- the sample adds up ----------------------------------------------------------------------

def test_every_sample_breakdown_adds_up_exactly_to_the_real_total(repo_data, db):
    budgets, _ = read_money(repo_data)
    assert budgets.is_sample.all() and set(budgets.source) == {"sample"}
    current = current_budget(budgets)
    original = budgets[budgets.budget_type == "original"]
    assert cents(original.value) == TOTAL_CENTS
    assert cents(current.value) == TOTAL_CENTS
    by_output = {o: cents(g.value) for o, g in current.groupby("output")}
    by_year = {y: cents(g.value) for y, g in current.groupby(current.period_start.map(lambda d: d.year))}
    assert sum(by_output.values()) == sum(by_year.values()) == TOTAL_CENTS
    f = MoneyFilters()
    assert bq.budget_by_currency(db, f).cents.tolist() == [TOTAL_CENTS]
    assert bq.by_donor(db, f).cents.tolist() == [TOTAL_CENTS]
    q_output = bq.by_output(db, f)
    assert dict(zip(q_output[q_output.measure == "budget"].output, q_output[q_output.measure == "budget"].cents,
                    strict=True)) == by_output
    q_year = bq.by_period(db, f, "year")
    q_year = q_year[q_year.measure == "budget"]
    assert {p.year: c for p, c in zip(q_year.period, q_year.cents, strict=True)} == by_year
    assert money_rates.single_total(bq.budget_by_currency(db, f)) == (TOTAL, "EUR")


def test_the_revision_moves_money_between_outputs_but_keeps_the_total(db):
    frame = bq.original_vs_revised(db, MoneyFilters())
    assert len(frame) == 4
    assert frame.original_cents.sum() == frame.revised_cents.sum()
    assert (frame.original_cents != frame.revised_cents).any()


def test_spending_stays_within_budget_and_commitments_cover_it(repo_data):
    budgets, transactions = read_money(repo_data)
    current = current_budget(budgets)
    tx = transactions.assign(year=transactions.transaction_date.map(lambda d: d.year))
    for (output, year), rows in current.groupby([current.output, current.period_start.map(lambda d: d.year)]):
        mine = tx[(tx.output == output) & (tx.year == year)]
        spend = cents(mine[mine.transaction_type.isin(["disbursement", "expenditure"])].value)
        committed = cents(mine[mine.transaction_type == "outgoing_commitment"].value)
        assert 0 < spend <= committed <= cents(rows.value), (output, year)
    assert cents(tx[tx.transaction_type == "incoming_commitment"].value) == TOTAL_CENTS
    assert cents(tx[tx.transaction_type == "incoming_funds"].value) == TOTAL_CENTS
    assert set(tx.currency) == {"EUR"} and tx.is_sample.all()


def test_the_sample_is_the_same_for_the_same_seed_and_the_shipped_files_match(repo_data):
    first, second = generate(repo_data), generate(repo_data)
    assert first[0].equals(second[0]) and first[1].equals(second[1])
    assert pq.read_table(money_dir(repo_data) / "budgets.parquet").equals(first[0])
    assert pq.read_table(money_dir(repo_data) / "transactions.parquet").equals(first[1])
    assert project_total(repo_data).value == TOTAL


@pytest.mark.parametrize("total,weights", [(TOTAL_CENTS, [18, 42, 25, 15]), (7, [1, 1, 1]), (0, [1, 2]),
                                           (100, [0.333, 0.333, 0.334]), (10**12 + 1, [1e-6, 1, 1e6])])
def test_split_cents_adds_up_exactly(total, weights):
    parts = split_cents(total, weights)
    assert sum(parts) == total and min(parts) >= 0 and len(parts) == len(weights)


# --- filters ---------------------------------------------------------------------------------

COMBINATIONS = [
    MoneyFilters(),
    MoneyFilters(outputs=(2,)),
    MoneyFilters(outputs=(1, 3)),
    MoneyFilters(donors=("EU",)),
    MoneyFilters(donors=("DEU",)),
    MoneyFilters(operations=("KAFO-II",)),
    MoneyFilters(operations=("KAFO-III", "KAFO-V"), outputs=(2,)),
    MoneyFilters(operations=("TRIGGER-VIII",)),
]


def independent_execution(root: Path, f: MoneyFilters) -> dict[str, int]:
    budgets, transactions = read_money(root)
    b = current_budget(budgets)
    tx = transactions[transactions.transaction_type.isin(["outgoing_commitment", "disbursement", "expenditure"])]
    if f.donors:
        b, tx = b[b.donor_id.isin(f.donors)], tx[tx.donor_id.isin(f.donors)]
    if f.outputs:
        b, tx = b[b.output.isin(f.outputs)], tx[tx.output.isin(f.outputs)]
    if f.operations:
        tx = tx[tx.operation_id.isin(f.operations)]
    out = {"budget": cents(b.value)} if len(b) else {}
    out.update({k: cents(g.value) for k, g in tx.groupby("transaction_type")})
    return out


@pytest.mark.parametrize("f", COMBINATIONS)
def test_filters_change_the_numbers_as_an_independent_computation_does(repo_data, db, f):
    got = bq.execution(db, f)
    assert dict(zip(got.measure, got.cents, strict=True)) == independent_execution(repo_data, f)
    if not got.empty and "budget" in set(got.measure):
        budget = int(got[got.measure == "budget"].cents.iloc[0])
        for row in got.itertuples():
            assert row.share == pytest.approx(row.cents / budget)


def test_a_filter_really_narrows_the_numbers(db):
    everything = bq.execution(db, MoneyFilters())
    output_2 = bq.execution(db, MoneyFilters(outputs=(2,)))
    kafo_ii = bq.execution(db, MoneyFilters(operations=("KAFO-II",)))
    assert output_2.cents.sum() < everything.cents.sum()
    assert set(kafo_ii.measure) == {"budget", "disbursement", "expenditure"}
    assert bq.execution(db, MoneyFilters(donors=("DEU",))).empty


def test_budget_lines_and_transactions_follow_the_filters(repo_data, db):
    budgets, transactions = read_money(repo_data)
    f = MoneyFilters(outputs=(4,), operations=("KAFO-IV",))
    assert len(bq.budget_lines(db, f)) == int((budgets.output == 4).sum())
    expected = transactions[(transactions.output == 4) & (transactions.operation_id == "KAFO-IV")]
    assert bq.transactions(db, f).transaction_id.tolist() == sorted(expected.transaction_id)


def test_url_parameters_become_checked_filters_and_unknown_values_are_named(db):
    known = money_filters.known(db)
    f, notices = from_params(MoneyFilters, {"donor": ["EU", "XX"], "output": ["2", "9", "two"],
                                            "operation": ["KAFO-II"], "sample": ["0"]}, known)
    assert f == MoneyFilters(donors=("EU",), outputs=(2,), operations=("KAFO-II",), include_sample=False)
    assert notices == ["donor: XX", "output: 9, two"]
    assert to_params(f) == {"donor": ["EU"], "output": ["2"], "operation": ["KAFO-II"], "sample": ["0"]}
    assert from_params(MoneyFilters, to_params(f), known) == (f, [])
    with pytest.raises(FilterError, match="XX"):
        check(MoneyFilters(donors=("XX",)), known)


def test_sample_off_leaves_every_generated_money_row_out(db):
    real_only = MoneyFilters(include_sample=False)
    assert bq.budget_lines(db, MoneyFilters()).is_sample.all()  # the shipped money data is the generated sample
    assert bq.budget_lines(db, real_only).empty and bq.transactions(db, real_only).empty
    assert bq.execution(db, real_only).empty


# --- currencies ------------------------------------------------------------------------------

def test_amounts_in_two_currencies_are_never_added_without_a_rate(data_copy):
    db = get_database(_usd_copy(data_copy))
    f = MoneyFilters()
    frame = bq.budget_by_currency(db, f)
    assert dict(zip(frame.currency, frame.cents, strict=True)) == {"EUR": TOTAL_CENTS, "USD": 122_710}
    with pytest.raises(money_rates.CurrencyMixError, match="EUR, USD"):
        money_rates.single_total(frame)
    with pytest.raises(money_rates.CurrencyMixError, match="USD"):
        money_rates.convert(frame, [], "EUR")
    assert money_rates.missing_rates(frame.currency, [], "EUR") == ["USD"]
    execution = bq.execution(db, f)
    usd = execution[execution.currency == "USD"]
    assert usd.measure.tolist() == ["budget"] and usd.share.tolist() == [1.0]


def test_conversion_uses_the_stated_rate_and_says_which(data_copy):
    root = _usd_copy(data_copy)
    rates_file(root).write_text("currency,base_currency,rate,rate_date,source\n"
                                "USD,EUR,1.2271,2020-12-31,ECB euro reference rate (test)\n", encoding="utf-8")
    db = get_database(root)
    rates = money_rates.rates(root)
    assert rates == [money_rates.Rate("USD", "EUR", Decimal("1.2271"), dt.date(2020, 12, 31),
                                      "ECB euro reference rate (test)")]
    converted = money_rates.convert(bq.budget_by_currency(db, MoneyFilters()), rates, "EUR")
    usd = converted[converted.original_currency == "USD"].iloc[0]
    assert usd.currency == "EUR" and usd.cents == 100_000 and usd.rate == 1.2271  # 1,227.10 USD / 1.2271
    assert usd.rate_source == "ECB euro reference rate (test)"
    summary = budget_views.converted_execution(money_rates.convert(bq.execution(db, MoneyFilters()), rates, "EUR"))
    assert summary[summary.measure == "budget"].cents.tolist() == [TOTAL_CENTS + 100_000]
    table = budget_views.rates_table(rates, ["EUR", "USD"], "EUR", "en")
    assert table.iloc[0].tolist() == ["USD", "1 EUR = 1.2271 USD", "31 Dec 2020", "ECB euro reference rate (test)"]


@pytest.mark.parametrize("line,problem", [
    ("USD,EUR,abc,2020-12-31,ECB", "line 2: rate must be a number"),
    ("USD,EUR,0,2020-12-31,ECB", "not above zero"),
    ("USD,EUR,1.2,2020-12-31,", "names its source"),
    ("USD,EUR,1.2,2020-12-31,ECB\nUSD,EUR,1.3,2021-12-31,ECB", "line 3: a second rate"),
])
def test_a_bad_rates_table_is_refused_with_its_line(data_copy, line, problem):
    rates_file(data_copy).parent.mkdir(parents=True, exist_ok=True)
    rates_file(data_copy).write_text(f"currency,base_currency,rate,rate_date,source\n{line}\n", encoding="utf-8")
    with pytest.raises(money_rates.RatesError, match=problem):
        money_rates.rates(data_copy)


# --- ingest ----------------------------------------------------------------------------------

BUDGET_CSV = """budget_id;donor_id;budget_type;status;period_start;period_end;value;currency;value_date;output
B-1;EU;original;committed;2020-01-01;2020-12-31;1000,50;EUR;2020-01-01;1
B-2;EU;2;2;2021-01-01;2021-03-31;200;EUR;2021-01-01;2
B-3;XX;original;committed;2020-01-01;2020-12-31;10;EUR;2020-01-01;1
B-4;EU;original;committed;2020-01-01;2021-06-30;10;EUR;2020-01-01;1
B-5;EU;original;committed;2020-01-01;2020-12-31;10.123;EUR;2020-01-01;1
B-1;EU;original;committed;2020-01-01;2020-12-31;10;EUR;2020-01-01;1
B-7;EU;original;committed;2020-01-01;2020-12-31;10;EURO;2020-01-01;5
B-8;EU;original;committed;2020-01-01;2020-12-31;=1+1;EUR;2020-01-01;1
"""


def test_budget_ingest_counts_every_row_and_names_each_rejection(data_copy, tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text(BUDGET_CSV, encoding="utf-8")
    result = ingest_file(data_copy, path, "budget")
    assert (result.read, result.accepted, len(result.rejected)) == (8, 2, 6)
    assert result.read == result.accepted + len(result.rejected)
    assert [line for line, _ in result.rejected] == [4, 5, 6, 7, 8, 9]
    reasons = dict(result.rejected)
    assert "donor_id 'XX'" in reasons[4] and "at most one year" in reasons[5]
    assert "more than two decimals" in reasons[6] and "repeated" in reasons[7]
    assert "ISO 4217" in reasons[8] and "not an amount" in reasons[9]
    stored = pq.read_table(result.batch / "budgets.parquet").to_pandas()
    assert stored.value.tolist() == [Decimal("1000.50"), Decimal("200.00")]
    assert stored.budget_type.tolist() == ["original", "revised"] and not stored.is_sample.any()
    rejected = result.rejected_file.read_text(encoding="utf-8-sig").splitlines()
    assert rejected[0].startswith("line,reason,budget_id") and len(rejected) == 7
    assert ",'=1+1," in rejected[-1]
    db = get_database(data_copy)
    assert bq.sample_state(db) == {"budgets": "real", "transactions": "sample"}
    assert bq.budget_by_currency(db, MoneyFilters()).cents.tolist() == [120_050]
    with pytest.raises(MoneyIngestError, match="already loaded"):
        ingest_file(data_copy, path, "budget")


def test_transactions_ingest_reads_xlsx_and_iati_codes(data_copy, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Transaction ID", "Donor", "Transaction type", "Date", "Value", "Currency", "Value date", "Output",
               "Operation", "Description"])
    ws.append(["T-1", "EU", "3", dt.date(2021, 5, 3), 1234.5, "eur", dt.date(2021, 5, 3), 2, "KAFO-III", "Transfer"])
    ws.append(["T-2", "EU", "Expenditure", dt.date(2021, 6, 1), "99.99", "EUR", dt.date(2021, 6, 1), None, None,
               "@SUM(1,1)"])
    ws.append(["T-3", "EU", "refund", dt.date(2021, 6, 1), 5, "EUR", dt.date(2021, 6, 1), None, "KAFO-IX", None])
    path = tmp_path / "tx.xlsx"
    wb.save(path)
    result = ingest_file(data_copy, path, "transactions")
    assert (result.read, result.accepted, len(result.rejected)) == (3, 2, 1)
    assert result.rejected[0][0] == 4 and "transaction_type 'refund'" in result.rejected[0][1]
    db = get_database(data_copy)
    tx = bq.transactions(db, MoneyFilters())
    assert tx.transaction_type.tolist() == ["disbursement", "expenditure"]
    assert tx.cents.tolist() == [123_450, 9_999] and tx.currency.tolist() == ["EUR", "EUR"]
    body = money_export.build(db, "transactions", MoneyFilters(), "csv", "en", dt.date(2026, 1, 1)).decode("utf-8-sig")
    assert "\"'@SUM(1,1)\"" in body and ",\"@SUM" not in body


def test_ingest_exit_codes_through_the_command_line(data_copy, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("budget_id,donor_id,budget_type,status,period_start,period_end,value,currency,value_date,output\n"
                    "G-1,EU,original,indicative,2022-01-01,2022-12-31,10.00,EUR,2022-01-01,3\n", encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "budget", str(good)]) == 0
    assert "1 read, 1 accepted, 0 rejected" in capsys.readouterr().out
    partly = tmp_path / "partly.csv"
    partly.write_text(BUDGET_CSV, encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "budget", str(partly)]) == 1
    out = capsys.readouterr().out
    assert "8 read, 2 accepted, 6 rejected" in out and "line 4: donor_id 'XX'" in out
    missing = tmp_path / "missing.csv"
    missing.write_text("budget_id,donor_id,value\nX,EU,1\n", encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "budget", str(missing)]) == 2
    assert "missing column(s) budget_type, status" in capsys.readouterr().err
    (tmp_path / "none.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "transactions",
                     str(tmp_path / "none.csv"), str(good)]) == 2
    err = capsys.readouterr().err
    assert "no header row naming the transactions columns" in err


@pytest.mark.parametrize("text,expected", [("1000,50", "1000.50"), ("1 234.5", "1234.50"), (12, "12.00"),
                                           (0.1, "0.10"), ("-3", "-3.00")])
def test_amounts_are_read_exactly(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,234.50", "1e3", "", None, "abc", "0.001", True])
def test_unreadable_amounts_are_refused(text):
    with pytest.raises(AmountError):
        parse_amount(text)


# --- export and the data version -------------------------------------------------------------

def test_the_cli_export_writes_the_bytes_the_page_serves(repo_data, db, tmp_path, capsys):
    f = MoneyFilters(outputs=(2,), operations=("KAFO-II",))
    target = tmp_path / "tx.csv"
    assert cli_main(["money", "export", "--data-dir", str(repo_data), "--table", "transactions",
                     "--project-output", "2", "--operation", "KAFO-II", "-o", str(target)]) == 0
    assert target.read_bytes() == money_export.build(db, "transactions", f, "csv", "en", dt.date.today())
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ['"transaction_id"', '"project_id"', '"donor_id"', '"transaction_type"']
    assert len(lines) == 1 + len(bq.transactions(db, f))
    assert cli_main(["money", "export", "--data-dir", str(repo_data), "--donor", "XX", "-o", str(target)]) == 2
    assert "unknown donor" in capsys.readouterr().err


def test_every_money_column_has_a_label_and_a_meaning_in_both_languages():
    from kafo_data.i18n import catalogue

    for lang in ("en", "fr"):
        for table, columns in TABLES.items():
            for col in columns:
                assert f"budget.field.{table}.{col.name}" in catalogue(lang)
                assert f"budget.doc.{table}.{col.name}" in catalogue(lang)


def test_the_data_version_changes_when_money_changes(data_copy):
    before = data_version(data_copy)
    write_sample(data_copy, seed=1)
    assert data_version(data_copy) != before


# --- the page --------------------------------------------------------------------------------

def open_budget(monkeypatch=None, root: Path | None = None, **params) -> AppTest:
    if root is not None and monkeypatch is not None:
        monkeypatch.setenv("KAFO_DATA_DIR", str(root))
    at = AppTest.from_file("../../app.py", default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/budget.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def body(at: AppTest) -> str:
    """Every text on the page, markdown escapes removed."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [h.value for h in at.header]
    return "\n".join(parts).replace("\\", "")


def param(at: AppTest, key: str) -> list[str]:
    """A URL parameter as a list (AppTest gives a single value as a string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def test_page_in_english_shows_the_total_with_its_source_and_the_sample_label(db):
    at = open_budget()
    assert metric(at, "Project budget (published)") == "€3,248,537.00"
    text = body(at)
    assert "Arms Trade Treaty assistance database" in text and "Sample data, not real" in text
    execution = bq.execution(db, MoneyFilters())
    spent = int(execution[execution.measure == "expenditure"].cents.iloc[0])
    assert metric(at, "Spent") == budget_views.amount(spent, "EUR", "en")
    assert "increase capacities of countries and sub-regions" in text
    assert "Germany (Federal Republic of Germany)" in text and "KAFO II" in text
    assert len(at.get("plotly_chart")) == 5


def test_page_in_french_writes_money_the_french_way_and_marks_the_translation():
    at = open_budget(lang="fr")
    value = metric(at, "Budget du projet (publié)").replace("\xa0", " ").replace(NNBSP, " ")
    assert value == "3 248 537,00 €"
    text = body(at)
    assert "Données d'exemple, non réelles" in text and "traduction non officielle" in text
    assert "Union européenne" in text and "Quatre produits" in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_renders_with_only_the_real_total(no_money, monkeypatch, lang):
    at = open_budget(monkeypatch, no_money, lang=lang)
    label = "Project budget (published)" if lang == "en" else "Budget du projet (publié)"
    assert metric(at, label).replace("\xa0", " ").replace(NNBSP, " ") in {"€3,248,537.00", "3 248 537,00 €"}
    assert [m.label for m in at.metric] == [label]
    assert not at.get("plotly_chart")
    text = body(at)
    assert ("No budget lines or transactions are loaded" in text or "Aucune ligne budgétaire" in text)
    assert "Sample data" not in text and "Données d'exemple" not in text


def test_a_link_sets_the_budget_filters_and_the_numbers_follow(db):
    """A link made before the budget page shared the sidebar's operation (`b_operation`) still works."""
    at = open_budget(donor="EU", output=["2"], b_operation="KAFO-II")
    assert at.multiselect(key="f_donor").value == ["EU"]
    assert at.multiselect(key="f_output").value == [2]
    assert at.multiselect(key="f_operation").value == ["KAFO-II"]
    f = MoneyFilters(donors=("EU",), outputs=(2,), operations=("KAFO-II",))
    execution = bq.execution(db, f)
    budget = int(execution[execution.measure == "budget"].cents.iloc[0])
    assert metric(at, "Budget (EUR)") == budget_views.amount(budget, "EUR", "en")
    assert param(at, "donor") == ["EU"] and param(at, "output") == ["2"] and param(at, "operation") == ["KAFO-II"]
    assert param(at, "b_operation") == []


def test_unknown_values_in_a_link_are_named_and_left_out():
    at = open_budget(donor=["XX", "EU"], output="7", operation="KAFO-IX")
    warning = " ".join(w.value for w in at.warning)
    assert "donor: XX" in warning and "output: 7" in warning and "operation: KAFO-IX" in warning
    assert at.multiselect(key="f_donor").value == ["EU"]
    assert at.multiselect(key="f_output").value == []


def test_the_sidebar_sample_switch_leaves_the_generated_money_out():
    at = open_budget(sample="0")
    text = body(at)
    assert "No real budget lines or transactions have been loaded yet" in text
    assert "Sample data" not in text and not at.get("plotly_chart")
    assert [m.label for m in at.metric] == ["Project budget (published)"]


def test_choosing_an_output_changes_the_numbers_and_the_url(db):
    at = open_budget()
    before = metric(at, "Budget (EUR)")
    at.multiselect(key="f_output").set_value([3]).run()
    execution = bq.execution(db, MoneyFilters(outputs=(3,)))
    budget = int(execution[execution.measure == "budget"].cents.iloc[0])
    assert metric(at, "Budget (EUR)") == budget_views.amount(budget, "EUR", "en") != before
    assert param(at, "output") == ["3"]


def test_a_donor_without_published_amounts_gets_a_message_not_an_empty_chart():
    at = open_budget(donor="DEU")
    text = body(at)
    assert "No amounts for this selection." in text
    assert not at.get("plotly_chart")
    assert "Financial support for the second edition, including Niger and the WCO" in text


def test_two_currencies_are_shown_side_by_side_then_converted_with_the_rate_shown(data_copy, monkeypatch):
    root = _usd_copy(data_copy)
    at = open_budget(monkeypatch, root)
    assert "Amounts in several currencies (EUR, USD)" in body(at)
    assert "No exchange rate to EUR is given for USD" in body(at)
    assert metric(at, "Budget (USD)") == "US$1,227.10"
    rates_file(root).write_text("currency,base_currency,rate,rate_date,source\n"
                                "USD,EUR,1.2271,2020-12-31,ECB euro reference rate (test)\n", encoding="utf-8")
    at = open_budget(monkeypatch, root)
    at.toggle(key="b_convert").set_value(True).run()
    assert not at.exception
    assert metric(at, "Budget (EUR)") == "€3,249,537.00"
    assert not any(m.label == "Budget (USD)" for m in at.metric)
    rates = at.table[0].value
    assert rates.iloc[0].tolist() == ["USD", "1 EUR = 1.2271 USD", "31 Dec 2020", "ECB euro reference rate (test)"]


def test_stored_money_files_are_checked_against_the_contract(repo_data, data_copy):
    from kafo_data.ingest.money import check_stored

    assert check_stored(repo_data) == []
    path = money_dir(data_copy) / "budgets.parquet"
    table = pq.read_table(path).to_pylist()
    table[0]["value"] += Decimal("0.01")
    table[1]["currency"] = "EURO"
    pq.write_table(pa.Table.from_pylist(table, schema=pq.read_schema(path)), path)
    problems = check_stored(data_copy)
    assert any("row 2: currency 'EURO'" in p for p in problems)
    assert any("not the published 3248537.00 EUR" in p for p in problems)


def test_ingest_reads_files_as_excel_writes_them_and_strict_stores_nothing(data_copy, tmp_path):
    text = ("Budget du projet KAFO;;;;;;;;;\n"
            "budget_id;donor_id;budget_type;status;period_start;period_end;value;currency;value_date;output\n"
            "F-1;EU;Original;Indicative;01/01/2023;31/12/2023;1 500,25;EUR;01/01/2023;4\n"
            "F-2;EU;original;committed;2023-01-01;2023-12-31;abc;EUR;2023-01-01;4\n"
            "Total;;;;;;1 500,25;;;\n")
    path = tmp_path / "excel-fr.csv"
    path.write_bytes(text.encode("cp1252"))
    checked = ingest_file(data_copy, path, "budget", dry_run=True)
    assert (checked.read, checked.accepted, [line for line, _ in checked.rejected]) == (2, 1, [4])
    assert checked.batch is None and not (money_dir(data_copy) / "batches").exists()
    strict = ingest_file(data_copy, path, "budget", strict=True)
    assert strict.batch is None and strict.rejected_file is not None and strict.exit_code == 1
    assert bq.sample_state(get_database(data_copy))["budgets"] == "sample"


def test_a_damaged_money_file_is_set_aside_and_named_and_the_page_keeps_serving(data_copy, monkeypatch):
    (money_dir(data_copy) / "transactions.parquet").write_bytes(b"not parquet")
    at = open_budget(monkeypatch, data_copy)
    assert not at.exception
    assert any("3,248,537.00" in m.value for m in at.metric), "the real total is still shown"
    from kafo_data.store.db import Database

    db = Database(data_copy)
    assert [b for b, _ in db.damaged_batches()] == ["money sample"]


def test_the_budget_filters_survive_a_visit_to_another_page():
    at = open_budget(output="2")
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    at.switch_page("pages/budget.py").run()
    assert not at.exception
    assert at.multiselect(key="f_output").value == [2]
    assert param(at, "output") == ["2"]

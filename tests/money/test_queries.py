"""The money queries: the real total, the breakdowns under filters, against an independent computation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kafo_data.errors import FilterError
from kafo_data.filtering import check, from_params, to_params
from kafo_data.fmt import money
from kafo_data.money import queries as bq
from kafo_data.money.filters import MoneyFilters
from kafo_data.store.db import get_database
from kafo_data.store.reference import read_text
from tests.money.independent import TOTAL, cents, current_budget, read_money

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
    known = bq.known(db)
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



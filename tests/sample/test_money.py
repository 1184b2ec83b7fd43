"""The generated money sample adds up to the published total, exactly, every way it is cut."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from kafo_data.config import money_dir
from kafo_data.money import queries as bq
from kafo_data.money import rates as money_rates
from kafo_data.money.filters import MoneyFilters
from kafo_data.sample.money import generate, split_cents
from kafo_data.store.reference import project_total
from tests.money.independent import TOTAL, TOTAL_CENTS, cents, current_budget, read_money

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



"""Currencies are never added without a stated rate; the rates table is checked line by line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kafo_data.config import rates_file
from kafo_data.money import queries as bq
from kafo_data.money import rates as money_rates
from kafo_data.money import views as money_views
from kafo_data.money.filters import MoneyFilters
from kafo_data.store.db import get_database
from tests.money.independent import TOTAL_CENTS, usd_copy

# --- currencies ------------------------------------------------------------------------------

def test_amounts_in_two_currencies_are_never_added_without_a_rate(data_copy):
    db = get_database(usd_copy(data_copy))
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
    root = usd_copy(data_copy)
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
    summary = money_views.converted_execution(money_rates.convert(bq.execution(db, MoneyFilters()), rates, "EUR"))
    assert summary[summary.measure == "budget"].cents.tolist() == [TOTAL_CENTS + 100_000]
    table = money_views.rates_table(rates, ["EUR", "USD"], "EUR", "en")
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



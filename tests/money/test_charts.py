"""The budget charts as a donor reads them: which bar says what, in which currency, in which language.

The amounts are checked against the published total that the shipped sample adds up to, and
against hand-made frames, so a chart that drew the wrong amount on the right label fails.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kafo_data.money import charts
from kafo_data.money import queries as bq
from kafo_data.money.filters import MoneyFilters
from kafo_data.store.db import get_database
from tests.conftest import DATA


@pytest.fixture(scope="module")
def db():
    return get_database(DATA)


def test_the_spending_chart_puts_each_amount_on_its_iati_measure(db):
    frame = bq.execution(db, MoneyFilters())
    fig = charts.execution_chart(frame, "Budget and spending", "Amount", "en")
    json.dumps(fig)  # a plain dict, not a go.Figure
    trace = fig["data"][0]
    bars = dict(zip(trace["x"], trace["y"], strict=True))
    assert list(bars) == ["Budget", "Committed", "Disbursed", "Spent"]
    assert bars["Budget"] == pytest.approx(3_248_537.00)  # the published total the sample adds up to
    # The share of the budget stands on each bar and the exact amount in the hover.
    assert trace["text"][0] == "100%"
    assert trace["customdata"][0] == "€3,248,537.00"
    assert fig["layout"]["title"]["text"] == "Budget and spending"
    assert fig["layout"]["yaxis"]["title"]["text"] == "Amount (EUR)"  # an image names its currency (issue 29)


def test_the_same_chart_in_french_writes_measures_and_amounts_the_french_way(db):
    fig = charts.execution_chart(bq.execution(db, MoneyFilters()), "Budget et dépenses", "Montant", "fr")
    trace = fig["data"][0]
    assert trace["x"][0] == "Budget"
    assert trace["customdata"][0] == "3\u202f248\u202f537,00\u00a0€"
    assert fig["layout"]["separators"] == ",\u202f"


def test_outputs_are_grouped_bars_one_colour_per_measure_in_output_order(db):
    frame = bq.by_output(db, MoneyFilters())
    fig = charts.output_chart(frame, "By output", "Amount", "en")
    names = [trace["name"] for trace in fig["data"]]
    assert names[0] == "Budget"
    assert len(set(names)) == len(names)
    budget = fig["data"][0]
    assert budget["x"] == ["Output 1", "Output 2", "Output 3", "Output 4"]
    assert sum(budget["y"]) == pytest.approx(3_248_537.00)
    assert {trace["marker"]["color"] for trace in fig["data"]} == {
        charts.MEASURE_COLOURS[m] for m in bq.MEASURES if charts.measure_label(m, "en") in names}
    assert fig["layout"]["barmode"] == "group"


def test_two_currencies_are_two_panels_never_one_axis():
    frame = pd.DataFrame({"measure": ["budget", "budget"], "currency": ["EUR", "USD"], "cents": [100_00, 250_00],
                          "value": [100.0, 250.0], "share": [1.0, 1.0]})
    fig = charts.execution_chart(frame, "Budget", "Amount", "en")
    euros, dollars = fig["data"]
    assert (euros["xaxis"], euros["yaxis"], euros["y"]) == ("x", "y", [100.0])
    assert (dollars["xaxis"], dollars["yaxis"], dollars["y"]) == ("x2", "y2", [250.0])
    layout = fig["layout"]
    assert layout["xaxis"]["domain"][1] < layout["xaxis2"]["domain"][0]  # side by side, not overlaid
    assert [a["text"] for a in layout["annotations"]] == ["<b>EUR</b>", "<b>USD</b>"]
    assert dollars["customdata"] == ["US$250.00"]


def test_donor_and_period_charts_name_their_bars(db):
    donors = charts.donor_chart(bq.by_donor(db, MoneyFilters()), "By donor", "Amount", "en")
    assert donors["data"][0]["x"] == ["European Union"]
    years = charts.period_chart(bq.by_period(db, MoneyFilters(), "year"), "year", "By year", "Amount", "en")
    budget = next(t for t in years["data"] if t["name"] == "Budget")
    assert budget["x"] == sorted(budget["x"]) and all(x.isdigit() for x in budget["x"])
    quarters = charts.period_chart(bq.by_period(db, MoneyFilters(), "quarter"), "quarter", "Par trimestre",
                                   "Montant", "fr")
    assert quarters["data"][0]["x"][0].startswith("T")


def test_a_chart_says_where_its_numbers_come_from(db):
    fig = charts.execution_chart(bq.execution(db, MoneyFilters()), "Budget", "Amount", "en",
                                 source="Source: generated sample")
    assert fig["layout"]["title"]["subtitle"]["text"] == "Source: generated sample"

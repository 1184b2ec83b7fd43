"""The budget page through AppTest: the published total, the sample label, filters, currencies, French."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kafo_data.config import money_dir, rates_file
from kafo_data.i18n import t
from kafo_data.money import queries as bq
from kafo_data.money import views as money_views
from kafo_data.money.filters import MoneyFilters
from kafo_data.seizures import queries
from tests.conftest import open_app
from tests.money.independent import NNBSP, usd_copy

# --- the page --------------------------------------------------------------------------------

def open_budget(monkeypatch=None, root: Path | None = None, **params) -> AppTest:
    if root is not None and monkeypatch is not None:
        monkeypatch.setenv("KAFO_DATA_DIR", str(root))
    return open_app("pages/budget.py", params, timeout=90)

pytestmark = pytest.mark.usefixtures("clear_caches")


def metric(at: AppTest, label: str) -> str:
    """A metric's value by its label (a generated amount's label ends in " · illustration", issue 28)."""
    return next(m.value for m in at.metric if m.label in (label, t("links.illustration_label", "en", label=label)))


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
    assert metric(at, "Spent") == money_views.amount(spent, "EUR", "en")
    assert "increase capacities of countries and sub-regions" in text
    assert "Germany (Federal Republic of Germany)" in text and "KAFO II" in text
    assert len(at.get("plotly_chart")) == 1  # one view at a time


def test_each_view_draws_its_own_chart_and_table_and_the_record_tables_open_on_demand(db):
    at = open_budget()
    assert not at.table  # a table twin is built when its expander is opened
    at.session_state["twin_budget"] = True
    titles = set()
    for view in money_views.SCREEN_VIEWS:
        at.button_group(key="b_view").set_value(view).run()
        assert not at.exception, [e.value for e in at.exception]
        charts = at.get("plotly_chart")
        assert len(charts) == 1, view
        titles.add(json.loads(charts[0].proto.spec)["layout"]["title"]["text"])
        assert at.table, f"{view}: no table twin"
    assert len(titles) == len(money_views.SCREEN_VIEWS)
    assert not at.dataframe  # the budget lines and transactions are drawn when opened
    at.session_state["b_transactions_open"] = True
    at.run()
    lines = bq.transactions(db, MoneyFilters())
    assert [len(frame.value) for frame in at.dataframe] == [len(lines)]


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


def test_a_missing_project_budget_is_a_notice_and_the_rest_of_the_page_stays(data_copy, monkeypatch):
    from kafo_data.store.reference import build_reference

    project = data_copy / "reference" / "project.csv"
    project.write_text("".join(line for line in project.read_text(encoding="utf-8").splitlines(keepends=True)
                               if not line.startswith("budget_value,")), encoding="utf-8")
    build_reference(data_copy)
    at = open_budget(monkeypatch, data_copy)
    notice = next(i.value for i in at.info if "not in the reference data" in i.value)
    assert "data/" not in notice and ".csv" not in notice, "a public notice names no server file"
    assert "Project budget (published)" not in [m.label for m in at.metric]
    assert at.get("plotly_chart"), "the spending chart is still drawn from the budget lines"


def test_a_link_sets_the_budget_filters_and_the_numbers_follow(db):
    """A link made before the budget page shared the sidebar's operation (`b_operation`) still works."""
    at = open_budget(donor="EU", output=["2"], b_operation="KAFO-II")
    assert at.multiselect(key="f_donor").value == ["EU"]
    assert at.multiselect(key="f_output").value == [2]
    assert at.multiselect(key="f_operation").value == ["KAFO-II"]
    f = MoneyFilters(donors=("EU",), outputs=(2,), operations=("KAFO-II",))
    execution = bq.execution(db, f)
    budget = int(execution[execution.measure == "budget"].cents.iloc[0])
    assert metric(at, "Budget (EUR)") == money_views.amount(budget, "EUR", "en")
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
    assert metric(at, "Budget (EUR)") == money_views.amount(budget, "EUR", "en") != before
    assert param(at, "output") == ["3"]


def test_a_donor_without_published_amounts_gets_a_message_not_an_empty_chart():
    at = open_budget(donor="DEU")
    text = body(at)
    assert "No amounts for this selection." in text
    assert not at.get("plotly_chart")
    assert "Financial support for the second edition, including Niger and the WCO" in text


def test_two_currencies_are_shown_side_by_side_then_converted_with_the_rate_shown(data_copy, monkeypatch):
    root = usd_copy(data_copy)
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


def test_the_sidebar_shows_the_filters_that_change_money_and_keeps_the_others_for_the_next_page(db):
    """Country, category and dates describe seizures: not drawn here, still in the link and on the next page."""
    at = open_budget(country="MLI", category="firearms", **{"from": "2020-01-01"})
    assert not at.warning
    assert [box.label for box in at.sidebar.multiselect] == ["Operation"]
    assert not at.sidebar.date_input
    names = queries.operations(db).name.tolist()  # in date order, no counts: those count seizure lines
    assert at.multiselect(key="f_operation").options == names and "KAFO II" in names
    assert "Country, category and dates describe seizures, not money" in " ".join(c.value for c in at.sidebar.caption)
    assert "Budgets are not split by operation" not in body(at)
    assert param(at, "country") == ["MLI"] and param(at, "category") == ["firearms"]
    assert param(at, "from") == ["2020-01-01"]

    at.multiselect(key="f_operation").set_value(["KAFO-II"]).run()
    rows = len(bq.transactions(db, MoneyFilters(operations=("KAFO-II",))))
    assert 0 < rows < len(bq.transactions(db, MoneyFilters()))
    assert [e.label for e in at.expander if e.label.startswith("Transactions")] == [f"Transactions ({rows})"]
    assert "Budgets are not split by operation" in body(at)

    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert at.multiselect(key="f_country").value == ["MLI"]
    assert at.multiselect(key="f_category").value == ["firearms"]
    assert str(at.date_input(key="f_from").value) == "2020-01-01"
    assert at.multiselect(key="f_operation").value == ["KAFO-II"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_project_card_names_every_item_of_every_list_in_the_readers_language(db, lang):
    """Pillars and outputs numbered in order; the short lists on a line each; each element one Markdown."""
    at = open_budget(lang=lang)
    items = bq.project_items(db)
    countries = dict(zip(queries.countries(db).iso3, queries.countries(db)[f"name_{lang}"], strict=True))
    card = next(m.value for m in at.markdown if "**" + ("Partners" if lang == "en" else "Partenaires") in m.value)
    for name in ("pillar", "output"):
        rows = items[items.list == name].sort_values("position")
        numbered = [f"{k}. {text}" for k, text in enumerate(rows[f"text_{lang}"], start=1)]
        found = [card.replace("\\", "").find(line) for line in numbered]
        assert -1 not in found and found == sorted(found), name
    partners = items[items.list == "partner"].sort_values("position")[f"text_{lang}"]
    assert " · ".join(countries[c] for c in partners) in card
    for text in items[items.list.isin(["activity_type", "focus_area", "implementer", "donor"])][f"text_{lang}"]:
        assert text in card.replace("\\", "")


# --- issue 28: every generated amount says "illustration" where it stands ----------------------

def _chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_generated_amounts_say_illustration_on_the_metric_the_chart_and_the_table(lang):
    at = open_budget(lang=lang) if lang == "fr" else open_budget()
    word = "illustration"
    generated = [m for m in at.metric if m.label != t("budget.total", lang)]
    assert generated and all(m.label.endswith(f" · {word}") and m.help for m in generated), \
        [(m.label, m.help) for m in generated]
    assert next(m for m in at.metric if m.label == t("budget.total", lang)).help in (None, "")  # the real one
    for view in money_views.SCREEN_VIEWS:
        at.segmented_control(key="b_view").set_value(view).run()
        titles = _chart_titles(at)
        assert titles and all(word in title for title in titles), (view, titles)
        twin = [e.label for e in at.expander if e.label.startswith(t("budget.table_twin", lang))]
        assert twin and word in twin[0], (view, twin)


def test_with_an_operation_chosen_the_page_says_the_budget_is_not_split_by_operation():
    at = open_budget(operation="KAFO-II")
    said = [i.value for i in at.info if t("links.not_split", "en", operations="").split("{")[0][:30] in i.value]
    assert said and "KAFO II" in said[0]
    shares = [m.delta for m in at.metric if m.delta]
    assert shares and all("whole project's budget" in d for d in shares)

"""Budget and donors: what the project cost, in the words donors read in IATI and the EU Aid Explorer.

The page in parts, each a function: the published total, the spending and its five views, the
budget lines and transactions, then donors and the project. The run itself is the last lines.
"""

from __future__ import annotations

import streamlit as st

from kafo_data.fmt import literal, money
from kafo_data.i18n import t
from kafo_data.money import charts as money_charts
from kafo_data.money import queries as money_queries
from kafo_data.money import rates as money_rates
from kafo_data.money import views as money_views
from kafo_data.money.filters import MoneyFilters
from kafo_data.ui import brief as ui_brief
from kafo_data.ui import budget as ui_budget
from kafo_data.ui import look, state
from kafo_data.ui import page as ui


def published_total(total: dict, lang: str) -> None:
    """The one published amount, with its source: real, whatever the filters and the sample say."""
    if not total:  # the reference has no project budget: said, never a traceback
        st.info(t("layers.budget_total_missing", lang), icon="ℹ️")
        return
    with st.container(border=True):
        st.metric(t("budget.total", lang), money(total["value"], total["currency"], lang))
        st.markdown(ui.block(t("budget.total_source", lang, title=ui.link(total["source_title"], total["source_url"]),
                               publisher=literal(money_views.publisher(total, lang)),
                               date=literal(total["source_published"])),
                             small=[t("budget.total_note", lang)]))


def currency_choice(filters: MoneyFilters, base: str | None, lang: str) -> tuple[list, list[str], bool]:
    """The rates, the currencies in use, and whether the reader asked for amounts in the base currency."""
    try:
        rates = ui_budget.rates()
    except money_rates.RatesError as exc:
        st.warning(t("budget.rates_unreadable", lang, problem=str(exc)), icon="⚠️")
        rates = []
    currencies = ui.q(money_queries.currencies_in_use, filters)
    convert = False
    if len(currencies) > 1:
        st.warning(t("budget.currencies", lang, currencies=", ".join(currencies)), icon="💱")
        missing = money_rates.missing_rates(currencies, rates, base) if base else currencies
        if missing:
            st.caption(t("budget.no_rate", lang, currencies=", ".join(missing), base=base or "?"))
        else:
            convert = st.toggle(t("budget.convert", lang, base=base), key="b_convert")
    return rates, currencies, convert


def illustrated(label: str, sample: bool, lang: str) -> str:
    """A generated amount's label says so where it stands (issue 28: a screenshot of the metrics passed invented
    spending for real); a chart's title too, and with it the image a person downloads."""
    return t("links.illustration_label", lang, label=label) if sample else label


def titled(key: str, chart: dict, lang: str) -> str:
    """A chart's title, or its table twin's label, saying "illustration" when the chart shows generated amounts."""
    return illustrated(t(key, lang), chart["sample"], lang)


def headlines(execution, filters: MoneyFilters, convert: bool, shown: dict, lang: str) -> None:
    budget_sample, spend_sample = shown.get("budgets") == "sample", shown.get("transactions") == "sample"
    if filters.operations:  # the budget is the project's: an operation's spending is not set against it as its own
        st.info(t("links.not_split", lang, operations=", ".join(
            literal(ui.operation_names().get(o, o)) for o in filters.operations)), icon="ℹ️")
    of_budget = "links.of_project_budget" if filters.operations else "budget.of_budget"
    for head in ui_budget.headlines(execution, filters, convert, lang):
        # One row that wraps on a phone: a grid of columns was 14 messages a currency (issue 16's speed).
        with st.container(border=True, horizontal=True):
            st.metric(illustrated(t("budget.metric.budget", lang, currency=head.currency), budget_sample, lang),
                      head.budget, help=t("links.illustration_help", lang) if budget_sample else None)
            for label, amount, share in (*head.measures, (t("budget.metric.spend", lang), head.spend,
                                                         head.spend_share)):
                st.metric(illustrated(label, spend_sample, lang), amount, delta=t(of_budget, lang, share=share),
                          delta_color="off", delta_arrow="off",
                          help=t("links.illustration_help", lang) if spend_sample else None)


def view_spending(execution, filters: MoneyFilters, convert: bool, shown: dict, chart: dict, lang: str) -> None:
    look.kept_chart(("budget.execution", filters, convert, lang, chart["source"]),
                    lambda: money_charts.execution_chart(execution, titled("budget.spending.chart", chart, lang),
                                                          t("budget.amount", lang), lang, source=chart["source"]),
                    sample=chart["sample"])
    st.caption(t("budget.spending.caption", lang) + " " + money_views.source_caption(shown, lang))
    ui.twin(titled("budget.table_twin", chart, lang), "twin_budget",
            lambda: money_views.execution_table(execution, lang))


def view_donor(filters: MoneyFilters, donor_names: dict, shown: dict, chart: dict, lang: str) -> None:
    by_donor = ui.q(money_queries.by_donor, filters)
    if not by_donor.empty:
        look.chart(money_charts.donor_chart(by_donor, titled("budget.donor.chart", chart, lang),
                                             t("budget.amount", lang), lang, source=chart["source"]),
                   sample=chart["sample"])
    without = money_views.donors_without_amounts(donor_names, by_donor, filters.donors)
    st.caption(money_views.source_caption(shown, lang, transactions=False)
               + (" " + t("budget.donor.no_amounts", lang, donors=", ".join(without)) if without else ""))
    ui.twin(titled("budget.table_twin", chart, lang), "twin_budget",
            lambda: money_views.donor_table(by_donor, lang))


def view_output(filters: MoneyFilters, outputs: dict, shown: dict, chart: dict, lang: str) -> None:
    by_output = ui.q(money_queries.by_output, filters)
    look.chart(money_charts.output_chart(by_output, titled("budget.output.chart", chart, lang),
                                          t("budget.amount", lang), lang, source=chart["source"]),
               sample=chart["sample"])
    st.markdown("\n".join(f"{n}. {literal(outputs[n])}" for n in sorted(outputs)))
    st.caption(t("budget.output.caption", lang) + " " + money_views.source_caption(shown, lang))
    ui.twin(titled("budget.table_twin", chart, lang), "twin_budget",
            lambda: money_views.output_table(by_output, outputs, lang))


def view_period(filters: MoneyFilters, shown: dict, chart: dict, lang: str) -> None:
    ui.link_notice(ui.choice("b_grain", money_queries.GRAINS, "year"), lang)
    grain = st.segmented_control(t("budget.period.grain", lang), options=list(money_queries.GRAINS),
                                 format_func=lambda g: t(f"budget.period.{g}", lang), key="b_grain",
                                 required=True)
    by_period = ui.q(money_queries.by_period, filters, grain)
    if by_period.empty:
        st.info(t("budget.empty", lang), icon="🔎")
    else:
        look.chart(money_charts.period_chart(by_period, grain, titled(f"budget.period.chart_{grain}", chart, lang),
                                              t("budget.amount", lang), lang, source=chart["source"]),
                   sample=chart["sample"])
    unsplit = ui.q(money_queries.unsplit_budget, filters, grain)
    if not unsplit.empty:
        amounts = ", ".join(money_views.amount(c, cur, lang)
                            for c, cur in zip(unsplit.cents, unsplit.currency, strict=True))
        st.caption(t("budget.period.unsplit", lang, lines=int(unsplit.lines.sum()), amounts=amounts))
    period_note = t("budget.period.sample", lang) if shown.get("budgets") == "sample" else ""
    st.caption(" ".join(p for p in (period_note, money_views.source_caption(shown, lang)) if p))
    ui.twin(titled("budget.table_twin", chart, lang), "twin_budget",
            lambda: money_views.period_table(by_period, grain, lang))


def view_revised(filters: MoneyFilters, outputs: dict, shown: dict, chart: dict, lang: str) -> None:
    revised = ui.q(money_queries.original_vs_revised, filters)
    if revised.empty:
        st.info(t("budget.revised.none", lang), icon="ℹ️")
        return
    look.chart(money_charts.revised_chart(revised, titled("budget.revised.chart", chart, lang),
                                           t("budget.amount", lang), lang, source=chart["source"]),
               sample=chart["sample"])
    st.caption(t("budget.revised.caption", lang) + " " + money_views.source_caption(shown, lang, transactions=False))
    ui.twin(titled("budget.table_twin", chart, lang), "twin_budget",
            lambda: money_views.revised_table(revised, outputs, lang))


def spending(filters: MoneyFilters, base: str | None, shown: dict, chart: dict, outputs: dict, donor_names: dict,
             lang: str) -> None:
    """Headline amounts per currency, then one view at a time of where the money went."""
    rates, currencies, convert = currency_choice(filters, base, lang)
    execution = ui.q(money_queries.execution, filters)
    st.header(t("budget.spending.title", lang))
    if execution.empty:
        st.info(t("budget.empty", lang), icon="🔎")
        return
    if convert:
        execution = money_views.converted_execution(money_rates.convert(execution, rates, base))
        st.caption(t("budget.converted_note", lang, base=base))
        ui.table(money_views.rates_table(rates, currencies, base, lang), hide_index=True)
    headlines(execution, filters, convert, shown, lang)
    # One view at a time: a person reads one chart, and the browser draws one (issue 16's speed).
    ui.link_notice(ui.choice("b_view", money_views.SCREEN_VIEWS, "spending"), lang)
    view = st.segmented_control(t("look.show", lang), money_views.SCREEN_VIEWS, key="b_view",
                                required=True, format_func=lambda v: t(f"budget.view.{v}", lang)) or "spending"
    if view == "spending":
        view_spending(execution, filters, convert, shown, chart, lang)
    elif view == "donor":
        view_donor(filters, donor_names, shown, chart, lang)
    elif view == "output":
        view_output(filters, outputs, shown, chart, lang)
    elif view == "period":
        view_period(filters, shown, chart, lang)
    else:
        view_revised(filters, outputs, shown, chart, lang)


def lines_and_transactions(filters: MoneyFilters, lang: str) -> None:
    st.header(t("budget.lines.title", lang))
    st.caption(t("budget.lines.caption", lang))
    lines = ui.q(money_queries.budget_lines, filters)
    transactions = ui.q(money_queries.transactions, filters)
    ui_budget.downloads(lang, filters, {"budgets": len(lines), "transactions": len(transactions)})
    # Drawn when opened: a thousand formatted rows cost every rerun otherwise (issue 16's speed).
    shelf = st.expander(t("budget.lines.budgets", lang, rows=len(lines)), key="b_lines_open", on_change="rerun")
    with shelf:
        if shelf.open:
            st.dataframe(money_views.lines_table(lines, lang), hide_index=True)
    shelf = st.expander(t("budget.lines.transactions", lang, rows=len(transactions)), key="b_transactions_open",
                        on_change="rerun")
    with shelf:
        if shelf.open:
            st.dataframe(money_views.transactions_table(transactions, ui.operation_names(), lang), hide_index=True)


def donors_and_project(lang: str) -> None:
    st.header(t("budget.donors.title", lang))
    st.caption(t("budget.donors.intro", lang))
    st.container(border=True).markdown(ui_budget.donors_text(lang))
    st.header(t("project.title", lang))
    st.container(border=True).markdown(ui_budget.project_text(lang))


lang, sidebar, notices = ui.start(filters="money")
ui.link_notice(notices, lang)
look.image_format(lang)
st.title(t("budget.title", lang))
chosen = state.current(MoneyFilters)  # the filter bar below holds these (from the link or the last click)
ui_brief.button("budget", lang, sidebar.operations, sidebar.include_sample, donors=chosen.donors,
                outputs=chosen.outputs)
st.markdown(t("budget.intro", lang))
total = ui.q(money_queries.project_budget)
outputs, donor_names = ui_budget.names(lang)
published_total(total, lang)

filters = ui_budget.filters_bar(lang, donor_names, outputs)
# One caption whatever the choice: an element that comes and goes moves every later one, and the
# browser then builds them all again, charts included (issue 16's speed).
st.caption(" ".join([t("filters.budget_scope", lang)]
                    + ([t("budget.filter.operation_note", lang)] if filters.operations else [])))
state = ui.q(money_queries.sample_state)
shown = {table: kind for table, kind in state.items()
         if kind == "real" or (kind == "sample" and filters.include_sample)}
chart = {"sample": "sample" in shown.values(), "source": money_views.source_caption(shown, lang)}
if chart["sample"]:
    st.info(t("budget.sample_notice", lang), icon="🧪")
if set(state.values()) == {"none"}:
    st.info(t("budget.no_breakdown", lang), icon="ℹ️")
elif not shown:
    st.info(t("budget.no_real", lang), icon="ℹ️")
else:
    spending(filters, total.get("currency"), shown, chart, outputs, donor_names, lang)
    lines_and_transactions(filters, lang)
donors_and_project(lang)

"""Budget and donors: what the project cost, in the words donors read in IATI and the EU Aid Explorer."""

from __future__ import annotations

import streamlit as st

from kafo_data.fmt import literal, money
from kafo_data.i18n import t
from kafo_data.money import charts as budget_charts
from kafo_data.money import queries as budget_queries
from kafo_data.money import rates as money_rates
from kafo_data.money import views as budget_views
from kafo_data.ui import brief as ui_brief
from kafo_data.ui import budget as ui_budget
from kafo_data.ui import look
from kafo_data.ui import page as ui

lang, sidebar, notices = ui.start(filters="money")
ui.link_notice(notices, lang)
look.image_format(lang)

st.title(t("budget.title", lang))
ui_brief.button("budget", lang, sidebar.operations, sidebar.include_sample)
st.markdown(t("budget.intro", lang))

total = ui.q(budget_queries.project_budget)
operations = ui.operation_names()
outputs, donor_names = ui_budget.names(lang)
base = total["currency"]

# The one published amount, with its source: real, whatever the filters and the sample say.
with st.container(border=True):
    st.metric(t("budget.total", lang), money(total["value"], base, lang))
    st.markdown(ui.block(t("budget.total_source", lang, title=ui.link(total["source_title"], total["source_url"]),
                           publisher=literal(total["source_publisher"]),
                           date=literal(total["source_published"])),
                         small=[t("budget.total_note", lang)]))

filters = ui_budget.filters_bar(lang, donor_names, outputs)
# One caption whatever the choice: an element that comes and goes moves every later one, and the
# browser then builds them all again, charts included (issue 16's speed).
st.caption(" ".join([t("filters.budget_scope", lang)]
                    + ([t("budget.filter.operation_note", lang)] if filters.operations else [])))

state = ui.q(budget_queries.sample_state)
shown = {table: kind for table, kind in state.items()
         if kind == "real" or (kind == "sample" and filters.include_sample)}
chart_sample = "sample" in shown.values()
chart_source = budget_views.source_caption(shown, lang)  # written in each chart's image too
if chart_sample:
    st.info(t("budget.sample_notice", lang), icon="🧪")

if set(state.values()) == {"none"}:
    st.info(t("budget.no_breakdown", lang), icon="ℹ️")
elif not shown:
    st.info(t("budget.no_real", lang), icon="ℹ️")
else:
    try:
        rates = ui_budget.rates()
    except money_rates.RatesError as exc:
        st.warning(t("budget.rates_unreadable", lang, problem=str(exc)), icon="⚠️")
        rates = []
    currencies = ui.q(budget_queries.currencies_in_use, filters)
    execution = ui.q(budget_queries.execution, filters)
    convert = False
    if len(currencies) > 1:
        missing = money_rates.missing_rates(currencies, rates, base)
        st.warning(t("budget.currencies", lang, currencies=", ".join(currencies)), icon="💱")
        if missing:
            st.caption(t("budget.no_rate", lang, currencies=", ".join(missing), base=base))
        else:
            convert = st.toggle(t("budget.convert", lang, base=base), key="b_convert")

    st.header(t("budget.spending.title", lang))
    if execution.empty:
        st.info(t("budget.empty", lang), icon="🔎")
    else:
        if convert:
            execution = budget_views.converted_execution(money_rates.convert(execution, rates, base))
            st.caption(t("budget.converted_note", lang, base=base))
            ui.table(budget_views.rates_table(rates, currencies, base, lang), hide_index=True)
        for head in ui_budget.headlines(execution, filters, convert, lang):
            # One row that wraps on a phone: a grid of columns was 14 messages a currency (issue 16's speed).
            with st.container(border=True, horizontal=True):
                st.metric(t("budget.metric.budget", lang, currency=head.currency), head.budget)
                for label, amount, share in (*head.measures, (t("budget.metric.spend", lang), head.spend,
                                                             head.spend_share)):
                    st.metric(label, amount, delta=t("budget.of_budget", lang, share=share),
                              delta_color="off", delta_arrow="off")
        # One view at a time: a person reads one chart, and the browser draws one (issue 16's speed).
        ui.link_notice(ui.choice("b_view", budget_views.VIEWS, "spending"), lang)
        view = st.segmented_control(t("look.show", lang), budget_views.VIEWS, key="b_view",
                                    required=True, format_func=lambda v: t(f"budget.view.{v}", lang)) or "spending"
        twin_label = t("budget.table_twin", lang)
        if view == "spending":
            look.kept_chart(("budget.execution", filters, convert, lang, chart_source),
                            lambda: budget_charts.execution_chart(execution, t("budget.spending.chart", lang),
                                                                  t("budget.amount", lang), lang,
                                                                  source=chart_source),
                            sample=chart_sample)
            st.caption(t("budget.spending.caption", lang) + " " + budget_views.source_caption(shown, lang))
            ui.twin(twin_label, "twin_budget", lambda: budget_views.execution_table(execution, lang))

        elif view == "donor":
            by_donor = ui.q(budget_queries.by_donor, filters)
            if not by_donor.empty:
                look.chart(budget_charts.donor_chart(by_donor, t("budget.donor.chart", lang),
                                                     t("budget.amount", lang), lang, source=chart_source),
                           sample=chart_sample)
            without = budget_views.donors_without_amounts(donor_names, by_donor, filters.donors)
            st.caption(budget_views.source_caption(shown, lang, transactions=False)
                       + (" " + t("budget.donor.no_amounts", lang, donors=", ".join(without)) if without else ""))
            ui.twin(twin_label, "twin_budget", lambda: budget_views.donor_table(by_donor, lang))

        elif view == "output":
            by_output = ui.q(budget_queries.by_output, filters)
            look.chart(budget_charts.output_chart(by_output, t("budget.output.chart", lang),
                                                  t("budget.amount", lang), lang, source=chart_source),
                       sample=chart_sample)
            st.markdown("\n".join(f"{n}. {literal(outputs[n])}" for n in sorted(outputs)))
            st.caption(t("budget.output.caption", lang) + " " + budget_views.source_caption(shown, lang))
            ui.twin(twin_label, "twin_budget", lambda: budget_views.output_table(by_output, outputs, lang))

        elif view == "period":
            ui.link_notice(ui.choice("b_grain", budget_queries.GRAINS, "year"), lang)
            grain = st.segmented_control(t("budget.period.grain", lang), options=list(budget_queries.GRAINS),
                                         format_func=lambda g: t(f"budget.period.{g}", lang), key="b_grain",
                                         required=True)
            by_period = ui.q(budget_queries.by_period, filters, grain)
            if by_period.empty:
                st.info(t("budget.empty", lang), icon="🔎")
            else:
                look.chart(budget_charts.period_chart(by_period, grain, t(f"budget.period.chart_{grain}", lang),
                                                      t("budget.amount", lang), lang, source=chart_source),
                           sample=chart_sample)
            unsplit = ui.q(budget_queries.unsplit_budget, filters, grain)
            if not unsplit.empty:
                amounts = ", ".join(budget_views.amount(c, cur, lang)
                                    for c, cur in zip(unsplit.cents, unsplit.currency, strict=True))
                st.caption(t("budget.period.unsplit", lang, lines=int(unsplit.lines.sum()), amounts=amounts))
            period_note = t("budget.period.sample", lang) if shown.get("budgets") == "sample" else ""
            st.caption(" ".join(p for p in (period_note, budget_views.source_caption(shown, lang)) if p))
            ui.twin(twin_label, "twin_budget", lambda: budget_views.period_table(by_period, grain, lang))

        else:
            revised = ui.q(budget_queries.original_vs_revised, filters)
            if revised.empty:
                st.info(t("budget.revised.none", lang), icon="ℹ️")
            else:
                look.chart(budget_charts.revised_chart(revised, t("budget.revised.chart", lang),
                                                       t("budget.amount", lang), lang, source=chart_source),
                           sample=chart_sample)
                st.caption(t("budget.revised.caption", lang) + " "
                           + budget_views.source_caption(shown, lang, transactions=False))
                ui.twin(twin_label, "twin_budget", lambda: budget_views.revised_table(revised, outputs, lang))

    st.header(t("budget.lines.title", lang))
    st.caption(t("budget.lines.caption", lang))
    lines = ui.q(budget_queries.budget_lines, filters)
    transactions = ui.q(budget_queries.transactions, filters)
    ui_budget.downloads(lang, filters, {"budgets": len(lines), "transactions": len(transactions)})
    # Drawn when opened: a thousand formatted rows cost every rerun otherwise (issue 16's speed).
    shelf = st.expander(t("budget.lines.budgets", lang, rows=len(lines)), key="b_lines_open", on_change="rerun")
    with shelf:
        if shelf.open:
            st.dataframe(budget_views.lines_table(lines, lang), hide_index=True)
    shelf = st.expander(t("budget.lines.transactions", lang, rows=len(transactions)), key="b_transactions_open",
                        on_change="rerun")
    with shelf:
        if shelf.open:
            st.dataframe(budget_views.transactions_table(transactions, operations, lang), hide_index=True)

st.header(t("budget.donors.title", lang))
st.caption(t("budget.donors.intro", lang))
st.container(border=True).markdown(ui_budget.donors_text(lang))

st.header(t("project.title", lang))
st.container(border=True).markdown(ui_budget.project_text(lang))

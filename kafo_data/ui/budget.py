"""The budget page's Streamlit helpers: its own filters (donor, output), the rates, the downloads, the cards.

Operation and the sample switch are the sidebar's (one filter set for every page); donor and
output sit at the top of the budget page, because they only mean something there. Both live
in the URL through the one sync of `kafo_data.ui.state`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from kafo_data.export import formats
from kafo_data.export import money as money_export
from kafo_data.fmt import literal, money, number
from kafo_data.i18n import t
from kafo_data.money import queries as money_queries
from kafo_data.money import rates as money_rates
from kafo_data.money import views as money_views
from kafo_data.money.filters import MoneyFilters
from kafo_data.store.db import get_database
from kafo_data.ui import state
from kafo_data.ui.data import database, per_version, q
from kafo_data.ui.downloads import refusal
from kafo_data.ui.page import block, country_names, link


def rates() -> list[money_rates.Rate]:
    """The rates table of the data directory (kept by data version like the queries)."""
    root = database().root
    return per_version("rates", lambda: money_rates.rates(root))


def names(lang: str) -> tuple[dict[int, str], dict[str, str]]:
    """The outputs and the donors named in the reader's language (kept by data version: read, never changed)."""
    def make() -> tuple[dict[int, str], dict[str, str]]:
        donors = q(money_queries.donors)
        return (money_views.output_names(q(money_queries.project_items), lang),
                dict(zip(donors.donor_id, donors[f"name_{lang}"], strict=True)))

    return per_version(("budget.names", lang), make)


def headlines(execution: Any, filters: MoneyFilters, converted: bool, lang: str) -> list[money_views.Headline]:
    """`money_views.headlines`, kept per selection: the same filters give the same execution frame."""
    return per_version(("budget.headlines", filters, converted, lang),
                       lambda: money_views.headlines(execution, lang))


def donors_text(lang: str) -> str:
    """Every donor with what it supported, as one Markdown element (kept by data version).

    One element, not a bordered card a donor: each element is a message the browser lays out again
    on every click (issue 16's speed). The data is made safe here (`literal`, `link`).
    """
    def make() -> str:
        cards = [block(f"**{literal(card.name)}** · {literal(card.kind)}", "\n".join(
            t("budget.donors.line", lang, target=literal(line.target), what=literal(line.what),
              source=link(line.source_title, line.source_url), publisher=literal(line.source_publisher),
              date=literal(line.source_published))
            for line in card.lines)) for card in money_views.donor_cards(q(money_queries.donor_operations), lang)]
        return block("\n\n---\n\n".join(cards), small=[t("project.unofficial", lang)] if lang != "en" else [])

    return per_version(("budget.donors_text", lang), make)


def project_text(lang: str) -> str:
    """The project card as one Markdown element: numbered pillars and outputs, the short lists on a line each."""
    def make() -> str:
        total = q(money_queries.project_budget)
        card = money_views.project_card(q(money_queries.project), q(money_queries.project_items),
                                         q(money_queries.donors), country_names(lang), lang)

        def numbered(name: str) -> str:
            items = "\n".join(f"{k}. {literal(text)}" for k, text in enumerate(card.lists[name], start=1))
            return f"**{t(f'project.list.{name}', lang)}**\n\n{items}"

        def inline(name: str) -> str:
            return t("project.inline", lang, name=t(f"project.list.{name}", lang),
                     items=" · ".join(literal(text) for text in card.lists[name]))

        return block(
            f"### {literal(card.title)}",
            f":small[{t('project.as_published', lang)}]" if lang != "en" else "",
            f"**{t('project.objective', lang)}** {literal(card.objective)}",
            f"**{t('project.programme', lang)}** {literal(card.programme)}",
            numbered("pillar"), numbered("output"),
            *(inline(name) for name in ("activity_type", "focus_area", "partner", "implementer", "donor")),
            (f"**{t('project.budget', lang)}** {money(total['value'], total['currency'], lang)} · "
             + t("project.budget_source", lang, title=link(total["source_title"], total["source_url"])))
            if total else "",  # no published budget: the page says so once, above
            f"**{t('project.contact', lang)}** {literal(card.contact_person)}  \n"
            f"{literal(card.contact_organization)}  \n"
            f"{email_link(card.contact_email)} · {literal(card.contact_phone)}",
            small=[t("project.unofficial", lang)] if lang != "en" else [])

    return per_version(("budget.project_text", lang), make)


_EMAIL = re.compile(r"[A-Za-z0-9.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def email_link(address: object) -> str:
    """An e-mail address as a mailto link that copies as written: `literal` keeps a bare address from becoming a
    link with a zero-width space, which went into the copied address (issue 28). Anything else: literal text."""
    if isinstance(address, str) and _EMAIL.fullmatch(address.strip()):
        text = address.strip()
        return f"[{text}](mailto:{text})"
    return literal(address)


def filters_bar(lang: str, donor_names: dict[str, str], output_names: dict[int, str]) -> MoneyFilters:
    """Donor and output pickers in a row at the top of the page; with the sidebar's operation and sample switch."""
    known = q(money_queries.known)
    labels: dict[str, Callable[[Any], str]] = {
        "donor": lambda v: donor_names.get(v, v),
        "output": lambda v: f"{t('budget.output_n', lang, n=v)}: {output_names.get(v, '')}",
    }
    options = {"donor": sorted(known["donors"]), "output": sorted(known["outputs"])}
    with st.container(horizontal=True):
        for key in MoneyFilters.OWN:
            st.multiselect(t(f"budget.filter.{key}", lang), options=options[key], key=state.STATE[key],
                           format_func=labels[key], placeholder=t("budget.filter.all", lang))
    return state.current(MoneyFilters)


def downloads(lang: str, filters: MoneyFilters, rows: dict[str, int], key: str = "b_download") -> None:
    """One format choice, then a button for the budget lines and one for the transactions.

    Each file is built only on click (`data=` a callable holding plain values, its own cursor,
    no `st.*`), through `kafo_data.export.money`, so it has the same formats, the same protection
    against formulas and the same bytes as `python -m kafo_data money export`.
    """
    root = database().root
    today = dt.datetime.now(dt.UTC).date()
    fmt = st.radio(t("export.format", lang), formats.FORMATS, key=f"{key}_format", horizontal=True,
                   format_func=lambda f: t(f"export.format.{f}", lang))
    problems = []
    with st.container(horizontal=True):
        for table in ("budgets", "transactions"):
            problem = refusal(rows[table], fmt, lang)

            def build(table: str = table, fmt: str = fmt) -> bytes:
                return money_export.build(get_database(root), table, filters, fmt, lang, today)

            name = money_export.file_name(table, filters, today, formats.EXTENSIONS[fmt],
                                          formats.SUFFIXES.get(fmt, ""))
            st.download_button(t(f"budget.download.{table}", lang, rows=number(rows[table], lang)), data=build,
                               file_name=name, mime=formats.MIME[fmt], on_click="ignore",
                               disabled=problem is not None, key=f"{key}_{table}", icon=":material/download:")
            if problem and problem not in problems:
                problems.append(problem)
    for problem in problems:
        st.caption(problem)

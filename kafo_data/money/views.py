"""Money frames shaped for the screen: labels in the reader's language, amounts with currency.

The budget page stays a description of the screen; turning a query frame into rows a
person reads (output names in full, measures in IATI wording, amounts written by
`fmt.money`, shares by `fmt.percent`) happens here, with no Streamlit, so it is tested
without a browser. Every amount keeps its currency: tables have one row (or column) per
currency, never a sum across them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
from babel.numbers import format_decimal

from kafo_data.contract.money import from_cents
from kafo_data.fmt import LOCALES, date, money, percent
from kafo_data.i18n import t
from kafo_data.money.queries import MEASURES
from kafo_data.money.rates import Rate
from kafo_data.seizures.views import contact_label

# The budget page's views, one shown at a time.
SCREEN_VIEWS: tuple[str, ...] = ("spending", "donor", "output", "period", "revised")
LISTS: tuple[str, ...] = ("pillar", "output", "activity_type", "focus_area", "partner", "implementer", "donor")
def _blank(value: object) -> bool:
    """None, NaN, pandas' NA or an empty string."""
    if value is None or isinstance(value, str):
        return value in (None, "")
    return bool(pd.isna(value))


def amount(cents: int, currency: str, lang: str) -> str:
    """An exact amount from integer cents, with its currency, as the language writes it."""
    return money(from_cents(int(cents)), currency, lang)


def share_text(share: object, lang: str) -> str:
    return "—" if _blank(share) else percent(float(share), lang)  # type: ignore[arg-type]


def measure_label(measure: str, lang: str) -> str:
    return t(f"budget.measure.{measure}", lang)


def output_short(output: int, lang: str) -> str:
    return t("budget.output_n", lang, n=int(output))


def output_names(items: pd.DataFrame, lang: str) -> dict[int, str]:
    """The four outputs named in full, in the reader's language."""
    rows = items[items.list == "output"]
    return {int(r.position): getattr(r, f"text_{lang}") for r in rows.itertuples()}


def period_label(day: dt.date | pd.Timestamp, grain: str, lang: str) -> str:
    """'2021' for a year; 'Q3 2021' / 'T3 2021' for a quarter."""
    day = pd.Timestamp(day).date()
    if grain == "year":
        return str(day.year)
    return t("budget.quarter", lang, q=(day.month - 1) // 3 + 1, year=day.year)


def source_caption(state: dict[str, str], lang: str, transactions: bool = True) -> str:
    """Where a chart's numbers come from: the generated sample, loaded reports, or both."""
    used = [state.get("budgets", "none")] + ([state.get("transactions", "none")] if transactions else [])
    kinds = {k for k in used if k != "none"}
    if not kinds:
        return ""
    if kinds == {"sample"}:
        return t("budget.caption.sample", lang)
    if kinds == {"real"}:
        return t("budget.caption.real", lang)
    return t("budget.caption.mixed", lang)


# --- headline -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    """One currency's budget and what was committed, disbursed and spent of it."""

    currency: str
    budget: str
    measures: tuple[tuple[str, str, str], ...]  # (label, amount, share of budget)
    spend: str
    spend_share: str


def headlines(frame: pd.DataFrame, lang: str) -> list[Headline]:
    """One Headline per currency of an `execution` frame (converted or not)."""
    out = []
    for currency, rows in frame.groupby("currency", sort=True):
        cents = {m: int(c) for m, c in zip(rows.measure, rows.cents, strict=True)}
        budget = cents.get("budget", 0)
        items = tuple((measure_label(m, lang), amount(cents.get(m, 0), str(currency), lang),
                       share_text(cents.get(m, 0) / budget if budget else None, lang)) for m in MEASURES[1:])
        spend = cents.get("disbursement", 0) + cents.get("expenditure", 0)
        out.append(Headline(str(currency), amount(budget, str(currency), lang), items,
                            amount(spend, str(currency), lang),
                            share_text(spend / budget if budget else None, lang)))
    return out


def execution_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Budget against commitments, disbursements, expenditure: one row per currency and measure."""
    return pd.DataFrame({
        t("budget.col.measure", lang): [measure_label(m, lang) for m in frame.measure],
        t("budget.col.amount", lang): [amount(c, cur, lang) for c, cur in zip(frame.cents, frame.currency,
                                                                                strict=True)],
        t("budget.col.currency", lang): frame.currency.tolist(),
        t("budget.col.share", lang): [share_text(s, lang) for s in frame.share],
    })


def converted_execution(converted: pd.DataFrame) -> pd.DataFrame:
    """An `execution` frame after `convert`: one total per measure in the base currency, shares again."""
    summed = converted.groupby(["currency", "measure"], as_index=False, sort=False).cents.sum()
    budget = summed[summed.measure == "budget"].set_index("currency").cents
    summed["share"] = [c / budget.get(cur) if budget.get(cur) else math.nan
                       for cur, c in zip(summed.currency, summed.cents, strict=True)]
    rank = {m: k for k, m in enumerate(MEASURES)}
    summed = summed.assign(rank=summed.measure.map(rank)).sort_values(["currency", "rank"]).drop(columns="rank")
    summed["value"] = summed.cents / 100
    return summed.reset_index(drop=True)


def rates_table(rates: list[Rate], currencies: list[str], base: str, lang: str) -> pd.DataFrame:
    """The rates used: 1 base = rate currency, with date and source."""
    used = [r for r in rates if r.base_currency == base and r.currency in currencies]
    return pd.DataFrame({
        t("budget.col.currency", lang): [r.currency for r in used],
        t("budget.col.rate", lang): [t("budget.rate_text", lang, base=base, currency=r.currency,
                                       rate=format_decimal(r.rate, format="#,##0.######", locale=LOCALES[lang]))
                                     for r in used],
        t("budget.col.rate_date", lang): [date(r.rate_date, lang) for r in used],
        t("budget.col.source", lang): [r.source for r in used],
    })


# --- breakdowns -----------------------------------------------------------------------------

def _pivot(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Measures as columns (cents), one row per keys + currency."""
    wide = frame.pivot_table(index=[*keys, "currency"], columns="measure", values="cents", aggfunc="sum",
                             fill_value=0).reset_index()
    for m in MEASURES:
        if m not in wide.columns:
            wide[m] = 0
    return wide


def _measure_columns(wide: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    cols = {}
    for m in MEASURES:
        cols[measure_label(m, lang)] = [amount(c, cur, lang) for c, cur in zip(wide[m], wide.currency, strict=True)]
    spent = wide.disbursement + wide.expenditure
    cols[t("budget.col.spend_share", lang)] = [share_text(s / b if b else None, lang)
                                               for s, b in zip(spent, wide.budget, strict=True)]
    return cols


def output_table(frame: pd.DataFrame, names: dict[int, str], lang: str) -> pd.DataFrame:
    """Per output (named in full) and currency: budget, committed, disbursed, spent, share spent."""
    if frame.empty:
        return pd.DataFrame()
    wide = _pivot(frame, ["output"]).sort_values(["output", "currency"])
    return pd.DataFrame({
        t("budget.col.output", lang): [f"{output_short(o, lang)}: {names.get(int(o), '')}" for o in wide.output],
        **_measure_columns(wide, lang),
    })


def period_table(frame: pd.DataFrame, grain: str, lang: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame()
    wide = _pivot(frame, ["period"]).sort_values(["period", "currency"])
    return pd.DataFrame({
        t("budget.col.period", lang): [period_label(p, grain, lang) for p in wide.period],
        **_measure_columns(wide, lang),
    })


def donors_without_amounts(names: dict[str, str], by_donor: pd.DataFrame, chosen: tuple[str, ...]) -> list[str]:
    """Names of the (chosen) donors that have no budget line: their support has no published amount."""
    present = set(by_donor.donor_id)
    return [name for donor, name in names.items() if donor not in present and (not chosen or donor in chosen)]


def donor_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("budget.col.donor", lang): frame[f"name_{lang}"].fillna(frame.donor_id).tolist(),
        t("budget.col.amount", lang): [amount(c, cur, lang) for c, cur in zip(frame.cents, frame.currency,
                                                                                strict=True)],
        t("budget.col.currency", lang): frame.currency.tolist(),
    })


def revised_table(frame: pd.DataFrame, names: dict[int, str], lang: str) -> pd.DataFrame:
    """Original and revised budget per output over the periods the revision covers."""
    if frame.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        t("budget.col.output", lang): [f"{output_short(o, lang)}: {names.get(int(o), '')}" for o in frame.output],
        t("budget.col.period", lang): [f"{date(a, lang)} – {date(b, lang)}" for a, b in
                                       zip(frame.period_start, frame.period_end, strict=True)],
        t("budget.measure.original", lang): [amount(c, cur, lang) for c, cur in
                                             zip(frame.original_cents, frame.currency, strict=True)],
        t("budget.measure.revised", lang): [amount(c, cur, lang) for c, cur in
                                            zip(frame.revised_cents, frame.currency, strict=True)],
        t("budget.col.change", lang): [amount(r - o, cur, lang) for o, r, cur in
                                       zip(frame.original_cents, frame.revised_cents, frame.currency, strict=True)],
    })


def lines_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Budget lines as read: type, status, period, output, amount with currency, sample or not."""
    return pd.DataFrame({
        t("budget.col.id", lang): frame.budget_id.tolist(),
        t("budget.col.donor", lang): frame.donor_id.tolist(),
        t("budget.col.budget_type", lang): [t(f"budget.type.{v}", lang) for v in frame.budget_type],
        t("budget.col.status", lang): [t(f"budget.status.{v}", lang) for v in frame.status],
        t("budget.col.period", lang): [f"{date(a, lang)} – {date(b, lang)}" for a, b in
                                       zip(frame.period_start, frame.period_end, strict=True)],
        t("budget.col.output", lang): [output_short(o, lang) for o in frame.output],
        t("budget.col.amount", lang): [amount(c, cur, lang) for c, cur in zip(frame.cents, frame.currency,
                                                                                strict=True)],
        t("budget.col.sample", lang): [t("budget.yes" if s else "budget.no", lang) for s in frame.is_sample],
    })


def transactions_table(frame: pd.DataFrame, operations: dict[str, str], lang: str) -> pd.DataFrame:
    """Transactions as read: type (IATI), date, amount with currency, provider, receiver, output, operation."""
    return pd.DataFrame({
        t("budget.col.date", lang): [date(d, lang) for d in frame.transaction_date],
        t("budget.col.transaction_type", lang): [t(f"budget.transaction_type.{v}", lang)
                                                  for v in frame.transaction_type],
        t("budget.col.amount", lang): [amount(c, cur, lang) for c, cur in zip(frame.cents, frame.currency,
                                                                                strict=True)],
        t("budget.col.provider", lang): ["" if _blank(v) else v for v in frame.provider],
        t("budget.col.receiver", lang): ["" if _blank(v) else v for v in frame.receiver],
        t("budget.col.output", lang): ["" if _blank(o) else output_short(o, lang) for o in frame.output],
        t("budget.col.operation", lang): ["" if _blank(o) else operations.get(o, o) for o in frame.operation_id],
        t("budget.col.sample", lang): [t("budget.yes" if s else "budget.no", lang) for s in frame.is_sample],
    })


# --- donors and the project -------------------------------------------------------------------

@dataclass(frozen=True)
class SupportLine:
    what: str
    target: str
    source_title: str
    source_url: str | None
    source_publisher: str
    source_published: str


@dataclass(frozen=True)
class DonorCard:
    donor_id: str
    name: str
    kind: str
    lines: tuple[SupportLine, ...]


def publisher(row: dict, lang: str) -> str:
    """A source's publisher in the reader's language ("ONUDC"; the ATT database's description in French)."""
    return str(row["source_publisher_fr"] if lang == "fr" else row["source_publisher"])


def donor_cards(frame: pd.DataFrame, lang: str) -> list[DonorCard]:
    """Each donor with what it is known to support (the project or an operation) and the source of each."""
    by_donor: dict[object, list[dict]] = {}
    for row in frame.to_dict("records"):  # plain records: pandas' groupby cost 10 ms a rerun here
        by_donor.setdefault(row["donor_id"], []).append(row)
    cards = []
    for donor_id, rows in by_donor.items():
        first = rows[0]
        lines = tuple(SupportLine(
            what=r[f"what_{lang}"],
            target=t("budget.the_project", lang) if r["scope"] == "project" else (r["operation_name"]
                                                                                  or r["operation_id"]),
            source_title=r["source_title"], source_url=None if _blank(r["source_url"]) else r["source_url"],
            source_publisher=publisher(r, lang), source_published=r["source_published"],
        ) for r in rows)
        cards.append(DonorCard(str(donor_id), first[f"name_{lang}"], t(f"budget.kind.{first['kind']}", lang), lines))
    return cards


@dataclass(frozen=True)
class ProjectCard:
    """The project as its description states it; lists in the reader's language."""

    title: str
    objective: str
    programme: str
    lists: dict[str, list[str]]
    contact_person: str
    contact_organization: str
    contact_email: str
    contact_phone: str


def project_card(project: dict[str, str], items: pd.DataFrame, donors: pd.DataFrame,
                 countries: dict[str, str], lang: str) -> ProjectCard:
    """Title, objective, pillars, outputs, activity types, focus areas, partners, implementers, donors."""
    names = dict(zip(donors.donor_id.tolist(), donors[f"name_{lang}"].tolist(), strict=True))
    by_list: dict[str, list[dict]] = {}
    for row in items.to_dict("records"):  # plain records: a mask and a sort per list cost 15 ms a rerun
        by_list.setdefault(row["list"], []).append(row)
    lists: dict[str, list[str]] = {}
    for name in LISTS:
        rows = sorted(by_list.get(name, []), key=lambda r: r["position"])
        if name == "partner":
            texts = [countries.get(r["text_en"], r["text_en"]) for r in rows]
        elif name == "donor":
            texts = [names.get(r["text_en"], r["text_en"]) for r in rows]
        else:
            texts = [r[f"text_{lang}"] for r in rows]
        lists[name] = texts
    return ProjectCard(project.get("title", ""), project.get("objective", ""), project.get("programme", ""), lists,
                       contact_label(project.get("contact_person", ""), lang), project.get("contact_organization", ""),
                       project.get("contact_email", ""), project.get("contact_phone", ""))

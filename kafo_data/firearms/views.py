"""The firearm cells shaped for the screen: SDG 16.4.2 in words, the breakdowns as chart frames and tables.

Frames in, frames out, no Streamlit. The input is always `kafo_data.firearms.queries.cells` (managers:
exact) or `kafo_data.firearms.public.cells` (public: a hidden cell has no value and reads "fewer than k").
Where no firearm of a row has its tracing recorded, the indicator reads "tracing not recorded", never 0 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from babel.numbers import format_decimal

from kafo_data.config import small_cell_events
from kafo_data.contract import seizures as contract
from kafo_data.country_names import name_key
from kafo_data.fmt import LOCALES, number
from kafo_data.i18n import label, t

METADATA_URL = "https://unstats.un.org/sdgs/metadata/files/Metadata-16-04-02.pdf"
UNRECORDED = "__none__"  # a breakdown's value for lines that do not say (marking, tracing... not recorded)
VIEWS: tuple[str, ...] = ("operation", "country", "marking", "craft", "flow", "tracing", "origin")


@dataclass(frozen=True)
class Indicator:
    """SDG 16.4.2 of one row: firearms seized, with tracing recorded, with origin established (None: hidden)."""

    firearms: float | None
    recorded: float | None
    established: float | None

    @property
    def share(self) -> float | None:
        """Established / seized, within 0-1; None when hidden, when nothing was seized, or nothing recorded."""
        if self.firearms is None or self.established is None or not self.firearms or not self.recorded:
            return None
        return min(1.0, max(0.0, self.established / self.firearms))

    @property
    def not_recorded(self) -> bool:
        return self.recorded == 0 and bool(self.firearms)


def percent(share: float, lang: str) -> str:
    """A share as the issue writes it: one decimal, "9.0 %" (a narrow space before % in French)."""
    text = format_decimal(share * 100, format="0.0", locale=LOCALES[lang])
    return text + ("\u202f%" if lang == "fr" else " %")


def fewer_than(lang: str) -> str:
    return t("access.fewer_than", lang, k=small_cell_events())


def _value(v: object) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else float(v)


def cell_text(v: object, lang: str) -> str:
    """A count as text, or "fewer than k" for a hidden cell."""
    value = _value(v)
    return fewer_than(lang) if value is None else number(value, lang)


def part(cells: pd.DataFrame, name: str, measure: str = "firearms") -> pd.DataFrame:
    return cells[(cells.part == name) & (cells.measure == measure)].reset_index(drop=True)


def indicator(cells: pd.DataFrame, part_name: str = "all", key: str | None = None) -> Indicator:
    """The indicator of the whole selection, or of one operation or country (`key`)."""
    column = {"operation": "operation_id", "country": "country_iso3"}.get(part_name)
    values = {}
    for measure in ("firearms", "recorded", "established"):
        rows = part(cells, part_name, measure)
        if column is not None:
            rows = rows[rows[column] == key]
        values[measure] = _value(rows.value.iloc[0]) if len(rows) else 0.0
    return Indicator(**values)


def share_text(ind: Indicator, lang: str, public: bool = False) -> str:
    """The proportion as text: "9.0 %", "tracing not recorded", or "fewer than k" when a count is hidden."""
    if ind.not_recorded:
        return t("firearms.not_recorded", lang)
    share = ind.share
    if share is None:
        return fewer_than(lang) if ind.firearms is None or ind.established is None or ind.recorded is None else "—"
    text = percent(share, lang)
    return t("firearms.sdg.adjusted_share", lang, share=text) if public else text


def sentences(ind: Indicator, lang: str, public: bool = False) -> list[str]:
    """SDG 16.4.2 of the selection in words: the proportion with its numerator and denominator, then its base."""
    firearms = cell_text(ind.firearms, lang)
    if ind.not_recorded:
        return [t("firearms.sdg.not_recorded", lang, firearms=firearms)]
    established = cell_text(ind.established, lang)
    if ind.share is None:
        first = t("firearms.sdg.hidden", lang, established=established, firearms=firearms)
    else:
        first = t("firearms.sdg.sentence", lang, established=established, firearms=firearms,
                  share=share_text(ind, lang, public))
    return [first, t("firearms.sdg.recorded", lang, recorded=cell_text(ind.recorded, lang), firearms=firearms)]


def indicator_rows(cells: pd.DataFrame, part_name: str, labeller: Callable[[str], str], lang: str,
                   public: bool = False) -> pd.DataFrame:
    """One row per operation (edition order) or country (by name): key, name, the three counts, share (NaN: none
    to show), texts."""
    column = {"operation": "operation_id", "country": "country_iso3"}[part_name]
    rows = []
    for key in part(cells, part_name)[column].tolist():
        ind = indicator(cells, part_name, key)
        share = ind.share
        text = share_text(ind, lang, public)
        name = labeller(key)
        rows.append({"key": key, "name": name, "firearms": ind.firearms, "recorded": ind.recorded,
                     "established": ind.established, "share": float("nan") if share is None else share * 100,
                     "text": text, "label": name if share is not None else f"{name} ({text})",
                     "bar_text": "" if share is None else percent(share, lang)})
    frame = pd.DataFrame(rows, columns=["key", "name", "firearms", "recorded", "established", "share", "text",
                                        "label", "bar_text"])
    if part_name == "country":  # by name as the reader reads it (Bénin before Burkina Faso), not by ISO code
        frame = frame.iloc[sorted(range(len(frame)), key=lambda k: name_key(frame.name.iloc[k]))]
    return frame.reset_index(drop=True)


def indicator_table(rows: pd.DataFrame, part_name: str, lang: str) -> pd.DataFrame:
    """The table twin of the indicator chart: name, firearms seized, tracing recorded, origin established, 16.4.2."""
    return pd.DataFrame({
        t(f"firearms.col.{part_name}", lang): rows.name.tolist(),
        t("firearms.col.firearms", lang): [cell_text(v, lang) for v in rows.firearms],
        t("firearms.col.recorded", lang): [cell_text(v, lang) for v in rows.recorded],
        t("firearms.col.established", lang): [cell_text(v, lang) for v in rows.established],
        t("firearms.col.share", lang): rows.text.tolist(),
    })


def _named(value: object, vocab: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return t("firearms.unrecorded", lang)
    if vocab == "craft_made":
        return t(f"firearms.craft.{value}", lang)
    return label(vocab, str(value), lang)


# The fixed order of each breakdown's values (the contract's: firearm types as the issue lists them, pistols
# first; marking, tracing and origin in their logical order), then "not recorded" last.
ORDERS: dict[str, tuple[str, ...]] = {
    "item_type": tuple(contract.ITEM_TYPES), "marking_status": contract.MARKING_STATUSES,
    "craft_made": ("true", "false"), "tracing_status": contract.TRACING_STATUSES,
    "illicit_origin": contract.ILLICIT_ORIGINS,
}


def _rank(value: object, column: str, text: str) -> tuple[int, str]:
    """Sort key of one value of a breakdown: its place in ORDERS, or its name (accents set aside); unrecorded last."""
    if value is None:
        return (1_000_000, "")
    order = ORDERS.get(column)
    if order is not None and str(value).lower() in order:
        return (order.index(str(value).lower()), "")
    return (0, name_key(text))


def stacked(cells: pd.DataFrame, part_name: str, row: str, series: str, row_label: Callable[[object], str],
            lang: str, series_label: Callable[[object], str] | None = None) -> pd.DataFrame:
    """A two-way breakdown (rows x series): row, series, value, text, in the values' fixed order.

    Every part a chart reads is grouped by exactly its chart's two columns (`queries.PARTS`), so each bar
    is one cell, protected as itself for the public, never a sum of protected parts (a sum would have to
    hide whenever one part is hidden).
    """
    rows = part(cells, part_name)
    if rows.duplicated([row, series]).any():
        raise ValueError(f"part {part_name!r} is not grouped by {row} x {series} alone")
    out = []
    for r, s, v in zip(rows[row], rows[series], rows.value, strict=True):
        r = None if r is None or (isinstance(r, float) and math.isnan(r)) or r is pd.NA else r
        s = None if s is None or (isinstance(s, float) and math.isnan(s)) or s is pd.NA else s
        value = _value(v)
        row_text = row_label(r)
        series_text = series_label(s) if series_label is not None else _named(s, series, lang)
        out.append({"row": row_text, "series": series_text, "value": float("nan") if value is None else value,
                    "text": cell_text(value, lang), "row_rank": _rank(r, row, row_text),
                    "series_rank": _rank(s, series, series_text)})
    frame = pd.DataFrame(out, columns=["row", "series", "value", "text", "row_rank", "series_rank"])
    return frame.sort_values(["row_rank", "series_rank"], kind="stable").reset_index(drop=True)


def chart_rows(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A breakdown for its chart: a row with a hidden cell says so in its label (the bar cannot)."""
    hidden = set(frame.row[frame.value.isna()])
    return frame.assign(row=[f"{r} ({fewer_than(lang)})" if r in hidden else r for r in frame.row])


def breakdown(cells: pd.DataFrame, view: str, names: dict[str, str], lang: str) -> pd.DataFrame:
    """The frame of one breakdown chart (marking, craft, flow, tracing, origin): row, series, value, text."""
    country = lambda v: t("firearms.unrecorded", lang) if v is None else names.get(str(v), str(v))  # noqa: E731
    item = lambda v: label("item_type", str(v), lang)  # noqa: E731
    if view == "marking":
        return stacked(cells, "marking", "item_type", "marking_status", item, lang)
    if view == "craft":
        return stacked(cells, "craft", "item_type", "craft_made", item, lang)
    if view == "flow":
        return stacked(cells, "made_in", "country_of_manufacture", "country_iso3", country, lang, country)
    if view == "tracing":
        return stacked(cells, "tracing", "country_iso3", "tracing_status", country, lang)
    if view == "origin":
        rows = part(cells, "origin")
        rows = rows[rows.illicit_origin.notna()]
        rows = rows.assign(_rank=[_rank(v, "illicit_origin", "") for v in rows.illicit_origin]).sort_values(
            "_rank", kind="stable")
        return pd.DataFrame({"row": [label("illicit_origin", v, lang) for v in rows.illicit_origin],
                             "series": [t("firearms.col.origin", lang)] * len(rows), "value": rows.value.tolist(),
                             "text": [cell_text(v, lang) for v in rows.value]})
    raise ValueError(f"unknown view {view!r}")


def breakdown_table(frame: pd.DataFrame, view: str, lang: str) -> pd.DataFrame:
    """The table twin of a breakdown: one row per row of the chart, a column per series, counts as text."""
    heads = {"marking": ("item_type", "marking"), "craft": ("item_type", "craft"), "flow": ("made_in", "country"),
             "tracing": ("country", "tracing"), "origin": ("origin", "firearms")}[view]
    first = t(f"firearms.col.{heads[0]}", lang)
    if view == "origin":
        return pd.DataFrame({first: frame.row.tolist(), t("firearms.col.firearms", lang): frame.text.tolist()})
    if frame.empty:
        return pd.DataFrame({first: [], t(f"firearms.col.{heads[1]}", lang): [], t("firearms.col.firearms", lang): []})
    return pd.DataFrame({first: frame.row.tolist(), t(f"firearms.col.{heads[1]}", lang): frame.series.tolist(),
                         t("firearms.col.firearms", lang): frame.text.tolist()})

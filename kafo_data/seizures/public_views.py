"""The public seizure tables shaped for the screen: a suppressed cell reads "fewer than k", never a number.

Frames in, frames out, no Streamlit; the input is always a result of `kafo_data.seizures.public`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from kafo_data.config import small_cell_events
from kafo_data.fmt import figure, number
from kafo_data.i18n import label, t
from kafo_data.seizures.views import compared_label, unit_label


def fewer_than(lang: str) -> str:
    return t("access.fewer_than", lang, k=small_cell_events())


def cell(value: object, suppressed: bool, lang: str) -> str:
    """One public number as text: the number, or "fewer than k"."""
    if suppressed:
        return fewer_than(lang)
    return number(None if value is None or pd.isna(value) else value, lang)


def totals_table(totals: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Category, unit, quantity and seizure events; one row per unit, never a sum across units."""
    return pd.DataFrame({
        t("seizures.col.category", lang): [label("category", c, lang) for c in totals.category],
        t("seizures.col.unit", lang): [unit_label(u, lang, c) for u, c in zip(totals.unit, totals.category,
                                                                             strict=True)],
        t("seizures.col.quantity", lang): [cell(v, h, lang) for v, h in zip(totals.quantity, totals.suppressed,
                                                                            strict=True)],
        t("seizures.events", lang): [cell(v, h, lang) for v, h in zip(totals.events, totals.suppressed,
                                                                      strict=True)],
    })


def by_dimension(frame: pd.DataFrame, measure: str, column: str, labeller: Callable[[object], str],
                 lang: str) -> pd.DataFrame:
    """One measure (category|unit) by one column: quantity (NaN when suppressed), label, text, suppressed.

    The label of a suppressed row says "fewer than k", so the chart's axis says why it has no bar.
    """
    category, unit = measure.split("|", 1)
    rows = frame[(frame.category == category) & (frame.unit == unit)]
    hidden = rows.suppressed.tolist()
    names = [labeller(v) for v in rows[column]]
    return pd.DataFrame({
        column: rows[column].tolist(),
        "quantity": [float("nan") if h else float(q) for q, h in zip(rows.quantity, hidden, strict=True)],
        "label": [f"{n} ({fewer_than(lang)})" if h else n for n, h in zip(names, hidden, strict=True)],
        "name": names,
        "text": [cell(q, h, lang) for q, h in zip(rows.quantity, hidden, strict=True)],
        "suppressed": hidden,
    })


def dimension_table(frame: pd.DataFrame, dimension: str, unit_text: str) -> pd.DataFrame:
    """The table twin of a chart: the name and the quantity as text ("fewer than k" where suppressed)."""
    return pd.DataFrame({dimension: frame.name.tolist(), unit_text: frame.text.tolist()})


def country_frame(events: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The country map's frame: iso3, name, events (NaN when suppressed), suppressed."""
    return pd.DataFrame({"iso3": events.country_iso3.tolist(),
                         "name": [names.get(c, c) for c in events.country_iso3],
                         "events": [float("nan") if h else float(v) for v, h in zip(events.events, events.suppressed,
                                                                                   strict=True)],
                         "arrests": events.arrests.tolist(), "suppressed": events.suppressed.tolist()})


def country_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("col.seizures.country_iso3", lang): frame.name.tolist(),
        t("seizures.events", lang): [cell(v, h, lang) for v, h in zip(frame.events, frame.suppressed, strict=True)],
        t("seizures.arrests", lang): [cell(v, h, lang) for v, h in zip(frame.arrests, frame.suppressed, strict=True)],
    })


def operation_rows(ops: list[str], op_names: dict[str, str], summaries: dict[str, dict], lang: str) -> list[dict]:
    """The operations page's record counts for the public: events, arrests, sample events, each or "fewer than k"."""
    rows = []
    for op in ops:
        s = summaries[op]
        hidden = s["suppressed"]
        rows.append({
            t("operations.col.operation", lang): op_names[op],
            t("seizures.events", lang): cell(s["events"], hidden, lang),
            t("seizures.arrests", lang): cell(s["arrests"], hidden, lang),
            t("operations.col.sample_events", lang): cell(s["sample_events"], hidden, lang),
        })
    return rows


def reconciliation_table(rec: pd.DataFrame, ops: dict[str, str], lang: str) -> pd.DataFrame:
    """The public comparison (`public.reconciliation`): whether the records reach each published figure.

    No records total: the public one is adjusted, and beside the published number it would read as
    a disagreement by the adjustment. A figure with 1..k-1 events behind it reads "fewer than k".
    """
    rows = []
    for r in rec.itertuples():
        published = figure(r.value, r.qualifier, unit_label(r.unit, lang, getattr(r, "category", None)), lang)
        if r.suppressed:
            verdict = fewer_than(lang)
            sentence = t("access.reconcile.hidden", lang, published=published, k=small_cell_events())
        elif not r.has_records:
            verdict = t("cellkey.none", lang)
            sentence = t("operations.reconcile.none", lang, published=published)
        else:
            verdict = t("cellkey.reaches" if r.reaches else "cellkey.short", lang)
            sentence = t("cellkey.reconcile.reaches" if r.reaches else "cellkey.reconcile.short", lang,
                         published=published)
        rows.append({
            t("operations.col.operation", lang): ops.get(r.operation_id, r.operation_id),
            t("operations.col.indicator", lang): compared_label(r.indicator, getattr(r, "counts", None), lang),
            t("operations.col.published_value", lang): published,
            t("cellkey.col.records", lang): verdict,
            t("operations.col.reconciliation", lang): sentence,
        })
    return pd.DataFrame(rows)

"""The published results as the Results page shows them: one row per figure, a second wording as its footnote.

Plain values in, a small frame out (no Streamlit). The rows are those of the download
(`kafo_data.export.published`), labelled in the page's language; a figure that another source
words differently keeps that wording in its Footnotes cell, as on the Overview's cards.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kafo_data.fmt import figure, is_blank
from kafo_data.i18n import label, t


def selected(figures: pd.DataFrame, operations: Sequence[str], indicators: Sequence[str]) -> pd.DataFrame:
    """The figures of the chosen operations and indicators (none chosen: all), shown and footnotes alike."""
    keep = pd.Series(True, index=figures.index)
    if operations:
        keep &= figures.operation_id.isin(list(operations))
    if indicators:
        keep &= figures.indicator.isin(list(indicators))
    return figures[keep]


def _text(value: object) -> str:
    return "" if is_blank(value) else str(value)


def results_frame(figures: pd.DataFrame, op_names: dict[str, str], lang: str) -> pd.DataFrame:
    """Shown figures as rows: operation, indicator, result, qualifier, words, note, source, date, address, footnotes."""
    rows = figures.to_dict("records")
    out = []
    for row in (r for r in rows if r["shown"]):
        notes = [t("overview.footnote_same_page", lang, text=o["text"]) if o["source_id"] == row["source_id"]
                 else t("overview.footnote", lang, text=o["text"], source=_text(o["source_title"]))
                 + (f" {o['source_url']}" if not is_blank(o["source_url"]) else "")
                 for o in rows if not o["shown"] and o["footnote_of"] == row["figure_id"]]
        value = None if is_blank(row["value"]) else row["value"]
        unit = "" if is_blank(row["unit"]) else label("unit", row["unit"], lang)
        c = lambda name: t(f"results.col.{name}", lang)  # noqa: E731
        out.append({
            c("operation_id"): op_names.get(row["operation_id"], row["operation_id"]),
            c("indicator"): label("indicator", row["indicator"], lang),
            c("result"): figure(value, row["qualifier"], unit, lang),
            c("qualifier"): t(f"results.qualifier.{row['qualifier']}", lang),
            c("text"): _text(row["text"]),
            c("note"): _text(row["note"]),
            c("source_title"): _text(row["source_title"]),
            c("source_published"): _text(row["source_published"]),
            c("source_url"): _text(row["source_url"]),
            c("footnotes"): t("results.footnote_sep", lang).join(notes),
        })
    return pd.DataFrame(out, columns=[t(f"results.col.{n}", lang) for n in (
        "operation_id", "indicator", "result", "qualifier", "text", "note", "source_title", "source_published",
        "source_url", "footnotes")])

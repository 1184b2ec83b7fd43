"""The published results as the Results page shows them: one row per figure, a second wording as its footnote.

Plain values in, a small frame out (no Streamlit). The rows are those of the download
(`kafo_data.export.published`), labelled in the page's language; a figure that another source
words differently keeps that wording in its Footnotes cell, as on the Overview's cards.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kafo_data.i18n import t
from kafo_data.seizures import views


def selected(figures: pd.DataFrame, operations: Sequence[str], indicators: Sequence[str]) -> pd.DataFrame:
    """The figures of the chosen operations and indicators (none chosen: all), shown and footnotes alike."""
    keep = pd.Series(True, index=figures.index)
    if operations:
        keep &= figures.operation_id.isin(list(operations))
    if indicators:
        keep &= figures.indicator.isin(list(indicators))
    return figures[keep]


def results_frame(figures: pd.DataFrame, op_names: dict[str, str], lang: str) -> pd.DataFrame:
    """Shown figures as rows: operation, indicator, result, qualifier, words (and our translation), source, footnotes.

    The cards of the Overview (`views.figure_cards`), so a figure reads the same on both pages.
    """
    c = lambda name: t(f"results.col.{name}", lang)  # noqa: E731
    out = []
    for op in dict.fromkeys(figures.operation_id):
        rows = [r for r in figures.to_dict("records") if r["operation_id"] == op and r["shown"]]
        for row, card in zip(rows, views.figure_cards(figures, op, lang), strict=True):
            out.append({
                c("operation_id"): op_names.get(op, op),
                c("indicator"): card.label,
                c("result"): card.value_text,
                c("qualifier"): t(f"results.qualifier.{row['qualifier']}", lang),
                c("text"): " ".join(views.quote_lines(card, lang)),
                c("note"): card.note,
                c("source_title"): card.source_title,
                c("source_published"): card.source_published,
                c("source_url"): card.source_url or "",
                c("footnotes"): t("results.footnote_sep", lang).join(card.footnotes),
            })
    return pd.DataFrame(out, columns=[c(n) for n in (
        "operation_id", "indicator", "result", "qualifier", "text", "note", "source_title", "source_published",
        "source_url", "footnotes")])

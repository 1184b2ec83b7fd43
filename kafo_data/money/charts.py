"""Plotly figures of the money views: data in, figure (Plotly's JSON form) out, no Streamlit.

Each measure keeps one colour on every chart (Okabe-Ito, safe for colour-blind readers).
Amounts in different currencies are never stacked on one axis: a frame with several
currencies is drawn as side-by-side panels, one per currency, each with its own axis. Hover
texts are written by `fmt.money`, so they read as the rest of the page does in each language.

Plain dicts, laid out as `kafo_data.seizures.charts` lays out every chart (title, dark text, the
source line under the plot): a `go.Figure` costs ten to twenty times the CPU to build and send.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kafo_data.chart_base import MARKUP, TEXT, Figure, base_figure, plain
from kafo_data.money.queries import MEASURES
from kafo_data.money.views import amount, measure_label, output_short, period_label, share_text

MEASURE_COLOURS: dict[str, str] = {
    "budget": "#0072B2", "outgoing_commitment": "#56B4E9", "disbursement": "#E69F00", "expenditure": "#009E73",
    "original": "#999999", "revised": "#0072B2",
}
PANEL_GAP = 0.08


def _axis_names(k: int) -> tuple[str, str]:
    """Plotly's names of the k-th panel's axes: ('x', 'y'), ('x2', 'y2')..."""
    suffix = "" if k == 0 else str(k + 1)
    return f"x{suffix}", f"y{suffix}"


def _panels(currencies: list[str], value_title: str) -> dict[str, Any]:
    """One panel per currency, side by side, each with its own value axis and, when several, its name."""
    n = max(1, len(currencies))
    width = (1 - PANEL_GAP * (n - 1)) / n
    layout: dict[str, Any] = {"annotations": []}
    for k in range(n):
        x, y = _axis_names(k)
        left = k * (width + PANEL_GAP)
        layout[f"xaxis{x[1:]}"] = {"domain": [left, left + width], "anchor": y, "type": "category"}
        named = f"{value_title} ({currencies[k]})" if k < len(currencies) else value_title  # "Amount (EUR)"
        layout[f"yaxis{y[1:]}"] = {"anchor": x, "title": {"text": named}, "tickformat": ",.0f",
                                   "rangemode": "tozero"}
        if n > 1:
            layout["annotations"].append({"text": f"<b>{plain(currencies[k])}</b>", MARKUP: True,
                                          "xref": "paper", "yref": "paper",
                                          "x": left + width / 2, "y": 1, "xanchor": "center", "yanchor": "bottom",
                                          "showarrow": False, "font": {"size": 13, "color": TEXT}})
    return layout


def _chart(traces: list[dict], currencies: list[str], title: str, value_title: str, lang: str,
           source: str | None, legend: bool) -> Figure:
    layout = _panels(currencies, value_title)
    extra: dict[str, Any] = {"barmode": "group", "showlegend": legend}
    if legend:
        extra["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom",
                           "font": {"color": TEXT},
                           "title": {"text": ""}}
    # A currency's name above its panel needs a line of its own under the legend.
    legend_rows = (1 if legend else 0) + (1 if len(currencies) > 1 else 0)
    if legend and len(currencies) > 1:
        extra["legend"]["y"] = 1.08
    return base_figure(traces, title, 400, source=source, bottom=50, lang=lang, legend_rows=legend_rows,
                   **extra, **layout)


def _grouped(frame: pd.DataFrame, category: str, labels: dict, measures: tuple[str, ...], title: str,
             value_title: str, lang: str, source: str | None = None) -> Figure:
    """Bars of several measures per category, one panel per currency."""
    currencies = sorted(frame.currency.unique())
    traces = []
    for k, currency in enumerate(currencies):
        x, y = _axis_names(k)
        part = frame[frame.currency == currency]
        for measure in measures:
            rows = part[part.measure == measure]
            if rows.empty:
                continue
            name = measure_label(measure, lang)
            traces.append({
                "type": "bar", "xaxis": x, "yaxis": y, "name": name,
                "x": [labels[v] for v in rows[category]], "y": [float(v) for v in rows.value],
                "marker": {"color": MEASURE_COLOURS[measure]}, "legendgroup": measure, "showlegend": k == 0,
                "customdata": [amount(c, currency, lang) for c in rows.cents],
                "hovertemplate": "%{x}<br>%{fullData.name}: %{customdata}<extra></extra>",
            })
    return _chart(traces, currencies, title, value_title, lang, source, legend=len(measures) > 1)


def execution_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str,
                    *, source: str | None = None) -> Figure:
    """Budget against commitments, disbursements and expenditure, with the share of the budget on each bar."""
    currencies = sorted(frame.currency.unique())
    traces = []
    for k, currency in enumerate(currencies):
        x, y = _axis_names(k)
        part = frame[frame.currency == currency]
        traces.append({
            "type": "bar", "xaxis": x, "yaxis": y, "showlegend": False,
            "x": [measure_label(m, lang) for m in part.measure], "y": [float(v) for v in part.value],
            "marker": {"color": [MEASURE_COLOURS[m] for m in part.measure]},
            "text": [share_text(s, lang) for s in part.share], "textposition": "outside", "cliponaxis": False,
            "textfont": {"color": TEXT},
            "customdata": [amount(c, currency, lang) for c in part.cents],
            "hovertemplate": "%{x}: %{customdata} (%{text})<extra></extra>",
        })
    return _chart(traces, currencies, title, value_title, lang, source, legend=False)


def output_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str,
                 *, source: str | None = None) -> Figure:
    labels = {o: output_short(o, lang) for o in frame.output.unique()}
    return _grouped(frame, "output", labels, MEASURES, title, value_title, lang, source)


def period_chart(frame: pd.DataFrame, grain: str, title: str, value_title: str, lang: str,
                 *, source: str | None = None) -> Figure:
    labels = {p: period_label(p, grain, lang) for p in frame.period.unique()}
    measures = ("budget", "disbursement", "expenditure") if grain == "year" else ("disbursement", "expenditure")
    return _grouped(frame, "period", labels, measures, title, value_title, lang, source)


def donor_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str,
                *, source: str | None = None) -> Figure:
    long = frame.assign(measure="budget")
    labels = dict(zip(frame.donor_id, frame[f"name_{lang}"].fillna(frame.donor_id), strict=True))
    return _grouped(long, "donor_id", labels, ("budget",), title, value_title, lang, source)


def revised_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str,
                  *, source: str | None = None) -> Figure:
    """Original against revised budget per output, for the periods a revision covers."""
    long = pd.concat([
        frame.assign(measure="original", cents=frame.original_cents, value=frame.original),
        frame.assign(measure="revised", cents=frame.revised_cents, value=frame.revised),
    ], ignore_index=True)
    labels = {o: output_short(o, lang) for o in frame.output.unique()}
    return _grouped(long, "output", labels, ("original", "revised"), title, value_title, lang, source)

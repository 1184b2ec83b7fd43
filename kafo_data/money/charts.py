"""Plotly figures of the money views: data in, figure out, no Streamlit.

Each measure keeps one colour on every chart (Okabe-Ito, safe for colour-blind readers).
Amounts in different currencies are never stacked on one axis: a frame with several
currencies is drawn as side-by-side panels, one per currency. Hover texts are written by
`fmt.money`, so they read as the rest of the page does in each language.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kafo_data.money.queries import MEASURES
from kafo_data.money.views import amount, measure_label, output_short, period_label, share_text
from kafo_data.seizures.charts import FONT

MEASURE_COLOURS: dict[str, str] = {
    "budget": "#0072B2", "outgoing_commitment": "#56B4E9", "disbursement": "#E69F00", "expenditure": "#009E73",
    "original": "#999999", "revised": "#0072B2",
}
SEPARATORS = {"en": ".,", "fr": ",\u202f"}


def _panels(currencies: list[str]) -> go.Figure:
    if len(currencies) <= 1:
        return go.Figure()
    return make_subplots(rows=1, cols=len(currencies), subplot_titles=currencies, shared_yaxes=False)


def _layout(fig: go.Figure, title: str, lang: str, value_title: str, height: int = 400) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left"), height=height, font=FONT, barmode="group",
                      margin=dict(l=10, r=10, t=70, b=10), legend=dict(orientation="h", y=-0.15, title_text=""),
                      hoverlabel=dict(font_size=13), separators=SEPARATORS[lang])
    fig.update_yaxes(title=value_title, tickformat=",.0f")
    return fig


def _grouped(frame: pd.DataFrame, category: str, labels: dict, measures: tuple[str, ...], title: str,
             value_title: str, lang: str) -> go.Figure:
    """Bars of several measures per category, one panel per currency."""
    currencies = sorted(frame.currency.unique())
    fig = _panels(currencies)
    for col, currency in enumerate(currencies, start=1):
        part = frame[frame.currency == currency]
        for measure in measures:
            rows = part[part.measure == measure]
            if rows.empty:
                continue
            fig.add_trace(go.Bar(
                x=[labels[k] for k in rows[category]], y=rows.value, name=measure_label(measure, lang),
                marker_color=MEASURE_COLOURS[measure], legendgroup=measure, showlegend=col == 1,
                customdata=[amount(c, currency, lang) for c in rows.cents],
                hovertemplate="%{x}<br>" + measure_label(measure, lang) + ": %{customdata}<extra></extra>",
            ), **({"row": 1, "col": col} if len(currencies) > 1 else {}))
    return _layout(fig, title, lang, value_title)


def execution_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str) -> go.Figure:
    """Budget against commitments, disbursements and expenditure, with the share of the budget."""
    currencies = sorted(frame.currency.unique())
    fig = _panels(currencies)
    for col, currency in enumerate(currencies, start=1):
        part = frame[frame.currency == currency]
        fig.add_trace(go.Bar(
            x=[measure_label(m, lang) for m in part.measure], y=part.value,
            marker_color=[MEASURE_COLOURS[m] for m in part.measure], showlegend=False,
            text=[share_text(s, lang) for s in part.share], textposition="outside", cliponaxis=False,
            customdata=[amount(c, currency, lang) for c in part.cents],
            hovertemplate="%{x}: %{customdata} (%{text})<extra></extra>",
        ), **({"row": 1, "col": col} if len(currencies) > 1 else {}))
    return _layout(fig, title, lang, value_title)


def output_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str) -> go.Figure:
    labels = {o: output_short(o, lang) for o in frame.output.unique()}
    return _grouped(frame, "output", labels, MEASURES, title, value_title, lang)


def period_chart(frame: pd.DataFrame, grain: str, title: str, value_title: str, lang: str) -> go.Figure:
    labels = {p: period_label(p, grain, lang) for p in frame.period.unique()}
    measures = ("budget", "disbursement", "expenditure") if grain == "year" else ("disbursement", "expenditure")
    return _grouped(frame, "period", labels, measures, title, value_title, lang)


def donor_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str) -> go.Figure:
    long = frame.assign(measure="budget")
    labels = dict(zip(frame.donor_id, frame[f"name_{lang}"].fillna(frame.donor_id), strict=True))
    return _grouped(long, "donor_id", labels, ("budget",), title, value_title, lang)


def revised_chart(frame: pd.DataFrame, title: str, value_title: str, lang: str) -> go.Figure:
    """Original against revised budget per output, for the periods a revision covers."""
    long = pd.concat([
        frame.assign(measure="original", cents=frame.original_cents, value=frame.original),
        frame.assign(measure="revised", cents=frame.revised_cents, value=frame.revised),
    ], ignore_index=True)
    labels = {o: output_short(o, lang) for o in frame.output.unique()}
    return _grouped(long, "output", labels, ("original", "revised"), title, value_title, lang)

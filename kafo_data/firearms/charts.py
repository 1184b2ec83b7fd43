"""The Firearms page's charts as plain Plotly dicts: the indicator's bars, stacked breakdowns, the flow.

Built on `kafo_data.chart_base` (the layout, the source line under the title, dark text) like every
chart; series colours are Okabe-Ito, safe for colour-blind readers. Labels and hovers carry text from
the reference and the catalogues only, never from a report.
"""

from __future__ import annotations

import pandas as pd

from kafo_data.chart_base import TEXT, Figure, base_figure

SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
                  "#999999"]
SHARE_COLOUR = "#009E73"


def share_bars(frame: pd.DataFrame, title: str, axis: str, *, source: str | None, lang: str) -> Figure:
    """SDG 16.4.2 by row, in %: one bar each, its text on it; a row with nothing to show has no bar."""
    trace = {"type": "bar", "orientation": "h", "x": frame.share.tolist(), "y": frame.label.tolist(),
             "text": frame.bar_text.tolist(), "customdata": frame.text.tolist(), "textposition": "outside",
             "cliponaxis": False,
             "marker": {"color": SHARE_COLOUR}, "textfont": {"color": TEXT},
             "hovertemplate": "%{y}: %{customdata}<extra></extra>", "showlegend": False}
    height = max(260, 70 + 34 * len(frame))
    return base_figure([trace], title, height, source=source, bottom=44, lang=lang,
                       xaxis={"title": {"text": axis}, "range": [0, 105], "ticksuffix": ""},
                       yaxis={"type": "category", "autorange": "reversed"})


def stacked_bars(frame: pd.DataFrame, title: str, axis: str, *, source: str | None, lang: str) -> Figure:
    """Rows as horizontal bars, each split by series in the frame's own order (a legend under the chart)."""
    rows = list(dict.fromkeys(frame.row.tolist()))
    traces = []
    order = frame.groupby("series", sort=False).series_rank.min().sort_values() if "series_rank" in frame else None
    named = list(order.index) if order is not None else sorted(frame.series.unique())
    for k, series in enumerate(named):
        group = frame[frame.series == series]
        by_row = dict(zip(group.row, group.value, strict=True))
        texts = dict(zip(group.row, group.text, strict=True))
        traces.append({"type": "bar", "orientation": "h", "name": series, "y": rows,
                       "x": [by_row.get(r) for r in rows], "customdata": [texts.get(r, "") for r in rows],
                       "marker": {"color": SERIES_COLOURS[k % len(SERIES_COLOURS)]},
                       "hovertemplate": "%{y} · %{fullData.name}: %{customdata}<extra></extra>"})
    height = max(280, 110 + 30 * len(rows))
    return base_figure(traces, title, height, source=source, bottom=44, lang=lang, barmode="stack",
                       legend={"orientation": "h", "y": -0.25, "x": 0, "font": {"color": TEXT}, "traceorder": "normal",
                               "title": {"text": ""}},
                       xaxis={"title": {"text": axis}}, yaxis={"type": "category", "autorange": "reversed"})


def flow(frame: pd.DataFrame, title: str, *, source: str | None, lang: str, made_in: str, seized_in: str) -> Figure:
    """Country of manufacture -> country of seizure as a Sankey diagram (links sized by firearms), each side
    under its heading; short node names keep the diagram legible at phone width (390 px)."""
    shown = frame[frame.value.notna() & (frame.value > 0)]
    left = list(dict.fromkeys(shown.row.tolist()))
    right = list(dict.fromkeys(shown.series.tolist()))
    both = set(left) & set(right)  # a name on both sides says its side; the others are named by the headings
    nodes = [f"{n} ({made_in})" if n in both else n for n in left] + \
        [f"{n} ({seized_in})" if n in both else n for n in right]
    trace = {"type": "sankey", "arrangement": "snap",
             "node": {"label": nodes, "pad": 12, "thickness": 14,
                      "color": [SERIES_COLOURS[0]] * len(left) + [SERIES_COLOURS[1]] * len(right),
                      "hovertemplate": "%{label}: %{value:,.0f}<extra></extra>"},
             "link": {"source": [left.index(r) for r in shown.row], "target": [len(left) + right.index(s)
                                                                               for s in shown.series],
                      "value": shown.value.tolist(), "customdata": shown.text.tolist(),
                      "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>"},
             "textfont": {"color": TEXT, "size": 12}}
    height = max(320, 60 + 26 * max(len(left), len(right)))
    headings = [{"text": text, "x": x, "xanchor": anchor, "y": 1.0, "yanchor": "bottom", "xref": "paper",
                 "yref": "paper", "showarrow": False, "font": {"color": TEXT, "size": 12}}
                for text, x, anchor in ((made_in, 0, "left"), (seized_in, 1, "right"))]
    return base_figure([trace], title, height, source=source, lang=lang, annotations=headings)

"""Plotly figures built from small frames: data in, figure (as Plotly's JSON form) out, no Streamlit.

Colours are fixed per category on every page (Okabe-Ito, safe for colour-blind readers), and
maps use `*_map` traces on a blank style with our own outlines, served by the app itself
(`config.GEO_URL`), so nothing is fetched from a CDN or tile server: the maps draw with no internet.

Figures are plain dicts: `st.plotly_chart` validates a dict once on its way to the browser, while
a Plotly Express figure costs ten to twenty times the CPU (it re-validates its template on every
update), and with many sessions on one server that CPU is what people wait for.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kafo_data import fmt
from kafo_data.contract import seizures as contract

Figure = dict[str, Any]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
CATEGORY_COLOURS: dict[str, str] = dict(zip(contract.CATEGORIES, OKABE_ITO, strict=False))
OPERATION_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
MAP_CENTER = {"lat": 13.0, "lon": -2.0}
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 13}
MARKER_SIZE_MAX = 28
OUTLINE_COLOUR = "#8a94a0"


def _figure(traces: list[dict], title: str, height: int = 380, **layout: Any) -> Figure:
    return {"data": traces, "layout": {
        "title": {"text": title, "x": 0, "xanchor": "left"}, "height": height, "font": FONT,
        "margin": {"l": 10, "r": 40, "t": 50, "b": 10}, "legend": {"title": {"text": ""}},
        "hoverlabel": {"font": {"size": 13}}, **layout}}


def _bar_trace(x: list, y: list, text: list, colour: str, orientation: str, hover: str) -> dict:
    return {"type": "bar", "x": x, "y": y, "text": text, "orientation": orientation, "marker": {"color": colour},
            "texttemplate": "%{text:,.0f}", "textposition": "outside", "cliponaxis": False,
            "hovertemplate": hover, "showlegend": False}


def bar(frame: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str,
        colour: str, horizontal: bool = True) -> Figure:
    """One measure by one dimension, sorted, with the value on each bar."""
    frame = frame.sort_values(x, ascending=horizontal)
    values, names = frame[x].tolist(), frame[y].tolist()
    trace = _bar_trace(values if horizontal else names, names if horizontal else values, values, colour,
                       "h" if horizontal else "v",
                       f"%{{{'y' if horizontal else 'x'}}}: %{{text:,.0f}}<extra></extra>")
    height = max(260, 60 + 32 * len(frame)) if horizontal else 380
    return _figure([trace], title, height, xaxis={"title": {"text": x_title if horizontal else y_title}},
                   yaxis={"title": {"text": y_title if horizontal else x_title}})


def monthly(frame: pd.DataFrame, title: str, x_title: str, y_title: str, colour: str, lang: str) -> Figure:
    """Months that have records, as equal bars: operations last days, years apart."""
    data = frame.sort_values("month")
    labels = [fmt.month(m, lang) for m in data.month]
    values = data.quantity.tolist()
    trace = _bar_trace(labels, values, values, colour, "v", "%{x}: %{y:,.0f}<extra></extra>")
    return _figure([trace], title, xaxis={"title": {"text": x_title}, "type": "category"},
                   yaxis={"title": {"text": y_title}})


def timeline(frame: pd.DataFrame, title: str, hover_countries: str, hover_officers: str) -> Figure:
    """Each edition as a marker at its start, labelled with its dates (a week is too short for a bar).

    Labels of the later half stand left of their marker, so none runs off the chart's right edge.
    """
    hover = (f"<b>%{{y}}</b><br>%{{customdata[0]}}<br>{hover_countries}: "
             f"%{{customdata[1]}}<br>{hover_officers}: %{{customdata[2]}}<extra></extra>")
    starts = pd.to_datetime(frame.start_date)
    middle = starts.min() + (starts.max() - starts.min()) / 2 if len(frame) else None
    traces = [{"type": "scatter", "mode": "markers+text", "x": [str(row.start_date)], "y": [row.name],
               "text": [row.period_text], "name": row.name,
               "textposition": "middle left" if pd.Timestamp(row.start_date) > middle else "middle right",
               "customdata": [[row.period_text, row.countries_text, row.officers_text]],
               "marker": {"size": 16, "symbol": "diamond", "color": OPERATION_COLOURS[i % len(OPERATION_COLOURS)]},
               "hovertemplate": hover}
              for i, row in enumerate(frame.itertuples(index=False))]
    start = starts.min() - pd.Timedelta(days=120)
    end = pd.to_datetime(frame.end_date).max() + pd.Timedelta(days=120)
    return _figure(traces, title, 340, showlegend=False,
                   xaxis={"title": {"text": ""}, "type": "date", "range": [str(start.date()), str(end.date())]},
                   yaxis={"title": {"text": ""}, "autorange": "reversed", "type": "category",
                          "categoryorder": "array", "categoryarray": frame.name.tolist()})


def _map_layout(geojson: dict | str, zoom: float) -> dict:
    outline = {"source": geojson, "sourcetype": "geojson", "type": "line", "color": OUTLINE_COLOUR,
               "line": {"width": 0.8}, "below": "traces"}
    return {"style": "white-bg", "center": MAP_CENTER, "zoom": zoom, "layers": [outline]}


def participation_map(frame: pd.DataFrame, geojson: dict | str, title: str, colour_title: str) -> Figure:
    """Countries shaded by the number of operations they took part in (frame: iso3, name, editions, list).

    `geojson` is the outlines themselves or the address the browser fetches them from.
    """
    top = max(1, int(frame.editions.max()) if len(frame) else 1)
    trace = {"type": "choroplethmap", "geojson": geojson, "featureidkey": "id", "locations": frame.iso3.tolist(),
             "z": frame.editions.tolist(), "zmin": 0, "zmax": top, "colorscale": "Blues",
             "marker": {"opacity": 0.85, "line": {"color": "#ffffff", "width": 0.8}},
             "hovertext": frame.name.tolist(), "customdata": [[v] for v in frame.operations],
             "colorbar": {"title": {"text": colour_title}, "dtick": 1},
             "hovertemplate": "<b>%{hovertext}</b><br>%{customdata[0]}<extra></extra>"}
    return _figure([trace], title, 460, map=_map_layout(geojson, 3.0))


def events_map(frame: pd.DataFrame, geojson: dict | str, title: str, size_title: str) -> Figure:
    """Seizure events aggregated by locality, points sized (by area) by the number of events."""
    largest = max(1, int(frame.events.max()) if len(frame) else 1)
    trace = {"type": "scattermap", "mode": "markers", "lat": frame.latitude.tolist(), "lon": frame.longitude.tolist(),
             "marker": {"size": frame.events.tolist(), "sizemode": "area", "sizemin": 0,
                        "sizeref": 2.0 * largest / MARKER_SIZE_MAX ** 2, "color": OKABE_ITO[3], "opacity": 0.75},
             "hovertext": frame.locality.tolist(),
             "customdata": frame[["country", "events", "arrests"]].values.tolist(),
             "hovertemplate": (f"<b>%{{hovertext}}</b> (%{{customdata[0]}})<br>{size_title}: "
                               "%{customdata[1]}<extra></extra>"), "showlegend": False}
    return _figure([trace], title, 480, map=_map_layout(geojson, 3.4))


def country_map(frame: pd.DataFrame, geojson: dict | str, title: str, colour_title: str,
                hidden_text: str) -> Figure:
    """Countries shaded by their seizure events (frame: iso3, name, events, suppressed): no place, no point.

    A country whose events are too few to show is drawn in grey and says `hidden_text` instead of a number.
    """
    shown, hidden = frame[~frame.suppressed], frame[frame.suppressed]
    top = max(1, int(shown.events.max()) if len(shown) else 1)
    traces = [{"type": "choroplethmap", "geojson": geojson, "featureidkey": "id", "locations": shown.iso3.tolist(),
               "z": [int(v) for v in shown.events], "zmin": 0, "zmax": top, "colorscale": "Oranges",
               "marker": {"opacity": 0.85, "line": {"color": "#ffffff", "width": 0.8}},
               "hovertext": shown.name.tolist(), "colorbar": {"title": {"text": colour_title}},
               "hovertemplate": f"<b>%{{hovertext}}</b><br>{colour_title}: %{{z:,}}<extra></extra>"}]
    if len(hidden):
        traces.append({"type": "choroplethmap", "geojson": geojson, "featureidkey": "id",
                       "locations": hidden.iso3.tolist(), "z": [1] * len(hidden), "showscale": False,
                       "colorscale": [[0, "#c9ced4"], [1, "#c9ced4"]],
                       "marker": {"opacity": 0.85, "line": {"color": "#ffffff", "width": 0.8}},
                       "hovertext": hidden.name.tolist(),
                       "hovertemplate": f"<b>%{{hovertext}}</b><br>{colour_title}: {hidden_text}<extra></extra>"})
    return _figure(traces, title, 460, map=_map_layout(geojson, 3.0))

"""Plotly figures built from small frames: data in, figure out, no Streamlit.

Colours are fixed per category on every page (Okabe-Ito, safe for colour-blind readers), and
maps use `*_map` traces on a blank style with our own outlines, so nothing is fetched from a
CDN or tile server: the maps draw with no internet.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from kafo_data import contract

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
CATEGORY_COLOURS: dict[str, str] = dict(zip(contract.CATEGORIES, OKABE_ITO, strict=False))
OPERATION_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
MAP_CENTER = {"lat": 13.0, "lon": -2.0}
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left"), height=height, font=FONT,
                      margin=dict(l=10, r=40, t=50, b=10), legend_title_text="",
                      hoverlabel=dict(font_size=13))
    return fig


def bar(frame: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str,
        colour: str, horizontal: bool = True) -> go.Figure:
    """One measure by one dimension, sorted, with the value on each bar."""
    frame = frame.sort_values(x, ascending=horizontal)
    fig = px.bar(frame, x=x if horizontal else y, y=y if horizontal else x, orientation="h" if horizontal else "v",
                 text=x, color_discrete_sequence=[colour])
    fig.update_traces(texttemplate="%{text:,.0f}", textposition="outside", cliponaxis=False,
                      hovertemplate=f"%{{{'y' if horizontal else 'x'}}}: %{{text:,.0f}}<extra></extra>")
    fig.update_xaxes(title=x_title if horizontal else y_title)
    fig.update_yaxes(title=y_title if horizontal else x_title)
    return _layout(fig, title, height=max(260, 60 + 32 * len(frame)) if horizontal else 380)


def monthly(frame: pd.DataFrame, title: str, x_title: str, y_title: str, colour: str, lang: str) -> go.Figure:
    """Months that have records, as equal bars: operations last days, years apart."""
    from babel.dates import format_date

    from kafo_data.fmt import LOCALES

    data = frame.sort_values("month").assign(
        label=[format_date(m, "LLL y", locale=LOCALES[lang]) for m in frame.sort_values("month").month])
    fig = px.bar(data, x="label", y="quantity", text="quantity", color_discrete_sequence=[colour])
    fig.update_traces(texttemplate="%{text:,.0f}", textposition="outside", cliponaxis=False,
                      hovertemplate="%{x}: %{y:,.0f}<extra></extra>")
    fig.update_xaxes(title=x_title, type="category")
    fig.update_yaxes(title=y_title)
    return _layout(fig, title)


def events_by_country(frame: pd.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    return bar(frame, "events", "country", title, x_title, y_title, OKABE_ITO[0])


def timeline(frame: pd.DataFrame, title: str, hover_countries: str, hover_officers: str) -> go.Figure:
    """Each edition as a marker at its start, labelled with its dates (a week is too short for a bar)."""
    fig = px.scatter(frame, x="start_date", y="name", color="name", text="period_text",
                     color_discrete_sequence=OPERATION_COLOURS,
                     custom_data=["period_text", "countries_text", "officers_text"])
    fig.update_traces(marker=dict(size=16, symbol="diamond"), textposition="middle right",
                      hovertemplate=(f"<b>%{{y}}</b><br>%{{customdata[0]}}<br>{hover_countries}: "
                                     f"%{{customdata[1]}}<br>{hover_officers}: %{{customdata[2]}}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title="")
    start = pd.to_datetime(frame.start_date).min() - pd.Timedelta(days=120)
    end = pd.to_datetime(frame.end_date).max() + pd.Timedelta(days=500)
    fig.update_xaxes(title="", range=[start, end])
    fig.update_layout(showlegend=False)
    return _layout(fig, title, height=340)


def _outline_layer(geojson: dict) -> list[dict]:
    return [{"source": geojson, "type": "line", "color": "#8a94a0", "line": {"width": 0.8}, "below": "traces"}]


def participation_map(frame: pd.DataFrame, geojson: dict, title: str, colour_title: str) -> go.Figure:
    """Countries shaded by the number of operations they took part in (frame: iso3, name, editions, list)."""
    fig = px.choropleth_map(frame, geojson=geojson, locations="iso3", featureidkey="id", color="editions",
                            hover_name="name", custom_data=["operations"], color_continuous_scale="Blues",
                            range_color=(0, max(1, int(frame.editions.max()) if len(frame) else 1)),
                            map_style="white-bg", center=MAP_CENTER, zoom=3.0, opacity=0.85)
    fig.update_traces(hovertemplate="<b>%{hovertext}</b><br>%{customdata[0]}<extra></extra>",
                      marker_line_color="#ffffff", marker_line_width=0.8)
    fig.update_layout(map_layers=_outline_layer(geojson), coloraxis_colorbar=dict(title=colour_title, dtick=1))
    return _layout(fig, title, height=460)


def events_map(frame: pd.DataFrame, geojson: dict, title: str, size_title: str) -> go.Figure:
    """Seizure events aggregated by locality, points sized by the number of events."""
    fig = px.scatter_map(frame, lat="latitude", lon="longitude", size="events", size_max=28,
                         hover_name="locality", custom_data=["country", "events", "arrests"],
                         color_discrete_sequence=[OKABE_ITO[3]], map_style="white-bg",
                         center=MAP_CENTER, zoom=3.4, opacity=0.75)
    fig.update_traces(hovertemplate=(f"<b>%{{hovertext}}</b> (%{{customdata[0]}})<br>{size_title}: "
                                     "%{customdata[1]}<extra></extra>"))
    fig.update_layout(map_layers=_outline_layer(geojson))
    return _layout(fig, title, height=480)

"""Plotly figures built from small frames: data in, figure (as Plotly's JSON form) out, no Streamlit.

Colours are fixed per category on every page (Okabe-Ito, safe for colour-blind readers). The layout,
text colours and image export every chart shares are in `kafo_data.chart_base`.

Maps are drawn on plain axes, longitude against latitude, with the country outlines of
`static/countries.geojson` (Natural Earth) as shapes: nothing is fetched, the browser needs no
WebGL, the axes fit the participating countries (or the places) at every width, because the
ranges are set to them and the axes keep their aspect ratio by widening a range rather than
cutting one, and a downloaded map is a true SVG.

Each chart carries its own source line under its title (and "sample data" when it shows generated
records), so a chart pasted into a report says where it comes from. `plot_config` gives Plotly's own image
export (PNG or SVG, the one button of the mode bar) a file name that says what the chart shows.

Figures are plain dicts: `st.plotly_chart` validates a dict once on its way to the browser, while
a Plotly Express figure costs ten to twenty times the CPU (it re-validates its template on every
update), and with many sessions on one server that CPU is what people wait for.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from kafo_data import fmt
from kafo_data.chart_base import AXIS_TEXT, MARKUP, TEXT, Figure, base_figure, plain
from kafo_data.contract import seizures as contract

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
CATEGORY_COLOURS: dict[str, str] = dict(zip(contract.CATEGORIES, OKABE_ITO, strict=False))
OPERATION_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
# Editions a country took part in, 1 to 6+: Blues, light to dark (ColorBrewer), a step each.
EDITION_COLOURS = ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c"]
MARKER_SIZE_MAX = 28
OUTLINE_COLOUR = "#8a94a0"
LAND_COLOUR = "#f4f5f7"
CONTEXT_DEGREES = 40.0  # outlines drawn this far around a map's view


def _bar_trace(x: list, y: list, text: list, colour: str, orientation: str, hover: str) -> dict:
    return {"type": "bar", "x": x, "y": y, "text": text, "orientation": orientation, "marker": {"color": colour},
            "texttemplate": "%{text:,.0f}", "textposition": "outside", "cliponaxis": False,
            "textfont": {"color": TEXT}, "hovertemplate": hover, "showlegend": False}


def bar(frame: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str,
        colour: str, horizontal: bool = True, *, source: str | None = None, lang: str = "en") -> Figure:
    """One measure by one dimension, largest first, with the value on each bar; a row without a value (a public
    "fewer than 3") last, below the smallest bar (Plotly draws a horizontal chart's first row at the bottom)."""
    frame = frame.sort_values(x, ascending=horizontal, kind="stable", na_position="first" if horizontal else "last")
    values, names = frame[x].tolist(), frame[y].tolist()
    trace = _bar_trace(values if horizontal else names, names if horizontal else values, values, colour,
                       "h" if horizontal else "v",
                       f"%{{{'y' if horizontal else 'x'}}}: %{{text:,.0f}}<extra></extra>")
    height = max(260, 60 + 32 * len(frame)) if horizontal else 380
    return base_figure([trace], title, height, source=source, bottom=44, lang=lang,
                   xaxis={"title": {"text": x_title if horizontal else y_title}},
                   yaxis={"title": {"text": y_title if horizontal else x_title}, "type": "category"})


def monthly(frame: pd.DataFrame, title: str, x_title: str, y_title: str, colour: str, lang: str,
            *, source: str | None = None) -> Figure:
    """Months that have records, as equal bars: operations last days, years apart."""
    data = frame.sort_values("month")
    labels = [fmt.month(m, lang) for m in data.month]
    values = data.quantity.tolist()
    trace = _bar_trace(labels, values, values, colour, "v", "%{x}: %{y:,.0f}<extra></extra>")
    return base_figure([trace], title, source=source, bottom=70, lang=lang,
                   xaxis={"title": {"text": x_title}, "type": "category"}, yaxis={"title": {"text": y_title}})


def timeline(frame: pd.DataFrame, title: str, hover_countries: str, hover_officers: str,
             *, source: str | None = None, lang: str = "en") -> Figure:
    """Each edition as a marker at its start on its own row; its dates written above the row.

    A week is too short for a bar. The dates start at the plot's left edge, above the row's line,
    so they never run off either side of a narrow chart (they did beside the markers:
    "30 Nov 2020 – 6 Dec 202"); the row's name stands on the axis.
    """
    hover = (f"<b>%{{y}}</b><br>%{{customdata[0]}}<br>{hover_countries}: "
             f"%{{customdata[1]}}<br>{hover_officers}: %{{customdata[2]}}<extra></extra>")
    names = frame.name.tolist()
    traces = [{"type": "scatter", "mode": "markers", "x": [str(row.start_date)], "y": [row.name], "name": row.name,
               "customdata": [[row.period_text, row.countries_text, row.officers_text]],
               "marker": {"size": 14, "symbol": "diamond", "color": OPERATION_COLOURS[i % len(OPERATION_COLOURS)]},
               "hovertemplate": hover}
              for i, row in enumerate(frame.itertuples(index=False))]
    dates = [{"text": row.period_text, "x": 0, "xref": "paper", "xanchor": "left", "y": row.name, "yref": "y",
              "yshift": 17, "showarrow": False, "font": {"size": 12, "color": AXIS_TEXT}}
             for row in frame.itertuples(index=False)]
    starts = pd.to_datetime(frame.start_date)
    start = starts.min() - pd.Timedelta(days=150)
    end = pd.to_datetime(frame.end_date).max() + pd.Timedelta(days=150)
    return base_figure(traces, title, 70 + 56 * len(frame), source=source, bottom=30, lang=lang, showlegend=False,
                       annotations=dates,
                       xaxis={"title": {"text": ""}, "type": "date", "range": [str(start.date()), str(end.date())],
                              "tickformat": "%Y", "nticks": 7, "tickangle": 0},
                       yaxis={"title": {"text": ""}, "autorange": "reversed", "type": "category",
                              "categoryorder": "array", "categoryarray": names, "ticklabelstandoff": 6,
                              "tickfont": {"color": TEXT, "size": 13}})


# --- maps ---------------------------------------------------------------------------------------

def _rings(geometry: dict) -> list[list[list[float]]]:
    """The outer ring of every polygon of a Polygon or MultiPolygon."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [polygon[0] for polygon in polygons]


def _points(ring: list[list[float]], aspect: float) -> list[tuple[float, float]]:
    """A ring in the axes' units (longitude, latitude times `aspect`), to 0.1 degree (a pixel or less
    at the scale of these maps), points that round to the same place dropped."""
    out: list[tuple[float, float]] = []
    for lon, lat in ring:
        point = (round(lon, 1), round(lat * aspect, 1))
        if not out or point != out[-1]:
            out.append(point)
    return out


def _outline(geometry: dict, aspect: float) -> tuple[list[float | None], list[float | None]]:
    """A country's rings as one line trace's x and y, the rings apart by a None."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in _rings(geometry):
        points = _points(ring, aspect)
        xs += [p[0] for p in points] + [None]
        ys += [p[1] for p in points] + [None]
    return xs[:-1], ys[:-1]


def _path(rings: list[list[list[float]]], aspect: float) -> str:
    """SVG path of rings, in the axes' units."""
    return " ".join("M" + "L".join(f"{x:g},{y:g}" for x, y in _points(ring, aspect)) + "Z" for ring in rings)


def bounds(geometries: list[dict]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of every outline given."""
    points = [p for g in geometries for ring in _rings(g) for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _aspect(south: float, north: float) -> float:
    """Degrees of latitude are drawn 1/cos(latitude) longer than degrees of longitude (as on a local map)."""
    return 1 / math.cos(math.radians((south + north) / 2))


@lru_cache(maxsize=64)
def _outline_shapes(geojson_id: int, view: tuple[float, float, float, float], aspect: float,
                    skip: tuple[str, ...]) -> tuple[dict, ...]:
    geojson = _GEOJSON[geojson_id]
    # A wide screen widens the view well past the countries asked for: draw the land around them too.
    west, south, east, north = _pad(view, CONTEXT_DEGREES)
    paths = []
    for feature in geojson["features"]:
        if feature["id"] in skip:
            continue
        w, s, e, n = bounds([feature["geometry"]])
        if e < west or w > east or n < south or s > north:
            continue
        paths.append(_path(_rings(feature["geometry"]), aspect))
    # One shape for all of them: Plotly validates each shape of a figure on every rerun (8 ms for 38).
    return ({"type": "path", "path": " ".join(paths), "layer": "below", "fillcolor": LAND_COLOUR,
             "line": {"color": OUTLINE_COLOUR, "width": 0.8}},) if paths else ()


_GEOJSON: dict[int, dict] = {}


def _context_outlines(geojson: dict, view: tuple[float, float, float, float], aspect: float,
                      skip: tuple[str, ...] = ()) -> list[dict]:
    """Outlines of the countries around the view, drawn under the traces, computed once per view."""
    _GEOJSON.setdefault(id(geojson), geojson)
    return list(_outline_shapes(id(geojson), tuple(round(v, 3) for v in view), round(aspect, 6), skip))


def _map_axes(view: tuple[float, float, float, float], aspect: float) -> dict:
    """Axes that show `view` whole at any width: equal scale, the short side's range widened."""
    west, south, east, north = view
    hidden = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": False}
    return {"xaxis": {**hidden, "range": [west, east], "constrain": "range"},
            "yaxis": {**hidden, "range": [south * aspect, north * aspect], "scaleanchor": "x", "scaleratio": 1,
                      "constrain": "range"}}


def _pad(view: tuple[float, float, float, float], degrees: float, minimum: float = 0.0) -> tuple[float, ...]:
    west, south, east, north = view
    grow_x = max(degrees, (minimum - (east - west)) / 2)
    grow_y = max(degrees, (minimum - (north - south)) / 2)
    return west - grow_x, south - grow_y, east + grow_x, north + grow_y


def _outlines(geojson: dict | str | None) -> dict:
    """The outlines given, or (given an address or nothing) the app's own file, read once."""
    if isinstance(geojson, dict):
        return geojson
    from kafo_data.geo import load_countries

    return load_countries()


def _features(geojson: dict) -> dict[str, dict]:
    return {f["id"]: f for f in geojson["features"]}


def participation_map(frame: pd.DataFrame, geojson: dict | str | None, title: str, colour_title: str,
                      *, source: str | None = None, lang: str = "en") -> Figure:
    """Countries shaded by the number of operations they took part in (frame: iso3, name, editions, list).

    The legend is titled `colour_title` ("Editions") with one entry per number present, in one row. The view is the
    participating countries' outline, padded, so every one of them is whole at any width; the
    legend sits under the map, never on land.
    """
    geojson = _outlines(geojson)
    features = _features(geojson)
    shown = frame[frame.iso3.isin(features)]
    view = _pad(bounds([features[c]["geometry"] for c in shown.iso3]), 0.8) if len(shown) else (-18, 4, 24, 25)
    aspect = _aspect(view[1], view[3])
    traces, seen = [], set()
    for row in shown.sort_values(["editions", "name"], ascending=[False, True]).itertuples(index=False):
        level = min(int(row.editions), len(EDITION_COLOURS))
        xs, ys = _outline(features[row.iso3]["geometry"], aspect)
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself",
                       "fillcolor": EDITION_COLOURS[level - 1], "line": {"color": "#ffffff", "width": 1},
                       "hoveron": "fills", "name": str(int(row.editions)),
                       "text": f"<b>{plain(row.name)}</b><br>{plain(row.operations)}", "hoverinfo": "text",
                       MARKUP: True,
                       "legendgroup": str(level), "legendrank": level, "showlegend": level not in seen})
        seen.add(level)
    return _shaded_map(traces, title, colour_title, geojson, view, aspect, tuple(shown.iso3), source, lang)


def events_map(frame: pd.DataFrame, geojson: dict | str | None, title: str, size_title: str,
               *, source: str | None = None, lang: str = "en") -> Figure:
    """Seizure events aggregated by locality, points sized (by area) by the number of events.

    The view is the points' extent (at least 6 degrees across), padded: on a phone no point is
    cut, on a wide screen the axes widen the view over the neighbouring land instead of leaving
    a blank band.
    """
    geojson = _outlines(geojson)
    largest = max(1, int(frame.events.max()) if len(frame) else 1)
    if len(frame):
        lons, lats = frame.longitude.tolist(), frame.latitude.tolist()
        view = _pad((min(lons), min(lats), max(lons), max(lats)), 1.2, minimum=6.0)
    else:
        view = (-18.0, 4.0, 24.0, 25.0)
    aspect = _aspect(view[1], view[3])
    trace = {"type": "scatter", "mode": "markers", "x": frame.longitude.round(3).tolist(),
             "y": [round(v * aspect, 3) for v in frame.latitude.tolist()], "cliponaxis": False,
             "marker": {"size": frame.events.tolist(), "sizemode": "area", "sizemin": 3,
                        "sizeref": 2.0 * largest / MARKER_SIZE_MAX ** 2, "color": OKABE_ITO[3], "opacity": 0.75,
                        "line": {"color": "#ffffff", "width": 0.5}},
             "hovertext": frame.locality.tolist(),
             "customdata": frame[["country", "events", "arrests"]].values.tolist(),
             "hovertemplate": (f"<b>%{{hovertext}}</b> (%{{customdata[0]}})<br>{size_title}: "
                               "%{customdata[1]}<extra></extra>"), "showlegend": False}
    return base_figure([trace], title, 480, source=source, bottom=8, right=10, lang=lang,
                   shapes=_context_outlines(geojson, view, aspect), dragmode="pan", **_map_axes(view, aspect))


EVENT_COLOURS = ["#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"]  # Oranges (ColorBrewer), light to dark
HIDDEN_COLOUR = "#c9ced4"


def _bins(top: int, count: int = len(EVENT_COLOURS)) -> list[tuple[int, int]]:
    """Up to `count` ranges of whole numbers covering 1..top, e.g. [(1, 4), (5, 8), ...]."""
    width = max(1, math.ceil(top / count))
    return [(lo, min(top, lo + width - 1)) for lo in range(1, top + 1, width)]


def country_map(frame: pd.DataFrame, geojson: dict | str | None, title: str, colour_title: str,
                hidden_text: str, *, source: str | None = None, lang: str = "en") -> Figure:
    """Countries shaded by their seizure events (frame: iso3, name, events, suppressed): no place, no point.

    A country whose events are too few to show is drawn in grey and says `hidden_text` instead of a
    number. Drawn like the participation map: every country whole at any width, the key above the map.
    """
    geojson = _outlines(geojson)
    features = _features(geojson)
    drawn = frame[frame.iso3.isin(features)]
    view = _pad(bounds([features[c]["geometry"] for c in drawn.iso3]), 0.8) if len(drawn) else (-18, 4, 24, 25)
    aspect = _aspect(view[1], view[3])
    shown = drawn[~drawn.suppressed]
    bins = _bins(max(1, int(shown.events.max()) if len(shown) else 1))
    traces, seen = [], set()
    for row in drawn.sort_values("name").itertuples(index=False):
        if row.suppressed:
            level, colour, name, value = 0, HIDDEN_COLOUR, hidden_text, hidden_text
        else:
            level = next(k for k, (lo, hi) in enumerate(bins, start=1) if lo <= int(row.events) <= hi)
            lo, hi = bins[level - 1]
            colour, name = EVENT_COLOURS[level - 1], f"{lo}–{hi}" if hi > lo else str(lo)
            value = fmt.number(int(row.events), lang)
        xs, ys = _outline(features[row.iso3]["geometry"], aspect)
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself",
                       "fillcolor": colour, "line": {"color": "#ffffff", "width": 1}, "hoveron": "fills",
                       "name": name, "text": f"<b>{plain(row.name)}</b><br>{plain(colour_title)}: {plain(value)}",
                       "hoverinfo": "text", MARKUP: True,
                       "legendgroup": str(level), "legendrank": level if level else 99,
                       "showlegend": level not in seen})
        seen.add(level)
    return _shaded_map(traces, title, colour_title, geojson, view, aspect, tuple(drawn.iso3), source, lang)


def _shaded_map(traces: list[dict], title: str, colour_title: str, geojson: dict | str | None,
                view: tuple[float, float, float, float], aspect: float, shaded: tuple[str, ...], source: str | None,
                lang: str) -> Figure:
    """A map of shaded countries: the other countries' outlines around them, the legend of shades in one row."""
    return base_figure(traces, title, 440, source=source, bottom=8, right=10, lang=lang, legend_rows=1,
                       shapes=_context_outlines(geojson, view, aspect, skip=shaded),
                       legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom",
                               "traceorder": "normal", "font": {"color": TEXT},
                               "title": {"text": colour_title, "side": "left", "font": {"color": TEXT}},
                               "itemclick": False, "itemdoubleclick": False},
                       dragmode="pan", **_map_axes(view, aspect))

"""The seizure charts as a reader sees them: titles, values, order, every country whole, legible text.

Charts are Plotly JSON dicts; what a person would notice is read straight from them: the bar a
value sits on, the order of the bars, whether a country's outline lies inside the drawn area,
whether a text colour is dark enough on white, what a downloaded image is called.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from kafo_data import chart_base
from kafo_data.geo import load_countries
from kafo_data.seizures import charts, queries, views
from kafo_data.store.db import get_database
from tests.conftest import DATA


@pytest.fixture(scope="module")
def db():
    return get_database(DATA)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[k:k + 2], 16) / 255 for k in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


def text_colours(node: object, inside_font: bool = False) -> Iterator[str]:
    """Every colour a figure gives to text (font colours, axis colours)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "color" and isinstance(value, str) and (inside_font or value.startswith("#3")):
                yield value
            yield from text_colours(value, inside_font or key in ("font", "tickfont", "textfont"))
    elif isinstance(node, list):
        for value in node:
            yield from text_colours(value, inside_font)


def test_bars_show_each_value_on_its_label_largest_at_the_top():
    frame = pd.DataFrame({"label": ["Mali", "Niger", "Chad"], "quantity": [12.0, 79.0, 3.0]})
    fig = charts.bar(frame, "quantity", "label", "Firearms (pieces) by country", "pieces", "Country", "#0072B2")
    trace = fig["data"][0]
    # Plotly draws a horizontal bar chart from the bottom up: the last bar is the top one.
    assert trace["y"] == ["Chad", "Mali", "Niger"]
    assert dict(zip(trace["y"], trace["x"], strict=True)) == {"Mali": 12.0, "Niger": 79.0, "Chad": 3.0}
    assert fig["layout"]["title"]["text"] == "Firearms (pieces) by country"
    assert fig["layout"]["xaxis"]["title"]["text"] == "pieces"
    json.dumps(fig)  # plain JSON: no Plotly objects


def test_monthly_bars_are_in_time_order_with_months_written_in_the_language():
    frame = pd.DataFrame({"month": [dt.date(2020, 12, 1), dt.date(2019, 11, 1)], "quantity": [5.0, 7.0]})
    fig = charts.monthly(frame, "Par mois", "Mois", "pièces", "#0072B2", "fr")
    assert fig["data"][0]["x"] == ["nov. 2019", "déc. 2020"]
    assert fig["data"][0]["y"] == [7.0, 5.0]
    assert fig["layout"]["separators"] == ",\u202f"  # 1 473 as French writes it


def test_the_timeline_names_every_edition_with_its_dates_from_the_left_edge(db):
    ops, figures = queries.operations(db), queries.figures(db)
    names = dict(zip(queries.countries(db).iso3, queries.countries(db).name_en, strict=True))
    frame = views.timeline_frame(ops, figures, names, "en")
    fig = charts.timeline(frame, "The editions in time", "Countries", "Officers")
    assert fig["layout"]["yaxis"]["categoryarray"] == ops.name.tolist()
    dates = {a["y"]: a for a in fig["layout"]["annotations"]}
    assert dates["KAFO II"]["text"] == "30 Nov 2020 – 6 Dec 2020"
    # The dates start at the plot's left edge (they were cut beside the markers: "30 Nov 2020 – 6 Dec 202").
    assert {(a["xref"], a["x"], a["xanchor"]) for a in dates.values()} == {("paper", 0, "left")}
    assert all("text" not in trace for trace in fig["data"])


def test_every_participating_country_is_whole_inside_the_map_and_the_legend_is_off_the_land(db):
    frame = views.participation_frame(queries.operation_countries(db), queries.operations(db), "en")
    fig = charts.participation_map(frame, load_countries(), "Participating countries", "Editions")
    layout = fig["layout"]
    (west, east), (south, north) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    features = {f["id"]: f for f in load_countries()["features"]}
    traces = {trace["text"].split("</b>")[0].removeprefix("<b>"): trace for trace in fig["data"]}
    assert set(traces) == set(frame.name)
    for row in frame.itertuples():
        trace = traces[row.name]
        geometry = features[row.iso3]["geometry"]
        rings = 1 if geometry["type"] == "Polygon" else len(geometry["coordinates"])
        assert trace["x"].count(None) == rings - 1, row.name  # every part of the country is drawn
        points = [(x, y) for x, y in zip(trace["x"], trace["y"], strict=True) if x is not None]
        assert all(west <= x <= east and south <= y <= north for x, y in points), row.name
        assert min(x for x, _ in points) == pytest.approx(min(p[0] for p in _outer_points(geometry)), abs=0.06)
    # The DR Congo reaches south of the equator, Mauritania north of 25°: both inside.
    assert south < 0
    # The axes keep their ratio by widening a range, never by cutting one.
    assert layout["yaxis"]["scaleanchor"] == "x"
    assert layout["xaxis"]["constrain"] == layout["yaxis"]["constrain"] == "range"
    # Named by the number of editions; the legend above the plot, not on the land.
    assert {trace["name"] for trace in fig["data"]} == {str(n) for n in frame.editions}
    assert layout["legend"]["title"]["text"] == "Editions"
    assert layout["legend"]["yanchor"] == "bottom" and layout["legend"]["y"] >= 1
    assert _luminance(traces["Burkina Faso"]["fillcolor"]) < _luminance(traces["Senegal"]["fillcolor"])


def _outer_points(geometry: dict) -> list[list[float]]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [p for polygon in polygons for p in polygon[0]]


def test_the_places_map_shows_every_point_and_sizes_them_by_events():
    frame = pd.DataFrame({"locality": ["Gao", "Dakar", "Ndjamena"], "country": ["Mali", "Senegal", "Chad"],
                          "latitude": [16.27, 14.69, 12.13], "longitude": [-0.04, -17.44, 15.05],
                          "events": [3, 1, 9], "arrests": [2, 0, 4]})
    fig = charts.events_map(frame, load_countries(), "Seizure places", "Events")
    layout, trace = fig["layout"], fig["data"][0]
    for x, y in zip(trace["x"], trace["y"], strict=True):
        assert layout["xaxis"]["range"][0] < x < layout["xaxis"]["range"][1]
        assert layout["yaxis"]["range"][0] < y < layout["yaxis"]["range"][1]
    assert trace["marker"]["size"] == [3, 1, 9]
    assert trace["hovertext"] == ["Gao", "Dakar", "Ndjamena"]
    assert layout["shapes"], "no country outlines under the points"


def test_every_text_of_every_chart_is_dark_enough_on_white(db):
    frame = pd.DataFrame({"label": ["Mali"], "quantity": [1.0]})
    ops, figures = queries.operations(db), queries.figures(db)
    participation = views.participation_frame(queries.operation_countries(db), ops, "en")
    figs = [charts.bar(frame, "quantity", "label", "T", "x", "y", "#0072B2", source="Source: sample data"),
            charts.timeline(views.timeline_frame(ops, figures, {}, "en"), "T", "c", "o"),
            charts.participation_map(participation, load_countries(), "T", "Editions")]
    colours = {c for fig in figs for c in text_colours(fig["layout"])}
    colours |= {c for fig in figs for trace in fig["data"] for c in text_colours(trace.get("textfont", {}), True)}
    assert colours
    for colour in colours:
        assert contrast_on_white(colour) >= 4.5, colour


def test_a_chart_carries_its_source_and_says_sample_data_in_the_image():
    frame = pd.DataFrame({"label": ["Mali"], "quantity": [1.0]})
    fig = charts.bar(frame, "quantity", "label", "T", "x", "y", "#0072B2",
                     source="Source: KAFO seizure records · sample data, not real seizures")
    note = fig["layout"]["title"]["subtitle"]["text"]
    assert "sample data" in note and note.replace("<br>", " ").startswith("Source: KAFO seizure records")
    # Wrapped to fit a phone; under the title, where no axis label can sit on it.
    assert all(len(line) <= chart_base.SOURCE_CHARS for line in note.split("<br>"))


def test_long_titles_wrap_so_the_image_button_never_covers_them():
    title = "Ammunition (rounds) by country, all operations and dates"
    fig = charts.bar(pd.DataFrame({"label": ["Mali"], "quantity": [1.0]}), "quantity", "label", title,
                     "x", "y", "#0072B2")
    lines = fig["layout"]["title"]["text"].split("<br>")
    assert " ".join(lines) == title
    assert all(len(line) <= chart_base.TITLE_CHARS for line in lines)


def test_the_image_button_is_the_only_one_and_names_the_file_after_the_chart():
    config = chart_base.plot_config("Armes à feu (pièces) par pays", "svg", sample=True)
    assert config["modeBarButtons"] == [["toImage"]]
    assert config["toImageButtonOptions"]["format"] == "svg"
    assert config["toImageButtonOptions"]["filename"] == "kafo_armes-a-feu-pieces-par-pays_sample"
    png = chart_base.plot_config("Firearms (pieces) by country")
    assert png["toImageButtonOptions"] == {"format": "png", "filename": "kafo_firearms-pieces-by-country",
                                           "width": chart_base.IMAGE_WIDTH, "scale": 2}
    assert png["scrollZoom"] is False and png["displaylogo"] is False


def test_charts_do_not_depend_on_where_the_outlines_file_is_served(tmp_path: Path):
    frame = pd.DataFrame({"iso3": ["NER"], "name": ["Niger"], "editions": [4], "operations": ["KAFO I"]})
    by_address = charts.participation_map(frame, "app/static/countries.geojson", "T", "Editions")
    by_value = charts.participation_map(frame, load_countries(), "T", "Editions")
    assert by_address == by_value


def test_a_row_without_a_value_is_read_last_in_a_chart_sorted_largest_first():
    """Issue 28: the public chart listed "Senegal (fewer than 3)" first in a chart sorted largest first."""
    frame = pd.DataFrame({"quantity": [5.0, float("nan"), 40.0, 12.0],
                          "label": ["Mali", "Senegal (fewer than 3)", "Niger", "Chad"]})
    horizontal = charts.bar(frame, "quantity", "label", "T", "pieces", "Country", "#0072B2")
    top_to_bottom = list(reversed(horizontal["data"][0]["y"]))  # Plotly draws the first row at the bottom
    assert top_to_bottom == ["Niger", "Chad", "Mali", "Senegal (fewer than 3)"]
    vertical = charts.bar(frame, "quantity", "label", "T", "pieces", "Country", "#0072B2", horizontal=False)
    assert list(vertical["data"][0]["x"]) == ["Niger", "Chad", "Mali", "Senegal (fewer than 3)"]

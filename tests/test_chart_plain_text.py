"""Every string from data reaches a Plotly chart as plain text, in every chart of every page (issue 25).

Plotly reads <br>, <b>, <span style> and <a href> in titles, labels, hovers and legends: a locality
`<a href=...>` became a live link in the events map's hover. The chart base (`chart_base.base_figure`)
escapes every data string; each chart is built here with hostile strings in every text it takes,
and its figure JSON must hold them escaped, never raw. A page test runs the managers' Seizures page
on records whose places are hostile and reads the figures Streamlit was handed.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kafo_data.config import GEO_FILE
from kafo_data.firearms import charts as firearm_charts
from kafo_data.money import charts as money_charts
from kafo_data.seizures import charts
from tests.conftest import open_app

LINK = '<a href="https://evil.example/a">x</a>'
SPAN = '<span style="color:red">99</span>'
BREAK = "one<br>two"
HOSTILE = (LINK, SPAN, BREAK)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def assert_plain(figure: dict, must_show: tuple[str, ...] = HOSTILE) -> None:
    """No hostile string raw anywhere in the figure; each one it was given there, escaped."""
    text = json.dumps(figure, ensure_ascii=False)
    for hostile in HOSTILE:
        assert json.dumps(hostile)[1:-1] not in text, hostile
    joined = text.replace("<br>", " ")  # a long title is wrapped over lines
    for hostile in must_show:
        assert json.dumps(_escaped(hostile))[1:-1] in joined, hostile


def _geojson() -> dict:
    return json.loads(GEO_FILE.read_text(encoding="utf-8"))


def test_the_seizure_charts_show_data_as_typed():
    frame = pd.DataFrame({"label": list(HOSTILE), "quantity": [3.0, 2.0, 1.0]})
    assert_plain(charts.bar(frame, "quantity", "label", LINK, SPAN, BREAK, "#000", source=LINK))
    months = pd.DataFrame({"month": pd.to_datetime(["2020-11-01", "2020-12-01"]), "quantity": [1.0, 2.0]})
    assert_plain(charts.monthly(months, BREAK, LINK, SPAN, "#000", "en", source=SPAN))
    ops = pd.DataFrame({"name": list(HOSTILE), "start_date": [dt.date(2019, 11, 1)] * 3,
                        "end_date": [dt.date(2019, 11, 9)] * 3, "period_text": [LINK] * 3,
                        "countries_text": [SPAN] * 3, "officers_text": [BREAK] * 3})
    assert_plain(charts.timeline(ops, LINK, "Countries", "Officers", source=BREAK))  # hover words are ours
    geo = _geojson()
    places = pd.DataFrame({"iso3": ["NER", "MLI", "BFA"], "name": list(HOSTILE), "editions": [1, 2, 3],
                           "operations": [SPAN, LINK, BREAK]})
    assert_plain(charts.participation_map(places, geo, LINK, SPAN, source=BREAK))
    events = pd.DataFrame({"iso3": ["NER", "MLI", "BFA"], "name": list(HOSTILE), "events": [5.0, float("nan"), 9.0],
                           "arrests": [1, 0, 2], "suppressed": [False, True, False]})
    assert_plain(charts.country_map(events, geo, LINK, SPAN, BREAK, source=LINK))
    points = pd.DataFrame({"longitude": [2.1, 1.0, -1.5], "latitude": [13.5, 12.0, 12.4], "locality": list(HOSTILE),
                           "country": [SPAN, LINK, BREAK], "events": [3, 1, 2], "arrests": [0, 1, 2]})
    assert_plain(charts.events_map(points, geo, LINK, "Events", source=BREAK))


def test_the_money_and_firearm_charts_show_data_as_typed():
    rows = pd.DataFrame({"donor_id": ["d1", "d2", "d3"], "name_en": list(HOSTILE), "currency": [LINK, SPAN, BREAK],
                         "value": [1.0, 2.0, 3.0], "cents": [100, 200, 300]})
    assert_plain(money_charts.donor_chart(rows, BREAK, LINK, "en", source=SPAN))
    shares = pd.DataFrame({"share": [10.0, 20.0, 30.0], "label": list(HOSTILE), "text": [SPAN, LINK, BREAK],
                           "bar_text": [LINK, BREAK, SPAN]})
    assert_plain(firearm_charts.share_bars(shares, LINK, SPAN, source=BREAK, lang="en"))
    stacked = pd.DataFrame({"row": list(HOSTILE), "series": [SPAN, LINK, BREAK], "value": [1.0, 2.0, 3.0],
                            "text": [BREAK, SPAN, LINK]})
    assert_plain(firearm_charts.stacked_bars(stacked, LINK, SPAN, source=BREAK, lang="en"))
    assert_plain(firearm_charts.flow(stacked, LINK, source=SPAN, lang="en", made_in=BREAK, seized_in=SPAN))


def test_the_chart_base_keeps_its_own_markup():
    figure = charts.country_map(pd.DataFrame({"iso3": ["NER"], "name": ["Niger"], "events": [5.0], "arrests": [1],
                                              "suppressed": [False]}), _geojson(), "A title long enough to wrap "
                                "over two lines of the chart", "Events", "fewer than 3")
    assert "<b>Niger</b><br>Events: 5" in json.dumps(figure)
    assert "<br>" in figure["layout"]["title"]["text"], "the title's own line break"


@pytest.fixture
def hostile_places(data_copy):
    batch = data_copy / "batches" / "sample"
    table = pq.read_table(batch / "seizures.parquet")
    for column, text in (("locality", LINK), ("admin1", SPAN)):
        table = table.set_column(table.schema.get_field_index(column), column,
                                 pa.array([text] * table.num_rows, pa.string()))
    pq.write_table(table, batch / "seizures.parquet")
    return data_copy


def test_the_managers_seizures_page_draws_hostile_places_as_text(hostile_places, monkeypatch, clear_caches):
    monkeypatch.setenv("KAFO_DATA_DIR", str(hostile_places))
    at = open_app("pages/seizures.py", timeout=90)
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert figures, "the page draws its charts"
    for figure in figures:
        assert_plain(figure, ())
    assert any(json.dumps(_escaped(LINK))[1:-1] in json.dumps(f, ensure_ascii=False) for f in figures), \
        "the events map's hover"

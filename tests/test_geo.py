"""Checks that the offline map data is consistent.

A gazetteer point outside its own country would put seizures in the wrong
country on the dashboard, so every locality is validated against the
bundled outlines.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kafo_data.config import GEO_FILE
from kafo_data.geo import (
    country_bbox,
    country_centroid,
    load_countries,
    point_in_country,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
GEOJSON_PATH = GEO_FILE
LOCALITIES_PATH = DATA_DIR / "reference" / "localities.csv"

KAFO_ISO3 = (
    *("BEN", "BFA", "CAF", "CIV", "COD", "GHA"),
    *("GIN", "MLI", "MRT", "NER", "SEN", "TCD"),
)
GAZETTEER_ISO3 = ["BEN", "BFA", "CIV", "GHA", "GIN", "MLI", "MRT", "NER", "SEN", "TCD"]
KINDS = {"border_post", "town", "airport", "mine_area"}


@pytest.fixture(scope="module")
def geojson() -> dict:
    return load_countries()


def _localities() -> list[dict[str, str]]:
    with LOCALITIES_PATH.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


LOCALITIES = _localities()


def test_geojson_is_small() -> None:
    assert GEOJSON_PATH.stat().st_size < 300 * 1024


def test_load_countries_is_cached() -> None:
    assert load_countries() is load_countries()


def test_features_have_ids_and_names(geojson: dict) -> None:
    assert geojson["type"] == "FeatureCollection"
    ids = [f["id"] for f in geojson["features"]]
    assert len(ids) == len(set(ids))
    for feature in geojson["features"]:
        assert feature["properties"]["iso3"] == feature["id"]
        assert feature["properties"]["name"]
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize("iso3", KAFO_ISO3)
def test_kafo_country_has_feature_and_inside_centroid(geojson: dict, iso3: str) -> None:
    lat, lon = country_centroid(geojson, iso3)
    assert point_in_country(geojson, iso3, lat, lon)
    min_lon, min_lat, max_lon, max_lat = country_bbox(geojson, iso3)
    assert min_lon <= lon <= max_lon
    assert min_lat <= lat <= max_lat


def test_unknown_country_raises(geojson: dict) -> None:
    with pytest.raises(KeyError):
        point_in_country(geojson, "XXX", 0.0, 0.0)


def test_bamako_is_in_mali_not_burkina(geojson: dict) -> None:
    lat, lon = 12.6392, -8.0029
    assert point_in_country(geojson, "MLI", lat, lon)
    assert not point_in_country(geojson, "BFA", lat, lon)


def test_atlantic_point_is_in_no_country(geojson: dict) -> None:
    lat, lon = 10.0, -25.0
    assert not any(
        point_in_country(geojson, f["id"], lat, lon) for f in geojson["features"]
    )


def test_bbox_of_mali_is_plausible(geojson: dict) -> None:
    min_lon, min_lat, max_lon, max_lat = country_bbox(geojson, "MLI")
    assert -13 < min_lon < -11 and 3 < max_lon < 5
    assert 9.5 < min_lat < 11 and 24 < max_lat < 26


def test_holes_and_multipolygons() -> None:
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]]
    island = [[20, 0], [22, 0], [22, 2], [20, 2], [20, 0]]
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "AAA",
                "properties": {"iso3": "AAA", "name": "A"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[square, hole], [island]],
                },
            },
            {
                "type": "Feature",
                "id": "CCC",
                "properties": {"iso3": "CCC", "name": "C-shape"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [0, 0],
                            [10, 0],
                            [10, 2],
                            [2, 2],
                            [2, 8],
                            [10, 8],
                            [10, 10],
                            [0, 10],
                            [0, 0],
                        ]
                    ],
                },
            },
        ],
    }
    assert point_in_country(gj, "AAA", 2, 2)
    assert not point_in_country(gj, "AAA", 5, 5)  # in the hole
    assert point_in_country(gj, "AAA", 1, 21)  # on the island
    assert not point_in_country(gj, "AAA", 1, 15)
    assert country_bbox(gj, "AAA") == (0, 0, 22, 10)
    lat, lon = country_centroid(gj, "AAA")
    assert point_in_country(gj, "AAA", lat, lon) and lon < 10
    # The C-shape's centroid lies in its empty mouth; the fallback must not.
    lat, lon = country_centroid(gj, "CCC")
    assert point_in_country(gj, "CCC", lat, lon)


def test_localities_schema() -> None:
    assert LOCALITIES_PATH.read_bytes()[:3] != b"\xef\xbb\xbf"  # no BOM
    header = ["country_iso3", "admin1", "locality", "kind", "latitude", "longitude"]
    assert list(LOCALITIES[0]) == header
    for row in LOCALITIES:
        assert row["kind"] in KINDS, row
        assert row["admin1"] and row["locality"], row
        for key in ("latitude", "longitude"):
            decimals = row[key].split(".")[1] if "." in row[key] else ""
            assert len(decimals) <= 4, row
    keys = [(r["country_iso3"], r["locality"]) for r in LOCALITIES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("iso3", GAZETTEER_ISO3)
def test_each_country_has_enough_localities(iso3: str) -> None:
    rows = [r for r in LOCALITIES if r["country_iso3"] == iso3]
    assert len(rows) >= 6
    assert any(r["kind"] == "border_post" for r in rows)


@pytest.mark.parametrize(
    "row", LOCALITIES, ids=[f"{r['country_iso3']}-{r['locality']}" for r in LOCALITIES]
)
def test_locality_inside_its_country(geojson: dict, row: dict[str, str]) -> None:
    lat, lon = float(row["latitude"]), float(row["longitude"])
    assert point_in_country(geojson, row["country_iso3"], lat, lon), row

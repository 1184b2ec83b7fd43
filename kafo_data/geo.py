"""Offline country geometry helpers for the KAFO maps and sample data.

The dashboard must run without internet, so country outlines come from the
bundled ``static/countries.geojson`` (see ``static/SOURCE.md``) and all
geometry here is plain Python: no shapely/GDAL to install on analysts'
machines. Coordinates in GeoJSON are ``[lon, lat]``; the public functions
take and return ``lat``/``lon`` explicitly to avoid mix-ups.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from kafo_data.config import GEO_FILE

Ring = list[list[float]]
PolygonCoords = list[Ring]


@lru_cache(maxsize=8)
def load_countries(path: Path = GEO_FILE) -> dict:
    """Parse the outlines once per path.

    Cached because ingest checks every row's coordinates; callers share the
    returned dict and must not mutate it.
    """
    with Path(path).open(encoding="utf-8") as fh:
        return json.load(fh)


def _feature(geojson: dict, iso3: str) -> dict:
    """Find a country's feature by ``id`` (or ``properties.iso3``)."""
    code = iso3.upper()
    for feature in geojson.get("features", []):
        fid = feature.get("id") or feature.get("properties", {}).get("iso3")
        if fid == code:
            return feature
    raise KeyError(f"no feature for ISO3 {iso3!r}")


def _polygons(geometry: dict) -> list[PolygonCoords]:
    """Normalise Polygon/MultiPolygon to a list of polygons (outer + holes)."""
    gtype = geometry.get("type")
    if gtype == "Polygon":
        return [geometry["coordinates"]]
    if gtype == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unsupported geometry type {gtype!r}")


def _point_in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting (ray towards +lon); works for either winding."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def _point_in_polygon(lon: float, lat: float, polygon: PolygonCoords) -> bool:
    """Inside the outer ring and outside every hole."""
    if not polygon or not _point_in_ring(lon, lat, polygon[0]):
        return False
    return not any(_point_in_ring(lon, lat, hole) for hole in polygon[1:])


def point_in_country(geojson: dict, iso3: str, lat: float, lon: float) -> bool:
    """True if (lat, lon) lies inside the country's outline.

    Used to validate the gazetteer and generated incident points, so a map
    never shows a seizure in the wrong country. Points exactly on an edge
    may go either way; at 1:110m that precision is meaningless anyway.
    """
    geometry = _feature(geojson, iso3)["geometry"]
    return any(_point_in_polygon(lon, lat, poly) for poly in _polygons(geometry))


def country_bbox(geojson: dict, iso3: str) -> tuple[float, float, float, float]:
    """Return (min_lon, min_lat, max_lon, max_lat), e.g. to zoom a map."""
    geometry = _feature(geojson, iso3)["geometry"]
    lons: list[float] = []
    lats: list[float] = []
    for polygon in _polygons(geometry):
        for lon, lat in ((p[0], p[1]) for p in polygon[0]):
            lons.append(lon)
            lats.append(lat)
    return min(lons), min(lats), max(lons), max(lats)


def _ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed shoelace area and centroid (lon, lat) of a closed ring."""
    area2 = 0.0
    cx = 0.0
    cy = 0.0
    for i in range(len(ring) - 1):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[i + 1][0], ring[i + 1][1]
        cross = x1 * y2 - x2 * y1
        area2 += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if area2 == 0.0:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area2 / 2.0, cx / (3.0 * area2), cy / (3.0 * area2)


def _polygon_area_centroid(polygon: PolygonCoords) -> tuple[float, float, float]:
    """Area and centroid (lon, lat) of a polygon, subtracting its holes."""
    total = 0.0
    sx = 0.0
    sy = 0.0
    for k, ring in enumerate(polygon):
        area, cx, cy = _ring_area_centroid(ring)
        area = abs(area) if k == 0 else -abs(area)
        total += area
        sx += area * cx
        sy += area * cy
    if total == 0.0:
        _, cx, cy = _ring_area_centroid(polygon[0])
        return 0.0, cx, cy
    return total, sx / total, sy / total


def _scanline_inside_point(
    polygon: PolygonCoords, lat: float
) -> tuple[float, float] | None:
    """Midpoint of the widest inside span of the polygon along ``lat``."""
    crossings: list[float] = []
    for ring in polygon:
        for i in range(len(ring) - 1):
            x1, y1 = ring[i][0], ring[i][1]
            x2, y2 = ring[i + 1][0], ring[i + 1][1]
            if (y1 > lat) != (y2 > lat):
                crossings.append(x1 + (lat - y1) * (x2 - x1) / (y2 - y1))
    crossings.sort()
    best: tuple[float, float] | None = None
    best_width = 0.0
    for a, b in zip(crossings[0::2], crossings[1::2], strict=False):
        if b - a > best_width:
            best_width = b - a
            best = (lat, (a + b) / 2.0)
    return best


def country_centroid(geojson: dict, iso3: str) -> tuple[float, float]:
    """Return (lat, lon) of a label/marker point guaranteed inside the country.

    Uses the area-weighted centroid of the largest polygon (so islands and
    exclaves do not drag it out to sea); for concave shapes whose centroid
    falls outside, falls back to the middle of the widest horizontal span.
    """
    geometry = _feature(geojson, iso3)["geometry"]
    polygons = _polygons(geometry)
    scored = [(_polygon_area_centroid(p), p) for p in polygons]
    (_area, lon, lat), largest = max(scored, key=lambda s: abs(s[0][0]))
    if _point_in_polygon(lon, lat, largest):
        return lat, lon

    # Try scanlines near the centroid latitude first, then across the bbox.
    lats = [p[1] for p in largest[0]]
    lo, hi = min(lats), max(lats)
    steps = 64
    candidates = [lat] + [lo + (hi - lo) * (k + 0.5) / steps for k in range(steps)]
    candidates.sort(key=lambda y: abs(y - lat))
    for y in candidates:
        point = _scanline_inside_point(largest, y)
        if point is not None and _point_in_polygon(point[1], point[0], largest):
            return point
    raise ValueError(f"could not find an interior point for {iso3!r}")

"""Build ``static/countries.geojson`` from Natural Earth 1:110m outlines.

Run once with ``python -m kafo_data.devtools.geo_build`` (optionally ``--source`` /
``--out``). The dashboard must draw maps with no internet access, so the
country shapes are shipped in the repo as a small GeoJSON file instead of
being fetched from a CDN.

The input is the public-domain Natural Earth "admin 0 countries" 1:110m
shapefile that ships as a test fixture inside the ``pyogrio`` wheel. It is
read with pure-Python ``pyshp`` so neither GDAL nor network access is needed;
``pyogrio`` is only located on disk, never imported (importing it would load
GDAL).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
from pathlib import Path

import shapefile  # pyshp

# Operation KAFO countries: these must always be present.
KAFO_ISO3: tuple[str, ...] = (
    *("BEN", "BFA", "CAF", "CIV", "COD", "GHA"),
    *("GIN", "MLI", "MRT", "NER", "SEN", "TCD"),
)

# Neighbours, so the map reads as a region rather than floating islands.
NEIGHBOUR_ISO3: tuple[str, ...] = (
    *("DZA", "LBY", "NGA", "TGO", "LBR", "SLE", "GNB", "GMB", "CMR", "SDN"),
    *("ESH", "MAR", "COG", "GAB", "GNQ", "SSD"),
    # Close the North African coast and surround COD.
    *("TUN", "EGY", "AGO", "ZMB", "TZA", "UGA", "RWA", "BDI", "ETH", "ERI"),
)

REGION_ISO3: frozenset[str] = frozenset(KAFO_ISO3 + NEIGHBOUR_ISO3)

# Natural Earth uses abbreviated display names; the dashboard shows these.
NAME_OVERRIDES: dict[str, str] = {
    "CAF": "Central African Republic",
    "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo",
    "ESH": "Western Sahara",
    "GNQ": "Equatorial Guinea",
    "SSD": "South Sudan",
    "SWZ": "Eswatini",
}

# Natural Earth sets ISO_A3 = -99 for a few countries. Where the file has no
# ADM0_A3 column (the pyogrio fixture does not) fall back to the name.
NAME_TO_ISO3_FALLBACK: dict[str, str] = {
    "France": "FRA",
    "Norway": "NOR",
    "Kosovo": "XKX",
    "Somaliland": "SOL",
    "N. Cyprus": "CYN",
}

DECIMALS = 3
FIXTURE_REL = Path("tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "static" / "countries.geojson"

Ring = list[list[float]]


def find_source() -> Path:
    """Locate the Natural Earth shapefile inside the installed pyogrio wheel.

    Uses ``find_spec`` so pyogrio (and its GDAL) is never imported.
    """
    spec = importlib.util.find_spec("pyogrio")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "pyogrio is not installed; `pip install pyogrio` or pass --source"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / FIXTURE_REL
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{FIXTURE_REL} not found inside the pyogrio package")


def record_iso3(rec: dict) -> str:
    """Return a usable ISO3 code, working around Natural Earth's ``-99``."""
    lowered = {k.lower(): v for k, v in rec.items()}
    for key in ("iso_a3", "adm0_a3", "iso_a3_eh", "sov_a3"):
        value = str(lowered.get(key) or "").strip().upper()
        if len(value) == 3 and value.isalpha():
            return value
    name = str(lowered.get("name") or "")
    return NAME_TO_ISO3_FALLBACK.get(name, "")


def signed_area(ring: Ring) -> float:
    """Shoelace area; positive for counter-clockwise rings."""
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        total += x1 * y2 - x2 * y1
    return total / 2.0


def _point_in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def round_ring(points: list[tuple[float, float]]) -> Ring | None:
    """Round to ``DECIMALS`` and drop the duplicate vertices rounding creates.

    Returns None when the ring collapses (fewer than 4 positions or no area),
    which only happens for specks far below the map's resolution.
    """
    out: Ring = []
    for x, y in points:
        pt = [round(float(x), DECIMALS), round(float(y), DECIMALS)]
        if not out or out[-1] != pt:
            out.append(pt)
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    if len(out) < 4 or abs(signed_area(out)) < 10 ** (-2 * DECIMALS):
        return None
    return out


def shape_to_geometry(shape: shapefile.Shape) -> dict | None:
    """Convert a pyshp polygon to an RFC 7946 Polygon/MultiPolygon.

    Shapefiles mark outer rings clockwise and holes counter-clockwise; GeoJSON
    wants the reverse, so rings are re-wound and each hole is attached to the
    outer ring that contains it.
    """
    parts = [*list(shape.parts), len(shape.points)]
    outers: list[Ring] = []
    holes: list[Ring] = []
    for start, end in itertools.pairwise(parts):
        ring = round_ring(shape.points[start:end])
        if ring is None:
            continue
        if signed_area(ring) < 0:  # clockwise in shapefile => exterior
            outers.append(ring[::-1])
        else:
            holes.append(ring[::-1])
    if not outers:
        return None
    polygons: list[list[Ring]] = [[outer] for outer in outers]
    for hole in holes:
        x, y = hole[0]
        for poly in polygons:
            if _point_in_ring(x, y, poly[0]):
                poly.append(hole)
                break
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def build(source: Path, region: frozenset[str] = REGION_ISO3) -> dict:
    """Read the shapefile and return a FeatureCollection for ``region``."""
    features: list[dict] = []
    with shapefile.Reader(str(source)) as reader:
        for shape_rec in reader.iterShapeRecords():
            rec = shape_rec.record.as_dict()
            iso3 = record_iso3(rec)
            if iso3 not in region:
                continue
            geometry = shape_to_geometry(shape_rec.shape)
            if geometry is None:
                continue
            name = NAME_OVERRIDES.get(iso3, str(rec.get("name") or iso3))
            features.append(
                {
                    "type": "Feature",
                    "id": iso3,
                    "properties": {"iso3": iso3, "name": name},
                    "geometry": geometry,
                }
            )
    features.sort(key=lambda f: f["id"])
    missing = sorted(set(KAFO_ISO3) - {f["id"] for f in features})
    if missing:
        raise ValueError(f"source has no outline for KAFO countries: {missing}")
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: build and write the GeoJSON, print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="Natural Earth .shp path")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    source = args.source or find_source()
    collection = build(source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    size_kb = args.out.stat().st_size / 1024
    print(
        f"wrote {args.out} ({len(collection['features'])} countries, "
        f"{size_kb:.1f} KB) from {source}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Geometry chores shared by the loader, the demo geography and the map: repair, simplify, WKB in and out.

Display geometries are simplified per zoom so a national view does not ship every desa's coastline vertex to the
browser: tolerances are in degrees (1° ≈ 111 km at the equator, where Indonesia lies, so the error is easy to
read off) and chosen so the simplification error stays below a pixel at the zoom that uses them.
"""

from __future__ import annotations

from typing import Final

import shapely
from shapely.geometry.base import BaseGeometry

# zoom name → simplify tolerance in degrees: ~1 km for the national view, ~200 m for a province or kabupaten,
# ~20 m for a kecamatan close-up.
ZOOM_TOLERANCES: Final[dict[str, float]] = {"nasional": 0.01, "provinsi": 0.002, "detail": 0.0002}

# Indonesia's bounding area with a margin of about 50 km: Sabang (95.3 E) to Merauke (141.0 E),
# Miangas (5.6 N) to Pulau Rote (-11.0 S).
INDONESIA_BBOX: Final[tuple[float, float, float, float]] = (94.5, -11.5, 141.5, 6.5)

_POLYGONAL = ("Polygon", "MultiPolygon")


def polygons_only(geom: BaseGeometry | None) -> BaseGeometry | None:
    """The polygonal part of a geometry (make_valid can return collections with stray lines), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in _POLYGONAL:
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in _POLYGONAL and not g.is_empty]
        if not parts:
            return None
        return shapely.union_all(parts)
    return None


def repair(geom: BaseGeometry | None) -> tuple[BaseGeometry | None, bool]:
    """(valid polygonal geometry, whether it had to be repaired); a bow-tie becomes two triangles."""
    if geom is None or geom.is_empty:
        return None, False
    if geom.is_valid:
        return polygons_only(geom), False
    return polygons_only(shapely.make_valid(geom)), True


def simplify(geom: BaseGeometry, zoom: str) -> BaseGeometry:
    """The geometry for one display zoom; never empties a small desa (falls back to the unsimplified shape)."""
    out = shapely.simplify(geom, ZOOM_TOLERANCES[zoom], preserve_topology=True)
    return geom if out.is_empty else out


def to_wkb(geom: BaseGeometry) -> bytes:
    return shapely.to_wkb(geom, output_dimension=2)


def from_wkb(blob: bytes | bytearray | memoryview) -> BaseGeometry:
    return shapely.from_wkb(bytes(blob))


def in_indonesia_bbox(lon: float, lat: float) -> bool:
    minx, miny, maxx, maxy = INDONESIA_BBOX
    return minx <= lon <= maxx and miny <= lat <= maxy

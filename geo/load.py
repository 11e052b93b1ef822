"""Read region boundaries from a GeoJSON, GeoPackage or Shapefile and match them to Kemendagri codes.

`read_boundary_file` never writes: it returns a `BoundaryLoad` with the repaired EPSG:4326 geometries, the code
each feature matched and every problem found (file, row, column, message key). `save_boundaries` then writes the
matched features in one transaction, and only when the file was usable at all. A file that is not a geometry
file, has no CRS or a CRS that puts it outside Indonesia, is empty, or whose codes match nothing is rejected
whole with a reason the user can act on.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import geopandas as gpd
import polars as pl
import pyogrio
import pyogrio.raw
import shapely
import shapely.errors

from data.exchange.problems import Problem
from geo import boundary_store as store_boundaries
from geo.match import NameMatch, RegionMatcher, level_number
from geo.shapes import INDONESIA_BBOX, ZOOM_TOLERANCES, repair, simplify, to_wkb

# Problems that reject the whole file (nothing is saved); the others concern single features.
FATAL_KEYS: frozenset[str] = frozenset({
    "geo_file_unreadable", "geo_file_empty", "geo_no_geometry", "geo_not_polygons", "geo_no_crs",
    "geo_outside_indonesia", "geo_nothing_matched", "geo_column_missing", "geo_no_match_column",
})

_CODE_HINTS = ("kode", "code", "kd", "pcode", "kdepum", "kdcpum", "kdpkab", "kdppum", "id_")
_NAME_HINTS = ("nama", "name", "wadmk", "wadmkc", "wadmkd", "wadmpr", "desa", "kecamatan", "kabupaten", "adm")


@dataclass
class BoundaryLoad:
    """What a boundary file holds after reading: matched geometries, per-feature outcomes and problems."""

    file: str
    level: int
    source: str
    features: gpd.GeoDataFrame                 # row, code (None when unmatched), method, repaired, geometry
    problems: list[Problem] = field(default_factory=list)
    match_column: str | None = None

    @property
    def fatal(self) -> bool:
        return any(p.message_key in FATAL_KEYS for p in self.problems)

    @property
    def matched(self) -> gpd.GeoDataFrame:
        """One row per matched code; features sharing a code (a desa drawn in two parts) are unioned."""
        if self.fatal or self.features.empty:
            return gpd.GeoDataFrame({"code": [], "geometry": []}, geometry="geometry", crs="EPSG:4326")
        ok = self.features[self.features["code"].notna()]
        return ok.dissolve(by="code", as_index=False)[["code", "geometry"]]

    @property
    def ok(self) -> bool:
        return not self.fatal and len(self.matched) > 0

    def unmatched(self) -> list[Problem]:
        return [p for p in self.problems if p.message_key not in FATAL_KEYS]


def read_boundary_file(
    path: str | Path,
    level: int | str,
    code_column: str | None = None,
    name_column: str | None = None,
    *,
    regions: pl.DataFrame | None = None,
    scope_code: str | None = None,
    source: str | None = None,
) -> BoundaryLoad:
    """Read, reproject, repair and match a boundary file; nothing is written.

    `regions` (code, name, level, kind) defaults to the full Kemendagri list; `scope_code` restricts name
    matching to one province or kabupaten, which desa names need ("Sukamaju" exists hundreds of times).
    """
    path = Path(path)
    lvl = level_number(level)
    label = path.name
    empty = gpd.GeoDataFrame({"row": [], "code": [], "method": [], "repaired": [], "geometry": []},
                             geometry="geometry", crs="EPSG:4326")
    load = BoundaryLoad(label, lvl, source or label, empty)

    frame = _read_frame(path)
    if isinstance(frame, Problem):
        load.problems.append(frame)
        return load
    checked = _check_frame(frame, label)
    if isinstance(checked, Problem):
        load.problems.append(checked)
        load.problems.extend(Problem(label, None, i + 1, None, "safety_geo_shape_broken", {})
                             for i in frame.attrs.get("broken_rows", ()))
        return load
    frame = checked

    if regions is None:
        from data.regions import region_frame

        regions = region_frame()
    matcher = RegionMatcher(regions, lvl, scope_code)
    column, by_code, problem = _choose_column(frame, matcher, code_column, name_column, label)
    if problem is not None:
        load.problems.append(problem)
        return load
    load.match_column = column

    rows, codes, methods, repaired, geoms = [], [], [], [], []
    broken = set(frame.attrs.get("broken_rows", ()))
    for i, (raw, geom) in enumerate(zip(frame[column], frame.geometry, strict=True)):
        fixed, was_repaired = repair(geom)
        if fixed is None:
            key = "safety_geo_shape_broken" if i in broken else "geo_feature_no_geometry"
            load.problems.append(Problem(label, None, i + 1, None, key, {"value": raw}))
            continue
        m: NameMatch = matcher.by_code(raw) if by_code else matcher.by_name(raw)
        if m.code is None:
            load.problems.append(Problem(label, None, i + 1, column, m.reason or "geo_name_unmatched",
                                         {"value": raw, "suggestions": list(m.suggestions) or ["–"]}))
        rows.append(i + 1)
        codes.append(m.code)
        methods.append(m.method)
        repaired.append(was_repaired)
        geoms.append(fixed)
    load.features = gpd.GeoDataFrame({"row": rows, "code": codes, "method": methods, "repaired": repaired},
                                     geometry=geoms, crs="EPSG:4326")
    if not any(c is not None for c in codes):
        load.problems.append(Problem(label, None, None, column, "geo_nothing_matched",
                                     {"level": lvl, "column": column}))
    return load


def save_boundaries(con: duckdb.DuckDBPyConnection, load: BoundaryLoad, illustrative: bool = False) -> int:
    """Write the matched boundaries (full and simplified per zoom) in one transaction; 0 when rejected."""
    if not load.ok:
        return 0
    matched = load.matched
    rows = [
        store_boundaries.BoundaryRow(
            code=code, level=load.level, source=load.source, illustrative=illustrative, geometry=to_wkb(geom),
            display={zoom: to_wkb(simplify(geom, zoom)) for zoom in ZOOM_TOLERANCES},
        )
        for code, geom in zip(matched["code"], matched.geometry, strict=True)
    ]
    return store_boundaries.write_boundaries(con, rows)


def _read_frame(path: Path) -> gpd.GeoDataFrame | Problem:
    """The file's first layer with shapes, or why it cannot be read."""
    label = path.name
    if not path.exists():
        return Problem(label, None, None, None, "geo_file_unreadable", {"reason": "not found"})
    try:
        layers = pyogrio.list_layers(path)
        with_geometry = [name for name, gtype in layers if gtype is not None]
        layer = with_geometry[0] if with_geometry else (layers[0][0] if len(layers) else None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL chatter about odd fields is not the user's problem here
            try:
                frame = pyogrio.read_dataframe(path, layer=layer)
            except shapely.errors.GEOSException:
                frame = _read_frame_shape_by_shape(path, layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError, pyogrio.errors.FeatureError, shapely.errors.GEOSException,
            UnicodeDecodeError, ValueError) as exc:
        # GDAL's own words name the temporary path and driver options: kept for logs, not shown to the user
        reason = str(exc).splitlines()[0].replace(str(path), label) if str(exc) else type(exc).__name__
        return Problem(label, None, None, None, "geo_file_unreadable", {"reason": reason})
    return frame


def _read_frame_shape_by_shape(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Read a file in which some shape cannot even be built (a polygon ring that does not close): every other
    feature keeps its shape, the broken ones get none and are listed in `attrs["broken_rows"]` (0-based)."""
    meta, _, wkb, _ = pyogrio.raw.read(path, layer=layer)
    attributes = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    shapes, broken = [], []
    for i, blob in enumerate(wkb):
        try:
            shapes.append(shapely.from_wkb(blob) if blob is not None else None)
        except shapely.errors.GEOSException:
            shapes.append(None)
            broken.append(i)
    frame = gpd.GeoDataFrame(attributes, geometry=shapes, crs=meta.get("crs"))
    frame.attrs["broken_rows"] = broken
    return frame


def _check_frame(frame: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame | Problem:
    """The frame in EPSG:4326 once it is known to hold polygons inside Indonesia, else the reason it does not."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry is None:
        return Problem(label, None, None, None, "geo_no_geometry", {})
    if len(frame) == 0:
        return Problem(label, None, None, None, "geo_file_empty", {})
    geoms = frame.geometry
    if geoms.isna().all() or geoms.is_empty.all():
        return Problem(label, None, None, None, "geo_no_geometry", {})
    kinds = set(geoms.dropna().geom_type)
    if not kinds & {"Polygon", "MultiPolygon"}:
        return Problem(label, None, None, None, "geo_not_polygons", {"kinds": sorted(kinds)})
    if frame.crs is None:
        return Problem(label, None, None, None, "geo_no_crs", {})
    crs_name = frame.crs.to_string()
    try:
        frame = frame.to_crs("EPSG:4326")
    except Exception as exc:  # pyproj raises several types for impossible transformations
        return Problem(label, None, None, None, "geo_outside_indonesia", {"crs": crs_name, "bounds": str(exc)})
    minx, miny, maxx, maxy = frame.total_bounds
    bx0, by0, bx1, by1 = INDONESIA_BBOX
    finite = all(math.isfinite(v) and abs(v) < 1e6 for v in (minx, miny, maxx, maxy))
    if not finite or minx > bx1 or maxx < bx0 or miny > by1 or maxy < by0 or minx < bx0 - 5 or maxx > bx1 + 5:
        bounds = ", ".join(f"{v:.2f}" for v in (minx, miny, maxx, maxy))
        return Problem(label, None, None, None, "geo_outside_indonesia", {"crs": crs_name, "bounds": bounds})
    return frame


def _choose_column(frame: gpd.GeoDataFrame, matcher: RegionMatcher, code_column: str | None,
                   name_column: str | None, label: str) -> tuple[str | None, bool, Problem | None]:
    """(column, matched by code?, problem): the given column, or the one whose values match best."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for wanted in (code_column, name_column):
        if wanted is not None and wanted not in columns:
            return None, False, Problem(label, None, None, wanted, "geo_column_missing",
                                        {"column": wanted, "columns": columns})
    if code_column is not None:
        return code_column, True, None
    if name_column is not None:
        return name_column, False, None
    sample = frame.head(200)
    best: tuple[int, int, str, bool] | None = None   # (hits, hint bonus, column, by_code)
    for col in columns:
        low = col.lower()
        for by_code, hints in ((True, _CODE_HINTS), (False, _NAME_HINTS)):
            if not by_code and sample[col].dtype.kind not in "OSU" and str(sample[col].dtype) != "str":
                continue
            test = matcher.by_code if by_code else matcher.by_name
            hits = sum(1 for v in sample[col] if test(v).code is not None)
            bonus = int(any(h in low for h in hints))
            if hits and (best is None or (hits, bonus, by_code) > (best[0], best[1], best[3])):
                best = (hits, bonus, col, by_code)
    if best is None:
        return None, False, Problem(label, None, None, None, "geo_no_match_column", {"columns": columns})
    return best[2], best[3], None

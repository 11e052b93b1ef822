"""Peta: the competition on a map without any tile service — the real province and kabupaten/kota boundaries as
the base, posyandu dots coloured by a score, the average per kecamatan or kabupaten; at national, province or
kabupaten scope. A click on a dot opens the posyandu's profile; a click on a kecamatan or kabupaten opens its
summary (entrants, averages per field, best posyandu) with a link to Bandingkan."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import polars as pl
import streamlit as st
from shapely.geometry import box

from data import access
from data.store import page_reads, reads
from geo import boundary_store as boundaries
from geo.aggregate import LEVEL_CODE_COLUMN
from geo.export import points_geojson, regions_geojson, static_map_png
from geo.frames import boundary_frame
from geo.layers import LAYER_POSYANDU, payload_bytes
from geo.mapview import MapOptions, build_map, measure_label
from geo.real_store import ensure_cells
from geo.validate import flag_posyandu
from present.fmt import fmt_int, fmt_number
from present.i18n import t
from present.tables import compare_with, filter_table, region_summary
from present.theme import score_bands
from ui import cached
from ui.auth import current_user
from ui.context import choice_from_url, choice_to_url, picked_posyandu, sidebar_context, tr
from ui.downloads import file_download, store_download
from ui.safe import plain_html
from ui.state import get_con, reference_version, result_version
from ui.tables import dataframe

SCOPES = ("nasional", "provinsi", "kabupaten")


@st.cache_data(max_entries=4, show_spinner=False)
def _shapes(reference: int, zoom: str) -> dict[int, gpd.GeoDataFrame]:
    """Every stored boundary of levels 0–3 simplified for `zoom` ("nasional" ~1 km, "provinsi" ~200 m)."""
    con = get_con()
    out = {0: boundary_frame(con, level=0, zoom="nasional")}
    for level in (1, 2, 3):
        out[level] = boundary_frame(con, level=level, zoom=zoom)
    return out


@st.cache_data(max_entries=4, show_spinner=False)
def _profiles_and_names(reference: int) -> tuple[pl.DataFrame, dict[str, str]]:
    con = get_con()
    regions = boundaries.region_points(con)
    return reads.posyandu_profiles(con), dict(zip(regions["code"], regions["name"], strict=True))


def ensure_cells_once(kab_codes: list[str]) -> bool:
    """Draw the illustrative cells of kabupaten shown without any (`geo.real_store.ensure_cells`), trying each
    kabupaten once a session (one without desa points gets none, and must not be tried on every rerun)."""
    tried = st.session_state.setdefault("peta.cells_tried", set())
    todo = [k for k in kab_codes if k not in tried]
    if not todo:
        return False
    tried.update(todo)
    with st.spinner(tr("geo_drawing_cells")):
        return ensure_cells(get_con(), todo) > 0


@st.cache_data(max_entries=4, show_spinner=False)
def _stats(reference: int) -> pl.DataFrame:
    return page_reads.region_stats(get_con())


@st.cache_data(max_entries=16, show_spinner=False)
def _competition_name(version: tuple[int, int], cid: str) -> str:
    comp = reads.competition(get_con(), cid)
    return comp["name"] if comp else cid


@st.cache_data(max_entries=4, show_spinner=False)
def _flags(reference: int) -> pl.DataFrame:
    return flag_posyandu(get_con())


@st.cache_data(max_entries=16, show_spinner=False)
def _png(version: tuple[int, int], cid: str, stage: str | None, region: str | None, level: str, measure: str, lang: str,
         title: str, _table: pl.DataFrame, _points: pl.DataFrame) -> bytes:
    return static_map_png(get_con(), _table, _points, level=level, measure=measure, lang=lang, title=title)


def _cut(shapes: dict[int, gpd.GeoDataFrame], kab_codes: list[str], scope: str) -> dict[int, gpd.GeoDataFrame]:
    """The boundaries of the area shown. National: every province and kabupaten/kota (the view is the country);
    province: the provinces of the entrants with all their kabupaten/kota, and the neighbouring land as context;
    kabupaten: the entrants' kabupaten/kota. Kecamatan cells only where entrants are."""
    provs = sorted({c[:2] for c in kab_codes})
    out: dict[int, gpd.GeoDataFrame] = {}
    kab = shapes[2]
    if scope == "nasional":
        out[1], out[2] = shapes[1], kab
        out[0] = shapes[0].iloc[0:0]      # the provinces are the whole country: no outline under them
    else:
        out[1] = shapes[1][shapes[1]["code"].isin(provs)]
        # The country is context around the provinces: clip it to their box plus ~1° so Java's or Borneo's
        # neighbouring land shows without shipping all 17,000 islands to the browser.
        minx, miny, maxx, maxy = out[1].total_bounds if len(out[1]) else (94.5, -11.5, 141.5, 6.5)
        out[0] = shapes[0].clip(box(minx - 1, miny - 1, maxx + 1, maxy + 1)) if len(shapes[0]) else shapes[0]
        within = pd.Series(kab["code"].str[:2]).isin(provs) if scope == "provinsi" else \
            pd.Series(kab["code"]).isin(kab_codes)
        out[2] = kab[within.to_numpy()] if len(kab) else kab
    kec = shapes[3]
    out[3] = kec[pd.Series(kec["code"].str[:5]).isin(kab_codes).to_numpy()] if len(kec) else kec
    return out


def _picked_region(event: object) -> str | None:
    """The region code a click on the choropleth selected (a GeoJSON feature, or its properties), or None."""
    try:
        objects = event.selection.get("objects") or {}  # type: ignore[attr-defined]
        picked = objects.get("choropleth") or []
        if not picked:
            return None
        obj = picked[0]
        return str((obj.get("properties") or obj)["code"])
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def _region_panel(table: pl.DataFrame, level: str, code: str, cid: str, names: dict[str, str]) -> bool:
    """The summary a click on a kecamatan or kabupaten opens, with a button to compare it on Bandingkan; False
    when no entrant of this view lies in `code`."""
    info = region_summary(table, level, code)
    if info is None:
        return False
    with st.container(border=True, key="peta_region_panel"):
        st.subheader(tr("geo_region_title", level=tr(f"level_{level}"), name=info["name"] or names.get(code, code)))
        m1, m2, m3 = st.columns(3)
        m1.metric(tr("geo_region_entrants"), fmt_int(info["n"], L))
        m2.metric(tr("geo_region_average"), fmt_number(info["total"], 1, L))
        best = info["best"]
        m3.metric(tr("geo_region_best"), best["name"] or "–",
                  help=tr("geo_region_best_help", desa=best["desa"] or "", total=fmt_number(best["total"], 1, L),
                          rank=best["rank"] if best["rank"] is not None else "–"))
        if info["fields"]:
            st.dataframe(pd.DataFrame({tr("geo_region_field"): [measure_label(f"sec_{f}", L) for f in info["fields"]],
                                       tr("geo_region_field_average"): [fmt_number(v, 1, L)
                                                                        for v in info["fields"].values()]}),
                         hide_index=True, key="peta_region_fields")
        mine = _stats(reference_version()).filter(pl.col("code") == code)
        if mine.height:                 # what the office publishes for this region (imported on Data)
            st.caption(tr("geo_region_stats"))
            st.dataframe(pd.DataFrame({tr("exchange_stats_col_measure"): mine["label"].to_list(),
                                       tr("exchange_stats_col_year"): [str(y) for y in mine["year"]],
                                       tr("exchange_stats_col_value"): [
                                           fmt_number(v, 0 if float(v).is_integer() else 1, L)
                                           for v in mine["value"]]}), hide_index=True, key="peta_region_stats")
        b1, b2 = st.columns(2)
        if b1.button(tr("geo_region_compare"), key="peta_region_compare", icon=":material/compare_arrows:"):
            st.switch_page("pages/bandingkan.py", query_params={
                "competition": cid, "by": level, "compare": ",".join(compare_with(table, level, code))})
        if best["posyandu_id"] and b2.button(tr("geo_region_open_best", name=best["name"] or ""),
                                             key="peta_region_best"):
            st.switch_page("pages/profil.py", query_params={"posyandu": best["posyandu_id"], "competition": cid})
    return True


ctx = sidebar_context()
L = ctx.lang
# A click on a posyandu reruns this page: open its profile at once, before the map is built again (the rebuild
# cost seconds of the 25-30 s a click took to open a profile).
# The list under the map opens a profile the same way (a click on a dot can be lost: deck.gl counts a press held
# longer than 250 ms as no click, and Streamlit ignores clicks while its connection is re-established).
_clicked = picked_posyandu(st.session_state.get("peta_map"), LAYER_POSYANDU) or \
    st.session_state.pop("peta_open_profile", None)
if _clicked and ctx.competition_id:
    st.switch_page("pages/profil.py", query_params={"posyandu": _clicked, "competition": ctx.competition_id})
st.title(tr("geo_page_title"))
st.caption(tr("geo_page_caption"))
if ctx.competition_id is None:
    st.info(tr("geo_no_competition"))
    st.stop()
table = filter_table(cached.results_table(ctx.competition_id, ctx.stage), ctx.region_code)   # published once final
if table.height == 0:
    st.info(tr("geo_no_results"))
    st.stop()
if table["total"].null_count() == table.height:
    st.info(tr("empty_no_scores"))
reference, version = reference_version(), result_version(ctx.competition_id)
viewer = current_user()
profiles, names = _profiles_and_names(reference)
profiles = access.redact(profiles, viewer)   # contact, phone and registration number only for who may see them
sections = [c for c in table.columns if c.startswith("sec_")]

kab_codes = sorted(table[LEVEL_CODE_COLUMN["kabupaten"]].drop_nulls().unique().to_list())
# The scope opens where the entrants are: one kabupaten, or the province(s) of several.
default_scope = "kabupaten" if len(kab_codes) <= 1 else "provinsi"
c0, c1, c2, c3 = st.columns(4)
size_labels = {"equal": t("geo_size_equal", L), "kader_total": t("geo_size_kader", L), "total": t("geo_total", L)}
level_labels = {v: t(f"level_{v}", L) for v in ("kecamatan", "kabupaten")}
labels = ("geo_layer_points", "geo_layer_choropleth", "geo_layer_kecamatan", "geo_layer_kabupaten",
          "geo_layer_province")
# Every option of the map is in the link (ui.context.choice_from_url / choice_to_url), so a shared link opens it.
LINKED = (("scope", "peta_scope", default_scope, list(SCOPES)),
          ("measure", "peta_measure", "total", ["total", *sections]),
          ("size", "peta_size", "equal", list(size_labels)),
          ("map_level", "peta_level", "kecamatan", list(level_labels)),
          *((k.removeprefix("geo_layer_"), f"peta_{k}", True, None) for k in labels))
for param, key, default, options in LINKED:
    choice_from_url(param, key, default, options)
# Options are stable values; the labels come from format_func with the language bound now, because Streamlit (and
# AppTest) may call it outside this run, where the session's language is not readable.
scope = c0.selectbox(tr("geo_scope"), list(SCOPES), key="peta_scope",
                     format_func=lambda v, lang=L: t(f"geo_scope_{v}", lang))
measure = c1.selectbox(tr("geo_colour_by"), ["total", *sections], key="peta_measure",
                       format_func=lambda m, lang=L: measure_label(m, lang))
size_by = c2.selectbox(tr("geo_size_by"), list(size_labels), key="peta_size", format_func=size_labels.__getitem__)
level = c3.selectbox(tr("geo_choropleth_level"), list(level_labels), key="peta_level",
                     format_func=level_labels.__getitem__)
# A regional statistic imported on Data (posyandu aktif per kecamatan, …) can colour the regions instead (#18).
level_no = 3 if level == "kecamatan" else 2
here = _stats(reference).filter((pl.col("level") == level_no) & pl.col("code").str.slice(0, 5).is_in(kab_codes))
stat_options = {"": tr("geo_stat_none")} | {
    f"{m}@{y}": tr("geo_stat_option", label=lb, year=y)
    for m, y, lb in here.select("measure", "year", "label").unique(maintain_order=True).iter_rows()}
stat = ""
if len(stat_options) > 1:
    choice_from_url("stat", "peta_stat", "", list(stat_options))
    stat = st.selectbox(tr("geo_stat_pick"), list(stat_options), key="peta_stat", format_func=stat_options.get,
                        help=tr("geo_stat_help")) or ""
    choice_to_url("stat", "peta_stat", "")
stat_rows = None
if stat:
    m, y = stat.rsplit("@", 1)
    stat_rows = here.filter((pl.col("measure") == m) & (pl.col("year") == int(y)))
toggles = st.columns(5)
shown = [col.toggle(tr(k), key=f"peta_{k}") for col, k in zip(toggles, labels, strict=True)]
for param, key, default, _ in LINKED:
    choice_to_url(param, key, default)
opts = MapOptions(measure, size_by, level, *shown[:2], show_kecamatan=shown[2], show_kabupaten=shown[3],
                  show_province=shown[4], national=scope == "nasional")

zoom = "nasional" if scope == "nasional" else "provinsi"
with_cells = set(_shapes(reference, zoom)[3]["code"].str[:5])
if (bare := [k for k in kab_codes if k not in with_cells]) and ensure_cells_once(bare):
    reference = reference_version()     # a committee's own store: its kabupaten got their kecamatan cells
shapes = _cut(_shapes(reference, zoom), kab_codes, scope)
view_key = (ctx.competition_id, ctx.region_code, scope)
saved = st.session_state.get("peta.view")
view = saved[1] if saved and saved[0] == view_key else None
mv = build_map(table, profiles, shapes, names, opts, L, view, stats=stat_rows)
if view is None:  # first view of this competition/region: keep it so reruns (toggles, clicks) do not reset it
    vs = mv.deck.initial_view_state
    st.session_state["peta.view"] = (view_key, {"latitude": vs.latitude, "longitude": vs.longitude,
                                                "zoom": vs.zoom})

event = st.pydeck_chart(mv.deck, on_select="rerun", selection_mode="single-object", key="peta_map", height=560)
picked = (event.selection.get("objects") or {}).get(LAYER_POSYANDU) if event and event.selection else None
if picked:
    st.switch_page("pages/profil.py", query_params={"posyandu": picked[0]["posyandu_id"],
                                                    "competition": ctx.competition_id})
# Always there beside the map: every posyandu in view by name, which opens its profile like a click on its dot.
_listed = table.sort("posyandu_name")
_names = dict(zip(_listed["posyandu_id"].to_list(),
                  (_listed["posyandu_name"] + " · " + _listed["desa_name"].fill_null("")).to_list(), strict=True))
st.selectbox(tr("integrity_map_open_profile"), list(_names), index=None, key="peta_open_profile",
             placeholder=tr("integrity_map_open_placeholder"), help=tr("integrity_map_open_help"),
             format_func=_names.get)
# A click on a kecamatan or kabupaten of the choropleth opens its summary; the region is in the link (?area=).
area = _picked_region(event)
if area is not None:
    st.query_params["area"] = area
area = st.query_params.get("area")
if opts.show_choropleth and not (area and _region_panel(table, level, area, ctx.competition_id, names)):
    st.caption(tr("geo_region_hint", level=tr(f"level_{level}").lower()))

label = measure_label(measure, L)
legend = [f"**{tr('geo_legend_title')}**",
          tr("geo_legend_hex", count=fmt_int(mv.n_points, L), measure=label) if mv.aggregated
          else tr("geo_legend_points", measure=label)]
if stat_rows is not None and opts.show_choropleth:
    low, high = stat_rows["value"].min(), stat_rows["value"].max()
    legend.append(tr("geo_legend_stat", label=plain_html(stat_rows["label"][0]), year=stat_rows["year"][0],
                     low=fmt_number(low, 0, L), high=fmt_number(high, 0, L), n=fmt_int(stat_rows.height, L)))
if measure == "total":
    bands = score_bands()
    for (low, high), colour, key in zip(bands.ranges(), bands.colours, bands.label_keys, strict=True):
        swatch = f"<span style='display:inline-block;width:14px;height:14px;background:{colour};" \
                 "border:1px solid #555;vertical-align:middle'></span>"
        legend.append(swatch + " " + tr("geo_legend_band", label=tr(key), low=fmt_number(low or 0, 0, L),
                                        high=fmt_number(high if high is not None else 100, 0, L)))
else:
    legend.append(tr("geo_legend_field_ramp", field=label))
if mv.illustrative:
    legend.append("⚠️ " + tr("geo_legend_illustrative"))
for source in mv.sources:
    legend.append(tr("geo_legend_province_source", source=plain_html(source)))   # st.html below: escape
if mv.approx_province:
    legend.append(tr("geo_legend_approx_province"))
at_desa = profiles.filter(pl.col("at_desa_point") & pl.col("posyandu_id").is_in(table["posyandu_id"].implode())).height
if at_desa:
    legend.append(tr("geo_legend_at_desa_point", n=fmt_int(at_desa, L)))
st.html("<div style='font-size:0.9rem;line-height:1.5'>" + "<br/>".join(
    s.replace("**", "<b>", 1).replace("**", "</b>", 1) for s in legend) + "</div>")
st.caption(tr("geo_payload", size=f"{fmt_number(payload_bytes(mv.deck) / 1e6, 2, L)} MB",
              count=fmt_int(mv.n_points, L)))

d1, d2, d3 = st.columns(3)
# Built on click (not on every draw of the map), the regions file with a store cursor of its own.
file_download(d1, tr("geo_download_points"), lambda: points_geojson(table, profiles, viewer),
              file_name="posyandu.geojson", mime="application/geo+json", key="peta_dl_points")
store_download(d2, tr("geo_download_regions"), lambda c: regions_geojson(c, table, level, measure),
               file_name=f"{level}.geojson", mime="application/geo+json", key="peta_dl_regions")
title = tr("geo_png_title", competition=_competition_name(version, ctx.competition_id), measure=label, level=tr(f"level_{level}"))
file_download(d3, tr("geo_download_png"), lambda: _png(version, ctx.competition_id, ctx.stage, ctx.region_code, level,
                                                       measure, L, title, table, profiles),
              file_name="peta.png", mime="image/png", key="peta_dl_png")

flags = _flags(reference)
ids = set(table["posyandu_id"].to_list())
flags = flags.filter(pl.col("posyandu_id").is_in(list(ids)))
with st.expander(tr("geo_flagged_title", count=fmt_int(flags.height, L))):
    if flags.height == 0:
        st.success(tr("geo_flagged_none"))
    else:
        dataframe(flags.with_columns(pl.col("reason").map_elements(
            lambda k: tr(k, desa=""), return_dtype=pl.String)), hide_index=True)

"""Data: the import wizard (template → upload → problems or preview → write all or nothing), the documents
to download (rekapitulasi, berita acara, scorecards, every table) and backup / restore of the whole store."""

from __future__ import annotations

import streamlit as st

from data import access
from data.exchange.backup import export_tables, make_backup, restore_backup
from data.exchange.exports import export_for
from data.exchange.exports.berita_acara import berita_acara_pdf
from data.exchange.exports.recap_xlsx import recap_workbook
from data.exchange.exports.scorecard import scorecard_pdf
from data.exchange.imports import IMPORTERS, SCOPES, validate_file, write_plan
from data.exchange.imports.common import file_sha256
from data.exchange.imports.reader import MAX_BYTES
from data.exchange.templates import import_template, score_template
from data.store import reads
from geo import upload as boundaries
from present.fmt import fmt_int, fmt_number
from present.i18n import t
from present.previews import import_preview
from ui.auth import require_role
from ui.context import COMBINED, lang, sidebar_context, tr
from ui.downloads import XLSX, file_download, store_download
from ui.state import get_con, store_version
from ui.tables import dataframe, problems_table
from ui.uploads import file_upload

ctx = sidebar_context(show_region=False)
user = require_role(["panitia", "pembina"])
con = get_con()
L = lang()
st.title(tr("exchange_page_title"))
if ctx.competition_id is None:
    st.stop()
cid = ctx.competition_id
stages = reads.stages_frame(con, cid)["stage"].to_list()
is_panitia = user.role == "panitia"
names = [tr("exchange_tab_import"), tr("exchange_tab_export"), tr("exchange_tab_backup")] if is_panitia \
    else [tr("exchange_tab_export")]
tabs = dict(zip(["import", "export", "backup"] if is_panitia else ["export"], st.tabs(names), strict=True))


def _stage_label(s: str) -> str:
    # format functions read the language captured here, not the session (AppTest re-runs them outside the page)
    return t("stage_combined" if s == COMBINED else f"stage_{s}", L)


def _boundary_wizard(scope_code: str | None) -> None:
    """Boundaries go through geo/: read and match (nothing written), show problems, then save all or nothing."""
    st.caption(tr("exchange_help_boundaries"))
    level = st.selectbox(tr("level"), [2, 3, 4], index=2, key="ex.geo_level",
                         format_func=lambda v: t(f"exchange_geo_level_{v}", L))
    upload = file_upload(st, tr("exchange_upload_geo"), types=boundaries.EXTENSIONS, max_mb=200, key="ex.geo_file")
    if upload is None:
        return
    load = boundaries.read_boundary_upload(upload.getvalue(), upload.name, level, scope_code)
    if load.problems:
        (st.warning if load.ok else st.error)(tr("exchange_n_problems_geo", n=fmt_int(len(load.problems), L)))
        problems_table(load.problems)
    if load.ok:
        st.metric(tr("exchange_geo_matched"), fmt_int(len(load.matched), L))
        if st.button(tr("exchange_write"), type="primary", key="ex.geo_write"):
            st.success(tr("exchange_geo_done", n=fmt_int(boundaries.write_boundary_upload(con, load), L)))


def _stats_wizard(scope_code: str) -> None:
    """A published regional statistics table → every problem, or the regions × measures it holds → save all."""
    import datetime as dt

    import polars as pl

    from data import regions
    from data.exchange.imports import region_stats

    st.caption(tr("exchange_help_region_stats"))
    st.caption(tr("exchange_stats_scope", region=regions.region_label(scope_code, con) if scope_code else "Indonesia"))
    year = int(st.number_input(tr("exchange_stats_year"), 2000, dt.date.today().year + 1, dt.date.today().year - 1,
                               key="ex.stats_year"))
    upload = file_upload(st, tr("exchange_upload"), types=["xlsx", "csv"], max_mb=MAX_BYTES // (1024 * 1024),
                         key="ex.file.region_stats", help=tr("safety_upload_help", max_mb=MAX_BYTES // (1024 * 1024)))
    if upload is None:
        return
    plan = region_stats.validate(con, upload.getvalue(), upload.name, scope_code, year)
    if plan.problems:
        st.error(tr("exchange_n_problems", n=fmt_int(len(plan.problems), L)))
        problems_table(plan.problems)
        return
    if plan.already_imported:
        st.info(tr("exchange_already_imported"))
        return
    rows = plan.frames["region_stats"]
    st.success(tr("exchange_stats_rows", regions=fmt_int(rows["code"].n_unique(), L),
                  measures=fmt_int(rows["measure"].n_unique(), L)))
    dataframe(rows.select(
        pl.col("code").map_elements(lambda c: regions.region_label(c, con), return_dtype=pl.String)
        .alias(tr("exchange_stats_col_region")),
        pl.col("year").alias(tr("exchange_stats_col_year")), pl.col("label").alias(tr("exchange_stats_col_measure")),
        pl.col("value").map_elements(lambda v: fmt_number(v, 0 if float(v).is_integer() else 2, L),
                                     return_dtype=pl.String).alias(tr("exchange_stats_col_value"))),
        hide_index=True, key="ex.stats_preview")
    if st.button(tr("exchange_write"), type="primary", key="ex.stats_write"):
        result = write_plan(con, plan, actor=user.username)
        st.success(tr("exchange_done", new=fmt_int(result.rows_new, L), updated=fmt_int(result.rows_updated, L)))


def _table_wizard(kind: str) -> None:
    """Template → upload → every problem, or a preview → write all or nothing with a progress bar."""
    scope: dict[str, str] = {}
    if "competition_id" in SCOPES[kind]:
        scope["competition_id"] = cid
    if "stage" in SCOPES[kind]:
        scope["stage"] = st.selectbox(tr("stage"), stages, key="ex.stage", format_func=_stage_label,
                                      index=stages.index(ctx.stage) if ctx.stage in stages else 0)
    st.caption(tr(f"exchange_help_{kind}"))
    tpl = {"key": "ex.tpl", "mime": XLSX, "icon": ":material/download:", "file_name": f"templat_{kind}.xlsx"}
    if kind == "scores":
        store_download(st, tr("exchange_template"), lambda c: score_template(c, cid, scope["stage"], L), **tpl)
    else:
        file_download(st, tr("exchange_template"), lambda: import_template(kind, L), **tpl)
    upload = file_upload(st, tr("exchange_upload"), types=["xlsx", "csv"], max_mb=MAX_BYTES // (1024 * 1024),
                         key=f"ex.file.{kind}", help=tr("safety_upload_help", max_mb=MAX_BYTES // (1024 * 1024)))
    if upload is not None:
        data = upload.getvalue()
        plan_key = (kind, file_sha256(data), tuple(sorted(scope.items())), store_version())
        if st.session_state.get("ex.plan_key") != plan_key:
            with st.spinner(tr("exchange_validating")):
                st.session_state["ex.plan"] = validate_file(con, kind, data, upload.name, **scope)
            st.session_state["ex.plan_key"] = plan_key
        plan = st.session_state["ex.plan"]
        if plan.problems:
            st.error(tr("exchange_n_problems", n=fmt_int(len(plan.problems), L)))
            problems_table(plan.problems)
        elif plan.already_imported:
            st.info(tr("exchange_already_imported"))
        else:
            if plan.warnings:
                st.warning(tr("integrity_n_warnings", n=fmt_int(len(plan.warnings), L)))
                problems_table(plan.warnings)
            c = st.columns(3, wrap=True)
            c[0].metric(tr("exchange_rows_new"), fmt_int(plan.rows_new, L))
            c[1].metric(tr("exchange_rows_updated"), fmt_int(plan.rows_updated, L))
            c[2].metric(tr("exchange_rows_unchanged"), fmt_int(plan.rows_unchanged, L))
            st.caption(tr("exchange_preview", n=fmt_int(min(plan.rows_total, 50), L),
                          total=fmt_int(plan.rows_total, L)))
            dataframe(import_preview(plan.preview(50), L), hide_index=True, width="stretch")
            if st.button(tr("exchange_write"), type="primary", key="ex.write"):
                bar = st.progress(0.0, text=tr("exchange_writing"))

                def progress(done: int, total: int) -> None:
                    bar.progress(done / total if total else 1.0,
                                 text=tr("exchange_written", done=fmt_int(done, L), total=fmt_int(total, L)))

                result = write_plan(con, plan, progress=progress, actor=user.username)
                st.session_state.pop("ex.plan_key", None)
                st.success(tr("exchange_done", new=fmt_int(result.rows_new, L),
                              updated=fmt_int(result.rows_updated, L)))


if "import" in tabs:
    with tabs["import"]:
        kind = st.selectbox(tr("exchange_what"), [*IMPORTERS, boundaries.KIND, "region_stats"], key="ex.kind",
                            format_func=lambda k: t(f"exchange_import_{k}", L))
        if kind == boundaries.KIND:
            _boundary_wizard(ctx.scope_code)
        elif kind == "region_stats":
            _stats_wizard(ctx.scope_code or "")
        else:
            _table_wizard(kind)


def _documents() -> None:
    """Rekap, berita acara and scorecards, as this user may take them (`export_for`: a pembina's hold only the
    entrants of their region)."""
    entrants = reads.entrants_frame(con, cid).sort("posyandu_name")
    if user.role == "pembina":
        entrants = entrants.filter(access.in_region_expr("desa_code", user.region_code or "\x00").fill_null(False))
        if entrants.height == 0:
            st.info(tr("integrity2_no_entrant_in_region", region=user.region_code))
            return
        st.caption(tr("integrity2_extract_note", region=user.region_code))
    choice = st.selectbox(tr("stage"), [COMBINED, *stages], key="ex.export_stage", format_func=_stage_label)
    stage = None if choice == COMBINED else choice
    base = f"{cid}_{choice}"
    c = st.columns(2, wrap=True)
    # Built on click with their own cursor (ui.downloads): never the session's, which the page is using.
    store_download(c[0], tr("exchange_recap"), lambda cur: recap_workbook(export_for(cur, user, cid, stage, L), L),
                   key="ex.recap", mime=XLSX, icon=":material/table_view:", file_name=f"rekapitulasi_{base}.xlsx")
    store_download(c[1], tr("exchange_berita_acara"),
                   lambda cur: berita_acara_pdf(export_for(cur, user, cid, stage, L), L),
                   key="ex.ba", mime="application/pdf", icon=":material/picture_as_pdf:",
                   file_name=f"berita_acara_{base}.pdf")
    labels = dict(zip(entrants["entrant_id"], entrants["posyandu_name"], strict=True))
    picked = st.selectbox(tr("exchange_scorecard_for"), list(labels), format_func=labels.get, key="ex.card")
    if picked:
        store_download(st, tr("exchange_scorecard"),
                       lambda cur: scorecard_pdf(export_for(cur, user, cid, stage, L), picked, L), key="ex.sc",
                       mime="application/pdf", icon=":material/badge:", file_name=f"kartu_nilai_{picked}.pdf")


with tabs["export"]:
    _documents()
    if access.can_download_raw_tables(user):     # raw tables hold phones and names
        c = st.columns(2, wrap=True)
        store_download(c[0], tr("exchange_tables_csv"), lambda cur: export_tables(cur, "csv"), key="ex.csv",
                       mime="application/zip", file_name="tabel_csv.zip")
        store_download(c[1], tr("exchange_tables_parquet"), lambda cur: export_tables(cur, "parquet"),
                       key="ex.parquet", mime="application/zip", file_name="tabel_parquet.zip")

if "backup" in tabs:
    with tabs["backup"]:
        st.caption(tr("exchange_backup_help"))
        store_download(st, tr("exchange_backup_make"), make_backup, key="ex.backup", mime="application/zip",
                       icon=":material/backup:", file_name="cadangan_posyandu.zip")
        restore = file_upload(st, tr("exchange_restore_upload"), types=["zip"], max_mb=1024, key="ex.restore")
        sure = st.checkbox(tr("exchange_restore_confirm"), key="ex.restore_sure")
        if restore is not None and st.button(tr("exchange_restore"), disabled=not sure, key="ex.restore_go"):
            with st.spinner(tr("exchange_restoring")):
                outcome = restore_backup(con, restore.getvalue(), restore.name, actor=user.username)
            if outcome.restored:
                st.cache_data.clear()
                st.success(tr("exchange_restored", tables=fmt_int(outcome.tables, L), rows=fmt_int(outcome.rows, L)))
            else:
                problems_table(outcome.problems)

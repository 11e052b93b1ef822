"""AppTest over the leader pages on the demo store: beranda, peringkat, profil.

Each test names what a TP PKK / TP Posyandu leader would lose if it failed. The sidebar context is restored from
query parameters (deep links), so tests set `at.query_params` before the first run.
"""

from __future__ import annotations

import polars as pl
import streamlit
from streamlit.testing.v1 import AppTest

from scoring.fields import SPM_FIELDS
from tests.pages_support import COMP, page


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)




def test_beranda_shows_entrants_progress_awards_and_last_year(demo_env, league):
    at = page("beranda")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Beranda lomba"
    assert metric(at, "Peserta") == str(league.height)
    assert metric(at, "Juara I") == f"{league.filter(pl.col('award') == 'Juara I')['total'][0]:.2f}".replace(".", ",")
    assert any("Perubahan sejak tahun lalu" == h.value for h in at.subheader)
    assert not any("Belum ada lomba yang sama" in i.value for i in at.info)


def test_region_filter_narrows_the_overview(demo_env, league):
    kec = league["kecamatan_code"].value_counts(sort=True)["kecamatan_code"][0]
    at = page("beranda", region=kec)
    assert not at.exception
    assert metric(at, "Peserta") == str(league.filter(pl.col("kecamatan_code") == kec).height)


def test_language_switch_translates_the_overview(demo_env):
    at = page("beranda")
    at.sidebar.selectbox(key="w.ctx.lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Competition overview"
    assert "Entrants" in [m.label for m in at.metric]


def test_peringkat_scorecard_lists_every_entrant_in_rank_order(demo_env, league):
    at = page("peringkat")
    assert not at.exception, [e.value for e in at.exception]
    df = at.dataframe[0].value
    assert len(df) == league.height
    assert df["posyandu_id"].iloc[0] == league.sort("rank_final")["posyandu_id"][0]
    assert {"Kesehatan", "Kelembagaan", "Nilai akhir", "Strata", "Penghargaan"} <= set(df.columns)
    assert any("Sangat baik" in h.proto.body for h in at.get("html"))       # the band legend
    interval = df["Rentang peringkat 90 %"].iloc[0]                         # e.g. "1–4": contains the rank
    lo, hi = (int(x) for x in interval.split("–"))
    assert lo <= 1 <= hi and 0 <= df["Peluang 3 besar (%)"].iloc[0] <= 100


def test_peringkat_filters_change_the_rows(demo_env, league):
    at = page("peringkat")
    strata = league["strata"].drop_nulls()[0]
    at.multiselect(key="peringkat_strata").set_value([strata]).run()
    assert len(at.dataframe[0].value) == league.filter(pl.col("strata") == strata).height
    at.multiselect(key="peringkat_strata").set_value([]).run()
    at.selectbox(key="peringkat_field").set_value("sosial").run()
    at.slider(key="peringkat_min").set_value(80).run()
    df = at.dataframe[0].value
    assert len(df) == league.filter(pl.col("sec_sosial") >= 80).height
    assert list(df["Sosial"]) == sorted(df["Sosial"], reverse=True)


def test_selecting_a_ranking_row_opens_that_posyandu(demo_env, league, monkeypatch):
    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr(streamlit, "switch_page", lambda p, query_params=None: calls.append((p, query_params)))
    at = page("peringkat")
    at.session_state["peringkat_table"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    third = league.sort("rank_final")["posyandu_id"][2]
    # The real st.switch_page ends the run at its first call; the stand-in returns, so only the first counts.
    assert calls[0] == ("pages/profil.py", {"posyandu": third, "competition": COMP})


def test_profil_deep_link_restores_the_posyandu_and_its_details(demo_env, league):
    row = league.sort("rank_final").row(3, named=True)
    at = page("profil", posyandu=row["posyandu_id"])
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == f"Posyandu {row['posyandu_name']}"
    assert at.selectbox(key="profil_posyandu").value == row["posyandu_id"]
    assert metric(at, "Peringkat").startswith(f"{row['rank_final']} /")
    assert len(at.tabs) == 8                                              # six fields + kelembagaan + inovasi
    assert at.query_params["posyandu"] == [row["posyandu_id"]] or at.query_params["posyandu"] == row["posyandu_id"]


def test_profil_in_english_and_picking_another_posyandu_updates_the_link(demo_env, league):
    first, other = league.sort("rank_final")["posyandu_id"][:2]
    at = page("profil", posyandu=first, lang="en")
    assert not at.exception
    assert "Fix first" in [h.value for h in at.subheader]
    at.selectbox(key="profil_posyandu").set_value(other).run()
    assert not at.exception
    assert str(at.query_params["posyandu"]).strip("[]'") == other


def test_profil_points_to_stronger_similar_posyandu_in_its_weakest_fields(demo_env, league):
    row = league.sort("rank_final").row(league.height - 1, named=True)     # the last place has most to learn
    at = page("profil", posyandu=row["posyandu_id"])
    assert not at.exception, [e.value for e in at.exception]
    assert "Posyandu serupa" in [h.value for h in at.subheader]
    links = [m.value for m in at.markdown if "profil?posyandu=" in m.value]
    assert links, "no peer links on the profile of the last-placed posyandu"
    linked = {part.split("&")[0] for text in links for part in text.split("profil?posyandu=")[1:]}
    assert row["posyandu_id"] not in linked
    weakest = min((f for f in SPM_FIELDS if row[f"sec_{f}"] is not None), key=lambda f: row[f"sec_{f}"])
    peers = league.filter(pl.col("posyandu_id").is_in(list(linked)))
    assert (peers[f"sec_{weakest}"] > row[f"sec_{weakest}"]).any()     # someone to learn the weakest field from

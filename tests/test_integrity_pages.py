"""Judging integrity and privacy on the result pages (issue 13, findings 1, 2 and 11), through AppTest on a copy
of the demo store. In the demo, the 2026 Banten provinsi contest (LP2026-PROV-36) has its lapangan stage open:
juri1 (J-36-09, "Asep") is still scoring Posyandu Jeruk there, with co-judges J-36-01, J-36-04 (and J-36-07,
J-36-12 in the administrasi stage)."""

from __future__ import annotations

import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data import store
from data.judging import publication
from tests.pages_support import page, sign_in

OPEN = "LP2026-PROV-36"
FINAL = "LP2026-KAB-36.02"
BANJAR = "LP2026-KAB-63.03"
JERUK = "PY360218201001"                  # Posyandu Jeruk, Desa Pasar Keong
PHONE = re.compile(r"\b08\d{2}-\d{4}-\d{3,4}\b")


def _text(at: AppTest) -> str:
    """Everything a user reads on the page: texts, metrics, every cell of every table."""
    parts = [str(e.value) for e in (*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.info,
                                    *at.error, *at.warning, *at.success)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        value = df.value
        parts.append(value.to_csv() if hasattr(value, "to_csv") else str(value))
    return "\n".join(parts)


def _co_judges(con) -> list[str]:
    return [r[0] for r in con.sql(
        "SELECT DISTINCT j.name FROM assignments a JOIN judges j USING (judge_id) WHERE a.competition_id = ? "
        "AND a.judge_id <> 'J-36-09'", params=[OPEN]).fetchall()]


def _live_total(con, entrant_id: str) -> str:
    table, _ = publication.compute_results(con, OPEN, None)
    return f"{table.filter(pl.col('entrant_id') == entrant_id)['total'][0]:.2f}".replace(".", ",")


@pytest.mark.parametrize("name", ["profil", "beranda", "peringkat", "bandingkan", "praktik_baik", "juri", "peta"])
def test_a_judge_deep_linking_to_the_contest_they_score_sees_none_of_it(demo_app, name) -> None:
    at = page(name, token=sign_in(demo_app, "juri1"), competition=OPEN, posyandu=JERUK)
    assert not at.exception, at.exception
    assert at.selectbox(key="w.ctx.competition").value != OPEN
    text = _text(at)
    for judge in _co_judges(demo_app):
        assert judge not in text, f"{name} shows co-judge {judge}"
    assert _live_total(demo_app, "E01247") not in text          # Jeruk's live total in the open contest
    if name != "juri":
        assert "belum ditetapkan hasilnya" in text               # the link's contest is not final: said so


def test_a_judge_sees_judges_of_a_final_contest_as_numbers_not_names(demo_app) -> None:
    at = page("profil", token=sign_in(demo_app, "juri1"), competition=FINAL, posyandu=JERUK)
    assert not at.exception, at.exception
    judge_column = {v for df in at.dataframe if "Juri" in df.value.columns for v in df.value["Juri"]}
    assert judge_column and all(re.fullmatch(r"Juri \d+", v) for v in judge_column), judge_column
    names = {r[0] for r in demo_app.sql("SELECT name FROM judges").fetchall()}
    assert not names & judge_column


def test_a_pembina_sees_the_judges_by_name_in_their_region(demo_app) -> None:
    at = page("profil", token=sign_in(demo_app, "pembina-lebak"), competition=FINAL, posyandu=JERUK)
    assert not at.exception, at.exception
    shown = {v for df in at.dataframe if "Juri" in df.value.columns for v in df.value["Juri"]}
    names = {r[0] for r in demo_app.sql("SELECT name FROM judges").fetchall()}
    assert shown and shown <= names


def _history(at: AppTest) -> pl.DataFrame:
    df = next(d.value for d in at.dataframe if "Riwayat" not in d.value.columns and "Tahun" in d.value.columns)
    return pl.from_pandas(df)


def test_a_visitor_sees_no_history_line_of_a_contest_still_being_judged(demo_app) -> None:
    at = page("profil", competition=FINAL, posyandu=JERUK)
    assert not at.exception, at.exception
    history = _history(at)
    assert history.height >= 4                                    # 2025 kec/kab/prov, 2026 kec/kab
    assert "Provinsi Banten 2026" not in " ".join(history["Lomba"].to_list())
    assert not history.filter((pl.col("Tahun") == "2026") & (pl.col("Tingkat") == "Provinsi")).height
    staff = _history(page("profil", token=sign_in(demo_app, "panitia"), competition=FINAL, posyandu=JERUK))
    assert staff.filter((pl.col("Tahun") == "2026") & (pl.col("Tingkat") == "Provinsi")).height == 1


def test_a_visitor_profile_shows_no_phone_number_or_kader_name(demo_app) -> None:
    at = page("profil", competition=FINAL, posyandu=JERUK)
    text = _text(at)
    assert not PHONE.search(text)
    assert "Maya Mahmud" not in text                              # Jeruk's contact kader


@pytest.mark.parametrize(("who", "competition", "allowed"), [
    (None, FINAL, False), ("juri1", FINAL, False), ("pembina-lebak", FINAL, True),
    ("pembina-lebak", BANJAR, False), ("panitia", BANJAR, True),
])
def test_judge_quality_is_only_for_panitia_and_the_pembina_of_the_region(demo_app, who, competition,
                                                                         allowed) -> None:
    at = page("juri", token=sign_in(demo_app, who) if who else None, competition=competition)
    assert not at.exception, at.exception
    assert bool(at.metric) is allowed
    if not allowed:
        assert at.info and ("hanya dapat dilihat oleh panitia" in at.info[0].value
                            or "Juri tidak melihat" in at.info[0].value)
        judges = {r[0] for r in demo_app.sql("SELECT name FROM judges").fetchall()}
        assert not [j for j in judges if j in _text(at)]


def test_judge_quality_refusal_is_translated(demo_app) -> None:
    at = page("juri", competition=FINAL, lang="en")
    assert "Judge quality can only be viewed by the organisers" in at.info[0].value


def test_the_scoring_page_offers_a_judge_their_own_contests_only(demo_app) -> None:
    at = page("penilaian", token=sign_in(demo_app, "juri1"), competition=OPEN)
    assert not at.exception, at.exception
    assigned = {r[0] for r in demo_app.sql("SELECT DISTINCT competition_id FROM assignments "
                                           "WHERE judge_id = 'J-36-09'").fetchall()}
    offered = set(at.selectbox(key="w.ctx.competition").options)
    assert at.selectbox(key="w.ctx.competition").value == OPEN
    assert len(offered) == len(assigned)


def _rename(con, posyandu_id: str, name: str) -> None:
    with store.transaction(con):
        con.execute("UPDATE posyandu SET name = ? WHERE posyandu_id = ?", [name, posyandu_id])


def test_a_renamed_posyandu_keeps_its_published_name_on_public_pages(demo_app) -> None:
    from data.exchange.exports import export_data

    _rename(demo_app, JERUK, "Jeruk Manis")
    official = export_data(demo_app, FINAL).table                # what the berita acara prints
    assert "Jeruk Manis" not in official["posyandu_name"].to_list()
    at = page("peringkat", competition=FINAL)
    assert not at.exception, at.exception
    shown = pl.from_pandas(at.dataframe[0].value)
    assert "Jeruk Manis" not in " ".join(shown["Posyandu"].to_list())
    ranked = official.sort("rank_final")["posyandu_name"].to_list()
    assert shown["Posyandu"].to_list() == ranked                  # same names, same order as the document
    staff = pl.from_pandas(page("peringkat", token=sign_in(demo_app, "panitia"),
                                competition=FINAL).dataframe[0].value)
    assert staff["Posyandu"].to_list() == ranked                  # organisers read the same official table


def test_provisional_results_in_their_protest_window_stay_off_the_public_pages(demo_app) -> None:
    from data.judging.auth import get_user

    publication.finalise_stage(demo_app, get_user(demo_app, "panitia"), OPEN, "lapangan")   # provisional now
    contest = publication.read_contest(demo_app, OPEN)
    assert contest.final == {"administrasi": True, "lapangan": False}                # not declared final yet
    assert not publication.is_final(demo_app, OPEN)
    at = page("peringkat", competition=OPEN)
    assert not at.exception, at.exception
    assert OPEN not in at.selectbox(key="w.ctx.competition").options
    staff = page("peringkat", token=sign_in(demo_app, "panitia"), competition=OPEN)
    assert staff.selectbox(key="w.ctx.competition").value == OPEN

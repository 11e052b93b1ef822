"""A small contest built by hand for the judging tests, and checks that it is what the tests assume.

Kab. Lebak (36.02): Kec. Cibadak (36.02.18) with Desa Pasar Keong (.2010) and Desa Tambakbaya (.2011),
Kec. Cikulur (36.02.19) with Desa Sumurbandung (.2001); Kab. Pandeglang (36.01) with one desa.
Instrument "mini@1": kesehatan (KES_01, KES_02 choice; KES_03 nilai riil in %) and pendidikan (PDD_01 choice).
"""

from __future__ import annotations

import duckdb

from data import store
from data.judging import assignments, auth
from data.judging import forms as judging
from data.judging.auth import User

CID = "lebak-2026"
INSTRUMENT = "mini@1"
PANITIA = User("panitia", "panitia")
JURI1 = User("juri1", "juri", judge_id="J1")
JURI2 = User("juri2", "juri", judge_id="J2")
PEMBINA_LEBAK = User("pembina-lebak", "pembina", region_code="36.02")
PEMBINA_CIKULUR = User("pembina-cikulur", "pembina", region_code="36.02.19")
CRITERIA = ("KES_01", "KES_02", "KES_03", "PDD_01")


def build_contest(con: duckdb.DuckDBPyConnection) -> None:
    """Regions, posyandu, an instrument, a competition with two stages, entrants and judges (no assignments)."""
    with store.transaction(con):
        con.executemany("INSERT INTO regions (code, name, level, kind, parent_code) VALUES (?, ?, ?, ?, ?)", [
            ("36", "Banten", 1, "provinsi", None),
            ("36.02", "Lebak", 2, "kabupaten", "36"),
            ("36.01", "Pandeglang", 2, "kabupaten", "36"),
            ("36.02.18", "Cibadak", 3, "kecamatan", "36.02"),
            ("36.02.19", "Cikulur", 3, "kecamatan", "36.02"),
            ("36.01.01", "Sumur", 3, "kecamatan", "36.01"),
            ("36.02.18.2010", "Pasar Keong", 4, "desa", "36.02.18"),
            ("36.02.18.2011", "Tambakbaya", 4, "desa", "36.02.18"),
            ("36.02.19.2001", "Sumurbandung", 4, "desa", "36.02.19"),
            ("36.01.01.2001", "Tamanjaya", 4, "desa", "36.01.01"),
        ])
        con.executemany("INSERT INTO posyandu (posyandu_id, name, desa_code, contact_name, contact_phone) "
                        "VALUES (?, ?, ?, ?, ?)", [
                            ("P1", "Posyandu Jeruk", "36.02.18.2010", "Ibu Siti", "0812-1111-1111"),
                            ("P2", "Posyandu Mawar", "36.02.18.2011", "Ibu Ani", "0812-2222-2222"),
                            ("P3", "Posyandu Melati", "36.02.19.2001", "Ibu Rina", "0812-3333-3333"),
                            ("P4", "Posyandu Anggrek", "36.01.01.2001", "Ibu Dewi", "0812-4444-4444"),
                        ])
        con.execute("INSERT INTO instruments (instrument_id, code, version, title, layout, source_text) "
                    "VALUES (?, 'mini', 1, 'Mini', 'six_field', '')", [INSTRUMENT])
        con.executemany("INSERT INTO instrument_sections (instrument_id, section_id, ord, title, title_en, spm_field, weight) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (INSTRUMENT, "kesehatan", 0, "Kesehatan", "Health", "kesehatan", 60.0),
            (INSTRUMENT, "pendidikan", 1, "Pendidikan", "Education", "pendidikan", 40.0),
        ])
        con.executemany("INSERT INTO instrument_criteria (instrument_id, criterion_id, section_id, ord, text, kind, "
                        "unit, max_points, spm_field) VALUES (?, ?, ?, ?, ?, ?, ?, 4, ?)", [
                            (INSTRUMENT, "KES_01", "kesehatan", 0, "SK kader", "choice", None, "kesehatan"),
                            (INSTRUMENT, "KES_02", "kesehatan", 1, "Kunjungan rumah", "choice", None, "kesehatan"),
                            (INSTRUMENT, "KES_03", "kesehatan", 2, "Cakupan D/S", "real", "%", "kesehatan"),
                            (INSTRUMENT, "PDD_01", "pendidikan", 0, "Pojok baca", "choice", None, "pendidikan"),
                        ])
        for crit in ("KES_01", "KES_02", "PDD_01"):
            con.executemany("INSERT INTO instrument_options VALUES (?, ?, ?, ?, ?)",
                            [(INSTRUMENT, crit, code, f"{crit} pilihan {code}", pts)
                             for code, pts in (("a", 4.0), ("b", 3.0), ("c", 2.0), ("d", 1.0))])
        con.executemany("INSERT INTO instrument_thresholds VALUES (?, 'KES_03', ?, ?)",
                        [(INSTRUMENT, 0.0, 1.0), (INSTRUMENT, 50.0, 2.0), (INSTRUMENT, 70.0, 3.0),
                         (INSTRUMENT, 85.0, 4.0)])
        con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id) "
                    "VALUES (?, 'Lomba Posyandu Kab. Lebak 2026', 2026, 'kabupaten', '36.02', ?)", [CID, INSTRUMENT])
        con.executemany("INSERT INTO competition_stages (competition_id, stage, ord, weight) VALUES (?, ?, ?, ?)",
                        [(CID, "administrasi", 0, 40.0), (CID, "lapangan", 1, 60.0)])
        con.executemany("INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached) "
                        "VALUES (?, ?, ?, 'lapangan')", [("E1", CID, "P1"), ("E2", CID, "P2"), ("E3", CID, "P3"),
                                                         ("E4", CID, "P4")])
        con.executemany("INSERT INTO judges (judge_id, name, institution, phone, home_desa_code) VALUES (?, ?, ?, ?, ?)",
                        [("J1", "Drs. Ahmad", "Dinas Kesehatan", "0813-0000-0001", "36.02.18.2010"),
                         ("J2", "Ir. Budi", "Dinas PUPR", "0813-0000-0002", None),
                         ("J3", "Hj. Cucu", "TP PKK", "0813-0000-0003", "36.02.19.2001")])


def assign_defaults(con: duckdb.DuckDBPyConnection, stage: str = "lapangan") -> None:
    """J1 → E3, E4; J2 → E1, E2, E3 (none of these clash under the default same-desa rule)."""
    for judge, entrant in (("J1", "E3"), ("J1", "E4"), ("J2", "E1"), ("J2", "E2"), ("J2", "E3")):
        assert assignments.assign_judge(con, PANITIA, CID, stage, judge, entrant) is None


def fill_form(con: duckdb.DuckDBPyConnection, user: User, entrant: str, stage: str = "lapangan",
              choices: tuple[str, str, float, str] = ("a", "b", 72.5, "c")) -> None:
    kes1, kes2, kes3, pdd = choices
    judging.save_score(con, user, CID, stage, entrant, "KES_01", option_code=kes1)
    judging.save_score(con, user, CID, stage, entrant, "KES_02", option_code=kes2)
    judging.save_score(con, user, CID, stage, entrant, "KES_03", real_value=kes3)
    judging.save_score(con, user, CID, stage, entrant, "PDD_01", option_code=pdd)


def make_accounts(con: duckdb.DuckDBPyConnection) -> None:
    auth.create_user(con, "panitia", "panitia-demo", "panitia")
    auth.create_user(con, "juri1", "juri-demo", "juri", judge_id="J1")
    auth.create_user(con, "juri2", "juri-demo", "juri", judge_id="J2")
    auth.create_user(con, "pembina-lebak", "pembina-demo", "pembina", region_code="36.02")


def test_fixture_contest_has_the_shape_the_tests_assume(con):
    build_contest(con)
    assign_defaults(con)
    assert con.sql("SELECT count(*) FROM assignments").fetchone()[0] == 5
    assert assignments.coi_rule(con, CID) == "same_desa"
    # J1 lives in Pasar Keong, where P1 (E1) is: the one clash under the default rule.
    assert assignments.conflict_of_interest(con, "J1", "E1", "same_desa") is not None


def mini_instrument():
    """The typed model of "mini@1" as build_contest stores it (for code that takes an Instrument)."""
    from scoring.instrument import Criterion, Instrument, Option, Section, Threshold

    def choice(cid: str, section: str, text: str) -> Criterion:
        return Criterion(cid, section, text, "choice", options=tuple(
            Option(code, f"{cid} pilihan {code}", pts) for code, pts in (("a", 4.0), ("b", 3.0), ("c", 2.0),
                                                                          ("d", 1.0))))
    kes = Section("kesehatan", "Kesehatan", 60.0, "kesehatan", "Health", (
        choice("KES_01", "kesehatan", "SK kader"), choice("KES_02", "kesehatan", "Kunjungan rumah"),
        Criterion("KES_03", "kesehatan", "Cakupan D/S", "real", unit="%", thresholds=(
            Threshold(0.0, 1.0), Threshold(50.0, 2.0), Threshold(70.0, 3.0), Threshold(85.0, 4.0)))))
    pdd = Section("pendidikan", "Pendidikan", 40.0, "pendidikan", "Education",
                  (choice("PDD_01", "pendidikan", "Pojok baca"),))
    return Instrument("mini", 1, "Mini", "six_field", (kes, pdd))

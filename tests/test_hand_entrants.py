"""Entrants entered by hand (data/setup/entrants.py and the Peserta page): a registered posyandu entered, a new
one registered and entered at once, one taken out; each refusal a user can meet says what to do."""

from __future__ import annotations

import datetime as dt

import pytest

from data import regions
from data.instruments import loader
from data.judging.auth import PermissionDenied, User
from data.setup import competitions as comps
from data.setup import entrants as hand
from data.setup.competitions import CompetitionSpec, StageSpec
from data.store import reads
from present.errors import BadInput
from tests.setup_support import run_page, texts

PANITIA = User("ketua", "panitia", display_name="Ketua Panitia")
KUDUS = "33.19"
JEKULO = "33.19.05"          # Kec. Jekulo, Kab. Kudus


def _kudus(con) -> str:
    spec = CompetitionSpec(
        name="Lomba Posyandu Kabupaten Kudus 2025", year=2025, level="kabupaten", scope_code=KUDUS,
        instrument_id=loader.SIX_FIELD_2026,
        stages=(StageSpec("administrasi", 40, dt.date(2025, 10, 13), dt.date(2025, 10, 17)),
                StageSpec("lapangan", 60, dt.date(2025, 10, 20), dt.date(2025, 10, 24))))
    cid, problems = comps.create_competition(con, PANITIA, spec)
    assert problems == []
    return cid


def _desa(kecamatan: str = JEKULO, n: int = 0) -> str:
    return list(regions.region_children(kecamatan, 4))[n]


def test_a_new_posyandu_is_registered_and_entered_in_one_step(setup_app):
    cid = _kudus(setup_app)
    desa = _desa()
    pid, eid = hand.register_and_enter(setup_app, PANITIA, cid, "  Posyandu   Melati ", desa,
                                       contact_name="Ibu Sri", contact_phone="0812 3456 7890")
    assert pid == f"PSY-{desa.replace('.', '')}-01" and eid == f"{cid}:{pid}"
    row = reads.entrants_frame(setup_app, cid).row(0, named=True)
    assert row["posyandu_name"] == "Posyandu Melati" and row["desa_code"] == desa
    # The next one in the same desa gets the next number; the same name in that desa is refused.
    assert hand.add_posyandu(setup_app, PANITIA, "Posyandu Mawar", desa) == f"PSY-{desa.replace('.', '')}-02"
    with pytest.raises(BadInput) as err:
        hand.register_and_enter(setup_app, PANITIA, cid, "posyandu melati", desa)
    assert err.value.message_key == "contest_entrant_posyandu_exists"
    actions = setup_app.sql("SELECT entity, action FROM audit_log WHERE actor = 'ketua' AND entity IN "
                            "('posyandu', 'entrant') ORDER BY audit_id").fetchall()
    assert actions == [("posyandu", "create"), ("entrant", "create"), ("posyandu", "create")]


@pytest.mark.parametrize(("name", "desa", "phone", "key"), [
    ("", None, None, "contest_entrant_pick_desa"),
    ("", "desa", None, "contest_entrant_name_missing"),
    ("P" * 121, "desa", None, "contest_entrant_name_long"),
    ("Posyandu Melati", "33.19.05", None, "contest_entrant_bad_desa"),        # a kecamatan, not a desa
    ("Posyandu Melati", "desa", "halo", "contest_entrant_bad_phone"),
    ("Posyandu Melati", "36.02.18.2010", None, "contest_entrant_outside"),   # Desa Pasar Keong, Kab. Lebak
])
def test_a_bad_hand_entry_is_refused_before_anything_is_written(setup_app, name, desa, phone, key):
    cid = _kudus(setup_app)
    code = _desa() if desa == "desa" else desa
    with pytest.raises(BadInput) as err:
        hand.register_and_enter(setup_app, PANITIA, cid, name, code, contact_phone=phone)
    assert err.value.message_key == key
    assert setup_app.sql("SELECT count(*) FROM posyandu").fetchone()[0] == 0      # all or nothing
    assert err.value.text("id") and "⟦" not in err.value.text("en")


def test_a_registered_posyandu_is_entered_once_and_only_inside_the_region(setup_app):
    cid = _kudus(setup_app)
    pid = hand.add_posyandu(setup_app, PANITIA, "Posyandu Kenanga", _desa())
    assert hand.candidates(setup_app, cid)["posyandu_id"].to_list() == [pid]
    hand.add_entrant(setup_app, PANITIA, cid, pid)
    assert hand.candidates(setup_app, cid).height == 0
    with pytest.raises(BadInput, match="contest_entrant_already"):
        hand.add_entrant(setup_app, PANITIA, cid, pid)
    lebak = hand.add_posyandu(setup_app, PANITIA, "Posyandu Jeruk", "36.02.18.2010")
    with pytest.raises(BadInput, match="contest_entrant_outside"):
        hand.add_entrant(setup_app, PANITIA, cid, lebak)
    with pytest.raises(PermissionDenied):
        hand.add_entrant(setup_app, User("juri1", "juri", judge_id="J1"), cid, pid)


def test_an_entrant_is_taken_out_with_a_reason_until_it_has_scores(setup_app):
    cid = _kudus(setup_app)
    _, eid = hand.register_and_enter(setup_app, PANITIA, cid, "Posyandu Dahlia", _desa())
    _, kept = hand.register_and_enter(setup_app, PANITIA, cid, "Posyandu Edelweis", _desa(n=1))
    with pytest.raises(BadInput, match="contest_entrant_reason_missing"):
        hand.remove_entrant(setup_app, PANITIA, cid, eid, "  ")
    assert hand.remove_entrant(setup_app, PANITIA, cid, eid, "Didaftarkan dua kali") == "Posyandu Dahlia"
    assert reads.entrants_frame(setup_app, cid)["entrant_id"].to_list() == [kept]
    assert setup_app.sql("SELECT reason FROM audit_log WHERE action = 'remove' AND entity = 'entrant'"
                         ).fetchone() == ("Didaftarkan dua kali",)
    setup_app.execute("INSERT INTO judges (judge_id, name) VALUES ('J1', 'dr. Sri')")
    from data.judging import assignments, forms
    assert assignments.assign_judge(setup_app, PANITIA, cid, "administrasi", "J1", kept) is None
    forms.save_score(setup_app, PANITIA, cid, "administrasi", kept, "KES-01", option_code="a", judge_id="J1")
    with pytest.raises(BadInput, match="contest_entrant_has_scores"):
        hand.remove_entrant(setup_app, PANITIA, cid, kept, "Salah daftar")


def test_no_entrant_joins_once_a_stage_is_finalised(setup_app):
    cid = _kudus(setup_app)
    pid = hand.add_posyandu(setup_app, PANITIA, "Posyandu Flamboyan", _desa())
    setup_app.execute("UPDATE competition_stages SET finalized_at = now() WHERE competition_id = ? "
                      "AND stage = 'administrasi'", [cid])
    with pytest.raises(BadInput) as err:
        hand.add_entrant(setup_app, PANITIA, cid, pid)
    assert err.value.message_key == "contest_entrant_stage_final"
    assert "Administrasi" in err.value.text("id")


def test_the_peserta_page_registers_a_new_posyandu_in_a_desa_cascade(setup_app):
    cid = _kudus(setup_app)
    hand.add_posyandu(setup_app, PANITIA, "Posyandu Anggrek", _desa(n=2))
    at = run_page("peserta", setup_app)
    assert not at.exception
    assert "Lomba ini belum punya peserta." in texts(at)
    # The cascade starts below Kab. Kudus: its nine kecamatan, then the desa of the one chosen.
    kec = at.selectbox(key="ps.desa.up3")
    assert len(kec.options) == 9
    kec.set_value(JEKULO).run()
    at.selectbox(key="ps.desa").set_value(_desa()).run()
    at.text_input(key="ps.name").set_value("Posyandu Melati")
    next(b for b in at.button if b.label == "Daftarkan dan jadikan peserta").click().run()
    assert not at.exception
    assert "Posyandu Melati terdaftar" in texts(at)
    # The registered one is entered from the picker.
    at.selectbox(key="ps.pick").set_value(f"PSY-{_desa(n=2).replace('.', '')}-01").run()
    at.button(key="ps.enter").click().run()
    assert not at.exception
    assert "Posyandu Anggrek sekarang peserta lomba ini." in texts(at)
    assert sorted(reads.entrants_frame(setup_app, cid)["posyandu_name"]) == ["Posyandu Anggrek", "Posyandu Melati"]

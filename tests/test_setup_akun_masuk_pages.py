"""The Accounts page (pages/akun.py) and the first-start and must-change parts of Masuk, through AppTest."""

from __future__ import annotations

import io
import re

import openpyxl
from streamlit.testing.v1 import AppTest

from data.judging import accounts, auth
from tests.setup_support import ROOT, run_page, texts

TEMP = re.compile(r"`([A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4})`")


def _submit(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()


def _judges_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Juri"
    ws.append(["juri_id", "nama", "instansi", "bidang"])
    ws.append(["J-101", "dr. Ratna Dewi", "Dinas Kesehatan", "kesehatan"])
    ws.append(["J-102", "Ir. Budi Santoso", "Dinas PUPR", "pekerjaan_umum"])
    ws.append(["J-103", "Sri Lestari, S.Sos", "Dinas Sosial", "sosial"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_an_empty_store_asks_for_the_first_panitia_with_the_strong_rule(empty_store, monkeypatch, fast_hashing):
    import streamlit as st

    from data import store
    from ui.state import close_all

    monkeypatch.setenv(store.STORE_ENV, str(empty_store))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "pages" / "masuk.py"), default_timeout=120).run()
        assert not at.exception
        assert "Akun panitia pertama" in [h.value for h in at.subheader]
        at.text_input(key="masuk.first.user").set_value("ketua")
        at.text_input(key="masuk.first.name").set_value("Ketua Panitia Kudus")
        at.text_input(key="masuk.first.pw").set_value("kudus2025")
        at.text_input(key="masuk.first.again").set_value("kudus2025")
        at.button[0].click().run()
        assert "minimal 12 karakter" in texts(at)
        at.text_input(key="masuk.first.pw").set_value("Kudus-Sehat-2025")
        at.text_input(key="masuk.first.again").set_value("Kudus-Sehat-2025")
        at.button[0].click().run()
        assert not at.exception
        assert "Akun panitia ketua dibuat" in texts(at)
        assert not at.subheader          # the first-start form is gone: the normal sign-in form is shown
        con = store.connect(empty_store)
        assert auth.authenticate(con, "ketua", "Kudus-Sehat-2025").user.role == "panitia"
        con.close()
    finally:
        close_all()
        st.cache_resource.clear()


def test_panitia_creates_a_juri_who_must_change_the_temporary_password(setup_app):
    at = run_page("akun", setup_app)
    assert not at.exception
    at.selectbox(key="akun.role").set_value("juri").run()
    at.text_input(key="akun.username").set_value("ratna")
    at.text_input(key="akun.name").set_value("dr. Ratna Dewi")
    at.text_input(key="akun.opd").set_value("Dinas Kesehatan")
    _submit(at, "Buat akun")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Akun ratna (Juri) dibuat" in shown
    temp = TEMP.search(" ".join(w.value for w in at.warning)).group(1)
    # The juri signs in with it: every page but Masuk sends them to change it first.
    at = run_page("penilaian", setup_app, username="ratna", password=temp)
    assert "Ganti kata sandi sementara Anda dulu" in texts(at)
    at = run_page("masuk", setup_app, username="ratna", password=temp)
    assert "Kata sandi Anda sementara" in texts(at)
    at.text_input(key="masuk.current").set_value(temp)
    at.text_input(key="masuk.new").set_value("Kudus-Juri-2025x")
    at.text_input(key="masuk.again").set_value("Kudus-Juri-2025x")
    at.button[0].click().run()
    assert not at.exception
    assert "Kata sandi diganti" in texts(at)
    assert not auth.authenticate(setup_app, "ratna", "Kudus-Juri-2025x").user.must_change_password


def test_panitia_creates_a_pembina_for_kab_kudus(setup_app):
    at = run_page("akun", setup_app, lang="en")
    at.selectbox(key="akun.role").set_value("pembina").run()
    # The region in a cascade: Jawa Tengah's 35 kabupaten/kota, never every kecamatan of the country at once.
    assert len(at.selectbox(key="akun.region2.up1").options) == 38
    at.selectbox(key="akun.region2.up1").set_value("33").run()
    assert len(at.selectbox(key="akun.region2").options) == 35
    at.selectbox(key="akun.region2").set_value("33.19").run()
    at.text_input(key="akun.username").set_value("pembina-kudus")
    at.text_input(key="akun.name").set_value("TP PKK Kab. Kudus")
    _submit(at, "Create the account")
    assert not at.exception
    assert "Account pembina-kudus (Supervisor) created" in texts(at)
    assert accounts.accounts_frame(setup_app).filter(username="pembina-kudus")["region_code"].to_list() == ["33.19"]


def test_reset_and_deactivate_from_the_list(setup_app):
    password, _ = accounts.create_account(setup_app, auth.get_user(setup_app, "ketua"),
                                          accounts.NewAccount("budi", "juri", "Budi Santoso"))
    at = run_page("akun", setup_app)
    at.selectbox(key="akun.pick").set_value("budi").run()
    at.button(key="akun.reset").click().run()
    assert not at.exception
    temp = TEMP.search(" ".join(w.value for w in at.warning)).group(1)
    assert temp != password and auth.authenticate(setup_app, "budi", temp).ok
    at.selectbox(key="akun.pick").set_value("budi").run()
    at.text_input(key="akun.reason").set_value("pindah tugas")
    at.button(key="akun.toggle").click().run()
    assert "Akun budi dinonaktifkan" in texts(at)
    assert not auth.authenticate(setup_app, "budi", temp).ok
    assert "nonaktif" in at.dataframe[0].value.to_string()


def test_judges_imported_from_excel_with_their_opd_get_three_juri_accounts(setup_app):
    at = run_page("akun", setup_app)
    at.file_uploader(key="akun.import").set_value(("juri-kudus.xlsx", _judges_xlsx(), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    at.button(key="akun.import_go").click().run()
    assert not at.exception, at.exception
    assert "3 juri diimpor, 3 akun dibuat" in texts(at)
    table = at.table[0].value
    assert sorted(table["Nama pengguna"]) == ["budi.santoso", "ratna.dewi", "sri.lestari"]
    assert sorted(table["OPD / instansi"]) == ["Dinas Kesehatan", "Dinas PUPR", "Dinas Sosial"]
    for username, password in zip(table["Nama pengguna"], table["Kata sandi sementara"], strict=True):
        assert auth.authenticate(setup_app, username, password).user.role == "juri"


def test_the_judges_file_names_each_account_and_a_bad_username_is_shown_with_its_row(setup_app):
    def book(rows) -> bytes:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Juri"
        ws.append(["juri_id", "nama", "instansi", "nama_pengguna"])
        for r in rows:
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    at = run_page("akun", setup_app)
    at.file_uploader(key="akun.import").set_value(("juri.xlsx", book([["J-201", "dr. Sri Wahyuni", "Dinkes",
                                                                        "Juri Dinkes"]]), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    problems = next(d.value for d in at.dataframe if "Masalah" in d.value.columns)     # headers in Indonesian
    assert problems.iloc[0]["Baris"] == 2 and "nama_pengguna" in problems.iloc[0]["Kolom"]
    assert "'Juri Dinkes' tidak dapat dipakai" in problems.iloc[0]["Masalah"]
    assert not [b for b in at.button if b.key == "akun.import_go"]
    at.file_uploader(key="akun.import").set_value(("juri.xlsx", book([["J-201", "dr. Sri Wahyuni", "Dinkes",
                                                                        "juri-dinkes"]]), "application/octet-stream"))
    at.run()
    at.button(key="akun.import_go").click().run()
    assert not at.exception, at.exception
    assert list(at.table[0].value["Nama pengguna"]) == ["juri-dinkes"]

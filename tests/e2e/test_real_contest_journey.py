"""A real committee's contest from an empty store, without the demo: Lomba Posyandu Kab. Kudus 2025.

Set-up steps (first panitia, the competition with two stages 40/60, the instrument from a file with its one
warning, nine entrants imported, three juri accounts and their assignments) go through the data functions the
set-up pages call, until those pages are on main; the store is written while no server holds it. The contest's
life runs in the browser: judges on a 390 px phone (one disagreement flagged and answered), the panitia
finalising the desk stage (provisional) and picking finalists, a pembina filing a protest on the entrant's
profile, the panitia upholding it, the judges re-scoring that one criterion, the results declared final, and
the winner arriving in the provinsi contest. A visitor sees nothing before final.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from data import store
from tests.e2e.conftest import ARTIFACTS, serve

expect.set_options(timeout=30_000)     # two cores shared with other work: a rerun can take seconds

CID = "LP2025-KAB-33.19"
PROV = "LP2025-PROV-33"
PASSWORD = {"panitia-kudus": "Kudus-panitia-2025", "juri-dinkes": "Juri-dinkes-2025", "juri-pupr": "Juri-pupr-2025",
            "juri-pkk": "Juri-pkk-2025", "pembina-kudus": "Pembina-kudus-2025"}
JUDGES = (("juri-dinkes", "J-DINKES", "dr. Sri Wahyuni", "Dinas Kesehatan Kab. Kudus"),
          ("juri-pupr", "J-PUPR", "Ir. Bambang Susilo", "Dinas PUPR Kab. Kudus"),
          ("juri-pkk", "J-PKK", "Hj. Endang Lestari", "TP PKK Kab. Kudus"))
FIELDS = ("pendidikan", "kesehatan", "pekerjaan_umum", "perumahan_rakyat", "trantibumlinmas", "sosial")
WEIGHTS = (15, 25, 15, 15, 15, 15)
CRITERIA = [f"K{i + 1}" for i in range(6)]          # one criterion per field; K2 (kesehatan) is nilai riil
# The nine posyandu; "Posyandu Anggrek" is first by name, so it is what a judge's form opens on.
NAMES = ("Anggrek", "Bougenville", "Cempaka", "Dahlia", "Edelweis", "Flamboyan", "Gardenia", "Kenanga", "Melati")
# Desk-stage quality per posyandu (option index 0 = a = best) for the data-seeded forms.
DESK_LEVEL = {"Anggrek": 0, "Bougenville": 1, "Cempaka": 0, "Dahlia": 2, "Edelweis": 1, "Flamboyan": 3,
              "Gardenia": 1, "Kenanga": 2, "Melati": 3}


def _instrument_yaml() -> str:
    """The committee's instrument: six fields, one criterion each; K3 repeats an option text (the warning)."""
    parts = ["code: kudus-2025", "version: 1", "title: Instrumen Lomba Posyandu Kab. Kudus 2025", "layout: six_field",
             "year: 2025", "sections:"]
    for i, (field, weight) in enumerate(zip(FIELDS, WEIGHTS, strict=True)):
        crit = CRITERIA[i]
        parts += [f"  - id: {field}", f"    title: Bidang {field.replace('_', ' ').title()}", f"    spm_field: {field}",
                  f"    weight: {weight}", "    criteria:", f"      - id: {crit}",
                  "        evidence: [register kegiatan, foto kegiatan]"]
        if crit == "K2":
            parts += ["        text: Cakupan penimbangan balita (D/S) tiga bulan terakhir", "        kind: real",
                      '        unit: "%"', "        thresholds:"]
            parts += [f"          - {{min_value: {m}, points: {p}}}" for m, p in ((0, 1), (50, 2), (70, 3), (85, 4))]
            continue
        parts.append(f"        text: Kegiatan bidang {field.replace('_', ' ')} tercatat dan ditindaklanjuti")
        parts.append("        options:")
        texts = ["Tercatat lengkap dan ditindaklanjuti", "Tercatat lengkap", "Tercatat sebagian", "Belum tercatat"]
        if crit == "K3":
            texts[2] = texts[1]                         # the committee's copy-paste slip: a warning, not an error
        parts += [f"          - {{code: {c}, points: {p}, text: \"{t}\"}}"
                  for c, p, t in zip("abcd", (4, 3, 2, 1), texts, strict=True)]
    return "\n".join(parts) + "\n"


def _seed_setup(path: Path, tmp: Path) -> dict[str, str]:
    """From an empty store: the set-up a panitia does before judging. Returns posyandu name → entrant id."""
    from data.exchange.imports import import_file
    from data.instruments.loader import load_instrument_file
    from data.instruments.persistence import save_instrument
    from data.judging import assignments, auth
    from data.judging.auth import User
    from data.regions import load_regions

    con = store.connect(path)
    try:
        assert con.sql("SELECT count(*) FROM competitions").fetchone()[0] == 0      # empty: no demo
        load_regions(con)
        auth.create_user(con, "panitia-kudus", PASSWORD["panitia-kudus"], "panitia", display_name="Panitia Kudus")
        panitia = User("panitia-kudus", "panitia")
        # The instrument, uploaded from a file: one warning, naming the criterion, and it still loads.
        file = tmp / "instrumen-kudus-2025.yaml"
        file.write_text(_instrument_yaml(), encoding="utf-8")
        loaded = load_instrument_file(file)
        assert loaded.instrument is not None and not loaded.errors
        assert [w.message_key for w in loaded.warnings] == ["instrument_duplicate_option_text"]
        assert loaded.warnings[0].criterion_id == "K3"
        save_instrument(con, loaded.instrument, file.read_text(encoding="utf-8"))
        with store.transaction(con):
            con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id, "
                        "advance_count) VALUES (?, 'Lomba Posyandu Provinsi Jawa Tengah 2025', 2025, 'provinsi', "
                        "'33', 'kudus-2025@1', 1)", [PROV])
            con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id, "
                        "advance_count, parent_competition_id) VALUES (?, 'Lomba Posyandu Kabupaten Kudus 2025', "
                        "2025, 'kabupaten', '33.19', 'kudus-2025@1', 1, ?)", [CID, PROV])
            for cid in (CID, PROV):
                con.executemany("INSERT INTO competition_stages (competition_id, stage, ord, start_date, end_date, "
                                "weight) VALUES (?, ?, ?, ?, ?, ?)",
                                [(cid, "administrasi", 0, "2025-10-13", "2025-10-17", 40.0),
                                 (cid, "lapangan", 1, "2025-10-20", "2025-10-24", 60.0)])
        desa = [r[0] for r in con.sql("SELECT min(code) FROM regions WHERE level = 4 AND code LIKE '33.19.%' "
                                      "GROUP BY substr(code, 1, 8) ORDER BY 1 LIMIT 9").fetchall()]
        assert len(desa) == 9
        rows = ["posyandu_id,nama,kode_desa"] + [f"PSY-KDS-{i + 1:02d},Posyandu {n},{d}"
                                                  for i, (n, d) in enumerate(zip(NAMES, desa, strict=True))]
        plan, result = import_file(con, "posyandu", "\n".join(rows).encode(), "posyandu-kudus.csv", actor="panitia-kudus")
        assert result is not None, plan.problems
        entrants_csv = "posyandu_id\n" + "\n".join(f"PSY-KDS-{i + 1:02d}" for i in range(9))
        plan, result = import_file(con, "entrants", entrants_csv.encode(), "peserta-kudus.csv", actor="panitia-kudus",
                                   competition_id=CID)
        assert result is not None, plan.problems
        with store.transaction(con):
            con.executemany("INSERT INTO judges (judge_id, name, institution) VALUES (?, ?, ?)",
                            [(jid, name, inst) for _, jid, name, inst in JUDGES])
        for user, jid, name, _ in JUDGES:
            auth.create_user(con, user, PASSWORD[user], "juri", judge_id=jid, display_name=name)
        auth.create_user(con, "pembina-kudus", PASSWORD["pembina-kudus"], "pembina", region_code="33.19")
        ids = dict(con.sql("SELECT replace(p.name, 'Posyandu ', ''), e.entrant_id FROM entrants e "
                           "JOIN posyandu p USING (posyandu_id) WHERE e.competition_id = ?", params=[CID]).fetchall())
        assert len(ids) == 9
        for _, jid, _, _ in JUDGES:
            for eid in ids.values():
                assert assignments.assign_judge(con, panitia, CID, "administrasi", jid, eid) is None
        return ids
    finally:
        con.close()


def _score_by_data(path: Path, stage: str, entrants: dict[str, str], level: dict[str, int]) -> None:
    """Forms the judges filled and submitted (all but those the journey scores in the browser)."""
    from data.judging import forms as judging
    from data.judging.auth import User
    from data.judging.contest_life import send_back

    con = store.connect(path)
    try:
        for user, jid, _, _ in JUDGES:
            juri = User(user, "juri", judge_id=jid)
            for name, eid in entrants.items():
                lv = level[name]
                for crit in CRITERIA:
                    if crit == "K2":
                        judging.save_score(con, juri, CID, stage, eid, crit, real_value=(90.0, 75.0, 60.0, 40.0)[lv])
                    else:
                        judging.save_score(con, juri, CID, stage, eid, crit, option_code="abcd"[lv])
                assert send_back.submit_form(con, juri, CID, stage, eid) == []
    finally:
        con.close()


def _context(browser, phone: bool = False):
    if phone:
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True,
                                  has_touch=True)
    else:
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return ctx, page


def _sign_in(page: Page, url: str, user: str, stage: str = "administrasi", competition: str = CID) -> None:
    page.goto(f"{url}/masuk?competition={competition}&stage={stage}")
    try:
        page.get_by_label("Nama pengguna").wait_for(timeout=60_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"error-sign-in-{user}.png"), full_page=True)
        raise
    page.get_by_label("Nama pengguna").fill(user)
    page.get_by_label("Kata sandi").fill(PASSWORD[user])
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text(re.compile(r"^Masuk sebagai")).first).to_be_visible()


def _open(page: Page, link: str, heading: str, phone: bool = False) -> None:
    if phone:
        page.locator("[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button"
                     ).first.click()
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    if phone:
        page.locator("[data-testid='stSidebarCollapseButton'] button").first.click()


def _settle(page: Page) -> None:
    page.wait_for_timeout(400)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=30_000)


def _score_on_phone(page: Page, choices: dict[str, str | float], shot: str) -> None:
    """Fill the open form criterion by criterion (radio option letter, or a D/S value) as a judge's thumb does."""
    for done, (crit, value) in enumerate(choices.items(), start=1):
        box = page.locator("[data-testid='stVerticalBlock']").filter(
            has=page.get_by_text(re.compile(rf"^{crit} · "))).last
        if not box.is_visible():
            page.locator("[data-testid='stExpander'] summary").filter(
                has_text=re.compile(r"— 0/1")).first.click()
        box.scroll_into_view_if_needed()
        if isinstance(value, float):
            field = box.get_by_role("spinbutton")
            field.fill(str(int(value)))
            field.press("Enter")
        else:
            box.locator("label").filter(has_text=re.compile(rf"^{value}\. ")).click()
        # Wait for the saved answer to come back before the next tap (an interrupted run poisons the cursor).
        expect(page.get_by_text(f"{done} dari {len(choices)} kriteria terisi")).to_be_visible()
        _settle(page)
        _no_exception(page, shot)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)


def _no_exception(page: Page, shot: str) -> None:
    errors = page.locator("[data-testid='stException']")
    if errors.count():
        page.screenshot(path=str(ARTIFACTS / f"error-{shot}"), full_page=True)
        raise AssertionError(errors.first.inner_text())


def _visitor_sees_nothing(browser, url: str, shot: str) -> None:
    ctx, page = _context(browser)
    try:
        page.goto(f"{url}/peringkat?competition={CID}")
        _settle(page)
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        body = page.locator("body").inner_text()
        assert "Kudus" not in body and "Posyandu Anggrek" not in body
    finally:
        ctx.close()


def test_a_real_contest_runs_from_an_empty_store_to_an_advancing_winner(browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    path = tmp_path / "kudus.duckdb"
    ids = _seed_setup(path, tmp_path)
    # Eight desk-stage forms per judge filled before the journey; Anggrek is scored on the phone.
    _score_by_data(path, "administrasi", {n: e for n, e in ids.items() if n != "Anggrek"}, DESK_LEVEL)

    with serve(path, log_dir=ARTIFACTS) as url:
        _visitor_sees_nothing(browser, url, "kudus-0-visitor-before.png")
        # Each judge scores Posyandu Anggrek on a phone; the third chooses two levels lower on K1.
        for n, (user, _, _, _) in enumerate(JUDGES):
            ctx, page = _context(browser, phone=True)
            try:
                _sign_in(page, url, user)
                _open(page, "Penilaian", "Penilaian", phone=True)
                expect(page.get_by_text("0 dari 6 kriteria terisi")).to_be_visible()
                k1 = "c" if n == 2 else "a"
                _score_on_phone(page, {"K1": k1, "K2": 88.0, "K3": "a", "K4": "a", "K5": "b", "K6": "a"},
                                f"kudus-1-juri{n + 1}-phone.png")
                expect(page.get_by_text("6 dari 6 kriteria terisi")).to_be_visible()
                page.get_by_role("button", name="Kirim dan kunci formulir").click()
                _settle(page)
                if n == 2:
                    # Sent back: the judges differ on K1 by two levels; the judge keeps the choice with a reason.
                    expect(page.get_by_text(re.compile("berbeda jauh dari juri lain pada 1 kriteria"))).to_be_visible()
                    box = page.locator("[data-testid='stVerticalBlock']").filter(
                        has=page.get_by_text(re.compile(r"^K1 · "))).last
                    expect(box.get_by_text(re.compile("selisih 2 tingkat"))).to_be_visible()
                    box.scroll_into_view_if_needed()
                    page.screenshot(path=str(ARTIFACTS / "kudus-2-flagged-phone.png"), full_page=True)
                    box.get_by_label("Alasan singkat").fill("Buku register hanya memuat sebagian kegiatan")
                    box.get_by_label("Alasan singkat").press("Enter")
                    box.get_by_role("button", name="Pertahankan pilihan").click()
                    _settle(page)
                    expect(page.get_by_text("Jawaban untuk K1 tersimpan.")).to_be_visible()
                    expect(page.get_by_text(re.compile("Sudah ditinjau: dipertahankan"))).to_be_attached()
                    page.get_by_role("button", name="Kirim dan kunci formulir").click()
                    _settle(page)
                expect(page.get_by_text("Formulir sudah dikirim dan terkunci", exact=False)).to_be_visible()
                page.screenshot(path=str(ARTIFACTS / f"kudus-3-juri{n + 1}-submitted.png"), full_page=True)
            finally:
                ctx.close()

        # The panitia sees the judge's answer, finalises the desk stage (provisional) and picks five finalists.
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "panitia-kudus")
            _open(page, "Panitia", "Panitia")
            page.get_by_role("tab", name="Formulir", exact=True).click()
            expect(page.get_by_text("Perbedaan penilaian antarjuri")).to_be_visible()
            page.get_by_role("tab", name="Finalisasi & publikasi", exact=True).click()
            page.get_by_role("button", name=re.compile("Finalkan tahap Administrasi")).click()
            _settle(page)
            expect(page.get_by_text(re.compile("hasil sementara, sanggahan sampai")).first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "kudus-4-provisional.png"), full_page=True)
        finally:
            ctx.close()
        _visitor_sees_nothing(browser, url, "kudus-5-visitor-provisional.png")
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "panitia-kudus", stage="lapangan")
            _open(page, "Panitia", "Panitia")
            page.get_by_role("tab", name="Finalis", exact=True).click()
            page.get_by_label("Jumlah finalis").fill("4")
            page.get_by_label("Jumlah finalis").press("Enter")
            _settle(page)
            # Places 1, 2, 3, 3, 3 (Cempaka, Anggrek; Bougenville, Edelweis and Gardenia tied at 75): ties kept.
            expect(page.get_by_text("5 dari 9 peserta lolos sebagai finalis.")).to_be_visible()
            page.get_by_role("button", name=re.compile("Tetapkan 5 finalis")).click()
            _settle(page)
            expect(page.get_by_text(re.compile("5 finalis tahap Lapangan")).first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "kudus-6-finalists.png"), full_page=True)
        finally:
            ctx.close()

    # The field visits: the panitia assigns the judges to the finalists and their forms come in (data).
    con = store.connect(path)
    try:
        from data.judging import assignments, forms
        from data.judging.auth import PermissionDenied, User

        finalists = forms.finalists_of(con, CID, "lapangan")
        assert finalists == {ids[n] for n in ("Anggrek", "Bougenville", "Cempaka", "Edelweis", "Gardenia")}
        panitia = User("panitia-kudus", "panitia")
        with pytest.raises(PermissionDenied):
            assignments.assign_judge(con, panitia, CID, "lapangan", "J-DINKES", ids["Melati"])
        for _, jid, _, _ in JUDGES:
            for eid in sorted(finalists):
                assert assignments.assign_judge(con, panitia, CID, "lapangan", jid, eid) is None
    finally:
        con.close()
    field = {n: ids[n] for n in ("Anggrek", "Bougenville", "Cempaka", "Edelweis", "Gardenia")}
    _score_by_data(path, "lapangan", field, {"Anggrek": 1, "Bougenville": 1, "Cempaka": 0, "Edelweis": 2,
                                             "Gardenia": 1})

    with serve(path, log_dir=ARTIFACTS) as url:
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "panitia-kudus", stage="lapangan")
            _open(page, "Panitia", "Panitia")
            page.get_by_role("tab", name="Finalisasi & publikasi", exact=True).click()
            page.get_by_role("button", name=re.compile("Finalkan tahap Lapangan")).click()
            _settle(page)
            expect(page.get_by_text(re.compile("Sanggahan belum selesai: 0"))).to_be_visible()
        finally:
            ctx.close()
        _visitor_sees_nothing(browser, url, "kudus-7-visitor-provisional.png")

        # The pembina of Kab. Kudus files a protest for Posyandu Anggrek on its profile, naming K1.
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "pembina-kudus", stage="lapangan")
            _open(page, "Profil Posyandu", "Posyandu Anggrek")
            expect(page.get_by_text(re.compile("Hasil tahap Lapangan masih sementara"))).to_be_visible()
            page.get_by_text("Ajukan sanggahan").first.click()
            # The form opens on the stage the sidebar shows (lapangan), the stage the protest is about.
            stage_box = page.locator("[data-testid='stForm']").get_by_role("combobox", name="Tahap")
            assert "Lapangan" in stage_box.evaluate("e => e.value || e.getAttribute('aria-label') || e.textContent")
            page.get_by_label("Kriteria").click()
            page.get_by_role("option", name=re.compile(r"^K1 · ")).click()
            page.keyboard.press("Escape")
            page.get_by_label("Alasan sanggahan").fill("Register pengaduan lengkap dengan tindak lanjut; mohon "
                                                       "diperiksa ulang saat kunjungan")
            page.get_by_role("button", name="Ajukan sanggahan").click()
            _settle(page)
            expect(page.get_by_text(re.compile(r"Sanggahan #\d+ diajukan"))).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "kudus-8-protest-filed.png"), full_page=True)
        finally:
            ctx.close()

        # The panitia upholds it: K1 of Anggrek reopens for its judges.
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "panitia-kudus", stage="lapangan")
            _open(page, "Panitia", "Panitia")
            page.get_by_role("tab", name="Sanggahan", exact=True).click()
            expect(page.get_by_text("Sanggahan").first).to_be_visible()
            page.get_by_text("Terima (buka kembali kriteria itu)").click()
            page.get_by_label("Pertimbangan panitia").fill("Register dilihat langsung; kriteria K1 dinilai ulang")
            page.get_by_role("button", name="Simpan keputusan").click()
            _settle(page)
            expect(page.get_by_text(re.compile("diterima: kriteria yang disanggah dibuka kembali"))).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "kudus-9-upheld.png"), full_page=True)
        finally:
            ctx.close()

        # Each judge re-scores just K1 on the phone (the rest stays frozen) and submits again.
        for n, (user, _, _, _) in enumerate(JUDGES):
            ctx, page = _context(browser, phone=True)
            try:
                _sign_in(page, url, user, stage="lapangan")
                _open(page, "Penilaian", "Penilaian", phone=True)
                expect(page.get_by_text(re.compile("Sanggahan diterima: kriteria K1 dibuka kembali"))).to_be_visible()
                box = page.locator("[data-testid='stVerticalBlock']").filter(
                    has=page.get_by_text(re.compile(r"^K1 · "))).last
                box.scroll_into_view_if_needed()
                box.locator("label").filter(has_text=re.compile(r"^a\. ")).click()
                _settle(page)
                frozen = page.locator("[data-testid='stVerticalBlock']").filter(
                    has=page.get_by_text(re.compile(r"^K3 · "))).last
                expect(frozen.locator("input[type='radio']").first).to_be_disabled()
                if n == 0:
                    page.screenshot(path=str(ARTIFACTS / "kudus-10-rescore-phone.png"), full_page=True)
                page.get_by_role("button", name="Kirim dan kunci formulir").click()
                _settle(page)
            finally:
                ctx.close()

        # The window is closed by the panitia (no further protest announced); both stages declared final.
        ctx, page = _context(browser)
        try:
            for stage, label in (("administrasi", "Administrasi"), ("lapangan", "Lapangan")):
                _sign_in(page, url, "panitia-kudus", stage=stage)
                _open(page, "Panitia", "Panitia")
                page.get_by_role("tab", name="Finalisasi & publikasi", exact=True).click()
                form = page.locator("[data-testid='stForm']").filter(has_text="Simpan batas sanggahan")
                form.get_by_text("Tutup masa sanggahan sekarang").click()
                form.get_by_label("Alasan", exact=True).fill("Semua peserta menyatakan tidak ada sanggahan lagi")
                form.get_by_role("button", name="Simpan batas sanggahan").click()
                _settle(page)
                expect(page.get_by_text(f"Batas sanggahan tahap {label} diubah.")).to_be_visible()
                _settle(page)
                page.get_by_role("button", name=re.compile(f"Umumkan hasil final tahap {label}")).click()
                _settle(page)
                expect(page.get_by_text(re.compile(f"Hasil tahap {label} final")).first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "kudus-11-final.png"), full_page=True)
            # The provinsi panitia (here the same account) sees the winner arrive.
            _sign_in(page, url, "panitia-kudus", competition=PROV)
            _open(page, "Panitia", "Panitia")
            expect(page.get_by_text("Peserta dari tingkat di bawahnya")).to_be_visible()
            expect(page.get_by_text(re.compile("1 pemenang maju ke lomba ini"))).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "kudus-12-provinsi-arrival.png"), full_page=True)
        finally:
            ctx.close()

        # A visitor now sees the final results of Kab. Kudus.
        ctx, page = _context(browser)
        try:
            page.goto(f"{url}/peringkat?competition={CID}")
            _settle(page)
            expect(page.get_by_text("Posyandu", exact=False).first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "kudus-13-visitor-final.png"), full_page=True)
        finally:
            ctx.close()

    con = store.connect(path, read_only=True)
    try:
        winner = con.sql("SELECT p.name, e.source_entrant_id FROM entrants e JOIN posyandu p USING (posyandu_id) "
                         "WHERE e.competition_id = ?", params=[PROV]).fetchall()
        assert len(winner) == 1 and winner[0][1] in ids.values()
        actions = {r[0] for r in con.sql("SELECT DISTINCT action FROM audit_log").fetchall()}
        for a in ("disagreement_kept", "pick_finalists", "provisional", "protest_filed", "protest_upheld",
                  "protest_resolved", "set_protest_deadline", "declare_final", "advance"):
            assert a in actions, a
    finally:
        con.close()

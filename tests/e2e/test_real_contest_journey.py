"""A real committee's contest from an empty store, without the demo, all of it in the browser: Lomba Posyandu
Kab. Kudus 2025.

The first panitia account on Masuk; the instrument uploaded from a YAML file on Instrumen (its one warning shown,
naming the criterion); on Lomba the provinsi contest and the Kab. Kudus contest (two stages 40/60, its region
picked in a cascade, the provinsi contest as parent); on Data the posyandu registry and eight entrants
imported, the ninth registered and entered by hand on Peserta; on Akun the three judges imported from Excel with their OPD and usernames, and a pembina created, each
changing the temporary password at first sign-in; on Panitia the judges assigned to every entrant at once. The
judges' paper forms of eight entrants come in through the score template on Data; each judge scores Posyandu
Anggrek on a 390 px phone (one disagreement flagged and answered); the panitia finalises the desk stage
(provisional) and picks finalists; the field stage is assigned (finalists only) and its forms imported; a pembina
files a protest on the entrant's profile, the panitia upholds it, the judges re-score that one criterion on their
phones, the results are declared final, and the winner arrives in the provinsi contest. Reopening the field stage
then withdraws the winner from the provinsi contest (the panitia is told who), and declaring the corrected
results final sends it up again. A visitor sees nothing before final.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from data import regions, store
from tests.e2e.conftest import ARTIFACTS, serve, settle

expect.set_options(timeout=30_000)     # two cores shared with other work: a rerun can take seconds

CID = "LP2025-KAB-33.19"
PROV = "LP2025-PROV-33"
PROV_NAME = "Lomba Posyandu Provinsi Jawa Tengah 2025"
KAB_NAME = "Lomba Posyandu Kabupaten Kudus 2025"
# Each chosen at first sign-in (the strong rule: none may contain its username).
PASSWORD = {"panitia-kudus": "Kudus-panitia-2025", "juri-dinkes": "Sehat-Dinkes-2025", "juri-pupr": "Jalan-Pupr-2025",
            "juri-pkk": "Kader-Pkk-2025", "pembina-kudus": "Binaan-Kudus-2025"}
JUDGES = (("juri-dinkes", "J-DINKES", "dr. Sri Wahyuni", "Dinas Kesehatan Kab. Kudus"),
          ("juri-pupr", "J-PUPR", "Ir. Bambang Susilo", "Dinas PUPR Kab. Kudus"),
          ("juri-pkk", "J-PKK", "Hj. Endang Lestari", "TP PKK Kab. Kudus"))
FIELDS = ("pendidikan", "kesehatan", "pekerjaan_umum", "perumahan_rakyat", "trantibumlinmas", "sosial")
WEIGHTS = (15, 25, 15, 15, 15, 15)
CRITERIA = [f"K{i + 1}" for i in range(6)]          # one criterion per field; K2 (kesehatan) is nilai riil
# The nine posyandu; "Posyandu Anggrek" is first by name, so it is what a judge's form opens on.
NAMES = ("Anggrek", "Bougenville", "Cempaka", "Dahlia", "Edelweis", "Flamboyan", "Gardenia", "Kenanga", "Melati")
# Quality per posyandu (option index 0 = a = best) on the judges' paper forms, imported from the score template.
DESK_LEVEL = {"Anggrek": 0, "Bougenville": 1, "Cempaka": 0, "Dahlia": 2, "Edelweis": 1, "Flamboyan": 3,
              "Gardenia": 1, "Kenanga": 2, "Melati": 3}
FIELD_LEVEL = {"Anggrek": 1, "Bougenville": 1, "Cempaka": 0, "Edelweis": 2, "Gardenia": 1}
FINALISTS = ("Anggrek", "Bougenville", "Cempaka", "Edelweis", "Gardenia")


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


def _files(tmp: Path) -> dict[str, Path]:
    """The committee's files: the instrument (YAML), the posyandu registry, the entrants and the judges' list."""
    out = {"instrument": tmp / "instrumen-kudus-2025.yaml", "posyandu": tmp / "posyandu-kudus.csv",
           "entrants": tmp / "peserta-kudus.csv", "judges": tmp / "juri-kudus.xlsx"}
    out["instrument"].write_text(_instrument_yaml(), encoding="utf-8")
    # One posyandu in the first desa of each of the nine kecamatan of Kab. Kudus (Kemendagri codes); the
    # registry file holds the first eight, Posyandu Melati is registered and entered by hand on Peserta.
    desa = [next(iter(regions.region_children(kec, 4))) for kec in regions.region_children("33.19", 3)]
    assert len(desa) == 9
    out["posyandu"].write_text("\n".join(["posyandu_id,nama,kode_desa"] + [
        f"PSY-KDS-{i + 1:02d},Posyandu {n},{d}" for i, (n, d) in enumerate(zip(NAMES[:8], desa, strict=False))])
        + "\n", encoding="utf-8")
    out["entrants"].write_text("posyandu_id\n" + "\n".join(f"PSY-KDS-{i + 1:02d}" for i in range(8)) + "\n",
                               encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Juri"
    ws.append(["juri_id", "nama", "instansi", "nama_pengguna"])
    for user, jid, name, opd in JUDGES:
        ws.append([jid, name, opd, user])
    wb.save(out["judges"])
    return out


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
    # A sign-in survives a reload (the session cookie, #13): whoever this browser is signed in as signs out first.
    form, out = page.get_by_label("Nama pengguna"), page.get_by_role("button", name="Keluar")
    try:
        form.or_(out).first.wait_for(timeout=60_000)
        if out.is_visible():
            out.click()
            form.wait_for(timeout=60_000)
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
    """conftest.settle: the run indicator gone, looked at twice. (Looking once after 400 ms let a click land on a
    download button that the pick's rerun was replacing: Streamlit had dropped its deferred file.)"""
    settle(page)


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


def _main(page: Page):
    return page.locator("[data-testid='stMain']")


def _pick(page: Page, label: str, typed: str, option: str | re.Pattern) -> None:
    """Choose in the main area's selectbox labelled `label`, typing to filter as a user does."""
    box = _main(page).locator("[data-testid='stSelectbox']").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$"))).first
    box.click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=option).first.click()
    _settle(page)


def _fill(page: Page, label: str, value: str, enter: bool = False) -> None:
    field = _main(page).locator(f"input[aria-label='{label}']").first
    field.fill(value)
    if enter:
        field.press("Enter")
    _settle(page)


def _upload(page: Page, file: Path, nth: int = 0) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").nth(nth).set_input_files(str(file))
    _settle(page)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _first_sign_in(browser, url: str, user: str, temporary: str) -> None:
    """A new account signs in with its temporary password and must choose its own before anything else."""
    ctx, page = _context(browser)
    try:
        page.goto(f"{url}/masuk?competition={CID}")
        page.get_by_label("Nama pengguna").fill(user)
        page.get_by_label("Kata sandi").fill(temporary)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_text("Simpan kata sandi baru")).to_be_visible()
        _fill(page, "Kata sandi sekarang", temporary)
        _fill(page, "Kata sandi baru", PASSWORD[user])
        _fill(page, "Ulangi kata sandi", PASSWORD[user])
        page.get_by_role("button", name="Simpan kata sandi baru").click()
        try:
            expect(page.get_by_text("Kata sandi diganti.")).to_be_visible()
        except AssertionError:
            _shot(page, f"error-first-sign-in-{user}.png")
            raise
    finally:
        ctx.close()


def _set_up(page: Page, url: str, files: dict[str, Path]) -> None:
    """First panitia, instrument, the two competitions: what a committee does before anything else."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Akun panitia pertama")).to_be_visible(timeout=180_000)
    _fill(page, "Nama pengguna", "panitia-kudus")
    _fill(page, "Nama lengkap", "Panitia Kudus")
    _fill(page, "Kata sandi", PASSWORD["panitia-kudus"])
    _fill(page, "Ulangi kata sandi", PASSWORD["panitia-kudus"])
    page.get_by_role("button", name="Buat akun panitia").click()
    expect(page.get_by_text("Akun panitia panitia-kudus dibuat")).to_be_visible()
    expect(page.get_by_role("button", name="Buat akun panitia")).to_have_count(0)   # the form is gone for good
    expect(page.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    _fill(page, "Nama pengguna", "panitia-kudus")
    _fill(page, "Kata sandi", PASSWORD["panitia-kudus"])
    page.get_by_role("button", name="Masuk", exact=True).click()
    try:
        expect(page.get_by_text("Masuk sebagai Panitia Kudus")).to_be_visible()
    except AssertionError:
        _shot(page, "error-first-panitia-sign-in.png")
        raise

    # The instrument from the committee's YAML file: one warning, naming the criterion, before anything is saved.
    _open(page, "Instrumen", "Instrumen")
    _upload(page, files["instrument"])
    expect(page.get_by_text("instrumen-kudus-2025.yaml: 0 kesalahan, 1 peringatan.")).to_be_visible()
    expect(page.locator("[data-testid='stTable']")).to_contain_text("K3")
    _shot(page, "kudus-0a-instrument-warning.png")
    page.get_by_role("button", name="Simpan sebagai kudus-2025@1").click()
    expect(page.get_by_text("Instrumen kudus-2025@1 disimpan")).to_be_visible()

    # The provinsi contest (where the winner goes), then Kab. Kudus 2025 under it; regions in a cascade.
    _open(page, "Lomba", "Lomba")
    _fill(page, "Nama lomba", PROV_NAME)
    _fill(page, "Tahun", "2025", enter=True)
    _pick(page, "Tingkat", "Provinsi", "Provinsi")
    _pick(page, "Wilayah lomba", "Jawa Tengah", re.compile(r"^33 · Jawa Tengah"))
    _pick(page, "Instrumen (versi)", "kudus", re.compile(r"kudus-2025@1"))
    page.get_by_role("button", name="Buat lomba").click()
    expect(page.get_by_text(f"Lomba {PROV_NAME} ({PROV}) dibuat")).to_be_visible()
    _pick(page, "Lomba", "Lomba baru", "+ Lomba baru")
    _fill(page, "Nama lomba", KAB_NAME)
    _fill(page, "Tahun", "2025", enter=True)
    _pick(page, "Provinsi", "Jawa Tengah", re.compile(r"^33 · Jawa Tengah"))
    kab = _main(page).locator("[data-testid='stSelectbox']").filter(
        has=page.locator("label", has_text=re.compile(r"^Wilayah lomba$"))).first
    kab.click()
    page.keyboard.type("Lebak")                              # Kab. Lebak is in Banten: not offered here
    expect(page.get_by_role("option", name=re.compile("Lebak"))).to_have_count(0)
    page.keyboard.press("Escape")
    _pick(page, "Wilayah lomba", "Kudus", re.compile(r"^33\.19 · Kab\. Kudus"))
    _pick(page, "Instrumen (versi)", "kudus", re.compile(r"kudus-2025@1"))
    _pick(page, "Lomba induk (satu tingkat di atas)", "Provinsi", PROV_NAME)
    _fill(page, "Masa sanggahan (hari)", "3", enter=True)
    _shot(page, "kudus-0b-competition-form.png")
    page.get_by_role("button", name="Buat lomba").click()
    expect(page.get_by_text(f"Lomba {KAB_NAME} ({CID}) dibuat")).to_be_visible()
    _no_exception(page, "kudus-0b-competition-form.png")


def _registry_and_accounts(page: Page, files: dict[str, Path]) -> dict[str, str]:
    """Posyandu and entrants on Data, judges (with usernames) and a pembina on Akun; returns temporary passwords."""
    _open(page, "Data", "Data: impor, ekspor, cadangan")
    _upload(page, files["posyandu"])
    page.get_by_role("button", name="Simpan semua").click()
    expect(page.get_by_text("Tersimpan: 8 baris baru")).to_be_visible()
    _pick(page, "Data yang diimpor", "Peserta", "Peserta lomba")
    _upload(page, files["entrants"])
    page.get_by_role("button", name="Simpan semua").click()
    expect(page.get_by_text("Tersimpan: 8 baris baru")).to_be_visible()
    _shot(page, "kudus-0c-entrants-imported.png")

    # The ninth entrant by hand: a new posyandu, its desa picked in a cascade under Kab. Kudus.
    _open(page, "Peserta", "Peserta lomba")
    expect(page.get_by_role("heading", name="Peserta (8)")).to_be_visible()
    kec = list(regions.region_children("33.19", 3))[8]
    desa = next(iter(regions.region_children(kec, 4)))
    _pick(page, "Kecamatan", kec, re.compile(rf"^{re.escape(kec)} · "))
    _pick(page, "Desa/Kelurahan", desa, re.compile(rf"^{re.escape(desa)} · "))
    _fill(page, "Nama posyandu", "Posyandu Melati")
    _fill(page, "Telepon kontak (opsional)", "0812 2900 1234")
    page.get_by_role("button", name=re.compile("Daftarkan dan jadikan peserta")).click()
    _settle(page)
    expect(page.get_by_text(re.compile(r"Posyandu Melati terdaftar \(PSY-"))).to_be_visible()
    expect(page.get_by_role("heading", name="Peserta (9)")).to_be_visible()
    _shot(page, "kudus-0c-entrant-by-hand.png")

    _open(page, "Akun", "Akun")
    page.get_by_role("tab", name="Impor juri dari Excel").click()
    _upload(page, files["judges"])
    page.get_by_role("button", name="Impor 3 juri dan buat akunnya").click()
    expect(page.get_by_text("3 juri diimpor, 3 akun dibuat")).to_be_visible()
    table = page.locator("[data-testid='stTable']").last
    expect(table).to_contain_text("juri-dinkes")
    temporary: dict[str, str] = {}
    for row in table.locator("tr").all():
        cells = [c.strip() for c in row.locator("td, th").all_inner_texts()]
        user = next((c for c in cells if c.startswith("juri-")), None)
        if user:
            temporary[user] = cells[-1]
    assert sorted(temporary) == sorted(u for u, _, _, _ in JUDGES)       # the usernames the file named
    _shot(page, "kudus-0d-judges-imported.png")
    page.get_by_role("tab", name="Buat akun", exact=True).click()
    _pick(page, "Peran", "Pembina", "Pembina")
    # The region in a cascade: the province first, then its kabupaten/kota (never 7,285 kecamatan in one box).
    _pick(page, "Provinsi", "Jawa Tengah", re.compile(r"^33 · Jawa Tengah"))
    _pick(page, "Wilayah yang boleh dibaca", "Kudus", re.compile(r"^33\.19 · Kab\. Kudus"))
    _fill(page, "Nama pengguna", "pembina-kudus")
    _fill(page, "Nama", "TP PKK Kab. Kudus")
    page.get_by_role("button", name="Buat akun", exact=True).click()
    note = page.get_by_text(re.compile("Kata sandi sementara untuk pembina-kudus"))
    expect(note).to_be_visible()
    temporary["pembina-kudus"] = note.locator("code").inner_text().strip()
    return temporary


def _assign_everyone(page: Page, stage: str, n: int) -> None:
    """Panitia → Penugasan juri: the three judges to every entrant (or finalist) at once."""
    _open(page, "Panitia", "Panitia")
    page.get_by_role("tab", name="Penugasan juri", exact=True).click()
    form = page.locator("[data-testid='stForm']").filter(has_text="Tugaskan ke semua")
    _settle(page)
    chips = form.locator("[data-testid='stMultiSelect']")
    for _, _, name, _ in JUDGES:
        for _attempt in range(3):          # a rerun arriving mid-choice closes the list: choose again
            if chips.get_by_text(name, exact=True).count():
                break
            chips.locator("input").click()
            page.keyboard.type(name.split()[1])
            option = page.get_by_role("option", name=name, exact=True)
            try:
                option.click(timeout=10_000)   # the option itself: Enter takes whatever is highlighted
            except Exception:  # noqa: BLE001 - the list closed under us; look again
                pass
            page.keyboard.press("Escape")
            _settle(page)
        expect(chips.get_by_text(name, exact=True)).to_be_visible()
    form.get_by_role("button", name=f"Tugaskan ke semua {n} peserta").click()
    _settle(page)
    try:
        expect(page.get_by_text(f"{3 * n} penugasan baru untuk tahap {stage}.")).to_be_in_viewport()
    except AssertionError:
        _shot(page, f"error-assign-{stage}.png")
        raise


def _import_scores(page: Page, tmp: Path, stage: str, level: dict[str, int], skip: str | None, rows: int) -> None:
    """Data → Nilai: download the score template of the stage, fill in the judges' paper forms, upload it."""
    _open(page, "Data", "Data: impor, ekspor, cadangan")
    _pick(page, "Data yang diimpor", "Nilai", "Nilai (templat instrumen)")
    with page.expect_download() as got:
        page.get_by_role("button", name="Unduh templat Excel").click()
    wb = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    ws = wb["Nilai"]
    header = [c.value for c in ws[1]]
    filled = 0
    for row in ws.iter_rows(min_row=2):
        name = str(row[1].value or "").removeprefix("Posyandu ")
        if name not in level or name == skip:
            continue
        lv = level[name]
        for crit in CRITERIA:
            row[header.index(crit)].value = str((90, 75, 60, 40)[lv]) if crit == "K2" else "abcd"[lv]
        filled += 1
    file = tmp / f"nilai-{stage.lower()}.xlsx"
    wb.save(file)
    _upload(page, file, nth=0)
    expect(page.get_by_text(re.compile("kesalahan|masalah", re.I))).to_have_count(0)
    page.get_by_role("button", name="Simpan semua").click()
    expect(page.get_by_text(f"Tersimpan: {rows} baris baru")).to_be_visible()
    assert filled * len(CRITERIA) == rows


def _judge_on_phone(browser, url: str, n: int, user: str) -> None:
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
            _shot(page, "kudus-2-flagged-phone.png")
            box.get_by_label("Alasan singkat").fill("Buku register hanya memuat sebagian kegiatan")
            box.get_by_label("Alasan singkat").press("Enter")
            box.get_by_role("button", name="Pertahankan pilihan").click()
            _settle(page)
            expect(page.get_by_text("Jawaban untuk K1 tersimpan.")).to_be_visible()
            expect(page.get_by_text(re.compile("Sudah ditinjau: dipertahankan"))).to_be_attached()
            page.get_by_role("button", name="Kirim dan kunci formulir").click()
            _settle(page)
        expect(page.get_by_text("Formulir sudah dikirim dan terkunci", exact=False)).to_be_visible()
        _shot(page, f"kudus-3-juri{n + 1}-submitted.png")
    finally:
        ctx.close()


def _declare_final(page: Page, url: str, stages: tuple[tuple[str, str], ...]) -> None:
    """Close the protest window (no further protest announced) and declare each stage final."""
    for stage, label in stages:
        _sign_in(page, url, "panitia-kudus", stage=stage)
        _open(page, "Panitia", "Panitia")
        page.get_by_role("tab", name="Finalisasi & publikasi", exact=True).click()
        form = page.locator("[data-testid='stForm']").filter(has_text="Simpan batas sanggahan")
        try:
            expect(form).to_be_visible()
        except AssertionError:
            _shot(page, f"error-declare-{stage}.png")
            raise
        form.get_by_text("Tutup masa sanggahan sekarang").click()
        form.get_by_label("Alasan", exact=True).fill("Semua peserta menyatakan tidak ada sanggahan lagi")
        form.get_by_role("button", name="Simpan batas sanggahan").click()
        _settle(page)
        expect(page.get_by_text(f"Batas sanggahan tahap {label} diubah.")).to_be_visible()
        _settle(page)
        page.get_by_role("button", name=re.compile(f"Umumkan hasil final tahap {label}")).click()
        _settle(page)
        expect(page.get_by_text(re.compile(f"Hasil tahap {label} final")).first).to_be_visible()


def _arrivals(page: Page, url: str, shot: str) -> str:
    _sign_in(page, url, "panitia-kudus", competition=PROV)
    # The provinsi contest's Panitia page by its link (a new browser session: the sign-in cookie carries over,
    # the contest is the link's; the sidebar of the old session still held Kab. Kudus).
    page.goto(f"{url}/panitia?competition={PROV}")
    expect(page.get_by_role("heading", name="Panitia").first).to_be_visible()
    expect(page.get_by_text("Peserta dari tingkat di bawahnya")).to_be_visible()
    _settle(page)
    _shot(page, shot)
    return _main(page).inner_text()


def _download(page: Page, label: str | re.Pattern, target: Path) -> Path:
    """Click a download button (its name carries the icon's ligature, so a pattern) and keep the file."""
    with page.expect_download() as got:
        page.get_by_role("button", name=label).click()
    got.value.save_as(str(target))
    return target


def _pdf_text(path: Path) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def _documents_are_the_final_results(browser, url: str, tmp: Path) -> list[tuple[int | None, str, float | None, str]]:
    """The visitor's league table (Peringkat's CSV) against the rekap, the berita acara and the winner's scorecard
    the panitia downloads on Data: the same order, ranks, totals and awards, and each says the results are final."""
    ctx, page = _context(browser)
    try:
        page.goto(f"{url}/peringkat?competition={CID}&stage=gabungan")
        _settle(page)
        expect(page.get_by_text("Posyandu Cempaka").first).to_be_attached()
        _shot(page, "kudus-16-visitor-final.png")
        rows = list(csv.DictReader(io.StringIO(_download(page, re.compile("Unduh CSV"), tmp / "peringkat.csv")
                                               .read_text(encoding="utf-8-sig"))))
    finally:
        ctx.close()
    def num(v: object) -> float | None:
        return None if v in (None, "") else round(float(v), 2)  # type: ignore[arg-type]

    def row(rank: object, name: object, total: object, award: object) -> tuple[int | None, str, float | None, str]:
        return (None if rank in (None, "") else int(float(rank)), str(name), num(total), str(award or ""))  # type: ignore[arg-type]

    shown = sorted((row(r["Peringkat"], r["Posyandu"], r["Nilai akhir"], r["Penghargaan"]) for r in rows),
                   key=lambda r: (r[0] is None, r[0] or 0, r[1]))
    assert len(shown) == 9 and shown[0][0] == 1, shown
    ctx, page = _context(browser)
    try:
        _sign_in(page, url, "panitia-kudus")
        _open(page, "Data", "Data: impor, ekspor, cadangan")
        page.get_by_role("tab", name="Unduh dokumen").click()
        _settle(page)
        recap = _download(page, re.compile("Rekapitulasi nilai"), tmp / "rekap.xlsx")
        ba = _download(page, re.compile("Berita acara"), tmp / "berita-acara.pdf")
        _pick(page, "Kartu nilai untuk posyandu", shown[0][1].split()[-1], shown[0][1])
        card = _download(page, re.compile("Kartu nilai \\(PDF\\)"), tmp / "kartu-nilai.pdf")
        _shot(page, "kudus-17-documents.png")
    finally:
        ctx.close()

    # The rekap: the first sheet in rank order, the final line on every stage sheet, the winner "maju".
    wb = openpyxl.load_workbook(recap, read_only=True, data_only=True)
    sheet = wb["Rekapitulasi"]
    head = [c.value for c in next(sheet.iter_rows(min_row=5, max_row=5))]
    col = {k: head.index(k) for k in ("Nama Posyandu", "Nilai Akhir", "Peringkat", "Predikat", "Keterangan")}
    body = [r for r in sheet.iter_rows(min_row=7, values_only=True) if r[0] is not None and r[col["Nama Posyandu"]]]
    in_recap = [row(r[col["Peringkat"]], r[col["Nama Posyandu"]], r[col["Nilai Akhir"]], r[col["Predikat"]])
                for r in body[:9]]
    # Ties share a rank and may stand in either order on the page; the documents list them by name.
    assert in_recap == shown, (in_recap, shown)
    assert body[0][col["Keterangan"]] == "Maju ke tingkat Provinsi"
    assert not any(r[col["Keterangan"]] for r in body[1:9])
    for stage in ("Administrasi", "Lapangan"):
        assert wb[stage]["A4"].value == "Hasil final.", stage

    # The berita acara: every name in full, in the page's order, with its total and rank; then the scorecard.
    text = _pdf_text(ba)
    at = [text.index(name) for _, name, _, _ in shown]
    assert at == sorted(at), "the berita acara lists the entrants in the page's order"
    for rank, name, total, _ in shown:
        if rank is not None and total is not None:
            assert re.search(rf"{re.escape(name)} .*?{f'{total:.2f}'.replace('.', ',')} {rank}\b", text), name
    sc = _pdf_text(card)
    rank, name, total, award = shown[0]
    assert total is not None and name in sc and f"{total:.2f}".replace(".", ",") in sc
    assert re.search(rf"\b{rank} ?/ ?9\b", sc), sc
    assert award and award in sc
    return shown


def test_a_real_contest_runs_from_an_empty_store_to_an_advancing_winner(browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    path = tmp_path / "kudus.duckdb"          # does not exist: the server opens it empty, without the demo
    files = _files(tmp_path)

    with serve(path, {"POSYANDU_DEMO": None}, log_dir=ARTIFACTS) as url:   # no demo: a real store
        ctx, page = _context(browser)
        try:
            _set_up(page, url, files)
        finally:
            ctx.close()
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "panitia-kudus")
            temporary = _registry_and_accounts(page, files)
        finally:
            ctx.close()
        for user, password in temporary.items():
            _first_sign_in(browser, url, user, password)
        _visitor_sees_nothing(browser, url, "kudus-0-visitor-before.png")

        # The panitia assigns the three judges to all nine entrants; eight paper forms per judge come in by Excel.
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "panitia-kudus")
            _assign_everyone(page, "Administrasi", 9)
            _shot(page, "kudus-0e-assigned.png")
            _import_scores(page, tmp_path, "Administrasi", DESK_LEVEL, skip="Anggrek", rows=8 * 3 * 6)
            _shot(page, "kudus-0f-desk-scores-imported.png")
        finally:
            ctx.close()

        # Each judge scores Posyandu Anggrek on a phone; the third chooses two levels lower on K1.
        for n, (user, _, _, _) in enumerate(JUDGES):
            _judge_on_phone(browser, url, n, user)

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
            _shot(page, "kudus-4-provisional.png")
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
            # Said where the button the panitia pressed was, not above a long table.
            expect(page.get_by_text("5 finalis tahap Lapangan ditetapkan.")).to_be_in_viewport()
            _shot(page, "kudus-6-finalists.png")
            # The field visits: only the five finalists can be assigned; their field forms come in by Excel.
            page.get_by_role("tab", name="Penugasan juri", exact=True).click()
            expect(page.get_by_text("Hanya 5 finalis yang dapat ditugaskan dan dinilai di tahap Lapangan.")
                   ).to_be_visible()
            _assign_everyone(page, "Lapangan", 5)
            _import_scores(page, tmp_path, "Lapangan", FIELD_LEVEL, skip=None, rows=5 * 3 * 6)
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
            _shot(page, "kudus-8-protest-filed.png")
        finally:
            ctx.close()

        # The panitia upholds it: K1 of Anggrek reopens for its judges.
        ctx, page = _context(browser)
        try:
            _sign_in(page, url, "panitia-kudus", stage="lapangan")
            _open(page, "Panitia", "Panitia")
            page.get_by_role("tab", name="Sanggahan", exact=True).click()
            page.get_by_text("Terima (buka kembali kriteria itu)").click()
            page.get_by_label("Pertimbangan panitia").fill("Register dilihat langsung; kriteria K1 dinilai ulang")
            page.get_by_role("button", name="Simpan keputusan").click()
            _settle(page)
            expect(page.get_by_text(re.compile("diterima: kriteria yang disanggah dibuka kembali"))).to_be_visible()
            _shot(page, "kudus-9-upheld.png")
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
                # The saved answer comes back before the next tap (an interrupted run poisons the cursor).
                expect(box.locator("input[type='radio']").first).to_be_checked()
                _settle(page)
                _no_exception(page, f"kudus-10-rescore-juri{n + 1}.png")
                frozen = page.locator("[data-testid='stVerticalBlock']").filter(
                    has=page.get_by_text(re.compile(r"^K3 · "))).last
                expect(frozen.locator("input[type='radio']").first).to_be_disabled()
                if n == 0:
                    _shot(page, "kudus-10-rescore-phone.png")
                page.get_by_role("button", name="Kirim dan kunci formulir").click()
                _settle(page)
                # Confirmed where the button was, on the phone's screen.
                expect(page.get_by_text("Formulir Posyandu Anggrek terkirim dan terkunci.", exact=False)
                       ).to_be_in_viewport()
            finally:
                ctx.close()

        # Both stages declared final; the provinsi panitia (here the same account) sees the winner arrive.
        ctx, page = _context(browser)
        try:
            _declare_final(page, url, (("administrasi", "Administrasi"), ("lapangan", "Lapangan")))
            _shot(page, "kudus-11-final.png")
            shown = _arrivals(page, url, "kudus-12-provinsi-arrival.png")
            assert "1 pemenang maju ke lomba ini" in shown
            # Cempaka chose "a" everywhere at both stages: the one winner (the table is a canvas; the warning
            # below and the store at the end name it).
            winner = "Posyandu Cempaka"

            # A correction: reopening the field stage withdraws the winner from the provinsi contest, and says so.
            _sign_in(page, url, "panitia-kudus", stage="lapangan")
            _open(page, "Panitia", "Panitia")
            page.get_by_role("tab", name="Finalisasi & publikasi", exact=True).click()
            expect(page.get_by_text(f"Membuka kembali tahap ini menarik 1 peserta yang sudah maju ke {PROV_NAME}: "
                                    f"{winner}.", exact=False)).to_be_visible()
            form = page.locator("[data-testid='stForm']").filter(has_text="Buka kembali tahap Lapangan")
            form.get_by_label("Alasan", exact=True).fill("Salah ketik nilai K2 pada formulir lapangan")
            form.get_by_role("button", name="Buka kembali tahap Lapangan").click()
            _settle(page)
            expect(page.get_by_text(f"Tahap Lapangan dibuka kembali. Ditarik dari lomba induk (1): {winner}",
                                    exact=False)).to_be_in_viewport()
            _shot(page, "kudus-13-reopened-withdrawn.png")
            assert "Belum ada pemenang dari tingkat di bawahnya." in _arrivals(page, url, "kudus-14-provinsi-empty.png")

            # Finalised and declared final again: the winner goes up again.
            _sign_in(page, url, "panitia-kudus", stage="lapangan")
            _open(page, "Panitia", "Panitia")
            page.get_by_role("tab", name="Finalisasi & publikasi", exact=True).click()
            page.get_by_role("button", name=re.compile("Finalkan tahap Lapangan")).click()
            _settle(page)
            expect(page.get_by_text("Tahap Lapangan difinalkan: hasil sementara diumumkan")).to_be_visible()
            _declare_final(page, url, (("lapangan", "Lapangan"),))
            assert "1 pemenang maju ke lomba ini" in _arrivals(page, url, "kudus-15-provinsi-arrival-again.png")
        finally:
            ctx.close()

        # A visitor now sees the final results of Kab. Kudus, and the signed documents say the same.
        final = _documents_are_the_final_results(browser, url, tmp_path)
        assert final[0][1] == winner

    con = store.connect(path, read_only=True)
    try:
        assert con.sql("SELECT count(*) FROM posyandu").fetchone()[0] == 9          # no demo, only Kudus
        up = con.sql("SELECT p.name, e.source_entrant_id FROM entrants e JOIN posyandu p USING (posyandu_id) "
                     "WHERE e.competition_id = ?", params=[PROV]).fetchall()
        assert len(up) == 1 and up[0][0] == winner and up[0][1].startswith(CID)
        assert con.sql("SELECT username FROM users WHERE role = 'juri' AND NOT must_change_password ORDER BY 1"
                       ).fetchall() == [("juri-dinkes",), ("juri-pkk",), ("juri-pupr",)]
        assert con.sql("SELECT region_code FROM users WHERE username = 'pembina-kudus'").fetchone() == ("33.19",)
        assert con.sql("SELECT count(*) FROM assignments WHERE competition_id = ?", params=[CID]).fetchone()[0] \
            == 27 + 15
        actions = {r[0] for r in con.sql("SELECT DISTINCT action FROM audit_log").fetchall()}
        for a in ("create", "import", "assign", "disagreement_kept", "pick_finalists", "provisional",
                  "protest_filed", "protest_upheld", "protest_resolved", "set_protest_deadline", "declare_final",
                  "advance", "withdraw_advanced"):
            assert a in actions, a
    finally:
        con.close()

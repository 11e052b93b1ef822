"""Hostile names in a real browser (issue #19): panitia imports a posyandu registry whose names, addresses and
contacts are Markdown, HTML and formulas; practices, judges, notes and an evidence file carry the same. Then
every page is walked as the public and as panitia, and none of it may become a link, an image, a script or a
request to evil.example. What must not happen is asserted on every page; what must happen (the name shown as
typed) on the profile."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from data import store
from data.exchange.imports import import_file
from data.judging import publication
from data.judging.auth import User
from present.i18n import t
from tests.e2e.conftest import ARTIFACTS, nav, serve, settle, sign_in
from tests.fixtures import hostile
from ui.navigation import PAGES

COMP = "LP2026-KAB-36.02"       # Kab. Lebak 2026, every stage final: the public sees it
NAME = hostile.MARKUP[0]        # "[klik](https://evil.example) **tebal**"
WAIT = 90_000                   # ms: a busy test machine takes its time over argon2 and the engine

# Every element attribute that could fetch or run something; none may name the hostile host.
FIND_HOSTILE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.getAttributeNames()) {
      const v = el.getAttribute(a) || '';
      if ((a.endsWith('href') || a === 'src' || a === 'srcset' || a.startsWith('on')) && v.includes('evil.example'))
        bad.push(el.tagName + ' ' + a + '=' + v);
    }
    if (el.tagName === 'SCRIPT' && (el.textContent || '').includes('diretas')) bad.push('SCRIPT ' + el.textContent);
  }
  if (document.title.includes('diretas')) bad.push('title ' + document.title);
  return bad;
}"""


def _registry_csv(con) -> tuple[bytes, str]:
    """The registry rows of every entrant of COMP with hostile names (cycling through the corpus); and the
    posyandu that gets NAME."""
    rows = con.sql("SELECT p.posyandu_id, p.desa_code FROM entrants e JOIN posyandu p USING (posyandu_id) "
                   "WHERE e.competition_id = ? ORDER BY p.posyandu_id", params=[COMP]).fetchall()
    texts = hostile.TEXTS
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["posyandu_id", "nama", "kode_desa", "alamat", "nama_kontak"])
    for i, (pid, desa) in enumerate(rows):
        text = texts[(i + texts.index(NAME)) % len(texts)]
        w.writerow([pid, text, desa, text, texts[(i + 3) % len(texts)]])
    return buf.getvalue().encode("utf-8"), rows[0][0]


def _seed_other_texts(path: Path) -> tuple[str, str, str]:
    """Practices, judges, notes and an evidence file name with hostile text, written before the server starts;
    returns the competition, stage and posyandu name of an open form with scores (for the Penilaian page)."""
    con = store.connect(path)
    try:
        posyandu = [r[0] for r in con.sql("SELECT posyandu_id FROM entrants WHERE competition_id = ? "
                                          "ORDER BY posyandu_id", params=[COMP]).fetchall()]
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";")
        w.writerow(["posyandu_id", "bidang", "judul", "uraian", "tahun"])
        for i, pid in enumerate(posyandu):
            for field in ("kesehatan", "pendidikan"):
                w.writerow([pid, field, hostile.TEXTS[i % len(hostile.TEXTS)],
                            hostile.TEXTS[(i + 5) % len(hostile.TEXTS)], 2026])
        plan, result = import_file(con, "practices", buf.getvalue().encode("utf-8"), "praktik.csv")
        assert result is not None, [p.text() for p in plan.problems[:3]]
        # an open form with scores: its notes and evidence show on the scoring form
        cid, stage, entrant, pname = con.sql(
            "SELECT s.competition_id, s.stage, s.entrant_id, p.name FROM scores s "
            "JOIN competition_stages cs USING (competition_id, stage) JOIN entrants e USING (entrant_id) "
            "JOIN posyandu p USING (posyandu_id) LEFT JOIN judging_forms f ON f.entrant_id = s.entrant_id "
            "AND f.stage = s.stage AND f.judge_id = s.judge_id WHERE cs.finalized_at IS NULL "
            "AND coalesce(f.status, 'open') = 'open' ORDER BY s.competition_id, s.entrant_id LIMIT 1").fetchone()
        # A published result is frozen with the names it was announced with (issue #13): for the public pages
        # to show hostile names, they are the names at publication. The browser import below then changes
        # addresses and contacts of the same rows (and keeps the names).
        registry = list(csv.reader(io.StringIO(_registry_csv(con)[0].decode("utf-8")), delimiter=";"))[1:]
        stages = [r[0] for r in con.sql("SELECT stage FROM competition_stages WHERE competition_id = ? ORDER BY ord",
                                        params=[COMP]).fetchall()]
        with store.transaction(con):
            con.executemany("UPDATE posyandu SET name = ? WHERE posyandu_id = ?", [[r[1], r[0]] for r in registry])
            for stage_name in stages:
                publication.refresh_snapshots(con, User("panitia", "panitia"), COMP, stage_name)
            store.touch(con, COMP)
            store.touch_reference(con)
        sha = "e" * 64
        with store.transaction(con):
            con.execute("UPDATE judges SET name = ?, institution = ? WHERE judge_id IN "
                        "(SELECT judge_id FROM assignments WHERE competition_id IN (?, ?))",
                        [hostile.MARKUP[4], hostile.MARKUP[2], COMP, cid])
            con.execute("INSERT INTO evidence_files (sha256, mime_type, size_bytes, original_name, uploaded_by) "
                        "VALUES (?, 'image/png', 2048, ?, 'juri1')", [sha, hostile.MARKUP[2]])
            con.execute("UPDATE score_choices SET note = ?, evidence = [?] WHERE competition_no = "
                        "(SELECT no FROM key_competition WHERE competition_id = ?) OR entrant_no = "
                        "(SELECT no FROM key_entrant WHERE entrant_id = ?)", [hostile.MARKUP[0], sha, COMP, entrant])
        return cid, stage, pname
    finally:
        con.close()


@pytest.fixture(scope="module")
def hostile_app(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str, str, str]]:
    """A dashboard on its own copy of the demo store (the other journeys keep their names)."""
    folder = tmp_path_factory.mktemp("hostile")
    store_file = folder / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    cid, stage, pname = _seed_other_texts(store_file)
    with serve(store_file) as url:
        yield url, store_file, cid, stage, pname


def _settle(page) -> None:
    """The script run is over and every request the page made has answered: "networkidle" on purpose here, so a
    hostile name's image or link would have been fetched (and caught) before the page is judged."""
    page.wait_for_load_state("networkidle")
    settle(page)


def _assert_nothing_hostile(page, where: str, requests: list[str], dialogs: list[str]) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0, timeout=WAIT)
    assert page.evaluate(FIND_HOSTILE) == [], where
    assert requests == [], f"{where}: the browser fetched {requests}"
    assert dialogs == [], f"{where}: a script ran ({dialogs})"


def test_hostile_names_stay_text_on_every_page(hostile_app, browser):
    url, store_file, open_cid, open_stage, open_name = hostile_app
    con = store.connect(store_file, read_only=True)
    try:
        registry, named = _registry_csv(con)
    finally:
        con.close()
    upload = ARTIFACTS / "hostile-registry.csv"
    ARTIFACTS.mkdir(exist_ok=True)
    upload.write_bytes(registry)

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(90_000)
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "evil.example" in r.url else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        # Panitia imports the registry with hostile names through the Data page.
        sign_in(page, url, "panitia", "panitia-demo", f"?competition={COMP}", timeout=WAIT)
        nav(page, "Data")
        expect(page.get_by_role("heading", name=re.compile("Data"))).to_be_visible(timeout=WAIT)
        _settle(page)
        # the dropzone speaks Indonesian (Streamlit's own words are English; ui.uploads replaces them)
        drop = page.locator("[data-testid='stFileUploaderDropzoneInstructions'] > div > span").first
        assert drop.evaluate("e => getComputedStyle(e, '::after').content") == '"Seret dan lepas berkas di sini"'
        expect(page.locator("[data-testid='stFileUploaderDropzoneInstructions'] small").first).to_be_hidden()
        # the button's own English word ("Upload", beside its icon) gives way to ours
        button = page.locator("[data-testid='stFileUploaderDropzone'] button").first
        expect(button.locator("[data-testid='stMarkdownContainer']")).to_be_hidden()
        assert button.evaluate("e => getComputedStyle(e, '::after').content") == '"Pilih berkas"'
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(upload))
        expect(page.get_by_text("Baris baru")).to_be_visible(timeout=WAIT)
        _settle(page)
        _assert_nothing_hostile(page, "Data: preview", requests, dialogs)
        page.screenshot(path=str(ARTIFACTS / "hostile-1-preview.png"), full_page=True)
        page.get_by_role("button", name="Simpan semua").click()
        expect(page.get_by_text(re.compile(r"Tersimpan: \d+ baris baru, \d+ diperbarui"))).to_be_visible(timeout=WAIT)
        _assert_nothing_hostile(page, "Data: written", requests, dialogs)

        # Every page, through the navigation (the panitia session sees the organisers' pages too).
        # The registry the dashboard's navigation is built from: every page, the organisers' set-up pages too.
        for entry in PAGES:
            label = t(entry.title_key, "id")
            nav(page, label)
            _settle(page)
            page.screenshot(path=str(ARTIFACTS / f"hostile-page-{label.split()[0].lower()}.png"), full_page=True)
            _assert_nothing_hostile(page, label, requests, dialogs)

        # The profile of the posyandu named NAME shows the name exactly as typed, in its heading.
        page.goto(f"{url}/profil?competition={COMP}&posyandu={named}")
        _settle(page)
        heading = page.locator("h1").filter(has_text="klik").first
        expect(heading).to_be_visible(timeout=WAIT)
        assert heading.inner_text().replace("\u2060", "").strip() == f"Posyandu {NAME}"
        _assert_nothing_hostile(page, "Profil (deep link)", requests, dialogs)
        page.screenshot(path=str(ARTIFACTS / "hostile-2-profil.png"), full_page=True)

        # The scoring form with hostile notes, an evidence file named like an image, hostile judge names.
        # (a deep link opens a new session: sign in again, on the contest whose forms are open)
        _open_form(page, url, open_cid, open_stage, open_name)
        page.screenshot(path=str(ARTIFACTS / "hostile-3-penilaian.png"), full_page=True)
        expect(page.get_by_text(re.compile(r"!\[p\]")).first).to_be_visible(timeout=WAIT)      # the file name, as text
        _assert_nothing_hostile(page, "Penilaian", requests, dialogs)
    finally:
        context.close()


def _open_form(page, url: str, cid: str, stage: str, name: str) -> None:
    """Sign in as panitia on the contest with open forms and show the form of posyandu `name`, every section open."""
    sign_in(page, url, "panitia", "panitia-demo", f"?competition={cid}&stage={stage}", timeout=WAIT)
    # By the page's link (a new session, signed in by the cookie, on the link's contest): signing out on Masuk
    # first (conftest.sign_in) left the sidebar on a public contest, which the sign-in kept.
    page.goto(f"{url}/penilaian?competition={cid}&stage={stage}")
    expect(page.get_by_role("heading", name="Penilaian").first).to_be_visible(timeout=WAIT)
    _show_form(page, name)


def _show_form(page, name: str) -> None:
    _settle(page)
    collapse = page.locator("[data-testid='stSidebarCollapseButton'] button")
    if collapse.count() and collapse.first.is_visible() and page.viewport_size["width"] < 600:
        collapse.first.click()                 # phones: close the menu over the form
    page.screenshot(path=str(ARTIFACTS / "hostile-form-before-pick.png"), full_page=True)
    pick = page.locator("[data-testid='stSelectbox']").filter(has_text="Peserta").first
    pick.click()
    page.keyboard.type(name)
    page.get_by_role("option").filter(has_text=name).first.click()
    _settle(page)
    closed = page.locator("[data-testid='stExpander'] details:not([open]) summary")
    for _ in range(20):     # counted anew each time: a rerun may open (or keep open) a section by itself
        if not closed.count():
            break
        closed.first.click()
        _settle(page)


def test_a_note_typed_without_enter_is_kept_when_the_judge_moves_on(hostile_app, browser):
    url, _, cid, stage, name = hostile_app
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        _open_form(page, url, cid, stage, name)
        note = page.locator("[data-testid='stTextArea'] textarea").first
        note.fill("Catatan diketik tanpa Enter")
        # the judge moves on to the next field (Tab, as a phone's "next" key does): the box loses focus, no Enter
        page.keyboard.press("Tab")
        _settle(page)
        # away and back in the same session: the form is read from the store again
        nav(page, "Beranda")
        _settle(page)
        nav(page, "Penilaian")
        _show_form(page, name)
        expect(page.locator("[data-testid='stTextArea'] textarea").first).to_have_value(
            "Catatan diketik tanpa Enter", timeout=WAIT)
        page.screenshot(path=str(ARTIFACTS / "hostile-4-note-kept.png"), full_page=True)
    finally:
        context.close()


def test_the_public_peringkat_downloads_carry_the_names_as_text(hostile_app, browser, tmp_path):
    """Item 1 as a visitor meets it: the Excel and CSV from Peringkat, saved by the browser and opened, hold
    the hostile names as text (no cell is a formula) and every CSV cell a spreadsheet would run is defused."""
    import openpyxl

    url = hostile_app[0]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{url}/peringkat?competition={COMP}")
        _settle(page)
        files = {}
        for label in ("Unduh Excel", "Unduh CSV"):
            button = page.locator("[data-testid='stDownloadButton'] button").filter(has_text=label).first
            expect(button).to_be_visible(timeout=WAIT)
            with page.expect_download(timeout=180_000) as info:
                button.click()
            files[label] = tmp_path / info.value.suggested_filename
            info.value.save_as(files[label])
            _settle(page)
        page.screenshot(path=str(ARTIFACTS / "hostile-5-peringkat-downloads.png"), full_page=True)
    finally:
        context.close()

    book = openpyxl.load_workbook(files["Unduh Excel"])
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    shown = {c.value for c in cells if isinstance(c.value, str)}
    assert NAME in shown and set(hostile.FORMULAS) & shown, "the names are there, as typed, as text"
    text = files["Unduh CSV"].read_bytes().decode("utf-8-sig")
    cells_csv = [v for row in csv.reader(io.StringIO(text, newline="")) for v in row]
    live = [v for v in cells_csv if v[:1] in ("=", "+", "@", "\t", "\r")
            or (v[:1] == "-" and not re.fullmatch(r"-\d+([.,]\d+)?", v))]      # a negative number is a number
    assert live == [], live
    assert any(v.startswith("'=HYPERLINK(") for v in cells_csv), "a formula-like name is kept, defused"

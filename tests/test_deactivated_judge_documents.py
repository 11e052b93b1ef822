"""A judge deactivated after scoring keeps their name and points in the documents the committee signs (issue #12,
"Accounts": "deactivate an account (its scores stay, with its name)").

The panitia deactivates juri2 (Jamilah Sulaiman, who scored both stages of Provinsi Banten 2025) on the Akun page;
then the Data page's own rekap and berita acara buttons are pressed: the builders the page hands to the download
buttons are taken and run as a click runs them (their own cursor on the store)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from data import store
from tests.pages_support import sign_in
from tests.pdf_support import pdf_text
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
CONTEST = "LP2025-PROV-36"
JUDGE = "Jamilah Sulaiman"


def _page(name: str, token: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.session_state[TOKEN_KEY] = token
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


@pytest.fixture
def pressed(monkeypatch):
    """The Data page's download buttons by key: label and the builder a click runs."""
    import ui.downloads

    buttons: dict[str, tuple[str, object]] = {}
    real = ui.downloads.store_download

    def capture(container, label, build, **kwargs):
        buttons[kwargs["key"]] = (label, build)
        real(container, label, build, **kwargs)
    monkeypatch.setattr(ui.downloads, "store_download", capture)
    return buttons


def test_a_judge_deactivated_after_scoring_keeps_name_and_points_in_rekap_and_berita_acara(demo_app, pressed):
    con = demo_app
    judge_id = con.sql("SELECT judge_id FROM users WHERE username = 'juri2'").fetchone()[0]
    scored = con.sql("SELECT count(*) FROM scores WHERE competition_id = ? AND judge_id = ?",
                     params=[CONTEST, judge_id]).fetchone()[0]
    assert scored > 0 and con.sql("SELECT name FROM judges WHERE judge_id = ?", params=[judge_id]).fetchone()[0] == JUDGE

    token = sign_in(con, "panitia")
    akun = _page("akun", token, competition=CONTEST)
    akun.selectbox(key="akun.pick").set_value("juri2").run()
    akun.text_input(key="akun.reason").set_value("pindah tugas ke Dinas Sosial")
    akun.button(key="akun.toggle").click().run()
    assert not akun.exception
    assert any("Akun juri2 dinonaktifkan" in s.value for s in akun.success)
    assert con.sql("SELECT active FROM users WHERE username = 'juri2'").fetchone()[0] is False

    data = _page("pertukaran_data", token, competition=CONTEST)
    assert not data.exception
    assert {"ex.recap", "ex.ba"} <= set(pressed)
    cur = store.connect(store.store_path())
    try:
        recap = pressed["ex.recap"][1](cur)           # type: ignore[operator]
        ba = pressed["ex.ba"][1](cur)                 # type: ignore[operator]
    finally:
        cur.close()

    wb = openpyxl.load_workbook(io.BytesIO(recap))
    for sheet in ("Administrasi", "Lapangan"):
        ws = wb[sheet]
        header = [c.value for c in ws[6]]
        assert JUDGE in header, (sheet, header)          # a column of their own, under their name in full
        col = header.index(JUDGE)
        points = [r[col] for r in ws.iter_rows(min_row=7, values_only=True)
                  if r[2] and " · " in str(r[2]) and r[col] is not None]
        # every criterion they scored at this stage has its points in their column
        n = con.sql("SELECT count(*) FROM scores WHERE competition_id = ? AND judge_id = ? AND stage = ?",
                    params=[CONTEST, judge_id, sheet.lower()]).fetchone()[0]
        assert n > 0 and len(points) == n and all(isinstance(p, int | float) for p in points), (sheet, n, points[:5])
        # … and their line in the signature table of the stage
        assert any(JUDGE in [str(v) for v in r] for r in ws.iter_rows(min_row=7, values_only=True))
    text = pdf_text(ba)
    assert JUDGE in text

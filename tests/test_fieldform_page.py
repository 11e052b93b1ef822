"""The field-form page: panitia get an XLSForm of the competition's instrument (with its attached entrant list),
a juri one of their own assignments; nobody else gets in."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from data.judging import auth
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "formulir_lapangan.py")


@pytest.fixture
def demo(demo_app):
    return demo_app


def test_panitia_downloads_an_xlsform_of_the_competition(demo) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state[TOKEN_KEY] = auth.authenticate(demo, "panitia", "panitia-demo").token
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Formulir lapangan")
    buttons = at.get("download_button")
    assert len(buttons) == 2          # the XLSForm and its attached entrant list
    cid = at.session_state["ctx.competition"]
    n_entrants = demo.sql("SELECT count(*) FROM entrants WHERE competition_id = ?", params=[cid]).fetchone()[0]
    # The caption names the instrument's 60 criteria and the competition's entrants, formatted the Indonesian way.
    assert any("60 kriteria" in c.value and f"{n_entrants} peserta" in c.value for c in at.caption)
    facts = next(c.value for c in at.caption if "form_id" in c.value)
    assert "60 pertanyaan foto bukti" in facts and "1.280 piksel" in facts
    assert any("peserta.csv" in c.value and "Settings › Media" in c.value for c in at.caption)
    # Inside the form instead: one download, and another version (the list is now the form's own content).
    at.radio(key="ff.mode").set_value("inline").run()
    assert not at.exception, at.exception
    assert len(at.get("download_button")) == 1
    assert next(c.value for c in at.caption if "form_id" in c.value) != facts
    assert not any("Settings › Media" in c.value for c in at.caption)


def test_a_juri_gets_a_form_of_their_own_assignments(demo) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state[TOKEN_KEY] = auth.authenticate(demo, "juri1", "juri-demo").token
    at.run()
    assert not at.exception, at.exception
    cid = at.session_state["ctx.competition"]
    judge = demo.sql("SELECT judge_id FROM users WHERE username = 'juri1'").fetchone()[0]
    mine = demo.sql("SELECT count(DISTINCT entrant_id) FROM assignments WHERE competition_id = ? AND judge_id = ?",
                    params=[cid, judge]).fetchone()[0]
    assert mine > 0
    assert any(f"{mine} peserta, 1 juri" in c.value for c in at.caption)
    assert any("ditugaskan kepada Anda" in i.value for i in at.info)
    assert len(at.get("download_button")) == 2


def test_xlsform_lists_every_entrant_of_the_competition(demo) -> None:
    from data.exchange import xlsform
    from data.instruments.persistence import read_instrument
    from data.store import reads

    cid = demo.sql("SELECT competition_id FROM competitions WHERE level = 'kabupaten' LIMIT 1").fetchone()[0]
    comp = reads.competition(demo, cid)
    entrants = reads.entrants_frame(demo, cid)
    book = openpyxl.load_workbook(io.BytesIO(xlsform.build_xlsform(
        read_instrument(demo, comp["instrument_id"]),
        entrants=list(zip(entrants["entrant_id"], entrants["posyandu_name"], strict=True)))))
    names = {row[1] for row in book["choices"].iter_rows(values_only=True)}
    assert set(entrants["entrant_id"]) <= names


@pytest.mark.parametrize("who", [None, ("pembina-lebak", "pembina-demo")])
def test_only_panitia_and_juri_may_use_field_forms(demo, who) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if who:
        at.session_state[TOKEN_KEY] = auth.authenticate(demo, *who).token
    at.run()
    assert not at.exception, at.exception
    assert not at.get("download_button")

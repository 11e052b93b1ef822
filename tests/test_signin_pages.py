"""Sign-in throttling as a user meets it: the Masuk page asks a guesser to wait (in their language), and the
Panitia desk lists accounts with failed sign-ins and unlocks one, audited."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data.judging import auth
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent


def _masuk() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages/masuk.py"), default_timeout=60).run()


def _try(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="masuk.username").input(username)
    at.text_input(key="masuk.password").input(password)
    return at.button[0].click().run()


def test_a_guesser_is_asked_to_wait_and_another_browser_still_signs_in(demo_app, monkeypatch):
    # a 10-minute first delay: a slow test machine must not let the wait run out between two clicks
    monkeypatch.setattr(auth, "DELAY_BASE", dt.timedelta(minutes=10))
    guesser = _masuk()
    for _ in range(auth.PAIR_FREE_FAILURES):
        _try(guesser, "juri1", "tebak-tebak")
    assert not guesser.exception
    assert "Nama pengguna atau kata sandi salah" in guesser.error[0].value
    assert guesser.warning and "Coba lagi dalam 10 menit" in guesser.warning[0].value
    _try(guesser, "juri1", "juri-demo")                # the right password, too soon: not even checked
    assert TOKEN_KEY not in guesser.session_state
    assert "belum diperiksa" in guesser.error[0].value
    owner = _masuk()                                   # the judge's own browser session is another client
    _try(owner, "juri1", "juri-demo")
    assert not owner.exception and TOKEN_KEY in owner.session_state


def test_panitia_sees_slowed_accounts_and_unlocks_one(demo_app):
    for _ in range(auth.PAIR_FREE_FAILURES):          # the fifth asks this address to wait
        auth.authenticate(demo_app, "juri2", "tebak-tebak", client="ip:203.0.113.9")
    at = AppTest.from_file(str(ROOT / "pages/panitia.py"), default_timeout=60)
    at.session_state[TOKEN_KEY] = auth.authenticate(demo_app, "panitia", "panitia-demo").token
    at.run()
    assert not at.exception
    listed = [df.value for df in at.dataframe if "Nama pengguna" in df.value.columns]
    assert listed and listed[0]["Nama pengguna"].tolist() == ["juri2"] and listed[0]["Gagal"].tolist() == [5]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4} pukul \d{2}\.\d{2}", listed[0]["Terakhir gagal"][0])
    at.selectbox(key="pt.unlock_who").select("juri2")
    at.button(key="pt.unlock").click().run()
    assert not at.exception
    assert any("juri2" in s.value and "5" in s.value for s in at.success)
    # the list is read after the unlock: juri2 is gone from it at once, not on the next click
    assert not [df.value for df in at.dataframe if "Nama pengguna" in df.value.columns]
    assert auth.throttle(demo_app, "juri2", "ip:203.0.113.9") is None
    assert demo_app.sql("SELECT actor, action, entity_key FROM audit_log WHERE action = 'unlock_account'"
                        ).fetchall() == [("panitia", "unlock_account", "juri2")]

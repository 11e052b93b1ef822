"""#18 Penilaian offers "tidak ada kasus / tidak berlaku" only where the instrument allows it: as one more choice
of a choice criterion, as a box beside the value of a nilai-riil criterion (the value then cannot be typed), and
the answer is stored at once as scoring.instrument.NO_CASE. AppTest on a copy of the demo store."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data.instruments.loader import load_instrument_text
from data.instruments.persistence import save_instrument
from data.judging import auth
from data.judging import forms as judging
from scoring.instrument import NO_CASE
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
ALLOW = ("TRB-03", "PU-06")      # KDRT cases (choice) and % of public-works complaints followed up (nilai riil)


def _allowing(con, cid: str) -> str:
    """A new version of the contest's instrument allowing "tidak ada kasus" on ALLOW; the contest then uses it."""
    iid, text = con.execute("SELECT i.instrument_id, i.source_text FROM competitions c JOIN instruments i "
                            "USING (instrument_id) WHERE c.competition_id = ?", [cid]).fetchone()
    for crit in ALLOW:
        text = re.sub(rf"(- id: {crit}\n(\s+)text: [^\n]*\n)", r"\1\2no_case_allowed: true\n", text)
    text = re.sub(r"^version: \d+", "version: 99", text, flags=re.MULTILINE)
    inst = load_instrument_text(text).instrument
    assert inst is not None and sorted(c.id for c in inst.criteria if c.no_case_allowed) == sorted(ALLOW)
    save_instrument(con, inst, text)
    con.execute("UPDATE competitions SET instrument_id = ? WHERE competition_id = ?", [inst.instrument_id, cid])
    return inst.instrument_id


def _page(con, name: str, username: str, password: str, cid: str, stage: str, **params: str) -> AppTest:
    """One page run signed in as `username`, on the contest and stage given, with the query parameters given."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.session_state[TOKEN_KEY] = auth.authenticate(con, username, password).token
    at.session_state["ctx.competition"] = cid
    at.session_state["ctx.restored"] = True
    at.session_state["ctx.stage"] = stage
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_a_judge_answers_no_case_where_allowed_and_nowhere_else(demo_app):
    con = demo_app
    juri = auth.get_user(con, "juri1")
    cid, stage, entrant = con.sql(
        "SELECT a.competition_id, a.stage, min(a.entrant_id) FROM assignments a JOIN competition_stages cs "
        "USING (competition_id, stage) LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id "
        "AND f.stage = a.stage AND f.judge_id = a.judge_id WHERE a.judge_id = ? AND cs.finalized_at IS NULL "
        "AND coalesce(f.status, 'open') = 'open' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1",
        params=[juri.judge_id]).fetchone()
    _allowing(con, cid)
    at = _page(con, "penilaian", "juri1", "juri-demo", cid, stage, entrant=entrant)
    assert not at.exception
    assert at.selectbox(key="pn.pair").value[0] == entrant
    base = f"pn.{cid}.{stage}.{entrant}.{juri.judge_id}"
    kdrt = at.radio(key=f"{base}.TRB-03.opt")
    assert kdrt.options[-1] == "Tidak ada kasus / tidak berlaku" and len(kdrt.options) == 5
    others = [r for r in at.radio if r.key != kdrt.key]
    assert others and all("Tidak ada kasus / tidak berlaku" not in r.options for r in others)
    kdrt.set_value(NO_CASE).run()
    assert not at.exception
    # the nilai-riil criterion: a box beside the value; ticked, the value cannot be typed
    box = at.checkbox(key=f"{base}.PU-06.nc")
    assert box.label == "Tidak ada kasus / tidak berlaku"
    assert [c.key for c in at.checkbox if c.key.endswith(".nc")] == [box.key]
    box.check().run()
    assert not at.exception
    assert at.number_input(key=f"{base}.PU-06.real").disabled
    saved = {r["criterion_id"]: (r["option_code"], r["real_value"]) for r in judging.read_scores(
        con, juri, cid, stage, entrant).iter_rows(named=True)}
    assert saved["TRB-03"] == (NO_CASE, None) and saved["PU-06"] == (NO_CASE, None)
    # untick: the answer is cleared and the value can be typed again
    at.checkbox(key=f"{base}.PU-06.nc").uncheck().run()
    assert not at.exception
    assert not at.number_input(key=f"{base}.PU-06.real").disabled
    saved = dict(con.execute("SELECT criterion_id, option_code FROM scores WHERE competition_id = ? AND stage = ? "
                             "AND entrant_id = ? AND judge_id = ? AND criterion_id = 'PU-06'",
                             [cid, stage, entrant, juri.judge_id]).fetchall())
    assert saved.get("PU-06") is None


def test_profil_names_a_criterion_every_judge_answered_no_case(demo_app):
    con = demo_app
    panitia = auth.get_user(con, "panitia")
    cid, stage, entrant, judges = con.sql(
        "SELECT a.competition_id, a.stage, a.entrant_id, list(a.judge_id) FROM assignments a "
        "JOIN competition_stages cs USING (competition_id, stage) LEFT JOIN judging_forms f "
        "ON f.entrant_id = a.entrant_id AND f.stage = a.stage AND f.judge_id = a.judge_id "
        "WHERE cs.finalized_at IS NULL GROUP BY ALL "
        "HAVING bool_and(coalesce(f.status, 'open') = 'open') ORDER BY a.entrant_id LIMIT 1").fetchone()
    _allowing(con, cid)
    for judge in judges:       # the panitia enters each judge's answer (as from a paper form)
        judging.save_score(con, panitia, cid, stage, entrant, "TRB-03", option_code=NO_CASE, judge_id=judge)
    posyandu = con.execute("SELECT posyandu_id FROM entrants WHERE entrant_id = ?", [entrant]).fetchone()[0]
    at = _page(con, "profil", "panitia", "panitia-demo", cid, stage, posyandu=posyandu)
    assert not at.exception, at.exception
    lines = [c.value for c in at.caption if "Tidak dihitung karena tidak ada kasus" in str(c.value)]
    assert len(lines) == 1 and "kekerasan dalam rumah tangga" in lines[0]   # TRB-03, by its text
    choices = [df.value for df in at.dataframe if "Pilihan juri" in list(df.value.columns)]
    assert choices and any((d["Pilihan juri"] == "Tidak ada kasus / tidak berlaku").any() for d in choices)

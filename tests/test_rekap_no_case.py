"""#18 "tidak ada kasus" through the score import into the signed rekap: a judge's answer is written as such in
its cell, the criterion is "tidak ada kasus" in the combined column, and the field score is over the rest."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from data import store
from data.exchange.exports import export_data
from data.exchange.exports.recap_xlsx import recap_workbook
from data.exchange.imports import import_file
from data.instruments.loader import load_instrument_text
from data.instruments.persistence import save_instrument
from tests.fixtures.malformed.make_corpus import score_header, score_rows, xlsx
from tests.fixtures.malformed.world import COMPETITION, seed_world


def test_no_case_answers_are_imported_and_named_in_the_signed_rekap(con):
    w = seed_world(con, assign=True)
    text = con.execute("SELECT source_text FROM instruments WHERE instrument_id = ?",
                       [w["instrument"].instrument_id]).fetchone()[0]
    text = re.sub(r"(- id: pend_1\n(\s+)text: [^\n]*\n)", r"\1\2no_case_allowed: true\n", text)
    text = re.sub(r"^version: 1", "version: 2", text, flags=re.MULTILINE)
    inst = load_instrument_text(text).instrument
    assert inst is not None and inst.criterion("pend_1").no_case_allowed
    save_instrument(con, inst, text)
    with store.transaction(con):
        con.execute("UPDATE competitions SET instrument_id = ? WHERE competition_id = ?",
                    [inst.instrument_id, COMPETITION])
        store.touch(con, COMPETITION)
    rows = score_rows(inst, w["entrants"], w["judges"])
    first = w["entrants"][0]
    for r in rows:
        if r[0] == first:
            r[4] = "Tidak ada kasus"             # pend_1, the first criterion, for every judge of entrant 0
    plan, result = import_file(con, "scores", xlsx(score_header(inst), rows, "Nilai"), "nilai-lapangan.xlsx",
                               competition_id=COMPETITION, stage="lapangan")
    assert result is not None, plan.problems[:3]
    assert con.execute("SELECT count(*) FROM scores WHERE option_code = 'tidak_ada_kasus' AND entrant_id = ?",
                       [first]).fetchone()[0] == len(w["judges"])
    # "tidak ada kasus" on a criterion that does not allow it is refused with its row
    bad = score_rows(inst, w["entrants"], w["judges"])
    bad[0][5] = "tidak ada kasus"                # pend_2
    plan, result = import_file(con, "scores", xlsx(score_header(inst), bad, "Nilai"), "nilai-salah.xlsx",
                               competition_id=COMPETITION, stage="lapangan")
    assert result is None and any(p.message_key == "exchange_no_case_not_allowed" for p in plan.problems)

    wb = openpyxl.load_workbook(io.BytesIO(recap_workbook(export_data(con, COMPETITION, "lapangan"))))
    sheet = next(ws for ws in wb.worksheets if ws.title.lower().startswith("lapangan"))
    grid = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(grid) if i > 5 and r[1] and _is(con, first, r[1]))
    block = grid[start:start + 30]
    line = {r[2].split(" · ")[0]: r[3:7] for r in block if r[2] and " · " in r[2]}
    assert line["pend_1"] == ("tidak ada kasus",) * 4
    # pendidikan over pend_2 and pend_3 only: judge k answers "abcd"[(0 + k + c) % 4] → pend_2 3,2,1; pend_3 2,1,4
    fields = {r[2]: r[6] for r in block if r[2] and str(r[2]).startswith("Nilai bidang")}
    assert fields["Nilai bidang Pendidikan (%)"] == pytest.approx(100 * (2 + 7 / 3) / 8)


def _is(con, entrant: str, cell: object) -> bool:
    name = con.execute("SELECT p.name FROM entrants e JOIN posyandu p USING (posyandu_id) WHERE e.entrant_id = ?",
                       [entrant]).fetchone()[0]
    return str(cell).startswith(name)

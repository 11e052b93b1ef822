"""Every path that writes scores refuses a row the engine would ignore: a stage the competition does not list
(or none), an entrant not registered in it (or none), a criterion not in its instrument — with a reason in the
user's language, and nothing written. (The engine's side of the rule: `scoring.points.IGNORED`.)"""

from __future__ import annotations

import csv
import io

import pytest

from data import store
from data.exchange.backup import table_checksums
from data.exchange.imports import import_file
from data.exchange.kobo_import import import_export
from data.exchange.problems import message_keys, problems_frame
from data.judging import assignments
from data.judging import forms as judging
from present.i18n import t
from tests.fixtures.malformed.make_corpus import score_header, score_rows, xlsx
from tests.fixtures.malformed.world import COMPETITION, seed_world
from tests.test_judging_fixtures import CID, JURI1, PANITIA, assign_defaults, build_contest, mini_instrument
from tests.test_xlsform import KOBO_HEADER, _kobo_row


@pytest.fixture
def contest(con):
    build_contest(con)
    assign_defaults(con)
    # a second competition with its own entrant, to try entrants of the wrong contest
    with store.transaction(con):
        con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id) "
                    "VALUES ('pandeglang-2026', 'Lomba Pandeglang', 2026, 'kabupaten', '36.01', 'mini@1')")
        con.execute("INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached) "
                    "VALUES ('X1', 'pandeglang-2026', 'P4', 'lapangan')")
    return con


def _no_scores(con) -> bool:
    return con.sql("SELECT count(*) FROM scores").fetchone()[0] == 0


# --- the judging form ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("stage", "entrant", "criterion", "key"), [
    ("final", "E3", "KES_01", "engine_unknown_stage"),
    (None, "E3", "KES_01", "engine_no_stage"),
    ("lapangan", "X1", "KES_01", "engine_unknown_entrant"),
    ("lapangan", None, "KES_01", "engine_no_entrant"),
    ("lapangan", "E3", "KES_99", "engine_unknown_criterion"),
    ("lapangan", "E3", None, "engine_no_criterion"),
])
def test_the_judging_form_refuses_a_score_the_ranking_would_ignore(contest, stage, entrant, criterion, key):
    for user, judge in ((JURI1, None), (PANITIA, "J1")):
        with pytest.raises(judging.NotInCompetition) as refused:
            judging.save_score(contest, user, CID, stage, entrant, criterion, option_code="a", judge_id=judge)
        assert refused.value.message_key == key
    assert _no_scores(contest)
    # the page shows the refusal as a sentence in either language, every placeholder filled
    detail = {k: str(v) for k, v in refused.value.detail.items()}
    assert "{" not in t(key, "id", **detail) and "⟦" not in t(key, "en", **detail)


def test_a_judge_cannot_be_assigned_where_their_scores_would_not_count(contest):
    # an assignment to an unlisted stage or to another contest's entrant is how a form could write such rows
    for stage, entrant, key in (("final", "E1", "engine_unknown_stage"), ("lapangan", "X1", "engine_unknown_entrant")):
        with pytest.raises(judging.NotInCompetition) as refused:
            assignments.assign_judge(contest, PANITIA, CID, stage, "J2", entrant)
        assert refused.value.message_key == key
    assert contest.sql("SELECT count(*) FROM assignments WHERE stage = 'final' OR entrant_id = 'X1'").fetchone()[0] == 0


# --- the Kobo / ODK field-form import ------------------------------------------------------------------------

def _kobo(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_field_form_export_with_a_criterion_the_instrument_lacks_is_refused_whole(contest):
    # made from an older form with a KES_09 question: importing the rest would silently drop that answer
    header = [*KOBO_HEADER, "grp_kesehatan/KES_09", "grp_lain-PDD_07"]
    row = [*_kobo_row("uuid:0101", "J1", "E3", "a", "b", "72.5", "c", "", ""), "b", "a"]
    report = import_export(contest, PANITIA, CID, mini_instrument(), _kobo(header, [row]), "lama.csv")
    assert [(p.row, p.column, p.detail["criterion"]) for p in report.problems] == [
        (1, "grp_kesehatan/KES_09", "KES_09"), (1, "grp_lain-PDD_07", "PDD_07")]
    assert message_keys(report.problems) == {"engine_import_unknown_criterion"}
    assert report.scores_written == 0 and _no_scores(contest)
    assert problems_frame(report.problems, "id")["message"][0].startswith('Kolom "grp_kesehatan/KES_09" berisi')


@pytest.mark.parametrize(("stage", "entrant", "column", "key"), [
    ("final", "E3", "stage", "judging_import_bad_stage"),
    ("", "E3", "stage", "judging_import_bad_stage"),
    ("lapangan", "X1", "entrant_id", "judging_import_bad_entrant"),
    ("lapangan", "", "entrant_id", "judging_import_bad_entrant"),
])
def test_a_field_form_row_for_an_unknown_stage_or_entrant_is_rejected(contest, stage, entrant, column, key):
    row = _kobo_row("uuid:0102", "J1", entrant, "a", "b", "72.5", "c", "", "")
    row[KOBO_HEADER.index("stage")] = stage
    report = import_export(contest, PANITIA, CID, mini_instrument(), _kobo(KOBO_HEADER, [row]), "f.csv")
    assert (report.problems[0].row, report.problems[0].column, report.problems[0].message_key) == (2, column, key)
    assert _no_scores(contest)


# --- the Excel score import ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("keys") / "store.duckdb")
    w = seed_world(con, assign=True)
    w["con"] = con
    yield w
    con.close()


def _score_file(w: dict, mutate) -> bytes:
    header = score_header(w["instrument"])
    rows = score_rows(w["instrument"], w["entrants"][:2], w["judges"][:2])
    mutate(header, rows)
    return xlsx(header, rows, "Nilai")


@pytest.mark.parametrize(("stage", "mutate", "key", "row"), [
    ("final", lambda h, r: None, "exchange_unknown_competition_stage", None),
    ("lapangan", lambda h, r: r[0].__setitem__(0, None), "exchange_required_blank", 2),
    ("lapangan", lambda h, r: r[1].__setitem__(0, "E-LAIN"), "exchange_unknown_entrant", 3),
    ("lapangan", lambda h, r: h.__setitem__(len(h) - 1, "KRITERIA_BARU"), "exchange_unknown_column", 1),
])
def test_the_excel_score_import_refuses_rows_the_ranking_would_ignore(world, stage, mutate, key, row):
    con = world["con"]
    before = table_checksums(con)
    plan, result = import_file(con, "scores", _score_file(world, mutate), "nilai.xlsx",
                               competition_id=COMPETITION, stage=stage)
    assert result is None and key in message_keys(plan.problems), [p.message_key for p in plan.problems]
    if row is not None:
        assert next(p for p in plan.problems if p.message_key == key).row == row
    assert table_checksums(con) == before

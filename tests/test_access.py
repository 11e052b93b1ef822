"""Who may see what (data/access.py), as one table of role × situation → allowed.

Situations: a contest held in Kab. Lebak (scope 36.02) or in Kab. Banjar (63.03), with every stage final and
published, or with the lapangan stage still open. The pembina is pembina-lebak (region 36.02).
"""

from __future__ import annotations

import polars as pl
import pytest

from data import access
from data.access import Contest
from data.judging.auth import PUBLIC, User

PANITIA = User("panitia", "panitia")
JURI = User("juri1", "juri", judge_id="J-36-09")
PEMBINA = User("pembina-lebak", "pembina", region_code="36.02")
USERS = {"publik": PUBLIC, "juri": JURI, "pembina": PEMBINA, "panitia": PANITIA}

FINAL_LEBAK = Contest("K-LEBAK", "36.02", {"administrasi": True, "lapangan": True},
                      frozenset({None, "administrasi"}))
OPEN_LEBAK = Contest("K-LEBAK-OPEN", "36.02", {"administrasi": True, "lapangan": False}, frozenset({"administrasi"}))
OPEN_BANJAR = Contest("K-BANJAR-OPEN", "63.03", {"administrasi": True, "lapangan": False})
FINAL_BANJAR = Contest("K-BANJAR", "63.03", {"administrasi": True, "lapangan": True}, frozenset({None}))
OPEN_BANTEN = Contest("P-BANTEN-OPEN", "36", {"administrasi": True, "lapangan": False})   # wider than Lebak
NO_STAGES = Contest("NEW", "36.02", {})

# (role, contest, stage, may see the results?)
RESULTS = [
    # final results are public, for everyone
    *[(role, FINAL_LEBAK, None, True) for role in USERS],
    *[(role, FINAL_BANJAR, "lapangan", True) for role in USERS],
    # a stage still open: only panitia, and the pembina of the region holding the contest
    ("publik", OPEN_LEBAK, None, False), ("juri", OPEN_LEBAK, None, False),
    ("pembina", OPEN_LEBAK, None, True), ("panitia", OPEN_LEBAK, None, True),
    ("publik", OPEN_LEBAK, "lapangan", False), ("juri", OPEN_LEBAK, "lapangan", False),
    ("pembina", OPEN_BANJAR, None, False), ("panitia", OPEN_BANJAR, None, True),
    # a provincial contest is not "inside" a kabupaten pembina's region
    ("pembina", OPEN_BANTEN, None, False), ("juri", OPEN_BANTEN, "lapangan", False),
    # a stage that is final inside a contest still being judged is final
    ("publik", OPEN_LEBAK, "administrasi", True), ("juri", OPEN_BANJAR, "administrasi", True),
    # a contest without stages has no result yet
    ("publik", NO_STAGES, None, False), ("panitia", NO_STAGES, None, True),
]


@pytest.mark.parametrize(("role", "contest", "stage", "allowed"), RESULTS,
                         ids=[f"{r}-{c.competition_id}-{s or 'combined'}" for r, c, s, _ in RESULTS])
def test_who_sees_the_results_of_a_contest(role: str, contest: Contest, stage: str | None, allowed: bool) -> None:
    assert access.can_see_results(USERS[role], contest, stage) is allowed


SOURCES = [
    ("publik", FINAL_LEBAK, None, "snapshot"),           # final and published: the official table
    ("panitia", FINAL_LEBAK, None, "snapshot"),          # organisers see the same official table
    ("publik", FINAL_LEBAK, "lapangan", "snapshot"),     # final but never frozen on its own: frozen on first read
    ("publik", OPEN_LEBAK, "administrasi", "snapshot"),
    ("pembina", OPEN_LEBAK, None, "live"),               # following the judging: live scores
    ("juri", OPEN_LEBAK, None, None),                    # blind
    ("publik", OPEN_BANJAR, "lapangan", None),
]


@pytest.mark.parametrize(("role", "contest", "stage", "source"), SOURCES)
def test_a_final_stage_is_read_from_its_published_snapshot(role, contest, stage, source) -> None:
    assert access.results_source(USERS[role], contest, stage) == source


QUALITY = [
    ("publik", FINAL_LEBAK, False), ("juri", FINAL_LEBAK, False), ("juri", OPEN_LEBAK, False),
    ("pembina", FINAL_LEBAK, True), ("pembina", OPEN_LEBAK, True), ("pembina", FINAL_BANJAR, False),
    ("pembina", OPEN_BANTEN, False), ("panitia", OPEN_BANJAR, True), ("panitia", FINAL_LEBAK, True),
]


@pytest.mark.parametrize(("role", "contest", "allowed"), QUALITY)
def test_judge_quality_is_for_panitia_and_the_pembina_of_the_region(role, contest, allowed) -> None:
    assert access.can_see_judge_quality(USERS[role], contest) is allowed
    assert access.can_see_judge_names(USERS[role], contest) is allowed


PERSONAL = [
    ("publik", "36.02.18.2010", False), ("juri", "36.02.18.2010", False),
    ("pembina", "36.02.18.2010", True), ("pembina", "36.02", True), ("pembina", "36.021.01", False),
    ("pembina", "63.03.01.2001", False), ("pembina", None, False), ("panitia", "63.03.01.2001", True),
]


@pytest.mark.parametrize(("role", "code", "allowed"), PERSONAL)
def test_contact_details_only_for_panitia_and_the_pembina_of_the_place(role, code, allowed) -> None:
    assert access.can_see_personal(USERS[role], code) is allowed


COMPS = pl.DataFrame({"competition_id": ["K-LEBAK", "K-LEBAK-OPEN", "K-BANJAR-OPEN", "P-BANTEN-OPEN"],
                      "scope_code": ["36.02", "36.02", "63.03", "36"], "all_final": [True, False, False, False]})
SIDEBAR = [
    ("publik", "results", ["K-LEBAK"]),
    ("juri", "results", ["K-LEBAK"]),                               # blind: final contests only
    ("juri", "judging", ["P-BANTEN-OPEN"]),                         # the Penilaian page: their assignments
    ("pembina", "results", ["K-LEBAK", "K-LEBAK-OPEN"]),
    ("panitia", "results", ["K-LEBAK", "K-LEBAK-OPEN", "K-BANJAR-OPEN", "P-BANTEN-OPEN"]),
]


@pytest.mark.parametrize(("role", "purpose", "offered"), SIDEBAR)
def test_the_sidebar_offers_only_the_contests_a_user_may_see(role, purpose, offered) -> None:
    got = access.visible_competitions(COMPS, USERS[role], purpose, assigned=["P-BANTEN-OPEN"])
    assert got["competition_id"].to_list() == offered


def _contacts() -> pl.DataFrame:
    return pl.DataFrame({"posyandu_id": ["A", "B"], "desa_code": ["36.02.18.2010", "63.03.01.2001"],
                         "contact_name": ["Maya Mahmud", "Budi Noor"], "contact_phone": ["0821-1", "0838-2"],
                         "reg_number": ["3602182010001", "6303012001001"], "address": ["Jl. 1", "Jl. 2"]})


def test_visitors_get_no_contact_phone_or_registration_number() -> None:
    out = access.redact(_contacts(), PUBLIC)
    assert out.columns == _contacts().columns                       # the page still draws
    assert out.select("contact_name", "contact_phone", "reg_number").null_count().row(0) == (2, 2, 2)
    assert out["address"].to_list() == ["Jl. 1", "Jl. 2"]           # where to visit is not personal


def test_a_pembina_sees_contacts_inside_their_region_only() -> None:
    out = access.redact(_contacts(), PEMBINA)
    assert out["contact_phone"].to_list() == ["0821-1", None]
    no_code = access.redact(_contacts().drop("desa_code"), PEMBINA)   # cannot tell where: nothing shown
    assert no_code["contact_phone"].null_count() == 2
    assert access.redact(_contacts(), PANITIA).equals(_contacts())


def test_a_public_download_drops_the_personal_columns() -> None:
    assert access.for_download(_contacts(), PUBLIC).columns == ["posyandu_id", "desa_code", "address"]
    assert access.for_download(_contacts(), JURI).columns == ["posyandu_id", "desa_code", "address"]
    assert access.for_download(_contacts(), PEMBINA)["contact_phone"].to_list() == ["0821-1", None]


@pytest.mark.parametrize("column", ["contact_name", "contact_phone", "contact_email", "reg_number", "phone",
                                    "judge_name", "kader_name", "nik", "email"])
def test_personal_columns_are_recognised_by_name(column: str) -> None:
    assert access.is_personal_column(column)


@pytest.mark.parametrize("column", ["posyandu_name", "desa_name", "address", "total", "kader_total", "unik",
                                    "rank_final", "kecamatan_code"])
def test_result_columns_are_not_personal(column: str) -> None:
    assert not access.is_personal_column(column)


def test_judges_are_named_only_for_those_who_may_see_who_chose_what() -> None:
    details = pl.DataFrame({"judge_id": ["J-2", "J-1", "J-2"], "judge_name": ["Asep", "Halimah", "Asep"],
                            "option_code": ["a", "b", "c"]})
    hidden = access.hide_judge_names(details, PUBLIC, FINAL_LEBAK, "id")
    assert hidden["judge_name"].to_list() == ["Juri 2", "Juri 1", "Juri 2"]   # stable: by judge id
    assert access.hide_judge_names(details, JURI, FINAL_LEBAK, "en")["judge_name"][1] == "Judge 1"
    assert access.hide_judge_names(details, PEMBINA, FINAL_LEBAK, "id").equals(details)
    assert access.hide_judge_names(details, PEMBINA, FINAL_BANJAR, "id")["judge_name"][0] == "Juri 2"


@pytest.mark.parametrize(("code", "region", "inside"), [
    ("36.02.18.2010", "36.02", True), ("36.02", "36.02", True), ("36.021", "36.02", False),
    ("36", "36.02", False), (None, "36.02", False), ("36.02.18", None, False),
])
def test_inside_a_region_is_a_dotted_code_prefix(code, region, inside) -> None:
    assert access.in_region(code, region) is inside
    frame = pl.DataFrame({"c": [code]}, schema={"c": pl.String})
    if region:
        assert frame.filter(access.in_region_expr("c", region).fill_null(False)).height == int(inside)
    # the league-table filter every page uses (region picked in the sidebar) follows the same rule
    from present.tables import filter_table

    table = pl.DataFrame({"desa_code": [code]}, schema={"desa_code": pl.String})
    if region:
        assert filter_table(table, region).height == int(inside)


def test_inside_a_region_is_declared_once() -> None:
    import present.tables
    from present import region_codes

    assert access.in_region is region_codes.in_region and access.in_region_expr is region_codes.in_region_expr
    assert not hasattr(present.tables, "in_region")        # the copy present/tables.py had is gone

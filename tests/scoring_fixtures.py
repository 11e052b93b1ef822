"""Small competitions built directly from the instrument dataclasses, shared by the scoring tests."""

from __future__ import annotations

import polars as pl

from scoring.frames import ASSIGNMENTS_SCHEMA, ENTRANTS_SCHEMA, SCORES_SCHEMA, STAGES_SCHEMA
from scoring.instrument import Criterion, Instrument, Option, Section, Threshold

ABCD = (Option("a", "best", 4.0), Option("b", "good", 3.0), Option("c", "fair", 2.0), Option("d", "poor", 1.0))


def choice(cid: str, section_id: str, weight: float = 1.0) -> Criterion:
    return Criterion(id=cid, section_id=section_id, text=cid, kind="choice", options=ABCD, weight=weight)


def small_instrument() -> Instrument:
    """kelembagaan 40 % (k1, k2) and kesehatan 60 % (h1 weight 2, h2 nilai riil: coverage % → 1..4 points)."""
    h2 = Criterion(id="h2", section_id="kesehatan", text="D/S coverage", kind="real", unit="%",
                   thresholds=(Threshold(0, 1), Threshold(50, 2), Threshold(70, 3), Threshold(90, 4)))
    return Instrument(
        code="small", version=1, title="Small", layout="six_field",
        sections=(
            Section(id="kelembagaan", title="Kelembagaan", weight=40.0, criteria=(choice("k1", "kelembagaan"),
                                                                                 choice("k2", "kelembagaan"))),
            Section(id="kesehatan", title="Kesehatan", weight=60.0, spm_field="kesehatan",
                    criteria=(choice("h1", "kesehatan", weight=2.0), h2)),
        ))


def scores_frame(rows: list[tuple]) -> pl.DataFrame:
    """rows: (entrant, stage, judge, criterion, option_code or None, real_value or None)."""
    return pl.DataFrame(rows, schema=SCORES_SCHEMA, orient="row")


def entrants_frame(ids: list[str], category: str = "posyandu", **extra: list) -> pl.DataFrame:
    data = {c: [None] * len(ids) for c in ENTRANTS_SCHEMA}
    data["entrant_id"] = ids
    data["posyandu_id"] = [f"p{i}" for i in ids]
    data["posyandu_name"] = [f"Posyandu {i}" for i in ids]
    data["category"] = [category] * len(ids)
    data.update(extra)
    return pl.DataFrame(data, schema=ENTRANTS_SCHEMA)


def stages_frame(weights: dict[str, float]) -> pl.DataFrame:
    return pl.DataFrame({"stage": list(weights), "ord": list(range(len(weights))), "weight": list(weights.values())},
                        schema=STAGES_SCHEMA)


def assignments_frame(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ASSIGNMENTS_SCHEMA, orient="row")


def small_competition_rows() -> list[tuple]:
    """The worked example of tests/test_scoring_worked.py (see the arithmetic there)."""
    A, L = "administrasi", "lapangan"
    rows: list[tuple] = []

    def ch(e, s, crit, codes, judges):
        for j, c in zip(judges, codes, strict=True):
            rows.append((e, s, j, crit, c, None))

    def rv(e, s, crit, values, judges):
        for j, v in zip(judges, values, strict=True):
            rows.append((e, s, j, crit, None, v))

    J2, J3 = ["J1", "J2"], ["J1", "J2", "J3"]
    # E1
    ch("E1", A, "k1", "ab", J2); ch("E1", A, "k2", "bb", J2); ch("E1", A, "h1", "aa", J2)  # noqa: E702
    rv("E1", A, "h2", [95.0, 80.0], J2)
    ch("E1", L, "k1", "aab", J3); ch("E1", L, "k2", "cbb", J3); ch("E1", L, "h1", "bbb", J3)  # noqa: E702
    rv("E1", L, "h2", [60.0, 60.0, 75.0], J3)
    # E2: J2 left k2 empty in administrasi; nobody scored kesehatan in lapangan
    ch("E2", A, "k1", "bb", J2)
    rows.append(("E2", A, "J1", "k2", "a", None))
    rows.append(("E2", A, "J2", "k2", None, None))
    ch("E2", A, "h1", "cb", J2)
    rv("E2", A, "h2", [40.0, 55.0], J2)
    ch("E2", L, "k1", "aaa", J3); ch("E2", L, "k2", "bcd", J3)  # noqa: E702
    # E3
    ch("E3", A, "k1", "dd", J2); ch("E3", A, "k2", "dd", J2); ch("E3", A, "h1", "dd", J2)  # noqa: E702
    rv("E3", A, "h2", [10.0, 20.0], J2)
    ch("E3", L, "k1", "ccc", J3); ch("E3", L, "k2", "ccc", J3); ch("E3", L, "h1", "ccc", J3)  # noqa: E702
    rv("E3", L, "h2", [50.0, 50.0, 50.0], J3)
    return rows


def small_assignments() -> pl.DataFrame:
    rows = [(s, j, e) for e in ("E1", "E2", "E3") for s, js in (("administrasi", ("J1", "J2")),
                                                                 ("lapangan", ("J1", "J2", "J3"))) for j in js]
    return assignments_frame(rows)

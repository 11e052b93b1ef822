"""The demo store's planted truth: the judge-severity estimate must find the severities the generator planted.

Scores and truth are read with plain SQL here (tests may use DuckDB; `scoring/` may not), turned into points
with the instrument's options and nilai-riil thresholds, and handed to `scoring.judges`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from scoring.judges import judge_severity

POINTS_SQL = """
WITH sc AS (
    SELECT s.*, c.instrument_id FROM scores s JOIN competitions c USING (competition_id)
)
SELECT sc.competition_id, sc.entrant_id, sc.stage, sc.judge_id, sc.criterion_id,
       COALESCE(o.points, (SELECT max(t.points) FROM instrument_thresholds t
                           WHERE t.instrument_id = sc.instrument_id AND t.criterion_id = sc.criterion_id
                             AND t.min_value <= sc.real_value)) AS points
FROM sc
LEFT JOIN instrument_options o
  ON o.instrument_id = sc.instrument_id AND o.criterion_id = sc.criterion_id AND o.option_code = sc.option_code
"""


def _read(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        points = con.sql(POINTS_SQL).pl()
        truth = con.sql("SELECT judge_id, severity FROM truth_judge_severity").pl()
    finally:
        con.close()
    return points, truth


def test_demo_planted_judge_severity_is_recovered(demo_path: Path):
    points, truth = _read(demo_path)
    assert points.height > 1000 and truth.height > 10
    est = judge_severity(points)  # pooled over every competition: judges link contests they share
    both = est.join(truth, on="judge_id", suffix="_true")
    assert both.height == est.height, "every judge who scored has a planted severity"
    # Severities are identified up to a constant per connected group of judges: compare within groups.
    both = both.with_columns((pl.col("severity_true") - pl.col("severity_true").mean().over("group"))
                             .alias("severity_true"))
    r = float(np.corrcoef(both["severity"], both["severity_true"])[0, 1])
    print(f"\ndemo store: {both.height} judges in {both['group'].n_unique()} connected group(s), "
          f"{points.height} choices; Pearson r with planted severity = {r:.4f}")
    assert r >= 0.95

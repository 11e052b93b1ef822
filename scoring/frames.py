"""Column names and dtypes of the frames the engine takes, declared once.

`data/reads.py` produces frames of exactly these schemas from the store; tests build them by hand.
"""

from __future__ import annotations

import polars as pl

# Judges' raw choices: one row per judge × entrant × criterion × stage. Either option_code (choice
# criteria) or real_value (nilai-riil criteria) is set; a row with neither is a missing score.
SCORES_SCHEMA: dict[str, pl.DataType] = {
    "entrant_id": pl.String(),
    "stage": pl.String(),
    "judge_id": pl.String(),
    "criterion_id": pl.String(),
    "option_code": pl.String(),
    "real_value": pl.Float64(),
}

# Entrants with the attributes ranks are grouped by.
ENTRANTS_SCHEMA: dict[str, pl.DataType] = {
    "entrant_id": pl.String(),
    "posyandu_id": pl.String(),
    "posyandu_name": pl.String(),
    "desa_code": pl.String(),
    "desa_name": pl.String(),
    "kecamatan_code": pl.String(),
    "kecamatan_name": pl.String(),
    "kabupaten_code": pl.String(),
    "kabupaten_name": pl.String(),
    "desa_kind": pl.String(),      # desa or kelurahan
    "category": pl.String(),
}

# The stages of a competition and their weights in percent (e.g. administrasi 40, lapangan 60).
STAGES_SCHEMA: dict[str, pl.DataType] = {
    "stage": pl.String(),
    "ord": pl.Int32(),
    "weight": pl.Float64(),
}

# Judges known to the competition (for reports that must list judges with no scores too).
JUDGES_SCHEMA: dict[str, pl.DataType] = {
    "judge_id": pl.String(),
    "name": pl.String(),
    "institution": pl.String(),
}

# Assignments say which scores are expected: judge × entrant × stage.
ASSIGNMENTS_SCHEMA: dict[str, pl.DataType] = {
    "stage": pl.String(),
    "judge_id": pl.String(),
    "entrant_id": pl.String(),
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)

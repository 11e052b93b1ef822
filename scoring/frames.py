"""Column names and dtypes of the frames the engine takes, declared once.

`data/reads.py` produces frames of exactly these schemas from the store; tests build them by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


# The judges' raw choices as the store keeps them: integer codes, with the label of each code. The engine's
# dense path counts the codes as they are (no string is hashed or cast); everything else reads `decoded()`,
# which is SCORES_SCHEMA with the same rows.
CODED_SCORES_SCHEMA: dict[str, pl.DataType] = {
    "entrant_no": pl.UInt32(),
    "stage_no": pl.UInt32(),
    "judge_no": pl.UInt32(),
    "criterion_no": pl.UInt32(),
    "option_no": pl.UInt32(),
    "real_value": pl.Float64(),
}
# code column → the SCORES_SCHEMA column it stands for
CODE_OF: dict[str, str] = {"entrant_no": "entrant_id", "stage_no": "stage", "judge_no": "judge_id",
                           "criterion_no": "criterion_id", "option_no": "option_code"}


@dataclass(frozen=True)
class CodedScores:
    """`codes`: a frame of CODED_SCORES_SCHEMA; `labels[<id column>]`: a frame (code UInt32, label String) for
    at least every code `codes` holds. A null code is a null id."""

    codes: pl.DataFrame
    labels: Mapping[str, pl.DataFrame]

    @property
    def height(self) -> int:
        return self.codes.height

    def decoded(self) -> pl.LazyFrame:
        """The same rows with string keys (SCORES_SCHEMA), lazily: only what a caller collects is decoded."""
        exprs = []
        for code, col in CODE_OF.items():
            lab = self.labels[col]
            exprs.append(pl.col(code).replace_strict(lab["code"], lab["label"], default=None,
                                                     return_dtype=pl.String).alias(col))
        return self.codes.lazy().select(*exprs, pl.col("real_value").cast(pl.Float64))

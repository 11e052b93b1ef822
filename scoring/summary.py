"""The figures behind a posyandu's plain-language summary and its scorecard image, taken only from computed
results: its rank, award and total, the six field scores, the two strongest fields, the two criteria that cost
it most (`scoring.fix_first`), its move since the previous round (`scoring.league.change_since`) and the field
awards it won. Nothing here is worded; `present/summary.py` words these figures and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from scoring.fields import SPM_FIELDS


@dataclass(frozen=True)
class FixFirst:
    criterion_id: str
    section_id: str
    lost: float              # nilai-akhir points the criterion would add at its maximum


@dataclass(frozen=True)
class EntrantFigures:
    entrant_id: str
    posyandu_name: str
    desa_name: str | None
    rank: int | None
    n_ranked: int
    award: str | None
    total: float | None
    fields: dict[str, float | None]            # SPM field → score in percent, in the SPM order
    strongest: tuple[tuple[str, float], ...]   # the two best-scored fields, best first
    fix_first: tuple[FixFirst, ...]            # the two criteria that cost most, costliest first
    rank_change: int | None = None             # places gained since the previous round (> 0 a climb)
    previous_year: int | None = None
    field_awards: tuple[tuple[str, int], ...] = ()   # (field, place) of the declared field awards it won


def entrant_figures(table: pl.DataFrame, fix_first: pl.DataFrame, entrant_id: str,
                    moved: pl.DataFrame | None = None, previous_year: int | None = None,
                    field_awards: pl.DataFrame | None = None, fields: Sequence[str] = SPM_FIELDS,
                    top: int = 2) -> EntrantFigures:
    """The figures of one entrant of the league `table`. `fix_first` is the engine's fix-first frame (all
    entrants or this one), `moved` the `change_since` frame (any entrants), `field_awards` the declared field
    awards (spm_field, field_rank, entrant_id). Fields without a score are left out of the strongest; criteria
    that lost nothing are not worth fixing."""
    row = table.filter(pl.col("entrant_id") == entrant_id).row(0, named=True)
    scores = {f: row.get(f"sec_{f}") for f in fields if f"sec_{f}" in table.columns}
    scored = sorted(((f, float(v)) for f, v in scores.items() if v is not None),
                    key=lambda fv: (-round(fv[1], 9), list(fields).index(fv[0])))
    costly = (fix_first.filter((pl.col("entrant_id") == entrant_id) & (pl.col("lost") > 1e-9))
              .sort("order").head(top))
    change = None
    if moved is not None and moved.height:
        hit = moved.filter(pl.col("entrant_id") == entrant_id)
        if hit.height and hit["rank_change"][0] is not None:
            change = int(hit["rank_change"][0])
    won: tuple[tuple[str, int], ...] = ()
    if field_awards is not None and field_awards.height:
        mine = field_awards.filter(pl.col("entrant_id") == entrant_id)
        won = tuple((str(f), int(r)) for f, r in mine.select("spm_field", "field_rank").iter_rows())
    return EntrantFigures(
        entrant_id=entrant_id, posyandu_name=row["posyandu_name"], desa_name=row.get("desa_name"),
        rank=row.get("rank_final"), n_ranked=table.filter(pl.col("rank_final").is_not_null()).height,
        award=row.get("award"), total=row.get("total"), fields=scores, strongest=tuple(scored[:top]),
        fix_first=tuple(FixFirst(c, s, float(v)) for c, s, v in costly.select("criterion_id", "section_id", "lost")
                        .iter_rows()),
        rank_change=change, previous_year=previous_year if change is not None else None, field_awards=won)

"""The rules of a competition's life: the length of the protest (sanggahan) window and how far the judges of
one entrant may differ on a criterion before it is sent back to them (table `contest_rules`, migration 007).
Set by the panitia with the competition (Lomba page); a competition that never set them has the defaults."""

from __future__ import annotations

from typing import Any

from data import store
from data.judging.auth import User, require_role
from data.judging.forms import Con, _audit
from present.errors import BadInput

DEFAULT_RULES = {"protest_days": 3, "disagree_levels": 2, "disagree_real_pct": 25.0}


def rules(con: Con, competition_id: str) -> dict[str, Any]:
    """protest_days, disagree_levels and disagree_real_pct of a competition (the defaults when never set)."""
    row = con.sql("SELECT protest_days, disagree_levels, disagree_real_pct FROM contest_rules "
                  "WHERE competition_id = ?", params=[competition_id]).fetchone()
    if row is None:
        return dict(DEFAULT_RULES)
    return {"protest_days": int(row[0]), "disagree_levels": int(row[1]), "disagree_real_pct": float(row[2])}


def set_rules(con: Con, user: User, competition_id: str, *, protest_days: int | None = None,
              disagree_levels: int | None = None, disagree_real_pct: float | None = None) -> dict[str, Any]:
    """Change the protest window or the disagreement thresholds of a competition (audited); returns the rules."""
    require_role(user, ["panitia"])
    old = rules(con, competition_id)
    new = dict(old)
    for key, value in (("protest_days", protest_days), ("disagree_levels", disagree_levels),
                       ("disagree_real_pct", disagree_real_pct)):
        if value is not None:
            new[key] = value
    if int(new["protest_days"]) < 0 or int(new["disagree_levels"]) < 1 or float(new["disagree_real_pct"]) < 0:
        raise BadInput("error_life_bad_settings")
    if new == old:
        return old

    def write() -> None:
        with store.transaction(con):
            con.execute("INSERT INTO contest_rules VALUES (?, ?, ?, ?) ON CONFLICT (competition_id) DO UPDATE SET "
                        "protest_days = excluded.protest_days, disagree_levels = excluded.disagree_levels, "
                        "disagree_real_pct = excluded.disagree_real_pct",
                        [competition_id, int(new["protest_days"]), int(new["disagree_levels"]),
                         float(new["disagree_real_pct"])])
            _audit(con, user.username, "set_rules", "competition", competition_id, old, new, None)
            store.touch(con, competition_id)
    store.with_retry(write)
    return new

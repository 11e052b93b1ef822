"""The importers, one module per kind of file, behind one entry point for the Data page.

Every importer: `validate(con, data, file_name, **scope) -> ImportPlan` (reads, checks, previews; never
writes), then `write_plan(con, plan, progress)` writes all rows in one transaction or nothing.
"""

from __future__ import annotations

from types import ModuleType

import duckdb

from data.exchange.imports import entrants, judges, posyandu, practices, scores, service_records
from data.exchange.imports.common import ImportPlan, ImportResult, Progress, write_plan

IMPORTERS: dict[str, ModuleType] = {m.KIND: m for m in (posyandu, entrants, judges, scores, practices,
                                                       service_records)}

# Which scope each importer needs from the wizard (the sidebar's competition and stage).
SCOPES: dict[str, tuple[str, ...]] = {
    "posyandu": (), "entrants": ("competition_id",), "judges": (), "scores": ("competition_id", "stage"),
    "practices": (), "service_records": (),
}


def validate_file(con: duckdb.DuckDBPyConnection, kind: str, data: bytes, file_name: str,
                  **scope: str) -> ImportPlan:
    """Validate a file for the importer `kind`; the plan lists every problem or the rows to write."""
    module = IMPORTERS[kind]
    return module.validate(con, data, file_name, **{k: scope[k] for k in SCOPES[kind]})


def import_file(con: duckdb.DuckDBPyConnection, kind: str, data: bytes, file_name: str,
                progress: Progress | None = None, actor: str = "system", **scope: str) -> tuple[ImportPlan, ImportResult | None]:
    """Validate and, when there is no problem, write; returns the plan and the result (None when refused)."""
    plan = validate_file(con, kind, data, file_name, **scope)
    if not plan.ok:
        return plan, None
    return plan, write_plan(con, plan, progress=progress, actor=actor)


__all__ = ["IMPORTERS", "SCOPES", "ImportPlan", "ImportResult", "import_file", "validate_file", "write_plan"]

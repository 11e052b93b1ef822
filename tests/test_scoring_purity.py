"""The scoring core must not pull in the UI, the database or GIS: pages and exports depend on it, not the reverse."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import scoring

FORBIDDEN = ("streamlit", "duckdb", "geopandas")


def test_scoring_imports_no_ui_database_or_gis():
    modules = sorted(f"scoring.{m.name}" for m in pkgutil.iter_modules(scoring.__path__))
    assert "scoring.engine" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        f"bad = [n for n in {FORBIDDEN!r} if n in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"scoring imported {out.stdout.strip()}"

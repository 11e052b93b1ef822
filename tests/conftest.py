"""Shared fixtures: a fresh store file per test, and the demo store built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from data import store


@pytest.fixture
def con(tmp_path: Path):
    """A real DuckDB file on disk with every migration applied."""
    c = store.connect(tmp_path / "test.duckdb")
    yield c
    c.close()

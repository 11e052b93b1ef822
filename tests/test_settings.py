"""Settings are declared once (present/settings.py): the README lists exactly those, and nothing else reads the
environment behind their back."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from data import store
from present.settings import SCORE_BANDS, SETTINGS, STORE, SettingError, unknown_settings
from present.theme import score_bands

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("dashboard.py", "pages", "ui", "demo", "geo", "data", "present", "scoring", "bench")


def _readme_configuration() -> dict[str, tuple[str, str]]:
    """README's Configuration table as {variable: (default, meaning)}."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \| (.+?) \|$", section, flags=re.MULTILINE)
    return {name: (default, meaning) for name, default, meaning in rows}


def test_readme_lists_every_setting_and_only_those():
    documented = _readme_configuration()
    declared = {s.name: (s.default, s.meaning) for s in SETTINGS}
    assert set(documented) == set(declared), (
        f"README misses {sorted(set(declared) - set(documented))}, "
        f"lists undeclared {sorted(set(documented) - set(declared))}")
    assert documented == declared, "README's defaults or meanings differ from present/settings.py"


def test_readme_table_parser_sees_rows():
    # The check above is only as good as its parser: it must find the store row in today's README.
    assert _readme_configuration()["POSYANDU_STORE"][0] == "var/posyandu.duckdb"


def _environment_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_settings_module_reads_the_environment():
    files = [ROOT / p for p in PRODUCT if p.endswith(".py")]
    files += [f for p in PRODUCT if not p.endswith(".py") for f in sorted((ROOT / p).rglob("*.py"))]
    reads = [r for f in files if f != ROOT / "present" / "settings.py" for r in _environment_reads(f)]
    # The page benchmarks hand the store to the pages they run in this process: a write, not a read.
    assert reads == sorted(_bench_writes())


def _bench_writes() -> list[str]:
    found = []
    for name in ("map_views.py", "open_profile.py", "pages.py"):
        lines = (ROOT / "bench" / name).read_text(encoding="utf-8").splitlines()
        found += [f"bench/{name}:{i}" for i, line in enumerate(lines, 1) if "os.environ[STORE.name] =" in line]
    return found


def test_defaults_apply_when_unset_or_blank():
    assert STORE.read({}) == ROOT / "var" / "posyandu.duckdb"
    assert SCORE_BANDS.read({"POSYANDU_SCORE_BANDS": "  "}) == (60.0, 70.0, 80.0)
    assert score_bands({}).thresholds == (60.0, 70.0, 80.0)


def test_store_path_is_read_through_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("POSYANDU_STORE", str(tmp_path / "a.duckdb"))
    assert store.store_path() == tmp_path / "a.duckdb"
    # A relative path is the project's, wherever the server was started from.
    monkeypatch.setenv("POSYANDU_STORE", "var/other.duckdb")
    monkeypatch.chdir(tmp_path)
    assert store.store_path() == ROOT / "var" / "other.duckdb"


@pytest.mark.parametrize("raw, expected", [("55,70,85", (55.0, 70.0, 85.0)), ("55;70;85", (55.0, 70.0, 85.0)),
                                           ("50, 62.5 ,90", (50.0, 62.5, 90.0))])
def test_score_bands_accept_comma_or_semicolon(raw, expected):
    assert SCORE_BANDS.read({"POSYANDU_SCORE_BANDS": raw}) == expected


@pytest.mark.parametrize("raw", ["80,70,60", "60,70", "sixty,70,80"])
def test_a_bad_value_names_the_variable_and_a_valid_example(raw):
    with pytest.raises(SettingError, match=r"\$POSYANDU_SCORE_BANDS like '55,70,85'"):
        SCORE_BANDS.read({"POSYANDU_SCORE_BANDS": raw})


def test_a_misspelt_variable_gets_a_did_you_mean():
    env = {"POSYANDU_STOER": "x.duckdb", "POSYANDU_STORE": "y", "POSYANDU_TEST_DEMO": "z", "PATH": "/bin"}
    assert unknown_settings(env) == ["$POSYANDU_STOER is not a setting; did you mean $POSYANDU_STORE?"]


def test_the_server_refuses_to_start_on_a_bad_setting(monkeypatch):
    from ui import serve

    monkeypatch.setenv("POSYANDU_SCORE_BANDS", "90,80")
    with pytest.raises(SystemExit, match="configuration error: \\$POSYANDU_SCORE_BANDS"):
        serve.check_settings()

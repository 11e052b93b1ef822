"""Layers import only downward: pages → ui → demo → geo → data → present → scoring.

Two gates. Each layer is imported whole in a fresh interpreter and must not pull in what it may not use (the
scoring core without the UI, the database or GIS; `data` without Streamlit). And the import graph read from the
source with `ast` (function-level imports included) has no upward edge and no circle between modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Top may import below: the index in this tuple only grows along an import.
LAYERS = ("pages", "ui", "demo", "geo", "data", "present", "scoring")

# What importing every module of a layer must leave out of sys.modules (higher layers are checked statically below).
FORBIDDEN = {
    "scoring": ("streamlit", "duckdb", "geopandas", "shapely", "pandas", "jinja2", "plotly",
                "present", "data", "geo", "demo", "ui"),
    "present": ("streamlit", "duckdb", "geopandas", "data", "geo", "demo", "ui"),
    "data": ("streamlit", "ui", "geo", "demo", "pages"),
    "geo": ("streamlit", "ui", "demo", "pages"),
    "demo": ("streamlit", "ui", "pages"),
}


def _modules(layer: str) -> dict[str, Path]:
    """Every module of a layer by dotted name (`data.store.reads`; a package by its own name)."""
    found = {}
    for path in sorted((ROOT / layer).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


ALL_MODULES = {name: path for layer in LAYERS for name, path in _modules(layer).items()}


def _resolve(name: str) -> str | None:
    """The project module an import names (the longest known prefix), or None for a third-party one."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in ALL_MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def _imports(name: str, path: Path) -> set[str]:
    """The project modules that module `name` imports anywhere in its source."""
    found = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {r for a in node.names if (r := _resolve(a.name))}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:   # `from data import store` imports the module data.store
                sub = f"{module}.{alias.name}"
                found.add(sub if sub in ALL_MODULES else _resolve(module))
    found.discard(None)
    found.discard(name)
    return found


GRAPH = {name: _imports(name, path) for name, path in ALL_MODULES.items()}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_it_must_not(layer: str) -> None:
    modules = sorted(n for n in _modules(layer) if not n.endswith("__main__"))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "top = {n.split('.')[0] for n in sys.modules}\n"
        f"print(','.join(n for n in {FORBIDDEN[layer]!r} if n in top))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing {layer} pulled in {out.stdout.strip()}"


def test_the_graph_sees_known_imports() -> None:
    # The checks below are only as good as the graph: a few edges that exist today must be found.
    assert "scoring.config" in GRAPH["present.theme"]
    assert "data.store" in GRAPH["ui.state"]
    assert any(d.startswith("present") for d in GRAPH["data.judging.auth"] | GRAPH["data.exchange.problems"])


def test_no_module_imports_a_higher_layer() -> None:
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = sorted(f"{m} → {d}" for m, deps in GRAPH.items() for d in deps
                    if rank[d.split(".")[0]] < rank[m.split(".")[0]])
    assert upward == [], "imports against the layer order:\n" + "\n".join(upward)


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_circle_finder_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles_between_modules() -> None:
    assert _circles(GRAPH) == []

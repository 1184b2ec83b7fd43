"""The layers of DESIGN.md, checked on the source: Streamlit only where it belongs, no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "kafo_data"


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module an import statement names (at any depth), except those only for type checkers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_only_the_ui_and_the_dev_tools_import_streamlit():
    users = {_module(p) for p in PACKAGE.rglob("*.py")
             if any(m == "streamlit" or m.startswith("streamlit.") for m in _imports(p))}
    assert users, "the check found no Streamlit import at all: it is not reading the package"
    assert sorted(m for m in users if not m.startswith(("kafo_data.ui.", "kafo_data.devtools."))) == []


def test_the_product_never_imports_the_dev_tools():
    graph = _graph()
    offenders = sorted(name for name, deps in graph.items() if not name.startswith("kafo_data.devtools")
                       and any(d.startswith("kafo_data.devtools") for d in deps))
    assert offenders == []


def test_no_import_cycle_in_the_package():
    graph = _graph()
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return [*path[path.index(name):], name]
        if name in done:
            return None
        path.append(name)
        for dep in sorted(graph[name]):
            cycle = visit(dep)
            if cycle:
                return cycle
        path.pop()
        done.add(name)
        return None

    cycles = [c for c in (visit(name) for name in sorted(graph)) if c]
    assert cycles == []


def test_the_pages_reach_the_data_only_through_the_package():
    """Pages and app.py hold layout and wording: no SQL, no DuckDB, no pandas reshaping of their own."""
    for path in [REPO / "app.py", *(REPO / "pages").glob("*.py")]:
        imported = _imports(path)
        assert not {m for m in imported if m.split(".")[0] in {"duckdb", "pandas", "pyarrow"}}, path.name
        assert "SELECT " not in path.read_text(encoding="utf-8"), path.name

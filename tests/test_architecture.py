"""The layers of the package (README, "Layout"), checked on the source: each module imports only its rank or lower.

Streamlit only where it belongs, no import cycle, pages reach the data through `ui/`.
"""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "kafo_data"

# The ranks, stated once (the README's layout table repeats them). A module imports only modules of
# its own rank or lower, at the top of the file or inside a function. A folder of the package takes
# the rank of its name, so a new module in a known folder is ranked already; a new folder or a new
# top-level module must be given a rank here, or the test fails.
FOLDER_RANKS = {
    "contract": 0,
    "store": 2,
    "ingest": 3, "sample": 3,
    "seizures": 4, "money": 4, "firearms": 4,
    "export": 5, "brief": 5,
    "ui": 6,
    "cli": 7, "devtools": 7,
}
TOP_RANKS = {
    "kafo_data": 1, "kafo_data.config": 1, "kafo_data.errors": 1, "kafo_data.fmt": 1, "kafo_data.i18n": 1,
    "kafo_data.filtering": 1, "kafo_data.geo": 1, "kafo_data.access": 1, "kafo_data.formulas": 1,
    "kafo_data.chart_base": 1, "kafo_data.query_gate": 1, "kafo_data.cellkey": 1, "kafo_data.country_names": 1,
    "kafo_data.__main__": 7,
}
PAGE_RANK = 7  # pages/*.py and app.py


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _imports(path: Path) -> frozenset[str]:
    """Every module an import statement names (at any depth), except those only for type checkers.

    Read once per file for the whole test run (every test here reads the same files)."""
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
    return frozenset(names)


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def rank(module: str) -> int | None:
    """The layer of a module of the package, or None when nobody has given it one."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()):
        return FOLDER_RANKS.get(parts[1])
    return TOP_RANKS.get(module)


def _upward(importer: str, importer_rank: int, path: Path, modules: set[str]) -> list[str]:
    return [f"{importer} ({importer_rank}) imports {m} ({rank(m)})" for m in sorted(_imports(path) & modules)
            if (rank(m) or 0) > importer_rank]


def test_every_module_has_a_rank():
    unranked = sorted(name for name in (_module(p) for p in PACKAGE.rglob("*.py")) if rank(name) is None)
    assert unranked == [], "give these a rank in FOLDER_RANKS or TOP_RANKS (and in the README's layout table)"


def test_the_rank_rule_is_read_from_the_folder_name():
    assert rank("kafo_data.firearms.queries") == 4 and rank("kafo_data.brief.pdf") == 5
    assert rank("kafo_data.store") == 2 and rank("kafo_data.contract.seizures") == 0
    assert rank("kafo_data.newthing") is None and rank("kafo_data.newfolder.x") is None


def test_no_module_imports_a_higher_layer():
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    names = set(modules)
    offenders = [line for name, path in sorted(modules.items()) if rank(name) is not None
                 for line in _upward(name, rank(name), path, names)]
    offenders += [line for path in [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]
                  for line in _upward(path.name, PAGE_RANK, path, names)]
    assert offenders == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from kafo_data.ui import page\n", encoding="utf-8")
    assert _upward("kafo_data.store.m", 2, module, {"kafo_data.ui.page"}) == [
        "kafo_data.store.m (2) imports kafo_data.ui.page (6)"]


def test_pages_reach_the_store_and_the_ingest_only_through_the_ui():
    for path in [REPO / "app.py", *(REPO / "pages").glob("*.py")]:
        direct = sorted(m for m in _imports(path) if m.split(".")[:2] in (["kafo_data", "store"],
                                                                            ["kafo_data", "ingest"]))
        assert direct == [], path.name


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


def _query_calls(path: Path) -> list[tuple[str, str]]:
    """Each `q(<alias>.<function>, ...)` (or `ui.q(...)`) in a file as (module, function), read from its imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            aliases |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname or a.name: a.name for a in node.names}
    return [(aliases.get(node.args[0].value.id, node.args[0].value.id), node.args[0].attr) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and node.args
            and (getattr(node.func, "id", None) == "q" or getattr(node.func, "attr", None) == "q")
            and isinstance(node.args[0], ast.Attribute) and isinstance(node.args[0].value, ast.Name)]


def test_every_function_the_pages_run_through_q_is_a_declared_query():
    """A renamed or undeclared query fails here, not at run time on a page (`kafo_data.query_gate`)."""
    from kafo_data import query_gate

    files = [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(PACKAGE / "ui").glob("*.py")]
    calls = sorted({call for path in files for call in _query_calls(path)})
    assert len(calls) > 30, "the check found too few q() calls: it is not reading the pages"
    undeclared = [f"{m}.{n}" for m, n in calls if not query_gate.is_query(getattr(importlib.import_module(m), n, None))]
    assert undeclared == []

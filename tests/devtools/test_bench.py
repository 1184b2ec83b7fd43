"""The benchmark command runs end to end, measures what the pages ask, and compares like with like.

No timing is asserted (speed is a figure the command prints, not a test that flakes); what is
checked is that the figures exist and make sense, that the page call lists follow the pages, and
that the pandas baseline computes the same answers as the query layer, so the ratio is fair.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from kafo_data import query_gate
from kafo_data.devtools import bench, pandas_baseline
from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import Database
from tests.conftest import DATA, REPO

PAGE_FILES = {"overview": "overview.py", "seizures": "seizures.py", "operations": "operations.py",
              "data": "data_sources.py", "seizures_public": "seizures_public.py", "operations_public": "operations.py"}
SIDEBAR = {"operations", "countries", "facets", "public.facets"}  # ui.start(): names and facet counts on every page


def test_bench_command_prints_a_table_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "kafo_data", "bench", "--rows", "2000", "--repeat", "1", "--no-shipped",
         "--scenarios", "one_operation", "--base", str(tmp_path / "sets"), "--json", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "== 2k (2,000 item lines) ==" in proc.stdout
    assert "seizures/one_operation" in proc.stdout and "pandas warm" in proc.stdout
    assert "rows/s" in proc.stdout and "targets:" in proc.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"machine", "repeat", "scenarios", "sizes", "targets"} <= set(report)
    (size,) = report["sizes"]
    assert size["rows"] == 2000
    assert {"build", "duckdb", "export", "pandas", "export_pandas", "grow", "depth"} <= set(size)
    assert "batch of 1,000 lines added" in proc.stdout and "records page (100 rows" in proc.stdout
    assert "firearms page, fresh selection" in proc.stdout and size["firearms"]["page"]["one_operation"]
    assert size["grow"]["add_ms"] > 0 and size["grow"]["remove_ms"] > 0
    assert {k.split("/")[1] for k in size["depth"]["pages"]} == {"quantity", "category", "seizure_date"}
    assert list(report["scenarios"]) == ["one_operation"]
    for page in bench.PAGE_CALLS:
        for scenario in report["scenarios"]:
            for mode in ("cold", "warm", "cached"):
                assert size["duckdb"]["pages"][page][scenario][mode] > 0
            for mode in ("cold", "warm"):  # the baseline models the managers' pages
                assert page in pandas_baseline.MANAGER_PAGES or page not in size["pandas"]["pages"]
                if page in pandas_baseline.MANAGER_PAGES:
                    assert size["pandas"]["pages"][page][scenario][mode] > 0
    assert size["duckdb"]["queries"]["seizures"]["records_page"]["one_operation"]["warm"] > 0
    assert size["export"]["rows"] == 2000 and size["export"]["rows_per_s"] > 0
    assert size["export_pandas"]["rows"] == 2000
    assert size["duckdb"]["peak_rss_mb"] > 0 and size["pandas"]["peak_rss_mb"] > 0
    assert size["build"]["rows"]["rollup_lines"] > 0
    meta = json.loads((tmp_path / "sets" / "rows-2000" / "batches" / "sample" / "batch.json").read_text())
    assert meta["rows"] == 2000 and meta["generator_hash"]


def test_datasets_are_reused_when_they_match(tmp_path):
    root = bench.dataset(500, tmp_path, seed=3)
    stamp = (root / "batches" / "sample" / "seized_items.parquet").stat().st_mtime_ns
    assert bench.dataset(500, tmp_path, seed=3) == root
    assert (root / "batches" / "sample" / "seized_items.parquet").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("page", list(bench.PAGE_CALLS))
def test_page_call_lists_follow_the_pages(page):
    """Every `ui.q(...)` a page makes is in its list, and the list asks nothing the page doesn't.

    A public page's list (`*_public`) holds what a public visitor's run asks: the public API's calls
    (`public.x`) and the seizure queries declared public; a manager's list, the seizure queries.
    """
    source = (REPO / "pages" / PAGE_FILES[page]).read_text(encoding="utf-8")
    calls = re.findall(r"ui\.q\(\s*(queries|public)\.(\w+)", source)
    if page.endswith("_public"):
        in_page = {f"public.{name}" if module == "public" else name for module, name in calls
                   if module == "public" or query_gate.is_public(getattr(queries, name))}
    else:
        in_page = {name for module, name in calls if module == "queries"}
    listed = {name for _, name, _, _ in bench.PAGE_CALLS[page](Filters(), ["KAFO-I"])}
    assert in_page <= listed
    assert listed - SIDEBAR <= in_page
    assert all(query_gate.is_query(bench._query(name)) for name in listed)


@pytest.mark.parametrize("in_memory_bytes", [0, None], ids=["parquet", "in-memory"])
@pytest.mark.parametrize("scenario", list(bench.SCENARIOS))
def test_pandas_baseline_answers_what_the_query_layer_answers(scenario, in_memory_bytes):
    """The baseline does the same work, so 'x faster' compares like with like."""
    f = bench.SCENARIOS[scenario]
    db = Database(DATA, in_memory_bytes=in_memory_bytes)
    app = pandas_baseline.PandasApp(DATA)
    app.tables()
    try:
        assert app.events_summary(f) == queries.events_summary(db, f)
        assert app.record_count(f) == queries.record_count(db, f)
        for key in ("operation", "country", "category"):
            assert app.facet_counts(f, key) == queries.facets(db, f, (key,))[key]
        assert app.facets(f) == queries.facets(db, f)
        assert app.operation_summaries(f) == queries.operation_summaries(db, f)
        sums = queries.breakdowns(db, f)
        for part, name in (("totals", "totals"), ("country", "by_country"), ("operation", "by_operation"),
                           ("item_type", "by_item_type")):
            assert _by_keys(app.breakdowns(f)[part]) == _by_keys(sums[part]) == _by_keys(getattr(app, name)(f))
        for part, name in (("totals", "totals"), ("country", "by_country"), ("operation", "by_operation"),
                           ("item_type", "by_item_type")):
            assert _by_keys(getattr(app, name)(f)) == _by_keys(queries.breakdowns(db, f, (part,))[part])
        page = app.records_page(f, limit=50, sort="seizure_date")
        expected = queries.records_page(db, f, limit=50, sort="seizure_date")
        assert list(zip(page.seizure_id, page.line_no, strict=True)) == \
            list(zip(expected.seizure_id, expected.line_no, strict=True))
        points = app.map_points(f)
        assert points.events.sum() == queries.map_points(db, f).events.sum()
        monthly = app.monthly(f)
        assert monthly.quantity.sum() == queries.breakdowns(db, f, ("month",))["month"].quantity.sum()
    finally:
        db.close()


def _by_keys(frame) -> dict[tuple, tuple[float, int]]:
    keys = [c for c in frame.columns if c not in ("quantity", "lines")]
    return {tuple(row[k] for k in keys): (row["quantity"], int(row["lines"])) for _, row in frame.iterrows()}


def test_loadtest_session_opens_the_page_and_clicks_filters_on_a_real_server():
    """One websocket session against `streamlit run`: the page opens, two filter clicks rerun it, no error."""
    from kafo_data.devtools import loadtest

    report = loadtest.run(DATA, [1], clicks=2, think=(0.0, 0.0), timeout=180, log=lambda _: None)
    (one,) = report["rounds"]
    assert one["errors"] == 0, one["error_examples"]
    assert one["reruns"] == 2 and one["rerun_p50_ms"] > 0 and one["open_p50_ms"] > 0
    assert report["server_rss_hwm_mb"] > 0


def test_firearms_bench_prints_the_page_and_the_grid(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "kafo_data", "firearms-bench", "--rows", "2000", "--batches", "5", "--repeat", "1",
         "--base", str(tmp_path)], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "firearms page, fresh selection (2,000 item lines" in proc.stdout
    assert "over 5 batches" in proc.stdout and "reporting grid <= 150 ms" in proc.stdout


@pytest.mark.parametrize("command", ["bench", "loadtest"])
def test_dev_commands_take_the_data_dir_flag_like_every_command(command, tmp_path):
    from kafo_data.cli import _parser

    args = _parser(command).parse_args([command, "--data-dir", str(tmp_path)])
    assert args.data_dir == str(tmp_path) and callable(args.func)

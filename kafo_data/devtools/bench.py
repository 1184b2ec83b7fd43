"""`python -m kafo_data bench`: how fast the pages' data calls are at 100 k, 1 M and 10 M item lines.

Why: a donor clicking a filter expects an answer in about 100 ms, and the data will grow to millions
of item lines. Guessing where the time goes is how dashboards get slow, so this command measures,
on synthetic data from `kafo_data.sample.seizures.synthetic`, every query a page runs and every page rerun:

- **cold**: a fresh `Database` (new root connection, views opened, rollup loaded) and the first
  run of each call; the time to open is reported on its own line, and so is the time to build the
  rollup when no stored one fits the data version (what the first request after an ingest pays);
- **warm**: the same calls again, DuckDB's own caches warm, *without* the result cache;
- **cached**: through `ui.q` (the process's result cache, `ui.data.kept`), what a rerun with unchanged filters costs.

The same work is also done the way most Streamlit apps do it (the baseline): both tables read into
pandas and cached with `st.cache_data`, then masks and groupby on every rerun. Each way runs in its
own subprocess, so its peak memory (`ru_maxrss`) is its own. The CSV export of the broadest selection
is timed in rows per second, DuckDB streaming against pandas' `to_csv`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import inspect
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from kafo_data.config import REPO_DIR, batches_dir, built_dir, data_dir, reference_dir
from kafo_data.seizures.filters import Filters

DEFAULT_ROWS = (100_000, 1_000_000, 10_000_000)
DEFAULT_BASE = REPO_DIR / "bench-data"
RECORDS_PAGE_SIZE = 50  # pages/seizures.py: PAGE_SIZE

# The filter sets every page is measured under: nothing, one edition, a narrow and a broad selection.
# The broad one has a category filter (events must then be matched through their item lines) and day
# bounds inside months (a rollup by month alone would get them wrong).
SCENARIOS: dict[str, Filters] = {
    "all": Filters(),
    "one_operation": Filters(operations=("KAFO-III",)),
    "narrow": Filters(operations=("KAFO-II",), countries=("NER",), categories=("firearms",),
                      date_from=dt.date(2020, 12, 1), date_to=dt.date(2020, 12, 3)),
    "broad": Filters(categories=("ammunition", "explosives", "firearms"),
                     date_from=dt.date(2019, 11, 13), date_to=dt.date(2024, 11, 8)),
}



def scenarios() -> dict[str, Filters]:
    """The scenarios this run measures: all, or those named in KAFO_BENCH_SCENARIOS (set by --scenarios)."""
    wanted = [n for n in os.environ.get("KAFO_BENCH_SCENARIOS", "").split(",") if n in SCENARIOS]
    return {n: SCENARIOS[n] for n in wanted} if wanted else dict(SCENARIOS)


Call = tuple[str, str, tuple, dict]  # (label, name in kafo_data.seizures.queries, args, kwargs)


def _sidebar(f: Filters) -> list[Call]:
    """ui.start() -> ui.sidebar_filters(): operation and country names, the facet counts of every filter."""
    return [
        ("operations", "operations", (), {}),
        ("countries", "countries", (), {}),
        ("facets", "facets", (f,), {}),
    ]


def _seizures_page(f: Filters, ops: list[str]) -> list[Call]:
    return [
        *_sidebar(f),
        ("events_summary", "events_summary", (f,), {}),
        ("breakdowns", "breakdowns", (f,), {}),
        ("map_points", "map_points", (f,), {}),
        ("records_page", "records_page", (f,),
         {"limit": RECORDS_PAGE_SIZE, "offset": 0, "sort": "seizure_date", "descending": False}),
        ("record_count[all]", "record_count", (Filters(),), {}),
        ("sample_share", "sample_share", (), {}),  # why a selection is empty (no real record yet?)
    ]


def _overview_page(f: Filters, ops: list[str]) -> list[Call]:
    return [*_sidebar(f), ("figures", "figures", (), {}), ("operation_countries", "operation_countries", (), {}),
            ("sources", "sources", (), {})]


def _operations_page(f: Filters, ops: list[str]) -> list[Call]:
    return [
        *_sidebar(f),
        ("figures", "figures", (), {}),
        ("sources", "sources", (), {}),
        ("operation_agencies", "operation_agencies", (), {}),
        ("operation_summaries", "operation_summaries", (f,), {}),
        ("sample_share", "sample_share", (), {}),
        ("reconciliation", "reconciliation", (), {"include_sample": f.include_sample}),
    ]


def _data_page(f: Filters, ops: list[str]) -> list[Call]:
    return [*_sidebar(f), ("sources", "sources", (), {}), ("sample_share", "sample_share", (), {}),
            ("records_by_source", "records_by_source", (), {})]


def _public_sidebar(f: Filters) -> tuple[list[Call], object]:
    """The public sidebar's calls (names, adjusted facet counts), and the public filters the page asks with."""
    from kafo_data.seizures.public import PublicFilters

    pf = PublicFilters.of(f)
    return [("operations", "operations", (), {}), ("countries", "countries", (), {}),
            ("facets", "public.facets", (pf,), {})], pf


def _public_seizures_page(f: Filters, ops: list[str]) -> list[Call]:
    """pages/seizures_public.py: what a public visitor's rerun asks (every number adjusted by the cell key method)."""
    sidebar, pf = _public_sidebar(f)
    return [
        *sidebar,
        ("summary", "public.summary", (pf,), {}),
        ("breakdowns", "public.breakdowns", (pf,), {}),
        ("country_events", "public.country_events", (pf,), {}),
    ]


def _public_operations_page(f: Filters, ops: list[str]) -> list[Call]:
    sidebar, pf = _public_sidebar(f)
    return [
        *sidebar,
        ("figures", "figures", (), {}),
        ("sources", "sources", (), {}),
        ("operation_agencies", "operation_agencies", (), {}),
        ("operation_summaries", "public.operation_summaries", (pf,), {}),
        ("sample_share", "public.sample_share", (), {}),
        ("reconciliation", "public.reconciliation", (), {"include_sample": f.include_sample}),
    ]


def _query(name: str) -> Callable:
    """A call's function: `public.x` in kafo_data.seizures.public, else in kafo_data.seizures.queries."""
    from kafo_data.seizures import public, queries

    return getattr(public, name.removeprefix("public.")) if name.startswith("public.") else getattr(queries, name)


# The data calls of one rerun of each page, in the page's order. They must follow the pages
# (pages/*.py and ui.start): when a page gains or loses a `ui.q(...)`, change it here too.
# A call the page repeats within one run (operation names) is listed once: the result cache
# answers the repeats even in a page's first run.
PAGE_CALLS: dict[str, Callable[[Filters, list[str]], list[Call]]] = {
    "overview": _overview_page,
    "seizures": _seizures_page,
    "operations": _operations_page,
    "data": _data_page,
    "seizures_public": _public_seizures_page,
    "operations_public": _public_operations_page,
}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


# ---------------------------------------------------------------------------------------------
# Datasets


def _synthetic_fingerprint() -> str:
    """Changes when the generator changes, so a stored dataset from an older generator is remade."""
    from kafo_data.sample import seizures as sample

    return hashlib.sha1(inspect.getsource(sample.synthetic).encode()).hexdigest()[:12]


def dataset(rows: int, base: Path, seed: int) -> Path:
    """A data directory with `rows` synthetic item lines: reused when it matches, made otherwise."""
    from kafo_data.sample.seizures import SAMPLE_BATCH, replace_batch, synthetic

    root = base / f"rows-{rows}"
    meta_file = batches_dir(root) / SAMPLE_BATCH / "batch.json"
    fingerprint = _synthetic_fingerprint()
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if (meta.get("rows"), meta.get("seed"), meta.get("generator_hash")) == (rows, seed, fingerprint):
            return root
    source = data_dir()
    for folder in (reference_dir(source), built_dir(source)):
        if folder.is_dir():
            shutil.copytree(folder, root / folder.name, dirs_exist_ok=True)
    seizures, items = synthetic(root, rows, seed)
    meta = {"batch_id": SAMPLE_BATCH, "kind": "synthetic", "is_sample": True, "seed": seed,
            "rows": items.num_rows, "events": seizures.num_rows, "generator_hash": fingerprint}
    replace_batch(root, SAMPLE_BATCH, seizures, items, meta)
    return root


def _size_label(rows: int | None) -> str:
    if rows is None:
        return "shipped"
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if rows >= div and rows % div == 0:
            return f"{rows // div}{unit}"
    return str(rows)


# ---------------------------------------------------------------------------------------------
# The query layer (DuckDB)


def _cpu_s() -> float:
    """CPU seconds of this process, every thread (DuckDB's too): what contention does not inflate."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_calls(func: Callable[[str, tuple, dict], Any], calls: list[Call]) -> tuple[float, dict[str, float]]:
    """Run one page's calls in order; returns the page's time and each call's, in ms (CPU under "(cpu)")."""
    each: dict[str, float] = {}
    cpu0, start = _cpu_s(), time.perf_counter()
    for label, name, args, kwargs in calls:
        t0 = time.perf_counter()
        func(name, args, kwargs)
        each[label] = _ms(time.perf_counter() - t0)
    total = _ms(time.perf_counter() - start)
    each["(cpu)"] = _ms(_cpu_s() - cpu0)
    return total, each


def _collect(store: dict, page: str, scenario: str, mode: str, total: float, each: dict[str, float]) -> None:
    entry = store.setdefault("pages", {}).setdefault(page, {}).setdefault(scenario, {})
    entry.setdefault(mode, []).append(total)
    each = dict(each)
    cpu = each.pop("(cpu)", None)
    if cpu is not None:
        entry.setdefault(f"{mode}_cpu", []).append(cpu)
    for label, ms in each.items():
        q = store.setdefault("queries", {}).setdefault(page, {}).setdefault(label, {}).setdefault(scenario, {})
        q.setdefault(mode, []).append(ms)


def _summarise(store: dict) -> dict:
    """Lists of timings -> their medians (the JSON keeps medians and the count of runs)."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return _median(node)
        return node
    return walk(store)


def worker_duckdb(root: Path, repeat: int) -> dict:
    """Open, cold, warm and cached page reruns over the query layer, in this process alone."""
    from kafo_data.seizures import queries
    from kafo_data.store.db import Database

    store: dict = {"open_ms": []}
    probe = Database(root)
    ops = list(queries.operations(probe).operation_id)
    _close(probe)

    for _ in range(repeat):
        for scenario, f in scenarios().items():
            for page, make in PAGE_CALLS.items():
                t0 = time.perf_counter()
                db = Database(root)
                db.version()
                store["open_ms"].append(_ms(time.perf_counter() - t0))
                total, each = _run_calls(lambda n, a, k, db=db: _query(n)(db, *a, **k), make(f, ops))
                _collect(store, page, scenario, "cold", total, each)
                _close(db)
                gc.collect()

    db = Database(root)
    for scenario, f in scenarios().items():
        for page, make in PAGE_CALLS.items():
            calls = make(f, ops)
            _run_calls(lambda n, a, k: _query(n)(db, *a, **k), calls)
            for _ in range(repeat):
                total, each = _run_calls(lambda n, a, k: _query(n)(db, *a, **k), calls)
                _collect(store, page, scenario, "warm", total, each)

    os.environ["KAFO_DATA_DIR"] = str(root)
    ui = _quiet_streamlit_ui()
    for scenario, f in scenarios().items():
        for page, make in PAGE_CALLS.items():
            calls = make(f, ops)
            _run_calls(lambda n, a, k: ui.q(_query(n), *a, **k), calls)
            for _ in range(repeat):
                total, each = _run_calls(lambda n, a, k: ui.q(_query(n), *a, **k), calls)
                _collect(store, page, scenario, "cached", total, each)
    out = _summarise(store)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def worker_build(root: Path, repeat: int) -> dict:
    """The rollup build after a data change (what the first request after an ingest waits for), alone.

    Ends by storing the rollup, so the other workers open the data as a running server does.
    """
    from kafo_data.store import rollup
    from kafo_data.store.db import Database

    db = Database(root, rollups=False)
    version = db.version()
    seconds = []
    for _ in range(min(repeat, 3)):
        t0 = time.perf_counter()
        rollup.build(db._con)
        seconds.append(time.perf_counter() - t0)
    sizes = {t: db.rows(f"SELECT count(*) FROM {t}")[0][0] for t in rollup.TABLES}
    shutil.rmtree(rollup.stored_dir(root, version), ignore_errors=True)
    rollup.ensure(db._con, root, version, db.batches)
    _close(db)
    return {"build_ms": _ms(statistics.median(seconds)), "rows": sizes, "peak_rss_mb": _peak_rss_mb()}


def _close(db: Any) -> None:
    closer = getattr(db, "close", None)
    if closer is not None:
        closer()
    else:
        db._con.close()


def _quiet_streamlit_ui() -> Any:
    """`kafo_data.ui.page` outside `streamlit run`: the result cache works, its 'no runtime' warnings are muted."""
    import logging

    for name in ("streamlit", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from kafo_data.ui import page as ui

    return ui


# ---------------------------------------------------------------------------------------------
# CSV export


def worker_export(root: Path, repeat: int) -> dict:
    """The broadest CSV (every record) streamed by `kafo_data.export.seizures` to a file: rows per second."""
    from kafo_data.export import seizures as export
    from kafo_data.store.db import Database

    db = Database(root)
    db.version()
    rss_before = _current_rss_mb()
    seconds, rows, size = [], 0, 0
    with tempfile.TemporaryDirectory(prefix="kafo-bench-") as tmp:
        target = Path(tmp) / "export.csv"
        for _ in range(repeat):
            t0 = time.perf_counter()
            with target.open("wb") as out:
                rows = export.write_csv(db, SCENARIOS["all"], out)
            seconds.append(time.perf_counter() - t0)
            size = target.stat().st_size
            target.unlink()
    return export_figures(rows, size, seconds, rss_before)


def export_figures(rows: int, size: int, seconds: list[float], rss_before: float) -> dict:
    """One export's figures: rows, file size, median time, rows a second, memory before and at its peak."""
    med = statistics.median(seconds)
    peak = _peak_rss_mb()
    return {"rows": rows, "file_mb": round(size / 2**20, 1), "ms": _ms(med),
            "rows_per_s": round(rows / med) if med else 0, "rss_before_mb": rss_before, "peak_rss_mb": peak,
            "extra_rss_mb": round(peak - rss_before, 1)}


def _scratch_root(root: Path) -> Path:
    """A data directory whose folders and batches are links to `root`'s: batches can be added and removed
    there without touching the dataset (its rollup cache is its own, under its tmp/)."""
    scratch = Path(tempfile.mkdtemp(prefix="kafo-bench-grow-")) / "data"
    (scratch / "batches").mkdir(parents=True)
    for entry in root.iterdir():  # built/, reference/, money batches...: everything but the batches and tmp/
        if entry.name not in ("batches", "tmp", "rejected"):
            (scratch / entry.name).symlink_to(entry)
    for batch in batches_dir(root).iterdir():
        if (batch / "batch.json").is_file():
            (scratch / "batches" / batch.name).symlink_to(batch)
    return scratch


def worker_grow(root: Path, repeat: int) -> dict:
    """A batch of 1,000 item lines added to the dataset, then removed: what the rollup update costs.

    Before rollups grew by batch, both rebuilt the whole rollup (`rollup.build`, measured here too).
    """
    import pyarrow as pa

    from kafo_data.sample.seizures import synthetic, write_batch
    from kafo_data.store import rollup
    from kafo_data.store.db import Database

    os.environ.pop("KAFO_CACHE_DIR", None)  # the scratch directory's own tmp/ holds its parts
    scratch = _scratch_root(root)
    try:
        db = Database(scratch)
        t0 = time.perf_counter()
        db.version()
        first = {"ms": _ms(time.perf_counter() - t0), **rollup.last_report}
        whole = []
        for _ in range(min(repeat, 3)):
            t0 = time.perf_counter()
            rollup.build(db._con)
            whole.append(time.perf_counter() - t0)
        add, remove, add_rollup = [], [], []
        for k in range(repeat):
            seizures, items = synthetic(scratch, 1000, 1000 + k)
            prefix = f"ADD{k}-"
            seizures, items = (t.set_column(0, "seizure_id", pa.array([prefix + v for v in t.column(0).to_pylist()]))
                               for t in (seizures, items))
            write_batch(scratch, f"added-{k}", seizures, items, {"kind": "report", "rows": items.num_rows})
            t0 = time.perf_counter()
            db.version()
            add.append(time.perf_counter() - t0)
            add_rollup.append(rollup.last_report["seconds"])
            assert rollup.last_report["parts_built"] == 1, rollup.last_report
            shutil.rmtree(scratch / "batches" / f"added-{k}")
            t0 = time.perf_counter()
            db.version()
            remove.append(time.perf_counter() - t0)
        _close(db)
        return {"first_open": first, "whole_rebuild_ms": _ms(statistics.median(whole)),
                "add_ms": _ms(statistics.median(add)), "add_rollup_ms": _ms(statistics.median(add_rollup)),
                "remove_ms": _ms(statistics.median(remove)), "peak_rss_mb": _peak_rss_mb()}
    finally:
        shutil.rmtree(scratch.parent, ignore_errors=True)


DEPTH_FILTERS = {"all": Filters(), "one_operation_two_countries": Filters(operations=("KAFO-II",),
                                                                          countries=("NER", "MLI"))}


def worker_depth(root: Path, repeat: int) -> dict:
    """The records table sorted by quantity and by category at pages 1, 100 and the last (100 rows a page).

    The flat records files are built first (once per batch, in the background on a server), and their
    build is reported; the plain query (one ORDER BY ... LIMIT ... OFFSET over the join) is run once
    per case for comparison.
    """
    from kafo_data.seizures import queries
    from kafo_data.store import rollup
    from kafo_data.store.db import Database

    db = Database(root)
    db.version()
    t0 = time.perf_counter()
    rollup.flat_files(db.cursor, db.root, db.batches)
    flat_ms = _ms(time.perf_counter() - t0)
    out: dict[str, Any] = {"flat_build_ms": flat_ms, "pages": {}}
    for fname, f in DEPTH_FILTERS.items():
        total = queries.record_count(db, f)
        last = max(0, (total - 1) // 100 * 100)
        for sort in ("quantity", "category", "seizure_date"):
            for label, offset in (("1", 0), ("100", 9900), ("last", last)):
                queries.records_page(db, f, 100, offset, sort)  # warm
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    page = queries.records_page(db, f, 100, offset, sort)
                    times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                queries._plain_records_page(db, f, 100, offset, sort, False)
                plain = time.perf_counter() - t0
                out["pages"][f"{fname}/{sort}/page {label}"] = {
                    "ms": _ms(statistics.median(times)), "path": page.attrs["read_by"], "plain_ms": _ms(plain)}
    _close(db)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


GOAL_MS = 150  # issue 30: the Firearms page (a fresh selection) and the reporting grid, at 10 M item lines


def _median_ms(run: object, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (every thread's: what a loaded machine does not inflate), in ms."""
    times, cpu = [], []
    for _ in range(repeat):
        c0, t0 = _cpu_s(), time.perf_counter()
        run()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((_cpu_s() - c0) * 1000)
    return round(statistics.median(times), 1), round(statistics.median(cpu), 1)


def worker_firearms(root: Path, repeat: int) -> dict:
    """The Firearms page's queries for each scenario, fresh, for managers and for the public (ms, median)."""
    from kafo_data.firearms import public as firearm_public
    from kafo_data.firearms import queries as firearm_queries
    from kafo_data.seizures import public, queries
    from kafo_data.seizures.public import PublicFilters
    from kafo_data.store.db import Database

    db = Database(root)
    db.version()
    out: dict[str, dict[str, float]] = {}
    for name, f in scenarios().items():
        pf = PublicFilters.of(f)

        def managers(f=f) -> None:
            firearm_queries.cells(db, f)
            queries.events_summary(db, replace(f, categories=("firearms",)))

        def public_view(pf=pf) -> None:
            firearm_public.cells(db, pf)
            public.summary(db, replace(pf, categories=("firearms",)))

        managers()  # the first run of a process compiles nothing later runs need again
        out[name] = {"managers": _median_ms(managers, repeat), "public": _median_ms(public_view, repeat)}
    db.close()
    return {"page": out}


def firearm_lines(rows: int, page: dict, grid: dict | None) -> list[str]:
    """The figures as the benchmark prints them, with the goals."""
    out = [f"firearms page, fresh selection ({rows:,} item lines; ms, median wall / CPU)   managers      public"]
    for name, v in page["page"].items():
        out.append(f"  {name:<54}{v['managers'][0]:>8} /{v['managers'][1]:>6}{v['public'][0]:>8} /{v['public'][1]:>6}")
    worst = max(max(v["managers"][0], v["public"][0]) for v in page["page"].values())
    out.append(f"  [{'met' if worst <= GOAL_MS else 'NOT met'}] firearms page <= {GOAL_MS} ms: worst median {worst} ms")
    if grid:
        out.append(f"reporting grid, computed: {grid['grid_ms']} ms (CPU {grid['grid_cpu_ms']} ms) over "
                   f"{grid['batches']} batches, {grid['cells']} cells")
        out.append(f"  [{'met' if grid['grid_ms'] <= GOAL_MS else 'NOT met'}] reporting grid <= {GOAL_MS} ms")
    out.append(f"load average (1, 5, 15 min): {[round(x, 2) for x in os.getloadavg()]}")
    return out


WORKERS: dict[str, Callable[[Path, int], dict]] = {
    "build": worker_build,
    "duckdb": worker_duckdb,
    "export": worker_export,
    "grow": worker_grow,
    "depth": worker_depth,
    "firearms": worker_firearms,
}
# The pandas baseline lives in its own module (kafo_data/devtools/pandas_baseline.py), run as its own worker.
BASELINE_WORKERS = ("pandas", "export_pandas")


def _spawn(mode: str, root: Path, repeat: int, timeout: float) -> dict:
    """Run one worker in a fresh interpreter, so its peak memory is its own."""
    module = "kafo_data.devtools.pandas_baseline" if mode in BASELINE_WORKERS else "kafo_data.devtools.bench"
    cmd = [sys.executable, "-m", module, "--worker", mode, "--root", str(root), "--repeat", str(repeat)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO_DIR)
    if proc.returncode != 0:
        raise RuntimeError(f"bench worker {mode} failed on {root}:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# The run, the table, the targets


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 1) if a and b else None


def measure_size(label: str, root: Path, rows: int | None, repeat: int, baseline: bool, timeout: float,
                 log: Callable[[str], None]) -> dict:
    """Every figure for one dataset; each way of working in its own subprocess."""
    result: dict[str, Any] = {"label": label, "rows": rows, "root": str(root)}
    modes = ["build", "duckdb", "export", *(("pandas", "export_pandas") if baseline else ())]
    if rows is not None:  # the synthetic sizes: a batch added and removed, the records table at depth
        modes += ["grow", "depth", "firearms"]
    for mode in modes:
        log(f"[{label}] {mode} ...")
        t0 = time.perf_counter()
        result[mode] = _spawn(mode, root, repeat, timeout)
        log(f"[{label}] {mode} done in {time.perf_counter() - t0:.0f} s")
    if rows is None:
        result["rows"] = result["export"]["rows"]
    return result


def targets(sizes: list[dict]) -> list[dict]:
    """The issue's targets, each with the figure that decides it (warm page reruns, no result cache)."""
    out: list[dict] = []

    def worst(size: dict, only: list[str] | None = None) -> float:
        pages = size["duckdb"]["pages"]
        return max((v["warm"] for p in pages.values() for s, v in p.items() if only is None or s in only),
                   default=0.0)

    by_label = {s["label"]: s for s in sizes}
    big = by_label.get("10M")
    if big:
        out.append({"target": "10M: every page rerun < 1000 ms (any filters)", "value_ms": worst(big),
                    "met": worst(big) < 1000})
        value = worst(big, ["one_operation"])
        if value:
            out.append({"target": "10M: every page rerun < 150 ms (one operation)", "value_ms": value,
                        "met": value < 150})
    shipped = by_label.get("shipped")
    if shipped:
        out.append({"target": "shipped data: every page rerun < 50 ms", "value_ms": worst(shipped),
                    "met": worst(shipped) < 50})
    for size in sizes:
        if "pandas" not in size or (size["rows"] or 0) < 1_000_000:
            continue
        slower = [f"{p}/{s}" for p, scen in size["duckdb"]["pages"].items() for s, v in scen.items()
                  if p in size["pandas"]["pages"] and v["warm"] >= size["pandas"]["pages"][p][s]["warm"]]
        out.append({"target": f"{size['label']}: every page rerun faster than the pandas baseline",
                    "value": "all faster" if not slower else "slower: " + ", ".join(slower), "met": not slower})
        ratio = _ratio(size["pandas"]["peak_rss_mb"], size["duckdb"]["peak_rss_mb"])
        out.append({"target": f"{size['label']}: at least 5x less memory than the baseline",
                    "value": f"{ratio}x", "met": bool(ratio and ratio >= 5)})
    one_m = by_label.get("1M")
    if one_m:
        exp = one_m["export"]
        out.append({"target": "1M: CSV export >= 500k rows/s, never two copies of the file in memory",
                    "value": f"{exp['rows_per_s']} rows/s, +{exp['extra_rss_mb']} MB for a {exp['file_mb']} MB file",
                    "met": exp["rows_per_s"] >= 500_000 and exp["extra_rss_mb"] < 2 * exp["file_mb"]})
    return out


def _fmt(ms: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def table(report: dict) -> str:
    """The human-readable table: pages, then queries of the seizures page, export, memory, targets."""
    lines: list[str] = []
    for size in report["sizes"]:
        d, p = size["duckdb"], size.get("pandas")
        lines.append("")
        lines.append(f"== {size['label']} ({size['rows']:,} item lines) ==")
        b = size.get("build", {})
        lines.append(f"open (views + stored rollup): {_fmt(d['open_ms'])} ms; rollup build after a data change: "
                     f"{_fmt(b.get('build_ms'))} ms ({b.get('peak_rss_mb', '-')} MB peak)"
                     + (f"; pandas load: {_fmt(p['load_ms'])} ms" if p else ""))
        head = f"{'page rerun (ms)':<26}{'cold':>9}{'warm':>9}{'warm CPU':>10}{'cached':>9}"
        head += f"{'pandas cold':>13}{'pandas warm':>13}{'warm CPU':>10}{'x faster':>10}" if p else ""
        lines.append(head)
        for page, scen in d["pages"].items():
            for s, v in scen.items():
                row = (f"{page + '/' + s:<26}{_fmt(v['cold']):>9}{_fmt(v['warm']):>9}{_fmt(v.get('warm_cpu')):>10}"
                       f"{_fmt(v['cached']):>9}")
                if p and page in p["pages"]:  # the baseline has no public pages
                    pv = p["pages"][page][s]
                    row += (f"{_fmt(pv['cold']):>13}{_fmt(pv['warm']):>13}{_fmt(pv.get('warm_cpu')):>10}"
                            f"{_ratio(pv['warm'], v['warm']) or '-':>10}")
                lines.append(row)
        names = list(report["scenarios"])
        lines.append(f"{'seizures page query (ms)':<26}" + "".join(f"{s[:13]:>14}" for s in names)
                     + "   (warm; cold in brackets)")
        for label, scen in d["queries"]["seizures"].items():
            lines.append(f"{label:<26}" + "".join(
                f"{_fmt(scen[s]['warm']) + ' (' + _fmt(scen[s]['cold']) + ')':>14}" for s in names))
        g = size.get("grow")
        if g:
            lines.append(f"batch of 1,000 lines added: {_fmt(g['add_ms'])} ms "
                         f"(rollup update {_fmt(g['add_rollup_ms'])} ms; "
                         f"whole rebuild {_fmt(g['whole_rebuild_ms'])} ms); removed: {_fmt(g['remove_ms'])} ms; "
                         f"first open, parts built: {_fmt(g['first_open']['ms'])} ms")
        dep = size.get("depth")
        if dep:
            lines.append(f"records page (100 rows, ms; plain query in brackets; flat files built once in "
                         f"{_fmt(dep['flat_build_ms'])} ms)")
            for label, v in dep["pages"].items():
                lines.append(f"  {label:<52}{_fmt(v['ms']):>9} ({_fmt(v['plain_ms'])}) {v['path']}")
        if size.get("firearms"):
            lines += firearm_lines(size["rows"], size["firearms"], None)
        e = size["export"]
        lines.append(f"CSV export of {e['rows']:,} rows: {e['rows_per_s']:,} rows/s ({_fmt(e['ms'])} ms, "
                     f"{e['file_mb']} MB, +{e['extra_rss_mb']} MB memory)")
        if "export_pandas" in size:
            ep = size["export_pandas"]
            lines.append(f"  pandas to_csv baseline: {ep['rows_per_s']:,} rows/s ({_fmt(ep['ms'])} ms, "
                         f"+{ep['extra_rss_mb']} MB memory)")
        mem = f"peak memory: query layer {d['peak_rss_mb']:,} MB"
        if p:
            mem += f", pandas baseline {p['peak_rss_mb']:,} MB ({_ratio(p['peak_rss_mb'], d['peak_rss_mb'])}x)"
        lines.append(mem)
    lines.append("")
    lines.append(f"load average (1, 5, 15 min) at start {report.get('load_average_at_start')}, "
                 f"at end {report.get('load_average_at_end')}; {report['repeat']} runs per figure, median")
    lines.append("targets:")
    for t in report["targets"]:
        value = t.get("value", f"{t.get('value_ms')} ms")
        lines.append(f"  [{'met' if t['met'] else 'NOT met'}] {t['target']}: {value}")
    return "\n".join(lines)


def machine() -> dict:
    """What the figures were measured on."""
    import duckdb
    import pandas as pd

    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pd.__version__, "os": platform.platform()}


def run(rows: list[int], base: Path, repeat: int = 5, seed: int = 20191111, shipped: bool = True,
        baseline: bool = True, timeout: float = 7200, log: Callable[[str], None] = print,
        json_path: Path | None = None) -> dict:
    """Measure every size; returns the report (figures, machine, targets), written after each size."""
    sizes: list[dict] = []
    report = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine(),
              "repeat": repeat, "scenarios": {k: _describe(f) for k, f in scenarios().items()}, "sizes": sizes,
              "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    plan: list[tuple[str, Path, int | None]] = [("shipped", data_dir(), None)] if shipped else []
    for n in rows:
        log(f"[{_size_label(n)}] dataset ...")
        plan.append((_size_label(n), dataset(n, base, seed), n))
    for label, root, n in plan:
        sizes.append(measure_size(label, root, n, repeat, baseline, timeout, log))
        report["targets"] = targets(sizes)
        report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if json_path:
            json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _describe(f: Filters) -> dict[str, list[str]]:
    from kafo_data.filtering import to_params

    return to_params(f)


def configure(p: argparse.ArgumentParser) -> None:
    """The `bench` command's flags."""
    p.add_argument("--rows", type=int, nargs="+", default=list(DEFAULT_ROWS), metavar="N",
                   help="dataset sizes in item lines (default: 100000 1000000 10000000)")
    p.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    p.add_argument("--base", default=str(DEFAULT_BASE), help="where the synthetic datasets are kept (reused)")
    p.add_argument("--seed", type=int, default=20191111)
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), help="measure only these filter sets")
    p.add_argument("--no-shipped", action="store_true", help="skip the shipped data")
    p.add_argument("--no-baseline", action="store_true", help="skip the pandas baseline")


def cmd_bench(args: argparse.Namespace) -> int:
    """`python -m kafo_data bench`: print the table, write JSON if asked."""
    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.scenarios:
        os.environ["KAFO_BENCH_SCENARIOS"] = ",".join(args.scenarios)

    report = run(list(args.rows), Path(args.base).resolve(), repeat=max(1, args.repeat), seed=args.seed,
                 shipped=not args.no_shipped, baseline=not args.no_baseline, log=log,
                 json_path=Path(args.json) if args.json else None)
    print(table(report))
    if args.json:
        print(f"\nwrote {args.json}")
    return 0


def worker_main(argv: list[str], workers: dict[str, Callable[[Path, int], dict]]) -> int:
    """One worker process: run the named measurement and print its result as JSON."""
    parser = argparse.ArgumentParser(description="one bench worker (internal)")
    parser.add_argument("--worker", choices=list(workers), required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    result = workers[args.worker](Path(args.root), args.repeat)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:], WORKERS))

"""The baseline `bench` compares the query layer with: the same page answers computed the way most Streamlit apps do.

Both tables are read into pandas once, cached with `st.cache_data`, and every rerun filters with masks and
groups with pandas. Only `bench`'s worker processes import this module (`--worker pandas|export_pandas`).
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from pathlib import Path
from typing import Any

from kafo_data.config import built_dir
from kafo_data.devtools.bench import (
    PAGE_CALLS,
    SCENARIOS,
    Call,
    _collect,
    _cpu_s,
    _current_rss_mb,
    _ms,
    _peak_rss_mb,
    _quiet_streamlit_ui,
    _run_calls,
    _summarise,
    export_figures,
    scenarios,
    worker_main,
)
from kafo_data.seizures.filters import Filters

# The baseline models the managers' pages (the public API's adjusted numbers have no pandas twin).
MANAGER_PAGES = {page: make for page, make in PAGE_CALLS.items() if not page.endswith("_public")}


class PandasApp:
    """The same answers as `kafo_data.seizures.queries`, computed the way most Streamlit apps do.

    `tables()` is what such an app calls at the top of every page: a `st.cache_data` function that
    read every batch into pandas once and hands each rerun its own copy. The methods answer the
    same questions as the query layer (tests/devtools/test_bench.py checks that they agree).
    """

    def __init__(self, root: Path) -> None:
        import streamlit as st

        self.root = root
        self._load = st.cache_data(show_spinner=False)(_pandas_tables)
        self.s: Any = None
        self.r: Any = None
        self.ref: dict[str, Any] = {}

    def tables(self) -> None:
        from kafo_data.store.db import data_version

        self.s, self.r, self.ref = self._load(str(self.root), data_version(self.root))

    # masks ------------------------------------------------------------------------------------
    def _mask(self, frame: Any, f: Filters, items: bool = True) -> Any:
        import numpy as np

        m = np.ones(len(frame), dtype=bool)
        if f.operations:
            m &= frame.operation_id.isin(f.operations).to_numpy()
        if f.countries:
            m &= frame.country_iso3.isin(f.countries).to_numpy()
        if items and f.categories:
            m &= frame.category.isin(f.categories).to_numpy()
        if f.date_from:
            m &= (frame.seizure_date >= _ts(f.date_from)).to_numpy()
        if f.date_to:
            m &= (frame.seizure_date <= _ts(f.date_to)).to_numpy()
        if not f.include_sample:
            m &= ~frame.is_sample.to_numpy(dtype=bool)
        return m

    def _events(self, f: Filters) -> Any:
        m = self._mask(self.s, f, items=False)
        if f.categories:
            having = self.r.seizure_id[self.r.category.isin(f.categories)]
            m &= self.s.seizure_id.isin(having).to_numpy()
        return self.s[m]

    def _grouped(self, f: Filters, keys: list[str]) -> Any:
        rows = self.r[self._mask(self.r, f)]
        return (rows.groupby([*keys, "unit"], dropna=False).quantity.agg(quantity="sum", lines="size")
                .reset_index().sort_values([*keys, "unit"], ignore_index=True))

    # the questions the pages ask --------------------------------------------------------------
    def known(self) -> Any:
        return set(self.ref["operations"].operation_id)

    def operations(self) -> Any:
        ops, oc = self.ref["operations"], self.ref["operation_countries"]
        lists = oc.sort_values("country_iso3").groupby("operation_id").country_iso3.agg(list)
        return ops.assign(countries=ops.operation_id.map(lists)).sort_values("start_date", ignore_index=True)

    def countries(self) -> Any:
        return self.ref["countries"].sort_values("iso3", ignore_index=True)

    def figures(self, operation_id: str | None = None) -> Any:
        figs = self.ref["figures"].merge(self.ref["sources"], on="source_id", suffixes=("", "_source"))
        return figs if operation_id is None else figs[figs.operation_id == operation_id]

    def operation_countries(self) -> Any:
        return self.ref["operation_countries"].merge(self.ref["countries"], left_on="country_iso3",
                                                     right_on="iso3")

    def sources(self) -> Any:
        return self.ref["sources"].sort_values(["published", "source_id"], ignore_index=True)

    def operation_agencies(self) -> Any:
        return self.ref["operation_agencies"].merge(self.ref["sources"], on="source_id").sort_values(
            ["operation_id", "position"], ignore_index=True)

    def operation_summaries(self, f: Filters) -> dict[str, dict[str, int]]:
        return {op: self.events_summary(f.for_operation(op)) for op in self.ref["operations"].operation_id}

    def facets(self, f: Filters) -> dict[str, dict[str, int]]:
        from kafo_data.seizures.filters import COLUMNS

        return {key: self.facet_counts(f, key) for key in COLUMNS}

    def breakdowns(self, f: Filters) -> dict[str, Any]:
        return {"totals": self.totals(f), "country": self.by_country(f), "operation": self.by_operation(f),
                "item_type": self.by_item_type(f), "month": self.monthly(f)}

    def facet_counts(self, f: Filters, key: str) -> dict[str, int]:
        from kafo_data.seizures.filters import COLUMNS

        column = COLUMNS[key]
        rows = self.r[self._mask(self.r, f.without(key))]
        return {k: int(n) for k, n in rows[column].value_counts().items()}

    def events_summary(self, f: Filters) -> dict[str, int]:
        events = self._events(f)
        return {"events": len(events), "arrests": int(events.arrests.sum()),
                "sample_events": int(events.is_sample.sum()), "lines": int(self._mask(self.r, f).sum())}

    def totals(self, f: Filters) -> Any:
        return self._grouped(f, ["category"])

    def by_country(self, f: Filters) -> Any:
        return self._grouped(f, ["country_iso3", "category"])

    def by_operation(self, f: Filters) -> Any:
        return self._grouped(f, ["operation_id", "category"])

    def by_item_type(self, f: Filters) -> Any:
        return self._grouped(f, ["category", "item_type"])

    def monthly(self, f: Filters) -> Any:
        rows = self.r[self._mask(self.r, f)]
        month = rows.seizure_date.dt.to_period("M").dt.to_timestamp()
        return (rows.assign(month=month).groupby(["month", "category", "unit"], dropna=False)
                .quantity.agg(quantity="sum", lines="size").reset_index())

    def map_points(self, f: Filters) -> Any:
        ev = self._events(f)
        ev = ev[ev.latitude.notna() & ev.longitude.notna()]
        ev = ev.assign(locality=ev.locality.fillna("?"))
        return (ev.groupby(["country_iso3", "locality", "admin1"], dropna=False)
                .agg(latitude=("latitude", "mean"), longitude=("longitude", "mean"),
                     events=("seizure_id", "size"), arrests=("arrests", "sum"))
                .reset_index().sort_values("events", ascending=False, ignore_index=True))

    def record_count(self, f: Filters) -> int:
        return int(self._mask(self.r, f).sum())

    def records_page(self, f: Filters, limit: int = 100, offset: int = 0, sort: str = "seizure_date",
                     descending: bool = False) -> Any:
        from kafo_data.contract import seizures as contract

        rows = self.r[self._mask(self.r, f)]
        rows = rows.sort_values([sort, "seizure_id", "line_no"], ascending=[not descending, True, True],
                                na_position="last")
        return rows.iloc[offset:offset + limit][list(contract.RECORD_COLUMNS)].reset_index(drop=True)

    def sample_share(self) -> dict[str, int]:
        sample = int(self.s.is_sample.sum())
        return {"sample": sample, "real": len(self.s) - sample}

    def records_by_source(self) -> Any:
        return (self.r.groupby(["source", "is_sample"]).agg(events=("seizure_id", "nunique"),
                                                              lines=("seizure_id", "size")).reset_index())

    def reconciliation(self, include_sample: bool = True) -> Any:
        rows = self.r if include_sample else self.r[~self.r.is_sample.to_numpy(dtype=bool)]
        events = self.s if include_sample else self.s[~self.s.is_sample.to_numpy(dtype=bool)]
        sums = rows.groupby(["operation_id", "category", "unit", "item_type"]).quantity.sum()
        arrests = events.groupby("operation_id").arrests.sum()
        figs = self.ref["figures"]
        figs = figs[figs.shown & figs.value.notna() & (figs.category.notna() | (figs.indicator == "arrests"))]
        totals = []
        for fig in figs.itertuples():
            if fig.indicator == "arrests":
                totals.append(arrests.get(fig.operation_id))
                continue
            try:
                part = sums.loc[(fig.operation_id, fig.category, fig.unit)]
            except KeyError:
                totals.append(None)
                continue
            if isinstance(fig.item_type, str):
                part = part[part.index == fig.item_type]
            totals.append(part.sum() if len(part) else None)
        return figs.assign(records_total=totals)


def _ts(day: dt.date) -> Any:
    import pandas as pd

    return pd.Timestamp(day)


def _pandas_tables(root: str, version: str) -> tuple[Any, Any, dict[str, Any]]:
    """Every batch read into pandas and joined, as a typical app's cached loader does."""
    import pandas as pd

    from kafo_data.store.db import batch_dirs
    from kafo_data.store.reference import REFERENCE_TABLES

    base = Path(root)
    batches = batch_dirs(base)
    seizures = pd.concat([pd.read_parquet(b / "seizures.parquet") for b in batches], ignore_index=True)
    items = pd.concat([pd.read_parquet(b / "seized_items.parquet") for b in batches], ignore_index=True)
    seizures["seizure_date"] = pd.to_datetime(seizures["seizure_date"])
    records = items.merge(seizures, on="seizure_id", how="inner")
    ref = {t: pd.read_parquet(built_dir(base) / f"{t}.parquet") for t in REFERENCE_TABLES}
    return seizures, records, ref


def worker_pandas(root: Path, repeat: int) -> dict:
    """Cold (load + first run) and warm page reruns of the pandas baseline, in this process alone."""
    _quiet_streamlit_ui()
    import streamlit as st

    store: dict = {"load_ms": []}
    ops: list[str] = []
    for _ in range(repeat):
        st.cache_data.clear()
        gc.collect()
        app = PandasApp(root)
        t0 = time.perf_counter()
        app.tables()
        load = _ms(time.perf_counter() - t0)
        store["load_ms"].append(load)
        ops = list(app.operations().operation_id)
        # A session that meets an empty cache pays the load, then its page's first run.
        for scenario, f in scenarios().items():
            for page, make in MANAGER_PAGES.items():
                total, each = _pandas_page(app, make(f, ops))
                _collect(store, page, scenario, "cold", load + total, each)
        del app
    app = PandasApp(root)
    for scenario, f in scenarios().items():
        for page, make in MANAGER_PAGES.items():
            calls = make(f, ops)
            _pandas_page(app, calls)
            for _ in range(repeat):
                total, each = _pandas_page(app, calls)
                _collect(store, page, scenario, "warm", total, each)
    out = _summarise(store)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _pandas_page(app: PandasApp, calls: list[Call]) -> tuple[float, dict[str, float]]:
    """One rerun: the cached loader hands out its copy, then each call computes from it."""
    cpu0, start = _cpu_s(), time.perf_counter()
    app.tables()
    loaded = _ms(time.perf_counter() - start)
    _, each = _run_calls(lambda n, a, k: getattr(app, n)(*a, **k), calls)
    each = {"(cached table copy)": loaded, **each, "(cpu)": _ms(_cpu_s() - cpu0)}
    return _ms(time.perf_counter() - start), each




def worker_export_pandas(root: Path, repeat: int) -> dict:
    """The same file the usual way: the cached frame, `to_csv` into a string, encoded for the button."""
    _quiet_streamlit_ui()
    from kafo_data.contract import seizures as contract

    app = PandasApp(root)
    app.tables()
    rss_before = _current_rss_mb()
    seconds, rows, size = [], 0, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        app.tables()
        frame = app.r[app._mask(app.r, SCENARIOS["all"])][list(contract.RECORD_COLUMNS)]
        data = frame.to_csv(index=False).encode("utf-8-sig")
        seconds.append(time.perf_counter() - t0)
        rows, size = len(frame), len(data)
        del frame, data
        gc.collect()
    return export_figures(rows, size, seconds, rss_before)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:], {"pandas": worker_pandas, "export_pandas": worker_export_pandas}))

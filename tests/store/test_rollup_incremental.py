"""The rollup grown by batch (one part per batch, merged) equals the rollup built whole from the records.

Each batch's part is built from its own two files; the merged tables must equal `rollup.build` over
the joined views: exact for every count, key and category mask, to the last bits for float sums (their
order of addition differs). Adding a batch builds only that batch's part; removing one builds none.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kafo_data.sample.seizures import write_batch
from kafo_data.store import rollup
from kafo_data.store.batches import remove_batch
from kafo_data.store.db import Database
from tests.conftest import DATA
from tests.store.test_rollup import _awkward_batch

FLOATS = {"rollup_lines": ["quantity"], "rollup_events": ["geo_latitude", "geo_longitude"],
          "rollup_firearms": ["firearms", "recorded", "established"],
          "rollup_cells": ["quantity"], "rollup_itemsets": []}


def _table(db: Database, table: str) -> pd.DataFrame:
    keys = rollup.KEYED[table][0]
    frame = db.frame(f"SELECT * FROM {table} ORDER BY {', '.join(k + ' NULLS FIRST' for k in keys)}")
    return frame.reset_index(drop=True).map(lambda v: tuple(v) if isinstance(v, list | np.ndarray) else v)


def _whole(root: Path) -> dict[str, pd.DataFrame]:
    """The rollup built whole from the records views (no parts, no stored rollup)."""
    db = Database(root, rollups=False)
    try:
        db.version()
        rollup.build(db._con)
        return {t: _table(db, t) for t in rollup.TABLES}
    finally:
        db.close()


def _assert_same_as_whole(db: Database) -> None:
    expected = _whole(db.root)
    for table in rollup.TABLES:
        got = _table(db, table)
        floats = FLOATS[table]
        assert list(got.columns) == list(expected[table].columns)
        assert [str(t) for t in got.dtypes] == [str(t) for t in expected[table].dtypes]
        pd.testing.assert_frame_equal(got.drop(columns=floats), expected[table].drop(columns=floats))
        pd.testing.assert_frame_equal(got[floats], expected[table][floats], check_exact=False, rtol=1e-12)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The shipped data (its sample batch) and two awkward batches, one sample, one real."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("tmp", "rejected"))
    for seed, real in ((11, False), (12, True)):
        s, i = _awkward_batch(target, 3000, seed, real)
        write_batch(target, f"batch-{seed}", s, i, {"kind": "report" if real else "synthetic"})
    return target


def test_merged_parts_equal_the_whole_build_and_grow_by_one_batch(root):
    db = Database(root)
    try:
        db.version()
        assert rollup.last_report["parts_built"] == len(db.batches) == 3  # sample + two awkward batches
        _assert_same_as_whole(db)

        s, i = _awkward_batch(root, 800, 31, real=True)
        write_batch(root, "batch-31", s, i, {"kind": "report"})
        db.version()
        assert rollup.last_report == {**rollup.last_report, "how": "built", "parts_built": 1, "parts_reused": 3}
        _assert_same_as_whole(db)
        assert db.rows("SELECT sum(events) FROM rollup_events WHERE source = 'report'")[0][0] == \
            pq.read_table(root / "batches" / "batch-31" / "seizures.parquet").num_rows + \
            pq.read_table(root / "batches" / "batch-12" / "seizures.parquet").num_rows

        remove_batch(root, "batch-12")
        db.version()
        assert rollup.last_report["parts_built"] == 0 and rollup.last_report["parts_reused"] == 3
        _assert_same_as_whole(db)
    finally:
        db.close()


def test_a_second_process_loads_the_merged_rollup_and_reuses_parts(root):
    first = Database(root)
    first.version()
    first.close()
    second = Database(root)
    try:
        second.version()
        assert rollup.last_report["how"] == "loaded"
        shutil.rmtree(rollup.stored_dir(root, second.version()))
        third = Database(root)
        third.version()
        assert rollup.last_report["how"] == "built" and rollup.last_report["parts_built"] == 0
        _assert_same_as_whole(third)
        third.close()
    finally:
        second.close()


def test_events_of_several_categories_keep_one_mask_and_arrests_once(root):
    """An event with lines of two categories: one row in its part, arrests once, whatever the merge."""
    events = pa.table({
        "seizure_id": ["X:1", "X:2", "X:3"], "operation_id": ["KAFO-II"] * 3,
        "seizure_date": pa.array([pd.Timestamp("2020-12-02").date()] * 3, pa.date32()),
        "country_iso3": ["NER"] * 3, "admin1": [None] * 3, "locality": [None] * 3,
        "latitude": [13.5, None, 13.5], "longitude": [2.1, None, 2.1], "agency": ["police"] * 3,
        "arrests": pa.array([4, 1, 2], pa.int32()), "criminal_context": ["other"] * 3,
        "source": ["merge-test"] * 3, "is_sample": [False] * 3,
    })
    items = pa.table({
        "seizure_id": ["X:1", "X:1", "X:1", "X:2"], "line_no": pa.array([1, 2, 3, 1], pa.int32()),
        "category": ["firearms", "ammunition", "firearms", "firearms"],
        "item_type": ["pistol", "cartridge", "rifle", "pistol"], "quantity": [2.0, 150.0, 1.0, 1.0],
        "unit": ["pieces", "rounds", "pieces", "pieces"],
    })
    write_batch(root, "batch-x", events, items, {"kind": "report"})
    db = Database(root)
    try:
        db.version()
        _assert_same_as_whole(db)
        rows = db.rows("SELECT catmask, events, arrests, lines, events_with_lines FROM rollup_events "
                       "WHERE source = 'merge-test' ORDER BY catmask")
        from kafo_data.seizures.filters import category_mask

        assert rows == [(0, 1, 2, 0, 0), (category_mask(("firearms",)), 1, 1, 1, 1),
                        (category_mask(("firearms", "ammunition")), 1, 4, 3, 1)]
    finally:
        db.close()


def test_an_unwritable_cache_still_gives_the_rollup(root, tmp_path, monkeypatch):
    """A read-only data volume with no writable cache: parts and rollup kept by the process alone."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("KAFO_CACHE_DIR", str(blocked))
    db = Database(root)
    try:
        db.version()
        _assert_same_as_whole(db)
    finally:
        db.close()


def test_a_data_directory_without_money_files_survives_several_batches(root):
    """No money files: the money views are empty tables, dropped and made again at every data change."""
    shutil.rmtree(root / "money")
    db = Database(root)
    try:
        for seed in (41, 42):
            db.version()
            s, i = _awkward_batch(root, 200, seed, real=True)
            write_batch(root, f"batch-{seed}", s, i, {"kind": "report"})
        db.version()
        assert db.rows("SELECT count(*) FROM money_budgets")[0][0] == 0
        _assert_same_as_whole(db)
    finally:
        db.close()

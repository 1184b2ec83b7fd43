"""The records table at any depth: every column, both directions, first, middle, last and past-the-end pages.

The fast path (`records_page` on a database whose records stay in parquet files: flat files, histogram of
the sort column, reversed order near the end) must return exactly the rows of the plain query
(`_plain_records_page`: one ORDER BY ... LIMIT ... OFFSET over the `records` view), under filters,
with several batches, NULLs in the sort column, and pages that straddle two values.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from kafo_data.contract import seizures as contract
from kafo_data.sample.seizures import write_batch
from kafo_data.seizures import queries
from kafo_data.seizures.filters import Filters
from kafo_data.store import rollup
from kafo_data.store.db import Database
from tests.conftest import DATA
from tests.store.test_rollup import _awkward_batch

pytestmark = pytest.mark.xdist_group("records-depth")  # one worker builds the module's database, not four


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("depth") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("tmp", "rejected"))
    for seed, real in ((21, False), (22, True)):
        s, i = _awkward_batch(root, 2500, seed, real)
        write_batch(root, f"batch-{seed}", s, i, {"kind": "report" if real else "synthetic"})
    database = Database(root, rollups=True, in_memory_bytes=0)
    database.version()
    assert rollup.flat_files(database.cursor, root, database.batches) is not None  # built now, not in background
    yield database
    database.close()


FILTERS = [
    Filters(),
    Filters(operations=("KAFO-II", "KAFO-IV"), include_sample=False),
    Filters(categories=("firearms", "ammunition"), countries=("NER", "MLI", "BFA")),
]


def _same(db: Database, f: Filters, sort: str, descending: bool, offset: int, limit: int = 37) -> None:
    got = queries.records_page(db, f, limit=limit, offset=offset, sort=sort, descending=descending)
    assert got.attrs["read_by"] in ("stream", "top-n")
    expected = queries._plain_records_page(db, f, limit, offset, sort, descending)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("f", FILTERS, ids=["all", "two_operations_real", "categories_countries"])
@pytest.mark.parametrize("sort", contract.RECORD_COLUMNS)
def test_every_column_at_every_depth_equals_the_plain_query(db, f, sort):
    total = queries.record_count(db, f)
    assert total > 500
    for descending in (False, True):
        for offset in (0, 37 * 5, total // 2 - 11, total - 60, total - 37, total - 5, total, total + 100):
            _same(db, f, sort, descending, max(0, offset))


def test_pages_of_one_value_are_read_without_a_sort(db):
    """The batches' seizure id ranges do not overlap, so a page inside one value's lines is a scan in file order."""
    assert rollup.seizure_id_ranges(db.cursor, rollup.flat_files(db.cursor, db.root, db.batches)) is not None
    page = queries.records_page(db, Filters(), limit=10, offset=3000, sort="category")
    assert page.attrs["read_by"] == "stream"


def test_a_new_batch_shows_in_the_pages(db, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(db.root, root, ignore=shutil.ignore_patterns("tmp"))
    fresh = Database(root, rollups=True, in_memory_bytes=0)
    try:
        fresh.version()
        rollup.flat_files(fresh.cursor, root, fresh.batches)
        before = queries.record_count(fresh, Filters())
        _same(fresh, Filters(), "category", False, before - 10)
        s, i = _awkward_batch(root, 300, 23, real=True)
        write_batch(root, "batch-23", s, i, {"kind": "report"})
        fresh.version()
        rollup.flat_files(fresh.cursor, root, fresh.batches)
        after = queries.record_count(fresh, Filters())
        assert after > before
        for offset in (0, before - 10, after - 37):
            _same(fresh, Filters(), "category", False, offset)
            _same(fresh, Filters(), "quantity", True, offset)
    finally:
        fresh.close()

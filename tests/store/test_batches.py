"""One batch writer and one store lock for every kind of data (issue 13; issue 17 items 6 and 11).

The writer: every file, the batch directory and its parent are flushed to disk, and every writer
(seizure ingest, money ingest, the samples) goes through it. The lock: two money loads at the same
moment never store the same ids twice, and `validate` catches ids stored in two batches.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kafo_data.ingest import money as money_ingest
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.ingest.validate import validate
from kafo_data.sample import money as money_sample
from kafo_data.sample import seizures as sample
from kafo_data.store import batches
from tests.fixtures.ingest import reports

BUDGETS = """budget_id;donor_id;budget_type;status;period_start;period_end;value;currency;value_date;output
{rows}"""
ROW = "B-{n};EU;original;committed;2020-01-01;2020-12-31;100;EUR;2020-01-01;1"


def budget_file(tmp_path: Path, name: str, ids: range) -> Path:
    path = tmp_path / name
    path.write_text(BUDGETS.format(rows="\n".join(ROW.format(n=n) for n in ids)), encoding="utf-8")
    return path


@pytest.fixture
def synced(monkeypatch) -> list[str]:
    """The paths os.fsync was called on, in order (read back from the descriptor)."""
    seen: list[str] = []
    real = os.fsync

    def record(fd: int) -> None:
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", record)
    return seen


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads descriptors back through /proc")
def test_a_seizure_batch_is_fsynced_file_by_file_then_renamed_in_and_its_parent_fsynced(data_copy, synced):
    p = ingest.plan(data_copy, "r.csv", reports.french_csv())
    result = commit(data_copy, p)
    batch = result.batch_path
    assert batch is not None
    tmp = str(data_copy / "tmp" / f"{batch.name}.partial")
    names = [s.replace(tmp, "WORK") for s in synced]
    rejected = str(data_copy / "rejected")
    assert [f"WORK/{n}" for n in ("seizures.parquet", "seized_items.parquet", "batch.json")] + ["WORK"] == \
        [n for n in names if n.startswith("WORK")], "every file, then the directory, before the rename"
    assert names[-1] == str(data_copy / "batches"), "the parent after the rename"
    assert rejected in names and names.index(rejected) < names.index("WORK"), "the rejected file, whole, first"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads descriptors back through /proc")
def test_money_batches_and_both_samples_go_through_the_same_writer(data_copy, tmp_path, synced, monkeypatch):
    made: list[str] = []
    real = batches.write_batch_dir

    def counting(final, work, files, meta, what="batch"):
        made.append(final.parent.name)
        return real(final, work, files, meta, what)

    monkeypatch.setattr(batches, "write_batch_dir", counting)
    for module in (money_ingest,):
        monkeypatch.setattr(module, "write_batch_dir", counting)
    money_ingest.ingest_file(data_copy, budget_file(tmp_path, "b.csv", range(3)), "budget")
    sample.build_sample(data_copy)
    assert made == ["batches", "batches"]
    synced.clear()
    money_sample.write_sample(data_copy)
    money = str(data_copy / "money")
    assert synced.count(money) == 3 and len([s for s in synced if s.startswith(str(data_copy / "tmp"))]) == 3


def test_two_money_loads_at_the_same_moment_never_store_an_id_twice(data_copy, tmp_path, monkeypatch):
    """The second load waits for the first (one store lock), then finds every id already stored."""
    real = money_ingest.stored_ids

    def slow(root, table):
        ids = real(root, table)
        time.sleep(0.5)  # both loads would have read "nothing stored" without the lock
        return ids

    monkeypatch.setattr(money_ingest, "stored_ids", slow)
    files = [budget_file(tmp_path, f"b{k}.csv", range(200)) for k in (1, 2)]
    files[1].write_text(files[1].read_text() + "\n", encoding="utf-8")  # another checksum, the same ids
    results: list[object] = []
    threads = [threading.Thread(target=lambda f=f: results.append(money_ingest.ingest_file(data_copy, f, "budget")))
               for f in files]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    ids = [i for b in (data_copy / "money" / "batches").iterdir()
           for i in pq.read_table(b / "budgets.parquet").column("budget_id").to_pylist()]
    assert len(ids) == len(set(ids)) == 200
    assert sorted((r.accepted, len(r.rejected)) for r in results) == [(0, 200), (200, 0)]
    assert validate(data_copy) == []


def test_validate_names_money_ids_stored_in_two_batches(data_copy, tmp_path):
    known = money_ingest.known_ids(data_copy)
    rows = [money_ingest.check_budget({**dict(zip(BUDGETS.split("\n")[0].split(";"), ROW.format(n=n).split(";"),
                                                  strict=True))},
                                      known, sorted(known.projects)[0], "test") for n in range(3)]
    for rows_of, name in ((rows, "budgets-a"), (rows[1:], "budgets-b")):
        money_ingest.write_money_batch(data_copy, name, "budgets", rows_of, {"batch_id": name})
    problems = [p for p in validate(data_copy) if "also stored" in p]
    assert len(problems) == 2 and all("budgets-a" in p and p.startswith("money/batches/budgets-b/") for p in problems)


def test_the_store_lock_is_one_lock_for_every_writer_and_reentrant_in_a_thread(data_copy):
    order: list[str] = []
    def other_writer() -> None:
        with batches.store_lock(data_copy):
            order.append("other")

    with batches.store_lock(data_copy):
        other = threading.Thread(target=other_writer, daemon=True)
        other.start()
        with batches.store_lock(data_copy):  # the same thread again: no deadlock
            time.sleep(0.3)
            order.append("holder")
    other.join(10)
    assert order == ["holder", "other"]

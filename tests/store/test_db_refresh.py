"""The views follow the data directory whatever it holds, whatever a writer does meanwhile (issue 17, items 8-10).

Counts are checked against the files themselves, read with pyarrow, not through DuckDB.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kafo_data.cli import main
from kafo_data.ingest import money as money_ingest
from kafo_data.ingest.validate import validate
from kafo_data.sample.seizures import synthetic, write_batch
from kafo_data.store import batches
from kafo_data.store import db as dbmod
from kafo_data.store.db import Database
from tests.conftest import open_app

MONEY_FILES = ("budgets.parquet", "transactions.parquet")


def expected_money(root: Path) -> dict[str, int]:
    """Rows each money view should hold: the real batches of a table, else its sample, else none."""
    out = {}
    for table in ("budgets", "transactions"):
        real = [b / f"{table}.parquet" for b in sorted((root / "money" / "batches").glob("*"))
                if (b / f"{table}.parquet").is_file() and (b / "batch.json").is_file()]
        files = real or [f for f in [root / "money" / f"{table}.parquet"] if f.is_file()]
        out[table] = sum(pq.read_metadata(f).num_rows for f in files)
    return out


def money_counts(db: Database) -> dict[str, int]:
    got = {t: db.rows(f"SELECT count(*) FROM money_{t}")[0][0] for t in ("budgets", "transactions")}
    db.rows("SELECT count(*) FROM money_budgets_current")
    return got


@pytest.fixture
def money_states(data_copy, tmp_path):
    """A function that puts the data directory in one state: (sample budgets, sample transactions, a batch)."""
    keep = tmp_path / "keep"
    keep.mkdir()
    for name in MONEY_FILES:
        shutil.copy(data_copy / "money" / name, keep / name)
    rows = money_ingest.read_rows("b.csv", (
        b"budget_id;donor_id;budget_type;status;period_start;period_end;value;currency;value_date;output\n"
        b"R-1;EU;original;committed;2020-01-01;2020-12-31;100;EUR;2020-01-01;1\n"), "budgets")[1]
    known = money_ingest.known_ids(data_copy)
    checked = [money_ingest.check_budget(r, known, sorted(known.projects)[0], "b.csv") for _, r in rows]

    def put(state: tuple[bool, bool, bool]) -> None:
        budgets, transactions, batch = state
        for present, name in ((budgets, MONEY_FILES[0]), (transactions, MONEY_FILES[1])):
            target = data_copy / "money" / name
            if present and not target.exists():
                shutil.copy(keep / name, target)
            elif not present:
                target.unlink(missing_ok=True)
        folder = data_copy / "money" / "batches" / "budgets-real"
        if batch and not folder.exists():
            money_ingest.write_money_batch(data_copy, "budgets-real", "budgets", checked, {"batch_id": "budgets-real"})
        elif not batch:
            shutil.rmtree(folder, ignore_errors=True)

    return put


def every_transition(n: int) -> list[int]:
    """A walk over states 0..n-1 that takes every ordered pair (a, b) once, a == b included (an Eulerian circuit
    of the complete graph: each state has n ways in and n ways out)."""
    unused = {a: list(range(n)) for a in range(n)}
    stack, walk = [0], []
    while stack:
        if unused[stack[-1]]:
            stack.append(unused[stack[-1]].pop())
        else:
            walk.append(stack.pop())
    return walk[::-1]


def test_every_combination_of_money_files_before_and_after_a_change(data_copy, money_states):
    """Opened in each state, then one open database taken through every change from any state to any other."""
    states = list(itertools.product((True, False), repeat=3))
    for state in states:
        money_states(state)
        db = Database(data_copy, in_memory_bytes=0)
        try:
            assert money_counts(db) == expected_money(data_copy), state
        finally:
            db.close()
    walk = every_transition(len(states))
    assert len(set(itertools.pairwise(walk))) == len(walk) - 1 == len(states) ** 2
    money_states(states[walk[0]])
    db = Database(data_copy, in_memory_bytes=0)
    try:
        for before, after in itertools.pairwise(walk):
            money_states(states[after])
            assert money_counts(db) == expected_money(data_copy), (states[before], states[after])
    finally:
        db.close()


@pytest.mark.parametrize("small", [True, False], ids=["records in memory", "records as views"])
def test_seizure_batches_appear_and_disappear_with_or_without_money(data_copy, small):
    shutil.rmtree(data_copy / "money")
    seizures, items = synthetic(data_copy, 300, seed=5)
    db = Database(data_copy, in_memory_bytes=2**30 if small else 0)
    try:
        sample_lines = db.rows("SELECT count(*) FROM records")[0][0]
        write_batch(data_copy, "report-1", seizures, items, {"kind": "report"})
        assert db.rows("SELECT count(*) FROM records")[0][0] == sample_lines + items.num_rows
        assert db.rows("SELECT count(*) FROM money_budgets")[0][0] == 0
        batches.remove_batch(data_copy, "report-1")
        shutil.rmtree(data_copy / "batches" / "sample")
        assert db.rows("SELECT count(*) FROM records")[0][0] == 0
    finally:
        db.close()


# ---------------------------------------------------------------- item 8: a damaged batch


@pytest.fixture
def damaged(data_copy) -> Path:
    seizures, items = synthetic(data_copy, 200, seed=9)
    write_batch(data_copy, "report-damaged", seizures, items, {"kind": "report", "file": "r.csv"})
    path = data_copy / "batches" / "report-damaged" / "seized_items.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a copy stopped half way
    return data_copy


def test_a_truncated_batch_is_set_aside_named_and_the_rest_keeps_serving(damaged):
    sample_lines = pq.read_metadata(damaged / "batches" / "sample" / "seized_items.parquet").num_rows
    db = Database(damaged, in_memory_bytes=0)
    try:
        assert db.rows("SELECT count(*) FROM records")[0][0] == sample_lines
        assert [b for b, _ in db.damaged_batches()] == ["report-damaged"]
        assert "seized_items.parquet" in db.damaged_batches()[0][1]
    finally:
        db.close()
    assert any(p.startswith("batches/report-damaged/seized_items.parquet") for p in validate(damaged))


def test_the_command_line_names_a_damaged_batch_in_one_line_and_carries_on(damaged, tmp_path, capsys):
    out_file = tmp_path / "all.csv"
    code = main(["export", "--all", "-o", str(out_file), "--data-dir", str(damaged)])
    out, err = capsys.readouterr()
    assert code == 0 and "report-damaged" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and str(damaged) not in err
    sample_lines = pq.read_metadata(damaged / "batches" / "sample" / "seized_items.parquet").num_rows
    assert out_file.read_bytes().count(b"\r\n") in {sample_lines + 1, sample_lines + 2}
    report = tmp_path / "r.csv"
    report.write_bytes("N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité\r\n"
                       "X-1;KAFO II;02/12/2020;BFA;PA;1\r\n".encode())
    code = main(["ingest", str(report), "--data-dir", str(damaged)])
    out, err = capsys.readouterr()
    assert code == 0 and "1 read, 1 accepted, 0 already loaded, 0 rejected" in out
    assert "report-damaged" in err and "Traceback" not in err
    code = main(["batches", "remove", "report-damaged", "--data-dir", str(damaged)])
    assert code == 0 and not (damaged / "batches" / "report-damaged").exists()


# ---------------------------------------------------------------- item 9: a removal while serving


def test_a_batch_removed_between_the_version_check_and_the_query_is_not_an_error(data_copy, monkeypatch):
    seizures, items = synthetic(data_copy, 300, seed=3)
    write_batch(data_copy, "report-1", seizures, items, {"kind": "report"})
    db = Database(data_copy, in_memory_bytes=0)
    try:
        stale = db.version()
        real = dbmod.data_version
        calls = iter([stale])  # the next version check runs just before the removal
        monkeypatch.setattr(dbmod, "data_version", lambda root: next(calls, None) or real(root))
        batches.remove_batch(data_copy, "report-1")
        sample_lines = pq.read_metadata(data_copy / "batches" / "sample" / "seized_items.parquet").num_rows
        assert db.rows("SELECT count(*) FROM seized_items")[0][0] == sample_lines
    finally:
        db.close()


def test_the_data_version_ignores_a_file_that_vanishes_while_it_is_listed(data_copy, monkeypatch):
    real = os.scandir

    class Gone:
        name = "seized_items.parquet"

        def stat(self):
            raise FileNotFoundError(self.name)

    def scandir(path):
        return [*real(path), Gone()] if Path(path).name == "sample" else real(path)

    monkeypatch.setattr(dbmod.os, "scandir", scandir)
    assert len(dbmod.data_version(data_copy)) == 12


def test_removals_while_queries_run_never_fail_a_query(data_copy):
    seizures, items = synthetic(data_copy, 2000, seed=4)
    db = Database(data_copy, in_memory_bytes=0)
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                db.rows("SELECT count(*), sum(quantity) FROM records")
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for th in threads:
        th.start()
    try:
        for n in range(8):
            write_batch(data_copy, f"report-{n}", seizures, items, {"kind": "report"})
            batches.remove_batch(data_copy, f"report-{n}")
    finally:
        done.set()
        for th in threads:
            th.join(30)
        db.close()
    assert errors == []


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/seizures.py", "pages/budget.py"])
def test_every_page_says_a_batch_is_set_aside_without_naming_it(damaged, page, monkeypatch, clear_caches):
    monkeypatch.setenv("KAFO_DATA_DIR", str(damaged))
    at = open_app(page, timeout=90)
    warning = " ".join(w.value for w in at.warning)
    assert "1 stored batch(es) cannot be read and are set aside" in warning
    assert "report-damaged" not in warning  # batch ids are for managers: the Load reports page names them


def test_duckdb_spills_outside_the_checkout(repo_data):
    """DuckDB's default spill folder for an in-memory database is `.tmp` in the working directory: the checkout."""
    from kafo_data.store.db import Database
    from tests.conftest import REPO

    with Database(repo_data)._con.cursor() as cur:
        folder = Path(cur.execute("SELECT current_setting('temp_directory')").fetchone()[0]).resolve()
    assert folder != REPO and REPO not in folder.parents, folder

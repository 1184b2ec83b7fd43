"""Money downloads: the CLI writes the page's bytes; every column is labelled; the data version follows."""

from __future__ import annotations

import datetime as dt

from kafo_data.cli import main as cli_main
from kafo_data.contract.money import TABLES
from kafo_data.export import money as money_export
from kafo_data.export import writers
from kafo_data.money import queries as bq
from kafo_data.money.filters import MoneyFilters
from kafo_data.sample.money import write_sample
from kafo_data.store.db import data_version

# --- export and the data version -------------------------------------------------------------

def test_the_cli_export_writes_the_bytes_the_page_serves(repo_data, db, tmp_path, capsys):
    f = MoneyFilters(outputs=(2,), operations=("KAFO-II",))
    target = tmp_path / "tx.csv"
    assert cli_main(["money", "export", "--data-dir", str(repo_data), "--table", "transactions",
                     "--project-output", "2", "--operation", "KAFO-II", "-o", str(target)]) == 0
    assert target.read_bytes() == money_export.build(db, "transactions", f, "csv", "en", dt.date.today())
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ['"transaction_id"', '"project_id"', '"donor_id"', '"transaction_type"']
    assert len(lines) == 1 + len(bq.transactions(db, f))
    assert cli_main(["money", "export", "--data-dir", str(repo_data), "--donor", "XX", "-o", str(target)]) == 2
    assert "unknown donor" in capsys.readouterr().err


def test_a_money_export_over_a_cap_leaves_the_old_file_as_it_was(repo_data, tmp_path, monkeypatch, capsys):
    """Written through FILE.partial as `export` is: a refused file never truncates the one already there."""
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)
    target = tmp_path / "budget.xlsx"
    target.write_bytes(b"yesterday's file")
    assert cli_main(["money", "export", "--data-dir", str(repo_data), "--format", "xlsx", "-o", str(target)]) == 2
    assert "error:" in capsys.readouterr().err
    assert target.read_bytes() == b"yesterday's file" and sorted(p.name for p in tmp_path.iterdir()) == ["budget.xlsx"]


def test_every_money_column_has_a_label_and_a_meaning_in_both_languages():
    from kafo_data.i18n import catalogue

    for lang in ("en", "fr"):
        for table, columns in TABLES.items():
            for col in columns:
                assert f"budget.field.{table}.{col.name}" in catalogue(lang)
                assert f"budget.doc.{table}.{col.name}" in catalogue(lang)


def test_the_data_version_changes_when_money_changes(data_copy):
    before = data_version(data_copy)
    write_sample(data_copy, seed=1)
    assert data_version(data_copy) != before



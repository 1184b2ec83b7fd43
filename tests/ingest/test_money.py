"""Loading budget lines and transactions: every row counted, every rejection named, stored files checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kafo_data.cli import main as cli_main
from kafo_data.config import money_dir
from kafo_data.contract.money import AmountError, parse_amount
from kafo_data.export import money as money_export
from kafo_data.ingest.money import MoneyIngestError, ingest_file
from kafo_data.money import queries as bq
from kafo_data.money.filters import MoneyFilters
from kafo_data.store.db import get_database

# --- ingest ----------------------------------------------------------------------------------

BUDGET_CSV = """budget_id;donor_id;budget_type;status;period_start;period_end;value;currency;value_date;output
B-1;EU;original;committed;2020-01-01;2020-12-31;1000,50;EUR;2020-01-01;1
B-2;EU;2;2;2021-01-01;2021-03-31;200;EUR;2021-01-01;2
B-3;XX;original;committed;2020-01-01;2020-12-31;10;EUR;2020-01-01;1
B-4;EU;original;committed;2020-01-01;2021-06-30;10;EUR;2020-01-01;1
B-5;EU;original;committed;2020-01-01;2020-12-31;10.123;EUR;2020-01-01;1
B-1;EU;original;committed;2020-01-01;2020-12-31;10;EUR;2020-01-01;1
B-7;EU;original;committed;2020-01-01;2020-12-31;10;EURO;2020-01-01;5
B-8;EU;original;committed;2020-01-01;2020-12-31;=1+1;EUR;2020-01-01;1
"""


def test_budget_ingest_counts_every_row_and_names_each_rejection(data_copy, tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text(BUDGET_CSV, encoding="utf-8")
    result = ingest_file(data_copy, path, "budget")
    assert (result.read, result.accepted, len(result.rejected)) == (8, 2, 6)
    assert result.read == result.accepted + len(result.rejected)
    assert [line for line, _ in result.rejected] == [4, 5, 6, 7, 8, 9]
    reasons = dict(result.rejected)
    assert "donor_id 'XX'" in reasons[4] and "at most one year" in reasons[5]
    assert "more than two decimals" in reasons[6] and "repeated" in reasons[7]
    assert "ISO 4217" in reasons[8] and "not an amount" in reasons[9]
    stored = pq.read_table(result.batch / "budgets.parquet").to_pandas()
    assert stored.value.tolist() == [Decimal("1000.50"), Decimal("200.00")]
    assert stored.budget_type.tolist() == ["original", "revised"] and not stored.is_sample.any()
    rejected = result.rejected_file.read_text(encoding="utf-8-sig").splitlines()
    assert rejected[0].startswith("line,reason,budget_id") and len(rejected) == 7
    assert ",'=1+1," in rejected[-1]
    db = get_database(data_copy)
    assert bq.sample_state(db) == {"budgets": "real", "transactions": "sample"}
    assert bq.budget_by_currency(db, MoneyFilters()).cents.tolist() == [120_050]
    with pytest.raises(MoneyIngestError, match="already loaded"):
        ingest_file(data_copy, path, "budget")


def test_transactions_ingest_reads_xlsx_and_iati_codes(data_copy, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Transaction ID", "Donor", "Transaction type", "Date", "Value", "Currency", "Value date", "Output",
               "Operation", "Description"])
    ws.append(["T-1", "EU", "3", dt.date(2021, 5, 3), 1234.5, "eur", dt.date(2021, 5, 3), 2, "KAFO-III", "Transfer"])
    ws.append(["T-2", "EU", "Expenditure", dt.date(2021, 6, 1), "99.99", "EUR", dt.date(2021, 6, 1), None, None,
               "@SUM(1,1)"])
    ws.append(["T-3", "EU", "refund", dt.date(2021, 6, 1), 5, "EUR", dt.date(2021, 6, 1), None, "KAFO-IX", None])
    path = tmp_path / "tx.xlsx"
    wb.save(path)
    result = ingest_file(data_copy, path, "transactions")
    assert (result.read, result.accepted, len(result.rejected)) == (3, 2, 1)
    assert result.rejected[0][0] == 4 and "transaction_type 'refund'" in result.rejected[0][1]
    db = get_database(data_copy)
    tx = bq.transactions(db, MoneyFilters())
    assert tx.transaction_type.tolist() == ["disbursement", "expenditure"]
    assert tx.cents.tolist() == [123_450, 9_999] and tx.currency.tolist() == ["EUR", "EUR"]
    body = money_export.build(db, "transactions", MoneyFilters(), "csv", "en", dt.date(2026, 1, 1)).decode("utf-8-sig")
    assert "\"'@SUM(1,1)\"" in body and ",\"@SUM" not in body


def test_ingest_exit_codes_through_the_command_line(data_copy, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("budget_id,donor_id,budget_type,status,period_start,period_end,value,currency,value_date,output\n"
                    "G-1,EU,original,indicative,2022-01-01,2022-12-31,10.00,EUR,2022-01-01,3\n", encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "budget", str(good)]) == 0
    assert "1 read, 1 accepted, 0 rejected" in capsys.readouterr().out
    partly = tmp_path / "partly.csv"
    partly.write_text(BUDGET_CSV, encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "budget", str(partly)]) == 1
    out = capsys.readouterr().out
    assert "8 read, 2 accepted, 6 rejected" in out and "line 4: donor_id 'XX'" in out
    missing = tmp_path / "missing.csv"
    missing.write_text("budget_id,donor_id,value\nX,EU,1\n", encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "budget", str(missing)]) == 2
    assert "missing column(s) budget_type, status" in capsys.readouterr().err
    (tmp_path / "none.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert cli_main(["money", "ingest", "--data-dir", str(data_copy), "--kind", "transactions",
                     str(tmp_path / "none.csv"), str(good)]) == 2
    err = capsys.readouterr().err
    assert "no header row naming the transactions columns" in err


@pytest.mark.parametrize("text,expected", [("1000,50", "1000.50"), ("1 234.5", "1234.50"), (12, "12.00"),
                                           (0.1, "0.10"), ("-3", "-3.00")])
def test_amounts_are_read_exactly(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,234.50", "1e3", "", None, "abc", "0.001", True])
def test_unreadable_amounts_are_refused(text):
    with pytest.raises(AmountError):
        parse_amount(text)




def test_stored_money_files_are_checked_against_the_contract(repo_data, data_copy):
    from kafo_data.ingest.money import check_money_files

    assert check_money_files(repo_data) == []
    path = money_dir(data_copy) / "budgets.parquet"
    table = pq.read_table(path).to_pylist()
    table[0]["value"] += Decimal("0.01")
    table[1]["currency"] = "EURO"
    pq.write_table(pa.Table.from_pylist(table, schema=pq.read_schema(path)), path)
    problems = check_money_files(data_copy)
    assert any("row 2: currency 'EURO'" in p for p in problems)
    assert any("not the published 3248537.00 EUR" in p for p in problems)


def test_ingest_reads_files_as_excel_writes_them_and_strict_stores_nothing(data_copy, tmp_path):
    text = ("Budget du projet KAFO;;;;;;;;;\n"
            "budget_id;donor_id;budget_type;status;period_start;period_end;value;currency;value_date;output\n"
            "F-1;EU;Original;Indicative;01/01/2023;31/12/2023;1 500,25;EUR;01/01/2023;4\n"
            "F-2;EU;original;committed;2023-01-01;2023-12-31;abc;EUR;2023-01-01;4\n"
            "Total;;;;;;1 500,25;;;\n")
    path = tmp_path / "excel-fr.csv"
    path.write_bytes(text.encode("cp1252"))
    checked = ingest_file(data_copy, path, "budget", dry_run=True)
    assert (checked.read, checked.accepted, [line for line, _ in checked.rejected]) == (2, 1, [4])
    assert checked.batch is None and not (money_dir(data_copy) / "batches").exists()
    strict = ingest_file(data_copy, path, "budget", strict=True)
    assert strict.batch is None and strict.rejected_file is not None and strict.exit_code == 1
    assert bq.sample_state(get_database(data_copy))["budgets"] == "sample"



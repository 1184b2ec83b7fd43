"""Issue 25's smaller items: a workbook of too many parts says so; digits of other scripts are numbers on purpose."""

from __future__ import annotations

import io
import zipfile

from kafo_data.ingest import read
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.vocabulary import parse_number
from tests.ingest.test_limits import csv_bytes, line, refusal, workbook


def test_a_workbook_of_1001_parts_is_refused_for_its_parts(data_copy):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook([line()]))) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        for k in range(read.MAX_XLSX_ENTRIES + 1 - len(src.infolist())):
            dst.writestr(f"xl/media/part{k}.bin", b"")
    text = refusal(data_copy, out.getvalue(), "r.xlsx")
    assert "1,001 parts" in text and "at most 1,000" in text and "MB" not in text, text


def test_arabic_indic_and_full_width_digits_read_as_their_numbers():
    assert parse_number("٣", "fr") == 3 and parse_number("５", "fr") == 5
    assert parse_number("١٢٫٥", "fr") == 12.5 and parse_number("۱۲", "en") == 12  # Arabic, Persian digits
    for not_a_number in ("²", "①", "3²"):
        try:
            parse_number(not_a_number, "fr")
        except ValueError:
            continue
        raise AssertionError(f"{not_a_number!r} read as a number")


def test_a_report_typed_with_arabic_digits_is_stored_with_those_quantities(data_copy):
    plan = ingest.plan(data_copy, "r.csv", csv_bytes([line("X-1", "PA", "٣"), line("X-2", "PA", "５")]))
    assert sorted((r.ref, r.item["quantity"]) for r in plan.accepted) == [("X-1", 3.0), ("X-2", 5.0)]

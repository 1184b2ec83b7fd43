"""Finding the table in a report: encodings, separators, header row, line numbers, rows that are not records."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.read import UnreadableFile, cell_text, decode, is_totals, norm, read_report
from tests.fixtures.ingest import reports


def score(texts) -> int:
    """A stand-in header scorer: how many of these words a row holds."""
    known = {"date", "pays", "designation", "quantite", "item", "quantity", "country"}
    return len({norm(t) for t in texts} & known)


@pytest.mark.parametrize(("text", "normal"), [
    ("N° saisie", "n saisie"), ("Nº saisie", "no saisie"), ("  Bâtons  de DYNAMITE ", "batons de dynamite"),
    ("Type d'arme", "type d arme"), ("Type d’arme", "type d arme"), ("Kalachnikov 7,62x39", "kalachnikov 7,62x39"),
    ("Qté.", "qte"), ("CÔTE D'IVOIRE", "cote d ivoire"), ("Main-d'œuvre", "main d oeuvre"), ("€", "€"),
])
def test_norm_strips_accents_case_and_punctuation(text, normal):
    assert norm(text) == normal


@pytest.mark.parametrize(("data", "encoding"), [
    ("Désignation;Quantité".encode("cp1252"), "cp1252"),
    ("Désignation;Quantité".encode(), "utf-8"),
    ("Désignation;Quantité".encode("utf-8-sig"), "utf-8-sig"),
    ("Désignation\tQuantité".encode("utf-16"), "utf-16"),
])
def test_decode_reads_what_excel_writes(data, encoding):
    text, found = decode(data)
    assert found == encoding and text.startswith("Désignation")


@pytest.mark.parametrize(("cells", "totals"), [
    (["TOTAL", "", "62"], True), (["", "", "Total général", "62"], True), (["Sous-total", "3"], True),
    (["TOTAUX :", "7"], True), (["Grand total", "9"], True), (["Totals", "9"], True),
    (["BF-001", "Total"], False), (["Totalement saisi"], False), (["Dori", "total"], False), (["", ""], False),
])
def test_a_totals_row_is_recognised_by_its_first_non_empty_cell(cells, totals):
    assert is_totals(cells) is totals


def test_title_rows_blank_lines_and_totals_are_not_records_and_line_numbers_are_the_files():
    text = ("Rapport;;;\r\n;;;\r\nDate;Pays;Désignation;Quantité\r\n01/12/2020;BFA;PA;1\r\n;;;\r\n"
            '02/12/2020;BFA;"cartouches\r\nde chasse";10\r\n03/12/2020;BFA;PA;2\r\nTOTAL;;;13\r\n')
    table = read_report("r.csv", text.encode(), score)
    assert (table.header_line, table.separator, table.blank_lines) == (3, ";", 1)
    assert [r.line for r in table.rows] == [4, 6, 8]
    assert table.rows[1].texts[2] == "cartouches\r\nde chasse"
    assert table.skipped == [(9, "totals")]


def test_the_separator_is_the_one_that_finds_the_header():
    text = 'Date,Pays,Désignation,Quantité\r\n01/12/2020,BFA,"PA; 9 mm","1,5"\r\n'
    table = read_report("r.csv", text.encode(), score)
    assert table.separator == "," and table.rows[0].texts == ("01/12/2020", "BFA", "PA; 9 mm", "1,5")


def test_cells_are_kept_as_received():
    text = "Date;Pays;Désignation;Quantité\r\n01/12/2020; BFA ;PA  9 mm;6\u00a0162\r\n"
    table = read_report("r.csv", text.encode(), score)
    assert table.rows[0].texts == ("01/12/2020", " BFA ", "PA  9 mm", "6\u00a0162")


def test_no_header_is_unreadable():
    with pytest.raises(UnreadableFile) as exc:
        read_report("r.csv", b"just;some;words\r\n1;2;3\r\n", score)
    assert exc.value.key == "ingest.error.no_header"


def test_cell_text_of_excel_values():
    assert cell_text(dt.datetime(2020, 12, 1)) == "01/12/2020"
    assert cell_text(dt.datetime(2020, 12, 1, 14, 30)) == "01/12/2020 14:30"
    assert cell_text(6162.0) == "6162" and cell_text(12.5) == "12.5" and cell_text(None) == ""


def _workbook(*sheets: tuple[str, list[list[object]], str]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_workbook_reads_its_first_visible_data_sheet_and_names_the_others(data_copy):
    header = ["Date", "Pays", "Désignation", "Quantité", "Opération"]
    data = _workbook(("Hidden", [header, [dt.datetime(2020, 12, 1), "BFA", "PA", 9, "KAFO II"]], "hidden"),
                     ("Lisez-moi", [["Rapport de la ComNat-ALPC"]], "visible"),
                     ("BFA", [["Titre"], [], header, [dt.datetime(2020, 12, 1), "BFA", "PA", 1, "KAFO II"]], "visible"),
                     ("NER", [header, [dt.datetime(2020, 12, 2), "NER", "PA", 2, "KAFO II"]], "visible"))
    table = read_report("r.xlsx", data, score)
    assert (table.sheet, table.header_line, table.other_sheets) == ("BFA", 3, ["NER"])
    assert [r.line for r in table.rows] == [4]
    p = ingest.plan(data_copy, "r.xlsx", data)
    assert any("NER" in w.text("en") for w in p.file_warnings)
    other = ingest.plan(data_copy, "r.xlsx", data, sheet="NER")
    assert [r.event["country_iso3"] for r in other.accepted] == ["NER"]
    with pytest.raises(ingest.ReportError) as exc:
        ingest.plan(data_copy, "r.xlsx", data, sheet="MLI")
    assert "no sheet named “MLI”" in exc.value.text("en")


def test_merged_event_cells_are_read_as_excel_shows_them():
    table = read_report("r.xlsx", reports.french_xlsx(), lambda texts: len({norm(t) for t in texts} & {
        "date de saisie", "pays", "designation", "quantite"}))
    first, second = table.rows[:2]
    assert first.values[0] == second.values[0] == "BF-001"
    assert first.values[2] == second.values[2] == dt.datetime(2020, 12, 1)
    assert (first.values[8], second.values[8]) == ("PA 9 mm", "cartouches")
    assert table.skipped == [(table.rows[-1].line + 1, "totals")]
    assert table.blank_lines == 1


def test_the_committed_example_reports_are_the_generated_ones():
    """`python -m tests.fixtures.ingest.reports` rewrites them; try them with `python -m kafo_data ingest`."""
    from pathlib import Path

    here = Path(reports.__file__).resolve().parent
    for name, make in reports.FILES.items():
        assert (here / name).read_bytes() == make(), name

"""The published results as a download: every figure of data/reference, read independently, in the four formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from kafo_data.cli import main
from kafo_data.export import published
from kafo_data.export.formats import FORMATS
from kafo_data.store.db import Database
from tests.conftest import DATA, REPO

DAY = dt.date(2026, 12, 4)
MADE = dt.datetime(2026, 12, 4, 10, 0, 0)


def reference(table: str) -> list[dict[str, str]]:
    with (REPO / "data" / "reference" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected_rows(operations: tuple[str, ...] = (), indicators: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The figures as the reference text holds them, joined to their source, in edition then file order."""
    sources = {s["source_id"]: s for s in reference("sources")}
    starts = {o["operation_id"]: o["start_date"] for o in reference("operations")}
    rows = [f for f in reference("figures") if (not operations or f["operation_id"] in operations)
            and (not indicators or f["indicator"] in indicators)]
    rows = sorted(enumerate(rows), key=lambda p: (starts[p[1]["operation_id"]], p[0]))
    return [{**f, "source_url": sources[f["source_id"]]["url"], "source_title": sources[f["source_id"]]["title"],
             "source_published": sources[f["source_id"]]["published"],
             "source_publisher_fr": sources[f["source_id"]]["publisher_fr"]} for _, f in rows]


def read_csv(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_the_csv_holds_every_published_figure_with_its_qualifier_words_and_source():
    got = read_csv(published.build(Database(DATA), published.Selection(), "csv", "en", DAY))
    want = expected_rows()
    assert len(got) == len(want) == len(reference("figures")) > 50
    for g, w in zip(got, want, strict=True):
        assert g["figure_id"] == w["figure_id"] and g["operation_id"] == w["operation_id"]
        assert g["qualifier"] == w["qualifier"] and g["unit"] == w["unit"] and g["text"] == w["text"]
        assert (float(g["value"]) if g["value"] else None) == (float(w["value"]) if w["value"] else None)
        assert g["source_url"] == w["source_url"] and g["source_title"] == w["source_title"]
        assert g["source_published"] == w["source_published"] and g["footnote_of"] == w["footnote_of"]
        assert (g["quote_lang"], g["translation"], g["translation_lang"]) == (
            w["quote_lang"], w["translation"], w["translation_lang"])
        assert (g["note"], g["note_fr"]) == (w["note"], w["note_fr"])  # the French pages' note travels with it
        assert g["source_publisher_fr"] == w["source_publisher_fr"] != ""  # and the French pages' publisher


def test_a_selection_keeps_only_its_operations_and_indicators():
    sel = published.Selection(("KAFO-II", "KAFO-IV"), ("firearms", "arrests"))
    got = read_csv(published.build(Database(DATA), sel, "csv", "en", DAY))
    want = expected_rows(sel.operations, sel.indicators)
    assert [g["figure_id"] for g in got] == [w["figure_id"] for w in want] and len(want) >= 3


def test_the_french_excel_csv_says_the_qualifier_in_words_and_uses_decimal_commas():
    got = read_csv(published.build(Database(DATA), published.Selection(("KAFO-II",)), "csv-excel-fr", "fr", DAY), ";")
    by_id = {r["Identifiant du chiffre"]: r for r in got}
    assert by_id["k2-firearms-project"]["Qualificatif"] == "plus de"
    assert by_id["k2-firearms-project"]["Opération"] == "KAFO II"
    assert by_id["k2-firearms-interpol"]["Unité"] == "pièces"
    assert len(got) == len(expected_rows(("KAFO-II",)))


def test_the_workbook_has_the_rows_the_sources_and_the_dictionary():
    data = published.build(Database(DATA), published.Selection(), "xlsx", "en", DAY, MADE)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Operation", "Figure id", "Indicator")
    assert [r[1] for r in rows[1:]] == [w["figure_id"] for w in expected_rows()]
    urls = {v for ws in wb.worksheets[1:] for row in ws.iter_rows(values_only=True) for v in row}
    assert {s["url"] for s in reference("sources") if s["url"]} <= urls
    assert "The figure in the source's own words, as published." in urls


def test_the_zip_holds_the_csv_a_readme_with_a_citation_and_the_dictionary():
    data = published.build(Database(DATA), published.Selection(("KAFO-III",)), "zip", "fr", DAY, MADE)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        readme = z.read("README.txt").decode()
        inner = z.read(next(n for n in names if n.startswith("kafo_published_results_KAFO-III")))
    assert {"README.txt", "data_dictionary.csv", "codes.csv"} <= set(names)
    assert "Citation suggérée" in readme and "KAFO III" in readme
    assert [r["figure_id"] for r in read_csv(inner)] == [w["figure_id"] for w in expected_rows(("KAFO-III",))]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_command_line_writes_the_bytes_of_the_page_button(fmt, tmp_path, monkeypatch):
    monkeypatch.setenv("KAFO_EXPORT_TIME", MADE.isoformat())
    out = tmp_path / "p.out"
    assert main(["export", "--table", "published", "--operation", "KAFO-II", "--indicator", "firearms",
                 "--format", fmt, "--lang", "fr", "-o", str(out)]) == 0
    sel = published.Selection(("KAFO-II",), ("firearms",))
    assert out.read_bytes() == published.build(Database(DATA), sel, fmt, "fr", MADE.date(), MADE)


def test_the_command_line_refuses_unknown_ids_and_record_filters(tmp_path, capsys):
    out = tmp_path / "p.csv"
    assert main(["export", "--table", "published", "--indicator", "nope", "-o", str(out)]) == 2
    assert "unknown indicator: 'nope'" in capsys.readouterr().err
    assert main(["export", "--table", "published", "--country", "NER", "-o", str(out)]) == 2
    assert "--operation and --indicator only" in capsys.readouterr().err
    assert not out.exists()

"""Downloads read back with the tools a user has: csv with the right dialect, openpyxl, zipfile.

Text with accents, a formula and a tricky sign go in through a small batch of real-looking
rows; each format must give them back intact, neutralised, with numbers still numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from kafo_data import cli
from kafo_data.contract import seizures as contract
from kafo_data.export import formats, writers
from kafo_data.export import seizures as export
from kafo_data.i18n import t
from kafo_data.sample.seizures import write_batch
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import get_database
from tests.conftest import REPO, read_records, select_records

TODAY = dt.date(2026, 11, 22)
MADE = dt.datetime(2026, 11, 22, 10, 15, 4)
FORMULA = '=HYPERLINK("http://x","y")'
PLACE = "Côte d'Ivoire"
STICKS = "Bâtons de dynamite"
SOURCE = f"Rapport national {PLACE}"
ARROW = {"VARCHAR": pa.string(), "DATE": pa.date32(), "DOUBLE": pa.float64(), "INTEGER": pa.int32(),
         "BOOLEAN": pa.bool_()}
FILTERS = Filters(operations=("KAFO-II",), countries=("CIV", "MLI"))


def _table(name: str, rows: list[dict]) -> pa.Table:
    cols = contract.TABLES[name]
    schema = pa.schema([(c.name, ARROW[c.dtype]) for c in cols])
    return pa.table({c.name: [r.get(c.name) for r in rows] for c in cols}, schema=schema)


def add_report(root: Path, batch_id: str = "civ-report") -> None:
    """A non-sample batch whose text fields carry accents, a formula and leading signs."""
    event = {"operation_id": "KAFO-II", "country_iso3": "CIV", "admin1": "Lagunes", "latitude": 5.3364,
             "longitude": -4.0267, "agency": "customs", "criminal_context": "organised_crime",
             "source": SOURCE, "is_sample": False}
    seizures = [
        {**event, "seizure_id": "CIV-2020-0001", "seizure_date": dt.date(2020, 12, 2), "locality": FORMULA,
         "arrests": 2},
        {**event, "seizure_id": "CIV-2020-0002", "seizure_date": dt.date(2020, 12, 3), "locality": " @SUM(A1)",
         "admin1": "+225 Abidjan", "arrests": 0},
    ]
    items = [
        {"seizure_id": "CIV-2020-0001", "line_no": 1, "category": "explosives", "item_type": "dynamite",
         "quantity": 12.0, "unit": "sticks", "make": STICKS},
        {"seizure_id": "CIV-2020-0001", "line_no": 2, "category": "explosives", "item_type": "dynamite",
         "quantity": 2.5, "unit": "kg", "make": "-Nitro\x0b"},
        {"seizure_id": "CIV-2020-0002", "line_no": 1, "category": "firearms", "item_type": "pistol",
         "quantity": 3.0, "unit": "pieces", "craft_made": False, "calibre": "9 mm", "make": "Beretta",
         "country_of_manufacture": "ITA", "marking_status": "marked"},
    ]
    meta = {"batch_id": batch_id, "kind": "report", "is_sample": False, "rows": len(items)}
    write_batch(root, batch_id, _table("seizures", seizures), _table("seized_items", items), meta)


@pytest.fixture
def report_data(data_copy: Path) -> Path:
    add_report(data_copy)
    return data_copy


def _build(root: Path, fmt: str, lang: str = "en", filters: Filters = FILTERS) -> bytes:
    return export.build(get_database(root), filters, fmt, lang, TODAY, MADE)


def _csv_rows(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def _by_key(rows: list[list[str]]) -> dict[tuple[str, str], list[str]]:
    return {(r[0], r[1]): r for r in rows[1:]}


def _sources() -> list[dict[str, str]]:
    with (REPO / "data" / "reference" / "sources.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- the one rule -------------------------------------------------------------------------------

CASES = ["=1+1", " =1", "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx", "a=1", "", "   x", "'=1", "-",
         PLACE, STICKS, FORMULA]


def _expected(text: str) -> str:
    stripped = text.lstrip(" ")
    return "'" + text if stripped[:1] in {"=", "+", "-", "@", "\t", "\r", "\n"} else text


def test_the_rule_in_python_and_in_sql_agree(repo_data):
    db = get_database(repo_data)
    values = ", ".join("(?)" for _ in CASES)
    sql = f"SELECT {writers.neutralised('v')} FROM (VALUES {values}) AS x(v)"
    cur = db.cursor()
    try:
        in_sql = [r[0] for r in cur.execute(sql, [writers.TRIGGER_PATTERN, *CASES]).fetchall()]
    finally:
        cur.close()
    assert in_sql == [writers.neutralise(c) for c in CASES] == [_expected(c) for c in CASES]


# --- csv ----------------------------------------------------------------------------------------

def test_csv_round_trip(report_data):
    data = _build(report_data, "csv")
    assert b"\r\n" in data
    rows = _csv_rows(data, ",")
    assert rows[0] == list(contract.RECORD_COLUMNS)
    col = {name: k for k, name in enumerate(rows[0])}
    line = _by_key(rows)[("CIV-2020-0001", "1")]
    assert line[col["locality"]] == "'" + FORMULA
    assert line[col["source"]] == SOURCE
    assert line[col["make"]] == STICKS
    assert line[col["country_iso3"]] == "CIV"
    assert line[col["seizure_date"]] == "2020-12-02"
    assert float(line[col["longitude"]]) == -4.0267
    assert float(line[col["quantity"]]) == 12
    assert line[col["is_sample"]] == "false"
    other = _by_key(rows)[("CIV-2020-0002", "1")]
    assert other[col["locality"]] == "' @SUM(A1)"
    assert other[col["admin1"]] == "'+225 Abidjan"
    assert _by_key(rows)[("CIV-2020-0001", "2")][col["make"]] == "'-Nitro\x0b"


def _python_value(text: str, kind: str) -> object:
    if text == "":
        return None
    if kind in {"number", "integer"}:
        return float(text)
    if kind == "boolean":
        return {"true": True, "false": False}[text]
    return text


def _pandas_value(value: object, kind: str) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind in {"number", "integer"}:
        return float(value)
    if kind == "boolean":
        return bool(value)
    if kind == "date":
        return value.isoformat()[:10]
    return _expected(str(value))


@pytest.mark.parametrize("filters", [
    Filters(),
    FILTERS,
    Filters(categories=("firearms", "explosives"), date_from=dt.date(2020, 11, 1), date_to=dt.date(2022, 1, 1)),
    Filters(include_sample=False),
])
def test_csv_rows_equal_an_independent_reading(report_data, filters):
    rows = _csv_rows(_build(report_data, "csv", filters=filters), ",")
    kinds = [f.kind for f in export.RECORD_FIELDS]
    got = [tuple(_python_value(v, k) for v, k in zip(r, kinds, strict=True)) for r in rows[1:]]
    _, records = read_records(report_data)
    chosen = select_records(records, filters)
    expected = [tuple(_pandas_value(row[f.name], f.kind) for f in export.RECORD_FIELDS)
                for row in chosen.to_dict("records")]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert len(got) == len(chosen) > 0
    order = [(r[2], r[3], r[0], int(r[1])) for r in rows[1:]]
    assert order == sorted(order)


# --- csv for French Excel -----------------------------------------------------------------------

def test_csv_excel_fr_round_trip(report_data):
    rows = _csv_rows(_build(report_data, "csv-excel-fr", "fr"), ";")
    assert rows[0][:5] == ["N° de saisie", "Ligne", "Opération", "Date de saisie", "Pays"]
    assert len(rows[0]) == len(contract.RECORD_COLUMNS)
    col = {name: k for k, name in enumerate(contract.RECORD_COLUMNS)}
    lines = _by_key(rows)
    first = lines[("CIV-2020-0001", "1")]
    assert first[col["country_iso3"]] == PLACE
    assert first[col["operation_id"]] == "KAFO II"
    assert first[col["locality"]] == "'" + FORMULA
    assert first[col["make"]] == STICKS
    assert first[col["source"]] == SOURCE
    assert first[col["category"]] == "Explosifs"
    assert first[col["is_sample"]] == "non"
    assert first[col["longitude"]] == "-4,0267"
    assert first[col["seizure_date"]] == "2020-12-02"
    assert lines[("CIV-2020-0001", "2")][col["quantity"]] == "2,5"
    assert float(first[col["quantity"]].replace(",", ".")) == 12
    for row in rows[1:]:
        for name in ("latitude", "longitude", "quantity"):
            assert "." not in row[col[name]], (name, row[col[name]])


def test_csv_excel_fr_in_english_keeps_the_dialect(report_data):
    rows = _csv_rows(_build(report_data, "csv-excel-fr", "en"), ";")
    assert rows[0][4] == "Country"
    line = _by_key(rows)[("CIV-2020-0001", "2")]
    assert line[4] == PLACE
    assert line[contract.RECORD_COLUMNS.index("quantity")] == "2,5"
    assert line[contract.RECORD_COLUMNS.index("is_sample")] == "no"


# --- xlsx ---------------------------------------------------------------------------------------

def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_round_trip_with_typed_cells(report_data):
    wb = _workbook(_build(report_data, "xlsx", "fr"))
    assert wb.sheetnames == ["Données", "Filtres", "Sources", "Dictionnaire"]
    ws = wb["Données"]
    header = [c.value for c in ws[1]]
    assert header[4] == "Pays" and len(header) == len(contract.RECORD_COLUMNS)
    assert ws.freeze_panes == "A2"
    for k in range(1, len(header) + 1):
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(k)].width >= 8
    col = {name: k for k, name in enumerate(contract.RECORD_COLUMNS)}
    rows = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=2)}
    first = rows[("CIV-2020-0001", 1)]
    assert first[col["locality"]].value == "'" + FORMULA
    assert first[col["locality"]].data_type == "s"
    assert first[col["country_iso3"]].value == PLACE
    assert first[col["make"]].value == STICKS
    assert first[col["source"]].value == SOURCE
    assert first[col["quantity"]].data_type == "n" and first[col["quantity"]].value == 12
    assert first[col["longitude"]].data_type == "n" and first[col["longitude"]].value == -4.0267
    assert first[col["arrests"]].value == 2 and first[col["arrests"]].data_type == "n"
    assert first[col["seizure_date"]].is_date
    assert first[col["seizure_date"]].value == dt.datetime(2020, 12, 2)
    assert first[col["is_sample"]].value is False
    assert rows[("CIV-2020-0001", 2)][col["make"]].value == "'-Nitro"
    assert rows[("CIV-2020-0002", 1)][col["admin1"]].value == "'+225 Abidjan"
    formulas = [c.coordinate for sheet in wb for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_xlsx_sheets_for_filters_sources_and_dictionary(report_data):
    wb = _workbook(_build(report_data, "xlsx", "en"))
    assert wb.sheetnames == ["Data", "Filters", "Sources", "Dictionary"]
    about = {r[0]: r[1:] for r in wb["Filters"].iter_rows(min_row=2, values_only=True)}
    assert about["Operation"] == ("KAFO II", "KAFO-II")
    assert about["Country"] == (f"{PLACE}, Mali", "CIV, MLI")
    assert "filters: operation KAFO II; country Côte d'Ivoire, Mali" in about["Suggested citation"][0]
    assert about["Made"][0] == "2026-11-22 10:15:04 UTC"
    sources = list(wb["Sources"].iter_rows(min_row=2, values_only=True))
    expected = _sources()
    published = {e["source_id"]: e["published"] for e in expected}  # a copy with no date comes last
    assert [s[0] for s in sources] == sorted(published, key=lambda i: (published[i] == "", published[i], i))
    assert {s[4] for s in sources if s[4]} == {s["url"] for s in expected if s["url"]}
    dictionary = list(wb["Dictionary"].iter_rows(min_row=2, values_only=True))
    assert [d[0] for d in dictionary] == list(contract.RECORD_COLUMNS)
    country = dictionary[contract.RECORD_COLUMNS.index("country_iso3")]
    assert country[2:4] == ("Country", "Pays")
    assert all(all(d) for d in dictionary)
    props = wb.properties
    assert props.created == MADE and props.modified == MADE


def test_xlsx_too_large_says_how_many_rows_are_left_out(report_data, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 10)
    rows = len(_csv_rows(_build(report_data, "csv", filters=export.ALL), ",")) - 1
    with pytest.raises(writers.ExportTooLarge) as caught:
        _build(report_data, "xlsx", filters=export.ALL)
    assert caught.value.left_out == rows - 10
    assert f"{rows - 10:,} rows would be left out" in str(caught.value)
    assert writers.row_limit("xlsx", in_memory=True) == 10
    assert writers.row_limit("csv", in_memory=False) is None


def test_built_file_has_a_memory_cap_but_the_stream_does_not(report_data, monkeypatch):
    monkeypatch.setattr(writers, "MEMORY_MAX_ROWS", 5)
    with pytest.raises(writers.ExportTooLarge):
        _build(report_data, "csv", filters=export.ALL)
    out = io.BytesIO()
    rows = export.write(get_database(report_data), export.ALL, "csv", "en", out, TODAY, MADE)
    assert rows > 5 and out.getvalue().count(b"\r\n") == rows + 1


# --- zip ----------------------------------------------------------------------------------------

def test_zip_holds_csv_dictionary_codes_and_readme(report_data):
    data = _build(report_data, "zip", "fr")
    archive = zipfile.ZipFile(io.BytesIO(data))
    csv_name = "kafo_seizures_KAFO-II_CIV-MLI_2026-11-22.csv"
    assert archive.namelist() == ["README.txt", csv_name, "data_dictionary.csv", "codes.csv"]
    assert {i.date_time for i in archive.infolist()} == {(2026, 11, 22, 10, 15, 4)}
    assert archive.read(csv_name) == _build(report_data, "csv")
    rows = _csv_rows(archive.read(csv_name), ",")
    line = _by_key(rows)[("CIV-2020-0001", "1")]
    assert {"'" + FORMULA, STICKS, SOURCE} <= set(line)
    dictionary = _csv_rows(archive.read("data_dictionary.csv"), ",")
    assert dictionary[0] == ["column", "type", "label_en", "label_fr", "meaning_en", "meaning_fr"]
    assert [d[0] for d in dictionary[1:]] == list(contract.RECORD_COLUMNS)
    codes = {(r[0], r[1]): r[2:] for r in _csv_rows(archive.read("codes.csv"), ",")[1:]}
    assert codes[("country", "CIV")] == [PLACE, PLACE]
    assert codes[("category", "explosives")] == ["Explosives", "Explosifs"]
    readme = archive.read("README.txt").decode("utf-8")
    for text in ("Opération\u00a0: KAFO II (KAFO-II)", f"Pays\u00a0: {PLACE}, Mali (CIV, MLI)",
                 "2026-11-22 10:15:04 UTC", csv_name, "Citation suggérée", "extrait de données du 22 nov. 2026"):
        assert text in readme, text
    for source in _sources():
        assert source["title"] in readme
        assert not source["url"] or source["url"] in readme


def test_sample_warning_only_when_sample_rows_are_included(report_data):
    _, records = read_records(report_data)
    sample, total = int(records.is_sample.sum()), len(records)
    with_sample = zipfile.ZipFile(io.BytesIO(_build(report_data, "zip", filters=export.ALL)))
    readme = with_sample.read("README.txt").decode()
    assert f"WARNING: {sample:,} of the {total:,} rows are generated sample records" in readme
    real_only = Filters(include_sample=False)
    without = zipfile.ZipFile(io.BytesIO(_build(report_data, "zip", filters=real_only))).read("README.txt").decode()
    assert "WARNING" not in without and "sample records, not real" not in without
    assert "Sample records: left out (is_sample = false)" in without
    wb = _workbook(_build(report_data, "xlsx", filters=real_only))
    assert "Warning" not in [r[0] for r in wb["Filters"].iter_rows(values_only=True)]
    wb = _workbook(_build(report_data, "xlsx", filters=export.ALL))
    assert "Warning" in [r[0] for r in wb["Filters"].iter_rows(values_only=True)]


def test_readme_of_the_full_dataset_says_no_filter(repo_data):
    readme = zipfile.ZipFile(io.BytesIO(_build(repo_data, "zip", filters=export.ALL))).read("README.txt").decode()
    assert "- none (the full dataset)" in readme
    assert "WARNING: All " in readme
    assert "filters: none (the full dataset)." in readme


# --- equal inputs, equal bytes ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_build_is_deterministic(repo_data, monkeypatch, fmt):
    first = _build(repo_data, fmt)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 7200)
    assert _build(repo_data, fmt) == first


@pytest.mark.parametrize("fmt", formats.FORMATS)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cli_export_equals_the_button_bytes(report_data, tmp_path, monkeypatch, capsys, fmt, lang):
    monkeypatch.setenv("KAFO_EXPORT_TIME", MADE.isoformat())
    target = tmp_path / f"out.{formats.EXTENSIONS[fmt]}"
    argv = ["export", "--data-dir", str(report_data), "--operation", "KAFO-II", "--country", "MLI",
            "--country", "CIV", "--format", fmt, "--lang", lang, "-o", str(target)]
    assert cli.main(argv) == 0
    assert target.read_bytes() == _build(report_data, fmt, lang)
    assert not target.with_name(target.name + ".partial").exists()
    assert "rows" in capsys.readouterr().out


def test_cli_all_from_the_shell(repo_data, tmp_path):
    target = tmp_path / "all.zip"
    env = {"KAFO_EXPORT_TIME": "2026-11-22T10:15:04+00:00", "PATH": "/usr/bin:/bin",
           "KAFO_CACHE_DIR": os.environ["KAFO_CACHE_DIR"]}  # rollups outside the checkout
    done = subprocess.run([sys.executable, "-m", "kafo_data", "export", "--data-dir", str(repo_data), "--all",
                           "--operation", "KAFO-II", "--format", "zip", "-o", str(target)],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "filter flags are ignored" in done.stderr
    assert target.read_bytes() == _build(repo_data, "zip", filters=export.ALL)


def test_cli_refuses_an_xlsx_over_the_cap_in_one_line(report_data, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 10)
    target = tmp_path / "big.xlsx"
    assert cli.main(["export", "--data-dir", str(report_data), "--all", "--format", "xlsx", "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "rows would be left out" in err and "\n" not in err
    assert not target.exists() and not target.with_name("big.xlsx.partial").exists()


def test_cli_refuses_a_bad_export_time(repo_data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KAFO_EXPORT_TIME", "yesterday")
    assert cli.main(["export", "--data-dir", str(repo_data), "-o", str(tmp_path / "x.csv")]) == 2
    assert "KAFO_EXPORT_TIME" in capsys.readouterr().err


# --- names --------------------------------------------------------------------------------------

def test_file_names_say_what_is_inside_and_when():
    f = Filters(operations=("KAFO-II",), countries=("MLI", "NER"))
    assert export.file_name(f, TODAY) == "kafo_seizures_KAFO-II_MLI-NER_2026-11-22.csv"
    assert export.download_name(f, "csv", TODAY) == "kafo_seizures_KAFO-II_MLI-NER_2026-11-22.csv"
    assert export.download_name(f, "csv-excel-fr", TODAY) == "kafo_seizures_KAFO-II_MLI-NER_2026-11-22_excel-fr.csv"
    assert export.download_name(f, "xlsx", TODAY) == "kafo_seizures_KAFO-II_MLI-NER_2026-11-22.xlsx"
    assert export.download_name(f, "zip", TODAY) == "kafo_seizures_KAFO-II_MLI-NER_2026-11-22.zip"
    assert export.download_name(export.ALL, "csv", TODAY) == "kafo_seizures_2026-11-22.csv"
    dated = Filters(date_from=dt.date(2020, 11, 30), include_sample=False)
    assert export.file_name(dated, TODAY) == "kafo_seizures_2020-11-30--_no-sample_2026-11-22.csv"
    assert re.fullmatch(r"[\w.\-]+", export.download_name(f, "zip", TODAY))


def test_every_format_has_a_mime_type_and_catalogue_labels():
    for fmt in formats.FORMATS:
        assert formats.MIME[fmt] and formats.EXTENSIONS[fmt]
        for lang in ("en", "fr"):
            assert t(f"export.format.{fmt}", lang) and t(f"export.help.{fmt}", lang)
    for kind in ("text", "number", "integer", "date", "boolean"):
        assert t(f"export.kind.{kind}", "fr")


# --- the button ---------------------------------------------------------------------------------

def test_the_button_callable_builds_the_same_file_off_the_script_thread(repo_data):
    import threading

    from kafo_data.ui.downloads import file_builder, refusal

    make = file_builder(get_database(repo_data), FILTERS, "csv", "fr", TODAY)
    result: list[bytes] = []
    worker = threading.Thread(target=lambda: result.append(make()))
    worker.start()
    worker.join()
    assert result == [_build(repo_data, "csv", "fr")]
    assert refusal(0, "csv", "en") == t("export.empty", "en")
    assert refusal(10, "xlsx", "en") is None
    message = refusal(writers.XLSX_MAX_ROWS + 1000, "xlsx", "en")
    assert message is not None and "so 1,000 rows would be left out" in message and "choose CSV" in message
    huge = (refusal(writers.MEMORY_MAX_ROWS + 2000, "csv", "fr") or "").replace("\u202f", " ")
    assert "2 000 lignes seraient donc laissées de côté" in huge and "python -m kafo_data export" in huge

def test_download_menu_in_a_page(repo_data, monkeypatch):
    from streamlit.testing.v1 import AppTest

    def page(root: str) -> None:
        from pathlib import Path

        from kafo_data.seizures.filters import Filters
        from kafo_data.store.db import get_database
        from kafo_data.ui.downloads import download_menu

        download_menu(get_database(Path(root)), Filters(operations=("KAFO-II",)), "fr",
                      total_rows=451, filtered_rows=60)

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 100)
    at = AppTest.from_function(page, args=(str(repo_data),)).run()
    assert not at.exception
    button = at.get("download_button")[0].proto
    assert button.label == "Télécharger 60 lignes (CSV)"
    assert not button.disabled
    at.radio(key="download_format").set_value("xlsx").run()
    at.radio(key="download_scope").set_value("all").run()
    button = at.get("download_button")[0].proto
    assert button.disabled
    assert "351" in at.warning[0].value.replace("\u202f", " ")
    at.radio(key="download_format").set_value("zip").run()
    assert not at.get("download_button")[0].proto.disabled


# --- a second dataset through the same writers --------------------------------------------------

def test_another_dataset_reuses_the_writers_and_the_rule(repo_data):
    sql = ("SELECT * FROM (VALUES ('B-2', CAST(1250.5 AS DECIMAL(18,2)), DATE '2021-03-31', 2, ?), "
           "('B-1', CAST(3248537 AS DECIMAL(18,2)), DATE '2020-01-01', 1, 'Côte d''Ivoire')) "
           "AS b(budget_id, value, value_date, output, note)")
    fields = (
        writers.Field("budget_id", "text", "export.source.id", "export.source.id"),
        writers.Field("value", "number", "export.col.value", "export.col.value"),
        writers.Field("value_date", "date", "export.info.made", "export.info.made"),
        writers.Field("output", "integer", "export.col.item", "export.col.item", vocab="output"),
        writers.Field("note", "text", "export.source.title", "export.source.title"),
    )
    extract = writers.Extract(sql, ("@cmd",), fields, order=("budget_id",))
    db = get_database(repo_data)
    labels = {"fr": {"output": {"1": "Produit 1", "2": "Produit 2"}}}

    def made(fmt: str) -> bytes:
        return writers.build_table(db, extract, fmt, "fr", today=TODAY, made_at=MADE, name="budget", labels=labels)

    plain = _csv_rows(made("csv"), ",")
    assert plain == [["budget_id", "value", "value_date", "output", "note"],
                     ["B-1", "3248537.00", "2020-01-01", "1", PLACE],
                     ["B-2", "1250.50", "2021-03-31", "2", "'@cmd"]]
    fr = _csv_rows(made("csv-excel-fr"), ";")
    assert fr[1] == ["B-1", "3248537,00", "2020-01-01", "Produit 1", PLACE]
    ws = _workbook(made("xlsx"))["Données"]
    cells = list(ws.iter_rows(min_row=2))
    assert cells[0][1].data_type == "n" and float(cells[0][1].value) == 3248537
    assert cells[1][4].value == "'@cmd" and cells[1][4].data_type == "s"
    assert cells[1][3].value == "Produit 2"
    names = zipfile.ZipFile(io.BytesIO(made("zip"))).namelist()
    assert names == ["README.txt", "budget.csv", "data_dictionary.csv", "codes.csv"]


@pytest.mark.parametrize("fmt", ["csv", "csv-excel-fr", "zip"])
def test_records_sorted_in_parts_give_the_same_file(report_data, monkeypatch, fmt):
    """Sorting a few operations at a time (bounded memory) changes nothing in the file."""
    whole = _build(report_data, fmt, "fr", Filters())
    monkeypatch.setattr(writers, "PART_ROWS", 40)
    assert _build(report_data, fmt, "fr", Filters()) == whole
    nothing = Filters(categories=("firearms",), date_from=dt.date(2030, 1, 1))
    assert len(_csv_rows(_build(report_data, "csv", "en", nothing), ",")) == 1  # the header alone

"""The blank report (issue 28): in French and English, with its drop-downs and its Columns sheet; a report
filled in from it, by openpyxl as a focal point would in Excel, loads with every column understood and 0 rejected."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from kafo_data.cli import main
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest import template
from tests.conftest import REPO

LISTS_SHEET = {"en": "Lists", "fr": "Listes"}


def _items_with_a_unit_of_their_own(lang: str) -> list[str]:
    """Item names of the mapping file that need no unit cell (read here, not through the template)."""
    with (REPO / "data" / "mapping" / "items.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [r["synonym"] for r in csv.DictReader(handle) if r["lang"] in (lang, "any") and r["default_unit"]]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_report_filled_in_from_the_template_loads_with_nothing_rejected(data_copy, lang):
    wb = load_workbook(io.BytesIO(template.xlsx(data_copy, lang)))
    report, lists = wb.worksheets[0], wb[LISTS_SHEET[lang]]
    headers = [c.value for c in report[3]]
    # the drop-downs: every list column of the report sheet points at its list
    rules = {str(rule.sqref).split(":")[0][:-1]: rule for rule in report.data_validations.dataValidation}
    column_of = {h: chr(ord("A") + k) for k, h in enumerate(headers)}
    listed = {h: rules[column_of[h]].formula1 for h in headers if column_of[h] in rules
              and rules[column_of[h]].type == "list"}
    # operation, country, service, item, unit, criminal context; made in, marking, craft-made, tracing, origin
    assert len(listed) == 11, listed
    values = {lists.cell(row=1, column=k).value: [c.value for c in col[1:] if c.value]
              for k, col in enumerate(lists.iter_cols(), start=1)}
    operations, countries = next(iter(values.values())), list(values.values())[1]
    items = [i for i in list(values.values())[2] if i in _items_with_a_unit_of_their_own(lang)][:6]
    assert len(items) == 6 and "KAFO V" in operations
    # a focal point fills six lines from the lists (two seizures), the example left where it is
    day = dt.date(2024, 11, 6)
    for n, item in enumerate(items):
        line = {"operation": "KAFO V", "date": day, "country": countries[0], "item": item, "quantity": n + 1,
                "seizure_ref": f"S-{n // 3}", "arrests": 1 if n % 3 == 0 else None}
        row = [line.get(field) for field, _, _ in template.COLUMNS]
        report.append(row)
    out = io.BytesIO()
    wb.save(out)
    plan = ingest.plan(data_copy, f"filled-{lang}.xlsx", out.getvalue())
    assert (plan.read, len(plan.accepted), len(plan.already_loaded), len(plan.rejected)) == (6, 6, 0, 0), \
        plan.report_lines("en")
    assert set(plan.columns) == set(headers) and not plan.unused_columns   # every header understood, none asked about
    assert plan.lang == lang
    assert sorted({r.event["country_iso3"] for r in plan.accepted}) and {r.ref for r in plan.accepted} == {"S-0", "S-1"}


def test_the_columns_sheet_explains_every_column_and_the_csv_has_the_same_headers(data_copy):
    for lang in ("fr", "en"):
        wb = load_workbook(io.BytesIO(template.xlsx(data_copy, lang)))
        headers = [c.value for c in wb.worksheets[0][3]]
        about = wb.worksheets[2]
        assert [r[0] for r in about.iter_rows(min_row=2, values_only=True)] == headers
        assert all(r[2] for r in about.iter_rows(min_row=2, values_only=True))
        rows = list(csv.reader(io.StringIO(template.csv_bytes(data_copy, lang).decode("utf-8-sig")),
                               delimiter=";" if lang == "fr" else ","))
        assert rows[2] == headers
    french = load_workbook(io.BytesIO(template.xlsx(data_copy, "fr"))).worksheets[0]
    assert "Désignation" in [c.value for c in french[3]]


def test_the_command_writes_the_template(data_copy, tmp_path, capsys):
    target = tmp_path / "modele.xlsx"
    assert main(["template", "--lang", "fr", "-o", str(target), "--data-dir", str(data_copy)]) == 0
    assert load_workbook(target).sheetnames == ["Rapport", "Listes", "Colonnes"]
    assert main(["template", "--lang", "en", "-o", str(tmp_path / "report.csv"), "--data-dir", str(data_copy)]) == 0
    plan = ingest.plan(data_copy, "report.csv", (tmp_path / "report.csv").read_bytes())
    assert plan.read == 0 and not plan.rejected  # the example above the headers is never read


HEADS = {"fr": {"marking_status": "Marquage", "craft_made": "Artisanale",
                "country_of_manufacture": "Pays de fabrication", "tracing_status": "Statut du traçage",
                "illicit_origin": "Origine illicite"},
         "en": {"marking_status": "Marking", "craft_made": "Craft-made",
                "country_of_manufacture": "Country of manufacture", "tracing_status": "Tracing status",
                "illicit_origin": "Illicit origin"}}


def _country_codes(lang: str) -> dict[str, str]:
    """Country name -> code, read from the reference and the country-names file (not through the template)."""
    out = {}
    for path, code in ((REPO / "data" / "reference" / "countries.csv", "iso3"),
                       (REPO / "data" / "mapping" / "country_names.csv", "code")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            out.update({r[f"name_{lang}"]: r[code] for r in csv.DictReader(handle)})
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_firearm_columns_round_trip_from_their_drop_downs(data_copy, lang):
    """Every value of every firearm list, typed on a firearm line, is stored as the code it names."""
    from kafo_data.contract import seizures as contract
    from kafo_data.i18n import label

    wb = load_workbook(io.BytesIO(template.xlsx(data_copy, lang)))
    report, lists = wb.worksheets[0], wb[LISTS_SHEET[lang]]
    headers = [c.value for c in report[3]]
    assert set(HEADS[lang].values()) <= set(headers)
    rules = {str(rule.sqref).split(":")[0][:-1]: rule.formula1 for rule in report.data_validations.dataValidation
             if rule.type == "list"}
    values = {}
    for field, head in HEADS[lang].items():
        column = chr(ord("A") + headers.index(head))
        at, last = re.search(r"!\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)$", rules[column]).groups()
        values[field] = [lists[f"{at}{n}"].value for n in range(2, int(last) + 1)]
    assert {"Russie", "URSS", "Tchécoslovaquie"} <= set(values["country_of_manufacture"]) if lang == "fr" else \
        {"Russia", "USSR", "Yugoslavia"} <= set(values["country_of_manufacture"])
    codes = _country_codes(lang)
    vocab = {f: {label(f, v, lang): v for v in contract.VOCABULARIES[f]} for f in ("marking_status", "tracing_status",
                                                                                 "illicit_origin")}
    pistol = "pistolet" if lang == "fr" else "pistol"
    n_lines = len(values["country_of_manufacture"])
    want = []
    for n in range(n_lines):
        origin = values["illicit_origin"][n] if n < len(values["illicit_origin"]) else None
        tracing = None if origin else values["tracing_status"][n % len(values["tracing_status"])]
        cells = {"seizure_ref": f"S-{n}", "operation": "KAFO V", "date": dt.date(2024, 11, 6), "country": "Niger",
                 "item": pistol, "quantity": 1, "country_of_manufacture": values["country_of_manufacture"][n],
                 "marking_status": values["marking_status"][n % len(values["marking_status"])],
                 "craft_made": values["craft_made"][n % 2], "tracing_status": tracing, "illicit_origin": origin}
        report.append([cells.get(field) for field, _, _ in template.COLUMNS])
        want.append((f"S-{n}", codes[cells["country_of_manufacture"]], vocab["marking_status"][cells["marking_status"]],
                     n % 2 == 0, "origin_established" if origin else vocab["tracing_status"][tracing],
                     vocab["illicit_origin"][origin] if origin else None))
    out = io.BytesIO()
    wb.save(out)
    plan = ingest.plan(data_copy, f"firearms-{lang}.xlsx", out.getvalue())
    assert (plan.read, len(plan.rejected)) == (n_lines, 0), plan.report_lines("en")[:5]
    got = [(r.ref, r.item["country_of_manufacture"], r.item["marking_status"], r.item["craft_made"],
            r.item["tracing_status"], r.item["illicit_origin"]) for r in plan.accepted]
    assert got == want

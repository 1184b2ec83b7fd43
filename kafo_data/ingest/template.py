"""A blank national report that the ingest reads without a single question: XLSX (or CSV), French or English.

What a focal point gets: one sheet to fill ("Report" / "Rapport"), its headers written as the
ingest's own mapping files name them (`data/mapping/headers.csv`, the first name in that
language), an example line above the headers (lines above the header are never read, so an
example left in place is never stored), drop-down lists of the vocabularies (Excel data
validation, warnings rather than refusals: a name the list lacks is the ingest's to judge), a
"Lists" sheet that holds them, and a "Columns" sheet that says what each column takes. The lists
are the names the ingest understands, so a line written from them is accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from kafo_data import country_names
from kafo_data.config import built_dir, mapping_dir, reference_dir
from kafo_data.i18n import label, t
from kafo_data.ingest.read import norm
from kafo_data.ingest.vocabulary import FIREARM_VOCABS, Mappings

# (field, required, list of the "Lists" sheet it takes its values from, or "")
COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("seizure_ref", False, ""), ("operation", True, "operations"), ("date", True, ""), ("country", True, "countries"),
    ("admin1", False, ""), ("locality", False, ""), ("agency", False, "agencies"), ("item", True, "items"),
    ("quantity", True, ""), ("unit", False, "units"), ("arrests", False, ""), ("criminal_context", False, "contexts"),
    ("calibre", False, ""), ("make", False, ""), ("country_of_manufacture", False, "made_in"),
    ("marking_status", False, "marking"), ("craft_made", False, "craft"), ("tracing_status", False, "tracing"),
    ("illicit_origin", False, "origins"),
)
LISTS: tuple[str, ...] = ("operations", "countries", "items", "units", "agencies", "contexts", "made_in", "marking",
                          "craft", "tracing", "origins")
# the firearm columns' lists: each vocabulary's values, named as the ingest reads them (`firearms.csv`, labels)
_FIREARM_LISTS = {"marking": "marking_status", "tracing": "tracing_status", "origins": "illicit_origin"}
DATA_ROWS = 500  # lines the drop-downs cover


@dataclass(frozen=True)
class Template:
    """What both formats hold: the headers, the example line, the lists, the words of the Columns sheet."""

    lang: str
    headers: tuple[str, ...]
    example: tuple[object, ...]
    lists: dict[str, list[str]]


def _synonyms(path: Path, lang: str) -> list[tuple[str, dict[str, str]]]:
    """The names a mapping file gives in this language (or any), in the file's order, each once."""
    seen: set[str] = set()
    out = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("synonym") or "").strip()
            if name and row.get("lang", "any") in (lang, "any") and name.lower() not in seen:
                seen.add(name.lower())
                out.append((name, row))
    return out


def build(root: Path, lang: str) -> Template:
    """The template's content in `lang`, read from the mapping files and the reference (see the module's doc)."""
    root = Path(root)
    mappings = Mappings.load(root)
    folder = mapping_dir(root)
    with (folder / "headers.csv").open(encoding="utf-8-sig", newline="") as handle:
        first: dict[str, str] = {}
        for row in csv.DictReader(handle):
            if row["lang"] in (lang, "any"):
                first.setdefault(row["field"], row["synonym"])
    headers = [first[name] for name, _, _ in COLUMNS]
    names = {r["iso3"]: r[f"name_{lang}"] for r in csv.DictReader(
        (reference_dir(root) / "countries.csv").open(encoding="utf-8-sig", newline=""))}
    members = sorted({c for cs in mappings.op_countries.values() for c in cs},
                     key=lambda c: country_names.name_key(names.get(c, c)))
    ops = sorted(mappings.op_dates, key=lambda o: mappings.op_dates[o][0])
    op_names = {i: n for n, i in _operation_names(root).items()}
    items = _synonyms(folder / "items.csv", lang)
    lists = {
        "operations": [op_names.get(o, o) for o in ops],
        "countries": [names.get(c, c) for c in members],
        "items": [name for name, _ in items],
        "units": [name for name, _ in _synonyms(folder / "units.csv", lang)],
        "agencies": [name for name, _ in _synonyms(folder / "agencies.csv", lang)],
        "contexts": [name for name, _ in _synonyms(folder / "contexts.csv", lang)],
        "made_in": _made_in(root, mappings, lang),
        "craft": [next(name for name, row in _synonyms(folder / "firearms.csv", lang)
                       if row["field"] == "craft_made" and row["value"] == value) for value in ("true", "false")],
        **{name: [label(vocab, v, lang) for v in FIREARM_VOCABS[vocab]] for name, vocab in _FIREARM_LISTS.items()},
    }
    last = ops[-1]
    country = sorted(mappings.op_countries.get(last, members), key=lambda c: country_names.name_key(names.get(c, c)))[0]
    firearm = next(name for name, row in items if row["category"] == "firearms")
    unit = next(n for n, row in _synonyms(folder / "units.csv", lang) if row["unit"] == "count")
    example = {"seizure_ref": t("template.example", lang), "operation": op_names.get(last, last),
               "date": mappings.op_dates[last][0], "country": names.get(country, country), "admin1": "",
               "locality": "", "agency": lists["agencies"][0], "item": firearm, "quantity": 2, "unit": unit,
               "arrests": 1, "criminal_context": "", "calibre": "", "make": "",
               "country_of_manufacture": "", "marking_status": lists["marking"][0], "craft_made": lists["craft"][1],
               "tracing_status": lists["tracing"][0], "illicit_origin": ""}
    return Template(lang, tuple(headers), tuple(example[name] for name, _, _ in COLUMNS), lists)


def _made_in(root: Path, mappings: Mappings, lang: str) -> list[str]:
    """Countries a firearm may be made in, today's and former ones, by the names pages show when the ingest
    reads them back (else the reference's), in alphabetical order, accents set aside."""
    rows = pq.read_table(built_dir(root) / "countries.parquet", columns=["iso3", f"name_{lang}"]).to_pylist()
    reference = {r["iso3"]: r[f"name_{lang}"] for r in rows}
    shown = country_names.shown(reference, root, lang)
    names = [shown[c] if mappings.made_in.get(norm(shown[c])) == c else reference.get(c, c) for c in shown]
    return sorted((n for n in names if n), key=country_names.name_key)


def _operation_names(root: Path) -> dict[str, str]:
    rows = pq.read_table(built_dir(root) / "operations.parquet", columns=["operation_id", "name"]).to_pylist()
    return {r["name"]: r["operation_id"] for r in rows}


def xlsx(root: Path, lang: str) -> bytes:
    """The template as an Excel workbook (see the module's doc)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    tpl = build(root, lang)
    wb = Workbook()
    sheet = wb.active
    sheet.title = t("template.sheet.report", lang)
    sheet.append([t("template.title", lang)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(tpl.example))
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="595959")
    sheet.append(list(tpl.headers))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
    sheet.freeze_panes = "A4"
    for k, header in enumerate(tpl.headers, start=1):
        example = tpl.example[k - 1]
        sheet.column_dimensions[get_column_letter(k)].width = max(12, len(header) + 4, len(str(example)) + 2)
        if COLUMNS[k - 1][0] == "date":
            sheet.cell(row=2, column=k).number_format = "yyyy-mm-dd"
            for row in range(4, 4 + DATA_ROWS):
                sheet.cell(row=row, column=k).number_format = "yyyy-mm-dd"

    lists = wb.create_sheet(t("template.sheet.lists", lang))
    for k, name in enumerate(LISTS, start=1):
        lists.cell(row=1, column=k, value=t(f"template.list.{name}", lang)).font = Font(bold=True)
        for n, value in enumerate(tpl.lists[name], start=2):
            lists.cell(row=n, column=k, value=value)
        lists.column_dimensions[get_column_letter(k)].width = 28
    quoted = lists.title.replace("'", "''")
    for k, (name, _, source) in enumerate(COLUMNS, start=1):
        column = get_column_letter(k)
        if source:
            at = get_column_letter(LISTS.index(source) + 1)
            rule = DataValidation(type="list", formula1=f"='{quoted}'!${at}$2:${at}${len(tpl.lists[source]) + 1}",
                                  allow_blank=True, errorStyle="warning", showErrorMessage=True,
                                  error=t("template.not_in_list", lang), errorTitle=tpl.headers[k - 1])
        elif name == "date":
            rule = DataValidation(type="date", operator="between", formula1="DATE(2015,1,1)",
                                  formula2="DATE(2035,12,31)", allow_blank=True, errorStyle="warning",
                                  showErrorMessage=True, error=t("template.not_a_date", lang))
        elif name in ("quantity", "arrests"):
            rule = DataValidation(type="decimal" if name == "quantity" else "whole", operator="greaterThanOrEqual",
                                  formula1="0", allow_blank=True, errorStyle="warning", showErrorMessage=True,
                                  error=t("template.not_a_number", lang))
        else:
            continue
        rule.add(f"{column}4:{column}{3 + DATA_ROWS}")
        sheet.add_data_validation(rule)

    about = wb.create_sheet(t("template.sheet.columns", lang))
    about.append([t("template.col.column", lang), t("template.col.required", lang), t("template.col.what", lang),
                  t("template.col.example", lang)])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for (name, required, _), header, example in zip(COLUMNS, tpl.headers, tpl.example, strict=True):
        about.append([header, t("template.yes" if required else "template.no", lang), t(f"template.what.{name}", lang),
                      example.isoformat() if isinstance(example, dt.date) else example])
    for column, width in zip("ABCD", (24, 12, 90, 24), strict=True):
        about.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(root: Path, lang: str) -> bytes:
    """The template as CSV (UTF-8 with a byte-order mark, `;` in French as Excel writes it there): title, example,
    headers; the lists are in the XLSX."""
    tpl = build(root, lang)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow([t("template.title", lang)])
    writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in tpl.example])
    writer.writerow(tpl.headers)
    return out.getvalue().encode("utf-8-sig")

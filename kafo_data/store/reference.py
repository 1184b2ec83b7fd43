"""Reference facts: hand-curated CSV under data/reference, built into parquet for the app.

The CSV files are what a reviewer reads and edits; the parquet files are what DuckDB reads.
`build_reference` is the only writer of the parquet, and `check_reference` refuses text that
breaks the rules (a row without a known source, a figure in words that carries a number).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kafo_data.config import built_dir, reference_dir
from kafo_data.contract import seizures as contract
from kafo_data.errors import ReferenceError

# table -> {column: arrow type}; columns not listed are strings.
TYPED: dict[str, dict[str, pa.DataType]] = {
    "sources": {},
    "operations": {"start_date": pa.date32(), "end_date": pa.date32()},
    "operation_countries": {},
    "operation_agencies": {"position": pa.int32()},
    "figures": {"value": pa.float64(), "shown": pa.bool_()},
    "project": {},
    "project_items": {"position": pa.int32()},
    "countries": {},
    "donors": {},
    "donor_support": {},
}

REFERENCE_TABLES: tuple[str, ...] = tuple(TYPED)

# Who took part in an operation, as the sources name them (operation_agencies.agency): the
# record agencies of `contract.AGENCIES` and the wider services and groups the pages list.
PARTICIPANTS: tuple[str, ...] = (
    "police", "gendarmerie", "customs", "border_police", "border_service", "salw_commission",
    "airport_unit", "maritime_authority", "prosecution", "justice", "intelligence",
    "law_enforcement", "criminal_justice", "traditional_leaders", "civil_society", "interpol_ncb",
)


def read_text(root: Path, table: str) -> list[dict[str, str]]:
    """Rows of one reference CSV, as strings exactly as written."""
    path = reference_dir(root) / f"{table}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError as exc:
        raise ReferenceError(f"missing reference file {path}") from exc


def _convert(value: str, typ: pa.DataType) -> object:
    if value == "":
        return None
    if typ == pa.float64():
        return float(value)
    if typ == pa.int32():
        return int(value)
    if typ == pa.bool_():
        if value not in {"true", "false"}:
            raise ValueError(f"expected true or false, got {value!r}")
        return value == "true"
    if typ == pa.date32():
        return dt.date.fromisoformat(value)
    return value


def to_arrow(table: str, rows: list[dict[str, str]], columns: list[str]) -> pa.Table:
    """Typed arrow table of a reference CSV; a bad cell raises ReferenceError with its row."""
    types = TYPED[table]
    data: dict[str, list[object]] = {c: [] for c in columns}
    for line, row in enumerate(rows, start=2):
        for c in columns:
            try:
                data[c].append(_convert(row[c], types.get(c, pa.string())))
            except ValueError as exc:
                raise ReferenceError(f"{table}.csv line {line}, column {c}: {exc}") from exc
    schema = pa.schema([(c, types.get(c, pa.string())) for c in columns])
    return pa.table(data, schema=schema)


def check_reference(root: Path) -> list[str]:
    """Every rule the reference text must keep; returns problems as 'file line N: ...'."""
    problems: list[str] = []
    texts = {t: read_text(root, t) for t in REFERENCE_TABLES}
    sources = {r["source_id"] for r in texts["sources"]}
    operations = {r["operation_id"] for r in texts["operations"]}
    countries = {r["iso3"] for r in texts["countries"]}
    for table, rows in texts.items():
        for line, row in enumerate(rows, start=2):
            where = f"{table}.csv line {line}"
            if None in row or None in row.values():
                problems.append(f"{where}: wrong number of cells")
                continue
            if row.get("source_id") not in sources:
                problems.append(f"{where}: unknown source_id {row.get('source_id')!r}")
            op = row.get("operation_id")
            if op and op not in operations:
                problems.append(f"{where}: unknown operation_id {op!r}")
            iso = row.get("country_iso3")
            if iso and iso not in countries:
                problems.append(f"{where}: unknown country {iso!r}")
    for line, row in enumerate(texts["figures"], start=2):
        problems += [f"figures.csv line {line}: {p}" for p in _figure_problems(row)]
    problems += _footnote_problems(texts["figures"])
    languages = {r["source_id"]: r.get("language") for r in texts["sources"]}
    for line, row in enumerate(texts["figures"], start=2):
        text, page = row.get("fr_text", "").strip(), row.get("fr_source_id", "")
        if bool(text) != bool(page) or (page and languages.get(page) != "fr"):
            problems.append(f"figures.csv line {line}: fr_text quotes a French page, named in fr_source_id")
    for line, row in enumerate(texts["sources"], start=2):
        if not row.get("url") and not row.get("why_no_url"):
            problems.append(f"sources.csv line {line}: a source has an address (url) or says why not (why_no_url)")
        if not row.get("publisher_fr", "").strip():
            problems.append(f"sources.csv line {line}: a publisher is named in French too (publisher_fr)")
    for line, row in enumerate(texts["operation_agencies"], start=2):
        if row.get("agency") not in PARTICIPANTS:
            problems.append(f"operation_agencies.csv line {line}: unknown agency {row.get('agency')!r}")
    return problems


def _footnote_problems(figures: list[dict[str, str]]) -> list[str]:
    """A figure not shown is the footnote of a shown figure of the same operation, named in footnote_of."""
    shown = {r["figure_id"]: r for r in figures if r.get("shown") == "true"}
    out = []
    for line, row in enumerate(figures, start=2):
        of = row.get("footnote_of", "")
        if row.get("shown") == "true" and of:
            out.append(f"figures.csv line {line}: a shown figure is no footnote (footnote_of {of!r})")
        elif row.get("shown") != "true":
            target = shown.get(of)
            if target is None or target["operation_id"] != row["operation_id"]:
                out.append(f"figures.csv line {line}: footnote_of names no shown figure of {row['operation_id']}")
    return out


def _figure_problems(row: dict[str, str]) -> list[str]:
    out = []
    if row["qualifier"] not in contract.QUALIFIERS:
        out.append(f"unknown qualifier {row['qualifier']!r}")
    if (row["qualifier"] == "words") != (row["value"] == ""):
        out.append("a figure in words has no value, and only such a figure")
    if not row["text"]:
        out.append("every figure keeps its published wording in 'text'")
    if bool(row.get("note", "").strip()) != bool(row.get("note_fr", "").strip()):
        out.append("a note has its French (note_fr), and only a note")  # the French pages show note_fr
    cat, item, unit = row["category"], row["item_type"], row["unit"]
    if cat and cat not in contract.CATEGORIES:
        out.append(f"unknown category {cat!r}")
    if item and (item not in contract.ITEM_TYPES or contract.category_of(item) != cat):
        out.append(f"item type {item!r} does not belong to category {cat!r}")
    if cat and unit not in contract.UNITS:
        out.append(f"a figure compared with records needs a contract unit, not {unit!r}")
    if item and unit not in contract.units_for(item):
        out.append(f"unit {unit!r} is not allowed for {item!r}")
    out += _quote_problems(row)
    counts = row.get("counts", "")
    if counts and cat and cat not in counts.split():
        out.append("counts, given with a category, includes that category")
    for term in counts.split():
        term_cat, _, term_item = term.partition("/")
        if term_cat not in contract.CATEGORIES or (term_item and (
                term_item not in contract.ITEM_TYPES or contract.category_of(term_item) != term_cat)):
            out.append(f"counts: unknown category or item type {term!r}")
        elif unit not in contract.UNITS or (term_item and unit not in contract.units_for(term_item)):
            out.append(f"counts: unit {unit!r} is not allowed for {term!r}")
    return out


# The languages a quotation may be in, each with the one it is translated into (the interface's two).
QUOTE_LANGS: dict[str, str] = {"en": "fr", "fr": "en"}


def _quote_problems(row: dict[str, str]) -> list[str]:
    """`text` is a quotation in the source's own words: its language, and a translation labelled as one."""
    lang, into = row.get("quote_lang", ""), row.get("translation_lang", "")
    if lang not in QUOTE_LANGS:
        return [f"quote_lang must be one of {sorted(QUOTE_LANGS)}, not {lang!r}"]
    if into != QUOTE_LANGS[lang] or not row.get("translation", "").strip():
        return [f"a quotation in {lang!r} has a translation into {QUOTE_LANGS[lang]!r} (translation, translation_lang)"]
    return []


def build_reference(root: Path) -> list[Path]:
    """Write data/built/<table>.parquet from the text; refuses text that breaks a rule."""
    problems = check_reference(root)
    if problems:
        raise ReferenceError("; ".join(problems[:5]))
    out_dir = built_dir(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in REFERENCE_TABLES:
        path = reference_dir(root) / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            columns = list(csv.DictReader(f).fieldnames or [])
        arrow = to_arrow(table, read_text(root, table), columns)
        target = out_dir / f"{table}.parquet"
        tmp = target.with_suffix(".parquet.tmp")
        pq.write_table(arrow, tmp)
        tmp.replace(target)
        written.append(target)
    return written


@dataclass(frozen=True)
class ProjectTotal:
    """The real figure the sample must add up to, read from the reference text (the money sample adds up to it)."""

    project_id: str
    donor_id: str
    value: Decimal
    currency: str
    source_id: str


def project_total(root: Path) -> ProjectTotal:
    """Project id, donor, total and currency as the reference (project description) states them."""
    fields = {r["field"]: r for r in read_text(root, "project")}
    donors = [r["text_en"] for r in read_text(root, "project_items") if r["list"] == "donor"]
    return ProjectTotal(fields["project_id"]["value"], donors[0], Decimal(fields["budget_value"]["value"]),
                        fields["budget_currency"]["value"], fields["budget_value"]["source_id"])

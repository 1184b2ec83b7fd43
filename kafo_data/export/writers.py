"""Downloads: every file a page offers and the CLI writes comes from here, byte for byte.

Formats (`FORMATS`):
- `csv`: UTF-8 with a byte-order mark, comma, RFC 4180 quoting, ISO dates, dot decimals, the
  stable machine column names and codes (what scripts read).
- `csv-excel-fr`: for French-locale Excel: `;`, decimal comma, byte-order mark; headers, codes
  and true/false in the chosen language.
- `xlsx`: typed numbers, dates and booleans, header row frozen, widths set; sheets for the
  filters, the sources and the data dictionary (English and French).
- `zip`: the `csv` file unchanged, the data dictionary and the code labels (both languages), and
  a README (filters, when made, sources with links, suggested citation, sample warning).

One rule against formula injection, for every format (`kafo_data.formulas`): data cells get it
in SQL (`neutralised`), the few cells we write ourselves (dictionary, sources, filters) through
`neutralise`. Numbers, dates and booleans are not text and stay as they are.

Rows stream from DuckDB as arrow batches into the writer, so a file written to disk is never
held in memory. CSV and zip written to a stream have no cap. xlsx is capped at
`XLSX_MAX_ROWS`: openpyxl's write-only mode takes about 1 s of CPU per 3,000 rows here, so
the cap keeps a click under about 20 s (Excel itself stops at 1,048,576 rows). `build_table`, whose
bytes are held in memory (what a button serves), is capped at `MEMORY_MAX_ROWS`. Over a cap,
`ExportTooLarge` is raised before a byte is written: a file is never silently cut short.

Equal inputs give equal bytes: zip entries (the xlsx too) carry `made_at` as their time and
the workbook's created/modified properties are `made_at`, so the CLI and the button agree.

Another dataset (budget lines, transactions) reuses all of this: describe it as an `Extract`
(its SELECT with bound parameters, its `Field`s from `fields_from_columns`, the sort keys,
the sample flag column) and call `write_table` / `build_table`; vocabulary labels come from
the catalogue (`<vocab>.<code>`) or from the `labels` argument. `kafo_data.export.seizures`
and `kafo_data.export.money` are the two datasets written so.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import queue
import re
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, BinaryIO, Literal

import pyarrow as pa
import pyarrow.csv as pacsv

from kafo_data import country_names
from kafo_data.export.formats import FORMATS
from kafo_data.fmt import date as fmt_date
from kafo_data.fmt import number as fmt_number
from kafo_data.formulas import TRIGGER_PATTERN, neutralise, neutralised
from kafo_data.i18n import LANGS, catalogue, t
from kafo_data.store.db import Database

if TYPE_CHECKING:  # openpyxl takes most of a second to import: only the xlsx path loads it
    import duckdb
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

Kind = Literal["text", "number", "integer", "date", "boolean"]

XLSX_MAX_ROWS = 50_000
MEMORY_MAX_ROWS = 500_000
ZIP64_ROWS = 1_000_000

BOM = "\ufeff".encode()
BATCH_ROWS = 65_536
PART_ROWS = 350_000
# Characters XML 1.0 forbids; openpyxl refuses them, so xlsx cells drop them (RE2 syntax).
_XML_ILLEGAL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"
_KINDS: dict[str, Kind] = {"VARCHAR": "text", "DOUBLE": "number", "INTEGER": "integer", "BIGINT": "integer",
                           "DATE": "date", "BOOLEAN": "boolean"}


class ExportTooLarge(ValueError):
    """The selection has more rows than the format or the in-memory download can hold."""

    def __init__(self, rows: int, limit: int, fmt: str) -> None:
        self.rows, self.limit, self.fmt = rows, limit, fmt
        super().__init__(
            f"{rows:,} rows selected, {fmt} holds at most {limit:,} here: {self.left_out:,} rows would be "
            "left out; narrow the filters, or write CSV with `python -m kafo_data export`, which has no cap"
        )

    @property
    def left_out(self) -> int:
        return self.rows - self.limit


@dataclass(frozen=True)
class Field:
    """One exported column: machine name, kind, catalogue keys of its label and meaning, vocabulary."""

    name: str
    kind: Kind
    label_key: str
    doc_key: str
    vocab: str | None = None


@dataclass(frozen=True)
class Extract:
    """A dataset to export: its SELECT (bound parameters), columns, sort keys and sample flag."""

    sql: str
    params: tuple[object, ...]
    fields: tuple[Field, ...]
    order: tuple[str, ...]
    sample_column: str | None = None
    # Sorted in parts of consecutive values of the first sort key (PART_ROWS rows or one value):
    # DuckDB then holds one part's rows while sorting, not the whole file (a million item lines
    # sorted at once: +640 MB).
    sort_in_parts: bool = False
    title_key: str = "export.title.records"
    rows_key: str = "export.rows.records"


@dataclass(frozen=True)
class FilterLine:
    """One applied filter as a reader sees it (name and labels) and as a script would (ids)."""

    name: str
    shown: str
    ids: str


@dataclass(frozen=True)
class _Style:
    labelled: bool = False
    bool_words: bool = False
    decimal_comma: bool = False
    strip_xml_illegal: bool = False
    delimiter: str = ","


_STYLES: dict[str, _Style] = {
    "csv": _Style(),
    "zip": _Style(),
    "csv-excel-fr": _Style(labelled=True, bool_words=True, decimal_comma=True, delimiter=";"),
    "xlsx": _Style(labelled=True, strip_xml_illegal=True),
}


@dataclass
class _About:
    """What the README and the xlsx sheets say about the file."""

    lang: str
    today: dt.date
    made_at: dt.datetime
    rows: int
    sample_rows: int
    filters: Sequence[FilterLine]
    sources: list[tuple[str, str, str, str, str]] = field(default_factory=list)


# --- what is exported ----------------------------------------------------------------------

def fields_from_columns(table: str, columns: Iterable[object], names: Sequence[str] | None = None) -> tuple[Field, ...]:
    """Fields for contract columns (objects with name, dtype, vocab); labels `col.<table>.<name>`."""
    by_name = {c.name: c for c in columns}  # type: ignore[attr-defined]
    out = []
    for name in names or list(by_name):
        col = by_name[name]
        dtype = str(col.dtype).upper()  # type: ignore[attr-defined]
        kind: Kind = "number" if dtype.startswith(("DECIMAL", "DOUBLE")) else _KINDS[dtype]
        out.append(Field(name, kind, f"col.{table}.{name}", f"doc.{table}.{name}", col.vocab))  # type: ignore[attr-defined]
    return tuple(out)


def vocabulary_labels(db: Database, vocab: str, lang: str) -> dict[str, str]:
    """Code -> label of one vocabulary: operations and countries from the reference, the rest from the catalogue."""
    if vocab == "operation":
        return {k: v for k, v in db.rows("SELECT operation_id, name FROM operations")}
    if vocab == "country":
        column = {"en": "name_en", "fr": "name_fr"}[lang]
        return country_names.shown({k: v for k, v in db.rows(f"SELECT iso3, {column} FROM countries")}, db.root,
                                   lang)
    prefix = f"{vocab}."
    return {k[len(prefix):]: v for k, v in catalogue(lang).items() if k.startswith(prefix)}


def _select(extract: Extract, style: _Style, lang: str, labels: Mapping[str, Mapping[str, str]],
            part: bool = False) -> tuple[str, list[object]]:
    """The SELECT every format reads: labels (if any), then the one rule, in the extract's order.

    With `part`, only the rows whose first sort key is in one more (last) parameter, a list.
    """
    cte_sql: list[str] = []
    cte_params: list[object] = []
    joined: set[str] = set()
    if style.labelled:
        for vocab in dict.fromkeys(f.vocab for f in extract.fields if f.vocab):
            entries = sorted(labels.get(vocab, {}).items())
            if not entries or not re.fullmatch(r"[a-z_]+", vocab):
                continue
            cte_sql.append(f"lab_{vocab}(code, label) AS (VALUES {', '.join('(?, ?)' for _ in entries)})")
            cte_params += [v for pair in entries for v in pair]
            joined.add(vocab)
    inner: list[str] = []
    inner_params: list[object] = []
    joins: list[str] = []
    outer: list[str] = []
    outer_params: list[object] = []
    for k, f in enumerate(extract.fields):
        expr = f"d.{f.name}"
        text = f.kind == "text"
        if f.vocab in joined:
            joins.append(f"LEFT JOIN lab_{f.vocab} l{k} ON l{k}.code = CAST(d.{f.name} AS VARCHAR)")
            expr = f"coalesce(l{k}.label, CAST(d.{f.name} AS VARCHAR))"
            text = True
        elif f.kind == "boolean" and style.bool_words:
            expr = f"CASE WHEN {expr} THEN ? WHEN NOT {expr} THEN ? END"
            inner_params += [t("export.yes", lang), t("export.no", lang)]
        elif f.kind == "number" and style.decimal_comma:
            expr = f"replace(regexp_replace(CAST({expr} AS VARCHAR), '\\.0$', ''), '.', ',')"
        if text and style.strip_xml_illegal:
            expr = f"regexp_replace({expr}, '{_XML_ILLEGAL}', '', 'g')"
        inner.append(f"{expr} AS {f.name}")
        if text:
            outer.append(neutralised(f"x.{f.name}", f.name))
            outer_params.append(TRIGGER_PATTERN)
        else:
            outer.append(f"x.{f.name}")
    inner += [f"d.{key} AS __o{k}" for k, key in enumerate(extract.order)]
    order = ", ".join(f"x.__o{k}" for k in range(len(extract.order))) or "1"
    sql = (
        ("WITH " + ", ".join(cte_sql) + " " if cte_sql else "")
        + f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM ({extract.sql}) d "
        + " ".join(joins) + (f" WHERE list_position(?, d.{extract.order[0]}) IS NOT NULL" if part else "")
        + f") x ORDER BY {order}"
    )
    return sql, [*cte_params, *outer_params, *inner_params, *extract.params]


def _counts(db: Database, extract: Extract) -> tuple[int, int]:
    sample = f"count(*) FILTER (WHERE {extract.sample_column})" if extract.sample_column else "0"
    rows, sample_rows = db.rows(f"SELECT count(*), {sample} FROM ({extract.sql}) d", list(extract.params))[0]
    return int(rows), int(sample_rows)


def row_limit(fmt: str, in_memory: bool) -> int | None:
    """The most rows `fmt` may carry: Excel's practical cap for xlsx, memory for a built file."""
    limits = [XLSX_MAX_ROWS if fmt == "xlsx" else None, MEMORY_MAX_ROWS if in_memory else None]
    present = [n for n in limits if n is not None]
    return min(present) if present else None


# --- writers -------------------------------------------------------------------------------

def _headers(fields: Sequence[Field], style: _Style, lang: str) -> list[str]:
    return [neutralise(t(f.label_key, lang)) if style.labelled else f.name for f in fields]


def _reader(cur: duckdb.DuckDBPyConnection, extract: Extract, style: _Style, lang: str,
            labels: Mapping[str, Mapping[str, str]]) -> pa.RecordBatchReader:
    """The rows as arrow batches, in the extract's order; sorted part by part when the extract says so."""
    if not (extract.sort_in_parts and extract.order):
        sql, params = _select(extract, style, lang, labels)
        return _ahead(cur.sql(sql, params=params).to_arrow_reader(BATCH_ROWS))
    key = extract.order[0]
    parts: list[list[object]] = [[]]
    size = 0
    for value, rows in cur.execute(f"SELECT {key}, count(*) FROM ({extract.sql}) d GROUP BY 1 ORDER BY 1 NULLS LAST",
                                   list(extract.params)).fetchall():
        if parts[-1] and size + rows > PART_ROWS:
            parts.append([])
            size = 0
        parts[-1].append(value)
        size += rows
    sql, params = _select(extract, style, lang, labels, part=True)
    first = cur.sql(sql, params=[*params, parts[0]]).to_arrow_reader(BATCH_ROWS)

    def batches() -> Iterator[pa.RecordBatch]:
        yield from first
        for values in parts[1:]:
            yield from cur.sql(sql, params=[*params, values]).to_arrow_reader(BATCH_ROWS)

    return _ahead(pa.RecordBatchReader.from_batches(first.schema, batches()))


def _ahead(reader: pa.RecordBatchReader, depth: int = 2) -> pa.RecordBatchReader:
    """The same batches, read by a thread of their own: DuckDB makes the next while the file is written.

    At most `depth` batches wait in between; when the writer stops early, the thread stops too
    (and is waited for, so the cursor is never closed under it).
    """
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in reader:
                if not offer(batch):
                    return
            offer(done)
        except BaseException as exc:  # handed to the writer's thread, which raises it
            offer(exc)

    thread = threading.Thread(target=read, name="export-reader", daemon=True)
    thread.start()

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            while (item := waiting.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join()

    return pa.RecordBatchReader.from_batches(reader.schema, batches())


def _write_csv_stream(reader: pa.RecordBatchReader, out: BinaryIO, headers: Sequence[str], delimiter: str) -> int:
    out.write(BOM)
    schema = pa.schema([pa.field(h, f.type) for h, f in zip(headers, reader.schema, strict=True)])
    options = pacsv.WriteOptions(eol="\r\n", quoting_style="needed", delimiter=delimiter)
    rows = 0
    with pacsv.CSVWriter(out, schema, write_options=options) as writer:
        for batch in reader:
            writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))
            rows += batch.num_rows
    return rows


def _small_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A small CSV we compose ourselves (dictionary, codes), written like the data CSV."""
    body = list(rows)
    table = pa.table({f"c{k}": pa.array([neutralise(r[k]) for r in body], pa.string())
                      for k in range(len(header))})
    table = table.rename_columns(list(header))
    buf = io.BytesIO()
    buf.write(BOM)
    pacsv.write_csv(table, buf, pacsv.WriteOptions(eol="\r\n", quoting_style="needed"))
    return buf.getvalue()


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose every entry carries one fixed time, so equal inputs give equal bytes."""

    def __init__(self, file: BinaryIO, when: dt.datetime) -> None:
        super().__init__(file, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self._when = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)

    def entry(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None) -> None:  # type: ignore[override]
        info = zinfo_or_arcname if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else self.entry(zinfo_or_arcname)
        super().writestr(info, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:  # type: ignore[override]
        name = arcname or os.path.basename(filename)
        with open(filename, "rb") as src, self.open(self.entry(name, os.path.getsize(filename)), "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def _width(values: Iterable[object], header: str) -> float:
    longest = max([len(header), *(len(str(v)) for v in values if v is not None)])
    return float(min(max(longest + 2, 8), 60))


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A small sheet of text we compose ourselves: bold frozen header, widths, the one rule."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for k, name in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(k)].width = _width((r[k - 1] for r in rows), name)
    ws.freeze_panes = "A2"
    ws.append([_bold(ws, h) for h in header])
    for row in rows:
        ws.append([_link(ws, v) if isinstance(v, str) and v.startswith(("https://", "http://"))
                   else neutralise(v) if isinstance(v, str) else v for v in row])


def _bold(ws: object, text: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(ws, value=neutralise(text))
    cell.font = Font(bold=True)
    return cell


def _link(ws: object, url: str) -> WriteOnlyCell:
    """A source's address as a link a reader can click (a URL never starts a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(ws, value=url)
    cell.hyperlink = url
    cell.font = Font(color="0563C1", underline="single")
    return cell


def _write_xlsx(reader: pa.RecordBatchReader, out: BinaryIO, extract: Extract, headers: Sequence[str],
                about: _About) -> int:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    lang = about.lang
    wb = Workbook(write_only=True)
    wb.properties.creator = t("export.creator", lang)
    wb.properties.title = t(extract.title_key, lang)
    wb.properties.created = about.made_at
    wb.properties.modified = about.made_at
    ws = wb.create_sheet(t("export.sheet.data", lang))
    batches: Iterator[pa.RecordBatch] = iter(reader)
    first = next(batches, None)
    head = first.slice(0, 500).columns if first is not None else []
    for k, (f, header) in enumerate(zip(extract.fields, headers, strict=True), 1):
        width = 12.0 if f.kind == "date" else _width(head[k - 1].to_pylist() if head else [], header)
        ws.column_dimensions[get_column_letter(k)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{about.rows + 1}"
    ws.append([_bold(ws, h) for h in headers])
    rows = 0
    for batch in chain([first] if first is not None else [], batches):
        for row in zip(*(col.to_pylist() for col in batch.columns), strict=True):
            ws.append(row)
        rows += batch.num_rows
    _sheet(wb, t("export.sheet.filters", lang), [t("export.col.item", lang), t("export.col.value", lang),
                                                  t("export.col.ids", lang)], _about_rows(about, extract))
    _sheet(wb, t("export.sheet.sources", lang),
           [t(f"export.source.{k}", lang) for k in ("id", "title", "publisher", "published", "url")],
           about.sources)
    _sheet(wb, t("export.sheet.dictionary", lang),
           [t(f"export.dict.{k}", lang) for k in ("column", "type", "label_en", "label_fr", "meaning_en",
                                                    "meaning_fr")],
           _dictionary_rows(extract.fields, lang))
    archive = _FixedTimeZip(out, about.made_at)
    ExcelWriter(wb, archive).save()
    return rows


def _about_rows(about: _About, extract: Extract) -> list[list[str]]:
    lang = about.lang
    rows = [
        [t("export.info.title", lang), t(extract.title_key, lang), ""],
        [t("export.info.made", lang), about.made_at.isoformat(sep=" ") + " UTC", ""],
        [t("export.info.rows", lang), fmt_number(about.rows, lang), str(about.rows)],
    ]
    if about.sample_rows:
        rows.append([t("export.info.warning", lang), _sample_warning(about), str(about.sample_rows)])
    for line in about.filters or [FilterLine(t("export.info.filters", lang), t("export.filter.none", lang), "")]:
        rows.append([line.name, line.shown, line.ids])
    rows.append([t("export.info.citation", lang), citation(about), ""])
    rows.append([t("export.info.rule", lang), t("export.rule", lang), ""])
    return rows


def _dictionary_rows(fields: Sequence[Field], lang: str | None = None) -> list[list[str]]:
    """Name, kind (machine word, or its label in `lang`), labels and meanings in both languages."""
    return [[f.name, t(f"export.kind.{f.kind}", lang) if lang else f.kind, t(f.label_key, "en"),
             t(f.label_key, "fr"), t(f.doc_key, "en"), t(f.doc_key, "fr")] for f in fields]


def _sample_warning(about: _About) -> str:
    """Say how many rows are generated sample records (every file that holds them says so)."""
    key = "export.sample_warning.all" if about.sample_rows == about.rows else "export.sample_warning"
    return t(key, about.lang, sample=fmt_number(about.sample_rows, about.lang),
             rows=fmt_number(about.rows, about.lang))


def citation(about: _About) -> str:
    """The suggested citation: who, what, the extract's date and its filters."""
    lang = about.lang
    described = t("export.citation.separator", lang).join(
        t("export.citation.pair", lang, name=f.name.lower(), value=f.shown) for f in about.filters)
    return t("export.citation", lang, date=fmt_date(about.today, lang),
             filters=described or t("export.filter.none", lang))


def readme(about: _About, extract: Extract, data_name: str) -> str:
    """The zip's README in the chosen language: what, when, which filters, sources, how to cite."""
    lang = about.lang
    title = t(extract.title_key, lang)
    lines = [title, "=" * len(title), ""]
    lines.append(t("export.readme.made", lang, made=about.made_at.isoformat(sep=" ") + " UTC"))
    lines.append(t(extract.rows_key, lang, rows=fmt_number(about.rows, lang)))
    if about.sample_rows:
        lines += ["", t("export.filter.pair", lang, name=t("export.info.warning", lang).upper(),
                        value=_sample_warning(about))]
    lines += ["", t("export.info.filters", lang), ""]
    for f in about.filters:
        lines.append("- " + t("export.filter.pair", lang, name=f.name, value=f"{f.shown} ({f.ids})"))
    if not about.filters:
        lines.append("- " + t("export.filter.none", lang))
    lines += ["", t("export.readme.files", lang), ""]
    lines.append("- " + t("export.readme.file_data", lang, name=data_name))
    lines.append("- " + t("export.readme.file_dictionary", lang, name="data_dictionary.csv"))
    lines.append("- " + t("export.readme.file_codes", lang, name="codes.csv"))
    lines += ["", t("export.rule", lang), "", t("export.sheet.sources", lang), ""]
    for source_id, title_, publisher, published, url in about.sources:
        lines.append("- " + t("export.readme.source", lang, publisher=publisher, title=title_,
                                published=published, id=source_id) + (f" {url}" if url else ""))
    lines += ["", t("export.info.citation", lang), "", citation(about), ""]
    return "\n".join(lines)


def _codes_rows(db: Database, fields: Sequence[Field],
                labels: Mapping[str, Mapping[str, Mapping[str, str]]]) -> list[list[str]]:
    rows = []
    for vocab in dict.fromkeys(f.vocab for f in fields if f.vocab):
        en, fr = labels["en"].get(vocab, {}), labels["fr"].get(vocab, {})
        rows += [[vocab, code, en.get(code, code), fr.get(code, code)] for code in sorted(en.keys() | fr.keys())]
    return rows


def _write_zip(reader: pa.RecordBatchReader, out: BinaryIO, extract: Extract, about: _About, data_name: str,
               codes: list[list[str]]) -> int:
    with _FixedTimeZip(out, about.made_at) as zf:
        zf.writestr("README.txt", readme(about, extract, data_name).encode("utf-8"))
        with zf.open(zf.entry(data_name), "w", force_zip64=about.rows > ZIP64_ROWS) as entry:
            rows = _write_csv_stream(reader, entry, [f.name for f in extract.fields], ",")  # type: ignore[arg-type]
        zf.writestr("data_dictionary.csv", _small_csv(
            ["column", "type", "label_en", "label_fr", "meaning_en", "meaning_fr"], _dictionary_rows(extract.fields)))
        zf.writestr("codes.csv", _small_csv(["vocabulary", "code", "label_en", "label_fr"], codes))
    return rows


def _sources(db: Database) -> list[tuple[str, str, str, str, str]]:
    return [tuple("" if v is None else str(v) for v in row)  # type: ignore[misc]
            for row in db.rows("SELECT source_id, title, publisher, published, url FROM sources "
                               "ORDER BY published, source_id")]


def _made(made_at: dt.datetime | None, today: dt.date) -> dt.datetime:
    """`made_at` as naive UTC to the second; midnight of `today` when not given (deterministic)."""
    if made_at is None:
        return dt.datetime.combine(today, dt.time())
    if made_at.tzinfo is not None:
        made_at = made_at.astimezone(dt.UTC).replace(tzinfo=None)
    return made_at.replace(microsecond=0)


def in_memory(write: Callable[[BinaryIO], object]) -> bytes:
    """What `write` writes, as bytes: a page's download is the command line's file, byte for byte."""
    buf = io.BytesIO()
    write(buf)
    return buf.getvalue()


def write_table(db: Database, extract: Extract, fmt: str, lang: str, out: BinaryIO, *, today: dt.date,
                made_at: dt.datetime | None = None, name: str = "data",
                filters: Sequence[FilterLine] = (), max_rows: int | None = None,
                labels: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None) -> int:
    """Write any extract in `fmt`; returns the row count. Raises ExportTooLarge before writing.

    `name` is the file name without extension (the zip's CSV takes it); `labels` adds or
    overrides vocabulary labels as {lang: {vocab: {code: label}}}.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (one of {', '.join(LANGS)})")
    style = _STYLES[fmt]
    limit = min(n for n in (row_limit(fmt, False), max_rows, 10**18) if n is not None)
    needs_about = fmt in ("xlsx", "zip")
    rows = sample_rows = 0
    if needs_about or limit < 10**18:
        rows, sample_rows = _counts(db, extract)
        if rows > limit:
            raise ExportTooLarge(rows, limit, fmt)
    vocabs = list(dict.fromkeys(f.vocab for f in extract.fields if f.vocab))
    wanted = LANGS if fmt == "zip" else ((lang,) if style.labelled else ())
    all_labels = {lg: {v: {**vocabulary_labels(db, v, lg), **((labels or {}).get(lg, {}).get(v, {}))}
                       for v in vocabs} for lg in wanted}
    about = _About(lang, today, _made(made_at, today), rows, sample_rows, filters,
                   _sources(db) if needs_about else [])
    cur = db.cursor()
    try:
        reader = _reader(cur, extract, style, lang, all_labels.get(lang, {}) if style.labelled else {})
        if fmt == "xlsx":
            return _write_xlsx(reader, out, extract, _headers(extract.fields, style, lang), about)
        if fmt == "zip":
            return _write_zip(reader, out, extract, about, name + ".csv", _codes_rows(db, extract.fields, all_labels))
        return _write_csv_stream(reader, out, _headers(extract.fields, style, lang), style.delimiter)
    finally:
        cur.close()


def build_table(db: Database, extract: Extract, fmt: str, lang: str, **kwargs: object) -> bytes:
    """`write_table` into memory, capped at MEMORY_MAX_ROWS: the bytes a download button serves."""
    buf = io.BytesIO()
    kwargs.setdefault("max_rows", MEMORY_MAX_ROWS)
    write_table(db, extract, fmt, lang, buf, **kwargs)  # type: ignore[arg-type]
    return buf.getvalue()


def select(extract: Extract, fmt: str = "csv", lang: str = "en") -> tuple[str, list[object]]:
    """The SELECT one format runs, with its parameters (for a caller that reads the rows itself)."""
    return _select(extract, _STYLES[fmt], lang, {})

"""Read a national seizure report into rows of cells, whatever Excel did to it on the way.

Focal points send CSV saved by French or English Excel (`;` or `,`, Windows-1252 or UTF-8
with or without a byte-order mark, sometimes UTF-16 "Unicode text") and .xlsx workbooks with
title rows above the header, merged cells, blank lines and a totals row at the bottom.
This module only finds the table: which row is the header, where each row starts in the
file, which lines are not records. It knows nothing of the record contract; the header row
is recognised by a scoring function the engine passes in (how many known columns a row has).

Counting rule, so that `N read = A accepted + R rejected` means something:
- rows above the header (titles) and the header itself are not records;
- wholly blank rows are not records (counted in `blank_lines` only);
- a totals row (its first non-empty cell is "Total", "Totaux", "Sous-total", "Grand total"...)
  and a repeat of the header row are not records: they are listed in `skipped`, with their
  line numbers, so a person can see what was left out, but they are not in N.
Every other row after the header is a record and is read (N), whatever it holds.

Bounded: a file is read as a stream and refused, with a message that says what to do, as soon
as it passes a limit (`LIMITS`, stated in the README): its size in bytes, its rows, its
columns, the length of one cell, and for .xlsx the size of its unpacked XML (a 1.5 MB workbook
can unpack to gigabytes). Workbooks are read by openpyxl's read-only (streaming) mode; only the
first rows of a CSV are parsed for each possible separator, then the file once with the one
that finds the header. Memory is bounded by the limits, not by what a file claims to hold.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

HEADER_SCAN_ROWS = 30
MAX_FILE_BYTES = 10 * 2**20  # a report of 50,000 rows is about 5 MB as CSV
MAX_RECORDS = 50_000  # record rows after the header
MAX_LINES = 200_000  # every row of the file, blank ones included
MAX_COLUMNS = 100
MAX_CELL_CHARS = 32_000  # under Excel's 32,767: openpyxl cuts a longer cell to 32,767, which this still refuses
MAX_XLSX_UNPACKED = 64 * 2**20  # all the XML inside a workbook, unpacked
MAX_XLSX_ENTRIES = 1_000
MAX_MERGED_RANGES = 10_000
# Windows-1252 leaves five bytes undefined; a file with a few of them (a stray byte) is still read as
# Windows-1252, the bytes shown as U+FFFD and named in a warning, rather than guessed as another encoding.
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
MAX_STRAY_BYTES = 3
LIMITS: dict[str, int] = {"file_bytes": MAX_FILE_BYTES, "records": MAX_RECORDS, "lines": MAX_LINES,
                          "columns": MAX_COLUMNS, "cell_chars": MAX_CELL_CHARS, "xlsx_unpacked": MAX_XLSX_UNPACKED}
MIN_HEADER_FIELDS = 3
SEPARATORS: tuple[str, ...] = (";", "\t", ",", "|")
SEPARATOR_NAMES = {";": "semicolon", "\t": "tab", ",": "comma", "|": "pipe"}

_intern = sys.intern
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ʼ": "'"})
_TOTALS = re.compile(r"^(grand |sous |sub )?(total|totaux|totals|subtotal)\b")


def norm(text: object) -> str:
    """Text as compared by every mapping: accents stripped, case folded, punctuation as spaces.

    "N° saisie" -> "n saisie"; "Bâtons  de DYNAMITE" -> "batons de dynamite"; "7,62x39" keeps its
    decimal comma (a separator between digits is part of a number). `€` and `$` are kept, being
    units on their own. Short texts are kept once normalised: a report repeats its countries, units
    and items on every row (50,000 rows: 450,000 calls).
    """
    s = str(text)
    return _norm_short(s) if len(s) <= 80 else _norm(s)


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(_LIGATURES))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = _LONE_POINT.sub(" ", s)
    s = _NOT_WORD.sub(" ", s)
    return " ".join(s.split())


_norm_short = functools.lru_cache(maxsize=8192)(_norm)
_LONE_POINT = re.compile(r"(?<!\d)[.,]|[.,](?!\d)")
_NOT_WORD = re.compile(r"[^\w.,€$]+|_")


class UnreadableFile(Exception):
    """The file cannot be read as a table at all; `key` and `values` name the reason for i18n."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class RawRow:
    """One record row as received: its line (CSV line or sheet row, 1-based) and its cells."""

    line: int
    values: tuple[object, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        """The cells as text; equal texts are one string (`sys.intern`): a parsed row keeps its cells, and a
        report of 50,000 rows x 80 columns repeating "7" made 4 million strings of 50 bytes (issue 25)."""
        return tuple([_intern(v) if v.__class__ is str else "" if v is None else
                      _intern(str(v)) if v.__class__ is int else _intern(cell_text(v)) for v in self.values])


@dataclass
class RawTable:
    """What was found in the file: the header, the record rows and what was left out, and why."""

    kind: str
    header: tuple[str, ...]
    header_line: int
    rows: list[RawRow]
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)
    blank_lines: int = 0
    other_sheets: list[str] = field(default_factory=list)
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # file warnings: (key, values)


def cell_text(value: object) -> str:
    """A cell as a person would read it; Excel dates as dd/mm/yyyy so the file re-reads the same."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value)


def is_blank(values: Sequence[object]) -> bool:
    return all(cell_text(v).strip() == "" for v in values)


def is_totals(values: Sequence[object]) -> bool:
    """A totals row: its first non-empty cell says "Total" (or Totaux, Sous-total, Grand total)."""
    for v in values:
        text = cell_text(v).strip()
        if text:
            return bool(_TOTALS.match(norm(text)))
    return False


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}".rstrip("0").rstrip(".")


def read_report(filename: str, data: bytes, header_score: Callable[[Sequence[str]], int],
                sheet: str | None = None) -> RawTable:
    """The table in one report file, CSV or .xlsx, found by its header row.

    Raises UnreadableFile when the bytes are not a spreadsheet, no header row is found, or the
    file passes one of the limits (`LIMITS`).
    """
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("ingest.error.too_large", size=_mb(len(data)), limit=_mb(MAX_FILE_BYTES))
    if not data or not data.strip():
        raise UnreadableFile("ingest.error.empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, header_score, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("ingest.error.xls")
    if data.startswith(b"%PDF"):
        raise UnreadableFile("ingest.error.pdf")
    text, encoding = decode(data)
    table = _read_csv(text, encoding, header_score)
    if encoding == "cp1252" and "\ufffd" in text:
        at = text.index("\ufffd")
        table.notes.append(("ingest.warn.stray_bytes", {"count": text.count("\ufffd"),
                                                        "line": text.count("\n", 0, at) + 1}))
    return table


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 with byte-order mark, UTF-16 with one, UTF-8, then Windows-1252, then a detector's guess.

    French Excel saves "CSV (séparateur: point-virgule)" in Windows-1252, and "CSV UTF-8" with a
    byte-order mark. A file that is valid UTF-8 is read as UTF-8: Windows-1252 text with accents
    is almost never valid UTF-8, so the order does not misread either. A Windows-1252 file with
    a few bytes Windows-1252 leaves undefined (`MAX_STRAY_BYTES`) stays Windows-1252, those bytes
    shown as U+FFFD: a detector would guess another code page from them and misread every accent.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", data)]
    elif b"\x00" in data:
        raise UnreadableFile("ingest.error.binary")
    else:
        candidates = [("utf-8", data), ("cp1252", data)]
    for encoding, raw in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise UnreadableFile("ingest.error.binary")
        return text, encoding
    if candidates[-1][0] == "cp1252" and sum(data.count(bytes([b])) for b in CP1252_UNDEFINED) <= MAX_STRAY_BYTES:
        return data.decode("cp1252", errors="replace"), "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or "\x00" in str(best):
        raise UnreadableFile("ingest.error.encoding")
    return str(best), best.encoding


def _bounded(rows: Iterable[tuple[int, Sequence[object]]]) -> Iterator[RawRow]:
    """Rows checked against the limits as they stream: lines, columns, characters in a cell."""
    for line, values in rows:
        if line > MAX_LINES:
            raise UnreadableFile("ingest.error.too_many_lines", limit=MAX_LINES)
        if len(values) > MAX_COLUMNS:
            if any(cell_text(v).strip() for v in values[MAX_COLUMNS:]):
                raise UnreadableFile("ingest.error.too_many_columns", line=line, limit=MAX_COLUMNS)
            values = values[:MAX_COLUMNS]
        if [v for v in values if isinstance(v, str) and len(v) > MAX_CELL_CHARS]:  # a list: 4 million cells
            k, v = next((k, v) for k, v in enumerate(values) if isinstance(v, str) and len(v) > MAX_CELL_CHARS)
            raise UnreadableFile("ingest.error.cell_too_long", line=line, column=k + 1, length=len(v),
                                 limit=MAX_CELL_CHARS)
        yield RawRow(line, tuple(values))


def _csv_rows(text: str, separator: str) -> Iterator[RawRow]:
    """Rows with the line each one starts on (a quoted cell may span lines), read one at a time."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"', strict=False)

    def numbered() -> Iterator[tuple[int, Sequence[object]]]:
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise UnreadableFile("ingest.error.cell_too_long", line=start, column="?", length="> 131072",
                                     limit=MAX_CELL_CHARS) from exc
            raise UnreadableFile("ingest.error.csv", detail=str(exc)) from exc

    return _bounded(numbered())


def _head(rows: Iterator[RawRow]) -> list[RawRow]:
    """The first rows, up to the last one the header may be on (HEADER_SCAN_ROWS non-blank rows)."""
    head: list[RawRow] = []
    seen = 0
    for row in rows:
        head.append(row)
        if not is_blank(row.values):
            seen += 1
            if seen >= HEADER_SCAN_ROWS:
                break
    return head


def _find_header(rows: Sequence[RawRow], header_score: Callable[[Sequence[str]], int]) -> tuple[int, int]:
    """(index, score) of the best header candidate among the first non-blank rows."""
    best, best_score, seen = -1, 0, 0
    for k, row in enumerate(rows):
        if is_blank(row.values):
            continue
        seen += 1
        if seen > HEADER_SCAN_ROWS:
            break
        score = header_score(row.texts)
        if score > best_score:
            best, best_score = k, score
    return best, best_score


def _split_records(header_row: RawRow, rows: Iterable[RawRow]) -> tuple[list[RawRow], list[tuple[int, str]], int]:
    header = [norm(t) for t in header_row.texts]
    records: list[RawRow] = []
    skipped: list[tuple[int, str]] = []
    blank = 0
    for row in rows:
        if is_blank(row.values):
            blank += 1
        elif is_totals(row.values):
            skipped.append((row.line, "totals"))
        elif _repeats(row.values, header):
            skipped.append((row.line, "header_repeat"))
        else:
            if len(records) >= MAX_RECORDS:
                raise UnreadableFile("ingest.error.too_many_rows", limit=MAX_RECORDS)
            records.append(row)
    return records, skipped, blank


def _repeats(values: Sequence[object], header: list[str]) -> bool:
    """Whether a row repeats the header: its first cells normalised one by one, up to the first that differs."""
    if len(values) < len(header):
        return False
    return all(norm(cell_text(v)) == h for v, h in zip(values, header, strict=False))


def _read_csv(text: str, encoding: str, header_score: Callable[[Sequence[str]], int]) -> RawTable:
    best: tuple[int, int, str, list[RawRow], Iterator[RawRow]] | None = None
    failed: UnreadableFile | None = None
    for sep in SEPARATORS:
        if sep not in text:
            continue
        rows = _csv_rows(text, sep)
        try:
            head = _head(rows)
        except UnreadableFile as exc:  # this separator reads nonsense (or the file breaks a limit)
            failed = failed or exc
            continue
        at, score = _find_header(head, header_score)
        if at >= 0 and (best is None or score > best[1]):
            best = (at, score, sep, head, rows)
    if best is None or best[1] < MIN_HEADER_FIELDS:
        if failed is not None:
            raise failed
        raise UnreadableFile("ingest.error.no_header", minimum=MIN_HEADER_FIELDS)
    at, _, sep, head, rest = best
    records, skipped, blank = _split_records(head[at], itertools.chain(head[at + 1:], rest))
    return RawTable(kind="csv", header=head[at].texts, header_line=head[at].line, rows=records,
                    encoding=encoding, separator=sep, skipped=skipped, blank_lines=blank)


_MERGE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([^\"]*)\"")
_CHUNK = 2**20


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of each merged range of a sheet, found in its XML as a stream.

    A scan of the bytes for <mergeCell ref="..."> (a megabyte at a time), not an XML parse: parsing
    60 MB of cells to find a few ranges took seconds and built every element (issue 25).
    """
    from openpyxl.utils.cell import range_boundaries

    ranges: list[tuple[int, int, int, int]] = []
    tail = b""
    with archive.open(path) as fh:
        while chunk := fh.read(_CHUNK):
            text = tail + chunk
            cut = max(text.rfind(b"<"), 0)  # the last element may be cut by the chunk: read it whole next time
            for match in _MERGE_CELL.finditer(text, 0, cut):
                min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode("utf-8", "replace"))
                ranges.append((min_row, min_col, max_row, max_col))  # type: ignore[arg-type]
                if len(ranges) > MAX_MERGED_RANGES:
                    raise UnreadableFile("ingest.error.too_many_merged", limit=MAX_MERGED_RANGES)
            tail = text[cut:]
    for match in _MERGE_CELL.finditer(tail):
        min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode("utf-8", "replace"))
        ranges.append((min_row, min_col, max_row, max_col))  # type: ignore[arg-type]
    if len(ranges) > MAX_MERGED_RANGES:
        raise UnreadableFile("ingest.error.too_many_merged", limit=MAX_MERGED_RANGES)
    return ranges


def _sheet_rows(ws: object) -> Iterator[RawRow]:
    """A sheet's rows from A1, streamed, with merged ranges filled by their top-left value (as Excel shows them)."""
    archive = ws.parent._archive  # type: ignore[attr-defined]  # read-only mode keeps the zip open
    merged = sorted(_merged_ranges(archive, ws._worksheet_path))  # type: ignore[attr-defined]
    values_of: dict[tuple[int, int], object] = {}

    def filled() -> Iterator[tuple[int, Sequence[object]]]:
        # as wide as the sheet says it is (as Excel shows it), never wider than the limit allows
        declared = ws.max_column if isinstance(ws.max_column, int) else None  # type: ignore[attr-defined]
        width = min(declared, MAX_COLUMNS + 1) if declared else MAX_COLUMNS + 1
        for line, values in enumerate(_sheet_values(ws, width), start=1):
            if line > MAX_LINES:
                raise UnreadableFile("ingest.error.too_many_lines", limit=MAX_LINES)
            row = list(values)
            for min_row, min_col, max_row, max_col in merged:
                if min_row > line:
                    break
                if line > max_row:
                    continue
                if line == min_row:
                    values_of[(min_row, min_col)] = row[min_col - 1] if min_col <= len(row) else None
                value = values_of.get((min_row, min_col))
                last = min(max_col, width)
                row.extend([None] * (last - len(row)))
                for c in range(min_col, last + 1):
                    row[c - 1] = value
            yield line, row

    return _bounded(filled())


def _sheet_values(ws: object, width: int) -> Iterator[Sequence[object]]:
    """`ws.iter_rows(values_only=True)` from row 1, read by `sheet_xml` (one tenth of the time) where it can.

    Where `sheet_xml` meets a shape it leaves to openpyxl, openpyxl reads the sheet and its rows
    continue after those already given (they are the same rows: `sheet_xml` gives only openpyxl's answers).
    """
    from kafo_data.ingest.sheet_xml import NotPlain, sheet_rows

    wb = ws.parent  # type: ignore[attr-defined]
    given = 0
    try:
        for values in sheet_rows(wb._archive, ws._worksheet_path, ws._shared_strings, width=width,  # type: ignore[attr-defined]
                                 max_row=ws.max_row, date_formats=wb._date_formats,  # type: ignore[attr-defined]
                                 timedelta_formats=wb._timedelta_formats, epoch=wb.epoch):
            given += 1
            yield values
        return
    except NotPlain:
        pass
    rows = ws.iter_rows(min_row=1, min_col=1, max_col=width, values_only=True)  # type: ignore[attr-defined]
    yield from itertools.islice(rows, given, None)


def _load_workbook(data: bytes) -> object:
    """openpyxl's `load_workbook(read_only=True, data_only=True)`, its shared strings read by `sheet_xml`."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    from kafo_data.ingest.sheet_xml import NotPlain, shared_strings

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            found = self.package.find(SHARED_STRINGS)
            try:
                if found is not None:
                    self.shared_strings = shared_strings(self.archive, found.PartName[1:])
            except NotPlain:
                super().read_strings()

    reader = Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _check_zip(data: bytes) -> None:
    """A workbook that unpacks to more than MAX_XLSX_UNPACKED is refused before any XML is parsed.

    The sizes are those the zip declares: Python's zip reader never unpacks an entry past its
    declared size (it stops with a checksum error), so a lying header cannot get round the cap.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if "xl/workbook.xml" not in {i.filename for i in infos}:
                raise UnreadableFile("ingest.error.not_xlsx")
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("ingest.error.bad_xlsx", detail=str(exc)) from exc
    if len(infos) > MAX_XLSX_ENTRIES:  # its own reason: 1,001 tiny parts unpack to next to nothing
        raise UnreadableFile("cellkey.ingest.xlsx_too_many_parts", parts=f"{len(infos):,}",
                             limit=f"{MAX_XLSX_ENTRIES:,}")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_XLSX_UNPACKED:
        raise UnreadableFile("ingest.error.xlsx_too_large", size=_mb(unpacked), limit=_mb(MAX_XLSX_UNPACKED))


_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref=\"([^\"]*)\"")
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData\b")


def _get_size(ws: object) -> None:
    """openpyxl's read-only sheet width, from the <dimension> before <sheetData> only.

    openpyxl parses the whole sheet looking for it when a workbook has none (60 MB of XML: seconds);
    the element is only ever written before the cells, so the bytes up to <sheetData> are read.
    """
    from openpyxl.utils.cell import range_boundaries

    head = b""
    with ws._get_source() as fh:  # type: ignore[attr-defined]
        while len(head) < 4 * _CHUNK and not _SHEET_DATA.search(head):
            chunk = fh.read(64 * 1024)
            if not chunk:
                break
            head += chunk
    end = _SHEET_DATA.search(head)
    found = _DIMENSION.search(head, 0, end.start() if end else len(head))
    if found:
        try:
            bounds = range_boundaries(found.group(1).decode("utf-8", "replace"))
        except ValueError:
            return
        # the declared last row is not kept: openpyxl stops there, and a writer that declares too few rows
        # (A1:O6 over 16) had the rows after it left out without a word; the sheet's rows end it instead
        ws._min_column, ws._min_row, ws._max_column = bounds[:3]  # type: ignore[attr-defined]


def _read_xlsx(data: bytes, header_score: Callable[[Sequence[str]], int], sheet: str | None) -> RawTable:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _get_size  # type: ignore[method-assign]  # see _get_size
    _check_zip(data)
    try:
        wb = _load_workbook(data)
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors for a damaged workbook
        raise UnreadableFile("ingest.error.bad_xlsx", detail=str(exc).splitlines()[0] if str(exc) else "") from exc
    try:
        return _read_sheets(wb, header_score, sheet)
    except UnreadableFile:
        raise
    except Exception as exc:  # a damaged sheet found while streaming it
        raise UnreadableFile("ingest.error.bad_xlsx", detail=str(exc).splitlines()[0] if str(exc) else "") from exc
    finally:
        wb.close()


def _read_sheets(wb: object, header_score: Callable[[Sequence[str]], int], sheet: str | None) -> RawTable:
    sheets = list(wb.worksheets)  # type: ignore[attr-defined]
    names = [ws.title for ws in sheets]
    if sheet is not None and sheet not in names:
        raise UnreadableFile("ingest.error.no_sheet", sheet=sheet, sheets=", ".join(names))
    chosen: tuple[str, RawRow, Iterable[RawRow]] | None = None
    others: list[str] = []
    for ws in sheets:
        if (sheet is not None and ws.title != sheet) or (sheet is None and ws.sheet_state != "visible"):
            continue
        rows = _sheet_rows(ws)
        head = _head(rows)
        at, score = _find_header(head, header_score)
        if score < MIN_HEADER_FIELDS:
            continue
        if chosen is not None:  # another sheet with a table: named, not read
            others.append(ws.title)
            continue
        # read the chosen sheet whole now: the workbook streams one sheet at a time
        records, skipped, blank = _split_records(head[at], itertools.chain(head[at + 1:], rows))
        chosen = (ws.title, head[at], records)
        table = RawTable(kind="xlsx", header=head[at].texts, header_line=head[at].line, rows=records,
                         sheet=ws.title, skipped=skipped, blank_lines=blank)
    if chosen is None:
        raise UnreadableFile("ingest.error.no_header", minimum=MIN_HEADER_FIELDS)
    table.other_sheets = others
    return table

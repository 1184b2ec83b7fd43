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
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

HEADER_SCAN_ROWS = 30
MIN_HEADER_FIELDS = 3
SEPARATORS: tuple[str, ...] = (";", "\t", ",", "|")
SEPARATOR_NAMES = {";": "semicolon", "\t": "tab", ",": "comma", "|": "pipe"}

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ʼ": "'"})
_TOTALS = re.compile(r"^(grand |sous |sub )?(total|totaux|totals|subtotal)\b")


def norm(text: object) -> str:
    """Text as compared by every mapping: accents stripped, case folded, punctuation as spaces.

    "N° saisie" -> "n saisie"; "Bâtons  de DYNAMITE" -> "batons de dynamite"; "7,62x39" keeps its
    decimal comma (a separator between digits is part of a number). `€` and `$` are kept, being
    units on their own.
    """
    s = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"(?<!\d)[.,]|[.,](?!\d)", " ", s)
    s = re.sub(r"[^\w.,€$]+|_", " ", s)
    return " ".join(s.split())


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
        return tuple(cell_text(v) for v in self.values)


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


def read_report(filename: str, data: bytes, header_score: Callable[[Sequence[str]], int],
                sheet: str | None = None) -> RawTable:
    """The table in one report file, CSV or .xlsx, found by its header row.

    Raises UnreadableFile when the bytes are not a spreadsheet or no header row is found.
    """
    if not data or not data.strip():
        raise UnreadableFile("ingest.error.empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, header_score, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("ingest.error.xls")
    if data.startswith(b"%PDF"):
        raise UnreadableFile("ingest.error.pdf")
    text, encoding = decode(data)
    return _read_csv(text, encoding, header_score)


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 with byte-order mark, UTF-16 with one, UTF-8, then Windows-1252, then a detector's guess.

    French Excel saves "CSV (séparateur: point-virgule)" in Windows-1252, and "CSV UTF-8" with a
    byte-order mark. A file that is valid UTF-8 is read as UTF-8: Windows-1252 text with accents
    is almost never valid UTF-8, so the order does not misread either.
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
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or "\x00" in str(best):
        raise UnreadableFile("ingest.error.encoding")
    return str(best), best.encoding


def _csv_rows(text: str, separator: str) -> list[RawRow]:
    """Rows with the line each one starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"', strict=False)
    rows: list[RawRow] = []
    start = 1
    try:
        for cells in reader:
            rows.append(RawRow(start, tuple(cells)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile("ingest.error.csv", detail=str(exc)) from exc
    return rows


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


def _split_records(rows: Sequence[RawRow], header_at: int) -> tuple[list[RawRow], list[tuple[int, str]], int]:
    header = [norm(t) for t in rows[header_at].texts]
    records: list[RawRow] = []
    skipped: list[tuple[int, str]] = []
    blank = 0
    for row in rows[header_at + 1:]:
        if is_blank(row.values):
            blank += 1
        elif is_totals(row.values):
            skipped.append((row.line, "totals"))
        elif [norm(t) for t in row.texts][: len(header)] == header:
            skipped.append((row.line, "header_repeat"))
        else:
            records.append(row)
    return records, skipped, blank


def _read_csv(text: str, encoding: str, header_score: Callable[[Sequence[str]], int]) -> RawTable:
    best: tuple[int, int, str, list[RawRow]] | None = None
    for sep in SEPARATORS:
        if sep not in text:
            continue
        rows = _csv_rows(text, sep)
        at, score = _find_header(rows, header_score)
        if at >= 0 and (best is None or score > best[1]):
            best = (at, score, sep, rows)
    if best is None or best[1] < MIN_HEADER_FIELDS:
        raise UnreadableFile("ingest.error.no_header", minimum=MIN_HEADER_FIELDS)
    at, _, sep, rows = best
    records, skipped, blank = _split_records(rows, at)
    return RawTable(kind="csv", header=rows[at].texts, header_line=rows[at].line, rows=records,
                    encoding=encoding, separator=sep, skipped=skipped, blank_lines=blank)


def _sheet_rows(ws: object) -> list[RawRow]:
    """A sheet's rows from A1, with merged ranges filled by their top-left value (as Excel shows them)."""
    grid = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]  # type: ignore[attr-defined]
    for merged in ws.merged_cells.ranges:  # type: ignore[attr-defined]
        value = ws.cell(merged.min_row, merged.min_col).value  # type: ignore[attr-defined]
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            row = grid[r - 1]
            row.extend([None] * (merged.max_col - len(row)))
            for c in range(merged.min_col, merged.max_col + 1):
                row[c - 1] = value
    return [RawRow(k, tuple(values)) for k, values in enumerate(grid, start=1)]


def _read_xlsx(data: bytes, header_score: Callable[[Sequence[str]], int], sheet: str | None) -> RawTable:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "xl/workbook.xml" not in z.namelist():
                raise UnreadableFile("ingest.error.not_xlsx")
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors for a damaged workbook
        raise UnreadableFile("ingest.error.bad_xlsx", detail=str(exc).splitlines()[0] if str(exc) else "") from exc
    names = [ws.title for ws in wb.worksheets]
    if sheet is not None and sheet not in names:
        raise UnreadableFile("ingest.error.no_sheet", sheet=sheet, sheets=", ".join(names))
    found: list[tuple[str, list[RawRow], int]] = []
    for ws in wb.worksheets:
        if (sheet is not None and ws.title != sheet) or (sheet is None and ws.sheet_state != "visible"):
            continue
        rows = _sheet_rows(ws)
        at, score = _find_header(rows, header_score)
        if score >= MIN_HEADER_FIELDS:
            found.append((ws.title, rows, at))
    if not found:
        raise UnreadableFile("ingest.error.no_header", minimum=MIN_HEADER_FIELDS)
    title, rows, at = found[0]
    records, skipped, blank = _split_records(rows, at)
    return RawTable(kind="xlsx", header=rows[at].texts, header_line=rows[at].line, rows=records, sheet=title,
                    skipped=skipped, blank_lines=blank, other_sheets=[name for name, _, _ in found[1:]])

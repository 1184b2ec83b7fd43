"""Load a national seizure report: read, map, check every row, then store the good ones as a batch.

The same engine serves `python -m kafo_data ingest` and the upload page: `plan()` reads and
checks a file and writes nothing; `commit()` stores what the plan accepted. Decisions, so a
reviewer can hold the code to them:

- Vocabulary comes from the text files in `data/mapping/` (see its README), compared after
  `ingest_read.norm` (accents, case, punctuation, spaces). An item name is matched exactly, or
  as a known name followed only by a calibre ("PA 9 mm", "fusil de chasse calibre 12"); the
  longest known name wins ("cartouches de tabac" before "cartouches"). Anything else is a
  rejected row that says so, never a guess.
- Seizure ids: `"<batch id>:<reported id>"` when the file has a seizure number column,
  `"<batch id>#L<line>"` (line of the seizure's first row) when it does not. Batch ids contain
  neither ":" nor "#", so the reported id can always be read back, and ids are unique across
  batches. The stored `source` is `"<file name> [<batch id>]"`.
- Lines of one seizure (same reported id, or a following line whose event cells are all empty)
  must agree on the event's fields (operation, date, country, place, service, arrests...);
  an empty cell takes the seizure's value. If any line of a seizure is rejected, all its lines
  are: an event is stored whole or not at all, so a corrected re-upload cannot store the same
  event (and its arrests) twice.
- A row is a duplicate when its operation, date, country, locality, item type, quantity, unit
  and reported seizure id equal those of a row already stored in a report batch (sample rows
  are not compared), or when all its cells repeat an earlier row of the same file.
- A file whose SHA-256 equals a stored batch's is not loaded again: every row read is
  rejected as "already loaded as batch X", nothing is written, not even a rejected file.
- Counts: N read = A accepted + R rejected, where N counts the rows after the header that are
  neither blank nor a totals row (see `ingest_read`). Exit codes: 0 all accepted, 1 some
  rejected (accepted ones stored unless strict), 2 the file could not be read.
- Warnings (date outside the operation's dates, country not in the operation, coordinates
  outside the country, service not given) never reject a row; they are shown and kept in
  `batch.json`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from kafo_data import fmt
from kafo_data.config import batches_dir, rejected_dir, tmp_dir
from kafo_data.contract import seizures as contract
from kafo_data.i18n import LANGS, label, t
from kafo_data.ingest.read import (
    MAX_FILE_BYTES,
    SEPARATOR_NAMES,
    RawTable,
    UnreadableFile,
    norm,
    read_report,
)
from kafo_data.ingest.vocabulary import (
    COUNT_UNITS,
    MappingError,
    Mappings,
    OutOfRange,
    parse_date,
    parse_number,
)
from kafo_data.store.batches import (
    TEST_PAUSE_ENV,
    command_line_user,
    record_table,
    sort_records,
    store_lock,
    write_file_whole,
    write_record_batch,
)

__all__ = ["TEST_PAUSE_ENV", "IngestPlan", "ReportError", "commit", "plan"]
# A date before 1 January of the operation's first year, or this many days after its end, is rejected
# (a typing error: a wrong year); a date between those and outside the operation's days is a warning.
LATE_DAYS = 365
_EXPONENT = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
# record field -> report column field, for the event fields every line of a seizure repeats
EVENT_FIELDS: dict[str, str] = {
    "operation_id": "operation", "seizure_date": "date", "country_iso3": "country", "admin1": "admin1",
    "locality": "locality", "latitude": "latitude", "longitude": "longitude", "agency": "agency",
    "arrests": "arrests", "criminal_context": "criminal_context",
}
WHOLE_UNITS: frozenset[str] = frozenset({*COUNT_UNITS, "boxes", "cartons"})
MAX_REPORT_LINES = 40
_BATCH_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}(-\d+)?$")


# ---------------------------------------------------------------- messages


@dataclass(frozen=True)
class Labels:
    """Vocabulary ids shown with their labels in the reader's language."""

    vocab: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Number:
    """A number in a message written as the reader's language writes it (50,000; 50 000)."""

    value: float


@dataclass(frozen=True)
class Message:
    """A reason or warning as a catalogue key and values, so it can be shown in either language."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str) -> str:
        return t(self.key, lang, **{k: _render(v, lang) for k, v in self.values})

    def markdown(self, lang: str) -> str:
        """The text for a place Streamlit reads as Markdown: every value from the file as plain text."""
        return t(self.key, lang, **{k: _render(v, lang, markdown=True) for k, v in self.values})


def _render(value: object, lang: str, markdown: bool = False) -> str:
    if isinstance(value, Labels):
        return ", ".join(label(value.vocab, v, lang) for v in value.ids)
    if isinstance(value, Number):
        return fmt.number(value.value, lang)
    if isinstance(value, dt.date):
        return fmt.date(value, lang)
    if isinstance(value, Message):
        return value.markdown(lang) if markdown else value.text(lang)
    if isinstance(value, tuple):
        return ", ".join(_render(v, lang, markdown) for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return fmt.literal(value) if markdown else str(value)


def msg(key: str, **values: object) -> Message:
    return Message(key, tuple(values.items()))


class ReportError(Exception):
    """The file cannot be loaded at all (exit code 2); the message says why in either language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message

    def text(self, lang: str) -> str:
        return self.message.text(lang)

    def markdown(self, lang: str) -> str:
        return self.message.markdown(lang)


class _Bad(Exception):
    """A cell that cannot be read; becomes a reason on its row, naming the column and value."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


# ---------------------------------------------------------------- rows and plan


@dataclass
class Row:
    """One record row: its cells as received, what they mean, and why it cannot be stored."""

    line: int
    cells: tuple[str, ...]
    ref: str | None = None
    event: dict[str, object] = field(default_factory=dict)
    item: dict[str, object] = field(default_factory=dict)
    problems: list[Message] = field(default_factory=list)
    verdict: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    group: str = ""

    @property
    def reasons(self) -> list[Message]:
        if self.verdict[:1] and self.verdict[0].key == "ingest.reason.file_already_loaded":
            return self.verdict
        return self.problems + self.verdict


@dataclass
class IngestPlan:
    """What loading one file would do: rows read, accepted and rejected with reasons, warnings.

    Made by `plan()`, which writes nothing; `commit()` stores it. `lang` is the language of the
    file's headers, used for the reasons in the rejected-rows file.
    """

    filename: str
    checksum: str
    size: int
    kind: str
    encoding: str | None
    separator: str | None
    sheet: str | None
    header_line: int
    header: tuple[str, ...]
    lang: str
    columns: dict[str, str]
    unused_columns: list[str]
    skipped: list[tuple[int, str]]
    blank_lines: int
    other_sheets: list[str]
    file_warnings: list[Message]
    rows: list[Row]
    duplicate_of: str | None = None
    duplicate_loaded_at: str | None = None

    @property
    def read(self) -> int:
        return len(self.rows)

    @property
    def accepted(self) -> list[Row]:
        return [r for r in self.rows if not r.reasons]

    @property
    def rejected(self) -> list[Row]:
        return [r for r in self.rows if r.reasons]

    def warnings(self) -> list[tuple[int | None, Message]]:
        """File-level warnings (line None), then row warnings of the accepted rows."""
        out: list[tuple[int | None, Message]] = [(None, w) for w in self.file_warnings]
        out += [(r.line, w) for r in self.accepted for w in r.warnings]
        return out

    def summary(self, lang: str = "en") -> str:
        """The one line `N read, A accepted, R rejected`."""
        return t("ingest.report.summary", lang, read=self.read, accepted=len(self.accepted),
                 rejected=len(self.rejected))

    def rejected_rows(self, lang: str | None = None) -> list[dict[str, str]]:
        """Rejected rows for a table on screen: line, reason, then the cells as received."""
        lang = lang or self.lang
        out = []
        for r in self.rejected:
            row = {"line": str(r.line), "reason": "; ".join(m.text(lang) for m in r.reasons)}
            row.update({_column_name(self.header, k): c for k, c in enumerate(r.cells)})
            out.append(row)
        return out

    def accepted_rows(self) -> list[dict[str, object]]:
        """Accepted rows as they will be stored (without the seizure id, made at commit)."""
        return [{"line": r.line, "seizure_ref": r.ref, **r.event, **r.item} for r in self.accepted]

    def rejected_csv(self) -> bytes:
        """The rejected rows as CSV: `line`, the original columns and cells, `reason` (file's language).

        UTF-8 with a byte-order mark and the file's own separator, so Excel opens it and the
        corrected file can be loaded again as it is. Cells are as received, except that a text
        that could start a formula gets a leading ' (`export.writers.neutralise`, the rule of every
        file the dashboard writes): a report cell never becomes a live formula on a manager's machine.
        """
        from kafo_data.export.writers import neutralise  # the one formula rule (imported only to write)

        width = max([len(self.header), *(len(r.cells) for r in self.rejected)])
        header = [*self.header, *[""] * (width - len(self.header))]
        sep = self.separator if self.separator in {";", ",", "\t"} else (";" if self.lang == "fr" else ",")
        out = io.StringIO()
        writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
        writer.writerow(["line", *(neutralise(h) for h in header), "reason"])
        for r in self.rejected:
            cells = [*r.cells, *[""] * (width - len(r.cells))]
            writer.writerow([r.line, *(neutralise(c) for c in cells),
                             neutralise("; ".join(m.text(self.lang) for m in r.reasons))])
        return out.getvalue().encode("utf-8-sig")

    def describe(self, lang: str) -> str:
        """How the file was read: format, encoding, separator, sheet, header line and language."""
        if self.kind == "xlsx":
            return t("ingest.report.read_xlsx", lang, sheet=self.sheet, line=self.header_line,
                     header_lang=t(f"ingest.lang.{self.lang}", lang))
        return t("ingest.report.read_csv", lang, encoding=self.encoding,
                 separator=t(f"ingest.separator.{SEPARATOR_NAMES[self.separator or ';']}", lang),
                 line=self.header_line, header_lang=t(f"ingest.lang.{self.lang}", lang))

    def report_lines(self, lang: str, limit: int = MAX_REPORT_LINES) -> list[str]:
        """The validation report, one line per finding, for the terminal and the upload page."""
        lines = [self.describe(lang)]
        if self.unused_columns:
            lines.append(t("ingest.report.unused_columns", lang, columns=", ".join(self.unused_columns)))
        for line, kind in self.skipped:
            lines.append(t("ingest.report.skipped", lang, line=line, what=t(f"ingest.skip.{kind}", lang)))
        if self.blank_lines:
            lines.append(t("ingest.report.blank_lines", lang, count=self.blank_lines))
        findings = [t("ingest.report.rejected_line", lang, line=r.line,
                      reason="; ".join(m.text(lang) for m in r.reasons)) for r in self.rejected]
        findings += [t("ingest.report.warning_line", lang, line=line, warning=w.text(lang)) if line is not None
                     else t("ingest.report.warning_file", lang, warning=w.text(lang)) for line, w in self.warnings()]
        if self.duplicate_of:
            findings = [t("ingest.report.already_loaded", lang, batch=self.duplicate_of,
                          when=self.duplicate_loaded_at or "?")]
        lines += findings[:limit]
        if len(findings) > limit:
            lines.append(t("ingest.report.more", lang, count=len(findings) - limit))
        return lines


def _column_name(header: Sequence[str], k: int) -> str:
    return header[k] if k < len(header) and header[k] else f"#{k + 1}"


@dataclass(frozen=True)
class CommitResult:
    """What `commit()` did: the batch written (if any), the rejected-rows file, final counts."""

    plan: IngestPlan
    batch_id: str | None
    batch_path: Path | None
    rejected_path: Path | None
    events: int
    strict_blocked: bool

    @property
    def stored(self) -> int:
        return len(self.plan.accepted) if self.batch_id else 0

    @property
    def exit_code(self) -> int:
        return 1 if self.plan.rejected else 0


def plan(root: Path, filename: str, data: bytes, lang_hint: str | None = None, *,
         operation: str | None = None, country: str | None = None, sheet: str | None = None) -> IngestPlan:
    """Read and check one report; nothing is written.

    `operation` and `country` fill rows whose cell is empty or whose file has no such column
    (ids or names, checked like a cell). Raises ReportError when the file cannot be read at all,
    MappingError when a mapping file is broken.
    """
    root = Path(root)
    mappings = Mappings.load(root)
    defaults: dict[str, object] = {}
    if operation:
        defaults["operation_id"] = mappings.operation(operation)
        if defaults["operation_id"] is None:
            raise ReportError(msg("ingest.error.unknown_default_operation", value=operation))
    if country:
        defaults["country_iso3"] = mappings.countries.get(norm(country))
        if defaults["country_iso3"] is None:
            raise ReportError(msg("ingest.error.unknown_default_country", value=country))
    try:
        table = read_report(filename, data, mappings.header_score, sheet=sheet)
    except UnreadableFile as exc:
        raise ReportError(msg(exc.key, **{k: Number(v) if isinstance(v, int) and k in {"limit", "length", "count"}
                                          else v for k, v in exc.values.items()})) from exc
    columns, unused, votes = _map_columns(table, mappings)
    lang = _language(votes, lang_hint, table.separator)
    missing = [f for f in ("item", "quantity", "date", "operation", "country")
               if f not in columns and not (f == "operation" and operation) and not (f == "country" and country)]
    if missing:
        raise ReportError(msg("ingest.error.missing_column", field=msg(f"ingest.field.{missing[0]}"),
                              examples=_examples(mappings, missing[0])))
    file_warnings = []
    if "agency" not in columns:
        file_warnings.append(msg("ingest.warn.no_agency_column"))
    if table.other_sheets:
        file_warnings.append(msg("ingest.warn.other_sheets", sheets=", ".join(table.other_sheets)))
    for key, values in table.notes:
        file_warnings.append(msg(key, **values))
    header_of = {f: table.header[k].strip() for f, k in columns.items()}
    width = len(table.header)
    rows = [_parse_row(raw.line, raw.values, raw.texts, width, columns, header_of, mappings, lang)
            for raw in table.rows]
    _group(rows, columns)
    _fill_events(rows, columns, header_of, defaults, mappings)
    result = IngestPlan(
        filename=Path(filename).name, checksum=hashlib.sha256(data).hexdigest(), size=len(data), kind=table.kind,
        encoding=table.encoding, separator=table.separator, sheet=table.sheet, header_line=table.header_line,
        header=table.header, lang=lang, columns={table.header[k]: f for f, k in columns.items()},
        unused_columns=unused, skipped=table.skipped, blank_lines=table.blank_lines,
        other_sheets=table.other_sheets, file_warnings=file_warnings, rows=rows,
    )
    _decide(result, _stored_keys(root, result))
    return result


def _examples(mappings: Mappings, field_name: str) -> str:
    return ", ".join(f"“{n}”" for n in mappings.header_names.get(field_name, [])[:4])


def _map_columns(table: RawTable, mappings: Mappings) -> tuple[dict[str, int], list[str], dict[str, int]]:
    columns: dict[str, int] = {}
    unused: list[str] = []
    votes = {lang: 0 for lang in LANGS}
    for k, text in enumerate(table.header):
        name, langs = mappings.header_field(text)
        if name is None or name in columns or name == "notes":
            if text.strip():
                unused.append(text.strip())
            continue
        columns[name] = k
        if len(langs) == 1:
            votes[next(iter(langs))] += 1
    return columns, unused, votes


def _language(votes: dict[str, int], hint: str | None, separator: str | None) -> str:
    if votes["fr"] != votes["en"]:
        return "fr" if votes["fr"] > votes["en"] else "en"
    if hint in LANGS:
        return hint  # type: ignore[return-value]
    return "fr" if separator == ";" else "en"


def _parse_row(line: int, values: Sequence[object], texts: Sequence[str], width: int, columns: dict[str, int],
               header_of: dict[str, str], mappings: Mappings, lang: str) -> Row:
    """Parse the cells of one row; each bad cell adds a reason naming its column and value."""
    row = Row(line=line, cells=tuple(texts))
    if any(c.strip() for c in texts[width:]):
        row.problems.append(msg("ingest.reason.extra_cells", count=width))

    def cell(name: str) -> tuple[object, str]:
        k = columns.get(name)
        if k is None or k >= len(values):
            return None, ""
        return values[k], texts[k].strip()

    def bad(key: str, name: str, text: str, **more: object) -> None:
        row.problems.append(msg(key, column=header_of.get(name, name), value=text, **more))

    ref_text = cell("seizure_ref")[1]
    for name in ("seizure_ref", "calibre", "make"):
        if len(cell(name)[1]) > contract.MAX_TEXT:
            row.problems.append(msg("ingest.reason.text_too_long", column=header_of.get(name, name),
                                    length=Number(len(cell(name)[1])), limit=Number(contract.MAX_TEXT)))
    row.ref = ref_text or None
    for record_field, name in EVENT_FIELDS.items():
        value, text = cell(name)
        row.event[record_field] = None
        if not text:
            continue
        try:
            row.event[record_field] = _event_value(record_field, value, text, mappings, lang)
        except _Bad as exc:
            row.problems.append(_with_column(exc.message, header_of.get(name, name), text))
    _parse_item(row, cell, bad, mappings, lang)
    return row


def _with_column(message: Message, column: str, text: str) -> Message:
    if message.key == "ingest.reason.text_too_long":  # a very long cell is named by its length, not repeated
        return Message(message.key, (("column", column), *message.values))
    return Message(message.key, (("column", column), ("value", text), *message.values))


def _event_value(record_field: str, value: object, text: str, mappings: Mappings, lang: str) -> object:
    if record_field == "operation_id":
        found = mappings.operation(text)
        if found is None:
            raise _Bad(msg("ingest.reason.operation_unknown", known=", ".join(sorted(mappings.op_dates))))
        return found
    if record_field == "seizure_date":
        try:
            day = parse_date(value)
        except ValueError as exc:
            key = "ingest.reason.date_month_first" if str(exc) == "month_first" else "ingest.reason.date_invalid"
            raise _Bad(msg(key)) from exc
        if day > dt.date.today():
            raise _Bad(msg("ingest.reason.date_future"))
        return day
    if record_field == "country_iso3":
        found = mappings.countries.get(norm(text))
        if found is None:
            raise _Bad(msg("ingest.reason.country_unknown"))
        return found
    if record_field in {"admin1", "locality"}:
        if len(text) > contract.MAX_TEXT:
            raise _Bad(msg("ingest.reason.text_too_long", length=Number(len(text)), limit=Number(contract.MAX_TEXT)))
        return " ".join(text.split())
    if record_field in {"latitude", "longitude"}:
        try:
            number = parse_number(value, lang)
        except ValueError as exc:
            raise _Bad(msg("ingest.reason.coordinate_invalid")) from exc
        limit = 90 if record_field == "latitude" else 180
        if abs(number) > limit:
            raise _Bad(msg("ingest.reason.coordinate_range", limit=limit))
        return number
    if record_field == "agency":
        found = mappings.agencies.get(norm(text))
        if found is None:
            raise _Bad(msg("ingest.reason.agency_unknown"))
        return found
    if record_field == "arrests":
        try:
            number = parse_number(value, lang)
        except OutOfRange as exc:
            raise _Bad(msg("ingest.reason.arrests_too_many", limit=Number(contract.MAX_ARRESTS))) from exc
        except ValueError as exc:
            raise _Bad(msg("ingest.reason.arrests_invalid")) from exc
        if number < 0 or not number.is_integer():
            raise _Bad(msg("ingest.reason.arrests_invalid"))
        if number > contract.MAX_ARRESTS:
            raise _Bad(msg("ingest.reason.arrests_too_many", limit=Number(contract.MAX_ARRESTS)))
        return int(number)
    found = mappings.contexts.get(norm(text))
    if found is None:
        raise _Bad(msg("ingest.reason.context_unknown"))
    return found


def _parse_item(row: Row, cell: Callable[[str], tuple[object, str]], bad: Callable[..., None],
                mappings: Mappings, lang: str) -> None:
    """Item name, category, quantity and unit of one row, checked against the contract."""
    _, item_text = cell("item")
    _, category_text = cell("category")
    quantity_value, quantity_text = cell("quantity")
    _, unit_text = cell("unit")
    _, calibre_text = cell("calibre")
    _, make_text = cell("make")
    row.item = {"category": None, "item_type": None, "quantity": None, "unit": None, "craft_made": None,
                "calibre": calibre_text or None, "make": make_text or None}
    if not item_text:
        bad("ingest.reason.item_empty", "item", "")
        found = None
    else:
        found = mappings.item(item_text)
        if found is None:
            bad("ingest.reason.item_unknown", "item", item_text)
    entry = found[0] if found else None
    if entry:
        row.item.update(category=entry.category, item_type=entry.item_type, craft_made=entry.craft_made)
        row.item["calibre"] = row.item["calibre"] or found[1]  # type: ignore[index]
    if category_text:
        category = mappings.categories.get(norm(category_text))
        if category is None:
            bad("ingest.reason.category_unknown", "category", category_text)
        elif entry and category != entry.category:
            bad("ingest.reason.category_mismatch", "category", category_text, item=item_text,
                category=Labels("category", (entry.category,)))
    unit_from_quantity = None
    if not quantity_text:
        bad("ingest.reason.quantity_empty", "quantity", "")
        quantity = None
    else:
        try:
            quantity = parse_number(quantity_value, lang)
        except OutOfRange:
            quantity = None
            bad("ingest.reason.quantity_implausible", "quantity", _short(quantity_text))
        except ValueError:
            if _EXPONENT.fullmatch(quantity_text.strip()):
                quantity = None
                bad("ingest.reason.quantity_exponent", "quantity", _short(quantity_text))
            else:
                quantity, unit_from_quantity = _number_and_unit(quantity_text, lang)
                if quantity is None:
                    bad("ingest.reason.quantity_invalid", "quantity", _short(quantity_text))
        if quantity is not None and quantity < 0:
            bad("ingest.reason.quantity_negative", "quantity", quantity_text)
            quantity = None
        elif quantity == 0:
            bad("ingest.reason.quantity_zero", "quantity", quantity_text)
            quantity = None
    row.item["quantity"] = quantity
    if entry is None:
        return
    unit_text = unit_text or (unit_from_quantity or "")
    allowed = Labels("unit", contract.units_for(entry.item_type))
    item_label = Labels("item_type", (entry.item_type,))
    if not unit_text:
        unit = entry.default_unit
        if unit is None:
            bad("ingest.reason.unit_needed", "unit", "", item=item_text, allowed=allowed)
    else:
        unit = mappings.unit(unit_text, entry.item_type)
        if unit is None:
            bad("ingest.reason.unit_unknown", "unit", unit_text)
        elif unit not in contract.units_for(entry.item_type):
            bad("ingest.reason.unit_not_allowed", "unit", unit_text, item=item_label, allowed=allowed)
            unit = None
        elif unit_from_quantity and quantity_text and cell("unit")[1] and \
                mappings.unit(unit_from_quantity, entry.item_type) != unit:
            bad("ingest.reason.unit_conflict", "unit", unit_text, quantity=quantity_text)
    row.item["unit"] = unit
    if unit in WHOLE_UNITS and quantity is not None and not float(quantity).is_integer():
        bad("ingest.reason.quantity_not_whole", "quantity", quantity_text, unit=Labels("unit", (unit,)))
    if unit in contract.MAX_QUANTITY and quantity is not None and quantity > contract.MAX_QUANTITY[unit]:
        row.item["quantity"] = None
        bad("ingest.reason.quantity_too_large", "quantity", _short(quantity_text), unit=Labels("unit", (unit,)),
            limit=Number(contract.MAX_QUANTITY[unit]))


def _short(text: str, limit: int = 40) -> str:
    """A cell quoted in a reason: a very long one is cut, with its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)})"


def _number_and_unit(text: str, lang: str) -> tuple[float | None, str | None]:
    """ "5 200 m" or "12kg" in a quantity cell: the number and the unit written after it."""
    m = re.fullmatch(r"(.*?\d)\s*([^\d\s.,].*)", text)
    if not m:
        return None, None
    try:
        return parse_number(m.group(1), lang), m.group(2).strip()
    except ValueError:  # OutOfRange too: a number too large to be a quantity is no quantity
        return None, None


def _group(rows: list[Row], columns: dict[str, int]) -> None:
    """Give each row the seizure it belongs to (see the module docstring for the rule)."""
    event_columns = [EVENT_FIELDS[f] for f in ("operation_id", "seizure_date", "country_iso3", "locality")]
    previous: Row | None = None
    for row in rows:
        if row.ref:
            row.group = f"ref:{row.ref}"
        elif previous is not None and all(_cell_blank(row, columns, c) for c in event_columns):
            row.group = previous.group
            row.ref = previous.ref
        else:
            row.group = f"line:{row.line}"
        previous = row


def _cell_blank(row: Row, columns: dict[str, int], name: str) -> bool:
    k = columns.get(name)
    return k is None or k >= len(row.cells) or not row.cells[k].strip()


def _groups(rows: Sequence[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(row.group, []).append(row)
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return norm(a) == norm(b)
    return a == b


def _fill_events(rows: list[Row], columns: dict[str, int], header_of: dict[str, str],
                 defaults: dict[str, object], mappings: Mappings) -> None:
    """Make the lines of each seizure agree, fill empty event cells, then add event warnings."""
    for group in _groups(rows).values():
        first = group[0]
        for record_field, name in EVENT_FIELDS.items():
            distinct: list[tuple[Row, object]] = []
            for r in group:
                v = r.event[record_field]
                if v is not None and not any(_same(v, d) for _, d in distinct):
                    distinct.append((r, v))
            if len(distinct) > 1:
                k = columns[name]
                detail = tuple(msg("ingest.reason.line_value", line=r.line, value=r.cells[k].strip())
                               for r, _ in distinct)
                for r in group:
                    r.problems.append(msg("ingest.reason.event_conflict", column=header_of[name],
                                          ref=first.ref or first.line, detail=detail))
                continue
            value = distinct[0][1] if distinct else defaults.get(record_field)
            for r in group:
                r.event[record_field] = value
        event = first.event
        fallback = {"arrests": 0, "criminal_context": "unknown", "agency": "other"}
        for record_field, value in fallback.items():
            if event[record_field] is None and not _has_problem(group, header_of.get(EVENT_FIELDS[record_field])):
                for r in group:
                    r.event[record_field] = value
                if record_field == "agency" and "agency" in columns:
                    first.warnings.append(msg("ingest.warn.agency_missing"))
        for record_field in ("operation_id", "seizure_date", "country_iso3"):
            column = header_of.get(EVENT_FIELDS[record_field], EVENT_FIELDS[record_field])
            if event[record_field] is None and not _has_problem(group, column):
                for r in group:
                    r.problems.append(msg("ingest.reason.required_empty", column=column))
        if (event["latitude"] is None) != (event["longitude"] is None) and not _has_problem(
                group, header_of.get("latitude")) and not _has_problem(group, header_of.get("longitude")):
            for r in group:
                r.problems.append(msg("ingest.reason.coordinate_incomplete"))
        far = _date_problem(event, mappings, header_of) if not any(r.problems for r in group) else None
        if far is not None:
            for r in group:
                r.problems.append(far)
        if not any(r.problems for r in group):
            first.warnings += _event_warnings(event, mappings)


def _date_problem(event: dict[str, object], mappings: Mappings, header_of: dict[str, str]) -> Message | None:
    """A date before the operation's year, or long after it ended: a wrong year, rejected."""
    op, day = event["operation_id"], event["seizure_date"]
    if op not in mappings.op_dates or not isinstance(day, dt.date):
        return None
    start, end = mappings.op_dates[op]  # type: ignore[index]
    earliest, latest = dt.date(start.year, 1, 1), end + dt.timedelta(days=LATE_DAYS)
    if earliest <= day <= latest:
        return None
    return msg("ingest.reason.date_far", column=header_of.get("date", "date"), date=day, operation=op,
               earliest=earliest, latest=latest)


def _has_problem(group: Sequence[Row], column: str | None) -> bool:
    """Whether a line of the seizure already has a reason about this column."""
    return column is not None and any(dict(p.values).get("column") == column for r in group for p in r.problems)


def _event_warnings(event: dict[str, object], mappings: Mappings) -> list[Message]:
    out: list[Message] = []
    op, day, iso = event["operation_id"], event["seizure_date"], event["country_iso3"]
    if op in mappings.op_dates and isinstance(day, dt.date):
        start, end = mappings.op_dates[op]  # type: ignore[index]
        if not start <= day <= end:
            out.append(msg("ingest.warn.date_outside", date=day, operation=op, start=start, end=end))
    if op in mappings.op_countries and iso and iso not in mappings.op_countries[op]:  # type: ignore[operator]
        out.append(msg("ingest.warn.country_not_in_operation", country=iso, operation=op))
    lat, lon = event["latitude"], event["longitude"]
    if iso and lat is not None and lon is not None:
        out += _coordinate_warnings(str(iso), float(lat), float(lon))  # type: ignore[arg-type]
    return out


def _coordinate_warnings(iso: str, lat: float, lon: float) -> list[Message]:
    from kafo_data.geo import load_countries, point_in_country

    try:
        geojson = load_countries()
        if point_in_country(geojson, iso, lat, lon):
            return []
        swapped = point_in_country(geojson, iso, lon, lat)
    except (KeyError, OSError, ValueError):
        return []
    key = "ingest.warn.coordinates_swapped" if swapped else "ingest.warn.coordinates_outside"
    return [msg(key, latitude=lat, longitude=lon, country=iso)]


# ---------------------------------------------------------------- duplicates and the verdict

FILE_LOADED = "ingest.reason.file_already_loaded"


@dataclass
class _Stored:
    keys: dict[tuple[object, ...], str]
    checksums: dict[str, tuple[str, str | None]]


def _row_key(operation_id: object, day: object, iso3: object, locality: object, item_type: object,
             quantity: object, unit: object, ref: object) -> tuple[object, ...]:
    """What makes two item lines the same seizure record (see the module docstring)."""
    return (operation_id, day.isoformat() if isinstance(day, dt.date) else day, iso3, norm(locality or ""),
            item_type, round(float(quantity), 9) if quantity is not None else None, unit, norm(ref or ""))


def _key_of(row: Row) -> tuple[object, ...]:
    e, i = row.event, row.item
    return _row_key(e["operation_id"], e["seizure_date"], e["country_iso3"], e["locality"], i["item_type"],
                    i["quantity"], i["unit"], row.ref)


def reported_id(seizure_id: str) -> str:
    """The seizure number as the report wrote it, read back from a stored seizure id ("" if none)."""
    return seizure_id.split(":", 1)[1] if ":" in seizure_id else ""


def _stored_keys(root: Path, p: IngestPlan) -> _Stored:
    """Checksums of the stored batches, and the stored rows that could repeat a row of the plan.

    The search runs in DuckDB over the batch files: only stored item lines whose operation, date
    and country equal an event of the plan, and whose item type and unit equal one of its lines,
    come back to Python, where the exact key (`_row_key`) is compared. Memory and time do not grow
    with everything stored (a batch of 450,000 lines used to be read whole at every plan).
    A batch whose files cannot be read is left out (`db.batch_problem` names why).
    """
    import duckdb

    from kafo_data.store.batches import list_batches
    from kafo_data.store.health import batch_problem

    stored = _Stored({}, {})
    real = []
    for info in list_batches(root):
        if info.sha256:
            stored.checksums[info.sha256] = (info.batch_id, info.loaded_at)
        if not info.is_sample and batch_problem(info.path) is None:
            real.append(info.path)
    candidates = [r for r in p.rows if not r.problems]
    if not real or not candidates:
        return stored
    def distinct(values: list[object]) -> list[object]:
        return sorted({v for v in values if v is not None}, key=str)

    # The plan's values as bound lists: DuckDB skips the row groups of the sorted seizure files that
    # cannot hold them, and reads only the item lines of the matching types before the join.
    params = [
        [str(b / "seizures.parquet") for b in real],
        distinct([r.event["operation_id"] for r in candidates]),
        distinct([r.event["seizure_date"] for r in candidates]),
        distinct([r.event["country_iso3"] for r in candidates]),
        [str(b / "seized_items.parquet") for b in real],
        distinct([r.item["item_type"] for r in candidates]),
        distinct([r.item["unit"] for r in candidates]),
    ]
    con = duckdb.connect(config={"threads": 2, "memory_limit": "512MB"})
    try:
        found = con.execute(
            "WITH s AS (SELECT seizure_id, operation_id, seizure_date, country_iso3, locality, filename "
            "      FROM read_parquet(?, filename = true, union_by_name = true) "
            "      WHERE list_contains(?::VARCHAR[], operation_id) AND list_contains(?::DATE[], seizure_date) "
            "        AND list_contains(?::VARCHAR[], country_iso3)), "
            "i AS (SELECT seizure_id, item_type, quantity, unit FROM read_parquet(?, union_by_name = true) "
            "      WHERE list_contains(?::VARCHAR[], item_type) AND list_contains(?::VARCHAR[], unit)) "
            "SELECT s.filename, s.operation_id, s.seizure_date, s.country_iso3, s.locality, "
            "       i.item_type, i.quantity, i.unit, i.seizure_id FROM i JOIN s USING (seizure_id)",
            params,
        ).fetchall()
    finally:
        con.close()
    for filename, op, day, iso3, locality, item_type, quantity, unit, sid in sorted(found, key=lambda r: r[0]):
        key = _row_key(op, day, iso3, locality, item_type, quantity, unit, reported_id(sid))
        stored.keys.setdefault(key, Path(filename).parent.name)
    return stored


def _decide(p: IngestPlan, stored: _Stored) -> None:
    """Reasons that depend on what is already stored, and the whole-seizure rule; run again at commit."""
    for r in p.rows:
        r.verdict = []
    p.duplicate_of, p.duplicate_loaded_at = None, None
    hit = stored.checksums.get(p.checksum)
    if hit:
        p.duplicate_of, p.duplicate_loaded_at = hit
        for r in p.rows:
            r.verdict = [msg(FILE_LOADED, batch=hit[0])]
        return
    seen: dict[tuple[str, ...], int] = {}
    for r in p.rows:
        cells = tuple(c.strip() for c in r.cells)
        if cells in seen:
            r.verdict.append(msg("ingest.reason.repeats_line", line=seen[cells]))
        else:
            seen[cells] = r.line
        if not r.problems:
            batch = stored.keys.get(_key_of(r))
            if batch:
                r.verdict.append(msg("ingest.reason.duplicate_stored", batch=batch))
    for group in _groups(p.rows).values():
        bad = [r.line for r in group if r.problems or r.verdict]
        if bad:
            for r in group:
                if not r.problems and not r.verdict:
                    r.verdict.append(msg("ingest.reason.seizure_incomplete", lines=", ".join(map(str, bad))))


# ---------------------------------------------------------------- commit


def commit(root: Path, p: IngestPlan, strict: bool = False, loaded_by: str | None = None) -> CommitResult:
    """Store the accepted rows of a plan as one new batch, and the rejected rows as a CSV.

    `loaded_by` (the signed-in manager's e-mail, or who ran the command) goes into `batch.json`.

    Runs under the store's lock and checks duplicates again against what is stored now (the
    upload page may confirm minutes after planning), so the counts in the result are final.
    With `strict`, nothing is stored when any row is rejected. The tables are built before
    anything is written (a value the contract cannot hold writes nothing); the batch is written
    whole by the store's one batch writer.
    """
    root = Path(root)
    with store_lock(root):
        _clean_stale(root)
        _decide(p, _stored_keys(root, p))
        if p.duplicate_of:
            return CommitResult(p, None, None, None, 0, False)
        blocked = strict and bool(p.rejected)
        batch_id = _new_batch_id(root, p) if p.accepted and not blocked else None
        if batch_id is None:
            rejected_path = _write_rejected(root, p, None) if p.rejected else None
            return CommitResult(p, None, None, rejected_path, 0, blocked)
        try:
            seizures, items = _tables(p, batch_id)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise ReportError(msg("ingest.error.cannot_store", detail=str(exc).splitlines()[0])) from exc
        rejected_path = _write_rejected(root, p, batch_id) if p.rejected else None
        meta = {**_batch_meta(root, p, batch_id, rejected_path, seizures.num_rows), "loaded_by": loaded_by}
        path = write_record_batch(root, batch_id, seizures, items, meta)
    return CommitResult(p, batch_id, path, rejected_path, seizures.num_rows, blocked)


def _new_batch_id(root: Path, p: IngestPlan) -> str:
    base = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{p.checksum[:8]}"
    batch_id, n = base, 1
    while (batches_dir(root) / batch_id).exists():
        n += 1
        batch_id = f"{base}-{n}"
    return batch_id


def _tables(p: IngestPlan, batch_id: str) -> tuple[pa.Table, pa.Table]:
    seizures, items = [], []
    source = f"{p.filename} [{batch_id}]"
    for group in _groups(p.accepted).values():
        first = group[0]
        sid = f"{batch_id}:{first.ref}" if first.ref else f"{batch_id}#L{first.line}"
        seizures.append({"seizure_id": sid, **first.event, "source": source, "is_sample": False})
        for n, r in enumerate(group, start=1):
            items.append({"seizure_id": sid, "line_no": n, **r.item})
    return sort_records(record_table("seizures", seizures), record_table("seized_items", items))


def _batch_meta(root: Path, p: IngestPlan, batch_id: str, rejected_path: Path | None, events: int) -> dict:
    """The batch's origin and the load's findings, kept beside its rows."""
    return {
        "batch_id": batch_id, "kind": "report", "is_sample": False, "file": p.filename, "sha256": p.checksum,
        "size": p.size, "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "format": p.kind, "encoding": p.encoding, "separator": p.separator, "sheet": p.sheet,
        "header_line": p.header_line, "header_lang": p.lang, "columns": p.columns,
        "unused_columns": p.unused_columns, "read": p.read, "accepted": len(p.accepted),
        "rejected": len(p.rejected), "rows": len(p.accepted), "events": events,
        "skipped": [{"line": line, "what": what} for line, what in p.skipped], "blank_lines": p.blank_lines,
        "rejected_file": str(rejected_path.relative_to(root).as_posix()) if rejected_path else None,
        "warnings": [{"line": line, **{lang: w.text(lang) for lang in LANGS}} for line, w in p.warnings()],
        "tool": "kafo_data.ingest.seizures",
    }


def _write_rejected(root: Path, p: IngestPlan, batch_id: str | None) -> Path:
    stem = re.sub(r"[^\w.-]+", "_", Path(p.filename).stem)[:60] or "report"
    target = rejected_dir(root) / (f"{batch_id}.csv" if batch_id else f"{stem}-{p.checksum[:8]}.csv")
    return write_file_whole(target, p.rejected_csv(), tmp_dir(root))


def _clean_stale(root: Path) -> None:
    """Remove what a killed load or removal left behind (safe: we hold the store's lock).

    That is a half-built batch in tmp/, and a rejected-rows file named after a batch that was
    never renamed in (the rejected file is written just before its batch).
    """
    stored = {p.name for p in batches_dir(root).iterdir()} if batches_dir(root).is_dir() else set()
    if rejected_dir(root).is_dir():
        for entry in rejected_dir(root).glob("*.csv"):
            if _BATCH_ID.match(entry.stem) and entry.stem not in stored:
                entry.unlink(missing_ok=True)
    folder = tmp_dir(root)
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        name = entry.name
        stem = name.removesuffix(".partial").removesuffix(".removed")
        if stem != name and (_BATCH_ID.match(stem) or stem.endswith(".csv")):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


# ---------------------------------------------------------------- command line


def run_cli(root: Path, args: argparse.Namespace) -> int:
    """Load each file in turn; the exit code is the worst of the files' codes."""
    code = 0
    for name in args.files:
        code = max(code, _cli_one(root, Path(name), args))
    return code


def check_size(size: int) -> None:
    """Refuse a file over the byte cap before reading it (ReportError naming its size and the cap)."""
    if size > MAX_FILE_BYTES:
        raise ReportError(msg("ingest.error.too_large", size=f"{size / 2**20:.1f}",
                              limit=Number(MAX_FILE_BYTES // 2**20)))


def damaged_notices(root: Path, lang: str) -> list[str]:
    """One line per stored batch that cannot be read and is left out (see `store.health`)."""
    from kafo_data.store.batches import list_batches
    from kafo_data.store.health import batch_problem

    out = []
    for info in list_batches(root):
        problem = batch_problem(info.path)
        if problem:
            out.append(t("store.damaged_batch", lang, batch=info.batch_id, reason=problem))
    return out


def _cli_one(root: Path, path: Path, args: argparse.Namespace) -> int:
    lang = args.lang
    for line in damaged_notices(root, lang):
        print(f"warning: {line}", file=sys.stderr)
    try:
        check_size(path.stat().st_size)
        data = path.read_bytes()
    except OSError as exc:
        print(t("ingest.error.cannot_open", lang, file=path, detail=exc.strerror or exc), file=sys.stderr)
        return 2
    except ReportError as exc:
        print(t("ingest.error.unreadable", lang, file=path.name, reason=exc.text(lang)), file=sys.stderr)
        return 2
    try:
        p = plan(root, path.name, data, operation=args.operation, country=args.country, sheet=args.sheet)
    except ReportError as exc:
        print(t("ingest.error.unreadable", lang, file=path.name, reason=exc.text(lang)), file=sys.stderr)
        return 2
    except MappingError as exc:
        print(t("ingest.error.mapping", lang, detail=str(exc)), file=sys.stderr)
        return 2
    if args.dry_run:
        for line in p.report_lines(lang):
            print(line)
        print(t("ingest.report.dry_run", lang))
        print(f"{p.filename}: {p.summary(lang)}")
        return 1 if p.rejected else 0
    try:
        result = commit(root, p, strict=args.strict, loaded_by=command_line_user())
    except ReportError as exc:
        print(t("ingest.error.unreadable", lang, file=path.name, reason=exc.text(lang)), file=sys.stderr)
        return 2
    for line in result.plan.report_lines(lang):
        print(line)
    print(outcome(result, lang))
    print(f"{p.filename}: {p.summary(lang)}")
    return result.exit_code


def outcome(result: CommitResult, lang: str) -> str:
    """What was written, in one sentence, for the terminal and the upload page."""
    p = result.plan
    if p.duplicate_of:
        return t("ingest.report.nothing_added_duplicate", lang, batch=p.duplicate_of)
    parts = []
    if result.batch_id:
        parts.append(t("ingest.report.stored", lang, batch=result.batch_id, rows=result.stored,
                       events=result.events))
    elif result.strict_blocked:
        parts.append(t("ingest.report.strict_nothing_stored", lang))
    else:
        parts.append(t("ingest.report.nothing_stored", lang))
    if result.rejected_path:
        parts.append(t("ingest.report.rejected_file", lang, path=f"rejected/{result.rejected_path.name}"))
    return " ".join(parts)

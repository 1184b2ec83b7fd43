"""Load a national seizure report: read, map, check every row, then store the good ones as a batch.

The same engine serves `python -m kafo_data ingest` and the upload page: `plan()` (here) reads and
checks a file and writes nothing; `ingest.commit.commit()` stores what the plan accepted. The jobs
are split: messages (`ingest.messages`), the cells of one row (`ingest.rows`), the verdict against
what is stored (`ingest.verdict`), the commit (`ingest.commit`), the command line (`cli.ingest`). Decisions, so a
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
  are not compared), or when all its cells repeat an earlier row of the same file
  (`ingest.verdict`, over the store's search `store.stored_rows`).
- A file whose SHA-256 equals a stored batch's is not loaded again: every row read is
  "already loaded as batch X", nothing is written, not even a rejected file.
- Counts: N read = A accepted + D already loaded + R rejected, where N counts the rows after the
  header that are neither blank nor a totals row (see `ingest_read`); a row stored before (the
  same record in a stored batch, or the same file) is "already loaded", apart from the rows
  rejected for a reason to correct. Exit codes: 0 all accepted, 1 some not stored (rejected or
  already loaded; accepted ones stored unless strict, which stops only for rejected rows), 2 the
  file could not be read.
- Warnings (date outside the operation's dates, country not in the operation, coordinates
  outside the country, service not given) never reject a row; they are shown and kept in
  `batch.json`.
"""

import contextlib
import csv
import ctypes
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kafo_data.formulas import neutralise
from kafo_data.i18n import LANGS, t
from kafo_data.ingest.messages import Message, Number, ReportError, msg
from kafo_data.ingest.read import MAX_FILE_BYTES, SEPARATOR_NAMES, RawTable, UnreadableFile, norm, read_report
from kafo_data.ingest.rows import EVENT_FIELDS, Row, group_rows, groups, parse_row
from kafo_data.ingest.verdict import decide, stored_keys
from kafo_data.ingest.vocabulary import Mappings

__all__ = ["IngestPlan", "check_size", "plan"]
# A date before 1 January of the operation's first year, or this many days after its end, is rejected
# (a typing error: a wrong year); a date between those and outside the operation's days is a warning.
LATE_DAYS = 365
MAX_REPORT_LINES = 40


# The reasons that say a row is stored already: counted apart ("already loaded"), not as rejected.
ALREADY_LOADED = frozenset({"ingest.reason.duplicate_stored", "ingest.reason.file_already_loaded"})


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
    def already_loaded(self) -> list[Row]:
        """Rows stored before (the same file, or the same record in a stored batch): not added, not rejected."""
        return [r for r in self.rows if r.reasons and all(m.key in ALREADY_LOADED for m in r.reasons)]

    @property
    def rejected(self) -> list[Row]:
        """Rows refused for a reason a manager can correct (an already-loaded row is not one of them)."""
        return [r for r in self.rows if r.reasons and not all(m.key in ALREADY_LOADED for m in r.reasons)]

    def warnings(self) -> list[tuple[int | None, Message]]:
        """File-level warnings (line None), then row warnings of the accepted rows."""
        out: list[tuple[int | None, Message]] = [(None, w) for w in self.file_warnings]
        out += [(r.line, w) for r in self.accepted for w in r.warnings]
        return out

    def summary(self, lang: str = "en") -> str:
        """The one line `N read, A accepted, D already loaded, R rejected` (N = A + D + R)."""
        return t("ingest.report.summary", lang, read=self.read, accepted=len(self.accepted),
                 already=len(self.already_loaded), rejected=len(self.rejected))

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
        that could start a formula gets a leading ' (`kafo_data.formulas`, the rule of every
        file the dashboard writes): a report cell never becomes a live formula on a manager's machine.
        """
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
        if self.already_loaded and not self.duplicate_of:
            batches = sorted({v for r in self.already_loaded for m in r.reasons for k, v in m.values if k == "batch"})
            findings.insert(0, t("links.report.already_loaded_rows", lang, count=len(self.already_loaded),
                                 batches=", ".join(map(str, batches))))
        if self.duplicate_of:
            findings = [t("ingest.report.already_loaded", lang, batch=self.duplicate_of,
                          when=self.duplicate_loaded_at or "?")]
        lines += findings[:limit]
        if len(findings) > limit:
            lines.append(t("ingest.report.more", lang, count=len(findings) - limit))
        return lines


def _column_name(header: Sequence[str], k: int) -> str:
    return header[k] if k < len(header) and header[k] else f"#{k + 1}"


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
            raise ReportError(msg("ingest.error.unknown_default_operation", value=operation,
                                  known=", ".join(sorted(mappings.op_dates))))
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
    # Each raw row is let go once parsed: a wide report held its cells twice (issue 25's memory).
    raw_rows, table.rows = table.rows[::-1], []
    rows = []
    while raw_rows:
        raw = raw_rows.pop()
        rows.append(parse_row(raw.line, raw.values, raw.texts, width, columns, header_of, mappings, lang))
        if len(rows) % 10_000 == 0:
            release_freed_memory()
    release_freed_memory()
    group_rows(rows, columns)
    fill_events(rows, columns, header_of, defaults, mappings)
    result = IngestPlan(
        filename=Path(filename).name, checksum=hashlib.sha256(data).hexdigest(), size=len(data), kind=table.kind,
        encoding=table.encoding, separator=table.separator, sheet=table.sheet, header_line=table.header_line,
        header=table.header, lang=lang, columns={table.header[k]: f for f, k in columns.items()},
        unused_columns=unused, skipped=table.skipped, blank_lines=table.blank_lines,
        other_sheets=table.other_sheets, file_warnings=file_warnings, rows=rows,
    )
    decide(result, stored_keys(root, result))
    release_freed_memory()
    return result


def release_freed_memory() -> None:
    """Give the C heap's freed pages back to the system (glibc's `malloc_trim`; elsewhere nothing).

    Planning frees each raw row as its parsed row is made, and the two interleave in the heap: the
    server kept about 50 MB it no longer used after a 50,000 x 80 plan until this (issue 25).
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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


def _same(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return norm(a) == norm(b)
    return a == b


def fill_events(rows: list[Row], columns: dict[str, int], header_of: dict[str, str],
                 defaults: dict[str, object], mappings: Mappings) -> None:
    """Make the lines of each seizure agree, fill empty event cells, then add event warnings."""
    for group in groups(rows).values():
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


def check_size(size: int) -> None:
    """Refuse a file over the byte cap before reading it (ReportError naming its size and the cap)."""
    if size > MAX_FILE_BYTES:
        raise ReportError(msg("ingest.error.too_large", size=f"{size / 2**20:.1f}",
                              limit=Number(MAX_FILE_BYTES // 2**20)))

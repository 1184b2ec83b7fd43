"""Load a file of budget lines or transactions as one immutable money batch.

The same rules as the seizure ingest, and the same reader (`kafo_data.ingest.read`: title
rows above the header, Excel's encodings, blank and totals rows left out of the count):
every row is checked against the money contract;
accepted rows become one batch directory, built under `tmp/` and renamed in whole into
`money/batches/<id>/`; rejected rows go to `rejected/<id>.csv` with their line number and
the reason; the command prints `N read, A accepted, R rejected` (N = A + R). Codes and names
are accepted as IATI writes them (transaction type "3" or "Disbursement"). Amounts are
read as exact decimals, never as floats.

Exit codes: 0 every row accepted; 1 some rows rejected (the others are stored, unless
`strict`); 2 the file could not be used at all (unreadable, a required column missing,
already loaded).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kafo_data.config import money_batches_dir, rejected_dir, tmp_dir
from kafo_data.contract.money import (
    BUDGET_STATUSES,
    BUDGET_TYPES,
    CURRENCIES,
    ID_COLUMN,
    KIND_TABLE,
    MAX_PERIOD_DAYS,
    OUTPUTS,
    TABLES,
    TRANSACTION_TYPES,
    AmountError,
    arrow_schema,
    parse_amount,
)
from kafo_data.formulas import neutralise
from kafo_data.i18n import t
from kafo_data.ingest.read import UnreadableFile, cell_text, read_report
from kafo_data.store.batches import parquet_writer, store_lock, write_batch_dir, write_file_whole
from kafo_data.store.money import money_batch_dirs, sample_file
from kafo_data.store.reference import project_total, read_text

ALIASES = {"donor": "donor_id", "project": "project_id", "operation": "operation_id", "date": "transaction_date",
           "period-start": "period_start", "period-end": "period_end", "value-date": "value_date",
           "provider-org": "provider", "receiver-org": "receiver", "currency_code": "currency"}
DEFAULTED = {"project_id", "source"}
MAX_TEXT = 500


class MoneyIngestError(Exception):
    """The file cannot be used at all; the message says why, in one line."""


@dataclass
class IngestResult:
    """What happened to one file: counts, the batch written, the rejected file, each problem."""

    read: int = 0
    accepted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    batch: Path | None = None
    rejected_file: Path | None = None

    @property
    def exit_code(self) -> int:
        return 0 if not self.rejected else 1

    def summary(self) -> str:
        return f"{self.read} read, {self.accepted} accepted, {len(self.rejected)} rejected"


# --- reading ----------------------------------------------------------------------------------

def _header(name: object) -> str:
    text = str(name or "").strip().lower().replace(" ", "_")
    return ALIASES.get(text.replace("_", "-"), ALIASES.get(text, text))


def _names(table: str) -> set[str]:
    return {c.name for c in TABLES[table]}


def read_rows(filename: str, data: bytes, table: str) -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    """Headers and (line, row) of a CSV or xlsx, read as the seizure ingest reads reports.

    `kafo_data.ingest.read` finds the header row (title rows above it are allowed), decodes
    what Excel wrote, and leaves blank and totals rows out of the count.
    """
    names = _names(table)

    def score(cells: Sequence[str]) -> int:
        return sum(1 for c in cells if _header(c) in names)

    try:
        found = read_report(filename, data, score)
    except UnreadableFile as exc:
        if exc.key == "ingest.error.no_header":
            raise MoneyIngestError(f"{filename}: no header row naming the {table} columns "
                                   f"({', '.join(c.name for c in TABLES[table][:5])}, ...)") from exc
        raise MoneyIngestError(f"{filename}: {t(exc.key, 'en', **exc.values)}") from exc
    headers = [_header(h) for h in found.header]
    rows = [(r.line, {h: (r.values[k] if k < len(r.values) else None) for k, h in enumerate(headers) if h})
            for r in found.rows]
    return headers, rows


# --- checking ---------------------------------------------------------------------------------

class RowError(ValueError):
    """One problem with one cell; the message names the column."""


def _text(row: dict, name: str, required: bool = True) -> str | None:
    value = row.get(name)
    text = value.isoformat() if isinstance(value, dt.date) else cell_text(value).strip()
    if not text:
        if required:
            raise RowError(f"{name} is empty")
        return None
    if len(text) > MAX_TEXT:
        raise RowError(f"{name} is longer than {MAX_TEXT} characters")
    return text


def _date(row: dict, name: str) -> dt.date:
    value = row.get(name)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(row, name) or ""
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d([T ].*)?", text):
            return dt.date.fromisoformat(text[:10])
        if re.fullmatch(r"\d\d/\d\d/\d{4}", text):  # as French Excel writes dates: day first
            return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        pass
    raise RowError(f"{name} is not a date (YYYY-MM-DD or DD/MM/YYYY): {text!r}")


def _code(row: dict, name: str, names: dict[str, str]) -> str:
    """A vocabulary value given by name ("Incoming funds", "incoming_funds") or IATI code ("1")."""
    text = _text(row, name) or ""
    key = re.sub(r"[\s-]+", "_", text.lower())
    if key in names:
        return key
    by_code = {code: value for value, code in names.items()}
    if text in by_code:
        return by_code[text]
    raise RowError(f"{name} {text!r} is not one of {', '.join(names)} (or their IATI codes)")


def _output(row: dict, required: bool) -> int | None:
    text = _text(row, "output", required)
    if text is None:
        return None
    number = int(float(text)) if re.fullmatch(r"\d+(\.0+)?", text) else None
    if number not in OUTPUTS:
        raise RowError(f"output {text!r} is not one of {', '.join(map(str, OUTPUTS))}")
    return number


@dataclass(frozen=True)
class ReferenceIds:
    """Ids a money row may refer to, from the reference text."""

    projects: frozenset[str]
    donors: frozenset[str]
    operations: frozenset[str]


def known_ids(root: Path) -> ReferenceIds:
    project = {r["field"]: r["value"] for r in read_text(root, "project")}
    return ReferenceIds(frozenset({project["project_id"]}), frozenset(r["donor_id"] for r in read_text(root, "donors")),
                 frozenset(r["operation_id"] for r in read_text(root, "operations")))


def _common(row: dict, known: ReferenceIds, default_project: str, source: str) -> dict:
    project = _text(row, "project_id", required=False) or default_project
    if project not in known.projects:
        raise RowError(f"project_id {project!r} is not the project ({', '.join(sorted(known.projects))})")
    donor = _text(row, "donor_id") or ""
    if donor not in known.donors:
        raise RowError(f"donor_id {donor!r} is not a known donor ({', '.join(sorted(known.donors))})")
    currency = (_text(row, "currency") or "").upper()
    if currency not in CURRENCIES:
        raise RowError(f"currency {currency!r} is not an ISO 4217 code")
    try:
        value = parse_amount(row.get("value"))
    except AmountError as exc:
        raise RowError(f"value: {exc}") from exc
    return {"project_id": project, "donor_id": donor, "currency": currency, "value": value,
            "value_date": _date(row, "value_date"), "is_sample": False,
            "source": _text(row, "source", required=False) or source}


def check_budget(row: dict, known: ReferenceIds, default_project: str, source: str) -> dict:
    """One budget line as stored, or RowError naming the first problem."""
    out = {"budget_id": _text(row, "budget_id"), **_common(row, known, default_project, source)}
    if out["value"] < 0:
        raise RowError("value: a budget is not negative")
    out["budget_type"] = _code(row, "budget_type", BUDGET_TYPES)
    out["status"] = _code(row, "status", BUDGET_STATUSES)
    start, end = _date(row, "period_start"), _date(row, "period_end")
    if end < start:
        raise RowError("period_end is before period_start")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise RowError("a budget period is at most one year (split it into years or quarters)")
    out.update(period_start=start, period_end=end, output=_output(row, required=True))
    return out


def check_transaction(row: dict, known: ReferenceIds, default_project: str, source: str) -> dict:
    """One transaction as stored, or RowError naming the first problem."""
    out = {"transaction_id": _text(row, "transaction_id"), **_common(row, known, default_project, source)}
    out["transaction_type"] = _code(row, "transaction_type", TRANSACTION_TYPES)
    out["transaction_date"] = _date(row, "transaction_date")
    operation = _text(row, "operation_id", required=False)
    if operation is not None and operation not in known.operations:
        raise RowError(f"operation_id {operation!r} is not a known operation")
    out.update(provider=_text(row, "provider", required=False), receiver=_text(row, "receiver", required=False),
               output=_output(row, required=False), operation_id=operation,
               description=_text(row, "description", required=False))
    return out


CHECKS: dict[str, Callable[[dict, ReferenceIds, str, str], dict]] = {"budgets": check_budget,
                                                               "transactions": check_transaction}


def stored_ids(root: Path, table: str) -> set[str]:
    """Ids already loaded in a real batch of this table (the sample does not count)."""
    ids: set[str] = set()
    for batch in money_batch_dirs(root):
        path = batch / f"{table}.parquet"
        if path.is_file():
            ids.update(pq.read_table(path, columns=[ID_COLUMN[table]]).column(0).to_pylist())
    return ids


# --- writing ----------------------------------------------------------------------------------

def _safe_cell(value: object) -> str:
    """A rejected cell as text a spreadsheet will not run as a formula (the one rule of every file we write)."""
    return "" if value is None else neutralise(cell_text(value))


def rejected_bytes(headers: list[str], rows: list[tuple[int, str, dict]]) -> bytes:
    """The rejected rows as CSV (UTF-8 with a byte-order mark): line, reason, then the cells as received."""
    names = [h for h in headers if h]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["line", "reason", *names])
    for line, reason, row in rows:
        writer.writerow([line, _safe_cell(reason), *(_safe_cell(row.get(h)) for h in names)])
    return out.getvalue().encode("utf-8-sig")


def _write_rejected(root: Path, batch_id: str, headers: list[str], rows: list[tuple[int, str, dict]]) -> Path:
    return write_file_whole(rejected_dir(root) / f"{batch_id}.csv", rejected_bytes(headers, rows), tmp_dir(root))


def money_table(table: str, rows: list[dict]) -> pa.Table:
    """Checked rows as the arrow table of the money contract."""
    schema = arrow_schema(table)
    return pa.table({f.name: [r.get(f.name) for r in rows] for f in schema}, schema=schema)


def write_money_batch(root: Path, batch_id: str, table: str, rows: list[dict] | pa.Table, meta: dict) -> Path:
    """One money batch directory, written whole into money/batches/ by the store's one batch writer."""
    arrow = rows if isinstance(rows, pa.Table) else money_table(table, rows)
    return write_batch_dir(money_batches_dir(root) / batch_id, tmp_dir(root) / f"money-{batch_id}.partial",
                           [(f"{table}.parquet", parquet_writer(arrow))], meta, what="money batch")


def shown(root: Path, path: Path) -> str:
    """A stored file as a message names it: relative to the data directory, never a server path."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).name


def _loaded_digests(root: Path) -> dict[str, str]:
    out = {}
    for batch in money_batch_dirs(root):
        try:
            meta = json.loads((batch / "batch.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("sha256"):
            out[meta["sha256"]] = batch.name
    return out


def ingest_file(root: Path, path: Path, kind: str, dry_run: bool = False, strict: bool = False,
                now: dt.datetime | None = None) -> IngestResult:
    """Check every row of one file and store the accepted ones as a batch (unless `dry_run`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MoneyIngestError(f"cannot open {path}: {exc.strerror or exc}") from exc
    return ingest_data(root, path.name, data, kind, dry_run=dry_run, strict=strict, now=now)


def ingest_data(root: Path, filename: str, data: bytes, kind: str, dry_run: bool = False, strict: bool = False,
                now: dt.datetime | None = None) -> IngestResult:
    """The same for bytes (an upload): check, then store accepted rows and write the rejected ones.

    `strict` stores nothing from a file with any rejected row (the rejected file is still written).
    """
    table = KIND_TABLE.get(kind)
    if table is None:
        raise MoneyIngestError(f"unknown kind {kind!r}: expected budget or transactions")
    digest = hashlib.sha256(data).hexdigest()
    headers, rows = read_rows(filename, data, table)
    required = [c.name for c in TABLES[table] if c.required and c.name not in DEFAULTED and c.name != "is_sample"]
    missing = [c for c in required if c not in headers]
    if missing:
        raise MoneyIngestError(f"{filename}: missing column(s) {', '.join(missing)} for {table}")
    known = known_ids(root)
    default_project = sorted(known.projects)[0]
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S")
    batch_id = f"{table}-{stamp}-{digest[:8]}"
    # One lock for every kind of data: the check against what is stored and the write are one step,
    # so two loads at the same moment cannot both store the same ids.
    with contextlib.nullcontext() if dry_run else store_lock(root):
        loaded = _loaded_digests(root)
        if digest in loaded and not dry_run:
            raise MoneyIngestError(f"{filename} was already loaded as money batch {loaded[digest]}")
        result, accepted, rejected = _check_rows(rows, table, known, default_project, filename,
                                                 stored_ids(root, table))
        if dry_run:
            return result
        if accepted and not (strict and rejected):
            meta = {"batch_id": batch_id, "kind": kind, "table": table, "file": filename, "sha256": digest,
                    "loaded_at": stamp, "is_sample": False, "rows_read": result.read,
                    "rows_accepted": result.accepted, "rows_rejected": len(rejected),
                    "total_by_currency": _totals(accepted),
                    "rejected_file": f"rejected/{batch_id}.csv" if rejected else None}
            try:  # built before anything is written: a row the contract cannot hold writes nothing
                arrow = money_table(table, accepted)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
                raise MoneyIngestError(f"{filename}: a value cannot be stored ({str(exc).splitlines()[0]})") from exc
            if rejected:
                result.rejected_file = _write_rejected(root, batch_id, headers, rejected)
            result.batch = write_money_batch(root, batch_id, table, arrow, meta)
        elif rejected:
            result.rejected_file = _write_rejected(root, batch_id, headers, rejected)
    return result


def _check_rows(rows: list[tuple[int, dict[str, object]]], table: str, known: ReferenceIds, default_project: str,
                filename: str, seen: set[str]) -> tuple[IngestResult, list[dict], list[tuple[int, str, dict]]]:
    """Each row checked against the contract and against the ids stored or seen earlier in the file."""
    result = IngestResult(read=len(rows))
    accepted: list[dict] = []
    rejected: list[tuple[int, str, dict]] = []
    for line, row in rows:
        try:
            clean = CHECKS[table](row, known, default_project, filename)
            row_id = clean[ID_COLUMN[table]]
            if row_id in seen:
                raise RowError(f"{ID_COLUMN[table]} {row_id!r} is already loaded or repeated in this file")
            seen.add(row_id)
            accepted.append(clean)
        except RowError as exc:
            rejected.append((line, str(exc), row))
    result.accepted = len(accepted)
    result.rejected = [(line, reason) for line, reason, _ in rejected]
    return result, accepted, rejected


def _totals(rows: list[dict]) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for r in rows:
        totals[r["currency"]] = totals.get(r["currency"], Decimal("0.00")) + r["value"]
    return {k: str(v) for k, v in sorted(totals.items())}


def run(root: Path, paths: Sequence[Path], kind: str, dry_run: bool = False, strict: bool = False) -> int:
    """The CLI action for each file: counts, each rejected line, where things went; the worst exit code."""
    code = 0
    for path in paths:
        try:
            result = ingest_file(root, Path(path), kind, dry_run=dry_run, strict=strict)
        except MoneyIngestError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = 2
            continue
        print(f"{Path(path).name}: {result.summary()}")
        for line, reason in result.rejected[:20]:
            print(f"  line {line}: {reason}")
        if len(result.rejected) > 20:
            print(f"  ... and {len(result.rejected) - 20} more")
        if dry_run:
            print("dry run: nothing stored")
        elif result.batch:
            print(f"stored money batch {result.batch.name}")
        else:
            print("nothing stored" + (" (--strict: the file has rejected rows)" if strict and result.accepted else ""))
        if result.rejected_file:
            print(f"rejected rows: {shown(root, result.rejected_file)} (in the data directory)")
        code = max(code, result.exit_code)
    return code


# --- checking what is stored ------------------------------------------------------------------

def check_money_files(root: Path) -> list[str]:
    """Every stored money file against the contract; the sample must add up to the published total.

    For `python -m kafo_data validate`: each problem names its file (and row where it can).
    """

    problems: list[str] = []
    known = known_ids(root)
    files = [(sample_file(root, t), t, True) for t in TABLES if sample_file(root, t).is_file()]
    files += [(b / f"{t}.parquet", t, False) for b in money_batch_dirs(root) for t in TABLES
              if (b / f"{t}.parquet").is_file()]
    across: dict[tuple[str, str], str] = {}  # (table, id) -> the batch that holds it first
    for path, table, is_sample in files:
        try:
            stored = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            problems.append(f"{shown(root, path)}: unreadable ({str(exc).splitlines()[0] if str(exc) else exc})")
            continue
        if stored.schema.remove_metadata() != arrow_schema(table):
            problems.append(f"{path}: columns or types differ from the money contract")
            continue
        seen: set[str] = set()
        if not is_sample:
            for value in stored.column(ID_COLUMN[table]).to_pylist():
                first = across.setdefault((table, value), path.parent.name)
                if first != path.parent.name:
                    problems.append(f"{shown(root, path)}: {ID_COLUMN[table]} {value!r} is also stored in money "
                                    f"batch {first} (loaded twice: remove one batch)")
        for n, row in enumerate(stored.to_pylist(), start=1):
            text = {k: "" if v is None else v for k, v in row.items()}
            try:
                CHECKS[table](text, known, "", str(row.get("source") or ""))
            except RowError as exc:
                problems.append(f"{path} row {n}: {exc}")
            if row[ID_COLUMN[table]] in seen:
                problems.append(f"{path} row {n}: {ID_COLUMN[table]} {row[ID_COLUMN[table]]!r} repeated")
            seen.add(row[ID_COLUMN[table]])
            if bool(row["is_sample"]) != is_sample:
                problems.append(f"{path} row {n}: is_sample should be {str(is_sample).lower()}")
        if is_sample and table == "budgets":
            total = project_total(root)
            original = sum((r["value"] for r in stored.to_pylist() if r["budget_type"] == "original"), Decimal(0))
            if original != total.value:
                problems.append(f"{path}: the sample's original budget is {original}, not the published "
                                f"{total.value} {total.currency} (run `python -m kafo_data money build`)")
    return problems[:200]

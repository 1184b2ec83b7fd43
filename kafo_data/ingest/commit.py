"""Store what a plan accepted: one new batch, written whole, and the rejected rows as a CSV.

Runs under the store's lock, checks duplicates again against what is stored now, and first
removes what a killed load or removal left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from kafo_data.config import batches_dir, rejected_dir, tmp_dir
from kafo_data.i18n import LANGS, t
from kafo_data.ingest.messages import ReportError, msg
from kafo_data.ingest.rows import groups
from kafo_data.ingest.seizures import IngestPlan
from kafo_data.ingest.verdict import decide, stored_keys
from kafo_data.store.batches import record_table, sort_records, store_lock, write_file_whole, write_record_batch

UNSTORED_SUFFIX = ".json"  # beside rejected/<file>-<sha>-unstored.csv: a load that stored nothing (`_write_unstored`)
_BATCH_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}(-\d+)?$")


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
        return 1 if self.plan.rejected or self.plan.already_loaded else 0


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
        decide(p, stored_keys(root, p))
        if p.duplicate_of:
            return CommitResult(p, None, None, None, 0, False)
        blocked = strict and bool(p.rejected)
        batch_id = _new_batch_id(root, p) if p.accepted and not blocked else None
        if batch_id is None:
            rejected_path = _write_rejected(root, p, None) if p.rejected else None
            if rejected_path is not None and not (p.accepted or p.already_loaded):  # every row rejected
                _write_unstored(root, p, rejected_path, loaded_by)
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
    for group in groups(p.accepted).values():
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
        "rejected": len(p.rejected), "already_loaded": len(p.already_loaded), "rows": len(p.accepted),
        "events": events,
        "skipped": [{"line": line, "what": what} for line, what in p.skipped], "blank_lines": p.blank_lines,
        "rejected_file": str(rejected_path.relative_to(root).as_posix()) if rejected_path else None,
        "warnings": [{"line": line, **{lang: w.text(lang) for lang in LANGS}} for line, w in p.warnings()],
        "tool": "kafo_data.ingest.seizures",
    }


def _write_rejected(root: Path, p: IngestPlan, batch_id: str | None) -> Path:
    stem = re.sub(r"[^\w.-]+", "_", Path(p.filename).stem)[:60] or "report"
    # a load that stored nothing: "-unstored" keeps its name off the batch ids' pattern, whatever the file was
    # called (`_clean_stale` removes rejected files of batch ids never renamed in)
    target = rejected_dir(root) / (f"{batch_id}.csv" if batch_id else f"{stem}-{p.checksum[:8]}-unstored.csv")
    return write_file_whole(target, p.rejected_csv(), tmp_dir(root))


def _write_unstored(root: Path, p: IngestPlan, rejected_path: Path, loaded_by: str | None) -> Path:
    """Beside the rejected rows of a load that stored nothing, what the reporting grid needs to show it.

    A report whose every row was rejected is still a report sent: the grid (`seizures.reporting`)
    counts its rejected rows in each operation and country they name, so a manager tells "sent, all
    rejected" from "sent nothing". Rows whose operation or country could not be read are counted
    with no cell (`null`). Named as the CSV it describes: loading the same file again replaces it.
    """
    cells: dict[tuple[object, object], int] = {}
    for r in p.rejected:
        key = (r.event.get("operation_id"), r.event.get("country_iso3"))
        cells[key] = cells.get(key, 0) + 1
    meta = {"file": p.filename, "sha256": p.checksum, "rejected_file": rejected_path.name,
            "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "loaded_by": loaded_by, "read": p.read, "rejected": len(p.rejected),
            "cells": [{"operation_id": op, "country_iso3": iso3, "rejected": n} for (op, iso3), n in cells.items()]}
    data = (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return write_file_whole(rejected_path.with_suffix(UNSTORED_SUFFIX), data, tmp_dir(root))


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
        if stem != name and (_BATCH_ID.match(stem) or stem.endswith((".csv", UNSTORED_SUFFIX))):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


# ---------------------------------------------------------------- command line


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

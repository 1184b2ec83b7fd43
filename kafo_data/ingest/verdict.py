"""Rows that repeat what is stored or an earlier line, and the whole-seizure rule: the verdict on a plan.

A row is a duplicate when its operation, date, country, locality, item type, quantity, unit and
reported seizure id equal those of a row already stored in a report batch (sample rows are not
compared), or when all its cells repeat an earlier row of the same file. A file whose SHA-256
equals a stored batch's is not loaded again. Run at planning and again at commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kafo_data.ingest.messages import msg
from kafo_data.ingest.read import norm
from kafo_data.ingest.rows import Row, groups
from kafo_data.store.stored_rows import check_stored

if TYPE_CHECKING:
    from kafo_data.ingest.seizures import IngestPlan

FILE_LOADED = "ingest.reason.file_already_loaded"


@dataclass
class StoredKeys:
    """The stored rows' keys (-> the batch that holds each first) and the stored files' checksums."""

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


def stored_keys(root: Path, p: IngestPlan) -> StoredKeys:
    """Checksums of the stored batches, and the keys of the stored rows that could repeat a row of the plan.

    The store's search (`store.stored_rows.check_stored`) narrows to the plan's values; the exact key
    (`_row_key`) is compared here.
    """
    candidates = [r for r in p.rows if not r.problems]
    found = check_stored(Path(root), [r.event["operation_id"] for r in candidates],
                         [r.event["seizure_date"] for r in candidates],
                         [r.event["country_iso3"] for r in candidates],
                         [r.item["item_type"] for r in candidates], [r.item["unit"] for r in candidates])
    keys: dict[tuple[object, ...], str] = {}
    for s in found.lines:
        key = _row_key(s.operation_id, s.seizure_date, s.country_iso3, s.locality, s.item_type, s.quantity, s.unit,
                       reported_id(s.seizure_id))
        keys.setdefault(key, s.batch_id)
    return StoredKeys(keys, found.checksums)


def decide(p: IngestPlan, stored: StoredKeys) -> None:
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
    seen: dict[bytes, int] = {}
    for r in p.rows:
        # a digest of the row's stripped cells, not the cells: 50,000 rows x 80 columns held them all again
        cells = hashlib.blake2b("\x1f".join(map(str.strip, r.cells)).encode("utf-8", "surrogatepass"),
                                digest_size=16).digest()
        if cells in seen:
            r.verdict.append(msg("ingest.reason.repeats_line", line=seen[cells]))
        else:
            seen[cells] = r.line
        if not r.problems:
            batch = stored.keys.get(_key_of(r))
            if batch:
                r.verdict.append(msg("ingest.reason.duplicate_stored", batch=batch))
    for group in groups(p.rows).values():
        bad = [r.line for r in group if r.problems or r.verdict]
        if bad:
            for r in group:
                if not r.problems and not r.verdict:
                    r.verdict.append(msg("ingest.reason.seizure_incomplete", lines=", ".join(map(str, bad))))
